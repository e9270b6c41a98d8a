"""Rows for ``templates/statistics.py``: nan* reductions, ptp and cumulative_sum."""

import numpy as np

from rows.spec import R, distinct, normal, uniform, with_zeros


def nan_at_1(x):
    """``x`` with its second entry (flat) NaN: the reductions must skip it."""
    return np.where(np.arange(x.size).reshape(x.shape) == 1, np.nan, x)


ROWS = [
    R(np.nansum, lambda x: np.nansum(x), normal(2, 3)),
    R(np.nansum, lambda x: np.nansum(nan_at_1(x), axis=1, keepdims=True), normal(2, 3), tag="nan"),
    R(np.nanmean, lambda x: np.nanmean(x, axis=0), normal(3, 2)),
    R(
        np.nanmean,
        lambda x: np.nanmean(nan_at_1(x), axis=1, keepdims=True),
        normal(2, 3),
        tag="nan",
    ),
    R(np.nanmax, lambda x: np.nanmax(nan_at_1(x), axis=1), distinct(2, 4)),
    R(np.nanmax, lambda x: np.nanmax(x, keepdims=True), distinct(2, 3), tag="keepdims"),
    R(np.nanmin, lambda x: np.nanmin(nan_at_1(x), axis=0, keepdims=True), distinct(3, 2)),
    R(np.ptp, lambda x: np.ptp(x, axis=1), distinct(2, 4)),
    R(np.ptp, lambda x: np.ptp(x, keepdims=True), distinct(2, 3), tag="keepdims"),
    R(np.cumulative_sum, lambda x: np.cumulative_sum(x, axis=1), normal(2, 3)),
    R(np.cumulative_sum, lambda x: np.cumulative_sum(x), normal(4), tag="1d"),
]
ROWS += [
    R(np.cumulative_prod, lambda x: np.cumulative_prod(x, axis=1), with_zeros(2, 4)),
    R(np.cumulative_prod, lambda x: np.cumulative_prod(x), uniform(0.5, 1.5, 5), tag="1d"),
    R(
        np.cumulative_prod,
        lambda x: np.cumulative_prod(x, axis=0, include_initial=True),
        uniform(0.5, 1.5, 3, 2),
        tag="initial",
    ),
    R(
        np.cumulative_prod,
        lambda x: np.cumulative_prod(x, include_initial=True),
        with_zeros(4),
        tag="initial 1d",
    ),
]
ROWS += [
    R(
        np.cumulative_prod,
        lambda x: np.cumulative_prod(x, axis=0, dtype=np.float64),
        uniform(0.5, 1.5, 3),
        tag="dtype",
    )
]
