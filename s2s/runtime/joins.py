"""Helpers for the rules of splits, stacks, appends, deletions and gathers along an axis.

A split's cotangent is one part per piece (``None`` for a piece that got none); the stacks'
adjoints split the cotangent back into one piece per input. Keys (``delete_key``,
``along_axis_key``) read only shapes and indices: the templates scatter-add with them.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.lib.array_utils import normalize_axis_index

from s2s.runtime.core import acc_dtype, dtype_of, reads_shape_only, shape_of, unbroadcast
from s2s.runtime.namespace import array_namespace, zeros
from s2s.runtime.shapes import join_items, split_pieces


def _piece_shapes(shape: tuple[int, ...], indices_or_sections: Any, axis: int) -> list[tuple]:
    """The shapes of ``np.array_split``'s pieces of an array of ``shape`` (numpy's own
    arithmetic, applied to positions along ``axis``)."""
    sections = indices_or_sections
    if not isinstance(sections, (int, np.integer)):
        sections = [int(i) for i in np.asarray(sections).ravel()]
    lengths = [len(p) for p in np.array_split(np.arange(shape[axis]), sections)]
    return [shape[:axis] + (n,) + shape[axis + 1 :] for n in lengths]


@reads_shape_only(1)
def unsplit_parts(parts: Any, ary: Any, indices_or_sections: Any, axis: int = 0) -> Any:
    """The adjoint of ``np.split``/``np.array_split(ary, indices_or_sections, axis)``: the
    pieces' cotangents joined along ``axis``, zeros for a piece that got none (``None``).
    ``parts`` is a list (or an array stacking pieces of one shape); ``axis="h"`` is
    ``np.hsplit``'s (1, or 0 for a 1-D array). Source: numpy.array_split."""
    shape = tuple(shape_of(ary))
    if axis == "h":
        axis = 1 if len(shape) > 1 else 0
    axis = normalize_axis_index(axis, len(shape))
    xp = array_namespace(parts, ary)
    dtype = acc_dtype(dtype_of(ary))
    shapes = _piece_shapes(shape, indices_or_sections, axis)
    pieces = [
        zeros(xp, s, dtype, None) if p is None else xp.astype(xp.reshape(p, s), dtype)
        for p, s in zip(list(parts), shapes, strict=True)
    ]
    return xp.concatenate(pieces, axis=axis)


@reads_shape_only(1)
def uncolumn_stack(g: Any, tup: Any) -> list[Any]:
    """The adjoint of ``np.column_stack(tup)``: 1-D inputs are columns, the others join on
    axis 1; one piece of ``g`` per input, in its shape. Source: numpy.column_stack."""
    shapes = [
        shape_of(x) if len(shape_of(x)) >= 2 else (math.prod(shape_of(x)), 1)
        for x in join_items(tup)
    ]
    return split_pieces(g, tup, shapes, 1)


@reads_shape_only(1)
def undstack(g: Any, tup: Any) -> list[Any]:
    """The adjoint of ``np.dstack(tup)``: inputs made 3-D (``atleast_3d``) join on axis 2."""
    shapes = []
    for x in join_items(tup):
        s = tuple(shape_of(x))
        shapes.append({0: (1, 1, 1), 1: (1,) + s + (1,), 2: s + (1,)}.get(len(s), s))
    return split_pieces(g, tup, shapes, 2)


@reads_shape_only(0)
def delete_key(arr: Any, obj: Any, axis: Any = None) -> tuple[Any, ...]:
    """A key ``k`` with ``arr[k] == np.delete(arr, obj, axis)`` (the entries kept, in order);
    ``axis=None`` deletes from the flattened array. Source: numpy.delete."""
    shape = tuple(shape_of(arr))
    xp = array_namespace(arr)
    if axis is None:
        kept = np.delete(np.arange(math.prod(shape)), obj)
        return tuple(xp.asarray(i) for i in np.unravel_index(kept, shape))
    axis = normalize_axis_index(axis, len(shape))
    return (slice(None),) * axis + (xp.asarray(np.delete(np.arange(shape[axis]), obj)),)


@reads_shape_only(0)
def along_axis_key(arr: Any, indices: Any, axis: Any = -1) -> tuple[Any, ...]:
    """A key ``k`` with ``arr[k] == np.take_along_axis(arr, indices, axis)``: ``indices`` on
    ``axis``, and on every other axis an ``arange`` broadcast against it; ``axis=None`` reads
    the flattened array. Negative indices count from the end. Source: numpy.take_along_axis."""
    shape = tuple(shape_of(arr))
    xp = array_namespace(indices)
    if axis is None:
        n = math.prod(shape)
        flat = xp.where(indices < 0, indices + n, indices)
        return tuple(xp.unravel_index(flat, shape))
    axis = normalize_axis_index(axis, len(shape))
    ndim = len(shape)
    key = []
    for k in range(ndim):
        if k == axis:
            key.append(xp.where(indices < 0, indices + shape[k], indices))
        else:
            steps = [1] * ndim
            steps[k] = shape[k]
            key.append(xp.reshape(xp.arange(shape[k]), tuple(steps)))
    return tuple(key)


def _block_labels(arrays: Any, leaves: list) -> Any:
    """``arrays`` (``np.block``'s nested lists) with each leaf replaced by the positions of
    its entries in the leaves' flattened concatenation; ``leaves`` collects ``(leaf, start,
    shape)`` in order."""
    if type(arrays) is list:
        return [_block_labels(a, leaves) for a in arrays]
    shape = tuple(shape_of(arrays))
    start = sum(math.prod(s) for _, _, s in leaves)
    leaves.append((arrays, start, shape))
    return np.arange(start, start + math.prod(shape)).reshape(shape)


def _block_rebuild(arrays: Any, pieces: Any) -> Any:
    if type(arrays) is list:
        return [_block_rebuild(a, pieces) for a in arrays]
    return next(pieces)


def unblock(g: Any, arrays: Any) -> Any:
    """The adjoint of ``np.block(arrays)``: one piece of ``g`` per leaf, in ``arrays``' nesting
    (lists of lists), each in its leaf's shape and accumulator dtype. Every entry of the block
    comes from one entry of one leaf (leaves are only given leading axes of length 1, never
    broadcast), so ``np.block`` of the leaves' positions says where each entry of ``g`` goes.
    Source: numpy.block."""
    leaves: list = []
    positions = np.block(_block_labels(arrays, leaves))
    xp = array_namespace(g)
    flat = xp.reshape(g, (-1,))
    order = np.argsort(np.reshape(positions, (-1,)))  # a permutation: each position once
    flat = flat[order]
    pieces = (
        unbroadcast(xp.reshape(flat[start : start + math.prod(shape)], shape), leaf)
        for leaf, start, shape in leaves
    )
    return _block_rebuild(arrays, pieces)


def reblock(pieces: Any, arrays: Any) -> Any:
    """The transpose of :func:`unblock`: ``np.block`` of the pieces (in ``arrays``' nesting,
    each in its leaf's shape), a piece ``None`` (no cotangent) taken as zeros of its leaf's
    shape. Every entry of the block is one entry of one piece, so it is a linear map whose
    transpose is ``unblock``. Source: numpy.block."""
    return np.block(_zeros_for_none(pieces, arrays))


def _zeros_for_none(pieces: Any, arrays: Any) -> Any:
    if type(arrays) is list:
        pieces = [None] * len(arrays) if pieces is None else pieces
        return [_zeros_for_none(p, a) for p, a in zip(pieces, arrays)]
    if pieces is None:
        return np.zeros(tuple(shape_of(arrays)), acc_dtype(dtype_of(arrays)))
    return pieces

