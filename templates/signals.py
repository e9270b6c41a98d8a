"""Convolutions, the trapezoid rule and linspace (real inputs).

``convolve`` and ``correlate`` are bilinear (one term per operand, by the product rule);
``trapezoid`` is a weighted sum of ``y``; ``linspace`` is linear in ``start`` and ``stop``,
built from fractions in the arguments' namespace.
"""

import numpy as np

import s2s.runtime as rt
from s2s.registry import adjoint, d, linear, nondifferentiable, tangent

nondifferentiable(rt.trapezoid_weights, reason="reads only y's shape (x is not differentiated)")
nondifferentiable(rt.linspace_t, reason="reads only shapes", metadata=True)


@adjoint(np.convolve, structural=("mode",), source="numpy.convolve: <g, a * v> = <a, g corr v>")
def convolve(result, a, v, mode="full"):
    d[a] = rt.convolve_grad_a(d[result], a, v, mode)
    d[v] = rt.convolve_grad_v(d[result], a, v, mode)


@tangent(np.convolve, source="product rule: da * v + a * dv")
def convolve_tangent(result, a, v, mode="full"):
    d[result] += np.convolve(d[a], v, mode)
    d[result] += np.convolve(a, d[v], mode)


@adjoint(np.correlate, structural=("mode",), source="numpy.correlate = convolve(a, v[::-1])")
def correlate(result, a, v, mode="valid"):
    d[a] = rt.convolve_grad_a(d[result], a, v, mode, True)
    d[v] = rt.convolve_grad_v(d[result], a, v, mode, True)


@tangent(np.correlate, source="product rule: corr(da, v) + corr(a, dv)")
def correlate_tangent(result, a, v, mode="valid"):
    d[result] += np.correlate(d[a], v, mode)
    d[result] += np.correlate(a, d[v], mode)


@adjoint(
    np.trapezoid,
    structural=("axis",),
    no_derivative={"x": "the sample points are not differentiated", "dx": "the spacing is not"},
    source="the trapezoid rule: sum_i (x_{i+1} - x_i)(y_i + y_{i+1}) / 2, linear in y",
)
def trapezoid(result, y, x=None, dx=1.0, axis=-1):
    w = rt.trapezoid_weights(y, x, dx, axis)
    d[y] = rt.unbroadcast(np.expand_dims(d[result], axis) * w, y)


@tangent(np.trapezoid, source="the trapezoid rule applied to the tangent of y")
def trapezoid_tangent(result, y, x=None, dx=1.0, axis=-1):
    d[result] += np.sum(d[y] * rt.trapezoid_weights(y, x, dx, axis), axis=axis)


@linear(
    np.linspace,
    structural=("num", "endpoint", "axis"),
    source="numpy.linspace = start + (stop - start) k / (num - 1)",
)
def linspace(result, start, stop, num=50, endpoint=True, *, axis=0):
    t = rt.linspace_t(d[result], num, endpoint, axis)
    d[start] = rt.unbroadcast(np.sum(d[result] * (1.0 - t), axis=axis), start)
    d[stop] = rt.unbroadcast(np.sum(d[result] * t, axis=axis), stop)
