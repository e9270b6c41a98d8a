# ruff: noqa: B007  (the differentiated loops keep their loop variables, as users write them)
"""Checkpointed loops (``checkpoint=``): false refusals and misleading messages a fresh user
found (no wrong values). Each checkpointed gradient is compared with the taped one
(``s2s.grad(f)`` without ``checkpoint=``) to 1e-12."""

from __future__ import annotations

import dataclasses

import gast
import numpy as np
import pytest

import s2s
from s2s.errors import Location
from s2s.frontend.freshvalues import refuse_write

RNG = np.random.default_rng(0)
P = {"w": np.array([0.5, -0.3]), "b": np.array([0.1, 0.2])}
H = np.array([0.3, -0.1])
CHECKPOINTS = [1, 3, "auto", s2s.MemoryBudget(10**6)]


def _same(got, want):
    if isinstance(want, dict):
        assert got.keys() == want.keys()
        for key in want:
            np.testing.assert_allclose(got[key], want[key], rtol=1e-12, atol=1e-14)
    elif isinstance(want, tuple):
        for g, w in zip(got, want, strict=True):
            _same(g, w)
    else:
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def cell(h, p):
    return np.tanh(h * p["w"] + p["b"])


def dict_to_helper(p, h, n):
    for i in range(n):
        h = cell(h, p)
    return np.sum(h**2)


@pytest.mark.parametrize("checkpoint", CHECKPOINTS)
def test_dict_passed_to_module_level_helper(checkpoint):
    """A dict passed whole to a module-level helper in a checkpointed loop was refused: the
    container lowering writes the helper out as a nested def (`cell_1`), which the trips' check
    called "a nested def" it cannot see into. Its body (the helper's) is checked now."""
    taped = s2s.grad(dict_to_helper)(P, H, 50)
    _same(s2s.grad(dict_to_helper, checkpoint=checkpoint)(P, H, 50), taped)
    _same(s2s.grad(dict_to_helper, wrt=(0, 1), checkpoint=checkpoint)(P, H, 50),
          s2s.grad(dict_to_helper, wrt=(0, 1))(P, H, 50))


def noisy_cell(h, p):
    return np.tanh(h * p["w"] + p["b"] + np.random.normal(size=2))


def counting_cell(h, p):
    print("trip")
    return np.tanh(h * p["w"] + p["b"])


def dict_to_noisy_helper(p, h, n):
    for i in range(n):
        h = noisy_cell(h, p)
    return np.sum(h**2)


def dict_to_counting_helper(p, h, n):
    for i in range(n):
        h = counting_cell(h, p)
    return np.sum(h**2)


@pytest.mark.parametrize(("func", "words"), [
    (dict_to_noisy_helper, "draws random numbers: noisy_cell, a function of yours"),
    (dict_to_counting_helper, "has a side effect"),
])  # fmt: skip
def test_dict_passed_to_impure_helper_still_refused(func, words):
    """The helper written out for its dict is still checked: a draw or a print in it is refused,
    named by the helper's own name, not as a nested def."""
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(func, checkpoint=3)(P, H, 5)
    assert words in str(info.value)
    assert "nested def" not in str(info.value)


def test_budget_too_small_message_reads_once():
    """Item 5: every too-small MemoryBudget message read "and the the tape every stretch keeps"."""
    with pytest.raises(s2s.UsageError) as info:
        s2s.grad(dict_to_helper, checkpoint=s2s.MemoryBudget(100))(P, H, 50)
    text = str(info.value)
    assert "the the" not in text
    assert "and the tape every stretch keeps" in text


def try_solve(x, k, n):
    for i in range(n):
        try:
            b = np.linalg.solve(np.eye(2) * (1 + k), np.tanh(k * x))
        except np.linalg.LinAlgError:
            b = x
        x = x + 0.01 * b
    return np.sum(x * x)


def try_every_arm(x, k, n):
    for i in range(n):
        try:
            if i % 3 == 0:
                raise ValueError("skip")
            b = np.tanh(k * x)
        except ValueError:
            b = x * k
        else:
            b = b * 2.0
        finally:
            c = 0.01
        x = x + c * b
    return np.sum(x * x)


@pytest.mark.parametrize("func", [try_solve, try_every_arm])
@pytest.mark.parametrize("checkpoint", [1, 2, "auto"])
def test_try_in_trips_binds_its_names(func, checkpoint):
    """Item 2: a name bound by a `try` body and each handler (or its `else`/`finally`) in a
    checkpointed loop was taken for one that "may have no value before the loop": the trips'
    read analysis counted a `try` as binding nothing. The handler that runs (here on every
    third trip) runs again in the adjoint sweep, as in the primal."""
    x = np.array([0.3, -0.1])
    taped = s2s.grad(func, wrt=(0, 1))(x, 1.5, 40)
    _same(s2s.grad(func, wrt=(0, 1), checkpoint=checkpoint)(x, 1.5, 40), taped)



def copy_in_if_arm(x, q, n):
    y = x * 1.0
    for i in range(n):
        if np.sum(y) > 0.0:
            z = y.copy()
            z[0] = z[0] * q
            y = z
        else:
            y = y * 0.95
    return np.sum(y**2)


def list_in_inner_loop(x, q, n):
    y = x * 1.0
    for i in range(n):
        for j in range(2):
            parts = []
            parts.append(y * q)
            parts.append(np.sin(y))
            y = 0.5 * (parts[0] + parts[1])
    return np.sum(y**2)


@pytest.mark.parametrize("func", [copy_in_if_arm, list_in_inner_loop])
@pytest.mark.parametrize("checkpoint", [1, 2, "auto"])
def test_fresh_value_in_nested_block_may_be_written(func, checkpoint):
    """Item 3: an array or list bound anew in an `if` arm or an inner loop of the trips
    (`z = y.copy()`, `parts = []`), and to nothing else there, was refused as a value s2s
    "cannot show is new": only `=` at the body's top counted."""
    x = np.array([0.3, -0.5, 0.8])
    taped = s2s.grad(func, wrt=(0, 1))(x, 0.7, 13)
    _same(s2s.grad(func, wrt=(0, 1), checkpoint=checkpoint)(x, 0.7, 13), taped)




class _Where:
    def where(self, node):
        return Location("f.py", 3)


def test_advice_for_a_write_into_a_name_bound_to_an_older_value_covers_lists():
    """The advice for a write into a name the trips bind to a value s2s cannot show is new
    (`parts = pair(y)`, then `parts.append(v)`) said "at the body's top to a new array", for a
    list too; it names lists and `[]` now, and no longer asks for the body's top."""
    call = gast.parse("parts.append(v)").body[0].value
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        refuse_write(_Where(), call, call.func.value, {"parts"})
    text = str(info.value)
    assert "writes into `parts`" in text
    assert "to a new array or list, and to nothing else there" in text and "`[]`" in text
    assert "body's top" not in text


def integrate(x, k, n):
    for i in range(n):
        x = x + 0.001 * np.sin(k * x)
    return x


def through_integrate(x, k, n):
    return np.sum(integrate(x, k, n) ** 2)


def _siblings(derivative):
    text = derivative.source
    return text[text.index("# sibling: the VJP of integrate"):]


def test_source_shows_the_helper_derivative_it_calls():
    """Item 4: `.source` of a derivative without checkpoint= showed, as its helper's sibling,
    another derivative's checkpointed variant (`checkpointed: at most 4 snapshots`), when that
    one was made later; each shows the helper's derivative made with its own checkpoint=."""
    x = np.linspace(0, 1, 5)
    plain = s2s.grad(through_integrate)
    budget = s2s.grad(through_integrate, checkpoint=s2s.MemoryBudget(10**6))
    four = s2s.grad(through_integrate, checkpoint=4)
    for derivative in (plain, budget, four):
        _same(derivative(x, 1.3, 10), plain(x, 1.3, 10))
    assert "checkpointed" not in _siblings(plain)
    assert "checkpointed within 1000000 bytes" in _siblings(budget)
    assert "at most 4 snapshots" not in _siblings(budget)
    assert "checkpointed: at most 4 snapshots" in _siblings(four)
    assert "# sibling: the VJP of loop_line" in _siblings(four)
    assert "not generated yet" not in _siblings(four)


@dataclasses.dataclass
class Cell:
    w: np.ndarray
    b: np.ndarray

    def step(self, h):
        return np.tanh(h * self.w + self.b)


def method_of_container(m, h, n):
    for i in range(n):
        h = m.step(h)
    return np.sum(h**2)


def cell_get(h, p):
    return np.tanh(h * p.get("w") + p["b"])


def dict_get_in_helper(p, h, n):
    for i in range(n):
        h = cell_get(h, p)
    return np.sum(h**2)


@pytest.mark.parametrize("checkpoint", [3, "auto"])
def test_container_method_and_get_in_helper(checkpoint):
    """The same for a dataclass's method called on it (written out as `m_step`) and for a
    helper reading its dict with `.get` (checked as written out, the read a leaf's: the
    helper's own source would show `p.get(...)`, a method of an object)."""
    m = Cell(P["w"].copy(), P["b"].copy())
    got = s2s.grad(method_of_container, checkpoint=checkpoint)(m, H, 20)
    want = s2s.grad(method_of_container)(m, H, 20)
    _same((got.w, got.b), (want.w, want.b))
    _same(s2s.grad(dict_get_in_helper, checkpoint=checkpoint)(P, H, 20),
          s2s.grad(dict_get_in_helper)(P, H, 20))


def test_source_shows_the_helper_derivative_of_its_own_wrt():
    """The same for `wrt`: `.source` of the gradient with respect to x showed the helper's
    VJP "with respect to x, k" once a gradient with respect to (x, k) had run after it."""
    x = np.linspace(0, 1, 5)
    one, two = s2s.grad(through_integrate), s2s.grad(through_integrate, wrt=(0, 1))
    one(x, 1.3, 10)
    two(x, 1.3, 10)
    assert "Vector-Jacobian product of integrate with respect to x;" in _siblings(one)
    assert "Vector-Jacobian product of integrate with respect to x, k;" in _siblings(two)


def _cell_with_a_loop(h, params):
    for j in range(2):
        h = np.tanh(params["W"] @ h + params["b"])
    return h


def _loop_over_cells_with_loops(h, params, n):
    for i in range(n):
        h = _cell_with_a_loop(h, params)
    return np.sum(h**2)


def test_a_helper_with_a_loop_given_a_dict_whole_is_refused_naming_it():
    """The helper is written out as a nested def, whose loops are not checkpointed; the
    message said to define it at module level, where it already was (a fresh user's report)."""
    params = {"W": np.eye(3) * 0.5, "b": np.array([0.1, -0.2, 0.3])}
    with pytest.raises(s2s.UnsupportedSyntaxError, match="`_cell_with_a_loop` is given") as info:
        s2s.grad(_loop_over_cells_with_loops, wrt="params", checkpoint=2)(
            np.array([0.3, 0.1, -0.4]), params, 5
        )
    assert "module level" not in info.value.advice and "arrays" in info.value.advice
