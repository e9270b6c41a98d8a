"""Reverse mode over s2s's own third-order code of ``np.einsum`` and
``np.linalg.multi_dot``: ``s2s.vjp(s2s.jvp(s2s.jvp(s2s.grad(f))))``.

It was a ``UsageError`` about a "tangents" container: that code calls the JVP of
``einsum_tangent(subscripts, operands, tangents)``, and activity took ``tangents`` for a
value the pullback depends on because it reads ``check_tangent(x_dot, x, ...)``, whose ``x``
is structural (read for its shape only); reverse mode over the JVP then needed a derivative
with respect to a container the JVP does not differentiate. A runtime call's structural
arguments now carry no dependence (:func:`s2s.analysis.paths.connecting_reads`). Under it,
reverse over the JVP of a plain twin popped a list it had not put back
(``listcomp_2_dot.pop()`` from an empty list: a list made again in each trip of a loop and
appended to, whose appends are undone by pops, went on the tape only when active); the
same first-order bug is below (``IndexError``, now the closed form). Each value against
central differences of the derivative one order below.
"""

from __future__ import annotations

import numpy as np
import pytest
from gradcheck import numeric_gradient

import s2s

A = np.array([[1.0, 0.3, -0.2], [0.1, 0.8, 0.5]])
B = np.array([[0.5, -1.0, 0.3], [0.2, 0.4, -0.1], [1.0, 0.1, 0.7]])


def einsum_matrix_vector(x):
    return np.sum(np.einsum("ij,j->i", A, x) ** 3)


def einsum_matrices(x):
    return np.sum(np.einsum("ij,jk->ik", A, np.outer(x, x)) ** 2)


def multi_dot_matrices(x):
    return np.sum(np.linalg.multi_dot([A, B, x]) ** 3)


def multi_dot_vectors(x):
    return np.sum(np.linalg.multi_dot([x, B, x]) ** 3)


X = np.array([0.3, -0.6, 0.9])
V = np.array([0.5, 1.0, -0.2])
W = np.array([1.0, -0.5, 0.25])
U = ((np.ones(3), np.array([1.0, 2.0, -1.0])), (np.array([0.5, 0.0, 1.0]), np.ones(3)))


@pytest.mark.parametrize(
    "f", [einsum_matrix_vector, einsum_matrices, multi_dot_matrices, multi_dot_vectors]
)
def test_reverse_over_a_third_forward_derivative(f):
    third = s2s.jvp(s2s.jvp(s2s.grad(f)))
    value, pullback = s2s.vjp(third)(X, V, W)
    np.testing.assert_allclose(value[1][1], third(X, V, W)[1][1], rtol=1e-14)

    def weighted(z):  # <U, third(z)>: the pullback of U is its gradient
        (a, b), (c, e) = third(z, V, W)
        return np.sum(a * U[0][0] + b * U[0][1] + c * U[1][0] + e * U[1][1])

    np.testing.assert_allclose(pullback(U), numeric_gradient(weighted, [X], 0), rtol=1e-7,
                               atol=1e-8)  # fmt: skip


def lists_made_in_each_trip(x):
    s = 0.0
    for k in range(3):
        ys = []
        zs = []  # no gradient: its appends are undone too
        for i in range(2):
            ys.append(x * i)
            zs.append(float(i + k))
        s = s + np.sum(ys[1] * x) * zs[1]
    return s  # sum(x^2) (1 + 2 + 3)


def test_a_list_without_gradient_made_in_each_trip_comes_back_from_the_tape():
    x = np.array([0.3, -0.6])
    np.testing.assert_allclose(s2s.grad(lists_made_in_each_trip)(x), 12 * x, rtol=1e-15)
    np.testing.assert_allclose(s2s.hessian(lists_made_in_each_trip)(x), 12 * np.eye(2),
                               rtol=1e-15)  # fmt: skip
