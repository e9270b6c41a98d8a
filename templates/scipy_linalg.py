"""``scipy.linalg``: expm, sqrtm, solve_sylvester and solve_triangular (real 2-D matrices).

Loaded only once scipy is imported (``s2s.registry.OPTIONAL_RULES``). Bodies call scipy.linalg
itself (``_s2s.lib.scipy.linalg``), so the Sylvester solves of ``sqrtm``'s rule go through
``solve_sylvester``'s rule at second order. Not covered: ``cho_factor``/``cho_solve`` and
``lu_factor``/``lu_solve`` (their factor is a packed tuple with pivots; a call raises
``NoRuleError``).
"""

import numpy as np
from scipy import linalg

import s2s.runtime as rt
from s2s.registry import adjoint, d, tangent

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
