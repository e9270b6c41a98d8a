"""Pipeline: the passes in order, from a primal function to a compiled derivative."""

from __future__ import annotations

import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gast
import numpy as np

from s2s import emit as emit_pass
from s2s import registry
from s2s.activity import analyze, describe_metadata_use
from s2s.deadcode import drop_dead_primal, drop_placeholders
from s2s.dtypes import VType
from s2s.errors import DisconnectedGradientError, UnsupportedSyntaxError
from s2s.fence import fence
from s2s.ir import Marker, atom_names
from s2s.normalize import normalize
from s2s.optimize import free_dead, optimize
from s2s.parse import parse, strip_decorators
from s2s.resolve import Target, resolve
from s2s.reverse import reverse
from s2s.static_shapes import specialize_calls
from s2s.sweeps import Block, call, merge_repeated_comments
from s2s.templating import constant, name

GRAD = "grad"
VALUE_AND_GRAD = "value_and_grad"
VJP = "vjp"


@dataclass(frozen=True)
class Options:
    """Options fixed when a derivative is made; part of the cache key."""

    has_aux: bool = False
    disconnected: str = "zero"
    undefined: str = "raise"
    allow_int: bool = False
    verbose: int = 0


@dataclass
class Generated:
    """One specialization: the compiled derivative and what its entry check re-reads."""

    compiled: emit_pass.Compiled
    targets: list[Target]
    warnings: list[str]


def _stage(verbose: int, title: str, text: Callable[[], str]) -> None:
    if verbose:
        print(f"--- s2s: after {title} ---\n{text()}")


def _sweep_text(blocks: list[Block]) -> str:
    writer = emit_pass.Writer()
    writer.blocks(blocks, 0)
    return writer.text()


def generate(
    func: types.FunctionType,
    wrt: tuple[str, ...],
    mode: str,
    options: Options,
    arg_types: dict[str, VType],
    is_s2s_decorator: Callable[[gast.expr], bool],
    single: bool,
    strict_floats: bool = False,
) -> Generated:
    """Run every pass on ``func`` for one specialization (``arg_types``) and compile the result.

    The passes: parse, fence, resolve, normalize, activity, reverse, optimize, emit. With
    ``options.verbose`` the program is printed after each pass that changes it.
    ``strict_floats`` (numpy's error state raises somewhere) keeps every primal statement: a
    dead ``np.log(-1.0)`` must still raise ``FloatingPointError``.
    """
    verbose = options.verbose
    primal = parse(func)
    strip_decorators(primal, is_s2s_decorator)
    fence(primal)
    targets = resolve(primal)
    return_lines = _return_lines(primal.tree)  # before early returns merge into one
    tuple_params = {n: len(t.value) for n, t in arg_types.items() if t.kind == "tuple"}
    ir = normalize(primal, tuple_params)
    _stage(verbose, "normalize", lambda: _sweep_text(_primal_only(ir)))
    returns = ir.returns
    loss = returns
    if options.has_aux:
        if not (isinstance(returns, gast.Tuple) and len(returns.elts) == 2):
            raise UnsupportedSyntaxError(
                "has_aux=True needs the function to return a pair `loss, aux`",
                primal.where(ir.return_node),
                "end the function with `return loss, aux`",
            )
        loss = returns.elts[0]
    elif isinstance(returns, gast.Tuple) and mode != VJP:
        raise UnsupportedSyntaxError(
            f"{mode} needs a single scalar output, but the function returns a tuple",
            primal.where(ir.return_node),
            "return one scalar, use has_aux=True for `return loss, aux`, or use s2s.vjp",
        )
    if isinstance(loss, gast.Tuple) and any(
        isinstance(e, (gast.Tuple, gast.List)) for e in loss.elts
    ):
        raise UnsupportedSyntaxError(
            "returning a tuple that holds tuples is not differentiated",
            primal.where(ir.return_node),
            "return a flat tuple (`return a, b, c`) and regroup the values where they are used",
        )
    activity = analyze(primal, ir, wrt, arg_types, tuple(atom_names(loss)))
    names = set(ir.taken)
    fname = "d_" + ("lambda" if ir.name == "<lambda>" else ir.name)
    return_line = ir.return_node.lineno if ir.return_node is not None else primal.tree.lineno
    file_line = [constant(primal.filename), constant(return_line)]
    cotangent = pullback = None
    if mode == VJP:
        cotangent = _fresh(names, "cotangent")
        pullback = _fresh(names, "pullback")
        seed = name(cotangent)
    elif _static_scalar(loss, activity.types) is not None:  # no need to look at the value
        seed = gast.Call(
            func=gast.Attribute(value=name("_np"), attr=_static_scalar(loss, activity.types).name,
                                ctx=gast.Load()),
            args=[constant(1.0)], keywords=[],
        )  # fmt: skip
    else:
        seed = call("_s2s.seed", loss)
    sweeps = reverse(primal, ir, activity, wrt, loss, seed)
    specialize_calls(sweeps.adjoint, activity.types)
    for i, param in enumerate(wrt):
        buffer = sweeps.gradients[i]
        if isinstance(buffer, gast.Name) and param in sweeps.undefined:
            policy = constant(options.undefined)
            sweeps.gradients[i] = call(
                "_s2s.resolve_undefined", buffer, name(param), constant(param), policy
            )
    warnings, disconnected = _disconnected(primal, ir, wrt, sweeps, activity, options)
    params = {p.name for p in ir.params}
    optimize(sweeps, params, _fresh_temporaries(ir))
    _stage(verbose, "reverse and optimize", lambda: _sweep_text(sweeps.primal + sweeps.adjoint))

    protect = [name(p.name) for p in ir.params]
    merge_repeated_comments(sweeps.primal)
    merge_repeated_comments(sweeps.adjoint)
    writer = emit_pass.Writer()
    free = [v for v in func.__code__.co_freevars]
    writer.line(f"def _make({', '.join(['_np', '_s2s'] + free)}):", 0)
    writer.line(f"def {fname}({emit_pass.signature_text(ir.params)}):", 1)
    doc = (
        f'"""{_describe(mode)} of {func.__qualname__} with respect to {", ".join(wrt)}; '
        f'generated by s2s from {primal.filename}:{primal.tree.lineno}."""'
    )
    writer.line(doc, 2)
    shapes = [f"{n} {t.shape}" for n, t in arg_types.items() if t.shape is not None]
    if shapes:  # shape-specialized: say for which shapes (other shapes get their own)
        writer.line(f"# specialized for shapes {', '.join(shapes)}", 2)
    if mode == VJP:
        if not sweeps.dynamic:
            keep = params | _reads(sweeps.adjoint) | set(atom_names(loss))
            free_dead(sweeps.primal, keep, set())
        writer.line("# primal sweep", 2)
        writer.blocks(sweeps.primal, 2)
        if sweeps.dynamic:  # each call replays its own copy of the tape and of the values
            carried = sorted(set(sweeps.saved) | set(sweeps.written))
            defaults = "".join(f", {n}={n}" for n in [sweeps.tape] + carried)
            writer.line(f"def {pullback}({cotangent}{defaults}):", 2)
            writer.line(f"{sweeps.tape} = list({sweeps.tape})", 3)
            for array in sorted(sweeps.written):  # restored in place below: work on copies
                writer.line(f"{array} = _s2s.detached({array})", 3)
        else:
            writer.line(f"def {pullback}({cotangent}):", 2)
        checker = (
            "_s2s.check_cotangents" if isinstance(loss, gast.Tuple) else "_s2s.check_cotangent"
        )
        check = call(checker, name(cotangent), loss, *file_line)
        writer.statement(
            gast.Assign(
                targets=[gast.Name(cotangent, gast.Store(), None, None)],
                value=check,
                type_comment=None,
            ),
            3,
            return_line,
        )
        protect.append(name(cotangent))
        if isinstance(loss, gast.Tuple):  # the arrays inside a tuple cotangent, too
            protect.append(gast.Starred(value=name(cotangent), ctx=gast.Load()))
        grads = _gradients_expr(sweeps.gradients, wrt, protect, options, single, disconnected)
        if not sweeps.dynamic:
            free_dead(sweeps.adjoint, params | {cotangent}, _names_in(grads))
        writer.line("# adjoint sweep", 3)
        writer.blocks(sweeps.adjoint, 3)
        writer.statement(gast.Return(value=grads), 3, return_line)
        value = call("_s2s.detached", returns) if sweeps.written else returns
        pair = gast.Tuple(elts=[value, name(pullback)], ctx=gast.Load())
        writer.statement(gast.Return(value=pair), 2, return_line)
    else:
        grads = _gradients_expr(sweeps.gradients, wrt, protect, options, single, disconnected)
        if len(return_lines) > 1:  # several returns: name them all, at the def line
            lines = gast.Tuple(elts=[constant(n) for n in return_lines], ctx=gast.Load())
            check_args = [constant(primal.filename), constant(primal.tree.lineno), lines]
        else:
            check_args = file_line
        check = gast.Expr(value=call("_s2s.check_scalar", loss, *check_args))
        static = _static_scalar(loss, activity.types) is not None
        ending = [] if static else [check]
        if mode == GRAD and not strict_floats:  # values nothing reads are not computed
            live = _reads(sweeps.adjoint) | _names_in(grads)
            live |= set() if static else set(atom_names(loss))
            live |= _names_in(returns) if options.has_aux else set()
            gone = drop_dead_primal(sweeps.primal, live)
            drop_placeholders(sweeps.primal + sweeps.adjoint, gone)
        if sweeps.dynamic and mode == VALUE_AND_GRAD:  # the adjoint sweep restores old values
            output = _fresh(names, "output")
            ending.append(
                gast.Assign(
                    targets=[gast.Name(output, gast.Store(), None, None)],
                    value=call("_s2s.detached", returns),
                    type_comment=None,
                )
            )
            returns = name(output)
        if ending:
            sweeps.primal.append(
                Block(f"line {return_line}: the output must be a scalar", ending, return_line)
            )
        result: gast.expr = grads
        if mode == VALUE_AND_GRAD:
            result = gast.Tuple(elts=[returns, grads], ctx=gast.Load())
        if not sweeps.dynamic:  # in loops a name lives on in the tape's pops
            free_dead(sweeps.primal + sweeps.adjoint, params, _names_in(result))
        writer.line("# primal sweep", 2)
        writer.blocks(sweeps.primal, 2)
        writer.line("# adjoint sweep", 2)
        writer.blocks(sweeps.adjoint, 2)
        writer.statement(gast.Return(value=result), 2, return_line)
    writer.line(f"return {fname}", 1)
    compiled = emit_pass.compile_factory(writer, fname, func, ",".join(wrt))
    _stage(verbose, "emit", lambda: compiled.source)
    return Generated(compiled, targets, warnings)


def _return_lines(tree: gast.FunctionDef) -> list[int]:
    """The lines of the function's own ``return`` statements (not of nested defs')."""
    lines: list[int] = []
    pending: list[gast.AST] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (gast.FunctionDef, gast.AsyncFunctionDef, gast.Lambda)):
            continue
        if isinstance(node, gast.Return) and getattr(node, "lineno", None):
            lines.append(node.lineno)
        pending.extend(gast.iter_child_nodes(node))
    return sorted(set(lines))


def _static_scalar(loss: gast.expr, types: dict[str, VType]) -> np.dtype | None:
    """The seed's dtype when generation knows the output is a real floating scalar (a full
    reduction, scalar arithmetic): then its value need not be checked or even computed."""
    if not isinstance(loss, gast.Name):
        return None
    known = types.get(loss.id, VType())
    if known.kind != "float" or known.array is not False or known.dtype is None:
        return None
    return np.dtype(np.float32) if known.dtype == np.float16 else known.dtype


def _fresh_temporaries(ir: Any) -> set[str]:
    """Temporaries holding arrays s2s allocated: results of ufuncs and of matmul."""
    fresh = set()
    for stmt in ir.flat:
        if len(stmt.targets) != 1 or stmt.targets[0] not in ir.temporaries or stmt.unpack:
            continue
        rule = registry.lookup(stmt.op) if not isinstance(stmt.op, Marker) else None
        if rule is not None and (rule.kind == registry.ELEMENTWISE or stmt.op in (np.matmul,)):
            fresh.add(stmt.targets[0])
    return fresh


def _describe(mode: str) -> str:
    return {GRAD: "Gradient", VALUE_AND_GRAD: "Value and gradient", VJP: "Vector-Jacobian product"}[
        mode
    ]


def _fresh(taken: set[str], base: str) -> str:
    candidate, k = base, 2
    while candidate in taken:
        candidate, k = f"{base}_{k}", k + 1
    taken.add(candidate)
    return candidate


def _names_in(node: gast.AST) -> set[str]:
    return {n.id for n in gast.walk(node) if isinstance(n, gast.Name)}


def _reads(blocks: list[Block]) -> set[str]:
    return {n for b in blocks for s in b.body for n in _names_in(s)}


def _primal_only(ir: Any) -> list[Block]:
    from s2s.reverse import _primal_statement

    return [Block(None, [_primal_statement(s) for s in ir.flat])]


def _gradients_expr(
    buffers, wrt, protect, options: Options, single: bool, disconnected
) -> gast.expr:
    protect_tuple = gast.Tuple(elts=list(protect), ctx=gast.Load())
    if options.disconnected == "none" and disconnected:
        exprs = [
            constant(None)
            if w in disconnected
            else call("_s2s.gradient", b, name(w), protect_tuple)
            for b, w in zip(buffers, wrt)
        ]
        return exprs[0] if single else gast.Tuple(elts=exprs, ctx=gast.Load())
    if single:
        return call("_s2s.gradient", buffers[0], name(wrt[0]), protect_tuple)
    return call(
        "_s2s.gradients",
        gast.Tuple(elts=list(buffers), ctx=gast.Load()),
        gast.Tuple(elts=[name(w) for w in wrt], ctx=gast.Load()),
        protect_tuple,
    )


def _disconnected(primal, ir, wrt, sweeps, activity, options: Options):
    """Messages for, and the names of, ``wrt`` arguments with no data path to the output."""
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
        if options.disconnected == "raise":
            raise DisconnectedGradientError(
                message,
                primal.where(ir.return_node or primal.tree),
                f"remove `{param}` from wrt, or pass disconnected='zero' to get zeros",
            )
        messages.append(message)
        names.add(param)
    return messages, names
