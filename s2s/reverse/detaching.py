"""Detaching: in code made to be differentiated again, the tape keeps copies of the arrays
written in place, not the arrays.

The tape is a list, and a derivative of code follows no write into an array a list holds (it
refuses one, :func:`s2s.analysis.aliasing.check_statement`). The gradient of a function that
writes into a local array and binds the name again pushes the array before the new binding and
restores its entries in place after popping it; the form differentiated again pushes a copy:

>>> import numpy as np, s2s
>>> def f(x):
...     y = x * 2
...     y[0] = x[1] ** 2
...     y = y * x
...     return np.sum(y ** 2)
>>> again = s2s.grad(f).differentiable_generated({"x": np.ones(3)}).compiled.source
>>> [line.strip() for line in again.splitlines() if "tape.append(" in line]
['tape.append(_s2s.overwritten(y, 0))', 'tape.append(_s2s.detached(y))']
"""

from __future__ import annotations

from typing import Any

import gast

from s2s.analysis.sharing import element_or_row, sharing_classes, view_text
from s2s.codegen.ir import SETITEM, FunctionIR, Stmt, atom_names
from s2s.codegen.sweeps import Sweeps, assign, call
from s2s.codegen.templating import constant, name
from s2s.codegen.walking import pushed_value, walk


def detach_written_saves(sweeps: Sweeps, ir: FunctionIR, filename: str) -> None:
    """Push ``_s2s.detached(y)`` instead of ``y`` where ``y`` is written in place.

    The copy has the values the array has when the tape pops it (the restores in between undo
    every write), so only its identity differs: it is made only where no other name that may
    share the array's memory (a view of it, a second name) is read by the adjoint sweep, where
    a restore into the array would reach that name and not the copy. An entry read before
    (``r = y[i]``, which the adjoint reads) is an element or a copy for a 1-D ``y`` but a row
    view of a 2-D one: ``_s2s.check_no_view`` before the push raises a located
    ``MutationError`` (``filename``) if it shares the array's memory."""
    written = {atom_names(s.args[0])[0] for s in ir.flat if s.op is SETITEM and s.args
               and atom_names(s.args[0])}  # fmt: skip
    if not written or not sweeps.tape:
        return
    classes = sharing_classes(ir, rows_checked=True)
    read = {
        node.id
        for block in sweeps.adjoint
        for stmt in block.body
        for node in walk(stmt)
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load)
    }
    # a name that keeps an array's old object where its name is bound anew (z of z = y, y =
    # ...) is read by the adjoint only before the pop of that binding: no restore reaches it
    read -= {s.targets[0] for s in ir.flat if getattr(s, "s2s_kept", False)}
    rows = [s for s in ir.flat if element_or_row(s) and s.targets and s.targets[0] in read
            and not getattr(s, "s2s_copied", False)]  # a copied row holds its entries
    checked: set[str] = set()
    for block in sweeps.primal:
        _detach(block.body, sweeps.tape, ir, filename, (written, classes, read, rows, checked))
    _bind_first(sweeps, checked - {p.name for p in ir.params})
    for block in sweeps.adjoint:
        _detach_put_back(block.body, written)


def _detach_put_back(body: list[gast.stmt], written: set[str]) -> None:
    """Reverse over a derivative undoes its ``y = tape.pop()`` with ``tape.append(y)``; the
    adjoint of the earlier ``tape.append`` pops that item again and drops it, so a copy does
    as well where ``y`` is written in place (the next order follows no write into an item)."""
    for stmt in body:
        for field in ("body", "orelse"):
            nested = getattr(stmt, field, None)
            if isinstance(nested, list):
                _detach_put_back(nested, written)
        pushed = pushed_value(stmt) if isinstance(stmt, gast.Expr) else None
        if isinstance(pushed, gast.Name) and pushed.id in written:
            stmt.value.args[0] = call("_s2s.detached", name(pushed.id))


def _bind_first(sweeps: Sweeps, names: set[str]) -> None:
    """``r = None`` right after ``tape = []`` for each entry ``r`` checked at a push that may
    come before ``r`` is first bound (unless the tape's block binds it already)."""
    for block in sweeps.primal:
        for i, stmt in enumerate(block.body):
            if _binds(stmt, sweeps.tape):
                bound = {t for s in block.body for t in _bound(s)}
                block.body[i + 1 : i + 1] = [assign(n, constant(None))
                                             for n in sorted(names - bound)]  # fmt: skip
                return


def _bound(stmt: gast.stmt) -> list[str]:
    if isinstance(stmt, gast.Assign):
        return [t.id for t in stmt.targets if isinstance(t, gast.Name)]
    return []


def _binds(stmt: gast.stmt, var: str) -> bool:
    return var in _bound(stmt)


def _detach(body: list[gast.stmt], tape: str, ir: FunctionIR, filename: str, facts) -> None:
    written, classes, read, rows, checked = facts
    i = 0
    while i < len(body):
        stmt = body[i]
        for field in ("body", "orelse"):
            nested = getattr(stmt, field, None)
            if isinstance(nested, list):
                _detach(nested, tape, ir, filename, facts)
        pushed = _pushed_name(stmt, tape)
        shared = classes.get(pushed, {pushed}) if pushed else set()
        if pushed and shared & written and not (shared - {pushed}) & read:
            stmt.value.args[0] = call("_s2s.detached", name(pushed))
            mine = [row for row in rows if _source(row) in shared]  # entries of these arrays
            checks = [_row_check(ir, row, pushed, written, filename) for row in mine]
            checked.update(row.targets[0] for row in mine)
            body[i:i] = checks
            i += len(checks)
        i += 1


def _row_check(ir: FunctionIR, row: Stmt, array: str, written: set[str], filename: str):
    """``_s2s.check_no_view(r, y, ..., names, filename, lines)``: ``r = y[i]`` must not be a
    view of ``y`` (the whole array: its key is ``...``)."""
    write = next((s for s in ir.flat if s.op is SETITEM and atom_names(s.args[0])[:1]
                  and atom_names(s.args[0])[0] in written), row)  # fmt: skip
    names = gast.Tuple(elts=[constant(view_text(ir, row).strip("`")),
                             constant(ir.original.get(array, array))], ctx=gast.Load())  # fmt: skip
    lines = [constant(getattr(s.node, "lineno", 0)) for s in (row, write)]
    lines = gast.Tuple(elts=lines, ctx=gast.Load())
    check = call("_s2s.check_no_view", name(row.targets[0]), name(array), constant(Ellipsis),
                 names, constant(filename), lines)  # fmt: skip
    return gast.Expr(value=check)


def _source(row: Stmt) -> str | None:
    """The array ``x`` of ``r = x[i]``."""
    found = atom_names(row.args[0])
    return found[0] if found else None


def _pushed_name(node: Any, tape: str) -> str | None:
    """The name in ``tape.append(name)`` (a statement saving a name's old value), or None."""
    if not (isinstance(node, gast.Expr) and getattr(node, "s2s_saves", None)):
        return None
    pushed = pushed_value(node, tape)
    return pushed.id if isinstance(pushed, gast.Name) else None
