"""Helpers for the rules of the unique-value and set functions and of ``trim_zeros``.

The values these functions return are input values: an output value's cotangent is split
equally among the input entries equal to it (in every argument), the minimum-norm choice as
for tied maxima and ``np.unique`` (DESIGN 8); a value's tangent is the mean of those entries'
tangents. The matching reads values but is piecewise constant, so ``occurrences_adjoint`` and
``occurrences_tangent`` are each other's transposes (their rules close the chain).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from s2s.runtime.core import acc_dtype, dtype_of, shape_of


def _matching(arrays: Any, values: Any) -> tuple[Any, Any, Any]:
    """``(pos, match, counts)``: for each entry of the raveled, joined ``arrays``, the index
    of the equal output value (``match`` false where none is) and each value's occurrences."""
    if isinstance(values, tuple):
        raise ValueError(
            "s2s differentiates the values of intersect1d, not return_indices=True: call it "
            "again without return_indices for the values to differentiate"
        )
    flat = np.concatenate([np.ravel(np.asarray(a)) for a in arrays])
    values = np.ravel(np.asarray(values))
    order = np.argsort(values, kind="stable")
    ranked = values[order]
    if ranked.size > 1 and np.any(ranked[1:] == ranked[:-1]):
        raise ValueError(
            "a repeated output value (assume_unique=True with repeated inputs) has no "
            "derivative s2s gives: let numpy make the inputs unique"
        )
    if ranked.size == 0:
        return np.zeros(flat.shape, np.intp), np.zeros(flat.shape, bool), np.zeros(0)
    idx = np.clip(np.searchsorted(ranked, flat), 0, ranked.size - 1)
    match = ranked[idx] == flat
    pos = order[idx]
    counts = np.bincount(pos[match], minlength=ranked.size)
    return pos, match, counts


def occurrences_adjoint(g: Any, arrays: Any, values: Any) -> list[Any]:
    """The adjoint of ``values`` (distinct input values of ``arrays``): one gradient per array,
    in its shape and accumulator dtype, each entry equal to a value getting the value's
    cotangent over its number of occurrences (0 elsewhere). Source: numpy.unique and the
    set routines (their outputs are input values)."""
    pos, match, counts = _matching(arrays, values)
    if g is None:  # no cotangent reached the values
        g = np.zeros(shape_of(values))
    g = np.ravel(np.broadcast_to(np.asarray(g), shape_of(values)))
    share = np.where(match, g[pos] / np.maximum(counts, 1)[pos] if g.size else 0.0, 0.0)
    out, start = [], 0
    for a in arrays:
        n = math.prod(shape_of(a))
        part = np.reshape(share[start : start + n], shape_of(a))
        out.append(part.astype(acc_dtype(dtype_of(a))))
        start += n
    return out


def occurrences_tangent(tangents: Any, arrays: Any, values: Any) -> Any:
    """The tangent of ``values`` (see :func:`occurrences_adjoint`): the mean of the tangents of
    the entries equal to each value (``None``: an array without a tangent counts as 0)."""
    pos, match, counts = _matching(arrays, values)
    flat = np.concatenate(
        [
            np.zeros(math.prod(shape_of(a))) if t is None else np.ravel(np.asarray(t))
            for t, a in zip(tangents, arrays, strict=True)
        ]
    )
    sums = np.bincount(pos[match], weights=flat[match], minlength=counts.size)
    out = np.reshape(sums / np.maximum(counts, 1), shape_of(values))
    return out.astype(acc_dtype(dtype_of(values)))


def trim_key(filt: Any, trim: str = "fb", axis: Any = None) -> tuple[slice, ...]:
    """The key with ``np.trim_zeros(filt, trim, axis) == filt[key]``: along each trimmed axis,
    from the first to the last slice holding a nonzero entry (``f``: front, ``b``: back).
    Piecewise constant in ``filt``. Source: numpy.trim_zeros."""
    filt = np.asarray(filt)
    axes = range(filt.ndim) if axis is None else [a % filt.ndim for a in np.atleast_1d(axis)]
    key = [slice(None)] * filt.ndim
    trim = trim.lower()
    for ax in axes:
        others = tuple(i for i in range(filt.ndim) if i != ax)
        nonzero = np.flatnonzero(np.any(filt != 0, axis=others) if others else filt != 0)
        if nonzero.size == 0:
            key[ax] = slice(0, 0)
            continue
        first = int(nonzero[0]) if "f" in trim else 0
        last = int(nonzero[-1]) + 1 if "b" in trim else filt.shape[ax]
        key[ax] = slice(first, last)
    return tuple(key)
