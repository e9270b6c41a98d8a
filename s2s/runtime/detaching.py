"""The values a derivative returns, apart from the state its adjoint sweep changes.

The adjoint sweep restores the old entries of arrays the primal wrote in place and pops the
lists it appended to. A returned value (an auxiliary output, the primal value of ``vjp``) may
hold those arrays and lists, so the derivative returns copies of them:

>>> import numpy as np
>>> hist = [np.ones(2)]
>>> aux = {"hist": hist, "k": (hist, 1)}
>>> copied = detached(aux)
>>> _ = hist.pop()  # as the adjoint sweep does
>>> copied["hist"][0].tolist(), len(copied["k"][0])
([1.0, 1.0], 1)
"""

from __future__ import annotations

import copy
import dataclasses
import types
from typing import Any

import numpy as np

from s2s.runtime.core import layout_copy
from s2s.runtime.namespace import is_foreign_array


def detached(value: Any) -> Any:
    """``value`` with its arrays and lists copied, inside tuples (namedtuples keep their type),
    lists, dicts (their subclasses too), dataclass instances and other objects with attributes
    (shallow copies), to any depth; anything else (numbers, strings, None) as it is."""
    if isinstance(value, np.ndarray):
        return layout_copy(value)
    if is_foreign_array(value):
        return value.copy()
    if isinstance(value, list):
        return [detached(v) for v in value]
    if isinstance(value, tuple):
        items = [detached(v) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    if isinstance(value, dict):
        if type(value) is dict:
            return {k: detached(v) for k, v in value.items()}
        out = copy.copy(value)  # an OrderedDict, a defaultdict: its type and settings kept
        for k, v in value.items():
            out[k] = detached(v)
        return out
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = copy.copy(value)
        for f in dataclasses.fields(value):
            object.__setattr__(out, f.name, detached(getattr(value, f.name)))  # frozen too
        return out
    state = getattr(value, "__dict__", None)
    if type(state) is dict and state and not isinstance(value, _NOT_OBJECTS):
        return _object_copy(value, state)
    return value


_NOT_OBJECTS = (type, types.ModuleType, types.FunctionType, types.MethodType, np.generic)


def _object_copy(value: Any, state: dict) -> Any:
    """An object of your class with its attributes detached (a shallow copy), or ``value``
    itself where it cannot be copied apart from it."""
    try:
        out = copy.copy(value)
    except Exception:  # noqa: BLE001  (an object that refuses to be copied: returned as is)
        return value
    if out is value or getattr(out, "__dict__", state) is state:
        return value
    for k, v in state.items():
        out.__dict__[k] = detached(v)
    return out
