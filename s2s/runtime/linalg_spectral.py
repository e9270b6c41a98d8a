"""Helpers for the rules of ``numpy.linalg.eig``, ``eigvals`` and ``lstsq``
(templates/linalg_spectral.py).

``eig`` is differentiated for real spectra with distinct eigenvalues: a complex spectrum, or
an eigenvector cotangent at a repeated eigenvalue (two eigenvalues equal to the tolerance
``64 n eps cond(V) ||A||`` of :func:`s2s.runtime.spectra.eig_tolerance`: rounding splits a
repeated one by that much), gives an ``s2s.Undefined`` marker that the generated code
locates (the eigenvectors of a repeated eigenvalue are any basis of its eigenspace), and so
does a defective matrix (a singular eigenvector matrix), where the eigenvalues themselves
have no derivative. The copies of a repeated eigenvalue have no derivative one by one (only
one-sided ones): a cotangent that tells them apart, or a tangent that moves them apart,
gives a marker too; a symmetric function of the eigenvalues keeps its gradient. A cotangent
argument is ``None`` when its output got none. Every helper returns its input's shape in the
accumulator dtype.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from s2s.errors import UndefinedGradientError, caller_location
from s2s.runtime import plain_linalg_extra as twin
from s2s.runtime import plain_spectral
from s2s.runtime.core import acc_dtype, dtype_of, zeros_like_acc
from s2s.runtime.kinds import Cause, Undefined
from s2s.runtime.linalg_extra import pinv_adjoint
from s2s.runtime.namespace import array_namespace
from s2s.runtime.sources import differentiated_as
from s2s.runtime.spectra import cotangent_splits, eig_tied_pairs, tangent_splits
from s2s.runtime.ufuncs import div_or_zero

GILES = "Giles 2008, section 3.1"


def _T(m: Any) -> Any:
    return m.swapaxes(-1, -2)


def _cast(x: Any, ref: Any) -> Any:
    dtype = acc_dtype(dtype_of(ref))
    return x if x.dtype == dtype else x.astype(dtype)


def _undefined(what: str, reason: str) -> Undefined:
    return Undefined((Cause(what, "a", reason, "", 0),))


COMPLEX = (
    "the matrix has complex eigenvalues: s2s differentiates eig and eigvals for real spectra "
    "only (a symmetric matrix has one: use np.linalg.eigh)"
)
REPEATED = (
    "the eigenvectors of a repeated eigenvalue are any basis of its eigenspace, so they have "
    "no derivative; use only the eigenvalues, or np.linalg.eigh for a symmetric matrix"
)


def _real(x: Any) -> Any:
    """``x`` as a real array, or ``None`` when it has a nonzero imaginary part. numpy 2.5
    returns eig's and eigvals' results as complex arrays even for a real spectrum (with
    imaginary parts exactly 0: LAPACK's ``geev`` gives them so), and a cotangent reaching
    them through complex arithmetic is complex with zero imaginary parts too."""
    if x is None or not np.iscomplexobj(x):
        return x
    xp = array_namespace(x)
    if xp is not np:  # no host read on a device: NaNs mark a complex spectrum
        return xp.where(xp.any(x.imag != 0), xp.nan, x.real)
    return x.real if bool(xp.all(x.imag == 0)) else None


def _refuse_tangent(reason: str = COMPLEX) -> None:
    advice = (
        "differentiate a function of a matrix with real eigenvalues" if reason == COMPLEX
        else "write a symmetric function of the eigenvalues without eig"
    )  # fmt: skip
    raise UndefinedGradientError(
        f"the tangent of np.linalg.eig or eigvals is undefined: {reason}", caller_location(),
        advice,
    )  # fmt: skip


def _real_part(g: Any) -> Any:
    # a cotangent that reached a complex result (numpy 2.5) is complex, with no imaginary part
    return g.real if g is not None and np.iscomplexobj(g) else g


def _gaps(w: Any) -> Any:
    # F_ij = 1 / (w_j - w_i), 0 on the diagonal (and where two eigenvalues are equal)
    return div_or_zero(1.0, w[..., None, :] - w[..., :, None])


SPLIT = (
    "the matrix has a repeated eigenvalue (two eigenvalues equal to the tolerance "
    "64 n eps cond(V) ||A||) whose copies get different cotangents: the copies of a repeated "
    "eigenvalue have no derivative one by one (which is which along a change is arbitrary), "
    "only a symmetric function of them has one"
)
SPLIT_ADVICE = (
    "differentiate a symmetric function of the eigenvalues (sum(w**2) is trace(A @ A)), or "
    "sort them only where they are distinct"
)
SPLIT_TANGENT = (
    "the matrix has a repeated eigenvalue (two eigenvalues equal to the tolerance "
    "64 n eps cond(V) ||A||) and the change dA moves its copies apart (their block of "
    "V^-1 dA V is not a multiple of the identity): the copies have one-sided derivatives "
    "only, and a tangent cannot tell whether a symmetric function of them follows; a "
    "gradient (grad, vjp) of a symmetric function of the eigenvalues exists"
)


@differentiated_as(plain_spectral.eig_adjoint)
def eig_adjoint(g_w: Any, g_v: Any, w: Any, v: Any) -> Any:
    """The adjoint of ``w, v = np.linalg.eig(a)`` for a real spectrum, for ``a``.

    ``V^-T (diag(g_w) + F o (V^T g_v - V^T V diag(diag(V^T g_v)))) V^T`` with
    ``F_ij = 1 / (w_j - w_i)`` (0 on the diagonal); the second term accounts for numpy's
    unit-length eigenvectors. Skips the terms of ``None`` cotangents. Source: Giles 2008,
    section 3.1 (dD = diag(V^-1 dA V), dV = V (F o V^-1 dA V)), with the projection of each
    column's derivative orthogonal to the column for unit length.

    At a repeated eigenvalue (:func:`s2s.runtime.spectra.eig_tolerance`) an eigenvector
    cotangent, or eigenvalue cotangents that differ on its copies (:func:`cotangent_splits`),
    give an ``s2s.Undefined`` marker (NaNs off numpy); equal ones (a symmetric function of the
    eigenvalues) keep the formula, which is then the derivative (the tied block of
    ``diag(g)`` is a multiple of the identity, whatever basis ``V`` takes of the eigenspace).
    """
    w, v = _real(w), _real(v)
    if w is None or v is None:
        return _undefined("eig", COMPLEX)
    g_w, g_v = _real_part(g_w), _real_part(g_v)
    if g_w is None and g_v is None:
        return zeros_like_acc(v)
    xp = array_namespace(v)
    if xp is np and _defective(v):  # before the ties: cond(V) = inf ties every pair
        return _undefined("eig", DEFECTIVE)
    tied = eig_tied_pairs(w, v)
    middle = 0.0
    repeated = None
    if g_v is not None:
        repeated = xp.any(tied)
        if xp is np and repeated:
            return _undefined("eig", REPEATED)
        vtg = _T(v) @ g_v
        unit = (_T(v) @ v) * xp.diagonal(vtg, axis1=-2, axis2=-1)[..., None, :]
        middle = _gaps(w) * (vtg - unit)
    if g_w is not None:
        split = cotangent_splits(tied, g_w)
        if xp is np and split:
            return _undefined("eig", f"{SPLIT}; {SPLIT_ADVICE}")
        repeated = split if repeated is None else repeated | split
        middle = middle + xp.eye(w.shape[-1], dtype=w.dtype) * g_w[..., None, :]
    solved = _solve(_T(v), middle @ _T(v))
    if solved is None:
        return _undefined("eig", DEFECTIVE)
    grad = _cast(solved, v)
    if xp is not np:  # no host read on a device: NaNs mark it
        grad = xp.where(repeated, xp.nan, grad)
    return grad


@differentiated_as(plain_spectral.eig_tangent)
def eig_tangent(t: Any, w: Any, v: Any) -> tuple[Any, Any]:
    """The tangents of ``w, v = np.linalg.eig(a)`` along ``dA`` (a real spectrum):
    ``C = V^-1 dA V``, ``dw = diag(C)``, ``dV = V (F o C)`` made orthogonal to each unit
    column. A complex spectrum raises :class:`s2s.errors.UndefinedGradientError` at the
    user's line; repeated eigenvalues (to the tolerance of
    :func:`s2s.runtime.spectra.eig_tolerance`) give an ``s2s.Undefined`` eigenvector
    tangent, located by the generated code where it is used (no derivative: see
    :func:`eig_adjoint`), and an ``s2s.Undefined`` eigenvalue tangent too where ``dA`` moves
    the copies apart (:func:`tangent_splits`). Source: Giles 2008, section 3.1."""
    w, v = _real(w), _real(v)
    if w is None or v is None:
        _refuse_tangent()
    c = _solve(v, t @ v)
    if c is None:
        _refuse_tangent(DEFECTIVE)
    dw = np.diagonal(c, axis1=-2, axis2=-1)
    tied = eig_tied_pairs(w, v)
    if np.any(tied):  # the eigenvectors have no tangent: a marker, located where used
        if tangent_splits(tied, c):  # nor the copies of the repeated eigenvalue
            dw = _undefined("eig", SPLIT_TANGENT)
        return dw, _undefined("eig", REPEATED)
    raw = v @ (_gaps(w) * c)
    dv = raw - v * np.sum(v * raw, axis=-2, keepdims=True)
    return dw, dv


def _matching(a: Any, values: Any) -> tuple[Any, Any]:
    # eig(a) with its eigenvalues in the order of `values` (numpy's eigvals gives the same
    # LAPACK order; matched by value so that a reordering cannot pair the wrong vectors, and
    # as a permutation so that equal eigenvalues keep distinct eigenvectors)
    w, v = np.linalg.eig(a)
    w, v = w.real, v.real  # called only for a real spectrum
    order = plain_spectral.matching_order(values, w)
    w = np.take_along_axis(w, order, axis=-1)
    v = np.take_along_axis(v, order[..., None, :], axis=-1)
    return w, v


DEFECTIVE = (
    "the matrix of eigenvectors is singular (a defective matrix: a repeated eigenvalue with "
    "fewer eigenvectors than its multiplicity), where the eigenvalues have no derivative; a "
    "symmetric function of them has one: write it without eig (sum(w**2) is trace(A @ A), "
    "prod(w) is det(A), sum(w) is trace(A))"
)


def _solve(v: Any, b: Any) -> Any:
    """``V^-1 b``, or ``None`` where the eigenvector matrix ``V`` is singular or has a
    condition number above ``1 / (64 n eps)`` (numerically defective: LAPACK returns nearly
    parallel eigenvectors for a repeated eigenvalue with too few of them, and the formulas
    then give a wrong finite value, 4 I for ``sum(w**2)`` at ``[[2, 1], [0, 2]]`` where
    ``2 A^T`` is right). Off numpy (no host read) the solve is returned as is."""
    xp = array_namespace(v)
    if xp is not np:
        return xp.linalg.solve(v, b)
    if _defective(v):
        return None
    try:
        return np.linalg.solve(v, b)
    except np.linalg.LinAlgError:
        return None


def _defective(v: Any) -> bool:
    # the numpy eigenvector matrix v is singular or has cond(V) >= 1 / (64 n eps): see _solve
    n = v.shape[-1]
    eps = np.finfo(np.result_type(v.dtype, np.float32)).eps
    with np.errstate(all="ignore"):
        return bool(n and np.any(~(np.linalg.cond(v) < 1.0 / (64.0 * n * eps))))


@differentiated_as(plain_spectral.eigvals_adjoint)
def eigvals_adjoint(g: Any, a: Any, values: Any) -> Any:
    """The adjoint of ``np.linalg.eigvals(a)`` (a real spectrum): ``V^-T diag(g) V^T``, with
    the eigenvectors from one more ``np.linalg.eig``; an ``s2s.Undefined`` marker where
    :func:`eig_adjoint` gives one (cotangents that tell the copies of a repeated eigenvalue
    apart). Source: Giles 2008, dw_i = (V^-1 dA V)_ii.
    """
    values = _real(values)
    if values is None:
        return _undefined("eigvals", COMPLEX)
    w, v = _matching(a, values)
    return eig_adjoint(g, None, w, v)


@differentiated_as(plain_spectral.eigvals_tangent)
def eigvals_tangent(t: Any, a: Any, values: Any) -> Any:
    """The tangent of ``np.linalg.eigvals(a)``: ``diag(V^-1 dA V)`` (one more ``eig``). A
    complex spectrum, a defective matrix, or a ``dA`` that moves the copies of a repeated
    eigenvalue apart (:func:`tangent_splits`) raises
    :class:`s2s.errors.UndefinedGradientError` at the user's line."""
    values = _real(values)
    if values is None:
        _refuse_tangent()
    w, v = _matching(a, values)
    c = _solve(v, t @ v)
    if c is None:
        _refuse_tangent(DEFECTIVE)
    if tangent_splits(eig_tied_pairs(w, v), c):
        _refuse_tangent(SPLIT_TANGENT)
    return np.diagonal(c, axis1=-2, axis2=-1)


# -- lstsq -------------------------------------------------------------------------------------


def _columns(b: Any) -> Any:
    return b[:, None] if b.ndim == 1 else b


@differentiated_as(twin.lstsq_grad_a)
def lstsq_grad_a(g_x: Any, g_res: Any, g_s: Any, x: Any, a: Any, b: Any) -> Any:
    """The adjoint of ``x, residuals, rank, s = np.linalg.lstsq(a, b)`` for ``a``.

    ``x = pinv(A) b`` (full rank): the pinv adjoint of ``g_x b^T``. ``residuals`` (the squared
    norms of ``A x - b`` per column, when ``A`` has full column rank and more rows than
    columns; else empty): ``2 (A x - b) diag(g) x^T`` (the envelope theorem: ``x`` minimizes
    them). ``s`` (singular values): ``U diag(g_s) V^T``. ``rank`` is an integer. Source:
    Golub and Pereyra 1973; Giles 2008 (d s_i = u_i^T dA v_i).
    """
    grad = zeros_like_acc(a)
    xs, bs = _columns(x), _columns(b)
    if g_x is not None:
        grad = grad + pinv_adjoint(_columns(g_x) @ _T(bs), a, np.linalg.pinv(a))
    if g_res is not None and np.size(g_res):
        grad = grad + 2.0 * ((a @ xs - bs) * g_res) @ _T(xs)
    if g_s is not None:
        u, _, vh = np.linalg.svd(a, full_matrices=False)
        grad = grad + (u * g_s) @ vh
    return _cast(grad, a)


@differentiated_as(twin.lstsq_grad_b)
def lstsq_grad_b(g_x: Any, g_res: Any, x: Any, a: Any, b: Any) -> Any:
    """The adjoint of ``x, residuals, rank, s = np.linalg.lstsq(a, b)`` for ``b``:
    ``pinv(A)^T g_x - 2 (A x - b) g_res``. Source: as :func:`lstsq_grad_a`."""
    grad = zeros_like_acc(b)
    if g_x is not None:
        grad = grad + _T(np.linalg.pinv(a)) @ g_x
    if g_res is not None and np.size(g_res):
        r = a @ x - b
        grad = grad - 2.0 * (r * g_res if b.ndim == 2 else r * g_res[0])
    return _cast(grad, b)


def lstsq_residuals_tangent(step: Any, x: Any, residuals: Any, a: Any, b: Any) -> Any:
    """One term of the tangent of ``residuals`` of ``np.linalg.lstsq(a, b)``:
    ``2 sum((A x - b) step)`` per column, for ``step = dA x`` or ``-db`` (an empty array when
    numpy returns no residuals). Source: d |Ax - b|^2 = 2 (Ax - b).(dA x - db) at the
    minimizing ``x`` (its own change adds nothing: A^T (Ax - b) = 0)."""
    if not np.size(residuals):
        return residuals * 0
    return 2.0 * np.sum(_columns(a @ x - b) * _columns(step), axis=0)
