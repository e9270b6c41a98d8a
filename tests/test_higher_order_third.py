"""Second and third order on the constructs first order covers (issue 9): ``hvp``, ``grad`` of
``grad``, ``jvp`` of ``grad`` of ``grad`` and ``grad`` three times, each against central
differences of the derivative one order below.

Each function is one a helper found failing at second or third order although first order
handled it: a ``while`` loop calling a function of yours with its counter (the third
derivative took the counter, popped back from the first derivative's tape, for a float, and
passed it to the helper's derivative as an argument to differentiate), a loop writing
products of slices of growing length into a local array (the third derivative and-ed the
selection masks of two trips' values, of two shapes), items of a list literal read by index
(the third derivative projected a list's cotangent onto a list as if onto an array), a list
or tuple passed to a helper in a loop (a tuple's cotangent, or its parts stacked, projected
onto a list's as onto an array: already ``grad`` of ``grad`` of the tuple; then ``grad``
three times was NaN, a part that got no cotangent projected as ``None`` onto an array), a
nested def capturing a value (the third derivative calls a derivative of the nested def's
derivative, whose signature it did not know: NoRuleError "a derivative object made from a
value of the function").
"""

from __future__ import annotations

import numpy as np
import pytest
import test_calls as calls
from gradcheck import along, numeric_gradient

import s2s

X = np.array([[0.3, 0.5], [0.7, 0.2]])
V = np.array([[1.0, -2.0], [0.5, 0.25]])


def check_second_and_third_order(f, x=X, v=V):
    """``hvp`` and ``grad`` of ``<grad f, v>`` against differences of ``grad f`` along ``v``;
    ``jvp`` of that and ``grad`` of ``<it, v>`` against its differences along ``v``."""
    gradient = s2s.grad(f)
    expected = along(gradient, x, v)
    np.testing.assert_allclose(s2s.hvp(f)(x, v), expected, rtol=1e-6, atol=1e-8)
    second = s2s.grad(lambda y: np.sum(gradient(y) * v))
    np.testing.assert_allclose(second(x), expected, rtol=1e-6, atol=1e-8)
    expected = along(second, x, v, h=1e-5)
    _, tangent = s2s.jvp(second)(x, v)
    np.testing.assert_allclose(tangent, expected, rtol=1e-5, atol=1e-7)
    third = s2s.grad(lambda y: np.sum(second(y) * v))(x)
    np.testing.assert_allclose(third, expected, rtol=1e-5, atol=1e-7)


def scaled_sine(x, i):
    return np.sin(x) * (i + 1)


def scaled_sine_by_keyword(x, i=0):
    return np.sin(x) * (i + 1)


def while_counter_to_a_helper(x):
    i = 0
    s = 0.0
    while i < 3:
        s = s + np.sum(scaled_sine(x, i) ** 2)
        i += 1
    return s


def while_counter_by_keyword(x):
    i = 0
    s = 0.0
    while i < 3:
        s = s + np.sum(scaled_sine_by_keyword(x, i=i) ** 2)
        i += 1
    return s


def for_index_to_a_helper(x):
    s = 0.0
    for i in range(3):
        s = s + np.sum(scaled_sine_by_keyword(x, i=i) * x)
    return s


def while_counter_in_a_branch(x):
    i = 0
    s = np.sum(x)
    while s < 10.0 and i < 4:
        if i % 2 == 0:
            s = s + np.sum(scaled_sine(x, i) * x)
        else:
            s = s * 1.5
        i = i + 1
    return s


def _two_counters(x, i, j):
    return np.sin(x * (i + 1)) * (j + 0.5)


def nested_while_counters(x):
    s = 0.0
    i = 0
    while i < 2:
        j = 0
        while j < 2:
            s = s + np.sum(_two_counters(x, i, j=j) * x)
            j += 1
        i += 1
    return s


@pytest.mark.parametrize("f", [
    while_counter_to_a_helper, while_counter_by_keyword, for_index_to_a_helper,
    while_counter_in_a_branch, nested_while_counters,
], ids=lambda f: f.__name__)  # fmt: skip
def test_a_loop_counter_passed_to_a_helper(f):
    check_second_and_third_order(f)


def slices_of_growing_length(x):
    out = np.zeros(4)
    for i in range(4):
        out[i] = np.sum(x.ravel()[: i + 1] ** 2) * x.ravel()[i]
    return np.sum(out**2)


def items_of_a_list_literal(x):
    xs = [x, np.sin(x), x**2]
    return np.sum(xs[1] * xs[-1]) + np.sum(xs[0])


@pytest.mark.parametrize("f", [slices_of_growing_length, items_of_a_list_literal],
                         ids=lambda f: f.__name__)  # fmt: skip
def test_writes_and_list_items(f):
    check_second_and_third_order(f)


def _item_times_first(xs, k):
    return np.sum(xs[k] * xs[0])


def list_to_a_helper_in_a_for_loop(x):
    xs = [x, np.sin(x)]
    s = 0.0
    for k in range(2):
        s = s + _item_times_first(xs, k)
    return s


def list_to_a_helper_in_a_while_loop(x):
    xs = [x, np.sin(x)]
    k = 0
    s = 0.0
    while k < 2:
        s = s + _item_times_first(xs, k)
        k += 1
    return s


def tuple_to_a_helper_in_a_loop(x):
    t = (x, np.sin(x))
    s = 0.0
    for k in range(2):
        s = s + _item_times_first(t, k)
    return s


@pytest.mark.parametrize("f", [
    list_to_a_helper_in_a_for_loop, list_to_a_helper_in_a_while_loop,
    tuple_to_a_helper_in_a_loop,
], ids=lambda f: f.__name__)  # fmt: skip
def test_a_list_or_tuple_passed_to_a_helper_in_a_loop(f):
    check_second_and_third_order(f)


def nested_def_capturing(x):
    w = np.sum(x)

    def squashed(v):
        return np.tanh(v * w)

    return np.sum(squashed(x) * x)


def nested_def_in_a_while_loop(x):
    w = np.sum(x)

    def scaled(v, k):
        return np.tanh(v * w) * k

    i = 0
    s = 0.0
    while i < 2:
        s = s + np.sum(scaled(x, i + 1) * x)
        i += 1
    return s


def two_nested_defs(x):
    return calls.closure_model(x, x * 0.5, np.cos(x))


def recursive_nested_def(x):
    return calls.recursive_closure(x, np.sin(x))


@pytest.mark.parametrize("f", [
    nested_def_capturing, nested_def_in_a_while_loop, two_nested_defs, recursive_nested_def,
], ids=lambda f: f.__name__)  # fmt: skip
def test_nested_defs_capturing_values(f):
    check_second_and_third_order(f)


def writes_then_rebinds_in_a_loop(x):
    out = np.zeros(3)
    for i in range(3):
        out[i] = x[0] * x[i]
        out = out * 2.0
    return np.sum(out**2)


def test_forward_over_forward_of_a_loop_writing_a_local_array():
    """fresh-89 finding 8: the third derivative in forward mode was refused with a
    MutationError (`out`, then the generated `out_dot`, "may share memory with another
    array"): the second derivative's `out = multiply_2` (an array it made, whose shape its
    tangent's projection reads) and its tangent's write after `_s2s.owned_tangent` (a new
    array) were taken for shared memory."""
    x, v, w = np.array([0.3, -0.2, 0.5]), np.array([1.0, 2.0, -1.0]), np.array([0.5, -1.0, 0.2])
    f = writes_then_rebinds_in_a_loop
    gradient = s2s.grad(f)
    np.testing.assert_allclose(gradient(x), numeric_gradient(f, [x], 0), rtol=1e-6, atol=1e-8)
    product = s2s.hvp(f)
    np.testing.assert_allclose(product(x, v), along(gradient, x, v), rtol=1e-6, atol=1e-8)
    expected = along(lambda y: product(y, v), x, w)
    third = s2s.jvp(s2s.jvp(gradient))(x, v, w)[1][1]
    np.testing.assert_allclose(third, expected, rtol=1e-6, atol=1e-8)
    third = s2s.jvp(s2s.jvp(s2s.jvp(f)))(x, v, w, w)[1][1][1]
    assert third == pytest.approx(expected @ w, rel=1e-6)


# An array carried around a loop (fresh-89 finding 3): ``grad`` three times gave NaN with a
# NonFiniteGradientWarning in ``with_last`` (a value popped from the tape with a part that got
# no cotangent), where jvp of jvp of grad and the loop unrolled by hand were right. Fixed on main
# by 2e274d0 (unbroadcast keeps a part with no cotangent as None); these are its regressions.


def array_carried_polynomial(t):
    x = np.array([t, 2 * t])
    acc = np.zeros(2)
    for _ in range(2):
        acc = acc * x + 1.0
    return np.sum(acc)  # 3 t + 2: the third derivative is 0


def array_carried_sine(t):
    acc = np.zeros(2)
    for _ in range(3):
        acc = acc * t + np.sin(t)
    return np.sum(acc**2)


def array_carried_vector(x):
    acc = np.zeros(2)
    for _ in range(3):
        acc = acc * x[0] + x
    return np.sum(acc**2)


@pytest.mark.parametrize(
    "f, x, v",
    [
        (array_carried_polynomial, 0.7, 1.0),
        (array_carried_sine, 0.7, 1.0),
        (array_carried_vector, np.array([0.7, 0.3]), np.array([1.0, 2.0])),
    ],
    ids=["polynomial", "sine", "vector"],
)
@pytest.mark.filterwarnings("error")  # a NonFiniteGradientWarning fails it
def test_an_array_carried_around_a_loop(f, x, v):
    check_second_and_third_order(f, x, v)
