"""Stores: a zero buffer's first write and the accumulations into the same region after it,
one store.

:mod:`s2s.reverse.simplify` writes the first contribution into a new zero buffer as a store
(``d_x[:-1] = e1``, marked with the buffer's dtype); a later ``d_x[:-1] -= e2`` into the same
region is then a second pass over it (a view, the subtraction in place, a copy back). Within one
straight run of statements of the adjoint sweep, this pass writes the two as one store,
``d_x[:-1] = e1 - e2``, where

* ``e1`` is of the buffer's dtype and ``e2`` of a real float dtype or a Python number (proven,
  :mod:`s2s.reverse.simplify`'s facts), and ``e2`` does not read the buffer;
* the statements between neither read nor write the buffer, nor rebind a name ``e1`` or the
  region's key reads, nor call anything but numpy ufuncs (or make a new zero buffer), nor
  write into any array but another private buffer (one no other name reads): nothing between
  can change what ``e1`` reads, so it may be computed later.

Rosenbrock's gradient, before and after:

    d_x[:-1] = -2 * subtract_2
    d_subtract_1 = 200.0 * subtract_1
    d_x[:-1] -= d_subtract_1 * (2 * getitem_2)

    d_subtract_1 = 200.0 * subtract_1
    d_x[:-1] = -2 * subtract_2 - d_subtract_1 * (2 * getitem_2)

The same bits: the in-place form computes ``e1 op e2`` with ``e1`` as stored (of the buffer's
dtype, so unchanged) and the same promotion, and stores it in the buffer's dtype; a real
``e2`` makes the in-place form's ``same_kind`` cast and the store's cast the same.
"""

from __future__ import annotations

import gast
import numpy as np

from s2s.codegen.sweeps import Sweeps, is_comment_marker
from s2s.codegen.walking import name_list, walk
from s2s.reverse.peephole import private_buffers
from s2s.reverse.simplify import Arr, Num


def merge_first_stores(sweeps: Sweeps) -> None:
    """Merge in ``sweeps.adjoint`` (see the module docstring), block by block."""
    private = None  # (found once, where a first store is)
    for block in sweeps.adjoint:
        body = block.body
        i = 0
        while i < len(body):
            if getattr(body[i], "s2s_first", None) is not None:
                private = set(private_buffers(sweeps)) if private is None else private
                if _merged(body, i, private):
                    continue  # the merged store may take the next accumulation too
            i += 1


def _merged(body: list[gast.stmt], i: int, private: set[str]) -> bool:
    store = body[i]
    target = store.targets[0]
    buffer = target.value.id
    moved = set(name_list(store.value)) | set(name_list(target.slice))
    for j in range(i + 1, len(body)):
        later = body[j]
        if is_comment_marker(later):
            continue
        names = set(name_list(later))
        if isinstance(later, gast.AugAssign) and buffer in names:
            if not _same_region(later.target, target) or buffer in name_list(later.value):
                return False
            fact = getattr(later, "s2s_value_fact", None)
            if not isinstance(later.op, (gast.Add, gast.Sub)) or not _real(fact):
                return False
            merged = gast.Assign(
                targets=[target],
                value=gast.BinOp(left=store.value, op=type(later.op)(), right=later.value),
                type_comment=None,
            )
            merged.s2s_first = store.s2s_first
            body[j] = gast.copy_location(merged, later)
            del body[i]
            return True
        if buffer in names or not _between(later, private - moved) or moved & _stored(later):
            return False
    return False


def _between(stmt: gast.stmt, others: set[str]) -> bool:
    """A statement ``e1`` may move past: an assignment of names from ufuncs (or a new zero
    buffer), or a write into another private buffer (which no other name reads) of such."""
    if isinstance(stmt, (gast.AugAssign, gast.Assign)):
        target = stmt.target if isinstance(stmt, gast.AugAssign) else stmt.targets[0]
        if isinstance(target, gast.Subscript) and (isinstance(stmt, gast.AugAssign)
                                                   or len(stmt.targets) == 1):  # fmt: skip
            base = target
            while isinstance(base, gast.Subscript):
                base = base.value
            return isinstance(base, gast.Name) and base.id in others and _ufuncs_only(
                stmt.value) and _ufuncs_only(target.slice)  # fmt: skip
    if isinstance(stmt, gast.Assign) and _is_zeros(stmt.value):
        return all(isinstance(t, gast.Name) for t in stmt.targets)
    return _plain(stmt)


def _is_zeros(node: gast.expr) -> bool:
    return (isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute)
            and isinstance(node.func.value, gast.Name) and node.func.value.id == "_s2s"
            and node.func.attr == "zeros_like_acc" and not node.keywords
            and all(isinstance(a, gast.Name) for a in node.args))  # fmt: skip


def _same_region(a: gast.expr, b: gast.expr) -> bool:
    return gast.dump(a) == gast.dump(b)


def _real(fact: object) -> bool:
    """A value of a real float dtype (an array's fact) or a Python number."""
    if isinstance(fact, Num):
        return fact.weak and type(fact.value) in (int, float)
    return isinstance(fact, Arr) and fact.dtype.kind == "f"


def _plain(stmt: gast.stmt) -> bool:
    """An assignment of names whose only calls are numpy ufuncs without keywords."""
    return isinstance(stmt, gast.Assign) and all(
        isinstance(t, gast.Name) for t in stmt.targets) and _ufuncs_only(stmt.value)


def _ufuncs_only(expr: gast.expr) -> bool:
    for node in walk(expr):
        if isinstance(node, gast.Call):
            func = node.func
            if node.keywords or not (
                isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name)
                and func.value.id == "_np" and isinstance(getattr(np, func.attr, None), np.ufunc)
            ):  # fmt: skip
                return False
    return True


def _stored(stmt: gast.stmt) -> set[str]:
    """The names ``stmt`` binds (a write into a buffer binds none)."""
    if isinstance(stmt, gast.Assign):
        return {t.id for t in stmt.targets if isinstance(t, gast.Name)}
    return set()
