"""``jvp`` of ``jvp`` of a function writing into a mask or index array it made, at computed
indices in a loop (fresh-108 F5).

The first jvp's code names ``m[0]`` (``getitem_1 = m[0]; add_1 = 1 + getitem_1``) after the
loop's write ``m[i % 2, 3 - i] = ...``; differentiated again, ``getitem_1`` was taken as a view
still read after the next trip's write, and the run-time check refused it with a
``MutationError`` naming only generated code. Each second tangent is checked against central
differences of the first jvp along the same direction.
"""

from __future__ import annotations

import numpy as np
import pytest
from gradcheck import along

import s2s


def mask_2d(x):  # a 2-D mask written at computed indices, read by rows
    m = np.zeros((2, 4))
    s = x * 1.0
    for i in range(4):
        m[i % 2, 3 - i] = x[i] > 0
        s = s * (1 + m[0]) + m[1] * np.cos(s)
    return np.sum(s)


def index_array(x):  # an int index array written in a loop, read by element and by slice
    idx = np.zeros(4, dtype=int)
    s = 0.0
    for i in range(4):
        idx[i] = (i * 3) % 4
        s = s + x[idx[i]] * x[idx[: i + 1]].sum()
    return s


X = np.array([0.4, -0.9, 1.3, 0.2])
V = np.array([1.0, 0.5, -0.3, 0.7])


@pytest.mark.parametrize("f", [mask_2d, index_array], ids=lambda f: f.__name__)
def test_forward_over_forward(f):
    inner = s2s.jvp(f)
    (value, tangent), (_, second) = s2s.jvp(inner)(X, V, V)
    assert value == f(X)
    np.testing.assert_allclose(tangent, along(f, X, V), rtol=1e-6, atol=1e-8)
    expected = along(lambda y: inner(y, V)[1], X, V, h=1e-5)
    assert abs(expected) > 1e-3  # the second derivative is not trivially zero
    np.testing.assert_allclose(second, expected, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(second, s2s.hvp(f)(X, V) @ V, rtol=1e-8, atol=1e-10)


def read_before_the_next_binding(x):  # `r` of the last trip is read after this trip's write
    m = np.zeros((2, 4))
    s = x * 1.0
    r = m[0]
    for i in range(4):
        m[i % 2, 3 - i] = 1.0
        s = s * (1 + r)
        r = m[0]
    return np.sum(s)


@pytest.mark.parametrize("derivative", [s2s.jvp, lambda f: s2s.jvp(s2s.jvp(f))],
                         ids=["jvp", "jvp_of_jvp"])  # fmt: skip
def test_a_view_read_after_the_write_is_still_refused(derivative):
    """Python's ``r`` sees the write (a row view of ``m``): still refused at the user's line."""
    args = (X, V) if derivative is s2s.jvp else (X, V, V)
    with pytest.raises(s2s.MutationError, match="is a view of the entries written"):
        derivative(read_before_the_next_binding)(*args)
