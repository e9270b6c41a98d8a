"""Loops: a ``for`` or ``while`` (with its ``else``) through both sweeps.

The primal sweep runs the loop as written, counting its trips, and pushes the count; the
adjoint sweep pops it and runs the body's adjoint that many times. A ``for t in range(n)``
loop whose trips can be counted again is reversed as ``range(n - 1, -1, -1)`` with nothing
taped; a ``while`` loop's test runs once more than its body, and its final test's adjoint
comes first (where it has none, the count of tests that decides whether it ran is not kept:
:func:`s2s.codegen.endings.drop_empty_final_tests`); an ``else`` block runs after the count
is pushed, as ``if <no break>:``.

>>> import numpy as np, s2s
>>> def w(x):
...     while np.sum(x) < 10.0:
...         x = x * 2.0
...     return np.sum(x)
>>> for line in s2s.grad(w).source.splitlines():
...     if "trips" in line or "tests" in line:
...         print(line.strip())
trips_1 = 0
trips_1 += 1
tape.append(trips_1)
# line 2: while np.sum(x) < 10.0: (trips from the tape)
trips_2 = tape.pop()
for step_1 in range(trips_2):
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gast

from s2s.codegen.ir import Loop, flatten
from s2s.codegen.sweeps import assign, call, comment_marker, names_in
from s2s.codegen.templating import constant, name
from s2s.codegen.walking import copy_tree
from s2s.reverse.branches import Branches
from s2s.reverse.flow import AdjointFlow
from s2s.reverse.state import SweepState
from s2s.reverse.taping import TapePlan
from s2s.reverse.untaped import walk_items

Items = Callable[[list[Any]], list[gast.stmt]]  # a body's statements, in one sweep


def _store(target: str) -> gast.Name:
    return gast.Name(target, gast.Store(), None, None)


class Loops:
    """Both sweeps of :class:`~s2s.codegen.ir.Loop` (``for``, ``while``, their ``else``).

    ``branches`` holds the arms a ``break`` leaves (a loop's body starts with none); ``flow``
    generates the reversed body until the buffers' state is a fixpoint; ``plan`` says what is
    taped and recomputed. The body's statements come from the sweep that dispatches each item.
    """

    def __init__(self, state: SweepState, flow: AdjointFlow, plan: TapePlan, branches: Branches):
        self.state = state
        self.flow = flow
        self.plan = plan
        self.branches = branches

    # -- primal ------------------------------------------------------------------------------
    def primal(self, loop: Loop, primal_items: Items) -> list[gast.stmt]:
        """The loop as written, counting its trips. A ``for``/``else`` block runs after the
        trip count is on the tape, as ``if <no break>:``, so the adjoint pops in order."""
        refused = getattr(loop.node, "s2s_checkpoint_refusal", None)  # frontend/checkpoints.py
        active = self.state.activity.active
        if refused is not None and any(t in active for s in flatten(loop.test_body + loop.body)
                                       for t in s.targets):  # fmt: skip (its tape would grow)
            raise refused
        outer_pending = self.branches.pending
        with self.branches.leaving([]):  # jumps in this loop leave its arms only
            return self._primal(loop, primal_items, outer_pending)

    def _primal(self, loop: Loop, primal_items: Items, outer_pending: list[bool]) -> list:
        st, plan = self.state, self.plan
        if plan.counted(loop):  # the adjoint recounts its trips
            node = gast.For(target=_store(loop.target), iter=copy_tree(loop.iterable),
                            body=primal_items(loop.body), orelse=[], type_comment=None)
            node.s2s_pure = _int_count(st, loop)  # dropped where its body was all dead
            return [node]
        trips = st.names.fresh("trips", always_number=True)
        count = gast.AugAssign(target=_store(trips), op=gast.Add(), value=constant(1))
        out: list[gast.stmt] = [assign(trips, constant(0))]
        ran_else = st.names.fresh("else_ran", always_number=True) if loop.orelse else None
        completed: list[gast.stmt] = []
        if ran_else:
            out.append(assign(ran_else, constant(False)))
            completed = [assign(ran_else, constant(True))]
        if loop.iterable is not None:
            target = loop.target
            head: list[gast.stmt] = []
            if target in plan.saved:
                following = st.names.fresh(f"{target}_next", always_number=False)
                head = [plan.push(name(target), target), assign(target, name(following))]
                target = following
            body = head + [count] + primal_items(loop.body)
            out.append(
                gast.For(
                    target=_store(target),
                    iter=copy_tree(loop.iterable),
                    body=body,
                    orelse=completed,
                    type_comment=None,
                )
            )
        else:  # the test runs once more than the body unless a `break` ends the loop
            tests = st.names.fresh("tests", always_number=True)
            start = assign(tests, constant(0))
            tested = gast.AugAssign(target=_store(tests), op=gast.Add(), value=constant(1))
            pushed = plan.push(name(tests))
            for node in (start, tested, pushed):  # all go if the final test's adjoint is empty
                node.s2s_tests_of = id(loop)  # (codegen/endings.drop_empty_final_tests)
            out.append(start)
            test = gast.UnaryOp(op=gast.Not(), operand=copy_tree(loop.test))
            stop = gast.If(test=test, body=completed + [gast.Break()], orelse=[])
            body = [tested] + primal_items(loop.test_body) + [stop, count] + primal_items(loop.body)
            out.append(gast.While(test=constant(True), body=body, orelse=[]))
            out.append(pushed)
        out.append(plan.push(name(trips)))
        if ran_else:
            with self.branches.leaving(outer_pending):  # jumps here leave outer arms
                orelse = primal_items(loop.orelse)
            out.append(gast.If(test=name(ran_else), body=orelse or [gast.Pass()], orelse=[]))
            out.append(plan.push(name(ran_else)))
        return out

    # -- adjoint -----------------------------------------------------------------------------
    def adjoint(self, loop: Loop, adjoint_items: Items) -> list[gast.stmt]:
        """The trips backwards: the ``else`` block's adjoint first (if it ran), then the
        final failing test's (a ``while``), then the body's and the test's per trip."""
        st, plan, flow = self.state, self.plan, self.flow
        out: list[gast.stmt] = []
        if loop.orelse:
            otherwise, skipped = flow.arms(lambda: adjoint_items(loop.orelse) or [gast.Pass()],
                                           list)  # `skipped` binds the arm's joined masks
            out.append(gast.If(test=plan.pop(), body=otherwise, orelse=skipped))
        counted = plan.counted(loop)
        text = " (reversed)" if counted else " (trips from the tape)"
        out.append(comment_marker(f"{st.comment(loop.node)[0]}{text}"))
        trips = None if counted else st.names.fresh("trips", always_number=True)
        if not counted:
            out.append(assign(trips, plan.pop()))
        if loop.iterable is None:  # the final, failing test's own entries come off first
            final, skipped = flow.arms(lambda: adjoint_items(loop.test_body) or [gast.Pass()],
                                       list)
            more = gast.Compare(left=plan.pop(), ops=[gast.Gt()], comparators=[name(trips)])
            node = gast.If(test=more, body=final, orelse=skipped)
            node.s2s_tests_of = id(loop)  # its pop and the count's push go if it is empty
            out.append(node)
        if st.tracked:
            out += flow.own_leaf_buffers(loop)

        invariant = plan.invariant_remade(loop)
        hoisted = [  # -k of a loop's `a = -k * x`: the same in every trip, made once
            _remade(assign(stmt.targets[0], copy_tree(stmt.expr)), quiet=True)
            for owner, stmt in plan.remade.values()
            if owner is loop and stmt.targets[0] in invariant
        ]
        if hoisted:
            note = comment_marker("recomputed, not taped")
            note.s2s_recomputed = True
            out += [note, *hoisted]

        def reversed_body() -> list[gast.stmt]:
            per_trip = [
                (stmt, plan.late.get(id(stmt)))
                for owner, stmt in plan.remade.values()
                if owner is loop and stmt.targets[0] not in invariant
            ]
            body = _recomputed([s for s, cut in per_trip if cut is None], plan)  # x[t] again,
            cuts = {cut for _, cut in per_trip if cut is not None}  # for this trip's t
            if cuts:  # values of a counter the trip changes: once its adjoints restored it
                (cut,) = cuts
                body += adjoint_items(loop.body[cut:])
                body += _recomputed([s for s, at in per_trip if at == cut], plan)
                body += adjoint_items(loop.body[:cut])
            else:
                body += adjoint_items(loop.body)
            body += adjoint_items(loop.test_body)
            if loop.iterable is not None and loop.target in plan.saved and not counted:
                body.append(assign(loop.target, plan.pop()))
            return body

        if st.tracked:  # buffers carried across the back edge: zeros before the loop
            body = flow.carried_loop_body(reversed_body, out)
        else:
            body = flow.loop_body(reversed_body, out)
        if counted:  # range(n - 1, -1, -1)
            (count,) = loop.iterable.args
            last = gast.BinOp(left=copy_tree(count), op=gast.Sub(), right=constant(1))
            down = call("range", last, constant(-1), constant(-1))
            step = _store(loop.target)
        else:
            down = call("range", name(trips))
            step = _store(st.names.fresh("step", always_number=True))
        out.append(gast.For(target=step, iter=down, body=body or [gast.Pass()],
                            orelse=[], type_comment=None))  # fmt: skip
        if counted and _read_outside(st, loop):  # the reversed trips leave t at 0: back to
            (count,) = loop.iterable.args  # the last trip's n - 1, which the primal left
            last = gast.BinOp(left=copy_tree(count), op=gast.Sub(), right=constant(1))
            ran = gast.Compare(left=copy_tree(count), ops=[gast.Gt()], comparators=[constant(0)])
            out.append(gast.If(test=ran, body=[assign(loop.target, last)], orelse=[]))
        return out


def _read_outside(st: SweepState, loop: Loop) -> bool:
    """Whether a statement outside ``loop``'s body (after it, or around it in an outer loop)
    reads its index: the adjoint of that statement, in the next reversed trip of an outer
    loop, reads the index the reversed loop left."""
    inside = {id(item) for item in walk_items(loop.body)}
    for item in walk_items(st.ir.body):
        if id(item) in inside:
            continue
        nodes = [getattr(item, "expr", None), getattr(item, "test", None),
                 getattr(item, "iterable", None)]  # fmt: skip
        for node in nodes:
            if isinstance(node, gast.AST) and loop.target in names_in(node):
                return True
    return False


def _int_count(st: SweepState, loop: Loop) -> bool:
    """Whether ``range(n)`` of a counted loop cannot raise: ``n`` an int (not an array)."""
    (count,) = loop.iterable.args
    if isinstance(count, gast.Constant):
        return type(count.value) is int
    known = st.activity.types.get(count.id) if isinstance(count, gast.Name) else None
    return known is not None and known.kind == "int" and known.array is False


def _recomputed(stmts: list, plan) -> list[gast.stmt]:
    """The statements again, headed by a note where one is not a view (optimize names the
    values still read in it)."""
    body = [
        _remade(assign(stmt.targets[0], copy_tree(stmt.expr)), plan.under_errstate(stmt))
        for stmt in stmts
    ]
    if any(not _is_view(s.value) for s in body):
        note = comment_marker("recomputed, not taped")
        note.s2s_recomputed = True
        body.insert(0, note)
    return body


def _is_view(value: gast.expr) -> bool:
    """``x[t]``: a row of an argument (a view, not a computation)."""
    return isinstance(value, gast.Subscript)


def _remade(node: gast.Assign, quiet: bool = False) -> gast.Assign:
    """A recomputed value; ``quiet``: made under ``np.errstate(all="ignore")``
    (:func:`s2s.codegen.contexts.quiet_recomputations`): once before the reversed loop, or
    in each trip where the primal made it under the user's ``np.errstate``."""
    node.s2s_remade = True  # optimize drops it if no adjoint reads the value
    node.s2s_quiet = quiet
    return node
