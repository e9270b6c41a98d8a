"""Helpers for the rules of numpy functions that call a function they are given
(``np.piecewise``): each piece's own derivative is made by s2s at run time, as a derivative
calls a user function's (``subderivative``, ``jvp_of``), so a numpy function, a rule's function
or a user's Python function may be a piece.

Source: numpy.piecewise (numpy 2 documentation and implementation): ``y`` starts as zeros of
``x``'s shape and dtype; for each condition in order, ``y[cond] = func(x[cond])`` (a callable)
or ``y[cond] = func`` (a constant), so a later condition overwrites an earlier one; with one
function more than conditions, the last applies where no condition holds.
"""

from __future__ import annotations

import collections.abc
from typing import Any

import numpy as np

from s2s.runtime.core import acc_dtype, dtype_of, subderivative
from s2s.runtime.tangents import jvp_of
from s2s.runtime.vectorized import check_pure


def _conditions(x: np.ndarray, condlist: Any, n_functions: int) -> np.ndarray:
    """numpy.piecewise's conditions: one boolean array per function (the "otherwise" one
    added)."""
    if np.isscalar(condlist) or (not isinstance(condlist[0], (list, np.ndarray)) and x.ndim != 0):
        condlist = [condlist]
    conditions = np.asarray(condlist, dtype=bool)
    if len(conditions) == n_functions - 1:
        otherwise = ~np.any(conditions, axis=0, keepdims=True)
        conditions = np.concatenate([conditions, otherwise], axis=0)
    return conditions


def callable_pieces(x: Any, condlist: Any, funclist: Any):
    """``(k, cond, func, owned)`` for each callable piece: ``owned`` marks, among
    ``x[cond]``, the entries the piece's value is kept at (no later condition holds)."""
    x = np.asanyarray(x)
    conditions = _conditions(x, condlist, len(funclist))
    owner = np.full(x.shape, -1)
    for k, cond in enumerate(conditions):
        owner[cond] = k
    for k, (cond, func) in enumerate(zip(conditions, funclist)):
        if isinstance(func, collections.abc.Callable) and np.any(cond):
            yield cond, func, owner[cond] == k


def piece_table(ref: Any, condlist: Any, funclist: Any) -> tuple:
    """numpy.piecewise's callable pieces for an array like ``ref`` (its shape and dtype):
    their conditions, the entries among ``x[cond]`` where each one's value is kept (no later
    condition holds), and their functions, as tuples; and the constant pieces' values placed
    where they are kept (0 elsewhere), an array like ``ref``. The plain twins
    (:mod:`s2s.runtime.plain_functional`) read it."""
    ref = np.asanyarray(ref)
    conds, owned, funcs = [], [], []
    for cond, func, kept in callable_pieces(ref, condlist, funclist):
        conds.append(cond)
        owned.append(kept)
        funcs.append(func)
    base = np.piecewise(np.zeros(ref.shape, ref.dtype), condlist, [
        (lambda v: np.zeros_like(v)) if isinstance(f, collections.abc.Callable) else f
        for f in funclist])  # fmt: skip
    return tuple(conds), tuple(owned), tuple(funcs), base


def _check_pieces(funclist: Any) -> None:
    """Refuse a callable piece that draws or has a side effect: numpy ran it for the value,
    and the derivative runs it again (:func:`s2s.runtime.vectorized.check_pure`)."""
    for func in funclist:
        if isinstance(func, collections.abc.Callable):
            check_pure(func, "np.piecewise")


def piecewise_adjoint(g: Any, x: Any, condlist: Any, funclist: Any) -> Any:
    """The gradient in ``x`` of ``np.piecewise(x, condlist, funclist)``: for each callable
    piece, the VJP of ``func`` at ``x[cond]`` with ``g[cond]`` where its value is kept (0
    where a later condition overwrote it), added at ``cond``; constants give 0."""
    _check_pieces(funclist)
    xa = np.asanyarray(x)
    out = np.zeros(xa.shape, acc_dtype(dtype_of(x)))
    g = np.asarray(g)
    for cond, func, owned in callable_pieces(x, condlist, funclist):
        if not np.any(owned):
            continue
        _, pullback = subderivative(func, (0,))(xa[cond])
        (part,) = pullback(np.where(owned, g[cond], 0).astype(dtype_of(g), copy=False))
        out[cond] += part
    return out.reshape(np.shape(x))


def piecewise_tangent(t: Any, x: Any, condlist: Any, funclist: Any) -> Any:
    """The tangent of ``np.piecewise(x, condlist, funclist)``: each callable piece's JVP at
    ``x[cond]`` along ``t[cond]``, kept where its value is; 0 elsewhere."""
    _check_pieces(funclist)
    xa = np.asanyarray(x)
    t = np.broadcast_to(np.asarray(t), xa.shape)
    out = np.zeros(xa.shape, acc_dtype(dtype_of(t)))
    for cond, func, owned in callable_pieces(x, condlist, funclist):
        if not np.any(owned):
            continue
        _, tangent = jvp_of(func, (0,))(t[cond], xa[cond])
        out[cond] = np.where(owned, tangent, out[cond])
    return out.reshape(np.shape(x))


def axis_last(arr: Any, g_or_t: Any, axis: int, out_ndim: int):
    """``arr`` with ``axis`` last, and ``g_or_t`` (the result's shape) with the axes
    ``func1d``'s result put at ``axis`` moved last (numpy.apply_along_axis's layout)."""
    a = np.moveaxis(np.asarray(arr), axis, -1)
    k = out_ndim - (a.ndim - 1)  # the dimensions of func1d's result
    return a, k


def apply_along_axis_adjoint(g: Any, arr: Any, func1d: Any, axis: Any) -> Any:
    """The gradient in ``arr`` of ``np.apply_along_axis(func1d, axis, arr)``: for each 1-D
    slice along ``axis``, the VJP of ``func1d`` there (made by s2s) with the cotangent of its
    part of the result. Source: numpy.apply_along_axis (the result's axes from ``func1d`` take
    the place of ``axis``)."""
    g = np.asarray(g)
    axis = int(axis) % np.ndim(arr)
    a, k = axis_last(arr, g, axis, g.ndim)
    gm = np.moveaxis(g, list(range(axis, axis + k)), list(range(g.ndim - k, g.ndim)))
    out = np.zeros(a.shape, acc_dtype(dtype_of(arr)))
    check_pure(func1d, "np.apply_along_axis")
    derivative = subderivative(func1d, (0,))
    for index in np.ndindex(a.shape[:-1]):
        _, pullback = derivative(a[index])
        (out[index],) = pullback(gm[index])
    return np.moveaxis(out, -1, axis)


def apply_along_axis_tangent(t: Any, result: Any, arr: Any, func1d: Any, axis: Any) -> Any:
    """The tangent of ``np.apply_along_axis(func1d, axis, arr)``: ``func1d``'s JVP (made by
    s2s) on each 1-D slice along ``axis``, laid out as the result."""
    axis = int(axis) % np.ndim(arr)
    result = np.asarray(result)
    a, k = axis_last(arr, result, axis, result.ndim)
    ta = np.moveaxis(np.broadcast_to(np.asarray(t), np.shape(arr)), axis, -1)
    rm = np.moveaxis(result, list(range(axis, axis + k)), list(range(result.ndim - k, result.ndim)))
    out = np.zeros(rm.shape, acc_dtype(dtype_of(t)))
    check_pure(func1d, "np.apply_along_axis")
    derivative = jvp_of(func1d, (0,))
    for index in np.ndindex(a.shape[:-1]):
        _, out[index] = derivative(ta[index], a[index])
    return np.moveaxis(out, list(range(result.ndim - k, result.ndim)), list(range(axis, axis + k)))


def slice_results(rows: Any, func1d: Any) -> np.ndarray:
    """Zeros of ``(len(rows),) + func1d(rows[0]).shape``, in ``rows``' dtype: where a plain
    twin adds each 1-D slice's result (:func:`s2s.runtime.plain_functional.along_axis`)."""
    first = np.asarray(func1d(rows[0]))
    return np.zeros((len(rows), *first.shape), np.result_type(rows, first))


def steps_of(ndim: int, func: Any, axes: Any) -> tuple[tuple, tuple[int, ...]]:
    """``np.apply_over_axes``'s steps for an array of ``ndim`` dimensions: ``func`` once per
    axis, and the axes (an int or a sequence) as non-negative ints."""
    axes = (axes,) if np.ndim(axes) == 0 else axes
    axes = tuple(int(axis) + ndim if axis < 0 else int(axis) for axis in axes)
    return (func,) * len(axes), axes


def over_axes(a: Any, axes: Any) -> tuple[np.ndarray, list[int]]:
    val = np.asarray(a)
    axes = (axes,) if np.ndim(axes) == 0 else axes
    return val, [int(axis) + val.ndim if axis < 0 else int(axis) for axis in axes]


def apply_over_axes_adjoint(g: Any, a: Any, func: Any, axes: Any) -> Any:
    """The gradient in ``a`` of ``np.apply_over_axes(func, a, axes)``: the chain of
    ``func(val, axis)`` calls run again with their VJPs (made by s2s), then those VJPs in
    reverse order (a result that lost ``axis`` is given it back, as numpy does, and its
    cotangent loses it). Source: numpy.apply_over_axes."""
    val, axes = over_axes(a, axes)
    steps = []
    check_pure(func, "np.apply_over_axes")
    derivative = subderivative(func, (0,))
    for axis in axes:
        res, pullback = derivative(val, axis)
        kept = np.ndim(res) == val.ndim
        steps.append((pullback, np.shape(res)))
        val = np.asarray(res) if kept else np.expand_dims(res, axis)
    g = np.asarray(g)
    for pullback, shape in reversed(steps):  # the cotangent loses a given-back axis
        (g,) = pullback(np.asarray(g).reshape(shape))
    return np.asarray(g, acc_dtype(dtype_of(a))).reshape(np.shape(a))


def apply_over_axes_tangent(t: Any, a: Any, func: Any, axes: Any) -> Any:
    """The tangent of ``np.apply_over_axes(func, a, axes)``: ``func``'s JVP (made by s2s)
    along the chain of calls."""
    val, axes = over_axes(a, axes)
    t = np.broadcast_to(np.asarray(t), val.shape)
    check_pure(func, "np.apply_over_axes")
    derivative = jvp_of(func, (0,))
    for axis in axes:
        res, t = derivative(t, val, axis)
        if np.ndim(res) == val.ndim:
            val = np.asarray(res)
        else:
            val, t = np.expand_dims(res, axis), np.expand_dims(t, axis)
    return t
