"""``walk``: every node of a tree, in the order of :func:`ast.walk`, at less cost; and
``copy_tree``: ``copy.deepcopy`` of a tree, at less cost.

The passes walk the sweeps' statements many times (which names a statement reads, which it
writes); ``ast.walk`` spends most of that time in its generators (``iter_child_nodes`` over
``iter_fields``). This walk visits the same nodes in the same order (breadth first, children
queued before their parent is handed out, list fields item by item) with the loops inlined.
"""

from __future__ import annotations

import copy
from ast import AST
from collections import deque
from collections.abc import Iterator
from typing import Any


def walk(node: AST) -> Iterator[AST]:
    """Yield ``node`` and every node under it, exactly as :func:`ast.walk` (and ``gast.walk``,
    the same function) would."""
    todo = deque([node])
    pop, push = todo.popleft, todo.append
    while todo:
        node = pop()
        for field in node._fields:
            value = getattr(node, field, None)
            if isinstance(value, AST):
                push(value)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, AST):
                        push(item)
        yield node


_ATOMS = frozenset({str, int, float, bool, complex, bytes, type(None), type(...)})


def copy_tree(value: Any, memo: dict[int, Any] | None = None) -> Any:
    """What ``copy.deepcopy(value, memo)`` gives for a node, a list of nodes or anything a
    node holds (a node shared within the tree is copied once), without ``deepcopy``'s
    generic reduce-and-reconstruct for each node: a node's ``__dict__`` (its fields, its
    positions, the attributes the passes set) is copied entry by entry; numbers and strings
    are shared; anything else goes to ``copy.deepcopy`` with the same ``memo``."""
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
            state[key] = item if type(item) in _ATOMS else _copy(item, memo)
        return new
    if kind is tuple and all(type(item) in _ATOMS for item in value):
        return value  # as deepcopy: a tuple whose items copy to themselves is itself
    if kind is list:
        new = []
        memo[id(value)] = new
        new.extend([item if type(item) in _ATOMS else _copy(item, memo) for item in value])
        return new
    return copy.deepcopy(value, memo)
