"""``checkpoint=s2s.MemoryBudget(nbytes)``: a checkpointed loop held within a number of bytes.

Where :mod:`s2s.runtime.checkpointing` runs a loop under a budget, it measures, when the loop
is called, the bytes of one snapshot of its state (``S``: the arrays' buffers and headers,
:func:`held_bytes`, and :data:`BOOKKEEPING` for its record and a level of the recursion) and
of the tape a VJP of its first trip keeps, and of its first two trips (their difference is
one trip's tape, ``T``; the rest, ``F``, is what any stretch keeps: the final values its
adjoint reads). Besides the snapshots and one stretch's tape the adjoint sweep holds working
copies: the state being run forward from a snapshot and a trip's temporaries, the cotangent
of the state and the adjoint buffers of a trip, the caller's output and its cotangent, and
the invariants' cotangents, counted as ``W = F + 8 S + 2 I + OVERHEAD`` (``I``: the bytes of
the invariants a gradient is taken of; 8 snapshots: tracemalloc measured 4 to 6.2 beyond the
snapshots and tape on the Euler oscillator of 1,000 and 10,000 points, at budgets from 2 to
40 times a snapshot). Then, for ``n`` trips and a budget of ``B`` bytes (:func:`choose`):

- ``n T + W <= B``: the loop runs taped, one VJP over all its trips (no trip run again).
- otherwise stretches of ``L`` trips, each reversed by one VJP (a tape of ``L`` trips), with
  ``c = (B - W - L T) // S`` snapshots (at most one per stretch) on the binomial schedule of
  :mod:`s2s.runtime.checkpointing`: among the ``L`` that leave at least one snapshot, the
  one whose trips run forward the fewest times (``r`` with ``C(c + r, c) >= ceil(n / L)``,
  :func:`s2s.runtime.checkpointing.beta`), counting a VJP call as :data:`CALL_TRIPS` trips.
- ``S + T + W > B``: no schedule fits; :class:`s2s.UsageError` at the loop, naming the
  bytes measured and the smallest budget that fits.

The measure is of the first trips: a later trip whose tape is larger (an inner loop of more
trips, a branch that tapes more) can take the peak over the budget; the budget bounds one
loop's memory, not the rest of the function's (its own arrays, an outer loop's snapshots).
"""

from __future__ import annotations

import linecache
import math
import sys
from dataclasses import dataclass
from typing import Any

import numpy as np

from s2s.errors import Location, UsageError, caller_location

CALL_TRIPS = 8  # a VJP call's own cost, in trips of a few scalar operations (about 16 us)
OVERHEAD = 16384  # the sweeps' own lists, frames and records, in bytes (tracemalloc: 6-12 KiB)
BOOKKEEPING = 1024  # a snapshot's record, and the frame and range of a level of the recursion


class MemoryBudget:
    """``checkpoint=s2s.MemoryBudget(nbytes)``: hold each checkpointed loop's snapshots, tape
    and working copies within ``nbytes`` bytes (an int, or a float such as ``50e6``, ``>= 1``);
    all trips taped where they fit, no recomputation then. Immutable; equal budgets are equal
    (``at`` aside: the loop's ``(file, line)``, which the generated code adds for its errors).

    Raises:
        UsageError: at the caller's line, for ``nbytes`` that is not a whole number >= 1.
    """

    __slots__ = ("nbytes", "at")
    nbytes: int
    at: tuple[str, int] | None

    def __init__(self, nbytes: float, at: tuple[str, int] | None = None) -> None:
        integer = isinstance(nbytes, (int, np.integer)) and not isinstance(nbytes, bool)
        floating = isinstance(nbytes, (float, np.floating))
        whole = (integer and nbytes >= 1) or (  # an int is whole at any size (10**40: a float
            floating and math.isfinite(nbytes) and nbytes >= 1 and float(nbytes).is_integer()
        )  # of it is not equal to it)
        if not whole:
            raise UsageError(
                f"MemoryBudget takes a whole number of bytes >= 1, not {nbytes!r}",
                caller_location(),
                "pass the budget in bytes, e.g. s2s.MemoryBudget(50_000_000) for 50 MB",
            )
        object.__setattr__(self, "nbytes", int(nbytes))
        object.__setattr__(self, "at", at)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a MemoryBudget cannot be changed; make a new one")

    def __eq__(self, other: object) -> bool:
        return type(other) is MemoryBudget and other.nbytes == self.nbytes

    def __hash__(self) -> int:
        return hash((MemoryBudget, self.nbytes))

    def __repr__(self) -> str:
        return f"MemoryBudget({self.nbytes})"

    def __reduce__(self) -> tuple:
        return (MemoryBudget, (self.nbytes, self.at))


def held_bytes(value: Any, seen: set[int] | None = None) -> int:
    """The bytes ``value`` holds: an array's header and buffer (a view's base once), and what
    lists, tuples, dicts and functions (their defaults and closure cells: a pullback's tape
    and residuals) hold, each object counted once (``seen``: ids counted already, or held
    elsewhere and not to be counted)."""
    seen = set() if seen is None else seen
    total, stack = 0, [value]
    while stack:
        item = stack.pop()
        if id(item) in seen or item is None:
            continue
        seen.add(id(item))
        total += sys.getsizeof(item)
        if isinstance(item, np.ndarray):
            if item.base is not None:
                stack.append(item.base)
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif callable(item):
            inner = getattr(item, "_function", None)  # an s2s pullback object: its function
            if inner is not None:
                stack.append(inner)
            stack.extend(getattr(item, "__defaults__", None) or ())
            stack.extend(c.cell_contents for c in getattr(item, "__closure__", None) or ()
                         if _filled(c))  # fmt: skip
    return total


def _filled(cell: Any) -> bool:
    try:
        cell.cell_contents  # noqa: B018
    except ValueError:  # an empty cell
        return False
    return True


@dataclass
class Measure:
    """The bytes of one snapshot (``snapshot``), one trip's tape (``trip``), the tape any
    stretch keeps (``fixed``) and the invariants' cotangents (``invariants``)."""

    snapshot: int
    trip: int
    fixed: int
    invariants: int

    @property
    def working(self) -> int:
        return self.fixed + 8 * self.snapshot + 2 * self.invariants + OVERHEAD


def choose(trips: int, budget: MemoryBudget, measure: Measure, runs_for: Any) -> tuple[int, int]:
    """``(snapshots, unit)`` for ``trips`` trips within ``budget`` (the module docstring);
    ``(1, trips)`` where every trip's tape fits. ``runs_for(snapshots, units)`` is the most
    forward runs of a trip on the binomial schedule.

    Raises:
        UsageError: at the loop (``budget.at``) where no snapshot and trip fit."""
    room = budget.nbytes - measure.working
    if trips == 0 or trips * measure.trip <= room:
        return 1, max(trips, 1)
    widest = (room - measure.snapshot) // max(measure.trip, 1)
    if widest < 1:
        _too_small(budget, measure)
    best = None
    for unit in sorted({*_geometric(min(widest, trips)), min(widest, trips)}):
        units = -(-trips // unit)
        snapshots = min(units, (room - unit * measure.trip) // max(measure.snapshot, 1))
        cost = runs_for(snapshots, units) * trips + units * CALL_TRIPS
        if best is None or cost < best[0]:
            best = (cost, snapshots, unit)
    return best[1], best[2]


def _geometric(top: int) -> list[int]:
    found, unit = [], 1
    while unit <= top:
        found.append(unit)
        unit = max(unit + 1, int(unit * 1.25))
    return found


def _too_small(budget: MemoryBudget, measure: Measure) -> None:
    need = measure.snapshot + measure.trip + measure.working
    where = None
    if budget.at is not None:
        filename, line = budget.at
        where = Location(filename, line, 0, linecache.getline(filename, line).rstrip("\n"))
    raise UsageError(
        f"checkpoint=MemoryBudget({budget.nbytes}) is too small for this loop: one snapshot of "
        f"its state takes {measure.snapshot} bytes, one trip's tape {measure.trip}, "
        f"and the tape every stretch keeps with the adjoint sweep's working copies "
        f"{measure.working} (measured on its first trips), "
        f"{need} bytes in all",
        where or caller_location(),
        f"give at least s2s.MemoryBudget({need}), or checkpoint=1 (one snapshot and one "
        "trip's tape, with no budget checked), or leave checkpoint= out",
    )
