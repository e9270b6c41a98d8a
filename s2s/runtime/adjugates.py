"""Second derivatives of ``np.linalg.det`` exact at singular matrices: the derivative of the
adjugate, on which :func:`s2s.runtime.det_adjoint` (``g adj(A)^T``) is built (DESIGN 8).

With the SVD ``A = U S V^T`` and ``sigma = det(U) det(V)``, ``adj(A + E) = sigma V adj(S + E')
U^T`` for ``E' = U^T E V`` (``adj(XY) = adj(Y) adj(X)``, ``adj(Q) = det(Q) Q^T`` for an
orthogonal ``Q``; the factors stay fixed, so this is exact, not a linearization of a moving
SVD). For the diagonal ``S``, with ``P_ij`` the product of the singular values other than
the ``i``-th and ``j``-th, the derivative of its adjugate along ``E'`` is
``D(E') = diag(sum_{k != i} P_ik E'_kk) - P o offdiag(E')`` (expand the minors to first
order; no division, so it holds at rank n-1 and n-2 where ``det(A) A^-1`` fails). ``D`` is
self-adjoint, so the transpose map is ``sigma U D(V^T C U) V^T``. Source: Jacobi's formula
differentiated, as Giles 2008 for a nonsingular A (``d adj = tr(A^-1 dA) adj - adj dA A^-1``),
to which it reduces there.

Shapes: ``a`` is ``(..., n, n)`` (float32 or float64), the cotangent ``g`` of det has its
batch shape (or is a scalar); results are ``a``-shaped in the accumulator dtype. numpy only
(these run at second order).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from s2s.runtime import plain_linalg_extra as twin
from s2s.runtime.core import acc_dtype, dtype_of
from s2s.runtime.reductions import exclusive_products
from s2s.runtime.sources import differentiated_as


def _T(m: Any) -> Any:
    return np.swapaxes(m, -1, -2)


def _pair_products(s: Any) -> Any:
    # P[..., j, i] = prod of s_k over k not in {i, j} (i != j), 0 on the diagonal
    n = s.shape[-1]
    eye = np.eye(n, dtype=bool)
    spread = np.where(eye, 1.0, np.broadcast_to(s[..., None, :], s.shape + (n,)))
    return np.where(eye, 0.0, exclusive_products(spread.astype(s.dtype), -1))


def _diagonal_adjugate_derivative(m: Any, pairs: Any) -> Any:
    # D(M) = diag(P @ diag(M)) - P o offdiag(M) (P symmetric with a zero diagonal)
    diag = np.diagonal(m, axis1=-2, axis2=-1)
    on = np.matmul(pairs, diag[..., None])[..., 0]
    return on[..., None] * np.eye(m.shape[-1], dtype=m.dtype) - pairs * m


def _svd(a: Any) -> tuple[Any, Any, Any, Any]:
    u, s, vh = np.linalg.svd(a)
    sign = np.linalg.det(u) * np.linalg.det(vh)
    return u, _pair_products(s), vh, sign[..., None, None]


def adjugate_tangent(t: Any, a: Any) -> Any:
    """The derivative of ``adj(A)`` along ``t`` (both ``(..., n, n)``):
    ``sigma V D(U^T t V) U^T`` (module docstring), exact at singular ``A``."""
    u, pairs, vh, sign = _svd(a)
    return sign * (_T(vh) @ _diagonal_adjugate_derivative(_T(u) @ t @ _T(vh), pairs) @ _T(u))


def adjugate_cotangent(c: Any, a: Any) -> Any:
    """The transpose of :func:`adjugate_tangent` in ``t``: ``sigma U D(V^T c U) V^T``, the
    gradient of ``<c, adj(A)>`` for ``A``."""
    u, pairs, vh, sign = _svd(a)
    return sign * (u @ _diagonal_adjugate_derivative(vh @ c @ u, pairs) @ vh)


def _expanded(g: Any) -> Any:
    return np.asarray(g)[..., None, None]


@differentiated_as(twin.det_adjoint_jvp)
def det_adjoint_jvp(t: Any, g: Any, a: Any) -> Any:
    """The tangent of ``det_adjoint(g, a) = g adj(A)^T`` along ``t`` (``a``'s tangent):
    ``g D_t(adj A)^T``, exact at singular ``A``; ``a``'s shape and accumulator dtype."""
    dtype = acc_dtype(dtype_of(a))
    return (_expanded(g) * _T(adjugate_tangent(t, a))).astype(dtype, copy=False)


@differentiated_as(twin.det_adjoint_vjp)
def det_adjoint_vjp(c: Any, g: Any, a: Any) -> Any:
    """The adjoint of ``det_adjoint(g, a) = g adj(A)^T`` for ``a``, given its result's
    cotangent ``c``: ``adjugate_cotangent(g c^T, A)``, exact at singular ``A``; ``a``'s shape
    and accumulator dtype."""
    dtype = acc_dtype(dtype_of(a))
    return adjugate_cotangent(_expanded(g) * _T(c), a).astype(dtype, copy=False)
