"""``ufunc.at`` on a local array (``np.add.at(buf, idx, vals)``): the new values, and the
helpers of their rules.

The frontend writes ``np.add.at(buf, idx, vals)`` as ``buf[...] = _s2s.add_at(buf, idx, vals)``
(``frontend/normalize.py``): a write into ``buf``, refused where any write into it is (an
argument, a global, a view of either), and differentiated in ``buf``'s prior value and in
``vals`` by the rules of the functions here, each of which returns a new array with numpy's
result. Repeated indices accumulate, as in numpy: each occurrence is one more operand.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from s2s.runtime.core import acc_dtype, dtype_of, stop_gradient, unbroadcast
from s2s.runtime.sources import differentiated_as, plain


def _at(ufunc: Any, a: Any, indices: Any, b: Any) -> Any:
    out = np.array(a, copy=True)
    ufunc.at(out, indices, b)
    return out


def add_at(a: Any, indices: Any, b: Any) -> Any:
    """A copy of ``a`` after ``np.add.at(a, indices, b)``."""
    return _at(np.add, a, indices, b)


def subtract_at(a: Any, indices: Any, b: Any) -> Any:
    """A copy of ``a`` after ``np.subtract.at(a, indices, b)``."""
    return _at(np.subtract, a, indices, b)


def multiply_at(a: Any, indices: Any, b: Any) -> Any:
    """A copy of ``a`` after ``np.multiply.at(a, indices, b)``."""
    return _at(np.multiply, a, indices, b)


def maximum_at(a: Any, indices: Any, b: Any) -> Any:
    """A copy of ``a`` after ``np.maximum.at(a, indices, b)``."""
    return _at(np.maximum, a, indices, b)


def minimum_at(a: Any, indices: Any, b: Any) -> Any:
    """A copy of ``a`` after ``np.minimum.at(a, indices, b)``."""
    return _at(np.minimum, a, indices, b)


def _full(b: Any, a: Any, indices: Any) -> Any:
    # b broadcast to the shape of a[indices] (one operand per occurrence)
    return np.broadcast_to(np.asarray(b), np.asarray(a)[indices].shape)


def _gathered(g: Any, indices: Any, b: Any, a: Any) -> Any:
    # g at each occurrence, unbroadcast onto b
    return unbroadcast(np.asarray(g)[indices], b)


def at_gather(g: Any, indices: Any, b: Any, a: Any) -> Any:
    """The adjoint of ``add_at(a, indices, b)`` for ``b``: ``g[indices]`` (one entry per
    occurrence, so a repeated index gives its cotangent to each), unbroadcast onto ``b``.
    Source: the transpose of a scatter-add is a gather."""
    return _gathered(g, indices, b, a)


# -- plain twins of the helpers below, differentiated from their source at second order
# (s2s.runtime.sources): the same values by multiply_at, add_at and indexing, which have rules;
# which operands are zero or tie is read from the values alone (piecewise constant).


def plain_multiply_at_factors(a: Any, indices: Any, b: Any) -> Any:
    """:func:`multiply_at_factors` by ``multiply_at`` of ones (its twin)."""
    return multiply_at(a * 0.0 + 1.0, indices, b)


def pairwise_others(a: Any, indices: Any, full: Any) -> Any:
    """For each operand of ``full`` (``a[indices]``'s shape), the product of the other
    operands on its entry of ``a``, as a product over a constant mask (no division, so its
    derivatives are exact where operands are 0); ``size(full)**2`` entries."""
    entries = np.ravel(np.reshape(np.arange(np.size(a)), np.shape(a))[indices])
    others = (entries[:, None] == entries[None, :]) & ~np.eye(entries.shape[0], dtype=bool)
    products = np.prod(np.where(others, np.ravel(full)[None, :], 1.0), axis=1)
    return np.reshape(products, np.shape(full))


def plain_others(a: Any, indices: Any, b: Any) -> Any:
    """:func:`_others` differentiable in ``b``: the quotient of the entry's product where no
    operand is 0; where one is, the products of :func:`pairwise_others` (the quotient's
    replacement by 0 or by the product of the nonzero ones has the right value there but
    not the right derivative)."""
    full = np.broadcast_to(b, a[indices].shape)
    if np.any(stop_gradient(full) == 0):
        return pairwise_others(a, indices, full)
    products = multiply_at(a * 0.0 + 1.0, indices, full)
    return products[indices] / full


plain(pairwise_others, plain_others)


def plain_multiply_at_grad_b(g: Any, a: Any, indices: Any, b: Any) -> Any:
    """:func:`multiply_at_grad_b`'s twin: ``(g a)[indices]`` times the other operands."""
    return unbroadcast((g * a)[indices] * plain_others(a, indices, b), b)


def plain_multiply_at_tangent_b(t: Any, a: Any, indices: Any, b: Any) -> Any:
    """:func:`multiply_at_tangent_b`'s twin: ``a[indices]`` times the other operands times
    ``t`` at each occurrence, scattered by ``add_at``."""
    terms = a[indices] * plain_others(a, indices, b) * np.broadcast_to(t, a[indices].shape)
    return add_at(a * 0.0, indices, terms)


def plain_extremum_at_grad_a(g: Any, a: Any, indices: Any, b: Any, result: Any) -> Any:
    """:func:`extremum_at_grad_a`'s twin: ``g`` times ``a``'s (constant) share."""
    shares = extremum_at_shares(stop_gradient(a), indices, stop_gradient(b), stop_gradient(result))
    return unbroadcast(g * shares[0], a)


def plain_extremum_at_grad_b(g: Any, a: Any, indices: Any, b: Any, result: Any) -> Any:
    """:func:`extremum_at_grad_b`'s twin: ``g`` at each occurrence times its (constant) share."""
    shares = extremum_at_shares(stop_gradient(a), indices, stop_gradient(b), stop_gradient(result))
    return unbroadcast(g[indices] * shares[1], b)


@differentiated_as(plain_multiply_at_factors)
def multiply_at_factors(a: Any, indices: Any, b: Any) -> Any:
    """The product of the operands each entry of ``a`` is multiplied by (1 where none):
    ``multiply_at(a, indices, b) = a * factors``, so the adjoint for ``a`` is ``g * factors``."""
    return multiply_at(np.ones(np.shape(a), acc_dtype(dtype_of(a))), indices, b)


def _others(a: Any, indices: Any, b: Any) -> Any:
    # for each occurrence k at entry i: the product of the other operands at i (no division
    # by a zero operand: 0 when another is 0)
    dtype = acc_dtype(dtype_of(a))
    full = _full(b, a, indices).astype(dtype)
    zero = full == 0
    zeros_at = add_at(np.zeros(np.shape(a), dtype), indices, zero.astype(dtype))
    nonzero = multiply_at(np.ones(np.shape(a), dtype), indices, np.where(zero, 1, full))
    others_zero = zeros_at[indices] - zero
    return np.where(others_zero > 0, 0, nonzero[indices] / np.where(zero, 1, full))


@differentiated_as(plain_multiply_at_grad_b)
def multiply_at_grad_b(g: Any, a: Any, indices: Any, b: Any) -> Any:
    """The adjoint of ``multiply_at(a, indices, b)`` for ``b``: occurrence ``k`` at entry ``i``
    gets ``g_i a_i`` times the other operands at ``i`` (0 if one of them is 0), unbroadcast onto
    ``b``. Source: product rule."""
    dtype = acc_dtype(dtype_of(a))
    scale = (np.asarray(g, dtype) * np.asarray(a, dtype))[indices]
    return unbroadcast(scale * _others(a, indices, b), b)


@differentiated_as(plain_multiply_at_tangent_b)
def multiply_at_tangent_b(t: Any, a: Any, indices: Any, b: Any) -> Any:
    """The tangent of ``multiply_at(a, indices, b)`` from ``b``'s tangent ``t``: entry ``i``
    gets ``a_i`` times the sum over its occurrences of ``t_k`` times the other operands.
    Source: product rule."""
    dtype = acc_dtype(dtype_of(a))
    a = np.asarray(a, dtype)
    terms = a[indices] * _others(a, indices, b) * _full(t, a, indices)
    return add_at(np.zeros(a.shape, dtype), indices, terms)


def extremum_at_shares(a: Any, indices: Any, b: Any, result: Any) -> tuple[Any, Any]:
    """The shares of ``maximum_at``/``minimum_at``'s cotangent: for ``a`` and for each
    occurrence (``b`` broadcast), ``1/k`` to each of the ``k`` candidates equal to the result at
    an entry (DESIGN 8's ties). Source: DESIGN 8."""
    dtype = acc_dtype(dtype_of(a))
    result = np.asarray(result)
    on_a = (np.asarray(a) == result).astype(dtype)
    on_b = (_full(b, a, indices) == result[indices]).astype(dtype)
    count = add_at(on_a, indices, on_b)
    with np.errstate(divide="ignore", invalid="ignore"):
        return on_a / count, on_b / count[indices]


@differentiated_as(plain_extremum_at_grad_a)
def extremum_at_grad_a(g: Any, a: Any, indices: Any, b: Any, result: Any) -> Any:
    """The adjoint of ``maximum_at``/``minimum_at`` for ``a``: ``g`` times ``a``'s share."""
    share = extremum_at_shares(a, indices, b, result)[0]
    return unbroadcast(np.asarray(g) * share, a)


@differentiated_as(plain_extremum_at_grad_b)
def extremum_at_grad_b(g: Any, a: Any, indices: Any, b: Any, result: Any) -> Any:
    """The adjoint of ``maximum_at``/``minimum_at`` for ``b``: ``g`` at each occurrence times
    its share, unbroadcast onto ``b``."""
    share = extremum_at_shares(a, indices, b, result)[1]
    return unbroadcast(np.asarray(g)[indices] * share, b)


def extremum_at_tangent(ta: Any, tb: Any, a: Any, indices: Any, b: Any, result: Any) -> Any:
    """The tangent of ``maximum_at``/``minimum_at``: the shares' mean of the candidates'
    tangents at each entry (``None``: no tangent)."""
    share_a, share_b = extremum_at_shares(a, indices, b, result)
    out = np.zeros(np.shape(result), acc_dtype(dtype_of(result)))
    if ta is not None:
        out = out + share_a * ta
    if tb is not None:
        out = add_at(out, indices, share_b * _full(tb, a, indices))
    return out
