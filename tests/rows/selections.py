"""Rows for ``templates/selections.py``: select, choose, compress, extract, fmax, fmin,
nan_to_num, sinc, piecewise, apply_along_axis, apply_over_axes, and calls of numpy.vectorize
objects (``rt.vectorized``: user functions, numpy functions, signature=, excluded=)."""

import numpy as np

import s2s.runtime as rt
from rows.spec import R, away0, distinct, normal

COND = [np.array([[True, False, False], [False, True, False]]), np.array([True, True, False])]
INDEX = np.array([[0, 2, 1], [1, 0, 2]])
FIRST = np.array([[True, False, False], [False, False, False]])


def nan_at_1(x):
    """``x`` with its second entry (flat) NaN."""
    return np.where(np.arange(x.size).reshape(x.shape) == 1, np.nan, x)


def inf_at_0(x):
    """``x`` with its first entry (flat) +inf and its last -inf."""
    flat = np.arange(x.size).reshape(x.shape)
    return np.where(flat == 0, np.inf, np.where(flat == x.size - 1, -np.inf, x))


ROWS = [
    R(np.select, lambda a, b: np.select(COND, [a, b]), normal(2, 3), normal(3)),
    R(
        np.select,
        lambda a, b, c: np.select(COND, [a, b], default=c),
        normal(2, 3),
        normal(2, 3),
        normal(1),
        tag="default",
    ),
    R(
        np.choose,
        lambda a, b, c: np.choose(INDEX, [a, b, c]),
        normal(2, 3),
        normal(3),
        normal(2, 1),
    ),
    R(np.choose, lambda c: np.choose(INDEX + 3, c, mode="wrap"), normal(3, 2, 3), tag="array-wrap"),
    R(np.compress, lambda a: np.compress([True, False, True], a, axis=1), normal(2, 3)),
    R(np.compress, lambda a: np.compress([False, True, True], a), normal(2, 3), tag="flat"),
    R(np.extract, lambda a: np.extract(FIRST | (a > 0), a), away0(2, 3)),
    R(np.fmax, lambda x, y: np.fmax(x, y), distinct(2, 3), distinct(3)),
    R(
        np.fmax,
        lambda x, y: np.fmax(nan_at_1(x), nan_at_1(y)[::-1]),
        normal(4),
        normal(4),
        tag="nan",
    ),
    R(np.fmin, lambda x, y: np.fmin(x, y), distinct(2, 3), distinct(2, 1)),
    R(np.fmin, lambda x, y: np.fmin(nan_at_1(x), y), normal(2, 2), normal(2, 2), tag="nan"),
    R(np.nan_to_num, lambda x: np.nan_to_num(inf_at_0(nan_at_1(x))), normal(2, 3)),
    R(
        np.nan_to_num,
        lambda x: np.nan_to_num(inf_at_0(x), copy=True, nan=1.0, posinf=9.0, neginf=-9.0),
        normal(4),
        tag="keywords",
    ),
    R(np.sinc, lambda x: np.sinc(x), normal(2, 3)),
    R(np.sinc, lambda x: np.sinc(np.where(np.arange(3) == 1, 0.0, x)), normal(3), tag="at-0"),
]


def _cube(v):
    return v**3


def _centered(v):  # not elementwise: each piece's value depends on all its entries
    return v - np.mean(v)


def piecewise_pieces(x):
    return np.piecewise(x, [x < 0, x > 1], [np.sin, _cube, 0.5])  # the last: otherwise


def piecewise_overlap(x):
    # x > -0.3 overwrites part of x < 0.4: _centered's value is kept on x < -0.3 only
    return np.piecewise(x, [x < 0.4, x > -0.3], [_centered, np.tanh])


def piecewise_one(x):
    return np.piecewise(x, x > 0, [_cube])  # one condition, not in a list


ROWS += [
    R(np.piecewise, piecewise_pieces, distinct(2, 3)),
    R(np.piecewise, piecewise_overlap, distinct(7), tag="overlap"),
    R(np.piecewise, piecewise_one, distinct(5), tag="one"),
]


def _norm_and_max(v):
    return np.array([np.sum(v * v), np.max(v)])


def _outer_head(v):
    return np.outer(v, v[:2])


ROWS += [
    R(np.apply_along_axis, lambda x: np.apply_along_axis(_norm_and_max, 1, x), distinct(3, 4, 2)),
    R(
        np.apply_along_axis,
        lambda x: np.apply_along_axis(_outer_head, 0, x),
        normal(3, 2),
        tag="2-d result",
    ),
    R(
        np.apply_along_axis,
        lambda x: np.apply_along_axis(np.cumsum, -1, x),
        normal(2, 3),
        tag="numpy",
    ),
]


def _soft_total(v, axis):
    return np.log(np.sum(np.exp(v), axis=axis))  # loses axis: apply_over_axes gives it back


ROWS += [
    R(np.apply_over_axes, lambda x: np.apply_over_axes(np.sum, x, [0, 2]), normal(2, 3, 2)),
    R(
        np.apply_over_axes,
        lambda x: np.apply_over_axes(_soft_total, x * x, (1, -1)),
        normal(2, 3, 2),
        tag="user",
    ),
    R(np.apply_over_axes, lambda x: np.apply_over_axes(np.cumsum, x, 1), normal(2, 3), tag="kept"),
]


def _branchy(a, b):
    return a * np.sin(b) if a > 0 else b * b


def _norm2(v):
    return np.sqrt(np.sum(v * v))


def _mix(u, v):
    return u * np.tanh(v) + np.cumsum(u)


def _scaled(a, c):
    return np.dot(c, c) * a if a > 0 else a * c[0]


def _power(a, n):
    return a**n


BRANCHY = np.vectorize(_branchy)
VECTORIZED = [
    R(rt.vectorized, lambda x, y: BRANCHY(x, y), away0(2, 3), normal(3)),
    R(rt.vectorized, lambda x, y: np.vectorize(np.hypot)(x, y), away0(3), away0(2, 1), tag="numpy"),
    R(
        rt.vectorized,
        lambda x: np.vectorize(_norm2, signature="(n)->()")(x),
        away0(3, 4),
        tag="signature",
    ),
    R(
        rt.vectorized,
        lambda u, v: np.vectorize(_mix, signature="(n),(n)->(n)")(u, v),
        normal(2, 1, 3),
        normal(4, 3),
        tag="signature-broadcast",
    ),
    R(
        rt.vectorized,
        lambda x, c: np.vectorize(_scaled, excluded={1})(x, c),
        away0(3),
        normal(2),
        tag="excluded",
    ),
    R(
        rt.vectorized,
        lambda x: np.vectorize(_power, otypes=[float], cache=True)(x, np.array([1, 2, 3])),
        away0(2, 3),
        tag="int-argument",
    ),
]
ROWS += VECTORIZED
