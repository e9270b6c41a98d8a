"""Trying: a ``try`` statement of the primal put back around its generated statements.

Normalize gives ``try: B except E: H else: L finally: F`` as a branch on a flag (``B`` and
``L`` in one arm, ``H`` in the other) followed by ``F``; the primal sweep must run the real
``try`` so that ``H`` runs exactly when ``B`` raises. This pass turns the branch back into
``try``/``except``/``else`` (``finally`` around it). The arm the primal took goes on the tape
only once it is known (the ``else:`` clause records ``B``'s arm); what a ``B`` that raised
midway pushed on the tape is dropped in the handler, and the names it overwrote get their
values from before ``B`` back (``tried_1_y = y`` before the ``try``, ``y = tried_1_y`` in the
handler), whose own statements then run as the other arm. The adjoint sweep is the branch's,
unchanged. Differentiated again, the derivative's own handler drops (``Context.drops``) are
written in the new handler too, with those of the tapes' tangent lists in forward mode.
"""

from __future__ import annotations

from typing import Any

import gast

from s2s.codegen.sweeps import is_comment_marker
from s2s.codegen.walking import copy_tree, pushed_value, walk


def _name(id_: str, ctx: Any) -> gast.Name:
    return gast.Name(id_, ctx, None, None)


def _set(flag: str, value: bool) -> gast.Assign:
    return gast.Assign(targets=[_name(flag, gast.Store())],
                       value=gast.Constant(value, None), type_comment=None)  # fmt: skip


def _arm_push(stmt: gast.stmt, tape: str | None) -> bool:
    """``tape.append(True)`` or ``tape.append(False)``: the arm a branch took."""
    pushed = pushed_value(stmt, tape) if isinstance(stmt, gast.Expr) and tape else None
    return isinstance(pushed, gast.Constant) and isinstance(pushed.value, bool)


def tried(context: Any, body: list[gast.stmt], lines: list, tape: str | None) -> list[gast.stmt]:
    """The generated ``try`` statement from the statements ``body`` of a try context (their
    primal ``lines`` beside them); ``tape`` is the primal sweep's tape, if it has one."""
    final = [s for s, n in zip(body, lines) if context.in_final(n)]
    rest = [s for s, n in zip(body, lines) if not context.in_final(n)]
    if not context.handlers:  # `try`/`finally` (a `finally` left empty: its statements alone)
        if not final:
            return rest
        return [gast.Try(body=rest or [gast.Pass()], handlers=[], orelse=[], finalbody=final)]
    position = next(
        (i for i, s in enumerate(rest)
         if isinstance(s, gast.If) and isinstance(s.test, gast.Name)
         and s.test.id == context.flag),
        None,
    )  # fmt: skip
    if position is None:  # pragma: no cover - normalize always makes the branch
        raise AssertionError(f"no branch on {context.flag} in the primal sweep")
    branch = rest[position]
    arm_lines = _lines_of(branch.body, context.line)
    pushes = [s for s in branch.body if _arm_push(s, tape)]
    guarded = [s for s, n in zip(branch.body, arm_lines)
               if not _arm_push(s, tape) and not context.in_orelse(n)]  # fmt: skip
    after = [s for s, n in zip(branch.body, arm_lines)
             if not _arm_push(s, tape) and context.in_orelse(n)]  # fmt: skip
    mark = context.flag + "_tape"
    out = list(rest[:position])
    taped = tape is not None and any(
        isinstance(n, gast.Name) and n.id == tape for s in guarded for n in walk(s)
    )  # the body pushes on the tape: a body that raised midway leaves some there
    restored = _restored(guarded, tape, branch.orelse)
    if taped:
        size = gast.Call(func=_name("len", gast.Load()), args=[_name(tape, gast.Load())],
                         keywords=[])  # fmt: skip
        out.append(gast.Assign(targets=[_name(mark, gast.Store())], value=size,
                               type_comment=None))  # fmt: skip
    for kept in restored:  # the values before the body, each under a name of its own
        out.append(_copy(f"{context.flag}_{kept}", kept))
    clauses = []
    for k, handler in enumerate(context.handlers):
        handler_body: list[gast.stmt] = []
        drops = [(tape, mark)] if taped else []
        drops += context.drops  # a derivative's own `try`, differentiated again
        for listed, size in drops:  # what a body that raised pushed on the tape is dropped
            dropped = gast.Subscript(
                value=_name(listed, gast.Load()),
                slice=gast.Slice(lower=_name(size, gast.Load()), upper=None, step=None),
                ctx=gast.Del(),
            )
            handler_body.append(gast.Delete(targets=[dropped]))
        # and what it overwrote before raising is put back
        handler_body += [_copy(kept, f"{context.flag}_{kept}") for kept in restored]
        handler_body.append(_set(context.flag, False))
        handler_body += [_set(c, j == k) for j, c in enumerate(context.choices)]
        handler_body += _without_empty_headers(_arm(copy_tree(branch.orelse), k,
                                                    context.choices))  # fmt: skip
        clauses.append(gast.ExceptHandler(type=copy_tree(handler.type),
                                          name=copy_tree(handler.name), body=handler_body))
    statement = gast.Try(
        body=guarded or [gast.Pass()],
        handlers=clauses,
        orelse=[_set(context.flag, True), *after, *pushes],
        finalbody=[],
    )
    out.append(statement)
    out += rest[position + 1 :]
    if final:
        return [gast.Try(body=out, handlers=[], orelse=[], finalbody=final)]
    return out


def _copy(target: str, source: str) -> gast.Assign:
    return gast.Assign(targets=[_name(target, gast.Store())], value=_name(source, gast.Load()),
                       type_comment=None)  # fmt: skip


def _restored(body: list[gast.stmt], tape: str | None, handlers: list[gast.stmt]) -> list[str]:
    """The names ``body`` overwrites whose value before it the handler puts back: a body that
    raised after overwriting them would leave its own. Those ``body`` saves on the tape before
    overwriting them (``tape.append(y)``, then ``y = ...``; the adjoint sweep of the arms
    before reads them, and the saves a failed body pushed are dropped), when read before
    ``body`` stores them (so bound when the ``try`` starts); and those the ``handlers`` read
    before storing them (the handler's own saves)."""
    candidates: set[str] = set()
    first: dict[str, bool] = {}  # name -> its first use in ``body`` is a store
    for node, store in _uses(body):
        first.setdefault(node.id, store)
    for stmt in (n for s in body for n in walk(s)):
        pushed = pushed_value(stmt, tape) if isinstance(stmt, gast.Expr) and tape else None
        if pushed is not None:
            candidates |= {n.id for n in walk(pushed) if isinstance(n, gast.Name)
                           and not first.get(n.id, True)}  # fmt: skip
    in_handler: dict[str, bool] = {}
    for node, store in _uses(handlers):
        in_handler.setdefault(node.id, store)
    candidates |= {n for n, store in in_handler.items() if not store}
    stored = {n.id for s in body for n in walk(s)
              if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}  # fmt: skip
    return [n for n in first if n in candidates and n in stored]


def _uses(stmts: list[gast.stmt]):
    """``(name node, is a store)`` for each name of ``stmts``, in the order they run (an
    assignment's value before its targets; a loop's or a branch's header before its body)."""
    for stmt in stmts:
        if isinstance(stmt, (gast.Assign, gast.AugAssign, gast.AnnAssign)):
            parts = [stmt.value] if stmt.value is not None else []
            parts += stmt.targets if isinstance(stmt, gast.Assign) else [stmt.target]
        elif isinstance(stmt, gast.For):
            yield from _expr_uses(stmt.iter)
            yield from _expr_uses(stmt.target)
            yield from _uses(stmt.body + stmt.orelse)
            continue
        elif isinstance(stmt, (gast.If, gast.While)):
            yield from _expr_uses(stmt.test)
            yield from _uses(stmt.body + stmt.orelse)
            continue
        elif isinstance(stmt, gast.Try):
            inner = stmt.body + [s for h in stmt.handlers for s in h.body]
            yield from _uses(inner + stmt.orelse + stmt.finalbody)
            continue
        else:
            parts = [stmt]
        for part in parts:
            yield from _expr_uses(part)


def _expr_uses(node: gast.AST):
    for n in walk(node):
        if isinstance(n, gast.Name):
            yield n, isinstance(n.ctx, gast.Store)


def _without_empty_headers(stmts: list[gast.stmt]) -> list[gast.stmt]:
    """Drop a line comment that heads no statement (the branches of the handler chain)."""
    kept = []
    for index, stmt in enumerate(stmts):
        following = stmts[index + 1] if index + 1 < len(stmts) else None
        if is_comment_marker(stmt) and (following is None or is_comment_marker(following)):
            continue
        kept.append(stmt)
    return kept


def _arm(stmts: list[gast.stmt], k: int, choices: list[str]) -> list[gast.stmt]:
    """The statements of handler ``k`` in the chain of branches on ``choices`` normalize made
    (``if handler_1: H1 else: if handler_2: H2 else: H3``), with the tape pushes around it."""
    for position, stmt in enumerate(stmts):
        if isinstance(stmt, gast.If) and isinstance(stmt.test, gast.Name) and (
            stmt.test.id in choices
        ):
            j = choices.index(stmt.test.id)
            inner = stmt.body if j == k else _arm(stmt.orelse, k, choices)
            return stmts[:position] + inner + stmts[position + 1 :]
    return stmts


def _lines_of(stmts: list[gast.stmt], line: int | None) -> list[int | None]:
    out = []
    for stmt in stmts:
        if is_comment_marker(stmt):
            text = stmt.value.args[0].value
            if text.startswith("line ") and ":" in text:
                number = text[5 : text.index(":")]
                line = int(number) if number.isdigit() else line
        out.append(line)
    return out
