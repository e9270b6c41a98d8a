"""Plain twins of the decompositions' adjoint helpers, differentiated from their source.

Each function computes what its helper in :mod:`s2s.runtime.decompositions` computes, with
numpy calls that have rules of their own (matmul, ``np.linalg.inv``, ``np.linalg.eigh``,
``np.tril``, ``np.where``, ...), so that s2s differentiates an adjoint that calls the helper
again (second order and beyond, :mod:`s2s.runtime.sources`). The helpers keep their own
bodies for the values; the formulas and their sources are in the helpers' docstrings.

Shapes and dtypes are the helpers': stacks of matrices ``(..., m, n)``, results in the
cotangents' dtype. Cotangents of ``None`` (outputs without one) skip their terms, as in the
helpers. Like the helpers, the twins divide by eigenvalue and singular value gaps: a second
derivative exists only where those are simple.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from s2s.runtime.sources import plain
from s2s.runtime.spectra import simple_symmetric


def matrix_transpose(m: Any) -> Any:
    """The transpose of the last two axes."""
    return np.swapaxes(m, -1, -2)


def symmetric_part(m: Any) -> Any:
    """``(m + m^T) / 2`` over the last two axes."""
    return (m + np.swapaxes(m, -1, -2)) * 0.5


def reciprocal_gaps(values: Any, squared: bool) -> Any:
    """``F_ij = 1 / (w_j - w_i)`` (of the squares where ``squared``), 0 where the two are
    equal (the diagonal, and ties: as ``div_or_zero`` gives in the helpers)."""
    w = values * values if squared else values
    gap = w[..., None, :] - w[..., :, None]
    tie = gap == 0
    return np.where(tie, 0.0, 1.0 / np.where(tie, 1.0, gap))


def with_diagonal(m: Any, diagonal: Any) -> Any:
    """``m + diag(diagonal)`` over the last two axes."""
    return m + diagonal[..., :, None] * np.eye(diagonal.shape[-1], dtype=m.dtype)


def eigh_adjoint(g_values: Any, g_vectors: Any, eigenvalues: Any, eigenvectors: Any) -> Any:
    """The twin of :func:`s2s.runtime.eigh_adjoint`: ``V (diag(g_w) + F o (V^T g_V -
    g_V^T V) / 2) V^T``, symmetrized (Giles 2008, section 3.1)."""
    v = eigenvectors
    if g_vectors is None:
        if g_values is None:
            return v * 0.0
        v = v * (simple_symmetric(eigenvalues) * 0.0 + 1.0)[..., None, :]  # checks: dV exists
        return symmetric_part((v * g_values[..., None, :]) @ matrix_transpose(v))
    vtg = matrix_transpose(v) @ g_vectors
    gaps = reciprocal_gaps(simple_symmetric(eigenvalues), False)
    middle = gaps * ((vtg - matrix_transpose(vtg)) * 0.5)
    if g_values is not None:
        middle = with_diagonal(middle, g_values)
    return symmetric_part(v @ middle @ matrix_transpose(v))


def eigvalsh_adjoint(g: Any, a: Any, UPLO: str = "L") -> Any:
    """The twin of :func:`s2s.runtime.eigvalsh_adjoint`: ``V diag(g) V^T`` (Giles 2008)."""
    w, v = np.linalg.eigh(a, UPLO)
    return eigh_adjoint(g, None, w, v)


def cholesky_adjoint(g: Any, L: Any, upper: bool = False, inverse: Any = None) -> Any:
    """The twin of :func:`s2s.runtime.cholesky_adjoint`: ``sym(L^-T P L^-1)`` with
    ``P = tril(L^T g)``, its diagonal halved (Murray 2016). ``inverse`` is not read: the
    twin forms ``L^-1`` itself, so that its derivative follows ``L``."""
    if upper:
        low, g_low = matrix_transpose(L), matrix_transpose(g)
    else:
        low, g_low = L, g
    p = np.tril(matrix_transpose(low) @ g_low)
    p = p - 0.5 * np.tril(np.triu(p))
    inverse = np.linalg.inv(low)
    return symmetric_part(matrix_transpose(inverse) @ p @ inverse)


def eigh_tangent(t: Any, w: Any, v: Any) -> tuple[Any, Any]:
    """The twin of :func:`s2s.runtime.tangent_rules.eigh_tangent`: ``dw = diag(V^T dA V)``,
    ``dV = V (F o V^T dA V)`` along the symmetric part of ``dA`` (Giles 2008, 3.1)."""
    m = matrix_transpose(v) @ symmetric_part(t) @ v
    return np.diagonal(m, axis1=-2, axis2=-1), v @ (m * reciprocal_gaps(w, False))


def cholesky_tangent(t: Any, L: Any, upper: bool = False) -> Any:
    """The twin of :func:`s2s.runtime.tangent_rules.cholesky_tangent`: ``L Phi(L^-1 dA
    L^-T)`` along the symmetric part of ``dA``, ``Phi`` the lower triangle with its diagonal
    halved (Murray 2016)."""
    if upper:
        low = matrix_transpose(L)
    else:
        low = L
    inverse = np.linalg.inv(low)
    inner = inverse @ symmetric_part(t) @ matrix_transpose(inverse)
    out = low @ (np.tril(inner) - 0.5 * np.tril(np.triu(inner)))
    if upper:
        return matrix_transpose(out)
    return out


def svdvals_adjoint(g: Any, a: Any) -> Any:
    """The twin of :func:`s2s.runtime.svdvals_adjoint`: ``U diag(g) V^T`` (Giles 2008)."""
    u, _, vh = np.linalg.svd(a, full_matrices=False)
    return (u * g[..., None, :]) @ vh


def svd_adjoint(g_u, g_s, g_vh, U, S, Vh, a, compute_uv=True) -> Any:
    """The twin of :func:`s2s.runtime.svd_adjoint` (Townsend 2016) where the gradient exists:
    the extra columns of a full decomposition's ``U`` (rows of ``Vh``) take no part (the
    helper gives an ``s2s.Undefined`` marker when they get a cotangent)."""
    if not compute_uv:
        if g_u is None:
            return a * 0.0
        return svdvals_adjoint(g_u, a)
    k = S.shape[-1]
    u, vh = U[..., :k], Vh[..., :k, :]
    v = matrix_transpose(vh)
    s = S[..., None, :]  # scales columns
    middle = u[..., :k, :] * 0.0
    if g_u is not None or g_vh is not None:
        f = reciprocal_gaps(S, True)
    if g_u is not None:
        g_u = g_u[..., :k]
        utg = matrix_transpose(u) @ g_u
        middle = middle + f * (utg - matrix_transpose(utg)) * s
    if g_vh is not None:
        g_v = matrix_transpose(g_vh[..., :k, :])
        vtg = matrix_transpose(v) @ g_v
        middle = middle + matrix_transpose(s) * (f * (vtg - matrix_transpose(vtg)))
    if g_s is not None:
        middle = with_diagonal(middle, g_s)
    grad = u @ middle @ vh
    if g_u is not None and U.shape[-2] > k:
        grad = grad + ((g_u - u @ utg) / s) @ vh
    if g_vh is not None and Vh.shape[-1] > k:
        grad = grad + (u / s) @ matrix_transpose(g_v - v @ vtg)
    return grad



def copyltu(m: Any) -> Any:
    """The symmetric matrix with ``m``'s lower triangle."""
    low = np.tril(m, -1)
    return low + matrix_transpose(low) + np.tril(np.triu(m))


def qr_square(g_q: Any, g_r: Any, q: Any, r: Any) -> Any:
    """``(g_Q + Q copyltu(M)) R^-T`` with ``M = R g_R^T - g_Q^T Q``, for ``m >= n``."""
    m = r @ matrix_transpose(g_r) - matrix_transpose(g_q) @ q
    b = g_q + q @ copyltu(m)
    return matrix_transpose(np.linalg.solve(r, matrix_transpose(b)))


def qr_adjoint(g_q: Any, g_r: Any, Q: Any, R: Any, a: Any = None, mode: str = "reduced") -> Any:
    """The twin of :func:`s2s.runtime.qr_adjoint` (Walter and Lehmann 2018; Liao et al. 2019
    for wide matrices) where the gradient exists: the extra columns of a complete ``Q`` take
    no part. A missing cotangent is a zero one here (a sub-derivative takes arrays)."""
    if mode == "r":
        g_q, g_r, R = None, g_q, Q
        Q = np.linalg.qr(a, mode="reduced")[0]
    if g_q is None and g_r is None:
        return R * 0.0
    k = min(Q.shape[-2], R.shape[-1])
    q, r = Q[..., :k], R[..., :k, :]
    g_q = q * 0.0 if g_q is None else g_q[..., :k]
    g_r = r * 0.0 if g_r is None else g_r[..., :k, :]
    m = Q.shape[-2]
    if m >= R.shape[-1]:
        return qr_square(g_q, g_r, q, r)
    y = a[..., m:]
    g_q = g_q + y @ matrix_transpose(g_r[..., m:])
    g_y = q @ g_r[..., m:]
    return np.concatenate([qr_square(g_q, g_r[..., :m], q, r[..., :m]), g_y], axis=-1)


plain(matrix_transpose, symmetric_part, reciprocal_gaps, with_diagonal, copyltu, qr_square)
