"""Comprehensions over functions with an ``if`` or a second ``for``, written as loops.

s2s writes a loop over a tuple of functions out once per function, so it knows which function
each call is (:mod:`s2s.frontend.callables`). A comprehension with one ``for`` and no ``if``
becomes the list it makes; one with an ``if`` or more ``for`` clauses becomes, before its
statement, the loops it stands for, appending to a list that takes its place:

>>> import ast, gast
>>> tree = gast.ast_to_gast(ast.parse("total = sum(np.sum(g(x)) for g in fns if g is not h)"))
>>> stmt = tree.body[0]
>>> before = hoist(stmt, lambda it: True, tree, set())
>>> print(ast.unparse(gast.gast_to_ast(gast.Module(body=before + [stmt], type_ignores=[]))))
values = []
for g in fns:
    if g is not h:
        values.append(np.sum(g(x)))
total = sum(values)

``ys = [...]`` fills ``ys`` itself. The loops run where the comprehension ran: first in its
statement, which is one that always
evaluates its whole expression (an assignment, ``return`` or expression statement), and not
inside a ``lambda``, a conditional expression, ``and``/``or`` or another comprehension.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import gast

from s2s.codegen.walking import walk

_SIMPLE = (gast.Assign, gast.AugAssign, gast.AnnAssign, gast.Return, gast.Expr)
_LAZY = (gast.Lambda, gast.IfExp, gast.BoolOp, gast.ListComp, gast.GeneratorExp, gast.SetComp,
         gast.DictComp)  # fmt: skip


def hoist(
    stmt: gast.stmt,
    over_functions: Callable[[gast.expr], bool],
    tree: gast.AST,
    taken: set[str],
    consumed: Callable[[gast.GeneratorExp, gast.AST], bool] = lambda node, parent: True,
) -> list[gast.stmt]:
    """The statements to run before ``stmt`` (a statement of the function ``tree``), each
    comprehension of ``stmt`` whose first ``for`` is over functions (``over_functions(iter)``)
    and that has an ``if`` or a second ``for`` replaced in ``stmt`` by a list those statements
    fill (a new name, added to ``taken``), if its variables are no names of the function
    outside it. ``consumed`` says a generator's consumer takes it whole (``sum``, ...)."""
    if not isinstance(stmt, _SIMPLE):
        return []

    def count(where: gast.AST, name: str) -> int:
        return sum(isinstance(n, gast.Name) and n.id == name for n in walk(where))

    def used_outside(name: str) -> bool:
        """``name`` read or bound other than in a comprehension binding it (its own scope)."""
        inside = {id(n) for c in walk(tree)
                  if isinstance(c, (gast.ListComp, gast.GeneratorExp, gast.SetComp, gast.DictComp))
                  and any(count(g.target, name) for g in c.generators)
                  for n in walk(c)}  # fmt: skip
        return any(isinstance(n, gast.Name) and n.id == name and id(n) not in inside
                   for n in walk(tree))  # fmt: skip

    def fresh(base: str) -> str:
        name, k = base, 2
        while name in taken or count(tree, name):
            name, k = f"{base}_{k}", k + 1
        taken.add(name)
        return name

    before: list[gast.stmt] = []
    for parent, field, index, node in _eager_comprehensions(stmt):
        generators = node.generators
        if len(generators) == 1 and not generators[0].ifs:
            continue  # written out as the list it makes
        if any(g.is_async for g in generators) or not over_functions(generators[0].iter):
            continue
        if isinstance(node, gast.GeneratorExp) and not consumed(node, parent):
            continue
        targets = [n.id for g in generators for n in walk(g.target)
                   if isinstance(n, gast.Name)]  # fmt: skip
        if any(used_outside(t) for t in targets):
            continue
        whole = isinstance(stmt, gast.Assign) and stmt.value is node and len(stmt.targets) == 1
        whole = whole and isinstance(stmt.targets[0], gast.Name)
        if whole and any(isinstance(n, gast.Name) and n.id == stmt.targets[0].id
                         for n in walk(node)):  # fmt: skip
            whole = False  # `ys = [... ys ...]` reads the old `ys`
        name = stmt.targets[0].id if whole else fresh("values")  # ys = [...]: ys is the list
        before.append(_at(gast.Assign(targets=[_name(name, gast.Store())],
                                      value=gast.List(elts=[], ctx=gast.Load()),
                                      type_comment=None), node))  # fmt: skip
        append = gast.Call(func=gast.Attribute(value=_name(name), attr="append", ctx=gast.Load()),
                           args=[node.elt], keywords=[])  # fmt: skip
        body: list[gast.stmt] = [gast.Expr(value=append)]
        for generator in reversed(generators):
            for condition in reversed(generator.ifs):
                body = [gast.If(test=condition, body=body, orelse=[])]
            body = [gast.For(target=generator.target, iter=generator.iter, body=body, orelse=[],
                             type_comment=None)]  # fmt: skip
        before.append(_at(body[0], node))
        if whole:
            stmt.s2s_hoisted = True  # the loops made `ys`: the statement itself goes
            break
        replacement = _at(_name(name), node)
        if index is None:
            setattr(parent, field, replacement)
        else:
            getattr(parent, field)[index] = replacement
    return before


def _eager_comprehensions(stmt: gast.AST):
    """``(parent, field, index, node)`` of each comprehension that runs whenever ``stmt``
    runs (outermost first, none inside a lazy construct)."""
    found = []

    def visit(node: gast.AST) -> None:
        for field, value in gast.iter_fields(node):
            children = value if isinstance(value, list) else [value]
            for i, child in enumerate(children):
                if not isinstance(child, gast.AST):
                    continue
                if isinstance(child, (gast.ListComp, gast.GeneratorExp)):
                    found.append((node, field, i if isinstance(value, list) else None, child))
                elif not isinstance(child, _LAZY):
                    visit(child)

    visit(stmt)
    return found


def _name(name: str, ctx: Any = None) -> gast.Name:
    return gast.Name(id=name, ctx=ctx or gast.Load(), annotation=None, type_comment=None)


def _at(node: gast.AST, at: gast.AST) -> gast.AST:
    """``node`` located at ``at`` (where its parts have no location of their own)."""
    node = copy.copy(node)
    for attr in ("lineno", "col_offset", "end_lineno", "end_col_offset"):
        for sub in walk(node):
            if getattr(sub, attr, None) is None:
                setattr(sub, attr, getattr(at, attr, None))
    return node
