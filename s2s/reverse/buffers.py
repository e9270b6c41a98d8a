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

import operator

import gast

from s2s.codegen.ir import SETITEM, atom_names
from s2s.codegen.sweeps import assign, call
from s2s.codegen.templating import constant, name, slice_to_call, subscript_key
from s2s.codegen.walking import copy_tree, walk
from s2s.reverse.state import SweepState
from s2s.runtime import acc_dtype
from s2s.runtime.namespace import NUMPY


def _as_subscript_key(key: gast.expr) -> gast.expr:
    return subscript_key(key)


def _is_static_basic_key(key: gast.expr, types: dict | None = None) -> bool:
    """A key of slices (any bounds), integer constants, ``None``, ``...`` and names proven
    integer scalars in ``types`` (a loop's ``i``): each entry is selected at most once, so
    ``buf[key] += g`` is exact (other names may hold index arrays, with repeated entries)."""
    key = _as_subscript_key(key)
    items = key.elts if isinstance(key, gast.Tuple) else [key]
    for item in items:
        if isinstance(item, gast.Slice):
            continue
        if isinstance(item, gast.Constant) and (
            item.value is None or item.value is Ellipsis or type(item.value) is int
        ):
            continue
        if isinstance(item, gast.Name) and types is not None:
            known = types.get(item.id)
            if known is not None and known.kind == "int" and known.array is False:
                continue
        return False
    return True


class Accumulation:
    """Adds contributions into the adjoint buffers of a :class:`~s2s.reverse.state.SweepState`.

    ``state.count[var]`` is how many contributions ``var`` received: 0 means a symbolic zero
    (no buffer), 1 a borrowed buffer (someone else's array), 2 or more a buffer s2s allocated,
    which ``optimize`` may add into in place. Buffers on paths that may carry an undefined
    marker or ``None`` are added functionally with ``_s2s.add``.
    """

    def __init__(self, state: SweepState):
        self.state = state
        self._indexed: set[str] | None = None  # (see scalar_zero)

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
        st = self.state
        if may_be_none and st.count.get(var, 0):  # `d + None` would fail: add by the kinds
            st.maybe_none.add(var)
        if st.tracked:
            self._accumulate(var, expr, out, mask)
            if may_be_none or var in st.ir.lists:
                st.maybe_none.add(var)
            elif var in st.maybe_none:  # None plus an array is that array (borrowed)
                st.maybe_none.discard(var)
                st.count[var] = 1
            return
        self._accumulate(var, expr, out, mask)
        if may_be_none:  # the buffer may now be None: later additions use _s2s.add
            st.maybe_none.add(var)

    def bound_mask(self, mask: gast.expr | None, out: list[gast.stmt]) -> gast.expr | None:
        """``mask`` as a name bound now, inside a reversed loop body: a mask is otherwise
        computed where the buffer is consumed, by which time a name it reads (``c`` of
        ``np.where(c, r, 0)``, taped in the loop) may hold an earlier trip's value."""
        if not self.state.loop_depth or not isinstance(mask, gast.expr):
            return mask
        if isinstance(mask, (gast.Name, gast.Constant)):
            return mask
        fresh = self.state.names.fresh("mask", always_number=True)
        node = assign(fresh, mask)
        node.s2s_pure = True  # dropped where no partial reads it
        out.append(node)
        return name(fresh)

    def _accumulate(self, var: str, expr: gast.expr, out: list[gast.stmt], mask) -> None:
        st = self.state
        st.zero_masks.setdefault(var, []).append(self.bound_mask(mask, out))
        if var in st.narrow:  # a float64 value of a float32 sweep
            expr = call("_s2s.narrow", expr, constant(st.narrow[var]))
        adj = st.adjoint_names[var]
        count = st.count.get(var, 0)
        if count == 0:
            out.append(assign(adj, expr))
        elif (
            var in st.undefined or var in st.maybe_none or var in st.scattered
            or _maybe_parts(st, var)
        ):  # add with the kinds' algebra (item by item for a list of parts)
            out.append(assign(adj, call("_s2s.add", name(adj), expr)))
        else:
            node = assign(adj, gast.BinOp(left=name(adj), op=gast.Add(), right=expr))
            node.s2s_owned = count >= 2  # the buffer is ours: optimize may add in place
            out.append(node)
        st.count[var] = count + 1

    def scatter(
        self, var: str, key: gast.expr, expr: gast.expr, out: list[gast.stmt], mask=None
    ) -> None:
        """Scatter-add ``expr`` at ``key`` into ``var``'s buffer, making the buffer owned first."""
        st = self.state
        st.zero_masks.setdefault(var, []).append(self.bound_mask(mask, out))
        adj = st.adjoint_names[var]
        count = st.count.get(var, 0)
        functional = st.functional  # higher order: a new array each time
        container = var in st.call_results  # maybe a tuple or a list
        known = st.activity.types.get(var)  # a value of derivative code of no known type may
        container = container or (known is not None and known.kind == "unknown")  # be parts
        if var in st.undefined or var in st.maybe_none or functional or container:
            total = name(adj) if count else constant(None)
            if not count and functional and var in _user_call_results(st):  # a list of parts
                # with no None item: it goes on as a pullback's cotangent, whose items,
                # flattened leaf by leaf two orders up, would lose their places where one is None
                total = call("_s2s.zero_tangent", name(var))
            key_expr = slice_to_call(copy_tree(key))
            out.append(assign(adj, call("_s2s.scatter", total, name(var), key_expr, expr)))
            st.count[var] = count + 1
            st.scattered.add(var)  # maybe a list of parts: later additions go item by item
            return
        if var in st.narrow:  # a float64 value of a float32 sweep
            expr = call("_s2s.narrow", expr, constant(st.narrow[var]))
        if count == 0:
            proven = None  # in a loop, zeros of a proven shape need not tape the value
            if st.dynamic and var not in st.straight:
                proven = self.proven_zeros(var)
            zeros = proven if proven is not None else call("_s2s.zeros_like_acc", name(var))
            if var in st.narrow:
                zeros = call("_s2s.narrow", zeros, constant(st.narrow[var]))
            out.append(assign(adj, zeros))
        backend = getattr(st.ir, "backend", NUMPY)  # the arguments' array namespace
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
        elif _is_static_basic_key(key, st.activity.types):
            target = gast.Subscript(
                value=name(adj), slice=_as_subscript_key(copy_tree(key)), ctx=gast.Store()
            )
            out.append(gast.AugAssign(target=target, op=gast.Add(), value=expr))
        else:
            args = [name(adj), slice_to_call(copy_tree(key)), expr]
            out.append(gast.Expr(value=call("_np.add.at", *args)))
        st.count[var] = max(count + 1, 2)


    # -- zeros of a proven shape -------------------------------------------------------------
    def proven_zeros(self, var: str) -> gast.expr | None:
        """Zeros of ``var``'s proven shape in its accumulator dtype, or ``None`` if not proven."""
        st = self.state
        known = st.activity.types.get(var)
        skip = set(st.ir.lists) | set(st.narrow) | st.call_results
        if getattr(st.ir, "backend", NUMPY) is not NUMPY:
            return None
        if known is None or known.shape is None or known.kind != "float" or var in skip:
            return None
        if known.dtype is None or var not in st.adjoint_names:
            return None
        dtype = acc_dtype(known.dtype).name
        # a 0-d array, not a numpy scalar: an indexed accumulation (d_v[None] += g) writes into it
        return call("_np.zeros", constant(known.shape), constant(dtype))

    def scalar_zero(self, var: str) -> gast.expr | None:
        """``_np.float64(0.0)`` (the accumulator dtype) for a proven 0-d float ``var`` that no
        statement indexes, else ``None``. Its buffer is then a numpy scalar, which ``+=``
        rebinds: an in-place ``+=`` into a 0-d array costs about 1.2 us, into a scalar 30 ns
        (the Euler loop's 20,000 trips add twice each). An indexed read (``v[None]``) scatters
        ``d_v[None] += g`` into the buffer, which a scalar cannot take."""
        zeros = self.proven_zeros(var)
        if zeros is None or self.state.activity.types[var].shape != ():
            return None
        if self._indexed is None:  # once per sweep: the primal statements do not change
            self._indexed = _indexed(self.state.ir.flat)
        if var in self._indexed:
            return None
        dtype = zeros.args[1].value
        return call(f"_np.{dtype}", constant(0.0))


def _indexed(flat: list) -> set[str]:
    """The names the primal statements ``flat`` index: written into (``v[k] = e``), read
    from (``v[k]``, as a statement or inside an expression)."""
    names: set[str] = set()
    for stmt in flat:
        if stmt.op is SETITEM:
            names.add(stmt.targets[0])
        if stmt.op is operator.getitem:
            names.update(n for a in stmt.args[:1] for n in atom_names(a))
        for node in walk(stmt.expr) if stmt.expr is not None else ():
            if isinstance(node, gast.Subscript) and isinstance(node.value, gast.Name):
                names.add(node.value.id)
    return names


def _maybe_parts(st: SweepState, var: str) -> bool:
    """Whether ``var``'s cotangent may be a list of parts that ``+`` would concatenate: a
    list-valued call's result, or, in a derivative differentiated again, a value not known to
    be an array (``d_parts = _s2s.unbroadcast(...)`` of a list's cotangent)."""
    if var in st.call_results:
        return True
    known = st.activity.types.get(var)
    generated = getattr(st.primal.func, "__s2s_generated__", False)
    return generated and (known is None or known.array is not True)


def _user_call_results(st: SweepState) -> set[str]:
    """The values of calls of the user's own functions (their pullbacks' tuples of parts, in
    code differentiated again), found once per sweep."""
    found = getattr(st, "_user_call_results", None)
    if found is None:
        found = {t for i, s in enumerate(st.ir.flat) for t in s.targets
                 if getattr(st.activity.bindings.get(i), "callee", None) is not None}  # fmt: skip
        st._user_call_results = found
    return found


def dense_list_scatters(blocks: list) -> None:
    """In code differentiated again, ``_s2s.scatter(None, ref, key, g)`` starts from
    ``_s2s.zero_tangent(ref)``: the same array for an array ``ref``, and for a list or tuple
    of parts a list with zeros, not ``None``, for the items ``key`` misses. Such a list goes
    on as a pullback's cotangent (the ``gathered`` rule's transpose writes one too), whose
    leaves the next orders take apart one by one, where a ``None`` leaf lost its place (a
    silently wrong sixth derivative through a helper)."""
    for block in blocks:
        for stmt in block.body:
            for node in walk(stmt):
                if (
                    isinstance(node, gast.Call)
                    and isinstance(node.func, gast.Attribute)
                    and node.func.attr == "scatter"
                    and isinstance(node.func.value, gast.Name)
                    and node.func.value.id == "_s2s"
                    and len(node.args) == 4
                    and isinstance(node.args[0], gast.Constant)
                    and node.args[0].value is None
                ):
                    node.args[0] = call("_s2s.zero_tangent", copy_tree(node.args[1]))
