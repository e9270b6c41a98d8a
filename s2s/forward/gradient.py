"""A gradient with respect to one real scalar, written as a forward sweep.

``grad`` of a derivative (higher order) with respect to one real scalar ``x`` is the output's
tangent when ``x``'s tangent is 1: one forward sweep, no tape. Reversing a derivative instead
tapes that derivative's own tape, and its code grows 7-11 times per order on a loop with a
branch (``grad`` four times: 18 s and 820 KB of source; each order above the first forward:
0.8 s and 100 KB). The pipeline chooses this form (``pipeline._by_forward_sweep``); this
module writes what such a ``grad`` returns.
"""

from __future__ import annotations

import gast

from s2s.codegen.sweeps import call
from s2s.codegen.templating import constant, name
from s2s.codegen.walking import copy_tree
from s2s.frontend.parse import Primal

GRADIENT_TITLES = {"grad": "Gradient", "value_and_grad": "Value and gradient"}


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


def _runtime_call(node: gast.AST, attrs: tuple[str, ...]) -> bool:
    """``_s2s.<attr>(...)`` for one of ``attrs``."""
    func = getattr(node, "func", None)
    return (isinstance(node, gast.Call) and isinstance(func, gast.Attribute)
            and func.attr in attrs and isinstance(func.value, gast.Name)
            and func.value.id == "_s2s")  # fmt: skip
