"""Fourth derivatives through a ``numpy.vectorize`` object (issue 9): the third-order helpers
of s2s/runtime/vectorized_second.py have plain twins (s2s/runtime/plain_vectorized.py),
gradients of one scalar function per call gathered by the first-order helper, so the fourth
order is the second-order helpers of that function's object. Each mode at the top (grad and
jvp over each third derivative), objects of two arguments, with ``signature=`` and with
``excluded=``, against central differences of the third derivative. All but the third order
of four arguments are ``long``: the fourth level generates derivatives of derivatives of the
per-call function (10 s to 3 min each on a shared machine)."""

from __future__ import annotations

import numpy as np
import pytest
from gradcheck import along

import s2s


def _wavy(a):
    return a * np.sin(2.0 * a) + a * a


WAVY = np.vectorize(_wavy)
SCALE = np.array([0.5, 1.5])
X = 0.7


def wavy_sum(x):
    return np.sum(WAVY(x * SCALE))


def _fourth_exact(x):
    """``d^4/dx^4 sum(w(s x))`` for ``w(a) = a sin(2a) + a^2``: ``s^4 w''''(s x)``, with
    ``w''''(a) = 16 a sin(2a) - 32 cos(2a)``."""
    a = x * SCALE
    return float(np.sum(SCALE**4 * (16.0 * a * np.sin(2.0 * a) - 32.0 * np.cos(2.0 * a))))


def _forward(f):
    """``x -> jvp(f)(x, 1)``'s tangent: a derivative along 1 in forward mode."""
    d = s2s.jvp(f)

    def along_one(x):
        return d(x, 1.0)[1]

    return along_one


@pytest.mark.long  # 50 s: the twins make derivatives of Q and E at run time
def test_the_twins_compute_what_the_helpers_compute():
    """Each third-order helper against its twin's value (the twin is what the fourth order
    differentiates), with every tangent and cotangent given and with some ``None``."""
    rng = np.random.default_rng(9)
    x, g, ct, tg, t, dct, dg, dx, dtg, dt = (rng.normal(size=3) for _ in range(10))
    cases = [
        ("vectorized_grads_adjoint_adjoint", (dg, [dx], [ct], g, WAVY, (x,))),
        ("vectorized_grads_adjoint_adjoint", (dg, [None], None, g, WAVY, (x,))),
        ("vectorized_grads_tangent_adjoint", ([ct], tg, g, WAVY, (x,), [t])),
        ("vectorized_grads_tangent_adjoint", ([ct], None, g, WAVY, (x,), [None])),
        ("vectorized_grads_adjoint_tangent", ([dct], dg, [dx], [ct], g, WAVY, (x,))),
        ("vectorized_grads_adjoint_tangent", (None, None, [dx], [ct], g, WAVY, (x,))),
        ("vectorized_grads_tangent_tangent", (dtg, dg, [dx], [dt], tg, g, WAVY, (x,), [t])),
        ("vectorized_grads_tangent_tangent", (None, dg, None, None, tg, g, WAVY, (x,), [t])),
        ("vectorized_grads_adjoint_adjoint", (dg, [dx, dt], [ct, t], g, WAVY2, (x, tg))),
        ("vectorized_grads_tangent_adjoint", ([ct, None], tg, g, WAVY2, (x, dtg), [t, dt])),
        (
            "vectorized_grads_adjoint_tangent",
            ([dct, ct], dg, [dx, None], [ct, t], g, WAVY2, (x, dtg)),
        ),
        (
            "vectorized_grads_tangent_tangent",
            (dtg, dg, [dx, dt], [dt, None], tg, g, WAVY2, (x, t), [t, ct]),
        ),
    ]
    for name, args in cases:
        helper = getattr(s2s.runtime, name)
        twin = s2s.runtime.source_of(helper)
        assert twin is not None and twin is not helper, name
        expected, got = helper(*args), twin(*args)
        for e, v in zip(_leaves(expected), _leaves(got), strict=True):
            np.testing.assert_allclose(v, e, rtol=1e-12, atol=1e-12, err_msg=name)


def _leaves(value):
    if isinstance(value, (list, tuple)):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]


@pytest.mark.long  # 15 s
def test_grad_four_times_agrees_with_differences_of_the_third():
    """Reverse four times: the fourth level differentiates the twin of
    ``vectorized_grads_adjoint_adjoint``."""
    third = s2s.grad(s2s.grad(s2s.grad(wavy_sum)))
    fourth = s2s.grad(third)(X)
    np.testing.assert_allclose(fourth, along(third, X, 1.0, 1e-4), rtol=1e-7)
    np.testing.assert_allclose(fourth, _fourth_exact(X), rtol=1e-12)


THIRDS = {
    "jvp(grad(grad))": lambda: _forward(s2s.grad(s2s.grad(wavy_sum))),
    "grad(jvp(grad))": lambda: s2s.grad(_forward(s2s.grad(wavy_sum))),
    "grad(grad(grad))": lambda: s2s.grad(s2s.grad(s2s.grad(wavy_sum))),
    "jvp(jvp(grad))": lambda: _forward(_forward(s2s.grad(wavy_sum))),
}


# grad over jvp(jvp(grad(f))) is left out: reverse over forward over forward returns tuples of
# tuples, refused for any f (UnsupportedSyntaxError, not this helper's)
MODES = [(top, third) for top in ("grad", "jvp") for third in THIRDS
         if (top, third) != ("grad", "jvp(jvp(grad))")]  # fmt: skip


@pytest.mark.long  # 1 s to 3 min each (forward over forward over forward over reverse)
@pytest.mark.parametrize("top, third", MODES, ids=[f"{t}-{h}" for t, h in MODES])
def test_each_mode_over_each_third_derivative(top, third):
    """Reverse and forward at the top of each third derivative (forward over reverse reaches
    the twins of the tangents, reverse the twins of the transposes)."""
    f = THIRDS[third]()  # jvp over jvp(jvp(grad)): the JVP of a fourth pullback given lists
    fourth = s2s.grad(f)(X) if top == "grad" else _forward(f)(X)
    np.testing.assert_allclose(fourth, along(f, X, 1.0, 1e-4), rtol=1e-7)
    np.testing.assert_allclose(fourth, _fourth_exact(X), rtol=1e-10)


def _wavy2(a, b):
    return a * np.sin(b * a) + b * b


def _cubes(v):
    return np.sum(v * v * v)


def _shifted(a, b):
    return np.sin(a * b[0]) + b[1] * a * a


WAVY2 = np.vectorize(_wavy2)
CUBES = np.vectorize(_cubes, signature="(n)->()")
SHIFTED = np.vectorize(_shifted, excluded={1})
B = np.array([[0.3, 0.6], [0.2, 0.9]])


def two_arguments(x):
    return np.sum(WAVY2(x * SCALE, np.cos(x) * np.array([1.0, 0.7])))


def core_slices(x):
    return np.sum(CUBES(np.sin(x * B)))


def an_excluded_argument(x):
    return np.sum(SHIFTED(x * SCALE, np.array([x, 2.0 * x])))


@pytest.mark.long  # 20 s to 2 min each
@pytest.mark.parametrize("f", [two_arguments, core_slices, an_excluded_argument])
def test_two_arguments_signature_and_excluded_in_both_modes(f):
    """The twins' objects loop as the user's does: one ``a`` and ``v`` per argument, core
    dimensions and excluded arguments as the argument's. Reverse and forward over grad three
    times."""
    third = s2s.grad(s2s.grad(s2s.grad(f)))
    expected = along(third, X, 1.0, 1e-4)
    np.testing.assert_allclose(s2s.grad(third)(X), expected, rtol=1e-6)
    np.testing.assert_allclose(_forward(third)(X), expected, rtol=1e-6)


def _four(a, b, c, e):
    return a * b + c * e


FOUR = np.vectorize(_four)


def four_arguments(x):
    return np.sum(FOUR(x, x * x, np.sin(x), np.cos(x)))


def test_the_third_order_of_four_arguments():
    """The default suite's case (under a second): the third order of a four-argument object
    (the hand-written helpers) against differences of the second."""
    third = s2s.grad(s2s.grad(s2s.grad(four_arguments)))
    second = s2s.grad(s2s.grad(four_arguments))
    np.testing.assert_allclose(third(X), along(second, X, 1.0, 1e-5), rtol=1e-6)


@pytest.mark.long  # minutes: the twins of four arguments (tools.vectorized_calls, 1 to 6)
def test_the_fourth_order_of_four_arguments_in_both_modes():
    """``x^3 + sin(2x) / 2`` through a four-argument object: its fourth derivative
    ``8 sin(2x)``, reverse and forward over grad three times, against differences of the
    third."""
    third = s2s.grad(s2s.grad(s2s.grad(four_arguments)))
    expected = along(third, X, 1.0, 1e-4)
    np.testing.assert_allclose(expected, 8.0 * np.sin(2.0 * X), rtol=1e-6)
    np.testing.assert_allclose(s2s.grad(third)(X), expected, rtol=1e-6)
    np.testing.assert_allclose(_forward(third)(X), expected, rtol=1e-6)


def _six(a, b, c, e, p, q):
    return a * b + c * e + p * q


SIX = np.vectorize(_six)


def six_arguments(x):
    return np.sum(SIX(x, x * x, np.sin(x), np.cos(x), x, np.exp(x)))


@pytest.mark.long  # 40 s: the most arguments the first order takes
def test_the_fourth_order_of_six_arguments():
    """``x^3 + sin(2x) / 2 + x e^x`` through a six-argument object: its fourth derivative
    ``8 sin(2x) + (x + 4) e^x``, and differences of the third."""
    third = s2s.grad(s2s.grad(s2s.grad(six_arguments)))
    exact = 8.0 * np.sin(2.0 * X) + (X + 4.0) * np.exp(X)
    np.testing.assert_allclose(s2s.grad(third)(X), exact, rtol=1e-12)
    np.testing.assert_allclose(along(third, X, 1.0, 1e-4), exact, rtol=1e-6)
