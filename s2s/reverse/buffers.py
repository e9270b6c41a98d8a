"""Buffers: adjoint accumulation, first borrowed, then a new sum, then in place (DESIGN 5).

Before: ``x`` is read twice; after, its adjoint is the sum of both contributions:

>>> import numpy as np, s2s
>>> def h(x):
...     return np.sum(np.sin(x) * x)
>>> for line in s2s.grad(h).source.splitlines():
...     if line.strip().startswith("d_x ="):
...         print(line.strip())
d_x = _s2s.unbroadcast(d_multiply_1 * sin_1, x)
d_x = d_x + d_sin_1 * _np.cos(x)
"""

from __future__ import annotations

import gast

from s2s.codegen.sweeps import assign, call
from s2s.codegen.templating import constant, name, slice_to_call, subscript_key
from s2s.codegen.walking import copy_tree
from s2s.runtime.namespace import NUMPY


def _as_subscript_key(key: gast.expr) -> gast.expr:
    return subscript_key(key)


def _is_static_basic_key(key: gast.expr) -> bool:
    """A key of slices (any bounds), integer constants, ``None`` and ``...``: each entry is
    selected at most once, so ``buf[key] += g`` is exact (names may hold index arrays)."""
    key = _as_subscript_key(key)
    items = key.elts if isinstance(key, gast.Tuple) else [key]
    for item in items:
        if isinstance(item, gast.Slice):
            continue
        if isinstance(item, gast.Constant) and (
            item.value is None or item.value is Ellipsis or isinstance(item.value, int)
        ):
            continue
        return False
    return True


class Accumulation:
    """Adds contributions into adjoint buffers for :class:`s2s.reverse.sweep.ReverseBuilder`.

    ``count[var]`` is how many contributions ``var`` received: 0 means a symbolic zero (no
    buffer), 1 a borrowed buffer (someone else's array), 2 or more a buffer s2s allocated,
    which ``optimize`` may add into in place. Buffers on paths that may carry an undefined
    marker or ``None`` are added functionally with ``_s2s.add``.
    """

    def accumulate(
        self,
        var: str,
        expr: gast.expr,
        out: list[gast.stmt],
        mask: gast.expr | None = None,
        may_be_none: bool = False,
    ) -> None:
        """Add ``expr`` into ``var``'s buffer: first borrowed, then a new sum, then in place.

        ``mask`` says where ``expr`` is exactly zero because a selection did not pick an entry;
        ``may_be_none`` that ``expr`` itself may be ``None`` at run time (a pullback's part).
        """
        if may_be_none and self.count.get(var, 0):  # `d + None` would fail: add by the kinds
            self.maybe_none.add(var)
        if getattr(self, "flow", False):
            self._accumulate(var, expr, out, mask)
            if may_be_none or var in self.ir.lists:
                self.maybe_none.add(var)
            elif var in self.maybe_none:  # None plus an array is that array (borrowed)
                self.maybe_none.discard(var)
                self.count[var] = 1
            return
        self._accumulate(var, expr, out, mask)
        if may_be_none:  # the buffer may now be None: later additions use _s2s.add
            self.maybe_none.add(var)

    def _accumulate(self, var: str, expr: gast.expr, out: list[gast.stmt], mask) -> None:
        self.zero_masks.setdefault(var, []).append(mask)
        if var in getattr(self, "narrow", ()):  # a float64 value of a float32 sweep
            expr = call("_s2s.narrow", expr, constant(self.narrow[var]))
        adj = self.adjoint_names[var]
        count = self.count.get(var, 0)
        if count == 0:
            out.append(assign(adj, expr))
        elif (
            var in self.undefined or var in self.maybe_none or var in getattr(self, "scattered", ())
        ):  # add with the kinds' algebra (item by item for a list of parts)
            out.append(assign(adj, call("_s2s.add", name(adj), expr)))
        else:
            node = assign(adj, gast.BinOp(left=name(adj), op=gast.Add(), right=expr))
            node.s2s_owned = count >= 2  # the buffer is ours: optimize may add in place
            out.append(node)
        self.count[var] = count + 1

    def scatter(
        self, var: str, key: gast.expr, expr: gast.expr, out: list[gast.stmt], mask=None
    ) -> None:
        """Scatter-add ``expr`` at ``key`` into ``var``'s buffer, making the buffer owned first."""
        self.zero_masks.setdefault(var, []).append(mask)
        adj = self.adjoint_names[var]
        count = self.count.get(var, 0)
        functional = getattr(self, "functional", False)  # higher order: a new array each time
        container = var in getattr(self, "call_results", ())  # maybe a tuple or a list
        if var in self.undefined or var in self.maybe_none or functional or container:
            total = name(adj) if count else constant(None)
            key_expr = slice_to_call(copy_tree(key))
            out.append(assign(adj, call("_s2s.scatter", total, name(var), key_expr, expr)))
            self.count[var] = count + 1
            if not hasattr(self, "scattered"):
                self.scattered: set[str] = set()
            self.scattered.add(var)  # maybe a list of parts: later additions go item by item
            return
        if var in getattr(self, "narrow", ()):  # a float64 value of a float32 sweep
            expr = call("_s2s.narrow", expr, constant(self.narrow[var]))
        if count == 0:
            proven = None  # in a loop, zeros of a proven shape need not tape the value
            if getattr(self, "dynamic", False):
                proven = self.proven_zeros(var)
            zeros = proven if proven is not None else call("_s2s.zeros_like_acc", name(var))
            if var in getattr(self, "narrow", ()):
                zeros = call("_s2s.narrow", zeros, constant(self.narrow[var]))
            out.append(assign(adj, zeros))
        backend = getattr(self.ir, "backend", NUMPY)  # the arguments' array namespace
        if count == 1 and not backend.functional_scatter:
            out.append(assign(adj, call("_s2s.owned_copy", name(adj), name(var))))
        if backend.functional_scatter or (
            backend is not NUMPY and not _is_static_basic_key(key)
        ):  # Dask: no in-place scatter; CuPy: index arrays copied to the device first
            if backend.functional_scatter:
                text = f"{backend.name}: no in-place scatter-add, so a new array"
                out.append(gast.Expr(value=call("__s2s_comment__", constant(text))))
            key_expr = slice_to_call(copy_tree(key))
            out.append(assign(adj, call("_s2s.scatter_add", name(adj), key_expr, expr)))
        elif _is_static_basic_key(key):
            target = gast.Subscript(
                value=name(adj), slice=_as_subscript_key(copy_tree(key)), ctx=gast.Store()
            )
            out.append(gast.AugAssign(target=target, op=gast.Add(), value=expr))
        else:
            args = [name(adj), slice_to_call(copy_tree(key)), expr]
            out.append(gast.Expr(value=call("_np.add.at", *args)))
        self.count[var] = max(count + 1, 2)

    # -- one statement -------------------------------------------------------------------------
