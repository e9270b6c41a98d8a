"""Copies: propagate ``a = b`` away and inline single-use values in sweeps with control flow.

An adjoint that flows unchanged through an addition or a subtraction's first operand is a copy
(``d_add_3 = d_err``). Where ``a`` lives only from its copy to its release (``a = None``) in one
statement list, and ``a`` is never reassigned there, ``a`` is ``b`` under another name: its
reads become reads of ``b``, and the copy and ``a``'s release go. If ``b`` is released between
the two (and not read after its release), its release moves to where ``a``'s was. The
exchange ``a = b; b = None; b = a`` is ``a = b``, and ``a = b; b = None; b = E(a); a = None``
is ``b = E(b)`` (a scaling in a branch arm: ``d_big = d_big * 2``).

>>> import gast
>>> from s2s.codegen.sweeps import Block
>>> before = '''
... d_add_4 = d_total
... d_total = None
... d_total = d_add_4
... d_mean_1 = d_add_4
... d_add_4 = None
... d_err = d_mean_1 * (err + err)
... d_mean_1 = None
... d_add_3 = d_err
... d_err = None
... err = tape.pop()
... d_bo += _np.sum(d_add_3, axis=0)
... d_h = d_add_3 @ wo.T
... d_add_3 = None
... '''
>>> blocks = [Block(None, gast.parse(before).body)]
>>> propagate_copies(blocks, set())
>>> print(gast.unparse(gast.Module(body=blocks[0].body, type_ignores=[])).strip())
d_err = d_total * (err + err)
err = tape.pop()
d_bo += _np.sum(d_err, axis=0)
d_h = d_err @ wo.T
d_err = None

A variable's adjoint handed to a temporary over a tape pop and back (``p = p - c`` in a loop)
is the variable's adjoint throughout; a release of it between the two goes as well:

>>> before = '''
... d_subtract_1 = d_p
... p = tape.pop()
... d_p = d_subtract_1
... d_c = -d_subtract_1
... d_subtract_1 = None
... d_add_2 = d_nll
... d_s = d_nll * s
... d_nll = None
... s = tape.pop()
... d_nll = d_add_2
... d_s += d_add_2
... d_add_2 = None
... '''
>>> blocks = [Block(None, gast.parse(before).body)]
>>> propagate_copies(blocks, set())
>>> print(gast.unparse(gast.Module(body=blocks[0].body, type_ignores=[])).strip())
p = tape.pop()
d_c = -d_p
d_s = d_nll * s
s = tape.pop()
d_s += d_nll

A scaling in a branch arm rebinds the cotangent it reads:

>>> before = '''
... d_multiply_1 = d_big
... d_big = None
... d_big = d_multiply_1 * 2
... d_multiply_1 = None
... '''
>>> blocks = [Block(None, gast.parse(before).body)]
>>> propagate_copies(blocks, set())
>>> print(gast.unparse(gast.Module(body=blocks[0].body, type_ignores=[])).strip())
d_big = d_big * 2
"""

from __future__ import annotations

from collections import Counter

import gast

from s2s.codegen.emit import to_source
from s2s.codegen.sweeps import Block, closure_names, is_comment_marker
from s2s.codegen.walking import copy_tree, name_list, stored_names, unstored_names, walk

_MAX_ROUNDS = 200  # each round removes at least one statement; generated code is not longer


def propagate_copies(blocks: list[Block], live_out: set[str], closures: bool = True) -> None:
    """Propagate copies between names in ``blocks`` (in their nested bodies too); ``live_out``
    are the names read after the blocks (the returned gradients), never renamed away.
    ``closures`` False: no statement holds a nested def or lambda, none is looked for."""
    # how often each name occurs, kept up to date by each propagation; the names in nested
    # functions: a propagation neither renames nor drops any
    counts = Counter(name for b in blocks for s in b.body for name in name_list(s))
    fixed = live_out | (_closure_names(blocks) if closures else set())
    for _ in range(_MAX_ROUNDS):
        top = [(b, s) for b in blocks for s in b.body]
        if not _one_step([s for _, s in top], counts, fixed, top, blocks):
            return


def _closure_names(blocks: list[Block]) -> set[str]:
    return closure_names([stmt for block in blocks for stmt in block.body])


def _one_step(body, counts, fixed, top=None, blocks=None) -> bool:
    """Apply one propagation in ``body`` or a body nested in it; whether one applied."""
    for i, stmt in enumerate(body):
        pair = _copy(stmt)
        if pair is not None and pair[0] not in fixed:
            plan = _plan(body, i, pair, counts)
            if plan is not None and (plan[0] == "rebind" or pair[1] not in fixed):  # (a
                # rebinding keeps `b`'s name and its value from there on)
                _apply(body, i, pair, plan, top, blocks, counts)
                return True
    for stmt in body:
        for field in ("body", "orelse"):
            nested = getattr(stmt, field, None)
            if isinstance(nested, list) and nested and _one_step(nested, counts, fixed):
                return True
    return False


def _copy(stmt: gast.stmt) -> tuple[str, str] | None:
    """``(a, b)`` for ``a = b`` between two different names."""
    if (
        isinstance(stmt, gast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], gast.Name)
        and isinstance(stmt.value, gast.Name)
        and stmt.targets[0].id != stmt.value.id
    ):
        return stmt.targets[0].id, stmt.value.id
    return None


def _release(stmt: gast.stmt, var: str) -> bool:
    return (
        isinstance(stmt, gast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], gast.Name)
        and stmt.targets[0].id == var
        and isinstance(stmt.value, gast.Constant)
        and stmt.value.value is None
    )


def _reads(stmt: gast.stmt, var: str) -> bool:
    if var in unstored_names(stmt):
        return True
    return isinstance(stmt, gast.AugAssign) and _named(stmt.target, var)


def _writes(stmt: gast.stmt, var: str) -> bool:
    return var in stored_names(stmt)


def _named(node: gast.expr, var: str) -> bool:
    return isinstance(node, gast.Name) and node.id == var


def _occurrences(stmt: gast.stmt, var: str) -> int:
    return name_list(stmt).count(var)


def _plan(body, i, pair, counts) -> tuple[str, int, int | None, int | None] | None:
    """How to propagate the copy ``body[i]``: ``("exchange", j, None, None)`` for ``a = b;
    b = None; b = a``, ``("rebind", end, release_of_b, None)`` for ``a = b; b = None; b = E(a);
    a = None`` (``b = E(b)``), or ``("rename", end, release_of_b, copy_back)``, or ``None`` if
    it is not safe. ``copy_back`` is a ``b = a`` inside the span (a variable's adjoint handed back
    to its name after a tape pop): ``b`` then holds ``a``'s value on, and lives past ``end``."""
    a, b = pair
    if (
        i + 2 < len(body)
        and _release(body[i + 1], b)
        and _copy(body[i + 2]) == (b, a)
    ):
        return ("exchange", i + 2, None, None)
    end = next((k for k in range(i + 1, len(body)) if _release(body[k], a)), None)
    if end is None:  # `a` is not released: it may still be `b` rebound from it
        return _rebind(body, i, pair, counts)
    span = body[i : end + 1]
    if sum(_occurrences(s, a) for s in span) != counts[a]:
        return None  # `a` is read or written somewhere else
    if any(_writes(s, a) for s in body[i + 1 : end]):
        return None  # `a` is reassigned: it is not `b` all along
    b_release = copy_back = rebound = None
    for k in range(i + 1, end):
        if rebound is not None:  # `b` holds its new value: `a` may not be read any more
            if _reads(body[k], a):
                return None
        elif copy_back is None and _copy(body[k]) == (b, a):
            copy_back = k  # `b = a`: `b` is `a` again (after its release, or all along)
        elif copy_back is not None:
            if _writes(body[k], b):
                return None  # `b` changes while `a` still holds the value
        elif _release(body[k], b) and b_release is None:
            b_release = k
        elif _assigned_from(body[k], b):
            rebound = k  # `b = E(a)`: `b` scaled (`d_big = d_multiply_1 * 2`), no copy needed
        elif b_release is not None and (_reads(body[k], b) or _writes(body[k], b)):
            return None  # `b` lives again after its release
        elif _writes(body[k], b):
            return None  # `b` changes while `a` still holds the old value
    if rebound is not None:
        return ("rebind", end, b_release, end)
    return ("rename", end, b_release, copy_back)


def _rebind(body, i, pair, counts) -> tuple[str, int, int | None, None] | None:
    """``("rebind", k, release_of_b, None)`` for ``a = b; ...; b = E(a)`` (at ``k``) where
    ``a`` occurs nowhere after ``k`` nor anywhere else, is not reassigned, and ``b`` is not
    changed before ``k`` (its release aside: then not read either), else ``None``."""
    a, b = pair
    b_release = None
    for k in range(i + 1, len(body)):
        stmt = body[k]
        if _assigned_from(stmt, b):
            if sum(_occurrences(s, a) for s in body[i : k + 1]) != counts[a]:
                return None
            return ("rebind", k, b_release, None)
        if _writes(stmt, a) or hasattr(stmt, "body"):  # (a loop or branch: not followed)
            return None
        if _release(stmt, b) and b_release is None:
            b_release = k
        elif (b_release is not None and _reads(stmt, b)) or _writes(stmt, b):
            return None
    return None


def _assigned_from(stmt: gast.stmt, var: str) -> bool:
    """``var = E`` where ``E`` does not read ``var`` (which was released before it)."""
    return (
        isinstance(stmt, gast.Assign)
        and len(stmt.targets) == 1
        and _named(stmt.targets[0], var)
        and var not in unstored_names(stmt.value)
    )


def _apply(body, i, pair, plan, top, blocks, counts) -> None:
    """Carry out ``plan`` for the copy ``body[i]``, and update ``counts`` (each name's
    occurrences) for the names renamed and the statements dropped."""
    a, b = pair
    kind, end, b_release, copy_back = plan
    if kind == "exchange":
        dropped = [i + 1, i + 2]
    else:
        for stmt in body[i + 1 : end + 1]:
            for node in walk(stmt):
                if isinstance(node, gast.Name) and node.id == a:
                    node.id = b
                    counts[a] -= 1
                    counts[b] += 1
        dropped = [i]
        if kind == "rebind":  # `b = E(b)`: neither release stays, `b` lives on
            dropped += [k for k in (b_release, copy_back) if k is not None]
        elif copy_back is not None:  # `b = b`, and `b` lives on past `a`'s release
            dropped += [copy_back, end]
            if b_release is not None:
                dropped.append(b_release)
        elif b_release is not None:
            dropped.append(b_release)  # `b` is released where `a` was
        else:
            dropped.append(end)  # `b` lives on as it did
    for k in dropped:
        counts.subtract(name_list(body[k]))
    drop = {id(body[k]) for k in dropped}
    if top is None:  # a nested body: never left without a statement (comments are none)
        body[:] = [s for s in body if id(s) not in drop]
        if all(is_comment_marker(s) for s in body):
            body.append(gast.Pass())
        return
    for block in blocks:
        block.body = [s for s in block.body if id(s) not in drop]


_LINE = 88  # the longest statement an inlining may write (the sweeps' indentation aside)


def inline_single_uses(blocks: list[Block], live_out: set[str]) -> None:
    """``a = E; S; a = None`` where ``S`` is a plain statement that reads ``a`` once and ``a``
    occurs nowhere else becomes ``S`` with ``E`` in place of ``a``, if the statement stays
    short (a value made for one reader reads best where it is used). ``E`` never pops the
    tape; ``live_out`` names are left alone.

    >>> import gast
    >>> lines = ["d_m = _s2s.filled(d_t / 2, (2, 1), 'float64')",
    ...          "d_err = d_m * (err + err)", "d_m = None"]
    >>> blocks = [Block(None, [gast.parse(line).body[0] for line in lines])]
    >>> inline_single_uses(blocks, set())
    >>> print(to_source(blocks[0].body[0], False))
    d_err = _s2s.filled(d_t / 2, (2, 1), 'float64') * (err + err)
    """
    top = [(block, stmt) for block in blocks for stmt in block.body]
    kept = _inline_in([stmt for _, stmt in top], live_out, blocks)
    owner = {id(stmt): block for block, stmt in top}
    for block in blocks:
        block.body = []
    for stmt in kept:  # an inlined statement takes the place (and block) of the definition
        owner[getattr(stmt, "s2s_from", id(stmt))].body.append(stmt)


def _inline_in(
    body: list[gast.stmt], fixed: set[str], blocks, counts: Counter | None = None
) -> list[gast.stmt]:
    """``counts``: each name's occurrences in ``blocks``, counted once for the whole sweep (an
    inlining moves a definition's names into its use and drops the name it bound: the caller
    sets that one's count to 0), not again for each nested body."""
    if counts is None:
        counts = Counter(name for b in blocks for s in b.body for name in name_list(s))
    for stmt in body:
        for field in ("body", "orelse"):
            nested = getattr(stmt, field, None)
            if isinstance(nested, list) and nested:
                setattr(stmt, field, _inline_in(nested, fixed, blocks, counts))
    body = list(body)
    i = 0
    while i + 2 < len(body):
        define, use, release = body[i], body[i + 1], body[i + 2]
        target = define.targets[0].id if _simple_assign(define) else None
        if (
            target is None
            or target in fixed
            or not _release(release, target)
            or counts[target] != 3
            or isinstance(use, (gast.For, gast.While, gast.If, gast.With, gast.Try))
            or _occurrences(use, target) != 1
            or _writes(use, target)
            or _pops(define.value)
        ):
            i += 1
            continue
        inlined = copy_tree(use)
        for node in walk(inlined):
            if isinstance(node, gast.Name) and node.id == target:
                put_in_place(inlined, node, copy_tree(define.value))
                break
        if len(to_source(inlined, False)) > _LINE:
            i += 1
            continue
        inlined.s2s_from = getattr(define, "s2s_from", id(define))
        body[i : i + 3] = [inlined]
        counts[target] = 0
    return body


def _simple_assign(stmt: gast.stmt) -> bool:
    return (
        isinstance(stmt, gast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], gast.Name)
        and not (isinstance(stmt.value, gast.Constant) and stmt.value.value is None)
    )


def _pops(value: gast.expr) -> bool:
    return any(
        isinstance(n, gast.Call) and isinstance(n.func, gast.Attribute) and n.func.attr == "pop"
        for n in walk(value)
    )


def put_in_place(root: gast.AST, old: gast.Name, new: gast.expr) -> None:
    """Put ``new`` where ``old`` is, in parentheses where precedence asks (the printer adds
    them: the tree is what it means)."""
    for node in walk(root):
        for field, value in gast.iter_fields(node):
            if value is old:
                setattr(node, field, new)
                return
            if isinstance(value, list) and any(v is old for v in value):
                value[[id(v) for v in value].index(id(old))] = new
                return


def inline_attributes(blocks: list[Block], live_out: set[str]) -> None:
    """``a = x.shape`` or ``a = x.shape[1]`` read once, by a later statement of the same
    straight run (no loop or branch between, ``x`` not rebound), is written there instead
    (``h = _np.zeros((x.shape[1], wh.shape[0]))``): a shape record made for one reader reads
    best in place.

    >>> import gast
    >>> lines = ["shape_1 = x.shape", "getitem_1 = shape_1[1]", "n = w.shape[0]",
    ...          "h = f(getitem_1, n)"]
    >>> blocks = [Block(None, [gast.parse(line).body[0] for line in lines])]
    >>> inline_attributes(blocks, set())
    >>> [to_source(stmt, False) for stmt in blocks[0].body]
    ['h = f(x.shape[1], w.shape[0])']
    """
    counts = Counter(name for b in blocks for s in b.body for name in name_list(s))
    top = [stmt for block in blocks for stmt in block.body]
    dropped: set[int] = set()
    for i, define in enumerate(top):
        base = _attribute_base(define.value) if _simple_assign(define) else None
        if base is None or define.targets[0].id in live_out or counts[define.targets[0].id] != 2:
            continue
        target = define.targets[0].id
        for use in top[i + 1 :]:
            if is_comment_marker(use) or id(use) in dropped:
                continue
            if not isinstance(use, (gast.Assign, gast.AugAssign, gast.Expr)):
                break  # a loop or a branch: the record stays
            if _occurrences(use, target) == 1 and not _writes(use, target):
                for node in walk(use):
                    if isinstance(node, gast.Name) and node.id == target:
                        put_in_place(use, node, copy_tree(define.value))
                        break
                dropped.add(id(define))
                break
            if _writes(use, base):
                break
    for block in blocks:
        block.body = [stmt for stmt in block.body if id(stmt) not in dropped]


def _attribute_base(value: gast.expr) -> str | None:
    """``x`` for ``x.shape``, ``x.ndim``, ``x.dtype``, ``x.size`` or ``x.shape[<int>]``."""
    if (
        isinstance(value, gast.Subscript)
        and isinstance(value.slice, gast.Constant)
        and isinstance(value.slice.value, int)
    ):
        value = value.value
    if (
        isinstance(value, gast.Attribute)
        and isinstance(value.value, gast.Name)
        and value.attr in ("shape", "ndim", "dtype", "size")
    ):
        return value.value.id
    return None


def plain_updates(blocks: list[Block]) -> None:
    """``t = k + 1; u = _s2s.augmented(t, k); k = u`` of a number ``k`` (marked
    ``s2s_rebinds``: a scalar rebinds, nothing is updated in place) is written ``k += 1`` where
    ``t`` and ``u`` occur nowhere else, in ``blocks`` and the statements nested in them."""
    counts = Counter(name for b in blocks for s in b.body for name in name_list(s))
    for block in blocks:
        block.body = _plain_updates(block.body, counts)


def _plain_updates(body: list[gast.stmt], counts: Counter) -> list[gast.stmt]:
    out: list[gast.stmt] = []
    for stmt in body:
        for field in ("body", "orelse"):
            nested = getattr(stmt, field, None)
            if isinstance(nested, list) and nested:
                setattr(stmt, field, _plain_updates(nested, counts))
        out.append(stmt)
        if len(out) < 3 or not getattr(out[-2], "s2s_rebinds", False):
            continue
        first, update, rebind = out[-3:]
        pair = _copy(rebind)
        if pair is None or not isinstance(update, gast.Assign):
            continue
        k, u = pair
        combined = first.value if isinstance(first, gast.Assign) else None
        if not (
            isinstance(combined, gast.BinOp)
            and _named(combined.left, k)
            and len(first.targets) == 1
            and isinstance(first.targets[0], gast.Name)
            and _named(update.targets[0], u)
            and [getattr(a, "id", None) for a in update.value.args] == [first.targets[0].id, k]
            and counts[first.targets[0].id] == 2
            and counts[u] == 2
        ):
            continue
        target = gast.Name(k, gast.Store(), None, None)
        out[-3:] = [gast.AugAssign(target=target, op=combined.op, value=combined.right)]
    return out
