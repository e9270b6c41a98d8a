"""Elementwise functions with two outputs: divmod, modf and frexp.

One output of each is piecewise constant (the quotient, the integral part) or an integer (the
exponent): only the other output's cotangent flows back, and the helpers return a zero when
that one got none.
"""

import numpy as np

import s2s.runtime as rt
from s2s.registry import Facts, adjoint, d


@adjoint(
    np.divmod,
    outputs=2,
    source="numpy.divmod: r = x1 - floor(x1 / x2) x2, q a step",
    facts=Facts(raises_on_python_numbers=True),
)
def divmod(quotient, remainder, x1, x2, /):
    d[x1] = rt.divmod_grad(d[remainder], quotient, x1, x2, True)
    d[x2] = rt.divmod_grad(d[remainder], quotient, x1, x2, False)


@adjoint(np.modf, outputs=2, source="numpy.modf: frac = x - trunc(x), trunc a step")
def modf(fractional, integral, x, /):
    d[x] = rt.modf_grad(d[fractional], x)


@adjoint(np.frexp, outputs=2, source="numpy.frexp: m = x / 2**e, so dm = dx / 2**e (e an int)")
def frexp(mantissa, exponent, x, /):
    d[x] = rt.frexp_grad(d[mantissa], exponent, x)
