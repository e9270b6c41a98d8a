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


def histogram_second(
    g: Any, c: Any, sample: Any, bins: Any = 10, range: Any = None, density: Any = None,
    weights: Any = None, kind: str = "1d",
) -> np.ndarray:  # fmt: skip
    """The derivative of :func:`histogram_adjoint` in the weights applied to ``c`` (of the
    weights' shape): 0 without ``density`` (the adjoint does not read the weights); with it,
    ``-g_b s / (vol_b S^2) - q / S^2 + 2 Q s / S^3`` at each sample inside the edges, where
    ``s = sum(c)`` and ``q = sum(c g_b / vol_b)`` over those samples, ``Q = sum(g n / vol)``
    and ``b`` the sample's bin. The Hessian of ``<g, h(w)>`` is symmetric, so this is both
    the transpose (``c`` a cotangent) and the tangent (``c`` a tangent) in the weights.
    Source: the quotient rule, twice, on ``h = n / (S vol)``.
    """
    w = np.asarray(weights)
    dtype = w.dtype if w.dtype.kind == "f" else np.dtype(np.float64)
    if not density or c is None:
        return np.zeros(w.shape, dtype)
    flat, shape, vol = _layout(sample, kind, bins, range, weights)
    n = _counts(flat, weights, shape)
    total = np.sum(n)
    gg = np.zeros(shape) if g is None else np.reshape(np.asarray(g, np.float64), shape)
    inside = flat >= 0
    per = np.where(inside, np.ravel(gg / vol)[np.maximum(flat, 0)], 0.0)  # g_b / vol_b
    cc = np.where(inside, np.ravel(np.broadcast_to(np.asarray(c, np.float64), w.shape)), 0.0)
    s_c, q_c = np.sum(cc), np.sum(per * cc)
    big_q = np.sum(gg * n / vol)
    out = -per * s_c / total**2 - q_c / total**2 + 2.0 * big_q * s_c / total**3
    return np.reshape(np.where(inside, out, 0.0), w.shape).astype(dtype, copy=False)


def _edge_weights(a: Any, bins: Any, range: Any):
    """``(lo, hi, k/B)`` of ``np.histogram_bin_edges``: edge ``k`` is
    ``min(a) (1 - k/B) + max(a) k/B`` when the edges come from the data's range (``bins`` a
    count or an estimator's name, no ``range``; the count is piecewise constant in ``a``),
    else ``None`` (the edges are constants: given, or from ``range``). ``lo``/``hi`` mark the
    entries equal to the minimum/maximum, each with its share of a tie."""
    a = np.ravel(np.asarray(a))
    if np.ndim(bins) == 1 or range is not None or a.size == 0:
        return None
    edges = np.histogram_bin_edges(a, bins)
    lo, hi = a == np.min(a), a == np.max(a)
    frac = np.arange(edges.size) / (edges.size - 1)
    return lo / np.sum(lo), hi / np.sum(hi), frac


def bin_edges_adjoint(g: Any, a: Any, bins: Any = 10, range: Any = None) -> np.ndarray:
    """The cotangent of ``a`` of ``np.histogram_bin_edges(a, bins, range)`` from the edges'
    ``g``: ``sum_k g_k (1 - k/B)`` to the minimum, ``sum_k g_k k/B`` to the maximum (ties
    share equally); zeros when the edges are constants. ``a``'s shape and float dtype.
    Source: numpy.histogram_bin_edges (equal bins over [min, max]; +-0.5 when equal)."""
    a_ = np.asarray(a)
    dtype = a_.dtype if a_.dtype.kind == "f" else np.dtype(np.float64)
    parts = _edge_weights(a, bins, range)
    if parts is None or g is None:
        return np.zeros(a_.shape, dtype)
    lo, hi, frac = parts
    g = np.asarray(g, dtype=np.float64)
    out = lo * np.sum(g * (1 - frac)) + hi * np.sum(g * frac)
    return np.reshape(out, a_.shape).astype(dtype, copy=False)


def bin_edges_tangent(t: Any, a: Any, bins: Any = 10, range: Any = None) -> np.ndarray:
    """The tangent of ``np.histogram_bin_edges(a, bins, range)`` along ``t``: the tangents
    of the minimum and maximum interpolated as the edges are; zeros for constant edges.
    Source: numpy.histogram_bin_edges."""
    parts = _edge_weights(a, bins, range)
    if parts is None:
        return np.zeros(np.shape(np.histogram_bin_edges(a, bins, range)))
    lo, hi, frac = parts
    t = np.ravel(np.broadcast_to(t, np.shape(a)))
    return np.sum(lo * t) * (1 - frac) + np.sum(hi * t) * frac
