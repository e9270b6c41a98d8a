"""Third derivatives through ``np.piecewise``, ``np.apply_along_axis`` and
``np.apply_over_axes`` (issue 9), each against central differences of the second derivative.

Their second-order helpers (s2s/runtime/functional_second.py) are differentiated from plain
twins (s2s/runtime/plain_functional.py): each level is a gradient that s2s makes at run time
of the one below. Reverse over reverse over reverse (``grad`` three times) and forward over
that (``hvp`` of a gradient) are both checked, with a direction ``v``:
``d/dt [v . grad(v . grad f)](x + t v)`` is the third derivative contracted with ``v`` three
times.
"""

from __future__ import annotations

import numpy as np
import pytest
from gradcheck import along as difference_along

import s2s

PIECES = np.array([True, False, True, False, True, False])
LATER = np.array([False, False, True, True, False, False])  # overwrites two of PIECES


def cube(v):
    return v**3


def centered_square(v):  # not elementwise: each value depends on every entry of its piece
    return (v - np.mean(v)) ** 2


def with_pieces(x):
    """List conditions, a numpy piece, two of yours, a constant, a later overlap."""
    y = np.piecewise(x, [PIECES, ~PIECES, LATER], [np.sin, cube, centered_square, 0.5])
    return np.sum(y * x)


def with_constant(x):
    return np.sum(np.piecewise(x, [x < 0.0], [cube, 2.0]) * np.cos(x))


def norm_and_cube(v):
    return np.array([np.sum(v * v), np.sum(v**3)])


def along(x):
    return np.sum(np.apply_along_axis(norm_and_cube, 1, x.reshape(2, 3)) ** 2)


def along_numpy(x):
    return np.sum(np.apply_along_axis(np.cumsum, 0, x.reshape(3, 2)) ** 3)


def soft_total(v, axis):
    return np.log(np.sum(np.exp(v), axis=axis))  # loses axis: apply_over_axes gives it back


def over(x):
    return np.sum(np.apply_over_axes(soft_total, x.reshape(1, 2, 3), (1, -1)) ** 3)


def over_kept(x):
    return np.sum(np.apply_over_axes(np.cumsum, x.reshape(2, 3), (0, 1)) ** 3 * x.reshape(2, 3))


X = np.array([0.3, -0.5, 1.2, 0.7, -0.9, 0.4])
V = np.array([0.2, -0.4, 0.9, 0.5, -0.3, 0.8])


def _along_v(grad):
    def contracted(x):
        return np.sum(grad(x) * V)

    return contracted


def _second_along_v(f):
    return _along_v(s2s.grad(_along_v(s2s.grad(f))))


@pytest.mark.parametrize(
    "f", [with_pieces, with_constant, along, along_numpy, over, over_kept],
    ids=lambda f: f.__name__,
)  # fmt: skip
def test_third_derivative_agrees_with_differences_of_the_second(f):
    second = _second_along_v(f)
    expected = difference_along(second, X, V, 1e-4)
    reverse = np.sum(s2s.grad(second)(X) * V)
    forward = np.sum(s2s.hvp(_along_v(s2s.grad(f)))(X, V) * V)
    scale = max(1.0, abs(expected))
    assert abs(reverse - expected) <= 1e-6 * scale, (reverse, expected)
    assert abs(forward - expected) <= 1e-6 * scale, (forward, expected)


def test_grad_three_times_of_a_scalar_piecewise_with_list_conditions():
    """The README's example of the former refusal: ``grad`` of ``grad`` of ``grad`` of a
    scalar ``np.piecewise`` whose conditions are a list."""

    def f(x):
        return np.piecewise(x, [x < 0, x >= 0], [np.sin, cube])

    third = s2s.grad(s2s.grad(s2s.grad(f)))
    np.testing.assert_allclose(third(np.float64(0.7)), 6.0, rtol=1e-12)
    np.testing.assert_allclose(third(np.float64(-0.7)), -np.cos(-0.7), rtol=1e-12)


def scaled_cube(v, c):
    return v**3 * c


def through_a_helper(x):
    return np.sum(scaled_cube(x, 2.0))


def scaled_septic(v, c):
    return v**7 * c


def through_a_septic(x):
    return np.sum(scaled_septic(x, 2.0))


def test_grad_three_and_four_times_through_a_call_of_your_function():
    """The pullback of the helper's pullback is differentiated with respect to its own
    cotangent, a tuple of parts (one per differentiated argument): third order; and that
    pullback's pullback with respect to its own (fourth order)."""
    third = s2s.grad(s2s.grad(s2s.grad(through_a_helper)))
    np.testing.assert_allclose(third(np.float64(0.7)), 12.0, rtol=1e-12)
    fourth = s2s.grad(s2s.grad(s2s.grad(s2s.grad(through_a_septic))))
    np.testing.assert_allclose(fourth(np.float64(0.7)), 2.0 * 7 * 6 * 5 * 4 * 0.7**3, rtol=1e-12)


def test_grad_five_times_through_a_call_of_your_function():
    """The fifth: the pullback of the fourth level names its cotangent ``cotangent_3`` after
    its primal's parameters, and that primal (generated code) binds a local
    ``cotangent_3 = _s2s.check_cotangent(...)`` of a pullback it inlined, which shadowed the
    parameter (refused as a rebound parameter container: ``UnsupportedSyntaxError``). Such a
    local is renamed now. Against the closed form and differences of the fourth."""
    fourth = s2s.grad(s2s.grad(s2s.grad(s2s.grad(through_a_septic))))
    fifth = s2s.grad(fourth)(np.float64(0.7))
    np.testing.assert_allclose(fifth, 2.0 * 7 * 6 * 5 * 4 * 3 * 0.7**2, rtol=1e-12)
    expected = difference_along(fourth, np.float64(0.7), 1.0, 1e-4)
    np.testing.assert_allclose(fifth, expected, rtol=1e-7)


def helper_with_a_local_named_cotangent(v):
    cotangent = np.sin(v)
    return cotangent * v


def doubled_helper(x):
    return np.sum(helper_with_a_local_named_cotangent(x) * 2.0)


def test_a_local_named_as_the_pullback_s_cotangent_does_not_shadow_it():
    """Reverse over reverse differentiates the helper's pullback, whose cotangent parameter is
    ``cotangent``: the helper's own local ``cotangent`` shadowed it, and the second
    derivative was silently wrong (``[1.09, 1.53]`` for ``[3.64, 3.03]``). Against central
    differences of the first derivative."""

    def first(x):
        return np.sum(s2s.grad(doubled_helper)(x))

    x = np.array([0.3, 0.5])
    second = s2s.grad(first)(x)
    np.testing.assert_allclose(second, 2 * (2 * np.cos(x) - x * np.sin(x)), rtol=1e-12)
    expected = [difference_along(first, x, e, 1e-6) for e in np.eye(2)]
    np.testing.assert_allclose(second, expected, rtol=1e-7)


def _third_along_v(f):
    return _along_v(s2s.grad(_second_along_v(f)))


@pytest.mark.long  # 10 s to 4 min each: the fourth level's code is tens of thousands of lines
@pytest.mark.parametrize(
    "f", [with_pieces, with_constant, along, along_numpy, over, over_kept],
    ids=lambda f: f.__name__,
)  # fmt: skip
def test_fourth_derivative_agrees_with_differences_of_the_third(f):
    """Reverse four times. The third level's twin returns a list (``[d_g, d_x]``), so the
    fourth differentiates a pullback whose cotangent is a container taken apart leaf by leaf,
    and that generated pullback rebinds it (``cotangent = _s2s.check_cotangent(cotangent,
    ...)``), which the lowering of containers refused; it is named anew from that statement
    on now. ``apply_along_axis``'s loop tapes lists of parts, whose cotangents'
    ``unbroadcast`` has a transpose (``rebroadcast``) item by item now."""
    third = _third_along_v(f)
    expected = difference_along(third, X, V, 1e-4)
    fourth = np.sum(s2s.grad(third)(X) * V)
    assert abs(fourth - expected) <= 1e-6 * max(1.0, abs(expected)), (fourth, expected)
