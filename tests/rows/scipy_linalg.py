"""Rows for ``templates/scipy_linalg.py`` (none without scipy: its rules do not load then)."""

import inspect

import numpy as np

import s2s.runtime as rt
from rows.spec import Arg, R, normal, spd, symmetric, wellcond

try:
    from scipy import linalg
except ImportError:  # scipy is optional: no rules, no rows
    linalg = None


def small(n: int) -> Arg:
    """``0.5 N``: an exponent of moderate norm."""
    return Arg(lambda rng: 0.5 * rng.standard_normal((n, n)))


def spd_general(n: int) -> Arg:
    """Symmetric positive definite, moved in any direction (sqrtm reads the whole matrix)."""
    return Arg(spd(n).draw)


def triangular(n: int, lower: bool) -> Arg:
    """A well-conditioned matrix; the solve reads one triangle (the other is noise)."""
    return Arg(lambda rng: 2.0 * np.eye(n) + 0.3 * rng.standard_normal((n, n)))


def eigh_both(a):
    w, v = linalg.eigh(a)
    return v * v * np.sqrt(w)


def svd_reduced(a):
    u, s, vh = linalg.svd(a, full_matrices=False)
    return (u * np.sqrt(s)) @ vh


def qr_full(a):
    q, r = linalg.qr(a)
    return q * np.diagonal(r)


def qr_economic(a):
    q, r = linalg.qr(a, mode="economic")
    return q @ r + q


def lu_both(a):
    p, low, up = linalg.lu(a)
    return low * 2.0 + up


ROWS = []
if linalg is not None:
    ROWS = [
        R(linalg.expm, lambda a: linalg.expm(a), small(3)),
        R(linalg.sqrtm, lambda a: linalg.sqrtm(a), spd_general(3)),
        R(
            linalg.solve_sylvester,
            lambda a, b, q: linalg.solve_sylvester(a, b, q),
            wellcond(3, 3),
            wellcond(2, 2),
            normal(3, 2),
        ),  # fmt: skip
        R(
            linalg.solve_triangular,
            lambda a, b: linalg.solve_triangular(a, b),
            triangular(3, False),
            normal(3),
        ),
        R(
            linalg.solve_triangular,
            lambda a, b: linalg.solve_triangular(a, b, lower=True),
            triangular(3, True),
            normal(3, 2),
            tag="lower",
        ),
        R(
            linalg.solve_triangular,
            lambda a, b: linalg.solve_triangular(a, b, trans=1, lower=True),
            triangular(3, True),
            normal(3, 2),
            tag="trans",
        ),  # fmt: skip
        R(
            linalg.solve_triangular,
            lambda a, b: linalg.solve_triangular(
                a, b, trans="T", unit_diagonal=True, overwrite_b=False, check_finite=False
            ),
            triangular(3, False),
            normal(3),
            tag="unit",
        ),  # fmt: skip
    ]
    ROWS += [  # a factor flows into its solve: the gradient reaches the matrix through both
        R(
            linalg.cho_factor,
            lambda a, b: linalg.cho_solve(linalg.cho_factor(a), b),
            spd(3),
            normal(3),
        ),
        R(
            linalg.cho_solve,
            lambda a, b: linalg.cho_solve(linalg.cho_factor(a, lower=True), b),
            spd(3),
            normal(3, 2),
            tag="lower",
        ),
        R(linalg.cho_factor, lambda a: np.triu(linalg.cho_factor(a)[0]), spd(3), tag="factor"),
        # the whole factor: its other triangle is a's entries in scipy <= 1.17, zeros in 1.18
        # (unless overwrite_a), and the gradient follows what the installed scipy does
        R(linalg.cho_factor, lambda a: linalg.cho_factor(a)[0], spd(3), tag="whole factor"),
        R(
            linalg.cho_factor,
            lambda a: linalg.cho_factor(a, lower=True)[0] * 2.0,
            spd(3),
            tag="whole lower factor",
        ),
        R(
            linalg.cho_factor,
            lambda a: linalg.cho_factor(a * 1.0, overwrite_a=True)[0],
            spd(3),
            tag="overwritten",
        ),
        R(
            linalg.lu_factor,
            lambda a, b: linalg.lu_solve(linalg.lu_factor(a), b),
            wellcond(3, 3),
            normal(3),
        ),
        R(
            linalg.lu_solve,
            lambda a, b: linalg.lu_solve(linalg.lu_factor(a), b, trans=1),
            wellcond(4, 4),
            normal(4, 2),
            tag="trans",
        ),
        R(linalg.lu_factor, lambda a: linalg.lu_factor(a)[0], normal(4, 4), tag="factor"),
    ]
    ROWS += [  # numpy.linalg's functions in scipy's spelling
        R(linalg.solve, lambda a, b: linalg.solve(a, b), wellcond(3, 3), normal(3)),
        R(
            linalg.solve,
            lambda a, b: linalg.solve(a, b, transposed=True, check_finite=False),
            wellcond(3, 3),
            normal(3, 2),
            tag="transposed",
        ),
        R(linalg.inv, lambda a: linalg.inv(a), wellcond(3, 3)),
        R(linalg.det, lambda a: linalg.det(a), normal(3, 3)),
        R(rt.general_matrix, lambda a: rt.general_matrix(a, None, "inv") * 2.0, normal(3, 3)),
        R(rt.lapack_ready, lambda a: rt.lapack_ready(a) * 2.0, normal(3, 3)),
        R(rt.square_matrix, lambda a: rt.square_matrix(a, "solve") * 2.0, normal(3, 3)),
        R(linalg.cholesky, lambda a: linalg.cholesky(a), spd(3)),
        R(linalg.cholesky, lambda a: linalg.cholesky(a, lower=True), spd(3), tag="lower"),
        R(linalg.eigh, eigh_both, symmetric(3)),
        R(linalg.eigh, lambda a: linalg.eigh(a, eigvals_only=True), symmetric(3), tag="values"),
        R(linalg.svd, svd_reduced, normal(4, 3)),
        R(linalg.svd, lambda a: linalg.svd(a, compute_uv=False), normal(3, 4), tag="values"),
        R(linalg.qr, qr_full, normal(3, 3)),
        R(linalg.qr, qr_economic, normal(4, 3), tag="economic"),
        R(linalg.lu, lu_both, normal(4, 4)),
        R(linalg.lu, lambda a: linalg.lu(a, p_indices=True)[2], normal(4, 4), tag="indices"),
        R(linalg.logm, lambda a: linalg.logm(a), spd_general(3)),
    ]
    ROWS += [  # every keyword by name (test_every_keyword_form_has_a_row), defaults where refused
        R(
            linalg.cho_factor,
            lambda a, b: linalg.cho_solve(
                linalg.cho_factor(a, lower=False, overwrite_a=False, check_finite=True),
                b,
                overwrite_b=False,
                check_finite=False,
            ),
            spd(3),
            normal(3),
            tag="keywords",
        ),
        R(
            linalg.lu_factor,
            lambda a, b: linalg.lu_solve(
                linalg.lu_factor(a, overwrite_a=False, check_finite=True),
                b,
                trans=0,
                overwrite_b=False,
                check_finite=False,
            ),
            wellcond(3, 3),
            normal(3),
            tag="keywords",
        ),
        R(
            linalg.solve,
            lambda a, b: linalg.solve(
                a, b, lower=False, overwrite_a=False, overwrite_b=False, assume_a="gen"
            ),
            wellcond(3, 3),
            normal(3),
            tag="keywords",
        ),
        R(
            linalg.inv,
            lambda a: linalg.inv(
                a, overwrite_a=False, check_finite=True, assume_a=None, lower=False
            ),
            wellcond(3, 3),
            tag="keywords",
        ),
        R(
            linalg.det,
            lambda a: linalg.det(a, overwrite_a=False, check_finite=True),
            normal(3, 3),
            tag="keywords",
        ),
        R(
            linalg.cholesky,
            lambda a: linalg.cholesky(a, overwrite_a=False, check_finite=True),
            spd(3),
            tag="keywords",
        ),
        R(
            linalg.eigh,
            lambda a: linalg.eigh(
                a,
                b=None,
                lower=False,
                eigvals_only=True,
                overwrite_a=False,
                overwrite_b=False,
                type=1,
                check_finite=True,
                subset_by_index=None,
                subset_by_value=None,
                driver=None,
            ),  # fmt: skip
            symmetric(3),
            tag="keywords",
        ),
        R(
            linalg.svd,
            lambda a: linalg.svd(
                a, compute_uv=False, overwrite_a=False, check_finite=True, lapack_driver="gesvd"
            ),
            normal(3, 4),
            tag="keywords",
        ),
        R(
            linalg.qr,
            lambda a: linalg.qr(
                a, overwrite_a=False, lwork=None, mode="economic", pivoting=False, check_finite=True
            )[1],
            normal(4, 3),
            tag="keywords",
        ),
        R(
            linalg.lu,
            lambda a: linalg.lu(a, permute_l=False, overwrite_a=False, check_finite=True)[2],
            normal(3, 3),
            tag="keywords",
        ),
    ]
    if "disp" in inspect.signature(linalg.logm).parameters:  # scipy < 1.18
        ROWS += [
            R(linalg.logm, lambda a: linalg.logm(a, disp=True), spd_general(3), tag="keywords"),
        ]
