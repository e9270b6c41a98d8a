"""Keys: a key or index built from constants (``f"w{i}"``, ``"b" + str(i)``, ``i + 1``) as the
value it has when the loop variable ``i`` is a constant, so a container read with it names one
leaf.

>>> import gast
>>> key = gast.parse('f"w{i}"').body[0].value
>>> computed_key(key, lambda n: 2 if getattr(n, "id", None) == "i" else None)
'w2'
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gast


def computed_key(node: gast.expr, static: Callable[[gast.expr], Any]) -> Any:
    """The value of ``node`` (an f-string, a ``+`` or ``-`` of ints, a ``+`` of strings,
    ``str(...)``) when ``static`` knows its parts; ``None`` otherwise."""
    if isinstance(node, gast.JoinedStr):
        parts = [static(v.value) if isinstance(v, gast.FormattedValue)
                 and v.conversion == -1 and v.format_spec is None else
                 v.value if isinstance(v, gast.Constant) else None
                 for v in node.values]  # fmt: skip
        return "".join(map(str, parts)) if all(p is not None for p in parts) else None
    if isinstance(node, gast.BinOp) and isinstance(node.op, (gast.Add, gast.Sub)):
        left, right = static(node.left), static(node.right)
        if type(left) is int and type(right) is int:  # layers[i + 1]
            return left + right if isinstance(node.op, gast.Add) else left - right
        if type(left) is str and type(right) is str and isinstance(node.op, gast.Add):
            return left + right  # "b" + str(i)
    if (isinstance(node, gast.Call) and isinstance(node.func, gast.Name)
            and node.func.id == "str" and len(node.args) == 1 and not node.keywords):
        value = static(node.args[0])
        return str(value) if type(value) in (int, str) else None  # fmt: skip
    return None
