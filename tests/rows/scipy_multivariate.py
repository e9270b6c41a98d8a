"""Rows for ``templates/scipy_multivariate.py``: multivariate_normal and dirichlet (none without
scipy). Dirichlet points are drawn positive and normalized inside the row (scipy checks that x
lies on the simplex), so differences move along the simplex."""

import numpy as np

from rows.spec import R, normal, spd, uniform

try:
    from scipy import stats
except ImportError:  # scipy is optional: no rules, no rows
    stats = None


def simplex(y):
    y = y.astype(np.float64)  # in float16 the sum is off 1 by more than scipy allows
    return y / np.sum(y, axis=0)


ROWS = []
if stats is not None:
    MVN = stats.multivariate_normal
    ROWS = [
        R(MVN.logpdf, lambda x, m, c: MVN.logpdf(x, m, c), normal(4, 3), normal(3), spd(3)),
        R(
            MVN.logpdf,
            lambda x, c: MVN.logpdf(x, mean=None, cov=c, allow_singular=False),
            normal(3),
            spd(3),
            tag="one-point",
        ),
        R(MVN.pdf, lambda x, m, c: MVN.pdf(x, m, c), normal(4, 3, scale=0.5), normal(3), spd(3)),
        R(
            MVN.pdf,
            lambda x, m, c: MVN.pdf(x, mean=m, cov=c, allow_singular=False),
            normal(3),
            normal(3),
            spd(3),
            tag="keywords",
        ),
        R(
            stats.dirichlet.logpdf,
            lambda y, a: stats.dirichlet.logpdf(simplex(y), a),
            uniform(0.5, 2.0, 3),
            uniform(1.2, 4.0, 3),
        ),
        R(
            stats.dirichlet.logpdf,
            lambda y, a: stats.dirichlet.logpdf(simplex(y), a),
            uniform(0.5, 2.0, 3, 4),
            uniform(1.2, 4.0, 3),
            tag="points",
        ),
        R(
            stats.dirichlet.pdf,
            lambda y, a: stats.dirichlet.pdf(simplex(y), a),
            uniform(0.5, 2.0, 3, 4),
            uniform(1.2, 4.0, 3),
        ),
    ]
