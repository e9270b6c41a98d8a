"""Helpers for the rule of ``np.interp`` (numpy arrays, real inputs).

Inside ``[xp[0], xp[-1]]`` the result is ``(1 - t) fp[lo] + t fp[hi]`` with
``t = (x - xp[lo]) / (xp[hi] - xp[lo])`` on the segment holding ``x`` (numpy.interp docs), so
with ``s = (fp[hi] - fp[lo]) / (xp[hi] - xp[lo])``: ``d/dx = s``, ``d/dfp[lo] = 1 - t``,
``d/dfp[hi] = t``, ``d/dxp[lo] = -s (1 - t)``, ``d/dxp[hi] = -s t``. Left of ``xp[0]`` the result
is ``left`` (``fp[0]`` when ``left`` is None), right of ``xp[-1]`` it is ``right`` (``fp[-1]``).
With ``period`` the points are reduced modulo the period, sorted and wrapped around as numpy
does; the reduction adds a constant, so the derivatives are the same. At a knot (``x`` equal
to an ``xp``) the derivative in ``x`` is the slope of the segment to the right (one-sided).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from s2s.runtime import plain_interpolation
from s2s.runtime.core import acc_dtype
from s2s.runtime.sources import differentiated_as


def _parts(x: Any, xp: Any, fp: Any, period: Any):
    """Per entry of ``x``: the indices ``lo``, ``hi`` into ``xp``/``fp``, ``t``, the slope and
    the region (-1 left, 0 inside, 1 right), all of ``x``'s shape."""
    x = np.asarray(x, dtype=np.float64)
    xp = np.asarray(xp, dtype=np.float64)
    fp = np.asarray(fp, dtype=np.float64)
    index = np.arange(xp.size)
    if period is not None:
        period = abs(float(period))
        x = x % period
        xp = xp % period
        order = np.argsort(xp, kind="stable")
        knots = xp[order]
        xp = np.concatenate([knots[-1:] - period, knots, knots[:1] + period])
        index = np.concatenate([order[-1:], order, order[:1]])
        fp = fp[index]
    i = np.clip(np.searchsorted(xp, x, side="right") - 1, 0, max(xp.size - 2, 0))
    j = np.minimum(i + 1, xp.size - 1)
    width = xp[j] - xp[i]
    safe = np.where(width == 0, 1.0, width)
    t = np.where(width == 0, 0.0, (x - xp[i]) / safe)
    slope = np.where(width == 0, 0.0, (fp[j] - fp[i]) / safe)
    region = np.where(x < xp[0], -1, np.where(x > xp[-1], 1, 0)) if period is None else 0 * i
    return index[i], index[j], t, slope, region


def _cast(v: np.ndarray, like: Any) -> np.ndarray:
    return np.reshape(v, np.shape(like)).astype(acc_dtype(np.asarray(like).dtype), copy=False)


@differentiated_as(plain_interpolation.interp_adjoint)
def interp_adjoint(g, x, xp, fp, left=None, right=None, period=None):
    """The cotangents of ``x``, ``xp``, ``fp``, ``left`` and ``right`` (``None`` for the last
    two when not given) of ``np.interp(x, xp, fp, left, right, period)`` from ``g``
    (``x``'s shape). Source: numpy.interp; derivative of the linear interpolant.
    """
    lo, hi, t, slope, region = _parts(x, xp, fp, period)
    g = np.broadcast_to(np.asarray(g, dtype=np.float64), t.shape)
    inside = np.where(region == 0, g, 0.0)
    n = np.size(fp)
    dfp = np.bincount(lo.ravel(), (inside * (1 - t)).ravel(), n)
    dfp += np.bincount(hi.ravel(), (inside * t).ravel(), n)
    below, above = np.sum(np.where(region < 0, g, 0.0)), np.sum(np.where(region > 0, g, 0.0))
    if left is None:
        dfp[0] += below
    if right is None:
        dfp[-1] += above
    dxp = -np.bincount(lo.ravel(), (inside * slope * (1 - t)).ravel(), n)
    dxp -= np.bincount(hi.ravel(), (inside * slope * t).ravel(), n)
    return (
        _cast(inside * slope, x),
        _cast(dxp, xp),
        _cast(dfp, fp),
        None if left is None else _cast(below, left),
        None if right is None else _cast(above, right),
    )


def interp_tangent(tx, txp, tfp, tleft, tright, x, xp, fp, left=None, right=None, period=None):
    """The tangent of ``np.interp(x, xp, fp, left, right, period)`` along the tangents of its
    inputs (``None`` where one has none): ``x``'s shape, float64 as numpy returns.
    Source: numpy.interp; derivative of the linear interpolant.
    """
    lo, hi, t, slope, region = _parts(x, xp, fp, period)
    out = np.zeros(t.shape)
    if tx is not None:
        out += slope * np.broadcast_to(tx, t.shape)
    if txp is not None:
        txp = np.asarray(txp, dtype=np.float64)
        out -= slope * ((1 - t) * txp[lo] + t * txp[hi])
    out = np.where(region == 0, out, 0.0)
    if tfp is not None:
        tfp = np.asarray(tfp, dtype=np.float64)
        out += np.where(region == 0, (1 - t) * tfp[lo] + t * tfp[hi], 0.0)
        out += np.where((region < 0) & (left is None), tfp[0], 0.0)
        out += np.where((region > 0) & (right is None), tfp[-1], 0.0)
    if tleft is not None:
        out += np.where(region < 0, tleft, 0.0)
    if tright is not None:
        out += np.where(region > 0, tright, 0.0)
    return out


def _spacings(varargs: tuple, axes: list[int]) -> list[Any]:
    """numpy.gradient's spacing per differentiated axis: none (1), one for all, or one each."""
    if len(varargs) == 0:
        return [1.0] * len(axes)
    if len(varargs) == 1 and np.ndim(varargs[0]) == 0:
        return [varargs[0]] * len(axes)
    return list(varargs)


def _band(n: int, spacing: Any, edge_order: int, dtype: np.dtype) -> np.ndarray:
    """The coefficients of numpy.gradient along one axis of length ``n``: ``band[o + 2, i]``
    multiplies ``f[i + o]`` in ``out[i]`` (offsets -2..2). Read from numpy.gradient itself
    applied to five combs (entry k is 1 where ``k % 5 == r``), so no formula is restated."""
    combs = (np.arange(n)[None, :] % 5 == np.arange(5)[:, None]).astype(dtype)
    applied = np.gradient(combs, spacing, axis=1, edge_order=edge_order)
    band = np.zeros((5, n), applied.dtype)
    i = np.arange(n)
    for o in range(-2, 3):
        ok = (i + o >= 0) & (i + o < n)
        band[o + 2, ok] = applied[(i[ok] + o) % 5, i[ok]]
    return band


def gradient_adjoint(g: Any, f: Any, varargs: tuple = (), axis: Any = None, edge_order: int = 1):
    """The adjoint of ``np.gradient(f, *varargs, axis=axis, edge_order=edge_order)``, linear in
    ``f``: ``g`` is one array (one axis) or a sequence with one cotangent per axis (``None``
    for a part that got none). Each part goes through the transpose of the banded
    difference operator along its axis (``_band``). ``f``'s shape and accumulator dtype.
    Source: numpy.gradient (second-order central differences inside, one-sided at the edges).
    """
    f = np.asarray(f)
    dtype = acc_dtype(f.dtype if f.dtype.kind == "f" else np.dtype(np.float64))
    if axis is None:
        axes = list(range(f.ndim))
    else:
        axes = [int(a) % f.ndim for a in (axis if isinstance(axis, (tuple, list)) else (axis,))]
    parts = [g] if len(axes) == 1 and not isinstance(g, (list, tuple)) else list(g)
    out = np.zeros(f.shape, dtype)
    spacings = _spacings(() if varargs is None else tuple(varargs), axes)
    for part, ax, spacing in zip(parts, axes, spacings, strict=True):
        if part is None:
            continue
        n = f.shape[ax]
        band = _band(n, spacing, edge_order, dtype)
        gm = np.moveaxis(np.broadcast_to(np.asarray(part, dtype), f.shape), ax, -1)
        acc = np.zeros(gm.shape, dtype)
        for o in range(-2, 3):
            lo, hi = max(0, -o), min(n, n - o)
            acc[..., lo + o : hi + o] += band[o + 2, lo:hi] * gm[..., lo:hi]
        out += np.moveaxis(acc, -1, ax)
    return out


def gradient_of(t: Any, varargs: tuple = (), axis: Any = None, edge_order: int = 1) -> Any:
    """``np.gradient(t, *varargs, axis=axis, edge_order=edge_order)``: the transpose of
    :func:`gradient_adjoint` (its rule's body); several parts come as a list, the form of a
    list's cotangent. Source: numpy.gradient."""
    out = np.gradient(t, *(() if varargs is None else varargs), axis=axis, edge_order=edge_order)
    return list(out) if type(out) is tuple else out
