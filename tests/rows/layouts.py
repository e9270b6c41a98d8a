"""Rows for ``templates/layouts.py``: rollaxis, require, real_if_close, resize,
broadcast_arrays, meshgrid and insert."""

import numpy as np

import s2s.runtime as rt
from rows.spec import R, normal, pyfloat

W = np.arange(1.0, 10.0).reshape(3, 3)


def meshgrid_xy(x, y):
    grids = np.meshgrid(x, y)  # `a, b = np.meshgrid(...)` is refused (located): index instead
    return grids[0] * grids[1] ** 2


def meshgrid_ij_sparse(x, y, z):
    grids = np.meshgrid(x, y, z, indexing="ij", sparse=True)
    return grids[0] * grids[2] + grids[1]


def meshgrid_one(x):
    return np.meshgrid(x)[0] * 2.0


def broadcast_pair(x, y):
    pair = np.broadcast_arrays(x, y)
    return pair[0] * pair[1]


def broadcast_first(x, y):
    return np.broadcast_arrays(x, y)[0] * 3.0  # y gets no cotangent


ROWS = [
    R(np.rollaxis, lambda a: np.rollaxis(a, 2), normal(2, 3, 4)),
    R(np.rollaxis, lambda a: np.rollaxis(a, 0, 3), normal(2, 3, 4), tag="start"),
    R(np.rollaxis, lambda a: np.rollaxis(a, -1, -2), normal(2, 3, 4), tag="negative"),
    R(np.require, lambda a: np.require(a, requirements="F") * 2.0, normal(2, 3)),
    R(np.require, lambda a: np.require(a, np.float64, ["C", "W"]), normal(3), tag="dtype"),
    R(np.real_if_close, lambda a: np.real_if_close(a) * a, normal(2, 3)),
    R(np.resize, lambda a: np.resize(a, (3, 3)) * W, normal(2, 2)),
    R(np.resize, lambda a: np.resize(a, 3), normal(2, 2), tag="smaller"),
    R(np.broadcast_arrays, broadcast_pair, normal(3, 1), normal(4)),
    R(np.broadcast_arrays, broadcast_first, normal(2), normal(3, 1), tag="unused"),
    R(np.meshgrid, meshgrid_xy, normal(3), normal(2)),
    R(np.meshgrid, meshgrid_ij_sparse, normal(2), normal(3), normal(2), tag="ij-sparse"),
    R(np.meshgrid, meshgrid_one, normal(4), tag="one"),
    R(np.insert, lambda a, v: np.insert(a, 1, v), normal(4), pyfloat(), tag="scalar"),
    R(np.insert, lambda a, v: np.insert(a, [0, 2], v, axis=1), normal(3, 2), normal(3, 1)),
    R(np.insert, lambda a, v: np.insert(a, 1, v, axis=0), normal(2, 3), normal(3), tag="row"),
    R(np.insert, lambda a, v: np.insert(a, slice(0, 2), v), normal(2, 2), normal(2), tag="flat"),
]
ROWS += [
    R(np.rollaxis, lambda a: np.rollaxis(a, 1, start=0), normal(2, 3), tag="keyword"),
    R(np.require, lambda a: np.require(a, dtype=np.float64) * a, normal(3), tag="keyword"),
    R(np.real_if_close, lambda a: np.real_if_close(a, tol=1000) * 2.0, normal(3), tag="keyword"),
    R(np.broadcast_arrays, lambda x: np.broadcast_arrays(x, subok=True)[0], normal(2), tag="kw"),
    R(np.meshgrid, lambda x: np.meshgrid(x, x, copy=False)[1] * 2.0, normal(3), tag="keyword"),
]

# The helpers read only shapes and indices: piecewise constant (their gradient is exactly 0).
NONDIFF = [
    R(
        rt.rollaxis_destination,
        lambda x: np.sum(x) * rt.rollaxis_destination(x, 0, 2),
        normal(2, 3),
        expected=lambda x: (np.full_like(x, 1.0),),
    ),
    R(
        rt.resize_plan,
        lambda x: np.sum(x) * rt.resize_plan(x, 5)[1][0],
        normal(3),
        expected=lambda x: (np.full_like(x, 2.0),),
    ),
    R(
        rt.insert_keys,
        lambda x: np.sum(x) * np.sum(rt.insert_keys(x, 1, 0.0)[1]),
        normal(3),
        expected=lambda x: (np.full_like(x, 1.0),),
    ),
    R(
        rt.inner_axes,
        lambda x: np.sum(x) * (1.0 + rt.inner_axes(x, 2.0)),
        normal(3),
        expected=lambda x: (np.full_like(x, 1.0),),
    ),
]
