"""Side effects: writes to a global or to an object's attribute, kept as written, run once.

``COUNT += 1`` on a name declared ``global`` and ``self.calls += 1`` are the user's side
effects: the primal sweep runs them once per derivative call, as one call of ``f`` would, and
nothing undoes them. Their values are never differentiated, so reading back a global or an
attribute that the function assigns a computed value (anything but a counter's constant step)
is refused: its gradient would be lost.

>>> import gast
>>> tree = gast.parse("def f(x):\\n    global N\\n    N += 1\\n    return x").body[0]
>>> [gast.unparse(w).strip() for w in side_effect_writes(tree)]
['N += 1']
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gast

from s2s.codegen.ir import OPAQUE, Stmt
from s2s.codegen.walking import copy_tree, inner_nodes, statements_in, walk
from s2s.errors import MutationError, UnsupportedSyntaxError
from s2s.frontend.normstate import NormalizeState
from s2s.frontend.parse import Primal
from s2s.frontend.structure import appended_list

# attributes of an array: assigning one changes the array itself
_ARRAY_ATTRIBUTES = {"shape", "dtype", "strides", "data", "flags", "real", "imag", "flat", "T"}


def declared_globals(tree: gast.FunctionDef) -> set[str]:
    """The names the function declares ``global`` (outside nested defs)."""
    return {
        name
        for stmt in tree.body
        for node in statements_in(stmt)  # (a set: in no particular order)
        if isinstance(node, gast.Global)
        for name in node.names
    }


def _walk(body: list[gast.stmt]):
    for stmt in body:
        yield from walk(stmt)


def _chain(node: gast.expr) -> str | None:
    """``self.calls`` as text, for an attribute chain rooted at a name."""
    parts = []
    while isinstance(node, gast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, gast.Name) or not parts:
        return None
    return ".".join([node.id, *reversed(parts)])


def _target(stmt: gast.stmt) -> gast.expr | None:
    if isinstance(stmt, gast.AugAssign):
        return stmt.target
    if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1:
        return stmt.targets[0]
    return None


def side_effect_writes(tree: gast.FunctionDef) -> list[gast.stmt]:
    """The statements writing a declared global or an attribute (outside nested defs)."""
    declared = declared_globals(tree)
    out = []
    for node in _walk(tree.body):
        target = _target(node) if isinstance(node, gast.stmt) else None
        if isinstance(target, gast.Name) and target.id in declared:
            out.append(node)
        elif isinstance(target, gast.Attribute) and _chain(target) is not None:
            out.append(node)
    return out


def _constant_step(stmt: gast.stmt, written: str) -> bool:
    """``n += 1``, ``n = 0``, ``n = n + 1``: a counter, whose value is no computed quantity."""
    value = stmt.value
    if isinstance(value, gast.Constant):
        return True
    return (
        isinstance(stmt, gast.Assign)
        and isinstance(value, gast.BinOp)
        and isinstance(value.right, gast.Constant)
        and (_chain(value.left) == written or _is_name(value.left, written))
    )


def _is_name(node: gast.expr, name: str) -> bool:
    return isinstance(node, gast.Name) and node.id == name


def check_side_effects(tree: gast.FunctionDef, where: Callable[[Any], Any]) -> None:
    """Refuse a write into an array's own attribute, and reading back what the function wrote
    with a computed value."""
    writes = side_effect_writes(tree)
    computed: dict[str, gast.stmt] = {}
    ids = set()
    for stmt in writes:
        target = _target(stmt)
        written = target.id if isinstance(target, gast.Name) else _chain(target)
        if isinstance(target, gast.Attribute) and target.attr in _ARRAY_ATTRIBUTES:
            raise MutationError(
                f"assigning `{written}` changes an array in place, which s2s does not follow",
                where(stmt),
                "make a new array (`x = x.reshape(...)`, `x = x.astype(...)`)",
            )
        ids.update(id(n) for n in walk(target))
        if not _constant_step(stmt, written):
            computed.setdefault(written, stmt)
    if not computed:
        return  # no computed value written: none read back (no second walk)
    for node in _walk(tree.body):
        if id(node) in ids or not isinstance(getattr(node, "ctx", None), gast.Load):
            continue
        read = node.id if isinstance(node, gast.Name) else _chain(node)
        if read in computed and isinstance(node, (gast.Name, gast.Attribute)):
            line = computed[read].lineno
            raise UnsupportedSyntaxError(
                f"`{read}` is read back after the function assigns it a computed value (line "
                f"{line}); s2s keeps that write as a side effect and does not follow values "
                "through globals or attributes, so a gradient through it would be lost",
                where(node),
                f"keep the value in a local name as well and read that; assign `{read}` only",
            )


class SideEffects:
    """The writes of :class:`s2s.frontend.normalize.Normalizer` to globals and attributes, kept
    in the body being built (:class:`~s2s.frontend.normstate.NormalizeState`)."""

    def __init__(self, state: NormalizeState) -> None:
        self.state = state

    def side_effect(self, stmt: gast.stmt) -> None:
        """The statement as written (its local reads renamed), kept once in the primal sweep.
        A ``:=`` in it is refused (:class:`~s2s.errors.UnsupportedSyntaxError`): the name it
        binds would have no gradient."""
        bound = next((n for n in walk(stmt) if isinstance(n, gast.NamedExpr)), None)
        if bound is not None:
            raise UnsupportedSyntaxError(
                "`:=` inside a write to a global or an attribute is not supported (s2s keeps "
                "the write whole, as a side effect)",
                self.state.primal.where(bound),
                f"assign `{bound.target.id}` in a statement of its own, then write it",
            )
        kept = copy_tree(stmt)
        reads = []
        for node in walk(kept):
            if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load):
                if node.id in self.state.env:
                    node.id = self.state.env[node.id]
                    reads.append(gast.Name(node.id, gast.Load(), None, None))
        kept.s2s_side_effect = True  # not a local binding: never released, never dropped
        self.state.body.append(Stmt((), kept, OPAQUE, reads, node=stmt))

    def writes_outside(self, stmt: gast.stmt) -> bool:
        """Whether ``stmt`` writes a declared global or an attribute."""
        target = _target(stmt)
        if isinstance(target, gast.Name):
            return target.id in self.state.declared
        return isinstance(target, gast.Attribute) and _chain(target) is not None


def check_outside_reads(
    primal: Primal, tree: gast.FunctionDef, outside: set[str], generated: bool = False
) -> None:
    """Refuse a read of a list from outside the function that the function appends to: its
    items are not followed, so a value read back from it would carry no gradient. In s2s's
    own code (``generated``), the arguments a gradient must not share memory with
    (``_s2s.gradient(d_x, x, (x, log))``) are no such read."""
    if not outside:
        return  # no read to refuse (what follows finds only reads of names in `outside`)
    nodes = inner_nodes(tree)  # the receivers are sets: found in no particular order
    receivers = {
        id(node.func.value)
        for node in nodes
        if isinstance(node, gast.Call) and appended_list(node) in outside
    }
    if generated:
        receivers |= {
            id(name)
            for node in nodes
            if isinstance(node, gast.Call) and _protecting(node)
            for name in walk(node.args[2])
        }
    for node in walk(tree):
        if (isinstance(node, gast.Name) and node.id in outside and id(node) not in receivers
                and isinstance(node.ctx, gast.Load)):  # fmt: skip
            raise UnsupportedSyntaxError(
                f"`{node.id}` is a list from outside the function that it appends to; reading it "
                "back is not supported (its appends are kept as side effects, and s2s does not "
                "follow values through a list that outlives the call)",
                primal.where(node),
                f"keep the values in a local list as well (`vals = []`, `vals.append(v)`) and "
                f"read that one; append to `{node.id}` only",
            )


def _protecting(node: gast.Call) -> bool:
    """``_s2s.gradient(buffer, x, protect)`` or ``_s2s.gradients(...)`` with its ``protect``."""
    func = node.func
    return (
        isinstance(func, gast.Attribute)
        and func.attr in ("gradient", "gradients")
        and isinstance(func.value, gast.Name)
        and func.value.id == "_s2s"
        and len(node.args) == 3
    )
