"""Rows for ``templates/scipy_discrete.py`` (none without scipy: its rules do not load then)."""

import numpy as np

from rows.spec import R, const, uniform

try:
    from scipy import stats
except ImportError:  # scipy is optional: no rules, no rows
    stats = None

K = np.array([[0, 1, 3], [2, 5, 4]])
ROWS = []
if stats is not None:
    P = stats.poisson
    ROWS = [
        R(P.logpmf, lambda k, mu: P.logpmf(k, mu), const(K), uniform(0.5, 4.0, 3)),
        R(P.logpmf, lambda mu: P.logpmf(K + 2, mu, loc=2), uniform(0.5, 4, 2, 3), tag="loc"),
        R(P.pmf, lambda k, mu: P.pmf(k, mu), const(K), uniform(0.5, 4.0, 3)),
        R(P.pmf, lambda mu: P.pmf(K + 1, mu, loc=1), uniform(0.5, 4.0, 3), tag="loc"),
        R(P.cdf, lambda k, mu: P.cdf(k, mu), const(K), uniform(0.5, 4.0, 3)),
        R(P.cdf, lambda mu: P.cdf(K + 0.5, mu, loc=0), uniform(0.5, 4.0, 3), tag="half"),
        R(P.logcdf, lambda k, mu: P.logcdf(k, mu), const(K), uniform(0.5, 4.0, 3)),
        R(P.sf, lambda k, mu: P.sf(k, mu), const(K), uniform(0.5, 4.0, 3)),
        R(P.sf, lambda mu: P.sf(K + 0.5, mu, loc=0), uniform(0.5, 4.0, 3), tag="half"),
        R(P.logsf, lambda k, mu: P.logsf(k, mu), const(K), uniform(0.5, 4.0, 3)),
        R(P.logcdf, lambda mu: P.logcdf(K, mu, loc=-1), uniform(0.5, 4.0, 3), tag="loc"),
    ]
