"""Rules for the runtime helpers that the adjoints of ``numpy.linalg``'s rules call
(``norm_adjoint``, ...), so that a second derivative (``s2s.hvp``, ``grad`` of ``grad``) goes
through those rules too (issue 9, part 3). The partials the bodies call live in
``s2s/runtime/linalg_second.py``; their formulas and sources are in its docstring.
"""

import s2s.runtime as rt
from s2s.registry import adjoint, d, tangent

NORM = ("g G(x, n) with G the norm's slope: linear in g (its transpose is norm_tangent), "
        "dG/dx the norm's Hessian or diagonal, dG/dn for the p-norms; Townsend 2016 for the "
        "SVD-based norms")  # fmt: skip
NORM_ARGS = ("ord", "axis", "keepdims")

# -- numpy.linalg.norm and matrix_norm (norm_adjoint) and vector_norm (vector_norm_adjoint) ----


@adjoint(rt.norm_adjoint, structural=NORM_ARGS, source=NORM)
def norm_adjoint_adjoint(result, g, x, n, ord=None, axis=None, keepdims=False):
    d[g] = rt.unbroadcast(rt.norm_tangent(d[result], x, n, ord, axis, keepdims), g)
    d[x] = rt.norm_hessian(d[result], g, x, n, ord, axis, keepdims, False)
    d[n] = rt.norm_slope_dn_t(d[result], g, x, n, ord, axis, keepdims, False)


@tangent(rt.norm_adjoint, source=NORM)
def norm_adjoint_tangent(result, g, x, n, ord=None, axis=None, keepdims=False):
    d[result] += rt.norm_adjoint(d[g], x, n, ord, axis, keepdims)
    d[result] += rt.norm_hessian(d[x], g, x, n, ord, axis, keepdims, False)
    d[result] += rt.norm_slope_dn(d[n], g, x, n, ord, axis, keepdims, False)


@adjoint(rt.vector_norm_adjoint, structural=NORM_ARGS, source=NORM)
def vector_norm_adjoint_adjoint(result, g, x, n, ord=2, axis=None, keepdims=False):
    d[g] = rt.unbroadcast(rt.vector_norm_tangent(d[result], x, n, ord, axis, keepdims), g)
    d[x] = rt.norm_hessian(d[result], g, x, n, ord, axis, keepdims, True)
    d[n] = rt.norm_slope_dn_t(d[result], g, x, n, ord, axis, keepdims, True)


@tangent(rt.vector_norm_adjoint, source=NORM)
def vector_norm_adjoint_tangent(result, g, x, n, ord=2, axis=None, keepdims=False):
    d[result] += rt.vector_norm_adjoint(d[g], x, n, ord, axis, keepdims)
    d[result] += rt.norm_hessian(d[x], g, x, n, ord, axis, keepdims, True)
    d[result] += rt.norm_slope_dn(d[n], g, x, n, ord, axis, keepdims, True)
