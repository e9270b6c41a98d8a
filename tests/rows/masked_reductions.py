"""Rows for ``templates/masked_reductions.py``: reductions called with ``where=``/``initial=``.

Each row calls numpy (or the array's method) as a user would; the call is differentiated by
the rule of the runtime function keyed here.
"""

import numpy as np

import s2s.runtime as rt
from rows.spec import R, away0, distinct, normal, pyfloat

W = np.array(
    [[True, False, True, True], [False, True, True, False], [True, True, False, True]]
)  # every row and column has an entry inside, and some row has one outside
A = np.zeros((3, 4))  # the shape record of the reduced array, for the adjoint helpers


ROWS = [
    R(rt.sum_where, lambda x: np.sum(x, axis=1, where=W), normal(3, 4)),
    R(
        rt.sum_where,
        lambda x: np.sum(x, initial=2.0, where=W[0], keepdims=True),
        normal(3, 4),
        tag="initial",
    ),  # fmt: skip
    R(rt.sum_where, lambda x: x.sum(0, where=W), normal(3, 4), tag="method"),
    R(rt.sum_where, lambda x: np.sum(x, axis=0, initial=1.0), normal(3, 4), tag="initial-only"),
    R(rt.mean_where, lambda x: np.mean(x, axis=1, where=W, keepdims=True), normal(3, 4)),
    R(rt.mean_where, lambda x: x.mean(where=W), normal(3, 4), tag="method"),
    R(rt.prod_where, lambda x: np.prod(x, axis=0, where=W, initial=1.5), away0(3, 4)),
    R(rt.prod_where, lambda x: np.prod(x, where=W[:, :1]), away0(3, 4), tag="all"),
    R(rt.max_where, lambda x: np.max(x, axis=1, where=W, initial=-5.0), distinct(3, 4)),
    R(rt.max_where, lambda x: np.amax(x, axis=0, initial=0.0), distinct(3, 4), tag="amax"),
    R(
        rt.max_where,
        lambda x: x.max(axis=1, initial=0.1, keepdims=True),
        distinct(3, 4),
        tag="method",
    ),  # fmt: skip
    R(rt.min_where, lambda x: np.min(x, axis=0, where=W, initial=5.0), distinct(3, 4)),
    R(rt.min_where, lambda x: np.amin(x, initial=0.0), distinct(3, 4), tag="amin"),
    R(rt.var_where, lambda x: np.var(x, axis=1, where=W, ddof=1), normal(3, 4)),
    R(rt.var_where, lambda x: np.var(x, where=W, keepdims=True), normal(3, 4), tag="all"),
    # columns of 3 entries and of 2 (the std of two is |a - b| / 2, whose Hessian is 0)
    R(rt.std_where, lambda x: np.std(x, axis=0, where=W | W[:, ::-1]), normal(3, 4)),
    R(rt.std_where, lambda x: x.std(1, where=W, keepdims=True), normal(3, 4), tag="method"),
    # the adjoint helpers of sum and mean (linear in g), which second order differentiates
    R(rt.masked_sum_adjoint, lambda g: rt.masked_sum_adjoint(g, A, 1, False, W), normal(3)),
    R(
        rt.masked_sum_adjoint,
        lambda g: rt.masked_sum_adjoint(g, A, None, False, W[0]),
        pyfloat(),  # the cotangent of a whole sum is a scalar (and keeps the row off a device)
        tag="all",
    ),  # fmt: skip
    R(rt.masked_mean_adjoint, lambda g: rt.masked_mean_adjoint(g, A, 0, True, W), normal(1, 4)),
    R(rt.masked_var_adjoint, lambda g, a: rt.masked_var_adjoint(g, a, 1, 1, False, W),
      normal(3), normal(3, 4)),  # fmt: skip
    R(rt.masked_var_adjoint, lambda g, a: rt.masked_var_adjoint(g, a, None, 0, True, W),
      normal(1, 1), normal(3, 4), tag="all"),  # fmt: skip
    R(
        rt.masked_mean_adjoint,
        lambda g: rt.masked_mean_adjoint(g, A, None, False, W),
        pyfloat(),
        tag="all",
    ),  # fmt: skip
]
