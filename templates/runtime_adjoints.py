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


# -- numpy.linalg: solve, det, slogdet ------------------------------------------------------------

GILES = 'Giles 2008, "Collected matrix derivative results for forward and reverse mode AD"'


@linear(rt.as_columns, structural=("b",), source="a reshape: its transpose is from_columns")
def as_columns(result, x, b):
    d[x] = rt.unbroadcast(rt.from_columns(d[result], b), x)


@linear(rt.from_columns, structural=("b",), source="a reshape: its transpose is as_columns")
def from_columns(result, x, b):
    d[x] = rt.unbroadcast(rt.as_columns(d[result], b), x)


@adjoint(rt.solve_cotangent, structural=("b",), source=GILES + ": y = A^-T g is solve's adjoint "
         "with A^T for A: dy = A^-T (dg - dA^T y)")  # fmt: skip
def solve_cotangent_adjoint(result, g, a, b):
    z = rt.solve_cotangent(d[result], np.matrix_transpose(a), b)
    d[g] = rt.unbroadcast(z, g)
    d[a] = rt.solve_grad_a(result, z, a, b)


@tangent(rt.solve_cotangent, source=GILES + ": dy = A^-T (dg - dA^T y)")
def solve_cotangent_tangent(result, g, a, b):
    d[result] += rt.solve_cotangent(d[g], a, b)
    d[result] += rt.solve_cotangent(
        rt.from_columns(-np.matmul(np.matrix_transpose(d[a]), rt.as_columns(result, b)), b), a, b
    )


@adjoint(rt.solve_grad_a, structural=("a", "b"), source="-gb x^T: bilinear in gb and x")
def solve_grad_a_adjoint(result, gb, x, a, b):
    d[gb] = rt.unbroadcast(rt.from_columns(-np.matmul(d[result], rt.as_columns(x, b)), b), gb)
    d[x] = rt.unbroadcast(
        rt.from_columns(-np.matmul(np.matrix_transpose(d[result]), rt.as_columns(gb, b)), b), x
    )


@tangent(rt.solve_grad_a, source="-gb x^T: bilinear in gb and x")
def solve_grad_a_tangent(result, gb, x, a, b):
    d[result] += rt.solve_grad_a(d[gb], x, a, b)
    d[result] += rt.solve_grad_a(gb, d[x], a, b)


# with M = g adj(A)^T, dM = g (d adj(A))^T, the adjugate's derivative taken in the SVD basis
# (s2s/runtime/adjugates.py): exact at singular A, where det(A) A^-1 fails
ADJUGATE = GILES + " (d adj = tr(A^-1 dA) adj - adj dA A^-1), in the SVD basis at singular A"


@adjoint(rt.det_adjoint, source=ADJUGATE)
def det_adjoint_adjoint(result, g, a):
    d[g] = rt.unbroadcast(np.sum(d[result] * rt.det_adjoint(1.0, a), axis=(-2, -1)), g)
    d[a] = rt.det_adjoint_vjp(d[result], g, a)


@tangent(rt.det_adjoint, source=ADJUGATE)
def det_adjoint_tangent(result, g, a):
    d[result] += rt.det_adjoint(d[g], a)
    d[result] += rt.det_adjoint_jvp(d[a], g, a)


@adjoint(rt.slogdet_adjoint, source=GILES + ": d(A^-T) = -A^-T dA^T A^-T")
def slogdet_adjoint_adjoint(result, g_logabsdet, a):
    inv_t = np.matrix_transpose(np.linalg.inv(a))
    d[g_logabsdet] = rt.unbroadcast(np.sum(d[result] * inv_t, axis=(-2, -1)), g_logabsdet)
    d[a] = -np.matmul(np.matmul(inv_t, np.matrix_transpose(d[result])), result)


@tangent(rt.slogdet_adjoint, source=GILES + ": d(A^-T) = -A^-T dA^T A^-T")
def slogdet_adjoint_tangent(result, g_logabsdet, a):
    d[result] += rt.slogdet_adjoint(d[g_logabsdet], a)
    d[result] += -np.matmul(
        np.matmul(result, np.matrix_transpose(d[a])), np.matrix_transpose(np.linalg.inv(a))
    )


# -- numpy.prod (exact with zeros, DESIGN 8) ---------------------------------------------------

PRODUCT = "g times the exclusive products: the product rule twice (prod_second, exact with zeros)"


@adjoint(rt.prod_adjoint, structural=("axis", "keepdims"), source=PRODUCT)
def prod_adjoint_adjoint(result, g, a, axis=None, keepdims=False):
    d[g] = np.sum(
        d[result] * rt.prod_adjoint(np.ones_like(g), a, axis, keepdims),
        axis=axis,
        keepdims=keepdims,
    )
    d[a] = rt.prod_second(d[result] * rt.expand_reduced(g, a, axis, keepdims), a, axis)


@tangent(rt.prod_adjoint, source=PRODUCT)
def prod_adjoint_tangent(result, g, a, axis=None, keepdims=False):
    d[result] += rt.prod_adjoint(d[g], a, axis, keepdims)
    d[result] += rt.expand_reduced(g, a, axis, keepdims) * rt.prod_second(d[a], a, axis)
