"""Polynomials (coefficients highest power first) and the Vandermonde matrix (real inputs).

``vander`` is differentiated column by column (``d x**k = k x**(k-1) dx``); ``polyval`` is
linear in the coefficients (a Vandermonde product) and its slope in ``x`` is the derivative
polynomial; ``polyadd``, ``polysub``, ``polyder`` and ``polyint`` are linear (``polyint``
affine: its constants ``k`` are not differentiated) and ``polymul`` is a convolution
(bilinear); ``poly`` (from 1-D roots) multiplies the factors ``[1, -r_i]``; ``roots`` is
differentiated implicitly through ``p(r) = 0`` at real, simple roots (a complex root raises).
"""

import numpy as np

import s2s.runtime as rt
from s2s.registry import adjoint, d, linear, nondifferentiable, tangent

for _plan in (rt.vander_plan, rt.poly_length, rt.poly_tail, rt.polyder_matrix, rt.polyint_matrix):
    nondifferentiable(_plan, reason="reads only lengths and structural arguments", metadata=True)


@adjoint(
    np.vander,
    structural=("N", "increasing"),
    source="numpy.vander: columns x**k; d x**k = k x**(k-1) dx",
)
def vander(result, x, N=None, increasing=False):
    plan = rt.vander_plan(x, N, increasing)
    slope = np.pad(np.vander(x, plan[0], increasing) * plan[1], plan[2])
    d[x] = rt.unbroadcast(np.sum(d[result] * slope, axis=1), x)


@tangent(np.vander, source="d x**k = k x**(k-1) dx, column by column")
def vander_tangent(result, x, N=None, increasing=False):
    plan = rt.vander_plan(x, N, increasing)
    slope = np.pad(np.vander(x, plan[0], increasing) * plan[1], plan[2])
    d[result] += slope * np.expand_dims(d[x], 1)


@adjoint(
    np.polyval,
    source="numpy.polyval = sum_k p_k x**(n-1-k): linear in p; d/dx is polyval(polyder(p), x)",
)
def polyval(result, p, x):
    d[p] = rt.unarray(
        np.matmul(np.ravel(d[result]), np.vander(np.ravel(x * 1.0), rt.poly_length(p))), p
    )
    d[x] = rt.unbroadcast(d[result] * np.polyval(np.polyder(p), x), x)


@tangent(np.polyval, source="product rule: polyval(dp, x) + polyval(polyder(p), x) dx")
def polyval_tangent(result, p, x):
    d[result] += np.polyval(d[p], x)
    d[result] += np.polyval(np.polyder(p), x) * d[x]


@linear(np.polyadd, source="numpy.polyadd: the shorter padded with leading zeros; transpose: tails")
def polyadd(result, a1, a2):
    d[a1] = rt.unarray(d[result][rt.poly_tail(a1)], a1)
    d[a2] = rt.unarray(d[result][rt.poly_tail(a2)], a2)


@linear(np.polysub, source="numpy.polysub = polyadd(a1, -a2); transpose: tails")
def polysub(result, a1, a2):
    d[a1] = rt.unarray(d[result][rt.poly_tail(a1)], a1)
    d[a2] = rt.unarray(-d[result][rt.poly_tail(a2)], a2)


@adjoint(np.polymul, source="numpy.polymul = convolve(a1, a2); bilinear")
def polymul(result, a1, a2):
    d[a1] = rt.unbroadcast(rt.convolve_grad_a(d[result], a1, a2, "full"), a1)  # a scalar: 0-d
    d[a2] = rt.unbroadcast(rt.convolve_grad_v(d[result], a1, a2, "full"), a2)


@tangent(np.polymul, source="product rule: polymul(da1, a2) + polymul(a1, da2)")
def polymul_tangent(result, a1, a2):
    d[result] += np.polymul(d[a1], a2)
    d[result] += np.polymul(a1, d[a2])


@linear(np.polyder, structural=("m",), source="numpy.polyder: p_k times its power, m times")
def polyder(result, p, m=1):
    d[p] = rt.unarray(np.matmul(d[result], rt.polyder_matrix(p, m)), p)


@adjoint(
    np.polyint,
    structural=("m",),
    no_derivative={"k": "the integration constants are not differentiated"},
    source="numpy.polyint: p_k divided by its power, m times (affine: constants k added)",
)
def polyint(result, p, m=1, k=None):
    d[p] = rt.unarray(np.matmul(d[result], rt.polyint_matrix(p, m)), p)


@tangent(np.polyint, source="numpy.polyint is affine in p: its linear part applied to dp")
def polyint_tangent(result, p, m=1, k=None):
    d[result] += np.matmul(rt.polyint_matrix(p, m), d[p])


@adjoint(np.poly, source="numpy.poly(r) = prod_i [1, -r_i] (convolutions); product rule")
def poly(result, seq_of_zeros):
    # np.poly of no roots is the 0-d 1.0: its cotangent is read as one coefficient
    cotangent = np.reshape(d[result], (-1,))
    d[seq_of_zeros] = rt.unarray(np.matmul(cotangent, rt.poly_jacobian(seq_of_zeros)), seq_of_zeros)


@tangent(np.poly, source="numpy.poly: the product rule over the factors [1, -r_i]")
def poly_tangent(result, seq_of_zeros):
    column = np.matmul(rt.poly_jacobian(seq_of_zeros), d[seq_of_zeros])
    d[result] += np.reshape(column, np.shape(result))  # 0-d for no roots


@adjoint(
    np.roots,
    may_be_undefined=True,
    source="implicit differentiation of p(r) = 0: dr = -dp(r) / p'(r)",
)
def roots(result, p):
    d[p] = rt.roots_adjoint(d[result], p, result)


@tangent(np.roots, source="implicit differentiation of p(r) = 0: dr = -dp(r) / p'(r)")
def roots_tangent(result, p):
    d[result] += rt.roots_tangent(p, result, d[p])


FIT = ("deg", "rcond", "full", "cov")
WEIGHTS = {"w": "the weights are not differentiated (only x and y)"}


@adjoint(
    np.polyfit,
    structural=FIT,
    no_derivative=WEIGHTS,
    source="weighted least squares: normal equations V^T W^2 (V c - y) = 0, differentiated",
)
def polyfit(result, x, y, deg, rcond=None, full=False, w=None, cov=False):
    d[x] = rt.polyfit_grad_x(d[result], x, y, deg, result, w, full, cov)
    d[y] = rt.polyfit_grad_y(d[result], x, y, deg, w, full, cov)


@tangent(np.polyfit, source="the normal equations of weighted least squares, differentiated")
def polyfit_tangent(result, x, y, deg, rcond=None, full=False, w=None, cov=False):
    d[result] = rt.polyfit_tangent(d[x], d[y], x, y, deg, result, w, full, cov)


@adjoint(np.polydiv, outputs=2, source="polynomial long division: u = q v + r (numpy.polydiv)")
def polydiv(q, r, u, v):
    parts = rt.polydiv_adjoint(d[q], d[r], q, r, u, v)
    d[u] = parts[0]
    d[v] = parts[1]


@tangent(np.polydiv, source="u = q v + r: dq = T^-1 (du - q dv)[:len(q)], dr the rest's tail")
def polydiv_tangent(q, r, u, v):
    by_u = rt.polydiv_tangent(d[u], None, q, r, u, v)
    d[q] += by_u[0]
    d[r] += by_u[1]
    by_v = rt.polydiv_tangent(None, d[v], q, r, u, v)
    d[q] += by_v[0]
    d[r] += by_v[1]
