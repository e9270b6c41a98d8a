"""Rows for ``templates/runtime.py``: the runtime helpers generated code calls, differentiated
as a user's function would call them (higher order differentiates generated code, DESIGN 10).

Structural arguments (reference shapes, keys, masks) are fixed; the differentiated ones are
drawn. ``NONDIFF`` rows compose each piecewise-constant helper (masks, shape records, markers)
with a product, as ``rows/nondiff.py`` does.
"""

import numpy as np

import s2s.runtime as rt
from rows.spec import R, away0, const, distinct, joined, normal, positive

KEY = np.array([0, 2, 0])  # a repeated index: scatters add, writes keep the last
MASK = np.array([[True, False, True], [False, False, True]])
X1 = np.array([[0.5, -1.0, 2.0], [1.0, 1.0, -3.0]])
X2 = np.array([0.5, 0.0, 2.5])
REF_2x3 = np.zeros((2, 3))
REF_4 = np.zeros(4)


def split_concatenated(g):
    parts = rt.unconcatenate(g, (REF_2x3, np.zeros((1, 3))), 0)
    return joined(parts[0], parts[1])


def split_stacked(g):
    parts = rt.unstack(g, (X2, X2), 1)
    return joined(parts[0], parts[1])


def split_hstacked(g):
    parts = rt.unhstack(g, (X2, np.zeros(2)))
    return joined(parts[0], parts[1])


def split_vstacked(g):
    parts = rt.unvstack(g, (X2, X2))
    return joined(parts[0], parts[1])


def split_column_stacked(g):
    parts = rt.uncolumn_stack(g, (X2, REF_2x3.T))
    return joined(parts[0], parts[1])


def split_dstacked(g):
    parts = rt.undstack(g, (X2, np.zeros((1, 3, 2))))
    return joined(parts[0], parts[1])


def split_summed(g):
    parts = rt.unsum(g, (X2, np.zeros((2, 3))))
    return joined(parts[0], parts[1])


def all_but_last(a, b, c):
    parts = rt.without_last([a, b, c])
    return joined(parts[0], parts[1])


def gathered_parts(a, b):
    parts = rt.item_cotangents(a, b)
    return joined(parts[0], parts[1])


def put_back_last(a, b):
    parts = rt.with_last([a], b, 1)
    return joined(parts[0], parts[1])


def placed_at(g):
    parts = rt.item_at(g, 1, 3)
    return parts[1] * 2.0


def placed_at_slice(a, b):
    parts = rt.item_at((a, b), slice(1, None), 3)
    return joined(parts[1], parts[2])


ROWS = [
    R(rt.average_weights, lambda w: rt.average_weights(REF_2x3, 1, w), normal(3)),
    R(rt.uncolumn_stack, split_column_stacked, normal(3, 3)),
    R(rt.undstack, split_dstacked, normal(1, 3, 3)),
    R(
        rt.pad_constant_grad,
        lambda g: rt.pad_constant_grad(g, REF_2x3, ((1, 0), (2, 1)), np.zeros(2)),
        normal(3, 6),
    ),
    R(rt.pad_constant_tangent, lambda t: rt.pad_constant_tangent(t, REF_2x3, 1), normal(2, 1)),
    # linear helpers: each is its own tangent map, its rule the transpose
    R(rt.unbroadcast, lambda g: rt.unbroadcast(g, np.zeros((3, 1))), normal(2, 3, 4)),
    R(rt.filled, lambda g: rt.filled(g, (2, 3), "float64"), normal()),
    R(rt.unreduce, lambda g: rt.unreduce(g, REF_2x3, 1, True), normal(2, 1)),
    R(rt.masked, lambda v: rt.masked(MASK, v), normal(2, 3)),
    R(
        rt.extremum_share,
        lambda g, x: rt.extremum_share(
            g, rt.extremum_mask(x, np.max(x, axis=1), 1, False), 1, False
        ),
        normal(2),
        const(X1),
    ),  # fmt: skip
    R(
        rt.extremum_tangent,
        lambda t, x: rt.extremum_tangent(t, rt.extremum_mask(x, np.max(x, 1), 1, False), 1, False),
        normal(2, 3),
        const(X1),
    ),  # fmt: skip
    R(rt.maximum_share, lambda g: rt.maximum_share(g, X1, X2), normal(2, 3)),
    R(rt.minimum_share, lambda g: rt.minimum_share(g, X1, X2), normal(2, 3)),
    R(rt.extremum_part, lambda t: rt.extremum_part(t, X1, X2, np.greater), normal(2, 3)),
    R(rt.scatter, lambda total, g: rt.scatter(total, REF_4, KEY, g), normal(4), normal(3)),
    R(rt.owned_copy, lambda g: rt.owned_copy(g, REF_2x3), normal(3)),
    R(rt.owned_buffer, lambda g: rt.owned_buffer(g, REF_2x3), normal(2, 3)),
    R(rt.add, lambda a, b: rt.add(a, b), normal(2, 3), normal(2, 3)),
    R(rt.gradient, lambda b: rt.gradient(b, REF_2x3), normal(2, 3)),
    R(rt.locate, lambda v: rt.locate(v, "op", "x", "f.py", 1), normal(3)),
    R(rt.resolve_undefined, lambda b: rt.resolve_undefined(b, X2, "x", "raise"), normal(3)),
    R(rt.through_undefined, lambda t: rt.through_undefined(t, X2, "nan"), normal(3)),
    R(
        rt.resolve_undefined_tangent,
        lambda t: rt.resolve_undefined_tangent(t, X2, "y", "raise"),
        normal(3),
    ),  # fmt: skip
    R(rt.detached, lambda v: rt.detached(v) * 2.0, normal(3)),
    R(rt.untranspose, lambda g: rt.untranspose(g, (1, 0, 2)), normal(2, 3, 4)),
    R(rt.unreshape, lambda g: rt.unreshape(g, REF_2x3), normal(6)),
    R(rt.unravel, lambda g: rt.unravel(g, REF_2x3), normal(6)),
    R(rt.undiff, lambda g: rt.undiff(g, np.zeros(5), 1, -1), normal(4)),
    R(rt.undiag, lambda g: rt.undiag(g, np.zeros(3), 0), normal(3, 3), tag="vector"),
    R(rt.undiag, lambda g: rt.undiag(g, np.zeros((3, 3)), 1), normal(2), tag="matrix"),
    R(rt.undiagonal, lambda g: rt.undiagonal(g, np.zeros((3, 4)), 1, 0, 1), normal(3)),
    R(rt.untrace, lambda g: rt.untrace(g, np.zeros((3, 3))), normal()),
    R(rt.uncast, lambda g: rt.uncast(g, X2, X2.astype(np.float32)), normal(3)),
    R(rt.unarray, lambda g: rt.unarray(g, np.zeros((1, 3))), normal(1, 3)),
    R(rt.cumsum_adjoint, lambda g: rt.cumsum_adjoint(g, REF_2x3, 1), normal(2, 3)),
    R(rt.initial_dropped, lambda g: rt.initial_dropped(g, 1, True) * 2.0, normal(2, 4)),
    R(rt.initial_dropped, lambda g: rt.initial_dropped(g) * 2.0, normal(3), tag="none"),
    R(rt.initial_padded, lambda t: rt.initial_padded(t, 0, True) * 2.0, normal(2, 3)),
    R(rt.initial_padded, lambda t: rt.initial_padded(t, None, True) * 2.0, normal(3), tag="flat"),
    R(rt.unconcatenate, split_concatenated, normal(3, 3)),
    R(rt.unstack, split_stacked, normal(3, 2)),
    R(rt.unhstack, split_hstacked, normal(5)),
    R(rt.unvstack, split_vstacked, normal(2, 3)),
    R(rt.unsum, split_summed, normal(2, 3)),
    R(rt.written_part, lambda g: rt.written_part(g, KEY, REF_4), normal(4)),
    R(rt.zeroed_at, lambda g: rt.zeroed_at(g, KEY), normal(4)),
    R(rt.last_item, lambda a, b: rt.last_item([a, b]) * 2.0, normal(3), normal(3)),
    R(rt.without_last, all_but_last, normal(3), normal(2), normal(3)),
    R(rt.with_last, put_back_last, normal(3), normal(3)),
    R(rt.item_cotangents, gathered_parts, normal(3), normal(2)),
    R(rt.item_of, lambda a, b: rt.item_of([a, b], 1) * 2.0, normal(3), normal(3)),
    R(rt.item_at, placed_at, normal(3), tag="index"),
    R(rt.item_at, placed_at_slice, normal(3), normal(2), tag="slice"),
    R(rt.overwritten, lambda a: rt.overwritten(a, KEY), normal(4), tag="repeated index"),
    R(rt.overwritten, lambda a: rt.overwritten(a, np.s_[1:, ::2]), normal(2, 3), tag="slices"),
    R(rt.sort_adjoint, lambda g, a: rt.sort_adjoint(g, a, -1), normal(2, 3), const(X1)),
    R(rt.sort_tangent, lambda t, a: rt.sort_tangent(t, a, -1), normal(2, 3), const(X1)),
    R(rt.median_adjoint, lambda g, a: rt.median_adjoint(g, a, 1), normal(2), const(X1)),
    R(rt.median_tangent, lambda t, a: rt.median_tangent(t, a, 1), normal(2, 3), const(X1)),
    R(
        rt.quantile_adjoint,
        lambda g, a: rt.quantile_adjoint(g, a, [0.2, 0.6], 1, "linear", False, True),
        normal(2, 2),
        const(np.where(X1 > 1.5, np.nan, X1)),
    ),
    R(
        rt.quantile_tangent,
        lambda t, a: rt.quantile_tangent(t, a, [0.2, 0.6], 1, "linear", False, True),
        normal(2, 3),
        const(np.where(X1 > 1.5, np.nan, X1)),
    ),
    R(
        rt.gradient_adjoint,
        lambda g: rt.gradient_adjoint(g, X1, (0.5, np.array([0.0, 0.4, 1.0])), None, 1),
        normal(2, 2, 3),
    ),
    R(rt.gradient_of, lambda t: rt.gradient_of(t, (0.5,), 1, 2), normal(2, 3)),
    R(rt.i1, lambda x: rt.i1(x), normal(2, 3, scale=2.0)),
    R(rt.sinc_derivative, lambda x: rt.sinc_derivative(x, 1), normal(2, 3)),
    R(
        rt.sinc_derivative,
        lambda x: rt.sinc_derivative(np.where(np.arange(3) == 1, 0.0, x), 2),
        normal(3, scale=2.0),
        tag="order-2-at-0",
    ),
    R(rt.bin_edges_adjoint, lambda g: rt.bin_edges_adjoint(g, X1, 3, None), normal(4)),
    R(rt.bin_edges_tangent, lambda t: rt.bin_edges_tangent(t, X1, 3, None), normal(2, 3)),
    R(rt.unique_adjoint, lambda g: rt.unique_adjoint(g, np.array([1.0, 2.0, 1.0])), normal(2)),
    R(rt.unique_tangent, lambda t: rt.unique_tangent(t, np.array([1.0, 2.0, 1.0])), normal(3)),
    R(rt.check_cotangent, lambda c: rt.check_cotangent(c, X2, "f.py", 1), normal(3)),
    # forward mode's helpers
    R(rt.check_tangent, lambda t: rt.check_tangent(t, X2, "x", "f.py", 1), normal(3)),
    R(rt.project_tangent, lambda t: rt.project_tangent(t, REF_2x3), normal(3)),
    R(rt.dense_tangent, lambda t: rt.dense_tangent(t, X2), normal(3)),
    R(rt.owned_tangent, lambda t: rt.owned_tangent(t, X2), normal(3)),
    R(rt.written_tangent, lambda t, v: rt.written_tangent(t, REF_4, KEY, v), normal(4), normal(3)),
    # the transposes, so that this composes to any order
    R(rt.add_part, lambda c: rt.add_part(c, np.zeros(3)), normal(2, 3)),
    R(rt.rebroadcast, lambda c: rt.rebroadcast(c, REF_2x3), normal(3)),
    R(rt.reduce_onto, lambda c: rt.reduce_onto(c, np.zeros((2, 1)), 1, True), normal(2, 3)),
    R(rt.gathered, lambda c: rt.gathered(c, KEY, np.zeros(3)), normal(4)),
    R(rt.var_second, lambda e: rt.var_second(e, REF_2x3, 1, 0), normal(2, 3)),
    R(rt.expanded, lambda g: rt.expanded(g, REF_2x3, 1, False), normal(2)),
    R(rt.unwritten, lambda c: rt.unwritten(c, REF_4, KEY), normal(3)),
    R(rt.cumsum_back, lambda c: rt.cumsum_back(c, REF_2x3, 1), normal(2, 3)),
    # elementwise partials
    R(rt.power_dbase, lambda x, y: rt.power_dbase(x, y), positive(3), normal(3)),
    R(rt.power_dexponent, lambda r, x: rt.power_dexponent(r, x), normal(3), positive(3)),
    R(rt.div_or_zero, lambda n, d: rt.div_or_zero(n, d), normal(3), away0(3)),
    R(rt.positive_log, lambda x: rt.positive_log(x), positive(3)),
    R(
        rt.power_dexponent_dbase,
        lambda r, x: rt.power_dexponent_dbase(r, x),
        normal(3),
        positive(3),
    ),  # fmt: skip
    # products of a cotangent with a primal: bilinear
    R(
        rt.matmul_grad_x1,
        lambda g, x2: rt.matmul_grad_x1(g, REF_2x3, x2),
        normal(2, 4),
        normal(3, 4),
    ),  # fmt: skip
    R(
        rt.matmul_grad_x2,
        lambda g, x1: rt.matmul_grad_x2(g, x1, np.zeros((3, 4))),
        normal(2, 4),
        normal(2, 3),
    ),  # fmt: skip
    R(rt.dot_grad_a, lambda g, b: rt.dot_grad_a(g, REF_2x3, b), normal(2, 4), normal(3, 4)),
    R(
        rt.dot_grad_b,
        lambda g, a: rt.dot_grad_b(g, a, np.zeros((3, 4))),
        normal(2, 4),
        normal(2, 3),
    ),  # fmt: skip
    R(
        rt.tensordot_grad_a,
        lambda g, b: rt.tensordot_grad_a(g, REF_2x3, b, 1),
        normal(2, 4),
        normal(3, 4),
    ),  # fmt: skip
    R(
        rt.tensordot_grad_b,
        lambda g, a: rt.tensordot_grad_b(g, a, np.zeros((3, 4)), 1),
        normal(2, 4),
        normal(2, 3),
    ),  # fmt: skip
    R(rt.var_adjoint, lambda g, a: rt.var_adjoint(g, a, 1, 0, False), normal(2), normal(2, 3)),
    R(rt.var_tangent, lambda t, a: rt.var_tangent(t, a, 1, 1, True), normal(2, 3), distinct(2, 3)),
]


# -- piecewise-constant helpers: masks, shape records, markers ---------------------------------


def with_record(x):
    record = rt.like(x)
    return np.sum(x * 2.0) + 0.0 * len(record.shape)


def with_marker(x):
    marker = rt.through(rt.undefined("op", "x", "why", "f.py", 1), "x (line 1)")
    return np.sum(x * 2.0) + 0.0 * len(marker.causes)


def with_marker_test(x):
    marker = rt.undefined_of(x)
    other = rt.undefined_in(x)
    absent = 1.0 if marker is None and other is None else 0.0
    return np.sum(x) * (absent - rt.is_undefined(x))


def _ones(x):
    return (np.ones_like(x),)


NONDIFF = [
    R(rt.seed, lambda x: np.sum(x) * rt.seed(x), normal(3), expected=_ones),
    R(rt.like, with_record, normal(3), expected=lambda x: (np.full_like(x, 2.0),)),
    R(rt.zeros_like_acc, lambda x: np.sum(x + rt.zeros_like_acc(x)), normal(3), expected=_ones),
    R(rt.zero_tangent, lambda x: np.sum(x + rt.zero_tangent(x)), normal(3), expected=_ones),
    R(
        rt.zero_output_tangent,
        lambda x: np.sum(x + rt.zero_output_tangent(x, (), "f.py", 1)),
        normal(3),
        expected=_ones,
    ),  # fmt: skip
    R(
        rt.shape_of,
        lambda x: np.sum(x) * rt.shape_of(x)[0],
        normal(3),
        expected=lambda x: (np.full_like(x, 3.0),),
    ),  # fmt: skip
    R(
        rt.reduced_size,
        lambda x: np.sum(x) * rt.reduced_size(x, 0),
        normal(2, 3),
        expected=lambda x: (np.full_like(x, 2.0),),
    ),  # fmt: skip
    R(
        rt.extremum_mask,
        lambda x: np.sum(x * rt.extremum_mask(x, np.max(x), None, False)),
        distinct(2, 3),
        expected=lambda x: ((x == np.max(x)).astype(x.dtype),),
    ),  # fmt: skip
    R(
        rt.clip_masks,
        lambda x: np.sum(x * rt.clip_masks(x, -0.5, 0.5)[0]),
        normal(2, 3),
        expected=lambda x: (((x >= -0.5) & (x <= 0.5)).astype(x.dtype),),
    ),  # fmt: skip
    R(
        rt.unselected_by_extremum,
        lambda x: np.sum(x * rt.unselected_by_extremum(x, 0.0, np.less)),
        away0(2, 3),
        expected=lambda x: ((x < 0).astype(x.dtype),),
    ),  # fmt: skip
    R(
        rt.unindexed,
        lambda x: np.sum(x * rt.unindexed(x, 0)),
        normal(3),
        expected=lambda x: (np.array([0.0, 1.0, 1.0], x.dtype),),
    ),  # fmt: skip
    R(
        rt.unbroadcast_mask,
        lambda x: np.sum(x * rt.unbroadcast_mask(x > 0, x)),
        away0(3),
        expected=lambda x: ((x > 0).astype(x.dtype),),
    ),  # fmt: skip
    R(
        rt.both,
        lambda x: np.sum(x * rt.both(x > 0, x < 1)),
        away0(4),
        expected=lambda x: (((x > 0) & (x < 1)).astype(x.dtype),),
    ),  # fmt: skip
    R(
        rt.either,
        lambda x: np.sum(x * rt.either(x > 0, x < -1)),
        away0(4),
        expected=lambda x: (((x > 0) | (x < -1)).astype(x.dtype),),
    ),  # fmt: skip
    R(
        rt.kept,
        lambda x: np.sum(x * rt.kept(x > 0)),
        away0(4),
        expected=lambda x: ((x <= 0).astype(x.dtype),),
    ),  # fmt: skip
    R(
        rt.zero_entries,
        lambda x: np.sum(x * rt.zero_entries(np.floor(x))),
        normal(4),
        expected=lambda x: ((np.floor(x) == 0).astype(x.dtype),),
    ),  # fmt: skip
    R(
        rt.last_mask,  # no part: all zero (True); a part without a mask: none known (False)
        lambda x: np.sum(x * rt.last_mask([x, None])) + np.sum(x * rt.last_mask([x])),
        normal(3),
        expected=_ones,
    ),  # fmt: skip
    R(
        rt.take_key,
        lambda x: np.sum(x) * len(rt.take_key(x, np.array([0, 1]), 0)),
        normal(3),
        expected=_ones,
    ),  # fmt: skip
    R(
        rt.pad_keys,
        lambda x: np.sum(x) * len(rt.pad_keys(x, 1, "reflect")[0]),
        normal(3),
        expected=_ones,
    ),  # fmt: skip
    R(
        rt.repeat_key,
        lambda x: np.sum(x) * len(rt.repeat_key(x, 2, 0)),
        normal(3),
        expected=_ones,
    ),  # fmt: skip
    R(
        rt.unit_direction,
        lambda x: np.sum(x * rt.unit_direction(x, 1)) + np.sum(x),
        normal(3),
        expected=lambda x: (np.array([1.0, 2.0, 1.0]),),
    ),  # fmt: skip
    R(
        rt.check_columns,
        lambda x: rt.check_columns([x, 2.0 * x], "f.py", 1) or np.sum(x * x),
        normal(3),
        expected=lambda x: (2.0 * x,),
    ),  # fmt: skip
    R(
        rt.tile_plan,
        lambda x: np.sum(x) * len(rt.tile_plan(x, 2)[0]),
        normal(3),
        expected=lambda x: (np.full_like(x, 2.0),),
    ),  # fmt: skip
    R(
        rt.kron_plan,
        lambda x: np.sum(x) * len(rt.kron_plan(x, x)[0]),
        normal(3),
        expected=lambda x: (np.full_like(x, 2.0),),
    ),  # fmt: skip
    R(
        rt.delete_key,
        lambda x: np.sum(x) * len(rt.delete_key(x, [0], 0)),
        normal(3),
        expected=_ones,
    ),  # fmt: skip
    R(
        rt.along_axis_key,
        lambda x: np.sum(x) * len(rt.along_axis_key(x, np.array([0, 0]), 0)),
        normal(3),
        expected=_ones,
    ),  # fmt: skip
    R(
        rt.select_masks,
        lambda x: np.sum(x * rt.select_masks([x > 0], x)[0]),
        away0(4),
        expected=lambda x: ((x > 0).astype(x.dtype),),
    ),  # fmt: skip
    R(
        rt.compress_key,
        lambda x: np.sum(x) * len(rt.compress_key([True, False], x, 0)),
        normal(3),
        expected=_ones,
    ),  # fmt: skip
    R(
        rt.extract_key,
        lambda x: np.sum(x * rt.extract_key(x > 0, x)),
        away0(4),
        expected=lambda x: ((x > 0).astype(x.dtype),),
    ),  # fmt: skip
    R(
        rt.trapezoid_weights,
        lambda x: np.sum(x * rt.trapezoid_weights(x)),
        normal(3),
        expected=lambda x: (np.array([0.5, 1.0, 0.5], x.dtype),),
    ),  # fmt: skip
    R(
        rt.linspace_t,
        lambda x: np.sum(x * rt.linspace_t(x, 3)),
        normal(3),
        expected=lambda x: (np.array([0.0, 0.5, 1.0], x.dtype),),
    ),  # fmt: skip
    R(rt.undefined, with_marker, normal(3), expected=lambda x: (np.full_like(x, 2.0),)),
    R(rt.through, with_marker, normal(3), expected=lambda x: (np.full_like(x, 2.0),)),
    R(rt.undefined_of, with_marker_test, normal(3), expected=_ones),
    R(rt.undefined_in, with_marker_test, normal(3), expected=_ones),
    R(rt.is_undefined, with_marker_test, normal(3), expected=_ones),
]
