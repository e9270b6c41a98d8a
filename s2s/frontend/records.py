"""Records: a NamedTuple or dataclass made inside the function and read back through its fields
becomes one local name per field, before normalize.

``p = Params(w=x * 2, b=y); ... p.w`` is ``p_w = x * 2; p_b = y; ... p_w``: the fields are
known from the class, so each is a variable of its own, differentiated as any other. This holds
for a name bound once to a call of a NamedTuple class or a dataclass whose ``__init__`` is the
generated one (no ``__post_init__``, every field set by ``__init__``), with constants for the
defaults it leaves out, and read only as ``p.field``. An object used in any other way (passed
whole, returned, its methods called, bound again) is left as it is, and refused where it is
made if a value in it carries a gradient.

>>> import numpy as np
>>> from typing import NamedTuple
>>> from s2s.frontend.parse import parse
>>> class Params(NamedTuple):
...     w: np.ndarray
...     b: float = 0.0
>>> def f(x):
...     p = Params(x * 2)
...     return np.sum(p.w) + p.b
>>> primal = parse(f)
>>> [target.name for target in lower_records(primal.tree, primal.func)]
['Params']
>>> print(gast.unparse(primal.tree).strip())
def f(x):
    p_w = x * 2
    p_b = 0.0
    return np.sum(p_w) + p_b
"""

from __future__ import annotations

import dataclasses
import re
import types
from typing import Any

import gast

from s2s.codegen.walking import child_nodes, inner_nodes, walk
from s2s.frontend.resolve import Target, global_value, local_names, name_chain, root_value

_CONSTANTS = (int, float, bool, str, type(None))


def _fields(cls: Any) -> tuple[list[str], dict[str, Any]] | None:
    """The fields ``cls(...)`` sets, in order, and the defaults of those that have one; ``None``
    for a class whose construction may do more than set them."""
    if not isinstance(cls, type):
        return None
    if issubclass(cls, tuple) and hasattr(cls, "_fields") and hasattr(cls, "_field_defaults"):
        if getattr(cls.__new__, "__code__", None) is None or (
            cls.__new__.__code__.co_filename != "<string>"  # namedtuple's generated __new__
        ):
            return None
        return list(cls._fields), dict(cls._field_defaults)
    if not dataclasses.is_dataclass(cls) or hasattr(cls, "__post_init__"):
        return None
    init = getattr(cls.__init__, "__code__", None)
    if init is None or init.co_filename != "<string>":  # an __init__ of the user's own
        return None
    fields = dataclasses.fields(cls)
    if any(not f.init or f.default_factory is not dataclasses.MISSING for f in fields):
        return None
    return [f.name for f in fields], {
        f.name: f.default for f in fields if f.default is not dataclasses.MISSING
    }


def _arguments(call: gast.Call, names: list[str], defaults: dict[str, Any]):
    """Each field's expression in ``call`` (an argument, or its default as a constant), in the
    order Python evaluates them; ``None`` where the call does not bind them plainly."""
    if any(isinstance(a, gast.Starred) for a in call.args) or any(
        k.arg is None for k in call.keywords
    ) or len(call.args) > len(names):  # fmt: skip
        return None
    given = dict(zip(names, call.args))
    for keyword in call.keywords:
        if keyword.arg not in names or keyword.arg in given:
            return None
        given[keyword.arg] = keyword.value
    out = list(given.items())
    for name in names:
        if name not in given:
            if name not in defaults or type(defaults[name]) not in _CONSTANTS:
                return None
            out.append((name, gast.Constant(value=defaults[name], kind=None)))
    return out


def _reads_only_fields(tree: gast.FunctionDef, name: str, fields: list[str]) -> bool:
    parents = {id(c): n for n in walk(tree) for c in child_nodes(n)}
    for node in walk(tree):
        if isinstance(node, gast.FunctionDef) and node is not tree:
            if any(isinstance(n, gast.Name) and n.id == name for n in walk(node)):
                return False  # a nested def reading it: left as it is
        if isinstance(node, gast.Name) and node.id == name and isinstance(node.ctx, gast.Load):
            parent = parents.get(id(node))
            if not (isinstance(parent, gast.Attribute) and parent.attr in fields
                    and isinstance(parent.ctx, gast.Load)):  # fmt: skip
                return False
    return True


def lower_records(tree: gast.FunctionDef, func: types.FunctionType) -> list[Target]:
    """Rewrite, in place, each record of ``tree`` (see the module docstring) into one local
    name per field (``p_w``, numbered where the name is taken). Returns the classes read, as
    call targets the derivative re-checks on each call (a class defined anew generates anew)."""
    targets: list[Target] = []
    local = local_names(tree)
    stores: dict[str, int] = {}
    for node in inner_nodes(tree):  # (counts: in no particular order)
        if isinstance(node, gast.Name) and isinstance(node.ctx, (gast.Store, gast.Del)):
            stores[node.id] = stores.get(node.id, 0) + 1
    params = {a.id for a in tree.args.args + tree.args.posonlyargs + tree.args.kwonlyargs}
    taken = {n.id for n in inner_nodes(tree) if isinstance(n, gast.Name)}
    found: dict[int, tuple[str, list, dict[str, str]]] = {}
    for node in _own_nodes(tree):
        if not (isinstance(node, gast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], gast.Name) and isinstance(node.value, gast.Call)):
            continue  # fmt: skip
        name = node.targets[0].id
        chain = name_chain(node.value.func)
        if chain is None or chain[0] in local or stores.get(name) != 1 or name in params:
            continue
        cls = global_value(func, node.value.func)
        described = _fields(cls)
        if described is None or not _reads_only_fields(tree, name, described[0]):
            continue
        arguments = _arguments(node.value, *described)
        if arguments is None:
            continue
        names = {}
        for field in described[0]:
            base = name + "_" + re.sub(r"\W", "_", field)
            candidate, k = base, 2
            while candidate in taken:
                candidate, k = f"{base}_{k}", k + 1
            taken.add(candidate)
            names[field] = candidate
        found[id(node)] = (name, arguments, names)
        targets.append(Target(cls, root_value(func, chain[0])[0], *chain))
    if found:
        _Rewrite(found).visit(tree)
    return targets


def _own_nodes(tree: gast.FunctionDef) -> list[gast.AST]:
    """The nodes of ``tree`` that are not inside a nested def."""
    out, pending = [], list(tree.body)
    while pending:
        node = pending.pop()
        out.append(node)
        if not isinstance(node, (gast.FunctionDef, gast.Lambda)):
            pending += child_nodes(node)
    return out


class _Rewrite(gast.NodeTransformer):
    def __init__(self, found: dict[int, tuple[str, list, dict[str, str]]]) -> None:
        self.found = found
        self.fields = {name: names for name, _, names in found.values()}

    def visit_FunctionDef(self, node: gast.FunctionDef) -> Any:
        return node if getattr(self, "_inside", False) else self._top(node)

    def _top(self, node: gast.FunctionDef) -> Any:
        self._inside = True
        return self.generic_visit(node)

    def visit_Assign(self, node: gast.Assign) -> Any:
        if id(node) not in self.found:
            return self.generic_visit(node)
        _, arguments, names = self.found[id(node)]
        return [gast.copy_location(gast.Assign(targets=[gast.Name(names[field], gast.Store(),
                                                                  None, None)],
                                               value=self.visit(value), type_comment=None), node)
                for field, value in arguments]  # fmt: skip

    def visit_Attribute(self, node: gast.Attribute) -> Any:
        self.generic_visit(node)
        value = node.value
        if isinstance(value, gast.Name) and value.id in self.fields:
            return gast.copy_location(gast.Name(self.fields[value.id][node.attr], gast.Load(),
                                                None, None), node)  # fmt: skip
        return node
