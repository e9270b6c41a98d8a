"""Calls of the user's own functions: through a sub-derivative forwards, a pullback backwards.

Before: ``softplus`` is the user's function; after, the primal sweep calls its derivative
(bound after the ``def`` as ``d_softplus``), which also returns the pullback that the
adjoint sweep calls with the output's cotangent:

>>> import numpy as np, s2s
>>> def loss(z):
...     def softplus(v):
...         return np.log1p(np.exp(v))
...     return np.sum(softplus(z))
>>> for line in s2s.grad(loss).source.splitlines():
...     if "pullback_1" in line and "del" not in line:
...         print(line.strip())
softplus_1, pullback_1 = d_softplus(z)
parts_1 = pullback_1(d_softplus_1)
"""

from __future__ import annotations

import operator
from typing import Any

import gast

from s2s import registry, runtime
from s2s.analysis.dtypes import UNKNOWN
from s2s.codegen.helpers import function_and_owner, helper_name, local_helpers
from s2s.codegen.ir import SETITEM, Marker, Stmt, atom_names
from s2s.codegen.sweeps import assign, call, primal_statement
from s2s.codegen.templating import constant, name
from s2s.codegen.walking import copy_tree
from s2s.reverse.buffers import Accumulation
from s2s.reverse.deadcode import cannot_raise, index_bounds
from s2s.reverse.state import SweepState


class UserCalls:
    """Both halves of a call to the user's own function (or method, or nested ``def``).

    ``helpers`` are the sub-derivatives bound by name in the factory
    (:mod:`s2s.codegen.helpers`), ``local_helpers`` those of nested ``def`` statements, bound
    after the ``def``. In the ``functional`` form (differentiated again) the primal calls the
    function as written and the adjoint calls ``_s2s.pullback_of``, which a derivative of the
    derivative can differentiate in turn.
    """

    def __init__(self, state: SweepState, buffers: Accumulation):
        self.state = state
        self.buffers = buffers
        self.helpers: dict[str, tuple] = {}  # those called by name: s2s/codegen/helpers.py
        self.bounds: dict[int, dict[str, int]] | None = None  # deadcode.index_bounds
        self.local_helpers = {} if state.functional else local_helpers(  # d_inner, after its def
            state.ir.flat, state.activity.bindings, state.names, "d_")  # fmt: skip

    def primal_statement(self, stmt: Stmt) -> gast.stmt:
        """The statement as written; a call to the user's own function goes through its
        sub-derivative: ``y, pullback_1 = _s2s.subderivative(g, ("a",))(a, b)``."""
        st = self.state
        binding = st.binding_of(stmt)
        if binding is None or binding.callee is None or st.functional:  # functional: as written
            node = primal_statement(stmt)
            copy = _view_of_written(st, stmt) if st.functional else None
            if copy is not None:
                node.value = call(copy, node.value)
                stmt.s2s_copied = True  # a fresh array: the tape may detach its source
            if self.bounds is None:  # the loop indices' ranges, found once
                self.bounds = index_bounds(st.ir, st.activity.types)
            bounds = self.bounds.get(id(stmt))
            node.s2s_pure = cannot_raise(stmt, st.activity.types, bounds)  # droppable when dead
            if stmt.op is runtime.augmented and stmt.aug_of is not None:  # `k += 1` of a number:
                old = st.activity.types.get(stmt.aug_of)  # a plain rebinding (copies.py)
                node.s2s_rebinds = old is not None and old.array is False and old.kind in (
                    "int", "float", "bool")  # fmt: skip
            return node
        pullback = st.pullback_of(stmt)
        wrt = gast.Tuple(elts=[constant(p) for p in binding.active_params], ctx=gast.Load())
        helper = helper_name(self.helpers, st.names, st.primal.func, stmt.expr.func,
                             binding.callee, tuple(binding.active_params), "subderivative",
                             "d_", "d_" + st.ir.name)  # fmt: skip
        if helper is None and isinstance(stmt.expr.func, gast.Name):  # a nested def's call
            local = self.local_helpers.get(stmt.expr.func.id, {})
            helper = local.get(tuple(binding.active_params))
        if helper is not None:
            derivative = name(helper)
        else:
            derivative = call("_s2s.subderivative", copy_tree(stmt.expr.func), wrt)
        value = gast.Call(func=derivative, args=copy_tree(stmt.expr.args),
                          keywords=copy_tree(stmt.expr.keywords))  # fmt: skip
        outputs: gast.expr = gast.Name(stmt.targets[0], gast.Store(), None, None)
        if stmt.unpack:
            outputs = gast.Tuple(elts=[gast.Name(t, gast.Store(), None, None)
                                       for t in stmt.targets], ctx=gast.Store())  # fmt: skip
        pair = gast.Tuple(elts=[outputs, gast.Name(pullback, gast.Store(), None, None)],
                          ctx=gast.Store())  # fmt: skip
        return gast.Assign(targets=[pair], value=value, type_comment=None)

    def adjoint(self, stmt: Stmt, binding: Any) -> list[gast.stmt]:
        """Pull the output cotangents back through the callee's sub-derivative."""
        st = self.state
        out: list[gast.stmt] = []
        cotangents = [
            name(st.adjoint_names[t]) if st.count.get(t, 0) and t in st.adjoint_names
            else constant(None)
            for t in stmt.targets
        ]  # fmt: skip
        if st.functional and stmt.unpack:  # differentiated again in the tuple: no None items
            cotangents = [_dense(st, c, t) for c, t in zip(cotangents, stmt.targets)]
        ct = gast.Tuple(elts=cotangents, ctx=gast.Load()) if stmt.unpack else cotangents[0]
        parts = st.names.fresh("parts", always_number=True)
        if st.functional:  # one call that a derivative of this code can differentiate again:
            wrt = gast.Tuple(elts=[constant(p) for p in binding.active_params], ctx=gast.Load())
            function, owner = function_and_owner(stmt.expr.func, binding.callee)
            pull = call("_s2s.pullback_of", function, wrt)  # again
            value = gast.Call(func=pull, args=[ct, *owner] + copy_tree(stmt.expr.args),
                              keywords=copy_tree(stmt.expr.keywords))  # fmt: skip
            out.append(assign(parts, value))
        else:
            out.append(assign(parts, call(st.pullback_of(stmt), ct)))
        for i, param in enumerate(binding.active_params):
            atom = binding.arguments[param]
            part = gast.Subscript(value=name(parts), slice=constant(i), ctx=gast.Load())
            if isinstance(atom, (gast.Tuple, gast.List)):  # a tuple argument: item by item
                self._items(list(atom.elts), part, out)
                continue
            self.buffers.accumulate(atom_names(atom)[0], part, out, may_be_none=self._sparse())
        return out

    def _sparse(self) -> bool:
        """Whether a part of the pullback's result may be ``None``. A ``pullback_of`` (the
        call in code differentiated again) returns a literal tuple of ``_s2s.gradient`` calls,
        each an array or number (zeros where no cotangent came; an undefined marker raises
        under its default ``undefined="raise"``): its parts are values, so the adjoint of what
        reads them needs no ``if d is not None:`` arm, which the next order would tape as a
        branch. Another pullback (a checkpointed loop's, ``disconnected="none"``) may give
        ``None``."""
        return not self.state.functional

    def _items(self, elements: list, part: gast.expr, out: list) -> None:
        """Send ``part[j]`` (a pullback's gradient of a tuple argument) to its j-th item."""
        for j, element in enumerate(elements):
            piece = gast.Subscript(value=copy_tree(part), slice=constant(j), ctx=gast.Load())
            if isinstance(element, (gast.Tuple, gast.List)):
                self._items(list(element.elts), piece, out)
            elif isinstance(element, gast.Name) and element.id in self.state.activity.active:
                self.buffers.accumulate(element.id, piece, out, may_be_none=self._sparse())


def _dense(st: SweepState, ct: gast.expr, target: str) -> gast.expr:
    """The cotangent of an output ``target`` of a call whose outputs a derivative of this code
    differentiates as one tuple: zeros where it got none (``None`` has no tangent), as for an
    output never used or the last ``c`` of a loop's ``h, c = cell(h, c, x)``."""
    if st.activity.types.get(target, UNKNOWN).kind not in ("float", "unknown"):
        return ct
    if isinstance(ct, gast.Name) and target not in st.maybe_none:
        return ct
    return call("_s2s.dense_tangent", ct, name(target))


def _view_of_written(st: SweepState, stmt: Stmt) -> str | None:
    """``r = out[1:]`` (an array view) where ``out`` is written into later: code differentiated
    again takes a copy (``"_np.copy"``), as the aliasing check allows no view read after a
    write, and this code reads ``r`` after (its adjoint sweep, once ``out`` is restored, where
    ``r`` holds the entries it held when made). ``r = y[i]`` of an array not known to be a
    vector (a number, or a row view of a matrix) gets ``"_s2s.detached"``, which copies an
    array and keeps a number. ``None``: no copy."""
    if isinstance(stmt.op, Marker) or not registry.facts_of(stmt.op).view:
        return None
    if len(stmt.targets) != 1 or not stmt.args or stmt.method == "flatten":
        return None
    base = atom_names(stmt.args[0])
    made = st.activity.types.get(stmt.targets[0], UNKNOWN)
    key = stmt.args[1] if stmt.op is operator.getitem and len(stmt.args) > 1 else None
    items = key.elts if isinstance(key, gast.Tuple) else [key]
    sliced = any(isinstance(item, gast.Slice) for item in items)
    of_array = stmt.op is not operator.getitem and base and (
        st.activity.types.get(base[0], UNKNOWN).array is True)  # fmt: skip
    copy = "_np.copy"
    if made.array is not True and not made.shape and not sliced and not of_array:
        if made.array is False or made.shape is not None or stmt.op is not operator.getitem:
            return None  # x[i] of a vector: a number
        copy = "_s2s.detached"  # maybe a row of a matrix
    writes = [s for s in st.ir.flat if s.op is SETITEM and list(s.targets[:1]) == base[:1]]
    checked = any(v is stmt for s in writes for v in getattr(s, "alias_checks", ()))
    # (checked at run time: read after a write, so it stays a view, refused there)
    return copy if writes and not checked else None
