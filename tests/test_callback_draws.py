# ruff: noqa: B007  (the differentiated loops keep their loop variables, as users write them)
"""A function value passed to a call that calls it (fresh-123's report, section 3):
``np.apply_along_axis(_draw, 0, x)``, ``np.piecewise(x, c, [_draw, ...])``,
``functools.reduce``, ``sorted(key=)``. Under ``checkpoint=`` the trips run again, so a
callback that draws is refused at the call (it gave a wrong gradient, and with a
``MemoryBudget`` a wrong value); without it, the rules of ``np.piecewise``,
``np.apply_along_axis`` and ``np.apply_over_axes`` run the callback again for its derivative,
so one that draws is refused when the derivative runs (``np.piecewise`` gave a wrong gradient).
A pure callback still differentiates, checked against central differences."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from gradcheck import numeric_gradient
from located import assert_located

import s2s
from s2s.errors import NoRuleError, UnsupportedSyntaxError

X = np.array([0.3, -0.4, 0.9])
CHECKPOINTS = [2, "auto", s2s.MemoryBudget(10**6)]


def _draw(v):
    return v + np.random.normal(size=np.shape(v))


def _scaled_draw(v):
    return v * (1 + 0.1 * np.random.normal(size=np.shape(v)))


def _pure(v):
    return v * 2.0 + np.sin(v)


def _draw_key(v):
    return np.random.rand()


def _draw_add(a, b):
    return a + b * np.random.rand()


def along_axis(x, n):
    for i in range(n):
        x = np.sin(np.apply_along_axis(_draw, 0, x))  # CALL
    return np.sum(x**2)


def pieces(x, n):
    for i in range(n):
        x = np.sin(np.piecewise(x, [x > 0], [_draw, _draw]))  # CALL
    return np.sum(x**2)


def sorted_key(x, n):
    for i in range(n):
        x = np.sin(x) * sorted([1.0, 2.0], key=_draw_key)[0]  # CALL
    return np.sum(x**2)


def reduced(x, n):
    for i in range(n):
        x = np.sin(x) * functools.reduce(_draw_add, [1.0, 2.0])  # CALL
    return np.sum(x**2)


def _helper(x):
    return np.apply_along_axis(_draw, 0, x)


def through_helper(x, n):
    for i in range(n):
        x = np.sin(_helper(x))  # CALL
    return np.sum(x**2)


def given_callback(x, n, fn):
    for i in range(n):
        x = np.sin(np.apply_along_axis(fn, 0, x))  # CALL
    return np.sum(x**2)


@pytest.mark.parametrize("checkpoint", CHECKPOINTS, ids=str)
@pytest.mark.parametrize("func", [along_axis, pieces, sorted_key, reduced, through_helper])
def test_a_drawing_callback_in_checkpointed_trips_is_refused(func, checkpoint):
    with pytest.raises(UnsupportedSyntaxError, match="draws random numbers") as info:
        s2s.value_and_grad(func, wrt=0, checkpoint=checkpoint)(X, 6)
    assert_located(info.value, func, "# CALL", "calls the function passed to it",
                   "draw the random numbers before the loop")


def test_a_callback_given_as_an_argument_in_checkpointed_trips_is_refused():
    with pytest.raises(UnsupportedSyntaxError, match="which calls it") as info:
        s2s.grad(given_callback, wrt=0, checkpoint=2)(X, 3, _pure)
    assert_located(info.value, given_callback, "# CALL")


def pure_along_axis(x, n):
    for i in range(n):
        x = np.sin(np.apply_along_axis(_pure, 0, x))
    return np.sum(x**2)


@pytest.mark.parametrize("checkpoint", [None, *CHECKPOINTS], ids=str)
def test_a_pure_callback_in_checkpointed_trips_differentiates(checkpoint):
    value, g = s2s.value_and_grad(pure_along_axis, wrt=0, checkpoint=checkpoint)(X, 4)
    assert value == pytest.approx(pure_along_axis(X, 4))
    np.testing.assert_allclose(g, numeric_gradient(pure_along_axis, (X, 4), 0),
                               rtol=1e-6, atol=1e-8)


def piecewise_draw(x):
    return np.sum(np.piecewise(x, [x > 0], [_scaled_draw, _scaled_draw]) ** 2)  # CALL


def along_axis_draw(x):
    return np.sum(np.apply_along_axis(_scaled_draw, 0, x) ** 2)  # CALL


def over_axes_draw(x):
    return np.sum(np.apply_over_axes(_summed_draw, x, [0]) ** 2)  # CALL


def _summed_draw(v, axis):
    return np.sum(v * np.random.rand(), axis=axis)


@pytest.mark.parametrize("how", ["grad", "jvp", "hvp"])
@pytest.mark.parametrize("func", [piecewise_draw, along_axis_draw, over_axes_draw])
def test_a_rule_that_calls_a_drawing_callback_again_refuses(func, how):
    """np.piecewise's gradient with a drawing piece was another draw's (fresh-123 3)."""
    derivative = getattr(s2s, how)(func)
    args = (X,) if how == "grad" else (X, np.ones(3))
    with pytest.raises(NoRuleError, match="draws random numbers") as info:
        derivative(*args)
    assert "runs it again" in str(info.value)
    assert "a function that neither draws nor acts" in str(info.value)


def pure_pieces(x):
    return np.sum(np.piecewise(x, [x > 0], [_pure, np.sin]) ** 2)


def test_pure_pieces_still_differentiate():
    np.testing.assert_allclose(s2s.grad(pure_pieces)(X), numeric_gradient(pure_pieces, (X,), 0),
                               rtol=1e-6, atol=1e-8)
