"""Reductions called with ``where=`` or ``initial=``: sum, prod, mean, max, min, var and std.

Such a call is differentiated by the rule of the runtime function that computes the same
(``s2s.runtime.masked_reductions``; ``frontend/spellings.py`` picks it by the keywords). Entries
outside ``where`` get exactly zero. ``initial`` is a constant (a value there that carries a
gradient is refused). Max and min: at a tie between ``initial`` and ``k`` entries, ``initial`` is
one more candidate, so each entry gets ``1/(k + 1)`` of the cotangent (DESIGN 8's ``1/k``).
"""

import numpy as np

import s2s.runtime as rt
from s2s.registry import REDUCTION, Facts, adjoint, d, linear, tangent

REDUCES = Facts(shape=REDUCTION)
CONSTANT = {"initial": "initial is a constant of the reduction: pass a number"}
WHERE = ("axis", "dtype", "keepdims", "where")


@adjoint(
    rt.sum_where,
    structural=WHERE,
    no_derivative=CONSTANT,
    source="numpy.sum with where: the transpose of a masked sum is a masked broadcast",
    facts=REDUCES,
)
def sum_where(result, a, axis=None, dtype=None, *, keepdims=False, initial=None, where=True):
    d[a] = rt.masked_sum_adjoint(d[result], a, axis, keepdims, where)


@tangent(rt.sum_where, source="linear: the masked sum of the tangent")
def sum_where_tangent(result, a, axis=None, dtype=None, *, keepdims=False, initial=None,
                      where=True):  # fmt: skip
    d[result] += np.sum(d[a], axis, keepdims=keepdims, where=where)


@adjoint(
    rt.mean_where,
    structural=WHERE,
    source="numpy.mean with where: sum / n over the entries in where, transposed",
    facts=REDUCES,
)
def mean_where(result, a, axis=None, dtype=None, *, keepdims=False, where=True):
    d[a] = rt.masked_mean_adjoint(d[result], a, axis, keepdims, where)


@tangent(rt.mean_where, source="linear: the masked mean of the tangent")
def mean_where_tangent(result, a, axis=None, dtype=None, *, keepdims=False, where=True):
    d[result] += np.mean(d[a], axis, keepdims=keepdims, where=where)


@adjoint(
    rt.prod_where,
    structural=WHERE,
    no_derivative=CONSTANT,
    source="product rule over the entries in where, exact with zeros (DESIGN 8)",
    facts=REDUCES,
)
def prod_where(result, a, axis=None, dtype=None, *, keepdims=False, initial=None, where=True):
    d[a] = rt.masked_prod_adjoint(d[result], a, axis, keepdims, initial, where)


@tangent(rt.prod_where, source="product rule: sum_i da_i prod_{j != i} a_j over where")
def prod_where_tangent(result, a, axis=None, dtype=None, *, keepdims=False, initial=None,
                       where=True):  # fmt: skip
    slope = rt.masked_prod_adjoint(np.ones_like(result), a, axis, keepdims, initial, where)
    d[result] += rt.slope_tangent(d[a], slope, axis, keepdims)


@adjoint(
    rt.max_where,
    structural=("axis", "keepdims", "where"),
    no_derivative=CONSTANT,
    source="DESIGN 8: ties split 1/k over where, initial one more candidate",
    facts=REDUCES,
)
@adjoint(
    rt.min_where,
    structural=("axis", "keepdims", "where"),
    no_derivative=CONSTANT,
    source="DESIGN 8: ties split 1/k over where, initial one more candidate",
    facts=REDUCES,
)
def extremum_where(result, a, axis=None, *, keepdims=False, initial=None, where=True):
    d[a] = rt.masked_extremum_adjoint(d[result], a, result, axis, keepdims, initial, where)


@tangent(rt.max_where, source="DESIGN 8: the mean tangent of the tied entries (and initial's 0)")
@tangent(rt.min_where, source="DESIGN 8: the mean tangent of the tied entries (and initial's 0)")
def extremum_where_tangent(result, a, axis=None, *, keepdims=False, initial=None, where=True):
    ones = np.ones_like(result)
    slope = rt.masked_extremum_adjoint(ones, a, result, axis, keepdims, initial, where)
    d[result] += rt.slope_tangent(d[a], slope, axis, keepdims)


@adjoint(
    rt.var_where,
    structural=WHERE + ("ddof",),
    source="d var = 2 (a - mean) da / (n - ddof) over the entries in where",
    facts=REDUCES,
)
def var_where(result, a, axis=None, dtype=None, *, ddof=0, keepdims=False, where=True):
    d[a] = rt.masked_var_adjoint(d[result], a, axis, ddof, keepdims, where)


@tangent(rt.var_where, source="d var = 2 sum((a - mean) da) / (n - ddof) over where")
def var_where_tangent(result, a, axis=None, dtype=None, *, ddof=0, keepdims=False, where=True):
    slope = rt.masked_var_adjoint(np.ones_like(result), a, axis, ddof, keepdims, where)
    d[result] += rt.slope_tangent(d[a], slope, axis, keepdims)


MASKED_VAR = ("masked_var_adjoint = 2 g (a - mean) / (n - ddof) inside where: bilinear in g and "
              "a, its centring symmetric")  # fmt: skip


@adjoint(rt.masked_var_adjoint, structural=("axis", "ddof", "keepdims", "where"), source=MASKED_VAR)
def masked_var_adjoint(result, g, a, axis, ddof, keepdims, where):
    slope = rt.masked_var_adjoint(np.ones_like(g), a, axis, ddof, keepdims, where)
    d[g] = rt.unbroadcast(rt.slope_tangent(d[result], slope, axis, keepdims), g)
    d[a] = rt.masked_var_adjoint(g, d[result], axis, ddof, keepdims, where)


@tangent(rt.masked_var_adjoint, source=MASKED_VAR)
def masked_var_adjoint_tangent(result, g, a, axis, ddof, keepdims, where):
    d[result] += rt.masked_var_adjoint(d[g], a, axis, ddof, keepdims, where)
    d[result] += rt.masked_var_adjoint(g, d[a], axis, ddof, keepdims, where)


@adjoint(
    rt.std_where,
    structural=WHERE + ("ddof",),
    source="d std = d var / (2 std) over where; 0 over one entry (std is constant there)",
    facts=REDUCES,
)
def std_where(result, a, axis=None, dtype=None, *, ddof=0, keepdims=False, where=True):
    d[a] = rt.masked_std_adjoint(d[result], a, result, axis, ddof, keepdims, where)


@tangent(rt.std_where, source="d std = d var / (2 std) over where")
def std_where_tangent(result, a, axis=None, dtype=None, *, ddof=0, keepdims=False, where=True):
    slope = rt.masked_std_adjoint(np.ones_like(result), a, result, axis, ddof, keepdims, where)
    d[result] += rt.slope_tangent(d[a], slope, axis, keepdims)


# -- the adjoint helpers of sum and mean, linear in g: what second order differentiates ----------


@linear(
    rt.masked_sum_adjoint,
    structural=("a", "axis", "keepdims", "where"),
    source="transpose: a masked broadcast's transpose is a masked sum",
)
def masked_sum_adjoint(result, g, a, axis, keepdims, where):
    ones = np.ones_like(g)
    d[g] = rt.reduce_onto(d[result] * rt.masked_sum_adjoint(ones, a, axis, keepdims, where), g,
                          axis, keepdims)  # fmt: skip


@linear(
    rt.masked_mean_adjoint,
    structural=("a", "axis", "keepdims", "where"),
    source="transpose: g / n on the entries in where, summed back",
)
def masked_mean_adjoint(result, g, a, axis, keepdims, where):
    ones = np.ones_like(g)
    d[g] = rt.reduce_onto(d[result] * rt.masked_mean_adjoint(ones, a, axis, keepdims, where), g,
                          axis, keepdims)  # fmt: skip
