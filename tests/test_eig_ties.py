"""eig and eigvals at a repeated eigenvalue that rounding split (fresh-113 findings 1 and 2).

LAPACK returns the two copies of the repeated eigenvalue 1 of ``P diag(1, 1, 3) P^-1`` about
1e-16 apart; exact-equality checks missed them, so the eigenvectors' derivatives came out
near 1e16 and second derivatives of ``sum(w**2)`` were wrong, with no error. A copy of a
repeated eigenvalue alone (``sort(w)[0]``) has no derivative (its one-sided ones differ): its
gradient was a number matching neither side. Both raise ``UndefinedGradientError`` now; a
symmetric function of the eigenvalues keeps its first derivative.
"""

import numpy as np
import pytest
from gradcheck import along
from located import assert_located

import s2s

_rng = np.random.default_rng(7)
P = _rng.normal(size=(3, 3))
SPLIT = P @ np.diag([1.0, 1.0, 3.0]) @ np.linalg.inv(P)  # eigenvalues 1, 1, 3 (rounded apart)
E = _rng.normal(size=(3, 3))
WEIGHTS = _rng.normal(size=(3, 3))
Q = np.linalg.qr(_rng.normal(size=(3, 3)))[0]
SYMMETRIC = Q @ np.diag([1.0, 1.0, 3.0]) @ Q.T


def eig_vectors(a):
    w, v = np.linalg.eig(a)  # MARK
    return np.sum(np.real(v) ** 2 * WEIGHTS)


def eigvals_squares(a):
    w = np.linalg.eigvals(a)  # MARK
    return np.sum(np.real(w) ** 2)


def eig_squares(a):
    w, v = np.linalg.eig(a)  # MARK
    return np.sum(np.real(w) ** 2)


def lowest_eigval(a):
    w = np.linalg.eigvals(a)  # MARK
    return np.sort(np.real(w))[0]


def lowest_eig(a):
    w, v = np.linalg.eig(a)  # MARK
    return np.sort(np.real(w))[0]


def _grad_of_grad(f):
    def first(a):
        return np.sum(s2s.grad(f)(a) * E)

    return s2s.grad(first)


@pytest.mark.parametrize("a", [SPLIT, SYMMETRIC], ids=["similar", "symmetric"])
@pytest.mark.parametrize("how", ["grad", "jvp"])
def test_eigenvectors_at_a_repeated_eigenvalue_split_by_rounding_are_refused(a, how):
    # were about 1e16 (1 / the 1e-16 gap), with no error
    with pytest.raises(s2s.UndefinedGradientError, match="repeated eigenvalue") as info:
        if how == "grad":
            s2s.grad(eig_vectors)(a)
        else:
            s2s.jvp(eig_vectors)(a, E)
    assert_located(info.value, eig_vectors, "# MARK")


@pytest.mark.parametrize("f", [eigvals_squares, eig_squares])
@pytest.mark.parametrize("how", ["hvp", "hessian", "grad of grad"])
def test_second_derivatives_at_a_repeated_eigenvalue_split_by_rounding_are_refused(f, how):
    # sum(w^2) = trace(A^2) has Hessian-vector product 2 E^T; s2s gave three different wrong
    # values (the second derivative goes through the eigenvectors' 1 / (w_j - w_i))
    with pytest.raises(s2s.UndefinedGradientError, match="repeated eigenvalue"):
        if how == "hvp":
            s2s.hvp(f)(SPLIT, E)
        elif how == "hessian":
            s2s.hessian(f)(SPLIT)
        else:
            _grad_of_grad(f)(SPLIT)


@pytest.mark.parametrize("f", [eigvals_squares, eig_squares])
def test_a_symmetric_function_at_a_repeated_eigenvalue_keeps_its_gradient(f):
    # the tied eigenvalues get equal cotangents (2 w_i): the gradient is trace(A^2)'s, 2 A^T
    np.testing.assert_allclose(s2s.grad(f)(SPLIT), 2 * SPLIT.T, atol=1e-10)
    # forward: along a direction that moves both copies of 1 alike (a polynomial in A)
    e = 0.5 * np.eye(3) + 0.2 * SPLIT @ SPLIT
    np.testing.assert_allclose(s2s.jvp(f)(SPLIT, e)[1], 2 * np.sum(SPLIT.T * e), atol=1e-10)


@pytest.mark.parametrize("f", [lowest_eigval, lowest_eig])
@pytest.mark.parametrize("a", [SPLIT, np.diag([1.0, 1.0, 3.0])], ids=["similar", "diagonal"])
def test_one_copy_of_a_repeated_eigenvalue_has_no_derivative(f, a):
    """The lowest eigenvalue at the double 1 is not differentiable along E (its one-sided
    differences differ): grad and jvp raise rather than give a number that is neither."""
    h = 1e-6
    forward, backward = (f(a + h * E) - f(a)) / h, (f(a) - f(a - h * E)) / h
    assert abs(forward - backward) > 0.1, (forward, backward)
    with pytest.raises(s2s.UndefinedGradientError, match="repeated eigenvalue") as info:
        s2s.grad(f)(a)
    assert_located(info.value, f, "# MARK")
    with pytest.raises(s2s.UndefinedGradientError, match="repeated eigenvalue"):
        s2s.jvp(f)(a, E)


@pytest.mark.parametrize("f", [lowest_eigval, lowest_eig])
def test_one_copy_moved_with_the_others_has_a_tangent(f):
    # along I + A the copies of 1 move alike (by 2): the tangent exists and is 2
    e = np.eye(3) + SPLIT
    np.testing.assert_allclose(s2s.jvp(f)(SPLIT, e)[1], along(f, SPLIT, e, 1e-6), atol=1e-6)
    np.testing.assert_allclose(s2s.jvp(f)(SPLIT, e)[1], 2.0, atol=1e-10)


@pytest.mark.parametrize("gap", [1e-2, 1e-4])
def test_close_distinct_eigenvalues_are_not_refused(gap):
    """The tolerance (64 n eps cond(V) ||A||, about 1e-12 here) refuses no gap that the
    derivatives resolve: first and second derivatives agree with differences."""
    a = P @ np.diag([1.0, 1.0 + gap, 3.0]) @ np.linalg.inv(P)
    np.testing.assert_allclose(s2s.hvp(eigvals_squares)(a, E), 2 * E.T, atol=1e-6)
    np.testing.assert_allclose(s2s.grad(eigvals_squares)(a), 2 * a.T, atol=1e-10)
    expected = along(lowest_eigval, a, E, 1e-3 * gap)
    np.testing.assert_allclose(np.sum(s2s.grad(lowest_eigval)(a) * E), expected, rtol=1e-5)
    np.testing.assert_allclose(s2s.jvp(lowest_eigval)(a, E)[1], expected, rtol=1e-5)


# -- eigh and eigvalsh: the same for one copy of a repeated eigenvalue --------------------------

E_SYM = E + E.T


def lowest_eigvalsh(a):
    return np.linalg.eigvalsh(a)[0]  # MARK


def lowest_eigh(a):
    w, v = np.linalg.eigh(a)  # MARK
    return w[0]


def eigvalsh_cubes(a):
    return np.sum(np.linalg.eigvalsh(a) ** 3)  # MARK


@pytest.mark.parametrize("f", [lowest_eigvalsh, lowest_eigh])
@pytest.mark.parametrize("a", [SYMMETRIC, np.eye(3)], ids=["rotated", "identity"])
def test_one_copy_of_a_repeated_eigenvalue_of_eigh_has_no_derivative(f, a):
    """eigvalsh(a)[0] at a double eigenvalue: the one-sided differences along E differ;
    grad gave V diag(1, 0, 0) V^T and jvp diag(V^T E V)[0], neither of them a derivative."""
    h = 1e-6
    forward, backward = (f(a + h * E_SYM) - f(a)) / h, (f(a) - f(a - h * E_SYM)) / h
    assert abs(forward - backward) > 0.1, (forward, backward)
    with pytest.raises(s2s.UndefinedGradientError, match="repeated eigenvalue") as info:
        s2s.grad(f)(a)
    assert_located(info.value, f, "# MARK")
    with pytest.raises(s2s.UndefinedGradientError, match="repeated eigenvalue"):
        s2s.jvp(f)(a, E_SYM)


@pytest.mark.parametrize("f", [lowest_eigvalsh, lowest_eigh])
def test_one_copy_of_eigh_moved_with_the_others_has_a_tangent(f):
    e = np.eye(3) + SYMMETRIC  # moves both copies of 1 by 2
    np.testing.assert_allclose(s2s.jvp(f)(SYMMETRIC, e)[1], along(f, SYMMETRIC, e, 1e-6), atol=1e-6)
    np.testing.assert_allclose(s2s.jvp(f)(SYMMETRIC, e)[1], 2.0, atol=1e-10)


def test_a_symmetric_function_of_eigvalsh_at_a_repeated_eigenvalue_keeps_its_gradient():
    np.testing.assert_allclose(
        s2s.grad(eigvalsh_cubes)(SYMMETRIC), 3 * SYMMETRIC @ SYMMETRIC, atol=1e-10
    )


def sum_of_cubed_eigenvalues(x):
    return np.sum(np.linalg.eigvalsh(np.array([[x, 0.0], [0.0, 1.0]])) ** 3)


def test_the_advice_at_a_repeated_eigenvalue_is_to_write_the_function_from_the_matrix():
    # (fresh-301) it advised "differentiate a symmetric function of the eigenvalues", which the
    # function already was: s2s follows the eigenvalues one by one
    assert s2s.grad(sum_of_cubed_eigenvalues)(1.0) == pytest.approx(3.0, rel=1e-12)
    with pytest.raises(s2s.UndefinedGradientError, match=r"np\.trace\(A @ A @ A\)"):
        s2s.jvp(sum_of_cubed_eigenvalues)(1.0, 1.0)
