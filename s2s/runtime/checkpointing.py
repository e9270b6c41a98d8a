"""Checkpointed loops: a long loop's adjoint with a bounded number of snapshots (issue 12).

With ``s2s.grad(f, checkpoint=c)`` the frontend writes each eligible ``for i in range(a, b,
s)`` loop as a nested def of its trips, ``loop(start, stop, stride, *state, **invariants)``
returning the loop-carried state (:mod:`s2s.frontend.checkpoints`), and the derivative binds
its sub-derivative as ``_s2s.checkpointed(loop, wrt, c)`` instead of ``_s2s.subderivative``.
The derivative here runs the trips plainly, keeping at most ``c`` snapshots of the state;
its pullback runs the trips again where it needs their states and pulls the cotangent back
through one trip at a time (the VJP of ``loop`` over a range of one trip, made by s2s), so
no tape longer than one trip's is ever held. The cotangents of the invariants (the loop's
captures) are summed over the trips.

The schedule is binomial checkpointing (Griewank and Walther, "Algorithm 799: revolve",
ACM TOMS 26(1), 2000): with ``c`` snapshots and each trip run forward at most ``r`` times,
``beta(c, r) = C(c + r, c)`` trips can be reversed, since a snapshot placed ``n1 <=
beta(c, r - 1)`` trips in leaves ``beta(c - 1, r)`` trips to its right, reversed first with
one snapshot fewer, and the ``n1`` trips to its left reversed after with the snapshots
freed and one run fewer. ``checkpoint="auto"`` takes the fewest snapshots with which each
trip runs forward at most twice before its own VJP (``beta(c, 2) >= trips``, about
``sqrt(2 trips)`` snapshots).

Shapes and dtypes: the state and the cotangents keep their arguments' shapes and dtypes
(float32 stays float32, as the one-trip VJP keeps it). Errors: ``UsageError`` for a
snapshot count that is not an int >= 1 or ``"auto"``.
"""

from __future__ import annotations

import inspect
import math
from typing import Any

import numpy as np

from s2s.errors import UsageError, caller_location
from s2s.runtime.core import subderivative

AUTO = "auto"
STATS: dict[str, int] = {"trips_run": 0, "trip_vjps": 0, "snapshots_held": 0}  # for tests


def beta(snapshots: int, runs: int) -> int:
    """``C(snapshots + runs, snapshots)``: the trips reversible with ``snapshots`` snapshots
    (the first state included) when each trip runs forward at most ``runs`` times."""
    return math.comb(snapshots + runs, snapshots)


def snapshots_for(trips: int, checkpoint: Any) -> int:
    """The snapshots a loop of ``trips`` trips keeps: ``checkpoint`` itself (an int >= 1), or
    for ``"auto"`` the fewest ``c`` with ``beta(c, 2) >= trips``."""
    if checkpoint == AUTO:
        c = 1
        while beta(c, 2) < trips:
            c += 1
        return c
    if isinstance(checkpoint, bool) or not isinstance(checkpoint, (int, np.integer)) or (
        checkpoint < 1
    ):
        raise UsageError(
            f"checkpoint must be an int >= 1 or 'auto', not {checkpoint!r}",
            caller_location(),
            "pass checkpoint=10 (at most 10 snapshots per loop) or checkpoint='auto'",
        )
    return int(checkpoint)


def _split(trips: int, free: int) -> int:
    """Where the next snapshot goes, ``n1`` trips after the current one, for ``trips >= 2``
    trips and ``free >= 2`` snapshots: the fewest runs ``r`` with ``beta(free, r) >= trips``,
    then as far as ``beta(free, r - 1)`` allows (the rest, ``<= beta(free - 1, r)``, is
    reversed with one snapshot fewer)."""
    runs = 1
    while beta(free, runs) < trips:
        runs += 1
    return min(beta(free, runs - 1), trips - 1)


def _owned(value: Any) -> Any:
    return value.copy() if isinstance(value, np.ndarray) else value


def _inexact(value: Any) -> bool:
    return isinstance(value, (float, complex, np.inexact)) or (
        isinstance(value, np.ndarray) and np.issubdtype(value.dtype, np.inexact)
    )


def checkpointed(function: Any, wrt: tuple[str, ...], checkpoint: Any) -> CheckpointedLoop:
    """The sub-derivative of a checkpointed loop ``function`` (see the module docstring):
    called like ``function``, it returns ``(state, pullback)``."""
    return CheckpointedLoop(function, tuple(wrt), checkpoint)


class CheckpointedLoop:
    """``loop(start, stop, stride, *state, **invariants)``'s derivative, checkpointed.

    ``function``'s positional parameters are the range's three numbers then the state; its
    keyword-only ones the invariants. It returns the state (one value for one name, else a
    tuple). ``wrt`` names the parameters the caller wants cotangents of, in its order."""

    def __init__(self, function: Any, wrt: tuple[str, ...], checkpoint: Any) -> None:
        self.function = function
        self.wrt = wrt
        self.checkpoint = checkpoint
        params = list(inspect.signature(function).parameters.values())
        positional = [p.name for p in params if p.kind is not p.KEYWORD_ONLY]
        self.state_names = positional[3:]
        self.invariants = [p.name for p in params if p.kind is p.KEYWORD_ONLY]
        self.single = len(self.state_names) == 1

    def _pack(self, state: list[Any]) -> Any:
        return state[0] if self.single else tuple(state)

    def _advance(self, plan: _Plan, k: int, j: int, state: list[Any]) -> list[Any]:
        """The state at trip ``j`` from ``state`` at trip ``k`` (a copy: the trips may write
        into their arrays; ``state`` stays as it is)."""
        if j == k:
            return [_owned(v) for v in state]
        STATS["trips_run"] += j - k
        out = self.function(plan.at(k), plan.at(j), plan.stride,
                            *[_owned(v) for v in state], **plan.invariants)  # fmt: skip
        return [out] if self.single else list(out)

    def __call__(self, start: int, stop: int, stride: int, *state: Any, **invariants: Any):
        plan = _Plan(start, stride, len(range(start, stop, stride)), invariants)
        c = snapshots_for(plan.trips, self.checkpoint)
        first = [_owned(v) for v in state]  # the caller may write into its arrays later
        chain = self._forward(plan, 0, first, c)
        top, top_state, _ = chain[-1]
        value = self._advance(plan, top, plan.trips, top_state)
        STATS["snapshots_held"] = max(STATS["snapshots_held"], len(chain))

        def pullback(cotangent: Any) -> tuple[Any, ...]:
            d_state = [cotangent] if self.single else list(cotangent)
            if plan.trips == 0:  # the state passed through: fresh arrays, never the caller's
                d_state = [_owned(d) for d in d_state]
            grads: dict[str, Any] = {}
            d_state = self._backward(plan, chain, plan.trips, d_state, grads)
            found = dict(zip(self.state_names, d_state))
            return tuple(found[w] if w in found else grads.get(w) for w in self.wrt)

        return self._pack(value), pullback

    def _forward(self, plan: _Plan, lo: int, state: list[Any], free: int) -> list[tuple]:
        """The snapshots from trip ``lo`` (whose state is ``state``, owned) to the end of the
        loop, as ``(trip, state, snapshots it may use)``: each placed by :func:`_split`."""
        chain = [(lo, state, free)]
        while True:
            k, s, f = chain[-1]
            left = plan.end - k
            if left <= 1 or f <= 1:
                return chain
            n1 = _split(left, f)
            chain.append((k + n1, self._advance(plan, k, k + n1, s), f - 1))

    def _backward(self, plan: _Plan, chain: list[tuple], hi: int, d_state: list[Any],
                  grads: dict[str, Any]) -> list[Any]:  # fmt: skip
        """Pull ``d_state`` (the cotangent of the state at trip ``hi``) back to the first
        snapshot of ``chain``, popping the snapshots as their trips are done."""
        k, s, _ = chain.pop()
        for j in range(hi - 1, k - 1, -1):  # the last stretch: from its snapshot each time
            d_state = self._trip(plan, j, self._advance(plan, k, j, s), d_state, grads)
        hi = k
        while chain:
            k, s, f = chain.pop()
            inner = self._forward(plan.until(hi), k, s, f)
            d_state = self._backward(plan, inner, hi, d_state, grads)
            hi = k
        return d_state

    def _trip(self, plan: _Plan, j: int, state: list[Any], d_state: list[Any],
              grads: dict[str, Any]) -> list[Any]:  # fmt: skip
        """The cotangent of the state before trip ``j`` from the one after it (``state`` is the
        state before it); each invariant's part added into ``grads``."""
        STATS["trip_vjps"] += 1
        active = [n for n, v in zip(self.state_names, state) if _inexact(v)]
        wanted = [n for n in self.invariants if n in self.wrt]
        derivative = subderivative(self.function, tuple(active + wanted))
        _, pullback = derivative(plan.at(j), plan.at(j + 1), plan.stride, *state,
                                 **plan.invariants)  # fmt: skip
        parts = pullback(d_state[0] if self.single else tuple(d_state))
        found = dict(zip(active + wanted, parts))
        for name in wanted:
            part = found[name]
            if part is not None:
                grads[name] = part if grads.get(name) is None else grads[name] + part
        return [found.get(n) for n in self.state_names]


class _Plan:
    """A loop's range (``at(k)`` is trip ``k``'s index value) and its invariants; ``end``, the
    trip a recursion stops at."""

    def __init__(self, start: int, stride: int, trips: int, invariants: dict[str, Any]):
        self.start, self.stride, self.trips, self.invariants = start, stride, trips, invariants
        self.end = trips

    def at(self, k: int) -> int:
        return self.start + k * self.stride

    def until(self, end: int) -> _Plan:
        plan = _Plan(self.start, self.stride, self.trips, self.invariants)
        plan.end = end
        return plan
