"""Cotangents made only to be freed are not written (fresh-77 D7, s10.py): ``d_y =
_s2s.zeroed_at(d_y, 0)`` right before ``del d_y``. The last restore of an array written in
place stays even where no later statement names the array: a view of it taken before the
write (``getitem_1 = out[0]`` of ``out[0] *= x``) reads the restored entries."""

from __future__ import annotations

import numpy as np
from gradcheck import numeric_gradient

import s2s


def no_loop(x):
    y = np.zeros(4)
    y[0] = x[0] * 2
    y[1] = y[0] * x[1]
    y[1:] += x[:3] ** 2
    return np.sum(y * y)


def row_scaled_in_place(x):
    out = np.ones((2, 3))
    out[0] *= x
    return np.sum(out**2)


def test_a_cotangent_made_only_to_be_freed_is_not_made():
    x = np.arange(4.0) + 0.5
    g = s2s.grad(no_loop)
    np.testing.assert_allclose(g(x), numeric_gradient(no_loop, (x,), 0), rtol=1e-6)
    assert "zeroed_at(d_y, 0)" not in g.source, g.source  # was `d_y = ...` then `del d_y`


def test_the_last_restore_stays_for_a_view_taken_before_the_write():
    x = np.array([0.3, -0.5, 0.8])
    g = s2s.grad(row_scaled_in_place)
    np.testing.assert_allclose(g(x), 2 * x, rtol=1e-12)
    assert "out[0] = tape.pop()" in g.source, g.source
