"""Taping: what the tape of a sweep through branches and loops holds, decided before either
sweep is written.

A name assigned inside a branch or loop is saved (its old value pushed before the assignment,
popped back after its adjoint) only if an adjoint reads it, a list's appends are undone by
pops in it (a list made again in each trip, with a gradient or not), or the key of a write
reads it
(``m[j] = tape.pop()`` restores each trip's entries at that trip's ``j``, also in an array
that carries no gradient); a loop's
``v = x[t]``, or a ufunc of such values, is recomputed in the reversed trip instead
(:meth:`TapePlan.rematerialized`); a first binding outside loops has no old value
(:func:`s2s.reverse.untaped.first_bindings`); a ``for t in range(n)`` loop's trips are counted
again, not taped (:func:`s2s.reverse.untaped.counted`).

The rule of choice between taping and recomputing a value a loop makes (Enzyme's
cache-or-recompute choice, decided here from the text alone, with no memory budget):

- recomputed: ``v = x[t]`` (a row of an argument at the loop's index: a view, nothing to
  compute), and an elementwise ufunc with a derivative rule (``x * i``, ``np.sin(y)``, no
  keywords) whose operands are all alive in the reversed trip: numbers, the index of this loop
  or of a loop around it (a ``for`` whose index nothing else binds, with no ``break`` or
  ``continue``), arguments nothing writes, names bound once outside every loop and branch that
  no write can reach (:meth:`TapePlan.invariant_names`), values recomputed before it in the
  same trip, and numbers such as a ``while`` loop's counter ``k`` (:meth:`TapePlan.counters`:
  every old value of ``k`` is then kept on the tape, one number per assignment, so the reversed
  trip has ``k`` back as it was; an array of a counter this loop changes is recomputed where
  the trip's adjoints have undone the later changes and no reader has run yet,
  :meth:`TapePlan._cut`, else taped). One pass over memory per trip costs less than keeping an
  array per trip. One the primal made in a ``with np.errstate(...)`` of the loop body is made
  again under ``np.errstate(all="ignore")``: the primal's ufunc on the primal's values meets
  the errors the primal sweep met under the user's state
  (:func:`s2s.codegen.contexts.quiet_recomputations`); one made in a ``try`` or under
  another manager is taped (:meth:`TapePlan._in_context`). A value that depends on nothing
  its loop changes is made once, before the reversed loop (so is one a ``while`` loop makes
  of loop-invariant names).
- taped: everything else, so each costly operation (``@``, ``solve``, a reduction, a call of
  your own function) runs once per trip as the primal ran it, and values that depend on an
  earlier trip (a carried ``x = x * c``, a value read before it is assigned in the trip) come
  back from the tape; so does a number made from a counter (as cheap to keep). A loop with
  ``break`` or ``continue`` tapes.

The generated source says which: ``# recomputed, not taped: y, sin_1`` heads the recomputed
values of a reversed trip; a taped one is a ``tape.append(y)`` / ``y = tape.pop()`` pair.

>>> import numpy as np, s2s
>>> def f(x, c, n):
...     for k in range(n):
...         x = x * c[k]
...     return np.sum(x)
>>> source = s2s.grad(f, wrt=0).source
>>> [line.strip() for line in source.splitlines() if "tape." in line]
['tape.append(x)', 'x = tape.pop()']
>>> def g(x):
...     s = 0.0
...     for i in range(5):
...         y = x * i
...         s = s + np.sum(np.sin(y))
...     return s
>>> source = s2s.grad(g).source
>>> [line.strip() for line in source.splitlines() if "tape." in line or "recomputed" in line]
['# recomputed, not taped: y, sin_1']
"""

from __future__ import annotations

import operator
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import gast
import numpy as np

from s2s import registry, runtime
from s2s.analysis.sharing import loops_of, sharing_classes, user_call
from s2s.codegen.ir import (
    APPEND,
    LOCAL_CALL,
    OPAQUE,
    POP,
    SETITEM,
    Branch,
    Jump,
    Loop,
    Stmt,
    atom_names,
    is_literal,
)
from s2s.codegen.sweeps import call
from s2s.reverse.state import SweepState
from s2s.reverse.untaped import counted, first_bindings, walk_items


@dataclass(eq=False)
class TapePlan:
    """The tape's name and what goes on it, for the sweeps of :mod:`s2s.reverse.tape`.

    ``saved``: names whose old value is pushed before an assignment in a branch or loop;
    ``remade``: loop statements recomputed by the reversed trip instead (statement id to its
    loop and itself); ``restore_read``: (statement id, name) pairs whose restored old value an
    adjoint reads (the others push ``None``); ``first_bindings``: (statement id, name) pairs
    with no old value; ``call_pullbacks``: a call to the user's function in a loop, the name of
    its pullback (taped per trip).
    """

    state: SweepState
    tape: str = ""
    saved: set[str] = field(default_factory=set)
    remade: dict[int, tuple[Loop, Stmt]] = field(default_factory=dict)
    restore_read: set[tuple[int, str]] = field(default_factory=set)
    first_bindings: set[tuple[int, str]] = field(default_factory=set)
    param_names: set[str] = field(default_factory=set)
    call_pullbacks: dict[int, str] = field(default_factory=dict)
    _counted: dict[int, bool] = field(default_factory=dict)
    _invariant: set[str] | None = None
    _loops_of: dict[int, set[int]] | None = None
    _counters: set[str] | None = None
    late: dict[int, int] = field(default_factory=dict)
    trip_counters: dict[int, set[str]] = field(default_factory=dict)
    _order: dict[int, int] = field(default_factory=dict)
    _readers: dict[str, list[Stmt]] = field(default_factory=dict)
    _binders: dict[str, int] | None = None

    def push(self, value: gast.expr, saves: str | None = None) -> gast.stmt:
        """``tape.append(value)``; ``saves`` names the variable whose old value it keeps (the
        adjoint pops it back into that variable)."""
        node = gast.Expr(value=call(f"{self.tape}.append", value))
        node.s2s_saves = saves
        return node

    def pop(self) -> gast.expr:
        return call(f"{self.tape}.pop")

    def taped(self, stmt: Stmt, target: str) -> bool:
        """Whether ``target``'s old value went on the tape before ``stmt`` assigned it."""
        untaped = id(stmt) in self.remade or (id(stmt), target) in self.first_bindings
        return target in self.saved and not untaped

    def counted(self, loop: Loop) -> bool:
        """Whether the adjoint recounts ``loop``'s trips (:func:`s2s.reverse.untaped.counted`)."""
        if id(loop) not in self._counted:
            self._counted[id(loop)] = counted(self.state.ir, loop)
        return self._counted[id(loop)]

    def rematerialized(
        self, body: list[Any], indices: frozenset[str] = frozenset()
    ) -> dict[int, tuple[Loop, Stmt]]:
        """Loop statements whose values the adjoint recomputes at the top of each reversed trip
        instead of taping them (the rule of choice in the module's docstring): ``v = x[t]``
        (``x`` a parameter nothing writes, ``t`` the loop's index: a view costs an object per
        trip on the tape, an index nothing), and an elementwise ufunc of alive values
        (``y = x * c[k]``, ``y = x * i``: one pass over ``x`` per trip instead of keeping every
        trip's array, Griewank and Walther 2008, ch. 12, "recompute instead of store").
        ``indices``: those of the loops around ``body`` the reversed sweep has in each trip."""
        out: dict[int, tuple[Loop, Stmt]] = {}
        flat = self.state.ir.flat
        if self._invariant is None:
            self._invariant = self.invariant_names()
        invariant = self._invariant
        loops = [i for i in walk_items(self.state.ir.body) if isinstance(i, Loop)]
        if self._binders is None:  # name -> how many statements of ``flat`` bind it
            self._binders = {}
            for s in flat:
                for t in set(s.targets):
                    self._binders[t] = self._binders.get(t, 0) + 1
        binders = self._binders
        for item in body:
            if isinstance(item, Branch):
                out.update(self.rematerialized(item.body, indices))
                out.update(self.rematerialized(item.orelse, indices))
            if not isinstance(item, Loop):
                continue
            jumps = any(isinstance(n, Jump) for n in walk_items(item.body))
            index_written = (
                item.target in binders  # t = 0 in the function: x[t] might read another row
                or sum(i.target == item.target for i in loops) != 1
            )
            indexed = not (item.iterable is None or item.target is None or index_written)
            inner = indices | {item.target} if indexed and not jumps else indices
            out.update(self.rematerialized(item.body, inner))
            out.update(self.rematerialized(item.orelse, indices))
            if jumps or not (indexed or item.iterable is None):  # a `while` loop: no index
                continue
            remade: set[str] = set()  # names this loop's reversed trips recompute
            here = {t for n in walk_items(item.body) if isinstance(n, Stmt) for t in n.targets}
            tested = {
                t for n in walk_items(item.test_body) if isinstance(n, Stmt) for t in n.targets
            }
            counters = self.counters() - tested  # their restores give each trip's value back
            late: dict[int, Stmt] = {}  # position: a value of a counter this loop changes
            for q, stmt in enumerate(item.body):
                if not isinstance(stmt, Stmt):
                    continue
                if len(stmt.targets) != 1 or stmt.unpack or stmt.targets[0] not in self.saved:
                    continue
                if binders.get(stmt.targets[0]) != 1:
                    continue
                if not self._read_after(stmt, item):
                    continue  # a trip reads the value of the trip before
                if self._in_context(stmt):
                    continue  # in a `try` or a `with` of the user's manager: taped
                reads = {n for atom in stmt.args for n in atom_names(atom)}
                changing = reads & ((counters & here) | {s.targets[0] for s in late.values()})
                known = self.state.activity.types.get(stmt.targets[0])
                if changing and (known is None or known.array is False):
                    continue  # a number: as cheap to tape (and the counter's cut stays free)
                if self.recomputable(stmt, invariant | inner | remade | counters):
                    out[id(stmt)] = (item, stmt)
                    remade.add(stmt.targets[0])
                    if changing:
                        late[q] = stmt
                    continue
                if stmt.op is not operator.getitem:
                    continue
                base, key = stmt.args
                if not (isinstance(base, gast.Name) and base.id in invariant):
                    continue
                if not indexed or set(atom_names(key)) != {item.target}:
                    continue
                if not isinstance(key, gast.Name):
                    continue
                out[id(stmt)] = (item, stmt)
                remade.add(stmt.targets[0])
            self.trip_counters[id(item)] = counters & here
            if late:
                read = {n for st in late.values() for atom in st.args for n in atom_names(atom)}
                cut = self._cut(item, late, read & counters & here)
                for stmt in late.values():
                    if cut is None:
                        del out[id(stmt)]
                    elif cut < len(item.body):  # else at the trip's top, as the others
                        self.late[id(stmt)] = cut
        return out

    def counters(self) -> set[str]:
        """Numbers (Python or numpy scalars: nothing shares their memory) that only plain
        assignments bind (``k = k + 1``, no loop's index): with each of their old values
        restored from the tape (:func:`plan_tape` keeps them all), the adjoint sweep has each
        one's value of the primal's matching point, such as a ``while`` loop's counter."""
        if self._counters is None:
            ir, types = self.state.ir, self.state.activity.types
            indices = {i.target for i in walk_items(ir.body) if isinstance(i, Loop)}
            bound: dict[str, list[Stmt]] = {}
            for stmt in ir.flat:
                for target in stmt.targets:
                    bound.setdefault(target, []).append(stmt)
            self._counters = {
                n
                for n, stmts in bound.items()
                if n not in indices
                and (known := types.get(n)) is not None
                and known.kind in ("int", "float") and known.array is False
                and all(len(s.targets) == 1 and not s.unpack and s.op is not SETITEM
                        for s in stmts)
            }  # fmt: skip
        return self._counters

    def _cut(self, loop: Loop, late: dict[int, Stmt], counters: set[str]) -> int | None:
        """Where in ``loop``'s reversed trip the values ``late`` (by position in its body) of
        counters the trip changes are recomputed: after the adjoints of the body from the
        position returned on (which restore the counters to their values at those
        statements), before those of the statements that read the values. ``None`` if there
        is no such place (a reader after an assignment of a counter)."""
        body = loop.body

        def assigns(position: int, names: set[str]) -> bool:
            items = walk_items([body[position]])
            return any(isinstance(n, Stmt) and set(n.targets) & names for n in items)

        def reads(position: int, names: set[str]) -> bool:
            items = walk_items([body[position]])
            return any(
                isinstance(n, Stmt)
                and {v for atom in [*n.args, *n.kwargs.values()] for v in atom_names(atom)}
                & names
                for n in items
            )

        first = min(late)
        cut = next((p for p in range(first + 1, len(body)) if assigns(p, counters)), len(body))
        values = {stmt.targets[0] for stmt in late.values()}
        if max(late) >= cut or any(reads(p, values) for p in range(cut, len(body))):
            return None
        return cut

    def _in_context(self, stmt: Stmt) -> bool:
        """Whether ``stmt`` is in a ``try`` statement of the primal, or in a ``with`` block
        with a manager other than ``np.errstate`` (:class:`s2s.codegen.contexts.Context`):
        there the primal may have stopped its exception (``contextlib.suppress``, a handler)
        and kept the name's older value, which a recomputation would not give back; it is
        taped. Under ``np.errstate`` alone it is recomputed, quietly (the primal's ufunc on
        the primal's values meets the errors the primal met under the user's state,
        :func:`s2s.codegen.contexts.quiet_recomputations`)."""
        line = getattr(stmt.node, "lineno", None)
        for context in self.state.ir.contexts:
            if context.kind == "with" and context.errstate_only:
                continue
            if line is None:
                return True  # no line to place it: as if inside
            last = max(context.last, context.orelse[1], context.final[1])
            if context.line <= line <= last:
                return True
        return False

    def under_errstate(self, stmt: Stmt) -> bool:
        """Whether the primal makes ``stmt`` in a ``with np.errstate(...)`` block (its
        recomputation is made quietly, not under the state around the reversed trip)."""
        line = getattr(stmt.node, "lineno", None)
        return any(c.kind == "with" and c.covers(line) for c in self.state.ir.contexts)

    def _read_after(self, stmt: Stmt, loop: Loop) -> bool:
        """Whether every statement that reads ``stmt``'s target comes after it in one trip of
        ``loop``, or after ``loop`` and outside every loop around it: no reader sees the value
        of an earlier trip (the reversed trip recomputes only its own), and the adjoint of a
        reader after the loop runs before the reversed trips change the name."""
        ir = self.state.ir
        if self._loops_of is None:
            self._loops_of = loops_of(ir)
            self._order = {id(s): i for i, s in enumerate(ir.flat)}
            self._readers = {}  # name -> the statements whose arguments read it (one scan)
            for other in ir.flat:
                atoms = [*other.args, *other.kwargs.values()]
                for name in {n for atom in atoms for n in atom_names(atom)}:
                    self._readers.setdefault(name, []).append(other)
        target, at = stmt.targets[0], self._order[id(stmt)]
        around = self._loops_of[id(stmt)]
        for other in self._readers.get(target, ()):
            if self._order[id(other)] <= at:
                return False
            loops = self._loops_of[id(other)]
            if id(loop) not in loops and loops & around:
                return False
        return True

    def invariant_names(self) -> set[str]:
        """Names whose values are the same all through both sweeps: parameters nothing writes
        or rebinds, and names bound once, by a statement outside every loop and branch, that
        share memory only with such names (no write can reach them) and that no helper of
        yours, opaque expression or list is given (it might change them)."""
        ir = self.state.ir
        params = {p.name for p in ir.params}
        flat = ir.flat
        bound = Counter(t for s in flat for t in s.targets)
        fixed = params - set(bound)
        candidates = {
            s.targets[0]
            for s in ir.body
            if isinstance(s, Stmt) and len(s.targets) == 1 and not s.unpack
            and bound[s.targets[0]] == 1
            and s.op not in (SETITEM, APPEND, POP, OPAQUE, LOCAL_CALL) and not user_call(s)
        }  # fmt: skip
        given = {  # a helper, an opaque expression or a list holds them: it might write them
            n
            for s in flat
            if s.op in (APPEND, OPAQUE, LOCAL_CALL) or user_call(s)
            for atom in [*s.args, *s.kwargs.values()]
            for n in atom_names(atom)
        }
        classes = sharing_classes(ir)
        for n in sorted(candidates):
            members = classes.get(n, {n})
            if all(m in fixed | candidates and m not in given for m in members):
                fixed.add(n)
        return fixed

    def invariant_remade(self, loop: Loop) -> set[str]:
        """The values ``loop``'s reversed trips would recompute that do not depend on the trip
        (they read no index and no per-trip value): made once before the reversed loop."""
        invariant: set[str] = set()
        per_trip = {loop.target} | self.trip_counters.get(id(loop), set())
        for owner, stmt in self.remade.values():
            if owner is not loop:
                continue
            reads = {n for atom in stmt.args for n in atom_names(atom)}
            remade_reads = reads & {s.targets[0] for o, s in self.remade.values() if o is loop}
            if loop.target in reads or remade_reads - invariant or reads & per_trip:
                per_trip.add(stmt.targets[0])
            else:
                invariant.add(stmt.targets[0])
        return invariant

    def recomputable(self, stmt: Stmt, alive: set[str]) -> bool:
        """Whether ``stmt`` is a numpy ufunc with a derivative rule (it cannot have side
        effects), called without keywords on numbers and on ``alive`` names only (their
        values are the same in the adjoint sweep as when the primal computed ``stmt``)."""
        op = stmt.op
        if not isinstance(op, np.ufunc) or stmt.kwargs or stmt.method is not None:
            return False
        rule = registry.lookup(op)
        if rule is None or rule.kind != registry.ELEMENTWISE:
            return False
        return all(
            is_literal(atom) or (isinstance(atom, gast.Name) and atom.id in alive)
            for atom in stmt.args
        )

    def restores_read(self, flat: list[Stmt], active: set[str]) -> set[tuple[int, str]]:
        """(statement, name) pairs whose overwritten value an adjoint reads after the tape
        restores it: a reader earlier in the program, or one in a loop around both."""
        loops_of: dict[int, set[int]] = {}

        def walk(body: list[Any], loops: frozenset) -> None:
            for item in body:
                if isinstance(item, Stmt):
                    loops_of[id(item)] = set(loops)
                elif isinstance(item, Branch):
                    walk(item.body, loops)
                    walk(item.orelse, loops)
                elif isinstance(item, Loop):
                    inner = loops | {id(item)}
                    walk(item.test_body, inner)
                    walk(item.body, inner)
                    walk(item.orelse, loops)

        walk(self.state.ir.body, frozenset())
        readers: dict[str, list[int]] = {}
        for index, stmt in enumerate(flat):
            if stmt.op is APPEND:  # the undone append pops the list (lists.py)
                readers.setdefault(stmt.args[0].id, []).append(index)
            if any(t in active for t in stmt.targets) or stmt.op is SETITEM:
                for atom in stmt.args + list(stmt.kwargs.values()):
                    for n in atom_names(atom):
                        readers.setdefault(n, []).append(index)
            if stmt.op is APPEND:  # its undoing pop reads the list
                readers.setdefault(stmt.targets[0], []).append(index)
            if any(t in active for t in stmt.targets) or stmt.op is SETITEM:
                binding = self.state.activity.bindings.get(index)
                rule = getattr(binding, "rule", None)
                if rule is not None and _reads_outputs(rule):  # tanh, qr: the adjoint reads its
                    for target in stmt.targets:  # outputs (tanh, qr): in a loop, each trip's
                        readers.setdefault(target, []).append(index)  # outputs come back
        kept: set[tuple[int, str]] = set()
        for index, stmt in enumerate(flat):
            for target in stmt.targets:
                for reader in readers.get(target, []):
                    shared = loops_of[id(stmt)] & loops_of[id(flat[reader])]
                    if reader < index or shared:
                        kept.add((id(stmt), target))
                        break
        return kept


def plan_tape(state: SweepState) -> TapePlan:
    """The tape of ``state``'s function (which has branches or loops), and the buffers' state
    at the start of its adjoint sweep: every buffer starts as ``None``. Without undefined
    markers the sweep tracks which buffers are surely ``None``, surely arrays or either
    (``state.tracked``, :mod:`s2s.reverse.flow`); with them, every buffer is added with the
    kinds' algebra and every adjoint block is guarded."""
    ir, activity = state.ir, state.activity
    flat = ir.flat
    active = activity.active
    needed = set(active)
    for stmt in flat:
        if any(t in active for t in stmt.targets):
            for atom in stmt.args + list(stmt.kwargs.values()):
                needed.update(n for n in atom_names(atom) if n)
            needed.update(stmt.targets)
        if stmt.op is SETITEM:  # the reversed trip restores the overwritten entries of any
            needed.update(n for n in atom_names(stmt.args[1]) if n)  # array at this key
        if stmt.op is APPEND:  # undone by a pop, active or not: a list bound again in a loop
            needed.update(stmt.targets)  # (a tangent's, or `any(...)`'s flags, made per trip)
            needed.update(n for n in atom_names(stmt.args[0]) if n)  # comes back to be popped
    plan = TapePlan(state, saved={n for n in ir.carried if n in needed})
    plan.remade = plan.rematerialized(ir.body)
    indices = {item.target for item in walk_items(ir.body) if isinstance(item, Loop)}
    for loop, stmt in plan.remade.values():  # the recomputation reads the loop's index
        if loop.target is not None:  # (and those of loops around it it reads)
            plan.saved.add(loop.target)
        plan.saved.update(n for atom in stmt.args for n in atom_names(atom) if n in indices)
    plan.restore_read = plan.restores_read(flat, active)
    counters = plan.counters()
    for _, stmt in plan.remade.values():  # a counter a recomputation reads: every binding
        for counter in {n for atom in stmt.args for n in atom_names(atom)} & counters:
            plan.saved.add(counter)  # of it restores its old value
            plan.restore_read.update((id(s), counter) for s in flat if counter in s.targets)
    plan.first_bindings = first_bindings(ir)
    plan.param_names = {p.name for p in ir.params}
    plan.call_pullbacks = {  # a call to the user's function in a loop: its pullback per trip
        id(stmt): state.pullback_of(stmt)
        for stmt in flat
        if getattr(state.binding_of(stmt), "callee", None)
        and not state.functional  # functional: the call's pullback is made where it is used
    }
    plan.tape = state.names.fresh("tape")
    sources = any(
        stmt.op is runtime.undefined_grad
        or getattr(getattr(state.binding_of(stmt), "rule", None), "may_be_undefined", False)
        for stmt in flat
    )
    state.tracked = not sources
    if sources:
        state.undefined.update(state.adjoint_names)
        for var in state.adjoint_names:
            state.count[var] = 1
            state.maybe_none.add(var)
    else:  # a list's cotangent is added item by item (_s2s.add), never with +
        state.maybe_none.update(v for v in ir.lists if v in state.adjoint_names)
    return plan


def _reads_outputs(rule: registry.Rule) -> bool:
    """Whether a rule's template reads a primal output's value (``1 - result * result``), not
    only its cotangent ``d[result]``."""
    cached = getattr(rule, "_reads_outputs", None)
    if cached is None and rule.template is None:
        return True  # no template to read: assume it does
    if cached is None:
        parsed = rule.parsed()
        cotangents = {
            id(node.slice)
            for stmt in parsed.body
            for node in gast.walk(stmt)
            if isinstance(node, gast.Subscript)
            and isinstance(node.value, gast.Name)
            and node.value.id == "d"
        }
        cached = any(
            isinstance(node, gast.Name) and node.id in parsed.outputs and id(node) not in cotangents
            for stmt in parsed.body
            for node in gast.walk(stmt)
        )
        rule._reads_outputs = cached
    return cached
