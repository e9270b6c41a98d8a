"""Releases: consecutive ``x = None`` of a sweep through branches and loops as one statement.

A sweep with control flow frees values by rebinding them to ``None`` (``del`` would fail on a
name a loop that ran no trip never bound). Several in a row read best as one chained
assignment, as ``del a, b`` does on the straight-line path; where a name is surely bound and
nothing after names it (the straight code after the last loop or branch), ``del`` it is
(:func:`releases_as_del`):

>>> import gast
>>> from s2s.codegen.emit import to_source
>>> from s2s.codegen.sweeps import Block
>>> body = [gast.parse(f"{n} = None").body[0] for n in ("add_1", "add_2", "matmul_1")]
>>> blocks = [Block("the adjoint sweep reads only shapes of these, or nothing", body)]
>>> chain_releases(blocks)
>>> [to_source(stmt, False) for stmt in blocks[0].body]
['add_1 = add_2 = matmul_1 = None']
"""

from __future__ import annotations

import gast

from s2s.codegen.sweeps import Block
from s2s.codegen.walking import deleted_names, name_list, statements_in, stored_names, walk

_LINE = 88  # the longest chain written on one line (the sweeps' indentation aside)


def chain_releases(blocks: list[Block]) -> None:
    """Join runs of ``x = None`` within each block's statement lists (nested ones too) into
    chained assignments of at most ``_LINE`` characters."""
    for block in blocks:
        block.body = _chained(block.body)


def _chained(body: list[gast.stmt]) -> list[gast.stmt]:
    out: list[gast.stmt] = []
    for stmt in body:
        for field in ("body", "orelse"):
            nested = getattr(stmt, field, None)
            if isinstance(nested, list) and nested:
                setattr(stmt, field, _chained(nested))
        previous = out[-1] if out else None
        if _release(stmt) and previous is not None and _release(previous):
            names = [t.id for t in previous.targets] + [stmt.targets[0].id]
            if len(" = ".join(names)) + len(" = None") <= _LINE:
                previous.targets.append(stmt.targets[0])
                continue
        out.append(stmt)
    return out


def _release(stmt: gast.stmt) -> bool:
    return (
        isinstance(stmt, gast.Assign)
        and all(isinstance(t, gast.Name) for t in stmt.targets)
        and isinstance(stmt.value, gast.Constant)
        and stmt.value.value is None
    )


def releases_as_del(blocks: list[Block], live_out: set[str]) -> None:
    """In the top-level statements of ``blocks``, write a release ``x = None`` as ``del x``
    where ``x`` is surely bound there and nothing after it (nor ``live_out``, the returned
    gradients) names it: the straight code after the last loop or branch then frees every
    value alike, and consecutive ``del`` statements join."""
    top = [(block, stmt) for block in blocks for stmt in block.body]
    later: set[str] = set(live_out)
    after: list[set[str]] = []
    for _, stmt in reversed(top):
        after.append(set(later))
        later |= set(name_list(stmt))
    after.reverse()
    bound: set[str] = set()
    replaced: dict[int, gast.stmt] = {}
    for (_, stmt), later_names in zip(top, after):
        if _release(stmt) and all(t.id in bound and t.id not in later_names
                                  for t in stmt.targets):  # fmt: skip
            targets = [gast.Name(t.id, gast.Del(), None, None) for t in stmt.targets]
            replaced[id(stmt)] = gast.Delete(targets=targets)
        bound = _bound_after(stmt, bound)
    for block in blocks:
        body: list[gast.stmt] = []
        for stmt in block.body:
            stmt = replaced.get(id(stmt), stmt)
            if isinstance(stmt, gast.Delete) and body and isinstance(body[-1], gast.Delete) and (
                    id(stmt) in {id(s) for s in replaced.values()}
                    or id(body[-1]) in {id(s) for s in replaced.values()}):  # fmt: skip
                body[-1] = gast.Delete(targets=body[-1].targets + stmt.targets)
                replaced[id(body[-1])] = body[-1]
                continue
            body.append(stmt)
        block.body = body


def _bound_after(stmt: gast.stmt, bound: set[str]) -> set[str]:
    """The names surely bound after ``stmt``: assigned by it, by both arms of a branch, or
    by the body of a loop over ``range`` of numbers that runs at least once; ``del``
    unbinds."""
    if isinstance(stmt, (gast.Assign, gast.AugAssign)):
        return bound | stored_names(stmt)
    if isinstance(stmt, gast.Delete):
        return bound - stored_names(stmt)
    if isinstance(stmt, gast.If):
        return _in_order(stmt.body, bound) & _in_order(stmt.orelse, bound)
    if isinstance(stmt, gast.For) and _runs(stmt.iter) and not stmt.orelse and not any(
            isinstance(n, (gast.Break, gast.Continue, gast.Return)) for n in statements_in(stmt)):
        return _in_order(stmt.body, bound) | stored_names(stmt.target)  # (every trip ends)
    return bound - deleted_names(stmt)


def _in_order(body: list[gast.stmt], bound: set[str]) -> set[str]:
    """What is surely bound after ``body`` runs to its end (up to a jump out of it: what
    was bound there, less what any later statement deletes)."""
    for index, stmt in enumerate(body):
        if isinstance(stmt, (gast.Break, gast.Continue, gast.Return)):
            rest = [n.id for s in body[index:] for n in walk(s)
                    if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Del)]  # fmt: skip
            return bound - set(rest)
        bound = _bound_after(stmt, bound)
    return bound


def _runs(iterable: gast.expr) -> bool:
    """``range(...)`` of numbers written in the source that is not empty."""
    if not (isinstance(iterable, gast.Call) and isinstance(iterable.func, gast.Name)
            and iterable.func.id == "range" and not iterable.keywords):  # fmt: skip
        return False
    try:
        values = [_number(arg) for arg in iterable.args]
        return len(range(*values)) > 0
    except (TypeError, ValueError):
        return False


def _number(node: gast.expr) -> int:
    """The int an expression of int literals, ``+``, ``-`` and unary ``-`` stands for."""
    if isinstance(node, gast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        return -_number(node.operand)
    if isinstance(node, gast.BinOp) and isinstance(node.op, (gast.Add, gast.Sub)):
        left, right = _number(node.left), _number(node.right)
        return left + right if isinstance(node.op, gast.Add) else left - right
    raise TypeError("not a number written in the source")
