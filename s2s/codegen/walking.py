"""``walk``: every node of a tree, in the order of :func:`ast.walk`, at less cost.

The passes walk the sweeps' statements many times (which names a statement reads, which it
writes); ``ast.walk`` spends most of that time in its generators (``iter_child_nodes`` over
``iter_fields``). This walk visits the same nodes in the same order (breadth first, children
queued before their parent is handed out, list fields item by item) with the loops inlined.
"""

from __future__ import annotations

from ast import AST
from collections import deque
from collections.abc import Iterator


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
