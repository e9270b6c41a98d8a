"""Rows for ``templates/nanstats.py``: nanvar, nanstd, nanprod, nancumsum, nancumprod and
average."""

import numpy as np

from rows.spec import R, normal, positive, with_zeros


def nan_at_1(x):
    """``x`` with its second entry (flat) NaN: the functions must skip it."""
    return np.where(np.arange(x.size).reshape(x.shape) == 1, np.nan, x)


ROWS = [
    R(np.nanvar, lambda x: np.nanvar(nan_at_1(x)), normal(2, 3)),
    R(np.nanvar, lambda x: np.nanvar(nan_at_1(x), axis=1, ddof=1), normal(2, 4), tag="ddof"),
    R(
        np.nanvar,
        lambda x: np.nanvar(x, axis=0, dtype=x.dtype, keepdims=True),
        normal(3, 2),
        tag="keepdims",
    ),
    R(np.nanstd, lambda x: np.nanstd(nan_at_1(x), axis=0), normal(3, 2)),
    R(
        np.nanstd,
        lambda x: np.nanstd(x, axis=1, dtype=x.dtype, ddof=1, keepdims=True),
        normal(2, 3),
        tag="keepdims",
    ),
    R(np.nanprod, lambda x: np.nanprod(nan_at_1(x)), normal(2, 3)),
    R(
        np.nanprod,
        lambda x: np.nanprod(nan_at_1(x), axis=1, dtype=x.dtype, keepdims=True),
        with_zeros(2, 3),
        tag="zero",
    ),
    R(np.nancumsum, lambda x: np.nancumsum(nan_at_1(x)), normal(2, 3)),
    R(
        np.nancumsum,
        lambda x: np.nancumsum(nan_at_1(x), axis=1, dtype=x.dtype),
        normal(2, 3),
        tag="axis",
    ),
    R(np.nancumprod, lambda x: np.nancumprod(nan_at_1(x)), normal(5)),
    R(
        np.nancumprod,
        lambda x: np.nancumprod(nan_at_1(x), axis=0, dtype=x.dtype),
        with_zeros(3, 2),
        tag="axis",
    ),
    R(np.average, lambda x: np.average(x), normal(2, 3)),
    R(np.average, lambda x, w: np.average(x, weights=w), normal(2, 3), positive(2, 3), tag="w"),
    R(
        np.average,
        lambda x, w: np.average(x, axis=1, weights=w, keepdims=True),
        normal(2, 3),
        positive(3),
        tag="1d-weights",
    ),
    R(np.average, lambda x: np.average(x, axis=0), normal(3, 2), tag="axis"),
]
