"""Purity: whether running a function of yours again would give another value or effect.

A derivative that runs a function again (the function of a ``numpy.vectorize`` object: once
for the value, once more per element for its derivative) must meet the same computation each
time: a random draw would differ (the gradient would be that of another draw) and a write to a
global or an attribute would happen twice. :func:`impurity` names the first such statement of
the function's own body (functions it calls are not read).

>>> import numpy as np, random
>>> _draws(np.random.default_rng(0).normal), _draws(np.random.normal), _draws(random.random)
(True, True, True)
>>> _draws(np.sin), impurity(np.sin) is None
(False, True)
"""

from __future__ import annotations

import ast
import copy
import types
from typing import Any

import gast

from s2s.errors import Location, S2SError
from s2s.frontend.parse import parse
from s2s.frontend.resolve import Target, is_library, resolve
from s2s.frontend.sideeffects import side_effect_writes


def _draws(obj: Any) -> bool:
    """``obj`` is a function or method of ``numpy.random`` or of Python's ``random``."""
    owner = getattr(obj, "__self__", None)
    if owner is not None and not isinstance(owner, types.ModuleType):
        module = type(owner).__module__ or ""
    else:
        module = getattr(obj, "__module__", None) or ""
    return module == "random" or module.startswith("numpy.random")


def impurity(func: Any) -> tuple[str, Location] | None:
    """What in ``func``'s own body would differ when it runs again, and where: a random draw
    (``numpy.random``, a ``Generator``'s method, Python's ``random``) or a write to a global or
    an attribute. ``None`` for a pure body, a library function, or one without source."""
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
    for node in gast.walk(primal.tree):
        target = getattr(node.func, "s2s_target", None) if isinstance(node, gast.Call) else None
        if isinstance(target, Target) and _draws(target.obj):
            text = ast.unparse(gast.gast_to_ast(copy.deepcopy(node)))
            return f"draws random numbers (`{text}`)", primal.where(node)
    return None
