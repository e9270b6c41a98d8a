"""Untaped: what a sweep through branches and loops need not put on the tape.

Two facts of the program's text, read by :mod:`s2s.reverse.tape`: a ``for t in range(n)``
loop whose trips the adjoint sweep can count again (``for t in range(n - 1, -1, -1)``: neither
the index nor the trip count is taped), and the statements outside loops that bind a name for
the first time on their path (there is no old value to save and restore: ``y`` in each arm).

>>> import numpy as np
>>> from s2s.frontend.normalize import normalize
>>> from s2s.frontend.parse import parse
>>> from s2s.frontend.resolve import resolve
>>> def f(x, n):
...     if n > 1:
...         y = np.sin(x)
...     else:
...         y = np.cos(x)
...     for t in range(n):
...         y = y * x
...     return np.sum(y)
>>> p = parse(f); _ = resolve(p); ir = normalize(p)
>>> loop = ir.body[-2]
>>> counted(ir, loop)
True
>>> sorted(target for _, target in first_bindings(ir))
['greater_1', 'sum_1', 'y', 'y']
"""

from __future__ import annotations

from typing import Any

import gast

from s2s.codegen.ir import Branch, FunctionIR, Jump, Loop, Stmt


def walk_items(body: list[Any]):
    """Every item of a structured body, nested ones too."""
    for item in body:
        yield item
        if isinstance(item, Branch):
            yield from walk_items(item.body)
            yield from walk_items(item.orelse)
        elif isinstance(item, Loop):
            yield from walk_items(item.test_body)
            yield from walk_items(item.body)
            yield from walk_items(item.orelse)


def counted(ir: FunctionIR, loop: Loop) -> bool:
    """Whether ``loop`` is ``for t in range(n)`` whose trips the adjoint can count again: ``n``
    a constant, a parameter or a name assigned once outside every loop and branch; no
    ``break``, ``continue`` or ``else``; ``t`` bound by this loop alone."""
    it = loop.iterable
    if (
        it is None
        or loop.orelse
        or loop.target is None
        or not (isinstance(it, gast.Call) and isinstance(it.func, gast.Name))
        or it.func.id != "range"
        or len(it.args) != 1
        or it.keywords
    ):
        return False
    bound = [t for s in ir.flat for t in s.targets]
    loops = [i for i in walk_items(ir.body) if isinstance(i, Loop)]
    if loop.target in bound or sum(i.target == loop.target for i in loops) != 1:
        return False
    if any(isinstance(i, Jump) for i in walk_items(loop.body)):
        return False
    (count,) = it.args
    if isinstance(count, gast.Constant):
        return isinstance(count.value, int) and not isinstance(count.value, bool)
    if not isinstance(count, gast.Name) or any(i.target == count.id for i in loops):
        return False
    top = [t for s in ir.body if isinstance(s, Stmt) for t in s.targets]
    if count.id in top:  # assigned once, outside loops and branches
        return bound.count(count.id) == 1
    return count.id in {p.name for p in ir.params} and count.id not in bound


def first_bindings(ir: FunctionIR) -> set[tuple[int, str]]:
    """(statement id, name) pairs outside every loop where the statement binds a name nothing
    bound before it on any path to it (parameters are bound; the other arm of a branch is not
    on the path)."""
    bound = {p.name for p in ir.params}
    out: set[tuple[int, str]] = set()

    def walk(items: list[Any], in_loop: bool) -> None:
        for item in items:
            if isinstance(item, Stmt):
                for target in item.targets:
                    if not in_loop and target not in bound:
                        out.add((id(item), target))
                bound.update(item.targets)
            elif isinstance(item, Branch):  # each arm binds after what came before it
                before = set(bound)
                walk(item.body, in_loop)
                after_body = set(bound)
                bound.clear()
                bound.update(before)
                walk(item.orelse, in_loop)
                bound.update(after_body)
            elif isinstance(item, Loop):
                if item.target is not None:
                    bound.add(item.target)
                walk(item.test_body, True)
                walk(item.body, True)
                walk(item.orelse, in_loop)

    walk(ir.body, False)
    return out
