"""Branches: an ``if`` through both sweeps, and the ``break`` and ``continue`` that leave its arms.

The primal sweep runs the ``if`` as written and pushes which arm ran, last (so the adjoint
sweep pops it first); the adjoint sweep pops it and runs that arm's adjoint. An arm left by
``break`` or ``continue`` pushes its flag (and the flags of the arms around it, inside the same
loop) just before the jump, since the end of the arm is never reached.

>>> import numpy as np, s2s
>>> def b(x, c):
...     if c > 0:
...         x = np.sin(x)
...     return np.sum(x)
>>> for line in s2s.grad(b, wrt=0).source.splitlines():
...     if "tape." in line or line.strip().startswith(("if", "else")):
...         print(line.strip())
if greater_1:
tape.append(x)
tape.append(True)
else:
tape.append(False)
if tape.pop():
x = tape.pop()
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import gast

from s2s.codegen.ir import Branch, Jump
from s2s.codegen.sweeps import comment_marker
from s2s.codegen.templating import constant
from s2s.codegen.walking import copy_tree
from s2s.reverse.flow import AdjointFlow
from s2s.reverse.state import SweepState
from s2s.reverse.taping import TapePlan

Items = Callable[[list[Any]], list[gast.stmt]]  # a body's statements, in one sweep


class Branches:
    """Both sweeps of :class:`~s2s.codegen.ir.Branch` and :class:`~s2s.codegen.ir.Jump`.

    ``pending`` holds the flags of the arms being written (innermost last) that a jump inside
    them must push; a loop starts a list of its own (:meth:`leaving`). The arms' statements
    come from the sweep that dispatches each item (``primal_items``, ``adjoint_items``).
    """

    def __init__(self, state: SweepState, flow: AdjointFlow, plan: TapePlan):
        self.state = state
        self.flow = flow
        self.plan = plan
        self.pending: list[bool] = []  # flags of the branch arms being emitted

    @contextlib.contextmanager
    def leaving(self, pending: list[bool]) -> Iterator[None]:
        """Within, a jump leaves the arms ``pending`` (a loop's body: none outside the loop)."""
        saved, self.pending = self.pending, pending
        try:
            yield
        finally:
            self.pending = saved

    def primal(self, item: Branch, primal_items: Items) -> gast.stmt:
        """The ``if`` as written; each arm ends by pushing its flag (the arm goes on the tape
        last: popped first)."""
        body = self._arm(item.body, True, primal_items)
        orelse = self._arm(item.orelse, False, primal_items)
        return gast.If(test=copy_tree(item.test), body=body, orelse=orelse)

    def _arm(self, body: list[Any], taken: bool, primal_items: Items) -> list[gast.stmt]:
        """An arm's statements, then its flag onto the tape. An arm left by ``break`` or
        ``continue`` pushes its flag (and its enclosing arms' flags) just before the jump."""
        self.pending.append(taken)
        try:
            statements = primal_items(body)
        finally:
            self.pending.pop()
        if body and isinstance(body[-1], Jump):
            return statements
        return statements + [self.plan.push(constant(taken))]

    def jump(self, item: Jump) -> list[gast.stmt]:
        """``break`` or ``continue``: the arms it leaves early record themselves now."""
        out = [self.plan.push(constant(flag)) for flag in reversed(self.pending)]
        out.append(gast.Break() if item.kind == "break" else gast.Continue())
        return out

    def adjoint(self, item: Branch, adjoint_items: Items) -> list[gast.stmt]:
        """The arm's flag from the tape chooses which arm's adjoint runs; the buffers' state
        after is the join of both arms' (:meth:`s2s.reverse.flow.AdjointFlow.arms`)."""
        when, otherwise = self.flow.arms(
            lambda arm=item.body: adjoint_items(arm) or [gast.Pass()],
            lambda arm=item.orelse: adjoint_items(arm) or [gast.Pass()],
        )
        return [
            comment_marker(f"{self.state.comment(item.node)[0]} (arm from the tape)"),
            gast.If(test=self.plan.pop(), body=when, orelse=otherwise),
        ]
