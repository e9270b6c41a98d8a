"""Selection masks: where a cotangent is exactly zero because a selection did not pick an entry."""

from __future__ import annotations

from typing import Any

import numpy as np

from s2s.runtime.core import reads_shape_only, scatter_add, shape_of
from s2s.runtime.namespace import array_namespace, broadcast, full, functional, zeros


@reads_shape_only(1)
def unbroadcast_mask(mask: Any, ref: Any) -> Any:
    """``mask`` (true where a cotangent is zero by selection) moved onto ``ref``'s shape.

    An entry of ``ref`` is masked only if every broadcast copy of it is masked (``np.all`` over
    the broadcast axes); a smaller mask is broadcast.
    """
    shape = shape_of(ref)
    if np.shape(mask) == shape:
        return mask
    xp = array_namespace(mask, ref)
    common = np.broadcast_shapes(np.shape(mask), shape)
    spread = broadcast(xp, mask, common)
    lead = len(common) - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and common[lead + i] != 1
    )
    if not axes:
        return spread
    if xp is np:
        return np.logical_and.reduce(spread, axis=axes).reshape(shape)
    return xp.reshape(xp.all(spread, axis=axes), shape)


def masked(mask: Any, value: Any) -> Any:
    """``value`` with the masked entries set to exactly zero (dtype kept)."""
    if type(value) is np.ndarray and type(mask) is np.ndarray:
        return np.where(mask, 0, value)
    return array_namespace(mask, value).where(mask, 0, value)


def kept(mask: Any) -> np.ndarray:
    """1 where a cotangent may be non-zero, 0 where it is zero by selection (float32)."""
    return array_namespace(mask).logical_not(mask).astype(np.float32)


def zero_entries(value: Any) -> Any:
    """True where ``value`` is zero: the mask of a linear map applied to :func:`kept`."""
    return array_namespace(value).equal(value, 0)


@reads_shape_only(0)
def unindexed(ref: Any, key: Any, keep: Any = None) -> np.ndarray:
    """True at the entries of ``ref`` that ``ref[key]`` does not select (or selects only where
    ``keep`` is 0): the adjoint of indexing leaves exactly zero there."""
    xp = array_namespace(ref, keep)
    if keep is None:
        if xp is not np and functional(xp):  # Dask: the entries a scatter of ones misses
            counts = scatter_add(zeros(xp, shape_of(ref), np.float32, ref), key, 1.0)
            return counts == 0
        unselected = full(xp, shape_of(ref), True, bool, ref)
        unselected[key] = False
        return unselected
    counts = zeros(xp, shape_of(ref), np.float32, ref)
    counts = scatter_add(counts, key, keep)
    return counts == 0


def both(first: Any, second: Any) -> Any:
    """Entries zero in two contributions are zero in their sum. Masks of two shapes (neither
    a scalar) are of two values a name held (a loop's trips writing slices of growing length
    into one buffer, differentiated again): nothing is known zero (``False``), never a mask
    broadcast to another shape."""
    first_shape, second_shape = np.shape(first), np.shape(second)
    if first_shape != second_shape and first_shape and second_shape:
        return False
    return array_namespace(first, second).logical_and(first, second)


def either(first: Any, second: Any) -> Any:
    """A selection's own zeros together with the zeros of the cotangent it routes."""
    return array_namespace(first, second).logical_or(first, second)
