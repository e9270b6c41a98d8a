"""Reverse: the primal sweep, then the adjoint sweep in reverse order, accumulating into buffers.

Before: ``x`` is read by ``np.sin`` and by the product; after, the adjoint sweep runs the
statements backwards and adds both contributions into ``d_x``:

>>> import numpy as np, s2s
>>> def s(x):
...     y = np.sin(x)
...     return np.sum(y * x)
>>> for line in s2s.grad(s).source.splitlines():
...     if line.strip().startswith(("d_x", "d_y")):
...         print(line.strip())
d_y = _s2s.unbroadcast(d_multiply_1 * x, y)
d_x = _s2s.unbroadcast(d_multiply_1 * y, x)
d_x = d_x + d_y * _np.cos(x)
"""

from __future__ import annotations

import operator
import types
from typing import Any

import gast

from s2s import registry, runtime
from s2s.analysis.activity import Activity
from s2s.analysis.dtypes import VType
from s2s.analysis.narrowing import narrowed_adjoints
from s2s.codegen.helpers import bind_after_def, helper_name, local_helpers
from s2s.codegen.ir import (
    APPEND,
    COPY,
    ITEMS,
    SETITEM,
    Branch,
    FunctionIR,
    Loop,
    NameAllocator,
    Stmt,
    atom_names,
    has_control_flow,
    is_literal,
)
from s2s.codegen.sweeps import (  # noqa: F401  (primal_statement: re-exported)
    Block,
    Sweeps,
    assign,
    call,
    is_comment_marker,
    live_locals,
    names_in,
    primal_statement,
)
from s2s.codegen.templating import Contribution, constant, instantiate, name, slice_to_call
from s2s.codegen.walking import copy_tree
from s2s.frontend.parse import Primal
from s2s.reverse.buffers import Accumulation
from s2s.reverse.deadcode import cannot_raise, drop_dead_primal
from s2s.reverse.markers import MarkerPaths
from s2s.reverse.selection import SelectionMasks
from s2s.reverse.tape import TapeSweeps


class ReverseBuilder(Accumulation, MarkerPaths, SelectionMasks, TapeSweeps):
    """Builds both sweeps for one specialization (see :func:`reverse`)."""

    def __init__(self, primal: Primal, ir: FunctionIR, activity: Activity, wrt: tuple[str, ...],
                 functional: bool = False):  # fmt: skip
        self.functional = functional  # differentiated again: calls as written, no pullbacks
        self.primal = primal
        self.ir = ir
        self.activity = activity
        self.wrt = wrt
        self.names = NameAllocator(ir.taken)
        self.adjoint_names: dict[str, str] = {}
        self.count: dict[str, int] = {}  # contributions so far: 0 zero, 1 borrowed, 2+ owned
        self.undefined: set[str] = set()  # adjoints that may carry an s2s.Undefined marker
        self.maybe_none: set[str] = set()  # adjoints that may be None (a tuple output's cotangent)
        self.zero_masks: dict[str, list[gast.expr | None]] = {}  # selection mask per contribution
        flat = ir.flat
        self.index_of = {id(stmt): i for i, stmt in enumerate(flat)}
        self.pullbacks: dict[int, str] = {}  # calls to the user's functions: their pullbacks
        self.helpers: dict[str, tuple] = {}  # those called by name: s2s/codegen/helpers.py
        self.call_results = {  # values of the user's functions and runtime helpers' lists of
            t
            for i, s in enumerate(flat)
            for t in s.targets  # parts (maybe tuples or lists:
            if getattr(activity.bindings.get(i), "callee", None) is not None  # scatter into
            or s.op in _PARTS  # them with _s2s.scatter)
            or (callable(s.op) and registry.facts_of(s.op).parts)  # np.array_split's pieces
        }
        for s in flat:  # `head = parts[:2]`, `same = parts`: a list of pieces too
            if s.args and isinstance(s.args[0], gast.Name) and s.args[0].id in self.call_results:
                if s.op is COPY or (s.op is operator.getitem and not _is_int_key(s.args[1])):
                    self.call_results.update(s.targets)
        for var in [p.name for p in ir.params] + [t for s in flat for t in s.targets]:
            if var in activity.active and var not in self.adjoint_names:
                self.adjoint_names[var] = self.names.fresh("d_" + var)
        self.narrow = narrowed_adjoints(ir, activity)  # float64 by a constant, float32 sweep
        self.local_helpers = {} if functional else local_helpers(  # d_inner, bound after its def
            flat, activity.bindings, self.names, "d_")
        self.dynamic = has_control_flow(ir.body)  # branches or loops: a tape, runtime zeros
        if self.dynamic:
            self.setup_tape()

    # -- blocks --------------------------------------------------------------------------------
    def comment(self, node: Any) -> tuple[str | None, int | None]:
        if node is None:
            return None, None
        lineno = getattr(node, "lineno", None)
        end = getattr(node, "end_lineno", None) or lineno
        if isinstance(node, (gast.For, gast.While, gast.If, gast.With, gast.Try, gast.FunctionDef)):
            end = lineno  # a compound statement: its header line; its body has its own
        text = " ".join(self.primal.line_text(n) for n in range(lineno, end + 1))
        return f"line {lineno}: {text}", lineno

    def primal_statement(self, stmt: Stmt) -> gast.stmt:
        """The statement as written; a call to the user's own function goes through its
        sub-derivative: ``y, pullback_1 = _s2s.subderivative(g, ("a",))(a, b)``."""
        binding = self.activity.bindings.get(self.index_of[id(stmt)])
        if binding is None or binding.callee is None or self.functional:  # functional: as written
            node = primal_statement(stmt)
            node.s2s_pure = cannot_raise(stmt, self.activity.types)  # droppable when dead
            return node
        pullback = self.pullback_of(stmt)
        wrt = gast.Tuple(elts=[constant(p) for p in binding.active_params], ctx=gast.Load())
        helper = None
        if not self.functional:  # d_softplus(z); code differentiated again calls as written
            helper = helper_name(self.helpers, self.names, self.primal.func, stmt.expr.func,
                                 binding.callee, tuple(binding.active_params), "subderivative",
                                 "d_", "d_" + self.ir.name)  # fmt: skip
        if helper is None and isinstance(stmt.expr.func, gast.Name):  # a nested def's call
            local = self.local_helpers.get(stmt.expr.func.id, {})
            helper = local.get(tuple(binding.active_params))
        if helper is not None:
            derivative = name(helper)
        else:
            derivative = call("_s2s.subderivative", copy_tree(stmt.expr.func), wrt)
        value = gast.Call(func=derivative, args=copy_tree(stmt.expr.args),
                          keywords=copy_tree(stmt.expr.keywords))  # fmt: skip
        outputs: gast.expr = gast.Name(stmt.targets[0], gast.Store(), None, None)
        if stmt.unpack:
            outputs = gast.Tuple(elts=[gast.Name(t, gast.Store(), None, None)
                                       for t in stmt.targets], ctx=gast.Store())  # fmt: skip
        pair = gast.Tuple(elts=[outputs, gast.Name(pullback, gast.Store(), None, None)],
                          ctx=gast.Store())  # fmt: skip
        return gast.Assign(targets=[pair], value=value, type_comment=None)

    def pullback_of(self, stmt: Stmt) -> str:
        """The name holding the pullback of a call to the user's own function."""
        if id(stmt) not in self.pullbacks:
            self.pullbacks[id(stmt)] = self.names.fresh("pullback", always_number=True)
        return self.pullbacks[id(stmt)]

    def primal_blocks(self) -> list[Block]:
        if self.dynamic:
            return self.tape_primal()
        blocks: list[Block] = []
        self.primal_nodes: dict[int, tuple[Block, gast.stmt]] = {}
        for index, stmt in enumerate(self.ir.body):
            text, lineno = self.comment(stmt.node)
            if not blocks or blocks[-1].lineno != lineno:
                blocks.append(Block(text, [], lineno))
            node = self.primal_statement(stmt)
            blocks[-1].body.append(node)
            blocks[-1].body += bind_after_def(stmt, self.local_helpers, "subderivative")
            self.primal_nodes[index] = (blocks[-1], node)
        return blocks

    def hoist(self, index: int, statements: list[gast.Assign]) -> list[gast.Assign]:
        """Move a rule's locals that read only primal values (a max's tie mask) into the primal
        sweep, right after the statement: the smallest by-product is kept, so the statement's
        inputs can be freed before the adjoint sweep. Returns the locals that stay."""
        if self.dynamic:
            return statements  # inside loops a saved local would need the tape too
        adjoint_names = set(self.adjoint_names.values())
        staying: list[gast.Assign] = []
        moved: list[gast.Assign] = []
        for local in statements:
            reads = set(atom_names(local.value))
            if reads & adjoint_names or reads & {s.targets[0].id for s in staying}:
                staying.append(local)
            else:
                moved.append(local)
        if moved:
            block, node = self.primal_nodes[index]
            position = block.body.index(node) + 1
            block.body[position:position] = moved
        return staying

    # -- accumulation --------------------------------------------------------------------------
    def adjoint_of(self, index: int, stmt: Stmt) -> list[gast.stmt]:
        """The adjoint block of one statement; where an output cotangent may be undefined, the
        block first checks for a marker and sends it on to the inputs."""
        targets = list(stmt.targets)
        if not any(self.count.get(t, 0) for t in targets):
            return []  # every output cotangent is a symbolic zero: nothing to do
        if stmt.op is ITEMS:
            return self.items_adjoint(stmt)
        if stmt.op is runtime.undefined_grad:
            return self.undefined_origin(index, stmt)
        present = [t for t in targets if self.count.get(t, 0)]
        optional = [t for t in present if t in self.maybe_none]
        if optional and len(optional) == len(present):
            return self.guarded_adjoint(index, stmt, optional)
        return self.checked_adjoint(index, stmt)

    def dense_adjoint(self, index: int, stmt: Stmt) -> list[gast.stmt]:
        out: list[gast.stmt] = []
        active = self.activity.active
        targets = list(stmt.targets)
        mask = self.mask_of(targets[0], out) if len(targets) == 1 else None
        if stmt.op is COPY:
            source = atom_names(stmt.args[0])[0]
            if source in active:
                self.accumulate(source, name(self.adjoint_names[targets[0]]), out, mask)
            return out
        binding = self.activity.bindings[index]
        if binding.callee is not None:
            return out + self.call_adjoint(stmt, binding)
        rule = binding.rule
        outputs = [name(t) for t in targets]
        out_adjoints = [
            name(self.adjoint_names[t]) if self.count.get(t, 0) else None for t in targets
        ]
        result_type = self.activity.types.get(targets[0], VType()) if targets else VType()
        if rule.kind == registry.ELEMENTWISE:
            return out + self.elementwise_adjoint(
                stmt, binding, outputs[0], out_adjoints[0], result_type, mask
            )
        statements, contributions = instantiate(
            rule, binding.arguments, outputs, out_adjoints, self.names
        )
        kept = [c for c in contributions if c.param in binding.active_params]
        if rule.may_be_undefined:
            self.undefined.update(self.inputs_of(index, stmt))
        roots = [c.expr for c in kept] + [c.key for c in kept if c.key is not None]
        out.extend(self.hoist(index, live_locals(statements, roots)))
        carried = self.carried_masks(rule, binding, outputs, mask, kept, out) if mask else {}
        for contribution in kept:
            atom = binding.arguments[contribution.param]
            if rule.may_be_undefined:  # a helper may return a marker: tell it where it is
                names = atom_names(atom) if not isinstance(atom, tuple) else []
                argument = names[0] if names and names[0] not in self.ir.temporaries else ""
                contribution.expr = call(
                    "_s2s.locate",
                    contribution.expr,
                    constant(rule.name),
                    constant(self.ir.original.get(argument, argument)),
                    constant(self.primal.filename),
                    constant(getattr(stmt.node, "lineno", 0)),
                )
            masks = carried.get(contribution.param) or self.selection_masks(
                atom, contribution, mask
            )
            self._contribute(atom, contribution, result_type, out, masks)
        return out

    def items_adjoint(self, stmt: Stmt) -> list[gast.stmt]:
        """``p_0, p_1 = p`` for a tuple argument ``p``: its cotangent is the list of its
        items' cotangents (``None`` for an item that got none), added item by item."""
        out: list[gast.stmt] = []
        param = atom_names(stmt.args[0])[0]
        if param not in self.adjoint_names:
            return out
        parts = [
            name(self.adjoint_names[t]) if self.count.get(t, 0) and t in self.adjoint_names
            else constant(None)
            for t in stmt.targets
        ]  # fmt: skip
        self.maybe_none.add(param)  # a list: _s2s.add adds it item by item
        self.accumulate(param, call("_s2s.item_cotangents", *parts), out, may_be_none=True)
        return out

    def call_adjoint(self, stmt: Stmt, binding) -> list[gast.stmt]:
        """Pull the output cotangents back through the callee's sub-derivative."""
        out: list[gast.stmt] = []
        cotangents = [
            name(self.adjoint_names[t]) if self.count.get(t, 0) and t in self.adjoint_names
            else constant(None)
            for t in stmt.targets
        ]  # fmt: skip
        ct = gast.Tuple(elts=cotangents, ctx=gast.Load()) if stmt.unpack else cotangents[0]
        parts = self.names.fresh("parts", always_number=True)
        if self.functional:  # one call that a derivative of this code can differentiate again:
            wrt = gast.Tuple(elts=[constant(p) for p in binding.active_params], ctx=gast.Load())
            function, owner = _function_and_owner(stmt.expr.func, binding.callee)
            pull = call("_s2s.pullback_of", function, wrt)  # again
            value = gast.Call(func=pull, args=[ct, *owner] + copy_tree(stmt.expr.args),
                              keywords=copy_tree(stmt.expr.keywords))  # fmt: skip
            out.append(assign(parts, value))
        else:
            out.append(assign(parts, call(self.pullback_of(stmt), ct)))
        for i, param in enumerate(binding.active_params):
            atom = binding.arguments[param]
            part = gast.Subscript(value=name(parts), slice=constant(i), ctx=gast.Load())
            if isinstance(atom, (gast.Tuple, gast.List)):  # a tuple argument: item by item
                self._items_from_call(list(atom.elts), part, out)
                continue
            self.accumulate(atom_names(atom)[0], part, out, may_be_none=True)
        return out

    def _items_from_call(self, elements: list, part: gast.expr, out: list) -> None:
        """Send ``part[j]`` (a pullback's gradient of a tuple argument) to its j-th item."""
        for j, element in enumerate(elements):
            piece = gast.Subscript(value=copy_tree(part), slice=constant(j), ctx=gast.Load())
            if isinstance(element, (gast.Tuple, gast.List)):
                self._items_from_call(list(element.elts), piece, out)
            elif isinstance(element, gast.Name) and element.id in self.activity.active:
                self.accumulate(element.id, piece, out, may_be_none=True)

    def _contribute(
        self, atom: Any, c: Contribution, result_type: VType, out: list, masks: Any = None
    ) -> None:
        if c.key is not None and isinstance(atom, (gast.List, gast.Tuple)):  # (a, b)[i]
            self._contribute_at(list(atom.elts), c, out)
            return
        if c.sequence or isinstance(atom, tuple) or isinstance(atom, (gast.List, gast.Tuple)):
            elements = list(atom) if isinstance(atom, tuple) else list(atom.elts)
            parts = self.names.fresh("parts", always_number=True)
            out.append(assign(parts, c.expr))
            self._contribute_items(elements, name(parts), result_type, out, masks)
            return
        var = atom_names(atom)[0]
        if c.key is not None:
            self.scatter(var, c.key, c.expr, out, masks)
        else:
            self.accumulate(var, self._project(var, c.expr, result_type), out, masks)

    def _contribute_at(self, elements: list, c: Contribution, out: list) -> None:
        """``(a, b)[i]`` is one of the items (which one, known at run time): the item at ``i``
        gets the cotangent as it is, the others none (``None``)."""
        parts = self.names.fresh("parts", always_number=True)
        key = slice_to_call(copy_tree(c.key))
        out.append(assign(parts, call("_s2s.item_at", c.expr, key, constant(len(elements)))))
        for j, element in enumerate(elements):
            if isinstance(element, gast.Name) and element.id in self.activity.active:
                part = gast.Subscript(value=name(parts), slice=constant(j), ctx=gast.Load())
                self.maybe_none.add(element.id)
                self.accumulate(element.id, part, out, may_be_none=True)

    def _contribute_items(
        self, elements: list, parts: gast.expr, result_type: VType, out: list, masks: Any
    ) -> None:
        """Send ``parts[i]`` to the i-th item of a literal; an item that is itself a literal
        (``np.array([[a, b], [c, d]])``) sends ``parts[i][j]`` to its j-th item, and so on."""
        for i, element in enumerate(elements):
            part = gast.Subscript(value=copy_tree(parts), slice=constant(i), ctx=gast.Load())
            if isinstance(element, (gast.List, gast.Tuple)):
                self._contribute_items(list(element.elts), part, result_type, out, None)
                continue
            names = atom_names(element)
            if isinstance(element, gast.Name) and names[0] in self.activity.active:
                part_mask = masks[i] if isinstance(masks, list) else None
                projected = self._project(names[0], part, result_type)
                self.accumulate(names[0], projected, out, part_mask)

    def _project(self, var: str, expr: gast.expr, result_type: VType) -> gast.expr:
        """Cast a rule's contribution to ``var``'s accumulator dtype unless it provably has it."""
        var_type = self.activity.types.get(var, VType())
        if var_type.dtype is not None and result_type.dtype is not None:
            if runtime.acc_dtype(var_type.dtype) == runtime.acc_dtype(result_type.dtype):
                return expr
        if _is_unbroadcast_onto(expr, var) or var in self.ir.lists:
            return expr  # already projected, or a list's cotangent (one part per item)
        return call("_s2s.unbroadcast", expr, name(var))

    def _same_shape_and_dtype(self, var: str, stmt: Stmt, result_type: VType) -> bool:
        """True when an elementwise contribution needs no unbroadcast (a lone operand)."""
        types = self.activity.types
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

    # -- whole program -------------------------------------------------------------------------
    def build(self, loss: gast.expr, seed: gast.expr) -> Sweeps:
        """Both sweeps. ``loss`` is the output atom (or a tuple of them, whose cotangents are
        ``seed[i]`` and may be ``None`` at run time) and ``seed`` its cotangent."""
        primal = self.primal_blocks()
        adjoint: list[Block] = []
        seed_name = "seed"
        if isinstance(loss, gast.Tuple):
            seeds = [
                (
                    element,
                    gast.Subscript(value=copy_tree(seed), slice=constant(i), ctx=gast.Load()),
                )
                for i, element in enumerate(loss.elts)
            ]
        else:
            seeds = [(loss, seed)]
        text, lineno = self.comment(self.ir.return_node)
        block = Block(text, [], lineno)
        for atom, cotangent in seeds:
            names = atom_names(atom)
            if isinstance(atom, gast.Name) and names[0] in self.activity.active:
                optional = isinstance(loss, gast.Tuple)  # the caller may give it None
                if optional:
                    self.maybe_none.add(names[0])
                self.accumulate(names[0], cotangent, block.body, may_be_none=optional)
        if self.dynamic:
            adjoint = self.tape_adjoint() + ([block] if block.body else [])
            for item in reversed(self.ir.body):
                text, lineno = self.comment(item.node)
                if isinstance(item, (Branch, Loop)):
                    text = None  # the nested comment says it, with what comes from the tape
                body = self.tape_adjoint_items([item])
                body = (
                    [s for s in body if not is_comment_marker(s)]
                    if not isinstance(item, (Branch, Loop))
                    else body
                )
                if body:
                    adjoint.append(Block(text, body, lineno))
            return self.finish(primal, adjoint, loss, seed_name)
        if block.body:
            adjoint.append(block)
        for index in range(len(self.ir.body) - 1, -1, -1):
            stmt = self.ir.body[index]
            if not any(t in self.activity.active for t in stmt.targets):
                continue
            body = self.adjoint_of(index, stmt)
            if body:
                text, lineno = self.comment(stmt.node)
                if adjoint and adjoint[-1].lineno == lineno:
                    adjoint[-1].body.extend(body)
                else:
                    adjoint.append(Block(text, body, lineno))
        return self.finish(primal, adjoint, loss, seed_name)

    def finish(self, primal, adjoint, loss, seed_name) -> Sweeps:
        gradients = []
        for param in self.wrt:
            if self.count.get(param, 0):
                gradients.append(name(self.adjoint_names[param]))
            else:
                gradients.append(constant(None))
        return Sweeps(
            primal,
            adjoint,
            self.ir.returns,
            loss,
            gradients,
            seed_name,
            self.names,
            self.undefined,
            self.dynamic,
            getattr(self, "tape", ""),
            set(getattr(self, "saved", set())) | set(getattr(self, "call_pullbacks", {}).values()),
            {s.targets[0] for s in self.ir.flat if s.op in (SETITEM, APPEND)},
            dict(self.adjoint_names),
            helpers=dict(self.helpers),
        )


# runtime helpers returning a list with one part per item (in a derivative differentiated again)
_PARTS = {
    runtime.unconcatenate, runtime.unstack, runtime.unhstack, runtime.unvstack, runtime.unsum,
    runtime.unarray, runtime.unliteral, runtime.item_cotangents, runtime.item_at,
    runtime.put_last, runtime.put_all_but_last, runtime.put_item, runtime.put_at,
    runtime.resplit, runtime.split_parts, runtime.select_parts, runtime.choose_parts,
    runtime.unbroadcast_parts, runtime.rebroadcast_parts, runtime.unmeshgrid, runtime.remeshgrid,
    runtime.gradient_of, runtime.einsum_grads, runtime.einsum_second,
    runtime.einsum_grads_tangent, runtime.multi_dot_grads, runtime.multi_dot_second,
    runtime.multi_dot_grads_tangent, runtime.cov_adjoint, runtime.cov_second,
    runtime.cov_adjoint_tangent,
}  # fmt: skip


def _is_int_key(key: gast.expr) -> bool:
    """``3`` or ``-1``: one item of a list (an array), not a list of them."""
    if isinstance(key, gast.UnaryOp) and isinstance(key.op, gast.USub):
        key = key.operand
    return isinstance(key, gast.Constant) and type(key.value) is int


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


def reverse(
    primal: Primal,
    ir: FunctionIR,
    activity: Activity,
    wrt: tuple[str, ...],
    loss: gast.expr,
    seed: gast.expr,
    functional: bool = False,
) -> Sweeps:
    """Build the primal and adjoint sweeps; ``seed`` is the expression of the output cotangent.

    ``functional``: the derivative will be differentiated again, so buffers are never written
    in place (scatters make new arrays) and no ``with`` block is emitted."""
    sweeps = ReverseBuilder(primal, ir, activity, wrt, functional).build(loss, seed)
    if sweeps.dynamic:  # selection masks that no partial read (straight-line: optimize drops)
        drop_dead_primal(sweeps.adjoint, {n for g in sweeps.gradients for n in names_in(g)})
    return sweeps


def _function_and_owner(func: gast.expr, callee: Any) -> tuple[gast.expr, list[gast.expr]]:
    """The callee expression of a call to the user's own function, and the owner to pass
    first: a bound method (``net.forward``) or an object with ``__call__`` (``act``) as its
    function read through the expression (``net.forward.__func__``) and its owner
    (``net.forward.__self__``), so code differentiated again calls a plain function."""
    method_of_yours = isinstance(callee, types.MethodType) and isinstance(
        callee.__func__, types.FunctionType
    )
    if not method_of_yours:
        return copy_tree(func), []
    method = copy_tree(func)
    if callee.__name__ == "__call__" and not (
        isinstance(func, gast.Attribute) and func.attr == "__call__"
    ):  # an object with __call__: its bound __call__
        method = gast.Attribute(value=method, attr="__call__", ctx=gast.Load())
    function = gast.Attribute(value=method, attr="__func__", ctx=gast.Load())
    owner = gast.Attribute(value=copy_tree(method), attr="__self__", ctx=gast.Load())
    return function, [owner]
