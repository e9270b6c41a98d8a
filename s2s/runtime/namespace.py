"""Array namespaces: which library a derivative runs on, found from its arguments' types.

A derivative is specialized on its arguments' *array namespace*: numpy (the default and the
fast path), ``dask.array`` or ``cupy``. The namespace is found from the type of each array
argument (its defining module's top-level package: ``dask`` for ``dask.array.Array``, ``cupy``
for ``cupy.ndarray``), not through ``__array_namespace__`` or array-api-compat: the generated
code calls numpy's API (``np.einsum``, ``np.linalg.slogdet``, ``x.T``), which Dask and CuPy
mirror and the array API standard does not. Arguments of several namespaces mix as the
libraries mix them: numpy arrays and Python or numpy scalars take no part, so a numpy constant
beside a Dask array gives Dask. Any other array type (one that defines ``__array_function__``,
``__array_namespace__`` or ``__dlpack__`` and is not a numpy array) is refused
(:func:`s2s.arguments.find_backend`).

Generated code reaches the namespace as ``_np`` (an :class:`Adapter` that fills numpy
spellings a library lacks); runtime helpers find it from their inputs with
:func:`array_namespace`, which returns numpy after one set lookup for numpy arrays and scalars,
and allocate, broadcast and scatter-add in it with :func:`zeros`, :func:`full`,
:func:`broadcast` and :func:`scatter_added` (the functional scatter-add of Dask).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

_PLAIN = {float, int, bool, complex, type(None), str, np.float64, np.float32, np.float16}
_HOST: set[type] = {np.ndarray, *_PLAIN}  # types that are never a foreign array
HOST_TYPES = _HOST  # for helpers on numpy's hot path: one set lookup, no call


class Like(NamedTuple):
    """The shape and dtype of a primal value: all an adjoint needs when it needs no values.

    For an array of another namespace, ``xp`` is that namespace's module (so zeros made from
    the record are made there) and ``chunks`` a Dask array's chunks (so they follow it).
    """

    shape: tuple[int, ...]
    dtype: np.dtype
    xp: Any = None
    chunks: Any = None


class Adapter:
    """A library's module seen with numpy's spellings: attributes come from ``module`` unless
    ``extra`` names them (``errstate``, ``s_``: host-side helpers the library does not have);
    a numpy 2 alias the library lacks (``asin``) is found by its numpy name (``arcsin``).
    An attribute the library lacks raises ``AttributeError``, as the module would."""

    def __init__(self, name: str, module: Any, extra: dict[str, Any]) -> None:
        self.__name__ = name
        self._module = module
        self.__dict__.update(extra)

    def __getattr__(self, attr: str) -> Any:
        try:
            value = getattr(self._module, attr)
        except AttributeError:  # numpy 2's other spelling (np.asin is np.arcsin)
            alias = getattr(getattr(np, attr, None), "__name__", attr)
            if alias == attr or attr.startswith("__"):
                raise
            value = getattr(self._module, alias)
        setattr(self, attr, value)  # found once: later reads are plain attribute reads
        return value

    def __repr__(self) -> str:
        return f"<array namespace {self.__name__}>"


@dataclass(frozen=True)
class Backend:
    """An array namespace s2s runs derivatives on.

    ``module`` is what generated code calls ``_np``; ``array_type`` its array class;
    ``functional_scatter`` says its arrays take no in-place scatter-add (Dask), so adjoints of
    indexing build a new array instead; ``shape_specialize`` whether derivatives may be
    specialized on argument shapes (numpy only: the others keep shapes, chunks and devices in
    the arrays the helpers read); ``lacks`` maps runtime helpers that cannot run on these
    arrays to the reason, reported when generating.
    """

    name: str
    module: Any
    array_type: type
    functional_scatter: bool = False
    shape_specialize: bool = False
    lacks: dict[str, str] = field(default_factory=dict)


NUMPY = Backend("numpy", np, np.ndarray, shape_specialize=True)
_BY_TYPE: dict[type, Backend] = {}
_LOADERS: dict[str, Any] = {}


# Helpers written for numpy arrays only (statistics, interpolation, histograms, i0's I1,
# layouts, polynomials, set operations): on
# Dask they would compute, on a device they would copy to the host. Their rules' derivatives
# are refused there at the user's line (NamespaceError).
_NUMPY_ONLY = (
    "quantile_adjoint",
    "quantile_tangent",
    "cov_adjoint",
    "cov_tangent",
    "corrcoef_adjoint",
    "corrcoef_tangent",
    "interp_adjoint",
    "interp_tangent",
    "gradient_adjoint",
    "histogram_adjoint",
    "histogram_second",
    "histogram_tangent",
    "bin_edges_adjoint",
    "bin_edges_tangent",
    "i1",
    "i1_prime",
    # structural and polynomial rules (layouts, polynomials, sets, spacings)
    "unbroadcast_parts",
    "unmeshgrid",
    "insert_keys",
    "vander_plan",
    "polyder_matrix",
    "polyint_matrix",
    "poly_jacobian",
    "roots_adjoint",
    "roots_tangent",
    "polyfit_grad_x",
    "polyfit_grad_y",
    "polyfit_tangent",
    "occurrences_adjoint",
    "occurrences_tangent",
    "polydiv_adjoint",
    "piecewise_adjoint",
    "piecewise_tangent",
    "piecewise_adjoint_adjoint",
    "piecewise_adjoint_tangent",
    "apply_along_axis_adjoint",
    "apply_along_axis_tangent",
    "apply_over_axes_adjoint",
    "apply_over_axes_tangent",
    "apply_along_axis_adjoint_adjoint",
    "apply_along_axis_adjoint_tangent",
    "apply_over_axes_adjoint_adjoint",
    "apply_over_axes_adjoint_tangent",
    "vectorized",
    "vectorized_grads",
    "vectorized_grads_adjoint",
    "vectorized_grads_tangent",
    "vectorized_grads_adjoint_adjoint",
    "vectorized_grads_adjoint_tangent",
    "vectorized_grads_tangent_adjoint",
    "vectorized_grads_tangent_tangent",
    "vectorized_tangent",
    "polydiv_tangent",
    # the in-place writers' labels (s2s.runtime.writers)
    "labels",
    "value_labels",
)


NUMPY_ONLY = dict.fromkeys(_NUMPY_ONLY, "the helper is written for numpy arrays only (for now)")


def _dask(array_type: type) -> Backend | None:
    import dask.array as da

    if not issubclass(array_type, da.Array):
        return None
    sorting = "Dask has no sort or argsort, which the stable permutation needs"
    module = Adapter("dask.array", da, _dask_spellings(da))
    lacks = {
        "sort_adjoint": sorting,
        "median_adjoint": sorting,
        "unique_adjoint": "Dask's unique has no return_inverse, which splits the cotangent",
        "adjugate": "Dask has no batched SVD or det",
        "det_adjoint": "Dask has no batched SVD or det",
        "slogdet_adjoint": "Dask has no det",
        "eigvalsh_adjoint": "Dask has no eigh",
        "svdvals_adjoint": "Dask's svd takes one tall-and-skinny matrix",
        "svd_adjoint": "Dask's svd takes one tall-and-skinny matrix",
        "add_at": "Dask has no ufunc.at (an unbuffered scatter-add)",
        **NUMPY_ONLY,
    }
    return Backend("dask", module, da.Array, functional_scatter=True, lacks=lacks)


def _dask_spellings(da: Any) -> dict[str, Any]:
    """numpy functions dask.array spells otherwise or lacks, written with Dask's own."""

    def reshape(a: Any, shape: Any, order: str = "C", **kwargs: Any) -> Any:
        if order != "C":  # Fortran order: C order between two transposes
            shape = (shape,) if isinstance(shape, int) else tuple(shape)
            return da.transpose(reshape(da.transpose(a), shape[::-1]))
        try:
            return da.reshape(a, shape)
        except NotImplementedError:  # chunks that do not split evenly: through one flat axis
            return da.reshape(da.reshape(a, (-1,)), shape)

    def astype(x: Any, dtype: Any, copy: bool = True, **kwargs: Any) -> Any:
        return x.astype(dtype)

    def full(shape: Any, fill_value: Any, dtype: Any = None, **kwargs: Any) -> Any:
        if np.ndim(fill_value) == 0 and not isinstance(fill_value, da.Array):
            return da.full(shape, fill_value, dtype=dtype, **kwargs)
        value = da.asarray(fill_value)  # an array fill: broadcast (Dask's full takes scalars)
        return da.broadcast_to(value, shape).astype(dtype or value.dtype)

    def full_like(a: Any, fill_value: Any, dtype: Any = None, **kwargs: Any) -> Any:
        shape = kwargs.get("shape")
        return full(a.shape if shape is None else shape, fill_value, dtype or a.dtype)

    def array(obj: Any, dtype: Any = None, *, copy: Any = True, order: Any = "K", ndmin=0) -> Any:
        # Dask arrays are immutable: a copy is the array itself; `order` is a memory layout
        out = da.asarray(obj, dtype=dtype)
        return da.reshape(out, (1,) * (ndmin - out.ndim) + out.shape) if ndmin > out.ndim else out

    def flat_default(name: str) -> Any:
        # numpy's default axis=None works on the flattened array; Dask's take, cumsum and
        # cumprod default to axis 0 or demand an axis
        function = getattr(da, name)

        def call(a: Any, *args: Any, axis: Any = None, **kwargs: Any) -> Any:
            if axis is None:
                return function(da.reshape(a, (-1,)), *args, axis=0, **kwargs)
            return function(a, *args, axis=axis, **kwargs)

        call.__name__ = name
        return call

    def size(a: Any, axis: Any = None) -> int:
        return a.size if axis is None else a.shape[axis]

    return {
        "errstate": np.errstate,  # host-side state: Dask computes later, under its own
        "s_": np.s_,
        "functional_scatter": True,
        "reshape": reshape,
        "astype": astype,
        "size": size,
        "take": flat_default("take"),
        "cumsum": flat_default("cumsum"),
        "cumprod": flat_default("cumprod"),
        "full": full,
        "full_like": full_like,
        "array": array,
        "amax": da.max,
        "amin": da.min,
        "copy": lambda a, **kwargs: a.copy(),
        "matrix_transpose": lambda x: da.swapaxes(x, -1, -2),
    }


def _cupy(array_type: type) -> Backend | None:
    import cupy

    if not issubclass(array_type, cupy.ndarray):
        return None
    module = Adapter("cupy", cupy, {"errstate": np.errstate})
    return Backend("cupy", module, cupy.ndarray, lacks=dict(NUMPY_ONLY))


_LOADERS.update(dask=_dask, cupy=_cupy)


def register(array_type: type, backend: Backend) -> None:
    """Run derivatives of ``array_type`` arguments on ``backend`` (for tests and new libraries
    that mirror numpy's API)."""
    _BY_TYPE[array_type] = backend
    _HOST.discard(array_type)


def backend_of_type(array_type: type) -> Backend | None:
    """The backend of a library array type, or ``None`` for numpy and non-array types."""
    found = _BY_TYPE.get(array_type)
    if found is not None:
        return found
    if issubclass(array_type, (np.ndarray, np.generic)) or array_type in _PLAIN:
        return None
    loader = _LOADERS.get(array_type.__module__.partition(".")[0])
    backend = loader(array_type) if loader is not None else None
    if backend is not None:
        _BY_TYPE[array_type] = backend
    return backend


def is_foreign_array(value: Any) -> bool:
    """True for an array of a supported library other than numpy (a Dask or CuPy array)."""
    t = type(value)
    if t in _HOST:
        return False
    if t in _BY_TYPE or backend_of_type(t) is not None:
        return True
    if not isinstance(value, (tuple, list)):  # containers are looked into elsewhere
        _HOST.add(t)
    return False


def looks_like_array(value: Any) -> bool:
    """True for an array of some library: its type defines ``__array_function__``,
    ``__array_namespace__`` or ``__dlpack__`` and it is not numpy's."""
    t = type(value)
    if issubclass(t, (np.ndarray, np.generic)) or t in _PLAIN:
        return False
    return any(hasattr(t, a) for a in ("__array_function__", "__array_namespace__", "__dlpack__"))


def array_namespace(*values: Any) -> Any:
    """The namespace module of the first foreign array (or shape record of one) among
    ``values``; numpy when there is none. Lists and tuples are looked into, one level."""
    for value in values:
        t = type(value)
        if t in _HOST:  # numpy arrays and scalars, and every type seen not to be foreign
            continue
        if t is Like:  # a shape record: of a foreign array when it names its namespace
            if value.xp is None:
                continue
            return value.xp
        backend = _BY_TYPE.get(t)
        if backend is not None:
            return backend.module
        if isinstance(value, (tuple, list)):
            xp = getattr(value, "xp", None)  # a shape record of a foreign array
            if xp is not None:
                return xp
            if t is list or t is tuple:
                for item in value:
                    found = array_namespace(item)
                    if found is not np:
                        return found
            continue
        backend = backend_of_type(t)
        if backend is not None:
            return backend.module
        _HOST.add(t)  # never foreign: the next look is one set lookup
    return np


def backend_named(module: Any) -> Backend:
    """The backend whose generated-code module is ``module`` (numpy for numpy)."""
    if module is np:
        return NUMPY
    for backend in _BY_TYPE.values():
        if backend.module is module:
            return backend
    return NUMPY


# -- allocation and scatter in a namespace ------------------------------------------------------


def functional(xp: Any) -> bool:
    """Whether ``xp``'s arrays take no in-place writes from s2s (Dask: a new array instead)."""
    return getattr(xp, "functional_scatter", False) is True


def _chunks(ref: Any, shape: tuple[int, ...]) -> dict[str, Any]:
    chunks = getattr(ref, "chunks", None)
    if chunks is None or len(chunks) != len(shape):
        return {}
    return {"chunks": chunks}


def zeros(xp: Any, shape: tuple[int, ...], dtype: Any, ref: Any = None) -> Any:
    """New zeros in ``xp``; a Dask result has ``ref``'s chunks (an array or shape record)."""
    if xp is np:
        return np.zeros(shape, dtype)
    return xp.zeros(shape, dtype=dtype, **(_chunks(ref, shape) if functional(xp) else {}))


def full(xp: Any, shape: tuple[int, ...], value: Any, dtype: Any, ref: Any = None) -> Any:
    """A new array of ``value`` in ``xp`` (Dask: with ``ref``'s chunks)."""
    if xp is np:
        return np.full(shape, value, dtype)
    return xp.full(shape, value, dtype=dtype, **(_chunks(ref, shape) if functional(xp) else {}))


def broadcast(xp: Any, g: Any, shape: tuple[int, ...], ref: Any = None) -> Any:
    """``g`` broadcast to ``shape`` in ``xp`` (a read-only view; Dask: ``ref``'s chunks)."""
    if xp is np:
        return np.broadcast_to(g, shape)
    if functional(xp):
        return xp.broadcast_to(xp.asarray(g), shape, **_chunks(ref, shape))
    return xp.broadcast_to(xp.asarray(g), shape)


def _integer_key(key: Any) -> bool:
    items = key if isinstance(key, tuple) else (key,)
    return any(
        hasattr(item, "dtype") and item.dtype.kind in "iu" or isinstance(item, list)
        for item in items
    )


def _mask_key(key: Any) -> Any:
    """The boolean array of a key that is one mask (``x[m]``), else ``None``."""
    item = key[0] if isinstance(key, tuple) and len(key) == 1 else key
    if hasattr(item, "dtype") and item.dtype == bool and hasattr(item, "ndim"):
        return item if item.ndim else None
    return None


def _without_new_axes(key: Any, ndim: int) -> tuple[Any, Any]:
    """``key`` without its ``None`` items, and a function dropping the axes they added from a
    selection's shape (Dask's item assignment takes no ``None``)."""
    items = key if isinstance(key, tuple) else (key,)
    if not any(item is None for item in items):
        return key, lambda shape: shape
    consumed = sum(1 for item in items if item is not None and item is not Ellipsis)
    position, new_axes = 0, []
    for item in items:
        if item is None:
            new_axes.append(position)
            position += 1
        elif item is Ellipsis:
            position += ndim - consumed
        elif isinstance(item, slice):
            position += 1
    kept = tuple(item for item in items if item is not None)

    def drop(shape: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(n for i, n in enumerate(shape) if i not in new_axes)

    return kept, drop


def scatter_added(xp: Any, buffer: Any, key: Any, g: Any) -> Any:
    """A new array: ``buffer`` with ``g`` added at ``key``, repeated integer indices summed
    (``np.add.at``), for a namespace without in-place scatter (Dask).

    Keys of slices, integers and boolean masks select each entry once: ``g`` is written into
    new zeros (Dask's item assignment builds a new graph) and added. Integer-array keys may
    repeat an entry: each selected entry's flat position is found by indexing an ``arange``
    the same way, and the contributions are summed per position (``bincount``).
    """
    shape = buffer.shape
    mask = _mask_key(key)
    if mask is not None:  # g holds the masked entries in order: gather them by a running count
        flat = xp.reshape(xp.asarray(mask), (-1,))
        order = xp.maximum(xp.cumsum(flat.astype(np.int64)) - 1, 0)
        values = xp.asarray(g)
        trailing = tuple(shape[mask.ndim :])
        values = xp.broadcast_to(values, (values.shape[0] if values.ndim else 1,) + trailing)
        picked = xp.reshape(xp.take(values, order, axis=0), tuple(mask.shape) + trailing)
        on = xp.reshape(xp.asarray(mask), tuple(mask.shape) + (1,) * len(trailing))
        return buffer + xp.where(on, picked, 0).astype(buffer.dtype)
    if not _integer_key(key):
        dtype = g.dtype if hasattr(g, "dtype") else buffer.dtype
        spread = zeros(xp, shape, dtype, buffer)
        selected = spread[key].shape
        key, kept = _without_new_axes(key, len(shape))
        spread[key] = xp.reshape(xp.broadcast_to(xp.asarray(g), selected), kept(selected))
        return buffer + spread
    size = int(np.prod(shape))
    items = key if isinstance(key, tuple) else (key,)
    if len(items) == len(shape) and all(hasattr(k, "dtype") for k in items):
        positions = 0  # one index array per axis (np.unravel_index): flat positions by strides
        for k, stride in zip(items, np.cumprod((1,) + tuple(shape[:0:-1]))[::-1], strict=True):
            positions = positions + xp.asarray(k) * int(stride)
    else:
        positions = xp.arange(size).reshape(shape)[key]
    if any(n != n for n in positions.shape):  # NaN: a length only computing tells
        raise NotImplementedError(
            "s2s: adding a cotangent into a Dask array at indices of unknown length (from "
            "nonzero, flatnonzero or a mask) needs their lengths; call "
            "`.compute_chunk_sizes()` on the index array first"
        )
    weights = xp.broadcast_to(xp.asarray(g), positions.shape)
    if hasattr(positions, "rechunk"):
        positions = positions.rechunk(-1)  # one chunk: bincount needs aligned 1-D chunks
        weights = weights.rechunk(-1)
    summed = xp.bincount(positions.reshape(-1), weights=weights.reshape(-1), minlength=size)
    summed = summed.reshape(shape).astype(buffer.dtype)
    if hasattr(summed, "rechunk"):
        summed = summed.rechunk(buffer.chunks)
    return buffer + summed


def foreign_gradient(buffer: Any, x: Any, protect: tuple[Any, ...]) -> Any:
    """:func:`s2s.runtime.core.gradient` for a Dask or CuPy ``x`` (or a numpy ``x`` whose
    cotangent was computed there): an array of that namespace with ``x``'s shape and dtype
    (Dask: rechunked to ``x``'s chunks, still lazy) that aliases nothing in ``protect``."""
    xp = array_namespace(buffer, x)
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    if buffer is None:
        return zeros(xp, x.shape, dtype, x)
    out = buffer if is_foreign_array(buffer) else xp.asarray(buffer)
    if tuple(out.shape) != tuple(x.shape):
        out = broadcast(xp, out, x.shape, x)
    if out.dtype != dtype:
        out = out.astype(dtype)
    elif functional(xp) or any(out is other for other in protect):
        out = out.copy()  # Dask: a new array object, so item assignment into it changes no other
    elif hasattr(xp, "may_share_memory"):
        if any(is_foreign_array(o) and xp.may_share_memory(out, o) for o in protect):
            out = out.copy()
        elif getattr(out, "base", None) is not None:  # a view (a broadcast is read-only)
            out = out.copy()
    chunks = getattr(x, "chunks", None)
    if chunks is not None and out.chunks != chunks:
        out = out.rechunk(chunks)
    return out
