"""Endings: drop the releases and tape pops that end a sweep through branches and loops.

The adjoint sweep through branches and loops ends, as it replays the primal backwards, by
freeing buffers (``d_h = None``) and restoring the values the first statements overwrote
(``h = tape.pop()``). Just before the gradients are returned nothing reads them: they go, and
so do the pushes at the start of the primal sweep that those pops would have taken back (the
first pushes, made before any loop or branch touches the tape, are the last ones popped).
Where the sweep ends in a branch, the releases that end its arms go too.

>>> import gast
>>> from s2s.codegen.sweeps import Block
>>> primal = gast.parse('''
... tape = []
... tape.append(None)
... h = zeros(n)
... for t in range(n):
...     tape.append(h)
...     h = tanh(h)
... ''').body
>>> adjoint = gast.parse('''
... for t in range(n):
...     d_h = d_h * (1 - h * h)
...     h = tape.pop()
... d_total = None
... d_h = None
... h = tape.pop()
... ''').body
>>> blocks = [Block(None, primal), Block(None, adjoint)]
>>> drop_endings(blocks, 'tape', {'d_w'})
>>> print(gast.unparse(gast.Module(body=blocks[0].body + blocks[1].body, type_ignores=[])).strip())
tape = []
h = zeros(n)
for t in range(n):
    tape.append(h)
    h = tanh(h)
for t in range(n):
    d_h = d_h * (1 - h * h)
    h = tape.pop()
"""

from __future__ import annotations

import gast

from s2s.codegen.sweeps import Block, is_comment_marker
from s2s.codegen.walking import walk


def drop_endings(blocks: list[Block], tape: str, live_out: set[str]) -> None:
    """Drop the trailing ``x = None`` and ``x = tape.pop()`` of ``blocks`` (the primal sweep's
    blocks, then the adjoint sweep's) for ``x`` not in ``live_out``, and the matching first
    pushes."""
    top = [(block, stmt) for block in blocks for stmt in block.body]
    dropped: set[int] = set()
    pops = 0
    for _, stmt in reversed(top):
        if is_comment_marker(stmt):
            continue
        target = _assigned_name(stmt)
        if target is None or target in live_out:
            break
        if _is_none(stmt.value):
            dropped.add(id(stmt))
        elif _is_tape(stmt.value, tape, "pop"):
            dropped.add(id(stmt))
            pops += 1
        else:
            break
    for _, stmt in top:
        if pops == 0:
            break
        if isinstance(stmt, gast.Expr) and _is_tape(stmt.value, tape, "append"):
            dropped.add(id(stmt))
            pops -= 1
        elif _touches(stmt, tape) and _assigned_name(stmt) != tape:  # not `tape = []`
            break  # a nested push or pop comes first: the rest are not the last popped
    if pops:  # fewer first pushes than pops dropped: keep the pops (the tape stays balanced)
        return
    for block in blocks:
        block.body = [stmt for stmt in block.body if id(stmt) not in dropped]
    last = [s for _, s in top if id(s) not in dropped and not is_comment_marker(s)]
    if last and isinstance(last[-1], gast.If):  # the sweep ends in a branch: so do its arms
        _trim_arms(last[-1], live_out)


def _trim_arms(branch: gast.If, live_out: set[str]) -> None:
    """Drop the trailing ``x = None`` of each arm of ``branch`` (and of a branch ending an
    arm), ``x`` not in ``live_out``: the sweep ends right after it."""
    for field in ("body", "orelse"):
        body = list(getattr(branch, field))
        while body and (
            is_comment_marker(body[-1])
            or (_assigned_name(body[-1]) not in (None, *live_out) and _is_none(body[-1].value))
        ):
            body.pop()
        if body and isinstance(body[-1], gast.If):
            _trim_arms(body[-1], live_out)
        if getattr(branch, field):  # an arm that was there stays, if only as `pass`
            setattr(branch, field, body or [gast.Pass()])


def _assigned_name(stmt: gast.stmt) -> str | None:
    if (
        isinstance(stmt, gast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], gast.Name)
    ):
        return stmt.targets[0].id
    return None


def _is_none(value: gast.expr) -> bool:
    return isinstance(value, gast.Constant) and value.value is None


def _is_tape(value: gast.expr, tape: str, method: str) -> bool:
    return (
        isinstance(value, gast.Call)
        and isinstance(value.func, gast.Attribute)
        and value.func.attr == method
        and isinstance(value.func.value, gast.Name)
        and value.func.value.id == tape
    )


def _touches(stmt: gast.stmt, tape: str) -> bool:
    return any(isinstance(n, gast.Name) and n.id == tape for n in walk(stmt))


def drop_empty_final_tests(primal: list[Block], adjoint: list[Block]) -> None:
    """Where a ``while`` loop's final, failing test has an empty adjoint (``if tape.pop() >
    trips_2: pass``), drop that branch, and in the primal sweep the count of tests it popped
    (its start, its increments and its push: marked ``s2s_tests_of`` by
    :mod:`s2s.reverse.loops`); the tape's other entries keep their order."""
    empty: set[int] = set()
    for block in adjoint:
        block.body = _without_tests(block.body, empty, None)
    if empty:
        for block in primal:
            block.body = _without_tests(block.body, set(), empty)


def _without_tests(body: list[gast.stmt], empty: set[int], drop: set[int] | None) -> list:
    """``body`` without the empty final tests (their loops' ids added to ``empty``), or, with
    ``drop``, without the test counts of those loops."""
    kept = []
    for stmt in body:
        key = getattr(stmt, "s2s_tests_of", None)
        if drop is None and key is not None and isinstance(stmt, gast.If) and all(
            isinstance(s, gast.Pass) or is_comment_marker(s) for s in stmt.body + stmt.orelse
        ):  # fmt: skip
            empty.add(key)
            continue
        if drop is not None and key in drop:
            continue
        for field in ("body", "orelse"):
            nested = getattr(stmt, field, None)
            if isinstance(nested, list) and nested:
                setattr(stmt, field, _without_tests(nested, empty, drop) or [gast.Pass()])
        kept.append(stmt)
    return kept
