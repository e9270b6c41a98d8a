"""Selection masks: where a cotangent is exactly zero because a selection did not pick an entry."""

from __future__ import annotations

from typing import Any

import numpy as np

from s2s.runtime.core import reads_shape_only, scatter_add, shape_of


@reads_shape_only(1)
def unbroadcast_mask(mask: Any, ref: Any) -> Any:
    """``mask`` (true where a cotangent is zero by selection) moved onto ``ref``'s shape.

    An entry of ``ref`` is masked only if every broadcast copy of it is masked (``np.all`` over
    the broadcast axes); a smaller mask is broadcast.
    """
    shape = shape_of(ref)
    if np.shape(mask) == shape:
        return mask
    common = np.broadcast_shapes(np.shape(mask), shape)
    full = np.broadcast_to(mask, common)
    lead = len(common) - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and common[lead + i] != 1
    )
    if not axes:
        return full
    return np.logical_and.reduce(full, axis=axes).reshape(shape)


def masked(mask: Any, value: Any) -> Any:
    """``value`` with the masked entries set to exactly zero (dtype kept)."""
    return np.where(mask, 0, value)


def kept(mask: Any) -> np.ndarray:
    """1 where a cotangent may be non-zero, 0 where it is zero by selection (float32)."""
    return np.logical_not(mask).astype(np.float32)


def zero_entries(value: Any) -> Any:
    """True where ``value`` is zero: the mask of a linear map applied to :func:`kept`."""
    return np.equal(value, 0)


@reads_shape_only(0)
def unindexed(ref: Any, key: Any, keep: Any = None) -> np.ndarray:
    """True at the entries of ``ref`` that ``ref[key]`` does not select (or selects only where
    ``keep`` is 0): the adjoint of indexing leaves exactly zero there."""
    if keep is None:
        unselected = np.ones(shape_of(ref), bool)
        unselected[key] = False
        return unselected
    counts = np.zeros(shape_of(ref), np.float32)
    scatter_add(counts, key, keep)
    return counts == 0


def both(first: Any, second: Any) -> Any:
    """Entries zero in two contributions are zero in their sum."""
    return np.logical_and(first, second)


def either(first: Any, second: Any) -> Any:
    """A selection's own zeros together with the zeros of the cotangent it routes."""
    return np.logical_or(first, second)
