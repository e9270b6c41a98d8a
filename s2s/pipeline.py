"""Pipeline: the passes in order, from a primal function to a compiled derivative."""

from __future__ import annotations

import functools
import gc
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gast
import numpy as np

from s2s import registry
from s2s.analysis.activity import analyze
from s2s.analysis.dtypes import VType
from s2s.analysis.static_shapes import specialize_calls
from s2s.codegen.emit import Compiled, Writer, compile_factory
from s2s.codegen.helpers import with_checkpoint
from s2s.codegen.ir import FunctionIR, Marker, Param, atom_names
from s2s.codegen.namespaces import check_namespace
from s2s.codegen.optimize import SMALL_BYTES, optimize
from s2s.codegen.sweeps import Block, merge_repeated_comments
from s2s.codegen.walking import child_nodes, name_list
from s2s.frontend.callables import bind as bind_callables
from s2s.frontend.callkeys import Bound
from s2s.frontend.checkpoints import checkpoint_loops, refuse_impure_trips
from s2s.frontend.composite_calls import write_composite_calls
from s2s.frontend.containers import lower as lower_containers
from s2s.frontend.derivcalls import gives_dict
from s2s.frontend.dictcomps import expand_dict_comprehensions
from s2s.frontend.fence import fence
from s2s.frontend.leafnames import describe as describe_containers
from s2s.frontend.normalize import normalize
from s2s.frontend.parse import (
    Primal,
    free_added_names,
    parse,
    rename_rebound_containers,
    strip_decorators,
)
from s2s.frontend.records import lower_records
from s2s.frontend.replay import without_effects
from s2s.frontend.resolve import Target, resolve
from s2s.frontend.unpacking import split_targets
from s2s.frontend.vectorized import rewrite_vectorized
from s2s.frontend.whole import keep_whole
from s2s.modes import GRAD, JVP, PULLBACK, VALUE_AND_GRAD, VJP, Options
from s2s.reverse.buffers import dense_list_scatters
from s2s.reverse.detaching import detach_written_saves
from s2s.reverse.entry import (
    apply_undefined_policy,
    disconnected_arguments,
    interface,
    write_derivative,
)
from s2s.reverse.linear import fold_linear_chains
from s2s.reverse.loss import differentiated_output
from s2s.reverse.nonfinite import Sites
from s2s.reverse.outer_sums import sum_outer_products
from s2s.reverse.outs import stores_with_out
from s2s.reverse.peephole import peephole
from s2s.reverse.returned import returned_as_is
from s2s.reverse.scaling import scale_in_place
from s2s.reverse.shared_factors import share_cholesky_factors
from s2s.reverse.simplify import simplify
from s2s.reverse.sweep import primal_statement, reverse
from s2s.runtime.namespace import NUMPY, Backend
from s2s.runtime.trees import TreeDef
from s2s.siblings import helpers_called

__all__ = [
    "GRAD", "JVP", "PULLBACK", "VALUE_AND_GRAD", "VJP", "Generated", "Options", "generate",
]  # fmt: skip

@dataclass(eq=False)
class Generated:
    """One specialization: the compiled derivative and what its entry check re-reads."""

    compiled: Compiled
    targets: list[Target]
    warnings: list[str]
    source_function: types.FunctionType | None = None  # what was parsed (a derivative's code)
    undefined_wrt: frozenset[str] = frozenset()  # wrt names whose gradient may be undefined
    bound: tuple[Bound, ...] = ()  # callables read from the arguments (part of the cache key)


def collector_paused(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` run with Python's cyclic garbage collector paused (as it was on return).

    Generation builds and drops many small trees, whose allocations trigger collections that
    find little: paused, the LSTM workload's first build took 40-43 ms instead of 49-52 (the
    ten workloads' first builds in a fresh process 183-196 ms instead of 199-209; CPU time,
    three processes each, alternately). Nested calls (a helper's derivative) keep it paused."""

    @functools.wraps(function)
    def paused(*args: Any, **kwargs: Any) -> Any:
        if not gc.isenabled():
            return function(*args, **kwargs)
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            gc.enable()

    return paused


@collector_paused
def generate(
    func: types.FunctionType,
    wrt: tuple[str, ...],
    mode: str,
    options: Options,
    arg_types: dict[str, VType],
    is_s2s_decorator: Callable[[gast.expr], bool],
    single: bool,
    strict_floats: bool = False,
    signature: list[tuple[str, str]] | None = None,
    backend: Backend = NUMPY,
    containers: dict[str, tuple[TreeDef, list[str]]] | None = None,
    values: dict[str, Any] | None = None,
    whole: bool = False,
) -> Generated:
    """Run every pass on ``func`` for one specialization (``arg_types``) and compile the result.

    With ``options.verbose`` the program is printed after each pass that changes it.
    ``strict_floats`` (numpy's error state raises somewhere) keeps every primal statement: a
    dead ``np.log(-1.0)`` must still raise ``FloatingPointError``. ``signature`` is the
    parameter list (name, kind) of a ``jvp``: the primal's with the tangents in their places.
    ``backend`` is the arguments' array namespace: the factory is instantiated with its module
    as ``_np``, and a call the namespace lacks raises :class:`s2s.errors.NamespaceError` at its
    primal line. ``containers`` maps each parameter container argument to its structure and
    its leaves' parameter names (:mod:`s2s.frontend.containers`). ``values`` are the arguments
    not differentiated: the callables they hold are bound (:mod:`s2s.frontend.callables`).
    ``whole``: each container stays one parameter, its leaves read from it at the top
    (:mod:`s2s.frontend.whole`).
    """
    if mode == JVP:
        return _generate_forward(
            func, wrt, options, arg_types, is_s2s_decorator, signature, containers, values,
            whole=whole,
        )
    if _by_forward_sweep(func, wrt, mode, options, arg_types, containers):
        return _generate_forward(
            func, wrt, options, arg_types, is_s2s_decorator, None, None, values, (mode, single)
        )
    verbose = options.verbose
    # frontend: source to A-normal form
    primal = parse(func)
    strip_decorators(primal, is_s2s_decorator)
    free_added_names(primal, signature)  # a local named as an added parameter: renamed
    expand_dict_comprehensions(primal.tree, containers or {}, primal.where)
    primal.checked += lower_records(primal.tree, func)  # p = Params(w=..., b=...); p.w: p_w
    passed_in: list[Any] = []
    if containers or gives_dict(primal.tree, values):  # s2s.grad(f)({"w": w, ...}) too
        _lower_containers(primal, containers or {}, func, values, passed_in, whole, arg_types)
    write_composite_calls(primal, values)  # s2s.hessian(f)(x): the jvp calls it stacks
    split_targets(primal.tree, primal.func)  # y[0], y[1] = v; s = (a, b) again: s_0, s_1
    fence(primal)
    checkpoint_loops(primal, options.checkpoint, options.functional)  # loops: defs of trips
    bound = bind_callables(primal, values or {})
    bound += passed_in  # functions passed in that a container went to whole, written out
    targets = resolve(primal)
    refuse_impure_trips(primal)  # a checkpointed loop's trips run again: no draws in them
    rewrite_vectorized(primal)  # vf(x) of a numpy.vectorize object: _s2s.vectorized(vf, x)
    primal.reserved = tuple(name for name, _ in signature or ())
    return_lines = return_lines_of(primal.tree)  # before early returns merge into one
    ir = normalize(primal, tuple_lengths(arg_types))
    ir.backend = backend  # read by the accumulation of scatter-adds (Dask's are functional)
    if options.replay:
        without_effects(primal, ir, refuse=options.replay == "helper")
    _stage(verbose, "normalize", lambda: _sweep_text(primal_only(ir)))
    # analysis
    loss = differentiated_output(primal, ir, mode, options.has_aux)
    activity = analyze(primal, ir, wrt, arg_types, tuple(atom_names(loss)))
    # reverse mode: the sweeps, then what the emitted function returns
    added = _added_parameters(ir, signature)  # a pullback's cotangent parameter
    entry, seed = interface(
        ir, activity, mode, wrt, single, loss, return_lines, options.has_aux, (added or [None])[0]
    )
    sweeps = reverse(primal, ir, activity, wrt, loss, seed, options.functional)
    with_checkpoint(sweeps.helpers, sweeps.primal, options.checkpoint)  # helpers: their loops too
    specialize_calls(sweeps.adjoint, activity.types)
    simplify(sweeps, activity.types, ir)
    scale_in_place(sweeps.adjoint, activity.types, ir, options.functional)
    apply_undefined_policy(sweeps, wrt, options.undefined)
    warnings, disconnected = disconnected_arguments(
        primal, ir, wrt, sweeps, activity, options.disconnected
    )
    # Dask arrays have no in-place add: a numpy buffer (a numpy weight's cotangent) would be
    # handed a Dask term with `out=`, which Dask refuses; accumulate functionally there
    in_place = not options.functional and not backend.functional_scatter
    fresh = {t for t in fresh_temporaries(ir) if not _small(activity.types.get(t))}
    optimize(sweeps, {p.name for p in ir.params}, fresh, in_place)
    peephole(sweeps, _floats(activity.types, sweeps))
    if options.functional:  # the tape holds copies of arrays written in place, not the arrays
        detach_written_saves(sweeps, ir, primal.filename)
        if backend is NUMPY:  # lists of parts with no None item (zeros are numpy arrays)
            dense_list_scatters(sweeps.adjoint)
    else:
        fold_linear_chains(sweeps.adjoint, activity.types, [*sweeps.gradients, sweeps.output])
    if backend is NUMPY and not options.functional:
        sum_outer_products(sweeps.adjoint, sweeps.names)
        share_cholesky_factors(sweeps, {p.name for p in ir.params})
        arrays = {w: arg_types[w] for w in wrt if _float_array(arg_types.get(w))}
        returned_as_is(sweeps, wrt, arrays)
        stores_with_out(sweeps, activity.types)  # (after: it reads the buffers)
    _stage(verbose, "reverse and optimize", lambda: _sweep_text(sweeps.primal + sweeps.adjoint))
    # emit and compile
    merge_repeated_comments(sweeps.primal)
    merge_repeated_comments(sweeps.adjoint)
    writer, fname = write_derivative(
        func,
        primal,
        ir,
        sweeps,
        entry,
        arg_types,
        activity,
        (options.disconnected, disconnected),
        keep_dead_primal=strict_floats or bool(ir.contexts),  # a `with` may make warnings raise
        functional=options.functional,
        params=[Param(n, k) for n, k in signature] if signature else None,
    )
    check_namespace(writer, backend, primal.filename)
    compiled = compile_factory(writer, fname, func, ",".join(wrt), backend.module)
    _mark_generated(compiled, mode, func, wrt)
    # its pops restore names' own old values, as do those of the tapes in its code (a
    # derivative differentiated again keeps its tape's name, or the new name the frontend gave
    # a tape bound anew: `tape = None`, then `tape_3 = []` where its sweep runs again)
    inherited = getattr(func, "__s2s_tape__", ())
    inherited += tuple(new for new, old in ir.renamed_lists.items() if old in inherited)
    compiled.function.__s2s_tape__ = (*inherited, sweeps.tape) if sweeps.tape else inherited
    compiled.sites = Sites.of(ir, sweeps)  # where a non-finite value is searched, if ever
    compiled.code, compiled.helpers = func.__code__, helpers_called(func, ir.flat, activity)
    compiled.checkpoint = options.checkpoint  # its helpers' sub-derivatives have it: .source
    _stage(verbose, "emit", lambda: compiled.source)
    undefined_wrt = frozenset(wrt) & frozenset(sweeps.undefined)
    return Generated(compiled, targets, warnings, func, undefined_wrt, tuple(dict.fromkeys(bound)))


def _by_forward_sweep(
    func: types.FunctionType,
    wrt: tuple[str, ...],
    mode: str,
    options: Options,
    arg_types: dict[str, VType],
    containers: dict | None,
) -> bool:
    """Whether a gradient is written as one forward sweep: the gradient of a derivative
    (higher order) with respect to one real scalar. A tangent of 1 for that scalar gives the
    same number as the reverse sweep, with no tape: reversing a derivative tapes its own tape,
    and the code grew 7-11 times per order on a loop with a branch (the fourth derivative 18 s,
    one forward sweep per order above the first 0.8 s). Options that only the reverse sweep
    honours keep it: ``has_aux``, ``checkpoint``, a ``disconnected`` policy other than zeros,
    the non-finite search's replay."""
    if not getattr(func, "__s2s_generated__", False) or mode not in (GRAD, VALUE_AND_GRAD):
        return False
    if len(wrt) != 1 or containers or options.has_aux or options.replay:
        return False
    if options.checkpoint is not None or options.disconnected != "zero":
        return False
    known = arg_types.get(wrt[0])
    return (
        known is not None and known.kind == "float" and known.dtype is not None
        and (known.array is False or known.shape == ())
    )  # fmt: skip


def _float_array(known: VType | None) -> bool:
    """A numpy array of float32 or float64 (its gradient buffer has its dtype)."""
    return known is not None and known.kind == "float" and known.array is True and (
        known.dtype in (np.dtype(np.float32), np.dtype(np.float64)))  # fmt: skip


def _floats(types: dict[str, VType], sweeps) -> set[str]:
    """The names known to hold floats: primal values of a float type, and the cotangents
    (adjoint names that are no primal value)."""
    floats = {n for n, t in types.items() if t.kind == "float"}
    adjoint = {n for block in sweeps.adjoint for stmt in block.body for n in name_list(stmt)
               if n.startswith("d_")}  # fmt: skip
    return floats | (adjoint - set(types))


_NAMES = {
    GRAD: "gradient",
    VALUE_AND_GRAD: "value and gradient",
    VJP: "VJP",
    PULLBACK: "pullback",
    JVP: "JVP",
}


def _mark_generated(compiled: Compiled, mode: str, func: types.FunctionType, wrt) -> None:
    """Mark generated code as s2s's own (its reserved names are allowed when it is
    differentiated again) and give it a title for its derivatives' docstrings."""
    function = compiled.function
    function.__s2s_generated__ = True
    title = getattr(func, "__s2s_title__", None) or func.__qualname__
    function.__s2s_title__ = f"(the {_NAMES[mode]} of {title} with respect to {', '.join(wrt)})"
    code = func.__code__  # the user's def, where errors about a derivative's arguments point
    function.__s2s_user_def__ = getattr(
        func, "__s2s_user_def__", (code.co_filename, code.co_firstlineno)
    )


def _generate_forward(
    func: types.FunctionType,
    wrt: tuple[str, ...],
    options: Options,
    arg_types: dict[str, VType],
    is_s2s_decorator: Callable[[gast.expr], bool],
    signature: list[tuple[str, str]] | None,
    containers: dict[str, tuple[TreeDef, list[str]]] | None = None,
    values: dict[str, Any] | None = None,
    gradient: tuple[str, bool] | None = None,
    whole: bool = False,
) -> Generated:
    """Forward mode: the same frontend and analysis, then the interleaved sweep.

    ``gradient`` is ``(mode, single)`` of a ``grad`` or ``value_and_grad`` written as one
    forward sweep (:func:`_by_forward_sweep`): the primal's parameters, the ``wrt`` scalar's
    tangent set to one inside, the gradient returned as ``grad`` returns it."""
    # imported at the first jvp: a process that only takes gradients never loads forward mode
    from s2s.forward.entry import forward, tangent_parameters, write_jvp

    verbose = options.verbose
    primal = parse(func)
    strip_decorators(primal, is_s2s_decorator)
    free_added_names(primal, signature)  # a local named as an added parameter: renamed
    expand_dict_comprehensions(primal.tree, containers or {}, primal.where)
    primal.checked += lower_records(primal.tree, func)  # p = Params(w=..., b=...); p.w: p_w
    passed_in: list[Any] = []
    if containers or gives_dict(primal.tree, values):  # s2s.grad(f)({"w": w, ...}) too
        _lower_containers(primal, containers or {}, func, values, passed_in, whole, arg_types)
    write_composite_calls(primal, values)  # s2s.hessian(f)(x): the jvp calls it stacks
    split_targets(primal.tree, primal.func)  # y[0], y[1] = v; s = (a, b) again: s_0, s_1
    fence(primal)
    bound = bind_callables(primal, values or {})
    bound += passed_in  # functions passed in that a container went to whole, written out
    targets = resolve(primal)
    rewrite_vectorized(primal)  # vf(x) of a numpy.vectorize object: _s2s.vectorized(vf, x)
    return_lines = return_lines_of(primal.tree)  # before early returns merge into one
    ir = normalize(primal, tuple_lengths(arg_types))
    _stage(verbose, "normalize", lambda: _sweep_text(primal_only(ir)))
    returns = ir.returns
    outputs = tuple(atom_names(returns))
    primal_types = {p.name: arg_types[p.name] for p in ir.params if p.name in arg_types}
    activity = analyze(primal, ir, wrt, primal_types, outputs, forward=True)
    params = [Param(n, k) for n, k in signature] if signature else list(ir.params)
    if gradient is None:
        public = _tangent_names(ir, wrt, signature)
    else:  # the tangents are the sweep's own: ``x_dot = 1``
        public = {w: f"{w}_dot" for w in wrt}
    tangents, names = tangent_parameters(ir, wrt, public, params)
    sweep = forward(primal, ir, activity, wrt, tangents, names, options.functional)
    _stage(verbose, "forward", lambda: _sweep_text(sweep.result))
    merge_repeated_comments(sweep.result)
    writer, fname, warnings = write_jvp(
        func, primal, ir, sweep, tangents, primal_types, activity,
        (options.disconnected, options.undefined),
        (*gradient, return_lines) if gradient else None,
    )  # fmt: skip
    compiled = compile_factory(writer, fname, func, ",".join(wrt))
    _mark_generated(compiled, gradient[0] if gradient else JVP, func, wrt)
    compiled.code, compiled.helpers = func.__code__, helpers_called(func, ir.flat, activity)
    compiled.subcalls = "jvp"  # .source shows its helpers' JVPs
    # a JVP of a derivative runs that derivative's tapes, and their tangents beside them
    # (`tape_dot`): their pops give back old values, as the reverse sweep's own do
    inherited = getattr(func, "__s2s_tape__", ())
    inherited += tuple(new for new, old in ir.renamed_lists.items() if old in inherited)
    compiled.function.__s2s_tape__ = inherited + tuple(f"{t}_dot" for t in inherited)
    _stage(verbose, "emit", lambda: compiled.source)
    undefined_wrt = frozenset(wrt) if gradient and sweep.state.undefined else frozenset()
    return Generated(compiled, targets, warnings, func, undefined_wrt,
                     bound=tuple(dict.fromkeys(bound)))  # fmt: skip


def _added_parameters(ir: FunctionIR, signature: list[tuple[str, str]] | None) -> list[str]:
    """The parameters ``signature`` adds to the primal's (tangents, a pullback's cotangent)."""
    own = {p.name for p in ir.params}
    return [n for n, _ in signature or [] if n not in own]


def _tangent_names(
    ir: FunctionIR, wrt: tuple[str, ...], signature: list[tuple[str, str]] | None
) -> dict[str, str]:
    """Each ``wrt`` name's tangent parameter: the parameters ``signature`` adds to the
    primal's, in ``wrt`` order."""
    added = _added_parameters(ir, signature)
    if len(added) != len(wrt):  # pragma: no cover - the derivative object builds both
        raise ValueError(f"expected {len(wrt)} tangent parameters, got {added}")
    return dict(zip(wrt, added))


def return_lines_of(tree: gast.FunctionDef) -> list[int]:
    """The lines of the function's own ``return`` statements (not of nested defs')."""
    lines: list[int] = []
    pending: list[gast.AST] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (gast.FunctionDef, gast.AsyncFunctionDef, gast.Lambda)):
            continue
        if isinstance(node, gast.Return) and getattr(node, "lineno", None):
            lines.append(node.lineno)
        pending.extend(child_nodes(node))
    return sorted(set(lines))


def _lower_containers(primal: Primal, containers: dict[str, tuple[TreeDef, list[str]]],
                      func: Any, values: dict[str, Any] | None, passed_in: list[Any],
                      whole: bool, arg_types: dict[str, VType]) -> None:  # fmt: skip
    """Each container parameter's reads as reads of its leaves (s2s/frontend/containers.py):
    the leaves are parameters, or with ``whole`` read from the container at the top."""
    params = [a.id for a in primal.tree.args.args if isinstance(a, gast.Name)]
    rename_rebound_containers(primal, containers)  # a pullback's checked cotangent
    primal.checked += lower_containers(
        primal.tree, containers, primal.where, func, values, passed_in,
        {n: t.kind == "float" for n, t in arg_types.items()},
    )
    if whole:
        keep_whole(primal.tree, containers, params)
    elif containers:  # (none: only derivative calls given a dict literal were lowered)
        primal.notes = describe_containers(containers)  # comments atop the generated code


def tuple_lengths(arg_types: dict[str, VType]) -> dict[str, int]:
    """The number of items of each tuple argument (normalize gives each item a name)."""
    return {n: len(t.value) for n, t in arg_types.items() if t.kind == "tuple"}


def fresh_temporaries(ir: FunctionIR) -> set[str]:
    """Temporaries holding arrays s2s allocated: results of ufuncs and of matmul."""
    fresh = set()
    for stmt in ir.flat:
        if len(stmt.targets) != 1 or stmt.targets[0] not in ir.temporaries or stmt.unpack:
            continue
        rule = registry.lookup(stmt.op) if not isinstance(stmt.op, Marker) else None
        if rule is not None and (rule.kind == registry.ELEMENTWISE or stmt.op is np.matmul):
            fresh.add(stmt.targets[0])
    return fresh




def _small(known: VType | None) -> bool:
    """Whether a temporary is proven smaller than :data:`SMALL_BYTES`: writing into it with
    ``_s2s.into`` then costs more than the fresh allocation it saves (a Python call and
    checks against a reused small block: 1.1-1.6 times ``t + y`` up to 16,384 float64
    entries, 0.93 at 32,768 and far less above, where a new array is mapped and faulted in;
    taskset -c 0, median of 9)."""
    if known is None or known.shape is None or known.dtype is None:
        return False
    return int(np.prod(known.shape)) * known.dtype.itemsize < SMALL_BYTES


def primal_only(ir: FunctionIR) -> list[Block]:
    """The normal form as one block of statements (what ``verbose`` prints after normalize)."""
    return [Block(None, [primal_statement(s) for s in ir.flat])]


def _stage(verbose: int, title: str, text: Callable[[], str]) -> None:
    if verbose:
        print(f"--- s2s: after {title} ---\n{text()}")


def _sweep_text(blocks: list[Block]) -> str:
    writer = Writer()
    writer.blocks(blocks, 0)
    return writer.text()
