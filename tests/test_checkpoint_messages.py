# ruff: noqa: B007  (the differentiated loops keep their loop variables, as users write them)
"""Checkpointed loops (``checkpoint=``) and what fresh users found refused with an untrue
reason (fresh-116's report, section 3): a name bound by ``:=`` in an ``if`` test on every trip
is trip-local, not state; ``raise`` of a builtin exception is no side effect (a trip run again
raised in the primal first); tuple state rebound as a tuple of its length is followed; an error
raised in a trip keeps its type and leaves out s2s's own frames."""

from __future__ import annotations

import os
import re
import traceback

import numpy as np
import pytest
from gradcheck import numeric_gradient
from located import assert_located, where

import s2s
from s2s.runtime.checkpointing import CheckpointedLoop

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
        s = (np.sin(s[1]), s[0] * 0.9, s[-1])
    return np.sum(s[0] + s[1]) * len(s)


def tuple_state_grows(x, n):
    s = (x, x * 2)
    for i in range(n):
        s = (np.sin(s[1]), s[0] * 0.9, x)  # REBOUND
    return np.sum(s[0] + s[1])


@pytest.mark.parametrize("checkpoint", [None, 2, "auto"])
def test_tuple_state_rebound_as_a_tuple_of_its_length(checkpoint):
    """fresh-116 3d: `s = (x, x*2)` rebound in a loop as `s = (..., ...)` was refused ("it uses
    `x`"); its items are now names of their own (`s_0, s_1, s_2`)."""
    expected = numeric_gradient(lambda x: tuple_state(x, 3), [X], 0)
    np.testing.assert_allclose(s2s.grad(tuple_state, checkpoint=checkpoint)(X, 3), expected,
                               rtol=1e-6)  # fmt: skip


@pytest.mark.parametrize("checkpoint, why", [
    (None, "`s` is bound to tuples of different lengths (2, 3; lines"),
    (2, "`s` is bound to a tuple more than once"),  # the trips' def sees only the rebinding
])  # fmt: skip
def test_tuple_rebound_with_another_length_refusal_says_to_unpack(checkpoint, why):
    """A tuple rebound with another length is still refused, saying why (fresh-123 8: it
    said "bound more than once", which works where the lengths match) and what to write."""
    with pytest.raises(s2s.NoRuleError, match=re.escape(why)) as info:
        s2s.grad(tuple_state_grows, checkpoint=checkpoint)(X, 3)
    assert_located(info.value, tuple_state_grows, "# REBOUND", "`s_0, s_1, s_2 = ...`",
                   "read `s_0` where you read `s[0]`", "`s = (s_0, s_1, s_2)` after the loop")
    assert "it uses" not in str(info.value)


TABLE = {"k": 2.0}


def _scaled_by_the_table(x):
    return x * TABLE["k"]  # READ


def table_loop(x, n):
    for i in range(n):
        x = np.sin(_scaled_by_the_table(x))  # CALL
    return np.sum(x)


def _frames(exc):
    return [frame.f_code.co_filename for frame, _ in traceback.walk_tb(exc.__traceback__)]


def test_a_users_error_in_the_trips_keeps_its_type_and_drops_s2s_frames():
    """fresh-116 3e: an error of the user's code raised while the adjoint sweep runs the trips
    again went through checkpointing.py's `_backward`/`_advance` frames before the user's. It
    keeps its type, notes the user's line and leaves out s2s's own frames."""
    TABLE["k"] = 2.0
    value, pullback = s2s.vjp(table_loop, checkpoint=2)(X, 4)
    del TABLE["k"]  # the trips run again in the adjoint sweep: they read it again
    try:
        with pytest.raises(KeyError) as info:
            pullback(1.0)
    finally:
        TABLE["k"] = 2.0
    assert any(where(table_loop, "# CALL") in note for note in info.value.__notes__)
    frames = _frames(info.value)
    assert frames[-1].startswith("<s2s d__scaled_by_the_table")  # its derivative in a trip VJP
    assert not any("checkpointing.py" in f for f in frames)
    assert sum(f.startswith(os.path.dirname(s2s.__file__)) for f in frames) == 1  # the re-raise


def test_an_error_of_s2s_code_keeps_its_frames(monkeypatch):
    """Only the user's errors lose s2s's frames: one raised by s2s's own code keeps them."""

    def broken(*args, **kwargs):
        raise RuntimeError("broken trip")

    monkeypatch.setattr(CheckpointedLoop, "_trip", broken)
    with pytest.raises(RuntimeError, match="broken trip") as info:
        s2s.grad(table_loop, checkpoint=2)(X, 4)
    assert any("checkpointing.py" in f for f in _frames(info.value))


def out_of_bounds(x, n):
    for i in range(n):
        x = x[np.array([0, 1, 5])] * 2  # BAD
    return np.sum(x)


def out_of_bounds_scalar(x, n):
    s = 1.0
    for i in range(n):
        s = s * x[5]  # BAD
    return s


@pytest.mark.parametrize("func", [out_of_bounds, out_of_bounds_scalar])
def test_a_users_error_under_a_memory_budget_is_raised_once(func):
    """fresh-123 6: under MemoryBudget an error in a measured trip was raised twice, the
    second "during handling of" the first (a chained traceback through checkpointing.py's
    `_run_taped`). It is raised once, keeps its type and notes the user's line (a float
    scalar state, tried first as a 0-d array, runs again as it was: still one traceback)."""
    with pytest.raises(IndexError) as info:
        s2s.grad(func, wrt=0, checkpoint=s2s.MemoryBudget(10**6))(np.ones(3), 2)
    assert type(info.value) is IndexError
    assert info.value.__context__ is None and info.value.__cause__ is None
    assert any(where(func, "# BAD") in note for note in info.value.__notes__)
    frames = _frames(info.value)
    assert not any("checkpointing.py" in f for f in frames)
    assert sum(f.startswith(os.path.dirname(s2s.__file__)) for f in frames) == 1  # the re-raise


def loop_in_try(x, n):
    try:
        for i in range(n):  # LOOP
            x = np.sin(x)
    except ValueError:
        x = x * 0.0
    return np.sum(x)


def test_a_loop_in_a_try_is_refused_naming_the_try():
    """fresh-123 8: the refusal said "only an outermost `for` loop over range(...)" and
    advised `for i in range(n):`, which the loop already was; the `try` is the reason."""
    with pytest.raises(s2s.UnsupportedSyntaxError, match="inside a `try` statement") as info:
        s2s.grad(loop_in_try, wrt=0, checkpoint=2)(X, 3)
    assert_located(info.value, loop_in_try, "# LOOP", "put the `try` inside the loop's body")


def unpacked_into_items(x):
    y = np.zeros(3)
    y[0], y[1], y[2] = np.sin(x)  # UNPACK
    return np.sum(y)


def test_unpacking_an_array_into_items_advises_indexing_it():
    """fresh-123 8: the advice spoke of `for y in ys:`, which the code has nothing of."""
    with pytest.raises(s2s.UnsupportedSyntaxError, match="unpacking this value") as info:
        s2s.grad(unpacked_into_items)(X)
    assert_located(info.value, unpacked_into_items, "# UNPACK",
                   "bind the value to a name and index it")
