"""Rows for ``templates/tilings.py``: pad, tile, repeat, kron and cross."""

import warnings

import numpy as np

from rows.spec import R, const, normal, pyfloat

ROWS = [
    R(np.pad, lambda x: np.pad(x, 2), normal(3)),
    R(np.pad, lambda x: np.pad(x, ((1, 2), (0, 1))), normal(2, 3), tag="widths"),
    R(
        np.pad,
        lambda x, c: np.pad(x, ((1, 0), (2, 1)), constant_values=c),
        normal(2, 3),
        pyfloat(),
        tag="constant_values",
    ),
    R(
        np.pad,
        lambda x, c: np.pad(x, 1, mode="constant", constant_values=c),
        normal(2, 3),
        normal(2, 2),
        tag="per-axis-constants",
    ),
    R(np.pad, lambda x: np.pad(x, ((1, 2), (2, 1)), mode="edge"), normal(2, 3), tag="edge"),
    R(np.pad, lambda x: np.pad(x, (2, 3), mode="reflect"), normal(4), tag="reflect"),
    R(np.pad, lambda x: np.pad(x, ((1, 1), (2, 0)), "symmetric"), normal(2, 3), tag="symmetric"),
    R(np.pad, lambda x: np.pad(x, (2, 1), mode="wrap"), normal(3), tag="wrap"),
    R(np.tile, lambda x: np.tile(x, 3), normal(2)),
    R(np.tile, lambda x: np.tile(x, (2, 1, 2)), normal(2, 3), tag="more-reps"),
    R(np.tile, lambda x: np.tile(x, reps=2), normal(2, 3), tag="fewer-reps"),
    R(np.repeat, lambda x: np.repeat(x, 2), normal(2, 3)),
    R(np.repeat, lambda x: np.repeat(x, 3, axis=1), normal(2, 3), tag="axis"),
    R(
        np.repeat,
        lambda x, r: np.repeat(x, r, axis=0),
        normal(3, 2),
        const(np.array([2, 0, 1])),
        tag="per-entry",
    ),
    R(np.repeat, lambda x: x.repeat(2, axis=-1), normal(2, 2), tag="method"),
    R(np.kron, lambda a, b: np.kron(a, b), normal(2, 3), normal(3, 2)),
    R(np.kron, lambda a, b: np.kron(a, b), normal(3), normal(2, 2), tag="ndims"),
    R(np.cross, lambda a, b: np.cross(a, b), normal(4, 3), normal(3)),
    R(
        np.cross,
        lambda a, b: np.cross(a, b, axisa=0, axisb=1, axisc=0),
        normal(3, 2),
        normal(2, 3),
        tag="axes",
    ),
    R(np.cross, lambda a, b: np.cross(a, b, axis=0), normal(3, 2), normal(3, 2), tag="axis"),
]


def _numpy_crosses_2_vectors() -> bool:
    """numpy 2.0 deprecated 2-vectors in np.cross and numpy 2.5 refuses them."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            np.cross(np.ones(2), np.ones(2))
        except ValueError:
            return False
    return True


if _numpy_crosses_2_vectors():
    ROWS += [
        R(np.cross, lambda a, b: np.cross(a, b), normal(3, 2), normal(2), tag="2-vectors"),
        R(np.cross, lambda a, b: np.cross(a, b), normal(2, 2), normal(2, 3), tag="2-and-3"),
    ]
