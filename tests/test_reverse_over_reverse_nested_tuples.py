"""Reverse over reverse through a helper given a tuple of tuples or of lists: the generated
pullback gives the outer tuple's cotangent as a list, which was refused as "the cotangent of
the gradient with respect to `t` must have the structure of `t`" (a cotangent the user never
passed), while forward over reverse gave the value."""

import numpy as np
import pytest

import s2s


def squares_weighted(t):
    (a,), b = t
    return np.sum(a * a * b)


def products_weighted(t):
    (a, c), b = t
    return np.sum(a * c * b + np.sin(a))


def tuple_of_a_tuple(x):
    return squares_weighted(((x,), 2 * x))  # 2 x^3


def tuple_of_a_list(x):
    return products_weighted(([x, x], 2 * x))


def tuple_of_a_tuple_of_two(x):
    return products_weighted(((x, x * x), np.cos(x)))


@pytest.mark.parametrize("f", [tuple_of_a_tuple, tuple_of_a_list, tuple_of_a_tuple_of_two])
def test_grad_of_grad_through_a_helper_given_nested_sequences(f):
    x, h = 0.7, 1e-5
    second = s2s.grad(s2s.grad(f))(x)
    assert np.isclose(second, s2s.jvp(s2s.grad(f))(x, 1.0)[1], rtol=1e-12)
    gradient = s2s.grad(f)
    assert np.isclose(second, (gradient(x + h) - gradient(x - h)) / (2 * h), rtol=1e-7)
    if f is tuple_of_a_tuple:
        assert np.isclose(second, 12 * x, rtol=1e-12)
