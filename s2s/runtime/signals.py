"""Helpers for the rules of convolutions, the trapezoid rule and linspace (real inputs)."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.array_utils import normalize_axis_index

from s2s.runtime.core import reads_shape_only, shape_of, unbroadcast
from s2s.runtime.namespace import array_namespace


def convolve_grad(g: Any, a: Any, v: Any, mode: str, first: bool, flip: bool = False) -> Any:
    """The adjoint of ``np.convolve(a, v, mode)`` (``flip``: of ``np.correlate``, a convolution
    with ``v`` reversed) in ``a`` (``first``) or ``v``: ``g`` placed where its entries sit in
    the full convolution (zeros elsewhere), correlated with the other operand ('valid').
    Source: numpy.convolve (full length n + m - 1; 'same' and 'valid' are centred slices)."""
    xp = array_namespace(g, a, v)
    a, v = xp.asarray(a), xp.asarray(v)
    a, v = (xp.reshape(x, (1,)) if x.ndim == 0 else x for x in (a, v))  # numpy's 0-d: 1 entry
    w = v[::-1] if flip else v
    n, m = a.shape[0], w.shape[0]
    start = {"full": 0, "same": (min(n, m) - 1) // 2, "valid": min(n, m) - 1}[mode]
    g = xp.reshape(xp.asarray(g), (-1,))
    after = n + m - 1 - start - g.shape[0]
    full = xp.concatenate(
        [xp.zeros_like(g[:1].repeat(start)), g, xp.zeros_like(g[:1].repeat(after))]
    )
    if first:
        return unbroadcast(xp.correlate(full, w, "valid"), a)
    grad = xp.correlate(full, a, "valid")
    return unbroadcast(grad[::-1] if flip else grad, v)


def convolve_grad_a(g: Any, a: Any, v: Any, mode: str, flip: bool = False) -> Any:
    """``convolve_grad(g, a, v, mode, True, flip)``: the adjoint in ``a``, bilinear in ``g``
    and ``v`` (``a`` gives only its shape)."""
    return convolve_grad(g, a, v, mode, True, flip)


def convolve_grad_v(g: Any, a: Any, v: Any, mode: str, flip: bool = False) -> Any:
    """``convolve_grad(g, a, v, mode, False, flip)``: the adjoint in ``v``, bilinear in ``g``
    and ``a`` (``v`` gives only its shape)."""
    return convolve_grad(g, a, v, mode, False, flip)


def convolution(a: Any, v: Any, mode: str, flip: bool = False) -> Any:
    """``np.correlate(a, v, mode)`` when ``flip``, else ``np.convolve(a, v, mode)``: the map the
    adjoints of both transpose (their rules' terms)."""
    xp = array_namespace(a, v)
    return xp.correlate(a, v, mode) if flip else xp.convolve(a, v, mode)


@reads_shape_only(0)
def trapezoid_weights(y: Any, x: Any = None, dx: Any = 1.0, axis: int = -1) -> Any:
    """The weights ``w`` with ``np.trapezoid(y, x, dx, axis) == sum(w * y, axis)``: half the
    spacing on each side of a sample (``dx`` apart, or ``x``'s differences: 1-D along
    ``axis`` or ``y``'s shape), broadcastable against ``y``. Source: the trapezoid rule."""
    shape = tuple(shape_of(y))
    axis = normalize_axis_index(axis, len(shape))
    xp = array_namespace(y, x)
    if x is None:
        n = shape[axis]
        h = xp.full((n - 1,), dx, dtype=np.result_type(dx, 1.0))
        steps = [1] * len(shape)
        steps[axis] = n
        edges = xp.concatenate([h[:1] * 0, h]) + xp.concatenate([h, h[:1] * 0])
        return xp.reshape(edges / 2, tuple(steps))
    x = xp.asarray(x)
    if x.ndim == 1:
        steps = [1] * len(shape)
        steps[axis] = x.shape[0]
        x = xp.reshape(x, tuple(steps))
    h = xp.diff(x, axis=axis)
    zero = xp.zeros_like(xp.take(h, xp.asarray([0]), axis=axis))
    return (xp.concatenate([zero, h], axis=axis) + xp.concatenate([h, zero], axis=axis)) / 2


@reads_shape_only(0)
def linspace_t(ref: Any, num: int = 50, endpoint: bool = True, axis: int = 0) -> Any:
    """The fractions ``t`` with ``np.linspace(start, stop, num, endpoint, axis=axis) == start +
    (stop - start) t``: ``k / (num - 1)`` (``k / num`` without the endpoint), on ``axis`` of
    ``ref`` (an array of the result's shape: its cotangent), in ``ref``'s namespace.
    Source: numpy.linspace."""
    ndim = len(shape_of(ref))
    axis = normalize_axis_index(axis, ndim)
    xp = array_namespace(ref)
    div = (num - 1) if endpoint else num
    t = xp.arange(num, dtype=np.float64) / (div if div > 0 else 1)
    steps = [1] * ndim
    steps[axis] = num
    return xp.reshape(t, tuple(steps))


@reads_shape_only(2)
def expand_at(x: Any, axis: int, ref: Any) -> Any:
    """``x`` (broadcastable to ``ref``'s shape without its ``axis``) with ones prepended up to
    that many dimensions and a new ``axis``: how ``np.logspace`` and ``np.geomspace`` place
    array arguments (start, stop, base) against the result ``ref``, whose ``axis`` is new.
    Source: numpy.linspace (start and stop broadcast, then the samples' axis inserted)."""
    shape, ndim = tuple(shape_of(x)), len(shape_of(ref))
    if not shape:
        return x  # a scalar broadcasts as it is (and stays a scalar: no host array on a device)
    xp = array_namespace(x)
    lead = (1,) * (ndim - 1 - len(shape))
    return xp.expand_dims(xp.reshape(xp.asarray(x), lead + shape), axis=axis)
