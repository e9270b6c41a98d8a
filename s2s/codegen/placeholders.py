"""Placeholders: drop ``x = None`` written before any assignment of ``x`` where no path reads it.

The sweeps through branches and loops start names as ``None`` (a primal value the tape saves
before its first assignment, an adjoint buffer that starts at zero). A placeholder stays only
where some path reads the name before assigning it: ``tape.append(h)`` on a loop's first trip,
``_s2s.add(d_h, c)`` on a buffer nothing has written yet, ``del x``. A ``None`` written after
an assignment frees memory and stays too. Liveness is the usual backward one over structured
statements (a loop to a fixed point, ``break`` to the loop's exit, ``continue`` to its head);
names a nested function or lambda reads count as live everywhere.

>>> import gast
>>> from s2s.codegen.sweeps import Block
>>> before = '''
... h = None
... add_1 = None
... d_h = None
... d_w = None
... h = zeros(n)
... for t in range(n):
...     add_1 = h @ w
...     tape.append(h)
...     h = tanh(add_1)
...     d_h = _s2s.add(d_h, h)
...     add_1 = None
... d_w = d_h
... '''
>>> blocks = [Block(None, gast.parse(before).body)]
>>> drop_unread_placeholders(blocks, {'d_w'})
>>> print(gast.unparse(gast.Module(body=blocks[0].body, type_ignores=[])).strip())
d_h = None
h = zeros(n)
for t in range(n):
    add_1 = h @ w
    tape.append(h)
    h = tanh(add_1)
    d_h = _s2s.add(d_h, h)
    add_1 = None
d_w = d_h
"""

from __future__ import annotations

import gast

from s2s.codegen.sweeps import Block, closure_names, is_comment_marker, statement_reads
from s2s.codegen.walking import name_list, stored_names, walk


class Unmodelled(Exception):
    """A statement this analysis does not model (``try``, ``match``): keep every placeholder."""


def drop_unread_placeholders(
    blocks: list[Block], live_out: set[str], closures: bool = True
) -> None:
    """Remove, from the top level of ``blocks``, each ``x = None`` that comes before every
    assignment of ``x`` and after which no path reads ``x``; ``live_out`` are the names read
    after the blocks (the returned gradients). ``closures`` False: no statement holds a
    nested def or lambda (:func:`~s2s.codegen.sweeps.has_closures`), none is looked for."""
    body = [stmt for block in blocks for stmt in block.body]
    candidates = _placeholders(body)
    if not candidates:
        return
    closure = closure_names(body) if closures else set()
    try:
        live = Liveness(closure)
        dropped = set()
        after = set(live_out)
        for stmt in reversed(body):
            if id(stmt) in candidates and stmt.targets[0].id not in after | closure:
                dropped.add(id(stmt))
            after = live.before(stmt, after)
    except Unmodelled:
        return
    for block in blocks:
        block.body = [stmt for stmt in block.body if id(stmt) not in dropped]


def _is_none(stmt: gast.stmt) -> bool:
    return (
        isinstance(stmt, gast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], gast.Name)
        and isinstance(stmt.value, gast.Constant)
        and stmt.value.value is None
    )


def _placeholders(body: list[gast.stmt]) -> set[int]:
    """The top-level ``x = None`` statements before any other assignment of ``x``."""
    assigned: set[str] = set()
    found: set[int] = set()
    for stmt in body:
        if _is_none(stmt) and stmt.targets[0].id not in assigned:
            found.add(id(stmt))
        assigned |= _stores(stmt)
    return found


def _stores(stmt: gast.stmt) -> set[str]:
    return stored_names(stmt)


def _killed(stmt: gast.stmt) -> set[str]:
    """Names ``stmt`` surely assigns (plain names, as a whole: not ``x[k] = v``)."""
    targets: list[gast.expr] = []
    if isinstance(stmt, gast.Assign):
        targets = list(stmt.targets)
    elif isinstance(stmt, gast.AnnAssign) and stmt.value is not None:
        targets = [stmt.target]
    killed: set[str] = set()
    while targets:
        target = targets.pop()
        if isinstance(target, gast.Name):
            killed.add(target.id)
        elif isinstance(target, (gast.Tuple, gast.List)):
            targets.extend(target.elts)
        elif isinstance(target, gast.Starred):
            targets.append(target.value)
    return killed


def _reads(stmt: gast.stmt) -> set[str]:
    """Names ``stmt`` reads, ``del x`` counting as a read (it fails on an unbound name)."""
    reads = statement_reads(stmt)
    if isinstance(stmt, gast.Delete):
        reads.update(name for t in stmt.targets for name in name_list(t))
    return reads


def _expr_reads(node: gast.AST | None) -> set[str]:
    if node is None:
        return set()
    return set(name_list(node))


class Liveness:
    """Backward liveness through one function body; ``always`` are live everywhere."""

    def __init__(self, always: set[str]) -> None:
        self.always = always
        self.exits: list[tuple[set[str], set[str]]] = []  # (after the loop, at its head)
        # a plain statement's id -> (the names it kills, the names it reads): a loop's body
        # is swept until its live set settles, and the statements do not change meanwhile
        self.facts: dict[int, tuple[set[str], set[str]]] = {}

    def block(self, body: list[gast.stmt], after: set[str]) -> set[str]:
        live = set(after)
        for stmt in reversed(body):
            live = self.before(stmt, live)
        return live

    def before(self, stmt: gast.stmt, after: set[str]) -> set[str]:
        facts = self.facts.get(id(stmt))  # a plain statement seen before (a loop swept again)
        if facts is not None:
            return (after - facts[0]) | facts[1]
        if isinstance(stmt, gast.If):
            live = self.block(stmt.body, after) | self.block(stmt.orelse, after)
            return live | _expr_reads(stmt.test)
        if isinstance(stmt, (gast.For, gast.While)):
            return self.loop(stmt, after)
        if isinstance(stmt, gast.With):
            items = set().union(*(_expr_reads(i.context_expr) for i in stmt.items))
            return self.block(stmt.body, after) | items
        if isinstance(stmt, gast.Break):
            return set(self.exits[-1][0])
        if isinstance(stmt, gast.Continue):
            return set(self.exits[-1][1])
        if isinstance(stmt, gast.Return):
            return _expr_reads(stmt.value) | self.always
        if isinstance(stmt, (gast.Try, gast.Raise)) or type(stmt).__name__ in ("Match", "TryStar"):
            raise Unmodelled
        facts = self.facts[id(stmt)] = (_killed(stmt), _reads(stmt))
        return (after - facts[0]) | facts[1]

    def loop(self, stmt: gast.For | gast.While, after: set[str]) -> set[str]:
        exit_live = self.block(stmt.orelse, after) | after
        target = _killed(gast.Assign(targets=[stmt.target], value=None)) if isinstance(
            stmt, gast.For) else set()  # fmt: skip
        test = _expr_reads(stmt.test) if isinstance(stmt, gast.While) else set()
        head = exit_live | test
        while True:
            self.exits.append((after, head))
            try:
                body = self.block(stmt.body, head)
            finally:
                self.exits.pop()
            new = exit_live | test | (body - target)
            if new == head:
                break
            head = new
        iterable = _expr_reads(stmt.iter) if isinstance(stmt, gast.For) else set()
        return head | iterable


def drop_dead_releases(blocks: list[Block], live_out: set[str], closures: bool = True) -> None:
    """In the bodies of loops of ``blocks`` (a sweep's last statements: ``live_out`` are read
    after them), drop each ``x = None`` after which no path reads ``x`` and whose next
    statement assigns ``x`` anew (tape pops, other releases and rows ``v = c[k]`` aside, at
    the top of the next trip of a ``for`` for a release that ends a trip): the old value lives
    while the new one is computed, as in ``dh = dh @ wh.T`` written by hand, and no longer.
    One release after the loop frees the last trip's value (at the end of the sweep, nothing
    needs to). ``closures`` False: no statement holds a nested def or lambda, none is looked
    for.

    >>> import gast
    >>> from s2s.codegen.emit import to_source
    >>> from s2s.codegen.sweeps import Block
    >>> body = gast.parse('''
    ... for t in range(n):
    ...     d_err = d_total * err[t]
    ...     d_h = _s2s.add(d_h, d_err @ wo.T)
    ...     d_pre = d_h * (1 - h * h)
    ...     d_h = None
    ...     h = tape.pop()
    ...     d_h = d_pre @ wh.T
    ...     d_w += h.T @ d_pre
    ...     d_pre = None
    ...     d_err = None
    ... d_x = d_h
    ... ''').body
    >>> blocks = [Block(None, body)]
    >>> drop_dead_releases(blocks, {"d_x"})
    >>> print("\\n".join(to_source(stmt, False) for stmt in blocks[0].body))
    for t in range(n):
        d_err = d_total * err[t]
        d_h = _s2s.add(d_h, d_err @ wo.T)
        d_pre = d_h * (1 - h * h)
        h = tape.pop()
        d_h = d_pre @ wh.T
        d_w += h.T @ d_pre
        d_pre = None
    d_err = None
    d_x = d_h
    """
    top = [stmt for block in blocks for stmt in block.body]
    closure = closure_names(top) if closures else set()
    live = Liveness(closure)
    after: dict[int, set[str]] = {}  # a loop's id -> the names live after it
    dropped: dict[int, list[str]] = {}  # a loop's id -> the names whose releases went
    try:
        _walk(top, set(live_out) | closure, live, after, dropped, None)
    except Unmodelled:
        return
    for block in blocks:
        block.body = _with_releases(block.body, after, dropped)


def _walk(body, live_after, live, after, dropped, loop) -> set[str]:
    """Liveness backwards through ``body`` (inside ``loop``, if any), marking dead releases."""
    current = set(live_after)
    for stmt in reversed(body):
        if isinstance(stmt, (gast.For, gast.While)):
            after[id(stmt)] = set(current)
            head = live.loop(stmt, current)
            live.exits.append((current, head))
            try:
                _walk(stmt.body, head, live, after, dropped, stmt)
            finally:
                live.exits.pop()
            current = head
            continue
        if isinstance(stmt, gast.If):
            test = set(name_list(stmt.test))
            current = _walk(stmt.body, current, live, after, dropped, None) | _walk(
                stmt.orelse, current, live, after, dropped, None) | test  # fmt: skip
            continue
        if loop is not None and _is_none(stmt):
            var = stmt.targets[0].id
            if var not in current and _renewed(body, body.index(stmt), var, loop):
                stmt.s2s_dead = True
                dropped.setdefault(id(loop), []).append(var)
        current = live.before(stmt, current)
    return current


def _renewed(body: list[gast.stmt], index: int, var: str, loop: gast.stmt) -> bool:
    """Whether the next statement after ``body[index]`` (in a trip of ``loop``) that makes a
    value is an assignment of ``var``: tape pops, releases, rows (``v = c[k]``) and additions
    into other buffers (``d_b += ...``) may come between, and a line's comment only where the
    trip ends and the next begins (a ``for`` loop's)."""
    rest = body[index + 1 :]
    top = body[:index] if isinstance(loop, gast.For) else []
    for stmt in rest + top:
        if is_comment_marker(stmt) and any(stmt is s for s in rest):
            return False  # another line's adjoint
        if (
            _is_none(stmt)
            or _is_pop(stmt)
            or is_comment_marker(stmt)
            or isinstance(stmt, gast.AugAssign) and not _named(stmt.target, var)
            or getattr(stmt, "s2s_remade", False) and isinstance(stmt.value, gast.Subscript)
        ):
            continue
        return isinstance(stmt, gast.Assign) and var in _killed(stmt)
    return False


def _named(node: gast.expr, var: str) -> bool:
    return isinstance(node, gast.Name) and node.id == var


def _is_pop(stmt: gast.stmt) -> bool:
    """``x = tape.pop()``."""
    value = getattr(stmt, "value", None)
    return (
        isinstance(stmt, gast.Assign)
        and isinstance(value, gast.Call)
        and isinstance(value.func, gast.Attribute)
        and value.func.attr == "pop"
        and not value.args
    )


def _with_releases(body, after, dropped) -> list[gast.stmt]:
    out: list[gast.stmt] = []
    for stmt in body:
        if getattr(stmt, "s2s_dead", False):
            continue
        for field in ("body", "orelse"):
            nested = getattr(stmt, field, None)
            if isinstance(nested, list) and nested:
                setattr(stmt, field, _with_releases(nested, after, dropped) or [gast.Pass()])
        out.append(stmt)
        for var in sorted(set(dropped.get(id(stmt), [])) - after.get(id(stmt), set())):
            target = gast.Name(var, gast.Store(), None, None)
            out.append(gast.Assign(targets=[target], value=gast.Constant(None, None),
                                   type_comment=None))  # fmt: skip
    return out


def drop_unread_constants(blocks: list[Block], live_out: set[str], closures: bool = True) -> None:
    """Remove, from the top level of ``blocks``, each ``x = c`` of a number (``1.0``,
    ``_np.float64(1.0)``: a seed the simplified adjoint no longer reads) where nothing in
    ``blocks`` (nor ``live_out``) reads ``x``: it cannot raise, and nobody sees it.
    ``closures`` False: no statement holds a nested def or lambda, none is looked for."""
    body = [stmt for block in blocks for stmt in block.body]
    read = set(live_out) | (closure_names(body) if closures else set())
    for stmt in body:
        read |= _reads(stmt)
    for block in blocks:
        block.body = [stmt for stmt in block.body
                      if not (_number_assign(stmt) and stmt.targets[0].id not in read)]  # fmt: skip


def _number_assign(stmt: gast.stmt) -> bool:
    """``x = 1.0`` or ``x = _np.float64(1.0)``."""
    if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], gast.Name)):  # fmt: skip
        return False
    value = stmt.value
    if isinstance(value, gast.Call) and len(value.args) == 1 and not value.keywords:
        func = value.func
        if not (isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name)
                and func.value.id == "_np" and func.attr in _SCALAR_TYPES):  # fmt: skip
            return False
        value = value.args[0]
    return isinstance(value, gast.Constant) and type(value.value) in (int, float)


_SCALAR_TYPES = ("float16", "float32", "float64", "longdouble")


def drop_unused_tape(blocks: list[Block], others: list[Block], tape: str) -> None:
    """Remove ``tape = []`` from ``blocks`` where nothing in ``blocks`` or ``others`` pushes
    on, pops from or otherwise reads ``tape`` (every push was of a value nobody reads)."""
    if not tape:
        return
    for block in blocks + others:
        for stmt in block.body:
            if tape in _reads(stmt):
                return
    for block in blocks:
        block.body = [stmt for stmt in block.body if not (
            isinstance(stmt, gast.Assign) and stored_names(stmt) == {tape}
            and isinstance(stmt.value, gast.List) and not stmt.value.elts)]  # fmt: skip


_PURE_HELPERS = {"zeroed_at", "written_part", "filled", "owned_copy", "like", "unreduce",
                 "unbroadcast", "masked", "zeros_like_acc"}  # fmt: skip


def drop_stores_before_release(blocks: list[Block]) -> None:
    """Remove ``x = v`` where the next statement of its list naming ``x`` frees it (``del x``
    or ``x = None``) and ``v`` is arithmetic or a runtime helper of names and numbers that
    only makes a new value (``d_y = _s2s.zeroed_at(d_y, 0)`` right before ``del d_y``); the
    ``del`` keeps freeing ``x``'s older value where an assignment before binds one, else ``x``
    leaves it."""
    for block in blocks:
        _drop_stores(block.body, top=True)


def _drop_stores(body: list[gast.stmt], top: bool = False) -> None:
    for stmt in body:
        for field in ("body", "orelse"):
            nested = getattr(stmt, field, None)
            if isinstance(nested, list) and nested:
                _drop_stores(nested)
    dead = set()
    named: list[set[str] | None] = [None] * len(body)  # each statement's names, once asked

    def names(j: int) -> set[str]:
        found = named[j]
        if found is None:
            found = named[j] = set(name_list(body[j]))
        return found

    for i, stmt in enumerate(body):
        if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], gast.Name) and _pure(stmt.value)):  # fmt: skip
            continue
        var = stmt.targets[0].id
        at = next((j for j in range(i + 1, len(body)) if var in names(j)), None)
        following = body[at] if at is not None else None
        if following is None or not (isinstance(following, gast.Delete) or _is_none(following)):
            continue
        dead.add(id(stmt))  # (the next statement naming var frees it)
        before = next((body[j] for j in range(i - 1, -1, -1) if var in names(j)), None)
        bound = isinstance(before, (gast.Assign, gast.AugAssign)) and var in stored_names(before)
        if isinstance(following, gast.Delete) and not bound:  # `del var` would find it unbound
            following.targets = [t for t in following.targets if var not in name_list(t)]
            named[at] = None  # (its names changed)
            if not following.targets:
                dead.add(id(following))
    body[:] = [s for s in body if id(s) not in dead]
    if not top and all(is_comment_marker(s) for s in body):
        body.append(gast.Pass())


def _pure(value: gast.expr) -> bool:
    """Arithmetic, or a runtime helper that makes a new value, of names, numbers and
    ``_np.s_[...]`` keys of numbers."""
    if isinstance(value, (gast.Name, gast.Constant)):
        return True
    if isinstance(value, gast.BinOp):
        return _pure(value.left) and _pure(value.right)
    if isinstance(value, gast.UnaryOp):
        return _pure(value.operand)
    if isinstance(value, gast.Tuple):
        return all(_pure(e) for e in value.elts)
    if isinstance(value, gast.Subscript):  # _np.s_[1:], an index of numbers
        return (isinstance(value.value, gast.Attribute) and value.value.attr == "s_"
                and all(isinstance(n, (gast.Constant, gast.Slice, gast.Tuple, gast.UnaryOp,
                                       gast.USub, gast.Load))
                        for n in walk(value.slice)))  # fmt: skip
    if isinstance(value, gast.Call) and not value.keywords and isinstance(value.func,
                                                                          gast.Attribute):
        func = value.func
        return (isinstance(func.value, gast.Name) and func.value.id == "_s2s"
                and func.attr in _PURE_HELPERS and all(_pure(a) for a in value.args))  # fmt: skip
    return False
