"""``scipy.stats`` multivariate densities: multivariate_normal.logpdf and pdf in x, mean and
cov; dirichlet.logpdf and pdf in x and alpha.

Loaded only once scipy is imported (``s2s.registry.OPTIONAL_RULES``); keyed on the bound
methods (``scipy.stats.multivariate_normal.logpdf``). The formulas and the shapes they take are
those of ``s2s.runtime.multivariate``: the gradient of ``logpdf`` in ``cov`` is ``(a a^T -
cov^-1) / 2`` with ``a = cov^-1 (x - mean)`` (Petersen and Pedersen, "The Matrix Cookbook",
eqs. 57 and 61), and ``pdf = exp(logpdf)`` gives ``d pdf = pdf d logpdf``. ``x`` of a
Dirichlet lies on the simplex (scipy checks it): its gradient is the formula's, in every
direction, and a function of the simplex reads only its tangent directions.
"""

from scipy import stats

import s2s.runtime as rt
from s2s.registry import adjoint, d, tangent
from s2s.runtime import plain_scipy_stats

plain_scipy_stats.mark()  # the helpers below are differentiated from plain twins (second order)

COOKBOOK = 'Petersen and Pedersen 2012, "The Matrix Cookbook", eqs. 57 and 61'
DLMF = "DLMF 5.2.2: d log Gamma(a) / da = digamma(a)"
MVN = stats.multivariate_normal


@adjoint(
    MVN.logpdf, structural=("allow_singular",), source=COOKBOOK + ": -(log det S + r^T S^-1 r) / 2"
)
def multivariate_normal_logpdf(result, x, mean=None, cov=1, allow_singular=False):
    parts = rt.mvn_logpdf_adjoint(d[result], x, mean, cov, allow_singular)
    d[x] = parts[0]
    d[mean] = parts[1]
    d[cov] = parts[2]


@tangent(MVN.logpdf, source=COOKBOOK + ": -a.dx + a.dmean + (a^T dS a - tr(S^-1 dS)) / 2")
def multivariate_normal_logpdf_tangent(result, x, mean=None, cov=1, allow_singular=False):
    d[result] += rt.mvn_logpdf_tangent("x", d[x], x, mean, cov, allow_singular)
    d[result] += rt.mvn_logpdf_tangent("mean", d[mean], x, mean, cov, allow_singular)
    d[result] += rt.mvn_logpdf_tangent("cov", d[cov], x, mean, cov, allow_singular)


@adjoint(MVN.pdf, structural=("allow_singular",), source=COOKBOOK + "; d pdf = pdf d logpdf")
def multivariate_normal_pdf(result, x, mean=None, cov=1, allow_singular=False):
    parts = rt.mvn_logpdf_adjoint(d[result] * result, x, mean, cov, allow_singular)
    d[x] = parts[0]
    d[mean] = parts[1]
    d[cov] = parts[2]


@tangent(MVN.pdf, source=COOKBOOK + "; d pdf = pdf d logpdf")
def multivariate_normal_pdf_tangent(result, x, mean=None, cov=1, allow_singular=False):
    d[result] += result * rt.mvn_logpdf_tangent("x", d[x], x, mean, cov, allow_singular)
    d[result] += result * rt.mvn_logpdf_tangent("mean", d[mean], x, mean, cov, allow_singular)
    d[result] += result * rt.mvn_logpdf_tangent("cov", d[cov], x, mean, cov, allow_singular)


@adjoint(stats.dirichlet.logpdf, source=DLMF + "; d/dx = (alpha - 1) / x")
def dirichlet_logpdf(result, x, alpha):
    parts = rt.dirichlet_logpdf_adjoint(d[result], x, alpha)
    d[x] = parts[0]
    d[alpha] = parts[1]


@tangent(stats.dirichlet.logpdf, source=DLMF + "; d/dx = (alpha - 1) / x")
def dirichlet_logpdf_tangent(result, x, alpha):
    d[result] += rt.dirichlet_logpdf_tangent("x", d[x], x, alpha)
    d[result] += rt.dirichlet_logpdf_tangent("alpha", d[alpha], x, alpha)


@adjoint(stats.dirichlet.pdf, source=DLMF + "; d pdf = pdf d logpdf")
def dirichlet_pdf(result, x, alpha):
    parts = rt.dirichlet_logpdf_adjoint(d[result] * result, x, alpha)
    d[x] = parts[0]
    d[alpha] = parts[1]


@tangent(stats.dirichlet.pdf, source=DLMF + "; d pdf = pdf d logpdf")
def dirichlet_pdf_tangent(result, x, alpha):
    d[result] += result * rt.dirichlet_logpdf_tangent("x", d[x], x, alpha)
    d[result] += result * rt.dirichlet_logpdf_tangent("alpha", d[alpha], x, alpha)
