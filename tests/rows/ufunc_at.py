"""Rows for ``templates/ufunc_at.py``: ``np.add.at`` and the other ``ufunc.at`` forms on a
local array, with repeated indices (each occurrence accumulates)."""

import numpy as np

import s2s.runtime as rt
from rows.spec import Arg, R, away0, distinct, normal

IDX = np.array([0, 2, 0, 1, 0])
ROWS2 = (np.array([1, 0, 1]), np.array([2, 2, 2]))  # repeated (row, column) pairs


def add_into_local(v):
    buf = np.zeros(4)
    np.add.at(buf, IDX, v)
    return buf


def add_into_copy(w, v):
    buf = w.copy()
    np.add.at(buf, IDX, v)
    return buf * w


def add_rows(w, v):
    buf = w * 1.0
    np.add.at(buf, ROWS2, v)  # a scalar-shaped v broadcast over the occurrences
    return buf


def subtract_into_copy(w, v):
    buf = w + 0.0
    np.subtract.at(buf, IDX, v)
    return buf


def multiply_into_copy(w, v):
    buf = w.copy()
    np.multiply.at(buf, IDX, v)
    return buf


def zeros_at(*positions: int) -> Arg:
    """Five operands of ``IDX`` in [0.5, 1.5] in magnitude, exactly 0 at ``positions``: 0 and
    4 both land on entry 0, with operand 2 (whose derivatives then go through the zeros)."""

    def draw(rng):
        v = rng.uniform(0.5, 1.5, 5) * rng.choice([-1.0, 1.0], 5)
        v[list(positions)] = 0.0
        return v

    return Arg(draw)


def maximum_into_copy(w, v):
    buf = w.copy()
    np.maximum.at(buf, IDX, v)
    return buf


def minimum_into_copy(w, v):
    buf = w.copy()
    np.minimum.at(buf, IDX, v)
    return buf


def gather(g):  # the adjoint of add_at for vals, itself linear (second order of np.add.at)
    return rt.at_gather(g * 1.0, IDX, np.zeros(5), np.zeros(4)) * 2.0


def gather_onto_one(g):  # occurrences summed onto a vals broadcast from shape (1,)
    return rt.at_gather(g * 1.0, ROWS2, np.zeros(1), np.zeros((3, 4)))


ROWS = [
    R(rt.at_gather, gather, normal(4)),
    R(rt.at_gather, gather_onto_one, normal(3, 4), tag="broadcast"),
    R(rt.add_at, add_into_local, normal(5)),
    R(rt.add_at, add_into_copy, normal(4), normal(5), tag="copy"),
    R(rt.add_at, add_rows, normal(3, 4), normal(1), tag="2-d"),
    R(rt.subtract_at, subtract_into_copy, normal(4), normal(5)),
    R(rt.multiply_at, multiply_into_copy, normal(4), away0(5)),
    R(rt.multiply_at, multiply_into_copy, normal(4), zeros_at(0), tag="a zero"),
    R(rt.multiply_at, multiply_into_copy, normal(4), zeros_at(0, 4), tag="two zeros"),
    R(rt.maximum_at, maximum_into_copy, distinct(4), distinct(5)),
    R(rt.minimum_at, minimum_into_copy, distinct(4), distinct(5)),
]
