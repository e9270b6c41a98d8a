"""``scipy.stats`` survival functions: sf and logsf in x, loc, scale and the shapes with a
closed form; and the logistic distribution's logpdf, pdf, cdf and logcdf.

Loaded only once scipy is imported (``s2s.registry.OPTIONAL_RULES``); keyed on the bound
methods as in ``scipy_stats`` (whose location-scale calculus these follow). ``sf = 1 - cdf``, so
``d sf = -pdf dx + pdf dloc + z pdf dscale`` with ``z = (x - loc) / scale``, and ``logsf`` divides
by the value (the ratio ``exp(logpdf - logsf)``, finite far in the tail). lognorm's shape:
``cdf = Phi(w)``, ``w = log(z) / s``, so ``d sf / ds = phi(w) w / s``, written ``pdf(x)
xlogy(x - loc, z) / s`` (``pdf = phi(w) / (s z scale)``). The shapes of ``t``,
``gamma`` and ``beta`` enter incomplete beta and gamma functions, without a closed-form derivative
in scipy: refused (``no_derivative``). Logistic (scipy.stats.logistic "Notes"): ``f0(z) = e^-z /
(1 + e^-z)^2``, ``d log f0 / dz = -tanh(z / 2)``, ``cdf = expit(z)``. 0.3989422804014327 =
1/sqrt(2 pi). These methods compute in float64 (``FLOAT64``).
"""

import numpy as np
from scipy import special, stats

from s2s.registry import FLOAT64, Facts, elementwise

F64 = Facts(dtype=FLOAT64)
INCOMPLETE = "the derivative of an incomplete beta or gamma function in its shape parameter"
DOC = "scipy.stats.{0}: {1}"


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
    stats.norm.sf,
    source=DOC.format("norm", "d sf = -d cdf: -pdf dx + pdf dloc + z pdf dscale"),
    facts=F64,
)
def norm_sf(result, x, loc=0.0, scale=1.0):
    return (
        -stats.norm.pdf(x, loc, scale),
        stats.norm.pdf(x, loc, scale),
        stats.norm.pdf(x, loc, scale) * ((x - loc) / scale),
    )


@elementwise(
    stats.norm.logsf,
    source=DOC.format("norm", "d log sf = d sf / sf, the ratio as exp(logpdf - logsf)"),
    facts=F64,
)
def norm_logsf(result, x, loc=0.0, scale=1.0):
    return (
        -np.exp(stats.norm.logpdf(x, loc, scale) - result),
        np.exp(stats.norm.logpdf(x, loc, scale) - result),
        np.exp(stats.norm.logpdf(x, loc, scale) - result) * ((x - loc) / scale),
    )


@elementwise(
    stats.expon.sf,
    source=DOC.format("expon", "d sf = -d cdf: -pdf dx + pdf dloc + z pdf dscale"),
    facts=F64,
)
def expon_sf(result, x, loc=0.0, scale=1.0):
    return (
        -stats.expon.pdf(x, loc, scale),
        stats.expon.pdf(x, loc, scale),
        stats.expon.pdf(x, loc, scale) * ((x - loc) / scale),
    )


@elementwise(
    stats.expon.logsf,
    source=DOC.format("expon", "d log sf = d sf / sf, the ratio as exp(logpdf - logsf)"),
    facts=F64,
)
def expon_logsf(result, x, loc=0.0, scale=1.0):
    return (
        -np.exp(stats.expon.logpdf(x, loc, scale) - result),
        np.exp(stats.expon.logpdf(x, loc, scale) - result),
        np.exp(stats.expon.logpdf(x, loc, scale) - result) * ((x - loc) / scale),
    )


@elementwise(
    stats.laplace.sf,
    source=DOC.format("laplace", "d sf = -d cdf: -pdf dx + pdf dloc + z pdf dscale"),
    facts=F64,
)
def laplace_sf(result, x, loc=0.0, scale=1.0):
    return (
        -stats.laplace.pdf(x, loc, scale),
        stats.laplace.pdf(x, loc, scale),
        stats.laplace.pdf(x, loc, scale) * ((x - loc) / scale),
    )


@elementwise(
    stats.laplace.logsf,
    source=DOC.format("laplace", "d log sf = d sf / sf, the ratio as exp(logpdf - logsf)"),
    facts=F64,
)
def laplace_logsf(result, x, loc=0.0, scale=1.0):
    return (
        -np.exp(stats.laplace.logpdf(x, loc, scale) - result),
        np.exp(stats.laplace.logpdf(x, loc, scale) - result),
        np.exp(stats.laplace.logpdf(x, loc, scale) - result) * ((x - loc) / scale),
    )


@elementwise(
    stats.logistic.sf,
    source=DOC.format("logistic", "d sf = -d cdf: -pdf dx + pdf dloc + z pdf dscale"),
    facts=F64,
)
def logistic_sf(result, x, loc=0.0, scale=1.0):
    return (
        -stats.logistic.pdf(x, loc, scale),
        stats.logistic.pdf(x, loc, scale),
        stats.logistic.pdf(x, loc, scale) * ((x - loc) / scale),
    )


@elementwise(
    stats.logistic.logsf,
    source=DOC.format("logistic", "d log sf = d sf / sf, the ratio as exp(logpdf - logsf)"),
    facts=F64,
)
def logistic_logsf(result, x, loc=0.0, scale=1.0):
    return (
        -np.exp(stats.logistic.logpdf(x, loc, scale) - result),
        np.exp(stats.logistic.logpdf(x, loc, scale) - result),
        np.exp(stats.logistic.logpdf(x, loc, scale) - result) * ((x - loc) / scale),
    )


@elementwise(
    stats.cauchy.sf,
    source=DOC.format("cauchy", "d sf = -d cdf: -pdf dx + pdf dloc + z pdf dscale"),
    facts=F64,
)
def cauchy_sf(result, x, loc=0.0, scale=1.0):
    return (
        -stats.cauchy.pdf(x, loc, scale),
        stats.cauchy.pdf(x, loc, scale),
        stats.cauchy.pdf(x, loc, scale) * ((x - loc) / scale),
    )


@elementwise(
    stats.cauchy.logsf,
    source=DOC.format("cauchy", "d log sf = d sf / sf, the ratio as exp(logpdf - logsf)"),
    facts=F64,
)
def cauchy_logsf(result, x, loc=0.0, scale=1.0):
    return (
        -np.exp(stats.cauchy.logpdf(x, loc, scale) - result),
        np.exp(stats.cauchy.logpdf(x, loc, scale) - result),
        np.exp(stats.cauchy.logpdf(x, loc, scale) - result) * ((x - loc) / scale),
    )


@elementwise(
    stats.lognorm.sf,
    source=DOC.format("lognorm", "d sf = -d cdf: -pdf dx + pdf dloc + z pdf dscale"),
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
    source=DOC.format("lognorm", "d log sf = d sf / sf, the ratio as exp(logpdf - logsf)"),
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
    stats.t.sf,
    source=DOC.format("t", "d sf = -d cdf: -pdf dx + pdf dloc + z pdf dscale"),
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
    source=DOC.format("t", "d log sf = d sf / sf, the ratio as exp(logpdf - logsf)"),
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
    stats.gamma.sf,
    source=DOC.format("gamma", "d sf = -d cdf: -pdf dx + pdf dloc + z pdf dscale"),
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
    source=DOC.format("gamma", "d log sf = d sf / sf, the ratio as exp(logpdf - logsf)"),
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
    stats.beta.sf,
    source=DOC.format("beta", "d sf = -d cdf: -pdf dx + pdf dloc + z pdf dscale"),
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
    source=DOC.format("beta", "d log sf = d sf / sf, the ratio as exp(logpdf - logsf)"),
    facts=F64,
    no_derivative={"a": INCOMPLETE, "b": INCOMPLETE},
)
def beta_logsf(result, x, a, b, loc=0.0, scale=1.0):
    return (
        -np.exp(stats.beta.logpdf(x, a, b, loc, scale) - result),
        np.exp(stats.beta.logpdf(x, a, b, loc, scale) - result),
        np.exp(stats.beta.logpdf(x, a, b, loc, scale) - result) * ((x - loc) / scale),
    )
