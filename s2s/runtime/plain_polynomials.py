"""Plain twins of the helpers of numpy's polynomial rules that read values (``np.poly``'s
Jacobian, the adjoints and tangents of ``np.roots``, ``np.polyfit`` and ``np.polydiv``),
differentiated from their source.

Each function computes what its helper in :mod:`s2s.runtime.polynomials` computes, with
numpy calls that have rules of their own (``np.poly``, ``np.polyval``, ``np.polyder``,
``np.vander``, ``np.linalg.solve``, ``np.pad``, ``np.correlate``, ``np.convolve``), so
that s2s differentiates an adjoint or a tangent that calls the helper again (second order,
:mod:`s2s.runtime.sources`). The formulas and their sources are in the helpers' docstrings;
the forms a helper refuses (complex or repeated roots, ``full`` or ``cov`` in polyfit) were
refused by the first derivative. The twins compute in their arguments' dtype (the helpers
in float64).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from s2s.runtime.core import stop_gradient, unbroadcast
from s2s.runtime.sources import plain


def poly_jacobian(seq_of_zeros: Any) -> Any:
    """The twin of :func:`s2s.runtime.poly_jacobian`: column ``i`` is ``-[0, poly(r without
    r_i)]``."""
    r = seq_of_zeros
    n = r.shape[0]
    if n == 0:  # no roots: np.poly is the constant 1, with no column
        return np.zeros((1, 0)) + np.sum(r) * 0.0
    if n == 1:  # poly of no roots is the constant 1 (np.poly's rule takes no empty roots)
        return np.stack([np.concatenate([np.zeros(1), r * 0.0 - 1.0])], axis=1)
    cols = [np.concatenate([np.zeros(1), -np.atleast_1d(np.poly(np.delete(r, i)))])
            for i in range(n)]
    return np.stack(cols, axis=1)


def roots_adjoint(g: Any, p: Any, r: Any) -> Any:
    """The twin of :func:`s2s.runtime.roots_adjoint`: ``-V^T (g / p'(r))`` with ``V`` the
    Vandermonde matrix of the (real, simple) roots."""
    coefficients = np.atleast_1d(p)
    slope = np.polyval(np.polyder(coefficients), r)
    return unbroadcast(-(np.vander(r, coefficients.shape[0]).T @ (g / slope)), p)


def roots_tangent(p: Any, r: Any, dp: Any) -> Any:
    """The twin of :func:`s2s.runtime.roots_tangent`: ``-dp(r) / p'(r)`` at the (real,
    simple) roots."""
    coefficients = np.atleast_1d(p)
    direction = np.broadcast_to(np.atleast_1d(dp), np.shape(coefficients))
    return -np.polyval(direction, r) / np.polyval(np.polyder(coefficients), r)


def as_columns(a: Any) -> Any:
    """A vector as a column, a matrix as itself."""
    return a[:, None] if a.ndim == 1 else a


def fit_parts(x: Any, deg: int, w: Any) -> tuple[Any, Any, Any, Any]:
    """``(V, D, ww, G)`` of ``np.polyfit(x, y, deg, w=w)``: the Vandermonde matrix, its
    derivative in ``x`` row by row, the squared weights (a column) and ``V^T diag(ww) V``."""
    n = int(deg) + 1
    v = np.vander(x, n)
    slope = np.pad(np.vander(x, n - 1) * np.arange(n - 1, 0, -1), ((0, 0), (0, 1)))
    ww = x * 0.0 + 1.0 if w is None else w * w
    ww = ww[:, None]
    return v, slope, ww, v.T @ (ww * v)


def polyfit_grad_y(g, x, y, deg, w=None, full=False, cov=False):
    """The twin of :func:`s2s.runtime.polyfit_grad_y`: ``W^2 V G^-1 g``."""
    v, _, ww, gram = fit_parts(x, deg, w)
    u = np.linalg.solve(gram, as_columns(g))
    return unbroadcast(np.reshape(ww * (v @ u), np.shape(y)), y)


def polyfit_grad_x(g, x, y, deg, c, w=None, full=False, cov=False):
    """The twin of :func:`s2s.runtime.polyfit_grad_x`: ``-ww_i sum_K (r (D u) + (V u)
    (D c))_iK`` with ``u = G^-1 g`` and ``r = V c - y``."""
    v, slope, ww, gram = fit_parts(x, deg, w)
    cols = as_columns(c)
    u = np.linalg.solve(gram, as_columns(g))
    r = v @ cols - as_columns(y)
    return unbroadcast(-np.sum(ww * (r * (slope @ u) + (v @ u) * (slope @ cols)), axis=1), x)

def polyfit_tangent(dx, dy, x, y, deg, c, w=None, full=False, cov=False):
    """The twin of :func:`s2s.runtime.polyfit_tangent`: ``G^-1 (V^T W^2 (dy - dV c) - dV^T
    W^2 r)`` with ``dV = diag(dx) D`` and ``r = V c - y``."""
    v, slope, ww, gram = fit_parts(x, deg, w)
    cols = as_columns(c)
    rhs = cols * 0.0
    if dy is not None:
        rhs = rhs + v.T @ (ww * as_columns(dy))
    if dx is not None:
        dv = slope * dx[:, None]
        r = v @ cols - as_columns(y)
        rhs = rhs - v.T @ (ww * (dv @ cols)) - dv.T @ (ww * r)
    return np.reshape(np.linalg.solve(gram, rhs), np.shape(c))


def length(p: Any) -> int:
    """The number of coefficients of ``p`` (a scalar is one), from its shape alone."""
    return max(1, math.prod(np.shape(p)))


def toeplitz_rows(vv: Any, top: int) -> Any:
    """The first ``top`` rows of ``q -> np.convolve(q, vv)``: lower triangular Toeplitz."""
    t = np.zeros((top, top))
    for k in range(min(top, vv.shape[0])):
        t = t + np.eye(top, k=-k) * vv[k]
    return t


def polydiv_adjoint(gq: Any, gr: Any, q: Any, r: Any, u: Any, v: Any) -> tuple[Any, Any]:
    """The twin of :func:`s2s.runtime.polydiv_adjoint`: ``e_bar = [T^-T (gq - B^T gr), gr]``,
    ``u_bar = e_bar``, ``v_bar = -correlate(e_bar, q)`` (long division, u = q v + r)."""
    size, n = length(stop_gradient(u)), length(stop_gradient(v))
    top = size - n + 1 if size >= n else 0
    qv, vv = np.ravel(q), np.ravel(v)
    e = np.zeros(size)
    if gr is not None:  # the quotient's places of the remainder are zero whatever u and v
        e = np.concatenate([np.zeros(size - length(stop_gradient(r))), np.ravel(gr)])
        e = np.concatenate([np.zeros(top), e[top:]])
    if top == 0:
        d_v = vv * 0.0
    else:
        gq_flat = np.zeros(top) if gq is None else np.ravel(gq)
        below = np.correlate(e, vv, "valid")
        solved = np.linalg.solve(toeplitz_rows(vv, top).T, gq_flat - below)
        e = np.concatenate([solved, e[top:]])
        d_v = -np.correlate(e, qv, "valid")
    return unbroadcast(e, u), unbroadcast(d_v, v)


def polydiv_tangent(du: Any, dv: Any, q: Any, r: Any, u: Any, v: Any) -> tuple[Any, Any]:
    """The twin of :func:`s2s.runtime.polydiv_tangent`: with ``e = du - conv(q, dv)``,
    ``dq = T^-1 e[:top]`` and ``drem = e - conv(dq, v)`` past the quotient's places."""
    size, n = length(stop_gradient(u)), length(stop_gradient(v))
    top = size - n + 1 if size >= n else 0
    tail = size - length(stop_gradient(r))
    qv, vv = np.ravel(q), np.ravel(v)
    e = np.zeros(size)
    if du is not None:
        e = e + np.ravel(du)
    if dv is not None and top:
        e = e - np.convolve(qv, np.ravel(dv))
    if top == 0:
        dq, dr = qv * 0.0, e[tail:]
    else:
        dq = np.linalg.solve(toeplitz_rows(vv, top), e[:top])
        rem = e - np.convolve(dq, vv)
        dr = np.concatenate([np.zeros(top), rem[top:]])[tail:]
    return dq, dr


plain(as_columns, fit_parts, toeplitz_rows)
