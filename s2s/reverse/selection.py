"""Selection masks: cotangent entries that are zero because a selection did not pick them.

Before: ``np.maximum`` selects one operand per entry; after, the cotangent goes to the entries
that were selected:

>>> import numpy as np, s2s
>>> def r(x):
...     return np.sum(np.maximum(x, 0.0))
>>> [line.strip() for line in s2s.grad(r).source.splitlines() if "share" in line]
['d_x = _s2s.maximum_share(d_maximum_1, x, 0.0)']
"""

from __future__ import annotations

from typing import Any

import gast
import numpy as np

from s2s import registry
from s2s.codegen.ir import atom_names
from s2s.codegen.sweeps import assign, call, live_locals
from s2s.codegen.templating import (
    Contribution,
    constant,
    instantiate,
    name,
    partials,
    slice_to_call,
)
from s2s.codegen.walking import copy_tree


class SelectionMasks:
    """Mask tracking for :class:`s2s.reverse.sweep.ReverseBuilder` (DESIGN 8).

    Masks start at selections (``where``, ``maximum``, ``clip``, indexing), pass through
    elementwise, broadcast, reshape, transpose and indexing adjoints, and end at matmul,
    reductions and linalg. Elementwise adjoints with singular partials (``sqrt`` at 0) set
    masked entries to exactly zero, so an unselected ``inf * 0`` never becomes ``nan``.
    """

    def mask_of(self, var: str, out: list[gast.stmt]) -> gast.expr | None:
        """Where ``var``'s finished cotangent is zero by selection: every contribution's mask
        holds (``None`` when some contribution carries no mask)."""
        masks = self.zero_masks.get(var, [])
        if not masks or any(m is None for m in masks):
            return None
        combined = masks[0]
        for other in masks[1:]:
            combined = call("_s2s.both", combined, other)
        if isinstance(combined, gast.Name):
            return combined
        mask = self.names.fresh("mask", always_number=True)
        node = assign(mask, combined)
        node.s2s_pure = True  # dropped where no partial reads it (a proven shape needs none)
        out.append(node)
        return name(mask)

    def elementwise_adjoint(self, stmt, binding, output, g, result_type, mask) -> list:
        """``d_x = g * partial`` per active input; under a selection mask, singular partials
        are computed under ``np.errstate`` and the unselected entries set to exactly zero."""
        rule = binding.rule
        out: list[gast.stmt] = []
        guarded = False
        inputs = [p for p in rule.parsed().params if p not in rule.structural]
        pairs = list(zip(inputs, partials(rule, binding.arguments, output)))
        if _squared(rule, binding, mask):  # x * x: one contribution g * (x + x), not two
            pairs = [(pairs[0][0], gast.BinOp(left=pairs[0][1], op=gast.Add(), right=pairs[1][1]))]
        for param, partial in pairs:
            if param not in binding.active_params:
                continue
            atom = binding.arguments[param]
            contribution = _times(g, partial)
            if isinstance(atom, (gast.Tuple, gast.List)):  # np.tanh((a, b)): item by item
                parts = self.names.fresh("parts", always_number=True)
                literal = copy_tree(atom)
                out.append(assign(parts, call("_s2s.unliteral", contribution, literal)))
                self._contribute_items(list(atom.elts), name(parts), result_type, out, None)
                continue
            var = atom_names(atom)[0]
            if mask is not None and rule.singular:
                if not _is_constant(partial):
                    contribution = call("_s2s.masked", copy_tree(mask), contribution)
                    guarded = True
            input_mask = copy_tree(mask)
            if not self._same_shape_and_dtype(var, stmt, result_type):
                contribution = self.summed_onto(var, contribution, result_type)
                if mask is not None:
                    input_mask = call("_s2s.unbroadcast_mask", input_mask, name(var))
            self.accumulate(var, contribution, out, input_mask)
        if guarded and not getattr(self, "functional", False):  # unselected inf or nan: no warning
            errstate = gast.Call(
                func=gast.Attribute(value=name("_np"), attr="errstate", ctx=gast.Load()),
                args=[],
                keywords=[gast.keyword(arg="all", value=constant("ignore"))],
            )
            item = gast.withitem(context_expr=errstate, optional_vars=None)
            return [gast.With(items=[item], body=out, type_comment=None)]
        return out

    def summed_onto(self, var: str, contribution: gast.expr, result_type: Any) -> gast.expr:
        """``contribution`` (of the result's shape) projected onto ``var``: with proven shapes
        of one dtype that differ by leading axes (``_np.sum(c, axis=0)``) or by stretched
        size-1 axes (``_np.sum(c, axis=1, keepdims=True)``), the sum written out; otherwise
        ``_s2s.unbroadcast``, which finds the axes at run time."""
        known = self.activity.types.get(var)
        shape, result = getattr(known, "shape", None), result_type.shape
        same_dtype = known is not None and known.dtype is not None
        same_dtype = same_dtype and result_type.dtype is not None
        same_dtype = same_dtype and known.dtype == result_type.dtype and known.dtype.char != "e"
        if shape is None or result is None or len(result) < len(shape) or not same_dtype:
            return call("_s2s.unbroadcast", contribution, name(var))
        lead = len(result) - len(shape)
        stretched = [lead + i for i, n in enumerate(shape) if n == 1 and result[lead + i] != 1]
        kept = all(n == result[lead + i] for i, n in enumerate(shape) if lead + i not in stretched)
        if not kept or (lead and stretched) or not (lead or stretched):
            return call("_s2s.unbroadcast", contribution, name(var))
        axes = list(range(lead)) or stretched  # leading axes go, stretched ones stay as 1
        axis = (
            constant(axes[0])
            if len(axes) == 1
            else gast.Tuple(elts=[constant(i) for i in axes], ctx=gast.Load())
        )
        summed = call("_np.sum", contribution)
        summed.keywords = [gast.keyword(arg="axis", value=axis)]
        if stretched:
            summed.keywords.append(gast.keyword(arg="keepdims", value=constant(True)))
        return summed

    def selection_masks(self, atom, c: Contribution, mask):
        """The mask a selection rule declares (``zero_where``) or indexing implies, joined with
        the mask of the cotangent it routes."""
        if isinstance(atom, tuple) or isinstance(atom, (gast.List, gast.Tuple)):
            return None
        var = atom_names(atom)[0]
        if var in self.ir.lists or var in getattr(self, "call_results", ()):
            return None  # a list's (or a call's tuple's) cotangent is one part per item
        if self.activity.types.get(var) is not None and self.activity.types[var].kind == "tuple":
            return None
        if c.zero_where is not None:
            own = c.zero_where if mask is None else call("_s2s.either", c.zero_where, mask)
            return call("_s2s.unbroadcast_mask", own, name(var))
        if c.key is not None:
            keep = [call("_s2s.kept", copy_tree(mask))] if mask is not None else []
            key = slice_to_call(copy_tree(c.key))
            return call("_s2s.unindexed", name(var), key, *keep)
        return None

    def carried_masks(self, rule, binding, outputs, mask, kept, out) -> dict[str, Any]:
        """Masks carried through a linear rule: its transpose applied to the kept entries is
        zero exactly where the input's cotangent is zero by selection."""
        if rule.kind != registry.LINEAR or not rule.carries_masks:
            return {}
        params = {c.param for c in kept if c.key is None and c.zero_where is None}
        if not params:
            return {}
        keep = self.names.fresh("keep", always_number=True)
        statements, contributions = instantiate(
            rule, binding.arguments, outputs, [name(keep)], self.names
        )
        chosen = [c for c in contributions if c.param in params and c.key is None]
        if not chosen:
            return {}
        out.append(assign(keep, call("_s2s.kept", copy_tree(mask))))
        out.extend(live_locals(statements, [c.expr for c in chosen]))
        carried: dict[str, Any] = {}
        for c in chosen:
            if c.sequence or isinstance(binding.arguments[c.param], (tuple, gast.List, gast.Tuple)):
                parts = self.names.fresh("kept_parts", always_number=True)
                out.append(assign(parts, c.expr))
                carried[c.param] = [
                    call(
                        "_s2s.zero_entries",
                        gast.Subscript(value=name(parts), slice=constant(i), ctx=gast.Load()),
                    )
                    for i in range(_count(binding.arguments[c.param]))
                ]
            else:
                carried[c.param] = call("_s2s.zero_entries", c.expr)
        return carried


def _is_constant(node: gast.expr) -> bool:
    if isinstance(node, gast.UnaryOp):
        node = node.operand
    return isinstance(node, gast.Constant)


def _count(atom: Any) -> int:
    return len(atom) if isinstance(atom, tuple) else len(atom.elts)


def _squared(rule: registry.Rule, binding: Any, mask: Any) -> bool:
    """``x * x`` of one active name: its two partials go to ``x`` as one sum (``2x`` exactly)."""
    if rule.primal is not np.multiply or mask is not None or len(binding.active_params) != 2:
        return False
    atoms = list(binding.arguments.values())
    return (
        len(atoms) == 2
        and all(isinstance(a, gast.Name) for a in atoms)
        and atoms[0].id == atoms[1].id
    )


def _times(g: gast.expr, partial: gast.expr) -> gast.expr:
    if isinstance(partial, gast.Constant) and partial.value == 1:
        return copy_tree(g)
    if isinstance(partial, gast.UnaryOp) and isinstance(partial.op, gast.USub):
        if isinstance(partial.operand, gast.Constant) and partial.operand.value == 1:
            return gast.UnaryOp(op=gast.USub(), operand=copy_tree(g))
    return gast.BinOp(left=copy_tree(g), op=gast.Mult(), right=partial)
