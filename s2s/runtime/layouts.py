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

from s2s.runtime.core import acc_dtype, dtype_of, reads_shape_only, shape_of, unbroadcast
from s2s.runtime.namespace import array_namespace


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
    its input (``None`` stays ``None``: no gradient). Source: numpy.broadcast_arrays."""
    return [None if p is None else unbroadcast(p, x) for p, x in zip(parts, args, strict=True)]


@reads_shape_only(1)
def unmeshgrid(parts: Any, xi: Any, indexing: str = "xy") -> list[Any]:
    """The adjoint of ``np.meshgrid(*xi, indexing=indexing)`` (dense or sparse): output ``i``
    is the raveled ``xi[i]`` spread along one axis (axis ``i``; ``xy`` swaps the first two),
    so its cotangent is summed over the other axes. Source: numpy.meshgrid."""
    n = len(xi)
    out = []
    for i, (p, x) in enumerate(zip(parts, xi, strict=True)):
        if p is None:
            out.append(None)
            continue
        xp = array_namespace(p)
        axis = {0: 1, 1: 0}.get(i, i) if indexing == "xy" and n > 1 else i
        others = tuple(j for j in range(len(np.shape(p))) if j != axis)
        g = xp.sum(p, axis=others) if others else p
        out.append(xp.astype(xp.reshape(g, shape_of(x)), acc_dtype(dtype_of(x))))
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
