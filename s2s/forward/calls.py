"""Calls: the tangent of a copy or of a call with a rule, written after the primal statement.

An elementwise rule's tangent is the sum of each input's tangent times its partial (terms of
tangents that may be ``None`` behind a test); a linear rule applies the call to the tangents
(a cast projects instead); any other rule instantiates its ``@tangent`` template
(:mod:`s2s.forward.rules`). A tangent is projected onto the result's shape and dtype only where
generation cannot prove it has them.
"""

from __future__ import annotations

from typing import Any

import gast
import numpy as np

from s2s import registry, runtime
from s2s.analysis.dtypes import VType
from s2s.codegen.emit import user_location
from s2s.codegen.ir import COPY, Stmt, atom_names
from s2s.codegen.sweeps import assign, call, live_locals
from s2s.codegen.templating import constant, name
from s2s.codegen.walking import copy_tree
from s2s.forward.rules import (
    acc,
    elementwise_terms,
    is_not_none,
    linear_tangent,
    template_tangents,
    total,
)
from s2s.forward.state import DENSE, MAYBE, OWNED, ZERO

# Casts and broadcasts: the tangent is the input's, projected onto the result's shape and
# tangent dtype (a float16 result keeps a float32 tangent instead of rounding it). Any other
# linear map applied to tangents gives the result's shape and tangent dtype by itself.
_PROJECTED = {
    np.asarray, np.array, np.astype, runtime.augmented, np.full, np.full_like, np.broadcast_to,
}  # fmt: skip


def rule_statement(sweep: Any, stmt: Stmt, binding: Any, outputs: list[str]) -> list[gast.stmt]:
    """The tangent of a copy or of a call with a rule, written to the outputs' tangents."""
    out: list[gast.stmt] = []
    if stmt.op is COPY:
        source = sweep.tangent_of(stmt.args[0])
        if source is None:
            sweep.set_zero(outputs[0], out)
            return out
        out.append(assign(sweep.dot[outputs[0]], copy_tree(source.expr)))
        sweep.demote(source.expr)
        sweep.state.set(outputs[0], MAYBE if source.maybe else DENSE)
        if source.guard in {sweep.dot.get(v) for v in sweep.state.undefined}:
            sweep.state.undefined.add(outputs[0])
        return out
    rule = binding.rule
    if rule.kind == registry.PIECEWISE_CONSTANT:
        for target in outputs:
            sweep.set_zero(target, out)
        return out
    if rule.kind == registry.ELEMENTWISE:
        terms = elementwise_terms(rule, binding, name(outputs[0]), sweep.tangent_of)
        project = projects(sweep, stmt, outputs[0]) and not covers(sweep, stmt, terms)
        write_terms(sweep, outputs[0], terms, project, out)
        return out
    if rule.kind == registry.LINEAR:
        linear_statement(sweep, stmt, binding, outputs[0], out)
        return out
    statements, results = template_tangents(
        rule, binding, [name(o) for o in outputs], sweep.tangent_of, sweep.names
    )
    kept = [r for r, o in zip(results, outputs) if r is not None and o in sweep.dot]
    out += live_locals(statements, kept)
    for target, result in zip(outputs, results):
        if result is None or target not in sweep.dot:
            sweep.set_zero(target, out)
            continue
        if rule.may_be_undefined:
            where = user_location(sweep.primal.filename, getattr(stmt.node, "lineno", 0))
            result = call("_s2s.locate", result, constant(rule.name),
                          constant(_argument_name(sweep, binding)),
                          constant(where[0]), constant(where[1]))  # fmt: skip
            sweep.state.undefined.add(target)
        if projects(sweep, stmt, target, shapes=False):
            result = call("_s2s.project_tangent", result, name(target))
        out.append(assign(sweep.dot[target], result))
        sweep.state.set(target, DENSE)
    for var in sweep.tangent_reads(stmt):  # a term may be an input's tangent itself
        if sweep.state.kind(var) == OWNED:
            sweep.state.set(var, DENSE)
    return out


def _argument_name(sweep: Any, binding: Any) -> str:
    for param in binding.active_params:
        names = atom_names(binding.arguments[param]) if not isinstance(
            binding.arguments[param], tuple) else []  # fmt: skip
        if names and names[0] not in sweep.ir.temporaries:
            return sweep.ir.original.get(names[0], names[0])
    return ""


def linear_statement(sweep: Any, stmt: Stmt, binding: Any, target: str, out: list) -> None:
    """A linear map applied to the tangents; a cast projects the tangent instead."""
    rule = binding.rule
    linear = [p for p in binding.arguments if p not in rule.structural]
    if rule.primal in _PROJECTED and isinstance(binding.arguments[linear[0]], gast.Name):
        source = sweep.tangent_of(binding.arguments[linear[0]])
        if source is None:
            sweep.set_zero(target, out)
            return
        projected = call("_s2s.project_tangent", copy_tree(source.expr), name(target))
        out.append(assign(sweep.dot[target], projected))
        sweep.state.set(target, MAYBE if source.maybe else DENSE)
        return
    expr, guard = linear_tangent(stmt, binding, rule, sweep.tangent_of)
    if expr is None:
        sweep.set_zero(target, out)
        return
    if rule.primal in _PROJECTED:  # a cast of a literal: cast back to the tangent dtype
        expr = call("_s2s.project_tangent", expr, name(target))
    if guard is None:
        out.append(assign(sweep.dot[target], expr))
        sweep.state.set(target, DENSE)
        return
    tangent = sweep.dot[target]
    out.append(gast.If(test=is_not_none(guard), body=[assign(tangent, expr)],
                       orelse=[assign(tangent, constant(None))]))  # fmt: skip
    sweep.state.set(target, MAYBE)


def write_terms(sweep: Any, target: str, terms: list, project: bool, out: list) -> None:
    """``t_dot = term + term``, then each term whose tangent may be ``None`` behind a test."""
    tangent = sweep.dot[target]
    if not terms:
        sweep.set_zero(target, out)
        return
    plain = [t.expr for t in terms if t.guard is None]
    guarded = [t for t in terms if t.guard is not None]
    if plain:
        value = total(plain)
        out.append(assign(tangent, value))
        if isinstance(value, gast.Name):
            sweep.demote(value)
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
    sweep.state.set(target, kind)


def projects(sweep: Any, stmt: Stmt, target: str, shapes: bool = True) -> bool:
    """Whether the tangent needs projecting onto the result's shape and dtype: unless every
    input with a tangent provably has the result's shape (``shapes``: a template's terms
    have it by construction) and tangent dtype."""
    types = sweep.activity.types
    result = types.get(target, VType())
    if result.dtype is None or (shapes and result.shape is None):
        return True
    for atom in stmt.args + list(stmt.kwargs.values()):
        for n in atom_names(atom):
            if n not in sweep.dot or sweep.state.kind(n) == ZERO:
                continue
            known = types.get(n, VType())
            if (shapes and known.shape != result.shape) or known.dtype is None:
                return True
            if acc(known.dtype) != acc(result.dtype):
                return True
    return False


def covers(sweep: Any, stmt: Stmt, terms: list) -> bool:
    """Whether elementwise terms have the result's shape and tangent dtype by themselves:
    every operand appears in a term (as a tangent or inside a partial) so the terms
    broadcast as the operands did, no term is behind a test, and the dtypes are known to
    agree (Python numbers are weak, NEP 50)."""
    if not terms or any(t.guard is not None for t in terms):
        return False
    types = sweep.activity.types
    result = types.get(stmt.targets[0], VType()).dtype
    if result is None:
        return False
    back = {tangent: var for var, tangent in sweep.dot.items()}
    seen = {back.get(n, n) for t in terms for n in atom_names(t.expr)}
    for atom in stmt.args:
        for n in atom_names(atom):
            known = types.get(n, VType())
            if known.weak:
                continue
            if known.dtype is None or acc(known.dtype) != acc(result):
                return False
            if n not in seen and known.array is not False:
                return False
    return True
