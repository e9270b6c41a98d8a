"""Operators: builtin calls that are Python operators, written as the operator they stand for.

``pow(a, b)`` of the builtin ``pow`` calls ``a.__pow__(b)`` (then ``b.__rpow__(a)``), exactly
as ``a ** b`` does (Python's reference, "Built-in Functions: pow"), so it is differentiated as
``**`` and appears as ``a ** b`` in the generated code. The three-argument form is modular
integer arithmetic: it stays a call (and, given a value that carries a gradient, has no rule).

>>> import builtins
>>> from s2s.frontend.parse import parse
>>> from s2s.frontend.resolve import resolve
>>> def squared(x):
...     return pow(x, 2) + pow(x, 3, 5)
>>> primal = parse(squared)
>>> _ = resolve(primal)  # resolve ends with spell_operators
>>> gast.unparse(primal.tree.body[0]).strip()
'return x ** 2 + pow(x, 3, 5)'
"""

from __future__ import annotations

import builtins
from typing import Any

import gast

from s2s.codegen.walking import rewrite_calls


def _is_builtin_pow(node: Any) -> bool:
    target = getattr(node.func, "s2s_target", None)
    return (
        getattr(target, "obj", None) is builtins.pow
        and len(node.args) == 2
        and not node.keywords
        and not any(isinstance(a, gast.Starred) for a in node.args)
    )


def _spelled(node: gast.Call) -> gast.expr | None:
    """``a ** b`` for ``pow(a, b)`` of the builtin; ``None`` for any other call."""
    if not _is_builtin_pow(node):
        return None
    power = gast.BinOp(left=node.args[0], op=gast.Pow(), right=node.args[1])
    return gast.copy_location(power, node)


def spell_operators(tree: gast.FunctionDef) -> None:
    """Rewrite, in place, each two-argument call of the builtin ``pow`` in ``tree`` (resolved:
    a local or global named ``pow`` that is another function is left alone) to ``**``
    (innermost first: ``pow(pow(x, 2), 3)`` is ``(x ** 2) ** 3``)."""
    rewrite_calls(tree, _spelled)
