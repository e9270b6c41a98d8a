"""Logarithmic and geometric spacings, differentiable in their start and stop (real inputs).

With the fractions ``t`` of ``linspace`` (``k / (num - 1)``, ``rt.linspace_t``):
``logspace`` is ``base ** (start + (stop - start) t)``, so ``dy = y ln(base) ((1 - t) dstart +
t dstop)``; ``geomspace`` is ``start (stop / start) ** t`` (both ends of one sign), so
``dy = y ((1 - t) dstart / start + t dstop / stop)``. Start and stop may be arrays (numpy
broadcasts them and inserts the new axis at ``axis``): each sums over that axis and undoes
broadcasting. ``num``, ``endpoint``, ``dtype`` and ``axis`` are structural; logspace's ``base``
is not differentiated.
"""

import numpy as np

import s2s.runtime as rt
from s2s.registry import adjoint, d, linear, tangent

LOGSPACE = ("num", "endpoint", "dtype", "axis")
BASE = {"base": "the base is not differentiated (only start and stop)"}


@linear(rt.expand_at, structural=("axis", "ref"), source="a reshape; transpose: reshape back")
def expand_at(result, x, axis, ref):
    d[x] = np.reshape(d[result], rt.shape_of(x))


@adjoint(
    np.logspace,
    structural=LOGSPACE,
    no_derivative=BASE,
    source="numpy.logspace = base ** linspace(start, stop); d(b^u) = b^u ln(b) du",
)
def logspace(result, start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
    t = rt.linspace_t(d[result], num, endpoint, axis)
    g = d[result] * result * rt.expand_at(np.log(base), axis, result)
    d[start] = rt.unbroadcast(np.sum(g * (1.0 - t), axis=axis), start)
    d[stop] = rt.unbroadcast(np.sum(g * t, axis=axis), stop)


@tangent(np.logspace, source="d(b^u) = b^u ln(b) du, u = start + (stop - start) t")
def logspace_tangent(result, start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
    t = rt.linspace_t(result, num, endpoint, axis)
    s = result * rt.expand_at(np.log(base), axis, result)
    d[result] += s * (1.0 - t) * rt.expand_at(d[start], axis, result)
    d[result] += s * t * rt.expand_at(d[stop], axis, result)


@adjoint(
    np.geomspace,
    structural=LOGSPACE,
    source="numpy.geomspace = start (stop / start) ** t: dy = y ((1 - t) ds / s + t de / e)",
)
def geomspace(result, start, stop, num=50, endpoint=True, dtype=None, axis=0):
    t = rt.linspace_t(d[result], num, endpoint, axis)
    g = d[result] * result
    d[start] = rt.unbroadcast(np.sum(g * (1.0 - t), axis=axis) / start, start)
    d[stop] = rt.unbroadcast(np.sum(g * t, axis=axis) / stop, stop)


@tangent(np.geomspace, source="dy = y ((1 - t) dstart / start + t dstop / stop)")
def geomspace_tangent(result, start, stop, num=50, endpoint=True, dtype=None, axis=0):
    t = rt.linspace_t(result, num, endpoint, axis)
    d[result] += result * (1.0 - t) * rt.expand_at(d[start] / start, axis, result)
    d[result] += result * t * rt.expand_at(d[stop] / stop, axis, result)
