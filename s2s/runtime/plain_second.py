"""Plain twins of the helpers that the second-order rules of ``prod_adjoint``,
``cumprod_adjoint``, ``norm_adjoint``, ``vector_norm_adjoint``, ``histogram_adjoint`` and
``cov_adjoint`` call (``prod_second``, ``cumprod_tangent``, ``norm_hessian``, ...), so that
s2s differentiates those rules again: third order of ``np.prod``, ``np.cumprod``,
``np.linalg.norm``, ``np.histogram`` (density) and ``np.cov`` (issue 9,
:mod:`s2s.runtime.sources`).

Each twin computes what its helper computes, with numpy calls that have rules of their own
(``prod_adjoint``, ``np.cumprod``, ``np.linalg.svd``, ``np.bincount``, matmul, where), and
the twins call helpers whose rules reach twins again, so each further order is differentiated
the same way. The helpers keep their fast bodies (recurrences, closed forms by the number of
zeros) for the values. Layouts (axes, bins, masks) are read from shapes and constants: they
are piecewise constant. Formulas and sources are in the helpers' docstrings; shapes follow
the helpers' (dtypes: the arguments' promotion).

Exact with zeros, as the helpers are: ``prod_second``'s twin builds, for each entry ``i`` of
a reduced slice of ``n`` entries, the slice with ``a_i`` replaced by 1 (an ``n`` by ``n``
array), and ``cumprod_tangent``'s twin runs its recurrence one entry at a time, so a
derivative of order ``k`` of ``np.prod`` holds ``n^(k-2)`` entries per slice.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from s2s.runtime import reductions
from s2s.runtime.reductions import normalize_axes, prod_adjoint
from s2s.runtime.sources import differentiated_as

# -- numpy.prod: prod_second ---------------------------------------------------------------


def reduction_layout(shape: tuple, axis: Any) -> tuple[tuple, tuple, tuple, int]:
    """The permutation that moves the reduced axes last, its inverse, the moved shape and the
    number of reduced entries ``n`` (a constant of the shape)."""
    axes = normalize_axes(axis, len(shape))
    kept = tuple(i for i in range(len(shape)) if i not in axes)
    perm = kept + axes
    moved = tuple(shape[i] for i in perm)
    return perm, tuple(int(i) for i in np.argsort(perm)), moved, math.prod(shape[i] for i in axes)


def flat_shape(moved: tuple, n: int, kept: int) -> tuple:
    """The moved shape with its reduced axes flattened into one of ``n`` entries."""
    return moved[: len(moved) - kept] + (n,)


def prod_second(w: Any, a: Any, axis: Any = None) -> Any:
    """The twin of :func:`s2s.runtime.prod_second`: ``sum_{j != i} w_j prod_{l != i, j} a_l``
    as ``prod_adjoint`` along the rows of ``B_ij = a_j`` (1 at ``j = i``), off the diagonal."""
    shape = np.shape(a)
    perm, back, moved, n = reduction_layout(shape, axis)
    reduced = len(normalize_axes(axis, len(shape)))
    flat = flat_shape(moved, n, reduced)
    x = np.reshape(np.transpose(a, perm), flat)
    v = np.reshape(np.transpose(np.broadcast_to(w, shape), perm), flat)
    eye = np.eye(n, dtype=bool)
    rows = np.where(eye, 1.0, np.expand_dims(x, -2))
    others = prod_adjoint(np.ones(flat), rows, -1)
    out = np.sum(np.where(eye, 0.0, np.expand_dims(v, -2) * others), axis=-1)
    return np.transpose(np.reshape(out, moved), back)


differentiated_as(prod_second)(reductions.prod_second)
