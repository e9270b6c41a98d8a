"""Reductions called with ``where=`` or ``initial=``, and the helpers of their rules.

A call such as ``np.sum(x, axis=0, where=mask)`` or ``np.max(x, initial=0.0)`` is
differentiated by the rule of the function of the same name here (``frontend/spellings.py``,
``KEYWORD_VARIANTS``): the generated primal still calls numpy, and each function below computes
what numpy computes. Entries outside ``where`` get exactly zero. ``initial`` is a constant: a
value there that carries a gradient is refused. At a tie between ``initial`` and ``k`` entries
of a max or min, ``initial`` counts as one more candidate: each entry gets ``1/(k + 1)`` of the
cotangent (DESIGN 8's ``1/k`` at ties, ``initial`` one of the tied values).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from s2s.runtime import plain_masked
from s2s.runtime.core import acc_dtype, dtype_of, stop_gradient
from s2s.runtime.namespace import array_namespace
from s2s.runtime.reductions import exclusive_products, expand_reduced, normalize_axes
from s2s.runtime.sources import differentiated_as

_NO_VALUE = np._NoValue  # numpy's "not given" for initial


def _kw(initial: Any, where: Any) -> dict[str, Any]:
    # numpy's own keywords, leaving out those not given
    out: dict[str, Any] = {} if where is True else {"where": where}
    if initial is not None and initial is not _NO_VALUE:
        out["initial"] = initial
    return out


# -- the primals (what numpy computes) -----------------------------------------------------------


def sum_where(a, axis=None, dtype=None, *, keepdims=False, initial=None, where=True):
    """``np.sum(a, axis, dtype, keepdims=keepdims, initial=initial, where=where)``."""
    return np.sum(a, axis, dtype, keepdims=keepdims, **_kw(initial, where))


def prod_where(a, axis=None, dtype=None, *, keepdims=False, initial=None, where=True):
    """``np.prod(a, axis, dtype, keepdims=keepdims, initial=initial, where=where)``."""
    return np.prod(a, axis, dtype, keepdims=keepdims, **_kw(initial, where))


def mean_where(a, axis=None, dtype=None, *, keepdims=False, where=True):
    """``np.mean(a, axis, dtype, keepdims=keepdims, where=where)``."""
    return np.mean(a, axis, dtype, keepdims=keepdims, **_kw(None, where))


def max_where(a, axis=None, *, keepdims=False, initial=None, where=True):
    """``np.max(a, axis, keepdims=keepdims, initial=initial, where=where)``."""
    return np.max(a, axis, keepdims=keepdims, **_kw(initial, where))


def min_where(a, axis=None, *, keepdims=False, initial=None, where=True):
    """``np.min(a, axis, keepdims=keepdims, initial=initial, where=where)``."""
    return np.min(a, axis, keepdims=keepdims, **_kw(initial, where))


def var_where(a, axis=None, dtype=None, *, ddof=0, keepdims=False, where=True):
    """``np.var(a, axis, dtype, ddof=ddof, keepdims=keepdims, where=where)``."""
    return np.var(a, axis, dtype, ddof=ddof, keepdims=keepdims, **_kw(None, where))


def std_where(a, axis=None, dtype=None, *, ddof=0, keepdims=False, where=True):
    """``np.std(a, axis, dtype, ddof=ddof, keepdims=keepdims, where=where)``."""
    return np.std(a, axis, dtype, ddof=ddof, keepdims=keepdims, **_kw(None, where))


# -- helpers of their rules ----------------------------------------------------------------------


def _mask(a: Any, where: Any) -> Any:
    # `where` broadcast to a's shape, as a boolean array in a's namespace
    xp = array_namespace(a)
    return xp.broadcast_to(xp.asarray(where, dtype=bool), a.shape)


def _count(mask: Any, axes: tuple[int, ...], dtype: Any) -> Any:
    return array_namespace(mask).sum(mask, axis=axes, keepdims=True, dtype=dtype)


def _prepared(g: Any, a: Any, axis: Any, keepdims: bool):
    # (a as an array, its accumulator dtype, the reduced axes, g expanded to keepdims shape)
    xp = array_namespace(a)
    a = np.asarray(a) if xp is np else a
    dtype = acc_dtype(dtype_of(a))
    g = xp.asarray(g) if xp is not np else np.asarray(g)
    g = expand_reduced(g.astype(dtype), a, axis, keepdims)
    return xp, a, dtype, normalize_axes(axis, a.ndim), g


def masked_sum_adjoint(g: Any, a: Any, axis: Any, keepdims: bool, where: Any) -> Any:
    """The adjoint of ``np.sum(a, axis, where=where)``: ``g`` broadcast, 0 outside ``where``.
    Source: the transpose of a sum is a broadcast."""
    xp, a, dtype, _, g = _prepared(g, a, axis, keepdims)
    return xp.where(_mask(a, where), xp.broadcast_to(g, a.shape), 0).astype(dtype)


def masked_mean_adjoint(g: Any, a: Any, axis: Any, keepdims: bool, where: Any) -> Any:
    """The adjoint of ``np.mean(a, axis, where=where)``: ``g / n`` on the ``n`` entries of each
    reduced slice inside ``where``, 0 elsewhere. Source: mean = sum / n, transposed."""
    xp, a, dtype, axes, g = _prepared(g, a, axis, keepdims)
    mask = _mask(a, where)
    return xp.where(mask, g / _count(mask, axes, dtype), 0).astype(dtype)


@differentiated_as(plain_masked.masked_prod_adjoint)
def masked_prod_adjoint(g, a, axis, keepdims, initial, where) -> Any:
    """The adjoint of ``np.prod(a, axis, initial=initial, where=where)``: ``g initial`` times
    the product of the other entries inside ``where`` (exact with zeros), 0 outside.
    Source: product rule (DESIGN 8)."""
    xp, a, dtype, axes, g = _prepared(g, a, axis, keepdims)
    mask = _mask(a, where)
    factors = xp.where(mask, a, 1).astype(dtype)
    kept = tuple(i for i in range(a.ndim) if i not in axes)
    moved = xp.transpose(factors, kept + axes)
    lead = moved.shape[: len(kept)]
    others = exclusive_products(xp.reshape(moved, lead + (-1,)), -1)
    others = xp.transpose(xp.reshape(others, moved.shape), tuple(np.argsort(kept + axes)))
    scale = 1.0 if initial is None or initial is _NO_VALUE else initial
    return xp.where(mask, g * others * scale, 0).astype(dtype)


@differentiated_as(plain_masked.masked_extremum_adjoint)
def masked_extremum_adjoint(g, a, result, axis, keepdims, initial, where) -> Any:
    """The adjoint of ``np.max`` or ``np.min`` of ``a`` with ``initial`` and ``where``.

    The entries inside ``where`` equal to the result share ``g``; ``initial``, where it ties,
    counts as one more candidate (it is a constant and keeps its share): ``1/(k + 1)`` each.
    A result NaN goes to the NaN entries. Source: DESIGN 8 (ties split ``1/k``)."""
    xp, a, dtype, axes, g = _prepared(g, a, axis, keepdims)
    m = expand_reduced(xp.asarray(result) if xp is not np else np.asarray(result), a, axis,
                       keepdims)  # fmt: skip
    mask = _mask(a, where) & (xp.equal(a, m) | (xp.isnan(a) & xp.isnan(m)))
    count = _count(mask, axes, dtype)
    if initial is not None and initial is not _NO_VALUE:
        count = count + xp.equal(m, initial).astype(dtype)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = g / count
    return xp.where(mask, share, 0).astype(dtype)


def masked_var_adjoint(g, a, axis, ddof, keepdims, where) -> Any:
    """The adjoint of ``np.var(a, axis, ddof=ddof, where=where)``: ``2 g (a - mean) / (n - ddof)``
    inside ``where`` (``mean`` and ``n`` of each slice's entries there), 0 outside.
    Source: d var = 2 (a - mean) . da / (n - ddof)."""
    xp, a, dtype, axes, g = _prepared(g, a, axis, keepdims)
    mask = _mask(a, where)
    n = _count(mask, axes, dtype)
    inside = xp.where(mask, a, 0).astype(dtype)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = xp.sum(inside, axis=axes, keepdims=True) / n
        out = 2.0 * g * (inside - mean) / (n - float(ddof))
    return xp.where(mask, out, 0).astype(dtype)


def plain_masked_std_adjoint(g, a, result, axis, ddof, keepdims, where) -> Any:
    """:func:`masked_std_adjoint` in calls that have rules (``masked_var_adjoint``,
    ``expand_reduced``): its twin, differentiated from this source at second order
    (:mod:`s2s.runtime.sources`); the slices of one entry read from the values alone."""
    axes = normalize_axes(axis, np.ndim(a))
    single = plain_masked.masked_count(stop_gradient(a), axes, where) == 1
    s = expand_reduced(result, a, axis, keepdims)
    gs = expand_reduced(g, a, axis, keepdims) / (2.0 * s + single)
    return masked_var_adjoint(gs, a, axes, ddof, True, where)


@differentiated_as(plain_masked_std_adjoint)
def masked_std_adjoint(g, a, result, axis, ddof, keepdims, where) -> Any:
    """The adjoint of ``np.std(a, axis, ddof=ddof, where=where)``: the variance's with
    ``g / (2 std)``; 0 for a slice with one entry inside ``where`` (``std`` is the constant 0
    there), IEEE NaN at zero variance over several entries. Source: d std = d var / (2 std)."""
    xp, a, dtype, axes, _ = _prepared(g, a, axis, keepdims)
    n = _count(_mask(a, where), axes, dtype)
    s = expand_reduced(xp.asarray(result).astype(dtype), a, axis, keepdims)
    single = xp.equal(n, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        gs = expand_reduced(xp.asarray(g).astype(dtype), a, axis, keepdims) / (2.0 * s + single)
    return masked_var_adjoint(gs, a, axes, ddof, True, where)


def plain_slope_tangent(t: Any, slope: Any, axis: Any, keepdims: bool) -> Any:
    """:func:`slope_tangent` by ``np.sum`` (its twin, :mod:`s2s.runtime.sources`)."""
    return np.sum(slope * t, axis=normalize_axes(axis, np.ndim(slope)), keepdims=keepdims)


@differentiated_as(plain_slope_tangent)
def slope_tangent(t: Any, slope: Any, axis: Any, keepdims: bool) -> Any:
    """``sum(slope * t)`` over ``axis``: the tangent of a reduction whose adjoint with a
    cotangent of ones is ``slope`` (each output entry depends on its own slice only)."""
    xp = array_namespace(slope)
    axes = normalize_axes(axis, slope.ndim)
    total = xp.sum(slope * t, axis=axes, keepdims=True)
    return total if keepdims else xp.squeeze(total, axis=axes)
