"""Rules for the runtime helpers that the adjoints of numpy's and scipy's rules call, so that a
second derivative (``s2s.hvp``, ``grad`` of ``grad``) goes through those rules too.

``templates/runtime.py`` holds the rules of the helpers every derivative uses (unbroadcast,
scatter, masks); this module the rules of the helpers particular rules' adjoints call
(``divmod_grad``, ``expand_reduced``, ...). Each rule's body calls only functions that have
rules themselves, so differentiating it again closes the chain (issue 9, part 3).
"""

import numpy as np

import s2s.runtime as rt
from s2s.registry import adjoint, d, elementwise, linear, tangent

CAST = "a cast: its transpose casts back"
TRANSPOSE = "linear in its first argument: the transpose of the helper's map"

# -- casts and reshapes of a cotangent ---------------------------------------------------------


@linear(rt.narrow, structural=("dtype",), source=CAST)
def narrow(result, g, dtype):
    d[g] = rt.add_part(d[result], g)


@linear(rt.expand_reduced, structural=("a", "axis", "keepdims"), source="a reshape")
def expand_reduced(result, g, a, axis=None, keepdims=False):
    d[g] = rt.unbroadcast(np.reshape(d[result], rt.shape_of(g)), g)


# -- the adjoints of numpy's functions with two outputs (templates/multi.py) -------------------


@linear(rt.modf_grad, structural=("x",), source=TRANSPOSE + " (an unbroadcast)")
def modf_grad(result, g_fractional, x):
    d[g_fractional] = rt.rebroadcast(d[result], g_fractional)


@linear(rt.frexp_grad, structural=("exponent", "x"), source=TRANSPOSE + ": g / 2**e")
def frexp_grad(result, g_mantissa, exponent, x):
    d[g_mantissa] = np.ldexp(rt.rebroadcast(d[result], g_mantissa), -exponent)


# the quotient is a step (its own derivative is 0), so it is structural here
@linear(rt.divmod_grad, structural=("quotient", "x1", "x2", "wrt_first"),
        source=TRANSPOSE + ": g to x1, -g q to x2")  # fmt: skip
def divmod_grad(result, g_remainder, quotient, x1, x2, wrt_first):
    d[g_remainder] = rt.rebroadcast(d[result], g_remainder) * np.where(wrt_first, 1.0, -quotient)


# -- scipy.special.logsumexp's weights -----------------------------------------------------------


@adjoint(rt.times_weights, source="share * b (share when b is None): bilinear")
def times_weights_adjoint(result, share, b):
    d[share] = rt.unbroadcast(rt.times_weights(d[result], b), share)
    d[b] = rt.unbroadcast(d[result] * share, b)


@tangent(rt.times_weights, source="share * b (share when b is None): bilinear")
def times_weights_tangent(result, share, b):
    d[result] += rt.times_weights(d[share], b)
    d[result] += share * d[b]


# -- the power rule's third partial ---------------------------------------------------------------


@elementwise(
    rt.power_dbase_dexponent,
    source="v = x1^(x2-1) (1 + x2 log x1): dv/dx1 = x1^(x2-2) ((x2-1)(1 + x2 log x1) + x2), "
    "dv/dx2 = x1^(x2-1) log x1 (2 + x2 log x1), where x1 > 0 and x2 != 0 (0 elsewhere, as v)",
)
def power_dbase_dexponent(result, x1, x2):
    return (
        np.where(
            np.greater(x1, 0) & np.not_equal(x2, 0),
            np.power(np.where(np.greater(x1, 0), x1, 1.0), x2 - 2.0)
            * ((x2 - 1.0) * (1.0 + x2 * rt.positive_log(x1)) + x2),
            0.0,
        ),
        np.where(
            np.greater(x1, 0) & np.not_equal(x2, 0),
            np.power(np.where(np.greater(x1, 0), x1, 1.0), x2 - 1.0)
            * rt.positive_log(x1) * (2.0 + x2 * rt.positive_log(x1)),
            0.0,
        ),
    )  # fmt: skip
