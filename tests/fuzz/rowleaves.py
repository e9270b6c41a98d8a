"""Rule rows as program fragments: each differentiable row of ``tests/rows`` (a call form of one
rule, with its arguments' input domains) becomes an expression over fresh parameters drawn from
those domains, so random programs reach every registered rule in the forms its tests use.

A row written as a lambda gives its body, with the lambda's parameters renamed; a row written
as a module-level ``def`` is copied into the program as a helper (and so is differentiated as a
call to the user's own function). Rows that read globals other than numpy are left out.
"""

from __future__ import annotations

import ast
import builtins
import functools
import inspect
import textwrap
from dataclasses import dataclass
from typing import Any

import rows
from rows.spec import Row

ALLOWED_GLOBALS = {"np"} | set(dir(builtins))


@dataclass(frozen=True)
class Leaf:
    """A row as text: ``expr`` with ``{0}``, ``{1}``... for its arguments, or a helper def."""

    row: Row
    expr: str  # format string over the argument names
    helper: str | None = None  # the def's source, for a row written as a function


def _free_names(node: ast.AST, bound: set[str]) -> set[str]:
    names = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load) and sub.id not in bound:
            names.add(sub.id)
    return names


class _Rename(ast.NodeTransformer):
    def __init__(self, mapping: dict[str, str]) -> None:
        self.mapping = mapping

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in self.mapping:
            return ast.copy_location(ast.Name(self.mapping[node.id], node.ctx), node)
        return node


def _lambda_leaf(row: Row) -> Leaf | None:
    fn = row.fn
    try:
        text = textwrap.dedent(inspect.getsource(fn)).strip().rstrip(",")
        tree = ast.parse(text)
    except (OSError, SyntaxError):
        return None
    params = list(fn.__code__.co_varnames[: fn.__code__.co_argcount])
    found = [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Lambda) and [a.arg for a in n.args.args] == params
    ]
    if len(found) != 1:
        return None
    body = found[0].body
    if _free_names(body, set(params)) - ALLOWED_GLOBALS:
        return None
    marks = {p: f"__arg{i}__" for i, p in enumerate(params)}
    renamed = ast.unparse(_Rename(marks).visit(body))
    expr = renamed.replace("{", "{{").replace("}", "}}")
    for i in range(len(params)):
        expr = expr.replace(f"__arg{i}__", "{" + str(i) + "}")
    return Leaf(row, f"({expr})")


def _def_leaf(row: Row) -> Leaf | None:
    fn = row.fn
    try:
        source = textwrap.dedent(inspect.getsource(fn))
        tree = ast.parse(source)
    except (OSError, SyntaxError):
        return None
    fdef = tree.body[0]
    if not isinstance(fdef, ast.FunctionDef) or fdef.decorator_list:
        return None
    params = {a.arg for a in fdef.args.args}
    assigned = {
        n.id for n in ast.walk(fdef) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }
    if _free_names(fdef, params | assigned) - ALLOWED_GLOBALS:
        return None
    name = f"row_{fn.__name__}"
    fdef.name = name
    call = f"{name}(" + ", ".join("{" + str(i) + "}" for i in range(len(fdef.args.args))) + ")"
    return Leaf(row, call, ast.unparse(fdef))


@functools.cache
def leaves() -> tuple[Leaf, ...]:
    """Every usable differentiable row, as a leaf (rows with their own step size left out)."""
    found = []
    default_step = rows.spec.Row.__dataclass_fields__["h"].default
    for row in rows.USER_FACING:
        if row.h != default_step:
            continue  # a float32 cast inside: a central difference at the usual step is noise
        fn: Any = row.fn
        leaf = _lambda_leaf(row) if fn.__name__ == "<lambda>" else _def_leaf(row)
        if leaf is not None:
            found.append(leaf)
    return tuple(found)
