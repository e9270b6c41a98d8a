"""Adjoints and tangents of scipy.linalg's factor-then-solve pairs, on numpy alone.

``cho_factor(a)`` returns ``(c, lower)``: one triangle of ``c`` is the Cholesky factor (``L``
with ``a = L L^T`` when ``lower``, else ``U`` with ``a = U^T U``), the other triangle holds
``a``'s own entries in scipy <= 1.17 (LAPACK's potrf leaves it untouched) and zeros in scipy
1.18 (unless ``overwrite_a``): the rule reads which from the output. ``lu_factor(a)`` returns ``(lu,
piv)``: ``P^T a = L U`` with ``L`` unit lower (its strict triangle in ``lu``), ``U`` upper, and
``piv`` LAPACK's row interchanges (row ``i`` swapped with ``piv[i]``, in order). The solves
read the factor only; a gradient reaching ``c`` or ``lu`` flows back to ``a`` through the
factorization's own rule. All arrays are real 2-D ``(n, n)``; ``b`` is ``(n,)`` or ``(n, k)``.

Sources: Giles 2008, "Collected matrix derivative results for forward and reverse mode AD"
(solve: ``dx = -A^-1 dA x``, ``A_bar = -A^-T g x^T``); Murray 2016, "Differentiation of the
Cholesky decomposition"; de Hoog, Anderssen and Lukas 2011, "Differentiation of matrix
functionals using triangular factorization" (LU: ``F = L^-1 P^T dA U^-1``, ``dL = L
tril(F, -1)``, ``dU = triu(F) U``).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from s2s.runtime.decompositions import cholesky_adjoint
from s2s.runtime.scipy_matrix import square_matrix
from s2s.runtime.tangent_rules import cholesky_tangent


def _matrix(v: Any) -> np.ndarray:
    v = np.asarray(v)
    return v[:, None] if v.ndim == 1 else v


def _outer(u: Any, v: Any) -> np.ndarray:
    """``u v^T`` for vectors, ``u @ v^T`` for matrices (``b``'s two shapes)."""
    return _matrix(u) @ _matrix(v).T


def _factor(c: Any, lower: bool) -> np.ndarray:
    """The Cholesky factor's triangle of ``c`` (the other triangle zeroed)."""
    return np.tril(c) if lower else np.triu(c)


def _rest(m: Any, lower: bool) -> np.ndarray:
    """The strict triangle of ``m`` that ``cho_factor`` does not factor into (``a``'s entries
    in scipy <= 1.17, zeros in scipy 1.18 unless ``overwrite_a``)."""
    return np.triu(m, 1) if lower else np.tril(m, -1)


def cho_solve_grad_c(d_b: Any, x: Any, factor: tuple) -> np.ndarray:
    """The gradient in ``c`` of ``x = cho_solve(factor, b)``, ``factor = (c, lower)``, given
    ``d_b = A^-1 g``: with
    ``A_bar = -d_b x^T`` and ``S = A_bar + A_bar^T``, ``tril(S L)`` (``a = L L^T``) or
    ``triu(U S)`` (``a = U^T U``); zero on the triangle the solve does not read."""
    c, lower = factor
    s = -_outer(d_b, x)
    s = s + s.T
    f = _factor(c, lower)
    return np.tril(s @ f) if lower else np.triu(f @ s)


def cho_solve_tangent_c(t: Any, x: Any, factor: tuple) -> np.ndarray:
    """The tangent of ``x = cho_solve(factor, b)`` from the factor's tangent ``t = (dc, None)``:
    ``-A^-1 dA x`` with ``dA = dL L^T + L dL^T`` (or ``dU^T U + U^T dU``), ``dL`` the read
    triangle of ``dc``."""
    (c, lower), t = factor, t[0]
    if t is None:
        return np.zeros_like(x)
    f, df = _factor(c, lower), _factor(t, lower)
    da = df @ f.T + f @ df.T if lower else df.T @ f + f.T @ df
    a = f @ f.T if lower else f.T @ f
    dx = -np.linalg.solve(a, da @ _matrix(x))
    return dx[:, 0] if np.ndim(x) == 1 else dx


@functools.lru_cache(maxsize=64)
def _probe_keeps(dtype: str, ndim: int, fortran: bool, lower: bool, overwrite_a: bool) -> bool:
    """Whether the installed scipy's ``cho_factor`` leaves ``a``'s entries in the factor's
    other triangle for input of this dtype, dimension and layout (scipy <= 1.17 always does;
    1.18 zeros it unless ``overwrite_a`` factors a contiguous matrix in place), read from its
    output on a 2x2 matrix whose other triangle is not zero."""
    from scipy import linalg

    probe = np.array([[2.0, 0.5], [0.5, 2.0]], dtype=dtype, order="F" if fortran else "C")
    probe = probe.reshape((1,) * (ndim - 2) + (2, 2))
    c = np.asarray(linalg.cho_factor(probe, lower=lower, overwrite_a=overwrite_a)[0])
    return bool(np.any(_rest(c, lower)))


def cho_factor_keeps(c: Any, lower: Any, overwrite_a: Any = False) -> bool:
    """Whether ``c`` (``cho_factor``'s factor) holds ``a``'s entries in its other strict
    triangle, so that they depend on ``a``, or zeros, which do not. Read from ``c`` itself
    where that triangle has a non-zero entry (then it is ``a``'s), else from the installed
    scipy's output on a probe of ``c``'s dtype and layout with the same options."""
    c = np.asarray(c)
    lower = bool(lower)
    if np.any(_rest(c, lower)):
        return True
    fortran = bool(c.flags.f_contiguous and not c.flags.c_contiguous)
    return _probe_keeps(c.dtype.str, max(c.ndim, 2), fortran, lower, bool(overwrite_a))


def cho_factor_adjoint(g: Any, c: Any, lower: bool, overwrite_a: Any = False) -> np.ndarray:
    """The gradient in ``a`` of ``(c, lower) = cho_factor(a, lower)``: Murray's symmetrized
    adjoint of the factor's triangle, plus, where scipy leaves ``a``'s entries in the other
    strict triangle (:func:`cho_factor_keeps`), ``g`` there, symmetrized: ``a`` is read as
    symmetric, its gradient is symmetric (DESIGN 7). scipy 1.18 zeros that triangle (unless
    ``overwrite_a``): it then depends on nothing and gets no gradient."""
    if g is None:
        return np.zeros_like(c)
    lower = bool(lower)
    out = cholesky_adjoint(_factor(g, lower), _factor(c, lower), not lower)
    if cho_factor_keeps(c, lower, overwrite_a):
        rest = _rest(g, lower)
        out = out + 0.5 * (rest + rest.T)
    return out


def cho_factor_tangent(t: Any, c: Any, lower: bool, overwrite_a: Any = False) -> np.ndarray:
    """The tangent of ``c``: Murray's ``L Phi(L^-1 dA L^-T)`` on the factor's triangle, and
    ``dA`` itself (its symmetric part) on the other strict triangle where scipy leaves ``a``'s
    entries there (:func:`cho_factor_keeps`), else 0."""
    t = np.asarray(t)
    lower = bool(lower)
    out = cholesky_tangent(t, _factor(c, lower), not lower)
    if cho_factor_keeps(c, lower, overwrite_a):
        out = out + _rest(0.5 * (t + t.T), lower)
    return out


def lu_permutation(piv: Any) -> np.ndarray:
    """``perm`` with ``a[perm] = P^T a = L U``, from LAPACK's interchanges ``piv``."""
    perm = np.arange(len(piv))
    for i, p in enumerate(np.asarray(piv)):
        perm[[i, p]] = perm[[p, i]]
    return perm


def _lu_parts(lu: Any) -> tuple[np.ndarray, np.ndarray]:
    n = np.shape(lu)[-1]
    return np.tril(lu, -1) + np.eye(n, dtype=np.result_type(lu)), np.triu(lu)


def _lu_matrix(lu: Any, piv: Any) -> np.ndarray:
    """``a = P L U`` rebuilt from the factor."""
    low, up = _lu_parts(lu)
    a = np.empty_like(low)
    a[lu_permutation(piv)] = low @ up
    return a


def lu_solve_grad_lu(d_b: Any, x: Any, factor: tuple, trans: Any) -> np.ndarray:
    """The gradient in ``lu`` of ``x = lu_solve(factor, b, trans)``, ``factor = (lu, piv)``,
    given ``d_b = op(A)^-T g``: ``A_bar = -d_b x^T`` (``op(A) = A``) or ``-x d_b^T`` (``op(A)
    = A^T``), then through ``A = P L U``: ``tril(P^T A_bar U^T, -1) + triu(L^T P^T A_bar)``."""
    lu, piv = factor
    a_bar = -_outer(d_b, x) if trans in (0, "N", "n") else -_outer(x, d_b)
    low, up = _lu_parts(lu)
    p_a = a_bar[lu_permutation(piv)]
    return np.tril(p_a @ up.T, -1) + np.triu(low.T @ p_a)


def lu_solve_tangent_lu(t: Any, x: Any, factor: tuple, trans: Any) -> np.ndarray:
    """The tangent of ``x = lu_solve(factor, b, trans)`` from the factor's tangent ``t = (dlu,
    None)``: ``-op(A)^-1 op(dA) x`` with ``dA = P (dL U + L dU)``, ``dL``, ``dU`` the strict
    lower and upper parts of ``dlu``."""
    (lu, piv), t = factor, t[0]
    if t is None:
        return np.zeros_like(x)
    low, up = _lu_parts(lu)
    da = np.empty_like(low)
    da[lu_permutation(piv)] = np.tril(t, -1) @ up + low @ np.triu(t)
    a = _lu_matrix(lu, piv)
    if trans not in (0, "N", "n"):
        a, da = a.T, da.T
    dx = -np.linalg.solve(a, da @ _matrix(x))
    return dx[:, 0] if np.ndim(x) == 1 else dx


def lu_factor_adjoint(g: Any, lu: Any, piv: Any) -> np.ndarray:
    """The gradient in ``a`` of ``(lu, piv) = lu_factor(a)``: ``P L^-T (tril(L^T L_bar, -1) +
    triu(U_bar U^T)) U^-T`` with ``L_bar``, ``U_bar`` the strict lower and upper parts of ``g``.
    A factor of fewer than 2 dimensions (scipy factors a 0-d value as a 1x1 matrix) raises
    :class:`~s2s.errors.UnsupportedArgumentError`."""
    square_matrix(lu, "lu_factor")
    if g is None:
        return np.zeros_like(lu)
    low, up = _lu_parts(lu)
    inner = np.tril(low.T @ np.tril(g, -1), -1) + np.triu(np.triu(g) @ up.T)
    a_bar = np.linalg.solve(low.T, np.linalg.solve(up, inner.T).T)  # L^-T inner U^-T
    out = np.empty_like(a_bar)
    out[lu_permutation(piv)] = a_bar
    return out


def lu_factor_tangent(t: Any, lu: Any, piv: Any) -> np.ndarray:
    """The tangent of ``lu``: with ``F = L^-1 P^T dA U^-1``, ``L tril(F, -1) + triu(F) U``."""
    square_matrix(lu, "lu_factor")
    low, up = _lu_parts(lu)
    f = np.linalg.solve(low, np.asarray(t)[lu_permutation(piv)])
    f = np.linalg.solve(up.T, f.T).T
    return low @ np.tril(f, -1) + np.triu(f) @ up
