"""Peephole: write the straight-line adjoint of a line as one would by hand.

Reverse mode gives each partial derivative its own temporary: ``d_a = -d_b`` then
``d_x[:-1] += d_a`` costs a negation (a pass over memory and an array) where ``d_x[:-1] -= d_b``
costs none; ``100.0 * (2 * r)`` costs two products where ``200.0 * r`` costs one. Within one
block (the adjoint of one primal line) of code without loops or branches, this pass

* substitutes a temporary read exactly once, later in the same block, into that read when the
  temporary is arithmetic on names and numbers (no call but a numpy scalar of a number,
  ``_np.float64(1.0)``; no subscript) and nothing in between
  writes any name it reads (in code with loops or branches, only a temporary that lives as in
  straight-line code, :mod:`s2s.codegen.straight`: inside a loop a name may be read again on
  the next trip, and there only the rewrites of one statement below apply);
* moves a negation outward (``(-a) * b`` is ``-(a * b)``, ``a + -b`` is ``a - b``) and into
  an accumulation (``d += -e`` is ``d -= e``);
* moves the negation of a temporary read several times in its block (``t = -e`` then
  ``d_a += t * b`` and ``d_b += t * a``) into its reads, where each read absorbs it
  (``d_a -= e * b``; ``t = e``, or ``e`` itself where it is a name);
* does the first three inside a loop whose trip is straight-line code, for the temporaries
  that live within one trip (stored once, read only later in the same trip): past the values
  popped back from the tape into other names, a release of a name read moving after the read
  (an LSTM gate's ``d_a = -(g * (s / a))``, ``d_n = d_a * e``, ``d_z[k] += -d_n`` becomes
  ``d_a = g * (s / a)``, ``d_n = d_a * e``, ``d_z[k] += d_n``: two negations fewer a trip);
* folds a number into a product with a power of two (``c * (2 * e)`` is ``(2 * c) * e``),
  writes ``-1.0 * e`` as ``-e``, and an operand ``1.0 * e`` of arithmetic as ``e``.

Every rewrite gives the same bits as the code it replaces: a negation is exact and commutes
with rounding (IEEE 754 rounds to nearest symmetrically), ``a + (-b)`` is ``a - b``, and
``2 ** k * e`` (``k >= 0``) is exact unless it overflows, in which case ``c * 2 ** k * e``
overflows alike; the product ``c * 2 ** k`` is exact in binary floating point.
"""

from __future__ import annotations

import math
from collections import Counter

import gast
import numpy as np

from s2s import registry
from s2s.codegen.straight import straight_in
from s2s.codegen.sweeps import Block, Sweeps, is_comment_marker
from s2s.codegen.templating import constant
from s2s.codegen.walking import copy_tree, inner_nodes, name_list, stored_names, walk
from s2s.reverse.returned import is_call, private_buffers, store_into

_ARITHMETIC = (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.Pow)


def peephole(sweeps: Sweeps, floats: set[str]) -> None:
    """Rewrite ``sweeps.adjoint`` in place (see the module docstring). ``floats`` names the
    values known to be floating (arrays or scalars): only products with them are folded (a
    product of integers may wrap)."""
    only = None  # straight-line code: any temporary
    if sweeps.dynamic:  # loops and branches: a name may be read again on the next trip, so
        only = straight_in(sweeps)  # only names as in straight-line code
    reads: dict[str, int] = {}
    writes: dict[str, int] = {}
    for block in sweeps.primal + sweeps.adjoint:
        for stmt in block.body:
            if only is None or not _release(stmt):  # (a release writes no value)
                _count(stmt, reads, writes)
    for expr in sweeps.gradients + [sweeps.output, sweeps.loss]:
        for node in walk(expr):
            if isinstance(node, gast.Name):
                reads[node.id] = reads.get(node.id, 0) + 2  # live out: never substituted
    buffers = private_buffers(sweeps)
    for block in sweeps.adjoint:
        _substitute(block, reads, writes, buffers, only)
        _tidy_all(block.body, floats)  # (in loops and branches each statement on its own)
        _absorb_negations(block.body, reads, writes, floats, only)
    if sweeps.dynamic:
        stores = _stores_but_releases(sweeps)
        for block in sweeps.adjoint:
            _trips(block.body, reads, stores, buffers, floats)


def _read_only(fn: object) -> bool:
    """Whether the numpy function ``fn`` writes into no argument when given no ``out=``: a
    ufunc, or a function with a rule or facts of its own that do not say it writes
    (``Facts.writes``, ``np.copyto``); the registry is the one place that knows."""
    if isinstance(fn, np.ufunc):
        return True
    known = registry.lookup(fn) is not None or registry.facts_of(fn) is not registry.NO_FACTS
    return known and not registry.facts_of(fn).writes


def _pure_calls(node: gast.AST) -> bool:
    """Whether every call in ``node`` writes into no array: a numpy ufunc or a function
    the registry knows writes into none (:func:`_read_only`) called without ``out=``, or a new
    accumulation buffer."""
    for part in walk(node):
        if not isinstance(part, gast.Call):
            continue
        if is_call(part, "zeros_like_acc"):
            continue
        func = part.func
        if not (isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name)
                and func.value.id == "_np"):  # fmt: skip
            return False
        if any(k.arg in ("out", None) for k in part.keywords):
            return False
        if not _read_only(getattr(np, func.attr, None)):
            return False
    return True


def _count(stmt: gast.stmt, reads: dict[str, int], writes: dict[str, int]) -> None:
    for node in inner_nodes(stmt):
        if isinstance(node, gast.Name):
            table = reads if isinstance(node.ctx, gast.Load) else writes
            table[node.id] = table.get(node.id, 0) + 1
        if isinstance(node, gast.AugAssign):  # `d[k] += v` and `d += v` read d too
            for name in _names(node.target):
                reads[name] = reads.get(name, 0) + 1


def _release(stmt: gast.stmt) -> bool:
    """``x = None`` at the top level of a sweep through branches and loops: a release."""
    return (isinstance(stmt, gast.Assign) and isinstance(stmt.value, gast.Constant)
            and stmt.value.value is None)  # fmt: skip


def _releases_only(stmt: gast.stmt, var: str) -> bool:
    """``var = None`` (a release whose targets name ``var`` and nothing else)."""
    if _release(stmt) and all(type(t) is gast.Name for t in stmt.targets):  # (no walk)
        return {t.id for t in stmt.targets} == {var}
    return _release(stmt) and _names(stmt) == {var}


def _names(node: gast.AST) -> set[str]:
    return set(name_list(node))


def _arithmetic(node: gast.expr) -> bool:
    """Names, numbers, and arithmetic operators on them (no call, no subscript, no attribute;
    a number as a numpy scalar, ``_np.float64(1.0)``, is a number)."""
    if _numpy_number(node):
        return True
    if isinstance(node, gast.BinOp):
        return isinstance(node.op, _ARITHMETIC) and _arithmetic(node.left) and _arithmetic(
            node.right
        )
    if isinstance(node, gast.UnaryOp):
        return isinstance(node.op, gast.USub) and _arithmetic(node.operand)
    for part in walk(node):
        if isinstance(part, (gast.Name, gast.Constant, gast.BinOp, gast.UnaryOp)):
            if isinstance(part, gast.Constant) and type(part.value) not in (int, float):
                return False
            if isinstance(part, gast.UnaryOp) and not isinstance(part.op, gast.USub):
                return False
            if isinstance(part, gast.BinOp) and not isinstance(part.op, _ARITHMETIC):
                return False
            continue
        if isinstance(part, (gast.Load, gast.operator, gast.unaryop)):
            continue
        return False
    return True


def _numpy_number(node: gast.expr) -> bool:
    """``_np.float64(1.0)``: a number written as a numpy float scalar (the seed of a sweep)."""
    return (
        isinstance(node, gast.Call)
        and isinstance(node.func, gast.Attribute)
        and isinstance(node.func.value, gast.Name)
        and node.func.value.id == "_np"
        and node.func.attr in ("float16", "float32", "float64")
        and len(node.args) == 1
        and not node.keywords
        and isinstance(node.args[0], gast.Constant)
        and type(node.args[0].value) in (int, float)
    )


def _substitute(block: Block, reads: dict[str, int], writes: dict[str, int],
               buffers: dict[str, str], only: set[str] | None,
               copies: bool = True) -> None:  # fmt: skip
    """Substitute each temporary of ``block`` into its one read (:func:`_substitutes`);
    ``copies``: into a copy ``u = t`` too (a loop's trip keeps the name ``t``: the passes
    after this one fold its line's chain under it)."""
    body = block.body
    i = 0
    while i < len(body):
        target = body[i].targets[0] if isinstance(body[i], gast.Assign) else None
        allowed = only is None or (isinstance(target, gast.Name) and target.id in only)
        if allowed and _substitutes(body, i, reads, writes, buffers, copies):
            del body[i]
            if only is not None:  # its release (x = None) releases nothing now
                body[i:] = [s for s in body[i:] if not _releases_only(s, target.id)]
            i = max(i - 1, 0)  # the statement before may now be substituted too
        else:
            i += 1


def _substitutes(body: list[gast.stmt], i: int, reads: dict[str, int],
                 writes: dict[str, int], buffers: dict[str, str],
                 copies: bool = True) -> bool:  # fmt: skip
    """Substitute the temporary that ``body[i]`` assigns into its one read, if allowed: the
    statements in between assign other names from pure calls, or add into private buffers."""
    stmt = body[i]
    if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], gast.Name)) or getattr(stmt, "s2s_owned", False):
        return False  # fmt: skip
    var = stmt.targets[0].id
    if reads.get(var) != 1 or writes.get(var) != 1 or not _arithmetic(stmt.value):
        return False
    used = _names(stmt.value)
    deferred: list[gast.stmt] = []  # releases of names it reads, moved after the read
    for later in body[i + 1:]:
        if is_comment_marker(later):
            continue
        if _release(later) and len(later.targets) == 1 and _names(later) <= used:
            deferred.append(later)
            continue
        if _popped(later) and not _names(later) & (used | {var}):
            continue  # (a value popped back from the tape into another name)
        if not isinstance(later, (gast.Assign, gast.AugAssign)) or not _pure_calls(later):
            return False
        into = isinstance(later, gast.AugAssign) or store_into(later)
        mentions = var in _names(later)
        if into and mentions:
            target = later.targets[0] if store_into(later) else later.target
            site = _read_site(later, var)
            if site is not None and var not in _names(target):
                setattr(*site, stmt.value)  # read by a write: its value is computed before it
                _after(body, later, deferred)
                return True
        if into:
            base = later.target if isinstance(later, gast.AugAssign) else later.targets[0]
            while isinstance(base, gast.Subscript):
                base = base.value
            if not isinstance(base, gast.Name) or base.id not in buffers or base.id in used:
                return False
        elif not all(isinstance(t, gast.Name) for t in later.targets):
            return False
        if mentions:
            site = _read_site(later, var)
            if site is None or (not copies and site[0] is later):
                return False
            parent, field = site
            setattr(parent, field, stmt.value)
            _after(body, later, deferred)
            return True
        if isinstance(later, gast.Assign) and used & {n for t in later.targets
                                                      for n in name_list(t)}:  # fmt: skip
            return False  # (a store d[k] = v: its buffer, never in `used`, as checked above)
    return False


def _popped(stmt: gast.stmt) -> bool:
    """``x = tape.pop()``: a value popped back from a list into a name (it writes that name
    alone, and reads nothing an arithmetic expression reads)."""
    return (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], gast.Name) and isinstance(stmt.value, gast.Call)
            and isinstance(stmt.value.func, gast.Attribute) and stmt.value.func.attr == "pop"
            and isinstance(stmt.value.func.value, gast.Name) and not stmt.value.args
            and not stmt.value.keywords)  # fmt: skip


def _after(body: list[gast.stmt], site: gast.stmt, moved: list[gast.stmt]) -> None:
    """Move the statements ``moved`` (releases) to just after ``site`` in ``body``; one of
    a name that ``site`` binds goes (``d = d * e`` is its release: after it, ``d = None``
    would drop the new value)."""
    if not moved:
        return
    gone = {id(m) for m in moved}
    body[:] = [s for s in body if id(s) not in gone]
    at = next(k for k, s in enumerate(body) if s is site)
    bound = stored_names(site) if isinstance(site, gast.Assign) else set()
    body[at + 1:at + 1] = [m for m in moved if not _names(m) & bound]


def _read_site(stmt: gast.Assign | gast.AugAssign, var: str) -> tuple[gast.AST, str] | None:
    """Where ``stmt`` reads ``var`` as an operand of arithmetic or as its whole value, as
    (parent, field); ``None`` when it reads it elsewhere (a call's argument) or not at all."""
    if isinstance(stmt.value, gast.Name) and stmt.value.id == var:
        return stmt, "value"
    for node in walk(stmt.value):
        if isinstance(node, gast.BinOp):
            for field in ("left", "right"):
                child = getattr(node, field)
                if isinstance(child, gast.Name) and child.id == var:
                    return node, field
        if isinstance(node, gast.UnaryOp) and isinstance(node.operand, gast.Name) and (
            node.operand.id == var
        ):
            return node, "operand"
    return None


def _tidy_all(body: list[gast.stmt], floats: set[str]) -> None:
    """:func:`_tidy` every statement of ``body``, inside loops and branches too."""
    for stmt in body:
        if isinstance(stmt, (gast.For, gast.While, gast.If)):
            _tidy_all(stmt.body, floats)
            _tidy_all(stmt.orelse, floats)
        else:
            _tidy(stmt, floats)


def _tidy(stmt: gast.stmt, floats: set[str]) -> None:
    if isinstance(stmt, gast.Assign) and not isinstance(stmt.value, gast.Name):
        stmt.value = _outward(stmt.value, floats, top=True)
        if len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Subscript):
            stmt.value = _unit(stmt.value, floats)  # d[k] = 1.0 * e stores e's values
    elif isinstance(stmt, gast.AugAssign) and isinstance(stmt.op, (gast.Add, gast.Sub)):
        stmt.value = _unit(_outward(stmt.value, floats, top=True), floats)
        if _negation(stmt.value):  # d += -e is d -= e
            stmt.value = stmt.value.operand
            stmt.op = gast.Sub() if isinstance(stmt.op, gast.Add) else gast.Add()


def _negation(node: gast.expr) -> bool:
    return isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub)


def _neg(node: gast.expr) -> gast.expr:
    return gast.UnaryOp(op=gast.USub(), operand=node)


def _negative(node: gast.expr) -> gast.expr:
    """``-node``, written into a product's number where it has one (``-(c * e)`` is
    ``(-c) * e``; ``-(c / s * e)`` is ``-c / s * e``)."""
    return node if _into_number(node) else _neg(node)


def _into_number(node: gast.expr) -> bool:
    """Negate the nonzero number of the product or quotient ``node`` (a factor, or a
    numerator, of it or of the product or quotient on its left), in place; whether there was
    one (``d * (2 * e)`` keeps its sign outside: ``d_x -= d * (2 * e)`` reads better)."""
    if not (isinstance(node, gast.BinOp) and isinstance(node.op, (gast.Mult, gast.Div))):
        return False
    for field in ("left", "right") if isinstance(node.op, gast.Mult) else ("left",):
        c = _number(getattr(node, field))
        if c:  # (-0 is 0 for ints)
            setattr(node, field, constant(-c))
            return True
    return _into_number(node.left)


def _outward(node: gast.expr, floats: set[str], top: bool = False) -> gast.expr:
    """``node`` with negations moved outward and powers of two folded into products; the
    result of a statement's whole value (``top``) stays a new array where it was one."""
    if _negation(node):
        inner = _outward(node.operand, floats)
        if _negation(inner) and (not top or isinstance(inner.operand, gast.BinOp)):
            return inner.operand  # -(-e) is e (at the top only for a new array: `t = x` aliases)
        return _negative(inner)
    if not isinstance(node, gast.BinOp):
        return node
    left, right = _unit(_outward(node.left, floats), floats), _unit(
        _outward(node.right, floats), floats)
    op = node.op
    if isinstance(op, (gast.Mult, gast.Div)) and (_negation(left) or _negation(right)):
        flips = _negation(left) + _negation(right)  # (-a) * b is -(a * b); (-a) * (-b) a * b
        left = left.operand if _negation(left) else left
        right = right.operand if _negation(right) else right
        product = _fold(gast.BinOp(left=left, op=op, right=right), floats)
        return product if flips == 2 else _negative(product)
    if isinstance(op, gast.Add) and _negation(right):
        return gast.BinOp(left=left, op=gast.Sub(), right=right.operand)  # a + -b is a - b
    if isinstance(op, gast.Sub) and _negation(right):
        return gast.BinOp(left=left, op=gast.Add(), right=right.operand)  # a - -b is a + b
    if isinstance(op, gast.Add) and _negation(left):
        return gast.BinOp(left=right, op=gast.Sub(), right=left.operand)  # -a + b is b - a
    return _fold(gast.BinOp(left=left, op=op, right=right), floats)


def _unit(node: gast.expr, floats: set[str]) -> gast.expr:
    """An operand ``1.0 * e`` of a floating name ``e`` (a product with ones, from
    :mod:`s2s.reverse.simplify`, substituted here) as ``e``: the same bits and dtype, and the
    operation it feeds makes the new array."""
    if isinstance(node, gast.BinOp) and isinstance(node.op, gast.Mult):
        for c_node, e in ((node.left, node.right), (node.right, node.left)):
            if _number(c_node) == 1 and type(_number(c_node)) is float and (
                isinstance(e, gast.Name) and e.id in floats
            ):
                return e
    return node


def _number(node: gast.expr) -> float | int | None:
    if isinstance(node, gast.Constant) and type(node.value) in (int, float):
        return node.value
    return None


def _power_of_two(value: float | int) -> bool:
    if not value >= 1 or not math.isfinite(value):
        return False
    mantissa, _ = math.frexp(value)
    return mantissa == 0.5


def _fold(node: gast.BinOp, floats: set[str]) -> gast.expr:
    """``c * (k * e)`` (either order of each product) as ``(c * k) * e`` when ``k`` is a power
    of two at least 1, ``e`` a floating name, and ``c * k`` exact."""
    if not isinstance(node.op, gast.Mult):
        return node
    for c_node, e in ((node.left, node.right), (node.right, node.left)):
        if _number(c_node) == -1 and type(_number(c_node)) is float and (
            isinstance(e, gast.Name) and e.id in floats
            or isinstance(e, gast.BinOp) and isinstance(e.op, gast.Div)
        ):  # -1.0 * e is -e (a float e, or a true division, keeps its dtype)
            return _neg(e)
    for outer, inner in ((node.left, node.right), (node.right, node.left)):
        c = _number(outer)
        if c is None or not (isinstance(inner, gast.BinOp) and isinstance(inner.op, gast.Mult)):
            continue
        for k_node, e in ((inner.left, inner.right), (inner.right, inner.left)):
            k = _number(k_node)
            if k is None or not _power_of_two(k) or not isinstance(e, gast.Name):
                continue
            if e.id not in floats:
                continue
            product = c * k
            if not math.isfinite(product) or product == 0 or product / k != c:
                continue
            if type(c) is int and type(k) is int and abs(product) > 2**53:
                continue
            folded = float(product) if isinstance(product, float) or type(c) is float else product
            return gast.BinOp(left=constant(folded), op=gast.Mult(), right=e)
    return node


def _absorb_negations(body: list[gast.stmt], reads: dict[str, int], writes: dict[str, int],
                      floats: set[str], only: set[str] | None) -> None:  # fmt: skip
    """``t = -e``, every read of ``t`` later in ``body`` (a straight-line block): ``t = e``
    and ``-t`` in each read (``-e`` itself where ``e`` is a name, whose own statement then
    goes), where :func:`_tidy` then leaves no more negations in any reading statement than it
    had (``d += t * b`` becomes ``d -= t * b``; ``c + t * b`` becomes ``c - t * b``)."""
    i = 0
    while i < len(body):
        stmt = body[i]
        i += 1
        if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], gast.Name) and _negation(stmt.value)
                and not getattr(stmt, "s2s_owned", False)):  # fmt: skip
            continue
        var, inner = stmt.targets[0].id, stmt.value.operand
        if writes.get(var) != 1 or (only is not None and var not in only):
            continue
        alias = inner.id if isinstance(inner, gast.Name) else None  # t = -u: reads get -u
        if alias is not None and (writes.get(alias) != 1 or only is not None and alias not in only):
            continue
        def chainable(target: str) -> bool:  # a temporary whose negation is absorbed next
            return writes.get(target) == 1 and (only is None or target in only)

        trial = _negated_reads(body, i, var, alias, reads.get(var, 0), floats, chainable)
        if trial is None:
            continue
        for j, new in trial.items():
            body[j] = new
        if alias is None:
            stmt.value = inner
        else:
            reads[alias] = reads.get(alias, 0) + reads[var] - 1
            del body[i - 1]
            i -= 1


def _negated_reads(body: list[gast.stmt], start: int, var: str, alias: str | None, count: int,
                   floats: set[str], chainable) -> dict[int, gast.stmt] | None:  # fmt: skip
    """The statements of ``body`` from ``start`` on that read ``var`` (all ``count`` of its
    reads), rewritten with ``-var`` (``-alias``) and tidied, by index; ``None`` unless each is
    an assignment or accumulation that reads it in its value only and keeps its number of
    negations, and nothing between writes ``var`` (for ``-alias``, moved later: every statement
    up to the last read assigns names from pure calls, as another name may hold ``alias``'s
    array and an accumulation into it would change it)."""
    watched = {var} if alias is None else {var, alias}
    reading, seen = [], 0
    for j in range(start, len(body)):
        later = body[j]
        if is_comment_marker(later):
            continue
        names = _names(later)
        if alias is not None and not (isinstance(later, gast.Assign) and all(
                isinstance(t, gast.Name) for t in later.targets) and _pure_calls(later)):
            return None  # fmt: skip
        if not names & watched:
            continue
        if not isinstance(later, (gast.Assign, gast.AugAssign)) or not _pure_calls(later):
            return None
        targets = [later.target] if isinstance(later, gast.AugAssign) else later.targets
        if any(_names(t) & watched for t in targets) or var not in names:
            return None  # (reading alias alone is fine, writing either is not)
        reading.append(j)
        seen += name_list(later.value).count(var)
        if seen >= count:
            break
    if seen != count:
        return None
    found = {}
    for j in reading:
        later = body[j]
        if isinstance(later.value, gast.Name) and later.value.id == var:
            return None  # `x = t`: a bare read keeps its negation
        new = copy_tree(later)
        for node in walk(new.value):
            for field, child in gast.iter_fields(node):
                if isinstance(child, gast.Name) and child.id == var:
                    setattr(node, field, _neg(_load(alias or var)))
                elif isinstance(child, list):
                    for k, item in enumerate(child):
                        if isinstance(item, gast.Name) and item.id == var:
                            child[k] = _neg(_load(alias or var))
        _tidy(new, floats)
        added = _negations(new) - _negations(later)
        if added > 0 and not (added == 1 and _passed_on(new, chainable)):
            return None
        found[j] = new
    return found


def _load(var: str) -> gast.Name:
    return gast.Name(id=var, ctx=gast.Load(), annotation=None, type_comment=None)


def _negations(stmt: gast.stmt) -> int:
    """The negations ``stmt`` computes (not those of numbers)."""
    return sum(1 for node in walk(stmt) if _negation(node) and not isinstance(
        node.operand, gast.Constant))  # fmt: skip


def _passed_on(stmt: gast.stmt, chainable) -> bool:
    """``u = -(...)`` whose ``u`` is a temporary this pass visits next (``chainable``): the
    negation moved here costs what it cost where it was, and the next reader may absorb it
    (``t = -a``, ``u = t * b``, ``d[k] += -u`` is ``u = a * b``, ``d[k] += u``)."""
    return (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], gast.Name) and _negation(stmt.value)
            and chainable(stmt.targets[0].id))  # fmt: skip


def _stores_but_releases(sweeps: Sweeps) -> dict[str, int]:
    """How many statements of the sweeps, at any depth, store each name, releases
    (``x = None``) and initial ``None`` bindings aside."""
    stores: dict[str, int] = {}

    def visit(body: list[gast.stmt]) -> None:
        for stmt in body:
            if isinstance(stmt, (gast.For, gast.While, gast.If)):
                for name in _names(getattr(stmt, "target", gast.Pass())):
                    stores[name] = stores.get(name, 0) + 1
                visit(stmt.body)
                visit(stmt.orelse)
            elif not _release(stmt):
                for node in inner_nodes(stmt):
                    if isinstance(node, gast.Name) and not isinstance(node.ctx, gast.Load):
                        stores[node.id] = stores.get(node.id, 0) + 1

    for block in sweeps.primal + sweeps.adjoint:
        visit(block.body)
    return stores


def _trips(body: list[gast.stmt], reads: dict[str, int], stores: dict[str, int],
           buffers: dict[str, str], floats: set[str]) -> None:  # fmt: skip
    """In each loop of ``body`` whose trip is straight-line code (no loop, branch or ``try``
    inside), substitute and absorb negations as in a block (:func:`_substitute`,
    :func:`_absorb_negations`) for the temporaries that live within one trip: stored once in
    the sweeps, by a statement of the trip, and read only by the statements after it in the
    same trip (the next trip stores it again before it reads it)."""
    for stmt in body:
        if isinstance(stmt, gast.If):
            _trips(stmt.body, reads, stores, buffers, floats)
            _trips(stmt.orelse, reads, stores, buffers, floats)
        if not isinstance(stmt, (gast.For, gast.While)):
            continue
        trip = stmt.body
        if any(isinstance(s, (gast.For, gast.While, gast.If, gast.Try, gast.With)) for s in trip):
            _trips(trip, reads, stores, buffers, floats)
            continue
        local = _trip_local(trip, reads, stores)
        if local:
            _substitute(Block(None, trip), reads, stores, buffers, local, copies=False)
            _absorb_negations(trip, reads, stores, floats, local)
            _substitute(Block(None, trip), reads, stores, buffers, local, copies=False)
            _tidy_all(trip, floats)


def _trip_local(trip: list[gast.stmt], reads: dict[str, int], stores: dict[str, int]) -> set[str]:
    """The names a statement of ``trip`` (straight-line code) assigns alone, stored nowhere
    else in the sweeps, all of whose reads are in the statements after it in ``trip``."""
    local: set[str] = set()
    later: Counter[str] = Counter()  # occurrences in the statements after the one looked at
    for stmt in reversed(trip):
        if _release(stmt):
            continue
        if (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], gast.Name)):  # fmt: skip
            var = stmt.targets[0].id
            if stores.get(var) == 1 and later[var] == reads.get(var, 0) and (
                    var not in _names(stmt.value)):  # fmt: skip
                local.add(var)
        later.update(name_list(stmt))
    return local

