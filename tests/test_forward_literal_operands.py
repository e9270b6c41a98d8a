"""Forward mode through a list or tuple literal given to numpy: its items' tangents count.

A literal operand of an elementwise operation in generated code (``(x, m, 0.0) - e``, from
logsumexp's adjoint given a tuple) had no tangent, nor did a literal among a call's varargs
(``np.einsum("i->", [x, x])``): the JVP dropped those terms, silently (``hessian`` of a
logsumexp of a tuple gave -2.05 for 0.528, the JVP of that einsum 0 for 2). A list put in a
template's arithmetic (``expanded(g, a) * d[a]``) is read as an array (``_np.asarray``), so a
derivative of that code is not refused as a list repetition. Each value here is a closed
form; each case failed before the fix.
"""

from __future__ import annotations

import numpy as np
import pytest

import s2s

try:  # optional: the rule tests run without scipy too
    import scipy.special
except ImportError:  # pragma: no cover - the two tests below skip
    scipy = None

X = 0.7


def logsumexp_of_a_tuple(x):
    return scipy.special.logsumexp((x, 2.0 * x, 0.0))


def logsumexp_second(x):
    e1, e2 = np.exp(x), np.exp(2 * x)
    total, first, second = e1 + e2 + 1, e1 + 2 * e2, e1 + 4 * e2
    return second / total - (first / total) ** 2


def test_second_derivative_of_logsumexp_of_a_tuple():
    pytest.importorskip("scipy.special")
    expected = logsumexp_second(X)
    assert s2s.hessian(logsumexp_of_a_tuple)(X) == pytest.approx(expected, rel=1e-12)
    assert s2s.grad(s2s.grad(logsumexp_of_a_tuple))(X) == pytest.approx(expected, rel=1e-12)
    _, tangent = s2s.jvp(s2s.grad(logsumexp_of_a_tuple))(X, 1.0)
    assert tangent == pytest.approx(expected, rel=1e-12)


def einsum_of_a_list(x):
    return np.einsum("i->", [x, x])


def einsum_squared(x):
    return einsum_of_a_list(x) ** 2


def einsum_of_two_lists(x):
    return np.einsum("i,i", [x, 1.0], [x, 2.0]) ** 2  # (x**2 + 2)**2


def test_einsum_of_a_list_operand_has_a_tangent():
    value, tangent = s2s.jvp(einsum_of_a_list)(X, 1.0)
    assert value == pytest.approx(2 * X) and tangent == pytest.approx(2.0, rel=1e-15)
    assert s2s.grad(s2s.grad(einsum_squared))(X) == pytest.approx(8.0, rel=1e-12)
    expected = 12 * X**2 + 8  # (x**4 + 4 x**2 + 4)''
    assert s2s.hessian(einsum_of_two_lists)(X) == pytest.approx(expected, rel=1e-12)
    assert s2s.grad(s2s.grad(einsum_of_two_lists))(X) == pytest.approx(expected, rel=1e-12)


def det_of_a_nested_list(x):
    return np.linalg.det([[x, 1.0], [2.0, x * x]])  # x**3 - 2


def test_det_of_a_nested_list_to_the_third_order():
    (_, first), (_, second) = s2s.jvp(s2s.jvp(det_of_a_nested_list))(X, 1.0, 1.0)
    assert first == pytest.approx(3 * X**2, rel=1e-12)
    assert second == pytest.approx(6 * X, rel=1e-12)
    third = s2s.grad(s2s.grad(s2s.grad(det_of_a_nested_list)))
    assert third(X) == pytest.approx(6.0, rel=1e-12)


def variance_of_a_list(x):
    return np.var([x, x * x, 0.0])


def variance_of_a_tuple(x):
    return np.var((x, x * x, 0.0))


@pytest.mark.parametrize("f", [variance_of_a_list, variance_of_a_tuple])
def test_variance_of_a_literal_to_the_fourth_order(f):
    # var((x, x**2, 0)) = 2 (x**2 - x**3 + x**4) / 9
    third = s2s.grad(s2s.grad(s2s.grad(f)))
    assert third(X) == pytest.approx((48 * X - 12) / 9, rel=1e-12)
    assert s2s.grad(third)(X) == pytest.approx(48 / 9, rel=1e-12)


def norm_of_a_list(x):
    return np.linalg.norm([x, 2.0 * x, 1.0])


def test_norm_of_a_list_to_the_third_order():
    # the JVP of norm's plain twin over the list's leaves read the list whole in a nested
    # call's keyword (`axis=normalize_axes(axis, np.ndim(x))`), which was left unlowered:
    # NameError: name 'x' is not defined, inside generated code; then the third order was
    # refused (the twin bound the list-valued `x if p == 2.0 else ...` twice)
    second = s2s.grad(s2s.grad(norm_of_a_list))
    r = np.sqrt(5 * X**2 + 1)
    assert second(X) == pytest.approx(5 / r - 25 * X**2 / r**3, rel=1e-12)
    assert s2s.grad(second)(X) == pytest.approx(-75 * X / r**3 + 375 * X**3 / r**5, rel=1e-10)


def det_of_rows(x):
    return np.linalg.det([[x[0], x[1]], [x[2], x[3]]])


def summed_rows(x):
    return np.sum(np.sum([[x[0], x[1]], [x[2], x[3]]], axis=0) ** 2)


def test_reverse_over_reverse_of_a_nested_list_literal():
    # (fresh-302) the cotangent of a row came back as a list of parts with None and was added
    # into an array: "Cannot cast ufunc 'add' output from dtype('O')" inside generated code
    x = np.array([0.7, -0.4, 1.3, 0.9])
    expected = np.array([[0, 0, 0, 1], [0, 0, -1, 0], [0, -1, 0, 0], [1, 0, 0, 0]], float)
    np.testing.assert_allclose(s2s.jacobian(s2s.grad(det_of_rows), mode="reverse")(x), expected,
                               atol=1e-12)  # fmt: skip
    np.testing.assert_allclose(s2s.hessian(det_of_rows)(x), expected, atol=1e-12)
    s2s.check_grad(summed_rows, x, order=2)  # raises with both values where they disagree


def logsumexp_of_powers(x):
    xs = [x]
    for _ in range(2):
        xs.append(xs[-1] * x)
    return scipy.special.logsumexp(xs)


def test_a_list_built_with_append_goes_to_a_function_with_a_rule():
    pytest.importorskip("scipy.special")
    # (fresh-302) scipy.special.logsumexp, a Python function with a rule, was taken for a
    # function of yours that might change the list: UnsupportedSyntaxError at the first order
    powers = np.array([X, X**2, X**3])
    weights = np.exp(powers) / np.sum(np.exp(powers))
    expected = np.sum(weights * np.array([1.0, 2 * X, 3 * X**2]))
    assert s2s.grad(logsumexp_of_powers)(X) == pytest.approx(expected, rel=1e-12)
