"""The NaN-skipping variance, standard deviation, product and cumulative sum and product.

Each is its plain function over the entries that are not NaN (numpy docs): a NaN entry's
cotangent is 0, and so is its tangent's contribution. The rules fill NaN with the operation's
neutral value (0 for sums, 1 for products) and mask the plain rule's adjoint.
"""

import numpy as np

import s2s.runtime as rt
from s2s.registry import FLOAT, REDUCTION, Facts, adjoint, d, tangent

REDUCES = Facts(shape=REDUCTION)
VAR = ("axis", "dtype", "ddof", "keepdims")


@adjoint(
    np.nanvar,
    structural=VAR,
    source="numpy.nanvar: d var = 2 (a - mean) da / (N - ddof) over the entries not NaN",
    facts=Facts(shape=REDUCTION, dtype=FLOAT),
)
def nanvar(result, a, axis=None, dtype=None, *, ddof=0, keepdims=False):
    kept = ~np.isnan(a)
    count = np.sum(kept, axis=axis, keepdims=True)
    centered = np.where(kept, a - np.nanmean(a, axis=axis, keepdims=True), 0.0)
    g = rt.unreduce(d[result], a, axis, keepdims)
    d[a] = 2.0 * g * centered / (count - ddof).astype(centered.dtype)


@tangent(np.nanvar, source="numpy.nanvar: 2 sum((a - mean) da) / (N - ddof), NaN skipped")
def nanvar_tangent(result, a, axis=None, dtype=None, *, ddof=0, keepdims=False):
    kept = ~np.isnan(a)
    count = np.sum(kept, axis=axis, keepdims=keepdims)
    centered = np.where(kept, a - np.nanmean(a, axis=axis, keepdims=True), 0.0)
    total = np.sum(centered * np.where(kept, d[a], 0.0), axis=axis, keepdims=keepdims)
    d[result] += 2.0 * total / (count - ddof).astype(centered.dtype)


@adjoint(
    np.nanstd,
    structural=VAR,
    source="numpy.nanstd = sqrt(nanvar): d std = d var / (2 std)",
    facts=Facts(shape=REDUCTION, dtype=FLOAT),
)
def nanstd(result, a, axis=None, dtype=None, *, ddof=0, keepdims=False):
    kept = ~np.isnan(a)
    count = np.sum(kept, axis=axis, keepdims=True)
    centered = np.where(kept, a - np.nanmean(a, axis=axis, keepdims=True), 0.0)
    g = rt.unreduce(d[result] / result, a, axis, keepdims)
    d[a] = g * centered / (count - ddof).astype(centered.dtype)


@tangent(np.nanstd, source="numpy.nanstd: sum((a - mean) da) / ((N - ddof) std), NaN skipped")
def nanstd_tangent(result, a, axis=None, dtype=None, *, ddof=0, keepdims=False):
    kept = ~np.isnan(a)
    count = np.sum(kept, axis=axis, keepdims=keepdims)
    centered = np.where(kept, a - np.nanmean(a, axis=axis, keepdims=True), 0.0)
    total = np.sum(centered * np.where(kept, d[a], 0.0), axis=axis, keepdims=keepdims)
    d[result] += total / (count - ddof).astype(centered.dtype) / result


@adjoint(
    np.nanprod,
    structural=("axis", "dtype", "keepdims"),
    source="numpy.nanprod = prod with NaN as 1; product rule, exact with zeros",
    facts=REDUCES,
)
def nanprod(result, a, axis=None, dtype=None, *, keepdims=False):
    filled = np.where(np.isnan(a), 1.0, a)
    d[a] = np.where(np.isnan(a), 0.0, rt.prod_adjoint(d[result], filled, axis, keepdims))


@tangent(np.nanprod, source="numpy.nanprod: the product rule over the entries not NaN")
def nanprod_tangent(result, a, axis=None, dtype=None, *, keepdims=False):
    filled = np.where(np.isnan(a), 1.0, a)
    t = np.where(np.isnan(a), 0.0, d[a])
    d[result] += rt.prod_tangent(t, filled, result, axis, keepdims)


@adjoint(
    np.nancumsum,
    structural=("axis", "dtype"),
    source="numpy.nancumsum = cumsum with NaN as 0; transpose: reversed cumsum",
)
def nancumsum(result, a, axis=None, dtype=None):
    d[a] = np.where(np.isnan(a), 0.0, rt.cumsum_adjoint(d[result], a, axis))


@tangent(np.nancumsum, source="numpy.nancumsum: the cumsum of the tangents not NaN")
def nancumsum_tangent(result, a, axis=None, dtype=None):
    d[result] += np.cumsum(np.where(np.isnan(a), 0.0, d[a]), axis=axis)


@adjoint(
    np.nancumprod,
    structural=("axis", "dtype"),
    source="numpy.nancumprod = cumprod with NaN as 1; product rule, exact with zeros",
)
def nancumprod(result, a, axis=None, dtype=None):
    filled = np.where(np.isnan(a), 1.0, a)
    d[a] = np.where(np.isnan(a), 0.0, rt.cumprod_adjoint(d[result], filled, axis))


@tangent(np.nancumprod, source="numpy.nancumprod: the cumprod recurrence, NaN as 1")
def nancumprod_tangent(result, a, axis=None, dtype=None):
    filled = np.where(np.isnan(a), 1.0, a)
    d[result] += rt.cumprod_tangent(np.where(np.isnan(a), 0.0, d[a]), filled, axis)


@adjoint(
    np.average,
    structural=("axis", "keepdims"),
    source="numpy.average = sum(w a) / sum(w): d/da = w / sum(w), d/dw = (a - avg) / sum(w)",
    facts=Facts(shape=REDUCTION, dtype=FLOAT),
)
def average(result, a, axis=None, weights=None, *, keepdims=False):
    w = rt.average_weights(a, axis, weights) * np.ones_like(a)
    total = np.sum(w, axis=axis, keepdims=True)
    g = rt.unreduce(d[result], a, axis, keepdims) / total
    d[a] = g * w
    spread = g * (a - np.sum(w * a, axis=axis, keepdims=True) / total)
    d[weights] = np.reshape(
        rt.unbroadcast(spread, rt.average_weights(a, axis, weights)), rt.shape_of(weights)
    )


@tangent(np.average, source="numpy.average: (sum(w da) + sum((a - avg) dw)) / sum(w)")
def average_tangent(result, a, axis=None, weights=None, *, keepdims=False):
    w = rt.average_weights(a, axis, weights) * np.ones_like(a)
    total = np.sum(w, axis=axis, keepdims=keepdims)
    centered = a - np.sum(w * a, axis=axis, keepdims=True) / np.sum(w, axis=axis, keepdims=True)
    d[result] += np.sum(w * d[a], axis=axis, keepdims=keepdims) / total
    dw = rt.average_weights(a, axis, d[weights])
    d[result] += np.sum(centered * dw, axis=axis, keepdims=keepdims) / total
