"""Normalize's state: what its components share about the function being normalized, in one object.

:class:`s2s.frontend.normalize.Normalizer` is built of small components with one job each
(expressions, assignments, several outputs, lifting, structure, contexts, tries, side effects).
None of them keeps facts of its own about the function: they read and update one
:class:`NormalizeState`, which each receives explicitly, and they ask the normalizer for the
parts of their construct through :class:`Lowering`.

A name's first assignment keeps the name; a later one gets a new SSA name; a temporary is
always numbered:

>>> from s2s.frontend.parse import parse
>>> def f(x):
...     y = x
...     return y
>>> state = normalize_state(parse(f))
>>> state.bind("y"), state.bind("y"), state.temp("sum")
('y', 'y_2', 'sum_1')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import gast

from s2s.codegen.ir import COPY, NameAllocator, Stmt
from s2s.codegen.walking import inner_nodes, walk
from s2s.frontend.parse import Primal


@dataclass(eq=False)
class NormalizeState:
    """The facts the components of normalize share.

    What is normalized: ``primal`` (its tree, for error locations), ``tuple_params`` (a
    parameter holding a tuple: its length), ``generated`` (s2s's own code, a derivative
    differentiated again), ``outer_locals`` (every name the function binds, for a nested
    def's captures). Names: ``names`` (the allocator), ``env`` (a user name: its SSA name
    now), ``original`` (an SSA name or temporary: the name it stands for), ``temporaries``,
    ``carried`` (names assigned in a branch or loop: one name throughout, the tape keeps
    their values), ``rebound`` (bound in a branch or loop), ``declared`` (declared
    ``global`` and written). Values of several parts: ``multi`` (an SSA name of a call with
    several outputs: its output names and the rule's output names), ``literals`` (a tuple
    bound once: its items). Nested defs: ``lifted`` (its captures and signature),
    ``lifted_defs`` (its ``def`` as written and what it captures and calls), ``local_defs``
    (every nested def's name). Lists: ``appended`` (lists built with ``.append``), ``lists``
    (every list the function makes), ``outside_lists`` (lists from outside, appended to as
    side effects). What is built: ``body`` (the statements of the block being normalized),
    ``depth`` (how many branches and loops enclose it), ``node`` (the primal statement being
    normalized), ``contexts`` (``with`` and ``try`` statements, :mod:`s2s.codegen.contexts`),
    ``returns`` and ``return_node`` (the returned atom and its statement).
    """

    primal: Primal
    tuple_params: dict[str, int]
    generated: bool
    outer_locals: set[str]
    names: NameAllocator
    env: dict[str, str] = field(default_factory=dict)
    original: dict[str, str] = field(default_factory=dict)
    spellings: dict[str, str] = field(default_factory=dict)  # d_b -> d['b'] (local dicts)
    temporaries: set[str] = field(default_factory=set)
    carried: set[str] = field(default_factory=set)
    rebound: set[str] = field(default_factory=set)
    declared: set[str] = field(default_factory=set)
    multi: dict[str, tuple[list[str], tuple[str, ...]]] = field(default_factory=dict)
    literals: dict[str, gast.Tuple] = field(default_factory=dict)
    lifted: dict[str, tuple[list[str], Any]] = field(default_factory=dict)
    lifted_defs: dict[str, tuple[gast.FunctionDef, list[str]]] = field(default_factory=dict)
    local_defs: set[str] = field(default_factory=set)
    appended: set[str] = field(default_factory=set)
    lists: set[str] = field(default_factory=set)
    outside_lists: set[str] = field(default_factory=set)
    body: list[Any] = field(default_factory=list)
    depth: int = 0
    node: Any = None
    contexts: list[Any] = field(default_factory=list)
    returns: gast.expr = field(default_factory=lambda: gast.Constant(value=None, kind=None))
    return_node: Any = None

    def bind(self, user_name: str) -> str:
        """A new SSA name for an assignment to ``user_name`` (the first keeps the name).

        A name assigned inside a branch or a loop keeps its name everywhere: its overwritten
        values go on the tape instead.
        """
        if user_name in self.carried:
            self.keep_seconds(user_name)
            self.env[user_name] = user_name
            self.original[user_name] = user_name
            return user_name
        if user_name not in self.env:
            ssa = user_name
        else:
            ssa = self.names.fresh(user_name, always_number=False)
            if ssa == user_name:  # pragma: no cover - the user name is always taken
                ssa = self.names.fresh(user_name, always_number=True)
        self.env[user_name] = ssa
        self.original[ssa] = user_name
        return ssa

    def keep_seconds(self, kept: str) -> None:
        """Before ``kept`` (a name kept throughout) is bound anew: the second names that stand
        for it (``z = y`` made ``z`` one, so a write through either is seen through both) and
        the items of tuples bound to names (``s = (y, x)``) are bound to its object by a
        statement of their own, since they keep that object after ``y = ...``, as in Python.
        (A name bound anew in a branch or loop gets no second name: ``z = y`` copies the
        binding there, :meth:`rebound_later`.)"""
        seconds = sorted(u for u, ssa in self.env.items() if ssa == kept and u != kept)
        holders = [t for t in self.literals.values()
                   if any(isinstance(n, gast.Name) and n.id == kept for n in walk(t))]  # fmt: skip
        if not seconds and not holders:
            return
        first = self.bind(seconds[0]) if seconds else self.temp(f"{kept}_kept")
        node = gast.Name(id=kept, ctx=gast.Load(), annotation=None, type_comment=None)
        kept_copy = Stmt((first,), node, COPY, [node], node=self.node)
        kept_copy.s2s_kept = True  # the old object, read only after the rebinding
        self.body.append(kept_copy)
        for user in seconds:
            self.env[user] = first
        for literal in holders:
            for n in walk(literal):
                if isinstance(n, gast.Name) and n.id == kept:
                    n.id = first

    def rebound_later(self, ssa: str) -> bool:
        """Whether ``ssa`` is a name kept throughout (an array changed in place, or a name bound
        in a branch or loop) that a branch or loop binds anew: a tuple's item made from it
        (``s = (y, x)`` before ``for ...: y = ...``) must hold the object it names then, not
        the name, or it would read the new object (Python's ``s[0]`` keeps the old one)."""
        return ssa in self.carried and ssa in self.rebound

    def temp(self, base: str) -> str:
        """A new temporary named after ``base`` (carried if inside a branch or loop)."""
        name = self.names.fresh(base, always_number=True)
        self.original[name] = name
        self.temporaries.add(name)
        if self.depth:
            self.carried.add(name)  # reassigned on every iteration
        return name

    def collect(self, emit: Callable[[], Any]) -> tuple[list[Any], Any]:
        """Run ``emit`` with a fresh body, one level deeper; return the statements it made and
        its result."""
        saved, self.body = self.body, []
        self.depth += 1
        try:
            result = emit()
            return self.body, result
        finally:
            self.body = saved
            self.depth -= 1


def normalize_state(primal: Primal, tuple_params: dict[str, int] | None = None) -> NormalizeState:
    """The state before the first statement: every name of the function (and ``_np``, ``_s2s``
    and the signature's added names) taken, no binding made."""
    names = {n.id for n in inner_nodes(primal.tree) if isinstance(n, gast.Name)}
    outer_locals = {
        n.id for n in inner_nodes(primal.tree)
        if isinstance(n, gast.Name) and isinstance(n.ctx, (gast.Store, gast.Param))
    }  # fmt: skip
    return NormalizeState(
        primal=primal,
        tuple_params=dict(tuple_params or {}),
        generated=getattr(primal.func, "__s2s_generated__", False),  # s2s's own code
        outer_locals=outer_locals,
        names=NameAllocator(names | {"_np", "_s2s", *primal.reserved}),
    )


class Lowering(Protocol):
    """What a component asks of the normalizer for the parts of its construct: an expression
    as an atom (a name, a constant) or as one primitive statement, statements normalized into
    the body being built, or into a block of their own."""

    def atom(self, node: gast.expr) -> gast.expr: ...

    def primitive(self, node: gast.expr) -> Stmt: ...

    def emit_assign(self, targets: tuple[str, ...], value: gast.expr,
                    unpack: bool = False) -> None: ...  # fmt: skip

    def opaque(self, node: gast.expr) -> Stmt: ...

    def load(self, node: gast.Name) -> gast.Name: ...

    def statement(self, stmt: gast.stmt) -> None: ...

    def block(self, statements: list[gast.stmt]) -> list[Any]: ...
