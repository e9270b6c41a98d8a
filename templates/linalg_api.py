"""numpy.linalg's array-API spellings of products, traces and diagonals (numpy 2).

Each is the numpy function of the same name with fixed axes or keyword-only options (numpy.linalg
docs); the rules are those of numpy.matmul, outer, tensordot, vecdot, trace and diagonal.
"""

import numpy as np

import s2s.runtime as rt
from s2s.registry import MATMUL, Facts, adjoint, d, linear, tangent

GILES = 'Giles 2008, "Collected matrix derivative results": C = AB gives dA = dC B^T, dB = A^T dC'


@adjoint(np.linalg.matmul, source=GILES + "; numpy.matmul", facts=Facts(shape=MATMUL))
def matmul(result, x1, x2, /):
    d[x1] = rt.matmul_grad_x1(d[result], x1, x2)
    d[x2] = rt.matmul_grad_x2(d[result], x1, x2)


@tangent(np.linalg.matmul, source="product rule: d(x1 @ x2) = dx1 @ x2 + x1 @ dx2")
def matmul_tangent(result, x1, x2, /):
    d[result] += np.matmul(d[x1], x2)
    d[result] += np.matmul(x1, d[x2])


@adjoint(np.linalg.outer, source="numpy.linalg.outer of 1-D x1, x2: out[i, j] = x1[i] x2[j]")
def outer(result, x1, x2, /):
    d[x1] = np.dot(d[result], x2)
    d[x2] = np.dot(x1, d[result])


@tangent(np.linalg.outer, source="product rule")
def outer_tangent(result, x1, x2, /):
    d[result] += np.outer(d[x1], x2)
    d[result] += np.outer(x1, d[x2])


@adjoint(np.linalg.tensordot, structural=("axes",), source="numpy.tensordot; contraction")
def tensordot(result, x1, x2, /, *, axes=2):
    d[x1] = rt.tensordot_grad_a(d[result], x1, x2, axes)
    d[x2] = rt.tensordot_grad_b(d[result], x1, x2, axes)


@tangent(np.linalg.tensordot, source="product rule")
def tensordot_tangent(result, x1, x2, /, *, axes=2):
    d[result] += np.tensordot(d[x1], x2, axes)
    d[result] += np.tensordot(x1, d[x2], axes)


@adjoint(np.linalg.vecdot, structural=("axis",), source="sum(x1 x2, axis); product rule")
def vecdot(result, x1, x2, /, *, axis=-1):
    g = np.expand_dims(d[result], axis)
    d[x1] = rt.unbroadcast(g * x2, x1)
    d[x2] = rt.unbroadcast(g * x1, x2)


@tangent(np.linalg.vecdot, source="product rule: vecdot(dx1, x2) + vecdot(x1, dx2)")
def vecdot_tangent(result, x1, x2, /, *, axis=-1):
    d[result] += np.vecdot(d[x1], x2, axis=axis)
    d[result] += np.vecdot(x1, d[x2], axis=axis)


@linear(
    np.linalg.trace,
    structural=("offset",),
    carries_masks=False,
    source="numpy.trace over the last two axes",
)
def trace(result, x, /, *, offset=0):
    d[x] = rt.untrace(d[result], x, offset, -2, -1)


@linear(np.linalg.diagonal, structural=("offset",), source="numpy.diagonal of the last two axes",
        facts=Facts(view=True))  # fmt: skip
def diagonal(result, x, /, *, offset=0):
    d[x] = rt.undiagonal(d[result], x, offset, -2, -1)
