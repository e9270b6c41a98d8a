"""Activity: which values depend on a ``wrt`` input and reach the output, with static dtypes.

Before: the normal form of ``f``; after, the names that depend on ``x`` and reach the output
(``n`` is an integer, ``c`` does not depend on ``x``):

>>> import numpy as np
>>> from s2s.analysis.dtypes import vtype_of
>>> from s2s.frontend.normalize import normalize
>>> from s2s.frontend.parse import parse
>>> from s2s.frontend.resolve import resolve
>>> def f(x, n):
...     c = np.cos(float(n))
...     return np.sum(np.sin(x) * c)
>>> p = parse(f); _ = resolve(p); ir = normalize(p)
>>> types = {"x": vtype_of(np.ones(3)), "n": vtype_of(2)}
>>> sorted(analyze(p, ir, ("x",), types, ("sum_1",)).active)
['multiply_1', 'sin_1', 'sum_1', 'x']
"""

from __future__ import annotations

import builtins
import inspect
import types
from dataclasses import dataclass, field
from typing import Any

import gast
import numpy as np

from s2s import registry, runtime
from s2s.analysis.aliasing import check_statement, differentiable_reads
from s2s.analysis.derivatives import (
    composite_call,
    derivative_callee,
    is_derivative,
    local_derivative_signature,
)
from s2s.analysis.dropped import check_dropped
from s2s.analysis.dtypes import UNKNOWN, VType, bound_arguments, infer, joined, tape_restores
from s2s.analysis.norule import no_rule_message, rebound_tuple
from s2s.analysis.paths import (
    atom_list_names,
    backward_closure,
    connecting_reads,
    connects,
)
from s2s.analysis.static_shapes import with_shape
from s2s.codegen.ir import (
    APPEND,
    ATTRIBUTE,
    COPY,
    ITEMS,
    LOCAL_CALL,
    OPAQUE,
    POP,
    SETITEM,
    Branch,
    FunctionIR,
    Loop,
    Marker,
    Stmt,
    atom_names,
)
from s2s.errors import (
    DtypeError,
    NoRuleError,
    UnsupportedArgumentError,
    UnsupportedSyntaxError,
)
from s2s.frontend.parse import Primal
from s2s.frontend.resolve import is_library


@dataclass
class Binding:
    """A call site bound to its rule template: parameter name -> atom (or tuple of atoms).

    For a call to the user's own function, ``rule`` is ``None`` and ``callee`` is the
    function: it is differentiated by a sub-derivative called in split form.
    """

    rule: registry.Rule | None
    arguments: dict[str, Any]
    active_params: list[str] = field(default_factory=list)
    callee: Any = None


@dataclass(eq=False)
class Activity:
    """The result of activity analysis.

    Attributes:
        types: static type of every SSA name.
        active: names that depend on a ``wrt`` input and that the output depends on.
        bindings: for each active statement (by index), its bound rule.
        structural_uses: for each ``wrt`` name, statements that read only its metadata.
        connected: the ``wrt`` names with a data path to the output (maybe a zero cotangent).
        arguments: each parameter's type at entry (its argument's), whatever rebinds it later.
    """

    types: dict[str, VType]
    active: set[str]
    bindings: dict[int, Binding]
    structural_uses: dict[str, list[Stmt]]
    connected: set[str]
    arguments: dict[str, VType] = field(default_factory=dict)


# structural parameters that take strings, ints or tuples: an array there is a misplaced
# argument (einsum's sublist form), whose gradient would otherwise be silently dropped
_NOT_ARRAYS = {
    "subscripts", "axis", "axes", "shape", "newshape", "keepdims", "ddof", "source",
    "destination", "axis1", "axis2", "offset", "k", "order", "dtype",
}  # fmt: skip


def _differentiates(stmt: Stmt) -> bool:
    """Whether cotangents can flow through ``stmt`` (true also for ops that will need a rule)."""
    op = stmt.op
    if op is COPY or op is SETITEM or op is APPEND or op is LOCAL_CALL or op is ITEMS:
        return True
    if op is POP:
        return True
    if isinstance(op, Marker):
        return op is OPAQUE
    if op is runtime.stop_gradient or op is runtime.zero_grad:
        return False
    rule = registry.lookup(op)
    return rule is None or rule.kind != registry.PIECEWISE_CONSTANT


def analyze(
    primal: Primal,
    ir: FunctionIR,
    wrt: tuple[str, ...],
    arg_types: dict[str, VType],
    outputs: tuple[str, ...],
    forward: bool = False,
) -> Activity:
    """Compute static types, bind active calls to their rules and find the active names.

    ``outputs`` are the returned names whose cotangents are seeded (the loss, not the aux);
    in ``forward`` mode, every returned name (a tangent is pushed to each output), and a rule
    must give a tangent rather than an adjoint. In a derivative's code differentiated again, a
    tangent check depends on the primal it reads for nothing (``_s2s.check_tangent(x_dot, x,
    ...)`` reads ``x`` for its shape only: :func:`s2s.analysis.paths.connecting_reads`).

    Raises:
        NoRuleError: an active value reaches a library function without a rule, a user function
            or an expression s2s does not differentiate.
        UnsupportedArgumentError: an active call passes a keyword its rule does not support.
        MutationError: ``x op= y`` on an array that may be the caller's or a view.
    """
    # a derivative's own code differentiated again: its tangent checks read the primal for
    # its shape only (`_s2s.check_tangent(x_dot, x, ...)`); any other call connects through
    # all it reads (a runtime helper's structural argument may still carry a dependence: a
    # list of a vectorize helper's cotangents, a np.vectorize object built from a partial)
    generated = getattr(primal.func, "__s2s_generated__", False)

    def own_reads(stmt: Stmt) -> list[str]:
        if generated and stmt.op is runtime.check_tangent:
            return connecting_reads(stmt)
        return differentiable_reads(stmt)

    flat = ir.flat
    loops = len(flat) != len(ir.body) or any(not isinstance(s, Stmt) for s in ir.body)
    types: dict[str, VType] = dict(arg_types)
    for loop in _loops(ir.body):  # every `for` is over range(...): its index is an int
        if loop.target is not None:
            types[loop.target] = VType("int", np.dtype(np.int64), False, True)
    varied = {name for name in wrt if types.get(name, UNKNOWN).kind in ("float", "tuple")}
    restores = tape_restores(primal.func, flat, ir.renamed_lists)
    sweep = 0
    assigned: set[str] = set()
    while True:  # until nothing changes: a loop carries values back to its top
        before, types_before = len(varied), dict(types)
        for stmt in flat:
            if sweep == 0:
                check_statement(primal, ir, stmt, types)
            out_type = with_shape(infer(stmt, types), stmt, types)
            reads = own_reads(stmt)  # (in s2s's code, not a runtime call's structural ones)
            is_varied = _differentiates(stmt) and any(n in varied for n in reads)
            if is_varied and out_type.kind == "complex":
                raise DtypeError(
                    "this line makes a complex value from one the gradient depends on; complex "
                    "numbers are not supported yet",
                    primal.where(stmt.node),
                    "keep the computation real (np.hypot for moduli, separate real and imaginary "
                    "parts), or wrap the value in s2s.stop_gradient(...)",
                )
            if id(stmt) in restores:  # an old value of the name back from s2s's own tape:
                continue  # the name's type and activity are its other bindings'
            for position, target in enumerate(stmt.targets):
                new_type = out_type if not stmt.unpack else UNKNOWN
                if stmt.op is ITEMS:  # the items of a tuple argument: their own types
                    new_type = arg_types[atom_names(stmt.args[0])[0]].value[position]
                if target in ir.carried and (target in assigned or target in arg_types):
                    new_type = joined(types[target], new_type)  # its bindings' common type
                types[target] = new_type
                assigned.add(target)
                if is_varied and types[target].kind in ("float", "unknown"):
                    varied.add(target)
                elif is_varied and stmt.op in (ITEMS, COPY) and types[target].kind == "tuple":
                    varied.add(target)  # a tuple item of a tuple argument (or its copy,
                    # `p_item_1 = p_item_3` where code unpacking p is differentiated again)
        sweep += 1
        if not loops or (len(varied) == before and types == types_before) or sweep > 50:
            break
    useful = backward_closure(flat, set(outputs), varied, _differentiates)
    active = varied & useful
    connected = backward_closure(flat, set(outputs), None, connects, connecting_reads)
    _refuse_varied_callees(primal, ir, flat, varied, connected)
    bindings: dict[int, Binding] = {}
    for index, stmt in enumerate(flat):
        if not any(t in active for t in stmt.targets):
            continue
        if not (_differentiates(stmt) and any(n in varied for n in own_reads(stmt))):
            continue  # `h = np.zeros(3)` before a loop makes h active: this value is constant
        if stmt.op is COPY:
            if stmt.unpack:
                raise UnsupportedSyntaxError(
                    "unpacking this value into names is not differentiated: s2s unpacks tuples "
                    "written in the function, a helper's flat `return a, b`, and functions with "
                    "several outputs",
                    primal.where(stmt.node),
                    "index the value instead (`a, b = x[0], x[1]`), or return a flat tuple",
                )
            continue
        if stmt.op is runtime.undefined_grad or stmt.op in (SETITEM, APPEND, ITEMS, POP):
            continue  # adjoints written by the tape sweep: no rule to bind
        bindings[index] = _bind(primal, stmt, active, ir, forward)
        rule = bindings[index].rule
        if stmt.unpack and rule is not None and rule.n_outputs != len(stmt.targets):
            raise UnsupportedSyntaxError(  # u, v = ys[i] of a list of lists, for u, v in ys
                "unpacking this value into names is not differentiated: s2s unpacks tuples "
                "written in the function, a helper's flat `return a, b`, and functions with "
                "several outputs",
                primal.where(stmt.node),
                "bind the value to a name and index it: `v = ...` then `a, b = v[0], v[1]` "
                "(or `y[0], y[1] = v[0], v[1]`; over a list of pairs, `for p in ps:` then "
                "`a, b = p[0], p[1]`)",
            )
    check_dropped(primal, ir, flat, varied, connected, types)  # np.r_[x, y]: never zeros
    structural = {name: [s for s in flat if _metadata_use(s, name)] for name in wrt}
    return Activity(types, active, bindings, structural, connected & set(wrt), dict(arg_types))


def _refuse_varied_callees(primal, ir, flat, varied: set[str], connected: set[str]) -> None:
    """A call of a function that is itself a value the gradient depends on (the pullback a
    ``vjp`` returned, a closure made from such values) is a data path the arguments alone do
    not show: refused, never a silent zero."""
    for stmt in flat:
        func = stmt.expr.func if isinstance(stmt.expr, gast.Call) else None
        if not isinstance(func, gast.Name) or func.id not in varied:
            continue
        if not any(t in connected for t in stmt.targets):
            continue
        user = ir.original.get(func.id, func.id)
        raise NoRuleError(
            f"`{user}` is a function made from values the gradient depends on (the pullback "
            "a vjp returns, or a function returned by a call with them), so calling it is not "
            "differentiated",
            primal.where(stmt.node),
            "call a grad, value_and_grad or jvp derivative here (`s2s.grad(f)(x)`), or "
            "differentiate `np.sum(ct * f(x))` with s2s.grad",
        )


def _loops(body: list[Any]):
    for item in body:
        if isinstance(item, Loop):
            yield item
            yield from _loops(item.test_body + item.body + item.orelse)
        elif isinstance(item, Branch):
            yield from _loops(item.body + item.orelse)


def _describe_expression(expr: Any) -> str:
    names = {
        gast.Tuple: "a tuple",
        gast.List: "a list",
        gast.Dict: "a dict",
        gast.Set: "a set",
        gast.JoinedStr: "an f-string",
        gast.Attribute: f"the attribute `.{getattr(expr, 'attr', '')}`",
    }
    return names.get(type(expr), "this expression")


def _metadata_use(stmt: Stmt, name: str) -> bool:
    """Whether ``stmt`` reads only ``name``'s metadata (``x.shape``, ``len(x)``, ``zeros_like``)."""
    if not stmt.args or atom_names(stmt.args[0]) != [name]:
        return False
    if stmt.op is ATTRIBUTE:
        return True
    rule = registry.lookup(stmt.op) if not isinstance(stmt.op, Marker) else None
    return rule is not None and rule.metadata


def describe_metadata_use(stmt: Stmt) -> str:
    """``for its shape``, ``by len()``: how a structural use reads its argument."""
    if stmt.op is ATTRIBUTE:
        return f"for its {stmt.expr.attr}"
    return f"by {registry.qualified_name(stmt.op).replace('builtins.', '')}()"


def _is_user_method(op: Any) -> bool:
    """A method of the user's own class bound to an instance (``net.forward``)."""
    return (
        isinstance(op, types.MethodType)
        and isinstance(op.__func__, types.FunctionType)
        and not is_library(op.__func__)
    )


def _describe(op: Any) -> str:
    return registry.qualified_name(op)


def _bind(
    primal: Primal, stmt: Stmt, active: set[str], ir: FunctionIR, forward: bool = False
) -> Binding:
    where = primal.where(stmt.node)
    inputs = [n for n in differentiable_reads(stmt) if n in active]
    named = [ir.original.get(n, n) for n in inputs if n not in ir.temporaries]
    used = f"`{named[0]}`" if named else "a value computed on this line"
    if stmt.op is LOCAL_CALL:
        return _bind_call(primal, stmt, active, where, stmt.value_hint)
    if stmt.op is OPAQUE and (local := local_derivative_signature(ir, stmt)) is not None:
        _split_keywords(stmt)
        return _bind_call(primal, stmt, active, where, local, "a derivative of a nested def")
    refusal = composite_call(ir, stmt)
    if refusal is not None:  # `s2s.hvp(f)(x, v)`, `H(x)` of a module-level H = s2s.hessian(f)
        raise NoRuleError(
            f"{refusal[0]}; the call uses {used}, and s2s writes a call inside a function "
            "being differentiated as the jvp calls it stacks only for an hvp, or a hessian or "
            "jacobian of one array or scalar argument (not several, a container or *args)",
            where,
            refusal[1],
        )
    if stmt.op is OPAQUE:  # `s2s.grad(f)(x)`, `_s2s.jvp_of(g, wrt)(...)`: a derivative's call
        derivative = derivative_callee(primal, ir, stmt)
        if derivative is not None:
            _split_keywords(stmt)
            return _bind_derivative(primal, stmt, active, where, derivative)
    receiver = stmt.args[0] if stmt.args else None
    held = primal.values.get(receiver.id) if isinstance(receiver, gast.Name) else None
    if stmt.op is OPAQUE and stmt.method is not None and isinstance(held, np.ndarray):
        raise NoRuleError(f"`{receiver.id}` holds a numpy array in this call, and arrays have "
                          f"no method `.{stmt.method}(...)`; it uses {used}", where,
                          "check the order of the derivative's arguments (its signature shows "
                          "it): jvp and hvp take each direction (`x_dot`) after the function's "
                          "arguments without defaults: `s2s.hvp(f)(x, net, v)` for "
                          "`def f(x, net)`")  # fmt: skip  (hvp(f)(x, v, net): v went into net)
    if stmt.op is OPAQUE and stmt.method is not None:
        raise NoRuleError(
            f"`.{stmt.method}(...)` is called on a value that is not an array (a module or an "
            f"object), so s2s cannot tell which function it is; it uses {used}",
            where,
            "call numpy functions through the numpy module (`np.sum(x)`), or register a rule "
            "for the function with @s2s.adjoint",
        )
    if stmt.op is OPAQUE and isinstance(stmt.expr, gast.Tuple) and stmt.targets:
        raise rebound_tuple(primal, stmt, ir, active)  # `st = (x, y)`, then again in a loop
    unresolved = getattr(stmt.expr, "s2s_unresolved", None)  # a callable known at run time
    if stmt.op is OPAQUE and unresolved is not None:
        raise NoRuleError(
            f"s2s cannot tell which function is called here when the derivative is made: "
            f"{unresolved}; the call uses {used}",
            where,
            "pass the function as an argument (`def f(x, act)`), keep it in an attribute or a "
            "dict, list or tuple item of an argument or a global (`self.act`, `CFG['act']`), "
            "loop over a tuple of functions, or call it by name; to choose by a value, call "
            "each and select with np.where",
        )
    refusal = getattr(stmt.expr, "s2s_refusal", None)  # a local dict, a `with ... as v`
    if stmt.op is OPAQUE and refusal is not None:
        message, location, advice = refusal
        raise NoRuleError(f"{message}; it uses {used}", location, advice)
    if stmt.op is OPAQUE and isinstance(stmt.expr, (gast.Dict, gast.DictComp)):
        raise NoRuleError(  # (s2s.stop_gradient would drop the gradient the dict carries)
            f"a dict of values that carry a gradient, made here and used whole (passed to a "
            f"call, returned), is not differentiated; it uses {used}",
            where,
            "pass the arrays themselves, or a list or tuple of them (which s2s follows); a "
            "dict literal given to a derivative object known when s2s generates "
            "(`s2s.grad(f)({'w': w})`, `DF({...})` of a module-level DF) is passed leaf by "
            "leaf; for another, differentiate `f` to the order you need instead "
            "(`s2s.jvp(s2s.grad(f))`)",
        )
    if stmt.op is OPAQUE and isinstance(stmt.expr, (gast.Set, gast.SetComp)):
        raise NoRuleError(
            f"a set of values that carry a gradient is not supported (a set merges and orders "
            f"its items by value); it uses {used}",
            where,
            "keep the values in a list or a tuple, or in a dict with constant keys",
        )
    if stmt.op is OPAQUE:
        what = _describe_expression(stmt.expr)
        maker = next((s for s in ir.flat if set(inputs) & set(s.targets) and isinstance(
            s.op, type) and not is_library(s.op)), None)  # s = State(...), then s.pos
        if maker is not None:  # the object is the cause: refused where it is made
            _bind(primal, maker, active | set(differentiable_reads(maker)), ir, forward)
        raise NoRuleError(
            f"{what} is not differentiated, but it uses {used}, "
            "which the output's gradient depends on",
            where,
            "rewrite it with numpy operators and functions, or wrap the value in "
            "s2s.stop_gradient(...) if no gradient should flow through it",
        )
    rule = registry.lookup(stmt.op)
    if rule is None and isinstance(stmt.op, np.vectorize):  # not written _s2s.vectorized(vf, x)
        message, advice = getattr(stmt.expr.func, "s2s_refused", None) or (
            f"this call of a numpy.vectorize object (of {_describe(stmt.op.pyfunc)}) is not "
            "differentiated (reached in a way s2s does not rewrite)",
            "call the object by a name bound to it (`vf(x, y)`)",
        )  # frontend/vectorized.py says why it left the call as written
        raise NoRuleError(f"{message}; the call uses {used}", where, advice)
    if rule is None:
        name = _describe(stmt.op)
        if is_derivative(stmt.op):  # a derivative object bound when generating (higher order)
            return _bind_derivative(primal, stmt, active, where, stmt.op)
        if isinstance(stmt.op, types.FunctionType) and not is_library(stmt.op):
            return _bind_call(primal, stmt, active, where, callee=runtime.source_of(stmt.op))
        if _is_user_method(stmt.op):  # net.forward(x): a method of the user's own class
            return _bind_call(primal, stmt, active, where)
        elif isinstance(stmt.op, type) and not is_library(stmt.op):
            message = (f"making an object of your class {name} from {used} inside the function"
                       " is supported only for a NamedTuple or plain dataclass bound once and "
                       "read only through its fields (`p.w`): not this class, or not so used")
            advice = ("read it only as `p.field`, or keep the values in local names; or make the "
                      "object outside and pass it in (it may be in wrt; methods are followed)")
        elif callable(stmt.op) and not is_library(stmt.op):
            message = f"calls to {name} (not a Python function with source) are not differentiated"
            advice = f"register a rule for it with @s2s.adjoint({name})"
        else:
            message, advice = no_rule_message(stmt.op, name, used)
            library = (getattr(stmt.op, "__module__", None) or "").split(".")[0]
            if library in ("dask", "cupy"):
                advice = (
                    f"call numpy's function of that name instead (numpy hands {library} arrays "
                    f"to {library}, and s2s has numpy's rules), or {advice}"
                )
        raise NoRuleError(message, where, advice)
    _check_mode_rule(rule, forward, where)
    template = rule.parsed() if rule.template is not None else rule.parsed_tangent()
    try:
        bound = bound_arguments(rule, stmt.args, stmt.kwargs)
    except TypeError as exc:
        if stmt.op in (builtins.max, builtins.min) and len(stmt.args) == 1:
            raise UnsupportedArgumentError(
                f"{stmt.op.__name__}() of one list or tuple is differentiated only when its "
                "items are written in the call",
                where,
                f"write {stmt.op.__name__}(a, b, ...) or {stmt.op.__name__}([a, b, ...]), or "
                f"np.{stmt.op.__name__}(np.stack(xs)) for a list built with append",
            ) from exc
        raise UnsupportedArgumentError(
            f"{rule.name} is called with arguments its derivative rule does not support ({exc})",
            where,
            f"the rule supports: {', '.join(template.params)}; drop the other arguments "
            "(an `out=` array can be replaced by assigning the result)",
        ) from None
    active_params = []
    for name, atom in bound.items():
        if name in rule.structural:
            carried = [n for n in atom_list_names(atom) if n in active]
            if carried and name in rule.no_derivative:
                raise UnsupportedArgumentError(
                    f"{rule.name} is differentiated here in `{name}`, in which its rule gives "
                    f"no derivative: {rule.no_derivative[name]}",
                    where,
                    f"pass a constant as `{name}`, or wrap it in s2s.stop_gradient(...) if no "
                    "gradient should flow through it",
                )
            if carried and name in _NOT_ARRAYS and rule.kind != registry.PIECEWISE_CONSTANT:
                shown = ir.original.get(carried[0], carried[0])
                raise UnsupportedArgumentError(
                    f"`{shown if carried[0] not in ir.temporaries else 'a computed value'}` "
                    f"is passed to {rule.name} as `{name}`, an argument that carries no "
                    "gradient, but the output's gradient depends on it",
                    where,
                    f"pass it as one of the differentiable arguments "
                    f"({', '.join(p for p in template.params if p not in rule.structural)})"
                    + (
                        ", and write einsum's subscripts as a string"
                        if name == "subscripts"
                        else ""
                    ),
                )
            continue  # a structural argument never carries a gradient
        if any(n in active for n in atom_list_names(atom)):
            active_params.append(name)
    return Binding(rule, bound, active_params)


def _check_mode_rule(rule: registry.Rule, forward: bool, where: Any) -> None:
    """A rule for one mode only: ``NoRuleError`` naming the decorator that adds the other."""
    if rule.kind != registry.ADJOINT:
        return  # elementwise and linear rules give both modes; piecewise-constant ones need none
    if forward and rule.tangent is None:
        raise NoRuleError(
            f"{rule.name} has a reverse rule (@s2s.adjoint) but no forward rule, so forward mode "
            "(jvp, hvp, jacobian in forward mode) cannot push a tangent through it",
            where,
            f"register one with @s2s.tangent({rule.name}) beside its @s2s.adjoint, or use a "
            "reverse-mode derivative",
        )
    if not forward and rule.template is None:
        raise NoRuleError(
            f"{rule.name} has a forward rule (@s2s.tangent) but no reverse rule, so reverse mode "
            "cannot pull a cotangent back through it",
            where,
            f"register one with @s2s.adjoint({rule.name}), or use s2s.jvp (forward mode)",
        )


def _split_keywords(stmt: Stmt) -> None:
    """An opaque call's atoms are its positional and keyword arguments in one list; a call of
    a derivative object binds them as the call passes them (``d(ct, x, scale=scale)``)."""
    if isinstance(stmt.expr, gast.Call) and not stmt.kwargs:
        # `tuple(xs)`: a local list passed as a tuple (frontend/outputs.py), its atom `xs`
        stmt.args = [a.args[0] if isinstance(a, gast.Call) else a for a in stmt.expr.args]
        stmt.kwargs = {k.arg: k.value for k in stmt.expr.keywords}


def _bind_derivative(
    primal: Primal, stmt: Stmt, active: set[str], where: Any, derivative: Any
) -> Binding:
    """A call of a derivative object: differentiated through its generated code, like a call
    of the user's own function (a ``vjp``, whose pullback is a closure, is refused)."""
    if not is_derivative(derivative):  # the owner-inserting wrapper of a method's derivative
        raise NoRuleError(
            "a second derivative through a bound method or an object with `__call__` passed "
            "as a value (`act=Softplus(0.7)`, `net.forward`) is not supported yet",
            where,
            "pass a plain function or a functools.partial of one (`functools.partial("
            "softplus, c=0.7)`) instead of a method or callable object",
        )
    if derivative.mode == "vjp":
        raise NoRuleError(
            f"{derivative!r} returns a pullback function, which s2s cannot differentiate",
            where,
            "call a grad, value_and_grad or jvp derivative here, or differentiate "
            "`np.sum(ct * f(x))` with s2s.grad",
        )
    return _bind_call(primal, stmt, active, where, inspect.signature(derivative), derivative)


def _bind_call(
    primal: Primal,
    stmt: Stmt,
    active: set[str],
    where: Any,
    signature: Any = None,
    callee: Any = None,
) -> Binding:
    """A call to the user's own function (or a nested def, whose ``signature`` is given, or a
    derivative object): which of its parameters receive active values."""
    callee = callee if callee is not None else stmt.op if signature is None else "nested def"
    signature = signature or inspect.signature(callee)
    try:
        bound = signature.bind(*stmt.args, **stmt.kwargs)
    except TypeError as exc:
        raise UnsupportedArgumentError(
            f"the call to {getattr(callee, '__qualname__', callee)} does not match its "
            f"signature ({exc})",
            where,
            "pass the arguments the function takes",
        ) from None
    params = signature.parameters
    active_params = []
    for param, atom in bound.arguments.items():
        kind = params[param].kind
        if kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            if any(n in active for a in (atom.values() if isinstance(atom, dict) else atom)
                   for n in atom_names(a)):  # fmt: skip
                raise UnsupportedArgumentError(
                    f"a value the gradient depends on is passed to "
                    f"{getattr(callee, '__qualname__', callee)} "
                    f"through {'**' if kind is inspect.Parameter.VAR_KEYWORD else '*'}{param}",
                    where,
                    "give that argument a named parameter",
                )
            continue
        if any(n in active for n in atom_names(atom)):
            active_params.append(param)
    return Binding(None, dict(bound.arguments), active_params, callee)
