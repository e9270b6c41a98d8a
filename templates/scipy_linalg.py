"""``scipy.linalg``: expm, sqrtm, solve_sylvester, solve_triangular, and the factor-then-solve
pairs cho_factor/cho_solve and lu_factor/lu_solve (real 2-D matrices).

Loaded only once scipy is imported (``s2s.registry.OPTIONAL_RULES``). Bodies call scipy.linalg
itself (``_s2s.lib.scipy.linalg``), so the Sylvester solves of ``sqrtm``'s rule go through
``solve_sylvester``'s rule at second order. A factorization's tuple (``(c, lower)``, ``(lu,
piv)``) flows into its solve as a tuple of names, whether bound (``f = cho_factor(a)``) or
nested (``cho_solve(cho_factor(a), b)``): the solve's gradient reaches the factor, and the
factorization's rule carries it on to the matrix (helpers in ``s2s.runtime.factored``).
"""

import numpy as np
from scipy import linalg

import s2s.runtime as rt
from s2s.registry import adjoint, d, linear, tangent
from s2s.runtime import plain_scipy

plain_scipy.mark()  # the helpers below are differentiated from plain twins (second order)

HIGHAM = 'Higham 2008, "Functions of Matrices"'
GILES = 'Giles 2008, "Collected matrix derivative results for forward and reverse mode AD"'
TRIANGULAR = ("trans", "lower", "unit_diagonal", "overwrite_b", "check_finite")


@adjoint(linalg.expm, source=HIGHAM + ", 3.2: the adjoint of L(A, .) is L(A^T, .)")
def expm(result, A):
    d[A] = rt.expm_frechet(np.matrix_transpose(A), d[result])


@tangent(linalg.expm, source=HIGHAM + ", theorem 3.6: dexp = L(A, dA), Al-Mohy and Higham 2009")
def expm_tangent(result, A):
    d[result] += rt.expm_frechet(A, d[A])


@adjoint(linalg.sqrtm, source=HIGHAM + ", 6.1: X dX + dX X = dA; adjoint X^T Y + Y X^T = G")
def sqrtm(result, A):
    d[A] = linalg.solve_sylvester(np.transpose(result), np.transpose(result), d[result])


@tangent(linalg.sqrtm, source=HIGHAM + ", 6.1: the Fréchet derivative solves X dX + dX X = dA")
def sqrtm_tangent(result, A):
    d[result] += linalg.solve_sylvester(result, result, d[A])


@adjoint(
    linalg.solve_sylvester,
    source="A X + X B = Q: A^T Y + Y B^T = G gives dQ = Y, dA = -Y X^T, dB = -X^T Y (Giles)",
)
def solve_sylvester(result, a, b, q):
    y = linalg.solve_sylvester(np.transpose(a), np.transpose(b), d[result])
    d[a] = -(y @ np.transpose(result))
    d[b] = -(np.transpose(result) @ y)
    d[q] = y


@tangent(linalg.solve_sylvester, source="A dX + dX B = dQ - dA X - X dB")
def solve_sylvester_tangent(result, a, b, q):
    d[result] += linalg.solve_sylvester(a, b, -(d[a] @ result))
    d[result] += linalg.solve_sylvester(a, b, -(result @ d[b]))
    d[result] += linalg.solve_sylvester(a, b, d[q])


@adjoint(linalg.solve_triangular, structural=TRIANGULAR, source=GILES + ", 2.3.1, on one triangle")
def solve_triangular(
    result, a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False, check_finite=True
):
    d_b = linalg.solve_triangular(
        a, d[result], trans=rt.transposed_trans(trans), lower=lower, unit_diagonal=unit_diagonal
    )
    d[a] = rt.solve_triangular_grad_a(d_b, result, trans, lower, unit_diagonal)
    d[b] = d_b


@tangent(linalg.solve_triangular, source=GILES + ", 2.3.1: dx = op(A)^-1 (db - op(dA) x)")
def solve_triangular_tangent(
    result, a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False, check_finite=True
):
    d[result] += rt.solve_triangular_tangent_a(d[a], a, result, trans, lower, unit_diagonal)
    d[result] += linalg.solve_triangular(
        a, d[b], trans=trans, lower=lower, unit_diagonal=unit_diagonal
    )


# -- factor-then-solve pairs: the factor tuple flows from the factorization to the solve ----------

MURRAY = 'Murray 2016, "Differentiation of the Cholesky decomposition"'
DE_HOOG = 'de Hoog, Anderssen and Lukas 2011, "Differentiation of matrix functionals using LU"'
FACTOR = ("lower", "overwrite_a", "check_finite")
SOLVE = ("overwrite_b", "check_finite")


@adjoint(linalg.cho_factor, outputs=2, structural=FACTOR, source=MURRAY + ", symmetrized")
def cho_factor(c, is_lower, a, lower=False, overwrite_a=False, check_finite=True):
    d[a] = rt.cho_factor_adjoint(d[c], c, is_lower, overwrite_a)


@tangent(linalg.cho_factor, source=MURRAY + ": dL = L Phi(L^-1 dA L^-T)")
def cho_factor_tangent(c, is_lower, a, lower=False, overwrite_a=False, check_finite=True):
    d[c] = rt.cho_factor_tangent(d[a], c, is_lower, overwrite_a)


@adjoint(linalg.cho_solve, structural=SOLVE, source=GILES + ", 2.3.1, through A = L L^T")
def cho_solve(result, c_and_lower, b, overwrite_b=False, check_finite=True):
    d_b = linalg.cho_solve(c_and_lower, d[result])
    d[c_and_lower] = (rt.cho_solve_grad_c(d_b, result, c_and_lower), None)
    d[b] = d_b


@tangent(linalg.cho_solve, source=GILES + ", 2.3.1: dx = A^-1 (db - dA x), dA = dL L^T + L dL^T")
def cho_solve_tangent(result, c_and_lower, b, overwrite_b=False, check_finite=True):
    d[result] += rt.cho_solve_tangent_c(d[c_and_lower], result, c_and_lower)
    d[result] += linalg.cho_solve(c_and_lower, d[b])


@adjoint(linalg.lu_factor, outputs=2, structural=FACTOR, source=DE_HOOG + ", section 3")
def lu_factor(lu, piv, a, overwrite_a=False, check_finite=True):
    d[a] = rt.lu_factor_adjoint(d[lu], lu, piv)


@tangent(
    linalg.lu_factor, source=DE_HOOG + ": F = L^-1 P^T dA U^-1, dL = L tril(F, -1), dU = triu(F) U"
)
def lu_factor_tangent(lu, piv, a, overwrite_a=False, check_finite=True):
    d[lu] = rt.lu_factor_tangent(d[a], lu, piv)


@adjoint(
    linalg.lu_solve, structural=("trans",) + SOLVE, source=GILES + ", 2.3.1, through A = P L U"
)
def lu_solve(result, lu_and_piv, b, trans=0, overwrite_b=False, check_finite=True):
    d_b = linalg.lu_solve(lu_and_piv, d[result], trans=rt.transposed_trans(trans))
    d[lu_and_piv] = (rt.lu_solve_grad_lu(d_b, result, lu_and_piv, trans), None)
    d[b] = d_b


@tangent(
    linalg.lu_solve, source=GILES + ", 2.3.1: dx = op(A)^-1 (db - op(dA) x), dA = P (dL U + L dU)"
)
def lu_solve_tangent(result, lu_and_piv, b, trans=0, overwrite_b=False, check_finite=True):
    d[result] += rt.lu_solve_tangent_lu(d[lu_and_piv], result, lu_and_piv, trans)
    d[result] += linalg.lu_solve(lu_and_piv, d[b], trans=trans)


# -- numpy.linalg's functions in scipy's spelling: numpy's helpers, scipy's options checked -------

HIGHAM_BLOCK = HIGHAM + ", theorem 3.6: L(A, E) is the upper-right block of f([[A, E], [0, A]])"
TOWNSEND = 'Townsend 2016, "Differentiating the singular value decomposition"'
WALTER = 'Walter and Lehmann 2018, "Algorithmic differentiation of linear algebra functions"'
SOLVE_OPTIONS = ("lower", "overwrite_a", "overwrite_b", "check_finite", "assume_a", "transposed")
EIGH_OPTIONS = ("lower", "eigvals_only", "overwrite_a", "overwrite_b", "type", "check_finite")
EIGH_OPTIONS += ("subset_by_index", "subset_by_value", "driver", "b")


@adjoint(linalg.solve, structural=SOLVE_OPTIONS, source=GILES + ": dB = op(A)^-T dC, dA = -dB C^T")
def solve(
    result, a, b, lower=False, overwrite_a=False, overwrite_b=False, check_finite=True,
    assume_a=None, transposed=False,
):  # fmt: skip
    d_b = linalg.solve(rt.square_matrix(a, "solve"), d[result], transposed=not transposed)
    d[a] = rt.scipy_solve_grad_a(d_b, result, transposed, assume_a)
    d[b] = d_b


@tangent(linalg.solve, source=GILES + ": C = op(A)^-1 B gives dC = op(A)^-1 (dB - op(dA) C)")
def solve_tangent(
    result, a, b, lower=False, overwrite_a=False, overwrite_b=False, check_finite=True,
    assume_a=None, transposed=False,
):  # fmt: skip
    d[result] += rt.scipy_solve_tangent_a(d[a], a, result, transposed, assume_a)
    d[result] += linalg.solve(rt.square_matrix(a, "solve"), d[b], transposed=transposed)


@linear(rt.general_matrix, structural=("assume_a", "function"), source="the identity (after "
        "a check of assume_a)")  # fmt: skip
def general_matrix(result, value, assume_a, function):
    d[value] = d[result]


@linear(rt.square_matrix, structural=("function",), source="the identity (after a check of "
        "the dimension)")  # fmt: skip
def square_matrix(result, a, function):
    d[a] = d[result]


@linear(rt.lapack_ready, source="a cast (float16 to float32): its transpose casts back")
def lapack_ready(result, a):
    d[a] = rt.unbroadcast(d[result], a)


@adjoint(
    linalg.inv,
    structural=("overwrite_a", "check_finite", "assume_a", "lower"),
    source=GILES + ": C = A^-1 gives dA = -C^T dC C^T",
)
def inv(result, a, overwrite_a=False, check_finite=True, *, assume_a=None, lower=False):
    inv_t = np.transpose(rt.general_matrix(result, assume_a, "inv"))
    d[a] = -((inv_t @ d[result]) @ inv_t)


@tangent(linalg.inv, source=GILES + ": C = A^-1 gives dC = -C dA C")
def inv_tangent(result, a, overwrite_a=False, check_finite=True, *, assume_a=None, lower=False):
    d[result] += -((rt.general_matrix(result, assume_a, "inv") @ d[a]) @ result)


@adjoint(
    linalg.det,
    structural=("overwrite_a", "check_finite"),
    source=GILES + ": d det = det tr(A^-1 dA); adjugate form (DESIGN 8)",
)
def det(result, a, overwrite_a=False, check_finite=True):
    d[a] = rt.det_adjoint(d[result], rt.lapack_ready(a))


@tangent(linalg.det, source=GILES + ": d det = tr(adj(A) dA); exact at singular A (DESIGN 8)")
def det_tangent(result, a, overwrite_a=False, check_finite=True):
    d[result] += rt.det_tangent(d[a], rt.lapack_ready(a))


@adjoint(linalg.cholesky, structural=FACTOR, source=MURRAY + ", symmetrized (upper unless lower)")
def cholesky(result, a, lower=False, overwrite_a=False, check_finite=True):
    d[a] = rt.cholesky_adjoint(d[result], result, not lower)


@tangent(linalg.cholesky, source=MURRAY + ": dL = L Phi(L^-1 dA L^-T)")
def cholesky_tangent(result, a, lower=False, overwrite_a=False, check_finite=True):
    d[result] += rt.cholesky_tangent(d[a], result, not lower)


@adjoint(
    linalg.eigh,
    outputs=2,
    structural=EIGH_OPTIONS,
    single_output={"eigvals_only": True},
    may_be_undefined=True,
    source=GILES + ", section 3.1 (the standard problem, whole spectrum)",
)
def eigh(
    w, v, a, b=None, *, lower=True, eigvals_only=False, overwrite_a=False, overwrite_b=False,
    type=1, check_finite=True, subset_by_index=None, subset_by_value=None, driver=None,
):  # fmt: skip
    d[a] = rt.scipy_eigh_adjoint(
        d[w],
        d[v],
        w,
        v,
        rt.lapack_ready(a),
        lower,
        eigvals_only,
        b,
        type,
        subset_by_index,
        subset_by_value,
    )


@tangent(linalg.eigh, source=GILES + ", section 3.1: dw = diag(V^T dA V), dV = V (F o V^T dA V)")
def eigh_tangent(
    w, v, a, b=None, *, lower=True, eigvals_only=False, overwrite_a=False, overwrite_b=False,
    type=1, check_finite=True, subset_by_index=None, subset_by_value=None, driver=None,
):  # fmt: skip
    parts = rt.scipy_eigh_tangent(
        d[a],
        w,
        v,
        rt.lapack_ready(a),
        lower,
        eigvals_only,
        b,
        type,
        subset_by_index,
        subset_by_value,
    )
    d[w] = parts[0]
    d[v] = parts[1]


@adjoint(
    linalg.svd,
    outputs=3,
    structural=("full_matrices", "compute_uv", "overwrite_a", "check_finite", "lapack_driver"),
    single_output={"compute_uv": False},
    may_be_undefined=True,
    source=TOWNSEND + "; " + GILES + ", section 3.2",
)
def svd(
    U, S, Vh, a, full_matrices=True, compute_uv=True, overwrite_a=False, check_finite=True,
    lapack_driver="gesdd",
):  # fmt: skip
    d[a] = rt.svd_adjoint(d[U], d[S], d[Vh], U, S, Vh, rt.lapack_ready(a), compute_uv)


@tangent(linalg.svd, source=TOWNSEND)
def svd_tangent(
    U, S, Vh, a, full_matrices=True, compute_uv=True, overwrite_a=False, check_finite=True,
    lapack_driver="gesdd",
):  # fmt: skip
    parts = rt.svd_tangent(d[a], U, S, Vh, rt.lapack_ready(a), full_matrices, compute_uv)
    d[U] = parts[0]
    d[S] = parts[1]
    d[Vh] = parts[2]


@adjoint(
    linalg.qr,
    outputs=2,
    structural=("overwrite_a", "lwork", "mode", "pivoting", "check_finite"),
    may_be_undefined=True,
    source=WALTER + "; Liao et al. 2019 (mode 'full' is numpy's 'complete')",
)
def qr(Q, R, a, overwrite_a=False, lwork=None, mode="full", pivoting=False, check_finite=True):
    d[a] = rt.qr_adjoint(d[Q], d[R], Q, R, a, rt.scipy_qr_mode(mode, pivoting))


@tangent(linalg.qr, source=WALTER + "; Liao et al. 2019")
def qr_tangent(Q, R, a, overwrite_a=False, lwork=None, mode="full", pivoting=False,
               check_finite=True):  # fmt: skip
    parts = rt.qr_tangent(d[a], Q, R, a, rt.scipy_qr_mode(mode, pivoting))
    d[Q] = parts[0]
    d[R] = parts[1]


@adjoint(
    linalg.lu,
    outputs=3,
    structural=("permute_l", "overwrite_a", "check_finite", "p_indices"),
    source=DE_HOOG + ": A_bar = P L^-T (tril(L^T L_bar, -1) + triu(U_bar U^T)) U^-T",
)
def lu(p, low, up, a, permute_l=False, overwrite_a=False, check_finite=True, p_indices=False):
    d[a] = rt.scipy_lu_adjoint(d[low], d[up], p, low, up, permute_l, p_indices)


@tangent(linalg.lu, source=DE_HOOG + ": F = L^-1 P^T dA U^-1, dL = L tril(F, -1), dU = triu(F) U")
def lu_tangent(p, low, up, a, permute_l=False, overwrite_a=False, check_finite=True,
               p_indices=False):  # fmt: skip
    parts = rt.scipy_lu_tangent(d[a], p, low, up, permute_l, p_indices)
    d[low] = parts[0]
    d[up] = parts[1]


@adjoint(linalg.logm, structural=("disp",), source=HIGHAM_BLOCK + "; adjoint L(A^T, G) (3.2)")
def logm(result, A, disp=None):
    d[A] = rt.logm_frechet(np.transpose(A), d[result], disp)


@tangent(linalg.logm, source=HIGHAM_BLOCK)
def logm_tangent(result, A, disp=None):
    d[result] += rt.logm_frechet(A, d[A], disp)
