"""Helpers for numpy 2's ``cumulative_prod`` with ``include_initial=True`` (numpy arrays)."""

from __future__ import annotations

from typing import Any

import numpy as np


def initial_dropped(g: Any, axis: Any = None, include_initial: bool = False) -> Any:
    """``g`` without its first entry along ``axis`` (0 for ``None``, a 1-D scan) when
    ``include_initial``: the cotangent of the scan proper, the initial value being a constant.
    Source: numpy.cumulative_prod (the result starts with the initial value)."""
    if not include_initial:
        return g
    g = np.asarray(g)
    return np.delete(g, 0, axis=0 if axis is None else axis)


def initial_padded(t: Any, axis: Any = None, include_initial: bool = False) -> Any:
    """``t`` with a zero first along ``axis`` when ``include_initial``: the tangent of the
    scan with its constant initial value. Source: numpy.cumulative_prod."""
    if not include_initial:
        return t
    t = np.asarray(t)
    ax = 0 if axis is None else axis
    zero = np.zeros_like(np.take(t, [0], axis=ax))
    return np.concatenate([zero, t], axis=ax)
