"""Real views of ``np.linalg.eig``'s and ``eigvals``' results for the plain twins of their
adjoint helpers (:mod:`s2s.runtime.plain_spectral`), which s2s differentiates at second order.

s2s differentiates eig and eigvals for real spectra only. numpy returns their results as
complex arrays where the spectrum is complex (and, from numpy 2.5, always, with imaginary
parts exactly 0 for a real spectrum): a complex argument of a twin's derivative is refused
by :func:`refuse_complex`, and :func:`real_spectrum` refuses a repeated eigenvalue where the
eigenvectors' derivative is asked for. Both raise a located
:class:`s2s.errors.UndefinedGradientError` at the user's line that asked for the derivative.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from s2s.errors import UndefinedGradientError, caller_location

COMPLEX = (
    "the matrix has complex eigenvalues: s2s differentiates eig and eigvals for real spectra "
    "only (a symmetric matrix has one: use np.linalg.eigh)"
)
REPEATED = (
    "the matrix has a repeated eigenvalue: the eigenvectors of a repeated eigenvalue are any "
    "basis of its eigenspace, so they have no derivative"
)
ZERO_IMAGINARY = (
    "it is complex, with imaginary parts 0: the matrix has complex eigenvalues (this value "
    "came from them), or numpy (2.5 and later) returned complex results for real ones; a "
    "second derivative needs them real"
)


def refuse_complex(name: str, value: Any) -> None:
    """Raise for the complex argument ``name`` of a derivative of eig's adjoint twins.

    Raises:
        UndefinedGradientError: always, located at the user's line: a complex spectrum, or
            (imaginary parts all 0) a value that came from one, or numpy 2.5's complex
            results of a real one.
    """
    if np.any(np.imag(value) != 0):
        message, advice = COMPLEX, "differentiate a function of a matrix with real eigenvalues"
    else:
        message, advice = ZERO_IMAGINARY, "differentiate once, or use numpy before 2.5"
    raise UndefinedGradientError(
        f"a second derivative through np.linalg.eig or eigvals (its adjoint's `{name}`): "
        f"{message}", caller_location(), advice,
    )  # fmt: skip


def real_spectrum(w: Any, simple: bool = False) -> Any:
    """The real eigenvalues (or eigenvectors) ``w`` of ``np.linalg.eig`` unchanged (a complex
    one never reaches here: :func:`refuse_complex`), checked for distinct eigenvalues (along
    the last axis) when ``simple``.

    Raises:
        UndefinedGradientError: ``simple`` and two of the eigenvalues ``w`` are equal, located
            at the user's line that asked for the derivative.
    """
    if simple:
        ties = w[..., None, :] == w[..., :, None]
        if np.sum(ties) > ties.size // max(ties.shape[-1], 1):  # more ties than the diagonal's
            raise UndefinedGradientError(
                f"a second derivative through np.linalg.eig: {REPEATED}", caller_location(),
                "use only the eigenvalues, or np.linalg.eigh for a symmetric matrix",
            )  # fmt: skip
    return w
