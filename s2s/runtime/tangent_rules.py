"""Helpers for the ``@tangent`` rules: each the transpose of the adjoint helper of its rule.

A tangent argument ``t`` has its input's shape (or broadcasts against it) and tangent dtype;
each helper returns the output's tangent with the output's shape. Conventions at
non-differentiable points are those of the adjoints (DESIGN 8), so that forward and reverse
rules stay transposes of each other there too.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from s2s.errors import UndefinedGradientError, caller_location
from s2s.runtime import plain_decompositions, spectra
from s2s.runtime.core import acc_dtype, dtype_of
from s2s.runtime.kinds import Undefined
from s2s.runtime.linalg import adjugate, norm_adjoint, vector_norm_adjoint
from s2s.runtime.products import einsum_of
from s2s.runtime.reductions import normalize_axes, prod_adjoint
from s2s.runtime.sorting import median_adjoint
from s2s.runtime.sources import differentiated_as
from s2s.runtime.ufuncs import div_or_zero

_T = np.matrix_transpose


def _cast(x: Any, dtype: np.dtype) -> np.ndarray:
    x = np.asarray(x)
    return x if x.dtype == dtype else x.astype(dtype)


def _reduced(total: np.ndarray, axes: tuple[int, ...], keepdims: bool) -> np.ndarray:
    # a keepdims reduction's result in the shape numpy gives for ``keepdims``
    return total if keepdims else np.squeeze(total, axis=axes)


def _sum_along(x: np.ndarray, axis: Any, keepdims: bool) -> Any:
    axes = normalize_axes(axis, np.ndim(x))
    return _reduced(np.sum(x, axis=axes, keepdims=True), axes, keepdims)


# -- selections and reductions -----------------------------------------------------------------


def extremum_part(t: Any, x: Any, other: Any, wins: Any) -> Any:
    """``x``'s part of the tangent of ``np.maximum(x, other)`` (``wins=np.greater``) or
    ``np.minimum`` (``np.less``): ``t`` where ``x`` is taken, ``t / 2`` at ties, ``t`` where
    ``x`` is NaN and ``other`` is not. The broadcast shape. Source: DESIGN 8; the transpose of
    :func:`s2s.runtime.maximum_share`."""
    x_nan, other_nan = np.isnan(x), np.isnan(other)
    tie = np.equal(x, other) | (x_nan & other_nan)
    full = (wins(x, other) | x_nan) & ~other_nan & ~tie
    return np.where(full, t, np.where(tie, t * 0.5, 0))


def extremum_tangent(t: Any, mask: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """The tangent of a max/min reduction: the mean of ``t`` over the tied extreme entries
    (``mask``, from :func:`s2s.runtime.extremum_mask`). Source: DESIGN 8 (1/k at ties)."""
    t = np.asarray(t)
    dtype = t.dtype if t.dtype.kind == "f" else np.dtype(np.float64)
    axes = normalize_axes(axis, np.ndim(mask))
    count = np.sum(mask, axis=axes, keepdims=True, dtype=dtype)
    total = np.sum(np.where(mask, t, 0), axis=axes, keepdims=True, dtype=dtype) / count
    return _reduced(total, axes, keepdims)


def prod_tangent(t: Any, a: Any, result: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """The tangent of ``np.prod(a, axis)``: ``sum_i t_i prod_{j != i} a_j``, exact with zeros
    (no division). Source: product rule."""
    ones = np.ones(np.shape(result), acc_dtype(dtype_of(a)))
    return _sum_along(prod_adjoint(ones, a, axis, keepdims) * t, axis, keepdims)


def var_tangent(t: Any, a: Any, axis: Any = None, ddof: Any = 0, keepdims: bool = False) -> Any:
    """The tangent of ``np.var(a, axis, ddof=ddof)``: ``2 sum((a - mean) t) / (N - ddof)``.
    Source: d var = 2 (a - mean) . da / (N - ddof)."""
    a = np.asarray(a)
    dtype = acc_dtype(a.dtype)
    a = a.astype(dtype, copy=False)
    axes = normalize_axes(axis, a.ndim)
    centered = a - np.mean(a, axis=axes, keepdims=True)
    size = math.prod(a.shape[i] for i in axes)
    scale = 2.0 / (size - float(ddof))
    return _sum_along(centered * t, axes, keepdims) * scale


def median_tangent(t: Any, a: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """The tangent of ``np.median(a, axis)``: ``t`` at the middle entry of the stable order
    (the mean of the two middle ones for an even count; of the NaNs where there are some).
    Source: numpy.median; the transpose of :func:`s2s.runtime.median_adjoint`."""
    a = np.asarray(a)
    axes = normalize_axes(axis, a.ndim)
    shape = tuple(n for i, n in enumerate(a.shape) if i not in axes)
    weights = median_adjoint(np.ones(shape, acc_dtype(a.dtype)), a, axis, False)
    return _sum_along(weights * t, axes, keepdims)


def sort_tangent(t: Any, a: Any, axis: Any = -1) -> Any:
    """The tangent of ``np.sort(a, axis)``: ``t`` permuted as ``a`` was (stable order).
    Source: numpy.sort (a permutation is linear)."""
    t = np.broadcast_to(t, np.shape(a))
    if axis is None:
        return np.reshape(t, -1)[np.argsort(a, axis=None, kind="stable")]
    return np.take_along_axis(t, np.argsort(a, axis=axis, kind="stable"), axis)


def unique_tangent(
    t: Any, ar: Any, axis: Any = None, equal_nan: bool = True, sorted: bool = True
) -> Any:
    """The tangent of the values ``np.unique(ar)``: each value's tangent is the mean of its
    occurrences' (moving all occurrences together is where the derivative exists).
    Source: numpy.unique; the transpose of :func:`s2s.runtime.unique_adjoint`."""
    ar = np.asarray(ar)
    dtype = acc_dtype(ar.dtype)
    values, inverse, counts = np.unique(
        ar, return_inverse=True, return_counts=True, axis=axis, equal_nan=equal_nan, sorted=sorted
    )
    inverse = np.reshape(inverse, -1)
    t = _cast(np.broadcast_to(t, ar.shape), dtype)
    if axis is None:
        out = np.zeros(values.shape, dtype)
        np.add.at(out, inverse, np.reshape(t, -1))
        return out / counts.astype(dtype)
    axis = normalize_axes(axis, ar.ndim)[0]
    moved = np.moveaxis(t, axis, 0)
    out = np.zeros((len(counts),) + moved.shape[1:], dtype)
    np.add.at(out, inverse, moved)
    out = out / np.reshape(counts.astype(dtype), (-1,) + (1,) * (moved.ndim - 1))
    return np.moveaxis(out, 0, axis)


def cumprod_tangent(t: Any, a: Any, axis: Any = None) -> Any:
    """The tangent of ``np.cumprod(a, axis)`` by its recurrence ``dy_i = dy_{i-1} a_i +
    y_{i-1} t_i`` (exact with zeros, one vector step per entry along ``axis``).
    Source: product rule."""
    a = np.asarray(a)
    dtype = acc_dtype(a.dtype)
    t = _cast(np.broadcast_to(t, a.shape), dtype)
    x = _cast(a, dtype)
    if axis is None:
        x, t, axis = np.reshape(x, -1), np.reshape(t, -1), 0
    x, t = np.moveaxis(x, axis, 0), np.moveaxis(t, axis, 0)
    out = np.empty(x.shape, dtype)
    running = np.ones(x.shape[1:], dtype)  # y_{i-1}
    tangent = np.zeros(x.shape[1:], dtype)
    for i in range(x.shape[0]):
        tangent = tangent * x[i] + running * t[i]
        running = running * x[i]
        out[i] = tangent
    return np.moveaxis(out, 0, axis)


def cumprod_second(g: Any, a: Any, u: Any, axis: Any = None) -> Any:
    """The derivative of :func:`s2s.runtime.cumprod_adjoint` in ``a`` along ``u`` (both the
    tangent and, the Hessian of ``<g, cumprod(a)>`` being symmetric, the transpose), exact with
    zeros: the adjoint is ``P_j S_j`` with ``P`` the exclusive cumulative product and
    ``S_j = g_j + a_(j+1) S_(j+1)``; ``dP`` and ``dS`` follow the same recurrences (one
    vector step per entry along ``axis``). ``a``'s shape and accumulator dtype.
    Source: product rule."""
    a = np.asarray(a)
    dtype = acc_dtype(a.dtype)
    x = _cast(a, dtype)
    u = _cast(np.broadcast_to(u, a.shape), dtype)
    if axis is None or a.ndim == 0:  # the flat scan: g has the flat result's shape
        x, u, axis = np.reshape(x, -1), np.reshape(u, -1), 0
        g = _cast(np.broadcast_to(np.reshape(g, -1), x.shape), dtype)
    else:
        g = _cast(np.broadcast_to(g, a.shape), dtype)
    x, g, u = np.moveaxis(x, axis, 0), np.moveaxis(g, axis, 0), np.moveaxis(u, axis, 0)
    n = x.shape[0]
    s, ds = np.empty(x.shape, dtype), np.empty(x.shape, dtype)
    if n:
        s[n - 1], ds[n - 1] = g[n - 1], 0.0
    for j in range(n - 2, -1, -1):
        s[j] = g[j] + x[j + 1] * s[j + 1]
        ds[j] = x[j + 1] * ds[j + 1] + u[j + 1] * s[j + 1]
    out = np.empty(x.shape, dtype)
    p, dp = np.ones(x.shape[1:], dtype), np.zeros(x.shape[1:], dtype)
    for j in range(n):
        out[j] = dp * s[j] + p * ds[j]
        dp, p = dp * x[j] + p * u[j], p * x[j]
    out = np.moveaxis(out, 0, axis)
    return np.reshape(out, a.shape)


# -- products ----------------------------------------------------------------------------------


def plain_einsum_tangent(subscripts, operands, tangents, optimize=False):
    """:func:`einsum_tangent` by ``np.einsum`` (its twin, :mod:`s2s.runtime.sources`): every
    order of einsum is an einsum, so every further order follows."""
    total = None
    for k, (_, t) in enumerate(zip(operands, tangents)):
        if t is not None:
            replaced = [t if i == k else o for i, o in enumerate(operands)]
            term = einsum_of(subscripts, replaced, optimize)
            total = term if total is None else total + term
    return total


@differentiated_as(plain_einsum_tangent)
def einsum_tangent(subscripts: str, operands: Any, tangents: Any, optimize: Any = False) -> Any:
    """The tangent of ``np.einsum(subscripts, *operands)``: one einsum per operand with a
    tangent, that operand replaced by its tangent (multilinearity). ``None``: no tangent."""
    total = None
    for k, t in enumerate(tangents):
        if t is None:
            continue
        ops = list(operands)
        ops[k] = t
        term = np.einsum(subscripts, *ops, optimize=optimize)
        total = term if total is None else total + term
    return total


# -- linalg ------------------------------------------------------------------------------------


def norm_tangent(t: Any, x: Any, result: Any, ord: Any = None, axis: Any = None,
                 keepdims: bool = False) -> Any:  # fmt: skip
    """The tangent of ``np.linalg.norm(x, ord, axis)``: ``sum(d norm / dx * t)`` over the
    reduced axes (each output entry is the norm of its own vector or matrix). Conventions
    at the origin and at ties are those of :func:`s2s.runtime.norm_adjoint`."""
    x = np.asarray(x)
    ones = np.ones(np.shape(result), acc_dtype(x.dtype))
    slope = norm_adjoint(ones, x, result, ord, axis, keepdims)
    axes = tuple(range(x.ndim)) if axis is None else normalize_axes(axis, x.ndim)
    return _reduced(np.sum(slope * t, axis=axes, keepdims=True), axes, keepdims)


def vector_norm_tangent(t: Any, x: Any, result: Any, ord: Any = 2, axis: Any = None,
                        keepdims: bool = False) -> Any:  # fmt: skip
    """The tangent of ``np.linalg.vector_norm(x, axis=axis, keepdims=keepdims, ord=ord)``:
    ``sum(d norm / dx * t)`` over ``axis`` (every axis by default). Conventions of
    :func:`s2s.runtime.vector_norm_adjoint`."""
    x = np.asarray(x)
    ones = np.ones(np.shape(result), acc_dtype(x.dtype))
    slope = vector_norm_adjoint(ones, x, result, ord, axis, keepdims)
    axes = tuple(range(x.ndim)) if axis is None else normalize_axes(axis, x.ndim)
    return _reduced(np.sum(slope * t, axis=axes, keepdims=True), axes, keepdims)


def solve_tangent_a(t: Any, x: Any, a: Any, b: Any) -> Any:
    """The part of the tangent of ``x = np.linalg.solve(a, b)`` from ``a``: ``-A^-1 dA x``
    (``b`` one vector when 1-D, as numpy 2 decides). Source: Giles 2008."""
    if np.ndim(b) == 1:
        return -np.linalg.solve(a, np.matmul(t, np.expand_dims(x, -1)))[..., 0]
    return -np.linalg.solve(a, np.matmul(t, x))


def det_tangent(t: Any, a: Any) -> Any:
    """The tangent of ``np.linalg.det(a)``: ``tr(adj(A) dA)`` (Jacobi's formula; exact at
    singular matrices, DESIGN 8). Source: Giles 2008."""
    return np.sum(_T(adjugate(a)) * t, axis=(-2, -1))


def slogdet_tangent(t: Any, a: Any) -> Any:
    """The tangent of ``logabsdet`` of ``np.linalg.slogdet(a)``: ``tr(A^-1 dA)``. At a
    singular matrix (``logabsdet`` is ``-inf``) it is IEEE ``tr(adj(A) dA) / 0`` (``inf``, or
    ``nan``, with numpy's warning), as the adjoint's is (DESIGN 8), where numpy's ``inv``
    raises ``LinAlgError``.
    Source: Giles 2008."""
    try:
        inverse = np.linalg.inv(a)
    except np.linalg.LinAlgError:  # numpy warns of the division, as at log's 0 in forward mode
        inverse = adjugate(a) / np.linalg.det(a)[..., None, None]
    return np.sum(_T(inverse) * t, axis=(-2, -1))


def _sym(m: Any) -> Any:
    return (m + _T(m)) * 0.5


@differentiated_as(plain_decompositions.eigh_tangent)
def eigh_tangent(t: Any, w: Any, v: Any) -> tuple[Any, Any]:
    """The tangents of ``w, v = np.linalg.eigh(a)`` along a symmetric ``dA`` (its symmetric
    part is used, as the adjoint's gradient is symmetric): ``dw = diag(V^T dA V)``,
    ``dV = V (F o V^T dA V)`` with ``F_ij = 1 / (w_j - w_i)``. At a repeated eigenvalue (to
    the tolerance of :func:`s2s.runtime.spectra.tied_pairs`) whose eigenvectors ``dA``
    couples to any other (an entry of ``V^T dA V`` off the diagonal in their columns:
    :func:`spectra.tied_vectors_used`), ``dV`` is an ``s2s.Undefined`` marker (located by the
    generated code where the eigenvectors' tangent is used): their basis jumps, also where
    the tied block is a multiple of the identity and only a simple eigenvector is coupled
    (that gave a tangent of 0 for a jump). ``dw`` is a marker too unless the block of
    ``V^T dA V`` of each repeated eigenvalue is a multiple of the identity
    (:func:`spectra.tangent_splits`: else its copies move apart, with one-sided derivatives
    only). Source: Giles 2008, section 3.1."""
    m = np.matmul(np.matmul(_T(v), _sym(t)), v)
    dw = np.diagonal(m, axis1=-2, axis2=-1)
    tied = spectra.tied_pairs(w)
    if bool(spectra.tied_vectors_used(tied, m, diagonal=False)):
        if spectra.tangent_splits(tied, m):  # the copies of a repeated eigenvalue move apart
            dw = spectra.repeated_marker(spectra.SPLIT_TANGENT)
        return dw, spectra.repeated_marker()
    if spectra.tangent_splits(tied, m):  # diagonal tied block, unequal entries
        dw = spectra.repeated_marker(spectra.SPLIT_TANGENT)
    gaps = np.where(tied, np.inf, w[..., None, :] - w[..., :, None])
    dv = np.matmul(v, div_or_zero(m, gaps) * (1 - np.eye(m.shape[-1], dtype=m.dtype)))
    return dw, dv


def eigvalsh_tangent(t: Any, a: Any, UPLO: str = "L") -> Any:
    """The tangent of ``np.linalg.eigvalsh(a)``: ``diag(V^T dA V)`` (one more ``eigh``).

    Raises:
        UndefinedGradientError: at a repeated eigenvalue whose copies ``dA`` moves apart (see
            :func:`eigh_tangent`), located at the user's line that asked for the tangent.
    """
    w, v = np.linalg.eigh(a, UPLO)
    dw = eigh_tangent(t, w, v)[0]
    if isinstance(dw, Undefined):
        raise UndefinedGradientError(
            "the tangent of np.linalg.eigvalsh is undefined: "
            + spectra.EIGH_SPLIT.format(how=spectra.SPLIT_TANGENT),
            caller_location(), spectra.EIGH_SPLIT_ADVICE,
        )  # fmt: skip
    return dw


def _completion_tangent(full: Any, thin_tangent: Any) -> Any:
    """The tangent of an orthonormal completion ``Q2`` of ``Q1`` (``full = [Q1, Q2]``) that
    rotates least: ``dQ2 = -Q1 dQ1^T Q2`` (``Q^T dQ`` skew, its ``Q2^T dQ2`` block zero). The
    completion is any orthonormal one, so only what does not depend on the choice of it (a
    projector, ``Q @ R``) has a derivative; this one is exact for those."""
    k = thin_tangent.shape[-1]
    q1, q2 = full[..., :k], full[..., k:]
    rest = -np.matmul(q1, np.matmul(_T(thin_tangent), q2))
    return np.concatenate([thin_tangent, rest], axis=-1)


def _thin_svd_tangent(t: Any, u: Any, s: Any, v: Any) -> tuple[Any, Any, Any]:
    # Townsend 2016: dP = U^T dA V, dS = diag(dP), dU = U (F o (dP S + S dP^T)) + (I - UU^T) dA V
    # S^-1, dV = V (F o (S dP + dP^T S)) + (I - VV^T) dA^T U S^-1, F_ij = 1 / (s_j^2 - s_i^2)
    dp = np.matmul(np.matmul(_T(u), t), v)
    ds = np.diagonal(dp, axis1=-2, axis2=-1)
    row = s[..., None, :]
    f = div_or_zero(1, row * row - _T(row) * _T(row))
    du = np.matmul(u, f * (dp * row + _T(row) * _T(dp)))
    dv = np.matmul(v, f * (_T(row) * dp + _T(dp) * row))
    with np.errstate(divide="ignore", invalid="ignore"):
        if u.shape[-2] > u.shape[-1]:
            rest = np.matmul(t, v) - np.matmul(u, np.matmul(_T(u), np.matmul(t, v)))
            du = du + rest / row
        if v.shape[-2] > v.shape[-1]:
            rest = np.matmul(_T(t), u) - np.matmul(v, np.matmul(_T(v), np.matmul(_T(t), u)))
            dv = dv + rest / row
    return du, ds, dv


def svd_tangent(t: Any, U: Any, S: Any, Vh: Any, a: Any, full_matrices: bool = True,
                compute_uv: bool = True) -> tuple[Any, Any, Any]:  # fmt: skip
    """The tangents of ``U, S, Vh = np.linalg.svd(a, full_matrices, compute_uv)``. With
    ``compute_uv=False`` the single output ``S`` is first. ``full_matrices=True`` on a
    non-square ``a``: the extra columns of ``U`` (rows of ``Vh``) get the tangent of the
    completion that rotates least (:func:`_completion_tangent`). Source: Townsend 2016,
    "Differentiating the singular value decomposition"."""
    if not compute_uv:
        return svdvals_tangent(t, a), None, None
    k = S.shape[-1]
    u, v = U[..., :k], _T(Vh[..., :k, :])
    du, ds, dv = _thin_svd_tangent(t, u, S, v)
    du_out = du if U.shape[-1] == k else _completion_tangent(U, du)
    dvh_out = _T(dv) if Vh.shape[-2] == k else _T(_completion_tangent(_T(Vh), dv))
    return du_out, ds, dvh_out


def svdvals_tangent(t: Any, a: Any) -> Any:
    """The tangent of ``np.linalg.svdvals(a)``: ``diag(U^T dA V)`` (thin; one more ``svd``).
    Source: Giles 2008, d s_i = u_i^T dA v_i."""
    u, _, vh = np.linalg.svd(a, full_matrices=False)
    return np.diagonal(np.matmul(np.matmul(_T(u), t), _T(vh)), axis1=-2, axis2=-1)


def _qr_square_tangent(t: Any, q: Any, r: Any) -> tuple[Any, Any]:
    # m >= n: X = Q^T dA R^-1, Omega = tril(X, -1) - tril(X, -1)^T, dR = (X - Omega) R,
    # dQ = dA R^-1 - Q (X - Omega)
    t_rinv = _T(np.linalg.solve(_T(r), _T(t)))
    x = np.matmul(_T(q), t_rinv)
    low = np.tril(x, -1)
    upper = x - (low - _T(low))
    return t_rinv - np.matmul(q, upper), np.matmul(upper, r)


def qr_tangent(t: Any, Q: Any, R: Any, a: Any = None, mode: str = "reduced") -> tuple[Any, Any]:
    """The tangents of ``Q, R = np.linalg.qr(a, mode)`` (``mode='r'``: ``R`` first). A wide
    ``a = [X, Y]`` (``X`` square): ``X``'s square formula, then ``dR2 = Q^T (dY - dQ R2)``.
    ``mode='complete'`` on a tall ``a``: ``Q``'s extra columns as in :func:`svd_tangent`.
    Source: Walter and Lehmann 2018; Liao et al. 2019 for wide matrices."""
    if mode == "r":
        q, r = np.linalg.qr(a, mode="reduced")
        return _qr_tangent(t, q, r)[1], None
    k = min(Q.shape[-2], R.shape[-1])
    dq, dr = _qr_tangent(t, Q[..., :k], R[..., :k, :])
    if Q.shape[-1] == k:
        return dq, dr
    padding = np.zeros(dr.shape[:-2] + (R.shape[-2] - k, R.shape[-1]), dr.dtype)
    return _completion_tangent(np.asarray(Q), dq), np.concatenate([dr, padding], axis=-2)


def _qr_tangent(t: Any, q: Any, r: Any) -> tuple[Any, Any]:
    m, n = q.shape[-2], r.shape[-1]
    if m >= n:
        return _qr_square_tangent(t, q, r)
    dq, dr1 = _qr_square_tangent(t[..., :m], q, r[..., :m])
    dr2 = np.matmul(_T(q), t[..., m:] - np.matmul(dq, r[..., m:]))
    return dq, np.concatenate([dr1, dr2], axis=-1)


@differentiated_as(plain_decompositions.cholesky_tangent)
def cholesky_tangent(t: Any, L: Any, upper: bool = False) -> Any:
    """The tangent of ``np.linalg.cholesky(a, upper=upper)`` along the symmetric part of
    ``dA``: ``L Phi(L^-1 dA L^-T)``, ``Phi`` the lower triangle with its diagonal halved.
    Source: Murray 2016, "Differentiation of the Cholesky decomposition"."""
    low = _T(L) if upper else np.asarray(L)
    inner = np.linalg.solve(low, _T(np.linalg.solve(low, _sym(t))))  # L^-1 dA L^-T
    phi = np.tril(inner) - 0.5 * np.tril(np.triu(inner))
    out = np.matmul(low, phi)
    return _T(out) if upper else out
