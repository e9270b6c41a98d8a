"""Returned as is: the gradient buffers ``_s2s.gradient`` would hand back unchanged.

A gradient buffer made by ``_s2s.zeros_like_acc(w)`` and written only in place, or computed
as a new array of ``w``'s proven shape and dtype, is already what ``_s2s.gradient`` would
return: a new array of the argument's shape and dtype that shares memory with nothing. The
call is then skipped (``sweeps.as_is``). :func:`private_buffers` finds the accumulation buffers
whose writes change no other name's array (the peephole pass adds into them freely).
"""

from __future__ import annotations

from typing import Any

import gast
import numpy as np

from s2s.codegen.sweeps import Sweeps
from s2s.codegen.walking import inner_nodes, name_list
from s2s.reverse.simplify import Arr, fresh

_ARITHMETIC = (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.Pow)


def returned_as_is(sweeps: Sweeps, wrt: tuple[str, ...], float_arrays: dict[str, Any]) -> None:
    """Mark in ``sweeps.as_is`` the gradient buffers that ``_s2s.gradient`` would hand back
    unchanged, each a new array of its ``wrt`` argument ``w``'s shape and dtype that shares
    memory with nothing (``w`` a numpy float32 or float64 array; ``float_arrays`` maps each
    such ``w`` to its static type): a private buffer made only by ``_s2s.zeros_like_acc(w)``,
    or a name every assignment of which is arithmetic or a ufunc's result proven of ``w``'s
    shape (``ndim >= 1``) and dtype (:mod:`s2s.reverse.simplify`'s fact), changed otherwise
    only in place (``d += e``, ``d[k] = e``)."""
    pairs = list(zip(sweeps.gradients, wrt))
    if any(not isinstance(expr, gast.Name) or w not in float_arrays for expr, w in pairs):
        return  # (only a return of every buffer as is saves the call)
    if len({expr.id for expr, _ in pairs}) != len(pairs):
        return  # one array for two arguments
    made = private_buffers(sweeps)
    rest = {expr.id: float_arrays[w] for expr, w in pairs if made.get(expr.id) != w}
    if not rest or _computed_as(sweeps, rest) == set(rest):
        sweeps.as_is.update(expr.id for expr, _ in pairs)


def _computed_as(sweeps: Sweeps, wanted: dict[str, Any]) -> set[str]:
    """The names of ``wanted`` (name -> the static type of its argument) every assignment of
    which in the sweeps is a new array of that proven shape and dtype, every other write into
    it in place (no other binding: no loop or tuple target, no ``del``)."""
    want = {var: Arr(tuple(k.shape), np.dtype(k.dtype)) for var, k in wanted.items() if k.shape}
    failed: set[str] = set(wanted) - set(want)
    vetted: set[int] = set()  # the Name targets of the assignments and accumulations checked
    bindings: dict[str, list[gast.Name]] = {}
    for block in sweeps.primal + sweeps.adjoint:
        for stmt in block.body:
            for node in inner_nodes(stmt):
                if isinstance(node, gast.Name):
                    if node.id in want and not isinstance(node.ctx, gast.Load):
                        bindings.setdefault(node.id, []).append(node)
                elif isinstance(node, gast.AugAssign) and isinstance(node.target, gast.Name):
                    if node.target.id in want:
                        if not isinstance(node.op, _ARITHMETIC):
                            failed.add(node.target.id)
                        vetted.add(id(node.target))
                elif isinstance(node, gast.Assign):
                    for t in node.targets:  # (a store d[k] = v reads d: in place)
                        if isinstance(t, gast.Name) and t.id in want:
                            fact = getattr(node, "s2s_fact", None)
                            if len(node.targets) != 1 or type(fact) is not Arr or (
                                fact != want[t.id] or not fresh(node.value)
                            ):
                                failed.add(t.id)
                            vetted.add(id(t))
    return {var for var in want if var not in failed and bindings.get(var)
            and all(id(n) in vetted for n in bindings[var])}  # fmt: skip


def private_buffers(sweeps: Sweeps) -> dict[str, str]:
    """Accumulation buffers (``d = _s2s.zeros_like_acc(x)``, every assignment of ``d`` made
    so from the same name ``x``) read only as the target of an in-place addition
    (``d[k] += v``) or of a store (``d[k] = v``) or by the returned gradients, with the name
    each is made from: writing into one changes no other name's array."""
    made: dict[str, str | None] = {}
    other: set[str] = set()

    def visit(body: list[gast.stmt]) -> None:
        for stmt in body:
            if isinstance(stmt, (gast.For, gast.While, gast.If)):
                other.update(name_list(getattr(stmt, "test", None) or stmt.iter))
                other.update(name_list(getattr(stmt, "target", gast.Pass())))
                visit(stmt.body)
                visit(stmt.orelse)
                continue
            if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(
                stmt.targets[0], gast.Name
            ) and is_call(stmt.value, "zeros_like_acc"):
                args = stmt.value.args
                ref = args[0].id if len(args) == 1 and isinstance(args[0], gast.Name) else None
                var = stmt.targets[0].id
                made[var] = ref if made.get(var, ref) == ref else None
                other.update(name_list(stmt.value))
                continue
            if isinstance(stmt, gast.AugAssign) or store_into(stmt):
                other.update(name_list(stmt.value))
                target = stmt.target if isinstance(stmt, gast.AugAssign) else stmt.targets[0]
                while isinstance(target, gast.Subscript):
                    other.update(name_list(target.slice))
                    target = target.value
                if not isinstance(target, gast.Name):
                    other.update(name_list(target))
                continue
            if isinstance(stmt, gast.Delete):
                continue
            other.update(name_list(stmt))

    for block in sweeps.primal + sweeps.adjoint:
        visit(block.body)
    return {v: ref for v, ref in made.items() if v not in other and ref is not None}


def store_into(stmt: gast.stmt) -> bool:
    """``d[key] = v``: a store into an item or a region of a named array (a buffer's first
    write, :mod:`s2s.reverse.simplify`)."""
    return (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], gast.Subscript))  # fmt: skip


def is_call(node: gast.expr, attr: str, module: str = "_s2s") -> bool:
    return (isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute)
            and isinstance(node.func.value, gast.Name) and node.func.value.id == module
            and node.func.attr == attr)  # fmt: skip


def names_in(node: gast.AST) -> set[str]:
    """The ids of the names in ``node``, in any context."""
    return set(name_list(node))
