"""Sweeps: the generated program as blocks of gast statements, each under a primal-line comment."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import gast

from s2s.codegen.ir import APPEND, DEF, SETITEM, FunctionIR, NameAllocator, Stmt, atom_names
from s2s.codegen.templating import LOAD, constant, name, slice_to_call
from s2s.codegen.walking import (
    copy_tree,
    inner_nodes,
    loaded_names,
    name_list,
    new_node,
    walk,
)


@dataclass
class Block:
    """Statements emitted under one comment (``# line 14: h = np.tanh(...)``)."""

    comment: str | None
    body: list[gast.stmt] = field(default_factory=list)
    lineno: int | None = None
    trailing: bool = False  # the comment ends the block's first line instead of heading it


@dataclass(eq=False)
class Sweeps:
    """The generated program before emission: primal sweep, adjoint sweep, and their interface."""

    primal: list[Block]
    adjoint: list[Block]
    output: gast.expr  # the primal value returned to the user (loss, or tuple with aux)
    loss: gast.expr  # the value whose cotangent is seeded
    gradients: list[gast.expr]  # one expression per wrt entry
    seed_name: str
    names: NameAllocator
    undefined: set[str]  # variables whose adjoint may be an s2s.Undefined marker
    dynamic: bool = False  # branches or loops: a tape, adjoints that start as None
    tape: str = ""  # the tape's name
    saved: set[str] = field(default_factory=set)  # names whose old values go on the tape
    written: set[str] = field(default_factory=set)  # arrays changed in place (x[key] = v)
    adjoint_names: dict[str, str] = field(default_factory=dict)  # primal name -> its adjoint's
    as_is: set[str] = field(default_factory=set)  # gradient buffers returned without a cast
    views: dict[str, str] = field(default_factory=dict)  # a region's view -> its buffer (outs)
    # branches or loops: the primal's names that do not live as in straight-line code (bound
    # or read in a branch or loop, lists, parameters; s2s.reverse.state.straight_names)
    not_straight: set[str] = field(default_factory=set)
    straight_code: bool = True  # False: none does (a `try`, whose handlers interrupt its body)
    # the user's helpers called by name: name -> (function, its name as written, wrt, runtime
    # maker); the factory binds each to its sub-derivative (s2s/codegen/helpers.py)
    helpers: dict[str, tuple] = field(default_factory=dict)
    # whether some statement holds a nested def or lambda: None until has_closures asks
    closures: bool | None = None


def assign(target: str, value: gast.expr) -> gast.Assign:
    stored = new_node(gast.Name, id=target, ctx=new_node(gast.Store), annotation=None,
                      type_comment=None)  # fmt: skip
    return new_node(gast.Assign, targets=[stored], value=value, type_comment=None)


def call(func: str, *args: gast.expr) -> gast.Call:
    parts = func.split(".")
    node: gast.expr = name(parts[0])
    for part in parts[1:]:
        node = new_node(gast.Attribute, value=node, attr=part, ctx=LOAD)
    return new_node(gast.Call, func=node, args=list(args), keywords=[])


def live_locals(statements: list[gast.Assign], roots: list[gast.expr]) -> list[gast.Assign]:
    """Drop template locals no kept contribution reads (a partial nobody needs costs nothing)."""
    needed = {n for r in roots for n in atom_names(r)}
    kept: list[gast.Assign] = []
    for stmt in reversed(statements):
        target = stmt.targets[0].id
        if target in needed:
            kept.append(stmt)
            needed.update(atom_names(stmt.value))
    return list(reversed(kept))


def comment_marker(text: str) -> gast.stmt:
    """A statement the writer prints as ``# text`` (comments inside loops and branches)."""
    return new_node(gast.Expr, value=new_node(gast.Call, func=name("__s2s_comment__"),
                                              args=[constant(text)], keywords=[]))  # fmt: skip


def is_comment_marker(stmt: gast.stmt) -> bool:
    """A ``__s2s_comment__("...")`` statement, which the writer prints as a line comment."""
    return (
        isinstance(stmt, gast.Expr)
        and isinstance(stmt.value, gast.Call)
        and isinstance(stmt.value.func, gast.Name)
        and stmt.value.func.id == "__s2s_comment__"
    )


def merge_repeated_comments(blocks: list[Block]) -> None:
    """Drop a line comment that repeats the one heading the statements just before it (one
    source line's adjoint is several primitives: one header reads better than five)."""
    previous = None
    for block in blocks:
        block.body = _merged(block.body)
        if block.comment is not None and block.comment == previous:
            block.comment = None  # the block before says it already
        previous = block.comment if block.comment is not None else previous


def _merged(body: list[gast.stmt]) -> list[gast.stmt]:
    kept: list[gast.stmt] = []
    last = None  # the text of the comment heading the current run of plain statements
    for stmt in body:
        for arm in ("body", "orelse"):
            nested = getattr(stmt, arm, None)
            if isinstance(nested, list) and nested:
                setattr(stmt, arm, _merged(nested))
        if is_comment_marker(stmt):
            text = _marker_text(stmt)
            if text == last:
                continue
            last = text
        elif isinstance(stmt, (gast.For, gast.While, gast.If, gast.With)) and _headed_inside(
                stmt, last):  # fmt: skip
            last = None  # after other lines' statements, the header is said again
        kept.append(stmt)
    return kept


def _headed_inside(stmt: gast.stmt, last: object) -> bool:
    """Whether a compound statement holds a line comment other than ``last`` (a guard such
    as ``if d_x is not None:`` around the same line's statements holds none)."""
    for arm in ("body", "orelse"):
        for inner in getattr(stmt, arm, None) or []:
            if is_comment_marker(inner) and _marker_text(inner) != last:
                return True
            if hasattr(inner, "body") and _headed_inside(inner, last):
                return True
    return not isinstance(stmt, gast.If)  # a loop's trips: its header again after it


def _marker_text(stmt: gast.Expr) -> object:
    """What tells two comment markers apart: the texts they print (a marker holds one string
    constant; anything else, its printed source)."""
    args = stmt.value.args
    if len(args) == 1 and isinstance(args[0], gast.Constant) and type(args[0].value) is str:
        if not stmt.value.keywords:
            return ("text", args[0].value)
    return gast.unparse(stmt)


def names_in(node: gast.AST) -> set[str]:
    """Every name in ``node``, read or written."""
    return set(name_list(node))


def closure_names(statements: list[gast.stmt]) -> set[str]:
    """Every name in a nested function or lambda of ``statements`` (it may run later, or
    never: such names are left alone)."""
    names: set[str] = set()
    for stmt in statements:
        for node in inner_nodes(stmt):
            if isinstance(node, (gast.FunctionDef, gast.Lambda)):
                names.update(name_list(node))
    return names


def has_closures(sweeps: Sweeps) -> bool:
    """Whether a statement of either sweep holds a nested def or lambda, found on the first
    call and kept: the passes that run after the sweeps are built make none (they copy, move
    or drop what the sweeps hold), so an answer of no stays no (:func:`closure_names` is then
    empty, and its walk of every statement can be skipped)."""
    if sweeps.closures is None:
        sweeps.closures = any(
            isinstance(node, (gast.FunctionDef, gast.Lambda))
            for block in sweeps.primal + sweeps.adjoint
            for stmt in block.body
            for node in inner_nodes(stmt)
        )
    return sweeps.closures


_MEMO = threading.local()  # .table: id(stmt) -> (stmt, its reads), inside reads_memo()


@contextmanager
def reads_memo() -> Iterator[None]:
    """Inside: :func:`statement_reads` computes each statement's reads once (a liveness
    sweep to a loop's fixpoint asks again and again). For passes that do not change a
    statement meanwhile (removing it from its list is fine: the memo keeps it alive, so its
    ``id`` is not reused). Per thread; nested uses share the outer memo."""
    outer = getattr(_MEMO, "table", None)
    _MEMO.table = {} if outer is None else outer
    try:
        yield
    finally:
        _MEMO.table = outer


def statement_reads(stmt: gast.stmt) -> set[str]:
    """The names ``stmt`` reads (an augmented assignment reads its target too); a new set."""
    table = getattr(_MEMO, "table", None)
    if table is not None:
        known = table.get(id(stmt))
        if known is None:
            known = table[id(stmt)] = (stmt, _statement_reads(stmt))
        return set(known[1])
    return _statement_reads(stmt)


def read_into(live: set[str], stmt: gast.stmt, value_only: bool = False) -> None:
    """Add to ``live`` the names ``stmt`` reads (:func:`statement_reads`), or with
    ``value_only`` those of its value alone (an assignment's): inside :func:`reads_memo`, each
    found once per statement and added without a copy."""
    table = getattr(_MEMO, "table", None)
    if table is None:
        live.update(name_list(stmt.value) if value_only else _statement_reads(stmt))
        return
    key = ("value", id(stmt)) if value_only else id(stmt)
    known = table.get(key)
    if known is None:
        found = set(name_list(stmt.value)) if value_only else _statement_reads(stmt)
        known = table[key] = (stmt, found)
    live |= known[1]


def _statement_reads(stmt: gast.stmt) -> set[str]:
    reads = loaded_names(stmt)
    if isinstance(stmt, gast.AugAssign) and isinstance(stmt.target, gast.Name):
        reads.add(stmt.target.id)
    if isinstance(stmt, gast.AugAssign) and isinstance(stmt.target, gast.Subscript):
        reads.update(atom_names(stmt.target))
        reads.update(name_list(stmt.target))
    return reads


def _noted(node: gast.AST) -> gast.AST:
    """``node`` with a ``# line N: ...`` comment before each statement of a checkpointed loop's
    trips (``s2s_line_note``: :mod:`s2s.frontend.checkpoints`), so that errors raised in the
    trips' derivative name the user's line, not the loop's (in place)."""
    for inner in walk(node):
        for field_name in ("body", "orelse", "finalbody"):
            block = getattr(inner, field_name, None)
            if not isinstance(block, list) or not any(
                getattr(s, "s2s_line_note", None) for s in block
            ):
                continue
            out = []
            for s in block:
                note = getattr(s, "s2s_line_note", None)
                if note:
                    out.append(comment_marker(note))
                out.append(s)
            setattr(inner, field_name, out)
    return node


def primal_statement(stmt: Stmt) -> gast.stmt:
    """A normal-form statement as written in the primal (a nested def, an append, a write into
    an array, an assignment)."""
    if stmt.op is DEF:  # the lifted nested def
        return _noted(copy_tree(stmt.expr))
    if stmt.op is APPEND:  # xs.append(v), as written
        return gast.Expr(value=copy_tree(stmt.expr))
    if stmt.op is SETITEM:  # x[key] = v, as written
        target = copy_tree(stmt.expr)
        return gast.Assign(targets=[target], value=copy_tree(stmt.args[2]), type_comment=None)
    value = copy_tree(stmt.expr)
    if isinstance(value, gast.stmt):
        return value  # an assert kept whole
    if not stmt.targets:
        return gast.Expr(value=value)
    if stmt.unpack:
        target = gast.Tuple(
            elts=[gast.Name(t, gast.Store(), None, None) for t in stmt.targets], ctx=gast.Store()
        )
        return gast.Assign(targets=[target], value=value, type_comment=None)
    return assign(stmt.targets[0], value)


def view_checks(ir: FunctionIR, filename: str, write: Stmt) -> list[gast.stmt]:
    """Before ``x[key] = v``: each earlier ``r = x[i]`` still in use must not be a view of the
    entries written (``_s2s.check_no_view``, raising a located ``MutationError``); both modes
    emit these, so neither gives a wrong derivative where the write reaches ``r``."""
    out: list[gast.stmt] = []
    array, key = write.args[0], write.args[1]
    for view in getattr(write, "alias_checks", []):
        alias = view.targets[0]
        names = gast.Tuple(elts=[constant(ir.original.get(alias, alias)),
                                 constant(ir.original.get(array.id, array.id))],
                           ctx=gast.Load())  # fmt: skip
        lines = gast.Tuple(elts=[constant(getattr(view.node, "lineno", 0)),
                                 constant(getattr(write.node, "lineno", 0))],
                           ctx=gast.Load())  # fmt: skip
        check = call("_s2s.check_no_view", name(alias), copy_tree(array),
                     slice_to_call(copy_tree(key)), names,
                     constant(filename), lines)  # fmt: skip
        out.append(gast.Expr(value=check))
    return out
