"""Order statistics and scans: sort, median, unique values and cumprod.

Ties follow the stable permutation (DESIGN 8): ``sort`` and ``median`` route each cotangent
through a stable ``argsort``; ``unique`` splits a value's cotangent among its occurrences.
"""

import numpy as np

import s2s.runtime as rt
from s2s.registry import adjoint, d, tangent


@adjoint(np.sort, structural=("axis", "kind", "stable"), source="numpy.sort; stable permutation")
def sort(result, a, axis=-1, kind=None, *, stable=None):
    d[a] = rt.sort_adjoint(d[result], a, axis)


@tangent(np.sort, source="numpy.sort; the tangent follows the stable permutation")
def sort_tangent(result, a, axis=-1, kind=None, *, stable=None):
    d[result] += rt.sort_tangent(d[a], a, axis)


# `out` and `overwrite_input` are not supported (the latter would mutate `a`).
@adjoint(np.median, structural=("axis", "keepdims"), source="numpy.median; DESIGN 8 (ties)")
def median(result, a, axis=None, *, keepdims=False):
    d[a] = rt.median_adjoint(d[result], a, axis, keepdims)


@tangent(np.median, source="numpy.median; DESIGN 8 (the middle of the stable order)")
def median_tangent(result, a, axis=None, *, keepdims=False):
    d[result] += rt.median_tangent(d[a], a, axis, keepdims)


# Values only: return_index, return_inverse and return_counts are not supported.
@adjoint(
    np.unique,
    structural=("axis", "equal_nan", "sorted"),
    source="numpy.unique; a value's cotangent split equally among its occurrences",
)
def unique(result, ar, *, axis=None, equal_nan=True, sorted=True):
    d[ar] = rt.unique_adjoint(d[result], ar, axis, equal_nan, sorted)


@tangent(np.unique, source="numpy.unique; a value's tangent is its occurrences' mean")
def unique_tangent(result, ar, *, axis=None, equal_nan=True, sorted=True):
    d[result] += rt.unique_tangent(d[ar], ar, axis, equal_nan, sorted)


@adjoint(np.cumprod, structural=("axis", "dtype"), source="product rule; exact with zeros")
def cumprod(result, a, axis=None, dtype=None):
    d[a] = rt.cumprod_adjoint(d[result], a, axis)


@tangent(np.cumprod, source="product rule: dy_i = dy_{i-1} a_i + y_{i-1} da_i, exact with zeros")
def cumprod_tangent(result, a, axis=None, dtype=None):
    d[result] += rt.cumprod_tangent(d[a], a, axis)


CUMPROD_SECOND = "product rule: cumprod's adjoint P_j S_j is linear in g and multilinear in a"


@adjoint(rt.cumprod_adjoint, structural=("axis",), source=CUMPROD_SECOND)
def cumprod_adjoint(result, g, a, axis=None):
    d[g] = rt.unbroadcast(rt.cumprod_tangent(d[result], a, axis), g)
    d[a] = rt.cumprod_second(g, a, d[result], axis)


@tangent(rt.cumprod_adjoint, source=CUMPROD_SECOND)
def cumprod_adjoint_tangent(result, g, a, axis=None):
    d[result] += rt.cumprod_adjoint(d[g], a, axis)
    d[result] += rt.cumprod_second(g, a, d[a], axis)
