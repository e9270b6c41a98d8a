"""Elementwise numpy functions and Python operators, declared by their partial derivatives."""

import builtins

import numpy as np

import s2s.runtime as rt
from s2s.registry import BROADCAST, FLOAT, Facts, adjoint, d, elementwise, tangent, zero_where

# Sources: the derivative of each function is the standard calculus identity; numpy's
# definitions of the functions are in the numpy ufunc reference ("Mathematical functions").
# Constants are Python floats (never numpy scalars) so float32 stays float32:
# 0.6931471805599453 = ln 2, 2.302585092994046 = ln 10.


@elementwise(np.add, source="d(x1 + x2) = dx1 + dx2")
def add(result, x1, x2):
    return 1, 1


@elementwise(np.subtract, source="d(x1 - x2) = dx1 - dx2")
def subtract(result, x1, x2):
    return 1, -1


@elementwise(np.multiply, source="product rule", singular=True)
def multiply(result, x1, x2):
    return x2, x1


@elementwise(
    np.true_divide,
    source="quotient rule: d(x1/x2) = dx1/x2 - x1/x2^2 dx2",
    singular=True,
    facts=Facts(dtype=FLOAT, raises_on_python_numbers=True),
)
def true_divide(result, x1, x2):
    return 1 / x2, -result / x2


@elementwise(
    np.power,
    source="power rule; DESIGN 8 for x**0 and x**y at x <= 0",
    singular=True,
    facts=Facts(raises_on_python_numbers=True),
)
def power(result, x1, x2):
    return rt.power_dbase(x1, x2), rt.power_dexponent(result, x1)


@elementwise(np.negative, source="d(-x) = -dx")
def negative(result, x):
    return -1


@elementwise(np.positive, source="d(+x) = dx")
def positive(result, x):
    return 1


@elementwise(np.square, source="d x^2 = 2x")
def square(result, x):
    return 2 * x


@elementwise(
    np.sqrt,
    source="d sqrt(x) = 1 / (2 sqrt(x)); IEEE inf at 0 (DESIGN 8)",
    singular=True,
    facts=Facts(dtype=FLOAT),
)
def sqrt(result, x):
    return 0.5 / result


@elementwise(np.cbrt, source="d cbrt(x) = 1 / (3 cbrt(x)^2)", singular=True)
def cbrt(result, x):
    return 1 / (3 * result * result)


@elementwise(np.reciprocal, source="d (1/x) = -1/x^2", singular=True)
def reciprocal(result, x):
    return -result * result


@elementwise(np.tanh, source="d tanh(x) = 1 - tanh(x)^2")
def tanh(result, x):
    return 1 - result * result


@elementwise(np.exp, source="d exp(x) = exp(x)", singular=True, facts=Facts(dtype=FLOAT))
def exp(result, x):
    return result


@elementwise(np.exp2, source="d 2^x = 2^x ln 2", singular=True)
def exp2(result, x):
    return result * 0.6931471805599453


@elementwise(np.expm1, source="d (exp(x) - 1) = exp(x)", singular=True)
def expm1(result, x):
    return result + 1


@elementwise(
    np.log,
    source="d log(x) = 1/x; IEEE inf at 0 (DESIGN 8)",
    singular=True,
    facts=Facts(dtype=FLOAT),
)
def log(result, x):
    return 1 / x


@elementwise(np.log2, source="d log2(x) = 1 / (x ln 2)", singular=True)
def log2(result, x):
    return 1 / (x * 0.6931471805599453)


@elementwise(np.log10, source="d log10(x) = 1 / (x ln 10)", singular=True)
def log10(result, x):
    return 1 / (x * 2.302585092994046)


@elementwise(np.log1p, source="d log(1 + x) = 1 / (1 + x)", singular=True)
def log1p(result, x):
    return 1 / (1 + x)


@elementwise(np.logaddexp, source="d log(e^x1 + e^x2) = (e^x1, e^x2) / (e^x1 + e^x2)")
def logaddexp(result, x1, x2):
    return np.exp(x1 - result), np.exp(x2 - result)


@elementwise(np.logaddexp2, source="d log2(2^x1 + 2^x2) = (2^x1, 2^x2) / (2^x1 + 2^x2)")
def logaddexp2(result, x1, x2):
    return np.exp2(x1 - result), np.exp2(x2 - result)


@elementwise(np.sin, source="d sin(x) = cos(x)")
def sin(result, x):
    return np.cos(x)


@elementwise(np.cos, source="d cos(x) = -sin(x)")
def cos(result, x):
    return -np.sin(x)


@elementwise(np.tan, source="d tan(x) = 1 + tan(x)^2", singular=True)
def tan(result, x):
    return 1 + result * result


@elementwise(
    np.arcsin, source="d arcsin(x) = 1 / sqrt(1 - x^2); IEEE inf at +-1 (DESIGN 8)", singular=True
)
def arcsin(result, x):
    return 1 / np.sqrt(1 - x * x)


@elementwise(np.arccos, source="d arccos(x) = -1 / sqrt(1 - x^2)", singular=True)
def arccos(result, x):
    return -1 / np.sqrt(1 - x * x)


@elementwise(np.arctan, source="d arctan(x) = 1 / (1 + x^2)")
def arctan(result, x):
    return 1 / (1 + x * x)


@elementwise(
    np.arctan2, source="d atan2(x1, x2) = (x2, -x1) / (x1^2 + x2^2); 0 at the origin", singular=True
)
def arctan2(result, x1, x2):
    return rt.div_or_zero(x2, x1 * x1 + x2 * x2), rt.div_or_zero(-x1, x1 * x1 + x2 * x2)


@elementwise(
    np.hypot, source="d hypot(x1, x2) = (x1, x2) / hypot; 0 at the origin (DESIGN 8)", singular=True
)
def hypot(result, x1, x2):
    return rt.div_or_zero(x1, result), rt.div_or_zero(x2, result)


@elementwise(np.sinh, source="d sinh(x) = cosh(x)", singular=True)
def sinh(result, x):
    return np.cosh(x)


@elementwise(np.cosh, source="d cosh(x) = sinh(x)", singular=True)
def cosh(result, x):
    return np.sinh(x)


@elementwise(np.arcsinh, source="d arcsinh(x) = 1 / sqrt(x^2 + 1)")
def arcsinh(result, x):
    return 1 / np.sqrt(x * x + 1)


@elementwise(np.arccosh, source="d arccosh(x) = 1 / sqrt(x^2 - 1)", singular=True)
def arccosh(result, x):
    return 1 / np.sqrt(x * x - 1)


@elementwise(np.arctanh, source="d arctanh(x) = 1 / (1 - x^2)", singular=True)
def arctanh(result, x):
    return 1 / (1 - x * x)


@elementwise(np.absolute, source="d |x| = sign(x), 0 at 0 (DESIGN 8)")
def absolute(result, x):
    return np.sign(x)


@elementwise(np.fabs, source="d |x| = sign(x), 0 at 0 (DESIGN 8)")
def fabs(result, x):
    return np.sign(x)


@elementwise(
    np.remainder,
    source="x1 mod x2 = x1 - floor(x1/x2) x2 (numpy.remainder)",
    singular=True,
    facts=Facts(raises_on_python_numbers=True),
)
def remainder(result, x1, x2):
    return 1, -np.floor(x1 / x2)


@elementwise(
    np.fmod,
    source="fmod(x1, x2) = x1 - trunc(x1/x2) x2 (numpy.fmod)",
    singular=True,
    facts=Facts(raises_on_python_numbers=True),
)
def fmod(result, x1, x2):
    return 1, -np.trunc(x1 / x2)


# Selections: adjoint rules with their own unbroadcasting, so the cotangent is routed (not
# multiplied by a 0/1 partial, which would turn an inf or nan partial upstream into nan).


@adjoint(
    np.maximum,
    source="DESIGN 8: ties split 0.5/0.5; a NaN operand gets the gradient",
    facts=Facts(shape=BROADCAST),  # a ufunc: the operands' broadcast shape
)
def maximum(result, x1, x2):
    d[x1] = rt.maximum_share(d[result], x1, x2)
    d[x2] = rt.maximum_share(d[result], x2, x1)
    zero_where[x1] = rt.unselected_by_extremum(x1, x2, np.less)
    zero_where[x2] = rt.unselected_by_extremum(x2, x1, np.less)


@tangent(np.maximum, source="DESIGN 8: the transpose of the adjoint (ties 0.5/0.5, NaN wins)")
def maximum_tangent(result, x1, x2):
    d[result] += rt.extremum_part(d[x1], x1, x2, np.greater)
    d[result] += rt.extremum_part(d[x2], x2, x1, np.greater)


@adjoint(builtins.max, source="max(a, b) of two numbers: as np.maximum, ties split 0.5/0.5")
def builtin_max(result, a, b, /):
    d[a] = rt.maximum_share(d[result], a, b)
    d[b] = rt.maximum_share(d[result], b, a)


@tangent(builtins.max, source="max(a, b) of two numbers: as np.maximum, ties split 0.5/0.5")
def builtin_max_tangent(result, a, b, /):
    d[result] += rt.extremum_part(d[a], a, b, np.greater)
    d[result] += rt.extremum_part(d[b], b, a, np.greater)


@adjoint(builtins.min, source="min(a, b) of two numbers: as np.minimum, ties split 0.5/0.5")
def builtin_min(result, a, b, /):
    d[a] = rt.minimum_share(d[result], a, b)
    d[b] = rt.minimum_share(d[result], b, a)


@tangent(builtins.min, source="min(a, b) of two numbers: as np.minimum, ties split 0.5/0.5")
def builtin_min_tangent(result, a, b, /):
    d[result] += rt.extremum_part(d[a], a, b, np.less)
    d[result] += rt.extremum_part(d[b], b, a, np.less)


@adjoint(
    np.minimum,
    source="DESIGN 8: ties split 0.5/0.5; a NaN operand gets the gradient",
    facts=Facts(shape=BROADCAST),  # a ufunc: the operands' broadcast shape
)
def minimum(result, x1, x2):
    d[x1] = rt.minimum_share(d[result], x1, x2)
    d[x2] = rt.minimum_share(d[result], x2, x1)
    zero_where[x1] = rt.unselected_by_extremum(x1, x2, np.greater)
    zero_where[x2] = rt.unselected_by_extremum(x2, x1, np.greater)


@tangent(np.minimum, source="DESIGN 8: the transpose of the adjoint (ties 0.5/0.5, NaN wins)")
def minimum_tangent(result, x1, x2):
    d[result] += rt.extremum_part(d[x1], x1, x2, np.less)
    d[result] += rt.extremum_part(d[x2], x2, x1, np.less)


@adjoint(np.clip, source="numpy.clip; DESIGN 8: 1 to a on the closed [lo, hi], 0 to the bound")
def clip(result, a, a_min=None, a_max=None, *, min=None, max=None):
    masks = rt.clip_masks(a, a_min, a_max, min, max)  # inside, below, above
    d[a] = rt.unbroadcast(np.where(masks[0], d[result], 0), a)
    d[a_min] = rt.unbroadcast(np.where(masks[1], d[result], 0), a_min)
    d[a_max] = rt.unbroadcast(np.where(masks[2], d[result], 0), a_max)
    d[min] = rt.unbroadcast(np.where(masks[1], d[result], 0), min)
    d[max] = rt.unbroadcast(np.where(masks[2], d[result], 0), max)
    zero_where[a] = np.logical_not(masks[0])
    zero_where[a_min] = np.logical_not(masks[1])
    zero_where[a_max] = np.logical_not(masks[2])
    zero_where[min] = np.logical_not(masks[1])
    zero_where[max] = np.logical_not(masks[2])


@tangent(np.clip, source="numpy.clip; DESIGN 8: a's tangent on the closed [lo, hi]")
def clip_tangent(result, a, a_min=None, a_max=None, *, min=None, max=None):
    masks = rt.clip_masks(a, a_min, a_max, min, max)  # inside, below, above
    d[result] += np.where(masks[0], d[a], 0)
    d[result] += np.where(masks[1], d[a_min], 0)
    d[result] += np.where(masks[2], d[a_max], 0)
    d[result] += np.where(masks[1], d[min], 0)
    d[result] += np.where(masks[2], d[max], 0)


@adjoint(np.where, structural=("condition",), source="numpy.where: x where condition, else y")
def where(result, condition, x=None, y=None, /):
    d[x] = rt.unbroadcast(np.where(condition, d[result], 0), x)
    d[y] = rt.unbroadcast(np.where(condition, 0, d[result]), y)
    zero_where[x] = np.logical_not(condition)
    zero_where[y] = np.asarray(condition, dtype=bool)


@tangent(np.where, source="numpy.where: x's tangent where condition, else y's")
def where_tangent(result, condition, x=None, y=None, /):
    d[result] += np.where(condition, d[x], 0)
    d[result] += np.where(condition, 0, d[y])
