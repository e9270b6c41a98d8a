"""Guards on cotangents that are always set (fresh-77 D7): ``if d_y is not None:`` is not
written where every path to it has given ``d_y`` a value, with a write into an array with or
without a loop; a guard stays where a path may leave the cotangent a symbolic zero."""

from __future__ import annotations

import numpy as np
from gradcheck import numeric_gradient

import s2s


def with_loop(x):
    y = np.zeros(4)
    y[0] = x[0] * 2
    for i in range(1, 4):
        y[i] = y[i - 1] * x[i]
    y[1:] += x[:3] ** 2
    return np.sum(y * y)


def no_loop(x):
    y = np.zeros(4)
    y[0] = x[0] * 2
    y[1] = y[0] * x[1]
    y[1:] += x[:3] ** 2
    return np.sum(y * y)


def maybe_unset(x, c):
    y = np.sin(x)
    if c > 0:
        s = np.sum(y)
    else:
        s = 0.0
    return s + np.sum(x)


def test_no_guard_on_a_cotangent_set_on_every_path():
    x = np.arange(4.0) + 0.5
    for f in (with_loop, no_loop):
        g = s2s.grad(f)
        grad = g(x)
        assert "d_y = y + y" in g.source
        assert "is not None" not in g.source, g.source  # was `if d_y is not None:` after it
        np.testing.assert_allclose(grad, numeric_gradient(f, (x,), 0), rtol=1e-6, atol=1e-9)


def test_a_guard_stays_where_a_path_may_leave_it_unset():
    x = np.array([0.3, -0.2, 0.9])
    for c in (1.0, -1.0):
        g = s2s.grad(maybe_unset, wrt=0)
        np.testing.assert_allclose(g(x, c), numeric_gradient(maybe_unset, (x, c), 0),
                                   rtol=1e-6, atol=1e-9)  # fmt: skip
    assert "is not None" in g.source  # d_y is set only if the first arm ran


def broadcast_write(x):
    y = np.zeros(4)
    y[1:] = x[0] * 2.0  # one number into three entries: its cotangent sums them
    y[0] = x[1] * 3.0
    return np.sum(y * y)


def test_a_write_of_the_written_part_s_shape_needs_no_unbroadcast():
    for f, x in ((with_loop, np.arange(4.0) + 0.5), (no_loop, np.arange(4.0) + 0.5),
                 (broadcast_write, np.array([0.3, -0.7]))):  # fmt: skip
        for dtype in (np.float64, np.float32):
            g = s2s.grad(f)
            grad = g(x.astype(dtype))
            assert grad.dtype == dtype
            expected = numeric_gradient(f, (x,), 0)
            np.testing.assert_allclose(grad, expected, rtol=1e-6 if dtype == np.float64 else 1e-4)
            if dtype == np.float64:  # (float32 values written into float64 zeros: a cast)
                source = g.source
        if f is broadcast_write:  # the 0-d value's cotangent sums the written part
            assert "_s2s.unbroadcast(_s2s.written_part(d_y, _np.s_[1:], y)" in source, source
        else:  # was _s2s.unbroadcast(_s2s.written_part(d_y, _np.s_[1:], y), add_1_like)
            assert "unbroadcast" not in source, source
