"""Rows for ``templates/reductions.py``: sum, mean, prod, max/min, var, std and cumsum."""

import numpy as np

from rows.spec import R, distinct, normal, two_zeros_in_row0, uniform, with_zeros

ROWS = [
    R(np.sum, lambda x: np.sum(x, axis=(0, 2), keepdims=True), normal(2, 3, 4), tag="keepdims"),
    R(np.sum, lambda x: x.sum(), normal(2, 3), tag="method"),
    R(np.sum, lambda x: np.sum(x, axis=-1), normal(2, 3, 4), tag="negative-axis"),
    R(np.mean, lambda x: np.mean(x, axis=1), normal(2, 3, 4)),
    R(np.mean, lambda x: x.mean(axis=(0, 1), keepdims=True), normal(2, 3, 4), tag="keepdims"),
    R(np.prod, lambda x: np.prod(x, axis=0, keepdims=True), with_zeros(3, 4), tag="zero"),
    R(np.prod, lambda x: x.prod(axis=1), two_zeros_in_row0(2, 5), tag="two-zeros"),
    R(np.prod, lambda x: np.prod(x, axis=(0, 2)), uniform(0.5, 1.5, 2, 3, 2), tag="axes"),
    R(np.max, lambda x: np.max(x, axis=1), distinct(3, 4)),
    R(np.max, lambda x: x.max(), distinct(2, 3), tag="method"),
    # tied copies move together, so the difference quotient is valid and checks 1/k each
    R(np.max, lambda x: np.max(np.stack([x, x]), axis=0), normal(4), tag="ties"),
    R(np.amax, lambda x: np.amax(x, axis=(0, 2), keepdims=True), distinct(2, 3, 2)),
    R(np.min, lambda x: np.min(x, axis=0), distinct(3, 4)),
    R(np.min, lambda x: np.min(np.concatenate([x, x, x])), normal(4), tag="ties"),
    R(np.amin, lambda x: np.amin(x, axis=-1, keepdims=True), distinct(3, 4)),
    R(np.var, lambda x: np.var(x, axis=0, ddof=1), normal(4, 3)),
    R(np.var, lambda x: np.var(x, axis=1), normal(3, 4), tag="last-axis"),
    R(np.std, lambda x: np.std(x, axis=1), normal(3, 4), tag="last-axis"),
    R(np.var, lambda x: x.var(), normal(2, 3), tag="method"),
    R(np.std, lambda x: np.std(x, axis=(0, 2), keepdims=True), normal(2, 3, 4)),
    R(np.std, lambda x: x.std(ddof=1), normal(5), tag="method"),
    R(np.cumsum, lambda x: np.cumsum(x, axis=1), normal(2, 3, 4)),
    R(np.cumsum, lambda x: x.cumsum(), normal(2, 3), tag="flat"),
]
