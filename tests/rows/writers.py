"""Rows for ``templates/writers.py``: numpy's in-place writers on a local array (a copy of an
argument, or an array the function made), with repeated indices (the last write wins), cycled
and broadcast values, and each writer's options."""

import numpy as np

import s2s.runtime as rt
from rows.spec import R, normal, pyfloat

IND = np.array([4, 0, 4, 2])  # 4 twice: the later write wins
MASK = np.array([[True, False, True], [False, True, True]])


def put_into_copy(w, v):
    buf = w.copy()
    np.put(buf, IND, v)
    return buf * w


def put_cycled(w, v):
    buf = w * 1.0
    np.put(buf, [0, 1, 7, 3], v, mode="wrap")  # v (2,) cycled; 7 wraps to 1: written twice
    return buf


def put_scalar(w, s):
    buf = w * 2.0
    np.put(buf, [2], s)
    return buf


def putmask_cycled(w, v):
    buf = w + 0.0
    np.putmask(buf, MASK, v)  # values[n % 3] for each flat position n of the mask
    return buf


def place_cycled(w, v):
    buf = w.copy()
    np.place(buf, MASK, v)  # the first 4 of the cycled values, in order
    return buf * 2.0


def copyto_where(w, s):
    buf = w.copy()
    np.copyto(buf, s, where=MASK)  # s (3,) broadcast over the rows
    return buf


def copyto_all(w, s):
    buf = np.empty_like(w)
    np.copyto(buf, s, casting="same_kind")
    return buf * w


def fill_diagonal_scalar(w, s):
    buf = w.copy()
    np.fill_diagonal(buf, s)
    return buf


def fill_diagonal_wrap(w, v):
    buf = w.copy()
    np.fill_diagonal(buf, v, wrap=True)  # a tall matrix: the diagonal starts again
    return buf


def put_along_rows(w, v):
    buf = w.copy()
    np.put_along_axis(buf, np.array([[2, 0], [1, 1]]), v, axis=1)
    return buf


def put_along_columns(v):
    buf = np.zeros((2, 3))
    np.put_along_axis(buf, np.array([[1, 0, 1]]), v, axis=0)
    return buf


ROWS = [
    R(rt.put, put_into_copy, normal(6), normal(4)),
    R(rt.put, put_cycled, normal(4), normal(2), tag="wrap"),
    R(rt.put, put_scalar, normal(3), pyfloat(), tag="scalar"),
    R(rt.putmask, putmask_cycled, normal(2, 3), normal(3)),
    R(rt.place, place_cycled, normal(2, 3), normal(3)),
    R(rt.copyto, copyto_where, normal(2, 3), normal(3)),
    R(rt.copyto, copyto_all, normal(2, 3), normal(2, 3), tag="all"),
    R(rt.fill_diagonal, fill_diagonal_scalar, normal(3, 3), pyfloat()),
    R(rt.fill_diagonal, fill_diagonal_wrap, normal(7, 3), normal(2), tag="wrap"),
    R(rt.put_along_axis, put_along_rows, normal(2, 3), normal(2, 1)),
    R(rt.put_along_axis, put_along_columns, normal(1, 3), tag="axis 0"),
]


SOURCES = np.array([[-2, 1, -1], [-2, 4, -2]])  # values 1 (twice) and 0 written, 1 and 4 kept


def _ones(x):
    return (np.ones_like(x),)


# the rules' helpers (reached by derivatives of derivatives)
RUNTIME = [
    R(rt.written, lambda g: rt.written(g, SOURCES, np.zeros(3)), normal(2, 3)),
    R(rt.gathered_values, lambda h: rt.gathered_values(h, SOURCES), normal(3)),
]
NONDIFF = [
    R(rt.labels, lambda x: np.sum(x + rt.labels(x)), normal(2, 3), expected=_ones),
    R(rt.value_labels, lambda x: np.sum(x + rt.value_labels(x)), normal(3), expected=_ones),
]
