"""Purity: whether running a function of yours again would give another value or effect.

A derivative that runs a function again (the function of a ``numpy.vectorize`` object: once
for the value, once more per element for its derivative) must meet the same computation each
time: a random draw would differ (the gradient would be that of another draw) and a write to a
global or an attribute would happen twice. :func:`impurity` names the first such statement of
the function's own body, or the function itself when a function of yours it calls has one.

>>> import numpy as np
>>> impurity(np.sin) is None
True
"""

from __future__ import annotations

import ast
import types
from typing import Any

import gast

from s2s.codegen.walking import copy_tree, walk
from s2s.errors import Location, S2SError
from s2s.frontend.parse import parse
from s2s.frontend.replay import has_effects, is_random_draw
from s2s.frontend.resolve import Target, is_library, resolve
from s2s.frontend.sideeffects import side_effect_writes


def impurity(func: Any) -> tuple[str, Location] | None:
    """What in ``func``'s own body would differ when it runs again, and where: a random draw
    (``numpy.random``, a ``Generator``'s method, Python's ``random``) or a write to a global or
    an attribute (in its own body, located), or any side effect in it or in a function of yours it
calls (:func:`s2s.frontend.replay.has_effects`). ``None`` for a pure function, a library
function, or one without source."""
    if isinstance(func, types.MethodType):
        func = func.__func__
    if not isinstance(func, types.FunctionType) or is_library(func):
        return None
    try:
        primal = parse(func)
    except S2SError:
        return None
    writes = side_effect_writes(primal.tree)
    if writes:
        return "writes to a global or an attribute", primal.where(writes[0])
    resolve(primal)
    for node in walk(primal.tree):
        target = getattr(node.func, "s2s_target", None) if isinstance(node, gast.Call) else None
        if isinstance(target, Target) and is_random_draw(target.obj):
            text = ast.unparse(gast.gast_to_ast(copy_tree(node)))
            return f"draws random numbers (`{text}`)", primal.where(node)
    if func.__name__ != "<lambda>" and has_effects(func, set()):  # a lambda's line is not its
        return (
            "has side effects (a call made for its effect, a write or a random draw, in it or "
            "in a function of yours it calls)", primal.where(primal.tree),
        )
    return None
