"""Outer sums: a reversed loop's per-trip outer products summed as one product after it.

The adjoint of ``np.dot(a, W)`` for ``W`` (``a`` a vector) is ``np.outer(a, g)``; in a loop
that reads ``W`` in every trip the reversed loop does ``d_W += np.outer(a, g)`` each trip: an
``(m, n)`` temporary and an ``(m, n)`` addition per trip, although the sum of the trips is one
product of stacked rows, ``A^T G`` (what one writes by hand for an RNN or an LSTM). Where
``d_W`` is zeros made just before the loop and the loop does nothing else with it, this pass
writes each trip's term into a :class:`s2s.runtime.OuterSum` (``d_W_outer.add(a, g)``, which
copies the two vectors) and adds the stacks into ``d_W`` after the loop (``.flush()``):

>>> import numpy as np, s2s
>>> def rnn(w, xs):
...     h = np.zeros(3)
...     for t in range(xs.shape[0]):
...         h = np.tanh(np.dot(h, w) + xs[t])
...     return np.sum(h)
>>> g = s2s.grad(rnn); _ = g(np.eye(3) / 2, np.ones((4, 3)))
>>> for line in g.source.splitlines():
...     if "outer" in line and "Gradient" not in line:
...         print(line.strip())
d_w_outer = _s2s.OuterSum(d_w)
d_w_outer.add(h, d_add_1)
d_w_outer.flush()

The numbers are the same sums added in another order (a matrix product's), so equal up to
rounding. Not in functional code (higher order differentiates the derivative's own source).
"""

from __future__ import annotations

import gast

from s2s.codegen.ir import NameAllocator
from s2s.codegen.sweeps import Block, assign, call
from s2s.codegen.templating import name
from s2s.codegen.walking import name_list

_ZEROS = ("_s2s.zeros_like_acc", "_np.zeros")


def sum_outer_products(blocks: list[Block], names: NameAllocator) -> None:
    """Rewrite, in place, every ``d += _np.outer(a, b)`` of a reversed loop that qualifies
    (see the module docstring); ``names`` gives the accumulators fresh names."""
    for block in blocks:
        _in_body(block.body, names)


def _in_body(body: list[gast.stmt], names: NameAllocator) -> None:
    i = 0
    while i < len(body):
        stmt = body[i]
        for field in ("body", "orelse"):
            nested = getattr(stmt, field, None)
            if isinstance(nested, list):
                _in_body(nested, names)
        if isinstance(stmt, gast.For) and not stmt.orelse:
            before, after = _rewrite_loop(body, i, names)
            body[i:i] = before
            i += len(before)
            body[i + 1 : i + 1] = after
            i += len(after)
        i += 1


def _rewrite_loop(
    body: list[gast.stmt], i: int, names: NameAllocator
) -> tuple[list[gast.stmt], list[gast.stmt]]:
    loop = body[i]
    before: list[gast.stmt] = []
    after: list[gast.stmt] = []
    for j, stmt in enumerate(loop.body):
        buffer = _outer_accumulation(stmt)
        if buffer is None or _mentions(loop, buffer) != 1 or not _zeroed_before(body, i, buffer):
            continue
        acc = names.fresh(f"{buffer}_outer")
        before.append(assign(acc, call("_s2s.OuterSum", name(buffer))))
        method = gast.Attribute(value=name(acc), attr="add", ctx=gast.Load())
        loop.body[j] = gast.Expr(value=gast.Call(func=method, args=stmt.value.args, keywords=[]))
        flush = gast.Attribute(value=name(acc), attr="flush", ctx=gast.Load())
        after.append(gast.Expr(value=gast.Call(func=flush, args=[], keywords=[])))
    return before, after


def _outer_accumulation(stmt: gast.stmt) -> str | None:
    """``d`` of ``d += _np.outer(a, b)``, else ``None``."""
    if not (
        isinstance(stmt, gast.AugAssign)
        and isinstance(stmt.op, gast.Add)
        and isinstance(stmt.target, gast.Name)
    ):
        return None
    value = stmt.value
    if not (isinstance(value, gast.Call) and len(value.args) == 2 and not value.keywords):
        return None
    func = value.func
    if not (
        isinstance(func, gast.Attribute)
        and func.attr == "outer"
        and isinstance(func.value, gast.Name)
        and func.value.id == "_np"
    ):
        return None
    return stmt.target.id


def _mentions(node: gast.AST, var: str) -> int:
    return name_list(node).count(var)


def _zeroed_before(body: list[gast.stmt], i: int, var: str) -> bool:
    """The last statement before ``body[i]`` that mentions ``var`` makes it new zeros."""
    for stmt in reversed(body[:i]):
        if not _mentions(stmt, var):
            continue
        return (
            isinstance(stmt, gast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], gast.Name)
            and stmt.targets[0].id == var
            and isinstance(stmt.value, gast.Call)
            and _dotted(stmt.value.func) in _ZEROS
        )
    return False


def _dotted(node: gast.expr) -> str:
    if isinstance(node, gast.Attribute) and isinstance(node.value, gast.Name):
        return f"{node.value.id}.{node.attr}"
    return ""
