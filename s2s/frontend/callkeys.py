"""Call keys: what a derivative depends on in a callable found through an argument or a
global container, and the paths it re-reads on each call to notice a new callable there.

>>> import numpy as np
>>> callable_key(np.tanh) == callable_key(np.tanh), callable_key(np.tanh) == callable_key(np.sin)
(True, False)
"""

from __future__ import annotations

import functools
import inspect
import types
from dataclasses import dataclass
from typing import Any

import numpy as np

from s2s import registry
from s2s.frontend.resolve import MISSING
from s2s.frontend.spellings import hashable
from s2s.runtime.trees import LEAF, flatten, is_differentiable_leaf, kind_of

Step = tuple[str, Any]  # ("attr", name) or ("item", key)


@dataclass(frozen=True)
class Bound:
    """A callable read from the argument ``param`` along ``steps`` when the derivative was made;
    ``key`` is its :func:`callable_key`."""

    param: str
    steps: tuple[Step, ...]
    key: Any

    def text(self) -> str:
        """The path as the function writes it: ``act``, ``self.act``, ``cfg['loss']``."""
        return self.param + "".join(f".{k}" if s == "attr" else f"[{k!r}]" for s, k in self.steps)

    def holds(self, arguments: dict[str, Any]) -> bool:
        """Whether the path still leads to an equivalent callable in ``arguments``."""
        if self.param not in arguments:
            return False
        return callable_key(read_path(arguments[self.param], self.steps)) == self.key


def read_path(value: Any, steps: tuple[Step, ...]) -> Any:
    """``value`` followed along ``steps`` (``MISSING`` where a step fails)."""
    for kind, key in steps:
        try:
            value = getattr(value, key) if kind == "attr" else value[key]
        except (AttributeError, LookupError, TypeError):
            return MISSING
    return value


def paths_key(paths: tuple[tuple[str, tuple[Step, ...]], ...], arguments: dict[str, Any]) -> tuple:
    """The callables at ``paths`` (argument, steps) of ``arguments`` as they are now: the part of
    a derivative's specialization key that a new callable changes."""
    return tuple([callable_key(read_path(arguments.get(p, MISSING), s)) for p, s in paths])


def learned(paths: tuple, bound: tuple[Bound, ...]) -> tuple:
    """``paths`` with the argument paths of ``bound`` not among them yet added."""
    new = [p for p in dict.fromkeys((b.param, b.steps) for b in bound) if p not in paths]
    return paths + tuple(new) if new else paths


class _Same:
    """A key part equal only to itself (by identity), for objects that may not be hashable."""

    __slots__ = ("obj",)

    def __init__(self, obj: Any) -> None:
        self.obj = obj

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Same) and other.obj is self.obj

    def __hash__(self) -> int:
        return id(self.obj)


CONSTANTS = (bool, int, float, str, type(None))


def _value_key(value: Any) -> Any:
    """A bound argument of a partial: a Python constant by value (it is written into the
    generated code), anything else by type (it is read from the partial at run time)."""
    if type(value) in CONSTANTS:
        return ("constant", type(value), value)
    if callable(value):
        return callable_key(value)
    return ("value", type(value), getattr(value, "dtype", None), getattr(value, "ndim", None))


def callable_key(obj: Any) -> Any:
    """What the generated code depends on in a callable found through an argument.

    Generated code calls the user's own functions through the argument at run time, so a
    Python function is keyed by its code and defaults (a closure made anew by a factory is the
    same derivative); a bound method of the user's class by its function; a
    ``functools.partial`` by its function and bound arguments (constants by value); anything
    else (a numpy ufunc, a scipy function) by identity. A ``numpy.vectorize`` object is read
    from the argument when the derivative runs (``_s2s.vectorized(vf, x)``): by its function
    (checked when generating: frontend/purity.py) and its signature.
    """
    if isinstance(obj, np.vectorize):
        return ("vectorize", callable_key(obj.pyfunc), obj.signature)
    if isinstance(obj, functools.partial):
        keywords = tuple(sorted((k, _value_key(v)) for k, v in obj.keywords.items()))
        return ("partial", callable_key(obj.func), tuple(map(_value_key, obj.args)), keywords)
    if isinstance(obj, types.MethodType) and is_user_function(obj.__func__):
        return ("method", callable_key(obj.__func__))
    if is_user_function(obj):
        defaults = tuple(map(_value_key, obj.__defaults__ or ()))
        keywords = (obj.__kwdefaults__ or {}).items()
        kwdefaults = tuple(sorted((k, _value_key(v)) for k, v in keywords))
        # code objects compare by value: look-alike functions of two modules must not share
        return ("function", _Same(obj.__code__), _Same(obj.__globals__), defaults, kwdefaults)
    if is_callable_instance(obj):
        return ("instance", type(obj), callable_key(type(obj).__call__))
    if obj is MISSING or not callable(obj):  # a container: its structure too (code that
        return ("not callable", type(obj), _structure(obj))  # reads its leaves holds for it)
    owner = getattr(obj, "__self__", None)
    if owner is not None and not isinstance(owner, types.ModuleType):
        # a library method (rng.normal, dist.logpdf) is a new object at each read: the code
        # calls it through the value, and depends only on the rule that differentiates it
        rule = registry.lookup(obj) if hashable(obj) else None
        return ("method", type(owner), getattr(obj, "__name__", None), _Same(rule))
    return ("object", _Same(obj))


def _structure(obj: Any) -> Any:
    """A container's structure and which of its leaves are real floats (``None`` for a
    leaf): the key of code that reads it leaf by leaf (:mod:`s2s.frontend.derivcalls`)."""
    if kind_of(obj) == LEAF:
        return None
    leaves, treedef = flatten(obj)
    return treedef, tuple(is_differentiable_leaf(v) for v in leaves)


def is_user_function(obj: Any) -> bool:
    """A Python function of the user's (differentiated from its source, not by a rule)."""
    module = getattr(obj, "__module__", None) or ""
    return isinstance(obj, types.FunctionType) and module.split(".")[0] not in {
        "numpy", "scipy", "s2s", "math", "dask", "cupy",
    }  # fmt: skip


def is_callable_instance(obj: Any) -> bool:
    call = inspect.getattr_static(type(obj), "__call__", None)
    return not isinstance(obj, type) and is_user_function(call)
