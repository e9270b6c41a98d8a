"""Callables: calls of functions passed as values (an argument, an attribute or an item of one, a
``functools.partial``, a loop over a tuple of functions) bound to the objects they call when the
derivative is specialized, so the later passes see ordinary call targets.

Each object found through an argument is recorded as a :class:`Bound` (the argument, the path to
the object, and the object's :func:`callable_key`); the derivative object re-reads those paths
on every call, so a new callable in the same place generates a new derivative.

>>> import numpy as np
>>> from s2s.frontend.parse import parse
>>> def f(x, act):
...     return np.sum(act(x))
>>> p = parse(f)
>>> [b.text() for b in bind(p, {"act": np.tanh})]
['act']
>>> p.tree.body[0].value.args[0].func.s2s_target.obj is np.tanh
True
"""

from __future__ import annotations

import ast
import functools
import inspect
import types
from dataclasses import dataclass
from typing import Any

import gast
import numpy as np

from s2s.codegen.walking import copy_tree, inner_nodes, walk
from s2s.errors import UnsupportedSyntaxError
from s2s.frontend.callkeys import CONSTANTS, Bound, Step, callable_key, is_callable_instance
from s2s.frontend.comprehensions import hoist
from s2s.frontend.loopitems import (
    enumerate_parts,
    literal_parts,
    located,
    match,
    substitute,
    walk_loop_body,
)
from s2s.frontend.parse import Primal
from s2s.frontend.resolve import (
    CONTAINERS,
    MISSING,
    Target,
    follow,
    global_value,
    local_names,
    name_chain,
    root_value,
)


def bind(primal: Primal, values: dict[str, Any]) -> list[Bound]:
    """Bind the calls of callables reached through ``values`` (the arguments that are not
    differentiated, by parameter name): set ``s2s_target`` on each such call's function, write
    partials out as calls of their function, unroll loops over tuples of functions.

    Returns what was read from the arguments, for the derivative's cache key.

    Raises:
        UnsupportedSyntaxError: a callable known only at run time (chosen by a value, held
            by a name assigned in the function) or a loop over functions left with ``break``.
    """
    binder = _Binder(primal, values)
    binder.block(primal.tree.body)
    primal.values, primal.bound = binder.values, binder.bound
    primal.checked += binder.targets
    return primal.bound


@dataclass
class _Static:
    """A value known when the derivative is made: the object, and the argument path it was
    read from (``None`` for a global or a literal of the function)."""

    obj: Any
    param: str | None = None
    steps: tuple[Step, ...] = ()
    where: tuple[str, str, tuple] | None = None  # a global's (scope, root name, target steps)

    @property
    def in_container(self) -> bool:
        """Read from a global along an item of a container (``CFG["loss"]``, ``FNS[0]``)."""
        return self.where is not None and any(not isinstance(s, str) for s in self.where[2])


class _Binder:
    def __init__(self, primal: Primal, values: dict[str, Any]) -> None:
        self.primal = primal
        tree = primal.tree
        counts: dict[str, int] = {}  # (read by name only: gathered in no order)
        nodes = inner_nodes(tree)  # one walk for the counts, the defs and the comprehensions
        for node in nodes:
            if isinstance(node, gast.Name) and isinstance(node.ctx, (gast.Store, gast.Del)):
                counts[node.id] = counts.get(node.id, 0) + 1
        self.counts = counts
        params = {a.id for a in tree.args.args + tree.args.posonlyargs + tree.args.kwonlyargs}
        self.params = params
        self.values = {n: v for n, v in values.items() if n in params and not counts.get(n)}
        self.local = local_names(tree)
        self.defs = {n.name for n in nodes if isinstance(n, gast.FunctionDef)}
        self.fixed = {n for n in self.local if self.counts.get(n, 0) <= (n not in params)}
        self.comprehended = {n.id for c in nodes if isinstance(c, gast.comprehension)
                             for n in walk(c.target) if isinstance(n, gast.Name)}  # fmt: skip
        # no list comprehension or generator expression: none to hoist or write out (the
        # loops unrolled copy the tree's own statements)
        self.eager = any(isinstance(n, (gast.ListComp, gast.GeneratorExp)) for n in nodes)
        self.tuples: dict[str, list[gast.expr]] = {}  # layers = (np.tanh, np.sin), bound once
        self.partials: dict[str, gast.Call] = {}  # h = partial(helper, scale=c), bound once
        self.bound: list[Bound] = []
        self.targets: list[Target] = []  # lengths of global tuples of functions written out
        self._find_bindings(tree)

    # -- what names stand for ----------------------------------------------------------------
    def _find_bindings(self, tree: gast.FunctionDef) -> None:
        calls_only = self._names_used_only_as_callees(tree)
        for node in walk(tree):
            if not (isinstance(node, gast.Assign) and len(node.targets) == 1):
                continue
            target = node.targets[0]
            if not isinstance(target, gast.Name) or self.counts.get(target.id) != 1:
                continue
            if isinstance(node.value, (gast.Tuple, gast.List)) and node.value.elts:
                if all(callable(getattr(self.static(e), "obj", None)) for e in node.value.elts):
                    self.tuples[target.id] = node.value.elts
            elif self._is_partial(node.value) and target.id in calls_only:
                self._check_bound_once(node.value, target.id)
                self.partials[target.id] = node.value
                node.s2s_partial = True  # the binding is dropped: each call is written out

    def _check_bound_once(self, partial: gast.Call, name: str) -> None:
        """Each call of the partial ``name`` is written out with its bound arguments, which must
        therefore mean the same there: names bound once, constants, attributes of them."""
        for value in partial.args[1:] + [k.value for k in partial.keywords]:
            for sub in walk(value):
                moving = isinstance(sub, gast.Name) and (
                    self.counts.get(sub.id, 0) > (0 if sub.id in self.params else 1)
                )
                if moving or not isinstance(sub, (gast.Name, gast.Constant, gast.Attribute,
                                                  gast.Load, gast.expr_context)):  # fmt: skip
                    raise UnsupportedSyntaxError(
                        f"the partial `{name}` binds a value s2s cannot carry to its calls "
                        + ("(a name assigned again)" if moving else "(an expression)"),
                        self.primal.where(partial),
                        "bind the value to a name assigned once (`s = c * 2.0`) and pass that "
                        "name to partial",
                    )

    def _names_used_only_as_callees(self, tree: gast.FunctionDef) -> set[str]:
        callees: set[int] = set()  # (both passes gather in no order)
        for node in inner_nodes(tree):
            if isinstance(node, gast.Call) and isinstance(node.func, gast.Name):
                callees.add(id(node.func))
        used: dict[str, bool] = {}
        for node in inner_nodes(tree):
            if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load):
                used[node.id] = used.get(node.id, True) and id(node) in callees
        return {n for n, only in used.items() if only}

    def _is_partial(self, node: gast.expr) -> bool:
        return (
            isinstance(node, gast.Call)
            and bool(node.args)
            and not any(isinstance(a, gast.Starred) for a in node.args)
            and all(k.arg is not None for k in node.keywords)
            and self._global(node.func) is functools.partial
        )

    def _global(self, node: gast.expr) -> Any:
        """The object a global or closure chain (``np.tanh``, ``functools.partial``) names."""
        root = node
        while isinstance(root, gast.Attribute):
            root = root.value
        if not isinstance(root, gast.Name) or root.id in self.local:
            return None
        return global_value(self.primal.func, node)

    def static(self, node: gast.expr) -> _Static | None:
        """The value of ``node`` if it is known when the derivative is made: an argument (not
        assigned in the function), an attribute or constant item of one, or a global chain."""
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load):
            if node.id in self.values:
                return _Static(self.values[node.id], node.id)
            return self._global_static(node)
        if isinstance(node, gast.Attribute):
            base = self.static(node.value)
            if base is None:
                return None
            if base.param is None and not base.in_container:
                return self._global_static(node)
            if base.param is None:  # CFG["model"].act: no user code runs to read it
                value = _static_attribute(base.obj, node.attr)
                return None if value is MISSING else _Static(value, where=_step(base, node.attr))
            if _is_array(base.obj):  # x.sum(), x.dot(w): numpy's methods (resolve's Method)
                return None
            value = _static_attribute(base.obj, node.attr)
            if value is MISSING:
                return None
            return _Static(value, base.param, base.steps + (("attr", node.attr),))
        key = _constant(node.slice) if isinstance(node, gast.Subscript) else None
        if key is not None:
            base = self.static(node.value)
            if base is None or type(base.obj) not in CONTAINERS:
                return None
            value = follow(base.obj, ("item", key))
            if value is MISSING or (base.param is None and base.where is None):
                return None
            if base.param is None:  # CFG["loss"] of a global dict CFG
                return _Static(value, where=_step(base, ("item", key)))
            return _Static(value, base.param, base.steps + (("item", key),))
        return None

    def _global_static(self, node: gast.Name | gast.Attribute) -> _Static | None:
        """A global or closure chain (``np.tanh``, ``CFG``) and where the function reads it."""
        found = self._global(node)
        chain = name_chain(node)
        if found is None or chain is None:
            return None
        scope = root_value(self.primal.func, chain[0])[0]
        return _Static(found, where=(scope, chain[0], chain[1]))

    # -- statements ----------------------------------------------------------------------------
    def block(self, body: list[gast.stmt]) -> None:
        out: list[gast.stmt] = []
        for stmt in body:
            if getattr(stmt, "s2s_partial", False):
                continue
            if isinstance(stmt, gast.For):
                items = self.functions_looped(stmt.iter)
                if items is not None:
                    unrolled = self.unroll(stmt, items)
                    self.block(unrolled)
                    out += unrolled
                    continue
            if isinstance(stmt, gast.FunctionDef):
                out.append(stmt)  # a nested def's body is bound when its own derivative is made
                continue
            before = hoist(stmt, lambda it: self.functions_looped(it) is not None,
                           self.primal.tree, self.local, self._consumed) if self.eager else []
            if before:  # [g(x) for g in fns if ...]: the loops it stands for, written out
                self.block(before)
                out += before
                if getattr(stmt, "s2s_hoisted", False):
                    continue
            for field in ("body", "orelse", "finalbody"):
                if isinstance(getattr(stmt, field, None), list):
                    self.block(getattr(stmt, field))
            for handler in getattr(stmt, "handlers", []) or []:
                self.block(handler.body)
            self.children(stmt, ("body", "orelse", "finalbody", "handlers"))
            out.append(stmt)
        body[:] = out or [gast.Pass()]

    def _consumed(self, node: gast.GeneratorExp, parent: gast.AST) -> bool:
        consumer = self._global(parent.func) if isinstance(parent, gast.Call) else None
        return any(consumer is c for c in _CONSUMERS) and node in parent.args

    def functions_looped(self, node: gast.expr) -> list[Any] | None:
        """The items of a loop over a tuple of functions (a literal, a name bound once to one, or
        a tuple or list argument of callables, or ``enumerate`` or ``zip`` of one with tuple
        arguments), as expressions (tuples of them for ``enumerate`` and ``zip``); ``None``
        for any other loop."""
        if isinstance(node, gast.Call) and node.args:
            which = self._global(node.func)
            parts = enumerate_parts(node) if which is enumerate else None
            if parts is not None:
                inner = self.functions_looped(parts[0])
                counts = self._counts(parts[1], len(inner or ()), node)
                if inner is not None and counts is None:
                    raise UnsupportedSyntaxError(
                        "a loop over functions counts with `enumerate` from a start that is "
                        "neither a constant nor a name bound once",
                        self.primal.where(node),
                        "bind the start to a name of its own before the loop "
                        "(`first = k + 1`), and write `enumerate(fns, first)`",
                    )
                return None if inner is None else list(zip(counts, inner))
            if node.keywords:
                return None
            if which is reversed and len(node.args) == 1:
                inner = self.functions_looped(node.args[0])
                return None if inner is None else inner[::-1]
            if which is zip:
                parts = [self.functions_looped(a) or self.sequence(a)
                         or literal_parts(a, self.fixed) for a in node.args]  # fmt: skip
                functions = [self.functions_looped(a) for a in node.args]
                if all(p is not None for p in parts) and any(f is not None for f in functions):
                    return [tuple(t) for t in zip(*parts)]  # type: ignore[misc]
            return None
        if isinstance(node, (gast.Tuple, gast.List)) and node.elts:
            if all(callable(getattr(self.static(e), "obj", None)) for e in node.elts):
                return list(node.elts)
            return None
        if isinstance(node, gast.Name) and node.id in self.tuples:
            return list(self.tuples[node.id])
        found = self.static(node)
        if (
            found is not None
            and (found.param is not None or found.where is not None)
            and type(found.obj) in (tuple, list)
            and found.obj
            and all(callable(v) for v in found.obj)
        ):
            return self.sequence(node)
        if found is not None and type(found.obj) in (tuple, list) and found.obj and all(
            type(v) in (tuple, list) and v and any(callable(u) for u in v) for v in found.obj
        ):  # ((np.sin, 2.0), (np.cos, 3.0)): pairs of a function and its weight, say
            rows = self.sequence(node)
            return None if rows is None else [
                tuple(self.sequence(row) or ()) for row in rows]
        return None

    def _counts(self, start: gast.expr | None, n: int, at: gast.AST) -> list | None:
        """``enumerate``'s counts ``start + i`` for ``i < n``, as expressions: ``start`` a
        constant int or a name bound once (read again at each use); ``None`` for others."""
        if start is None or (isinstance(start, gast.Constant) and type(start.value) is int):
            first = 0 if start is None else start.value
            return [located(gast.Constant(first + i, None), at) for i in range(n)]
        if isinstance(start, gast.Name) and start.id in self.fixed:
            return [located(gast.BinOp(copy_tree(start), gast.Add(), gast.Constant(i, None)), at)
                    for i in range(n)]  # fmt: skip
        return None

    def sequence(self, node: gast.expr) -> list[gast.expr] | None:
        """``node[0], node[1], ...`` of a tuple or list argument (or a part of one), or of a
        global one, whose length then joins the targets checked on each call."""
        found = self.static(node)
        if found is None or type(found.obj) not in (tuple, list):
            return None
        if found.param is None and found.where is None:
            return None
        if found.param is None:
            self.targets.append(Target(len(found.obj), *_step(found, ("len", None))))
        return [located(gast.Subscript(value=copy_tree(node), slice=gast.Constant(i, None),
                                        ctx=gast.Load()), node)
                for i in range(len(found.obj))]  # fmt: skip

    def unroll(self, loop: gast.For, items: list[Any]) -> list[gast.stmt]:
        """The loop's body once per function, the loop variables replaced by the items."""
        pairs = match(loop.target, items[0])
        stored = {n.id for stmt in loop.body for n in walk(stmt)
                  if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}  # fmt: skip
        if pairs is None or any(name.id in stored for name, _ in pairs):
            raise UnsupportedSyntaxError(
                "a loop over functions must bind one name (or one per item of `enumerate` or "
                "`zip`), not assigned in the loop",
                self.primal.where(loop),
                "write `for g in functions:` or `for i, g in enumerate(functions):`, and give "
                "other values other names",
            )
        for node in walk_loop_body(loop.body):
            if isinstance(node, (gast.Break, gast.Continue)):
                raise UnsupportedSyntaxError(
                    "`break` or `continue` in a loop over a tuple of functions (s2s writes the "
                    "loop out, once per function, to know which function each call is)",
                    self.primal.where(node),
                    "loop over every function; skip one with an `if` around the body",
                )
        out: list[gast.stmt] = []
        for item in items:
            out += [substitute(stmt, match(loop.target, item)) for stmt in copy_tree(loop.body)]
        return out + list(loop.orelse)

    # -- expressions ---------------------------------------------------------------------------
    def visit(self, value: Any) -> None:
        if isinstance(value, list):
            for v in value:
                self.visit(v)
            return
        if not isinstance(value, gast.AST) or isinstance(value, gast.Lambda):
            return
        self.children(value)
        if isinstance(value, gast.Call):
            self.call(value)

    def children(self, node: gast.AST, skip: tuple[str, ...] = ()) -> None:
        """Visit ``node``'s fields (but ``skip``), writing out comprehensions over functions."""
        for field, child in gast.iter_fields(node):
            if field in skip:
                continue
            if isinstance(child, list):
                for i, item in enumerate(child):
                    child[i] = self.comprehension(item, node) or item
                    self.visit(child[i])
                continue
            new = self.comprehension(child, node)
            if new is not None:
                setattr(node, field, new)
            self.visit(new or child)

    def comprehension(self, node: Any, parent: gast.AST) -> gast.List | None:
        """``[g(x) for g in fns]`` over a tuple of functions as the list it makes,
        ``[fns[0](x), fns[1](x)]`` (also a generator expression that ``sum``, ``max``, ``min``,
        ``tuple``, ``list``, ``any`` or ``all`` consumes whole); ``None`` for any other node."""
        if isinstance(node, gast.GeneratorExp):
            consumer = self._global(parent.func) if isinstance(parent, gast.Call) else None
            if not any(consumer is c for c in _CONSUMERS) or node not in parent.args:
                return None
        elif not isinstance(node, gast.ListComp):
            return None
        if len(node.generators) != 1 or node.generators[0].ifs or node.generators[0].is_async:
            return None
        generator = node.generators[0]
        items = self.functions_looped(generator.iter)
        if items is None or any(match(generator.target, item) is None for item in items):
            return None
        elts = [substitute(copy_tree(node.elt), match(generator.target, item))
                for item in items]  # fmt: skip
        return located(gast.List(elts=elts, ctx=gast.Load()), node)

    def call(self, node: gast.Call) -> None:
        """Bind ``node``'s function if it is reached through an argument; write a partial out
        as a call of its function."""
        func = node.func
        if isinstance(func, gast.Name) and func.id in self.partials:
            self.expand(node, copy_tree(self.partials[func.id]), None)
            return self.call(node)
        if isinstance(func, gast.Name) and func.id in self.tuples:
            return None
        index = _constant(func.slice) if isinstance(func, gast.Subscript) else None
        items = self.tuples.get(getattr(func, "value", None) and getattr(func.value, "id", None))
        if items and isinstance(index, int) and -len(items) <= index < len(items):
            item = items[index]  # layers[0](x) of layers = (np.tanh, act): the item itself
            node.func = located(copy_tree(item), func, force=True)
            return self.call(node)
        found = self.static(func)
        if found is not None and found.where is not None and (
            found.in_container or isinstance(found.obj, functools.partial)
            or is_callable_instance(found.obj)
        ):  # fmt: skip
            return self.global_item(node, found)
        if found is None or found.param is None:
            if isinstance(func, (gast.IfExp, gast.BoolOp, gast.Subscript)) or (
                isinstance(func, gast.Name) and _rooted_in(func, self.local - self.defs)
            ):
                func.s2s_unresolved = self._why(func)
            return None
        obj = found.obj
        if isinstance(obj, functools.partial):
            self.expand(node, None, found)
            return self.call(node)
        if not callable(obj):
            kind = f"{type(obj).__module__}.{type(obj).__qualname__}".replace("builtins.", "")
            text = ast.unparse(gast.gast_to_ast(copy_tree(func)))
            func.s2s_unresolved = f"`{text}` holds a {kind}, not a function"
            return None
        self.bound.append(Bound(found.param, found.steps, callable_key(obj)))
        if is_callable_instance(obj):  # an object of the user's class with __call__
            obj = obj.__call__
        func.s2s_target = Target(obj, "argument", found.param, ())
        return None

    def global_item(self, node: gast.Call, found: _Static) -> None:
        """``CFG["loss"](x)``, ``FNS[0](x)``: a callable read from a global container (or a
        global partial or callable object), bound now; the derivative re-reads the path on
        each call (a new callable there makes a new derivative)."""
        obj, func = found.obj, node.func
        assert found.where is not None
        if isinstance(obj, functools.partial):
            self.targets.append(Target(obj, *found.where))
            self.expand(node, None, found)
            return self.call(node)
        if not callable(obj):
            kind = f"{type(obj).__module__}.{type(obj).__qualname__}".replace("builtins.", "")
            text = ast.unparse(gast.gast_to_ast(copy_tree(func)))
            func.s2s_unresolved = f"`{text}` holds a {kind}, not a function"
            return None
        where = found.where
        if is_callable_instance(obj):  # an object of the user's class with __call__
            obj, where = obj.__call__, _step(found, "__call__")
        func.s2s_target = Target(obj, *where)
        return None

    def expand(self, node: gast.Call, written: gast.Call | None, found: _Static | None) -> None:
        """``h(x)`` of a partial ``h``: a call of its function with its bound arguments first
        (``helper(x, scale=c)``); ``written`` is a ``partial(...)`` call of this function,
        ``found`` a partial reached through an argument."""
        if written is not None:
            func, args = written.args[0], list(written.args[1:])
            keywords = {k.arg: k.value for k in written.keywords}
        else:
            assert found is not None
            partial = found.obj
            if found.param is not None:
                self.bound.append(Bound(found.param, found.steps, callable_key(partial)))
            func = located(gast.Attribute(value=node.func, attr="func", ctx=gast.Load()), node)
            args = [_bound_value(v, node.func, "args", i, node) for i, v in enumerate(partial.args)]
            keywords = {k: _bound_value(v, node.func, "keywords", k, node)
                        for k, v in partial.keywords.items()}  # fmt: skip
        keywords.update({k.arg: k.value for k in node.keywords if k.arg is not None})
        node.func = func
        node.args = args + list(node.args)
        node.keywords = [gast.keyword(arg=k, value=v) for k, v in keywords.items()] + [
            k for k in node.keywords if k.arg is None
        ]

    def _why(self, func: gast.expr) -> str:
        """Why the callee ``func`` (rooted in a local name) is known only at run time."""
        text = ast.unparse(gast.gast_to_ast(copy_tree(func)))
        root = func
        while isinstance(root, (gast.Attribute, gast.Subscript)):
            root = root.value
        name = getattr(root, "id", "?")
        if isinstance(func, gast.Subscript) and _constant(func.slice) is None:
            return f"`{text}` is picked from a container by a value known only at run time"
        if isinstance(func, (gast.IfExp, gast.BoolOp)):
            return f"`{text}` is chosen by a value at run time"
        if name not in self.local:
            base = self.static(func.value) if isinstance(func, gast.Subscript) else None
            if base is not None and type(base.obj) in CONTAINERS:
                return f"`{text}` names no item of the global {type(base.obj).__name__} now"
            kind = "container" if base is None else f"{type(base.obj).__qualname__} object"
            return (f"`{text}` is read from a global {kind}, and s2s looks into global dicts, "
                    "lists and tuples only")  # fmt: skip
        if name in self.comprehended and isinstance(func, gast.Name):
            return (f"`{name}` takes its functions in a comprehension s2s does not write out "
                    "once per function (it writes out a list comprehension, or a generator "
                    "that `sum`, `max`, `min`, `tuple`, `list`, `any` or `all` consumes, whose "
                    "first `for` is over a tuple of functions, except inside a `lambda`, "
                    "`a if c else b`, `and`/`or` or another comprehension, or where a variable "
                    "of the comprehension is also a name of the function outside it)")  # fmt: skip
        if self.counts.get(name) and isinstance(func, gast.Name):
            return (f"`{name}` is assigned in the function, so the function it holds is known "
                    "only at run time")  # fmt: skip
        if self.counts.get(name):
            return (f"`{text}` is read from `{name}`, which is assigned in the function, so it "
                    "is known only at run time")  # fmt: skip
        return f"`{text}` is not a function held by an argument or named by the function"


_CONSUMERS = (sum, max, min, tuple, list, any, all)  # builtins that consume a generator whole


def _constant(node: gast.expr) -> Any:
    """A constant key or index (``'loss'``, ``0``, ``-1``), else ``None``."""
    if isinstance(node, gast.Constant) and isinstance(node.value, (int, str)):
        return node.value
    if (
        isinstance(node, gast.UnaryOp)
        and isinstance(node.op, gast.USub)
        and isinstance(node.operand, gast.Constant)
        and type(node.operand.value) is int
    ):
        return -node.operand.value
    return None


def _is_array(value: Any) -> bool:
    return isinstance(value, (np.ndarray, np.generic)) or any(
        hasattr(type(value), a) for a in ("__array_function__", "__array_namespace__")
    )


def _static_attribute(obj: Any, attr: str) -> Any:
    """``obj.attr`` when reading it runs no user code (an instance attribute, a method, a class
    attribute); ``MISSING`` for a property or another computed attribute."""
    try:
        raw = inspect.getattr_static(obj, attr)
    except AttributeError:
        return MISSING
    if isinstance(raw, (property, types.GetSetDescriptorType)):
        return MISSING
    return getattr(obj, attr, MISSING)


def _bound_value(value: Any, partial: gast.expr, field: str, key: Any, at: gast.AST) -> gast.expr:
    """A partial's bound argument in the generated code: a Python constant written out, any
    other value read from the partial (``act.keywords['w']``)."""
    if type(value) in CONSTANTS:
        return located(gast.Constant(value=value, kind=None), at)
    read = gast.Attribute(value=copy_tree(partial), attr=field, ctx=gast.Load())
    return located(gast.Subscript(value=read, slice=gast.Constant(key, None), ctx=gast.Load()), at)


def _step(found: _Static, step: str | tuple[str, Any]) -> tuple[str, str, tuple]:
    """Where ``found`` (a global) is read, one step further along."""
    assert found.where is not None
    scope, name, steps = found.where
    return scope, name, steps + (step,)


def _rooted_in(node: gast.expr, names: set[str]) -> bool:
    while isinstance(node, (gast.Attribute, gast.Subscript)):
        node = node.value
    return isinstance(node, gast.Name) and node.id in names
