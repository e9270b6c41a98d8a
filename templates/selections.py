"""Selections and NaN-aware extrema: select, choose, compress, extract, fmax, fmin, nan_to_num,
and sinc (real inputs).

The selections are linear in their choices: each entry's cotangent goes back to the choice it
was copied from. ``fmax`` and ``fmin`` are ``maximum`` and ``minimum`` that ignore a NaN: the
other operand gets the gradient there, ties split 0.5/0.5 (DESIGN 8).
"""

import numpy as np

import s2s.runtime as rt
from s2s.registry import adjoint, d, elementwise, linear, tangent


@linear(np.select, structural=("condlist",), source="numpy.select: the first true condition")
def select(result, condlist, choicelist, default=0):
    masks = rt.select_masks(condlist, result)
    d[choicelist] = rt.select_parts(d[result], masks, choicelist)
    d[default] = rt.unbroadcast(np.where(masks[-1], d[result], 0), default)


@linear(np.choose, structural=("a", "mode"), source="numpy.choose: choices[a[i]][i]")
def choose(result, a, choices, *, mode="raise"):
    d[choices] = rt.choose_parts(d[result], a, choices, mode)


@linear(np.compress, structural=("condition", "axis"), source="numpy.compress: a gather")
def compress(result, condition, a, axis=None):
    d[a][rt.compress_key(condition, a, axis)] = d[result]


@linear(np.extract, structural=("condition",), source="numpy.extract: a gather of the flat array")
def extract(result, condition, arr):
    d[arr][rt.extract_key(condition, arr)] = d[result]


@adjoint(np.fmax, source="numpy.fmax: maximum ignoring a NaN operand; ties split 0.5/0.5")
def fmax(result, x1, x2):
    a = np.where(np.isnan(x1), -np.inf, x1)
    b = np.where(np.isnan(x2), -np.inf, x2)
    d[x1] = rt.unbroadcast(rt.maximum_share(d[result], a, b), x1)
    d[x2] = rt.unbroadcast(rt.maximum_share(d[result], b, a), x2)


@tangent(np.fmax, source="numpy.fmax: the tangent of the operand taken (ties: the mean)")
def fmax_tangent(result, x1, x2):
    a = np.where(np.isnan(x1), -np.inf, x1)
    b = np.where(np.isnan(x2), -np.inf, x2)
    d[result] += rt.extremum_part(d[x1], a, b, np.greater)
    d[result] += rt.extremum_part(d[x2], b, a, np.greater)


@adjoint(np.fmin, source="numpy.fmin: minimum ignoring a NaN operand; ties split 0.5/0.5")
def fmin(result, x1, x2):
    a = np.where(np.isnan(x1), np.inf, x1)
    b = np.where(np.isnan(x2), np.inf, x2)
    d[x1] = rt.unbroadcast(rt.minimum_share(d[result], a, b), x1)
    d[x2] = rt.unbroadcast(rt.minimum_share(d[result], b, a), x2)


@tangent(np.fmin, source="numpy.fmin: the tangent of the operand taken (ties: the mean)")
def fmin_tangent(result, x1, x2):
    a = np.where(np.isnan(x1), np.inf, x1)
    b = np.where(np.isnan(x2), np.inf, x2)
    d[result] += rt.extremum_part(d[x1], a, b, np.less)
    d[result] += rt.extremum_part(d[x2], b, a, np.less)


@elementwise(
    np.nan_to_num,
    structural=("copy", "nan", "posinf", "neginf"),
    source="numpy.nan_to_num: the identity on finite entries, constants elsewhere",
)
def nan_to_num(result, x, copy=True, nan=0.0, posinf=None, neginf=None):
    return np.where(np.isfinite(x), 1.0, 0.0)


@elementwise(
    np.sinc,
    source="sinc x = sin(pi x) / (pi x): d/dx = (cos(pi x) - sinc x) / x, 0 at 0, by the "
    "series of sin(t)/t near 0 (s2s/runtime/sinc.py)",
)
def sinc(result, x):
    return rt.sinc_derivative(x, 1)


@elementwise(
    rt.sinc_derivative,
    source="d/dx of the n-th derivative of sinc is the (n+1)-th (s2s/runtime/sinc.py)",
    no_derivative={"order": "it is an integer"},
)
def sinc_derivative(result, x, order):
    return rt.sinc_derivative(x, order + 1)


@adjoint(
    np.piecewise,
    structural=("condlist", "funclist"),
    source="numpy.piecewise: y[cond] = func(x[cond]), later conditions overwrite; each piece's "
    "own VJP (made by s2s), where its value is kept",
)
def piecewise(result, x, condlist, funclist):
    d[x] = rt.piecewise_adjoint(d[result], x, condlist, funclist)


@tangent(np.piecewise, source="each piece's own JVP (made by s2s), where its value is kept")
def piecewise_tangent(result, x, condlist, funclist):
    d[result] += rt.piecewise_tangent(d[x], x, condlist, funclist)


FUNCTIONAL_SECOND = "the derivative of each piece's VJP (made by s2s from the VJP it made)"


@adjoint(rt.piecewise_adjoint, structural=("condlist", "funclist"), source=FUNCTIONAL_SECOND)
def piecewise_adjoint(result, g, x, condlist, funclist):
    parts = rt.piecewise_adjoint_adjoint(d[result], g, x, condlist, funclist)
    d[g] = parts[0]
    d[x] = parts[1]


@tangent(rt.piecewise_adjoint, structural=("condlist", "funclist"), source=FUNCTIONAL_SECOND)
def piecewise_adjoint_tangent(result, g, x, condlist, funclist):
    d[result] = rt.piecewise_adjoint_tangent(d[g], d[x], g, x, condlist, funclist)


@adjoint(
    np.apply_along_axis,
    structural=("func1d", "axis"),
    source="numpy.apply_along_axis: func1d on each 1-D slice; each slice's VJP (made by s2s)",
)
def apply_along_axis(result, func1d, axis, arr):
    d[arr] = rt.apply_along_axis_adjoint(d[result], arr, func1d, axis)


@tangent(np.apply_along_axis, source="func1d's JVP (made by s2s) on each 1-D slice")
def apply_along_axis_tangent(result, func1d, axis, arr):
    d[result] += rt.apply_along_axis_tangent(d[arr], result, arr, func1d, axis)


@adjoint(
    np.apply_over_axes,
    structural=("func", "axes"),
    source="numpy.apply_over_axes: func(a, axis) chained over axes; the chain's VJPs (by s2s)",
)
def apply_over_axes(result, func, a, axes):
    d[a] = rt.apply_over_axes_adjoint(d[result], a, func, axes)


@tangent(np.apply_over_axes, source="func's JVP (made by s2s) along the chain over axes")
def apply_over_axes_tangent(result, func, a, axes):
    d[result] += rt.apply_over_axes_tangent(d[a], a, func, axes)


@adjoint(rt.apply_along_axis_adjoint, structural=("func1d", "axis"), source=FUNCTIONAL_SECOND)
def apply_along_axis_adjoint(result, g, arr, func1d, axis):
    parts = rt.apply_along_axis_adjoint_adjoint(d[result], g, arr, func1d, axis)
    d[g] = parts[0]
    d[arr] = parts[1]


@tangent(rt.apply_along_axis_adjoint, structural=("func1d", "axis"), source=FUNCTIONAL_SECOND)
def apply_along_axis_adjoint_tangent(result, g, arr, func1d, axis):
    d[result] = rt.apply_along_axis_adjoint_tangent(d[g], d[arr], g, arr, func1d, axis)


CHAIN = "the chain rule through the chain of VJPs, each differentiated again (by s2s)"


@adjoint(rt.apply_over_axes_adjoint, structural=("func", "axes"), source=CHAIN)
def apply_over_axes_adjoint(result, g, a, func, axes):
    parts = rt.apply_over_axes_adjoint_adjoint(d[result], g, a, func, axes)
    d[g] = parts[0]
    d[a] = parts[1]


@tangent(rt.apply_over_axes_adjoint, structural=("func", "axes"), source=CHAIN)
def apply_over_axes_adjoint_tangent(result, g, a, func, axes):
    d[result] = rt.apply_over_axes_adjoint_tangent(d[g], d[a], g, a, func, axes)


@adjoint(
    rt.vectorized,
    structural=("vf",),
    source="numpy.vectorize: pyfunc on each element (or core slice) of the broadcast "
    "arguments; each call's VJP (made by s2s), summed over the broadcast axes",
)
def vectorized(result, vf, /, *args):
    d[args] = rt.vectorized_grads(d[result], vf, args)


@tangent(rt.vectorized, structural=("vf",), source="each call's JVP of pyfunc (made by s2s)")
def vectorized_tangent(result, vf, /, *args):
    d[result] = rt.vectorized_tangent(result, vf, args, d[args])


SECOND = "the derivative of the elementwise VJP: each call's VJP differentiated again (by s2s)"


@adjoint(rt.vectorized_grads, structural=("vf",), source=SECOND)
def vectorized_grads(result, g, vf, args):
    parts = rt.vectorized_grads_adjoint(d[result], g, vf, args)
    d[g] = parts[0]
    d[args] = parts[1]


@tangent(rt.vectorized_grads, structural=("vf",), source=SECOND)
def vectorized_grads_tangent(result, g, vf, args):
    d[result] = rt.vectorized_grads_tangent(d[g], g, vf, args, d[args])


THIRD = (
    "the derivative of the elementwise VJP P, twice: each call's JVP of P and JVP of its VJP "
    "P2 (by s2s); <ct, T(tc, tx)> = <P2(ct), (tc, tx)>, and the Hessian of <ct, P> is symmetric"
)


@adjoint(rt.vectorized_grads_tangent, structural=("vf",), source=THIRD)
def vectorized_grads_tangent_rule(result, tg, g, vf, args, tangents):
    parts = rt.vectorized_grads_tangent_adjoint(d[result], tg, g, vf, args, tangents)
    d[tg] = parts[0]
    d[g] = parts[1]
    d[args] = parts[2]
    d[tangents] = parts[3]


@tangent(rt.vectorized_grads_tangent, structural=("vf",), source=THIRD)
def vectorized_grads_tangent_tangent(result, tg, g, vf, args, tangents):
    d[result] = rt.vectorized_grads_tangent_tangent(
        d[tg], d[g], d[args], d[tangents], tg, g, vf, args, tangents
    )


@adjoint(rt.vectorized_grads_adjoint, structural=("vf",), source=THIRD)
def vectorized_grads_adjoint_rule(result, ct, g, vf, args):
    cg = rt.dense_tangent(d[result][0], g)
    parts = rt.vectorized_grads_adjoint_adjoint(cg, d[result][1], ct, g, vf, args)
    d[ct] = parts[0]
    d[g] = parts[1]
    d[args] = parts[2]


@tangent(rt.vectorized_grads_adjoint, structural=("vf",), source=THIRD)
def vectorized_grads_adjoint_tangent(result, ct, g, vf, args):
    d[result] = rt.vectorized_grads_adjoint_tangent(d[ct], d[g], d[args], ct, g, vf, args)
