"""Helpers for the rules of ``numpy.linalg``'s pinv, matrix_power, multi_dot, cond, tensorinv
and tensorsolve (templates/linalg_extra.py).

Every helper takes stacks of matrices ``(..., m, n)`` where numpy does, calls numpy's API on its
arguments (so a device array stays on its device), and returns its input's shape in the
accumulator dtype. Source of each formula in its docstring.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from s2s.runtime import plain_linalg_extra as twin
from s2s.runtime.core import acc_dtype, dtype_of, unbroadcast, zeros_like_acc
from s2s.runtime.linalg import norm_adjoint
from s2s.runtime.namespace import array_namespace, is_foreign_array
from s2s.runtime.products import LazyParts
from s2s.runtime.sources import differentiated_as


def _T(m: Any) -> Any:
    return m.swapaxes(-1, -2)


def _array(g: Any, ref: Any) -> Any:
    # a cotangent (maybe a Python float) as an array in ref's namespace and accumulator dtype
    dtype = acc_dtype(dtype_of(ref))
    if is_foreign_array(g):
        return g if g.dtype == dtype else g.astype(dtype)
    xp = array_namespace(ref)
    return np.asarray(g, dtype) if xp is np else xp.asarray(np.asarray(g, dtype))


def _cast(x: Any, ref: Any) -> Any:
    dtype = acc_dtype(dtype_of(ref))
    return x if x.dtype == dtype else x.astype(dtype)


# -- pinv --------------------------------------------------------------------------------------


@differentiated_as(twin.pinv_adjoint)
def pinv_adjoint(g: Any, a: Any, x: Any) -> Any:
    """The adjoint of ``x = np.linalg.pinv(a)`` at constant rank: with ``X = pinv(A)``,
    ``-X^T G X^T + (I - A X) G^T X X^T + X^T X G^T (I - X A)``. Source: the transpose of
    ``dX = -X dA X + X X^T dA^T (I - A X) + (I - X A) dA^T X^T X`` (Golub and Pereyra 1973,
    "The differentiation of pseudo-inverses", theorem 4.3).
    """
    gt = _T(g)
    left = gt @ (x @ _T(x))  # G^T X X^T, then (I - A X) of it
    right = (_T(x) @ x) @ gt  # X^T X G^T, then of it (I - X A)
    out = -(_T(x) @ g @ _T(x)) + (left - a @ (x @ left)) + (right - (right @ x) @ a)
    return _cast(out, a)


def pinv_tangent(t: Any, a: Any, x: Any) -> Any:
    """The tangent of ``x = np.linalg.pinv(a)`` at constant rank (``t`` the tangent of ``a``):
    ``-X dA X + X X^T dA^T (I - A X) + (I - X A) dA^T X^T X`` (Golub and Pereyra 1973)."""
    tt = _T(t)
    xxt = x @ _T(x)
    xtx = _T(x) @ x
    return -(x @ t @ x) + (xxt @ tt - xxt @ tt @ a @ x) + (tt @ xtx - x @ a @ tt @ xtx)


# -- matrix_power ------------------------------------------------------------------------------


def _powers(a: Any, n: int) -> tuple[Any, list[Any]]:
    # the base (A, or inv(A) for n < 0) and its powers B^0 .. B^(|n| - 1)
    base = np.linalg.inv(a) if n < 0 else a
    powers = [None]  # B^0 is the identity: left out of products
    for _ in range(abs(n) - 1):
        powers.append(base if powers[-1] is None else powers[-1] @ base)
    return base, powers


def _times(p: Any, m: Any) -> Any:
    return m if p is None else p @ m


def _times_right(m: Any, p: Any) -> Any:
    return m if p is None else m @ p


@differentiated_as(twin.matrix_power_adjoint)
def matrix_power_adjoint(g: Any, a: Any, n: int) -> Any:
    """The adjoint of ``np.linalg.matrix_power(a, n)`` for an integer ``n`` (any sign).

    ``n > 0``: ``sum_k (A^T)^k G (A^T)^(n-1-k)``; ``n = 0``: zero (the identity is constant);
    ``n < 0``: the same sum for ``B = inv(A)`` and ``|n|``, then ``-B^T (.) B^T``.
    Source: the product rule, d(A^n) = sum_k A^k dA A^(n-1-k); d inv(A) = -B dA B (Giles 2008).
    """
    n = int(n)
    if n == 0:
        return zeros_like_acc(a)
    base, powers = _powers(a, n)
    m = abs(n)
    total = None
    for k in range(m):
        left, right = powers[k], powers[m - 1 - k]
        term = _times_right(_times(None if left is None else _T(left), g),
                            None if right is None else _T(right))  # fmt: skip
        total = term if total is None else total + term
    if n < 0:
        total = -(_T(base) @ total @ _T(base))
    return _cast(total, a)


def matrix_power_tangent(t: Any, a: Any, n: int) -> Any:
    """The tangent of ``np.linalg.matrix_power(a, n)``: ``sum_k B^k dB B^(|n|-1-k)`` with
    ``B = A, dB = dA`` (``n > 0``) or ``B = inv(A), dB = -B dA B`` (``n < 0``); zero for ``n = 0``.
    Source: the product rule (Giles 2008 for the inverse)."""
    n = int(n)
    if n == 0:
        return t * 0
    base, powers = _powers(a, n)
    step = t if n > 0 else -(base @ t @ base)
    m = abs(n)
    total = None
    for k in range(m):
        term = _times_right(_times(powers[k], step), powers[m - 1 - k])
        total = term if total is None else total + term
    return total


# -- multi_dot ---------------------------------------------------------------------------------


def _chain(arrays: list[Any]) -> tuple[list[Any], Any]:
    # the arrays as matrices (a 1-D first is a row, a 1-D last a column), and a function
    # giving the product of mats[i:j] (None when empty)
    mats = list(arrays)
    if mats[0].ndim == 1:
        mats[0] = mats[0][None, :]
    if mats[-1].ndim == 1:
        mats[-1] = mats[-1][:, None]
    return mats


def _product(mats: list[Any]) -> Any:
    out = None
    for m in mats:
        out = m if out is None else out @ m
    return out


def multi_dot_grads(g: Any, arrays: Any) -> LazyParts:
    """The adjoints of ``np.linalg.multi_dot(arrays)``, one per array, computed when read.

    Array ``k``'s adjoint is ``(A_0 .. A_(k-1))^T G (A_(k+1) .. A_(n-1))^T``, with a 1-D first
    array read as a row and a 1-D last one as a column (numpy.linalg.multi_dot). Each has its
    array's shape and accumulator dtype. Source: Giles 2008, C = AB gives dA = dC B^T.
    """
    arrays = [x if is_foreign_array(x) else np.asarray(x) for x in arrays]
    if len(arrays) == 2 and min(x.ndim for x in arrays) == 0:  # numpy: np.dot, a product
        return LazyParts(2, lambda k: _scaled(g, arrays[1 - k], arrays[k]))
    mats = _chain(arrays)
    gm = _array(g, arrays[0]).reshape(mats[0].shape[0], mats[-1].shape[1])

    def part(k: int) -> Any:
        before, after = _product(mats[:k]), _product(mats[k + 1 :])
        out = _times_right(_times(None if before is None else _T(before), gm),
                           None if after is None else _T(after))  # fmt: skip
        return _cast(out.reshape(arrays[k].shape), arrays[k])

    return LazyParts(len(arrays), part)


def plain_multi_dot_second(g, arrays, parts):
    """:func:`multi_dot_second` by :func:`multi_dot_grads` (its twin,
    :mod:`s2s.runtime.sources`), zeros for ``None``; ``multi_dot_grads`` has rules, so every
    further order follows."""
    out = []
    for j, (mine, _) in enumerate(zip(arrays, parts)):
        total = mine * 0.0
        for k, (theirs, part) in enumerate(zip(arrays, parts)):
            if k != j and part is not None:
                moved = np.broadcast_to(part, np.shape(theirs))
                replaced = [moved if i == k else o for i, o in enumerate(arrays)]
                total = total + multi_dot_grads(g, replaced)[j]
        out.append(total)
    return out


@differentiated_as(plain_multi_dot_second)
def multi_dot_second(g: Any, arrays: Any, parts: Any) -> list[Any]:
    """The derivative of :func:`multi_dot_grads` in the arrays applied to ``parts`` (one per
    array, ``None`` for none): for array ``j``, the sum over ``k != j`` of array ``j``'s
    adjoint with array ``k`` replaced by ``parts[k]``; both the transpose and the tangent (the
    Hessian of ``<g, multi_dot(arrays)>`` is symmetric). Zeros (the array's shape,
    accumulator dtype) for an array with no term: generated code adds the parts it is given
    (``None`` there was read as NaN). Source: the product rule (multi_dot is multilinear)."""
    arrays = list(arrays)
    parts = [None] * len(arrays) if parts is None else list(parts)
    out: list[Any] = [None] * len(arrays)
    for k, part in enumerate(parts):
        if part is None:
            continue
        grads = multi_dot_grads(g, arrays[:k] + [np.broadcast_to(part, np.shape(arrays[k]))]
                                + arrays[k + 1 :])  # fmt: skip
        for j in range(len(arrays)):
            if j != k:
                out[j] = grads[j] if out[j] is None else out[j] + grads[j]
    return [zeros_like_acc(a) if o is None else o for a, o in zip(arrays, out)]


def plain_multi_dot_grads_tangent(tg, g, arrays, tangents):
    """:func:`multi_dot_grads_tangent` by :func:`multi_dot_grads` and
    :func:`multi_dot_second` (its twin, :mod:`s2s.runtime.sources`); no ``tg`` is a zero
    one (a second ``return`` of another list is not differentiated)."""
    second = multi_dot_second(g, arrays, tangents)
    first = multi_dot_grads(g * 0.0 if tg is None else tg, arrays)
    return [f + o for f, o in zip(first, second)]


@differentiated_as(plain_multi_dot_grads_tangent)
def multi_dot_grads_tangent(tg: Any, g: Any, arrays: Any, tangents: Any) -> list[Any]:
    """The tangent of :func:`multi_dot_grads` along ``tg`` (of ``g``) and ``tangents`` (of
    the arrays; ``None`` for none). Source: the product rule."""
    out = multi_dot_second(g, arrays, tangents)
    if tg is not None:
        first = multi_dot_grads(tg, arrays)
        out = [first[j] if o is None else first[j] + o for j, o in enumerate(out)]
    return out


def _scaled(g: Any, other: Any, x: Any) -> Any:
    """The adjoint in ``x`` of ``x * other`` (a ``dot`` with a 0-d operand): ``g * other``
    summed onto ``x``'s shape, in its accumulator dtype."""
    return _cast(unbroadcast(_array(g, x) * other, x), x)


def plain_multi_dot_tangent(arrays, tangents):
    """:func:`multi_dot_tangent` by ``np.linalg.multi_dot`` (its twin,
    :mod:`s2s.runtime.sources`): every order of a product is a product."""
    total = None
    for k, (_, t) in enumerate(zip(arrays, tangents)):
        if t is not None:
            replaced = [t if i == k else o for i, o in enumerate(arrays)]
            term = np.linalg.multi_dot(replaced)
            total = term if total is None else total + term
    return total


@differentiated_as(plain_multi_dot_tangent)
def multi_dot_tangent(arrays: Any, tangents: Any) -> Any:
    """The tangent of ``np.linalg.multi_dot(arrays)``: one product per array with a tangent
    (``None``: no tangent), that array replaced by its tangent. Source: the product rule."""
    arrays = list(arrays)
    shape = np.linalg.multi_dot([np.zeros(x.shape, np.float32) for x in arrays]).shape
    total = None
    for k, t in enumerate(tangents):
        if t is None:
            continue
        mats = _chain(arrays[:k] + [t] + arrays[k + 1 :])
        term = _product(mats).reshape(shape)
        total = term if total is None else total + term
    return total


# -- cond --------------------------------------------------------------------------------------


def cond_slope(x: Any, c: Any, p: Any = None) -> Any:
    """d cond(x, p) / dx for each matrix of ``x`` (``(..., m, n)``), in its accumulator dtype.

    ``p`` None, 2 or -2: ``cond = s_max / s_min`` (or its inverse), and ``d s_i = u_i^T dA v_i``;
    any other ``p`` (square ``x``): ``cond = |A| |B|`` with ``B = inv(A)``, so
    ``d cond = |B| d|A| - |A| B^T d|B| B^T`` with the norm's gradients of
    :func:`s2s.runtime.norm_adjoint`. Source: numpy.linalg.cond; Giles 2008 (d inv, d s_i).
    """
    if p in (None, 2, -2):
        u, s, vh = np.linalg.svd(x, full_matrices=False)
        hi, lo = (0, -1) if p != -2 else (-1, 0)  # cond = s[hi] / s[lo]
        top = u[..., :, hi:][..., :1] * vh[..., hi:, :][..., :1, :]
        bottom = u[..., :, lo:][..., :1] * vh[..., lo:, :][..., :1, :]
        s_hi, s_lo = s[..., hi:][..., :1, None], s[..., lo:][..., :1, None]
        return _cast(top / s_lo - bottom * (s_hi / s_lo**2), x)
    b = np.linalg.inv(x)
    axes = (-2, -1)
    na = np.linalg.norm(x, p, axis=axes)
    nb = np.linalg.norm(b, p, axis=axes)
    ones = np.ones(na.shape, acc_dtype(dtype_of(x)))
    da = norm_adjoint(ones, x, na, p, axes)
    db = norm_adjoint(ones, b, nb, p, axes)
    return _cast(nb[..., None, None] * da - na[..., None, None] * (_T(b) @ db @ _T(b)), x)


@differentiated_as(twin.cond_adjoint)
def cond_adjoint(g: Any, x: Any, c: Any, p: Any = None) -> Any:
    """The adjoint of ``np.linalg.cond(x, p)``: ``g`` times :func:`cond_slope` per matrix."""
    return _cast(_array(g, x)[..., None, None] * cond_slope(x, c, p), x)


def cond_tangent(t: Any, x: Any, c: Any, p: Any = None) -> Any:
    """The tangent of ``np.linalg.cond(x, p)``: ``sum(cond_slope * t)`` per matrix."""
    return (cond_slope(x, c, p) * t).sum(axis=(-2, -1))


# -- tensorinv and tensorsolve -----------------------------------------------------------------


@differentiated_as(twin.tensorinv_adjoint)
def tensorinv_adjoint(g: Any, a: Any, result: Any, ind: int = 2) -> Any:
    """The adjoint of ``np.linalg.tensorinv(a, ind)``: as ``inv`` of ``a`` read as a matrix of
    ``prod(shape[:ind])`` rows, ``dA = -B^T G B^T``. Source: numpy.linalg.tensorinv; Giles 2008.
    """
    rows = math.prod(a.shape[:ind])
    b = result.reshape(-1, rows)
    gm = g.reshape(-1, rows)
    return _cast(-(_T(b) @ gm @ _T(b)).reshape(a.shape), a)


def tensorinv_tangent(t: Any, a: Any, result: Any, ind: int = 2) -> Any:
    """The tangent of ``np.linalg.tensorinv(a, ind)``: ``-B dA B`` on the matrix forms."""
    rows = math.prod(a.shape[:ind])
    b = result.reshape(-1, rows)
    return -(b @ t.reshape(rows, -1) @ b).reshape(result.shape)


def _order(ndim: int, axes: Any) -> list[int]:
    # numpy.linalg.tensorsolve moves `axes` of `a` to the end first
    if axes is None:
        return list(range(ndim))
    last = [k % ndim for k in axes]
    return [i for i in range(ndim) if i not in last] + last


@differentiated_as(twin.tensorsolve_grad_a)
def tensorsolve_grad_a(g: Any, a: Any, b: Any, x: Any, axes: Any = None) -> Any:
    """The adjoint of ``x = np.linalg.tensorsolve(a, b, axes)`` for ``a``: with ``a`` read as a
    matrix ``A`` of ``b.size`` rows, ``-solve(A^T, g) x^T``, reshaped and its ``axes`` moved
    back. Source: numpy.linalg.tensorsolve; Giles 2008 (C = A^-1 B gives dA = -dB C^T).
    """
    order = _order(a.ndim, axes)
    moved = a.transpose(order)
    gb = tensorsolve_grad_b(g, a, b, axes)
    ga = -(gb.reshape(-1, 1) * x.reshape(1, -1))
    return _cast(ga.reshape(moved.shape).transpose(tuple(int(i) for i in np.argsort(order))), a)


@differentiated_as(twin.tensorsolve_grad_b)
def tensorsolve_grad_b(g: Any, a: Any, b: Any, axes: Any = None) -> Any:
    """The adjoint of ``x = np.linalg.tensorsolve(a, b, axes)`` for ``b``: ``solve(A^T, g)``
    with ``a`` read as a matrix ``A`` of ``b.size`` rows, in ``b``'s shape. Source: Giles 2008.
    """
    size = math.prod(b.shape)
    mat = a.transpose(_order(a.ndim, axes)).reshape(size, -1)
    return _cast(np.linalg.solve(_T(mat), g.reshape(-1, 1))[:, 0].reshape(b.shape), b)


def tensorsolve_rows(t: Any, x: Any, axes: Any = None) -> Any:
    """``dA x`` for the tangent ``t`` of ``a`` in ``x = np.linalg.tensorsolve(a, b, axes)``
    (``axes`` moved last, as tensorsolve reads ``a``): ``t``'s trailing ``x.ndim`` axes
    contracted with ``x``, in ``b``'s shape. The tangent of ``x`` is
    ``tensorsolve(a, db - dA x, axes)``. Source: Giles 2008, d(A^-1 b) = A^-1 (db - dA x)."""
    moved = t.transpose(_order(t.ndim, axes))
    return np.tensordot(moved, x, axes=x.ndim)
