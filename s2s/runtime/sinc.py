"""Derivatives of numpy's normalized ``sinc`` of any order, accurate at and near 0.

``np.sinc(x) = sin(pi x) / (pi x)`` is analytic everywhere; its first derivative written as
``(cos(pi x) - sinc x) / x`` loses half its digits near 0 (the two terms cancel) and is 0/0
at 0, where the second derivative is ``-pi^2 / 3``. With ``t = pi x`` and
``s(t) = sin(t) / t``, ``d^n sinc / dx^n = pi^n s^(n)(t)``, computed

- for ``|t| < 4`` from the Taylor series ``s(t) = sum_m (-1)^m t^(2m) / (2m + 1)!``
  differentiated ``n`` times (every term of one sign pattern, largest about ``e^|t| / |t|``:
  no cancellation beyond a digit), and
- elsewhere by the recurrence from ``t s(t) = sin t`` (Leibniz's rule):
  ``t s^(n)(t) + n s^(n-1)(t) = sin^(n)(t) = sin(t + n pi / 2)``, stable for ``|t| > n``.

Sources: the series of sin (DLMF 4.19.1) and Leibniz's rule for the n-th derivative of a
product.

>>> round(float(sinc_derivative(0.0, 2)), 12) == round(-np.pi**2 / 3, 12)
True
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from s2s.runtime.namespace import array_namespace

_TERMS = 40  # the series at |t| < 4: the last term is below 1e-40 of the first
_SERIES_BELOW = 4.0


def sinc_derivative(x: Any, order: int) -> Any:
    """The ``order``-th derivative of ``np.sinc`` at ``x``, elementwise: ``x``'s shape, its
    float dtype (float64 for integers), computed in float64, in ``x``'s array namespace
    (numpy, Dask, CuPy). ``order`` is an integer >= 0."""
    xp = array_namespace(x)
    x = xp.asarray(x)
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    t = np.pi * x.astype(np.float64)
    n = int(order)
    small = abs(t) < _SERIES_BELOW
    series = _series(xp.where(small, t, 0.0), n)
    recurrence = _recurrence(xp, xp.where(small, _SERIES_BELOW, t), n)
    return (np.pi**n * xp.where(small, series, recurrence)).astype(dtype)


def _series(t: Any, n: int) -> Any:
    """``s^(n)(t)`` by the differentiated Taylor series (``|t| < 4``)."""
    total = 0.0 * t
    for m in range((n + 1) // 2, _TERMS):
        k = 2 * m - n  # the power of t left after n derivatives of t^(2m)
        coefficient = (
            (-1) ** m * math.factorial(2 * m) / (math.factorial(k) * math.factorial(2 * m + 1))
        )
        total = total + coefficient * t**k
    return total


def _recurrence(xp: Any, t: Any, n: int) -> Any:
    """``s^(n)(t)`` by ``s^(k) = (sin(t + k pi / 2) - k s^(k-1)) / t`` (``|t| >= 4``)."""
    value = xp.sin(t) / t
    for k in range(1, n + 1):
        value = (xp.sin(t + k * np.pi / 2) - k * value) / t
    return value
