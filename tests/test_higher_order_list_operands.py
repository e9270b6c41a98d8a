"""Third and fourth derivatives of functions that give numpy a Python list.

A list of the user's reaches a rule's own derivative code as a list: ``np.linalg.norm`` of
``[x, 2x, sin x]``, ``np.einsum`` of list operands, ``np.linalg.det`` of a nested list, ``np.var``
and ``scipy.special.logsumexp`` of a list built by ``append``. Differentiated again, that code
was refused (a list-valued ``x if p == 2 else ...`` bound twice, a tangent list of the wrong
structure, ``expanded(g) * xs_dot`` read as list repetition) at the third or fourth order, or
at the second for logsumexp. Each derivative is checked against the central difference (with
Richardson's extrapolation) of the derivative one order below.
"""

from __future__ import annotations

import gradcheck as gc
import numpy as np
import pytest

import s2s

try:  # optional: the suite runs without scipy too
    import scipy.special
except ImportError:  # pragma: no cover - its case skips
    scipy = None

X = 0.7


def norm_of_a_list(x):
    return np.linalg.norm([x, 2.0 * x, np.sin(x)])


def einsum_of_lists(x):
    return np.einsum("i,i->", [x, 2.0 * x], [np.cos(x), x])


def det_of_a_nested_list(x):
    return np.linalg.det([[x, 1.0], [np.sin(x), x * x]])


def spread_of_an_appended_list(x):
    xs = []
    for k in range(3):
        xs.append(np.sin(x * (k + 1.0)))
    return np.var(xs) + np.std(xs)


def logsumexp_of_an_appended_list(x):
    xs = []
    for k in range(3):
        xs.append(np.sin(x * (k + 1.0)))
    return scipy.special.logsumexp(xs)


def _nth_grad(f, n):
    for _ in range(n):
        f = s2s.grad(f)
    return f


CASES = [
    pytest.param(norm_of_a_list, 3, id="norm_of_a_list-3"),
    pytest.param(einsum_of_lists, 3, id="einsum_of_lists-3"),
    pytest.param(det_of_a_nested_list, 4, id="det_of_a_nested_list-4"),
    pytest.param(spread_of_an_appended_list, 3, id="spread_of_an_appended_list-3"),
    pytest.param(logsumexp_of_an_appended_list, 2, id="logsumexp_of_an_appended_list-2"),
]


@pytest.mark.parametrize(("f", "order"), CASES)
def test_derivative_of_a_list_agrees_with_differences_of_the_order_below(f, order):
    if f is logsumexp_of_an_appended_list:
        pytest.importorskip("scipy.special")
    below = _nth_grad(f, order - 1)
    expected = gc.richardson(lambda t: below(X + t), 1e-3)
    got = _nth_grad(f, order)(X)
    assert isinstance(got, float)
    assert got == pytest.approx(expected, rel=1e-6, abs=1e-8)


def test_third_derivative_of_a_spread_of_a_linear_list_is_zero():
    """var and std of ``[x, 2x, 3x]`` are ``c x**2`` and ``c' |x|``: every third derivative
    away from 0 is zero (the list read as an array, not repeated: a repetition changes it)."""

    def spread(x):
        xs = []
        for k in range(3):
            xs.append(x * (k + 1.0))
        return np.var(xs) + np.std(xs)

    assert _nth_grad(spread, 2)(X) == pytest.approx(4.0 / 3.0, rel=1e-12)
    assert _nth_grad(spread, 3)(X) == pytest.approx(0.0, abs=1e-12)
