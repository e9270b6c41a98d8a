"""``list(x)`` and ``tuple(x)`` of an array: the list of its rows along axis 0 (issue 9), with
a linear rule (``builtins.list``, ``builtins.tuple``; the adjoint ``_s2s.unlist`` stacks the rows'
cotangents back, zeros for a row without one), at first, second and third order, against
central differences; a loop over ``list(x)`` agrees with a loop over ``x``.
"""

from __future__ import annotations

import numpy as np
import pytest
from gradcheck import along, numeric_gradient
from test_higher_order_third import check_second_and_third_order

import s2s


def rows_of_a_matrix(x):
    rows = list(x)
    return np.sum(rows[0] * np.sin(rows[1])) + np.sum(np.stack(rows) ** 2)


def tuple_of_rows(x):  # the last row unused: a zero row in the gradient
    rows = tuple(x)
    first, second = rows[0], rows[1]
    return np.sum(np.tanh(first) * second**2)


def entries_of_a_vector(x):
    entries = list(x[0] * 2.0)
    return entries[0] * entries[1] ** 2 + np.cos(entries[-1])


def loop_over_list(x):
    s = 0.0
    for row in list(x):
        s = s + np.sum(np.sin(row) * row[0])
    return s


def loop_over_array(x):
    s = 0.0
    for row in x:
        s = s + np.sum(np.sin(row) * row[0])
    return s


def list_of_a_tuple(x, y):  # list() of a tuple of arrays: each item its own part
    items = list((x * 2.0, y))
    return np.sum(items[0] * np.exp(items[1]))


CASES = [rows_of_a_matrix, tuple_of_rows, entries_of_a_vector, loop_over_list]
X = np.array([[0.3, 0.5], [0.7, -0.2], [0.1, 0.4]])
V = np.array([[1.0, -2.0], [0.5, 0.25], [-0.3, 0.8]])


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_first_order(f):
    np.testing.assert_allclose(s2s.grad(f)(X), numeric_gradient(f, [X], 0), rtol=1e-6,
                               atol=1e-8)  # fmt: skip
    value, tangent = s2s.jvp(f)(X, V)
    assert value == f(X)
    np.testing.assert_allclose(tangent, along(f, X, V), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_second_and_third_order(f):
    check_second_and_third_order(f, X, V)


def test_a_loop_over_the_list_is_the_loop_over_the_array():
    for derivative in (s2s.grad, s2s.hessian):
        np.testing.assert_allclose(derivative(loop_over_list)(X), derivative(loop_over_array)(X),
                                   rtol=1e-12, atol=1e-14)  # fmt: skip


def test_list_of_a_tuple_of_arrays():
    y = np.array([0.2, -0.4])
    gx, gy = s2s.grad(list_of_a_tuple, wrt=(0, 1))(X[0], y)
    np.testing.assert_allclose(gx, numeric_gradient(list_of_a_tuple, [X[0], y], 0), rtol=1e-6)
    np.testing.assert_allclose(gy, numeric_gradient(list_of_a_tuple, [X[0], y], 1), rtol=1e-6)


def test_the_unused_row_gets_zeros():
    assert np.all(s2s.grad(tuple_of_rows)(X)[2] == 0.0)


def update_a_row_of_own_array(a):
    b = a * 1.0
    rows = list(b)
    rows[0] += b[1]  # Python changes b's first row too: the rows are views of b
    return np.sum(b[0] ** 2)


def update_a_row_of_the_argument(a):
    rows = tuple(a)
    rows[0][:] = a[1]  # would change the caller's array
    return np.sum(a[0] ** 2)


def rebind_a_row(a):
    rows = list(a * 1.0)
    rows[0] = a[1] * 2.0
    return np.sum(rows[0])


@pytest.mark.parametrize(
    "fn", [update_a_row_of_own_array, update_a_row_of_the_argument, rebind_a_row]
)
def test_a_write_into_the_rows_of_list_x_is_refused(fn):
    """``list(x)``'s items are views of ``x``'s rows: a write into one (``+=`` changes ``x``
    too in Python) is refused at its line, never differentiated as if the rows were copies
    (``update_a_row_of_own_array`` gave the gradient ``[2, 0, 0]`` rows for ``[4, 4, 0]``)."""
    a = np.arange(9.0).reshape(3, 3) / 10
    with pytest.raises((s2s.MutationError, s2s.UnsupportedSyntaxError)) as info:
        s2s.grad(fn)(a)
    assert info.value.where is not None and info.value.where.filename == __file__
