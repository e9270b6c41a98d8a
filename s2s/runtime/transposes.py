"""Transposes of the runtime helpers that move cotangents between lists and arrays.

Second and higher derivatives differentiate generated code, and so the helpers that code calls
(``unsplit``, ``item_from``, ``unsplit_parts``, ...); each helper here is the transpose of one
of those, and the two are each other's rules (``templates/runtime_structures.py``). A part
that is ``None`` is a symbolic zero and stays ``None`` (or zeros where an array is needed).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.array_utils import normalize_axis_index

from s2s.runtime.core import acc_dtype, dtype_of, item_at, shape_of


def resplit(ct: Any, split: Any, args: tuple) -> Any:
    """The transpose of ``unsplit(parts, g, split, args)``: ``split(ct, *args)``, one piece of
    ``ct`` (``g``'s shape) per part, ``None`` for no cotangent. Source: the split itself (a
    split and a join are each other's transposes)."""
    return None if ct is None else split(ct, *args)


def put_at(ct: Any, key: Any, parts: Any) -> Any:
    """The transpose of ``item_from(parts, key)``: a list of ``parts``' length with ``ct`` at
    ``key`` (``ct``'s items at a slice) and ``None`` elsewhere; ``None`` for no cotangent."""
    if ct is None or parts is None:
        return None
    return item_at(ct, key, len(parts))


def split_parts(ct: Any, parts: Any, ary: Any, indices_or_sections: Any, axis: Any = 0) -> Any:
    """The transpose of ``unsplit_parts(parts, ary, indices_or_sections, axis)``: ``ct``
    (``ary``'s shape) split as ``np.array_split`` split ``ary``, each piece in ``ary``'s
    accumulator dtype, in the shape of its part (``np.unstack``'s have no axis of length 1);
    a list, or one array when ``parts`` stacked pieces of one shape. ``axis="h"`` is
    ``np.hsplit``'s. Source: numpy.array_split."""
    if ct is None:
        return None
    shape = tuple(shape_of(ary))
    if axis == "h":
        axis = 1 if len(shape) > 1 else 0
    axis = normalize_axis_index(axis, len(shape))
    sections = indices_or_sections
    if not isinstance(sections, (int, np.integer)):
        sections = [int(i) for i in np.asarray(sections).ravel()]
    ct = np.asarray(ct, acc_dtype(dtype_of(ary)))
    pieces = np.array_split(np.reshape(ct, shape), sections, axis=axis)
    if isinstance(parts, np.ndarray):  # np.unstack's slices: the pieces without their axis
        return np.reshape(np.stack(pieces), np.shape(parts))
    return [p if r is None else np.reshape(p, np.shape(r)) for p, r in zip(pieces, parts)]
