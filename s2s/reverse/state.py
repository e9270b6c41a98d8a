"""State: what both sweeps of one specialization know, in one object passed to each component.

The reverse sweeps are built by small components with one job each (accumulation into buffers,
selection masks, undefined-marker guards, the adjoint of one statement, the flow of buffers
through branches and loops, the tape, one per control-flow construct). None of them keeps
facts of its own about the program being written: they read and update one
:class:`SweepState`, which each receives explicitly.

>>> import numpy as np
>>> from s2s.analysis.activity import analyze
>>> from s2s.frontend.normalize import normalize
>>> from s2s.frontend.parse import parse
>>> from s2s.frontend.resolve import resolve
>>> from s2s.analysis.dtypes import VType
>>> def f(x):
...     y = np.sin(x)
...     return np.sum(y * x)
>>> p = parse(f); _ = resolve(p); ir = normalize(p)
>>> f64 = VType(kind="float", dtype=np.dtype("float64"), array=True, shape=(3,))
>>> activity = analyze(p, ir, ("x",), {"x": f64}, ("sum_1",))
>>> state = sweep_state(p, ir, activity, ("x",))
>>> sorted(state.adjoint_names.items())[:2]
[('multiply_1', 'd_multiply_1'), ('sum_1', 'd_sum_1')]
>>> state.dynamic, state.tracked
(False, False)

In a function with branches or loops, the names bound once by a top-level statement and read
by none inside a branch or loop behave as in straight-line code (``straight``):

>>> def g(x, n):
...     y = np.sin(x)
...     for _ in range(n):
...         x = x * 2.0
...     return np.sum(y * x)
>>> p = parse(g); _ = resolve(p); ir = normalize(p)
>>> types = {"x": f64, "n": VType(kind="int", dtype=np.dtype("int64"), array=False)}
>>> activity = analyze(p, ir, ("x",), types, ("sum_1",))
>>> sorted(sweep_state(p, ir, activity, ("x",)).straight)
['multiply_2', 'sum_1', 'y']
"""

from __future__ import annotations

import builtins
import operator
from dataclasses import dataclass, field
from typing import Any

import gast

from s2s import registry, runtime
from s2s.analysis.activity import Activity
from s2s.analysis.narrowing import narrowed_adjoints
from s2s.codegen.ir import (
    APPEND,
    COPY,
    POP,
    SETITEM,
    Branch,
    FunctionIR,
    Loop,
    NameAllocator,
    Stmt,
    atom_names,
    has_control_flow,
)
from s2s.codegen.walking import name_list
from s2s.frontend.parse import Primal


@dataclass(eq=False)
class SweepState:
    """The facts the components of the reverse sweeps share.

    What is differentiated: ``primal`` (the source, for comments and error locations), ``ir``
    (its normal form), ``activity``, ``wrt``, ``functional`` (the derivative is differentiated
    again: calls as written, no pullbacks, no in-place writes). Names: ``names`` (the
    allocator), ``adjoint_names`` (each active variable's buffer, ``d_x``), ``index_of`` (a
    statement's position in ``ir.flat``, the key of its activity binding), ``pullbacks`` (a
    call to the user's function: the name of its pullback).

    Buffers (:mod:`s2s.reverse.buffers`): ``count[var]`` contributions so far (0 a symbolic
    zero, 1 borrowed, 2+ owned), ``maybe_none`` (may be ``None`` at run time), ``scattered``
    (scattered into with ``_s2s.scatter``: maybe a list of parts), ``narrow`` (float64 values
    of a float32 sweep), ``call_results`` (values that may be tuples or lists of parts).
    Markers (:mod:`s2s.reverse.markers`): ``undefined``, the buffers that may carry an
    ``s2s.Undefined`` marker. Masks (:mod:`s2s.reverse.selection`): ``zero_masks``, the
    selection mask of each contribution; ``loop_depth``, how many reversed loop bodies are
    being generated around the current statement (there a contribution's mask is bound when
    it is made: the names it reads may be restored from the tape later in the trip). Control
    flow: ``dynamic`` (branches or loops: the tape sweeps), ``straight`` (names bound once by
    a top-level statement and read by none inside a branch or loop: their values and adjoints
    live as in straight-line code), ``tracked`` (the buffers' kinds are tracked through them,
    :mod:`s2s.reverse.flow`; not where undefined markers may flow). ``primal_nodes``: where
    each straight-line primal statement was written (a rule's primal-only locals move there).
    """

    primal: Primal
    ir: FunctionIR
    activity: Activity
    wrt: tuple[str, ...]
    functional: bool
    names: NameAllocator
    adjoint_names: dict[str, str]
    index_of: dict[int, int]
    call_results: set[str]
    narrow: dict[str, Any]
    dynamic: bool
    straight: set[str] = field(default_factory=set)
    count: dict[str, int] = field(default_factory=dict)
    maybe_none: set[str] = field(default_factory=set)
    scattered: set[str] = field(default_factory=set)
    undefined: set[str] = field(default_factory=set)
    zero_masks: dict[str, list[gast.expr | None]] = field(default_factory=dict)
    tracked: bool = False
    loop_depth: int = 0
    pullbacks: dict[int, str] = field(default_factory=dict)
    primal_nodes: dict[int, tuple[Any, gast.stmt]] = field(default_factory=dict)

    def comment(self, node: Any) -> tuple[str | None, int | None]:
        """``("line 3: y = np.sin(x)", 3)`` for a primal node (its header line if compound)."""
        return self.primal.comment(node)

    def pullback_of(self, stmt: Stmt) -> str:
        """The name holding the pullback of a call to the user's own function."""
        if id(stmt) not in self.pullbacks:
            self.pullbacks[id(stmt)] = self.names.fresh("pullback", always_number=True)
        return self.pullbacks[id(stmt)]

    def binding_of(self, stmt: Stmt) -> Any:
        """The statement's activity binding (its rule or callee), or ``None``."""
        return self.activity.bindings.get(self.index_of[id(stmt)])


def sweep_state(primal: Primal, ir: FunctionIR, activity: Activity, wrt: tuple[str, ...],
                functional: bool = False) -> SweepState:  # fmt: skip
    """The state before either sweep: every active variable's adjoint name, the values that
    may be containers of parts, the narrowed adjoints; every buffer a symbolic zero."""
    flat = ir.flat
    names = NameAllocator(ir.taken)
    call_results = {  # values of the user's functions and runtime helpers' lists of parts
        t  # (maybe tuples or lists: scatter into them with _s2s.scatter)
        for i, s in enumerate(flat)
        for t in s.targets
        if getattr(activity.bindings.get(i), "callee", None) is not None
        or s.op in _PARTS
        or (callable(s.op) and registry.facts_of(s.op).parts)  # np.array_split's pieces
    }
    for s in flat:  # `head = parts[:2]`, `same = parts`: a list of pieces too
        if s.args and isinstance(s.args[0], gast.Name) and s.args[0].id in call_results:
            if s.op is COPY or (s.op is operator.getitem and not _is_int_key(s.args[1])):
                call_results.update(s.targets)
    adjoint_names: dict[str, str] = {}
    for var in [p.name for p in ir.params] + [t for s in flat for t in s.targets]:
        if var in activity.active and var not in adjoint_names:
            adjoint_names[var] = names.fresh("d_" + var)
    return SweepState(
        primal=primal,
        ir=ir,
        activity=activity,
        wrt=wrt,
        functional=functional,
        names=names,
        adjoint_names=adjoint_names,
        index_of={id(stmt): i for i, stmt in enumerate(flat)},
        call_results=call_results,
        narrow=narrowed_adjoints(ir, activity),  # float64 by a constant, float32 sweep
        dynamic=has_control_flow(ir.body) or bool(rebound(ir)),  # a tape, runtime zeros
        straight=set() if tries(ir) else straight_names(ir) - call_results,  # (not a list)
    )


def rebound(ir: FunctionIR) -> set[str]:
    """The names bound by more than one statement of the normal form, or by one and as a
    parameter. Outside branches and loops each assignment binds a new name (SSA), except a
    name a ``try`` without handlers (``try``/``finally``) or a ``:=`` binds, which keeps one
    name: then the sweeps are the tape's, as in a loop (the adjoint of each rebinding replaces
    the old value's cotangent, and the overwritten values come back from the tape). The
    straight-line sweeps, which take each name for one value, added the new value's
    cotangent to the old one's, and read the new value where a partial needs the old."""
    seen = {p.name for p in ir.params}
    again: set[str] = set()
    for stmt in ir.flat:
        for target in stmt.targets:
            (again if target in seen else seen).add(target)
    return again


def tries(ir: FunctionIR) -> bool:
    """Whether the function has a ``try`` statement: its body, written as straight-line
    statements of the sweep, may stop at any of them (then a handler runs)."""
    return any(getattr(context, "kind", "with") != "with" for context in ir.contexts)


def straight_names(ir: FunctionIR) -> set[str]:
    """The names bound exactly once, by a statement at the top level of the function (not in
    a branch or loop), that no statement inside a branch or loop reads (a loop's or branch's
    header may): each has one value, made once, and its adjoint is added to only at the top
    level, as in straight-line code. Parameters, lists (and other names of them) and arrays
    written in place are not."""
    top = {id(item) for item in ir.body if isinstance(item, Stmt)}
    bound: dict[str, int] = {}
    nested_reads: set[str] = set()
    for stmt in ir.flat:
        for target in stmt.targets:
            bound[target] = bound.get(target, 0) + 1
        if id(stmt) not in top and stmt.expr is not None:
            nested_reads.update(name_list(stmt.expr))
    changed = {s.targets[0] for s in ir.flat if s.op in (SETITEM, APPEND, POP) and s.targets}
    lists = set(ir.lists)
    for stmt in ir.flat:  # `pairs = listcomp_3`: the same list
        if stmt.op is COPY and stmt.args and set(atom_names(stmt.args[0])) & lists:
            lists.update(stmt.targets)
    excluded = nested_reads | changed | lists | {p.name for p in ir.params}
    excluded |= {t for t in loop_targets(ir.body)}
    return {
        t
        for item in ir.body
        if isinstance(item, Stmt)
        for t in item.targets
        if bound[t] == 1 and t not in excluded
    }


def loop_targets(body: list[Any]) -> set[str]:
    """The index names of the ``for`` loops in ``body``, nested ones too."""
    out: set[str] = set()
    for item in body:
        if isinstance(item, Loop):
            out |= {item.target} if item.target is not None else set()
            out |= loop_targets(item.test_body + item.body + item.orelse)
        elif isinstance(item, Branch):
            out |= loop_targets(item.body + item.orelse)
    return out


# runtime helpers returning a list with one part per item (in a derivative differentiated again)
_PARTS = {
    runtime.unconcatenate, runtime.unstack, runtime.unhstack, runtime.unvstack, runtime.unsum,
    runtime.unarray, runtime.unliteral, runtime.item_cotangents, runtime.item_at,
    runtime.put_last, runtime.put_all_but_last, runtime.put_item, runtime.put_at,
    runtime.without_last, runtime.with_last, runtime.resplit, runtime.split_parts,
    runtime.select_parts, runtime.choose_parts,
    runtime.unbroadcast_parts, runtime.rebroadcast_parts, runtime.unmeshgrid, runtime.remeshgrid,
    runtime.gradient_of, runtime.einsum_grads, runtime.einsum_second,
    runtime.einsum_grads_tangent, runtime.multi_dot_grads, runtime.multi_dot_second,
    runtime.multi_dot_grads_tangent, runtime.cov_adjoint, runtime.cov_second,
    runtime.cov_adjoint_tangent, runtime.vectorized_grads, runtime.vectorized_grads_tangent,
    runtime.vectorized_grads_adjoint, runtime.vectorized_grads_adjoint_tangent,
    runtime.vectorized_grads_adjoint_adjoint, runtime.vectorized_grads_tangent_tangent,
    runtime.vectorized_grads_tangent_adjoint,
    runtime.scatter,  # a derivative's scatter into a list's cotangent: parts (reverse over reverse)
    builtins.list, builtins.tuple,  # list(x) of an array: its rows
}  # fmt: skip


def makes_parts(expr: gast.expr) -> bool:
    """Whether ``expr`` calls a runtime helper that returns a list of parts (``item_from`` of
    a slice included): a list's cotangent, projected item by item where it is made."""
    if not (isinstance(expr, gast.Call) and isinstance(expr.func, gast.Attribute)):
        return False
    if not (isinstance(expr.func.value, gast.Name) and expr.func.value.id == "_s2s"):
        return False
    helper = getattr(runtime, expr.func.attr, None)
    if helper is runtime.item_from:
        return len(expr.args) == 2 and not _is_int_key(expr.args[1])
    return helper in _PARTS


def _is_int_key(key: gast.expr) -> bool:
    """``3`` or ``-1``: one item of a list (an array), not a list of them."""
    if isinstance(key, gast.UnaryOp) and isinstance(key.op, gast.USub):
        key = key.operand
    return isinstance(key, gast.Constant) and type(key.value) is int
