"""Helpers for the rules of ``numpy.linalg``: norms, ``solve`` and the adjugate for ``det``."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.array_utils import normalize_axis_tuple

from s2s.runtime.core import acc_dtype, dtype_of, reads_shape_only, shape_of, unbroadcast
from s2s.runtime.reductions import exclusive_products
from s2s.runtime.ufuncs import div_or_zero


def _tie_share(mask: np.ndarray, axis: int) -> np.ndarray:
    # 1/k on each of the k selected entries along `axis` (DESIGN 8), in mask's float dtype
    return mask / np.sum(mask, axis=axis, keepdims=True, dtype=mask.dtype)


def _vector_norm_grad(x: np.ndarray, n: np.ndarray, ord: Any, axis: tuple[int, ...]):
    # d norm / dx, with x and the keepdims norm n in the same dtype; 0 at the origin
    if ord is None or ord == 2:
        return div_or_zero(x, n)
    if ord == 1:
        return np.sign(x)
    if ord == 0:
        return np.zeros_like(x)
    if ord in (np.inf, -np.inf):
        mask = np.equal(np.abs(x), n).astype(x.dtype)
        return np.sign(x) * _tie_share(mask, axis)
    p = float(ord)
    return div_or_zero(np.sign(x) * np.abs(x) ** (p - 1), n ** (p - 1))


def _matrix_norm_grad(x: np.ndarray, n: np.ndarray, ord: Any) -> np.ndarray:
    # x is (..., m, n) and n is (..., 1, 1); d norm / dx, 0 at the origin
    if ord in (None, "fro"):
        return div_or_zero(x, n)
    if ord in (1, -1, np.inf, -np.inf):
        # the extreme column (ord 1) or row (ord inf) sums; compared with the sums recomputed
        # here, not with numpy's norm, which float16 rounds differently
        across, along = (-2, -1) if ord in (1, -1) else (-1, -2)
        sums = np.sum(np.abs(x), axis=across, keepdims=True)
        extreme = np.max if ord > 0 else np.min
        picked = np.equal(sums, extreme(sums, axis=along, keepdims=True)).astype(x.dtype)
        return np.sign(x) * _tie_share(picked, along)
    u, s, vh = np.linalg.svd(x, full_matrices=False)
    if ord == "nuc":
        # minimum-norm subgradient: U_r V_r^T over the nonzero singular values
        tol = np.max(s, axis=-1, keepdims=True) * max(x.shape[-2:]) * np.finfo(x.dtype).eps
        return np.matmul(u * (s > tol)[..., None, :], vh)
    if ord in (2, -2):
        i = 0 if ord == 2 else -1
        outer = u[..., :, i : i + 1 or None] * vh[..., i : i + 1 or None, :]
        return np.where(n > 0, outer, 0)
    raise ValueError(f"the adjoint of norm does not support ord={ord!r} for matrices")


def norm_adjoint(g: Any, x: Any, result: Any, ord: Any = None, axis: Any = None, keepdims=False):
    """The adjoint of ``np.linalg.norm(x, ord, axis, keepdims)``: ``x``'s shape and acc. dtype.

    Vector norms: ``ord`` None/2 (``x / |x|``), 1 (``sign x``), inf/-inf (the extreme entries,
    ties split 1/k), 0 (zero) and any other p. Matrix norms (``axis`` a pair, or a 2-D ``x``
    with ``ord`` given): 'fro', 'nuc' (``U_r V_r^T``), 1/-1 and inf/-inf (the extreme column or
    row, ties split), 2/-2 (``u v^T`` of the extreme singular value). At the origin the
    gradient is 0 (DESIGN 8). Source: numpy.linalg.norm definitions; d sigma = u^T dA v.
    """
    x = np.asarray(x)
    dtype = acc_dtype(x.dtype)
    x = x.astype(dtype, copy=False)
    nd = x.ndim
    if axis is None:
        axes = tuple(range(nd))
        matrix = ord is not None and nd == 2
    else:
        axes = normalize_axis_tuple(axis, nd)
        matrix = len(axes) == 2
    keep = tuple(1 if i in axes else s for i, s in enumerate(x.shape))
    gk = np.reshape(np.asarray(g, dtype=dtype), keep)
    nk = np.reshape(np.asarray(result, dtype=dtype), keep)
    if not matrix:
        return unbroadcast(gk * _vector_norm_grad(x, nk, ord, axes), x)
    moved = (axes[0], axes[1]), (-2, -1)
    local = _matrix_norm_grad(np.moveaxis(x, *moved), np.moveaxis(nk, *moved), ord)
    return unbroadcast(gk * np.moveaxis(local, moved[1], moved[0]), x)


@reads_shape_only(2)
def solve_cotangent(g: Any, a: Any, b: Any) -> Any:
    """``solve(A^T, g)``: the adjoint of ``x = np.linalg.solve(a, b)`` before unbroadcasting.

    ``b`` (an array or ``Like``) only tells whether it was one vector (``b.ndim == 1``, as numpy
    2 decides) or a stack of matrices; the result has ``x``'s shape. This factorizes ``A^T``
    once more: numpy exposes no reusable LU, so the adjoint costs a second solve.
    Source: Giles 2008, "Collected matrix derivative results for forward and reverse mode AD".
    """
    at = np.matrix_transpose(a)
    if len(shape_of(b)) == 1:
        return np.linalg.solve(at, np.expand_dims(g, -1))[..., 0]
    return np.linalg.solve(at, g)


@reads_shape_only(2, 3)
def solve_grad_a(gb: Any, x: Any, a: Any, b: Any) -> Any:
    """The adjoint of ``x = solve(a, b)`` for ``a``: ``-gb x^T``, unbroadcast onto ``a``.

    ``gb`` is :func:`solve_cotangent`; the result has ``a``'s shape and accumulator dtype.
    Source: Giles 2008 (C = A^-1 B gives dA = -dB C^T with dB = A^-T dC).
    """
    if len(shape_of(b)) == 1:
        grad = -np.expand_dims(gb, -1) * np.expand_dims(x, -2)
    else:
        grad = -np.matmul(gb, np.matrix_transpose(x))
    return unbroadcast(grad, a)


def adjugate(a: Any) -> np.ndarray:
    """The adjugate of each matrix in ``a`` (``(..., n, n)``), exact at singular matrices.

    With the SVD ``A = U S V^T``, ``adj(A) = det(U) det(V) V adj(S) U^T`` where ``adj(S)`` is
    diagonal with the products of the other singular values (no division, so a rank n-1
    matrix gets its nonzero adjugate; ``det(A) inv(A)`` fails exactly there). Same dtype as
    ``a``. Source: adj(XY) = adj(Y) adj(X) and adj(Q) = det(Q) Q^T for orthogonal Q.
    """
    u, s, vh = np.linalg.svd(a)
    sign = np.linalg.det(u) * np.linalg.det(vh)
    scaled = np.matrix_transpose(vh) * exclusive_products(s, -1)[..., None, :]
    return np.expand_dims(sign, (-2, -1)) * np.matmul(scaled, np.matrix_transpose(u))


def det_adjoint(g: Any, a: Any) -> np.ndarray:
    """The adjoint of ``np.linalg.det(a)``: ``g adj(A)^T`` per matrix (DESIGN 8: exact at
    singular matrices). ``a``'s shape and accumulator dtype. Source: Giles 2008 (Jacobi's formula).
    """
    adj_t = np.matrix_transpose(adjugate(a))
    g = np.asarray(g, dtype=acc_dtype(dtype_of(a)))
    return unbroadcast(np.expand_dims(g, (-2, -1)) * adj_t, a)
