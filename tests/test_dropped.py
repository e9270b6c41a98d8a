"""No dropped gradient, by kind of call expression (issue 10, part 4): each kind either
matches central differences or raises a located S2SError at its line; none returns zeros.

Kinds walked: subscripted index builders (np.r_, np.c_), an object of the user's with
``__getitem__``, calls with list-of-ints arguments (einsum's sublist form), calls of methods of
non-module objects, plain ufuncs, a structural argument that is computed (an axis from a
float), an ``np.s_`` index built from an int.
"""

from __future__ import annotations

import numpy as np
import pytest
from gradcheck import numeric_gradient
from located import assert_located

import s2s


class Stacker:
    def __getitem__(self, key):
        return np.stack(key)


class Scale:
    def __init__(self, k):
        self.k = k

    def apply(self, x):
        return self.k * x


STACK = Stacker()
SCALE = Scale(3.0)


def r_(x):
    return np.sum(np.r_[x, 2.0 * x] ** 2)  # MARK


def c_(x):
    return np.sum(np.c_[x, 2.0 * x] ** 2)  # MARK


def getitem_object(x):
    return np.sum(STACK[x, 2.0 * x] ** 2)  # MARK


def einsum_sublist(a):
    return np.sum(np.einsum(a, [0, 1], [1, 0]) * np.arange(4.0).reshape(2, 2))  # MARK


def einsum_sublist_two(a):
    return np.einsum(a, [0], a, [0], [])  # MARK


def method_of_object(x):
    return np.sum(SCALE.apply(x) ** 2)  # MARK


def s_index(x):
    return np.sum(x[np.s_[1:]] ** 2)  # MARK


def plain(x):
    return np.sum(np.tanh(x) * x)  # MARK


KINDS = [r_, c_, getitem_object, einsum_sublist, einsum_sublist_two, method_of_object,
         s_index, plain]  # fmt: skip


@pytest.mark.parametrize("f", KINDS, ids=lambda f: f.__name__)
def test_each_kind_is_right_or_refused_at_its_line(f):
    x = np.array([0.3, -0.8]) if f is not einsum_sublist else np.eye(2) + 0.25
    try:
        got = s2s.grad(f)(x)
    except s2s.S2SError as error:
        assert_located(error, f, "# MARK")
        return
    want = numeric_gradient(f, (x,), 0)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8)
    assert np.any(got != 0.0), "an all-zero gradient here is the dropped one"


@pytest.mark.parametrize("f", [r_, c_, einsum_sublist], ids=lambda f: f.__name__)
def test_the_known_silent_zeros_are_refused(f):
    x = np.array([0.3, -0.8]) if f is not einsum_sublist else np.eye(2) + 0.25
    with pytest.raises(s2s.UnsupportedArgumentError) as info:
        s2s.grad(f)(x)
    assert_located(info.value, f, "# MARK", "stop_gradient")


def test_each_refusal_s_advice_names_only_its_own_call():
    """The advice named np.r_, np.c_ and np.einsum for every call (for np.histogram's
    ``range`` too): each now names what to write for its own call only."""
    with pytest.raises(s2s.UnsupportedArgumentError) as info:
        s2s.grad(r_)(np.array([0.3, -0.8]))
    assert "np.r_" in info.value.advice and "einsum" not in info.value.advice
    with pytest.raises(s2s.UnsupportedArgumentError) as info:
        s2s.grad(einsum_sublist)(np.eye(2) + 0.25)
    assert "einsum" in info.value.advice and "np.r_" not in info.value.advice


# -- a step in an argument: its derivative there is 0, not a dropped gradient ------------------


def step_times_square(x):
    return np.sum(np.heaviside(x, 0.5) * x**2)


def sign_copied_onto_a_constant(x):
    return np.sum(np.copysign(3.0, x) * x)  # 3 |x|


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_value_reaching_a_step_argument_gets_zero_through_it(dtype):
    """heaviside is a step in x1 and copysign in x2 (docs/rules.md): a value that carries a
    gradient there gets 0 through them, as through np.sign (both were refused as dropped)."""
    x = np.array([-1.0, 2.0, 0.5], dtype=dtype)
    rtol = 1e-12 if dtype == np.float64 else 1e-6
    for f in (step_times_square, sign_copied_onto_a_constant):
        got = s2s.grad(f)(x)
        assert got.dtype == dtype
        want = numeric_gradient(f, (x.astype(np.float64),), 0)
        np.testing.assert_allclose(got, want, rtol=max(rtol, 1e-7), atol=1e-7)
        tangent = np.array([0.5, -1.0, 2.0], dtype=dtype)
        _, derivative = s2s.jvp(f)(x, tangent)
        assert np.isclose(derivative, np.dot(want, tangent), rtol=1e-6)
