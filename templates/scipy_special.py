"""``scipy.special``: gamma-family, error-function, normal, logistic, entropy and Bessel functions.

Loaded only once scipy is imported (``s2s.registry.OPTIONAL_RULES``). Partials call scipy
itself (generated code reaches it as ``_s2s.lib.scipy.special``), so second derivatives go
through these same rules: the derivative of ``gammaln`` is ``digamma``, whose derivative is
``polygamma(1, x)``. Orders (``polygamma``'s ``n``, ``kv``'s and ``ive``'s ``v``,
``multigammaln``'s ``d``) are not differentiated: a gradient reaching one raises
``UnsupportedArgumentError``. Formulas: DLMF (https://dlmf.nist.gov) by section number, and
scipy.special's reference for each function's definition. Constants are Python floats:
1.1283791670955126 = 2/sqrt(pi), 0.886226925452758 = sqrt(pi)/2, 0.3989422804014327 =
1/sqrt(2 pi), 2.5066282746310002 = sqrt(2 pi).
"""

import numpy as np
from scipy import special

import s2s.runtime as rt
from s2s.registry import FLOAT, FLOAT64, REDUCTION, Facts, adjoint, d, elementwise, tangent

ORDER = "the order is not differentiated (its derivative has no closed form in scipy)"
INTEGER = "it is an integer"


@elementwise(special.gammaln, source="DLMF 5.2.2: d ln Gamma(x) = psi(x)", facts=Facts(dtype=FLOAT))
def gammaln(result, x):
    return special.digamma(x)


@elementwise(special.digamma, source="DLMF 5.15.1: psi'(x) = psi^(1)(x)", facts=Facts(dtype=FLOAT))
def digamma(result, x):
    return special.polygamma(1, x)


@elementwise(
    special.polygamma,
    source="DLMF 5.15.1: d psi^(n)(x) / dx = psi^(n+1)(x)",
    no_derivative={"n": INTEGER},
    facts=Facts(dtype=FLOAT64),
)
def polygamma(result, n, x):
    return special.polygamma(n + 1, x)


@elementwise(
    special.gamma, source="DLMF 5.2.2: Gamma'(x) = Gamma(x) psi(x)", facts=Facts(dtype=FLOAT)
)
def gamma(result, x):
    return result * special.digamma(x)


@elementwise(
    special.beta,
    source="DLMF 5.12.1: B = Gamma(a) Gamma(b) / Gamma(a + b), so dB/da = B (psi(a) - psi(a + b))",
    facts=Facts(dtype=FLOAT),
)
def beta(result, a, b):
    return result * (special.digamma(a) - special.digamma(a + b)), result * (
        special.digamma(b) - special.digamma(a + b)
    )


@elementwise(
    special.betaln,
    source="DLMF 5.12.1: d ln B(a, b) / da = psi(a) - psi(a + b)",
    facts=Facts(dtype=FLOAT),
)
def betaln(result, a, b):
    return special.digamma(a) - special.digamma(a + b), special.digamma(b) - special.digamma(a + b)


@elementwise(
    special.erf, source="DLMF 7.10.1: erf'(x) = 2/sqrt(pi) exp(-x^2)", facts=Facts(dtype=FLOAT)
)
def erf(result, x):
    return 1.1283791670955126 * np.exp(-x * x)


@elementwise(
    special.erfc, source="DLMF 7.10.1: erfc'(x) = -2/sqrt(pi) exp(-x^2)", facts=Facts(dtype=FLOAT)
)
def erfc(result, x):
    return -1.1283791670955126 * np.exp(-x * x)


@elementwise(
    special.erfinv,
    source="inverse function rule on DLMF 7.10.1: erfinv'(y) = sqrt(pi)/2 exp(erfinv(y)^2)",
    singular=True,
    facts=Facts(dtype=FLOAT),
)
def erfinv(result, y):
    return 0.886226925452758 * np.exp(result * result)


@elementwise(
    special.erfcinv,
    source="inverse function rule on DLMF 7.10.1: erfcinv'(y) = -sqrt(pi)/2 exp(erfcinv(y)^2)",
    singular=True,
    facts=Facts(dtype=FLOAT),
)
def erfcinv(result, y):
    return -0.886226925452758 * np.exp(result * result)


@elementwise(
    special.ndtr,
    source="DLMF 7.2.2 with 7.10.1: Phi'(x) = exp(-x^2/2) / sqrt(2 pi)",
    facts=Facts(dtype=FLOAT),
)
def ndtr(result, x):
    return 0.3989422804014327 * np.exp(-0.5 * x * x)


@elementwise(
    special.log_ndtr,
    source="d log Phi(x) = phi(x) / Phi(x) = exp(-x^2/2 - log Phi(x)) / sqrt(2 pi) (no overflow)",
    facts=Facts(dtype=FLOAT),
)
def log_ndtr(result, x):
    return 0.3989422804014327 * np.exp(-0.5 * x * x - result)


@elementwise(
    special.ndtri,
    source="inverse function rule: ndtri'(p) = 1 / phi(ndtri(p)) = sqrt(2 pi) exp(ndtri(p)^2 / 2)",
    singular=True,
    facts=Facts(dtype=FLOAT),
)
def ndtri(result, y):
    return 2.5066282746310002 * np.exp(0.5 * result * result)


@elementwise(
    special.expit,
    source="expit' = expit (1 - expit) (scipy.special.expit)",
    facts=Facts(dtype=FLOAT),
)
def expit(result, x):
    return result * (1 - result)


@elementwise(
    special.logit,
    source="logit(p) = log(p / (1 - p)), so logit'(p) = 1 / (p (1 - p))",
    singular=True,
    facts=Facts(dtype=FLOAT),
)
def logit(result, x):
    return 1 / (x * (1 - x))


@elementwise(
    special.log_expit,
    source="log_expit(x) = -log(1 + exp(-x)), so its derivative is expit(-x) = 1 - expit(x)",
    facts=Facts(dtype=FLOAT),
)
def log_expit(result, x):
    return special.expit(-x)


@elementwise(
    special.xlogy,
    source="d (x log y) = log y dx + x / y dy (scipy.special.xlogy)",
    singular=True,
    facts=Facts(dtype=FLOAT),
)
def xlogy(result, x, y):
    return np.log(y), x / y


@elementwise(
    special.xlog1py,
    source="d (x log(1 + y)) = log(1 + y) dx + x / (1 + y) dy (scipy.special.xlog1py)",
    singular=True,
    facts=Facts(dtype=FLOAT),
)
def xlog1py(result, x, y):
    return np.log1p(y), x / (1 + y)


@elementwise(
    special.entr,
    source="entr(x) = -x log x, so entr'(x) = -log x - 1; IEEE inf at 0 (scipy.special.entr)",
    singular=True,
    facts=Facts(dtype=FLOAT),
)
def entr(result, x):
    return -np.log(x) - 1


@elementwise(
    special.rel_entr,
    source="rel_entr(x, y) = x log(x / y): partials log(x / y) + 1, -x / y (scipy.special)",
    singular=True,
    facts=Facts(dtype=FLOAT),
)
def rel_entr(result, x, y):
    return np.log(x / y) + 1, -x / y


@elementwise(special.i0, source="DLMF 10.29.3: I_0'(x) = I_1(x)", facts=Facts(dtype=FLOAT))
def i0(result, x):
    return special.i1(x)


@elementwise(
    special.i0e,
    source="i0e(x) = exp(-|x|) I_0(x) and DLMF 10.29.3: i0e'(x) = i1e(x) - sign(x) i0e(x)",
    facts=Facts(dtype=FLOAT),
)
def i0e(result, x):
    return special.i1e(x) - np.sign(x) * result


@elementwise(
    special.i1,
    source="DLMF 10.29.1: 2 I_1'(x) = I_0(x) + I_2(x) (finite at 0, unlike I_0 - I_1/x)",
    facts=Facts(dtype=FLOAT),
)
def i1(result, x):
    return 0.5 * (special.i0(x) + special.iv(2.0, x))


@elementwise(
    special.i1e,
    source="i1e(x) = exp(-|x|) I_1(x) and DLMF 10.29.1: i1e' = (i0e + ive(2, .)) / 2 - sign(x) i1e",
    facts=Facts(dtype=FLOAT),
)
def i1e(result, x):
    return 0.5 * (special.i0e(x) + special.ive(2.0, x)) - np.sign(x) * result


@elementwise(
    special.ive,
    source="ive(v, x) = exp(-|x|) I_v(x) and DLMF 10.29.1: 2 I_v' = I_{v-1} + I_{v+1}; x > 0",
    no_derivative={"v": ORDER},
    facts=Facts(dtype=FLOAT),
)
def ive(result, v, x):
    return 0.5 * (special.ive(v - 1, x) + special.ive(v + 1, x)) - np.sign(x) * result


@elementwise(
    special.iv,
    source="DLMF 10.29.1: 2 I_v'(x) = I_{v-1}(x) + I_{v+1}(x)",
    no_derivative={"v": ORDER},
    facts=Facts(dtype=FLOAT),
)
def iv(result, v, x):
    return 0.5 * (special.iv(v - 1, x) + special.iv(v + 1, x))


@elementwise(
    special.kv,
    source="DLMF 10.29.1: 2 K_v'(x) = -(K_{v-1}(x) + K_{v+1}(x))",
    no_derivative={"v": ORDER},
    facts=Facts(dtype=FLOAT),
)
def kv(result, v, x):
    return -0.5 * (special.kv(v - 1, x) + special.kv(v + 1, x))


@elementwise(
    special.multigammaln,
    source="DLMF 35.3.1: ln Gamma_d(a) = d(d-1)/4 ln pi + sum_j ln Gamma(a - j/2), j = 0..d-1",
    structural=("d",),
    facts=Facts(dtype=FLOAT64),
)
def multigammaln(result, a, d):
    return np.sum(special.digamma(np.expand_dims(a, -1) - 0.5 * np.arange(d)), axis=-1)


# -- two outputs -----------------------------------------------------------------------------------


@adjoint(
    special.sici, outputs=2, source="DLMF 6.2.9, 6.2.11: Si'(x) = sin(x) / x, Ci'(x) = cos(x) / x"
)
def sici(si, ci, x, /):
    d[x] = d[si] * np.sinc(x / np.pi)  # sin(x) / x, 1 at 0
    d[x] = d[ci] * (np.cos(x) / x)


@tangent(special.sici, source="DLMF 6.2.9, 6.2.11: dSi = sin(x) / x dx, dCi = cos(x) / x dx")
def sici_tangent(si, ci, x, /):
    d[si] += d[x] * np.sinc(x / np.pi)
    d[ci] += d[x] * (np.cos(x) / x)


@adjoint(
    special.fresnel, outputs=2,
    source="DLMF 7.2.7, 7.2.8: S'(z) = sin(pi z^2 / 2), C'(z) = cos(pi z^2 / 2)",
)
def fresnel(s, c, z, /):
    d[z] = d[s] * np.sin(np.pi / 2 * z * z)
    d[z] = d[c] * np.cos(np.pi / 2 * z * z)


@tangent(special.fresnel, source="DLMF 7.2.7, 7.2.8: dS = sin(pi z^2 / 2) dz, dC = cos(...) dz")
def fresnel_tangent(s, c, z, /):
    d[s] += d[z] * np.sin(np.pi / 2 * z * z)
    d[c] += d[z] * np.cos(np.pi / 2 * z * z)


# -- reductions along an axis ---------------------------------------------------------------------


@adjoint(
    special.logsumexp,
    structural=("axis", "keepdims"),
    source="d log sum b e^a = sum (b e^a da + e^a db) / sum b e^a (scipy.special.logsumexp)",
    facts=Facts(shape=REDUCTION, dtype=FLOAT),
)
def logsumexp(result, a, axis=None, b=None, keepdims=False):
    share = np.exp(a - rt.expand_reduced(result, a, axis, keepdims))
    g = rt.expand_reduced(d[result], a, axis, keepdims)
    d[a] = g * rt.times_weights(share, b)
    d[b] = rt.unbroadcast(g * share, b)


@tangent(special.logsumexp, source="d log sum b e^a = sum (b e^a da + e^a db) / sum b e^a")
def logsumexp_tangent(result, a, axis=None, b=None, keepdims=False):
    share = np.exp(a - rt.expand_reduced(result, a, axis, keepdims))
    d[result] += np.sum(rt.times_weights(share, b) * d[a], axis=axis, keepdims=keepdims)
    d[result] += np.sum(share * d[b], axis=axis, keepdims=keepdims)


@adjoint(
    special.softmax,
    structural=("axis",),
    source="softmax Jacobian diag(s) - s s^T along the axis (scipy.special.softmax)",
)
def softmax(result, x, axis=None):
    d[x] = result * (d[result] - np.sum(d[result] * result, axis=axis, keepdims=True))


@tangent(special.softmax, source="ds = s (dx - sum(s dx)) along the axis")
def softmax_tangent(result, x, axis=None):
    d[result] += result * (d[x] - np.sum(result * d[x], axis=axis, keepdims=True))


@adjoint(
    special.log_softmax,
    structural=("axis",),
    source="log_softmax(x) = x - logsumexp(x): Jacobian I - 1 s^T (scipy.special.log_softmax)",
)
def log_softmax(result, x, axis=None):
    d[x] = d[result] - np.exp(result) * np.sum(d[result], axis=axis, keepdims=True)


@tangent(special.log_softmax, source="d log_softmax(x) = dx - sum(s dx) along the axis")
def log_softmax_tangent(result, x, axis=None):
    d[result] += d[x] - np.sum(np.exp(result) * d[x], axis=axis, keepdims=True)
