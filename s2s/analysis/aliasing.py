"""Aliasing: which in-place updates and writes keep Python's meaning, and which are refused.

A conservative may-alias analysis on the normal form: slices, ``.T``, ``reshape`` and the other
functions declared views (``Facts.view``) share memory with their input, and so do views of
those views and lists that hold one (:mod:`s2s.analysis.sharing`); a user helper's result may
alias its array arguments, and arguments, globals and closure values belong to the caller.
A write that may reach one of those raises :class:`s2s.MutationError` naming the line; a write
to an array this function made, that nothing else sees, is differentiated exactly (the tape
saves what it destroys).

Before: ``y`` is a view of the argument ``x`` and is updated in place; after, the update is
refused at its line, since the caller's array would change:

>>> import numpy as np, s2s
>>> def a(x):
...     y = x[0:2]
...     y += 1.0
...     return np.sum(y)
>>> try:
...     s2s.grad(a)(np.ones(3))
... except s2s.MutationError as e:
...     print(str(e).split(": ", 1)[1][:57])
`y` may share memory with another array (a view, a global
"""

from __future__ import annotations

import builtins
import operator
from typing import Any

import gast
import numpy as np

from s2s import registry, runtime
from s2s.analysis.argcopies import may_be_listed, may_hold_entry, still_bound
from s2s.analysis.dtypes import UNKNOWN, VType
from s2s.analysis.sharing import (
    after_checkpointed_loop,
    alias_closure,
    aliases_any,
    blocks_of,
    checkpointed_loop_line,
    is_or_holds,
    is_view,
    list_names,
    loops_of,
    reaches,
    read_across,
    refuse_in_container,
    restores_from_tape,
    seen_after,
    slices,
    used_at_once,
    user_call,
    value_reads,
    view_text,
    view_update_advice,
)
from s2s.analysis.spelled_writes import check_spelled_writes, returns_new_array, unbound_method
from s2s.codegen.ir import (
    APPEND,
    CONST,
    COPY,
    ITEMS,
    OPAQUE,
    POP,
    SETITEM,
    Branch,
    FunctionIR,
    Loop,
    Stmt,
    atom_names,
    flatten,
)
from s2s.errors import MutationError
from s2s.frontend.parse import Primal

# ndarray methods that change the array in place and return None
INPLACE_METHODS = {"sort", "fill", "resize", "put", "partition", "itemset", "setfield", "setflags"}


def check_statement(primal: Primal, ir: FunctionIR, stmt: Stmt, types: dict) -> None:
    """Refusals that need static types: aliasing updates, in-place methods, module methods."""
    check_spelled_writes(primal, ir, stmt, types)  # out= (or by position), operator.iadd
    if not stmt.targets and user_call(stmt) and any(atom_names(a) for a in stmt.args):
        callee = getattr(stmt.op, "__name__", None) or atom_names(stmt.expr.func)[0]
        callee = ir.original.get(callee, callee)
        raise MutationError(
            f"the result of `{callee}(...)` is not used: such a call matters only if it changes "
            "its arguments in place, which s2s does not differentiate",
            primal.where(stmt.node),
            "make the helper return the new value and assign it (`a = helper(a, v)`)",
        )
    if _in_place_function(stmt.op):
        ufunc = getattr(stmt.op, "__self__", None)
        shown = (
            f"numpy.{ufunc.__name__}.at" if ufunc is not None else registry.qualified_name(stmt.op)
        )
        raise MutationError(
            f"{shown} changes its first argument in place, which s2s differentiates only as a "
            "statement of its own whose first argument is a name",
            primal.where(stmt.node),
            "write it as a statement on an array this function made, the array passed by "
            "position (`np.put(buf, ind, x)`, `np.copyto(buf, x)`, `np.add.at(buf, idx, x)` for "
            "add, subtract, multiply, maximum and minimum)",
        )
    _check_mutation(primal, ir, stmt, types)
    if stmt.method is not None and _operand_kind(stmt.args[0], types) == "other":
        stmt.op = OPAQUE  # `xp.sum(...)` on a module or object: not an array method
    method = stmt.method or unbound_method(stmt.op)  # y.sort() or np.ndarray.sort(y)
    if method in INPLACE_METHODS and stmt.args and _operand_kind(stmt.args[0], types) != "other":
        receiver = [n for n in atom_names(stmt.args[0]) if n not in ir.temporaries]
        shown = ir.original.get(receiver[0], receiver[0]) if receiver else "the array"
        advice = (
            f"use the function that returns a new array (`{shown} = np.sort({shown})`)".replace(
                "the array", "a"
            )
            if method == "sort"
            else "build a new array instead of changing this one"
        )
        raise MutationError(
            (
                f"`{shown}.{method}(...)` changes `{shown}`"
                if receiver
                else f"`.{method}(...)` changes an array"
            )
            + " in place, which s2s does not differentiate yet",
            primal.where(stmt.node),
            advice,
        )


def _check_setitem(primal: Primal, ir: FunctionIR, stmt: Stmt) -> None:
    """``x[key] = v`` needs ``x`` to be an array this function made, that nothing else sees."""
    array = stmt.targets[0]
    user = ir.shown(array)
    where = primal.where(stmt.node)
    advice = f"make a copy first (`{user} = {user}.copy()`), then assign into the copy"
    generated = getattr(primal.func, "__s2s_generated__", False)  # a gradient differentiated
    if may_hold_entry(ir.body, array, stmt, generated):  # not after `w = w.copy()` everywhere
        _refuse_argument(ir, array, f"`{user}` is an argument: assigning into it", where, advice)
    _refuse_argument_item(ir, array, "assigning into it", where, advice)
    if may_be_listed(ir.body, array, stmt):  # not `y[0] = v` before `ys.append(y)`
        refuse_in_container(primal, ir, array, where)
    definitions = _reaching_definitions(ir, array, stmt)
    if not definitions:
        raise MutationError(f"`{user}` is not assigned in this function (a global or closure "
                            "value)", where, advice)  # fmt: skip
    if generated and _owned_before(ir.body, stmt, array):
        definitions = []  # a tangent made a new array just before the write (forward mode)
    for definition in definitions:
        if _fresh_copy(ir, definition, generated):
            continue  # out = <temporary from out += x>: the same fresh array
        if definition.op is CONST and _is_none(definition.expr):
            continue  # out = None before a derivative's tape: no memory to share
        if user_call(definition) and checkpointed_loop_line(definition) is not None:
            raise after_checkpointed_loop(user, where, checkpointed_loop_line(definition))
        if user_call(definition):
            raise MutationError(
                f"`{user}` is the result of your own function (line "
                f"{primal.where(definition.node).lineno}), which may return a view of its "
                "arguments, so assigning into it is not supported",
                where,
                advice,
            )
        if is_view(definition) or definition.op in (COPY, CONST, OPAQUE):
            made = primal.where(definition.node)
            raise MutationError(
                f"`{user}` may share memory with another array (a view, a global or an "
                f"argument; line {made.lineno}), so assigning into it is not supported yet",
                where,
                view_update_advice(made, user, False) if is_view(definition) else advice,
            )
    if generated and restores_from_tape(primal.func, ir, stmt):
        stmt.alias_checks = []  # the adjoint sweep's own restore: views see again what they
        return  # saw when made (s2s.analysis.sharing.restores_from_tape)
    flat = ir.flat
    write = flat.index(stmt)
    loops, blocks = loops_of(ir), blocks_of(ir)
    # b = a if c else x, then d = b: both name it; t = a.T, then r = t[0]; xs.append(a[1:])
    names = alias_closure(ir, array, lists=not generated)
    stmt.alias_checks = []
    listed = set() if generated else list_names(ir)
    elements: set[str] = set()  # x[i] of the array (element, copy or row: known at run time)
    for index, other in enumerate(flat):
        if other.targets and set(other.targets) <= listed:
            # a list that may hold a view (`xs.append(x[1:])`, `[x[:i] for i in ...]`): the
            # write checks each of its items at run time, as for a row below
            if (
                aliases_any(other, names, lists=True)
                and not used_at_once(ir, other)
                and reaches(flat, loops, index, write, array)
                and any(seen_after(flat, loops, t, index, write, blocks) for t in other.targets)
                and not any(c.targets == other.targets for c in stmt.alias_checks)
            ):
                stmt.alias_checks.append(other)
            continue
        element_copy = (  # `a, b = z[t, 0], z[t, 1]`: a second name for such a read
            other.op is COPY and other.args and atom_names(other.args[0])
            and set(atom_names(other.args[0])) <= elements
        )  # fmt: skip
        if (other.op is operator.getitem and not slices(other.args[1])) or element_copy:
            # x[i] (x the array or a value that may share its memory: `t = x.T`, a list of
            # views) is an element or a copy, or (of two or more dimensions) a row view:
            # which one is known only at run time, where the write checks it
            source = atom_names(other.args[0])[:1]
            if source and (source[0] in names or element_copy):
                elements.update(other.targets)
            if (
                other.targets
                and source
                and (source[0] in names or element_copy)
                and not used_at_once(ir, other)
                and reaches(flat, loops, index, write, array)
                and any(seen_after(flat, loops, t, index, write, blocks) for t in other.targets)
            ):
                stmt.alias_checks.append(other)
            continue
        if (
            aliases_any(other, names, lists=not generated)
            and not used_at_once(ir, other)
            and reaches(flat, loops, index, write, array)
            and any(seen_after(flat, loops, t, index, write, blocks) for t in other.targets)
            and still_bound(ir.body, other, stmt)  # not `x = y; x = u` before `y[0] = v`
        ):
            if checkpointed_loop_line(other) is not None:
                raise after_checkpointed_loop(user, where, checkpointed_loop_line(other))
            raise MutationError(
                f"`{user}` is assigned into, but {_view_text(primal, ir, other)} "
                f"{is_or_holds(ir, other)} a view of it (line {primal.where(other.node).lineno}): "
                "aliasing updates are not supported yet",
                where,
                advice,
            )


def _scalar_element(ir: FunctionIR, name: str, types: dict[str, VType]) -> bool:
    """``b = x[0]`` of a 1-D numpy array (shape ``()``, a key of integers only): numpy gives a
    scalar, not a view, so ``b *= v`` rebinds ``b`` and leaves ``x`` alone."""
    made = [s for s in ir.flat if name in s.targets]
    if types.get(name, UNKNOWN).shape != () or len(made) != 1 or made[0].op is not operator.getitem:
        return False
    key = made[0].args[1]
    items = key.elts if isinstance(key, gast.Tuple) else [key]
    return all(
        (isinstance(item, gast.Constant) and type(item.value) is int)
        or (isinstance(item, gast.Name) and types.get(item.id, UNKNOWN).kind == "int")
        for item in items
    )


def _reaching_definitions(ir: FunctionIR, array: str, write: Stmt) -> list[Stmt]:
    """The bindings of ``array`` that may reach ``write``: for a write at the function's top
    level, the last top-level binding before it when no block in between binds the name
    (``y = y * 2`` after ``y = x.reshape(3)``; not ``y = y.T`` after the write); else every
    binding of the name (conservative)."""
    everywhere = [s for s in ir.flat if array in s.targets and s.op is not SETITEM]
    position = next((i for i, s in enumerate(ir.body) if s is write), None)
    if position is None:
        return everywhere
    for item in reversed(ir.body[:position]):
        if not isinstance(item, Stmt):
            if not isinstance(item, (Branch, Loop)) or any(
                array in s.targets for s in flatten([item])
            ):
                return everywhere  # bound in a branch or loop: any binding may reach
            continue
        if array in item.targets and item.op is not SETITEM:
            return [item]
    return everywhere


def _owned_before(block: list[Any], write: Stmt, array: str) -> bool:
    """In s2s's forward-mode code, ``x_dot = _s2s.owned_tangent(x_dot, x)`` (always a new
    array) is the last binding of ``array`` before ``write`` in the block that holds it, with
    no branch or loop between them that binds it."""
    for position, item in enumerate(block):
        if item is write:
            for before in reversed(block[:position]):
                if isinstance(before, Stmt):
                    if array in before.targets and before.op is not SETITEM:
                        if before.op is COPY:  # through a temporary: `t = ...; x_dot = t`
                            source = tuple(atom_names(before.args[0]))
                            made = [s for s in block[:position]
                                    if isinstance(s, Stmt) and s.targets == source]  # fmt: skip
                            return bool(made) and _owned(made[-1])
                        return _owned(before)
                elif any(array in s.targets for s in flatten([before])):
                    return False
            return False
        for inner in _blocks(item):
            if _owned_before(inner, write, array):
                return True
    return False


def _owned(stmt: Stmt) -> bool:
    return stmt.op is runtime.owned_tangent


def _blocks(item: Any) -> list[list[Any]]:
    if isinstance(item, Branch):
        return [item.body, item.orelse]
    if isinstance(item, Loop):
        return [item.test_body, item.body, item.orelse]
    return []


def _fresh_copy(ir: FunctionIR, stmt: Stmt, generated: bool = False) -> bool:
    """``x = t`` where ``t`` is a temporary this function computed (not a view), or, in s2s's
    own derivative code (``generated``), a name that only ever holds arrays computed here (or
    ``None``) and whose value nothing reads but such copies into ``x`` (a gradient's
    ``multiply_1 = y * x``, then ``y = multiply_1``, in a loop that binds ``multiply_1`` to
    ``None`` too): nothing reads a write into ``x`` through ``t``."""
    if stmt.op is not COPY:
        return False
    source = atom_names(stmt.args[0])
    if not source:
        return False
    if source[0] in ir.temporaries:
        made = next((s for s in ir.flat if source[0] in s.targets), None)
        return (
            made is not None
            and not is_view(made)
            and made.op not in (COPY, CONST, OPAQUE)
            and not _may_return_argument(made)
        )
    if not generated or source[0] in {p.name for p in ir.params}:
        return False
    made = [s for s in ir.flat if source[0] in s.targets and s.op is not SETITEM]
    return (
        bool(made)
        and all(_made_here(s) or (s.op is CONST and _is_none(s.expr)) for s in made)
        and all(
            other.op is COPY and other.targets == stmt.targets
            for other in ir.flat
            if source[0] in value_reads(other)
        )
    )


def _made_here(stmt: Stmt) -> bool:
    """A new array: not a view, a second name, a constant, an opaque value, a list's item or
    what your own function returned."""
    made_elsewhere = (COPY, CONST, OPAQUE, POP, ITEMS)
    return not (is_view(stmt) or stmt.op in made_elsewhere or user_call(stmt))


def _may_return_argument(
    stmt: Stmt, types: dict[str, VType] | None = None, itself: str | None = None
) -> bool:
    """A value that may be one of the call's arguments, or a view of one: the result of your
    own function (``def ident(a): return a``) or of builtin ``max``/``min`` (which return one
    of their arguments, ``max(y, y2, key=len)``), unless ``types`` show a scalar result of
    arguments: scalars none of which is known to be an array (``max(x[0], x[1])``), or the
    name being updated itself (``m = max(m, x[i]); m += v`` in a loop: its other bindings are
    checked on their own)."""
    if stmt.op in (builtins.max, builtins.min):
        if types is None or stmt.kwargs or len(stmt.args) < 2:
            return True
        return not all(_scalar_atom(a, types) or atom_names(a) == [itself] for a in stmt.args)
    return user_call(stmt) and not returns_new_array(stmt.op)


def _scalar_atom(atom: gast.expr, types: dict[str, VType]) -> bool:
    """A number, or a name of shape ``()`` not known to be an array."""
    if isinstance(atom, gast.Constant):
        return isinstance(atom.value, (int, float))
    found = types.get(atom.id, UNKNOWN) if isinstance(atom, gast.Name) else UNKNOWN
    return found.shape == () and found.array is not True


def _binding_returning_argument(ir: FunctionIR, name: str, types: dict) -> Stmt | None:
    """A binding of ``name`` (directly, or through a temporary in a loop: ``t = f(z); z = t``)
    to a value that may be an argument of the call that made it (:func:`_may_return_argument`)."""
    for stmt in ir.flat:
        if name not in stmt.targets or stmt.op is SETITEM:
            continue
        made = stmt
        source = atom_names(stmt.args[0]) if stmt.op is COPY and stmt.args else []
        if source and source[0] in ir.temporaries:
            made = next((s for s in ir.flat if source[0] in s.targets), stmt)
        if _may_return_argument(made, types, name):
            return made
    return None


def _is_none(expr: Any) -> bool:
    return isinstance(expr, gast.Constant) and expr.value is None


def _view_text(primal: Primal, ir: FunctionIR, view: Stmt) -> str:
    return view_text(ir, view)


def _in_place_function(op: Any) -> bool:
    """numpy functions that write into their first argument (``np.add.at``, ``np.copyto``)."""
    if getattr(op, "__name__", None) == "at" and isinstance(
        getattr(op, "__self__", None), np.ufunc
    ):
        return True
    return registry.facts_of(op).writes


def _check_mutation(primal: Primal, ir: FunctionIR, stmt: Stmt, types: dict[str, VType]) -> None:
    if stmt.op is SETITEM and stmt.targets[0] in list_names(ir):  # no array memory written
        if isinstance(stmt.node, gast.AugAssign) and not getattr(
            primal.func, "__s2s_generated__", False
        ):  # (a derivative's own `xs[1] = add_1` and `xs[1] = tape.pop()` bind items)
            _check_list_item_update(primal, ir, stmt, types)
        return
    if stmt.op is SETITEM:
        _check_setitem(primal, ir, stmt)
        return
    if stmt.op is not runtime.augmented or stmt.aug_of is None:
        return
    old = stmt.aug_of
    user = ir.shown(old)
    old_type = types.get(old, UNKNOWN)
    if old_type.array is False or _scalar_element(ir, old, types):
        return  # a scalar: `x += y` rebinds, exactly as Python does
    where = primal.where(stmt.node)
    advice = f"write `{user} = {user} <op> ...` to make a new array instead of updating this one"
    if may_hold_entry(ir.body, old, stmt):
        _refuse_argument(ir, old, f"`{user}` is an argument: updating it in place", where, advice)
    _refuse_argument_item(ir, old, "updating it in place", where, advice)
    definition = next((s for s in ir.flat if old in s.targets), None)
    if (
        definition is not None
        and definition.op is CONST
        and isinstance(definition.expr, gast.Constant)
    ):
        return  # s = 0.0 before a loop of `s += a`: a Python number, rebound each time
    refuse_in_container(primal, ir, old, where)
    _refuse_stale_reads(primal, ir, stmt, old, where)
    returned = _binding_returning_argument(ir, old, types)
    if returned is not None:
        callee = getattr(returned.op, "__name__", None) or "a function"
        raise MutationError(
            f"`{user}` is the result of `{ir.original.get(callee, callee)}(...)` (line "
            f"{primal.where(returned.node).lineno}), which may return its argument or a view "
            f"of it, so updating `{user}` in place may change that argument too; that is not "
            "supported",
            where,
            f"write `{user} = {user} <op> ...` to make a new array, or take a copy where "
            f"`{user}` is made (`{user} = {callee}(...).copy()`)",
        )
    if definition is not None and _fresh_copy(ir, definition):
        return
    if definition is None or is_view(definition) or definition.op in (COPY, CONST, OPAQUE):
        view = definition is not None and is_view(definition)
        raise MutationError(
            f"`{user}` may share memory with another array (a view, a global or an argument), "
            "so updating it in place is not supported yet",
            where,
            view_update_advice(primal.where(definition.node), user, True) if view else advice,
        )
    generated = getattr(primal.func, "__s2s_generated__", False)
    names = alias_closure(ir, old, lists=not generated)
    flat, loops = ir.flat, loops_of(ir)
    write = flat.index(stmt)
    for index, other in enumerate(flat[:write]):
        if other is definition:
            continue
        if (
            aliases_any(other, names, lists=not generated)
            and not used_at_once(ir, other)
            and any(seen_after(flat, loops, t, index, write) for t in other.targets)
        ):
            raise MutationError(
                f"`{user}` is updated in place, but {_view_text(primal, ir, other)} "
                f"{is_or_holds(ir, other)} a view of it (line {primal.where(other.node).lineno})",
                where,
                advice,
            )


def _check_list_item_update(
    primal: Primal, ir: FunctionIR, stmt: Stmt, types: dict[str, VType]
) -> None:
    """``xs[k] op= v`` on a list the function builds: Python updates an array item in place
    (``__iadd__``), s2s binds a new array to the item; the two agree only where nothing else
    sees the item: each array put in the list is a new one read nowhere else (not a name, an
    argument or a view), and no item read before the update (``b = xs[0]``, or a view of it)
    is read after it. A scalar item is rebound by Python too.

    Raises:
        MutationError: at the update, naming the line of the append or the read.
    """
    xs = stmt.targets[0]
    user = ir.shown(xs)
    flat, loops = ir.flat, loops_of(ir)
    write = flat.index(stmt)
    params = {p.name for p in ir.params}
    advice = (
        f"put a new array in the list (`{user}.append(a.copy())`), or make a new list of "
        f"the updated items instead of updating `{user}` in place"
    )
    for index, other in enumerate(flat):
        if other.op is APPEND and xs in other.targets and len(other.args) > 1:
            for item in atom_names(other.args[1]):
                if _scalar_atom(gast.Name(item, gast.Load(), None, None), types):
                    continue  # a number: `+=` rebinds it, as Python does
                made = [s for s in flat if item in s.targets and s.op is not SETITEM]
                readers = [s for s in flat if item in value_reads(s) and s is not other]
                if item in params or not made or readers or not all(map(_made_here, made)):
                    raise MutationError(
                        f"`{user}[...]` is updated in place, but the array put in the list at "
                        f"line {primal.where(other.node).lineno} may be seen by another name "
                        "too (Python's `+=` on an array item changes that array)",
                        primal.where(stmt.node),
                        advice,
                    )
        elif other.op is operator.getitem and atom_names(other.args[0])[:1] == [xs]:
            for target in other.targets:
                for name in alias_closure(ir, target, lists=True):
                    if read_across(flat, loops, name, index, write):
                        raise MutationError(
                            f"`{user}[...]` is updated in place, but an item read at line "
                            f"{primal.where(other.node).lineno} is read again after the update "
                            "(Python's `+=` on an array item changes it there too)",
                            primal.where(stmt.node),
                            advice,
                        )


def differentiable_reads(stmt: Stmt) -> list[str]:
    names = []
    for atom in stmt.args + list(stmt.kwargs.values()):
        names.extend(atom_names(atom))
    return names


def _operand_kind(atom: gast.expr, types: dict[str, VType]) -> str:
    if isinstance(atom, gast.Name):
        return types.get(atom.id, UNKNOWN).kind
    return "unknown"


def _refuse_argument(ir: FunctionIR, name: str, doing: str, where: Any, advice: str) -> None:
    """A write to a parameter would change the caller's array: :class:`MutationError`."""
    if name in {p.name for p in ir.params}:
        raise MutationError(f"{doing} would change the caller's array", where, advice)


def _refuse_argument_item(ir: FunctionIR, name: str, doing: str, where: Any, advice: str) -> None:
    """A write to an item of a tuple argument (``a = t[0]; a[0] = v``), or to a name that may
    share its memory, would change the caller's array as a write to the argument itself would:
    :class:`MutationError`, as for the argument."""
    params = {p.name for p in ir.params}
    owners: dict[str, str] = {}  # the names bound to a tuple argument's items -> the argument
    for stmt in ir.flat:
        source = atom_names(stmt.args[0]) if stmt.op is ITEMS and stmt.args else []
        if source and (source[0] in params or source[0] in owners):
            for target in stmt.targets:
                owners[target] = owners.get(source[0], source[0])
    for item, argument in owners.items():
        if name in alias_closure(ir, item):
            user = ir.original.get(name, name)
            shown = ir.original.get(argument, argument)
            raise MutationError(
                f"`{user}` is an item of the argument `{shown}` (or shares its memory): {doing} "
                "would change the caller's array",
                where,
                advice,
            )


def _refuse_stale_reads(primal: Primal, ir: FunctionIR, stmt: Stmt, old: str, where) -> None:
    """``t = (x, 1.0); x *= v; t[0]``: the tuple holds the array ``x`` that changed in place,
    so a later read of the old value through it would be stale."""
    if stmt.targets and stmt.targets[0] == old:
        return  # in a loop the name is reused: no older value to read
    after = False
    for other in ir.flat:
        if other is stmt:
            after = True
            continue
        reads = [n for a in [*other.args, *other.kwargs.values()] for n in atom_names(a)]
        if after and old in other.targets and other.op is not SETITEM:
            return  # the name is bound to the updated array again (a loop, `x[i] = v` later)
        if after and old in reads and other.op is not runtime.augmented:
            user = ir.shown(old)
            raise MutationError(
                f"`{user}` is changed in place, but line {primal.where(other.node).lineno} "
                f"still reads it through another reference (a tuple holding `{user}`)",
                where,
                f"write `{user} = {user} <op> ...` to make a new array instead of changing it",
            )
