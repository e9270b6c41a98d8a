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
             facts=Facts(dtype=FLOAT))  # fmt: skip
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
