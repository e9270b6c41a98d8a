"""Helpers for numpy 2's ``cumulative_prod`` with ``include_initial=True`` (any array library)."""

from __future__ import annotations

from typing import Any

from s2s.runtime.namespace import array_namespace


def _first(axis: Any, ndim: int, part: slice) -> tuple:
    ax = 0 if axis is None else axis % ndim
    return (slice(None),) * ax + (part,)


def initial_dropped(g: Any, axis: Any = None, include_initial: bool = False) -> Any:
    """``g`` without its first entry along ``axis`` (0 for ``None``, a 1-D scan) when
    ``include_initial``: the cotangent of the scan proper, the initial value being a constant.
    Source: numpy.cumulative_prod (the result starts with the initial value)."""
    if not include_initial:
        return g
    return g[_first(axis, g.ndim, slice(1, None))]


def initial_padded(t: Any, axis: Any = None, include_initial: bool = False) -> Any:
    """``t`` with a zero first along ``axis`` when ``include_initial``: the tangent of the
    scan with its constant initial value. Source: numpy.cumulative_prod."""
    if not include_initial:
        return t
    xp = array_namespace(t)
    zero = xp.zeros_like(t[_first(axis, t.ndim, slice(0, 1))])
    return xp.concatenate([zero, t], axis=0 if axis is None else axis)
