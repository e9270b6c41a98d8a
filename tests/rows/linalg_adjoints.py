"""Rows for ``templates/linalg_adjoints.py``: the runtime helpers numpy.linalg's adjoints call,
differentiated as a user's function would call them (a second derivative through those rules
differentiates them, DESIGN 10). Structural arguments are fixed; the norm ``n`` is drawn as an
argument of its own (the helper reads it as one)."""

import numpy as np

import s2s.runtime as rt
from rows.spec import R, away0, normal, positive

norm_adjoint = rt.norm_adjoint
vector_norm_adjoint = rt.vector_norm_adjoint

ROWS = [
    R(norm_adjoint, lambda g, x, n: norm_adjoint(g, x, n), normal(), normal(2, 3), positive()),
    R(
        norm_adjoint,
        lambda g, x, n: norm_adjoint(g, x, n, 3, 1, True),
        normal(2, 1),
        away0(2, 3),
        positive(2, 1),
        tag="p3-axis",
    ),  # fmt: skip
    R(
        norm_adjoint,
        lambda g, x, n: norm_adjoint(g, x, n, -1),
        normal(),
        away0(4),
        positive(),
        tag="ord-1",
    ),  # fmt: skip
    R(norm_adjoint, lambda g, x: norm_adjoint(g, x, 1.5, 1), normal(), away0(4), tag="ord1"),
    R(
        norm_adjoint,
        lambda g, x, n: norm_adjoint(g, x, n, "fro"),
        normal(),
        normal(3, 4),
        positive(),
        tag="fro",
    ),  # fmt: skip
    R(norm_adjoint, lambda g, x: norm_adjoint(g, x, 2.0, "nuc"), normal(), normal(3, 4), tag="nuc"),
    R(
        norm_adjoint,
        lambda g, x: norm_adjoint(g, x, np.full(3, 2.0), "nuc", (0, 2)),
        normal(3),
        normal(4, 3, 2),
        tag="nuc-tall",
    ),  # fmt: skip
    R(norm_adjoint, lambda g, x: norm_adjoint(g, x, 2.0, 2), normal(), normal(3, 4), tag="2"),
    R(
        norm_adjoint,
        lambda g, x: norm_adjoint(g, x, np.ones((2, 1, 1)), -2, (-2, -1), True),
        normal(2, 1, 1),
        normal(2, 4, 3),
        tag="-2-batch",
    ),  # fmt: skip
    R(
        norm_adjoint,
        lambda g, x: norm_adjoint(g, x, 2.0, np.inf),
        normal(),
        normal(3, 4),
        tag="matrix-inf",
    ),  # fmt: skip
    R(
        vector_norm_adjoint,
        lambda g, x, n: vector_norm_adjoint(g, x, n),
        normal(),
        normal(2, 3),
        positive(),
    ),  # fmt: skip
    R(
        vector_norm_adjoint,
        lambda g, x, n: vector_norm_adjoint(g, x, n, 0.5, (0, 1)),
        normal(2),
        positive(3, 2, 2),
        positive(2),
        tag="half",
    ),  # fmt: skip
    R(
        vector_norm_adjoint,
        lambda g, x: vector_norm_adjoint(g, x, np.max(np.abs(x), axis=1), np.inf, 1),
        normal(3),
        away0(3, 4),
        tag="inf",
    ),  # fmt: skip
]
