# ruff: noqa: B007  (the differentiated loops keep their loop variables, as users write them)
"""Checkpointed loops (``checkpoint=``): the trips run again in the adjoint sweep, so every call
in them that s2s cannot show free of random draws and side effects is refused at its line
(fresh-113's findings 0 and 6: such draws and prints were silently repeated); calls it can
show free still give the taped gradient."""

from __future__ import annotations

import functools
import math
from typing import NamedTuple

import numpy as np
import pytest
from gradcheck import numeric_gradient
from located import assert_located, line_of, where

import s2s

LOG: list[int] = []


class Noisy:
    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    def jitter(self, x):
        return x * (1.0 + 0.1 * self.rng.normal(size=x.shape))


def method_draw(x, n, m):
    for i in range(n):
        x = np.sin(m.jitter(x))
    return np.sum(x)


def passed_draw(x, n, draw):
    for i in range(n):
        x = np.sin(x) * (1.0 + 0.1 * draw(size=2))
    return np.sum(x)


def local_alias(x, n, rng):
    norm = rng.normal
    for i in range(n):
        x = np.sin(x) * (1 + 0.1 * norm(size=2))
    return np.sum(x)


def logged_sin(y):
    LOG.append(1)
    return np.sin(y)


def passed_effect(x, n, act):
    for i in range(n):
        x = act(x)
    return np.sum(x)


def printing(x, n):
    for i in range(n):
        x = np.sin(x)
        print("trip", i)
    return np.sum(x)


def calls_method(y, m):
    return m.jitter(y)


def helper_method_draw(x, n, m):
    for i in range(n):
        x = np.sin(calls_method(x, m))
    return np.sum(x)


CASES = [
    (method_draw, lambda: Noisy(5), "m.jitter(x)", "a method of an object"),
    (passed_draw, lambda: np.random.default_rng(3).normal, "draw(size=2)", "function value"),
    (passed_draw, lambda: functools.partial(np.random.default_rng(3).normal, 0.0, 1.0),
     "draw(size=2)", "draw"),
    (local_alias, lambda: np.random.default_rng(1), "norm(size=2)", "function value"),
    (passed_effect, lambda: logged_sin, "act(x)", "function value"),
    (helper_method_draw, lambda: Noisy(5), "calls_method(x, m)", "calls_method"),
]  # fmt: skip


@pytest.mark.parametrize("checkpoint", [2, "auto"])
@pytest.mark.parametrize(("func", "third", "line", "words"), CASES)
def test_call_that_may_draw_or_act_refused(func, third, line, words, checkpoint):
    LOG.clear()
    with pytest.raises(s2s.UnsupportedSyntaxError, match="checkpointed loop") as info:
        s2s.grad(func, wrt=0, checkpoint=checkpoint)(np.array([0.3, -0.4]), 5, third())
    assert_located(info.value, func, line, words, "leave checkpoint= out")
    assert LOG == []  # refused before any trip ran


def test_print_in_trips_refused():
    with pytest.raises(s2s.UnsupportedSyntaxError, match="side effect") as info:
        s2s.grad(printing, checkpoint=2)(np.ones(2), 5)
    assert_located(info.value, printing, "print(", "make the print")


def pure_helper(y, k):
    return np.tanh(k * y) + math.pi * 0.01 * abs(len(y))


def pure_calls(x, k, n):
    for i in range(n):
        x = pure_helper(x, k) + 0.1 * x.sum() + np.max(x)
    return np.sum(x * x)


@pytest.mark.parametrize("checkpoint", [1, 3, "auto"])
def test_calls_shown_pure_still_checkpointed(checkpoint):
    x = np.array([0.3, -0.4, 0.5])
    taped = s2s.grad(pure_calls, wrt=0)(x, 0.7, 6)
    checkpointed = s2s.grad(pure_calls, wrt=0, checkpoint=checkpoint)(x, 0.7, 6)
    np.testing.assert_allclose(checkpointed, taped, rtol=1e-12)
    numeric = numeric_gradient(pure_calls, (x, 0.7, 6), 0)
    np.testing.assert_allclose(checkpointed, numeric, rtol=1e-6, atol=1e-8)


def scaled_sin(a, b):
    return np.sin(a) * b


VF = np.vectorize(scaled_sin)


def vectorized_trips(x, n):
    for i in range(n):
        x = VF(x, 0.9) + 0.1
    return np.sum(x)


@pytest.mark.parametrize("checkpoint", [2, "auto"])
def test_vectorize_object_in_trips(checkpoint):
    """fresh-113 finding 3: it raised "`_s2s` is a name s2s reserves" naming generated code."""
    x = np.array([0.3, -0.4, 0.5])
    taped = s2s.grad(vectorized_trips)(x, 4)
    checkpointed = s2s.grad(vectorized_trips, checkpoint=checkpoint)(x, 4)
    np.testing.assert_allclose(checkpointed, taped, rtol=1e-12)
    numeric = numeric_gradient(vectorized_trips, (x, 4), 0)
    np.testing.assert_allclose(checkpointed, numeric, rtol=1e-6, atol=1e-8)


def logged_scaled_sin(a, b):
    LOG.append(1)
    return np.sin(a) * b


VF_LOGGED = np.vectorize(logged_scaled_sin)


def vectorized_effect(x, n):
    for i in range(n):
        x = VF_LOGGED(x, 0.9) + 0.1
    return np.sum(x)


def test_vectorize_object_with_effect_in_trips_refused():
    with pytest.raises(s2s.UnsupportedSyntaxError, match="side effect") as info:
        s2s.grad(vectorized_effect, checkpoint=2)(np.array([0.3, -0.4]), 4)
    assert_located(info.value, vectorized_effect, "VF_LOGGED(x, 0.9)", "logged_scaled_sin")


class Params(NamedTuple):
    w: np.ndarray
    b: np.ndarray


def container_dict(p, x, n):
    w = p["w"]
    for i in range(n):
        x = np.tanh(w * x + p["b"])
    return np.sum(x)


def container_tuple(p, x, n):
    for i in range(n):
        x = np.tanh(p.w * x + p.b)
    return np.sum(x)


def container_list(p, x, n):
    for i in range(n):
        x = np.tanh(p[0] * x + p[1])
    return np.sum(x)


W, B = np.array([0.5, 1.2]), np.array([0.1, -0.2])


@pytest.mark.parametrize("checkpoint", [2, "auto"])
@pytest.mark.parametrize(("func", "params"), [
    (container_dict, {"w": W, "b": B}), (container_tuple, Params(W, B)),
    (container_list, [W, B]),
])  # fmt: skip
def test_parameter_container_wrt(func, params, checkpoint):
    """fresh-113 finding 4: refused with "a checkpointed loop has no `else:` clause" at the def
    (the container's lowering left `else: pass` on the loop)."""
    x = np.array([0.3, -0.4])
    taped = s2s.grad(func, wrt="p")(params, x, 4)
    checkpointed = s2s.grad(func, wrt="p", checkpoint=checkpoint)(params, x, 4)
    leaves = (lambda g: list(g.values())) if isinstance(params, dict) else list
    for got, want in zip(leaves(checkpointed), leaves(taped), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12)
    for k, leaf in enumerate([W, B]):
        def moved(v, k=k):
            new = [W, B]
            new[k] = v
            made = {"w": new[0], "b": new[1]} if isinstance(params, dict) else new
            made = Params(*new) if isinstance(params, Params) else made
            return func(made, x, 4)
        numeric = numeric_gradient(moved, (leaf,), 0)
        np.testing.assert_allclose(leaves(checkpointed)[k], numeric, rtol=1e-6, atol=1e-8)


def write_after(x, n):
    buf = np.ones(3) * 0.5
    for i in range(n):
        x = np.sin(x) + buf * x
    buf[0] = 5.0
    return np.sum(x * buf)


def test_write_after_loop_into_what_it_read_refused_with_true_reason():
    """fresh-113 finding 9: the refusal said "`x` is a view of it (line 4)" (false: line 4 is
    the loop, which reads `buf`)."""
    x = np.array([0.3, -0.4, 0.5])
    s2s.grad(write_after)(x, 4)  # taped: the write after the loop is fine
    with pytest.raises(s2s.MutationError, match="after the checkpointed loop at line") as info:
        s2s.grad(write_after, checkpoint=2)(x, 4)
    assert "a view of it" not in str(info.value)
    assert_located(info.value, write_after, "buf[0] = 5.0", "buf = buf.copy()")


COUNT = 0


def bump(y):
    global COUNT
    COUNT += 1
    return np.sin(y)


def counted(x, n):
    for i in range(n):
        x = bump(x)
    return np.sum(x)


def test_helper_counter_gets_side_effect_advice():
    """fresh-113 finding 7: a helper's counter was told "a draw would differ", with advice on
    random numbers."""
    with pytest.raises(s2s.UnsupportedSyntaxError, match="has a side effect") as info:
        s2s.grad(counted, checkpoint=2)(np.ones(2), 3)
    assert "random" not in str(info.value).split("Advice")[1]
    assert_located(info.value, counted, "bump(x)", "bump", "counter")


def counts_in_loop(x, n):
    global COUNT
    for i in range(n):
        COUNT += 1
        x = np.sin(x)
    return np.sum(x)


def test_global_counter_in_loop_gets_true_reason():
    """fresh-113 finding 7: `COUNT += 1` was told "another name of the same array", with advice
    that led to a second wrong message."""
    with pytest.raises(s2s.UnsupportedSyntaxError, match="global or nonlocal") as info:
        s2s.grad(counts_in_loop, checkpoint=2)(np.ones(2), 3)
    assert "array" not in str(info.value)
    assert_located(info.value, counts_in_loop, "COUNT += 1", "after the loop")


def sqrt_at_zero(x, n):
    for i in range(n):
        y = np.sqrt(x * (i - 2) ** 2)
        x = x + 0.1 * y
    return np.sum(x)


def complex_spectrum(x, n):
    for i in range(n):
        x = np.linalg.eigvals(np.array([[x[0], 1.0], [-1.0, x[1]]])).real + x
    return np.sum(x)


def aliased_in_trip(x, n):
    prev = np.zeros(3)
    for i in range(n):
        cur = np.zeros(3)
        cur[0] = np.sin(prev[1]) + x[0]
        prev = cur
        cur[2] = cur[2] + prev[0]
    return np.sum(prev**2)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_errors_in_trips_name_the_users_line():
    """fresh-113 finding 5: these named `<s2s d_f #5: x>:9` (generated code) or the `for`
    line; each now names the line of the user's code, as without checkpoint=."""
    x = np.array([0.3, 0.5])
    with pytest.raises(s2s.NonFiniteGradientError) as info:
        s2s.grad(sqrt_at_zero, nan="raise", checkpoint=2)(x, 5)
    assert_located(info.value, sqrt_at_zero, "y = np.sqrt(")
    with pytest.raises(s2s.UndefinedGradientError) as info:
        s2s.grad(complex_spectrum, checkpoint=2)(x, 3)
    assert where(complex_spectrum, "np.linalg.eigvals(") in str(info.value)
    with pytest.raises(s2s.MutationError) as info:
        s2s.grad(aliased_in_trip, checkpoint=2)(np.ones(3), 3)
    assert_located(info.value, aliased_in_trip, "cur[2] = cur[2]")
    assert f"(line {line_of(aliased_in_trip, 'prev = cur')})" in str(info.value)


def nested_def_call(x, n):
    def inner(y):
        return np.sin(y)

    for i in range(n):
        x = inner(x)
    return np.sum(x)


def test_nested_def_and_numpy_function_passed_in_refused():
    with pytest.raises(s2s.UnsupportedSyntaxError, match="nested def") as info:
        s2s.grad(nested_def_call, checkpoint=2)(np.ones(2), 3)
    assert_located(info.value, nested_def_call, "x = inner(x)", "module level")
    with pytest.raises(s2s.UnsupportedSyntaxError, match="function value") as info:
        s2s.grad(passed_effect, wrt=0, checkpoint=2)(np.ones(2), 3, np.tanh)
    assert_located(info.value, passed_effect, "act(x)", "leave checkpoint= out")


def trip_local_list(x, k, n):
    for i in range(n):
        parts = []
        for j in range(3):
            parts.append(np.sin(x * j) * k)
        x = np.sum(np.stack(parts), axis=0)
    return np.sum(x)


def outer_list_append(x, n):
    parts = []
    for i in range(n):
        x = np.sin(x)
        parts.append(1)
    return np.sum(x)


def test_list_made_in_the_trip_may_grow():
    """A list made anew in each trip (`parts = []`) may be appended to: it lives for one trip."""
    x = np.array([0.3, -0.4])
    taped = s2s.grad(trip_local_list, wrt=0)(x, 0.7, 4)
    np.testing.assert_allclose(s2s.grad(trip_local_list, wrt=0, checkpoint=2)(x, 0.7, 4), taped,
                               rtol=1e-12)  # fmt: skip
    with pytest.raises(s2s.UnsupportedSyntaxError, match="lives across its trips"):
        s2s.grad(outer_list_append, checkpoint=2)(x, 4)


SCALES: list = []


def _scale_by_a_popped_factor(x):
    return x * SCALES.pop()  # changes the module's list: the trips must not run it again


def _pops_in_an_expression(x, n):
    for i in range(n):
        x = np.sin(_scale_by_a_popped_factor(x))  # HERE
    return np.sum(x * x)


def test_a_helper_changing_a_global_list_in_an_expression_is_refused():
    """``SCALES.pop()`` inside an expression of a helper called by name changes the caller's
    list: re-running the trips popped other factors (a silent wrong gradient, found by a
    fresh user). Without checkpoint= it is differentiated (one run of the trips)."""
    SCALES[:] = list(np.linspace(1.0, 2.0, 40))
    with pytest.raises(s2s.UnsupportedSyntaxError, match="pop") as info:
        s2s.grad(_pops_in_an_expression, checkpoint=2)(np.array([0.3, -0.2]), 3)
    assert "# HERE" in info.value.where.text
    SCALES[:] = [2.0, 1.5, 0.5]  # popped from the end: 0.5, then 1.5, then 2.0
    x = np.array([0.3, -0.2])

    def same_factors(x):
        for factor in (0.5, 1.5, 2.0):
            x = np.sin(factor * x)
        return np.sum(x * x)

    gradient = s2s.grad(_pops_in_an_expression)(x, 3)
    assert SCALES == []  # one run of the trips
    np.testing.assert_allclose(gradient, numeric_gradient(same_factors, [x], 0), rtol=1e-6)


def _reads_a_list(x, n):
    ys = [x * 0.5]
    for i in range(n):  # HERE
        x = np.sin(x) + ys[0]
    return np.sum(x)


def test_a_list_read_in_the_trips_is_refused_at_the_loop():
    """A list made before the loop and read in its trips crashed with an internal TypeError
    (the function of the trips was given it as an argument its derivative does not take)."""
    x = np.array([0.3, -0.2])
    with pytest.raises(s2s.UnsupportedSyntaxError, match="`ys`, a list, is read") as info:
        s2s.grad(_reads_a_list, checkpoint=2)(x, 3)
    assert "# HERE" in info.value.where.text and "ys_0 = ys[0]" in info.value.advice
    np.testing.assert_allclose(s2s.grad(_reads_a_list)(x, 3),
                               numeric_gradient(lambda x: _reads_a_list(x, 3), [x], 0),
                               rtol=1e-6)  # fmt: skip
