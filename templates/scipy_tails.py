"""``scipy.stats`` tails and quantiles: sf, logsf, ppf and isf in their first argument, loc,
scale and the shapes with a closed form; and the logistic distribution's logpdf, pdf, cdf and
logcdf.

Loaded only once scipy is imported (``s2s.registry.OPTIONAL_RULES``); keyed on the bound
methods as in ``scipy_stats`` (whose location-scale calculus these follow).

Tails: ``sf = 1 - cdf``, so ``d sf = -pdf dx + pdf dloc + z pdf dscale`` with ``z = (x - loc) /
scale``, and ``logsf`` divides by the value (the ratio ``exp(logpdf - logsf)``, finite far in
the tail). Quantiles, by the inverse function theorem: ``x = ppf(q)`` solves ``cdf(x) = q``, so
``dx/dq = 1 / pdf(x)`` (``isf(q) = ppf(1 - q)``: ``-1 / pdf(x)``), written ``exp(-logpdf(x))``;
``x = loc + scale x0(q)`` gives ``dx/dloc = 1``, ``dx/dscale = (x - loc) / scale``.

The location-scale distributions without a shape (``LOCATION_SCALE``) share one template per
method, instantiated for each (``registry.instance``: ``dist`` is the distribution): adding one
is a name in that tuple and its rows. lognorm's shape: ``cdf = Phi(w)``, ``w = log(z) / s``, so
``d sf / ds = phi(w) w / s``, written ``pdf(x) xlogy(x - loc, z) / s`` (``pdf = phi(w) / (s z
scale)``), and ``x = loc + scale exp(s Phi^-1(q))`` gives ``dx/ds = (x - loc) log((x - loc) /
scale) / s``. The shapes of ``t``, ``gamma`` and ``beta`` enter incomplete beta and gamma
functions, without a closed-form derivative in scipy: refused (``no_derivative``). Logistic
(scipy.stats.logistic "Notes"): ``f0(z) = e^-z / (1 + e^-z)^2``, ``d log f0 / dz = -tanh(z /
2)``, ``cdf = expit(z)``. These methods compute in float64 (``FLOAT64``).
"""

import numpy as np
from scipy import special, stats

from s2s.registry import FLOAT64, Facts, elementwise, instance

F64 = Facts(dtype=FLOAT64)
INCOMPLETE = "the derivative of an incomplete beta or gamma function in its shape parameter"
DOC = "scipy.stats.{0}: {1}"
SF = "d sf = -d cdf: -pdf dx + pdf dloc + z pdf dscale"
LOGSF = "d log sf = d sf / sf, the ratio as exp(logpdf - logsf)"
PPF = "x = loc + scale ppf0(q): dx/dq = 1 / pdf(x), dx/dscale = (x - loc) / scale"
ISF = "x = isf(q) = ppf(1 - q): dx/dq = -1 / pdf(x), dx/dscale = (x - loc) / scale"

LOCATION_SCALE = ("norm", "expon", "laplace", "logistic", "cauchy")  # no shape parameter
dist = None  # in each instance, the distribution (registry.instance binds it)


def sf(result, x, loc=0.0, scale=1.0):
    return (
        -dist.pdf(x, loc, scale),
        dist.pdf(x, loc, scale),
        dist.pdf(x, loc, scale) * ((x - loc) / scale),
    )


def logsf(result, x, loc=0.0, scale=1.0):
    return (
        -np.exp(dist.logpdf(x, loc, scale) - result),
        np.exp(dist.logpdf(x, loc, scale) - result),
        np.exp(dist.logpdf(x, loc, scale) - result) * ((x - loc) / scale),
    )


def ppf(result, q, loc=0.0, scale=1.0):
    return (
        np.exp(-dist.logpdf(result, loc, scale)),
        1,
        (result - loc) / scale,
    )


def isf(result, q, loc=0.0, scale=1.0):
    return (
        -np.exp(-dist.logpdf(result, loc, scale)),
        1,
        (result - loc) / scale,
    )


for _name in LOCATION_SCALE:
    for _template, _formula in ((sf, SF), (logsf, LOGSF), (ppf, PPF), (isf, ISF)):
        _method = getattr(getattr(stats, _name), _template.__name__)
        elementwise(_method, source=DOC.format(_name, _formula), facts=F64)(
            instance(_template, f"{_name}_{_template.__name__}", dist=f"scipy.stats.{_name}")
        )


@elementwise(
    stats.logistic.logpdf,
    source=DOC.format("logistic", "log f0 = -z - 2 log(1 + e^-z), d log f0 / dz = -tanh(z/2)"),
    facts=F64,
)
def logistic_logpdf(result, x, loc=0.0, scale=1.0):
    return (
        -np.tanh(((x - loc) / scale) / 2) / scale,
        np.tanh(((x - loc) / scale) / 2) / scale,
        (((x - loc) / scale) * np.tanh(((x - loc) / scale) / 2) - 1) / scale,
    )


@elementwise(
    stats.logistic.pdf,
    source=DOC.format("logistic", "pdf = exp(logpdf): d pdf = pdf d logpdf"),
    facts=F64,
)
def logistic_pdf(result, x, loc=0.0, scale=1.0):
    return (
        result * (-np.tanh(((x - loc) / scale) / 2) / scale),
        result * (np.tanh(((x - loc) / scale) / 2) / scale),
        result * ((((x - loc) / scale) * np.tanh(((x - loc) / scale) / 2) - 1) / scale),
    )


@elementwise(
    stats.logistic.cdf,
    source=DOC.format("logistic", "cdf = expit(z): d cdf = pdf dx - pdf dloc - z pdf dscale"),
    facts=F64,
)
def logistic_cdf(result, x, loc=0.0, scale=1.0):
    return (
        stats.logistic.pdf(x, loc, scale),
        -stats.logistic.pdf(x, loc, scale),
        -stats.logistic.pdf(x, loc, scale) * ((x - loc) / scale),
    )


@elementwise(
    stats.logistic.logcdf,
    source=DOC.format("logistic", "log cdf = log expit(z): d log cdf / dz = expit(-z)"),
    facts=F64,
)
def logistic_logcdf(result, x, loc=0.0, scale=1.0):
    return (
        special.expit(-((x - loc) / scale)) / scale,
        -special.expit(-((x - loc) / scale)) / scale,
        -special.expit(-((x - loc) / scale)) * ((x - loc) / scale) / scale,
    )


@elementwise(
    stats.lognorm.sf,
    source=DOC.format("lognorm", SF),
    facts=F64,
)
def lognorm_sf(result, x, s, loc=0.0, scale=1.0):
    return (
        -stats.lognorm.pdf(x, s, loc, scale),
        stats.lognorm.pdf(x, s, loc, scale) * special.xlogy(x - loc, (x - loc) / scale) / s,
        stats.lognorm.pdf(x, s, loc, scale),
        stats.lognorm.pdf(x, s, loc, scale) * ((x - loc) / scale),
    )


@elementwise(
    stats.lognorm.logsf,
    source=DOC.format("lognorm", LOGSF),
    facts=F64,
)
def lognorm_logsf(result, x, s, loc=0.0, scale=1.0):
    return (
        -np.exp(stats.lognorm.logpdf(x, s, loc, scale) - result),
        np.exp(stats.lognorm.logpdf(x, s, loc, scale) - result)
        * special.xlogy(x - loc, (x - loc) / scale)
        / s,
        np.exp(stats.lognorm.logpdf(x, s, loc, scale) - result),
        np.exp(stats.lognorm.logpdf(x, s, loc, scale) - result) * ((x - loc) / scale),
    )


@elementwise(
    stats.lognorm.ppf,
    source=DOC.format("lognorm", PPF),
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
    source=DOC.format("lognorm", ISF),
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
    stats.t.sf,
    source=DOC.format("t", SF),
    facts=F64,
    no_derivative={"df": INCOMPLETE},
)
def t_sf(result, x, df, loc=0.0, scale=1.0):
    return (
        -stats.t.pdf(x, df, loc, scale),
        stats.t.pdf(x, df, loc, scale),
        stats.t.pdf(x, df, loc, scale) * ((x - loc) / scale),
    )


@elementwise(
    stats.t.logsf,
    source=DOC.format("t", LOGSF),
    facts=F64,
    no_derivative={"df": INCOMPLETE},
)
def t_logsf(result, x, df, loc=0.0, scale=1.0):
    return (
        -np.exp(stats.t.logpdf(x, df, loc, scale) - result),
        np.exp(stats.t.logpdf(x, df, loc, scale) - result),
        np.exp(stats.t.logpdf(x, df, loc, scale) - result) * ((x - loc) / scale),
    )


@elementwise(
    stats.t.ppf,
    source=DOC.format("t", PPF),
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
    source=DOC.format("t", ISF),
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
    stats.gamma.sf,
    source=DOC.format("gamma", SF),
    facts=F64,
    no_derivative={"a": INCOMPLETE},
)
def gamma_sf(result, x, a, loc=0.0, scale=1.0):
    return (
        -stats.gamma.pdf(x, a, loc, scale),
        stats.gamma.pdf(x, a, loc, scale),
        stats.gamma.pdf(x, a, loc, scale) * ((x - loc) / scale),
    )


@elementwise(
    stats.gamma.logsf,
    source=DOC.format("gamma", LOGSF),
    facts=F64,
    no_derivative={"a": INCOMPLETE},
)
def gamma_logsf(result, x, a, loc=0.0, scale=1.0):
    return (
        -np.exp(stats.gamma.logpdf(x, a, loc, scale) - result),
        np.exp(stats.gamma.logpdf(x, a, loc, scale) - result),
        np.exp(stats.gamma.logpdf(x, a, loc, scale) - result) * ((x - loc) / scale),
    )


@elementwise(
    stats.gamma.ppf,
    source=DOC.format("gamma", PPF),
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
    source=DOC.format("gamma", ISF),
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
    stats.beta.sf,
    source=DOC.format("beta", SF),
    facts=F64,
    no_derivative={"a": INCOMPLETE, "b": INCOMPLETE},
)
def beta_sf(result, x, a, b, loc=0.0, scale=1.0):
    return (
        -stats.beta.pdf(x, a, b, loc, scale),
        stats.beta.pdf(x, a, b, loc, scale),
        stats.beta.pdf(x, a, b, loc, scale) * ((x - loc) / scale),
    )


@elementwise(
    stats.beta.logsf,
    source=DOC.format("beta", LOGSF),
    facts=F64,
    no_derivative={"a": INCOMPLETE, "b": INCOMPLETE},
)
def beta_logsf(result, x, a, b, loc=0.0, scale=1.0):
    return (
        -np.exp(stats.beta.logpdf(x, a, b, loc, scale) - result),
        np.exp(stats.beta.logpdf(x, a, b, loc, scale) - result),
        np.exp(stats.beta.logpdf(x, a, b, loc, scale) - result) * ((x - loc) / scale),
    )


@elementwise(
    stats.beta.ppf,
    source=DOC.format("beta", PPF),
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
    source=DOC.format("beta", ISF),
    facts=F64,
    no_derivative={"a": INCOMPLETE, "b": INCOMPLETE},
)
def beta_isf(result, q, a, b, loc=0.0, scale=1.0):
    return (
        -np.exp(-stats.beta.logpdf(result, a, b, loc, scale)),
        1,
        (result - loc) / scale,
    )
