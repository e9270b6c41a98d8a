"""Rows for ``templates/joins.py``: splits, stacks, append, delete and take_along_axis."""

import numpy as np

from rows.spec import R, const, normal, pyfloat


def split_even(x):
    parts = np.split(x, 3, axis=1)
    return parts[0] * parts[2]  # parts[1] gets no cotangent


def split_at(x):
    parts = np.split(x, [1, 4])
    return np.concatenate([parts[2] * 2.0, parts[0]])


def array_split_loop(x):
    total = 0.0
    for part in np.array_split(x, 3):
        total = total + np.sum(part * part)
    return total


def array_split_axis(x):
    parts = np.array_split(x, 2, axis=0)
    return parts[1] * 3.0


def hsplit_2d(x):
    parts = np.hsplit(x, [1])
    return parts[1] * parts[0]


def hsplit_1d(x):
    return np.hsplit(x, 2)[0] * 2.0


def vsplit_2d(x):
    parts = np.vsplit(x, 2)
    return parts[0] - parts[1]


def dsplit_3d(x):
    parts = np.dsplit(x, [1])
    return parts[1] * 2.0


ROWS = [
    R(np.split, split_even, normal(2, 6)),
    R(np.split, split_at, normal(6), tag="indices"),
    R(np.array_split, array_split_loop, normal(7)),
    R(np.array_split, array_split_axis, normal(5, 2), tag="axis"),
    R(np.hsplit, hsplit_2d, normal(2, 3)),
    R(np.hsplit, hsplit_1d, normal(4), tag="1d"),
    R(np.vsplit, vsplit_2d, normal(4, 3)),
    R(np.dsplit, dsplit_3d, normal(2, 2, 3)),
    R(np.column_stack, lambda a, b: np.column_stack([a, b, a]), normal(3), normal(3, 2)),
    R(np.dstack, lambda a, b, c: np.dstack((a, b, c)), normal(2), normal(1, 2), normal(1, 2, 2)),
    R(np.append, lambda a, b: np.append(a, b), normal(2, 3), normal(2)),
    R(np.append, lambda a, b: np.append(a, b, axis=0), normal(2, 3), normal(1, 3), tag="axis"),
    R(np.append, lambda a, s: np.append(a, s), normal(3), pyfloat(), tag="scalar"),
    R(np.delete, lambda a: np.delete(a, [0, 2]), normal(2, 3)),
    R(np.delete, lambda a: np.delete(a, 1, axis=1), normal(2, 3), tag="axis"),
    R(np.delete, lambda a: np.delete(a, slice(0, 3, 2), axis=0), normal(4, 2), tag="slice"),
    R(
        np.take_along_axis,
        lambda a, i: np.take_along_axis(a, i, axis=1),
        normal(2, 3),
        const(np.array([[0, 2, 2, 1], [1, 1, 0, -1]])),
    ),
    R(
        np.take_along_axis,
        lambda a, i: np.take_along_axis(a, i, axis=0),
        normal(3, 2),
        const(np.array([[2, 0]])),
        tag="broadcast",
    ),
    R(
        np.take_along_axis,
        lambda a, i: np.take_along_axis(a, i, None),
        normal(2, 2),
        const(np.array([3, 0, 3])),
        tag="flat",
    ),
]
if hasattr(np, "row_stack"):  # numpy 2.5 removed it
    ROWS.append(R(np.row_stack, lambda a, b: np.row_stack([a, b]), normal(3), normal(2, 3)))


def block_2x2(a, b, c):
    return np.block([[a, 2.0 * b], [c]])


def block_list(a, s):
    parts = [a, s, a * a]  # a list variable; a Python float is a 1-element leaf
    return np.block(parts)


def block_3d(a, b):
    return np.block([[[a], [b]]])  # a depth 3 beyond the leaves' dimensions: leading 1s


def unstack_axis(x):
    parts = np.unstack(x, axis=1)
    return parts[0] * parts[2]  # parts[1] gets no cotangent


def unstack_loop(x):
    total = 0.0
    for row in np.unstack(x):
        total = total + np.sum(np.sin(row))
    return total


ROWS += [
    R(np.block, block_2x2, normal(2, 2), normal(2, 3), normal(1, 5)),
    R(np.block, block_list, normal(3), pyfloat(), tag="list"),
    R(np.block, block_3d, normal(2), normal(2), tag="3-d"),
]
if hasattr(np, "unstack"):  # numpy >= 2.1
    ROWS += [
        R(np.unstack, unstack_axis, normal(2, 3)),
        R(np.unstack, unstack_loop, normal(3, 2), tag="loop"),
    ]
