"""Forward over forward (``s2s.jvp(s2s.jvp(f))``) through ``numpy.vectorize`` objects of four
to six arguments, and a third forward derivative through objects of two and three (issue 9).

The tangent of a call is a call of one more object, of the JVP of the per-call function
(s2s/runtime/plain_vectorized_tangent.py, with the JVP functions of 4 to 6 arguments in
plain_vectorized_tangent45.py and plain_vectorized_tangent6.py); that object has twice the
arguments, so a third forward derivative of an object of ``n <= 3`` arguments is a second of
one of ``2 n <= 6``. Each result is checked against central differences of the order below,
with some arguments constant (their tangents unused) and one excluded.
"""

from __future__ import annotations

import numpy as np
import pytest
from gradcheck import along

import s2s

X = np.array([0.5, -0.7, 1.2])
V = np.array([0.3, 1.1, -0.4])


def _four(a, b, c, e):
    return a * b * np.sin(c) * e


def _five(a, b, c, e, h):
    return a * np.cos(b) + c * e * h


def _six(a, b, c, e, h, k):
    return a * b + np.tanh(c) * e + h * h * k


FOUR, FIVE, SIX = np.vectorize(_four), np.vectorize(_five), np.vectorize(_six)
EXCLUDED = np.vectorize(_five, excluded={2})


def four_all(x):
    return np.sum(FOUR(x, x * x, x, np.exp(x)))


def four_some(x):  # the tangents of the second and last arguments are unused
    return np.sum(FOUR(x, 2.0, np.sin(x), 0.5))


def five_some(x):
    return np.sum(FIVE(x * x, x, 1.5, x, np.cos(x)))


def five_excluded(x):
    return np.sum(EXCLUDED(x, x * x, 0.75, np.sin(x), x))


def six_all(x):
    return np.sum(SIX(x, x * x, x, np.exp(-x), np.sin(x), x))


def six_one(x):
    return np.sum(SIX(1.0, 2.0, x, 0.5, 0.25, -1.0))


def _along_v(f):
    d = s2s.jvp(f)

    def tangent(x):
        return d(x, V)[1]

    return tangent


@pytest.mark.parametrize(
    "f", [four_all, four_some, five_some, five_excluded, six_all, six_one],
    ids=lambda f: f.__name__,
)  # fmt: skip
def test_forward_over_forward_agrees_with_differences(f):
    first = _along_v(f)
    _, second = s2s.jvp(first)(X, V)
    np.testing.assert_allclose(second, along(first, X, V), rtol=1e-6, atol=1e-9)


TWO = np.vectorize(lambda a, b: a * np.sin(b) + b * b * a)
THREE = np.vectorize(lambda a, b, c: a * b * np.exp(c))


def two_arguments(x):
    return np.sum(TWO(x, x * x))


def three_arguments(x):
    return np.sum(THREE(x, np.cos(x), 0.3 * x))


@pytest.mark.parametrize("f", [two_arguments, three_arguments], ids=lambda f: f.__name__)
def test_a_third_forward_derivative_agrees_with_differences(f):
    second = _along_v(_along_v(f))
    _, third = s2s.jvp(second)(X, V)
    np.testing.assert_allclose(third, along(second, X, V), rtol=1e-5, atol=1e-8)


SEVEN = np.vectorize(lambda a, b, c, e, h, k, m: a * b * c * e * h * k * m)


def seven_arguments(x):
    return np.sum(SEVEN(x, x, x, x, x, x, x))


def test_an_object_of_seven_arguments_is_refused_at_its_line():
    with pytest.raises(s2s.NoRuleError, match="7 arguments") as info:
        s2s.jvp(seven_arguments)(X, V)
    assert info.value.where is not None and "SEVEN(x" in info.value.where.text


ONE = np.vectorize(lambda a: a * np.sin(a))


def one_argument(x):
    return np.sum(ONE(x))


def test_a_fourth_forward_derivative_of_one_argument_is_exact():
    """d^4/da^4 (a sin a) = a sin a - 4 cos a, along ones: the tangent objects have 2 and then
    4 arguments."""
    ones = np.ones(2)
    x = np.array([0.5, -0.7])

    def along_ones(f):
        d = s2s.jvp(f)
        return lambda x: d(x, ones)[1]

    fourth = along_ones(along_ones(along_ones(along_ones(one_argument))))(x)
    np.testing.assert_allclose(fourth, np.sum(x * np.sin(x) - 4.0 * np.cos(x)), rtol=1e-10)
