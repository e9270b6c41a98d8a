"""Rows for ``templates/linalg_spectral.py``: eig and eigvals (real spectra), lstsq.

Matrices with a real spectrum are drawn as ``S diag(1..n) S^-1`` with ``S`` well conditioned;
functions of the eigenvectors are invariant under each vector's sign (``v * v``), so
difference quotients do not depend on LAPACK's sign choices. numpy 2.5 returns eig's and
eigvals' results as complex arrays (with zero imaginary parts here), so each row takes
``np.real`` of them, as code that runs under both numpy versions does.
"""

import numpy as np

import s2s.runtime as rt
from rows.spec import Arg, R, distinct, normal


def real_spectrum(*shape: int) -> Arg:
    """Non-symmetric matrices with eigenvalues 1, 2, ..., n (well separated and real)."""
    n = shape[-1]

    def draw(rng):
        s = 2.0 * np.eye(n) + 0.4 * rng.standard_normal(shape)
        return (s * np.arange(1.0, n + 1)[..., None, :]) @ np.linalg.inv(s)

    return Arg(draw)


def eig_both(a):
    w, v = np.linalg.eig(a)
    return np.real(v * v * w[..., None, :])


def eig_vectors(a):
    w, v = np.linalg.eig(a)
    return np.real(v * v)


def eigvals_real(a):
    return np.real(np.linalg.eigvals(a))


def lstsq_all(a, b):
    x, residuals, rank, s = np.linalg.lstsq(a, b)
    return np.sum(x * x) + np.sum(residuals) + np.sum(s * s * s)


ROWS = [
    R(np.linalg.eig, lambda a: np.real(np.linalg.eig(a)[0]), real_spectrum(3, 3), tag="values"),
    R(np.linalg.eig, eig_vectors, real_spectrum(3, 3), tag="vectors"),
    R(np.linalg.eig, eig_both, real_spectrum(2, 3, 3), tag="batch"),
    R(np.linalg.eigvals, lambda a: np.real(np.linalg.eigvals(a)), real_spectrum(4, 4)),
    R(np.linalg.eig, lambda a: np.linalg.eig(a)[0].real + np.linalg.eig(a)[0].imag,
      real_spectrum(3, 3), tag="attributes"),  # fmt: skip
    R(np.linalg.eigvals, eigvals_real, real_spectrum(2, 3, 3), tag="batch"),
    R(np.linalg.lstsq, lambda a, b: np.linalg.lstsq(a, b)[0], normal(5, 3), normal(5), tag="x"),
    R(np.linalg.lstsq, lstsq_all, normal(5, 3), normal(5, 2), tag="all"),
    R(np.linalg.lstsq, lstsq_all, normal(3, 5), normal(3), tag="wide"),
    R(
        np.linalg.lstsq,
        lambda a, b: np.linalg.lstsq(a, b, rcond=None)[1],
        normal(4, 2),
        normal(4, 3),
        tag="residuals",
    ),  # fmt: skip
    R(np.linalg.lstsq, lambda a: np.linalg.lstsq(a, np.ones(4))[3], normal(4, 3), tag="s"),
]

ROWS += [  # the check eig's second derivative makes of the eigenvalues (the identity)
    R(rt.real_spectrum, lambda w: rt.real_spectrum(w) * 2.0, normal(2, 3)),
    R(rt.drop_zero_imaginary, lambda w: rt.drop_zero_imaginary(w) * 3.0, normal(2, 3)),
    R(
        rt.real_spectrum,
        lambda w: rt.real_spectrum(w, rt.eig_repeated(w, np.eye(3))) ** 2,
        distinct(2, 3),
        tag="simple",
    ),
]

# the verdict on ties that the check above takes (a boolean: piecewise constant)
NONDIFF = [
    R(
        rt.eig_repeated,
        lambda w: np.sum(w) * (1.0 + rt.eig_repeated(w, np.eye(3))),
        distinct(2, 3),
        expected=lambda w: (np.full_like(w, 1.0),),
    ),
]
