"""Rows for ``templates/multi.py``: divmod, modf and frexp (outputs combined into one array)."""

import numpy as np

from rows.spec import R, away0, normal, positive, uniform


def divmod_both(x, y):
    q, r = np.divmod(x, y)
    return r * q


def modf_both(x):
    frac, whole = np.modf(x)
    return frac * whole + frac


def frexp_both(x):
    m, e = np.frexp(x)
    return m * e


ROWS = [
    R(np.divmod, lambda x, y: np.divmod(x, y)[1], uniform(-3, 3, 3, 1), positive(4)),
    R(np.divmod, divmod_both, uniform(-3, 3, 4), away0(4), tag="both"),
    R(np.modf, lambda x: np.modf(x)[0], uniform(-3, 3, 5)),
    R(np.modf, modf_both, uniform(-3, 3, 5), tag="both"),
    R(np.frexp, lambda x: np.frexp(x)[0], away0(5)),
    R(np.frexp, frexp_both, normal(5, scale=10.0), tag="both"),
]
