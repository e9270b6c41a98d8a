"""Unpacking a tuple of tuples into names: ``(a, b), (c, d) = helper(x)``, ``p, q = t`` and
``a, b = t[0]`` of ``t = helper(x)`` (a helper of yours returning a tuple of tuples), ``a, b =
M`` (an array's rows), ``for u, v in rows``. Each was refused ("nested or starred unpacking",
"unpacking this value into names"); a nested target is now unpacked one level at a time
(``unpacked, unpacked_2 = value``, then ``a, b = unpacked``) and a value s2s cannot take
apart by outputs or literal items is read item by item (``a = v[0]``, ``b = v[1]``) after
Python's length check (``_s2s.check_unpacking``: ``ValueError`` for another length). First
to fourth derivatives, in both modes, against closed forms and central differences.
"""

from __future__ import annotations

import numpy as np
import pytest
from gradcheck import along, numeric_gradient
from located import assert_located

import s2s

X = 0.7


def pairs(x):
    return ((x * x, np.sin(x)), (x, 2.0 * x))


def nested_target(x):
    (a, b), (c, d) = pairs(x)
    return a * b + c * d  # x^2 sin x + 2 x^2


def nested_target_of_a_name(x):
    t = pairs(x)
    (a, b), (c, d) = t
    return a * b + c * d


def flat_then_items(x):
    t = pairs(x)
    p, q = t
    a, b = p
    c, d = q
    return a * b + c * d


def an_item_unpacked(x):
    t = pairs(x)
    a, b = t[0]
    c, d = t[1]
    return a * b + c * d


def half_nested(x):
    (a, b), q = pairs(x)
    return a * b + q[0] * q[1]


def _first(x):
    return 2 * x * np.sin(x) + x * x * np.cos(x) + 4 * x


def _second(x):
    return 2 * np.sin(x) + 4 * x * np.cos(x) - x * x * np.sin(x) + 4


def _third(x):
    return 6 * np.cos(x) - 6 * x * np.sin(x) - x * x * np.cos(x)


FORMS = [nested_target, nested_target_of_a_name, flat_then_items, an_item_unpacked, half_nested]


@pytest.mark.parametrize("f", FORMS)
def test_first_and_second_derivatives_in_both_modes(f):
    assert f(X) == pytest.approx(X * X * np.sin(X) + 2 * X * X, rel=1e-15)
    assert s2s.grad(f)(X) == pytest.approx(_first(X), rel=1e-14)
    assert s2s.jvp(f)(X, 1.0)[1] == pytest.approx(_first(X), rel=1e-14)
    assert s2s.grad(s2s.grad(f))(X) == pytest.approx(_second(X), rel=1e-13)
    assert s2s.hvp(f)(X, 1.0) == pytest.approx(_second(X), rel=1e-13)
    assert s2s.jvp(s2s.grad(f))(X, 1.0)[1] == pytest.approx(_second(X), rel=1e-13)
    assert s2s.jvp(s2s.jvp(f))(X, 1.0, 1.0)[1][1] == pytest.approx(_second(X), rel=1e-13)


@pytest.mark.parametrize("f", [nested_target, an_item_unpacked])
def test_third_and_fourth_derivatives(f):
    assert s2s.grad(s2s.grad(s2s.grad(f)))(X) == pytest.approx(_third(X), rel=1e-12)
    third = s2s.jvp(s2s.jvp(s2s.grad(f)))(X, 1.0, 1.0)[1][1]
    assert third == pytest.approx(_third(X), rel=1e-12)
    fourth = -12 * np.sin(X) - 8 * X * np.cos(X) + X * X * np.sin(X)
    assert s2s.grad(s2s.grad(s2s.grad(s2s.grad(f))))(X) == pytest.approx(fourth, rel=1e-12)


def cell(h, c, x):
    return (np.tanh(h + x), c * 0.5), np.sin(c)


def unpacked_in_a_loop(x):
    h, c = x * 1.0, x * 2.0
    for _ in range(3):
        (h, c), s = cell(h, c, x)  # the names carried round the loop, rebound by unpacking
        h = h + s
    return np.sum(h * c)


def rows(x):
    a, b = np.outer(x, x)[:2]  # an array's rows
    return np.sum(a * np.sin(b))


def literal(x):
    (a, b), c = (x * 2, np.sin(x)), x**2
    return np.sum(a * b * c)


@pytest.mark.parametrize("f", [unpacked_in_a_loop, rows, literal])
def test_loops_rows_and_literals_against_differences(f):
    x, v = np.array([0.7, -0.3, 1.1]), np.array([1.0, 0.5, -2.0])
    gradient = s2s.grad(f)
    np.testing.assert_allclose(gradient(x), numeric_gradient(f, [x], 0), rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(s2s.jvp(f)(x, v)[1], along(f, x, v), rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(s2s.hvp(f)(x, v), along(gradient, x, v), rtol=1e-6, atol=1e-8)
    second = s2s.jvp(s2s.jvp(f))(x, v, v)[1][1]
    np.testing.assert_allclose(second, along(lambda z: s2s.jvp(f)(z, v)[1], x, v), rtol=1e-6,
                               atol=1e-8)  # fmt: skip

    def curvature(z):
        return np.sum(s2s.jvp(gradient)(z, v)[1] * v)

    np.testing.assert_allclose(s2s.grad(curvature)(x), numeric_gradient(curvature, [x], 0),
                               rtol=1e-6, atol=1e-7)  # fmt: skip


def too_many(x):
    return ((x, x, x), x)


def unpacks_too_many(x):
    (a, b), c = too_many(x)  # Python: ValueError, too many values to unpack
    return a * b * c


def literal_of_three(x):
    (a, b), c = (x, x, x), x  # MARK
    return a * b * c


def test_another_length_raises_as_python_does():
    with pytest.raises(ValueError, match=r"too many values to unpack \(expected 2, got 3\)"):
        s2s.grad(unpacks_too_many)(X)
    with pytest.raises(ValueError, match="too many values to unpack"):
        s2s.jvp(unpacks_too_many)(X, 1.0)
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:  # seen where the code is made
        s2s.grad(literal_of_three)(X)
    assert_located(info.value, literal_of_three, "# MARK", "unpack exactly 3 names")
    assert "2 names for a tuple of 3 items" in str(info.value)


def zipped(x):
    z = zip([1.0, 2.0], [3.0, 4.0])
    a, b = z  # an iterator: unpacked as Python does (its items carry no gradient)
    return np.sum(x) * a[0] * b[1]  # a = (1, 3), b = (2, 4): 4 sum(x)


def a_set(x):
    s = {2.0}
    (p,) = s  # MARK: a set has no items by position
    return x * p


def test_an_iterator_unpacks_as_python_does_and_a_set_is_refused_at_its_line():
    x = np.array([0.5, -1.0])
    np.testing.assert_array_equal(s2s.grad(zipped)(x), [4.0, 4.0])
    with pytest.raises(s2s.UnsupportedSyntaxError, match="unpacking a set bound to a name") as e:
        s2s.grad(a_set)(0.5)
    assert_located(e.value, a_set, "# MARK", "tuple(value)")
