"""Checkpoints: each ``for i in range(...)`` loop becomes a nested def of its trips (issue 12).

With ``s2s.grad(f, checkpoint=c)`` (``c`` an int >= 1, ``"auto"`` or ``s2s.MemoryBudget(nbytes)``:
the loop's file and line added to it for its error, ``at``), each outermost ``for``
loop over ``range(a, b, s)`` whose body only rebinds names is written as a nested def that
runs the trips, called once; its state (the names the body rebinds and reads before
rebinding them, or that code after the loop reads) goes in and comes out, and what else it
reads is captured (lifted as keyword parameters: :mod:`s2s.frontend.lifting`, so their
gradients flow). The reverse sweep binds that def's sub-derivative as
``_s2s.checkpointed(loop, wrt, c)`` (:mod:`s2s.runtime.checkpointing`: binomial schedule, at
most ``c`` snapshots of the state, the trips run again in the adjoint sweep; ``"auto"``:
about ``sqrt(trips)`` snapshots and stretches of ``sqrt(trips)`` trips taped one at a time).

    for i in range(n):                  def loop_line4(start_, stop_, stride_, x, v):
        a = -np.sin(x)          ->          for i in range(start_, stop_, stride_):
        x = x + dt * v                          a = -np.sin(x); x = x + dt * v; v = v + dt * a
        v = v + dt * a                      return (x, v)
                                        x, v = loop_line4(0, n, 1, x, v)

Loops inside the body are part of the trip (taped per trip). Any other loop of ``f`` (a
``while``, a ``for`` over anything but ``range``, a comprehension), and a loop with
``break``, ``continue``, ``return``, an ``else``, writes into arrays or lists that live
across trips, or a loop variable read after it, is refused with a located
``UnsupportedSyntaxError``: the user asked for bounded memory, which its tape would not keep.
Since the trips run again, a call in them that s2s cannot show free of random draws and side
effects is refused at once (:func:`refuse_impure_trips`).
"""

from __future__ import annotations

import types
from typing import Any

import gast

from s2s.codegen.walking import child_nodes, statements_in, walk
from s2s.errors import UnsupportedSyntaxError
from s2s.frontend.dicts import DICT_VIEWS, dict_names
from s2s.frontend.freshvalues import is_new, refuse_write
from s2s.frontend.parse import Primal
from s2s.frontend.rebinding import fresh_lists
from s2s.frontend.resolve import Method
from s2s.frontend.tripcalls import trip_call_problem, written_problem
from s2s.runtime.budget import MemoryBudget

_MUTATORS = {"append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse", "fill",
             "resize", "put", "update", "setdefault", "popitem", "itemset", "partition",
             "__setitem__", "__iadd__"}  # fmt: skip
REFUSAL = "s2s_checkpoint_refusal"  # a loop left taped: raised if it carries a gradient
_WRITERS = {"copyto", "put", "place", "putmask", "fill_diagonal", "put_along_axis", "at"}
_OPS = {gast.Add: "+", gast.Sub: "-", gast.Mult: "*", gast.Div: "/", gast.Pow: "**",
        gast.FloorDiv: "//", gast.Mod: "%", gast.MatMult: "@"}  # fmt: skip
_COMPS = (gast.ListComp, gast.SetComp, gast.DictComp, gast.GeneratorExp)


def _names(node: Any, ctx: type) -> set[str]:
    """The names ``node`` reads (``gast.Load``) or binds (``gast.Store``), a comprehension's
    own variables left out; an augmented assignment's target is read too."""
    own = {n.id for c in walk(node) if isinstance(c, gast.comprehension)
           for n in walk(c.target) if isinstance(n, gast.Name)}  # fmt: skip
    found = {n.id for n in walk(node) if isinstance(n, gast.Name) and isinstance(n.ctx, ctx)}
    if ctx is gast.Load:
        found |= {n.target.id for n in walk(node)
                  if isinstance(n, gast.AugAssign) and isinstance(n.target, gast.Name)}  # fmt: skip
    if ctx is gast.Store:
        found |= {n.name for n in walk(node) if isinstance(n, gast.FunctionDef)}
    return found - own


def first_reads(stmts: list[gast.stmt], bound: set[str] | None = None) -> set[str]:
    """The names ``stmts`` may read before binding them (``bound``: bound already)."""
    return _block(stmts, set(bound or ()))[0]


def _block(stmts: list[gast.stmt], bound: set[str]) -> tuple[set[str], set[str]]:
    reads: set[str] = set()
    for stmt in stmts:
        found, bound = _statement(stmt, bound)
        reads |= found
    return reads, bound


def _statement(stmt: gast.stmt, bound: set[str]) -> tuple[set[str], set[str]]:
    """What ``stmt`` may read unbound, and the names surely bound after it."""
    if isinstance(stmt, gast.If):  # `if (w := x * 2) > 0:` binds `w` before either arm
        reads = _names(stmt.test, gast.Load) - bound
        bound = bound | _walrus_binds(stmt.test)
        r1, b1 = _block(stmt.body, set(bound))
        r2, b2 = _block(stmt.orelse, set(bound))
        return reads | r1 | r2, b1 & b2
    if isinstance(stmt, (gast.For, gast.While)):  # may run no trip: binds nothing surely
        head = stmt.iter if isinstance(stmt, gast.For) else stmt.test
        bound = bound | _walrus_binds(head)  # the head runs at least once
        inner = bound | (_names(stmt.target, gast.Store) if isinstance(stmt, gast.For) else set())
        r1, _ = _block(stmt.body, inner)
        r2, _ = _block(stmt.orelse, set(bound))
        return (_names(head, gast.Load) - bound) | r1 | r2, bound
    if isinstance(stmt, gast.With):
        reads = set().union(*[_names(i.context_expr, gast.Load) for i in stmt.items]) - bound
        inner = bound | set().union(*[_names(i.optional_vars, gast.Store)
                                      for i in stmt.items if i.optional_vars])  # fmt: skip
        found, after = _block(stmt.body, inner)
        return reads | found, after
    if isinstance(stmt, gast.FunctionDef):  # a nested def reads its captures when called
        return _names(stmt, gast.Load) - bound, bound | {stmt.name}
    if isinstance(stmt, gast.Try):  # the body may stop anywhere: a handler sees `bound`
        r1, b1 = _block(stmt.body, set(bound))
        r2, b2 = _block(stmt.orelse, b1)
        reads, ends = r1 | r2, [b2]
        for handler in stmt.handlers:
            reads |= _names(handler.type, gast.Load) - bound if handler.type else set()
            named = {handler.name.id} if isinstance(handler.name, gast.Name) else set()
            found, done = _block(handler.body, bound | named)
            reads |= found
            ends.append(done - named)  # `except E as e:` unbinds `e` at its end
        r3, b3 = _block(stmt.finalbody, set(bound))  # runs after any of them
        return reads | r3, set.intersection(*ends) | b3
    return _names(stmt, gast.Load) - bound, bound | _names(stmt, gast.Store)


def _walrus_binds(expr: Any) -> set[str]:
    """The names an expression surely binds with ``:=`` when it is evaluated: not in an
    operand that may not run (``and``, ``or``, ``a if c else b``), a comprehension or a
    lambda."""
    found: set[str] = set()
    todo = [expr]
    while todo:
        node = todo.pop()
        if isinstance(node, gast.NamedExpr) and isinstance(node.target, gast.Name):
            found.add(node.target.id)
        if isinstance(node, (gast.Lambda, *_COMPS)):
            continue
        if isinstance(node, gast.BoolOp):
            todo.append(node.values[0])
        elif isinstance(node, gast.IfExp):
            todo.append(node.test)
        elif isinstance(node, gast.Compare):
            todo += [node.left, node.comparators[0]]
        else:
            todo += child_nodes(node)
    return found


def _refuse(primal: Primal, node: Any, message: str, advice: str) -> None:
    raise UnsupportedSyntaxError(message, primal.where(node), advice)


def checkpoint_loops(primal: Primal, checkpoint: Any, functional: bool = False) -> None:
    """Write each eligible outermost ``for`` loop of ``primal`` as a call of a nested def of
    its trips, marked ``s2s_checkpoint = checkpoint`` (in place); refuse every other loop.

    Raises:
        UnsupportedSyntaxError: at the loop or the construct that keeps it from being
            checkpointed, naming it, with advice; at the ``def`` where the derivative is to be
            differentiated again (``functional``) or ``primal`` is a derivative's code.
    """
    if checkpoint is None:
        return
    tree = primal.tree
    if functional or getattr(primal.func, "__s2s_generated__", False):
        _refuse(primal, tree, "checkpoint= is not supported where a derivative is itself "
                "differentiated (higher order): s2s differentiates the taped loop, not the "
                "checkpointed one", "leave checkpoint= out of the inner derivative (and of "
                "one taken of a derivative); checkpoint the outermost derivative of f only")
    taken = {n.id for n in walk(tree) if isinstance(n, gast.Name)} | set(primal.func.__globals__)
    params = {a.id for a in tree.args.args + tree.args.posonlyargs + tree.args.kwonlyargs}
    params |= {a.id for a in (tree.args.vararg, tree.args.kwarg) if a is not None}
    made: list[gast.FunctionDef] = []
    _rewrite_block(primal, tree.body, params, [], checkpoint, taken, made)
    inside = {id(n) for d in made for n in walk(d)}
    in_defs = {id(n) for d in walk(tree) if isinstance(d, gast.FunctionDef) and d is not tree
               and id(d) not in inside for n in walk(d)}  # fmt: skip (differentiated apart)
    in_try = {id(n) for t in walk(tree) if isinstance(t, gast.Try) for n in walk(t)}
    written_from = {id(n): getattr(d.s2s_written_from, "__name__", d.name) for d in walk(tree)
                    if getattr(d, "s2s_written_from", None) is not None
                    for n in walk(d)}  # fmt: skip
    for node in walk(tree):
        if id(node) in inside or getattr(node, REFUSAL, None) is not None:
            continue
        if isinstance(node, (gast.While, gast.For, *_COMPS)) and id(node) in in_defs:
            written = written_from.get(id(node))
            if written is not None:  # a helper given a container whole, written out
                _refuse(primal, node, f"`{written}` is given a parameter container whole, so "
                        "s2s writes it into the derivative as a nested def, whose loops cannot "
                        "be checkpointed (checkpoint= was given)", "pass it the container's "
                        "arrays instead (its loops are then checkpointed), or leave checkpoint= "
                        "out")
            _refuse(primal, node, "a loop in a nested def cannot be checkpointed (checkpoint= "
                    "was given), and its derivative would keep its tape",
                    "move the loop out of the nested def into the function's body, or define "
                    "the function at module level (its loops are checkpointed), or leave "
                    "checkpoint= out")
        if isinstance(node, gast.For) and id(node) in in_try:
            _mark(primal, node, "this `for` loop is inside a `try` statement, where s2s does "
                  "not checkpoint a loop (checkpoint= was given)", "put the `try` inside the "
                  "loop's body or around the derivative's call, or leave checkpoint= out")
        elif isinstance(node, (gast.While, gast.For)):
            kind = "a `while` loop" if isinstance(node, gast.While) else "this `for` loop"
            _mark(primal, node, f"{kind} cannot be checkpointed (checkpoint= was given): "
                  "only an outermost `for` loop over range(...) in the function's body is",
                  "write it as `for i in range(n):` in the function's body (a loop in a "
                  "nested def: move it out), or leave checkpoint= out to keep its tape")
        if isinstance(node, _COMPS):
            _mark(primal, node, "a comprehension is a loop, and s2s does not checkpoint it "
                  "(checkpoint= was given): its tape would grow with its length",
                  "write it as a `for i in range(n):` loop that rebinds names (a sum: "
                  "`total = total + ...`), or leave checkpoint= out")


def _mark(primal: Primal, node: Any, message: str, advice: str) -> None:
    """Keep the refusal of a loop that is not checkpointed on its node: the reverse sweep
    raises it where the loop carries a gradient (a tape that grows with its trips); a loop
    of numbers only (`while n > 1: n //= 2`) runs as written."""
    setattr(node, REFUSAL, UnsupportedSyntaxError(message, primal.where(node), advice))


def _rewrite_block(primal: Primal, stmts: list[gast.stmt], bound: set[str],
                   after: list[list[gast.stmt]], checkpoint: Any, taken: set[str],
                   made: list[gast.FunctionDef]) -> None:  # fmt: skip
    """Rewrite the eligible loops of ``stmts`` (``bound``: the names possibly bound before
    them; ``after``: the statements that run after them, innermost block first)."""
    index = 0
    while index < len(stmts):
        stmt = stmts[index]
        rest = [stmts[index + 1:], *after]
        if isinstance(stmt, gast.For):
            later = [s for block in rest for s in block]
            try:
                stmts[index:index + 1] = _rewrite_loop(primal, stmt, bound, later, checkpoint,
                                                       taken, made)  # fmt: skip (def, call)
            except UnsupportedSyntaxError as refused:  # raised if the loop carries a gradient
                setattr(stmt, REFUSAL, refused)
            else:
                bound |= _names(stmts[index], gast.Store)
                index += 1
        elif isinstance(stmt, gast.If):
            for arm in (stmt.body, stmt.orelse):
                _rewrite_block(primal, arm, set(bound), rest, checkpoint, taken, made)
        elif isinstance(stmt, gast.With):
            _rewrite_block(primal, stmt.body, set(bound), rest, checkpoint, taken, made)
        bound |= _names(stmts[index], gast.Store)
        index += 1


def _range_of(primal: Primal, loop: gast.For) -> list[gast.expr]:
    """``range``'s start, stop and step, as written (``range(n)``: 0, n, 1)."""
    it = loop.iter
    plain = isinstance(it, gast.Call) and isinstance(it.func, gast.Name) and (
        it.func.id == "range" and "range" not in primal.func.__globals__)  # fmt: skip
    if not plain or it.keywords or not 1 <= len(it.args) <= 3 or any(
        isinstance(a, gast.Starred) for a in it.args
    ):
        _refuse(primal, loop, "only a `for` loop over range(...) is checkpointed "
                "(checkpoint= was given), not this one",
                "loop over the indices, `for i in range(len(xs)):`, and read `xs[i]` in the "
                "body; or leave checkpoint= out to keep the loop's tape")
    args = list(it.args)
    if len(args) == 1:
        args = [gast.Constant(0, None), args[0]]
    if len(args) == 2:
        args.append(gast.Constant(1, None))
    return args


def _check_body(primal: Primal, loop: gast.For, carried: set[str]) -> None:
    """Refuse what a trip may not do: leave the loop, or write into what lives across trips."""
    orelse = [s for s in loop.orelse if not isinstance(s, gast.Pass)]  # a container's lowering
    if orelse:  # leaves `else: pass` (a loop without `break` runs it after the last trip)
        _refuse(primal, orelse[0], "a checkpointed loop has no `else:` clause",
                "move the `else:` statements after the loop")
    declared = {n for g in walk(primal.tree) if isinstance(g, (gast.Global, gast.Nonlocal))
                for n in g.names}  # fmt: skip
    for node in walk(loop):
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store) and node.id in declared:
            _refuse(primal, node, f"this checkpointed loop rebinds `{node.id}`, a global or "
                    "nonlocal name (a side effect): its trips run again in the adjoint sweep "
                    "(checkpoint= was given), which would rebind it again",
                    f"count or record in a local name and set `{node.id}` after the loop, or "
                    "leave checkpoint= out")
    if not isinstance(loop.target, gast.Name):
        _refuse(primal, loop.target, "a checkpointed loop binds one loop variable",
                "write `for i in range(n):` and unpack inside the body")
    fresh = _fresh(loop.body, primal.func) - carried
    inner_loops = {id(n) for s in walk(loop) if isinstance(s, (gast.For, gast.While))
                   and s is not loop for n in walk(s)}  # fmt: skip
    for node in walk(loop):
        jump = {gast.Return: "`return`", gast.Yield: "`yield`", gast.YieldFrom: "`yield`",
                gast.Global: "`global`", gast.Nonlocal: "`nonlocal`"}.get(type(node))  # fmt: skip
        if jump is None and isinstance(node, (gast.Break, gast.Continue)) and (
            id(node) not in inner_loops
        ):
            jump = "`break`" if isinstance(node, gast.Break) else "`continue`"
        if jump is not None:
            _refuse(primal, node, f"a checkpointed loop may not use {jump} (checkpoint= was "
                    "given): its trips are run again in the adjoint sweep, one by one",
                    "compute a flag or a mask in the loop instead (e.g. `x = np.where(done, x, "
                    "x_new)`), or leave checkpoint= out")
        written = None
        if isinstance(node, (gast.Subscript, gast.Attribute)) and isinstance(node.ctx, gast.Store):
            written = node.value
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and (
            node.func.attr in _MUTATORS
        ):
            written = node.func.value
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and (
            node.func.attr in _WRITERS and node.args
        ):  # np.copyto(x, v), np.add.at(x, i, v): the first argument is written
            written = node.args[0]
        if isinstance(node, gast.Call) and any(k.arg == "out" for k in node.keywords):
            written = next(k.value for k in node.keywords if k.arg == "out")
        if isinstance(node, gast.AugAssign) and isinstance(node.target, gast.Name) and (
            node.target.id in carried
        ):
            name = node.target.id
            _refuse(primal, node, f"`{name} {_OPS.get(type(node.op), 'op')}= ...` updates `{name}`"
                    " in place, and it is carried from trip to trip of this checkpointed loop "
                    "(checkpoint= was given): its snapshots would not see another name of the "
                    "same array", f"write `{name} = {name} {_OPS.get(type(node.op), '+')} ...`")
        if written is not None and not (isinstance(written, gast.Name) and written.id in fresh):
            bound = _names(gast.Module(body=loop.body, type_ignores=[]), gast.Store) - carried
            refuse_write(primal, node, written, bound)


def _refuse_list_state(primal: Primal, loop: gast.For, state: list[str]) -> None:
    """Refuse a list carried from trip to trip (``xs = [a, b]``, then ``xs = [f(xs[1]), ...]``
    in the loop): the snapshots hold arrays and numbers; s2s follows a list by its name,
    which the function of the trips would bind anew. Located at the body's statement that
    binds the list (the loop's line if none does)."""
    lists = fresh_lists(primal.tree) & set(state)
    if not lists:
        return
    name = min(lists, key=state.index)
    binding = next((s for s in walk(gast.Module(body=loop.body, type_ignores=[]))
                    if isinstance(s, gast.Assign) and any(isinstance(t, gast.Name)
                    and t.id == name for t in s.targets)), loop)  # fmt: skip
    _refuse(primal, binding, f"`{name}`, a list, is carried from trip to trip of this "
            "checkpointed loop (checkpoint= was given): s2s checkpoints a loop whose state is "
            "arrays and numbers, not lists",
            f"carry the items as one array (`{name} = np.stack([...])`, read `{name}[0]`) or "
            f"as names of their own (`a, b = np.sin(b), a * 0.9`), or leave checkpoint= out "
            "(the loop's list state is then taped)")


def _refuse_list_read(primal: Primal, loop: gast.For, read: set[str]) -> None:
    """Refuse a list made before the loop and read in its trips (``ys = [x]``, then
    ``ys[0]`` in the body): the function of the trips would take it as an argument, which
    its derivative does not follow. Located at the loop."""
    lists = sorted(fresh_lists(primal.tree) & read)
    if lists:
        _refuse(primal, loop, f"`{lists[0]}`, a list, is read in the trips of this "
                "checkpointed loop (checkpoint= was given): s2s checkpoints a loop that reads "
                "arrays and numbers made before it, not lists",
                f"read the items into names before the loop (`{lists[0]}_0 = {lists[0]}[0]`) "
                f"or stack them into one array, or leave checkpoint= out")


def _fresh(body: list[gast.stmt], func: types.FunctionType) -> set[str]:
    """The names the body binds, anywhere in it (an ``if`` arm, an inner loop), and only with
    ``=`` to a new array or list (``np.zeros(n)``, ``x.copy()``, ``y * 2``, ``np.sin(y)``,
    ``[]``: :func:`s2s.frontend.freshvalues.is_new`); ``z += v`` keeps ``z``'s value. Of
    those, a name not carried from trip to trip (the callers leave those out) is bound anew in
    the trip before any read of it, so writing into it writes into nothing older than the
    trip."""
    new, other, kept = set(), set(), set()
    for node in walk(gast.Module(body=body, type_ignores=[])):
        if isinstance(node, gast.Assign) and len(node.targets) == 1 and isinstance(
            node.targets[0], gast.Name
        ):
            (new if is_new(node.value, func) else other).add(node.targets[0].id)
            kept.add(id(node.targets[0]))
        elif isinstance(node, gast.AugAssign) and isinstance(node.target, gast.Name):
            kept.add(id(node.target))  # an array's or a list's `+=` writes into it
        elif isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store) and (
            id(node) not in kept
        ):
            other.add(node.id)  # a loop or `with` target, unpacking, `:=`, `except as`
        elif isinstance(node, gast.FunctionDef):
            other.add(node.name)
    return new - other


def _fresh_name(base: str, taken: set[str]) -> str:
    name, k = base, 1
    while name in taken:
        k += 1
        name = f"{base}_{k}"
    taken.add(name)
    return name


def _rewrite_loop(primal: Primal, loop: gast.For, bound: set[str], later: list[gast.stmt],
                  checkpoint: Any, taken: set[str],
                  made: list[gast.FunctionDef]) -> list[gast.stmt]:  # fmt: skip
    """The nested def of the loop's trips and its call (see the module docstring)."""
    bounds = _range_of(primal, loop)
    var = loop.target.id if isinstance(loop.target, gast.Name) else ""
    body_reads = first_reads(loop.body, _names(loop.target, gast.Store))
    after_reads = first_reads(later)
    rebound = _names(gast.Module(body=loop.body, type_ignores=[]), gast.Store)
    first = {}  # the state in the order the body first names it (then by name)
    for node in walk(gast.Module(body=loop.body, type_ignores=[])):
        if isinstance(node, gast.Name):
            at = (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))
            first[node.id] = min(first.get(node.id, at), at)
    state = sorted((rebound & (body_reads | after_reads)) - {var}, key=lambda n: (first[n], n))
    _check_body(primal, loop, set(state))
    if var in after_reads:
        _refuse(primal, loop, f"the loop variable `{var}` is read after this checkpointed loop"
                " (checkpoint= was given), but the loop runs inside a function of its trips",
                f"keep its last value in a name of your own (`last = {var}` in the body, bound "
                "before the loop too), or compute it from the range")
    unbound = [n for n in state if n not in bound]
    if unbound:
        _refuse(primal, loop, f"`{unbound[0]}` is rebound in this checkpointed loop and read "
                "after it (or before it is rebound in a trip), but it may have no value before "
                "the loop; its snapshots need one",
                f"bind `{unbound[0]}` before the loop (e.g. `{unbound[0]} = np.zeros_like(x)`)")
    _refuse_list_state(primal, loop, state)
    _refuse_list_read(primal, loop, body_reads - rebound)
    if not state:
        _refuse(primal, loop, "this loop rebinds nothing that is read after it, so "
                "checkpointing it would keep nothing", "remove the loop, or leave checkpoint= out")
    line = loop.lineno
    name = _fresh_name(f"loop_line{line}", taken)
    start, stop, stride = (_fresh_name(p, taken) for p in ("start_", "stop_", "stride_"))
    load = lambda n: gast.Name(n, gast.Load(), None, None)  # noqa: E731
    param = lambda n: gast.Name(n, gast.Param(), None, None)  # noqa: E731
    header = primal.line_text(line)
    what = f"({', '.join(state)})" if len(state) > 1 else state[0]
    if isinstance(checkpoint, MemoryBudget):
        checkpoint = MemoryBudget(checkpoint.nbytes, at=(primal.where(loop).filename, line))
        note = (f"line {line}: {header} checkpointed within {checkpoint.nbytes} bytes: snapshots "
                f"of {what} and the tape of a stretch of trips, as many as fit (from the bytes "
                "of a snapshot and of one trip's tape, measured when the loop runs), trips "
                "recomputed in the adjoint sweep; all trips taped where they fit")
    elif checkpoint == "auto":
        note = (f"line {line}: {header} checkpointed: about sqrt(trips) snapshots of {what} "
                "and the tape of about sqrt(trips) trips, trips recomputed in the adjoint sweep "
                "(one stretch at a time)")
    else:
        note = (f"line {line}: {header} checkpointed: at most {checkpoint} snapshots of "
                f"{what}, trips recomputed in the adjoint sweep (binomial schedule)")
    inner = gast.For(target=loop.target, iter=gast.Call(
        func=load("range"), args=[load(start), load(stop), load(stride)], keywords=[]),
        body=loop.body, orelse=[], type_comment=None)  # fmt: skip
    out = (gast.Tuple(elts=[load(n) for n in state], ctx=gast.Load()) if len(state) > 1
           else load(state[0]))  # fmt: skip
    args = gast.arguments(args=[param(p) for p in (start, stop, stride, *state)],
                          posonlyargs=[], vararg=None, kwonlyargs=[], kw_defaults=[],
                          kwarg=None, defaults=[])  # fmt: skip
    define = gast.FunctionDef(name=name, args=args, body=[inner, gast.Return(value=out)],
                              decorator_list=[], returns=None, type_comment=None,
                              type_params=[])  # fmt: skip
    targets = (gast.Tuple(elts=[gast.Name(n, gast.Store(), None, None) for n in state],
                          ctx=gast.Store()) if len(state) > 1
               else gast.Name(state[0], gast.Store(), None, None))  # fmt: skip
    call = gast.Call(func=load(name), args=[*bounds, *[load(n) for n in state]], keywords=[])
    assign = gast.Assign(targets=[targets], value=call, type_comment=None)
    for node in (define, inner, inner.iter, *walk(out), *walk(args), define.body[1], assign,
                 *walk(targets), call, call.func, *call.args[3:]):  # fmt: skip
        gast.copy_location(node, loop)
        node.end_lineno = line
    inner.iter.func.lineno = line
    define.s2s_checkpoint = checkpoint
    for node in walk(gast.Module(body=loop.body, type_ignores=[])):  # the trips' own lines,
        if isinstance(node, gast.stmt) and getattr(node, "lineno", None):  # as comments in
            node.s2s_line_note = f"line {node.lineno}: {primal.line_text(node.lineno)}"  # .source
    define.s2s_comment = note
    assign.s2s_comment = f"line {line}: {header} (the checkpointed loop, {name})"
    assign.s2s_checkpointed_loop = call.s2s_checkpointed_loop = line  # for aliasing's messages
    made.append(define)
    return [define, assign]



def refuse_impure_trips(primal: Primal) -> None:
    """Refuse, in a checkpointed loop's trips, every call that s2s cannot show is free of random
    draws and side effects: the adjoint sweep runs the trips again, so a draw would differ (the
    gradient would be another trajectory's) and a print, append or counter would run again.
    Shown free: a non-drawing function of numpy, scipy or ``math``; a pure builtin (``len``,
    ``range``, ``abs``); an array method that only returns a value (``x.sum()``); ``.get``,
    ``.items()``, ``.values()`` and ``.keys()`` of a name bound only to dict displays; a function of
    yours called by name whose body passes the same check (recursively). Refused: a draw, a
    ``print``, a function with side effects, a method of an object of yours (``m.jitter(x)``), a
    callable passed as an argument or bound to a local name (``norm = rng.normal``), a
    ``functools.partial``, and anything else. Runs after
    :func:`s2s.frontend.resolve.resolve`.

    Raises:
        UnsupportedSyntaxError: at the call, naming what it calls and why it is refused.
    """
    defines = statements_in(primal.tree)  # (a checkpointed loop's trips are a def)
    if all(getattr(d, "s2s_checkpoint", None) is None for d in defines):
        return  # no checkpointed loop: nothing runs again
    nested = {d.name: d for d in walk(primal.tree)
              if isinstance(d, gast.FunctionDef) and d is not primal.tree}  # fmt: skip
    written = {name: (d, d.s2s_written_from) for name, d in nested.items()
               if getattr(d, "s2s_written_from", None) is not None}  # fmt: skip (methods.py)
    dicts = dict_names(primal.tree)
    for define in walk(primal.tree):
        if getattr(define, "s2s_checkpoint", None) is None:
            continue
        trip = define.body[0].body  # the trips' body: what it makes anew it may change
        carried = {a.id for a in define.args.args[3:]}  # (start, stop, stride, *state)
        made = _fresh(trip, primal.func) - carried  # fmt: skip
        for node in walk(define):
            if not isinstance(node, gast.Call):
                continue
            callee = node.func.id if isinstance(node.func, gast.Name) else None
            if callee in nested:  # helper(params, x) written out: its body is checked
                node.func.s2s_nested_def = callee not in written
            receiver = node.func.value if isinstance(node.func, gast.Attribute) else None
            method = getattr(node.func, "s2s_target", None)
            if isinstance(receiver, gast.Name) and receiver.id in made and (
                isinstance(method, Method) and method.name in _MUTATORS
            ):
                continue  # parts.append(v) of `parts = []` made in the trip: runs per trip
            if isinstance(receiver, gast.Name) and receiver.id in dicts and (
                node.func.attr in ("get", *DICT_VIEWS)
            ):
                continue  # d.get('h'), d.items() of a local dict: reads it
            problem = (written_problem(*written[callee], primal.func, written, set())
                       if callee in written else trip_call_problem(node, set(), primal.func))
            if problem is None:
                continue
            kind, why = problem
            what = {"draw": "draws random numbers", "effect": "has a side effect",
                    "unknown": "makes a call s2s cannot see into"}[kind]  # fmt: skip
            advice = ("draw the random numbers before the loop (`noise = rng.normal(size=(n, "
                      "d))`) and read `noise[i]` in it, or leave checkpoint= out")
            if kind == "effect":
                advice = ("make the print, append or counter after the loop (or in a function "
                          "that is not checkpointed), or leave checkpoint= out")
            elif kind == "unknown":
                advice = ("call a numpy function or a module-level function of yours by name "
                          "(s2s checks its body), draw any random numbers before the loop and "
                          "read them by index, or leave checkpoint= out")
            _refuse(primal, node, f"this checkpointed loop {what}: {why}; the adjoint sweep "
                    "runs its trips again (checkpoint= was given), which would repeat it", advice)
