"""Calls of ``hvp``, ``hessian`` and ``jacobian`` objects inside a function being
differentiated, written as the ``jvp`` calls they select or stack.

Such an object calls derivatives in Python (s2s cannot read that code as it reads a user's),
but each is a fixed arrangement of one ``jvp`` derivative object, which s2s differentiates
(DESIGN 10): ``hvp(f)(x, v)`` is the tangent of ``jvp(grad(f))(x, v)``, and column ``k`` of
``hessian(f)(x)`` (of ``jacobian(g)(x)``, by forward mode) the tangent of that ``jvp`` (of
``jvp(g)``) along the unit direction of ``x``'s entry ``k``. Before the tree is resolved each
such call is written so, with ``_s2s.product_of`` (the object's ``jvp``, found when the
derivative is generated, :mod:`s2s.analysis.derivatives`) and ``_s2s.unit_direction`` (a
constant of the derivative)::

    h = s2s.hvp(f)(x, v)            h = _s2s.product_of(s2s.hvp(f), 0)(x, v)[1]
    H = s2s.hessian(f)(x)           x_arg = x
                                    H = np.reshape(np.stack(
                                        [_s2s.product_of(s2s.hessian(f), 0)(
                                            x_arg, x_dot=_s2s.unit_direction(x_arg, k))[1]
                                         for k in range(np.size(x_arg))], axis=-1),
                                        np.shape(x_arg) + np.shape(x_arg))

A Hessian or Jacobian with respect to several arguments or a container, of a function with a
``*args`` parameter, with a tuple output (a Jacobian), or an object called with ``*``/``**``
arguments keeps the refusal of :func:`s2s.errors.composite_refusal`, at its line.
"""

from __future__ import annotations

import inspect
from typing import Any

import gast
import numpy as np

from s2s import runtime
from s2s.codegen.walking import inner_nodes
from s2s.frontend.derivcalls import DerivativeCalls
from s2s.frontend.loopitems import located
from s2s.frontend.parse import Primal
from s2s.frontend.resolve import Target, root_value

_KINDS = frozenset({"hvp", "hessian", "jacobian"})
_SCOPES = (gast.Lambda, gast.ListComp, gast.SetComp, gast.DictComp, gast.GeneratorExp)
_DEFS = (gast.FunctionDef, gast.AsyncFunctionDef, gast.ClassDef, gast.Lambda)


def mentions_composite(tree: gast.FunctionDef, func: Any, values: dict[str, Any]) -> bool:
    """Whether ``tree`` may call an ``hvp``, ``hessian`` or ``jacobian`` object: an attribute
    spelled so (``s2s.hvp``), or a name whose global, closure or argument value is one or a
    factory of one (``from s2s import hessian``)."""
    checked: set[str] = set()
    for node in inner_nodes(tree):
        if isinstance(node, gast.Attribute) and node.attr in _KINDS:
            return True
        if isinstance(node, gast.Name) and node.id not in checked:
            checked.add(node.id)
            value = values[node.id] if node.id in values else root_value(func, node.id)[1]
            if getattr(type(value), "__s2s_composite__", None) or isinstance(
                getattr(value, "__s2s_makes__", None), str
            ):
                return True
    return False


def write_composite_calls(primal: Primal, values: dict[str, Any] | None) -> None:
    """Write, in place, each call of an ``hvp``, ``hessian`` or ``jacobian`` object known when
    generating (a global, a closure value, an argument, ``s2s.hessian(f)`` or a local bound
    once to it) as the ``jvp`` calls it stands for (the module docstring). Calls inside a
    lambda, comprehension or nested def are left as they are (refused at their line)."""
    values = values or {}
    if not mentions_composite(primal.tree, primal.func, values):
        return
    writer = _Writer(primal, values)
    writer.body(primal.tree.body)


class _Writer:
    def __init__(self, primal: Primal, values: dict[str, Any]) -> None:
        self.primal = primal
        self.finder = DerivativeCalls(primal.tree, primal.func, None, None, values)
        self.numpy = _numpy_name(primal.func, self.finder.local)

    def body(self, statements: list[gast.stmt]) -> None:
        index = 0
        while index < len(statements):
            stmt = statements[index]
            before: list[gast.stmt] = []
            for field, value in gast.iter_fields(stmt):
                if isinstance(value, list) and value and isinstance(value[0], gast.stmt):
                    self.body(value)
                elif isinstance(value, list) and value and isinstance(value[0], gast.excepthandler):
                    for handler in value:
                        self.body(handler.body)
                elif isinstance(value, gast.expr) and not isinstance(stmt, _DEFS):
                    setattr(stmt, field, self.expression(value, before))
                elif isinstance(value, list) and not isinstance(stmt, _DEFS):
                    value[:] = [self.expression(v, before) if isinstance(v, gast.expr) else v
                                for v in value]  # fmt: skip
            statements[index:index] = before
            index += len(before) + 1

    def expression(self, node: gast.expr, before: list[gast.stmt]) -> gast.expr:
        if isinstance(node, _SCOPES):
            return node
        for field, value in gast.iter_fields(node):
            if isinstance(value, gast.expr):
                setattr(node, field, self.expression(value, before))
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, gast.keyword):
                        item.value = self.expression(item.value, before)
                value[:] = [self.expression(v, before) if isinstance(v, gast.expr) else v
                            for v in value]  # fmt: skip
        if isinstance(node, gast.Call):
            return self.call(node, before) or node
        return node

    def call(self, node: gast.Call, before: list[gast.stmt]) -> gast.expr | None:
        """What stands for ``node``, a call of a composite object, else ``None``."""
        composite = self.finder.derivative(node.func, build=True)
        kind = getattr(type(composite), "__s2s_composite__", None)
        if (
            kind not in _KINDS
            or any(isinstance(a, gast.Starred) for a in node.args)
            or any(k.arg is None for k in node.keywords)
        ):
            return None
        if kind == "hvp":  # hvp(f)(x, v): the tangent of jvp(grad(f))(x, v)
            return located(_item(gast.Call(func=_product(node.func, 0), args=node.args,
                                           keywords=node.keywords), 1), node)  # fmt: skip
        function = composite.function
        parameters = inspect.signature(function).parameters
        if (
            not composite._single
            or self.numpy is None
            or any(p.kind is p.VAR_POSITIONAL for p in parameters.values())
        ):
            return None
        try:
            bound = inspect.signature(function).bind(
                *node.args, **{k.arg: k.value for k in node.keywords}
            )
        except TypeError:  # (the call raises its own error where it runs)
            return None
        name = composite._names[0]
        if name not in bound.arguments or isinstance(bound.arguments[name], gast.Dict):
            return None
        product = runtime.product_of(composite, 0)
        held = self.finder.fresh(f"{name}_arg")  # x evaluated once, before the statement
        before.append(located(_assign(held, bound.arguments[name]), node))
        arguments = dict(bound.arguments)
        arguments[name] = _load(held)
        k = self.finder.fresh("entry")
        direction = gast.Call(func=_runtime("unit_direction"), args=[_load(held), _load(k)],
                              keywords=[])  # fmt: skip
        keywords = [gast.keyword(arg=n, value=v) for n, v in arguments.items()]
        keywords.append(gast.keyword(arg=product._tangent_names[name], value=direction))
        column = _item(gast.Call(func=_product(node.func, 0), args=[], keywords=keywords), 1)
        if kind == "hessian":  # (its jvp is of grad(f, wrt=(name,)), a tuple of one gradient)
            column = _item(column, 0)
        entries = gast.Call(func=self._np("size"), args=[_load(held)], keywords=[])
        loop = gast.comprehension(
            target=gast.Name(id=k, ctx=gast.Store(), annotation=None, type_comment=None),
            iter=gast.Call(func=_load("range"), args=[entries], keywords=[]),
            ifs=[], is_async=0,
        )  # fmt: skip
        columns = gast.ListComp(elt=column, generators=[loop])
        stacked = gast.Call(
            func=self._np("stack"),
            args=[columns],
            keywords=[gast.keyword(arg="axis", value=gast.Constant(-1, None))],
        )
        shape = gast.Call(func=self._np("shape"), args=[_load(held)], keywords=[])
        if kind == "jacobian":  # the columns checked (no tuple output), then y.shape + x.shape
            held_columns = self.finder.fresh("columns")
            before.append(located(_assign(held_columns, columns), node))
            where = self.primal.where(node)
            check = gast.Call(func=_runtime("check_columns"), args=[
                _load(held_columns), gast.Constant(where.filename, None),
                gast.Constant(where.lineno, None)], keywords=[])  # fmt: skip
            before.append(located(gast.Expr(value=check), node))
            held_stack = self.finder.fresh("stacked")
            stacked.args = [_load(held_columns)]
            before.append(located(_assign(held_stack, stacked), node))
            stacked = _load(held_stack)
            shape = gast.Subscript(
                value=gast.Call(func=self._np("shape"), args=[_load(held_stack)], keywords=[]),
                slice=gast.Slice(lower=None, upper=gast.Constant(-1, None), step=None),
                ctx=gast.Load(),
            )
        whole = gast.BinOp(left=shape, op=gast.Add(),
                           right=gast.Call(func=self._np("shape"), args=[_load(held)],
                                           keywords=[]))  # fmt: skip
        return located(gast.Call(func=self._np("reshape"), args=[stacked, whole], keywords=[]),
                       node)  # fmt: skip

    def _np(self, attr: str) -> gast.expr:
        return gast.Attribute(value=_load(self.numpy), attr=attr, ctx=gast.Load())


def _numpy_name(func: Any, local: set[str]) -> str | None:
    """A global name of ``func``'s module bound to numpy (``np``), not rebound in ``func``."""
    for name, value in getattr(func, "__globals__", {}).items():
        if value is np and name not in local:
            return name
    return None


def _product(func: gast.expr, index: int) -> gast.Call:
    return gast.Call(func=_runtime("product_of"), args=[func, gast.Constant(index, None)],
                     keywords=[])  # fmt: skip


def _runtime(attr: str) -> gast.expr:
    owner = _load("_s2s")
    owner.s2s_own = True  # (the fence leaves it: s2s wrote it)
    node = gast.Attribute(value=owner, attr=attr, ctx=gast.Load())
    node.s2s_target = Target(getattr(runtime, attr), "global", "_s2s", (attr,))
    return node


def _load(name: str) -> gast.Name:
    return gast.Name(id=name, ctx=gast.Load(), annotation=None, type_comment=None)


def _item(value: gast.expr, index: int) -> gast.Subscript:
    return gast.Subscript(value=value, slice=gast.Constant(index, None), ctx=gast.Load())


def _assign(name: str, value: gast.expr) -> gast.Assign:
    target = gast.Name(id=name, ctx=gast.Store(), annotation=None, type_comment=None)
    return gast.Assign(targets=[target], value=value, type_comment=None)
