"""Rows for ``templates/scipy_tails.py``: sf, logsf and logistic's densities (none without scipy).

Each method in its first argument and every shape its rule differentiates (the shapes of t, gamma
and beta are refused: they are fixed here), then with ``loc=`` and ``scale=`` too, at points inside
the support (``Located.rows``: one distribution's domains written once, each call form as text to
read).
"""

from rows.spec import Located, R, normal, uniform

try:
    from scipy import stats
except ImportError:  # scipy is optional: no rules, no rows
    stats = None

ROWS = []
if stats is not None:
    SCALE = uniform(0.5, 2.0, 2, 1)
    NORM = Located(stats.norm, normal(2, 3, scale=1.5), normal(3), SCALE)
    EXPON = Located(stats.expon, uniform(1.0, 2.5, 2, 3), uniform(-0.5, 0.5, 3), SCALE)
    LAPLACE = Located(stats.laplace, uniform(0.2, 2.0, 2, 3), uniform(-3.0, -2.5, 3), SCALE)
    LOGISTIC = Located(stats.logistic, normal(2, 3, scale=1.5), normal(3), SCALE)
    CAUCHY = Located(stats.cauchy, normal(2, 3, scale=2.0), normal(3), SCALE)
    T = Located(stats.t, normal(2, 3, scale=1.5), normal(3), SCALE)
    GAMMA = Located(stats.gamma, uniform(1.0, 2.5, 2, 3), uniform(-0.5, 0.5, 3), SCALE)
    BETA = Located(
        stats.beta, uniform(0.2, 0.8, 2, 3), uniform(-0.1, 0.1, 3), uniform(1.2, 1.5, 2, 1)
    )
    S = uniform(0.4, 1.5, 3)
    ROWS = [
        *LOGISTIC.rows(
            "logpdf",
            lambda x: stats.logistic.logpdf(x),
            lambda x, m, s_: stats.logistic.logpdf(x, loc=m, scale=s_),
        ),
        *LOGISTIC.rows(
            "pdf",
            lambda x: stats.logistic.pdf(x),
            lambda x, m, s_: stats.logistic.pdf(x, loc=m, scale=s_),
        ),
        *LOGISTIC.rows(
            "cdf",
            lambda x: stats.logistic.cdf(x),
            lambda x, m, s_: stats.logistic.cdf(x, loc=m, scale=s_),
        ),
        *LOGISTIC.rows(
            "logcdf",
            lambda x: stats.logistic.logcdf(x),
            lambda x, m, s_: stats.logistic.logcdf(x, loc=m, scale=s_),
        ),
        *NORM.rows(
            "sf",
            lambda x: stats.norm.sf(x),
            lambda x, m, s_: stats.norm.sf(x, loc=m, scale=s_),
        ),
        *NORM.rows(
            "logsf",
            lambda x: stats.norm.logsf(x),
            lambda x, m, s_: stats.norm.logsf(x, loc=m, scale=s_),
        ),
        *EXPON.rows(
            "sf",
            lambda x: stats.expon.sf(x),
            lambda x, m, s_: stats.expon.sf(x, loc=m, scale=s_),
        ),
        *EXPON.rows(
            "logsf",
            lambda x: stats.expon.logsf(x),
            lambda x, m, s_: stats.expon.logsf(x, loc=m, scale=s_),
        ),
        *LAPLACE.rows(
            "sf",
            lambda x: stats.laplace.sf(x),
            lambda x, m, s_: stats.laplace.sf(x, loc=m, scale=s_),
        ),
        *LAPLACE.rows(
            "logsf",
            lambda x: stats.laplace.logsf(x),
            lambda x, m, s_: stats.laplace.logsf(x, loc=m, scale=s_),
        ),
        *LOGISTIC.rows(
            "sf",
            lambda x: stats.logistic.sf(x),
            lambda x, m, s_: stats.logistic.sf(x, loc=m, scale=s_),
        ),
        *LOGISTIC.rows(
            "logsf",
            lambda x: stats.logistic.logsf(x),
            lambda x, m, s_: stats.logistic.logsf(x, loc=m, scale=s_),
        ),
        *CAUCHY.rows(
            "sf",
            lambda x: stats.cauchy.sf(x),
            lambda x, m, s_: stats.cauchy.sf(x, loc=m, scale=s_),
        ),
        *CAUCHY.rows(
            "logsf",
            lambda x: stats.cauchy.logsf(x),
            lambda x, m, s_: stats.cauchy.logsf(x, loc=m, scale=s_),
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
        *T.rows(
            "sf",
            lambda x: stats.t.sf(x, 3.5),
            lambda x, m, s_: stats.t.sf(x, 3.5, loc=m, scale=s_),
        ),
        *T.rows(
            "logsf",
            lambda x: stats.t.logsf(x, 3.5),
            lambda x, m, s_: stats.t.logsf(x, 3.5, loc=m, scale=s_),
        ),
        *GAMMA.rows(
            "sf",
            lambda x: stats.gamma.sf(x, 2.5),
            lambda x, m, s_: stats.gamma.sf(x, 2.5, loc=m, scale=s_),
        ),
        *GAMMA.rows(
            "logsf",
            lambda x: stats.gamma.logsf(x, 2.5),
            lambda x, m, s_: stats.gamma.logsf(x, 2.5, loc=m, scale=s_),
        ),
        *BETA.rows(
            "sf",
            lambda x: stats.beta.sf(x, 2.5, 3.0),
            lambda x, m, s_: stats.beta.sf(x, 2.5, 3.0, loc=m, scale=s_),
        ),
        *BETA.rows(
            "logsf",
            lambda x: stats.beta.logsf(x, 2.5, 3.0),
            lambda x, m, s_: stats.beta.logsf(x, 2.5, 3.0, loc=m, scale=s_),
        ),
    ]
