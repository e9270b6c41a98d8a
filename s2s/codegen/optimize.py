"""Optimize: add into owned buffers in place, keep shapes instead of arrays, free dead values.

Before: the adjoint of ``h * h + x`` would keep ``h * h`` alive; after, it keeps its shape
record, and the tanh and the addition write into temporaries nothing reads again:

>>> import numpy as np, s2s
>>> def o(x, w):
...     h = np.tanh(x * w)
...     return np.sum(h * h + x)
>>> for line in s2s.grad(o).source.splitlines():
...     if "_like = " in line or "into" in line:
...         print(line.strip())
h = _s2s.into(_np.tanh, multiply_1)
multiply_2_like = _s2s.like(multiply_2)
add_1 = _s2s.into(_np.add, multiply_2, x)
add_1_like = _s2s.like(add_1)
"""

from __future__ import annotations

import gast
import numpy as np

from s2s import registry, runtime
from s2s.codegen.straight import straight_in
from s2s.codegen.sweeps import (
    Block,
    Sweeps,
    assign,
    call,
    names_in,
    read_into,
    reads_memo,
    statement_reads,
)
from s2s.codegen.templating import constant, name
from s2s.codegen.walking import (
    inner_nodes,
    loads_with_parents,
    name_list,
    pushed_value,
    statements_in,
    walk,
)


def add_in_place(blocks: list[Block]) -> None:
    """Rewrite ``d = d + c`` into ``d += c`` where reverse marked the buffer as owned (in the
    bodies of loops and branches too)."""
    for block in blocks:
        _add_in_place(block.body)


def _add_in_place(body: list[gast.stmt]) -> None:
    for i, stmt in enumerate(body):
        if isinstance(stmt, gast.Assign) and getattr(stmt, "s2s_owned", False):
            body[i] = gast.AugAssign(target=stmt.targets[0], op=gast.Add(), value=stmt.value.right)
        for field in ("body", "orelse"):
            nested = getattr(stmt, field, None)
            if isinstance(nested, list):
                _add_in_place(nested)


def _meta_use(node: gast.AST, parents: dict[int, gast.AST]) -> bool:
    parent = parents.get(id(node))
    if isinstance(parent, (gast.Tuple, gast.List)):
        return _meta_use(parent, parents)  # a literal of shape-only arguments
    if isinstance(parent, gast.Call) and isinstance(parent.func, gast.Attribute):
        func = parent.func
        if isinstance(func.value, gast.Name) and func.value.id == "_s2s":
            positions = getattr(getattr(runtime, func.attr, None), "shape_only_args", ())
            return any(p < len(parent.args) and parent.args[p] is node for p in positions)
        if isinstance(func.value, gast.Name) and func.value.id == "_np" and func.attr == "shape":
            return parent.args and parent.args[0] is node
    if isinstance(parent, gast.Attribute) and parent.value is node:
        return parent.attr in ("shape", "dtype", "ndim")
    return False


def keep_shapes(sweeps: Sweeps, params: set[str], only: set[str] | None = None) -> None:
    """Where the adjoint sweep needs only a local's shape and dtype, record those instead.

    The primal sweep gets ``x_like = _s2s.like(x)`` right after ``x`` is computed, the adjoint
    sweep reads ``x_like``, and ``x`` itself can be freed after its last primal use. ``only``
    (in a sweep through branches and loops): the names this may apply to.
    """
    uses: dict[str, list[tuple[gast.Name, bool]]] = {}
    for block in sweeps.adjoint:
        for stmt in block.body:
            loads, parents = loads_with_parents(stmt)
            for node in loads:
                uses.setdefault(node.id, []).append((node, _meta_use(node, parents)))
    defined = {}
    for block in sweeps.primal:
        for stmt in block.body:
            for target in _targets(stmt):
                defined[target] = (block, stmt)
    for var, occurrences in uses.items():
        if var in params or var not in defined or not all(meta for _, meta in occurrences):
            continue
        if only is not None and var not in only:
            continue
        like = sweeps.names.fresh(var + "_like")
        for node, _ in occurrences:
            node.id = like
        block, stmt = defined[var]
        block.body.insert(block.body.index(stmt) + 1, assign(like, call("_s2s.like", name(var))))


def tape_shapes_only(sweeps: Sweeps, params: set[str] = frozenset()) -> None:
    """On the tape, keep only the shape and dtype of a value the adjoint sweep reads only for
    them (``_s2s.like``): a loop then saves one array per step where the adjoint needs its
    values, not one per temporary. At the end of the primal sweep, the last values of such
    names become shape records too, and those the adjoint never reads are dropped."""
    meta: dict[str, bool] = {}
    for block in sweeps.adjoint:
        for stmt in block.body:
            loads, parents = loads_with_parents(stmt)
            for node in loads:
                meta[node.id] = meta.get(node.id, True) and _meta_use(node, parents)
    for var in params & sweeps.saved:  # the return, _s2s.gradient(d_w, w, (w, n)), reads the
        meta[var] = False  # caller's own w (its type, what not to alias): never a shape record
    read = set(meta)
    shapes_only = {n for n, only in meta.items() if only}
    unread = {n for n in sweeps.saved if n not in read}
    for block in sweeps.primal:  # a value nobody reads: neither pushed nor popped
        block.body = _without(block.body, lambda stmt: _tape_call(stmt, sweeps.tape, unread))
    for block in sweeps.adjoint:
        block.body = _without(block.body, lambda stmt: _tape_pop(stmt, sweeps.tape, unread))
        block.body = _without(  # v = x[t] recomputed for a reversed trip, but never read
            block.body,
            lambda stmt: getattr(stmt, "s2s_remade", False) and stmt.targets[0].id not in read,
        )
        _name_recomputed(block.body)
        _release_recomputed(block.body)
    for block in sweeps.primal:
        for stmt in block.body:
            for node in inner_nodes(stmt):  # (each push on its own: in no particular order)
                pushed = (
                    pushed_value(node, sweeps.tape)
                    if isinstance(node, gast.Call) and sweeps.tape
                    else None
                )
                if (
                    isinstance(pushed, gast.Name)
                    and pushed.id in sweeps.saved  # a value, not a count or an arm
                    and (pushed.id in shapes_only or pushed.id not in read)
                ):
                    unread = pushed.id not in read
                    node.args[0] = constant(None) if unread else call("_s2s.like", pushed)
    kept = params | set(name_list(sweeps.output)) | set(name_list(sweeps.loss))
    release: list[gast.stmt] = []
    for var in sorted(sweeps.saved - kept):
        if var not in read:
            release.append(assign(var, constant(None)))
        elif var in shapes_only:
            release.append(assign(var, call("_s2s.like", name(var))))
    if release:
        text = "the adjoint sweep reads only shapes of these, or nothing"
        sweeps.primal.append(Block(text, release))


def drop_unread_recomputed(blocks: list[Block]) -> None:
    """Remove the values a reversed trip recomputes (``s2s_remade``) that no statement of
    ``blocks`` reads any more (a later pass dropped their reader: ``sin_1`` of
    ``np.sin(W[i]) * x`` when only ``W``'s gradient is asked for), and their releases; each
    "recomputed, not taped" comment then names those left. A recomputation repeats what the
    primal sweep computed without raising."""
    while True:
        read = {n for b in blocks for s in b.body for n in statement_reads(s)}
        unread = {
            stmt.targets[0].id
            for b in blocks for s in b.body for stmt in statements_in(s)
            if getattr(stmt, "s2s_remade", False) and stmt.targets[0].id not in read
        }  # fmt: skip
        if not unread:
            break
        for block in blocks:
            block.body = _without(block.body, lambda stmt, gone=unread: _assigns(stmt, gone))
    for block in blocks:
        _name_recomputed(block.body)


def _assigns(stmt: gast.stmt, names: set[str]) -> bool:
    """``x = ...`` (a recomputation or a release) of a name in ``names``."""
    return (
        isinstance(stmt, gast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], gast.Name)
        and stmt.targets[0].id in names
    )


def _tape_call(stmt: gast.stmt, tape: str, names: set[str]) -> bool:
    """``tape.append(...)`` saving the old value of a name in ``names``."""
    return getattr(stmt, "s2s_saves", None) in names


def _tape_pop(stmt: gast.stmt, tape: str, names: set[str]) -> bool:
    """``x = tape.pop()`` for ``x`` in ``names``."""
    return (
        isinstance(stmt, gast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], gast.Name)
        and stmt.targets[0].id in names
        and isinstance(stmt.value, gast.Call)
        and isinstance(stmt.value.func, gast.Attribute)
        and stmt.value.func.attr == "pop"
        and isinstance(stmt.value.func.value, gast.Name)
        and stmt.value.func.value.id == tape
    )


def _name_recomputed(body: list[gast.stmt]) -> None:
    """Complete each "recomputed, not taped" comment of a reversed trip with the values it
    still recomputes (rows of an argument, ``x[t]``, are views: not named); drop it if none."""
    for i in range(len(body) - 1, -1, -1):
        stmt = body[i]
        for field in ("body", "orelse"):
            nested = getattr(stmt, field, None)
            if isinstance(nested, list):
                _name_recomputed(nested)
        if not getattr(stmt, "s2s_recomputed", False):
            continue
        run = []  # the recomputed values that follow the note (releases between them)
        for s in body[i + 1 :]:
            released = isinstance(s, gast.Assign) and isinstance(s.value, gast.Constant) and (
                s.value.value is None
            )
            if not (getattr(s, "s2s_remade", False) or released):
                break
            if not released:
                run.append(s)
        names = [s.targets[0].id for s in run if not isinstance(s.value, gast.Subscript)]
        if names:
            stmt.value.args[0].value = "recomputed, not taped: " + ", ".join(names)
        else:
            del body[i]


def _release_recomputed(body: list[gast.stmt]) -> None:
    """In each reversed trip, release a value recomputed at its top (not a view) right after
    its last reader, so it is not kept alive beside the cotangents computed from it."""
    for stmt in body:
        for field in ("body", "orelse"):
            nested = getattr(stmt, field, None)
            if isinstance(nested, list):
                _release_recomputed(nested)
        if not isinstance(stmt, gast.For):
            continue
        trip = stmt.body
        remade = [
            s.targets[0].id
            for s in trip
            if getattr(s, "s2s_remade", False) and not isinstance(s.value, gast.Subscript)
        ]
        releases = []
        for var in remade:
            readers = [
                i for i, s in enumerate(trip)
                if any(isinstance(n, gast.Name) and n.id == var and isinstance(n.ctx, gast.Load)
                       for n in walk(s))
            ]  # fmt: skip
            if readers:
                releases.append((readers[-1], var))
        for index, var in sorted(releases, reverse=True):
            trip.insert(index + 1, assign(var, constant(None)))


def _without(body: list[gast.stmt], drop) -> list[gast.stmt]:
    """``body`` without the statements ``drop`` picks, in nested blocks too (``pass`` where a
    block would be left empty)."""
    kept = []
    for stmt in body:
        if drop(stmt):
            continue
        for field in ("body", "orelse"):
            nested = getattr(stmt, field, None)
            if isinstance(nested, list) and nested:
                setattr(stmt, field, _without(nested, drop) or [gast.Pass()])
        kept.append(stmt)
    return kept


def _targets(stmt: gast.stmt) -> list[str]:
    if getattr(stmt, "s2s_side_effect", False):  # `COUNT += 1` on a global: not a local
        return []
    if isinstance(stmt, gast.Assign):
        target = stmt.targets[0]
        if type(target) is gast.Name and target.annotation is None:
            return [target.id]  # (the usual target, without a walk)
        return [n.id for n in walk(target) if isinstance(n, gast.Name)]
    if isinstance(stmt, gast.AugAssign) and isinstance(stmt.target, gast.Name):
        return [stmt.target.id]
    return []


def free_dead(blocks: list[Block], keep: set[str], final_reads: set[str],
              only: set[str] | None = None) -> None:  # fmt: skip
    """Insert ``del`` after the last read of each generated value that is not kept or returned
    (a value read inside a loop or branch counts as read by that whole statement, one assigned
    in a ``with np.errstate(...)`` block as assigned by it).

    ``keep`` holds the parameters (the caller owns them); ``final_reads`` the names read by the
    return statement; ``only`` (in a sweep through branches and loops, see
    :func:`~s2s.codegen.straight.straight_names`): the names that may be freed, each only if
    it is assigned before anything reads it, and not after the last statement (such a sweep
    ends without releases: :mod:`s2s.codegen.endings`).
    """
    last: dict[str, tuple[int, int]] = {}
    first_read: dict[str, tuple[int, int]] = {}
    first_store: dict[str, tuple[int, int]] = {}
    end = None
    for b, block in enumerate(blocks):
        for s, stmt in enumerate(block.body):
            end = (b, s)
            for var in statement_reads(stmt):
                last[var] = (b, s)
                first_read.setdefault(var, (b, s))
            inner = stmt.body if isinstance(stmt, gast.With) else []  # np.errstate: runs once
            for var in _targets(stmt) + [t for node in inner for t in _targets(node)]:
                first_store.setdefault(var, (b, s))
                last.setdefault(var, (b, s))
    frees: dict[tuple[int, int], list[str]] = {}
    for var, position in last.items():
        if var in keep or var in final_reads or var not in first_store:
            continue
        if only is not None and var not in only:
            continue
        if only is not None and var in first_read and first_read[var] <= first_store[var]:
            continue  # read before it is assigned (where a path skips that): it stays
        if only is not None and position == end:
            continue
        frees.setdefault(position, []).append(var)
    for (b, s), names in sorted(frees.items(), reverse=True):
        targets = [gast.Name(n, gast.Del(), None, None) for n in sorted(names)]
        blocks[b].body.insert(s + 1, gast.Delete(targets=targets))


def drop_dead_stores(blocks: list[Block], live_out: set[str], only: set[str] | None = None) -> None:
    """Remove adjoint assignments whose value nothing reads (a cotangent sent into a cut such
    as ``undefined_grad`` is never computed). ``live_out`` holds names read after the blocks;
    ``only`` (in a sweep through branches and loops): the names whose stores may go (a loop or
    branch counts as one statement reading every name read inside it)."""
    changed = True
    with reads_memo():  # statements are only removed: each one's reads are found once
        while changed:
            changed = False
            live = set(live_out)
            for block in reversed(blocks):
                kept: list[gast.stmt] = []
                for stmt in reversed(block.body):
                    targets = _targets(stmt)
                    pure = isinstance(stmt, gast.Assign) and len(targets) == 1
                    pure = pure and (only is None or targets[0] in only)
                    pure = pure and (only is None or not _is_none(stmt.value))  # no release
                    if pure and targets[0] not in live:
                        changed = True
                        continue
                    if isinstance(stmt, gast.Assign):
                        live.difference_update(targets)
                    read_into(live, stmt)
                    kept.append(stmt)
                block.body = list(reversed(kept))


def _is_none(value: gast.expr) -> bool:
    return isinstance(value, gast.Constant) and value.value is None


SMALL_BYTES = 128 * 1024  # glibc's default threshold between its heap and mmap allocations
_REUSABLE = {gast.Add: "add", gast.Sub: "subtract", gast.Mult: "multiply", gast.Div: "divide"}


def _float_to_float(ufunc: np.ufunc) -> bool:
    """A differentiable elementwise function: a float argument gives a float of its dtype
    (``np.isnan`` and other predicates give booleans and are piecewise constant)."""
    rule = registry.lookup(ufunc)
    return rule is not None and rule.kind == registry.ELEMENTWISE


def reusable_operand(value: gast.expr, fresh: set[str], after: set[str]) -> list | None:
    """``[ufunc, dead temporary, other operand]`` if ``value`` can write into a temporary."""
    if isinstance(value, gast.BinOp) and type(value.op) in _REUSABLE:
        ufunc = gast.Attribute(value=name("_np"), attr=_REUSABLE[type(value.op)], ctx=gast.Load())
        candidates = [(value.left, value.right)]
        if isinstance(value.op, (gast.Add, gast.Mult)):  # commutative: either side will do
            candidates.append((value.right, value.left))
        for operand, other in candidates:
            if isinstance(operand, gast.Name) and operand.id in fresh - after - names_in(other):
                if operand is value.left:
                    return [ufunc, operand, other]
                return [ufunc, operand, value.left]  # still computes left op right
        return None
    if (
        isinstance(value, gast.Call)
        and len(value.args) == 1
        and not value.keywords
        and isinstance(value.func, gast.Attribute)
        and isinstance(value.func.value, gast.Name)
        and value.func.value.id == "_np"
        and isinstance(getattr(np, value.func.attr, None), np.ufunc)
        and getattr(np, value.func.attr).nin == 1
        and _float_to_float(getattr(np, value.func.attr))
    ):
        operand = value.args[0]
        if isinstance(operand, gast.Name) and operand.id in fresh - after:
            return [value.func, operand]
    return None


def reuse_dead_temporaries(sweeps: Sweeps, fresh: set[str]) -> None:
    """Write ``t + y`` (or ``np.tanh(t)``) into ``t``'s memory when ``t`` is a temporary that
    s2s allocated and that nothing reads afterwards, as numpy does for ``np.tanh(x @ w + b)``
    written in one expression. ``_s2s.into`` checks shape and dtype at run time and otherwise
    allocates, so the result is always the operator's."""
    statements = [stmt for block in sweeps.primal for stmt in block.body]
    seen = {n for b in sweeps.adjoint for s in b.body for n in names_in(s)}  # read after
    for stmt in reversed(statements):  # (one pass, no copy of what is read after each)
        reads = statement_reads(stmt)  # as written, before its value may change below
        if isinstance(stmt, gast.Assign):
            args = reusable_operand(stmt.value, fresh, seen)
            if args is not None:
                stmt.value = gast.Call(func=call("_s2s.into").func, args=args, keywords=[])
        seen |= reads


def optimize(
    sweeps: Sweeps, params: set[str], fresh: set[str] = frozenset(), in_place: bool = True
) -> None:
    """Run the optimizations on ``sweeps`` in place (``in_place=False`` for higher order).

    ``fresh`` names the temporaries whose arrays s2s allocated (results of ufuncs and matmul).
    """
    only = None  # straight-line code: every name
    if sweeps.dynamic:  # loops reuse names and popping the tape is a side effect: the rest
        tape_shapes_only(sweeps, params)  # only for names as in straight-line code
        only = straight_in(sweeps)
    live_out = {n.id for g in sweeps.gradients for n in walk(g) if isinstance(n, gast.Name)}
    drop_dead_stores(sweeps.adjoint, live_out, only)
    if in_place:
        add_in_place(sweeps.adjoint)
    keep_shapes(sweeps, params, only)
    if in_place:
        reuse_dead_temporaries(sweeps, set(fresh) if only is None else set(fresh) & only)
