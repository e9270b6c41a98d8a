"""Rules: the tangent of one call from its registered rule, the same calculus as reverse mode.

An elementwise rule gives its partials once: the tangent is ``sum_i partial_i * dx_i``, as the
adjoint is ``dx_i = g * partial_i``. A linear rule is its own tangent map: the call itself,
applied to the tangents. Any other rule has a ``@tangent`` template beside its ``@adjoint``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gast
import numpy as np

from s2s import registry
from s2s.codegen.ir import NameAllocator, atom_names
from s2s.codegen.sweeps import call
from s2s.codegen.templating import (
    TemplateError,
    constant,
    derivative_reads,
    is_derivative_of,
    name,
    partials,
    substitute,
)
from s2s.codegen.walking import copy_tree, walk


@dataclass
class Tangent:
    """The tangent of an atom at a call site: ``expr`` (a name or a literal of them), and
    whether it may be ``None`` at run time (``maybe``: then ``guard`` is the name to test)."""

    expr: gast.expr
    maybe: bool = False
    guard: str | None = None


@dataclass
class Term:
    """One term of an elementwise tangent; ``guard`` names a tangent that may be ``None``."""

    expr: gast.expr
    guard: str | None = None


def dense(t: Tangent, atom: gast.expr) -> gast.expr:
    """The tangent as an array: ``_s2s.dense_tangent(t, x)`` where it may be ``None``."""
    if not t.maybe:
        return copy_tree(t.expr)
    return call("_s2s.dense_tangent", copy_tree(t.expr), copy_tree(atom))


def is_not_none(var: str) -> gast.expr:
    """``var is not None``: the test before a tangent that may be a symbolic zero."""
    return gast.Compare(left=name(var), ops=[gast.IsNot()], comparators=[constant(None)])


def acc(dtype: np.dtype) -> np.dtype:
    """The tangent (accumulator) dtype of a primal dtype: float16 computes in float32."""
    return np.dtype(np.float32) if dtype == np.float16 else dtype


def times(tangent: gast.expr, partial: gast.expr) -> gast.expr:
    """``tangent * partial``, with the constant partials 1 and -1 costing nothing; a partial
    ``1 / e`` (a quotient's, ``np.log``'s) gives ``tangent / e``, so that the division is the
    tangent's (numpy's, following ``np.errstate``) and not one of Python numbers: ``1 / i`` of a
    Python int ``i = 0`` raised ZeroDivisionError where the primal ``x / i`` gave inf."""
    if isinstance(partial, gast.Constant) and partial.value == 1:
        return tangent
    if isinstance(partial, gast.UnaryOp) and isinstance(partial.op, gast.USub):
        if isinstance(partial.operand, gast.Constant) and partial.operand.value == 1:
            return gast.UnaryOp(op=gast.USub(), operand=tangent)
    if isinstance(partial, gast.BinOp) and isinstance(partial.op, gast.Div) and (
        isinstance(partial.left, gast.Constant) and type(partial.left.value) is int
        and partial.left.value == 1
    ):  # fmt: skip
        return gast.BinOp(left=tangent, op=gast.Div(), right=partial.right)
    return gast.BinOp(left=tangent, op=gast.Mult(), right=partial)


def total(terms: list[gast.expr]) -> gast.expr:
    """``t1 + t2 + ...`` (a unary minus first becomes a subtraction)."""
    result = terms[0]
    for term in terms[1:]:
        if isinstance(term, gast.UnaryOp) and isinstance(term.op, gast.USub):
            result = gast.BinOp(left=result, op=gast.Sub(), right=term.operand)
        else:
            result = gast.BinOp(left=result, op=gast.Add(), right=term)
    return result


def elementwise_terms(rule: registry.Rule, binding: Any, output: gast.expr, tangent_of) -> list:
    """One :class:`Term` per input with a tangent: ``dx * partial`` (``x * x``: one term
    ``dx * (x + x)``, as reverse mode sends one contribution)."""
    inputs = [p for p in rule.parsed().params if p not in rule.structural]
    pairs = list(zip(inputs, partials(rule, binding.arguments, output)))
    atoms = [binding.arguments.get(p) for p in inputs]
    squared = (
        len(atoms) == 2
        and all(isinstance(a, gast.Name) for a in atoms)
        and atoms[0].id == atoms[1].id
        and len(binding.active_params) == 2
    )
    if squared:
        pairs = [(pairs[0][0], gast.BinOp(left=pairs[0][1], op=gast.Add(), right=pairs[1][1]))]
    terms: list[Term] = []
    for param, partial in pairs:
        if param not in binding.active_params:
            continue
        atom = binding.arguments[param]
        t = _literal_or_atom(atom, tangent_of)  # `(x, y, 0.0) - m`: its items' tangents
        if t is None:
            continue
        tangent = copy_tree(t.expr)
        if isinstance(atom, (gast.Tuple, gast.List)):  # an array, as numpy reads the operand
            tangent = call("_np.asarray", tangent)
        terms.append(Term(times(tangent, partial), t.guard if t.maybe else None))
    return terms


def linear_tangent(stmt: Any, binding: Any, rule: registry.Rule, tangent_of) -> tuple:
    """The call applied to the tangents of its linear arguments (zeros for those without one).

    Returns ``(expr, guard)``: ``expr`` is ``None`` when no argument has a tangent; ``guard``
    names the one tangent that may be ``None`` (the call then runs only when it is not).
    """
    linear = [p for p in binding.arguments if p not in rule.structural]
    found = {p: _literal_or_atom(binding.arguments[p], tangent_of) for p in linear}
    if all(t is None for t in found.values()):
        return None, None
    maybe = [t for t in found.values() if t is not None and t.maybe]
    single = len([t for t in found.values() if t is not None]) == 1 and len(maybe) == 1
    replace: dict[int, gast.expr] = {}
    for param in linear:
        atom, t = binding.arguments[param], found[param]
        if isinstance(atom, tuple):  # varargs: each item its own tangent
            for item in atom:
                replace[id(item)] = _item_tangent(item, tangent_of, single)
        elif t is None:
            replace[id(atom)] = call("_s2s.zero_tangent", copy_tree(atom))
        elif isinstance(atom, (gast.Tuple, gast.List)):
            replace[id(atom)] = t.expr
        else:
            replace[id(atom)] = copy_tree(t.expr) if single or not t.maybe else dense(t, atom)
    value_free = getattr(rule.primal, "value_free_args", ())  # read for type or identity
    structural = {n for p in binding.arguments if p in rule.structural and p not in value_free
                  for n in _names(binding.arguments[p])}  # fmt: skip
    if structural & {n for p in linear for n in _names(binding.arguments[p])}:
        raise TemplateError(f"{rule.name}: a name is both a linear and a structural argument")
    return _replaced(stmt.expr, replace), (maybe[0].guard if single else None)


def _names(atom: Any) -> list[str]:
    if isinstance(atom, tuple):
        return [n for a in atom for n in atom_names(a)]
    return atom_names(atom)


def _item_tangent(item: gast.expr, tangent_of, keep_maybe: bool) -> gast.expr:
    t = _literal_or_atom(item, tangent_of)  # a vararg may be a literal (einsum's `[x, y]`)
    if t is None:
        return call("_s2s.zero_tangent", copy_tree(item))
    return copy_tree(t.expr) if keep_maybe or not t.maybe else dense(t, item)


def _literal_or_atom(atom: Any, tangent_of) -> Tangent | None:
    """The tangent of an argument: a name's, or a literal of its items' tangents (zeros where an
    item has none), ``None`` when nothing in it has one."""
    if isinstance(atom, tuple):
        found = [_literal_or_atom(a, tangent_of) for a in atom]
        return Tangent(constant(None)) if any(t is not None for t in found) else None
    if isinstance(atom, (gast.Tuple, gast.List)):
        items = [_literal_or_atom(e, tangent_of) for e in atom.elts]
        if all(t is None for t in items):
            return None
        elts = [
            call("_s2s.zero_tangent", copy_tree(e)) if t is None
            else (t.expr if isinstance(e, (gast.Tuple, gast.List)) else dense(t, e))
            for e, t in zip(atom.elts, items)
        ]  # fmt: skip
        return Tangent(type(atom)(elts=elts, ctx=gast.Load()))
    if isinstance(atom, gast.Name):
        return tangent_of(atom)
    return None


def literal_tangent(atom: Any, tangent_of) -> gast.expr | None:
    """The dense tangent of an argument or a literal of them (``None``: it has none)."""
    t = _literal_or_atom(atom, tangent_of)
    if t is None:
        return None
    return dense(t, atom) if isinstance(atom, gast.Name) else t.expr


def _replaced(node: Any, replace: dict[int, gast.expr]) -> Any:
    """A copy of ``node`` whose sub-nodes listed in ``replace`` (by identity) are replaced."""
    if id(node) in replace:
        return copy_tree(replace[id(node)])
    if isinstance(node, list):
        return [_replaced(item, replace) for item in node]
    if not isinstance(node, gast.AST):
        return node
    fields = {f: _replaced(getattr(node, f), replace) for f in node._fields}
    new = type(node)(**fields)
    for attr in ("lineno", "col_offset", "end_lineno", "end_col_offset", "s2s_target"):
        if hasattr(node, attr):
            setattr(new, attr, getattr(node, attr))
    return new


def template_tangents(
    rule: registry.Rule,
    binding: Any,
    outputs: list[gast.expr | None],
    tangent_of,
    names: NameAllocator,
) -> tuple[list[gast.stmt], list[gast.expr | None]]:
    """Instantiate a ``@tangent`` template: its locals, and each output's tangent (``None``
    where no term survives). Terms and locals reading a tangent the call site lacks are left
    out; whole-tangent statements see ``None`` for it."""
    template = rule.parsed_tangent()
    tglobals = template.globals
    subst: dict[str, gast.expr] = {}
    tangents: dict[str, gast.expr | None] = {}
    for param in template.params:
        atom = binding.arguments.get(param)
        if atom is None:
            subst[param] = constant(template.defaults.get(param))
            tangents[param] = None
            continue
        subst[param] = (
            gast.Tuple(elts=[copy_tree(a) for a in atom], ctx=gast.Load())
            if isinstance(atom, tuple) else copy_tree(atom)
        )  # fmt: skip
        active = param in binding.active_params
        tangents[param] = _template_argument(atom, tangent_of) if active else None
    for out_name, atom in zip(template.outputs, list(outputs) + [None] * len(template.outputs)):
        subst[out_name] = copy_tree(atom) if atom is not None else constant(None)
    local: dict[str, str] = {}
    dead: set[str] = set()  # locals that read a tangent the call site lacks
    dependent: set[str] = set()  # locals computed from tangents
    statements: list[gast.stmt] = []
    terms: dict[str, list[gast.expr]] = {o: [] for o in template.outputs}
    for stmt in template.body:
        if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Constant):
            continue  # docstring
        target = stmt.targets[0] if isinstance(stmt, gast.Assign) else getattr(stmt, "target", None)
        value = stmt.value
        direct = derivative_reads(value, tglobals)
        present = [p for p in direct if tangents.get(p) is not None]
        read_locals = {n.id for n in walk(value) if isinstance(n, gast.Name)}
        uses_dead = bool(read_locals & dead)
        uses_dependent = bool(read_locals & dependent)
        out = is_derivative_of(target, tglobals) if target is not None else None
        if isinstance(stmt, gast.AugAssign) and out is not None:  # d[out] += term
            if not uses_dead and len(present) == len(direct) and (direct or uses_dependent):
                terms[out].append(substitute(value, subst, tangents, local, tglobals))
        elif isinstance(stmt, gast.Assign) and out is not None:  # d[out] = whole tangent
            if not uses_dead and (present or uses_dependent):
                terms[out].append(substitute(value, subst, tangents, local, tglobals))
        elif isinstance(stmt, gast.Assign) and isinstance(target, gast.Name):
            if uses_dead or len(present) != len(direct):
                dead.add(target.id)
                continue
            if direct or uses_dependent:
                dependent.add(target.id)
            local[target.id] = names.fresh(target.id, always_number=True)
            value = substitute(value, subst, tangents, local, tglobals)
            statements.append(
                gast.Assign(
                    targets=[gast.Name(local[target.id], gast.Store(), None, None)],
                    value=value,
                    type_comment=None,
                )  # fmt: skip
            )
        else:
            raise TemplateError(f"{rule.name}: unsupported statement in a tangent template")
    results = [total(terms[o]) if terms[o] else None for o in template.outputs]
    return statements, results[: max(len(outputs), 1)]


def _template_argument(atom: Any, tangent_of) -> gast.expr | None:
    """What ``d[p]`` reads in a template: the dense tangent, a tuple of tangents (``None`` for
    an item without one) for varargs, ``None`` when the argument has none."""
    if isinstance(atom, tuple):  # (an item may be a literal: einsum's operand `[x, y]`)
        items = [literal_tangent(a, tangent_of) for a in atom]
        if all(t is None for t in items):
            return None
        elts = [constant(None) if t is None else t for t in items]
        return gast.Tuple(elts=elts, ctx=gast.Load())
    return literal_tangent(atom, tangent_of)
