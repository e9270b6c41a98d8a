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


_STR_TESTS = frozenset({"startswith", "endswith", "isdigit", "isalpha", "isidentifier", "islower",
                        "isupper"})  # fmt: skip
_COMPARE = {
    gast.Eq: lambda a, b: a == b, gast.NotEq: lambda a, b: a != b,
    gast.Lt: lambda a, b: a < b, gast.LtE: lambda a, b: a <= b,
    gast.Gt: lambda a, b: a > b, gast.GtE: lambda a, b: a >= b,
    gast.In: lambda a, b: a in b, gast.NotIn: lambda a, b: a not in b,
}  # fmt: skip
_UNKNOWN = object()


def known_condition(node: gast.expr, static: Callable[[gast.expr], Any]) -> bool | None:
    """The truth of a condition on keys and positions (``k.startswith("w")``, ``i > 0``,
    ``k not in ("bias",)``, with ``and``, ``or``, ``not``) when ``static`` knows its parts;
    ``None`` otherwise.

    >>> test = gast.parse('k.startswith("w") and i != 1').body[0].value
    >>> known_condition(test, lambda n: {"k": "w2", "i": 0}.get(getattr(n, "id", None)))
    True
    """
    value = _value(node, static)
    return None if value is _UNKNOWN else bool(value)


def _value(node: gast.expr, static: Callable[[gast.expr], Any]) -> Any:
    if isinstance(node, gast.Constant):
        return node.value
    if isinstance(node, (gast.Tuple, gast.List, gast.Set)):
        items = [_value(e, static) for e in node.elts]
        return _UNKNOWN if any(i is _UNKNOWN for i in items) else tuple(items)
    if isinstance(node, gast.BoolOp):
        values = [_value(v, static) for v in node.values]
        decides = not isinstance(node.op, gast.And)  # a false part decides `and`, a true `or`
        if any(v is not _UNKNOWN and bool(v) is decides for v in values) and all(
            v is not _UNKNOWN or _calls_nothing(n) for v, n in zip(values, node.values)
        ):  # `len(args) == 4 and len(tangents) == 4` is false where one container has 3
            return decides
        if any(v is _UNKNOWN for v in values):
            return _UNKNOWN
        return all(values) if isinstance(node.op, gast.And) else any(values)
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.Not):
        value = _value(node.operand, static)
        return _UNKNOWN if value is _UNKNOWN else not value
    if isinstance(node, gast.Compare) and all(type(op) in _COMPARE for op in node.ops):
        operands = [_value(v, static) for v in [node.left, *node.comparators]]
        if any(v is _UNKNOWN or not isinstance(v, (str, int, tuple)) for v in operands):
            return _UNKNOWN
        try:
            return all(_COMPARE[type(op)](a, b)
                       for op, a, b in zip(node.ops, operands, operands[1:]))  # fmt: skip
        except TypeError:
            return _UNKNOWN
    if (isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute)
            and node.func.attr in _STR_TESTS and not node.keywords):  # fmt: skip
        receiver = _value(node.func.value, static)
        args = [_value(a, static) for a in node.args]
        if type(receiver) is str and all(type(a) in (str, tuple) for a in args):
            return getattr(receiver, node.func.attr)(*args)
        return _UNKNOWN
    value = computed_key(node, static)
    if value is None:
        value = static(node)
    return _UNKNOWN if value is None else value


def loop_constants(node: gast.expr, static: Callable[[gast.expr], Any]) -> list | None:
    """The values a loop over ``node`` visits when they are known at specialization, at most
    64 of them: ``range(...)`` with bounds ``static`` knows, or a tuple or list display of
    str and int constants (``("W", "v")``); ``None`` otherwise."""
    if isinstance(node, (gast.Tuple, gast.List)):
        values = [e.value if isinstance(e, gast.Constant) else None for e in node.elts]
        if all(type(v) in (str, int) for v in values) and len(values) <= 64:
            return values
        return None
    if not (isinstance(node, gast.Call) and isinstance(node.func, gast.Name)
            and node.func.id == "range" and 1 <= len(node.args) <= 3
            and not node.keywords):  # fmt: skip
        return None
    bounds = [static(a) for a in node.args]
    if not all(type(b) is int for b in bounds) or len(range(*bounds)) > 64:
        return None
    return list(range(*bounds))


def _calls_nothing(node: gast.expr) -> bool:
    """Whether ``node`` calls nothing but ``len`` (so leaving it unevaluated changes nothing)."""
    return all(not isinstance(n, gast.Call)
               or isinstance(n.func, gast.Name) and n.func.id == "len"
               for n in gast.walk(node))  # fmt: skip
