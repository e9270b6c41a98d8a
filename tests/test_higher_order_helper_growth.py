"""``grad`` many times through a call of a function of yours (issue 9): each order's code is
the derivative of the one below, so what one order writes for the next to differentiate
sets the growth. A pullback of a helper differentiated again reads its tuple cotangent's
items as zeros for ``None`` (``_s2s.dense_tangent``) and the parts a ``pullback_of`` returns
as values, so neither writes ``if d is not None:`` arms, which the next order would tape as
branches (measured on ``(x sin x)^2`` through a helper: the fifth order 1.14 MB of source
before, 238 KB after). Values against the closed form, by Leibniz's rule.
"""

from __future__ import annotations

import math

import gradcheck as gc
import numpy as np
import pytest

import s2s


def helper(x):
    return np.sin(x) * x


def through_a_helper(x):
    return helper(x) ** 2


def closed_form(n: int, x: float) -> float:
    """The n-th derivative of ``x^2 sin(x)^2 = x^2 / 2 - x^2 cos(2x) / 2`` (Leibniz's rule
    on ``x^2 cos(2x)``, with ``cos(2x)^(m) = 2^m cos(2x + m pi / 2)``)."""

    def cos_derivative(m: int) -> float:
        return 2.0**m * math.cos(2 * x + m * math.pi / 2) if m >= 0 else 0.0

    plain = {0: x * x / 2, 1: x, 2: 1.0}.get(n, 0.0)
    leibniz = x * x * cos_derivative(n) + 2 * n * x * cos_derivative(n - 1)
    leibniz += n * (n - 1) * cos_derivative(n - 2)
    return plain - leibniz / 2


def test_the_closed_form_is_the_function():
    """The closed form at order 0 is the function itself, and its first order matches a
    central difference of it (so the formula the tests below use is not wrong itself)."""
    x, h = 0.7, 1e-6
    assert closed_form(0, x) == pytest.approx(through_a_helper(x), rel=1e-14)
    numeric = (through_a_helper(x + h) - through_a_helper(x - h)) / (2 * h)
    assert closed_form(1, x) == pytest.approx(numeric, rel=1e-8)


def test_grad_four_times_through_a_helper():
    derivative = through_a_helper
    for order in range(1, 5):
        derivative = s2s.grad(derivative)
        value = derivative(np.float64(0.7))
        np.testing.assert_allclose(value, closed_form(order, 0.7), rtol=1e-10)


def test_code_differentiated_again_has_no_none_arms_for_a_helper_s_parts():
    """The functional form of the third derivative (what a fourth differentiates) and the
    pullback of the helper's pullback it calls test no cotangent for ``None``: each such arm
    became a branch with a tape one order up, several times the code."""
    third = s2s.grad(s2s.grad(s2s.grad(through_a_helper)))
    s2s.jvp(third)(np.float64(0.7), np.float64(1.0))  # makes the functional form
    assert "is not None" not in third._functional_twin.source.split("# sibling")[0]
    pullback = s2s.api.pullback(s2s.api.pullback(helper, ("x",)), ("cotangent", "x"))
    arguments = {"cotangent_2": (np.float64(1.0),), "cotangent": np.float64(0.5),
                 "x": np.float64(0.7)}  # fmt: skip
    functional = pullback.differentiable_generated(arguments).compiled.source
    assert "_s2s.dense_tangent(cotangent_2[0], " in functional
    assert "is not None" not in functional


@pytest.mark.long
def test_grad_five_times_through_a_helper():
    derivative = through_a_helper
    for _ in range(5):
        derivative = s2s.grad(derivative)
    np.testing.assert_allclose(derivative(np.float64(0.7)), closed_form(5, 0.7), rtol=1e-10)


def cube(x):
    return x * x * x


def _pullbacks(depth: int) -> list:
    """``pullback_of`` of ``cube``, of that, and so on, as code differentiated again calls
    them: each takes its cotangent, then the parameters of the one below."""
    chain, function, wrt = [], cube, ("x",)
    for level in range(1, depth + 1):
        function = s2s.runtime.pullback_of(function, wrt)
        chain.append(function)
        wrt = (f"cotangent_{level}" if level > 1 else "cotangent",) + wrt
    return chain


def test_a_pullback_of_pullbacks_given_lists_of_parts_as_given_tuples():
    """The pullback of the third pullback called with lists of parts (as generated code
    passes them) took a path that called it once without its own cotangent (a binding
    error); now it gives what tuples give."""
    p1, p2, p3, p4 = _pullbacks(4)
    x, c, f = np.float64(0.7), np.float64(0.5), np.float64
    as_lists = p4([[f(0.1)], f(0.6), f(0.9)], [f(0.2), f(0.4)], [f(0.3)], c, x)
    as_tuples = p4(((f(0.1),), f(0.6), f(0.9)), (f(0.2), f(0.4)), (f(0.3),), c, x)
    flat = [v for part in as_lists for v in (part if isinstance(part, list) else [part])]
    expected = [v for part in as_tuples for v in (part if isinstance(part, tuple) else [part])]
    np.testing.assert_allclose(flat, expected, rtol=1e-14)


def _fourth_pullback(z: np.ndarray) -> np.ndarray:
    """The fourth pullback of ``cube`` in closed form, by hand: at ``z = (al, be, ga, a, b, u,
    c, x)`` (its own cotangent ``((al,), be, ga)``, then ``(a, b)``, ``(u,)``, ``c``, ``x``)
    its five parts ``(g_a, g_b), (g_u,), g_c, g_x``, a polynomial of degree three."""
    al, be, ga, a, b, u, c, x = z
    return np.array([
        3 * x * x * al + 6 * x * u * ga,
        6 * x * c * al + 6 * x * u * be + 6 * c * u * ga,
        6 * x * b * be + 6 * x * a * ga + 6 * c * b * ga,
        6 * x * b * al + 6 * u * b * ga,
        6 * x * a * al + 6 * c * b * al + 6 * u * b * be + 6 * u * a * ga,
    ])  # fmt: skip


def _slope(f, z: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``f``'s derivative at ``z`` along ``v`` by Richardson-extrapolated central differences,
    exact (to rounding) for a polynomial of degree at most four: a wide step."""
    return gc.richardson(lambda t: f(z + t * v), 0.2)


def _gradient(f, z: np.ndarray) -> np.ndarray:
    return np.array([_slope(f, z, e) for e in np.eye(len(z))])


Z = np.array([0.1, 0.6, 0.9, 0.2, 0.4, 0.3, 0.5, 0.7])


def _arguments(kind, z=Z):
    """The fourth pullback's arguments at ``z`` as lists (what generated code passes) or
    tuples of parts."""
    al, be, ga, a, b, u, c, x = (np.float64(v) for v in z)
    return kind([kind([al]), be, ga]), kind([a, b]), kind([u]), c, x


def _leaves(value) -> list:
    if isinstance(value, (list, tuple)):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]


@pytest.mark.parametrize("kind", [list, tuple])
def test_a_fifth_pullback_given_lists_of_parts_is_the_closed_form(kind):
    """The pullback of the fourth pullback given lists of parts (refused before; without the
    refusal, an UnsupportedSyntaxError about unpacking a container in s2s's own code) gives
    the gradient of ``ct . p4(z)``, by differences of the closed form; given tuples too."""
    p5 = _pullbacks(5)[4]
    ct = np.array([1.0, 0.8, -0.6, 0.4, 1.2])
    f = np.float64
    parts = p5(kind([kind([f(1.0), f(0.8)]), kind([f(-0.6)]), f(0.4), f(1.2)]),
               *_arguments(kind))  # fmt: skip
    expected = _gradient(lambda z: ct @ _fourth_pullback(z), Z)
    np.testing.assert_allclose(_leaves(parts), expected, rtol=1e-12)
    assert type(parts[0]) is kind and type(parts[0][0]) is kind


@pytest.mark.parametrize("kind", [list, tuple])
def test_the_jvp_of_a_fourth_pullback_given_lists_of_lists_is_the_closed_form(kind):
    """Given lists of lists of parts, the JVP of a fourth pullback took them apart into the
    wrong places (1.134, 1.566 for 1.281, 1.776: ``s2s.jvp`` of ``grad`` five times through a
    helper was silently wrong): the flat derivative's code was generated for its inner
    pullback given leaves, where that pullback's list argument was missing, so its reads
    were not differentiated. Value and tangent against the closed form; tuples too."""
    p4 = _pullbacks(4)[3]
    jvp = s2s.runtime.jvp_of(p4, ("cotangent_4", "cotangent_3", "cotangent_2", "cotangent", "x"))
    tangent = np.array([0.5, 0.1, 0.2, 0.3, 0.7, 0.4, 0.6, 0.8])
    value, slope = jvp(*_arguments(kind, tangent)[:3], *tangent[-2:], *_arguments(kind))
    np.testing.assert_allclose(_leaves(value), _fourth_pullback(Z), rtol=1e-13)
    np.testing.assert_allclose(_leaves(slope), _slope(_fourth_pullback, Z, tangent), rtol=1e-12)
    np.testing.assert_allclose(_leaves(value)[:2], [1.281, 1.776], rtol=1e-12)


def test_a_sixth_pullback_given_none_for_a_part_of_a_part():
    """Code differentiated again gives a part without a cotangent as ``None``, inside a list
    of parts too (``[None, b, None]`` for ``[[al], be, ga]``): the pullback of the fifth
    pullback takes it as zeros (it was a UsageError about the structure of `cotangent_4`,
    which grad six times through a helper raised). Against the closed form: the slope of
    ``p4`` along the cotangent's parts, and the gradient of that slope dotted with ``ct``."""
    p6 = _pullbacks(6)[5]
    f = np.float64
    ct = np.array([1.0, 0.8, -0.6, 0.4, 1.2])
    given = [[None, f(0.3), None], [f(0.5), None], None, f(0.7), f(1.1)]
    along = np.array([0.0, 0.3, 0.0, 0.5, 0.0, 0.0, 0.7, 1.1])  # the None parts as zeros
    parts = p6(given, [[f(1.0), f(0.8)], [f(-0.6)], f(0.4), f(1.2)], *_arguments(list))
    expected = np.concatenate([
        _slope(_fourth_pullback, Z, along),
        _gradient(lambda z: ct @ _slope(_fourth_pullback, z, along), Z),
    ])  # fmt: skip
    np.testing.assert_allclose(_leaves(parts), expected, rtol=1e-10, atol=1e-12)


def _sixth_pullback(w: np.ndarray) -> np.ndarray:
    """The sixth pullback of ``cube`` in closed form at ``w``: the fifth pullback's own
    cotangent (8 leaves, the direction ``v``), the fourth's (5, ``ct``), then ``z`` (8); its
    parts are the slope of ``p4`` along ``v`` and the gradient of ``ct`` dotted with it."""
    v, ct, z = w[:8], w[8:13], w[13:]
    return np.concatenate([
        _slope(_fourth_pullback, z, v),
        _gradient(lambda z: ct @ _slope(_fourth_pullback, z, v), z),
    ])  # fmt: skip


@pytest.mark.long  # 7 to 9 s: six levels of pullbacks of cube generated
def test_a_seventh_pullback_given_none_for_a_part_of_a_part():
    """A part of a part of a cotangent that is ``None`` reached the adjoint of a tuple of
    tuples in generated code as ``parts[0][0]`` (a TypeError: `'NoneType' object is not
    subscriptable`; grad seven times through a helper raised it): items below the first
    level are read with ``_s2s.item_of``, ``None`` for none. With that alone the first part
    came out 0 for 9.546 (a tuple item of a tuple argument was not varied). Against
    differences of the sixth pullback's closed form (a polynomial: exact to rounding)."""
    p7 = _pullbacks(7)[6]
    f = np.float64
    v = np.array([0.0, 0.3, 0.0, 0.5, 0.0, 0.0, 0.7, 1.1])
    ct5 = np.array([1.0, 0.8, -0.6, 0.4, 1.2])
    ct6 = [[[f(v[0])], f(v[1]), f(v[2])], [f(v[3]), f(v[4])], [f(v[5])], f(v[6]), f(v[7])]
    ct7 = [[[f(0.2), None], None, f(0.3), f(0.4)], [None, f(0.5), f(0.6)], [f(0.1), f(0.2)],
           [f(0.9)], f(0.3), f(0.5)]  # fmt: skip
    dense = np.array([0.2, 0.0, 0.0, 0.3, 0.4, 0.0, 0.5, 0.6, 0.1, 0.2, 0.9, 0.3, 0.5])
    c5 = [[f(1.0), f(0.8)], [f(-0.6)], f(0.4), f(1.2)]
    parts = p7(ct7, ct6, c5, *_arguments(list))
    expected = _gradient(lambda w: dense @ _sixth_pullback(w), np.concatenate([v, ct5, Z]))
    np.testing.assert_allclose(_leaves(parts), expected, rtol=1e-9, atol=1e-11)


@pytest.mark.long
def test_grad_six_times_through_a_helper():
    """The sixth came out wrong (87.76 for 94.32), then was refused: the closed form now."""
    derivative = through_a_helper
    for _ in range(6):
        derivative = s2s.grad(derivative)
    np.testing.assert_allclose(derivative(np.float64(0.7)), closed_form(6, 0.7), rtol=1e-10)


@pytest.mark.long  # about 40 s: 2.4 MB of source for the seventh
def test_grad_seven_times_through_a_helper():
    derivative = through_a_helper
    for _ in range(7):
        derivative = s2s.grad(derivative)
    np.testing.assert_allclose(derivative(np.float64(0.7)), closed_form(7, 0.7), rtol=1e-10)


@pytest.mark.long
def test_the_jvp_of_grad_five_times_through_a_helper():
    """It was silently wrong (-75.30 for -80.63), then refused: the closed form now."""
    derivative = through_a_helper
    for _ in range(5):
        derivative = s2s.grad(derivative)
    value, tangent = s2s.jvp(derivative)(np.float64(0.7), np.float64(2.0))
    np.testing.assert_allclose(value, closed_form(5, 0.7), rtol=1e-10)
    np.testing.assert_allclose(tangent, 2.0 * closed_form(6, 0.7), rtol=1e-10)


def sine(x):
    return np.sin(x)


def sine_times_x(x):
    return sine(x) * x


@pytest.mark.long
def test_grad_six_times_of_a_sine_helper_times_x():
    """A sixth through a helper that works: ``(x sin x)^(6) = 6 cos x - x sin x``."""
    derivative = sine_times_x
    for _ in range(6):
        derivative = s2s.grad(derivative)
    expected = 6 * np.cos(0.7) - 0.7 * np.sin(0.7)
    np.testing.assert_allclose(derivative(np.float64(0.7)), expected, rtol=1e-10)


def scaled(p, x):
    return p[0] * x * x + p[1] * x


def through_a_helper_given_a_list(x):
    return scaled([x, 2.0 * x], x)


def test_grad_three_times_through_a_helper_given_a_list():
    """``x^3 + 2 x^2`` through a helper given a list: the third derivative was 4 for 6 (the
    inner pullback's code was generated without the list, so its reads were not
    differentiated); orders one to four against the closed form."""
    derivative, x = through_a_helper_given_a_list, np.float64(0.7)
    for expected in (3 * x * x + 4 * x, 6 * x + 4, 6.0, 0.0):
        derivative = s2s.grad(derivative)
        np.testing.assert_allclose(derivative(x), expected, rtol=1e-12, atol=1e-12)


def nested(p, x):
    return p[0][0] * x * x + p[1] * x


def through_a_helper_given_a_list_of_lists(x):
    return nested([[x], 2.0 * x], x)


def test_grad_four_times_through_a_helper_given_a_list_of_lists():
    """The second derivative was a UsageError about the structure of `p`; past it, the
    helper's pullback, differentiated again with respect to ``p`` given as a tuple of tuples,
    read ``p[0][0]`` without differentiating it (an item of a tuple argument that is itself
    a tuple was not varied): the third came out 4 for 6. Orders one to four against the
    closed form."""
    derivative, x = through_a_helper_given_a_list_of_lists, np.float64(0.7)
    for expected in (3 * x * x + 4 * x, 6 * x + 4, 6.0, 0.0):
        derivative = s2s.grad(derivative)
        np.testing.assert_allclose(derivative(x), expected, rtol=1e-12, atol=1e-12)


def test_a_third_pullback_of_a_helper_given_a_tuple_of_tuples():
    """The pullback of a helper's second pullback with respect to ``p = ((a,), b)``, against
    central differences of the second pullback (it lost the terms through ``p[0][0]``, tuples
    and lists alike, on main too)."""
    pullback = s2s.runtime.pullback_of
    second = pullback(pullback(nested, ("p", "x")), ("cotangent", "p", "x"))
    third = pullback(second, ("cotangent_2", "cotangent", "p", "x"))
    f = np.float64
    ct = (f(0.3), ((f(0.1),), f(0.2)), f(0.6))

    def along_ct(z):
        u, v, w, c, a, b, x = (f(t) for t in z)
        g_c, ((g_a,), g_b), g_x = second((((u,), v), w), c, ((a,), b), x)
        return 0.3 * g_c + 0.1 * g_a + 0.2 * g_b + 0.6 * g_x

    z = np.array([0.5, 0.2, 0.6, 1.0, 0.4, 0.3, 0.7])
    parts = third(ct, (((f(z[0]),), f(z[1])), f(z[2])), f(z[3]), ((f(z[4]),), f(z[5])), f(z[6]))
    np.testing.assert_allclose(_leaves(parts), _gradient(along_ct, z), rtol=1e-9)
