"""Rows for ``templates/runtime_structures.py``: the transposes of splits, joins and list
items, called as derivative code calls them (one part ``None``: a piece without a cotangent).
Each list a helper returns is weighted part by part into one array."""

import numpy as np

import s2s.runtime as rt
from rows.spec import R, joined, normal

REF_2x3 = np.zeros((2, 3))
REF_1x3 = np.zeros((1, 3))
REF_3x3 = np.zeros((3, 3))
REFS = ((REF_2x3, REF_1x3), 0)  # unconcatenate's arguments after g


def put_last(ct):
    parts = rt.put_last(ct, [REF_1x3, REF_1x3, REF_1x3])
    return parts[2] * 2.0


def put_all_but_last(a, b):
    parts = rt.put_all_but_last([a, b], [REF_1x3, REF_1x3, REF_1x3])
    return joined(parts[0], parts[1])


def put_item(ct):
    return rt.put_item(ct, 1, [REF_1x3, REF_1x3])[1] * 2.0


def item_from_index(a, b):
    return rt.item_from([a, b], 1) * 2.0


def item_from_slice(a, b, c):
    parts = rt.item_from([a, b, c], slice(1, None))
    return joined(parts[0], parts[1])


def put_at_index(ct):
    return rt.put_at(ct, 2, [REF_1x3, REF_1x3, REF_1x3])[2] * 2.0


def put_at_slice(a, b):
    parts = rt.put_at([a, b], slice(1, None), [REF_1x3, REF_1x3, REF_1x3])
    return joined(parts[1], parts[2])


def unsplit(a, b):
    return rt.unsplit([a, b], REF_3x3, rt.unconcatenate, REFS) * 2.0


def unsplit_none(a):
    return rt.unsplit([None, a], REF_3x3, rt.unconcatenate, REFS) * 2.0


def resplit(ct):
    parts = rt.resplit(ct, rt.unconcatenate, REFS)
    return joined(parts[0], parts[1])


def unsum_back(a, b):
    return rt.unsum_back([a, b], np.zeros(3)) * 2.0


def unsplit_parts(a, b):
    return rt.unsplit_parts([a, b], np.zeros((2, 5)), [2], 1) * 2.0


def unsplit_parts_none(a):
    return rt.unsplit_parts([a, None], np.zeros((4, 3)), 2, 0) * 2.0


def split_parts(ct):
    parts = rt.split_parts(ct, [None, None], np.zeros((2, 5)), [2], 1)
    return joined(parts[0], parts[1])


def split_parts_h(ct):
    parts = rt.split_parts(ct, [None, None], np.zeros(6), 2, "h")
    return joined(parts[0], parts[1])


ROWS = [
    R(rt.put_last, put_last, normal(1, 3)),
    R(rt.put_all_but_last, put_all_but_last, normal(1, 3), normal(1, 3)),
    R(rt.put_item, put_item, normal(1, 3)),
    R(rt.item_from, item_from_index, normal(3), normal(3), tag="index"),
    R(rt.item_from, item_from_slice, normal(3), normal(2), normal(2, 2), tag="slice"),
    R(rt.put_at, put_at_index, normal(1, 3), tag="index"),
    R(rt.put_at, put_at_slice, normal(1, 3), normal(1, 3), tag="slice"),
    R(rt.unsplit, unsplit, normal(2, 3), normal(1, 3)),
    R(rt.unsplit, unsplit_none, normal(1, 3), tag="none"),
    R(rt.resplit, resplit, normal(3, 3)),
    R(rt.unsum_back, unsum_back, normal(3), normal(2, 3)),
    R(rt.unsplit_parts, unsplit_parts, normal(2, 2), normal(2, 3)),
    R(rt.unsplit_parts, unsplit_parts_none, normal(2, 3), tag="none"),
    R(rt.split_parts, split_parts, normal(2, 5)),
    R(rt.split_parts, split_parts_h, normal(6), tag="hsplit"),
]
