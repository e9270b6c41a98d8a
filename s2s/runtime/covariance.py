"""Helpers for the rules of ``np.cov`` and ``np.corrcoef`` (numpy arrays, real inputs).

numpy stacks the variables of ``m`` (and ``y``) as the rows of ``X`` (``v`` variables by
``n`` observations), centres each row on its weighted mean and returns
``C = Xc W Xc^T / f`` with ``W = diag(fweights * aweights)`` and ``f`` the normalization
(numpy.cov docs). Since ``Xc W 1 = 0``, the centring drops out of the derivative:
``dC = dX B^T + B dX^T`` with ``B = Xc W / f``, and ``dX = (G + G^T) B`` in reverse.
The weights and ``ddof`` are constants.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from s2s.runtime.core import acc_dtype
from s2s.runtime.sources import differentiated_as


def _rows(a: Any, rowvar: bool) -> np.ndarray:
    """``a`` as numpy.cov reads it: at least 2-d, variables as rows."""
    x = np.array(a, ndmin=2)
    return x.T if not rowvar and np.ndim(a) != 1 and x.shape[0] != 1 else x


def _unrows(dx: np.ndarray, a: Any, rowvar: bool) -> np.ndarray:
    """The transpose of :func:`_rows`: rows of ``dx`` back to ``a``'s shape and dtype."""
    transposed = not rowvar and np.ndim(a) != 1 and np.array(a, ndmin=2).shape[0] != 1
    dtype = acc_dtype(np.asarray(a).dtype)
    return np.reshape(dx.T if transposed else dx, np.shape(a)).astype(dtype, copy=False)


def _weighted(m, y, rowvar, bias, ddof, fweights, aweights):
    """``X`` (stacked rows), ``B = Xc W / f`` and the number of rows of ``m``."""
    xm = _rows(m, rowvar)
    x = xm if y is None else np.concatenate([xm, _rows(y, rowvar)], axis=0)
    dtype = np.result_type(x.dtype, np.float64)  # numpy.cov computes in float64 at least
    x = x.astype(dtype)
    if ddof is None:
        ddof = 0 if bias else 1
    w = None
    if fweights is not None:
        w = np.asarray(fweights, dtype=np.float64)
    if aweights is not None:
        aw = np.asarray(aweights, dtype=np.float64)
        w = aw if w is None else w * aw
    avg = np.average(x, axis=1, weights=w)
    if w is None:
        fact = x.shape[1] - ddof
    elif ddof == 0:
        fact = np.sum(w)
    elif aweights is None:
        fact = np.sum(w) - ddof
    else:
        fact = np.sum(w) - ddof * np.sum(w * aw) / np.sum(w)
    fact = max(float(fact), 0.0)
    centred = x - avg[:, None]
    b = (centred if w is None else centred * w.astype(dtype)) / dtype.type(fact)
    return x, b, xm.shape[0]


def cov_adjoint(g, m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None):
    """The cotangents of ``m`` and ``y`` (``None`` when ``y`` is) of ``np.cov(m, y, ...)``
    from its cotangent ``g`` (``v`` by ``v``, or 0-d for one variable): ``(G + G^T) B``
    split by rows and laid out as ``m`` and ``y``. Source: numpy.cov; product rule.
    """
    x, b, rows = _weighted(m, y, rowvar, bias, ddof, fweights, aweights)
    v = x.shape[0]
    gg = np.reshape(np.asarray(g, dtype=b.dtype), (v, v))
    dx = (gg + gg.T) @ b
    dm = _unrows(dx[:rows], m, rowvar)
    return dm, (None if y is None else _unrows(dx[rows:], y, rowvar))


def cov_tangent(
    tm, ty, m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None
):
    """The tangent of ``np.cov(m, y, ...)`` along ``tm`` and ``ty`` (either may be ``None``,
    no tangent): ``T + T^T`` with ``T = dX B^T``, squeezed as numpy squeezes the result.
    Source: numpy.cov; product rule.
    """
    x, b, rows = _weighted(m, y, rowvar, bias, ddof, fweights, aweights)
    dx = np.zeros(x.shape, b.dtype)
    if tm is not None:
        dx[:rows] = _rows(np.broadcast_to(tm, np.shape(m)), rowvar)
    if ty is not None:
        dx[rows:] = _rows(np.broadcast_to(ty, np.shape(y)), rowvar)
    t = dx @ b.T
    return (t + t.T).squeeze()


def cov_second(g, parts, m, y=None, rowvar=True, bias=False, ddof=None, fweights=None,
               aweights=None):  # fmt: skip
    """The derivative of :func:`cov_adjoint` in ``m`` and ``y`` applied to ``parts`` (the
    pair of their cotangents or tangents, ``None`` for none): :func:`cov_adjoint` is linear
    in ``X`` (``B = Xc W / f``), and the Hessian of ``<g, cov>`` is symmetric, so both the
    transpose and the tangent are ``cov_adjoint`` of ``g`` at ``parts`` (zeros for ``None``),
    as a list (a pair's cotangent or tangent).
    Source: numpy.cov; product rule."""
    pm, py = (None, None) if parts is None else (parts[0], parts[1])
    if pm is None and py is None:
        return [None, None]
    um = np.zeros(np.shape(m)) if pm is None else np.broadcast_to(pm, np.shape(m))
    uy = None if y is None else np.zeros(np.shape(y)) if py is None else py
    if uy is not None:
        uy = np.broadcast_to(uy, np.shape(y))
    dm, dy = cov_adjoint(g, um, uy, rowvar, bias, ddof, fweights, aweights)
    dtype_m = acc_dtype(np.asarray(m).dtype)
    dm = dm.astype(dtype_m, copy=False)
    if dy is not None:
        dy = dy.astype(acc_dtype(np.asarray(y).dtype), copy=False)
    return [dm, dy]


def cov_pair_tangent(parts, m, y=None, rowvar=True, bias=False, ddof=None, fweights=None,
                     aweights=None):  # fmt: skip
    """The transpose of ``g -> cov_adjoint(g, m, y, ...)`` applied to ``parts`` (the pair of
    cotangents of ``m``'s and ``y``'s adjoints): :func:`cov_tangent`. Source: numpy.cov."""
    pm, py = (None, None) if parts is None else (parts[0], parts[1])
    return cov_tangent(pm, py, m, y, rowvar, bias, ddof, fweights, aweights)


def cov_adjoint_tangent(tg, g, tm, ty, m, y=None, rowvar=True, bias=False, ddof=None,
                        fweights=None, aweights=None):  # fmt: skip
    """The tangent of :func:`cov_adjoint` along ``tg`` (of ``g``), ``tm`` and ``ty`` (of
    ``m`` and ``y``; ``None`` for none): bilinear, one term per factor. Source: numpy.cov."""
    second = cov_second(g, (tm, ty), m, y, rowvar, bias, ddof, fweights, aweights)
    if tg is None:
        return second
    first = cov_adjoint(tg, m, y, rowvar, bias, ddof, fweights, aweights)
    return [f if s is None else f + s for f, s in zip(first, second, strict=True)]


def _corr_parts(x, y, rowvar):
    c = np.atleast_2d(np.cov(x, y, rowvar))
    s = np.sqrt(np.diag(c))
    return c, s, c / np.outer(s, s)


def plain_corrcoef_adjoint(g, x, y=None, rowvar=True):
    """:func:`corrcoef_adjoint` in numpy calls that have rules (``np.cov``, ``cov_adjoint``):
    its twin, differentiated from this source at second order (:mod:`s2s.runtime.sources`)."""
    c = np.atleast_2d(np.cov(x, y, rowvar))
    s = np.sqrt(np.diag(c))
    scale = np.outer(s, s)
    gg = np.reshape(g, c.shape)
    gr = gg * (c / scale)
    gc = gg / scale - np.diag(np.sum(gr + gr.T, axis=1) / (2.0 * s * s))
    return cov_adjoint(gc, x, y, rowvar)


@differentiated_as(plain_corrcoef_adjoint)
def corrcoef_adjoint(g, x, y=None, rowvar=True):
    """The cotangents of ``x`` and ``y`` of ``np.corrcoef(x, y, rowvar)``:
    ``R_ij = C_ij / sqrt(C_ii C_jj)`` gives ``dC = G / (s s^T) - diag(sum_j (G R + (G R)^T)_kj
    / (2 C_kk))``, then :func:`cov_adjoint`. Source: numpy.corrcoef; quotient rule.
    """
    c, s, r = _corr_parts(x, y, rowvar)
    gg = np.reshape(np.asarray(g, dtype=c.dtype), c.shape)
    gr = gg * r
    gc = gg / np.outer(s, s) - np.diag(np.sum(gr + gr.T, axis=1) / (2.0 * s * s))
    return cov_adjoint(gc, x, y, rowvar)


def corrcoef_tangent(tx, ty, x, y=None, rowvar=True):
    """The tangent of ``np.corrcoef(x, y, rowvar)``: ``dR = dC / (s s^T) - R (u_i + u_j) / 2``
    with ``u = diag(dC) / diag(C)``. Source: numpy.corrcoef; quotient rule.
    """
    c, s, r = _corr_parts(x, y, rowvar)
    dc = np.atleast_2d(cov_tangent(tx, ty, x, y, rowvar))
    u = np.diag(dc) / (s * s)
    return (dc / np.outer(s, s) - r * (u[:, None] + u[None, :]) / 2.0).squeeze()
