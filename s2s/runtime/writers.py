"""numpy's in-place writers on a local array (``np.put``, ``np.putmask``, ``np.place``,
``np.copyto``, ``np.fill_diagonal``, ``np.put_along_axis``): the new values, and what their
rules read.

The frontend writes ``np.put(buf, ind, v)`` as ``buf[...] = _s2s.put(buf, ind, v)``
(``frontend/spellings.py``), as it writes ``np.add.at``: a write into ``buf``, refused where
any write into it is (an argument, a global, a view of either), and differentiated in
``buf``'s prior value and in the values written by the rules of the functions here. Each
returns a new array holding numpy's result; each has numpy's signature.

Every entry of a writer's result is a copy of one entry of ``buf`` or of the values (cast to
``buf``'s dtype), so each writer is linear in the two together. Its transpose needs only where
each entry came from: the writer applied to labels (:func:`labels` of ``buf``, :func:`value_labels`
of the values) says so, with numpy's own rules for repeated indices (the last write wins),
cycled or broadcast values, ``mode``, ``wrap`` and ``where``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from s2s.runtime.core import acc_dtype, dtype_of, is_basic_key, reads_shape_only, shape_of
from s2s.runtime.kinds import zeroed_part
from s2s.runtime.namespace import array_namespace, is_foreign_array


def _copy(a: Any) -> Any:
    return np.copy(a)  # an array of another library (CuPy) stays one


def put(a: Any, ind: Any, v: Any, mode: Any = "raise") -> np.ndarray:
    """A copy of ``a`` after ``np.put(a, ind, v, mode)``."""
    out = _copy(a)
    np.put(out, ind, v, mode)
    return out


def putmask(a: Any, mask: Any, values: Any) -> np.ndarray:
    """A copy of ``a`` after ``np.putmask(a, mask, values)``."""
    out = _copy(a)
    np.putmask(out, mask, values)
    return out


def place(arr: Any, mask: Any, vals: Any) -> np.ndarray:
    """A copy of ``arr`` after ``np.place(arr, mask, vals)``."""
    out = _copy(arr)
    np.place(out, mask, vals)
    return out


def copyto(dst: Any, src: Any, casting: Any = "same_kind", where: Any = True) -> np.ndarray:
    """A copy of ``dst`` after ``np.copyto(dst, src, casting, where)``."""
    out = _copy(dst)
    np.copyto(out, src, casting=casting, where=where)
    return out


def fill_diagonal(a: Any, val: Any, wrap: Any = False) -> np.ndarray:
    """A copy of ``a`` after ``np.fill_diagonal(a, val, wrap)``."""
    out = _copy(a)
    np.fill_diagonal(out, val, wrap)
    return out


def put_along_axis(arr: Any, indices: Any, values: Any, axis: Any) -> np.ndarray:
    """A copy of ``arr`` after ``np.put_along_axis(arr, indices, values, axis)``."""
    out = _copy(arr)
    np.put_along_axis(out, indices, values, axis)
    return out


@reads_shape_only(0)
def labels(a: Any) -> np.ndarray:
    """``0, 1, ...`` in ``a``'s shape: each entry's flat position (``int64``)."""
    shape = tuple(shape_of(a))
    return np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)


@reads_shape_only(0)
def value_labels(v: Any) -> np.ndarray:
    """``-1, -2, ...`` in ``v``'s shape: ``-1 - k`` for its entry at flat position ``k``."""
    return -1 - labels(v)


@reads_shape_only(2)
def written(g: Any, sources: Any, v: Any) -> Any:
    """The adjoint for the values written: each entry of ``g`` that a value entry filled is
    added to that entry (a value written to several places gets their sum), in ``v``'s shape
    and accumulator dtype. Source: the transpose of a gather is a scatter-add."""
    sources = np.ravel(sources)
    taken = sources < 0
    shape = tuple(shape_of(v))
    out = np.zeros(int(np.prod(shape)), acc_dtype(dtype_of(v)))
    np.add.at(out, -1 - sources[taken], np.ravel(np.asarray(g))[taken])  # numpy only
    return out.reshape(shape)


def gathered_values(h: Any, sources: Any) -> Any:
    """The transpose of :func:`written`: in ``sources``' shape, each entry a value entry filled
    takes that entry of ``h``, the others 0. Source: a scatter-add's transpose is a gather."""
    sources = np.asarray(sources)
    flat = np.ravel(np.asarray(h))
    picked = flat[np.where(sources < 0, -1 - sources, 0)] if flat.size else np.zeros(sources.shape)
    return np.where(sources < 0, picked, 0).astype(acc_dtype(dtype_of(h)), copy=False)


# -- x[key] = v undone (a list's xs[i] op= v too): the saved copy, the written part, the rest


def overwritten(array: np.ndarray, key: Any) -> Any:
    """A copy of ``array[key]``, saved before ``array[key] = ...`` destroys it (a list's item
    that has no ``copy``, a float or ``None`` (a zero tangent), as it is)."""
    if type(array) is np.ndarray:
        return np.array(array[key], copy=True)
    item = array[key]
    return item if isinstance(array, list) and not hasattr(item, "copy") else item.copy()


def written_part(g: Any, key: Any, array: Any = None) -> Any:
    """The cotangent of the values ``x[key] = v`` wrote: ``g[key]``, except that where an
    integer index repeats only the last write counts (numpy keeps the last), so the earlier
    duplicates get zero. Into an integer or boolean ``array`` (``np.arange(3)``) the write
    truncates: piecewise constant, so the part is zero."""
    if g is None:  # no cotangent (a zero): none for the written values either
        return None
    part = g[key]
    if isinstance(g, list):  # a list's parts, ``xs[i] = v``: the part of item i (None: zero)
        integer = array is not None and dtype_of(array[key]).kind not in "fc"
        return None if integer else part
    xp = array_namespace(g, part)
    if array is not None and dtype_of(array).kind not in "fc":
        return xp.zeros_like(part)
    if is_basic_key(key):
        return part
    if xp is not np:  # which write wins is decided by the (host) key alone
        if any(is_foreign_array(k) for k in (key if isinstance(key, tuple) else (key,))):
            raise NotImplementedError(
                "s2s: assignment `x[key] = v` into a non-numpy array with an index array of "
                "that library: pass numpy index arrays"
            )
        last = _last_writers(np.shape(g), key, np.shape(part))
        return xp.where(xp.asarray(last), part, 0)
    return np.where(_last_writers(np.shape(g), key, np.shape(part)), part, 0)


def _last_writers(shape: tuple[int, ...], key: Any, part_shape: tuple[int, ...]) -> np.ndarray:
    """True at the entries of ``v`` in ``x[key] = v`` whose write is the one kept (numpy keeps
    the last of repeated indices)."""
    writers = np.arange(int(np.prod(part_shape))).reshape(part_shape)
    scratch = np.full(shape, -1)
    scratch[key] = writers
    return scratch[key] == writers


def zeroed_at(g: Any, key: Any) -> np.ndarray:
    """A copy of cotangent ``g`` with zeros at ``key``: entries a write replaced have no
    gradient with respect to the array before the write (a list's parts: no part at ``key``)."""
    if isinstance(g, list):
        return zeroed_part(g, key)
    out = np.array(g, copy=True) if type(g) is np.ndarray or not is_foreign_array(g) else g.copy()
    out[key] = 0  # Dask: item assignment into the new array object builds a new graph
    return out
