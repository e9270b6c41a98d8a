"""Contexts: normalize's ``with`` blocks, whose managers are entered as in the primal.

A ``with`` block's body is normalized as plain statements; its place is marked by a statement
``__s2s_with__(k, manager, ...)`` that :mod:`s2s.codegen.contexts` turns back into ``with``
around the body's statements, just before emission. Each manager is entered and exited once per
derivative call, where ``f`` enters it. ``np.errstate`` also governs the adjoint sweep of the
body (entered afresh there, so its arguments must be constants or globals); any other manager
(``warnings.catch_warnings()``, ``contextlib.nullcontext()``, the user's own) is entered in the
primal sweep only, since entering it again could repeat its side effects.

>>> import numpy as np
>>> from s2s.codegen.emit import to_source
>>> from s2s.codegen.sweeps import primal_statement
>>> from s2s.frontend.normalize import normalize
>>> from s2s.frontend.parse import parse
>>> from s2s.frontend.resolve import resolve
>>> def f(x):
...     with np.errstate(divide="ignore"):
...         y = np.log(x)
...     return y
>>> p = parse(f); _ = resolve(p)
>>> for s in normalize(p).flat:
...     print(to_source(primal_statement(s), False))
__s2s_with__(0, np.errstate(divide='ignore'))
y = _np.log(x)
"""

from __future__ import annotations

import gast
import numpy as np

from s2s.codegen.contexts import MARKER, Context
from s2s.codegen.ir import OPAQUE, Stmt
from s2s.codegen.walking import copy_tree, walk
from s2s.errors import UnsupportedSyntaxError
from s2s.frontend.normstate import Lowering, NormalizeState
from s2s.frontend.parse import Primal
from s2s.frontend.resolve import Target
from s2s.frontend.spellings import name_node

_ADJOINT_MANAGERS = (np.errstate,)  # managers that govern the adjoint sweep of their body


class Contexts:
    """The ``with`` statements of :class:`s2s.frontend.normalize.Normalizer`: a marker
    statement, then the body normalized in line (through ``lower``)."""

    def __init__(self, state: NormalizeState, lower: Lowering) -> None:
        self.state = state
        self.lower = lower

    def with_block(self, stmt: gast.With) -> None:
        contexts = self.state.contexts
        managers, reads, targets, flags = [], [], [], []
        adjoint = False
        errstate_only = True
        for item in stmt.items:
            expr = copy_tree(item.context_expr)
            local = []
            for sub in walk(expr):
                if isinstance(sub, gast.Name) and isinstance(sub.ctx, gast.Load):
                    if sub.id in self.state.env:
                        local.append(sub.id)
                        sub.id = self.state.env[sub.id]
                        reads.append(name_node(sub.id))
            target = getattr(getattr(item.context_expr, "func", None), "s2s_target", None)
            if isinstance(target, Target) and target.obj in _ADJOINT_MANAGERS:
                if local:
                    raise UnsupportedSyntaxError(
                        f"`np.errstate` reads the local `{local[0]}`; its adjoint sweep enters "
                        "it again, where only constants and globals can be read",
                        self.state.primal.where(item.context_expr),
                        "pass constants (`np.errstate(divide=\"ignore\")`), or a dict "
                        "defined at module level (`np.errstate(**SETTINGS)`)",
                    )
                adjoint = True
            else:
                errstate_only = False
            managers.append(expr)
            flags.append(item.optional_vars is not None)
            if item.optional_vars is not None:
                targets.append(self.state.bind(item.optional_vars.id))
        index = len(contexts)
        text, _ = header(self.state.primal, stmt)
        body_lines = [n.lineno for n in walk(stmt) if getattr(n, "lineno", None)]
        context = Context(
            index, stmt.lineno, stmt.body[0].lineno, max(body_lines), text, adjoint,
            [copy_tree(i.context_expr) for i in stmt.items], flags,
        )  # fmt: skip
        context.errstate_only = errstate_only
        contexts.append(context)
        call = gast.Call(
            func=name_node(MARKER),
            args=[gast.Constant(value=index, kind=None)] + managers,
            keywords=[],
        )
        if targets:  # what `as` binds is not differentiated through the manager
            names = ", ".join(f"`{i.optional_vars.id}`" for i in stmt.items if i.optional_vars)
            call.s2s_refusal = (
                f"{names} comes from a context manager (`with ... as`), which s2s does not "
                "differentiate through, and the manager is given a value that carries a "
                "gradient",
                self.state.primal.where(stmt),
                "compute that value outside the `with` statement, and keep the manager for "
                "its effect only",
            )
        marker = Stmt(tuple(targets), call, OPAQUE, reads, node=stmt, unpack=len(targets) > 1)
        self.state.body.append(marker)
        for inner in stmt.body:
            self.lower.statement(inner)


def header(primal: Primal, stmt: gast.With) -> tuple[str, int]:
    return f"line {stmt.lineno}: {primal.line_text(stmt.lineno)}", stmt.lineno


def check_with(primal: Primal, stmt: gast.With) -> None:
    """Refuse what a ``with`` block cannot hold: ``as`` bound to anything but a name, and a
    jump out of it (``break``, ``continue``, or a ``return`` that does not end it)."""
    for item in stmt.items:
        if item.optional_vars is not None and not isinstance(item.optional_vars, gast.Name):
            raise UnsupportedSyntaxError(
                "`with ... as` binding something other than a name is not supported",
                primal.where(item.optional_vars),
                "bind a name (`as m`) and unpack it inside the block",
            )
    for node in jumps(stmt.body, in_loop=False, final_ok=True):
        if isinstance(node, gast.Return):
            raise UnsupportedSyntaxError(
                "a `return` inside a `with` block is supported only as its last statement",
                primal.where(node),
                "set a result inside the block and return it after the block",
            )
        raise UnsupportedSyntaxError(
            f"`{type(node).__name__.lower()}` out of a `with` block is not supported",
            primal.where(node),
            "set a flag inside the block and break or continue after it",
        )


def jumps(block: list[gast.stmt], in_loop: bool, final_ok: bool = False):
    """The jumps that leave ``block``, other than its final ``return`` when ``final_ok``."""
    for index, stmt in enumerate(block):
        if isinstance(stmt, gast.Return):
            if in_loop or not final_ok or index != len(block) - 1:
                yield stmt
        elif isinstance(stmt, (gast.Break, gast.Continue)):
            if not in_loop:
                yield stmt
        elif isinstance(stmt, (gast.For, gast.While)):
            yield from jumps(stmt.body, True)
            yield from jumps(stmt.orelse, in_loop)
        elif isinstance(stmt, gast.If):
            yield from jumps(stmt.body, in_loop)
            yield from jumps(stmt.orelse, in_loop)
        elif isinstance(stmt, gast.With):
            yield from jumps(stmt.body, in_loop, final_ok and index == len(block) - 1)
