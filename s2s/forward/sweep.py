"""Sweep: each primal statement followed by its tangent statements, in program order.

Forward mode needs no tape: the tangent of a value is computed right after the value, from the
tangents of its inputs, so branches and loops run once, as written. :class:`ForwardSweep` holds
the explicit state (:class:`~s2s.forward.state.TangentState`) and dispatches each item of the
normal form to one function: statements here, branches, loops and jumps in
:mod:`s2s.forward.control`, writes into arrays and lists in :mod:`s2s.forward.writes`.
"""

from __future__ import annotations

import copy
from typing import Any

import gast
import numpy as np

from s2s import registry, runtime
from s2s.analysis.activity import Activity
from s2s.analysis.dtypes import VType
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
from s2s.codegen.sweeps import Block, assign, call, live_locals, primal_statement
from s2s.codegen.templating import constant, name
from s2s.forward import control, writes
from s2s.forward.rules import (
    Tangent,
    elementwise_terms,
    linear_tangent,
    literal_tangent,
    template_tangents,
    total,
)
from s2s.forward.state import DENSE, MAYBE, OWNED, ZERO, Jumps, TangentState
from s2s.frontend.parse import Primal

# Casts and broadcasts: the tangent is the input's, projected onto the result's shape and
# tangent dtype (a float16 result keeps a float32 tangent instead of rounding it). Any other
# linear map applied to tangents gives the result's shape and tangent dtype by itself.
_PROJECTED = {
    np.asarray, np.array, np.astype, runtime.augmented, np.full, np.full_like, np.broadcast_to,
}  # fmt: skip


def comment_marker(text: str) -> gast.stmt:
    """A statement the writer prints as ``# text`` (comments inside loops and branches)."""
    return gast.Expr(value=gast.Call(func=name("__s2s_comment__"), args=[constant(text)],
                                     keywords=[]))  # fmt: skip


def is_not_none(var: str) -> gast.expr:
    return gast.Compare(left=name(var), ops=[gast.IsNot()], comparators=[constant(None)])


class ForwardSweep:
    """Builds the interleaved sweep of one specialization (see :func:`forward`).

    Attributes:
        dot: the tangent's name of each active variable (``h`` -> ``h_dot``).
        state: what is known of every tangent here (``None`` after a jump: unreachable).
        jumps: one :class:`Jumps` per loop around the point being generated.
    """

    def __init__(self, primal: Primal, ir: FunctionIR, activity: Activity, wrt: tuple[str, ...],
                 names: NameAllocator, tangent_params: dict[str, str]) -> None:  # fmt: skip
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

    # -- blocks --------------------------------------------------------------------------------
    def comment(self, node: Any) -> tuple[str | None, int | None]:
        """``line 7: h = np.tanh(x @ w)`` for a primal node (a compound statement: its header)."""
        if node is None:
            return None, None
        lineno = getattr(node, "lineno", None)
        if lineno is None:
            return None, None
        end = getattr(node, "end_lineno", None) or lineno
        if isinstance(node, (gast.For, gast.While, gast.If, gast.FunctionDef)):
            end = lineno
        text = " ".join(self.primal.line_text(n) for n in range(lineno, end + 1))
        return f"line {lineno}: {text}", lineno

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
        out: list[gast.stmt] = [assign(marker, call("_s2s.undefined_in",
                                                    *[name(self.dot[v]) for v in carrying]))]
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
            return [primal_statement(stmt)]
        index = self.index_of[id(stmt)]
        binding = self.activity.bindings.get(index)
        out: list[gast.stmt] = []
        targets = list(stmt.targets)
        reads = set(self.tangent_reads(stmt))
        if binding is not None and binding.callee is not None and reads:
            return self.call_statement(stmt, binding)
        if stmt.op is ITEMS and reads:
            return self.items_statement(stmt)
        if stmt.op is runtime.undefined_grad and reads:
            return self.undefined_origin(stmt)
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
        for sub in gast.walk(node):
            if isinstance(sub, gast.Name) and isinstance(sub.ctx, gast.Store) and sub.id in renamed:
                sub.id = renamed[sub.id]
        out.append(node)
        outputs = [renamed.get(t, t) for t in targets]
        for temp in renamed.values():
            self.dot[temp] = self.names.fresh(temp + "_dot")
        out += self.with_markers(stmt, outputs, lambda: self.rule_statement(stmt, binding,
                                                                            outputs))  # fmt: skip
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

    def rule_statement(self, stmt: Stmt, binding: Any, outputs: list[str]) -> list[gast.stmt]:
        """The tangent of a copy or of a call with a rule, written to the outputs' tangents."""
        out: list[gast.stmt] = []
        if stmt.op is COPY:
            source = self.tangent_of(stmt.args[0])
            if source is None:
                self.set_zero(outputs[0], out)
                return out
            out.append(assign(self.dot[outputs[0]], copy.deepcopy(source.expr)))
            self.demote(source.expr)
            self.state.set(outputs[0], MAYBE if source.maybe else DENSE)
            if source.guard in {self.dot.get(v) for v in self.state.undefined}:
                self.state.undefined.add(outputs[0])
            return out
        rule = binding.rule
        if rule.kind == registry.PIECEWISE_CONSTANT:
            for target in outputs:
                self.set_zero(target, out)
            return out
        if rule.kind == registry.ELEMENTWISE:
            terms = elementwise_terms(rule, binding, name(outputs[0]), self.tangent_of)
            project = self.projects(stmt, outputs[0]) and not self.covers(stmt, terms)
            self.write_terms(outputs[0], terms, project, out)
            return out
        if rule.kind == registry.LINEAR:
            self.linear_statement(stmt, binding, outputs[0], out)
            return out
        statements, results = template_tangents(
            rule, binding, [name(o) for o in outputs], self.tangent_of, self.names
        )
        kept = [r for r, o in zip(results, outputs) if r is not None and o in self.dot]
        out += live_locals(statements, kept)
        for target, result in zip(outputs, results):
            if result is None or target not in self.dot:
                self.set_zero(target, out)
                continue
            if rule.may_be_undefined:
                result = call("_s2s.locate", result, constant(rule.name),
                              constant(self._argument_name(binding)),
                              constant(self.primal.filename),
                              constant(getattr(stmt.node, "lineno", 0)))  # fmt: skip
                self.state.undefined.add(target)
            if self.projects(stmt, target, shapes=False):
                result = call("_s2s.project_tangent", result, name(target))
            out.append(assign(self.dot[target], result))
            self.state.set(target, DENSE)
        for var in self.tangent_reads(stmt):  # a term may be an input's tangent itself
            if self.state.kind(var) == OWNED:
                self.state.set(var, DENSE)
        return out

    def _argument_name(self, binding: Any) -> str:
        for param in binding.active_params:
            names = atom_names(binding.arguments[param]) if not isinstance(
                binding.arguments[param], tuple) else []  # fmt: skip
            if names and names[0] not in self.ir.temporaries:
                return self.ir.original.get(names[0], names[0])
        return ""

    def linear_statement(self, stmt: Stmt, binding: Any, target: str, out: list) -> None:
        """A linear map applied to the tangents; a cast projects the tangent instead."""
        rule = binding.rule
        linear = [p for p in binding.arguments if p not in rule.structural]
        if rule.primal in _PROJECTED and isinstance(binding.arguments[linear[0]], gast.Name):
            source = self.tangent_of(binding.arguments[linear[0]])
            if source is None:
                self.set_zero(target, out)
                return
            projected = call("_s2s.project_tangent", copy.deepcopy(source.expr), name(target))
            out.append(assign(self.dot[target], projected))
            self.state.set(target, MAYBE if source.maybe else DENSE)
            return
        expr, guard = linear_tangent(stmt, binding, rule, self.tangent_of)
        if expr is None:
            self.set_zero(target, out)
            return
        if rule.primal in _PROJECTED:  # a cast of a literal: cast back to the tangent dtype
            expr = call("_s2s.project_tangent", expr, name(target))
        if guard is None:
            out.append(assign(self.dot[target], expr))
            self.state.set(target, DENSE)
            return
        tangent = self.dot[target]
        out.append(gast.If(test=is_not_none(guard), body=[assign(tangent, expr)],
                           orelse=[assign(tangent, constant(None))]))  # fmt: skip
        self.state.set(target, MAYBE)

    def write_terms(self, target: str, terms: list, project: bool, out: list) -> None:
        """``t_dot = term + term``, then each term whose tangent may be ``None`` behind a test."""
        tangent = self.dot[target]
        if not terms:
            self.set_zero(target, out)
            return
        plain = [t.expr for t in terms if t.guard is None]
        guarded = [t for t in terms if t.guard is not None]
        if plain:
            value = total(plain)
            out.append(assign(tangent, value))
            if isinstance(value, gast.Name):
                self.demote(value)
            kind = DENSE
        else:
            out.append(assign(tangent, constant(None)))
            kind = MAYBE
        for term in guarded:
            if kind == DENSE:
                value = gast.BinOp(left=name(tangent), op=gast.Add(), right=term.expr)
            else:
                value = call("_s2s.add", name(tangent), term.expr)
            out.append(gast.If(test=is_not_none(term.guard), body=[assign(tangent, value)],
                               orelse=[]))  # fmt: skip
        if project:
            out.append(assign(tangent, call("_s2s.project_tangent", name(tangent), name(target))))
        self.state.set(target, kind)

    def projects(self, stmt: Stmt, target: str, shapes: bool = True) -> bool:
        """Whether the tangent needs projecting onto the result's shape and dtype: unless every
        input with a tangent provably has the result's shape (``shapes``: a template's terms
        have it by construction) and tangent dtype."""
        types = self.activity.types
        result = types.get(target, VType())
        if result.dtype is None or (shapes and result.shape is None):
            return True
        for atom in stmt.args + list(stmt.kwargs.values()):
            for n in atom_names(atom):
                if n not in self.dot or self.state.kind(n) == ZERO:
                    continue
                known = types.get(n, VType())
                if (shapes and known.shape != result.shape) or known.dtype is None:
                    return True
                if _acc(known.dtype) != _acc(result.dtype):
                    return True
        return False

    def covers(self, stmt: Stmt, terms: list) -> bool:
        """Whether elementwise terms have the result's shape and tangent dtype by themselves:
        every operand appears in a term (as a tangent or inside a partial) so the terms
        broadcast as the operands did, no term is behind a test, and the dtypes are known to
        agree (Python numbers are weak, NEP 50)."""
        if not terms or any(t.guard is not None for t in terms):
            return False
        types = self.activity.types
        result = types.get(stmt.targets[0], VType()).dtype
        if result is None:
            return False
        back = {tangent: var for var, tangent in self.dot.items()}
        seen = {back.get(n, n) for t in terms for n in atom_names(t.expr)}
        for atom in stmt.args:
            for n in atom_names(atom):
                known = types.get(n, VType())
                if known.weak:
                    continue
                if known.dtype is None or _acc(known.dtype) != _acc(result):
                    return False
                if n not in seen and known.array is not False:
                    return False
        return True

    def items_statement(self, stmt: Stmt) -> list[gast.stmt]:
        """``p_0, p_1 = p`` for a tuple argument: its tangent is a tuple of the items'."""
        out: list[gast.stmt] = [primal_statement(stmt)]
        source = self.tangent_of(stmt.args[0])
        names = [self.dot.setdefault(t, self.names.fresh(t + "_dot")) for t in stmt.targets]
        store = gast.Tuple(elts=[gast.Name(n, gast.Store(), None, None) for n in names],
                           ctx=gast.Store())  # fmt: skip
        out.append(gast.Assign(targets=[store], value=copy.deepcopy(source.expr),
                               type_comment=None))  # fmt: skip
        for target in stmt.targets:
            self.state.set(target, DENSE)
        return out

    def undefined_origin(self, stmt: Stmt) -> list[gast.stmt]:
        """``y = undefined_grad(x, reason)``: y's tangent is a new marker where x has one."""
        out: list[gast.stmt] = [primal_statement(stmt)]
        source = self.tangent_of(stmt.args[0])
        target = stmt.targets[0]
        var = atom_names(stmt.args[0])[0]
        reason = stmt.args[1] if len(stmt.args) > 1 else stmt.kwargs.get("reason")
        marker = call(
            "_s2s.undefined",
            constant("undefined_grad"),
            constant("" if var in self.ir.temporaries else self.ir.original.get(var, var)),
            copy.deepcopy(reason) if reason is not None else constant("declared undefined"),
            constant(self.primal.filename),
            constant(getattr(stmt.node, "lineno", 0)),
        )
        if target not in self.dot:
            return out
        if source.maybe:
            out.append(assign(self.dot[target], constant(None)))
            out.append(gast.If(test=is_not_none(source.guard),
                               body=[assign(self.dot[target], marker)], orelse=[]))  # fmt: skip
            self.state.set(target, MAYBE)
        else:
            out.append(assign(self.dot[target], marker))
            self.state.set(target, DENSE)
        self.state.undefined.add(target)
        return out

    def call_statement(self, stmt: Stmt, binding: Any) -> list[gast.stmt]:
        """A call to the user's own function (a nested def, a derivative object): its value and
        tangent from its sub-derivative, ``y, y_dot = _s2s.jvp_of(g, ("a",))(a_dot, a, b)``
        (the tangents first). An undefined tangent among them skips the sub-derivative."""
        wrt, tangents, carrying = [], [], []
        for param in binding.active_params:
            atom = binding.arguments[param]
            found = literal_tangent(atom, self.tangent_of)
            if found is None:
                continue
            wrt.append(constant(param))
            tangents.append(found)
            carrying += [self.dot[n] for n in atom_names(atom)
                         if n in self.dot and n in self.state.undefined]  # fmt: skip
        expr = stmt.expr
        derivative = call("_s2s.jvp_of", copy.deepcopy(expr.func),
                          gast.Tuple(elts=wrt, ctx=gast.Load()))  # fmt: skip
        value = gast.Call(func=derivative, args=tangents + copy.deepcopy(expr.args),
                          keywords=copy.deepcopy(expr.keywords))  # fmt: skip
        names = [self.dot.setdefault(t, self.names.fresh(t + "_dot")) for t in stmt.targets]

        def store(ids: list[str], packed: bool) -> gast.expr:
            if not packed:
                return gast.Name(ids[0], gast.Store(), None, None)
            return gast.Tuple(elts=[gast.Name(i, gast.Store(), None, None) for i in ids],
                              ctx=gast.Store())  # fmt: skip

        pair = gast.Tuple(elts=[store(list(stmt.targets), stmt.unpack), store(names, stmt.unpack)],
                          ctx=gast.Store())  # fmt: skip
        for target in stmt.targets:
            self.state.set(target, DENSE)
        node = gast.Assign(targets=[pair], value=value, type_comment=None)
        if not carrying:
            return [node]
        marker = self.names.fresh("marker", always_number=True)
        when_marker: list[gast.stmt] = [primal_statement(stmt)]
        for target, tangent in zip(stmt.targets, names):
            step = constant(self.step(target, stmt.node))
            when_marker.append(assign(tangent, call("_s2s.through", name(marker), step)))
            self.state.undefined.add(target)
        self.maybe_reads.update(carrying)
        return [assign(marker, call("_s2s.undefined_in", *[name(c) for c in carrying])),
                gast.If(test=is_not_none(marker), body=when_marker, orelse=[node])]  # fmt: skip


def _acc(dtype: np.dtype) -> np.dtype:
    return np.dtype(np.float32) if dtype == np.float16 else dtype
