"""Arguments: which parameters ``wrt`` selects, and whether their values can be differentiated."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from s2s.errors import (
    ArrayTypeError,
    DtypeError,
    Location,
    NamespaceError,
    TangentError,
    UnsupportedArgumentError,
    UsageError,
    WrtError,
    caller_location,
)
from s2s.runtime.budget import MemoryBudget
from s2s.runtime.namespace import (
    NUMPY,
    Backend,
    backend_of_type,
    is_foreign_array,
    looks_like_array,
)
from s2s.runtime.sources import complex_refusal, source_of


def _where_def(func: Any) -> Location | None:
    while getattr(func, "__code__", None) is None and hasattr(func, "primal"):
        func = func.primal  # a derivative differentiated again (hvp, hessian): the def
    code = getattr(func, "__code__", None)
    if code is None:
        return None
    return Location(code.co_filename, code.co_firstlineno, 0, "")


def wrt_names(func: Callable, wrt: Any) -> tuple[tuple[str, ...], bool]:
    """Parameter names selected by ``wrt`` and whether the user asked for a single gradient."""
    signature = inspect.signature(func)
    params = list(signature.parameters.values())
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    single = not isinstance(wrt, tuple)
    entries = (wrt,) if single else wrt
    if not entries:
        raise WrtError("wrt is an empty tuple", _where_def(func), "name at least one parameter")
    names: list[str] = []
    for entry in entries:
        if isinstance(entry, bool) or not isinstance(entry, (int, str)):
            raise WrtError(
                f"wrt entries are parameter positions or names, not {entry!r}",
                _where_def(func),
                "pass wrt=0, wrt='w', or a tuple such as wrt=('w', 'b')",
            )
        if isinstance(entry, int):
            star = [p for p in params if p.kind is p.VAR_POSITIONAL]
            if star and entry >= len(positional):
                raise WrtError(
                    f"wrt={entry} falls in `*{star[0].name}`: the items of a *args parameter "
                    "cannot be differentiated",
                    _where_def(func),
                    "give the arrays named parameters (`def f(x, y)`), or take them as one "
                    "tuple parameter (`def f(xs)` called as f((x, y)))",
                )
            if not -len(positional) <= entry < len(positional):
                raise WrtError(
                    f"wrt={entry} is out of range: {func.__name__} has {len(positional)} "
                    "positional parameters",
                    _where_def(func),
                    "count positions from 0, or name the parameter",
                )
            param = positional[entry]
        else:
            param = signature.parameters.get(entry)
            if param is None:
                raise WrtError(
                    f"{func.__name__} has no parameter named {entry!r}",
                    _where_def(func),
                    f"choose among: {', '.join(signature.parameters)}",
                )
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise WrtError(
                f"cannot differentiate with respect to *{param.name} or **{param.name}",
                _where_def(func),
                "give each differentiated value its own named parameter",
            )
        if param.name in names:
            raise WrtError(
                f"parameter {param.name!r} appears twice in wrt",
                _where_def(func),
                "list each parameter once",
            )
        names.append(param.name)
    return tuple(names), single


def _refuse_complex(name: str, value: Any, func: Callable) -> None:
    """A plain twin's own refusal of a complex argument (eig's: a complex spectrum), if it
    has one (:func:`s2s.runtime.sources.refuses_complex`); else nothing."""
    refusal = complex_refusal(func)
    if refusal is not None:
        refusal(name, value)


def check_wrt_value(name: str, value: Any, func: Callable, allow_int: bool) -> None:
    where = _where_def(func)
    if type(value) is tuple and value:  # a tuple of values: each item must be one
        for i, item in enumerate(value):
            if type(item) is tuple:
                raise UnsupportedArgumentError(
                    f"argument `{name}[{i}]` is itself a tuple; a tuple argument holds arrays "
                    "or numbers, one level deep",
                    where,
                    f"flatten it (`{name} = (w1, b1, w2, b2)`) or pass the inner tuples as "
                    "separate arguments",
                )
            check_wrt_value(f"{name}[{i}]", item, func, allow_int)
        return
    if isinstance(value, float) or (isinstance(value, np.floating)):
        return
    foreign = backend_of_type(type(value)) is not None  # a Dask or CuPy array
    if foreign or isinstance(value, np.ndarray) and type(value) is np.ndarray:
        kind = value.dtype.kind
        if kind == "f":
            return
        if kind in "iub":
            if allow_int:
                return
            raise DtypeError(
                f"argument `{name}` has dtype {value.dtype}; integer and boolean values have "
                "no gradient",
                where,
                f"pass floats (`{name}.astype(float)`), remove `{name}` from wrt, or pass "
                "allow_int=True to get zeros",
            )
        if kind == "c":
            _refuse_complex(name, value, func)
            raise DtypeError(
                f"argument `{name}` is complex ({value.dtype}): complex numbers are not "
                "supported yet",
                where,
                "differentiate the real and imaginary parts as separate float arguments",
            )
        raise DtypeError(
            f"argument `{name}` has dtype {value.dtype}, which has no gradient",
            where,
            "pass a float array",
        )
    if isinstance(value, (bool, np.bool_)) and not allow_int:
        raise DtypeError(
            f"argument `{name}` is a boolean ({type(value).__name__}); booleans have no gradient",
            where,
            f"pass a float (`float({name})`), remove `{name}` from wrt, or pass allow_int=True",
        )
    if isinstance(value, (bool, int, np.integer, np.bool_)):
        if allow_int:
            return
        raise DtypeError(
            f"argument `{name}` is an integer ({type(value).__name__}); integers have no gradient",
            where,
            f"pass a float (`float({name})`), remove `{name}` from wrt, or pass allow_int=True",
        )
    if isinstance(value, (complex, np.complexfloating)):
        _refuse_complex(name, value, func)
        raise DtypeError(
            f"argument `{name}` is complex: complex numbers are not supported yet",
            where,
            "differentiate the real and imaginary parts as separate float arguments",
        )
    if isinstance(value, (set, frozenset)):
        raise WrtError(
            f"argument `{name}` is a set; a set has no order, so its gradient could not be "
            "matched to its items",
            where,
            f"pass `{name}` as a list, tuple or dict of arrays (docs/containers.md)",
        )
    array_like = isinstance(value, (list, np.ndarray)) or hasattr(value, "__array__")
    raise DtypeError(
        f"argument `{name}` is a {type(value).__module__}.{type(value).__qualname__}; s2s "
        "differentiates with respect to float ndarrays, numpy floating scalars and Python floats",
        where,
        f"convert it first: `{name} = np.asarray({name}, dtype=float)`"
        if array_like
        else f"differentiate with respect to the arrays it holds: pass them as arguments and name "
        f"them in wrt (`s2s.grad(f, wrt='w')`; for a method, `@s2s.grad(wrt='w')` in the "
        f"class body, since `{name}` comes first), or make it a dataclass of arrays "
        "(docs/containers.md)",
    )


def _type_name(value: Any) -> str:
    return f"{type(value).__module__}.{type(value).__qualname__}"


def find_backend(arguments: dict[str, Any], func: Callable) -> Backend:
    """The array namespace the arguments' arrays belong to (:mod:`s2s.runtime.namespace`).

    numpy arrays and scalars take no part (a numpy constant beside a Dask array gives Dask);
    a Dask array beside CuPy arrays gives Dask (its chunks may be CuPy arrays).

    Raises:
        ArrayTypeError: an argument is an array of an unsupported library, or arrays of two
            libraries other than Dask and numpy are mixed.
    """
    found: dict[str, tuple[Backend, str]] = {}  # backend name -> (backend, first argument)
    pending = list(arguments.items())
    while pending:
        name, value = pending.pop(0)
        if type(value) is tuple:
            pending[:0] = [(f"{name}[{i}]", v) for i, v in enumerate(value)]
            continue
        backend = backend_of_type(type(value))
        if backend is not None:
            found.setdefault(backend.name, (backend, name))
        elif looks_like_array(value):
            raise ArrayTypeError(
                f"argument `{name}` is a {_type_name(value)}; s2s runs derivatives on numpy, "
                "Dask (dask.array) and CuPy arrays",
                _where_def(func),
                f"convert it to one of those first (e.g. `np.asarray({name})`), or differentiate "
                "with the array library's own autodiff",
            )
    if not found:
        return NUMPY
    if len(found) == 1:
        return next(iter(found.values()))[0]
    if len(found) == 2 and "dask" in found:
        return found["dask"][0]
    shown = ", ".join(f"`{arg}` ({backend_name})" for backend_name, (_, arg) in found.items())
    raise ArrayTypeError(
        f"the arguments mix arrays of several libraries: {shown}",
        _where_def(func),
        "pass arrays of one library (numpy values may join any of them)",
    )


def added_names(
    signature: inspect.Signature, bases: list[str], avoid: Iterable[str] = ()
) -> list[str]:
    """Names for parameters added to ``signature`` (``x_dot``, ``cotangent``), each distinct
    from the function's own parameters, from ``avoid`` (a container parameter that a flat
    derivative takes leaf by leaf: its name is still read by the code differentiated) and
    from each other (``x_dot_2`` if taken)."""
    taken = set(signature.parameters) | set(avoid)
    out: list[str] = []
    for base in bases:
        candidate, k = base, 2
        while candidate in taken:
            candidate, k = f"{base}_{k}", k + 1
        taken.add(candidate)
        out.append(candidate)
    return out


def insert_parameters(
    signature: inspect.Signature, names: list[str], first: bool = False
) -> inspect.Signature:
    """``signature`` with parameters ``names`` (no defaults) inserted after the last positional
    parameter without a default (``f(x, w, n=3)`` gives ``(x, w, x_dot, n=3)``), or before
    every parameter (``first``). They are positional-only when positional-only parameters
    follow, else positional-or-keyword."""
    params = list(signature.parameters.values())
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    at = 0
    for i, p in enumerate(params):
        if p.kind in positional and p.default is inspect.Parameter.empty and not first:
            at = i + 1
    later_positional_only = any(p.kind is p.POSITIONAL_ONLY for p in params[at:])
    kind = (
        inspect.Parameter.POSITIONAL_ONLY
        if later_positional_only
        else inspect.Parameter.POSITIONAL_OR_KEYWORD
    )
    added = [inspect.Parameter(n, kind) for n in names]
    return signature.replace(parameters=params[:at] + added + params[at:])


def hessp_signature(signature: inspect.Signature) -> inspect.Signature:
    """hessp's signature from ``f``'s: ``f``'s first parameter and the direction ``p`` (named
    apart from ``f``'s parameters), both positional-only, then ``f``'s other parameters as
    ``f`` has them (``f(x, a)`` gives ``(x, p, /, a)``)."""
    params = list(signature.parameters.values())
    only = inspect.Parameter.POSITIONAL_ONLY
    if not params or params[0].kind not in (only, inspect.Parameter.POSITIONAL_OR_KEYWORD):
        return signature  # no first positional parameter: hvp refused f already
    direction = added_names(signature, ["p"])[0]
    first = params[0].replace(kind=only)
    added = inspect.Parameter(direction, only)
    return signature.replace(parameters=[first, added, *params[1:]])


def checked_direction(x: Any, p: Any) -> Any:
    """hessp's direction ``p`` as an array in ``x``'s float dtype (an integer ``p``, which
    scipy's ``trust-constr`` probes with, included).

    Raises:
        TangentError: ``p`` is not a real numeric array, or its shape is not ``x``'s, named as
            scipy names it (``p``), at the call.
    """
    try:
        p = np.asarray(p)
    except (TypeError, ValueError):
        p = np.asarray(None)
    x_dtype = np.asarray(x).dtype
    if p.dtype.kind not in "biuf":
        raise TangentError(
            f"hessp's direction `p` has dtype {p.dtype}; a direction is a real numeric array",
            caller_location(),
            "pass p as a float array of x's shape (scipy.optimize.minimize does: "
            "hessp(x, p, *args))",
        )
    if p.shape != np.shape(x):
        raise TangentError(
            f"hessp's direction `p` has shape {p.shape} but `x` has shape {np.shape(x)}",
            caller_location(),
            "pass p with x's shape, second: hessp(x, p, *args) as scipy calls it (s2s.hvp "
            "takes the direction after f's arguments instead)",
        )
    if p.dtype.kind in "biu":
        p = p.astype(x_dtype if x_dtype.kind == "f" else np.float64)
    return p


def check_numpy_only(backend: Backend, what: str, func: Callable) -> None:
    """Forward mode and derivatives of derivatives run on numpy arrays only.

    Raises:
        NamespaceError: at ``func``'s definition, when the arguments are Dask or CuPy arrays.
    """
    if backend is NUMPY:
        return
    raise NamespaceError(
        f"{what} runs on numpy arrays; the arguments are {backend.name} arrays",
        _where_def(func),
        "use s2s.grad, s2s.value_and_grad or s2s.vjp (reverse mode) on these arrays, or "
        "convert them to numpy first",
    )


_VALID_DISCONNECTED = ("zero", "none", "warn", "raise")
_VALID_UNDEFINED = ("raise", "nan", "return")
_VALID_NAN = ("warn", "raise", "ignore")


def short_repr(obj: Any) -> str:
    """``repr(obj)``, cut to 80 characters for a message."""
    text = repr(obj)
    return text if len(text) <= 80 else text[:77] + "..."


_CHOICES = {"disconnected": _VALID_DISCONNECTED, "undefined": _VALID_UNDEFINED, "nan": _VALID_NAN}


def check_options(mode: str, options: Any) -> None:
    """Each option has a value it knows, or a :class:`UsageError` at the caller's line."""
    problems = []
    for option, valid in _CHOICES.items():
        value = getattr(options, option)
        if not isinstance(value, str) or value not in valid:
            problems.append(f"{option} must be one of {valid}, not {value!r}")
    for option in ("has_aux", "allow_int"):
        if not isinstance(getattr(options, option), (bool, np.bool_)):
            problems.append(f"{option} must be True or False, not {getattr(options, option)!r}")
    verbose = options.verbose
    if not isinstance(verbose, int) or verbose < 0:  # True and False are ints too
        problems.append(f"verbose must be an int >= 0, not {verbose!r}")
    checkpoint = options.checkpoint
    if checkpoint is not None and mode == "jvp":
        raise UsageError(
            "checkpoint= is taken by s2s.grad, value_and_grad and vjp only, not by s2s.jvp, "
            "hvp, hessp, hessian or jacobian (forward mode keeps no tape, and a derivative that is "
            "differentiated again is not checkpointed)",
            caller_location(),
            "leave checkpoint= out here; pass it to s2s.grad, value_and_grad or vjp",
        )
    if checkpoint is not None and checkpoint != "auto" and not isinstance(
        checkpoint, MemoryBudget
    ) and (
        isinstance(checkpoint, bool) or not isinstance(checkpoint, (int, np.integer))
        or checkpoint < 1
    ):  # fmt: skip
        problems.append(f"checkpoint must be None, an int >= 1, 'auto' or s2s.MemoryBudget("
                        f"nbytes), not {checkpoint!r} (checkpoint=10: at most 10 snapshots per "
                        "loop; s2s.MemoryBudget(50_000_000): what fits 50 MB)")  # fmt: skip
    if problems:
        raise UsageError(
            f"s2s.{mode}: " + "; ".join(problems),
            caller_location(),
            "see help(s2s.grad) for the options and their values",
        )


_SCALARS = {float, int, bool, np.float64, np.float32}


def abstract_of(value: Any) -> Any:
    """The kind part of a specialization key: an array's type, dtype and 0-d-ness, a tuple's
    items' kinds, any other value's type."""
    if isinstance(value, np.ndarray):
        return (type(value), value.dtype, value.ndim == 0)
    kind = type(value)
    if kind is tuple:  # a tuple argument: its length and its items' kinds
        return (tuple, tuple(abstract_of(v) for v in value))
    if kind not in _SCALARS and is_foreign_array(value):  # its type names the namespace
        return (kind, value.dtype, value.ndim == 0)
    return kind


def shapes_of(value: Any) -> Any:
    """The shapes part of a specialization key: an array's shape, a tuple's items' shapes."""
    if isinstance(value, np.ndarray):
        return value.shape
    if type(value) is tuple:
        return tuple(shapes_of(v) for v in value)
    return None


def bind(derivative: Any, args: tuple, kwargs: dict) -> tuple[dict[str, Any], tuple, dict]:
    """``(arguments, args, kwargs)`` of a call of ``derivative`` (a ``Derivative``), bound as
    Python does: ``signature.bind`` and ``apply_defaults`` (fast when every parameter is given
    positionally), with the primal's defaults as they are now. A call the signature does not
    take raises :func:`binding_error`'s TypeError."""
    positional = derivative._positional
    if not kwargs and len(args) == len(positional) and derivative._plain:
        return dict(zip(positional, args)), args, kwargs
    try:
        bound = signature_now(derivative).bind(*args, **kwargs)
    except TypeError as exc:  # as calling the function itself would: a TypeError
        raise binding_error(derivative, exc) from None
    bound.apply_defaults()
    return bound.arguments, bound.args, bound.kwargs


def binding_error(derivative: Any, exc: TypeError) -> TypeError:
    """The error of a call ``derivative`` cannot bind (``exc``, from its signature): a
    forward-mode derivative (``s2s.jvp``, the product of ``s2s.hvp``) called without a tangent
    gets a ``UsageError`` (a ``TypeError`` too) at the caller's line that names the call and
    where the tangents go; any other, ``f``'s own ``TypeError``, as calling ``f`` would."""
    dots = getattr(derivative, "_tangent_names", {})
    missing = [d for d in dots.values() if f"'{d}'" in str(exc)]
    shown = getattr(derivative, "_called_as", None) or repr(derivative)
    if not missing and dots:  # too many arguments, say: the signature, tangents included
        return UsageError(
            f"{shown} cannot take these arguments ({exc}); it takes f's arguments and one "
            f"tangent per wrt argument: ({', '.join(derivative._signature.parameters)})",
            caller_location(),
            "pass one tangent per wrt argument where the signature above places it (wrt "
            "chooses which arguments have one)",
        )
    if not missing:
        return TypeError(f"{derivative.primal.__qualname__}(): {exc}")
    first = derivative.options.tangents_first
    place = "before f's parameters" if first else "after f's parameters that have no default"
    return UsageError(
        f"{shown} was called without the tangent {missing[0]!r} ({exc}); it takes f's arguments "
        f"and one tangent per wrt argument: ({', '.join(derivative._signature.parameters)})",
        caller_location(),
        f"pass each tangent (an array shaped like its wrt argument) {place}, as the signature "
        f"above places them, by position or by name ({missing[0]}=...)",
    )


def signature_now(derivative: Any) -> inspect.Signature:
    """The signature a call of ``derivative`` that leaves out a parameter binds with: made
    again, with the derivative's caches, when the primal's defaults were replaced since it
    was made (``f.__defaults__ = (3.0,)``: calling ``f`` uses the new ones, so must its
    derivative; the old signature gave the old default's derivative, silently). A flat
    derivative of container arguments is made again by its outer one, whose caches hold it."""
    if derivative._layout is None and any(
        now is not seen
        for now, seen in zip(defaults_token(derivative.primal), derivative._defaults_seen)
    ):
        derivative._finish(inspect.signature(derivative.primal))
        derivative.__signature__ = derivative._signature
    return derivative._signature


def defaults_token(primal: Any) -> tuple:
    """What a derivative's signature depends on beyond the primal's code, compared by
    identity: the primal's ``__defaults__`` and ``__kwdefaults__`` (assigning either replaces
    the object), or, for a derivative of a derivative, the inner one's current signature."""
    if getattr(primal, "__s2s_derivative__", False):
        return (signature_now(primal),)
    return (getattr(primal, "__defaults__", None), getattr(primal, "__kwdefaults__", None))


def twin_allows_int(f: Any) -> dict[str, bool]:
    """``{"allow_int": ...}`` for a derivative s2s makes of ``f`` on its own: true for a
    runtime twin (whose factor tuples hold an int pivot or a bool flag, never differentiated)
    and for a derivative of one, differentiated again (a third derivative of ``cho_solve``)."""
    while getattr(f, "__s2s_derivative__", False) is True:
        f = f.primal
    return {"allow_int": source_of(f) is not None}
