"""Unread constants: after :mod:`s2s.reverse.simplify` folded the filled cotangents into
the expressions that read them, the assignments of those constants (``d = _s2s.filled(...)``,
the seed ``_np.float64(1.0)``) that nothing reads any more are dropped, with their releases
(``d = None``)."""

from __future__ import annotations

import ast

import gast

from s2s.codegen.sweeps import names_in
from s2s.codegen.walking import inner_nodes, loaded_names, name_list, statements_in

_NAMES = (gast.Name, ast.Name)
_LOADS = (gast.Load, ast.Load)


def drop_unread(body: list[gast.stmt], read: set[str]) -> list[gast.stmt]:
    """``body`` without the assignments of constants (filled arrays, seeds) that nothing reads
    afterwards; ``read`` (updated) holds the names read after ``body``. Whatever a loop or a
    branch reads anywhere counts as read throughout it (its next trip reads it too)."""
    kept = []
    for stmt in reversed(body):
        if isinstance(stmt, (gast.For, gast.While, gast.If)):
            read |= _loads(stmt)
            if any(getattr(s, "s2s_constant", False) for s in statements_in(stmt)):
                stmt.body = drop_unread(stmt.body, set(read)) or [gast.Pass()]
                stmt.orelse = drop_unread(stmt.orelse, set(read))
            kept.append(stmt)  # (no constant in it: nothing in it to drop)
            continue
        if (
            isinstance(stmt, gast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], gast.Name)
            and getattr(stmt, "s2s_constant", False)
            and stmt.targets[0].id not in read
            and not getattr(stmt, "s2s_owned", False)
        ):
            continue
        kept.append(stmt)
        read |= _loads(stmt)
    return list(reversed(kept))


def _loads(stmt: gast.stmt) -> set[str]:
    names = loaded_names(stmt)
    if isinstance(stmt, gast.AugAssign):
        names |= names_in(stmt.target)
    elif hasattr(stmt, "body"):  # a compound statement: the augmented assignments in it
        for node in statements_in(stmt):  # (an augmented assignment is a statement)
            if isinstance(node, gast.AugAssign):
                names |= names_in(node.target)
    return names


def drop_releases(blocks: list) -> None:
    """Remove ``d = None`` of names nothing else assigns or reads any more (their constant
    assignments were dropped)."""
    loads: set[str] = set()
    real: set[str] = set()
    for block in blocks:
        for stmt in block.body:  # one walk: what _loads and the assignments below collect
            for node in inner_nodes(stmt):
                if isinstance(node, _NAMES):
                    if isinstance(node.ctx, _LOADS):
                        loads.add(node.id)
                elif isinstance(node, gast.AugAssign):
                    loads.update(name_list(node.target))
                elif isinstance(node, gast.Assign) and not _is_none(node.value):
                    real.update(n for t in node.targets for n in name_list(t))

    def strip(body: list[gast.stmt]) -> list[gast.stmt]:
        kept = []
        for stmt in body:
            if (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1
                    and isinstance(stmt.targets[0], gast.Name) and _is_none(stmt.value)
                    and stmt.targets[0].id not in loads | real):  # fmt: skip
                continue
            for field in ("body", "orelse"):
                if isinstance(getattr(stmt, field, None), list) and getattr(stmt, field):
                    setattr(stmt, field, strip(getattr(stmt, field)) or
                            ([gast.Pass()] if field == "body" else []))  # fmt: skip
            kept.append(stmt)
        return kept

    for block in blocks:
        block.body = strip(block.body)


def _is_none(node: gast.expr) -> bool:
    return isinstance(node, gast.Constant) and node.value is None
