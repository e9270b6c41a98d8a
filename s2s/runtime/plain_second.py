"""Plain twins of the helpers that the second-order rules of ``prod_adjoint``,
``cumprod_adjoint``, ``norm_adjoint``, ``vector_norm_adjoint``, ``histogram_adjoint`` and
``cov_adjoint`` call (``prod_second``, ``cumprod_tangent``, ``norm_hessian``, ...), so that
s2s differentiates those rules again: third order of ``np.prod``, ``np.cumprod``,
``np.linalg.norm``, ``np.histogram`` (density) and ``np.cov`` (issue 9,
:mod:`s2s.runtime.sources`).

Each twin computes what its helper computes, with numpy calls that have rules of their own
(``prod_adjoint``, ``np.cumprod``, ``np.linalg.svd``, ``np.bincount``, matmul, where), and
the twins call helpers whose rules reach twins again, so each further order is differentiated
the same way. The helpers keep their fast bodies (recurrences, closed forms by the number of
zeros) for the values. Layouts (axes, bins, masks) are read from shapes and constants: they
are piecewise constant. Formulas and sources are in the helpers' docstrings; shapes follow
the helpers' (dtypes: the arguments' promotion).

Exact with zeros, as the helpers are: ``prod_second``'s twin builds, for each entry ``i`` of
a reduced slice of ``n`` entries, the slice with ``a_i`` replaced by 1 (an ``n`` by ``n``
array: a derivative of order ``k >= 3`` of ``np.prod`` holds up to ``n^(k-1)`` entries per
slice), and the cumprod twins run their recurrences one entry at a time, growing their result
by concatenation (``O(n^2)`` copies per slice; a list of steps would stop forward mode over
the generated derivative).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.lib.array_utils import normalize_axis_tuple

from s2s.runtime import covariance, histograms, linalg, linalg_second, reductions, tangent_rules
from s2s.runtime.plain_decompositions import matrix_transpose
from s2s.runtime.reductions import normalize_axes, prod_adjoint
from s2s.runtime.sources import differentiated_as, plain

# -- numpy.prod: prod_second ---------------------------------------------------------------


def reduction_layout(shape: tuple, axis: Any) -> tuple[tuple, tuple, tuple, tuple]:
    """The permutation that moves the reduced axes last, its inverse, the moved shape, and
    that shape with the reduced axes flattened into one (constants of the shape)."""
    axes = normalize_axes(axis, len(shape))
    kept = tuple(i for i in range(len(shape)) if i not in axes)
    perm = kept + axes
    moved = tuple(shape[i] for i in perm)
    back = tuple(int(i) for i in np.argsort(perm))
    return perm, back, moved, moved[: len(kept)] + (math.prod(shape[i] for i in axes),)


def prod_second(w: Any, a: Any, axis: Any = None) -> Any:
    """The twin of :func:`s2s.runtime.prod_second`: ``sum_{j != i} w_j prod_{l != i, j} a_l``
    as ``prod_adjoint`` along the rows of ``B_ij = a_j`` (1 at ``j = i``), off the diagonal."""
    shape = np.shape(a)
    perm, back, moved, flat = reduction_layout(shape, axis)
    x = np.reshape(np.transpose(a, perm), flat)
    v = np.reshape(np.transpose(np.broadcast_to(w, shape), perm), flat)
    eye = np.eye(flat[-1], dtype=bool)
    rows = np.where(eye, 1.0, np.expand_dims(x, -2))
    others = prod_adjoint(np.ones(flat), rows, -1)
    out = np.sum(np.where(eye, 0.0, np.expand_dims(v, -2) * others), axis=-1)
    return np.transpose(np.reshape(out, moved), back)


differentiated_as(prod_second)(reductions.prod_second)


# -- numpy.cov: cov_tangent, cov_pair_tangent, cov_second, cov_adjoint_tangent -------------


def cov_weights(n: int, bias: Any, ddof: Any, fweights: Any, aweights: Any) -> tuple:
    """The observation weights (ones without any) and numpy.cov's normalization ``f``, as
    float64 constants (numpy.cov docs)."""
    w = np.ones(n)
    if fweights is not None:
        w = w * np.asarray(fweights, dtype=np.float64)
    if aweights is not None:
        w = w * np.asarray(aweights, dtype=np.float64)
    if ddof is None:
        ddof = 0 if bias else 1
    if fweights is None and aweights is None:
        fact = n - ddof
    elif ddof == 0:
        fact = np.sum(w)
    elif aweights is None:
        fact = np.sum(w) - ddof
    else:
        fact = np.sum(w) - ddof * np.sum(w * np.asarray(aweights, np.float64)) / np.sum(w)
    return w, max(float(fact), 0.0)


def cov_transposed(a: Any, rowvar: bool) -> bool:
    """Whether numpy.cov reads ``a``'s variables as its columns (``rowvar=False``, 2-d)."""
    return not rowvar and np.ndim(a) == 2 and np.shape(a)[0] != 1


def cov_rows(a: Any, rowvar: bool) -> Any:
    """``a`` as numpy.cov reads it: variables as the rows of a 2-d array."""
    x = np.reshape(a, (1, -1)) if np.ndim(a) < 2 else a
    return np.transpose(x) if cov_transposed(a, rowvar) else x


def cov_stacked(m: Any, y: Any, rowvar: bool) -> Any:
    """``X``: the rows of ``m`` over those of ``y`` (``None``: ``m``'s alone)."""
    if y is None:
        return cov_rows(m, rowvar)
    return np.concatenate([cov_rows(m, rowvar), cov_rows(y, rowvar)], axis=0)


def cov_factor(m, y, rowvar, bias, ddof, fweights, aweights) -> Any:
    """``B = Xc W / f`` (``Xc``: ``X`` centred on its weighted means)."""
    x = cov_stacked(m, y, rowvar)
    w, fact = cov_weights(np.shape(x)[1], bias, ddof, fweights, aweights)
    mean = (x @ w) / np.sum(w)
    return (x - mean[:, None]) * (w / fact)


def cov_tangent(tm, ty, m, y=None, rowvar=True, bias=False, ddof=None, fweights=None,
                aweights=None):  # fmt: skip
    """The twin of :func:`s2s.runtime.cov_tangent`: ``T + T^T`` with ``T = dX B^T``."""
    um = np.zeros(np.shape(m)) if tm is None else np.broadcast_to(tm, np.shape(m))
    if y is None:
        dx = cov_stacked(um, None, rowvar)
    elif ty is None:
        dx = cov_stacked(um, np.zeros(np.shape(y)), rowvar)
    else:
        dx = cov_stacked(um, np.broadcast_to(ty, np.shape(y)), rowvar)
    t = dx @ np.transpose(cov_factor(m, y, rowvar, bias, ddof, fweights, aweights))
    return np.squeeze(t + np.transpose(t))


def cov_pair_tangent(parts, m, y=None, rowvar=True, bias=False, ddof=None, fweights=None,
                     aweights=None):  # fmt: skip
    """The twin of :func:`s2s.runtime.cov_pair_tangent`: :func:`cov_tangent` of the pair."""
    if parts is None:
        return cov_tangent(None, None, m, y, rowvar, bias, ddof, fweights, aweights)
    return cov_tangent(parts[0], parts[1], m, y, rowvar, bias, ddof, fweights, aweights)


def cov_second(g, parts, m, y=None, rowvar=True, bias=False, ddof=None, fweights=None,
               aweights=None):  # fmt: skip
    """The twin of :func:`s2s.runtime.cov_second`: ``cov_adjoint`` of ``g`` at the pair
    (zeros where the helper gives ``None``: no part)."""
    pm = None if parts is None else parts[0]
    py = None if parts is None else parts[1]
    um = np.zeros(np.shape(m)) if pm is None else np.broadcast_to(pm, np.shape(m))
    if y is None:
        dm = covariance.cov_adjoint(g, um, None, rowvar, bias, ddof, fweights, aweights)[0]
        dy = None
    else:
        uy = np.zeros(np.shape(y)) if py is None else np.broadcast_to(py, np.shape(y))
        both = covariance.cov_adjoint(g, um, uy, rowvar, bias, ddof, fweights, aweights)
        dm = both[0]
        dy = both[1]
    return [dm, dy]


def cov_adjoint_tangent(tg, g, tm, ty, m, y=None, rowvar=True, bias=False, ddof=None,
                        fweights=None, aweights=None):  # fmt: skip
    """The twin of :func:`s2s.runtime.cov_adjoint_tangent`: one term per factor."""
    second = cov_second(g, (tm, ty), m, y, rowvar, bias, ddof, fweights, aweights)
    t = np.zeros(np.shape(g)) if tg is None else tg
    first = covariance.cov_adjoint(t, m, y, rowvar, bias, ddof, fweights, aweights)
    dm = first[0] + second[0]
    if y is None:
        dy = None
    else:
        dy = first[1] + second[1]
    return [dm, dy]


plain(cov_rows, cov_stacked, cov_factor)
differentiated_as(cov_tangent)(covariance.cov_tangent)
differentiated_as(cov_pair_tangent)(covariance.cov_pair_tangent)
differentiated_as(cov_second)(covariance.cov_second)
differentiated_as(cov_adjoint_tangent)(covariance.cov_adjoint_tangent)


# -- numpy.histogram (density) in the weights: histogram_tangent, histogram_second ---------


def histogram_counts(flat: Any, w: Any, shape: tuple) -> Any:
    """``n_k``: the sum of the weights ``w`` of the samples in bin ``k`` (``flat``: each
    sample's flat bin, -1 outside the edges), in the histogram's shape."""
    inside = flat >= 0
    weights = np.where(inside, np.ravel(np.broadcast_to(w, np.shape(flat))), 0.0)
    return np.reshape(np.bincount(np.maximum(flat, 0), weights=weights,
                                  minlength=math.prod(shape)), shape)  # fmt: skip


def histogram_tangent(t, sample, bins=10, range=None, density=None, weights=None, kind="1d"):
    """The twin of :func:`s2s.runtime.histogram_tangent`: the histogram of ``t`` (then the
    quotient rule for ``density``)."""
    flat, shape, vol = histograms._layout(sample, kind, bins, range, None)
    dn = histogram_counts(flat, t, shape)
    if not density:
        return dn
    n = histogram_counts(flat, weights, shape)
    total = np.sum(n)
    return dn / (vol * total) - n * np.sum(dn) / (vol * total**2)


def histogram_second(g, c, sample, bins=10, range=None, density=None, weights=None,
                     kind="1d"):  # fmt: skip
    """The twin of :func:`s2s.runtime.histogram_second`: ``-g_b s / (vol_b S^2) - q / S^2 +
    2 Q s / S^3`` at each sample inside the edges (0 without ``density``)."""
    if not density or c is None:
        return np.zeros(np.shape(weights))
    flat, shape, vol = histograms._layout(sample, kind, bins, range, None)
    n = histogram_counts(flat, weights, shape)
    total = np.sum(n)
    inside = flat >= 0
    gg = np.zeros(shape) if g is None else np.reshape(g, shape)
    per = np.where(inside, np.ravel(gg / vol)[np.maximum(flat, 0)], 0.0)  # g_b / vol_b
    cc = np.where(inside, np.ravel(np.broadcast_to(c, np.shape(weights))), 0.0)
    s_c = np.sum(cc)
    q_c = np.sum(per * cc)
    big_q = np.sum(gg * n / vol)
    out = -per * s_c / total**2 - q_c / total**2 + 2.0 * big_q * s_c / total**3
    return np.reshape(np.where(inside, out, 0.0), np.shape(weights))


plain(histogram_counts)
differentiated_as(histogram_tangent)(histograms.histogram_tangent)
differentiated_as(histogram_second)(histograms.histogram_second)


# -- numpy.linalg.norm and vector_norm: norm_tangent, vector_norm_tangent, norm_hessian,
# norm_slope_dn, norm_slope_dn_t (formulas: s2s/runtime/linalg_second.py's docstring) ------

_FLAT = (0, 1, np.inf, -np.inf)


def norm_reading(shape: tuple, ord: Any, axis: Any, vector: bool) -> tuple:
    """:func:`s2s.runtime.linalg.norm_layout` from ``x``'s shape: the reduced axes, whether
    they hold matrices, the keepdims shape and the norm's power ``p`` (``None`` but for the
    p-norms, whose slope is ``sign(x) |x|^(p-1) / n^(p-1)``)."""
    nd = len(shape)
    if axis is None:
        axes = tuple(range(nd))
        matrix = ord is not None and nd == 2 and not vector
    else:
        axes = normalize_axis_tuple(axis, nd)
        matrix = len(axes) == 2 and not vector
    keep = tuple(1 if i in axes else s for i, s in enumerate(shape))
    if matrix:
        p = 2.0 if ord in (None, "fro") else None
    else:
        p = 2.0 if ord is None else None if ord in _FLAT else float(ord)
    return axes, matrix, keep, p


def norm_tangent(t, x, result, ord=None, axis=None, keepdims=False):
    """The twin of :func:`s2s.runtime.norm_tangent`: ``sum(norm_adjoint(1) t)``."""
    slope = linalg.norm_adjoint(np.ones(np.shape(result)), x, result, ord, axis, keepdims)
    return np.sum(slope * t, axis=normalize_axes(axis, np.ndim(x)), keepdims=keepdims)


def vector_norm_tangent(t, x, result, ord=2, axis=None, keepdims=False):
    """The twin of :func:`s2s.runtime.vector_norm_tangent`: ``sum(vector_norm_adjoint(1) t)``."""
    slope = linalg.vector_norm_adjoint(np.ones(np.shape(result)), x, result, ord, axis, keepdims)
    return np.sum(slope * t, axis=normalize_axes(axis, np.ndim(x)), keepdims=keepdims)


def p_norm_curvature(x: Any, nk: Any, p: float) -> Any:
    """``(p-1) |x|^(p-2) / n^(p-1)``, 0 where the norm is (``1 / n`` for ``p = 2``)."""
    safe = np.where(nk == 0, 1.0, nk)
    if p == 2.0:
        return np.where(nk == 0, 0.0, 1.0 / safe)
    return np.where(nk == 0, 0.0, (p - 1.0) * np.abs(x) ** (p - 2.0) / safe ** (p - 1.0))


def p_norm_slope_dn(gk: Any, x: Any, nk: Any, p: float) -> Any:
    """``-g (p-1) sign(x) |x|^(p-1) / n^p``, 0 where the norm is."""
    safe = np.where(nk == 0, 1.0, nk)
    x = np.asarray(x)  # a list of the user's (followed item by item, it is never rebound)
    top = x if p == 2.0 else np.sign(x) * np.abs(x) ** (p - 1.0)
    return np.where(nk == 0, 0.0, -(p - 1.0) * gk * top / safe**p)


def polar_derivative(a: Any, v: Any) -> Any:
    """``d(U V^T)`` along ``v`` for full-rank matrices ``a`` (Townsend 2016)."""
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    vv = matrix_transpose(vh)
    ut_v = matrix_transpose(u) @ v
    m = ut_v @ vv
    omega = (m - matrix_transpose(m)) / (s[..., :, None] + s[..., None, :])
    left = (v @ vv - u @ m) / s[..., None, :]
    right = (ut_v - m @ vh) / s[..., :, None]
    return u @ omega @ vh + left @ vh + u @ right


def spectral_derivative(a: Any, v: Any, i: int) -> Any:
    """``d(u_i v_i^T)`` along ``v`` for the simple singular value ``i`` (0: the largest,
    -1: the smallest) of the matrices ``a`` (Townsend 2016)."""
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    k = np.shape(s)[-1]
    j = i % k
    vv = matrix_transpose(vh)
    m = matrix_transpose(u) @ v @ vv
    si = s[..., j : j + 1]
    ui = u[..., :, j : j + 1]
    vi = vv[..., :, j : j + 1]
    other = np.arange(k) != j
    gap = np.where(other, si**2 - s**2, 1.0)
    col_i = m[..., :, j]
    row_i = m[..., j, :]
    cu = np.where(other, (si * col_i + s * row_i) / gap, 0.0)
    cv = np.where(other, (si * row_i + s * col_i) / gap, 0.0)
    du = u @ cu[..., :, None] + (v @ vi - u @ m[..., :, j : j + 1]) / si[..., None]
    dv = vv @ cv[..., :, None] + (matrix_transpose(v) @ ui
                                  - vv @ matrix_transpose(m[..., j : j + 1, :])) / si[..., None]
    return du @ matrix_transpose(vi) + ui @ matrix_transpose(dv)


def norm_hessian(v, g, x, n, ord=None, axis=None, keepdims=False, vector=False):
    """The twin of :func:`s2s.runtime.norm_hessian`: ``g`` times the slope's partial in
    ``x`` along ``v`` (diagonal for the p-norms, the SVD's derivative for 'nuc', 2, -2)."""
    axes, matrix, keep, p = norm_reading(np.shape(x), ord, axis, vector)
    gk = np.reshape(g, keep)
    nk = np.reshape(n, keep)
    v = np.broadcast_to(v, np.shape(x))
    if p is not None:
        return gk * p_norm_curvature(x, nk, p) * v
    if not matrix or ord in (1, -1, np.inf, -np.inf):
        return np.zeros(np.shape(x))
    if ord not in ("nuc", 2, -2):
        raise ValueError(f"the second derivative of norm does not support ord={ord!r}")
    last = (-2, -1)
    am = np.moveaxis(x, axes, last)
    vm = np.moveaxis(v, axes, last)
    if ord == "nuc":
        local = polar_derivative(am, vm)
    else:
        local = spectral_derivative(am, vm, 0 if ord == 2 else -1)
        local = np.where(np.moveaxis(nk, axes, last) > 0, local, 0.0)
    return gk * np.moveaxis(local, last, axes)


def norm_slope_dn(t, g, x, n, ord=None, axis=None, keepdims=False, vector=False):
    """The twin of :func:`s2s.runtime.norm_slope_dn`: ``g dG/dn t`` (0 but for p-norms)."""
    axes, matrix, keep, p = norm_reading(np.shape(x), ord, axis, vector)
    if p is None:
        return np.zeros(np.shape(x))
    slope = p_norm_slope_dn(np.reshape(g, keep), x, np.reshape(n, keep), p)
    return slope * np.reshape(t, keep)


def norm_slope_dn_t(w, g, x, n, ord=None, axis=None, keepdims=False, vector=False):
    """The twin of :func:`s2s.runtime.norm_slope_dn_t`: ``sum(g dG/dn w)`` over the reduced
    axes, in ``n``'s shape."""
    axes, matrix, keep, p = norm_reading(np.shape(x), ord, axis, vector)
    if p is None:
        return np.zeros(np.shape(n))
    slope = p_norm_slope_dn(np.reshape(g, keep), x, np.reshape(n, keep), p)
    return np.reshape(np.sum(slope * w, axis=axes, keepdims=True), np.shape(n))


plain(p_norm_curvature, p_norm_slope_dn, polar_derivative, spectral_derivative)
differentiated_as(norm_tangent)(tangent_rules.norm_tangent)
differentiated_as(vector_norm_tangent)(tangent_rules.vector_norm_tangent)
differentiated_as(norm_hessian)(linalg_second.norm_hessian)
differentiated_as(norm_slope_dn)(linalg_second.norm_slope_dn)
differentiated_as(norm_slope_dn_t)(linalg_second.norm_slope_dn_t)


# -- numpy.cumprod: cumprod_tangent, cumprod_second (one step per entry along the axis) ----


def scanned_first(v: Any, shape: tuple, axis: Any) -> Any:
    """``v`` broadcast to ``shape`` with the scanned axis first (flattened for ``None``)."""
    full = np.broadcast_to(v, shape)
    if axis is None:
        return np.reshape(full, (-1,))
    return np.moveaxis(full, axis, 0)


def cumprod_tangent(t, a, axis=None):
    """The twin of :func:`s2s.runtime.cumprod_tangent`: ``dy_i = dy_{i-1} a_i + y_{i-1} t_i``
    (exact with zeros)."""
    shape = np.shape(a)
    flat = axis is None or len(shape) == 0
    x = scanned_first(a, shape, None if flat else axis)
    tt = scanned_first(t, shape, None if flat else axis)
    n = np.shape(x)[0]
    if n == 0:
        return np.zeros(np.shape(x)) if flat else np.zeros(shape)
    running = np.ones(np.shape(x)[1:])
    tangent = np.zeros(np.shape(x)[1:])
    out = np.zeros((0,) + np.shape(x)[1:])
    for i in range(n):
        tangent = tangent * x[i] + running * tt[i]
        running = running * x[i]
        out = np.concatenate([out, np.expand_dims(tangent, 0)])
    return out if flat else np.moveaxis(out, 0, axis)


def cumprod_second(g, a, u, axis=None):
    """The twin of :func:`s2s.runtime.cumprod_second`: ``dP_j S_j + P_j dS_j`` with
    ``S_j = g_j + a_(j+1) S_(j+1)``, ``dS_j = a_(j+1) dS_(j+1) + u_(j+1) S_(j+1)`` and the
    exclusive cumulative product ``P`` and its tangent ``dP`` (exact with zeros)."""
    shape = np.shape(a)
    flat = axis is None or len(shape) == 0
    x = scanned_first(a, shape, None if flat else axis)
    w = scanned_first(u, shape, None if flat else axis)
    gs = np.reshape(g, (-1,)) if flat else g
    gg = scanned_first(gs, np.shape(x), 0) if flat else scanned_first(gs, shape, axis)
    n = np.shape(x)[0]
    if n == 0:
        return np.zeros(shape)
    s = gg[n - 1]
    ds = np.zeros(np.shape(x)[1:])
    s_all = np.expand_dims(s, 0)  # S_(n-1), S_(n-2), ...: backwards
    ds_all = np.expand_dims(ds, 0)
    for j in range(n - 2, -1, -1):
        ds = x[j + 1] * ds + w[j + 1] * s
        s = gg[j] + x[j + 1] * s
        s_all = np.concatenate([s_all, np.expand_dims(s, 0)])
        ds_all = np.concatenate([ds_all, np.expand_dims(ds, 0)])
    p = np.ones(np.shape(x)[1:])
    dp = np.zeros(np.shape(x)[1:])
    out = np.zeros((0,) + np.shape(x)[1:])
    for j in range(n):
        step = dp * s_all[n - 1 - j] + p * ds_all[n - 1 - j]
        out = np.concatenate([out, np.expand_dims(step, 0)])
        dp = dp * x[j] + p * w[j]
        p = p * x[j]
    return np.reshape(out, shape) if flat else np.moveaxis(out, 0, axis)


plain(scanned_first)
differentiated_as(cumprod_tangent)(tangent_rules.cumprod_tangent)
differentiated_as(cumprod_second)(tangent_rules.cumprod_second)
