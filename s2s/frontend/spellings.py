"""Spellings: the operators, methods and attributes of numpy code and the function each one is."""

from __future__ import annotations

import builtins
import operator
from typing import Any

import gast
import numpy as np

from s2s import runtime
from s2s.codegen.walking import copy_tree
from s2s.frontend.resolve import Method, Target, numpy_path

BINARY_UFUNCS: dict[type, Any] = {
    gast.Add: np.add,
    gast.Sub: np.subtract,
    gast.Mult: np.multiply,
    gast.Div: np.true_divide,
    gast.Pow: np.power,
    gast.MatMult: np.matmul,
    gast.FloorDiv: np.floor_divide,
    gast.Mod: np.remainder,
    gast.BitAnd: np.bitwise_and,
    gast.BitOr: np.bitwise_or,
    gast.BitXor: np.bitwise_xor,
    gast.LShift: np.left_shift,
    gast.RShift: np.right_shift,
}
UNARY_UFUNCS: dict[type, Any] = {
    gast.USub: np.negative,
    gast.UAdd: np.positive,
    gast.Invert: np.invert,
    gast.Not: operator.not_,
}
COMPARE_UFUNCS: dict[type, Any] = {
    gast.Lt: np.less,
    gast.LtE: np.less_equal,
    gast.Gt: np.greater,
    gast.GtE: np.greater_equal,
    gast.Eq: np.equal,
    gast.NotEq: np.not_equal,
}
# Methods of ndarray and the numpy function that differentiates each (receiver first).
METHODS: dict[str, Any] = {
    "sum": np.sum, "mean": np.mean, "prod": np.prod, "max": np.max, "min": np.min,
    "var": np.var, "std": np.std, "cumsum": np.cumsum, "cumprod": np.cumprod,
    "ravel": np.ravel, "flatten": np.ravel, "squeeze": np.squeeze, "swapaxes": np.swapaxes,
    "dot": np.dot, "astype": np.astype, "copy": np.copy, "clip": np.clip,
    "argmax": np.argmax, "argmin": np.argmin, "argsort": np.argsort, "take": np.take,
    "trace": np.trace, "diagonal": np.diagonal, "reshape": np.reshape,
    "transpose": np.transpose, "all": np.all, "any": np.any, "nonzero": np.nonzero,
    "round": np.round,  "item": builtins.float, "repeat": np.repeat,
    "view": np.asarray,  # x.view(): the same values, sharing x's memory (no argument only)
}  # fmt: skip
VARARG_METHODS = {"reshape", "transpose"}  # x.reshape(2, 3) means np.reshape(x, (2, 3))
ATTRIBUTES: dict[str, Any] = {"T": np.transpose, "real": np.real, "imag": np.imag}
METADATA = {"shape", "ndim", "size", "dtype", "itemsize", "nbytes", "strides", "flags"}
BUILTIN_ALIASES: dict[Any, Any] = {builtins.abs: np.absolute}
# Reductions called with `where=` or `initial=` (a function or its method): differentiated by
# the rule of the runtime function that computes the same (the call itself stays numpy's).
VARIANT_KEYWORDS = frozenset({"where", "initial"})
KEYWORD_VARIANTS: dict[Any, Any] = {
    np.sum: runtime.sum_where, np.prod: runtime.prod_where, np.mean: runtime.mean_where,
    np.max: runtime.max_where, np.amax: runtime.max_where, np.min: runtime.min_where,
    np.amin: runtime.min_where, np.var: runtime.var_where, np.std: runtime.std_where,
}  # fmt: skip


# ufunc.at on a local array, written as a write of the new values: `np.add.at(buf, idx, v)` is
# `buf[...] = _s2s.add_at(buf, idx, v)` (refused where any write into buf is)
AT_FUNCTIONS: dict[Any, Any] = {
    np.add: runtime.add_at, np.subtract: runtime.subtract_at, np.multiply: runtime.multiply_at,
    np.maximum: runtime.maximum_at, np.minimum: runtime.minimum_at,
}  # fmt: skip


# numpy's in-place writers, written the same way: `np.put(buf, ind, v)` is
# `buf[...] = _s2s.put(buf, ind, v)` (each runtime function has numpy's signature)
WRITERS: dict[Any, Any] = {
    np.put: runtime.put, np.putmask: runtime.putmask, np.place: runtime.place,
    np.copyto: runtime.copyto, np.fill_diagonal: runtime.fill_diagonal,
    np.put_along_axis: runtime.put_along_axis,
}  # fmt: skip


def as_write(stmt: gast.stmt) -> gast.stmt:
    """``np.add.at(buf, idx, v)`` or ``np.put(buf, ind, v)`` (a statement) as the write
    ``buf[...] = _s2s.add_at(buf, idx, v)`` that does the same, at the same location; any
    other statement unchanged."""
    node = stmt.value if isinstance(stmt, gast.Expr) else None
    if not isinstance(node, gast.Call) or not node.args:
        return stmt
    obj = getattr(getattr(node.func, "s2s_target", None), "obj", None)
    ufunc = getattr(obj, "__self__", None)
    if getattr(obj, "__name__", "") == "at" and isinstance(ufunc, np.ufunc):
        if node.keywords or len(node.args) != 3:
            return stmt
        function = AT_FUNCTIONS.get(ufunc)
    else:
        function = WRITERS.get(obj) if hashable(obj) else None
    if function is None or not isinstance(node.args[0], gast.Name):
        return stmt
    func = attr_chain("_s2s." + function.__name__)
    func.s2s_target = Target(function, "global", "_s2s", (function.__name__,))
    value = gast.Call(
        func=func,
        args=[copy_tree(a) for a in node.args],
        keywords=[copy_tree(k) for k in node.keywords],
    )
    ellipsis = gast.Constant(value=Ellipsis, kind=None)
    buf = gast.Subscript(value=name_node(node.args[0].id), slice=ellipsis, ctx=gast.Store())
    write = gast.Assign(targets=[buf], value=value, type_comment=None)
    return gast.copy_location(write, stmt)


def call_op(obj: Any, keywords: Any) -> Any:
    """The function whose rule differentiates a call of ``obj`` with these keyword names."""
    return keyword_variant(BUILTIN_ALIASES.get(obj, obj) if hashable(obj) else obj, keywords)


def keyword_variant(op: Any, keywords: Any) -> Any:
    """The function whose rule differentiates ``op`` called with these keyword names."""
    if VARIANT_KEYWORDS.isdisjoint(keywords) or not hashable(op):
        return op
    return KEYWORD_VARIANTS.get(op, op)


def name_node(id_: str, ctx: Any = None) -> gast.Name:
    """A ``gast.Name`` (load context unless ``ctx`` is given)."""
    return gast.Name(id=id_, ctx=ctx or gast.Load(), annotation=None, type_comment=None)


def attr_chain(path: str) -> gast.expr:
    parts = path.split(".")
    node: gast.expr = name_node(parts[0])
    for part in parts[1:]:
        node = gast.Attribute(value=node, attr=part, ctx=gast.Load())
    return node


def emitted_target(target: Target) -> gast.expr | None:
    """The reserved-name spelling of a library call target (``_np.tanh``), if it has one."""
    obj = target.obj
    path = numpy_path(obj)
    if path is not None:
        return attr_chain("_np." + path)
    for name in runtime.__all__:
        if getattr(runtime, name) is obj:
            return attr_chain("_s2s." + name)
    return None


def hashable(obj: Any) -> bool:
    try:
        hash(obj)
    except TypeError:
        return False
    return True


def base_name(node: gast.expr) -> str:
    if isinstance(node, gast.BinOp):
        return BINARY_UFUNCS[type(node.op)].__name__
    if isinstance(node, gast.UnaryOp):
        return getattr(UNARY_UFUNCS[type(node.op)], "__name__", "not").strip("_")
    if isinstance(node, gast.Compare):
        op = COMPARE_UFUNCS.get(type(node.ops[0]))
        return op.__name__ if op is not None and len(node.ops) == 1 else "compare"
    if isinstance(node, gast.Subscript):
        return "getitem"
    if isinstance(node, gast.Call):
        target = getattr(node.func, "s2s_target", None)
        if isinstance(target, Method):
            return target.name
        if isinstance(target, Target) and target.scope == "argument":  # act(x): tanh_1
            name = getattr(getattr(target.obj, "__func__", target.obj), "__name__", "")
            if name.isidentifier():
                return name
            return "call"
        if isinstance(node.func, gast.Attribute):
            return node.func.attr
        if isinstance(node.func, gast.Name):
            return node.func.id
        return "call"
    if isinstance(node, gast.Attribute):
        return "transpose" if node.attr == "T" else node.attr
    return "value"
