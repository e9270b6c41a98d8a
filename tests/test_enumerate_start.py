"""``enumerate(xs, start)``: the count starts at ``start``, written positionally or by keyword,
a constant or any expression (read once, before the loop), over arrays, ranges, lists, zips,
comprehensions, dict views and tuples of functions; value, gradient, JVP and HVP against
central differences (fresh-77 A4: ``start`` was ignored, and ``enumerate(x, 1)`` refused)."""

import numpy as np
import pytest
from gradcheck import along
from gradcheck import check_against_differences as check
from gradcheck import numeric_gradient as numeric
from located import assert_located

import s2s


def over_array_keyword(x):
    s = 0.0
    for i, v in enumerate(x, start=1):
        s = s + v * i
    return s


def over_array_positional(x):
    s = 0.0
    for i, v in enumerate(x, 1):
        s = s + v * i
    return s


def over_range(x):
    s = 0.0
    for i, k in enumerate(range(3), start=5):
        s = s + x[k] * i
    return s


def over_list(x):
    ys = [x[0], x[1] * 2]
    s = 0.0
    for i, v in enumerate(ys, start=-2):
        s = s + v * v * i
    return s


def in_comprehension(x):
    return sum([v * i for i, v in enumerate(x, start=1)])


def in_generator(x):
    return sum(np.sin(v) * i for i, v in enumerate(x, 2))


def over_zip(x):
    s = 0.0
    for i, (a, b) in enumerate(zip(x, x[::-1]), start=3):
        s = s + a * b * i
    return s


def from_argument(x, k):
    s = 0.0
    for i, v in enumerate(x, start=k):
        s = s + v * i
        k = k + 100  # enumerate read k once, before the loop
    return s


def from_expression(x, k):
    s = 0.0
    for i, v in enumerate(x, 2 * k - 1):
        s = s + np.exp(v) * i
    return s


def over_dict_values(x):
    d = {"a": x[0], "b": x[1] ** 2}
    s = 0.0
    for i, v in enumerate(d.values(), start=3):
        s = s + v * i
    return s


def over_functions(x):
    s = 0.0
    for i, g in enumerate((np.sin, np.cos), 1):
        s = s + np.sum(g(x)) * i
    return s


def over_functions_from_argument(x, k):
    s = 0.0
    for i, g in enumerate((np.sin, np.cos), start=k):
        s = s + np.sum(g(x)) * i
    return s


CASES = [
    (over_array_keyword, ()),
    (over_array_positional, ()),
    (over_range, ()),
    (over_list, ()),
    (in_comprehension, ()),
    (in_generator, ()),
    (over_zip, ()),
    (from_argument, (10,)),
    (from_expression, (3,)),
    (over_dict_values, ()),
    (over_functions, ()),
    (over_functions_from_argument, (4,)),
]


@pytest.mark.parametrize("f, rest", CASES, ids=[f.__name__ for f, _ in CASES])
def test_enumerate_counts_from_start(f, rest):
    x = np.array([0.3, -0.5, 0.7])
    check(f, x, *rest)
    v = np.array([0.2, 1.0, -0.4])
    value, tangent = s2s.jvp(f)(x, *rest, v)
    assert value == pytest.approx(f(x, *rest), rel=1e-12)
    assert tangent == pytest.approx(along(lambda y: f(y, *rest), x, v), rel=1e-6, abs=1e-9)


def test_enumerate_start_second_order():
    x = np.array([0.3, -0.5, 0.7])
    v = np.array([0.2, 1.0, -0.4])
    got = s2s.hvp(in_generator)(x, v)
    grad = s2s.grad(in_generator)
    expected = along(grad, x, v, 1e-5)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(
        s2s.grad(over_array_keyword)(x), numeric(over_array_keyword, (x,), 0), rtol=1e-6
    )
    np.testing.assert_allclose(s2s.grad(over_array_keyword)(np.ones(3)), [1.0, 2.0, 3.0])


def over_functions_from_a_rebound_name(x):
    k = 1
    k = k + 1
    s = 0.0
    for i, g in enumerate((np.sin, np.cos), k):  # MARK
        s = s + np.sum(g(x)) * i
    return s


def over_functions_from_a_name_bound_once(x):
    k = 1
    k = k + 1
    first = k
    s = 0.0
    for i, g in enumerate((np.sin, np.cos), first):
        s = s + np.sum(g(x)) * i
    return s


def test_a_loop_over_functions_from_a_rebound_start_is_refused_with_advice_that_works():
    x = np.array([0.3, -0.5, 0.7])
    with pytest.raises(s2s.UnsupportedSyntaxError, match="counts with `enumerate`") as info:
        s2s.grad(over_functions_from_a_rebound_name)(x)
    assert_located(info.value, over_functions_from_a_rebound_name, "# MARK", "first = k + 1")
    check(over_functions_from_a_name_bound_once, x)
