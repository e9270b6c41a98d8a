"""Helpers for the rules of ``numpy.linalg``: norms, ``solve`` and the adjugate for ``det``."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.array_utils import normalize_axis_tuple

from s2s.errors import NoRuleError, caller_location
from s2s.runtime.core import acc_dtype, dtype_of, reads_shape_only, shape_of, unbroadcast
from s2s.runtime.namespace import array_namespace, functional, is_foreign_array
from s2s.runtime.reductions import exclusive_products
from s2s.runtime.ufuncs import div_or_zero


def _tie_share(mask: np.ndarray, axis: int) -> np.ndarray:
    # 1/k on each of the k selected entries along `axis` (DESIGN 8), in mask's float dtype
    return mask / array_namespace(mask).sum(mask, axis=axis, keepdims=True, dtype=mask.dtype)


def _vector_norm_grad(x: np.ndarray, n: np.ndarray, ord: Any, axis: tuple[int, ...]):
    # d norm / dx, with x and the keepdims norm n in the same dtype; 0 at the origin
    xp = array_namespace(x, n)
    if ord is None or ord == 2:
        return div_or_zero(x, n)
    if ord == 1:
        return xp.sign(x)
    if ord == 0:
        return xp.zeros_like(x)
    if ord in (np.inf, -np.inf):
        mask = xp.equal(xp.abs(x), n).astype(x.dtype)
        return xp.sign(x) * _tie_share(mask, axis)
    p = float(ord)
    return div_or_zero(xp.sign(x) * xp.abs(x) ** (p - 1), n ** (p - 1))


def _matrix_norm_grad(x: np.ndarray, n: np.ndarray, ord: Any) -> np.ndarray:
    # x is (..., m, n) and n is (..., 1, 1); d norm / dx, 0 at the origin
    xp = array_namespace(x, n)
    if ord in (None, "fro"):
        return div_or_zero(x, n)
    if ord in (1, -1, np.inf, -np.inf):
        # the extreme column (ord 1) or row (ord inf) sums; compared with the sums recomputed
        # here, not with numpy's norm, which float16 rounds differently
        across, along = (-2, -1) if ord in (1, -1) else (-1, -2)
        sums = xp.sum(xp.abs(x), axis=across, keepdims=True)
        extreme = xp.max if ord > 0 else xp.min
        picked = xp.equal(sums, extreme(sums, axis=along, keepdims=True)).astype(x.dtype)
        return xp.sign(x) * _tie_share(picked, along)
    if xp is not np and x.ndim != 2:
        raise NotImplementedError(
            f"s2s: the adjoint of norm(ord={ord!r}) needs an SVD of each matrix; "
            f"{xp.__name__} takes one matrix at a time"
        )
    if functional(xp):  # Dask's svd is thin and takes no full_matrices
        u, s, vh = xp.linalg.svd(x)
    else:
        u, s, vh = xp.linalg.svd(x, full_matrices=False)
    if ord == "nuc":
        # minimum-norm subgradient: U_r V_r^T over the nonzero singular values
        tol = xp.max(s, axis=-1, keepdims=True) * max(x.shape[-2:]) * np.finfo(x.dtype).eps
        return xp.matmul(u * (s > tol)[..., None, :], vh)
    if ord in (2, -2):
        i = 0 if ord == 2 else -1
        outer = u[..., :, i : i + 1 or None] * vh[..., i : i + 1 or None, :]
        return xp.where(n > 0, outer, 0)
    raise ValueError(f"the adjoint of norm does not support ord={ord!r} for matrices")


def norm_adjoint(g: Any, x: Any, n: Any, ord: Any = None, axis: Any = None, keepdims=False):
    """The adjoint of ``np.linalg.norm(x, ord, axis, keepdims)``: ``x``'s shape and acc. dtype.

    Vector norms: ``ord`` None/2 (``x / |x|``), 1 (``sign x``), inf/-inf (the extreme entries,
    ties split 1/k), 0 (zero) and any other p. Matrix norms (``axis`` a pair, or a 2-D ``x``
    with ``ord`` given): 'fro', 'nuc' (``U_r V_r^T``), 1/-1 and inf/-inf (the extreme column or
    row, ties split), 2/-2 (``u v^T`` of the extreme singular value). At the origin the
    gradient is 0 (DESIGN 8). ``n`` is the norm (numpy's result). Source: numpy.linalg.norm
    definitions; d sigma = u^T dA v.
    """
    return _norm_adjoint(g, x, n, ord, axis, keepdims, vector=False)


def vector_norm_adjoint(g: Any, x: Any, n: Any, ord: Any = 2, axis: Any = None,
                        keepdims: bool = False) -> Any:  # fmt: skip
    """The adjoint of ``np.linalg.vector_norm(x, axis=axis, keepdims=keepdims, ord=ord)``: the
    vector norms of :func:`norm_adjoint` over every axis in ``axis`` (all by default, two
    included). Source: numpy.linalg.vector_norm."""
    return _norm_adjoint(g, x, n, ord, axis, keepdims, vector=True)


def norm_layout(x: Any, ord: Any, axis: Any, vector: bool) -> tuple[tuple[int, ...], bool, tuple]:
    """How ``np.linalg.norm(x, ord, axis)`` (``vector``: ``vector_norm``) reads ``x``: the
    reduced axes (normalized), whether they hold matrices, and the keepdims shape."""
    nd = x.ndim
    if axis is None:
        axes = tuple(range(nd))
        matrix = ord is not None and nd == 2 and not vector
    else:
        axes = normalize_axis_tuple(axis, nd)
        matrix = len(axes) == 2 and not vector
    return axes, matrix, tuple(1 if i in axes else s for i, s in enumerate(x.shape))


def _norm_adjoint(g: Any, x: Any, n: Any, ord: Any, axis: Any, keepdims: bool, vector: bool):
    xp = array_namespace(x)
    x = np.asarray(x) if xp is np else x
    dtype = acc_dtype(x.dtype)
    x = x.astype(dtype, copy=False) if xp is np else x.astype(dtype)
    axes, matrix, keep = norm_layout(x, ord, axis, vector)
    gk = xp.reshape(as_dtype(xp, g, dtype), keep)
    nk = xp.reshape(as_dtype(xp, n, dtype), keep)
    if not matrix:
        return unbroadcast(gk * _vector_norm_grad(x, nk, ord, axes), x)
    moved = (axes[0], axes[1]), (-2, -1)
    local = _matrix_norm_grad(xp.moveaxis(x, *moved), xp.moveaxis(nk, *moved), ord)
    return unbroadcast(gk * xp.moveaxis(local, moved[1], moved[0]), x)


def as_dtype(xp: Any, value: Any, dtype: Any) -> Any:
    """``value`` as an array of ``dtype`` in ``xp`` (a host scalar joins it)."""
    if is_foreign_array(value):
        return value if value.dtype == dtype else value.astype(dtype)
    return np.asarray(value, dtype=dtype) if xp is np else xp.asarray(np.asarray(value, dtype))


@reads_shape_only(1)
def as_columns(x: Any, b: Any) -> Any:
    """``x`` as a stack of matrices: ``x[..., None]`` when ``b`` (an array or ``Like``) is one
    vector (``b.ndim == 1``, as numpy 2's ``solve`` decides), else ``x`` itself. Linear: its
    transpose is :func:`from_columns`. Source: numpy.linalg.solve's shapes."""
    return array_namespace(x).expand_dims(x, -1) if len(shape_of(b)) == 1 else x


@reads_shape_only(1)
def from_columns(x: Any, b: Any) -> Any:
    """The inverse of :func:`as_columns`: ``x[..., 0]`` when ``b`` is one vector, else ``x``."""
    return x[..., 0] if len(shape_of(b)) == 1 else x


@reads_shape_only(2)
def solve_cotangent(g: Any, a: Any, b: Any) -> Any:
    """``solve(A^T, g)``: the adjoint of ``x = np.linalg.solve(a, b)`` before unbroadcasting.

    ``b`` (an array or ``Like``) only tells whether it was one vector (``b.ndim == 1``, as numpy
    2 decides) or a stack of matrices; the result has ``x``'s shape. This factorizes ``A^T``
    once more: numpy exposes no reusable LU, so the adjoint costs a second solve.
    Source: Giles 2008, "Collected matrix derivative results for forward and reverse mode AD".
    """
    xp = array_namespace(g, a)
    at = np.matrix_transpose(a) if xp is np else xp.swapaxes(a, -1, -2)
    if len(shape_of(b)) == 1:
        return xp.linalg.solve(at, xp.expand_dims(g, -1))[..., 0]
    return xp.linalg.solve(at, g)


@reads_shape_only(2, 3)
def solve_grad_a(gb: Any, x: Any, a: Any, b: Any) -> Any:
    """The adjoint of ``x = solve(a, b)`` for ``a``: ``-gb x^T``, unbroadcast onto ``a``.

    ``gb`` is :func:`solve_cotangent`; the result has ``a``'s shape and accumulator dtype.
    Source: Giles 2008 (C = A^-1 B gives dA = -dB C^T with dB = A^-T dC).
    """
    xp = array_namespace(gb, x)
    if len(shape_of(b)) == 1:
        grad = -xp.expand_dims(gb, -1) * xp.expand_dims(x, -2)
    else:
        grad = -xp.matmul(gb, np.matrix_transpose(x) if xp is np else xp.swapaxes(x, -1, -2))
    return unbroadcast(grad, a)


def adjugate(a: Any) -> np.ndarray:
    """The adjugate of each matrix in ``a`` (``(..., n, n)``), exact at singular matrices.

    With the SVD ``A = U S V^T``, ``adj(A) = det(U) det(V) V adj(S) U^T`` where ``adj(S)`` is
    diagonal with the products of the other singular values (no division, so a rank n-1
    matrix gets its nonzero adjugate; ``det(A) inv(A)`` fails exactly there). Same dtype as
    ``a``. Source: adj(XY) = adj(Y) adj(X) and adj(Q) = det(Q) Q^T for orthogonal Q.
    """
    xp = array_namespace(a)
    u, s, vh = xp.linalg.svd(a)
    sign = xp.linalg.det(u) * xp.linalg.det(vh)
    scaled = xp.swapaxes(vh, -1, -2) * exclusive_products(s, -1)[..., None, :]
    return xp.expand_dims(sign, (-2, -1)) * xp.matmul(scaled, xp.swapaxes(u, -1, -2))


def det_adjoint(g: Any, a: Any) -> np.ndarray:
    """The adjoint of ``np.linalg.det(a)``: ``g adj(A)^T`` per matrix (DESIGN 8: exact at
    singular matrices). ``a``'s shape and accumulator dtype. Source: Giles 2008 (Jacobi's formula).
    """
    xp = array_namespace(a)
    adj_t = xp.swapaxes(adjugate(a), -1, -2)
    g = as_dtype(xp, g, acc_dtype(dtype_of(a)))
    return unbroadcast(xp.expand_dims(g, (-2, -1)) * adj_t, a)


def invertible(a: Any) -> Any:
    """``a`` (``(..., n, n)``, numpy) unchanged, checked to have full numerical rank
    (``np.linalg.matrix_rank``'s default tolerance): the plain twins of the second derivatives
    of ``det`` (:mod:`s2s.runtime.adjugates`) go through ``inv``, so a third derivative of
    ``det`` at a singular matrix is refused here rather than by numpy's ``LinAlgError``.

    Raises:
        NoRuleError: a matrix of ``a`` is singular, located at the user's line that asked for
            the derivative.
    """
    if bool(np.any(np.linalg.matrix_rank(np.asarray(a)) < np.shape(a)[-1])):
        raise NoRuleError(
            "a third derivative of np.linalg.det at a singular matrix: s2s differentiates its "
            "second derivative (exact there, by the adjugate) through inv, which does not exist",
            caller_location(),
            "differentiate det at most twice at a singular matrix, or at a nonsingular one",
        )
    return a
