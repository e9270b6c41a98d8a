"""Unpacking: ``a, *rest = value`` and ``(a, b), c = value`` rewritten into the assignments
they mean, before normalize;
before the fence, ``y[0], y[1] = value`` into the writes it means
(:func:`split_item_targets`) and a local tuple rebound as a tuple of its length into names of
its items (:func:`split_tuple_names`).

A literal on the right keeps Python's meaning exactly: each item gets a name, and the starred
name a list of its items. Any other value (a tuple or list bound to a name, an array) is
indexed: the names before the star take ``value[0]``, ``value[1]``, ..., the names after it
``value[-2]``, ``value[-1]``, and the starred name the slice between (a list or tuple for a
list or tuple, the rows ``value[1:]`` as one array for an array).

>>> import gast
>>> tree = gast.parse("def f(x):\\n    a, *rest, b = x\\n    return a")
>>> expand_starred(tree.body[0], lambda base: base + "_1")
>>> print(gast.unparse(tree).strip())
def f(x):
    a = x[0]
    rest = x[1:-1]
    b = x[-1]
    return a
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import gast

from s2s.codegen.walking import copy_tree, statements_in, walk


def is_starred_target(node: gast.AST) -> bool:
    """``a, *rest`` as an assignment target: one starred name among plain names."""
    if not isinstance(node, (gast.Tuple, gast.List)):
        return False
    stars = [e for e in node.elts if isinstance(e, gast.Starred)]
    plain = [e for e in node.elts if not isinstance(e, gast.Starred)]
    return (
        len(stars) == 1
        and isinstance(stars[0].value, gast.Name)
        and all(isinstance(e, gast.Name) for e in plain)
    )


def is_nested_target(node: gast.AST) -> bool:
    """``(a, b), c`` as an assignment target: a tuple or list among the names it unpacks
    into (no star, no item or attribute at any depth)."""
    if not isinstance(node, (gast.Tuple, gast.List)):
        return False
    plain = all(
        isinstance(e, (gast.Name, gast.Tuple, gast.List))
        for e in walk(node)
        if isinstance(e, gast.expr) and not isinstance(e, gast.expr_context)
    )
    return plain and any(isinstance(e, (gast.Tuple, gast.List)) for e in node.elts)


def expand_nested(tree: gast.FunctionDef, fresh: Callable[[str], str]) -> None:
    """Rewrite every ``(a, b), (c, d) = value`` of the function (not of nested defs) in
    place into flat unpackings, one level at a time: ``unpacked_1, unpacked_2 = value``,
    then ``a, b = unpacked_1`` and ``c, d = unpacked_2``, in the order Python assigns the
    targets (left to right, depth first). A target holding a star or an item is left as
    written (the fence refuses it)."""
    _nested_block(tree.body, fresh)


def _nested_block(block: list[gast.stmt], fresh: Callable[[str], str]) -> None:
    index = 0
    while index < len(block):
        stmt = block[index]
        for arm in ("body", "orelse", "finalbody"):
            nested = getattr(stmt, arm, None)
            if isinstance(nested, list) and not isinstance(stmt, gast.FunctionDef):
                _nested_block(nested, fresh)
        for handler in getattr(stmt, "handlers", None) or []:
            _nested_block(handler.body, fresh)
        if (
            isinstance(stmt, gast.Assign)
            and len(stmt.targets) == 1
            and is_nested_target(stmt.targets[0])
        ):
            expanded = _flatten_nested(stmt, fresh)
            block[index : index + 1] = expanded
            index += len(expanded)
        else:
            index += 1


def _flatten_nested(stmt: gast.Assign, fresh: Callable[[str], str]) -> list[gast.stmt]:
    """``(a, b), c = value`` as ``unpacked_1, unpacked_2 = value; a, b = unpacked_1;
    c = unpacked_2`` (each inner tuple flattened again)."""
    elts = stmt.targets[0].elts
    names = [fresh("unpacked") for _ in elts]
    flat = gast.Tuple(elts=[_name(n, gast.Store()) for n in names], ctx=gast.Store())
    out: list[gast.stmt] = [_assign(flat, stmt.value)]
    for target, held in zip(elts, names):
        out.append(_assign(target, _name(held, gast.Load())))
    expanded: list[gast.stmt] = []
    for new in out:
        for node in walk(new):
            if isinstance(node, (gast.stmt, gast.expr)):
                gast.copy_location(node, stmt)
        if is_nested_target(new.targets[0]):
            expanded += _flatten_nested(new, fresh)
        else:
            expanded.append(new)
    return expanded


def expand_starred(tree: gast.FunctionDef, fresh: Callable[[str], str]) -> None:
    """Rewrite every ``a, *rest = value`` of the function (not of nested defs) in place."""
    _block(tree.body, fresh)


def _block(block: list[gast.stmt], fresh: Callable[[str], str]) -> None:
    index = 0
    while index < len(block):
        stmt = block[index]
        for arm in ("body", "orelse"):
            nested = getattr(stmt, arm, None)
            if isinstance(nested, list) and not isinstance(stmt, gast.FunctionDef):
                _block(nested, fresh)
        if (
            isinstance(stmt, gast.Assign)
            and len(stmt.targets) == 1
            and is_starred_target(stmt.targets[0])
        ):
            expanded = [gast.copy_location(s, stmt) for s in _expand(stmt, fresh)]
            block[index : index + 1] = expanded
            index += len(expanded)
        else:
            index += 1


def split_targets(tree: gast.FunctionDef, func: Any) -> None:
    """:func:`split_item_targets` and :func:`split_tuple_names` of the user's function ``func``
    (a derivative's own code, differentiated again, is left as generated)."""
    if getattr(func, "__s2s_generated__", False):
        return
    outer = getattr(func, "__globals__", {})
    if any(_item_target(s) for s in statements_in(tree)):  # (a scan of the statements alone
        split_item_targets(tree, outer)  # spares the walks of the whole tree where none is)
    if any(_tuple_display(s) for s in statements_in(tree)):
        split_tuple_names(tree, outer)


def _item_target(stmt: gast.AST) -> bool:
    """``y[0], y[1] = value``: what :func:`split_item_targets` rewrites, and more."""
    return isinstance(stmt, gast.Assign) and any(
        isinstance(t, (gast.Tuple, gast.List)) and not all(isinstance(e, gast.Name) for e in t.elts)
        for t in stmt.targets
    )


def _tuple_display(stmt: gast.AST) -> bool:
    """``s = (a, b)``: the only binding :func:`split_tuple_names` splits."""
    return isinstance(stmt, gast.Assign) and isinstance(stmt.value, gast.Tuple)


def split_item_targets(tree: gast.FunctionDef, outer: Iterable[str]) -> None:
    """Rewrite every ``y[0], y[1] = value`` (a flat tuple or list target with an item or
    attribute among plain names) into ``y_0, y_1 = value`` and then ``y[0] = y_0``, ``y[1] =
    y_1``, in place: Python evaluates the whole value, then assigns the targets left to right,
    each target's index read when it is assigned, and so do the statements written (a plain
    name no item target reads is bound in the unpacking itself: ``y_0, z = value``). The new
    names avoid the function's names and ``outer`` (its globals); every statement list is
    visited."""
    taken = {n.id for n in walk(tree) if isinstance(n, gast.Name)} | set(outer)
    todo: list[gast.AST] = [tree]
    while todo:
        node = todo.pop()
        blocks = [getattr(node, f, None) for f in ("body", "orelse", "finalbody")]
        blocks += [h.body for h in getattr(node, "handlers", None) or []]
        for block in (b for b in blocks if isinstance(b, list)):
            index = 0
            while index < len(block):
                stmt = block[index]
                todo.append(stmt)
                split = _split_items(stmt, taken)
                block[index : index + 1] = split
                index += len(split)


def _split_items(stmt: gast.stmt, taken: set[str]) -> list[gast.stmt]:
    target = stmt.targets[0] if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 else None
    if not isinstance(target, (gast.Tuple, gast.List)) or all(
        isinstance(e, gast.Name) for e in target.elts
    ) or not all(isinstance(e, (gast.Name, gast.Subscript, gast.Attribute)) for e in target.elts):
        return [stmt]
    names: list[str] = []
    read = {n.id for item in target.elts if not isinstance(item, gast.Name)
            for n in walk(item) if isinstance(n, gast.Name)}  # fmt: skip
    for item in target.elts:
        if isinstance(item, gast.Name) and item.id not in read:
            names.append(item.id)  # `y[0], z = v, y`: z bound at once (no item target reads it)
            continue
        root = item
        while isinstance(root, (gast.Subscript, gast.Attribute)):
            root = root.value
        base = f"{root.id}_{len(names)}" if isinstance(root, gast.Name) else "item"
        name, k = base, 1
        while name in taken:
            k += 1
            name = f"{base}_{k}"
        taken.add(name)
        names.append(name)
    unpack = gast.Tuple(elts=[_name(n, gast.Store()) for n in names], ctx=gast.Store())
    out = [_assign(unpack, stmt.value)]
    out += [_assign(item, _name(n, gast.Load())) for item, n in zip(target.elts, names)
            if not (isinstance(item, gast.Name) and item.id == n)]  # fmt: skip
    for new in out:
        for node in walk(new):
            if isinstance(node, (gast.stmt, gast.expr)) and getattr(node, "lineno", None) is None:
                gast.copy_location(node, stmt)
    return out


def _name(id_: str, ctx: gast.expr_context) -> gast.Name:
    return gast.Name(id=id_, ctx=ctx, annotation=None, type_comment=None)


def _assign(target: gast.expr, value: gast.expr) -> gast.Assign:
    return gast.Assign(targets=[target], value=value, type_comment=None)


def _index(value: gast.expr, key: gast.expr) -> gast.Subscript:
    return gast.Subscript(value=copy_tree(value), slice=key, ctx=gast.Load())


def _int(n: int) -> gast.expr:
    if n < 0:
        return gast.UnaryOp(op=gast.USub(), operand=gast.Constant(value=-n, kind=None))
    return gast.Constant(value=n, kind=None)


def _expand(stmt: gast.Assign, fresh: Callable[[str], str]) -> list[gast.stmt]:
    elts = stmt.targets[0].elts
    star = next(i for i, e in enumerate(elts) if isinstance(e, gast.Starred))
    before, after = elts[:star], elts[star + 1 :]
    starred = elts[star].value.id
    value = stmt.value
    literal = isinstance(value, (gast.Tuple, gast.List)) and not any(
        isinstance(e, gast.Starred) for e in value.elts
    )
    if literal and len(value.elts) >= len(before) + len(after):
        middle = len(value.elts) - len(before) - len(after)
        names = [fresh(f"{starred}_item") for _ in range(middle)]
        targets = [_name(e.id, gast.Store()) for e in before]
        targets += [_name(n, gast.Store()) for n in names]
        targets += [_name(e.id, gast.Store()) for e in after]
        out: list[gast.stmt] = [_assign(gast.Tuple(elts=targets, ctx=gast.Store()), value)]
        items = gast.List(elts=[_name(n, gast.Load()) for n in names], ctx=gast.Load())
        out.append(_assign(_name(starred, gast.Store()), items))
        return out
    out = []
    bound = {e.id for e in before + after} | {starred}
    if not isinstance(value, gast.Name) or value.id in bound:  # `x, *rest = x` reads x first
        holder = fresh("unpacked")
        out.append(_assign(_name(holder, gast.Store()), value))
        value = _name(holder, gast.Load())
    for i, target in enumerate(before):
        out.append(_assign(_name(target.id, gast.Store()), _index(value, _int(i))))
    upper = _int(-len(after)) if after else None
    middle = gast.Slice(lower=_int(len(before)) if before else None, upper=upper, step=None)
    out.append(_assign(_name(starred, gast.Store()), _index(value, middle)))
    for i, target in enumerate(after):
        key = _int(i - len(after))
        out.append(_assign(_name(target.id, gast.Store()), _index(value, key)))
    return out


def split_tuple_names(tree: gast.FunctionDef, outer: Iterable[str]) -> None:
    """Give the items of a local tuple rebound as a tuple of the same length its names, in
    place: where every binding of ``s`` is ``s = (a, b)`` (two items each time) and ``s`` is
    bound more than once (``s = (x, x * 2)``, then ``s = (np.sin(s[1]), s[0])`` in a loop)
    or once in a loop's body (``s = (np.sin(x), x)``, bound again on each trip), each binding
    becomes ``s_0, s_1 = (a, b)``, ``s[0]`` (a constant index) ``s_0``, and any other read
    of ``s`` the tuple ``(s_0, s_1)``: the values Python computes, with the items followed as
    names (s2s follows a tuple's items only where it is bound once). A name
    that is a parameter, declared ``global``/``nonlocal``, bound any other way, or used in a
    nested def or lambda is left as written. The new names avoid the function's names and
    ``outer``."""
    taken = {n.id for n in walk(tree) if isinstance(n, gast.Name)} | set(outer)
    for name, length in _rebound_tuples(tree).items():
        items = []
        for k in range(length):
            item, j = f"{name}_{k}", 1
            while item in taken:
                j += 1
                item = f"{name}_{k}_{j}"
            taken.add(item)
            items.append(item)
        _TupleNames(name, items).visit(tree)


def _rebound_tuples(tree: gast.FunctionDef) -> dict[str, int]:
    """The names :func:`split_tuple_names` splits, with their tuples' length."""
    lengths: dict[str, set[int]] = {}
    displays: dict[str, int] = {}
    refused = {n for g in walk(tree) if isinstance(g, (gast.Global, gast.Nonlocal))
               for n in g.names}  # fmt: skip
    for inner in walk(tree):
        if isinstance(inner, (gast.FunctionDef, gast.Lambda)) and inner is not tree:
            refused |= {n.id for n in walk(inner) if isinstance(n, gast.Name)}
    plain = set()
    looped = {id(s) for loop in walk(tree) if isinstance(loop, (gast.For, gast.While))
              for s in walk(loop) if s is not loop}  # fmt: skip
    for stmt in walk(tree):
        if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(
            stmt.targets[0], gast.Name
        ) and isinstance(stmt.value, gast.Tuple) and not any(
            isinstance(e, gast.Starred) for e in stmt.value.elts
        ):
            name = stmt.targets[0].id
            lengths.setdefault(name, set()).add(len(stmt.value.elts))
            displays[name] = displays.get(name, 0) + (2 if id(stmt) in looped else 1)
            plain.add(id(stmt.targets[0]))
    for node in walk(tree):
        if isinstance(node, gast.Name) and not isinstance(node.ctx, gast.Load) and (
            id(node) not in plain
        ):
            refused.add(node.id)  # a parameter, a loop target, an unpacking, `:=`, `del`
    return {n: min(ls) for n, ls in lengths.items()
            if len(ls) == 1 and displays[n] > 1 and n not in refused and min(ls) > 0}  # fmt: skip


class _TupleNames(gast.NodeTransformer):
    """The rewrite of :func:`split_tuple_names` for one name."""

    def __init__(self, name: str, items: list[str]) -> None:
        self.name, self.items = name, items

    def _tuple(self, ctx: gast.expr_context, at: gast.AST) -> gast.Tuple:
        out = gast.Tuple(elts=[_name(i, ctx) for i in self.items], ctx=ctx)
        for node in walk(out):
            gast.copy_location(node, at)
        return out

    def visit_Assign(self, node: gast.Assign) -> gast.AST:
        node.value = self.visit(node.value)
        target = node.targets[0] if len(node.targets) == 1 else None
        if isinstance(target, gast.Name) and target.id == self.name:
            node.targets = [self._tuple(gast.Store(), target)]
        else:
            node.targets = [self.visit(t) for t in node.targets]
        return node

    def visit_Subscript(self, node: gast.Subscript) -> gast.AST:
        key = node.slice
        if isinstance(key, gast.UnaryOp) and isinstance(key.op, gast.USub) and isinstance(
            key.operand, gast.Constant
        ) and type(key.operand.value) is int:
            index = -key.operand.value
        else:
            index = key.value if isinstance(key, gast.Constant) else None
        if isinstance(node.value, gast.Name) and node.value.id == self.name and isinstance(
            node.ctx, gast.Load
        ) and type(index) is int and -len(self.items) <= index < len(self.items):
            return gast.copy_location(_name(self.items[index], gast.Load()), node)
        return self.generic_visit(node)

    def visit_Name(self, node: gast.Name) -> gast.AST:
        if node.id == self.name and isinstance(node.ctx, gast.Load):
            return self._tuple(gast.Load(), node)
        return node
