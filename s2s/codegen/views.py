"""Repeated views: the same constant subscript of an unchanged array taken once.

The normal form names each subscript on its own, so ``np.sum((x[1:] - x[:-1] ** 2) ** 2 +
(1.0 - x[:-1]) ** 2)`` takes the view ``x[:-1]`` twice (``getitem_2 = x[:-1]`` ...
``getitem_3 = x[:-1]``), and a view costs about as much as an arithmetic operation on a few
hundred numbers. In straight-line code, a later subscript of the same array by the same
constant key (integers, ``None``, slices of them, tuples of those), where nothing in between
may write into an array (only bindings of new names to arithmetic and numpy calls without
``out=``), names the earlier value instead (``getitem_3 =
getitem_2``): the same numbers, since a basic subscript of an unchanged array reads the same
entries (a view of them, or for a list a copy). Both names must be read only as operands
(arithmetic, numpy functions without ``out=``, item reads), so nothing changes the value
through one name that the other would then show (an ``append``, an attribute set). The
later name is kept, bound to the earlier value, so the non-finite search
(s2s/reverse/nonfinite.py) still reads each primal value by its name.

>>> import gast
>>> from s2s.codegen.emit import to_source
>>> from s2s.codegen.sweeps import Block
>>> body = gast.parse('a = x[:-1]\\nb = a ** 2\\nc = x[:-1]\\nd = x[1:]').body
>>> share_repeated_views([Block(None, body)], set(), set())
>>> print("\\n".join(to_source(s, False).strip() for s in body))
a = x[:-1]
b = a ** 2
c = a
d = x[1:]
"""

from __future__ import annotations

import gast

from s2s.codegen.sweeps import Block
from s2s.codegen.walking import inner_nodes, stored_names, walk_with_parents

# numpy functions that write into an argument (ufuncs' methods such as `_np.add.at` are
# attributes of attributes, never trusted)
_WRITING = frozenset(("copyto", "put", "place", "putmask", "fill_diagonal", "put_along_axis"))


def share_repeated_views(blocks: list[Block], written: set[str], keep: set[str],
                         others: list[Block] = ()) -> None:  # fmt: skip
    """In the straight-line statements of ``blocks`` (the primal sweep), bind a repeated
    constant subscript ``t2 = x[key]`` to the earlier ``t1 = x[key]`` (``t2 = t1``), in place.
    ``written``: names changed in place somewhere (``Sweeps.written``), never shared;
    ``keep``: names the derivative returns, never shared; ``others``: the rest of the code
    (the adjoint sweep), where a name bound again is not shared either."""
    body = [stmt for block in blocks for stmt in block.body]
    views = [view[1:] for view in map(_constant_view, body) if view is not None]
    if len(set(views)) == len(views):
        return  # no subscript repeated (most code): nothing to count
    everything = body + [stmt for block in others for stmt in block.body]
    counts: dict[str, int] = {}
    for stmt in everything:
        for target in stored_names(stmt):
            counts[target] = counts.get(target, 0) + 1
    handed: set[str] | None = None  # (walked for the first repeated subscript only)
    seen: dict[tuple[str, str], str] = {}  # (array, key's text) -> the earlier name
    for stmt in body:
        view = _constant_view(stmt)
        if view is not None:
            target, base, key = view
            single = counts.get(target) == 1 and target not in written and target not in keep
            if single and base not in written and counts.get(base, 0) <= 1:
                earlier = seen.get((base, key))
                if earlier is not None:
                    if handed is None:
                        handed = _handed_on(everything)
                    if earlier not in handed and target not in handed:
                        stmt.value = gast.Name(earlier, gast.Load(), None, None)
                        continue
                seen[(base, key)] = target
        if not _harmless(stmt):  # it may change any array, or rebinds a name: start over
            seen.clear()


def _handed_on(statements: list[gast.stmt]) -> set[str]:
    """The names read anywhere but as an operand of arithmetic or a comparison, an argument of
    a numpy function without ``out=`` (or of ``_s2s.like``, a shape record) or the array of
    an item read: a value that may be changed through that name (a list's ``append``, an
    attribute set, an item stored, a call of other code), or be kept and changed later,
    which a value shared by two names would show under both."""
    handed: set[str] = set()
    for stmt in statements:
        nodes, parents = walk_with_parents(stmt)
        for node in nodes:
            if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load):
                parent = parents.get(id(node))
                if not _operand(node, parent):
                    handed.add(node.id)
    return handed


def _operand(node: gast.Name, parent: gast.AST | None) -> bool:
    if isinstance(parent, (gast.BinOp, gast.UnaryOp, gast.Compare)):
        return True
    if isinstance(parent, gast.Subscript):
        return parent.value is node and isinstance(parent.ctx, gast.Load)
    if isinstance(parent, gast.Call) and any(arg is node for arg in parent.args):
        func = parent.func
        if (isinstance(func, gast.Attribute) and func.attr == "like"
                and isinstance(func.value, gast.Name) and func.value.id == "_s2s"):  # fmt: skip
            return True
        return _trusted(parent)
    return False


def _constant_view(stmt: gast.stmt) -> tuple[str, str, str] | None:
    """``(target, array, key)`` of ``target = array[key]`` with a constant key, else None."""
    if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1):
        return None
    target, value = stmt.targets[0], stmt.value
    if not (isinstance(target, gast.Name) and isinstance(value, gast.Subscript)):
        return None
    if not (isinstance(value.value, gast.Name) and _constant_key(value.slice)):
        return None
    return target.id, value.value.id, gast.dump(value.slice)


def _constant_key(node: gast.expr | None) -> bool:
    if node is None:
        return True
    if isinstance(node, gast.Constant):
        return node.value is None or type(node.value) is int
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        return isinstance(node.operand, gast.Constant) and type(node.operand.value) is int
    if isinstance(node, gast.Slice):
        return all(_constant_key(part) for part in (node.lower, node.upper, node.step))
    if isinstance(node, gast.Tuple):
        return all(_constant_key(part) for part in node.elts)
    return False


def _harmless(stmt: gast.stmt) -> bool:
    """A plain binding of one new name whose value calls nothing but numpy and s2s's runtime
    (``_np.*``, ``_s2s.*``): it writes into no array. Anything else may (a subscript store,
    an update in place, a call of the user's code)."""
    if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1):
        return False
    if not isinstance(stmt.targets[0], gast.Name):
        return False
    for node in inner_nodes(stmt.value):
        if isinstance(node, gast.Call) and not _trusted(node):
            return False
        if isinstance(node, (gast.Lambda, gast.NamedExpr, gast.Yield, gast.Await)):
            return False
    return True


def _trusted(node: gast.Call) -> bool:
    """``_np.name(...)`` without ``out=``, ``name`` not a function that writes into an
    argument."""
    func = node.func
    if any(keyword.arg in (None, "out") for keyword in node.keywords):
        return False
    return (isinstance(func, gast.Attribute) and func.attr not in _WRITING
            and isinstance(func.value, gast.Name) and func.value.id == "_np")  # fmt: skip
