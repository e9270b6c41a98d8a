"""Rows for ``templates/sets.py``: unique values, set routines and trim_zeros.

Repeated values are built inside each function from the same entries, so they move together
under the difference quotients (the derivative exists along such directions), and the rows
check the equal split of a value's cotangent among its occurrences.
"""

import inspect

import numpy as np

import s2s.runtime as rt
from rows.spec import R, const, distinct, normal

ENDS = np.array([0.0, 1.0, 0.0, 1.0, 0.0])  # zeros at both ends and inside


def with_repeats(x):
    return np.concatenate([x, x[:2]])


def counts_weighted(x):
    values, counts = np.unique_counts(with_repeats(x))
    return values * counts


def inverse_gathered(x):
    values, inverse = np.unique_inverse(with_repeats(x))
    return values[inverse] * 2.0


def all_parts(x):
    values, indices, inverse, counts = np.unique_all(with_repeats(x))
    return values * counts + values[inverse][indices]


ROWS = [
    R(np.unique_values, lambda x: np.unique_values(with_repeats(x)), distinct(4)),
    R(np.unique_counts, counts_weighted, distinct(4)),
    R(np.unique_inverse, inverse_gathered, distinct(2, 2)),
    R(np.unique_all, all_parts, distinct(4)),
    R(np.union1d, lambda x, y: np.union1d(x, np.concatenate([y, x[:2]])), distinct(3), distinct(2)),
    R(
        np.intersect1d,
        lambda x, y: np.intersect1d(np.concatenate([x, y[:1]]), np.concatenate([y, x[:2]])),
        distinct(3),
        distinct(2),
    ),
    R(
        np.intersect1d,
        lambda x: np.intersect1d(x, x[::-1] * 1.0, assume_unique=True, return_indices=False),
        distinct(3),
        tag="keyword",
    ),
    R(
        np.setdiff1d,
        lambda x, y: np.setdiff1d(x, np.concatenate([y, x[:1]])),
        distinct(4),
        distinct(2),
    ),
    R(
        np.setdiff1d,
        lambda x, y: np.setdiff1d(x, y, assume_unique=True),
        distinct(3),
        distinct(2),
        tag="keyword",
    ),
    R(
        np.setxor1d,
        lambda x, y: np.setxor1d(x, np.concatenate([y, x[:1]])),
        distinct(3),
        distinct(2),
    ),
    R(
        np.setxor1d,
        lambda x, y: np.setxor1d(x, y, assume_unique=True),
        distinct(3),
        distinct(2),
        tag="keyword",
    ),
    R(np.trim_zeros, lambda x: np.trim_zeros(x * ENDS), normal(5)),
    R(np.trim_zeros, lambda x: np.trim_zeros(x * ENDS, trim="f"), normal(5), tag="front"),
]
if "axis" in inspect.signature(np.trim_zeros).parameters:  # numpy >= 2.2
    ROWS.append(
        R(
            np.trim_zeros,
            lambda x: np.trim_zeros(x * ENDS, trim="b", axis=1),
            normal(2, 5),
            tag="axis",
        )
    )

VALUES = np.array([1.0, 2.0, 3.0])
ONE = np.array([1.0, 2.0])
FIRST = np.array([1.0, 2.0, 1.0])
SECOND = np.array([3.0, 2.0, 2.0])  # the pieces share a shape (a list of them stacks)

# The helpers' own rules (each the other's transpose), for derivatives of derivatives.
RUNTIME = [
    R(
        rt.occurrences_adjoint,
        lambda g: rt.occurrences_adjoint(g, (FIRST,), ONE)[0],
        normal(2),
    ),
    R(
        rt.occurrences_tangent,
        lambda t: rt.occurrences_tangent((t, None), (FIRST, SECOND), VALUES),
        normal(3),
    ),
]

NONDIFF = [
    R(
        rt.trim_key,
        lambda x, m: np.sum(x[rt.trim_key(x * m)]),
        normal(5),
        const(ENDS),
        expected=lambda x, m: (np.array([0.0, 1.0, 1.0, 1.0, 0.0], x.dtype),),
    ),
]
