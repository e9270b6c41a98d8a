"""Adjoints of a list's appends and pops, for :class:`s2s.reverse.tape.TapeSweeps`.

A list of the user's is appended to; a derivative's own tape is appended to and popped, and
reverse mode over that derivative undoes each append by a pop and each pop by an append. The
list's cotangent is a list of one part per item (``None``: no cotangent), which the same
moves keep aligned with the list.
"""

from __future__ import annotations

from typing import Any

import gast

from s2s.codegen.ir import Stmt, atom_names
from s2s.codegen.sweeps import assign, call
from s2s.codegen.templating import constant, name


def comment_marker(text: str) -> gast.stmt:
    """A statement the writer prints as ``# text`` (comments inside loops and branches)."""
    return gast.Expr(value=gast.Call(func=name("__s2s_comment__"), args=[constant(text)],
                                     keywords=[]))  # fmt: skip


class ListAdjoints:
    """Mixin of the tape sweeps: the adjoints of ``xs.append(v)`` and ``v = xs.pop()``."""

    adjoint_names: dict[str, str]
    activity: Any
    count: dict[str, int]
    maybe_none: set[str]
    names: Any
    saved: set[str]
    remade: dict
    first_bindings: set
    flow: bool

    def append_adjoint(self, stmt: Stmt) -> list[gast.stmt]:
        """``xs.append(v)`` backwards: ``v`` gets the cotangent of the last item, which leaves
        the list's cotangent; then the item leaves the list."""
        xs, item = stmt.args
        out: list[gast.stmt] = [comment_marker(self.comment(stmt.node)[0])]
        adj = self.adjoint_names.get(xs.id)
        sources = [n for n in atom_names(item) if n in self.activity.active]
        if adj is not None:
            guarded: list[gast.stmt] = []

            def pop_item() -> list[gast.stmt]:
                last = call("_s2s.last_item", name(adj))  # None if the item got none
                if isinstance(item, gast.Name) and sources:
                    self.accumulate(sources[0], last, guarded, may_be_none=True)
                elif isinstance(item, (gast.List, gast.Tuple)) and sources:
                    self.send_items(list(item.elts), last, guarded)  # ys.append([a, b])
                guarded.append(assign(adj, call("_s2s.without_last", name(adj))))
                return guarded

            self.arms(pop_item, list)
            test = gast.Compare(left=name(adj), ops=[gast.IsNot()], comparators=[constant(None)])
            out.append(gast.If(test=test, body=guarded, orelse=[]))
        out.append(gast.Expr(value=call(f"{xs.id}.pop")))
        return out

    def pop_adjoint(self, stmt: Stmt) -> list[gast.stmt]:
        """``v = xs.pop()`` backwards (a derivative's tape, differentiated again): the item and
        ``v``'s cotangent go back onto the list and its cotangent, where the adjoint of the
        ``xs.append`` that pushed it finds them (a pop's item not kept is on our tape)."""
        (xs,) = stmt.args
        out: list[gast.stmt] = [comment_marker(self.comment(stmt.node)[0])]
        adj = self.adjoint_names.get(xs.id)
        item = name(stmt.targets[0]) if stmt.targets else self.pop()
        if adj is not None:
            part = stmt.targets and self.adjoint_names.get(stmt.targets[0])
            cotangent = name(part) if part else constant(None)
            put_back = call("_s2s.with_last", name(adj), cotangent, call("len", name(xs.id)))
            out.append(assign(adj, put_back))
            self.count[xs.id] = 1
            self.maybe_none.add(xs.id)
        out.append(gast.Expr(value=call(f"{xs.id}.append", item)))
        for target in stmt.targets:
            if target in self.adjoint_names:
                out.append(assign(self.adjoint_names[target], constant(None)))
                if self.flow:
                    self.count[target] = 0
                    self.maybe_none.discard(target)
            taped = id(stmt) not in self.remade and (id(stmt), target) not in self.first_bindings
            if target in self.saved and taped:
                out.append(assign(target, self.pop()))
        return out

    def send_items(self, elements: list, cotangent: gast.expr, out: list[gast.stmt]) -> None:
        """Send item ``j`` of ``cotangent`` (``None``: no cotangent) to the ``j``-th element of
        an appended literal, and so on into nested literals."""
        parts = self.names.fresh("parts", always_number=True)
        out.append(assign(parts, cotangent))
        for j, element in enumerate(elements):
            piece = call("_s2s.item_of", name(parts), constant(j))
            if isinstance(element, (gast.List, gast.Tuple)):
                self.send_items(list(element.elts), piece, out)
            elif isinstance(element, gast.Name) and element.id in self.activity.active:
                self.maybe_none.add(element.id)
                self.accumulate(element.id, piece, out, may_be_none=True)
