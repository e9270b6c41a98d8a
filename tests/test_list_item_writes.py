"""Augmented assignment into a list's item (``xs[1] += x``) at every order (issue 9).

The first derivative undoes ``xs[i] = v`` on the list's cotangent, which is a list of parts
(``None`` for an item that got none): ``_s2s.zeroed_at`` and ``_s2s.written_part`` took it for
an array (``np.array`` of the parts: an error where a part was ``None`` or the items had two
shapes, a stacked array silently in place of the list otherwise), and ``jvp`` made the list's
tangent an array (``owned_tangent``). Differentiated again, the first derivative's own
``xs[1] = add_1`` and ``xs[1] = tape.pop()`` were refused as "assigning into a list's items".
Each order is checked against central differences of the order below.
"""

from __future__ import annotations

import numpy as np
import pytest
from gradcheck import along, numeric_gradient
from test_higher_order_third import check_second_and_third_order

import s2s


def unused_item(x):  # xs[0] gets no cotangent: a None part
    xs = [x * 1.0, np.sin(x), x**2]
    xs[1] += x * x
    return np.sum(xs[1] * xs[2])


def items_of_two_shapes(x):  # an array and a scalar item, `*=` and `-=`, a negative index
    xs = [x * 2.0, np.sum(x**2)]
    xs[-1] *= x[0, 1]
    xs[0] -= xs[1] * x
    return np.sum(np.tanh(xs[0])) + xs[1] ** 2


def items_in_a_loop(x):
    xs = []
    for i in range(2):
        xs.append(x[i] * x[1 - i])
    for i in range(2):
        xs[i] += np.sin(xs[i - 1])
    return np.sum(np.stack(xs) ** 2)


def item_of_appended_list(x):
    xs = []
    xs.append(np.cos(x))
    xs.append(x[0, 0])  # a number: rebound by `+=` in Python too
    xs[0] /= 2.0 + xs[1] * x[1]
    return np.sum(xs[0] ** 3)


CASES = [unused_item, items_of_two_shapes, items_in_a_loop, item_of_appended_list]
X = np.array([[0.3, 0.5], [0.7, 0.2]])
V = np.array([[1.0, -2.0], [0.5, 0.25]])


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_first_order(f):
    np.testing.assert_allclose(s2s.grad(f)(X), numeric_gradient(f, [X], 0), rtol=1e-6,
                               atol=1e-8)  # fmt: skip
    value, tangent = s2s.jvp(f)(X, V)
    assert value == f(X)
    np.testing.assert_allclose(tangent, along(f, X, V), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_second_and_third_order(f):
    check_second_and_third_order(f, X, V)


def test_hessian():
    f = items_of_two_shapes
    gradient = s2s.grad(f)
    columns = [along(gradient, X, e.reshape(X.shape)) for e in np.eye(X.size)]
    expected = np.stack(columns, axis=-1).reshape(X.shape + X.shape)
    np.testing.assert_allclose(s2s.hessian(f)(X), expected, rtol=1e-6, atol=1e-8)


def item_is_a_name(x):
    a = x * 2.0
    xs = [a, x * 1.0]
    xs[0] += x  # Python changes `a` too
    return np.sum(a * xs[1])


def item_read_before(x):
    xs = [x * 2.0, x * 1.0]
    b = xs[0]
    xs[0] += x  # Python changes `b` too
    return np.sum(b * xs[1])


def item_a_row_of_the_argument(x):
    xs = [x[0], x * 1.0]
    xs[1] += x  # xs[0] += x would change the caller's array
    return np.sum(xs[0] * xs[1])


@pytest.mark.parametrize("f", [item_is_a_name, item_read_before, item_a_row_of_the_argument],
                         ids=lambda f: f.__name__)  # fmt: skip
def test_an_item_another_name_sees_is_refused(f):
    """Python's ``+=`` changes the item array in place, where a second name sees it; s2s binds
    a new array, so such an update is refused (it gave a gradient other than Python's)."""
    with pytest.raises(s2s.MutationError, match=r"`xs\[\.\.\.\]` is updated in place"):
        s2s.grad(f)(X)


def test_plain_assignment_into_an_item_is_still_refused():
    def f(x):
        xs = [x * 1.0, x**2]
        xs[0] = np.sin(x)
        return np.sum(xs[0] * xs[1])

    with pytest.raises(s2s.UnsupportedSyntaxError, match="assigning into a list's items"):
        s2s.grad(f)(X)


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_forward_over_forward(f):
    """``jvp`` of ``jvp``: the first jvp's own ``xs_dot = _s2s.owned_tangent(xs_dot, xs)`` (a
    new tangent list before ``xs_dot[i] = ...``) was refused as binding a list name again, with
    advice to use this very call. The outer tangent is checked against central differences of
    the inner one along the same direction."""
    inner = s2s.jvp(f)
    (value, tangent), (_, second) = s2s.jvp(inner)(X, V, V)
    assert value == f(X)
    np.testing.assert_allclose(tangent, along(f, X, V), rtol=1e-6, atol=1e-8)
    expected = along(lambda y: inner(y, V)[1], X, V, h=1e-5)
    np.testing.assert_allclose(second, expected, rtol=1e-5, atol=1e-7)


def jvp_rebinds(x):  # stands for a jvp's own code (named `jvp_<f>`) that s2s cannot take again
    ys = [x]
    for i in range(2):
        ys = list(ys)
        ys.append(x * i)
    return np.sum(ys[0] * ys[-1])


def d_rebinds(x):  # the same, standing for a reverse derivative's code (`d_<f>`)
    ys = [x]
    for i in range(2):
        ys = list(ys)
        ys.append(x * i)
    return np.sum(ys[0] * ys[-1])


@pytest.mark.parametrize(("f", "advice"), [(jvp_rebinds, "reverse mode"),
                                           (d_rebinds, "s2s.jvp of s2s.jvp")])  # fmt: skip
def test_advice_for_generated_code_names_the_other_mode(f, advice, monkeypatch):
    """The refusal of a derivative's own list rebinding advised "s2s.jvp of s2s.jvp" also when
    the code refused was a jvp's, that is, under jvp of jvp itself."""
    monkeypatch.setattr(f, "__s2s_generated__", True, raising=False)
    with pytest.raises(s2s.UnsupportedSyntaxError, match="differentiating again") as error:
        s2s.jvp(f)(X, V)
    assert advice in str(error.value)


def scalar_argument(a):  # a scalar wrt: the first jvp writes `xs_dot = _s2s.written_tangent(...)`
    xs = [np.array([a, 2 * a]), np.array([[a, 1.0], [0.5, a * a]])]
    for i in range(3):
        xs[0] += a * xs[0]
        xs[1] -= np.sin(a) * i
        xs[1] /= 1.0 + a * a
    return np.sum(xs[0]) * np.sum(xs[1] ** 2)


def test_forward_over_forward_of_a_scalar_argument():
    a, da = 0.7, 1.0
    inner = s2s.jvp(scalar_argument)
    (value, _), (_, second) = s2s.jvp(inner)(a, da, da)
    assert value == scalar_argument(a)
    expected = along(lambda y: inner(y, da)[1], a, da, h=1e-5)
    np.testing.assert_allclose(second, expected, rtol=1e-6)
    np.testing.assert_allclose(second, s2s.hvp(scalar_argument)(a, da), rtol=1e-9)
