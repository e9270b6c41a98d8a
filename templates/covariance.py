"""Covariance and correlation matrices (real inputs): ``np.cov`` and ``np.corrcoef``.

Both are differentiable in ``m`` (``x``) and ``y``; the weights ``fweights``/``aweights``,
``ddof``, ``bias`` and ``rowvar`` are constants (a weight that carries a gradient raises a
located ``UnsupportedArgumentError``). The formulas are in s2s/runtime/covariance.py.
"""

import numpy as np

import s2s.runtime as rt
from s2s.registry import adjoint, d, tangent

WEIGHTS = {
    "fweights": "frequency weights are integers (no tangent space)",
    "aweights": "the observation weights are not differentiated yet",
}
COV = "numpy.cov: C = Xc W Xc^T / f, dC = dX B^T + B dX^T with B = Xc W / f (Xc W 1 = 0)"
CORR = "numpy.corrcoef: R = C / sqrt(diag C diag C^T); quotient rule through numpy.cov's"


@adjoint(np.cov, structural=("rowvar", "bias", "ddof", "dtype"), source=COV, no_derivative=WEIGHTS)
def cov(
    result, m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None, *,
    dtype=None,
):  # fmt: skip
    grads = rt.cov_adjoint(d[result], m, y, rowvar, bias, ddof, fweights, aweights)
    d[m] = grads[0]
    d[y] = grads[1]


@tangent(np.cov, source=COV)
def cov_tangent(
    result, m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None, *,
    dtype=None,
):  # fmt: skip
    d[result] = rt.cov_tangent(d[m], d[y], m, y, rowvar, bias, ddof, fweights, aweights)


HELD = ("rowvar", "bias", "ddof", "fweights", "aweights")
SECOND = COV + "; its adjoint (G + G^T) B is bilinear in G and X"


@adjoint(rt.cov_adjoint, structural=HELD, source=SECOND)
def cov_adjoint(result, g, m, y=None, rowvar=True, bias=False, ddof=None, fweights=None,
                aweights=None):  # fmt: skip
    d[g] = rt.cov_pair_tangent(d[result], m, y, rowvar, bias, ddof, fweights, aweights)
    parts = rt.cov_second(g, d[result], m, y, rowvar, bias, ddof, fweights, aweights)
    d[m] = parts[0]
    d[y] = parts[1]


@tangent(rt.cov_adjoint, source=SECOND)
def cov_adjoint_tangent(result, g, m, y=None, rowvar=True, bias=False, ddof=None,
                        fweights=None, aweights=None):  # fmt: skip
    d[result] = rt.cov_adjoint_tangent(d[g], g, d[m], d[y], m, y, rowvar, bias, ddof, fweights,
                                       aweights)  # fmt: skip


@adjoint(np.corrcoef, structural=("rowvar", "dtype"), source=CORR)
def corrcoef(result, x, y=None, rowvar=True, *, dtype=None):
    grads = rt.corrcoef_adjoint(d[result], x, y, rowvar)
    d[x] = grads[0]
    d[y] = grads[1]


@tangent(np.corrcoef, source=CORR)
def corrcoef_tangent(result, x, y=None, rowvar=True, *, dtype=None):
    d[result] = rt.corrcoef_tangent(d[x], d[y], x, y, rowvar)
