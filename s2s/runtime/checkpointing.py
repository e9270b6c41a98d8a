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
freed and one run fewer. With ``checkpoint=c`` the unit of that schedule is one trip: at
most ``c`` snapshots and one trip's tape are held.

``checkpoint="auto"`` makes the unit a stretch of ``L = ceil(sqrt(trips))`` trips, reversed
by one VJP over the stretch (a tape of ``L`` trips), and keeps one snapshot per stretch
(``ceil(trips / L) <= L``): memory of about ``sqrt(trips)`` states and ``sqrt(trips)``
trips' tapes, each trip run twice (the primal sweep, then its stretch's VJP).

``checkpoint=s2s.MemoryBudget(nbytes)`` picks the snapshots and the stretch from the bytes
measured when the loop runs, or runs it taped where every trip's tape fits
(:mod:`s2s.runtime.budget`). The adjoint sweep frees the forward sweep's snapshots as it
reverses their stretches (a pullback called again places them anew), and no level of its
recursion keeps an older cotangent, so at most ``c`` snapshots are held at once. Each
stretch's VJP calls the generated code directly once its state's kinds are known
(:class:`TripVJP`): a VJP call per trip costs about 20 us (the Euler workload: 20,000 trips
of a few scalar operations), which the stretches pay once per ``L`` trips.

Shapes and dtypes: the state and the cotangents keep their arguments' shapes and dtypes
(float32 stays float32, as the one-trip VJP keeps it; a float scalar stays a scalar).
Errors: ``UsageError`` for a snapshot count that is not an int >= 1, ``"auto"`` or a
``MemoryBudget``, and at the loop for a budget that holds no snapshot and trip.
"""

from __future__ import annotations

import inspect
import math
from typing import Any

import numpy as np

from s2s.errors import UsageError, caller_location
from s2s.runtime.budget import BOOKKEEPING, Measure, MemoryBudget, choose, held_bytes
from s2s.runtime.core import subderivative

AUTO = "auto"
STATS: dict[str, int] = {"trips_run": 0, "trip_vjps": 0, "snapshots_held": 0, "trips_taped": 0,
                         "trip_vjps_direct": 0, "trips_measured": 0}


def beta(snapshots: int, runs: int) -> int:
    """``C(snapshots + runs, snapshots)``: the trips reversible with ``snapshots`` snapshots
    (the first state included) when each trip runs forward at most ``runs`` times."""
    return math.comb(snapshots + runs, snapshots)


def snapshots_for(trips: int, checkpoint: Any) -> tuple[int, int]:
    """``(snapshots, unit)`` for a loop of ``trips`` trips: ``(checkpoint, 1)`` for an int
    ``checkpoint >= 1``; for ``"auto"``, stretches of ``unit = ceil(sqrt(trips))`` trips and
    one snapshot per stretch."""
    if checkpoint == AUTO:
        unit = max(1, math.isqrt(max(trips - 1, 0)) + 1)
        return max(1, -(-trips // unit)), unit
    if isinstance(checkpoint, bool) or not isinstance(checkpoint, (int, np.integer)) or (
        checkpoint < 1
    ):
        raise UsageError(
            f"checkpoint must be an int >= 1 or 'auto', not {checkpoint!r}",
            caller_location(),
            "pass checkpoint=10 (at most 10 snapshots per loop) or checkpoint='auto'",
        )
    return int(checkpoint), 1


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


def _differentiable(value: Any) -> bool:
    """Whether a state value may carry a cotangent: anything but integers, booleans, strings
    and ``None`` (a tuple of arrays is passed on to the VJP, which follows or refuses it)."""
    if value is None or isinstance(value, (bool, int, str, np.integer, np.bool_)):
        return False
    return not (isinstance(value, np.ndarray) and value.dtype.kind in "biuSU")


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
        STATS["trips_run"] += plan.count(k, j)
        out = self.function(plan.at(k), plan.at(j), plan.stride,
                            *[_owned(v) for v in state], **plan.invariants)  # fmt: skip
        return [out] if self.single else list(out)

    def __call__(self, start: int, stop: int, stride: int, *state: Any, **invariants: Any):
        trips = len(range(start, stop, stride))
        first = [_owned(v) for v in state]  # the caller may write into its arrays later
        vjps: dict[tuple, TripVJP] = {}
        if isinstance(self.checkpoint, MemoryBudget):
            c, unit = self._within(start, stride, trips, first, invariants, vjps)
            if trips and unit >= trips:  # every trip's tape fits: one VJP, no run again
                return self._taped(_Plan(start, stride, trips, trips, invariants, vjps), first)
        else:
            c, unit = snapshots_for(trips, self.checkpoint)
        plan = _Plan(start, stride, trips, unit, invariants, vjps)
        chain = self._forward(plan, 0, first, c)
        top, top_state, _ = chain[-1]
        value = self._advance(plan, top, plan.end, top_state)
        STATS["snapshots_held"] = max(STATS["snapshots_held"], len(chain))
        held = [chain]  # the adjoint sweep frees them as it goes; a second call places them anew
        del chain, top_state

        def pullback(cotangent: Any) -> tuple[Any, ...]:
            d_state = [cotangent] if self.single else list(cotangent)
            if trips == 0:  # the state passed through: fresh arrays, never the caller's
                d_state = [_owned(d) for d in d_state]
            grads: dict[str, Any] = {}
            chain = held.pop() if held else self._forward(plan, 0, first, c)
            box = [d_state]
            del d_state
            self._backward(plan, chain, plan.end, box, grads)
            return self._ordered(as_scalars(box[0], first), grads)

        return self._pack(value), pullback

    def _ordered(self, d_state: list[Any], grads: dict[str, Any]) -> tuple[Any, ...]:
        found = dict(zip(self.state_names, d_state))
        return tuple(found[w] if w in found else grads.get(w) for w in self.wrt)

    def _vjp(self, plan: _Plan, state: list[Any]) -> tuple[TripVJP, list[str], list[str]]:
        """The VJP of a stretch of trips from ``state``, its state names with a cotangent
        (``active``) and the invariants a gradient is taken of (``wanted``)."""
        active = [n for n, v in zip(self.state_names, state) if _differentiable(v)]
        wanted = [n for n in self.invariants if n in self.wrt]
        key = (tuple(active), plan.unit > 1)
        vjp = plan.vjps.get(key)
        if vjp is None:
            derivative = subderivative(self.function, tuple(active + wanted))
            vjp = plan.vjps[key] = TripVJP(derivative, plan.invariants, plan.unit > 1)
        return vjp, active, wanted

    def _taped(self, plan: _Plan, state: list[Any]) -> tuple[Any, Any]:
        """Every trip taped by one VJP (a budget that holds their tape): no trip runs again.
        Float scalars go in as 0-d arrays (:class:`TripVJP`), and come out as they were."""
        vjp, active, wanted = self._vjp(plan, state)
        STATS["trip_vjps"] += 1
        STATS["trips_taped"] = max(STATS["trips_taped"], plan.trips)
        value, taped = _run_taped(vjp, plan.at(0), plan.at(plan.end), plan.stride, state)
        value = as_scalars([value] if self.single else list(value), state)

        def pullback(cotangent: Any) -> tuple[Any, ...]:
            found = dict(zip(active + wanted, taped(cotangent)))
            d_state = as_scalars([found.get(n) for n in self.state_names], state)
            return self._ordered(d_state, {n: found[n] for n in wanted})

        return self._pack(value), pullback

    def _within(self, start: int, stride: int, trips: int, first: list[Any],
                invariants: dict[str, Any], vjps: dict) -> tuple[int, int]:  # fmt: skip
        """``(snapshots, unit)`` within the budget, from the bytes of one snapshot and of the
        tapes of the first trip and the first two (:mod:`s2s.runtime.budget`)."""
        held = {id(v) for v in [*first, *invariants.values()]}  # there whatever is chosen
        snapshot = held_bytes(first) + BOOKKEEPING
        tapes = []
        plan = _Plan(start, stride, trips, 1, invariants, vjps)
        vjp, _, wanted = self._vjp(plan, first)
        for count in (1, 2)[: min(trips, 2)]:
            STATS["trips_measured"] += count
            value, taped = _run_taped(vjp, start, plan.at(count), stride, first)
            tapes.append(held_bytes(taped, set(held)))
            del value, taped
        trip = tapes[-1] - tapes[0] if len(tapes) == 2 else (tapes or [0])[0]
        trip = max(trip, 0)
        fixed = max((tapes or [0])[0] - trip, 0)
        cotangents = sum(held_bytes(invariants[n]) for n in wanted)
        measure = Measure(snapshot, trip, fixed, cotangents)
        return choose(trips, self.checkpoint, measure, _runs)

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

    def _backward(self, plan: _Plan, chain: list[tuple], hi: int, box: list[Any],
                  grads: dict[str, Any]) -> None:  # fmt: skip
        """Pull ``box[0]`` (the cotangent of the state at unit ``hi``) back to the first
        snapshot of ``chain``, popping the snapshots as their units are done. The cotangent
        is replaced in ``box``, so no frame of the recursion keeps an old one alive."""
        k, s, _ = chain.pop()
        for j in range(hi - 1, k - 1, -1):  # the last stretch: from its snapshot each time
            box.append(self._trip(plan, j, self._advance(plan, k, j, s), box.pop(), grads))
        hi = k
        while chain:
            k, s, f = chain.pop()
            self._backward(plan, self._forward(plan.until(hi), k, s, f), hi, box, grads)
            hi = k

    def _trip(self, plan: _Plan, j: int, state: list[Any], d_state: list[Any],
              grads: dict[str, Any]) -> list[Any]:  # fmt: skip
        """The cotangent of the state before unit ``j`` from the one after it (``state`` is the
        state before it); each invariant's part added into ``grads``."""
        STATS["trip_vjps"] += 1
        STATS["trips_taped"] = max(STATS["trips_taped"], plan.count(j, j + 1))
        vjp, active, wanted = self._vjp(plan, state)
        parts = vjp(plan.at(j), plan.at(j + 1), plan.stride, state,
                    d_state[0] if self.single else tuple(d_state))  # fmt: skip
        found = dict(zip(active + wanted, parts))
        for name in wanted:
            part = found[name]
            if part is not None:
                grads[name] = part if grads.get(name) is None else grads[name] + part
        return [found.get(n) for n in self.state_names]


def _runs(snapshots: int, units: int) -> int:
    """The fewest forward runs ``r`` of a unit with ``beta(snapshots, r) >= units``."""
    if snapshots == 1:  # beta(1, r) = r + 1
        return max(units - 1, 0)
    runs = 0
    while beta(snapshots, runs) < units:
        runs += 1
    return runs


def _kinds(values: Any) -> tuple | None:
    """What a derivative's specialization keys on, of each value: its type, dtype and shape
    (``None`` for a tuple, whose items' kinds this does not follow)."""
    kinds = []
    for v in values:
        kind = type(v)
        if kind is np.ndarray:
            kinds.append((kind, v.dtype, v.shape))
        elif kind is tuple:
            return None
        else:
            kinds.append((kind, getattr(v, "dtype", None), getattr(v, "shape", None)))
    return tuple(kinds)


def _finite(parts: tuple) -> bool:
    """Whether every float in ``parts`` (arrays, scalars or ``None``) is finite."""
    for part in parts:
        kind = type(part)
        if kind is np.float64 or kind is float:
            if not math.isfinite(part):
                return False
        elif isinstance(part, np.ndarray):
            if part.dtype.kind == "f" and part.ndim == 0:
                if not math.isfinite(part):
                    return False
            elif part.dtype.kind in "fc" and not np.isfinite(part).all():
                return False
        elif isinstance(part, (complex, np.inexact)) and not np.isfinite(part):
            return False
    return True


class TripVJP:
    """The VJP of a stretch of trips, called once per stretch of the adjoint sweep: ``vjp(lo,
    hi, stride, state, cotangent)`` returns the cotangents of the derivative's ``wrt``.

    Where a stretch is more than one trip (``arrays``), a float scalar of the state
    (``np.float64``, a Python float) goes in as a 0-d array of its dtype (:func:`as_arrays`:
    the same arithmetic, and shapes the generated code can prove, so its trips are plain
    numpy, without a helper per operation for shapes it cannot know: about 3 us a trip of
    the Euler workload, not 10); for one trip, the call's own cost is less with scalars.
    For each kind of state (types, dtypes and shapes) the derivative object specializes once
    (binding, checks, generation); the stretches then call that generated VJP directly (the
    invariants are the same objects in every stretch of a sweep), saving the object's call
    path, about 50 us a call, which the Euler workload's trips (a few scalar operations)
    spent most of their time in. A stretch whose direct call raises, or gives a non-finite
    cotangent, runs again through the object with the state as it was, which locates the
    error or reports the non-finite value as before (the trips have no side effects:
    :func:`s2s.frontend.checkpoints.refuse_impure_trips`); numpy's floating-point warnings
    of such a stretch come twice, from the same line (Python's default filter shows one)."""

    def __init__(self, derivative: Any, invariants: dict[str, Any], arrays: bool) -> None:
        self.derivative = derivative
        self.invariants = invariants
        self.arrays = arrays
        self.kinds: tuple | None = None
        self.function: Any = None

    def __call__(self, lo: int, hi: int, stride: int, state: list[Any], cotangent: Any) -> Any:
        arrays = as_arrays(state) if self.arrays else state
        kinds = _kinds(arrays)
        if kinds is not None and kinds != self.kinds:
            self._learn(lo, hi, stride, arrays, kinds)
        if kinds is not None and self.function is not None:
            try:
                _, pullback = self.function(lo, hi, stride, *arrays, **self.invariants)
                parts = pullback(cotangent)
            except Exception:  # run again below: the object's call locates it
                parts = None
            if parts is not None and _finite(parts):
                STATS["trip_vjps_direct"] += 1
                return parts
        _, pullback = self.derivative(lo, hi, stride, *state, **self.invariants)
        return pullback(cotangent)

    def _learn(self, lo: int, hi: int, stride: int, arrays: list[Any], kinds: tuple) -> None:
        """The generated VJP for state of ``kinds`` (``None`` where the object has no one
        function for it: then each stretch goes through the object)."""
        self.kinds, self.function = kinds, None
        try:
            generated = self.derivative._prepare((lo, hi, stride, *arrays), dict(self.invariants))
        except Exception:  # the object's call raises it, at the trip
            return
        if generated[0] is not None and not generated[0].warnings:
            self.function = generated[0].compiled.function


_FLOAT_SCALARS = (float, np.float64, np.float32, np.float16)


def _run_taped(vjp: TripVJP, lo: int, hi: int, stride: int, state: list[Any]) -> tuple:
    """``(value, pullback)`` of the trips from ``lo`` to ``hi`` taped by the derivative
    object, float scalars of the state as 0-d arrays (:func:`as_arrays`). Where that raises,
    the trips run again with the state as it was, which raises as the loop's own state would,
    located at the trip; outside the ``except`` block, so its traceback is one, not chained to
    the first (a user's error raised once, as under an int ``checkpoint=``)."""
    arrays = as_arrays(state)
    if all(a is s for a, s in zip(arrays, state)):  # nothing converted: one run
        return vjp.derivative(lo, hi, stride, *state, **vjp.invariants)
    try:
        return vjp.derivative(lo, hi, stride, *arrays, **vjp.invariants)
    except Exception:
        pass  # run again below
    return vjp.derivative(lo, hi, stride, *state, **vjp.invariants)


def as_arrays(state: list[Any]) -> list[Any]:
    """``state`` with each float scalar as a 0-d array of its dtype (what numpy computes
    from it is the same: an operation on 0-d arrays gives the scalar an operation on
    scalars does)."""
    return [np.asarray(v) if type(v) in _FLOAT_SCALARS else v for v in state]


def as_scalars(values: list[Any], state: list[Any]) -> list[Any]:
    """``values`` (one per state name) with a 0-d array where ``state`` has a float scalar
    as that scalar (``np.float64`` for a Python float): the types the state had."""
    return [v[()] if type(v) is np.ndarray and v.ndim == 0 and type(s) in _FLOAT_SCALARS
            else v for v, s in zip(values, state)]  # fmt: skip


class _Plan:
    """A loop's range in units of ``unit`` trips (``at(k)`` is the index value unit ``k``
    starts at; ``end`` the unit a recursion stops at) and its invariants."""

    def __init__(self, start: int, stride: int, trips: int, unit: int,
                 invariants: dict[str, Any], vjps: dict[tuple, TripVJP]) -> None:  # fmt: skip
        self.start, self.stride, self.trips, self.unit = start, stride, trips, unit
        self.invariants = invariants
        self.end = -(-trips // unit)
        self.vjps = vjps  # per state with a cotangent: a stretch's VJP

    def at(self, k: int) -> int:
        return self.start + min(k * self.unit, self.trips) * self.stride

    def count(self, k: int, j: int) -> int:
        """The trips from unit ``k`` to unit ``j``."""
        return min(j * self.unit, self.trips) - min(k * self.unit, self.trips)

    def until(self, end: int) -> _Plan:
        plan = _Plan(self.start, self.stride, self.trips, self.unit, self.invariants, self.vjps)
        plan.end = end
        return plan
