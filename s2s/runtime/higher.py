"""Helpers for the rules of the runtime helpers themselves, so that derivatives differentiate.

Generated derivative code calls the runtime (``unbroadcast``, ``filled``, ``scatter``, ...);
differentiating that code again (higher order) needs each helper's adjoint, and these are the
transposes the rules in ``templates/runtime.py`` use. Each returns its input's shape in the
tangent (accumulator) dtype.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from s2s.runtime.core import Like, acc_dtype, dtype_of, shape_of, unbroadcast
from s2s.runtime.reductions import normalize_axes
from s2s.runtime.shapes import literal_shape


def rebroadcast(ct: Any, g: Any) -> Any:
    """The transpose of ``unbroadcast(g, ref)`` applied to ``ct`` (``ref``'s shape): ``ct``
    broadcast back onto ``g``'s shape (summed where ``g`` was smaller), in ``g``'s dtype."""
    if ct is None or g is None:
        return None
    if type(ct) is list and type(g) in (list, tuple) and len(ct) == len(g):
        # a list's cotangent (one part per item), as ``unbroadcast`` projects it item by item
        return [rebroadcast(c, r) for c, r in zip(ct, g)]
    shape = shape_of(g) if isinstance(g, (np.ndarray, Like)) else np.shape(g)
    try:
        out = np.broadcast_to(ct, shape)
    except ValueError:
        return unbroadcast(ct, g)
    dtype = acc_dtype(dtype_of(g))
    if out.dtype.kind == "c" and dtype.kind != "c":  # a real value's cotangent: its real part
        out = out.real
    if out.dtype != dtype:
        out = out.astype(dtype)
    return out if shape else dtype.type(out)


def rearray(parts: Any, g: Any, a: Any, result: Any = None) -> Any:
    """The transpose of ``unarray(g, a, result)`` applied to ``parts``: ``g``'s shape, in its
    accumulator dtype. For a literal list or tuple ``a`` (``np.array([x, y])``) ``parts`` is
    one cotangent per item (``None`` for an item without one), stacked back item by item;
    otherwise ``parts`` is broadcast back onto ``g`` (:func:`rebroadcast`). Zeros where
    ``result`` is not float (``unarray`` gave zeros there)."""
    shape = shape_of(g) if isinstance(g, (np.ndarray, Like)) else np.shape(g)
    dtype = acc_dtype(dtype_of(g))
    if parts is None or (result is not None and dtype_of(result).kind not in "fc"):
        return np.zeros(shape, dtype) if shape else dtype.type(0)
    if isinstance(a, (list, tuple)) and type(a) is not Like:
        ref = Like(np.broadcast_shapes(*(literal_shape(x) for x in a)), dtype)
        pieces = [rearray(p, ref, x) for p, x in zip(parts, a, strict=True)]
        return np.reshape(np.stack(pieces), shape).astype(dtype, copy=False)
    return rebroadcast(parts, g)


def add_part(ct: Any, part: Any) -> Any:
    """The transpose of ``add(total, part)`` for one operand: ``ct`` onto ``part``'s shape,
    ``None`` for an operand that was ``None`` (a symbolic zero)."""
    if part is None or ct is None:
        return None
    return unbroadcast(ct, part)


def put_last(ct: Any, cotangent: list) -> list:
    """The transpose of ``last_item(cotangent)``: a list of ``cotangent``'s length, ``ct`` last
    and ``None`` (no cotangent) before it."""
    return [None] * (len(cotangent) - 1) + [ct]


def put_all_but_last(ct: list, cotangent: list) -> list:
    """The transpose of ``without_last(cotangent)``: ``ct``'s parts, then ``None`` for the last
    item."""
    return list(ct) + [None] if ct is not None else [None] * len(cotangent)


def put_item(ct: Any, j: int, parts: Any) -> Any:
    """The transpose of ``item_of(parts, j)``: a list of ``parts``' length with ``ct`` at
    ``j`` and ``None`` elsewhere (``None`` where there was no list)."""
    if parts is None or ct is None:
        return None
    if type(parts) is np.ndarray:  # the parts came as one array: its cotangent is one too
        dense = np.zeros(parts.shape, np.result_type(parts.dtype, np.asarray(ct).dtype))
        dense[j] = ct
        return dense
    out: list[Any] = [None] * len(parts)
    out[j] = ct
    return out


def item_from(ct: Any, key: Any) -> Any:
    """The transpose of ``item_at(g, key, n)``: the part at ``key`` of the list ``ct`` (a list
    of the parts at a slice)."""
    if ct is None:
        return None
    return list(ct[key]) if isinstance(key, slice) else ct[key]


def reduce_onto(ct: Any, g: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """The transpose of ``unreduce(g, a, axis, keepdims)``: ``ct`` (``a``'s shape) summed over
    ``axis`` back to the reduction's shape (``g``'s)."""
    axes = normalize_axes(axis, np.ndim(ct))
    total = np.sum(ct, axis=axes, keepdims=True)
    return unbroadcast(np.reshape(total, shape_of(g)), g)


def gathered(ct: Any, key: Any, g: Any) -> Any:
    """The transpose of scatter-adding ``g`` at ``key``: ``ct[key]`` onto ``g``'s shape (the
    part at ``key`` of a list's cotangent, ``None`` for none; a tuple where the cotangent
    came in as an argument's, a list of :mod:`s2s.runtime.kinds` where it was put back)."""
    if isinstance(ct, (list, tuple)):
        part = ct[key]
        return None if part is None else unbroadcast(part, g)
    return unbroadcast(np.asarray(ct)[key], g)


def var_second(e: Any, a: Any, axis: Any = None, ddof: Any = 0) -> Any:
    """``2 (e - mean(e)) / (N - ddof)`` over ``axis``: the transpose, for ``a``, of the maps
    ``a -> var_adjoint(g, a)`` and ``a -> var_tangent(t, a)`` (``e`` is ``g``, or ``t``, times
    the other factor, broadcast onto ``a``). Source: d var = 2 (a - mean) . da / (N - ddof)."""
    dtype = acc_dtype(dtype_of(a))
    e = np.broadcast_to(np.asarray(e, dtype), shape_of(a))
    axes = normalize_axes(axis, len(shape_of(a)))
    size = math.prod(shape_of(a)[i] for i in axes)
    return (e - np.mean(e, axis=axes, keepdims=True)) * (2.0 / (size - float(ddof)))


def expanded(g: Any, a: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """A reduction's cotangent ``g`` with its reduced axes back as 1 (it broadcasts on ``a``)."""
    shape = shape_of(a)
    axes = normalize_axes(axis, len(shape))
    return np.reshape(np.asarray(g), tuple(1 if i in axes else n for i, n in enumerate(shape)))


def unwritten(ct: Any, g: Any, key: Any) -> Any:
    """The transpose of ``written_part(g, key)``: zeros of ``g``'s shape with ``ct`` at ``key``
    (numpy keeps the last of repeated indices, as ``written_part`` does); of a list's
    cotangent ``g`` (parts), parts with ``ct`` at ``key`` and none (``None``) elsewhere."""
    if isinstance(g, list):
        parts = [None] * len(g)
        parts[key] = ct
        return parts
    out = np.zeros(shape_of(g), acc_dtype(dtype_of(g)))
    out[key] = ct
    return out


def cumsum_back(ct: Any, g: Any, axis: Any = None) -> Any:
    """The transpose of ``cumsum_adjoint(g, a, axis)``: a cumulative sum of ``ct``."""
    return np.reshape(np.cumsum(ct, axis=axis), shape_of(g))


def positive_log(x: Any) -> Any:
    """``log(x)`` where ``x > 0``, else 0: the partial of ``power_dexponent`` in its first
    argument (DESIGN 8: the power is not differentiable in the exponent at ``x <= 0``)."""
    positive = np.greater(x, 0)
    return np.where(positive, np.log(np.where(positive, x, 1)), 0)


def power_dexponent_dbase(result: Any, x: Any) -> Any:
    """``result / x`` where ``x > 0``, else 0: the partial of ``power_dexponent(result, x)``
    in ``x``."""
    positive = np.greater(x, 0)
    return np.where(positive, result / np.where(positive, x, 1), 0)


def power_dbase_dexponent(x1: Any, x2: Any) -> Any:
    """The partial of ``power_dbase(x1, x2) = x2 x1^(x2-1)`` in ``x2``:
    ``x1^(x2-1) (1 + x2 log x1)`` where ``x1 > 0`` and ``x2 != 0`` (there the helper is the
    constant 0, DESIGN 8), else 0. Source: d/dy (y x^(y-1)) = x^(y-1) + y x^(y-1) log x."""
    positive = np.greater(x1, 0) & np.not_equal(x2, 0)
    base = np.where(positive, x1, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.power(base, x2 - 1) * (1 + x2 * np.log(base))
    return np.where(positive, value, 0)


def unsplit(parts: list[Any], g: Any, split: Any, args: tuple) -> np.ndarray:
    """The transpose of a helper that splits ``g`` into pieces (``unconcatenate``,
    ``unstack``, ``unhstack``, ``unvstack``; ``args`` is the tuple of its other arguments):
    each part put back where its piece came from, zeros for a part that is ``None``.

    The helper is applied to the positions of ``g``'s entries (float64 shape records for its
    references), which says where each piece's entries came from."""
    shape = shape_of(g)
    positions = np.arange(math.prod(shape), dtype=np.float64).reshape(shape)
    refs = args[0]  # one array, or one record of a list of pieces of one shape: its rows
    if type(refs) in (list, tuple):
        refs = [Like(shape_of(r), np.dtype(np.float64)) for r in refs]
    else:
        refs = Like(shape_of(refs), np.dtype(np.float64))
    pieces = split(positions, refs, *args[1:])
    out = np.zeros(math.prod(shape), acc_dtype(dtype_of(g)))
    for part, piece in zip(parts, pieces, strict=True):
        if part is not None:
            index = np.asarray(piece, np.int64).ravel()
            out[index] += np.broadcast_to(part, np.shape(piece)).ravel()
    return out.reshape(shape)


def unsum_back(parts: list[Any], g: Any) -> Any:
    """The transpose of ``unsum(g, items)``: the items' parts broadcast back and added."""
    total = None
    for part in parts:
        if part is not None:
            piece = rebroadcast(part, g)
            total = piece if total is None else total + piece
    return total if total is not None else np.zeros(shape_of(g), acc_dtype(dtype_of(g)))
