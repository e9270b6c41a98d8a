"""Helpers for the rules of sort, median, unique and cumprod: permutations, ties and scans."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from s2s.runtime.core import acc_dtype
from s2s.runtime.reductions import normalize_axes


def _cast(x: Any, dtype: np.dtype) -> np.ndarray:
    x = np.asarray(x)
    return x if x.dtype == dtype else x.astype(dtype)


def sort_adjoint(g: Any, a: Any, axis: Any = -1) -> np.ndarray:
    """The adjoint of ``np.sort(a, axis)``: ``g`` scattered back through the sorting permutation.

    The permutation is the stable ``argsort`` (DESIGN 8), so of tied entries the first in
    ``a`` gets the first of their sorted slots; NaNs sort last, as numpy sorts them.
    ``axis=None`` sorts the flattened array. Costs one more O(n log n) argsort.
    Source: numpy.sort; a permutation's transpose is its inverse.
    """
    a = np.asarray(a)
    dtype = acc_dtype(a.dtype)
    g = _cast(g, dtype)
    out = np.empty(a.shape, dtype)
    if axis is None:
        out.reshape(-1)[np.argsort(a, axis=None, kind="stable")] = g
        return out
    np.put_along_axis(out, np.argsort(a, axis=axis, kind="stable"), g, axis)
    return out


def median_adjoint(g: Any, a: Any, axis: Any = None, keepdims: bool = False) -> np.ndarray:
    """The adjoint of ``np.median(a, axis, keepdims=keepdims)``.

    The reduced axes are moved last and flattened; the middle entry of the stable ``argsort``
    gets ``g``, or each of the two middle entries ``g / 2`` for an even count (DESIGN 8:
    follow the stable permutation). Where the lane holds a NaN the median is NaN and the
    cotangent is split among the NaN entries, as for ``max``. ``a``'s shape and accumulator
    dtype; one O(n log n) argsort. Source: numpy.median.
    """
    a = np.asarray(a)
    dtype = acc_dtype(a.dtype)
    axes = normalize_axes(axis, a.ndim)
    kept = tuple(i for i in range(a.ndim) if i not in axes)
    moved = np.transpose(a, kept + axes)
    n = math.prod(moved.shape[len(kept) :])
    flat = np.reshape(moved, moved.shape[: len(kept)] + (n,))
    gk = np.reshape(_cast(g, dtype), flat.shape[:-1] + (1,))
    order = np.argsort(flat, axis=-1, kind="stable")
    lo, hi = (n - 1) // 2, n // 2
    out = np.zeros(flat.shape, dtype)
    share = gk if lo == hi else gk * 0.5
    np.put_along_axis(out, order[..., lo : lo + 1], share, -1)
    if hi != lo:
        np.put_along_axis(out, order[..., hi : hi + 1], share, -1)
    nan = np.isnan(flat)
    if np.any(nan):
        count = np.sum(nan, axis=-1, keepdims=True, dtype=dtype)
        out = np.where(count > 0, np.where(nan, gk / np.maximum(count, 1), 0), out)
    out = np.reshape(out, moved.shape)
    return np.transpose(out, np.argsort(kept + axes))


def unique_adjoint(
    g: Any, ar: Any, axis: Any = None, equal_nan: bool = True, sorted: bool = True
) -> np.ndarray:
    """The adjoint of the values ``np.unique(ar, axis=axis)``: each value's cotangent split
    equally among its ``k`` occurrences.

    So the occurrences' gradients sum to the value's (the derivative exists along directions
    that move all occurrences together); ``g / k`` is the minimum-norm choice, as for tied
    maxima (DESIGN 8). ``ar``'s shape and accumulator dtype; one more ``np.unique`` call.
    Source: numpy.unique (``return_inverse``, ``return_counts``).
    """
    ar = np.asarray(ar)
    dtype = acc_dtype(ar.dtype)
    _, inverse, counts = np.unique(
        ar, return_inverse=True, return_counts=True, axis=axis, equal_nan=equal_nan, sorted=sorted
    )
    inverse = np.reshape(inverse, -1)
    g = _cast(g, dtype)
    if axis is None:
        return np.reshape((g / counts.astype(dtype))[inverse], ar.shape)
    axis = normalize_axes(axis, ar.ndim)[0]
    counts = np.reshape(counts.astype(dtype), (-1,) + (1,) * (ar.ndim - axis - 1))
    return np.take(g / counts, inverse, axis=axis)


def cumprod_adjoint(g: Any, a: Any, axis: Any = None) -> np.ndarray:
    """The adjoint of ``np.cumprod(a, axis)``, exact with zeros and without division.

    ``da_j = P_j S_j`` with ``P_j`` the product of the entries before ``j`` (an exclusive
    cumulative product) and ``S_j = g_j + a_{j+1} S_{j+1}``, a linear recurrence solved by
    recursive doubling: ceil(log2 n) vectorized passes, O(n log n) multiplications and about
    four temporaries of ``a``'s size (no O(n^2) product matrix). ``axis=None`` works on the
    flattened array. ``a``'s shape and accumulator dtype. Source: product rule; Hillis and
    Steele 1986 for the doubling scan.
    """
    a = np.asarray(a)
    dtype = acc_dtype(a.dtype)
    x = _cast(a, dtype).reshape(-1) if axis is None else np.moveaxis(_cast(a, dtype), axis, -1)
    n = x.shape[-1]
    s = _cast(g, dtype).reshape(x.shape) if axis is None else np.moveaxis(_cast(g, dtype), axis, -1)
    s = s.copy()
    if n == 0:
        return np.reshape(s, a.shape) if axis is None else np.moveaxis(s, -1, axis)
    factor = np.zeros(x.shape, dtype)  # S_j = s_j + factor_j S_{j+step}
    factor[..., :-1] = x[..., 1:]
    step = 1
    while step < n:
        s[..., :-step] += factor[..., :-step] * s[..., step:]
        factor[..., :-step] *= factor[..., step:]
        step *= 2
    prefix = np.ones(x.shape, dtype)
    np.cumprod(x[..., :-1], axis=-1, out=prefix[..., 1:])
    out = prefix * s
    return np.reshape(out, a.shape) if axis is None else np.moveaxis(out, -1, axis)
