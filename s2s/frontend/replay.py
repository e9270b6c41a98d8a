"""The replay of a helper's primal inside a derivative that is differentiated again.

Code made to be differentiated again (``functional``, DESIGN 10) calls a helper of the user's
twice: once as written in its primal sweep, and once inside ``_s2s.pullback_of(helper, wrt)``,
the helper's VJP as one function, which recomputes the helper's primal values before its
adjoint sweep (a closure's residuals cannot be differentiated; a replay can). The user's side
effects must still happen once per derivative call (issue 11), so the replay is built from the
helper's code without them:

- a statement kept only for its effect (``LOG.append(loss)``, ``print(...)``, ``self.calls += 1``,
  ``COUNT += 1`` on a global, a call whose result is not used) is left out: the primal sweep ran
  it;
- a value the replay would compute differently from the primal sweep is refused with a located
  error rather than differentiated at another point: a random draw (``rng.normal(...)``,
  ``np.random.rand(...)``), a read of a global or attribute the helper itself writes, and a
  call of a function of the user's that has side effects of its own.

>>> import numpy as np
>>> def draws(n):
...     return np.random.rand(n)
>>> is_random_draw(draws.__globals__["np"].random.rand)
True
>>> is_random_draw(np.sin)
False
"""

from __future__ import annotations

import builtins
import functools
import inspect
import sys
import types
from typing import Any

import gast
import numpy as np

from s2s.codegen.ir import Branch, FunctionIR, Loop, Stmt, flatten
from s2s.codegen.walking import walk
from s2s.errors import UnsupportedSyntaxError
from s2s.frontend.parse import Primal
from s2s.frontend.resolve import Method, Target

# methods that draw, whatever their object: a scipy.stats distribution's samples, a bit
# generator's raw output
RANDOM_METHODS = frozenset({"rvs", "random_raw", "random_sample"})


@functools.cache
def draw_methods() -> frozenset[str]:
    """Method names that draw on a local value (an argument ``rng``): numpy's ``Generator``
    methods that an array does not have. Built on first use: importing ``numpy.random`` costs
    a start-up that never differentiates a helper twice (7-18 ms)."""
    names = {n for n in dir(np.random.Generator) if not n.startswith("_")}
    return frozenset(n for n in names if not hasattr(np.ndarray, n)) - {"bit_generator", "spawn"}


# ndarray methods that change the array or write elsewhere (a file); every other public
# method of an array only returns a value (analysis.aliasing refuses the in-place ones on a
# differentiated value)
_ARRAY_EFFECTS = frozenset({
    "sort", "fill", "resize", "put", "partition", "itemset", "setfield", "setflags", "byteswap",
    "tofile", "dump",
})  # fmt: skip


@functools.cache
def pure_array_methods() -> frozenset[str]:
    """Public ndarray methods that only return a value (``x.reshape(7)``, ``x.sum()``): called
    for nothing but whether they raise, they have no effect."""
    return frozenset(n for n in dir(np.ndarray) if not n.startswith("_")) - _ARRAY_EFFECTS


@functools.cache
def _installed() -> tuple[str, ...]:
    """The directories of the standard library and installed packages."""
    import sysconfig

    return tuple({sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")})


def _is_generator(owner: Any) -> bool:
    """Whether ``owner`` is a random generator of numpy or of Python's ``random``; neither
    module is imported for this (an object of theirs exists only once it is)."""
    numpy_random = sys.modules.get("numpy.random")
    if numpy_random is not None and isinstance(owner, (
        numpy_random.Generator, numpy_random.RandomState, numpy_random.BitGenerator
    )):  # fmt: skip
        return True
    python_random = sys.modules.get("random")
    return python_random is not None and (
        isinstance(owner, python_random.Random) or owner is getattr(python_random, "_inst", None)
    )


_ADVICE = (
    "draw the random numbers in the function you differentiate (or pass them in as an "
    "argument); a derivative of a derivative runs a helper's primal a second time, and s2s "
    "does not run your side effects twice"
)


def is_random_draw(obj: Any) -> bool:
    """Whether calling ``obj`` draws from a random generator (numpy's or Python's)."""
    owner = getattr(obj, "__self__", None)
    if owner is not None and _is_generator(owner):
        return True
    if getattr(obj, "__name__", "") in RANDOM_METHODS and owner is not None:
        return True  # scipy.stats.norm.rvs(...), rng.bit_generator.random_raw()
    module = getattr(obj, "__module__", None) or ""
    return module.startswith("numpy.random") or module == "random"


def without_effects(primal: Primal, ir: FunctionIR, refuse: bool = True) -> None:
    """Leave the side effects out of ``ir`` (in place), refusing what a replay cannot repeat
    (``refuse``; the search for a non-finite gradient's origin, which only reports a line,
    draws again instead).

    Raises:
        UnsupportedSyntaxError: at the line of a random draw, of a read of a global or an
            attribute the helper writes, or of a call of a user function with side effects.
    """
    written = set(ir.written_globals)
    for stmt in flatten(ir.body):
        if _effect_only(stmt):
            for node in walk(stmt.expr):
                chain = _chain(node, gast.Store)
                if chain is not None:
                    written.add(chain)
    flags = {c.flag for c in ir.contexts if c.kind == "try" and c.flag}
    ir.body = _filtered(primal, ir.body, written if refuse else None, flags)


def _effect_only(stmt: Stmt) -> bool:
    """``LOG.append(v)``, ``print(v)``, ``COUNT += 1``: kept for what it does, not its value."""
    if getattr(stmt.expr, "s2s_side_effect", False):
        return True
    return (
        not stmt.targets and isinstance(stmt.node, gast.Expr) and isinstance(stmt.expr, gast.Call)
    )


def _chain(node: Any, ctx: type) -> str | None:
    """``self.calls`` or ``COUNT`` where ``node`` is a name or an attribute chain rooted at a
    name, in context ``ctx`` (``gast.Store``: a kept write's target; ``gast.Load``: a read)."""
    if not isinstance(node, (gast.Name, gast.Attribute)) or not isinstance(node.ctx, ctx):
        return None
    parts = []
    while isinstance(node, gast.Attribute):
        parts.append(node.attr)
        node = node.value
    return ".".join([node.id, *reversed(parts)]) if isinstance(node, gast.Name) else None


def _filtered(primal: Primal, body: list[Any], written: set[str] | None, flags: set[str],
              tried: bool = False) -> list[Any]:  # fmt: skip
    """``body`` without its statements kept only for their effect; ``flags``: the flags of the
    ``try`` statements' branches, whose body arm (``tried``) keeps a library call made only to
    raise (``x.reshape(7)``): whether it raises chooses the arm the replay differentiates."""
    out = []
    for item in body:
        if isinstance(item, Branch):
            body_of_try = isinstance(item.test, gast.Name) and item.test.id in flags
            item.body = _filtered(primal, item.body, written, flags, tried or body_of_try)
            item.orelse = _filtered(primal, item.orelse, written, flags, tried)
        elif isinstance(item, Loop):
            item.test_body = _filtered(primal, item.test_body, written, flags, tried)
            item.body = _filtered(primal, item.body, written, flags, tried)
            item.orelse = _filtered(primal, item.orelse, written, flags, tried)
        elif isinstance(item, Stmt):
            if _effect_only(item) and not (tried and _raises_only(primal, item, written)):
                continue
            if written is not None:
                _refuse_unrepeatable(primal, item, written)
        out.append(item)
    return out


def _raises_only(primal: Primal, stmt: Stmt, written: set[str] | None) -> bool:
    """Whether ``stmt``, a call whose value is unused in a ``try`` body, is one of a library's
    (numpy's, a method of a local array): it has no effect but to raise, and is replayed. A
    call of a function of the user's there is refused (``written``: where replays refuse): it
    may raise or not, and its effects must not run twice."""
    if getattr(stmt.expr, "s2s_side_effect", False):
        return False
    target = getattr(stmt.expr.func, "s2s_target", None)
    if isinstance(target, Method):
        return True
    obj = target.obj if isinstance(target, Target) else stmt.op
    module = getattr(obj, "__module__", None) or getattr(type(obj), "__module__", "") or ""
    if module.startswith(("numpy", "scipy")) and not is_random_draw(obj):
        return True
    callee = _function_of(stmt.op)
    if written is not None and _user_function(callee):
        raise UnsupportedSyntaxError(
            f"{getattr(callee, '__qualname__', repr(callee))} is called for its effect in a "
            f"`try` body of {_name(primal)}, a function of yours that the differentiated "
            "function calls; under a derivative of a derivative its primal is run again "
            "without its effects, so whether that call raises would not choose the arm",
            primal.where(stmt.node),
            "make the check in the function you differentiate itself, or use its value",
        )
    return False


def _refuse_unrepeatable(primal: Primal, stmt: Stmt, written: set[str]) -> None:
    where = primal.where(stmt.node)
    for node in walk(stmt.expr):
        if isinstance(node, gast.Call):
            target = getattr(node.func, "s2s_target", None)
            obj = target.obj if isinstance(target, Target) else None
            drawing = draw_methods() | RANDOM_METHODS
            local_draw = isinstance(target, Method) and target.name in drawing
            if local_draw or (obj is not None and is_random_draw(obj)):
                raise UnsupportedSyntaxError(
                    f"a random draw in {_name(primal)}, a function of yours that the "
                    "differentiated function calls, under a derivative of a derivative (hvp, "
                    "hessian, grad of grad): its primal is run again to differentiate it "
                    "twice, which would draw other numbers",
                    where,
                    _ADVICE,
                )
        chain = _chain(node, gast.Load)
        if chain is not None and chain in written:
            raise UnsupportedSyntaxError(
                f"`{chain}` is read after {_name(primal)} changes it; under a derivative of a "
                "derivative its primal is run again without its side effects, and would read "
                "another value",
                where,
                f"read `{chain}` into a local name before changing it, or pass it in",
            )
    callee = _function_of(stmt.op)
    if _user_function(callee) and has_effects(callee, set()):
        name = getattr(callee, "__qualname__", repr(callee))
        raise UnsupportedSyntaxError(
            f"{name} has side effects and is called from {_name(primal)}, a function of yours "
            "that the differentiated function calls; under a derivative of a derivative that "
            "call would run them a second time",
            where,
            "call it from the function you differentiate itself, or move its side effects "
            "(appends, prints, counters, random draws) there",
        )


def _name(primal: Primal) -> str:
    return getattr(primal.func, "__qualname__", None) or primal.tree.name


def _function_of(obj: Any) -> Any:
    """The Python function a call of ``obj`` runs: a bound method's, a callable object's
    ``__call__``."""
    if isinstance(obj, types.MethodType):
        return obj.__func__
    if not isinstance(obj, (types.FunctionType, type)) and callable(obj):
        return getattr(type(obj).__call__, "__func__", type(obj).__call__)
    return obj


def _user_function(obj: Any) -> bool:
    """A Python function of the user's: not numpy's, scipy's or s2s's, nor one installed as a
    package or from the standard library (``pytest.importorskip``, ``math.prod``)."""
    if not isinstance(obj, types.FunctionType):
        return False
    if (getattr(obj, "__module__", "") or "").startswith(("numpy", "scipy", "s2s")):
        return False
    filename = obj.__code__.co_filename
    installed = filename.startswith(_installed()) or filename.startswith("<frozen")
    return not installed and "-packages" not in filename


def has_effects(func: types.FunctionType, seen: set[int]) -> bool:
    """Whether ``func`` (or a module-level function of the user's it calls) writes a global or
    an attribute, calls something for its effect only, or draws a random number. A call made
    for its effect of numpy or scipy (``np.reshape(x, 7)``), or of an array method that only
    returns a value on a parameter or local name (``x.reshape(7)`` in a ``try`` body, made for
    whether it raises; a method of that name on an object of yours is taken for the array's),
    is none."""
    if id(func) in seen:
        return False
    seen.add(id(func))
    try:
        tree = gast.parse(inspect.cleandoc("\n" + inspect.getsource(func)))
    except (OSError, TypeError, SyntaxError):
        return False
    appended_locals = {
        t.id for n in walk(tree) if isinstance(n, gast.Assign)
        for t in n.targets if isinstance(t, gast.Name)
    }  # fmt: skip
    own = _own_arrays(tree)
    for node in walk(tree):
        if isinstance(node, (gast.Global, gast.Nonlocal)):
            return True
        if isinstance(node, (gast.Assign, gast.AugAssign, gast.Delete)):
            targets = (node.targets if isinstance(node, (gast.Assign, gast.Delete))
                       else [node.target])  # fmt: skip
            if any(isinstance(t, gast.Attribute) for t in targets):
                return True
            if any(_root(t) not in own for t in targets if isinstance(t, gast.Subscript)):
                return True  # CALLS[0] += 1, BUF[...] = v: the caller's container changes
        if isinstance(node, gast.Expr) and isinstance(node.value, gast.Call):
            fn = node.value.func
            receiver = fn.value if isinstance(fn, gast.Attribute) else None
            called = _global_value(func, fn)
            if _writes_first(called) and node.value.args and _root(node.value.args[0]) not in own:
                return True  # np.copyto(BUF, v), np.add.at(BUF, i, v) on the caller's array
            library = _library_call(called)  # np.add.at(buf, i, v) on a local
            local = isinstance(receiver, gast.Name) and receiver.id not in func.__globals__
            if not library and not (
                isinstance(receiver, gast.Name) and receiver.id in appended_locals
            ) and not (local and fn.attr in pure_array_methods()):
                return True  # print(...), LOG.append(...), a helper called for its effect
        if isinstance(node, gast.Call) and isinstance(node.func, (gast.Name, gast.Attribute)):
            value = _global_value(func, node.func)
            if value is not None and is_random_draw(value):
                return True
            value = _function_of(value)
            if _user_function(value) and has_effects(value, seen):
                return True
            if any(_acting_value(func, arg, seen) for arg in _function_values(node)):
                return True  # np.apply_along_axis(_draw, 0, x): numpy calls _draw
            method = node.func.attr if isinstance(node.func, gast.Attribute) else None
            if method in draw_methods() | RANDOM_METHODS:
                return True
            if method in MUTATING_METHODS and not _made_here(node.func.value, tree):
                return True  # SCALES.pop() in an expression: the caller's list changes
    return False


def _function_values(call: gast.Call) -> list[Any]:
    """The names and attribute chains among ``call``'s arguments and the items of list or
    tuple displays there: where a function value it calls may be passed."""
    out = []
    for arg in [*call.args, *(k.value for k in call.keywords)]:
        for value in arg.elts if isinstance(arg, (gast.List, gast.Tuple)) else [arg]:
            if isinstance(value, (gast.Name, gast.Attribute)):
                out.append(value)
    return out


def _acting_value(func: types.FunctionType, node: Any, seen: set[int]) -> bool:
    """Whether ``node``, an argument of a call in ``func``, names a global or closure function
    that draws or has side effects (a local name or parameter is not followed)."""
    root = node
    while isinstance(root, gast.Attribute):
        root = root.value
    if not isinstance(root, gast.Name) or root.id in func.__code__.co_varnames:
        return False
    value = _global_value(func, node)
    if not callable(value) or isinstance(value, type):
        return False
    if is_random_draw(value):
        return True
    value = _function_of(value.pyfunc if isinstance(value, np.vectorize) else value)
    return _user_function(value) and has_effects(value, seen)


# methods that change a list, dict, set, deque or array they are called on
MUTATING_METHODS = frozenset({
    "append", "extend", "insert", "remove", "pop", "popitem", "setdefault", "update",
    "clear", "add", "discard", "sort", "reverse", "fill", "resize", "put", "itemset",
    "difference_update", "intersection_update", "symmetric_difference_update",
    "appendleft", "extendleft", "popleft", "rotate",
})  # fmt: skip


_WRITERS = {"copyto", "put", "place", "putmask", "fill_diagonal", "put_along_axis"}


def _writes_first(value: Any) -> bool:
    """Whether ``value`` is a numpy function that writes into its first argument."""
    if getattr(value, "__name__", None) == "at" and isinstance(
        getattr(value, "__self__", None), np.ufunc
    ):
        return True
    return getattr(value, "__name__", None) in _WRITERS and _library_call(value)


def _root(target: gast.expr) -> str | None:
    """The name under a chain of subscripts and attributes (``D`` of ``D["n"][0]``)."""
    while isinstance(target, (gast.Subscript, gast.Attribute)):
        target = target.value
    return target.id if isinstance(target, gast.Name) else None


def _own_arrays(tree: gast.AST) -> set[str]:
    """The names ``tree`` binds only to values made by an operation (a call, an arithmetic
    expression, a display, a comprehension), never to another name or an item or attribute
    of one: writing into them changes nothing the caller holds. Parameters are not among
    them."""
    values: dict[str, list[gast.expr]] = {}
    for node in walk(tree):
        if isinstance(node, gast.Assign):
            for target in node.targets:
                if isinstance(target, gast.Name):
                    values.setdefault(target.id, []).append(node.value)
        elif isinstance(node, (gast.For, gast.comprehension)):
            for target in walk(getattr(node, "target", None) or gast.Tuple(elts=[], ctx=None)):
                if isinstance(target, gast.Name):
                    values.setdefault(target.id, []).append(target)  # not shown new
    aliases = (gast.Name, gast.Subscript, gast.Attribute, gast.Starred, gast.IfExp,
               gast.BoolOp, gast.NamedExpr)  # fmt: skip
    return {name for name, vs in values.items() if not any(isinstance(v, aliases) for v in vs)}


def _made_here(receiver: gast.expr, tree: gast.AST) -> bool:
    """Whether ``receiver`` is a local name bound in ``tree`` only to new containers (a list,
    dict or set display or comprehension, or a ``list()``/``dict()``/``set()`` call): changing
    it changes nothing the caller sees."""
    if not isinstance(receiver, gast.Name):
        return False
    values = [n.value for n in walk(tree) if isinstance(n, gast.Assign)
              and any(isinstance(t, gast.Name) and t.id == receiver.id for t in n.targets)]
    fresh = (gast.List, gast.Dict, gast.Set, gast.ListComp, gast.DictComp, gast.SetComp)
    return bool(values) and all(
        isinstance(v, fresh) or isinstance(v, gast.Call) and isinstance(v.func, gast.Name)
        and v.func.id in ("list", "dict", "set") for v in values
    )  # fmt: skip


def _library_call(value: Any) -> bool:
    module = getattr(value, "__module__", None) or getattr(type(value), "__module__", "")
    return module.startswith(("numpy", "scipy")) and not is_random_draw(value)


def _global_value(func: types.FunctionType, node: Any) -> Any:
    chain = []
    while isinstance(node, gast.Attribute):
        chain.append(node.attr)
        node = node.value
    if not isinstance(node, gast.Name):
        return None
    value = func.__globals__.get(node.id, getattr(builtins, node.id, None))
    for attr in reversed(chain):
        value = getattr(value, attr, None)
    return value
