"""Control: put branches, loops, jumps and early returns into the form normalize expects."""

from __future__ import annotations

import copy

import gast

from s2s.codegen.walking import child_nodes, copy_tree, statements_in, walk
from s2s.errors import UnsupportedSyntaxError
from s2s.frontend.parse import Primal

_EXITS = (gast.Break, gast.Continue, gast.Return)


def _exits(block: list[gast.stmt]) -> bool:
    """Whether every path through ``block`` ends in ``break``, ``continue`` or ``return``."""
    if not block:
        return False
    last = block[-1]
    if isinstance(last, _EXITS):
        return True
    return isinstance(last, gast.If) and _exits(last.body) and _exits(last.orelse)


def nest_after_exits(block: list[gast.stmt]) -> list[gast.stmt]:
    """Move the statements after an ``if`` one of whose arms exits into the other arm.

    ``if c: break`` followed by ``s`` becomes ``if c: break else: s``: then the arm a branch
    took tells exactly which statements ran, which the adjoint sweep replays.

    >>> import gast
    >>> tree = gast.parse("if c:\\n    break\\ny = 1\\nz = 2")
    >>> print(gast.unparse(gast.Module(nest_after_exits(tree.body), [])).strip())
    if c:
        break
    else:
        y = 1
        z = 2
    """
    out: list[gast.stmt] = []
    for index, stmt in enumerate(block):
        if isinstance(stmt, gast.If):
            stmt.body = nest_after_exits(stmt.body)
            stmt.orelse = nest_after_exits(stmt.orelse)
            rest = block[index + 1 :]
            if rest and _exits(stmt.body) != _exits(stmt.orelse):
                arm = "orelse" if _exits(stmt.body) else "body"
                setattr(stmt, arm, nest_after_exits(getattr(stmt, arm) + rest))
                out.append(stmt)
                return out
            if rest and _may_exit([stmt]) and not _exits(stmt.body):
                # an exit deeper down (`elif c: ... else: continue`): every arm that may go
                # on gets its own copy of the rest, nested the same way
                stmt.body = nest_after_exits(stmt.body + copy_tree(rest))
                stmt.orelse = nest_after_exits(stmt.orelse + copy_tree(rest))
                out.append(stmt)
                return out
        elif isinstance(stmt, (gast.For, gast.While)):
            stmt.body = nest_after_exits(stmt.body)
            stmt.orelse = nest_after_exits(stmt.orelse)
        out.append(stmt)
        if isinstance(stmt, _EXITS):
            return out  # statements after an exit never run
    return out


def _may_exit(block: list[gast.stmt]) -> bool:
    """Whether some path through ``block`` leaves it by a jump or a return (loops aside)."""
    for stmt in block:
        if isinstance(stmt, _EXITS):
            return True
        if isinstance(stmt, gast.If) and (_may_exit(stmt.body) or _may_exit(stmt.orelse)):
            return True
    return False


def _check_exits(primal: Primal, block: list[gast.stmt], in_loop: bool) -> None:
    """After nesting, an exit may only end an ``if`` arm whose sibling arm holds the rest."""
    for index, stmt in enumerate(block):
        if isinstance(stmt, gast.Return) and in_loop:
            raise UnsupportedSyntaxError(
                "`return` inside a loop is not supported yet",
                primal.where(stmt),
                "set a result variable and `break`, then return after the loop",
            )
        if isinstance(stmt, gast.If):
            if index < len(block) - 1 and _may_exit([stmt]):
                raise UnsupportedSyntaxError(
                    "a `break`, `continue` or `return` nested in more than one `if` is not "
                    "supported yet",
                    primal.where(stmt),
                    "combine the conditions into one `if` whose body ends with the jump",
                )
            _check_exits(primal, stmt.body, in_loop)
            _check_exits(primal, stmt.orelse, in_loop)
        elif isinstance(stmt, (gast.For, gast.While)):
            _check_exits(primal, stmt.body, True)
            _check_exits(primal, stmt.orelse, in_loop)


def returns_nested(tree: gast.FunctionDef) -> bool:
    """Whether a ``return`` of the function (not of a ``def`` nested in it) sits inside a
    branch or loop (an early return)."""
    return any(
        isinstance(inner, gast.Return)
        for stmt in tree.body
        if isinstance(stmt, (gast.If, gast.For, gast.While))
        for inner in _own_nodes([stmt])
    )


def single_exit(primal: Primal, name: str) -> None:
    """Rewrite early returns into assignments to ``name`` and one final ``return name``."""
    tree = primal.tree

    def rewrite(block: list[gast.stmt]) -> list[gast.stmt]:
        out = []
        for stmt in block:
            if isinstance(stmt, gast.Return):
                if isinstance(stmt.value, gast.Tuple):
                    raise UnsupportedSyntaxError(
                        "an early `return` of several values is not supported yet",
                        primal.where(stmt),
                        "return a single value from each branch",
                    )
                value = stmt.value or gast.Constant(value=None, kind=None)
                target = gast.Name(id=name, ctx=gast.Store(), annotation=None, type_comment=None)
                assign = gast.Assign(targets=[target], value=value, type_comment=None)
                out.append(gast.copy_location(assign, stmt))
            else:
                if isinstance(stmt, gast.If):
                    stmt.body, stmt.orelse = rewrite(stmt.body), rewrite(stmt.orelse)
                out.append(stmt)
        return out

    last = tree.body[-1]
    tree.body = rewrite(tree.body)
    final = gast.Return(
        value=gast.Name(id=name, ctx=gast.Load(), annotation=None, type_comment=None)
    )
    tree.body.append(gast.copy_location(final, copy.copy(last)))


def _own_nodes(block: list[gast.stmt]):
    """The nodes of ``block``, not those of nested functions."""
    pending = list(block)
    while pending:
        node = pending.pop()
        if isinstance(node, (gast.FunctionDef, gast.AsyncFunctionDef, gast.Lambda)):
            continue
        yield node
        pending.extend(child_nodes(node))


def _name(id_: str, ctx: gast.expr_context) -> gast.Name:
    return gast.Name(id=id_, ctx=ctx, annotation=None, type_comment=None)


def _contains_loop_return(block: list[gast.stmt]) -> bool:
    """Whether a loop of ``block`` holds a ``return`` of the function (a ``def`` nested in
    the loop returns from itself)."""
    return any(
        isinstance(inner, gast.Return)
        for stmt in block
        if isinstance(stmt, (gast.For, gast.While))
        for inner in _own_nodes([stmt])
    )


def lift_loop_returns(block: list[gast.stmt], in_loop: bool, result: str, flag: str) -> list:
    """``return v`` inside a loop becomes ``result = v; returned = True; break``; after a loop
    that may return, an enclosing loop breaks too and the rest of the function runs only
    ``if not returned``. Then the one final ``return`` returns ``result``."""
    out: list[gast.stmt] = []
    for index, stmt in enumerate(block):
        if isinstance(stmt, gast.Return) and in_loop:
            value = stmt.value or gast.Constant(value=None, kind=None)
            out += [
                gast.copy_location(gast.Assign(targets=[_name(result, gast.Store())],
                                               value=value, type_comment=None), stmt),
                gast.copy_location(gast.Assign(targets=[_name(flag, gast.Store())],
                                               value=gast.Constant(value=True, kind=None),
                                               type_comment=None), stmt),
                gast.copy_location(gast.Break(), stmt),
            ]  # fmt: skip
            return out
        if isinstance(stmt, gast.If):
            stmt.body = lift_loop_returns(stmt.body, in_loop, result, flag)
            stmt.orelse = lift_loop_returns(stmt.orelse, in_loop, result, flag)
        elif isinstance(stmt, (gast.For, gast.While)):
            returns = _contains_loop_return([stmt])
            stmt.body = lift_loop_returns(stmt.body, True, result, flag)
            stmt.orelse = lift_loop_returns(stmt.orelse, in_loop, result, flag)
            if returns:
                out.append(stmt)
                rest = lift_loop_returns(block[index + 1 :], in_loop, result, flag)
                after = [gast.Break()] if in_loop else []
                guard = gast.If(test=_name(flag, gast.Load()), body=after or [gast.Pass()],
                                orelse=rest)  # fmt: skip
                guard.s2s_returned = True  # its comment: did a `return` in the loop run?
                out.append(gast.copy_location(guard, stmt))
                return out
        out.append(stmt)
    return out


def lower(primal: Primal, result_name: str) -> None:
    """Prepare the tree: returns inside loops become breaks, statements after exits nest into
    the other arm, and early returns become one exit."""
    tree = primal.tree
    loops = [s for s in statements_in(tree) if isinstance(s, (gast.For, gast.While))]
    orelse = any(s.orelse for s in loops)  # (else the walk below, in its order, finds none)
    for loop in walk(tree) if orelse else ():
        if isinstance(loop, (gast.For, gast.While)):
            for inner in (n for stmt in loop.orelse for n in walk(stmt)):
                if isinstance(inner, gast.Return):
                    raise UnsupportedSyntaxError(
                        "`return` inside a loop's `else:` block is not supported yet",
                        primal.where(inner),
                        "set a result variable in the `else:` block and return after the loop",
                    )
    lines = sorted({n.lineno for n in _own_nodes(tree.body) if isinstance(n, gast.Return)})
    if _contains_loop_return(tree.body):
        flag = result_name + "_returned"
        start = gast.Assign(
            targets=[_name(flag, gast.Store())],
            value=gast.Constant(value=False, kind=None),
            type_comment=None,
        )
        start = gast.copy_location(start, tree.body[0])
        start.end_lineno = start.lineno  # (the first statement may be a loop)
        tree.body = [start] + lift_loop_returns(
            tree.body, False, result_name, flag
        )  # fmt: skip
    tree.body = nest_after_exits(tree.body)
    _check_exits(primal, tree.body, in_loop=False)
    if returns_nested(tree):
        single_exit(primal, result_name)
        final = tree.body[-1]  # its location is the last statement's, maybe a loop's
        final.end_lineno = final.lineno
        final.s2s_returns = lines if len(lines) > 1 else None
