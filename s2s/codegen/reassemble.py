"""Reassemble: a primal temporary read once, by a later statement of its line, goes back into it.

The normal form names every intermediate value (``matmul_1 = x[t] @ wx``). In a sweep through
loops and branches, a temporary the adjoint sweep never reads and that one later statement of
the same primal line reads once is written back into that statement, as the user wrote it:
``h = _np.tanh(getitem_4 @ wx + h @ wh + b)`` instead of five lines, and the release of the
temporary's last value after the loop goes with it (it no longer exists).

Only values of pure numpy expressions move (operators, subscripts, ``_np.*`` calls without
``out=``), and only across statements that neither write the names they read nor mutate an array
(other such temporaries, pushes on the tape); the values are the same numbers, computed in the
same order of operations, so nothing but the generated text changes.

>>> import gast
>>> from s2s.codegen.sweeps import Block
>>> loop = gast.parse('''
... for t in range(n):
...     matmul_1 = x @ wx
...     matmul_2 = h @ wh
...     add_1 = matmul_1 + matmul_2
...     tape.append(h)
...     h = _np.tanh(add_1)
... ''').body
>>> release = gast.parse('add_1 = None\\nmatmul_1 = None\\nmatmul_2 = None').body
>>> blocks = [Block(None, loop), Block(None, release)]
>>> reassemble(blocks, blocks, 'tape', set())
>>> print(gast.unparse(gast.Module(body=blocks[0].body, type_ignores=[])).strip())
for t in range(n):
    tape.append(h)
    h = _np.tanh(x @ wx + h @ wh)
>>> blocks[1].body
[]
"""

from __future__ import annotations

from collections import Counter

import gast
import numpy as np

from s2s import registry
from s2s.codegen.copies import put_in_place
from s2s.codegen.emit import to_source
from s2s.codegen.sweeps import Block
from s2s.codegen.walking import copy_tree, name_list, pushed_value, walk

_LINE = 88  # the longest statement a reassembly may write (the sweeps' indentation aside)


def reassemble(primal: list[Block], blocks: list[Block], tape: str, live_out: set[str]) -> None:
    """Write the single-use temporaries of the loop and branch bodies of ``primal`` back into
    their readers; ``blocks`` is the whole program (``primal`` and the adjoint sweep), whose
    reads of a name rule it out; ``tape`` is the tape's name; ``live_out`` names are left
    alone."""
    releases = {
        id(stmt): stmt.targets[0].id for block in primal for stmt in block.body if _release(stmt)
    }
    counts: Counter = Counter()
    for block in blocks:
        _count([s for s in block.body if id(s) not in releases], counts, frozenset())
    gone: set[str] = set()
    for block in primal:
        for stmt in block.body:
            if isinstance(stmt, (gast.For, gast.While, gast.If)):
                _nested(stmt, counts, (tape, live_out), gone)
    for block in primal:
        block.body = [s for s in block.body if releases.get(id(s)) not in gone]


def _count(body: list[gast.stmt], counts: Counter, remade: frozenset[str]) -> None:
    """Count the names of ``body``, except where they stand for a value the adjoint sweep
    recomputes (``getitem_4 = x[t]`` atop a reversed trip, and what follows it there)."""
    for stmt in body:
        if getattr(stmt, "s2s_remade", False):
            remade |= {stmt.targets[0].id}
            continue
        if isinstance(stmt, (gast.For, gast.While, gast.If)):
            heads = [stmt.target, stmt.iter] if isinstance(stmt, gast.For) else [stmt.test]
            for head in heads:
                counts.update(_names(head, remade))
            _count(stmt.body, counts, remade)
            _count(stmt.orelse, counts, remade)
            continue
        counts.update(_names(stmt, remade))


def _names(node: gast.AST, remade: frozenset[str]) -> list[str]:
    return [n for n in name_list(node) if n not in remade]


def _nested(stmt: gast.stmt, counts: Counter, fixed: tuple[str, set[str]], gone: set[str]):
    for field in ("body", "orelse"):
        body = getattr(stmt, field)
        for inner in body:
            if isinstance(inner, (gast.For, gast.While, gast.If)):
                _nested(inner, counts, fixed, gone)
        setattr(stmt, field, _in_body(body, counts, fixed, gone))


def _in_body(body: list[gast.stmt], counts: Counter, fixed: tuple[str, set[str]], gone: set[str]):
    tape, live_out = fixed
    body = list(body)
    i = len(body) - 1
    while i >= 0:  # from the last definition up: its reader is final when it is inlined
        define = body[i]
        target = _temporary(define, counts, live_out)
        j = _reader(body, i, target, tape) if target else None
        if j is not None:
            inlined = copy_tree(body[j])
            for node in walk(inlined):
                if isinstance(node, gast.Name) and node.id == target:
                    put_in_place(inlined, node, copy_tree(define.value))
                    break
            if len(to_source(inlined, False)) <= _LINE:
                body[j] = inlined
                del body[i]
                gone.add(target)
                counts[target] = 0
        i -= 1
    return body


def _temporary(stmt: gast.stmt, counts: Counter, live_out: set[str]) -> str | None:
    """``a`` for ``a = E`` with ``E`` pure and ``a`` read exactly once anywhere."""
    if not (
        isinstance(stmt, gast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], gast.Name)
        and _pure(stmt.value)
    ):
        return None
    target = stmt.targets[0].id
    return target if counts[target] == 2 and target not in live_out else None


def _reader(body: list[gast.stmt], i: int, target: str, tape: str) -> int | None:
    """The index of the statement after ``body[i]`` that reads ``target``, if the value can
    move there: it reads it once in a pure assignment, and what lies between writes no name
    the value reads and mutates nothing."""
    reads = set(name_list(body[i].value))
    for j in range(i + 1, len(body)):
        stmt = body[j]
        uses = name_list(stmt).count(target)
        if uses:
            plain = isinstance(stmt, gast.Assign) and all(
                isinstance(t, gast.Name) and t.id != target for t in stmt.targets
            )
            return j if uses == 1 and plain and _pure(stmt.value) else None
        if _push(stmt, tape):
            continue
        if (
            isinstance(stmt, gast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], gast.Name)
            and stmt.targets[0].id not in reads
            and _pure(stmt.value)
        ):
            continue
        return None  # a comment (another line), a loop, a write into an array: stop
    return None


def _pure(value: gast.expr) -> bool:
    """Operators, subscripts and calls without ``out=`` of numpy functions s2s has a rule for
    (numerical functions of their arguments: not ``np.copyto``, ``np.seterr``)."""
    for node in walk(value):
        if isinstance(node, (gast.Lambda, gast.NamedExpr, gast.Yield, gast.Await)):
            return False
        if isinstance(node, gast.Call):
            func = node.func
            if not (
                isinstance(func, gast.Attribute)
                and isinstance(func.value, gast.Name)
                and func.value.id == "_np"
                and registry.lookup(getattr(np, func.attr, None)) is not None  # a numpy rule
            ) or any(k.arg == "out" for k in node.keywords):
                return False
    return True


def _push(stmt: gast.stmt, tape: str) -> bool:
    """``tape.append(v)`` of a value that copies or records (it changes no value)."""
    pushed = pushed_value(stmt, tape) if isinstance(stmt, gast.Expr) and tape else None
    return pushed is not None and (_pure(pushed) or _recorded(pushed))


def _recorded(value: gast.expr) -> bool:
    """``_s2s.like(x)`` or ``_s2s.overwritten(x, key)`` of names and constants."""
    return (
        isinstance(value, gast.Call)
        and isinstance(value.func, gast.Attribute)
        and isinstance(value.func.value, gast.Name)
        and value.func.value.id == "_s2s"
        and value.func.attr in ("like", "overwritten")
        and all(_pure(a) for a in value.args)
    )


def _release(stmt: gast.stmt) -> bool:
    return (
        isinstance(stmt, gast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], gast.Name)
        and isinstance(stmt.value, gast.Constant)
        and stmt.value.value is None
    )


def inline_rows(adjoint: list[Block], blocks: list[Block], constant: set[str]) -> None:
    """A row the adjoint sweep takes again atop a reversed trip (``getitem_4 = x[t]``), read
    once later in that trip, is written where it is read (``d_wx += x[t].T @ d_add_1``).
    ``constant`` are the arrays nothing changes (arguments not written in place); ``blocks``
    is the whole program, where the row's name must occur only there."""
    counts = Counter(n for b in blocks for s in b.body for n in name_list(s))
    for block in adjoint:
        for stmt in block.body:
            if isinstance(stmt, (gast.For, gast.While)):
                _rows_in(stmt, counts, constant)


def _rows_in(loop: gast.For | gast.While, counts: Counter, constant: set[str]) -> None:
    for inner in loop.body:
        if isinstance(inner, (gast.For, gast.While)):
            _rows_in(inner, counts, constant)
    i = 0
    while i < len(loop.body):
        j = _row_reader(loop.body, i, counts, constant)
        if j is None:
            i += 1
            continue
        define, stmt = loop.body[i], copy_tree(loop.body[j])
        target = define.targets[0].id
        use = next(n for n in walk(stmt) if isinstance(n, gast.Name) and n.id == target)
        put_in_place(stmt, use, copy_tree(define.value))
        if len(to_source(stmt, False)) > _LINE:
            i += 1
            continue
        loop.body[j] = stmt
        del loop.body[i]


def _row_reader(body: list[gast.stmt], i: int, counts: Counter, constant: set[str]) -> int | None:
    """The index of the one statement reading the row ``body[i]`` defines, if it may move
    there: an assignment, with nothing between that rebinds a name the row reads."""
    define = body[i]
    if not (getattr(define, "s2s_remade", False) and isinstance(define.value, gast.Subscript)):
        return None
    row, target = define.value, define.targets[0].id
    if not (isinstance(row.value, gast.Name) and row.value.id in constant) or counts[target] != 2:
        return None
    names = set(name_list(row))
    for j in range(i + 1, len(body)):
        stmt = body[j]
        uses = name_list(stmt).count(target)
        if uses:
            plain = isinstance(stmt, (gast.Assign, gast.AugAssign))
            return j if uses == 1 and plain and not _rebinds(stmt, names) else None
        if isinstance(stmt, (gast.For, gast.While, gast.If)) or _rebinds(stmt, names):
            return None
    return None


def _rebinds(stmt: gast.stmt, names: set[str]) -> bool:
    return any(
        isinstance(n, gast.Name) and n.id in names and not isinstance(n.ctx, gast.Load)
        for n in walk(stmt)
    )
