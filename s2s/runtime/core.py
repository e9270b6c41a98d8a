"""Runtime support generated code reaches as ``_s2s``: seeds, unbroadcast, buffers, hand-off."""

from __future__ import annotations

import operator
import types
from typing import Any

import numpy as np

from s2s.errors import UnsupportedArgumentError
from s2s.runtime.kinds import Undefined, add
from s2s.runtime.namespace import (
    HOST_TYPES,
    Like,
    array_namespace,
    broadcast,
    foreign_gradient,
    functional,
    is_foreign_array,
    scatter_added,
    zeros,
)


def reads_shape_only(*positions: int):
    """Mark which positional arguments of a runtime helper are read only for shape and dtype.

    The optimizer may then pass a recorded :class:`Like` there instead of the array, so the
    primal array can be freed before the adjoint sweep.
    """

    def mark(function):
        function.shape_only_args = positions
        return function

    return mark


_LIKES: dict[tuple[tuple[int, ...], np.dtype], Like] = {}  # one record per shape and dtype


def like(x: Any) -> Like:
    """Record ``x``'s shape and dtype so that ``x`` itself can be freed before the adjoint sweep.

    Records are shared (interned): a loop that saves the shape of a temporary at every step
    keeps one record, not one per step, on the tape.
    """
    if type(x) is np.ndarray:
        key = (x.shape, x.dtype)
    elif getattr(x, "s2s_parts", False):  # a rule's lazy parts (einsum's): one record each
        return [like(item) for item in x]
    elif type(x) is np.float64 or type(x) is float or x is None:  # a scalar loop's values
        key = ((), _FLOAT64)  # (None: a temporary before a loop's first trip, as np.shape sees it)
    elif _parts(x):  # np.split's list of pieces: one record each
        return [like(item) for item in x]
    elif type(x) is list and any(item is None for item in x):
        # a list's cotangent with parts that are symbolic zeros (derivatives of derivatives)
        return [None if item is None else like(item) for item in x]
    else:
        xp = array_namespace(x)
        if xp is not np:  # a Dask or CuPy array: the record keeps its namespace and chunks
            return Like(tuple(x.shape), x.dtype, xp, getattr(x, "chunks", None))
        key = (np.shape(x), dtype_of(x))
    found = _LIKES.get(key)
    if found is None:
        if len(_LIKES) > 4096:  # bounded: a program with ever new shapes starts over
            _LIKES.clear()
        found = _LIKES[key] = Like(*key)
    return found


def dtype_of(x: Any) -> np.dtype:
    """The dtype of an array, a :class:`Like` record or a scalar (a Python float is float64)."""
    if type(x) is np.ndarray:
        return x.dtype
    if isinstance(x, Like):
        return x.dtype
    dtype = getattr(x, "dtype", None)
    if dtype is not None:
        return dtype
    if type(x) in (list, tuple) and _holds_like(x):  # [x, x + 2] with a recorded element
        return np.result_type(*(dtype_of(e) for e in x))
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


_FLOAT64 = np.dtype(np.float64)
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
    """``np.shape`` that also reads a recorded :class:`Like`, alone or inside a list (the
    argument of ``np.mean([x, x + 2])``, whose elements' values the adjoint does not need)."""
    if isinstance(x, Like):
        return x.shape
    if type(x) in (list, tuple) and _holds_like(x):
        shapes = {shape_of(e) for e in x}
        if len(shapes) == 1:
            return (len(x), *shapes.pop())
        return np.shape([np.empty(s) for s in shapes])  # numpy's error for ragged nesting
    return np.shape(x)


def _holds_like(items: list | tuple) -> bool:
    # a list (or a plain tuple: Like is a tuple itself) with a Like record at any depth
    return any(isinstance(e, Like) or (type(e) in (list, tuple) and _holds_like(e)) for e in items)


def _parts_of(g: Any, ref: Any) -> bool:
    """``g`` a tuple of parts, or parts stacked onto a list with a ``None`` part (no array)."""
    if not isinstance(ref, (list, tuple)) or type(ref) is Like:
        return False
    stacked = getattr(g, "ndim", 0) and any(r is None for r in ref)
    return (type(g) is tuple or bool(stacked)) and len(g) == len(ref)


@reads_shape_only(1)
def unbroadcast(g: Any, ref: Any) -> Any:
    """Project cotangent ``g`` onto the shape and accumulator dtype of primal ``ref``.

    Sums over the axes that broadcasting added or stretched, then casts to
    ``acc_dtype(ref.dtype)`` (undoing NEP 50 promotion). Returns ``g`` itself when nothing
    needs doing, so the result may be borrowed. ``None`` (no cotangent) stays ``None``; a
    list's or tuple's cotangent (parts, or the parts stacked where ``ref`` has a part that is
    ``None``) is projected part by part.
    """
    if type(g) is np.ndarray and (type(ref) is np.ndarray or type(ref) is Like):
        if g.shape == ref.shape and g.dtype == ref.dtype and ref.dtype.char != "e":
            return g  # the common case, first: nothing to sum, nothing to cast
    elif type(g) is np.float64:  # a scalar loop's cotangent: a float64 scalar onto one
        kind = type(ref)
        if kind is np.float64 or kind is float or (kind is np.ndarray or kind is Like) and (
            ref.shape == () and ref.dtype == _FLOAT64
        ):
            return g
    elif type(g) is Undefined:
        return g
    elif g is None:  # no cotangent (gathered from a list's part that had none): zero, not nan
        return None
    elif type(g) is list and isinstance(ref, (list, tuple)) and len(g) == len(ref):
        # a list's cotangent (one part per item, None for none): each part onto its item
        return [p if p is None or r is None else unbroadcast(p, r) for p, r in zip(g, ref)]
    elif _parts_of(g, ref):  # the same, as an argument's tuple or stacked: as ref holds them
        parts = [None if p is None or r is None else unbroadcast(p, r) for p, r in zip(g, ref)]
        return parts if isinstance(ref, list) else tuple(parts)
    elif type(g) is list and ref is None:  # onto a list's cotangent that was None (zero)
        return g
    elif type(g) is list and type(ref) is Like and ref.shape[:1] == (len(g),):
        # onto a list of items of one shape, recorded as one (a tape's list cotangent)
        row = Like(ref.shape[1:], ref.dtype, ref.xp, None)
        return [None if p is None else unbroadcast(p, row) for p in g]
    if type(ref) is np.ndarray or type(ref) is Like:
        shape, dtype = ref.shape, ref.dtype
    else:  # a scalar, or a list of pieces (recorded ones among them: ``[x[0] * x[1]]``)
        shape, dtype = shape_of(ref), dtype_of(ref)
    xp = array_namespace(g, ref)
    g_shape = g.shape if type(g) is np.ndarray else np.shape(g)
    if g_shape != shape:
        lead = len(g_shape) - len(shape)
        if lead < 0:
            g = broadcast(xp, g, shape, ref)
        else:
            axes = tuple(range(lead)) + tuple(
                lead + i for i, n in enumerate(shape) if n == 1 and g_shape[lead + i] != 1
            )
            # numpy: the ufunc's reduce; elsewhere a sum (Dask: chunk-wise partial sums)
            g = np.add.reduce(g, axis=axes) if xp is np else xp.sum(g, axis=axes)
            if np.shape(g) != shape:
                g = xp.reshape(g, shape)
    target = acc_dtype(dtype)
    if dtype_of(g) != target:
        if xp is not np and is_foreign_array(g):
            return g.astype(target)  # a 0-d array stays on its device
        g = np.asarray(g).astype(target) if np.ndim(g) else target.type(g)
    return g


_PIECES = (np.ndarray, Like, list, tuple, np.float32, np.float16)  # and floats: [a, 2.0 * t]


def _parts(x: Any) -> bool:
    """Whether ``x`` is a list or tuple of pieces numpy cannot stack into one array: arrays (or
    lists of them) of several shapes (``np.array_split``'s), of another library, records."""
    if type(x) not in (list, tuple) or not x:
        return False
    if any(is_foreign_array(i) or (type(i) is Like and i.xp is not None) for i in x):
        return True
    if any(type(i) in (list, tuple) and _parts(i) for i in x):  # [g, [d_x, d_y]]: ragged inside
        return True
    shapes = {shape_of(i) for i in x if type(i) in _PIECES or isinstance(i, float)}  # [[a], g]
    return len(shapes) > 1


@reads_shape_only(0)
def zeros_like_acc(ref: Any) -> np.ndarray:
    """A new zero buffer with ``ref``'s shape in its accumulator dtype (an owned buffer), in
    ``ref``'s namespace (Dask: with its chunks); a list of them for a list of pieces of
    several shapes or of another library (``np.split``'s)."""
    if type(ref) is np.ndarray or type(ref) is Like and ref.xp is None:  # float64: no call
        return np.zeros(ref.shape, ref.dtype if ref.dtype is _FLOAT64 else acc_dtype(ref.dtype))
    if _parts(ref):
        return [zeros_like_acc(item) for item in ref]
    if type(ref) is list and any(item is None for item in ref):  # a list with no-gradient items
        return [None if item is None else zeros_like_acc(item) for item in ref]
    return zeros(array_namespace(ref), shape_of(ref), acc_dtype(dtype_of(ref)), ref)


@reads_shape_only(1)
def owned_copy(g: Any, ref: Any) -> np.ndarray:
    """A new array with ``g``'s values, ``ref``'s shape and accumulator dtype (an owned buffer)."""
    xp = array_namespace(g, ref)
    dtype = acc_dtype(dtype_of(ref))
    if functional(xp):  # Dask: a new array with ref's chunks, built without item assignment
        return (zeros(xp, shape_of(ref), dtype, ref) + g).astype(dtype)
    out = xp.empty(shape_of(ref), dtype)
    out[...] = g
    return out


@reads_shape_only(1)
def owned_buffer(g: Any, ref: Any) -> np.ndarray:
    """An owned buffer for ``ref``'s cotangent holding ``g``: zeros if ``g`` is ``None`` (no
    cotangent yet), else a copy (``g`` may be borrowed)."""
    return zeros_like_acc(ref) if g is None else owned_copy(g, ref)


def is_basic_key(key: Any) -> bool:
    """Whether ``key`` selects each entry at most once: integers, slices, ``None``, ``...``
    and boolean masks (no integer index arrays, which may repeat an index)."""
    items = key if isinstance(key, tuple) else (key,)
    for item in items:
        if item is None or item is Ellipsis or isinstance(item, (int, np.integer, slice)):
            continue
        if hasattr(item, "dtype") and item.dtype == bool and hasattr(item, "shape"):
            continue  # a boolean mask selects each entry at most once
        return False
    return True


def refuse_0d_gather(function: str, shape: tuple[int, ...]) -> None:
    """Raise :class:`~s2s.errors.UnsupportedArgumentError` when a gather's input is 0-d:
    numpy reads a 0-d array as one entry in ``take``, ``repeat`` and ``extract``, but the
    scatter-add that is their adjoint has no index into a 0-d cotangent buffer."""
    if len(shape) == 0:
        raise UnsupportedArgumentError(
            f"the rule of numpy.{function} differentiates arrays of at least one axis, not a "
            "0-d value (a Python float or numpy scalar)",
            None,
            f"pass np.atleast_1d(x) to np.{function}",
        )


def scatter_add(buffer: np.ndarray, key: Any, g: Any) -> np.ndarray:
    """Add ``g`` into ``buffer[key]`` in place, summing repeated integer indices (``np.add.at``),
    and return ``buffer``. A Dask buffer takes no in-place writes: the result is a new array
    (:func:`s2s.runtime.namespace.scatter_added`)."""
    if type(buffer) is np.ndarray:
        if is_basic_key(key):
            buffer[key] += g
        else:
            np.add.at(buffer, key, g)
        return buffer
    xp = array_namespace(buffer)
    key = _key_in(xp, key)
    if functional(xp):
        return scatter_added(xp, buffer, key, g)
    if is_basic_key(key):
        buffer[key] += g
    else:
        xp.add.at(buffer, key, g)
    return buffer


def scatter(total: Any, ref: Any, key: Any, g: Any) -> Any:
    """Scatter-add ``g`` at ``key`` on a path that may carry a marker (a new buffer each time)."""
    if isinstance(total, Undefined):
        return total
    if isinstance(g, Undefined):
        return g
    if getattr(ref, "s2s_parts", False):  # a rule's lazy parts: a list of them
        ref = list(ref)
    if isinstance(ref, (list, tuple)):  # xs[i] of a list (or a tuple): that item's cotangent
        parts = list(total) if total is not None else [None] * len(ref)
        if isinstance(key, slice):  # xs[1:]: a list whose parts go to the items it kept
            for j, position in enumerate(range(len(ref))[key]):
                parts[position] = add(parts[position], g[j] if g is not None else None)
            return parts
        parts[key] = add(parts[key], g)
        return parts
    buffer = zeros_like_acc(ref) if total is None else owned_copy(total, ref)
    if isinstance(g, (list, tuple)) and type(buffer) is np.ndarray:  # a row's cotangent given
        g = _dense_parts(g, np.shape(buffer[key]), buffer.dtype)  # as parts (None: zeros)
    return scatter_add(buffer, key, g)


def _dense_parts(parts: Any, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """A (nested) list of cotangent parts as one array of ``shape``, ``None`` parts zeros:
    the cotangent of a row of a nested list literal (``np.linalg.det([[a, b], [c, d]])``,
    differentiated again) added into an array; an object array before (numpy: cannot cast)."""
    out = np.zeros(shape, dtype)
    for i, part in enumerate(parts):
        if isinstance(part, (list, tuple)):
            out[i] = _dense_parts(part, shape[1:], dtype)
        elif part is not None:
            out[i] = part
    return out


def _key_in(xp: Any, key: Any) -> Any:
    """``key`` with its numpy index arrays copied to ``xp`` (host to device, never back)."""
    if isinstance(key, tuple):
        return tuple(xp.asarray(k) if type(k) is np.ndarray else k for k in key)
    return xp.asarray(key) if type(key) is np.ndarray else key


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


def augmented(new: Any, old: Any) -> Any:
    """The value of ``old op= ...``: an ndarray keeps its dtype and shape, a scalar rebinds.

    Raises ``ValueError`` exactly where numpy's in-place operation would (a broadcast that
    would grow ``old``).
    """
    if isinstance(old, np.ndarray) or is_foreign_array(old):
        if np.shape(new) != old.shape:
            raise ValueError(
                f"non-broadcastable output operand with shape {old.shape} doesn't match "
                f"the broadcast shape {np.shape(new)}"
            )
        if new.dtype != old.dtype:
            foreign = is_foreign_array(new)
            new = new.astype(old.dtype) if foreign else np.asarray(new).astype(old.dtype)
        return new
    return new


def _fresh(out: np.ndarray, protect: tuple[Any, ...]) -> np.ndarray:
    if not out.flags.writeable or out.base is not None and not out.flags.owndata:
        return out.copy()
    if out.flags.owndata:  # an array that owns its memory shares it only if it is one of them
        for other in protect:
            if out is other:
                return out.copy()
        return out
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
    if type(buffer) is np.float64 and (type(x) is np.float64 or type(x) is float):
        return buffer  # a scalar loop's (a checkpointed trip's): np.float64 already
    if isinstance(buffer, Undefined):
        return buffer  # undefined="return": the marker itself
    if type(x) is tuple or type(x) is list:  # a tuple or list value (a list output's
        parts = [None] * len(x) if buffer is None else list(buffer)  # tangent): item by item
        out: list[Any] = []
        for part, item in zip(parts, x, strict=True):
            out.append(gradient(part, item, protect + tuple(out)))
        return type(x)(out)
    if type(buffer) is np.ndarray and type(x) is np.ndarray:  # numpy: the common case
        pass
    elif (type(buffer) not in HOST_TYPES and is_foreign_array(buffer)) or (
        type(x) not in HOST_TYPES and is_foreign_array(x)
    ):
        if isinstance(x, np.ndarray) or is_foreign_array(x):  # computed on Dask or CuPy
            return foreign_gradient(buffer, x, protect)
    if isinstance(x, np.ndarray):
        dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
        if buffer is None:
            return np.zeros(x.shape, dtype)
        out = np.asarray(buffer)
        if out.shape != x.shape:  # a zero grows; a broadcast x's cotangent is summed onto it
            out = _onto(out, x.shape)
        if out.dtype != dtype:
            return out.astype(dtype)
        return _fresh(out, protect)
    if isinstance(x, np.generic):
        scalar = x.dtype.type if x.dtype.kind == "f" else np.float64
    else:
        scalar = np.float64
    if type(buffer) is not np.ndarray and is_foreign_array(buffer):
        # computed on Dask or CuPy: a 0-d array of it (lazy, or on the device), not a scalar
        return buffer.astype(scalar) if buffer.dtype != scalar else buffer.copy()
    if buffer is not None and np.ndim(buffer):  # the cotangent of the scalar broadcast
        buffer = _onto(np.asarray(buffer), ())
    return scalar(0.0 if buffer is None else buffer)


def _onto(buffer: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """A finished buffer of another shape than its ``wrt`` value's ``shape``: a smaller one (a
    zero) broadcast up, a larger one (the cotangent of the value broadcast into a rule's
    larger result, numpy's only way to grow an input) summed over the broadcast axes."""
    if len(buffer.shape) <= len(shape) and np.broadcast_shapes(buffer.shape, shape) == shape:
        return np.broadcast_to(buffer, shape)
    np.broadcast_shapes(buffer.shape, shape)  # ValueError where no broadcast relates them
    return np.asarray(unbroadcast(buffer, Like(shape, buffer.dtype)))


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
    if right is None:
        return ufunc(left)
    operator_ = _OPERATORS.get(getattr(ufunc, "__name__", ""), ufunc)  # 1 + 0.5 is a float,
    return operator_(left, right)  # np.add(1, 0.5) an np.float64


_OPERATORS = {"add": operator.add, "subtract": operator.sub, "multiply": operator.mul,
              "divide": operator.truediv}  # optimize.reuse_dead_temporaries's + - * / (any xp)


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


gradient.value_free_args = ("x", "protect")  # read for type and identity (fuzz 02f9e7b9)


def layout_copy(array: np.ndarray) -> np.ndarray:
    """A copy of ``array`` laid out as a ufunc's result on it (a later sum adds in the plain
    call's order); ``copy(order="K")`` puts a broadcast view's zero-stride axis last."""
    if 0 in array.strides and array.dtype.kind in "iufc":
        return np.positive(array)
    return array.copy(order="K")


def shared_key(function: Any) -> Any:
    """What a sub-derivative is cached under: a nested def is new at every call, so one serves
    each code object with its globals (by identity: look-alike code of two files must not share)
    and defaults; a closure, or a derivative object (no ``__code__``), is its own key."""
    code = getattr(function, "__code__", None)
    if code is None or function.__closure__ is not None:
        return function
    return (id(code), id(function.__globals__), _defaults_key(function))


def _defaults_key(function: Any) -> tuple:
    """Its defaults (by value, or by identity where unhashable): ``d.__defaults__ = (7.0,)``
    makes a new derivative, whose wrapper binds calls with the defaults it was made with."""
    key = []
    for value in (*(function.__defaults__ or ()), *(function.__kwdefaults__ or {}).items()):
        try:
            key.append((type(value), hash(value), value))
        except TypeError:  # an array, a tuple holding one
            key.append(("id", id(value)))
    return tuple(key)


_SUBDERIVATIVES: dict = {}
_MAKE_VJP: list[Any] = []  # s2s.vjp, given by s2s.api: the runtime imports no pass


def set_vjp_maker(make_vjp: Any) -> None:
    """Give the runtime the function that makes sub-derivatives (``s2s.vjp``). ``s2s.api``
    calls this when it is imported, so generated code runs with the runtime alone and only
    a sub-derivative's first call reaches back into the passes."""
    _MAKE_VJP[:] = [make_vjp]


def method_of_callable(function: Any) -> Any:
    """An object of the user's class with a ``__call__`` written in Python: that bound method
    (differentiated from its source); a helper with a plain twin: the twin; else unchanged."""
    if isinstance(function, (types.FunctionType, types.MethodType, type)):
        return getattr(function, "__s2s_source__", None) or function  # a helper's plain twin
    call = type(function).__dict__.get("__call__")
    if isinstance(call, types.FunctionType) and not getattr(function, "__s2s_derivative__", False):
        return function.__call__
    return function


def subderivative(function: Any, wrt: tuple[str, ...], checkpoint: Any = None) -> Any:
    """The ``vjp`` of the user's own ``function`` with respect to the parameters ``wrt``, as
    differentiated code calls it: ``value, pullback = subderivative(g, ("a",))(a, b)``. One
    per (function, wrt, checkpoint), each cached per argument signature like any derivative;
    ``checkpoint`` is the caller's ``checkpoint=`` (its loops checkpointed too)."""
    function = method_of_callable(function)
    if isinstance(function, types.MethodType):  # net.forward: the function's, bound to net
        found = subderivative(function.__func__, wrt, checkpoint)
        return types.MethodType(found, function.__self__)
    key = (shared_key(function), wrt, checkpoint)
    found = _SUBDERIVATIVES.get(key)
    if found is None:
        more = {} if checkpoint is None else {"checkpoint": checkpoint}
        found = _SUBDERIVATIVES[key] = _MAKE_VJP[0](function, wrt=wrt, **more)
    return found


def stop_gradient(x: Any) -> Any:
    """Return ``x`` unchanged; no cotangent flows back through it (a *disconnected* cut).

    Use it for values that should be treated as constants, such as the max subtracted for a
    numerically stable softmax. ``x`` keeps the gradients of its other uses.
    """
    return x
