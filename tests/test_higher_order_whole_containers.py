"""Third and higher derivatives through a helper given a tuple of tuples (issue 9).

A flat derivative whose function is a derivative asks that derivative for its code given the
containers whole (``Layout.nested_arguments``); that code was written from the user's helper
with the container a plain tuple argument: ``(a,), b = t`` was refused at the third order,
and a tuple item copied (``u = t[0]``) was not followed, a wrong third derivative and a zero
fourth. Now a container that stays whole is lowered as at the orders below, its leaves read
at the top (s2s/frontend/whole.py). Reverse over reverse to the fifth order through a tuple of
tuples. Values against closed forms."""

import numpy as np
import pytest

import s2s


def unpacks(t):
    (a,), b = t
    return a * a * b + np.sin(a)


def indexes(t):
    u = t[0]
    a = u[0]
    return a * a * t[1] + np.sin(a)


def through_tuples(x):
    return unpacks(((x,), 2.0 * x))


def through_lists(x):
    return indexes([[x], 2.0 * x])


def derivatives(x):
    """f = 2 x^3 + sin x: its first five derivatives."""
    return [6 * x * x + np.cos(x), 12 * x - np.sin(x), 12 - np.cos(x), np.sin(x), np.cos(x)]


@pytest.mark.parametrize("f", [through_tuples, through_lists])
def test_third_to_fifth_derivative_through_a_helper_given_a_tuple_of_tuples(f):
    """Order 3 raised UnsupportedSyntaxError (unpacking) or gave 4.0 for 11.235 (indexing);
    orders 4 and 5 gave 0.0 for sin(0.7) and cos(0.7)."""
    x = 0.7
    g = f
    for expected in derivatives(x):
        g = s2s.grad(g)
        assert g(x) == pytest.approx(expected, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("f", [through_tuples, through_lists])
def test_reverse_over_reverse_to_the_fifth_order_through_a_tuple_of_tuples(f):
    """Each order a reverse sweep (a ``disconnected`` policy other than zeros keeps it): the
    fifth raised ValueError, a cotangent of a tuple of tuples of no known type added into
    its zeros in place (``d[0] += part`` extended the list ``d[0]``)."""
    x = 0.7
    g = f
    for expected in derivatives(x):
        g = s2s.grad(g, disconnected="warn")
        assert g(x) == pytest.approx(expected, rel=1e-12, abs=1e-12)
        assert "x_dot = _s2s.seed(x)" not in g.source.split("# sibling")[0]
