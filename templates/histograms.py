"""Histograms and bin counts, differentiable in their ``weights`` (real inputs).

The counts are piecewise constant in the samples, and the bin edges move with ``min`` and
``max`` of the samples when ``range`` is not given: a sample argument that carries a
gradient raises a located ``UnsupportedArgumentError`` (pass the samples as constants).
In the weights a histogram is linear (``density=True``: a quotient of linear maps); see
s2s/runtime/histograms.py. ``bincount``'s ``x`` holds integers, which have no gradient.
"""

import numpy as np

import s2s.runtime as rt
from s2s.registry import adjoint, d, linear, tangent

SAMPLES = "the counts are piecewise constant in the samples (and the edges move with them)"
HIST = ("bins", "range", "density")
SOURCE = "numpy.histogramdd: n_k = sum of the weights in bin k; density: n_k / (S vol_k)"


@adjoint(np.histogram, outputs=2, structural=HIST, source=SOURCE, no_derivative={"a": SAMPLES})
def histogram(hist, bin_edges, a, bins=10, range=None, density=None, weights=None):
    d[weights] = rt.histogram_adjoint(d[hist], a, bins, range, density, weights, "1d")


@tangent(np.histogram, outputs=2, source=SOURCE)
def histogram_tangent(hist, bin_edges, a, bins=10, range=None, density=None, weights=None):
    d[hist] += rt.histogram_tangent(d[weights], a, bins, range, density, weights, "1d")


SECOND = SOURCE + "; its adjoint is linear in g and (density) a quotient in the weights"


@adjoint(rt.histogram_adjoint, structural=HIST + ("kind",), source=SECOND,
         no_derivative={"sample": SAMPLES})  # fmt: skip
def histogram_adjoint(result, g, sample, bins=10, range=None, density=None, weights=None,
                      kind="1d"):  # fmt: skip
    d[g] = rt.histogram_tangent(d[result], sample, bins, range, density, weights, kind)
    d[weights] = rt.histogram_second(g, d[result], sample, bins, range, density, weights, kind)


@tangent(rt.histogram_adjoint, source=SECOND)
def histogram_adjoint_tangent(result, g, sample, bins=10, range=None, density=None,
                              weights=None, kind="1d"):  # fmt: skip
    d[result] += rt.histogram_adjoint(d[g], sample, bins, range, density, weights, kind)
    d[result] += rt.histogram_second(g, d[weights], sample, bins, range, density, weights, kind)


@adjoint(
    np.histogram2d,
    outputs=3,
    structural=HIST,
    source=SOURCE,
    no_derivative={"x": SAMPLES, "y": SAMPLES},
)
def histogram2d(hist, xedges, yedges, x, y, bins=10, range=None, density=None, weights=None):
    d[weights] = rt.histogram_adjoint(d[hist], (x, y), bins, range, density, weights, "2d")


@tangent(np.histogram2d, outputs=3, source=SOURCE)
def histogram2d_tangent(
    hist, xedges, yedges, x, y, bins=10, range=None, density=None, weights=None
):
    d[hist] += rt.histogram_tangent(d[weights], (x, y), bins, range, density, weights, "2d")


@adjoint(
    np.histogramdd,
    outputs=2,
    structural=HIST,
    source=SOURCE,
    no_derivative={"sample": SAMPLES},
)
def histogramdd(hist, edges, sample, bins=10, range=None, density=None, weights=None):
    d[weights] = rt.histogram_adjoint(d[hist], sample, bins, range, density, weights, "dd")


@tangent(np.histogramdd, outputs=2, source=SOURCE)
def histogramdd_tangent(hist, edges, sample, bins=10, range=None, density=None, weights=None):
    d[hist] += rt.histogram_tangent(d[weights], sample, bins, range, density, weights, "dd")


@linear(
    np.bincount,
    structural=("x", "minlength"),
    carries_masks=False,
    source="numpy.bincount: out[k] = sum of weights[i] with x[i] == k; transpose: a gather",
)
def bincount(result, x, /, weights=None, minlength=0):
    d[weights] = rt.unbroadcast(np.take(d[result], x), weights)


EDGES = "numpy.histogram_bin_edges: equal bins over [min(a), max(a)] unless bins or range fix them"


@adjoint(
    np.histogram_bin_edges,
    structural=("bins", "range"),
    source=EDGES,
    no_derivative={"weights": "the weights choose no edge of equal bins (estimators ignore them)"},
)
def histogram_bin_edges(result, a, bins=10, range=None, weights=None):
    d[a] = rt.bin_edges_adjoint(d[result], a, bins, range)


@tangent(np.histogram_bin_edges, source=EDGES)
def histogram_bin_edges_tangent(result, a, bins=10, range=None, weights=None):
    d[result] += rt.bin_edges_tangent(d[a], a, bins, range)


# The edges' helpers are linear in their first argument, each the other's transpose.
@linear(rt.bin_edges_adjoint, structural=("a", "bins", "range"), source="transpose: the tangent")
def bin_edges_adjoint(result, g, a, bins=10, range=None):
    d[g] = rt.bin_edges_tangent(d[result], a, bins, range)


@linear(rt.bin_edges_tangent, structural=("a", "bins", "range"), source="transpose: the adjoint")
def bin_edges_tangent(result, t, a, bins=10, range=None):
    d[t] = rt.bin_edges_adjoint(d[result], a, bins, range)
