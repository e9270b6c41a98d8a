"""Helpers for the rules of sort, median, unique and cumprod: permutations, ties and scans."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from s2s.runtime.core import acc_dtype
from s2s.runtime.namespace import array_namespace, functional, is_foreign_array, zeros
from s2s.runtime.reductions import normalize_axes


def _cast(x: Any, dtype: np.dtype) -> np.ndarray:
    x = _array(x)
    return x if x.dtype == dtype else x.astype(dtype)


def _array(x: Any) -> Any:
    """``x`` as an array of its own library: a Python or numpy scalar (a taped scalar) becomes
    a 0-d numpy array, so the rules read ``.dtype`` and ``.ndim`` of any input."""
    return x if is_foreign_array(x) else np.asarray(x)


def sort_adjoint(g: Any, a: Any, axis: Any = -1) -> np.ndarray:
    """The adjoint of ``np.sort(a, axis)``: ``g`` scattered back through the sorting permutation.

    The permutation is the stable ``argsort`` (DESIGN 8), so of tied entries the first in
    ``a`` gets the first of their sorted slots; NaNs sort last, as numpy sorts them.
    ``axis=None`` sorts the flattened array. Costs one more O(n log n) argsort.
    Source: numpy.sort; a permutation's transpose is its inverse.
    """
    xp = array_namespace(a)
    a = _array(a)
    dtype = acc_dtype(a.dtype)
    g = _cast(g, dtype)
    out = xp.empty(a.shape, dtype)
    if axis is None:
        out.reshape(-1)[_argsort(xp, a, None)] = g
        return out
    xp.put_along_axis(out, _argsort(xp, a, axis), g, axis)
    return out


def _argsort(xp: Any, a: Any, axis: Any) -> Any:
    """The stable ``argsort`` (CuPy's sort is stable and takes no ``kind``)."""
    if xp is np:
        return np.argsort(a, axis=axis, kind="stable")
    return xp.argsort(a, axis=axis)


def median_adjoint(g: Any, a: Any, axis: Any = None, keepdims: bool = False) -> np.ndarray:
    """The adjoint of ``np.median(a, axis, keepdims=keepdims)``.

    The reduced axes are moved last and flattened; the middle entry of the stable ``argsort``
    gets ``g``, or each of the two middle entries ``g / 2`` for an even count (DESIGN 8:
    follow the stable permutation). Where the lane holds a NaN the median is NaN and the
    cotangent is split among the NaN entries, as for ``max``. ``a``'s shape and accumulator
    dtype; one O(n log n) argsort. Source: numpy.median.
    """
    xp = array_namespace(a)
    a = _array(a)
    dtype = acc_dtype(a.dtype)
    axes = normalize_axes(axis, a.ndim)
    kept = tuple(i for i in range(a.ndim) if i not in axes)
    moved = xp.transpose(a, kept + axes)
    n = math.prod(moved.shape[len(kept) :])
    flat = xp.reshape(moved, moved.shape[: len(kept)] + (n,))
    g = g if xp is np or is_foreign_array(g) else xp.asarray(g)  # a host scalar joins a's
    gk = xp.reshape(_cast(g, dtype), flat.shape[:-1] + (1,))
    order = _argsort(xp, flat, -1)
    lo, hi = (n - 1) // 2, n // 2
    out = zeros(xp, flat.shape, dtype)
    share = gk if lo == hi else gk * 0.5
    xp.put_along_axis(out, order[..., lo : lo + 1], share, -1)
    if hi != lo:
        xp.put_along_axis(out, order[..., hi : hi + 1], share, -1)
    nan = xp.isnan(flat)
    if xp is not np or np.any(nan):  # elsewhere no host test: both arms, selected per lane
        count = xp.sum(nan, axis=-1, keepdims=True, dtype=dtype)
        out = xp.where(count > 0, xp.where(nan, gk / xp.maximum(count, 1), 0), out)
    out = xp.reshape(out, moved.shape)
    return xp.transpose(out, tuple(int(i) for i in np.argsort(kept + axes)))


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
    xp = array_namespace(ar)
    ar = _array(ar)
    dtype = acc_dtype(ar.dtype)
    options = {"sorted": sorted} if xp is np or not sorted else {}  # CuPy's is always sorted
    _, inverse, counts = xp.unique(
        ar, return_inverse=True, return_counts=True, axis=axis, equal_nan=equal_nan, **options
    )
    inverse = xp.reshape(inverse, (-1,))
    g = _cast(g, dtype)
    if axis is None:
        return xp.reshape((g / counts.astype(dtype))[inverse], ar.shape)
    axis = normalize_axes(axis, ar.ndim)[0]
    counts = xp.reshape(counts.astype(dtype), (-1,) + (1,) * (ar.ndim - axis - 1))
    return xp.take(g / counts, inverse, axis=axis)


def cumprod_adjoint(g: Any, a: Any, axis: Any = None) -> np.ndarray:
    """The adjoint of ``np.cumprod(a, axis)``, exact with zeros and without division.

    ``da_j = P_j S_j`` with ``P_j`` the product of the entries before ``j`` (an exclusive
    cumulative product) and ``S_j = g_j + a_{j+1} S_{j+1}``, a linear recurrence solved by
    recursive doubling: ceil(log2 n) vectorized passes, O(n log n) multiplications and about
    four temporaries of ``a``'s size (no O(n^2) product matrix). ``axis=None`` works on the
    flattened array. ``a``'s shape and accumulator dtype. Source: product rule; Hillis and
    Steele 1986 for the doubling scan.
    """
    xp = array_namespace(a)
    a = _array(a)
    if a.ndim == 0:  # numpy scans a 0-d array along any axis as one entry: the flat scan
        axis = None
    dtype = acc_dtype(a.dtype)
    x = _cast(a, dtype).reshape(-1) if axis is None else xp.moveaxis(_cast(a, dtype), axis, -1)
    n = x.shape[-1]
    s = _cast(g, dtype).reshape(x.shape) if axis is None else xp.moveaxis(_cast(g, dtype), axis, -1)
    s = s.copy()
    if n == 0:
        return xp.reshape(s, a.shape) if axis is None else xp.moveaxis(s, -1, axis)
    if functional(xp):  # Dask: shifts by concatenation instead of writes into slices
        return _cumprod_adjoint_functional(xp, x, s, a.shape, axis, dtype)
    factor = xp.zeros(x.shape, dtype)  # S_j = s_j + factor_j S_{j+step}
    factor[..., :-1] = x[..., 1:]
    step = 1
    while step < n:
        s[..., :-step] += factor[..., :-step] * s[..., step:]
        factor[..., :-step] *= factor[..., step:]
        step *= 2
    prefix = xp.ones(x.shape, dtype)
    if xp is np:
        np.cumprod(x[..., :-1], axis=-1, out=prefix[..., 1:])
    else:  # no out= into a foreign array
        prefix[..., 1:] = xp.cumprod(x[..., :-1], axis=-1)
    out = prefix * s
    return xp.reshape(out, a.shape) if axis is None else xp.moveaxis(out, -1, axis)


def _shifted(xp: Any, v: Any, step: int, fill: float) -> Any:
    # v moved ``step`` places towards the start of its last axis, ``fill`` entering at the end
    pad = xp.full(v.shape[:-1] + (min(step, v.shape[-1]),), fill, dtype=v.dtype)
    return xp.concatenate([v[..., step:], pad], axis=-1)


def _cumprod_adjoint_functional(xp, x, s, shape, axis, dtype):
    # the recursive doubling of cumprod_adjoint, each step a new array
    n = x.shape[-1]
    factor = _shifted(xp, x, 1, 0.0)
    step = 1
    while step < n:
        s = s + factor * _shifted(xp, s, step, 0.0)
        factor = factor * _shifted(xp, factor, step, 0.0)
        step *= 2
    ones = xp.ones(x.shape[:-1] + (1,), dtype=dtype)
    prefix = xp.concatenate([ones, xp.cumprod(x[..., :-1], axis=-1)], axis=-1)
    out = prefix * s
    return xp.reshape(out, shape) if axis is None else xp.moveaxis(out, -1, axis)
