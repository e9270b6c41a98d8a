"""Argument copies: whether the caller's array may still be what a parameter's name holds at a
write into it.

``w = w.copy()`` (or any other new binding) before ``w[0] = v`` makes the name hold another
array, so the write no longer reaches the caller's. This module follows each path through the
structured normal form (branches, loops with ``break`` and ``continue``, zero trips included)
and answers, for a write statement, whether some path reaches it with the parameter's entry
value still bound. :mod:`s2s.analysis.aliasing` refuses the write only then; what the new
binding is (a fresh array, or a view or second name of something else) it checks as for any
local. The same walk answers whether an array put in a list (``ys.append(y)``) may still be
what ``y`` holds at a write into it (:func:`may_be_listed`).

>>> import gast
>>> from s2s.codegen.ir import COPY, SETITEM, Branch, Stmt
>>> write = Stmt(("w",), gast.Constant(0, None), SETITEM)
>>> rebind = Stmt(("w",), gast.Constant(0, None), COPY)
>>> may_hold_entry([rebind, write], "w", write)
False
>>> may_hold_entry([Branch(gast.Constant(True, None), [rebind], []), write], "w", write)
True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from s2s.codegen.ir import APPEND, POP, SETITEM, Branch, Jump, Loop, Stmt, atom_names, flatten


def may_hold_entry(body: list[Any], name: str, at: Stmt, generated: bool = False) -> bool:
    """Whether some path from the start of ``body`` reaches the statement ``at`` with ``name``
    still bound to its value on entry (no statement but a write into it binding ``name`` on
    the way). Paths are over-approximated: every arm, any trip count, each ``break`` and
    ``continue`` (statements after them in their block counted as reachable).

    In s2s's own derivative code (``generated``), a write of a value popped from the tape
    restores what the primal sweep's write into the same array overwrote, and that write was
    checked when the primal was: ``False`` for it (the sweeps' paths correlate, which this
    analysis does not see)."""
    if generated and at.op is SETITEM and len(at.args) == 3 and _popped(body, at.args[2]):
        return False
    return _reaches(body, name, at, True, lambda stmt: False)


def may_be_listed(body: list[Any], name: str, at: Stmt) -> bool:
    """Whether some path from the start of ``body`` reaches the statement ``at`` after an
    ``xs.append(name)`` with ``name`` bound to the same array since (no statement but a write
    into it binding ``name`` on the way): only then is the array ``at`` writes into a list's
    item. ``y[0] = v`` before ``ys.append(y)``, or after ``y = np.zeros(2)`` that follows it
    (each trip's new array), is not. Paths are over-approximated as in :func:`may_hold_entry`."""

    def listed(stmt: Stmt) -> bool:
        return stmt.op is APPEND and len(stmt.args) > 1 and name in atom_names(stmt.args[1])

    return _reaches(body, name, at, False, listed)


def still_bound(body: list[Any], bound: Stmt, at: Stmt) -> bool:
    """Whether some path reaches the statement ``at`` with a name ``bound`` binds still bound
    to that value: ``x = y``, then ``x = tape.pop()`` on every path to ``y[1] = v`` (the code
    s2s generates, differentiated again) leaves ``x`` no view of ``y`` at the write."""
    return any(_reaches(body, name, at, False, lambda stmt: stmt is bound)
               for name in bound.targets)  # fmt: skip


def _reaches(body: list[Any], name: str, at: Stmt, start: bool,
             held_after: Callable[[Stmt], bool]) -> bool:  # fmt: skip
    """Whether some path reaches ``at`` holding: ``start`` on entry, set after a statement
    ``held_after`` accepts, cleared by a binding of ``name`` other than a write into it."""
    reached: list[bool] = []

    def run(block: list[Any], held: bool, jumps: list[tuple[str, bool]]) -> bool:
        for item in block:
            if isinstance(item, Stmt):
                if item is at:
                    reached.append(held)
                if name in item.targets and item.op is not SETITEM:
                    held = False
                held = held or held_after(item)
            elif isinstance(item, Branch):
                held = run(item.body, held, jumps) | run(item.orelse, held, jumps)
            elif isinstance(item, Loop):
                held = loop(item, held, jumps)
            elif isinstance(item, Jump):
                jumps.append((item.kind, held))
        return held

    def loop(item: Loop, held: bool, outer: list[tuple[str, bool]]) -> bool:
        head = held
        while True:  # the state at the loop's head: entry, or the end of any earlier trip
            inner: list[tuple[str, bool]] = []
            tested = run(item.test_body, head, inner)
            end = run(item.body, tested, inner)
            again = head | end | any(h for kind, h in inner if kind == "continue")
            if again == head:
                break
            head = again
        broken = any(h for kind, h in inner if kind == "break")
        outer += [(kind, h) for kind, h in inner if kind not in ("break", "continue")]
        return run(item.orelse, tested, outer) | broken

    run(body, start, [])
    return any(reached)


def _popped(body: list[Any], value: Any) -> bool:
    """Whether the atom ``value`` is a name bound only by ``tape.pop()``."""
    names = atom_names(value)
    if len(names) != 1:
        return False
    made = [s for s in flatten(body) if names[0] in s.targets]
    return bool(made) and all(s.op is POP for s in made)
