"""Rows for ``templates/scipy_stats.py`` (none without scipy: its rules do not load then).

Each method is checked in ``x`` and every shape parameter its rule differentiates, then with
``loc=`` and ``scale=`` differentiated too, at points inside the support (``Located.rows``: one
distribution's domains written once, each call form as text to read).
"""

from rows.spec import Located, normal, uniform

try:
    from scipy import stats
except ImportError:  # scipy is optional: no rules, no rows
    stats = None

ROWS = []
if stats is not None:
    SCALE = uniform(0.5, 2.0, 2, 1)
    NORM = Located(stats.norm, normal(2, 3, scale=1.5), normal(3), SCALE)
    EXPON = Located(stats.expon, uniform(1.0, 2.5, 2, 3), uniform(-0.5, 0.5, 3), SCALE)
    LAPLACE = Located(stats.laplace, uniform(0.2, 2.0, 2, 3), normal(3), SCALE)
    CAUCHY = Located(stats.cauchy, normal(2, 3, scale=2.0), normal(3), SCALE)
    T = Located(stats.t, normal(2, 3, scale=1.5), normal(3), SCALE)
    GAMMA = Located(stats.gamma, uniform(1.0, 2.5, 2, 3), uniform(-0.5, 0.5, 3), SCALE)
    BETA = Located(
        stats.beta, uniform(0.2, 0.8, 2, 3), uniform(-0.1, 0.1, 3), uniform(1.2, 1.5, 2, 1)
    )
    LOGNORM = Located(stats.lognorm, uniform(1.0, 2.5, 2, 3), uniform(-0.5, 0.5, 3), SCALE)
    DF, A, S = uniform(1.5, 6.0, 3), uniform(1.5, 4.0, 3), uniform(0.4, 1.5, 3)
    ROWS = [
        *NORM.rows(
            "logpdf",
            lambda x: stats.norm.logpdf(x),
            lambda u, m, s_: stats.norm.logpdf(u, loc=m, scale=s_),
        ),
        *NORM.rows(
            "pdf",
            lambda x: stats.norm.pdf(x),
            lambda u, m, s_: stats.norm.pdf(u, loc=m, scale=s_),
        ),
        *NORM.rows(
            "cdf",
            lambda x: stats.norm.cdf(x),
            lambda u, m, s_: stats.norm.cdf(u, loc=m, scale=s_),
        ),
        *NORM.rows(
            "logcdf",
            lambda x: stats.norm.logcdf(x),
            lambda u, m, s_: stats.norm.logcdf(u, loc=m, scale=s_),
        ),
        *EXPON.rows(
            "logpdf",
            lambda x: stats.expon.logpdf(x),
            lambda u, m, s_: stats.expon.logpdf(u, loc=m, scale=s_),
        ),
        *EXPON.rows(
            "pdf",
            lambda x: stats.expon.pdf(x),
            lambda u, m, s_: stats.expon.pdf(u, loc=m, scale=s_),
        ),
        *EXPON.rows(
            "cdf",
            lambda x: stats.expon.cdf(x),
            lambda u, m, s_: stats.expon.cdf(u, loc=m, scale=s_),
        ),
        *EXPON.rows(
            "logcdf",
            lambda x: stats.expon.logcdf(x),
            lambda u, m, s_: stats.expon.logcdf(u, loc=m, scale=s_),
        ),
        *LAPLACE.rows(
            "logpdf",
            lambda x: stats.laplace.logpdf(x),
            lambda u, m, s_: stats.laplace.logpdf(u, loc=m, scale=s_),
        ),
        *LAPLACE.rows(
            "pdf",
            lambda x: stats.laplace.pdf(x),
            lambda u, m, s_: stats.laplace.pdf(u, loc=m, scale=s_),
        ),
        *LAPLACE.rows(
            "cdf",
            lambda x: stats.laplace.cdf(x),
            lambda u, m, s_: stats.laplace.cdf(u, loc=m, scale=s_),
        ),
        *LAPLACE.rows(
            "logcdf",
            lambda x: stats.laplace.logcdf(x),
            lambda u, m, s_: stats.laplace.logcdf(u, loc=m, scale=s_),
        ),
        *CAUCHY.rows(
            "logpdf",
            lambda x: stats.cauchy.logpdf(x),
            lambda u, m, s_: stats.cauchy.logpdf(u, loc=m, scale=s_),
        ),
        *CAUCHY.rows(
            "pdf",
            lambda x: stats.cauchy.pdf(x),
            lambda u, m, s_: stats.cauchy.pdf(u, loc=m, scale=s_),
        ),
        *CAUCHY.rows(
            "cdf",
            lambda x: stats.cauchy.cdf(x),
            lambda u, m, s_: stats.cauchy.cdf(u, loc=m, scale=s_),
        ),
        *CAUCHY.rows(
            "logcdf",
            lambda x: stats.cauchy.logcdf(x),
            lambda u, m, s_: stats.cauchy.logcdf(u, loc=m, scale=s_),
        ),
        *T.rows(
            "logpdf",
            lambda x, df: stats.t.logpdf(x, df),
            lambda u, df, m, s_: stats.t.logpdf(u, df, loc=m, scale=s_),
            DF,
        ),
        *T.rows(
            "pdf",
            lambda x, df: stats.t.pdf(x, df),
            lambda u, df, m, s_: stats.t.pdf(u, df, loc=m, scale=s_),
            DF,
        ),
        *T.rows(
            "cdf",
            lambda x: stats.t.cdf(x, 2.5),
            lambda u, m, s_: stats.t.cdf(u, 2.5, loc=m, scale=s_),
        ),
        *T.rows(
            "logcdf",
            lambda x: stats.t.logcdf(x, 2.5),
            lambda u, m, s_: stats.t.logcdf(u, 2.5, loc=m, scale=s_),
        ),
        *GAMMA.rows(
            "logpdf",
            lambda x, a: stats.gamma.logpdf(x, a),
            lambda u, a, m, s_: stats.gamma.logpdf(u, a, loc=m, scale=s_),
            A,
        ),
        *GAMMA.rows(
            "pdf",
            lambda x, a: stats.gamma.pdf(x, a),
            lambda u, a, m, s_: stats.gamma.pdf(u, a, loc=m, scale=s_),
            A,
        ),
        *GAMMA.rows(
            "cdf",
            lambda x: stats.gamma.cdf(x, 2.5),
            lambda u, m, s_: stats.gamma.cdf(u, 2.5, loc=m, scale=s_),
        ),
        *GAMMA.rows(
            "logcdf",
            lambda x: stats.gamma.logcdf(x, 2.5),
            lambda u, m, s_: stats.gamma.logcdf(u, 2.5, loc=m, scale=s_),
        ),
        *BETA.rows(
            "logpdf",
            lambda x, a, b: stats.beta.logpdf(x, a, b),
            lambda u, a, b, m, s_: stats.beta.logpdf(u, a, b, loc=m, scale=s_),
            A,
            A,
        ),
        *BETA.rows(
            "pdf",
            lambda x, a, b: stats.beta.pdf(x, a, b),
            lambda u, a, b, m, s_: stats.beta.pdf(u, a, b, loc=m, scale=s_),
            A,
            A,
        ),
        *BETA.rows(
            "cdf",
            lambda x: stats.beta.cdf(x, 2.5, 2.5),
            lambda u, m, s_: stats.beta.cdf(u, 2.5, 2.5, loc=m, scale=s_),
        ),
        *BETA.rows(
            "logcdf",
            lambda x: stats.beta.logcdf(x, 2.5, 2.5),
            lambda u, m, s_: stats.beta.logcdf(u, 2.5, 2.5, loc=m, scale=s_),
        ),
        *LOGNORM.rows(
            "logpdf",
            lambda x, s: stats.lognorm.logpdf(x, s),
            lambda u, s, m, s_: stats.lognorm.logpdf(u, s, loc=m, scale=s_),
            S,
        ),
        *LOGNORM.rows(
            "pdf",
            lambda x, s: stats.lognorm.pdf(x, s),
            lambda u, s, m, s_: stats.lognorm.pdf(u, s, loc=m, scale=s_),
            S,
        ),
        *LOGNORM.rows(
            "cdf",
            lambda x, s: stats.lognorm.cdf(x, s),
            lambda u, s, m, s_: stats.lognorm.cdf(u, s, loc=m, scale=s_),
            S,
        ),
        *LOGNORM.rows(
            "logcdf",
            lambda x, s: stats.lognorm.logcdf(x, s),
            lambda u, s, m, s_: stats.lognorm.logcdf(u, s, loc=m, scale=s_),
            S,
        ),
    ]
