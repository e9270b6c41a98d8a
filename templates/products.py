"""Products: dot, matmul, vdot, outer, tensordot, einsum and inner (the transpose of each
factor)."""

import numpy as np

import s2s.runtime as rt
from s2s.proven import proven
from s2s.registry import DOT, MATMUL, OUTER, Facts, adjoint, d, nondifferentiable, tangent

GILES = (
    'Giles 2008, "Collected matrix derivative results for forward and reverse mode AD": '
    "C = AB gives dA = dC B^T, dB = A^T dC"
)


@adjoint(np.dot, source=GILES + "; numpy.dot for the N-d contraction", facts=Facts(shape=DOT))
def dot(result, a, b):
    d[a] = rt.dot_grad_a(d[result], a, b)
    d[b] = rt.dot_grad_b(d[result], a, b)


# np.dot of proven float vectors and matrices of one dtype (the contraction is matmul's)
@proven(np.dot, kinds=("matrix", "matrix"), source=GILES)
def dot_matrices(result, a, b):
    d[a] = d[result] @ b.T
    d[b] = a.T @ d[result]


@proven(np.dot, kinds=("vector", "matrix"), source=GILES + "; a vector times a matrix")
def dot_vector_matrix(result, a, b):
    d[a] = b @ d[result]
    d[b] = np.outer(a, d[result])


@proven(np.dot, kinds=("matrix", "vector"), source=GILES + "; a matrix times a vector")
def dot_matrix_vector(result, a, b):
    d[a] = np.outer(d[result], b)
    d[b] = a.T @ d[result]


@proven(np.dot, kinds=("vector", "vector"), source="an inner product: d(a . b) = da . b + a . db")
def dot_vectors(result, a, b):
    d[a] = d[result] * b
    d[b] = d[result] * a


@tangent(np.dot, source="product rule: d(ab) = da b + a db")
def dot_tangent(result, a, b):
    d[result] += np.dot(d[a], b)
    d[result] += np.dot(a, d[b])


@adjoint(
    np.matmul,
    source=GILES + "; numpy.matmul for 1-D promotion and batch broadcasting",
    facts=Facts(shape=MATMUL),
)
def matmul(result, x1, x2, /):
    d[x1] = rt.matmul_grad_x1(d[result], x1, x2)
    d[x2] = rt.matmul_grad_x2(d[result], x1, x2)


# x1 @ x2 (np.matmul and np.linalg.matmul) of proven float matrices, or a matrix and a vector
@proven((np.matmul, np.linalg.matmul), kinds=("matrix", "matrix"), source=GILES)
def matmul_matrices(result, x1, x2, /):
    d[x1] = d[result] @ x2.T
    d[x2] = x1.T @ d[result]


@proven((np.matmul, np.linalg.matmul), kinds=("vector", "matrix"), source=GILES)
def matmul_vector_matrix(result, x1, x2, /):
    d[x1] = x2 @ d[result]
    d[x2] = np.outer(x1, d[result])


@proven((np.matmul, np.linalg.matmul), kinds=("matrix", "vector"), source=GILES)
def matmul_matrix_vector(result, x1, x2, /):
    d[x1] = np.outer(d[result], x2)
    d[x2] = x1.T @ d[result]


@tangent(np.matmul, source="product rule: d(x1 @ x2) = dx1 @ x2 + x1 @ dx2")
def matmul_tangent(result, x1, x2, /):
    d[result] += np.matmul(d[x1], x2)
    d[result] += np.matmul(x1, d[x2])


@adjoint(np.vdot, source="numpy.vdot: the dot of the flattened (real) inputs")
def vdot(result, a, b, /):
    d[a] = rt.unbroadcast(np.reshape(d[result] * b, rt.shape_of(a)), a)
    d[b] = rt.unbroadcast(np.reshape(d[result] * a, rt.shape_of(b)), b)


@tangent(np.vdot, source="product rule")
def vdot_tangent(result, a, b, /):
    d[result] += np.vdot(d[a], b)
    d[result] += np.vdot(a, d[b])


@adjoint(
    np.outer, source="numpy.outer: out[i, j] = ravel(a)[i] ravel(b)[j]", facts=Facts(shape=OUTER)
)
def outer(result, a, b):
    d[a] = rt.unbroadcast(np.reshape(np.dot(d[result], np.ravel(b)), rt.shape_of(a)), a)
    d[b] = rt.unbroadcast(np.reshape(np.dot(np.ravel(a), d[result]), rt.shape_of(b)), b)


@tangent(np.outer, source="product rule")
def outer_tangent(result, a, b):
    d[result] += np.outer(d[a], b)
    d[result] += np.outer(a, d[b])


@adjoint(np.tensordot, structural=("axes",), source="numpy.tensordot; contraction transposes")
def tensordot(result, a, b, axes=2):
    d[a] = rt.tensordot_grad_a(d[result], a, b, axes)
    d[b] = rt.tensordot_grad_b(d[result], a, b, axes)


@tangent(np.tensordot, source="product rule")
def tensordot_tangent(result, a, b, axes=2):
    d[result] += np.tensordot(d[a], b, axes)
    d[result] += np.tensordot(a, d[b], axes)


@adjoint(np.einsum, structural=("subscripts", "optimize"), source="numpy.einsum; multilinearity")
def einsum(result, subscripts, /, *operands, optimize=False):
    d[operands] = rt.einsum_grads(d[result], subscripts, operands, optimize)


@tangent(np.einsum, source="numpy.einsum; multilinearity: one term per operand")
def einsum_tangent(result, subscripts, /, *operands, optimize=False):
    d[result] = rt.einsum_tangent(subscripts, operands, d[operands], optimize)


SECOND = "numpy.einsum; multilinearity: the adjoints are linear in g and in each operand"


@adjoint(rt.einsum_grads, structural=("subscripts", "optimize"), source=SECOND)
def einsum_grads(result, g, subscripts, operands, optimize=False):
    d[g] = rt.einsum_tangent(subscripts, operands, d[result], optimize)
    d[operands] = rt.einsum_second(g, subscripts, operands, d[result], optimize)


@tangent(rt.einsum_grads, source=SECOND)
def einsum_grads_tangent(result, g, subscripts, operands, optimize=False):
    d[result] = rt.einsum_grads_tangent(d[g], g, subscripts, operands, d[operands], optimize)


@adjoint(rt.einsum_of, structural=("subscripts", "optimize"), source="numpy.einsum; multilinearity")
def einsum_of(result, subscripts, operands, optimize=False):
    d[operands] = rt.einsum_grads(d[result], subscripts, operands, optimize)


@tangent(rt.einsum_of, source="numpy.einsum; multilinearity: one term per operand")
def einsum_of_tangent(result, subscripts, operands, optimize=False):
    d[result] = rt.einsum_tangent(subscripts, operands, d[operands], optimize)


nondifferentiable(rt.inner_axes, reason="reads only the arguments' dimensions", metadata=True)


@adjoint(np.inner, source="numpy.inner = tensordot(a, b, (-1, -1)) (a product for a scalar)")
def inner(result, a, b, /):
    d[a] = rt.tensordot_grad_a(d[result], a, b, rt.inner_axes(a, b))
    d[b] = rt.tensordot_grad_b(d[result], a, b, rt.inner_axes(a, b))


@tangent(np.inner, source="product rule: inner(da, b) + inner(a, db)")
def inner_tangent(result, a, b, /):
    d[result] += np.inner(d[a], b)
    d[result] += np.inner(a, d[b])
