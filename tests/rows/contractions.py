"""Rows for ``templates/contractions.py``: vecdot, matvec, vecmat (with batch broadcasting)."""

import numpy as np

from rows.spec import R, normal

ROWS = [
    R(np.vecdot, lambda x, y: np.vecdot(x, y), normal(2, 3), normal(3)),
    R(np.vecdot, lambda x, y: np.vecdot(x, y, axis=0), normal(3, 2), normal(3, 1), tag="axis"),
    R(np.matvec, lambda a, v: np.matvec(a, v), normal(2, 3, 4), normal(4)),
    R(np.vecmat, lambda v, a: np.vecmat(v, a), normal(2, 3), normal(3, 4)),
]
