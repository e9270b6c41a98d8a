"""Entry: the emitted function of ``jvp`` around the forward sweep.

It takes the primal's arguments with one tangent per ``wrt`` argument, checks and casts each
tangent, runs the interleaved sweep and returns ``(value, tangent_of_value)``: each output's
tangent has the output's type, shape and dtype, and shares memory with no argument or tangent.
"""

from __future__ import annotations

import types
from dataclasses import dataclass

import gast
import numpy as np

from s2s.analysis.activity import Activity, describe_metadata_use
from s2s.analysis.dtypes import VType
from s2s.analysis.paths import connected_names
from s2s.codegen.contexts import nest_contexts
from s2s.codegen.emit import Writer, origin_text, signature_text
from s2s.codegen.helpers import write_helpers
from s2s.codegen.ir import FunctionIR, NameAllocator, Param, atom_names
from s2s.codegen.sweeps import assign, call, names_in
from s2s.codegen.templating import constant, name
from s2s.codegen.walking import copy_tree
from s2s.errors import DisconnectedGradientError
from s2s.forward.gradient import GRADIENT_TITLES, gradient_result
from s2s.forward.reuse import SMALL_BYTES, reuse_dead_tangents
from s2s.forward.state import MAYBE, ZERO
from s2s.forward.sweep import ForwardSweep
from s2s.frontend.parse import Primal

RESERVED = ("_np", "_s2s")


@dataclass
class TangentParameters:
    """The tangent parameters of a ``jvp``: each ``wrt`` name's public parameter (``x_dot``,
    part of the derivative's signature) and its name inside the generated body."""

    public: dict[str, str]
    internal: dict[str, str]
    params: list[Param]  # the emitted function's parameters, tangents in their places


def tangent_parameters(ir: FunctionIR, wrt: tuple[str, ...], public: dict[str, str],
                       params: list[Param]) -> tuple[TangentParameters, NameAllocator]:  # fmt: skip
    """Internal names for the tangents that clash with no name of the primal's body."""
    names = NameAllocator(set(ir.taken) | set(public.values()) | set(RESERVED))
    internal = {}
    for w in wrt:
        candidate = public[w]
        internal[w] = candidate if candidate not in ir.taken else names.fresh(candidate)
    return TangentParameters(public, internal, params), names


def forward(primal: Primal, ir: FunctionIR, activity: Activity, wrt: tuple[str, ...],
            tangents: TangentParameters, names: NameAllocator,
            functional: bool = False) -> ForwardSweep:  # fmt: skip
    """The interleaved sweep (:class:`ForwardSweep` holding its blocks in ``.result``);
    ``functional``: the form a derivative of it differentiates (calls as written)."""
    sweep = ForwardSweep(primal, ir, activity, wrt, names, tangents.internal, functional)
    sweep.result = sweep.blocks()
    return sweep


def _large(activity: Activity, dot: dict[str, str]) -> set[str]:
    """The values, and their tangents, of a proven float shape of ``SMALL_BYTES`` or more."""
    large = set()
    for var, known in activity.types.items():
        if known.shape is None or known.dtype is None or known.dtype.kind != "f":
            continue
        if int(np.prod(known.shape)) * known.dtype.itemsize >= SMALL_BYTES:
            large.add(var)
            if var in dot:
                large.add(dot[var])
    return large


def write_jvp(
    func: types.FunctionType,
    primal: Primal,
    ir: FunctionIR,
    sweep: ForwardSweep,
    tangents: TangentParameters,
    arg_types: dict[str, VType],
    activity: Activity,
    policies: tuple[str, str],
    gradient: tuple[str, bool, list[int]] | None = None,
) -> tuple[Writer, str, list[str]]:
    """The factory ``def _make(_np, _s2s, <free vars>)`` around ``jvp_<name>``, its name, and
    the warnings of ``disconnected="warn"``. ``policies`` are ``(disconnected, undefined)``.
    ``gradient`` is ``(mode, single, return lines)`` of a ``grad`` or ``value_and_grad`` of
    one real scalar written as this sweep (``d_<name>``, :func:`gradient_result`).

    Raises ``DisconnectedGradientError`` under ``disconnected="raise"`` for an output that no
    ``wrt`` argument reaches."""
    prefix = "jvp_" if gradient is None else "d_"
    fname = prefix + ("lambda" if ir.name == "<lambda>" else ir.name)
    writer = Writer()
    free = [v for v in func.__code__.co_freevars if v not in RESERVED]
    writer.line(f"def _make({', '.join(list(RESERVED) + free)}):", 0)
    write_helpers(writer, sweep.helpers)  # jvp_softplus = _s2s.jvp_of(softplus, ('z',))
    writer.line(f"def {fname}({signature_text(tangents.params)}):", 1)
    wrt = tuple(tangents.public)
    title = getattr(func, "__s2s_title__", None) or func.__qualname__
    what = "Jacobian-vector product" if gradient is None else GRADIENT_TITLES[gradient[0]]
    writer.line(
        f'"""{what} of {title} with respect to {", ".join(wrt)}; '
        f'{origin_text(func, primal.filename, primal.tree.lineno)}"""',
        2,
    )
    shapes = [f"{n} {t.shape}" for n, t in arg_types.items() if t.shape is not None]
    if shapes:
        writer.line(f"# specialized for shapes {', '.join(shapes)}", 2)
    for note in primal.notes:  # parameter containers: which parameter is which leaf
        writer.line(f"# {note}", 2)
    line = primal.tree.lineno
    if gradient is not None:  # one scalar: the tangent 1 makes every tangent a derivative by it
        writer.line(f"# {wrt[0]} is a real scalar: one forward sweep with its tangent at 1 "
                    "gives the gradient (no tape)", 2)  # fmt: skip
        for w in wrt:
            writer.statement(assign(tangents.internal[w], call("_s2s.seed", name(w))), 2, line)
    else:
        writer.line("# the tangents of the arguments", 2, line)
    # a wrong tangent is reported at the user's call (check_tangent finds it), else at the
    # user's def, also for a generated gradient differentiated again (hvp)
    named_file, named_line = getattr(func, "__s2s_user_def__", (primal.filename, line))
    for w in wrt if gradient is None else ():
        check = call("_s2s.check_tangent", name(tangents.public[w]), name(w), constant(w),
                     constant(named_file), constant(named_line))  # fmt: skip
        writer.statement(assign(tangents.internal[w], check), 2, line)
    # first: the returned tangent may be None on some path (a branch returning a constant)
    result, warnings = _returned(primal, ir, sweep, tangents, activity, policies)
    starting = _starting_at_none(sweep, tangents)
    if starting:
        writer.line("# tangents of names assigned in branches and loops start at zero (None)", 2)
        for tangent in starting:
            writer.line(f"{tangent} = None", 2)
    checked = _checked_before_bound(ir)
    if checked:
        writer.line("# rows checked at a write before a loop's trip binds them start as None", 2)
        for var in checked:
            writer.line(f"{var} = None", 2)
    if not sweep.functional:  # large dead temporaries written in place, as the gradient's
        reuse_dead_tangents(sweep.result, _large(activity, sweep.dot), names_in(result))
    writer.blocks(nest_contexts(sweep.result, ir.contexts, False, ir.written_globals), 2)
    if gradient is not None:
        mode, single, return_lines = gradient
        check, result = gradient_result(result, wrt[0], mode, single, primal, return_lines)
        writer.line(f"# line {_return_line(primal, ir)}: the output must be a scalar", 2)
        writer.statement(check, 2, _return_line(primal, ir))
    writer.statement(gast.Return(value=result), 2, _return_line(primal, ir))
    writer.line(f"return {fname}", 1)
    return writer, fname, warnings


def _starting_at_none(sweep: ForwardSweep, tangents: TangentParameters) -> list[str]:
    """Tangents of names assigned in branches and loops that some path may read before any
    assignment (read where they may be ``None``): they start as ``None``."""
    carried = {sweep.dot[v] for v in sweep.ir.carried if v in sweep.dot}
    return sorted((carried & sweep.maybe_reads) - set(tangents.internal.values()))


def _checked_before_bound(ir: FunctionIR) -> list[str]:
    """Names that a write's run-time view check (``_s2s.check_no_view(r, x, ...)``) reads and
    that are bound in a loop or branch: a write before ``r = x[i]`` in a loop's trip checks
    the ``r`` of the trip before, which the first trip has not bound. They start as ``None``
    (no view to check), as the primal sweep of reverse mode starts them."""
    params = {p.name for p in ir.params}
    views = {v.targets[0] for s in ir.flat for v in getattr(s, "alias_checks", [])}
    return sorted((views & ir.carried) - params)


def _returned(
    primal: Primal,
    ir: FunctionIR,
    sweep: ForwardSweep,
    tangents: TangentParameters,
    activity: Activity,
    policies: tuple[str, str],
) -> tuple[gast.expr, list[str]]:
    """``value, _s2s.gradient(s)(tangents, values, protect)``: zeros for a symbolic zero."""
    disconnected, undefined = policies
    returns = ir.returns
    atoms = list(returns.elts) if isinstance(returns, gast.Tuple) else [returns]
    state = sweep.state
    flat = ir.flat
    warnings: list[str] = []
    parts: list[gast.expr] = []
    zero: set[int] = set()  # outputs with no tangent: zeros, refused for a string
    for i, atom in enumerate(atoms):
        what = "the output" if len(atoms) == 1 else f"output {i}"
        names = atom_names(atom)
        var = names[0] if isinstance(atom, gast.Name) else None
        if var is not None and var in sweep.dot and state is not None and state.kind(var) != ZERO:
            part: gast.expr = name(sweep.dot[var])
            if state.kind(var) == MAYBE:  # None on a path that returns a constant
                sweep.maybe_reads.add(sweep.dot[var])
            if var in state.undefined:
                part = call("_s2s.resolve_undefined_tangent", part, name(var), constant(what),
                            constant(undefined))  # fmt: skip
            parts.append(part)
            continue
        reached = bool(connected_names(flat, set(names)) & set(tangents.public))
        if reached and state is not None and isinstance(atom, (gast.Tuple, gast.List)):
            parts.append(_nested_tangent(atom, sweep, undefined, what))  # a jvp's (y, y_dot)
            continue
        if not reached:
            message = f"{what} does not depend on {', '.join(f'`{w}`' for w in tangents.public)}"
            message += "".join(  # as grad says it: a use for the shape only
                f"; `{w}` is only used {describe_metadata_use(s)} at line {s.node.lineno}"
                for w in tangents.public
                for s in activity.structural_uses.get(w, [])
            )
            if disconnected == "raise":
                raise DisconnectedGradientError(
                    message,
                    primal.where(ir.return_node or primal.tree),
                    "remove the argument from wrt, or pass disconnected='zero' to get zeros",
                )
            if disconnected == "warn":
                warnings.append(message)
            if disconnected == "none":
                parts.append(None)
                continue
        parts.append(constant(None))
        zero.add(i)
    protect = gast.Tuple(
        elts=[name(p.name) for p in ir.params] + [name(t) for t in tangents.internal.values()],
        ctx=gast.Load(),
    )
    values = [copy_tree(a) for a in atoms]
    if len(atoms) == 1 and not isinstance(returns, gast.Tuple):
        tangent = constant(None) if parts[0] is None else call(
            "_s2s.gradient", parts[0], values[0], protect)  # fmt: skip
        if 0 in zero:
            tangent = _zero_tangent(values[0], protect, primal, ir)
        return gast.Tuple(elts=[returns, tangent], ctx=gast.Load()), warnings
    items = []  # a literal tuple (a derivative of this code takes it apart), none aliasing
    for i, (p, v) in enumerate(zip(parts, values)):
        if p is None:  # disconnected="none"
            items.append(constant(None))
            continue
        earlier = [copy_tree(e) for e in parts[:i] if isinstance(e, gast.Name)]
        shielded = gast.Tuple(elts=list(protect.elts) + earlier, ctx=gast.Load())
        if i in zero:
            items.append(_zero_tangent(v, shielded, primal, ir))
            continue
        items.append(call("_s2s.gradient", p, v, shielded))
    tangent = gast.Tuple(elts=items, ctx=gast.Load())
    return gast.Tuple(elts=[returns, tangent], ctx=gast.Load()), warnings


def _nested_tangent(atom: gast.expr, sweep: ForwardSweep, undefined: str, what: str):
    """The tangent of a tuple or list of names inside the returned tuple (the ``(value,
    tangent)`` pairs of a derivative that is differentiated again): a tuple of its items'
    tangents, ``None`` (zeros) for a constant item."""
    state = sweep.state
    items: list[gast.expr] = []
    for k, elt in enumerate(atom.elts):
        if isinstance(elt, (gast.Tuple, gast.List)):
            items.append(_nested_tangent(elt, sweep, undefined, f"{what}[{k}]"))
        elif isinstance(elt, gast.Name) and elt.id in sweep.dot and state.kind(elt.id) != ZERO:
            part: gast.expr = name(sweep.dot[elt.id])
            if state.kind(elt.id) == MAYBE:
                sweep.maybe_reads.add(sweep.dot[elt.id])
            if elt.id in state.undefined:
                part = call("_s2s.resolve_undefined_tangent", part, name(elt.id),
                            constant(f"{what}[{k}]"), constant(undefined))  # fmt: skip
            items.append(part)
        else:
            items.append(constant(None))
    return gast.Tuple(elts=items, ctx=gast.Load())


def _zero_tangent(value: gast.expr, protect: gast.expr, primal: Primal, ir: FunctionIR):
    """The zero tangent of an output no tangent reaches, refused for a string output."""
    return call("_s2s.zero_output_tangent", value, protect, constant(primal.filename),
                constant(_return_line(primal, ir)))  # fmt: skip


def _return_line(primal: Primal, ir: FunctionIR) -> int:
    return ir.return_node.lineno if ir.return_node is not None else primal.tree.lineno
