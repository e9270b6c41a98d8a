"""Helpers for the rules of the histograms in their ``weights`` (numpy arrays, real inputs).

A weighted histogram is ``n_k = sum of w_i over the samples i in bin k``: linear in ``w``.
With ``density=True`` it is ``n_k / (S vol_k)`` with ``S = sum n`` and ``vol_k`` the bin's
width (area, volume), so ``dh_k = dn_k / (S vol_k) - n_k sum(dn) / (S^2 vol_k)``. A sample's
bin follows numpy.histogramdd: ``searchsorted(edges, x, 'right') - 1``, the last bin closed
on the right, samples outside the edges dropped. The samples and edges are constants here.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _columns(sample: Any, kind: str) -> list[np.ndarray]:
    """The samples' coordinates, one flat array per dimension."""
    if kind == "1d":
        return [np.ravel(np.asarray(sample, dtype=np.float64))]
    if kind == "2d":
        return [np.ravel(np.asarray(c, dtype=np.float64)) for c in sample]
    if not isinstance(sample, np.ndarray):  # numpy.histogramdd: a sequence of coordinates
        return [np.ravel(np.asarray(c, dtype=np.float64)) for c in sample]
    s = sample.astype(np.float64)
    return [s[:, i] for i in range(s.shape[1])] if s.ndim == 2 else [s]


def _edges(sample: Any, kind: str, bins: Any, range: Any, weights: Any) -> list[np.ndarray]:
    if kind == "1d":
        return [np.histogram_bin_edges(sample, bins, range, weights)]
    if kind == "2d":
        return list(np.histogram2d(sample[0], sample[1], bins, range)[1:])
    return list(np.histogramdd(sample, bins, range)[1])


def _layout(sample, kind, bins, range, weights):
    """The flat bin of each sample (-1 outside), the histogram's shape and bin volumes."""
    columns = _columns(sample, kind)
    edges = _edges(sample, kind, bins, range, weights)
    shape = tuple(e.size - 1 for e in edges)
    flat = np.zeros(columns[0].shape, np.intp)
    inside = np.ones(columns[0].shape, bool)
    for x, e in zip(columns, edges, strict=True):
        i = np.searchsorted(e, x, side="right") - 1
        i = np.where(x == e[-1], e.size - 2, i)
        inside &= (x >= e[0]) & (x <= e[-1])
        flat = flat * (e.size - 1) + np.clip(i, 0, e.size - 2)
    vol = np.ones(shape)
    for k, e in enumerate(edges):
        vol = vol * np.reshape(np.diff(e), (-1,) + (1,) * (len(shape) - k - 1))
    return np.where(inside, flat, -1), shape, vol


def _counts(flat: np.ndarray, w: Any, shape: tuple[int, ...]) -> np.ndarray:
    keep = flat >= 0
    w = np.ravel(np.broadcast_to(w, flat.shape))
    return np.bincount(flat[keep], w[keep], int(np.prod(shape))).reshape(shape)


def histogram_adjoint(
    g: Any, sample: Any, bins: Any = 10, range: Any = None, density: Any = None,
    weights: Any = None, kind: str = "1d",
) -> np.ndarray:  # fmt: skip
    """The cotangent of ``weights`` of ``np.histogram(sample, ...)`` (``kind="1d"``),
    ``np.histogram2d(x, y, ...)`` (``"2d"``, ``sample = (x, y)``) or ``np.histogramdd``
    (``"dd"``) from the histogram's cotangent ``g``: each weight reads its bin's (0 outside).
    ``weights``' shape and dtype. Source: numpy.histogramdd (binning); quotient rule.
    """
    flat, shape, vol = _layout(sample, kind, bins, range, weights)
    gg = np.zeros(shape) if g is None else np.asarray(g, dtype=np.float64)
    if density:
        n = _counts(flat, weights, shape)
        total = np.sum(n)
        gg = gg / (vol * total) - np.sum(gg * n / vol) / total**2
    w = np.asarray(weights)
    out = np.where(flat >= 0, np.ravel(gg)[np.maximum(flat, 0)], 0.0)
    dtype = w.dtype if w.dtype.kind == "f" else np.dtype(np.float64)
    return np.reshape(out, w.shape).astype(dtype, copy=False)


def histogram_tangent(
    t: Any, sample: Any, bins: Any = 10, range: Any = None, density: Any = None,
    weights: Any = None, kind: str = "1d",
) -> np.ndarray:  # fmt: skip
    """The tangent of the histogram along the weights' tangent ``t``: the histogram of ``t``
    (then the quotient rule for ``density``); float64, the histogram's shape.
    Source: numpy.histogramdd (binning); quotient rule.
    """
    flat, shape, vol = _layout(sample, kind, bins, range, weights)
    dn = _counts(flat, t, shape)
    if not density:
        return dn
    n = _counts(flat, weights, shape)
    total = np.sum(n)
    return dn / (vol * total) - n * np.sum(dn) / (vol * total**2)
