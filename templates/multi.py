"""Elementwise functions with two outputs: divmod, modf and frexp.

One output of each is piecewise constant (the quotient, the integral part) or an integer (the
exponent): only the other output's cotangent flows back, and the helpers return a zero when
that one got none.
"""

import numpy as np

import s2s.runtime as rt
from s2s.registry import Facts, adjoint, d, tangent


@adjoint(
    np.divmod,
    outputs=2,
    source="numpy.divmod: r = x1 - floor(x1 / x2) x2, q a step",
    facts=Facts(raises_on_python_numbers=True),
)
def divmod(quotient, remainder, x1, x2, /):
    d[x1] = rt.divmod_grad(d[remainder], quotient, x1, x2, True)
    d[x2] = rt.divmod_grad(d[remainder], quotient, x1, x2, False)


@tangent(np.divmod, source="numpy.divmod: dr = dx1 - q dx2; the quotient is a step")
def divmod_tangent(quotient, remainder, x1, x2, /):
    d[remainder] += rt.project_tangent(d[x1], remainder)
    d[remainder] += rt.project_tangent(-(d[x2] * quotient), remainder)


@adjoint(np.modf, outputs=2, source="numpy.modf: frac = x - trunc(x), trunc a step")
def modf(fractional, integral, x, /):
    d[x] = rt.modf_grad(d[fractional], x)


@tangent(np.modf, source="numpy.modf: d frac = dx; the integral part is a step")
def modf_tangent(fractional, integral, x, /):
    d[fractional] += rt.project_tangent(d[x], fractional)


@adjoint(np.frexp, outputs=2, source="numpy.frexp: m = x / 2**e, so dm = dx / 2**e (e an int)")
def frexp(mantissa, exponent, x, /):
    d[x] = rt.frexp_grad(d[mantissa], exponent, x)


@tangent(np.frexp, source="numpy.frexp: m = x / 2**e gives dm = dx / 2**e (e an integer)")
def frexp_tangent(mantissa, exponent, x, /):
    d[mantissa] += np.ldexp(d[x], -exponent)
