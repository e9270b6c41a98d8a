"""Helpers for the rules of quantile, percentile and their NaN-skipping forms (numpy arrays).

Every ``method=`` of ``np.quantile`` is, for a fixed order of a lane, the combination
``(1 - gamma) s[j] + gamma s[j + 1]`` of two order statistics ``s`` of that lane, where the
virtual index ``j + gamma`` depends only on the lane's count ``n``, on ``q`` and on the
method (numpy docs, Hyndman and Fan 1996). Evaluated on the sorted values ``0, 1, ..., n - 1``
that combination is the virtual index itself, so the helpers read it from numpy's own
``np.quantile(np.arange(n), q, method=...)`` and never restate a method's formula: the
discontinuous methods ('lower', 'higher', 'nearest', 'inverted_cdf', ...) give an integer index
(the derivative flows to the selected entry), the others a weight between two neighbours.
Ties follow the stable ``argsort`` (DESIGN 8).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from s2s.runtime.core import acc_dtype
from s2s.runtime.reductions import normalize_axes


def _lanes(a: Any, axis: Any) -> tuple[np.ndarray, tuple[int, ...], tuple[int, ...]]:
    """``a`` with its reduced axes moved last and flattened, and the axes kept and reduced."""
    a = np.asarray(a)
    axes = normalize_axes(axis, a.ndim)
    kept = tuple(i for i in range(a.ndim) if i not in axes)
    moved = np.transpose(a, kept + axes)
    n = math.prod(moved.shape[len(kept) :])
    return np.reshape(moved, moved.shape[: len(kept)] + (n,)), kept, axes


def _weights(flat: np.ndarray, q: Any, method: str, nan: bool):
    """Per quantile and lane: the stable order, the two ranks ``j``, ``j1`` and ``gamma``.

    Shapes: ``order`` as ``flat``; ``j``, ``j1``, ``gamma`` ``(q.size,) + lanes``. A lane
    with no entry counted (all NaN under ``nan``) gets zero weights.
    """
    q = np.reshape(np.asarray(q, dtype=np.float64), (-1,))
    order = np.argsort(flat, axis=-1, kind="stable")  # NaN last
    lanes = flat.shape[:-1]
    counts = np.sum(~np.isnan(flat), axis=-1) if nan else np.full(lanes, flat.shape[-1])
    virtual = np.zeros((q.size,) + lanes)
    for c in np.unique(counts):
        if c > 0:
            v = np.quantile(np.arange(int(c), dtype=np.float64), q, method=method)
            virtual[:, counts == c] = np.reshape(v, (-1, 1))
    j = np.floor(virtual).astype(np.intp)
    gamma = virtual - j
    alive = (counts > 0)[None]
    j1 = np.minimum(j + 1, np.maximum(counts - 1, 0)[None])
    return order, j, j1, np.where(alive, gamma, 0.0), np.where(alive, 1.0 - gamma, 0.0)


def _nan_lanes(flat: np.ndarray, nan: bool) -> np.ndarray | None:
    """Where a lane holds a NaN and the plain quantile is NaN: a mask of its NaN entries."""
    if nan:
        return None
    isnan = np.isnan(flat)
    return isnan if np.any(isnan) else None


def quantile_adjoint(
    g: Any, a: Any, q: Any, axis: Any = None, method: str = "linear", keepdims: bool = False,
    nan: bool = False,
) -> np.ndarray:  # fmt: skip
    """The adjoint of ``np.quantile(a, q, axis, method=method, keepdims=keepdims)`` in ``a``
    (of ``np.nanquantile`` with ``nan=True``): ``g`` (the result's shape, ``q``'s axes first)
    sent to the two order statistics of each lane with weights ``1 - gamma`` and ``gamma``.

    A lane holding NaN (plain quantile) has a NaN result: its cotangent is split among its
    NaN entries, as for ``median``. ``a``'s shape, accumulator dtype; one stable argsort.
    Source: numpy.quantile (the methods of Hyndman and Fan 1996).
    """
    a = np.asarray(a)
    dtype = acc_dtype(a.dtype)
    flat, kept, axes = _lanes(a, axis)
    order, j, j1, gamma, lo = _weights(flat, q, method, nan)
    lanes = flat.shape[:-1]
    gq = np.reshape(np.asarray(g, dtype=dtype), (-1,) + lanes)
    out = np.zeros(flat.shape, dtype)
    for k in range(gq.shape[0]):
        for rank, share in ((j[k], lo[k]), (j1[k], gamma[k])):
            at = np.take_along_axis(order, rank[..., None], -1)
            now = np.take_along_axis(out, at, -1)
            np.put_along_axis(out, at, now + (gq[k] * share)[..., None].astype(dtype), -1)
    isnan = _nan_lanes(flat, nan)
    if isnan is not None:
        count = np.sum(isnan, axis=-1, keepdims=True)
        spread = np.where(isnan, np.sum(gq, axis=0)[..., None] / np.maximum(count, 1), 0.0)
        out = np.where(count > 0, spread, out).astype(dtype)
    out = np.reshape(out, tuple(a.shape[i] for i in kept + axes))
    return np.transpose(out, tuple(int(i) for i in np.argsort(kept + axes)))


def quantile_tangent(
    t: Any, a: Any, q: Any, axis: Any = None, method: str = "linear", keepdims: bool = False,
    nan: bool = False,
) -> np.ndarray:  # fmt: skip
    """The tangent of ``np.quantile(a, q, ...)`` (``np.nanquantile`` with ``nan=True``) along
    ``t`` (``a``'s shape): ``(1 - gamma) t[j] + gamma t[j1]`` of the lane's stably sorted
    tangents; the mean tangent of a lane's NaN entries where the plain quantile is NaN.
    The result's shape (``q``'s axes first, then the kept or keepdims axes).
    Source: numpy.quantile (the methods of Hyndman and Fan 1996).
    """
    a = np.asarray(a)
    dtype = acc_dtype(np.result_type(a.dtype, np.asarray(t).dtype))
    flat, kept, axes = _lanes(a, axis)
    tflat, _, _ = _lanes(np.broadcast_to(np.asarray(t, dtype=dtype), a.shape), axis)
    order, j, j1, gamma, lo = _weights(flat, q, method, nan)
    ts = np.take_along_axis(tflat, order, -1)
    tq = [
        lo[k] * np.take_along_axis(ts, j[k][..., None], -1)[..., 0]
        + gamma[k] * np.take_along_axis(ts, j1[k][..., None], -1)[..., 0]
        for k in range(j.shape[0])
    ]
    out = np.stack(tq).astype(dtype) if tq else np.zeros((0,) + flat.shape[:-1], dtype)
    isnan = _nan_lanes(flat, nan)
    if isnan is not None:
        count = np.sum(isnan, axis=-1)
        mean = np.sum(np.where(isnan, tflat, 0.0), axis=-1) / np.maximum(count, 1)
        out = np.where(count > 0, mean, out).astype(dtype)
    shape = tuple(1 if i in axes else n for i, n in enumerate(a.shape)) if keepdims else None
    shape = shape if shape is not None else tuple(a.shape[i] for i in kept)
    return np.reshape(out, np.shape(q) + shape)
