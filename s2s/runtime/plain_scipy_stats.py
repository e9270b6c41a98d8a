"""Plain twins of the adjoint and tangent helpers of scipy.stats' multivariate_normal.logpdf
(and pdf) and dirichlet.logpdf (and pdf), differentiated from their source.

Each function computes what its helper in :mod:`s2s.runtime.multivariate` computes, with
numpy and scipy.special calls that have rules of their own (``np.linalg.inv``, matmul,
``digamma``), so that s2s differentiates an adjoint or a tangent that calls the helper
again (second order, :mod:`s2s.runtime.sources`). The formulas and their sources (the
Matrix Cookbook, DLMF 5.2.2) are in that module's docstring; the forms it refuses were
refused by the first derivative. This module imports scipy:
``templates/scipy_multivariate.py`` imports it and calls :func:`mark` when scipy's rules
load. The twins compute in their arguments' dtype (the helpers in float64).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import special

from s2s.runtime import multivariate
from s2s.runtime.sources import differentiated_as


def mvn_logpdf_adjoint(g: Any, x: Any, mean: Any, cov: Any, allow_singular: Any) -> tuple:
    """The twin of :func:`s2s.runtime.mvn_logpdf_adjoint`: ``(-g a, sum g a, (sum g a a^T -
    sum(g) cov^-1) / 2)`` with ``a = cov^-1 (x - mean)`` per point."""
    r = x if mean is None else x - mean
    precision = np.linalg.inv(cov)
    a = r @ precision  # cov symmetric: (cov^-1 r)^T = r^T cov^-1
    g = np.reshape(g, x.shape[:-1])
    ga = g[..., None] * a
    n = a.shape[-1]
    rows = ga.reshape(-1, n)
    d_cov = 0.5 * (rows.T @ a.reshape(-1, n) - np.sum(g) * precision)
    d_mean = None if mean is None else np.sum(rows, axis=0)
    return -ga, d_mean, d_cov


def dirichlet_logpdf_adjoint(g: Any, x: Any, alpha: Any) -> tuple:
    """The twin of :func:`s2s.runtime.dirichlet_logpdf_adjoint`: ``(g (alpha - 1) / x,
    sum g (log x - digamma(alpha) + digamma(sum alpha)))``."""
    g = np.reshape(g, (1,) + x.shape[1:])
    a_col = alpha if x.ndim == 1 else alpha[:, None]  # x is (K,) or (K, N)
    d_x = g * (a_col - 1.0) / x
    score = np.log(x) - special.digamma(a_col) + special.digamma(np.sum(alpha))
    d_alpha = np.sum((g * score).reshape(alpha.shape[0], -1), axis=1)
    return d_x, d_alpha


def mvn_logpdf_tangent(part: str, t: Any, x: Any, mean: Any, cov: Any, allow_singular: Any):
    """The twin of :func:`s2s.runtime.mvn_logpdf_tangent`: ``-a.dx``, ``a.dmean`` or ``(a^T
    dcov a - tr(cov^-1 dcov)) / 2`` per point, ``a = cov^-1 (x - mean)``, squeezed."""
    r = x if mean is None else x - mean
    precision = np.linalg.inv(cov)
    a = r @ precision
    if part == "x":
        out = -np.sum(a * t, axis=-1)
    elif part == "mean":
        out = np.sum(a * t, axis=-1)
    else:
        out = 0.5 * (np.sum((a @ t) * a, axis=-1) - np.sum(precision * t.T))
    return np.squeeze(out)


def dirichlet_logpdf_tangent(part: str, t: Any, x: Any, alpha: Any) -> Any:
    """The twin of :func:`s2s.runtime.dirichlet_logpdf_tangent`: ``sum((alpha - 1) / x dx)``
    or ``sum((log x - digamma(alpha) + digamma(sum alpha)) dalpha)`` per point, squeezed."""
    a_col = alpha if x.ndim == 1 else alpha[:, None]  # x is (K,) or (K, N)
    if part == "x":
        out = np.sum((a_col - 1.0) / x * t, axis=0)
    else:
        score = np.log(x) - special.digamma(a_col) + special.digamma(np.sum(alpha))
        out = np.sum(score * np.reshape(t, np.shape(a_col)), axis=0)
    return np.squeeze(out)


def mark() -> None:
    """Name these twins on the helpers (once scipy's rules load)."""
    differentiated_as(mvn_logpdf_adjoint)(multivariate.mvn_logpdf_adjoint)
    differentiated_as(dirichlet_logpdf_adjoint)(multivariate.dirichlet_logpdf_adjoint)
    differentiated_as(mvn_logpdf_tangent)(multivariate.mvn_logpdf_tangent)
    differentiated_as(dirichlet_logpdf_tangent)(multivariate.dirichlet_logpdf_tangent)
