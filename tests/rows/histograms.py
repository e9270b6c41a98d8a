"""Rows for ``templates/histograms.py``: histogram, histogram2d, histogramdd and bincount in
their weights (the samples are constants)."""

import numpy as np

import s2s.runtime as rt
from rows.spec import R, const, distinct, positive

A = np.array([0.1, 0.9, 1.7, 2.0, 2.4, 3.3, 3.9, 4.0, -1.0])  # edges hit, one outside
B = np.array([2.5, 0.2, 1.1, 1.9, 0.4, 2.8, 1.5, 0.7, 2.2])
IDX = np.array([0, 3, 1, 3, 3, 0])

EDGES = [0.0, 1.0, 2.5, 4.0]

ROWS = [
    R(rt.histogram_adjoint, lambda g, w: rt.histogram_adjoint(g, A, EDGES, None, True, w),
      positive(3), positive(9), tag="density"),  # fmt: skip
    R(rt.histogram_adjoint, lambda g, w: rt.histogram_adjoint(g, (A, B), 2, None, True, w, "2d"),
      positive(2, 2), positive(9), tag="2d density"),  # fmt: skip
    R(rt.histogram_adjoint, lambda g, w: rt.histogram_adjoint(g, A, 4, None, False, w) * w,
      positive(4), positive(9)),  # fmt: skip
    R(np.histogram, lambda w, a: np.histogram(a, 4, weights=w)[0], positive(9), const(A)),
    R(
        np.histogram,
        lambda w, a: np.histogram(a, [0.0, 1.0, 2.5, 4.0], weights=w, density=True)[0],
        positive(9),
        const(A),
        tag="density",
    ),
    R(
        np.histogram,
        lambda w, a: np.histogram(a, 3, range=(0.0, 3.0), weights=w)[0],
        positive(9),
        const(A),
        tag="range",
    ),
    R(
        np.histogram2d,
        lambda w, x, y: np.histogram2d(x, y, 3, weights=w)[0],
        positive(9),
        const(A),
        const(B),
    ),
    R(
        np.histogram2d,
        lambda w, x, y: np.histogram2d(x, y, (2, 3), weights=w, density=True)[0],
        positive(9),
        const(A),
        const(B),
        tag="density",
    ),
    R(
        np.histogramdd,
        lambda w, s: np.histogramdd(s, (3, 2), weights=w)[0],
        positive(9),
        const(np.stack([A, B], axis=1)),
    ),
    R(
        np.histogramdd,
        lambda w, x, y: np.histogramdd((x, y), 2, weights=w, density=True)[0],
        positive(9),
        const(A),
        const(B),
        tag="columns density",
    ),
    R(np.bincount, lambda w: np.bincount(IDX, w), positive(6)),
    R(np.bincount, lambda w: np.bincount(IDX, weights=w, minlength=6), positive(6), tag="min"),
]
ROWS += [
    R(np.histogram_bin_edges, lambda a: np.histogram_bin_edges(a, 4), distinct(7)),
    R(np.histogram_bin_edges, lambda a: np.histogram_bin_edges(a, "sturges"), distinct(9), tag="s"),
    R(
        np.histogram_bin_edges,
        lambda a: np.histogram_bin_edges(a, 3, range=(-1.0, 1.0)),
        distinct(5),
        tag="range",
    ),
]
RANGE2 = [(-1.0, 4.0), (0.0, 3.0)]
ROWS += [  # keyword forms
    R(
        np.histogram,
        lambda w, a: np.histogram(a, bins=4, weights=w)[0],
        positive(9),
        const(A),
        tag="kw",
    ),
    R(
        np.histogram2d,
        lambda w, x, y: np.histogram2d(x, y, bins=3, range=RANGE2, weights=w)[0],
        positive(9),
        const(A),
        const(B),
        tag="kw",
    ),
    R(
        np.histogramdd,
        lambda w, x, y: np.histogramdd((x, y), bins=(3, 2), range=RANGE2, weights=w)[0],
        positive(9),
        const(A),
        const(B),
        tag="kw",
    ),
    R(
        np.histogram_bin_edges,
        lambda a: np.histogram_bin_edges(a, bins=4, weights=np.ones(6)),
        distinct(6),
        tag="kw",
    ),
]
