"""Rules for the runtime helpers generated code calls, so that a derivative differentiates again.

Higher order (DESIGN 10) transforms generated code, which reaches numpy and ``s2s.runtime``.
Most helpers are linear in their cotangent or tangent argument (``unbroadcast``, ``filled``,
``scatter``, ``masked``): declared linear, they are their own tangent map and only their
transpose is written here. Products of a cotangent with a primal (``matmul_grad_x1``,
``var_adjoint``) are bilinear: an adjoint and a tangent each, by the product rule. Masks,
shape records and markers are piecewise constant. Helpers without a rule (the adjoints of
``norm``, the decompositions and tests/test_rules_second_order.py's UNSUPPORTED list) raise
``NoRuleError`` when a derivative through them is differentiated again.
"""

import numpy as np

import s2s.runtime as rt
from s2s.registry import (
    ZEROS,
    Facts,
    adjoint,
    d,
    elementwise,
    linear,
    nondifferentiable,
    tangent,
    zero_where,
)

LINEAR = "linear in its first argument: the transpose of the helper's map"

# -- shape records, masks, markers and checks: no tangent space --------------------------------

for _fn in (
    rt.seed, rt.like, rt.zeros_like_acc, rt.zero_output_tangent, rt.shape_of, rt.reduced_size,
    rt.tile_plan, rt.kron_plan, rt.unit_direction,
):  # fmt: skip
    nondifferentiable(_fn, reason="reads only shapes and dtypes", metadata=True)
# a forward sweep's zero tangent: a float like its argument (its methods are an array's)
nondifferentiable(rt.zero_tangent, reason="reads only shapes and dtypes", metadata=True,
                  facts=Facts(dtype=ZEROS))  # fmt: skip
for _fn in (
    rt.extremum_mask, rt.clip_masks, rt.unselected_by_extremum, rt.unindexed,
    rt.unbroadcast_mask, rt.both, rt.either, rt.kept, rt.zero_entries, rt.take_key,
    rt.pad_keys, rt.repeat_key, rt.delete_key, rt.along_axis_key, rt.select_masks,
    rt.compress_key, rt.extract_key, rt.last_mask,
):  # fmt: skip
    nondifferentiable(_fn, reason="a boolean mask or an index (no tangent space)")
nondifferentiable(rt.check_columns, reason="a check before a Jacobian's columns are stacked")
for _fn in (rt.undefined, rt.through, rt.undefined_of, rt.undefined_in, rt.is_undefined):
    nondifferentiable(_fn, reason="an undefined-gradient marker (no tangent space)")


# -- linear helpers: their transposes ----------------------------------------------------------


@linear(rt.unbroadcast, structural=("ref",), source=LINEAR)
def unbroadcast(result, g, ref):
    d[g] = rt.rebroadcast(d[result], g)


@linear(rt.filled, structural=("shape", "dtype"), source="a broadcast: its transpose sums")
def filled(result, g, shape, dtype):
    d[g] = rt.unbroadcast(d[result], g)


@linear(rt.unreduce, structural=("a", "axis", "keepdims"), source="transpose: a sum")
def unreduce(result, g, a, axis=None, keepdims=False):
    d[g] = rt.reduce_onto(d[result], g, axis, keepdims)


@linear(rt.masked, structural=("mask",), source="a projection: its own transpose")
def masked(result, mask, value):
    d[value] = rt.masked(mask, d[result])
    zero_where[value] = mask


@linear(rt.extremum_share, structural=("mask", "axis", "keepdims"), source=LINEAR)
def extremum_share(result, g, mask, axis=None, keepdims=False):
    d[g] = rt.extremum_tangent(d[result], mask, axis, keepdims)


@linear(rt.extremum_tangent, structural=("mask", "axis", "keepdims"), source=LINEAR)
def extremum_tangent(result, t, mask, axis=None, keepdims=False):
    d[t] = rt.unbroadcast(rt.extremum_share(d[result], mask, axis, keepdims), t)


@linear(rt.maximum_share, structural=("x", "other"), source=LINEAR + " (DESIGN 8 shares)")
def maximum_share(result, g, x, other):
    d[g] = rt.unbroadcast(rt.extremum_part(d[result], x, other, np.greater), g)


@linear(rt.minimum_share, structural=("x", "other"), source=LINEAR + " (DESIGN 8 shares)")
def minimum_share(result, g, x, other):
    d[g] = rt.unbroadcast(rt.extremum_part(d[result], x, other, np.less), g)


@linear(rt.extremum_part, structural=("x", "other", "wins"), source=LINEAR)
def extremum_part(result, t, x, other, wins):
    d[t] = rt.unbroadcast(rt.extremum_part(d[result], x, other, wins), t)


@linear(rt.scatter, structural=("ref", "key"), source="a copy of total plus g at key")
def scatter(result, total, ref, key, g):
    d[total] = rt.add_part(d[result], total)
    d[g] = rt.gathered(d[result], key, g)


@linear(rt.owned_copy, structural=("ref",), source="a copy: its transpose casts back")
def owned_copy(result, g, ref):
    d[g] = rt.unbroadcast(d[result], g)


@linear(rt.owned_buffer, structural=("ref",), source="a copy (or zeros): its transpose casts back")
def owned_buffer(result, g, ref):
    d[g] = rt.add_part(d[result], g)


@linear(rt.add, source="the sum of the kinds (None is zero): each operand gets the cotangent")
def add(result, total, contribution):
    d[total] = rt.add_part(d[result], total)
    d[contribution] = rt.add_part(d[result], contribution)


@linear(rt.gradient, structural=("x", "protect"), source="a cast to the argument's type")
def gradient(result, buffer, x, protect=()):
    d[buffer] = rt.add_part(d[result], buffer)


@linear(rt.locate, structural=("op", "argument", "filename", "lineno"), source="the identity")
def locate(result, value, op, argument, filename, lineno):
    d[value] = d[result]


UNDEFINED_NAN = (
    "the identity where the buffer is a number; NaN where it is a marker under undefined='nan' "
    "(the gradient is NaN there, so its derivative is too, not that of the defined terms)"
)


@adjoint(rt.resolve_undefined, structural=("x", "name", "policy"), source=UNDEFINED_NAN)
def resolve_undefined(result, buffer, x, name, policy):
    d[buffer] = rt.through_undefined(d[result], buffer, policy)


@tangent(rt.resolve_undefined, source=UNDEFINED_NAN)
def resolve_undefined_tangent_of(result, buffer, x, name, policy):
    d[result] += rt.through_undefined(d[buffer], buffer, policy)


@linear(rt.through_undefined, structural=("buffer", "policy"), source=UNDEFINED_NAN)
def through_undefined(result, t, buffer, policy):
    d[t] = rt.through_undefined(d[result], buffer, policy)


@linear(rt.resolve_undefined_tangent, structural=("y", "what", "policy"), source="the identity")
def resolve_undefined_tangent(result, t, y, what, policy):
    d[t] = d[result]


@linear(rt.detached, source="a copy")
def detached(result, value):
    d[value] = d[result]


@linear(rt.untranspose, structural=("axes",), source="a permutation: transpose back")
def untranspose(result, g, axes=None):
    d[g] = np.transpose(d[result], axes)


@linear(rt.unreshape, structural=("a", "order"), source="a reshape: reshape back")
def unreshape(result, g, a, order="C"):
    d[g] = np.reshape(d[result], rt.shape_of(g), order=order)


@linear(rt.unravel, structural=("a", "order"), source="a reshape: ravel back")
def unravel(result, g, a, order="C"):
    d[g] = np.reshape(np.ravel(d[result], order="C" if order not in ("C", "F") else order),
                      rt.shape_of(g))  # fmt: skip


@linear(rt.undiff, structural=("a", "n", "axis"), source="the transpose of a diff is a diff")
def undiff(result, g, a, n=1, axis=-1):
    d[g] = np.diff(d[result], n, axis)


@linear(rt.undiag, structural=("v", "k"), source="numpy.diag both ways")
def undiag(result, g, v, k=0):
    d[g] = np.diag(d[result], k)


@linear(rt.undiagonal, structural=("a", "offset", "axis1", "axis2"), source="numpy.diagonal")
def undiagonal(result, g, a, offset=0, axis1=0, axis2=1):
    d[g] = rt.unbroadcast(np.diagonal(d[result], offset, axis1, axis2), g)


@linear(rt.untrace, structural=("a", "offset", "axis1", "axis2"), source="numpy.trace")
def untrace(result, g, a, offset=0, axis1=0, axis2=1):
    d[g] = rt.unbroadcast(np.trace(d[result], offset, axis1, axis2), g)


@linear(rt.uncast, structural=("x", "result_"), source="a cast")
def uncast(result, g, x, result_):
    d[g] = rt.unbroadcast(d[result], g)


@linear(rt.unarray, structural=("a", "result_"), source="a cast")
def unarray(result, g, a, result_=None):
    d[g] = rt.rearray(d[result], g, a, result_)


@linear(rt.unconcatenate, structural=("arrays", "axis"), source="a split: its transpose joins")
def unconcatenate(result, g, arrays, axis=0):
    d[g] = rt.unsplit(d[result], g, rt.unconcatenate, (arrays, axis))


@linear(rt.unstack, structural=("arrays", "axis"), source="a split: its transpose stacks")
def unstack(result, g, arrays, axis=0):
    d[g] = rt.unsplit(d[result], g, rt.unstack, (arrays, axis))


@linear(rt.unhstack, structural=("tup",), source="a split: its transpose joins")
def unhstack(result, g, tup):
    d[g] = rt.unsplit(d[result], g, rt.unhstack, (tup,))


@linear(rt.unvstack, structural=("tup",), source="a split: its transpose joins")
def unvstack(result, g, tup):
    d[g] = rt.unsplit(d[result], g, rt.unvstack, (tup,))


@linear(rt.uncolumn_stack, structural=("tup",), source="a split: its transpose joins")
def uncolumn_stack(result, g, tup):
    d[g] = rt.unsplit(d[result], g, rt.uncolumn_stack, (tup,))


@linear(rt.undstack, structural=("tup",), source="a split: its transpose joins")
def undstack(result, g, tup):
    d[g] = rt.unsplit(d[result], g, rt.undstack, (tup,))


@linear(rt.average_weights, structural=("a", "axis"), source="a reshape: reshape back")
def average_weights(result, a, axis, weights):
    d[weights] = np.reshape(d[result], rt.shape_of(weights))


@linear(rt.unsum, structural=("items",), source="copies: their transpose adds")
def unsum(result, g, items):
    d[g] = rt.unsum_back(d[result], g)


@linear(rt.pad_constant_grad, structural=("array", "pad_width", "constant_values"), source=LINEAR)
def pad_constant_grad(result, g, array, pad_width, constant_values):
    d[g] = rt.pad_constant_tangent(d[result], array, pad_width)


@linear(rt.pad_constant_tangent, structural=("array", "pad_width"), source=LINEAR)
def pad_constant_tangent(result, t, array, pad_width):
    d[t] = rt.pad_constant_grad(d[result], array, pad_width, t)


@linear(rt.cumsum_adjoint, structural=("a", "axis"), source="its transpose is a cumsum")
def cumsum_adjoint(result, g, a, axis=None):
    d[g] = rt.cumsum_back(d[result], g, axis)


@linear(rt.written_part, structural=("key", "array"), source="a gather of the written entries")
def written_part(result, g, key, array=None):
    d[g] = rt.unwritten(d[result], g, key)


@linear(rt.overwritten, structural=("key",), source="a copy of array[key]; transpose: scatter-add")
def overwritten(result, array, key):
    d[array][key] = d[result]


@linear(rt.last_item, carries_masks=False,  # a list's cotangent: parts, which no mask describes
        source="an item of a list (xs.append undone); transpose: put it back")
def last_item(result, cotangent):
    d[cotangent] = rt.put_last(d[result], cotangent)


@linear(rt.without_last, carries_masks=False,
        source="the list's other items; transpose: put them back")
def without_last(result, cotangent):
    d[cotangent] = rt.put_all_but_last(d[result], cotangent)


@linear(rt.with_last, structural=("length", "mask"), carries_masks=False,
        source="an item put back on a list (v = xs.pop() undone); transpose: take it off")
def with_last(result, cotangent, part, length, mask=None):
    d[cotangent] = rt.without_last(d[result])
    d[part] = rt.last_item(d[result])


@linear(rt.item_cotangents, source="parts gathered in a list; transpose: hand each back")
def item_cotangents(result, *parts):
    d[parts] = d[result]


@linear(rt.item_of, structural=("j",), source="an item of a list of parts; transpose: put it back")
def item_of(result, parts, j):
    d[parts] = rt.put_item(d[result], j, parts)


@linear(rt.item_at, structural=("key", "n"), source="g placed in a list; transpose: take it out")
def item_at(result, g, key, n):
    d[g] = rt.item_from(d[result], key)


@linear(rt.zeroed_at, structural=("key",), source="a projection: its own transpose")
def zeroed_at(result, g, key):
    d[g] = rt.zeroed_at(d[result], key)


@linear(rt.sort_adjoint, structural=("a", "axis"), source="a permutation")
def sort_adjoint(result, g, a, axis=-1):
    d[g] = rt.sort_tangent(d[result], a, axis)


@linear(rt.sort_tangent, structural=("a", "axis"), source="a permutation")
def sort_tangent(result, t, a, axis=-1):
    d[t] = rt.unbroadcast(rt.sort_adjoint(d[result], a, axis), t)


@linear(rt.median_adjoint, structural=("a", "axis", "keepdims"), source=LINEAR)
def median_adjoint(result, g, a, axis=None, keepdims=False):
    d[g] = rt.median_tangent(d[result], a, axis, keepdims)


@linear(rt.median_tangent, structural=("a", "axis", "keepdims"), source=LINEAR)
def median_tangent(result, t, a, axis=None, keepdims=False):
    d[t] = rt.unbroadcast(rt.median_adjoint(d[result], a, axis, keepdims), t)


@linear(rt.unique_adjoint, structural=("ar", "axis", "equal_nan", "sorted"), source=LINEAR)
def unique_adjoint(result, g, ar, axis=None, equal_nan=True, sorted=True):
    d[g] = rt.unique_tangent(d[result], ar, axis, equal_nan, sorted)


@linear(rt.unique_tangent, structural=("ar", "axis", "equal_nan", "sorted"), source=LINEAR)
def unique_tangent(result, t, ar, axis=None, equal_nan=True, sorted=True):
    d[t] = rt.unbroadcast(rt.unique_adjoint(d[result], ar, axis, equal_nan, sorted), t)


@linear(rt.check_cotangent, structural=("value", "filename", "lineno"), source="a cast")
def check_cotangent(result, ct, value, filename, lineno):
    d[ct] = rt.unbroadcast(d[result], ct)


# -- forward mode's helpers --------------------------------------------------------------------


@linear(rt.check_tangent, structural=("x", "name", "filename", "lineno"), source="a cast")
def check_tangent(result, t, x, name, filename, lineno):
    d[t] = rt.unbroadcast(d[result], t)


@linear(rt.project_tangent, structural=("ref",), source="a broadcast and a cast")
def project_tangent(result, t, ref):
    d[t] = rt.add_part(d[result], t)


@linear(rt.dense_tangent, structural=("x",), source="the tangent, or zeros for None")
def dense_tangent(result, t, x):
    d[t] = rt.add_part(d[result], t)


@linear(rt.owned_tangent, structural=("x",), source="a copy, or zeros for None")
def owned_tangent(result, t, x):
    d[t] = rt.add_part(d[result], t)


@linear(rt.written_tangent, structural=("x", "key"), source="a copy of t with v at key")
def written_tangent(result, t, x, key, v):
    d[t] = rt.add_part(rt.zeroed_at(d[result], key), t)
    d[v] = rt.unbroadcast(rt.written_part(d[result], key, x), v)


# -- elementwise partials of the power rule and of a guarded quotient ---------------------------


@elementwise(rt.power_dbase, source="d/dx1 of x2 x1^(x2-1): x2 (x2-1) x1^(x2-2); 0 at x2 = 0")
def power_dbase(result, x1, x2):
    return rt.power_dbase(x1, x2 - 1) * x2, rt.power_dbase_dexponent(x1, x2)


@elementwise(rt.power_dexponent, source="result log x1 (0 where x1 <= 0): log x1, result / x1")
def power_dexponent(result, result_, x1):
    return rt.positive_log(x1), rt.power_dexponent_dbase(result_, x1)


@elementwise(rt.div_or_zero, source="num / den, 0 where den = 0: 1 / den, -num / den^2")
def div_or_zero(result, num, den):
    return rt.div_or_zero(1.0, den), -rt.div_or_zero(result, den)


# -- products of a cotangent with a primal: bilinear ------------------------------------------

GILES = 'Giles 2008, "Collected matrix derivative results for forward and reverse mode AD"'


@adjoint(rt.matmul_grad_x1, structural=("x1",), source=GILES + ": <c, g x2^T> = <g, c x2>")
def matmul_grad_x1_adjoint(result, g, x1, x2):
    d[g] = rt.unbroadcast(np.matmul(d[result], x2), g)
    d[x2] = rt.matmul_grad_x2(g, d[result], x2)


@tangent(rt.matmul_grad_x1, source="bilinear in g and x2")
def matmul_grad_x1_tangent(result, g, x1, x2):
    d[result] += rt.matmul_grad_x1(d[g], x1, x2)
    d[result] += rt.matmul_grad_x1(g, x1, d[x2])


@adjoint(rt.matmul_grad_x2, structural=("x2",), source=GILES + ": <c, x1^T g> = <g, x1 c>")
def matmul_grad_x2_adjoint(result, g, x1, x2):
    d[g] = rt.unbroadcast(np.matmul(x1, d[result]), g)
    d[x1] = rt.matmul_grad_x1(g, x1, d[result])


@tangent(rt.matmul_grad_x2, source="bilinear in g and x1")
def matmul_grad_x2_tangent(result, g, x1, x2):
    d[result] += rt.matmul_grad_x2(d[g], x1, x2)
    d[result] += rt.matmul_grad_x2(g, d[x1], x2)


@adjoint(rt.dot_grad_a, structural=("a",), source=GILES + ": <c, dot_grad_a(g)> = <g, c . b>")
def dot_grad_a_adjoint(result, g, a, b):
    d[g] = rt.unbroadcast(np.dot(d[result], b), g)
    d[b] = rt.dot_grad_b(g, d[result], b)


@tangent(rt.dot_grad_a, source="bilinear in g and b")
def dot_grad_a_tangent(result, g, a, b):
    d[result] += rt.dot_grad_a(d[g], a, b)
    d[result] += rt.dot_grad_a(g, a, d[b])


@adjoint(rt.dot_grad_b, structural=("b",), source=GILES + ": <c, dot_grad_b(g)> = <g, a . c>")
def dot_grad_b_adjoint(result, g, a, b):
    d[g] = rt.unbroadcast(np.dot(a, d[result]), g)
    d[a] = rt.dot_grad_a(g, a, d[result])


@tangent(rt.dot_grad_b, source="bilinear in g and a")
def dot_grad_b_tangent(result, g, a, b):
    d[result] += rt.dot_grad_b(d[g], a, b)
    d[result] += rt.dot_grad_b(g, d[a], b)


@adjoint(rt.tensordot_grad_a, structural=("a", "axes"), source="numpy.tensordot, bilinear")
def tensordot_grad_a_adjoint(result, g, a, b, axes=2):
    d[g] = rt.unbroadcast(np.tensordot(d[result], b, axes), g)
    d[b] = rt.tensordot_grad_b(g, d[result], b, axes)


@tangent(rt.tensordot_grad_a, source="bilinear in g and b")
def tensordot_grad_a_tangent(result, g, a, b, axes=2):
    d[result] += rt.tensordot_grad_a(d[g], a, b, axes)
    d[result] += rt.tensordot_grad_a(g, a, d[b], axes)


@adjoint(rt.tensordot_grad_b, structural=("b", "axes"), source="numpy.tensordot, bilinear")
def tensordot_grad_b_adjoint(result, g, a, b, axes=2):
    d[g] = rt.unbroadcast(np.tensordot(a, d[result], axes), g)
    d[a] = rt.tensordot_grad_a(g, a, d[result], axes)


@tangent(rt.tensordot_grad_b, source="bilinear in g and a")
def tensordot_grad_b_tangent(result, g, a, b, axes=2):
    d[result] += rt.tensordot_grad_b(d[g], a, b, axes)
    d[result] += rt.tensordot_grad_b(g, d[a], b, axes)


VAR = "d var = 2 (a - mean) . da / (N - ddof): bilinear in the cotangent and a"


@adjoint(rt.var_adjoint, structural=("axis", "ddof", "keepdims"), source=VAR)
def var_adjoint_adjoint(result, g, a, axis=None, ddof=0, keepdims=False):
    d[g] = rt.unbroadcast(rt.var_tangent(d[result], a, axis, ddof, keepdims), g)
    d[a] = rt.var_second(rt.expanded(g, a, axis, keepdims) * d[result], a, axis, ddof)


@tangent(rt.var_adjoint, source=VAR)
def var_adjoint_tangent(result, g, a, axis=None, ddof=0, keepdims=False):
    d[result] += rt.var_adjoint(d[g], a, axis, ddof, keepdims)
    d[result] += rt.var_second(rt.expanded(g, a, axis, keepdims) * d[a], a, axis, ddof)


@adjoint(rt.var_tangent, structural=("axis", "ddof", "keepdims"), source=VAR)
def var_tangent_adjoint(result, t, a, axis=None, ddof=0, keepdims=False):
    d[t] = rt.unbroadcast(rt.var_adjoint(d[result], a, axis, ddof, keepdims), t)
    d[a] = rt.var_second(t * rt.expanded(d[result], a, axis, keepdims), a, axis, ddof)


@tangent(rt.var_tangent, source=VAR)
def var_tangent_tangent(result, t, a, axis=None, ddof=0, keepdims=False):
    d[result] += rt.var_tangent(d[t], a, axis, ddof, keepdims)
    d[result] += rt.var_tangent(t, d[a], axis, ddof, keepdims)


# -- the transposes above, so that this composes to any order ----------------------------------


@linear(rt.add_part, structural=("part",), source=LINEAR)
def add_part(result, ct, part):
    d[ct] = rt.rebroadcast(d[result], ct)


@linear(rt.rebroadcast, structural=("g",), source="a broadcast: its transpose sums")
def rebroadcast(result, ct, g):
    d[ct] = rt.add_part(d[result], ct)


@linear(rt.reduce_onto, structural=("g", "axis", "keepdims"), source="a sum: its transpose spreads")
def reduce_onto(result, ct, g, axis=None, keepdims=False):
    d[ct] = rt.unreduce(d[result], ct, axis, keepdims)


@linear(rt.gathered, structural=("key", "g"), source="a gather: its transpose scatter-adds")
def gathered(result, ct, key, g):
    d[ct] = rt.scatter(None, ct, key, d[result])


@linear(rt.var_second, structural=("a", "axis", "ddof"), source="a centering: symmetric")
def var_second(result, e, a, axis=None, ddof=0):
    d[e] = rt.unbroadcast(rt.var_second(d[result], a, axis, ddof), e)


@linear(rt.expanded, structural=("a", "axis", "keepdims"), source="a reshape")
def expanded(result, g, a, axis=None, keepdims=False):
    d[g] = rt.unbroadcast(np.reshape(d[result], rt.shape_of(g)), g)


@linear(rt.unwritten, structural=("g", "key"), source="a write into zeros: its transpose gathers")
def unwritten(result, ct, g, key):
    d[ct] = rt.unbroadcast(rt.written_part(d[result], key), ct)


@linear(rt.cumsum_back, structural=("g", "axis"), source="a cumsum: its transpose reverses")
def cumsum_back(result, ct, g, axis=None):
    d[ct] = rt.cumsum_adjoint(d[result], ct, axis)


@elementwise(rt.positive_log, source="d log x = 1 / x where x > 0 (0 elsewhere, as the helper)")
def positive_log(result, x):
    return rt.power_dexponent_dbase(1.0, x)


@elementwise(rt.power_dexponent_dbase, source="result / x where x > 0: 1 / x, -result / x^2")
def power_dexponent_dbase(out, result, x):
    return rt.power_dexponent_dbase(1.0, x), -rt.power_dexponent_dbase(out, x)
