"""Trip calls: whether a call in a checkpointed loop's trips may draw or act when run again.

The adjoint sweep of a checkpointed loop (:mod:`s2s.frontend.checkpoints`) runs its trips
again, so each call in them must be shown free of random draws and side effects: a numpy,
scipy or ``math`` function that does not draw, a pure builtin, an array method that only
returns a value, or a function of yours whose body passes the same check (recursively). A
function value passed to a call (``np.apply_along_axis(f, 0, x)``, ``np.piecewise(x, c,
[f, g])``, ``functools.reduce(f, xs)``, ``sorted(xs, key=f)``, ``np.vectorize(f)``) is checked
as if it were called there: the callee calls it. A local name or argument in a callee's
function position (``np.apply_along_axis(fn, ...)`` with ``fn`` a parameter) is refused, since
its body cannot be read.
"""

from __future__ import annotations

import ast
import builtins
import functools
import types
from typing import Any

import gast
import numpy as np

from s2s.codegen.walking import copy_tree, walk
from s2s.errors import S2SError
from s2s.frontend.parse import parse
from s2s.frontend.replay import (
    RANDOM_METHODS,
    draw_methods,
    has_effects,
    is_random_draw,
    pure_array_methods,
)
from s2s.frontend.resolve import Method, Target, global_value, is_library, local_names, resolve

_PURE_BUILTINS = frozenset({
    "abs", "all", "any", "bool", "complex", "dict", "divmod", "enumerate", "float", "frozenset",
    "int", "isinstance", "len", "list", "max", "min", "pow", "range", "reversed", "round",
    "set", "slice", "sorted", "str", "sum", "tuple", "zip",
})  # fmt: skip (they only return a value for numbers, arrays and containers)


def _text(node: Any) -> str:
    return ast.unparse(gast.gast_to_ast(copy_tree(node)))


def _plain_exception(obj: Any) -> bool:
    """Whether ``obj`` is an exception class whose making only stores its arguments: no
    class of yours in its MRO defines ``__init__``, ``__new__`` or ``__setattr__``."""
    return isinstance(obj, type) and issubclass(obj, BaseException) and not any(
        cls.__module__ != "builtins" and {"__init__", "__new__", "__setattr__"} & set(vars(cls))
        for cls in obj.__mro__)  # fmt: skip


_PURE_MODULES = {"numpy", "scipy", "math", "cmath", "builtins", "s2s", "_operator", "operator",
                 "dask", "cupy", "functools", "_functools", "itertools"}  # fmt: skip (shown free)


def trip_call_problem(
    node: gast.Call, seen: set[int], owner: types.FunctionType | None = None
) -> tuple[str, str] | None:
    """Why the call ``node`` (resolved: :func:`s2s.frontend.resolve.resolve`) may draw or have
    a side effect when a trip runs again: ``("draw" | "effect" | "unknown", reason)``, or
    ``None`` where s2s can show it has neither (``seen``: the functions of yours being checked,
    by id, for recursion; ``owner``: the function whose code holds ``node``, whose globals
    name the function values it passes)."""
    problem = _call_problem(node, seen)
    if problem is None and owner is not None:
        problem = _callback_problem(node, seen, owner)
    return problem


def _call_problem(node: gast.Call, seen: set[int]) -> tuple[str, str] | None:
    target = getattr(node.func, "s2s_target", None)
    text = _text(node.func)
    if isinstance(target, Method):
        if target.name in draw_methods() | RANDOM_METHODS:
            return "draw", f"`{text}(...)` is a random generator's method"
        if target.name in pure_array_methods():
            return None  # x.sum(), x.reshape(...): an array's (an object of yours: taken as one)
        return "unknown", (f"`{text}(...)` calls a method of an object, which may draw random "
                           "numbers or change the object")
    if not isinstance(target, Target) and getattr(node.func, "s2s_nested_def", False):
        return "unknown", (f"`{text}` is a nested def, which s2s does not check for draws and "
                           "side effects (define it at module level: s2s checks its body)")
    if not isinstance(target, Target):
        return "unknown", (f"`{text}` is a function value (an argument, a local name or an "
                           "expression), not a function s2s can read")
    obj = target.obj
    if _plain_exception(obj):
        return None  # `raise ValueError(...)`: a trip run again raised in the primal first
    if isinstance(obj, type) and issubclass(obj, BaseException):
        return "unknown", (f"`{text}` is an exception class with an `__init__`, `__new__` or "
                           "`__setattr__` of yours, which s2s does not look into (raise a "
                           "builtin exception or a subclass that defines none of them)")
    if is_random_draw(obj):
        return "draw", f"`{text}(...)` is a random draw"
    if target.scope == "builtin":
        if getattr(obj, "__name__", None) in _PURE_BUILTINS:
            return None
        return "effect", f"`{text}(...)` is a builtin that acts (prints, reads or writes)"
    if target.scope == "argument":
        return "unknown", (f"`{text}` is passed in as an argument (a {type(obj).__name__}), "
                           "which s2s does not look into")
    return _value_problem(obj, text, seen)


def _value_problem(obj: Any, text: str, seen: set[int]) -> tuple[str, str] | None:
    """:func:`trip_call_problem` for a call of the value ``obj`` (spelled ``text``)."""
    if is_random_draw(obj):
        return "draw", f"`{text}(...)` is a random draw"
    if isinstance(obj, np.vectorize):
        obj = obj.pyfunc
    if isinstance(obj, types.MethodType):
        obj = obj.__func__
    if is_library(obj) and not isinstance(obj, functools.partial):
        module = (getattr(obj, "__module__", None) or "").split(".")[0]
        if (isinstance(obj, types.BuiltinFunctionType) and module not in _PURE_MODULES
                and not isinstance(getattr(obj, "__self__", None), np.ufunc)):  # np.add.reduce
            return "effect", (f"`{text}(...)` is a function of the module `{module or '?'}` "
                              "written in C, which may read a clock, a file or state")
        return None
    if not isinstance(obj, types.FunctionType):
        return "unknown", f"`{text}` is a {type(obj).__name__}, which s2s does not look into"
    return function_problem(obj, text, seen)


# where numpy, functools and the builtins take a function they call: (positions, keywords)
_CALLBACKS = {
    "apply_along_axis": ((0,), ("func1d",)), "apply_over_axes": ((0,), ("func",)),
    "piecewise": ((2,), ("funclist",)), "vectorize": ((0,), ("pyfunc",)),
    "frompyfunc": ((0,), ("func",)), "reduce": ((0,), ("function",)), "map": ((0,), ()),
    "filter": ((0,), ()), "sorted": ((), ("key",)), "min": ((), ("key",)),
    "max": ((), ("key",)), "partial": ((0,), ("func",)),
}  # fmt: skip


def _callback_problem(
    node: gast.Call, seen: set[int], owner: types.FunctionType
) -> tuple[str, str] | None:
    """:func:`trip_call_problem` for the function values ``node`` passes (``_draw`` in
    ``np.apply_along_axis(_draw, 0, x)``): each global or closure function among its arguments
    (or the items of a list or tuple display there) is checked as a call of it; a local name
    where the callee (by name, :data:`_CALLBACKS`) takes a function is refused as unknown."""
    target = getattr(node.func, "s2s_target", None)
    name = getattr(target.obj, "__name__", None) if isinstance(target, Target) else None
    known = name is not None and any(  # np.add.reduce is no functools.reduce
        getattr(module, name, None) is target.obj for module in (np, functools, builtins)
    )
    positions, keywords = _CALLBACKS.get(name, ((), ())) if known else ((), ())
    callee = _text(node.func)
    local = local_names(parse(owner).tree) if positions or keywords else set()
    args = [(i in positions, a) for i, a in enumerate(node.args)]
    args += [(k.arg in keywords, k.value) for k in node.keywords]
    for taken, arg in args:
        values = arg.elts if isinstance(arg, (gast.List, gast.Tuple)) else [arg]
        for value in values:
            if taken and isinstance(value, gast.Name) and value.id in local:
                return "unknown", (f"`{_text(value)}`, passed to `{callee}`, which calls it, is "
                                   "a local name or an argument, whose body s2s does not read")
            if not isinstance(value, (gast.Name, gast.Attribute)):
                continue
            obj = global_value(owner, value)
            if not callable(obj) or isinstance(obj, type) or (
                is_library(obj) and not is_random_draw(obj)
                and not isinstance(obj, (functools.partial, np.vectorize))
            ):
                continue
            inner = _value_problem(obj, _text(value), seen)
            if inner is not None:
                return inner[0], f"`{callee}` calls the function passed to it: {inner[1]}"
    return None


def written_problem(
    tree: gast.FunctionDef, func: types.FunctionType, owner: types.FunctionType,
    written: dict[str, tuple[gast.FunctionDef, types.FunctionType]], seen: set[int],
) -> tuple[str, str] | None:
    """:func:`trip_call_problem` for a call of ``tree``, the nested def that the container
    lowering (:mod:`s2s.frontend.methods`) wrote out of ``func``, a function or method of
    yours given a parameter container whole, in the code of ``owner`` (resolved): the calls of
    its body as written there (``p.get("w")`` of the dict already read as its leaf; a call of
    another such def, named in ``written``, through that def's), then ``func``'s effects."""
    if id(func) in seen:
        return None
    seen.add(id(func))
    calls = []
    for node in walk(tree):
        if isinstance(node, gast.Call):
            callee = node.func.id if isinstance(node.func, gast.Name) else None
            calls.append(written_problem(*written[callee], owner, written, seen)
                         if callee in written else trip_call_problem(node, seen, owner))
    return _body_problem(func, func.__qualname__, calls, True)


def function_problem(
    func: types.FunctionType, text: str, seen: set[int]
) -> tuple[str, str] | None:
    """:func:`trip_call_problem` for a function of yours called by name: its body, recursively."""
    if id(func) in seen:
        return None
    seen.add(id(func))
    name = getattr(func, "__qualname__", text)
    try:
        helper = parse(func)
    except S2SError:
        helper = None
    calls = []
    if helper is not None:
        resolve(helper)
        calls = [trip_call_problem(node, seen, func) for node in walk(helper.tree)
                 if isinstance(node, gast.Call)]  # fmt: skip
    return _body_problem(func, name, calls, helper is not None)


def _body_problem(
    func: types.FunctionType, name: str, calls: list, read: bool
) -> tuple[str, str] | None:
    """What :func:`function_problem` finds from the problems of the calls in ``func``'s body
    (``read``: whether its source could be read): a draw first, then a side effect of its own
    (:func:`s2s.frontend.replay.has_effects`), then any other call's problem."""
    problems = [(inner[0], f"{name}, a function of yours it calls, makes a call: {inner[1]}")
                for inner in calls if inner is not None]  # fmt: skip
    draws = [p for p in problems if p[0] == "draw"]
    if draws:  # named as a draw, whose advice fits, before has_effects' wider "side effects"
        return draws[0]
    if has_effects(func, set()):
        return "effect", (f"{name}, a function of yours it calls, has side effects (a print, a "
                          "write to a global or an attribute, a change of a list, dict or array "
                          "it did not make, such as `.append`, `.pop()`, `CALLS[0] += 1` or "
                          "`np.copyto(BUF, v)`, or a random draw)")
    if not read:
        return "unknown", f"s2s cannot read the source of {name}"
    return problems[0] if problems else None
