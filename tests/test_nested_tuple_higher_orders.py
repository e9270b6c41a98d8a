"""Fourth and fifth derivatives through a helper given a nested tuple (or list): they equalled
the third. From the fourth order on, the pullback of a helper's pullback is differentiated as
the code generated for it given the container whole, whose unpacking ``p_item_1, p_item_2 =
p`` became copies of the tuple parameter's items (``p_item_1 = p_item_3``); activity did not
follow a copy of a tuple item, so ``p[0]``'s part of the gradient was dropped without a word
(``x e^x``: the fourth derivative 7.4509 for 9.4646, ``s2s.jvp`` of the third likewise)."""

import numpy as np
import pytest

import s2s


def product(p):
    return p[0][0] * p[1]


def product_and_square(p):
    return p[0][0] * p[1] + p[0][1] ** 2


def tuple_of_a_tuple(x):
    return product(((x,), np.exp(x)))  # x e^x


def tuple_of_a_list(x):
    return product([[x], np.exp(x)])  # x e^x, the list given as a tuple to the code


def tuple_of_two(x):
    return product_and_square(((x, x * x), np.exp(x)))  # x e^x + x^4


X = 0.7
QUARTIC = {3: 24 * X, 4: 24.0, 5: 0.0}  # x^4's derivatives at X


def exact(f, k):
    """The k-th derivative of f at X: (x e^x)^(k) = e^x (x + k), plus x^4's."""
    return np.exp(X) * (X + k) + (QUARTIC[k] if f is tuple_of_two else 0.0)


def nth(f, k, **options):
    g = f
    for _ in range(k):
        g = s2s.grad(g, **options)
    return g


@pytest.mark.parametrize("f", [tuple_of_a_tuple, tuple_of_a_list, tuple_of_two])
def test_fourth_derivative_through_a_helper_given_a_nested_tuple(f):
    third = nth(f, 3)
    assert np.isclose(third(X), exact(f, 3), rtol=1e-12)
    assert np.isclose(s2s.grad(third)(X), exact(f, 4), rtol=1e-12)  # a forward sweep
    value, tangent = s2s.jvp(third)(X, 1.0)
    assert np.isclose(value, exact(f, 3), rtol=1e-12)
    assert np.isclose(tangent, exact(f, 4), rtol=1e-12)


def test_fourth_derivative_reverse_over_reverse():
    fourth = tuple_of_a_tuple
    for _ in range(4):  # disconnected="warn" keeps the reverse sweep at every order
        fourth = s2s.grad(fourth, disconnected="warn")
    assert np.isclose(fourth(X), exact(tuple_of_a_tuple, 4), rtol=1e-12)


@pytest.mark.parametrize("f", [tuple_of_a_tuple, tuple_of_two])
def test_fifth_derivative_through_a_helper_given_a_nested_tuple(f):
    fourth = nth(f, 4)
    assert np.isclose(s2s.grad(fourth)(X), exact(f, 5), rtol=1e-12, atol=1e-12)
    value, tangent = s2s.jvp(fourth)(X, 1.0)
    assert np.isclose(value, exact(f, 4), rtol=1e-12)
    assert np.isclose(tangent, exact(f, 5), rtol=1e-12, atol=1e-12)
    h = 1e-4  # the fourth derivative's own central difference agrees too
    assert np.isclose((fourth(X + h) - fourth(X - h)) / (2 * h), exact(f, 5), rtol=1e-6)
