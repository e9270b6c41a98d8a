"""Gradient checks: a random-direction central difference against s2s's vjp (STYLE.md item 8).

The check draws a random output cotangent ``ct`` and a random direction ``v`` per differentiable
input, and compares ``<pullback(ct), v>`` with ``ct . (f(x + h v) - f(x - h v)) / 2h``.
Low-precision runs compare with the float64 gradient at the same (rounded) point, and every
gradient must have its input's type, shape and dtype.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest

import s2s
import s2s.api

EPS64 = float(np.finfo(np.float64).eps)
# Low-precision runs: allowed error relative to the largest entry of the float64 gradient.
LOW_RTOL = {"float32": 2e-5, "float16": 1e-2}


def fresh(fn: Callable) -> Callable:
    """A new function object with ``fn``'s code, so s2s generates for it afresh (no cache hit)."""
    return types.FunctionType(
        fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__, fn.__closure__
    )


def leaves(x: Any) -> list[Any]:
    """The values of ``x``, tuples, lists and dicts (by their order) flattened depth first."""
    if isinstance(x, dict):
        return [leaf for v in x.values() for leaf in leaves(v)]
    if isinstance(x, (tuple, list)):
        return [leaf for v in x for leaf in leaves(v)]
    return [x]


def cast(x: Any, dtype: Any) -> Any:
    """``x`` in ``dtype`` if it is a numpy float (array or scalar; tuples item by item); anything
    else unchanged."""
    if isinstance(x, tuple):
        return tuple(cast(v, dtype) for v in x)
    if isinstance(x, dict):
        return {k: cast(v, dtype) for k, v in x.items()}
    if isinstance(x, np.ndarray) and x.dtype.kind == "f":
        return x.astype(dtype)
    if isinstance(x, np.floating):
        return np.dtype(dtype).type(x)
    return x


def random_like(rng: np.random.Generator, x: Any, sym: bool = False) -> Any:
    """A standard-normal value of ``x``'s shape and type (float64 precision)."""
    if isinstance(x, float):
        return float(rng.standard_normal())
    v = rng.standard_normal(np.shape(x))
    if sym:
        v = v + np.swapaxes(v, -1, -2)
    if isinstance(x, np.ndarray):
        return v.astype(x.dtype)
    return type(x)(v)


def ones_like(x: Any) -> Any:
    """Ones of ``x``'s shape and type: the unit cotangent of an output ``x``."""
    if isinstance(x, float):
        return 1.0
    if isinstance(x, np.ndarray):
        return np.ones_like(x)
    return type(x)(1)


def shift(x: Any, h: float, v: Any) -> Any:
    """``x + h v`` of ``x``'s type, in float64."""
    if isinstance(x, float):
        return x + h * v
    out = np.asarray(x, dtype=np.float64) + h * np.asarray(v, dtype=np.float64)
    return np.asarray(out) if isinstance(x, np.ndarray) else out  # a 0-d array stays one


def inner(a: Any, b: Any) -> float:
    """``<a, b>`` in float64 (tuples: the sum over their items)."""
    pairs = zip(leaves(a), leaves(b))
    products = (np.asarray(x, np.float64) * np.asarray(y, np.float64) for x, y in pairs)
    return float(sum(np.sum(p) for p in products))


def abs_inner(a: Any, b: Any) -> float:
    return float(np.sum(np.abs(np.asarray(a, dtype=np.float64) * np.asarray(b, dtype=np.float64))))


def norm(a: Any) -> float:
    return float(np.linalg.norm(np.ravel(np.asarray(a, dtype=np.float64))))


def assert_like(grad: Any, x: Any, name: str) -> None:
    """``grad`` has the type, shape and dtype its input ``x`` asks for (DESIGN 1 and 6)."""
    if isinstance(x, float):
        expected_type, dtype = np.float64, np.dtype(np.float64)
    else:
        expected_type, dtype = type(x), x.dtype
    assert type(grad) is expected_type, f"{name}: type {type(grad).__name__}, not {expected_type}"
    assert np.shape(grad) == np.shape(x), f"{name}: shape {np.shape(grad)}, not {np.shape(x)}"
    assert grad.dtype == dtype, f"{name}: dtype {grad.dtype}, not {dtype}"


def assert_same_value(value: Any, expected: Any) -> None:
    """s2s's primal value is the plain call's, bit for bit, with its dtype."""
    assert np.shape(value) == np.shape(expected)
    assert np.result_type(value) == np.result_type(expected), (value, expected)
    np.testing.assert_array_equal(value, expected, strict=False)


def vjp_at(fn: Callable, args: Sequence[Any], wrt: tuple[int, ...]):
    """``(value, pullback)`` of s2s's vjp of ``fn`` at ``args``."""
    return s2s.vjp(fn, wrt=wrt)(*args)


def check_directional(
    fn: Callable,
    args: Sequence[Any],
    wrt: tuple[int, ...],
    rng: np.random.Generator,
    *,
    sym: Sequence[bool] = (),
    h: float = 1e-4,
    rtol: float = 1e-8,
) -> None:
    """Richardson-extrapolated central differences along a random direction against the vjp,
    in float64.

    The error allowed is ``rtol`` times the magnitudes on both sides (``sum |g_i v_i|`` and
    ``|fd|``) plus the rounding noise of the difference quotient (``eps |ct . f| / h``). With
    the default step (``1e-4``: O(h^4) truncation) and ``rtol = 1e-8``, a gradient off by 1e-4
    relative fails. Symmetric inputs (``sym``: functions that read one triangle) are moved
    along symmetric directions, and their gradient must be symmetric.
    """
    value, pullback = vjp_at(fn, args, wrt)
    assert_same_value(value, fn(*args))
    ct = random_like(rng, value)
    grads = pullback(ct)
    assert isinstance(grads, tuple) and len(grads) == len(wrt), grads
    sym = tuple(sym) or (False,) * len(wrt)
    dirs = [random_like(rng, args[i], s) for i, s in zip(wrt, sym)]
    for i, g, s in zip(wrt, grads, sym):
        assert_like(g, args[i], f"gradient of argument {i}")
        if s:  # the rule reads a symmetric matrix: its gradient is the symmetric one
            np.testing.assert_allclose(g, np.swapaxes(g, -1, -2), rtol=1e-10, atol=1e-12)
    fd = inner(ct, directional_difference(fn, args, wrt, dirs, h))
    ad = sum(inner(g, v) for g, v in zip(grads, dirs))
    scale = sum(abs_inner(g, v) for g, v in zip(grads, dirs)) + abs(fd)
    noise = 64 * EPS64 * abs_inner(ct, value) / h
    noise += 1e-14 * norm(ct) * np.sqrt(sum(norm(v) ** 2 for v in dirs))  # a zero gradient
    assert abs(ad - fd) <= rtol * scale + noise, (
        f"<pullback(ct), v> = {ad!r} but the difference quotient = {fd!r} "
        f"(error {abs(ad - fd):.3g}, allowed {rtol * scale + noise:.3g})"
    )


def quotient(plus: Any, minus: Any, h: float) -> Any:
    """``(plus - minus) / 2h`` in float64: the suite's one central difference, for callers that
    keep ``f(x + h v)`` and ``f(x - h v)`` for other checks (the fuzzer, the GPU rows)."""
    return (np.asarray(plus, np.float64) - np.asarray(minus, np.float64)) / (2 * h)


def central(phi: Callable[[float], Any], h: float) -> Any:
    """The derivative at 0 of ``phi`` (a function of one real step) by the central difference
    at step ``h``: O(h^2) truncation plus rounding ``~ eps |phi| / h``."""
    return quotient(phi(h), phi(-h), h)


def richardson(phi: Callable[[float], Any], h: float) -> Any:
    """The derivative at 0 of ``phi`` (a function of one real step), by central differences at
    steps ``h`` and ``h / 2`` combined by Richardson extrapolation: the O(h^2) error terms
    cancel, leaving O(h^4) truncation plus rounding ``~ eps |phi| / h``."""
    return (4 * central(phi, h / 2) - central(phi, h)) / 3


def along(f: Callable, x: Any, v: Any, h: float = 1e-6) -> Any:
    """The central difference of ``f`` (a function of one value, any output shape) at ``x``
    along ``v``."""
    return central(lambda t: f(x + t * v), h)


def directional_difference(
    fn: Callable, args: Sequence[Any], wrt: tuple[int, ...], dirs: Sequence[Any], h: float
) -> Any:
    """``d/dt fn(args + t dirs)`` at ``t = 0`` (Richardson-extrapolated central differences),
    computed in float64 whatever the arguments' dtypes."""

    def phi(t: float) -> Any:
        moved = [cast(a, np.float64) for a in args]
        for i, v in zip(wrt, dirs):
            moved[i] = shift(args[i], t, v)
        return fn(*moved)

    return richardson(phi, h)


def check_low_precision(
    fn: Callable,
    args64: Sequence[Any],
    wrt: tuple[int, ...],
    dtype: str,
    rng: np.random.Generator,
    *,
    h: float = 1e-4,
    rtol: float | None = None,
) -> None:
    """The vjp in ``dtype``: gradient types follow the inputs, values match float64's.

    Inputs are rounded to ``dtype``. The gradient is compared twice: with s2s's float64 vjp at
    the rounded inputs with the rounded cotangent (entry by entry, relative to the largest
    entry), and with Richardson differences of the function computed in float64 at the
    rounded inputs (along the gradient), so that an error independent of the dtype
    fails here as well as in the float64 row. For float32, ``rtol`` (default 2e-5) is below the
    1e-4 a scaled gradient would be off by.
    """
    args = [cast(a, dtype) for a in args64]
    value, pullback = vjp_at(fn, args, wrt)
    assert_same_value(value, fn(*args))
    ct = random_like(rng, value)
    grads = pullback(ct)
    assert isinstance(grads, tuple) and len(grads) == len(wrt), grads
    for i, g in zip(wrt, grads):
        assert_like(g, args[i], f"gradient of argument {i} in {dtype}")
    up = [cast(a, np.float64) for a in args]
    _, pullback64 = vjp_at(fn, up, wrt)
    reference = pullback64(cast(ct, np.float64))
    rtol = LOW_RTOL[dtype] if rtol is None else rtol
    for i, g, r in zip(wrt, grads, reference):
        r = np.asarray(r, dtype=np.float64)
        bound = rtol * float(np.max(np.abs(r), initial=0.0)) + 1e-30
        error = float(np.max(np.abs(np.asarray(g, dtype=np.float64) - r), initial=0.0))
        assert error <= bound, (
            f"argument {i} in {dtype}: max error {error:.3g} against float64, allowed {bound:.3g}"
        )
    # along the gradient itself: <g, g> has no cancellation, so a relative error of the
    # gradient's size is one of <g, v> (directions are the float64 row's and the entrywise
    # comparison's business)
    dirs = [np.asarray(g, dtype=np.float64) for g in grads]
    dirs = [float(d) if isinstance(up[i], float) else d for i, d in zip(wrt, dirs)]
    fd = inner(cast(ct, np.float64), directional_difference(fn, up, wrt, dirs, h))
    ad = sum(inner(g, v) for g, v in zip(grads, dirs))
    scale = sum(abs_inner(g, v) for g, v in zip(grads, dirs)) + abs(fd)
    assert abs(ad - fd) <= rtol * scale + 1e-30, (
        f"{dtype}: <pullback(ct), v> = {ad!r} but float64 differences give {fd!r} "
        f"(error {abs(ad - fd):.3g}, allowed {rtol * scale:.3g})"
    )


def check_grad_matches_vjp(fn: Callable, args: Sequence[Any], wrt: tuple[int, ...]) -> None:
    """For a scalar output, ``s2s.grad`` equals the pullback of a unit cotangent."""
    value, pullback = vjp_at(fn, args, wrt)
    expected = pullback(ones_like(value))
    got = s2s.grad(fn, wrt=wrt)(*args)
    assert isinstance(got, tuple) and len(got) == len(wrt)
    for i, g, e in zip(wrt, got, expected):
        assert_like(g, args[i], f"grad of argument {i}")
        np.testing.assert_allclose(g, e, rtol=1e-12, atol=0, err_msg=f"argument {i}")


def numeric_gradient(
    f: Callable, args: Sequence[Any], index: int, h: float = 1e-6, symmetric: bool = False
) -> np.ndarray:
    """Central differences of scalar ``f`` with respect to ``args[index]``, entry by entry.

    With ``symmetric``, entry ``(i, j)`` moves along ``E_ij + E_ji`` (a function that reads
    one triangle) and the result is the symmetric gradient."""
    x = np.asarray(args[index], dtype=np.float64)
    grad = np.zeros_like(x)

    def at(step: np.ndarray) -> Callable[[float], float]:
        def phi(t: float) -> float:
            moved = list(args)
            moved[index] = x + t * step if x.ndim else float(x + t * step)
            return float(f(*moved))

        return phi

    for i in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[i] = 1.0
        if symmetric:
            step = step + step.T
        grad[i] = central(at(step), h) / (2 if symmetric else 1)
    if symmetric:
        grad = np.triu(grad) + np.triu(grad, 1).T
    return grad


def check_against_differences(
    f: Callable, *args: Any, wrt: Any = 0, rtol: float = 1e-6, atol: float = 1e-8
) -> tuple:
    """``value_and_grad`` of ``f``: the value equals the plain call, and each gradient has its
    argument's shape and dtype and agrees with central differences. Returns the gradients."""
    wrt_tuple = wrt if isinstance(wrt, tuple) else (wrt,)
    value, grads = s2s.value_and_grad(f, wrt=wrt_tuple)(*args)
    assert value == pytest.approx(f(*args), rel=1e-12)
    for position, g in zip(wrt_tuple, grads, strict=True):
        assert np.shape(g) == np.shape(args[position])
        assert np.asarray(g).dtype == np.asarray(args[position]).dtype
        expected = numeric_gradient(f, args, position)
        np.testing.assert_allclose(g, expected, rtol=rtol, atol=atol)
    return grads


def gradient_without(monkeypatch: Any, owner: Any, name: str, f: Callable, wrt: Any,
                     args: Sequence[Any], **options: Any) -> tuple[Any, str]:  # fmt: skip
    """``f``'s gradient and its source with the pass ``owner.name`` switched off (a no-op),
    generated afresh and forgotten after, to compare with the pass on."""
    s2s.api.clear_cache(f)
    monkeypatch.setattr(owner, name, lambda *a, **k: None)
    derivative = s2s.grad(f, wrt=wrt, **options)
    with np.errstate(all="ignore"):
        grads = derivative(*args)
    source = derivative.source
    monkeypatch.undo()
    s2s.api.clear_cache(f)
    return grads, source



def hessian_by_differences(f: Callable, args: Sequence[Any], h: float = 1e-5) -> np.ndarray:
    """The Hessian of scalar ``f`` in its first argument (a 1-D array), column by column: the
    central difference of ``s2s.grad(f)`` along each unit vector."""
    grad = s2s.grad(f)
    x = args[0]
    columns = []
    for k in range(x.size):
        e = np.zeros(x.size)
        e[k] = 1.0
        columns.append(along(lambda t: grad(t, *args[1:]), x, e, h))
    return np.stack(columns, axis=-1)


def check_every_order(f: Callable, *args: Any, rtol: float = 1e-5, atol: float = 1e-6) -> None:
    """First order against central differences (:func:`check_against_differences`), then
    ``s2s.hessian``, ``s2s.hvp`` and ``s2s.grad`` of ``<grad f, v>`` (reverse over reverse)
    against central differences of the gradient (:func:`hessian_by_differences`). ``f`` takes
    a 1-D array first and at most one more argument, held fixed."""
    check_against_differences(f, *args)
    expected = hessian_by_differences(f, args)
    np.testing.assert_allclose(s2s.hessian(f)(*args), expected, rtol=rtol, atol=atol)
    v = np.random.default_rng(5).normal(size=np.shape(args[0]))
    np.testing.assert_allclose(s2s.hvp(f)(*args, v), expected @ v, rtol=rtol, atol=atol)
    gradient = s2s.grad(f)
    if len(args) == 1:
        second = s2s.grad(lambda z: np.sum(gradient(z) * v))(args[0])
    else:
        (other,) = args[1:]
        second = s2s.grad(lambda z: np.sum(gradient(z, other) * v))(args[0])
    np.testing.assert_allclose(second, v @ expected, rtol=rtol, atol=atol)
