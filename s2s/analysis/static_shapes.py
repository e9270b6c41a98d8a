"""Static shapes: the shape of each value when generation can prove it from the arguments'.

A derivative is specialized on its arguments' shapes (s2s.api keeps a few shape
specializations per signature, then falls back to shape-generic code). This pass gives a value
a shape only when the shape follows exactly from numpy's rules for the operation: broadcasting
for elementwise functions, ``matmul``'s contraction, integer indexing, full reductions,
``np.zeros((a, b))`` of known ints. Anything else is ``None`` (unknown), and generation then
checks at run time as before. A name that a branch or loop rebinds has one type in the whole
function, what all its bindings agree on (a parameter's argument is one of them:
:func:`s2s.analysis.dtypes.joined`): ``w`` of shape ``(3,)`` that an arm may rebind to ``0.5``
has no proven shape, before the branch or after it. The adjoint sweep uses proven shapes to
leave out ``unbroadcast`` where nothing was broadcast, to write ``g @ w.T`` for a matmul of
matrices, and to keep shape records off the tape.

Before: ``np.mean`` of an array whose shape generation knows; after, its adjoint fills an
array of the proven shape with a constant count, no shape read at run time:

>>> import numpy as np, s2s
>>> def f(x):
...     return np.mean(x)
>>> g = s2s.grad(f); _ = g(np.ones((2, 3)))
>>> for line in g.source.splitlines():
...     if "specialized" in line or "filled" in line:
...         print(line.strip())
# specialized for shapes x (2, 3)
d_x = _s2s.filled(d_mean_1 / 6, (2, 3), 'float64')
"""

from __future__ import annotations

import dataclasses
import inspect
import operator
from typing import Any

import gast
import numpy as np

from s2s import registry, runtime
from s2s.analysis import shape_kinds
from s2s.analysis.dtypes import ShapeValue, VType, call_signature
from s2s.codegen.ir import ATTRIBUTE, CONST, COPY, SETITEM, Marker, Stmt, is_literal
from s2s.codegen.templating import constant
from s2s.codegen.walking import copy_tree, rewrite_calls
from s2s.frontend.spellings import hashable


def with_shape(out: VType, stmt: Stmt, types: dict[str, VType]) -> VType:
    """``out`` (the statement's inferred type) with its proven shape or known int value."""
    if stmt.op in (runtime.stop_gradient, runtime.zero_grad) and len(stmt.args) == 1:
        if isinstance(stmt.args[0], gast.Name) and stmt.args[0].id in types:
            return types[stmt.args[0].id]  # the identity, as far as values go
    if stmt.op is np.arange and len(stmt.args) == 1 and not stmt.kwargs:  # np.arange(n)
        n = _int_value(stmt.args[0], types)
        if n is not None:
            return VType("int", np.dtype(np.int64), True, shape=(max(n, 0),))
    if len(stmt.targets) > 1 or stmt.unpack or out.kind in ("tuple", "unknown"):
        return out
    try:
        shape = _shape(stmt, types)
    except (ValueError, TypeError, IndexError):
        shape = None  # the primal will raise, as numpy does: nothing to prove
    if isinstance(shape, ShapeValue):  # x.shape
        return dataclasses.replace(out, value=shape)
    if isinstance(shape, int) and not isinstance(shape, bool):  # x.shape[0]: a known int
        return dataclasses.replace(out, value=shape)
    if isinstance(shape, tuple) and out.kind in ("float", "int", "bool", "complex"):
        return dataclasses.replace(out, shape=shape)
    return out


def shape_of(atom: gast.expr, types: dict[str, VType]) -> tuple[int, ...] | None:
    """An operand's proven shape: a name's, or ``()`` for a number written in the source or
    a name proven to hold a number, not an array (a loop's index, ``w = 0.5``; a name that may
    hold either has ``array`` unknown)."""
    if isinstance(atom, gast.Name):
        known = types.get(atom.id)
        if known is not None and known.shape is None and known.array is False and (
                known.kind in ("float", "int", "bool", "complex")):  # fmt: skip
            return ()  # a number (a loop's index, a Python or numpy scalar)
        return known.shape if known is not None else None
    if is_literal(atom):
        return ()
    return None


def _int_value(atom: gast.expr, types: dict[str, VType]) -> int | None:
    if isinstance(atom, gast.Constant) and type(atom.value) is int:
        return atom.value
    if isinstance(atom, gast.UnaryOp) and isinstance(atom.op, gast.USub):
        inner = _int_value(atom.operand, types)
        return -inner if inner is not None else None
    if isinstance(atom, gast.Name):
        value = getattr(types.get(atom.id), "value", None)
        return value if type(value) is int else None
    return None


def _shape(stmt: Stmt, types: dict[str, VType]) -> Any:
    op = stmt.op
    if op is ATTRIBUTE:
        source = shape_of(stmt.args[0], types)
        if source is not None and stmt.expr.attr == "shape":
            return ShapeValue(source)
        if source is not None and stmt.expr.attr == "T":
            return tuple(reversed(source))
        return None
    if op is COPY or op is SETITEM:
        return shape_of(stmt.args[0], types) if stmt.args else None
    if op is CONST:  # m = 0.0 (before a loop that makes m a 0-d array): a number has shape ()
        value = stmt.expr.value if isinstance(stmt.expr, gast.Constant) else stmt.value_hint
        number = isinstance(value, (int, float, complex)) and value is not None
        return () if number else None
    if isinstance(op, Marker):
        return None
    if op is operator.getitem and len(stmt.args) == 2:
        return _getitem(stmt.args[0], stmt.args[1], types)
    if not hashable(op):
        return None
    if op is np.concatenate:
        return _concatenated(stmt, types)
    facts = registry.facts_of(op)
    rule = registry.lookup(op)
    if facts.shape == registry.ALLOCATION and stmt.args:
        return _allocated(stmt.args[0], types)
    if facts.shape == registry.REDUCTION and rule is not None:  # np.sum(a) or a.sum()
        return _reduced(rule, stmt, types)
    if facts.shape == registry.PROBE and stmt.method is None:
        return _probed(op, rule, stmt, types)
    if facts.shape in _KINDS and stmt.method is None:
        return _of_kind(_KINDS[facts.shape], op, rule, stmt, types)
    if rule is None or stmt.method is not None:
        return None
    if facts.shape == registry.BROADCAST:
        if stmt.kwargs or len(stmt.args) != getattr(op, "nin", -1):
            return None
        shapes = [shape_of(a, types) for a in stmt.args]
        if any(s is None for s in shapes):
            return None
        return tuple(np.broadcast_shapes(*shapes))
    if facts.shape == registry.MATMUL and len(stmt.args) == 2 and not stmt.kwargs:
        return _matmul(shape_of(stmt.args[0], types), shape_of(stmt.args[1], types))
    if facts.shape == registry.DOT and len(stmt.args) == 2 and not stmt.kwargs:
        shapes = [shape_of(a, types) for a in stmt.args]
        if any(s is None or len(s) not in (1, 2) for s in shapes):
            return None  # 0-d multiplies, N-d contracts differently: left to run time
        return _matmul(*shapes)
    return None


_KINDS = {
    registry.SQUARE: shape_kinds.square_shape,
    registry.BATCH: shape_kinds.batch_shape,
    registry.SOLVE: shape_kinds.solve_shape,
    registry.DIAG: shape_kinds.diag_shape,
    registry.OUTER: shape_kinds.outer_shape,
    registry.EYE: shape_kinds.eye_shape,
}


def _of_kind(kind, op: Any, rule: registry.Rule | None, stmt: Stmt,
             types: dict[str, VType]) -> tuple[int, ...] | None:  # fmt: skip
    """The call's arguments bound to its parameters: each one's proven shape (in order) and
    known int value (by name), given to the kind's function of :mod:`shape_kinds`."""
    try:
        signature = call_signature(rule) if rule is not None else inspect.signature(op)
        bound = signature.bind(*stmt.args, **stmt.kwargs).arguments
    except (TypeError, ValueError):
        return None  # numpy raises for the call, or has no signature: nothing to prove
    atoms = {k: a for k, a in bound.items() if isinstance(a, gast.expr)}
    if len(atoms) != len(bound):
        return None  # *args or **kwargs
    shapes = [shape_of(a, types) for a in atoms.values()]
    return kind(shapes, {k: _int_value(a, types) for k, a in atoms.items()})


def _probed(op: Any, rule: registry.Rule | None, stmt: Stmt,
            types: dict[str, VType]) -> tuple[int, ...] | None:  # fmt: skip
    """A reordering's or reshape's result shape: numpy's own call on a stand-in of the first
    argument's proven shape, with the other arguments' constant values (ints, tuples of ints,
    ``None``, strings such as ``order="F"``)."""
    try:
        signature = call_signature(rule) if rule is not None else inspect.signature(op)
        bound = signature.bind(*stmt.args, **stmt.kwargs).arguments
    except (TypeError, ValueError):
        return None
    atoms = list(bound.items())
    if not atoms or not all(isinstance(a, gast.expr) for _, a in atoms):
        return None
    constants: dict[str, object] | None = {}
    for key, atom in atoms[1:]:
        value = _constant_value(atom, types)
        if value is _UNKNOWN:
            constants = None
            break
        constants[key] = value
    return shape_kinds.probe_shape(op, shape_of(atoms[0][1], types), constants)


_UNKNOWN = object()


def _constant_value(atom: gast.expr, types: dict[str, VType]) -> object:
    """A structural argument's value when generation knows it: an int (a constant or a proven
    int), ``None``, a bool, a string, or a tuple of ints; else ``_UNKNOWN``."""
    if isinstance(atom, gast.Constant) and (
        atom.value is None or type(atom.value) in (bool, str)
    ):
        return atom.value
    if isinstance(atom, gast.Tuple):
        items = [_int_value(item, types) for item in atom.elts]
        return _UNKNOWN if any(i is None for i in items) else tuple(items)
    value = _int_value(atom, types)
    if value is not None:
        return value
    known = types.get(atom.id) if isinstance(atom, gast.Name) else None
    shape = getattr(known, "value", None)
    return tuple(shape) if isinstance(shape, ShapeValue) else _UNKNOWN


def _concatenated(stmt: Stmt, types: dict[str, VType]) -> tuple[int, ...] | None:
    """``np.concatenate([a, b], axis)`` of a list or tuple written in the source, with a constant
    ``axis`` (0 by default): the pieces' common shape with their lengths along ``axis`` summed."""
    if not stmt.args or len(stmt.args) > 2 or set(stmt.kwargs) - {"axis"}:
        return None
    pieces = stmt.args[0]
    if not isinstance(pieces, (gast.List, gast.Tuple)) or not pieces.elts:
        return None
    shapes = [shape_of(e, types) if isinstance(e, gast.Name) else None for e in pieces.elts]
    if any(s is None or not s for s in shapes):
        return None
    axis_atom = stmt.args[1] if len(stmt.args) == 2 else stmt.kwargs.get("axis")
    axis = 0 if axis_atom is None else _int_value(axis_atom, types)
    ndim = len(shapes[0])
    if axis is None or not -ndim <= axis < ndim or any(len(s) != ndim for s in shapes):
        return None  # axis=None flattens; a wrong axis or rank raises in numpy
    axis %= ndim
    if any(s[:axis] + s[axis + 1 :] != shapes[0][:axis] + shapes[0][axis + 1 :] for s in shapes):
        return None
    total = sum(s[axis] for s in shapes)
    return shapes[0][:axis] + (total,) + shapes[0][axis + 1 :]


def _reduced(rule: registry.Rule, stmt: Stmt, types: dict[str, VType]) -> tuple[int, ...] | None:
    """``np.sum(a, axis=1, keepdims=True)`` (or ``a.max(...)``) with constant ``axis`` and
    ``keepdims``; the reduction's other arguments (``dtype``, ``ddof``, ``ord``) keep shapes."""
    try:
        bound = call_signature(rule).bind(*stmt.args, **stmt.kwargs).arguments
    except TypeError:
        return None  # numpy raises for the call: nothing to prove
    shape = shape_of(stmt.args[0], types) if stmt.args else None
    if shape is None:
        return None
    axis_atom = bound.get("axis")
    keep_atom = bound.get("keepdims")
    if keep_atom is not None and not (
        isinstance(keep_atom, gast.Constant) and isinstance(keep_atom.value, bool)
    ):
        return None
    keepdims = bool(keep_atom.value) if keep_atom is not None else False
    if axis_atom is None or (isinstance(axis_atom, gast.Constant) and axis_atom.value is None):
        axes = tuple(range(len(shape)))
    else:
        items = axis_atom.elts if isinstance(axis_atom, gast.Tuple) else [axis_atom]
        values = [_int_value(item, types) for item in items]
        if any(v is None for v in values) or not shape:
            return None
        if any(not -len(shape) <= v < len(shape) for v in values):
            return None  # numpy raises AxisError
        axes = tuple(sorted({v % len(shape) for v in values}))
    if keepdims:
        return tuple(1 if i in axes else n for i, n in enumerate(shape))
    return tuple(n for i, n in enumerate(shape) if i not in axes)


def _getitem(base: gast.expr, key: gast.expr, types: dict[str, VType]) -> Any:
    shape = shape_of(base, types)
    if shape is None:
        known = types.get(base.id) if isinstance(base, gast.Name) else None
        value = getattr(known, "value", None)
        index = _int_value(key, types)
        if isinstance(value, ShapeValue) and index is not None:
            return value[index]  # x.shape[1]: a known int
        return None
    if not shape:
        return None
    if isinstance(key, gast.Tuple) and key.elts:
        indices = [types.get(e.id) if isinstance(e, gast.Name) else None for e in key.elts]
        if len(indices) <= len(shape) and all(
            i is not None and i.kind == "int" and i.shape is not None and i.array is not False
            for i in indices
        ):  # a[rows, cols]
            return tuple(np.broadcast_shapes(*[i.shape for i in indices])) + shape[len(indices) :]
        return _basic_indexed(shape, key.elts, types)
    if isinstance(key, gast.Slice):  # x[1:], x[:-1], x[::2]: a basic slice of the first axis
        parts = (key.lower, key.upper, key.step)
        bounds = [None if part is None else _int_value(part, types) for part in parts]
        if any(b is None and part is not None for b, part in zip(bounds, parts, strict=True)):
            return None
        if bounds[2] == 0:
            return None  # numpy raises: leave it to run time
        return (len(range(shape[0])[slice(*bounds)]),) + shape[1:]
    index_type = types.get(key.id) if isinstance(key, gast.Name) else None
    integer = (isinstance(key, gast.Constant) and type(key.value) is int) or (
        index_type is not None and index_type.kind == "int" and index_type.array is False
    )
    return shape[1:] if integer else None  # x[t]: one row of an array


def _basic_indexed(shape: tuple[int, ...], items: list[gast.expr],
                   types: dict[str, VType]) -> tuple[int, ...] | None:  # fmt: skip
    """``x[:, None]``, ``x[t, 1:]``, ``x[..., 0]``: a key of slices with known bounds, ``None``,
    ``...`` and integer scalars, applied to a stand-in of ``x``'s shape (a broadcast view, no
    memory), so numpy's own basic indexing gives the shape. An integer of unknown value is
    taken as 0: the shape does not depend on which entry (out of range, numpy raises)."""
    key: list[Any] = []
    for item in items:
        if isinstance(item, gast.Constant) and (item.value is None or item.value is Ellipsis):
            key.append(item.value)
        elif isinstance(item, gast.Slice):
            parts = (item.lower, item.upper, item.step)
            bounds = [None if part is None else _int_value(part, types) for part in parts]
            if any(b is None and p is not None for b, p in zip(bounds, parts, strict=True)):
                return None
            if bounds[2] == 0:
                return None  # numpy raises: leave it to run time
            key.append(slice(*bounds))
        elif isinstance(item, gast.Constant) and type(item.value) is int:
            key.append(item.value)
        elif isinstance(item, gast.Name) and _is_int_scalar(types.get(item.id)):
            value = _int_value(item, types)
            key.append(0 if value is None else value)
        else:
            return None  # an array index, a boolean: advanced indexing, left to run time
    stand_in = np.broadcast_to(np.empty((), dtype=np.int8), shape)
    return stand_in[tuple(key)].shape


def _is_int_scalar(known: VType | None) -> bool:
    return known is not None and known.kind == "int" and known.array is False


def _allocated(shape_atom: gast.expr, types: dict[str, VType]) -> tuple[int, ...] | None:
    items = shape_atom.elts if isinstance(shape_atom, gast.Tuple) else [shape_atom]
    values = [_int_value(item, types) for item in items]
    if any(v is None or v < 0 for v in values):
        return None
    return tuple(values)


def _matmul(a: tuple | None, b: tuple | None) -> tuple[int, ...] | None:
    """numpy.matmul's result shape, or None where it would raise or is unknown."""
    if a is None or b is None or not a or not b:
        return None
    a2 = (1,) + a if len(a) == 1 else a
    b2 = b + (1,) if len(b) == 1 else b
    if a2[-1] != b2[-2]:
        return None
    batch = tuple(np.broadcast_shapes(a2[:-2], b2[:-2]))
    out = batch + (a2[-2], b2[-1])
    if len(a) == 1:
        out = out[:-2] + out[-1:]
    if len(b) == 1:
        out = out[:-1]
    return out


def specialize_calls(blocks: list, types: dict[str, VType]) -> None:
    """Rewrite runtime helper calls of the adjoint sweep whose work proven shapes make plain:
    ``reduced_size(x, None)`` is a number, ``unreduce(g, x, None, False)`` a filled array of
    ``x``'s shape (``x`` itself then need not be kept), ``unconcatenate`` a list of slices.
    (Products state their proven-shape adjoints beside their templates: :mod:`s2s.proven`.)"""
    for block in blocks:
        for stmt in block.body:
            rewrite_calls(stmt, lambda node: _plain(node, types))  # (only calls are rewritten)


def _helper(node: gast.AST) -> str | None:
    if (
        isinstance(node, gast.Call)
        and isinstance(node.func, gast.Attribute)
        and isinstance(node.func.value, gast.Name)
        and node.func.value.id == "_s2s"
        and not node.keywords
    ):
        return node.func.attr
    return None


def _float_ndim(atom: gast.expr, types: dict[str, VType]) -> tuple[int, np.dtype] | None:
    known = types.get(atom.id) if isinstance(atom, gast.Name) else None
    if known is None or known.shape is None or known.array is False:
        return None
    if known.dtype not in (np.float32, np.float64):
        return None
    return len(known.shape), known.dtype


def _plain(node: gast.AST, types: dict[str, VType]) -> gast.expr | None:
    helper = _helper(node)
    if helper == "unconcatenate" and len(node.args) == 3:
        return _unconcatenated(*node.args, types)
    if helper == "reduced_size" and len(node.args) == 2 and _is_none(node.args[1]):
        shape = shape_of(node.args[0], types) if isinstance(node.args[0], gast.Name) else None
        return gast.Constant(value=int(np.prod(shape)), kind=None) if shape is not None else None
    if helper == "unreduce" and len(node.args) == 4 and _is_none(node.args[2]):
        atom, keepdims = node.args[1], node.args[3]
        known = types.get(atom.id) if isinstance(atom, gast.Name) else None
        if known is None or known.shape is None or known.dtype is None:
            return None
        if not (isinstance(keepdims, gast.Constant) and keepdims.value is False):
            return None
        accumulator = runtime.acc_dtype(known.dtype)
        shape = gast.Tuple(
            elts=[gast.Constant(value=n, kind=None) for n in known.shape], ctx=gast.Load()
        )
        func = gast.Attribute(value=gast.Name("_s2s", gast.Load(), None, None), attr="filled",
                              ctx=gast.Load())  # fmt: skip
        dtype = gast.Constant(value=np.dtype(accumulator).name, kind=None)
        return gast.Call(func=func, args=[node.args[0], shape, dtype], keywords=[])
    return None


def _unconcatenated(g: gast.expr, pieces: gast.expr, axis: gast.expr, types) -> gast.expr | None:
    """``np.concatenate``'s adjoint where every piece is a proven float array of one dtype and
    ``axis`` a constant: the list of ``g``'s slices, ``[g[0:16], g[16:48]]`` (views, as the
    helper's own pieces are)."""
    if not isinstance(pieces, (gast.List, gast.Tuple)) or not pieces.elts:
        return None
    found = [_float_ndim(e, types) for e in pieces.elts]
    if any(f is None for f in found) or len({f for f in found}) != 1:
        return None
    shapes = [types[e.id].shape for e in pieces.elts]
    ndim = found[0][0]
    index = _int_value(axis, types)
    if ndim == 0 or index is None or not -ndim <= index < ndim:
        return None
    index %= ndim
    out, start = [], 0
    for shape in shapes:
        stop = start + shape[index]
        cut = gast.Slice(lower=constant(start), upper=constant(stop), step=None)
        key = [gast.Slice(lower=None, upper=None, step=None) for _ in range(index)] + [cut]
        key_node = key[0] if len(key) == 1 else gast.Tuple(elts=key, ctx=gast.Load())
        out.append(gast.Subscript(value=copy_tree(g), slice=key_node, ctx=gast.Load()))
        start = stop
    return gast.List(elts=out, ctx=gast.Load())


def _is_none(node: gast.AST) -> bool:
    return isinstance(node, gast.Constant) and node.value is None
