"""A list that carries no gradient, made anew in each trip of a loop: a comprehension whose
items are booleans or constants (``any(q > 0.4 for q in x)``, ``sum(1.0 for q in x if ...)``,
one in a ``while`` test), or a list of flags filled with ``append``.

The reverse sweep undoes each append by a pop, trip by trip; the list's old value (the
previous trip's list) was taped only when the list carried a gradient, so the reversed trips
popped from the last trip's list and the gradient raised ``IndexError: pop from empty list``
from the generated code. The list is now restored for any list the adjoint pops. Each
function is checked against central differences of the function itself (``grad``), at second
order (``hvp``, and ``grad`` of ``<grad f, v>``, against differences of the function) and
forward (``jvp``).
"""

from __future__ import annotations

import numpy as np
import pytest
from gradcheck import check_against_differences

import s2s


def any_in_a_for_loop(x):
    s = x
    for _ in range(3):
        c = any(q > 0.4 for q in x)
        s = s * np.sin(x * (1.0 + c))
    return np.sum(s)


def counted_with_a_condition(x):
    total = 0.0
    for i in range(3):
        n = sum(1.0 for q in x if q > 0.0)
        total = total + np.sum(np.cos(x * i)) * n
    return total


def generator_in_a_while_test(x):
    t = 0.0
    while all(q < 4.2 for q in x * (t + 1.0)):
        t = t + 1.0
    return t * np.sum(np.sin(x))


def sum_in_a_while_test(x):
    t = 0.0
    s = 0.0
    while sum(abs(q) for q in x) * t < 3.0:
        t = t + 1.0
        s = s + np.sum(np.exp(x * 0.1 * t))
    return s


def flags_read_by_the_adjoint(x):
    s = 0.0
    for i in range(3):
        flags = [q > 0.0 for q in x]
        s = s + np.sum(np.where(flags, x, 0.5 * x) ** (i + 2))
    return s


def flags_appended(x):
    s = 0.0
    for i in range(2):
        flags = []
        for q in x:
            flags.append(q * (i + 1) > 0.35)
        s = s + np.sum(np.sin(x) * np.array(flags))
    return s


CASES = [
    any_in_a_for_loop,
    counted_with_a_condition,
    generator_in_a_while_test,
    sum_in_a_while_test,
    flags_read_by_the_adjoint,
    flags_appended,
]
X = np.array([0.3, -0.4, 0.5])
V = np.array([0.7, -1.1, 0.4])


def hessian_of(f, x, h=1e-4):
    """The Hessian of scalar ``f`` at ``x`` by central differences of ``f`` itself (no s2s)."""
    n = x.size
    out = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            a, b = h * np.eye(n)[i], h * np.eye(n)[j]
            out[i, j] = (f(x + a + b) - f(x + a - b) - f(x - a + b) + f(x - a - b)) / (4 * h * h)
    return out


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_gradient_matches_differences(f):
    check_against_differences(f, X)


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_second_order_matches_differences(f):
    expected = hessian_of(f, X) @ V
    np.testing.assert_allclose(s2s.hvp(f)(X, V), expected, rtol=1e-5, atol=1e-6)
    gradient = s2s.grad(f)
    reverse_over_reverse = s2s.grad(lambda z: np.sum(gradient(z) * V))(X)
    np.testing.assert_allclose(reverse_over_reverse, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_forward_agrees(f):
    _, tangent = s2s.jvp(f)(X, V)
    assert tangent == pytest.approx(s2s.grad(f)(X) @ V, rel=1e-10, abs=1e-12)
