"""Helpers for the rules of products: dot, matmul, tensordot and einsum adjoints."""

from __future__ import annotations

import string
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.lib.array_utils import normalize_axis_tuple

from s2s.runtime.core import (
    Like,
    acc_dtype,
    dtype_of,
    reads_shape_only,
    shape_of,
    unbroadcast,
    zeros_like_acc,
)
from s2s.runtime.namespace import array_namespace
from s2s.runtime.sources import differentiated_as


def _ndim(x: Any) -> int:
    return len(shape_of(x))


@reads_shape_only(1)
def dot_grad_a(g: Any, a: Any, b: Any) -> Any:
    """The adjoint of ``np.dot(a, b)`` for ``a``: ``a``'s shape and accumulator dtype.

    ``dot`` contracts ``a``'s last axis with ``b``'s only axis (1-D ``b``) or second-to-last
    axis; a 0-d operand multiplies. ``a`` may be a ``Like``. Source: numpy.dot; Giles 2008,
    "Collected matrix derivative results for forward and reverse mode AD" (C = AB gives
    dA = dC B^T).
    """
    p, q = _ndim(a), np.ndim(b)
    xp = array_namespace(g, b)
    if p == 0 or q == 0:
        return unbroadcast(xp.multiply(g, b) if q == 0 else xp.sum(xp.multiply(g, b)), a)
    if q == 1:
        outer = np.multiply.outer(g, b) if xp is np else xp.asarray(g)[..., None] * b
        return unbroadcast(outer, a)
    free_b = list(range(q - 2)) + [q - 1]
    return unbroadcast(xp.tensordot(g, b, axes=(list(range(p - 1, p + q - 2)), free_b)), a)


@reads_shape_only(2)
def dot_grad_b(g: Any, a: Any, b: Any) -> Any:
    """The adjoint of ``np.dot(a, b)`` for ``b`` (dB = A^T dC); see :func:`dot_grad_a`."""
    p, q = np.ndim(a), _ndim(b)
    xp = array_namespace(g, a)
    if p == 0 or q == 0:
        return unbroadcast(xp.multiply(g, a) if p == 0 else xp.sum(xp.multiply(g, a)), b)
    lead = list(range(p - 1))
    out = xp.tensordot(a, g, axes=(lead, lead))
    return unbroadcast(xp.moveaxis(out, 0, q - 2) if q >= 2 else out, b)


def _two_matrices(g: Any, other: Any, target: Any) -> bool:
    """The common case: 2-D ``g`` and operands of one float dtype, so ``g @ other.T`` (or
    ``other.T @ g``) already has the target's shape and dtype (no promotion, no batch axes)."""
    if type(g) is not np.ndarray or type(other) is not np.ndarray:
        return False
    if g.ndim != 2 or other.ndim != 2 or g.dtype != other.dtype:
        return False
    if type(target) is np.ndarray or type(target) is Like:  # a Like has no ndim
        return len(target.shape) == 2 and target.dtype == g.dtype
    return False


@reads_shape_only(1)
def matmul_grad_x1(g: Any, x1: Any, x2: Any) -> Any:
    """The adjoint of ``x1 @ x2`` for ``x1``: ``g @ x2^T``, batch axes unbroadcast onto ``x1``.

    Handles numpy's 1-D promotions (a 1-D ``x1`` is a row, a 1-D ``x2`` a column) and stacked
    operands with broadcast batch axes; the result has ``x1``'s shape and accumulator dtype
    (``x1`` may be a ``Like``). Source: Giles 2008 (C = AB gives dA = dC B^T).
    """
    if _two_matrices(g, x2, x1):
        return g @ x2.T
    n1, n2 = _ndim(x1), np.ndim(x2)
    xp = array_namespace(g, x2)
    if n2 == 1:
        grad = xp.multiply(g, x2) if n1 == 1 else xp.expand_dims(g, -1) * x2
    elif n1 == 1:
        grad = xp.matmul(xp.expand_dims(g, -2), _mT(xp, x2))[..., 0, :]
    else:
        grad = xp.matmul(g, _mT(xp, x2))
    return unbroadcast(grad, x1)


def _mT(xp: Any, x: Any) -> Any:
    """The transpose of the last two axes, in ``x``'s namespace."""
    return np.matrix_transpose(x) if xp is np else xp.swapaxes(x, -1, -2)


@reads_shape_only(2)
def matmul_grad_x2(g: Any, x1: Any, x2: Any) -> Any:
    """The adjoint of ``x1 @ x2`` for ``x2``: ``x1^T @ g``; see :func:`matmul_grad_x1`."""
    if _two_matrices(g, x1, x2):
        return x1.T @ g
    n1, n2 = np.ndim(x1), _ndim(x2)
    xp = array_namespace(g, x1)
    if n1 == 1:
        grad = xp.multiply(g, x1) if n2 == 1 else xp.expand_dims(x1, -1) * xp.expand_dims(g, -2)
    elif n2 == 1:
        grad = xp.matmul(_mT(xp, x1), xp.expand_dims(g, -1))[..., 0]
    else:
        grad = xp.matmul(_mT(xp, x1), g)
    return unbroadcast(grad, x2)


def _tensordot_axes(axes: Any, p: int, q: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    if isinstance(axes, (int, np.integer)):
        return tuple(range(p - int(axes), p)), tuple(range(int(axes)))
    axes_a, axes_b = axes
    axes_a = (axes_a,) if isinstance(axes_a, (int, np.integer)) else tuple(axes_a)
    axes_b = (axes_b,) if isinstance(axes_b, (int, np.integer)) else tuple(axes_b)
    return normalize_axis_tuple(axes_a, p), normalize_axis_tuple(axes_b, q)


def _tensordot_grad(g: Any, other: Any, mine: tuple, theirs: tuple, p: int, first: bool):
    # g's axes are a's free axes then b's. Contracting g with `other` over other's free axes
    # leaves [my free axes..., other's contracted axes sorted]; then permute into my layout.
    free_mine = [i for i in range(p) if i not in mine]
    free_theirs = [i for i in range(np.ndim(other)) if i not in theirs]
    start = len(free_mine) if first else 0
    g_axes = list(range(start, start + len(free_theirs)))
    xp = array_namespace(g, other)
    out = xp.tensordot(g, other, axes=(g_axes, free_theirs))
    rank = {axis: r for r, axis in enumerate(sorted(theirs))}
    source = [
        free_mine.index(i) if i in free_mine else len(free_mine) + rank[theirs[mine.index(i)]]
        for i in range(p)
    ]
    return xp.transpose(out, source)


@reads_shape_only(1)
def tensordot_grad_a(g: Any, a: Any, b: Any, axes: Any = 2) -> Any:
    """The adjoint of ``np.tensordot(a, b, axes)`` for ``a``: ``a``'s shape and accumulator dtype.

    ``axes`` is an int (last ``axes`` of ``a`` with first of ``b``) or a pair of axis sequences
    (or ints). Source: numpy.tensordot; the transpose of a contraction is a contraction.
    """
    axes_a, axes_b = _tensordot_axes(axes, _ndim(a), np.ndim(b))
    return unbroadcast(_tensordot_grad(g, b, axes_a, axes_b, _ndim(a), True), a)


@reads_shape_only(2)
def tensordot_grad_b(g: Any, a: Any, b: Any, axes: Any = 2) -> Any:
    """The adjoint of ``np.tensordot(a, b, axes)`` for ``b``; see :func:`tensordot_grad_a`."""
    axes_a, axes_b = _tensordot_axes(axes, np.ndim(a), _ndim(b))
    return unbroadcast(_tensordot_grad(g, a, axes_b, axes_a, _ndim(b), False), b)


def _einsum_terms(subscripts: str, ndims: list[int]) -> tuple[list[str], str]:
    # Input and output labels, each '...' replaced by fresh letters (right-aligned, as numpy
    # broadcasts), and implicit mode's output (ellipsis, then labels seen once, sorted) made
    # explicit.
    if not isinstance(subscripts, str):
        raise TypeError("the adjoint of einsum supports a subscripts string, not the sublist form")
    spec = subscripts.replace(" ", "")
    lhs, arrow, out = spec.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(ndims):
        raise ValueError(f"einsum {subscripts!r} names {len(terms)} operands, got {len(ndims)}")
    fresh = [c for c in string.ascii_letters if c not in spec]
    counts = [
        nd - len(t.replace("...", "")) if "..." in t else 0
        for t, nd in zip(terms, ndims, strict=True)
    ]
    dots = "".join(fresh[: max(counts, default=0)])
    inputs = [t.replace("...", dots[len(dots) - n :]) for t, n in zip(terms, counts, strict=True)]
    if not arrow:
        letters = lhs.replace("...", "").replace(",", "")
        once = sorted(c for c in set(letters) if letters.count(c) == 1)
        out = "..." * ("..." in lhs) + "".join(once)
    return inputs, out.replace("...", dots)


def _einsum_grad(g: Any, k: int, ops: list[Any], inputs: list[str], out: str, optimize: Any):
    labels = inputs[k]
    others = [i for i in range(len(ops)) if i != k]
    seen = set(out).union(*(inputs[i] for i in others))
    unique = "".join(dict.fromkeys(labels))
    kept = "".join(c for c in unique if c in seen)
    spec = ",".join([out] + [inputs[i] for i in others]) + "->" + kept
    xp = array_namespace(g, *ops)
    r = xp.einsum(spec, g, *(ops[i] for i in others), optimize=optimize)
    # labels only operand k has were summed in the primal: their cotangent is a broadcast
    r = xp.reshape(r, tuple(r.shape[kept.index(c)] if c in kept else 1 for c in unique))
    size = dict(zip(labels, np.shape(ops[k]), strict=True))
    target = tuple(size[c] for c in unique)
    stretched = tuple(
        i for i, (n, t) in enumerate(zip(r.shape, target, strict=True)) if t == 1 and n != 1
    )
    r = xp.broadcast_to(xp.sum(r, axis=stretched, keepdims=True) if stretched else r, target)
    if unique == labels:
        return unbroadcast(r, ops[k])
    if xp is not np:  # no writeable diagonal view: r times the identity on repeated labels
        return unbroadcast(_on_diagonal(xp, r, labels, unique, ops[k]), ops[k])
    full = np.zeros(np.shape(ops[k]), acc_dtype(dtype_of(ops[k])))
    np.einsum(f"{labels}->{unique}", full)[...] = r  # a writeable view of the diagonal
    return unbroadcast(full, ops[k])


def _on_diagonal(xp: Any, r: Any, labels: str, unique: str, ref: Any) -> Any:
    """``r`` (indexed by ``unique``) placed on the diagonal that ``labels`` repeats, zeros
    elsewhere: the einsum of ``r`` with one identity matrix per repeated occurrence."""
    size = dict(zip(labels, np.shape(ref), strict=True))
    fresh = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in labels]
    out_labels, eyes, seen = [], [], set()
    for c in labels:
        if c in seen:
            new = fresh.pop(0)
            eyes.append((c + new, xp.eye(size[c], dtype=r.dtype)))
            out_labels.append(new)
        else:
            seen.add(c)
            out_labels.append(c)
    spec = ",".join([unique] + [e for e, _ in eyes]) + "->" + "".join(out_labels)
    out = xp.einsum(spec, r, *(m for _, m in eyes))
    return out.astype(acc_dtype(dtype_of(ref)))


class LazyParts(Sequence):
    """A sequence whose ``i``-th item is computed when it is read (a rule's per-operand parts).

    Generated code reads only the parts of active operands, so the others cost nothing.
    Derivative code that is differentiated again reads it as a list (``s2s_parts``).
    """

    s2s_parts = True

    def __init__(self, count: int, part: Callable[[int], Any]) -> None:
        self._count = count
        self._part = part

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        if not -self._count <= index < self._count:
            raise IndexError(index)
        return self._part(index % self._count)


def einsum_grads(g: Any, subscripts: str, operands: Any, optimize: Any = False) -> LazyParts:
    """The adjoints of ``np.einsum(subscripts, *operands)``, one per operand, computed lazily.

    Operand ``k``'s adjoint is the einsum of ``g`` with the other operands onto ``k``'s labels;
    labels that only ``k`` has are broadcast back, a label repeated inside ``k`` (a diagonal)
    is written onto that diagonal of zeros, and size-1 axes numpy broadcast are summed. Each
    result has its operand's shape and accumulator dtype. Explicit and implicit modes and
    ``...`` are supported; the interleaved (operand, sublist) form is not.
    Source: numpy.einsum; the transpose of a multilinear contraction in one argument.
    """
    ops = list(operands)
    inputs, out = _einsum_terms(subscripts, [np.ndim(x) for x in ops])
    return LazyParts(len(ops), lambda k: _einsum_grad(g, k, ops, inputs, out, optimize))


def einsum_of(subscripts: str, operands: Any, optimize: Any = False) -> Any:
    """``np.einsum(subscripts, *operands)`` with the operands as one list: the form the plain
    twins below call (s2s differentiates no ``*`` unpacking into a call). Rules in
    ``templates/products.py``: those of ``np.einsum``. Source: numpy.einsum."""
    return np.einsum(subscripts, *operands, optimize=optimize)


def plain_einsum_second(g, subscripts, operands, parts, optimize=False):
    """:func:`einsum_second` by :func:`einsum_grads` (its twin, :mod:`s2s.runtime.sources`):
    operand ``j``'s part is the sum over ``k != j`` of its adjoint with operand ``k`` replaced
    by ``parts[k]``; ``einsum_grads`` has rules, so every further order follows."""
    operands = [np.asarray(o) for o in operands]  # a user's list operand: one array, bound once
    out = []
    for j, (mine, _) in enumerate(zip(operands, parts)):
        total = mine * 0.0
        for k, (theirs, part) in enumerate(zip(operands, parts)):
            if k != j and part is not None:
                moved = np.broadcast_to(part, np.shape(theirs))
                replaced = [moved if i == k else o for i, o in enumerate(operands)]
                total = total + einsum_grads(g, subscripts, replaced, optimize)[j]
        out.append(total)
    return out


@differentiated_as(plain_einsum_second)
def einsum_second(
    g: Any, subscripts: str, operands: Any, parts: Any, optimize: Any = False
) -> list[Any]:
    """The derivative of :func:`einsum_grads` in the operands, applied to ``parts`` (one per
    operand, ``None`` for none): for operand ``j``, the sum over ``k != j`` of operand
    ``j``'s adjoint with operand ``k`` replaced by ``parts[k]``. It is both the transpose
    (``parts`` the cotangents of the adjoints) and the tangent (``parts`` the operands'
    tangents): the Hessian of ``<g, einsum(...)>`` is symmetric. Zeros (the operand's shape,
    accumulator dtype) for an operand with no term, as the one operand of
    ``np.einsum("ii", a)`` has: generated code adds the parts it is given.
    Source: numpy.einsum; multilinearity (the second derivative of a product).
    """
    ops = list(operands)
    parts = [None] * len(ops) if parts is None else list(parts)
    out: list[Any] = [None] * len(ops)
    for k, part in enumerate(parts):
        if part is None:
            continue
        replaced = ops[:k] + [np.broadcast_to(part, np.shape(ops[k]))] + ops[k + 1 :]
        grads = einsum_grads(g, subscripts, replaced, optimize)
        for j in range(len(ops)):
            if j != k:
                out[j] = grads[j] if out[j] is None else out[j] + grads[j]
    return [zeros_like_acc(op) if o is None else o for op, o in zip(ops, out)]


def plain_einsum_grads_tangent(tg, g, subscripts, operands, tangents, optimize=False):
    """:func:`einsum_grads_tangent` by :func:`einsum_grads` and :func:`einsum_second` (its
    twin, :mod:`s2s.runtime.sources`); no ``tg`` is a zero one (a second ``return`` of
    another list is not differentiated)."""
    second = einsum_second(g, subscripts, operands, tangents, optimize)
    first = einsum_grads(g * 0.0 if tg is None else tg, subscripts, operands, optimize)
    return [f + o for f, o in zip(first, second)]


@differentiated_as(plain_einsum_grads_tangent)
def einsum_grads_tangent(
    tg: Any, g: Any, subscripts: str, operands: Any, tangents: Any, optimize: Any = False
) -> list[Any]:
    """The tangent of :func:`einsum_grads` along ``tg`` (of ``g``) and ``tangents`` (of the
    operands; ``None`` for none): the adjoints of ``tg``, plus :func:`einsum_second`.
    Source: numpy.einsum; multilinearity."""
    out = einsum_second(g, subscripts, operands, tangents, optimize)
    if tg is not None:
        first = einsum_grads(tg, subscripts, operands, optimize)
        out = [first[j] if o is None else first[j] + o for j, o in enumerate(out)]
    return out


@reads_shape_only(0, 1)
def inner_axes(a: Any, b: Any) -> Any:
    """The ``axes`` of ``np.tensordot`` that ``np.inner(a, b)`` is: the last axis of each, or
    ``0`` (an outer product: a scalar times an array) when either is a scalar.
    Source: numpy.inner."""
    if _ndim(a) == 0 or _ndim(b) == 0:
        return 0
    return ([-1], [-1])


class OuterSum:
    """The sum of a reversed loop's outer products ``np.outer(a_k, b_k)`` added into ``out``.

    Generated for ``d_W += np.outer(a, b)`` in every trip (the adjoint of ``np.dot(a, W)``):
    each :meth:`add` copies ``a`` and ``b`` into rows of two stacks, and :meth:`flush` adds
    them as one product, ``out += A^T B`` (an ``(m, n)`` matrix from ``k`` rows), instead of
    ``k`` outer products and ``k`` additions of an ``(m, n)`` temporary each. The rows are
    copies, so a later change to ``a`` or ``b`` does not matter; the stacks hold at most
    ``m n / (2 (m + n))`` rows (never more memory than half of ``out``): a full stack flushes.
    Any other shape (``out`` not 2-D of float, ``a`` or ``b`` not a vector of its side) is
    added at once as ``np.outer`` would. The sum is the same up to rounding (another order).

    >>> import numpy as np
    >>> out = np.zeros((2, 3)); acc = OuterSum(out)
    >>> acc.add(np.array([1.0, 2.0]), np.array([1.0, 0.0, 1.0]))
    >>> acc.add(np.array([0.0, 1.0]), np.array([0.0, 1.0, 0.0]))
    >>> acc.flush().tolist()
    [[1.0, 0.0, 1.0], [2.0, 1.0, 2.0]]
    """

    __slots__ = ("out", "rows", "cols", "count", "limit")

    def __init__(self, out: np.ndarray) -> None:
        self.out, self.rows, self.cols, self.count, self.limit = out, None, None, 0, 0

    def add(self, a: Any, b: Any) -> None:
        """Add ``np.outer(a, b)`` (kept as a row of each stack until :meth:`flush`)."""
        rows = self.rows
        if rows is None:
            out = self.out
            if type(out) is not np.ndarray or out.ndim != 2 or out.dtype.kind != "f":
                self.out += np.outer(a, b)
                return
            m, n = out.shape
            self.limit = max(1, (m * n) // (2 * (m + n)))
            rows = self.rows = np.empty((self.limit, m), out.dtype)
            self.cols = np.empty((self.limit, n), out.dtype)
        if np.shape(a) != rows.shape[1:] or np.shape(b) != self.cols.shape[1:]:
            self.out += np.outer(a, b)
            return
        k = self.count
        rows[k] = a
        self.cols[k] = b
        self.count = k = k + 1
        if k == self.limit:
            self.flush()

    def flush(self) -> np.ndarray:
        """Add the rows kept so far into ``out``; return ``out``."""
        k = self.count
        if k:
            self.out += self.rows[:k].T @ self.cols[:k]
            self.count = 0
        return self.out
