"""Helpers of the ``scipy.special`` rules that numpy spells in more than one line."""

from __future__ import annotations

from typing import Any


def times_weights(share: Any, b: Any) -> Any:
    """``share * b``, or ``share`` when ``b`` is ``None`` (``logsumexp`` without weights).

    ``share`` is ``exp(a - logsumexp(a, b))``, of ``a``'s shape; ``b`` broadcasts against it.
    Source: scipy.special.logsumexp, ``log sum b exp(a)``.
    """
    return share if b is None else share * b
