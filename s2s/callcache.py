"""The per-call path of a derivative object: a repeated call finds its specialization with
one dict lookup keyed on what varies between calls (dtypes and shapes of plain array
arguments, scalars' types, numpy's error state), and re-checks only its call targets, which a
re-run cell or a monkeypatch can change. Everything else (argument checks, containers,
callables read from arguments) is done by the full lookup of the first call.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from s2s.frontend.resolve import targets_unchanged

_SCALARS = {float, int, bool, np.float64, np.float32}  # as s2s.arguments.abstract_of keys them
_MAX_ENTRIES = 64  # the cache starts over past this many (a loop over many shapes)


try:  # numpy's error state lives in a context variable; a new state is a new object
    from numpy._core.umath import _extobj_contextvar as _ERROR_STATE
except ImportError:  # pragma: no cover - another numpy layout: read np.geterr() every time
    _ERROR_STATE = None
_LAST_STATE: tuple[Any, bool] = (None, False)  # (error state object, whether it is strict)


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
    and numpy scalars (dtype and shape, or type, per argument); ``None`` for anything else
    (containers, subclasses, callables), which takes the full lookup."""
    key = []
    for value in args:
        kind = type(value)
        if kind is np.ndarray:
            key.append((value.dtype, value.shape))
        elif kind in _SCALARS:
            key.append(kind)
        else:
            return None
    return tuple(key)


class CallCache:
    """Specializations already checked, per (error state, :func:`fast_key`) of positional
    arguments; valid while ``epoch`` (bumped by ``s2s.api.clear_cache``) is unchanged."""

    __slots__ = ("epoch", "entries")

    def __init__(self) -> None:
        self.epoch = -1
        self.entries: dict[tuple, tuple[Any, dict]] = {}

    def lookup(self, args: tuple, epoch: int, primal: Any) -> tuple[Any, dict] | None:
        """``(generated, store)`` for ``args`` if seen before and its call targets unchanged
        (``primal`` is read for them when the specialization names no source function)."""
        if epoch != self.epoch:
            return None
        key = fast_key(args)
        entry = self.entries.get((strict_floats(), key)) if key is not None else None
        if entry is None:
            return None
        generated = entry[0]
        if not targets_unchanged(generated.source_function or primal, generated.targets):
            return None
        return entry

    def remember(self, args: tuple, generated: Any, store: dict, epoch: int) -> None:
        """Serve later calls like ``args`` (whose checks passed) with ``generated``, unless it
        reads callables from its arguments (those are keyed by the full lookup)."""
        key = fast_key(args) if not generated.bound else None
        if key is None:
            return
        if epoch != self.epoch or len(self.entries) >= _MAX_ENTRIES:
            self.epoch, self.entries = epoch, {}
        self.entries[(strict_floats(), key)] = (generated, store)
