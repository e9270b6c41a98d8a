"""Stores with ``out=``: a buffer's store of one elementwise operation is written into the
buffer's region directly.

A zero buffer's first write is a store (:mod:`s2s.reverse.simplify`), ``d_x[:-1] = -2 *
subtract_2``, which makes the product as a new array and then copies it into the region: a
second pass over memory and an array to allocate and free. Where numpy alone runs the code
(the numpy backend, first order), the code is straight-line, the buffer is a private
``_s2s.zeros_like_acc(w)`` buffer of a float32 or float64 array ``w`` of proven shape, the
region is a basic slice with constant bounds (a view, never a copy), and the operation is
``+ - * /`` of names of ``w``'s dtype and proven shapes (primal values, or cotangents bound
once to a new array of a proven shape, :mod:`s2s.reverse.simplify`'s fact) and of Python
numbers whose result
has exactly the region's shape, the store becomes ``_np.multiply(-2, subtract_2,
out=d_x[:-1])``. The same numbers: the ufunc is the one the operator calls, on the same
operands (Python numbers are weak, NEP 50, in both), its result has the region's dtype and
shape, so the store's cast and broadcast do nothing, and numpy reports the same
floating-point errors.

>>> import numpy as np, s2s
>>> def f(x):
...     return np.sum((1.0 - x[:-1]) ** 2)
>>> g = s2s.grad(f); _ = g(np.ones(4))
>>> print([line.strip() for line in g.source.splitlines() if "out=" in line][0])
_np.multiply(-2, subtract_1, out=d_x[:-1])

A region written by two or more such calls and updates in place is taken once, as a view
(``d_x_region = d_x[:-1]``; :func:`_region_views`).
"""

from __future__ import annotations

from typing import Any

import gast
import numpy as np

from s2s.analysis.dtypes import VType
from s2s.codegen.sweeps import Block, Sweeps
from s2s.codegen.walking import copy_tree, stored_names
from s2s.reverse.returned import private_buffers
from s2s.reverse.simplify import Arr

_UFUNCS = {gast.Add: "add", gast.Sub: "subtract", gast.Mult: "multiply", gast.Div: "divide"}
_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def stores_with_out(sweeps: Sweeps, types: dict[str, VType]) -> None:
    """Rewrite the stores of ``sweeps.adjoint`` as the module docstring says, and take each
    region written twice or more once (:func:`_region_views`), in place; ``types`` are the
    static types of the primal values. Straight-line code only."""
    if sweeps.dynamic:
        return
    regions = {_region_of(stmt) for block in sweeps.adjoint for stmt in block.body}
    if regions == {None}:
        return  # no write into an array's region (most code): nothing to look at
    made = private_buffers(sweeps)
    if not any(buffer in made for buffer in regions):
        return
    bound: dict[str, int] = {}
    for block in sweeps.primal + sweeps.adjoint:
        for stmt in block.body:
            for name in stored_names(stmt):
                bound[name] = bound.get(name, 0) + 1
    once = {name: known for name, known in types.items() if bound.get(name, 0) <= 1}
    for block in sweeps.adjoint:  # cotangents whose one binding has a proven shape and dtype
        for stmt in block.body:
            fact = getattr(stmt, "s2s_fact", None)
            if type(fact) is Arr and isinstance(stmt, gast.Assign) and len(stmt.targets) == 1:
                target = stmt.targets[0]
                if isinstance(target, gast.Name) and bound.get(target.id) == 1:
                    once.setdefault(target.id, VType("float", fact.dtype, True, shape=fact.shape))
    for block in sweeps.adjoint:
        for i, stmt in enumerate(block.body):
            call = _with_out(stmt, made, once)  # (a name bound again: its type may be another's)
            if call is not None:
                block.body[i] = gast.Expr(value=call)
    _region_views(sweeps, made, bound)


def _region_views(sweeps: Sweeps, made: dict[str, str], bound: dict[str, int]) -> None:
    """A region of a private buffer bound once that two or more statements write into (``d[k]
    op= e``, ``out=d[k]``, ``k`` constant basic slices) is taken once, a view named before
    the first of them (``d_x_region = d_x[:-1]``), and the statements write into the view
    (``d_x_region -= e``): the same writes, without a view made (and, for ``op=``, stored
    back) per statement. ``sweeps.views`` maps the view to its buffer (the non-finite search
    reads a write into it as one into the buffer); ``bound`` counts each name's bindings."""
    writes: dict[tuple[str, str], list[tuple[Block, gast.stmt, gast.Subscript]]] = {}
    for block in sweeps.adjoint:
        for stmt in block.body:
            region = _region_written(stmt)
            if region is not None and region.value.id in made and bound[region.value.id] == 1:
                key = (region.value.id, gast.dump(region.slice))
                writes.setdefault(key, []).append((block, stmt, region))
    for (buffer, _), found in writes.items():
        if len(found) < 2:
            continue
        view = sweeps.names.fresh(f"{buffer}_region")
        sweeps.views[view] = buffer
        block, first, region = found[0]
        taken = gast.Assign(targets=[gast.Name(view, gast.Store(), None, None)],
                            value=copy_tree(region), type_comment=None)  # fmt: skip
        block.body.insert(block.body.index(first), taken)
        for _, stmt, _ in found:
            if isinstance(stmt, gast.AugAssign):
                stmt.target = gast.Name(view, gast.Store(), None, None)
            else:
                out = next(k for k in stmt.value.keywords if k.arg == "out")
                out.value = gast.Name(view, gast.Load(), None, None)


def _region_of(stmt: gast.stmt) -> str | None:
    """``d`` of a store ``d[k] = v`` or an update ``d[k] op= e`` of a named array, else None."""
    if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1:
        target = stmt.targets[0]
    elif isinstance(stmt, gast.AugAssign):
        target = stmt.target
    else:
        return None
    if isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name):
        return target.value.id
    return None


def _region_written(stmt: gast.stmt) -> gast.Subscript | None:
    """``d[k]`` of ``d[k] op= e`` or ``_np.f(..., out=d[k])``, ``k`` constant basic slices."""
    if isinstance(stmt, gast.AugAssign):
        region = stmt.target
    elif isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call):
        outs = [k.value for k in stmt.value.keywords if k.arg == "out"]
        region = outs[0] if len(outs) == 1 else None
    else:
        return None
    if isinstance(region, gast.Subscript) and isinstance(region.value, gast.Name) and (
        _slices(region.slice) is not None
    ):
        return region
    return None


def _with_out(stmt: gast.stmt, made: dict[str, str], types: dict[str, VType]) -> Any:
    if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1):
        return None
    target, value = stmt.targets[0], stmt.value
    if not (isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name)):
        return None
    buffer = target.value.id
    ref = types.get(made.get(buffer, ""))
    if ref is None or not _proven_float_array(ref) or not isinstance(value, gast.BinOp):
        return None
    ufunc = _UFUNCS.get(type(value.op))
    key = _slices(target.slice)
    if ufunc is None or key is None:
        return None
    shapes = []
    for operand in (value.left, value.right):
        if isinstance(operand, gast.Name):
            known = types.get(operand.id)
            if operand.id == buffer or known is None or known.dtype != ref.dtype:
                return None
            if known.kind != "float" or known.weak or known.shape is None:
                return None
            shapes.append(known.shape)
        elif not (isinstance(operand, gast.Constant) and type(operand.value) in (int, float)):
            return None
    try:
        region = np.broadcast_to(np.empty((), bool), ref.shape)[key].shape  # (no memory)
    except IndexError:  # more slices than axes: left as it is (it raises at run time)
        return None
    if not shapes or np.broadcast_shapes(*shapes) != region:
        return None
    out = gast.Subscript(value=gast.Name(buffer, gast.Load(), None, None), slice=target.slice,
                         ctx=gast.Load())  # fmt: skip
    func = gast.Attribute(value=gast.Name("_np", gast.Load(), None, None), attr=ufunc,
                          ctx=gast.Load())  # fmt: skip
    return gast.Call(func=func, args=[value.left, value.right],
                     keywords=[gast.keyword(arg="out", value=out)])  # fmt: skip


def _proven_float_array(known: VType) -> bool:
    return (known.kind == "float" and known.dtype in _FLOATS and known.array is not False
            and known.shape is not None and len(known.shape) >= 1)  # fmt: skip


def _slices(node: gast.expr) -> tuple[slice, ...] | None:
    """The key of a basic slice (or a tuple of them) with constant bounds, else None."""
    parts = node.elts if isinstance(node, gast.Tuple) else [node]
    key = []
    for part in parts:
        if not isinstance(part, gast.Slice):
            return None
        bounds = [_bound(b) for b in (part.lower, part.upper, part.step)]
        if any(b is False for b in bounds) or bounds[2] == 0:
            return None
        key.append(slice(*bounds))
    return tuple(key)


def _bound(node: gast.expr | None) -> int | None | bool:
    """A slice bound's value (``None`` when absent), ``False`` when it is not a constant."""
    if node is None:
        return None
    if isinstance(node, gast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        inner = _bound(node.operand)
        return -inner if type(inner) is int else False
    return False
