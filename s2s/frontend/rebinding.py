"""Rebinding: a list's name bound again at the function's top level (``ys = np.array(ys)``,
or to a second list) names the new value anew, so the list and the array are two variables.

s2s follows a list by its name (its appends are replayed and undone by name), so one name must
not hold a list and then an array. At the top level of the function every statement after the
rebinding runs after it, and none before it runs again, so renaming the name from there on
(until the next top-level assignment to it) means what the user wrote. Inside a block (a loop's
body, a branch, a ``with`` or ``try`` body) the same holds for a name whose every use lies in
that block, from a statement of the block that binds it to a new list on: each pass through
the block makes the list anew, then the array, and nothing outside the block sees either:

>>> import ast, gast
>>> tree = gast.ast_to_gast(ast.parse('''
... def f(x):
...     ys = []
...     for i in range(3):
...         ys.append(x[i] * i)
...     ys = np.array(ys)
...     return np.sum(ys ** 2)
... ''')).body[0]
>>> rename_rebound_lists(tree, lambda base: base)
>>> print(ast.unparse(gast.gast_to_ast(tree)).splitlines()[-2:])
['    ys_array = np.array(ys)', '    return np.sum(ys_array ** 2)']
"""

from __future__ import annotations

import ast
from collections.abc import Callable

import gast

from s2s.codegen.walking import inner_nodes, walk
from s2s.frontend.structure import runtime_call


def fresh_lists(tree: gast.FunctionDef) -> set[str]:
    """Names the function binds to a new list (``ys = []``, ``ys = [f(x) for x in xs]``)."""
    return {
        t.id
        for node in inner_nodes(tree)
        if isinstance(node, gast.Assign) and isinstance(node.value, (gast.List, gast.ListComp))
        for t in node.targets
        if isinstance(t, gast.Name)
    }


def rename_rebound_lists(tree: gast.FunctionDef, fresh: Callable[[str], str]) -> None:
    """Give the value of each top-level ``ys = value`` of a list name ``ys`` bound before a new
    name (``fresh(ys + "_array")``, or ``fresh(ys)`` for a new list), read by the statements
    after it up to the next top-level assignment to ``ys``. A list a nested ``def`` or
    ``lambda`` reads keeps its name (the function may run after the rebinding):
    :func:`list_rebound` then refuses it."""
    lists = fresh_lists(tree)
    if not lists:
        return  # (no name bound to a new list: nothing below would be renamed)
    captured = {
        n.id
        for inner in inner_nodes(tree)
        if isinstance(inner, (gast.FunctionDef, gast.Lambda)) and inner is not tree
        for n in inner_nodes(inner)
        if isinstance(n, gast.Name)
    }
    declared = {n for s in inner_nodes(tree) if isinstance(s, (gast.Global, gast.Nonlocal))
                for n in s.names}  # fmt: skip
    skip = captured | declared
    bound: set[str] = set()
    body = tree.body
    for index, stmt in enumerate(body):
        name = _rebound(stmt, lists)
        if name is None or name not in bound or name in skip:
            bound |= {n.id for n in inner_nodes(stmt)
                      if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}  # fmt: skip
            continue
        _rename_after(body, index, name, fresh)
    uses: dict[str, int] = {}
    for n in walk(tree):
        if isinstance(n, gast.Name):
            uses[n.id] = uses.get(n.id, 0) + 1
    for block in _blocks(tree.body):
        _rename_in_block(block, lists - skip, uses, fresh)


def _rename_after(body: list[gast.stmt], index: int, name: str, fresh: Callable[[str], str]):
    """Name the value of ``body[index]`` (``name = value``) anew in the statements after it, up
    to the next assignment to ``name`` among them, whose value still reads the new name."""
    stmt = body[index]
    is_list = isinstance(stmt.value, (gast.List, gast.ListComp))
    new = fresh(name if is_list else name + "_array")
    stmt.targets[0].id = new
    for later in body[index + 1 :]:
        if _rebound_directly(later, name):  # `ys = ...` again: its value reads this one
            _rename(later.value, name, new)
            break
        _rename(later, name, new)


def _blocks(body: list[gast.stmt]):
    """The statement lists nested in ``body`` (not ``body`` itself, nor nested functions')."""
    for stmt in body:
        if isinstance(stmt, (gast.FunctionDef, gast.AsyncFunctionDef, gast.ClassDef)):
            continue
        inner = [getattr(stmt, f, None) for f in ("body", "orelse", "finalbody")]
        inner += [h.body for h in getattr(stmt, "handlers", ())]
        for block in inner:
            if isinstance(block, list) and block and isinstance(block[0], gast.stmt):
                yield block
                yield from _blocks(block)


def _rename_in_block(block: list[gast.stmt], lists: set[str], uses: dict[str, int], fresh):
    """Rebindings inside ``block`` of a list name that ``block`` binds to a new list first and
    that nothing outside the statements from there on reads or writes."""
    for start, stmt in enumerate(block):
        if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1):
            continue
        target = stmt.targets[0]
        if not (isinstance(target, gast.Name) and target.id in lists
                and isinstance(stmt.value, (gast.List, gast.ListComp))):  # fmt: skip
            continue
        name = target.id
        inside = sum(isinstance(n, gast.Name) and n.id == name
                     for s in block[start:] for n in walk(s))  # fmt: skip
        if inside != uses.get(name, 0):
            continue  # read or bound outside the block too: after it, a list or an array
        for index in range(start + 1, len(block)):
            if _rebound(block[index], lists) == name:
                _rename_after(block, index, name, fresh)


def list_rebound(node: gast.AST, lists: set[str], generated: bool = False,
                 records: frozenset[str] | set[str] = frozenset()) -> str | None:  # fmt: skip
    """``ys = np.array(ys)`` left after :func:`rename_rebound_lists`: a list's name bound again
    to something that is not a list inside a loop, branch, ``with`` or ``try``, or a list a
    nested function reads. In s2s's own code (``generated``), ``rows = listcomp_1`` names a
    comprehension's list (the derivative of ``rows = [...]``, appended to after), and a list
    built anew on each trip of a loop is taped and restored, ``ys = tape.pop()``, or replaced
    by its shapes record, ``ys = _s2s.like(ys)`` (or ``ys = like_1``, a name of ``records``,
    the names the code binds to ``_s2s.like(...)``), which the adjoint sweep reads for shapes
    only; anything else is refused as s2s's own limit, naming the generated statement."""
    if not isinstance(node, gast.Assign) or isinstance(node.value, (gast.List, gast.ListComp)):
        return None
    if generated and isinstance(node.value, gast.Name) and node.value.id in lists:
        return None
    if isinstance(node.value, gast.Constant) and node.value.value is None:
        return None  # `ys = None`, as a derivative's code binds names before its tape
    if generated and (_popped(node.value, lists) or runtime_call(node.value, "like")
                      or (isinstance(node.value, gast.Name) and node.value.id in records)):
        # `ys = tape.pop()`: a derivative restores the list (or its shapes record) it taped
        # before binding the name anew; `ys = _s2s.like(ys)`: its adjoint sweep reads only
        # the shapes of the list's items
        return None
    if runtime_call(node.value, "zero_tangent"):
        return None  # `tape_dot = _s2s.zero_tangent(tape)`: a forward sweep's tangent list
    if generated and (runtime_call(node.value, "owned_tangent")
                      or runtime_call(node.value, "written_tangent")):
        # `xs_dot = _s2s.owned_tangent(xs_dot, xs)`: a forward sweep's tangent list, copied
        # (a new list of the same items) before `xs_dot[i] = ...` writes into it, or so
        # copied and written at once, `_s2s.written_tangent(xs_dot, xs, i, v_dot)`
        return None
    for target in node.targets:
        if generated and isinstance(target, gast.Name) and target.id in lists:
            shown = ast.unparse(gast.gast_to_ast(node)).strip()
            return (
                "differentiating again the derivative s2s generated for this line (its "
                f"statement `{shown}` binds the list name `{target.id}` again to another "
                "value; a limit of s2s, not of your code)"
            )
        if isinstance(target, gast.Name) and target.id in lists:
            return (
                f"binding the list name `{target.id}` again to another value inside a "
                "loop, branch, `with` or `try` block while the name is also used outside that "
                "block (after it the name would hold a list or an array, depending on the "
                "path taken), or while a nested function reads it "
                f"(give the new value a name of its own: `{target.id}_array = ...`)"
            )
    return None


def _popped(value: gast.expr, lists: set[str]) -> bool:
    """``tape.pop()``: the last item of a list the code made."""
    func = getattr(value, "func", None)
    return (isinstance(value, gast.Call) and isinstance(func, gast.Attribute)
            and func.attr == "pop" and isinstance(func.value, gast.Name)
            and func.value.id in lists and not value.args)


def _rebound(stmt: gast.stmt, lists: set[str]) -> str | None:
    if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1):
        return None
    target = stmt.targets[0]
    if not isinstance(target, gast.Name) or target.id not in lists:
        return None
    if isinstance(stmt.value, gast.Constant) and stmt.value.value is None:
        return None
    return target.id


def _rebound_directly(stmt: gast.stmt, name: str) -> bool:
    return isinstance(stmt, gast.Assign) and any(
        isinstance(t, gast.Name) and t.id == name for t in stmt.targets
    )


def _rename(node: gast.AST, old: str, new: str) -> None:
    for sub in walk(node):
        if isinstance(sub, gast.Name) and sub.id == old:
            sub.id = new
