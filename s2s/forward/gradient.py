"""A gradient with respect to one real scalar, written as a forward sweep.

``grad`` of a derivative (higher order) with respect to one real scalar ``x`` is the output's
tangent when ``x``'s tangent is 1: one forward sweep, no tape. Reversing a derivative instead
tapes that derivative's own tape, and its code grows 7-11 times per order on a loop with a
branch (``grad`` four times: 18 s and 820 KB of source; each order above the first forward:
0.8 s and 100 KB). The pipeline chooses this form (``pipeline._by_forward_sweep``); this
module writes what such a ``grad`` returns, and tells where the reverse sweep must stay.
"""

from __future__ import annotations

import types

import gast

from s2s.codegen.sweeps import call
from s2s.codegen.templating import constant, name
from s2s.codegen.walking import copy_tree, walk
from s2s.frontend.parse import Primal

GRADIENT_TITLES = {"grad": "Gradient", "value_and_grad": "Value and gradient"}
_MAKERS = ("subderivative", "jvp_of", "pullback_of")  # s2s.runtime's derivatives of helpers
_CONTAINERS = (gast.List, gast.Tuple, gast.Dict, gast.ListComp, gast.DictComp, gast.Set)


def gradient_result(
    result: gast.Tuple, x: str, mode: str, single: bool, primal: Primal, return_lines: list[int]
) -> tuple[gast.stmt, gast.expr]:
    """The output's scalar check and what a ``grad`` (``mode``) of the one real scalar ``x``
    returns, from the sweep's ``(value, tangent)``: the tangent with ``x``'s type, as the
    reverse sweep's ``_s2s.gradient(d_x, x, (x,))`` (zero where no tangent reaches the output;
    in a 1-tuple unless ``single``; after the value for ``value_and_grad``)."""
    value, tangent = result.elts
    if len(return_lines) > 1:  # several returns: name them all, at the def line
        lines = gast.Tuple(elts=[constant(n) for n in return_lines], ctx=gast.Load())
        where = [constant(primal.filename), constant(primal.tree.lineno), lines]
    else:
        where = [constant(primal.filename), constant((return_lines or [primal.tree.lineno])[0])]
    check = gast.Expr(value=call("_s2s.check_scalar", copy_tree(value), *where))
    part: gast.expr = constant(None)  # no tangent reaches it (or several outputs: refused)
    if _runtime_call(tangent, ("gradient",)):
        part = tangent.args[0]
    protect = gast.Tuple(elts=[name(x)], ctx=gast.Load())
    grads: gast.expr = call("_s2s.gradient", part, name(x), protect)
    if not single:
        grads = gast.Tuple(elts=[grads], ctx=gast.Load())
    if mode == "value_and_grad":
        return check, gast.Tuple(elts=[value, grads], ctx=gast.Load())
    return check, grads


def passes_containers(tree: gast.FunctionDef, func: types.FunctionType) -> bool:
    """Whether the derivative's code ``tree`` calls a derivative of a helper with a list, tuple
    or dict (``_s2s.pullback_of(scaled, ('p', 'x'))(ct, [x, y], x)``). Its forward sweep would
    call a JVP of that derivative with the container, and a derivative of such a JVP with
    respect to a container is refused (s2s/argtrees.py): the next order could not be taken,
    where reverse over reverse can. Such code keeps the reverse sweep."""
    made = set()  # names bound to a container this code builds
    helpers = {v for v, cell in zip(func.__code__.co_freevars, func.__closure__ or ())
               if getattr(_contents(cell), "__s2s_derivative__", False)}  # fmt: skip
    calls = []
    for node in walk(tree):
        if isinstance(node, gast.Assign) and isinstance(node.value, _CONTAINERS):
            made |= {t.id for t in node.targets if isinstance(t, gast.Name)}
        elif isinstance(node, gast.Assign) and _runtime_call(node.value, _MAKERS):
            helpers |= {t.id for t in node.targets if isinstance(t, gast.Name)}
        elif isinstance(node, gast.Call):
            calls.append(node)
    for node in calls:
        callee = node.func
        named = isinstance(callee, gast.Name) and callee.id in helpers
        if not (named or _runtime_call(callee, _MAKERS)):
            continue
        for value in [*node.args, *(k.value for k in node.keywords)]:
            if isinstance(value, (*_CONTAINERS, gast.Starred)):
                return True
            if isinstance(value, gast.Name) and value.id in made:
                return True
    return False


def _contents(cell: types.CellType) -> object:
    try:
        return cell.cell_contents
    except ValueError:  # an empty cell
        return None


def _runtime_call(node: gast.AST, attrs: tuple[str, ...]) -> bool:
    """``_s2s.<attr>(...)`` for one of ``attrs``."""
    func = getattr(node, "func", None)
    return (isinstance(node, gast.Call) and isinstance(func, gast.Attribute)
            and func.attr in attrs and isinstance(func.value, gast.Name)
            and func.value.id == "_s2s")  # fmt: skip
