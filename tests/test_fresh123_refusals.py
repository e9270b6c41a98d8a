"""False refusals found by a fresh user (fresh-123): constructs that README says work, or that
differentiate without ``checkpoint=``, were refused with untrue messages. Each now works and
is checked against central differences, or is refused with a true located message."""

from __future__ import annotations

import numpy as np
import pytest
from gradcheck import numeric_gradient

import s2s

X3 = np.array([0.3, -0.4, 0.9])


def tuple_in_body(x, n):
    for _i in range(n):
        s = (np.sin(x), x)  # one display, bound again on each trip
        x = s[0] * s[1] + x
    return np.sum(x)


def tuple_in_body_read_whole(x, n):
    for _i in range(n):
        s = (np.sin(x), x * 2)
        x = np.stack(s).sum(axis=0) + len(s)
    return np.sum(x)


def tuple_in_body_of_a_written_array(x, n):
    for _i in range(n):
        y = x * 1.0
        y[0] = x[1] * 2
        s = (y, x)
        y = np.sin(x)
        x = s[0] * y + s[1]
    return np.sum(x)


@pytest.mark.parametrize("f", [tuple_in_body, tuple_in_body_read_whole,
                               tuple_in_body_of_a_written_array])  # fmt: skip
def test_a_tuple_made_in_a_loop_body_is_differentiated(f):
    """`s = (np.sin(x), x)` bound once in the source, in a loop's body, was refused as "bound
    to a tuple more than once" (fresh-123 5a); its items are now names of their own."""
    expected = numeric_gradient(f, [X3, 3], 0)
    np.testing.assert_allclose(s2s.grad(f)(X3, 3), expected, rtol=1e-6, atol=1e-9)
    v = np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(s2s.jvp(f)(X3, 3, v)[1], expected @ v, rtol=1e-6)


@pytest.mark.parametrize("f", [tuple_in_body, tuple_in_body_read_whole])
def test_a_tuple_made_in_a_checkpointed_loop_body_is_differentiated(f):
    expected = numeric_gradient(f, [X3, 5], 0)
    for checkpoint in (2, "auto"):
        g = s2s.grad(f, checkpoint=checkpoint)(X3, 5)
        np.testing.assert_allclose(g, expected, rtol=1e-6, atol=1e-9)
