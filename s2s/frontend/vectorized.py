"""Vectorized: a call of a ``numpy.vectorize`` object becomes a call of ``_s2s.vectorized``.

``vf(x, y)``, where ``vf`` is a ``numpy.vectorize`` object (a global, an argument, an item or
attribute of either, a local name bound once to ``np.vectorize(...)``, or ``np.vectorize(f)``
called at once), is written ``_s2s.vectorized(vf, x, y)``: a runtime helper with a rule, which
differentiates ``vf.pyfunc`` on each element when the derivative runs
(:mod:`s2s.runtime.vectorized`). Runs after :mod:`s2s.frontend.resolve`. Refused at the call:
keyword arguments, more than six arguments, several outputs, and a function that would differ
when the derivative runs it again (:mod:`s2s.frontend.purity`: a random draw, a write).

>>> import numpy as np
>>> from s2s.frontend.parse import parse
>>> from s2s.frontend.resolve import resolve
>>> vf = np.vectorize(lambda a, b: a * b if a > 0 else b)
>>> def f(x, y):
...     return vf(x, y)
>>> primal = parse(f)
>>> _ = resolve(primal)
>>> rewrite_vectorized(primal)
>>> import ast
>>> print(ast.unparse(gast.gast_to_ast(primal.tree.body[0])))
return _s2s.vectorized(vf, x, y)
"""

from __future__ import annotations

import copy
from typing import Any

import gast
import numpy as np

from s2s import runtime
from s2s.codegen.walking import inner_nodes, walk
from s2s.errors import NoRuleError
from s2s.frontend.parse import Primal
from s2s.frontend.purity import impurity
from s2s.frontend.resolve import Target, global_value
from s2s.frontend.spellings import attr_chain
from s2s.runtime.vectorized import set_purity_check

_MOST = 6  # the arguments runtime.vectorized differentiates (one caller each)
set_purity_check(impurity)  # the runtime checks an object's function made inside the function
CALLED_AS = {np.vectorize: runtime.vectorized}  # its objects' calls: the helper with the rule


def _is_vectorize_class(node: gast.expr) -> bool:
    """``np.vectorize(...)`` (any spelling that resolves to the class)."""
    target = getattr(node, "s2s_target", None)
    return isinstance(target, Target) and target.obj is np.vectorize


def _bound_once(tree: gast.FunctionDef) -> dict[str, gast.Call]:
    """The local names assigned exactly once, by ``name = np.vectorize(...)``: that call."""
    stores: dict[str, int] = {}
    for node in inner_nodes(tree):  # (counts: in no particular order)
        if isinstance(node, gast.Name) and isinstance(node.ctx, (gast.Store, gast.Del)):
            stores[node.id] = stores.get(node.id, 0) + 1
    found = {}
    for node in walk(tree):
        if (
            isinstance(node, gast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], gast.Name)
            and isinstance(node.value, gast.Call)
            and _is_vectorize_class(node.value.func)
        ):
            found[node.targets[0].id] = node.value
    return {name: call for name, call in found.items() if stores.get(name) == 1}


def _names_vectorize(node: gast.AST) -> bool:
    """``node`` resolved to ``numpy.vectorize`` or to one of its objects (every call
    :func:`rewrite_vectorized` rewrites has such a node)."""
    target = getattr(node, "s2s_target", None)
    return isinstance(target, Target) and (
        target.obj is np.vectorize or isinstance(target.obj, np.vectorize)
    )


def _is_vectorize_call(func: gast.expr, bound: dict[str, gast.Call]) -> bool:
    target = getattr(func, "s2s_target", None)
    if isinstance(target, Target):
        return isinstance(target.obj, np.vectorize)
    if isinstance(func, gast.Call):
        return _is_vectorize_class(func.func)
    return isinstance(func, gast.Name) and func.id in bound


def _refusal(primal: Primal, node: gast.Call, bound: dict[str, gast.Call]) -> Any:
    """Why the helper's rule cannot take this call, with advice; ``None`` if it can."""
    if node.keywords:
        return "a numpy.vectorize object called with keyword arguments is not differentiated", (
            "pass its arguments by position"
        )
    if len(node.args) > _MOST:
        return (
            f"a numpy.vectorize object called with {len(node.args)} arguments is not "
            f"differentiated (1 to {_MOST} are)",
            "stack some arguments into one array (with signature=), or bind constants to "
            "its function with functools.partial",
        )
    target = getattr(node.func, "s2s_target", None)
    obj = target.obj if isinstance(target, Target) else None
    signature = getattr(obj, "signature", None)
    if signature is not None and signature.split("->")[-1].count("(") != 1:
        return (
            f"a numpy.vectorize object with signature {signature!r} returns several outputs: "
            "only one output is differentiated",
            "make one vectorize object per output",
        )
    pyfunc = obj.pyfunc if obj is not None else _pyfunc(primal, node.func, bound)
    found = impurity(pyfunc) if pyfunc is not None else None
    if found is None:
        return None
    what, at = found
    name = getattr(pyfunc, "__qualname__", "its function")
    return (
        f"the function of this numpy.vectorize object, {name} ({at.filename}:{at.lineno}), "
        f"{what}: the derivative runs it again on each element (a draw would differ from "
        "the value's, an effect would happen twice)",
        "draw the random numbers (or make the effects) in the differentiated function and "
        "pass them to the object as an argument",
    )


def _pyfunc(primal: Primal, func: gast.expr, bound: dict[str, gast.Call]) -> Any:
    """The function of the object made here, ``np.vectorize(helper)`` (called at once or bound
    to ``func``'s name), when ``helper`` is a global or closure value; else ``None``."""
    made = bound.get(func.id) if isinstance(func, gast.Name) else func
    if not isinstance(made, gast.Call):
        return None
    given = made.args[0] if made.args else next(
        (k.value for k in made.keywords if k.arg == "pyfunc"), None
    )
    return global_value(primal.func, given) if given is not None else None


def rewrite_vectorized(primal: Primal) -> None:
    """Write each call of a ``numpy.vectorize`` object in ``primal`` as
    ``_s2s.vectorized(vf, *args)`` (in place). A call the rule cannot take (keyword
    arguments, more than six, several outputs, a function that draws random numbers or has
    side effects) is left as written, for activity to refuse where a gradient flows through
    it; of an object made in the function, ``NoRuleError`` at once."""
    if not any(_names_vectorize(n) for n in inner_nodes(primal.tree)):
        return  # no node resolved to numpy.vectorize or to one of its objects: no such call
    bound = _bound_once(primal.tree)
    trips = {id(n) for d in walk(primal.tree) if getattr(d, "s2s_checkpoint", None) is not None
             for n in walk(d)}  # fmt: skip (a checkpointed loop's def: rewritten in its own pass)
    for node in walk(primal.tree):
        if not isinstance(node, gast.Call) or not _is_vectorize_call(node.func, bound):
            continue
        if id(node) in trips:
            continue
        refused = _refusal(primal, node, bound)
        if refused is not None and isinstance(getattr(node.func, "s2s_target", None), Target):
            node.func.s2s_refused = refused  # the call stays: refused only where it is active
            continue
        if refused is not None:  # an object made here: the call could not be run as written
            raise NoRuleError(refused[0], primal.where(node), refused[1])
        callee = copy.copy(node.func)  # the object itself, read as a value
        for attr in ("s2s_target", "s2s_unresolved"):
            callee.__dict__.pop(attr, None)
        func = attr_chain("_s2s.vectorized")
        func.s2s_target = Target(runtime.vectorized, "global", "_s2s", ("vectorized",))
        node.func = gast.copy_location(func, node.func)
        node.args = [callee, *node.args]
