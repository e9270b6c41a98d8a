"""Sampled functions: linear interpolation (``np.interp``), real inputs.

``np.interp`` is differentiable in ``x``, ``xp``, ``fp``, ``left`` and ``right``; ``period`` is
a constant. The formulas are in s2s/runtime/interpolation.py.
"""

import numpy as np

import s2s.runtime as rt
from s2s.registry import adjoint, d, tangent

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
