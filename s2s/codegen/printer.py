"""``astor_text``: astor's text of a generated statement, written straight from the gast nodes.

:mod:`s2s.codegen.emit` prints the derivative with astor (its parentheses and quotes are the
generated code's style). astor takes gast's nodes converted to :mod:`ast` nodes, then visits
each through ``getattr`` on a visitor, a context manager for each parenthesis and a closure
for each write: most of the printing's cost. This module writes the same text for the nodes
generated code is made of (assignments, loops, branches, ``with``, calls, arithmetic,
subscripts, containers, names and constants) in one recursion over the gast nodes, with
astor's rules: a node is parenthesized where its precedence is below the one its parent set
for it (:data:`astor.op_util.Precedence`; where the parent sets none, the highest), a string
is quoted by astor's own ``pretty_string``, a number is its ``repr``. A statement holding
anything else (a nested ``def``, a lambda, a comprehension, an f-string, a ``try``, a float
that is not finite) raises :class:`Unsupported`: the caller prints that statement with astor.

>>> import gast
>>> astor_text(gast.parse("a = -(b + 1) ** 2 * f(x, *r, k=(1, 2))[::2, i]").body[0])
'a = -(b + 1) ** 2 * f(x, *r, k=(1, 2))[::2, i]'
>>> loop = gast.parse("for i in range(n):\\n    if i: x[i] += 1\\n    else: del y").body[0]
>>> print(astor_text(loop))
for i in range(n):
    if i:
        x[i] += 1
    else:
        del y
"""

from __future__ import annotations

import ast
import math
from typing import Any

import gast


class Unsupported(Exception):
    """A node this printer does not write: the statement goes to astor."""


def astor_text(stmt: gast.stmt) -> str:
    """What :func:`s2s.codegen.emit._astor_texts` gives for ``stmt`` (a gast statement or
    expression), without astor; raises :class:`Unsupported` for nodes outside this module's
    set (then nothing is lost: the caller prints with astor)."""
    if _PREC is None:
        _load()
    out: list[str] = []
    handler = _STATEMENTS.get(type(stmt))
    if handler is not None:
        handler(stmt, out, 0)
    else:
        _expr(stmt, _HIGHEST, out)
    return "".join(out).strip("\n")


_PREC: dict[str, int] | None = None  # node or operator name -> astor's precedence
_SYMBOLS: dict[type, str] = {}  # gast operator type -> its symbol
_HIGHEST = 0
_COMMA = _ONE_ARG = _POW_RHS = 0
_pretty_string: Any = None


def _load() -> None:
    """astor's precedences and symbols, by the gast types of the same names."""
    global _PREC, _HIGHEST, _COMMA, _ONE_ARG, _POW_RHS, _pretty_string
    from astor.op_util import Precedence, precedence_data, symbol_data
    from astor.string_repr import pretty_string

    _SYMBOLS.update({getattr(gast, k.__name__): v for k, v in symbol_data.items()
                     if k is not None and v and hasattr(gast, k.__name__)})  # fmt: skip
    _HIGHEST, _COMMA, _ONE_ARG = Precedence.highest, Precedence.Comma, Precedence.call_one_arg
    _POW_RHS = Precedence.PowRHS
    _pretty_string = pretty_string
    _PREC = {k.__name__: v for k, v in precedence_data.items() if k is not None}


def _expr(node: Any, pp: int, out: list[str]) -> None:
    """Write expression ``node`` whose parent set precedence ``pp`` for it."""
    handler = _EXPRESSIONS.get(type(node))
    if handler is None:
        raise Unsupported(type(node).__name__)
    handler(node, pp, out)


def _name(node: gast.Name, pp: int, out: list[str]) -> None:
    out.append(node.id)


def _constant(node: gast.Constant, pp: int, out: list[str]) -> None:
    value = node.value
    if isinstance(value, (int, float, complex)):
        if isinstance(value, complex) or (isinstance(value, float) and not math.isfinite(value)):
            raise Unsupported("constant")  # astor's own spelling (1e1000, ...)
        if _PREC["Constant"] < pp:
            out.append(f"({value!r})")
        else:
            out.append(repr(value))
    elif isinstance(value, str):
        embedded = (pp > _PREC["Expr"]) + (pp >= _PREC["Assign"])
        text = "".join(out)
        line = text[text.rfind("\n") + 1:]
        text = _pretty_string(value, embedded, line, False)
        kind = getattr(node, "kind", None)
        out.append(kind + text if kind else text)
    elif value is Ellipsis:
        out.append("...")
    else:
        out.append(repr(value))


def _attribute(node: gast.Attribute, pp: int, out: list[str]) -> None:
    _expr(node.value, _HIGHEST, out)
    out.append(".")
    out.append(node.attr)


def _call(node: gast.Call, pp: int, out: list[str]) -> None:
    args, keywords = node.args, node.keywords
    inner = _COMMA if len(args) + len(keywords) > 1 else _ONE_ARG
    _expr(node.func, _HIGHEST, out)
    out.append("(")
    first = True
    for arg in args:
        if not first:
            out.append(", ")
        first = False
        _expr(arg, inner, out)
    for keyword in keywords:
        if not first:
            out.append(", ")
        first = False
        out.append(f"{keyword.arg}=" if keyword.arg else "**")
        _expr(keyword.value, _COMMA, out)
    out.append(")")


def _starred(node: gast.Starred, pp: int, out: list[str]) -> None:
    out.append("*")
    _expr(node.value, _HIGHEST, out)


def _subscript(node: gast.Subscript, pp: int, out: list[str]) -> None:
    _expr(node.value, _HIGHEST, out)
    out.append("[")
    _expr(node.slice, _PREC["Subscript"], out)
    out.append("]")


def _slice(node: gast.Slice, pp: int, out: list[str]) -> None:
    inner = _PREC["Slice"]
    if node.lower is not None:
        _expr(node.lower, inner, out)
    out.append(":")
    if node.upper is not None:
        _expr(node.upper, inner, out)
    step = node.step
    if step is not None:
        out.append(":")
        if not (isinstance(step, gast.Name) and step.id == "None"):
            _expr(step, inner, out)


def _items(elts: list, out: list[str]) -> None:
    for i, item in enumerate(elts):
        if i:
            out.append(", ")
        _expr(item, _COMMA, out)


def _tuple(node: gast.Tuple, pp: int, out: list[str]) -> None:
    elts = node.elts
    bare = bool(elts) and _PREC["Tuple"] >= pp
    if not bare:
        out.append("(")
    _items(elts, out)
    if len(elts) == 1:
        out.append(",")
    if not bare:
        out.append(")")


def _list(node: gast.List, pp: int, out: list[str]) -> None:
    out.append("[")
    _items(node.elts, out)
    out.append("]")


def _set(node: gast.Set, pp: int, out: list[str]) -> None:
    if not node.elts:
        out.append("{1}.__class__()")
        return
    out.append("{")
    _items(node.elts, out)
    out.append("}")


def _dict(node: gast.Dict, pp: int, out: list[str]) -> None:
    out.append("{")
    for i, (key, value) in enumerate(zip(node.keys, node.values)):
        if i:
            out.append(", ")
        if key is not None:
            _expr(key, _HIGHEST, out)
            out.append(": ")
        else:
            out.append("**")
        _expr(value, _COMMA, out)
    out.append("}")


def _open(p: int, pp: int, out: list[str]) -> bool:
    """astor's ``Delimit``: a parenthesis where the node's precedence is below its parent's."""
    if p < pp:
        out.append("(")
        return True
    return False


def _binop(node: gast.BinOp, pp: int, out: list[str]) -> None:
    op = type(node.op)
    p = _PREC[op.__name__]
    opened = _open(p, pp, out)
    if op is gast.Pow:
        _expr(node.left, _PREC["Pow"] + 1, out)
        out.append(" ** ")
        _expr(node.right, _POW_RHS, out)
    else:
        _expr(node.left, p, out)
        out.append(f" {_SYMBOLS[op]} ")
        _expr(node.right, p + 1, out)
    if opened:
        out.append(")")


def _boolop(node: gast.BoolOp, pp: int, out: list[str]) -> None:
    op = type(node.op)
    p = _PREC[op.__name__]
    opened = _open(p, pp, out)
    for i, value in enumerate(node.values):
        if i:
            out.append(f" {_SYMBOLS[op]} ")
        _expr(value, p + 1, out)
    if opened:
        out.append(")")


def _compare(node: gast.Compare, pp: int, out: list[str]) -> None:
    p = _PREC[type(node.ops[0]).__name__]
    opened = _open(p, pp, out)
    _expr(node.left, p + 1, out)
    for op, right in zip(node.ops, node.comparators):
        out.append(f" {_SYMBOLS[type(op)]} ")
        _expr(right, p + 1, out)
    if opened:
        out.append(")")


def _unaryop(node: gast.UnaryOp, pp: int, out: list[str]) -> None:
    op = type(node.op)
    p = _PREC[op.__name__]
    opened = _open(p, pp, out)
    symbol = _SYMBOLS[op]
    out.append(symbol + " " if symbol.isalpha() else symbol)
    _expr(node.operand, p, out)
    if opened:
        out.append(")")


def _ifexp(node: gast.IfExp, pp: int, out: list[str]) -> None:
    p = _PREC["IfExp"]
    opened = _open(p, pp, out)
    _expr(node.body, p + 1, out)
    out.append(" if ")
    _expr(node.test, p + 1, out)
    out.append(" else ")
    _expr(node.orelse, p, out)
    if opened:
        out.append(")")


_EXPRESSIONS = {
    gast.Name: _name, gast.Constant: _constant, gast.Attribute: _attribute, gast.Call: _call,
    gast.Starred: _starred, gast.Subscript: _subscript, gast.Slice: _slice, gast.Tuple: _tuple,
    gast.List: _list, gast.Set: _set, gast.Dict: _dict, gast.BinOp: _binop,
    gast.BoolOp: _boolop, gast.Compare: _compare, gast.UnaryOp: _unaryop, gast.IfExp: _ifexp,
}  # fmt: skip


def _line(out: list[str], depth: int) -> None:
    out.append("\n" + "    " * depth)


def _body(statements: list, out: list[str], depth: int) -> None:
    for stmt in statements:
        handler = _STATEMENTS.get(type(stmt))
        if handler is None:
            raise Unsupported(type(stmt).__name__)
        handler(stmt, out, depth)


def _else(orelse: list, out: list[str], depth: int) -> None:
    if orelse:
        _line(out, depth)
        out.append("else:")
        _body(orelse, out, depth + 1)


def _assign(node: gast.Assign, out: list[str], depth: int) -> None:
    p = _PREC["Assign"]
    _line(out, depth)
    for target in node.targets:
        _expr(target, p, out)
        out.append(" = ")
    _expr(node.value, p, out)


def _augassign(node: gast.AugAssign, out: list[str], depth: int) -> None:
    p = _PREC["AugAssign"]
    _line(out, depth)
    _expr(node.target, p, out)
    out.append(f" {_SYMBOLS[type(node.op)]}= ")
    _expr(node.value, p, out)


def _expression(node: gast.Expr, out: list[str], depth: int) -> None:
    _line(out, depth)
    _expr(node.value, _PREC["Expr"], out)


def _return(node: gast.Return, out: list[str], depth: int) -> None:
    _line(out, depth)
    out.append("return")
    if node.value is not None:
        out.append(" ")
        _expr(node.value, _PREC["Return"], out)


def _if(node: gast.If, out: list[str], depth: int) -> None:
    p = _PREC["If"]
    _line(out, depth)
    out.append("if ")
    _expr(node.test, p, out)
    out.append(":")
    _body(node.body, out, depth + 1)
    orelse = node.orelse
    while len(orelse) == 1 and isinstance(orelse[0], gast.If):
        node = orelse[0]
        _line(out, depth)
        out.append("elif ")
        _expr(node.test, p, out)
        out.append(":")
        _body(node.body, out, depth + 1)
        orelse = node.orelse
    _else(orelse, out, depth)


def _for(node: gast.For, out: list[str], depth: int) -> None:
    _line(out, depth)
    out.append("for ")
    _expr(node.target, _PREC["For"], out)
    out.append(" in ")
    _expr(node.iter, _HIGHEST, out)
    out.append(":")
    _body(node.body, out, depth + 1)
    _else(node.orelse, out, depth)


def _while(node: gast.While, out: list[str], depth: int) -> None:
    _line(out, depth)
    out.append("while ")
    _expr(node.test, _PREC["While"], out)
    out.append(":")
    _body(node.body, out, depth + 1)
    _else(node.orelse, out, depth)


def _with(node: gast.With, out: list[str], depth: int) -> None:
    _line(out, depth)
    out.append("with ")
    for i, item in enumerate(node.items):
        if i:
            out.append(", ")
        _expr(item.context_expr, _HIGHEST, out)
        if item.optional_vars is not None:
            out.append(" as ")
            _expr(item.optional_vars, _HIGHEST, out)
    out.append(":")
    _body(node.body, out, depth + 1)


def _delete(node: gast.Delete, out: list[str], depth: int) -> None:
    _line(out, depth)
    out.append("del ")
    _items(node.targets, out)


def _keyword(text: str) -> Any:
    def write(node: gast.stmt, out: list[str], depth: int) -> None:
        _line(out, depth)
        out.append(text)

    return write


def _names(text: str) -> Any:
    def write(node: gast.Global | gast.Nonlocal, out: list[str], depth: int) -> None:
        _line(out, depth)
        out.append(text + ", ".join(node.names))

    return write


_STATEMENTS = {
    gast.Assign: _assign, gast.AugAssign: _augassign, gast.Expr: _expression,
    gast.Return: _return, gast.If: _if, gast.For: _for, gast.While: _while, gast.With: _with,
    gast.Delete: _delete, gast.Pass: _keyword("pass"), gast.Break: _keyword("break"),
    gast.Continue: _keyword("continue"), gast.Global: _names("global "),
    gast.Nonlocal: _names("nonlocal "),
}  # fmt: skip

assert all(hasattr(ast, kind.__name__) for kind in (*_EXPRESSIONS, *_STATEMENTS))
