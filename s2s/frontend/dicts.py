"""Dicts: a local dict with constant keys becomes one local name per key, before normalize.

``d = {}; d["h"] = np.tanh(x); ... d["h"]`` is ``d_h = np.tanh(x); ... d_h``: the keys are
constants, so each entry is a variable of its own, differentiated as any other. ``d.get(k)``
reads the entry when ``d[k]`` is surely set by then (in the literal, or assigned in straight-line
code before), and the default when ``k`` is never set; loops over ``d.items()``, ``d.values()``
and ``d.keys()`` are unrolled in insertion order, and ``len(d)`` is a number, when every key is
set in straight-line code. A dict used in any other way (passed whole to a function, returned,
indexed with a value known only at run time, changed with a method) is left as it is.

>>> import gast
>>> tree = gast.parse("def f(x):\\n    d = {}\\n    d['h'] = x * 2\\n    return d['h']")
>>> lower_dicts(tree.body[0], set(), lambda node: None)
>>> print(gast.unparse(tree).strip())
def f(x):
    d_h = x * 2
    return d_h
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import gast

from s2s.codegen.walking import inner_nodes, statements_in, walk, walk_with_parents
from s2s.errors import UnsupportedSyntaxError
from s2s.frontend.containers import lower_local

DICT_VIEWS = ("items", "values", "keys")


def lower_dicts(
    tree: gast.FunctionDef,
    taken: set[str],
    where: Callable[[Any], Any],
    spellings: dict[str, str] | None = None,
) -> None:
    """Rewrite each local dict of ``tree`` that has constant keys into one name per key
    (``taken``, the names in use, grows by them; ``spellings``, if given, gets each such name's
    spelling for messages: ``d_b`` -> ``d['b']``)."""
    found, refused = _candidates(tree)
    for binding, use in refused:
        _refuse(binding, use, where)
    for name in found:
        _lower_one(tree, name, taken, where, spellings if spellings is not None else {})


def _refuse(binding: gast.Assign, use: tuple[gast.AST, str], where) -> None:
    """A dict s2s does not follow: a write with a key known only at run time is refused now;
    any other use is noted on the literal, and refused only if a value carries a gradient."""
    name, (node, how) = binding.targets[0].id, use
    if how.startswith("written with"):
        raise UnsupportedSyntaxError(
            f"the local dict `{name}` is {how}; s2s follows a local dict through constant keys "
            "only",
            where(node),
            f"use constant keys (`{name}['a'] = ...`), or collect the values in a list "
            "(`vals.append(v)`) and index that",
        )
    follows = "" if "nested function" in how else (
        ", and s2s follows a local dict only through constant keys (`d['a']`), `.get` with a "
        "constant key, loops over `.items()`, `.values()` or `.keys()`, and `len`"
    )  # fmt: skip
    binding.value.s2s_refusal = (
        f"the local dict `{name}` (line {binding.lineno}) is {how}{follows}",
        where(node),
        f"read the values you need (`{name}['a']`) and pass those",
    )


def dict_names(tree: gast.FunctionDef) -> set[str]:
    """The names ``tree`` binds only with ``=`` to dict displays (``d = {"h": x}``): their
    ``.get``, ``.items()``, ``.values()`` and ``.keys()`` only read them."""
    displays = [t for node in statements_in(tree) if isinstance(node, gast.Assign)
                and isinstance(node.value, gast.Dict) for t in node.targets]  # fmt: skip
    if not displays:
        return set()  # (no second walk)
    shown = {id(t) for t in displays}
    other = {n.id for n in walk(tree) if isinstance(n, gast.Name)
             and not isinstance(n.ctx, gast.Load) and id(n) not in shown}  # fmt: skip
    return {t.id for t in displays if isinstance(t, gast.Name)} - other


def _const_key(node: gast.expr) -> Any:
    if isinstance(node, gast.Constant) and type(node.value) in (str, int):
        return node.value
    return None


def _is_literal(value: gast.expr) -> bool:
    if isinstance(value, gast.Dict):
        return all(k is not None and _const_key(k) is not None for k in value.keys)
    return (
        isinstance(value, gast.Call)
        and isinstance(value.func, gast.Name)
        and value.func.id == "dict"
        and not value.args
        and all(k.arg is not None for k in value.keywords)
    )


def _parents(tree: gast.AST) -> dict[int, gast.AST]:
    return walk_with_parents(tree)[1]


def _candidates(tree: gast.FunctionDef) -> tuple[list[str], list]:
    """Names bound once, to a dict literal with constant keys, and used only through constant
    keys, ``.get`` with a constant key, ``.items()``/``.values()``/``.keys()`` and ``len``;
    and the other dict literals bound to a name, each with its first other use."""
    if not any(
        isinstance(node, gast.Assign) and len(node.targets) == 1
        and isinstance(node.targets[0], gast.Name) and _is_literal(node.value)
        for node in statements_in(tree)  # (an assignment is a statement)
    ):  # fmt: skip
        return [], []  # no dict literal bound to a name (what the passes below look for)
    bindings: dict[str, list[gast.AST]] = {}
    nested: dict[int, str] = {}  # a nested def's names (not a checkpointed loop's): its name
    for node in walk(tree):
        if isinstance(node, gast.Name) and isinstance(node.ctx, (gast.Store, gast.Del)):
            bindings.setdefault(node.id, []).append(node)
        if isinstance(node, gast.FunctionDef) and node is not tree:
            trips = getattr(node, "s2s_checkpoint", None) is not None  # a checkpointed loop's
            for sub in walk(node):  # the trips read a dict as the body does; a nested def
                if not isinstance(sub, gast.Name) or trips and isinstance(sub.ctx, gast.Load):
                    continue  # through constant keys (`d["a"]`: a closure reading `d_a`)
                if not trips:
                    nested.setdefault(id(sub), node.name)
                if not isinstance(sub.ctx, gast.Load):  # a binding (a parameter too) there
                    bindings.setdefault(sub.id, []).extend([sub, sub] if trips else [sub])
    parents = _parents(tree)
    found, refused = [], []
    for node in walk(tree):
        if not (isinstance(node, gast.Assign) and len(node.targets) == 1):
            continue
        target = node.targets[0]
        if not isinstance(target, gast.Name) or not _is_literal(node.value):
            continue
        uses = [
            n for n in walk(tree)
            if isinstance(n, gast.Name) and n.id == target.id and isinstance(n.ctx, gast.Load)
        ]  # fmt: skip
        other = [n for n in uses if not _allowed_use(n, parents, id(n) in nested)]
        bound = bindings[target.id]  # a checkpointed loop's trips count twice: left alone
        if len(bound) != 1 and id(bound[-1]) in nested:
            how = f"bound again inside the nested function `{nested[id(bound[-1])]}`"
            refused.append((node, (bound[-1], how)))
        elif len(bound) != 1:
            refused.append((node, (bound[-1], "bound more than once")))
        elif other and id(other[0]) in nested:  # a closure reads it through constant keys
            how = _how(other[0], parents, nested[id(other[0])])
            refused.append((node, (other[0], how)))
        elif other:
            refused.append((node, (other[0], _how(other[0], parents))))
        else:
            found.append(target.id)
    return found, refused


def _how(node: gast.Name, parents: dict[int, gast.AST], inside: str = "") -> str:
    """How ``node`` uses its dict, for a message (``inside``: the nested def it is in, where
    only reads through constant keys are followed)."""
    parent = parents.get(id(node))
    if inside:
        written = isinstance(parent, gast.Subscript) and isinstance(parent.ctx, gast.Store)
        known = isinstance(parent, gast.Subscript) and _const_key(parent.slice) is not None
        use = "written" if written and known else _how(node, parents)
        return (f"{use} inside the nested function `{inside}`, where s2s follows it only "
                f"through reads with constant keys (`{node.id}['a']`)")  # fmt: skip
    if isinstance(parent, gast.Subscript):
        if isinstance(parent.ctx, gast.Store):
            return "written with a key known only at run time"
        return "read with a key known only at run time"
    if isinstance(parent, gast.Attribute):
        return f"changed or read with `.{parent.attr}(...)`"
    if isinstance(parent, gast.Call):
        return "passed whole to a function"
    if isinstance(parent, gast.Return):
        return "returned whole"
    return "used whole"


def _allowed_use(node: gast.Name, parents: dict[int, gast.AST], nested: bool = False) -> bool:
    """``node`` reads its dict in a way s2s follows; inside a nested def (a closure), only
    through a constant key, which becomes the closure's read of the entry's name."""
    parent = parents.get(id(node))
    if isinstance(parent, gast.Subscript) and parent.value is node:
        loaded = isinstance(parent.ctx, gast.Load) or not nested
        return loaded and _const_key(parent.slice) is not None
    if nested:
        return False
    if isinstance(parent, gast.Attribute) and parent.value is node:
        call = parents.get(id(parent))
        if not isinstance(call, gast.Call) or call.func is not parent or call.keywords:
            return False
        if parent.attr == "get":
            return 1 <= len(call.args) <= 2 and _const_key(call.args[0]) is not None
        return parent.attr in DICT_VIEWS and not call.args
    if isinstance(parent, gast.Call) and node in parent.args:
        return isinstance(parent.func, gast.Name) and parent.func.id == "len"
    if isinstance(parent, (gast.For, gast.comprehension)) and parent.iter is node:
        return True
    return False


def _lower_one(tree: gast.FunctionDef, name: str, taken: set[str], where, spellings) -> None:
    keys: list[Any] = []  # in insertion order
    straight: dict[Any, int] = {}  # key -> index of the top-level statement that sets it
    iterated = []

    def note(key: Any, index: int | None) -> None:
        if key not in keys:
            keys.append(key)
            if index is not None:
                straight[key] = index

    for index, stmt in enumerate(tree.body):
        top = index
        for node in walk(stmt):
            if isinstance(node, gast.Assign) and _binds(node, name):
                for key in _literal_keys(node.value):
                    note(key, top if node is stmt else None)
            if isinstance(node, gast.Subscript) and _is(node.value, name):
                if isinstance(node.ctx, gast.Store):
                    direct = node in getattr(stmt, "targets", [getattr(stmt, "target", None)])
                    note(_const_key(node.slice), top if direct else None)
            if isinstance(node, gast.Call) and _is_view(node, name):
                iterated.append(node)
            if isinstance(node, (gast.For, gast.comprehension)) and _is(node.iter, name):
                iterated.append(node)
            if _is_len(node, name):
                iterated.append(node)
    for node in iterated:
        unset = [k for k in keys if k not in straight]
        if unset:
            raise UnsupportedSyntaxError(
                f"the local dict `{name}` is looped over or measured, but its key {unset[0]!r} is "
                "first set inside a branch or loop, so its keys are not known before it runs",
                where(node),
                f"set every key of `{name}` in straight-line code first (`{name}[{unset[0]!r}] "
                "= ...` before the loop), or keep the values in a list",
            )
    names = _leaf_names(name, keys, taken)
    spellings.update({leaf: f"{name}[{key!r}]" for key, leaf in zip(keys, names)})
    _rewrite(tree, name, dict(zip(keys, names)), straight, where)
    lower_local(tree, name, keys, names, where)


def _leaf_names(name: str, keys: list[Any], taken: set[str]) -> list[str]:
    out = []
    for key in keys:
        base = name + "_" + re.sub(r"\W", "_", str(key))
        candidate, n = base, 2
        while candidate in taken:
            candidate, n = f"{base}_{n}", n + 1
        taken.add(candidate)
        out.append(candidate)
    return out


def _is(node: gast.AST, name: str) -> bool:
    return isinstance(node, gast.Name) and node.id == name


def _binds(node: gast.Assign, name: str) -> bool:
    return len(node.targets) == 1 and _is(node.targets[0], name)


def _literal_keys(value: gast.expr) -> list[Any]:
    if isinstance(value, gast.Dict):
        return [_const_key(k) for k in value.keys]
    return [k.arg for k in value.keywords]


def _literal_values(value: gast.expr) -> list[gast.expr]:
    if isinstance(value, gast.Dict):
        return list(value.values)
    return [k.value for k in value.keywords]


def _is_view(node: gast.Call, name: str) -> bool:
    func = node.func
    return isinstance(func, gast.Attribute) and _is(func.value, name) and func.attr in DICT_VIEWS


def _is_len(node: gast.AST, name: str) -> bool:
    return (
        isinstance(node, gast.Call)
        and isinstance(node.func, gast.Name)
        and node.func.id == "len"
        and len(node.args) == 1
        and _is(node.args[0], name)
    )


def _store(target: str, value: gast.expr, at: gast.AST, shown: str) -> gast.Assign:
    """``target = value``, the entry ``shown`` (``d['h']``) of the dict as the user wrote it."""
    name = gast.Name(target, gast.Store(), None, None)
    name.s2s_shown = shown  # what messages call the entry
    return gast.copy_location(gast.Assign(targets=[name], value=value, type_comment=None), at)


def _rewrite(tree, name: str, names: dict[Any, str], straight: dict[Any, int], where) -> None:
    """The binding becomes one assignment per key, ``d[k] = v`` and ``d[k] += v`` assignments
    to ``d_k``, ``d.get(k, default)`` the entry or the default."""
    top_index: dict[int, int] = {}
    for index, stmt in enumerate(tree.body):
        for node in walk(stmt):
            top_index[id(node)] = index

    loops = {id(n.iter) for n in inner_nodes(tree) if isinstance(n, (gast.For, gast.comprehension))}

    def entry(key: Any) -> gast.Name:
        return gast.Name(names[key], gast.Load(), None, None)

    class Rewriter(gast.NodeTransformer):
        def visit_FunctionDef(self, node):
            return node if node is not tree else self.generic_visit(node)

        def visit_Assign(self, node):
            if _binds(node, name):
                values = [self.visit(v) for v in _literal_values(node.value)]
                keys = _literal_keys(node.value)
                out = [_store(names[k], v, node, f"{name}[{k!r}]")
                       for k, v in zip(keys, values, strict=True)]  # fmt: skip
                if not out:  # `d = {}`: nothing to compute
                    empty = gast.copy_location(gast.Pass(), node)
                    empty.s2s_empty_dict = True
                    return empty
                return out
            self.generic_visit(node)
            return node

        def visit_Subscript(self, node):
            self.generic_visit(node)
            if _is(node.value, name) and isinstance(node.ctx, gast.Store):
                key = _const_key(node.slice)
                stored = gast.Name(names[key], gast.Store(), None, None)
                stored.s2s_shown = f"{name}[{key!r}]"  # what messages call the entry
                return gast.copy_location(stored, node)
            return node

        def visit_Call(self, node):
            self.generic_visit(node)
            func = node.func
            if _is_view(node, name) and id(node) not in loops:  # sum(d.values()): a tuple
                if func.attr == "values":
                    elts = [entry(k) for k in names]
                elif func.attr == "keys":
                    elts = [gast.Constant(k, None) for k in names]
                else:
                    elts = [gast.Tuple([gast.Constant(k, None), entry(k)], gast.Load())
                            for k in names]  # fmt: skip
                return gast.copy_location(gast.Tuple(elts=elts, ctx=gast.Load()), node)
            if not (isinstance(func, gast.Attribute) and _is(func.value, name)
                    and func.attr == "get"):  # fmt: skip
                return node
            key = _const_key(node.args[0])
            default = node.args[1] if len(node.args) > 1 else gast.Constant(None, None)
            if key not in names:
                return default  # never set: always the default
            index = top_index.get(id(node))
            if key in straight and index is not None and straight[key] < index:
                return gast.copy_location(entry(key), node)
            raise UnsupportedSyntaxError(
                f"`{name}.get({key!r}, ...)` reads an entry that may or may not be set here (it "
                "is set inside a branch or loop, or later)",
                where(node),
                f"set `{name}[{key!r}]` to its default before, in straight-line code, and read "
                f"`{name}[{key!r}]`",
            )

    Rewriter().visit(tree)
    for node in walk(tree):  # `d = {}` leaves nothing, unless its block would be empty
        for arm in ("body", "orelse"):
            block = getattr(node, arm, None)
            if isinstance(block, list) and len(block) > 1:
                setattr(node, arm, [s for s in block if not getattr(s, "s2s_empty_dict", 0)]
                        or block[:1])  # fmt: skip
