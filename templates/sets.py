"""Unique values, set routines and ``trim_zeros``: selections of input values (real inputs).

Each output value of ``unique_values``, ``unique_counts``, ``unique_inverse``, ``unique_all``,
``union1d``, ``intersect1d``, ``setdiff1d`` and ``setxor1d`` is an input value: its cotangent
is split equally among the entries equal to it, in every argument (the minimum-norm choice,
as ``np.unique`` and tied maxima do, DESIGN 8), and its tangent is their tangents' mean. The
counts and indices are integers, piecewise constant: they get no cotangent. ``trim_zeros`` is
a slice whose bounds depend on where the nonzero entries are (piecewise constant): a gather.
"""

import numpy as np

import s2s.runtime as rt
from s2s.registry import Facts, adjoint, d, linear, nondifferentiable, tangent

SPLIT = "the set's values are input values: a value's cotangent split among its occurrences"
MEAN = "a value's tangent is the mean of its occurrences' tangents"
UNIQUE = ("assume_unique",)

nondifferentiable(rt.trim_key, reason="piecewise constant: where the nonzero entries are")


@linear(rt.occurrences_adjoint, structural=("arrays", "values"), source=MEAN)
def occurrences_adjoint(result, g, arrays, values):
    d[g] = rt.occurrences_tangent(d[result], arrays, values)


@linear(rt.occurrences_tangent, structural=("arrays", "values"), source=SPLIT)
def occurrences_tangent(result, tangents, arrays, values):
    d[tangents] = rt.occurrences_adjoint(d[result], arrays, values)


@adjoint(np.unique_values, source="numpy.unique_values; " + SPLIT)
def unique_values(result, x):
    d[x] = rt.occurrences_adjoint(d[result], (x,), result)[0]


@tangent(np.unique_values, source=MEAN)
def unique_values_tangent(result, x):
    d[result] += rt.occurrences_tangent((d[x],), (x,), result)


@adjoint(np.unique_counts, outputs=2, source="numpy.unique_counts; " + SPLIT)
def unique_counts(values, counts, x):
    d[x] = rt.occurrences_adjoint(d[values], (x,), values)[0]


@tangent(np.unique_counts, source=MEAN + "; counts are integers")
def unique_counts_tangent(values, counts, x):
    d[values] += rt.occurrences_tangent((d[x],), (x,), values)


@adjoint(np.unique_inverse, outputs=2, source="numpy.unique_inverse; " + SPLIT)
def unique_inverse(values, inverse_indices, x):
    d[x] = rt.occurrences_adjoint(d[values], (x,), values)[0]


@tangent(np.unique_inverse, source=MEAN + "; indices are integers")
def unique_inverse_tangent(values, inverse_indices, x):
    d[values] += rt.occurrences_tangent((d[x],), (x,), values)


@adjoint(np.unique_all, outputs=4, source="numpy.unique_all; " + SPLIT)
def unique_all(values, indices, inverse_indices, counts, x):
    d[x] = rt.occurrences_adjoint(d[values], (x,), values)[0]


@tangent(np.unique_all, source=MEAN + "; indices and counts are integers")
def unique_all_tangent(values, indices, inverse_indices, counts, x):
    d[values] += rt.occurrences_tangent((d[x],), (x,), values)


@adjoint(np.union1d, source="numpy.union1d; " + SPLIT)
def union1d(result, ar1, ar2):
    parts = rt.occurrences_adjoint(d[result], (ar1, ar2), result)
    d[ar1] = parts[0]
    d[ar2] = parts[1]


@tangent(np.union1d, source=MEAN)
def union1d_tangent(result, ar1, ar2):
    d[result] = rt.occurrences_tangent((d[ar1], d[ar2]), (ar1, ar2), result)


@adjoint(
    np.intersect1d,
    structural=UNIQUE + ("return_indices",),
    source="numpy.intersect1d; " + SPLIT + " (in both arguments)",
)
def intersect1d(result, ar1, ar2, assume_unique=False, return_indices=False):
    parts = rt.occurrences_adjoint(d[result], (ar1, ar2), result)
    d[ar1] = parts[0]
    d[ar2] = parts[1]


@tangent(np.intersect1d, source=MEAN)
def intersect1d_tangent(result, ar1, ar2, assume_unique=False, return_indices=False):
    d[result] = rt.occurrences_tangent((d[ar1], d[ar2]), (ar1, ar2), result)


@adjoint(np.setdiff1d, structural=UNIQUE, source="numpy.setdiff1d; " + SPLIT + " (ar1 only)")
def setdiff1d(result, ar1, ar2, assume_unique=False):
    parts = rt.occurrences_adjoint(d[result], (ar1, ar2), result)
    d[ar1] = parts[0]
    d[ar2] = parts[1]


@tangent(np.setdiff1d, source=MEAN)
def setdiff1d_tangent(result, ar1, ar2, assume_unique=False):
    d[result] = rt.occurrences_tangent((d[ar1], d[ar2]), (ar1, ar2), result)


@adjoint(np.setxor1d, structural=UNIQUE, source="numpy.setxor1d; " + SPLIT)
def setxor1d(result, ar1, ar2, assume_unique=False):
    parts = rt.occurrences_adjoint(d[result], (ar1, ar2), result)
    d[ar1] = parts[0]
    d[ar2] = parts[1]


@tangent(np.setxor1d, source=MEAN)
def setxor1d_tangent(result, ar1, ar2, assume_unique=False):
    d[result] = rt.occurrences_tangent((d[ar1], d[ar2]), (ar1, ar2), result)


@adjoint(
    np.trim_zeros,
    structural=("trim", "axis"),
    source="numpy.trim_zeros: a slice (bounds piecewise constant); transpose: scatter back",
    facts=Facts(view=True),
)
def trim_zeros(result, filt, trim="fb", axis=None):
    d[filt][rt.trim_key(filt, trim, axis)] = d[result]


@tangent(np.trim_zeros, source="the same slice of the tangent (the bounds do not move)")
def trim_zeros_tangent(result, filt, trim="fb", axis=None):
    d[result] += d[filt][rt.trim_key(filt, trim, axis)]
