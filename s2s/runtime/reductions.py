"""Helpers for the rules of reductions: broadcasting a reduced cotangent back, ties, products."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from s2s.runtime.core import acc_dtype, dtype_of, reads_shape_only, shape_of
from s2s.runtime.namespace import HOST_TYPES, array_namespace, broadcast, is_foreign_array


def normalize_axes(axis: Any, ndim: int) -> tuple[int, ...]:
    """``axis`` of a numpy reduction as a sorted tuple of non-negative ints (``None``: all axes).

    Raises ``numpy.exceptions.AxisError`` for an axis out of range, as numpy does.
    """
    if axis is None or ndim == 0:  # numpy accepts axis=0 or -1 on a scalar: nothing to reduce
        return tuple(range(ndim))
    items = axis if isinstance(axis, (tuple, list)) else (axis,)
    return tuple(sorted(np.lib.array_utils.normalize_axis_tuple(tuple(items), ndim)))


# Up to this many entries (32 KiB of float64), a full reduction's cotangent is a filled array:
# np.broadcast_to costs several microseconds per call, which a loop of small steps feels.
_SMALL = 4096


@reads_shape_only(0)
def reduced_size(a: Any, axis: Any = None) -> int:
    """How many entries of ``a`` (an array or a recorded ``Like``) each reduced entry combines."""
    shape = shape_of(a)
    count = 1
    for i in normalize_axes(axis, len(shape)):
        count *= shape[i]
    return count


def _keepdims_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _cast(g: Any, dtype: np.dtype) -> np.ndarray:
    if type(g) not in HOST_TYPES and is_foreign_array(g):  # stays in its namespace
        return g if g.dtype == dtype else g.astype(dtype)
    g = np.asarray(g)
    return g if g.dtype == dtype else g.astype(dtype)


@reads_shape_only(1)
def expand_reduced(g: Any, a: Any, axis: Any = None, keepdims: bool = False) -> np.ndarray:
    """Reshape the cotangent of a reduction of ``a`` to its keepdims shape (reduced axes as 1).

    ``g`` has the reduction's output shape; the result broadcasts against ``a`` and keeps
    ``g``'s dtype (it may be a view of ``g``).
    """
    shape = shape_of(a)
    axes = normalize_axes(axis, len(shape))
    xp = np if type(g) is np.ndarray and type(a) is np.ndarray else array_namespace(g, a)
    if xp is np:
        return np.reshape(np.asarray(g), _keepdims_shape(shape, axes))
    g = g if is_foreign_array(g) else xp.asarray(g)  # a host scalar joins a's namespace
    return xp.reshape(g, _keepdims_shape(shape, axes))


@reads_shape_only(1)
def unreduce(g: Any, a: Any, axis: Any = None, keepdims: bool = False) -> np.ndarray:
    """Broadcast the cotangent ``g`` of a reduction of ``a`` over ``axis`` back onto ``a``.

    ``a`` may be an array or a recorded ``Like``; the result has ``a``'s shape and accumulator
    dtype and is a read-only broadcast view (borrowed). Source: the transpose of a sum is a
    broadcast.
    """
    shape = shape_of(a)
    xp = array_namespace(g, a)
    if axis is None and not keepdims:  # a full reduction: the cotangent is a scalar
        g = _cast(g, acc_dtype(dtype_of(a)))
        if xp is not np:
            return broadcast(xp, g, shape, a)
        if math.prod(shape) <= _SMALL:  # filling a small array is faster than a broadcast view
            full = np.empty(shape, g.dtype)
            full.fill(g)
            return full
        return np.broadcast_to(g, shape)
    expanded = _cast(expand_reduced(g, a, axis, keepdims), acc_dtype(dtype_of(a)))
    return broadcast(xp, expanded, shape, a)


def filled(g: Any, shape: tuple[int, ...], dtype: str) -> np.ndarray:
    """The cotangent of a full reduction of an array of ``shape`` (known at generation):
    ``g`` in every entry, as ``dtype`` (small arrays filled, large ones a broadcast view)."""
    if type(g) not in HOST_TYPES and is_foreign_array(g):  # a 0-d Dask or CuPy cotangent
        return broadcast(array_namespace(g), _cast(g, np.dtype(dtype)), shape)
    g = np.asarray(g)
    if g.dtype != dtype:
        g = g.astype(dtype)
    if math.prod(shape) <= _SMALL:
        full = np.empty(shape, g.dtype)
        full.fill(g)
        return full
    return np.broadcast_to(g, shape)


def extremum_mask(a: Any, result: Any, axis: Any = None, keepdims: bool = False) -> np.ndarray:
    """Where ``a`` attains its max/min ``result`` along ``axis`` (a boolean array of ``a``'s shape).

    A NaN ``result`` (numpy propagates NaN) marks the NaN entries. Saving this mask instead of
    ``a`` lets the primal array be freed before the adjoint sweep (DESIGN 7).
    """
    m = expand_reduced(result, a, axis, keepdims)
    xp = array_namespace(a, m)
    return xp.equal(a, m) | (xp.isnan(a) & xp.isnan(m))


def extremum_share(g: Any, mask: Any, axis: Any = None, keepdims: bool = False) -> np.ndarray:
    """The cotangent of a max/min reduction split equally among its ``k`` tied entries.

    ``mask`` is :func:`extremum_mask`; the result has its shape and ``g``'s dtype:
    ``g * mask / mask.sum(axis, keepdims=True)``. Source: DESIGN 8 (1/k at ties).
    """
    xp = array_namespace(g, mask)
    g = np.asarray(g) if xp is np or not is_foreign_array(g) else g
    dtype = g.dtype if g.dtype.kind == "f" else np.dtype(np.float64)
    axes = normalize_axes(axis, np.ndim(mask))
    count = xp.sum(mask, axis=axes, keepdims=True, dtype=dtype)
    share = expand_reduced(g, mask, axis, keepdims) / count
    return xp.where(mask, share, 0)


def exclusive_products(x: Any, axis: int = -1) -> np.ndarray:
    """``out[..., i, ...]``: the product of every entry of ``x`` along ``axis`` except the ``i``-th.

    Exact with zeros (no division): the product of an exclusive prefix and an exclusive
    suffix cumulative product. Same shape and dtype as ``x``.
    """
    xp = array_namespace(x)
    x = xp.moveaxis(x if xp is not np else np.asarray(x), axis, -1)
    if x.shape[-1] == 0:
        return xp.moveaxis(x.copy(), -1, axis)
    ones = xp.ones(x.shape[:-1] + (1,), dtype=x.dtype)
    prefix = xp.cumprod(xp.concatenate([ones, x[..., :-1]], axis=-1), axis=-1)
    suffix = xp.cumprod(xp.concatenate([ones, x[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    return xp.moveaxis(prefix * suffix, -1, axis)


def prod_adjoint(g: Any, a: Any, axis: Any = None, keepdims: bool = False) -> np.ndarray:
    """The adjoint of ``np.prod(a, axis, keepdims=keepdims)``: ``g * prod(a without a_i)``.

    Exact where ``a`` has zeros (DESIGN 8): the reduced axes are moved last and flattened, and
    :func:`exclusive_products` runs along them. Result: ``a``'s shape and accumulator dtype.
    Source: product rule.
    """
    xp = array_namespace(a)
    a = a if xp is not np else np.asarray(a)
    axes = normalize_axes(axis, a.ndim)
    kept = tuple(i for i in range(a.ndim) if i not in axes)
    moved = xp.transpose(a, kept + axes)
    flat = xp.reshape(moved, moved.shape[: len(kept)] + (math.prod(moved.shape[len(kept) :]),))
    others = xp.reshape(exclusive_products(flat, -1), moved.shape)
    others = xp.transpose(others, tuple(int(i) for i in np.argsort(kept + axes)))
    dtype = acc_dtype(a.dtype)
    return _cast(expand_reduced(g, a, axis, keepdims), dtype) * others.astype(dtype, copy=False)


def prod_second(w: Any, a: Any, axis: Any = None) -> np.ndarray:
    """``sum_{k != i} w_k prod_{j != i, k} a_j`` over the reduced axes, for each entry ``i``:
    the derivative of ``prod_adjoint``'s exclusive products along ``w`` (the matrix is
    symmetric, so it is the adjoint too). Exact with zeros: by the number of zeros along the
    reduction (0: ``P_i (S - w_i / a_i)`` with ``S = sum w_k / a_k``; 1 at ``m``: ``R S`` at
    ``m``, ``w_m R / a_i`` elsewhere; 2: the other zero's ``w`` times ``R`` at each zero; more:
    0), ``R`` the product of the nonzero entries. ``a``'s shape and accumulator dtype; numpy
    arrays only. Source: the product rule applied twice.
    """
    a = np.asarray(a)
    a = a.astype(acc_dtype(a.dtype), copy=False)
    w = np.broadcast_to(np.asarray(w, a.dtype), a.shape)
    axes = normalize_axes(axis, a.ndim)
    zero = a == 0
    safe = np.where(zero, 1, a)
    inv = np.where(zero, 0, 1 / safe)
    r = np.prod(safe, axis=axes, keepdims=True)
    zeros = np.sum(zero, axis=axes, keepdims=True)
    s = np.sum(w * inv, axis=axes, keepdims=True)
    w_zero = np.sum(np.where(zero, w, 0), axis=axes, keepdims=True)
    none = r * inv * (s - w * inv)
    one = np.where(zero, r * s, w_zero * r * inv)
    two = np.where(zero, r * (w_zero - w), 0)
    out = np.where(zeros == 0, none, np.where(zeros == 1, one, np.where(zeros == 2, two, 0)))
    return out.astype(a.dtype, copy=False)


def var_adjoint(g: Any, a: Any, axis: Any = None, ddof: Any = 0, keepdims: bool = False) -> Any:
    """The adjoint of ``np.var(a, axis, ddof=ddof, keepdims=keepdims)``.

    ``2 * g * (a - mean(a)) / (N - ddof)`` with ``N`` the reduced size; ``a``'s shape and
    accumulator dtype. The adjoint of ``std`` is this with ``g / (2 * std)``, which is IEEE
    ``inf``/``nan`` at zero variance (DESIGN 8). Source: d var = 2 (a - mean) . da / (N - ddof).
    """
    xp = array_namespace(a)
    a = a if xp is not np else np.asarray(a)
    dtype = acc_dtype(a.dtype)
    a = a.astype(dtype, copy=False) if xp is np else _cast(a, dtype)
    axes = normalize_axes(axis, a.ndim)
    centered = a - xp.mean(a, axis=axes, keepdims=True)
    scale = 2.0 / (reduced_size(a, axes) - float(ddof))  # a Python float: keeps float32
    return _cast(expand_reduced(g, a, axis, keepdims), dtype) * scale * centered


@reads_shape_only(1)
def cumsum_adjoint(g: Any, a: Any, axis: Any = None) -> np.ndarray:
    """The adjoint of ``np.cumsum(a, axis)``: a reversed cumulative sum of ``g`` along ``axis``.

    With ``axis=None`` numpy flattens ``a`` first, so the result is reshaped back. ``a`` may be
    a recorded ``Like``; the result has its shape and accumulator dtype. Source: the transpose
    of a lower-triangular matrix of ones is upper-triangular.
    """
    g = _cast(g, acc_dtype(dtype_of(a)))
    xp = array_namespace(g, a)
    step = -1 if axis is None else axis
    out = xp.flip(xp.cumsum(xp.flip(g, step), axis=step), step)
    return xp.reshape(out, shape_of(a))
