"""Helpers for the rules of padding, tiling, repetition, Kronecker and cross products.

The keys and plans here read only shapes and the structural arguments (pad widths, repeats):
the rules' templates gather or scatter-add with them (``d[a][key] = g``) and reshape and sum
with numpy, so the derivatives run in the arrays' namespace and differentiate again.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.lib.array_utils import normalize_axis_index

from s2s.errors import UnsupportedArgumentError
from s2s.runtime.core import acc_dtype, dtype_of, reads_shape_only, shape_of, unbroadcast
from s2s.runtime.namespace import array_namespace, broadcast, zeros

# np.pad's modes that gather entries of the array (each output entry copies one input entry)
GATHER_MODES = ("edge", "reflect", "symmetric", "wrap")


def _widths(pad_width: Any, ndim: int) -> list[tuple[int, int]]:
    """``pad_width`` as numpy reads it: one ``(before, after)`` pair per axis."""
    widths = np.broadcast_to(np.asarray(pad_width, dtype=np.intp), (ndim, 2))
    return [(int(b), int(a)) for b, a in widths]


def pad_mode(mode: Any) -> str:
    """``mode`` itself if the rule of ``np.pad`` differentiates it (``constant`` and the modes
    that copy entries: edge, reflect, symmetric, wrap), else :class:`UnsupportedArgumentError`
    (the statistic modes select entries by value, ``linear_ramp`` and callables are not
    supported)."""
    if mode == "constant" or mode in GATHER_MODES:
        return mode
    raise UnsupportedArgumentError(
        f"the rule of numpy.pad differentiates modes constant, edge, reflect, symmetric and "
        f"wrap, not {mode!r}",
        None,
        "pad with one of those modes, or build the padding with np.concatenate",
    )


@reads_shape_only(0)
def pad_keys(array: Any, pad_width: Any, mode: Any = "constant") -> tuple[Any, Any]:
    """``(key_a, key_g)`` with ``np.pad(array, pad_width, mode)`` read back by
    ``d[array][key_a] += g[key_g]``: for ``constant``, all of ``array`` and the interior slices
    of ``g``; for the modes that copy entries, one index array per axis (``np.ix_``: the padded
    result is a gather ``array[ix_(i_0, i_1, ...)]``, numpy pads axis by axis) and all of ``g``.
    Source: numpy.pad."""
    shape = shape_of(array)
    widths = _widths(pad_width, len(shape))
    mode = pad_mode(mode)
    everything = (slice(None),) * len(shape)
    if mode == "constant":
        interior = tuple(slice(b, b + n) for (b, _), n in zip(widths, shape, strict=True))
        return everything, interior
    index = [np.pad(np.arange(n), w, mode=mode) for n, w in zip(shape, widths, strict=True)]
    xp = array_namespace(array)
    return tuple(xp.asarray(i) for i in np.ix_(*index)), everything


def _slot_regions(shape: tuple[int, ...], widths: list[tuple[int, int]]) -> list[tuple]:
    """The key of each constant slot ``(axis k, before|after)`` of a constant pad: numpy pads
    axis after axis, so a later axis's padding covers the corners."""
    regions = []
    for k, (b, a) in enumerate(widths):
        later = tuple(slice(wb, wb + n) for (wb, _), n in zip(widths[k + 1 :], shape[k + 1 :]))
        before = (slice(None),) * k + (slice(0, b),) + later
        after = (slice(None),) * k + (slice(b + shape[k], b + shape[k] + a),) + later
        regions += [before, after]
    return regions


@reads_shape_only(1, 3)
def pad_constant_grad(g: Any, array: Any, pad_width: Any, constant_values: Any) -> Any:
    """The adjoint of ``np.pad(array, pad_width, constant_values=c)`` in ``c``: the sum of
    ``g`` over the entries each of the ``(ndim, 2)`` constants fills, unbroadcast onto ``c``.
    Source: numpy.pad (constant mode, axis by axis)."""
    shape = shape_of(array)
    xp = array_namespace(g)
    sums = [xp.sum(g[key]) for key in _slot_regions(shape, _widths(pad_width, len(shape)))]
    slots = xp.reshape(xp.stack(sums), (len(shape), 2))
    return unbroadcast(slots, constant_values)


@reads_shape_only(1)
def pad_constant_tangent(t: Any, array: Any, pad_width: Any) -> Any:
    """The tangent of ``np.pad(array, pad_width, constant_values=c)`` along ``t`` (a tangent of
    ``c``, any shape broadcasting to ``(ndim, 2)``): zeros inside, ``t``'s slots in the padding,
    a later axis's over the corners. Source: numpy.pad."""
    shape = shape_of(array)
    xp = array_namespace(t, array)
    widths = _widths(pad_width, len(shape))
    dtype = acc_dtype(np.result_type(dtype_of(t), dtype_of(array)))
    slots = broadcast(xp, xp.asarray(t, dtype=dtype), (len(shape), 2))
    out = zeros(xp, shape, dtype, array)
    for k, (b, a) in enumerate(widths):
        side = list(out.shape)
        pieces = []
        for width, value in ((b, slots[k, 0]), (a, slots[k, 1])):
            side[k] = width
            pieces.append(broadcast(xp, value, tuple(side)))
        out = xp.concatenate([pieces[0], out, pieces[1]], axis=k)
    return out


@reads_shape_only(0)
def tile_plan(A: Any, reps: Any) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """``(shape, axes)``: ``np.tile(A, reps)`` reshaped to ``shape`` has each repetition on
    its own axis, interleaved ``(r_0, n_0, r_1, n_1, ...)``; summing ``axes`` (the ``r``)
    gives the adjoint (``A``'s shape padded with leading ones). Source: numpy.tile."""
    shape = shape_of(A)
    reps = (int(reps),) if np.ndim(reps) == 0 else tuple(int(r) for r in reps)
    d = max(len(shape), len(reps))
    shape = (1,) * (d - len(shape)) + tuple(shape)
    reps = (1,) * (d - len(reps)) + reps
    split = tuple(x for pair in zip(reps, shape, strict=True) for x in pair)
    return split, tuple(range(0, 2 * d, 2))


@reads_shape_only(0)
def repeat_key(a: Any, repeats: Any, axis: Any = None) -> tuple[Any, ...]:
    """A key ``k`` with ``a[k] == np.repeat(a, repeats, axis)``: the adjoint scatter-adds the
    cotangent there. ``repeats`` is an integer or one per entry along ``axis``; ``axis=None``
    repeats the flattened array. Source: numpy.repeat."""
    shape = shape_of(a)
    xp = array_namespace(repeats)
    counts = np.asarray(repeats) if xp is np else repeats
    if axis is None:
        n = math.prod(shape)
        source = xp.repeat(xp.arange(n), counts)
        return tuple(xp.asarray(i) for i in np.unravel_index(np.asarray(source), shape))
    axis = normalize_axis_index(axis, len(shape))
    source = xp.repeat(xp.arange(shape[axis]), counts)
    return (slice(None),) * axis + (source,)


@reads_shape_only(0, 1)
def kron_plan(a: Any, b: Any) -> tuple[tuple[int, ...], ...]:
    """``(split, a_shape, b_shape, a_axes, b_axes)`` for the adjoint of ``np.kron(a, b)``: the
    cotangent reshaped to ``split`` = ``(m_0, n_0, m_1, n_1, ...)`` pairs entry ``(i, j)`` of
    each axis with ``a``'s ``i`` and ``b``'s ``j``; ``a`` reshaped to ``a_shape`` (ones at
    ``b``'s axes) and ``b`` to ``b_shape`` broadcast against it; summing ``b_axes`` leaves
    ``a``'s entries and summing ``a_axes`` leaves ``b``'s. Shapes are padded with leading
    ones to a common length, as numpy.kron does."""
    sa, sb = tuple(shape_of(a)), tuple(shape_of(b))
    d = max(len(sa), len(sb))
    sa, sb = (1,) * (d - len(sa)) + sa, (1,) * (d - len(sb)) + sb
    split = tuple(x for pair in zip(sa, sb, strict=True) for x in pair)
    a_shape = tuple(x for n in sa for x in (n, 1))
    b_shape = tuple(x for n in sb for x in (1, n))
    return split, a_shape, b_shape, tuple(range(0, 2 * d, 2)), tuple(range(1, 2 * d, 2))


def _cross3(xp: Any, u: Any, v: Any) -> Any:
    """The cross product of 3-vectors along the last axis, written with products (any
    namespace)."""
    u0, u1, u2 = u[..., 0], u[..., 1], u[..., 2]
    v0, v1, v2 = v[..., 0], v[..., 1], v[..., 2]
    return xp.stack([u1 * v2 - u2 * v1, u2 * v0 - u0 * v2, u0 * v1 - u1 * v0], axis=-1)


def _three(xp: Any, u: Any) -> Any:
    """Vectors along the last axis with a zero third component appended to 2-vectors."""
    if u.shape[-1] == 3:
        return u
    return xp.concatenate([u, xp.zeros_like(u[..., :1])], axis=-1)


def cross_adjoint(
    g: Any, a: Any, b: Any, axisa: int, axisb: int, axisc: int, axis: Any, first: bool
) -> Any:
    """The adjoint of ``np.cross(a, b, axisa, axisb, axisc, axis)`` in ``a`` (``first``) or
    ``b``: with ``c = a x b``, ``<g, a x b> = <a, b x g> = <b, g x a>``. 2-vectors are 3-vectors
    with a zero third component (two 2-vectors give that component alone), as numpy.cross
    defines them; the result is unbroadcast onto the argument."""
    if axis is not None:
        axisa = axisb = axisc = axis
    xp = array_namespace(g, a, b)
    am, bm = xp.moveaxis(xp.asarray(a), axisa, -1), xp.moveaxis(xp.asarray(b), axisb, -1)
    if am.shape[-1] == 2 and bm.shape[-1] == 2:
        gm = xp.stack([xp.zeros_like(g), xp.zeros_like(g), g], axis=-1)
    else:
        gm = xp.moveaxis(g, axisc, -1)
    if first:
        grad = _cross3(xp, _three(xp, bm), gm)[..., : am.shape[-1]]
        return xp.moveaxis(unbroadcast(grad, am), -1, axisa)
    grad = _cross3(xp, gm, _three(xp, am))[..., : bm.shape[-1]]
    return xp.moveaxis(unbroadcast(grad, bm), -1, axisb)


def cross_grad_a(g: Any, a: Any, b: Any, axisa: int = -1, axisb: int = -1, axisc: int = -1,
                 axis: Any = None) -> Any:  # fmt: skip
    """``np.cross``'s adjoint in ``a`` (``cross_adjoint(..., first=True)``): bilinear in ``g``
    and ``b``, ``a``'s shape and accumulator dtype; ``a`` gives only its shape."""
    return cross_adjoint(g, a, b, axisa, axisb, axisc, axis, True)


def cross_grad_b(g: Any, a: Any, b: Any, axisa: int = -1, axisb: int = -1, axisc: int = -1,
                 axis: Any = None) -> Any:  # fmt: skip
    """``np.cross``'s adjoint in ``b`` (``cross_adjoint(..., first=False)``): bilinear in ``g``
    and ``a``, ``b``'s shape and accumulator dtype; ``b`` gives only its shape."""
    return cross_adjoint(g, a, b, axisa, axisb, axisc, axis, False)
