"""The per-call path of a derivative object: a repeated call finds its specialization with
one dict lookup keyed on what varies between calls (dtypes and shapes of plain array
arguments, scalars' types, numpy's error state), and re-checks only its call targets, which a
re-run cell or a monkeypatch can change. Everything else (argument checks, containers,
callables read from arguments) is done by the full lookup of the first call. Also here: the
check of a gradient's result for non-finite values (``nan=``) and the search that follows one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from s2s.frontend.resolve import target_guard
from s2s.modes import GRAD
from s2s.reverse import nonfinite
from s2s.reverse.nonfinite import finite

_SCALARS = {float, int, bool, np.float64, np.float32}  # as s2s.arguments.abstract_of keys them
_ARRAY = np.ndarray
_MAX_ENTRIES = 64  # the cache starts over past this many (a loop over many shapes)


try:  # numpy's error state lives in a context variable; a new state is a new object
    from numpy._core.umath import _extobj_contextvar as _ERROR_STATE

    error_state_now: Callable[[], Any] = _ERROR_STATE.get
except ImportError:  # pragma: no cover - another numpy layout: read np.geterr() every time
    _ERROR_STATE = None
    error_state_now = object  # a new object each call: the latest call's entry is never reused
_LAST_STATE: tuple[Any, bool] = (None, False)  # (error state object, whether it is strict)
_NO_LATEST = (None,) * 6  # CallCache.latest before a one-array call is served


def strict_floats() -> bool:
    """Whether numpy's floating-point error state raises or calls a handler (then a dead
    computation's error must still happen, so none is left out).

    The answer is kept with the state object it was read from (``np.errstate`` and
    ``np.seterr`` set a new one), so a call under an unchanged state costs one lookup."""
    global _LAST_STATE
    state = _ERROR_STATE.get() if _ERROR_STATE is not None else None
    last = _LAST_STATE
    if state is not None and last[0] is state:
        return last[1]
    strict = any(mode == "raise" or mode == "call" for mode in np.geterr().values())
    if state is not None:
        _LAST_STATE = (state, strict)  # holding the object keeps its identity unique
    return strict


def fast_key(args: tuple) -> tuple | None:
    """The specialization key of positional arguments that are all plain ndarrays or Python
    and numpy scalars: whether the error state is strict (:func:`strict_floats`), then per
    argument its dtype and shape, or its type (flat: a dtype, a shape tuple and a type cannot
    be mistaken for one another); ``None`` for anything else (containers, subclasses,
    callables), which takes the full lookup."""
    count = len(args)
    if count == 1 and type(args[0]) is _ARRAY:  # the most common calls, without a list
        return (strict_floats(), args[0].dtype, args[0].shape)
    if count == 2 and type(args[0]) is _ARRAY and type(args[1]) is _ARRAY:
        first, second = args
        return (strict_floats(), first.dtype, first.shape, second.dtype, second.shape)
    key = [strict_floats()]
    for value in args:
        kind = type(value)
        if kind is _ARRAY:
            key.append(value.dtype)
            key.append(value.shape)
        elif kind in _SCALARS:
            key.append(kind)
        else:
            return None
    return tuple(key)


class CallCache:
    """Specializations already checked, per :func:`fast_key` of positional arguments, each
    with its call targets' guard (:func:`s2s.frontend.resolve.target_guard`); valid while
    ``epoch`` (bumped by ``s2s.api.clear_cache``) is unchanged.

    ``latest`` keeps the entry that served the latest call of one plain ndarray, flat:
    ``(error state, dtype, shape, epoch, guard, entry)``, the error state object,
    dtype object and shape it was found for. ``Derivative.__call__`` tests it first, inline: a
    call repeating them (the common loop ``for _ in ...: g(x)``) is served by two identity
    tests, one shape comparison, the epoch and the guard, without a method call,
    :func:`fast_key`'s tuple or the hash of a dtype. The same state object is the same
    strictness and the same dtype object the same dtype, so it serves only calls the dict
    would serve the same way; it is forgotten whenever an entry is added or the entries start
    over."""

    __slots__ = ("epoch", "entries", "latest")

    def __init__(self) -> None:
        self.epoch = -1
        self.entries: dict[tuple, tuple[Any, dict, Callable[[], bool]]] = {}
        self.latest: tuple = _NO_LATEST  # (error state, dtype, shape, epoch, guard, entry)

    def lookup(self, args: tuple, epoch: int) -> tuple[Any, dict, Callable[[], bool]] | None:
        """``(generated, store, guard)`` for ``args`` if seen before and its call targets
        unchanged."""
        if epoch != self.epoch:
            return None
        if len(args) == 1 and type(args[0]) is _ARRAY:  # not the latest (tested by the caller)
            array = args[0]
            entry = self.entries.get((strict_floats(), array.dtype, array.shape))
            if entry is None or not entry[2]():
                return None
            self.latest = (error_state_now(), array.dtype, array.shape, epoch, entry[2], entry)
            return entry
        key = fast_key(args)
        entry = self.entries.get(key) if key is not None else None
        if entry is None or not entry[2]():
            return None
        return entry

    def remember(self, args: tuple, generated: Any, store: dict, epoch: int, primal: Any) -> None:
        """Serve later calls like ``args`` (whose checks passed) with ``generated``, unless it
        reads callables from its arguments (those are keyed by the full lookup); its call
        targets are read through ``primal`` when it names no source function."""
        key = fast_key(args) if not generated.bound else None
        if key is None:
            return
        if epoch != self.epoch or len(self.entries) >= _MAX_ENTRIES:
            self.epoch, self.entries = epoch, {}
        guard = target_guard(generated.source_function or primal, generated.targets)
        self.entries[key] = (generated, store, guard)
        self.latest = _NO_LATEST


# -- the check of a gradient's result (``nan=``) ---------------------------------------------------
def nonfinite_names(derivative: Any, generated: Any, grads: Any) -> list[str]:
    """The ``wrt`` names whose gradient is not finite (NaNs asked for by
    ``undefined="nan"`` are not counted)."""
    grads = (grads,) if derivative._single else grads
    options = derivative.options
    excused = generated.undefined_wrt if options.undefined == "nan" else frozenset()
    names = derivative._wrt_names
    return [n for n, g in zip(names, grads) if n not in excused and not finite(g)]


def search_nonfinite(
    derivative: Any, generated: Any, arguments: dict, locate: Callable[[], Any], result: Any
) -> None:
    """A ``grad`` or ``value_and_grad`` call gave back a non-finite gradient: if the arguments
    and the value are finite, run ``locate`` (its ``value_and_grad`` on the same arguments)
    under the search and warn or raise (``nan=``)."""
    grad_only = derivative.mode == GRAD
    grads, value = (result, None) if grad_only else (result[1], result[0])
    names = nonfinite_names(derivative, generated, grads)
    if not names or not finite(list(arguments.values())):
        return
    has_aux = derivative.options.has_aux
    if value is not None and not finite(value[0] if has_aux else value):
        return
    found, origin = nonfinite.trace(locate)
    if grad_only and (found is None or not finite(found[0][0] if has_aux else found[0])):
        return  # grad: the value (computed by the search) is not finite
    nonfinite.report(names, origin, derivative.options.nan, derivative.primal, stacklevel=4)
