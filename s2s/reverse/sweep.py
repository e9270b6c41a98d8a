"""Reverse: the primal sweep, then the adjoint sweep in reverse order, accumulating into buffers.

Before: ``x`` is read by ``np.sin`` and by the product; after, the adjoint sweep runs the
statements backwards and adds both contributions into ``d_x``:

>>> import numpy as np, s2s
>>> def s(x):
...     y = np.sin(x)
...     return np.sum(y * x)
>>> for line in s2s.grad(s).source.splitlines():
...     if line.strip().startswith(("d_x", "d_y")):
...         print(line.strip())
d_y = _s2s.unbroadcast(d_multiply_1 * x, y)
d_x = _s2s.unbroadcast(d_multiply_1 * y, x)
d_x = d_x + d_y * _np.cos(x)
"""

from __future__ import annotations

import gast

from s2s.analysis.activity import Activity
from s2s.analysis.selection import quietly, selected_only
from s2s.codegen.helpers import bind_after_def
from s2s.codegen.ir import APPEND, SETITEM, FunctionIR, atom_names
from s2s.codegen.sweeps import (  # noqa: F401  (primal_statement: re-exported)
    Block,
    Sweeps,
    call,
    names_in,
    primal_statement,
)
from s2s.codegen.templating import constant, name
from s2s.codegen.walking import copy_tree
from s2s.frontend.parse import Primal
from s2s.reverse.adjoints import StatementAdjoints
from s2s.reverse.buffers import Accumulation
from s2s.reverse.calls import UserCalls
from s2s.reverse.deadcode import drop_dead_primal
from s2s.reverse.flow import AdjointFlow
from s2s.reverse.markers import MarkerPaths
from s2s.reverse.selection import SelectionMasks
from s2s.reverse.state import SweepState, loop_targets, sweep_state, tries
from s2s.reverse.tape import TapeSweeps
from s2s.reverse.taping import TapePlan, plan_tape
from s2s.reverse.tuple_tree import holds_tuples, leaf_seeds, output_leaves


class ReverseBuilder:
    """Builds both sweeps for one specialization (see :func:`reverse`).

    It makes the :class:`~s2s.reverse.state.SweepState` and the components that read and
    update it, each with one job: ``buffers`` (accumulation), ``masks`` (selection masks),
    ``markers`` (undefined-marker guards), ``calls`` (the user's own functions), ``adjoints``
    (one statement's adjoint), ``flow`` (the buffers' kinds through control flow) and, for a
    function with branches or loops, ``plan`` (what the tape holds) and ``tape`` (the sweeps
    through them). Straight-line code is swept here, statement by statement.
    """

    def __init__(self, primal: Primal, ir: FunctionIR, activity: Activity, wrt: tuple[str, ...],
                 functional: bool = False):  # fmt: skip
        self.state: SweepState = sweep_state(primal, ir, activity, wrt, functional)
        self.buffers = Accumulation(self.state)
        self.calls = UserCalls(self.state, self.buffers)
        self.flow = AdjointFlow(self.state, self.buffers)
        self.masks = SelectionMasks(self.state)
        self.markers = MarkerPaths(self.state, self.buffers, self.flow)
        self.adjoints = StatementAdjoints(
            self.state, self.buffers, self.masks, self.markers, self.calls
        )
        self.plan: TapePlan | None = None
        self.tape: TapeSweeps | None = None
        if self.state.dynamic:
            self.plan = plan_tape(self.state)
            self.tape = TapeSweeps(
                self.state, self.plan, self.buffers, self.flow, self.adjoints, self.calls
            )

    def primal_blocks(self) -> list[Block]:
        """The primal sweep of straight-line code, one block per primal line."""
        if self.tape is not None:
            return self.tape.primal_blocks()
        st = self.state
        blocks: list[Block] = []
        for index, stmt in enumerate(st.ir.body):
            text, lineno = st.comment(stmt.node)
            if not blocks or blocks[-1].lineno != lineno:
                blocks.append(Block(text, [], lineno))
            node = self.calls.primal_statement(stmt)
            blocks[-1].body.append(node)
            blocks[-1].body += bind_after_def(stmt, self.calls.local_helpers, "subderivative")
            st.primal_nodes[index] = (blocks[-1], node)
        return blocks

    def build(self, loss: gast.expr, seed: gast.expr) -> Sweeps:
        """Both sweeps. ``loss`` is the output atom (or a tuple of them, whose cotangents are
        ``seed[i]`` and may be ``None`` at run time) and ``seed`` its cotangent."""
        st = self.state
        primal = self.primal_blocks()
        adjoint: list[Block] = []
        seed_name = "seed"
        if isinstance(loss, gast.Tuple) and st.functional and holds_tuples(loss):
            seeds = leaf_seeds(loss, seed)  # read from the cotangent tree as it came
        elif isinstance(loss, gast.Tuple):
            seeds = [
                (
                    element,
                    gast.Subscript(value=copy_tree(seed), slice=constant(i), ctx=gast.Load()),
                )
                for i, element in enumerate(output_leaves(loss))
            ]
        else:
            seeds = [(loss, seed)]
        text, lineno = st.comment(st.ir.return_node)
        block = Block(text, [], lineno)
        for atom, cotangent in seeds:
            names = atom_names(atom)
            if isinstance(atom, gast.Name) and names[0] in st.activity.active:
                optional = isinstance(loss, gast.Tuple)  # the caller may give it None
                if optional and st.functional:  # differentiated again: zeros for None, so no
                    # `if d is not None:` arm below (each one a branch and a tape one order up)
                    cotangent = call("_s2s.dense_tangent", cotangent, name(names[0]))
                    optional = False
                if optional:
                    st.maybe_none.add(names[0])
                self.buffers.accumulate(names[0], cotangent, block.body, may_be_none=optional)
        if self.tape is not None:
            return self.finish(primal, self.tape.adjoint_blocks(block), loss, seed_name)
        if block.body:
            adjoint.append(block)
        for index in range(len(st.ir.body) - 1, -1, -1):
            stmt = st.ir.body[index]
            if not any(t in st.activity.active for t in stmt.targets):
                continue
            body = self.adjoints.adjoint_of(index, stmt)
            if body:
                text, lineno = st.comment(stmt.node)
                if adjoint and adjoint[-1].lineno == lineno:
                    adjoint[-1].body.extend(body)
                else:
                    adjoint.append(Block(text, body, lineno))
        return self.finish(primal, adjoint, loss, seed_name)

    def quiet_partials(self, primal: list[Block]) -> None:
        """In a gradient differentiated again, the gradient's masked partials (``0.5 / sqrt_1``,
        which it computed under ``np.errstate``) are primal statements here: computed quietly
        too, so an entry the mask drops raises no warning."""
        st = self.state
        if st.functional or self.tape is not None:
            return
        if not getattr(st.primal.func, "__s2s_generated__", False):
            return
        quiet = selected_only(st.ir, st.activity, True)
        nodes = [
            node
            for index, (_, node) in st.primal_nodes.items()
            if st.ir.body[index].targets and set(st.ir.body[index].targets) <= quiet
        ]
        chosen = {id(node) for node in nodes}
        for block in primal:
            body: list[gast.stmt] = []
            for node in block.body:
                if id(node) not in chosen:
                    body.append(node)
                elif body and getattr(body[-1], "s2s_quiet", False):
                    body[-1].body.append(node)  # one errstate block for a run of them
                else:
                    body += quietly([node])
                    body[-1].s2s_quiet = True
            block.body = body

    def finish(self, primal, adjoint, loss, seed_name) -> Sweeps:
        st, plan = self.state, self.plan
        self.quiet_partials(primal)
        gradients = []
        for param in st.wrt:
            if st.count.get(param, 0):
                gradients.append(name(st.adjoint_names[param]))
            else:
                gradients.append(constant(None))
        return Sweeps(
            primal,
            adjoint,
            st.ir.returns,
            loss,
            gradients,
            seed_name,
            st.names,
            st.undefined,
            st.dynamic,
            plan.tape if plan else "",
            (plan.saved | set(plan.call_pullbacks.values())) if plan else set(),
            {s.targets[0] for s in st.ir.flat if s.op in (SETITEM, APPEND)},
            dict(st.adjoint_names),
            helpers=dict(self.calls.helpers),
            not_straight=self.primal_names() - st.straight if st.dynamic else set(),
            straight_code=not tries(st.ir),
        )

    def primal_names(self) -> set[str]:
        """Every name of the primal: its parameters, the targets of its statements, the
        indices of its loops."""
        st = self.state
        names = {p.name for p in st.ir.params} | {t for s in st.ir.flat for t in s.targets}
        return names | loop_targets(st.ir.body)


def reverse(
    primal: Primal,
    ir: FunctionIR,
    activity: Activity,
    wrt: tuple[str, ...],
    loss: gast.expr,
    seed: gast.expr,
    functional: bool = False,
) -> Sweeps:
    """Build the primal and adjoint sweeps; ``seed`` is the expression of the output cotangent.

    ``functional``: the derivative will be differentiated again, so buffers are never written
    in place (scatters make new arrays) and no ``with`` block is emitted."""
    sweeps = ReverseBuilder(primal, ir, activity, wrt, functional).build(loss, seed)
    if sweeps.dynamic:  # selection masks that no partial read (straight-line: optimize drops)
        drop_dead_primal(sweeps.adjoint, {n for g in sweeps.gradients for n in names_in(g)})
    return sweeps
