"""The derivative kinds s2s writes and the options fixed when a derivative is made.

Kept apart from the passes so that ``import s2s`` (the derivative objects, which name a mode
and hold their :class:`Options`) loads none of them: :mod:`s2s.pipeline` is imported on the
first generation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

GRAD = "grad"
VALUE_AND_GRAD = "value_and_grad"
VJP = "vjp"
PULLBACK = "pullback"  # the VJP as one function of the arguments and a cotangent (higher order)
JVP = "jvp"


@dataclass(frozen=True)
class Options:
    """Options fixed when a derivative is made; part of the cache key."""

    has_aux: bool = False
    disconnected: str = "zero"
    undefined: str = "raise"
    allow_int: bool = False
    verbose: int = 0
    # the derivative will itself be differentiated (higher order): no in-place updates, no
    # `del`, no `with`, so the generated code is plain code s2s can transform again
    functional: bool = False
    # a run of the user's code again, its side effects left out as the first run made them
    # (frontend/replay.py): "helper", a helper's primal inside code differentiated again
    # (refusing what it could not repeat); "search", the search for a non-finite gradient
    replay: str = ""
    tangents_first: bool = False  # a jvp called from generated code: jvp_of(g, wrt)(t, *args)
    nan: str = "warn"  # a non-finite gradient from finite arguments: warn, raise or ignore
    # long loops' snapshots (an int >= 1 or "auto"; None: every trip taped): checkpoints.py
    checkpoint: Any = None
