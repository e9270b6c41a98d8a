"""Static types: what generation knows of each value's kind, dtype and array-ness (NEP 50).

Before: runtime values; after, what generation knows of them:

>>> import numpy as np
>>> t = vtype_of(np.ones(3, np.float32))
>>> (t.kind, t.dtype, t.array, t.weak)
('float', dtype('float32'), True, False)
>>> t = vtype_of(2.0)
>>> (t.kind, t.dtype, t.array, t.weak)
('float', dtype('float64'), False, True)
"""

from __future__ import annotations

import inspect
import operator
from dataclasses import dataclass
from typing import Any

import gast
import numpy as np

from s2s import registry, runtime
from s2s.codegen.ir import (
    ATTRIBUTE,
    CONST,
    COPY,
    LOCAL_CALL,
    OPAQUE,
    POP,
    SETITEM,
    Marker,
    Stmt,
    is_literal,
)
from s2s.runtime.namespace import is_foreign_array


@dataclass(frozen=True)
class VType:
    """What generation knows of a value: kind (``float int bool complex other``), dtype, array-ness.

    ``dtype`` is ``None`` when unknown; ``weak`` marks Python scalars (NEP 50); ``value`` holds a
    value known at generation time (a ``.dtype``, a proven ``x.shape`` or int) or ``None``;
    ``shape`` the proven shape (:mod:`s2s.analysis.static_shapes`) or ``None``.
    """

    kind: str = "unknown"
    dtype: np.dtype | None = None
    array: bool | None = None
    weak: bool = False
    value: Any = None
    shape: tuple[int, ...] | None = None


UNKNOWN = VType()


class ShapeValue(tuple):
    """The value of ``x.shape`` when ``x``'s shape is proven: its items are known ints."""


SHAPE = "a shape tuple"  # VType.value of ``x.shape``: its items are Python ints
_PYTHON_INT = VType("int", np.dtype(np.int64), False, True)


def vtype_of(value: Any, shaped: bool = False) -> VType:
    """The :class:`VType` of a runtime argument (part of the specialization key); with
    ``shaped``, an array's shape too (a shape specialization)."""
    if isinstance(value, bool):
        return VType("bool", np.dtype(bool), False, True)
    if isinstance(value, int):
        return VType("int", np.dtype(np.int64), False, True)
    if isinstance(value, float):
        return VType("float", np.dtype(np.float64), False, True)
    if isinstance(value, complex):
        return VType("complex", np.dtype(np.complex128), False, True)
    if isinstance(value, (np.ndarray, np.generic)):
        shape = value.shape if shaped else None
        return VType(_kind(value.dtype), value.dtype, isinstance(value, np.ndarray), shape=shape)
    if type(value) is tuple:  # the items' types, in order (part of the specialization key)
        return VType("tuple", value=tuple(vtype_of(v, shaped) for v in value))
    if is_foreign_array(value):  # a Dask or CuPy array: shapes stay with the array
        return VType(_kind(value.dtype), value.dtype, True)
    return VType("other")


def joined(first: VType, second: VType) -> VType:
    """The type of a name bound more than once: a name assigned in a branch or loop is one name
    throughout (a parameter too, whose argument's type holds on the paths that skip or never
    enter the rebinding), so its type is what every binding agrees on. A shape, array-ness or
    dtype they disagree on is unknown (``None``: checked at run time), never the last one's."""
    if first == second:
        return first
    known = first.dtype is not None and second.dtype is not None  # (np.dtype(None) is float64)
    if known and first.dtype == second.dtype and first.kind == second.kind:
        array = first.array if first.array == second.array else None
        shape = first.shape if first.shape == second.shape else None
        return VType(first.kind, first.dtype, array, shape=shape)
    return VType("float") if "float" in (first.kind, second.kind) else UNKNOWN


def _kind(dtype: np.dtype) -> str:
    return {"f": "float", "i": "int", "u": "int", "b": "bool", "c": "complex"}.get(
        dtype.kind, "other"
    )


_BUILTIN_TYPES = {"int": int, "float": float, "bool": bool, "complex": complex}


def _static_dtype(atom: gast.expr, types: dict[str, VType]) -> Any:
    """A dtype argument's value if it is known at generation time, else ``None``."""
    if isinstance(atom, gast.Constant):
        return atom.value
    if isinstance(atom, gast.Name):
        if atom.id in types:
            value = types[atom.id].value
            return value if isinstance(value, np.dtype) else None
        return _BUILTIN_TYPES.get(atom.id)
    chain = []
    node = atom
    while isinstance(node, gast.Attribute):
        chain.append(node.attr)
        node = node.value
    if isinstance(node, gast.Name) and node.id in ("np", "numpy", "_np"):
        obj: Any = np
        for attr in reversed(chain):
            obj = getattr(obj, attr, None)
        return obj
    return None


def _operand_type(atom: gast.expr, types: dict[str, VType]) -> VType:
    if isinstance(atom, gast.Name):
        return types.get(atom.id, UNKNOWN)
    if is_literal(atom):
        value = atom.operand.value if isinstance(atom, gast.UnaryOp) else atom.value
        return vtype_of(value)
    return UNKNOWN


_COMPLEX = VType("complex")  # a complex operand (1j): complex numbers are not differentiated


def infer(stmt: Stmt, types: dict[str, VType]) -> VType:
    op = stmt.op
    if op is ATTRIBUTE:
        source = _operand_type(stmt.args[0], types)
        attr = stmt.expr.attr
        if attr == "dtype" and source.dtype is not None:
            return VType("other", value=source.dtype)
        if source.array is not None and attr in ("ndim", "size"):
            return _PYTHON_INT
        if source.array is not None and attr == "shape":
            return VType("other", value=SHAPE)
        return VType("other")
    if op is operator.getitem and len(stmt.args) == 2:
        source = _operand_type(stmt.args[0], types)
        index = _operand_type(stmt.args[1], types)
        shape_value = source.value is SHAPE or isinstance(source.value, ShapeValue)
        if shape_value and index.kind == "int":  # x.shape[0]: a Python int
            return _PYTHON_INT
    if op is COPY or op is SETITEM:
        return _operand_type(stmt.args[0], types)
    if op is LOCAL_CALL:  # a nested def's value: not its arguments' promotion (it reads p0 too)
        return UNKNOWN
    if op in (CONST, OPAQUE):
        if op is CONST and isinstance(stmt.expr, gast.Constant):
            return vtype_of(stmt.expr.value)
        if op is CONST and stmt.value_hint is not None:
            return vtype_of(stmt.value_hint)  # a global read: its type when generating
        return UNKNOWN
    if op is runtime.augmented:
        old = _operand_type(stmt.args[1], types)
        return old if old.array else _operand_type(stmt.args[0], types)
    facts = registry.facts_of(op) if not isinstance(op, Marker) else registry.NO_FACTS
    if facts.dtype == registry.CAST:
        dtype_atom = stmt.kwargs.get("dtype", stmt.args[1] if len(stmt.args) > 1 else None)
        if dtype_atom is not None:
            value = _static_dtype(dtype_atom, types)
            if value is None:
                return UNKNOWN
            dtype = np.dtype(value)
            return VType(_kind(dtype), dtype, True)
        return _operand_type(stmt.args[0], types) if stmt.args else UNKNOWN
    if op is float:
        return VType("float", np.dtype(np.float64), False, False)
    if facts.dtype == registry.NEW:  # np.zeros(shape, dtype=float): a new array of that dtype
        dtype_atom = stmt.kwargs.get("dtype")
        value = _static_dtype(dtype_atom, types) if dtype_atom is not None else np.float64
        if value is None:
            return UNKNOWN
        dtype = np.dtype(value)
        return VType(_kind(dtype), dtype, True)
    if facts.dtype == registry.LIKE and stmt.args:  # np.zeros_like(x): x's dtype
        dtype_atom = stmt.kwargs.get("dtype")
        if dtype_atom is not None:
            value = _static_dtype(dtype_atom, types)
            if value is None:
                return UNKNOWN
            dtype = np.dtype(value)
            return VType(_kind(dtype), dtype, True)
        source = _operand_type(stmt.args[0], types)
        return VType(source.kind, source.dtype, True) if source.dtype is not None else UNKNOWN
    if facts.dtype == registry.ZEROS and stmt.args:  # _s2s.zero_tangent(y): a float like y
        source = _operand_type(stmt.args[0], types)
        if source.kind != "float" or source.dtype is None:
            return UNKNOWN  # (a list's: a list of zeros)
        dtype = runtime.acc_dtype(source.dtype)  # a 0-d array gives a scalar
        return VType("float", dtype, False if source.array is False or source.shape == () else
                     (True if source.shape else None))  # fmt: skip
    if op is np.dtype and stmt.args:
        value = _static_dtype(stmt.args[0], types)
        return VType("other", value=np.dtype(value)) if value is not None else VType("other")
    rule = registry.lookup(op) if not isinstance(op, Marker) else None
    if rule is not None and rule.kind == registry.PIECEWISE_CONSTANT:
        return VType("other")
    operands = [_operand_type(a, types) for a in stmt.args]
    if rule is None and not isinstance(op, Marker) and stmt.method is None:
        return UNKNOWN  # np.zeros(4), a helper: no promotion rule tells what it returns
    if rule is not None and rule.kind != registry.ELEMENTWISE:
        return _infer_rule(rule, stmt, types)
    if any(t.kind == "complex" for t in operands):  # w * 1j: refused where it carries a gradient
        return _COMPLEX
    floats = [t for t in operands if t.kind in ("float", "int", "bool")]
    if not operands or len(floats) != len(operands) or any(t.dtype is None for t in floats):
        if any(t.kind == "float" for t in operands):
            return VType("float")
        return UNKNOWN
    try:
        dtype = np.result_type(*_probes(floats))
    except (TypeError, ValueError):
        return UNKNOWN
    if dtype.kind in "iub" and facts.dtype == registry.FLOAT or facts.dtype == registry.FLOAT64:
        dtype = np.dtype(np.float64)
    if any(t.array for t in floats):
        array = True
    else:  # scalars give a scalar; an operand that may be an array may give one
        array = False if all(t.array is False for t in floats) else None
    return VType(_kind(dtype), dtype, array)


def _infer_rule(rule: registry.Rule, stmt: Stmt, types: dict[str, VType]) -> VType:
    """A non-elementwise rule's output dtype: the promotion of its differentiable operands."""
    try:
        bound = call_signature(rule).bind(*stmt.args, **stmt.kwargs)
    except TypeError:
        return UNKNOWN
    operands: list[VType] = []
    for param, atom in bound.arguments.items():
        if param in rule.structural:
            continue
        for element in atom if isinstance(atom, tuple) else (atom,):
            if isinstance(element, (gast.List, gast.Tuple)):
                operands.extend(_operand_type(e, types) for e in element.elts)
            else:
                operands.append(_operand_type(element, types))
    if any(t.kind == "complex" for t in operands):
        return _COMPLEX
    if not operands or any(
        t.dtype is None or t.kind not in ("float", "int", "bool") for t in operands
    ):
        return VType("float") if any(t.kind == "float" for t in operands) else UNKNOWN
    try:
        dtype = np.result_type(*_probes(operands))
    except (TypeError, ValueError):
        return UNKNOWN
    if registry.facts_of(rule.primal).dtype == registry.FLOAT64:
        dtype = np.dtype(np.float64)
    return VType(_kind(dtype), dtype, False if _full_reduction(rule, bound) else None)


def _full_reduction(rule: registry.Rule, bound: inspect.BoundArguments) -> bool:
    """A reduction over every axis (no ``axis``, no ``keepdims``): its result is a scalar."""
    if registry.facts_of(rule.primal).shape != registry.REDUCTION:
        return False
    axis = bound.arguments.get("axis")
    if axis is not None and not (isinstance(axis, gast.Constant) and axis.value is None):
        return False
    return "keepdims" not in bound.arguments and "out" not in bound.arguments


def _probes(operands: list[VType]) -> list[Any]:
    return [t.dtype.type(0).item() if t.weak else np.empty(0, t.dtype) for t in operands]


def call_signature(rule: registry.Rule) -> inspect.Signature:
    """The template's signature without its output parameters (cached on the rule)."""
    cached = getattr(rule, "_call_signature", None)
    if cached is None:
        params = list(inspect.signature(rule.signature_template).parameters.values())
        params = params[rule.n_outputs :]
        cached = inspect.Signature(params)
        rule._call_signature = cached
    return cached


def bound_arguments(rule: registry.Rule, args: list, kwargs: dict) -> dict[str, Any]:
    """``call_signature(rule).bind(*args, **kwargs).arguments`` as a dict (the parameters given,
    in the signature's order); ``TypeError`` where ``bind`` raises it. Positional arguments
    alone, no more than the parameters before any ``*args``, with every parameter left
    optional, are paired with their names without ``bind`` (what it gives them)."""
    signature = call_signature(rule)
    plain = getattr(rule, "_plain_positional", None)  # (of this signature: a new one, anew)
    if plain is None or plain[0] is not signature:
        params = list(signature.parameters.values())
        names: list[str] = []
        for param in params:
            if param.kind not in (param.POSITIONAL_ONLY, param.POSITIONAL_OR_KEYWORD):
                break
            names.append(param.name)
        optional = [all(p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
                        for p in params[k:]) for k in range(len(names) + 1)]  # fmt: skip
        plain = rule._plain_positional = (signature, names, optional)
    _, names, optional = plain
    if not kwargs and len(args) <= len(names) and optional[len(args)]:
        return dict(zip(names, args))
    return dict(signature.bind(*args, **kwargs).arguments)


def tape_restores(func: Any, flat: list[Stmt], renamed: dict[str, str]) -> set[int]:
    """In a derivative s2s generated (differentiated again), the statements ``x = tape.pop()``
    of its tapes (``__s2s_tape__``: its own, and those of the derivatives it differentiated,
    whose code it runs) whose ``x`` is bound elsewhere too: the tape gives back a value ``x``
    held before, so ``x`` keeps the type of its other bindings (an int index stays an int, not
    a value of the tape's unknown items: a while loop's counter at third order). A tape is
    known by its name in the code, or by the name it stands for where the frontend named a
    list bound again anew (``renamed``: :mod:`s2s.frontend.rebinding`; a derivative's code
    binds an inner derivative's tape to ``None``, then to a new list when it runs that
    derivative's primal sweep again)."""
    tapes = getattr(func, "__s2s_tape__", ())
    if not tapes:
        return set()
    pops = [
        s for s in flat
        if s.op is POP and len(s.targets) == 1 and s.args
        and isinstance(s.args[0], gast.Name) and renamed.get(s.args[0].id, s.args[0].id) in tapes
    ]  # fmt: skip
    popped = {id(s) for s in pops}
    bound = {t for s in flat if id(s) not in popped for t in s.targets}
    return {id(s) for s in pops if s.targets[0] in bound}
