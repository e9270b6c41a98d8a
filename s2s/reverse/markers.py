"""Markers: adjoint blocks that check for undefined markers or absent cotangents first.

Before: ``s2s.undefined_grad`` declares no derivative; after, the adjoint is a marker that
remembers why and where, resolved by the ``undefined=`` policy when the gradient is returned:

>>> import numpy as np, s2s
>>> def m(x):
...     return np.sum(s2s.undefined_grad(x, reason="kink") * 2.0)
>>> for line in s2s.grad(m).source.splitlines():
...     if "undefined(" in line:
...         print(line.strip()[:51])
d_x = _s2s.undefined('undefined_grad', 'x', 'kink',
return _s2s.gradient(_s2s.resolve_undefined(d_x, x,

"""

from __future__ import annotations

from collections.abc import Callable

import gast

from s2s.codegen.ir import COPY, Stmt, atom_names
from s2s.codegen.sweeps import assign, call
from s2s.codegen.templating import constant, name
from s2s.codegen.walking import copy_tree
from s2s.reverse.buffers import Accumulation
from s2s.reverse.flow import AdjointFlow
from s2s.reverse.state import SweepState

Adjoint = Callable[[int, Stmt], list[gast.stmt]]  # a statement's adjoint, unguarded


def inputs_of(state: SweepState, index: int, stmt: Stmt) -> list[str]:
    """The active variables a statement's adjoint contributes to, in argument order."""
    active = state.activity.active
    if stmt.op is COPY or index not in state.activity.bindings:
        candidates = [n for a in stmt.args for n in atom_names(a)]
    else:
        binding = state.activity.bindings[index]
        candidates = []
        for param in binding.active_params:
            atom = binding.arguments[param]
            elements = atom if isinstance(atom, tuple) else (atom,)
            candidates += [n for e in elements for n in atom_names(e)]
    seen: list[str] = []
    for n in candidates:
        if n in active and n not in seen:
            seen.append(n)
    return seen


class MarkerPaths:
    """Guards around a statement's adjoint: runtime checks only where static analysis says an
    output cotangent may be an ``s2s.Undefined`` marker or ``None``.

    ``state.undefined`` holds the buffers that may carry a marker; ``buffers`` adds into the
    inputs' buffers, ``flow`` generates both arms of a check. The adjoint being guarded is
    passed to each method (``dense``, the unguarded adjoint of
    :meth:`s2s.reverse.adjoints.StatementAdjoints.dense_adjoint`).
    """

    def __init__(self, state: SweepState, buffers: Accumulation, flow: AdjointFlow):
        self.state = state
        self.buffers = buffers
        self.flow = flow

    def step(self, var: str, lineno: int | None) -> str | None:
        """How a marker's path names ``var``: the user's name and line (temporaries unnamed)."""
        st = self.state
        if var in st.ir.temporaries:
            return None
        return f"{st.ir.original.get(var, var)} (line {lineno})"

    def guarded_adjoint(
        self, index: int, stmt: Stmt, optional: list[str], dense: Adjoint
    ) -> list[gast.stmt]:
        """Every output cotangent may be ``None`` at run time (a tuple output the caller gave
        no cotangent): run the adjoint only if one is present, so absent ones cost nothing."""
        st = self.state
        out: list[gast.stmt] = []
        inputs = inputs_of(st, index, stmt)
        if st.tracked:  # the sweep tracks what may be None (s2s.reverse.flow)
            body, absent = self.flow.arms(lambda: self.checked_adjoint(index, stmt, dense), list)
            test = self._any_present(optional)  # `absent` binds the joined masks, if any
            return [gast.If(test=test, body=body or [gast.Pass()], orelse=absent)]
        for var in inputs:
            if not st.count.get(var, 0):
                out.append(assign(st.adjoint_names[var], constant(None)))
                st.count[var] = 1
                st.zero_masks.setdefault(var, []).append(constant(True))  # zero everywhere
        st.maybe_none.update(inputs)
        # the arms' masks joined (the absent arm adds nothing: True), so a masked cotangent
        # stays masked through a guarded block of straight-line code too (a pullback's
        # optional cotangent at third order: the adjoint of `masked` under `if d is not None`)
        body, absent = self.flow.arms(lambda: self.checked_adjoint(index, stmt, dense), list)
        test = self._any_present(optional)
        out.append(gast.If(test=test, body=body or [gast.Pass()], orelse=absent))
        return out

    def _any_present(self, optional: list[str]) -> gast.expr:
        """``d_a is not None or d_b is not None``: some output has a cotangent."""
        st = self.state
        tests = [
            gast.Compare(
                left=name(st.adjoint_names[t]), ops=[gast.IsNot()], comparators=[constant(None)]
            )
            for t in optional
        ]
        return tests[0] if len(tests) == 1 else gast.BoolOp(op=gast.Or(), values=tests)

    def checked_adjoint(self, index: int, stmt: Stmt, dense: Adjoint) -> list[gast.stmt]:
        """The adjoint, preceded by a marker check where an output cotangent may be undefined."""
        st = self.state
        targets = list(stmt.targets)
        carrying = [t for t in targets if t in st.undefined and st.count.get(t, 0)]
        if not carrying:
            return dense(index, stmt)
        inputs = inputs_of(st, index, stmt)
        st.undefined.update(inputs)
        marker = st.names.fresh("marker", always_number=True)
        adjoints = [name(st.adjoint_names[t]) for t in carrying]
        out: list[gast.stmt] = [assign(marker, call("_s2s.undefined_of", *adjoints))]
        counts = dict(st.count)
        lineno = getattr(stmt.node, "lineno", None)
        when_undefined: list[gast.stmt] = []
        for var in inputs:
            step = self.step(var, lineno)
            passed = name(marker)
            if step is not None:
                passed = call("_s2s.through", passed, constant(step))
            self.buffers.accumulate(var, passed, when_undefined)
        after_marker = dict(st.count)
        st.count = counts
        when_dense = dense(index, stmt)
        for var in inputs:  # both arms leave each input with at least one contribution
            st.count[var] = max(st.count.get(var, 0), after_marker.get(var, 0))
        test = gast.Compare(left=name(marker), ops=[gast.IsNot()], comparators=[constant(None)])
        out.append(gast.If(test=test, body=when_undefined, orelse=when_dense or [gast.Pass()]))
        return out

    def undefined_origin(self, index: int, stmt: Stmt) -> list[gast.stmt]:
        """``undefined_grad(x, reason)``: the cotangent sent back to ``x`` is a new marker."""
        st = self.state
        out: list[gast.stmt] = []
        source = atom_names(stmt.args[0])
        if not source or source[0] not in st.activity.active:
            return out
        var = source[0]
        reason = stmt.args[1] if len(stmt.args) > 1 else stmt.kwargs.get("reason")
        node = stmt.node
        marker = call(
            "_s2s.undefined",
            constant("undefined_grad"),
            constant("" if var in st.ir.temporaries else st.ir.original.get(var, var)),
            copy_tree(reason) if reason is not None else constant("declared undefined"),
            constant(st.primal.filename),
            constant(getattr(node, "lineno", 0)),
        )
        st.undefined.add(var)
        self.buffers.accumulate(var, marker, out)
        return out
