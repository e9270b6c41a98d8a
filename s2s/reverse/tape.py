"""Tape: sweeps through branches and loops, saving overwritten values, arms and trip counts.

A loop's overwritten value goes on the tape in the primal sweep and comes back in the adjoint
sweep, which runs the loop backwards:

>>> import numpy as np, s2s
>>> def f(x, n):
...     for _ in range(n):
...         x = np.sin(x)
...     return np.sum(x)
>>> for line in s2s.grad(f).source.splitlines():
...     if "tape." in line or "range" in line:
...         print(line.strip())
# line 2: for _ in range(n):
for _ in range(n):
tape.append(x)
# line 2: for _ in range(n): (reversed)
for _ in range(n - 1, -1, -1):
x = tape.pop()
"""

from __future__ import annotations

from typing import Any

import gast
import numpy as np

from s2s.analysis.sharing import alias_closure, sharing_classes
from s2s.codegen.helpers import bind_after_def
from s2s.codegen.ir import APPEND, COPY, ITEMS, POP, SETITEM, Branch, Jump, Loop, Stmt, atom_names
from s2s.codegen.sweeps import Block, assign, call, comment_marker, is_comment_marker, view_checks
from s2s.codegen.templating import constant, name, slice_to_call
from s2s.codegen.walking import copy_tree
from s2s.reverse.adjoints import StatementAdjoints
from s2s.reverse.branches import Branches
from s2s.reverse.buffers import Accumulation
from s2s.reverse.calls import UserCalls
from s2s.reverse.flow import AdjointFlow
from s2s.reverse.lists import ListAdjoints
from s2s.reverse.loops import Loops
from s2s.reverse.state import SweepState
from s2s.reverse.taping import TapePlan


class TapeSweeps:
    """Both sweeps of a function with branches and loops.

    The primal sweep runs the function's control flow as written and pushes onto a list (the
    tape) what the adjoint sweep will need and the primal overwrites: the old value of a
    name assigned inside a branch or loop (only if an adjoint reads it), which arm each branch
    took, and each loop's trip count. The adjoint sweep replays the control flow backwards,
    popping. Every adjoint buffer starts as ``None`` (zero) and is added into functionally.

    This class writes the statements and dispatches each item of the normal form, once per
    sweep, to the component of its construct: :class:`~s2s.reverse.branches.Branches` for
    ``if``, ``break`` and ``continue``, :class:`~s2s.reverse.loops.Loops` for ``for`` and
    ``while``; a list's appends and pops go to :class:`~s2s.reverse.lists.ListAdjoints`.
    """

    def __init__(self, state: SweepState, plan: TapePlan, buffers: Accumulation,
                 flow: AdjointFlow, adjoints: StatementAdjoints, calls: UserCalls):  # fmt: skip
        self.state = state
        self.plan = plan
        self.buffers = buffers
        self.flow = flow
        self.adjoints = adjoints
        self.calls = calls
        self.lists = ListAdjoints(state, buffers, flow, plan)
        self.branches = Branches(state, flow, plan)
        self.loops = Loops(state, flow, plan, self.branches)
        self.written_as: dict[int, gast.stmt] = {}  # a statement's id: its primal node
        self._classes: dict[str, set[str]] | None = None

    # -- primal ------------------------------------------------------------------------------
    def primal_blocks(self) -> list[Block]:
        st, plan = self.state, self.plan
        text = "the tape: overwritten values, branch arms, trip counts"
        blocks = [Block(text, [], trailing=True)]
        blocks[0].body.append(assign(plan.tape, gast.List(elts=[], ctx=gast.Load())))
        params = {p.name for p in st.ir.params}
        views = {v.targets[0] for s in st.ir.flat for v in getattr(s, "alias_checks", [])}
        blocks.append(Block(None, []))  # (not under the tape's comment: the tape may go)
        for var in sorted((plan.saved - params) | set(plan.call_pullbacks.values()) | views):
            blocks[1].body.append(assign(var, constant(None)))
        for item in st.ir.body:
            text, lineno = st.comment(item.node)
            block = Block(text, self.primal_items([item], nested=False), lineno)
            if blocks[-1].lineno == lineno and lineno is not None:
                blocks[-1].body.extend(block.body)
            else:
                blocks.append(block)
            if isinstance(item, Stmt) and id(item) in self.written_as:  # a top-level statement:
                # where its rule's primal-only locals go (StatementAdjoints.hoist)
                st.primal_nodes[st.index_of[id(item)]] = (blocks[-1], self.written_as[id(item)])
        return blocks

    def primal_items(self, body: list[Any], nested: bool = True) -> list[gast.stmt]:
        out: list[gast.stmt] = []
        line = None
        for item in body:
            if nested and getattr(item.node, "lineno", None) != line and item.node is not None:
                line = item.node.lineno
                out.append(comment_marker(self.state.comment(item.node)[0]))
            if isinstance(item, Stmt):
                out += self.primal_statement(item)
            elif isinstance(item, Branch):
                out.append(self.branches.primal(item, self.primal_items))
            elif isinstance(item, Loop):
                out += self.loops.primal(item, self.primal_items)
            elif isinstance(item, Jump):
                out += self.branches.jump(item)
        return out

    def primal_statement(self, item: Stmt) -> list[gast.stmt]:
        """The statement, after pushing what it overwrites (if an adjoint needs it back)."""
        st, plan, calls = self.state, self.plan, self.calls
        if item.op is APPEND:  # undone by a pop: nothing to save
            return [calls.primal_statement(item)]
        if item.op is POP and not item.targets:  # keep the popped item
            last = gast.Subscript(value=copy_tree(item.args[0]), slice=constant(-1),
                                  ctx=gast.Load())  # fmt: skip
            return [plan.push(last), calls.primal_statement(item)]
        if item.op is SETITEM:  # save what the write destroys
            array, key = item.args[0], item.args[1]
            saved = call(
                "_s2s.overwritten", copy_tree(array), slice_to_call(copy_tree(key))
            )
            out = view_checks(st.ir, st.primal.filename, item)
            push = plan.push(saved)
            if any(item is top for top in st.ir.body):  # its restore may go where nothing
                push.s2s_written_back = id(item)  # reads it (codegen/restores.py)
            return out + [push, calls.primal_statement(item)]
        out: list[gast.stmt] = []
        for target in item.targets:
            if plan.taped(item, target):  # None where no adjoint reads the old value
                kept = (id(item), target) in plan.restore_read
                kept = kept or target in plan.param_names  # the caller's value is
                # needed at the end for the gradient's shape and dtype
                out.append(plan.push(name(target) if kept else constant(None), target))
        if id(item) in plan.call_pullbacks:
            pullback = plan.call_pullbacks[id(item)]  # saves: popped, or dropped, as one
            out.append(plan.push(name(pullback), pullback))
        out.append(calls.primal_statement(item))
        self.written_as[id(item)] = out[-1]
        out += bind_after_def(item, calls.local_helpers, "subderivative")
        return out

    # -- adjoint -----------------------------------------------------------------------------
    def adjoint_blocks(self, seed: Block) -> list[Block]:
        """Buffers set to ``None``, the ``seed`` block, then each top-level item's adjoint
        in reverse order."""
        st = self.state
        start = Block("adjoint buffers start at zero (None)", [], trailing=True)
        for adj in st.adjoint_names.values():
            start.body.append(assign(adj, constant(None)))
        adjoint = [start] + ([seed] if seed.body else [])
        for item in reversed(st.ir.body):
            text, lineno = st.comment(item.node)
            if isinstance(item, (Branch, Loop)):
                text = None  # the nested comment says it, with what comes from the tape
            body = self.adjoint_items([item])
            if not isinstance(item, (Branch, Loop)):
                body = [s for s in body if not is_comment_marker(s)]
            if body and text is not None and adjoint[-1].lineno == lineno:
                adjoint[-1].body.extend(body)  # one block per line, as in straight-line code
            elif body:
                adjoint.append(Block(text, body, lineno))
        return adjoint

    def adjoint_items(self, body: list[Any]) -> list[gast.stmt]:
        out: list[gast.stmt] = []
        for item in reversed(body):
            if isinstance(item, Stmt):
                out += self.adjoint_statement(item)
            elif isinstance(item, Branch):
                out += self.branches.adjoint(item, self.adjoint_items)
            elif isinstance(item, Loop):
                out += self.loops.adjoint(item, self.adjoint_items)
        return out

    def adjoint_statement(self, stmt: Stmt) -> list[gast.stmt]:
        """The statement's adjoint, then its assignment undone: the old values restored from
        the tape, their buffers back to zero."""
        st, plan = self.state, self.plan
        if stmt.op is SETITEM:
            return self.setitem_adjoint(stmt)
        if stmt.op is APPEND:
            return self.lists.append_adjoint(stmt)
        if stmt.op is POP:
            return self.lists.pop_adjoint(stmt)
        out: list[gast.stmt] = []
        index = st.index_of[id(stmt)]
        if (
            index in st.activity.bindings
            or stmt.op is ITEMS
            or (stmt.op is COPY and any(n in st.activity.active for n in atom_names(stmt.args[0])))
        ):
            block = self.adjoints.adjoint_of(index, stmt)
            if block:
                out.append(comment_marker(st.comment(stmt.node)[0]))
                out += block
        if id(stmt) in plan.call_pullbacks:
            out.append(assign(plan.call_pullbacks[id(stmt)], plan.pop()))
        for target in reversed(stmt.targets):  # this assignment is undone: restore the old value
            if target in st.adjoint_names:
                out.append(assign(st.adjoint_names[target], constant(None)))
                if st.tracked:  # the old value's cotangent starts at zero
                    st.count[target] = 0
                    if target not in st.ir.lists:
                        st.maybe_none.discard(target)
            if plan.taped(stmt, target):
                out.append(assign(target, plan.pop()))
        return out

    def _sharing(self) -> dict[str, set[str]]:
        """The names that may share each name's memory (:func:`sharing_classes`), once."""
        if self._classes is None:
            self._classes = sharing_classes(self.state.ir)
        return self._classes

    def setitem_adjoint(self, stmt: Stmt) -> list[gast.stmt]:
        """``x[key] = v`` backwards: ``v`` gets the cotangent of the entries it wrote, which
        the old ``x`` loses; then the overwritten entries come back from the tape."""
        st = self.state
        array, key, value = stmt.args
        out: list[gast.stmt] = [comment_marker(st.comment(stmt.node)[0])]
        adj = st.adjoint_names.get(array.id)
        if adj is not None:
            guarded: list[gast.stmt] = []
            sources = [n for n in atom_names(value) if n in st.activity.active]

            def send_back() -> list[gast.stmt]:
                if isinstance(value, gast.Name) and sources:
                    where = slice_to_call(copy_tree(key))
                    part = call("_s2s.written_part", name(adj), where, copy_tree(array))
                    if not _fits(st, array, key, value):  # else nothing to sum or cast
                        part = call("_s2s.unbroadcast", part, name(sources[0]))
                    self.buffers.accumulate(sources[0], part, guarded)
                zeroed = call("_s2s.zeroed_at", name(adj), slice_to_call(copy_tree(key)))
                guarded.append(assign(adj, zeroed))
                st.count[array.id] = 1  # a new array
                return guarded

            _, absent = self.flow.arms(send_back, list)  # `absent` binds the joined masks
            test = gast.Compare(left=name(adj), ops=[gast.IsNot()], comparators=[constant(None)])
            out.append(gast.If(test=test, body=guarded, orelse=absent))
        target = gast.Subscript(value=copy_tree(array), slice=copy_tree(key),
                                ctx=gast.Store())  # fmt: skip
        restore = gast.Assign(targets=[target], value=self.plan.pop(), type_comment=None)
        if any(stmt is top for top in st.ir.body):  # outside loops and branches: pushed once
            restore.s2s_written_back = id(stmt)
            restore.s2s_aliases = frozenset(
                self._sharing().get(array.id, {array.id})
                | alias_closure(st.ir, array.id, lists=True)
            )
        out.append(restore)
        return out


def _fits(st: SweepState, array: gast.expr, key: gast.expr, value: gast.expr) -> bool:
    """Whether ``array[key] = value`` writes a ``value`` of proven shape exactly the written
    part's, of the array's float dtype (float32 or float64, neither cotangent narrowed): its
    cotangent, the written part of the array's, needs no ``unbroadcast`` (which would return
    it as it is)."""
    types = st.activity.types
    if any(isinstance(a, gast.Name) and a.id in st.narrow for a in (array, value)):
        return False
    known = [types.get(a.id) if isinstance(a, gast.Name) else None for a in (array, value)]
    if any(k is None or k.shape is None or k.dtype is None for k in known):
        return False
    if known[0].dtype != known[1].dtype or known[0].dtype not in (np.float32, np.float64):
        return False
    items = key.elts if isinstance(key, gast.Tuple) else [key]
    index: list[Any] = []
    for item in items:
        if isinstance(item, gast.Slice):
            parts = [item.lower, item.upper, item.step]
            if not all(p is None or (isinstance(p, gast.Constant) and type(p.value) is int)
                       for p in parts):  # fmt: skip
                return False
            index.append(slice(*(None if p is None else p.value for p in parts)))
        elif isinstance(item, gast.Constant) and type(item.value) is int:
            index.append(item.value)
        elif _int_scalar(types, item):
            index.append(0)  # an int in range (else the primal's write raised): one axis goes
        else:
            return False
    try:  # a view of zero strides: no memory for the array's shape
        written = np.broadcast_to(np.empty((), np.int8), known[0].shape)[tuple(index)].shape
    except IndexError:
        return False
    return written == known[1].shape


def _int_scalar(types: dict[str, Any], atom: gast.expr) -> bool:
    known = types.get(atom.id) if isinstance(atom, gast.Name) else None
    return known is not None and known.kind == "int" and known.array is False
