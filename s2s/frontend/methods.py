"""Methods of parameter containers: ``model.forward(x)`` on a dataclass or NamedTuple ``wrt``
argument is written into the derivative as a nested ``def`` whose ``self`` is the container, so
the container lowering (:mod:`s2s.frontend.containers`) turns its reads of ``self.w`` into reads
of the leaves, and lifting passes those to it (their gradients flow back through the call)."""

from __future__ import annotations

import inspect
import re
import textwrap
import types
from collections.abc import Callable
from typing import Any

import gast

from s2s.codegen.walking import walk
from s2s.errors import UnsupportedSyntaxError
from s2s.frontend.callkeys import Bound, callable_key
from s2s.frontend.resolve import Target, global_value, name_chain, root_value


class Methods:
    """Methods of parameter containers called on them (``model.forward(x)``), each written
    out once as a nested ``def`` whose ``self`` is the container, so its reads of ``self.w``
    become reads of the leaves (which lifting passes to it, so their gradients flow back)."""

    def __init__(self, func: Any, taken: set[str], values: dict[str, Any] | None = None) -> None:
        self.func, self.taken = func, taken
        self.values = values or {}  # the arguments not differentiated: functions passed in
        self.bound: list[Bound] = []  # those written out, for the derivative's cache key
        self.names: dict[tuple[str, str], str] = {}
        self.defs: list[gast.FunctionDef] = []
        self.targets: list[Target] = []  # the functions written out, checked on each call

    def inline(self, lowering: Any, base: Any, attr: str, at: gast.AST) -> str:
        """The name of the nested def standing for ``base.attr`` (written out at its first
        call, its body lowered by a lowering like ``lowering`` with ``self`` the container)."""
        key = (base.label, attr)
        if key in self.names:
            return self.names[key]
        method = inspect.getattr_static(base.treedef.type, attr, None)
        if (
            not isinstance(method, types.FunctionType)
            or method.__code__.co_freevars
            or (self.func is not None and method.__globals__ is not self.func.__globals__)
        ):
            raise UnsupportedSyntaxError(
                f"`{base.label}.{attr}(...)` calls a method of the parameter container "
                f"`{base.label}` that s2s cannot write into this function (it can a plain "
                "method defined in this function's module, without `super()` or a closure)",
                lowering.where(at),
                "define the method in the module of the differentiated function, or read the "
                "arrays it needs and pass them to a function",
            )
        try:
            tree = gast.parse(textwrap.dedent(inspect.getsource(method))).body[0]
        except (OSError, TypeError, SyntaxError, IndexError):
            tree = None
        if not isinstance(tree, gast.FunctionDef) or tree.decorator_list or not tree.args.args:
            raise UnsupportedSyntaxError(
                f"the method `{base.label}.{attr}` has no source s2s can write into this "
                "function (or is decorated)",
                lowering.where(at),
                "read the arrays it needs and pass them to a function",
            )
        stem = re.sub(r"\W+", "_", f"{base.label}_{attr}").strip("_")
        name, n = stem, 1
        while name in self.taken:
            name, n = f"{stem}_{n}", n + 1
        self.taken.add(name)
        self.names[key] = name
        own = tree.args.args.pop(0).id  # self
        tree.name = name
        for node in walk(tree):  # located at the call: the method's lines are elsewhere
            for field in ("lineno", "col_offset", "end_lineno", "end_col_offset"):
                setattr(node, field, getattr(at, field, None))
        inner = type(lowering)(lowering.where, _assigned(tree), methods=self)
        inner.block(tree.body, {own: base})
        tree.s2s_written_from = method  # whose body checkpoints' trip check reads
        self.defs.append(tree)
        return name


    def inline_call(self, lowering: Any, node: gast.Call, resolve: Callable, kinds: tuple) -> bool:
        """``helper(params, x)`` or ``TRAINER.loss(params, x)``: a call of a function of this
        module, or a method of a global object, that receives a parameter container (a
        ``kinds`` node or one holding such nodes, as ``resolve`` reads it) whole. The function
        is written out once per (function, containers) as a nested ``def`` without those
        parameters, its reads of them lowered to leaves; ``node`` then calls it. ``False``
        (nothing changed) for any other call."""
        found = self._function(node.func)
        if found is None or any(isinstance(a, gast.Starred) for a in node.args) or any(
            k.arg is None for k in node.keywords
        ):
            return False
        function, owner = found
        signature = inspect.signature(function)
        if any(p.kind not in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
               for p in signature.parameters.values()):  # fmt: skip
            return False
        given = ([owner] if owner is not None else []) + list(node.args)
        try:
            bound = signature.bind(*given, **{k.arg: k.value for k in node.keywords})
        except TypeError:
            return False
        held = {p: resolve(v) for p, v in bound.arguments.items()}
        held = {p: v for p, v in held.items()
                if hasattr(v, "treedef") and _holds(v.treedef, kinds)}  # fmt: skip
        if not held:
            return False
        key = (function, tuple(sorted((p, v.label) for p, v in held.items())))
        if key not in self.names:
            self.names[key] = self._written(lowering, function, held, node)
        node.func = gast.Name(id=self.names[key], ctx=gast.Load(), annotation=None,
                              type_comment=None)  # fmt: skip
        node.args, node.keywords = [], []
        for param in signature.parameters.values():  # positional while they come in order
            if param.name in held or param.name not in bound.arguments:
                continue
            value = bound.arguments[param.name]
            if param.kind is param.POSITIONAL_OR_KEYWORD and not node.keywords:
                node.args.append(value)  # (`self` by position: a derivative has its own)
            else:
                node.keywords.append(gast.keyword(arg=param.name, value=value))
        return True

    def _function(self, func: gast.expr) -> tuple[types.FunctionType, Any] | None:
        """The function a call names (a global function of this module, or a method of a
        global object, with the object), or ``None``."""
        root = func
        while isinstance(root, gast.Attribute):
            root = root.value
        if self.func is None or not isinstance(root, gast.Name):
            return None
        if isinstance(func, gast.Name) and func.id in self.values:  # fn(params, x), fn passed in
            obj = self.values[func.id]
            if not self._writable(obj):
                return None
            self.bound.append(Bound(func.id, (), callable_key(obj)))
            return obj, None
        if root.id in self.func.__code__.co_varnames + self.func.__code__.co_cellvars:
            return None  # a local of the function
        obj = global_value(self.func, func)
        chain = name_chain(func)
        if obj is not None and chain is not None:  # re-read on each call, as a call target is
            scope = root_value(self.func, chain[0])[0]
            self.targets.append(Target(obj, scope, chain[0], chain[1]))
        owner = None
        if isinstance(obj, types.MethodType) and isinstance(func, gast.Attribute):
            obj, owner = obj.__func__, func.value
        if not self._writable(obj):
            return None
        return obj, owner

    def _writable(self, obj: Any) -> bool:
        """A plain function of this function's module, without a closure."""
        return (
            isinstance(obj, types.FunctionType)
            and not obj.__code__.co_freevars
            and obj.__globals__ is self.func.__globals__
        )

    def _written(self, lowering: Any, function: types.FunctionType, held: dict, at: Any) -> str:
        try:
            tree = gast.parse(textwrap.dedent(inspect.getsource(function))).body[0]
        except (OSError, TypeError, SyntaxError, IndexError):
            tree = None
        if not isinstance(tree, gast.FunctionDef) or tree.decorator_list:
            raise UnsupportedSyntaxError(
                f"`{function.__qualname__}` receives a parameter container whole and has no "
                "source s2s can write into this function (or is decorated)",
                lowering.where(at),
                "read the arrays it needs and pass them to it",
            )
        outer = set(self.func.__code__.co_varnames)
        free = {n.id for n in walk(tree) if isinstance(n, gast.Name)} - set(_assigned(tree))
        clash = sorted((free - {a.id for a in tree.args.args + tree.args.kwonlyargs}) & outer)
        if clash:
            raise UnsupportedSyntaxError(
                f"`{function.__qualname__}` receives a parameter container whole and reads "
                f"the global `{clash[0]}`, which this function also names as a local",
                lowering.where(at),
                f"give the local `{clash[0]}` another name",
            )
        stem, n = function.__name__, 1
        name = stem
        while name in self.taken:
            name, n = f"{stem}_{n}", n + 1
        self.taken.add(name)
        tree.name = name
        tree.args.args = [a for a in tree.args.args if a.id not in held]
        tree.args.kwonlyargs = [a for a in tree.args.kwonlyargs if a.id not in held]
        for node in walk(tree):  # located at the call: the function's lines are elsewhere
            for field in ("lineno", "col_offset", "end_lineno", "end_col_offset"):
                setattr(node, field, getattr(at, field, None))
        inner = type(lowering)(lowering.where, _assigned(tree), methods=self)
        inner.block(tree.body, dict(held))
        tree.s2s_written_from = function  # whose body checkpoints' trip check reads
        self.defs.append(tree)
        return name


def _holds(treedef: Any, kinds: tuple) -> bool:
    """``treedef`` is a ``kinds`` node, or holds one (a list of parameter dicts)."""
    return treedef.kind in kinds or any(_holds(c, kinds) for c in treedef.children)


def _assigned(tree: gast.AST) -> dict[str, int]:
    """How many times each name is bound (assignment and loop targets)."""
    counts: dict[str, int] = {}
    for node in walk(tree):
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
            counts[node.id] = counts.get(node.id, 0) + 1
    return counts
