"""Normalize: A-normal form with SSA names, one primitive per statement, operators as written."""

from __future__ import annotations

import builtins
import inspect
import operator
from typing import Any

import gast

from s2s.codegen.ir import (
    APPEND,
    ATTRIBUTE,
    CONST,
    COPY,
    ITEMS,
    LOCAL_CALL,
    OPAQUE,
    POP,
    FunctionIR,
    Jump,
    Param,
    Stmt,
    flatten,
)
from s2s.codegen.walking import copy_tree, walk
from s2s.errors import UnsupportedSyntaxError
from s2s.frontend import control
from s2s.frontend.assignments import Assignments, loaded_names, operator_text
from s2s.frontend.contexts import Contexts
from s2s.frontend.dicts import lower_dicts
from s2s.frontend.fence import is_guard
from s2s.frontend.lifting import LIST_ADVICE, Lifting, list_misuse
from s2s.frontend.normstate import normalize_state
from s2s.frontend.outputs import SeveralOutputs
from s2s.frontend.parse import Primal
from s2s.frontend.rebinding import list_rebound, rename_rebound_lists
from s2s.frontend.resolve import Method, Target, global_value
from s2s.frontend.sideeffects import SideEffects, check_outside_reads, declared_globals
from s2s.frontend.spellings import (
    ATTRIBUTES,
    BINARY_UFUNCS,
    COMPARE_UFUNCS,
    METADATA,
    METHODS,
    UNARY_UFUNCS,
    VARARG_METHODS,
    as_write,
    base_name,
    call_op,
    emitted_target,
    keyword_variant,
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
from s2s.frontend.unpacking import expand_starred


class Normalizer:
    """Rewrites a resolved primal tree into a :class:`FunctionIR`."""

    def __init__(self, primal: Primal, tuple_params: dict[str, int] | None = None) -> None:
        self.state = normalize_state(primal, tuple_params)
        self.outputs = SeveralOutputs(self.state, self)
        self.lifting = Lifting(self.state, self, self.outputs)
        self.assignments = Assignments(self.state, self, self.outputs, self.lifting)
        self.structure = Structure(self.state, self, self.assignments)
        self.side_effects = SideEffects(self.state)
        self.with_blocks = Contexts(self.state, self)
        self.tries = Tries(self.state, self)

    # -- expressions ---------------------------------------------------------------------------
    def load(self, node: gast.Name) -> gast.Name:
        if node.id in self.state.env:
            if self.state.env[node.id] in self.state.multi:
                raise UnsupportedSyntaxError(
                    f"`{node.id}` holds several outputs; only its items are supported here",
                    self.state.primal.where(node),
                    f"use `{node.id}[0]`, `{node.id}[1]`, ... or unpack it: `a, b = ...`",
                )
            if self.state.env[node.id] in self.state.literals:
                raise UnsupportedSyntaxError(
                    f"`{node.id}` is a tuple of values; here only its items are supported",
                    self.state.primal.where(node),
                    f"pass the items (`{node.id}[0]`, ...) or build the tuple where it is used",
                )
            self.lifting.refuse_capturing_value(node)
            return name_node(self.state.env[node.id])
        return name_node(node.id)  # a global, closure value or builtin: read live

    def atom(self, node: gast.expr) -> gast.expr:
        """An operand: a name, a constant, a live global read, or a literal of operands."""
        if isinstance(node, gast.Name):
            if self.state.env.get(node.id) in self.state.literals:  # t = (a, b): the tuple's items
                return copy_tree(self.state.literals[self.state.env[node.id]])
            if node.id in self.state.declared and node.id not in self.state.env:  # `global n` it writes:
                name = self.state.temp(node.id)  # its value now, not after `n += 1` (the adjoint)
                self.emit_assign((name,), node)
                return name_node(name)
            return self.outputs.outputs_tuple(node) or self.load(node)
        if isinstance(node, gast.Constant):
            return node
        if (
            isinstance(node, gast.UnaryOp)
            and isinstance(node.op, (gast.USub, gast.UAdd))
            and isinstance(node.operand, gast.Constant)
            and type(node.operand.value) in (int, float)
        ):
            return node  # a literal such as -1 stays as written: x[:-1], 2 ** -1
        sliced = self.outputs.literal_slice(node)
        if sliced is not None:
            return sliced
        item = self.outputs.literal_item(node)  # t[0][1] of t = ((a, b), c): b itself
        if item is not None:
            return item
        component = self.outputs.component(node)
        if component is not None:
            return name_node(component)
        if isinstance(node, (gast.Tuple, gast.List)):
            return type(node)(elts=[self.atom(e) for e in node.elts], ctx=gast.Load())
        if isinstance(node, gast.Slice):
            return gast.Slice(
                lower=self.atom(node.lower) if node.lower is not None else None,
                upper=self.atom(node.upper) if node.upper is not None else None,
                step=self.atom(node.step) if node.step is not None else None,
            )
        if isinstance(node, gast.Attribute) and not isinstance(
            getattr(node, "s2s_target", None), Method
        ):
            if _is_global_chain(node, self.state.env):
                return node  # np.pi, np.newaxis, CONFIG.scale: read live
        if isinstance(node, (gast.IfExp, gast.BoolOp)):
            return self.structure.choice(node)
        if isinstance(node, (gast.ListComp, gast.GeneratorExp)):
            return self.structure.comprehension(node)
        if isinstance(node, gast.NamedExpr):
            return self.named(node)
        if (outputs := self.outputs.outputs_tuple(node)) is not None:
            return outputs
        name = self.state.temp(base_name(node))
        self.emit_assign((name,), node)
        return name_node(name)

    def named(self, node: gast.NamedExpr) -> gast.Name:
        """``(n := value)``: the assignment ``n = value``, then ``n`` (in a comprehension too:
        ``:=`` binds in the function's scope)."""
        self.assignments.assign([gast.Name(node.target.id, gast.Store(), None, None)], node.value)
        return self.load(name_node(node.target.id))

    def emit_assign(self, targets: tuple[str, ...], value: gast.expr, unpack: bool = False) -> None:
        stmt = self.primitive(value)
        stmt.targets = targets
        stmt.unpack = unpack
        stmt.node = self.state.node
        self.state.body.append(stmt)

    def primitive(self, node: gast.expr) -> Stmt:
        """One primitive statement computing ``node`` from atoms (its targets set by the caller)."""
        if isinstance(node, (gast.IfExp, gast.BoolOp)):
            chosen = self.structure.choice(node)
            return Stmt((), chosen, COPY, [chosen])
        if isinstance(node, (gast.ListComp, gast.GeneratorExp)):
            built = self.structure.comprehension(node)
            return Stmt((), built, COPY, [built])
        if isinstance(node, gast.NamedExpr):
            bound = self.named(node)
            return Stmt((), bound, COPY, [bound])
        if isinstance(node, gast.BinOp):
            joined = self.outputs.sequence_arithmetic(node)  # (-1,) + (1,) * n: kept; t + (v,): refused
            if joined is not None:
                return joined
            left, right = self.atom(node.left), self.atom(node.right)
            expr = gast.BinOp(left=left, op=node.op, right=right)
            return Stmt((), expr, BINARY_UFUNCS[type(node.op)], [left, right])
        if isinstance(node, gast.UnaryOp):
            operand = self.atom(node.operand)
            expr = gast.UnaryOp(op=node.op, operand=operand)
            return Stmt((), expr, UNARY_UFUNCS[type(node.op)], [operand])
        if isinstance(node, gast.Compare):
            if len(node.ops) == 1 and type(node.ops[0]) in COMPARE_UFUNCS:
                left, right = self.atom(node.left), self.atom(node.comparators[0])
                expr = gast.Compare(left=left, ops=node.ops, comparators=[right])
                return Stmt((), expr, COMPARE_UFUNCS[type(node.ops[0])], [left, right])
            if len(node.ops) == 1:  # `s is not None`, `k in d`: atoms, so a `:=` in them binds
                left, right = self.atom(node.left), self.atom(node.comparators[0])
                expr = gast.Compare(left=left, ops=node.ops, comparators=[right])
                reads = [a for a in (left, right) if isinstance(a, gast.Name)]
                return Stmt((), expr, OPAQUE, reads)
            return self.opaque(node)
        component = self.outputs.component(node)
        if component is not None:
            return Stmt((), name_node(component), COPY, [name_node(component)])
        if isinstance(node, gast.Subscript):
            value, key = self.atom(node.value), self.atom(node.slice)
            expr = gast.Subscript(value=value, slice=key, ctx=gast.Load())
            return Stmt((), expr, operator.getitem, [value, key])
        if isinstance(node, gast.Call):
            return self.call(node)
        if isinstance(node, gast.Attribute) and isinstance(
            getattr(node, "s2s_target", None), Method
        ):
            value = self.atom(node.value)
            expr = gast.Attribute(value=value, attr=node.attr, ctx=gast.Load())
            if node.attr in ATTRIBUTES:
                stmt = Stmt((), expr, ATTRIBUTES[node.attr], [value])
                stmt.method = node.attr
                return stmt
            if node.attr in METADATA:
                return Stmt((), expr, ATTRIBUTE, [value])
            return Stmt((), expr, OPAQUE, [value])
        if isinstance(node, gast.Name):
            loaded = self.load(node)
            local = node.id in self.state.env or node.id in self.state.original  # a user name or a temp
            if local:
                return Stmt((), loaded, COPY, [loaded])
            stmt = Stmt((), loaded, CONST)
            stmt.value_hint = global_value(self.state.primal.func, loaded)
            return stmt
        if isinstance(node, gast.Constant):
            return Stmt((), node, CONST)
        if isinstance(node, gast.Attribute) and _is_global_chain(node, self.state.env):
            stmt = Stmt((), node, CONST)
            stmt.value_hint = global_value(self.state.primal.func, node)
            return stmt
        return self.opaque(node)

    def opaque(self, node: gast.expr) -> Stmt:
        """An expression kept whole: its names are renamed, it is never differentiated."""
        bound = next((n for n in walk(node) if isinstance(n, gast.NamedExpr)), None)
        if bound is not None:  # its value would have no gradient: never silently
            raise UnsupportedSyntaxError(
                "`:=` inside this expression is not supported (s2s keeps the expression whole)",
                self.state.primal.where(bound), f"assign `{bound.target.id}` in a statement of its own",
            )  # fmt: skip
        renamed = _rename_loads(node, self.state.env)
        reads = [name_node(n) for n in loaded_names(renamed) if n in self.state.original]
        return Stmt((), renamed, OPAQUE, reads)

    def call(self, node: gast.Call) -> Stmt:
        target = getattr(node.func, "s2s_target", None)
        method = node.func.attr if isinstance(node.func, gast.Attribute) else ""
        if method.startswith("__") and method.endswith("__"):  # x.__setitem__(0, v)
            raise UnsupportedSyntaxError(
                f"calling `.{method}(...)` directly is not supported",
                self.state.primal.where(node),
                "write the operator it stands for (`x[i] = v` for `x.__setitem__(i, v)`, "
                "`a + b` for `a.__add__(b)`)",
            )
        max_min = isinstance(target, Target) and target.obj in (builtins.max, builtins.min)
        if (
            max_min
            and len(node.args) == 1
            and isinstance(node.args[0], gast.Name)
            and self.state.env.get(node.args[0].id) in self.state.literals
        ):  # max(t) of t = (a, b): max(a, b)
            items = self.state.literals[self.state.env[node.args[0].id]]
            node = gast.Call(func=node.func, args=[items], keywords=node.keywords)
        if (
            max_min
            and len(node.args) == 1
            and isinstance(node.args[0], (gast.List, gast.Tuple))
            and len(node.args[0].elts) >= 2
            and not node.keywords
        ):  # max([a, b, c]) is max(a, b, c)
            node = gast.Call(func=node.func, args=list(node.args[0].elts), keywords=[])
        if (
            max_min
            and len(node.args) > 2
            and not node.keywords
            and not any(isinstance(a, gast.Starred) for a in node.args)
        ):  # max(a, b, c) is max(max(a, b), c): the first of equal values wins, as in Python
            inner = gast.Call(func=copy_tree(node.func), args=node.args[:-1], keywords=[])
            inner.func.s2s_target = target
            node = gast.Call(func=node.func, args=[inner, node.args[-1]], keywords=[])
        args = [self.atom(a) for a in node.args]
        kwargs = {kw.arg: self.atom(kw.value) for kw in node.keywords}
        keywords = [gast.keyword(arg=k, value=v) for k, v in kwargs.items()]
        if isinstance(target, Method):
            receiver = self.atom(node.func.value)
            func = gast.Attribute(value=receiver, attr=target.name, ctx=gast.Load())
            expr = gast.Call(func=func, args=args, keywords=keywords)
            op = keyword_variant(METHODS.get(target.name, OPAQUE), kwargs)
            if target.name in VARARG_METHODS and len(args) > 1:
                args = [gast.Tuple(elts=args, ctx=gast.Load())]
            if self.state.generated and target.name == "pop" and not args and not kwargs:
                return Stmt((), expr, POP, [receiver])  # the tape of a derivative
            stmt = Stmt((), expr, op, [receiver] + args, dict(kwargs))
            stmt.method = target.name
            return stmt
        if isinstance(target, Target):
            func = emitted_target(target) or node.func
            expr = gast.Call(func=func, args=args, keywords=keywords)
            if self.outputs.user_function(node):  # a local list goes to the helper as a tuple
                expr.args = [self.outputs.as_tuple(a) for a in args]
                expr.keywords = [gast.keyword(arg=k.arg, value=self.outputs.as_tuple(k.value))
                                 for k in keywords]  # fmt: skip
            return Stmt((), expr, call_op(target.obj, kwargs), args, dict(kwargs))
        if isinstance(node.func, gast.Name) and self.state.env.get(node.func.id) in self.state.lifted:
            function = self.state.env[node.func.id]
            captured, signature = self.state.lifted[function]
            for var in captured:  # the lifted def's captured locals, as they are now
                kwargs[var] = self.load(name_node(var))
            keywords = [gast.keyword(arg=k, value=v) for k, v in kwargs.items()]
            expr = gast.Call(func=name_node(function), args=args, keywords=keywords)
            stmt = Stmt((), expr, LOCAL_CALL, args, dict(kwargs))
            stmt.value_hint = signature
            return stmt
        func = self.atom(node.func)  # an unresolvable target: evaluated as written
        expr = gast.Call(func=func, args=args, keywords=keywords)
        expr.s2s_unresolved = getattr(node.func, "s2s_unresolved", None)  # frontend/callables
        return Stmt((), expr, OPAQUE, args + list(kwargs.values()))

    # -- statements ----------------------------------------------------------------------------
    def statement(self, stmt: gast.stmt) -> None:
        self.state.node = stmt = as_write(stmt)  # np.add.at(buf, idx, v): a write into buf
        if isinstance(stmt, gast.Expr):
            if isinstance(stmt.value, gast.Constant):
                return  # a docstring or a bare constant
            if appended_list(stmt.value) in self.state.outside_lists:  # a side effect, kept as is
                self.emit_assign((), stmt.value)
                return
            if appended_list(stmt.value) is not None:  # xs.append(v): the list grows in place
                xs = self.load(stmt.value.func.value)
                item = self.atom(stmt.value.args[0])
                call_expr = gast.Call(
                    func=gast.Attribute(value=xs, attr="append", ctx=gast.Load()),
                    args=[item],
                    keywords=[],
                )
                self.state.body.append(Stmt((xs.id,), call_expr, APPEND, [xs, item], node=stmt))
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
                self.structure.setitem(stmt.target, gast.BinOp(left=current, op=stmt.op, right=stmt.value))
            else:
                self.assignments.augassign(stmt)
        elif isinstance(stmt, gast.Return):
            value = stmt.value if stmt.value is not None else gast.Constant(value=None, kind=None)
            self.state.returns = self.atom(self.assignments.named_list(value))
            self.state.return_node = stmt
        elif isinstance(stmt, (gast.Pass, gast.Assert)) or is_guard(stmt):
            if not isinstance(stmt, gast.Pass):  # an assert or `if c: raise E(...)`: as written
                self.state.body.append(Stmt((), _rename_loads(stmt, self.state.env), OPAQUE, [], node=stmt))
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
            self.state.body.append(Jump("break" if isinstance(stmt, gast.Break) else "continue", stmt))
        else:  # pragma: no cover - the fence refuses everything else
            raise UnsupportedSyntaxError(
                f"unsupported statement {type(stmt).__name__}", self.state.primal.where(stmt)
            )

    def block(self, statements: list[gast.stmt]) -> list[Any]:
        """The statements normalized into a block of their own, one level deeper."""

        def emit() -> None:
            for stmt in statements:
                self.statement(stmt)

        return self.state.collect(emit)[0]


    def run(self) -> FunctionIR:
        tree = self.state.primal.tree
        params = _params(tree)
        for p in params:
            self.state.env[p.name] = p.name
            self.state.original[p.name] = p.name
        for p in params:
            if p.name in self.state.tuple_params:  # a tuple argument: one name per item, and p
                items = [self.state.temp(f"{p.name}_item") for _ in range(self.state.tuple_params[p.name])]
                stmt = Stmt(tuple(items), name_node(p.name), ITEMS, [name_node(p.name)],
                            node=tree, unpack=True)  # fmt: skip
                self.state.body += [stmt] if items else []  # (of no items: no statement at all)
                self.state.literals[p.name] = gast.Tuple(elts=[name_node(i) for i in items],
                                                   ctx=gast.Load())  # fmt: skip
        expand_starred(tree, self.state.names.fresh)  # a, *rest = value: the assignments it means
        rename_rebound_lists(tree, self.state.names.fresh)  # ys = np.array(ys): ys_array from there
        lower_dicts(tree, self.state.names.taken, self.state.primal.where)  # d["h"]: a name d_h per key
        if any(isinstance(n, (gast.With, gast.Try)) for n in walk(tree)):
            tree.body = lift_returns(tree.body, self.state.names.fresh("result"))
        control.lower(self.state.primal, self.state.names.fresh("result"))
        self.state.carried = assigned_in_compound(tree)
        self.state.carried |= {n.target.id for n in walk(tree) if isinstance(n, gast.NamedExpr)}
        self.state.declared = declared_globals(tree)  # written as globals, never bound locally
        self.state.carried -= self.state.declared
        self.state.rebound = bound_in_compound(tree) - self.state.declared  # bound in branches or loops
        self.state.local_defs = {n.name for n in walk(tree) if isinstance(n, gast.FunctionDef)}
        appended = {xs for node in walk(tree) if (xs := appended_list(node)) is not None}
        fresh = fresh_lists(tree, appended if self.state.generated else set())
        # a list that outlives the call (a global, an argument, an attribute's list): its
        # appends are the user's side effects, run once and never undone
        self.state.outside_lists = appended - fresh
        check_outside_reads(self.state.primal, tree, self.state.outside_lists, self.state.generated)
        self.state.appended = appended & fresh
        self.state.lists = self.state.appended | fresh
        mappings = {
            t.id
            for node in walk(tree)
            if isinstance(node, gast.Assign) and _is_mapping(node.value)
            for t in node.targets
            if isinstance(t, gast.Name)
        }
        for node in walk(tree):
            if isinstance(node, (gast.For, gast.comprehension)) and (
                _is_mapping(node.iter)
                or (isinstance(node.iter, gast.Name) and node.iter.id in mappings)
            ):
                raise UnsupportedSyntaxError(
                    "a loop over a dict or a set is not supported (loops are replayed by "
                    "position, and these have no positions)",
                    self.state.primal.where(node),
                    "loop over a list of them instead: `for k in list(d)`, "
                    "`for v in list(d.values())`",
                )
            problem = list_rebound(node, self.state.lists)
            if problem is None:
                problem = list_misuse(node, self.state.lists, self.outputs.list_changing_call, self.state.generated)
            if problem is None and isinstance(node, gast.Assign):
                value, targets = node.value, node.targets
                if isinstance(value, gast.Name) and value.id in self.state.lists and not self.state.generated:
                    # (a derivative's code names a comprehension's list once, `ys = listcomp_1`,
                    # then only pops it: its tangent list is shared the same way)
                    problem = (f"`{targets[0].id}` would be a second name for the list "
                               f"`{value.id}`" if isinstance(targets[0], gast.Name) else
                               f"unpacking the list `{value.id}` into names")  # fmt: skip
                elif any(isinstance(t, gast.Subscript) and isinstance(t.value, gast.Name)
                         and t.value.id in self.state.lists for t in targets):  # fmt: skip
                    problem = "assigning into a list's items"
            if problem is None and isinstance(node, gast.AugAssign):
                if isinstance(node.target, gast.Name) and node.target.id in self.state.lists:
                    problem = f"`{node.target.id} {operator_text(node.op)}= ...` on a list"
            if problem is not None:
                raise UnsupportedSyntaxError(
                    f"{problem} is not supported", self.state.primal.where(node), LIST_ADVICE
                )
        for stmt in tree.body:
            self.statement(stmt)
        return FunctionIR(
            name=tree.name,
            params=params,
            body=self.state.body,
            returns=self.state.returns,
            return_node=self.state.return_node,
            original=self.state.original,
            taken=self.state.names.taken,
            temporaries=self.state.temporaries,
            carried=self.state.carried,
            lists=list_names(flatten(self.state.body)),
            contexts=self.state.contexts,
            written_globals=sorted(self.state.declared),
        )


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


def _is_global_chain(node: gast.expr, env: dict[str, str]) -> bool:
    while isinstance(node, gast.Attribute):
        node = node.value
    return isinstance(node, gast.Name) and node.id not in env


def _rename_loads(node: gast.AST, env: dict[str, str]) -> Any:
    node = copy_tree(node)
    for sub in walk(node):
        if isinstance(sub, gast.Name) and isinstance(sub.ctx, gast.Load) and sub.id in env:
            sub.id = env[sub.id]
    if isinstance(node, gast.If):  # a guard: the `else: pass` an empty else became, dropped
        node.orelse = []
    return node


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
    """
    return Normalizer(primal, tuple_params or {}).run()


def _is_mapping(node: gast.expr) -> bool:
    """A dict or set literal, comprehension or constructor, or ``d.keys()/values()/items()``."""
    if isinstance(node, (gast.Dict, gast.Set, gast.DictComp, gast.SetComp)):
        return True
    if isinstance(node, gast.Call):
        func = node.func
        if isinstance(func, gast.Name) and func.id in ("dict", "set", "frozenset"):
            return True
        return isinstance(func, gast.Attribute) and func.attr in ("keys", "values", "items")
    return False
