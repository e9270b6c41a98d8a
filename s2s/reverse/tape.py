"""Tape: sweeps through branches and loops, saving overwritten values, arms and trip counts.

A loop's overwritten value goes on the tape in the primal sweep and comes back in the adjoint
sweep, which runs the loop backwards:

>>> import numpy as np, s2s
>>> def f(x, n):
...     for _ in range(n):
...         x = np.sin(x)
...     return np.sum(x)
>>> for line in s2s.grad(f).source.splitlines():
...     if "tape." in line or "range" in line:
...         print(line.strip())
# line 2: for _ in range(n):
for _ in range(n):
tape.append(x)
# line 2: for _ in range(n): (reversed)
for _ in range(n - 1, -1, -1):
x = tape.pop()
"""

from __future__ import annotations

import operator
from typing import Any

import gast
import numpy as np

from s2s import registry, runtime
from s2s.codegen.helpers import bind_after_def
from s2s.codegen.ir import (
    APPEND,
    COPY,
    ITEMS,
    POP,
    SETITEM,
    Branch,
    Jump,
    Loop,
    Stmt,
    atom_names,
    is_literal,
)
from s2s.codegen.sweeps import Block, assign, call, view_checks
from s2s.codegen.templating import constant, name, slice_to_call
from s2s.codegen.walking import copy_tree
from s2s.reverse.flow import AdjointFlow
from s2s.reverse.lists import ListAdjoints, comment_marker
from s2s.reverse.untaped import counted, first_bindings, walk_items


def _store(target: str) -> gast.Name:
    return gast.Name(target, gast.Store(), None, None)


class TapeSweeps(ListAdjoints, AdjointFlow):
    """Sweeps of :class:`s2s.reverse.sweep.ReverseBuilder` for functions with branches and loops.

    The primal sweep runs the function's control flow as written and pushes onto a list (the
    tape) what the adjoint sweep will need and the primal overwrites: the old value of a
    name assigned inside a branch or loop (only if an adjoint reads it), which arm each branch
    took, and each loop's trip count. The adjoint sweep replays the control flow backwards,
    popping. Every adjoint buffer starts as ``None`` (zero) and is added into functionally.
    """

    def setup_tape(self) -> None:
        flat = self.ir.flat
        active = self.activity.active
        needed = set(active)
        for stmt in flat:
            if any(t in active for t in stmt.targets):
                for atom in stmt.args + list(stmt.kwargs.values()):
                    needed.update(n for n in atom_names(atom) if n)
                needed.update(stmt.targets)
        self.saved = {n for n in self.ir.carried if n in needed}
        self.remade = self.rematerialized(self.ir.body)
        for loop, _ in self.remade.values():  # the recomputation reads the loop's index
            self.saved.add(loop.target)
        self.restore_read = self.restores_read(flat, active)
        self.first_bindings = first_bindings(self.ir)
        self.param_names = {p.name for p in self.ir.params}
        self.call_pullbacks = {  # a call to the user's function in a loop: its pullback per trip
            id(stmt): self.pullback_of(stmt)
            for stmt in flat
            if getattr(self.activity.bindings.get(self.index_of[id(stmt)]), "callee", None)
            and not self.functional  # functional: the call's pullback is made where it is used
        }
        self.pending: list[bool] = []  # flags of the branch arms being emitted
        self.tape = self.names.fresh("tape")
        sources = any(
            stmt.op is runtime.undefined_grad
            or (self.activity.bindings.get(self.index_of[id(stmt)]) is not None
                and getattr(self.activity.bindings[self.index_of[id(stmt)]].rule,
                            "may_be_undefined", False))
            for stmt in flat
        )  # fmt: skip
        # Every buffer starts as None. Without undefined markers, generation tracks which
        # buffers are surely None, surely arrays or either (s2s.reverse.flow); with them, every
        # buffer is added with the kinds' algebra and every adjoint block is guarded.
        self.flow = not sources
        if sources:
            self.undefined.update(self.adjoint_names)
            for var in self.adjoint_names:
                self.count[var] = 1
                self.maybe_none.add(var)
        else:  # a list's cotangent is added item by item (_s2s.add), never with +
            self.maybe_none.update(v for v in self.ir.lists if v in self.adjoint_names)

    def rematerialized(self, body: list[Any]) -> dict[int, tuple[Loop, Stmt]]:
        """Loop statements whose values the adjoint recomputes at the top of each reversed trip
        instead of taping them: ``v = x[t]`` (``x`` a parameter nothing writes, ``t`` the
        loop's index: a view costs an object per trip on the tape, an index nothing), and a
        ufunc of such parameters, numbers and values recomputed before it (``y = x * c[k]``:
        one pass over ``x`` per trip instead of keeping every trip's array, Griewank and
        Walther 2008, ch. 12, "recompute instead of store")."""
        out: dict[int, tuple[Loop, Stmt]] = {}
        params = {p.name for p in self.ir.params}
        flat = self.ir.flat
        written = {t for s in flat for t in s.targets}
        for item in body:
            if isinstance(item, Branch):
                out.update(self.rematerialized(item.body))
                out.update(self.rematerialized(item.orelse))
            if not isinstance(item, Loop):
                continue
            out.update(self.rematerialized(item.body))
            out.update(self.rematerialized(item.orelse))
            jumps = any(isinstance(n, Jump) for n in walk_items(item.body))
            index_written = any(  # t = 0 inside the loop: x[t] would read another row
                isinstance(n, Stmt) and item.target in n.targets for n in walk_items(item.body)
            )
            if item.iterable is None or item.target is None or jumps or index_written:
                continue
            remade: set[str] = set()  # names this loop's reversed trips recompute
            for stmt in item.body:
                if not isinstance(stmt, Stmt):
                    continue
                if len(stmt.targets) != 1 or stmt.unpack or stmt.targets[0] not in self.saved:
                    continue
                if sum(stmt.targets[0] in s.targets for s in flat) != 1:
                    continue  # assigned once: no trip reads the value of the trip before
                if self.recomputable(stmt, (params - written) | remade):
                    out[id(stmt)] = (item, stmt)
                    remade.add(stmt.targets[0])
                    continue
                if stmt.op is not operator.getitem:
                    continue
                base, key = stmt.args
                if not (isinstance(base, gast.Name) and base.id in params - written):
                    continue
                if set(atom_names(key)) != {item.target} or not isinstance(key, gast.Name):
                    continue
                out[id(stmt)] = (item, stmt)
                remade.add(stmt.targets[0])
        return out

    def invariant_remade(self, loop: Loop) -> set[str]:
        """The values ``loop``'s reversed trips would recompute that do not depend on the trip
        (they read no index and no per-trip value): made once before the reversed loop."""
        invariant: set[str] = set()
        per_trip = {loop.target}
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

        walk(self.ir.body, frozenset())
        readers: dict[str, list[int]] = {}
        for index, stmt in enumerate(flat):
            if any(t in active for t in stmt.targets) or stmt.op is SETITEM:
                for atom in stmt.args + list(stmt.kwargs.values()):
                    for n in atom_names(atom):
                        readers.setdefault(n, []).append(index)
                binding = self.activity.bindings.get(index)
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

    def push(self, value: gast.expr, saves: str | None = None) -> gast.stmt:
        """``tape.append(value)``; ``saves`` names the variable whose old value it keeps (the
        adjoint pops it back into that variable)."""
        node = gast.Expr(value=call(f"{self.tape}.append", value))
        node.s2s_saves = saves
        return node

    def pop(self) -> gast.expr:
        return call(f"{self.tape}.pop")

    # -- primal ------------------------------------------------------------------------------
    def tape_primal(self) -> list[Block]:
        text = "the tape: overwritten values, branch arms, trip counts"
        blocks = [Block(text, [], trailing=True)]
        blocks[0].body.append(assign(self.tape, gast.List(elts=[], ctx=gast.Load())))
        params = {p.name for p in self.ir.params}
        views = {v.targets[0] for s in self.ir.flat for v in getattr(s, "alias_checks", [])}
        for var in sorted((self.saved - params) | set(self.call_pullbacks.values()) | views):
            blocks[0].body.append(assign(var, constant(None)))
        for item in self.ir.body:
            text, lineno = self.comment(item.node)
            block = Block(text, self.primal_items([item], nested=False), lineno)
            if blocks[-1].lineno == lineno and lineno is not None:
                blocks[-1].body.extend(block.body)
            else:
                blocks.append(block)
        return blocks

    def primal_items(self, body: list[Any], nested: bool = True) -> list[gast.stmt]:
        out: list[gast.stmt] = []
        line = None
        for item in body:
            if nested and getattr(item.node, "lineno", None) != line and item.node is not None:
                line = item.node.lineno
                out.append(comment_marker(self.comment(item.node)[0]))
            if isinstance(item, Stmt) and item.op is APPEND:  # undone by a pop: nothing to save
                out.append(self.primal_statement(item))
            elif isinstance(item, Stmt) and item.op is POP and not item.targets:  # keep it
                last = gast.Subscript(value=copy_tree(item.args[0]), slice=constant(-1),
                                      ctx=gast.Load())  # fmt: skip
                out += [self.push(last), self.primal_statement(item)]
            elif isinstance(item, Stmt) and item.op is SETITEM:  # save what the write destroys
                array, key = item.args[0], item.args[1]
                saved = call(
                    "_s2s.overwritten", copy_tree(array), slice_to_call(copy_tree(key))
                )
                out += view_checks(self.ir, self.primal.filename, item)
                out += [self.push(saved), self.primal_statement(item)]
            elif isinstance(item, Stmt):
                for target in item.targets:
                    if id(item) in self.remade:  # recomputed by the adjoint: not taped
                        continue
                    if (id(item), target) in self.first_bindings:  # no old value
                        continue
                    if target in self.saved:  # None where no adjoint reads the old value
                        kept = (id(item), target) in self.restore_read
                        kept = kept or target in self.param_names  # the caller's value is
                        # needed at the end for the gradient's shape and dtype
                        out.append(self.push(name(target) if kept else constant(None), target))
                if id(item) in self.call_pullbacks:
                    pullback = self.call_pullbacks[id(item)]  # saves: popped, or dropped, as one
                    out.append(self.push(name(pullback), pullback))
                out.append(self.primal_statement(item))
                out += bind_after_def(item, self.local_helpers, "subderivative")
            elif isinstance(item, Branch):  # the arm goes on the tape last: popped first
                body = self.arm(item.body, True)
                orelse = self.arm(item.orelse, False)
                out.append(gast.If(test=copy_tree(item.test), body=body, orelse=orelse))
            elif isinstance(item, Loop):
                out += self.primal_loop(item)
            elif isinstance(item, Jump):  # the arms a jump leaves early record themselves now
                out += [self.push(constant(flag)) for flag in reversed(self.pending)]
                out.append(gast.Break() if item.kind == "break" else gast.Continue())
        return out

    def arm(self, body: list[Any], taken: bool) -> list[gast.stmt]:
        """An arm's statements, then its flag onto the tape. An arm left by ``break`` or
        ``continue`` pushes its flag (and its enclosing arms' flags) just before the jump."""
        self.pending.append(taken)
        try:
            statements = self.primal_items(body)
        finally:
            self.pending.pop()
        if body and isinstance(body[-1], Jump):
            return statements
        return statements + [self.push(constant(taken))]

    def primal_loop(self, loop: Loop) -> list[gast.stmt]:
        saved_pending, self.pending = self.pending, []  # jumps in this loop leave its arms only
        try:
            return self._primal_loop(loop, saved_pending)
        finally:
            self.pending = saved_pending

    def counted(self, loop: Loop) -> bool:
        """Whether the adjoint recounts ``loop``'s trips (:func:`s2s.reverse.untaped.counted`)."""
        cached = self.__dict__.setdefault("_counted", {})
        if id(loop) not in cached:
            cached[id(loop)] = counted(self.ir, loop)
        return cached[id(loop)]

    def _primal_loop(self, loop: Loop, outer_pending: list[bool]) -> list[gast.stmt]:
        """The loop as written, counting its trips. A ``for``/``else`` block runs after the
        trip count is on the tape, as ``if <no break>:``, so the adjoint pops in order."""
        if self.counted(loop):  # the adjoint recounts its trips
            return [gast.For(target=_store(loop.target), iter=copy_tree(loop.iterable),
                             body=self.primal_items(loop.body), orelse=[],
                             type_comment=None)]  # fmt: skip
        trips = self.names.fresh("trips", always_number=True)
        count = gast.AugAssign(target=_store(trips), op=gast.Add(), value=constant(1))
        out: list[gast.stmt] = [assign(trips, constant(0))]
        ran_else = self.names.fresh("else_ran", always_number=True) if loop.orelse else None
        completed: list[gast.stmt] = []
        if ran_else:
            out.append(assign(ran_else, constant(False)))
            completed = [assign(ran_else, constant(True))]
        if loop.iterable is not None:
            target = loop.target
            head: list[gast.stmt] = []
            if target in self.saved:
                following = self.names.fresh(f"{target}_next", always_number=False)
                head = [self.push(name(target), target), assign(target, name(following))]
                target = following
            body = head + [count] + self.primal_items(loop.body)
            out.append(
                gast.For(
                    target=_store(target),
                    iter=copy_tree(loop.iterable),
                    body=body,
                    orelse=completed,
                    type_comment=None,
                )
            )
        else:  # the test runs once more than the body unless a `break` ends the loop
            tests = self.names.fresh("tests", always_number=True)
            out.append(assign(tests, constant(0)))
            tested = gast.AugAssign(target=_store(tests), op=gast.Add(), value=constant(1))
            test = gast.UnaryOp(op=gast.Not(), operand=copy_tree(loop.test))
            stop = gast.If(test=test, body=completed + [gast.Break()], orelse=[])
            body = (
                [tested] + self.primal_items(loop.test_body) + [stop, count]
                + self.primal_items(loop.body)
            )  # fmt: skip
            out.append(gast.While(test=constant(True), body=body, orelse=[]))
            out.append(self.push(name(tests)))
        out.append(self.push(name(trips)))
        if ran_else:
            saved_pending, self.pending = self.pending, outer_pending  # jumps here leave outer arms
            try:
                orelse = self.primal_items(loop.orelse)
            finally:
                self.pending = saved_pending
            out.append(gast.If(test=name(ran_else), body=orelse or [gast.Pass()], orelse=[]))
            out.append(self.push(name(ran_else)))
        return out

    # -- adjoint -----------------------------------------------------------------------------
    def tape_adjoint(self) -> list[Block]:
        blocks = [Block("adjoint buffers start at zero (None)", [], trailing=True)]
        for adj in self.adjoint_names.values():
            blocks[0].body.append(assign(adj, constant(None)))
        return blocks

    def tape_adjoint_items(self, body: list[Any]) -> list[gast.stmt]:
        out: list[gast.stmt] = []
        for item in reversed(body):
            if isinstance(item, Stmt):
                out += self.adjoint_statement(item)
            elif isinstance(item, Branch):
                when, otherwise = self.arms(
                    lambda arm=item.body: self.tape_adjoint_items(arm) or [gast.Pass()],
                    lambda arm=item.orelse: self.tape_adjoint_items(arm) or [gast.Pass()],
                )
                out.append(comment_marker(f"{self.comment(item.node)[0]} (arm from the tape)"))
                out.append(gast.If(test=self.pop(), body=when, orelse=otherwise))
            elif isinstance(item, Loop):
                out += self.adjoint_loop(item)
        return out

    def setitem_adjoint(self, stmt: Stmt) -> list[gast.stmt]:
        """``x[key] = v`` backwards: ``v`` gets the cotangent of the entries it wrote, which
        the old ``x`` loses; then the overwritten entries come back from the tape."""
        array, key, value = stmt.args
        out: list[gast.stmt] = [comment_marker(self.comment(stmt.node)[0])]
        adj = self.adjoint_names.get(array.id)
        if adj is not None:
            guarded: list[gast.stmt] = []
            sources = [n for n in atom_names(value) if n in self.activity.active]

            def send_back() -> list[gast.stmt]:
                if isinstance(value, gast.Name) and sources:
                    where = slice_to_call(copy_tree(key))
                    part = call("_s2s.written_part", name(adj), where, copy_tree(array))
                    self.accumulate(sources[0], call("_s2s.unbroadcast", part, name(sources[0])),
                                    guarded)  # fmt: skip
                zeroed = call("_s2s.zeroed_at", name(adj), slice_to_call(copy_tree(key)))
                guarded.append(assign(adj, zeroed))
                self.count[array.id] = 1  # a new array
                return guarded

            self.arms(send_back, list)
            test = gast.Compare(left=name(adj), ops=[gast.IsNot()], comparators=[constant(None)])
            out.append(gast.If(test=test, body=guarded, orelse=[]))
        target = gast.Subscript(value=copy_tree(array), slice=copy_tree(key),
                                ctx=gast.Store())  # fmt: skip
        out.append(gast.Assign(targets=[target], value=self.pop(), type_comment=None))
        return out

    def adjoint_statement(self, stmt: Stmt) -> list[gast.stmt]:
        if stmt.op is SETITEM:
            return self.setitem_adjoint(stmt)
        if stmt.op is APPEND:
            return self.append_adjoint(stmt)
        if stmt.op is POP:
            return self.pop_adjoint(stmt)
        out: list[gast.stmt] = []
        index = self.index_of[id(stmt)]
        if (
            index in self.activity.bindings
            or stmt.op is ITEMS
            or (
                stmt.op is COPY and any(n in self.activity.active for n in atom_names(stmt.args[0]))
            )
        ):
            block = self.adjoint_of(index, stmt)
            if block:
                out.append(comment_marker(self.comment(stmt.node)[0]))
                out += block
        if id(stmt) in self.call_pullbacks:
            out.append(assign(self.call_pullbacks[id(stmt)], self.pop()))
        for target in reversed(stmt.targets):  # this assignment is undone: restore the old value
            if target in self.adjoint_names:
                out.append(assign(self.adjoint_names[target], constant(None)))
                if self.flow:  # the old value's cotangent starts at zero
                    self.count[target] = 0
                    if target not in self.ir.lists:
                        self.maybe_none.discard(target)
            taped = id(stmt) not in self.remade and (id(stmt), target) not in self.first_bindings
            if target in self.saved and taped:
                out.append(assign(target, self.pop()))
        return out

    def adjoint_loop(self, loop: Loop) -> list[gast.stmt]:
        out: list[gast.stmt] = []
        if loop.orelse:
            otherwise = self.arms(lambda: self.tape_adjoint_items(loop.orelse) or [gast.Pass()],
                                  list)[0]  # fmt: skip
            out.append(gast.If(test=self.pop(), body=otherwise, orelse=[]))
        counted = self.counted(loop)
        text = " (reversed)" if counted else " (trips from the tape)"
        out.append(comment_marker(f"{self.comment(loop.node)[0]}{text}"))
        trips = None if counted else self.names.fresh("trips", always_number=True)
        if not counted:
            out.append(assign(trips, self.pop()))
        if loop.iterable is None:  # the final, failing test's own entries come off first
            final = self.arms(lambda: self.tape_adjoint_items(loop.test_body) or [gast.Pass()],
                              list)[0]  # fmt: skip
            more = gast.Compare(left=self.pop(), ops=[gast.Gt()], comparators=[name(trips)])
            out.append(gast.If(test=more, body=final, orelse=[]))
        if self.flow:
            out += self.own_leaf_buffers(loop)

        invariant = self.invariant_remade(loop)
        hoisted = [  # -k of a loop's `a = -k * x`: the same in every trip, made once
            _remade(assign(stmt.targets[0], copy_tree(stmt.expr)))
            for owner, stmt in self.remade.values()
            if owner is loop and stmt.targets[0] in invariant
        ]
        if hoisted:
            note = comment_marker("recomputed, not taped")
            note.s2s_recomputed = True
            out += [note, *hoisted]

        def reversed_body() -> list[gast.stmt]:
            body = [  # v = x[t] again, for this trip's t, instead of from the tape
                _remade(assign(stmt.targets[0], copy_tree(stmt.expr)))
                for owner, stmt in self.remade.values()
                if owner is loop and stmt.targets[0] not in invariant
            ]
            if any(not _is_view(s.value) for s in body):  # optimize names those still read
                note = comment_marker("recomputed, not taped")
                note.s2s_recomputed = True
                body.insert(0, note)
            body += self.tape_adjoint_items(loop.body)
            body += self.tape_adjoint_items(loop.test_body)
            if loop.iterable is not None and loop.target in self.saved and not counted:
                body.append(assign(loop.target, self.pop()))
            return body

        if self.flow:
            out += self.zero_carried_buffers(reversed_body)
        body = self.loop_body(reversed_body)
        if counted:  # range(n - 1, -1, -1)
            (count,) = loop.iterable.args
            last = gast.BinOp(left=copy_tree(count), op=gast.Sub(), right=constant(1))
            down = call("range", last, constant(-1), constant(-1))
            step = _store(loop.target)
        else:
            down, step = call("range", name(trips)), _store(self.names.fresh("step",
                                                                            always_number=True))
        out.append(gast.For(target=step, iter=down, body=body or [gast.Pass()],
                            orelse=[], type_comment=None))  # fmt: skip
        return out


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


def _is_view(value: gast.expr) -> bool:
    """``x[t]``: a row of an argument (a view, not a computation)."""
    return isinstance(value, gast.Subscript)


def _remade(node: gast.Assign) -> gast.Assign:
    node.s2s_remade = True  # optimize drops it if no adjoint reads the value
    return node
