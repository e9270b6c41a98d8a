"""Rows for ``templates/shapes.py``: shape functions, joins, gathers, diagonals, copies, casts."""

import builtins
import operator

import numpy as np

import s2s.runtime as rt
from rows.spec import R, away0, const, normal, npscalar, pyfloat


def augmented_add(x, y):
    z = x * 2.0
    z += y
    return z


def augmented_mul(x, s):
    t = np.sum(x)
    t *= s
    return t * x


ROWS = [
    R(
        np.concatenate,
        lambda a, b: np.concatenate([a, b]),
        normal(2, 3),
        normal(1, 3),
        tag="default-axis",
    ),
    R(np.diff, lambda x: np.diff(x), normal(5)),
    R(np.diff, lambda x: np.diff(x, n=2, axis=0), normal(5, 3), tag="n2"),
    R(np.diff, lambda x: np.diff(x, axis=1), normal(2, 4, 3), tag="axis1"),
    R(np.transpose, lambda x: x.T, normal(2, 3), tag="T"),
    R(np.transpose, lambda x: np.transpose(x, (1, 2, 0)), normal(2, 3, 4), tag="axes"),
    R(np.transpose, lambda x: x.transpose(2, 0, 1), normal(2, 3, 4), tag="method"),
    R(np.swapaxes, lambda x: np.swapaxes(x, 0, 2), normal(2, 3, 4)),
    R(np.moveaxis, lambda x: np.moveaxis(x, 0, -1), normal(2, 3, 4)),
    R(np.moveaxis, lambda x: np.moveaxis(x, [0, 1], [2, 0]), normal(2, 3, 4), tag="lists"),
    R(np.reshape, lambda x: x.reshape(3, -1), normal(2, 3, 2), tag="method"),
    R(np.reshape, lambda x: np.reshape(x, (6,), order="F"), normal(2, 3), tag="fortran"),
    R(np.ravel, lambda x: np.ravel(x, order="F"), normal(2, 3), tag="fortran"),
    R(np.ravel, lambda x: x.flatten(), normal(2, 3), tag="flatten"),
    R(np.expand_dims, lambda x: np.expand_dims(x, axis=(0, 2)), normal(2, 3)),
    R(np.squeeze, lambda x: np.squeeze(x, axis=1), normal(3, 1, 2)),
    R(np.squeeze, lambda x: x.squeeze(), normal(1, 3, 1), tag="method"),
    R(np.broadcast_to, lambda x: np.broadcast_to(x, (2, 3, 4)), normal(3, 1)),
    R(np.concatenate, lambda a, b: np.concatenate([a, b], axis=1), normal(2, 3), normal(2, 1)),
    R(np.concatenate, lambda a, b: np.concatenate((a, b, a)), normal(2), normal(3), tag="repeat"),
    R(np.stack, lambda a, b: np.stack([a, b, a], axis=-1), normal(2, 3), normal(2, 3)),
    R(np.hstack, lambda a, b: np.hstack([a, b]), normal(2), normal(3), tag="1d"),
    R(np.hstack, lambda a, b: np.hstack((a, b)), normal(2, 1), normal(2, 3), tag="2d"),
    R(np.vstack, lambda a, b: np.vstack([a, b]), normal(3), normal(2, 3)),
    R(np.take, lambda x: np.take(x, [0, 2, 2], axis=1), normal(2, 3)),
    R(np.take, lambda x: x.take([3, 0, 3]), normal(2, 3), tag="flat-method"),
    R(operator.getitem, lambda x: x[1:, ::2], normal(3, 4), tag="slices"),
    R(operator.getitem, lambda x: x[[0, 2, 0]], normal(3, 4), tag="repeated-index"),
    R(operator.getitem, lambda x: x[x > 0], away0(3, 4), tag="mask"),
    R(operator.getitem, lambda x: x[None, ..., 1], normal(2, 3), tag="none-ellipsis"),
    R(operator.getitem, lambda x, i: x[i, 1], normal(3, 4), const(np.array([2, 0, 2])), tag="arg"),
    R(np.diag, lambda x: np.diag(x), normal(3), tag="1d"),
    R(np.diag, lambda x: np.diag(x, k=1), normal(3, 4), tag="2d"),
    R(np.diag, lambda x: np.diag(x, -1), normal(3), tag="1d-offset"),
    R(np.diagonal, lambda x: np.diagonal(x, offset=1), normal(3, 4)),
    R(np.diagonal, lambda x: x.diagonal(0, 1, 2), normal(2, 3, 3), tag="method-3d"),
    R(np.trace, lambda x: np.trace(x), normal(3, 4)),
    R(np.trace, lambda x: x.trace(offset=-1), normal(3, 3), tag="method"),
    R(np.trace, lambda x: np.trace(x, axis1=1, axis2=2), normal(2, 3, 3), tag="3d"),
    R(np.full_like, lambda a, s: np.full_like(a, s) * a, normal(2, 3), pyfloat()),
    R(np.full_like, lambda a, s: np.full_like(a, s), normal(2, 3), normal(3), tag="array-fill"),
    R(np.full, lambda s: np.full((2, 3), s), pyfloat(), tag="pyfloat"),
    R(np.full, lambda s: np.full((2, 3), s), normal(3), tag="array"),
    R(np.copy, lambda x: np.copy(x), normal(2, 3)),
    R(np.copy, lambda x: x.copy(), normal(2, 3), tag="method"),
    R(np.asarray, lambda x: np.asarray(x), normal(2, 3)),
    R(np.asarray, lambda x: np.asarray(x, dtype=np.float64), normal(2, 3), tag="dtype"),
    R(np.array, lambda x: np.array(x), normal(2, 3)),
    R(np.array, lambda x: np.array([x[0, 0], x[1, 2]]), normal(2, 3), tag="list"),
    R(np.array, lambda x: np.array(x, ndmin=3), normal(3), tag="ndmin"),
    R(np.astype, lambda x: x.astype(np.float64), normal(2, 3), tag="method"),
    # a float32 output needs a larger step; the map is linear, so the quotient stays exact
    R(np.astype, lambda x: np.astype(x, np.float32), normal(2, 3), tag="f32", h=1e-2, rtol=1e-5),
    R(builtins.sum, lambda x, y: sum([x, y * 2.0, x * y]), normal(3), normal(3)),
    R(builtins.list, lambda x: np.sin(list(x)[0]) * list(x)[2], normal(3, 2)),
    R(builtins.list, lambda x: list(x)[1] * x, normal(3), tag="vector"),
    R(builtins.tuple, lambda x: tuple(x)[0] * tuple(x)[1] ** 2, normal(2, 2, 3)),
    R(builtins.float, lambda x: x * float(x[0]), normal(3)),
    R(builtins.float, lambda x: x[:1].item() * x, normal(3), tag="item"),
    R(builtins.float, lambda s: float(s) * 3.0, npscalar(), tag="npscalar"),
    R(rt.augmented, augmented_add, normal(3, 4), normal(4), tag="add-broadcast"),
    R(rt.augmented, augmented_mul, normal(3), pyfloat(), tag="mul-scalar"),
]
