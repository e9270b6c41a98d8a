"""Writes: ``x[key] = v`` and ``xs.append(v)`` in the forward sweep, mirrored on the tangents.

The primal writes into an array it made and nothing else sees (the aliasing analysis refuses
the rest), so the tangent is written the same way: into a tangent array that only ``x``'s
tangent holds (made so by ``_s2s.owned_tangent`` when it may be shared or a symbolic zero).
A list's tangent is a list with one dense tangent per item.
"""

from __future__ import annotations

from typing import Any

import gast

from s2s.codegen.ir import Stmt
from s2s.codegen.sweeps import assign, call, primal_statement, view_checks
from s2s.codegen.templating import constant, name, slice_to_call
from s2s.codegen.walking import copy_tree
from s2s.forward.rules import dense, literal_tangent
from s2s.forward.state import DENSE, MAYBE, OWNED, ZERO


def setitem(sweep: Any, stmt: Stmt) -> list[gast.stmt]:
    """``x[key] = v``, then ``x_dot[key] = v_dot`` (``0.0`` where ``v`` has no tangent).
    Before it, the run-time checks that no earlier ``r = x[i]`` still in use is a view of the
    entries written (as reverse mode does): ``r``'s tangent would not see the write."""
    out = view_checks(sweep.ir, sweep.primal.filename, stmt)
    out.append(primal_statement(stmt))
    array, _, value = stmt.args
    var = stmt.targets[0]
    if var not in sweep.dot:
        return out
    kind = sweep.activity.types.get(var)
    if kind is not None and kind.kind in ("int", "bool"):
        return out  # the write truncates: piecewise constant
    source = sweep.tangent_of(value)
    if source is None and sweep.state.kind(var) == ZERO:
        return out  # zero written into a zero tangent
    if kind is None or kind.kind != "float":  # a float array only at run time, maybe
        return out + sweep.with_markers(stmt, [var], lambda: _write_unknown(sweep, stmt, source))

    def write() -> list[gast.stmt]:
        body: list[gast.stmt] = []
        tangent = sweep.dot[var]
        if sweep.state.kind(var) != OWNED:
            current = name(tangent) if sweep.state.kind(var) != ZERO else constant(None)
            if sweep.state.kind(var) == MAYBE:
                sweep.maybe_reads.add(tangent)
            body.append(assign(tangent, call("_s2s.owned_tangent", current, name(var))))
            sweep.state.set(var, OWNED)
        target = copy_tree(stmt.expr)
        target.value = gast.Name(tangent, gast.Store(), None, None)
        written = dense(source, value) if source is not None else constant(0.0)
        body.append(gast.Assign(targets=[target], value=written, type_comment=None))
        return body

    return out + sweep.with_markers(stmt, [var], write)


def _write_unknown(sweep: Any, stmt: Stmt, source: Any) -> list[gast.stmt]:
    """``x_dot = _s2s.written_tangent(x_dot, x, key, v_dot)``: a new tangent, ``None`` when
    ``x`` turns out to hold integers or booleans (the write truncates)."""
    array, key, value = stmt.args
    var = stmt.targets[0]
    tangent = sweep.dot[var]
    current = name(tangent) if sweep.state.kind(var) != ZERO else constant(None)
    if sweep.state.kind(var) == MAYBE:
        sweep.maybe_reads.add(tangent)
    written = dense(source, value) if source is not None else constant(0.0)
    key = slice_to_call(copy_tree(key))
    new = call("_s2s.written_tangent", current, name(var), key, written)
    sweep.state.set(var, MAYBE)
    return [assign(tangent, new)]


def append(sweep: Any, stmt: Stmt) -> list[gast.stmt]:
    """``xs.append(v)``, then ``xs_dot.append(v_dot)`` (zeros where ``v`` has no tangent); a
    list whose tangent is still a symbolic zero gets its dense tangent first."""
    xs, item = stmt.args
    var = stmt.targets[0]
    if var not in sweep.dot:
        return [primal_statement(stmt)]
    out: list[gast.stmt] = []
    tangent = sweep.dot[var]
    kind = sweep.state.kind(var)
    if kind == ZERO:
        out.append(assign(tangent, call("_s2s.zero_tangent", name(var))))
    elif kind not in (DENSE, OWNED):
        sweep.maybe_reads.add(tangent)
        out.append(assign(tangent, call("_s2s.dense_tangent", name(tangent), name(var))))
    sweep.state.set(var, DENSE)
    out.append(primal_statement(stmt))
    found = literal_tangent(item, sweep.tangent_of)
    pushed = found if found is not None else call("_s2s.zero_tangent", copy_tree(item))
    out.append(gast.Expr(value=call(f"{tangent}.append", pushed)))
    if any(n in sweep.state.undefined for n in sweep.tangent_reads(stmt)):
        sweep.state.undefined.add(var)
    return out


def pop(sweep: Any, stmt: Stmt) -> list[gast.stmt]:
    """``v = xs.pop()`` (a derivative's tape, differentiated again), then ``v_dot =
    xs_dot.pop()``: the list's tangent holds one tangent per item."""
    out: list[gast.stmt] = [primal_statement(stmt)]
    xs = stmt.args[0]
    source = sweep.tangent_of(xs)
    if source is None:
        for target in stmt.targets:
            sweep.set_zero(target, out)
        return out
    popped = call(f"{sweep.dot[xs.id]}.pop")
    if not stmt.targets:
        out.append(gast.Expr(value=popped))
        return out
    target = stmt.targets[0]
    tangent = sweep.dot.setdefault(target, sweep.names.fresh(target + "_dot"))
    out.append(assign(tangent, popped))
    sweep.state.set(target, MAYBE)  # an item that had no tangent is None
    if xs.id in sweep.state.undefined:
        sweep.state.undefined.add(target)
    return out


def tried_marker(sweep: Any, stmt: Stmt) -> list[gast.stmt] | None:
    """The marker of a derivative's own ``try`` (differentiated again), whose handler drops
    what a failed body pushed on its tape (``del tape[n:]``, :mod:`s2s.codegen.trying`): the
    handler drops it from the tape's tangent list too, made dense before the ``try`` where it
    may be ``None``. A tangent list still a symbolic zero is left: the handler makes its own
    from the tape it dropped from. ``None`` for any other marker."""
    index = stmt.expr.args[0].value if stmt.expr.args else None
    if not isinstance(index, int) or index >= len(sweep.ir.contexts):
        return None
    context = sweep.ir.contexts[index]
    if context.kind != "try" or not context.drops:
        return None
    out: list[gast.stmt] = []
    for listed, size in list(context.drops):
        tangent = sweep.dot.get(listed)
        kind = sweep.state.kind(listed)
        if tangent is None or kind == ZERO:
            continue
        if kind not in (DENSE, OWNED):
            sweep.maybe_reads.add(tangent)
            out.append(assign(tangent, call("_s2s.dense_tangent", name(tangent), name(listed))))
            sweep.state.set(listed, DENSE)
        if (tangent, size) not in context.drops:
            context.drops.append((tangent, size))
    out.append(primal_statement(stmt))
    for target in stmt.targets:  # the flags: booleans
        sweep.set_zero(target, out)
    return out
