"""Scaling: a cotangent used once, scaled by a number and released, is scaled in place; the
last reader of an array recomputed for a reversed trip writes into it.

In a loop's reversed trip, ``d_x += d_y * c`` followed by the release ``d_y = None`` makes a
temporary the size of ``d_y`` only to add it and drop both. Where ``d_y`` was made earlier in
the same trip as a new array (arithmetic, a ufunc: :mod:`s2s.reverse.simplify` records its
shape and dtype), nothing else refers to it, and ``c`` is a number whose dtype gives ``d_y``'s
(NEP 50: a Python number, or a scalar of ``d_y``'s dtype), the product is written into ``d_y``
(``d_y *= c``, then ``d_x += d_y``): the same numbers, one array fewer alive.

>>> import numpy as np, s2s
>>> def f(x, c):
...     acc = 0.0
...     for k in range(3):
...         acc = acc + np.sum(np.sin(x * c[k]))
...     return acc
>>> g = s2s.grad(f); _ = g(np.ones(4), np.ones(3))
>>> for line in g.source.splitlines():
...     if "*=" in line or "+=" in line:
...         print(line.strip())
d_multiply_1 *= getitem_1
d_x += d_multiply_1
"""

from __future__ import annotations

import gast
import numpy as np

from s2s.analysis.dtypes import VType
from s2s.codegen.ir import FunctionIR, is_literal
from s2s.codegen.sweeps import Block, is_comment_marker
from s2s.codegen.walking import name_list, walk_with_parents
from s2s.reverse.simplify import Arr, fresh


def scale_in_place(blocks: list[Block], types: dict[str, VType], ir: FunctionIR,
                   functional: bool = False) -> None:  # fmt: skip
    """Rewrite ``d = d + b * c`` (or ``d += b * c``) then ``b = None`` into ``b *= c`` and
    ``d = d + b`` where that gives the same numbers (see the module docstring); ``types`` are
    the static types of the primal values of ``ir``. ``functional`` (code differentiated
    again): neither, since a derivative of it takes no ``out=`` and no update in place."""
    if functional:
        return
    assigned: dict[str, int] = {}
    for stmt in ir.flat:
        for target in stmt.targets:
            assigned[target] = assigned.get(target, 0) + 1
    scalars = {  # every value the name holds is a float scalar of this type
        var: known for var, known in types.items()
        if (assigned.get(var, 0) <= 1 or var in ir.carried) and known.kind == "float"
        and (known.shape == () or known.array is False) and known.dtype is not None
    }  # fmt: skip
    arrays = {  # every value the name holds is a float array of this proven shape
        var: known for var, known in types.items()
        if (assigned.get(var, 0) <= 1 or var in ir.carried) and known.kind == "float"
        and known.shape and known.array is not False
        and known.dtype in (np.dtype(np.float32), np.dtype(np.float64))
    }  # fmt: skip
    for block in blocks:
        _scale(block.body, scalars)
        _into_recomputed(block.body, arrays)


def _scale(body: list[gast.stmt], types: dict[str, VType]) -> None:
    for stmt in body:
        for field in ("body", "orelse"):
            nested = getattr(stmt, field, None)
            if isinstance(nested, list):
                _scale(nested, types)
    i = 0
    while i < len(body):
        rewritten = _rewrite(body, i, types)
        i += 2 if rewritten else 1


def _product(stmt: gast.stmt) -> gast.BinOp | None:
    """The ``b * c`` added into an accumulator by ``stmt``, or None."""
    if isinstance(stmt, gast.AugAssign) and isinstance(stmt.op, gast.Add):
        value = stmt.value
    elif (
        isinstance(stmt, gast.Assign)
        and getattr(stmt, "s2s_owned", False)
        and isinstance(stmt.value, gast.BinOp)
    ):
        value = stmt.value.right
    else:
        return None
    return value if isinstance(value, gast.BinOp) and isinstance(value.op, gast.Mult) else None


def _rewrite(body: list[gast.stmt], i: int, types: dict[str, VType]) -> bool:
    stmt = body[i]
    product = _product(stmt)
    if product is None:
        return False
    for buffer, number in ((product.left, product.right), (product.right, product.left)):
        if not isinstance(buffer, gast.Name) or _mentions(stmt, buffer.id) != 1:
            continue
        made = _made_before(body, i, buffer.id)
        released = _released_after(body, i, buffer.id)
        fact = getattr(made, "s2s_fact", None)
        if made is None or not released or type(fact) is not Arr or not fresh(made.value):
            continue
        if not _keeps_dtype(number, fact.dtype, types):
            continue
        scaled = gast.AugAssign(target=gast.Name(buffer.id, gast.Store(), None, None),
                                op=gast.Mult(), value=number)  # fmt: skip
        if isinstance(stmt, gast.AugAssign):
            stmt.value = buffer
        else:
            stmt.value.right = buffer
        body.insert(i, scaled)
        return True
    return False


_UFUNCS = {gast.Add: "add", gast.Sub: "subtract", gast.Mult: "multiply"}


def _into_recomputed(body: list[gast.stmt], arrays: dict[str, VType]) -> None:
    """In each reversed trip, the last reader of a recomputed array (``d = y + y``, ``y`` an
    array made at the trip's top and not handed to anything) writes into it:
    ``d = _np.add(y, y, out=y)``, the same numbers with one array fewer alive."""
    for stmt in body:
        for field in ("body", "orelse"):
            nested = getattr(stmt, field, None)
            if isinstance(nested, list):
                _into_recomputed(nested, arrays)
        if isinstance(stmt, gast.For):
            for var in [s.targets[0].id for s in stmt.body if getattr(s, "s2s_remade", False)
                        and not isinstance(s.value, gast.Subscript)]:  # fmt: skip
                if var in arrays:
                    _write_into(stmt.body, var)


def _write_into(trip: list[gast.stmt], var: str) -> None:
    made = next(i for i, s in enumerate(trip) if getattr(s, "s2s_remade", False)
                and s.targets[0].id == var)  # fmt: skip
    readers = [i for i, s in enumerate(trip) if i > made and _mentions(s, var)]
    if not readers or any(_mentions(s, var) for s in trip[:made]):
        return
    last = trip[readers[-1]]
    if not (
        isinstance(last, gast.Assign)
        and len(last.targets) == 1
        and isinstance(last.targets[0], gast.Name)
        and last.targets[0].id != var
        and isinstance(last.value, gast.BinOp)
        and type(last.value.op) in _UFUNCS
    ):
        return
    operands = [last.value.left, last.value.right]
    if not all(_named(o, var) or (is_literal(o) and type(_number(o)) in (int, float))
               for o in operands) or not any(_named(o, var) for o in operands):  # fmt: skip
        return  # the result has the array's shape and dtype only with numbers beside it
    for i in readers[:-1]:  # the array is read, never kept, before: only operands of arithmetic
        nodes, parents = walk_with_parents(trip[i])
        for node in nodes:
            if _named(node, var) and not isinstance(parents.get(id(node)), (gast.BinOp,
                                                                            gast.UnaryOp)):
                return
    func = gast.Attribute(value=gast.Name("_np", gast.Load(), None, None),
                          attr=_UFUNCS[type(last.value.op)], ctx=gast.Load())  # fmt: skip
    out = gast.keyword(arg="out", value=gast.Name(var, gast.Load(), None, None))
    last.value = gast.Call(func=func, args=operands, keywords=[out])


def _named(node: gast.AST, var: str) -> bool:
    return isinstance(node, gast.Name) and node.id == var


def _number(node: gast.expr):
    inner = node.operand if isinstance(node, gast.UnaryOp) else node
    return inner.value


def _mentions(stmt: gast.stmt, var: str) -> int:
    return name_list(stmt).count(var)


def _made_before(body: list[gast.stmt], i: int, var: str) -> gast.Assign | None:
    """The assignment of ``var`` earlier in ``body`` with no mention of it in between."""
    for j in range(i - 1, -1, -1):
        stmt = body[j]
        if is_comment_marker(stmt):
            continue
        if (
            isinstance(stmt, gast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], gast.Name)
            and stmt.targets[0].id == var
        ):
            return stmt if _mentions(stmt.value, var) == 0 else None
        if _mentions(stmt, var):
            return None
    return None


def _released_after(body: list[gast.stmt], i: int, var: str) -> bool:
    """Whether ``var = None`` comes next in ``body`` (comments aside)."""
    for stmt in body[i + 1 :]:
        if is_comment_marker(stmt):
            continue
        return (
            isinstance(stmt, gast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], gast.Name)
            and stmt.targets[0].id == var
            and isinstance(stmt.value, gast.Constant)
            and stmt.value.value is None
        )
    return False


def _keeps_dtype(number: gast.expr, dtype: np.dtype, types: dict[str, VType]) -> bool:
    """Whether multiplying an array of ``dtype`` by ``number`` gives ``dtype`` (a Python
    number, or a float scalar of that dtype)."""
    if is_literal(number):
        inner = number.operand if isinstance(number, gast.UnaryOp) else number
        return type(inner.value) in (int, float)
    if not isinstance(number, gast.Name):
        return False
    known = types.get(number.id)  # (only scalars here)
    return known is not None and (known.weak or known.dtype == dtype)
