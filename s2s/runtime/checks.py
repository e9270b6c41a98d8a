"""Checks generated code makes at its entry and exit: a real scalar output for ``grad``, a
cotangent of the output's shape for ``vjp``, and no live view of entries a write destroys;
and the arrays a ``vjp``'s pullback restores in place, their final values kept and put back
around it."""

from __future__ import annotations

import linecache
from typing import Any

import numpy as np
from numpy.lib.array_utils import byte_bounds

from s2s.errors import (
    CotangentError,
    DtypeError,
    Location,
    MutationError,
    NonScalarOutputError,
    NoRuleError,
    UnsupportedSyntaxError,
)
from s2s.runtime.core import acc_dtype, dtype_of, gradient
from s2s.runtime.namespace import array_namespace, functional, is_foreign_array


def is_real_scalar(value: Any) -> bool:
    """True for a Python float, a numpy floating scalar or a 0-d floating array (of numpy,
    Dask or CuPy: its value is not read)."""
    if isinstance(value, float):
        return True
    if isinstance(value, np.floating):
        return True
    if type(value) is np.ndarray or is_foreign_array(value):
        return value.ndim == 0 and value.dtype.kind == "f"
    return False


def _where(filename: str, lineno: int) -> Location:
    return Location(filename, lineno, 0, linecache.getline(filename, lineno).rstrip("\n"))


def check_no_view(
    alias: Any, array: Any, key: Any, names: tuple[str, str], filename: str, lines: tuple[int, int]
) -> None:
    """Before ``array[key] = v``: raise :class:`MutationError` if ``alias`` (an earlier
    ``array[i]`` still in use) is a view whose memory the write changes (a row of a 2-D
    array). An element or a copy is left alone. ``names`` are the user's names of ``alias``
    and ``array``; ``lines`` the lines of the view and of the write. ``alias`` may be a list
    (``xs.append(a[1:])``): then each of its items is checked."""
    if type(alias) is list:
        _, _, lows, highs, others = _held(alias)
        if isinstance(array, np.ndarray) and _overlap(lows, highs, _region(array, key)):
            _raise(names, filename, lines, held=True)
        for item in others:  # a CuPy or PyTorch item: its namespace's may_share_memory
            _check_inside(item, array, key, names, filename, lines)
        return
    _check_item(alias, array, key, names, filename, lines, held=False)


def _check_inside(item: Any, array, key, names, filename, lines) -> None:
    """A list's item: an array, or a container (``xs.append((a[1:], b))``) looked into."""
    if isinstance(item, (list, tuple, dict)):
        for inner in item.values() if isinstance(item, dict) else item:
            _check_inside(inner, array, key, names, filename, lines)
    elif isinstance(item, np.ndarray) and isinstance(array, np.ndarray):
        if np.may_share_memory(item, _region(array, key)):
            _raise(names, filename, lines, held=True)
    else:
        _check_item(item, array, key, names, filename, lines)


# id(list) -> (the list, how many of its items are recorded, the numpy items' byte bounds, its
# other arrays and containers, looked into at each check): a list that holds views is checked
# at each write into their array, so each item is looked at once (lists only grow, by append:
# s2s refuses any other change to one); the latest few lists only (it keeps them alive)
_HELD: dict[int, tuple[list, int, np.ndarray, np.ndarray, list]] = {}


def _held(items: list) -> tuple[list, int, np.ndarray, np.ndarray, list]:
    """The record of ``items`` in ``_HELD``, brought up to date with the items appended since."""
    entry = _HELD.pop(id(items), None)
    if entry is None or entry[0] is not items or entry[1] > len(items):
        entry = (items, 0, np.empty(0, np.intp), np.empty(0, np.intp), [])
    _, seen, lows, highs, others = entry
    if seen < len(items):
        new = items[seen:]
        bounds = [byte_bounds(a) for a in new if isinstance(a, np.ndarray) and a.size]
        if bounds:
            pairs = np.array(bounds, dtype=np.intp).reshape(-1, 2)
            lows, highs = np.concatenate([lows, pairs[:, 0]]), np.concatenate([highs, pairs[:, 1]])
        others = others + [a for a in new if not isinstance(a, np.ndarray) and (
            is_foreign_array(a) or isinstance(a, (list, tuple, dict)))]  # fmt: skip
        entry = (items, len(items), lows, highs, others)
    _HELD[id(items)] = entry
    while len(_HELD) > 8:
        del _HELD[next(iter(_HELD))]
    return entry


def _overlap(lows: np.ndarray, highs: np.ndarray, region: np.ndarray) -> bool:
    """Whether a byte range ``[lows[k], highs[k])`` meets ``region``'s (as
    ``np.may_share_memory`` decides, by bounds), in numpy's time, not Python's."""
    if not region.size:
        return False
    low, high = byte_bounds(region)
    return bool(np.any((lows < high) & (highs > low)))


def _check_item(alias, array, key, names, filename, lines, held: bool = True) -> None:
    if type(alias) is not np.ndarray or type(array) is not np.ndarray:
        xp = array_namespace(alias, array)
        if xp is np or functional(xp) or not hasattr(xp, "may_share_memory"):
            return  # a Dask array's pieces are new arrays: an assignment changes none of them
        _check_view(xp, alias, array, key, names, filename, lines, held)
        return
    _check_view(np, alias, array, key, names, filename, lines, held)


def _region(array: Any, key: Any) -> Any:
    """The entries ``array[key] = v`` writes, as a view (the whole array if the key fails or
    ``array[key]`` is a copy: an index array or a mask)."""
    try:
        region = array[key]
        if np.ndim(region) == 0:  # one element: the view of it
            region = array[(*key, None) if isinstance(key, tuple) else (key, None)]
    except (IndexError, TypeError, ValueError):
        region = array
    copied = isinstance(region, np.ndarray) and isinstance(array, np.ndarray) and (
        region.size and not np.may_share_memory(region, array))  # fmt: skip
    return array if copied else region  # an index array or a mask: any entry, conservatively


def _check_view(xp, alias, array, key, names, filename, lines, held) -> None:
    if xp.may_share_memory(alias, _region(array, key)):
        _raise(names, filename, lines, held)


def _raise(names: tuple[str, str], filename: str, lines: tuple[int, int], held: bool) -> None:
    shown, user = names
    holder = f"an item of the list `{shown}`" if held else f"`{shown}`"
    made = f"`{shown}.append(....copy())`" if held else f"`{shown} = ....copy()`"
    raise MutationError(
        f"`{user}` is assigned into, but {holder} (line {lines[0]}) is a view of the "
        "entries written, so it would change too: aliasing updates are not supported yet",
        _where(filename, lines[1]),
        f"take a copy where the view is made ({made}), or assign into "
        f"`{user}` after the last use of `{shown}`",
    )


def check_scalar(value: Any, filename: str, lineno: int, returns: tuple[int, ...] = ()) -> Any:
    """Return ``value`` if it is a real floating scalar, else raise :class:`NonScalarOutputError`
    naming the primal ``return`` at ``filename:lineno`` (or, for a function with several
    ``returns``, its ``def`` line and every return's line)."""
    if is_real_scalar(value):
        return value
    array = isinstance(value, (np.ndarray, np.generic)) or is_foreign_array(value)
    shape = tuple(np.shape(value)) if array else None
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


def zero_output_tangent(value: Any, protect: tuple, filename: str, lineno: int) -> Any:
    """The zero tangent of an output that does not depend on the tangents (``gradient(None,
    value, protect)``: zeros of the value's shape, a tuple or list item by item).

    Raises:
        DtypeError: the output is (or holds) a string or bytes, which has no tangent (grad
            refuses such an output too), at the return line.
    """
    items = list(value) if type(value) in (tuple, list) else [value]
    for item in items:
        text = isinstance(item, (str, bytes)) or (
            isinstance(item, np.ndarray) and item.dtype.kind in "SUV"
        )
        if text:
            raise DtypeError(
                f"a tangent needs a numeric output, but the function returned a "
                f"{type(item).__name__}" + (f" of dtype {item.dtype}" if hasattr(item, "dtype")
                                            else ""),
                _where(filename, lineno),
                "return numbers or arrays only; compute strings outside the differentiated "
                "function",
            )
    return gradient(None, value, protect)


def seed(value: Any) -> Any:
    """The output cotangent 1 in the output's accumulator dtype (float32 for a float16 output)."""
    return acc_dtype(dtype_of(value)).type(1.0)


def check_cotangent(ct: Any, value: Any, filename: str, lineno: int) -> Any:
    """Check a user's cotangent against the primal output; return it in the accumulator dtype.

    Raises :class:`CotangentError` when the shape differs or the cotangent is not floating.
    The user's array is never written: adjoint code only reads borrowed buffers.
    """
    if type(ct) is np.float64 and (type(value) is np.float64 or type(value) is float):
        return ct  # a scalar loop's cotangent (a checkpointed trip's): nothing to convert
    if type(value) in (tuple, list) and type(ct) in (tuple, list) and len(ct) == len(value):
        # the gradient of a tuple argument, differentiated again: one part per item (zeros
        # for an item the caller gave none: the adjoint reads every part as an array)
        return [check_cotangent(np.zeros(np.shape(v), acc_dtype(dtype_of(v))) if c is None
                                else c, v, filename, lineno)
                for c, v in zip(ct, value)]  # fmt: skip
    if ct is None:
        raise CotangentError(
            "the pullback was given None; a function with one output needs its cotangent",
            _where(filename, lineno),
            "pass an array of the output's shape, e.g. np.ones_like(value)",
        )
    if (
        not isinstance(ct, (float, np.floating))
        and type(ct) is not np.ndarray
        and not is_foreign_array(ct)
    ):
        try:  # a list, a Python int, an ndarray subclass: as numpy sees it
            ct = np.asarray(ct)
        except (TypeError, ValueError) as exc:
            raise CotangentError(
                f"the cotangent {type(ct).__name__} is not an array ({exc})",
                _where(filename, lineno),
                "pass a float array of the output's shape",
            ) from None
    ct_shape = np.shape(ct)
    out_shape = np.shape(value)
    if ct_shape != out_shape and not _same_known_shape(ct_shape, out_shape):
        raise CotangentError(
            f"the cotangent has shape {ct_shape} but the output has shape {out_shape}",
            _where(filename, lineno),
            "pass a cotangent with exactly the output's shape (np.ones_like(value) for a sum)",
        )
    dtype = dtype_of(ct)
    if dtype.kind != "f":
        raise CotangentError(
            f"the cotangent has dtype {dtype}; cotangents must be real floating arrays",
            _where(filename, lineno),
            "pass a float array, for example ct.astype(value.dtype)",
        )
    target = acc_dtype(dtype_of(value))
    if dtype != target:
        if is_foreign_array(ct):
            return ct.astype(target)
        ct = np.asarray(ct).astype(target) if np.ndim(ct) else target.type(ct)
    return ct


def _same_known_shape(first: tuple, second: tuple) -> bool:
    """Shapes equal where both are known (a Dask array selected by a mask has NaN sizes)."""
    return len(first) == len(second) and all(
        a == b or a != a or b != b for a, b in zip(first, second, strict=True)
    )


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


def check_unpacking(value: Any, n: int, filename: str, lineno: int) -> None:
    """Python's check of ``a, b = value``, which s2s writes as ``a = value[0]``, ``b =
    value[1]`` (a tuple inside the tuple a helper returned, an array's rows): ``ValueError``
    with Python's message when ``value`` holds another number of items than ``n``.

    Raises:
        UnsupportedSyntaxError: ``value`` is not a sequence read by position (an iterator
            such as a ``zip`` bound to a name, a set, a dict, whose keys Python would unpack),
            at the unpacking's line.
        ValueError: ``value`` has another number of items than ``n``.
    """
    kind = type(value)
    if isinstance(value, (dict, set, frozenset)) or not (
        hasattr(kind, "__getitem__") and hasattr(kind, "__len__")
    ):
        raise UnsupportedSyntaxError(
            f"unpacking a {kind.__name__} bound to a name into names is not supported (s2s "
            "reads the items by position)",
            _where(filename, lineno),
            "unpack it where it is made (`a, b = zip(...)`), or unpack `tuple(value)`",
        )
    got = len(value)
    if got != n:
        many = "too many" if got > n else "not enough"
        raise ValueError(f"{many} values to unpack (expected {n}, got {got})")


def check_cotangent_tree(cts: Any, values: tuple, tree: tuple, filename: str,
                         lineno: int) -> tuple:  # fmt: skip
    """Check the cotangent of a function returning a tuple that holds tuples, and take it
    apart: ``tree`` gives the returned tuple's form as written (``0`` for an item, a tuple of
    the same form for a tuple written there), and the result has one cotangent per item, in
    order (``None`` where none was given, for an item or a whole tuple), as
    :func:`check_cotangents` has for a flat tuple."""
    if cts is None:
        cts = (None,) * len(tree)
    if not isinstance(cts, (tuple, list)) or len(cts) != len(tree):
        raise CotangentError(
            f"the function returns a tuple of {len(tree)} outputs, so the pullback takes a "
            f"tuple of {len(tree)} cotangents (None for an output without one, a tuple for a "
            f"tuple), not {type(cts).__name__}"
            + (f" of length {len(cts)}" if isinstance(cts, (tuple, list)) else ""),
            _where(filename, lineno),
            "pass a cotangent built like the output: the same tuples, None where none",
        )
    flat: list[Any] = []
    for ct, value, form in zip(cts, values, tree):
        if form == 0:
            flat.append(None if ct is None else check_cotangent(ct, value, filename, lineno))
        else:
            flat += check_cotangent_tree(ct, value, form, filename, lineno)
    return tuple(flat)


def final_values(*values: Any) -> list[tuple[Any, Any]]:
    """Each array (or list) a pullback's adjoint sweep restores in place, with a copy of its
    final value, for :func:`put_back`. The sweep restores the arrays themselves, not copies,
    so the views of them it reads (``y = out[:2]``, a row kept on the tape) see the entries
    they saw in the primal sweep; putting the final values back lets the pullback run again.
    A list is copied shallowly: s2s never writes into an array a list holds."""
    pairs = []
    for value in values:
        if isinstance(value, list):
            pairs.append((value, list(value)))
        elif isinstance(value, np.ndarray) or is_foreign_array(value):
            pairs.append((value, value.copy()))
    return pairs


def popped_final(pairs: list[tuple[Any, Any]], value: Any) -> Any:
    """``value``, an old value of an array the adjoint sweep restores in place, popped off the
    tape: added to ``pairs`` (from :func:`final_values`) with a copy of its entries now, which
    are those the primal sweep left (only its name reaches it, and that name held another
    array until this pop), so the restores into it are undone too."""
    if isinstance(value, np.ndarray) or is_foreign_array(value):
        pairs.append((value, value.copy()))
    return value


def put_back(pairs: list[tuple[Any, Any]]) -> None:
    """Give each array or list kept by :func:`final_values` (and :func:`popped_final`) its
    final value again, in place; the earliest copy of an array kept twice is put back last."""
    for value, final in reversed(pairs):
        if isinstance(value, list):
            value[:] = final
        else:
            value[...] = final


def check_columns(columns: list, filename: str, lineno: int) -> None:
    """Before the columns of an ``s2s.jacobian`` called inside a function being
    differentiated are stacked (:mod:`s2s.frontend.composite_calls`): raise
    :class:`NoRuleError` at ``filename:lineno`` when the function differentiated returns a
    tuple (its Jacobian is a tuple of blocks, which the stacked columns would not give)."""
    if any(isinstance(column, (tuple, list)) for column in columns):
        raise NoRuleError(
            "s2s.jacobian of a function returning a tuple, called inside a function being "
            "differentiated, is not supported (its Jacobian is a tuple of blocks)",
            _where(filename, lineno),
            "take one jacobian per output (a function returning that output alone), or "
            "differentiate s2s.jvp(f) along the directions you need",
        )

