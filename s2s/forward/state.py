"""State: what generation knows of each tangent at one point of the forward sweep.

A tangent is, at each program point, a symbolic zero (``ZERO``: nothing computed; ``None`` at
run time where a branch or loop may join it with an array), an array (``DENSE``: maybe shared
with another tangent, never written in place), an array only this tangent holds (``OWNED``:
``x[key] = v`` writes into it), or either ``None`` or an array depending on the path taken at
run time (``MAYBE``: read through a test). Separately, a tangent may hold an undefined marker
(``s2s.Undefined``). Paths join as in any forward dataflow analysis (Aho, Lam, Sethi, Ullman,
"Compilers", 9.2): a loop body is generated until its state at the back edge adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ZERO = "zero"
MAYBE = "maybe"
DENSE = "dense"
OWNED = "owned"


def join_kinds(a: str, b: str) -> str:
    """The kind of a tangent after either of two paths."""
    if a == b:
        return a
    if ZERO in (a, b) or MAYBE in (a, b):
        return MAYBE
    return DENSE  # DENSE and OWNED: an array, but maybe shared


@dataclass(eq=False)
class TangentState:
    """The kind of every tangent (absent: ``ZERO``) and those that may hold a marker.

    >>> a = TangentState({"h": DENSE}); b = TangentState({"h": OWNED, "s": DENSE})
    >>> sorted(a.join(b).kinds.items())
    [('h', 'dense'), ('s', 'maybe')]
    """

    kinds: dict[str, str] = field(default_factory=dict)
    undefined: set[str] = field(default_factory=set)

    def kind(self, var: str) -> str:
        return self.kinds.get(var, ZERO)

    def set(self, var: str, kind: str) -> None:
        if kind == ZERO:
            self.kinds.pop(var, None)
        else:
            self.kinds[var] = kind

    def copy(self) -> TangentState:
        return TangentState(dict(self.kinds), set(self.undefined))

    def join(self, other: TangentState | None) -> TangentState:
        """The state after this path or ``other`` (``None``: a path that never arrives)."""
        if other is None:
            return self.copy()
        kinds = {}
        for var in set(self.kinds) | set(other.kinds):
            kind = join_kinds(self.kind(var), other.kind(var))
            if kind != ZERO:
                kinds[var] = kind
        return TangentState(kinds, self.undefined | other.undefined)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TangentState):
            return NotImplemented
        return self.kinds == other.kinds and self.undefined == other.undefined


@dataclass
class Jumps:
    """The states at the ``break`` and ``continue`` statements of the loop being generated."""

    breaks: list[TangentState] = field(default_factory=list)
    continues: list[TangentState] = field(default_factory=list)


def join_all(states: list[TangentState | None]) -> TangentState | None:
    """The join of several paths' states (``None`` if none arrives)."""
    result: TangentState | None = None
    for state in states:
        if state is None:
            continue
        result = state.copy() if result is None else result.join(state)
    return result
