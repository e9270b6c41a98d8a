"""Third order in forward mode through calls of your own functions (issue 9; fresh-89 findings
6 and 7): ``jvp`` of ``jvp`` of ``jvp`` and ``jvp`` of ``jvp`` of ``grad``, each against
central differences of the derivative one order below.

The generated JVP of a call of your function unpacked its ``(value, tangent)`` pairs in one
nested assignment (``(y, y_dot), (y_dot_2, y_dot_dot) = ...``) and a tuple argument's tangent
into names (``ys_0_dot, ys_1_dot = ys_dot``), which differentiating that code again refused
("nested or starred unpacking", "unpacking this value into names"): the forward sweep now
unpacks one level at a time and indexes the items. Forward over forward through rules whose
tangent helpers have plain twins (``np.prod``, ``solve``, ``svd``, ``np.piecewise``, ...) is
checked rule by rule in tests/test_rules_forward_second.py; here a few run to third order.
"""

from __future__ import annotations

import numpy as np
import pytest
from gradcheck import along
from test_third_order_loops import copies_written  # a loop writing into copies

import s2s

X = np.array([0.3, -0.2, 0.45])
V = np.array([1.0, 2.0, -1.0])
W = np.array([0.5, -1.0, 0.2])
A = np.array([[2.0, 0.3, 0.1], [0.3, 1.5, -0.2], [0.1, -0.2, 1.0]])


def helper(z):
    return z * np.sin(z)


def sum_list(ys):
    tot = 0.0
    for y in ys:
        tot = tot + np.sum(y * y)
    return tot


def pair(z):
    return np.sin(z), z**2


def calls_a_helper(x):
    return np.sum(helper(x) ** 2)


def passes_a_list(x):
    ys = [np.sin(x), x**2]
    return sum_list(ys)


def unpacks_a_pair(x):
    a, b = pair(x)
    return np.sum(a * b)


def nested_def(x):
    def g(z):
        return z * np.cos(z)

    return np.sum(g(x) ** 2)


def nested_def_capturing(x):
    a = x[0]

    def inner(z):
        return z * a + np.cos(z)

    return np.sum(inner(x) ** 2)


def through_rules(x):
    m = A + np.diag(x)
    s = np.linalg.svd(m)[1]
    return np.prod(np.linalg.solve(m, x + 1.0)) + np.sum(s**3) + np.linalg.det(m)


def pieces(x):
    return np.sum(np.piecewise(x, [x < 0, x >= 0], [np.sin, np.cos]) ** 3)


FUNCTIONS = [calls_a_helper, passes_a_list, unpacks_a_pair, nested_def, nested_def_capturing,
             through_rules, pieces]  # fmt: skip


@pytest.mark.parametrize("f", FUNCTIONS, ids=lambda f: f.__name__)
def test_jvp_of_jvp_of_jvp_agrees_with_differences(f):
    second = s2s.jvp(s2s.jvp(f))
    third = s2s.jvp(s2s.jvp(s2s.jvp(f)))(X, V, W, W)[1][1][1]
    expected = along(lambda y: second(y, V, W)[1][1], X, W, h=1e-5)
    np.testing.assert_allclose(third, expected, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("f", FUNCTIONS, ids=lambda f: f.__name__)
def test_jvp_of_jvp_of_grad_agrees_with_differences(f):
    hessian_v = s2s.jvp(s2s.grad(f))
    third = s2s.jvp(s2s.jvp(s2s.grad(f)))(X, V, W)[1][1]
    expected = along(lambda y: hessian_v(y, V)[1], X, W, h=1e-5)
    np.testing.assert_allclose(third, expected, rtol=1e-6, atol=1e-8)


def test_forward_over_forward_of_a_copy_in_a_loop():
    # the first order's `y_dot = _s2s.zero_tangent(y)` had no float type, so its
    # `z_dot = y_dot.copy()` in the loop was refused as a method of an object (NoRuleError)
    x, q = np.array([0.3, -0.5, 0.8]), 0.7
    first = s2s.jvp(copies_written, wrt="q")
    second = s2s.jvp(first, wrt="q")
    (_, d1), (d1_again, d2) = second(x, q, 1.0, 1.0)
    assert d1 == pytest.approx(4 * x[0] ** 2 * q**3, rel=1e-12)  # y[-1] = x[0] q**2
    assert d1_again == pytest.approx(d1, rel=1e-15)
    assert d2 == pytest.approx(12 * x[0] ** 2 * q**2, rel=1e-12)
    gradient = s2s.grad(copies_written, wrt="q")
    (_, d2_), (_, d3) = s2s.jvp(s2s.jvp(gradient, wrt="q"), wrt="q")(x, q, 1.0, 1.0)
    assert d2_ == pytest.approx(d2, rel=1e-12)
    assert d3 == pytest.approx(24 * x[0] ** 2 * q, rel=1e-12)
