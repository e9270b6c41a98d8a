"""Helpers of the ``scipy.linalg`` rules: Fréchet derivatives and triangular-solve gradients.

scipy is imported inside each helper (the rules that call them load only once it is imported),
so ``import s2s.runtime`` never needs it. Matrices are 2-D unless a helper says otherwise.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def expm_frechet(a: Any, e: Any) -> np.ndarray:
    """The Fréchet derivative ``L(a, e)`` of the matrix exponential at ``a`` in direction ``e``,
    in the dtype of ``a`` and ``e`` (scipy computes in float64); ``(..., n, n)`` stacks loop.

    Source: Al-Mohy and Higham 2009, "Computing the Fréchet derivative of the matrix
    exponential" (scipy.linalg.expm_frechet); equal to the upper right block of
    ``expm([[a, e], [0, a]])`` (Higham 2008, "Functions of Matrices", theorem 3.6). The adjoint
    is ``L(a^T, g)``.
    """
    from scipy import linalg

    a, e = np.asarray(a), np.asarray(e)
    dtype = np.result_type(a, e)
    a, e = a.astype(np.float64, copy=False), e.astype(np.float64, copy=False)
    if a.ndim == 2 and e.ndim == 2:
        return linalg.expm_frechet(a, e, compute_expm=False).astype(dtype, copy=False)
    shape = np.broadcast_shapes(a.shape, e.shape)
    a, e = np.broadcast_to(a, shape), np.broadcast_to(e, shape)
    out = np.empty(shape, dtype=dtype)
    for index in np.ndindex(shape[:-2]):
        out[index] = linalg.expm_frechet(a[index], e[index], compute_expm=False)
    return out


def transposed_trans(trans: Any) -> int:
    """The ``trans`` argument of the transposed triangular solve: ``0`` <-> ``1`` (real input,
    so ``'C'`` is ``'T'``)."""
    return 1 if trans in (0, "N", "n") else 0


def read_triangle(m: Any, lower: bool, unit_diagonal: bool) -> np.ndarray:
    """The entries of ``m`` a triangular solve reads: the lower or upper triangle, without the
    diagonal when it is taken as ones (scipy.linalg.solve_triangular)."""
    offset = 0 if not unit_diagonal else (-1 if lower else 1)
    return np.tril(m, offset) if lower else np.triu(m, offset)


def _as_matrix(v: Any) -> np.ndarray:
    v = np.asarray(v)
    return v[:, None] if v.ndim == 1 else v


def solve_triangular_grad_a(d_b: Any, x: Any, trans: Any, lower: bool, unit: bool) -> np.ndarray:
    """The gradient in ``a`` of ``x = op(a)^-1 b`` given ``d_b = op(a)^-T g``: ``-d_b x^T`` for
    ``op(a) = a``, ``-x d_b^T`` for ``op(a) = a^T``, on the triangle the solve reads.
    Source: Giles 2008, "Collected matrix derivative results", section 2.3.1."""
    d_b, x = _as_matrix(d_b), _as_matrix(x)
    outer = -(d_b @ x.T) if trans in (0, "N", "n") else -(x @ d_b.T)
    return read_triangle(outer, lower, unit)


def solve_triangular_tangent_a(da: Any, a: Any, x: Any, trans: Any, lower: bool, unit: bool):
    """The tangent of ``x = op(a)^-1 b`` from ``da``: ``-op(a)^-1 op(da) x``, with ``da`` on the
    triangle the solve reads. Source: Giles 2008, section 2.3.1."""
    from scipy import linalg

    t = read_triangle(da, lower, unit)
    op = t if trans in (0, "N", "n") else np.swapaxes(t, -1, -2)
    return -linalg.solve_triangular(a, op @ x, trans=trans, lower=lower, unit_diagonal=unit)
