"""``y[0], y[1] = value``: a flat tuple target with array items among names is the writes it
means (the value first, then each target left to right, each index read as it is assigned);
it was refused with a generic "this assignment into an array is not supported yet" (fresh-96
M5). An item inside nested or starred unpacking is refused with advice, at its line."""

from __future__ import annotations

import numpy as np
import pytest
from gradcheck import numeric_gradient
from located import assert_located

import s2s

X = np.array([0.3, -0.2, 0.5])


def swap(x):
    y = x * 1.0
    y[0], y[1] = y[1], y[0] * 2
    return np.sum(y**2 * np.arange(1.0, 4.0))


def index_then_name(x):
    y = x * 1.0
    a = 0
    y[a], a = np.sin(y[2]), 1  # y[0] is written: the index is read before `a` is rebound
    y[a] = y[a] * 3
    return np.sum(y**2 * np.arange(1.0, 4.0))


def in_a_loop(x, n):
    for _ in range(n):
        y = np.zeros(3)
        y[0], y[2] = np.sin(x[1]), x[0] * x[2]
        x = x + y
    return np.sum(x**2)


@pytest.mark.parametrize(("func", "args"), [(swap, ()), (index_then_name, ()), (in_a_loop, (3,))])
def test_items_in_a_tuple_target_are_written_as_python_writes_them(func, args):
    expected = numeric_gradient(lambda x: func(x.copy(), *args), [X], 0)
    np.testing.assert_allclose(s2s.grad(func, wrt=0)(X, *args), expected, rtol=1e-6, atol=1e-9)
    value, tangent = s2s.jvp(func, wrt=0)(X, *args, np.ones(3))
    assert value == pytest.approx(func(X.copy(), *args), rel=1e-14)
    assert tangent == pytest.approx(np.sum(expected), rel=1e-6)


def test_items_in_a_tuple_target_second_order_and_checkpointed():
    hvp = s2s.hvp(swap)(X, np.ones(3))
    g = lambda x: s2s.grad(swap)(x)  # noqa: E731
    h = 1e-5
    np.testing.assert_allclose(hvp, (g(X + h) - g(X - h)) / (2 * h), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2s.grad(in_a_loop, wrt=0, checkpoint=2)(X, 4),
                               s2s.grad(in_a_loop, wrt=0)(X, 4), rtol=1e-12)  # fmt: skip


def nested_item(x):
    y = x * 1.0
    (y[0], a), b = (x[1], 2.0), 3.0  # HERE
    return np.sum(y**2) * a * b


def starred_item(x):
    y = x * 1.0
    y[0], *rest = x[1], 2.0, 3.0  # HERE
    return np.sum(y**2) * len(rest)


@pytest.mark.parametrize("func", [nested_item, starred_item])
def test_an_item_in_nested_or_starred_unpacking_is_refused_with_advice(func):
    with pytest.raises(s2s.UnsupportedSyntaxError, match="nested or starred unpacking") as info:
        s2s.grad(func)(X)
    assert_located(info.value, func, "# HERE", "`y[0] = y0`")
