"""Straight: the names of a sweep through branches and loops that live as in straight-line code.

The passes written for straight-line sweeps (dead stores dropped, shape records kept instead
of arrays, dead temporaries written into, ``del`` after a value's last read) reason about a
list of statements run once each, in order. In a sweep with branches and loops they still hold
for a name every store of which is a statement at the top level of the sweep: a loop or branch
that only reads the name is one statement that reads it, wherever inside it the read is. A name
a loop or branch assigns, one popped back from the tape, and one a nested function reads (it
may run later) are not such names.

>>> import gast
>>> from s2s.codegen.sweeps import Block, Sweeps
>>> body = gast.parse('''
... tape = []
... a = x * 2.0
... for t in range(n):
...     tape.append(h)
...     h = a * h
... b = h + a
... h = tape.pop()
... ''').body
>>> sorted(straight_names([Block(None, body)], "tape"))
['a', 'b']
"""

from __future__ import annotations

import gast

from s2s.codegen.sweeps import Block, Sweeps
from s2s.codegen.walking import inner_nodes, name_list, stored_names

_COMPOUND = (gast.For, gast.While, gast.If, gast.Try, gast.FunctionDef)  # (a `with` runs once)


def straight_names(blocks: list[Block], tape: str, excluded: set[str] = frozenset(),
                   stores_of: dict[int, tuple] | None = None) -> set[str]:  # fmt: skip
    """The names stored only by statements at the top level of ``blocks`` (an assignment, an
    augmented one, a ``del``, one in a ``with`` block), never by a statement inside a loop, a
    branch or a ``try``, never from ``tape.pop()``, never read by a nested function or lambda;
    ``tape`` and the ``excluded`` names (those the tape saves, arrays written in place) are
    not. ``stores_of``, where given, gets ``id(stmt) -> (stmt, the names it stores)`` for each
    statement at the top level (what :func:`drop_releases` asks of each)."""
    top: set[str] = set()
    other: set[str] = {tape} | set(excluded)
    for block in blocks:
        for stmt in block.body:  # one walk of each statement answers the three questions
            stores: set[str] = {stmt.name} if isinstance(stmt, gast.FunctionDef) else set()
            pops = False
            for node in inner_nodes(stmt):
                kind = type(node)
                if kind is gast.Name:
                    if isinstance(node.ctx, (gast.Store, gast.Del)):
                        stores.add(node.id)
                elif kind is gast.Call:
                    pops = pops or _pop_of(node, tape)
                elif kind is gast.FunctionDef or kind is gast.Lambda:
                    other.update(name_list(node))
            if stores_of is not None:
                stores_of[id(stmt)] = (stmt, stores)
            if pops or isinstance(stmt, _COMPOUND):
                other |= stores
            else:
                top |= stores
    return top - other


def straight_in(sweeps: Sweeps, stores_of: dict[int, tuple] | None = None) -> set[str]:
    """:func:`straight_names` of both sweeps of ``sweeps`` (through branches and loops),
    without the primal names that do not live as in straight-line code there (a name the tape
    saves, an array written in place, a list, a name bound or read in a branch or loop); none
    in a function with a ``try`` (its body's statements, though written at the top level of
    the sweep, may not all run); ``stores_of`` as :func:`straight_names` fills it."""
    if not sweeps.straight_code:
        return set()
    excluded = sweeps.saved | sweeps.written | sweeps.not_straight
    return straight_names(sweeps.primal + sweeps.adjoint, sweeps.tape, excluded, stores_of)


def _stores(stmt: gast.stmt) -> set[str]:
    return stored_names(stmt) | ({stmt.name} if isinstance(stmt, gast.FunctionDef) else set())


def _pop_of(call: gast.Call, tape: str) -> bool:
    """``tape.pop()`` (an old value restored)."""
    return (
        isinstance(call.func, gast.Attribute)
        and call.func.attr == "pop"
        and isinstance(call.func.value, gast.Name)
        and call.func.value.id == tape
    )


def drop_releases(blocks: list[Block], names: set[str],
                  stores_of: dict[int, tuple] | None = None) -> None:  # fmt: skip
    """Remove each ``x = None`` at the top level of ``blocks`` that releases a value of a name
    in ``names`` (one stored before it; a placeholder before the first store stays): such a
    name is freed by ``del`` after its last read instead
    (:func:`s2s.codegen.optimize.free_dead`).

    >>> import gast
    >>> body = gast.parse("v = None\\na = f(x)\\ny = a * v\\na = None").body
    >>> blocks = [Block(None, body)]
    >>> drop_releases(blocks, {"a", "v"})
    >>> [gast.unparse(s).strip() for s in blocks[0].body]
    ['v = None', 'a = f(x)', 'y = a * v']
    """
    stored: set[str] = set()
    for block in blocks:
        kept = []
        for stmt in block.body:
            released = _released(stmt)
            if released is not None and released in names and released in stored:
                continue
            if released is None:
                known = stores_of.get(id(stmt)) if stores_of else None
                stored |= known[1] if known is not None and known[0] is stmt else _stores(stmt)
            kept.append(stmt)
        block.body = kept


def _released(stmt: gast.stmt) -> str | None:
    """``x`` for ``x = None``."""
    if (
        isinstance(stmt, gast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], gast.Name)
        and isinstance(stmt.value, gast.Constant)
        and stmt.value.value is None
    ):
        return stmt.targets[0].id
    return None
