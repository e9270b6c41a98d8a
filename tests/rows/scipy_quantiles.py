"""Rows for the quantiles of ``templates/scipy_tails.py``: ppf and isf (none without scipy).

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
            stats.norm.ppf,
            lambda q: stats.norm.ppf(q),
            uniform(0.1, 0.9, 2, 3),
        ),
        R(
            stats.norm.ppf,
            lambda q, m, s_: stats.norm.ppf(q, loc=m, scale=s_),
            uniform(0.1, 0.9, 2, 3),
            normal(3),
            uniform(0.5, 2.0, 2, 1),
            tag="loc-scale",
        ),
        R(
            stats.norm.isf,
            lambda q: stats.norm.isf(q),
            uniform(0.1, 0.9, 2, 3),
        ),
        R(
            stats.norm.isf,
            lambda q, m, s_: stats.norm.isf(q, loc=m, scale=s_),
            uniform(0.1, 0.9, 2, 3),
            normal(3),
            uniform(0.5, 2.0, 2, 1),
            tag="loc-scale",
        ),
        R(
            stats.expon.ppf,
            lambda q: stats.expon.ppf(q),
            uniform(0.1, 0.9, 2, 3),
        ),
        R(
            stats.expon.ppf,
            lambda q, m, s_: stats.expon.ppf(q, loc=m, scale=s_),
            uniform(0.1, 0.9, 2, 3),
            uniform(-0.5, 0.5, 3),
            uniform(0.5, 2.0, 2, 1),
            tag="loc-scale",
        ),
        R(
            stats.expon.isf,
            lambda q: stats.expon.isf(q),
            uniform(0.1, 0.9, 2, 3),
        ),
        R(
            stats.expon.isf,
            lambda q, m, s_: stats.expon.isf(q, loc=m, scale=s_),
            uniform(0.1, 0.9, 2, 3),
            uniform(-0.5, 0.5, 3),
            uniform(0.5, 2.0, 2, 1),
            tag="loc-scale",
        ),
        R(
            stats.laplace.ppf,
            lambda q: stats.laplace.ppf(q),
            uniform(0.1, 0.9, 2, 3),
        ),
        R(
            stats.laplace.ppf,
            lambda q, m, s_: stats.laplace.ppf(q, loc=m, scale=s_),
            uniform(0.1, 0.9, 2, 3),
            uniform(-3.0, -2.5, 3),
            uniform(0.5, 2.0, 2, 1),
            tag="loc-scale",
        ),
        R(
            stats.laplace.isf,
            lambda q: stats.laplace.isf(q),
            uniform(0.1, 0.9, 2, 3),
        ),
        R(
            stats.laplace.isf,
            lambda q, m, s_: stats.laplace.isf(q, loc=m, scale=s_),
            uniform(0.1, 0.9, 2, 3),
            uniform(-3.0, -2.5, 3),
            uniform(0.5, 2.0, 2, 1),
            tag="loc-scale",
        ),
        R(
            stats.logistic.ppf,
            lambda q: stats.logistic.ppf(q),
            uniform(0.1, 0.9, 2, 3),
        ),
        R(
            stats.logistic.ppf,
            lambda q, m, s_: stats.logistic.ppf(q, loc=m, scale=s_),
            uniform(0.1, 0.9, 2, 3),
            normal(3),
            uniform(0.5, 2.0, 2, 1),
            tag="loc-scale",
        ),
        R(
            stats.logistic.isf,
            lambda q: stats.logistic.isf(q),
            uniform(0.1, 0.9, 2, 3),
        ),
        R(
            stats.logistic.isf,
            lambda q, m, s_: stats.logistic.isf(q, loc=m, scale=s_),
            uniform(0.1, 0.9, 2, 3),
            normal(3),
            uniform(0.5, 2.0, 2, 1),
            tag="loc-scale",
        ),
        R(
            stats.cauchy.ppf,
            lambda q: stats.cauchy.ppf(q),
            uniform(0.1, 0.9, 2, 3),
        ),
        R(
            stats.cauchy.ppf,
            lambda q, m, s_: stats.cauchy.ppf(q, loc=m, scale=s_),
            uniform(0.1, 0.9, 2, 3),
            normal(3),
            uniform(0.5, 2.0, 2, 1),
            tag="loc-scale",
        ),
        R(
            stats.cauchy.isf,
            lambda q: stats.cauchy.isf(q),
            uniform(0.1, 0.9, 2, 3),
        ),
        R(
            stats.cauchy.isf,
            lambda q, m, s_: stats.cauchy.isf(q, loc=m, scale=s_),
            uniform(0.1, 0.9, 2, 3),
            normal(3),
            uniform(0.5, 2.0, 2, 1),
            tag="loc-scale",
        ),
        R(
            stats.lognorm.ppf,
            lambda q, s: stats.lognorm.ppf(q, s),
            uniform(0.1, 0.9, 2, 3),
            uniform(0.4, 1.5, 3),
        ),
        R(
            stats.lognorm.ppf,
            lambda q, s, m, s_: stats.lognorm.ppf(q, s, loc=m, scale=s_),
            uniform(0.1, 0.9, 2, 3),
            uniform(0.4, 1.5, 3),
            uniform(-0.5, 0.5, 3),
            uniform(0.5, 2.0, 2, 1),
            tag="loc-scale",
        ),
        R(
            stats.lognorm.isf,
            lambda q, s: stats.lognorm.isf(q, s),
            uniform(0.1, 0.9, 2, 3),
            uniform(0.4, 1.5, 3),
        ),
        R(
            stats.lognorm.isf,
            lambda q, s, m, s_: stats.lognorm.isf(q, s, loc=m, scale=s_),
            uniform(0.1, 0.9, 2, 3),
            uniform(0.4, 1.5, 3),
            uniform(-0.5, 0.5, 3),
            uniform(0.5, 2.0, 2, 1),
            tag="loc-scale",
        ),
        R(
            stats.t.ppf,
            lambda q: stats.t.ppf(q, 3.5),
            uniform(0.1, 0.9, 2, 3),
        ),
        R(
            stats.t.ppf,
            lambda q, m, s_: stats.t.ppf(q, 3.5, loc=m, scale=s_),
            uniform(0.1, 0.9, 2, 3),
            normal(3),
            uniform(0.5, 2.0, 2, 1),
            tag="loc-scale",
        ),
        R(
            stats.t.isf,
            lambda q: stats.t.isf(q, 3.5),
            uniform(0.1, 0.9, 2, 3),
        ),
        R(
            stats.t.isf,
            lambda q, m, s_: stats.t.isf(q, 3.5, loc=m, scale=s_),
            uniform(0.1, 0.9, 2, 3),
            normal(3),
            uniform(0.5, 2.0, 2, 1),
            tag="loc-scale",
        ),
        R(
            stats.gamma.ppf,
            lambda q: stats.gamma.ppf(q, 2.5),
            uniform(0.1, 0.9, 2, 3),
        ),
        R(
            stats.gamma.ppf,
            lambda q, m, s_: stats.gamma.ppf(q, 2.5, loc=m, scale=s_),
            uniform(0.1, 0.9, 2, 3),
            uniform(-0.5, 0.5, 3),
            uniform(0.5, 2.0, 2, 1),
            tag="loc-scale",
        ),
        R(
            stats.gamma.isf,
            lambda q: stats.gamma.isf(q, 2.5),
            uniform(0.1, 0.9, 2, 3),
        ),
        R(
            stats.gamma.isf,
            lambda q, m, s_: stats.gamma.isf(q, 2.5, loc=m, scale=s_),
            uniform(0.1, 0.9, 2, 3),
            uniform(-0.5, 0.5, 3),
            uniform(0.5, 2.0, 2, 1),
            tag="loc-scale",
        ),
        R(
            stats.beta.ppf,
            lambda q: stats.beta.ppf(q, 2.5, 3.0),
            uniform(0.1, 0.9, 2, 3),
        ),
        R(
            stats.beta.ppf,
            lambda q, m, s_: stats.beta.ppf(q, 2.5, 3.0, loc=m, scale=s_),
            uniform(0.1, 0.9, 2, 3),
            uniform(-0.1, 0.1, 3),
            uniform(1.2, 1.5, 2, 1),
            tag="loc-scale",
        ),
        R(
            stats.beta.isf,
            lambda q: stats.beta.isf(q, 2.5, 3.0),
            uniform(0.1, 0.9, 2, 3),
        ),
        R(
            stats.beta.isf,
            lambda q, m, s_: stats.beta.isf(q, 2.5, 3.0, loc=m, scale=s_),
            uniform(0.1, 0.9, 2, 3),
            uniform(-0.1, 0.1, 3),
            uniform(1.2, 1.5, 2, 1),
            tag="loc-scale",
        ),
    ]
