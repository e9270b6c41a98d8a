"""Guards: drop ``if d_x is not None:`` where every path to it has set ``d_x`` to a value.

The adjoint sweep of a function with branches or loops guards a statement's adjoint with
``if d_y is not None:`` where its cotangent may still be a symbolic zero (``None``). Where
every path to the guard assigns ``d_y`` a value that cannot be ``None`` (an arithmetic
result, a numpy call, a runtime helper that returns an array, a name already known to be
set), the test is always true: the guarded statements are written without it, as by hand.
The facts flow forward through the statements: an arm joins what both arms set, a loop what
holds before it and after any trip (it may run no trip), and ``del x``, ``x = None`` or
anything that may bind ``None`` (``tape.pop()``, an item of a pullback's parts) unsets.

>>> import gast
>>> from s2s.codegen.sweeps import Block
>>> before = '''
... d_y = y + y
... if d_y is not None:
...     d_a = _s2s.written_part(d_y, 1, y)
... if d_a is not None:
...     d_x = d_a * 2
... d_y = tape.pop()
... if d_y is not None:
...     d_x = d_x + d_y
... '''
>>> blocks = [Block(None, gast.parse(before).body)]
>>> drop_settled_guards(blocks)
>>> print(gast.unparse(gast.Module(body=blocks[0].body, type_ignores=[])).strip())
d_y = y + y
d_a = _s2s.written_part(d_y, 1, y)
d_x = d_a * 2
d_y = tape.pop()
if d_y is not None:
    d_x = d_x + d_y
"""

from __future__ import annotations

import gast

from s2s.codegen.sweeps import Block, is_comment_marker
from s2s.codegen.walking import deleted_names, name_list, statements_in, stored_names

# runtime helpers whose result is an array (or an undefined marker), never None, whenever
# they return; those of the second kind return their first argument's kind (None for None)
_SET = {"owned_buffer", "zeros_like_acc", "filled", "owned_copy", "zeroed_at", "written_part",
        "masked", "unreduce"}  # fmt: skip
_AS_FIRST = {"unbroadcast", "maximum_share"}
_WRITES = {"copyto", "put", "place", "putmask", "fill_diagonal", "put_along_axis"}


def drop_settled_guards(blocks: list[Block]) -> None:
    """Write the body of each ``if d_x is not None:`` (``or``/``and`` of such tests) in
    place of the guard where the test is always true, in ``blocks`` and the statements
    nested in them; the facts start empty at the first block."""
    known: set[str] = set()
    for block in blocks:
        block.body, known = _body(block.body, known, True)


def _body(body: list[gast.stmt], known: set[str], rewrite: bool) -> tuple[list, set[str]]:
    out: list[gast.stmt] = []
    known = set(known)
    for stmt in body:
        if isinstance(stmt, gast.If):
            settled = _test(stmt.test, known)
            if settled and rewrite:  # always true: the body, in place of the guard
                inner, known = _body(stmt.body, known, rewrite)
                out += inner
                continue
            inside = known | _guarded(stmt.test)
            stmt_body, then = _body(stmt.body, inside, rewrite)
            orelse, other = _body(stmt.orelse, known, rewrite)
            if rewrite:
                stmt.body, stmt.orelse = stmt_body or [gast.Pass()], orelse
            known = then & other
        elif isinstance(stmt, (gast.For, gast.While)):
            known = _loop(stmt, known, rewrite)
        elif isinstance(stmt, gast.With):
            inner, known = _body(stmt.body, known, rewrite)
            if rewrite:
                stmt.body = inner or [gast.Pass()]
        elif isinstance(stmt, gast.Assign):
            value = _set(stmt.value, known)
            for target in stmt.targets:
                known = _assigned(target, known, value and len(stmt.targets) == 1)
        elif isinstance(stmt, gast.AugAssign):  # `None += v` raises: set after it
            known = _assigned(stmt.target, known, True)
        elif isinstance(stmt, (gast.Expr, gast.Pass, gast.Break, gast.Continue)) or (
                is_comment_marker(stmt)):  # fmt: skip
            pass
        else:  # del, try, a def, anything else: what it may bind or unbind is unknown
            known -= stored_names(stmt) | set(name_list(stmt))
        out.append(stmt)
    return out, known


def _loop(stmt: gast.For | gast.While, before: set[str], rewrite: bool) -> set[str]:
    """What is set after a loop: what holds before it and after each trip, to a fixpoint;
    with a ``break`` or ``continue`` in it, only what no statement of it binds."""
    jumps = any(isinstance(n, (gast.Break, gast.Continue, gast.Return))
                for n in statements_in(stmt))  # fmt: skip
    if jumps or stmt.orelse:
        top = before - stored_names(stmt) - deleted_names(stmt)
        if isinstance(stmt, gast.For):
            top -= set(stored_names(stmt.target))
        if rewrite:
            stmt.body = _body(stmt.body, top, True)[0] or [gast.Pass()]
        return top
    top = set(before)
    if isinstance(stmt, gast.For):
        top -= stored_names(stmt.target)
    while True:
        _, after = _body(stmt.body, top, False)
        narrowed = top & after
        if narrowed == top:
            break
        top = narrowed
    if rewrite:
        stmt.body = _body(stmt.body, top, True)[0] or [gast.Pass()]
    return top


def _assigned(target: gast.expr, known: set[str], value_set: bool) -> set[str]:
    if isinstance(target, gast.Name):
        return known | {target.id} if value_set else known - {target.id}
    if isinstance(target, (gast.Subscript, gast.Attribute)):  # `x[k] = v`: x was set
        base = target.value
        while isinstance(base, (gast.Subscript, gast.Attribute)):
            base = base.value
        return known | {base.id} if isinstance(base, gast.Name) else known
    return known - stored_names(target)


def _set(value: gast.expr, known: set[str]) -> bool:
    """Whether ``value`` cannot be ``None`` (when it is computed without raising)."""
    if isinstance(value, gast.Constant):
        return value.value is not None
    if isinstance(value, gast.Name):
        return value.id in known
    if isinstance(value, (gast.BinOp, gast.UnaryOp, gast.Compare)):
        return True
    if not (isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute)
            and isinstance(value.func.value, gast.Name)):  # fmt: skip
        return False
    owner, attr = value.func.value.id, value.func.attr
    if owner == "_np":
        return attr not in _WRITES
    if owner != "_s2s":
        return False
    if attr in _SET:
        return True
    if attr in _AS_FIRST:
        return bool(value.args) and _set(value.args[0], known)
    if attr == "add":  # None + c is c
        return any(_set(arg, known) for arg in value.args)
    return False


def _test(test: gast.expr, known: set[str]) -> bool:
    """Whether a guard's test is surely true: ``x is not None`` of a set ``x``, an ``or`` of
    which one is, an ``and`` of which all are."""
    if isinstance(test, gast.BoolOp):
        results = [_test(v, known) for v in test.values]
        return any(results) if isinstance(test.op, gast.Or) else all(results)
    name = _not_none_test(test)
    return name is not None and name in known


def _guarded(test: gast.expr) -> set[str]:
    """The names a true test proves set: ``x is not None``, each of an ``and``."""
    if isinstance(test, gast.BoolOp) and isinstance(test.op, gast.And):
        return {n for v in test.values for n in _guarded(v)}
    name = _not_none_test(test)
    return {name} if name is not None else set()


def _not_none_test(test: gast.expr) -> str | None:
    if (
        isinstance(test, gast.Compare)
        and isinstance(test.left, gast.Name)
        and len(test.ops) == 1
        and isinstance(test.ops[0], gast.IsNot)
        and isinstance(test.comparators[0], gast.Constant)
        and test.comparators[0].value is None
    ):
        return test.left.id
    return None
