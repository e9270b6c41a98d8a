"""Rows for ``templates/scipy_tails.py``: sf, logsf and logistic's densities (none without scipy).

Each method in its first argument and every shape its rule differentiates (the shapes of t, gamma
and beta are refused: they are fixed here), then with ``loc=`` and ``scale=`` too, at points inside
the support. Written by a loop over the distributions, kept as text to read.
"""

from rows.spec import R, normal, uniform

try:
    from scipy import stats
except ImportError:  # scipy is optional: no rules, no rows
    stats = None

ROWS = []
if stats is not None:
    ROWS = [
        R(
            stats.logistic.logpdf,
            lambda x: stats.logistic.logpdf(x),
            normal(2, 3, scale=1.5),
        ),
        R(
            stats.logistic.logpdf,
            lambda x, m, s_: stats.logistic.logpdf(x, loc=m, scale=s_),
            normal(2, 3, scale=1.5),
            normal(3),
            uniform(0.5, 2.0, 2, 1),
            tag="loc-scale",
        ),
        R(
            stats.logistic.pdf,
            lambda x: stats.logistic.pdf(x),
            normal(2, 3, scale=1.5),
        ),
        R(
            stats.logistic.pdf,
            lambda x, m, s_: stats.logistic.pdf(x, loc=m, scale=s_),
            normal(2, 3, scale=1.5),
            normal(3),
            uniform(0.5, 2.0, 2, 1),
            tag="loc-scale",
        ),
        R(
            stats.logistic.cdf,
            lambda x: stats.logistic.cdf(x),
            normal(2, 3, scale=1.5),
        ),
        R(
            stats.logistic.cdf,
            lambda x, m, s_: stats.logistic.cdf(x, loc=m, scale=s_),
            normal(2, 3, scale=1.5),
            normal(3),
            uniform(0.5, 2.0, 2, 1),
            tag="loc-scale",
        ),
        R(
            stats.logistic.logcdf,
            lambda x: stats.logistic.logcdf(x),
            normal(2, 3, scale=1.5),
        ),
        R(
            stats.logistic.logcdf,
            lambda x, m, s_: stats.logistic.logcdf(x, loc=m, scale=s_),
            normal(2, 3, scale=1.5),
            normal(3),
            uniform(0.5, 2.0, 2, 1),
            tag="loc-scale",
        ),
        R(
            stats.norm.sf,
            lambda x: stats.norm.sf(x),
            normal(2, 3, scale=1.5),
        ),
        R(
            stats.norm.sf,
            lambda x, m, s_: stats.norm.sf(x, loc=m, scale=s_),
            normal(2, 3, scale=1.5),
            normal(3),
            uniform(0.5, 2.0, 2, 1),
            tag="loc-scale",
        ),
        R(
            stats.norm.logsf,
            lambda x: stats.norm.logsf(x),
            normal(2, 3, scale=1.5),
        ),
        R(
            stats.norm.logsf,
            lambda x, m, s_: stats.norm.logsf(x, loc=m, scale=s_),
            normal(2, 3, scale=1.5),
            normal(3),
            uniform(0.5, 2.0, 2, 1),
            tag="loc-scale",
        ),
        R(
            stats.expon.sf,
            lambda x: stats.expon.sf(x),
            uniform(1.0, 2.5, 2, 3),
        ),
        R(
            stats.expon.sf,
            lambda x, m, s_: stats.expon.sf(x, loc=m, scale=s_),
            uniform(1.0, 2.5, 2, 3),
            uniform(-0.5, 0.5, 3),
            uniform(0.5, 2.0, 2, 1),
            tag="loc-scale",
        ),
        R(
            stats.expon.logsf,
            lambda x: stats.expon.logsf(x),
            uniform(1.0, 2.5, 2, 3),
        ),
        R(
            stats.expon.logsf,
            lambda x, m, s_: stats.expon.logsf(x, loc=m, scale=s_),
            uniform(1.0, 2.5, 2, 3),
            uniform(-0.5, 0.5, 3),
            uniform(0.5, 2.0, 2, 1),
            tag="loc-scale",
        ),
        R(
            stats.laplace.sf,
            lambda x: stats.laplace.sf(x),
            uniform(0.2, 2.0, 2, 3),
        ),
        R(
            stats.laplace.sf,
            lambda x, m, s_: stats.laplace.sf(x, loc=m, scale=s_),
            uniform(0.2, 2.0, 2, 3),
            uniform(-3.0, -2.5, 3),
            uniform(0.5, 2.0, 2, 1),
            tag="loc-scale",
        ),
        R(
            stats.laplace.logsf,
            lambda x: stats.laplace.logsf(x),
            uniform(0.2, 2.0, 2, 3),
        ),
        R(
            stats.laplace.logsf,
            lambda x, m, s_: stats.laplace.logsf(x, loc=m, scale=s_),
            uniform(0.2, 2.0, 2, 3),
            uniform(-3.0, -2.5, 3),
            uniform(0.5, 2.0, 2, 1),
            tag="loc-scale",
        ),
        R(
            stats.logistic.sf,
            lambda x: stats.logistic.sf(x),
            normal(2, 3, scale=1.5),
        ),
        R(
            stats.logistic.sf,
            lambda x, m, s_: stats.logistic.sf(x, loc=m, scale=s_),
            normal(2, 3, scale=1.5),
            normal(3),
            uniform(0.5, 2.0, 2, 1),
            tag="loc-scale",
        ),
        R(
            stats.logistic.logsf,
            lambda x: stats.logistic.logsf(x),
            normal(2, 3, scale=1.5),
        ),
        R(
            stats.logistic.logsf,
            lambda x, m, s_: stats.logistic.logsf(x, loc=m, scale=s_),
            normal(2, 3, scale=1.5),
            normal(3),
            uniform(0.5, 2.0, 2, 1),
            tag="loc-scale",
        ),
        R(
            stats.cauchy.sf,
            lambda x: stats.cauchy.sf(x),
            normal(2, 3, scale=2.0),
        ),
        R(
            stats.cauchy.sf,
            lambda x, m, s_: stats.cauchy.sf(x, loc=m, scale=s_),
            normal(2, 3, scale=2.0),
            normal(3),
            uniform(0.5, 2.0, 2, 1),
            tag="loc-scale",
        ),
        R(
            stats.cauchy.logsf,
            lambda x: stats.cauchy.logsf(x),
            normal(2, 3, scale=2.0),
        ),
        R(
            stats.cauchy.logsf,
            lambda x, m, s_: stats.cauchy.logsf(x, loc=m, scale=s_),
            normal(2, 3, scale=2.0),
            normal(3),
            uniform(0.5, 2.0, 2, 1),
            tag="loc-scale",
        ),
        R(
            stats.lognorm.sf,
            lambda x, s: stats.lognorm.sf(x, s),
            uniform(1.0, 2.5, 2, 3),
            uniform(0.4, 1.5, 3),
        ),
        R(
            stats.lognorm.sf,
            lambda x, s, m, s_: stats.lognorm.sf(x, s, loc=m, scale=s_),
            uniform(2.0, 3.0, 2, 3),  # z in (2, 7): float16's rounding of z near 1 swamps log z
            uniform(0.4, 1.5, 3),
            uniform(-0.5, 0.0, 3),
            uniform(0.5, 1.0, 2, 1),
            tag="loc-scale",
        ),
        R(
            stats.lognorm.logsf,
            lambda x, s: stats.lognorm.logsf(x, s),
            uniform(1.0, 2.5, 2, 3),
            uniform(0.4, 1.5, 3),
        ),
        R(
            stats.lognorm.logsf,
            lambda x, s, m, s_: stats.lognorm.logsf(x, s, loc=m, scale=s_),
            uniform(2.0, 3.0, 2, 3),  # z in (2, 7): float16's rounding of z near 1 swamps log z
            uniform(0.4, 1.5, 3),
            uniform(-0.5, 0.0, 3),
            uniform(0.5, 1.0, 2, 1),
            tag="loc-scale",
        ),
        R(
            stats.t.sf,
            lambda x: stats.t.sf(x, 3.5),
            normal(2, 3, scale=1.5),
        ),
        R(
            stats.t.sf,
            lambda x, m, s_: stats.t.sf(x, 3.5, loc=m, scale=s_),
            normal(2, 3, scale=1.5),
            normal(3),
            uniform(0.5, 2.0, 2, 1),
            tag="loc-scale",
        ),
        R(
            stats.t.logsf,
            lambda x: stats.t.logsf(x, 3.5),
            normal(2, 3, scale=1.5),
        ),
        R(
            stats.t.logsf,
            lambda x, m, s_: stats.t.logsf(x, 3.5, loc=m, scale=s_),
            normal(2, 3, scale=1.5),
            normal(3),
            uniform(0.5, 2.0, 2, 1),
            tag="loc-scale",
        ),
        R(
            stats.gamma.sf,
            lambda x: stats.gamma.sf(x, 2.5),
            uniform(1.0, 2.5, 2, 3),
        ),
        R(
            stats.gamma.sf,
            lambda x, m, s_: stats.gamma.sf(x, 2.5, loc=m, scale=s_),
            uniform(1.0, 2.5, 2, 3),
            uniform(-0.5, 0.5, 3),
            uniform(0.5, 2.0, 2, 1),
            tag="loc-scale",
        ),
        R(
            stats.gamma.logsf,
            lambda x: stats.gamma.logsf(x, 2.5),
            uniform(1.0, 2.5, 2, 3),
        ),
        R(
            stats.gamma.logsf,
            lambda x, m, s_: stats.gamma.logsf(x, 2.5, loc=m, scale=s_),
            uniform(1.0, 2.5, 2, 3),
            uniform(-0.5, 0.5, 3),
            uniform(0.5, 2.0, 2, 1),
            tag="loc-scale",
        ),
        R(
            stats.beta.sf,
            lambda x: stats.beta.sf(x, 2.5, 3.0),
            uniform(0.2, 0.8, 2, 3),
        ),
        R(
            stats.beta.sf,
            lambda x, m, s_: stats.beta.sf(x, 2.5, 3.0, loc=m, scale=s_),
            uniform(0.2, 0.8, 2, 3),
            uniform(-0.1, 0.1, 3),
            uniform(1.2, 1.5, 2, 1),
            tag="loc-scale",
        ),
        R(
            stats.beta.logsf,
            lambda x: stats.beta.logsf(x, 2.5, 3.0),
            uniform(0.2, 0.8, 2, 3),
        ),
        R(
            stats.beta.logsf,
            lambda x, m, s_: stats.beta.logsf(x, 2.5, 3.0, loc=m, scale=s_),
            uniform(0.2, 0.8, 2, 3),
            uniform(-0.1, 0.1, 3),
            uniform(1.2, 1.5, 2, 1),
            tag="loc-scale",
        ),
    ]
