# ruff: noqa: B007  (the differentiated loops keep their loop variables, as users write them)
"""Checkpointed loops (``checkpoint=``) and what fresh users found refused with an untrue
reason (fresh-116's report, section 3): a name bound by ``:=`` in an ``if`` test on every trip
is trip-local, not state; ``raise`` of a builtin exception is no side effect (a trip run again
raised in the primal first); an error raised in a trip names the user's line first."""

from __future__ import annotations

import numpy as np
import pytest
from gradcheck import numeric_gradient
from located import assert_located

import s2s

X = np.array([0.3, -0.2, 0.5])


def walrus_in_test(x, n):
    z = x * 0.5
    for i in range(n):
        if (w := i % 2) == 1:
            z = np.cos(x) * 2
        x = np.sin(x) + z * 0.3 * (1 + w)
    return np.sum(x**2)


def walrus_of_state(x, n):
    for i in range(n):
        if (w := x * 0.5)[0] > 0:
            x = np.sin(x) + w
        x = x * 0.9 + w * 0.1
    return np.sum(x**2)


@pytest.mark.parametrize("func", [walrus_in_test, walrus_of_state])
@pytest.mark.parametrize("checkpoint", [1, 2, "auto"])
def test_walrus_in_if_test_is_trip_local(func, checkpoint):
    """fresh-116 3b: `w` bound by `:=` in the `if` test on every trip before it is read, and not
    read after the loop, was refused as state that "may have no value before the loop"."""
    taped = s2s.grad(func)(X, 5)
    np.testing.assert_allclose(taped, numeric_gradient(lambda x: func(x, 5), [X], 0), rtol=1e-6)
    np.testing.assert_allclose(s2s.grad(func, checkpoint=checkpoint)(X, 5), taped, rtol=1e-12)


def guarded(x, n, limit):
    for i in range(n):
        if i > limit:
            raise ValueError(f"trip {i} is past the limit")  # RAISE
        x = np.sin(x) * 1.1
    return np.sum(x**2)


class TripError(ValueError):
    pass


class LoudError(ValueError):
    def __init__(self, text):
        print("made", text)
        super().__init__(text)


def guarded_own(x, n):
    for i in range(n):
        if n > 100:
            raise TripError("too many")
        x = np.sin(x)
    return np.sum(x)


def guarded_loud(x, n):
    for i in range(n):
        if n > 100:
            raise LoudError("too many")  # LOUD
        x = np.sin(x)
    return np.sum(x)


@pytest.mark.parametrize("checkpoint", [1, 2, "auto"])
def test_raise_in_trips_is_allowed(checkpoint):
    """fresh-116 3c: `raise ValueError(...)` in a trip was refused as "a builtin that acts
    (prints, reads or writes)". Making an exception only stores its arguments, and a trip run
    again in the adjoint sweep raises only if the primal's run of it raised first."""
    taped = s2s.grad(guarded, wrt=0)(X, 5, 10)
    np.testing.assert_allclose(s2s.grad(guarded, wrt=0, checkpoint=checkpoint)(X, 5, 10), taped,
                               rtol=1e-12)  # fmt: skip
    with pytest.raises(ValueError, match="trip 3 is past the limit"):
        s2s.grad(guarded, wrt=0, checkpoint=checkpoint)(X, 5, 2)
    taped = s2s.grad(guarded_own, wrt=0)(X, 4)
    np.testing.assert_allclose(s2s.grad(guarded_own, wrt=0, checkpoint=checkpoint)(X, 4), taped,
                               rtol=1e-12)  # fmt: skip


def test_exception_class_with_its_own_init_refused_with_true_reason():
    with pytest.raises(s2s.UnsupportedSyntaxError, match="exception class") as info:
        s2s.grad(guarded_loud, checkpoint=2)(X, 3)
    assert_located(info.value, guarded_loud, "# LOUD")
    assert "builtin that acts" not in str(info.value)


def tuple_state(x, n):
    s = (x, x * 2, x)
    for i in range(n):
        s = (np.sin(s[1]), s[0] * 0.9, s[2])  # REBOUND
    return np.sum(s[0] + s[1])


@pytest.mark.parametrize("checkpoint", [None, 2])
def test_tuple_state_refusal_says_to_unpack(checkpoint):
    """fresh-116 3d: the refusal ended in "it uses `x`" and its advice did not say what to
    write for tuple state; it now names the items' names to unpack into."""
    with pytest.raises(s2s.NoRuleError, match="`s` is bound to a tuple more than once") as info:
        s2s.grad(tuple_state, checkpoint=checkpoint)(X, 3)
    assert_located(info.value, tuple_state, "# REBOUND", "`s_0, s_1, s_2 = ...`",
                   "read `s_0` where you read `s[0]`", "`s = (s_0, s_1, s_2)` after the loop")
    assert "it uses" not in str(info.value)
