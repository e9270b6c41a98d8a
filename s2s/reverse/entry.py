"""Entry: the emitted function of each reverse mode around its two sweeps.

``grad`` and ``value_and_grad`` run the primal sweep, check the output is a scalar, run the
adjoint sweep and return gradients (with the value). ``vjp`` runs the primal sweep and returns
the value with a ``pullback`` closure that checks the cotangent and runs the adjoint sweep.
"""

from __future__ import annotations

import types
from dataclasses import dataclass

import gast
import numpy as np

from s2s import runtime
from s2s.analysis.activity import Activity, describe_metadata_use
from s2s.analysis.dtypes import VType
from s2s.codegen.common import share_common_subexpressions
from s2s.codegen.contexts import nest_contexts, quiet_recomputations
from s2s.codegen.copies import (
    inline_attributes,
    inline_single_uses,
    plain_updates,
    propagate_copies,
)
from s2s.codegen.emit import Writer, origin_text, signature_text
from s2s.codegen.endings import drop_empty_final_tests, drop_endings
from s2s.codegen.guards import drop_settled_guards
from s2s.codegen.helpers import write_helpers
from s2s.codegen.ir import FunctionIR, atom_names
from s2s.codegen.optimize import drop_unread_recomputed, free_dead
from s2s.codegen.placeholders import (
    drop_dead_releases,
    drop_stores_before_release,
    drop_unread_constants,
    drop_unread_placeholders,
    drop_unused_tape,
)
from s2s.codegen.reassemble import inline_rows, reassemble
from s2s.codegen.releases import chain_releases, releases_as_del
from s2s.codegen.restores import drop_dead_restores, drop_unread_write_backs
from s2s.codegen.straight import drop_releases, straight_in
from s2s.codegen.sweeps import Block, Sweeps, call, has_closures, names_in, reads_memo
from s2s.codegen.templating import constant, name
from s2s.codegen.views import share_repeated_views
from s2s.codegen.walking import copy_tree
from s2s.errors import DisconnectedGradientError
from s2s.frontend.parse import Primal
from s2s.modes import GRAD, PULLBACK, VALUE_AND_GRAD, VJP
from s2s.reverse.deadcode import (
    assigned_names,
    drop_dead_primal,
    drop_placeholders,
    live_into,
    read_names,
)
from s2s.reverse.tuple_tree import holds_tuples, output_tree

_TITLES = {
    GRAD: "Gradient",
    VALUE_AND_GRAD: "Value and gradient",
    VJP: "Vector-Jacobian product",
    PULLBACK: "Pullback (vector-Jacobian product)",
}


@dataclass(eq=False)
class Interface:
    """What a reverse mode's emitted function takes and gives, beside its sweeps.

    ``loss`` is the value whose cotangent is seeded (the output, or its first item with
    ``has_aux``); ``cotangent`` and ``pullback`` name the ``vjp`` closure and its parameter.
    """

    mode: str
    wrt: tuple[str, ...]
    single: bool  # one gradient, not a tuple of them
    returns: gast.expr  # what the function returns: the loss, or (loss, aux)
    loss: gast.expr
    return_lines: list[int]  # the lines of the function's own returns, before they merged
    has_aux: bool
    cotangent: str | None = None
    pullback: str | None = None


def interface(
    ir: FunctionIR,
    activity: Activity,
    mode: str,
    wrt: tuple[str, ...],
    single: bool,
    loss: gast.expr,
    return_lines: list[int],
    has_aux: bool,
    cotangent: str | None = None,
) -> tuple[Interface, gast.expr]:
    """The mode's interface and the seed of the adjoint sweep: the ``vjp`` cotangent (for a
    ``pullback``, its parameter ``cotangent``), a typed one when the output is statically a
    float scalar, else ``_s2s.seed(loss)``."""
    entry = Interface(mode, wrt, single, ir.returns, loss, return_lines, has_aux)
    if mode == PULLBACK:
        entry.cotangent = cotangent
        return entry, name(cotangent)
    scalar = static_scalar(loss, activity.types)
    if mode == VJP:
        taken = set(ir.taken)
        entry.cotangent = _fresh(taken, "cotangent")
        entry.pullback = _fresh(taken, "pullback")
        return entry, name(entry.cotangent)
    if scalar is not None:  # no need to look at the value
        dtype = gast.Attribute(value=name("_np"), attr=scalar.name, ctx=gast.Load())
        return entry, gast.Call(func=dtype, args=[constant(1.0)], keywords=[])
    return entry, call("_s2s.seed", loss)


def static_scalar(loss: gast.expr, types: dict[str, VType]) -> np.dtype | None:
    """The seed's dtype when generation knows the output is a real floating scalar (a full
    reduction, scalar arithmetic): then its value need not be checked or even computed."""
    if not isinstance(loss, gast.Name):
        return None
    known = types.get(loss.id, VType())
    if known.kind != "float" or known.array is not False or known.dtype is None:
        return None
    return runtime.acc_dtype(known.dtype)


def apply_undefined_policy(sweeps: Sweeps, wrt: tuple[str, ...], policy: str) -> None:
    """Gradients that may hold an ``s2s.Undefined`` marker go through the ``undefined=``
    policy (raise, return the marker, or NaN) before they are returned."""
    for i, param in enumerate(wrt):
        buffer = sweeps.gradients[i]
        if isinstance(buffer, gast.Name) and param in sweeps.undefined:
            sweeps.gradients[i] = call(
                "_s2s.resolve_undefined", buffer, name(param), constant(param), constant(policy)
            )


def disconnected_arguments(
    primal: Primal,
    ir: FunctionIR,
    wrt: tuple[str, ...],
    sweeps: Sweeps,
    activity: Activity,
    policy: str,
) -> tuple[list[str], set[str]]:
    """Messages for, and the names of, ``wrt`` arguments with no data path to the output.

    Raises ``DisconnectedGradientError`` for the first one under ``disconnected="raise"``."""
    messages, names = [], set()
    for param, buffer in zip(wrt, sweeps.gradients):
        if not (isinstance(buffer, gast.Constant) and buffer.value is None):
            continue
        if activity.types.get(param, VType()).kind != "float":
            continue  # an integer argument with allow_int: zeros by design
        if param in activity.connected:
            continue  # a zero cotangent (piecewise-constant path or zero_grad): zeros, silently
        uses = activity.structural_uses.get(param, [])
        detail = "".join(
            f"; `{param}` is only used {describe_metadata_use(s)} at line {s.node.lineno}"
            for s in uses
        )
        message = f"the output does not depend on `{param}`{detail}"
        if policy == "raise":
            raise DisconnectedGradientError(
                message,
                primal.where(ir.return_node or primal.tree),
                f"remove `{param}` from wrt, or pass disconnected='zero' to get zeros",
            )
        messages.append(message)
        names.add(param)
    return messages, names


def write_derivative(
    func: types.FunctionType,
    primal: Primal,
    ir: FunctionIR,
    sweeps: Sweeps,
    entry: Interface,
    arg_types: dict[str, VType],
    activity: Activity,
    disconnected: tuple[str, set[str]],
    keep_dead_primal: bool,
    functional: bool = False,
    params: list | None = None,
) -> tuple[Writer, str]:
    """The factory ``def _make(_np, _s2s, <free vars>)`` around the mode's function, and the
    function's name. ``disconnected`` is the policy and the arguments it applies to;
    ``keep_dead_primal`` keeps primal values nothing reads (numpy's error state raises);
    ``functional`` (higher order) emits no ``del``; ``params`` is the emitted function's
    parameter list when it is not the primal's (a ``pullback`` adds its cotangent)."""
    fname = "d_" + ("lambda" if ir.name == "<lambda>" else ir.name)
    writer = Writer()
    free = [v for v in func.__code__.co_freevars if v not in ("_np", "_s2s")]  # a derivative's
    writer.line(f"def _make({', '.join(['_np', '_s2s'] + free)}):", 0)
    write_helpers(writer, sweeps.helpers)  # d_softplus = _s2s.subderivative(softplus, ...)
    writer.line(f"def {fname}({signature_text(params or ir.params)}):", 1)
    title = getattr(func, "__s2s_title__", None) or func.__qualname__
    writer.line(
        f'"""{_TITLES[entry.mode]} of {title} with respect to '
        f'{", ".join(entry.wrt)}; {origin_text(func, primal.filename, primal.tree.lineno)}"""',
        2,
    )
    shapes = [f"{n} {t.shape}" for n, t in arg_types.items() if t.shape is not None]
    if shapes:  # shape-specialized: say for which shapes (other shapes get their own)
        writer.line(f"# specialized for shapes {', '.join(shapes)}", 2)
    for note in primal.notes:  # parameter containers: which parameter is which leaf
        writer.line(f"# {note}", 2)
    if entry.mode == VJP:
        _write_vjp(writer, primal, ir, sweeps, entry, disconnected)
    elif entry.mode == PULLBACK:
        _write_pullback(writer, primal, ir, sweeps, entry, disconnected, functional,
                        keep_dead_primal)  # fmt: skip
    else:
        static = static_scalar(entry.loss, activity.types) is not None
        _write_gradient(writer, primal, ir, sweeps, entry, disconnected, static, keep_dead_primal,
                        functional)  # fmt: skip
    writer.line(f"return {fname}", 1)
    return writer, fname


def _write_vjp(
    writer: Writer,
    primal: Primal,
    ir: FunctionIR,
    sweeps: Sweeps,
    entry: Interface,
    disconnected: tuple[str, set[str]],
) -> None:
    """``vjp``: the primal sweep, then ``return value, pullback`` with the adjoint sweep in the
    pullback (which replays its own copy of the tape when there is one)."""
    params = {p.name for p in ir.params}
    loss, cotangent, pullback = entry.loss, entry.cotangent, entry.pullback
    return_line = _return_line(primal, ir)
    if not sweeps.dynamic:
        keep = params | _reads(sweeps.adjoint) | set(atom_names(loss))
        free_dead(sweeps.primal, keep, set())
    else:  # the pullback reads what the primal sweep leaves, and takes what it carries
        read_after = set().union(*(names_in(g) for g in sweeps.gradients))
        read_after |= params | set(atom_names(loss))
        drop_dead_restores(sweeps.primal + sweeps.adjoint, sweeps.tape, read_after, True)
        carried = set(sweeps.saved) | set(sweeps.written)
        unbound = sorted(carried - params)  # None where a path skips its assignment (continue)
        start = [gast.Assign(targets=[gast.Name(n, gast.Store(), None, None)],
                             value=constant(None), type_comment=None) for n in unbound]  # fmt: skip
        sweeps.primal.insert(0, Block(None, start, None))
        live = _reads(sweeps.adjoint) | names_in(entry.returns) | carried
        drop_unread_placeholders(sweeps.primal, live)
        _free_straight(sweeps, sweeps.primal, live | params | set(atom_names(loss)), set())
    writer.line("# primal sweep", 2)
    writer.blocks(_primal_contexts(sweeps, ir), 2)
    depth, finals = 3, None
    if sweeps.dynamic:  # each call replays its own copy of the tape and of the values
        carried = sorted(set(sweeps.saved) | set(sweeps.written))
        defaults = "".join(f", {n}={n}" for n in [sweeps.tape] + carried)
        writer.line(f"def {pullback}({cotangent}{defaults}):", 2)
        writer.line(f"{sweeps.tape} = list({sweeps.tape})", 3)
        if sweeps.written:  # restored in place below, where views of them see it; then the
            # final values are put back, so the pullback runs again alike
            finals = _fresh(set(ir.taken) | _reads(sweeps.adjoint) | {cotangent}, "finals")
            writer.line(f"{finals} = _s2s.final_values({', '.join(sorted(sweeps.written))})", 3)
            writer.line("try:", 3)
            depth = 4
    else:
        writer.line(f"def {pullback}({cotangent}):", 2)
    check = _cotangent_check(cotangent, loss, _file_line(primal, return_line))
    target = gast.Name(cotangent, gast.Store(), None, None)
    writer.statement(gast.Assign(targets=[target], value=check, type_comment=None), depth,
                     return_line)  # fmt: skip
    protect = [name(p.name) for p in ir.params] + [name(cotangent)]
    if isinstance(loss, gast.Tuple):  # the arrays inside a tuple cotangent, too
        protect.append(gast.Starred(value=name(cotangent), ctx=gast.Load()))
    grads = _gradients_expr(sweeps.gradients, entry, protect, disconnected, False, sweeps.as_is)
    if not sweeps.dynamic:
        _share_common(sweeps, ir, grads)
        free_dead(sweeps.adjoint, params | {cotangent}, names_in(grads))
    else:
        drop_settled_guards(sweeps.adjoint)  # `if d_x is not None:` where d_x is set
        drop_unread_recomputed(sweeps.adjoint)  # (a later pass dropped their readers)
        drop_unread_placeholders(sweeps.adjoint, names_in(grads))
        propagate_copies(sweeps.adjoint, names_in(grads))
        inline_single_uses(sweeps.adjoint, names_in(grads))  # (the primal sweep is written)
        _share_common(sweeps, ir, grads)
        _free_straight(sweeps, sweeps.adjoint, params | {cotangent}, names_in(grads))
        chain_releases(sweeps.adjoint)
    if finals is not None:  # an older array popped back into a name restored in place
        for block in sweeps.adjoint:
            _keep_popped_finals(block.body, sweeps, finals)
    writer.line("# adjoint sweep", depth)
    adjoint = quiet_recomputations(sweeps.adjoint)
    writer.blocks(nest_contexts(adjoint, ir.contexts, adjoint=True), depth)
    writer.statement(gast.Return(value=grads), depth, return_line)
    if finals is not None:
        writer.line("finally:", 3)
        writer.line(f"_s2s.put_back({finals})", 4)
    value = call("_s2s.detached", entry.returns) if sweeps.written else entry.returns
    pair = gast.Tuple(elts=[value, name(pullback)], ctx=gast.Load())
    writer.statement(gast.Return(value=pair), 2, return_line)


def _keep_popped_finals(body: list[gast.stmt], sweeps: Sweeps, finals: str) -> None:
    """``y = tape.pop()`` of an array ``y`` written in place becomes ``y =
    _s2s.popped_final(finals, tape.pop())``: the restores into that older array are undone
    when the pullback returns too (``final_values`` keeps only the last array of each name),
    so a second call (a Jacobian row by row) reads the entries the primal sweep left."""
    for stmt in body:
        for field in ("body", "orelse"):
            nested = getattr(stmt, field, None)
            if isinstance(nested, list):
                _keep_popped_finals(nested, sweeps, finals)
        if (
            isinstance(stmt, gast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], gast.Name)
            and stmt.targets[0].id in sweeps.written
            and isinstance(stmt.value, gast.Call)
            and isinstance(stmt.value.func, gast.Attribute)
            and stmt.value.func.attr == "pop"
            and isinstance(stmt.value.func.value, gast.Name)
            and stmt.value.func.value.id == sweeps.tape
        ):
            stmt.value = call("_s2s.popped_final", name(finals), stmt.value)


def _write_pullback(
    writer: Writer,
    primal: Primal,
    ir: FunctionIR,
    sweeps: Sweeps,
    entry: Interface,
    disconnected: tuple[str, set[str]],
    functional: bool,
    keep_dead_primal: bool = False,
) -> None:
    """``pullback``: the primal sweep, the cotangent parameter checked against the output, the
    adjoint sweep, and the gradients: ``vjp``'s pullback as one function (higher order)."""
    params = {p.name for p in ir.params} | {entry.cotangent}
    loss, cotangent = entry.loss, entry.cotangent
    return_line = _return_line(primal, ir)
    check = _cotangent_check(cotangent, loss, _file_line(primal, return_line))
    target = gast.Name(cotangent, gast.Store(), None, None)
    checked: gast.stmt = gast.Assign(targets=[target], value=check, type_comment=None)
    if functional and isinstance(loss, gast.Tuple):  # differentiated again: the tuple's items
        checked = gast.Expr(value=check)  # are names there, so it is checked, not rebound
    sweeps.primal.append(Block(f"line {return_line}: the cotangent of the output", [checked],
                               return_line))  # fmt: skip
    protect = [name(p.name) for p in ir.params] + [name(cotangent)]
    grads = _gradients_expr(sweeps.gradients, entry, protect, disconnected, functional,
                            sweeps.as_is)
    if not sweeps.dynamic and not functional:
        inline_attributes(sweeps.primal + sweeps.adjoint, names_in(grads))  # as with control flow
        _share_common(sweeps, ir, grads)
        free_dead(sweeps.primal + sweeps.adjoint, params, names_in(grads))
    elif not functional:
        drop_settled_guards(sweeps.adjoint)  # `if d_x is not None:` where d_x is set
        drop_unread_recomputed(sweeps.adjoint)  # (a later pass dropped their readers)
        drop_dead_restores(sweeps.primal + sweeps.adjoint, sweeps.tape, names_in(grads))
        drop_unread_write_backs(sweeps.primal + sweeps.adjoint, sweeps.tape, names_in(grads))
        drop_unread_placeholders(sweeps.primal + sweeps.adjoint, names_in(grads))
        propagate_copies(sweeps.adjoint, names_in(grads))
        inline_single_uses(sweeps.adjoint, names_in(grads))
        plain_updates(sweeps.primal + sweeps.adjoint)  # `k += 1` of a number
        if not keep_dead_primal:  # (where numpy's errors raise, their order stays)
            reassemble(sweeps.primal, sweeps.primal + sweeps.adjoint, sweeps.tape, names_in(grads))
            inline_rows(sweeps.adjoint, sweeps.primal + sweeps.adjoint, params - sweeps.written)
        drop_dead_releases(sweeps.primal + sweeps.adjoint, names_in(grads))
        drop_endings(sweeps.primal + sweeps.adjoint, sweeps.tape, names_in(grads))
        drop_empty_final_tests(sweeps.primal, sweeps.adjoint)  # `if tape.pop() > n: pass`
        inline_attributes(sweeps.primal + sweeps.adjoint, names_in(grads))
        _share_common(sweeps, ir, grads)
        _free_straight(sweeps, sweeps.primal + sweeps.adjoint, params, names_in(grads))
        releases_as_del(sweeps.adjoint, names_in(grads) | params)  # as in straight code
        drop_stores_before_release(sweeps.adjoint)  # `d_y = ...` right before `del d_y`
        chain_releases(sweeps.primal + sweeps.adjoint)
    writer.line("# primal sweep", 2)
    writer.blocks(_primal_contexts(sweeps, ir), 2)
    writer.line("# adjoint sweep", 2)
    writer.blocks(_adjoint_contexts(sweeps.adjoint, ir, functional), 2)
    writer.statement(gast.Return(value=grads), 2, return_line)


def _write_gradient(
    writer: Writer,
    primal: Primal,
    ir: FunctionIR,
    sweeps: Sweeps,
    entry: Interface,
    disconnected: tuple[str, set[str]],
    static: bool,
    keep_dead_primal: bool,
    functional: bool = False,
) -> None:
    """``grad`` and ``value_and_grad``: both sweeps in a row, the output checked for a scalar
    between them unless it is statically one; ``grad`` leaves out primal values nothing reads."""
    params = {p.name for p in ir.params}
    loss, returns = entry.loss, entry.returns
    return_line = _return_line(primal, ir)
    protect = [name(p.name) for p in ir.params]
    grads = _gradients_expr(sweeps.gradients, entry, protect, disconnected, functional,
                            sweeps.as_is)
    if len(entry.return_lines) > 1:  # several returns: name them all, at the def line
        lines = gast.Tuple(elts=[constant(n) for n in entry.return_lines], ctx=gast.Load())
        check_args = [constant(primal.filename), constant(primal.tree.lineno), lines]
    else:
        check_args = _file_line(primal, return_line)
    check = gast.Expr(value=call("_s2s.check_scalar", loss, *check_args))
    ending = [] if static else [check]
    if entry.mode == GRAD and not keep_dead_primal:  # values nothing reads are not computed
        live = live_into(sweeps.adjoint, names_in(grads))
        live |= set() if static else set(atom_names(loss))
        live |= names_in(returns) if entry.has_aux else set()
        gone = drop_dead_primal(sweeps.primal, live)
        # a name still read keeps its placeholders: what is read there is their None (a
        # derivative's code differentiated again: `with_last(d_tape, d_y_2, ...)` in a loop
        # reads the buffer that only `d_y_2 = None` set, whose real assignments were dead)
        if gone:  # (none gone: no walk of the sweeps for the names read)
            gone -= read_names(sweeps.primal + sweeps.adjoint)
        drop_placeholders(sweeps.primal, gone)  # (the adjoint may recompute and release it)
        drop_placeholders(sweeps.adjoint, gone - assigned_names(sweeps.adjoint) if gone else gone)
    if sweeps.dynamic and entry.mode == VALUE_AND_GRAD:  # the adjoint sweep restores old values
        output = _fresh(set(ir.taken), "output")
        target = gast.Name(output, gast.Store(), None, None)
        value = call("_s2s.detached", returns)
        ending.append(gast.Assign(targets=[target], value=value, type_comment=None))
        returns = name(output)
    if ending:
        sweeps.primal.append(
            Block(f"line {return_line}: the output must be a scalar", ending, return_line)
        )
    result: gast.expr = grads
    if entry.mode == VALUE_AND_GRAD:
        result = gast.Tuple(elts=[returns, grads], ctx=gast.Load())
    if not sweeps.dynamic and not functional:  # in loops a name lives on in the tape's pops
        inline_attributes(sweeps.primal + sweeps.adjoint, names_in(result))  # as with control flow
        share_repeated_views(sweeps.primal, sweeps.written, names_in(result), sweeps.adjoint)
        _share_common(sweeps, ir, result)
        drop_unread_constants(sweeps.adjoint, names_in(result) | params)
        free_dead(sweeps.primal + sweeps.adjoint, params, names_in(result))
    elif not functional:
        drop_settled_guards(sweeps.adjoint)  # `if d_x is not None:` where d_x is set
        drop_unread_recomputed(sweeps.adjoint)  # (a later pass dropped their readers)
        closures = has_closures(sweeps)  # (none: the passes below look for none)
        with reads_memo():  # three liveness passes that only remove statements
            drop_dead_restores(sweeps.primal + sweeps.adjoint, sweeps.tape, names_in(result))
            drop_unread_write_backs(sweeps.primal + sweeps.adjoint, sweeps.tape, names_in(result))
            drop_unread_placeholders(sweeps.primal + sweeps.adjoint, names_in(result), closures)
        propagate_copies(sweeps.adjoint, names_in(result), closures)
        inline_single_uses(sweeps.adjoint, names_in(result))
        plain_updates(sweeps.primal + sweeps.adjoint)  # `k += 1` of a number
        drop_unread_constants(sweeps.adjoint, names_in(result) | params, closures)
        if not keep_dead_primal:  # (where numpy's errors raise, their order stays)
            reassemble(sweeps.primal, sweeps.primal + sweeps.adjoint, sweeps.tape, names_in(result))
            inline_rows(sweeps.adjoint, sweeps.primal + sweeps.adjoint, params - sweeps.written)
        drop_dead_releases(sweeps.primal + sweeps.adjoint, names_in(result), closures)
        drop_endings(sweeps.primal + sweeps.adjoint, sweeps.tape, names_in(result))
        drop_empty_final_tests(sweeps.primal, sweeps.adjoint)  # `if tape.pop() > n: pass`
        inline_attributes(sweeps.primal + sweeps.adjoint, names_in(result))
        _share_common(sweeps, ir, result)
        _free_straight(sweeps, sweeps.primal + sweeps.adjoint, params, names_in(result))
        releases_as_del(sweeps.adjoint, names_in(result) | params)  # as in straight code
        drop_stores_before_release(sweeps.adjoint)  # `d_y = ...` right before `del d_y`
        chain_releases(sweeps.primal + sweeps.adjoint)
    primal_blocks = _primal_contexts(sweeps, ir)
    adjoint_blocks = _adjoint_contexts(sweeps.adjoint, ir, functional)
    if not functional:  # every push was of a value nobody reads
        drop_unused_tape(primal_blocks, adjoint_blocks, sweeps.tape)
    writer.line("# primal sweep", 2)
    writer.blocks(primal_blocks, 2)
    writer.line("# adjoint sweep", 2)
    writer.blocks(adjoint_blocks, 2)
    writer.statement(gast.Return(value=result), 2, return_line)


def _gradients_expr(
    buffers: list[gast.expr],
    entry: Interface,
    protect: list[gast.expr],
    disconnected: tuple[str, set[str]],
    functional: bool = False,
    as_is: set[str] = frozenset(),
) -> gast.expr:
    """``_s2s.gradient(s)(...)``: buffers cast to their arguments' types, never aliasing the
    ``protect``ed values; ``None`` for disconnected arguments under ``disconnected="none"``;
    ``functional``: a literal tuple of ``_s2s.gradient`` calls (higher order). Buffers in
    ``as_is`` (every one) are returned as they are: new arrays of their arguments' types."""
    wrt = entry.wrt
    protect_tuple = gast.Tuple(elts=list(protect), ctx=gast.Load())
    policy, names = disconnected
    if policy == "none" and names:
        exprs = [
            constant(None) if w in names else call("_s2s.gradient", b, name(w), protect_tuple)
            for b, w in zip(buffers, wrt)
        ]
        return exprs[0] if entry.single else gast.Tuple(elts=exprs, ctx=gast.Load())
    if not functional and all(isinstance(b, gast.Name) and b.id in as_is for b in buffers):
        return buffers[0] if entry.single else gast.Tuple(elts=list(buffers), ctx=gast.Load())
    if entry.single:
        return call("_s2s.gradient", buffers[0], name(wrt[0]), protect_tuple)
    if functional:  # a literal tuple, which a derivative of this code can take apart
        items = []
        for i, (b, w) in enumerate(zip(buffers, wrt)):
            earlier = [copy_tree(e) for e in buffers[:i] if isinstance(e, gast.Name)]
            shielded = gast.Tuple(elts=list(protect) + earlier, ctx=gast.Load())
            items.append(call("_s2s.gradient", b, name(w), shielded))
        return gast.Tuple(elts=items, ctx=gast.Load())
    return call(
        "_s2s.gradients",
        gast.Tuple(elts=list(buffers), ctx=gast.Load()),
        gast.Tuple(elts=[name(w) for w in wrt], ctx=gast.Load()),
        protect_tuple,
    )


def _return_line(primal: Primal, ir: FunctionIR) -> int:
    return ir.return_node.lineno if ir.return_node is not None else primal.tree.lineno


def _file_line(primal: Primal, line: int) -> list[gast.expr]:
    return [constant(primal.filename), constant(line)]


def _fresh(taken: set[str], base: str) -> str:
    candidate, k = base, 2
    while candidate in taken:
        candidate, k = f"{base}_{k}", k + 1
    taken.add(candidate)
    return candidate


def _share_common(sweeps: Sweeps, ir: FunctionIR, result: gast.expr) -> None:
    """Repeated arithmetic of the adjoint sweep computed once (:mod:`s2s.codegen.common`);
    with ``np.errstate`` blocks, only within each block (they may set different modes)."""
    sweeps.names.taken |= set(ir.taken) | _reads(sweeps.primal + sweeps.adjoint) | names_in(result)
    sweeps.names.taken |= set(sweeps.helpers)
    share_common_subexpressions(sweeps.adjoint, sweeps.names, across_blocks=not ir.contexts)


def _free_straight(sweeps: Sweeps, blocks: list[Block], keep: set[str], final: set[str]) -> None:
    """In a sweep through branches and loops, the names that live as in straight-line code
    (:mod:`s2s.codegen.straight`) are freed as there: ``del`` after their last read in
    ``blocks``, instead of their releases (``x = None``)."""
    stores_of: dict[int, tuple] = {}  # each statement's stores, found once for both
    straight = straight_in(sweeps, stores_of)
    drop_releases(blocks, straight - keep - final, stores_of)
    free_dead(blocks, keep, final, straight)


def _reads(blocks: list[Block]) -> set[str]:
    return {n for b in blocks for s in b.body for n in names_in(s)}


def _adjoint_contexts(blocks: list[Block], ir: FunctionIR, functional: bool) -> list[Block]:
    """The adjoint sweep with the body of each ``np.errstate`` block under it again (also in a
    derivative that will be differentiated again, whose derivative keeps the ``with``: its
    second-order statements run under the user's state), and its recomputed loop values quiet
    (:func:`s2s.codegen.contexts.quiet_recomputations`)."""
    blocks = quiet_recomputations(blocks)
    return nest_contexts(blocks, ir.contexts, adjoint=True)


def _primal_contexts(sweeps: Sweeps, ir: FunctionIR) -> list[Block]:
    """The primal sweep with its `with` and `try` statements, and its `global` declaration."""
    return nest_contexts(sweeps.primal, ir.contexts, False, ir.written_globals, sweeps.tape or None)


def _cotangent_check(cotangent: str, loss: gast.expr, where: list) -> gast.expr:
    """The call that checks the pullback's cotangent against the output ``loss`` (a tuple's
    taken apart item by item, a tuple that holds tuples' leaf by leaf)."""
    if holds_tuples(loss):
        return call("_s2s.check_cotangent_tree", name(cotangent), loss, output_tree(loss), *where)
    checker = "_s2s.check_cotangents" if isinstance(loss, gast.Tuple) else "_s2s.check_cotangent"
    return call(checker, name(cotangent), loss, *where)
