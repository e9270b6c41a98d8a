"""Rows for ``templates/spacings.py``: logspace and geomspace (and the helper ``expand_at``)."""

import numpy as np

import s2s.runtime as rt
from rows.spec import R, normal, positive, pyfloat, uniform

ROWS = [
    R(np.logspace, lambda a, b: np.logspace(a, b, 5), uniform(-1.0, 1.0), uniform(-1.0, 1.0)),
    R(
        np.logspace,
        lambda a, b: np.logspace(a, b, num=4, endpoint=False, base=2.0, dtype=np.float64, axis=0),
        uniform(-2.0, 2.0),
        uniform(-2.0, 2.0),
        tag="keyword",
    ),
    R(
        np.logspace,
        lambda a, b: np.logspace(a, b, 3, axis=1),
        uniform(-1.0, 1.0, 2, 1),
        uniform(-1.0, 1.0, 3),
        tag="axis",
    ),
    R(np.geomspace, lambda a, b: np.geomspace(a, b, 5), uniform(0.5, 2.0), uniform(0.5, 2.0)),
    R(
        np.geomspace,
        lambda a, b: np.geomspace(-a, -b, num=4, endpoint=False, dtype=np.float64, axis=0),
        uniform(0.5, 2.0),
        uniform(0.5, 2.0),
        tag="negative",
    ),
    R(
        np.geomspace,
        lambda a, b: np.geomspace(a, b, 3, axis=-1),
        positive(2, 1),
        positive(3),
        tag="axis",
    ),
]

# The helper's own rule (a reshape), for derivatives of derivatives.
RUNTIME = [
    R(rt.expand_at, lambda x: rt.expand_at(x, 1, np.ones((2, 4, 3))) * 2.0, normal(3)),
    R(rt.expand_at, lambda x: rt.expand_at(x, 0, np.ones(3)) * 2.0, pyfloat(), tag="scalar"),
]
