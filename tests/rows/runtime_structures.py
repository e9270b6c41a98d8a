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


BLOCK_LEAVES = [np.zeros((2, 2)), np.zeros((2, 3))]  # one row of blocks (nested rows: np.block's)


def unblock(g):
    """np.block's cotangent cut into its leaves' pieces."""
    pieces = rt.unblock(g, BLOCK_LEAVES)
    return joined(pieces[0], pieces[1])


def reblock(a):
    return rt.reblock([a, None], BLOCK_LEAVES) * 2.0


def resplit(ct):
    parts = rt.resplit(ct, rt.unconcatenate, REFS)
    return joined(parts[0], parts[1])


def unarray_literal(g):
    """``np.array([x, 2.0, x])``'s cotangent split into one piece per item."""
    parts = rt.unarray(g, [REF_1x3[0, :2], 2.0, REF_1x3[0, :2]])
    return joined(parts[0], parts[1] + parts[2])


def unlist_of_a_list(a, b):
    parts = rt.unlist([a, b], [REF_1x3, 2.0])
    return joined(parts[0], parts[1])


def relist(g):
    parts = rt.relist(g, [REF_1x3[0, :2], None, REF_1x3[0, :2]])
    return joined(parts[0], parts[2])


def rearray(a, c):
    return rt.rearray([a, None, c], np.zeros((3, 2)), [REF_1x3[0, :2], 2.0, REF_1x3[0, :2]]) * 2.0


def rearray_nested(a, b, c):
    literal = [[REF_1x3[0], REF_1x3[0]], [REF_1x3[0], REF_1x3[0]]]
    return rt.rearray([[a, b], [c, b]], np.zeros((2, 2, 3)), literal) * 2.0


def unbroadcast_parts(a, c):
    parts = rt.unbroadcast_parts([a, None, c], [REF_1x3, REF_2x3, np.zeros(())])
    return joined(parts[0], parts[2])


def rebroadcast_parts(a, c):
    parts = rt.rebroadcast_parts([a, None, c], [REF_2x3, REF_2x3, REF_2x3])
    return joined(parts[0], parts[2])


def rebroadcast_list(a, c):
    """``unbroadcast``'s transpose of a list's cotangent, part by part (``None``: none)."""
    parts = rt.rebroadcast([a, None, c], [REF_2x3, REF_2x3, REF_2x3])
    return joined(parts[0], parts[2])


def unmeshgrid(a, b):
    parts = rt.unmeshgrid([a, b], [np.zeros(3), np.zeros(2)], "xy")
    return joined(parts[0], parts[1])


def unmeshgrid_sparse(a):
    parts = rt.unmeshgrid([None, a], [np.zeros(3), np.zeros(2)], "ij")
    return parts[1] * 2.0


def remeshgrid(a, b):
    parts = rt.remeshgrid([a, b], [np.zeros((2, 3)), np.zeros((2, 3))], "xy")
    return joined(parts[0], parts[1])


def remeshgrid_sparse(a):
    parts = rt.remeshgrid([None, a], [np.zeros((3, 1)), np.zeros((1, 2))], "ij")
    return parts[1] * 2.0


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
    R(rt.unblock, unblock, normal(2, 5)),
    R(rt.reblock, reblock, normal(2, 2)),
    R(rt.unarray, unarray_literal, normal(3, 2), tag="literal"),
    R(rt.rearray, rearray, normal(2), normal(2)),
    R(rt.rearray, rearray_nested, normal(3), normal(3), normal(3), tag="nested"),
    R(rt.rearray, lambda c: rt.rearray(c, np.zeros((1, 3)), np.zeros(3)) * 2.0, normal(3),
      tag="array"),  # fmt: skip
    R(rt.unlist, lambda a, c: rt.unlist([a, None, c], np.zeros((3, 2))) * 2.0, normal(2),
      normal(1, 2)),  # fmt: skip
    R(rt.unlist, unlist_of_a_list, normal(1, 3), normal(), tag="list"),
    R(rt.relist, relist, normal(3, 2)),
    R(rt.unbroadcast_parts, unbroadcast_parts, normal(2, 3), normal(2, 3)),
    R(rt.rebroadcast_parts, rebroadcast_parts, normal(1, 3), normal()),
    R(rt.rebroadcast, rebroadcast_list, normal(1, 3), normal(), tag="list"),
    R(rt.unmeshgrid, unmeshgrid, normal(2, 3), normal(2, 3)),
    R(rt.unmeshgrid, unmeshgrid_sparse, normal(1, 2), tag="sparse"),
    R(rt.remeshgrid, remeshgrid, normal(3), normal(2)),
    R(rt.remeshgrid, remeshgrid_sparse, normal(2), tag="sparse"),
    R(rt.unsum_back, unsum_back, normal(3), normal(2, 3)),
    R(rt.unsplit_parts, unsplit_parts, normal(2, 2), normal(2, 3)),
    R(rt.unsplit_parts, unsplit_parts_none, normal(2, 3), tag="none"),
    R(rt.split_parts, split_parts, normal(2, 5)),
    R(rt.split_parts, split_parts_h, normal(6), tag="hsplit"),
]
