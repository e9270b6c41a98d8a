"""Methods of parameter containers: ``model.forward(x)`` on a dataclass or NamedTuple ``wrt``
argument is written into the derivative as a nested ``def`` whose ``self`` is the container, so
the container lowering (:mod:`s2s.frontend.containers`) turns its reads of ``self.w`` into reads
of the leaves, and lifting passes those to it (their gradients flow back through the call)."""

from __future__ import annotations

import inspect
import re
import textwrap
import types
from typing import Any

import gast

from s2s.errors import UnsupportedSyntaxError


class Methods:
    """Methods of parameter containers called on them (``model.forward(x)``), each written
    out once as a nested ``def`` whose ``self`` is the container, so its reads of ``self.w``
    become reads of the leaves (which lifting passes to it, so their gradients flow back)."""

    def __init__(self, func: Any, taken: set[str]) -> None:
        self.func, self.taken = func, taken
        self.names: dict[tuple[str, str], str] = {}
        self.defs: list[gast.FunctionDef] = []

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
        for node in gast.walk(tree):  # located at the call: the method's lines are elsewhere
            for field in ("lineno", "col_offset", "end_lineno", "end_col_offset"):
                setattr(node, field, getattr(at, field, None))
        inner = type(lowering)(lowering.where, _assigned(tree), methods=self)
        inner.block(tree.body, {own: base})
        self.defs.append(tree)
        return name


def _assigned(tree: gast.AST) -> dict[str, int]:
    """How many times each name is bound (assignment and loop targets)."""
    counts: dict[str, int] = {}
    for node in gast.walk(tree):
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
            counts[node.id] = counts.get(node.id, 0) + 1
    return counts
