"""``grad`` of a derivative with respect to one real scalar is written as one forward sweep.

The gradient of a derivative (higher order) with respect to a single real scalar ``x`` is the
output's tangent for ``x``'s tangent 1 (s2s/forward/gradient.py): no tape of a tape. Each test
fails where the reverse sweep was written instead (its source holds a tape), or where the
forward sweep gave another number, type or error than the reverse one.
"""

from __future__ import annotations

import numpy as np
import pytest

import s2s

STEP = 1e-5


def loop_with_a_branch(x):
    y = 0.0
    for _ in range(3):
        if x > 0.5:
            y = y + np.sin(x * y + x)
        else:
            y = y + x * x
    return y


def cubic(x):
    return x**3 + 2.0 * x**2


def helper(a, b):
    return np.exp(a) * b


def through_a_helper(x):
    return helper(0.5 * x, x)


def reverse_only(f):  # a disconnected policy other than zeros keeps the reverse sweep
    return s2s.grad(f, disconnected="warn")


def nested(f, k, make=s2s.grad):
    for _ in range(k):
        f = make(f)
    return f


@pytest.mark.parametrize("f", [loop_with_a_branch, cubic, through_a_helper])
@pytest.mark.parametrize("x", [0.3, 0.7])
def test_second_and_third_derivatives_agree_with_reverse_over_reverse(f, x):
    for k in (2, 3):
        forward = nested(f, k)(x)
        reverse = nested(f, k, reverse_only)(x)
        assert forward == pytest.approx(reverse, rel=1e-12, abs=1e-12)
        below = nested(f, k - 1)
        differences = (below(x + STEP) - below(x - STEP)) / (2 * STEP)
        assert forward == pytest.approx(differences, rel=1e-5, abs=1e-6)


def test_the_second_derivatives_source_is_one_forward_sweep_with_no_tape():
    second = s2s.grad(s2s.grad(loop_with_a_branch))
    second(0.7)
    source = second.source.split("# sibling")[0]
    assert "x_dot = _s2s.seed(x)" in source
    assert "one forward sweep" in source
    assert "tape_2" not in source and ".pop()" in source  # the first order's own tape only
    assert "Gradient of (the gradient of loop_with_a_branch" in source


def test_the_fourth_derivative_of_a_loop_with_a_branch_stays_small():
    fourth = nested(loop_with_a_branch, 4)
    value = fourth(0.7)
    assert value == pytest.approx(543.19915595664, rel=1e-10)
    assert len(fourth.source) < 250_000  # reverse over reverse: 820 KB


@pytest.mark.parametrize(
    "x, kind",
    [(0.7, np.float64), (np.float32(0.7), np.float32), (np.float64(0.7), np.float64)],
)
def test_the_gradient_has_the_scalars_type(x, kind):
    second = s2s.grad(s2s.grad(cubic))(x)
    assert type(second) is kind
    assert second == pytest.approx(6 * 0.7 + 4, rel=1e-6)


def test_a_zero_dimensional_array_gives_a_zero_dimensional_array():
    second = s2s.grad(s2s.grad(cubic))(np.array(0.7))
    assert isinstance(second, np.ndarray) and second.shape == () and second.dtype == np.float64
    assert float(second) == pytest.approx(6 * 0.7 + 4, rel=1e-12)


def test_float16_computes_in_float32_and_returns_float16():
    value, second = s2s.value_and_grad(s2s.grad(cubic))(np.float16(0.5))
    assert type(value) is np.float16 and type(second) is np.float16
    assert float(second) == pytest.approx(7.0, rel=1e-3)
    assert float(value) == pytest.approx(3 * 0.25 + 4 * 0.5, rel=1e-3)


def test_value_and_grad_and_a_wrt_tuple():
    value, (second,) = s2s.value_and_grad(s2s.grad(cubic), wrt=(0,))(0.7)
    assert value == pytest.approx(3 * 0.49 + 4 * 0.7, rel=1e-12)
    assert second == pytest.approx(6 * 0.7 + 4, rel=1e-12)
    (only,) = s2s.grad(s2s.grad(cubic), wrt=(0,))(0.7)
    assert only == pytest.approx(second, rel=1e-15)


def linear(x):
    return 2.0 * x


def test_a_constant_derivative_gives_zero_as_reverse_mode_does():
    assert s2s.grad(s2s.grad(linear))(1.5) == 0.0
    assert s2s.grad(s2s.grad(linear))(np.float32(1.5)).dtype == np.float32


def two_arguments(x, y):
    return x * x * y + np.sin(y)


def test_a_mixed_partial_with_respect_to_the_other_scalar():
    gradient_x = s2s.grad(two_arguments, wrt="x")
    mixed = s2s.grad(gradient_x, wrt="y")(0.3, 1.1)
    assert mixed == pytest.approx(2 * 0.3, rel=1e-12)
    both = s2s.grad(gradient_x, wrt=("x", "y"))(0.3, 1.1)  # two scalars: the reverse sweep
    assert both[0] == pytest.approx(2 * 1.1, rel=1e-12)
    assert both[1] == pytest.approx(2 * 0.3, rel=1e-12)


def test_a_derivative_with_a_tuple_output_is_refused_as_by_the_reverse_sweep():
    with pytest.raises(s2s.NonScalarOutputError, match="real floating scalar"):
        s2s.grad(s2s.jvp(cubic))(0.7, 1.0)


def scaled(p, x):
    return p[0] * x * x + p[1] * x


def through_a_helper_given_a_list(x):
    return scaled([x, 2.0 * x], x)


def test_a_helper_given_a_list_takes_the_forward_sweep_to_the_fourth_order():
    # it kept the reverse sweep: a JVP of the helper's pullback given the list could not be
    # differentiated again (a JVP of a JVP of a derivative over a list was refused)
    second = s2s.grad(s2s.grad(through_a_helper_given_a_list))
    assert second(0.7) == pytest.approx(8.2, rel=1e-12)  # x**3 + 2 x**2: 6 x + 4
    assert "x_dot = _s2s.seed(x)" in second.source.split("# sibling")[0]
    third = s2s.grad(second)
    assert third(0.7) == pytest.approx(6.0, rel=1e-12)
    assert "x_dot = _s2s.seed(x)" in third.source.split("# sibling")[0]
    assert s2s.grad(third)(0.7) == pytest.approx(0.0, abs=1e-12)


def test_under_jvp_the_forward_gradient_is_differentiated_again():
    second = s2s.grad(s2s.grad(loop_with_a_branch))
    value, tangent = s2s.jvp(second)(0.7, 1.0)
    assert value == pytest.approx(-18.038315021797, rel=1e-10)
    assert tangent == pytest.approx(nested(loop_with_a_branch, 3)(0.7), rel=1e-12)


