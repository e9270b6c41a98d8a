"""Rows for templates/pymath.py: Python's ``math`` functions and ``np.float64(...)``.

The functions are called on a 0-d array, a numpy scalar or a Python float, as a user's code
calls them on a reduced value (``math.exp(x.sum())``).
"""

import math

import numpy as np

from rows.spec import R, away0, npscalar, positive, pyfloat, uniform

ROWS = [
    R(np.float64, lambda x: np.float64(x.sum()) * x[1], away0(3)),
    R(math.exp, lambda x: math.exp(x.sum()), uniform(-0.5, 0.5, 3)),
    R(math.expm1, lambda x: math.expm1(x), npscalar(-1.0, 1.0)),
    R(math.log, lambda x: math.log(x.sum()), positive(3)),
    R(math.log1p, lambda x: math.log1p(x), pyfloat(-0.5, 2.0)),
    R(math.log2, lambda x: math.log2(x), npscalar(0.5, 2.0)),
    R(math.log10, lambda x: math.log10(x), npscalar(0.5, 2.0)),
    R(math.sqrt, lambda x: math.sqrt(x.sum()), positive(3)),
    R(math.sin, lambda x: math.sin(x), npscalar()),
    R(math.cos, lambda x: math.cos(x), npscalar()),
    R(math.tan, lambda x: math.tan(x), npscalar(-1.0, 1.0)),
    R(math.tanh, lambda x: math.tanh(x.mean()), uniform(-2.0, 2.0, 4)),
    R(math.sinh, lambda x: math.sinh(x), npscalar()),
    R(math.cosh, lambda x: math.cosh(x), npscalar()),
    R(math.atan, lambda x: math.atan(x), npscalar()),
    R(math.asin, lambda x: math.asin(x), npscalar(-0.8, 0.8)),
    R(math.acos, lambda x: math.acos(x), npscalar(-0.8, 0.8)),
    R(math.erf, lambda x: math.erf(x), npscalar()),
    R(math.pow, lambda x, y: math.pow(x, y), npscalar(0.5, 2.0), npscalar()),
    R(math.hypot, lambda x, y: math.hypot(x, y), npscalar(0.5, 2.0), npscalar(-2.0, -0.5)),
    R(math.erfc, lambda x: math.erfc(x.sum()), uniform(-0.5, 0.5, 3)),
    R(math.atan2, lambda y, x: math.atan2(y, x), npscalar(), npscalar(0.5, 2.0)),
    R(math.atan2, lambda y, x: math.atan2(y, x), pyfloat(0.5, 2.0), npscalar(-2.0, -0.5),
      tag="second quadrant"),
    R(math.fabs, lambda x: math.fabs(x), npscalar(0.5, 2.0)),
    R(math.fabs, lambda x: math.fabs(x.sum()), uniform(-2.0, -0.5, 3), tag="negative"),
    R(math.asinh, lambda x: math.asinh(x), npscalar()),
    R(math.acosh, lambda x: math.acosh(x), npscalar(1.5, 3.0)),
    R(math.atanh, lambda x: math.atanh(x), npscalar(-0.8, 0.8)),
    R(math.degrees, lambda x: math.degrees(x), npscalar()),
    R(math.radians, lambda x: math.radians(x.mean()), uniform(-2.0, 2.0, 4)),
    R(math.exp2, lambda x: math.exp2(x), npscalar(-1.0, 1.0)),
    R(math.cbrt, lambda x: math.cbrt(x), positive()),
]
