"""Tolists: ``x.tolist()`` of a local array written as the list of its items' ``.item()``.

For a 1-D array, ``x.tolist()`` is the list of its entries as Python numbers (numpy's reference,
``ndarray.tolist``: "converted to the nearest compatible builtin Python type, via the item
function"), so it is ``[item.item() for item in x]``: a list of values that each carry their
entry's gradient (``.item()`` is differentiated as ``float``). Unpacked into names,
``a, b = x.tolist()`` indexes the array, after a check that it has as many entries as names
(Python raises ``ValueError`` otherwise; so does the check, which ``python -O`` keeps):

>>> import gast
>>> from s2s.frontend.parse import parse
>>> from s2s.frontend.resolve import resolve
>>> def f(x):
...     a, b = x.tolist()
...     return a * b + sum(x.tolist())
>>> primal = parse(f)
>>> _ = resolve(primal)  # resolve ends with expand_tolists
>>> print(gast.unparse(primal.tree).strip())
def f(x):
    if len(x) != 2:
        raise ValueError('x.tolist() does not hold the 2 values to unpack')
    a, b = (x[0].item(), x[1].item())
    return a * b + sum([item.item() for item in x])

Another array than one of 1 dimension raises where it is used: iterating a 0-d array is a
``TypeError``, and ``.item()`` of a row of a 2-D array a ``ValueError``. ``.tolist()`` of a
global array (no gradient) is kept as written.
"""

from __future__ import annotations

from typing import Any

import gast

from s2s.codegen.walking import copy_tree, inner_nodes


def _is_tolist(node: Any, method: type, outside: set[str] = frozenset()) -> bool:
    """``E.tolist()`` with ``E`` a local value (resolve marked the attribute a ``method``), not
    read from a name of ``outside`` (a global array carries no gradient: kept as written)."""
    if not (isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute)
            and node.func.attr == "tolist" and not node.args and not node.keywords
            and isinstance(getattr(node.func, "s2s_target", None), method)):  # fmt: skip
        return False
    root = node.func.value
    while isinstance(root, (gast.Attribute, gast.Subscript)):
        root = root.value
    return not (isinstance(root, gast.Name) and root.id in outside)


def _item(value: gast.expr, method: type) -> gast.Call:
    """``value.item()``, marked as the method of a local value."""
    func = gast.Attribute(value=value, attr="item", ctx=gast.Load())
    func.s2s_target = method("item")
    return gast.Call(func=func, args=[], keywords=[])


def _name(id_: str, ctx: gast.expr_context) -> gast.Name:
    return gast.Name(id=id_, ctx=ctx, annotation=None, type_comment=None)


class _Items(gast.NodeTransformer):
    """Each ``E.tolist()`` to ``[item.item() for item in E]``."""

    def __init__(self, method: type, variable: str, outside: set[str]) -> None:
        self.method, self.variable, self.outside = method, variable, outside

    def visit_Call(self, node: gast.Call) -> Any:
        self.generic_visit(node)
        if not _is_tolist(node, self.method, self.outside):
            return node
        loop = gast.comprehension(target=_name(self.variable, gast.Store()),
                                  iter=node.func.value, ifs=[], is_async=0)  # fmt: skip
        built = gast.ListComp(elt=_item(_name(self.variable, gast.Load()), self.method),
                              generators=[loop])  # fmt: skip
        return gast.copy_location(built, node)


def _unpacked(stmt: gast.stmt, method: type, fresh: Any, outside: set[str]) -> list | None:
    """``a, b = E.tolist()``: the statements it means, or ``None`` for another statement."""
    if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], (gast.Tuple, gast.List))
            and all(isinstance(t, gast.Name) for t in stmt.targets[0].elts)
            and _is_tolist(stmt.value, method, outside)):  # fmt: skip
        return None
    names = stmt.targets[0].elts
    array = stmt.value.func.value
    out: list[gast.stmt] = []
    if not isinstance(array, gast.Name) or array.id in {n.id for n in names}:
        holder = fresh("array")
        out.append(gast.Assign(targets=[_name(holder, gast.Store())], value=array,
                               type_comment=None))  # fmt: skip
        array = _name(holder, gast.Load())
    written = f"{gast.unparse(stmt.value).strip()}"
    size = gast.Call(func=_name("len", gast.Load()), args=[copy_tree(array)], keywords=[])
    wrong = gast.Compare(left=size, ops=[gast.NotEq()],
                         comparators=[gast.Constant(value=len(names), kind=None)])  # fmt: skip
    message = gast.Constant(value=f"{written} does not hold the {len(names)} values to unpack",
                            kind=None)  # fmt: skip
    error = gast.Call(func=_name("ValueError", gast.Load()), args=[message], keywords=[])
    out.append(gast.If(test=wrong, body=[gast.Raise(exc=error, cause=None)], orelse=[]))
    items = [_item(gast.Subscript(value=copy_tree(array),
                                  slice=gast.Constant(value=i, kind=None), ctx=gast.Load()),
                   method) for i in range(len(names))]  # fmt: skip
    out.append(gast.Assign(targets=stmt.targets, value=gast.Tuple(elts=items, ctx=gast.Load()),
                           type_comment=None))  # fmt: skip
    return [gast.copy_location(s, stmt) for s in out]


def _block(block: list[gast.stmt], method: type, fresh: Any, outside: set[str]) -> None:
    index = 0
    while index < len(block):
        stmt = block[index]
        for arm in ("body", "orelse", "finalbody"):
            nested = getattr(stmt, arm, None)
            if isinstance(nested, list) and not isinstance(stmt, gast.FunctionDef):
                _block(nested, method, fresh, outside)
        for handler in getattr(stmt, "handlers", []):
            _block(handler.body, method, fresh, outside)
        expanded = _unpacked(stmt, method, fresh, outside)
        if expanded is None:
            index += 1
            continue
        block[index : index + 1] = expanded
        index += len(expanded)


def expand_tolists(tree: gast.FunctionDef, method: type) -> None:
    """Rewrite, in place, each ``E.tolist()`` of a local value in ``tree`` (``method`` is the
    annotation resolve gives a method of a local value, :class:`s2s.frontend.resolve.Method`)."""
    taken = {n.id for n in inner_nodes(tree) if isinstance(n, gast.Name)}
    local = {n.id for n in inner_nodes(tree)
             if isinstance(n, gast.Name) and isinstance(n.ctx, (gast.Store, gast.Param))}
    outside = taken - local - {a.id for a in tree.args.args + tree.args.kwonlyargs}  # fmt: skip
    if not any(_is_tolist(n, method, outside) for n in inner_nodes(tree)):
        return

    def fresh(base: str) -> str:
        name, k = base, 2
        while name in taken:
            name, k = f"{base}_{k}", k + 1
        taken.add(name)
        return name

    _block(tree.body, method, fresh, outside)
    _Items(method, fresh("item"), outside).visit(tree)
