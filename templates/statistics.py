"""Reductions that skip NaN, the peak-to-peak range and numpy 2's cumulative sum and product."""

import numpy as np

import s2s.runtime as rt
from s2s.registry import FLOAT, REDUCTION, Facts, adjoint, d, linear, tangent

REDUCES = Facts(shape=REDUCTION)  # the result has the shape of `a` without `axis`

# The nan* reductions are the plain ones over the entries that are not NaN (numpy docs): the
# cotangent of a NaN entry is 0, and so is its tangent's contribution.


@adjoint(np.nansum, structural=("axis", "keepdims"), source="numpy.nansum", facts=REDUCES)
def nansum(result, a, axis=None, *, keepdims=False):
    d[a] = np.where(np.isnan(a), 0.0, rt.unreduce(d[result], a, axis, keepdims))


@tangent(np.nansum, source="numpy.nansum: the sum of the tangents of the entries not NaN")
def nansum_tangent(result, a, axis=None, *, keepdims=False):
    d[result] += np.sum(np.where(np.isnan(a), 0.0, d[a]), axis=axis, keepdims=keepdims)


@adjoint(
    np.nanmean,
    structural=("axis", "keepdims"),
    source="numpy.nanmean = nansum / (number of entries not NaN)",
    facts=Facts(shape=REDUCTION, dtype=FLOAT),
)
def nanmean(result, a, axis=None, *, keepdims=False):
    kept = ~np.isnan(a)
    g = rt.unreduce(d[result], a, axis, keepdims)
    d[a] = np.where(kept, g, 0.0) / np.sum(kept, axis=axis, keepdims=True).astype(g.dtype)


@tangent(np.nanmean, source="numpy.nanmean: the mean of the tangents of the entries not NaN")
def nanmean_tangent(result, a, axis=None, *, keepdims=False):
    kept = ~np.isnan(a)
    t = np.sum(np.where(kept, d[a], 0.0), axis=axis, keepdims=keepdims)
    d[result] += t / np.sum(kept, axis=axis, keepdims=keepdims).astype(t.dtype)


@adjoint(
    np.nanmax,
    structural=("axis", "keepdims"),
    source="as numpy.max over the entries not NaN; ties split 1/k (DESIGN 8)",
    facts=REDUCES,
)
@adjoint(
    np.nanmin,
    structural=("axis", "keepdims"),
    source="as numpy.min over the entries not NaN; ties split 1/k (DESIGN 8)",
    facts=REDUCES,
)
def nanextremum(result, a, axis=None, *, keepdims=False):
    mask = rt.extremum_mask(a, result, axis, keepdims)
    d[a] = rt.extremum_share(d[result], mask, axis, keepdims)


@tangent(np.nanmax, source="DESIGN 8: the mean tangent of the k tied maxima not NaN")
@tangent(np.nanmin, source="DESIGN 8: the mean tangent of the k tied minima not NaN")
def nanextremum_tangent(result, a, axis=None, *, keepdims=False):
    mask = rt.extremum_mask(a, result, axis, keepdims)
    d[result] += rt.extremum_tangent(d[a], mask, axis, keepdims)


@adjoint(
    np.ptp,
    structural=("axis", "keepdims"),
    source="numpy.ptp = max - min; ties split 1/k (DESIGN 8)",
    facts=REDUCES,
)
def ptp(result, a, axis=None, keepdims=False):
    top = rt.extremum_mask(a, np.max(a, axis=axis, keepdims=keepdims), axis, keepdims)
    low = rt.extremum_mask(a, np.min(a, axis=axis, keepdims=keepdims), axis, keepdims)
    g = d[result]
    d[a] = rt.extremum_share(g, top, axis, keepdims) - rt.extremum_share(g, low, axis, keepdims)


@tangent(np.ptp, source="numpy.ptp = max - min: the tangent of the maximum minus the minimum's")
def ptp_tangent(result, a, axis=None, keepdims=False):
    top = rt.extremum_mask(a, np.max(a, axis=axis, keepdims=keepdims), axis, keepdims)
    low = rt.extremum_mask(a, np.min(a, axis=axis, keepdims=keepdims), axis, keepdims)
    t = d[a]
    d[result] += rt.extremum_tangent(t, top, axis, keepdims) - rt.extremum_tangent(
        t, low, axis, keepdims
    )


@linear(
    np.cumulative_sum,
    structural=("axis",),
    carries_masks=False,
    source="numpy.cumulative_sum (include_initial=False): as numpy.cumsum, a reversed cumsum",
)
def cumulative_sum(result, x, /, *, axis=None):
    d[x] = rt.cumsum_adjoint(d[result], x, axis)


@adjoint(
    np.cumulative_prod,
    structural=("axis", "dtype", "include_initial"),
    source="numpy.cumulative_prod: as numpy.cumprod (product rule, exact with zeros), the "
    "initial 1 constant",
)
def cumulative_prod(result, x, /, *, axis=None, dtype=None, include_initial=False):
    d[x] = rt.cumprod_adjoint(rt.initial_dropped(d[result], axis, include_initial), x, axis)


@linear(rt.initial_dropped, structural=("axis", "include_initial"), source="a slice (the scan "
        "without its initial entry); transpose: a zero put back first")  # fmt: skip
def initial_dropped(result, g, axis=None, include_initial=False):
    d[g] = rt.initial_padded(d[result], axis, include_initial)


@linear(rt.initial_padded, structural=("axis", "include_initial"), source="a zero put first; "
        "transpose: the slice without it")  # fmt: skip
def initial_padded(result, t, axis=None, include_initial=False):
    d[t] = rt.initial_dropped(d[result], axis, include_initial)


@tangent(np.cumulative_prod, source="numpy.cumulative_prod: the cumprod recurrence")
def cumulative_prod_tangent(result, x, /, *, axis=None, dtype=None, include_initial=False):
    d[result] += rt.initial_padded(rt.cumprod_tangent(d[x], x, axis), axis, include_initial)
