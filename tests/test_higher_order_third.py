"""Second and third order on the constructs first order covers (issue 9): ``hvp``, ``grad`` of
``grad``, ``jvp`` of ``grad`` of ``grad`` and ``grad`` three times, each against central
differences of the derivative one order below.

Each function is one a helper found failing at second or third order although first order
handled it: a ``while`` loop calling a function of yours with its counter (the third
derivative took the counter, popped back from the first derivative's tape, for a float, and
passed it to the helper's derivative as an argument to differentiate).
"""

from __future__ import annotations

import numpy as np
import pytest
from gradcheck import along

import s2s

X = np.array([[0.3, 0.5], [0.7, 0.2]])
V = np.array([[1.0, -2.0], [0.5, 0.25]])


def check_second_and_third_order(f, x=X, v=V):
    """``hvp`` and ``grad`` of ``<grad f, v>`` against differences of ``grad f`` along ``v``;
    ``jvp`` of that and ``grad`` of ``<it, v>`` against its differences along ``v``."""
    gradient = s2s.grad(f)
    expected = along(gradient, x, v)
    np.testing.assert_allclose(s2s.hvp(f)(x, v), expected, rtol=1e-6, atol=1e-8)
    second = s2s.grad(lambda y: np.sum(gradient(y) * v))
    np.testing.assert_allclose(second(x), expected, rtol=1e-6, atol=1e-8)
    expected = along(second, x, v, h=1e-5)
    _, tangent = s2s.jvp(second)(x, v)
    np.testing.assert_allclose(tangent, expected, rtol=1e-5, atol=1e-7)
    third = s2s.grad(lambda y: np.sum(second(y) * v))(x)
    np.testing.assert_allclose(third, expected, rtol=1e-5, atol=1e-7)


def scaled_sine(x, i):
    return np.sin(x) * (i + 1)


def scaled_sine_by_keyword(x, i=0):
    return np.sin(x) * (i + 1)


def while_counter_to_a_helper(x):
    i = 0
    s = 0.0
    while i < 3:
        s = s + np.sum(scaled_sine(x, i) ** 2)
        i += 1
    return s


def while_counter_by_keyword(x):
    i = 0
    s = 0.0
    while i < 3:
        s = s + np.sum(scaled_sine_by_keyword(x, i=i) ** 2)
        i += 1
    return s


def for_index_to_a_helper(x):
    s = 0.0
    for i in range(3):
        s = s + np.sum(scaled_sine_by_keyword(x, i=i) * x)
    return s


def while_counter_in_a_branch(x):
    i = 0
    s = np.sum(x)
    while s < 10.0 and i < 4:
        if i % 2 == 0:
            s = s + np.sum(scaled_sine(x, i) * x)
        else:
            s = s * 1.5
        i = i + 1
    return s


@pytest.mark.parametrize("f", [
    while_counter_to_a_helper, while_counter_by_keyword, for_index_to_a_helper,
    while_counter_in_a_branch,
], ids=lambda f: f.__name__)  # fmt: skip
def test_a_loop_counter_passed_to_a_helper(f):
    check_second_and_third_order(f)
