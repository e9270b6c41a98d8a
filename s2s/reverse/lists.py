"""Adjoints of a list's appends and pops, for the sweeps of :mod:`s2s.reverse.tape`.

A list of the user's is appended to; a derivative's own tape is appended to and popped, and
reverse mode over that derivative undoes each append by a pop and each pop by an append. The
list's cotangent is a list of one part per item (``None``: no cotangent), which the same
moves keep aligned with the list. A part put back by an undone pop keeps its selection mask
(``_s2s.put_back_last(..., mask)``, ``_s2s.with_last(..., mask)``), which
the undone append gives the item's contribution (``_s2s.last_mask``): reverse over a gradient
whose tape holds a masked branch's values keeps the mask across the tape.
"""

from __future__ import annotations

import gast

from s2s.codegen.ir import POP, Stmt, atom_names
from s2s.codegen.sweeps import assign, call, comment_marker
from s2s.codegen.templating import constant, name
from s2s.reverse.buffers import Accumulation
from s2s.reverse.flow import AdjointFlow
from s2s.reverse.selection import SelectionMasks
from s2s.reverse.state import SweepState
from s2s.reverse.taping import TapePlan


class ListAdjoints:
    """The adjoints of ``xs.append(v)`` and ``v = xs.pop()`` in the tape sweeps: ``buffers``
    adds into the items' buffers, ``flow`` generates the guarded blocks, ``plan`` is the tape
    that a pop's item not kept went on."""

    def __init__(self, state: SweepState, buffers: Accumulation, flow: AdjointFlow,
                 plan: TapePlan):  # fmt: skip
        self.state = state
        self.buffers = buffers
        self.flow = flow
        self.plan = plan

    def append_adjoint(self, stmt: Stmt) -> list[gast.stmt]:
        """``xs.append(v)`` backwards: ``v`` gets the cotangent of the last item, which leaves
        the list's cotangent; then the item leaves the list."""
        st = self.state
        xs, item = stmt.args
        out: list[gast.stmt] = [comment_marker(st.comment(stmt.node)[0])]
        adj = st.adjoint_names.get(xs.id)
        sources = [n for n in atom_names(item) if n in st.activity.active]
        if adj is not None:
            guarded: list[gast.stmt] = []

            def pop_item() -> list[gast.stmt]:
                last = call("_s2s.last_item", name(adj))  # None if the item got none
                if isinstance(item, gast.Name) and sources:
                    mask = None
                    if xs.id in self._popped():  # a derivative's tape:
                        # the part's mask, put back with it by the undone pop (pop_adjoint)
                        mask = st.names.fresh("mask", always_number=True)
                        node = assign(mask, call("_s2s.last_mask", name(adj)))
                        node.s2s_pure = True  # dropped where no partial reads it
                        guarded.append(node)
                        mask = name(mask)
                    self.buffers.accumulate(sources[0], last, guarded, mask, may_be_none=True)
                elif isinstance(item, (gast.List, gast.Tuple)) and sources:
                    self.send_items(list(item.elts), last, guarded)  # ys.append([a, b])
                drop = "_s2s.without_last" if st.functional else "_s2s.drop_last"
                guarded.append(assign(adj, call(drop, name(adj))))
                return guarded

            _, otherwise = self.flow.arms(pop_item, list)  # `otherwise` binds joined masks
            test = gast.Compare(left=name(adj), ops=[gast.IsNot()], comparators=[constant(None)])
            out.append(gast.If(test=test, body=guarded, orelse=otherwise))
        out.append(gast.Expr(value=call(f"{xs.id}.pop")))
        return out

    def _popped(self) -> set[str]:
        """The lists popped in the function (a derivative's tapes: the user's lists are only
        appended to)."""
        return {s.args[0].id for s in self.state.ir.flat if s.op is POP}

    def pop_adjoint(self, stmt: Stmt) -> list[gast.stmt]:
        """``v = xs.pop()`` backwards (a derivative's tape, differentiated again): the item and
        ``v``'s cotangent go back onto the list and its cotangent, where the adjoint of the
        ``xs.append`` that pushed it finds them (a pop's item not kept is on our tape)."""
        st = self.state
        (xs,) = stmt.args
        out: list[gast.stmt] = [comment_marker(st.comment(stmt.node)[0])]
        adj = st.adjoint_names.get(xs.id)
        item = name(stmt.targets[0]) if stmt.targets else self.plan.pop()
        if adj is not None:
            part = stmt.targets and st.adjoint_names.get(stmt.targets[0])
            cotangent = name(part) if part else constant(None)
            helper = "_s2s.with_last" if st.functional else "_s2s.put_back_last"
            put_back = call(helper, name(adj), cotangent, call("len", name(xs.id)))
            if part:  # its selection mask goes back with it
                mask = SelectionMasks(st).mask_of(stmt.targets[0], out)
                if mask is not None:
                    put_back.args.append(mask)
            out.append(assign(adj, put_back))
            st.count[xs.id] = 1
            st.maybe_none.add(xs.id)
        out.append(gast.Expr(value=call(f"{xs.id}.append", item)))
        for target in stmt.targets:
            if target in st.adjoint_names:
                out.append(assign(st.adjoint_names[target], constant(None)))
                if st.tracked:
                    st.count[target] = 0
                    st.maybe_none.discard(target)
            if self.plan.taped(stmt, target):
                out.append(assign(target, self.plan.pop()))
        return out

    def send_items(self, elements: list, cotangent: gast.expr, out: list[gast.stmt]) -> None:
        """Send item ``j`` of ``cotangent`` (``None``: no cotangent) to the ``j``-th element of
        an appended literal, and so on into nested literals."""
        st = self.state
        parts = st.names.fresh("parts", always_number=True)
        out.append(assign(parts, cotangent))
        for j, element in enumerate(elements):
            piece = call("_s2s.item_of", name(parts), constant(j))
            if isinstance(element, (gast.List, gast.Tuple)):
                self.send_items(list(element.elts), piece, out)
            elif isinstance(element, gast.Name) and element.id in st.activity.active:
                st.maybe_none.add(element.id)
                self.buffers.accumulate(element.id, piece, out, may_be_none=True)
