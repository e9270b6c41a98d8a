"""``scipy.stats.poisson``: logpmf, pmf, logcdf and cdf in the rate ``mu``.

Loaded only once scipy is imported (``s2s.registry.OPTIONAL_RULES``); keyed on the methods
bound to scipy's ``poisson`` object. ``k`` and ``loc`` are integer-valued (the pmf is constant
between integers): structural, never differentiated. Sources: scipy.stats.poisson's reference,
``pmf(k) = exp(-mu) mu^k / k!``, so ``d logpmf / dmu = k / mu - 1``; its CDF is the regularized
upper incomplete gamma function ``Q(floor(k) + 1, mu)`` (DLMF 8.2.4, 8.4.10), whose derivative
in ``mu`` is ``-pmf(floor(k))`` (DLMF 8.8.13).
"""

import numpy as np
from scipy import stats

from s2s.registry import FLOAT64, Facts, elementwise

F64 = Facts(dtype=FLOAT64)
INTEGER = ("k", "loc")


@elementwise(
    stats.poisson.logpmf, structural=INTEGER, facts=F64, source="d logpmf / dmu = k / mu - 1"
)
def poisson_logpmf(result, k, mu, loc=0):
    return (k - loc) / mu - 1


@elementwise(
    stats.poisson.pmf, structural=INTEGER, facts=F64, source="d pmf / dmu = pmf (k / mu - 1)"
)
def poisson_pmf(result, k, mu, loc=0):
    return result * ((k - loc) / mu - 1)


@elementwise(
    stats.poisson.cdf,
    structural=INTEGER,
    facts=F64,
    source="DLMF 8.8.13: d Q(floor(k) + 1, mu) / dmu = -pmf(floor(k))",
)
def poisson_cdf(result, k, mu, loc=0):
    return -stats.poisson.pmf(np.floor(k), mu, loc)


@elementwise(
    stats.poisson.logcdf,
    structural=INTEGER,
    facts=F64,
    source="DLMF 8.8.13: d log cdf / dmu = -pmf(floor(k)) / cdf",
)
def poisson_logcdf(result, k, mu, loc=0):
    return -np.exp(stats.poisson.logpmf(np.floor(k), mu, loc) - result)


@elementwise(
    stats.poisson.sf,
    structural=INTEGER,
    facts=F64,
    source="DLMF 8.8.13: sf = 1 - cdf, d sf / dmu = pmf(floor(k))",
)
def poisson_sf(result, k, mu, loc=0):
    return stats.poisson.pmf(np.floor(k), mu, loc)


@elementwise(
    stats.poisson.logsf,
    structural=INTEGER,
    facts=F64,
    source="DLMF 8.8.13: d log sf / dmu = pmf(floor(k)) / sf",
)
def poisson_logsf(result, k, mu, loc=0):
    return np.exp(stats.poisson.logpmf(np.floor(k), mu, loc) - result)
