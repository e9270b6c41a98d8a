"""Tries: normalize's ``try`` statements, a branch on the arm the primal sweep ran.

``try: B except E: H else: L finally: F`` becomes a branch on a flag (``B`` and ``L`` in one
arm, ``H`` in the other) followed by ``F``, marked by a statement that
:mod:`s2s.codegen.trying` turns back into the real ``try`` in the primal sweep. Returns ending
a ``with`` block, or both a ``try`` body and its handler, move after the statement first.

>>> import gast
>>> text = "def f(x):\\n    try:\\n        return g(x)\\n    except E:\\n        return 0"
>>> tree = gast.parse(text)
>>> tree.body[0].body = lift_returns(tree.body[0].body, "result")
>>> print(gast.unparse(tree).strip())
def f(x):
    try:
        result = g(x)
    except E:
        result = 0
    return result
"""

from __future__ import annotations

import gast

from s2s.codegen.contexts import MARKER, Context
from s2s.codegen.ir import OPAQUE, Branch, Stmt
from s2s.codegen.walking import copy_tree, walk
from s2s.errors import UnsupportedSyntaxError
from s2s.frontend.contexts import header, jumps
from s2s.frontend.normstate import Lowering, NormalizeState
from s2s.frontend.parse import Primal
from s2s.frontend.spellings import name_node


def _lifted_try(stmt: gast.Try, result: str) -> bool:
    """``try: ...; return a except E: ...; return b`` (or a ``try``/``finally`` whose body
    returns): each ``return v`` becomes ``result = v``, and one ``return result`` follows."""
    blocks = [stmt.body] + [h.body for h in stmt.handlers]
    if not all(b and isinstance(b[-1], gast.Return) for b in blocks):
        return False
    for block in blocks:
        ret = block[-1]
        value = ret.value or gast.Constant(value=None, kind=None)
        target = gast.Name(result, gast.Store(), None, None)
        block[-1] = gast.copy_location(
            gast.Assign(targets=[target], value=value, type_comment=None), ret
        )
    return True


def lift_returns(block: list[gast.stmt], result: str) -> list[gast.stmt]:
    """``with m: ...; return v`` becomes ``with m: ...; result = v`` then ``return result``
    (the value is computed inside the block, as in the primal)."""
    out: list[gast.stmt] = []
    for stmt in block:
        for arm in ("body", "orelse"):
            nested = getattr(stmt, arm, None)
            if isinstance(nested, list) and nested and not isinstance(stmt, gast.FunctionDef):
                setattr(stmt, arm, lift_returns(nested, result))
        for handler in getattr(stmt, "handlers", []):
            handler.body = lift_returns(handler.body, result)
        out.append(stmt)
        if isinstance(stmt, gast.Try) and _lifted_try(stmt, result):
            final = gast.Return(value=gast.Name(result, gast.Load(), None, None))
            out.append(gast.copy_location(final, stmt.body[-1]))
            continue
        if isinstance(stmt, gast.With) and isinstance(stmt.body[-1], gast.Return):
            ret = stmt.body[-1]
            value = ret.value or gast.Constant(value=None, kind=None)
            target = gast.Name(result, gast.Store(), None, None)
            if isinstance(value, gast.Name) and value.id == result:  # a nested block's
                stmt.body = stmt.body[:-1] or [gast.Pass()]
            else:
                stmt.body[-1] = gast.copy_location(
                    gast.Assign(targets=[target], value=value, type_comment=None), ret
                )
            final = gast.Return(value=gast.Name(result, gast.Load(), None, None))
            out.append(gast.copy_location(final, ret))
    return out


class Tries:
    """The ``try`` statements of :class:`s2s.frontend.normalize.Normalizer`: a branch on a
    flag the primal sweep sets (:mod:`s2s.codegen.trying` writes the real ``try`` back); the
    arms are normalized through ``lower``."""

    def __init__(self, state: NormalizeState, lower: Lowering) -> None:
        self.state = state
        self.lower = lower

    def try_block(self, stmt: gast.Try) -> None:
        index = len(self.state.contexts)
        text, _ = header(self.state.primal, stmt)
        last = max(n.lineno for n in walk(stmt) if getattr(n, "lineno", None))
        context = Context(index, stmt.lineno, stmt.lineno + 1, last, text, kind="try",
                          orelse=_span(stmt.orelse), final=_span(stmt.finalbody))  # fmt: skip
        self.state.contexts.append(context)
        call = gast.Call(func=name_node(MARKER), args=[gast.Constant(value=index, kind=None)],
                         keywords=[])  # fmt: skip
        if not stmt.handlers:
            self.state.body.append(Stmt((), call, OPAQUE, [], node=stmt))
            for inner in stmt.body + stmt.finalbody:
                self.lower.statement(inner)
            return
        reads = []
        for handler in stmt.handlers:
            drops = dropped_tails(handler.body) if self.state.generated else []
            for drop in drops:  # a derivative's own `try`: codegen.trying writes them again
                listed, size = (self.state.env.get(n, n) for n in drop)
                if (listed, size) not in context.drops:
                    context.drops.append((listed, size))
                    reads.append(name_node(size))
            if drops:
                handler.body = handler.body[len(drops) :] or [gast.Pass()]
            kept = gast.ExceptHandler(type=copy_tree(handler.type), name=None, body=[])
            for sub in walk(kept):
                if (isinstance(sub, gast.Name) and isinstance(sub.ctx, gast.Load)
                        and sub.id in self.state.env):  # fmt: skip
                    sub.id = self.state.env[sub.id]
                    reads.append(name_node(sub.id))
            if handler.name is not None:
                kept.name = gast.Name(handler.name, gast.Store(), None, None)
            context.handlers.append(kept)
        context.flag = self.state.temp("tried")
        context.choices = [self.state.temp("handler") for _ in stmt.handlers[1:]]
        flags = (context.flag, *context.choices)
        self.state.carried.update(flags)
        call.args += [r for r in reads]  # the handlers' types read them where `try` stands
        self.state.body.append(Stmt(flags, call, OPAQUE, reads, node=stmt, unpack=len(flags) > 1))
        self.state.node = stmt
        body = self.lower.block(stmt.body + stmt.orelse)
        orelse = self.handler_chain(stmt, 0, context.choices)
        self.state.body.append(Branch(name_node(context.flag), body, orelse, stmt))
        for inner in stmt.finalbody:
            self.lower.statement(inner)

    def handler_chain(self, stmt: gast.Try, k: int, choices: list[str]) -> list:
        """Handler ``k`` and those after it: a branch on ``choices[k]`` for each but the last."""
        if k == len(stmt.handlers) - 1:
            return self.lower.block(stmt.handlers[k].body)

        def emit() -> None:
            arm = self.lower.block(stmt.handlers[k].body)
            rest = self.handler_chain(stmt, k + 1, choices)
            self.state.node = stmt
            self.state.body.append(Branch(name_node(choices[k]), arm, rest, stmt))

        return self.state.collect(emit)[0]


def _span(block: list[gast.stmt]) -> tuple[int, int]:
    lines = [n.lineno for s in block for n in walk(s) if getattr(n, "lineno", None)]
    return (min(lines), max(lines)) if lines else (0, -1)


def check_try(primal: Primal, stmt: gast.Try) -> None:
    """Refuse what s2s cannot replay after a ``try`` body that raised midway: a jump out, a
    write into an array or a list in the body, and a handler that reads (or does not assign
    again) a name the body assigns. A derivative's own ``try`` (differentiated again) may push
    on the tapes its handler drops, and its adjoint reads what the body assigned only in the
    body's arm."""
    generated = getattr(primal.func, "__s2s_generated__", False)  # a derivative's own `try`
    truncated = {d[0] for h in stmt.handlers for d in dropped_tails(h.body)}
    returns_at_end = _ends_in_return(stmt.body) and all(
        _ends_in_return(h.body) for h in stmt.handlers
    ) and not stmt.orelse  # fmt: skip
    for block in [stmt.body, stmt.orelse, stmt.finalbody] + [h.body for h in stmt.handlers]:
        for node in jumps(block, in_loop=False, final_ok=returns_at_end):
            raise UnsupportedSyntaxError(
                f"`{type(node).__name__.lower()}` out of a `try` statement is supported only as "
                "the last statement of its body and of its handler",
                primal.where(node),
                "set a result (or a flag) inside the statement and return (or break) after it",
            )
    if not stmt.handlers:
        return
    assigned: dict[str, gast.AST] = {}
    for node in (n for s in stmt.body for n in walk(s)):
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
            assigned.setdefault(node.id, node)
        written = _written_in_place(node)
        if written is not None and generated and _appends_to(node, truncated):
            continue  # the derivative's tape: the handler drops what a failed body pushed
        if written is not None:
            raise UnsupportedSyntaxError(
                f"{written} inside a `try` body is not supported (if the body raises after it, "
                "s2s could not tell which values the handler sees)",
                primal.where(node),
                "make the write after the `try` statement, from values the body or the handler "
                "assigned",
            )
    inside = {id(n) for s in stmt.body + stmt.orelse for n in walk(s)}
    read_outside = {
        n.id for n in walk(primal.tree)
        if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load) and id(n) not in inside
    }  # fmt: skip
    for handler in stmt.handlers:
        _check_handler(primal, stmt, handler, dict(assigned), read_outside, generated)


def dropped_tails(block: list[gast.stmt]) -> list[tuple[str, str]]:
    """``(xs, n)`` for each ``del xs[n:]`` that ``block`` starts with: how a derivative's
    handler drops what its ``try`` body pushed on its tapes before raising
    (:mod:`s2s.codegen.trying`)."""
    out = []
    for stmt in block:
        drop = _dropped_tail(stmt)
        if drop is None:
            break
        out.append(drop)
    return out


def _dropped_tail(stmt: gast.stmt) -> tuple[str, str] | None:
    if not isinstance(stmt, gast.Delete) or len(stmt.targets) != 1:
        return None
    target = stmt.targets[0]
    if not (isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name)):
        return None
    part = target.slice
    if (isinstance(part, gast.Slice) and isinstance(part.lower, gast.Name)
            and part.upper is None and part.step is None):  # fmt: skip
        return target.value.id, part.lower.id
    return None


def _appends_to(node: gast.AST, lists: set[str]) -> bool:
    return (isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute)
            and node.func.attr == "append" and isinstance(node.func.value, gast.Name)
            and node.func.value.id in lists)  # fmt: skip


def _check_handler(primal, stmt, handler, assigned: dict, read_outside: set[str],
                   generated: bool) -> None:  # fmt: skip
    """A handler must not read a name the body assigns before assigning it itself, and must
    assign every name the body assigns that is read after the statement (but in a derivative's
    own ``try``, whose adjoint sweep reads what the body assigned only in the body's arm)."""
    if handler.name is not None:
        assigned.pop(handler.name, None)
    seen: set[str] = set()
    for node in (n for s in handler.body for n in walk(s)):
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
            seen.add(node.id)
        elif isinstance(node, gast.Name) and node.id in assigned and node.id not in seen:
            raise UnsupportedSyntaxError(
                f"the handler reads `{node.id}`, which the `try` body assigns (line "
                f"{assigned[node.id].lineno}): if the body raised, s2s cannot tell which value "
                "it holds",
                primal.where(node),
                f"compute `{node.id}` before the `try` under another name, or assign it in the "
                "handler first",
            )
    for name, node in assigned.items():
        if generated:
            break
        if name not in seen and name in read_outside and not _returns_result(stmt):
            raise UnsupportedSyntaxError(
                f"`{name}` is assigned in the `try` body and read after it, but the handler does "
                "not assign it, so its value would depend on where the body raised",
                primal.where(node),
                f"assign `{name}` in the handler too (its value when the body fails)",
            )


def _ends_in_return(block: list[gast.stmt]) -> bool:
    return bool(block) and isinstance(block[-1], gast.Return)


def _returns_result(stmt: gast.Try) -> bool:
    """Both the body and the handler end in `return` (the names they bind die with them)."""
    return _ends_in_return(stmt.body) and all(_ends_in_return(h.body) for h in stmt.handlers)


def _written_in_place(node: gast.AST) -> str | None:
    if isinstance(node, (gast.Assign, gast.AugAssign)):
        targets = node.targets if isinstance(node, gast.Assign) else [node.target]
        if any(isinstance(t, (gast.Subscript, gast.Attribute)) for t in targets):
            return "a write into an array, a list or an attribute"
    if (
        isinstance(node, gast.Call)
        and isinstance(node.func, gast.Attribute)
        and node.func.attr in ("append", "extend", "insert", "pop")
    ):
        return f"`.{node.func.attr}(...)` on a list"
    return None
