"""Functions passed directly: ``s2s.grad(np.tanh)``, ``s2s.grad(operator.mul)``, a
``functools.partial`` of a ruled callable or of a Python function.

A callable with no source of its own is differentiated through a small generated Python
function that calls it, with the callable's signature (a ufunc's inputs ``x1, x2``), e.g.::

    def tanh(x):
        return np.tanh(x)

The wrapper's source is kept in :mod:`linecache` under a name like ``<s2s: numpy.tanh>`` so
the pipeline parses it as any user function, and ``.source`` shows a derivative of it. A
callable whose signature has ``*args`` (``np.einsum``) gets one wrapper per number of
positional arguments, made at the call (:func:`variadic_wrapper`).
"""

from __future__ import annotations

import functools
import inspect
import itertools
import keyword
import linecache
import operator
import sys
import types
from typing import Any

import numpy as np

from s2s import registry
from s2s.analysis.dtypes import call_signature
from s2s.errors import UsageError

__all__ = ["Variadic", "as_function", "is_variadic", "original", "variadic_wrapper", "wrapper_for"]

_COUNTER = itertools.count()
# Options that change what the callable computes or where it writes, never forwarded: the
# wrapper calls the function as a user would, with its defaults.
_NOT_FORWARDED = {"out", "dtype", "casting", "order", "subok", "signature", "where", "optimize"}
_LITERALS = (type(None), bool, int, float, str)
# The operator module's functions, written as the operator they are (``def mul(a, b):
# return a * b``): the frontend differentiates the operator.
_OPERATORS: dict[Any, str] = {
    operator.add: "a + b", operator.sub: "a - b", operator.mul: "a * b",
    operator.truediv: "a / b", operator.pow: "a ** b", operator.matmul: "a @ b",
    operator.neg: "-a", operator.pos: "+a", operator.abs: "abs(a)",
}  # fmt: skip


def _spelling(obj: Any, names: dict[str, Any]) -> str:
    """A readable expression that names ``obj`` (``np.linalg.det``, ``operator.mul``), with the
    module it starts from put in ``names``; a bare name bound to ``obj`` otherwise."""
    dotted = registry.qualified_name(obj)
    parts = dotted.split(".")
    for cut in range(1, len(parts)):
        module = sys.modules.get(".".join(parts[:cut]))
        if module is None:
            continue
        found: Any = module
        for attr in parts[cut:]:
            found = getattr(found, attr, None)
        if found is obj:
            root = sys.modules.get(parts[0])
            if parts[0] == "numpy":
                names["np"] = np
                return ".".join(["np", *parts[1:]])
            if root is not None and _reachable(root, parts[1:], obj):
                names[parts[0]] = root
                return dotted
    name = _identifier(getattr(obj, "__name__", "function"), names)
    names[name] = obj
    return name


def _reachable(root: Any, attrs: list[str], obj: Any) -> bool:
    for attr in attrs:
        root = getattr(root, attr, None)
    return root is obj


def _identifier(base: str, taken: dict[str, Any] | set[str]) -> str:
    base = "".join(c if c.isalnum() or c == "_" else "_" for c in base) or "f"
    if base[0].isdigit() or keyword.iskeyword(base):
        base = f"f_{base}"
    name, k = base, 1
    while name in taken:
        name, k = f"{base}_{k}", k + 1
    return name


def _constant(value: Any, names: dict[str, Any], hint: str) -> str:
    """A literal for a number, string or None; else a name bound to ``value``."""
    if type(value) in _LITERALS and repr(value) == repr(eval(repr(value), {})):  # noqa: S307
        return repr(value)
    name = _identifier(hint, names)
    names[name] = value
    return name


def _parameters(obj: Any) -> list[inspect.Parameter] | None:
    """The parameters the wrapper takes: a ufunc's inputs; a function's parameters less the
    options in ``_NOT_FORWARDED`` and those whose default is not a literal (numpy's
    ``<no value>``): those keep the callable's own default."""
    if isinstance(obj, np.ufunc):
        kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
        names = ["x"] if obj.nin == 1 else [f"x{i + 1}" for i in range(obj.nin)]
        return [inspect.Parameter(n, kind) for n in names]
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    kept = []
    for p in signature.parameters.values():
        if p.kind is p.VAR_KEYWORD:
            continue
        if p.default is not p.empty and (
            p.name in _NOT_FORWARDED or type(p.default) not in _LITERALS
        ):
            continue
        kept.append(p)
    return kept


def _write(name: str, label: str, params: list[inspect.Parameter], call: str,
           names: dict[str, Any], home: dict[str, Any] | None = None) -> types.FunctionType:
    """Compile ``def name(params): return call`` with its source in linecache; with ``home``
    (a module's globals, which ``call`` reads), as a function of that module that adds no
    name to it (``names`` are read only by the defaults)."""
    header = []
    star = False
    for p in params:
        if p.kind is p.KEYWORD_ONLY and not star:
            header.append("*")
            star = True
        text = p.name
        if p.default is not p.empty:
            text += "=" + _constant(p.default, names, f"{p.name}_default")
        header.append(text)
    source = f"def {name}({', '.join(header)}):\n    return {call}\n"
    filename = f"<s2s: {label} #{next(_COUNTER)}>"
    lines = source.splitlines(keepends=True)
    linecache.cache[filename] = (len(source), None, lines, filename)
    code = compile(source, filename, "exec")
    scope = {"__name__": "s2s_wrappers", **names}  # not an s2s module: a user function
    if home is not None:
        scope = dict(names)
        exec(code, home, scope)  # noqa: S102  (the def binds the wrapper in scope only)
    else:
        exec(code, scope)  # noqa: S102
    function = scope[name]
    function.__wrapped_callable__ = label  # type: ignore[attr-defined]
    return function


def _arguments(params: list[inspect.Parameter]) -> list[str]:
    """Required positional parameters by position, the rest by name (some are left out)."""
    return [p.name if p.kind is p.POSITIONAL_ONLY or (p.kind is p.POSITIONAL_OR_KEYWORD
            and p.default is p.empty) else f"{p.name}={p.name}" for p in params]  # fmt: skip


def is_variadic(obj: Any) -> bool:
    """A callable with a rule whose signature takes ``*args`` (``np.einsum``)."""
    if isinstance(obj, (types.FunctionType, np.ufunc)) or registry.lookup(obj) is None:
        return False
    params = _parameters(obj) or []
    return any(p.kind is p.VAR_POSITIONAL for p in params)


def variadic_wrapper(obj: Any, count: int) -> types.FunctionType:
    """A wrapper of ``obj`` taking ``count`` positional arguments ``operand_0, ...``
    (``def einsum(operand_0, operand_1): return np.einsum(operand_0, operand_1)``)."""
    names: dict[str, Any] = {}
    callee = _spelling(obj, names)
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    params = [inspect.Parameter(f"operand_{i}", kind) for i in range(count)]
    call = f"{callee}({', '.join(p.name for p in params)})"
    name = _identifier(callee.rsplit(".", 1)[-1], names)
    return _write(name, registry.qualified_name(obj), params, call, names)


def wrapper_for(obj: Any) -> types.FunctionType | None:
    """A Python function computing ``obj``, or ``None`` when ``obj`` is neither a callable
    with a rule, nor a ``functools.partial`` of one or of a Python function (then the caller
    refuses it). Raises nothing itself. The wrapper's ``__s2s_callable__`` is ``obj``: what a
    derivative of it pickles (:func:`original`), as the wrapper itself cannot be."""
    function = _wrapper_for(obj)
    if function is not None:
        function.__s2s_callable__ = obj  # type: ignore[attr-defined]
    return function


def original(function: Any) -> Any:
    """The callable a wrapper was made for (``np.tanh`` for ``def tanh(x): ...``), else
    ``function`` itself."""
    return getattr(function, "__s2s_callable__", function)


def _wrapper_for(obj: Any) -> types.FunctionType | None:
    if isinstance(obj, functools.partial):
        return _partial(obj)
    if _hashable(obj) and obj in _OPERATORS:
        expression = _OPERATORS[obj]
        kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
        params = [inspect.Parameter(n, kind) for n in ("a", "b") if n in expression]
        return _write(obj.__name__, f"operator.{obj.__name__}", params, expression, {})
    if registry.lookup(obj) is None:  # a Python function with a rule (scipy's logsumexp)
        return None  # is wrapped too: its rule, not its source, is differentiated
    params = _parameters(obj)
    if params is None or any(p.kind is p.VAR_POSITIONAL for p in params):
        return None
    params = _supported(obj, params)
    names: dict[str, Any] = {}
    callee = _spelling(obj, names)
    call = f"{callee}({', '.join(_arguments(params))})"
    name = _identifier(callee.rsplit(".", 1)[-1], set(names) | {p.name for p in params})
    return _write(name, registry.qualified_name(obj), params, call, names)


def _supported(obj: Any, params: list[inspect.Parameter]) -> list[inspect.Parameter]:
    """``params`` less the optional ones ``obj``'s rule does not take (scipy's
    ``logsumexp(..., return_sign=False)``): those keep the callable's default, so the wrapper
    calls ``obj`` only in the forms its rule differentiates."""
    rule = registry.lookup(obj)
    if rule is None or (rule.template is None and rule.tangent is None):
        return params
    accepted = call_signature(rule).parameters
    if any(p.kind is p.VAR_KEYWORD for p in accepted.values()):
        return params
    return [p for p in params if p.default is p.empty or p.name in accepted]


def _hashable(obj: Any) -> bool:
    try:
        hash(obj)
    except TypeError:
        return False
    return True


def as_function(obj: Any, keep: type) -> Any:
    """``obj`` itself when it is a ``keep`` or a Python function without a rule; else its
    wrapper if it has one (a Python function with a rule, such as scipy's ``logsumexp``, is
    wrapped so that its rule is used, not its source), else ``obj`` (which the caller
    refuses)."""
    if isinstance(obj, keep) or (
        isinstance(obj, types.FunctionType) and not (_hashable(obj) and registry.lookup(obj))
    ):
        return obj
    return wrapper_for(obj) or obj


def _partial(obj: functools.partial) -> types.FunctionType | None:
    inner = obj.func
    names: dict[str, Any] = {}
    callee = None
    ruled = _hashable(inner) and registry.lookup(inner) is not None
    if ruled or not isinstance(inner, types.FunctionType):
        if ruled:
            callee = _spelling(inner, names)  # np.power(2.0, x2), not a helper's call
        inner = wrapper_for(inner)
        if inner is None:
            return None
    try:  # the wrapper's signature less what the partial binds
        signature = inspect.signature(functools.partial(inner, *obj.args, **obj.keywords))
    except (TypeError, ValueError):
        return None
    params = list(signature.parameters.values())
    if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params):
        return None
    base = inner.__name__ if inner.__name__ != "<lambda>" else "function"
    if callee is None:
        callee = _identifier(base, {p.name for p in params})
        names[callee] = inner
    bound = [_constant(v, names, f"bound_{i}") for i, v in enumerate(obj.args)]
    call = f"{callee}({', '.join(bound + _arguments(params))})"
    # partial's own keywords are keyword parameters with defaults: passed on by name
    call = call.replace(", )", ")")
    name = _identifier(f"{base}_partial", set(names) | {p.name for p in params})
    home = None  # a module function with literal positional bindings: a wrapper of its module,
    if obj.func is inner and callee == inner.__name__ and set(names) == {callee} and (
        inner.__globals__.get(callee) is inner
    ):  # so it may pass a parameter container on whole (frontend/methods.py)
        home = inner.__globals__
    return _write(name, f"functools.partial({registry.qualified_name(obj.func)})", params,
                  call, names, home)  # fmt: skip


class Variadic:
    """A derivative of a ``*args`` callable (``s2s.vjp(np.einsum)``): one derivative per
    number of positional arguments, made by ``make(wrapper)`` at the first call with it.
    ``directions`` is how many of a call's positional arguments are tangents or directions
    (``s2s.jvp``, ``s2s.hvp``: one per ``wrt`` entry), not operands.

    Attributes:
        primal: the callable. source: the generated source of the latest derivative used.
    """

    def __init__(self, obj: Any, make: Any, reduced: tuple, directions: int = 0) -> None:
        self.primal = obj
        self._directions = directions
        self._make = make
        self._reduced = reduced  # what pickling saves: the maker, mode, obj, wrt and options
        self._by_count: dict[int, Any] = {}
        self._latest: Any = None
        functools.update_wrapper(self, obj, updated=())

    def __call__(self, /, *args: Any, **kwargs: Any) -> Any:
        count = len(args) - self._directions
        derivative = self._by_count.get(count)
        if derivative is None:
            derivative = self._make(variadic_wrapper(self.primal, count))
            self._by_count[count] = derivative
        self._latest = derivative
        return derivative(*args, **kwargs)

    @property
    def source(self) -> str:
        """The latest derivative's source (raises :class:`UsageError` before any call)."""
        if self._latest is None:
            raise UsageError(
                f"{registry.qualified_name(self.primal)} takes any number of arguments: its "
                "derivative is generated at the first call",
                None,
                "call the derivative once, then read .source",
            )
        return self._latest.source

    def __repr__(self) -> str:
        return f"<s2s derivative of {registry.qualified_name(self.primal)} (*args)>"

    def __reduce__(self) -> tuple:
        return self._reduced
