"""``hvp``, ``hessian`` and ``jacobian`` objects called inside a function being differentiated
(s2s/frontend/composite_calls.py): written as the ``jvp`` calls they stack, so the caller's
derivatives are third (or second) derivatives of ``f``, checked against closed forms and
central differences."""

import numpy as np
import pytest
from gradcheck import numeric_gradient
from located import assert_located

import s2s

X = np.array([0.3, 0.7, -0.4])
V = np.array([0.2, -0.1, 0.5])


def f(x):
    return np.sum(np.sin(x) * x**2)


def f_second(x):  # f's Hessian is diagonal: these are its entries
    return -(x**2) * np.sin(x) + 4 * x * np.cos(x) + 2 * np.sin(x)


def f_third(x):
    return -(x**2) * np.cos(x) - 6 * x * np.sin(x) + 6 * np.cos(x)


def g(x):
    return np.sin(x) * x


def with_hvp(x):
    return np.sum(s2s.hvp(f)(x, np.ones_like(x)) ** 2)


def with_hessian(x):
    return np.sum(s2s.hessian(f)(x) * x)


HESSIAN = s2s.hessian(f)


def laplace(x):  # log det of the Hessian plus a ridge: a Laplace approximation's term
    return np.linalg.slogdet(HESSIAN(x) + 10.0 * np.eye(3))[1]


def with_local_hessian(x):
    h = s2s.hessian(f)
    return np.sum(h(x) ** 2)


def with_jacobian(x):
    return np.sum(s2s.jacobian(g)(x) @ x)


def with_reverse_jacobian(x):
    return np.sum(s2s.jacobian(g, mode="reverse")(x) @ x)


def test_hvp_inside_has_its_closed_form_gradient_and_tangent():
    d2 = f_second(X)
    want = 2 * d2 * f_third(X)  # d/dx sum((H 1)^2) with H = diag(d2)
    np.testing.assert_allclose(with_hvp(X), np.sum(d2**2), rtol=1e-13)
    np.testing.assert_allclose(s2s.grad(with_hvp)(X), want, rtol=1e-12)
    _, tangent = s2s.jvp(with_hvp)(X, V)
    np.testing.assert_allclose(tangent, want @ V, rtol=1e-12)


def test_hessian_inside_inline_local_and_global():
    d2, d3 = f_second(X), f_third(X)
    np.testing.assert_allclose(with_hessian(X), np.sum(d2 * X), rtol=1e-13)
    np.testing.assert_allclose(s2s.grad(with_hessian)(X), d3 * X + d2, rtol=1e-12)
    np.testing.assert_allclose(s2s.grad(with_local_hessian)(X), 2 * d2 * d3, rtol=1e-12)
    np.testing.assert_allclose(
        s2s.grad(laplace)(X), d3 / (d2 + 10.0), rtol=1e-12
    )  # d/dx log prod(d2 + 10)


def test_jacobian_inside_forward_and_reverse_objects_agree_with_the_closed_form():
    dg = np.cos(X) * X + np.sin(X)  # g's Jacobian is diag(dg)
    ddg = 2 * np.cos(X) - X * np.sin(X)
    want = ddg * X + dg
    np.testing.assert_allclose(with_jacobian(X), np.sum(dg * X), rtol=1e-13)
    np.testing.assert_allclose(s2s.grad(with_jacobian)(X), want, rtol=1e-12)
    np.testing.assert_allclose(s2s.grad(with_reverse_jacobian)(X), want, rtol=1e-12)


def energy(x, a):
    return np.sum(a * np.cos(x) * x[::-1])


def with_other_argument(x, a):
    return np.sum(s2s.hessian(energy)(x, a=a) ** 2) + np.sum(s2s.hessian(energy)(x, a)[0])


def test_hessian_inside_with_an_argument_not_differentiated_matches_differences():
    a = np.array([1.5, -0.5, 2.0])
    got = s2s.grad(with_other_argument, wrt=(0, 1))(X, a)
    np.testing.assert_allclose(
        got[0], numeric_gradient(with_other_argument, (X, a), 0), rtol=1e-6, atol=1e-8
    )
    np.testing.assert_allclose(
        got[1], numeric_gradient(with_other_argument, (X, a), 1), rtol=1e-6, atol=1e-8
    )


def quartic(m):
    return np.sum(m**4) + m[0, 0] * m[1, 1]


def with_matrix_hessian(m):
    h = s2s.hessian(quartic)(m)  # shape (2, 2, 2, 2)
    return np.sum(h * h[::-1]) + h[0, 0, 1, 1]


def test_hessian_of_a_matrix_argument_has_the_shape_of_the_object_and_its_gradient():
    m = np.array([[0.5, -1.0], [0.25, 2.0]])
    h = s2s.hessian(quartic)(m)
    assert h.shape == (2, 2, 2, 2)
    np.testing.assert_allclose(with_matrix_hessian(m), np.sum(h * h[::-1]) + h[0, 0, 1, 1])
    got = s2s.grad(with_matrix_hessian)(m)
    np.testing.assert_allclose(got, numeric_gradient(with_matrix_hessian, (m,), 0), rtol=1e-6)


def with_scalar_hessian(t):
    return s2s.hessian(lambda_free)(t) * t


def lambda_free(t):
    return np.sin(t) * t**3


def test_hessian_of_a_float_argument_is_a_scalar_and_its_derivative_is_the_third():
    t = 0.7
    second = -np.sin(t) * t**3 + 6 * t**2 * np.cos(t) + 6 * t * np.sin(t)
    third = -np.cos(t) * t**3 - 9 * t**2 * np.sin(t) + 18 * t * np.cos(t) + 6 * np.sin(t)
    np.testing.assert_allclose(with_scalar_hessian(t), second * t, rtol=1e-13)
    np.testing.assert_allclose(s2s.grad(with_scalar_hessian)(t), third * t + second, rtol=1e-12)


@pytest.mark.parametrize("outer", [with_hvp, with_hessian, with_jacobian])
def test_float32_stays_float32(outer):
    x32 = X.astype(np.float32)
    got = s2s.grad(outer)(x32)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, s2s.grad(outer)(X), rtol=2e-4, atol=1e-4)


def two(x, y):
    return np.sum(x * y**2)


def with_two_argument_hessian(x):
    return np.sum(s2s.hessian(two, wrt=(0, 1))(x, x)[0][1])


def pair(x):
    return np.sin(x), 2.0 * x


def with_tuple_jacobian(x):
    return np.sum(s2s.jacobian(pair)(x)[0])


def test_what_is_still_refused_is_located_with_advice():
    with pytest.raises(s2s.NoRuleError, match="one array or scalar argument") as info:
        s2s.grad(with_two_argument_hessian)(X)
    assert_located(info.value, with_two_argument_hessian, "s2s.hessian(two")
    with pytest.raises(s2s.NoRuleError, match="returning a tuple") as info:
        s2s.grad(with_tuple_jacobian)(X)
    assert_located(info.value, with_tuple_jacobian, "s2s.jacobian(pair)")
    assert "one jacobian per output" in str(info.value)


def f_fourth(x):
    return x**2 * np.sin(x) - 8 * x * np.cos(x) - 12 * np.sin(x)


def test_the_hvp_of_a_laplace_term_is_the_fourth_derivative_of_f():
    d2, d3, d4 = f_second(X), f_third(X), f_fourth(X)
    hessian_diagonal = d4 / (d2 + 10.0) - d3**2 / (d2 + 10.0) ** 2
    np.testing.assert_allclose(s2s.hvp(laplace)(X, V), hessian_diagonal * V, rtol=1e-11)
    np.testing.assert_allclose(s2s.hvp(with_hessian)(X, V), (f_fourth(X) * X + 2 * d3) * V,
                               rtol=1e-11)  # fmt: skip
