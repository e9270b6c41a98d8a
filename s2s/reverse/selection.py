"""Selection masks: cotangent entries that are zero because a selection did not pick them.

Before: ``np.maximum`` selects one operand per entry; after, the cotangent goes to the entries
that were selected:

>>> import numpy as np, s2s
>>> def r(x):
...     return np.sum(np.maximum(x, 0.0))
>>> [line.strip() for line in s2s.grad(r).source.splitlines() if "share" in line]
['d_x = _s2s.maximum_share(d_maximum_1, x, 0.0)']
"""

from __future__ import annotations

from typing import Any

import gast

from s2s import registry
from s2s.codegen.ir import atom_names
from s2s.codegen.sweeps import assign, call, live_locals
from s2s.codegen.templating import Contribution, constant, instantiate, name, slice_to_call
from s2s.codegen.walking import copy_tree
from s2s.reverse.state import SweepState


class SelectionMasks:
    """Mask tracking through the adjoint sweep (DESIGN 8): ``state.zero_masks[var]`` holds the
    mask of each contribution to ``var``'s buffer (``None``: no mask).

    Masks start at selections (``where``, ``maximum``, ``clip``, indexing), pass through
    elementwise, broadcast, reshape, transpose and indexing adjoints, and end at matmul,
    reductions and linalg. Elementwise adjoints with singular partials (``sqrt`` at 0) set
    masked entries to exactly zero (:mod:`s2s.reverse.adjoints`), so an unselected
    ``inf * 0`` never becomes ``nan``.
    """

    def __init__(self, state: SweepState):
        self.state = state

    def mask_of(self, var: str, out: list[gast.stmt]) -> gast.expr | None:
        """Where ``var``'s finished cotangent is zero by selection: every contribution's mask
        holds (``None`` when some contribution carries no mask)."""
        st = self.state
        masks = st.zero_masks.get(var, [])
        if not masks or any(m is None for m in masks):
            return None
        combined = masks[0]
        for other in masks[1:]:
            combined = call("_s2s.both", combined, other)
        if isinstance(combined, gast.Name):
            return combined
        mask = st.names.fresh("mask", always_number=True)
        node = assign(mask, combined)
        node.s2s_pure = True  # dropped where no partial reads it (a proven shape needs none)
        out.append(node)
        return name(mask)

    def selection_masks(self, atom, c: Contribution, mask):
        """The mask a selection rule declares (``zero_where``) or indexing implies, joined with
        the mask of the cotangent it routes."""
        st = self.state
        if isinstance(atom, tuple) or isinstance(atom, (gast.List, gast.Tuple)):
            return None
        var = atom_names(atom)[0]
        if var in st.ir.lists or var in st.call_results:
            return None  # a list's (or a call's tuple's) cotangent is one part per item
        if st.activity.types.get(var) is not None and st.activity.types[var].kind == "tuple":
            return None
        if c.zero_where is not None:
            own = c.zero_where if mask is None else call("_s2s.either", c.zero_where, mask)
            return call("_s2s.unbroadcast_mask", own, name(var))
        if c.key is not None:
            if getattr(st.activity.types.get(var), "array", None) is not True:
                return None  # maybe a list of parts (a derivative's `parts_1[1]`): no mask
            keep = [call("_s2s.kept", copy_tree(mask))] if mask is not None else []
            key = slice_to_call(copy_tree(c.key))
            return call("_s2s.unindexed", name(var), key, *keep)
        return None

    def carried_masks(self, rule, binding, outputs, mask, kept, out) -> dict[str, Any]:
        """Masks carried through a linear rule: its transpose applied to the kept entries is
        zero exactly where the input's cotangent is zero by selection."""
        st = self.state
        if rule.kind != registry.LINEAR or not rule.carries_masks:
            return {}
        params = {c.param for c in kept if c.key is None and c.zero_where is None}
        if not params:
            return {}
        keep = st.names.fresh("keep", always_number=True)
        statements, contributions = instantiate(
            rule, binding.arguments, outputs, [name(keep)], st.names
        )
        chosen = [c for c in contributions if c.param in params and c.key is None]
        if not chosen:
            return {}
        out.append(assign(keep, call("_s2s.kept", copy_tree(mask))))
        out.extend(live_locals(statements, [c.expr for c in chosen]))
        carried: dict[str, Any] = {}
        for c in chosen:
            if c.sequence or isinstance(binding.arguments[c.param], (tuple, gast.List, gast.Tuple)):
                parts = st.names.fresh("kept_parts", always_number=True)
                out.append(assign(parts, c.expr))
                carried[c.param] = [
                    call(
                        "_s2s.zero_entries",
                        gast.Subscript(value=name(parts), slice=constant(i), ctx=gast.Load()),
                    )
                    for i in range(_count(binding.arguments[c.param]))
                ]
            else:
                carried[c.param] = call("_s2s.zero_entries", c.expr)
        return carried


def _count(atom: Any) -> int:
    return len(atom) if isinstance(atom, tuple) else len(atom.elts)
