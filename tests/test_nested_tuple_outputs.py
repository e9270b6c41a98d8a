"""Reverse mode through a function that returns a tuple holding tuples.

A helper of the user's returning ``((a, b), (c, d))`` was refused at its return line, and so
was reverse mode over a derivative whose output is such a tuple (a JVP of a function returning
a tuple: its value and its tangent; a JVP of a JVP): ``s2s.vjp(s2s.jvp(s2s.grad(f)))`` where
``f`` calls a helper, ``s2s.grad`` of ``jvp(jvp(g))[1][1]``. The pullback now takes a cotangent
built like the output (``None`` for an item or a whole inner tuple) and seeds it leaf by leaf.
Differentiated again (``hessian``, ``hvp``, ``grad`` of ``grad``, ``jvp`` of ``grad``, a
third or fourth derivative, the pullback under ``check_grad(order=2)``), the code reads the
cotangent tree item by item (``_s2s.item_of``, whose rules take it apart and put it back);
such a return was refused there, at its line. Each value is a closed form.
"""

from __future__ import annotations

import numpy as np
import pytest

import s2s

X = 0.7


def pairs(x):
    return ((x * x, np.sin(x)), (x, 2.0 * x))  # MARK: a tuple of tuples


def through_pairs(x):
    t = pairs(x)
    return t[0][0] * t[0][1] + t[1][0] * t[1][1]


def through_pairs_summed(x):
    t = pairs(x)
    return np.sum(t[0][0] * t[0][1] + t[1][0] * t[1][1])


def _first(x):
    return 2 * x * np.sin(x) + x * x * np.cos(x) + 4 * x


def _second(x):
    return 2 * np.sin(x) + 4 * x * np.cos(x) - x * x * np.sin(x) + 4


def test_gradient_through_a_helper_returning_tuples_of_tuples():
    assert s2s.grad(through_pairs)(X) == pytest.approx(_first(X), rel=1e-14)


def test_pullback_takes_a_cotangent_built_like_the_output():
    value, pullback = s2s.vjp(pairs)(X)
    assert value == ((X * X, np.sin(X)), (X, 2 * X))
    assert pullback(((1.0, 0.0), (0.0, 1.0))) == pytest.approx(2 * X + 2.0, rel=1e-15)
    assert pullback(((None, 1.0), None)) == pytest.approx(np.cos(X), rel=1e-15)
    with pytest.raises(s2s.CotangentError, match="a cotangent built like the output"):
        pullback((1.0, 0.0, 0.0, 1.0))


def test_gradient_of_a_jvp_through_the_helper():
    x, v = np.array([0.7, 0.3]), np.array([1.0, -0.5])

    def along(z):
        return s2s.jvp(through_pairs_summed)(z, v)[1]

    np.testing.assert_allclose(s2s.grad(along)(x), v * _second(x), rtol=1e-13)


def fourth(q):
    return q**4


def through_fourth(q):
    return np.sum(fourth(q) * q)


def test_third_derivatives_in_reverse_over_a_jvp_of_a_gradient():
    # (a fresh user) refused, at the helper's `return q**4`, with advice to return a flat tuple
    q, v = np.array([0.3, -0.6, 0.9]), np.array([0.5, 1.0, -0.2])
    (value, tangent), pullback = s2s.vjp(s2s.jvp(s2s.grad(through_fourth)))(q, v)
    np.testing.assert_allclose(value, 5 * q**4, rtol=1e-14)
    np.testing.assert_allclose(tangent, 20 * q**3 * v, rtol=1e-14)
    got = pullback((np.ones(3), np.ones(3)))  # d/dq of sum(5 q^4) + sum(20 q^3 v)
    np.testing.assert_allclose(got, 20 * q**3 + 60 * q**2 * v, rtol=1e-13)


def fifth(q):
    return np.sum(q**5)


def test_gradient_of_a_second_forward_derivative():
    q, v = np.array([0.3, -0.6, 0.9]), np.array([0.5, 1.0, -0.2])

    def curvature(z):
        return s2s.jvp(s2s.jvp(fifth))(z, v, v)[1][1]  # sum(20 z^3 v^2)

    np.testing.assert_allclose(s2s.grad(curvature)(q), 60 * q**2 * v**2, rtol=1e-13)


def _third(x):
    return 6 * np.cos(x) - 6 * x * np.sin(x) - x * x * np.cos(x)


def only_the_first_pair(x):
    t = pairs(x)  # t[1] unread: its cotangent is None as a whole inner tuple
    return np.sum(t[0][0] * t[0][1])  # x^2 sin x


def test_second_derivatives_through_the_helper():
    # (refused at the helper's return line, "differentiated to the first order only")
    assert s2s.grad(s2s.grad(through_pairs))(X) == pytest.approx(_second(X), rel=1e-13)
    assert s2s.hessian(through_pairs)(X) == pytest.approx(_second(X), rel=1e-13)
    assert s2s.hvp(through_pairs)(X, 2.0) == pytest.approx(2 * _second(X), rel=1e-13)
    value, tangent = s2s.jvp(s2s.grad(through_pairs))(X, 1.0)
    assert value == pytest.approx(_first(X), rel=1e-14)
    assert tangent == pytest.approx(_second(X), rel=1e-13)


def test_second_derivatives_of_arrays_with_an_inner_tuple_unread():
    x, v = np.array([0.7, -0.3, 1.1]), np.array([1.0, 0.5, -2.0])
    second = 2 * np.sin(x) + 4 * x * np.cos(x) - x * x * np.sin(x)  # of x^2 sin x
    np.testing.assert_allclose(s2s.hessian(only_the_first_pair)(x), np.diag(second), rtol=1e-13,
                               atol=1e-15)  # fmt: skip
    np.testing.assert_allclose(s2s.hvp(through_pairs_summed)(x, v), _second(x) * v, rtol=1e-13)

    def curvature(z):  # sum(v^2 f''(z)): reverse over forward over reverse through the helper
        return np.sum(s2s.jvp(s2s.grad(through_pairs_summed))(z, v)[1] * v)

    np.testing.assert_allclose(s2s.grad(curvature)(x), _third(x) * v * v, rtol=1e-12)


def test_third_and_fourth_derivatives_through_the_helper():
    assert s2s.grad(s2s.grad(s2s.grad(through_pairs)))(X) == pytest.approx(_third(X), rel=1e-12)
    fourth_order = -12 * np.sin(X) - 8 * X * np.cos(X) + X * X * np.sin(X)
    got = s2s.grad(s2s.grad(s2s.grad(s2s.grad(through_pairs))))(X)
    assert got == pytest.approx(fourth_order, rel=1e-12)


def test_the_helpers_pullback_differentiated_again():
    # check_grad(order=2) differentiates x -> J(x)^T u of the helper itself, forward over
    # reverse and reverse over reverse, against central differences (it raises on a mismatch)
    s2s.check_grad(pairs, np.array([0.7, -0.3, 1.1]), order=2)


def two(q):
    return q**3, np.sin(q)


V = np.array([0.5, 1.0, -0.2])


def tangent_times_value(z):
    r = s2s.jvp(two)(z, V)  # ((z^3, sin z), (3 z^2 v, cos z v)): a tuple of tuples
    return np.sum(r[1][0] * r[0][1])  # 3 z^2 v sin z


def test_second_derivatives_of_a_function_reversing_a_jvp_of_tuples():
    # reverse mode over the JVP, differentiated again, was a NoRuleError at the user's call
    z = np.array([0.3, -0.6, 0.9])
    second = V * (6 * np.sin(z) + 12 * z * np.cos(z) - 3 * z * z * np.sin(z))
    np.testing.assert_allclose(s2s.hessian(tangent_times_value)(z), np.diag(second),
                               rtol=1e-13, atol=1e-15)  # fmt: skip
    np.testing.assert_allclose(s2s.hvp(tangent_times_value)(z, V), second * V, rtol=1e-13)
