"""``to_gast`` and ``parse``: what ``gast.ast_to_gast`` and ``gast.parse`` give, at less cost.

Each function s2s differentiates and each rule's template is parsed with :mod:`ast` and
converted to gast's nodes. gast converts with an ``ast.NodeTransformer``: for each node a
method looked up by name, then its generic rule builds the gast node through its constructor,
field by field, and copies the positions with ``setattr``. This converter is gast's own (its
``Ast3ToGAst``, whose rules for names, parameters, handlers and definitions it keeps) with
the per-node costs taken out: each node type's rule is looked up once, and the generic rule
fills the new node's ``__dict__`` with the same entries in the same order (the fields the node
has, converted, then the positions it has), so the tree is the same, positions included.
"""

from __future__ import annotations

import ast
from typing import Any

import gast
from gast.ast3 import Ast3ToGAst

_MISSING = object()
# ast node type -> (the gast type, its fields, its positions), or None: no gast type
_GENERIC: dict[type, tuple[type, tuple[str, ...], tuple[str, ...]] | None] = {}
_RULES: dict[type, Any] = {}  # ast node type -> gast's own rule for it, or _generic


def to_gast(node: ast.AST) -> Any:
    """``gast.ast_to_gast(node)``: the gast tree of an :mod:`ast` tree (a new tree)."""
    return _Converter().visit(node)


def parse(source: str) -> gast.Module:
    """``gast.parse(source)``."""
    return to_gast(ast.parse(source))


def _generic(self: _Converter, node: ast.AST) -> Any:
    """gast's generic rule (``AstToGAst.generic_visit``): the gast node of the same name with
    the node's fields converted and its positions copied; ``None`` for a node gast lacks."""
    kind = type(node)
    known = _GENERIC.get(kind, _MISSING)
    if known is _MISSING:
        target = getattr(gast, kind.__name__, None)
        known = _GENERIC[kind] = None if target is None else (
            target, tuple(kind._fields), tuple(kind._attributes))  # fmt: skip
    if known is None:
        return None
    target, fields, positions = known
    new = target.__new__(target)
    state = new.__dict__
    for field in fields:
        value = getattr(node, field, _MISSING)
        if value is _MISSING:
            continue
        if type(value) is list:
            state[field] = [self._visit(item) for item in value]
        elif isinstance(value, ast.AST):
            state[field] = self.visit(value)
        else:
            state[field] = value
    for attr in positions:
        value = getattr(node, attr, _MISSING)
        if value is not _MISSING:
            state[attr] = value
    return new


_POSITIONS = ("lineno", "col_offset", "end_lineno", "end_col_offset")


def _name(self: _Converter, node: ast.Name) -> gast.Name:
    """gast's rule for a name (``Ast3ToGAst.visit_Name``: no annotation, no type comment,
    the positions as ``ast.copy_location`` copies them), without its constructor."""
    new = gast.Name.__new__(gast.Name)
    state = new.__dict__
    state["id"] = node.id
    state["ctx"] = self.visit(node.ctx)
    state["annotation"] = state["type_comment"] = None
    for attr in _POSITIONS:
        value = getattr(node, attr, None)
        if value is not None or (attr.startswith("end_") and hasattr(node, attr)):
            state[attr] = value
    return new


class _Converter(Ast3ToGAst):
    """gast's converter, each node type's rule found once (its own ``visit_<type>`` where
    gast has one, else the generic rule above)."""

    def visit(self, node: ast.AST) -> Any:
        rule = _RULES.get(type(node))
        if rule is None:
            rule = _RULES[type(node)] = _rule(type(node))
        return rule(self, node)

    def _visit(self, node: Any) -> Any:
        if isinstance(node, ast.AST):
            return self.visit(node)
        if isinstance(node, list):
            return [self._visit(n) for n in node]
        return node


def _rule(kind: type) -> Any:
    """gast's own ``visit_<type>`` for ``kind`` where its converter defines one (not
    :class:`ast.NodeVisitor`'s, which only ends in the generic rule), else :func:`_generic`."""
    if kind is ast.Name and vars(Ast3ToGAst).get("visit_Name") is not None:
        return _name
    name = "visit_" + kind.__name__
    for klass in Ast3ToGAst.__mro__:
        if klass in (ast.NodeTransformer, ast.NodeVisitor, object):
            break
        if name in vars(klass):
            return vars(klass)[name]
    return _generic
