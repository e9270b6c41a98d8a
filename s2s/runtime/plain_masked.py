"""Plain twins of the adjoint helpers of ``np.prod``, ``np.max`` and ``np.min`` called with
``where=`` (or ``initial=``), differentiated from their source (``np.std``'s twin is beside
its helper, whose module this one cannot import).

Each function computes what its helper in :mod:`s2s.runtime.masked_reductions` computes,
with calls that have rules of their own (``prod_adjoint``, ``expand_reduced``, ``np.where``),
so that s2s differentiates an adjoint that calls the helper again (second order,
:mod:`s2s.runtime.sources`). Masks and counts are read from the values alone
(:func:`s2s.runtime.stop_gradient`): they are piecewise constant. The formulas and their
sources are in the helpers' docstrings.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from s2s.runtime.core import stop_gradient
from s2s.runtime.reductions import expand_reduced, normalize_axes, prod_adjoint

_NO_VALUE = np._NoValue  # numpy's "not given" for initial


def masked_count(a: Any, axes: tuple, where: Any) -> Any:
    """The number of entries inside ``where`` in each reduced slice of ``a`` (keepdims)."""
    mask = np.broadcast_to(np.asarray(where, dtype=bool), np.shape(a))
    return np.sum(mask, axis=axes, keepdims=True)


def extremum_candidates(a: Any, result: Any, axis: Any, keepdims: bool, initial: Any,
                        where: Any) -> tuple[Any, Any]:  # fmt: skip
    """The entries that share a max's or min's cotangent, and their number (``initial``, where
    it ties, one more), from the values alone."""
    a = np.asarray(a)
    m = expand_reduced(np.asarray(result), a, axis, keepdims)
    inside = np.broadcast_to(np.asarray(where, dtype=bool), a.shape)
    mask = inside & ((a == m) | (np.isnan(a) & np.isnan(m)))
    count = np.sum(mask, axis=normalize_axes(axis, a.ndim), keepdims=True).astype(a.dtype)
    if initial is not None and initial is not _NO_VALUE:
        count = count + (m == initial)
    return mask, count


def masked_prod_adjoint(g, a, axis, keepdims, initial, where) -> Any:
    """The twin of :func:`s2s.runtime.masked_prod_adjoint`: ``g initial`` times the product
    of the other entries inside ``where``, 0 outside (``prod_adjoint`` of the masked factors)."""
    mask = np.broadcast_to(np.asarray(where, dtype=bool), np.shape(stop_gradient(a)))
    factors = np.where(mask, a, 1.0)
    scale = 1.0 if initial is None or initial is _NO_VALUE else initial
    return np.where(mask, prod_adjoint(g * scale, factors, axis, keepdims), 0.0)


def masked_extremum_adjoint(g, a, result, axis, keepdims, initial, where) -> Any:
    """The twin of :func:`s2s.runtime.masked_extremum_adjoint`: ``g`` shared by the tied
    entries inside ``where`` (and ``initial`` where it ties), 0 elsewhere."""
    mask, count = extremum_candidates(stop_gradient(a), stop_gradient(result), axis, keepdims,
                                      initial, where)  # fmt: skip
    return np.where(mask, expand_reduced(g, a, axis, keepdims) / count, 0.0)
