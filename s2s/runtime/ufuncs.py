"""Helpers for the rules of elementwise functions: conventions at non-differentiable points."""

from __future__ import annotations

from typing import Any

import numpy as np

from s2s.runtime.core import unbroadcast
from s2s.runtime.namespace import array_namespace, zeros


def power_dbase(x1: Any, x2: Any) -> Any:
    """The partial of ``x1 ** x2`` with respect to ``x1``: ``x2 * x1 ** (x2 - 1)``.

    Shapes broadcast as the primal's; the dtype is the primal's. Convention (DESIGN 8):
    ``x ** 0`` is constant, so its partial is 0 even at ``x1 == 0`` (where the formula gives
    ``0 * inf``). Source: power rule of calculus.
    """
    xp = array_namespace(x1, x2)
    with np.errstate(divide="ignore", invalid="ignore"):
        partial = x2 * xp.power(x1, x2 - 1)
    return xp.where(xp.equal(x2, 0), 0, partial)


def power_dexponent(result: Any, x1: Any) -> Any:
    """The partial of ``result = x1 ** x2`` with respect to ``x2``: ``result * log(x1)``.

    Convention (DESIGN 8): 0 where ``x1 <= 0`` (``0 ** y`` and negative bases, where the real
    power is not differentiable in ``y``). Source: d/dy exp(y log x) = x**y log x.
    """
    xp = array_namespace(result, x1)
    positive = xp.greater(x1, 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        partial = result * xp.log(xp.where(positive, x1, 1))
    return xp.where(positive, partial, 0)


def div_or_zero(num: Any, den: Any) -> Any:
    """``num / den``, with 0 where ``den == 0`` (``hypot``, ``arctan2``, norms at the origin)."""
    xp = array_namespace(num, den)
    zero = xp.equal(den, 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        quotient = num / xp.where(zero, 1, den)
    return xp.where(zero, 0, quotient)


def _extremum_share(g: Any, x: Any, other: Any, wins: Any) -> Any:
    xp = array_namespace(g, x, other)
    x_nan = xp.isnan(x)
    other_nan = xp.isnan(other)
    tie = xp.equal(x, other) | (x_nan & other_nan)
    full = (wins | x_nan) & ~other_nan & ~tie
    share = xp.where(full, g, xp.where(tie, g * 0.5, 0))
    return unbroadcast(share, x)


def maximum_share(g: Any, x: Any, other: Any) -> Any:
    """``x``'s part of cotangent ``g`` of ``np.maximum(x, other)``, unbroadcast onto ``x``.

    ``x`` gets ``g`` where it is larger, ``g / 2`` at ties, and ``g`` where it is NaN and
    ``other`` is not (numpy propagates that NaN); the result has ``x``'s shape and accumulator
    dtype. Source: DESIGN 8 (equal split of the subdifferential at ties).
    """
    return _extremum_share(g, x, other, array_namespace(x, other).greater(x, other))


def minimum_share(g: Any, x: Any, other: Any) -> Any:
    """``x``'s part of cotangent ``g`` of ``np.minimum(x, other)``; see :func:`maximum_share`."""
    return _extremum_share(g, x, other, array_namespace(x, other).less(x, other))


def clip_masks(a: Any, a_min: Any = None, a_max: Any = None, min: Any = None, max: Any = None):
    """Where ``np.clip(a, lo, hi)`` takes its value from ``a``, from ``lo`` and from ``hi``.

    ``lo`` is ``a_min`` or the keyword ``min`` (numpy accepts one of them), likewise ``hi``;
    ``None`` means no bound. Returns three boolean arrays of the broadcast shape that partition
    it: ``a`` is selected on the closed interval ``lo <= a <= hi`` (and where it is NaN), ``lo``
    where ``a < lo``, ``hi`` where ``a > hi`` and everywhere when ``lo > hi`` (numpy's
    ``minimum(maximum(a, lo), hi)``). Source: numpy.clip docs; DESIGN 8 for the closed interval.
    """
    lo = min if a_min is None else a_min
    hi = max if a_max is None else a_max
    xp = array_namespace(a, lo, hi)
    below = xp.less(a, lo) if lo is not None else zeros(xp, np.shape(a), bool, a)
    above = xp.greater(a, hi) if hi is not None else zeros(xp, np.shape(a), bool, a)
    if lo is not None and hi is not None:
        above = above | xp.greater(lo, hi)
    below = below & ~above
    inside = ~(below | above)
    return xp.broadcast_arrays(inside, below, above)


def unselected_by_extremum(x: Any, other: Any, loses: Any) -> Any:
    """Where ``np.maximum(x, other)`` (``loses=np.less``) or ``np.minimum`` (``np.greater``)
    does not take ``x`` at all: ``x`` strictly loses, or ``other`` is NaN and ``x`` is not.

    There the cotangent routed to ``x`` is exactly zero (a selection mask, DESIGN 8); ties give
    ``x`` half and are not masked.
    """
    xp = array_namespace(x, other)
    return xp.logical_or(loses(x, other), xp.isnan(other) & ~xp.isnan(x))
