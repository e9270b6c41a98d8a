"""Derivatives: calls of derivative objects inside differentiated code, found at generation.

A derivative object (``s2s.grad(f)``, ``s2s.jvp(f)``, a sub-derivative that generated code
makes with ``_s2s.jvp_of`` or ``_s2s.pullback_of``) is called like a user function and
differentiated through its own generated code (higher order, DESIGN 10). It is found either
as a call target bound when generating (a module-level ``df = s2s.grad(f)``), or as the result
of a call of a derivative factory whose arguments are known when generating:
``s2s.grad(f)(x)`` in a helper, ``_s2s.jvp_of(g, ("a",))(a_dot, a)`` in generated code.
"""

from __future__ import annotations

import inspect
from typing import Any

import gast

from s2s import runtime
from s2s.codegen.ir import DEF, ITEMS, OPAQUE, FunctionIR, Stmt
from s2s.errors import NoRuleError, composite_refusal
from s2s.frontend.callkeys import Bound, callable_key, read_path
from s2s.frontend.parse import Primal
from s2s.frontend.resolve import MISSING, Target, lookup_target, name_chain, root_value

_UNKNOWN = object()


def is_derivative(obj: Any) -> bool:
    """A derivative object s2s made (``s2s.grad(f)``, ``s2s.jvp(f)``, ...)."""
    return getattr(obj, "__s2s_derivative__", False) is True


def derivative_callee(primal: Primal, ir: FunctionIR, stmt: Stmt) -> Any:
    """The derivative object ``stmt`` calls when it calls a name bound, in this function, by a
    derivative factory (``d = s2s.jvp(g)`` then ``d(x, v)``; ``s2s.grad(f)(x)``), else ``None``.

    Raises ``NoRuleError`` when the factory's arguments are values of this function, which
    generation cannot know."""
    func = stmt.expr.func if isinstance(stmt.expr, gast.Call) else None
    if not isinstance(func, gast.Name):
        return None
    maker = next((s for s in ir.flat if func.id in s.targets), None)
    if maker is None or maker.unpack or not getattr(maker.op, "__s2s_factory__", False):
        return None
    return _made(primal, ir, stmt, maker)


def composite_call(ir: FunctionIR, stmt: Stmt) -> tuple[str, str] | None:
    """The refusal (:func:`~s2s.errors.composite_refusal`) of a call of an ``hvp``, ``hessp``,
    ``hessian`` or ``jacobian`` object: bound when generating, or made in this function."""
    if stmt.op is not OPAQUE:
        try:
            return composite_refusal(stmt.op)
        except TypeError:  # pragma: no cover - an op whose type cannot be read
            return None
    func = stmt.expr.func if isinstance(stmt.expr, gast.Call) else None
    if not isinstance(func, gast.Name):
        return None
    maker = next((s for s in ir.flat if func.id in s.targets), None)
    kind = getattr(maker.op, "__s2s_makes__", None) if maker is not None else None
    return composite_refusal(None, kind) if isinstance(kind, str) else None


def local_derivative_signature(ir: FunctionIR, stmt: Stmt) -> inspect.Signature | None:
    """The signature of ``_s2s.pullback_of(g, wrt)`` or ``_s2s.jvp_of(g, wrt)`` when ``stmt``
    calls one made from ``g``, a nested ``def`` of this function (a derivative of code with a
    nested def, differentiated again), or from such an object in turn (that code
    differentiated a third time: ``_s2s.pullback_of(pullback_of_1, wrt)``), else ``None``.
    Such a derivative object is made at run time (a nested def is a new function at each
    call) and differentiated there, as a call of the nested def is: its parameters are
    ``g``'s, after the cotangent (``cotangent``) or the tangents (``a_dot`` per ``wrt``
    name), as ``s2s.api`` names them."""
    func = stmt.expr.func if isinstance(stmt.expr, gast.Call) else None
    if not isinstance(func, gast.Name):
        return None
    return _local_signature(ir, func.id, 0)


def _local_signature(ir: FunctionIR, callee: str, depth: int) -> inspect.Signature | None:
    """The signature of the derivative object ``callee`` names: one made by ``pullback_of`` or
    ``jvp_of`` from a nested def, or from such an object (a derivative of a nested def's
    derivative: the code differentiated a third time)."""
    maker = next((s for s in ir.flat if callee in s.targets), None)
    if maker is None or maker.unpack or maker.op not in (runtime.pullback_of, runtime.jvp_of):
        return None
    if len(maker.args) != 2 or maker.kwargs or not isinstance(maker.args[0], gast.Name):
        return None
    definition = next((s for s in ir.flat if maker.args[0].id in s.targets), None)
    wrt = maker.args[1]
    if definition is None or not isinstance(wrt, gast.Tuple):
        return None
    if not all(isinstance(e, gast.Constant) for e in wrt.elts):
        return None
    if definition.op is DEF:
        signature = definition.value_hint
    elif depth < 4:  # a derivative object made from one made from a nested def
        signature = _local_signature(ir, maker.args[0].id, depth + 1)
    else:
        return None
    if signature is None:
        return None
    bases = [f"{e.value}_dot" for e in wrt.elts]
    if maker.op is runtime.pullback_of:
        bases = ["cotangent"]
    taken = set(signature.parameters)
    added = []
    for base in bases:  # distinct from g's parameters: x_dot_2 where g has an x_dot
        candidate, k = base, 2
        while candidate in taken:
            candidate, k = f"{base}_{k}", k + 1
        taken.add(candidate)
        added.append(inspect.Parameter(candidate, inspect.Parameter.POSITIONAL_OR_KEYWORD))
    return signature.replace(parameters=added + list(signature.parameters.values()))


def _made(primal: Primal, ir: FunctionIR, stmt: Stmt, maker: Stmt) -> Any:
    """The derivative object the factory call ``maker`` makes, made now."""
    args = [_static(primal, ir, a) for a in maker.args]
    kwargs = {k: _static(primal, ir, a) for k, a in maker.kwargs.items()}
    if any(v is _UNKNOWN for v in [*args, *kwargs.values()]):
        raise NoRuleError(
            "this calls a derivative object made from a value of the function being "
            "differentiated, which s2s cannot know when it generates the derivative",
            primal.where(stmt.node),
            "make the derivative object from a module-level function, with constant options "
            "(`s2s.grad(f, wrt=0)(x)`), or at module level",
        )
    return maker.op(*args, **kwargs)


def _static(primal: Primal, ir: FunctionIR, atom: Any) -> Any:
    """An argument's value when generation knows it: a constant, a literal of them, or a
    global or closure value (``f``, ``np.sum``); else ``_UNKNOWN``."""
    if isinstance(atom, gast.Constant):
        return atom.value
    if isinstance(atom, (gast.Tuple, gast.List)):
        items = [_static(primal, ir, e) for e in atom.elts]
        if any(i is _UNKNOWN for i in items):
            return _UNKNOWN
        return tuple(items) if isinstance(atom, gast.Tuple) else items
    if isinstance(atom, gast.UnaryOp) and isinstance(atom.operand, gast.Constant):
        value = atom.operand.value
        return -value if isinstance(atom.op, gast.USub) else value
    where = _global_path(primal, ir, atom)
    if where is not None and where[0] == "argument" and where[2]:  # act.func of a partial
        steps = tuple(("attr", s) if isinstance(s, str) else s for s in where[2])
        value = read_path(primal.values[where[1]], steps)
        if value is MISSING:
            return _UNKNOWN
        primal.bound.append(Bound(where[1], steps, callable_key(value)))  # joins the key
        return value
    if where is not None and any(not isinstance(step, str) for step in where[2]):
        value = lookup_target(primal.func, *where)  # CFG['loss'] of a global dict: the
        if value is MISSING:  # derivative re-reads it on entry
            return _UNKNOWN
        primal.checked.append(Target(value, *where))
        return value
    chain = name_chain(atom)
    if chain is not None and not chain[1] and chain[0] in ir.original:  # a local: known only
        maker = next((s for s in ir.flat if chain[0] in s.targets), None)  # if a factory made it
        if maker is not None and not maker.unpack and (
            getattr(maker.op, "__s2s_factory__", False)
            or isinstance(getattr(maker.op, "__s2s_makes__", None), str)  # s2s.hvp(f)
        ):
            return _made(primal, ir, maker, maker)
        if maker is None and callable(primal.values.get(chain[0])):  # a function passed in
            value = primal.values[chain[0]]  # (frontend/callables.py): joins the cache key
            primal.bound.append(Bound(chain[0], (), callable_key(value)))
            return value
        return _UNKNOWN
    if chain is None or chain[0] in ir.original:  # a value of this function
        return _UNKNOWN
    _, value = root_value(primal.func, chain[0])
    for attr in chain[1]:
        value = getattr(value, attr, MISSING)
    return _UNKNOWN if value is MISSING else value


def _global_path(primal: Primal, ir: FunctionIR, atom: Any) -> tuple[str, str, tuple] | None:
    """``(scope, root name, steps)`` of a chain of attributes and constant items rooted in a
    global or closure name or an argument known when specializing (scope ``"argument"``):
    ``CFG['layer'].act``, ``act.func``, also through locals bound once to a step of
    one: ``getitem_1 = FNS[-1]; func_2 = getitem_1.func``, and through the items of a tuple
    argument, ``fns_item_1, = fns``: ``fns[0]``), else ``None``."""
    steps: list[Any] = []
    while True:
        if isinstance(atom, gast.Attribute):
            steps.append(atom.attr)
        elif isinstance(atom, gast.Subscript) and _key(atom.slice) is not None:
            steps.append(("item", _key(atom.slice)))
        elif isinstance(atom, gast.Name) and atom.id in ir.original:
            makers = [s for s in ir.flat if atom.id in s.targets]
            if not makers and atom.id in primal.values:  # an argument not differentiated
                return "argument", atom.id, tuple(reversed(steps))
            if len(makers) == 1 and makers[0].op is ITEMS:  # fns_item_1, = fns: fns[0]
                steps.append(("item", makers[0].targets.index(atom.id)))
                atom = makers[0].args[0]
                continue
            if len(makers) != 1 or makers[0].unpack or not isinstance(
                makers[0].expr, (gast.Attribute, gast.Subscript)
            ):
                return None
            atom = makers[0].expr
            continue
        elif isinstance(atom, gast.Name):
            return root_value(primal.func, atom.id)[0], atom.id, tuple(reversed(steps))
        else:
            return None
        atom = atom.value


def _key(node: Any) -> Any:
    """A constant key or index (``'loss'``, ``0``, ``-1``), else ``None``."""
    if isinstance(node, gast.Constant) and isinstance(node.value, (int, str)):
        return node.value
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        inner = _key(node.operand)
        return -inner if type(inner) is int else None
    return None
