"""Sampled functions: linear interpolation (``np.interp``) and differences (``np.gradient``).

``np.interp`` is differentiable in ``x``, ``xp``, ``fp``, ``left`` and ``right``; ``period`` is
a constant. The formulas are in s2s/runtime/interpolation.py.
"""

import numpy as np

import s2s.runtime as rt
from s2s.registry import adjoint, d, linear, tangent

INTERP = "numpy.interp: (1 - t) fp[lo] + t fp[hi], t = (x - xp[lo]) / (xp[hi] - xp[lo])"


@adjoint(np.interp, structural=("period",), source=INTERP)
def interp(result, x, xp, fp, left=None, right=None, period=None):
    grads = rt.interp_adjoint(d[result], x, xp, fp, left, right, period)
    d[x] = grads[0]
    d[xp] = grads[1]
    d[fp] = grads[2]
    d[left] = grads[3]
    d[right] = grads[4]


@tangent(np.interp, source=INTERP)
def interp_tangent(result, x, xp, fp, left=None, right=None, period=None):
    d[result] = rt.interp_tangent(
        d[x], d[xp], d[fp], d[left], d[right], x, xp, fp, left, right, period
    )


@linear(
    np.gradient,
    structural=("varargs", "axis", "edge_order"),
    carries_masks=False,
    source="numpy.gradient: linear in f, banded differences; transpose of the band",
)
def gradient(result, f, *varargs, axis=None, edge_order=1):
    d[f] = rt.gradient_adjoint(d[result], f, varargs, axis, edge_order)


# np.gradient's adjoint and np.gradient itself are linear and each other's transpose: second
# order goes through them.
HELD = ("varargs", "axis", "edge_order")


@linear(rt.gradient_adjoint, structural=("f",) + HELD, source="transpose: numpy.gradient")
def gradient_adjoint(result, g, f, varargs=(), axis=None, edge_order=1):
    d[g] = rt.gradient_of(d[result], varargs, axis, edge_order)


@linear(rt.gradient_of, structural=HELD, source="numpy.gradient; transpose: its band's")
def gradient_of(result, t, varargs=(), axis=None, edge_order=1):
    d[t] = rt.gradient_adjoint(d[result], t, varargs, axis, edge_order)
