"""Reverse: the primal sweep, then the adjoint sweep in reverse order, accumulating into buffers."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import gast
import numpy as np

from s2s import registry, runtime
from s2s.activity import Activity, VType
from s2s.ir import COPY, FunctionIR, NameAllocator, Stmt, atom_names
from s2s.parse import Primal
from s2s.templating import (
    Contribution,
    constant,
    instantiate,
    name,
    partials,
    slice_to_call,
    subscript_key,
)


@dataclass
class Block:
    """Statements emitted under one comment (``# line 14: h = np.tanh(...)``)."""

    comment: str | None
    body: list[gast.stmt] = field(default_factory=list)
    lineno: int | None = None


@dataclass
class Sweeps:
    """The generated program before emission: primal sweep, adjoint sweep, and their interface."""

    primal: list[Block]
    adjoint: list[Block]
    output: gast.expr  # the primal value returned to the user (loss, or tuple with aux)
    loss: gast.expr  # the value whose cotangent is seeded
    gradients: list[gast.expr]  # one expression per wrt entry
    seed_name: str
    names: NameAllocator
    undefined: set[str]  # variables whose adjoint may be an s2s.Undefined marker


def assign(target: str, value: gast.expr) -> gast.Assign:
    return gast.Assign(
        targets=[gast.Name(target, gast.Store(), None, None)], value=value, type_comment=None
    )


def call(func: str, *args: gast.expr) -> gast.Call:
    parts = func.split(".")
    node: gast.expr = name(parts[0])
    for part in parts[1:]:
        node = gast.Attribute(value=node, attr=part, ctx=gast.Load())
    return gast.Call(func=node, args=list(args), keywords=[])


def _as_subscript_key(key: gast.expr) -> gast.expr:
    return subscript_key(key)


def _is_static_basic_key(key: gast.expr) -> bool:
    """A key of slices (any bounds), integer constants, ``None`` and ``...``: each entry is
    selected at most once, so ``buf[key] += g`` is exact (names may hold index arrays)."""
    key = _as_subscript_key(key)
    items = key.elts if isinstance(key, gast.Tuple) else [key]
    for item in items:
        if isinstance(item, gast.Slice):
            continue
        if isinstance(item, gast.Constant) and (
            item.value is None or item.value is Ellipsis or isinstance(item.value, int)
        ):
            continue
        return False
    return True


class ReverseBuilder:
    """Builds both sweeps for one specialization (see :func:`reverse`)."""

    def __init__(self, primal: Primal, ir: FunctionIR, activity: Activity, wrt: tuple[str, ...]):
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
        for var in [p.name for p in ir.params] + [t for s in ir.body for t in s.targets]:
            if var in activity.active:
                self.adjoint_names[var] = self.names.fresh("d_" + var)

    # -- blocks --------------------------------------------------------------------------------
    def comment(self, node: Any) -> tuple[str | None, int | None]:
        if node is None:
            return None, None
        lineno = getattr(node, "lineno", None)
        return f"line {lineno}: {self.primal.line_text(lineno)}", lineno

    def primal_blocks(self) -> list[Block]:
        blocks: list[Block] = []
        self.primal_nodes: dict[int, tuple[Block, gast.stmt]] = {}
        for index, stmt in enumerate(self.ir.body):
            text, lineno = self.comment(stmt.node)
            if not blocks or blocks[-1].lineno != lineno:
                blocks.append(Block(text, [], lineno))
            node = _primal_statement(stmt)
            blocks[-1].body.append(node)
            self.primal_nodes[index] = (blocks[-1], node)
        return blocks

    def hoist(self, index: int, statements: list[gast.Assign]) -> list[gast.Assign]:
        """Move a rule's locals that read only primal values (a max's tie mask) into the primal
        sweep, right after the statement: the smallest by-product is kept, so the statement's
        inputs can be freed before the adjoint sweep. Returns the locals that stay."""
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
    def accumulate(
        self, var: str, expr: gast.expr, out: list[gast.stmt], mask: gast.expr | None = None
    ) -> None:
        """Add ``expr`` into ``var``'s buffer: first borrowed, then a new sum, then in place.

        ``mask`` says where ``expr`` is exactly zero because a selection did not pick an entry.
        """
        self.zero_masks.setdefault(var, []).append(mask)
        adj = self.adjoint_names[var]
        count = self.count.get(var, 0)
        if count == 0:
            out.append(assign(adj, expr))
        elif var in self.undefined or var in self.maybe_none:  # add with the kinds' algebra
            out.append(assign(adj, call("_s2s.add", name(adj), expr)))
        else:
            node = assign(adj, gast.BinOp(left=name(adj), op=gast.Add(), right=expr))
            node.s2s_owned = count >= 2  # the buffer is ours: optimize may add in place
            out.append(node)
        self.count[var] = count + 1

    def scatter(
        self, var: str, key: gast.expr, expr: gast.expr, out: list[gast.stmt], mask=None
    ) -> None:
        """Scatter-add ``expr`` at ``key`` into ``var``'s buffer, making the buffer owned first."""
        self.zero_masks.setdefault(var, []).append(mask)
        adj = self.adjoint_names[var]
        count = self.count.get(var, 0)
        if var in self.undefined or var in self.maybe_none:
            total = name(adj) if count else constant(None)
            key_expr = slice_to_call(copy.deepcopy(key))
            out.append(assign(adj, call("_s2s.scatter", total, name(var), key_expr, expr)))
            self.count[var] = count + 1
            return
        if count == 0:
            out.append(assign(adj, call("_s2s.zeros_like_acc", name(var))))
        elif count == 1:
            out.append(assign(adj, call("_s2s.owned_copy", name(adj), name(var))))
        if _is_static_basic_key(key):
            target = gast.Subscript(
                value=name(adj), slice=_as_subscript_key(copy.deepcopy(key)), ctx=gast.Store()
            )
            out.append(gast.AugAssign(target=target, op=gast.Add(), value=expr))
        else:
            args = [name(adj), slice_to_call(copy.deepcopy(key)), expr]
            out.append(gast.Expr(value=call("_np.add.at", *args)))
        self.count[var] = max(count + 1, 2)

    # -- one statement -------------------------------------------------------------------------
    def inputs_of(self, index: int, stmt: Stmt) -> list[str]:
        """The active variables a statement's adjoint contributes to, in argument order."""
        active = self.activity.active
        if stmt.op is COPY or index not in self.activity.bindings:
            candidates = [n for a in stmt.args for n in atom_names(a)]
        else:
            binding = self.activity.bindings[index]
            candidates = []
            for param in binding.active_params:
                atom = binding.arguments[param]
                elements = atom if isinstance(atom, tuple) else (atom,)
                candidates += [n for e in elements for n in atom_names(e)]
        seen: list[str] = []
        for n in candidates:
            if n in active and n not in seen:
                seen.append(n)
        return seen

    def step(self, var: str, lineno: int | None) -> str | None:
        """How a marker's path names ``var``: the user's name and line (temporaries unnamed)."""
        if var in self.ir.temporaries:
            return None
        return f"{self.ir.original.get(var, var)} (line {lineno})"

    def adjoint_of(self, index: int, stmt: Stmt) -> list[gast.stmt]:
        """The adjoint block of one statement; where an output cotangent may be undefined, the
        block first checks for a marker and sends it on to the inputs."""
        targets = list(stmt.targets)
        if not any(self.count.get(t, 0) for t in targets):
            return []  # every output cotangent is a symbolic zero: nothing to do
        if stmt.op is runtime.undefined_grad:
            return self.undefined_origin(index, stmt)
        present = [t for t in targets if self.count.get(t, 0)]
        optional = [t for t in present if t in self.maybe_none]
        if optional and len(optional) == len(present):
            return self.guarded_adjoint(index, stmt, optional)
        return self.checked_adjoint(index, stmt)

    def guarded_adjoint(self, index: int, stmt: Stmt, optional: list[str]) -> list[gast.stmt]:
        """Every output cotangent may be ``None`` at run time (a tuple output the caller gave
        no cotangent): run the adjoint only if one is present, so absent ones cost nothing."""
        out: list[gast.stmt] = []
        inputs = self.inputs_of(index, stmt)
        for var in inputs:
            if not self.count.get(var, 0):
                out.append(assign(self.adjoint_names[var], constant(None)))
                self.count[var] = 1
                self.zero_masks.setdefault(var, []).append(None)
        self.maybe_none.update(inputs)
        body = self.checked_adjoint(index, stmt)
        tests = [
            gast.Compare(
                left=name(self.adjoint_names[t]), ops=[gast.IsNot()], comparators=[constant(None)]
            )
            for t in optional
        ]
        test = tests[0] if len(tests) == 1 else gast.BoolOp(op=gast.Or(), values=tests)
        out.append(gast.If(test=test, body=body or [gast.Pass()], orelse=[]))
        return out

    def checked_adjoint(self, index: int, stmt: Stmt) -> list[gast.stmt]:
        """The adjoint, preceded by a marker check where an output cotangent may be undefined."""
        targets = list(stmt.targets)
        carrying = [t for t in targets if t in self.undefined and self.count.get(t, 0)]
        if not carrying:
            return self.dense_adjoint(index, stmt)
        inputs = self.inputs_of(index, stmt)
        self.undefined.update(inputs)
        marker = self.names.fresh("marker", always_number=True)
        adjoints = [name(self.adjoint_names[t]) for t in carrying]
        out: list[gast.stmt] = [assign(marker, call("_s2s.undefined_of", *adjoints))]
        counts = dict(self.count)
        lineno = getattr(stmt.node, "lineno", None)
        when_undefined: list[gast.stmt] = []
        for var in inputs:
            step = self.step(var, lineno)
            passed = name(marker)
            if step is not None:
                passed = call("_s2s.through", passed, constant(step))
            self.accumulate(var, passed, when_undefined)
        after_marker = dict(self.count)
        self.count = counts
        when_dense = self.dense_adjoint(index, stmt)
        for var in inputs:  # both arms leave each input with at least one contribution
            self.count[var] = max(self.count.get(var, 0), after_marker.get(var, 0))
        test = gast.Compare(left=name(marker), ops=[gast.IsNot()], comparators=[constant(None)])
        out.append(gast.If(test=test, body=when_undefined, orelse=when_dense or [gast.Pass()]))
        return out

    def undefined_origin(self, index: int, stmt: Stmt) -> list[gast.stmt]:
        """``undefined_grad(x, reason)``: the cotangent sent back to ``x`` is a new marker."""
        out: list[gast.stmt] = []
        source = atom_names(stmt.args[0])
        if not source or source[0] not in self.activity.active:
            return out
        var = source[0]
        reason = stmt.args[1] if len(stmt.args) > 1 else stmt.kwargs.get("reason")
        node = stmt.node
        marker = call(
            "_s2s.undefined",
            constant("undefined_grad"),
            constant("" if var in self.ir.temporaries else self.ir.original.get(var, var)),
            copy.deepcopy(reason) if reason is not None else constant("declared undefined"),
            constant(self.primal.filename),
            constant(getattr(node, "lineno", 0)),
        )
        self.undefined.add(var)
        self.accumulate(var, marker, out)
        return out

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
        out.append(assign(mask, combined))
        return name(mask)

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
        rule = binding.rule
        outputs = [name(t) for t in targets]
        out_adjoints = [
            name(self.adjoint_names[t]) if self.count.get(t, 0) else None for t in targets
        ]
        result_type = self.activity.types.get(targets[0], VType()) if targets else VType()
        if rule.kind == registry.ELEMENTWISE:
            return out + self.elementwise_adjoint(stmt, binding, outputs[0], out_adjoints[0],
                                                  result_type, mask)  # fmt: skip
        statements, contributions = instantiate(
            rule, binding.arguments, outputs, out_adjoints, self.names
        )
        kept = [c for c in contributions if c.param in binding.active_params]
        if rule.may_be_undefined:
            self.undefined.update(self.inputs_of(index, stmt))
        roots = [c.expr for c in kept] + [c.key for c in kept if c.key is not None]
        out.extend(self.hoist(index, _live_locals(statements, roots)))
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

    def elementwise_adjoint(self, stmt, binding, output, g, result_type, mask) -> list:
        """``d_x = g * partial`` per active input; under a selection mask, singular partials
        are computed under ``np.errstate`` and the unselected entries set to exactly zero."""
        rule = binding.rule
        out: list[gast.stmt] = []
        guarded = False
        inputs = [p for p in rule.parsed().params if p not in rule.structural]
        for param, partial in zip(inputs, partials(rule, binding.arguments, output)):
            if param not in binding.active_params:
                continue
            var = atom_names(binding.arguments[param])[0]
            contribution = _times(g, partial)
            if mask is not None and rule.singular:
                if not _is_constant(partial):
                    contribution = call("_s2s.masked", copy.deepcopy(mask), contribution)
                    guarded = True
            input_mask = copy.deepcopy(mask)
            if not self._same_shape_and_dtype(var, stmt, result_type):
                contribution = call("_s2s.unbroadcast", contribution, name(var))
                if mask is not None:
                    input_mask = call("_s2s.unbroadcast_mask", input_mask, name(var))
            self.accumulate(var, contribution, out, input_mask)
        if guarded:  # inf or nan partials at unselected entries must not warn
            errstate = gast.Call(
                func=gast.Attribute(value=name("_np"), attr="errstate", ctx=gast.Load()),
                args=[],
                keywords=[gast.keyword(arg="all", value=constant("ignore"))],
            )
            item = gast.withitem(context_expr=errstate, optional_vars=None)
            return [gast.With(items=[item], body=out, type_comment=None)]
        return out

    def selection_masks(self, atom, c: Contribution, mask):
        """The mask a selection rule declares (``zero_where``) or indexing implies, joined with
        the mask of the cotangent it routes."""
        if isinstance(atom, tuple) or isinstance(atom, (gast.List, gast.Tuple)):
            return None
        var = atom_names(atom)[0]
        if c.zero_where is not None:
            own = c.zero_where if mask is None else call("_s2s.either", c.zero_where, mask)
            return call("_s2s.unbroadcast_mask", own, name(var))
        if c.key is not None:
            keep = [call("_s2s.kept", copy.deepcopy(mask))] if mask is not None else []
            key = slice_to_call(copy.deepcopy(c.key))
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
        out.append(assign(keep, call("_s2s.kept", copy.deepcopy(mask))))
        out.extend(_live_locals(statements, [c.expr for c in chosen]))
        carried: dict[str, Any] = {}
        for c in chosen:
            if c.sequence or isinstance(binding.arguments[c.param], (tuple, gast.List, gast.Tuple)):
                parts = self.names.fresh("kept_parts", always_number=True)
                out.append(assign(parts, c.expr))
                carried[c.param] = [
                    call(
                        "_s2s.zero_entries",
                        gast.Subscript(value=name(parts), slice=constant(i), ctx=gast.Load()),
                    )  # fmt: skip
                    for i in range(_count(binding.arguments[c.param]))
                ]
            else:
                carried[c.param] = call("_s2s.zero_entries", c.expr)
        return carried

    def _contribute(
        self, atom: Any, c: Contribution, result_type: VType, out: list, masks: Any = None
    ) -> None:
        active = self.activity.active
        if c.sequence or isinstance(atom, tuple) or isinstance(atom, (gast.List, gast.Tuple)):
            elements = list(atom) if isinstance(atom, tuple) else list(atom.elts)
            parts = self.names.fresh("parts", always_number=True)
            out.append(assign(parts, c.expr))
            for i, element in enumerate(elements):
                names = atom_names(element)
                if isinstance(element, gast.Name) and names[0] in active:
                    part = gast.Subscript(value=name(parts), slice=constant(i), ctx=gast.Load())
                    part_mask = masks[i] if isinstance(masks, list) else None
                    projected = self._project(names[0], part, result_type)
                    self.accumulate(names[0], projected, out, part_mask)
            return
        var = atom_names(atom)[0]
        if c.key is not None:
            self.scatter(var, c.key, c.expr, out, masks)
        else:
            self.accumulate(var, self._project(var, c.expr, result_type), out, masks)

    def _project(self, var: str, expr: gast.expr, result_type: VType) -> gast.expr:
        """Cast a rule's contribution to ``var``'s accumulator dtype unless it provably has it."""
        var_type = self.activity.types.get(var, VType())
        if var_type.dtype is not None and result_type.dtype is not None:
            if _acc(var_type.dtype) == _acc(result_type.dtype):
                return expr
        return call("_s2s.unbroadcast", expr, name(var))

    def _same_shape_and_dtype(self, var: str, stmt: Stmt, result_type: VType) -> bool:
        """True when an elementwise contribution needs no unbroadcast (a lone operand)."""
        types = self.activity.types
        for other in stmt.args:
            names = atom_names(other)
            if names == [var] or isinstance(other, gast.Constant):
                continue
            if len(names) == 1 and types.get(names[0], VType()).array is False:
                continue  # a scalar operand cannot grow the result's shape
            return False
        var_type = types.get(var, VType())
        if var_type.dtype is None or result_type.dtype is None:
            return False
        return _acc(var_type.dtype) == _acc(result_type.dtype)

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
                    gast.Subscript(value=copy.deepcopy(seed), slice=constant(i), ctx=gast.Load()),
                )  # fmt: skip
                for i, element in enumerate(loss.elts)
            ]
        else:
            seeds = [(loss, seed)]
        text, lineno = self.comment(self.ir.return_node)
        block = Block(text, [], lineno)
        for atom, cotangent in seeds:
            names = atom_names(atom)
            if isinstance(atom, gast.Name) and names[0] in self.activity.active:
                if isinstance(loss, gast.Tuple):
                    self.maybe_none.add(names[0])
                self.accumulate(names[0], cotangent, block.body)
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
        gradients = []
        for param in self.wrt:
            if self.count.get(param, 0):
                gradients.append(name(self.adjoint_names[param]))
            else:
                gradients.append(constant(None))
        return Sweeps(
            primal, adjoint, self.ir.returns, loss, gradients, seed_name, self.names, self.undefined
        )


def _is_constant(node: gast.expr) -> bool:
    if isinstance(node, gast.UnaryOp):
        node = node.operand
    return isinstance(node, gast.Constant)


def _count(atom: Any) -> int:
    return len(atom) if isinstance(atom, tuple) else len(atom.elts)


def _acc(dtype: np.dtype) -> np.dtype:
    return np.dtype(np.float32) if dtype == np.float16 else dtype


def _times(g: gast.expr, partial: gast.expr) -> gast.expr:
    if isinstance(partial, gast.Constant) and partial.value == 1:
        return copy.deepcopy(g)
    if isinstance(partial, gast.UnaryOp) and isinstance(partial.op, gast.USub):
        if isinstance(partial.operand, gast.Constant) and partial.operand.value == 1:
            return gast.UnaryOp(op=gast.USub(), operand=copy.deepcopy(g))
    return gast.BinOp(left=copy.deepcopy(g), op=gast.Mult(), right=partial)


def _live_locals(statements: list[gast.Assign], roots: list[gast.expr]) -> list[gast.Assign]:
    """Drop template locals no kept contribution reads (a partial nobody needs costs nothing)."""
    needed = {n for r in roots for n in atom_names(r)}
    kept: list[gast.Assign] = []
    for stmt in reversed(statements):
        target = stmt.targets[0].id
        if target in needed:
            kept.append(stmt)
            needed.update(atom_names(stmt.value))
    return list(reversed(kept))


def _primal_statement(stmt: Stmt) -> gast.stmt:
    value = copy.deepcopy(stmt.expr)
    if isinstance(value, gast.stmt):
        return value  # an assert kept whole
    if not stmt.targets:
        return gast.Expr(value=value)
    if stmt.unpack:
        target = gast.Tuple(
            elts=[gast.Name(t, gast.Store(), None, None) for t in stmt.targets], ctx=gast.Store()
        )
        return gast.Assign(targets=[target], value=value, type_comment=None)
    return assign(stmt.targets[0], value)


def reverse(
    primal: Primal,
    ir: FunctionIR,
    activity: Activity,
    wrt: tuple[str, ...],
    loss: gast.expr,
    seed: gast.expr,
) -> Sweeps:
    """Build the primal and adjoint sweeps; ``seed`` is the expression of the output cotangent."""
    return ReverseBuilder(primal, ir, activity, wrt).build(loss, seed)
