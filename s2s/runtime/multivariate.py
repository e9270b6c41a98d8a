"""Adjoints and tangents of scipy.stats' multivariate_normal.logpdf and dirichlet.logpdf.

``multivariate_normal.logpdf(x, mean, cov)``: ``x`` is ``(d,)`` or ``(..., d)`` (one point per
row), ``mean`` ``(d,)`` or ``None``, ``cov`` a ``(d, d)`` symmetric positive definite matrix;
the value has ``x``'s leading shape, squeezed (scipy squeezes its output). With ``r = x - mean``
and ``a = cov^-1 r``: ``logpdf = -(d log 2 pi + log det cov + r^T a) / 2``, so ``d/dx = -a``,
``d/dmean = a``, ``d/dcov = (a a^T - cov^-1) / 2`` (symmetric; Petersen and Pedersen, "The Matrix
Cookbook", eqs. 57 and 61). ``dirichlet.logpdf(x, alpha)``: ``x`` is ``(K,)`` or ``(K, N)`` (the
components on the first axis, scipy's layout), ``logpdf = sum((alpha - 1) log x) - sum
gammaln(alpha) + gammaln(sum alpha)``: ``d/dx = (alpha - 1) / x``, ``d/dalpha = log x -
digamma(alpha) + digamma(sum alpha)`` (DLMF 5.2.2). Forms these helpers do not differentiate (a
scalar or 1-D ``cov``, ``allow_singular=True``, a Dirichlet ``x`` of ``K - 1`` components) raise
:class:`~s2s.errors.UnsupportedArgumentError`. scipy is imported only when a helper runs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from s2s.errors import UnsupportedArgumentError


def _refuse(what: str, advice: str) -> None:
    raise UnsupportedArgumentError(f"the rule of scipy.stats.{what} is not supported", None, advice)


def _normal_parts(x: Any, mean: Any, cov: Any, allow_singular: Any):
    """``(x, cov^-1, a)`` with ``a = cov^-1 (x - mean)`` row by row, in float64."""
    if allow_singular or np.ndim(cov) != 2 or np.ndim(x) == 0:
        what = "multivariate_normal.logpdf with a scalar or 1-D cov, a scalar x or allow_singular"
        _refuse(what, "pass x of shape (..., d) and cov as a (d, d) matrix")
    x = np.asarray(x, dtype=np.float64)
    r = x - (0.0 if mean is None else np.asarray(mean, dtype=np.float64))
    precision = np.linalg.inv(np.asarray(cov, dtype=np.float64))
    return x, precision, r @ precision  # cov symmetric: (cov^-1 r)^T = r^T cov^-1


def _like(value: Any, like: Any) -> np.ndarray:
    return np.asarray(value).astype(np.result_type(like), copy=False)


def mvn_logpdf_adjoint(g: Any, x: Any, mean: Any, cov: Any, allow_singular: Any) -> tuple:
    """``(d_x, d_mean, d_cov)`` of ``multivariate_normal.logpdf(x, mean, cov)`` for the output
    cotangent ``g`` (the output's squeezed shape); each in its input's shape and dtype."""
    x64, precision, a = _normal_parts(x, mean, cov, allow_singular)
    g = np.reshape(np.asarray(g, dtype=np.float64), x64.shape[:-1])
    ga = g[..., None] * a
    rows, n = ga.reshape(-1, a.shape[-1]), a.shape[-1]
    d_cov = 0.5 * (rows.T @ a.reshape(-1, n) - np.sum(g) * precision)
    d_mean = None if mean is None else _like(np.sum(rows, axis=0), mean)
    return _like(-ga, x), d_mean, _like(d_cov, cov)


def mvn_logpdf_tangent(part: str, t: Any, x: Any, mean: Any, cov: Any, allow_singular: Any):
    """The part of the tangent of ``multivariate_normal.logpdf(x, mean, cov)`` from one input's
    tangent ``t`` (``part`` names it): ``-a.dx``, ``a.dmean`` or ``(a^T dcov a - tr(cov^-1
    dcov)) / 2`` per point, in the output's squeezed shape."""
    _, precision, a = _normal_parts(x, mean, cov, allow_singular)
    t = np.asarray(t, dtype=np.float64)
    if part == "x":
        out = -np.sum(a * t, axis=-1)
    elif part == "mean":
        out = np.sum(a * t, axis=-1)
    else:
        out = 0.5 * (np.einsum("...i,ij,...j->...", a, t, a) - np.sum(precision * t.T))
    return out.squeeze()[()]


def _dirichlet_check(x: Any, alpha: Any) -> None:
    if np.ndim(alpha) != 1 or np.shape(x)[0] != np.shape(alpha)[0]:
        _refuse("dirichlet.logpdf with x of K - 1 components (the last implied)",
                "pass all K components of x, on its first axis")  # fmt: skip


def dirichlet_logpdf_adjoint(g: Any, x: Any, alpha: Any) -> tuple:
    """``(d_x, d_alpha)`` of ``dirichlet.logpdf(x, alpha)`` for the cotangent ``g``."""
    from scipy import special

    _dirichlet_check(x, alpha)
    x64, a64 = np.asarray(x, dtype=np.float64), np.asarray(alpha, dtype=np.float64)
    shape = (1,) + x64.shape[1:]
    g = np.reshape(np.asarray(g, dtype=np.float64), shape)
    a_col = a64.reshape((-1,) + (1,) * (x64.ndim - 1))
    d_x = g * (a_col - 1) / x64
    score = np.log(x64) - special.digamma(a_col) + special.digamma(np.sum(a64))
    d_alpha = np.sum((g * score).reshape(len(a64), -1), axis=1)
    return _like(d_x, x), _like(d_alpha, alpha)


def dirichlet_logpdf_tangent(part: str, t: Any, x: Any, alpha: Any) -> Any:
    """The part of the tangent of ``dirichlet.logpdf(x, alpha)`` from ``dx`` (``part='x'``:
    ``sum((alpha - 1) / x dx)``) or ``dalpha`` (``sum((log x - digamma(alpha) + digamma(sum
    alpha)) dalpha)``), per point."""
    from scipy import special

    _dirichlet_check(x, alpha)
    x64, a64 = np.asarray(x, dtype=np.float64), np.asarray(alpha, dtype=np.float64)
    a_col = a64.reshape((-1,) + (1,) * (x64.ndim - 1))
    if part == "x":
        out = np.sum((a_col - 1) / x64 * np.asarray(t, dtype=np.float64), axis=0)
    else:
        score = np.log(x64) - special.digamma(a_col) + special.digamma(np.sum(a64))
        out = np.sum(score * np.reshape(np.asarray(t, dtype=np.float64), a_col.shape), axis=0)
    return np.asarray(out).squeeze()[()]
