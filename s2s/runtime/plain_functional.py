"""Plain twins of the second-order helpers of ``np.piecewise``, ``np.apply_along_axis`` and
``np.apply_over_axes`` (:mod:`s2s.runtime.functional_second`), differentiated from their
source: third order and beyond (:mod:`s2s.runtime.sources`).

Each numpy function is written again as a plain function (:func:`piecewise`,
:func:`along_axis`, :func:`over_axes_chain`) whose calls of the function it is given s2s
differentiates as any call of a function passed in. With ``f`` one of them and ``x`` its
differentiated argument, the first-order helper's value is ``A(g, x) = grad_x sum(g f(x))``
(:func:`s2s.runtime.tangents.grad_of`), and the twins of the second-order helpers are
gradients of a scalar again:

- the transpose: ``d_g = grad_g S``, ``d_x = grad_x S`` with ``S(g, x) = sum(ct A(g, x))``;
- the tangent: ``A(tg, x) + grad_x sum(tx A(g, x))`` (``A`` is linear in ``g``, and the
  derivative of ``A`` in ``x`` along ``tx`` is the Hessian of ``sum(g f(x))`` times ``tx``,
  which is symmetric).

Every level is a gradient (one array out) that s2s makes at run time of a gradient it made,
so differentiating a twin again reaches only gradient objects and numpy calls with rules,
to any order; no derivative object is ever given a tuple cotangent. Shapes and dtypes are the
helpers': each result has its argument's shape; ``None`` for a tangent or cotangent skips
its terms.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from s2s.runtime.core import scatter, stop_gradient, unbroadcast
from s2s.runtime.functional import piece_table, slice_results, steps_of
from s2s.runtime.sources import plain
from s2s.runtime.tangents import dense_tangent, grad_of


def apply_piece(func: Any, value: Any) -> Any:
    """``func(value)``: a call of a function passed in, which s2s differentiates whatever
    ``func`` is (a Python function, a numpy function with a rule)."""
    return func(value)


def apply_step(func: Any, value: Any, axis: Any) -> Any:
    """``func(value, axis)``: one step of ``np.apply_over_axes``, the axis given back (as
    numpy does) when the result lost it."""
    res = func(value, axis)
    if np.ndim(res) < np.ndim(value):
        res = np.expand_dims(res, axis)
    return res


# -- piecewise ---------------------------------------------------------------------------------


def piecewise(x: Any, conds: Any, owned: Any, funcs: Any, base: Any) -> Any:
    """``np.piecewise`` for its callable pieces (:func:`s2s.runtime.functional.piece_table`):
    ``base`` (the constants, 0 elsewhere) plus, for each piece, ``func(x[cond])`` where its
    value is kept (``owned``, among ``x[cond]``). The loop over the tuple of functions is
    written out once per function (s2s/frontend/callables.py): no function value is a
    variable that a derivative of the derivative could take for a differentiated one."""
    y = base
    for k, func in enumerate(funcs):
        kept = np.where(owned[k], apply_piece(func, x[conds[k]]), 0.0)
        y = y + scatter(None, base, conds[k], kept)
    return y


def piecewise_weighted(x: Any, g: Any, conds: Any, owned: Any, funcs: Any, base: Any) -> Any:
    """``sum(g * piecewise(x))``, a scalar (``g`` of ``x``'s shape)."""
    return np.sum(g * piecewise(x, conds, owned, funcs, base))


def piecewise_grad(g: Any, x: Any, conds: Any, owned: Any, funcs: Any, base: Any) -> Any:
    """``A(g, x)``: the value of :func:`s2s.runtime.piecewise_adjoint` (``g`` of ``x``'s
    shape)."""
    return grad_of(piecewise_weighted, "x")(x, g, conds, owned, funcs, base)


def piecewise_contracted(
    g: Any, x: Any, ct: Any, conds: Any, owned: Any, funcs: Any, base: Any
) -> Any:
    """``sum(ct * A(g, x))``, a scalar (``g`` and ``ct`` of ``x``'s shape)."""
    return np.sum(ct * piecewise_grad(g, x, conds, owned, funcs, base))


def piecewise_adjoint_adjoint(ct: Any, g: Any, x: Any, condlist: Any, funclist: Any) -> Any:
    """The twin of :func:`s2s.runtime.piecewise_adjoint_adjoint`: ``[d_g, d_x]``."""
    conds, owned, funcs, base = piece_table(np.zeros_like(x), condlist, funclist)
    gx = np.broadcast_to(g, np.shape(x))
    cx = np.broadcast_to(dense_tangent(ct, x), np.shape(x))
    d_g = grad_of(piecewise_contracted, "g")(gx, x, cx, conds, owned, funcs, base)
    d_x = grad_of(piecewise_contracted, "x")(gx, x, cx, conds, owned, funcs, base)
    return [unbroadcast(d_g, g), d_x]


def piecewise_adjoint_tangent(tg: Any, tx: Any, g: Any, x: Any, condlist: Any,
                              funclist: Any) -> Any:  # fmt: skip
    """The twin of :func:`s2s.runtime.piecewise_adjoint_tangent`."""
    conds, owned, funcs, base = piece_table(np.zeros_like(x), condlist, funclist)
    out = x * 0.0
    if tg is not None:
        out = out + piecewise_grad(np.broadcast_to(tg, np.shape(x)), x, conds, owned, funcs, base)
    if tx is not None:
        gx = np.broadcast_to(g, np.shape(x))
        tx = np.broadcast_to(tx, np.shape(x))
        out = out + grad_of(piecewise_contracted, "x")(gx, x, tx, conds, owned, funcs, base)
    return out


# -- apply_along_axis --------------------------------------------------------------------------


def along_axis(arr: Any, func1d: Any, axis: int) -> Any:
    """``np.apply_along_axis(func1d, axis, arr)`` as a loop over the 1-D slices along
    ``axis`` (``axis`` non-negative): each result added into its row of an array of
    ``(slices,) + result shape`` (a scatter, no list), their axes then put at ``axis``."""
    a = np.moveaxis(arr, axis, -1)
    rows = np.reshape(a, (-1, np.shape(a)[-1]))
    ref = slice_results(stop_gradient(rows), func1d)
    out = ref
    for i in range(np.shape(rows)[0]):
        out = out + scatter(None, ref, i, apply_piece(func1d, rows[i]))
    k = np.ndim(ref) - 1
    out = np.reshape(out, np.shape(a)[:-1] + np.shape(ref)[1:])
    return np.moveaxis(out, list(range(np.ndim(out) - k, np.ndim(out))),
                       list(range(axis, axis + k)))  # fmt: skip


def along_weighted(arr: Any, g: Any, func1d: Any, axis: int) -> Any:
    """``sum(g * along_axis(arr))``, a scalar (``g`` of the result's shape)."""
    return np.sum(g * along_axis(arr, func1d, axis))


def along_grad(g: Any, arr: Any, func1d: Any, axis: int) -> Any:
    """``A(g, arr)``: the value of :func:`s2s.runtime.apply_along_axis_adjoint`."""
    return grad_of(along_weighted, "arr")(arr, g, func1d, axis)


def along_contracted(g: Any, arr: Any, ct: Any, func1d: Any, axis: int) -> Any:
    """``sum(ct * A(g, arr))``, a scalar (``ct`` of ``arr``'s shape)."""
    return np.sum(ct * along_grad(g, arr, func1d, axis))


def apply_along_axis_adjoint_adjoint(ct: Any, g: Any, arr: Any, func1d: Any, axis: Any) -> Any:
    """The twin of :func:`s2s.runtime.apply_along_axis_adjoint_adjoint`: ``[d_g, d_arr]``."""
    axis = int(axis) % np.ndim(arr)
    cx = np.broadcast_to(dense_tangent(ct, arr), np.shape(arr))
    d_g = grad_of(along_contracted, "g")(g, arr, cx, func1d, axis)
    d_arr = grad_of(along_contracted, "arr")(g, arr, cx, func1d, axis)
    return [d_g, d_arr]


def apply_along_axis_adjoint_tangent(tg: Any, ta: Any, g: Any, arr: Any, func1d: Any,
                                     axis: Any) -> Any:  # fmt: skip
    """The twin of :func:`s2s.runtime.apply_along_axis_adjoint_tangent`."""
    axis = int(axis) % np.ndim(arr)
    out = arr * 0.0
    if tg is not None:
        out = out + along_grad(np.broadcast_to(tg, np.shape(g)), arr, func1d, axis)
    if ta is not None:
        ta = np.broadcast_to(ta, np.shape(arr))
        out = out + grad_of(along_contracted, "arr")(g, arr, ta, func1d, axis)
    return out


# -- apply_over_axes ---------------------------------------------------------------------------


def over_axes_chain(a: Any, funcs: Any, axes: Any) -> Any:
    """``np.apply_over_axes(func, a, axes)`` as numpy's loop, for ``funcs`` the function once
    per axis (``axes`` non-negative ints): the loop over that tuple is written out once per
    step, each axis a constant."""
    value = a
    for func, axis in zip(funcs, axes):
        value = apply_step(func, value, axis)
    return value


def over_weighted(a: Any, g: Any, funcs: Any, axes: Any) -> Any:
    """``sum(g * over_axes_chain(a))``, a scalar (``g`` of the result's size)."""
    y = over_axes_chain(a, funcs, axes)
    return np.sum(np.reshape(g, np.shape(y)) * y)


def over_grad(g: Any, a: Any, funcs: Any, axes: Any) -> Any:
    """``A(g, a)``: the value of :func:`s2s.runtime.apply_over_axes_adjoint`."""
    return grad_of(over_weighted, "a")(a, g, funcs, axes)


def over_contracted(g: Any, a: Any, ct: Any, funcs: Any, axes: Any) -> Any:
    """``sum(ct * A(g, a))``, a scalar (``ct`` of ``a``'s shape)."""
    return np.sum(ct * over_grad(g, a, funcs, axes))


def apply_over_axes_adjoint_adjoint(ct: Any, g: Any, a: Any, func: Any, axes: Any) -> Any:
    """The twin of :func:`s2s.runtime.apply_over_axes_adjoint_adjoint`: ``[d_g, d_a]``."""
    funcs, axes = steps_of(np.ndim(a), func, axes)
    cx = np.broadcast_to(dense_tangent(ct, a), np.shape(a))
    d_g = grad_of(over_contracted, "g")(g, a, cx, funcs, axes)
    d_a = grad_of(over_contracted, "a")(g, a, cx, funcs, axes)
    return [d_g, d_a]


def apply_over_axes_adjoint_tangent(tg: Any, ta: Any, g: Any, a: Any, func: Any,
                                    axes: Any) -> Any:  # fmt: skip
    """The twin of :func:`s2s.runtime.apply_over_axes_adjoint_tangent`."""
    funcs, axes = steps_of(np.ndim(a), func, axes)
    out = a * 0.0
    if tg is not None:
        out = out + over_grad(np.broadcast_to(tg, np.shape(g)), a, funcs, axes)
    if ta is not None:
        ta = np.broadcast_to(ta, np.shape(a))
        out = out + grad_of(over_contracted, "a")(g, a, ta, funcs, axes)
    return out


plain(apply_piece, apply_step, piecewise, piecewise_weighted, piecewise_grad,
      piecewise_contracted, along_axis, along_weighted, along_grad, along_contracted,
      over_axes_chain, over_weighted, over_grad, over_contracted)  # fmt: skip
