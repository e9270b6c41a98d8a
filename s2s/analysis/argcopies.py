"""Argument copies: whether the caller's array may still be what a parameter's name holds at a
write into it.

``w = w.copy()`` (or any other new binding) before ``w[0] = v`` makes the name hold another
array, so the write no longer reaches the caller's. This module follows each path through the
structured normal form (branches, loops with ``break`` and ``continue``, zero trips included)
and answers, for a write statement, whether some path reaches it with the parameter's entry
value still bound. :mod:`s2s.analysis.aliasing` refuses the write only then; what the new
binding is (a fresh array, or a view or second name of something else) it checks as for any
local.

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

from typing import Any

from s2s.codegen.ir import POP, SETITEM, Branch, Jump, Loop, Stmt, atom_names, flatten


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
    reached: list[bool] = []

    def run(block: list[Any], held: bool, jumps: list[tuple[str, bool]]) -> bool:
        for item in block:
            if isinstance(item, Stmt):
                if item is at:
                    reached.append(held)
                if name in item.targets and item.op is not SETITEM:
                    held = False
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

    run(body, True, [])
    return any(reached)


def _popped(body: list[Any], value: Any) -> bool:
    """Whether the atom ``value`` is a name bound only by ``tape.pop()``."""
    names = atom_names(value)
    if len(names) != 1:
        return False
    made = [s for s in flatten(body) if names[0] in s.targets]
    return bool(made) and all(s.op is POP for s in made)
