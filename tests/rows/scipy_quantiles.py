"""Rows for the quantiles of ``templates/scipy_tails.py``: ppf and isf (none without scipy).

Each method in its first argument and every shape its rule differentiates (the shapes of t, gamma
and beta are refused: they are fixed here), then with ``loc=`` and ``scale=`` too, at points inside
the support (``Located.rows``: one distribution's domains written once, each call form as text to
read).
"""

from rows.spec import Located, normal, uniform

try:
    from scipy import stats
except ImportError:  # scipy is optional: no rules, no rows
    stats = None

ROWS = []
if stats is not None:
    Q, S, SCALE = uniform(0.1, 0.9, 2, 3), uniform(0.4, 1.5, 3), uniform(0.5, 2.0, 2, 1)
    NORM = Located(stats.norm, Q, normal(3), SCALE)
    EXPON = Located(stats.expon, Q, uniform(-0.5, 0.5, 3), SCALE)
    LAPLACE = Located(stats.laplace, Q, uniform(-3.0, -2.5, 3), SCALE)
    LOGISTIC = Located(stats.logistic, Q, normal(3), SCALE)
    CAUCHY = Located(stats.cauchy, Q, normal(3), SCALE)
    LOGNORM = Located(stats.lognorm, Q, uniform(-0.5, 0.5, 3), SCALE)
    T = Located(stats.t, Q, normal(3), SCALE)
    GAMMA = Located(stats.gamma, Q, uniform(-0.5, 0.5, 3), SCALE)
    BETA = Located(stats.beta, Q, uniform(-0.1, 0.1, 3), uniform(1.2, 1.5, 2, 1))
    ROWS = [
        *NORM.rows(
            "ppf",
            lambda q: stats.norm.ppf(q),
            lambda q, m, s_: stats.norm.ppf(q, loc=m, scale=s_),
        ),
        *NORM.rows(
            "isf",
            lambda q: stats.norm.isf(q),
            lambda q, m, s_: stats.norm.isf(q, loc=m, scale=s_),
        ),
        *EXPON.rows(
            "ppf",
            lambda q: stats.expon.ppf(q),
            lambda q, m, s_: stats.expon.ppf(q, loc=m, scale=s_),
        ),
        *EXPON.rows(
            "isf",
            lambda q: stats.expon.isf(q),
            lambda q, m, s_: stats.expon.isf(q, loc=m, scale=s_),
        ),
        *LAPLACE.rows(
            "ppf",
            lambda q: stats.laplace.ppf(q),
            lambda q, m, s_: stats.laplace.ppf(q, loc=m, scale=s_),
        ),
        *LAPLACE.rows(
            "isf",
            lambda q: stats.laplace.isf(q),
            lambda q, m, s_: stats.laplace.isf(q, loc=m, scale=s_),
        ),
        *LOGISTIC.rows(
            "ppf",
            lambda q: stats.logistic.ppf(q),
            lambda q, m, s_: stats.logistic.ppf(q, loc=m, scale=s_),
        ),
        *LOGISTIC.rows(
            "isf",
            lambda q: stats.logistic.isf(q),
            lambda q, m, s_: stats.logistic.isf(q, loc=m, scale=s_),
        ),
        *CAUCHY.rows(
            "ppf",
            lambda q: stats.cauchy.ppf(q),
            lambda q, m, s_: stats.cauchy.ppf(q, loc=m, scale=s_),
        ),
        *CAUCHY.rows(
            "isf",
            lambda q: stats.cauchy.isf(q),
            lambda q, m, s_: stats.cauchy.isf(q, loc=m, scale=s_),
        ),
        *LOGNORM.rows(
            "ppf",
            lambda q, s: stats.lognorm.ppf(q, s),
            lambda q, s, m, s_: stats.lognorm.ppf(q, s, loc=m, scale=s_),
            S,
        ),
        *LOGNORM.rows(
            "isf",
            lambda q, s: stats.lognorm.isf(q, s),
            lambda q, s, m, s_: stats.lognorm.isf(q, s, loc=m, scale=s_),
            S,
        ),
        *T.rows(
            "ppf",
            lambda q: stats.t.ppf(q, 3.5),
            lambda q, m, s_: stats.t.ppf(q, 3.5, loc=m, scale=s_),
        ),
        *T.rows(
            "isf",
            lambda q: stats.t.isf(q, 3.5),
            lambda q, m, s_: stats.t.isf(q, 3.5, loc=m, scale=s_),
        ),
        *GAMMA.rows(
            "ppf",
            lambda q: stats.gamma.ppf(q, 2.5),
            lambda q, m, s_: stats.gamma.ppf(q, 2.5, loc=m, scale=s_),
        ),
        *GAMMA.rows(
            "isf",
            lambda q: stats.gamma.isf(q, 2.5),
            lambda q, m, s_: stats.gamma.isf(q, 2.5, loc=m, scale=s_),
        ),
        *BETA.rows(
            "ppf",
            lambda q: stats.beta.ppf(q, 2.5, 3.0),
            lambda q, m, s_: stats.beta.ppf(q, 2.5, 3.0, loc=m, scale=s_),
        ),
        *BETA.rows(
            "isf",
            lambda q: stats.beta.isf(q, 2.5, 3.0),
            lambda q, m, s_: stats.beta.isf(q, 2.5, 3.0, loc=m, scale=s_),
        ),
    ]
