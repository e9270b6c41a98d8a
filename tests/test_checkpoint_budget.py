"""Checkpointed loops, issue 12 continued: a trip's VJP called directly (its derivative
object's call path skipped once the state's kinds are known), and ``checkpoint=
s2s.MemoryBudget(bytes)``: the peak stays within the budget, the gradients equal the taped
ones, a loop whose tape fits runs taped, and a budget too small is refused at the loop."""

from __future__ import annotations

import numpy as np
import pytest
from gradcheck import fresh

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
    assert checkpointing.STATS["trip_vjps_direct"] == 49


def test_state_whose_dtype_changes_between_trips():
    """The first trip's state is float32, the others' float64: each kind of state gets its
    own specialization (the direct call keys on the kinds), as the taped loop does."""
    x, w = np.linspace(0.1, 0.9, 4, dtype=np.float32), np.array(0.7)
    taped = s2s.grad(fresh(widening), wrt=(0, 1))(x, w, 9)
    _close(s2s.grad(fresh(widening), wrt=(0, 1), checkpoint=2)(x, w, 9), taped)
