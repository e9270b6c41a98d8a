"""Dead primal code: in ``grad``, values that neither the adjoint sweep nor the output check read.

``grad`` returns only gradients, so a primal value that no adjoint reads (the loss itself, a
running total, ``np.mean(err * err)`` when the adjoint needs only ``err``) need not be computed.
A statement is dropped only when it provably cannot raise: a copy, a constant, an elementwise
function of operands of known numeric types of which at most one distinct one is an array (a
scalar cannot fail to broadcast) or of float arrays whose proven shapes broadcast, or an
``np.sum``/``np.mean`` of one float array, full or over axes written as numbers in range of
its proven rank (``axis=1``; ``np.max`` over an axis may meet an empty one: kept). Anything
that could raise (two arrays that may not broadcast, indexing, a call to the user's own
function) is kept, so errors of the user's computation still propagate. Floating-point
warnings (overflow in a loss nobody reads) are not raised for dropped statements, as under any
compiler's DCE.

The liveness is the textbook backward dataflow on the structured primal sweep: a loop's body
sees what the loop's top needs (its back edge), a branch joins both arms.

Before: ``return total + 1.0`` and ``np.sum`` are primal statements; after, in ``grad``, the
primal sweep computes only what the adjoint sweep reads:

>>> import numpy as np, s2s
>>> def g(x):
...     y = np.sin(x)
...     total = np.sum(y * y)
...     return total + 1.0
>>> source = s2s.grad(g).source
>>> for line in source[source.index("# line"):source.index("# adjoint")].strip().splitlines():
...     print(line.strip())
# line 2: y = np.sin(x)
y = _np.sin(x)
# line 3: total = np.sum(y * y)
multiply_1 = y * y
multiply_1_like = _s2s.like(multiply_1)
del multiply_1
"""

from __future__ import annotations

import operator

import gast
import numpy as np

from s2s import registry
from s2s.analysis.dtypes import VType
from s2s.codegen.ir import ATTRIBUTE, CONST, COPY, FunctionIR, Loop, Marker, Stmt, is_literal
from s2s.codegen.sweeps import (
    Block,
    is_comment_marker,
    names_in,
    read_into,
    reads_memo,
)
from s2s.codegen.walking import loaded_names, name_list, statements_in
from s2s.reverse.untaped import walk_items

_NUMERIC = ("float", "int", "bool")


def cannot_raise(stmt: Stmt, types: dict[str, VType], bounds: dict[str, int] | None = None,
                 ) -> bool:  # fmt: skip
    """Whether computing ``stmt`` cannot raise for any values of its operands' static types.

    ``bounds`` maps the indices of the ``for t in range(n)`` loops around ``stmt`` to their
    ``n`` (:func:`index_bounds`): ``W[t]`` of a ``W`` of proven shape ``(m, ...)``, ``m >= n``,
    is in range."""
    if len(stmt.targets) != 1 or stmt.unpack:
        return False
    if stmt.op is COPY:  # `b = a`; a chosen value (`a if c else b`) may test an array
        return isinstance(stmt.args[0], gast.Name) or is_literal(stmt.args[0])
    if stmt.op is CONST:
        return isinstance(stmt.expr, gast.Constant)
    if stmt.op is ATTRIBUTE:  # x.shape, x.ndim, x.dtype of an array
        source = types.get(_name_of(stmt.args[0]), VType()) if stmt.args else VType()
        return source.array is True and source.dtype is not None and (
            getattr(stmt.expr, "attr", None) in ("shape", "ndim", "dtype"))  # fmt: skip
    if stmt.op is operator.getitem and stmt.method is None and not stmt.kwargs:
        return _in_range(stmt, types, bounds or {})
    if isinstance(stmt.op, Marker) or stmt.method is not None:
        return False
    rule = registry.lookup(stmt.op)
    if rule is None:  # an allocation of a proven shape from numbers (`np.eye(3)`)
        return _allocation(stmt, types)
    operands = []
    for atom in list(stmt.args) + list(stmt.kwargs.values()):
        if is_literal(atom):
            continue
        if not isinstance(atom, gast.Name):
            return False
        operands.append(atom.id)
    known = [types.get(n, VType()) for n in operands]
    if any(t.kind not in _NUMERIC or t.dtype is None for t in known):
        return False
    facts = registry.facts_of(stmt.op)
    if stmt.kwargs:  # only a reduction over literal axes of a float array of proven rank
        return (facts.total and len(stmt.args) == 1 and len(known) == 1
                and known[0].kind == "float" and _reduction_keywords(stmt.kwargs, known[0]))
    if facts.raises_on_python_numbers and all(t.weak for t in known):
        return False  # Python numbers: 1.0 / 0.0 raises ZeroDivisionError (numpy's warn)
    if rule.kind == registry.ELEMENTWISE or isinstance(stmt.op, np.ufunc):  # (a ufunc with a
        # rule, np.maximum's: float loops) an operand that may be an array counts as one
        if len(stmt.args) != getattr(stmt.op, "nin", -1):
            return False
        arrays = {n for n, t in zip(operands, known, strict=True) if t.array is not False}
        return len(arrays) <= 1 or _broadcast(known)
    return facts.total and len(stmt.args) == 1 and known[0].kind == "float"


def _reduction_keywords(kwargs: dict[str, gast.expr], known: VType) -> bool:
    """Whether ``axis=`` and ``keepdims=`` (no other keyword) are numbers written in the source
    that numpy accepts for an array of ``known``'s proven rank: each axis an int in
    ``[-ndim, ndim)``, none twice (``np.sum(e, axis=1)`` of a 2-D ``e`` cannot raise)."""
    if known.array is not True or known.shape is None or not set(kwargs) <= {"axis", "keepdims"}:
        return False
    keepdims = kwargs.get("keepdims")
    if keepdims is not None and not (
        isinstance(keepdims, gast.Constant) and type(keepdims.value) is bool
    ):
        return False
    axis = kwargs.get("axis")
    if axis is None:
        return True
    parts = axis.elts if isinstance(axis, gast.Tuple) else [axis]
    ndim = len(known.shape)
    seen = set()
    for part in parts:
        value = _int_value(part, {}) if is_literal(part) else None
        if value is None or not -ndim <= value < ndim or value % ndim in seen:
            return False
        seen.add(value % ndim)
    return bool(seen) or isinstance(axis, gast.Tuple)


def _name_of(atom: gast.expr) -> str:
    return atom.id if isinstance(atom, gast.Name) else ""


def _int_value(atom: gast.expr, types: dict[str, VType]) -> int | None:
    """A number written in the source (``2``, ``-1``) or a name of a known int value."""
    if is_literal(atom):
        value = atom.operand.value if isinstance(atom, gast.UnaryOp) else atom.value
        if type(value) is not int:
            return None
        return -value if isinstance(atom, gast.UnaryOp) and isinstance(atom.op, gast.USub) else (
            value)  # fmt: skip
    value = types.get(_name_of(atom), VType()).value
    return value if type(value) is int else None


def _in_range(stmt: Stmt, types: dict[str, VType], bounds: dict[str, int]) -> bool:
    """``x[k]`` with one int ``k`` proven in range: ``x.shape[0]`` of a shape tuple, a row of
    an array of proven shape, at a known index or at a loop index bounded by ``bounds``."""
    if len(stmt.args) != 2 or not isinstance(stmt.args[0], gast.Name):
        return False
    source = types.get(stmt.args[0].id, VType())
    if isinstance(source.value, tuple):  # x.shape: a tuple of known length
        length = len(source.value)
    elif source.array is True and source.shape and source.dtype is not None:
        length = source.shape[0]
    else:
        return False
    key = stmt.args[1]
    known = _int_value(key, types)
    if known is not None:
        return -length <= known < length
    if not isinstance(key, gast.Name) or key.id not in bounds:
        return False
    return types.get(key.id, VType()).kind == "int" and bounds[key.id] <= length


def _allocation(stmt: Stmt, types: dict[str, VType]) -> bool:
    """``np.eye(3)``, ``np.zeros((2, 3))``: an allocation whose arguments are all numbers
    written in the source and whose result has a proven shape and dtype."""
    facts = registry.facts_of(stmt.op)
    if facts.shape not in (registry.ALLOCATION, registry.EYE) or stmt.kwargs:
        return False
    known = types.get(stmt.targets[0], VType())
    if known.shape is None or known.dtype is None:
        return False
    for atom in stmt.args:
        parts = atom.elts if isinstance(atom, gast.Tuple) else [atom]
        if not all(_int_value(p, types) is not None and _int_value(p, types) >= 0
                   and is_literal(p) for p in parts):  # fmt: skip
            return False
    return True


def index_bounds(ir: FunctionIR, types: dict[str, VType]) -> dict[int, dict[str, int]]:
    """For each statement inside ``for t in range(n)`` loops with ``n`` a known int and ``t``
    bound by that loop alone, ``{t: n}`` (keyed by the statement's id): ``0 <= t < n`` there."""
    items = list(walk_items(ir.body))
    loops = [i for i in items if isinstance(i, Loop)]
    bound = {t for s in ir.flat for t in s.targets}
    out: dict[int, dict[str, int]] = {}
    for loop in loops:
        it = loop.iterable
        if (
            loop.target is None
            or loop.target in bound
            or sum(other.target == loop.target for other in loops) != 1
            or not (isinstance(it, gast.Call) and isinstance(it.func, gast.Name))
            or it.func.id != "range"
            or len(it.args) != 1
            or it.keywords
        ):
            continue
        stop = _int_value(it.args[0], types)
        if stop is None:
            continue
        for item in walk_items(loop.body):
            if isinstance(item, Stmt):
                out.setdefault(id(item), {})[loop.target] = stop
    return out


def _broadcast(known: list[VType]) -> bool:
    """Whether float operands of proven shapes broadcast together (then numpy cannot raise;
    integer ones can: ``a ** b`` with a negative ``b``)."""
    if any(t.shape is None or t.kind != "float" for t in known):
        return False
    try:
        np.broadcast_shapes(*(t.shape for t in known))
    except ValueError:
        return False
    return True


def drop_dead_primal(blocks: list[Block], live_out: set[str]) -> set[str]:
    """Remove the statements marked ``s2s_pure`` whose target nothing reads afterwards, until
    none is left; returns the names that lost every assignment (their ``= None`` placeholders
    and releases can go too)."""
    dropped: set[str] = set()
    with reads_memo():  # statements are only removed here, never changed
        while True:
            removed: set[str] = set()
            items = [(b.body, s) for b in blocks for s in b.body]
            _sweep(items, set(live_out), removed, delete=True)
            if not removed:
                break
            dropped |= removed
    assigned = {t for b in blocks for s in b.body for t in _assigned(s, real=True)}
    return dropped - assigned


def live_into(blocks: list[Block], live_out: set[str]) -> set[str]:
    """The names whose values ``blocks`` (the adjoint sweep) read before assigning them: a
    value the adjoint recomputes for each reversed trip (``s2s_remade``) is not read from the
    primal sweep."""
    with reads_memo():
        return _sweep([(b.body, s) for b in blocks for s in b.body], set(live_out), set(), False)


def _sweep(items: list, live: set[str], removed: set[str], delete: bool) -> set[str]:
    """Backward liveness over ``items`` (``(owning list, statement)`` pairs, in order); with
    ``delete``, removes dead pure statements from their lists. Returns the names live before."""
    for owner, stmt in reversed(items):
        if isinstance(stmt, (gast.For, gast.While)):
            if delete and _dead_loop(stmt, live):
                owner.remove(stmt)
                removed.add(stmt.target.id)
                continue
            after = live
            live = _loop(stmt, live, removed, delete)
            if delete and _dead_loop(stmt, after):
                removed.add(stmt.target.id)  # its body was all dead: the next sweep drops it
        elif isinstance(stmt, gast.If):
            after = set(live)
            live = _sweep(_pairs(stmt.body), set(after), removed, delete)
            live |= _sweep(_pairs(stmt.orelse), set(after), removed, delete)
            live |= names_in(stmt.test)
            if not stmt.body:  # every statement of the arm was dead
                stmt.body.append(gast.Pass())
        elif isinstance(stmt, gast.Assign) and (
            getattr(stmt, "s2s_pure", False) or getattr(stmt, "s2s_remade", False)
        ):
            target = stmt.targets[0].id
            if target not in live:  # dead: it reads nothing, whether deleted now or not
                if delete:
                    owner.remove(stmt)
                    removed.add(target)
                continue
            live.discard(target)
            read_into(live, stmt, value_only=True)
        elif _placeholder(stmt):
            live.discard(stmt.targets[0].id)
        else:
            read_into(live, stmt)
    return live


def _dead_loop(stmt: gast.stmt, after: set[str]) -> bool:
    """``for t in range(n): pass`` (comments only) whose ``range(n)`` cannot raise (marked
    ``s2s_pure`` by :mod:`s2s.reverse.loops`) and whose index nothing reads afterwards."""
    return (
        isinstance(stmt, gast.For)
        and getattr(stmt, "s2s_pure", False)
        and isinstance(stmt.target, gast.Name)
        and stmt.target.id not in after
        and not stmt.orelse
        and all(isinstance(s, gast.Pass) or is_comment_marker(s) for s in stmt.body)
    )


def _pairs(body: list) -> list:
    return [(body, s) for s in body]


def _loop(stmt: gast.For | gast.While, after: set[str], removed: set[str], delete: bool):
    """Names live before a loop: the body runs again with what its top needs, to a fixpoint;
    statements are deleted only on the last pass, with the fixpoint's live set."""
    head = names_in(stmt.iter) if isinstance(stmt, gast.For) else names_in(stmt.test)
    top = set(after) | head
    bound = set(name_list(stmt.target)) if isinstance(stmt, gast.For) else set()
    while True:  # each trip binds a `for` loop's index before its body reads it
        grown = top | (_sweep(_pairs(stmt.body), set(top), set(), False) - bound)
        grown |= _sweep(_pairs(stmt.orelse), set(after), set(), False)
        if grown == top:
            break
        top = grown
    if delete:
        _sweep(_pairs(stmt.body), set(top), removed, True)
        _sweep(_pairs(stmt.orelse), set(after), removed, True)
        if not stmt.body:
            stmt.body.append(gast.Pass())
    return top


def _placeholder(stmt: gast.stmt) -> bool:
    """``x = None``: a placeholder or a release, which reads nothing."""
    return (
        isinstance(stmt, gast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], gast.Name)
        and isinstance(stmt.value, gast.Constant)
        and stmt.value.value is None
    )


def assigned_names(blocks: list[Block]) -> set[str]:
    """The names the statements of ``blocks`` assign a value other than ``None``."""
    return {t for b in blocks for s in b.body for t in _assigned(s, real=True)}


def read_names(blocks: list[Block]) -> set[str]:
    """The names some statement of ``blocks`` (or one nested in it) reads."""
    return {n for b in blocks for s in b.body for n in loaded_names(s)}


def _assigned(stmt: gast.stmt, real: bool) -> set[str]:
    """Names a statement (or the statements nested in it) assigns; ``real`` skips ``= None``."""
    out: set[str] = set()
    if not hasattr(stmt, "body"):  # a simple statement: no statement nested in it
        if isinstance(stmt, gast.Assign) and not (real and _placeholder(stmt)):
            out.update(name_list(stmt.targets[0]))
        return out
    for node in statements_in(stmt):  # (an assignment is a statement: no expression walked)
        if isinstance(node, gast.Assign) and not (real and _placeholder(node)):
            out.update(name_list(node.targets[0]))
    return out


def drop_placeholders(blocks: list[Block], names: set[str]) -> None:
    """Remove ``x = None`` for ``names`` (the caller's: names no statement assigns or reads any
    more, :func:`read_names`), and line comments left with no statement under them."""
    for block in blocks:
        block.body = _without_placeholders(block.body, names)


def _without_placeholders(body: list, names: set[str]) -> list:
    kept = []
    for stmt in body:
        if _placeholder(stmt) and stmt.targets[0].id in names:
            continue
        for field in ("body", "orelse"):
            nested = getattr(stmt, field, None)
            if isinstance(nested, list) and (nested or field == "body"):
                nested = _without_placeholders(nested, names)
                if all(is_comment_marker(s) for s in nested):  # every statement was dead
                    nested = [gast.Pass()] if field == "body" else []
                setattr(stmt, field, nested)
        if _empty_branch(stmt):
            continue
        if kept and is_comment_marker(kept[-1]) and is_comment_marker(stmt):
            kept.pop()  # the previous line's statements were all dropped
        kept.append(stmt)
    if kept and is_comment_marker(kept[-1]) and len(kept) > 1:
        kept.pop()
    return kept


def _empty_branch(stmt: gast.stmt) -> bool:
    """``if flag: pass`` with no ``else``: every statement of the arm was dead."""
    return (
        isinstance(stmt, gast.If)
        and isinstance(stmt.test, gast.Name)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], gast.Pass)
        and not stmt.orelse
    )
