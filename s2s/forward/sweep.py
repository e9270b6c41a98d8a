"""Sweep: each primal statement followed by its tangent statements, in program order.

Forward mode needs no tape: the tangent of a value is computed right after the value, from the
tangents of its inputs, so branches and loops run once, as written. :class:`ForwardSweep` holds
the explicit state (:class:`~s2s.forward.state.TangentState`) and dispatches each item of the
normal form to one function: calls with a rule in :mod:`s2s.forward.calls`, calls of the
user's functions in :mod:`s2s.forward.subcalls`, branches, loops and jumps in
:mod:`s2s.forward.control`, writes into arrays and lists in :mod:`s2s.forward.writes`.

Before: two primal statements; after, each is followed by its tangent statement:

>>> import numpy as np, s2s
>>> def fw(x):
...     y = np.sin(x)
...     return np.sum(y * x)
>>> for line in s2s.jvp(fw).source.splitlines():
...     if "_dot =" in line and "check_tangent" not in line:
...         print(line.strip())
y_dot = x_dot * _np.cos(x)
multiply_1_dot = y_dot * x + x_dot * y
sum_1_dot = _np.sum(multiply_1_dot)
"""

from __future__ import annotations

from typing import Any

import gast

from s2s import runtime
from s2s.analysis.activity import Activity
from s2s.analysis.selection import quietly, selected_only
from s2s.codegen.contexts import is_marker
from s2s.codegen.helpers import bind_after_def, local_helpers
from s2s.codegen.ir import (
    APPEND,
    COPY,
    DEF,
    ITEMS,
    POP,
    SETITEM,
    Branch,
    FunctionIR,
    Jump,
    Loop,
    NameAllocator,
    Stmt,
    atom_names,
)
from s2s.codegen.sweeps import Block, assign, call, comment_marker, primal_statement
from s2s.codegen.templating import constant, name
from s2s.codegen.walking import walk
from s2s.forward import calls, control, subcalls, writes
from s2s.forward.rules import Tangent, is_not_none
from s2s.forward.state import DENSE, MAYBE, OWNED, ZERO, Jumps, TangentState
from s2s.frontend.parse import Primal


class ForwardSweep:
    """Builds the interleaved sweep of one specialization (see :func:`forward`).

    Attributes:
        dot: the tangent's name of each active variable (``h`` -> ``h_dot``).
        state: what is known of every tangent here (``None`` after a jump: unreachable).
        jumps: one :class:`Jumps` per loop around the point being generated.
    """

    def __init__(self, primal: Primal, ir: FunctionIR, activity: Activity, wrt: tuple[str, ...],
                 names: NameAllocator, tangent_params: dict[str, str],
                 functional: bool = False) -> None:  # fmt: skip
        self.primal = primal
        self.ir = ir
        self.activity = activity
        self.wrt = wrt
        self.names = names
        self.dot: dict[str, str] = dict(tangent_params)
        flat = ir.flat
        self.index_of = {id(stmt): i for i, stmt in enumerate(flat)}
        for var in [t for s in flat for t in s.targets]:
            if var in activity.active and var not in self.dot:
                self.dot[var] = names.fresh(var + "_dot")
        self.state: TangentState | None = TangentState({p: DENSE for p in tangent_params})
        self.jumps: list[Jumps] = []
        self.maybe_reads: set[str] = set()  # tangents read where they may be None
        self.functional = functional  # differentiated again (DESIGN 10): calls as written
        self.helpers: dict[str, tuple] = {}  # called by name: s2s/codegen/helpers.py
        self.local_helpers = {} if functional else local_helpers(  # jvp_inner, after its def
            flat, activity.bindings, names, "jvp_")
        # quiet also when differentiated again: its derivative keeps the `with` (a derivative's
        # `with np.errstate` is differentiated as the user's is), so no spurious warning there
        self.quiet = selected_only(ir, activity)
        generated = getattr(primal.func, "__s2s_generated__", False)
        self.quiet_primal = selected_only(ir, activity, True) if generated else set()

    # -- blocks --------------------------------------------------------------------------------
    def comment(self, node: Any) -> tuple[str | None, int | None]:
        """``line 7: h = np.tanh(x @ w)`` for a primal node (a compound statement: its header)."""
        return self.primal.comment(node)

    def blocks(self) -> list[Block]:
        """The whole sweep, one block per primal line at the top level."""
        out: list[Block] = []
        for item in self.ir.body:
            text, lineno = self.comment(item.node)
            body = self.item(item, self.ir.body)
            if out and out[-1].lineno == lineno and lineno is not None:
                out[-1].body.extend(body)
            else:
                out.append(Block(text, body, lineno))
        return out

    def items(self, body: list[Any]) -> list[gast.stmt]:
        """A nested body (an arm, a loop body), with a comment where its primal line changes."""
        out: list[gast.stmt] = []
        line = None
        for item in body:
            if self.state is None:
                break  # after a jump: nothing here runs
            lineno = getattr(item.node, "lineno", None)
            if lineno is not None and lineno != line:
                line = lineno
                out.append(comment_marker(self.comment(item.node)[0]))
            out += self.item(item, body)
        return out

    def item(self, item: Any, body: list[Any] | None = None) -> list[gast.stmt]:
        if isinstance(item, Stmt):
            return self.statement(item)
        if isinstance(item, Branch):
            return control.branch(self, item)
        if isinstance(item, Loop):
            return control.loop(self, item, body)
        if isinstance(item, Jump):
            return control.jump(self, item)
        raise TypeError(f"unknown item {item!r}")  # pragma: no cover

    # -- tangents ------------------------------------------------------------------------------
    def tangent_of(self, atom: Any) -> Tangent | None:
        """The tangent of an atom here: ``None`` for a symbolic zero (a constant, an inactive
        value, a tangent known to be zero)."""
        if not isinstance(atom, gast.Name) or atom.id not in self.dot:
            return None
        kind = self.state.kind(atom.id)
        if kind == ZERO:
            return None
        tangent = self.dot[atom.id]
        if kind == MAYBE:
            self.maybe_reads.add(tangent)
        return Tangent(name(tangent), kind == MAYBE, tangent)

    def set_zero(self, var: str, out: list[gast.stmt]) -> None:
        """``var`` is assigned a value whose tangent is zero (``None`` if another path may
        read it as an array)."""
        if var in self.dot and self.state.kind(var) != ZERO:
            out.append(assign(self.dot[var], constant(None)))
        self.state.set(var, ZERO)
        self.state.undefined.discard(var)

    def tangent_reads(self, stmt: Stmt) -> list[str]:
        """The variables whose tangents a statement's tangent reads."""
        found: list[str] = []
        for atom in stmt.args + list(stmt.kwargs.values()):
            for n in atom_names(atom):
                if n in self.dot and self.state.kind(n) != ZERO and n not in found:
                    found.append(n)
        return found

    def demote(self, expr: gast.expr) -> None:
        """A tangent now also read under another name is no longer ours alone to write."""
        for n in atom_names(expr):
            for var, tangent in self.dot.items():
                if tangent == n and self.state.kind(var) == OWNED:
                    self.state.set(var, DENSE)

    def step(self, var: str, node: Any) -> str:
        """How a marker's path names ``var``: the user's name and line."""
        user = self.ir.original.get(var, var)
        return f"{user} (line {getattr(node, 'lineno', 0)})" if var not in self.ir.temporaries \
            else f"a value on line {getattr(node, 'lineno', 0)}"  # fmt: skip

    def with_markers(self, stmt: Stmt, targets: list[str], generate) -> list[gast.stmt]:
        """The tangent statements of ``generate()``, behind a test where an input's tangent may
        be an undefined marker: then every output's tangent is that marker, one step longer."""
        carrying = [v for v in self.tangent_reads(stmt) if v in self.state.undefined]
        if not carrying:
            return generate()
        self.maybe_reads.update(self.dot[v] for v in carrying if self.state.kind(v) == MAYBE)
        marker = self.names.fresh("marker", always_number=True)
        out: list[gast.stmt] = [
            assign(marker, call("_s2s.undefined_in", *[name(self.dot[v]) for v in carrying]))
        ]
        start = self.state.copy()
        when_marker: list[gast.stmt] = []
        for target in targets:
            if target in self.dot:
                step = constant(self.step(target, stmt.node))
                when_marker.append(assign(self.dot[target], call("_s2s.through", name(marker),
                                                                 step)))  # fmt: skip
                self.state.set(target, DENSE)
                self.state.undefined.add(target)
        marked, self.state = self.state, start.copy()
        when_defined = generate()
        for target in targets:  # joined with the marker arm: a zero here must be None
            if target in self.dot and self.state.kind(target) == ZERO:
                when_defined.append(assign(self.dot[target], constant(None)))
        self.state = self.state.join(marked)
        out.append(gast.If(test=is_not_none(marker), body=when_marker,
                           orelse=when_defined or [gast.Pass()]))  # fmt: skip
        return out

    # -- one statement -------------------------------------------------------------------------
    def statement(self, stmt: Stmt) -> list[gast.stmt]:
        if stmt.op is SETITEM:
            return writes.setitem(self, stmt)
        if stmt.op is APPEND:
            return writes.append(self, stmt)
        if stmt.op is POP:
            return writes.pop(self, stmt)
        if stmt.op is DEF:
            return [primal_statement(stmt), *bind_after_def(stmt, self.local_helpers, "jvp_of")]
        if self.ir.contexts and is_marker(stmt):  # a derivative's `try`: its tape drops
            tried = writes.tried_marker(self, stmt)
            if tried is not None:
                return tried
        index = self.index_of[id(stmt)]
        binding = self.activity.bindings.get(index)
        out: list[gast.stmt] = []
        targets = list(stmt.targets)
        reads = set(self.tangent_reads(stmt))
        if binding is not None and binding.callee is not None and reads:
            return subcalls.call_statement(self, stmt, binding)
        if stmt.op is ITEMS and reads:
            return subcalls.items_statement(self, stmt)
        if stmt.op is runtime.undefined_grad and reads:
            return subcalls.undefined_origin(self, stmt)
        active = (binding is not None and binding.rule is not None) or stmt.op is COPY
        if not active or not reads or not any(t in self.dot for t in targets):
            out.append(primal_statement(stmt))
            for target in targets:
                self.set_zero(target, out)
            return out
        # a statement whose target it also reads computes into a new name first
        clash = [t for t in targets if t in {n for a in stmt.args for n in atom_names(a)}]
        renamed = {t: self.names.fresh(t + "_new") for t in clash}
        node = primal_statement(stmt)
        for sub in walk(node):
            if isinstance(sub, gast.Name) and isinstance(sub.ctx, gast.Store) and sub.id in renamed:
                sub.id = renamed[sub.id]
        outputs = [renamed.get(t, t) for t in targets]
        for temp in renamed.values():
            self.dot[temp] = self.names.fresh(temp + "_dot")
        tangent = self.with_markers(
            stmt, outputs, lambda: calls.rule_statement(self, stmt, binding, outputs)
        )
        # only a where's unselected entries may be singular there; a gradient computed its
        # masked partials (its own statements) quietly too
        if targets and all(t in self.quiet_primal for t in targets):
            out += quietly([node] + tangent)
        elif tangent and targets and all(t in self.quiet for t in targets):
            out += [node] + quietly(tangent)
        else:
            out += [node] + tangent
        for target, temp in renamed.items():
            out.append(assign(target, name(temp)))
            kind = self.state.kind(temp)
            if kind != ZERO:
                out.append(assign(self.dot[target], name(self.dot[temp])))
                self.state.set(target, DENSE if kind == OWNED else kind)
                if temp in self.state.undefined:
                    self.state.undefined.add(target)
            else:
                self.set_zero(target, out)
        return out
