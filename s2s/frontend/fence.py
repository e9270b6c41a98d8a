"""Fence: reject syntax s2s does not differentiate yet, with a located error and advice."""

from __future__ import annotations

import builtins

import gast

from s2s.codegen.walking import child_nodes, inner_nodes, statements_in, walk
from s2s.errors import UnsupportedSyntaxError
from s2s.frontend.contexts import check_with
from s2s.frontend.parse import Primal
from s2s.frontend.sideeffects import check_side_effects
from s2s.frontend.tries import check_try, dropped_tails
from s2s.frontend.unpacking import is_starred_target

RESERVED = ("_np", "_s2s")
_CONTROL_FLOW = "not supported yet (if/elif/else statements and for/while loops are)"
_ADVICE_CONTROL = "write it as an if/else statement, or express the choice with np.where"

# Statement and expression nodes refused, with the reason and advice shown to the user.
_REFUSED: dict[type, tuple[str, str]] = {
    gast.AsyncFor: ("`async for` cannot be differentiated", "use a plain function"),
    gast.Match: (f"`match` statement: {_CONTROL_FLOW}", _ADVICE_CONTROL),
    gast.AsyncWith: ("`async with` cannot be differentiated", "use a plain function"),
    gast.Raise: (
        "`raise` inside a differentiated function is supported only as a guard",
        "write the check as `if <condition>: raise <Error>(...)` with no else and nothing "
        "else in its body, or validate inputs in the caller",
    ),
    gast.Yield: ("generators cannot be differentiated", "return an array instead"),
    gast.YieldFrom: ("generators cannot be differentiated", "return an array instead"),
    gast.Await: ("`await` cannot be differentiated", "use a plain function"),
    gast.Nonlocal: (
        "`nonlocal` declarations are not supported",
        "pass the value as an argument and return the new value",
    ),
    gast.Delete: ("`del` is not supported in differentiated code", "remove the `del`"),
    gast.AsyncFunctionDef: ("`async def` cannot be differentiated", "use a plain function"),
    gast.ClassDef: ("class definitions inside a differentiated function", "define it outside"),
    gast.Lambda: (
        "lambda expressions inside a differentiated function are not supported yet",
        "define the helper at module level",
    ),
    gast.SetComp: ("set comprehensions are not supported", "use numpy arrays"),
    gast.DictComp: ("a dict comprehension inside a nested def is not supported",
                    "move it into the differentiated function, or write the dict literal"),
    gast.Import: ("imports inside a differentiated function", "import at module level"),
    gast.ImportFrom: ("imports inside a differentiated function", "import at module level"),
}


def fence(primal: Primal) -> None:
    """Raise :class:`UnsupportedSyntaxError` at the first construct s2s cannot differentiate.

    >>> import numpy as np
    >>> from s2s.frontend.parse import parse
    >>> def f(x):
    ...     del x
    ...     return 0.0
    >>> try:
    ...     fence(parse(f))
    ... except SyntaxError as e:
    ...     print(e.msg.splitlines()[0].split(": ", 1)[1])
    `del` is not supported in differentiated code
    """
    tree = primal.tree
    generated = getattr(primal.func, "__s2s_generated__", False)  # a derivative's own code
    for node in walk(tree):
        if isinstance(node, gast.Name) and node.id in RESERVED and not generated and not getattr(
            node, "s2s_own", False
        ):  # (`_s2s.leaves_of` that s2s/frontend/derivcalls.py wrote)
            raise UnsupportedSyntaxError(
                f"`{node.id}` is a name s2s reserves for the generated code",
                primal.where(node),
                f"rename `{node.id}` (the generated code reaches numpy and its runtime "
                "through `_np` and `_s2s`)",
            )
    body = tree.body
    starred = _starred_uses(tree)
    guarded = {id(n.body[0]) for n in inner_nodes(tree) if is_guard(n)}  # `if c: raise E(...)`
    if generated:  # a derivative's handler dropping what its `try` body pushed on the tape
        guarded |= {id(s) for h in inner_nodes(tree) if isinstance(h, gast.ExceptHandler)
                    for s in h.body[: len(dropped_tails(h.body))]}  # fmt: skip
    check_side_effects(tree, primal.where)  # COUNT += 1, self.calls += 1: kept as written
    for index, stmt in enumerate(body):
        if isinstance(stmt, gast.Return) and index != len(body) - 1:
            raise UnsupportedSyntaxError(
                "code after `return` never runs; only one final `return` is supported",
                primal.where(body[index + 1]),
                "remove the unreachable statements",
            )
        for node in _walk_outside_nested_defs(stmt):
            if isinstance(node, gast.FunctionDef) and node.decorator_list:
                raise UnsupportedSyntaxError(
                    "a decorated nested function is not differentiated",
                    primal.where(node),
                    "define the helper at module level",
                )
            if isinstance(node, gast.Starred) and id(node) in starred:
                raise UnsupportedSyntaxError(starred[id(node)][0], primal.where(node),
                                             starred[id(node)][1])  # fmt: skip
            refused = _REFUSED.get(type(node))
            if refused is not None and id(node) not in guarded:
                raise UnsupportedSyntaxError(refused[0], primal.where(node), refused[1])
            _check_node(primal, node)
    if not body or not _returns(body):
        in_loop = [
            node
            for stmt in body
            if isinstance(stmt, (gast.For, gast.While))
            for node in walk(stmt)
            if isinstance(node, gast.Return)
        ]
        if in_loop:  # while True: ... if done: return v
            raise UnsupportedSyntaxError(
                "the function's last loop returns from inside, but no `return` follows the loop "
                "(s2s does not assume a loop is left only by `return`)",
                primal.where(in_loop[0]),
                "add a `return` after the loop, or set a result, `break`, and return it there",
            )
        raise UnsupportedSyntaxError(
            "the function must end with a `return` of the value to differentiate",
            primal.where(body[-1] if body else tree),
            "add `return <output>` as the last statement",
        )


def _starred_uses(tree: gast.FunctionDef) -> dict[int, tuple[str, str]]:
    """The refused ``*`` nodes, each with its message and advice: every one but the star of
    ``a, *rest = value``, which :mod:`s2s.frontend.unpacking` rewrites."""
    stars = [n for n in walk(tree) if isinstance(n, gast.Starred)]
    if not stars:
        return {}
    allowed = {
        id(e)
        for n in statements_in(tree)
        if isinstance(n, gast.Assign) and len(n.targets) == 1 and is_starred_target(n.targets[0])
        for e in n.targets[0].elts
    }
    in_calls = {id(a) for n in inner_nodes(tree) if isinstance(n, gast.Call) for a in n.args}
    refused = {}
    for node in stars:
        if id(node) in allowed:
            continue
        if id(node) in in_calls:
            refused[id(node)] = (
                "`*` unpacking into a call's arguments (`f(*args)`) is not supported",
                "pass the arguments one by one (`f(a, b)`), or pass the tuple itself",
            )
        elif isinstance(node.ctx, gast.Store):
            refused[id(node)] = (
                "this starred target is not supported (only `a, *rest = value` with plain "
                "names, in an assignment)",
                "assign `a, *rest = value` first, then loop or unpack `rest`",
            )
        else:
            refused[id(node)] = (
                "`*` inside a list or tuple literal (`[*xs, y]`) is not supported",
                "build the list with `.append`, or join arrays with np.concatenate",
            )
    return refused


def is_guard(node: gast.AST) -> bool:
    """``if <condition>: raise <Error>(...)`` (no ``else``): a check of the primal values,
    kept as written in the primal sweep like an ``assert`` (no gradient flows through it, and
    the function's control flow is unchanged: the raise leaves it)."""
    return (isinstance(node, gast.If) and len(node.body) == 1
            and isinstance(node.body[0], gast.Raise)
            and all(isinstance(s, gast.Pass) for s in node.orelse))  # fmt: skip


def _walk_outside_nested_defs(node: gast.AST):
    """The nodes of a statement, without descending into nested function definitions (their
    bodies are checked when their own sub-derivative is made)."""
    todo = [node]  # depth first, each node before its children, in the order of their fields
    while todo:
        current = todo.pop()
        yield current
        if current is node or not isinstance(current, gast.FunctionDef):
            todo.extend(reversed(child_nodes(current)))


def _returns(block: list[gast.stmt]) -> bool:
    """Whether every path through ``block`` ends with a ``return``."""
    last = block[-1] if block else None
    if isinstance(last, gast.Return):
        return True
    if isinstance(last, gast.With):
        return _returns(last.body)
    if isinstance(last, gast.Try):
        return _returns(last.body) and all(_returns(h.body) for h in last.handlers)
    return isinstance(last, gast.If) and _returns(last.body) and _returns(last.orelse)


# Builtins that run code from a string or read the function's variables by name: what they
# compute is hidden from s2s, so a gradient through them would be silently zero (or wrong).
_INTROSPECTION = ("eval", "exec", "compile", "locals", "globals", "vars", "dir", "__import__")


def _check_introspection(primal: Primal, node: gast.AST) -> None:
    """Refuse a call of ``eval``, ``exec``, ``compile``, ``locals``, ``globals``, ``vars``,
    ``dir()`` or ``__import__`` (the builtin, not a function of the module with that name)."""
    if not (isinstance(node, gast.Call) and isinstance(node.func, gast.Name)):
        return
    called = node.func.id
    if called not in _INTROSPECTION or getattr(primal.func, "__s2s_generated__", False):
        return
    if called == "dir" and node.args:
        return  # dir(obj): names, read by no one as values
    shadowed = primal.func.__globals__.get(called, getattr(builtins, called))
    if shadowed is not getattr(builtins, called):
        return  # a function of the user's own named `vars`
    raise UnsupportedSyntaxError(
        f"`{called}(...)` inside a differentiated function is not supported: s2s cannot see "
        "which values the code it runs or the names it reads use, so their derivative would "
        "be lost",
        primal.where(node),
        "write the expression itself in the function (`np.sum(x ** 2)`, not "
        "`eval(\"np.sum(x ** 2)\")`), and read variables by their names",
    )


def _check_node(primal: Primal, node: gast.AST) -> None:
    if isinstance(node, (gast.BoolOp, gast.IfExp)) or (
        isinstance(node, gast.Compare) and len(node.ops) > 1
    ):
        operands = (node.values[1:] if isinstance(node, gast.BoolOp) else
                    node.comparators[1:] if isinstance(node, gast.Compare) else
                    [node.body, node.orelse])  # fmt: skip
        for sub in (n for operand in operands for n in walk(operand)):
            if isinstance(sub, gast.NamedExpr):
                raise UnsupportedSyntaxError(
                    "`:=` in an operand of `and`, `or`, `a if c else b` or a chained comparison "
                    "(`a < b < c`) that may not run is not supported",
                    primal.where(sub),
                    f"assign `{sub.target.id}` in a statement of its own before the expression",
                )
    _check_introspection(primal, node)
    if isinstance(node, gast.With):
        check_with(primal, node)
    if isinstance(node, gast.Try):
        check_try(primal, node)
    if isinstance(node, (gast.Assign, gast.AugAssign, gast.AnnAssign)):
        targets = node.targets if isinstance(node, gast.Assign) else [node.target]
        for target in targets:
            if (
                isinstance(target, gast.Subscript)
                and isinstance(target.value, gast.Name)
                and len(targets) == 1
            ):
                continue  # x[key] = v and x[key] += v: mutation of a local array
            for sub in walk(target):
                if isinstance(sub, gast.Subscript) and isinstance(sub.ctx, gast.Store) and (
                    isinstance(target, (gast.Tuple, gast.List))
                ):  # `y[0], y[1] = v` is split before (frontend/unpacking.split_item_targets)
                    raise UnsupportedSyntaxError(
                        "writing into an array item inside nested or starred unpacking (`(y[0],"
                        " a), b = ...`) is not supported",
                        primal.where(node),
                        "unpack into names first (`(y0, a), b = ...`), then write the item in a "
                        "statement of its own (`y[0] = y0`); a flat `y[0], y[1] = ...` works",
                    )
                if isinstance(sub, gast.Subscript) and isinstance(sub.ctx, gast.Store):
                    raise UnsupportedSyntaxError(
                        "this assignment into an array is not supported yet",
                        primal.where(node),
                        "assign into a name directly (`x[i] = v`, `x[i, j] += v`), or build the "
                        "result with np.where, np.concatenate or np.stack",
                    )
                if (isinstance(sub, gast.Attribute) and isinstance(sub.ctx, gast.Store)
                        and not (sub is target and _rooted(sub) and len(targets) == 1)):
                    raise UnsupportedSyntaxError(
                        "this assignment to an attribute is not supported (only `obj.attr = v` "
                        "and `obj.attr += v` are, kept as side effects)",
                        primal.where(node),
                        "return the value instead of storing it on an object",
                    )
        if isinstance(node, gast.AnnAssign) and node.value is None:
            raise UnsupportedSyntaxError(
                "a bare annotation without a value", primal.where(node), "assign a value"
            )


def _rooted(node: gast.expr) -> bool:
    """An attribute chain rooted at a name (``self.calls``, ``STATE.n``)."""
    while isinstance(node, gast.Attribute):
        node = node.value
    return isinstance(node, gast.Name)
