"""What the simplification of adjoints knows of a value: an array of a proven shape and float
dtype (:class:`Arr`), one filled with a number, a new zero buffer, a product with ones, a
reduction's cotangent put back on its axes, or a number (read by :mod:`s2s.reverse.simplify`,
:mod:`s2s.reverse.reduced`, :mod:`s2s.reverse.scaling` and :mod:`s2s.reverse.peephole`).

>>> import numpy as np
>>> Fill((2, 3), np.dtype(np.float64), 1.0).shape
(2, 3)
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Arr:
    """An array of a proven shape (``ndim >= 1``) and float dtype."""

    shape: tuple[int, ...]
    dtype: np.dtype


@dataclass(frozen=True)
class Fill(Arr):
    """An array of ``shape`` and ``dtype`` with ``value`` (a numpy scalar) in every entry."""

    value: Any = None


@dataclass(frozen=True)
class Zeros(Arr):
    """A new zero buffer (``_s2s.zeros_like_acc(x)`` of a float ``x``) nothing has written."""


@dataclass(frozen=True)
class Same(Arr):
    """``1.0 * operand`` (a product with ones): ``operand``'s values (of this shape and dtype) in
    a new array, so an operand of further arithmetic needs no product at all."""

    operand: Any = dataclasses.field(default=None, compare=False)


@dataclass(frozen=True)
class Expanded(Arr):
    """``_s2s.unreduce(g, a, axis, keepdims)`` of a named array ``g`` (``source``) of ``a``'s
    dtype: ``g`` broadcast to ``a``'s shape. An operand of arithmetic whose other operand
    already has that shape needs no broadcast view: ``g`` with the reduced axes put back as
    length one (``index``, for ``g[:, None]``; ``None``: ``g`` itself, reduced with
    ``keepdims``) gives the same numbers."""

    source: str = ""
    index: tuple | None = dataclasses.field(default=None, compare=False)


@dataclass(frozen=True)
class Num:
    """A number: a Python literal (``weak``) or a numpy scalar such as ``_np.float64(1.0)``."""

    value: Any
    weak: bool
