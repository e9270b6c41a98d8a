"""Writes into an array that carries no gradient (a mask, a weight vector), inside a loop, at an
index the loop changes by any means other than being its ``range`` index: ``m[2 - i]``,
``m[order[i]]``, ``m[j]`` with ``j`` rebound later in the trip, a ``while`` counter, a loop over
a list, a write in an ``if``, a slice ``m[i:i + 2]``.

The reverse sweep restores each trip's overwritten entries (``m[key] = tape.pop()``). The key's
names were saved for the reversed trip only when the array carried a gradient, so for a mask
every reversed trip restored at the *last* primal trip's index: the adjoints then read a wrong
``m`` and the gradient was silently wrong (a slice crashed with "could not broadcast"). The
key is now kept (taped or recomputed) for any write's restore. Each function below is checked
against central differences of the function itself, at first order (``grad``) and at second
order (``hvp``, forward over reverse, and ``grad`` of ``<grad f, v>``, reverse over reverse).
"""

from __future__ import annotations

import numpy as np
import pytest
from gradcheck import check_against_differences

import s2s


def index_expression(x):
    m = np.ones(3)
    s = x
    for i in range(3):
        m[2 - i] = 0.5
        s = s * np.cos(x * m)
    return np.sum(s)


def name_rebound_later(x):
    m = np.ones(3)
    s = x
    for i in range(3):
        s = s * np.sin(x * m)
        j = 2 - i
        m[j] = 3.0
        j = 0
    return np.sum(s)


def while_counter(x):
    m = np.ones(3)
    s = x
    k = 0
    while k < 2:
        s = s * np.sin(x * m)
        m[2 - k] = 3.0
        k = k + 1
    return np.sum(s)


def while_counter_first(x):
    m = np.ones(3)
    s = x
    k = 0
    while k < 2:
        k = k + 1
        s = s * np.sin(x * m)
        m[3 - k] = 3.0 + k
    return np.sum(s)


def int_array_index(x):
    order = np.array([2, 0, 1])
    m = np.ones(3)
    s = x
    for i in range(3):
        s = s * np.sin(x * m)
        m[order[i]] = 3.0
    return np.sum(s)


def list_index(x):
    idx = [2, 0, 1]
    m = np.ones(3)
    s = x
    for t in range(3):
        s = s * np.sin(x * m)
        m[idx[t]] = 3.0
    return np.sum(s)


def mask_index(x):
    m = np.ones(3)
    s = x
    for i in range(3):
        s = s * np.sin(x * m)
        m[np.arange(3) == 2 - i] = 3.0
    return np.sum(s)


def write_in_a_branch(x):
    m = np.ones(3)
    s = x
    for i in range(3):
        s = s * np.sin(x * m)
        if i > 0:
            m[2 - i] = 3.0
    return np.sum(s)


def copied_index(x):
    m = np.ones(3)
    s = x
    for i in range(3):
        s = s * np.sin(x * m)
        j = i
        m[j] = 3.0
    return np.sum(s)


def loop_over_a_list(x):
    m = np.ones(3)
    s = x
    for j in [2, 0, 1]:
        s = s * np.sin(x * m)
        m[j] = 3.0
    return np.sum(s)


def weights_zeroed_over_a_list(x):
    w = np.ones(3)
    s = 0.0
    for j in [2, 0, 1]:
        s = s + np.sum(np.tanh(x * w)) * s + 0.1
        w[j] = 0.0
    return s


def enumerate_reversed_range(x):
    m = np.ones(3)
    s = x
    for t, j in enumerate(range(2, -1, -1)):
        s = s * np.sin(x * m)
        m[j] = 3.0 + t
    return np.sum(s)


def nested_loops(x):
    m = np.zeros((2, 3))
    s = 0.0
    for i in range(2):
        for j in range(2):
            s = s + np.sum(np.sin(x * m[i]))
            m[i, j + 1] = 1.0 + j
    return s


def slice_bounds(x):
    m = np.ones(3)
    s = x
    for i in range(2):
        s = s * np.sin(x * m)
        m[i : i + 2] = 2.0
    return np.sum(s)


def augmented(x):
    m = np.ones(3)
    s = x
    for i in range(2):
        s = s * np.sin(x * m)
        m[2 - i] += 1.0
    return np.sum(s)


def two_writes_a_trip(x):
    k = np.zeros(3)
    s = x
    for i in range(2):
        k[i] = 2.0
        y = np.sin(x * k)
        k[i + 1] = 1.0
        s = s * y
    return np.sum(s)


def inner_loop_s_last_index(x):
    m = np.ones(3)
    s = x
    for i in range(2):
        for j in range(i + 1):  # noqa: B007 (its last value is the key below)
            s = s * np.sin(x * m)
        m[j + 1] = 3.0
    return np.sum(s)


def inner_list_loop_s_last_item(x):
    m = np.ones(3)
    s = x
    for i in range(2):
        for j in [2, 1]:  # noqa: B007 (its last value is the key below)
            s = s * np.sin(x * m)
        m[j - i] = 3.0
    return np.sum(s)


def while_true_with_a_break(x):
    m = np.ones(4)
    s = x
    k = 0
    while True:
        s = s * np.sin(x * m[:3])
        m[3 - k] = 2.0
        k = k + 1
        if k > 2:
            break
    return np.sum(s)


def index_chosen_by_a_branch(x):
    m = np.ones(3)
    s = x
    for i in range(3):
        if x[0] > 0:
            j = 2 - i
        else:
            j = i
        s = s * np.sin(x * m)
        m[j] = 3.0
    return np.sum(s)


def tuple_and_column_keys(x):
    m = np.ones((3, 3))
    s = x
    for i in range(3):
        s = s * np.sin(x * m[i])
        m[2 - i, i] = 3.0
        m[:, 2 - i] = 0.5
    return np.sum(s)


def int_array_key_made_in_the_trip(x):
    m = np.ones(3)
    s = x
    for i in range(2):
        s = s * np.sin(x * m)
        m[np.array([i, 2 - i])] = 2.0 + i
    return np.sum(s)


CASES = [
    index_expression,
    name_rebound_later,
    while_counter,
    while_counter_first,
    int_array_index,
    list_index,
    mask_index,
    write_in_a_branch,
    copied_index,
    loop_over_a_list,
    weights_zeroed_over_a_list,
    enumerate_reversed_range,
    nested_loops,
    slice_bounds,
    augmented,
    two_writes_a_trip,
    inner_loop_s_last_index,
    inner_list_loop_s_last_item,
    while_true_with_a_break,
    index_chosen_by_a_branch,
    tuple_and_column_keys,
    int_array_key_made_in_the_trip,
]
X = np.array([0.3, -0.4, 0.5])
V = np.array([0.7, -1.1, 0.4])


def hessian_of(f, x, h=1e-4):
    """The Hessian of scalar ``f`` at ``x`` by central differences of ``f`` itself (no s2s):
    ``(f(x+a+b) - f(x+a-b) - f(x-a+b) + f(x-a-b)) / 4h^2``, truncation O(h^2)."""
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
    """jvp was right before the fix; it agrees with the fixed gradient."""
    _, tangent = s2s.jvp(f)(X, V)
    assert tangent == pytest.approx(s2s.grad(f)(X) @ V, rel=1e-10, abs=1e-12)
