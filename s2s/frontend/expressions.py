"""Expressions: each expression as an atom (a name, a constant) or as one primitive statement.

A nested expression is split into one primitive per statement, each bound to a temporary
named after what it computes; operators stay as written, and a name read is its SSA name
now. The constructs with a job of their own go to their component: a branch value or a
comprehension to :class:`~s2s.frontend.structure.Structure`, an output of several to
:class:`~s2s.frontend.outputs.SeveralOutputs`, ``:=`` to
:class:`~s2s.frontend.assignments.Assignments`.

Before: a nested expression; after, one primitive per statement:

>>> import numpy as np
>>> from s2s.codegen.emit import to_source
>>> from s2s.codegen.sweeps import primal_statement
>>> from s2s.frontend.normalize import normalize
>>> from s2s.frontend.parse import parse
>>> from s2s.frontend.resolve import resolve
>>> def f(x):
...     return np.sum(np.sin(x) * 2.0 + x[0])
>>> p = parse(f); _ = resolve(p)
>>> for s in normalize(p).flat:
...     print(to_source(primal_statement(s), False))
sin_1 = _np.sin(x)
multiply_1 = sin_1 * 2.0
getitem_1 = x[0]
add_1 = multiply_1 + getitem_1
sum_1 = _np.sum(add_1)
"""

from __future__ import annotations

import builtins
import inspect
import operator
from typing import Any

import gast
import numpy as np

from s2s import registry
from s2s.codegen.ir import ATTRIBUTE, CONST, COPY, LOCAL_CALL, OPAQUE, POP, Stmt
from s2s.codegen.walking import copy_tree, walk
from s2s.errors import UnsupportedSyntaxError
from s2s.frontend.assignments import Assignments, loaded_names
from s2s.frontend.lifting import Lifting
from s2s.frontend.normstate import NormalizeState
from s2s.frontend.outputs import SeveralOutputs
from s2s.frontend.resolve import Method, Target, global_value
from s2s.frontend.spellings import (
    ATTRIBUTES,
    BINARY_UFUNCS,
    COMPARE_UFUNCS,
    METADATA,
    METHODS,
    UNARY_UFUNCS,
    VARARG_METHODS,
    attr_chain,
    base_name,
    call_op,
    emitted_target,
    keyword_variant,
    name_node,
)
from s2s.frontend.structure import Structure


class Expressions:
    """The expressions of :class:`s2s.frontend.normalize.Normalizer`: atoms, primitives, calls
    and names read; ``outputs``, ``lifting``, ``assignments`` and ``structure`` take the
    constructs that are theirs."""

    def __init__(self, state: NormalizeState, outputs: SeveralOutputs, lifting: Lifting,
                 assignments: Assignments, structure: Structure) -> None:  # fmt: skip
        self.state = state
        self.outputs = outputs
        self.lifting = lifting
        self.assignments = assignments
        self.structure = structure

    def load(self, node: gast.Name) -> gast.Name:
        """A name read: its SSA name now; a global, closure value or builtin as written.

        Raises:
            UnsupportedSyntaxError: for a name that stands for several outputs or a tuple's
                items, or a nested def reading this function's locals, used whole.
        """
        st = self.state
        if node.id in st.env:
            if st.env[node.id] in st.multi:
                raise UnsupportedSyntaxError(
                    f"`{node.id}` holds several outputs; only its items are supported here",
                    st.primal.where(node),
                    f"use `{node.id}[0]`, `{node.id}[1]`, ... or unpack it: `a, b = ...`",
                )
            if st.env[node.id] in st.literals:
                raise UnsupportedSyntaxError(
                    f"`{node.id}` is a tuple of values; here only its items are supported",
                    st.primal.where(node),
                    f"pass the items (`{node.id}[0]`, ...) or build the tuple where it is used",
                )
            self.lifting.refuse_capturing_value(node)
            return name_node(st.env[node.id])
        return name_node(node.id)  # a global, closure value or builtin: read live

    def atom(self, node: gast.expr) -> gast.expr:
        """An operand: a name, a constant, a live global read, or a literal of operands."""
        st = self.state
        if isinstance(node, gast.Name):
            if st.env.get(node.id) in st.literals:  # t = (a, b): the tuple's items
                return copy_tree(st.literals[st.env[node.id]])
            if node.id in st.declared and node.id not in st.env:  # `global n` it writes:
                name = st.temp(node.id)  # its value now, not after `n += 1` (the adjoint)
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
            if _is_global_chain(node, st.env):
                return node  # np.pi, np.newaxis, CONFIG.scale: read live
        if isinstance(node, (gast.IfExp, gast.BoolOp)):
            return self.structure.choice(node)
        if isinstance(node, (gast.ListComp, gast.GeneratorExp)):
            return self.structure.comprehension(node)
        if isinstance(node, gast.NamedExpr):
            return self.named(node)
        if (outputs := self.outputs.outputs_tuple(node)) is not None:
            return outputs
        name = st.temp(base_name(node))
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
        st = self.state
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
            # (-1,) + (1,) * n: kept; t + (v,): refused
            joined = self.outputs.sequence_arithmetic(node)
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
            local = node.id in st.env or node.id in st.original  # a user name or a temp
            if local:
                return Stmt((), loaded, COPY, [loaded])
            stmt = Stmt((), loaded, CONST)
            stmt.value_hint = global_value(st.primal.func, loaded)
            return stmt
        if isinstance(node, gast.Constant):
            return Stmt((), node, CONST)
        if isinstance(node, gast.Attribute) and _is_global_chain(node, st.env):
            stmt = Stmt((), node, CONST)
            stmt.value_hint = global_value(st.primal.func, node)
            return stmt
        return self.opaque(node)

    def opaque(self, node: gast.expr) -> Stmt:
        """An expression kept whole: its names are renamed, it is never differentiated."""
        bound = next((n for n in walk(node) if isinstance(n, gast.NamedExpr)), None)
        if bound is not None:  # its value would have no gradient: never silently
            raise UnsupportedSyntaxError(
                "`:=` inside this expression is not supported (s2s keeps the expression whole)",
                self.state.primal.where(bound),
                f"assign `{bound.target.id}` in a statement of its own",
            )
        renamed = rename_loads(node, self.state.env)
        reads = [name_node(n) for n in loaded_names(renamed) if n in self.state.original]
        return Stmt((), renamed, OPAQUE, reads)

    def call(self, node: gast.Call) -> Stmt:
        """A call as one primitive on atoms: ``max(a, b, c)`` as ``max(max(a, b), c)``, a
        method on its receiver's atom, a nested def given its captures as keywords, an
        unresolved target evaluated as written."""
        st = self.state
        target = getattr(node.func, "s2s_target", None)
        method = node.func.attr if isinstance(node.func, gast.Attribute) else ""
        if method.startswith("__") and method.endswith("__"):  # x.__setitem__(0, v)
            raise UnsupportedSyntaxError(
                f"calling `.{method}(...)` directly is not supported",
                st.primal.where(node),
                "write the operator it stands for (`x[i] = v` for `x.__setitem__(i, v)`, "
                "`a + b` for `a.__add__(b)`)",
            )
        if method == "view" and isinstance(target, Method) and (node.args or node.keywords):
            raise UnsupportedSyntaxError(
                "`.view(...)` with an argument reads the array's bytes as another dtype or "
                "type, which has no derivative s2s knows",
                st.primal.where(node),
                "write `.view()` with no argument for a view of the same values, or "
                "`.astype(dtype)` for a cast",
            )
        max_min = isinstance(target, Target) and target.obj in (builtins.max, builtins.min)
        if (
            max_min
            and len(node.args) == 1
            and isinstance(node.args[0], gast.Name)
            and st.env.get(node.args[0].id) in st.literals
        ):  # max(t) of t = (a, b): max(a, b)
            items = st.literals[st.env[node.args[0].id]]
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
        tupled: set[int] = set()  # a derivative's helper(tuple(xs)): its list, passed so again
        if st.generated and not isinstance(target, Method):
            node, tupled = self.outputs.untupled(node)
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
            if st.generated and target.name == "pop" and not args and not kwargs:
                return Stmt((), expr, POP, [receiver])  # the tape of a derivative
            stmt = Stmt((), expr, op, [receiver] + args, dict(kwargs))
            stmt.method = target.name
            return stmt
        if isinstance(target, Target):
            args, kwargs = self.literals_as_arrays(target.obj, args, kwargs)
            keywords = [gast.keyword(arg=k, value=v) for k, v in kwargs.items()]
            func = emitted_target(target) or node.func
            expr = gast.Call(func=func, args=args, keywords=keywords)
            if self.outputs.user_function(node):  # a local list goes to the helper as a tuple
                expr.args = [self.outputs.as_tuple(a) for a in args]
                expr.keywords = [gast.keyword(arg=k.arg, value=self.outputs.as_tuple(k.value))
                                 for k in keywords]  # fmt: skip
            return Stmt((), expr, call_op(target.obj, kwargs), args, dict(kwargs))
        if isinstance(node.func, gast.Name) and st.env.get(node.func.id) in st.lifted:
            function = st.env[node.func.id]
            captured, signature = st.lifted[function]
            for var in captured:  # the lifted def's captured locals, as they are now
                kwargs[var] = self.load(name_node(var))
            keywords = [gast.keyword(arg=k, value=v) for k, v in kwargs.items()]
            expr = gast.Call(func=name_node(function), args=args, keywords=keywords)
            stmt = Stmt((), expr, LOCAL_CALL, args, dict(kwargs))
            stmt.value_hint = signature
            return stmt
        func = self.atom(node.func)  # an unresolvable target: evaluated as written
        expr = gast.Call(func=func, args=args, keywords=keywords)
        if tupled:  # a derivative's call of a pullback_of(...) with a list of the function's
            expr.args = [self.outputs.as_tuple(a) if i in tupled else a for i, a in enumerate(args)]
        expr.s2s_unresolved = getattr(node.func, "s2s_unresolved", None)  # frontend/callables
        return Stmt((), expr, OPAQUE, args + list(kwargs.values()))


    def literals_as_arrays(self, fn: Any, args: list, kwargs: dict) -> tuple[list, dict]:
        """The list or tuple literals of names passed where an elementwise numpy function
        takes an array (``np.sin([a, b])``, ``np.maximum((a, b), 0.0)``), each bound first to
        ``_np.asarray([a, b])``: numpy converts them so, and ``asarray`` of a literal has its
        tangent and adjoint item by item in every mode (a literal inside an elementwise rule
        had none in forward mode). Other arguments, and other functions, are returned as they
        are."""
        positions = _array_positions(fn, len(args), kwargs)
        if not positions:
            return args, kwargs
        args, kwargs = list(args), dict(kwargs)
        for key in positions:
            where, index = (args, key) if isinstance(key, int) else (kwargs, key)
            atom = where[index]
            if isinstance(atom, (gast.List, gast.Tuple)) and any(
                isinstance(n, gast.Name) for n in walk(atom)
            ):
                array = self.state.temp("asarray")
                expr = gast.Call(func=attr_chain("_np.asarray"), args=[atom], keywords=[])
                stmt = Stmt((array,), expr, np.asarray, [atom], {})
                stmt.node = self.state.node
                self.state.body.append(stmt)
                where[index] = name_node(array)
        return args, kwargs


def _array_positions(fn: Any, n_args: int, kwargs: dict) -> list[int | str]:
    """The positions (indices, keyword names) where elementwise ``fn`` takes array inputs:
    a numpy ufunc's first ``nin`` positional arguments; the non-structural parameters of a
    numpy or scipy function with an elementwise rule (``np.sinc``, ``np.nan_to_num``)."""
    if isinstance(fn, np.ufunc):
        return list(range(min(fn.nin, n_args)))
    module = getattr(fn, "__module__", None) or ""
    if module.split(".")[0] not in ("numpy", "scipy"):
        return []
    try:
        rule = registry.lookup(fn)
    except TypeError:
        return []
    if rule is None or rule.kind != registry.ELEMENTWISE or rule.template is None:
        return []
    try:
        params = list(inspect.signature(rule.template).parameters)[rule.n_outputs :]
    except (TypeError, ValueError):
        return []
    inputs = [p for p in params if p not in rule.structural]
    return [i for i, p in enumerate(params[:n_args]) if p in inputs] + [
        k for k in kwargs if k in inputs
    ]


def _is_global_chain(node: gast.expr, env: dict[str, str]) -> bool:
    """``np.pi``, ``CONFIG.scale``: an attribute chain on a name that is not a local."""
    while isinstance(node, gast.Attribute):
        node = node.value
    return isinstance(node, gast.Name) and node.id not in env


def rename_loads(node: gast.AST, env: dict[str, str]) -> Any:
    """A copy of ``node`` whose names read are their SSA names (``env``); a guard ``if``
    without the ``else`` it was given."""
    node = copy_tree(node)
    for sub in walk(node):
        if isinstance(sub, gast.Name) and isinstance(sub.ctx, gast.Load) and sub.id in env:
            sub.id = env[sub.id]
    if isinstance(node, gast.If):  # a guard: the `else: pass` an empty else became, dropped
        node.orelse = []
    return node
