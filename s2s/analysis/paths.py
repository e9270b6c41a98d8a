"""Data paths backwards through the normal form: which names an output depends on.

``backward_closure`` follows statements from the outputs to what they read, to a fixed point
over loops; ``connects`` says which statements a data path runs through (piecewise-constant
operations and ``zero_grad`` do, with a zero cotangent; ``stop_gradient`` and metadata reads
do not), and ``connecting_reads`` which of a statement's reads it runs through.
"""

from __future__ import annotations

import inspect
from typing import Any

from s2s import registry, runtime
from s2s.analysis.aliasing import differentiable_reads
from s2s.codegen.ir import ATTRIBUTE, Marker, Stmt, atom_names


def connects(stmt: Stmt) -> bool:
    """Whether a data path runs through ``stmt`` (piecewise-constant ops and ``zero_grad``
    connect with a zero cotangent; ``stop_gradient`` and metadata reads disconnect)."""
    op = stmt.op
    if op is ATTRIBUTE or op is runtime.stop_gradient:
        return False
    if isinstance(op, Marker):
        return True
    rule = registry.lookup(op)
    return rule is None or not rule.metadata


def connected_names(flat: list[Stmt], outputs: set[str]) -> set[str]:
    """The names with a data path to ``outputs`` (through piecewise-constant operations and
    ``zero_grad`` too, not through ``stop_gradient`` or metadata reads)."""
    return backward_closure(flat, set(outputs), None, connects, connecting_reads)


def backward_closure(flat, seeds: set[str], within: set[str] | None, passes,
                      reads_of=differentiable_reads) -> set[str]:  # fmt: skip
    """Names the seeds depend on through statements that ``passes`` lets through (reading
    ``reads_of(stmt)``), iterated to a fixed point (a loop makes a later statement feed an
    earlier one)."""
    found = set(seeds)
    while True:
        before = len(found)
        for stmt in reversed(flat):
            if passes(stmt) and any(t in found for t in stmt.targets):
                reads = reads_of(stmt)
                found.update(n for n in reads if within is None or n in within)
        if len(found) == before:
            return found


def connecting_reads(stmt: Stmt) -> list[str]:
    """What a data path runs through in ``stmt``: all it reads, but for a call of s2s's own
    runtime (a derivative's code differentiated again) the arguments its rule takes as
    structural (``_s2s.gradient(d_y, y, (x, y))`` reads ``x`` for its type and for aliasing
    only: a second derivative by ``x`` of a gradient that does not depend on it is
    disconnected, as the first would be)."""
    op = stmt.op
    module = getattr(op, "__module__", None) or ""  # (None for a function made by exec)
    if isinstance(op, Marker) or not module.startswith("s2s.runtime"):
        return differentiable_reads(stmt)
    rule = registry.lookup(op)
    if rule is None or not rule.structural:
        return differentiable_reads(stmt)
    try:
        bound = inspect.signature(op).bind(*stmt.args, **stmt.kwargs)
    except (TypeError, ValueError):
        return differentiable_reads(stmt)
    return [n for param, atom in bound.arguments.items() if param not in rule.structural
            for n in atom_list_names(atom)]  # fmt: skip


def atom_list_names(atom: Any) -> list[str]:
    if isinstance(atom, tuple):
        return [n for a in atom for n in atom_names(a)]
    return atom_names(atom)
