"""Subcalls: calls to the user's own functions and derivative objects, tuple arguments' items,
and the undefined markers ``undefined_grad`` makes, in the forward sweep.

A call to the user's own function goes through its sub-derivative with the tangents first,
``y, y_dot = _s2s.jvp_of(g, ("a",))(a_dot, a, b)``, which generated code differentiated again
can call in turn; an undefined tangent among its arguments skips the sub-derivative.
"""

from __future__ import annotations

from typing import Any

import gast

from s2s.codegen.helpers import function_and_owner, helper_name
from s2s.codegen.ir import Stmt, atom_names
from s2s.codegen.sweeps import assign, call, primal_statement
from s2s.codegen.templating import constant, name
from s2s.codegen.walking import copy_tree
from s2s.forward.rules import is_not_none, literal_tangent
from s2s.forward.state import DENSE, MAYBE


def items_statement(sweep: Any, stmt: Stmt) -> list[gast.stmt]:
    """``p_0, p_1 = p`` for a tuple argument: its tangent is a tuple of the items'."""
    out: list[gast.stmt] = [primal_statement(stmt)]
    source = sweep.tangent_of(stmt.args[0])
    names = [sweep.dot.setdefault(t, sweep.names.fresh(t + "_dot")) for t in stmt.targets]
    store = gast.Tuple(elts=[gast.Name(n, gast.Store(), None, None) for n in names],
                       ctx=gast.Store())  # fmt: skip
    value = copy_tree(source.expr)
    if isinstance(value, gast.Name):  # indexed: code differentiated again unpacks no tuple name
        value = _items(value.id, len(names))
    out.append(gast.Assign(targets=[store], value=value, type_comment=None))
    for target in stmt.targets:
        sweep.state.set(target, DENSE)
    return out


def undefined_origin(sweep: Any, stmt: Stmt) -> list[gast.stmt]:
    """``y = undefined_grad(x, reason)``: y's tangent is a new marker where x has one."""
    out: list[gast.stmt] = [primal_statement(stmt)]
    source = sweep.tangent_of(stmt.args[0])
    target = stmt.targets[0]
    var = atom_names(stmt.args[0])[0]
    reason = stmt.args[1] if len(stmt.args) > 1 else stmt.kwargs.get("reason")
    marker = call(
        "_s2s.undefined",
        constant("undefined_grad"),
        constant("" if var in sweep.ir.temporaries else sweep.ir.original.get(var, var)),
        copy_tree(reason) if reason is not None else constant("declared undefined"),
        constant(sweep.primal.filename),
        constant(getattr(stmt.node, "lineno", 0)),
    )
    if target not in sweep.dot:
        return out
    if source.maybe:
        out.append(assign(sweep.dot[target], constant(None)))
        out.append(gast.If(test=is_not_none(source.guard),
                           body=[assign(sweep.dot[target], marker)], orelse=[]))  # fmt: skip
        sweep.state.set(target, MAYBE)
    else:
        out.append(assign(sweep.dot[target], marker))
        sweep.state.set(target, DENSE)
    sweep.state.undefined.add(target)
    return out


def call_statement(sweep: Any, stmt: Stmt, binding: Any) -> list[gast.stmt]:
    """A call to the user's own function (a nested def, a derivative object): its value and
    tangent from its sub-derivative, ``y, y_dot = _s2s.jvp_of(g, ("a",))(a_dot, a, b)``
    (the tangents first). An undefined tangent among them skips the sub-derivative."""
    wrt, tangents, carrying = [], [], []
    for param in binding.active_params:
        atom = binding.arguments[param]
        found = literal_tangent(atom, sweep.tangent_of)
        if found is None:
            continue
        wrt.append(constant(param))
        if _tupled(stmt.expr, atom):  # a local list passed as a tuple: its tangents too
            found = gast.Call(func=gast.Name("tuple", gast.Load(), None, None), args=[found],
                              keywords=[])  # fmt: skip
        tangents.append(found)
        carrying += [sweep.dot[n] for n in atom_names(atom)
                     if n in sweep.dot and n in sweep.state.undefined]  # fmt: skip
    expr = stmt.expr
    helper = None
    if not sweep.functional:  # jvp_softplus(z_dot, z); code differentiated again: as written
        own = "jvp_" + ("lambda" if sweep.ir.name == "<lambda>" else sweep.ir.name)
        helper = helper_name(sweep.helpers, sweep.names, sweep.primal.func, expr.func,
                             binding.callee, tuple(w.value for w in wrt), "jvp_of", "jvp_",
                             own)  # fmt: skip
    if helper is None and not sweep.functional and isinstance(expr.func, gast.Name):
        local = sweep.local_helpers.get(expr.func.id, {})  # a nested def's, bound after it
        helper = local.get(tuple(w.value for w in wrt))
    owner: list[gast.expr] = []
    if helper is not None:
        derivative = name(helper)
    else:  # code differentiated again calls a method's plain function, its owner passed
        function = copy_tree(expr.func)
        if sweep.functional:
            function, owner = function_and_owner(expr.func, binding.callee)
        derivative = call("_s2s.jvp_of", function, gast.Tuple(elts=wrt, ctx=gast.Load()))
    value = gast.Call(func=derivative, args=tangents + owner + copy_tree(expr.args),
                      keywords=copy_tree(expr.keywords))  # fmt: skip
    names = [sweep.dot.setdefault(t, sweep.names.fresh(t + "_dot")) for t in stmt.targets]

    def store(ids: list[str], packed: bool) -> gast.expr:
        if not packed:
            return gast.Name(ids[0], gast.Store(), None, None)
        return gast.Tuple(elts=[gast.Name(i, gast.Store(), None, None) for i in ids],
                          ctx=gast.Store())  # fmt: skip

    for target in stmt.targets:
        sweep.state.set(target, DENSE)
    if stmt.unpack:  # one level at a time: code differentiated again unpacks no nested tuple
        packed = [sweep.names.fresh(stmt.targets[0] + "_all"),
                  sweep.names.fresh(names[0] + "_all")]  # fmt: skip
        pair = gast.Tuple(elts=[store([packed[0]], False), store([packed[1]], False)],
                          ctx=gast.Store())  # fmt: skip
        nodes = [gast.Assign(targets=[pair], value=value, type_comment=None),
                 gast.Assign(targets=[store(list(stmt.targets), True)],
                             value=_items(packed[0], len(stmt.targets)), type_comment=None),
                 gast.Assign(targets=[store(names, True)], value=_items(packed[1], len(names)),
                             type_comment=None)]  # fmt: skip
    else:
        pair = gast.Tuple(elts=[store(list(stmt.targets), False), store(names, False)],
                          ctx=gast.Store())  # fmt: skip
        nodes = [gast.Assign(targets=[pair], value=value, type_comment=None)]
    if not carrying:
        return nodes
    marker = sweep.names.fresh("marker", always_number=True)
    when_marker: list[gast.stmt] = [primal_statement(stmt)]
    for target, tangent in zip(stmt.targets, names):
        step = constant(sweep.step(target, stmt.node))
        when_marker.append(assign(tangent, call("_s2s.through", name(marker), step)))
        sweep.state.undefined.add(target)
    sweep.maybe_reads.update(carrying)
    return [assign(marker, call("_s2s.undefined_in", *[name(c) for c in carrying])),
            gast.If(test=is_not_none(marker), body=when_marker, orelse=nodes)]  # fmt: skip


def _items(packed: str, n: int) -> gast.Tuple:
    """``packed[0], packed[1], ...``: a returned tuple's items, each indexed."""
    return gast.Tuple(elts=[gast.Subscript(value=name(packed), slice=constant(i),
                                           ctx=gast.Load()) for i in range(n)],
                      ctx=gast.Load())  # fmt: skip


def _tupled(expr: gast.Call, atom: Any) -> bool:
    """Whether the call passes ``atom`` (a local list) as ``tuple(atom)``."""
    for arg in list(expr.args) + [k.value for k in expr.keywords]:
        if (
            isinstance(arg, gast.Call)
            and isinstance(arg.func, gast.Name)
            and arg.func.id == "tuple"
            and isinstance(atom, gast.Name)
            and len(arg.args) == 1
            and isinstance(arg.args[0], gast.Name)
            and arg.args[0].id == atom.id
        ):
            return True
    return False
