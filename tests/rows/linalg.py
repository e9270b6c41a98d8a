"""Rows for ``templates/linalg.py``: norm, inv, solve and det."""

import numpy as np

import s2s.runtime as rt
from rows.spec import R, away0, distinct, normal, wellcond

norm = np.linalg.norm

ROWS = [
    R(norm, lambda x: np.linalg.norm(x), normal(2, 3)),
    R(norm, lambda x: np.linalg.norm(x, ord=1), away0(4), tag="ord1"),
    R(norm, lambda x: np.linalg.norm(x, np.inf), distinct(4), tag="inf"),
    R(norm, lambda x: np.linalg.norm(x, 3), normal(4), tag="p3"),
    R(norm, lambda x: np.linalg.norm(x, -1), away0(4), tag="ord-1"),
    R(norm, lambda x: np.linalg.norm(x, -np.inf), distinct(4), tag="ord-inf"),
    R(norm, lambda x: np.linalg.norm(x, -1), normal(3, 4), tag="matrix-ord-1"),
    R(norm, lambda x: np.linalg.norm(x, axis=1, keepdims=True), normal(3, 4), tag="axis"),
    R(norm, lambda x: np.linalg.norm(x, "fro"), normal(3, 4), tag="fro"),
    R(norm, lambda x: np.linalg.norm(x, "nuc"), normal(3, 4), tag="nuc"),
    R(norm, lambda x: np.linalg.norm(x, 2), normal(3, 4), tag="spectral"),
    R(norm, lambda x: np.linalg.norm(x, 1, axis=(1, 2)), normal(2, 3, 4), tag="matrix-1"),
    R(norm, lambda x: np.linalg.norm(x, np.inf), normal(3, 4), tag="matrix-inf"),
    R(np.linalg.inv, lambda a: np.linalg.inv(a), wellcond(3, 3)),
    R(np.linalg.inv, lambda a: np.linalg.inv(a), wellcond(2, 3, 3), tag="batch"),
    R(np.linalg.solve, lambda a, b: np.linalg.solve(a, b), wellcond(3, 3), normal(3), tag="vec"),
    R(np.linalg.solve, lambda a, b: np.linalg.solve(a, b), wellcond(3, 3), normal(3, 2)),
    R(
        np.linalg.solve,
        lambda a, b: np.linalg.solve(a, b),
        wellcond(3, 3),
        normal(2, 3, 2),
        tag="broadcast",
    ),
    R(np.linalg.det, lambda a: np.linalg.det(a), wellcond(3, 3)),
    R(np.linalg.det, lambda a: np.linalg.det(a), wellcond(2, 3, 3), tag="batch"),
    # the check the twins of det's second derivatives make (the identity)
    R(rt.invertible, lambda a: rt.invertible(a) ** 2, wellcond(3, 3)),
]
