"""Helpers for the rules of numpy's polynomial functions (``vander``, ``poly*``, ``roots``).

Coefficients are highest power first, as numpy's ``poly*`` functions take them. The plans
and matrices here read only lengths and structural arguments (the templates multiply the
cotangent by them with numpy, so those derivatives differentiate again); ``poly_jacobian``,
``roots_adjoint`` and ``roots_tangent`` read values too.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from s2s.runtime import plain_polynomials as twin
from s2s.runtime.core import acc_dtype, dtype_of, reads_shape_only, shape_of, unbroadcast
from s2s.runtime.kinds import Cause, Undefined
from s2s.runtime.sources import differentiated_as

COMPLEX_ROOTS = (
    "the polynomial has complex roots: s2s differentiates np.roots for real, simple roots "
    "only (complex numbers are not supported)"
)
REPEATED_ROOT = "a repeated root moves like a square root of the coefficients: no derivative"


def _length(p: Any) -> int:
    return max(1, math.prod(shape_of(p)))  # numpy's poly* functions take atleast_1d


@reads_shape_only(0)
def vander_plan(x: Any, N: Any = None, increasing: bool = False) -> tuple[int, Any, Any]:
    """``(n, powers, pad)`` with ``np.pad(np.vander(x, n, increasing) * powers, pad)`` the
    derivative of ``np.vander(x, N, increasing)`` in ``x``, column by column: the power
    ``k`` of each column times the column of power ``k - 1`` (0 for the constant column).
    Source: numpy.vander (columns x**(N-1) ... x**0, reversed when increasing)."""
    cols = len(shape_of(x)) and shape_of(x)[0] if N is None else int(N)
    n = max(cols - 1, 0)
    powers = np.arange(1, n + 1) if increasing else np.arange(n, 0, -1)
    pad = ((0, 0), (1, 0) if increasing else (0, 1)) if cols > 0 else ((0, 0), (0, 0))
    return n, powers, pad


@reads_shape_only(0)
def poly_length(p: Any) -> int:
    """The number of coefficients of ``p`` (a scalar is one)."""
    return _length(p)


@reads_shape_only(0)
def poly_tail(p: Any) -> slice:
    """The key of ``p``'s coefficients in ``np.polyadd(p, q)`` or ``np.polysub``: the last
    ``len(p)`` (the shorter operand is padded with leading zeros). Source: numpy.polyadd."""
    return slice(-_length(p), None)


@reads_shape_only(0)
def polyder_matrix(p: Any, m: int = 1) -> Any:
    """The matrix ``M`` with ``np.polyder(p, m) == M @ p`` (float64). Source: numpy.polyder,
    applied to the unit coefficient vectors (the map is linear)."""
    n = _length(p)
    return np.stack([np.polyder(e, m) for e in np.eye(n)], axis=1)


@reads_shape_only(0)
def polyint_matrix(p: Any, m: int = 1) -> Any:
    """The matrix ``M`` with ``np.polyint(p, m, k) == M @ p + np.polyint(0, m, k)``-shaped
    constants (float64). Source: numpy.polyint, applied to the unit coefficient vectors."""
    n = _length(p)
    return np.stack([np.polyint(e, m) for e in np.eye(n)], axis=1)


@differentiated_as(twin.poly_jacobian)
def poly_jacobian(seq_of_zeros: Any) -> Any:
    """The Jacobian of ``np.poly(seq_of_zeros)`` (1-D roots ``r``): column ``i`` is
    ``-[0, poly(r without r_i)]``, since ``poly(r) = prod_i [1, -r_i]`` (convolutions).
    Source: numpy.poly; product rule."""
    r = np.asarray(seq_of_zeros)
    if r.ndim != 1:
        raise ValueError(
            "s2s differentiates np.poly of a 1-D sequence of roots (a matrix's characteristic "
            "polynomial is not supported: pass np.linalg.eigvals of it)"
        )
    n = r.shape[0]
    cols = [np.concatenate([[0.0], -np.atleast_1d(np.poly(np.delete(r, i)))]) for i in range(n)]
    out = np.stack(cols, axis=1) if cols else np.zeros((1, 0))
    return out.astype(acc_dtype(r.dtype))


@differentiated_as(twin.roots_adjoint)
def roots_adjoint(g: Any, p: Any, r: Any) -> Any:
    """The adjoint of ``r = np.roots(p)`` (real, simple roots): from ``p(r_i) = 0``,
    ``dr_i = -sum_k dp_k r_i^(n-1-k) / p'(r_i)``, so ``dp = -V^T (g / p'(r))`` with ``V`` the
    Vandermonde matrix of the roots; a complex or repeated root gives an undefined gradient
    (``UndefinedGradientError`` at the call's line).
    Source: implicit differentiation of p(r) = 0."""
    if np.iscomplexobj(r):
        return Undefined((Cause("roots", "p", COMPLEX_ROOTS, "", 0),))
    p = np.atleast_1d(np.asarray(p))
    n = p.shape[0]
    slope = np.polyval(np.polyder(p), r)
    if np.any(slope == 0):
        return Undefined((Cause("roots", "p", REPEATED_ROOT, "", 0),))
    grad = -(np.vander(r, n).T @ (np.asarray(g) / slope)) if r.size else np.zeros(n)
    return unbroadcast(grad.astype(acc_dtype(dtype_of(p))), p)


@differentiated_as(twin.roots_tangent)
def roots_tangent(p: Any, r: Any, dp: Any) -> Any:
    """The tangent of ``r = np.roots(p)`` (real, simple roots): ``dr_i = -dp(r_i) / p'(r_i)``.
    Source: implicit differentiation of p(r) = 0."""
    if np.iscomplexobj(r):
        raise ValueError(COMPLEX_ROOTS)
    p = np.atleast_1d(np.asarray(p))
    dp = np.broadcast_to(np.atleast_1d(np.asarray(dp)), p.shape)
    return -np.polyval(dp, r) / np.polyval(np.polyder(p), r)


def _fit_parts(x: Any, deg: int, w: Any, full: bool, cov: Any) -> tuple[Any, Any, Any, Any]:
    """``(V, D, ww, G)`` of ``np.polyfit(x, y, deg, w=w)``: the Vandermonde matrix, its
    derivative in ``x`` row by row, the squared weights (a column) and ``V^T diag(ww) V``."""
    if full or (cov is not False and cov is not None):
        raise ValueError(
            "s2s differentiates np.polyfit's coefficients only (full=False, cov=False): call "
            "it again with those defaults for the part to differentiate"
        )
    x = np.asarray(x, dtype=np.float64)
    n = int(deg) + 1
    v = np.vander(x, n)
    powers = np.arange(n - 1, 0, -1)
    slope = np.pad(np.vander(x, n - 1) * powers, ((0, 0), (0, 1)))
    ww = np.ones(x.shape[0]) if w is None else np.asarray(w, dtype=np.float64) ** 2
    return v, slope, ww[:, None], v.T @ (ww[:, None] * v)


def _as_columns(a: Any) -> Any:
    a = np.asarray(a, dtype=np.float64)
    return a[:, None] if a.ndim == 1 else a


@differentiated_as(twin.polyfit_grad_y)
def polyfit_grad_y(g, x, y, deg, w=None, full=False, cov=False):
    """The adjoint of ``c = np.polyfit(x, y, deg, w=w)`` in ``y`` (full column rank):
    ``c = G^-1 V^T W^2 y`` with ``G = V^T W^2 V``, so ``dy = W^2 V G^-1 g``.
    Source: the normal equations of weighted least squares."""
    v, _, ww, gram = _fit_parts(x, deg, w, full, cov)
    u = np.linalg.solve(gram, _as_columns(g))
    grad = ww * (v @ u)
    return unbroadcast(np.reshape(grad, shape_of(y)).astype(acc_dtype(dtype_of(y))), y)


@differentiated_as(twin.polyfit_grad_x)
def polyfit_grad_x(g, x, y, deg, c, w=None, full=False, cov=False):
    """The adjoint of ``c = np.polyfit(x, y, deg, w=w)`` in ``x``: differentiating the normal
    equations ``V^T W^2 (V c - y) = 0`` gives ``dc = -G^-1 (dV^T W^2 r + V^T W^2 dV c)``
    (``r = V c - y``, ``dV = diag(dx) D``), so ``dx_i = -ww_i sum_K (r (D u) + (V u)(D c))_iK``
    with ``u = G^-1 g``. Source: implicit differentiation of the normal equations."""
    v, slope, ww, gram = _fit_parts(x, deg, w, full, cov)
    c = _as_columns(c)
    u = np.linalg.solve(gram, _as_columns(g))
    r = v @ c - _as_columns(y)
    grad = -np.sum(ww * (r * (slope @ u) + (v @ u) * (slope @ c)), axis=1)
    return unbroadcast(grad.astype(acc_dtype(dtype_of(x))), x)


@differentiated_as(twin.polyfit_tangent)
def polyfit_tangent(dx, dy, x, y, deg, c, w=None, full=False, cov=False):
    """The tangent of ``c = np.polyfit(x, y, deg, w=w)``:
    ``dc = G^-1 (V^T W^2 (dy - dV c) - dV^T W^2 r)`` with ``dV = diag(dx) D`` (``None``: no
    tangent). Source: implicit differentiation of the normal equations."""
    v, slope, ww, gram = _fit_parts(x, deg, w, full, cov)
    cols = _as_columns(c)
    rhs = np.zeros_like(cols)
    if dy is not None:
        rhs = rhs + v.T @ (ww * _as_columns(dy))
    if dx is not None:
        dv = slope * np.asarray(dx, dtype=np.float64)[:, None]
        r = v @ cols - _as_columns(y)
        rhs = rhs - v.T @ (ww * (dv @ cols)) - dv.T @ (ww * r)
    out = np.linalg.solve(gram, rhs)
    return np.reshape(out, np.shape(c)).astype(acc_dtype(dtype_of(c)))


def _polydiv_parts(q: Any, u: Any, v: Any) -> tuple[int, int, np.ndarray, np.ndarray]:
    """``(size, top, q, v)`` of ``np.polydiv(u, v)``: ``u`` has ``size`` coefficients, the
    quotient ``top`` of them (0 when ``len(u) < len(v)``: the quotient is the constant 0)."""
    size, n = _length(u), _length(v)
    top = size - n + 1 if size >= n else 0
    dtype = acc_dtype(np.result_type(dtype_of(q), dtype_of(v)))
    return size, top, np.asarray(q, dtype).ravel(), np.ravel(np.asarray(v, dtype))


def _toeplitz(v: np.ndarray, top: int) -> np.ndarray:
    """The first ``top`` rows of ``q -> np.convolve(q, v)``: lower triangular Toeplitz."""
    t = np.zeros((top, top), v.dtype)
    for k in range(min(top, len(v))):
        t += np.eye(top, k=-k, dtype=v.dtype) * v[k]
    return t


@differentiated_as(twin.polydiv_adjoint)
def polydiv_adjoint(gq: Any, gr: Any, q: Any, r: Any, u: Any, v: Any) -> tuple[Any, Any]:
    """The gradients in ``u`` and ``v`` of ``q, r = np.polydiv(u, v)``.

    With ``u = conv(q, v) + [0, rem]`` (the quotient's ``top`` leading coefficients, the
    remainder the others), ``e = du - conv(q, dv)`` gives ``dq = T^-1 e[:top]`` (``T`` the
    first ``top`` rows of ``conv(., v)``) and ``drem = e[top:] - conv(dq, v)[top:]``; numpy
    trims ``r``'s leading near-zeros, so ``r`` is the tail of ``[0, rem]``. Transposed here:
    ``e_bar = [T^-T (gq - B^T gr), gr]``, ``u_bar = e_bar``, ``v_bar = -correlate(e_bar, q)``.
    Source: polynomial long division, u = q v + r (numpy.polydiv)."""
    size, top, qv, vv = _polydiv_parts(q, u, v)
    e = np.zeros(size, qv.dtype)
    if gr is not None:
        e[size - _length(r) :] = np.ravel(gr)
        e[:top] = 0.0  # the quotient's places of the remainder are zero whatever u and v
    if top == 0:
        return unbroadcast(e, u), unbroadcast(np.zeros_like(vv), v)
    gq = np.zeros(top, qv.dtype) if gq is None else np.ravel(np.asarray(gq, qv.dtype))
    below = np.correlate(e, vv, "valid")  # B^T gr (top entries: e's are zero there)
    e[:top] = np.linalg.solve(_toeplitz(vv, top).T, gq - below)
    return unbroadcast(e, u), unbroadcast(-np.correlate(e, qv, "valid"), v)


@differentiated_as(twin.polydiv_tangent)
def polydiv_tangent(du: Any, dv: Any, q: Any, r: Any, u: Any, v: Any) -> tuple[Any, Any]:
    """The tangents of ``q, r = np.polydiv(u, v)`` (see :func:`polydiv_adjoint`)."""
    size, top, qv, vv = _polydiv_parts(q, u, v)
    e = np.zeros(size, qv.dtype)
    if du is not None:
        e = e + np.ravel(np.asarray(du, qv.dtype))
    if dv is not None and top:
        e = e - np.convolve(qv, np.ravel(np.asarray(dv, qv.dtype)))
    if top == 0:
        return np.zeros_like(qv), e[size - _length(r) :]
    dq = np.linalg.solve(_toeplitz(vv, top), e[:top])
    rem = e - np.convolve(dq, vv)
    rem[:top] = 0.0
    return dq, rem[size - _length(r) :]
