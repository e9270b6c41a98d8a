"""Forward mode refuses a write through a view as reverse mode does, never a wrong tangent.

``s = M[0]`` then ``M[0, 0] = 0.0`` changes ``s`` too (a row of a 2-D array is a view). Reverse
mode refuses it at the write, at run time (``_s2s.check_no_view``: whether ``M[0]`` is a view
is known only then); forward mode once ran on and gave the tangent of ``s`` before the write
(found by a fresh user). Each form of aliasing gets the same located ``MutationError`` in
``jvp``, ``jacobian`` and ``grad``; a read of an element (``M`` 1-D) is no view and works.
"""

from __future__ import annotations

import numpy as np
import pytest
from located import assert_located

import s2s

X = np.array([1.0, 2.0, 3.0])
V = np.array([0.3, -0.2, 0.5])


def row_then_write_into_the_array(x):
    M = np.outer(x, x)
    s = M[0]
    M[0, 0] = 0.0  # WRITE
    return np.sum(s * x)


def column_then_write_into_the_array(x):
    M = np.outer(x, x)
    s = M[:, 1]
    M[1, 1] = 0.0  # WRITE
    return np.sum(s * x)


def transpose_then_write_into_the_array(x):
    M = np.outer(x, x)
    s = M.T
    M[0, 1] = 5.0  # WRITE
    return np.sum(s[1] * x)


def reshape_then_write_into_the_array(x):
    M = np.outer(x, x)
    s = M.reshape(-1)
    M[0, 0] = 0.0  # WRITE
    return np.sum(s[:3] * x)


def write_into_a_row_view(x):
    M = np.outer(x, x)
    s = M[0]
    s[0] = x[1]  # WRITE
    return np.sum(M * 2.0)


def write_into_a_reshaped_view(x):
    M = np.outer(x, x)
    s = M.reshape(-1)
    s[0] = x[1] ** 2  # WRITE
    return np.sum(M[0] * x)


def write_into_a_transposed_view(x):
    M = np.outer(x, x)
    s = M.T
    s[0, 1] = x[2]  # WRITE
    return np.sum(M * x)


ALIASING = [
    row_then_write_into_the_array,
    column_then_write_into_the_array,
    transpose_then_write_into_the_array,
    reshape_then_write_into_the_array,
    write_into_a_row_view,
    write_into_a_reshaped_view,
    write_into_a_transposed_view,
]


@pytest.mark.parametrize("f", ALIASING, ids=[f.__name__ for f in ALIASING])
def test_a_write_through_a_view_is_refused_at_its_line_in_every_mode(f):
    derivatives = [
        lambda: s2s.jvp(f)(X, V),
        lambda: s2s.jacobian(f, mode="forward")(X),
        lambda: s2s.hvp(f)(X, V),
        lambda: s2s.grad(f)(X),
    ]
    for run in derivatives:
        with pytest.raises(s2s.MutationError) as info:
            run()
        assert_located(info.value, f, "# WRITE", "copy")


def element_then_write(x):
    m = x * 2.0
    s = m[0]  # an element: a new scalar, not a view
    m[0] = x[1] ** 2
    return s * np.sum(m * x)


def test_an_element_read_before_a_write_is_no_view_and_gets_its_tangent():
    s2s.check_grad(element_then_write, X, modes=("fwd", "rev"), order=1)
    s2s.check_grad(element_then_write, X, modes=("fwd",), order=2)
