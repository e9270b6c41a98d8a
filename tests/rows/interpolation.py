"""Rows for ``templates/interpolation.py``: interp."""

import numpy as np

from rows.spec import Arg, R, const, normal, pyfloat

XP = np.array([-1.5, -0.4, 0.3, 1.1, 2.0])
X = np.array([[-2.0, -1.0, 0.0], [0.5, 1.5, 2.5]])  # left, inside (no knot) and right


def knots(*shape):
    """Sorted, well separated: ``XP`` plus a jitter of at most 0.1."""
    return Arg(lambda rng: XP + rng.uniform(-0.1, 0.1, XP.shape))


def inside(*shape):
    """Points inside ``[-1.3, 1.8]`` at least 0.15 from every knot of ``XP``."""

    def draw(rng):
        x = rng.uniform(-1.3, 1.8, shape)
        near = np.abs(x[..., None] - XP).min(axis=-1) < 0.15
        return np.where(near, x + 0.3, x)

    return Arg(draw)


ROWS = [
    R(np.interp, lambda fp: np.interp(X, XP, fp), normal(5)),
    R(np.interp, lambda x, fp: np.interp(x, XP, fp), inside(7), normal(5), tag="x"),
    R(np.interp, lambda x, xp, fp: np.interp(x, xp, fp), inside(6), knots(), normal(5), tag="xp"),
    R(
        np.interp,
        lambda fp, lo, hi: np.interp(X, XP, fp, left=lo, right=hi),
        normal(5),
        pyfloat(),
        pyfloat(),
        tag="left right",
    ),
    R(
        np.interp,
        lambda x, fp: np.interp(x, XP, fp, period=4.0),
        const(np.array([-2.5, 0.0, 3.2, 5.0])),
        normal(5),
        tag="period",
    ),
    # Python lists, as np.interp takes them (user report r06: the second-order twin indexed them)
    R(
        np.interp,
        lambda fp: np.interp([-2.0, 0.0, 0.7, 2.5], [-1.5, -0.4, 0.3, 1.1, 2.0], fp),
        normal(5),
        tag="lists",
    ),
    R(
        np.interp,
        lambda x, fp: np.interp(x, [-1.5, -0.4, 0.3, 2.0], [fp[0], fp[1] * fp[2], 1.0, fp[3]]),
        const(np.array([-1.0, -0.1, 0.6, 1.5])),
        normal(4),
        tag="list fp",
    ),
]

COORDS = np.array([0.0, 0.3, 0.5, 1.1, 1.4, 2.0])
ROWS += [
    R(np.gradient, lambda f: np.gradient(f), normal(6)),
    R(np.gradient, lambda f: np.gradient(f, 0.5, edge_order=2), normal(7), tag="edge 2"),
    R(np.gradient, lambda f: np.gradient(f, COORDS), normal(6), tag="coordinates"),
    R(
        np.gradient,
        lambda f: np.gradient(f, COORDS, edge_order=2),
        normal(6),
        tag="coordinates edge 2",
    ),
    R(
        np.gradient,
        lambda f: np.stack(np.gradient(f, 2.0, COORDS, edge_order=2)),
        normal(4, 6),
        tag="2d",
    ),
    R(np.gradient, lambda f: np.gradient(f, axis=1)[1:], normal(3, 5), tag="axis"),
    R(np.gradient, lambda f: np.gradient(f, COORDS[:5], axis=(1,)), normal(3, 5), tag="axes"),
    R(np.gradient, lambda f: np.gradient(f)[0], normal(3, 4), tag="one part"),
]
