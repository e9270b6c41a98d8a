"""Helpers for the rules of shape functions: transposes of reshapes, joins, gathers, diagonals."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.lib.array_utils import normalize_axis_index, normalize_axis_tuple
from numpy.lib.stride_tricks import as_strided

from s2s.runtime.core import (
    Like,
    acc_dtype,
    dtype_of,
    reads_shape_only,
    refuse_0d_gather,
    shape_of,
    unbroadcast,
)
from s2s.runtime.namespace import array_namespace, broadcast, is_foreign_array, zeros


def untranspose(g: Any, axes: Any = None) -> np.ndarray:
    """The adjoint of ``np.transpose(a, axes)``: ``g`` transposed by the inverse permutation."""
    xp = array_namespace(g)
    if axes is None:
        return xp.transpose(g)
    axes = normalize_axis_tuple(tuple(axes), np.ndim(g))
    return xp.transpose(g, tuple(int(i) for i in np.argsort(axes)))


def _reshape(g: Any, shape: tuple[int, ...], order: str) -> Any:
    """``np.reshape(g, shape, order)`` in ``g``'s namespace."""
    return array_namespace(g).reshape(g, shape, order=order)


def _fortran_first(a: Any) -> bool:
    # numpy's PyArray_ISFORTRAN: F-contiguous and not C-contiguous
    flags = getattr(a, "flags", None)
    return flags is not None and flags.f_contiguous and not flags.c_contiguous


def unreshape(g: Any, a: Any, order: str = "C") -> np.ndarray:
    """The adjoint of ``np.reshape(a, shape, order)``: ``g`` reshaped back in the same order.

    ``order='A'`` reads ``a``'s layout (Fortran order when ``a`` is Fortran- and not
    C-contiguous, as numpy decides), so ``a`` must then be the array itself. Source: numpy.reshape.
    """
    if order == "A":
        order = "F" if _fortran_first(a) else "C"
    return _reshape(g, shape_of(a), order)


def _ravel_positions(a: np.ndarray, order: str) -> np.ndarray:
    # The C-order flat index of the entry of `a` that np.ravel(a, order) puts at each position:
    # ravel an index array laid out with strides proportional to a's, so numpy decides alike.
    steps = [s // a.itemsize for s in a.strides]
    if any(s == 0 and n > 1 for s, n in zip(steps, a.shape, strict=True)) or any(
        s % a.itemsize for s in a.strides
    ):
        raise NotImplementedError(f"the adjoint of ravel(order={order!r}) of a broadcast view")
    low = sum(s * (n - 1) for s, n in zip(steps, a.shape, strict=True) if s < 0)
    high = sum(s * (n - 1) for s, n in zip(steps, a.shape, strict=True) if s > 0)
    base = np.empty(high - low + 1, np.intp)
    probe = as_strided(base[-low:], a.shape, [s * base.itemsize for s in steps])
    probe[...] = np.arange(a.size).reshape(a.shape)
    return np.ravel(probe, order)


def unravel(g: Any, a: Any, order: str = "C") -> np.ndarray:
    """The adjoint of ``np.ravel(a, order)``: the 1-D ``g`` put back into ``a``'s shape.

    Orders ``'A'`` and ``'K'`` depend on ``a``'s memory layout, which is read from ``a`` (an
    ndarray then, not a recorded ``Like``). Source: numpy.ravel.
    """
    if is_foreign_array(a) and order in ("A", "K"):  # no strides to follow: its flags decide
        flags = getattr(a, "flags", None)
        if flags is None or flags.c_contiguous or np.ndim(a) <= 1:
            order = "C"
        elif flags.f_contiguous:
            order = "F"
        else:
            raise NotImplementedError(
                f"s2s: the adjoint of ravel(order={order!r}) of a non-contiguous "
                f"{type(a).__module__} array; take a contiguous copy first"
            )
    if order in ("C", "F") or np.ndim(a) <= 1 or not isinstance(a, np.ndarray):
        return _reshape(g, shape_of(a), order if order in ("C", "F") else "C")
    out = np.empty(a.size, np.asarray(g).dtype)
    out[_ravel_positions(a, order)] = g
    return np.reshape(out, a.shape)


def join_items(arrays: Any) -> list[Any]:
    """The inputs of a join (``np.concatenate(arrays)``, the stacks) as a list.

    A list of pieces of one shape is recorded as one :class:`Like` of their stacked shape
    (``like(np.split(x, 3))``), and a join also takes one array, whose rows are its inputs:
    both are read as that many row records. A list or tuple is returned as it is.
    """
    if type(arrays) in (list, tuple):
        return arrays
    shape = tuple(shape_of(arrays))
    xp = arrays.xp if isinstance(arrays, Like) else None
    row = Like(shape[1:], dtype_of(arrays), xp)
    return [row] * shape[0]


def split_pieces(g: Any, refs: Any, shapes: list[tuple[int, ...]], axis: int) -> Any:
    """``g`` split along ``axis`` by the sizes of ``shapes`` there, each piece reshaped to its
    ref's shape and cast to its accumulator dtype (the adjoint of a join).

    ``refs`` is the join's input as given: for one array or one record of a list of pieces of
    one shape (see :func:`join_items`), the pieces come back stacked in one array, the form
    a list of same-shape arrays' cotangent takes."""
    xp = array_namespace(g)
    cuts = [int(c) for c in np.cumsum([s[axis] for s in shapes])]
    g = np.asarray(g) if xp is np else g
    index = [slice(None)] * np.ndim(g)
    pieces = []
    for start, stop in zip([0] + cuts[:-1], cuts, strict=True):
        index[axis] = slice(start, stop)
        pieces.append(g[tuple(index)])
    items = join_items(refs)
    out = [unbroadcast(xp.reshape(p, shape_of(r)), r) for p, r in zip(pieces, items, strict=True)]
    return out if items is refs else xp.stack(out)


@reads_shape_only(1)
def unconcatenate(g: Any, arrays: Any, axis: Any = 0) -> list[Any]:
    """The adjoint of ``np.concatenate(arrays, axis)``: ``g`` split into one piece per input.

    ``axis=None`` concatenates the flattened inputs. Each piece has its input's shape and
    accumulator dtype (inputs may be ``Like`` records). Source: numpy.concatenate.
    """
    if axis is None:
        flat = array_namespace(g).reshape(g, (-1,))
        items = join_items(arrays)
        return split_pieces(flat, arrays, [(math.prod(shape_of(x)),) for x in items], 0)
    axis = normalize_axis_index(axis, np.ndim(g))
    return split_pieces(g, arrays, [shape_of(x) for x in join_items(arrays)], axis)


@reads_shape_only(1)
def unstack(g: Any, arrays: Any, axis: int = 0) -> list[Any]:
    """The adjoint of ``np.stack(arrays, axis)``: the slices of ``g`` along ``axis``, cast back
    (one array of them when ``arrays`` is one array, whose rows were stacked)."""
    xp = array_namespace(g)
    g = xp.moveaxis(np.asarray(g) if xp is np else g, axis, 0)
    if isinstance(arrays, Like) or not isinstance(arrays, (list, tuple)):  # np.stack(a): rows
        return unbroadcast(g, arrays)
    return [unbroadcast(g[i], x) for i, x in enumerate(arrays)]


@reads_shape_only(1)
def undiff(g: Any, a: Any, n: int = 1, axis: int = -1) -> np.ndarray:
    """The adjoint of ``np.diff(a, n, axis)``: ``n`` times, pad ``g`` with a zero at both ends
    of ``axis`` and take minus its first difference (the transpose of a difference matrix),
    in ``a``'s accumulator dtype. Source: numpy.diff, ``out[i] = a[i + 1] - a[i]``."""
    xp = array_namespace(g, a)
    dtype = acc_dtype(dtype_of(a))
    out = np.asarray(g, dtype=dtype) if xp is np else g.astype(dtype)
    for _ in range(int(n)):
        widths = [(0, 0)] * out.ndim
        widths[axis] = (1, 1)
        out = -xp.diff(xp.pad(out, widths), axis=axis)
    return out


@reads_shape_only(1)
def unsum(g: Any, items: Any) -> Any:
    """The adjoint of the builtin ``sum(items)``: every item gets the cotangent, unbroadcast
    (for one array, whose rows were summed, one array of them)."""
    if isinstance(items, Like) or not isinstance(items, (list, tuple)):
        shape = shape_of(items)
        row = unbroadcast(g, Like(tuple(shape[1:]), dtype_of(items)))
        xp = array_namespace(g)
        return zeros(xp, shape, acc_dtype(dtype_of(items)), items) + row
    return [unbroadcast(g, x) for x in items]


@reads_shape_only(1)
def unlist(ct: Any, x: Any) -> Any:
    """The adjoint of ``list(x)`` and ``tuple(x)``: of an array ``x`` (the list of its rows
    along axis 0), the rows' parts stacked back into ``x``'s shape in its accumulator dtype,
    zeros for a row without one (``None``); of a list or tuple ``x``, the parts as they are
    (a list). Source: ``list(x)[i]`` is ``x[i]``."""
    if isinstance(x, (list, tuple)) and type(x) is not Like:
        return list(ct)
    shape, dtype = shape_of(x), acc_dtype(dtype_of(x))
    if not isinstance(ct, (list, tuple)):  # the parts stacked into one array
        return unbroadcast(ct, x)
    xp = array_namespace(x, ct)  # x's (a device's, Dask's) namespace, or the parts'
    row = Like(tuple(shape[1:]), dtype, None if xp is np else xp)
    rows = [zeros(xp, row.shape, dtype) if p is None else unbroadcast(p, row) for p in ct]
    return xp.stack(rows) if rows else zeros(xp, shape, dtype, x)


def relist(g: Any, parts: Any) -> list[Any]:
    """The transpose of ``unlist(parts, x)``: ``g``'s rows (of a list ``g``, its parts), one
    per part, ``None`` where ``parts`` had none."""
    return [None if p is None else r for p, r in zip(parts, g, strict=True)]


@reads_shape_only(1)
def unhstack(g: Any, tup: Any) -> list[Any]:
    """The adjoint of ``np.hstack(tup)``: numpy joins ``atleast_1d`` inputs on axis 1 (1-D: 0)."""
    shapes = [shape_of(x) or (1,) for x in join_items(tup)]
    return split_pieces(g, tup, shapes, 0 if len(shapes[0]) == 1 else 1)


@reads_shape_only(1)
def unvstack(g: Any, tup: Any) -> list[Any]:
    """The adjoint of ``np.vstack(tup)``: numpy joins ``atleast_2d`` inputs on axis 0."""
    shapes = [(1,) * (2 - len(shape_of(x))) + shape_of(x) for x in join_items(tup)]
    return split_pieces(g, tup, shapes, 0)


@reads_shape_only(0)
def take_key(a: Any, indices: Any, axis: Any = None, mode: str = "raise") -> Any:
    """An indexing key ``k`` with ``a[k] == np.take(a, indices, axis, mode=mode)``.

    The adjoint of ``take`` scatter-adds the cotangent at ``k`` (repeated indices accumulate).
    ``axis=None`` indexes the flattened array; ``mode`` ``'wrap'``/``'clip'`` are applied to
    ``indices`` first. ``a`` may be a ``Like``. Source: numpy.take.
    """
    shape = shape_of(a)
    refuse_0d_gather("take", tuple(shape))
    axis = None if axis is None else normalize_axis_index(axis, len(shape))
    n = math.prod(shape) if axis is None else shape[axis]
    xp = array_namespace(indices)
    idx = np.asarray(indices) if xp is np else indices
    if mode == "wrap":
        idx = xp.mod(idx, n)
    elif mode == "clip":
        idx = xp.clip(idx, 0, n - 1)
    if axis is None:
        return xp.unravel_index(xp.where(idx < 0, idx + n, idx), shape)
    return (slice(None),) * axis + (idx,)


def _diagonal_index(n1: int, n2: int, offset: int) -> tuple[np.ndarray, np.ndarray]:
    length = max(0, min(n1 - max(-offset, 0), n2 - max(offset, 0)))
    steps = np.arange(length)
    return steps + max(-offset, 0), steps + max(offset, 0)


@reads_shape_only(1)
def undiagonal(g: Any, a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> np.ndarray:
    """The adjoint of ``np.diagonal(a, offset, axis1, axis2)``: zeros with ``g`` on that diagonal.

    ``g`` has the diagonal's shape (``a``'s other axes, then the diagonal); the result is a new
    array of ``a``'s shape and accumulator dtype. Source: numpy.diagonal.
    """
    shape = shape_of(a)
    xp = array_namespace(g, a)
    axis1 = normalize_axis_index(axis1, len(shape))
    axis2 = normalize_axis_index(axis2, len(shape))
    rows, cols = _diagonal_index(shape[axis1], shape[axis2], offset)
    dtype = acc_dtype(dtype_of(a))
    if xp is not np:  # no item assignment: column j takes diagonal entry k where cols[k] == j
        n1, n2 = shape[axis1], shape[axis2]
        on = np.zeros((n1, n2), bool)
        on[rows, cols] = True
        entry = np.full(n2, len(cols))  # past the end: the zero appended below
        entry[cols] = np.arange(len(cols))
        padded = xp.concatenate([g, xp.zeros(np.shape(g)[:-1] + (1,), dtype=g.dtype)], axis=-1)
        picked = xp.take(padded, xp.asarray(entry), axis=-1)
        spread = xp.where(xp.asarray(on), xp.expand_dims(picked, -2), 0).astype(dtype)
        return xp.moveaxis(spread, (-2, -1), (axis1, axis2))
    out = np.zeros(shape, dtype)
    np.moveaxis(out, (axis1, axis2), (-2, -1))[..., rows, cols] = g
    return out


@reads_shape_only(1)
def untrace(g: Any, a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> np.ndarray:
    """The adjoint of ``np.trace(a, offset, axis1, axis2)``: ``g`` on every diagonal entry."""
    shape = shape_of(a)
    n1 = shape[normalize_axis_index(axis1, len(shape))]
    n2 = shape[normalize_axis_index(axis2, len(shape))]
    length = len(_diagonal_index(n1, n2, offset)[0])
    xp = array_namespace(g, a)
    spread = broadcast(xp, xp.expand_dims(xp.asarray(g), -1), np.shape(g) + (length,))
    return undiagonal(spread, a, offset, axis1, axis2)


@reads_shape_only(1)
def undiag(g: Any, v: Any, k: int = 0) -> Any:
    """The adjoint of ``np.diag(v, k)``: the ``k``-th diagonal of ``g`` for a 1-D ``v`` (which
    ``diag`` spread into a matrix), else zeros of ``v``'s shape with ``g`` on that diagonal."""
    if len(shape_of(v)) == 1:
        return unbroadcast(array_namespace(g).diagonal(g, k), v)
    return undiagonal(g, v, k, 0, 1)


@reads_shape_only(1, 2)
def uncast(g: Any, x: Any, result: Any) -> Any:
    """The adjoint of a cast ``result = x.astype(dtype)``: the cotangent cast back onto ``x``,
    or zero when ``result`` is integer or boolean (a cast to int has no gradient)."""
    if dtype_of(result).kind not in "fc":
        return zeros(array_namespace(x, g), shape_of(x), acc_dtype(dtype_of(x)), x)
    return unbroadcast(g, x)


@reads_shape_only(1)
def unarray(g: Any, a: Any, result: Any = None) -> Any:
    """The adjoint of ``np.array(a)``/``np.asarray(a)`` (any ``dtype``/``ndmin``): a cast back.

    When ``a`` is a literal list or tuple of same-shape values (``np.array([x, y])``), the
    result is a list with one piece of ``g`` per element (``d[a] = <sequence>``); otherwise
    ``g`` unbroadcast onto ``a`` (which undoes ``ndmin``). Source: numpy.array.
    """
    xp = array_namespace(g, result)
    if result is not None and dtype_of(result).kind not in "fc":
        g = zeros(xp, tuple(np.shape(g)), np.float64, g)  # np.array(x, dtype=int): no gradient
    if isinstance(a, (list, tuple)) and type(a) is not Like:
        inner = np.broadcast_shapes(*(literal_shape(x) for x in a))
        pieces = xp.reshape(g, (len(a),) + inner)
        return [unarray(p, x) for p, x in zip(pieces, a, strict=True)]
    return unbroadcast(g, a)


def unliteral(g: Any, a: list | tuple) -> list:
    """The cotangent ``g`` of an elementwise result of a literal ``a`` (``np.tanh((x, y))``),
    summed over the axes broadcasting added, then one piece per item (see :func:`unarray`)."""
    shape = literal_shape(a)
    if np.shape(g) != shape:
        xp = array_namespace(g)
        g = unbroadcast(g, Like(shape, dtype_of(g), None if xp is np else xp))
    return unarray(g, a)


def literal_shape(a: Any) -> tuple[int, ...]:
    """The shape numpy gives a nested literal of values or shape records."""
    if isinstance(a, (list, tuple)) and type(a) is not Like:
        return (len(a),) + np.broadcast_shapes(*(literal_shape(x) for x in a))
    return shape_of(a)
