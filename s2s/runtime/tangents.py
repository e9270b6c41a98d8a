"""Runtime support of forward mode: tangent checks, symbolic zeros made dense, sub-JVP calls."""

from __future__ import annotations

import linecache
import types
from typing import Any

import numpy as np

from s2s.errors import Location, TangentError, UndefinedGradientError, caller_location
from s2s.runtime.core import acc_dtype, dtype_of, method_of_callable, shape_of, shared_key
from s2s.runtime.kinds import Undefined


def _where(filename: str, lineno: int) -> Location:
    """Where a wrong tangent was passed: the user's call of the derivative (the innermost frame
    outside s2s and generated code), else the ``def`` line ``filename:lineno``."""
    called = caller_location()
    if called is not None:
        return called
    return Location(filename, lineno, 0, linecache.getline(filename, lineno).rstrip("\n"))


def _dot(name: str) -> str:
    """The tangent's name in advice: ``x_dot``, or ``v`` for a leaf (``p['w']``)."""
    return f"{name}_dot" if name.isidentifier() else "v"


def _describe(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)}"
    return f"a {type(value).__name__}"


def check_tangent(t: Any, x: Any, name: str, filename: str, lineno: int) -> Any:
    """Check the tangent given for argument ``x`` and return it in ``x``'s tangent dtype.

    A tangent has ``x``'s structure (a tuple for a tuple), shape, and a real floating dtype;
    it is cast to the accumulator dtype of ``x`` (float32 for float16) and never written.

    Raises:
        TangentError: an integer, boolean, complex or non-numeric tangent, a tangent of another
            shape or structure, naming ``name``, at the user's call of the derivative (the
            ``def`` line ``filename:lineno`` when no frame outside s2s is found).
    """
    if type(x) is tuple:  # (a NamedTuple's tangent is one too: a tuple of its fields')
        if not isinstance(t, tuple) or len(t) != len(x):
            raise TangentError(
                f"the tangent of `{name}` must be a tuple of {len(x)} tangents, one per item, "
                f"not {_describe(t)}",
                _where(filename, lineno),
                f"pass a tuple of {len(x)} tangents, each shaped like its item of `{name}`",
            )
        return tuple(
            check_tangent(ti, xi, f"{name}[{i}]", filename, lineno)
            for i, (ti, xi) in enumerate(zip(t, x))
        )
    if isinstance(t, Undefined):
        return t
    numeric = isinstance(t, (bool, int, float, complex, np.number, np.bool_))
    if not (numeric or type(t) is np.ndarray):
        raise TangentError(
            f"the tangent of `{name}` is {_describe(t)}; a tangent is a float ndarray, a numpy "
            "floating scalar or a Python float",
            _where(filename, lineno),
            f"pass np.asarray({_dot(name)}, dtype=float) with the shape of `{name}`",
        )
    kind = dtype_of(t).kind
    if kind != "f":
        what = {"i": "integer", "u": "integer", "b": "boolean", "c": "complex"}.get(kind, kind)
        raise TangentError(
            f"the tangent of `{name}` has dtype {dtype_of(t)} ({what}); tangents must be real "
            "floating values",
            _where(filename, lineno),
            f"pass a float tangent, e.g. {_dot(name)}.astype({name}.dtype)"
            if isinstance(x, np.ndarray)
            else f"pass a float tangent, e.g. float({_dot(name)})",
        )
    if np.shape(t) != np.shape(x):
        raise TangentError(
            f"the tangent of `{name}` has shape {np.shape(t)} but `{name}` has shape {np.shape(x)}",
            _where(filename, lineno),
            f"pass a tangent with exactly the shape of `{name}` (one direction per entry); the "
            "tangents come right after the function's parameters without a default "
            "(`jvp(f)(x, x_dot, *args)` for `def f(x, *args)`): inspect.signature of the "
            "derivative shows the order",
        )
    target = acc_dtype(dtype_of(x))
    if dtype_of(t) != target:
        t = np.asarray(t).astype(target) if np.ndim(t) else target.type(t)
    return t


def zero_tangent(x: Any) -> Any:
    """The tangent zero of ``x`` made dense: zeros of its shape in its accumulator dtype (a
    list of zero tangents for a list; ``None`` stays ``None``). A new array (owned)."""
    if x is None:
        return None
    if isinstance(x, list) or getattr(x, "s2s_parts", False):  # (a rule's lazy parts too)
        return [zero_tangent(item) for item in x]
    if isinstance(x, tuple):
        return tuple(zero_tangent(item) for item in x)
    dtype = acc_dtype(dtype_of(x))
    shape = shape_of(x)
    return np.zeros(shape, dtype) if shape else dtype.type(0.0)


def dense_tangent(t: Any, x: Any) -> Any:
    """``t``, or zeros of ``x``'s tangent when ``t`` is ``None`` (a symbolic zero)."""
    return zero_tangent(x) if t is None else t


def owned_tangent(t: Any, x: Any) -> np.ndarray:
    """A new array holding ``t`` (zeros when ``t`` is ``None``), with ``x``'s shape and tangent
    dtype: the tangent of an array about to be written in place (``x[key] = v``); of a list
    ``x``, a new list of its items' tangents (zeros where ``t`` is ``None``)."""
    if isinstance(x, list):
        return zero_tangent(x) if t is None else list(t)
    out = np.zeros(shape_of(x), acc_dtype(dtype_of(x)))
    if t is not None:
        out[...] = t
    return out


def written_tangent(t: Any, x: Any, key: Any, v: Any) -> Any:
    """The tangent of ``x`` after ``x[key] = v`` (``v`` the written value's tangent) as a new
    array; ``None`` when ``x`` holds integers or booleans (the write truncates: no tangent)."""
    if dtype_of(x).kind != "f":
        return None
    out = owned_tangent(t, x)
    out[key] = v
    return out


_FLOAT64, _FLOAT32 = np.float64, np.float32
_FLOAT64_PRIMALS = (np.float64, float)


def project_tangent(t: Any, ref: Any) -> Any:
    """``t`` with the shape and tangent dtype of the primal value ``ref``: broadcast where the
    primal broadcast (``x + y`` with one tangent), cast where the primal cast. ``None`` and
    undefined markers pass unchanged; ``t`` itself is returned when nothing needs doing. A
    list of tangents (of the list an array was built from, ``np.array(ys)``) becomes an array
    (``None`` items are zeros) unless ``ref`` is a list too: left a list, ``t * 2`` would
    repeat it."""
    kind = type(t)
    if kind is _FLOAT64 and type(ref) in _FLOAT64_PRIMALS or kind is _FLOAT32 and type(
        ref
    ) is _FLOAT32:  # a numpy scalar for a scalar primal of its dtype (every step of a loop)
        return t
    if t is None or kind is Undefined:
        return t
    if isinstance(t, list):
        if isinstance(ref, (list, tuple)) or getattr(ref, "s2s_parts", False):
            return t
        found = undefined_in(t)
        if found is not None:
            return found
        t = np.asarray(_zeros_for_none(t), dtype=acc_dtype(dtype_of(ref)))
    shape = shape_of(ref)
    dtype = acc_dtype(dtype_of(ref))
    if type(t) is np.ndarray and t.shape == shape and t.dtype == dtype:
        return t
    if np.shape(t) != shape:
        if np.size(t) == int(np.prod(shape)) and np.ndim(t) > len(shape):
            t = np.reshape(t, shape)  # float() of a size-1 array
        else:
            t = np.broadcast_to(t, shape)
    if dtype_of(t) != dtype or not isinstance(t, (np.ndarray, np.generic)):
        t = np.asarray(t).astype(dtype) if shape else dtype.type(t)
    return t


def _zeros_for_none(t: Any) -> Any:
    if isinstance(t, (list, tuple)):
        return [_zeros_for_none(item) for item in t]
    return 0.0 if t is None else t


def undefined_in(*tangents: Any) -> Undefined | None:
    """The merged undefined marker among tangents (items of lists and tuples too), or ``None``."""
    found = None
    for t in tangents:
        if isinstance(t, (list, tuple)):
            inner = undefined_in(*t)
            t = inner
        if isinstance(t, Undefined):
            found = t if found is None else found.merged(t)
    return found


def resolve_undefined_tangent(t: Any, y: Any, what: str, policy: str) -> Any:
    """Apply the ``undefined=`` policy to an output tangent that is a marker: raise
    :class:`UndefinedGradientError` listing every cause, return the marker, or NaNs."""
    if not isinstance(t, Undefined):
        return t
    if policy == "return":
        return t
    if policy == "nan":
        dtype = acc_dtype(dtype_of(y))
        return np.full(np.shape(y), np.nan, dtype) if np.ndim(y) else dtype.type(np.nan)
    first = t.causes[0]
    causes = "\n".join(f"  - {c.describe()}" for c in t.causes)
    raise UndefinedGradientError(
        f"the tangent of {what} is undefined; {len(t.causes)} cause(s):\n{causes}",
        Location(first.filename, first.lineno, 0, ""),
        "if that path should not carry a derivative, wrap the value in s2s.stop_gradient(...) "
        'or s2s.zero_grad(...); pass undefined="return" to receive the s2s.Undefined marker',
    )


_FACTORIES: dict = {}
_MAKERS: dict[str, Any] = {}  # given by s2s.api: the runtime imports no pass


def set_maker(kind: str, make: Any) -> None:
    """Give the runtime the function that makes the ``kind`` of sub-derivative (``"jvp"``:
    ``s2s.jvp`` with the tangents first; ``"pullback"``: the VJP as one function)."""
    _MAKERS[kind] = make


def _derivative(kind: str, function: Any, wrt: tuple[str, ...]) -> Any:
    function = method_of_callable(function)
    if isinstance(function, types.MethodType):  # net.forward: the function's, with net added
        derivative = _derivative(kind, function.__func__, wrt)
        first = {"jvp": len(wrt), "grad": 0}.get(kind, 1)  # the tangents, or the cotangent, first
        owner = function.__self__
        return lambda *args, **kwargs: derivative(*args[:first], owner, *args[first:], **kwargs)
    key = (kind, shared_key(function), wrt)  # a nested def is new at every call: shared
    found = _FACTORIES.get(key)
    if found is None:
        found = _FACTORIES[key] = _MAKERS[kind](function, wrt)
    return found


def jvp_of(function: Any, wrt: tuple[str, ...]) -> Any:
    """The JVP of the user's own ``function`` with respect to ``wrt`` as forward-mode code
    calls it: ``y, y_dot = jvp_of(g, ("a",))(a_dot, a, b)`` (the tangents first, in ``wrt``
    order, then ``g``'s own arguments). One per (function, wrt), cached per signature."""
    return _derivative("jvp", function, wrt)


def pullback_of(function: Any, wrt: tuple[str, ...]) -> Any:
    """The VJP of the user's own ``function`` as one function, as a derivative that will be
    differentiated again calls it: ``parts = pullback_of(g, ("a",))(cotangent, a, b)``."""
    return _derivative("pullback", function, wrt)


def grad_of(function: Any, name: str) -> Any:
    """The gradient of ``function`` (a scalar) in its parameter ``name``, one array (no
    tuple of parts): ``gradient = grad_of(g, "a")(a, b)``. Plain twins differentiated to any
    order are written with it (:mod:`s2s.runtime.plain_functional`): a derivative of a
    gradient is never given a tuple cotangent."""
    return _derivative("grad", function, name)


_LEAF_SPECS: list[tuple] = []  # registered by the frontend (s2s/frontend/derivcalls.py)


def leaf_spec(spec: tuple) -> int:
    """The number that names ``spec`` (``((parameter, treedef, differentiable leaf
    positions), ...)``: how a derivative's container parameters come leaf by leaf) in the code
    that calls :func:`leaves_of`; equal specs share a number for the life of the process."""
    if spec not in _LEAF_SPECS:
        _LEAF_SPECS.append(spec)
    return _LEAF_SPECS.index(spec)


def leaves_of(derivative: Any, key: int) -> Any:
    """The derivative object ``derivative`` (``s2s.grad(f)``) with its container parameters
    given leaf by leaf as spec ``key`` says (:func:`leaf_spec`): what a function differentiated
    calls where it gives ``derivative`` a parameter container whole. It returns the gradients
    of the differentiable leaves as one flat tuple (a ``jvp``: ``f``'s value and tangent)."""
    return _MAKERS["leaves"](derivative, _LEAF_SPECS[key])


jvp_of.__s2s_factory__ = True  # a call of its result is a call of a derivative object
leaves_of.__s2s_factory__ = True
pullback_of.__s2s_factory__ = True
grad_of.__s2s_factory__ = True
