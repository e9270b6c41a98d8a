"""``numpy.linalg`` decompositions with several outputs: slogdet, eigh, svd, qr and cholesky.

Each output has numpy's field name (``SlogdetResult.logabsdet``, ``EighResult.eigenvectors``,
``SVDResult.Vh``, ``QRResult.R``); ``d[output]`` is ``None`` for an output with no cotangent,
and the helpers skip its terms. ``eigh``, ``eigvalsh`` and ``cholesky`` read one triangle: the
rules assume symmetric input and return a symmetric gradient (DESIGN 7). float32 and float64
only: ``numpy.linalg`` rejects float16.
"""

import numpy as np

import s2s.runtime as rt
from s2s.registry import SQUARE, Facts, adjoint, d, tangent

GILES = 'Giles 2008, "Collected matrix derivative results for forward and reverse mode AD"'
TOWNSEND = 'Townsend 2016, "Differentiating the singular value decomposition"'
WALTER = 'Walter and Lehmann 2018, "Algorithmic differentiation of linear algebra functions"'
MURRAY = 'Murray 2016, "Differentiation of the Cholesky decomposition"'


@adjoint(np.linalg.slogdet, outputs=2, source=GILES + ": d log|det A| = tr(A^-1 dA)")
def slogdet(sign, logabsdet, a):
    d[a] = rt.slogdet_adjoint(d[logabsdet], a)


@tangent(np.linalg.slogdet, source=GILES + ": d log|det A| = tr(A^-1 dA); the sign is a step")
def slogdet_tangent(sign, logabsdet, a):
    d[logabsdet] += rt.slogdet_tangent(d[a], a)


@adjoint(
    np.linalg.eigh,
    outputs=2,
    structural=("UPLO",),
    may_be_undefined=True,
    source=GILES + ", section 3.1",
)
def eigh(eigenvalues, eigenvectors, a, UPLO="L"):
    d[a] = rt.eigh_adjoint(d[eigenvalues], d[eigenvectors], eigenvalues, eigenvectors)


@tangent(np.linalg.eigh, source=GILES + ", section 3.1: dw = diag(V^T dA V), dV = V (F o V^T dA V)")
def eigh_tangent(eigenvalues, eigenvectors, a, UPLO="L"):
    parts = rt.eigh_tangent(d[a], eigenvalues, eigenvectors)
    d[eigenvalues] = parts[0]
    d[eigenvectors] = parts[1]


@adjoint(
    np.linalg.eigvalsh,
    structural=("UPLO",),
    may_be_undefined=True,
    source=GILES + ": dw_i = v_i^T dA v_i",
)
def eigvalsh(result, a, UPLO="L"):
    d[a] = rt.eigvalsh_adjoint(d[result], a, UPLO)


@tangent(np.linalg.eigvalsh, source=GILES + ": dw_i = v_i^T dA v_i")
def eigvalsh_tangent(result, a, UPLO="L"):
    d[result] += rt.eigvalsh_tangent(d[a], a, UPLO)


# A check of the primal eigenvalues: the identity on cotangents and tangents. Not @linear, whose
# tangent is the function applied to the tangent (a zero tangent is all ties: a false refusal).
@adjoint(rt.simple_symmetric, source="the identity (a check that eigh's eigenvalues are distinct)")
def simple_symmetric(result, w):
    d[w] = d[result]


@tangent(rt.simple_symmetric, source="the identity (a check that eigh's eigenvalues are distinct)")
def simple_symmetric_tangent(result, w):
    d[result] = d[w]


# With full_matrices=True on a non-square matrix the extra columns of U (rows of Vh) are any
# orthonormal completion: the helper raises ValueError if they get a nonzero cotangent.
@adjoint(
    np.linalg.svd,
    outputs=3,
    structural=("full_matrices", "compute_uv"),
    single_output={"compute_uv": False},
    may_be_undefined=True,
    source=TOWNSEND + "; " + GILES + ", section 3.2",
)
def svd(U, S, Vh, a, full_matrices=True, compute_uv=True):
    d[a] = rt.svd_adjoint(d[U], d[S], d[Vh], U, S, Vh, a, compute_uv)


# Forward mode, full_matrices=True on a non-square matrix: the extra columns of U (rows of Vh)
# get the tangent of the completion that rotates least, exact for anything that does not depend
# on the choice of completion (reverse mode gives an undefined marker when they get a cotangent).
@tangent(np.linalg.svd, source=TOWNSEND)
def svd_tangent(U, S, Vh, a, full_matrices=True, compute_uv=True):
    parts = rt.svd_tangent(d[a], U, S, Vh, a, full_matrices, compute_uv)
    d[U] = parts[0]
    d[S] = parts[1]
    d[Vh] = parts[2]


@adjoint(np.linalg.svdvals, source=GILES + ": d s_i = u_i^T dA v_i")
def svdvals(result, x, /):
    d[x] = rt.svdvals_adjoint(d[result], x)


@tangent(np.linalg.svdvals, source=GILES + ": d s_i = u_i^T dA v_i")
def svdvals_tangent(result, x, /):
    d[result] += rt.svdvals_tangent(d[x], x)


# mode='complete' on a tall matrix: as svd, the extra columns of Q must get no cotangent.
@adjoint(
    np.linalg.qr,
    outputs=2,
    structural=("mode",),
    single_output={"mode": "r"},
    may_be_undefined=True,
    source=WALTER + "; Liao et al. 2019",
)
def qr(Q, R, a, mode="reduced"):
    d[a] = rt.qr_adjoint(d[Q], d[R], Q, R, a, mode)


@tangent(np.linalg.qr, source=WALTER + "; Liao et al. 2019")
def qr_tangent(Q, R, a, mode="reduced"):
    parts = rt.qr_tangent(d[a], Q, R, a, mode)
    d[Q] = parts[0]
    d[R] = parts[1]


@adjoint(
    np.linalg.cholesky,
    structural=("upper",),
    source=MURRAY + ", symmetrized",
    facts=Facts(shape=SQUARE),
)
def cholesky(result, a, /, *, upper=False):
    d[a] = rt.cholesky_adjoint(d[result], result, upper)


@tangent(np.linalg.cholesky, source=MURRAY + ": dL = L Phi(L^-1 dA L^-T)")
def cholesky_tangent(result, a, /, *, upper=False):
    d[result] += rt.cholesky_tangent(d[a], result, upper)
