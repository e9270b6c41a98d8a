"""Helpers for the rules of selections: select, choose, compress and extract (real inputs).

Each selection copies entries of its choices where a condition (or an index) says: the masks
and keys here read only the conditions and shapes, and the parts route the cotangent back to
the choice each entry came from.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.array_utils import normalize_axis_index

from s2s.runtime.core import acc_dtype, dtype_of, reads_shape_only, shape_of, unbroadcast
from s2s.runtime.namespace import array_namespace


def select_masks(condlist: Any, result: Any) -> list[Any]:
    """Where ``np.select(condlist, choicelist, default)`` takes each choice (the first condition
    that holds wins), then where it takes ``default`` (none holds): boolean arrays of the
    result's shape. Source: numpy.select."""
    xp = array_namespace(result, *condlist)
    shape = tuple(shape_of(result))
    taken = xp.zeros(shape, dtype=bool)
    masks = []
    for cond in condlist:
        here = xp.broadcast_to(xp.asarray(cond), shape) & ~taken
        masks.append(here)
        taken = taken | here
    return masks + [~taken]


def select_parts(g: Any, masks: list[Any], choicelist: Any) -> list[Any]:
    """The adjoint of ``np.select`` in each choice: ``g`` where that choice was taken, 0
    elsewhere, unbroadcast onto the choice."""
    xp = array_namespace(g)
    return [unbroadcast(xp.where(m, g, 0), c) for m, c in zip(masks, choicelist, strict=False)]


def choose_parts(g: Any, a: Any, choices: Any, mode: str = "raise") -> Any:
    """The adjoint of ``np.choose(a, choices, mode=mode)``: choice ``k`` gets ``g`` where ``a``
    (wrapped or clipped as ``mode`` says) is ``k``, unbroadcast onto it; a list for a list of
    choices, one array for an array of them. Source: numpy.choose."""
    xp = array_namespace(g, a)
    n = len(choices)
    index = xp.asarray(a)
    if mode == "wrap":
        index = index % n
    elif mode == "clip":
        index = xp.clip(index, 0, n - 1)
    if isinstance(choices, (list, tuple)):
        return [unbroadcast(xp.where(index == k, g, 0), c) for k, c in enumerate(choices)]
    parts = [xp.where(index == k, g, 0) for k in range(n)]
    return unbroadcast(xp.stack([xp.broadcast_to(p, np.shape(g)) for p in parts]), choices)


def unselect(parts: Any, masks: list[Any], g: Any) -> Any:
    """The transpose of ``select_parts(g, masks, choicelist)``: each part broadcast onto the
    result's shape (``g``'s) where its choice was taken, added; zeros for parts all ``None``.
    ``g``'s shape and accumulator dtype."""
    xp = array_namespace(g)
    shape = tuple(shape_of(g))
    out = xp.zeros(shape, acc_dtype(dtype_of(g)))
    for m, p in zip(masks, parts, strict=False):
        if p is not None:
            out = out + xp.where(m, xp.broadcast_to(p, shape), 0)
    return out


def unchoose(parts: Any, a: Any, g: Any, mode: str = "raise") -> Any:
    """The transpose of ``choose_parts(g, a, choices, mode)``: part ``k`` where ``a`` (wrapped
    or clipped) is ``k``, broadcast onto ``g``'s shape; ``parts`` a list (``None``: zero) or
    one array stacking them. ``g``'s shape and accumulator dtype. Source: numpy.choose."""
    xp = array_namespace(g, a)
    shape = tuple(shape_of(g))
    index = xp.asarray(a)
    n = len(parts)
    if mode == "wrap":
        index = index % n
    elif mode == "clip":
        index = xp.clip(index, 0, n - 1)
    out = xp.zeros(shape, acc_dtype(dtype_of(g)))
    for k in range(n):
        if parts[k] is not None:
            out = out + xp.where(index == k, xp.broadcast_to(parts[k], shape), 0)
    return out


@reads_shape_only(1)
def compress_key(condition: Any, a: Any, axis: Any = None) -> tuple[Any, ...]:
    """A key ``k`` with ``a[k] == np.compress(condition, a, axis)``: the positions where the
    (possibly shorter) ``condition`` holds, along ``axis`` or in the flattened array."""
    shape = tuple(shape_of(a))
    xp = array_namespace(condition)
    kept = xp.nonzero(xp.reshape(xp.asarray(condition), (-1,)))[0]
    if axis is None:
        return tuple(xp.unravel_index(kept, shape))
    axis = normalize_axis_index(axis, len(shape))
    return (slice(None),) * axis + (kept,)


@reads_shape_only(1)
def extract_key(condition: Any, arr: Any) -> Any:
    """A key ``k`` with ``arr[k] == np.extract(condition, arr)``: a boolean mask of ``arr``'s
    shape when ``condition`` has as many entries, else the flat positions where it is nonzero.
    Source: numpy.extract."""
    xp = array_namespace(condition)
    shape = tuple(shape_of(arr))
    flat = xp.reshape(xp.asarray(condition), (-1,)) != 0
    if flat.shape[0] == int(np.prod(shape)):  # a mask of arr's entries (Dask: no lengths)
        return xp.reshape(flat, shape)
    return tuple(xp.unravel_index(xp.nonzero(flat)[0], shape))


@reads_shape_only(0)
def average_weights(a: Any, axis: Any, weights: Any) -> Any:
    """``weights`` as ``np.average(a, axis, weights)`` reads them, broadcastable against
    ``a``: as given when they have ``a``'s shape, else a 1-D array along ``axis`` reshaped to
    lie on it; ``1.0`` when ``None``. Source: numpy.average."""
    if weights is None:
        return 1.0
    shape = tuple(shape_of(a))
    if tuple(np.shape(weights)) == shape:
        return weights
    axis = normalize_axis_index(axis, len(shape))
    steps = [1] * len(shape)
    steps[axis] = shape[axis]
    return array_namespace(weights).reshape(weights, tuple(steps))
