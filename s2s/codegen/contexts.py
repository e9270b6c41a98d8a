"""Contexts: the ``with`` blocks of the primal put back around the generated statements.

Normalize leaves a ``with`` block's body as plain statements and marks its place in the
primal sweep with ``__s2s_with__(k, manager, ...)`` (``k`` its :class:`Context`); just before
emission this pass turns the marker and the statements of the block's lines that follow it
into ``with manager: ...``. In the adjoint sweep (no marker there) the statements of those
lines are wrapped too when the context governs the adjoint (``np.errstate``: a division by
zero the user silenced in the primal is silenced in its adjoint as well).

>>> import gast
>>> from s2s.codegen.emit import Writer
>>> from s2s.codegen.sweeps import Block
>>> marker = gast.parse("__s2s_with__(0, np.errstate(divide='ignore'))").body[0]
>>> body = gast.parse("y = np.log(x)").body
>>> context = Context(0, 1, 2, 3, "line 1: with np.errstate(divide='ignore'):")
>>> blocks = [Block("line 1: with ...", [marker], 1), Block("line 2: y = ...", body, 2)]
>>> writer = Writer(use_astor=False)
>>> writer.blocks(nest_contexts(blocks, [context], adjoint=False), 0)
>>> print(writer.text().strip())
# line 1: with ...
with np.errstate(divide='ignore'):
    # line 2: y = ...
    y = np.log(x)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import gast

from s2s.codegen.sweeps import Block, is_comment_marker
from s2s.codegen.trying import tried
from s2s.codegen.walking import copy_tree

MARKER = "__s2s_with__"  # `try` statements too: the kind is the context's
_LINE = re.compile(r"line (\d+):")


@dataclass(eq=False)
class Context:
    """One ``with`` block of the primal.

    Attributes:
        index: its number (the first argument of its marker).
        line: the line of the ``with`` statement.
        first, last: the lines of its body.
        comment: the comment heading the adjoint's ``with`` (the primal's ``with`` line).
        adjoint: the adjoint sweep of the body runs under the same managers.
        errstate_only: every manager is ``np.errstate`` (a loop value of the body may be
            recomputed in the reversed trip: it raises nothing that ``with`` could stop).
        managers: the managers as written, which the adjoint sweep enters afresh (they read
            only constants and globals).
    """

    index: int
    line: int
    first: int
    last: int
    comment: str
    adjoint: bool = False
    managers: list[gast.expr] = field(default_factory=list)
    targets: list[bool] = field(default_factory=list)  # which managers have `as` targets
    errstate_only: bool = False  # every manager is np.errstate: it cannot stop an exception
    # a `try` statement (codegen.trying): its handlers (types and names as written), the flags
    # normalize branches on, and the lines of its `else:` and `finally:` blocks
    kind: str = "with"
    handlers: list[gast.ExceptHandler] = field(default_factory=list)
    flag: str = ""
    choices: list[str] = field(default_factory=list)  # which handler ran, after the first
    orelse: tuple[int, int] = (0, -1)
    final: tuple[int, int] = (0, -1)
    # a derivative's own `try`, differentiated again: `(xs, n)` for its handlers' `del xs[n:]`
    drops: list[tuple[str, str]] = field(default_factory=list)

    def covers(self, line: int | None) -> bool:
        """Whether ``line`` is in the body (or is the ``with`` line itself)."""
        return line is not None and (self.first <= line <= self.last or line == self.line)

    def in_orelse(self, line: int | None) -> bool:
        return line is not None and self.orelse[0] <= line <= self.orelse[1]

    def in_final(self, line: int | None) -> bool:
        return line is not None and self.final[0] <= line <= self.final[1]


def nest_contexts(
    blocks: list[Block],
    contexts: list[Context],
    adjoint: bool,
    declare: list[str] = (),
    tape: str | None = None,
) -> list[Block]:
    """``blocks`` with each context's statements nested in its ``with`` or ``try`` (outer
    contexts first); in the adjoint sweep only the contexts that govern it. ``declare``: the
    globals the primal sweep writes (``COUNT += 1``), declared ``global`` before it; ``tape``:
    the primal sweep's tape (a ``try`` drops what a body that raised pushed on it)."""
    if declare:
        names = list(declare)
        blocks = [Block(None, [gast.Global(names=names)], None), *blocks]
    chosen = [c for c in contexts if c.adjoint or not adjoint]
    for context in sorted(chosen, key=lambda c: (c.first, -c.last)):
        blocks = _nest_top(blocks, context, adjoint, tape)
    return blocks


def is_marker(stmt) -> bool:
    """Whether the normal form's statement ``stmt`` is the marker of a ``with`` or ``try``."""
    func = getattr(stmt.expr, "func", None)
    return isinstance(func, gast.Name) and func.id == MARKER


def _marker_index(stmt: gast.stmt) -> int | None:
    value = stmt.value if isinstance(stmt, (gast.Expr, gast.Assign)) else None
    if (
        isinstance(value, gast.Call)
        and isinstance(value.func, gast.Name)
        and value.func.id == MARKER
    ):
        return value.args[0].value
    return None


def _wrapped(stmt: gast.stmt, context: Context, body: list[gast.stmt], tape) -> list:
    """The primal's marker and the statements after it, as ``with`` or ``try``."""
    if context.kind == "try":
        return tried(context, body, _lines(body, context.line), tape)
    return [_with(stmt, context, body)]


def _with(stmt: gast.stmt | None, context: Context, body: list[gast.stmt]) -> gast.With:
    """``with managers [as targets]: body``; ``stmt`` is the primal's marker (``None`` in the
    adjoint sweep, which enters the managers as written)."""
    if stmt is None:
        managers = [copy_tree(m) for m in context.managers]
        targets: list[gast.expr | None] = [None] * len(managers)
    else:
        managers = list(stmt.value.args[1:])
        targets = [None] * len(managers)
        if isinstance(stmt, gast.Assign):  # `with m as v`: the marker assigns the targets
            target = stmt.targets[0]
            names = target.elts if isinstance(target, gast.Tuple) else [target]
            slots = [i for i, has in enumerate(context.targets) if has]
            for slot, name in zip(slots, names, strict=True):
                targets[slot] = name
    pairs = zip(managers, targets, strict=True)
    items = [gast.withitem(context_expr=m, optional_vars=t) for m, t in pairs]
    return gast.With(items=items, body=body or [gast.Pass()], type_comment=None)


def _comment(text: str | None) -> list[gast.stmt]:
    if not text:
        return []
    call = gast.Call(
        func=gast.Name("__s2s_comment__", gast.Load(), None, None),
        args=[gast.Constant(value=text, kind=None)],
        keywords=[],
    )
    return [gast.Expr(value=call)]


def _nest_top(blocks: list[Block], context: Context, adjoint: bool, tape) -> list[Block]:
    """Nest at the top level of a sweep, or else inside its compound statements."""
    if adjoint:
        inside = [i for i, b in enumerate(blocks) if b.body and context.covers(b.lineno)]
        if not inside:
            for block in blocks:
                block.body = _nest_list(block.body, context, adjoint, block.lineno, tape)
            return blocks
        start, end = inside[0], inside[-1]
        body = [s for b in blocks[start : end + 1] for s in _comment(b.comment) + b.body]
        wrapped = Block(context.comment, [_with(None, context, body)], blocks[start].lineno)
        return blocks[:start] + [wrapped] + blocks[end + 1 :]
    for index, block in enumerate(blocks):
        for position, stmt in enumerate(block.body):
            if _marker_index(stmt) != context.index:
                continue
            end = index + 1
            while end < len(blocks) and (
                not blocks[end].body or context.covers(blocks[end].lineno)
            ):
                end += 1
            while end > index + 1 and not blocks[end - 1].body:
                end -= 1
            body = block.body[position + 1 :]
            body += [s for b in blocks[index + 1 : end] for s in _comment(b.comment) + b.body]
            block.body = block.body[:position] + _wrapped(stmt, context, body, tape)
            return blocks[: index + 1] + blocks[end:]
    for block in blocks:
        block.body = _nest_list(block.body, context, adjoint, block.lineno, tape)
    return blocks


def _lines(stmts: list[gast.stmt], line: int | None) -> list[int | None]:
    """The primal line of each statement of a nested list (from the comments before it)."""
    out = []
    for stmt in stmts:
        if is_comment_marker(stmt):
            match = _LINE.match(stmt.value.args[0].value)
            line = int(match.group(1)) if match else line
        out.append(line)
    return out


def _nest_list(
    stmts: list[gast.stmt], context: Context, adjoint: bool, line: int | None, tape=None
) -> list[gast.stmt]:
    lines = _lines(stmts, line)
    if adjoint:
        inside = [i for i, n in enumerate(lines) if context.covers(n)]
        if inside:
            start, end = inside[0], inside[-1]
            if start > 0 and is_comment_marker(stmts[start - 1]):
                start -= 1
            wrapped = _with(None, context, stmts[start : end + 1])
            return stmts[:start] + _comment(context.comment) + [wrapped] + stmts[end + 1 :]
    else:
        for position, stmt in enumerate(stmts):
            if _marker_index(stmt) == context.index:
                end = position + 1
                while end < len(stmts) and context.covers(lines[end]):
                    end += 1
                body = stmts[position + 1 : end]
                return stmts[:position] + _wrapped(stmt, context, body, tape) + stmts[end:]
    for position, stmt in enumerate(stmts):
        for arm in ("body", "orelse", "finalbody"):
            nested = getattr(stmt, arm, None)
            if isinstance(nested, list) and nested:
                setattr(stmt, arm, _nest_list(nested, context, adjoint, lines[position], tape))
        for handler in getattr(stmt, "handlers", []):
            handler.body = _nest_list(handler.body, context, adjoint, lines[position], tape)
    return stmts


def quiet_recomputations(blocks: list[Block]) -> list[Block]:
    """Each run of values recomputed for a reversed loop (``s2s_remade``: ``y = np.log(x * i)``
    again) with one marked ``s2s_quiet`` under ``with _np.errstate(all='ignore')``. A
    recomputation is the primal's ufunc on operands with the primal's values
    (:mod:`s2s.reverse.taping`), so it meets the same floating-point errors, which the primal
    sweep already met under the user's error state (warned, or raised there, ending the call).
    Marked: a value the primal made in a ``with np.errstate(...)`` block (under the state
    around the reversed trip it would raise or warn where ``f`` does not), and one made once
    before the reversed loop. Any other, made in each reversed trip, repeats a warning the
    primal gave (numpy warns once per call: once more per trip that meets it): entering
    ``np.errstate`` costs about 0.7 us, a third of a trip of ``y = x * i; s += sum(sin(y))``
    on 10 numbers. Also in a derivative that is differentiated again (that one stays free of
    ``with`` around the adjoints of the user's blocks, but has these: a derivative of it makes
    them as primal statements, quietly again)."""
    for block in blocks:
        block.body = _quiet_list(block.body)
    return blocks


def _quiet_list(stmts: list[gast.stmt]) -> list[gast.stmt]:
    out: list[gast.stmt] = []
    position = 0
    while position < len(stmts):
        stmt = stmts[position]
        if not _remade(stmt):
            for arm in ("body", "orelse", "finalbody"):
                nested = getattr(stmt, arm, None)
                if isinstance(nested, list) and nested:
                    setattr(stmt, arm, _quiet_list(nested))
            for handler in getattr(stmt, "handlers", []):
                handler.body = _quiet_list(handler.body)
            out.append(stmt)
            position += 1
            continue
        end = position + 1  # the run: recomputations, and the releases between them
        while end < len(stmts) and (_remade(stmts[end]) or _release(stmts[end])):
            end += 1
        while not _remade(stmts[end - 1]):
            end -= 1
        run = stmts[position:end]
        if not any(getattr(s, "s2s_quiet", False) and not _view(s) for s in run if _remade(s)):
            out += run  # rows `v = x[t]` (views), or values made outside the user's errstate

        else:
            quiet = gast.Call(
                func=gast.Attribute(value=gast.Name("_np", gast.Load(), None, None),
                                    attr="errstate", ctx=gast.Load()),
                args=[],
                keywords=[gast.keyword(arg="all", value=gast.Constant(value="ignore", kind=None))],
            )  # fmt: skip
            item = gast.withitem(context_expr=quiet, optional_vars=None)
            out.append(gast.With(items=[item], body=run, type_comment=None))
        position = end
    return out


def _view(stmt: gast.Assign) -> bool:
    return isinstance(stmt.value, gast.Subscript)


def _remade(stmt: gast.stmt) -> bool:
    return isinstance(stmt, gast.Assign) and getattr(stmt, "s2s_remade", False)


def _release(stmt: gast.stmt) -> bool:
    """``y = None`` or ``del y``."""
    if isinstance(stmt, gast.Delete):
        return True
    value = getattr(stmt, "value", None)
    none = isinstance(value, gast.Constant) and value.value is None
    return isinstance(stmt, gast.Assign) and none
