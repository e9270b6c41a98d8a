"""Reductions (sum, mean, prod, max, min, var, std) and cumulative sums."""

import numpy as np

import s2s.runtime as rt
from s2s.registry import FLOAT, REDUCTION, Facts, adjoint, d, linear, tangent

# `axis` is None, an int (negative allowed) or a tuple; `keepdims` defaults to False as in
# numpy. Parameters numpy places after `out` (unsupported) are keyword-only here, so a
# positional `out` cannot bind to them.

REDUCE = ("axis", "dtype", "keepdims")
REDUCES = Facts(shape=REDUCTION)  # the result has the shape of `a` without `axis`


@linear(
    np.sum,
    structural=REDUCE,
    carries_masks=False,
    source="numpy.sum; the transpose of a sum is a broadcast",
    facts=Facts(shape=REDUCTION, total=True),
)
def sum(result, a, axis=None, dtype=None, *, keepdims=False):
    d[a] = rt.unreduce(d[result], a, axis, keepdims)


@linear(
    np.mean,
    structural=REDUCE,
    carries_masks=False,
    source="numpy.mean = sum / N; transpose of a sum",
    facts=Facts(shape=REDUCTION, dtype=FLOAT, total=True),
)
def mean(result, a, axis=None, dtype=None, *, keepdims=False):
    d[a] = rt.unreduce(d[result] / rt.reduced_size(a, axis), a, axis, keepdims)


@adjoint(
    np.prod, structural=REDUCE, source="product rule; exact with zeros (DESIGN 8)", facts=REDUCES
)
def prod(result, a, axis=None, dtype=None, *, keepdims=False):
    d[a] = rt.prod_adjoint(d[result], a, axis, keepdims)


@tangent(np.prod, source="product rule: sum_i da_i prod_{j != i} a_j, exact with zeros")
def prod_tangent(result, a, axis=None, dtype=None, *, keepdims=False):
    d[result] += rt.prod_tangent(d[a], a, result, axis, keepdims)


TIES = "DESIGN 8: ties split 1/k, NaN wins"
EXTREMUM = ("axis", "keepdims")


@adjoint(np.amax, structural=EXTREMUM, source=TIES, facts=REDUCES)
@adjoint(np.max, structural=EXTREMUM, source=TIES, facts=REDUCES)
@adjoint(np.amin, structural=EXTREMUM, source=TIES, facts=REDUCES)
@adjoint(np.min, structural=EXTREMUM, source=TIES, facts=REDUCES)
def extremum(result, a, axis=None, *, keepdims=False):
    mask = rt.extremum_mask(a, result, axis, keepdims)
    d[a] = rt.extremum_share(d[result], mask, axis, keepdims)


@tangent(np.amax, source="DESIGN 8: the mean tangent of the k tied maxima")
@tangent(np.max, source="DESIGN 8: the mean tangent of the k tied maxima")
@tangent(np.amin, source="DESIGN 8: the mean tangent of the k tied minima")
@tangent(np.min, source="DESIGN 8: the mean tangent of the k tied minima")
def extremum_tangent(result, a, axis=None, *, keepdims=False):
    mask = rt.extremum_mask(a, result, axis, keepdims)
    d[result] += rt.extremum_tangent(d[a], mask, axis, keepdims)


@adjoint(
    np.var,
    structural=REDUCE + ("ddof",),
    source="d var = 2 (a - mean) da / (N - ddof)",
    facts=REDUCES,
)
def var(result, a, axis=None, dtype=None, *, ddof=0, keepdims=False):
    d[a] = rt.var_adjoint(d[result], a, axis, ddof, keepdims)


@tangent(np.var, source="d var = 2 sum((a - mean) da) / (N - ddof)")
def var_tangent(result, a, axis=None, dtype=None, *, ddof=0, keepdims=False):
    d[result] += rt.var_tangent(d[a], a, axis, ddof, keepdims)


@adjoint(
    np.std,
    structural=REDUCE + ("ddof",),
    source="d std = d var / (2 std); IEEE at std 0 (0 over one entry: std is constant there)",
    facts=REDUCES,
)
def std(result, a, axis=None, dtype=None, *, ddof=0, keepdims=False):
    # over one entry std is identically 0: the denominator's `+ 1` keeps its gradient 0, not
    # 0 / 0 (elsewhere zero variance gives IEEE inf/nan, which the NaN check locates)
    single = rt.reduced_size(a, axis) == 1
    d[a] = rt.var_adjoint(d[result] / (2 * result + single), a, axis, ddof, keepdims)


@tangent(np.std, source="d std = d var / (2 std); IEEE at std 0")
def std_tangent(result, a, axis=None, dtype=None, *, ddof=0, keepdims=False):
    single = rt.reduced_size(a, axis) == 1  # std of one entry: a constant 0, tangent 0
    d[result] += rt.var_tangent(d[a], a, axis, ddof, keepdims) / (2 * result + single)


@linear(
    np.cumsum,
    carries_masks=False,
    structural=("axis", "dtype"),
    source="numpy.cumsum; transpose: reversed cumsum",
)
def cumsum(result, a, axis=None, dtype=None):
    d[a] = rt.cumsum_adjoint(d[result], a, axis)
