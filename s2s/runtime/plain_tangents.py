"""Plain twins of the tangent helpers that forward rules' templates call (``prod_tangent``,
``solve_tangent_a``, ``det_tangent``, ``svd_tangent``, ...), so that s2s differentiates a
JVP again: forward over forward (``s2s.jvp(s2s.jvp(f))``) and the third-order recipes
``s2s.jvp(s2s.jvp(s2s.grad(f)))`` through these functions (issue 9,
:mod:`s2s.runtime.sources`).

Each twin computes what its helper computes (the tangent of the helper's function along
``t``), with numpy calls that have rules of their own (matmul, ``np.linalg.solve``,
``np.linalg.eigh``/``svd``/``qr``, ``prod_adjoint``, ``where``) and the plain helpers of
:mod:`s2s.runtime.plain_decompositions`; the helpers keep their own bodies for the values.
Formulas and sources are in the helpers' docstrings. Shapes and dtypes are the helpers':
stacks of matrices ``(..., m, n)``, a tangent of its output's shape. The tangents of the
callables' functions (``np.piecewise``, ``np.apply_along_axis``, ``np.apply_over_axes``)
are written as the transposes of their adjoints' twins, ``J t = grad_g sum(t A(g, x))``
(:mod:`s2s.runtime.plain_functional`): gradients of gradients, differentiated to any order.

Like the helpers, the decompositions' twins divide by eigenvalue and singular value gaps: a
derivative of their tangent exists only where those are simple; ``svd_tangent``'s and
``qr_tangent``'s completions of a full ``U`` or complete ``Q`` are differentiated as the
helper computes them (a derivative of the completion depends on the choice of it).
"""

from __future__ import annotations

import math

import numpy as np

from s2s.runtime import (
    covariance,
    functional,
    interpolation,
    linalg_extra,
    linalg_spectral,
    tangent_rules,
    ufunc_at,
)
from s2s.runtime import plain_functional as pf
from s2s.runtime.core import stop_gradient
from s2s.runtime.functional import piece_table, steps_of
from s2s.runtime.linalg import det_adjoint
from s2s.runtime.plain_decompositions import (
    matrix_transpose,
    reciprocal_gaps,
    symmetric_part,
)
from s2s.runtime.plain_interpolation import interp_segments
from s2s.runtime.plain_linalg_extra import columns, cond_slope, tensor_order
from s2s.runtime.reductions import normalize_axes, prod_adjoint
from s2s.runtime.sources import differentiated_as, plain
from s2s.runtime.tangents import grad_of
from s2s.runtime.ufunc_at import add_at, extremum_at_shares

# -- numpy.prod --------------------------------------------------------------------------------


def prod_tangent(t, a, result, axis=None, keepdims=False):
    """The twin of :func:`s2s.runtime.prod_tangent`: ``sum(prod_adjoint(1) t)`` over the
    reduced axes."""
    slope = prod_adjoint(np.ones(np.shape(result)), a, axis, keepdims)
    return np.sum(slope * t, axis=normalize_axes(axis, np.ndim(a)), keepdims=keepdims)


# -- numpy.corrcoef ----------------------------------------------------------------------------


def corrcoef_tangent(tx, ty, x, y=None, rowvar=True):
    """The twin of :func:`s2s.runtime.corrcoef_tangent`: ``dR = dC / (s s^T) - R (u_i + u_j)
    / 2`` with ``u = diag(dC) / diag(C)`` (``dC`` from ``cov_tangent``, whose twin is in
    :mod:`s2s.runtime.plain_second`)."""
    c = np.atleast_2d(np.cov(x, y, rowvar))
    s = np.sqrt(np.diag(c))
    scale = np.outer(s, s)
    r = c / scale
    dc = np.atleast_2d(covariance.cov_tangent(tx, ty, x, y, rowvar))
    u = np.diag(dc) / (s * s)
    return np.squeeze(dc / scale - r * (u[:, None] + u[None, :]) / 2.0)


# -- numpy.linalg ------------------------------------------------------------------------------


def solve_tangent_a(t, x, a, b):
    """The twin of :func:`s2s.runtime.solve_tangent_a`: ``-A^-1 dA x``."""
    if np.ndim(b) == 1:
        return -np.linalg.solve(a, np.matmul(t, np.expand_dims(x, -1)))[..., 0]
    return -np.linalg.solve(a, np.matmul(t, x))


def det_tangent(t, a):
    """The twin of :func:`s2s.runtime.det_tangent`: ``tr(adj(A) dA)``, with ``adj(A)^T``
    from :func:`s2s.runtime.det_adjoint` (whose rule is exact at singular matrices)."""
    return np.sum(det_adjoint(np.ones(np.shape(a)[:-2]), a) * t, axis=(-2, -1))


def slogdet_tangent(t, a):
    """The twin of :func:`s2s.runtime.slogdet_tangent`: ``tr(A^-1 dA)``."""
    return np.sum(matrix_transpose(np.linalg.inv(a)) * t, axis=(-2, -1))


def eigvalsh_tangent(t, a, UPLO="L"):
    """The twin of :func:`s2s.runtime.eigvalsh_tangent`: ``diag(V^T sym(dA) V)``."""
    w, v = np.linalg.eigh(a, UPLO)
    m = matrix_transpose(v) @ symmetric_part(t) @ v
    return np.diagonal(m, axis1=-2, axis2=-1)


def svdvals_tangent(t, a):
    """The twin of :func:`s2s.runtime.tangent_rules.svdvals_tangent`: ``diag(U^T dA V)``."""
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    return np.diagonal(matrix_transpose(u) @ t @ matrix_transpose(vh), axis1=-2, axis2=-1)


def completion_tangent(full, thin_tangent):
    """The twin of ``_completion_tangent``: ``[dQ1, -Q1 dQ1^T Q2]``."""
    k = np.shape(thin_tangent)[-1]
    q1 = full[..., :k]
    q2 = full[..., k:]
    rest = -(q1 @ (matrix_transpose(thin_tangent) @ q2))
    return np.concatenate([thin_tangent, rest], axis=-1)


def svd_uv_tangent(t, U, S, Vh):
    """``dU, dS, dVh`` of a decomposition with its vectors (Townsend 2016)."""
    k = np.shape(S)[-1]
    u = U[..., :k]
    v = matrix_transpose(Vh[..., :k, :])
    dp = matrix_transpose(u) @ t @ v
    ds = np.diagonal(dp, axis1=-2, axis2=-1)
    row = S[..., None, :]
    col = S[..., :, None]
    f = reciprocal_gaps(S, True)
    du = u @ (f * (dp * row + col * matrix_transpose(dp)))
    dv = v @ (f * (col * dp + matrix_transpose(dp) * row))
    if np.shape(u)[-2] > k:
        tv = t @ v
        du = du + (tv - u @ (matrix_transpose(u) @ tv)) / row
    if np.shape(v)[-2] > k:
        ttu = matrix_transpose(t) @ u
        dv = dv + (ttu - v @ (matrix_transpose(v) @ ttu)) / row
    if np.shape(U)[-1] != k:
        du = completion_tangent(U, du)
    if np.shape(Vh)[-2] == k:
        dvh = matrix_transpose(dv)
    else:
        dvh = matrix_transpose(completion_tangent(matrix_transpose(Vh), dv))
    return du, ds, dvh


def svd_tangent(t, U, S, Vh, a, full_matrices=True, compute_uv=True):
    """The twin of :func:`s2s.runtime.svd_tangent` (Townsend 2016); with
    ``compute_uv=False`` the single output's tangent first."""
    if compute_uv:
        first, second, third = svd_uv_tangent(t, U, S, Vh)
    else:
        first, second, third = svdvals_tangent(t, a), None, None
    return first, second, third


def qr_square_tangent(t, q, r):
    """``dQ, dR`` for ``m >= n``: ``X = Q^T dA R^-1``, ``Omega = tril(X, -1) - tril(X,
    -1)^T``, ``dR = (X - Omega) R``, ``dQ = dA R^-1 - Q (X - Omega)``."""
    t_rinv = matrix_transpose(np.linalg.solve(matrix_transpose(r), matrix_transpose(t)))
    x = matrix_transpose(q) @ t_rinv
    low = np.tril(x, -1)
    upper = x - (low - matrix_transpose(low))
    return t_rinv - q @ upper, upper @ r


def qr_thin_tangent(t, q, r):
    """``dQ, dR`` of a reduced decomposition (a wide ``a``: its square part first)."""
    m = np.shape(q)[-2]
    n = np.shape(r)[-1]
    if m >= n:
        dq, dr = qr_square_tangent(t, q, r)
    else:
        dq, dr1 = qr_square_tangent(t[..., :m], q, r[..., :m])
        dr2 = matrix_transpose(q) @ (t[..., m:] - dq @ r[..., m:])
        dr = np.concatenate([dr1, dr2], axis=-1)
    return dq, dr


def qr_tangent(t, Q, R, a=None, mode="reduced"):
    """The twin of :func:`s2s.runtime.qr_tangent` (Walter and Lehmann 2018; Liao et al.
    2019); with ``mode='r'`` the single output's tangent first."""
    if mode == "r":
        q, r = np.linalg.qr(a, mode="reduced")
        first, second = qr_thin_tangent(t, q, r)[1], None
    else:
        k = min(np.shape(Q)[-2], np.shape(R)[-1])
        first, second = qr_thin_tangent(t, Q[..., :k], R[..., :k, :])
        if np.shape(Q)[-1] != k:
            padding = np.zeros(np.shape(second)[:-2] + (np.shape(R)[-2] - k, np.shape(R)[-1]))
            first = completion_tangent(Q, first)
            second = np.concatenate([second, padding], axis=-2)
    return first, second


def pinv_tangent(t, a, x):
    """The twin of :func:`s2s.runtime.pinv_tangent` (Golub and Pereyra 1973)."""
    tt = matrix_transpose(t)
    xxt = x @ matrix_transpose(x)
    xtx = matrix_transpose(x) @ x
    return -(x @ t @ x) + (xxt @ tt - xxt @ tt @ a @ x) + (tt @ xtx - x @ a @ tt @ xtx)


def matrix_power_tangent(t, a, n):
    """The twin of :func:`s2s.runtime.matrix_power_tangent`: ``d B^m = dB B^(m-1) + B
    d B^(m-1)`` one power at a time (``B = inv(A)``, ``dB = -B dA B`` for ``n < 0``)."""
    n = int(n)
    if n == 0:
        return t * 0.0
    if n < 0:
        base = np.linalg.inv(a)
        step = -(base @ t @ base)
    else:
        base = a
        step = t
    power = base
    total = step
    for _ in range(abs(n) - 1):
        total = total @ base + power @ step
        power = power @ base
    return total


def cond_tangent(t, x, c, p=None):
    """The twin of :func:`s2s.runtime.cond_tangent`: ``sum(cond_slope t)`` per matrix."""
    return np.sum(cond_slope(x, p) * t, axis=(-2, -1))


def tensorinv_tangent(t, a, result, ind=2):
    """The twin of :func:`s2s.runtime.tensorinv_tangent`: ``-B dA B`` on the matrix forms."""
    rows = math.prod(np.shape(a)[:ind])
    b = np.reshape(result, (-1, rows))
    return np.reshape(-(b @ np.reshape(t, (rows, -1)) @ b), np.shape(result))


def tensorsolve_rows(t, x, axes=None):
    """The twin of :func:`s2s.runtime.tensorsolve_rows`: ``dA x`` (``t``'s trailing
    ``x.ndim`` axes, ``axes`` moved last, contracted with ``x``)."""
    moved = np.transpose(t, tensor_order(np.ndim(t), axes))
    return np.tensordot(moved, x, axes=np.ndim(x))


def lstsq_residuals_tangent(step, x, residuals, a, b):
    """The twin of :func:`s2s.runtime.lstsq_residuals_tangent`: ``2 sum((A x - b) step)``
    per column."""
    if not np.size(residuals):
        return residuals * 0.0
    return 2.0 * np.sum(columns(a @ x - b) * columns(step), axis=0)


# -- numpy.interp ------------------------------------------------------------------------------


def interp_tangent(tx, txp, tfp, tleft, tright, x, xp, fp, left=None, right=None, period=None):
    """The twin of :func:`s2s.runtime.interp_tangent`: the derivative of the linear
    interpolant, read as :func:`s2s.runtime.plain_interpolation.interp_adjoint` reads it."""
    s, slope, index, i, j, region = interp_segments(x, xp, fp, period)
    out = s * 0.0
    if tx is not None:
        out = out + slope * tx
    if txp is not None:
        read = np.asarray(txp)[index]
        out = out - slope * ((1 - s) * read[i] + s * read[j])
    out = np.where(region == 0, out, 0.0)
    if tfp is not None:
        read = np.asarray(tfp)[index]
        out = out + np.where(region == 0, (1 - s) * read[i] + s * read[j], 0.0)
        if left is None:
            out = out + np.where(region < 0, read[0], 0.0)
        if right is None:
            out = out + np.where(region > 0, read[-1], 0.0)
    if tleft is not None:
        out = out + np.where(region < 0, tleft, 0.0)
    if tright is not None:
        out = out + np.where(region > 0, tright, 0.0)
    return out


# -- ufunc.at ----------------------------------------------------------------------------------


def extremum_at_tangent(ta, tb, a, indices, b, result):
    """The twin of :func:`s2s.runtime.ufunc_at.extremum_at_tangent`: the shares (piecewise
    constant: DESIGN 8's ties) times the candidates' tangents, scattered."""
    share_a, share_b = extremum_at_shares(
        stop_gradient(a), indices, stop_gradient(b), stop_gradient(result)
    )
    out = np.zeros(np.shape(result))
    if ta is not None:
        out = out + share_a * ta
    if tb is not None:
        out = add_at(out, indices, share_b * np.broadcast_to(tb, np.shape(share_b)))
    return out


# -- callables: J t = grad_g sum(t A(g, x)) ----------------------------------------------------


def piecewise_tangent(t, x, condlist, funclist):
    """The twin of :func:`s2s.runtime.piecewise_tangent`."""
    conds, owned, funcs, base = piece_table(np.zeros_like(x), condlist, funclist)
    tx = np.broadcast_to(t, np.shape(x))
    g = np.zeros(np.shape(x))
    return grad_of(pf.piecewise_contracted, "g")(g, x, tx, conds, owned, funcs, base)


def apply_along_axis_tangent(t, result, arr, func1d, axis):
    """The twin of :func:`s2s.runtime.apply_along_axis_tangent`."""
    axis = int(axis) % np.ndim(arr)
    ta = np.broadcast_to(t, np.shape(arr))
    g = np.zeros(np.shape(result))
    return grad_of(pf.along_contracted, "g")(g, arr, ta, func1d, axis)


def apply_over_axes_tangent(t, a, func, axes):
    """The twin of :func:`s2s.runtime.apply_over_axes_tangent`."""
    funcs, axes = steps_of(np.ndim(a), func, axes)
    ta = np.broadcast_to(t, np.shape(a))
    g = np.zeros(np.shape(pf.over_axes_chain(stop_gradient(a), funcs, axes)))
    return grad_of(pf.over_contracted, "g")(g, a, ta, funcs, axes)


plain(completion_tangent, qr_square_tangent, qr_thin_tangent, svdvals_tangent, svd_uv_tangent)
differentiated_as(prod_tangent)(tangent_rules.prod_tangent)
differentiated_as(solve_tangent_a)(tangent_rules.solve_tangent_a)
differentiated_as(det_tangent)(tangent_rules.det_tangent)
differentiated_as(slogdet_tangent)(tangent_rules.slogdet_tangent)
differentiated_as(eigvalsh_tangent)(tangent_rules.eigvalsh_tangent)
differentiated_as(svdvals_tangent)(tangent_rules.svdvals_tangent)
differentiated_as(svd_tangent)(tangent_rules.svd_tangent)
differentiated_as(qr_tangent)(tangent_rules.qr_tangent)
differentiated_as(pinv_tangent)(linalg_extra.pinv_tangent)
differentiated_as(matrix_power_tangent)(linalg_extra.matrix_power_tangent)
differentiated_as(lstsq_residuals_tangent)(linalg_spectral.lstsq_residuals_tangent)
differentiated_as(cond_tangent)(linalg_extra.cond_tangent)
differentiated_as(tensorinv_tangent)(linalg_extra.tensorinv_tangent)
differentiated_as(tensorsolve_rows)(linalg_extra.tensorsolve_rows)
differentiated_as(interp_tangent)(interpolation.interp_tangent)
differentiated_as(extremum_at_tangent)(ufunc_at.extremum_at_tangent)
differentiated_as(corrcoef_tangent)(covariance.corrcoef_tangent)
differentiated_as(piecewise_tangent)(functional.piecewise_tangent)
differentiated_as(apply_along_axis_tangent)(functional.apply_along_axis_tangent)
differentiated_as(apply_over_axes_tangent)(functional.apply_over_axes_tangent)
