"""Quantiles and percentiles, plain and NaN-skipping, the NaN-skipping median and partition.

Each is, per lane and for every ``method=``, ``(1 - gamma) s[j] + gamma s[j + 1]`` of the
lane's order statistics ``s`` (s2s/runtime/quantiles.py): the derivative in ``a`` flows to
those one or two entries (ties: the stable order, DESIGN 8). ``q`` is not differentiated:
the derivative in ``q`` exists only for the continuous methods and between order statistics,
so a ``q`` that carries a gradient raises a located ``UnsupportedArgumentError``. ``out=``,
``overwrite_input=`` (it would mutate ``a``) and ``weights=`` are not supported.
``partition`` permutes each lane: its derivative is that permutation.
"""

import numpy as np

import s2s.runtime as rt
from s2s.registry import adjoint, d, linear, tangent

NO_Q = {"q": "the quantile level is not differentiated (a step for the discontinuous methods)"}
SOURCE = "numpy.quantile: (1 - gamma) s[j] + gamma s[j+1] of the sorted lane (Hyndman-Fan 1996)"


@adjoint(np.quantile, structural=("axis", "method", "keepdims"), source=SOURCE, no_derivative=NO_Q)
def quantile(result, a, q, axis=None, *, method="linear", keepdims=False):
    d[a] = rt.quantile_adjoint(d[result], a, q, axis, method, keepdims)


@tangent(np.quantile, source=SOURCE)
def quantile_tangent(result, a, q, axis=None, *, method="linear", keepdims=False):
    d[result] += rt.quantile_tangent(d[a], a, q, axis, method, keepdims)


@adjoint(
    np.percentile,
    structural=("axis", "method", "keepdims"),
    source="numpy.percentile = numpy.quantile(a, q / 100)",
    no_derivative=NO_Q,
)
def percentile(result, a, q, axis=None, *, method="linear", keepdims=False):
    d[a] = rt.quantile_adjoint(d[result], a, np.true_divide(q, 100), axis, method, keepdims)


@tangent(np.percentile, source="numpy.percentile = numpy.quantile(a, q / 100)")
def percentile_tangent(result, a, q, axis=None, *, method="linear", keepdims=False):
    d[result] += rt.quantile_tangent(d[a], a, np.true_divide(q, 100), axis, method, keepdims)


@adjoint(
    np.nanquantile,
    structural=("axis", "method", "keepdims"),
    source="numpy.nanquantile: numpy.quantile over the entries not NaN",
    no_derivative=NO_Q,
)
def nanquantile(result, a, q, axis=None, *, method="linear", keepdims=False):
    d[a] = rt.quantile_adjoint(d[result], a, q, axis, method, keepdims, True)


@tangent(np.nanquantile, source="numpy.nanquantile: numpy.quantile over the entries not NaN")
def nanquantile_tangent(result, a, q, axis=None, *, method="linear", keepdims=False):
    d[result] += rt.quantile_tangent(d[a], a, q, axis, method, keepdims, True)


@adjoint(
    np.nanpercentile,
    structural=("axis", "method", "keepdims"),
    source="numpy.nanpercentile = numpy.nanquantile(a, q / 100)",
    no_derivative=NO_Q,
)
def nanpercentile(result, a, q, axis=None, *, method="linear", keepdims=False):
    d[a] = rt.quantile_adjoint(d[result], a, np.true_divide(q, 100), axis, method, keepdims, True)


@tangent(np.nanpercentile, source="numpy.nanpercentile = numpy.nanquantile(a, q / 100)")
def nanpercentile_tangent(result, a, q, axis=None, *, method="linear", keepdims=False):
    d[result] += rt.quantile_tangent(d[a], a, np.true_divide(q, 100), axis, method, keepdims, True)


@adjoint(
    np.nanmedian,
    structural=("axis", "keepdims"),
    source="numpy.nanmedian = numpy.nanquantile(a, 0.5); DESIGN 8 (ties)",
)
def nanmedian(result, a, axis=None, *, keepdims=False):
    d[a] = rt.quantile_adjoint(d[result], a, 0.5, axis, "linear", keepdims, True)


@tangent(np.nanmedian, source="numpy.nanmedian = numpy.nanquantile(a, 0.5)")
def nanmedian_tangent(result, a, axis=None, *, keepdims=False):
    d[result] += rt.quantile_tangent(d[a], a, 0.5, axis, "linear", keepdims, True)


# The helpers are linear in their first argument, each the other's transpose: second order.
HELPER = "linear in its first argument: the transpose of the helper's map"
HELD = ("a", "q", "axis", "method", "keepdims", "nan")


@linear(rt.quantile_adjoint, structural=HELD, source=HELPER)
def quantile_adjoint(result, g, a, q, axis=None, method="linear", keepdims=False, nan=False):
    d[g] = rt.quantile_tangent(d[result], a, q, axis, method, keepdims, nan)


@linear(rt.quantile_tangent, structural=HELD, source=HELPER)
def quantile_tangent_helper(result, t, a, q, axis=None, method="linear", keepdims=False, nan=False):
    d[t] = rt.unbroadcast(rt.quantile_adjoint(d[result], a, q, axis, method, keepdims, nan), t)


# np.partition permutes each lane: matching the stably sorted result with the stably sorted
# input gives the permutation (equal values are interchangeable, DESIGN 8).
PARTITION = "numpy.partition: a permutation of each lane, matched through both stable sorts"


@adjoint(np.partition, structural=("kth", "axis", "kind"), source=PARTITION)
def partition(result, a, kth, axis=-1, kind="introselect"):
    d[a] = rt.sort_adjoint(rt.sort_tangent(d[result], result, axis), a, axis)


@tangent(np.partition, source=PARTITION)
def partition_tangent(result, a, kth, axis=-1, kind="introselect"):
    d[result] += rt.sort_adjoint(rt.sort_tangent(d[a], a, axis), result, axis)
