"""Dict comprehensions: ``{k: v * 2 for k, v in params.items()}`` written out as the dict
literal it makes, before the parameter containers and local dicts are lowered.

The keys must be known when the derivative is made, so the comprehension's one ``for`` runs
over a value whose items s2s knows then: a local dict literal with constant keys (bound once),
a dict parameter container (``wrt``; its keys are part of the derivative's cache key), an item
of one with a constant key (``params["layer"]``), through ``.items()``, ``.keys()``,
``.values()`` or the dict itself; or a tuple or list literal. Each item is substituted for the
loop's names (an item of a literal only when it is a constant, a name or an attribute chain,
so nothing runs twice), and the comprehension becomes ``{key_1: value_1, ...}``, which
:mod:`s2s.frontend.dicts` turns into one name per key where the keys are constants:

>>> import gast
>>> tree = gast.parse(
...     "def f(x):\\n"
...     "    d = {'a': x, 'b': x * 3}\\n"
...     "    e = {k: v * 2 for k, v in d.items()}\\n"
...     "    return {name: fn(x) for name, fn in (('s', np.sin), ('c', np.cos))}")
>>> expand_dict_comprehensions(tree.body[0], {}, lambda node: None)
>>> print(gast.unparse(tree).strip())
def f(x):
    d = {'a': x, 'b': x * 3}
    e = {'a': d['a'] * 2, 'b': d['b'] * 2}
    return {'s': np.sin(x), 'c': np.cos(x)}

Any other dict comprehension (an ``if``, a second ``for``, an iterable known only at run time)
raises :class:`~s2s.errors.UnsupportedSyntaxError` at its line.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

import gast

from s2s.codegen.walking import copy_tree, inner_nodes, walk
from s2s.errors import UnsupportedSyntaxError

_VIEWS = ("items", "keys", "values")
_CONSTANT_PARTS = (gast.Constant, gast.BinOp, gast.operator, gast.JoinedStr,
                   gast.FormattedValue)  # fmt: skip


def _const(value: Any) -> gast.Constant:
    return gast.Constant(value=value, kind=None)


def _is_pure(node: gast.expr) -> bool:
    """A constant, a name, or an attribute chain or constant-key item of one: substituting it
    twice runs nothing twice; or a tuple of them (an item of ``.items()`` bound to one name)."""
    if isinstance(node, gast.Tuple):
        return all(_is_pure(e) for e in node.elts)
    while isinstance(node, gast.Attribute) or (
        isinstance(node, gast.Subscript) and isinstance(node.slice, gast.Constant)
    ):
        node = node.value
    return isinstance(node, (gast.Name, gast.Constant))


def _local_dicts(tree: gast.FunctionDef) -> dict[str, list[Any]]:
    """Names bound exactly once, to a dict literal whose keys are all constants: their keys."""
    counts: dict[str, int] = {}
    for node in inner_nodes(tree):  # (counts: in no particular order)
        if isinstance(node, gast.Name) and isinstance(node.ctx, (gast.Store, gast.Del)):
            counts[node.id] = counts.get(node.id, 0) + 1
    found = {}
    for node in walk(tree):
        if (isinstance(node, gast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], gast.Name)
                and isinstance(node.value, gast.Dict)
                and all(isinstance(k, gast.Constant) and type(k.value) in (str, int)
                        for k in node.value.keys)):  # fmt: skip
            found[node.targets[0].id] = [k.value for k in node.value.keys]
    return {name: keys for name, keys in found.items() if counts.get(name) == 1}


def _container_keys(node: gast.expr, containers: dict[str, Any]) -> list[Any] | None:
    """The keys of a dict parameter container ``params`` or ``params["layer"]``, else None."""
    steps = []
    while isinstance(node, gast.Subscript):
        if not isinstance(node.slice, gast.Constant):
            return None
        steps.append(node.slice.value)
        node = node.value
    if not isinstance(node, gast.Name) or node.id not in containers:
        return None
    treedef = containers[node.id][0]
    for step in reversed(steps):
        treedef = treedef.child(step)
        if treedef is None:
            return None
    return list(treedef.keys) if treedef.kind == "dict" else None


def _items(iterable: gast.expr, dicts: dict[str, list[Any]], containers: dict[str, Any]):
    """The items the loop runs over, as expressions, or ``None`` where they are not known."""
    view = None
    if (isinstance(iterable, gast.Call) and isinstance(iterable.func, gast.Attribute)
            and iterable.func.attr in _VIEWS and not iterable.args and not iterable.keywords):
        view, iterable = iterable.func.attr, iterable.func.value  # fmt: skip
    if isinstance(iterable, (gast.Tuple, gast.List)) and view is None:
        return list(iterable.elts)
    keys = _container_keys(iterable, containers)
    if keys is None and isinstance(iterable, gast.Name):
        keys = dicts.get(iterable.id)
    if keys is None:
        return None

    def entry(key: Any) -> gast.expr:
        return gast.Subscript(value=copy_tree(iterable), slice=_const(key), ctx=gast.Load())

    if view == "items":
        return [gast.Tuple(elts=[_const(k), entry(k)], ctx=gast.Load()) for k in keys]
    if view == "values":
        return [entry(k) for k in keys]
    return [_const(k) for k in keys]


def _bind(target: gast.expr, item: gast.expr, out: dict[str, gast.expr]) -> bool:
    """Match the loop target against one item; False where the item's parts are not known."""
    if isinstance(target, gast.Name):
        out[target.id] = item
        return True
    if (isinstance(target, (gast.Tuple, gast.List)) and isinstance(item, (gast.Tuple, gast.List))
            and len(target.elts) == len(item.elts)):  # fmt: skip
        return all(_bind(t, i, out) for t, i in zip(target.elts, item.elts))
    return False


def _folded(key: gast.expr) -> gast.expr:
    """A key made of constants only (``"a" + "_scaled"``, ``f"{'w'}_grad"``) as its value."""
    if not all(isinstance(n, _CONSTANT_PARTS) for n in walk(key)):
        return key
    expression = gast.gast_to_ast(gast.Expression(body=key))
    try:
        value = eval(compile(ast.fix_missing_locations(expression), "<key>", "eval"),
                     {"__builtins__": {}})  # fmt: skip  (constants and operators only)
    except Exception:  # noqa: BLE001 - Python raises it again when the code runs
        return key
    return gast.copy_location(_const(value), key) if type(value) in (str, int) else key


class _Substitute(gast.NodeTransformer):
    def __init__(self, values: dict[str, gast.expr]) -> None:
        self.values = values

    def visit_Name(self, node: gast.Name) -> Any:
        if isinstance(node.ctx, gast.Load) and node.id in self.values:
            return gast.copy_location(copy_tree(self.values[node.id]), node)
        return node

    def visit_Subscript(self, node: gast.Subscript) -> Any:
        """``kv[0]`` of an item ``kv`` of ``.items()``: the key itself."""
        self.generic_visit(node)
        index = node.slice.value if isinstance(node.slice, gast.Constant) else None
        if isinstance(node.value, gast.Tuple) and type(index) is int:
            if -len(node.value.elts) <= index < len(node.value.elts):
                return node.value.elts[index]
        return node


def _written_out(node: gast.DictComp, dicts, containers) -> gast.Dict | str:
    """The dict literal ``node`` makes, or why it cannot be written out."""
    if len(node.generators) != 1 or node.generators[0].ifs or node.generators[0].is_async:
        return "with an `if` or a second `for`"
    loop = node.generators[0]
    items = _items(loop.iter, dicts, containers)
    if items is None:
        return "over a value whose keys or items are known only at run time"
    keys, values = [], []
    for item in items:
        bound: dict[str, gast.expr] = {}
        if not _bind(loop.target, item, bound):
            return "whose loop names do not match the items of the literal it runs over"
        if not all(_is_pure(v) for v in bound.values()):
            return "over a literal whose items are computed (they would run once per use)"
        keys.append(_folded(_Substitute(bound).visit(copy_tree(node.key))))
        values.append(_Substitute(bound).visit(copy_tree(node.value)))
    return gast.copy_location(gast.Dict(keys=keys, values=values), node)


def expand_dict_comprehensions(
    tree: gast.FunctionDef, containers: dict[str, Any], where: Callable[[Any], Any]
) -> None:
    """Rewrite, in place, each dict comprehension of ``tree`` (not of a nested def) into the
    dict literal it makes. ``containers`` maps each parameter container argument to its
    ``(TreeDef, leaf names)``.

    Raises:
        UnsupportedSyntaxError: a dict comprehension whose items are not known when the
            derivative is made, or with an ``if`` or a second ``for``.
    """
    if not any(isinstance(n, gast.DictComp) for n in inner_nodes(tree)):
        return
    dicts = _local_dicts(tree)

    class Expand(gast.NodeTransformer):
        def visit_FunctionDef(self, node: gast.FunctionDef) -> Any:
            return self.generic_visit(node) if node is tree else node

        def visit_DictComp(self, node: gast.DictComp) -> Any:
            self.generic_visit(node)
            written = _written_out(node, dicts, containers)
            if isinstance(written, str):
                raise UnsupportedSyntaxError(
                    f"a dict comprehension {written} is not supported: s2s writes one out "
                    "when the derivative is made",
                    where(node),
                    "run it over a local dict with constant keys, a dict argument in wrt "
                    "(`.items()`, `.keys()`, `.values()`) or a tuple literal, or write the dict "
                    "literal (`{'a': ..., 'b': ...}`)",
                )
            return written

    Expand().visit(tree)
