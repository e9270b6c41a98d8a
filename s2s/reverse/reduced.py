"""Reductions in the simplification of adjoints: what is known of ``_s2s.unreduce`` (a
reduction's cotangent broadcast back onto its operand) and of ``_np.sum`` over literal axes.

A filled cotangent broadcast back is a filled array of the operand's shape (``np.mean`` of row
sums: ``-1/n`` everywhere, folded into the product with the summand's other factor, as
``-0.125 * onehot``). A named cotangent ``g`` broadcast back and then multiplied by (or added
to) an array of the operand's shape needs no broadcast view: ``g[:, None] * e`` gives the same
numbers, as one writes by hand (numpy broadcasts the length-one axis).

>>> import numpy as np, s2s
>>> def lse(z):
...     return np.sum(np.log(np.sum(np.exp(z), axis=1)))
>>> g = s2s.grad(lse); _ = g(np.ones((4, 3)))
>>> print([line.strip() for line in g.source.splitlines() if "None]" in line][0])
d_z = d_sum_2[:, None] * exp_1
"""

from __future__ import annotations

from typing import Any

import gast
import numpy as np

from s2s.codegen.templating import constant, name
from s2s.reverse.arrfacts import Arr, Expanded, Fill, Num


def literal(node: gast.expr) -> Any:
    """The value of a constant or a tuple of constants (``(0, 1)``), else ``None``."""
    if isinstance(node, gast.Constant):
        return node.value
    if isinstance(node, gast.Tuple) and all(isinstance(e, gast.Constant) for e in node.elts):
        return tuple(e.value for e in node.elts)
    return None


def axes_of(node: gast.expr, ndim: int) -> tuple[int, ...] | None:
    """The axes a literal ``axis`` argument names (``None``: every axis), normalized and
    sorted, or ``None`` where it is not a literal numpy accepts for ``ndim`` dimensions."""
    value = literal(node)
    if value is None and isinstance(node, gast.Constant):
        return tuple(range(ndim))
    items = value if type(value) is tuple else (value,)
    if not items or any(type(k) is not int or not -ndim <= k < ndim for k in items):
        return None
    axes = {k % ndim for k in items}
    return tuple(sorted(axes)) if len(axes) == len(items) else None


def reduced_shape(shape: tuple[int, ...], axes: tuple[int, ...], keepdims: bool) -> tuple:
    """The shape of a reduction of an array of ``shape`` over ``axes`` (kept as length one
    with ``keepdims``)."""
    if keepdims:
        return tuple(1 if i in axes else n for i, n in enumerate(shape))
    return tuple(n for i, n in enumerate(shape) if i not in axes)


def unreduced(args: list[gast.expr], facts: list[Any]) -> Any:
    """What is known of ``_s2s.unreduce(g, a, axis, keepdims)`` (``g`` broadcast onto ``a``'s
    shape, cast to ``a``'s dtype; literal ``axis`` and ``keepdims``): a filled array where
    ``g`` is one (or a number, for a full reduction), an :class:`Expanded` of a named ``g``
    of ``a``'s dtype, else an array of ``a``'s shape and dtype."""
    g, a = facts
    keepdims = literal(args[3])
    if not isinstance(a, Arr) or type(keepdims) is not bool:
        return None
    axes = axes_of(args[2], len(a.shape))
    if axes is None:
        return None
    reduced = reduced_shape(a.shape, axes, keepdims)
    if isinstance(g, Fill) and g.shape == reduced or isinstance(g, Num) and reduced == ():
        value = g.value
        if isinstance(g, Num) and not isinstance(value, (int, float, np.floating)):
            return Arr(a.shape, a.dtype)
        return Fill(a.shape, a.dtype, np.asarray(value).astype(a.dtype)[()])
    if type(g) is Arr and g.shape == reduced and g.dtype == a.dtype and isinstance(
        args[0], gast.Name
    ):
        index = None if keepdims else tuple(i not in axes for i in range(len(a.shape)))
        return Expanded(a.shape, a.dtype, args[0].id, index)
    return Arr(a.shape, a.dtype)


def summed(fact: Any, keywords: list[gast.keyword]) -> Arr | None:
    """``_np.sum(x, axis=...)`` of a float array of proven shape over literal axes (a new
    array, :func:`fresh`), where at least one axis is left; else nothing is known."""
    given = {k.arg: k.value for k in keywords}
    if not isinstance(fact, Arr) or "axis" not in given or not set(given) <= {"axis", "keepdims"}:
        return None
    keepdims = literal(given["keepdims"]) if "keepdims" in given else False
    axes = axes_of(given["axis"], len(fact.shape))
    if type(keepdims) is not bool or not axes:
        return None
    shape = reduced_shape(fact.shape, axes, keepdims)
    return Arr(shape, fact.dtype) if shape else None


def expanded(node: gast.BinOp, left: Any, right: Any) -> tuple:
    """An :class:`Expanded` operand of arithmetic with an array whose shape the broadcast
    view would not enlarge, written as its source with the reduced axes of length one
    (``d_s[:, None] * e``); ``(left, fact, right, fact)``."""
    sides = [[node.left, left], [node.right, right]]
    for mine, other in (sides, sides[::-1]):
        fact = mine[1]
        if not isinstance(fact, Expanded) or not isinstance(other[1], Arr) or isinstance(
            other[1], Expanded
        ) or not isinstance(node.op, (gast.Add, gast.Sub, gast.Mult, gast.Div)):
            continue
        short = tuple(1 if keep is False else n for keep, n in zip(
            fact.index or (), fact.shape)) if fact.index is not None else None
        if short is not None:
            try:
                same = np.broadcast_shapes(short, other[1].shape) == np.broadcast_shapes(
                    fact.shape, other[1].shape)
            except ValueError:
                same = False
            if not same:
                continue
        source = name(fact.source)
        if fact.index is not None:
            parts = [gast.Slice(None, None, None) if keep else constant(None)
                     for keep in fact.index]
            source = gast.Subscript(value=source, slice=gast.Tuple(elts=parts, ctx=gast.Load()),
                                    ctx=gast.Load())
        mine[0], mine[1] = source, Arr(fact.shape, fact.dtype)
    return sides[0][0], sides[0][1], sides[1][0], sides[1][1]
