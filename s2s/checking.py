"""Gradient checking: s2s's derivatives against central differences along random directions.

``check_grad`` compares, at the given arguments, the VJP (``"rev"``) and the JVP (``"fwd"``)
with a central difference of ``f`` along a random direction, contracted with a random output
cotangent; with ``order=2`` it does the same for the derivative of the VJP (forward over
reverse and reverse over reverse) against central differences of the VJP. Every derivative's
type, shape and dtype is checked against what it belongs to. A disagreement raises
:class:`GradientCheckError` carrying the analytic and numeric values side by side.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from s2s.api import jvp, pullback, vjp
from s2s.arguments import wrt_names
from s2s.errors import DtypeError, LocatedError, Location, UsageError, caller_location
from s2s.runtime.trees import LEAF, TUPLE, flatten, is_differentiable_leaf, kind_of, unflatten

# relative tolerance of a central difference in the argument's dtype, and of two analytic
# derivatives (VJP against JVP) that should agree to rounding
_RTOL = {"float64": 1e-5, "float32": 5e-3, "float16": 5e-2}
_RTOL_EXACT = {"float64": 1e-9, "float32": 1e-4, "float16": 1e-2}


class GradientCheckError(LocatedError, AssertionError):
    """An s2s derivative disagrees with central differences (or another mode), or has the
    wrong type, shape or dtype.

    Attributes: ``mode`` (``"rev"``, ``"fwd"``, ``"rev-fwd"``, ``"fwd over rev"``, ...),
    ``order``, ``analytic`` and ``numeric`` (the two values compared)."""

    def __init__(self, message: str, where: Location | None, advice: str, *, mode: str,
                 order: int, analytic: Any, numeric: Any) -> None:  # fmt: skip
        self.mode, self.order, self.analytic, self.numeric = mode, order, analytic, numeric
        super().__init__(message, where, advice)


def _where(f: Callable) -> Location | None:
    code = getattr(f, "__code__", None)
    if code is None:
        return None
    return Location(code.co_filename, code.co_firstlineno, 0, "")


def _dtype_name(values: Sequence[Any]) -> str:
    """The lowest precision among the differentiated values (their checks' tolerances)."""
    kinds = [np.result_type(v).name for v in _leaves(values)]
    for name in ("float16", "float32"):
        if name in kinds:
            return name
    return "float64"


def _container(x: Any) -> bool:
    """A parameter container (dict, list, NamedTuple, dataclass): its differentiable leaves are
    checked, its others (ints, strings, ``None``) carry no gradient and stay put."""
    return kind_of(x) not in (LEAF, TUPLE)


def _leaves(value: Any) -> list[Any]:
    if _container(value):
        return [x for x in flatten(value)[0] if is_differentiable_leaf(x)]
    if isinstance(value, (tuple, list)):
        return [x for v in value for x in _leaves(v)]
    return [value]


def _leafwise(function: Callable, x: Any, *others: Any) -> Any:
    """``function`` applied to each differentiable leaf of the container ``x`` (with the leaves
    of ``others`` in the same places); its other leaves kept."""
    leaves, treedef = flatten(x)
    rest = [flatten(o)[0] for o in others]
    return unflatten(treedef, [function(leaf, *(r[i] for r in rest))
                               if is_differentiable_leaf(leaf) else leaf
                               for i, leaf in enumerate(leaves)])  # fmt: skip


def _random_like(rng: np.random.Generator, x: Any) -> Any:
    if _container(x):
        return _leafwise(lambda leaf: _random_like(rng, leaf), x)
    if isinstance(x, tuple):
        return tuple(_random_like(rng, v) for v in x)
    if isinstance(x, float):
        return float(rng.standard_normal())
    v = rng.standard_normal(np.shape(x))
    if isinstance(x, np.ndarray):
        return v.astype(x.dtype if x.dtype.kind == "f" else np.float64)
    return np.result_type(x).type(v) if np.result_type(x).kind == "f" else np.float64(v)


def _pairs(a: Any, b: Any) -> tuple[list, list] | None:
    """The differentiable leaves of two values of one container's structure (a gradient's
    ``None`` where its leaf has none), else ``None``."""
    if not (_container(a) or _container(b)):
        return None
    like = b if _container(b) else a
    keep = [is_differentiable_leaf(v) for v in flatten(like)[0]]
    first, second = flatten(a)[0], flatten(b)[0]
    pairs = [(x, y) for x, y, k in zip(first, second, keep, strict=True) if k and x is not None]
    return [x for x, _ in pairs], [y for _, y in pairs]


def _inner(a: Any, b: Any) -> float:
    if (pairs := _pairs(a, b)) is not None:
        return sum(_inner(x, y) for x, y in zip(*pairs))
    if isinstance(a, tuple) or isinstance(b, tuple):
        return sum(_inner(x, y) for x, y in zip(a, b, strict=True) if x is not None)
    return float(np.sum(np.asarray(a, np.float64) * np.asarray(b, np.float64)))


def _abs_inner(a: Any, b: Any) -> float:
    if (pairs := _pairs(a, b)) is not None:
        return sum(_abs_inner(x, y) for x, y in zip(*pairs))
    if isinstance(a, tuple) or isinstance(b, tuple):
        return sum(_abs_inner(x, y) for x, y in zip(a, b, strict=True) if x is not None)
    return float(np.sum(np.abs(np.asarray(a, np.float64) * np.asarray(b, np.float64))))


def _norm(a: Any) -> float:
    return float(np.sqrt(sum(np.sum(np.asarray(x, np.float64) ** 2) for x in _leaves(a))))


def _shift(x: Any, h: float, v: Any) -> Any:
    if _container(x):
        return _leafwise(lambda leaf, d: _shift(leaf, h, d), x, v)
    if isinstance(x, tuple):
        return tuple(_shift(a, h, b) for a, b in zip(x, v, strict=True))
    if isinstance(x, float):
        return x + h * v
    dtype = np.result_type(x)
    moved = np.asarray(x, np.float64) + h * np.asarray(v, np.float64)
    if dtype == np.float16:
        dtype = np.dtype(np.float32)  # float16 differences are evaluated in float32
    return moved.astype(dtype) if isinstance(x, np.ndarray) else dtype.type(moved)


def _difference(a: Any, b: Any, h: float) -> Any:
    if _container(a):
        return _leafwise(lambda x, y: _difference(x, y, h), a, b)
    if isinstance(a, tuple):
        return tuple(_difference(x, y, h) for x, y in zip(a, b, strict=True))
    return (np.asarray(a, np.float64) - np.asarray(b, np.float64)) / (2 * h)


def _check_like(value: Any, like: Any, what: str, mode: str, order: int, where) -> None:
    """``value`` has ``like``'s type, shape and dtype (a float gives ``np.float64``); for a
    container, its structure, with ``None`` at the leaves that carry no gradient."""
    if _container(like):
        leaves, treedef = flatten(like)
        got = flatten(value) if _container(value) else None
        if got is None or got[1] != treedef:
            raise GradientCheckError(f"{what} should have the structure of {like!r}, not "
                                     f"{value!r}", where, _ADVICE, mode=mode, order=order,
                                     analytic=value, numeric=None)  # fmt: skip
        for i, (v, x) in enumerate(zip(got[0], leaves)):
            if is_differentiable_leaf(x):
                _check_like(v, x, f"{what}'s leaf {i}", mode, order, where)
        return
    if isinstance(like, tuple):
        if not isinstance(value, tuple) or len(value) != len(like):
            raise GradientCheckError(f"{what} should be a tuple of {len(like)}, not "
                                     f"{type(value).__name__}", where, _ADVICE, mode=mode,
                                     order=order, analytic=value, numeric=None)  # fmt: skip
        for i, (v, x) in enumerate(zip(value, like)):
            _check_like(v, x, f"{what}[{i}]", mode, order, where)
        return
    expected = (np.float64, np.dtype(np.float64)) if isinstance(like, float) else (
        type(like), np.result_type(like))  # fmt: skip
    problems = []
    if type(value) is not expected[0]:
        problems.append(f"type {type(value).__name__}, expected {expected[0].__name__}")
    if np.shape(value) != np.shape(like):
        problems.append(f"shape {np.shape(value)}, expected {np.shape(like)}")
    if np.result_type(value) != expected[1] and expected[1].kind == "f":
        problems.append(f"dtype {np.result_type(value)}, expected {expected[1]}")
    if problems:
        raise GradientCheckError(f"{what} has " + "; ".join(problems), where, _ADVICE,
                                 mode=mode, order=order, analytic=value,
                                 numeric=like)  # fmt: skip


_ADVICE = (
    "a derivative rule or a construct gives a wrong value here; narrow it down by checking "
    "smaller pieces of the function, and compare with s2s.grad(...).source"
)


def _side_by_side(analytic: Any, numeric: Any, limit: int = 8) -> str:
    """The two values, entry by entry, where they differ most (at most ``limit`` rows)."""
    a = np.ravel(np.asarray(analytic, np.float64))
    n = np.ravel(np.asarray(numeric, np.float64))
    if a.shape != n.shape:
        return f"  analytic {analytic!r}\n  numeric  {numeric!r}"
    order = np.argsort(-np.abs(a - n))[:limit]
    rows = [f"  {'entry':>8} {'analytic':>16} {'numeric':>16} {'difference':>12}"]
    for i in order:
        rows.append(f"  {int(i):>8} {a[i]:>16.9g} {n[i]:>16.9g} {a[i] - n[i]:>12.3g}")
    return "\n".join(rows)


def _compare(
    analytic: float,
    numeric: float,
    scale: float,
    rtol: float,
    noise: float,
    mode: str,
    order: int,
    where: Location | None,
    detail: tuple[Any, Any] | None = None,
) -> None:
    allowed = rtol * scale + noise
    if abs(analytic - numeric) <= allowed and np.isfinite(analytic) == np.isfinite(numeric):
        return
    table = _side_by_side(*(detail if detail is not None else (analytic, numeric)))
    raise GradientCheckError(
        f"order {order}, {mode}: the directional derivative is {analytic!r} but "
        f"{'central differences' if 'vs' not in mode else 'the other mode'} give {numeric!r} "
        f"(error {abs(analytic - numeric):.3g}, allowed {allowed:.3g})\n{table}",
        where,
        _ADVICE,
        mode=mode,
        order=order,
        analytic=detail[0] if detail else analytic,
        numeric=detail[1] if detail else numeric,
    )


def check_grad(
    f: Callable,
    *args: Any,
    wrt: int | str | tuple[int | str, ...] = 0,
    modes: Sequence[str] = ("rev", "fwd"),
    order: int = 2,
    seed: int = 0,
    rtol: float | None = None,
    directions: Sequence[Any] | None = None,
    **kwargs: Any,
) -> None:
    """Check s2s's derivatives of ``f`` at ``f(*args, **kwargs)`` against central differences.

    A random direction ``v`` (one per ``wrt`` argument) and a random output cotangent ``u``
    are drawn (``seed``); the step is ``eps ** (1/3)`` of the arguments' dtype times their
    magnitude (float16 arguments are differenced in float32). ``"rev"`` compares
    ``<vjp(u), v>`` and ``"fwd"`` compares ``<u, jvp(v)>`` with ``<u, (f(x + h v) - f(x -
    h v)) / 2h>``; with both, the two are also compared with each other, to rounding. The
    VJP must have the arguments' types, shapes and dtypes, the JVP the output's. ``order=2``
    differentiates the VJP ``x -> J(x)^T u`` again: forward over reverse (``"fwd"``) and
    reverse over reverse (``"rev"``), against central differences of the VJP. A parameter
    container (dict, list, NamedTuple, dataclass) is moved along a random direction of its
    structure in its differentiable leaves; its second order is checked forward over reverse
    only (reverse over a derivative of containers is not supported).

    Keyword arguments: ``wrt``, ``modes``, ``order``, ``seed``, ``rtol`` and ``directions``
    are always check_grad's own options; every other keyword is passed on to ``f`` (and to
    its derivatives), so ``check_grad(f, x, c=5.0)`` checks ``f(x, c=5.0)``. A parameter of
    ``f`` named like one of the options is given positionally (or through
    ``functools.partial``). ``wrt`` may name any parameter given by position or keyword, or
    left at its default (then checked at the default).

    Raises:
        GradientCheckError: a disagreement (its message shows analytic and numeric values side
            by side; the exception carries them) or a derivative of the wrong type, shape or
            dtype. Errors of s2s itself (``NoRuleError``, ...) propagate.
        UsageError: a differentiated argument, ``f``'s value, or ``f`` at ``x +- h v`` is
            not finite (no central difference exists there), at the call.
        TypeError: ``f``'s own, for arguments ``f`` does not take.
    """
    call = _check_call(f, args, kwargs, modes, order, seed)
    modes = tuple(modes)
    where = _where(f)
    rng = np.random.default_rng(seed)
    names, _ = wrt_names(f, wrt)
    arguments = dict(call.arguments)
    for name in names:  # a wrt parameter left at its default is checked at the default
        arguments.setdefault(name, call.signature.parameters[name].default)
    values = [arguments[name] for name in names]
    for name in names:
        _require_real(arguments[name], name)
        _require_finite(arguments[name], f"argument {name!r}", "check at finite arguments")
    value = _invoke(f, arguments)
    _require_finite(value, "f's value at the arguments",
                    "check where f is finite (an overflow, a log or division at 0, or a NaN "
                    "computed inside f makes the comparison meaningless)")  # fmt: skip
    dtype = _dtype_name(values + _leaves(value))  # a float32 output rounds like a float32 input
    rtol = _RTOL[dtype] if rtol is None else rtol
    scale_x = max([1.0] + [float(np.max(np.abs(np.asarray(v, np.float64)), initial=0.0))
                           for v in _leaves(values)])  # fmt: skip
    step = float(np.finfo(np.float32 if dtype != "float64" else np.float64).eps) ** (1 / 3)
    h = step * scale_x
    u = _random_like(rng, value)
    v = [_random_like(rng, x) for x in values] if directions is None else list(directions)
    wrt_tuple = tuple(names)

    def at(sign: float, function: Callable, *first: Any) -> Any:
        moved = dict(arguments)
        for name, vi in zip(names, v):
            moved[name] = _shift(arguments[name], sign * h, vi)
        return _invoke(function, moved, *first)

    numeric_out = _difference(*_shifted(at, f, h), h)
    numeric = _inner(u, numeric_out)
    noise = 64 * float(np.finfo(np.float32 if dtype != "float64" else np.float64).eps)
    noise *= _abs_inner(u, value) / h
    truncation = _norm(u) * _norm(tuple(v))  # where both sides are near 0: O(h^2) terms
    results: dict[str, float] = {}
    if "rev" in modes:
        _, pull = _invoke(vjp(f, wrt=wrt_tuple), arguments)
        grads = pull(u)
        _check_like(grads, tuple(values), "the VJP", "rev", 1, where)
        results["rev"] = _inner(grads, tuple(v))
        scale = _abs_inner(grads, tuple(v)) + abs(numeric) + truncation
        _compare(results["rev"], numeric, scale, rtol, noise, "rev", 1, where)
    if "fwd" in modes:
        forward = jvp(f, wrt=wrt_tuple)
        tangents = {forward._tangent_names[n]: vi for n, vi in zip(forward._wrt_names, v)}
        _, tangent = _invoke(forward, {**arguments, **tangents})
        _check_like(tangent, value, "the JVP", "fwd", 1, where)
        results["fwd"] = _inner(u, tangent)
        scale = _abs_inner(u, tangent) + abs(numeric) + truncation
        _compare(results["fwd"], numeric, scale, rtol, noise, "fwd", 1, where,
                 (_flat(tangent), _flat(numeric_out)))  # fmt: skip
    if len(results) == 2:
        scale = abs(results["rev"]) + abs(results["fwd"]) + 1e-300
        _compare(results["rev"], results["fwd"], scale, _RTOL_EXACT[dtype], 0.0,
                 "rev vs fwd", 1, where)  # fmt: skip
    if order == 2:  # reverse over a derivative of containers is not supported: fwd over rev
        second = ("fwd",) if any(_container(x) for x in values) else modes
        _second_order(f, arguments, names, u, v, h, second, rtol, dtype, rng, where, at)


def _invoke(function: Callable, arguments: dict[str, Any], *first: Any) -> Any:
    """``function`` called with ``first`` positionally, then ``arguments`` (values by
    parameter name), each placed by ``function``'s signature: positionally up to the first
    one left out or keyword-only, by keyword after (a tangent named ``x_dot`` lands in its
    place however the primal's arguments were given)."""
    signature = inspect.signature(function)
    if first:
        skipped = list(signature.parameters.values())[len(first) :]
        signature = signature.replace(parameters=skipped)
    bound = inspect.BoundArguments(signature, arguments)  # type: ignore[arg-type]
    return function(*first, *bound.args, **bound.kwargs)


def _require_real(value: Any, name: str) -> None:
    """A ``wrt`` argument that is an integer or boolean (array or scalar), or a tuple holding
    one, has no direction to move along: a located :class:`DtypeError` at the call (check_grad
    has no ``allow_int``: an integer argument's zero gradient is nothing to check)."""
    items = value if type(value) is tuple else (value,)
    for item in items:
        numeric = isinstance(item, (np.ndarray, np.generic, int))  # bool is an int
        if numeric and np.asarray(item).dtype.kind in "biu":
            raise DtypeError(
                f"s2s.check_grad: argument {name!r} has dtype {np.asarray(item).dtype}; an "
                "integer or boolean value has no derivative for central differences to check",
                caller_location(),
                f"pass floats ({name}.astype(float), or float({name}) for a number), or leave "
                f"{name!r} out of wrt=",
            )


def _require_finite(value: Any, what: str, advice: str) -> None:
    """A located :class:`UsageError` when ``value`` holds a NaN or an infinity: central
    differences there are NaN, and nothing can be compared."""
    for leaf in _leaves(value):
        if leaf is None or np.result_type(leaf).kind not in "fc":
            continue
        finite = np.isfinite(np.asarray(leaf))
        if not finite.all():
            entry = "" if finite.ndim == 0 else f" at entry {np.argwhere(~finite)[0].tolist()}"
            raise UsageError(
                f"s2s.check_grad: {what} is not finite ({np.asarray(leaf)[~finite][0].item()!r}"
                f"{entry}), so central differences cannot check the derivative there",
                caller_location(),
                advice,
            )


def _shifted(at: Callable, function: Callable, h: float, *first: Any) -> tuple[Any, Any]:
    """``function`` at ``x + h v`` and ``x - h v``, refused when either is not finite
    (the step left ``f``'s domain or overflowed) while the value at ``x`` is."""
    plus, minus = at(1.0, function, *first), at(-1.0, function, *first)
    for value, sign in ((plus, "+"), (minus, "-")):
        _require_finite(value, f"the value at the shifted point x {sign} h*v (h = {h:.3g})",
                        "the central-difference step left f's domain or overflowed: check at "
                        "arguments of moderate size, away from the domain's edge, or pass "
                        "directions= that stay inside it")  # fmt: skip
    return plus, minus


def _flat(value: Any) -> np.ndarray:
    leaves = [np.ravel(np.asarray(x, np.float64)) for x in _leaves(value)]
    return np.concatenate(leaves) if leaves else np.zeros(0)


def _check_call(f: Any, args: tuple, kwargs: dict, modes: Any, order: Any,
                seed: Any) -> inspect.BoundArguments:  # fmt: skip
    """check_grad's own arguments: a located :class:`UsageError` for a wrong one, and ``f``'s
    own ``TypeError`` for arguments that do not fit ``f``; ``f``'s arguments bound."""

    def refuse(message: str, advice: str) -> None:
        raise UsageError(message, caller_location(), advice)

    if not callable(f):
        refuse(f"s2s.check_grad checks a Python function, not a {type(f).__qualname__}",
               "pass the function and its arguments: s2s.check_grad(f, x, y)")  # fmt: skip
    if (
        isinstance(modes, str)
        or not isinstance(modes, (tuple, list))
        or not modes
        or any(m not in ("rev", "fwd") for m in modes)
    ):
        refuse(f"modes must be a non-empty subset of ('rev', 'fwd'), not {modes!r}",
               'e.g. modes=("rev",)')  # fmt: skip
    if isinstance(order, bool) or order not in (1, 2):
        refuse(f"order must be 1 or 2, not {order!r}", "order=1 checks the first derivative")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        refuse(f"seed must be an int, not {seed!r}", "e.g. seed=0")
    try:
        return inspect.signature(f).bind(*args, **kwargs)
    except TypeError as exc:  # f's own TypeError for a missing, extra or unknown argument
        raise TypeError(f"{getattr(f, '__qualname__', f)}(): {exc}") from None


def _second_order(f, arguments, names, u, v, h, modes, rtol, dtype, rng, where, at) -> None:
    """The derivative of ``x -> J(x)^T u`` along ``v``: forward over reverse and reverse over
    reverse, against central differences of s2s's VJP (``arguments``: ``f``'s, by name;
    ``names``: the ``wrt`` parameters)."""
    wrt_tuple = tuple(names)
    first = pullback(f, wrt=wrt_tuple)  # first(u, *args) = J(args)^T u
    numeric_out = _difference(*_shifted(at, first, h, u), h)
    w = tuple(_random_like(rng, arguments[name]) for name in names)
    numeric = _inner(w, numeric_out)
    base = _invoke(first, arguments, u)
    with_u = {first._cotangent_name: u, **arguments}  # the pullback's parameters, by name
    noise = 64 * float(np.finfo(np.float32 if dtype != "float64" else np.float64).eps)
    noise *= _abs_inner(w, base) / h
    truncation = _norm(w) * _norm(tuple(v))
    results = {}
    if "fwd" in modes:
        second = jvp(first, wrt=wrt_tuple)
        tangents = {second._tangent_names[n]: vi for n, vi in zip(second._wrt_names, v)}
        _, tangent = _invoke(second, {**with_u, **tangents})
        _check_like(tangent, base, "the JVP of the VJP", "fwd over rev", 2, where)
        results["fwd"] = _inner(w, tangent)
        _compare(results["fwd"], numeric, _abs_inner(w, tangent) + abs(numeric) + truncation,
                 rtol, noise,
                 "fwd over rev", 2, where, (_flat(tangent), _flat(numeric_out)))  # fmt: skip
    if "rev" in modes:
        _, pull = _invoke(vjp(first, wrt=wrt_tuple), with_u)
        grads = pull(w)
        _check_like(grads, tuple(arguments[name] for name in names), "the VJP of the VJP",
                    "rev over rev", 2, where)  # fmt: skip
        results["rev"] = _inner(grads, tuple(v))
        _compare(results["rev"], numeric,
                 _abs_inner(grads, tuple(v)) + abs(numeric) + truncation, rtol, noise,
                 "rev over rev", 2, where)  # fmt: skip
    if len(results) == 2:
        scale = abs(results["rev"]) + abs(results["fwd"]) + 1e-300
        _compare(results["rev"], results["fwd"], scale, _RTOL_EXACT[dtype] * 10, 0.0,
                 "rev over rev vs fwd over rev", 2, where)  # fmt: skip


__all__ = ["GradientCheckError", "check_grad"]
