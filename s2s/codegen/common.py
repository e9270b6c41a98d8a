"""Common subexpressions: arithmetic the adjoint sweep repeats is computed once per run.

The rules write each partial derivative on its own, so the adjoint of a loop body that takes
``np.arctan(s)`` on three lines divides by ``1 + s * s`` three times a trip (``d_m / (1 + s *
s)``, ...; a partial ``1 / e`` is written ``g / e``, but text such as ``1 / s`` in the example
below is shared all the same). Within a straight run of statements (the top level of the
adjoint sweep, or one body of a loop, a branch or a ``with``), an expression of names and
numbers (arithmetic, unary minus, numpy ufuncs called without keywords) that appears two or
more times, as an operand of further arithmetic, with no statement between its occurrences
rebinding a name it reads or possibly writing into one, is computed once into a temporary named
for what it is, right before the statement of its first occurrence:

>>> import gast
>>> from s2s.codegen.emit import to_source
>>> from s2s.codegen.ir import NameAllocator
>>> from s2s.codegen.sweeps import Block, is_comment_marker
>>> body = gast.parse('''
... for t in range(n):
...     s = tape.pop()
...     d_a = d_b * (1 / s)
...     d_c = d_c + d_b * (1 / s)
...     s = tape.pop()
...     d_e = d_c * (1 / s)
... ''').body
>>> share_common_subexpressions([Block(None, body)], NameAllocator(set()))
>>> print(to_source(body[0], False))
for t in range(n):
    s = tape.pop()
    reciprocal_s = 1 / s
    d_a = d_b * reciprocal_s
    d_c = d_c + d_b * reciprocal_s
    reciprocal_s = None
    s = tape.pop()
    d_e = d_c * (1 / s)

Only identical expressions are shared, never reassociated ones (``a * (1 / s)`` and ``a / s``
round differently), so the values and their dtypes are those of the code before, bit for bit.
An occurrence that is a whole value (``d_a = 1 / s``) is not shared: the name would alias the
temporary, and an accumulation ``d_a += g`` would write into it. Nothing is hoisted out of a
branch arm, a loop body, a conditional expression or a lambda (it may not run), and a statement
that calls anything but a numpy ufunc with a name (or a view of one) as an argument ends every
run of occurrences (it may write into the array). At the top level of the sweep the temporary
is freed with the other values (``del`` after its last read); in a nested body it is released
(``name = None``) after its last read there.
"""

from __future__ import annotations

import gast
import numpy as np

from s2s.codegen.ir import NameAllocator
from s2s.codegen.sweeps import Block, is_comment_marker
from s2s.codegen.walking import copy_tree, inner_nodes, walk

_OPS = {
    gast.Add: "plus", gast.Sub: "minus", gast.Mult: "times", gast.Div: "over",
    gast.Pow: "power", gast.MatMult: "matmul", gast.FloorDiv: "floordiv", gast.Mod: "mod",
}  # fmt: skip
_UNARY = {gast.USub: "negative", gast.UAdd: "positive"}
_COMPOUND = (gast.For, gast.While, gast.If, gast.Try, gast.With, gast.FunctionDef)
_OPAQUE = (gast.Lambda, gast.IfExp, gast.BoolOp, gast.ListComp, gast.SetComp, gast.DictComp,
           gast.GeneratorExp, gast.FunctionDef)  # fmt: skip
_EVERY = None  # a statement that may write into any array
_LONGEST = 32  # a temporary's name past this length is `common`


def share_common_subexpressions(blocks: list[Block], names: NameAllocator,
                                across_blocks: bool = True) -> None:  # fmt: skip
    """Compute each repeated subexpression of ``blocks`` once per run (module docstring), in
    place. ``names`` allocates the temporaries (it must know every name in use);
    ``across_blocks``: the top-level statements of all blocks form one run (False: each
    block's, as where blocks run under different ``np.errstate`` settings)."""
    runs = [list(range(len(blocks)))] if across_blocks else [[b] for b in range(len(blocks))]
    for run in runs:
        entries = [(b, stmt) for b in run for stmt in blocks[b].body]
        bodies: dict[int, list[gast.stmt]] = {b: [] for b in run}
        for owner, stmt in _share(entries, names, top=True):
            bodies[owner].append(stmt)
        for b in run:
            blocks[b].body = bodies[b]
    for block in blocks:
        for stmt in block.body:
            _nested(stmt, names)


def _nested(stmt: gast.stmt, names: NameAllocator) -> None:
    if isinstance(stmt, gast.FunctionDef):
        return  # runs later, if at all
    for field in ("body", "orelse", "finalbody"):
        body = getattr(stmt, field, None)
        if isinstance(body, list) and body and isinstance(body[0], gast.stmt):
            for inner in body:
                _nested(inner, names)
            body[:] = [s for _, s in _share([(0, s) for s in body], names, top=False)]
    for handler in getattr(stmt, "handlers", None) or []:
        for inner in handler.body:
            _nested(inner, names)
        handler.body[:] = [s for _, s in _share([(0, s) for s in handler.body], names, False)]


def _share(entries: list[tuple[int, gast.stmt]], names: NameAllocator,
           top: bool) -> list[tuple[int, gast.stmt]]:  # fmt: skip
    """The run ``entries`` (owner block, statement) with its repeated expressions shared,
    largest first; each round shares those no larger shared one contains (the temporary of
    ``g * (1 / s)`` is itself scanned in the next round), until none is left. A statement no
    round changed keeps what the rounds before found in it (``scanned``): one changed holds
    an occurrence replaced (a node in ``inside``, even a node two statements share), and
    replacing a pure expression by a name changes no statement's effects."""
    scanned: dict[int, tuple] = {}  # id(statement) -> (statement, its effects, occurrences)
    for _ in range(1000):  # (each round removes at least one occurrence)
        groups = _groups(entries, scanned)
        if not groups:
            return entries
        inside: set[int] = set()  # the nodes under an occurrence replaced this round
        before: dict[int, list[gast.stmt]] = {}
        after: dict[int, list[gast.stmt]] = {}
        for group in groups:
            if any(id(occurrence[4]) in inside for occurrence in group):
                continue  # next round, against the larger one's temporary
            for occurrence in group:
                inside.update(id(n) for n in walk(occurrence[4]))
            compute, release = _apply(group, names)
            before.setdefault(group[0][0], []).append(compute)
            if not top:  # (at the top level the sweep's `del` after the last read frees it)
                after.setdefault(group[-1][0], []).append(release)
        for key, (_, _, _, found_in) in list(scanned.items()):
            if any(id(occurrence[3]) in inside for occurrence, _, _ in found_in):
                del scanned[key]  # changed: scanned again next round
        entries = [
            (owner, item)
            for position, (owner, stmt) in enumerate(entries)
            for item in [*before.get(position, ()), stmt, *after.get(position, ())]
        ]
    return entries


def _groups(entries: list[tuple[int, gast.stmt]], scanned: dict[int, tuple]) -> list[list]:
    """The runs of occurrences ``(position, parent, field, index, node)`` of each expression
    that appears at least twice with nothing between them that changes it, largest first.
    ``scanned`` keeps each statement's effects and occurrences (with their keys) for the next
    round; the caller drops the statements it changes."""
    open_: dict[tuple, list] = {}
    readers: dict[str, set[tuple]] = {}  # a name -> the open expressions that read it
    found: list[tuple[int, int, list]] = []

    def close(key: tuple) -> None:
        group = open_.pop(key, None)
        if group is not None and len(group) >= 2:
            found.append((-sum(1 for _ in walk(group[0][4])), group[0][0], group))

    for position, (_, stmt) in enumerate(entries):
        seen = scanned.get(id(stmt))
        if seen is None:
            inner, stores = _effects(stmt)
            found_in = []
            if not isinstance(stmt, _COMPOUND):
                found_in = [(o, *_key(o[3])) for o in _occurrences(stmt)]
            seen = scanned[id(stmt)] = (stmt, inner, stores, found_in)
        _, inner, stores, found_in = seen
        if found_in:
            for occurrence, key, operands in found_in:
                if inner is _EVERY or operands & inner:
                    continue  # the statement may change it before it is computed
                for operand in operands:
                    readers.setdefault(operand, set()).add(key)
                open_.setdefault(key, []).append((position, *occurrence))
        if inner is _EVERY:
            changed = list(open_)
        else:
            changed = [key for name in inner | stores for key in readers.pop(name, ())]
        for key in changed:
            close(key)
    for key in list(open_):
        close(key)
    found.sort(key=lambda item: item[:2])
    return [group for _, _, group in found]


def _key(node: gast.expr) -> tuple[tuple, set[str]]:
    """A key equal for equal expressions (``1`` and ``1.0`` differ), and the names read."""
    names: set[str] = set()
    return _key_of(node, names), names


def _key_of(node: gast.expr, names: set[str]) -> tuple:
    """:func:`_key`'s key, the names read added to ``names`` (a module function: a nested
    recursive one would be a cycle left to the collector for each call)."""
    if isinstance(node, gast.Name):
        names.add(node.id)
        return ("name", node.id)
    if isinstance(node, gast.Constant):
        return ("number", type(node.value).__name__, repr(node.value))
    if isinstance(node, gast.BinOp):
        return (type(node.op).__name__, _key_of(node.left, names), _key_of(node.right, names))
    if isinstance(node, gast.UnaryOp):
        return (type(node.op).__name__, _key_of(node.operand, names))
    return ("ufunc", node.func.attr, *(_key_of(arg, names) for arg in node.args))


def _apply(group: list, names: NameAllocator) -> tuple[gast.Assign, gast.Assign]:
    """Replace the occurrences of ``group`` by a new temporary; its computation and release."""
    value = copy_tree(group[0][4])
    temporary = names.fresh(_describe(value) or "common")
    for _, parent, field, index, _node in group:
        load = gast.Name(temporary, gast.Load(), None, None)
        if index is None:
            setattr(parent, field, load)
        else:
            getattr(parent, field)[index] = load
    store = gast.Name(temporary, gast.Store(), None, None)
    compute = gast.Assign(targets=[store], value=value, type_comment=None)
    release = gast.Assign(targets=[gast.Name(temporary, gast.Store(), None, None)],
                          value=gast.Constant(None, None), type_comment=None)  # fmt: skip
    return compute, release


def _occurrences(stmt: gast.stmt) -> list[tuple[gast.AST, str, int | None, gast.expr]]:
    """The shareable expressions of ``stmt`` as ``(parent, field, index, node)``: operands of
    arithmetic or of a ufunc, outside conditional parts, largest first in each tree.

    (Contexts and operators are not gone into: they hold nothing and are never operands.
    Whether each node is pure and reads a name is found once per call, bottom up.)"""
    found = []
    todo = [stmt]
    known: dict[int, tuple[bool, bool]] = {}  # id(node) -> (pure, reads a name), this call
    while todo:
        parent = todo.pop()
        if isinstance(parent, _OPAQUE):
            continue
        operand_parent = isinstance(parent, (gast.BinOp, gast.UnaryOp)) or _ufunc_call(parent)
        for field in parent._fields:
            value = getattr(parent, field, None)
            if isinstance(value, gast.AST):
                if not isinstance(value, _LEAVES):
                    if operand_parent and field != "func" and _shareable(value, known):
                        found.append((parent, field, None, value))
                    todo.append(value)
            elif isinstance(value, list):
                for index, child in enumerate(value):
                    if not isinstance(child, gast.AST) or isinstance(child, _LEAVES):
                        continue
                    if operand_parent and field != "func" and _shareable(child, known):
                        found.append((parent, field, index, child))
                    todo.append(child)
    return found


_LEAVES = (gast.expr_context, gast.operator, gast.unaryop, gast.boolop, gast.cmpop)


def _shareable(node: gast.expr, known: dict[int, tuple[bool, bool]] | None = None) -> bool:
    """Arithmetic or a ufunc call (no keywords) on names and numbers, reading some name (a
    ufunc's ``_np`` counts). ``known`` keeps each node's answer for later calls."""
    if not isinstance(node, (gast.BinOp, gast.UnaryOp)) and not _ufunc_call(node):
        return False
    pure, named = _pure_named(node, {} if known is None else known)
    return pure and named


def _pure_named(node: gast.expr, known: dict[int, tuple[bool, bool]]) -> tuple[bool, bool]:
    """Whether ``node`` is names (read) and numbers under arithmetic and ufuncs, and whether
    it reads a name (meaningful where it is); through ``known``."""
    done = known.get(id(node))
    if done is not None:
        return done
    if isinstance(node, gast.Name):
        result = (isinstance(node.ctx, gast.Load), True)
    elif isinstance(node, gast.Constant):
        result = (type(node.value) in (int, float, complex), False)
    elif isinstance(node, gast.BinOp):
        result = (False, False)
        if type(node.op) in _OPS:
            left, right = _pure_named(node.left, known), _pure_named(node.right, known)
            result = (left[0] and right[0], left[1] or right[1])
    elif isinstance(node, gast.UnaryOp):
        result = (False, False)
        if type(node.op) in _UNARY:
            result = _pure_named(node.operand, known)
    elif _ufunc_call(node):
        result = (all(_pure_named(arg, known)[0] for arg in node.args), True)  # `_np` is read
    else:
        result = (False, False)
    known[id(node)] = result
    return result


def _ufunc_call(node: gast.AST) -> bool:
    """``_np.exp(x)``: a numpy ufunc called without keywords (it writes into no argument)."""
    return (
        isinstance(node, gast.Call)
        and isinstance(node.func, gast.Attribute)
        and isinstance(node.func.value, gast.Name)
        and node.func.value.id == "_np"
        and isinstance(getattr(np, node.func.attr, None), np.ufunc)
        and not node.keywords
        and not any(isinstance(arg, gast.Starred) for arg in node.args)
    )


def _effects(stmt: gast.stmt) -> tuple[set[str] | None, set[str]]:
    """What ``stmt`` may change: the names it may write into while computing its values
    (``_EVERY``: any array: a call that is handed a name, a store into an item or attribute,
    which may write through a view) and the names it binds after (its targets)."""
    inner: set[str] = set()
    stores: set[str] = set()
    if is_comment_marker(stmt):
        return inner, stores
    top_targets = set()
    if isinstance(stmt, gast.Assign):
        top_targets = {id(t) for t in stmt.targets}
    elif isinstance(stmt, (gast.AugAssign, gast.AnnAssign)):
        top_targets = {id(stmt.target)}
    elif isinstance(stmt, gast.Delete):
        top_targets = {id(t) for t in stmt.targets}
    for node in inner_nodes(stmt):  # (in no order: sets, or _EVERY whatever else was seen)
        if isinstance(node, (gast.Subscript, gast.Attribute)) and not isinstance(
            node.ctx, gast.Load
        ):
            return _EVERY, stores
        if isinstance(node, gast.Name) and not isinstance(node.ctx, gast.Load):
            (stores if id(node) in top_targets else inner).add(node.id)
        if isinstance(node, gast.Call) and not _ufunc_call(node):
            handed = _handed(node)
            if handed is _EVERY:
                return _EVERY, stores
            inner |= handed
    if isinstance(stmt, _COMPOUND):
        inner |= stores
    return inner, stores


def _handed(node: gast.Call) -> set[str] | None:
    """The names a call is handed (as arguments, items of them, views of them) or whose
    method it is: a list's ``append``/``pop`` changes that list only, any other call that is
    handed a name may write into any array (``_EVERY``)."""
    func = node.func
    if (isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name)
            and func.attr in ("append", "pop")):  # fmt: skip
        return {func.value.id}  # (an appended value is kept, not written into)
    if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) and (
        func.value.id in ("_np", "_s2s")
    ):
        parts = [*node.args, *(k.value for k in node.keywords)]
    else:
        parts = [func, *node.args, *(k.value for k in node.keywords)]
    return _EVERY if any(_direct(p) for p in parts) else set()


def _direct(node: gast.expr) -> bool:
    """Whether ``node`` hands over a named array itself (a name, an item, attribute or slice
    of one, a tuple or list of these) rather than a new value."""
    if isinstance(node, gast.Name):
        return True
    if isinstance(node, (gast.Subscript, gast.Attribute, gast.Starred)):
        return _direct(node.value)
    if isinstance(node, (gast.Tuple, gast.List, gast.Set)):
        return any(_direct(e) for e in node.elts)
    if isinstance(node, gast.Dict):
        return any(_direct(v) for v in node.values)
    return False


def _describe(node: gast.expr) -> str | None:
    """A name for the value of ``node``: ``reciprocal_s`` for ``1 / s``, ``p_times_q`` for ``p
    * q``, ``exp_x`` for ``_np.exp(x)``; None when it would be long or unreadable."""
    text = _words(node)
    if text is not None and text[0].isdigit():  # `2 - x`: no identifier
        text = None
    return text if text is not None and len(text) <= _LONGEST and text.isidentifier() else None


def _words(node: gast.expr) -> str | None:
    if isinstance(node, gast.Name):
        return node.id.strip("_") or None
    if isinstance(node, gast.Constant):
        value = node.value
        if isinstance(value, float) and value.is_integer() and abs(value) < 1e6:
            value = int(value)
        return str(value) if isinstance(value, int) and value >= 0 else None
    if isinstance(node, gast.UnaryOp):
        inner = _words(node.operand)
        return inner and f"{_UNARY[type(node.op)]}_{inner}"
    if isinstance(node, gast.BinOp):
        left, right = _words(node.left), _words(node.right)
        if right is None:
            return None
        if isinstance(node.op, gast.Div) and left == "1":
            return f"reciprocal_{right}"
        if isinstance(node.op, gast.Pow) and right == "2":
            return left and f"{left}_squared"
        if isinstance(node.op, gast.Mult) and left and left[0].isdigit():  # `3 * x`
            return f"{right}_times_{left}"
        return left and f"{left}_{_OPS[type(node.op)]}_{right}"
    if isinstance(node, gast.Call):
        args = [_words(arg) for arg in node.args]
        if any(a is None for a in args):
            return None
        return "_".join([node.func.attr, *args])
    return None
