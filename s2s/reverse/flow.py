"""Flow: what generation knows of each adjoint buffer at each point of a sweep with control flow.

In a sweep through branches and loops, an adjoint buffer is, at each program point, either
surely ``None`` (a symbolic zero), surely an array (borrowed, or owned by s2s), or either of
the two depending on the path taken at run time. Only the last needs a runtime test
(``_s2s.add`` or ``if d is not None``). Arms of a branch start from the same state and join
after it; a loop body is generated until its state at the back edge adds nothing to its state
at entry (a fixpoint of a finite lattice, reached in two or three passes). This is the
classic forward dataflow analysis of compilers (Aho, Lam, Sethi, Ullman, "Compilers", 9.2)
applied to the adjoint sweep; it keeps the straight-line rule of DESIGN 5 (first contribution
borrowed, second a new sum, later ones in place) inside loops wherever the state is known.

Before: ``w`` gets a contribution in every trip; after, its buffer is made owned before the
reversed loop and added into in place, while ``d_h`` is replaced each trip:

>>> import numpy as np, s2s
>>> def fl(w, x):
...     h = np.zeros(3)
...     for t in range(x.shape[0]):
...         h = np.tanh(h * w + x[t])
...     return np.sum(h)
>>> for line in s2s.grad(fl).source.splitlines():
...     if line.strip().startswith(("d_w", "d_h =")):
...         print(line.strip())
d_h = _s2s.unreduce(_np.float64(1.0), h, None, False)
d_w = _s2s.zeros_like_acc(w)
d_h = None
d_h = _s2s.unbroadcast(d_multiply_1 * w, h)
d_w += _s2s.unbroadcast(d_multiply_1 * h, w)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gast

from s2s.codegen.ir import SETITEM, Loop, atom_names, flatten
from s2s.codegen.sweeps import assign, call
from s2s.codegen.templating import constant, name
from s2s.codegen.walking import copy_tree
from s2s.reverse.buffers import Accumulation
from s2s.reverse.state import SweepState
from s2s.runtime.namespace import NUMPY

State = tuple[dict[str, int], frozenset[str]]


def join(a: State, b: State) -> State:
    """The state after either of two paths: a buffer set on one path only may be ``None``;
    one set on both is owned only if owned on both."""
    count_a, maybe_a = a
    count_b, maybe_b = b
    count: dict[str, int] = {}
    maybe = set(maybe_a | maybe_b)
    for var in set(count_a) | set(count_b):
        x, y = count_a.get(var, 0), count_b.get(var, 0)
        if x and y:
            count[var] = min(x, y)
        elif x or y:
            count[var] = 1
            maybe.add(var)
    return count, frozenset(maybe)


class AdjointFlow:
    """The buffers' kinds through the branches and loops of an adjoint sweep.

    ``state.count`` (0 zero, 1 borrowed, 2+ owned) and ``state.maybe_none`` (may be ``None``
    at run time) of the :class:`~s2s.reverse.state.SweepState` are what flows; the invariant
    is that a buffer whose count is 0 holds ``None``. ``buffers`` makes the owned zeros.
    """

    def __init__(self, state: SweepState, buffers: Accumulation):
        self.state = state
        self.buffers = buffers

    def flow_state(self) -> State:
        return {v: c for v, c in self.state.count.items() if c}, frozenset(self.state.maybe_none)

    def set_flow_state(self, state: State) -> None:
        self.state.count = dict(state[0])
        self.state.maybe_none = set(state[1])

    def _generation_snapshot(self) -> tuple[Any, ...]:
        return (
            set(self.state.names.taken),
            {var: list(masks) for var, masks in self.state.zero_masks.items()},
            set(self.state.undefined),
        )

    def _restore_generation(self, snapshot: tuple[Any, ...]) -> None:
        taken, masks, undefined = snapshot
        self.state.names.taken = set(taken)
        self.state.zero_masks = {var: list(m) for var, m in masks.items()}
        self.state.undefined = set(undefined)

    def arms(self, *generators: Callable[[], list[gast.stmt]]) -> list[list[gast.stmt]]:
        """Generate each arm of a branch from the current state; afterwards the state is the
        join of the arms' end states."""
        start = self.flow_state()
        masks = {var: list(m) for var, m in self.state.zero_masks.items()}
        results: list[list[gast.stmt]] = []
        ends: list[State] = []
        end_masks: list[dict[str, list]] = []
        changed: set[str] = set()
        for generate in generators:
            self.set_flow_state(start)
            self.state.zero_masks = {var: list(m) for var, m in masks.items()}
            results.append(generate())
            ends.append(self.flow_state())
            end_masks.append(self.state.zero_masks)
            changed |= {v for v, m in self.state.zero_masks.items() if m != masks.get(v)}
        merged = ends[0]
        for end in ends[1:]:
            merged = join(merged, end)
        self.set_flow_state(merged)
        self.state.zero_masks = masks
        for var in sorted(changed):
            masks.setdefault(var, []).append(self._joined_mask(var, masks[var], end_masks, results))
        return results

    def _joined_mask(self, var: str, before: list, end_masks: list, results: list) -> Any:
        """The mask of what the arms of a branch added to ``var``'s buffer, bound to one name
        at the end of every arm (a mask made in one arm is unbound when another ran): the
        arm's own masks joined, ``True`` where the arm added nothing (zero everywhere).
        ``None`` (no selection known) when some arm's addition has no mask."""
        added = []
        for masks in end_masks:
            got = masks.get(var, [])
            if got[: len(before)] != before or any(m is None for m in got[len(before):]):
                return None
            added.append(got[len(before):])
        joined = self.state.names.fresh("mask", always_number=True)
        for body, parts in zip(results, added):
            value = copy_tree(parts[0]) if parts else constant(True)
            for part in parts[1:]:
                value = call("_s2s.both", value, copy_tree(part))
            node = assign(joined, value)
            node.s2s_pure = True  # dropped where no partial reads it
            body.append(node)
        return name(joined)

    def loop_body(
        self,
        generate: Callable[[], list[gast.stmt]],
        before: list[gast.stmt] | None = None,
        decided: Callable[[State], bool] | None = None,
    ) -> list[gast.stmt] | None:
        """Generate a loop body (run zero or more times) from the join of its entry state and
        its own end state, iterating to the fixpoint; the state after is that join.

        A buffer set at the back edge may hold what earlier trips added, so its selection mask
        is not known from one trip's contributions. With ``before`` (the statements ahead of
        the loop), such a buffer whose contributions all carry masks gets a mask carried
        across the back edge (:meth:`_carried`): bound before the loop to the mask at entry
        (``True`` for a zero buffer), and-ed at the end of each trip with the trip's masks.
        Otherwise no selection is known for it in the loop or after.

        ``decided`` is asked about each widened entry state short of the fixpoint; where it
        answers true, the run is undone (the state is the one before it) and ``None`` is
        returned (:meth:`carried_loop_body`)."""
        entry = first = self.flow_state()
        start = {v: list(m) for v, m in self.state.zero_masks.items()}
        start_count = dict(self.state.count)
        refused: set[str] = set()
        while True:
            snapshot = self._generation_snapshot()
            self.set_flow_state(entry)
            carried = {} if before is None else self._carried(entry, start, start_count, refused)
            for var in entry[0]:  # it may hold what a later trip's body added (the back edge),
                if var in carried:  # so its mask is the one carried, or no selection is known
                    self.state.zero_masks[var] = [name(carried[var][0])]
                else:
                    self.state.zero_masks.setdefault(var, []).append(None)
            self.state.loop_depth += 1
            try:
                body = generate()
            finally:
                self.state.loop_depth -= 1
            widened = join(entry, self.flow_state())
            if widened == entry:
                unmasked = self._close_carried(carried, body)
                if unmasked:  # some trip adds to it without a mask: generate again without
                    refused |= unmasked
                    self._restore_generation(snapshot)
                    continue
                for var, (mask, initial) in carried.items():
                    node = assign(mask, initial)
                    node.s2s_pure = True  # dropped where no partial reads it
                    before.append(node)
                    self.state.zero_masks[var] = [name(mask)]
                for var, masks in self.state.zero_masks.items():
                    if not entry[0].get(var) and masks != snapshot[1].get(var, []):
                        masks.clear()  # zero after the loop: no trip's mask (maybe unbound) applies
                self.set_flow_state(entry)
                return body
            self._restore_generation(snapshot)
            if decided is not None and decided(widened):
                self.set_flow_state(first)
                return None
            entry = widened

    def _carried(
        self, entry: State, start: dict, start_count: dict, refused: set[str]
    ) -> dict[str, tuple[str, gast.expr]]:
        """The buffers set at the back edge whose mask at the loop's entry is known: each
        one's carried mask name and its value before the first trip (``True`` where the
        buffer is zero then, the entry's masks joined otherwise)."""
        carried: dict[str, tuple[str, gast.expr]] = {}
        for var in sorted(entry[0]):
            if var in refused or not _known_at_entry(var, start, start_count):
                continue
            masks = start.get(var, [])
            if not start_count.get(var, 0):
                initial: gast.expr = constant(True)
            else:
                initial = copy_tree(masks[0])
                for other in masks[1:]:
                    initial = call("_s2s.both", initial, copy_tree(other))
            carried[var] = (self.state.names.fresh("mask", always_number=True), initial)
        return carried

    def _close_carried(self, carried: dict, body: list[gast.stmt]) -> set[str]:
        """At the end of the trip, each carried mask becomes the mask of its buffer then: the
        masks of what the trip added and-ed with the carried one (or with what replaced it:
        an inner loop's carried mask, which started from it; none where the buffer went back
        to zero). Returns the buffers some contribution of which has no mask (they cannot be
        carried)."""
        unmasked: set[str] = set()
        for var, (mask, _) in carried.items():
            masks = self.state.zero_masks.get(var, [])
            if any(m is None for m in masks):
                unmasked.add(var)
                continue
            if len(masks) == 1 and isinstance(masks[0], gast.Name) and masks[0].id == mask:
                continue  # nothing added
            value: gast.expr = copy_tree(masks[0]) if masks else constant(True)
            for part in masks[1:]:
                value = call("_s2s.both", value, copy_tree(part))
            node = assign(mask, value)
            node.s2s_pure = True  # dropped where no partial reads it
            body.append(node)
        return unmasked

    # -- leaf accumulators ---------------------------------------------------------------------
    def leaf_accumulators(self, loop: Loop) -> list[str]:
        """Parameters that only receive contributions in ``loop``'s body (never reassigned,
        never carrying an undefined marker): their buffers can be owned zeros before the loop,
        so every step adds in place, as hand-written back-propagation does."""
        assigned = {t for s in self.state.ir.flat for t in s.targets}
        assigned |= {s.targets[0] for s in self.state.ir.flat if s.op is SETITEM}
        leaves = {
            p.name
            for p in self.state.ir.params
            if p.name in self.state.adjoint_names
            and p.name not in assigned
            and p.name not in self.state.undefined
            and p.name not in self.state.ir.lists
        }
        read: list[str] = []
        for stmt in flatten(loop.body + loop.test_body):
            if not any(t in self.state.activity.active for t in stmt.targets):
                continue
            for atom in stmt.args + list(stmt.kwargs.values()):
                for n in atom_names(atom):
                    if n in leaves and n not in read:
                        read.append(n)
        return read

    def own_leaf_buffers(self, loop: Loop) -> list[gast.stmt]:
        """Before a reversed loop: make each leaf accumulator an owned buffer (zeros, or a copy
        of what it holds) so that the loop's contributions are added in place."""
        out: list[gast.stmt] = []
        for var in self.leaf_accumulators(loop):
            adj = self.state.adjoint_names[var]
            count = self.state.count.get(var, 0)
            if count >= 2 and var not in self.state.maybe_none:
                continue
            if count == 0:
                zeros = self.buffers.scalar_zero(var)  # a 0-d float: a numpy scalar, as by hand
                zeros = zeros or call("_s2s.zeros_like_acc", name(var))
                out.append(assign(adj, zeros))
            else:
                out.append(assign(adj, call("_s2s.owned_buffer", name(adj), name(var))))
            self.state.count[var] = 2
            self.state.maybe_none.discard(var)
        return out

    # -- carried buffers of proven shape -------------------------------------------------------
    def carried_loop_body(
        self, generate: Callable[[], list[gast.stmt]], before: list[gast.stmt]
    ) -> list[gast.stmt]:
        """What :meth:`zero_carried_buffers` and then, where it gives ``None``,
        :meth:`loop_body` with ``before`` give (the same body, statements and state), with
        fewer runs of ``generate``.

        ``zero_carried_buffers`` runs the body to its fixpoint without ``before`` only to learn
        which buffers it makes zeros, when some buffer's mask is known at entry or some is
        made zeros (and the body is made again). The entry state widens monotonically, so
        where a trip short of the fixpoint already shows one of those, the body will be made
        again: here it is, at once, with the buffers that trip would make zeros. That run's
        fixpoint sets every buffer the skipped trips would have set (a buffer set at entry
        only adds contributions), so if none it sets is one more that would be made zeros,
        the zeros are those ``zero_carried_buffers`` would make, and so is the body.
        Otherwise everything is undone and made as there (15 of the 2449 carried loops the
        test suite makes, each then at the cost of both ways)."""
        st = self.state
        if getattr(st.ir, "backend", NUMPY) is not NUMPY or st.undefined:
            return self.loop_body(generate, before)
        entry = self.flow_state()
        snapshot = self._generation_snapshot()
        start, start_count, ahead = snapshot[1], dict(st.count), len(before)
        zeroed: list[list[tuple[str, gast.expr]]] = []

        def decided(widened: State) -> bool:
            zeroed.append(self._zeroed(entry, widened))
            return bool(zeroed[-1]) or any(_known_at_entry(v, start, start_count)
                                           for v in widened[0])  # fmt: skip

        body = self.loop_body(generate, decided=decided)
        exact = body is not None
        if exact:  # the fixpoint came first: decide there, as zero_carried_buffers does
            widened = self.flow_state()
            made = self._zeroed(entry, widened)
            if not made and not any(_known_at_entry(v, start, start_count) for v in widened[0]):
                return body
            self._restore_generation(snapshot)
            self.set_flow_state(entry)
        else:
            made = zeroed[-1]
        for var, zeros in made:
            before.append(assign(st.adjoint_names[var], zeros))
            st.count[var] = 2
        body = self.loop_body(generate, before) or []
        if exact or self._none_missed(entry, {var for var, _ in made}):
            return body
        self._restore_generation(snapshot)  # some trip short of the fixpoint would have set
        self.set_flow_state(entry)  # another buffer made zeros: as zero_carried_buffers does
        del before[ahead:]
        body = self.zero_carried_buffers(generate, before)
        return self.loop_body(generate, before) if body is None else body

    def _none_missed(self, entry: State, chosen: set[str]) -> bool:
        """After a loop body made with the buffers ``chosen`` made zeros before it: whether no
        other buffer ``None`` at ``entry`` (the state before those zeros) is set at the back
        edge with proven zeros (one that a fixpoint run from ``entry`` might have made zeros)."""
        after = self.flow_state()  # its buffers set at the back edge: maybe None at entry
        widened = (after[0], after[1] | frozenset(after[0]) | entry[1])
        return all(var in chosen for var, _ in self._zeroed(entry, widened))

    def _zeroed(self, entry: State, widened: State) -> list[tuple[str, gast.expr]]:
        """The buffers ``None`` at entry that the loop leaves maybe ``None`` (set at the back
        edge) and whose zeros are proven, with their zeros (see
        :meth:`zero_carried_buffers`)."""
        zeroed: list[tuple[str, gast.expr]] = []
        for var in sorted(widened[1] - entry[1]):
            zeros = self.buffers.scalar_zero(var) or self.buffers.proven_zeros(var)
            if zeros is not None and not entry[0].get(var, 0):
                zeroed.append((var, zeros))
        return zeroed

    def zero_carried_buffers(
        self, generate: Callable[[], list[gast.stmt]], before: list[gast.stmt]
    ) -> list[gast.stmt] | None:
        """Before a reversed loop: a buffer that is ``None`` on entry but set at the back edge
        (``d_p`` of a loop-carried ``p``, ``d_q`` of a value read in every trip) would need a
        runtime test in every trip (``if d_p is not None``, ``_s2s.add``). Where the primal's
        shape and dtype are proven, it starts as owned zeros instead, as written by hand
        (``d_p = _np.float64(0.0)``, see :meth:`Accumulation.scalar_zero`), appended to
        ``before`` (the statements ahead of the loop), and the body is generated with it
        surely set.

        ``generate`` makes the loop body; :meth:`loop_body` runs it here (without ``before``)
        to find the buffers that its fixpoint leaves maybe ``None``. Where none of them is made
        zeros and no buffer set at the back edge has a mask to carry (so ``before`` would get
        nothing), that run is the loop's own (the same entry state, so the same body): its body
        is returned and the state is the one after the loop. Otherwise the run is undone and
        ``None`` is returned: the caller generates the body again with :meth:`loop_body`."""
        if getattr(self.state.ir, "backend", NUMPY) is not NUMPY or self.state.undefined:
            return None
        entry = self.flow_state()
        snapshot = self._generation_snapshot()
        start, start_count = snapshot[1], dict(self.state.count)
        body = self.loop_body(generate)
        widened = self.flow_state()
        zeroed = self._zeroed(entry, widened)
        if not zeroed and not any(_known_at_entry(v, start, start_count) for v in widened[0]):
            return body  # no mask to carry either: this run without ``before`` is the loop's own
        self._restore_generation(snapshot)
        self.set_flow_state(entry)
        for var, zeros in zeroed:
            before.append(assign(self.state.adjoint_names[var], zeros))
            self.state.count[var] = 2
        return None


def _known_at_entry(var: str, start: dict, start_count: dict) -> bool:
    """Whether the mask of ``var``'s buffer before a loop's first trip is known (a mask that
    :meth:`AdjointFlow.loop_body` may carry across the back edge): the buffer is zero then, or
    each of its contributions so far has a mask."""
    masks = start.get(var, [])
    return not start_count.get(var, 0) or bool(masks) and all(m is not None for m in masks)
