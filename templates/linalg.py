"""``numpy.linalg``: norm, inv, solve and det (float32 and float64; numpy.linalg has no float16)."""

import numpy as np

import s2s.runtime as rt
from s2s.registry import BATCH, REDUCTION, SOLVE, SQUARE, Facts, adjoint, d, tangent

GILES = 'Giles 2008, "Collected matrix derivative results for forward and reverse mode AD"'


@adjoint(
    np.linalg.norm,
    structural=("ord", "axis", "keepdims"),
    source="numpy.linalg.norm",
    facts=Facts(shape=REDUCTION),
)
def norm(result, x, ord=None, axis=None, keepdims=False):
    d[x] = rt.norm_adjoint(d[result], x, result, ord, axis, keepdims)


@tangent(np.linalg.norm, source="numpy.linalg.norm: sum(d norm / dx * dx) per output entry")
def norm_tangent(result, x, ord=None, axis=None, keepdims=False):
    d[result] += rt.norm_tangent(d[x], x, result, ord, axis, keepdims)


@adjoint(
    np.linalg.inv, source=GILES + ": C = A^-1 gives dA = -C^T dC C^T", facts=Facts(shape=SQUARE)
)
def inv(result, a):
    inv_t = np.matrix_transpose(result)
    d[a] = -np.matmul(np.matmul(inv_t, d[result]), inv_t)


@tangent(np.linalg.inv, source=GILES + ": C = A^-1 gives dC = -C dA C")
def inv_tangent(result, a):
    d[result] += -np.matmul(np.matmul(result, d[a]), result)


@adjoint(
    np.linalg.solve,
    source=GILES + ": dB = A^-T dC, dA = -dB C^T (one more solve)",
    facts=Facts(shape=SOLVE),
)
def solve(result, a, b):
    d_b = rt.solve_cotangent(d[result], a, b)
    d[a] = rt.solve_grad_a(d_b, result, a, b)
    d[b] = rt.unbroadcast(d_b, b)


@tangent(np.linalg.solve, source=GILES + ": C = A^-1 B gives dC = A^-1 (dB - dA C)")
def solve_tangent(result, a, b):
    d[result] += rt.solve_tangent_a(d[a], result, a, b)
    d[result] += np.linalg.solve(a, d[b])


@adjoint(
    np.linalg.det,
    source=GILES + ": d det = det tr(A^-1 dA); adjugate form (DESIGN 8)",
    facts=Facts(shape=BATCH),
)
def det(result, a):
    d[a] = rt.det_adjoint(d[result], a)


@tangent(np.linalg.det, source=GILES + ": d det = tr(adj(A) dA); exact at singular A (DESIGN 8)")
def det_tangent(result, a):
    d[result] += rt.det_tangent(d[a], a)


# A check of the primal matrix: the identity on cotangents and tangents. Not @linear, whose
# tangent is the function applied to the tangent (a zero tangent is singular: a false refusal).
@adjoint(rt.invertible, source="the identity (a check that the matrix is invertible)")
def invertible(result, a):
    d[a] = d[result]


@tangent(rt.invertible, source="the identity (a check that the matrix is invertible)")
def invertible_tangent(result, a):
    d[result] = d[a]
