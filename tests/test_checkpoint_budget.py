"""Checkpointed loops, issue 12 continued: a trip's VJP called directly (its derivative
object's call path skipped once the state's kinds are known), and ``checkpoint=
s2s.MemoryBudget(nbytes)``: the peak stays within the budget, the gradients equal the taped
ones, a loop whose tape fits runs taped, and a budget too small is refused at the loop."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from gradcheck import fresh
from located import assert_located

import s2s
from s2s.runtime import checkpointing


def euler(x, v, dt, n):
    for i in range(n):  # noqa: B007
        a = -np.sin(x) - 0.1 * v
        x = x + dt * v
        v = v + dt * a
    return np.sum(x * x) + 0.5 * np.sum(v * v)


def widening(x, w, n):
    for i in range(n):  # noqa: B007
        x = np.tanh(x * w)  # float32 x, float64 w: float64 from the first trip on
    return np.sum(x)


def _close(a, b, rtol=1e-12):
    for p, q in zip(a, b):
        np.testing.assert_allclose(p, q, rtol=rtol, atol=1e-13)
        assert np.asarray(p).dtype == np.asarray(q).dtype


def test_trip_vjps_run_the_generated_code_directly():
    """One trip's VJP goes through the derivative object once per kind of state; the other
    trips call the generated code directly, with the same gradients as the taped loop."""
    x, v = np.float64(0.3), np.float64(0.1)
    taped = s2s.grad(fresh(euler), wrt=(0, 1))(x, v, 0.01, 50)
    checkpointing.STATS.update(trip_vjps=0, trip_vjps_direct=0)
    _close(s2s.grad(fresh(euler), wrt=(0, 1), checkpoint=3)(x, v, 0.01, 50), taped)
    assert checkpointing.STATS["trip_vjps"] == 50
    assert checkpointing.STATS["trip_vjps_direct"] == 50


def test_state_whose_dtype_changes_between_trips():
    """The first trip's state is float32, the others' float64: each kind of state gets its
    own specialization (the direct call keys on the kinds), as the taped loop does."""
    x, w = np.linspace(0.1, 0.9, 4, dtype=np.float32), np.array(0.7)
    taped = s2s.grad(fresh(widening), wrt=(0, 1))(x, w, 9)
    _close(s2s.grad(fresh(widening), wrt=(0, 1), checkpoint=2)(x, w, 9), taped)


def trajectory(x, n):
    for i in range(n):  # noqa: B007
        x = np.sin(x) * 1.1
    return x


def calls_helper(x, n):
    return np.sum(trajectory(x, n) ** 2)


VECTORS = (np.linspace(-1.0, 1.0, 1000), np.zeros(1000), 0.01, 400)


def _peak(g, args):
    g(*args[:3], 3)  # generated before measuring
    checkpointing.STATS.update(trips_run=0, trip_vjps=0, trips_taped=0, snapshots_held=0)
    tracemalloc.start()
    try:
        result = g(*args)
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_budget_holds_the_peak_and_the_gradients():
    """Budgets of a quarter and a tenth of the taped gradient's peak: the tracemalloc peak of
    the gradient stays within them, trips are run again, and the gradients equal the taped
    ones."""
    taped, taped_peak = _peak(s2s.grad(fresh(euler), wrt=(0, 1)), VECTORS)
    for part in (4, 10):
        budget = taped_peak // part
        g = s2s.grad(fresh(euler), wrt=(0, 1), checkpoint=s2s.MemoryBudget(budget))
        grads, peak = _peak(g, VECTORS)
        assert peak <= budget, (part, peak, budget)
        assert checkpointing.STATS["trips_run"] > 0  # recomputed
        assert checkpointing.STATS["trips_taped"] < VECTORS[3]
        _close(grads, taped)


def test_budget_on_scalar_state():
    """Two float scalars of state (a few bytes each: the budget is mostly bookkeeping): the
    peak stays within a quarter of the taped one's, the gradients and their types equal the
    taped ones."""
    args = (0.3, np.float64(0.1), 0.01, 3000)
    taped, taped_peak = _peak(s2s.grad(fresh(euler), wrt=(0, 1)), args)
    budget = taped_peak // 4
    g = s2s.grad(fresh(euler), wrt=(0, 1), checkpoint=s2s.MemoryBudget(budget))
    grads, peak = _peak(g, args)
    assert peak <= budget, (peak, budget)
    assert checkpointing.STATS["trips_run"] > 0
    _close(grads, taped)
    assert [type(a) for a in grads] == [type(b) for b in taped]


def test_budget_that_holds_the_tape_runs_taped():
    """A budget above the taped peak: one VJP over every trip, no trip run again."""
    taped, taped_peak = _peak(s2s.grad(fresh(euler), wrt=(0, 1)), VECTORS)
    budget = 2 * taped_peak
    g = s2s.grad(fresh(euler), wrt=(0, 1), checkpoint=s2s.MemoryBudget(budget))
    grads, peak = _peak(g, VECTORS)
    assert peak <= budget
    assert checkpointing.STATS["trips_run"] == 0
    assert checkpointing.STATS["trip_vjps"] == 1
    assert checkpointing.STATS["trips_taped"] == VECTORS[3]
    _close(grads, taped)


def test_budget_too_small_is_refused_at_the_loop():
    g = s2s.grad(fresh(euler), wrt=(0, 1), checkpoint=s2s.MemoryBudget(20_000))
    with pytest.raises(s2s.UsageError, match="too small for this loop") as info:
        g(*VECTORS)
    assert_located(info.value, euler, "for i in range(n):", "give at least s2s.MemoryBudget(")
    need = int(str(info.value).split("give at least s2s.MemoryBudget(")[1].split(")")[0])
    bigger = s2s.grad(fresh(euler), wrt=(0, 1), checkpoint=s2s.MemoryBudget(need))
    _close(bigger(*VECTORS[:3], 40), s2s.grad(fresh(euler), wrt=(0, 1))(*VECTORS[:3], 40))


def test_budget_values():
    assert s2s.MemoryBudget(5e6).nbytes == 5_000_000
    assert s2s.MemoryBudget(10**6) == s2s.MemoryBudget(1_000_000.0)
    assert repr(s2s.MemoryBudget(10**6)) == "MemoryBudget(1000000)"
    for bad in (0, -5, 1.5, "1MB", True, float("inf"), None):
        with pytest.raises(s2s.UsageError, match="whole number of bytes"):
            s2s.MemoryBudget(bad)
    with pytest.raises(s2s.UsageError, match="MemoryBudget"):
        s2s.grad(euler, checkpoint=1e6)  # a number of bytes is not a snapshot count


def test_a_huge_int_budget_is_a_whole_number():
    """fresh-123 8: MemoryBudget(10**40) was refused as "not a whole number" (its float is
    not equal to it); an int of any size is whole, a float must be finite and whole."""
    assert s2s.MemoryBudget(10**40).nbytes == 10**40
    assert s2s.MemoryBudget(np.int64(10**6)).nbytes == 10**6
    assert s2s.MemoryBudget(1e300).nbytes == int(1e300)
    for bad in (float("nan"), np.True_, np.float64(0.5), -(10**40)):
        with pytest.raises(s2s.UsageError, match="whole number of bytes"):
            s2s.MemoryBudget(bad)


def test_budget_in_the_source_and_the_cache_key():
    g = s2s.grad(fresh(euler), wrt=(0, 1), checkpoint=s2s.MemoryBudget(10**6))
    g(*VECTORS[:3], 5)
    assert "checkpointed within 1000000 bytes: snapshots of (x, v)" in g.source
    assert "_s2s.MemoryBudget(1000000, at=(" in g.source
    other = s2s.grad(g.primal, wrt=(0, 1), checkpoint=s2s.MemoryBudget(2 * 10**6))
    other(*VECTORS[:3], 5)
    assert "checkpointed within 2000000 bytes" in other.source  # not the first one's code


def test_budget_in_a_helper_and_a_pullback_called_twice():
    x = np.linspace(0.1, 0.5, 200)
    budget = s2s.MemoryBudget(60_000)
    taped = s2s.grad(fresh(calls_helper))(x, 300)
    _close((s2s.grad(fresh(calls_helper), checkpoint=budget)(x, 300),), (taped,))
    ct = np.linspace(-1.0, 1.0, 200)
    _, expected = s2s.vjp(fresh(trajectory))(x, 300)
    _, pullback = s2s.vjp(fresh(trajectory), checkpoint=budget)(x, 300)
    _close(pullback(ct), expected(ct))
    _close(pullback(2 * ct), expected(2 * ct))  # the snapshots placed again


def test_hessp_refusing_checkpoint_names_hessp():
    """fresh-123 8: the refusal listed "jvp, hvp, hessian or jacobian", not hessp."""
    x = np.array([0.3, -0.2])
    with pytest.raises(s2s.UsageError, match="taken by s2s.grad") as info:
        s2s.hessp(lambda v: np.sum(np.sin(v)), checkpoint=2)(x, x)
    assert "hvp, hessp, hessian or jacobian" in str(info.value)
