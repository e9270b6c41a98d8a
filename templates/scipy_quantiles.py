"""``scipy.stats`` quantiles: ppf and isf in q, loc, scale and the shapes with a closed form.

Loaded only once scipy is imported (``s2s.registry.OPTIONAL_RULES``); keyed on the bound methods
as in ``scipy_stats``. The inverse function theorem: ``x = ppf(q)`` solves ``cdf(x) = q``, so
``dx/dq = 1 / pdf(x)`` (``isf(q) = ppf(1 - q)``: ``-1 / pdf(x)``), written ``exp(-logpdf(x))``;
``x = loc + scale x0(q)`` gives ``dx/dloc = 1``, ``dx/dscale = (x - loc) / scale``. lognorm's
shape: ``x = loc + scale exp(s Phi^-1(q))``, so ``dx/ds = (x - loc) log((x - loc) / scale) / s``.
The shapes of ``t``, ``gamma`` and ``beta``: ``dx/dshape = -(d cdf / dshape) / pdf`` needs the
derivative of an incomplete beta or gamma function in its shape, which has no closed form in
scipy: refused (``no_derivative``). These methods compute in float64 (``FLOAT64``).
"""

import numpy as np
from scipy import stats

from s2s.registry import FLOAT64, Facts, elementwise

F64 = Facts(dtype=FLOAT64)
INCOMPLETE = "the derivative of an incomplete beta or gamma function in its shape parameter"
DOC = "scipy.stats.{0}: {1}"


@elementwise(
    stats.norm.ppf,
    source=DOC.format(
        "norm", "x = loc + scale ppf0(q): dx/dq = 1 / pdf(x), dx/dscale = (x - loc) / scale"
    ),
    facts=F64,
)
def norm_ppf(result, q, loc=0.0, scale=1.0):
    return (
        np.exp(-stats.norm.logpdf(result, loc, scale)),
        1,
        (result - loc) / scale,
    )


@elementwise(
    stats.norm.isf,
    source=DOC.format(
        "norm", "x = isf(q) = ppf(1 - q): dx/dq = -1 / pdf(x), dx/dscale = (x - loc) / scale"
    ),
    facts=F64,
)
def norm_isf(result, q, loc=0.0, scale=1.0):
    return (
        -np.exp(-stats.norm.logpdf(result, loc, scale)),
        1,
        (result - loc) / scale,
    )


@elementwise(
    stats.expon.ppf,
    source=DOC.format(
        "expon", "x = loc + scale ppf0(q): dx/dq = 1 / pdf(x), dx/dscale = (x - loc) / scale"
    ),
    facts=F64,
)
def expon_ppf(result, q, loc=0.0, scale=1.0):
    return (
        np.exp(-stats.expon.logpdf(result, loc, scale)),
        1,
        (result - loc) / scale,
    )


@elementwise(
    stats.expon.isf,
    source=DOC.format(
        "expon", "x = isf(q) = ppf(1 - q): dx/dq = -1 / pdf(x), dx/dscale = (x - loc) / scale"
    ),
    facts=F64,
)
def expon_isf(result, q, loc=0.0, scale=1.0):
    return (
        -np.exp(-stats.expon.logpdf(result, loc, scale)),
        1,
        (result - loc) / scale,
    )


@elementwise(
    stats.laplace.ppf,
    source=DOC.format(
        "laplace", "x = loc + scale ppf0(q): dx/dq = 1 / pdf(x), dx/dscale = (x - loc) / scale"
    ),
    facts=F64,
)
def laplace_ppf(result, q, loc=0.0, scale=1.0):
    return (
        np.exp(-stats.laplace.logpdf(result, loc, scale)),
        1,
        (result - loc) / scale,
    )


@elementwise(
    stats.laplace.isf,
    source=DOC.format(
        "laplace", "x = isf(q) = ppf(1 - q): dx/dq = -1 / pdf(x), dx/dscale = (x - loc) / scale"
    ),
    facts=F64,
)
def laplace_isf(result, q, loc=0.0, scale=1.0):
    return (
        -np.exp(-stats.laplace.logpdf(result, loc, scale)),
        1,
        (result - loc) / scale,
    )


@elementwise(
    stats.logistic.ppf,
    source=DOC.format(
        "logistic", "x = loc + scale ppf0(q): dx/dq = 1 / pdf(x), dx/dscale = (x - loc) / scale"
    ),
    facts=F64,
)
def logistic_ppf(result, q, loc=0.0, scale=1.0):
    return (
        np.exp(-stats.logistic.logpdf(result, loc, scale)),
        1,
        (result - loc) / scale,
    )


@elementwise(
    stats.logistic.isf,
    source=DOC.format(
        "logistic", "x = isf(q) = ppf(1 - q): dx/dq = -1 / pdf(x), dx/dscale = (x - loc) / scale"
    ),
    facts=F64,
)
def logistic_isf(result, q, loc=0.0, scale=1.0):
    return (
        -np.exp(-stats.logistic.logpdf(result, loc, scale)),
        1,
        (result - loc) / scale,
    )


@elementwise(
    stats.cauchy.ppf,
    source=DOC.format(
        "cauchy", "x = loc + scale ppf0(q): dx/dq = 1 / pdf(x), dx/dscale = (x - loc) / scale"
    ),
    facts=F64,
)
def cauchy_ppf(result, q, loc=0.0, scale=1.0):
    return (
        np.exp(-stats.cauchy.logpdf(result, loc, scale)),
        1,
        (result - loc) / scale,
    )


@elementwise(
    stats.cauchy.isf,
    source=DOC.format(
        "cauchy", "x = isf(q) = ppf(1 - q): dx/dq = -1 / pdf(x), dx/dscale = (x - loc) / scale"
    ),
    facts=F64,
)
def cauchy_isf(result, q, loc=0.0, scale=1.0):
    return (
        -np.exp(-stats.cauchy.logpdf(result, loc, scale)),
        1,
        (result - loc) / scale,
    )


@elementwise(
    stats.lognorm.ppf,
    source=DOC.format(
        "lognorm", "x = loc + scale ppf0(q): dx/dq = 1 / pdf(x), dx/dscale = (x - loc) / scale"
    ),
    facts=F64,
)
def lognorm_ppf(result, q, s, loc=0.0, scale=1.0):
    return (
        np.exp(-stats.lognorm.logpdf(result, s, loc, scale)),
        (result - loc) * np.log((result - loc) / scale) / s,
        1,
        (result - loc) / scale,
    )


@elementwise(
    stats.lognorm.isf,
    source=DOC.format(
        "lognorm", "x = isf(q) = ppf(1 - q): dx/dq = -1 / pdf(x), dx/dscale = (x - loc) / scale"
    ),
    facts=F64,
)
def lognorm_isf(result, q, s, loc=0.0, scale=1.0):
    return (
        -np.exp(-stats.lognorm.logpdf(result, s, loc, scale)),
        (result - loc) * np.log((result - loc) / scale) / s,
        1,
        (result - loc) / scale,
    )


@elementwise(
    stats.t.ppf,
    source=DOC.format(
        "t", "x = loc + scale ppf0(q): dx/dq = 1 / pdf(x), dx/dscale = (x - loc) / scale"
    ),
    facts=F64,
    no_derivative={"df": INCOMPLETE},
)
def t_ppf(result, q, df, loc=0.0, scale=1.0):
    return (
        np.exp(-stats.t.logpdf(result, df, loc, scale)),
        1,
        (result - loc) / scale,
    )


@elementwise(
    stats.t.isf,
    source=DOC.format(
        "t", "x = isf(q) = ppf(1 - q): dx/dq = -1 / pdf(x), dx/dscale = (x - loc) / scale"
    ),
    facts=F64,
    no_derivative={"df": INCOMPLETE},
)
def t_isf(result, q, df, loc=0.0, scale=1.0):
    return (
        -np.exp(-stats.t.logpdf(result, df, loc, scale)),
        1,
        (result - loc) / scale,
    )


@elementwise(
    stats.gamma.ppf,
    source=DOC.format(
        "gamma", "x = loc + scale ppf0(q): dx/dq = 1 / pdf(x), dx/dscale = (x - loc) / scale"
    ),
    facts=F64,
    no_derivative={"a": INCOMPLETE},
)
def gamma_ppf(result, q, a, loc=0.0, scale=1.0):
    return (
        np.exp(-stats.gamma.logpdf(result, a, loc, scale)),
        1,
        (result - loc) / scale,
    )


@elementwise(
    stats.gamma.isf,
    source=DOC.format(
        "gamma", "x = isf(q) = ppf(1 - q): dx/dq = -1 / pdf(x), dx/dscale = (x - loc) / scale"
    ),
    facts=F64,
    no_derivative={"a": INCOMPLETE},
)
def gamma_isf(result, q, a, loc=0.0, scale=1.0):
    return (
        -np.exp(-stats.gamma.logpdf(result, a, loc, scale)),
        1,
        (result - loc) / scale,
    )


@elementwise(
    stats.beta.ppf,
    source=DOC.format(
        "beta", "x = loc + scale ppf0(q): dx/dq = 1 / pdf(x), dx/dscale = (x - loc) / scale"
    ),
    facts=F64,
    no_derivative={"a": INCOMPLETE, "b": INCOMPLETE},
)
def beta_ppf(result, q, a, b, loc=0.0, scale=1.0):
    return (
        np.exp(-stats.beta.logpdf(result, a, b, loc, scale)),
        1,
        (result - loc) / scale,
    )


@elementwise(
    stats.beta.isf,
    source=DOC.format(
        "beta", "x = isf(q) = ppf(1 - q): dx/dq = -1 / pdf(x), dx/dscale = (x - loc) / scale"
    ),
    facts=F64,
    no_derivative={"a": INCOMPLETE, "b": INCOMPLETE},
)
def beta_isf(result, q, a, b, loc=0.0, scale=1.0):
    return (
        -np.exp(-stats.beta.logpdf(result, a, b, loc, scale)),
        1,
        (result - loc) / scale,
    )
