"""Normalize: A-normal form with SSA names, one primitive per statement, operators as written.

:class:`Normalizer` holds no facts of its own: it makes one
:class:`~s2s.frontend.normstate.NormalizeState` and the components that read and update it,
each with one job and each handed the state and the other components it calls (no mixins, no
attributes shared through ``self``). It dispatches each statement to the component for its
construct, and is the :class:`~s2s.frontend.normstate.Lowering` the components ask for the
parts of theirs (an expression as an atom or a primitive, a statement, a block).
"""

from __future__ import annotations

import inspect
from typing import Any

import gast

from s2s.codegen.ir import (
    ITEMS,
    OPAQUE,
    FunctionIR,
    Jump,
    Param,
    Stmt,
    flatten,
)
from s2s.codegen.walking import inner_nodes, statements_in, walk
from s2s.errors import UnsupportedSyntaxError
from s2s.frontend import control
from s2s.frontend.assignments import Assignments
from s2s.frontend.contexts import Contexts
from s2s.frontend.dicts import lower_dicts
from s2s.frontend.expressions import Expressions, rename_loads
from s2s.frontend.fence import is_guard
from s2s.frontend.lifting import Lifting
from s2s.frontend.listuse import check_list_uses, list_operands_as_arrays
from s2s.frontend.normstate import normalize_state
from s2s.frontend.outputs import SeveralOutputs
from s2s.frontend.parse import Primal
from s2s.frontend.rebinding import rename_rebound_lists
from s2s.frontend.sideeffects import SideEffects, check_outside_reads, declared_globals
from s2s.frontend.spellings import (
    as_write,
    name_node,
)
from s2s.frontend.structure import (
    Structure,
    appended_list,
    assigned_in_compound,
    bound_in_compound,
    fresh_lists,
    list_names,
)
from s2s.frontend.tries import Tries, lift_returns
from s2s.frontend.unpacking import expand_nested, expand_starred


class Normalizer:
    """Rewrites a resolved primal tree into a :class:`FunctionIR`.

    Its components: ``expressions`` (atoms, primitives, calls, names read), ``assignments``
    (``=``, unpacking, ``op=``), ``outputs`` (calls with several outputs, tuples bound to
    names and their items), ``lifting`` (nested defs, containers bound to names, appends),
    ``structure`` (``if``, ``for``, ``while``, conditional values, comprehensions, writes into
    arrays), ``with_blocks`` (``with``), ``tries`` (``try``) and ``side_effects`` (writes to
    globals and attributes).
    """

    def __init__(self, primal: Primal, tuple_params: dict[str, int] | None = None) -> None:
        self.state = normalize_state(primal, tuple_params)
        self.outputs = SeveralOutputs(self.state, self)
        self.lifting = Lifting(self.state, self, self.outputs)
        self.assignments = Assignments(self.state, self, self.outputs, self.lifting)
        self.structure = Structure(self.state, self, self.assignments)
        self.expressions = Expressions(
            self.state, self.outputs, self.lifting, self.assignments, self.structure
        )
        self.side_effects = SideEffects(self.state)
        self.with_blocks = Contexts(self.state, self)
        self.tries = Tries(self.state, self)

    # -- the Lowering: what the components ask for the parts of their constructs --------------
    def atom(self, node: gast.expr) -> gast.expr:
        return self.expressions.atom(node)

    def primitive(self, node: gast.expr) -> Stmt:
        return self.expressions.primitive(node)

    def emit_assign(self, targets: tuple[str, ...], value: gast.expr, unpack: bool = False) -> None:
        self.expressions.emit_assign(targets, value, unpack)

    def opaque(self, node: gast.expr) -> Stmt:
        return self.expressions.opaque(node)

    def load(self, node: gast.Name) -> gast.Name:
        return self.expressions.load(node)

    # -- statements ----------------------------------------------------------------------------
    def statement(self, stmt: gast.stmt) -> None:
        st = self.state
        st.node = stmt = as_write(stmt)  # np.add.at(buf, idx, v): a write into buf
        if isinstance(stmt, gast.Expr):
            if isinstance(stmt.value, gast.Constant):
                return  # a docstring or a bare constant
            if appended_list(stmt.value) in st.outside_lists:  # a side effect, kept as is
                self.emit_assign((), stmt.value)
                return
            if appended_list(stmt.value) is not None:  # xs.append(v): the list grows in place
                self.lifting.append(stmt.value)
                return
            self.emit_assign((), stmt.value)
        elif isinstance(stmt, (gast.Assign, gast.AugAssign)) and (
            self.side_effects.writes_outside(stmt)
        ):
            self.side_effects.side_effect(stmt)  # COUNT += 1, self.calls += 1: as written, once
        elif isinstance(stmt, (gast.Assign, gast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, gast.Assign) else [stmt.target]
            if isinstance(targets[0], gast.Subscript):
                self.structure.setitem(targets[0], stmt.value)
            else:
                self.assignments.assign(targets, stmt.value)
        elif isinstance(stmt, gast.AugAssign):
            if isinstance(stmt.target, gast.Subscript):  # x[k] += v: read, combine, write
                current = gast.Subscript(value=stmt.target.value, slice=stmt.target.slice,
                                         ctx=gast.Load())  # fmt: skip
                combined = gast.BinOp(left=current, op=stmt.op, right=stmt.value)
                self.structure.setitem(stmt.target, combined)
            else:
                self.assignments.augassign(stmt)
        elif isinstance(stmt, gast.Return):
            value = stmt.value if stmt.value is not None else gast.Constant(value=None, kind=None)
            st.returns = self.atom(self.assignments.named_list(value))
            st.return_node = stmt
        elif isinstance(stmt, gast.Assert) or is_guard(stmt):
            self.guard(stmt)
        elif isinstance(stmt, gast.Pass):
            return
        elif isinstance(stmt, gast.If):
            self.structure.branch(stmt)
        elif isinstance(stmt, gast.For):
            self.structure.for_loop(stmt)
        elif isinstance(stmt, gast.While):
            self.structure.while_loop(stmt)
        elif isinstance(stmt, gast.FunctionDef):
            self.lifting.nested_def(stmt)
        elif isinstance(stmt, gast.With):
            self.with_blocks.with_block(stmt)
        elif isinstance(stmt, gast.Try):
            self.tries.try_block(stmt)
        elif isinstance(stmt, gast.Global):
            return  # `global g` with g only read (the fence refuses writes): globals read live
        elif isinstance(stmt, (gast.Break, gast.Continue)):
            st.body.append(Jump("break" if isinstance(stmt, gast.Break) else "continue", stmt))
        else:  # pragma: no cover - the fence refuses everything else
            raise UnsupportedSyntaxError(
                f"unsupported statement {type(stmt).__name__}", st.primal.where(stmt)
            )

    def guard(self, stmt: gast.Assert | gast.If) -> None:
        """An ``assert`` or ``if c: raise E(...)``: kept as written in the primal sweep (no
        gradient flows through the check itself). A ``:=`` in its test binds a name the code
        after it may read: the test is then lowered first (the binding an assignment of its
        own, differentiated like any other) and the check tests the lowered atom. A ``:=`` in
        the message or the raise is refused: it binds only when the check fails."""
        st = self.state
        failing = [stmt.msg] if isinstance(stmt, gast.Assert) else stmt.body
        bound = next((n for part in failing if part is not None for n in walk(part)
                      if isinstance(n, gast.NamedExpr)), None)  # fmt: skip
        if bound is not None:
            raise UnsupportedSyntaxError(
                "`:=` in an `assert` message or in the `raise` of an `if ...: raise` guard is "
                "not supported",
                st.primal.where(bound),
                f"assign `{bound.target.id}` in a statement of its own before the check",
            )
        if not any(isinstance(n, gast.NamedExpr) for n in walk(stmt.test)):
            st.body.append(Stmt((), rename_loads(stmt, st.env), OPAQUE, [], node=stmt))
            return
        test = self.atom(stmt.test)  # the `:=` bindings emitted as assignments
        kept = rename_loads(stmt, st.env)  # the message reads the names the test bound
        kept.test = test
        reads = [test] if isinstance(test, gast.Name) else []
        st.body.append(Stmt((), kept, OPAQUE, reads, node=stmt))

    def block(self, statements: list[gast.stmt]) -> list[Any]:
        """The statements normalized into a block of their own, one level deeper."""

        def emit() -> None:
            for stmt in statements:
                self.statement(stmt)

        return self.state.collect(emit)[0]

    # -- the function --------------------------------------------------------------------------
    def run(self) -> FunctionIR:
        """The function's normal form: its parameters bound, the rewrites of Python constructs
        applied to its tree, the facts the components read noted, then each statement."""
        st = self.state
        tree = st.primal.tree
        params = _params(tree)
        self.bind_params(params)
        expand_nested(tree, st.names.fresh)  # (a, b), c = value: one level at a time
        expand_starred(tree, st.names.fresh)  # a, *rest = value: the assignments it means
        renamed: dict[str, str] = {}  # a derivative's tape bound anew keeps its pops' meaning

        def fresh_list(base: str) -> str:
            renamed[new := st.names.fresh(base)] = base
            return new

        rename_rebound_lists(tree, fresh_list)  # ys = np.array(ys): ys_array from there
        lower_dicts(tree, st.names.taken, st.primal.where, st.spellings)  # d["h"]: a name d_h
        if any(isinstance(n, (gast.With, gast.Try)) for n in statements_in(tree)):
            tree.body = lift_returns(tree.body, st.names.fresh("result"))
        control.lower(st.primal, st.names.fresh("result"))
        self.note_facts(tree)
        for stmt in tree.body:
            self.statement(stmt)
        return FunctionIR(
            name=tree.name,
            params=params,
            body=st.body,
            returns=st.returns,
            return_node=st.return_node,
            original=st.original,
            taken=st.names.taken,
            temporaries=st.temporaries,
            carried=st.carried,
            lists=list_names(flatten(st.body)),
            contexts=st.contexts,
            written_globals=sorted(st.declared),
            renamed_lists=renamed,
            spellings=st.spellings,
        )

    def bind_params(self, params: list[Param]) -> None:
        """Each parameter keeps its name; a tuple parameter also stands for its items, a name
        each (``p_item_1, p_item_2 = p``)."""
        st = self.state
        for p in params:
            st.env[p.name] = p.name
            st.original[p.name] = p.name
        for p in params:
            if p.name in st.tuple_params:  # a tuple argument: one name per item, and p
                items = [st.temp(f"{p.name}_item") for _ in range(st.tuple_params[p.name])]
                stmt = Stmt(tuple(items), name_node(p.name), ITEMS, [name_node(p.name)],
                            node=st.primal.tree, unpack=True)  # fmt: skip
                st.body += [stmt] if items else []  # (of no items: no statement at all)
                st.literals[p.name] = gast.Tuple(elts=[name_node(i) for i in items],
                                                 ctx=gast.Load())  # fmt: skip

    def note_facts(self, tree: gast.FunctionDef) -> None:
        """What the components read about the whole function: the names carried through
        branches and loops, the globals it writes, its nested defs and its lists (refusing the
        uses of lists and the loops over mappings that s2s does not follow)."""
        st = self.state
        st.carried = assigned_in_compound(tree)
        nodes = inner_nodes(tree)  # (one list for the walrus targets and the appends)
        st.carried |= {n.target.id for n in nodes if isinstance(n, gast.NamedExpr)}
        st.declared = declared_globals(tree)  # written as globals, never bound locally
        st.carried -= st.declared
        st.rebound = bound_in_compound(tree) - st.declared  # bound in branches or loops
        st.local_defs = {n.name for n in statements_in(tree) if isinstance(n, gast.FunctionDef)}
        appended = {xs for node in nodes if (xs := appended_list(node)) is not None}
        fresh = fresh_lists(tree, appended if st.generated else set(), st.generated)
        # a list that outlives the call (a global, an argument, an attribute's list): its
        # appends are the user's side effects, run once and never undone
        st.outside_lists = appended - fresh
        check_outside_reads(st.primal, tree, st.outside_lists, st.generated)
        st.appended = appended & fresh
        st.lists = st.appended | fresh
        if st.generated:
            list_operands_as_arrays(st.primal, tree, st.lists)
        check_list_uses(st.primal, tree, st.lists, self.outputs.list_changing_call, st.generated)


def _params(tree: gast.FunctionDef) -> list[Param]:
    args = tree.args
    kind = inspect.Parameter
    params = [Param(a.id, kind.POSITIONAL_ONLY.name) for a in args.posonlyargs]
    params += [Param(a.id, kind.POSITIONAL_OR_KEYWORD.name) for a in args.args]
    if args.vararg is not None:
        params.append(Param(args.vararg.id, kind.VAR_POSITIONAL.name))
    params += [Param(a.id, kind.KEYWORD_ONLY.name) for a in args.kwonlyargs]
    if args.kwarg is not None:
        params.append(Param(args.kwarg.id, kind.VAR_KEYWORD.name))
    return params


def normalize(primal: Primal, tuple_params: dict[str, int] | None = None) -> FunctionIR:
    """Rewrite the resolved primal into A-normal form (see :class:`Normalizer`).

    ``tuple_params`` maps a parameter that holds a tuple to its length: the parameter then
    stands for the tuple of its items, each a name of its own.

    >>> from s2s.frontend.parse import parse
    >>> from s2s.frontend.resolve import resolve
    >>> import numpy as np
    >>> def f(x, w):
    ...     h = np.tanh(x @ w + 1.0)
    ...     h = h * 2.0
    ...     return h.sum()
    >>> p = parse(f); _ = resolve(p)
    >>> ir = normalize(p)
    >>> [s.targets for s in ir.body]
    [('matmul_1',), ('add_1',), ('h',), ('h_2',), ('sum_1',)]

    The normalizer and its components hold one another: once the IR is made, their
    attributes are dropped, so that they are freed at once rather than by the cyclic
    collector."""
    normalizer = Normalizer(primal, tuple_params or {})
    ir = normalizer.run()
    for part in [*vars(normalizer).values(), normalizer]:
        if part is not normalizer.state:
            vars(part).clear()
    return ir
