"""``walk``: every node of a tree, in the order of :func:`ast.walk`, at less cost (and
``walk_with_parents``, with each node's parent; ``loads_with_parents``, the names read and
the parents; ``child_nodes``, what ``ast.iter_child_nodes`` gives); ``inner_nodes``: the same
nodes but contexts and operators, in no order, at less cost still; ``statements_in``: the
statements alone; ``name_list``, ``loaded_names``, ``stored_names``, ``deleted_names`` and
``unstored_names``: the ``Name`` nodes' ids in a tree; ``rewrite_calls``: calls replaced,
innermost first; ``new_node``: a node made at less cost than by its constructor; and
``copy_tree``: ``copy.deepcopy`` of a tree, at less cost.

The passes walk the sweeps' statements many times (which names a statement reads, which it
writes); ``ast.walk`` spends most of that time in its generators (``iter_child_nodes`` over
``iter_fields``). This walk visits the same nodes in the same order (breadth first, children
queued before their parent is handed out, list fields item by item) with the loops inlined and
the fields that never hold a node (names, attributes, a constant's value) skipped. Where the
order does not matter, the name collectors and ``inner_nodes`` recurse instead (no generator,
no queue) through the fields that can hold a name, which leaves out contexts and operators;
past the interpreter's recursion limit they fall back on ``walk``.
"""

from __future__ import annotations

import ast
import copy
from ast import AST
from collections import deque
from collections.abc import Iterator
from typing import Any

import gast


def walk(node: AST) -> Iterator[AST]:
    """Yield ``node`` and every node under it, exactly as :func:`ast.walk` (and ``gast.walk``,
    the same function) would."""
    todo = deque([node])
    pop, push = todo.popleft, todo.append
    table = _NODE_FIELDS
    while todo:
        node = pop()
        fields = table.get(type(node))
        if fields is None:
            fields = _node_fields(type(node))
        for field in fields:
            value = getattr(node, field, None)
            if isinstance(value, AST):
                push(value)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, AST):
                        push(item)
        yield node


# fields that hold a string, a number or a list of strings, never a node (a Constant's value
# is a Python value); walk skips them, in the same order otherwise
_VALUE_FIELDS = frozenset({"id", "attr", "arg", "type_comment", "module", "level", "asname",
                           "is_async", "conversion", "simple"})  # fmt: skip
_NODE_FIELDS: dict[type, tuple[str, ...]] = {}


def _node_fields(kind: type) -> tuple[str, ...]:
    skip = _VALUE_FIELDS | ({"value", "kind"} if kind.__name__ == "Constant" else set())
    skip |= {"names"} if kind.__name__ in ("Global", "Nonlocal") else set()
    fields = tuple(f for f in getattr(kind, "_fields", ()) if f not in skip)
    _NODE_FIELDS[kind] = fields
    return fields


def child_nodes(node: AST) -> list[AST]:
    """``list(ast.iter_child_nodes(node))`` (the same nodes, in the same order) without its
    generators: the fields that never hold a node are skipped, as by :func:`walk`."""
    out: list[AST] = []
    fields = _NODE_FIELDS.get(type(node))
    if fields is None:
        fields = _node_fields(type(node))
    for field in fields:
        value = getattr(node, field, None)
        if isinstance(value, AST):
            out.append(value)
        elif isinstance(value, list):
            out.extend([item for item in value if isinstance(item, AST)])
    return out


# the fields that hold statements (a compound statement's bodies, a handler's, a case's)
_BODIES = ("body", "orelse", "finalbody", "handlers", "cases")


def statements_in(node: AST) -> list[AST]:
    """``node`` and every statement under it (and the except handlers and match cases that
    hold some), in no particular order: the nodes of :func:`walk` that can be a statement,
    found without visiting expressions (no expression holds a statement; a ``Lambda``'s
    ``body`` is an expression, not a list)."""
    out = [node]
    todo = [node]
    while todo:
        current = todo.pop()
        for field in _BODIES:
            value = getattr(current, field, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, AST):
                        out.append(item)
                        todo.append(item)
    return out


def walk_with_parents(node: AST) -> tuple[list[AST], dict[int, AST]]:
    """``list(walk(node))`` and each node's parent by ``id`` (for a node found twice, its
    last parent in that order), in one pass: what ``{id(c): p for p in walk(node) for c in
    ast.iter_child_nodes(p)}`` holds."""
    nodes: list[AST] = []
    parents: dict[int, AST] = {}
    todo = deque([node])
    pop, push, add = todo.popleft, todo.append, nodes.append
    table = _NODE_FIELDS
    while todo:
        node = pop()
        fields = table.get(type(node))
        if fields is None:
            fields = _node_fields(type(node))
        for field in fields:  # (as walk: not the fields that never hold a node)
            value = getattr(node, field, None)
            if isinstance(value, AST):
                parents[id(value)] = node
                push(value)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, AST):
                        parents[id(item)] = node
                        push(item)
        add(node)
    return nodes, parents


def loads_with_parents(node: AST) -> tuple[list[AST], dict[int, AST]]:
    """The ``Name`` nodes in a ``Load`` context of ``list(walk(node))``, in its order, and the
    parent by ``id`` of every node but contexts and operators (a node found twice: its last
    parent in that order), as :func:`walk_with_parents` gives them, without visiting the
    contexts and operators (no node under them, and no pass asks for their parent)."""
    loads: list[AST] = []
    parents: dict[int, AST] = {}
    todo = deque([node])
    pop, push, add = todo.popleft, todo.append, loads.append
    table = _OWN_FIELDS
    while todo:
        node = pop()
        kind = type(node)
        fields = table.get(kind)
        if fields is None:
            fields = table[kind] = tuple(f for f in _NODE_FIELDS.get(kind) or _node_fields(kind)
                                         if f not in ("ctx", "op", "ops"))  # fmt: skip
        for field in fields:
            value = getattr(node, field, None)
            if isinstance(value, AST):
                parents[id(value)] = node
                push(value)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, AST):
                        parents[id(item)] = node
                        push(item)
        if kind is gast.Name and isinstance(node.ctx, gast.Load):
            add(node)
    return loads, parents


_OWN_FIELDS: dict[type, tuple[str, ...]] = {}  # _NODE_FIELDS without contexts and operators


# fields that never hold a Name: an expression context, operators, a comment, strings, numbers
_LEAF_FIELDS = frozenset({"ctx", "op", "ops", "type_comment", "attr", "arg", "is_async",
                          "level", "module", "conversion", "simple"})  # fmt: skip
_NAMES = frozenset({gast.Name, ast.Name})
_LEAVES = (ast.expr_context, ast.operator, ast.unaryop, ast.boolop, ast.cmpop)  # (gast's too)
_LOADS = frozenset({gast.Load, ast.Load})
_STORES = frozenset({gast.Store, ast.Store, gast.Del, ast.Del})
_DELS = frozenset({gast.Del, ast.Del})
_UNSTORED = frozenset({gast.Load, ast.Load, gast.Del, ast.Del, gast.Param, ast.Param})
_FIELDS: dict[type, tuple[str, ...]] = {}  # node type -> the fields that may hold a Name


def _fields(kind: type) -> tuple[str, ...]:
    if not issubclass(kind, AST) or kind.__name__ == "Constant":
        fields: tuple[str, ...] = ()
    else:
        fields = tuple(f for f in kind._fields if f not in _LEAF_FIELDS)
    _FIELDS[kind] = fields
    return fields


def pushed_value(node: AST, tape: str | None = None) -> AST | None:
    """The value ``v`` of ``tape.append(v)`` with one argument (a call, or a statement of one),
    or ``None`` for any other node; with ``tape`` None, of any ``name.append(v)``."""
    call = node.value if isinstance(node, gast.Expr) else node
    if not (isinstance(call, gast.Call) and isinstance(call.func, gast.Attribute)):
        return None
    receiver = call.func.value
    if (
        call.func.attr == "append"
        and isinstance(receiver, gast.Name)
        and (tape is None or receiver.id == tape)
        and len(call.args) == 1
        and not call.keywords
    ):
        return call.args[0]
    return None


def name_list(node: AST) -> list[str]:
    """The id of every ``Name`` node in ``node`` (any context), once per occurrence, in no
    particular order: what ``[n.id for n in walk(node) if isinstance(n, Name)]`` holds, up to
    order. Skips what cannot hold a name (contexts, operators, constants), with no generator."""
    return _names(node, None)


def loaded_names(node: AST) -> set[str]:
    """The ids of the ``Name`` nodes in ``node`` read in a ``Load`` context."""
    return set(_names(node, _LOADS))


def stored_names(node: AST) -> set[str]:
    """The ids of the ``Name`` nodes in ``node`` in a ``Store`` or ``Del`` context."""
    return set(_names(node, _STORES))


def deleted_names(node: AST) -> set[str]:
    """The ids of the ``Name`` nodes in ``node`` in a ``Del`` context."""
    return set(_names(node, _DELS))


def unstored_names(node: AST) -> set[str]:
    """The ids of the ``Name`` nodes in ``node`` in any context but ``Store`` (a read, a
    ``del``, a parameter)."""
    return set(_names(node, _UNSTORED))


def inner_nodes(node: AST) -> list[AST]:
    """``node`` and every node under it but expression contexts and operators (and what a
    ``Constant`` holds), in no particular order: for the passes that look for names, calls
    or functions, a list built by recursion costs less than :func:`walk`'s generator."""
    out: list[AST] = []
    try:
        _gather(node, out)
    except RecursionError:  # a tree nested deeper than the interpreter's stack allows
        out = [n for n in walk(node) if not isinstance(n, _LEAVES)]
    return out


def _gather(node: Any, out: list[AST]) -> None:
    kind = type(node)
    fields = _FIELDS.get(kind)
    if fields is None:
        fields = _fields(kind)
    if fields or isinstance(node, AST):
        out.append(node)
    if kind in _NAMES:  # a Name's fields: only a parameter's annotation holds a node
        annotation = getattr(node, "annotation", None)
        if annotation is not None:
            _gather(annotation, out)
        return
    for field in fields:
        value = getattr(node, field, None)
        if type(value) is list:
            for item in value:
                _gather(item, out)
        elif value is not None:
            _gather(value, out)


def _names(node: AST, contexts: frozenset | None) -> list[str]:
    out: list[str] = []
    try:
        _collect(node, out, contexts)
    except RecursionError:  # a tree nested deeper than the interpreter's stack allows
        out = [n.id for n in walk(node) if type(n) in _NAMES
               and (contexts is None or type(n.ctx) in contexts)]  # fmt: skip
    return out


def _collect(node: Any, out: list[str], contexts: frozenset | None) -> None:
    """Append the ``Name`` ids under ``node`` to ``out`` (recursion costs less than a stack
    or a generator on the small trees of statements)."""
    kind = type(node)
    if kind in _NAMES:
        if contexts is None or type(node.ctx) in contexts:
            out.append(node.id)
        annotation = getattr(node, "annotation", None)  # gast: a parameter's annotation
        if annotation is not None:
            _collect(annotation, out, contexts)
        return
    fields = _FIELDS.get(kind)
    if fields is None:
        fields = _fields(kind)
    for field in fields:
        value = getattr(node, field, None)
        if type(value) is list:
            for item in value:
                _collect(item, out, contexts)
        elif value is not None:
            _collect(value, out, contexts)


def rewrite_calls(node: AST, replace: Any) -> None:
    """Replace, in place and innermost first, each ``Call`` under ``node`` (not ``node``
    itself) by ``replace(call)`` where that is not ``None``: what a recursion over
    ``ast.iter_fields`` that offers every node to ``replace`` does when ``replace`` returns
    ``None`` for all but calls, without visiting contexts, operators or constants."""
    fields = _FIELDS.get(type(node))
    if fields is None:
        fields = _fields(type(node))
    for field in fields:
        value = getattr(node, field, None)
        if type(value) is list:
            for i, item in enumerate(value):
                if isinstance(item, AST):
                    rewrite_calls(item, replace)
                    if isinstance(item, _CALLS):
                        new = replace(item)
                        if new is not None:
                            value[i] = new
        elif isinstance(value, AST):
            rewrite_calls(value, replace)
            if isinstance(value, _CALLS):
                new = replace(value)
                if new is not None:
                    setattr(node, field, new)


_CALLS = (gast.Call, ast.Call)
_ATOMS = frozenset({str, int, float, bool, complex, bytes, type(None), type(...)})
# node types without fields (contexts, operators): copied where a node holds one as a new
# instance of its type, without the memo (an instance shared within the tree becomes one per
# holder in the copy: no pass asks whether two nodes hold the same context)
_BARE = frozenset(
    kind for base in _LEAVES for kind in base.__subclasses__() if not kind._fields
)  # fmt: skip


def new_node(kind: type, /, **fields: Any) -> AST:
    """``kind(**fields)`` for a gast node type, at half the cost: gast's constructor stores
    each field with ``setattr`` from Python; this fills the new node's ``__dict__`` at once
    (the same entries, so the same node)."""
    node = kind.__new__(kind)
    node.__dict__.update(fields)
    return node


def copy_tree(value: Any, memo: dict[int, Any] | None = None) -> Any:
    """What ``copy.deepcopy(value, memo)`` gives for a node, a list of nodes or anything a
    node holds (a node shared within the tree is copied once), without ``deepcopy``'s
    generic reduce-and-reconstruct for each node: a node's ``__dict__`` (its fields, its
    positions, the attributes the passes set) is copied entry by entry; numbers and strings
    are shared; a context or operator is a new instance for each node that holds it (one
    instance held by several nodes, as ``Load`` often is, is not one in the copy); anything
    else goes to ``copy.deepcopy`` with the same ``memo``."""
    if memo is None:
        memo = {}
    return _copy(value, memo)


def _copy(value: Any, memo: dict[int, Any]) -> Any:
    kind = type(value)
    if kind in _ATOMS:
        return value
    done = memo.get(id(value))
    if done is not None:
        return done
    if isinstance(value, AST):
        new = kind.__new__(kind)
        memo[id(value)] = new
        state = new.__dict__
        for key, item in value.__dict__.items():
            bare = type(item)
            if bare in _ATOMS:
                state[key] = item
            elif bare in _BARE and not item.__dict__:  # a context or an operator: a new one
                state[key] = bare.__new__(bare)
            else:
                state[key] = _copy(item, memo)
        return new
    if kind is tuple and all(type(item) in _ATOMS for item in value):
        return value  # as deepcopy: a tuple whose items copy to themselves is itself
    if kind is list:
        new = []
        memo[id(value)] = new
        new.extend([item if type(item) in _ATOMS else _copy(item, memo) for item in value])
        return new
    return copy.deepcopy(value, memo)
