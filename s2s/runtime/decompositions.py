"""Helpers for the rules of functions with several outputs: matrix and number decompositions.

A cotangent argument is ``None`` when its output received no cotangent (a symbolic zero): the
terms that need it are skipped, so an unused output costs nothing (``eigh(A)[0].sum()`` never
divides by eigenvalue gaps). Every helper returns its input's shape in the accumulator dtype.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from s2s.runtime import plain_decompositions as twin
from s2s.runtime import spectra
from s2s.runtime.core import acc_dtype, dtype_of, reads_shape_only, shape_of, unbroadcast
from s2s.runtime.kinds import Cause, Undefined
from s2s.runtime.linalg import adjugate, as_columns, from_columns, solve_cotangent
from s2s.runtime.namespace import array_namespace, broadcast, is_foreign_array, zeros
from s2s.runtime.shapes import undiag
from s2s.runtime.sources import differentiated_as
from s2s.runtime.ufuncs import div_or_zero


def _T(m: Any) -> Any:
    # the transpose of the last two axes (numpy's matrix_transpose), in m's namespace
    return m.swapaxes(-1, -2)


def _zeros(ref: Any) -> np.ndarray:
    # the contribution of an op whose differentiable outputs got no cotangent (a borrowed view)
    zero = acc_dtype(dtype_of(ref)).type(0)
    return broadcast(array_namespace(ref), zero, shape_of(ref), ref)


def _cast(x: Any, dtype: np.dtype) -> np.ndarray:
    x = x if is_foreign_array(x) else np.asarray(x)
    return x if x.dtype == dtype else x.astype(dtype)


def _mm(a: Any, b: Any) -> Any:
    return a @ b  # matmul in the operands' namespace


def _sym(g: np.ndarray) -> np.ndarray:
    return (g + _T(g)) * 0.5


def _add_diagonal(m: np.ndarray, diag: np.ndarray) -> np.ndarray:
    n = diag.shape[-1]
    xp = array_namespace(m, diag)
    if xp is not np:  # no item assignment: the diagonal as a product with the identity
        return m + xp.expand_dims(diag, -1) * xp.eye(n, dtype=m.dtype)
    m[..., np.arange(n), np.arange(n)] += diag
    return m


# -- determinants and symmetric eigenproblems --------------------------------------------------


def slogdet_adjoint(g_logabsdet: Any, a: Any) -> Any:
    """The adjoint of ``sign, logabsdet = np.linalg.slogdet(a)`` for ``a``: ``g inv(a)^T``.

    ``sign`` is piecewise constant and takes no part. At a singular matrix (``logabsdet`` is
    ``-inf``) the result is IEEE ``adj(a)^T / 0`` (``inf``, or ``nan`` where the adjugate is
    0), like ``log`` at 0 (DESIGN 8). Source: Giles 2008, d log|det A| = tr(A^-1 dA).
    """
    if g_logabsdet is None:
        return _zeros(a)
    xp = array_namespace(a)
    a = np.asarray(a) if xp is np else a
    dtype = acc_dtype(a.dtype)
    try:
        inv_t = _T(xp.linalg.inv(a))
    except np.linalg.LinAlgError:
        with np.errstate(divide="ignore", invalid="ignore"):
            inv_t = _T(adjugate(a)) / xp.linalg.det(a)[..., None, None]
    g = g_logabsdet if is_foreign_array(g_logabsdet) else xp.asarray(g_logabsdet)
    return _cast(xp.expand_dims(g, (-2, -1)) * inv_t, dtype)


@differentiated_as(twin.eigh_adjoint)
def eigh_adjoint(g_values: Any, g_vectors: Any, eigenvalues: Any, eigenvectors: Any) -> Any:
    """The adjoint of ``w, v = np.linalg.eigh(a)`` for a symmetric ``a`` (symmetric result).

    ``V (diag(g_w) + F o (V^T g_v - g_v^T V) / 2) V^T`` with ``F_ij = 1 / (w_j - w_i)``: reads
    only the outputs, so ``a`` itself may be freed. The eigenvector term is skipped when
    ``g_vectors`` is ``None``. At two equal eigenvalues (to the relative tolerance of
    :func:`s2s.runtime.spectra.tied_pairs`) whose eigenvectors' cotangent is not 0 (a column
    of ``V^T g_v``: :func:`s2s.runtime.spectra.tied_vectors_used`) those eigenvectors have
    no derivative (nor does the cotangent determine one of a basis-free function of them):
    the result is an ``s2s.Undefined`` marker that the generated code locates (NaNs off
    numpy, where deciding needs a host read). Tied eigenvectors with a cotangent of 0
    contribute 0. Eigenvalue cotangents that differ on tied eigenvalues (by more than
    ``sqrt(eps) max|g|``: :func:`s2s.runtime.spectra.cotangent_splits`) give the marker too:
    the copies of a repeated eigenvalue have no derivative one by one; equal ones (a
    symmetric function of the eigenvalues) keep the formula, then exact. Source: Giles 2008,
    section 3.1 (dw_i = v_i^T dA v_i, dv_j = sum v_i F_ij ...).
    """
    w, v = _cast(eigenvalues, eigenvalues.dtype), _cast(eigenvectors, eigenvectors.dtype)
    if g_values is None and g_vectors is None:
        return _zeros(v)
    dtype = acc_dtype(v.dtype)
    xp = array_namespace(v)
    tied = spectra.tied_pairs(w)
    vtg = None if g_vectors is None else _mm(_T(v), g_vectors)
    coupled = False if vtg is None else spectra.tied_vectors_used(tied, vtg)
    if xp is np and coupled:  # the eigenvectors' cause first: the function uses them
        return spectra.repeated_marker()
    split = False if g_values is None else spectra.cotangent_splits(tied, g_values)
    if xp is np and split:
        return spectra.repeated_marker(spectra.SPLIT_COTANGENT)
    repeated = coupled | split
    if vtg is None:
        grad = _cast(_sym(_mm(v * xp.expand_dims(g_values, -2), _T(v))), dtype)
        return grad if xp is np else xp.where(repeated, xp.nan, grad)
    gaps = xp.where(tied, xp.inf, w[..., None, :] - w[..., :, None])
    middle = div_or_zero((vtg - _T(vtg)) * 0.5, gaps)
    if g_values is not None:
        middle = _add_diagonal(middle, _cast(g_values, dtype))
    grad = _cast(_sym(_mm(_mm(v, middle), _T(v))), dtype)
    return grad if xp is np else xp.where(repeated, xp.nan, grad)


@differentiated_as(twin.eigvalsh_adjoint)
def eigvalsh_adjoint(g: Any, a: Any, UPLO: str = "L") -> Any:
    """The adjoint of ``np.linalg.eigvalsh(a, UPLO)``: ``V diag(g) V^T`` (symmetric), or the
    marker of :func:`eigh_adjoint` where ``g`` tells the copies of a repeated eigenvalue apart.

    Calls ``np.linalg.eigh`` for the eigenvectors the user's call did not compute (one more
    O(n^3) decomposition in the adjoint sweep). Source: Giles 2008, dw_i = v_i^T dA v_i.
    """
    w, v = array_namespace(a).linalg.eigh(a, UPLO)
    return eigh_adjoint(g, None, w, v)


# -- SVD, QR, Cholesky -------------------------------------------------------------------------


class _NotUnique(ValueError):
    """The extra columns of a full decomposition got a cotangent: no gradient exists."""


def _undefined_when_not_unique(adjoint):
    """Turn :class:`_NotUnique` into an ``s2s.Undefined`` marker (located by the generated
    code): the gradient does not exist there, which is not an error of the user's program."""

    def wrapper(*args, **kwargs):
        try:
            return adjoint(*args, **kwargs)
        except _NotUnique as exc:
            return Undefined(
                (Cause(adjoint.__name__.replace("_adjoint", ""), "a", str(exc), "", 0),)
            )

    wrapper.__name__ = adjoint.__name__
    wrapper.__qualname__ = adjoint.__qualname__
    wrapper.__doc__ = adjoint.__doc__
    return wrapper


def _extra(g: Any, k: int, axis: int, what: str) -> Any:
    # the thin part of an output's cotangent; non-unique extra columns must get none
    if g is None:
        return None
    extra = g[..., k:] if axis == -1 else g[..., k:, :]
    if extra.size and array_namespace(extra) is not np:  # no host read: NaNs mark it
        return _NotUniqueOnDevice(g[..., :k] if axis == -1 else g[..., :k, :], extra)
    if extra.size and bool((extra != 0).any()):
        raise _NotUnique(
            f"the gradient is not defined when the extra {what} of a full decomposition of a "
            "non-square matrix get a cotangent: they are any orthonormal completion. Use "
            "full_matrices=False (svd) or mode='reduced' (qr), or use only the first "
            f"min(m, n) {what}"
        )
    return g[..., :k] if axis == -1 else g[..., :k, :]


class _NotUniqueOnDevice:
    """The thin part of a cotangent whose extra columns may be nonzero, on Dask or CuPy:
    deciding needs a host read, so the gradient is NaN wherever they are (see
    :func:`_poisoned`), not an ``s2s.Undefined`` marker."""

    def __init__(self, thin: Any, extra: Any) -> None:
        self.thin, self.extra = thin, extra


def _thin(g: Any) -> tuple[Any, Any]:
    # (the usable cotangent, the extra part to test on the device or None)
    if isinstance(g, _NotUniqueOnDevice):
        return g.thin, g.extra
    return g, None


def _poisoned(grad: Any, *extras: Any) -> Any:
    """``grad``, or NaNs if any extra column got a nonzero cotangent (decided on the device)."""
    xp = array_namespace(grad)
    for extra in extras:
        if extra is not None:
            grad = xp.where(xp.any(extra != 0), xp.nan, grad)
    return grad


@differentiated_as(twin.svdvals_adjoint)
def svdvals_adjoint(g: Any, a: Any) -> Any:
    """The adjoint of the singular values ``np.linalg.svdvals(a)``: ``U diag(g) V^T`` (thin).

    Calls ``np.linalg.svd`` for the vectors. Source: Giles 2008, d s_i = u_i^T dA v_i.
    """
    xp = array_namespace(a, g)
    u, _, vh = xp.linalg.svd(a, full_matrices=False)
    return _cast(_mm(u * xp.expand_dims(g, -2), vh), acc_dtype(dtype_of(a)))


@differentiated_as(twin.svd_adjoint)
@_undefined_when_not_unique
def svd_adjoint(g_u, g_s, g_vh, U, S, Vh, a, compute_uv=True) -> Any:
    """The adjoint of ``U, S, Vh = np.linalg.svd(a, full_matrices)`` for ``a``.

    With ``k = min(m, n)``, thin ``U`` and ``V = Vh^T``, ``F_ij = 1 / (s_j^2 - s_i^2)``:
    ``U [J S + diag(g_s) + S K] V^T + (I - U U^T) g_U S^-1 V^T + U S^-1 g_V^T (I - V V^T)``,
    ``J = F o (U^T g_U - g_U^T U)``, ``K = F o (V^T g_V - g_V^T V)``; terms of ``None``
    cotangents are skipped. ``full_matrices=True`` on a non-square ``a`` returns an
    ``s2s.Undefined`` marker when the extra columns of ``U`` (rows of ``Vh``) get a nonzero
    cotangent: they are any orthonormal completion, so no gradient exists (DESIGN 7); on
    Dask or CuPy, where telling needs a host read, the gradient is NaN instead.
    ``F`` is 0 at equal singular values (as in :func:`eigh_adjoint`); ``S^-1`` is IEEE at zero
    singular values. With ``compute_uv=False`` the single output ``S`` arrives in the first
    slot (``g_u``), and the vectors are recomputed from ``a``. Source: Townsend 2016,
    "Differentiating the singular value decomposition".
    """
    if not compute_uv:
        return _zeros(a) if g_u is None else svdvals_adjoint(g_u, a)
    if g_u is None and g_s is None and g_vh is None:
        return _zeros(a)
    m, n = U.shape[-2], Vh.shape[-1]
    k = S.shape[-1]
    dtype = acc_dtype(U.dtype)
    (g_u, extra_u), (g_v, extra_v) = (
        _thin(_extra(g_u, k, -1, "columns of U")),
        _thin(_extra(g_vh, k, -2, "rows of Vh")),
    )
    g_v = None if g_v is None else _T(g_v)
    u, v = U[..., :k], _T(Vh[..., :k, :])
    s = S[..., None, :]  # scales columns
    xp = array_namespace(U, S)
    middle = zeros(xp, S.shape + (k,), dtype)
    if g_u is not None or g_v is not None:
        f = div_or_zero(1, s * s - _T(s) * _T(s))  # F_ij = 1 / (s_j^2 - s_i^2), 0 on ties
    if g_u is not None:
        utg = _mm(_T(u), g_u)
        middle += f * (utg - _T(utg)) * s
    if g_v is not None:
        vtg = _mm(_T(v), g_v)
        middle += _T(s) * (f * (vtg - _T(vtg)))
    if g_s is not None:
        middle = _add_diagonal(middle, _cast(g_s, dtype))
    grad = _mm(_mm(u, middle), _T(v))
    with np.errstate(divide="ignore", invalid="ignore"):
        if g_u is not None and m > k:
            grad += _mm((g_u - _mm(u, utg)) / s, _T(v))
        if g_v is not None and n > k:
            grad += _mm(u / s, _T(g_v - _mm(v, vtg)))
    return _cast(_poisoned(grad, extra_u, extra_v), dtype)


def _copyltu(m: np.ndarray) -> np.ndarray:
    # the symmetric matrix with m's lower triangle
    xp = array_namespace(m)
    low = xp.tril(m, -1)
    return low + _T(low) + xp.tril(xp.triu(m))


def _qr_square(g_q: Any, g_r: Any, q: np.ndarray, r: np.ndarray) -> np.ndarray:
    # m >= n: (g_Q + Q copyltu(M)) R^-T with M = R g_R^T - g_Q^T Q (R invertible)
    xp = array_namespace(q, r)
    m = zeros(xp, r.shape, r.dtype)
    if g_r is not None:
        m = m + _mm(r, _T(g_r))
    if g_q is not None:
        m = m - _mm(_T(g_q), q)
    b = _mm(q, _copyltu(m))
    if g_q is not None:
        b = b + g_q
    return _T(xp.linalg.solve(r, _T(b)))


@differentiated_as(twin.qr_adjoint)
@_undefined_when_not_unique
def qr_adjoint(g_q: Any, g_r: Any, Q: Any, R: Any, a: Any = None, mode: str = "reduced") -> Any:
    """The adjoint of ``Q, R = np.linalg.qr(a, mode)`` for ``a`` (modes 'reduced', 'complete').

    Tall or square ``a``: ``(g_Q + Q copyltu(M)) R^-T``, ``M = R g_R^T - g_Q^T Q``; wide
    ``a = [X, Y]``: ``Y``'s adjoint is ``Q g_R2`` and ``X``'s the square formula with
    ``g_Q + Y g_R2^T``. ``mode='complete'`` on a tall ``a`` returns an ``s2s.Undefined`` marker
    when the extra columns of ``Q`` get a nonzero cotangent (on Dask or CuPy: NaNs). ``R^-T``
    is a general solve (numpy has no triangular one); a rank-deficient ``a`` raises
    ``LinAlgError``. With ``mode='r'`` the single output ``R`` arrives in the first slot and
    ``Q`` is recomputed from ``a``.
    Source: Walter and Lehmann 2018, "Algorithmic differentiation of linear algebra functions
    with application in optimum experimental design"; Liao et al. 2019 for wide matrices.
    """
    if mode == "r":
        g_q, g_r, R = None, g_q, Q
        Q = array_namespace(a).linalg.qr(a, mode="reduced")[0]
    elif mode not in ("reduced", "complete"):
        raise ValueError(
            f"the adjoint of qr supports modes 'reduced', 'complete', 'r', not {mode!r}"
        )
    if g_q is None and g_r is None:
        return _zeros(R)
    m, n = Q.shape[-2], R.shape[-1]
    k = min(m, n)
    dtype = acc_dtype(R.dtype)
    g_q, extra_q = _thin(_extra(g_q, k, -1, "columns of Q"))
    q, r = Q[..., :k], R[..., :k, :]
    g_r = None if g_r is None else g_r[..., :k, :]
    if m >= n:
        return _cast(_poisoned(_qr_square(g_q, g_r, q, r), extra_q), dtype)
    xp = array_namespace(Q, R)
    y = _cast(a, a.dtype)[..., m:] if a is not None else _mm(q, r[..., m:])
    g_r1 = None if g_r is None else g_r[..., :m]
    if g_r is not None:
        g_q = _mm(y, _T(g_r[..., m:])) + (0 if g_q is None else g_q)
    g_y = zeros(xp, y.shape, dtype) if g_r is None else _mm(q, g_r[..., m:])
    return _cast(xp.concatenate([_qr_square(g_q, g_r1, q, r[..., :m]), g_y], axis=-1), dtype)


def _lower_inverse(low: np.ndarray) -> np.ndarray:
    """``low^-1`` of a lower-triangular real matrix or stack of them (Cholesky factors, zeros
    above).

    numpy has no triangular inverse; LAPACK's ``?trtri`` (n^3/3 flops) through scipy takes
    37 us at n = 100 against 110 us for ``np.linalg.inv``'s general LU (one core). It is used
    where ``scipy.linalg`` is already imported: s2s never imports it for this, as importing it
    takes 100-200 ms, more than a first gradient. Otherwise :func:`_blocked_lower_inverse`
    (64 us at n = 100). A singular factor raises ``np.linalg.LinAlgError``."""
    lapack = getattr(sys.modules.get("scipy.linalg"), "lapack", None)
    if lapack is not None and low.ndim == 2 and low.dtype in (np.float64, np.float32):
        trtri = lapack.dtrtri if low.dtype == np.float64 else lapack.strtri
        inverse, info = trtri(low, lower=1)
        if info == 0:
            return inverse
    return _blocked_lower_inverse(low)


_BLOCK = 32  # below this order, np.linalg.inv at once


def _blocked_lower_inverse(low: np.ndarray) -> np.ndarray:
    """``low^-1`` by halves: for ``low = [[A, 0], [C, D]]``, ``[[A^-1, 0], [-D^-1 C A^-1,
    D^-1]]``, the halves' inverses again so down to order :data:`_BLOCK` (the blocked
    triangular inversion of LAPACK's ``?trtri``; Higham, "Accuracy and Stability of Numerical
    Algorithms", 2nd ed., section 14.2). Two products per level instead of an LU: 64 us
    against 110 us for ``np.linalg.inv`` at n = 100, one core, the same residual
    ``|L^-1 L - I|`` (2e-16)."""
    n = low.shape[-1]
    if n <= _BLOCK:
        return np.linalg.inv(low)
    k = n // 2
    top = _blocked_lower_inverse(low[..., :k, :k])
    bottom = _blocked_lower_inverse(low[..., k:, k:])
    inverse = np.zeros_like(top, shape=low.shape)
    inverse[..., :k, :k] = top
    inverse[..., k:, k:] = bottom
    inverse[..., k:, :k] = -(bottom @ (low[..., k:, :k] @ top))
    return inverse


def _is_diagonal(g: np.ndarray) -> bool:
    """Whether a square matrix has no entry off its diagonal (O(n^2), no copy)."""
    return g.shape[0] == g.shape[1] and np.count_nonzero(g) == np.count_nonzero(np.diagonal(g))


def _diagonal_cholesky_adjoint(
    g_diagonal: np.ndarray, low: np.ndarray, inverse: np.ndarray | None = None
) -> np.ndarray:
    """:func:`cholesky_adjoint` of a diagonal cotangent ``diag(g_diagonal)``: ``tril(L^T g)``
    is then the diagonal ``L_ii g_i``, so ``P = diag(L_ii g_i / 2)`` and the adjoint is
    ``L^-T P L^-1``, already symmetric: one product instead of three (Murray 2016, eq. 10,
    with a diagonal P). Where no entry of ``P`` is negative (a log-determinant's are all 1/2)
    it is ``B^T B`` with ``B = sqrt(P) L^-1``, which numpy's matmul computes as one symmetric
    rank-k update (half the products: 27 us instead of 38 at n = 100, one core), exactly
    symmetric. ``inverse`` is ``low^-1`` where the caller has it."""
    inverse = _lower_inverse(low) if inverse is None else inverse
    scale = np.diagonal(low) * g_diagonal * 0.5
    if low.ndim == 2 and not (scale < 0).any():  # (NaN: not negative; sqrt keeps it)
        rows = np.sqrt(scale)[:, None] * inverse
        return _T(rows) @ rows
    return (_T(inverse) * scale) @ inverse


@differentiated_as(twin.cholesky_adjoint)
def cholesky_adjoint(g: Any, L: Any, upper: bool = False, inverse: Any = None) -> Any:
    """The adjoint of ``L = np.linalg.cholesky(a, upper=upper)`` for a symmetric ``a``.

    ``sym(L^-T P L^-1)`` with ``P = tril(L^T g)`` whose diagonal is halved; reads only ``L``.
    ``L^-1`` is formed once (:func:`_lower_inverse`) and applied by two products (two general
    solves with ``L^T`` made the whole adjoint 1.5-1.9 times slower at n = 100), and ``P``'s
    diagonal is halved in place. ``inverse``: ``L^-1`` already formed by
    :func:`lower_inverse` (numpy, lower factor), shared with :func:`solve_cotangent_factored`
    (:mod:`s2s.reverse.shared_factors`); ``None`` forms it here. Source: Murray 2016,
    "Differentiation of the Cholesky decomposition" (symmetrized as DESIGN 7 asks).
    """
    if g is None:
        return _zeros(L)
    xp = array_namespace(L, g)
    if upper or xp is not np:
        inverse = None  # an upper factor's inverse is not lower_inverse(L)
    low, g_low = (_T(L), _T(g)) if upper else (L, g)
    if xp is np and g.ndim == 2 and _is_diagonal(g):  # log-determinant: g from np.diag(L)
        diagonal_adjoint = _diagonal_cholesky_adjoint(np.diagonal(g), low, inverse)
        return _cast(diagonal_adjoint, acc_dtype(dtype_of(L)))
    p = _mm(_T(low), g_low)
    p = xp.tril(p)
    if xp is np:  # the diagonal halved in place (a new array from tril)
        diagonal = np.arange(p.shape[-1])
        p[..., diagonal, diagonal] *= 0.5
    else:  # no item assignment
        p = p - 0.5 * xp.tril(xp.triu(p))
    if inverse is None:  # L^-1
        inverse = _lower_inverse(low) if xp is np else xp.linalg.inv(low)
    return _cast(_sym(_mm(_mm(_T(inverse), p), inverse)), acc_dtype(dtype_of(L)))


def cholesky_diagonal_adjoint(g_diagonal: Any, L: Any, inverse: Any = None) -> Any:
    """:func:`cholesky_adjoint` of a lower ``L = np.linalg.cholesky(a)`` whose cotangent is
    ``diag(g_diagonal)``: the cotangent ``np.diag(L)`` sends back (a log-determinant,
    ``np.sum(np.log(np.diag(L)))``), given as the diagonal itself, so that the ``(n, n)``
    zeros with ``g_diagonal`` on the diagonal are neither made nor searched for off-diagonal
    entries (14 us at n = 100, one core). ``L`` is ``(n, n)`` (as ``np.diag`` requires),
    ``g_diagonal`` ``(n,)``; ``inverse`` as for :func:`cholesky_adjoint`. Anything else (a
    non-numpy namespace) goes through :func:`cholesky_adjoint` of ``undiag(g_diagonal, L)``.
    ``a``'s shape, ``L``'s accumulator dtype. Source: Murray 2016, eq. 10, with a diagonal
    ``P = diag(L_ii g_i / 2)``.
    """
    if g_diagonal is None:
        return _zeros(L)
    if type(L) is np.ndarray and L.ndim == 2 and np.shape(g_diagonal) == L.shape[-1:]:
        g_diagonal = np.asarray(g_diagonal)
        return _cast(_diagonal_cholesky_adjoint(g_diagonal, L, inverse), acc_dtype(L.dtype))
    return cholesky_adjoint(undiag(g_diagonal, L, 0), L, False, inverse)


def lower_inverse(L: Any) -> Any:
    """``L^-1`` of a lower Cholesky factor ``L = np.linalg.cholesky(a)`` (numpy, ``(..., n,
    n)``, float32 or float64; the same shape and dtype), formed once in a reverse sweep that
    both :func:`cholesky_adjoint` of ``L`` and :func:`solve_cotangent_factored` of ``a`` read
    (:mod:`s2s.reverse.shared_factors`). ``None`` for anything else (another namespace or
    dtype): both helpers then do as without it. A singular factor raises
    ``np.linalg.LinAlgError``, as the Cholesky adjoint does. Source: :func:`_lower_inverse`."""
    if type(L) is not np.ndarray or L.dtype not in (np.float32, np.float64) or L.ndim < 2:
        return None
    return _lower_inverse(L)


@reads_shape_only(2)
def solve_cotangent_factored(g: Any, a: Any, b: Any, inverse: Any) -> Any:
    """:func:`solve_cotangent` (``solve(A^T, g)``, ``x``'s shape) where ``inverse`` is
    ``L^-1`` (:func:`lower_inverse`) of ``L = np.linalg.cholesky(a)`` taken of this very
    ``a``: for a symmetric ``A = L L^T``, ``A^-T = A^-1 = L^-T L^-1``, two products (2.6 us at
    n = 100, one core, against 40 us for the LU of ``solve``; numpy keeps no factorization).

    ``cholesky`` reads only ``a``'s lower triangle, so ``L L^T`` is ``a`` only where ``a`` is
    symmetric: that is checked on the values (every matrix equal to its transpose, 5 us at n
    = 100; a NaN fails it); otherwise, or where ``inverse`` is ``None``, the operands are not
    plain numpy arrays, or the solve would compute in another dtype than the factor's (a
    float32 ``a`` with a float64 ``g``), this is :func:`solve_cotangent` itself.
    Source: Giles 2008 (dB = A^-T dC); A = L L^T (the Cholesky factorization).
    """
    if (
        inverse is None
        or type(a) is not np.ndarray
        or type(g) is not np.ndarray
        or np.result_type(a.dtype, g.dtype) != inverse.dtype
        or a.shape[-2:] != inverse.shape[-2:]
        or not (a == _T(a)).all()
    ):
        return solve_cotangent(g, a, b)
    if inverse.ndim == 2 and g.ndim == 1:  # one vector: (L^-1 g)^T L^-1 is its transpose
        return (inverse @ g) @ inverse
    columns = as_columns(g, b)
    return from_columns(_T(inverse) @ (inverse @ columns), b)


# -- numbers: divmod, modf, frexp --------------------------------------------------------------


def divmod_grad(g_remainder: Any, quotient: Any, x1: Any, x2: Any, wrt_first: bool) -> Any:
    """The adjoint of ``q, r = np.divmod(x1, x2)`` for ``x1`` (``wrt_first``) or for ``x2``.

    The quotient is piecewise constant; ``r = x1 - q x2`` gives ``g`` to ``x1`` and ``-g q``
    to ``x2``, unbroadcast onto the operand. Source: numpy.divmod, numpy.remainder.
    """
    ref = x1 if wrt_first else x2
    if g_remainder is None:
        return _zeros(ref)
    return unbroadcast(g_remainder if wrt_first else -g_remainder * quotient, ref)


def modf_grad(g_fractional: Any, x: Any) -> Any:
    """The adjoint of ``frac, whole = np.modf(x)``: ``g_frac`` (the integral part is a step)."""
    return _zeros(x) if g_fractional is None else unbroadcast(g_fractional, x)


def frexp_grad(g_mantissa: Any, exponent: Any, x: Any) -> Any:
    """The adjoint of ``m, e = np.frexp(x)``: ``m = x / 2**e`` gives ``g_m / 2**e`` (exact).

    The integer exponent has no tangent space. Source: numpy.frexp, numpy.ldexp.
    """
    if g_mantissa is None:
        return _zeros(x)
    xp = array_namespace(g_mantissa, exponent)
    exponent = exponent if is_foreign_array(exponent) else np.asarray(exponent)
    return unbroadcast(xp.ldexp(g_mantissa, -exponent), x)
