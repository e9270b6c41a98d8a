"""Python's ``math`` functions and the cast ``np.float64(...)`` of one real number,
declared by their partial derivatives.

Sources: the same calculus identities as the numpy functions of the same name in ``ufuncs``
(Python's ``math`` module reference defines each function as the real function of that name);
a cast to a floating type is the identity on the reals, so its derivative is 1. The partials
are written with numpy, so they keep the input's dtype.
"""

import math

import numpy as np

from s2s.registry import FLOAT, Facts, elementwise


@elementwise(np.float64, source="a cast to a floating type is the identity on the reals: d = 1",
             facts=Facts(dtype=FLOAT, view=True))  # fmt: skip  (a float64 array: itself)
def float64(result, x):
    return 1


@elementwise(math.exp, source="d exp(x) = exp(x)")
def exp(result, x):
    return result


@elementwise(math.expm1, source="d (exp(x) - 1) = exp(x)")
def expm1(result, x):
    return result + 1.0


@elementwise(math.log, source="d log(x) = 1 / x (one argument)", singular=True)
def log(result, x):
    return 1 / x


@elementwise(math.log1p, source="d log(1 + x) = 1 / (1 + x)", singular=True)
def log1p(result, x):
    return 1 / (1 + x)


@elementwise(math.log2, source="d log2(x) = 1 / (x ln 2)", singular=True)
def log2(result, x):
    return 1 / (x * 0.6931471805599453)


@elementwise(math.log10, source="d log10(x) = 1 / (x ln 10)", singular=True)
def log10(result, x):
    return 1 / (x * 2.302585092994046)


@elementwise(math.sqrt, source="d sqrt(x) = 1 / (2 sqrt(x))", singular=True)
def sqrt(result, x):
    return 0.5 / result


@elementwise(math.sin, source="d sin(x) = cos(x)")
def sin(result, x):
    return np.cos(x)


@elementwise(math.cos, source="d cos(x) = -sin(x)")
def cos(result, x):
    return -np.sin(x)


@elementwise(math.tan, source="d tan(x) = 1 + tan(x)^2")
def tan(result, x):
    return 1 + result * result


@elementwise(math.tanh, source="d tanh(x) = 1 - tanh(x)^2")
def tanh(result, x):
    return 1 - result * result


@elementwise(math.sinh, source="d sinh(x) = cosh(x)")
def sinh(result, x):
    return np.cosh(x)


@elementwise(math.cosh, source="d cosh(x) = sinh(x)")
def cosh(result, x):
    return np.sinh(x)


@elementwise(math.atan, source="d atan(x) = 1 / (1 + x^2)")
def atan(result, x):
    return 1 / (1 + x * x)


@elementwise(math.asin, source="d asin(x) = 1 / sqrt(1 - x^2)", singular=True)
def asin(result, x):
    return 1 / np.sqrt(1 - x * x)


@elementwise(math.acos, source="d acos(x) = -1 / sqrt(1 - x^2)", singular=True)
def acos(result, x):
    return -1 / np.sqrt(1 - x * x)


@elementwise(math.erf, source="d erf(x) = 2 / sqrt(pi) exp(-x^2)")
def erf(result, x):
    return 1.1283791670955126 * np.exp(-x * x)


@elementwise(math.pow, source="power rule: d x^y = y x^(y-1) dx + x^y ln x dy", singular=True)
def pow(result, x, y):
    return y * x ** (y - 1), result * np.log(x)


@elementwise(math.hypot, source="d hypot(x, y) = (x dx + y dy) / hypot(x, y)", singular=True)
def hypot(result, x, y):
    return x / result, y / result


@elementwise(math.erfc, source="d erfc(x) = -2 / sqrt(pi) exp(-x^2)")
def erfc(result, x):
    return -1.1283791670955126 * np.exp(-x * x)


@elementwise(math.atan2, source="d atan2(y, x) = (x dy - y dx) / (x^2 + y^2)", singular=True)
def atan2(result, y, x):
    return x / (x * x + y * y), -y / (x * x + y * y)


@elementwise(math.fabs, source="d |x| = sign(x) (0 at 0, as np.abs's rule)")
def fabs(result, x):
    return np.sign(x)


@elementwise(math.asinh, source="d asinh(x) = 1 / sqrt(x^2 + 1)")
def asinh(result, x):
    return 1 / np.sqrt(x * x + 1)


@elementwise(math.acosh, source="d acosh(x) = 1 / sqrt(x^2 - 1)", singular=True)
def acosh(result, x):
    return 1 / np.sqrt(x * x - 1)


@elementwise(math.atanh, source="d atanh(x) = 1 / (1 - x^2)", singular=True)
def atanh(result, x):
    return 1 / (1 - x * x)


@elementwise(math.degrees, source="degrees(x) = x 180 / pi: d = 180 / pi")
def degrees(result, x):
    return 57.29577951308232


@elementwise(math.radians, source="radians(x) = x pi / 180: d = pi / 180")
def radians(result, x):
    return 0.017453292519943295


@elementwise(math.exp2, source="d 2^x = 2^x ln 2")
def exp2(result, x):
    return result * 0.6931471805599453


@elementwise(math.cbrt, source="d x^(1/3) = 1 / (3 x^(2/3))", singular=True)
def cbrt(result, x):
    return 1 / (3 * result * result)
