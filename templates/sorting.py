"""Order statistics and scans: sort, median, unique values and cumprod.

Ties follow the stable permutation (DESIGN 8): ``sort`` and ``median`` route each cotangent
through a stable ``argsort``; ``unique`` splits a value's cotangent among its occurrences.
"""

import numpy as np

import s2s.runtime as rt
from s2s.registry import adjoint, d


@adjoint(np.sort, structural=("axis", "kind", "stable"), source="numpy.sort; stable permutation")
def sort(result, a, axis=-1, kind=None, *, stable=None):
    d[a] = rt.sort_adjoint(d[result], a, axis)


# `out` and `overwrite_input` are not supported (the latter would mutate `a`).
@adjoint(np.median, structural=("axis", "keepdims"), source="numpy.median; DESIGN 8 (ties)")
def median(result, a, axis=None, *, keepdims=False):
    d[a] = rt.median_adjoint(d[result], a, axis, keepdims)


# Values only: return_index, return_inverse and return_counts are not supported.
@adjoint(
    np.unique,
    structural=("axis", "equal_nan", "sorted"),
    source="numpy.unique; a value's cotangent split equally among its occurrences",
)
def unique(result, ar, *, axis=None, equal_nan=True, sorted=True):
    d[ar] = rt.unique_adjoint(d[result], ar, axis, equal_nan, sorted)


@adjoint(np.cumprod, structural=("axis", "dtype"), source="product rule; exact with zeros")
def cumprod(result, a, axis=None, dtype=None):
    d[a] = rt.cumprod_adjoint(d[result], a, axis)
