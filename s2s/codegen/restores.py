"""Restores: a value the tape saves only to put back where nothing reads it is not saved.

The tape plan decides what to save before the adjoints are simplified: an old value pushed in
the primal sweep and popped back (``y = tape.pop()``) in the adjoint sweep because an adjoint
read ``y`` then, for instance to unbroadcast against its shape, which a proven shape later took
away. After the sweeps are final, a name each of whose pops no path reads before ``y`` is
assigned again (or the sweep ends) loses both its pushes and its pops: the tape stops holding
one array per trip that nothing would use (liveness: :class:`s2s.codegen.placeholders`'s
backward analysis, loops to a fixed point). A write into an array outside loops and
branches, ``y[1:] = v``, pushes the entries it destroys and the adjoint writes them back
(``y[1:] = tape.pop()``); both go where no statement after the write-back reads the values of
``y`` or of a name that may share its memory (:func:`drop_unread_write_backs`).

>>> import gast
>>> from s2s.codegen.emit import to_source
>>> from s2s.codegen.sweeps import Block
>>> primal = gast.parse('''
... for i in range(n):
...     tape.append(y)
...     y = y * 1.001
... ''').body
>>> primal[0].body[0].s2s_saves = "y"
>>> adjoint = gast.parse('''
... d_y = 2 * y
... for i in range(n - 1, -1, -1):
...     y = tape.pop()
...     d_y = d_y * 1.001
... d_x = d_y
... ''').body
>>> blocks = [Block(None, primal), Block(None, adjoint)]
>>> drop_dead_restores(blocks, "tape", {"d_x"})
>>> print("\\n".join(to_source(stmt, False) for block in blocks for stmt in block.body))
for i in range(n):
    y = y * 1.001
d_y = 2 * y
for i in range(n - 1, -1, -1):
    d_y = d_y * 1.001
d_x = d_y
"""

from __future__ import annotations

import gast

from s2s import runtime
from s2s.codegen.placeholders import Liveness, Unmodelled
from s2s.codegen.sweeps import Block
from s2s.codegen.walking import inner_nodes, name_list, walk_with_parents


def drop_dead_restores(
    blocks: list[Block], tape: str, live_out: set[str], keep_tape: bool = False
) -> None:
    """Drop the pushes (``tape.append(...)`` marked ``s2s_saves = y``) and pops (``y =
    tape.pop()``) of each name ``y`` whose every pop is dead; ``live_out`` are the names read
    after ``blocks`` (a sweep's primal then adjoint blocks, in order). Nothing changes where the
    analysis cannot follow the code (``try``), or where the pushes and pops of a name do not
    pair up one to one."""
    if not tape:
        return
    top = [stmt for block in blocks for stmt in block.body]
    defs = (gast.FunctionDef, gast.Lambda)
    nodes = [n for s in top for n in inner_nodes(s)]  # (nested defs, pushes: in no order)
    closure = {name for node in nodes if isinstance(node, defs) for name in name_list(node)}
    live = Liveness(closure)
    pops: dict[str, list[bool]] = {}  # name -> whether each of its pops is read after
    try:
        _walk(top, set(live_out) | closure, live, tape, pops)
    except Unmodelled:
        return
    pushes: dict[str, int] = {}
    for node in nodes:
        saved = _pushed(node, tape)
        if saved is not None:
            pushes[saved] = pushes.get(saved, 0) + 1
    dead = {
        name
        for name, read in pops.items()
        if not any(read) and pushes.get(name) == len(read) and name not in closure
    }
    if not dead:
        return
    for block in blocks:
        block.body = _without(block.body, tape, dead)
    if not keep_tape and not any(  # every use of the tape left stores it: the first other ends
        isinstance(n, gast.Name) and n.id == tape and not isinstance(n.ctx, gast.Store)
        for b in blocks for s in b.body for n in inner_nodes(s)
    ):  # fmt: skip
        for block in blocks:
            block.body = [s for s in block.body if not _made(s, tape)]


def _made(stmt: gast.stmt, tape: str) -> bool:
    """``tape = []``."""
    return (
        isinstance(stmt, gast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], gast.Name)
        and stmt.targets[0].id == tape
        and isinstance(stmt.value, gast.List)
        and not stmt.value.elts
    )


def _walk(body: list[gast.stmt], live_after: set[str], live: Liveness, tape: str,
          pops: dict[str, list[bool]]) -> set[str]:  # fmt: skip
    """Liveness backwards through ``body``, noting for each pop whether its name is read
    after it. A loop's body is walked once more with the liveness at its head (a fixed point),
    so a pop is judged against the next trip too."""
    current = set(live_after)
    for stmt in reversed(body):
        if isinstance(stmt, (gast.For, gast.While)):
            head = live.loop(stmt, current)
            live.exits.append((current, head))
            try:
                _walk(stmt.body, head, live, tape, pops)
                _walk(stmt.orelse, current, live, tape, pops)
            finally:
                live.exits.pop()
            current = head
            continue
        if isinstance(stmt, gast.If):
            test = set(name_list(stmt.test))
            current = (
                _walk(stmt.body, current, live, tape, pops)
                | _walk(stmt.orelse, current, live, tape, pops)
                | test
            )
            continue
        if isinstance(stmt, gast.With):
            items = {name for i in stmt.items for name in name_list(i.context_expr)}
            current = _walk(stmt.body, current, live, tape, pops) | items
            continue
        popped = _popped(stmt, tape)
        if popped is not None:
            pops.setdefault(popped, []).append(popped in current)
        current = live.before(stmt, current)
    return current


def _popped(stmt: gast.stmt, tape: str) -> str | None:
    """``y`` of ``y = tape.pop()``."""
    if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1):
        return None
    target, value = stmt.targets[0], stmt.value
    if not isinstance(target, gast.Name) or not _tape_call(value, tape, "pop"):
        return None
    return target.id if not value.args else None


def _pushed(node: gast.AST, tape: str) -> str | None:
    """``y`` of a ``tape.append(...)`` statement that saves ``y``'s old value."""
    if not isinstance(node, gast.Expr) or not _tape_call(node.value, tape, "append"):
        return None
    return getattr(node, "s2s_saves", None)


def _tape_call(value: gast.expr, tape: str, method: str) -> bool:
    return (
        isinstance(value, gast.Call)
        and isinstance(value.func, gast.Attribute)
        and value.func.attr == method
        and isinstance(value.func.value, gast.Name)
        and value.func.value.id == tape
    )


def _without(body: list[gast.stmt], tape: str, dead: set[str]) -> list[gast.stmt]:
    out: list[gast.stmt] = []
    for stmt in body:
        if _popped(stmt, tape) in dead or _pushed(stmt, tape) in dead:
            continue
        for field in ("body", "orelse"):
            nested = getattr(stmt, field, None)
            if isinstance(nested, list) and nested:
                setattr(stmt, field, _without(nested, tape, dead) or [gast.Pass()])
        out.append(stmt)
    return out


def drop_unread_write_backs(blocks: list[Block], tape: str, live_out: set[str]) -> None:
    """Drop ``y[key] = tape.pop()`` and its push, ``tape.append(_s2s.overwritten(y, key))``,
    of a write outside every loop and branch (both marked ``s2s_written_back``) where no
    statement after the restore reads the values of ``y`` or of a name that may share its
    memory: the pop's ``s2s_aliases`` (views of ``y`` and arrays it views, lists holding one:
    :mod:`s2s.analysis.aliasing`'s classes), grown through the generated code's assignments
    that may return one of them. Reading a shape or dtype (``_s2s.owned_copy(d_y, y)``,
    ``y.shape``) is no read of values. A name ``live_out`` (read by the return) or read by a
    nested function keeps the restore, and so does code the analysis cannot follow (``try``).

    The restore stays where a view taken before the write is read after it (its adjoint reads
    the old values through the view: ``v = y[1:]``, ``np.sum(v * v)``, then ``y[1:] = ...``).
    """
    if not tape:
        return
    top = [stmt for block in blocks for stmt in block.body]
    if not any(getattr(stmt, "s2s_written_back", None) is not None for stmt in top):
        return  # no write-back to drop: no walk of the whole code
    nodes = [n for s in top for n in inner_nodes(s)]
    if any(isinstance(n, gast.Try) or type(n).__name__ in ("Match", "TryStar") for n in nodes):
        return
    defs = (gast.FunctionDef, gast.Lambda)
    closure = {name for node in nodes if isinstance(node, defs) for name in name_list(node)}
    dead: set[int] = set()
    for index, stmt in enumerate(top):
        token = getattr(stmt, "s2s_written_back", None)
        if token is None or not isinstance(stmt, gast.Assign):
            continue
        sharing = _grown(set(stmt.s2s_aliases), nodes)
        if sharing & (closure | set(live_out)):
            continue
        if not any(_reads_values(later, sharing) for later in top[index + 1 :]):
            dead.add(token)
    if dead:
        for block in blocks:
            block.body = _without_write_backs(block.body, dead)


def _grown(sharing: set[str], nodes: list[gast.AST]) -> set[str]:
    """``sharing`` and each name the generated code assigns a value that may be one of them
    (anything but arithmetic, a comparison or a value-free read), to a fixed point."""
    grown = True
    while grown:
        grown = False
        for node in nodes:
            if not isinstance(node, gast.Assign) or isinstance(
                node.value, (gast.BinOp, gast.UnaryOp, gast.Compare)
            ):
                continue
            targets = {  # a write into an item (`d_x[1:] = y`) copies the values
                n for t in node.targets if not isinstance(t, gast.Subscript) for n in name_list(t)
            }
            if targets - sharing and _reads_values(node.value, sharing):
                sharing |= targets
                grown = True
    return sharing


def _reads_values(node: gast.AST, names: set[str]) -> bool:
    """Whether ``node`` loads one of ``names`` other than for its shape or dtype."""
    found, parents = walk_with_parents(node)
    return any(
        isinstance(n, gast.Name) and n.id in names and isinstance(n.ctx, gast.Load)
        and not _value_free(n, parents)
        for n in found
    )  # fmt: skip


def _value_free(node: gast.Name, parents: dict[int, gast.AST]) -> bool:
    """``_s2s.f(..., y, ...)`` where ``f`` reads that argument's shape and dtype only
    (``shape_only_args``; ``written_part``'s ``array``: its dtype), ``y.shape``, ``y.dtype``,
    ``y.ndim``."""
    parent = parents.get(id(node))
    if isinstance(parent, gast.Attribute) and parent.value is node:
        return parent.attr in ("shape", "dtype", "ndim")
    if not (isinstance(parent, gast.Call) and isinstance(parent.func, gast.Attribute)):
        return False
    func = parent.func
    if not (isinstance(func.value, gast.Name) and func.value.id == "_s2s"):
        return False
    positions = tuple(getattr(getattr(runtime, func.attr, None), "shape_only_args", ()))
    if func.attr == "written_part":
        positions += (2,)
    return any(p < len(parent.args) and parent.args[p] is node for p in positions)


def _without_write_backs(body: list[gast.stmt], dead: set[int]) -> list[gast.stmt]:
    out: list[gast.stmt] = []
    for stmt in body:
        if getattr(stmt, "s2s_written_back", None) in dead:
            continue
        for field in ("body", "orelse"):
            nested = getattr(stmt, field, None)
            if isinstance(nested, list) and nested:
                setattr(stmt, field, _without_write_backs(nested, dead) or [gast.Pass()])
        out.append(stmt)
    return out
