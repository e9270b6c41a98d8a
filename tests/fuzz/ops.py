"""The operations random programs are made of, keyed on the registry's rules.

Each operation writes the source text of one expression from the names of live values, knowing
their concrete float64 values (``ns``), so that it can keep its input inside the rule's domain
(``np.log`` of a value that may be negative is written ``np.log(x * x + 0.5)``) and away from
the points where the function is not differentiable (``np.abs`` near 0, ``np.maximum`` of nearly
equal operands, a comparison near its threshold). An operation returns ``None`` when it does not
apply to the operands drawn; the generator then draws again.

The domains mirror ``tests/rows`` (``positive``, ``away0``, ``uniform(-0.9, 0.9)``): a rule
whose row draws from a domain gets its operand mapped into the same domain here.
"""

from __future__ import annotations

import builtins
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

MARGIN = 1e-3  # distance kept from a kink, a jump or a threshold (values are O(1))


@dataclass(frozen=True)
class Op:
    """One operation: ``make(ctx, names)`` gives the expression text or ``None``.

    ``key`` is the callable whose rule the operation exercises (checked against the registry
    by ``tests/test_fuzz.py``); ``arity`` how many live float values it reads.
    """

    key: Any
    arity: int
    make: Callable[[Any, list[str]], str | None]
    weight: int = 1


def value(ctx: Any, name: str) -> Any:
    return ctx.ns[name]


def shape(ctx: Any, name: str) -> tuple[int, ...]:
    return np.shape(ctx.ns[name])


def far_from(x: Any, points: Any) -> bool:
    """Every entry of ``x`` is at least MARGIN from every point in ``points``."""
    x = np.asarray(x, dtype=np.float64).ravel()
    points = np.asarray(points, dtype=np.float64).ravel()
    if x.size == 0 or points.size == 0:
        return True
    return bool(np.min(np.abs(x[:, None] - points[None, :])) > MARGIN)


def distinct(x: Any) -> bool:
    """No two entries within MARGIN of each other (no ties for max, sort, median)."""
    flat = np.sort(np.asarray(x, dtype=np.float64).ravel())
    return flat.size < 2 or bool(np.min(np.diff(flat)) > MARGIN)


def broadcastable(a: tuple, b: tuple) -> bool:
    try:
        np.broadcast_shapes(a, b)
    except ValueError:
        return False
    return True


# -- domain guards: the operand written so that it lies in the rule's domain -------------------


def positive(ctx: Any, x: str, lo: float = 0.1) -> str:
    """``x`` if its entries are all above ``lo``, else ``(x * x + 0.5)``."""
    v = np.asarray(value(ctx, x))
    return x if v.size and np.min(v) > lo else f"({x} * {x} + 0.5)"


def away0(ctx: Any, x: str) -> str:
    v = np.asarray(value(ctx, x))
    return x if v.size and np.min(np.abs(v)) > 0.2 else f"({x} * {x} + 0.5)"


def unit(ctx: Any, x: str) -> str:
    """Entries in (-0.9, 0.9): arcsin, arccos, arctanh."""
    v = np.asarray(value(ctx, x))
    return x if v.size and np.max(np.abs(v)) < 0.9 else f"(0.9 * np.tanh({x}))"


def moderate(ctx: Any, x: str, bound: float = 3.0) -> str:
    """Entries of magnitude below ``bound``: exp, sinh, cosh, tan of it stay moderate."""
    v = np.asarray(value(ctx, x))
    return x if v.size and np.max(np.abs(v)) < bound else f"np.tanh({x})"


# -- elementwise ---------------------------------------------------------------------------------


def _unary(template: str, guard: Callable | None = None):
    def make(ctx, names):
        x = names[0]
        return template.format(x=guard(ctx, x) if guard else x)

    return make


def _kinked(template: str, points: Callable[[Any], Any]):
    """An elementwise function with kinks or jumps at ``points(x)``: only far from them."""

    def make(ctx, names):
        v = value(ctx, names[0])
        return template.format(x=names[0]) if far_from(v, points(v)) else None

    return make


def _binary(template: str, guard_b: Callable | None = None):
    def make(ctx, names):
        a, b = names
        if not broadcastable(shape(ctx, a), shape(ctx, b)):
            return None
        return template.format(a=a, b=guard_b(ctx, b) if guard_b else b)

    return make


def _selection(template: str):
    """``maximum``/``minimum``: only where the operands differ (or are the same value)."""

    def make(ctx, names):
        a, b = names
        if not broadcastable(shape(ctx, a), shape(ctx, b)):
            return None
        va, vb = np.broadcast_arrays(value(ctx, a), value(ctx, b))
        if a != b and (va.size == 0 or np.min(np.abs(va - vb)) <= MARGIN):
            return None
        return template.format(a=a, b=b)

    return make


def _where(ctx, names):
    a, b = names
    if not broadcastable(shape(ctx, a), shape(ctx, b)):
        return None
    v = np.asarray(value(ctx, a))
    threshold = round(float(np.median(v)) + 0.05, 3) if v.size else 0.0
    if not far_from(v, [threshold]):
        return None
    return f"np.where({a} > {threshold}, {a}, {b})"


def _clip(ctx, names):
    v = np.asarray(value(ctx, names[0]))
    if v.size == 0:
        return None
    lo, hi = round(float(np.quantile(v, 0.25)) - 0.01, 3), round(float(np.max(v)) + 0.5, 3)
    if not far_from(v, [lo, hi]):
        return None
    return f"np.clip({names[0]}, {lo}, {hi})"


def _power_int(ctx, names):
    return f"{names[0]} ** {ctx.draw.choice([2, 3])}"


UNARY = [
    Op(np.tanh, 1, _unary("np.tanh({x})"), 4),
    Op(np.sin, 1, _unary("np.sin({x})"), 3),
    Op(np.cos, 1, _unary("np.cos({x})")),
    Op(np.negative, 1, _unary("-{x}")),
    Op(np.positive, 1, _unary("+{x}")),
    Op(np.square, 1, _unary("np.square({x})")),
    Op(np.multiply, 1, _unary("{x} * 0.75"), 2),
    Op(np.add, 1, _unary("{x} + 0.25"), 2),
    Op(np.subtract, 1, _unary("1.5 - {x}")),
    Op(np.true_divide, 1, _unary("{x} / 2.5")),
    Op(np.true_divide, 1, _unary("1.0 / {x}", away0)),
    Op(np.exp, 1, _unary("np.exp({x})", moderate), 2),
    Op(np.exp2, 1, _unary("np.exp2({x})", moderate)),
    Op(np.expm1, 1, _unary("np.expm1({x})", moderate)),
    Op(np.log, 1, _unary("np.log({x})", positive), 2),
    Op(np.log2, 1, _unary("np.log2({x})", positive)),
    Op(np.log10, 1, _unary("np.log10({x})", positive)),
    Op(np.log1p, 1, _unary("np.log1p({x})", positive)),
    Op(np.sqrt, 1, _unary("np.sqrt({x})", positive), 2),
    Op(np.cbrt, 1, _unary("np.cbrt({x})", away0)),
    Op(np.reciprocal, 1, _unary("np.reciprocal({x})", away0)),
    Op(np.power, 1, _power_int, 2),
    Op(np.power, 1, _unary("{x} ** 1.5", positive)),
    Op(np.power, 1, _unary("2.0 ** {x}", moderate)),
    Op(np.arctan, 1, _unary("np.arctan({x})")),
    Op(np.arcsin, 1, _unary("np.arcsin({x})", unit)),
    Op(np.arccos, 1, _unary("np.arccos({x})", unit)),
    Op(np.arctanh, 1, _unary("np.arctanh({x})", unit)),
    Op(np.arcsinh, 1, _unary("np.arcsinh({x})")),
    Op(np.arccosh, 1, _unary("np.arccosh({x} * {x} + 1.5)")),
    Op(np.sinh, 1, _unary("np.sinh({x})", moderate)),
    Op(np.cosh, 1, _unary("np.cosh({x})", moderate)),
    Op(np.tan, 1, _unary("np.tan(0.5 * {x})", lambda c, x: moderate(c, x, 2.0))),
    Op(np.absolute, 1, _kinked("np.abs({x})", lambda v: [0.0])),
    Op(np.absolute, 1, _kinked("abs({x})", lambda v: [0.0])),
    Op(np.fabs, 1, _kinked("np.fabs({x})", lambda v: [0.0])),
    Op(np.clip, 1, _clip),
    Op(np.remainder, 1, _kinked("{x} % 1.5", lambda v: np.arange(-30, 31) * 1.5)),
    Op(np.fmod, 1, _kinked("np.fmod({x}, 1.25)", lambda v: np.arange(-30, 31) * 1.25)),
    Op(np.floor, 1, _kinked("np.floor({x}) * {x}", lambda v: np.arange(-30, 31))),
    Op(np.sign, 1, _kinked("np.sign({x}) * {x}", lambda v: [0.0])),
    Op(np.greater, 1, _kinked("({x} > 0.3) * {x}", lambda v: [0.3])),
    Op(np.maximum, 1, _kinked("np.maximum({x}, 0.0)", lambda v: [0.0])),
]

BINARY = [
    Op(np.add, 2, _binary("{a} + {b}"), 4),
    Op(np.subtract, 2, _binary("{a} - {b}"), 2),
    Op(np.multiply, 2, _binary("{a} * {b}"), 4),
    Op(np.true_divide, 2, _binary("{a} / {b}", away0), 2),
    Op(np.add, 2, _binary("np.add({a}, {b})")),
    Op(np.power, 2, _binary("{b} ** {a}", positive)),
    Op(np.maximum, 2, _selection("np.maximum({a}, {b})")),
    Op(np.minimum, 2, _selection("np.minimum({a}, {b})")),
    Op(np.hypot, 2, _binary("np.hypot({a}, {b})", away0)),
    Op(np.arctan2, 2, _binary("np.arctan2({a}, {b})", away0)),
    Op(np.logaddexp, 2, _binary("np.logaddexp({a}, {b})")),
    Op(np.logaddexp2, 2, _binary("np.logaddexp2({a}, {b})")),
    Op(np.where, 2, _where, 2),
]


# -- reductions ------------------------------------------------------------------------------


def _axis(ctx, names) -> tuple[str, int | None, bool]:
    """An ``axis=...`` (and ``keepdims``) argument text for the first operand."""
    ndim = len(shape(ctx, names[0]))
    choices: list[Any] = [None] + list(range(ndim)) + ([-1] if ndim else [])
    if ndim >= 2:
        choices.append((0, ndim - 1))
    axis = ctx.draw.choice(choices)
    keep = ctx.draw.chance(0.3)
    text = "" if axis is None else f", axis={axis}"
    return text + (", keepdims=True" if keep else ""), axis, keep


def _reduce(function: str, method: bool = False, check: Callable | None = None):
    def make(ctx, names):
        x = names[0]
        v = np.asarray(value(ctx, x))
        if v.size == 0 or (check is not None and not check(v)):
            return None
        args, _, _ = _axis(ctx, names)
        if method and ctx.draw.chance(0.5):
            return f"{x}.{function}({args[2:]})"
        return f"np.{function}({x}{args})"

    return make


def _groupwise(check: Callable[[np.ndarray], bool], function: str):
    """max, min, median, sort: no ties within the whole operand (stricter than per axis)."""
    return _reduce(function, method=function in ("max", "min"), check=check)


def _prod(ctx, names):
    v = np.asarray(value(ctx, names[0]))
    if v.size == 0 or v.size > 12 or np.max(np.abs(v)) > 2.0:
        return None
    return _reduce("prod", method=True)(ctx, names)


def _std(ctx, names):
    x = names[0]
    v = np.asarray(value(ctx, x))
    if v.size < 2 or np.std(v) < 0.05:
        return None
    ndim = v.ndim
    if ndim and ctx.draw.chance(0.5) and min(v.shape) >= 2:
        axis = ctx.draw.int(0, ndim - 1)
        if np.min(np.std(v, axis=axis)) < 0.05:
            return None
        return f"np.std({x}, axis={axis})"
    return f"np.std({x})"


def _var(ctx, names):
    x = names[0]
    v = np.asarray(value(ctx, x))
    if v.size < 2:
        return None
    ddof = ctx.draw.choice([0, 1])
    return f"np.var({x}, ddof={ddof})" if ddof else f"{x}.var()"


def _norm(ctx, names):
    v = np.asarray(value(ctx, names[0]))
    if v.size == 0 or np.linalg.norm(v) < 0.1:
        return None
    return f"np.linalg.norm({names[0]})"


def _cumulative(function: str):
    def make(ctx, names):
        x = names[0]
        v = np.asarray(value(ctx, x))
        if v.size == 0 or v.size > 24 or (function == "cumprod" and np.max(np.abs(v)) > 2.0):
            return None
        if v.ndim and ctx.draw.chance(0.5):
            return f"np.{function}({x}, axis={ctx.draw.int(0, v.ndim - 1)})"
        return f"np.{function}({x})"

    return make


def _builtin_sum(ctx, names):
    a, b = names
    if shape(ctx, a) != shape(ctx, b):
        return None
    return f"sum([{a}, {b} * 2.0])"


def _builtin_extremum(function: str):
    def make(ctx, names):
        a, b = names
        va, vb = value(ctx, a), value(ctx, b)
        if np.ndim(va) or np.ndim(vb) or abs(float(va) - float(vb)) <= MARGIN:
            return None
        return f"{function}({a}, {b})"

    return make


REDUCTIONS = [
    Op(np.sum, 1, _reduce("sum", method=True), 4),
    Op(np.mean, 1, _reduce("mean", method=True), 2),
    Op(np.max, 1, _groupwise(distinct, "max")),
    Op(np.min, 1, _groupwise(distinct, "min")),
    Op(np.prod, 1, _prod),
    Op(np.var, 1, _var),
    Op(np.std, 1, _std),
    Op(np.linalg.norm, 1, _norm),
    Op(np.cumsum, 1, _cumulative("cumsum")),
    Op(np.cumprod, 1, _cumulative("cumprod")),
    Op(np.median, 1, _groupwise(distinct, "median")),
    Op(np.sort, 1, _groupwise(distinct, "sort")),
    Op(builtins.sum, 2, _builtin_sum),
    Op(builtins.max, 2, _builtin_extremum("max")),
    Op(builtins.min, 2, _builtin_extremum("min")),
]


# -- shapes, indexing and joins ------------------------------------------------------------------


def _needs(ndim: int, body: Callable):
    def make(ctx, names):
        if len(shape(ctx, names[0])) < ndim:
            return None
        return body(ctx, names[0], shape(ctx, names[0]))

    return make


def _reshape(ctx, x, s):
    size = int(np.prod(s))
    if size == 0:
        return None
    options = [f"{x}.reshape(-1)", f"np.ravel({x})"]
    for rows in (2, 3, 4):
        if size % rows == 0 and size // rows > 1:
            options.append(f"{x}.reshape({rows}, -1)")
            options.append(f"np.reshape({x}, ({size // rows}, {rows}))")
    return ctx.draw.choice(options)


def _transpose(ctx, x, s):
    if len(s) == 2:
        return ctx.draw.choice([f"{x}.T", f"np.transpose({x})", f"np.swapaxes({x}, 0, 1)"])
    return ctx.draw.choice([f"np.transpose({x}, (1, 2, 0))", f"np.moveaxis({x}, 0, -1)"])


def _slice(ctx, x, s):
    if s[0] < 2:
        return None
    options = [f"{x}[1:]", f"{x}[:-1]", f"{x}[::-1]", f"{x}[0]", f"{x}[-1]", f"{x}[::2]"]
    if len(s) >= 2 and s[1] >= 2:
        options += [f"{x}[:, 1:]", f"{x}[1:, ::-1]", f"{x}[..., 0]", f"{x}[None, 0]"]
    return ctx.draw.choice(options)


def _gather(ctx, x, s):
    if s[0] < 2:
        return None
    picks = [ctx.draw.int(0, s[0] - 1) for _ in range(ctx.draw.int(1, 4))]
    options = [f"{x}[np.array({picks})]", f"{x}[{picks}]", f"np.take({x}, {picks}, axis=0)"]
    return ctx.draw.choice(options)


def _mask(ctx, x, s):
    v = np.asarray(value(ctx, x))
    threshold = round(float(np.median(v)), 3)
    if not far_from(v, [threshold]) or not np.any(v > threshold):
        return None
    return f"{x}[{x} > {threshold}]"


def _expand(ctx, x, s):
    return ctx.draw.choice([f"np.expand_dims({x}, 0)", f"{x}[:, None]" if s else f"{x}[None]"])


def _diff(ctx, x, s):
    if s[-1] < 2:
        return None
    return f"np.diff({x})" if ctx.draw.chance(0.5) else f"np.diff({x}, axis=-1)"


def _diag(ctx, x, s):
    if len(s) == 1:
        return f"np.diag({x})"
    return ctx.draw.choice([f"np.diag({x})", f"np.diagonal({x})", f"np.trace({x})"])


def _join(ctx, names):
    a, b = names
    sa, sb = shape(ctx, a), shape(ctx, b)
    if not sa or len(sa) != len(sb):
        return None
    if sa == sb and ctx.draw.chance(0.5):
        return ctx.draw.choice([f"np.stack([{a}, {b}])", f"np.stack(({a}, {b}), axis=-1)"])
    if sa[1:] == sb[1:]:
        join = "np.vstack" if len(sa) == 2 and ctx.draw.chance(0.3) else "np.concatenate"
        return f"{join}([{a}, {b}])"
    if sa[:-1] == sb[:-1]:
        return f"np.concatenate([{a}, {b}], axis=-1)"
    return None


def _broadcast_to(ctx, x, s):
    return f"np.broadcast_to({x}, (2,) + {x}.shape)" if len(s) < 3 else None


def _literal(ctx, names):
    a, b = names
    va, vb = value(ctx, a), value(ctx, b)
    if np.ndim(va) or np.ndim(vb):
        if np.shape(va) != np.shape(vb) or np.ndim(va) > 1:
            return None
        return f"np.array([{a}, {b}])"
    return f"np.array([[{a}, {b}], [{b}, 2.0 * {a}]])"


SHAPES = [
    Op(np.reshape, 1, _needs(1, _reshape), 2),
    Op(np.transpose, 1, _needs(2, _transpose), 2),
    Op(operator.getitem, 1, _needs(1, _slice), 3),
    Op(operator.getitem, 1, _needs(1, _gather), 2),
    Op(operator.getitem, 1, _needs(1, _mask)),
    Op(np.expand_dims, 1, _needs(0, _expand)),
    Op(np.diff, 1, _needs(1, _diff)),
    Op(np.diag, 1, _needs(1, _diag)),
    Op(np.broadcast_to, 1, _needs(0, _broadcast_to)),
    Op(np.concatenate, 2, _join, 2),
    Op(np.array, 2, _literal),
]


# -- products and linear algebra -------------------------------------------------------------------


def _matmul(ctx, names):
    a, b = names
    sa, sb = shape(ctx, a), shape(ctx, b)
    if not sa or not sb:
        return None
    if sa[-1] == (sb[-2] if len(sb) >= 2 else sb[0]):
        if len(sa) >= 2 and len(sb) >= 2 and not broadcastable(sa[:-2], sb[:-2]):
            return None
        return ctx.draw.choice([f"{a} @ {b}", f"np.matmul({a}, {b})"])
    if len(sa) == 2 and len(sb) == 2 and sa[-1] == sb[-1]:
        return ctx.draw.choice([f"{a} @ {b}.T", f"np.einsum('ij,kj->ik', {a}, {b})"])
    if len(sa) <= 2 and len(sb) <= 2 and sa[-1] == sb[0]:
        return ctx.draw.choice([f"np.dot({a}, {b})", f"np.tensordot({a}, {b}, axes=1)"])
    if len(sa) == 1 and len(sb) == 1:
        return f"np.outer({a}, {b})"
    return None


def _vdot(ctx, names):
    a, b = names
    if np.size(value(ctx, a)) != np.size(value(ctx, b)) or np.size(value(ctx, a)) == 0:
        return None
    return f"np.vdot({a}, {b})"


def _gram(ctx, x):
    """A well-conditioned symmetric positive definite matrix made from ``x``."""
    s = shape(ctx, x)
    if len(s) != 2 or s[0] > 4:
        return None
    return f"({x} @ {x}.T + {s[0] + 1.0} * np.eye({s[0]}))"


def _linalg(template: str):
    def make(ctx, names):
        gram = _gram(ctx, names[0])
        return None if gram is None else template.format(a=gram)

    return make


def _eigen(template: str):
    def make(ctx, names):
        gram = _gram(ctx, names[0])
        if gram is None or not distinct(np.linalg.eigvalsh(eval(gram, ctx.env()))):
            return None
        return template.format(a=gram)

    return make


def _solve(ctx, names):
    a, b = names
    gram = _gram(ctx, a)
    sb = shape(ctx, b)
    if gram is None or not sb or sb[0] != shape(ctx, a)[0] or len(sb) > 2:
        return None
    return f"np.linalg.solve({gram}, {b})"


PRODUCTS = [
    Op(np.matmul, 2, _matmul, 4),
    Op(np.vdot, 2, _vdot),
    Op(np.linalg.inv, 1, _linalg("np.linalg.inv({a})")),
    Op(np.linalg.det, 1, _linalg("np.linalg.det({a})")),
    Op(np.linalg.slogdet, 1, _linalg("np.linalg.slogdet({a})[1]")),
    Op(np.linalg.cholesky, 1, _linalg("np.linalg.cholesky({a})")),
    Op(np.linalg.eigvalsh, 1, _eigen("np.linalg.eigvalsh({a})")),
    Op(np.linalg.eigh, 1, _eigen("np.linalg.eigh({a})[0]")),
    Op(np.linalg.solve, 2, _solve),
]

ALL = UNARY + BINARY + REDUCTIONS + SHAPES + PRODUCTS


def weighted(ops: list[Op]) -> list[Op]:
    """The list with each operation repeated by its weight (what ``choice`` draws from)."""
    return [op for op in ops for _ in range(op.weight)]
