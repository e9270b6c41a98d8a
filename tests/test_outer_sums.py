"""Outer sums (s2s/reverse/outer_sums.py, s2s.runtime.OuterSum): a reversed loop's
``d_W += np.outer(a, g)`` becomes rows stacked and added after the loop as one product.

Each gradient is checked against central differences (float64) or the float64 gradient
(float32), with loops of zero trips, of more trips than the stacks hold (a flush inside the
loop), and where the buffer is used otherwise (no rewrite).
"""

import numpy as np
import pytest
from gradcheck import check_against_differences as check

import s2s
import s2s.runtime as rt

RNG = np.random.default_rng(1212)


def rnn(w, u, xs):
    h = np.zeros(w.shape[1])
    for t in range(xs.shape[0]):
        h = np.tanh(np.dot(h, w) + np.dot(xs[t], u))
    return np.sum(h * h)


def rnn_read_after(w, u, xs):
    h = np.zeros(w.shape[1])
    for t in range(xs.shape[0]):
        h = np.tanh(np.dot(h, w) + np.dot(xs[t], u))
    return np.sum(h * h) + np.sum(w * w)  # d_w gets a contribution before the loop


def nested(w, xs):
    total = 0.0
    for s in range(2):
        h = np.zeros(w.shape[1])
        for t in range(xs.shape[0]):
            h = np.tanh(np.dot(h, w) + xs[t] * (s + 1))
        total = total + np.sum(h)
    return total


def args(steps, n=4, m=3):
    return RNG.standard_normal((n, n)) / 3, RNG.standard_normal((m, n)) / 2, \
        RNG.standard_normal((steps, m))


@pytest.mark.parametrize("steps", [0, 1, 5, 40])
def test_stacked_outer_products_match_differences(steps):
    """40 trips of (4, 4) and (3, 4) buffers: stacks of one row (flushed every trip) and of
    one or two rows; 0 trips: the buffers stay zeros."""
    w, u, xs = args(steps)
    check(rnn, w, u, xs, wrt=(0, 1))
    derivative = s2s.grad(rnn, wrt=(0, 1))
    derivative(w, u, xs)
    assert "d_w_outer.add(h, " in derivative.source
    assert "_np.outer" not in derivative.source


def test_a_buffer_with_a_contribution_before_the_loop_keeps_its_outer_products():
    w, u, xs = args(6)
    check(rnn_read_after, w, u, xs, wrt=(0, 1))
    derivative = s2s.grad(rnn_read_after, wrt=(0, 1))
    derivative(w, u, xs)
    assert "d_w += _np.outer(" in derivative.source
    assert "d_u_outer.add(" in derivative.source


def test_nested_loops():
    w, _, xs = args(5, m=4)
    check(nested, w, xs, wrt=0)


def test_float32_gradient_matches_float64():
    w, u, xs = args(30, n=16, m=8)
    want = s2s.grad(rnn, wrt=(0, 1))(w, u, xs)
    got = s2s.grad(rnn, wrt=(0, 1))(*(a.astype(np.float32) for a in (w, u, xs)))
    for g, e in zip(got, want, strict=True):
        assert g.dtype == np.float32
        np.testing.assert_allclose(g, e, rtol=1e-4, atol=1e-5)


def test_outer_sum_copies_its_rows_and_flushes_when_full():
    out = np.zeros((8, 8))
    acc = rt.OuterSum(out)
    a, b = np.ones(8), np.arange(8.0)
    want = np.zeros((8, 8))
    for _ in range(7):  # 8 * 8 // (2 * 16) = 2 rows a stack: flushed at every second add
        acc.add(a, b)
        want += np.outer(a, b)
        a *= 2.0  # changed after it was added: the copy counts
    assert acc.flush() is out
    np.testing.assert_allclose(out, want)


def test_outer_sum_of_other_shapes_adds_at_once():
    out = np.zeros((2, 6))
    acc = rt.OuterSum(out)
    acc.add(np.ones((2, 1)), np.ones((2, 3)))  # np.outer flattens: (2,) x (6,)
    np.testing.assert_allclose(out, np.ones((2, 6)))
    acc.add(np.ones(2), np.ones(6))
    np.testing.assert_allclose(acc.flush(), 2 * np.ones((2, 6)))
