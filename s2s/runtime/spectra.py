"""Real views of ``np.linalg.eig``'s and ``eigvals``' results for the plain twins of their
adjoint and tangent helpers (:mod:`s2s.runtime.plain_spectral`), which s2s differentiates at
second order.

s2s differentiates eig and eigvals for real spectra only. numpy returns their results as
complex arrays where the spectrum is complex (and, from numpy 2.5, always, with imaginary
parts exactly 0 for a real spectrum, which the rules pass on as real arrays through
:func:`drop_zero_imaginary`): a complex argument of a twin's derivative is refused by
:func:`refuse_complex`, and :func:`real_spectrum` refuses a repeated eigenvalue (to the
tolerance of :func:`eig_tolerance`) where the eigenvectors' derivative is asked for. Both
raise a located :class:`s2s.errors.UndefinedGradientError` at the user's line that asked
for the derivative.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from s2s.errors import UndefinedGradientError, caller_location
from s2s.runtime.kinds import Cause, Undefined
from s2s.runtime.namespace import array_namespace

COMPLEX = (
    "the matrix has complex eigenvalues: s2s differentiates eig and eigvals for real spectra "
    "only (a symmetric matrix has one: use np.linalg.eigh)"
)
REPEATED = (
    "the matrix has a repeated eigenvalue: the eigenvectors of a repeated eigenvalue are any "
    "basis of its eigenspace, so they have no derivative"
)
ZERO_IMAGINARY = (
    "it is complex, with imaginary parts 0 (complex arithmetic on eig's results made it so); "
    "a second derivative needs real eigenvalues, eigenvectors and cotangents"
)


def refuse_complex(name: str, value: Any) -> None:
    """Raise for the complex argument ``name`` of a derivative of eig's adjoint or tangent
    twins.

    Raises:
        UndefinedGradientError: always, located at the user's line: a complex spectrum, or
            (imaginary parts all 0) a value that complex arithmetic on eig's results made.
    """
    if np.any(np.imag(value) != 0):
        message, advice = COMPLEX, "differentiate a function of a matrix with real eigenvalues"
    else:
        message, advice = ZERO_IMAGINARY, "take np.real of eig's results before any other use"
    raise UndefinedGradientError(
        f"a second derivative through np.linalg.eig or eigvals (its first derivative's "
        f"`{name}`): {message}", caller_location(), advice,
    )  # fmt: skip


def drop_zero_imaginary(x: Any) -> Any:
    """``x``'s real part where ``x`` is a complex numpy array with imaginary parts all exactly
    0, else ``x`` unchanged (a real array, a complex spectrum, or an array of another
    namespace, which the helpers check themselves without a host read).

    numpy 2.5 returns eig's and eigvals' results as complex arrays even for a real spectrum;
    the rules pass them through this function so that the helpers' plain twins, differentiated
    at second order, see the real arrays that numpy before 2.5 returned. Shape unchanged; the
    dtype is the complex dtype's real one (complex128 to float64). Its derivative is the
    identity (a cotangent or tangent of a real spectrum is real).
    """
    if isinstance(x, np.ndarray) and x.dtype.kind == "c" and not np.any(x.imag):
        return x.real
    return x


def real_spectrum(w: Any, tied: Any = False) -> Any:
    """The real eigenvalues (or eigenvectors) ``w`` of ``np.linalg.eig`` unchanged (a complex
    one never reaches here: :func:`refuse_complex`), or a refusal where ``tied`` is true (the
    verdict of :func:`eig_repeated`: two of eig's eigenvalues are equal to its tolerance).

    Raises:
        UndefinedGradientError: ``tied``, located at the user's line that asked for the
            derivative.
    """
    if tied:
        raise UndefinedGradientError(
            f"a second derivative through np.linalg.eig: {REPEATED}", caller_location(),
            "use only the eigenvalues, or np.linalg.eigh for a symmetric matrix",
        )  # fmt: skip
    return w


def eig_tolerance(w: Any, v: Any) -> Any:
    """How close two of the real eigenvalues ``w`` (``(..., n)``) of a non-symmetric matrix
    with unit eigenvectors ``v`` (``(..., n, n)``) may be and still be one repeated
    eigenvalue: ``64 n eps cond(V) ||A||_F`` per matrix, shape ``(..., 1, 1)``, with
    ``A = V diag(w) V^+`` (numpy arrays; ``inf`` where ``V`` is singular).

    LAPACK's ``geev`` returns the exact eigenvalues of ``A + E`` with ``||E|| ~ eps ||A||``,
    and by the Bauer-Fike theorem each eigenvalue of a diagonalizable matrix then moves by up
    to ``cond(V) ||E||``: the two computed copies of a repeated eigenvalue differ by that much
    (``1e-16`` for ``P diag(1, 1, 3) P^-1``, more where ``V`` is ill-conditioned), so
    eigenvalues closer than it cannot be told from a repeated one, and ``1 / (w_j - w_i)``
    there is rounding noise (the symmetric case, :func:`tied_pairs`, has ``cond(V) = 1``).
    """
    n = w.shape[-1]
    eps = float(np.finfo(np.result_type(w.dtype, np.float32)).eps)
    with np.errstate(all="ignore"):
        cond = np.linalg.cond(v)
        size = np.linalg.norm((v * w[..., None, :]) @ np.linalg.pinv(v), axis=(-2, -1))
        tol = (64.0 * n * eps) * cond * size
    return np.where(np.isnan(tol), np.inf, tol)[..., None, None]


def eig_tied_pairs(w: Any, v: Any) -> Any:
    """The boolean ``(..., n, n)`` mask of the pairs ``i != j`` of eig's real eigenvalues
    ``w`` with ``|w_i - w_j| <=`` :func:`eig_tolerance`. Off numpy (no host read of a
    condition number) the tolerance of :func:`tied_pairs` (``cond(V)`` taken as 1)."""
    xp = array_namespace(w)
    if xp is not np:
        return tied_pairs(w)
    n = w.shape[-1]
    if not n:
        return np.zeros(w.shape + (0,), dtype=bool)
    close = np.abs(w[..., None, :] - w[..., :, None]) <= eig_tolerance(w, v)
    return close & ~np.eye(n, dtype=bool)


def eig_repeated(w: Any, v: Any) -> bool:
    """Whether two of eig's real eigenvalues ``w`` (eigenvectors ``v``) are equal to the
    tolerance of :func:`eig_tolerance`: a Python bool (piecewise constant, no derivative)."""
    return bool(np.any(eig_tied_pairs(np.asarray(w), np.asarray(v))))


def cotangent_splits(tied: Any, g: Any) -> Any:
    """Whether two tied eigenvalues (the mask ``tied``) get cotangents ``g`` that differ by
    more than ``sqrt(eps) max|g|`` (a 0-d boolean array). A symmetric function of the
    eigenvalues gives its tied ones cotangents that differ by its second derivative times
    their gap (below the tie tolerance, ~1e-13 relative), a function that tells them apart
    (``sort(w)[0]``) by about ``max|g|``: ``sqrt(eps)`` lies between the two."""
    xp = array_namespace(g)
    eps = float(np.finfo(np.result_type(np.dtype(str(g.dtype)), np.float32)).eps)
    scale = xp.max(xp.abs(g), axis=-1)[..., None, None] if g.shape[-1] else 0.0
    apart = xp.abs(g[..., None, :] - g[..., :, None]) > eps**0.5 * scale
    return xp.any(tied & apart)


def tangent_splits(tied: Any, c: Any) -> bool:
    """Whether ``C = V^-1 dA V`` (``V^T dA V`` for eigh) moves tied eigenvalues (the mask
    ``tied``) apart: an entry ``C_ij``, ``C_ji`` or ``C_ii - C_jj`` of a tied pair above
    ``sqrt(eps) max|C|`` (rounding of ``C`` is ``eps cond(V)^2 ||dA||``). Where none is, the
    block of ``C`` of each repeated eigenvalue is a multiple ``c I`` of the identity and all
    its copies move by ``c`` (a numpy bool)."""
    eps = float(np.finfo(np.result_type(c.dtype, np.float32)).eps)
    size = np.abs(c)
    scale = np.max(size, axis=(-2, -1), initial=0.0)[..., None, None]
    diagonal = np.diagonal(c, axis1=-2, axis2=-1)
    spread = np.abs(diagonal[..., None, :] - diagonal[..., :, None])
    apart = size + np.swapaxes(size, -1, -2) + spread
    return bool(np.any(tied & (apart > eps**0.5 * scale)))


# -- eigh: equal eigenvalues to a relative tolerance ------------------------------------------

EIGH_REPEATED = (
    "the matrix has a repeated eigenvalue (two equal to a relative tolerance of 64 n eps): the "
    "eigenvectors of a repeated eigenvalue are any basis of its eigenspace, so they have no "
    "derivative, and their cotangent does not determine the derivative of a function of them "
    "that does not depend on that basis"
)
EIGH_ADVICE = (
    "use only the eigenvalues (np.linalg.eigvalsh), or compute the function of the matrix "
    "without its eigenvectors (for example A @ A rather than V diag(w^2) V^T)"
)


EIGH_SPLIT = (
    "the matrix has a repeated eigenvalue (two eigenvalues equal to a relative tolerance of "
    "64 n eps) and {how}: the copies of a repeated eigenvalue have no derivative one by one "
    "(only one-sided ones); a symmetric function of them has a gradient"
)
EIGH_SPLIT_ADVICE = (
    "s2s follows the eigenvalues one by one, so a symmetric function of them (sum(w**3)) is "
    "refused here too: write it from the matrix, without eigh or eigvalsh (sum(w**3) is "
    "np.trace(A @ A @ A), sum(w**2) is np.sum(A * A)), or take one eigenvalue only where it "
    "is simple"
)
SPLIT_COTANGENT = "its copies get different cotangents"
SPLIT_TANGENT = (
    "the change dA moves its copies apart (their block of V^T dA V is not a multiple of the "
    "identity), and a tangent cannot tell whether a symmetric function of them follows"
)


def repeated_marker(how: str = "") -> Undefined:
    """The ``s2s.Undefined`` marker of eigh's eigenvectors at a repeated eigenvalue (located
    at the call by the generated code), or with ``how`` (:data:`SPLIT_COTANGENT`,
    :data:`SPLIT_TANGENT`) of its eigenvalues, whose copies are told apart."""
    if how:
        reason = f"{EIGH_SPLIT.format(how=how)}; {EIGH_SPLIT_ADVICE}"
    else:
        reason = f"{EIGH_REPEATED}; {EIGH_ADVICE}"
    return Undefined((Cause("eigh", "a", reason, "", 0),))


def tied_pairs(w: Any) -> Any:
    """The boolean ``(..., n, n)`` mask of the pairs ``i != j`` of the real eigenvalues ``w``
    (``(..., n)``, of a symmetric matrix) with ``|w_i - w_j| <= 64 n eps max|w|`` per matrix:
    LAPACK computes the eigenvalues of a symmetric matrix to about ``eps ||A||``, so a repeated
    eigenvalue comes out as values this close. In ``w``'s array namespace."""
    xp = array_namespace(w)
    n = w.shape[-1]
    eps = float(np.finfo(np.dtype(str(w.dtype))).eps)
    scale = xp.max(xp.abs(w), axis=-1) if n else w.sum(axis=-1)
    tol = (64.0 * n * eps) * scale[..., None, None]
    close = xp.abs(w[..., None, :] - w[..., :, None]) <= tol
    return close & ~xp.eye(n, dtype=bool)


def coupled_ties(tied: Any, m: Any) -> Any:
    """Whether some tied pair ``(i, j)`` (the mask :func:`tied_pairs`) has ``m_ij`` or ``m_ji``
    nonzero beyond rounding (``64 n eps max|m|`` per matrix): ``m = V^T g_V`` (a cotangent of
    the eigenvectors) or ``V^T dA V`` (a tangent), whose tied entries the eigenvector derivative
    would divide by 0. A 0-d boolean array in ``m``'s namespace."""
    xp = array_namespace(m)
    n = m.shape[-1]
    if not n:
        return xp.any(tied)
    eps = float(np.finfo(np.dtype(str(m.dtype))).eps)
    size = xp.abs(m)
    scale = xp.max(xp.max(size, axis=-1), axis=-1)[..., None, None]
    coupling = size + xp.swapaxes(size, -1, -2)
    return xp.any(tied & (coupling > (64.0 * n * eps) * scale))


def tied_vectors_used(tied: Any, m: Any, diagonal: bool = True) -> Any:
    """Whether a cotangent of the eigenvectors reaches an eigenvector of a repeated eigenvalue:
    some column ``i`` of ``m = V^T g_V`` with ``i`` in a tied pair (the mask :func:`tied_pairs`)
    nonzero beyond rounding (``64 n eps max|m|`` per matrix). Such an eigenvector is any unit
    vector of its eigenspace, and which one jumps with the direction of a change of ``A``, so
    a function of it has no derivative there, whatever its cotangent: ``V[0, 0] ** 2`` of
    ``eigh(I + x B)`` jumps from 1 to 1/2 at ``x = 0``, although its ``m`` is diagonal (what
    :func:`coupled_ties` alone let through, as a gradient of 0). With ``diagonal=False``, for
    a tangent ``m = V^T dA V``: whether ``dA`` couples such an eigenvector to any other (an
    entry off the diagonal), which picks the eigenspace's basis anew (in the second order of
    perturbation theory where the tied block is a multiple of the identity) so that the
    eigenvectors jump; the diagonal only moves the eigenvalues. A 0-d boolean array in
    ``m``'s namespace."""
    xp = array_namespace(m)
    n = m.shape[-1]
    if not n:
        return xp.any(tied)
    eps = float(np.finfo(np.dtype(str(m.dtype))).eps)
    size = xp.abs(m) if diagonal else xp.abs(m) * (1 - xp.eye(n, dtype=m.dtype))
    column = xp.max(size, axis=-2)  # (..., n): the largest entry of each column
    scale = xp.max(column, axis=-1)[..., None]
    return xp.any(xp.any(tied, axis=-1) & (column > (64.0 * n * eps) * scale))


def simple_symmetric(w: Any) -> Any:
    """The eigenvalues ``w`` of ``np.linalg.eigh`` unchanged, checked to be distinct (to the
    tolerance of :func:`tied_pairs`): called by the twin of ``eigh_adjoint``, whose
    derivative needs the eigenvectors' tangent (``1 / (w_j - w_i)``), so that a second
    derivative at a repeated eigenvalue raises rather than taking ``1 / 0`` as 0 (which gave
    wrong Hessians even of smooth functions such as ``sum(eigvalsh(A) ** 3) = tr(A^3)``).

    Raises:
        UndefinedGradientError: two eigenvalues are equal, located at the user's line that
            asked for the derivative.
    """
    if bool(np.any(tied_pairs(np.asarray(w)))):
        raise UndefinedGradientError(
            "a second derivative through np.linalg.eigh or eigvalsh (the first derivative "
            f"uses the eigenvectors): {EIGH_REPEATED}",
            caller_location(), EIGH_ADVICE,
        )  # fmt: skip
    return w
