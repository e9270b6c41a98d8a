"""Rows for ``templates/sorting.py``: sort, median, unique and cumprod."""

import numpy as np

from rows.spec import R, distinct, uniform, with_zeros

ROWS = [
    R(np.sort, lambda x: np.sort(x, axis=0), distinct(3, 4)),
    R(np.sort, lambda x: np.sort(x, axis=None), distinct(2, 3), tag="flat"),
    R(np.median, lambda x: np.median(x, axis=1, keepdims=True), distinct(3, 4)),
    R(np.median, lambda x: np.median(x), distinct(5), tag="odd"),
    R(np.unique, lambda x: np.unique(x), distinct(5)),
    # repeated values move together, so the difference quotient checks the equal split
    R(np.unique, lambda x: np.unique(np.concatenate([x, x[:2]])), distinct(4), tag="repeats"),
    R(np.cumprod, lambda x: np.cumprod(x, axis=1), with_zeros(3, 4)),
    R(np.cumprod, lambda x: x.cumprod(), uniform(0.5, 1.5, 2, 3), tag="flat-method"),
]
