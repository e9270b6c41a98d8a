"""Control: branches, loops and jumps of the forward sweep, run once as written.

Forward mode replays nothing, so each construct is emitted as the primal wrote it, with the
tangent statements inside. What changes is generation's knowledge of the tangents
(:class:`~s2s.forward.state.TangentState`): arms start from the same state and join after; a
loop body is generated from the join of its entry and back-edge states until that join is
stable; ``break`` and ``continue`` send their state to the loop's exit and back edge.
"""

from __future__ import annotations

from typing import Any

import gast

from s2s.codegen.ir import SETITEM, Branch, Jump, Loop, Stmt, flatten
from s2s.codegen.sweeps import assign, call
from s2s.codegen.templating import constant, name
from s2s.codegen.walking import copy_tree
from s2s.forward.state import DENSE, MAYBE, OWNED, ZERO, Jumps, TangentState, join_all


def branch(sweep: Any, item: Branch) -> list[gast.stmt]:
    """``if test: body else: orelse``: each arm from the state before, joined after."""
    start = sweep.state.copy()
    body = sweep.items(item.body)
    after_body = sweep.state
    sweep.state = start.copy()
    orelse = sweep.items(item.orelse)
    sweep.state = join_all([after_body, sweep.state])
    return [gast.If(test=copy_tree(item.test), body=body or [gast.Pass()], orelse=orelse)]


def jump(sweep: Any, item: Jump) -> list[gast.stmt]:
    """``break`` or ``continue``: its state goes to the loop's exit or back edge."""
    jumps = sweep.jumps[-1]
    (jumps.breaks if item.kind == "break" else jumps.continues).append(sweep.state.copy())
    sweep.state = None  # nothing after a jump runs
    return [gast.Break() if item.kind == "break" else gast.Continue()]


def written_arrays(sweep: Any, loop: Loop) -> list[str]:
    """Arrays the loop writes into (``x[i] = v``) and never rebinds: their tangents are made
    ours before the loop, so each trip writes in place instead of copying."""
    inside = flatten(loop.test_body + loop.body)
    rebound = {t for s in inside if s.op is not SETITEM for t in s.targets}
    found: list[str] = []
    for stmt in inside:
        if stmt.op is SETITEM and stmt.targets[0] in sweep.dot:
            var = stmt.targets[0]
            if var not in rebound and var not in found and var not in sweep.state.undefined:
                found.append(var)
    return found


def own_before(sweep: Any, loop: Loop) -> list[gast.stmt]:
    out: list[gast.stmt] = []
    for var in written_arrays(sweep, loop):
        if sweep.state.kind(var) == OWNED:
            continue
        current = name(sweep.dot[var]) if sweep.state.kind(var) != ZERO else constant(None)
        if sweep.state.kind(var) == MAYBE:
            sweep.maybe_reads.add(sweep.dot[var])
        out.append(assign(sweep.dot[var], call("_s2s.owned_tangent", current, name(var))))
        sweep.state.set(var, OWNED)
    return out


def carried_zeros(sweep: Any, item: Loop, body: list[Any]) -> list[gast.stmt]:
    """Names bound before the loop (in the same body) with a zero tangent that the loop makes
    non-zero: their tangents are zeros made before the loop, so every trip reads an array
    instead of testing for ``None`` (one allocation per loop, not a test per statement)."""
    position = next(i for i, other in enumerate(body) if other is item)
    before = {t for other in body[:position] if isinstance(other, Stmt) for t in other.targets}
    inside = {t for s in flatten(item.test_body + item.body) for t in s.targets}
    out: list[gast.stmt] = []
    trial = sweep.state.copy()
    names, dot, reads = set(sweep.names.taken), dict(sweep.dot), set(sweep.maybe_reads)
    sweep.jumps.append(Jumps())
    sweep.items(item.test_body + item.body)  # a first pass: which tangents become non-zero
    sweep.jumps.pop()
    grown = sweep.state
    sweep.state, sweep.names.taken, sweep.dot, sweep.maybe_reads = trial, names, dot, reads
    for var in sorted(before & inside):
        if var in sweep.dot and trial.kind(var) == ZERO and grown is not None \
                and grown.kind(var) != ZERO and var not in grown.undefined:  # fmt: skip
            out.append(assign(sweep.dot[var], call("_s2s.zero_tangent", name(var))))
            sweep.state.set(var, DENSE)
    return out


def loop(sweep: Any, item: Loop, body: list[Any] | None = None) -> list[gast.stmt]:
    """A ``for`` over ``range`` or a ``while`` loop, with its ``else`` block (``body``: the
    statements around it, to find the names bound before it)."""
    out = own_before(sweep, item)
    if body is not None:
        out += carried_zeros(sweep, item, body)
    entry = sweep.state.copy()
    while True:
        taken = set(sweep.names.taken)
        dot = dict(sweep.dot)
        sweep.state = entry.copy()
        sweep.jumps.append(Jumps())
        test_body = sweep.items(item.test_body)
        after_test = sweep.state.copy() if sweep.state is not None else entry.copy()
        body = sweep.items(item.body)
        jumps = sweep.jumps.pop()
        back = join_all([sweep.state] + jumps.continues)
        widened = entry.join(back)
        if widened == entry:
            break
        sweep.names.taken, sweep.dot, entry = taken, dot, widened
    sweep.state = (entry if item.iterable is not None else after_test).copy()
    orelse = sweep.items(item.orelse)
    sweep.state = join_all([sweep.state] + jumps.breaks) or TangentState()
    if item.iterable is not None:
        target = gast.Name(item.target, gast.Store(), None, None)
        out.append(gast.For(target=target, iter=copy_tree(item.iterable),
                            body=body or [gast.Pass()], orelse=orelse,
                            type_comment=None))  # fmt: skip
        return out
    return out + _while(sweep, item, test_body, body, orelse)


def _while(sweep: Any, item: Loop, test_body: list, body: list, orelse: list) -> list[gast.stmt]:
    """``while True:`` computing the test, leaving when it fails; the ``else`` block runs after
    a failed test only (a flag, since a ``break`` in it must still leave the loop around)."""
    test = gast.UnaryOp(op=gast.Not(), operand=copy_tree(item.test))
    if not orelse:
        stop = gast.If(test=test, body=[gast.Break()], orelse=[])
        return [gast.While(test=constant(True), body=test_body + [stop] + body, orelse=[])]
    flag = sweep.names.fresh("test_failed", always_number=True)
    stop = gast.If(test=test, body=[assign(flag, constant(True)), gast.Break()], orelse=[])
    return [
        assign(flag, constant(False)),
        gast.While(test=constant(True), body=test_body + [stop] + body, orelse=[]),
        gast.If(test=name(flag), body=orelse, orelse=[]),
    ]
