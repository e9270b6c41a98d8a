"""Rows for ``templates/covariance.py``: cov and corrcoef."""

import numpy as np

import s2s.runtime as rt
from rows.spec import R, const, normal

FW = np.array([1, 2, 1, 3, 1])  # integers: numpy multiplies float fweights in place
AW = np.array([0.5, 1.5, 1.0, 2.0, 0.7])

def cov_adjoint(g, m):
    return rt.cov_adjoint(g, m)[0] * 2.0


def cov_adjoint_y(g, m, y):
    parts = rt.cov_adjoint(g, m, y, False, False, None, None, AW)
    return np.concatenate([np.ravel(parts[0] * 2.0), np.ravel(parts[1] * 3.0)])


ROWS = [
    R(rt.cov_adjoint, cov_adjoint, normal(3, 3), normal(3, 5)),
    R(rt.cov_adjoint, cov_adjoint_y, normal(4, 4), normal(5, 2), normal(5, 2), tag="y"),
    R(np.cov, lambda m: np.cov(m), normal(3, 5)),
    R(np.cov, lambda m: np.cov(m), normal(5), tag="one variable"),
    R(np.cov, lambda m: np.cov(m, rowvar=False, bias=True), normal(5, 2), tag="rowvar"),
    R(np.cov, lambda m, y: np.cov(m, y, ddof=2), normal(2, 5), normal(5), tag="y"),
    R(np.cov, lambda m, y: np.cov(m, y, rowvar=False), normal(5, 2), normal(5, 2), tag="y cols"),
    R(np.cov, lambda m: np.cov(m, fweights=FW), normal(2, 5), tag="fweights"),
    R(np.cov, lambda m: np.cov(m, aweights=AW), normal(2, 5), tag="aweights"),
    R(np.cov, lambda m: np.cov(m, fweights=FW, aweights=AW, ddof=0), normal(2, 5), tag="both"),
    R(
        np.cov,
        lambda y, m: np.cov(m, y),
        normal(5),
        const(np.arange(10.0).reshape(2, 5) ** 0.5),
        tag="y only",
    ),
    R(np.corrcoef, lambda x: np.corrcoef(x), normal(3, 6)),
    R(np.corrcoef, lambda x: np.corrcoef(x, rowvar=False), normal(6, 2), tag="rowvar"),
    R(np.corrcoef, lambda x, y: np.corrcoef(x, y), normal(6), normal(6), tag="y"),
]
ROWS += [  # keyword forms
    R(np.cov, lambda m, y: np.cov(m, y=y, dtype=np.float64), normal(2, 4), normal(4), tag="kw"),
    R(
        np.corrcoef,
        lambda x, y: np.corrcoef(x, y=y, dtype=np.float64),
        normal(5),
        normal(5),
        tag="kw",
    ),
]
