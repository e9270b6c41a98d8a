"""``numpy.linalg``: pinv, matrix_power, multi_dot, cond, tensorinv, tensorsolve, cross, and the
array-API norms vector_norm and matrix_norm (float32 and float64; numpy.linalg has no float16).

``pinv``'s rule holds where the rank is locally constant (a full-rank input); ``cond``'s where
the extreme singular values (or the norms' extreme entries) are simple.
"""

import numpy as np

import s2s.runtime as rt
from s2s.registry import REDUCTION, SQUARE, Facts, adjoint, d, tangent

GILES = 'Giles 2008, "Collected matrix derivative results for forward and reverse mode AD"'
GOLUB = 'Golub and Pereyra 1973, "The differentiation of pseudo-inverses", theorem 4.3'


@adjoint(np.linalg.pinv, structural=("rcond", "hermitian", "rtol"), source=GOLUB + ", transposed")
def pinv(result, a, rcond=None, hermitian=False, *, rtol=None):
    d[a] = rt.pinv_adjoint(d[result], a, result)


@tangent(
    np.linalg.pinv, source=GOLUB + ": dX = -X dA X + X X^T dA^T (I - AX) + (I - XA) dA^T X^T X"
)
def pinv_tangent(result, a, rcond=None, hermitian=False, *, rtol=None):
    d[result] += rt.pinv_tangent(d[a], a, result)


@adjoint(
    np.linalg.matrix_power,
    structural=("n",),
    source="product rule; " + GILES + " for n < 0",
    facts=Facts(shape=SQUARE),
)
def matrix_power(result, a, n):
    d[a] = rt.matrix_power_adjoint(d[result], a, n)


@tangent(np.linalg.matrix_power, source="d(A^n) = sum_k A^k dA A^(n-1-k); A^-1 gives -A^-1 dA A^-1")
def matrix_power_tangent(result, a, n):
    d[result] += rt.matrix_power_tangent(d[a], a, n)


@adjoint(np.linalg.multi_dot, source=GILES + ": C = AB gives dA = dC B^T, dB = A^T dC")
def multi_dot(result, arrays):
    d[arrays] = rt.multi_dot_grads(d[result], arrays)


@tangent(np.linalg.multi_dot, source="product rule: one term per array with a tangent")
def multi_dot_tangent(result, arrays):
    d[result] = rt.multi_dot_tangent(arrays, d[arrays])


MULTI = "the product rule: multi_dot's adjoints are linear in g and in each array"


@adjoint(rt.multi_dot_grads, source=MULTI)
def multi_dot_grads(result, g, arrays):
    d[g] = rt.multi_dot_tangent(arrays, d[result])
    d[arrays] = rt.multi_dot_second(g, arrays, d[result])


@tangent(rt.multi_dot_grads, source=MULTI)
def multi_dot_grads_tangent(result, g, arrays):
    d[result] = rt.multi_dot_grads_tangent(d[g], g, arrays, d[arrays])


@adjoint(
    np.linalg.cond, structural=("p",), source="numpy.linalg.cond; " + GILES + ": d s = u^T dA v"
)
def cond(result, x, p=None):
    d[x] = rt.cond_adjoint(d[result], x, result, p)


@tangent(np.linalg.cond, source="numpy.linalg.cond; " + GILES + ": d s = u^T dA v, d inv")
def cond_tangent(result, x, p=None):
    d[result] += rt.cond_tangent(d[x], x, result, p)


@adjoint(np.linalg.tensorinv, structural=("ind",), source="inv of the matrix form; " + GILES)
def tensorinv(result, a, ind=2):
    d[a] = rt.tensorinv_adjoint(d[result], a, result, ind)


@tangent(np.linalg.tensorinv, source="inv of the matrix form: dB = -B dA B (" + GILES + ")")
def tensorinv_tangent(result, a, ind=2):
    d[result] += rt.tensorinv_tangent(d[a], a, result, ind)


@adjoint(np.linalg.tensorsolve, structural=("axes",), source="solve of the matrix form; " + GILES)
def tensorsolve(result, a, b, axes=None):
    d[a] = rt.tensorsolve_grad_a(d[result], a, b, result, axes)
    d[b] = rt.tensorsolve_grad_b(d[result], a, b, axes)


@tangent(np.linalg.tensorsolve, source=GILES + ": d(A^-1 b) = A^-1 (db - dA x)")
def tensorsolve_tangent(result, a, b, axes=None):
    d[result] += np.linalg.tensorsolve(a, -rt.tensorsolve_rows(d[a], result, axes), axes)
    d[result] += np.linalg.tensorsolve(a, d[b], axes)


@adjoint(np.linalg.cross, structural=("axis",), source="triple product: g.(x1 x x2) = x1.(x2 x g)")
def cross(result, x1, x2, /, *, axis=-1):
    d[x1] = rt.unbroadcast(np.linalg.cross(x2, d[result], axis=axis), x1)
    d[x2] = rt.unbroadcast(np.linalg.cross(d[result], x1, axis=axis), x2)


@tangent(np.linalg.cross, source="product rule: dx1 x x2 + x1 x dx2")
def cross_tangent(result, x1, x2, /, *, axis=-1):
    d[result] += np.linalg.cross(d[x1], x2, axis=axis)
    d[result] += np.linalg.cross(x1, d[x2], axis=axis)


@adjoint(
    np.linalg.vector_norm,
    structural=("axis", "keepdims", "ord"),
    source="numpy.linalg.vector_norm: the vector norms of numpy.linalg.norm over every axis given",
    facts=Facts(shape=REDUCTION),
)
def vector_norm(result, x, /, *, axis=None, keepdims=False, ord=2):
    d[x] = rt.vector_norm_adjoint(d[result], x, result, ord, axis, keepdims)


@tangent(np.linalg.vector_norm, source="sum(d norm / dx * dx) per output entry")
def vector_norm_tangent(result, x, /, *, axis=None, keepdims=False, ord=2):
    d[result] += rt.vector_norm_tangent(d[x], x, result, ord, axis, keepdims)


@adjoint(
    np.linalg.matrix_norm,
    structural=("keepdims", "ord"),
    source="numpy.linalg.matrix_norm = numpy.linalg.norm(x, ord, axis=(-2, -1))",
)
def matrix_norm(result, x, /, *, keepdims=False, ord="fro"):
    d[x] = rt.norm_adjoint(d[result], x, result, ord, (-2, -1), keepdims)


@tangent(np.linalg.matrix_norm, source="sum(d norm / dx * dx) per matrix")
def matrix_norm_tangent(result, x, /, *, keepdims=False, ord="fro"):
    d[result] += rt.norm_tangent(d[x], x, result, ord, (-2, -1), keepdims)
