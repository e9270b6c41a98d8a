"""Helpers for the rules of rollaxis, resize, broadcast_arrays, meshgrid and insert.

Each reads only shapes and the structural arguments (axes, sizes, indices): the templates
gather and scatter-add the cotangent with what they return, so their derivatives are numpy
calls that differentiate again. ``unbroadcast_parts`` and ``unmeshgrid`` move a list of
cotangents (``None`` for an output that got none) onto the inputs.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.lib.array_utils import normalize_axis_index

from s2s.runtime.core import Like, acc_dtype, dtype_of, reads_shape_only, shape_of, unbroadcast
from s2s.runtime.higher import rebroadcast
from s2s.runtime.namespace import array_namespace, zeros


@reads_shape_only(0)
def rollaxis_destination(a: Any, axis: int, start: int = 0) -> int:
    """Where ``np.rollaxis(a, axis, start)`` puts ``axis``: ``np.moveaxis(a, axis, dest)`` is
    the same array. Source: numpy.rollaxis (start after axis: the axis lands at start - 1)."""
    n = len(shape_of(a))
    axis = normalize_axis_index(axis, n)
    start = start + n if start < 0 else start
    if not 0 <= start <= n:
        np.rollaxis(np.empty((0,) * n), axis, start)  # numpy's own AxisError
    return start - 1 if start > axis else start


@reads_shape_only(0)
def resize_plan(a: Any, new_shape: Any) -> tuple[tuple[int, int], tuple[int, int]]:
    """``(pad, (k, n))`` for the transpose of ``np.resize(a, new_shape)``: the flat cotangent
    (``m`` entries) padded by ``pad`` zeros is ``k`` repetitions of ``a``'s ``n`` entries,
    whose sum is the gradient. Source: numpy.resize (the flat input repeated cyclically)."""
    n = math.prod(shape_of(a))
    shape = (new_shape,) if isinstance(new_shape, (int, np.integer)) else tuple(new_shape)
    m = math.prod(shape)
    if n == 0:
        return (0, 0), (0, 0)
    k = -(-m // n)
    return (0, k * n - m), (k, n)


@reads_shape_only(1)
def unbroadcast_parts(parts: Any, args: Any) -> list[Any]:
    """The adjoint of ``np.broadcast_arrays(*args)``: each output's cotangent summed back onto
    its input (zeros for ``None``, an output without one: derivative code adds the parts).
    Source: numpy.broadcast_arrays."""
    return [_zeros_onto(x) if p is None else unbroadcast(p, x)
            for p, x in zip(parts, args, strict=True)]  # fmt: skip


def _zeros_onto(x: Any) -> Any:
    """Zeros of ``x``'s shape and accumulator dtype: a part without a cotangent."""
    return zeros(array_namespace(x), tuple(shape_of(x)), acc_dtype(dtype_of(x)), x)


@reads_shape_only(1)
def unmeshgrid(parts: Any, xi: Any, indexing: str = "xy") -> list[Any]:
    """The adjoint of ``np.meshgrid(*xi, indexing=indexing)`` (dense or sparse): output ``i``
    is the raveled ``xi[i]`` spread along one axis (axis ``i``; ``xy`` swaps the first two),
    so its cotangent is summed over the other axes (zeros for a grid without a cotangent,
    ``None``). Source: numpy.meshgrid."""
    n = len(xi)
    out = []
    for i, (p, x) in enumerate(zip(parts, xi, strict=True)):
        if p is None:
            out.append(_zeros_onto(x))
            continue
        xp = array_namespace(p)
        axis = {0: 1, 1: 0}.get(i, i) if indexing == "xy" and n > 1 else i
        others = tuple(j for j in range(len(np.shape(p))) if j != axis)
        g = xp.sum(p, axis=others) if others else p
        out.append(xp.astype(xp.reshape(g, shape_of(x)), acc_dtype(dtype_of(x))))
    return out


@reads_shape_only(1)
def rebroadcast_parts(cts: Any, parts: Any) -> list[Any]:
    """The transpose of :func:`unbroadcast_parts` (``cts`` one cotangent per input, ``parts``
    the outputs' cotangents it summed): each broadcast back onto its part's shape, ``None``
    where either is ``None``. Source: numpy.broadcast_arrays (a broadcast's transpose sums)."""
    return [None if c is None or p is None else rebroadcast(c, p)
            for c, p in zip(cts, _items(parts), strict=True)]  # fmt: skip


def _items(parts: Any) -> list[Any]:
    """The items of a list of cotangents, or of their stacked array (or its record): rows."""
    if type(parts) is Like or type(parts) is np.ndarray:
        shape = tuple(shape_of(parts))
        return [Like(shape[1:], dtype_of(parts))] * shape[0]
    return list(parts)


@reads_shape_only(1)
def remeshgrid(cts: Any, parts: Any, indexing: str = "xy") -> list[Any]:
    """The transpose of :func:`unmeshgrid` (``cts`` one cotangent per vector, ``parts`` the
    grids' cotangents it summed): vector ``i`` spread along its axis to its grid's shape
    (dense or sparse), ``None`` where either is ``None``. Source: numpy.meshgrid."""
    n = len(_items(parts))
    out = []
    for i, (c, p) in enumerate(zip(cts, _items(parts), strict=True)):
        if c is None or p is None:
            out.append(None)
            continue
        shape = tuple(shape_of(p))
        axis = {0: 1, 1: 0}.get(i, i) if indexing == "xy" and n > 1 else i
        spread = [1] * len(shape)
        spread[axis] = shape[axis]
        dtype = acc_dtype(dtype_of(p))
        out.append(np.broadcast_to(np.reshape(c, spread), shape).astype(dtype))
    return out


@reads_shape_only(0, 2)
def insert_keys(arr: Any, obj: Any, values: Any, axis: Any = None) -> tuple[Any, Any, Any]:
    """Keys for the transpose of ``np.insert(arr, obj, values, axis)``: ``(kept, new, spread)``;
    ``result[kept]`` are ``arr``'s entries in order, ``result[new]`` the inserted ones, and
    ``spread`` (booleans, one row per entry of ``values``, one column per inserted entry) says
    which entry of ``values`` each inserted one copies (values broadcast, so a row may hold
    several). The keys come from inserting labels with numpy itself, so numpy's broadcasting
    and axis rules hold. Source: numpy.insert."""
    shape, vshape = shape_of(arr), shape_of(values)
    size = math.prod(vshape)
    labels = np.insert(np.zeros(shape, np.int64), obj, 1 + np.arange(size).reshape(vshape), axis)
    new = labels > 0
    return labels == 0, new, labels[new][None, :] == 1 + np.arange(size)[:, None]
