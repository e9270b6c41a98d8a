"""Releases: consecutive ``x = None`` of a sweep through branches and loops as one statement.

A sweep with control flow frees values by rebinding them to ``None`` (``del`` would fail on a
name a loop that ran no trip never bound). Several in a row read best as one chained
assignment, as ``del a, b`` does on the straight-line path:

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
