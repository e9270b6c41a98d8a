"""Loop items: how a loop over a tuple of functions is written out once per item.

:mod:`s2s.frontend.callables` finds the items of such a loop (``fns``, ``enumerate(fns)``,
``zip(fns, ws)``, ``enumerate(zip(fns, ws))``); this module matches each item to the loop's
target, nested as the item is (``for i, (g, w) in enumerate(zip(fns, ws))``), and substitutes
the parts for the loop's names in a copy of its body:

>>> import gast
>>> loop = gast.parse("for i, (g, w) in enumerate(zip(fns, ws)):\\n    s = s + w * g(x) * i")
>>> loop = loop.body[0]
>>> item = (gast.Constant(0, None), (gast.parse("np.sin").body[0].value, gast.Constant(2.0, None)))
>>> [(name.id, gast.unparse(part).strip()) for name, part in match(loop.target, item)]
[('i', '0'), ('g', 'np.sin'), ('w', '2.0')]
>>> print(gast.unparse(substitute(loop.body[0], match(loop.target, item))).strip())
s = s + 2.0 * np.sin(x) * 0
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gast

from s2s.codegen.walking import child_nodes, copy_tree, walk


def match(target: gast.expr, item: Any) -> list[tuple[gast.Name, Any]] | None:
    """The (name, part) pairs binding the loop target ``target`` to ``item`` (an expression,
    or a Python tuple of items for ``enumerate`` and ``zip``), nested alike; ``None`` where
    their shapes differ."""
    if isinstance(target, gast.Name):
        return None if isinstance(item, tuple) else [(target, item)]
    if not isinstance(target, (gast.Tuple, gast.List)) or not isinstance(item, tuple):
        return None
    if len(target.elts) != len(item):
        return None
    pairs: list[tuple[gast.Name, Any]] = []
    for sub, part in zip(target.elts, item):
        found = match(sub, part)
        if found is None:
            return None
        pairs += found
    return pairs


def enumerate_parts(call: gast.Call) -> tuple[gast.expr, gast.expr | None] | None:
    """``(sequence, start)`` of a call to ``enumerate`` written ``enumerate(xs)``,
    ``enumerate(xs, k)`` or ``enumerate(xs, start=k)`` (``start`` is ``None`` when not given:
    the count starts at 0); ``None`` for any other spelling (``*args``, ``**kwargs``)."""
    given = dict(zip(("iterable", "start"), call.args))
    if len(call.args) > 2 or any(isinstance(a, gast.Starred) for a in call.args):
        return None
    for keyword in call.keywords:
        if keyword.arg not in ("iterable", "start") or keyword.arg in given:
            return None
        given[keyword.arg] = keyword.value
    if "iterable" not in given:
        return None
    return given["iterable"], given.get("start")


def literal_parts(node: gast.expr, fixed: set[str]) -> list[gast.expr] | None:
    """The items of a tuple or list literal ``(1.0, 2.0)`` zipped with functions, when each is
    a constant or a name bound once (``fixed``), or an attribute of one: substituting it where
    the loop's name is read computes nothing again and reads the value the loop would."""
    if not isinstance(node, (gast.Tuple, gast.List)) or not node.elts:
        return None
    for elt in node.elts:
        root = elt
        while isinstance(root, gast.Attribute):
            root = root.value
        if not (isinstance(root, gast.Constant) or (isinstance(root, gast.Name)
                                                    and root.id in fixed)):  # fmt: skip
            return None
    return list(node.elts)


def walk_loop_body(body: list[gast.stmt]) -> Iterator[gast.AST]:
    """The nodes of a loop body that belong to this loop (not to a loop or def inside it)."""
    pending: list[gast.AST] = list(body)
    while pending:
        node = pending.pop()
        yield node
        if isinstance(node, (gast.For, gast.While)):
            pending += node.orelse
            continue
        if isinstance(node, (gast.FunctionDef, gast.Lambda)):
            continue
        pending += child_nodes(node)


def substitute(node: Any, pairs: list[tuple[gast.Name, Any]]) -> Any:
    """``node`` with every read of each pair's name replaced by a copy of its part."""
    parts = {name.id: part for name, part in pairs}

    class Replace(gast.NodeTransformer):
        def visit_Name(self, sub: gast.Name) -> gast.expr:
            if sub.id in parts and isinstance(sub.ctx, gast.Load):
                return located(copy_tree(parts[sub.id]), sub, force=True)
            return sub

    return Replace().visit(node)


def located(node: gast.AST, at: gast.AST, force: bool = False) -> gast.AST:
    """``node`` (and its parts) at ``at``'s position: where it has none, or everywhere."""
    for attr in ("lineno", "col_offset", "end_lineno", "end_col_offset"):
        value = getattr(at, attr, None)
        for sub in walk(node):
            if force or getattr(sub, attr, None) is None:
                setattr(sub, attr, value)
    return node


def statement_targets(stmt: gast.stmt) -> list[gast.expr]:
    """The targets a statement binds: an assignment's, an augmented or annotated one's, a
    ``for`` loop's (none for any other statement)."""
    if isinstance(stmt, gast.Assign):
        return list(stmt.targets)
    if isinstance(stmt, (gast.AugAssign, gast.AnnAssign, gast.For)):
        return [stmt.target]
    return []
