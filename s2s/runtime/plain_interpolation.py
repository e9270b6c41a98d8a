"""The plain twin of ``np.interp``'s adjoint helper, differentiated from its source.

:func:`interp_adjoint` computes what :func:`s2s.runtime.interp_adjoint` computes, with numpy
calls that have rules of their own (``np.bincount`` in its weights, ``np.where``, indexing),
so that s2s differentiates an adjoint that calls the helper again (second order,
:mod:`s2s.runtime.sources`); the segments are found from the values alone
(:func:`interp_plan`). The formulas and their source are in the helper's module docstring.
Where the helper computes in float64, the twin computes in its arguments' dtype.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from s2s.runtime.core import stop_gradient
from s2s.runtime.sources import plain


def interp_plan(x: Any, xp: Any, period: Any) -> tuple:
    """What ``np.interp`` reads, from the values alone (no derivative flows through it):
    ``index`` (the knots in the order the interpolant reads them, wrapped around for a
    ``period``), the constants added to ``xp[index]`` and to ``x`` (the reduction modulo the
    period), the segment ends ``i``, ``j`` into the read knots, and the region of each ``x``
    (-1 left, 0 inside, 1 right), all of ``x``'s shape but ``index`` and its shift."""
    x = np.asarray(x, dtype=np.float64)
    xp = np.asarray(xp, dtype=np.float64)
    index = np.arange(xp.size)
    knot_shift = np.zeros(xp.size)
    x_shift = np.zeros(x.shape)
    if period is not None:
        period = abs(float(period))
        x_shift = x % period - x
        reduced = xp % period
        order = np.argsort(reduced, kind="stable")
        index = np.concatenate([order[-1:], order, order[:1]])
        knot_shift = (reduced - xp)[index] + np.concatenate(
            [[-period], np.zeros(xp.size), [period]]
        )
    knots = xp[index] + knot_shift
    i = np.clip(np.searchsorted(knots, x + x_shift, side="right") - 1, 0, max(knots.size - 2, 0))
    j = np.minimum(i + 1, knots.size - 1)
    region = np.where(x < knots[0], -1, np.where(x > knots[-1], 1, 0))
    if period is not None:
        region = 0 * i
    return index, knot_shift, x_shift, i, j, region


def interp_segments(x: Any, xp: Any, fp: Any, period: Any) -> tuple:
    """Where each ``x`` falls among the knots, differentiably in ``x``, ``xp`` and ``fp``:
    ``t`` (the fraction of its segment, 0 on a flat segment), ``slope`` of the segment, and
    :func:`interp_plan`'s ``index``, segment ends ``i``, ``j`` and ``region``. ``t``,
    ``slope``, ``i``, ``j`` and ``region`` have ``x``'s shape; lists are read as arrays."""
    points, abscissae, ordinates = np.asarray(x), np.asarray(xp), np.asarray(fp)
    index, knot_shift, x_shift, i, j, region = interp_plan(
        stop_gradient(points), stop_gradient(abscissae), period
    )
    knots = abscissae[index] + knot_shift
    values = ordinates[index]
    width = knots[j] - knots[i]
    flat = width == 0
    safe = np.where(flat, 1.0, width)
    t = np.where(flat, 0.0, (points + x_shift - knots[i]) / safe)
    slope = np.where(flat, 0.0, (values[j] - values[i]) / safe)
    return t, slope, index, i, j, region


plain(interp_segments)


def interp_adjoint(g, x, xp, fp, left=None, right=None, period=None):
    """The twin of :func:`s2s.runtime.interp_adjoint`: the cotangents of ``x``, ``xp``,
    ``fp``, ``left`` and ``right`` (``None`` for the last two when not given).

    ``x``, ``xp`` and ``fp`` may be Python lists, as ``np.interp`` takes them (and the
    helper reads them): they are read as arrays, under new names (a parameter that holds a
    list is not rebound), before any indexing."""
    ordinates = np.asarray(fp)
    t, slope, index, i, j, region = interp_segments(x, xp, fp, period)
    g = np.broadcast_to(g, t.shape)
    inside = np.where(region == 0, g, 0.0)
    lo, hi = index[i].ravel(), index[j].ravel()
    n = ordinates.shape[0]
    dfp = np.bincount(lo, (inside * (1 - t)).ravel(), n) + np.bincount(hi, (inside * t).ravel(), n)
    below = np.sum(np.where(region < 0, g, 0.0))
    above = np.sum(np.where(region > 0, g, 0.0))
    ends = np.arange(n)
    if left is None:
        dfp = dfp + np.where(ends == 0, below, 0.0)
    if right is None:
        dfp = dfp + np.where(ends == n - 1, above, 0.0)
    dxp = -np.bincount(lo, (inside * slope * (1 - t)).ravel(), n)
    dxp = dxp - np.bincount(hi, (inside * slope * t).ravel(), n)
    d_left = None if left is None else below
    d_right = None if right is None else above
    return inside * slope, dxp, dfp, d_left, d_right
