"""Rows for ``templates/quantiles.py``: quantile, percentile, their nan forms and nanmedian."""

import numpy as np

from rows.spec import R, Row, distinct
from rows.statistics import nan_at_1

Q = np.array([0.1, 0.5, 0.93])


def by_method(method: str, n: int) -> Row:
    """``np.quantile`` at ``Q`` of ``n`` distinct entries by ``method=`` (its tag): the keyword
    reaches the generated code from this closure, as a constant."""
    return R(np.quantile, lambda x: np.quantile(x, Q, method=method), distinct(n), tag=method)


ROWS = [
    R(np.quantile, lambda x: np.quantile(x, 0.3), distinct(7)),
    R(np.quantile, lambda x: np.quantile(x, Q, axis=1), distinct(3, 5), tag="q array"),
    R(
        np.quantile,
        lambda x: np.quantile(x, Q, axis=(0, 2), keepdims=True),
        distinct(2, 3, 4),
        tag="keepdims",
    ),
    R(
        np.quantile,
        lambda x: np.quantile(x, Q, axis=0, method="lower"),
        distinct(6, 2),
        tag="lower",
    ),
    *[by_method(m, 6) for m in ("higher", "nearest", "midpoint", "hazen")],
    *[by_method(m, 5) for m in ("weibull", "median_unbiased", "normal_unbiased")],
    *[by_method(m, 5) for m in ("inverted_cdf", "averaged_inverted_cdf", "closest_observation")],
    by_method("interpolated_inverted_cdf", 5),
    R(np.percentile, lambda x: np.percentile(x, [10.0, 75.0], axis=0), distinct(5, 2)),
    R(np.percentile, lambda x: np.percentile(x, 40.0, keepdims=True), distinct(2, 3), tag="kd"),
    R(np.nanquantile, lambda x: np.nanquantile(nan_at_1(x), Q, axis=1), distinct(2, 5)),
    R(np.nanquantile, lambda x: np.nanquantile(x, 0.25, method="nearest"), distinct(5), tag="m"),
    R(np.nanpercentile, lambda x: np.nanpercentile(nan_at_1(x), 35.0, axis=0), distinct(4, 3)),
    R(np.nanmedian, lambda x: np.nanmedian(nan_at_1(x), axis=1, keepdims=True), distinct(3, 4)),
    R(np.nanmedian, lambda x: np.nanmedian(x), distinct(5), tag="odd"),
]
# numpy leaves the entries beside the kth in an order of its own, which differs by dtype (numpy
# 2.4.6 orders float16 lanes otherwise than float64 ones): sorted afterwards, each row's float16
# and float32 gradients are compared with float64's of the same function (still through
# partition's own permutation, then sort's)
ROWS += [
    R(np.partition, lambda x: np.sort(np.partition(x, 2)), distinct(3, 6)),
    R(np.partition, lambda x: np.partition(x, (1, 4), axis=0), distinct(6, 2), tag="axis"),
    R(np.partition, lambda x: np.sort(np.partition(x, 3, axis=None)), distinct(2, 4), tag="flat"),
]
ROWS += [  # keyword forms
    R(np.percentile, lambda x: np.percentile(x, 30.0, method="nearest"), distinct(6), tag="kw"),
    R(np.nanquantile, lambda x: np.nanquantile(x, 0.3, keepdims=True), distinct(2, 3), tag="kw"),
    R(
        np.nanpercentile,
        lambda x: np.nanpercentile(x, 30.0, axis=1, method="lower", keepdims=True),
        distinct(2, 5),
        tag="kw",
    ),
    R(np.partition, lambda x: np.sort(np.partition(x, 1, kind="introselect")), distinct(5),
      tag="kw"),  # fmt: skip
]
