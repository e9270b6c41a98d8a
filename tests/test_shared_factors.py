"""Shared Cholesky factors (s2s/reverse/shared_factors.py): the adjoint of ``solve(K, y)``
through ``L^-1`` of ``L = cholesky(K)``, and a log-determinant's diagonal cotangent handed to
the Cholesky adjoint as a diagonal; each against central differences, with the text that
says whether the rewrite applied."""

import numpy as np
import pytest
from gradcheck import check_against_differences, check_directional, fresh

import s2s
import s2s.runtime as rt

RNG = np.random.default_rng(20261207)


def kernel(n, scale=1.0):
    x = np.sort(RNG.uniform(0.0, 3.0, n))
    d = x[:, None] - x[None, :]
    return np.exp(-0.5 * d * d / scale) + 0.3 * np.eye(n)


K0 = kernel(6)
Y0 = RNG.standard_normal(6)
UPPER = np.triu(RNG.standard_normal((6, 6)), 1)  # not read by cholesky (lower triangle)


def gp(s, y):
    K = K0 * s + np.eye(6)
    L = np.linalg.cholesky(K)
    alpha = np.linalg.solve(K, y)
    return 0.5 * np.dot(y, alpha) + np.sum(np.log(np.diag(L)))


def source(f, *args, wrt=(0,)):
    g = s2s.grad(f, wrt=wrt)
    g(*args)
    return g.source


def test_gp_shares_the_factor_and_matches_differences():
    text = source(gp, 1.3, Y0, wrt=(0, 1))
    assert "L_inverse = _s2s.lower_inverse(L)" in text
    assert "_s2s.solve_cotangent_factored(" in text and "_s2s.solve_cotangent(" not in text
    assert "_s2s.cholesky_diagonal_adjoint(d_diag_1, L, L_inverse)" in text
    assert "_s2s.undiag(" not in text
    check_against_differences(gp, 1.3, Y0, wrt=(0, 1))


def test_the_shared_gradient_equals_the_unshared_one(monkeypatch):
    import s2s.pipeline

    shared = s2s.grad(gp, wrt=(0, 1))(1.3, Y0)
    monkeypatch.setattr(s2s.pipeline, "share_cholesky_factors", lambda *a: None)
    plain_grad = s2s.grad(fresh(gp), wrt=(0, 1))
    plain = plain_grad(1.3, Y0)
    assert "lower_inverse" not in plain_grad.source
    for a, b in zip(shared, plain, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def nonsymmetric(s, y):
    K = K0 * s + np.eye(6) + UPPER  # cholesky reads K0 * s + I; solve reads all of K
    L = np.linalg.cholesky(K)
    return np.dot(y, np.linalg.solve(K, y)) + np.sum(np.log(np.diag(L)))


def test_a_nonsymmetric_matrix_solves_with_its_transpose():
    # the rewrite applies (the names match) but the values are not symmetric: L^-T L^-1 would
    # solve with K0 * s + I, not K^T; the guard falls back to the general solve
    assert "solve_cotangent_factored" in source(nonsymmetric, 1.3, Y0)
    check_against_differences(nonsymmetric, 1.3, Y0, wrt=(0, 1))


def another_matrix(s, y):
    K = K0 * s + np.eye(6)
    M = K0 + s * np.eye(6)
    L = np.linalg.cholesky(K)
    return np.dot(y, np.linalg.solve(M, y)) + np.sum(np.log(np.diag(L)))


def rebound(s, y):
    K = K0 * s + np.eye(6)
    L = np.linalg.cholesky(K)
    K = K + s * np.eye(6)
    return np.dot(y, np.linalg.solve(K, y)) + np.sum(np.log(np.diag(L)))


def upper_factor(s, y):
    K = K0 * s + np.eye(6)
    U = np.linalg.cholesky(K, upper=True)
    return np.dot(y, np.linalg.solve(K, y)) + np.sum(np.log(np.diag(U)))


@pytest.mark.parametrize("f", [another_matrix, rebound, upper_factor])
def test_no_sharing_where_the_solve_reads_another_value(f):
    text = source(f, 1.3, Y0)
    assert "lower_inverse" not in text and "solve_cotangent_factored" not in text
    check_against_differences(f, 1.3, Y0, wrt=(0, 1))


def both_uses(s, y):
    K = K0 * s + np.eye(6)
    L = np.linalg.cholesky(K)
    return np.dot(y, np.linalg.solve(K, y)) + np.sum(np.log(np.diag(L))) + np.sum(L * L[0])


def test_a_factor_read_twice_keeps_its_full_cotangent():
    text = source(both_uses, 1.3, Y0)
    assert "lower_inverse" in text and "cholesky_diagonal_adjoint" not in text
    check_against_differences(both_uses, 1.3, Y0, wrt=(0, 1))


def columns(s, Y):
    K = K0 * s + np.eye(6)
    L = np.linalg.cholesky(K)
    return np.sum(Y * np.linalg.solve(K, Y)) + np.sum(L * L)  # a full cotangent of L


def test_a_matrix_right_hand_side_and_a_full_cotangent():
    Y = RNG.standard_normal((6, 3))
    assert "solve_cotangent_factored" in source(columns, 1.3, Y)
    check_against_differences(columns, 1.3, Y, wrt=(0, 1))


def stacked(s, y):
    K = K0 * s + np.eye(6) * np.array([1.0, 2.0])[:, None, None]
    L = np.linalg.cholesky(K)
    return np.sum(y * np.linalg.solve(K, y) ** 2) + np.sum(L * L)


def test_a_stack_of_matrices():
    y = RNG.standard_normal(6)  # one vector for each matrix: x is (2, 6)
    assert "solve_cotangent_factored" in source(stacked, 1.3, y)
    check_against_differences(stacked, 1.3, y, wrt=(0, 1))


def test_float32_stays_float32():
    s, y = np.float32(1.3), Y0.astype(np.float32)
    g32 = s2s.grad(gp, wrt=(0, 1))(s, y)
    g64 = s2s.grad(gp, wrt=(0, 1))(1.3, Y0)
    for a, b in zip(g32, g64, strict=True):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_the_factored_cotangent_equals_the_general_one():
    K = kernel(7)
    L = np.linalg.cholesky(K)
    inverse = rt.lower_inverse(L)
    for g, b in [(RNG.standard_normal(7), Y0), (RNG.standard_normal((7, 2)), np.ones((7, 2)))]:
        np.testing.assert_allclose(
            rt.solve_cotangent_factored(g, K, b, inverse), rt.solve_cotangent(g, K, b), rtol=1e-10
        )
    # float32 matrix and a float64 cotangent: the general solve, in float64
    K32, L32 = K.astype(np.float32), L.astype(np.float32)
    got = rt.solve_cotangent_factored(np.ones(7), K32, np.ones(7), rt.lower_inverse(L32))
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, rt.solve_cotangent(np.ones(7), K32, np.ones(7)))
    # no inverse (another namespace or dtype): the general solve
    assert rt.lower_inverse(L.astype(np.float16)) is None
    np.testing.assert_array_equal(
        rt.solve_cotangent_factored(np.ones(7), K, np.ones(7), None),
        rt.solve_cotangent(np.ones(7), K, np.ones(7)),
    )


def test_a_nan_matrix_is_not_called_symmetric():
    K = kernel(5)
    inverse = rt.lower_inverse(np.linalg.cholesky(K))
    K[0, 0] = np.nan
    got = rt.solve_cotangent_factored(np.ones(5), K, np.ones(5), inverse)
    with np.errstate(invalid="ignore"):
        want = rt.solve_cotangent(np.ones(5), K, np.ones(5))
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))


def test_the_diagonal_cholesky_adjoint_equals_the_full_one():
    K = kernel(6)
    L = np.linalg.cholesky(K)
    g = RNG.standard_normal(6)
    full = rt.cholesky_adjoint(rt.undiag(g, L, 0), L, False)
    np.testing.assert_allclose(rt.cholesky_diagonal_adjoint(g, L), full, rtol=1e-12)
    np.testing.assert_allclose(
        rt.cholesky_diagonal_adjoint(g, L, rt.lower_inverse(L)), full, rtol=1e-12
    )
    assert rt.cholesky_diagonal_adjoint(g.astype(np.float32), L.astype(np.float32)).dtype == (
        np.float32
    )


@pytest.mark.parametrize("f", [gp, nonsymmetric, columns])
def test_pullbacks_against_differences(f):
    y = RNG.standard_normal((6, 3)) if f is columns else Y0
    check_directional(f, (1.3, y), (0, 1), np.random.default_rng(5))
