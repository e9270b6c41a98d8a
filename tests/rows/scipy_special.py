"""Rows for ``templates/scipy_special.py`` (none without scipy: its rules do not load then)."""

import numpy as np

from rows.spec import R, const, normal, positive, uniform

try:
    from scipy import special
except ImportError:  # scipy is optional: no rules, no rows
    special = None


def sici_both(x):
    si, ci = special.sici(x)
    return si * ci + ci


ROWS = []
if special is not None:
    sp = special
    ROWS = [
        R(sp.gammaln, lambda x: sp.gammaln(x), uniform(0.3, 5.0, 2, 3)),
        R(sp.gammaln, lambda x: sp.gammaln(x), uniform(-2.8, -2.2, 4), tag="negative"),
        R(sp.digamma, lambda x: sp.digamma(x), uniform(0.5, 5.0, 2, 3)),
        R(sp.digamma, lambda x: sp.psi(x), uniform(0.5, 5.0, 3), tag="psi"),
        R(sp.polygamma, lambda x: sp.polygamma(1, x), uniform(0.5, 5.0, 2, 3)),
        R(
            sp.polygamma,
            lambda x: sp.polygamma(np.array([0, 2, 3]), x),
            uniform(0.5, 4.0, 3),
            tag="orders",
        ),  # fmt: skip
        R(sp.gamma, lambda x: sp.gamma(x), uniform(0.3, 4.0, 2, 3)),
        R(sp.beta, lambda a, b: sp.beta(a, b), uniform(0.5, 3.0, 3, 1), uniform(0.5, 3.0, 4)),
        R(sp.betaln, lambda a, b: sp.betaln(a, b), uniform(0.5, 5.0, 3, 1), uniform(0.5, 5, 4)),
        R(sp.erf, lambda x: sp.erf(x), normal(2, 3)),
        R(sp.erfc, lambda x: sp.erfc(x), normal(2, 3)),
        R(sp.erfinv, lambda y: sp.erfinv(y), uniform(-0.9, 0.9, 2, 3)),
        R(sp.erfcinv, lambda y: sp.erfcinv(y), uniform(0.1, 1.9, 2, 3)),
        R(sp.ndtr, lambda x: sp.ndtr(x), normal(2, 3, scale=2.0)),
        R(sp.log_ndtr, lambda x: sp.log_ndtr(x), normal(2, 3, scale=3.0)),
        R(sp.log_ndtr, lambda x: sp.log_ndtr(x), uniform(-6.0, -3.0, 4), tag="tail"),
        R(sp.ndtri, lambda p: sp.ndtri(p), uniform(0.05, 0.95, 2, 3)),
        R(sp.expit, lambda x: sp.expit(x), normal(2, 3, scale=2.0)),
        R(sp.logit, lambda p: sp.logit(p), uniform(0.05, 0.95, 2, 3)),
        R(sp.log_expit, lambda x: sp.log_expit(x), normal(2, 3, scale=3.0)),
        R(sp.xlogy, lambda x, y: sp.xlogy(x, y), normal(3, 1), positive(4)),
        R(sp.xlog1py, lambda x, y: sp.xlog1py(x, y), normal(3, 1), uniform(-0.5, 2.0, 4)),
        R(sp.entr, lambda x: sp.entr(x), positive(2, 3)),
        R(sp.rel_entr, lambda x, y: sp.rel_entr(x, y), positive(3, 1), positive(4)),
        R(sp.sici, lambda x: sici_both(x), uniform(0.3, 4.0, 2, 3)),
        R(sp.sici, lambda x: sp.sici(x)[1], uniform(0.3, 4.0, 4), tag="ci-only"),
        R(sp.fresnel, lambda z: sp.fresnel(z)[0] * sp.fresnel(z)[1], normal(2, 3, scale=1.5)),
        R(sp.i0, lambda x: sp.i0(x), normal(2, 3, scale=2.0)),
        R(sp.i0e, lambda x: sp.i0e(x), normal(2, 3, scale=2.0)),
        R(sp.i1, lambda x: sp.i1(x), normal(2, 3, scale=2.0)),
        R(sp.i1e, lambda x: sp.i1e(x), normal(2, 3, scale=2.0)),
        R(sp.ive, lambda x: sp.ive(1.5, x), uniform(0.3, 5.0, 2, 3)),
        R(
            sp.ive,
            lambda v, x: sp.ive(v, x),
            const(np.array([0.0, 2.0, 3.5])),
            uniform(0.3, 5, 3),
            tag="orders",
        ),  # fmt: skip
        R(sp.iv, lambda x: sp.iv(2.0, x), normal(2, 3, scale=2.0)),
        R(
            sp.iv,
            lambda v, x: sp.iv(v, x),
            const(np.array([0.0, 1.0, 2.5])),
            uniform(0.3, 5, 3),
            tag="orders",
        ),  # fmt: skip
        R(sp.kv, lambda x: sp.kv(0.5, x), uniform(0.3, 5.0, 2, 3)),
        R(
            sp.kv,
            lambda v, x: sp.kv(v, x),
            const(np.array([0.0, 1.0, 2.5])),
            uniform(0.3, 5, 3),
            tag="orders",
        ),  # fmt: skip
        R(sp.multigammaln, lambda a: sp.multigammaln(a, 3), uniform(1.5, 5.0, 2, 3)),
        R(sp.multigammaln, lambda a: sp.multigammaln(a, d=1), uniform(0.5, 5.0, 4), tag="d1"),
        R(sp.logsumexp, lambda a: sp.logsumexp(a), normal(2, 3)),
        R(
            sp.logsumexp, lambda a: sp.logsumexp(a, axis=1, keepdims=True), normal(2, 3), tag="axis"
        ),  # fmt: skip
        R(
            sp.logsumexp,
            lambda a, b: sp.logsumexp(a, axis=0, b=b),
            normal(2, 3),
            positive(3),
            tag="weights",
        ),  # fmt: skip
        R(sp.softmax, lambda x: sp.softmax(x), normal(2, 3)),
        R(sp.softmax, lambda x: sp.softmax(x, axis=1), normal(2, 3), tag="axis"),
        R(sp.log_softmax, lambda x: sp.log_softmax(x), normal(2, 3)),
        R(sp.log_softmax, lambda x: sp.log_softmax(x, axis=-1), normal(2, 3), tag="axis"),
    ]
