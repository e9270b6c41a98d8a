"""numpy 2's vector products (vecdot, matvec, vecmat): bilinear, with adjoints and tangents.

Real inputs only (the complex conjugate numpy takes of the first argument is the identity).
Sources: numpy.vecdot, numpy.matvec and numpy.vecmat docs; the product rule.
"""

import numpy as np

import s2s.runtime as rt
from s2s.registry import adjoint, d, tangent


@adjoint(np.vecdot, structural=("axis",), source="numpy.vecdot = sum(x1 x2, axis); product rule")
def vecdot(result, x1, x2, /, *, axis=-1):
    g = np.expand_dims(d[result], axis)
    d[x1] = rt.unbroadcast(g * x2, x1)
    d[x2] = rt.unbroadcast(g * x1, x2)


@tangent(np.vecdot, source="product rule: vecdot(dx1, x2) + vecdot(x1, dx2)")
def vecdot_tangent(result, x1, x2, /, *, axis=-1):
    d[result] += np.vecdot(d[x1], x2, axis=axis)
    d[result] += np.vecdot(x1, d[x2], axis=axis)


@adjoint(np.matvec, source="numpy.matvec: y_i = sum_j A_ij v_j; dA = g v^T, dv = A^T g")
def matvec(result, x1, x2, /):
    g = d[result]
    d[x1] = rt.unbroadcast(np.expand_dims(g, -1) * np.expand_dims(x2, -2), x1)
    d[x2] = rt.unbroadcast(np.vecmat(g, x1), x2)


@tangent(np.matvec, source="product rule: matvec(dA, v) + matvec(A, dv)")
def matvec_tangent(result, x1, x2, /):
    d[result] += np.matvec(d[x1], x2)
    d[result] += np.matvec(x1, d[x2])


@adjoint(np.vecmat, source="numpy.vecmat: y_j = sum_i v_i A_ij; dv = A g, dA = v g^T")
def vecmat(result, x1, x2, /):
    g = d[result]
    d[x1] = rt.unbroadcast(np.matvec(x2, g), x1)
    d[x2] = rt.unbroadcast(np.expand_dims(x1, -1) * np.expand_dims(g, -2), x2)


@tangent(np.vecmat, source="product rule: vecmat(dv, A) + vecmat(v, dA)")
def vecmat_tangent(result, x1, x2, /):
    d[result] += np.vecmat(d[x1], x2)
    d[result] += np.vecmat(x1, d[x2])
