"""Reuse: write a forward sweep's large dead temporaries in place, as the gradient does.

A JVP (``hvp`` is the JVP of the gradient) computes each primal and tangent value into a new
array. Where one is 128 KiB or more, numpy's allocator maps it fresh from the system and
every page faults in on first write: on the MLP loss at batch 256 the Hessian-vector product
took 4.6 times the gradient, 2.1 with glibc's mapping threshold raised. The gradient itself
computes into temporaries nothing reads again (:func:`s2s.codegen.optimize.reuse_dead_temporaries`,
``_s2s.into``); this pass does the same in forward code that is not differentiated again.

A temporary is reused only when its array is provably its own: bound once (a later
``t = _s2s.project_tangent(t, ref)`` aside) to arithmetic or a numpy ufunc or ``matmul``
(a new array), of a proven shape and dtype of 128 KiB or more, and read only as an operand of
arithmetic, a ufunc or ``matmul`` (never copied to another name, viewed by ``.T`` or an index,
put in a container or passed to anything else that could keep it). ``_s2s.into`` checks the
shape and dtype again at run time and otherwise computes a new array, so the result is always
the operator's.

>>> import gast
>>> from s2s.codegen.sweeps import Block
>>> body = gast.parse("a_dot = x_dot * w\\nb_dot = a_dot + c\\nr = b_dot * 2.0").body
>>> blocks = [Block(None, body)]
>>> reuse_dead_tangents(blocks, {"a_dot", "b_dot"}, {"r"})
>>> print(gast.unparse(gast.Module(body=blocks[0].body, type_ignores=[])).strip())
a_dot = x_dot * w
b_dot = _s2s.into(_np.add, a_dot, c)
r = _s2s.into(_np.multiply, b_dot, 2.0)
"""

from __future__ import annotations

from collections import Counter

import gast
import numpy as np

from s2s.codegen.optimize import SMALL_BYTES, reusable_operand  # noqa: F401  (entry reads it here)
from s2s.codegen.sweeps import Block, call, statement_reads
from s2s.codegen.walking import walk
from s2s.frontend.structure import runtime_call


def reuse_dead_tangents(blocks: list[Block], large: set[str], live_out: set[str]) -> None:
    """Rewrite, in place, the top-level statements of ``blocks`` that can compute into a dead
    temporary of ``large`` (names of proven arrays of 128 KiB or more) that is provably its
    own; ``live_out`` are the names the function returns."""
    statements = [stmt for block in blocks for stmt in block.body]
    owned = large & _owned(statements)
    if not owned:
        return
    reads_after: dict[int, set[str]] = {}
    seen = set(live_out)
    for stmt in reversed(statements):
        reads_after[id(stmt)] = set(seen)
        seen |= statement_reads(stmt)
    for stmt in statements:
        if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1:
            args = reusable_operand(stmt.value, owned, reads_after[id(stmt)])
            if args is not None:
                stmt.value = gast.Call(func=call("_s2s.into").func, args=args, keywords=[])


def _owned(statements: list[gast.stmt]) -> set[str]:
    """Names bound once to a new array and read only as operands (see the module docstring)."""
    bound: Counter[str] = Counter()
    new: set[str] = set()
    reprojected: set[int] = set()  # `t` and `ref` read by `t = _s2s.project_tangent(t, ref)`
    for stmt in statements:
        for node in walk(stmt):
            if isinstance(node, gast.Name) and not isinstance(node.ctx, gast.Load):
                bound[node.id] += 1
        target = _single_target(stmt)
        if target is None:
            continue
        value = stmt.value
        if _reprojected(value, target):
            bound[target] -= 1
            reprojected.add(id(value.args[0]))
            reprojected.add(id(value.args[1]))  # the primal: its shape and dtype read
        elif _makes_array(value):
            new.add(target)
        elif _projected(value) and _makes_array(value.args[0]):
            new.add(target)  # `t = _s2s.project_tangent(a * b, ref)`: that product, or a
            reprojected.add(id(value.args[1]))  # copy or read-only view of it
    operands = set(reprojected)
    for stmt in statements:
        for node in walk(stmt):
            if isinstance(node, gast.BinOp):
                operands.update((id(node.left), id(node.right)))
            elif isinstance(node, gast.UnaryOp):
                operands.add(id(node.operand))
            elif isinstance(node, gast.Call) and _numpy_array_call(node):
                operands.update(id(a) for a in node.args)
    escaped = {
        node.id
        for stmt in statements
        for node in walk(stmt)
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load)
        and id(node) not in operands
    }  # fmt: skip
    return {n for n in new if bound[n] == 1 and n not in escaped}


def _single_target(stmt: gast.stmt) -> str | None:
    if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1:
        target = stmt.targets[0]
        if isinstance(target, gast.Name):
            return target.id
    return None


def _projected(value: gast.expr) -> bool:
    """``_s2s.project_tangent(t, ref)``: ``t`` itself, a new array, or a read-only broadcast
    view of it (which ``_s2s.into`` never writes)."""
    return runtime_call(value, "project_tangent") and len(value.args) == 2


def _reprojected(value: gast.expr, target: str) -> bool:
    """``_s2s.project_tangent(t, ref)`` assigned back to ``t``."""
    return (
        _projected(value)
        and isinstance(value.args[0], gast.Name)
        and value.args[0].id == target
    )


def _makes_array(value: gast.expr) -> bool:
    """Arithmetic, or a numpy ufunc or ``matmul`` called without keywords: a new array."""
    if isinstance(value, gast.BinOp):
        return True
    if isinstance(value, gast.UnaryOp) and isinstance(value.op, gast.USub):
        return True
    return isinstance(value, gast.Call) and _numpy_array_call(value) and not value.keywords


def _numpy_array_call(node: gast.Call) -> bool:
    func = node.func
    if not (isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name)
            and func.value.id == "_np"):  # fmt: skip
        return False
    target = getattr(np, func.attr, None)
    return isinstance(target, np.ufunc) or target is np.matmul
