"""In-place writes spelled as ordinary calls: an ``out`` array passed by keyword or by position,
``operator.setitem`` / ``operator.iadd``, a random generator's ``shuffle``, and ndarray methods
called unbound (``np.ndarray.sort(y)``). s2s does not differentiate a write hidden in a call, so
each is refused at its line (:class:`s2s.UnsupportedArgumentError`, :class:`s2s.MutationError`
or :class:`s2s.UnsupportedSyntaxError`) with the spelling s2s follows as advice.

Before: ``np.clip(y, lo, hi, y)`` clips ``y`` in place through its positional ``out``; after,
the call is refused rather than read as ``np.clip(y, lo, hi)`` whose result is dropped:

>>> import numpy as np, s2s
>>> def a(x):
...     y = x * 2.0
...     np.clip(y, -0.1, 0.1, y)
...     return np.sum(y)
>>> try:
...     s2s.grad(a)(np.ones(3))
... except s2s.UnsupportedArgumentError as e:
...     print(str(e).split(": ", 1)[1][:52])
this call writes its result into `y` (`out=`), which
"""

from __future__ import annotations

import ast
import inspect
import operator
import re
import sys
import textwrap
import types
from typing import Any

import gast
import numpy as np

from s2s import registry
from s2s.analysis.dtypes import UNKNOWN, VType
from s2s.codegen.ir import FunctionIR, Stmt, atom_names
from s2s.errors import MutationError, UnsupportedArgumentError, UnsupportedSyntaxError
from s2s.frontend.parse import Primal

# the operator module's functions that change their first argument in place (for an array)
_OPERATOR_UPDATES = {
    getattr(operator, name): symbol
    for name, symbol in (
        ("iadd", "+="), ("isub", "-="), ("imul", "*="), ("itruediv", "/="),
        ("ifloordiv", "//="), ("imod", "%="), ("ipow", "**="), ("imatmul", "@="),
        ("iand", "&="), ("ior", "|="), ("ixor", "^="), ("ilshift", "<<="), ("irshift", ">>="),
        ("iconcat", "+="),
    )
}  # fmt: skip


def _random_owner(owner: Any) -> bool:
    """Whether ``owner`` is a numpy ``Generator`` or ``RandomState``. Read from
    ``sys.modules``: s2s does not import ``numpy.random`` itself (start-up), and an object of
    either class exists only once the user's code has imported it."""
    random = sys.modules.get("numpy.random")
    return random is not None and isinstance(owner, (random.Generator, random.RandomState))


def unbound_method(op: Any) -> str | None:
    """``np.ndarray.sort`` called as a function: the method's name, else ``None``."""
    name = getattr(op, "__name__", None)
    if isinstance(name, str) and getattr(np.ndarray, name, None) is op:
        return name
    return None


def out_argument(stmt: Stmt, types: dict[str, VType]) -> gast.expr | None:
    """The atom ``stmt`` writes its result into: ``out=`` by keyword, or the parameter ``out``
    of a numpy function or ndarray method given by position (``np.clip(y, lo, hi, y)``,
    ``y.cumsum(0, None, y)``, ``np.dot(A, x, y)``, ``np.exp(x, x)``), found by binding the call's
    positional arguments to the callable's signature; ``None`` when there is none or the
    signature is unknown."""
    if "out" in stmt.kwargs:
        return stmt.kwargs["out"]
    if isinstance(stmt.op, np.ufunc) and stmt.method is None:
        return stmt.args[stmt.op.nin] if len(stmt.args) > stmt.op.nin else None
    if stmt.method is not None:  # y.clip(lo, hi, y): the receiver is args[0], bound to self
        receiver = stmt.args[0] if stmt.args else None
        if not isinstance(receiver, gast.Name) or types.get(receiver.id, UNKNOWN).kind == "other":
            return None
        callee = getattr(np.ndarray, stmt.method, None)
    elif unbound_method(stmt.op) is not None or _from_numpy(stmt.op):
        callee = stmt.op
    else:
        return None
    out = positional_out(callee, stmt.args)
    if isinstance(out, gast.Constant) and out.value is None:
        return None  # `np.mean(M, 0, None, None)`: no out array
    return out


def positional_out(callee: Any, args: list[Any]) -> Any:
    """The item of ``args`` that binds to ``callee``'s parameter ``out`` when ``callee`` is
    called with ``args`` by position: what ``inspect.signature(callee).bind_partial(*args)``
    binds to ``out``; ``None`` where nothing does, the call cannot bind or the signature is
    unknown."""
    try:
        shape = _OUT_PARAMETERS.get(callee, _UNSEEN)
    except TypeError:  # unhashable
        shape = _out_parameter(callee)
    else:
        if shape is _UNSEEN:
            shape = _OUT_PARAMETERS[callee] = _out_parameter(callee)
    if shape is None:
        return None
    index, positional, varargs = shape
    if len(args) > positional and not varargs:
        return None  # too many arguments: the call raises TypeError (bind_partial would)
    return args[index] if index is not None and len(args) > index else None


# callable -> (the position of `out`, None if keyword-only; how many parameters take
# positions; whether *args follows), or None where it has no `out` or no known signature
_OUT_PARAMETERS: dict[Any, tuple[int | None, int, bool] | None] = {}
_UNSEEN = object()
# C functions, and ndarray's methods (unbound): inspect reads their __text_signature__
_BUILTINS = (types.BuiltinFunctionType, types.MethodDescriptorType, types.WrapperDescriptorType)
_PREFIX = re.compile(r"^\(\s*\$(module|type)\s*,\s*")  # a builtin's bound first parameter


def _out_parameter(callee: Any) -> tuple[int | None, int, bool] | None:
    """What :func:`positional_out` needs of ``callee``'s signature. A builtin's text signature
    (``__text_signature__``) is read here, not by :func:`inspect.signature`, whose first parse
    of one compiles tokenize's patterns (~1.5 ms of a process's first gradient); one that
    names no ``out`` is not parsed at all."""
    try:  # np.concatenate: a dispatcher wrapping the builtin (inspect.signature unwraps it)
        target = inspect.unwrap(callee, stop=lambda f: hasattr(f, "__signature__"))
    except ValueError:
        return None  # a cycle of __wrapped__: inspect.signature raises ValueError too
    text = getattr(target, "__text_signature__", None)
    if isinstance(text, str) and isinstance(target, _BUILTINS):
        if "out" not in text:
            return None
        source = _PREFIX.sub("(", text).replace("$self", "self", 1)
        try:
            spec = ast.parse(f"def _{source}: pass").body[0].args
        except SyntaxError:
            spec = None
        if spec is not None:
            names = [a.arg for a in spec.posonlyargs + spec.args]
            keywords = [a.arg for a in spec.kwonlyargs]
            if "out" not in names and "out" not in keywords:
                return None
            index = names.index("out") if "out" in names else None
            return index, len(names), spec.vararg is not None
    try:
        parameters = list(inspect.signature(callee).parameters.values())
    except (TypeError, ValueError):
        return None
    if not any(p.name == "out" for p in parameters):
        return None
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    names = [p.name for p in parameters if p.kind in kinds]
    varargs = any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in parameters)
    return (names.index("out") if "out" in names else None), len(names), varargs


def _from_numpy(op: Any) -> bool:
    return callable(op) and (getattr(op, "__module__", None) or "").startswith("numpy")


def check_spelled_writes(primal: Primal, ir: FunctionIR, stmt: Stmt, types: dict) -> None:
    """Refuse a write into an array spelled as a call (see the module docstring).

    Raises:
        UnsupportedArgumentError: an ``out`` array, by keyword or by position.
        UnsupportedSyntaxError: ``operator.setitem``/``delitem`` or an in-place operator
            function (``operator.iadd``) on a value that may be an array.
        MutationError: ``Generator.shuffle`` / ``RandomState.shuffle`` / ``np.random.shuffle``.
    """
    where = primal.where(stmt.node)
    out = out_argument(stmt, types)
    if out is not None:
        shown = ir.original.get(atom_names(out)[0], "an array") if atom_names(out) else "an array"
        raise UnsupportedArgumentError(
            f"this call writes its result into `{shown}` (`out=`), which s2s does not "
            "differentiate",
            where,
            f"assign the result instead: `{shown} = f(...)` rather than `f(..., out={shown})` "
            f"or `f(..., {shown})` with `{shown}` in the place of `out`",
        )
    first = _shown(ir, stmt.args[0]) if stmt.args else "the array"
    if stmt.op in (operator.setitem, operator.delitem):
        raise UnsupportedSyntaxError(
            f"operator.{stmt.op.__name__} changes `{first}` in place, which s2s does not follow "
            "through a function call",
            where,
            "write the statement it stands for (`x[i] = v` for `operator.setitem(x, i, v)`)",
        )
    if stmt.op in _OPERATOR_UPDATES and len(stmt.args) == 2 and _may_be_array(stmt.args[0], types):
        symbol = _OPERATOR_UPDATES[stmt.op]
        raise UnsupportedSyntaxError(
            f"operator.{stmt.op.__name__} changes the array `{first}` in place, which s2s does "
            "not follow through a function call",
            where,
            f"write `{first} = {first} {symbol[:-1]} v` for a new array (or `{first} {symbol} v`)",
        )
    owner = getattr(stmt.op, "__self__", None)
    shuffles = stmt.method == "shuffle" or (
        getattr(stmt.op, "__name__", None) == "shuffle" and _random_owner(owner)
    )
    arrays = stmt.args[1:] if stmt.method is not None else stmt.args
    if shuffles and any(_may_be_array(a, types) for a in arrays):
        shown = _shown(ir, arrays[0])
        raise MutationError(
            f"shuffle(...) permutes `{shown}` in place, which s2s does not differentiate",
            where,
            f"index with a permutation instead: `{shown} = {shown}[rng.permutation(len({shown}))]`",
        )


def _shown(ir: FunctionIR, atom: gast.expr) -> str:
    names = atom_names(atom)
    return ir.original.get(names[0], names[0]) if names else "the array"


def _may_be_array(atom: gast.expr, types: dict[str, VType]) -> bool:
    """A name whose value may be an array (or a list): not a known Python or numpy scalar."""
    if not isinstance(atom, gast.Name):
        return False
    return types.get(atom.id, UNKNOWN).array is not False


def returns_new_array(func: Any) -> bool:
    """Whether every ``return`` of the Python function ``func`` gives a value made by the
    return expression itself: an arithmetic operator (``a * 2.0``, ``-a``), a numpy ufunc
    called without ``out`` (``np.exp(a)``), ``a.copy()``, or a numpy function with a rule that
    is declared neither a view nor a writer, called without keywords (``np.dot(W, a)``; not
    ``np.asarray(a)``), so the result never shares memory with an argument
    and ``z = func(y); z += v`` leaves ``y`` alone. ``False`` when unsure (no source, a bare
    ``return``, a nested def's returns do not count, anything else returned)."""
    if not inspect.isfunction(func):
        return False
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    except (OSError, TypeError, SyntaxError):
        return False
    definition = tree.body[0] if tree.body else None
    if not isinstance(definition, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    returns = list(_own_returns(definition))
    return bool(returns) and all(_new_value(r.value, func) for r in returns)


def _own_returns(node: ast.AST):
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(child, (ast.Yield, ast.YieldFrom)):
            yield ast.Return(value=None)  # a generator: unsure
        if isinstance(child, ast.Return):
            yield child
        yield from _own_returns(child)


def _new_value(value: ast.expr | None, func: Any) -> bool:
    if isinstance(value, (ast.BinOp, ast.UnaryOp)):
        return not isinstance(value, ast.UnaryOp) or not isinstance(value.op, ast.Not)
    if not isinstance(value, ast.Call) or value.keywords:
        return False
    if isinstance(value.func, ast.Attribute) and value.func.attr == "copy" and not value.args:
        return True  # a.copy()
    callee = _resolve(value.func, func)
    if isinstance(callee, np.ufunc):
        return len(value.args) <= callee.nin
    # np.dot(a, b), np.sum(a): a numpy function with a rule, declared neither a view nor a writer
    facts = registry.facts_of(callee) if callee is not None else None
    return (
        _from_numpy(callee)
        and registry.lookup(callee) is not None
        and not facts.view
        and not facts.writes
    )


def _resolve(node: ast.expr, func: Any) -> Any:
    """``np.exp`` in ``func``'s module: the object, or ``None``."""
    if isinstance(node, ast.Name):
        return func.__globals__.get(node.id)
    if isinstance(node, ast.Attribute):
        owner = _resolve(node.value, func)
        return getattr(owner, node.attr, None) if owner is not None else None
    return None
