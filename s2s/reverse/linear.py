"""Linear chains: a reversed trip's contribution that is one array times numbers is added as
that array times the product of the numbers.

In a reversed loop, the terms of a contribution are often made one array operation at a time:
``y = x * c[k]`` recomputed at the trip's top, ``d_y = y + y``, then ``d_x += d_y * c[k]``:
three passes over ``x``'s size and two temporaries, where the contribution is ``x`` times
the number ``(c[k] + c[k]) * c[k]``, one pass, as written by hand (``g += (2 c_k^2) x``).
Within a loop body, this pass expands an accumulation ``d += e`` (or ``-=``) through
temporaries made earlier in the same trip and read nowhere else, and where the expansion is
``x * s`` for one proven float array ``x`` and numbers ``s`` (scalars of proven type,
literals), writes ``d += x * s`` and drops the temporaries it used up:

>>> import numpy as np, s2s
>>> def uses(x, c):
...     acc = 0.0
...     for k in range(c.shape[0]):
...         y = x * c[k]
...         acc = acc + np.sum(y * y)
...     return acc
>>> g = s2s.grad(uses); _ = g(np.ones(4), np.ones(3))
>>> print([line.strip() for line in g.source.splitlines() if "d_x +=" in line][0])
d_x += x * ((getitem_2 + getitem_2) * getitem_2)

The numbers are those of another association of the same products (``x * (s t)`` for
``(x * s) * t``): equal up to rounding, and of the same dtype (every operand but ``x`` is a
number, so NEP 50 promotion sees the same operands).
"""

from __future__ import annotations

from typing import Any

import gast
import numpy as np

from s2s.analysis.dtypes import VType
from s2s.codegen.sweeps import Block
from s2s.codegen.walking import copy_tree, name_list, walk

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def fold_linear_chains(
    blocks: list[Block], types: dict[str, VType], live_out: list[gast.expr] = ()
) -> None:
    """Rewrite, in place, the accumulations of every loop body of ``blocks`` (see the module
    docstring); ``types`` are the static types of the primal values; ``live_out`` the
    expressions read after the sweep (the gradients, the output): their names are kept."""
    everywhere: dict[str, int] = {}  # mentions of each name in the adjoint sweep, releases aside
    for block in blocks:
        _count(block.body, everywhere)
    for expr in live_out:
        for node in walk(expr):
            if isinstance(node, gast.Name):
                everywhere[node.id] = everywhere.get(node.id, 0) + 1
    for block in blocks:
        _loops(block.body, types, everywhere)


def _loops(body: list[gast.stmt], types: dict[str, VType], everywhere: dict[str, int]) -> None:
    for stmt in body:
        for field in ("body", "orelse"):
            nested = getattr(stmt, field, None)
            if isinstance(nested, list):
                _loops(nested, types, everywhere)
        if isinstance(stmt, gast.For):
            _trip(stmt.body, types, everywhere)


def _trip(body: list[gast.stmt], types: dict[str, VType], everywhere: dict[str, int]) -> None:
    i = 0
    while i < len(body):
        stmt = body[i]
        if (
            isinstance(stmt, gast.AugAssign)
            and isinstance(stmt.op, (gast.Add, gast.Sub))
            and isinstance(stmt.target, gast.Name)
        ):
            chain = _Chain(body, i, types, everywhere)
            form = chain.expand(stmt.value)
            if form is not None and form[0] == "array" and chain.valid(form):
                stmt.value = gast.BinOp(
                    left=gast.Name(form[1], gast.Load(), None, None), op=gast.Mult(),
                    right=copy_tree(form[2]),
                )  # fmt: skip
                gone = chain.used | {
                    k for k, s in enumerate(body) if _releases_only(s, chain.temporaries)
                }
                for index in sorted(gone, reverse=True):
                    del body[index]
                i -= sum(1 for k in gone if k < i)
                _renote(body, chain.temporaries)
        i += 1


def _count(body: list[gast.stmt], counts: dict[str, int]) -> None:
    for stmt in body:
        if _releases_only(stmt, None):
            continue
        nested = [getattr(stmt, f) for f in ("body", "orelse", "finalbody") if hasattr(stmt, f)]
        if nested:
            for field, value in gast.iter_fields(stmt):
                if field not in ("body", "orelse", "finalbody", "handlers"):
                    for var in name_list(value) if isinstance(value, gast.AST) else ():
                        counts[var] = counts.get(var, 0) + 1
            for part in nested:
                _count(part, counts)
            for handler in getattr(stmt, "handlers", ()):
                _count(handler.body, counts)
            continue
        for var in name_list(stmt):  # every Name, once per occurrence
            counts[var] = counts.get(var, 0) + 1


def _releases_only(stmt: gast.stmt, names: set[str] | None) -> bool:
    """``a = b = None`` where every name set is one of ``names`` (any name: ``None``)."""
    if not (isinstance(stmt, gast.Assign) and isinstance(stmt.value, gast.Constant)
            and stmt.value.value is None):  # fmt: skip
        return False
    targets = [t.id for t in stmt.targets if isinstance(t, gast.Name)]
    return len(targets) == len(stmt.targets) and (names is None or set(targets) <= names)


def _renote(body: list[gast.stmt], gone: set[str]) -> None:
    """Take the values no longer recomputed out of the trip's "recomputed" comment."""
    prefix = "recomputed, not taped: "
    for index, stmt in enumerate(body):
        text = _comment(stmt)
        if text is None or not text.startswith(prefix):
            continue
        kept = [n for n in text[len(prefix):].split(", ") if n not in gone]
        if kept:
            stmt.value.args[0].value = prefix + ", ".join(kept)
        else:
            del body[index]
        return


def _comment(stmt: gast.stmt) -> str | None:
    if not (isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call)):
        return None
    func = stmt.value.func
    if not (isinstance(func, gast.Name) and func.id == "__s2s_comment__"):
        return None
    return stmt.value.args[0].value


class _Chain:
    """The expansion of one accumulated value through the temporaries of its trip."""

    def __init__(
        self, body: list[gast.stmt], at: int, types: dict[str, VType], everywhere: dict[str, int]
    ) -> None:
        self.body, self.at, self.types, self.everywhere = body, at, types, everywhere
        self.used: set[int] = set()  # indices of the temporaries' statements used up
        self.temporaries: set[str] = set()  # their names
        self.outs: set[str] = set()  # names written by ``out=`` in the expansion
        self.array_ops = 0  # array operations of the original expression
        self.readers: set[int] = {at}  # the statements whose expression is being expanded

    def valid(self, form: tuple[Any, ...]) -> bool:
        """Whether the expansion saves array operations, writes into no value but a used-up
        temporary, and reads values (its leaves) that nothing between changes."""
        if not self.used or self.array_ops < 2 or not self.outs <= self.temporaries:
            return False
        leaves = {form[1]} | {n.id for n in walk(form[2]) if isinstance(n, gast.Name)}
        for index in range(min(self.used), self.at):
            if index not in self.used and _writes(self.body[index]) & leaves:
                return False
        return True

    def expand(self, node: gast.expr) -> tuple[Any, ...] | None:
        """``("number", expr)`` or ``("array", name, number_expr)``, or None."""
        if isinstance(node, gast.Constant):
            ok = isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
            return ("number", node) if ok else None
        if isinstance(node, gast.Name):
            return self._name(node)
        if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
            inner = self.expand(node.operand)
            if inner is None:
                return None
            if inner[0] == "number":
                return ("number", gast.UnaryOp(op=gast.USub(), operand=inner[1]))
            self.array_ops += 1
            return ("array", inner[1], gast.UnaryOp(op=gast.USub(), operand=inner[2]))
        op = _UFUNC_OPS.get(_dotted(node.func)) if isinstance(node, gast.Call) else None
        if op is not None and len(node.args) == 2 and len(node.keywords) == 1:
            out = node.keywords[0]  # _np.add(y, y, out=y): y is a temporary used up
            if out.arg != "out" or not isinstance(out.value, gast.Name):
                return None
            self.outs.add(out.value.id)
            node = gast.BinOp(left=node.args[0], op=op(), right=node.args[1])
        if isinstance(node, gast.BinOp) and isinstance(node.op, (gast.Mult, gast.Add, gast.Sub)):
            left, right = self.expand(node.left), self.expand(node.right)
            if left is None or right is None:
                return None
            kinds = (left[0], right[0])
            if kinds == ("number", "number"):
                return ("number", _binop(left[1], node.op, right[1]))
            self.array_ops += 1
            if isinstance(node.op, gast.Mult):
                if kinds == ("array", "array"):
                    return None
                array, number = (left, right) if left[0] == "array" else (right, left)
                return ("array", array[1], _binop(array[2], gast.Mult(), number[1]))
            if kinds != ("array", "array") or left[1] != right[1]:
                return None
            return ("array", left[1], _binop(left[2], node.op, right[2]))
        return None

    def _name(self, node: gast.Name) -> tuple[Any, ...] | None:
        made = self._temporary(node.id)
        if made is not None:
            index, value = made
            readers, self.readers = self.readers, index
            form = self.expand(value)
            self.readers = readers
            if form is not None:
                self.used |= index
                self.temporaries.add(node.id)
            return form
        known = self.types.get(node.id)
        if known is None or known.kind != "float" or known.shape is None:
            return None
        if known.shape == () or known.array is False:
            return ("number", node)
        if known.dtype in _FLOATS and known.array is not False:
            one = gast.Constant(value=1, kind=None)
            return ("array", node.id, one)
        return None

    def _temporary(self, var: str) -> tuple[set[int], gast.expr] | None:
        """The statements of the trip before the accumulation that make ``var`` (``var =
        value``, then maybe ``var *= s``, ``var += e``) and its value, if ``var`` is read
        nowhere else in the trip nor outside the loop."""
        made: list[int] = []
        value: gast.expr | None = None
        inside = 0
        for index, stmt in enumerate(self.body):
            mentions = _mentions(stmt, var)
            if not mentions:
                continue
            if _releases_only(stmt, None):
                if _releases_only(stmt, {var}) and (not made or index > made[-1]):
                    continue
                return None  # `var = other = None`: leave it as it is
            inside += mentions
            if index in self.readers:
                if made and made[0] > index:
                    return None
                continue
            if index < min(self.readers) and mentions == 1 and _sets(stmt, var) and not made:
                made, value = [index], stmt.value
                continue
            if (
                made
                and index < min(self.readers)
                and isinstance(stmt, gast.AugAssign)
                and isinstance(stmt.op, (gast.Mult, gast.Add, gast.Sub))
                and isinstance(stmt.target, gast.Name)
                and stmt.target.id == var
                and mentions == 1
            ):
                made.append(index)
                value = gast.BinOp(left=value, op=type(stmt.op)(), right=stmt.value)
                continue
            return None
        if not made or self.everywhere.get(var, 0) != inside:  # read after the loop
            return None
        return set(made), value


def _sets(stmt: gast.stmt, var: str) -> bool:
    return (
        isinstance(stmt, gast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], gast.Name)
        and stmt.targets[0].id == var
    )


_UFUNC_OPS = {"_np.add": gast.Add, "_np.subtract": gast.Sub, "_np.multiply": gast.Mult}


def _dotted(node: gast.expr) -> str:
    if isinstance(node, gast.Attribute) and isinstance(node.value, gast.Name):
        return f"{node.value.id}.{node.attr}"
    return ""


def _binop(left: gast.expr, op: gast.operator, right: gast.expr) -> gast.expr:
    if isinstance(op, gast.Mult) and isinstance(left, gast.Constant) and left.value == 1:
        return right
    if isinstance(op, gast.Mult) and isinstance(right, gast.Constant) and right.value == 1:
        return left
    return gast.BinOp(left=left, op=op, right=right)


def _mentions(stmt: gast.stmt, var: str) -> int:
    return name_list(stmt).count(var)


def _writes(stmt: gast.stmt) -> set[str]:
    """Names a statement binds or changes in place (a subscript store, ``out=``)."""
    out: set[str] = set()
    for node in walk(stmt):
        if isinstance(node, gast.Name) and isinstance(node.ctx, (gast.Store, gast.Del)):
            out.add(node.id)
        elif isinstance(node, gast.AugAssign) and isinstance(node.target, gast.Name):
            out.add(node.target.id)
        elif isinstance(node, gast.keyword) and node.arg == "out":
            out |= {n.id for n in walk(node.value) if isinstance(n, gast.Name)}
        elif isinstance(node, gast.Subscript) and isinstance(node.ctx, gast.Store):
            out |= {n.id for n in walk(node.value) if isinstance(n, gast.Name)}
        elif isinstance(node, gast.Call):  # a call may change an array it is handed
            func = node.func
            if not (isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name)
                    and func.value.id == "_np"):  # fmt: skip
                out |= {n.id for a in node.args for n in walk(a) if isinstance(n, gast.Name)}
    return out
