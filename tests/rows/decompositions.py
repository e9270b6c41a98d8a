"""Rows for ``templates/decompositions.py``: slogdet, eigh, eigvalsh, svd, svdvals, qr, cholesky.

Functions of eigenvectors and singular vectors are chosen invariant under the sign of each
vector, so difference quotients do not depend on LAPACK's sign choices.
"""

import numpy as np

import s2s.runtime as rt
from rows.spec import R, distinct, normal, spd, symmetric, wellcond


def slogdet_both(a):
    sign, logabsdet = np.linalg.slogdet(a)
    return sign * logabsdet


def eigh_both(a):
    w, v = np.linalg.eigh(a)
    return v * v * w


def eigh_upper(a):
    w, v = np.linalg.eigh(a, UPLO="U")
    return v * v * np.sqrt(w)


def svd_reduced(a):
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    return (u * np.sqrt(s)) @ vh


def svd_batch(a):
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    return (u * np.sqrt(s)[..., None, :]) @ vh


def svd_u(a):
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    return u * u


def svd_vh(a):
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    return vh * vh * s[:, None]


def svd_square(a):
    u, s, vh = np.linalg.svd(a)
    return u @ vh


def qr_both(a):
    q, r = np.linalg.qr(a)
    return q * np.sum(r)


def qr_complete(a):
    q, r = np.linalg.qr(a, mode="complete")
    return q[:, :3] * r[0]


ROWS = [
    R(np.linalg.slogdet, lambda a: np.linalg.slogdet(a)[1], wellcond(3, 3)),
    R(np.linalg.slogdet, slogdet_both, normal(2, 3, 3), tag="both", h=1e-5),
    R(np.linalg.eigh, lambda a: np.linalg.eigh(a)[0], symmetric(4), tag="values"),
    R(np.linalg.eigh, eigh_both, symmetric(4), tag="both"),
    R(np.linalg.eigh, eigh_upper, symmetric(3), tag="upper"),
    R(np.linalg.eigvalsh, lambda a: np.linalg.eigvalsh(a), symmetric(4)),
    R(np.linalg.eigvalsh, lambda a: np.linalg.eigvalsh(a, UPLO="U"), symmetric(3), tag="upper"),
    # the check eigh's second derivative makes of the eigenvalues (the identity)
    R(rt.simple_symmetric, lambda w: rt.simple_symmetric(w) ** 2, distinct(2, 3)),
    R(np.linalg.svd, svd_reduced, normal(4, 3), tag="reduced"),
    R(np.linalg.svd, svd_u, normal(4, 3), tag="u"),
    R(np.linalg.svd, svd_batch, normal(2, 3, 4), tag="batch-wide"),
    R(np.linalg.svd, svd_vh, normal(2, 4, 3), tag="batch-vh"),
    R(np.linalg.svd, svd_vh, normal(3, 4), tag="vh"),
    R(np.linalg.svd, svd_square, normal(3, 3), tag="square"),
    R(
        np.linalg.svd,
        lambda a: np.linalg.svd(a, full_matrices=False, compute_uv=True)[1],
        normal(3, 4),
        tag="compute_uv-true",
    ),
    R(np.linalg.svd, lambda a: np.linalg.svd(a, compute_uv=False), normal(3, 4), tag="values"),
    R(np.linalg.svdvals, lambda a: np.linalg.svdvals(a), normal(4, 3)),
    R(np.linalg.qr, lambda a: np.linalg.qr(a)[0], normal(4, 3), tag="q"),
    R(np.linalg.qr, lambda a: np.linalg.qr(a)[1], normal(3, 4), tag="r-wide"),
    R(np.linalg.qr, qr_both, normal(3, 3), tag="both"),
    R(np.linalg.qr, qr_complete, normal(4, 3), tag="complete"),
    R(np.linalg.cholesky, lambda a: np.linalg.cholesky(a), spd(3)),
    R(np.linalg.cholesky, lambda a: np.linalg.cholesky(a, upper=True), spd(3), tag="upper"),
]
