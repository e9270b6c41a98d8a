"""Adjoints: the adjoint block of one statement, from its rule's template.

A statement's rule gives one contribution per active input (an elementwise rule its partials,
others an instantiated template); each is projected onto its input's shape and dtype where
that is not proven, and added into the input's buffer. A rule's locals that read only primal
values move to the primal sweep.

Before: ``np.tanh``'s rule reads its output; after, the contribution to ``x``:

>>> import numpy as np, s2s
>>> def t(x):
...     return np.sum(np.tanh(x))
>>> [line.strip() for line in s2s.grad(t).source.splitlines() if line.strip().startswith("d_x")]
['d_x = d_tanh_1 * (1 - tanh_1 * tanh_1)']
"""

from __future__ import annotations

from typing import Any

import gast
import numpy as np

from s2s import registry, runtime
from s2s.analysis.dtypes import VType
from s2s.codegen.emit import user_location
from s2s.codegen.ir import COPY, ITEMS, Stmt, atom_names, is_literal
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
from s2s.proven import variant_for
from s2s.reverse.buffers import Accumulation
from s2s.reverse.calls import UserCalls
from s2s.reverse.markers import MarkerPaths, inputs_of
from s2s.reverse.selection import SelectionMasks
from s2s.reverse.state import SweepState, makes_parts


class StatementAdjoints:
    """The adjoint of one statement of the normal form (a rule's, a copy's, a tuple
    parameter's items', a call of the user's function), guarded by ``markers`` where an output
    cotangent may be a marker or ``None``, under the selection ``masks`` of its cotangent, added
    into the inputs' ``buffers``."""

    def __init__(self, state: SweepState, buffers: Accumulation, masks: SelectionMasks,
                 markers: MarkerPaths, calls: UserCalls):  # fmt: skip
        self.state = state
        self.buffers = buffers
        self.masks = masks
        self.markers = markers
        self.calls = calls

    def adjoint_of(self, index: int, stmt: Stmt) -> list[gast.stmt]:
        """The adjoint block of one statement; where an output cotangent may be undefined, the
        block first checks for a marker and sends it on to the inputs."""
        st = self.state
        targets = list(stmt.targets)
        if not any(st.count.get(t, 0) for t in targets):
            return []  # every output cotangent is a symbolic zero: nothing to do
        if stmt.op is ITEMS:
            return self.items_adjoint(stmt)
        if stmt.op is runtime.undefined_grad:
            return self.markers.undefined_origin(index, stmt)
        present = [t for t in targets if st.count.get(t, 0)]
        optional = [t for t in present if t in st.maybe_none]
        if optional and len(optional) == len(present):
            return self.markers.guarded_adjoint(index, stmt, optional, self.dense_adjoint)
        return self.markers.checked_adjoint(index, stmt, self.dense_adjoint)

    def dense_adjoint(self, index: int, stmt: Stmt) -> list[gast.stmt]:
        """The adjoint without a marker check: a copy's, a call's (its pullback), or the
        rule's contributions, each under the selection mask its input's cotangent gets."""
        st = self.state
        out: list[gast.stmt] = []
        active = st.activity.active
        targets = list(stmt.targets)
        mask = self.masks.mask_of(targets[0], out) if len(targets) == 1 else None
        if stmt.op is COPY:
            source = atom_names(stmt.args[0])[0]
            if source in active:
                self.buffers.accumulate(source, name(st.adjoint_names[targets[0]]), out, mask)
            return out
        binding = st.activity.bindings[index]
        if binding.callee is not None:
            return out + self.calls.adjoint(stmt, binding)
        rule = binding.rule
        outputs = [name(t) for t in targets]
        out_adjoints = [
            name(st.adjoint_names[t]) if st.count.get(t, 0) else None for t in targets
        ]
        result_type = st.activity.types.get(targets[0], VType()) if targets else VType()
        if rule.kind == registry.ELEMENTWISE:
            return out + self.elementwise_adjoint(
                stmt, binding, outputs[0], out_adjoints[0], result_type, mask
            )
        chosen = variant_for(rule, binding.arguments, st.activity.types)  # proven shapes
        statements, contributions = instantiate(
            chosen, binding.arguments, outputs, out_adjoints, st.names
        )
        kept = [c for c in contributions if c.param in binding.active_params]
        if rule.may_be_undefined:
            st.undefined.update(inputs_of(st, index, stmt))
        roots = [c.expr for c in kept] + [c.key for c in kept if c.key is not None]
        out.extend(self.hoist(index, live_locals(statements, roots)))
        carried = self.masks.carried_masks(rule, binding, outputs, mask, kept, out) if mask else {}
        for contribution in kept:
            atom = binding.arguments[contribution.param]
            if rule.may_be_undefined:  # a helper may return a marker: tell it where it is
                names = atom_names(atom) if not isinstance(atom, tuple) else []
                argument = names[0] if names and names[0] not in st.ir.temporaries else ""
                where = user_location(st.primal.filename, getattr(stmt.node, "lineno", 0))
                contribution.expr = call(
                    "_s2s.locate",
                    contribution.expr,
                    constant(rule.name),
                    constant(st.ir.original.get(argument, argument)),
                    constant(where[0]),
                    constant(where[1]),
                )
            masks = carried.get(contribution.param) or self.masks.selection_masks(
                atom, contribution, mask
            )
            self._contribute(atom, contribution, result_type, out, masks)
        return out

    def items_adjoint(self, stmt: Stmt) -> list[gast.stmt]:
        """``p_0, p_1 = p`` for a tuple argument ``p``: its cotangent is the list of its
        items' cotangents (``None`` for an item that got none), added item by item."""
        st = self.state
        out: list[gast.stmt] = []
        param = atom_names(stmt.args[0])[0]
        if param not in st.adjoint_names:
            return out
        parts = [
            name(st.adjoint_names[t]) if st.count.get(t, 0) and t in st.adjoint_names
            else constant(None)
            for t in stmt.targets
        ]  # fmt: skip
        st.maybe_none.add(param)  # a list: _s2s.add adds it item by item
        self.buffers.accumulate(param, call("_s2s.item_cotangents", *parts), out, may_be_none=True)
        return out

    def _contribute(
        self, atom: Any, c: Contribution, result_type: VType, out: list, masks: Any = None
    ) -> None:
        st = self.state
        if c.key is not None and isinstance(atom, (gast.List, gast.Tuple)):  # (a, b)[i]
            self._contribute_at(list(atom.elts), c, out)
            return
        if c.sequence or isinstance(atom, tuple) or isinstance(atom, (gast.List, gast.Tuple)):
            elements = list(atom) if isinstance(atom, tuple) else list(atom.elts)
            parts = st.names.fresh("parts", always_number=True)
            out.append(assign(parts, c.expr))
            self._contribute_items(elements, name(parts), result_type, out, masks)
            return
        var = atom_names(atom)[0]
        if c.key is not None:
            self.buffers.scatter(var, c.key, c.expr, out, masks)
        else:
            self.buffers.accumulate(var, self._project(var, c.expr, result_type), out, masks)

    def _contribute_at(self, elements: list, c: Contribution, out: list) -> None:
        """``(a, b)[i]`` is one of the items (which one, known at run time): the item at ``i``
        gets the cotangent as it is, the others none (``None``)."""
        st = self.state
        parts = st.names.fresh("parts", always_number=True)
        key = slice_to_call(copy_tree(c.key))
        out.append(assign(parts, call("_s2s.item_at", c.expr, key, constant(len(elements)))))
        for j, element in enumerate(elements):
            if isinstance(element, gast.Name) and element.id in st.activity.active:
                part = gast.Subscript(value=name(parts), slice=constant(j), ctx=gast.Load())
                st.maybe_none.add(element.id)
                self.buffers.accumulate(element.id, part, out, may_be_none=True)

    def _contribute_items(
        self, elements: list, parts: gast.expr, result_type: VType, out: list, masks: Any,
        nested: bool = False,
    ) -> None:
        """Send ``parts[i]`` to the i-th item of a literal; an item that is itself a literal
        (``np.array([[a, b], [c, d]])``) sends ``_s2s.item_of(parts[i], j)`` to its j-th
        item, and so on: a part of parts may be ``None`` (no cotangent: code differentiated
        again gives the part ``((a,), b, c)`` of a pullback's cotangent as ``None``, grad
        seven times through a helper)."""
        st = self.state
        for i, element in enumerate(elements):
            if nested:
                part: gast.expr = call("_s2s.item_of", copy_tree(parts), constant(i))
            else:
                part = gast.Subscript(value=copy_tree(parts), slice=constant(i), ctx=gast.Load())
            if isinstance(element, (gast.List, gast.Tuple)):
                self._contribute_items(list(element.elts), part, result_type, out, None, True)
                continue
            names = atom_names(element)
            if isinstance(element, gast.Name) and names[0] in st.activity.active:
                part_mask = masks[i] if isinstance(masks, list) else None
                projected = self._project(names[0], part, result_type)
                self.buffers.accumulate(names[0], projected, out, part_mask, nested)

    def _project(self, var: str, expr: gast.expr, result_type: VType) -> gast.expr:
        """Cast a rule's contribution to ``var``'s accumulator dtype unless it provably has it."""
        st = self.state
        var_type = st.activity.types.get(var, VType())
        if var_type.dtype is not None and result_type.dtype is not None:
            if runtime.acc_dtype(var_type.dtype) == runtime.acc_dtype(result_type.dtype):
                return expr
        if _is_unbroadcast_onto(expr, var) or var in st.ir.lists or makes_parts(expr):
            return expr  # already projected, or a list's cotangent (one part per item)
        return call("_s2s.unbroadcast", expr, name(var))

    def _same_shape_and_dtype(self, var: str, stmt: Stmt, result_type: VType) -> bool:
        """True when an elementwise contribution needs no unbroadcast (a lone operand)."""
        st = self.state
        types = st.activity.types
        var_type = types.get(var, VType())
        proven = var_type.shape is not None and var_type.shape == result_type.shape
        operands = [*stmt.args, *stmt.kwargs.values()]  # keywords broadcast too (loc=m)
        for other in [] if proven else operands:  # shapes proven equal: nothing broadcast
            names = atom_names(other)
            if names == [var] or is_literal(other):
                continue
            if len(names) == 1 and types.get(names[0], VType()).array is False:
                continue  # a scalar operand cannot grow the result's shape
            return False
        if var_type.dtype is None or result_type.dtype is None:
            return False
        return runtime.acc_dtype(var_type.dtype) == runtime.acc_dtype(result_type.dtype)

    def elementwise_adjoint(self, stmt, binding, output, g, result_type, mask) -> list:
        """``d_x = g * partial`` per active input; under a selection mask, singular partials
        are computed under ``np.errstate`` and the unselected entries set to exactly zero."""
        st = self.state
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
                parts = st.names.fresh("parts", always_number=True)
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
            self.buffers.accumulate(var, contribution, out, input_mask)
        if guarded:  # unselected inf or nan: no warning (differentiated again: nor there)
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
        st = self.state
        known = st.activity.types.get(var)
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


    def hoist(self, index: int, statements: list[gast.Assign]) -> list[gast.Assign]:
        """Move a rule's locals that read only primal values (a max's tie mask) into the primal
        sweep, right after the statement: the smallest by-product is kept, so the statement's
        inputs can be freed before the adjoint sweep. Only from a statement run once (at the top
        level of the function: in a loop a saved local would need the tape too). Returns the
        locals that stay."""
        st = self.state
        if index not in st.primal_nodes:
            return statements  # in a branch or loop
        adjoint_names = set(st.adjoint_names.values())
        staying: list[gast.Assign] = []
        moved: list[gast.Assign] = []
        for local in statements:
            reads = set(atom_names(local.value))
            if reads & adjoint_names or reads & {s.targets[0].id for s in staying}:
                staying.append(local)
            else:
                moved.append(local)
        if moved:
            block, node = st.primal_nodes[index]
            position = block.body.index(node) + 1
            block.body[position:position] = moved
        return staying


def _is_constant(node: gast.expr) -> bool:
    if isinstance(node, gast.UnaryOp):
        node = node.operand
    return isinstance(node, gast.Constant)


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
    """``g * partial``; a partial ``1 / e`` (``np.log``'s, a quotient's) gives ``g / e``: one
    pass instead of two, rounded once (``1 / e`` and the product round twice), the same dtype
    (a true division's result type does not depend on the ``1``)."""
    if isinstance(partial, gast.Constant) and partial.value == 1:
        return copy_tree(g)
    if isinstance(partial, gast.UnaryOp) and isinstance(partial.op, gast.USub):
        if isinstance(partial.operand, gast.Constant) and partial.operand.value == 1:
            return gast.UnaryOp(op=gast.USub(), operand=copy_tree(g))
    if isinstance(partial, gast.BinOp) and isinstance(partial.op, gast.Div) and (
        isinstance(partial.left, gast.Constant) and type(partial.left.value) is int
        and partial.left.value == 1
    ):  # fmt: skip
        return gast.BinOp(left=copy_tree(g), op=gast.Div(), right=partial.right)
    return gast.BinOp(left=copy_tree(g), op=gast.Mult(), right=partial)


def _is_unbroadcast_onto(expr: gast.expr, var: str) -> bool:
    return (
        isinstance(expr, gast.Call)
        and isinstance(expr.func, gast.Attribute)
        and expr.func.attr == "unbroadcast"
        and isinstance(expr.func.value, gast.Name)
        and expr.func.value.id == "_s2s"
        and len(expr.args) == 2
        and isinstance(expr.args[1], gast.Name)
        and expr.args[1].id == var
    )
