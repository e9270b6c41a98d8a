"""The second derivatives of ``np.piecewise``, ``np.apply_along_axis`` and
``np.apply_over_axes``: the tangents and the transposes of the adjoint helpers of
:mod:`s2s.runtime.functional`, so that ``hvp`` (forward over reverse) and reverse over
reverse go through those calls.

Each first-order helper runs, per piece (per 1-D slice, per step of the chain), the VJP that
s2s makes of the function it is given. Here the same VJP is made as one function
(``pullback_of``), and s2s differentiates it again at run time: ``jvp_of`` of it for the
tangent, ``pullback_of`` of it for the transpose. A numpy function (``np.sin``) is reached
through a caller with source (:mod:`s2s.runtime.callers`), as ``numpy.vectorize``'s helpers
do. Shapes: each result has its argument's shape, in the accumulator dtype; a cotangent or
tangent of ``None`` (none reached it) skips its terms.

Source: the derivative of a VJP ``(g, x) -> J(x)^T g`` is ``J(x)^T dg + (d J(x)^T g)(dx)``;
the gathering (placing each piece at its condition, each slice along its axis) is linear,
so the same gathering applies to the derivative. ``np.apply_over_axes`` chains its steps:
the chain rule through the chain of VJPs.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from s2s.runtime import plain_functional as twins
from s2s.runtime.core import acc_dtype, dtype_of, unbroadcast
from s2s.runtime.functional import axis_last, callable_pieces, over_axes
from s2s.runtime.sources import differentiated_as
from s2s.runtime.tangents import jvp_of, pullback_of
from s2s.runtime.vectorized import differentiated_function


def _first(pullback: Any) -> str:
    """The name of a pullback's cotangent parameter (its first)."""
    return next(iter(inspect.signature(pullback).parameters))


def _vjp_of(func: Any) -> tuple[Any, tuple, tuple[str, ...]]:
    """``func``'s VJP in its first argument as one function, ``parts = pullback(g, *lead,
    x, *rest)``, with ``lead`` (the function itself for a caller) and the names of its
    differentiated parameter (one) and of the pullback's cotangent."""
    function, lead, names = differentiated_function(func, 1)
    return pullback_of(function, names[:1]), lead, names[:1]


def _second(pullback: Any, names: tuple[str, ...], tg: Any, tx: Any, kind: str) -> Any:
    """``jvp_of`` (``kind`` "jvp", in the moved arguments) or ``pullback_of`` ("pullback",
    in both) of a piece's pullback, with the names it is differentiated in."""
    if kind == "pullback":
        return pullback_of(pullback, (_first(pullback), *names))
    moved = ((_first(pullback),) if tg is not None else ()) + (names if tx is not None else ())
    return jvp_of(pullback, moved)


def _tangents(tg: Any, tx: Any) -> tuple[Any, ...]:
    return tuple(t for t in (tg, tx) if t is not None)


# -- piecewise ---------------------------------------------------------------------------------


def _kept(v: Any, cond: Any, owned: Any) -> Any:
    """``v[cond]`` where the piece's value is kept, 0 where a later one overwrote it."""
    return None if v is None else np.where(owned, v[cond], 0).astype(dtype_of(v), copy=False)


@differentiated_as(twins.piecewise_adjoint_tangent)
def piecewise_adjoint_tangent(tg: Any, tx: Any, g: Any, x: Any, condlist: Any,
                              funclist: Any) -> Any:  # fmt: skip
    """The tangent of :func:`piecewise_adjoint` ``(g, x)`` along ``tg`` (of ``g``) and
    ``tx`` (of ``x``): each callable piece's VJP differentiated (by s2s) at ``x[cond]``, with
    ``g[cond]`` and ``tg[cond]`` where its value is kept, added at ``cond``."""
    xa = np.asanyarray(x)
    out = np.zeros(xa.shape, acc_dtype(dtype_of(x)))
    if tg is None and tx is None:
        return out.reshape(np.shape(x))
    g = np.broadcast_to(np.asarray(g), xa.shape)
    tg = None if tg is None else np.broadcast_to(np.asarray(tg), xa.shape)
    tx = None if tx is None else np.broadcast_to(np.asarray(tx), xa.shape)
    for cond, func, owned in callable_pieces(x, condlist, funclist):
        if not np.any(owned):
            continue
        pullback, lead, names = _vjp_of(func)
        jvp = _second(pullback, names, tg, tx, "jvp")
        moved = _tangents(_kept(tg, cond, owned), None if tx is None else tx[cond])
        (part,) = jvp(*moved, _kept(g, cond, owned), *lead, xa[cond])[1]
        out[cond] += part
    return out.reshape(np.shape(x))


@differentiated_as(twins.piecewise_adjoint_adjoint)
def piecewise_adjoint_adjoint(ct: Any, g: Any, x: Any, condlist: Any, funclist: Any) -> list:
    """The transpose of :func:`piecewise_adjoint`: ``[d_g, d_x]`` for the cotangent ``ct``
    of its result. Each callable piece's VJP differentiated again (by s2s) at ``x[cond]``
    with ``ct[cond]``: its part for ``g`` kept where the piece's value is (0 elsewhere)."""
    xa = np.asanyarray(x)
    d_x = np.zeros(xa.shape, acc_dtype(dtype_of(x)))
    d_g = np.zeros(xa.shape, acc_dtype(dtype_of(g)))
    if ct is not None:
        ga = np.broadcast_to(np.asarray(g), xa.shape)
        ct = np.broadcast_to(np.asarray(ct), xa.shape)
        for cond, func, owned in callable_pieces(x, condlist, funclist):
            if not np.any(owned):
                continue
            pullback, lead, names = _vjp_of(func)
            second = _second(pullback, names, None, None, "pullback")
            gc = np.where(owned, ga[cond], 0).astype(dtype_of(g), copy=False)
            part_g, part_x = second((ct[cond],), gc, *lead, xa[cond])
            d_g[cond] += np.where(owned, part_g, 0)
            d_x[cond] += part_x
    return [unbroadcast(d_g, g), d_x.reshape(np.shape(x))]


# -- apply_along_axis --------------------------------------------------------------------------


def _slices(g: Any, arr: Any, axis: Any) -> tuple[np.ndarray, np.ndarray, int, int]:
    """``arr`` with ``axis`` last, ``g`` with the axes of ``func1d``'s result last, the axis
    (made non-negative) and the number of those axes."""
    g = np.asarray(g)
    axis = int(axis) % np.ndim(arr)
    a, k = axis_last(arr, g, axis, g.ndim)
    return a, _result_last(g, axis, k), axis, k


def _result_last(g: Any, axis: int, k: int) -> np.ndarray:
    g = np.asarray(g)
    return np.moveaxis(g, list(range(axis, axis + k)), list(range(g.ndim - k, g.ndim)))


def _result_back(gm: Any, axis: int, k: int) -> np.ndarray:
    return np.moveaxis(gm, list(range(gm.ndim - k, gm.ndim)), list(range(axis, axis + k)))


@differentiated_as(twins.apply_along_axis_adjoint_tangent)
def apply_along_axis_adjoint_tangent(tg: Any, ta: Any, g: Any, arr: Any, func1d: Any,
                                     axis: Any) -> Any:  # fmt: skip
    """The tangent of :func:`apply_along_axis_adjoint` ``(g, arr)`` along ``tg`` (of ``g``)
    and ``ta`` (of ``arr``): on each 1-D slice along ``axis``, ``func1d``'s VJP there
    differentiated (by s2s) along the slice's parts of ``tg`` and ``ta``."""
    a, gm, axis, k = _slices(g, arr, axis)
    out = np.zeros(a.shape, acc_dtype(dtype_of(arr)))
    if tg is None and ta is None:
        return np.moveaxis(out, -1, axis)
    tgm = None if tg is None else _result_last(np.broadcast_to(tg, np.shape(g)), axis, k)
    tam = None if ta is None else np.moveaxis(np.broadcast_to(ta, np.shape(arr)), axis, -1)
    pullback, lead, names = _vjp_of(func1d)
    jvp = _second(pullback, names, tg, ta, "jvp")
    for index in np.ndindex(a.shape[:-1]):
        moved = _tangents(None if tgm is None else tgm[index], None if tam is None else tam[index])
        (out[index],) = jvp(*moved, gm[index], *lead, a[index])[1]
    return np.moveaxis(out, -1, axis)


@differentiated_as(twins.apply_along_axis_adjoint_adjoint)
def apply_along_axis_adjoint_adjoint(ct: Any, g: Any, arr: Any, func1d: Any, axis: Any) -> list:
    """The transpose of :func:`apply_along_axis_adjoint`: ``[d_g, d_arr]`` for the cotangent
    ``ct`` of its result (``arr``'s shape): on each 1-D slice, ``func1d``'s VJP there
    differentiated again (by s2s) with the slice of ``ct``."""
    a, gm, axis, k = _slices(g, arr, axis)
    d_a = np.zeros(a.shape, acc_dtype(dtype_of(arr)))
    d_gm = np.zeros(gm.shape, acc_dtype(dtype_of(g)))
    if ct is not None:
        ctm = np.moveaxis(np.broadcast_to(ct, np.shape(arr)), axis, -1)
        pullback, lead, names = _vjp_of(func1d)
        second = _second(pullback, names, None, None, "pullback")
        for index in np.ndindex(a.shape[:-1]):
            d_gm[index], d_a[index] = second((ctm[index],), gm[index], *lead, a[index])
    return [_result_back(d_gm, axis, k), np.moveaxis(d_a, -1, axis)]


# -- apply_over_axes ---------------------------------------------------------------------------


def kept_step(func, value, axis):
    """One step of ``np.apply_over_axes`` whose result keeps ``axis``."""
    return func(value, axis)


def lost_step(func, value, axis):
    """One step of ``np.apply_over_axes`` whose result lost ``axis``: numpy gives it back."""
    return np.expand_dims(func(value, axis), axis)


def _chain(a: Any, func: Any, axes: Any) -> tuple[list[Any], list[tuple[Any, int]]]:
    """The values along ``np.apply_over_axes(func, a, axes)``'s chain (``a`` first, the
    result last) and each step's function and axis."""
    val, axes = over_axes(a, axes)
    values, steps = [val], []
    for axis in axes:
        res = func(val, axis)
        kept = np.ndim(res) == val.ndim
        steps.append((kept_step if kept else lost_step, axis))
        val = np.asarray(res) if kept else np.expand_dims(res, axis)
        values.append(val)
    return values, steps


_STEP_PARAMETER = ("value",)


def _step_vjp(step: Any) -> Any:
    return pullback_of(step, _STEP_PARAMETER)


@differentiated_as(twins.apply_over_axes_adjoint_tangent)
def apply_over_axes_adjoint_tangent(tg: Any, ta: Any, g: Any, a: Any, func: Any,
                                    axes: Any) -> Any:  # fmt: skip
    """The tangent of :func:`apply_over_axes_adjoint` ``(g, a)`` along ``tg`` (of ``g``) and
    ``ta`` (of ``a``): the chain's values and their tangents forward (each step's JVP, by
    s2s), then its VJPs in reverse order differentiated (by s2s) along those tangents."""
    values, steps = _chain(a, func, axes)
    tvs: list[Any] = [None if ta is None else np.broadcast_to(ta, values[0].shape)]
    for (step, axis), value in zip(steps, values):
        if tvs[-1] is None:
            tvs.append(None)
            continue
        tvs.append(jvp_of(step, _STEP_PARAMETER)(tvs[-1], func, value, axis)[1])
    c = np.reshape(np.asarray(g), values[-1].shape)
    tc = None if tg is None else np.reshape(np.broadcast_to(tg, np.shape(g)), c.shape)
    for k in reversed(range(len(steps))):
        step, axis = steps[k]
        pullback = _step_vjp(step)
        if tc is None and tvs[k] is None:
            (c,) = pullback(c, func, values[k], axis)
            continue
        jvp = _second(pullback, _STEP_PARAMETER, tc, tvs[k], "jvp")
        (c,), (tc,) = jvp(*_tangents(tc, tvs[k]), c, func, values[k], axis)
    if tc is None:
        return np.zeros(np.shape(a), acc_dtype(dtype_of(a)))
    return np.asarray(tc, acc_dtype(dtype_of(a))).reshape(np.shape(a))


@differentiated_as(twins.apply_over_axes_adjoint_adjoint)
def apply_over_axes_adjoint_adjoint(ct: Any, g: Any, a: Any, func: Any, axes: Any) -> list:
    """The transpose of :func:`apply_over_axes_adjoint`: ``[d_g, d_a]`` for the cotangent
    ``ct`` of its result (``a``'s shape). The chain of VJPs ``c_(k-1) = P_k(c_k, v_(k-1))``
    is run again, then transposed step by step (each VJP differentiated again, by s2s): its
    parts for the values ``v_k`` go back through the chain's own VJPs."""
    values, steps = _chain(a, func, axes)
    n = len(steps)
    d_a = np.zeros(np.shape(a), acc_dtype(dtype_of(a)))
    if ct is None:
        return [np.zeros(np.shape(g), acc_dtype(dtype_of(g))), d_a]
    cs = [None] * n + [np.reshape(np.asarray(g), values[-1].shape)]
    for k in reversed(range(n)):  # c_k, the cotangent each VJP is given
        step, axis = steps[k]
        (cs[k],) = _step_vjp(step)(cs[k + 1], func, values[k], axis)
    dc = np.reshape(np.broadcast_to(ct, np.shape(a)), values[0].shape)
    dvs: list[Any] = [0.0] * (n + 1)
    for k in range(n):
        step, axis = steps[k]
        second = _second(_step_vjp(step), _STEP_PARAMETER, None, None, "pullback")
        dc, part = second((dc,), cs[k + 1], func, values[k], axis)
        dvs[k] = dvs[k] + part
    for k in reversed(range(1, n)):  # the values' parts back through the chain
        step, axis = steps[k - 1]
        (back,) = _step_vjp(step)(dvs[k], func, values[k - 1], axis)
        dvs[k - 1] = dvs[k - 1] + back
    d_g = np.asarray(dc, acc_dtype(dtype_of(g))).reshape(np.shape(g))
    return [d_g, d_a + np.reshape(dvs[0], np.shape(a))]
