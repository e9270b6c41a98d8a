"""Result shapes of the linear-algebra and construction kinds of :class:`s2s.registry.Facts`.

Each function takes the proven shapes of the call's positional array arguments (``None`` where
unknown) and the known integer values of its other arguments, and returns the shape numpy
gives the result, or ``None`` where it is unknown or numpy would raise (then nothing is
proven and generation checks at run time). The facts come from numpy's documentation of each
function: ``numpy.linalg.solve`` (numpy 2: ``b`` is a vector only when it is 1-D),
``numpy.diag``, ``numpy.outer`` (both operands flattened), ``numpy.eye``. Reorderings and
reshapes (``transpose``, ``swapaxes``, ``reshape``, ``squeeze``, ``tril``, ...) are probed:
numpy's own call on a stand-in of the argument's shape, a broadcast view with no data.

>>> solve_shape([(3, 3), (3,)], {})
(3,)
>>> solve_shape([(2, 3, 3), (3, 4)], {})
(2, 3, 4)
>>> diag_shape([(4, 3)], {"k": 1})
(2,)
>>> diag_shape([(3,)], {"k": -1})
(4, 4)
>>> probe_shape(np.moveaxis, (2, 3, 4), {"source": 0, "destination": -1})
(3, 4, 2)
"""

from __future__ import annotations

import math

import numpy as np

Shape = tuple[int, ...]


def square_shape(shapes: list[Shape | None], ints: dict[str, int | None]) -> Shape | None:
    """A function of a stack of square matrices with a result of the same shape (``inv``,
    ``cholesky``, ``matrix_power``)."""
    a = shapes[0] if shapes else None
    if a is None or len(a) < 2 or a[-1] != a[-2]:
        return None
    return a


def batch_shape(shapes: list[Shape | None], ints: dict[str, int | None]) -> Shape | None:
    """A number per square matrix of the stack (``det``): the stack's leading axes."""
    a = square_shape(shapes, ints)
    return None if a is None else a[:-2]


def solve_shape(shapes: list[Shape | None], ints: dict[str, int | None]) -> Shape | None:
    """``numpy.linalg.solve(a, b)``: ``(..., M)`` for a 1-D ``b``, else ``b``'s last two axes
    after the broadcast batch axes of both."""
    if len(shapes) != 2 or shapes[1] is None:
        return None
    a, b = square_shape(shapes[:1], ints), shapes[1]
    if a is None or not b:
        return None
    if len(b) == 1:
        return a[:-1] if b[0] == a[-1] else None
    if b[-2] != a[-1]:
        return None
    try:
        batch = tuple(np.broadcast_shapes(a[:-2], b[:-2]))
    except ValueError:
        return None
    return batch + b[-2:]


def diag_shape(shapes: list[Shape | None], ints: dict[str, int | None]) -> Shape | None:
    """``numpy.diag(v, k)``: a 1-D ``v`` of length n gives an (n + |k|)-square matrix; a 2-D
    ``v`` gives its k-th diagonal (empty when k runs off the matrix)."""
    v = shapes[0] if shapes else None
    k = ints.get("k", 0)
    if v is None or k is None:
        return None
    if len(v) == 1:
        n = v[0] + abs(k)
        return (n, n)
    if len(v) == 2:
        rows, cols = v
        length = min(rows, cols - k) if k >= 0 else min(rows + k, cols)
        return (max(length, 0),)
    return None


def outer_shape(shapes: list[Shape | None], ints: dict[str, int | None]) -> Shape | None:
    """``numpy.outer(a, b)``: both flattened, ``(a.size, b.size)``."""
    if len(shapes) != 2 or any(s is None for s in shapes):
        return None
    return (math.prod(shapes[0]), math.prod(shapes[1]))


def eye_shape(shapes: list[Shape | None], ints: dict[str, int | None]) -> Shape | None:
    """``numpy.eye(N, M=None)`` and ``numpy.identity(n)``: ``(N, M or N)``."""
    n = ints.get("N", ints.get("n"))  # numpy.identity's parameter is n
    m = ints.get("M", n)
    if n is None or m is None or n < 0 or m < 0:
        return None
    return (n, m)


PROBE_LIMIT = 1 << 22  # elements: a probe that copies (``tril``) allocates one byte each


def probe_shape(fn, shape: Shape | None, constants: dict[str, object] | None) -> Shape | None:
    """``fn(stand_in, **constants).shape`` for a stand-in of ``shape`` (int8 zeros broadcast
    from one element: views of it cost nothing); ``None`` if any argument is unknown, the
    array is larger than ``PROBE_LIMIT`` or numpy raises (then the primal raises as well)."""
    if shape is None or constants is None or math.prod(shape) > PROBE_LIMIT:
        return None
    stand_in = np.broadcast_to(np.zeros((), np.int8), shape)
    try:
        return tuple(np.shape(fn(stand_in, **constants)))
    except Exception:  # an axis out of range, a size that does not divide: nothing proven
        return None
