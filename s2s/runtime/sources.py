"""Runtime helpers differentiated from the source of a plain twin (higher order, issue 9).

A rule's adjoint calls a runtime helper (``cholesky_adjoint``, ``eigh_adjoint``, ...); to
differentiate that adjoint again, s2s needs the helper's own derivative. Rather than a rule
written by hand, a helper may name a *twin*: a Python function of the same signature and the
same value, written with numpy calls that have rules of their own (and, where it needs
them, other twins). Code that differentiates a call of the helper differentiates the twin's
source instead, as it does a user's function; the helper itself keeps its fast body (LAPACK
calls, in-place updates, Dask and CuPy namespaces) for the values.

>>> import numpy as np
>>> def _double_twin(x):
...     return 2.0 * x
>>> @differentiated_as(_double_twin)
... def double(x):
...     return np.multiply(x, 2.0)
>>> source_of(double) is _double_twin and source_of(_double_twin) is _double_twin
True
>>> source_of(np.exp) is None
True

A twin must compute what its helper computes (the registry's second-order rows check both:
finite differences of the helper against the twin's derivative).
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

_ATTRIBUTE = "__s2s_source__"
_COMPLEX = "__s2s_complex_refusal__"


def differentiated_as(twin: Callable) -> Callable[[Callable], Callable]:
    """Mark the decorated helper as differentiated from ``twin``'s source (and ``twin`` as
    its own source: code differentiated again reaches it too)."""
    setattr(twin, _ATTRIBUTE, twin)

    def mark(helper: Callable) -> Callable:
        setattr(helper, _ATTRIBUTE, twin)
        return helper

    return mark


def plain(*functions: Callable) -> None:
    """Mark a twin's own helpers (plain numpy functions) as differentiated from their source.
    Called after their definitions: s2s refuses a decorator on a function it differentiates."""
    for function in functions:
        setattr(function, _ATTRIBUTE, function)


def refuses_complex(refusal: Callable[[str, Any], None], *twins: Callable) -> None:
    """Mark ``twins`` as refusing a complex argument with ``refusal(name, value)`` (which
    raises a located error saying why) rather than with the generic complex-dtype refusal of
    a derivative's arguments: eig's twins, whose complex arguments mean a complex spectrum."""
    for twin in twins:
        setattr(twin, _COMPLEX, refusal)


def complex_refusal(function: Any) -> Any:
    """The ``refusal`` :func:`refuses_complex` gave ``function``, or ``None``."""
    return getattr(function, _COMPLEX, None) if isinstance(function, types.FunctionType) else None


def source_of(function: Any) -> Any:
    """The Python function whose source differentiates ``function``: its twin, or ``None``
    for a function without one."""
    if not isinstance(function, types.FunctionType):
        return None
    return getattr(function, _ATTRIBUTE, None)
