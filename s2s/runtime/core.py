"""Runtime support generated code reaches as ``_s2s``: seeds, unbroadcast, buffers, hand-off."""

from __future__ import annotations

import linecache
import operator
from typing import Any, NamedTuple

import numpy as np

from s2s.errors import CotangentError, Location, MutationError, NonScalarOutputError
from s2s.runtime.kinds import Undefined


def reads_shape_only(*positions: int):
    """Mark which positional arguments of a runtime helper are read only for shape and dtype.

    The optimizer may then pass a recorded :class:`Like` there instead of the array, so the
    primal array can be freed before the adjoint sweep.
    """

    def mark(function):
        function.shape_only_args = positions
        return function

    return mark


class Like(NamedTuple):
    """The shape and dtype of a primal value: all an adjoint needs when it needs no values."""

    shape: tuple[int, ...]
    dtype: np.dtype


_LIKES: dict[tuple[tuple[int, ...], np.dtype], Like] = {}  # one record per shape and dtype


def like(x: Any) -> Like:
    """Record ``x``'s shape and dtype so that ``x`` itself can be freed before the adjoint sweep.

    Records are shared (interned): a loop that saves the shape of a temporary at every step
    keeps one record, not one per step, on the tape.
    """
    key = (x.shape, x.dtype) if type(x) is np.ndarray else (np.shape(x), _dtype_of(x))
    found = _LIKES.get(key)
    if found is None:
        if len(_LIKES) > 4096:  # bounded: a program with ever new shapes starts over
            _LIKES.clear()
        found = _LIKES[key] = Like(*key)
    return found


def _dtype_of(x: Any) -> np.dtype:
    if type(x) is np.ndarray:
        return x.dtype
    if isinstance(x, Like):
        return x.dtype
    dtype = getattr(x, "dtype", None)
    if dtype is not None:
        return dtype
    if isinstance(x, bool):
        return np.dtype(bool)
    if isinstance(x, int):
        return np.dtype(np.int64)
    if isinstance(x, complex):
        return np.dtype(np.complex128)
    return np.dtype(np.float64)


def acc_dtype(dtype: Any) -> np.dtype:
    """The dtype adjoints accumulate in for a primal of ``dtype``: float16 accumulates in float32.

    Integer and boolean primals never have adjoints; they map to float64 for ``allow_int``.
    """
    found = _ACCUMULATOR.get(dtype)  # np.dtype keys: the common case, without a conversion
    if found is None:
        dtype = np.dtype(dtype)
        found = _ACCUMULATOR.get(dtype, dtype if dtype.kind in "fc" else np.dtype(np.float64))
    return found


_ACCUMULATOR = {
    np.dtype(np.float64): np.dtype(np.float64),
    np.dtype(np.float32): np.dtype(np.float32),
    np.dtype(np.float16): np.dtype(np.float32),
}


def narrow(g: Any, dtype: str) -> Any:
    """Cotangent ``g`` in the adjoint sweep's dtype ``dtype`` (``"float32"``), narrower than its
    primal's: a float32 function whose values a float64 constant promoted (NEP 50:
    ``x32 * np.float64(2.0)`` is float64) keeps its cotangents in float32 from the first
    contribution on. Arrays and numpy or Python floats are cast; anything else (``None``, an
    ``Undefined`` marker) passes unchanged."""
    if isinstance(g, np.ndarray):
        return g if g.dtype == dtype else g.astype(dtype)
    if isinstance(g, (float, np.floating)):
        return np.dtype(dtype).type(g)
    return g


@reads_shape_only(0)
def shape_of(x: Any) -> tuple[int, ...]:
    """``np.shape`` that also reads a recorded :class:`Like`."""
    return x.shape if isinstance(x, Like) else np.shape(x)


@reads_shape_only(1)
def unbroadcast(g: Any, ref: Any) -> Any:
    """Project cotangent ``g`` onto the shape and accumulator dtype of primal ``ref``.

    Sums over the axes that broadcasting added or stretched, then casts to
    ``acc_dtype(ref.dtype)`` (undoing NEP 50 promotion). Returns ``g`` itself when nothing
    needs doing, so the result may be borrowed.
    """
    if type(g) is np.ndarray and (type(ref) is np.ndarray or type(ref) is Like):
        if g.shape == ref.shape and g.dtype == ref.dtype and ref.dtype.char != "e":
            return g  # the common case, first: nothing to sum, nothing to cast
    elif type(g) is Undefined:
        return g
    if type(ref) is np.ndarray or type(ref) is Like:
        shape, dtype = ref.shape, ref.dtype
    else:
        shape, dtype = np.shape(ref), _dtype_of(ref)
    g_shape = g.shape if type(g) is np.ndarray else np.shape(g)
    if g_shape != shape:
        lead = len(g_shape) - len(shape)
        if lead < 0:
            g = np.broadcast_to(g, shape)
        else:
            axes = tuple(range(lead)) + tuple(
                lead + i for i, n in enumerate(shape) if n == 1 and g_shape[lead + i] != 1
            )
            g = np.add.reduce(g, axis=axes)
            if np.shape(g) != shape:
                g = np.reshape(g, shape)
    target = acc_dtype(dtype)
    if _dtype_of(g) != target:
        g = np.asarray(g).astype(target) if np.ndim(g) else target.type(g)
    return g


@reads_shape_only(0)
def zeros_like_acc(ref: Any) -> np.ndarray:
    """A new zero buffer with ``ref``'s shape in its accumulator dtype (an owned buffer)."""
    return np.zeros(shape_of(ref), acc_dtype(_dtype_of(ref)))


@reads_shape_only(1)
def owned_copy(g: Any, ref: Any) -> np.ndarray:
    """A new array with ``g``'s values, ``ref``'s shape and accumulator dtype (an owned buffer)."""
    out = np.empty(shape_of(ref), acc_dtype(_dtype_of(ref)))
    out[...] = g
    return out


@reads_shape_only(1)
def owned_buffer(g: Any, ref: Any) -> np.ndarray:
    """An owned buffer for ``ref``'s cotangent holding ``g``: zeros if ``g`` is ``None`` (no
    cotangent yet), else a copy (``g`` may be borrowed)."""
    return zeros_like_acc(ref) if g is None else owned_copy(g, ref)


def _is_basic_key(key: Any) -> bool:
    items = key if isinstance(key, tuple) else (key,)
    for item in items:
        if item is None or item is Ellipsis or isinstance(item, (int, np.integer, slice)):
            continue
        if isinstance(item, np.ndarray) and item.dtype == bool:
            continue  # a boolean mask selects each entry at most once
        return False
    return True


def scatter_add(buffer: np.ndarray, key: Any, g: Any) -> np.ndarray:
    """Add ``g`` into ``buffer[key]`` in place, summing repeated integer indices (``np.add.at``)."""
    if _is_basic_key(key):
        buffer[key] += g
    else:
        np.add.at(buffer, key, g)
    return buffer


def is_real_scalar(value: Any) -> bool:
    """True for a Python float, a numpy floating scalar or a 0-d floating array."""
    if isinstance(value, float):
        return True
    if isinstance(value, np.floating):
        return True
    return (
        isinstance(value, np.ndarray)
        and type(value) is np.ndarray
        and value.ndim == 0
        and value.dtype.kind == "f"
    )


def _where(filename: str, lineno: int) -> Location:
    return Location(filename, lineno, 0, linecache.getline(filename, lineno).rstrip("\n"))


def item_cotangents(*parts: Any) -> list[Any]:
    """The cotangent of a tuple argument: one part per item (``None`` where an item got
    none); :func:`s2s.runtime.kinds.add` adds such lists item by item."""
    return list(parts)


def item_of(parts: Any, j: int) -> Any:
    """Item ``j`` of a container's cotangent (a list of parts or an array), ``None`` for none."""
    return None if parts is None else parts[j]


def item_at(g: Any, key: Any, n: int) -> list[Any]:
    """The cotangent of a tuple literal of ``n`` items read as ``(a, b, ...)[key]``: ``g`` for
    the item at ``key``, ``None`` for the others (a slice gives its items ``g[0], g[1], ...``)."""
    parts: list[Any] = [None] * n
    if isinstance(key, slice):
        for j, position in enumerate(range(n)[key]):
            parts[position] = g[j]
        return parts
    parts[operator.index(key)] = g
    return parts


def check_no_view(
    alias: Any, array: Any, key: Any, names: tuple[str, str], filename: str, lines: tuple[int, int]
) -> None:
    """Before ``array[key] = v``: raise :class:`MutationError` if ``alias`` (an earlier
    ``array[i]`` still in use) is a view whose memory the write changes (a row of a 2-D
    array). An element or a copy is left alone. ``names`` are the user's names of ``alias``
    and ``array``; ``lines`` the lines of the view and of the write."""
    if type(alias) is not np.ndarray or type(array) is not np.ndarray:
        return
    try:
        region = array[key]
        if type(region) is not np.ndarray:  # one element: the view of it
            region = array[(*key, None) if isinstance(key, tuple) else (key, None)]
    except (IndexError, TypeError, ValueError):
        region = array
    if np.may_share_memory(alias, region):
        shown, user = names
        raise MutationError(
            f"`{user}` is assigned into, but `{shown}` (line {lines[0]}) is a view of the "
            "entries written, so it would change too: aliasing updates are not supported yet",
            _where(filename, lines[1]),
            f"take a copy where the view is made (`{shown} = ....copy()`), or assign into "
            f"`{user}` after the last use of `{shown}`",
        )


def check_scalar(value: Any, filename: str, lineno: int, returns: tuple[int, ...] = ()) -> Any:
    """Return ``value`` if it is a real floating scalar, else raise :class:`NonScalarOutputError`
    naming the primal ``return`` at ``filename:lineno`` (or, for a function with several
    ``returns``, its ``def`` line and every return's line)."""
    if is_real_scalar(value):
        return value
    shape = np.shape(value) if isinstance(value, (np.ndarray, np.generic)) else None
    kind = type(value).__name__
    if shape is not None:
        kind += f" of shape {shape} and dtype {value.dtype}"
    if shape == () or isinstance(value, (int, complex)):
        advice = (
            "return a real floating value: integer and boolean outputs have no gradient, "
            "complex ones are not supported yet (return `float(...)` or `.real`/`abs(...)`)"
        )
    else:
        advice = (
            "reduce the output to a scalar (for example `.sum()` or `np.mean(...)`), "
            "or use s2s.vjp to pull back a cotangent of the output's shape"
        )
    if returns:
        kind += f" (from one of its returns, on lines {', '.join(str(n) for n in returns)})"
    raise NonScalarOutputError(
        f"a gradient needs a real floating scalar output, but the function returned a {kind}",
        _where(filename, lineno),
        advice,
    )


def seed(value: Any) -> Any:
    """The output cotangent 1 in the output's accumulator dtype (float32 for a float16 output)."""
    return acc_dtype(_dtype_of(value)).type(1.0)


def check_cotangent(ct: Any, value: Any, filename: str, lineno: int) -> Any:
    """Check a user's cotangent against the primal output; return it in the accumulator dtype.

    Raises :class:`CotangentError` when the shape differs or the cotangent is not floating.
    The user's array is never written: adjoint code only reads borrowed buffers.
    """
    where = _where(filename, lineno)
    if ct is None:
        raise CotangentError(
            "the pullback was given None; a function with one output needs its cotangent",
            where,
            "pass an array of the output's shape, e.g. np.ones_like(value)",
        )
    ct_shape = np.shape(ct)
    out_shape = np.shape(value)
    if ct_shape != out_shape:
        raise CotangentError(
            f"the cotangent has shape {ct_shape} but the output has shape {out_shape}",
            where,
            "pass a cotangent with exactly the output's shape (np.ones_like(value) for a sum)",
        )
    dtype = _dtype_of(ct)
    if dtype.kind != "f":
        raise CotangentError(
            f"the cotangent has dtype {dtype}; cotangents must be real floating arrays",
            where,
            "pass a float array, for example ct.astype(value.dtype)",
        )
    target = acc_dtype(_dtype_of(value))
    if dtype != target:
        ct = np.asarray(ct).astype(target) if np.ndim(ct) else target.type(ct)
    return ct


def check_cotangents(cts: Any, values: tuple, filename: str, lineno: int) -> tuple:
    """Check the cotangents of a function returning a tuple: one entry per output, each an array
    of that output's shape or ``None`` (no cotangent: the paths from it cost nothing)."""
    if not isinstance(cts, (tuple, list)) or len(cts) != len(values):
        raise CotangentError(
            f"the function returns {len(values)} outputs, so the pullback takes a tuple of "
            f"{len(values)} cotangents (None for an output without one), not {type(cts).__name__}"
            + (f" of length {len(cts)}" if isinstance(cts, (tuple, list)) else ""),
            _where(filename, lineno),
            "pass e.g. pullback((ct_first, None))",
        )
    return tuple(
        None if ct is None else check_cotangent(ct, value, filename, lineno)
        for ct, value in zip(cts, values)
    )


def augmented(new: Any, old: Any) -> Any:
    """The value of ``old op= ...``: an ndarray keeps its dtype and shape, a scalar rebinds.

    Raises ``ValueError`` exactly where numpy's in-place operation would (a broadcast that
    would grow ``old``).
    """
    if isinstance(old, np.ndarray):
        if np.shape(new) != old.shape:
            raise ValueError(
                f"non-broadcastable output operand with shape {old.shape} doesn't match "
                f"the broadcast shape {np.shape(new)}"
            )
        if new.dtype != old.dtype:
            new = np.asarray(new).astype(old.dtype)
        return new
    return new


def _fresh(out: np.ndarray, protect: tuple[Any, ...]) -> np.ndarray:
    if not out.flags.writeable or out.base is not None and not out.flags.owndata:
        return out.copy()
    if out.flags.owndata:  # an array that owns its memory shares it only if it is one of them
        return out.copy() if any(out is other for other in protect) else out
    for other in protect:
        if isinstance(other, np.ndarray) and (out is other or np.may_share_memory(out, other)):
            return out.copy()
    return out


def gradient(buffer: Any, x: Any, protect: tuple[Any, ...] = ()) -> Any:
    """Hand a finished adjoint buffer to the user with the type of its ``wrt`` value ``x``.

    A Python float gives ``np.float64``; a numpy scalar the same scalar type; an ndarray a new
    ndarray of ``x``'s shape and dtype that shares memory with nothing in ``protect`` (the
    arguments, the output cotangent, the gradients already returned).
    """
    if isinstance(buffer, Undefined):
        return buffer  # undefined="return": the marker itself
    if type(x) is tuple:  # a tuple argument: a tuple of its items' gradients
        parts = [None] * len(x) if buffer is None else list(buffer)
        out: list[Any] = []
        for part, item in zip(parts, x, strict=True):
            out.append(gradient(part, item, protect + tuple(out)))
        return tuple(out)
    if isinstance(x, np.ndarray):
        dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
        if buffer is None:
            return np.zeros(x.shape, dtype)
        out = np.asarray(buffer)
        if out.shape != x.shape:
            out = np.broadcast_to(out, x.shape)
        if out.dtype != dtype:
            return out.astype(dtype)
        return _fresh(out, protect)
    if isinstance(x, np.generic):
        scalar = x.dtype.type if x.dtype.kind == "f" else np.float64
        return scalar(0.0 if buffer is None else buffer)
    return np.float64(0.0 if buffer is None else buffer)


def gradients(buffers: tuple[Any, ...], xs: tuple[Any, ...], protect: tuple[Any, ...] = ()):
    """:func:`gradient` for several ``wrt`` values; no two results share memory."""
    out = []
    for buffer, x in zip(buffers, xs):
        g = gradient(buffer, x, protect + tuple(out))
        out.append(g)
    return tuple(out)


def into(ufunc: Any, left: Any, right: Any = None) -> Any:
    """``ufunc(left, right)`` (or ``ufunc(left)``) written into ``left``'s memory when ``left``
    is an ndarray whose shape and dtype the result keeps (``left`` is a temporary no one else
    holds); otherwise a new array, exactly as the operator would give."""
    if type(left) is np.ndarray and left.ndim and left.flags.writeable:
        if right is None:
            if left.dtype.kind == "f":  # float ufuncs of one float argument keep its dtype
                return ufunc(left, out=left)
        elif _keeps(left, right):
            return ufunc(left, right, out=left)
    return ufunc(left) if right is None else ufunc(left, right)


def _keeps(left: np.ndarray, right: Any) -> bool:
    """Whether ``left op right`` has ``left``'s shape and dtype (NEP 50 promotion)."""
    if type(right) is float:
        return left.dtype.kind == "f"
    if type(right) is np.ndarray:
        if right.dtype != left.dtype:
            return False
        shape = right.shape
        if shape == left.shape or shape == left.shape[len(left.shape) - len(shape) :]:
            return True
        return np.broadcast_shapes(left.shape, shape) == left.shape
    return (
        np.broadcast_shapes(left.shape, np.shape(right)) == left.shape
        and np.result_type(left, right) == left.dtype
    )


def overwritten(array: np.ndarray, key: Any) -> Any:
    """A copy of ``array[key]``, saved before ``array[key] = ...`` destroys it."""
    return np.array(array[key], copy=True)


def written_part(g: Any, key: Any, array: Any = None) -> Any:
    """The cotangent of the values ``x[key] = v`` wrote: ``g[key]``, except that where an
    integer index repeats only the last write counts (numpy keeps the last), so the earlier
    duplicates get zero. Into an integer or boolean ``array`` (``np.arange(3)``) the write
    truncates: piecewise constant, so the part is zero."""
    part = g[key]
    if array is not None and _dtype_of(array).kind not in "fc":
        return np.zeros_like(part)
    if _is_basic_key(key):
        return part
    writers = np.arange(np.size(part)).reshape(np.shape(part))
    scratch = np.full(np.shape(g), -1)
    scratch[key] = writers
    return np.where(scratch[key] == writers, part, 0)


def zeroed_at(g: Any, key: Any) -> np.ndarray:
    """A copy of cotangent ``g`` with zeros at ``key``: entries a write replaced have no
    gradient with respect to the array before the write."""
    out = np.array(g, copy=True)
    out[key] = 0
    return out


def detached(value: Any) -> Any:
    """``value`` with its arrays copied (tuples too): the adjoint sweep of a function that
    writes into arrays restores their old entries, which must not reach the caller."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, tuple):
        return tuple(detached(v) for v in value)
    if isinstance(value, list):
        return [detached(v) for v in value]
    return value


_SUBDERIVATIVES: dict = {}


def subderivative(function: Any, wrt: tuple[str, ...]) -> Any:
    """The ``vjp`` of the user's own ``function`` with respect to the parameters ``wrt``, as
    differentiated code calls it: ``value, pullback = subderivative(g, ("a",))(a, b)``. One
    per (function, wrt), each cached per argument signature like any derivative."""
    # a nested def is a new function object on every call: share one derivative per code
    key = (function.__code__ if function.__closure__ is None else function, wrt)
    found = _SUBDERIVATIVES.get(key)
    if found is None:
        from s2s.api import vjp

        found = _SUBDERIVATIVES[key] = vjp(function, wrt=wrt)
    return found


def stop_gradient(x: Any) -> Any:
    """Return ``x`` unchanged; no cotangent flows back through it (a *disconnected* cut).

    Use it for values that should be treated as constants, such as the max subtracted for a
    numerically stable softmax. ``x`` keeps the gradients of its other uses.
    """
    return x
