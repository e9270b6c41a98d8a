"""The modified Bessel function of the first kind of order 1, ``I1``, which numpy lacks: the
derivative of ``np.i0`` (real inputs, numpy arrays)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from s2s.runtime.sources import differentiated_as


def i1(x: Any) -> np.ndarray:
    """``I1(x) = (1/pi) int_0^pi exp(x cos t) cos t dt`` (DLMF 10.32.2), elementwise, with
    ``x``'s shape and float dtype (float64 for integers).

    The integrand is periodic and analytic, so the trapezoid rule on ``M`` equispaced points
    of the period converges geometrically: its error is the aliased terms ``I_{kM +- 1}(x)``
    (Trefethen and Weideman 2014), below float64 rounding relative to ``I1`` for
    ``M = 64 + 10 sqrt(max |x|)``. ``exp(|x|)`` is factored out (the sum never overflows) and
    ``expm1`` keeps small ``x`` exact (the mean of ``cos t`` over the points is 0);
    ``I1`` itself overflows to inf from ``|x|`` about 713, as ``np.i0`` does.
    """
    x = np.asarray(x)
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    ax = np.abs(x.astype(np.float64))
    big = float(np.max(ax, initial=0.0)) if np.all(np.isfinite(ax)) else 0.0
    m = 64 + 2 * math.ceil(5.0 * math.sqrt(min(big, 1e4)))
    c = np.cos(2.0 * np.pi * np.arange(m) / m)
    scaled = np.mean(np.expm1(ax[..., None] * (c - 1.0)) * c, axis=-1)  # the mean of c is 0
    with np.errstate(over="ignore"):
        out = np.sign(x) * np.exp(ax) * scaled
    return out.astype(dtype, copy=False)


def plain_i1_prime(x: Any) -> Any:
    """:func:`i1_prime` in calls that have rules (``np.i0``, :func:`i1`, ``np.where``): its
    twin, differentiated from this source (a third derivative of ``np.i0``;
    :mod:`s2s.runtime.sources`)."""
    nonzero = np.where(x == 0, 1.0, x)
    return np.where(x == 0, 0.5, np.i0(x) - i1(x) / nonzero)


@differentiated_as(plain_i1_prime)
def i1_prime(x: Any) -> np.ndarray:
    """``I1'(x) = I0(x) - I1(x) / x``, and ``1/2`` at 0 (DLMF 10.29.2): ``x``'s shape and float
    dtype. Source: DLMF 10.29.2."""
    x = np.asarray(x)
    nonzero = np.where(x == 0, 1.0, x).astype(x.dtype if x.dtype.kind == "f" else np.float64)
    return np.where(x == 0, 0.5, np.i0(x) - i1(x) / nonzero).astype(nonzero.dtype, copy=False)
