"""Third and higher derivatives through a helper given a tuple of tuples or a list, and a JVP
of a JVP of a gradient with respect to a list, tuple or dict (issue 9).

A flat derivative whose function is a derivative asks that derivative for its code given the
containers whole (``Layout.nested_arguments``); that code was written from the user's helper
with the container a plain tuple argument: ``(a,), b = t`` was refused at the third order,
and a tuple item copied (``u = t[0]``) was not followed, a wrong third derivative and a zero
fourth. Now a container that stays whole is lowered as at the orders below, its leaves read
at the top (s2s/frontend/whole.py). A JVP of a JVP of a derivative with respect to a list or
tuple was refused (over a dict too: its derivative's code over the leaves is differentiated
now); ``grad`` of code passing a list to a helper's derivative kept the reverse
sweep for that reason, and now takes the forward sweep. Reverse over reverse to the fifth
order through a tuple of tuples. Values against closed forms."""

import numpy as np
import pytest

import s2s


def unpacks(t):
    (a,), b = t
    return a * a * b + np.sin(a)


def indexes(t):
    u = t[0]
    a = u[0]
    return a * a * t[1] + np.sin(a)


def through_tuples(x):
    return unpacks(((x,), 2.0 * x))


def through_lists(x):
    return indexes([[x], 2.0 * x])


def derivatives(x):
    """f = 2 x^3 + sin x: its first five derivatives."""
    return [6 * x * x + np.cos(x), 12 * x - np.sin(x), 12 - np.cos(x), np.sin(x), np.cos(x)]


@pytest.mark.parametrize("f", [through_tuples, through_lists])
def test_third_to_fifth_derivative_through_a_helper_given_a_tuple_of_tuples(f):
    """Order 3 raised UnsupportedSyntaxError (unpacking) or gave 4.0 for 11.235 (indexing);
    orders 4 and 5 gave 0.0 for sin(0.7) and cos(0.7)."""
    x = 0.7
    g = f
    for expected in derivatives(x):
        g = s2s.grad(g)
        assert g(x) == pytest.approx(expected, rel=1e-12, abs=1e-12)


def powers_and_sines(t):
    (a, n), c = t
    return a**n * c + np.sin(a)


def cubes_of_rows(t):
    total = 0.0
    for row in t:
        for v in row:
            total = total + v * v * v
    return total


def sines_of_an_array(t):
    (w,), c = t
    return np.sum(np.sin(w) * c)


def closed_forms(x):
    s, c, s2, c2 = np.sin(x), np.cos(x), np.sin(2 * x), np.cos(2 * x)
    return [
        (lambda x: powers_and_sines(((x, 3), 1.5)),  # 1.5 x^3 + sin x
         [4.5 * x * x + c, 9 * x - s, 9 - c, s, c]),
        (lambda x: cubes_of_rows([[x, x], [2.0 * x]]), [30 * x * x, 60 * x, 60, 0, 0]),  # 10 x^3
        (lambda x: sines_of_an_array(((np.array([x, 2 * x]),), x)),  # x sin x + x sin 2x
         [s + x * c + s2 + 2 * x * c2, 2 * c - x * s + 4 * c2 - 4 * x * s2,
          -3 * s - x * c - 12 * s2 - 8 * x * c2, -4 * c + x * s - 32 * c2 + 16 * x * s2,
          5 * s + x * c + 80 * s2 + 32 * x * c2]),
    ]  # fmt: skip


@pytest.mark.parametrize("case", range(3))
def test_five_orders_through_helpers_given_an_int_leaf_rows_to_loop_over_or_an_array(case):
    """An int leaf unpacked, loops over a list of lists (order 3 gave 0.0 for 60), an array
    inside a tuple of tuples: each order against its closed form."""
    x = 0.7
    f, expected = closed_forms(x)[case]
    g = f
    for value in expected:
        g = s2s.grad(g)
        assert g(x) == pytest.approx(value, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("f", [through_tuples, through_lists])
def test_reverse_over_reverse_to_the_fifth_order_through_a_tuple_of_tuples(f):
    """Each order a reverse sweep (a ``disconnected`` policy other than zeros keeps it): the
    fifth raised ValueError, a cotangent of a tuple of tuples of no known type added into
    its zeros in place (``d[0] += part`` extended the list ``d[0]``)."""
    x = 0.7
    g = f
    for expected in derivatives(x):
        g = s2s.grad(g, disconnected="warn")
        assert g(x) == pytest.approx(expected, rel=1e-12, abs=1e-12)
        assert "x_dot = _s2s.seed(x)" not in g.source.split("# sibling")[0]


def cube_times(p):
    return np.sum(p[0] ** 3 * p[1])


def nested_cube_times(p):
    (a,), b = p
    return np.sum(a**3 * b)


def flat(tree):
    return (tree[0][0], tree[1]) if type(tree[0]) in (list, tuple) else (tree[0], tree[1])


A, B = np.array([0.3, 0.5]), np.array([1.2, -0.4])
U, V = np.array([1.0, 0.5]), np.array([0.2, 0.1])
U2, V2 = np.array([-0.3, 0.7]), np.array([0.4, -0.2])


def third(u, v, w, z):
    """d^2 grad f [(u, v), (w, z)] of f = sum(a^3 b) at (A, B)."""
    return 6 * B * u * w + 6 * A * (u * z + v * w), 6 * A * u * w


CASES = [
    (cube_times, lambda a, b: [a, b]),
    (cube_times, lambda a, b: (a, b)),
    (nested_cube_times, lambda a, b: [[a], b]),
    (nested_cube_times, lambda a, b: ((a,), b)),
]


@pytest.mark.parametrize(("f", "make"), CASES)
def test_a_jvp_of_a_jvp_of_a_gradient_with_respect_to_a_list_or_tuple(f, make):
    """It raised NoRuleError (a third derivative with respect to a parameter container)."""
    inner = s2s.jvp(s2s.grad(f, wrt="p"), wrt="p")
    (grad, hu), (hw, t) = s2s.jvp(inner, wrt="p")(make(A, B), make(U, V), make(U2, V2))
    assert np.allclose(flat(grad), (3 * A * A * B, A**3), rtol=1e-12)
    assert np.allclose(flat(hu), (6 * A * B * U + 3 * A * A * V, 3 * A * A * U), rtol=1e-12)
    assert np.allclose(flat(hw), (6 * A * B * U2 + 3 * A * A * V2, 3 * A * A * U2), rtol=1e-12)
    for got, expected in zip(flat(t), third(U, V, U2, V2), strict=True):
        assert np.allclose(got, expected, rtol=1e-12)
    given = make(A, B)
    for part in (grad, hu, hw, t):  # each in the structure of p (a list a list)
        assert type(part) is type(given) and type(part[0]) is type(given[0])


@pytest.mark.parametrize(("f", "make"), CASES)
def test_a_pullback_of_a_jvp_of_a_gradient_with_respect_to_a_list_or_tuple(f, make):
    value, pullback = s2s.vjp(s2s.jvp(s2s.grad(f, wrt="p"), wrt="p"), wrt="p")(
        make(A, B), make(U, V)
    )
    got = pullback((make(np.zeros(2), np.zeros(2)), make(U2, V2)))
    for part, expected in zip(flat(got), third(U, V, U2, V2), strict=True):
        assert np.allclose(part, expected, rtol=1e-12)


def scaled(p, x):
    return p[0] * x * x + p[1] * np.sin(x)


def through(x):
    return scaled([x, 2.0 * x], x)


def through_derivatives(x):
    """x^3 + 2 x sin x: its first five derivatives."""
    s, c = np.sin(x), np.cos(x)
    return [3 * x * x + 2 * s + 2 * x * c, 6 * x + 4 * c - 2 * x * s, 6 - 6 * s - 2 * x * c,
            -8 * c + 2 * x * s, 10 * s + 2 * x * c]  # fmt: skip


def test_jvp_of_jvp_of_grad_of_code_passing_a_list_to_a_helper():
    x = 0.7
    (first, second), (second_again, third_) = s2s.jvp(s2s.jvp(s2s.grad(through)))(x, 1.0, 1.0)
    expected = through_derivatives(x)
    assert first == pytest.approx(expected[0], rel=1e-12)
    assert second == pytest.approx(expected[1], rel=1e-12)
    assert second_again == pytest.approx(expected[1], rel=1e-12)
    assert third_ == pytest.approx(expected[2], rel=1e-12)


def test_grad_four_times_of_code_passing_a_list_to_a_helper_takes_the_forward_sweep():
    """Orders 2 to 4 are each one forward sweep (they kept the reverse sweep)."""
    x = 0.7
    g = through
    for order, expected in enumerate(through_derivatives(x)[:4], start=1):
        g = s2s.grad(g)
        assert g(x) == pytest.approx(expected, rel=1e-12)
        if order >= 2:
            assert "x_dot = _s2s.seed(x)" in g.source.split("# sibling")[0]


def weighted(p, y):
    return np.sum(p["a"] ** 3 * p["b"] * y)


def test_a_jvp_of_a_jvp_of_a_gradient_with_respect_to_a_dict_beside_another_argument():
    """It raised NoRuleError: the code differentiated took the dict whole."""
    y = np.array([1.0, 2.0])
    inner = s2s.jvp(s2s.grad(weighted, wrt="p"), wrt="p")
    p, v, u = {"a": A, "b": B}, {"a": U, "b": V}, {"a": U2, "b": V2}
    (grad, hv), (_, t) = s2s.jvp(inner, wrt="p")(p, y, v, u)
    assert type(grad) is dict and type(t) is dict
    assert np.allclose(grad["a"], 3 * A * A * B * y, rtol=1e-12)
    assert np.allclose(hv["b"], 3 * A * A * U * y, rtol=1e-12)
    along_a, along_b = third(U, V, U2, V2)
    assert np.allclose(t["a"], along_a * y, rtol=1e-12)
    assert np.allclose(t["b"], along_b * y, rtol=1e-12)
