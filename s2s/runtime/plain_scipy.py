"""Plain twins of the helpers of scipy.linalg's rules (their adjoints' and their tangents'),
differentiated from their source.

Each function computes what its helper (in :mod:`s2s.runtime.matrix_functions`,
:mod:`s2s.runtime.scipy_matrix` and :mod:`s2s.runtime.factored`) computes, with numpy and
scipy calls that have rules of their own, so that s2s differentiates an adjoint or a tangent
that calls the helper again (second order: reverse or forward over either,
:mod:`s2s.runtime.sources`). The formulas and their sources are in the helpers' docstrings;
arrays are real 2-D, ``b`` ``(n,)`` or ``(n, k)``.

This module imports scipy: ``templates/scipy_linalg.py`` imports it (its rules load once
scipy is imported), and :func:`mark` names the twins then; ``import s2s`` never imports it.
The option checks the helpers make (``assume_a``, ``disp``, a 0-d factor) are not repeated:
the first derivative made them on the same arguments.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import linalg

from s2s.runtime import factored, matrix_functions, plain_tangents, scipy_matrix
from s2s.runtime import plain_decompositions as decompositions
from s2s.runtime.core import stop_gradient
from s2s.runtime.sources import differentiated_as, plain


def as_matrix(v: Any) -> Any:
    """A vector as a column, a matrix as itself."""
    return v[:, None] if v.ndim == 1 else v


def outer(u: Any, v: Any) -> Any:
    """``u v^T`` for vectors, ``u @ v^T`` for matrices."""
    return as_matrix(u) @ as_matrix(v).T


def untransposed(trans: Any) -> bool:
    """Whether a triangular or LU solve's ``trans`` is ``op(a) = a``."""
    return trans == 0 or trans == "N" or trans == "n"


def expm_frechet(a: Any, e: Any) -> Any:
    """The twin of :func:`s2s.runtime.expm_frechet`: the upper-right block of
    ``expm([[a, e], [0, a]])`` (Higham 2008, theorem 3.6)."""
    n = a.shape[-1]
    top = np.concatenate([a, e], axis=-1)
    bottom = np.concatenate([a * 0.0, a], axis=-1)
    return linalg.expm(np.concatenate([top, bottom], axis=-2))[..., :n, n:]


def logm_frechet(a: Any, e: Any, disp: Any = None) -> Any:
    """The twin of :func:`s2s.runtime.logm_frechet`: the upper-right block of
    ``logm([[a, e], [0, a]])`` (Higham 2008, theorem 3.6)."""
    n = a.shape[-1]
    top = np.concatenate([a, e], axis=-1)
    bottom = np.concatenate([a * 0.0, a], axis=-1)
    return linalg.logm(np.concatenate([top, bottom], axis=-2))[..., :n, n:]


def solve_triangular_grad_a(d_b: Any, x: Any, trans: Any, lower: bool, unit: bool) -> Any:
    """The twin of :func:`s2s.runtime.solve_triangular_grad_a`: ``-d_b x^T`` or ``-x d_b^T``
    on the triangle the solve reads (Giles 2008, 2.3.1)."""
    full = -outer(d_b, x) if untransposed(trans) else -outer(x, d_b)
    offset = 0
    if unit:
        offset = -1 if lower else 1
    return np.tril(full, offset) if lower else np.triu(full, offset)


def scipy_solve_grad_a(d_b: Any, x: Any, transposed: bool, assume_a: Any) -> Any:
    """The twin of :func:`s2s.runtime.scipy_solve_grad_a`: ``-d_b x^T`` or ``-x d_b^T``."""
    return -outer(x, d_b) if transposed else -outer(d_b, x)


def scipy_eigh_adjoint(g_w, g_v, w, v, a, lower, eigvals_only, b, kind, by_index, by_value):
    """The twin of :func:`s2s.runtime.scipy_eigh_adjoint`: numpy's eigh or eigvalsh adjoint."""
    if eigvals_only:
        return decompositions.eigvalsh_adjoint(g_w, a, "L" if lower else "U")
    return decompositions.eigh_adjoint(g_w, g_v, w, v)


def permuted_back(m: Any, perm: Any) -> Any:
    """``out`` with ``out[perm] = m``."""
    return m[np.argsort(perm)]


def scipy_lu_adjoint(g_l: Any, g_u: Any, p: Any, low: Any, up: Any, permute_l: Any,
                     p_indices: Any) -> Any:  # fmt: skip
    """The twin of :func:`s2s.runtime.scipy_lu_adjoint`: ``P L^-T (tril(L^T L_bar, -1) +
    triu(U_bar U^T)) U^-T`` (de Hoog et al. 2011)."""
    inner = low * 0.0
    if g_l is not None:
        inner = inner + np.tril(low.T @ np.tril(g_l, -1), -1)
    if g_u is not None:
        inner = inner + np.triu(np.triu(g_u) @ up.T)
    a_bar = np.linalg.solve(low.T, np.linalg.solve(up, inner.T).T)
    constant = stop_gradient(p)
    perm = np.argsort(constant) if p_indices else np.argmax(constant, axis=0)
    return permuted_back(a_bar, perm)


def cho_factor_part(c: Any, lower: Any) -> Any:
    """The Cholesky factor's triangle of ``c``."""
    return np.tril(c) if lower else np.triu(c)


def cho_solve_grad_c(d_b: Any, x: Any, factor: tuple) -> Any:
    """The twin of :func:`s2s.runtime.cho_solve_grad_c`: ``tril(S L)`` or ``triu(U S)`` with
    ``S = A_bar + A_bar^T``, ``A_bar = -d_b x^T`` (Murray 2016; Giles 2008)."""
    c, lower = factor
    s = -outer(d_b, x)
    s = s + s.T
    f = cho_factor_part(c, lower)
    return np.tril(s @ f) if lower else np.triu(f @ s)


def cho_factor_adjoint(g: Any, c: Any, lower: bool, overwrite_a: Any = False) -> Any:
    """The twin of :func:`s2s.runtime.cho_factor_adjoint`: Murray's symmetrized adjoint of the
    factor's triangle, plus ``g``'s other strict triangle where scipy keeps ``a`` there."""
    if g is None:
        return c * 0.0
    out = decompositions.cholesky_adjoint(cho_factor_part(g, lower), cho_factor_part(c, lower),
                                          not lower)  # fmt: skip
    if factored.cho_factor_keeps(stop_gradient(c), lower, overwrite_a):
        rest = np.triu(g, 1) if lower else np.tril(g, -1)
        out = out + 0.5 * (rest + rest.T)
    return out


def lu_parts(lu: Any) -> tuple[Any, Any]:
    """``L`` (unit lower) and ``U`` of an LU factor."""
    return np.tril(lu, -1) + np.eye(lu.shape[-1], dtype=lu.dtype), np.triu(lu)


def lu_solve_grad_lu(d_b: Any, x: Any, factor: tuple, trans: Any) -> Any:
    """The twin of :func:`s2s.runtime.lu_solve_grad_lu`: ``tril(P^T A_bar U^T, -1) +
    triu(L^T P^T A_bar)``, ``A_bar = -d_b x^T`` or ``-x d_b^T`` (de Hoog et al. 2011)."""
    lu, piv = factor
    a_bar = -outer(d_b, x) if untransposed(trans) else -outer(x, d_b)
    low, up = lu_parts(lu)
    p_a = a_bar[factored.lu_permutation(piv)]
    return np.tril(p_a @ up.T, -1) + np.triu(low.T @ p_a)


def lu_factor_adjoint(g: Any, lu: Any, piv: Any) -> Any:
    """The twin of :func:`s2s.runtime.lu_factor_adjoint`: ``P L^-T (tril(L^T L_bar, -1) +
    triu(U_bar U^T)) U^-T`` (de Hoog et al. 2011)."""
    if g is None:
        return lu * 0.0
    low, up = lu_parts(lu)
    inner = np.tril(low.T @ np.tril(g, -1), -1) + np.triu(np.triu(g) @ up.T)
    a_bar = np.linalg.solve(low.T, np.linalg.solve(up, inner.T).T)
    return permuted_back(a_bar, factored.lu_permutation(piv))


# -- the tangent helpers (forward over forward) ----------------------------------------------


def solve_triangular_tangent_a(da: Any, a: Any, x: Any, trans: Any, lower: bool, unit: bool) -> Any:
    """The twin of :func:`s2s.runtime.solve_triangular_tangent_a`: ``-op(a)^-1 op(da) x``,
    ``da`` on the triangle the solve reads."""
    offset = 0
    if unit:
        offset = -1 if lower else 1
    t = np.tril(da, offset) if lower else np.triu(da, offset)
    op = t if untransposed(trans) else t.T
    return -linalg.solve_triangular(a, op @ x, trans=trans, lower=lower, unit_diagonal=unit)


def scipy_solve_tangent_a(t: Any, a: Any, x: Any, transposed: bool, assume_a: Any) -> Any:
    """The twin of :func:`s2s.runtime.scipy_solve_tangent_a`: ``-op(a)^-1 op(da) x``."""
    if transposed:
        return -np.linalg.solve(a.T, t.T @ as_matrix(x)).reshape(x.shape)
    return -np.linalg.solve(a, t @ as_matrix(x)).reshape(x.shape)


def scipy_eigh_tangent(t, w, v, a, lower, eigvals_only, b, kind, by_index, by_value):
    """The twin of :func:`s2s.runtime.scipy_eigh_tangent`: numpy's eigh or eigvalsh tangent."""
    if eigvals_only:
        first, second = plain_tangents.eigvalsh_tangent(t, a, "L" if lower else "U"), None
    else:
        first, second = decompositions.eigh_tangent(t, w, v)
    return first, second


def scipy_lu_tangent(t: Any, p: Any, low: Any, up: Any, permute_l: Any, p_indices: Any):
    """The twin of :func:`s2s.runtime.scipy_lu_tangent`: with ``F = L^-1 P^T dA U^-1``,
    ``(L tril(F, -1), triu(F) U)`` (de Hoog et al. 2011)."""
    constant = stop_gradient(p)
    perm = np.argsort(constant) if p_indices else np.argmax(constant, axis=0)
    f = np.linalg.solve(low, t[perm])
    f = np.linalg.solve(up.T, f.T).T
    return low @ np.tril(f, -1), np.triu(f) @ up


def cho_factor_tangent(t: Any, c: Any, lower: bool, overwrite_a: Any = False) -> Any:
    """The twin of :func:`s2s.runtime.cho_factor_tangent`: Murray's ``L Phi(L^-1 dA L^-T)``
    on the factor's triangle, plus ``sym(dA)``'s other strict triangle where scipy keeps
    ``a``'s entries there."""
    out = decompositions.cholesky_tangent(t, cho_factor_part(c, lower), not lower)
    if factored.cho_factor_keeps(stop_gradient(c), lower, overwrite_a):
        half = 0.5 * (t + t.T)
        out = out + (np.triu(half, 1) if lower else np.tril(half, -1))
    return out


def cho_solve_tangent_c(t: Any, x: Any, factor: tuple) -> Any:
    """The twin of :func:`s2s.runtime.cho_solve_tangent_c`: ``-A^-1 dA x`` with ``dA = dL L^T
    + L dL^T`` (or ``dU^T U + U^T dU``), ``t = (dc, None)``."""
    c, lower = factor
    dc = t[0]
    if dc is None:
        return x * 0.0
    f, df = cho_factor_part(c, lower), cho_factor_part(dc, lower)
    if lower:
        da, a = df @ f.T + f @ df.T, f @ f.T
    else:
        da, a = df.T @ f + f.T @ df, f.T @ f
    return -np.linalg.solve(a, da @ as_matrix(x)).reshape(x.shape)


def lu_factor_tangent(t: Any, lu: Any, piv: Any) -> Any:
    """The twin of :func:`s2s.runtime.lu_factor_tangent`: with ``F = L^-1 P^T dA U^-1``,
    ``L tril(F, -1) + triu(F) U``."""
    low, up = lu_parts(lu)
    f = np.linalg.solve(low, t[factored.lu_permutation(piv)])
    f = np.linalg.solve(up.T, f.T).T
    return low @ np.tril(f, -1) + np.triu(f) @ up


def lu_solve_tangent_lu(t: Any, x: Any, factor: tuple, trans: Any) -> Any:
    """The twin of :func:`s2s.runtime.lu_solve_tangent_lu`: ``-op(A)^-1 op(dA) x`` with ``dA
    = P (dL U + L dU)``, ``t = (dlu, None)``."""
    lu, piv = factor
    dlu = t[0]
    if dlu is None:
        return x * 0.0
    low, up = lu_parts(lu)
    perm = factored.lu_permutation(piv)
    da = permuted_back(np.tril(dlu, -1) @ up + low @ np.triu(dlu), perm)
    a = permuted_back(low @ up, perm)
    if not untransposed(trans):
        a, da = a.T, da.T
    return -np.linalg.solve(a, da @ as_matrix(x)).reshape(x.shape)


def mark() -> None:
    """Name these twins on the helpers (once scipy's rules load)."""
    plain(as_matrix, outer, permuted_back, cho_factor_part, lu_parts)
    pairs = [
        (matrix_functions.expm_frechet, expm_frechet),
        (scipy_matrix.logm_frechet, logm_frechet),
        (matrix_functions.solve_triangular_grad_a, solve_triangular_grad_a),
        (scipy_matrix.scipy_solve_grad_a, scipy_solve_grad_a),
        (scipy_matrix.scipy_eigh_adjoint, scipy_eigh_adjoint),
        (scipy_matrix.scipy_lu_adjoint, scipy_lu_adjoint),
        (factored.cho_solve_grad_c, cho_solve_grad_c),
        (factored.cho_factor_adjoint, cho_factor_adjoint),
        (factored.lu_solve_grad_lu, lu_solve_grad_lu),
        (factored.lu_factor_adjoint, lu_factor_adjoint),
        (matrix_functions.solve_triangular_tangent_a, solve_triangular_tangent_a),
        (scipy_matrix.scipy_solve_tangent_a, scipy_solve_tangent_a),
        (scipy_matrix.scipy_eigh_tangent, scipy_eigh_tangent),
        (scipy_matrix.scipy_lu_tangent, scipy_lu_tangent),
        (factored.cho_factor_tangent, cho_factor_tangent),
        (factored.cho_solve_tangent_c, cho_solve_tangent_c),
        (factored.lu_factor_tangent, lu_factor_tangent),
        (factored.lu_solve_tangent_lu, lu_solve_tangent_lu),
    ]
    for helper, twin in pairs:
        differentiated_as(twin)(helper)
