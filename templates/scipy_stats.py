"""``scipy.stats`` distributions: logpdf, pdf, logcdf and cdf in x, loc, scale and shapes.

Loaded only once scipy is imported (``s2s.registry.OPTIONAL_RULES``). Each rule is keyed on
the method bound to scipy's distribution object (``scipy.stats.norm.logpdf``), so calls as
``scipy.stats.norm.logpdf(x, loc, scale)``, ``norm.logpdf(x, loc=m, scale=s)`` or
``from scipy.stats import norm`` all find it. These methods compute in float64 whatever their
inputs (``FLOAT64``); the gradients keep each input's dtype.

Location-scale calculus (scipy.stats' definition ``f(x; loc, scale) = f0(z) / scale`` with
``z = (x - loc) / scale``): with ``g = d log f0 / dz``, ``d logpdf = g/scale dx - g/scale dloc
- (1 + z g)/scale dscale``; ``d cdf = pdf dx - pdf dloc - z pdf dscale``; the log forms divide
by the value. The distributions without a shape (``LOCATION_SCALE``) share one cdf and one
logcdf template, instantiated for each (``registry.instance``: ``dist`` is the distribution). The
standardized densities and their shape derivatives are those of scipy.stats' reference (each
distribution's "Notes"), with digamma (DLMF 5.2.2) for log-gamma terms. The CDFs of ``t``,
``gamma`` and ``beta`` are regularized incomplete beta and gamma functions, whose derivatives in
their shape parameters have no closed form in scipy: those parameters are refused
(``no_derivative``) in ``cdf`` and ``logcdf``. 0.3989422804014327 = 1/sqrt(2 pi).
"""

import numpy as np
from scipy import special, stats

from s2s.registry import FLOAT64, Facts, elementwise, instance

F64 = Facts(dtype=FLOAT64)
INCOMPLETE = "the derivative of an incomplete beta or gamma function in its shape parameter"
DOC = "scipy.stats.{0}: {1}"
PDF = "pdf = exp(logpdf): d pdf = pdf d logpdf"
CDF = "d cdf = pdf dx - pdf dloc - z pdf dscale"
LOGCDF = "d log cdf = d cdf / cdf, the ratio as exp(logpdf - logcdf)"

LOCATION_SCALE = ("norm", "expon", "laplace", "cauchy")  # no shape parameter: cdf, logcdf below
dist = None  # in each instance, the distribution (registry.instance binds it)


def cdf(result, x, loc=0.0, scale=1.0):
    return (
        dist.pdf(x, loc, scale),
        -dist.pdf(x, loc, scale),
        -dist.pdf(x, loc, scale) * ((x - loc) / scale),
    )


def logcdf(result, x, loc=0.0, scale=1.0):
    return (
        np.exp(dist.logpdf(x, loc, scale) - result),
        -np.exp(dist.logpdf(x, loc, scale) - result),
        -np.exp(dist.logpdf(x, loc, scale) - result) * ((x - loc) / scale),
    )


for _name in LOCATION_SCALE:
    for _template, _formula in ((cdf, CDF), (logcdf, LOGCDF)):
        _method = getattr(getattr(stats, _name), _template.__name__)
        elementwise(_method, source=DOC.format(_name, _formula), facts=F64)(
            instance(_template, f"{_name}_{_template.__name__}", dist=f"scipy.stats.{_name}")
        )


@elementwise(
    stats.norm.logpdf,
    source=DOC.format("norm", "log f0 = -z^2/2 - log sqrt(2 pi)"),
    facts=F64,
)
def norm_logpdf(result, x, loc=0.0, scale=1.0):
    return (
        -((x - loc) / scale) / scale,
        ((x - loc) / scale) / scale,
        (((x - loc) / scale) * ((x - loc) / scale) - 1) / scale,
    )


@elementwise(
    stats.norm.pdf,
    source=DOC.format("norm", PDF),
    facts=F64,
)
def norm_pdf(result, x, loc=0.0, scale=1.0):
    return (
        result * (-((x - loc) / scale) / scale),
        result * (((x - loc) / scale) / scale),
        result * ((((x - loc) / scale) * ((x - loc) / scale) - 1) / scale),
    )


@elementwise(
    stats.expon.logpdf,
    source=DOC.format("expon", "log f0 = -z on z >= 0"),
    facts=F64,
)
def expon_logpdf(result, x, loc=0.0, scale=1.0):
    return (
        -(1.0) / scale,
        (1.0) / scale,
        (((x - loc) / scale) * (1.0) - 1) / scale,
    )


@elementwise(
    stats.expon.pdf,
    source=DOC.format("expon", PDF),
    facts=F64,
)
def expon_pdf(result, x, loc=0.0, scale=1.0):
    return (
        result * (-(1.0) / scale),
        result * ((1.0) / scale),
        result * ((((x - loc) / scale) * (1.0) - 1) / scale),
    )


@elementwise(
    stats.laplace.logpdf,
    source=DOC.format("laplace", "log f0 = -|z| - log 2"),
    facts=F64,
)
def laplace_logpdf(result, x, loc=0.0, scale=1.0):
    return (
        -(np.sign((x - loc) / scale)) / scale,
        (np.sign((x - loc) / scale)) / scale,
        (((x - loc) / scale) * (np.sign((x - loc) / scale)) - 1) / scale,
    )


@elementwise(
    stats.laplace.pdf,
    source=DOC.format("laplace", PDF),
    facts=F64,
)
def laplace_pdf(result, x, loc=0.0, scale=1.0):
    return (
        result * (-(np.sign((x - loc) / scale)) / scale),
        result * ((np.sign(((x - loc) / scale))) / scale),
        result * ((((x - loc) / scale) * (np.sign(((x - loc) / scale))) - 1) / scale),
    )


@elementwise(
    stats.cauchy.logpdf,
    source=DOC.format("cauchy", "log f0 = -log(pi (1 + z^2))"),
    facts=F64,
)
def cauchy_logpdf(result, x, loc=0.0, scale=1.0):
    return (
        -(2 * ((x - loc) / scale) / (1 + ((x - loc) / scale) * ((x - loc) / scale))) / scale,
        (2 * ((x - loc) / scale) / (1 + ((x - loc) / scale) * ((x - loc) / scale))) / scale,
        (
            ((x - loc) / scale)
            * (2 * ((x - loc) / scale) / (1 + ((x - loc) / scale) * ((x - loc) / scale)))
            - 1
        )
        / scale,
    )


@elementwise(
    stats.cauchy.pdf,
    source=DOC.format("cauchy", PDF),
    facts=F64,
)
def cauchy_pdf(result, x, loc=0.0, scale=1.0):
    return (
        result
        * (-(2 * ((x - loc) / scale) / (1 + ((x - loc) / scale) * ((x - loc) / scale))) / scale),
        result
        * ((2 * ((x - loc) / scale) / (1 + ((x - loc) / scale) * ((x - loc) / scale))) / scale),
        result
        * (
            (
                ((x - loc) / scale)
                * (2 * ((x - loc) / scale) / (1 + ((x - loc) / scale) * ((x - loc) / scale)))
                - 1
            )
            / scale
        ),
    )


@elementwise(
    stats.t.logpdf,
    source=DOC.format(
        "t",
        "log f0 = log Gamma((df+1)/2) - log Gamma(df/2) - log(pi df)/2 - (df+1)/2 log1p(z^2/df)",
    ),
    facts=F64,
)
def t_logpdf(result, x, df, loc=0.0, scale=1.0):
    return (
        -((df + 1) * ((x - loc) / scale) / (df + ((x - loc) / scale) * ((x - loc) / scale)))
        / scale,
        0.5
        * (
            special.digamma(0.5 * (df + 1))
            - special.digamma(0.5 * df)
            - 1 / df
            - np.log1p(((x - loc) / scale) * ((x - loc) / scale) / df)
            + (df + 1)
            * ((x - loc) / scale)
            * ((x - loc) / scale)
            / (df * (df + ((x - loc) / scale) * ((x - loc) / scale)))
        ),
        ((df + 1) * ((x - loc) / scale) / (df + ((x - loc) / scale) * ((x - loc) / scale))) / scale,
        (
            ((x - loc) / scale)
            * ((df + 1) * ((x - loc) / scale) / (df + ((x - loc) / scale) * ((x - loc) / scale)))
            - 1
        )
        / scale,
    )


@elementwise(
    stats.t.pdf,
    source=DOC.format("t", PDF),
    facts=F64,
)
def t_pdf(result, x, df, loc=0.0, scale=1.0):
    return (
        result
        * (
            -((df + 1) * ((x - loc) / scale) / (df + ((x - loc) / scale) * ((x - loc) / scale)))
            / scale
        ),
        result
        * (
            0.5
            * (
                special.digamma(0.5 * (df + 1))
                - special.digamma(0.5 * df)
                - 1 / df
                - np.log1p(((x - loc) / scale) * ((x - loc) / scale) / df)
                + (df + 1)
                * ((x - loc) / scale)
                * ((x - loc) / scale)
                / (df * (df + ((x - loc) / scale) * ((x - loc) / scale)))
            )
        ),
        result
        * (
            ((df + 1) * ((x - loc) / scale) / (df + ((x - loc) / scale) * ((x - loc) / scale)))
            / scale
        ),
        result
        * (
            (
                ((x - loc) / scale)
                * (
                    (df + 1)
                    * ((x - loc) / scale)
                    / (df + ((x - loc) / scale) * ((x - loc) / scale))
                )
                - 1
            )
            / scale
        ),
    )


@elementwise(
    stats.t.cdf,
    source=DOC.format("t", CDF),
    facts=F64,
    no_derivative={"df": INCOMPLETE},
)
def t_cdf(result, x, df, loc=0.0, scale=1.0):
    return (
        stats.t.pdf(x, df, loc, scale),
        -stats.t.pdf(x, df, loc, scale),
        -stats.t.pdf(x, df, loc, scale) * ((x - loc) / scale),
    )


@elementwise(
    stats.t.logcdf,
    source=DOC.format("t", LOGCDF),
    facts=F64,
    no_derivative={"df": INCOMPLETE},
)
def t_logcdf(result, x, df, loc=0.0, scale=1.0):
    return (
        np.exp(stats.t.logpdf(x, df, loc, scale) - result),
        -np.exp(stats.t.logpdf(x, df, loc, scale) - result),
        -np.exp(stats.t.logpdf(x, df, loc, scale) - result) * ((x - loc) / scale),
    )


@elementwise(
    stats.gamma.logpdf,
    source=DOC.format("gamma", "log f0 = (a-1) log z - z - log Gamma(a)"),
    facts=F64,
)
def gamma_logpdf(result, x, a, loc=0.0, scale=1.0):
    return (
        -(1 - (a - 1) / ((x - loc) / scale)) / scale,
        np.log((x - loc) / scale) - special.digamma(a),
        (1 - (a - 1) / ((x - loc) / scale)) / scale,
        (((x - loc) / scale) * (1 - (a - 1) / ((x - loc) / scale)) - 1) / scale,
    )


@elementwise(
    stats.gamma.pdf,
    source=DOC.format("gamma", PDF),
    facts=F64,
)
def gamma_pdf(result, x, a, loc=0.0, scale=1.0):
    return (
        result * (-(1 - (a - 1) / ((x - loc) / scale)) / scale),
        result * (np.log((x - loc) / scale) - special.digamma(a)),
        result * ((1 - (a - 1) / ((x - loc) / scale)) / scale),
        result * ((((x - loc) / scale) * (1 - (a - 1) / ((x - loc) / scale)) - 1) / scale),
    )


@elementwise(
    stats.gamma.cdf,
    source=DOC.format("gamma", CDF),
    facts=F64,
    no_derivative={"a": INCOMPLETE},
)
def gamma_cdf(result, x, a, loc=0.0, scale=1.0):
    return (
        stats.gamma.pdf(x, a, loc, scale),
        -stats.gamma.pdf(x, a, loc, scale),
        -stats.gamma.pdf(x, a, loc, scale) * ((x - loc) / scale),
    )


@elementwise(
    stats.gamma.logcdf,
    source=DOC.format("gamma", LOGCDF),
    facts=F64,
    no_derivative={"a": INCOMPLETE},
)
def gamma_logcdf(result, x, a, loc=0.0, scale=1.0):
    return (
        np.exp(stats.gamma.logpdf(x, a, loc, scale) - result),
        -np.exp(stats.gamma.logpdf(x, a, loc, scale) - result),
        -np.exp(stats.gamma.logpdf(x, a, loc, scale) - result) * ((x - loc) / scale),
    )


@elementwise(
    stats.beta.logpdf,
    source=DOC.format("beta", "log f0 = (a-1) log z + (b-1) log(1-z) - log B(a, b)"),
    facts=F64,
)
def beta_logpdf(result, x, a, b, loc=0.0, scale=1.0):
    return (
        -((b - 1) / (1 - ((x - loc) / scale)) - (a - 1) / ((x - loc) / scale)) / scale,
        np.log((x - loc) / scale) - special.digamma(a) + special.digamma(a + b),
        np.log1p(-((x - loc) / scale)) - special.digamma(b) + special.digamma(a + b),
        ((b - 1) / (1 - ((x - loc) / scale)) - (a - 1) / ((x - loc) / scale)) / scale,
        (
            ((x - loc) / scale)
            * ((b - 1) / (1 - ((x - loc) / scale)) - (a - 1) / ((x - loc) / scale))
            - 1
        )
        / scale,
    )


@elementwise(
    stats.beta.pdf,
    source=DOC.format("beta", PDF),
    facts=F64,
)
def beta_pdf(result, x, a, b, loc=0.0, scale=1.0):
    return (
        result * (-((b - 1) / (1 - ((x - loc) / scale)) - (a - 1) / ((x - loc) / scale)) / scale),
        result * (np.log((x - loc) / scale) - special.digamma(a) + special.digamma(a + b)),
        result * (np.log1p(-((x - loc) / scale)) - special.digamma(b) + special.digamma(a + b)),
        result * (((b - 1) / (1 - ((x - loc) / scale)) - (a - 1) / ((x - loc) / scale)) / scale),
        result
        * (
            (
                ((x - loc) / scale)
                * ((b - 1) / (1 - ((x - loc) / scale)) - (a - 1) / ((x - loc) / scale))
                - 1
            )
            / scale
        ),
    )


@elementwise(
    stats.beta.cdf,
    source=DOC.format("beta", CDF),
    facts=F64,
    no_derivative={"a": INCOMPLETE, "b": INCOMPLETE},
)
def beta_cdf(result, x, a, b, loc=0.0, scale=1.0):
    return (
        stats.beta.pdf(x, a, b, loc, scale),
        -stats.beta.pdf(x, a, b, loc, scale),
        -stats.beta.pdf(x, a, b, loc, scale) * ((x - loc) / scale),
    )


@elementwise(
    stats.beta.logcdf,
    source=DOC.format("beta", LOGCDF),
    facts=F64,
    no_derivative={"a": INCOMPLETE, "b": INCOMPLETE},
)
def beta_logcdf(result, x, a, b, loc=0.0, scale=1.0):
    return (
        np.exp(stats.beta.logpdf(x, a, b, loc, scale) - result),
        -np.exp(stats.beta.logpdf(x, a, b, loc, scale) - result),
        -np.exp(stats.beta.logpdf(x, a, b, loc, scale) - result) * ((x - loc) / scale),
    )


@elementwise(
    stats.lognorm.logpdf,
    source=DOC.format("lognorm", "log f0 = -(log z)^2/(2 s^2) - log(s z sqrt(2 pi))"),
    facts=F64,
)
def lognorm_logpdf(result, x, s, loc=0.0, scale=1.0):
    return (
        -((np.log(((x - loc) / scale)) + s * s) / (s * s * ((x - loc) / scale))) / scale,
        np.log((x - loc) / scale) ** 2 / s**3 - 1 / s,
        ((np.log(((x - loc) / scale)) + s * s) / (s * s * ((x - loc) / scale))) / scale,
        (
            ((x - loc) / scale)
            * ((np.log(((x - loc) / scale)) + s * s) / (s * s * ((x - loc) / scale)))
            - 1
        )
        / scale,
    )


@elementwise(
    stats.lognorm.pdf,
    source=DOC.format("lognorm", PDF),
    facts=F64,
)
def lognorm_pdf(result, x, s, loc=0.0, scale=1.0):
    return (
        result * (-((np.log(((x - loc) / scale)) + s * s) / (s * s * ((x - loc) / scale))) / scale),
        result * (np.log((x - loc) / scale) ** 2 / s**3 - 1 / s),
        result * (((np.log(((x - loc) / scale)) + s * s) / (s * s * ((x - loc) / scale))) / scale),
        result
        * (
            (
                ((x - loc) / scale)
                * ((np.log(((x - loc) / scale)) + s * s) / (s * s * ((x - loc) / scale)))
                - 1
            )
            / scale
        ),
    )


@elementwise(
    stats.lognorm.cdf,
    source=DOC.format("lognorm", CDF),
    facts=F64,
)
def lognorm_cdf(result, x, s, loc=0.0, scale=1.0):
    return (
        stats.lognorm.pdf(x, s, loc, scale),
        -0.3989422804014327
        * np.exp(-0.5 * (np.log((x - loc) / scale) / s) ** 2)
        * np.log((x - loc) / scale)
        / (s * s),
        -stats.lognorm.pdf(x, s, loc, scale),
        -stats.lognorm.pdf(x, s, loc, scale) * ((x - loc) / scale),
    )


@elementwise(
    stats.lognorm.logcdf,
    source=DOC.format("lognorm", LOGCDF),
    facts=F64,
)
def lognorm_logcdf(result, x, s, loc=0.0, scale=1.0):
    return (
        np.exp(stats.lognorm.logpdf(x, s, loc, scale) - result),
        -0.3989422804014327
        * np.exp(-0.5 * (np.log((x - loc) / scale) / s) ** 2 - result)
        * np.log((x - loc) / scale)
        / (s * s),
        -np.exp(stats.lognorm.logpdf(x, s, loc, scale) - result),
        -np.exp(stats.lognorm.logpdf(x, s, loc, scale) - result) * ((x - loc) / scale),
    )
