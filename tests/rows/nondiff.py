"""Rows for ``templates/nondiff.py``: each piecewise-constant function composed with a product.

``expected`` gives the exact gradient of each differentiated argument: the zero cotangent kind
flows through the rule, so only the other factor of the product remains. ``only`` is a function
whose output depends on ``x`` through the rule alone: a zero gradient for a step, a
disconnected one for a function that reads metadata.
"""

import builtins

import numpy as np

from rows.spec import Arg, R, away0, coarse, normal, positive, uniform

NAN_INF = np.array([0.0, np.nan, 1.0, np.inf, -np.inf, 2.0])


def special(diff: bool = False) -> Arg:
    """NaN and infinities at fixed places (added to an active value to mark it)."""
    return Arg(lambda rng: NAN_INF.copy(), diff=diff)


def ones(x):
    return (np.ones_like(x),)


ROWS = [
    # steps
    R(
        np.sign,
        lambda x: np.sum(x * np.sign(x)),
        away0(2, 3),
        expected=lambda x: (np.sign(x),),
        only=lambda x: np.sum(np.sign(x)),
    ),
    R(
        np.floor,
        lambda x: np.sum(x * np.floor(x)),
        uniform(-3, 3, 2, 3),
        expected=lambda x: (np.floor(x),),
        only=lambda x: np.sum(np.floor(x)),
    ),
    R(
        np.ceil,
        lambda x: np.sum(x * np.ceil(x)),
        uniform(-3, 3, 2, 3),
        expected=lambda x: (np.ceil(x),),
    ),
    R(
        np.rint,
        lambda x: np.sum(x * np.rint(x)),
        uniform(-3, 3, 2, 3),
        expected=lambda x: (np.rint(x),),
    ),
    R(
        np.round,
        lambda x: np.sum(x * x.round(1)),
        uniform(-3, 3, 2, 3),
        expected=lambda x: (np.round(x, 1),),
    ),
    R(
        np.around,
        lambda x: np.sum(x * np.around(x)),
        uniform(-3, 3, 2, 3),
        expected=lambda x: (np.around(x),),
    ),
    R(
        np.trunc,
        lambda x: np.sum(x * np.trunc(x)),
        uniform(-3, 3, 2, 3),
        expected=lambda x: (np.trunc(x),),
    ),
    R(
        np.fix,
        lambda x: np.sum(x * np.fix(x)),
        uniform(-3, 3, 2, 3),
        expected=lambda x: (np.fix(x),),
    ),
    R(
        np.floor_divide,
        lambda x, y: np.sum(x * (x // y)),
        uniform(-3, 3, 2, 3),
        positive(3),
        expected=lambda x, y: (x // y, np.zeros_like(y)),
    ),
    R(
        builtins.round,
        lambda x: np.sum(x * round(x[0])),
        uniform(-3, 3, 3),
        expected=lambda x: (np.full_like(x, round(x[0])),),
    ),
    R(
        builtins.int,
        lambda x: np.sum(x * int(x[1] * 3)),
        normal(3),
        expected=lambda x: (np.full_like(x, int(x[1] * 3)),),
    ),
    # predicates: comparisons on coarse values meet ties
    R(
        np.less,
        lambda x, y: np.sum(x * (x < y)),
        coarse(3, 4),
        coarse(4),
        expected=lambda x, y: (x < y, np.zeros_like(y)),
    ),
    R(
        np.less_equal,
        lambda x, y: np.sum(x * (x <= y)),
        coarse(3, 4),
        coarse(4),
        expected=lambda x, y: (x <= y, np.zeros_like(y)),
    ),
    R(
        np.greater,
        lambda x, y: np.sum(x * (x > y)),
        coarse(3, 4),
        coarse(4),
        expected=lambda x, y: (x > y, np.zeros_like(y)),
        only=lambda x, y: np.sum((x > y) * 1.0),
    ),
    R(
        np.greater_equal,
        lambda x, y: np.sum(x * np.greater_equal(x, y)),
        coarse(3, 4),
        coarse(4),
        expected=lambda x, y: (x >= y, np.zeros_like(y)),
    ),
    R(
        np.equal,
        lambda x, y: np.sum(x * (x == y)),
        coarse(3, 4),
        coarse(4),
        expected=lambda x, y: (x == y, np.zeros_like(y)),
    ),
    R(
        np.not_equal,
        lambda x, y: np.sum(x * (x != y)),
        coarse(3, 4),
        coarse(4),
        expected=lambda x, y: (x != y, np.zeros_like(y)),
    ),
    R(
        np.logical_and,
        lambda x, y: np.sum(x * np.logical_and(x > 0, y > 0)),
        coarse(3, 4),
        coarse(4),
        expected=lambda x, y: ((x > 0) & (y > 0), np.zeros_like(y)),
    ),
    R(
        np.logical_or,
        lambda x, y: np.sum(x * np.logical_or(x > 0, y > 0)),
        coarse(3, 4),
        coarse(4),
        expected=lambda x, y: ((x > 0) | (y > 0), np.zeros_like(y)),
    ),
    R(
        np.logical_xor,
        lambda x, y: np.sum(x * np.logical_xor(x > 0, y > 0)),
        coarse(3, 4),
        coarse(4),
        expected=lambda x, y: ((x > 0) ^ (y > 0), np.zeros_like(y)),
    ),
    R(
        np.logical_not,
        lambda x: np.sum(x * np.logical_not(x > 0)),
        coarse(3, 4),
        expected=lambda x: (x <= 0,),
    ),
    R(
        np.isnan,
        lambda x, s: np.sum(x * np.isnan(x + s)),
        normal(6),
        special(),
        expected=lambda x, s: (np.isnan(s),),
    ),
    R(
        np.isinf,
        lambda x, s: np.sum(x * np.isinf(x + s)),
        normal(6),
        special(),
        expected=lambda x, s: (np.isinf(s),),
    ),
    R(
        np.isfinite,
        lambda x, s: np.sum(x * np.isfinite(x + s)),
        normal(6),
        special(),
        expected=lambda x, s: (np.isfinite(s),),
    ),
    R(
        np.signbit,
        lambda x: np.sum(x * np.signbit(x)),
        away0(2, 3),
        expected=lambda x: (np.signbit(x),),
    ),
    R(
        np.isclose,
        lambda x, y: np.sum(x * np.isclose(x, y)),
        coarse(3, 4),
        coarse(4),
        expected=lambda x, y: (np.isclose(x, y), np.zeros_like(y)),
    ),
    R(
        np.allclose,
        lambda x: np.sum(x * np.allclose(x, np.round(x))),
        coarse(3, 4),
        expected=ones,
    ),
    R(
        np.array_equal,
        lambda x: np.sum(x * np.array_equal(x, np.floor(x))),
        coarse(3, 4),
        expected=ones,
    ),
    R(
        builtins.bool,
        lambda x: np.sum(x * bool(x[0] > 0)),
        normal(3),
        expected=lambda x: (np.full_like(x, x[0] > 0),),
    ),
    # bits of booleans and integers computed from x
    R(
        np.bitwise_and,
        lambda x, y: np.sum(x * ((x > 0) & (y > 0))),
        coarse(3, 4),
        coarse(4),
        expected=lambda x, y: ((x > 0) & (y > 0), np.zeros_like(y)),
    ),
    R(
        np.bitwise_or,
        lambda x, y: np.sum(x * ((x > 0) | (y > 0))),
        coarse(3, 4),
        coarse(4),
        expected=lambda x, y: ((x > 0) | (y > 0), np.zeros_like(y)),
    ),
    R(
        np.bitwise_xor,
        lambda x, y: np.sum(x * ((x > 0) ^ (y > 0))),
        coarse(3, 4),
        coarse(4),
        expected=lambda x, y: ((x > 0) ^ (y > 0), np.zeros_like(y)),
    ),
    R(
        np.invert,
        lambda x: np.sum(x * ~(x > 0)),
        coarse(3, 4),
        expected=lambda x: (x <= 0,),
    ),
    R(
        np.left_shift,
        lambda x: np.sum(x * ((x > 0) << 2)),
        coarse(3, 4),
        expected=lambda x: (4 * (x > 0),),
    ),
    R(
        np.right_shift,
        lambda x: np.sum(x * (np.argsort(x) >> 1)),
        normal(6),
        expected=lambda x: (np.argsort(x) // 2,),
    ),
    # indices
    R(
        np.argmax,
        lambda x: np.sum(x * np.argmax(x)),
        normal(6),
        expected=lambda x: (np.full_like(x, np.argmax(x)),),
        only=lambda x: np.sum(np.argmax(x) * np.ones(3)),
    ),
    R(
        np.argmin,
        lambda x: np.sum(x * np.argmin(x, axis=0)),
        normal(3, 4),
        expected=lambda x: (np.broadcast_to(np.argmin(x, axis=0), x.shape),),
    ),
    R(
        np.argsort,
        lambda x: np.sum(x * x.argsort(axis=0)),
        normal(3, 4),
        expected=lambda x: (np.argsort(x, axis=0),),
    ),
    R(
        np.nonzero,
        lambda x: np.sum(x[np.nonzero(x > 0)]),
        away0(3, 4),
        expected=lambda x: (x > 0,),
    ),
    R(
        np.flatnonzero,
        lambda x: np.sum(np.take(x, np.flatnonzero(x > 0))),
        away0(3, 4),
        expected=lambda x: (x > 0,),
    ),
    R(
        np.argwhere,
        lambda x: np.sum(x * len(np.argwhere(x > 0))),
        away0(3, 4),
        expected=lambda x: (np.full_like(x, np.count_nonzero(x > 0)),),
    ),
    R(
        np.searchsorted,
        lambda x: np.sum(x * np.searchsorted(np.sort(x), x)),
        normal(6),
        expected=lambda x: (np.searchsorted(np.sort(x), x),),
    ),
    R(
        np.count_nonzero,
        lambda x: np.sum(x * np.count_nonzero(x > 0)),
        away0(3, 4),
        expected=lambda x: (np.full_like(x, np.count_nonzero(x > 0)),),
    ),
    # metadata: the argument is disconnected from the result
    R(
        np.shape,
        lambda x: np.sum(x * np.shape(x)[0]),
        normal(3, 4),
        expected=lambda x: (np.full_like(x, 3),),
        only=lambda x: np.sum(np.ones(np.shape(x))),
    ),
    R(
        np.ndim,
        lambda x: np.sum(x * np.ndim(x)),
        normal(3, 4),
        expected=lambda x: (np.full_like(x, 2),),
        only=lambda x: np.ndim(x) * 1.0,
    ),
    R(
        np.size,
        lambda x: np.sum(x * np.size(x)),
        normal(3, 4),
        expected=lambda x: (np.full_like(x, 12),),
        only=lambda x: np.size(x) * 1.0,
    ),
    R(
        builtins.len,
        lambda x: np.sum(x * len(x)),
        normal(3, 4),
        expected=lambda x: (np.full_like(x, 3),),
        only=lambda x: len(x) * 1.0,
    ),
    R(
        np.zeros_like,
        lambda x: np.sum(x * (np.zeros_like(x) + 2.0)),
        normal(3, 4),
        expected=lambda x: (np.full_like(x, 2),),
        only=lambda x: np.sum(np.zeros_like(x)),
    ),
    R(
        np.ones_like,
        lambda x: np.sum(x * np.ones_like(x)),
        normal(3, 4),
        expected=ones,
        only=lambda x: np.sum(np.ones_like(x)),
    ),
    R(
        np.empty_like,
        lambda x: np.sum(x * np.shape(np.empty_like(x))[1]),
        normal(3, 4),
        expected=lambda x: (np.full_like(x, 4),),
        only=lambda x: np.size(np.empty_like(x)) * 1.0,
    ),
]
