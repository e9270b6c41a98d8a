"""Rows for ``templates/linalg_api.py``: numpy.linalg's array-API spellings."""

import numpy as np

from rows.spec import R, normal

ROWS = [
    R(np.linalg.matmul, lambda a, b: np.linalg.matmul(a, b), normal(2, 3, 4), normal(4, 2)),
    R(np.linalg.outer, lambda a, b: np.linalg.outer(a, b), normal(3), normal(4)),
    R(np.linalg.tensordot, lambda a, b: np.linalg.tensordot(a, b), normal(2, 3, 4), normal(3, 4)),
    R(
        np.linalg.tensordot,
        lambda a, b: np.linalg.tensordot(a, b, axes=([0], [1])),
        normal(3, 2),
        normal(4, 3),
        tag="axes",
    ),
    R(np.linalg.vecdot, lambda a, b: np.linalg.vecdot(a, b), normal(2, 3), normal(3)),
    R(
        np.linalg.vecdot,
        lambda a, b: np.linalg.vecdot(a, b, axis=0),
        normal(3, 2),
        normal(3, 2),
        tag="axis",
    ),
    R(np.linalg.trace, lambda x: np.linalg.trace(x), normal(2, 3, 3)),
    R(np.linalg.trace, lambda x: np.linalg.trace(x, offset=1), normal(3, 4), tag="offset"),
    R(np.linalg.diagonal, lambda x: np.linalg.diagonal(x), normal(2, 3, 4)),
    R(np.linalg.diagonal, lambda x: np.linalg.diagonal(x, offset=-1), normal(4, 3), tag="offset"),
]
