"""numpy's polynomial rules at the edges of their domains (issue 10): ``np.roots`` of a
polynomial with complex or repeated roots has no derivative s2s gives, and ``np.poly`` of a
matrix (its characteristic polynomial) is refused; each raises naming the line of the call."""

import numpy as np
import pytest
from gradcheck import along, numeric_gradient
from located import assert_located

import s2s


def sum_of_roots(p):
    r = np.roots(p)  # MARK
    return np.sum(r * r)


def characteristic(a):
    return np.sum(np.poly(a))  # MARK


@pytest.mark.parametrize(
    "p, words",
    [(np.array([1.0, 0.0, 1.0]), "complex roots"), (np.array([1.0, -2.0, 1.0]), "repeated root")],
)
def test_roots_without_a_derivative_raise_at_the_call(p, words):
    with pytest.raises(s2s.UndefinedGradientError, match=words) as info:
        s2s.grad(sum_of_roots)(p)
    assert_located(info.value, sum_of_roots, "# MARK")


def test_real_simple_roots_are_differentiated():
    p = np.array([1.0, -3.0, 2.0])  # roots 1 and 2: sum r^2 = (3)^2 - 2 * 2 in Vieta's terms
    # sum r^2 = (p1/p0)^2 - 2 p2/p0: gradient (-2 p1^2/p0^3 + 2 p2/p0^2, 2 p1/p0^2, -2/p0)
    expected = np.array([-2 * 9.0 + 4.0, -6.0, -2.0])
    np.testing.assert_allclose(s2s.grad(sum_of_roots)(p), expected, rtol=1e-10)


def test_poly_of_a_matrix_is_refused():
    with pytest.raises(ValueError, match="1-D sequence of roots"):
        s2s.grad(characteristic)(np.eye(2) + 0.1)


def fit_with_everything(x, y):
    return np.sum(np.polyfit(x, y, 1, full=True)[0])  # MARK


def test_polyfit_of_full_or_cov_is_refused():
    x = np.linspace(0.0, 1.0, 4)
    with pytest.raises(ValueError, match="coefficients only"):
        s2s.grad(fit_with_everything, wrt=1)(x, x**2)


def poly_of_no_roots(x):
    return np.sum(np.poly(x[:0]) * x) + np.sum(np.poly(x) ** 2)


def test_poly_of_no_roots_is_the_constant_one_in_every_mode():
    # np.poly of an empty sequence is the 0-d 1.0: its cotangent and tangent keep that shape
    x, v = np.array([0.3, -0.7, 1.1]), np.array([0.2, 0.1, -0.4])
    numeric = numeric_gradient(poly_of_no_roots, (x,), 0)
    np.testing.assert_allclose(s2s.grad(poly_of_no_roots)(x), numeric, rtol=1e-7)
    np.testing.assert_allclose(s2s.jvp(poly_of_no_roots)(x, v)[1], numeric @ v, rtol=1e-7)
    grad = s2s.grad(poly_of_no_roots)
    hessian_v = along(grad, x, v)
    np.testing.assert_allclose(s2s.hvp(poly_of_no_roots)(x, v), hessian_v, rtol=1e-6)
