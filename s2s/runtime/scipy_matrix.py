"""Options and helpers of the rules for scipy.linalg's solve, inv, eigh, qr, lu and logm.

These functions have numpy counterparts whose runtime helpers their rules reuse; what is
scipy's own is checked here: an option that changes what is computed and that the rule does
not differentiate (``assume_a`` reading one triangle, a generalized ``eigh``, ``qr`` with
pivoting) raises :class:`~s2s.errors.UnsupportedArgumentError` saying what to call instead.
Arrays are real 2-D; scipy itself is imported only by the functions that call it (``import
s2s`` never imports scipy).

Sources: Giles 2008, "Collected matrix derivative results for forward and reverse mode AD"
(solve); de Hoog, Anderssen and Lukas 2011 (LU: ``F = L^-1 P^T dA U^-1``, ``dL = L tril(F,
-1)``, ``dU = triu(F) U``); Higham 2008, "Functions of Matrices", theorem 3.6 (Mathias: the
upper-right block of ``f([[A, E], [0, A]])`` is the Fréchet derivative ``L_f(A, E)``) and
section 3.2 (the adjoint of ``L_f(A, .)`` is ``L_f(A^T, .)`` for real analytic ``f``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from s2s.errors import UnsupportedArgumentError
from s2s.runtime.decompositions import eigh_adjoint, eigvalsh_adjoint
from s2s.runtime.tangent_rules import eigh_tangent, eigvalsh_tangent

GENERAL = (None, "gen", "general")


def _refuse(function: str, what: str, advice: str) -> None:
    raise UnsupportedArgumentError(
        f"the rule of scipy.linalg.{function} does not differentiate {what}", None, advice
    )


def square_matrix(a: Any, function: str) -> Any:
    """``a`` itself when it has at least 2 dimensions. scipy.linalg reads a 0-d value or a 1-D
    array of one entry as a 1x1 matrix and broadcasts the right-hand side against it, which
    the rule's matrix calculus does not follow: refused rather than a wrong gradient."""
    if np.ndim(a) < 2:
        raise UnsupportedArgumentError(
            f"the rule of scipy.linalg.{function} differentiates matrices of at least 2 "
            f"dimensions, not a {np.ndim(a)}-d value (a Python float or numpy scalar is 0-d), "
            "which scipy reads as a 1x1 matrix",
            None,
            "pass the matrix as a 2-D array (np.atleast_2d(a)), or divide by the scalar",
        )
    return a


def general(assume_a: Any, function: str) -> Any:
    """``assume_a`` itself when it is a general matrix's (the rule reads every entry); a
    structure (``'sym'``, ``'pos'``, banded, triangular) reads part of ``a``: refused."""
    if assume_a not in GENERAL:
        _refuse(function, f"assume_a={assume_a!r} (it reads part of the matrix)",
                f"call scipy.linalg.{function} without assume_a, or solve_triangular, "
                "cho_factor and cho_solve for a triangular or positive definite one")  # fmt: skip
    return assume_a


def lapack_ready(a: Any) -> Any:
    """``a`` in float32 if it is float16 (scipy.linalg computes float16 input in float32 or
    float64; numpy.linalg, which the shared helpers call, refuses float16), else ``a``."""
    return np.asarray(a, np.float32) if np.result_type(a) == np.float16 else a


def general_matrix(value: Any, assume_a: Any, function: str) -> Any:
    """``value`` itself once :func:`general` accepts ``assume_a``."""
    general(assume_a, function)
    return value


def _outer(u: Any, v: Any) -> np.ndarray:
    u, v = np.asarray(u), np.asarray(v)
    return np.multiply.outer(u, v) if u.ndim == 1 else u @ v.T


def scipy_solve_grad_a(d_b: Any, x: Any, transposed: bool, assume_a: Any) -> np.ndarray:
    """The gradient in ``a`` of ``x = scipy.linalg.solve(a, b, transposed=...)`` given ``d_b =
    op(a)^-T g``: ``-d_b x^T`` (``op(a) = a``) or ``-x d_b^T`` (``op(a) = a^T``); Giles 2008."""
    general(assume_a, "solve")
    return -_outer(x, d_b) if transposed else -_outer(d_b, x)


def scipy_solve_tangent_a(t: Any, a: Any, x: Any, transposed: bool, assume_a: Any) -> np.ndarray:
    """The tangent of ``x = scipy.linalg.solve(a, b)`` from ``da``: ``-op(a)^-1 op(da) x``."""
    from scipy import linalg

    general(assume_a, "solve")
    square_matrix(a, "solve")
    t = np.asarray(t)
    return -linalg.solve(a, (t.T if transposed else t) @ x, transposed=transposed)


def standard_eigh(b: Any, kind: Any, subset_by_index: Any, subset_by_value: Any) -> None:
    """Refuse a generalized problem (``b``, ``type``) or a subset of the spectrum."""
    if b is not None or kind != 1:
        _refuse("eigh", "the generalized problem a v = w b v", "reduce it with cholesky of b")
    if subset_by_index is not None or subset_by_value is not None:
        _refuse("eigh", "a subset of the spectrum", "take the whole spectrum and index it")


def scipy_eigh_adjoint(g_w, g_v, w, v, a, lower, eigvals_only, b, kind, by_index, by_value):
    """The gradient in ``a`` of ``scipy.linalg.eigh(a)``: numpy's eigh or eigvalsh adjoint
    (``eigvals_only``; ``lower`` names the triangle read); Giles 2008, section 3.1."""
    standard_eigh(b, kind, by_index, by_value)
    if eigvals_only:
        return eigvalsh_adjoint(g_w, a, "L" if lower else "U")
    return eigh_adjoint(g_w, g_v, w, v)


def scipy_eigh_tangent(t, w, v, a, lower, eigvals_only, b, kind, by_index, by_value):
    """The tangents ``(dw, dv)`` of ``scipy.linalg.eigh(a)`` (``dv`` None if ``eigvals_only``)."""
    standard_eigh(b, kind, by_index, by_value)
    if eigvals_only:
        return eigvalsh_tangent(t, a, "L" if lower else "U"), None
    return eigh_tangent(t, w, v)


def scipy_qr_mode(mode: Any, pivoting: Any) -> str:
    """numpy.linalg.qr's mode for scipy's (``'full'`` is ``'complete'``, ``'economic'`` is
    ``'reduced'``); ``'r'``, ``'raw'`` and ``pivoting=True`` are refused."""
    if pivoting:
        _refuse("qr", "pivoting=True (a permutation chosen by value)", "call it without pivoting")
    if mode not in ("full", "economic"):
        _refuse("qr", f"mode={mode!r}", "use mode='full' or 'economic' and read R")
    return "complete" if mode == "full" else "reduced"


def _lu_check(p: Any, low: Any, permute_l: Any) -> None:
    if permute_l:
        _refuse("lu", "permute_l=True", "call lu(a) and form p @ l")
    if np.ndim(low) != 2 or np.shape(low)[0] != np.shape(low)[1]:
        _refuse("lu", "a non-square matrix", "pass a square matrix")


def _permutation(p: Any, p_indices: Any) -> np.ndarray:
    """``perm`` with ``a[perm] = L U`` (``P^T a``), from ``P`` or its row indices."""
    if p_indices:
        return np.argsort(p)  # a = l[p] @ u
    return np.argmax(np.asarray(p), axis=0)  # a = P @ l @ u


def scipy_lu_adjoint(g_l: Any, g_u: Any, p: Any, low: Any, up: Any, permute_l: Any, p_indices: Any):
    """The gradient in ``a`` of ``p, l, u = scipy.linalg.lu(a)`` (square): ``P L^-T
    (tril(L^T L_bar, -1) + triu(U_bar U^T)) U^-T``; de Hoog et al. 2011."""
    _lu_check(p, low, permute_l)
    inner = np.zeros_like(low)
    if g_l is not None:
        inner = inner + np.tril(low.T @ np.tril(g_l, -1), -1)
    if g_u is not None:
        inner = inner + np.triu(np.triu(g_u) @ up.T)
    a_bar = np.linalg.solve(low.T, np.linalg.solve(up, inner.T).T)
    out = np.empty_like(a_bar)
    out[_permutation(p, p_indices)] = a_bar
    return out


def scipy_lu_tangent(t: Any, p: Any, low: Any, up: Any, permute_l: Any, p_indices: Any):
    """The tangents ``(dL, dU)`` of ``p, l, u = scipy.linalg.lu(a)``: with ``F = L^-1 P^T dA
    U^-1``, ``dL = L tril(F, -1)`` and ``dU = triu(F) U``; de Hoog et al. 2011."""
    _lu_check(p, low, permute_l)
    f = np.linalg.solve(low, np.asarray(t)[_permutation(p, p_indices)])
    f = np.linalg.solve(up.T, f.T).T
    return low @ np.tril(f, -1), np.triu(f) @ up


def logm_frechet(a: Any, e: Any, disp: Any = None) -> np.ndarray:
    """``L_log(a, e)``: the upper-right block of ``logm([[a, e], [0, a]])`` (Higham 2008,
    theorem 3.6), real for a real ``a`` whose logm is real. ``disp=False`` (scipy then returns
    the pair ``(logm, error estimate)``) is refused."""
    from scipy import linalg

    if disp is False:
        _refuse("logm", "disp=False (a pair of outputs)", "call logm(a) without disp")

    a, e = np.asarray(a), np.asarray(e)
    n = a.shape[-1]
    block = np.block([[a, e], [np.zeros_like(a), a]])
    return np.real(linalg.logm(block)[:n, n:]).astype(np.result_type(a, e), copy=False)
