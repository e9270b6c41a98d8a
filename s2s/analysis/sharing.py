"""Sharing: which names of a function may share memory with an array, and whether a value
made before a write into it may still be read after.

The may-alias relation the aliasing checks (:mod:`s2s.analysis.aliasing`) and the detaching of
a tape's saves (:mod:`s2s.reverse.detaching`) read: a view (``x[1:]``, ``x.T``, each output of
``np.split``, ``np.broadcast_arrays``), a second name or a choice that may be the array, your
own function's result, and views of those in turn; a list that holds one (``xs.append(x[1:])``,
a list literal, a comprehension) keeps its memory live as long as the list.
"""

from __future__ import annotations

import inspect
import operator
from typing import Any

import gast
import numpy as np

from s2s import registry, runtime
from s2s.codegen.ir import (
    APPEND,
    CONST,
    COPY,
    LOCAL_CALL,
    POP,
    SETITEM,
    FunctionIR,
    Loop,
    Marker,
    Stmt,
    atom_names,
)
from s2s.codegen.walking import copy_tree
from s2s.errors import MutationError


def loops_of(ir: FunctionIR) -> dict[int, set[int]]:
    """For each statement, the loops around it (by identity)."""
    found: dict[int, set[int]] = {}

    def walk(body: list[Any], loops: frozenset) -> None:
        for item in body:
            if isinstance(item, Stmt):
                found[id(item)] = set(loops)
            elif isinstance(item, Loop):
                inner = loops | {id(item)}
                walk(item.test_body, inner)
                walk(item.body, inner)
                walk(item.orelse, loops)
            elif hasattr(item, "body"):
                walk(item.body, loops)
                walk(item.orelse, loops)

    walk(ir.body, frozenset())
    return found


def reaches(flat: list[Stmt], loops: dict, alias: int, write: int, array: str) -> bool:
    """Whether an alias made at ``alias`` may still name the array written at ``write``: no
    new array is bound to ``array`` on the way (through a loop's next iteration too)."""

    def defines(i: int) -> bool:
        return array in flat[i].targets and flat[i].op is not SETITEM

    if alias < write:
        return not any(defines(i) for i in range(alias + 1, write))
    shared = loops[id(flat[alias])] & loops[id(flat[write])]
    if not shared:
        return False  # made after the write and no loop brings it back
    inside = [i for i, s in enumerate(flat) if loops[id(s)] & shared]
    return not any(defines(i) and (i < write or i > alias) for i in inside)


def view_text(ir: FunctionIR, view: Stmt) -> str:
    """How the user wrote a view: its name (`r`), or its expression (`y[2]`) for a value
    s2s named."""
    target = view.targets[0] if view.targets else ""
    if target in ir.original and target not in ir.temporaries:
        return f"`{ir.original[target]}`"
    if not isinstance(view.expr, gast.expr):
        return "a value"
    expr = copy_tree(view.expr)
    for node in gast.walk(expr):  # the SSA names in it, as the user wrote them
        if isinstance(node, gast.Name):
            node.id = ir.original.get(node.id, node.id)
    return f"`{gast.unparse(expr).strip()}`"


def used_at_once(ir: FunctionIR, view: Stmt) -> bool:
    """A view read only within its own source statement (``x[1:3] += v``): nothing can see
    a later write through it."""
    readers = [s for s in ir.flat if any(t in value_reads(s) for t in view.targets)]
    return all(reader.node is view.node for reader in readers)


def value_reads(stmt: Stmt) -> list[str]:
    """The names whose values ``stmt`` reads: a derivative's ``_s2s.like(x)`` (its tape's
    shape record) reads only ``x``'s shape, so a view recorded so sees no later write; so do
    its ``_s2s.zero_tangent(x)`` and ``_s2s.project_tangent(t, x)`` (``x``'s shape and type:
    each returns a new array, or ``t``)."""
    if stmt.op is runtime.like or stmt.op is runtime.zero_tangent:
        return []
    if stmt.op is runtime.project_tangent:
        return [n for a in stmt.args[:1] for n in atom_names(a)]
    shape_only = getattr(stmt.op, "shape_only_args", ())
    return [n for i, a in enumerate(stmt.args) if i not in shape_only for n in atom_names(a)] + [
        n for a in stmt.kwargs.values() for n in atom_names(a)
    ]


def user_call(stmt: Stmt) -> bool:
    """A call of the user's own Python function (or a nested def): its result may alias its
    array arguments, and it may change them."""
    if stmt.op is LOCAL_CALL:
        return True
    return (
        inspect.isfunction(stmt.op)
        and registry.lookup(stmt.op) is None
        and not (getattr(stmt.op, "__module__", "") or "").startswith(("numpy", "s2s"))
    )


def slices(key: Any) -> bool:
    """Whether a key has a slice, ``None`` or ``...``: then ``x[key]`` is a view of ``x``."""
    items = key.elts if isinstance(key, gast.Tuple) else [key]
    return any(
        isinstance(item, gast.Slice)
        or (isinstance(item, gast.Constant) and (item.value is None or item.value is Ellipsis))
        for item in items
    )


def _einsum_sums(subscripts: object) -> bool:
    """Whether one operand's ``subscripts`` sum over an axis (``"ij->i"``, ``"ii"``, the
    trace): numpy then returns a new array, not a view."""
    if not isinstance(subscripts, str):
        return False
    text = subscripts.replace(" ", "")
    given, _, out = text.partition("->")
    letters = [c for c in given if c.isalpha()]
    if "->" not in text:  # implicit: the letters seen once, the repeated ones summed
        return len(letters) != len(set(letters))
    ellipsis_dropped = "..." in given and "..." not in out
    return ellipsis_dropped or any(c not in out for c in letters)


def is_view(stmt: Stmt) -> bool:
    """May share memory with its first argument: a view op, or a cast told not to copy
    (``x.astype(float, copy=False)``, ``np.array(x, copy=False)``), or ``np.einsum`` of one
    operand (numpy returns a view for ``"ii->i"``, ``"ij->ji"``, ``"i->i"``)."""
    if stmt.op is np.einsum and stmt.method is None:
        spelled = isinstance(stmt.args[0], gast.Constant) if stmt.args else False
        one = len(stmt.args) <= (2 if spelled else 3)  # subscripts and one operand
        return one and not (spelled and _einsum_sums(stmt.args[0].value))
    if not isinstance(stmt.op, Marker) and registry.facts_of(stmt.op).view:
        return stmt.method != "flatten"  # a.flatten() is ravel's derivative, but always a copy
    copy_flag = stmt.kwargs.get("copy")
    return copy_flag is not None and not (
        isinstance(copy_flag, gast.Constant) and copy_flag.value is True
    )


def aliases(other: Stmt, array: str) -> bool:
    """Whether ``other`` makes a value that may share memory with ``array``: a view of it (or
    of one of a view function's inputs), a choice that may be it (``b = a if c else x``,
    ``b = c and a``), or the result of your own function given it (which may return it or a
    view of it)."""
    if not (other.args or other.kwargs) or not other.targets:
        return False
    if is_view(other):  # np.broadcast_arrays(x, a), np.meshgrid(x, a, copy=False): any input
        several = other.op is not operator.getitem and other.method is None
        return any(array in atom_names(a) for a in (other.args if several else other.args[:1]))
    if other.op is COPY:
        return array in atom_names(other.args[0])
    if user_call(other):
        return any(array in atom_names(a) for a in [*other.args, *other.kwargs.values()])
    return False


def aliases_any(other: Stmt, names: set[str], lists: bool = False) -> bool:
    """Whether ``other`` makes a value that may share memory with one of ``names`` (or, with
    ``lists``, puts one of them in a list: :func:`holds`)."""
    return any(aliases(other, n) or (lists and holds(other, n)) for n in names)


def holds(other: Stmt, array: str) -> bool:
    """``xs.append(a)`` (a list literal and a comprehension are appends too): the list holds
    ``a`` as long as it lives, so a view of an array in it sees a write into the array."""
    return other.op is APPEND and len(other.args) > 1 and array in atom_names(other.args[1])


def list_names(ir: FunctionIR) -> set[str]:
    """The names bound to lists this function builds (``xs.append(v)``; a list literal and a
    comprehension are appends too), and second names for them (``ys = xs``)."""
    names = {t for s in ir.flat if s.op is APPEND for t in s.targets}
    grown = True
    while grown:
        grown = False
        for s in ir.flat:
            source = atom_names(s.args[0]) if s.op is COPY and s.args else []
            if source and set(source) <= names and not set(s.targets) <= names:
                names.update(s.targets)
                grown = True
    return names


def is_or_holds(ir: FunctionIR, other: Stmt) -> str:
    """The verb for a view's holder: "holds" for a list (``xs.append(v)``, a list made by a
    comprehension), else "is"."""
    source = atom_names(other.args[0]) if other.op is COPY and other.args else []
    listed = bool(source) and any(s.op is APPEND and s.targets == tuple(source) for s in ir.flat)
    return "holds" if other.op is APPEND or listed else "is"


def blocks_of(ir: FunctionIR) -> dict[int, tuple[int, int]]:
    """For each statement, the block (statement list, by identity) it sits in directly, and
    its position there."""
    found: dict[int, tuple[int, int]] = {}

    def walk(body: list[Any]) -> None:
        for position, item in enumerate(body):
            if isinstance(item, Stmt):
                found[id(item)] = (id(body), position)
            for inner in ("test_body", "body", "orelse"):
                if not isinstance(item, Stmt) and isinstance(getattr(item, inner, None), list):
                    walk(getattr(item, inner))

    walk(ir.body)
    return found


def seen_after(flat: list[Stmt], loops: dict, name: str, bound: int, write: int,
               blocks: dict | None = None) -> bool:  # fmt: skip
    """Whether the value ``name`` was bound to at ``bound`` (before the write at ``write``) may
    be read after the write: later in the program, or, in a loop around both, by a statement
    before ``bound`` (the next trip, before ``name`` is bound again). A derivative's primal
    sweep reads ``getitem_1 = buf[k]`` in ``add_1 = getitem_1 + g`` before ``buf[k] = add_1``,
    each its own statement, and only the shape of it after (its tape record). With ``blocks``
    (:func:`blocks_of`), a read after ``bound`` in its own block, where ``bound`` comes after
    the write (``getitem_1 = m[0]; add_1 = 1 + getitem_1`` after ``m[i, j] = 1.0`` in a loop:
    the code s2s generates, differentiated again), reads the value bound there after the
    write, never the one the next trip's write changes."""
    for i, other in enumerate(flat):
        if name not in value_reads(other):
            continue
        if blocks is not None and write < bound < i:
            block, position = blocks[id(flat[bound])]
            if blocks[id(other)][0] == block and blocks[id(other)][1] > position:
                continue
        if i > write:
            return True
        for loop in loops[id(other)] & loops[id(flat[write])]:  # its next trip reads again
            if loop not in loops[id(flat[bound])] or i < bound:  # the old binding
                return True
    return False


def read_across(flat: list[Stmt], loops: dict, name: str, bound: int, write: int) -> bool:
    """Whether the value ``name`` got at ``bound`` may be read after the write at ``write``:
    bound before it (:func:`seen_after`), or after it in a loop around both and read before
    it on the next trip."""
    if bound < write:
        return seen_after(flat, loops, name, bound, write)
    common = loops[id(flat[bound])] & loops[id(flat[write])]
    return bool(common) and any(
        i < write and name in value_reads(s) and loops[id(s)] & common for i, s in enumerate(flat)
    )


def element_or_row(stmt: Stmt) -> bool:
    """``r = x[i]`` with no slice in the key: an element, a copy or (``x`` of two or more
    dimensions) a row view, which only the run time tells apart."""
    return stmt.op is operator.getitem and len(stmt.args) > 1 and not slices(stmt.args[1])


def sharing_classes(ir: FunctionIR, rows_checked: bool = False) -> dict[str, set[str]]:
    """Each name bound in ``ir`` to the set of names that may share its memory (itself
    included): the classes of the may-alias relation of :func:`aliases` (a view, a choice
    that may be the array, a helper's result) taken both ways and through chains.
    ``rows_checked``: leave out ``r = x[i]`` (:func:`element_or_row`), whose sharing the
    caller checks at run time. A view the generated code copies (``s2s_copied``, code made to
    be differentiated again) shares nothing."""
    parent: dict[str, str] = {}

    def root(n: str) -> str:
        while parent.setdefault(n, n) != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for stmt in ir.flat:
        if not stmt.targets or stmt.op is SETITEM:
            continue
        for target in stmt.targets:
            root(target)
        sources = {n for a in [*stmt.args, *stmt.kwargs.values()] for n in atom_names(a)}
        if (rows_checked and element_or_row(stmt)) or getattr(stmt, "s2s_copied", False):
            continue
        for source in sources:
            if aliases(stmt, source):
                for target in stmt.targets:  # a helper's tuple: any item may be it
                    parent[root(target)] = root(source)
    classes: dict[str, set[str]] = {}
    for n in list(parent):
        classes.setdefault(root(n), set()).add(n)
    return {n: classes[root(n)] for n in parent}


def alias_closure(ir: FunctionIR, array: str, lists: bool = False) -> set[str]:
    """``array`` and every name that may share its memory through aliases of aliases (``t =
    a.T``, then ``r = t[0]``; each output of a view function: ``p, q = np.split(a, 2)``), and,
    with ``lists``, each list that holds one of them (``xs.append(a[1:])``, ``[a[1:]]``)."""
    names = {array}
    grown = True
    while grown:
        grown = False
        for other in ir.flat:
            new = [t for t in other.targets if t not in names]
            if new and other.op is not SETITEM and aliases_any(other, names, lists):
                names.update(new)
                grown = True
    return names


def checkpointed_loop_line(stmt: Stmt) -> int | None:
    """The line of the ``for`` loop whose checkpointed trips ``stmt`` runs (the call of the
    nested def :mod:`s2s.frontend.checkpoints` wrote for it), or ``None``."""
    for node in (stmt.node, getattr(stmt.node, "value", None), stmt.expr):
        line = getattr(node, "s2s_checkpointed_loop", None)
        if line is not None:
            return line
    return None


def after_checkpointed_loop(user: str, where: Any, line: int) -> MutationError:
    """The error for a write into ``user`` after the checkpointed loop at ``line`` that reads
    it or returns it (its trips run again in the adjoint sweep)."""
    return MutationError(
        f"`{user}` is assigned into after the checkpointed loop at line {line} (checkpoint= was "
        "given), which reads it or returns it: the loop's trips run again in the adjoint sweep "
        "and would see the new values (and the loop's state may be that very array)",
        where,
        f"assign into a copy (`{user} = {user}.copy()` first), or leave checkpoint= out",
    )


def refuse_in_container(primal: Any, ir: FunctionIR, array: str, where: Any) -> None:
    """An array put in a list (``xs.append(x)``, ``xs = [x]``) is the list's item: changing
    it in place would change the item too, which s2s does not follow."""
    for other in ir.flat:
        if other.op is APPEND and array in atom_names(other.args[1]):
            user = ir.shown(array)
            listed = ir.original.get(other.targets[0], other.targets[0])
            if listed == "tape" and getattr(primal.func, "__s2s_generated__", False):
                raise MutationError(  # a derivative's own tape: the user wrote no list
                    f"`{user}` is changed in place and bound anew while a second reference "
                    "(another name, a tuple's item, a dict's entry) still holds it: a "
                    "derivative of its derivative (hvp, hessian, grad of grad) does not "
                    "follow that yet",
                    where,
                    f"take a copy where the second reference is made (`z = {user}.copy()`), or "
                    f"build a new array instead of changing `{user}`",
                )
            raise MutationError(
                f"`{user}` is changed in place, but it was put in the list `{listed}` (line "
                f"{primal.where(other.node).lineno}), whose item would change too",
                where,
                f"put a copy in the list (`{listed}.append({user}.copy())`), or build a new "
                f"array instead of changing `{user}`",
            )


def restores_from_tape(func: Any, ir: FunctionIR, write: Stmt) -> bool:
    """``x[k] = pop_1`` in a derivative s2s generated (differentiated again), ``pop_1`` bound
    only by pops of its tapes (``__s2s_tape__``) or to ``None``: the adjoint sweep putting back
    the entries a write of the primal sweep overwrote (``tape.append(_s2s.overwritten(x, k))``
    before it), so that each statement it reverses reads memory as it was when that statement
    ran. A view of ``x`` read after such a write therefore sees what it saw when made, as the
    checks of the first order established for the user's own writes (at third order a view the
    user made after a loop of writes is read by the second order's adjoint sweep after the
    first order's restore and its own undoing of it)."""
    tapes = getattr(func, "__s2s_tape__", ())
    if write.op is not SETITEM or len(write.args) != 3 or not tapes:
        return False
    value = write.args[2]
    if not isinstance(value, gast.Name):
        return False
    made = [s for s in ir.flat if value.id in s.targets]
    return any(s.op is POP for s in made) and all(
        (s.op is POP and s.args and isinstance(s.args[0], gast.Name)
         and ir.renamed_lists.get(s.args[0].id, s.args[0].id) in tapes)
        or (s.op is CONST and isinstance(s.expr, gast.Constant) and s.expr.value is None)
        for s in made
    )  # fmt: skip


def view_update_advice(where_made: Any, user: str, whole: bool) -> str:
    """Advice for a write into ``user``, a view made at ``where_made`` (its ``Location``):
    write on the array it views; a copy, or ``x = x <op> ...``, would leave that array
    unchanged (a different program). ``whole``: an update of the whole view (``x += v``),
    else a write into its items (``x[k] = v``)."""
    made = where_made.text.strip()
    viewed = made.split("=", 1)[1].strip() if "=" in made else "the array it views"
    how = (f"`{viewed} += ...`" if whole else
           f"index `{viewed}` itself, its key and `{user}`'s together")  # fmt: skip
    return (f"`{user}` views `{viewed}` (line {where_made.lineno}): write on that array ("
            f"{how}), which s2s follows; a copy (`{user} = {user}.copy()`) or `{user} = "
            f"{user} <op> ...` would leave `{viewed}` unchanged")  # fmt: skip
