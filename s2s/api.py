"""The public derivative objects ``grad``, ``value_and_grad``, ``vjp`` and ``jvp``, cached per
signature; a derivative object may itself be differentiated (higher order)."""

from __future__ import annotations

import dataclasses
import functools
import inspect
import sys
import threading
import types
import warnings
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import gast
import numpy as np

from s2s import argtrees, direct
from s2s.analysis.dtypes import vtype_of
from s2s.argtrees import Layout, call_tree, flat_derivative, inner_code, is_tree, lowered
from s2s.arguments import (
    abstract_of,
    added_names,
    bind,
    check_numpy_only,
    check_options,
    check_wrt_value,
    defaults_token,
    find_backend,
    insert_parameters,
    shapes_of,
    short_repr,
    twin_allows_int,
    wrt_names,
)
from s2s.callcache import CallCache, error_state_now, search_nonfinite, strict_floats
from s2s.errors import (
    NoRuleError,
    SourceUnavailableError,
    UsageError,
    caller_location,
    composite_refusal,
)
from s2s.frontend.callkeys import learned, paths_key
from s2s.frontend.resolve import MISSING, name_chain, root_value, targets_unchanged
from s2s.leafwise import leafwise  # noqa: F401  (gives the runtime its leaves_of maker)
from s2s.modes import GRAD, JVP, PULLBACK, VALUE_AND_GRAD, VJP, Options
from s2s.pullback import Pullback, derivative_output_error, note_user_error, unshared
from s2s.reverse.nonfinite import finite, finite_array
from s2s.runtime import set_maker, set_vjp_maker
from s2s.siblings import with_siblings

if TYPE_CHECKING:
    from s2s.pipeline import Generated

_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()
_ARRAY = np.ndarray
_WHAT = {JVP: "forward mode (s2s.jvp, hvp, jacobian)", PULLBACK: "a pullback derivative"}
_NESTED = "a derivative of a derivative"


def clear_cache(function: Callable[..., Any] | None = None) -> None:
    """Forget the generated derivatives of ``function`` (of every function when ``None``), so
    the next call generates again: after editing a rule, or in tests of generation itself."""
    with _LOCK:
        _EPOCH[0] += 1  # every derivative drops the store it kept
        if function is None:
            _CACHE.clear()
        else:
            _CACHE.pop(getattr(function, "__func__", function), None)


_EPOCH = [0]  # bumped by clear_cache: a Derivative's cached store is then looked up again
# Shapes a derivative is specialized on, per signature; later shapes share one derivative
# that checks shapes at run time (a loop over many sequence lengths generates five times).
MAX_SHAPE_SPECIALIZATIONS = 4


def _is_s2s_decorator_for(func: types.FunctionType) -> Callable[[gast.expr], bool]:
    def check(node: gast.expr) -> bool:
        target = node.func if isinstance(node, gast.Call) else node
        chain = name_chain(target)
        if chain is None:
            return False
        _, obj = root_value(func, chain[0])
        for attr in chain[1]:
            obj = getattr(obj, attr, MISSING)
        return obj in _DROPPED or obj in _FACTORIES or isinstance(obj, Derivative)

    return check


class Derivative:
    """A derivative of a Python function: call it with the function's own arguments.

    Attributes:
        primal: the function differentiated (a function, or a derivative object: higher order).
        wrt: ``wrt`` as given (an int, a name, or a tuple of them).
        mode: ``"grad"``, ``"value_and_grad"``, ``"vjp"`` or ``"jvp"``.
        source: the generated Python source of the latest specialization (generated on demand).
    """

    __s2s_derivative__ = True

    def __init__(self, primal: Callable, wrt: Any, mode: str, options: Options) -> None:
        if isinstance(primal, Derivative) and primal.mode == VJP:
            raise NoRuleError(
                f"{primal!r} returns a pullback function, which s2s cannot differentiate",
                caller_location(),
                "differentiate a grad, value_and_grad or jvp derivative, or a function "
                "computing the cotangent's product itself: "
                "s2s.grad(lambda x: np.sum(ct * f(x)))",
            )
        refusal = composite_refusal(primal)
        if refusal is not None:  # s2s.grad(s2s.hessian(f))
            raise NoRuleError(refusal[0], caller_location(), refusal[1])
        if not callable(primal):
            raise UsageError(
                f"s2s.{mode} differentiates a Python function, not a "
                f"{type(primal).__module__}.{type(primal).__qualname__}",
                caller_location(),
                f"pass the function: s2s.{mode}(f, wrt=...)(args), or use @s2s.{mode} as a "
                "decorator",
            )
        primal = direct.as_function(primal, Derivative)  # np.tanh: def tanh(x): ...
        if isinstance(primal, types.MethodType):
            raise SourceUnavailableError(
                f"{primal.__qualname__} is a bound method",
                caller_location(),
                f"differentiate the function on the class and pass the instance: "
                f"s2s.grad({primal.__func__.__qualname__}, wrt=...)(obj, ...), or decorate the "
                "method with @s2s.grad(wrt=...) in the class body, naming the array parameter",
            )
        check_options(mode, options)
        if not isinstance(primal, (types.FunctionType, Derivative)):
            raise SourceUnavailableError(
                f"cannot differentiate {short_repr(primal)}: it is not a Python function with "
                "source code",
                caller_location(),
                "pass a function defined with `def` (or a lambda) in a file; builtins, C "
                "functions and callable objects need a rule registered with @s2s.adjoint",
            )
        self.primal = primal
        self.wrt = wrt
        self.mode = mode
        self.options = options
        self._wrt_names, self._single = wrt_names(primal, wrt)
        self._finish(inspect.signature(primal))
        # names and docstring only: the primal's __dict__ must not overwrite ours
        functools.update_wrapper(self, primal, updated=())
        self.__signature__ = self._signature

    def _finish(self, signature: inspect.Signature, avoid: tuple[str, ...] = ()) -> None:
        """The signature-dependent state: tangent or cotangent parameters (named apart from
        ``avoid`` too), binding, caches."""
        mode, options = self.mode, self.options
        self._signature = signature
        self._primal_signature = self._signature
        self._tangent_names: dict[str, str] = {}
        if mode == JVP:  # f's parameters with one tangent per wrt argument
            dots = added_names(self._signature, [f"{w}_dot" for w in self._wrt_names], avoid)
            self._tangent_names = dict(zip(self._wrt_names, dots))
            self._signature = insert_parameters(self._signature, dots, options.tangents_first)
        elif mode == PULLBACK:  # the output's cotangent, then f's parameters
            self._cotangent_name = added_names(self._signature, ["cotangent"], avoid)[0]
            self._signature = insert_parameters(self._signature, [self._cotangent_name], True)
        params = list(self._signature.parameters.values())
        self._positional = tuple(p.name for p in params)
        self._plain = all(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params)
        self._latest: Generated | None = None
        self._functional_twin: Derivative | None = None
        self._locate: Derivative | None = None  # value_and_grad, for the non-finite search
        self._layout: Layout | None = None  # set on the flat derivative of container arguments
        self._flat: dict[Layout, Derivative] = {}  # per layout of container arguments
        self._calls = CallCache()  # the per-call path: s2s/callcache.py
        self._checked = options.nan != "ignore" and mode in (GRAD, VALUE_AND_GRAD)  # finite?
        self._grad_only = self._checked and mode == GRAD
        self._defaults_seen = defaults_token(self.primal)  # (arguments.signature_now)

    # -- cache -------------------------------------------------------------------------------
    def _specializations(self) -> dict:
        """This derivative's store in the shared cache (kept on the object until clear_cache)."""
        cached = self.__dict__.get("_store")
        if cached is not None and cached[0] == _EPOCH[0] and cached[1] is self._layout:
            return cached[2]
        root, chain = self._cache_identity()
        key = (self._wrt_names, self._single, self.mode, self.options, self._layout, chain)
        with _LOCK:
            per_function = _CACHE.setdefault(root, {})
            store = per_function.setdefault(
                key, {"lock": threading.Lock(), "entries": {}, "latest": None, "shapes": {}}
            )
            self._store = (_EPOCH[0], self._layout, store)
        return store

    def _cache_identity(self) -> tuple[Callable, tuple]:
        """``(function, chain)``: the function at the bottom (the cache's weak key) and each
        derivative above it, so a fresh ``jvp(grad(f))`` finds the code an equal one made."""
        primal = self.primal
        if not isinstance(primal, Derivative):
            return primal, ()
        root, chain = primal._cache_identity()
        step = (primal._wrt_names, primal._single, primal.mode, primal.options, primal._layout)
        return root, (*chain, step)

    def _fresh(self, generated: Generated, arguments: dict[str, Any]) -> bool:
        """Every call target still names the object it named at generation (a re-run cell or a
        monkeypatch regenerates), and every callable read from an argument is still there."""
        if not all(bound.holds(arguments) for bound in generated.bound):
            return False
        return targets_unchanged(generated.source_function or self.primal, generated.targets)

    def _specialize(self, arguments: dict[str, Any], shapes: bool = True) -> Generated:
        store = self._specializations()
        abstract = tuple([abstract_of(v) for v in arguments.values()])
        strict = strict_floats()
        # under np.errstate(...="raise") nothing is left out; callables passed as values
        abstract = (abstract, strict, paths_key(store.get("callables", ()), arguments))
        key = (abstract, tuple([shapes_of(v) for v in arguments.values()]) if shapes else None)
        generated = store["entries"].get(key)
        if generated is None and (
            not shapes or store["shapes"].get(abstract, 0) >= MAX_SHAPE_SPECIALIZATIONS
        ):  # the shape-generic derivative serves only once the shaped ones are used up
            generated = store["entries"].get((abstract, None))
        if generated is not None and self._fresh(generated, arguments):
            if self._latest is not generated:
                self._latest = store["latest"] = generated
            return generated
        with store["lock"]:
            shaped = shapes and store["shapes"].get(abstract, 0) < MAX_SHAPE_SPECIALIZATIONS
            if not shaped:  # many shapes seen: one shape-generic derivative serves the rest
                key = (abstract, None)
            generated = store["entries"].get(key)
            if generated is None or not self._fresh(generated, arguments):
                if shaped and key not in store["entries"]:
                    store["shapes"][abstract] = store["shapes"].get(abstract, 0) + 1
                backend = find_backend(arguments, self.primal)
                if self.mode in (JVP, PULLBACK) or isinstance(self.primal, Derivative):
                    check_numpy_only(backend, _WHAT.get(self.mode, _NESTED), self.primal)
                shaped = shaped and backend.shape_specialize
                arg_types = {name: vtype_of(value, shaped) for name, value in arguments.items()}
                function, inner = self.primal, ()
                if isinstance(function, Derivative):  # higher order: its generated code
                    twin = inner_code(self, function, arguments)  # (s2s/argtrees.py), whose
                    function, inner = twin.compiled.function, twin.bound  # callables this reads
                signature = None
                if self.mode in (JVP, PULLBACK):
                    signature = [(p.name, p.kind.name) for p in self._signature.parameters.values()]
                from s2s.pipeline import generate  # the passes load on the first generation

                generated = generate(
                    function, self._wrt_names, self.mode, self.options, arg_types,
                    _is_s2s_decorator_for(function), self._single, strict, signature, backend,
                    values={n: v for n, v in arguments.items() if n not in self._wrt_names},
                    **lowered(self, function, arguments),  # containers as leaves, or whole
                )  # fmt: skip
                if inner:  # `net.act` inlined into the code differentiated: a new one there
                    bound = tuple(dict.fromkeys(generated.bound + inner))  # regenerates this
                    generated = dataclasses.replace(generated, bound=bound)
                paths = learned(store.get("callables", ()), generated.bound)
                if paths != store.get("callables", ()):  # the key now reads these callables
                    store["callables"] = paths
                    key = ((abstract[0], strict, paths_key(paths, arguments)), key[1])
                store["entries"][key] = generated
        self._latest = store["latest"] = generated
        return generated

    def differentiable_generated(self, arguments: dict[str, Any]) -> Generated:
        """The generated code for ``arguments`` (bound by this derivative's signature) in the
        form s2s differentiates again (no in-place updates, no ``del``, no ``with``), with the
        callables it read from ``arguments`` (``bound``), which its derivative keys on too."""
        twin = self._functional_twin
        if twin is None:
            options = dataclasses.replace(self.options, functional=True, verbose=0)
            twin = self._functional_twin = self._like(self.mode, options)
        return twin._specialize(arguments)

    def _like(self, mode: str, options: Options) -> Derivative:
        """This derivative in another mode or with other options (the same flat layout)."""
        if self._layout is None:
            return Derivative(self.primal, self.wrt, mode, options)
        return flat_derivative(Derivative(self.primal, self._outer_wrt, mode, options),
                               self._layout)  # fmt: skip

    # -- calling -----------------------------------------------------------------------------
    def __call__(self, /, *args: Any, **kwargs: Any) -> Any:
        hit = self._calls.latest  # the latest one-array call's entry (s2s/callcache.py)
        if (
            len(args) == 1 and type(x := args[0]) is _ARRAY and x.dtype is hit[1]
            and x.shape == hit[2] and error_state_now() is hit[0] and hit[3] == _EPOCH[0]
            and not kwargs and hit[4]()
        ):  # fmt: skip
            fast = hit[5]
        else:
            fast = None if kwargs else self._calls.lookup(args, _EPOCH[0])
        if fast is None:  # binding, the arguments' checks, the full lookup or generation
            generated, arguments, args, kwargs = self._prepare(args, kwargs)
            if generated is None:  # a container argument: its result (s2s/argtrees.py)
                return arguments
        else:
            generated, arguments = fast[0], None  # the arguments' dict: made where needed
            if self._latest is not generated:
                self._latest = fast[1]["latest"] = generated
        if generated.warnings and self.options.disconnected == "warn":
            for message in generated.warnings:  # one per disconnected argument, every call
                warnings.warn(f"s2s: {message}", stacklevel=2)
        try:
            result = generated.compiled.function(*args, **kwargs)
        except Exception as exc:  # a runtime refusal without a location gets the line too
            note_user_error(exc, generated)
            raise derivative_output_error(exc, self.primal, self.mode)  # noqa: B904
        if self._grad_only:  # grad: the common call, its check without a dispatch
            only = result[0] if type(result) is tuple and len(result) == 1 else result
            if type(only) is _ARRAY and finite_array(only):
                return result
        if self.mode == VJP:
            value, pullback = result
            arguments = arguments or dict(zip(self._positional, args))
            return unshared(value), Pullback(pullback, generated, self, value, arguments)
        if self._checked and not finite(result if self.mode == GRAD else result[1]):
            arguments = arguments or dict(zip(self._positional, args))
            self._nonfinite(generated, arguments, args, kwargs, result)
        return result

    def _prepare(self, args: tuple, kwargs: dict) -> tuple[Any, Any, tuple, dict]:
        """``(generated, arguments, args, kwargs)`` of a call the per-call cache did not serve
        (``(None, result, ...)`` for a container argument, whose call is done here)."""
        arguments, args, kwargs = bind(self, args, kwargs)
        allow_int = self.options.allow_int
        if argtrees.inner_trees(self, arguments):  # a container its inner derivative takes
            return None, call_tree(self, arguments), args, kwargs
        for name in self._wrt_names:
            value = arguments[name]
            if not (type(value) is np.ndarray and value.dtype.kind == "f"):
                if self._layout is None and is_tree(value):
                    return None, call_tree(self, arguments), args, kwargs
                check_wrt_value(name, value, self.primal, allow_int)
        generated = self._specialize(arguments)
        if not kwargs and self._plain and len(args) == len(self._positional):
            self._calls.remember(args, generated, self._specializations(), _EPOCH[0], self.primal)
        return generated, arguments, args, kwargs

    # -- no silent NaN ---------------------------------------------------------------------------
    def _nonfinite(self, generated, arguments, args, kwargs, result) -> None:
        """A non-finite gradient: look for its origin (s2s/callcache.py)."""
        if self._locate is None:  # value_and_grad without the check, for the search
            options = dataclasses.replace(self.options, nan="ignore", verbose=0, replay="search")
            self._locate = self._like(VALUE_AND_GRAD, options)
        search_nonfinite(self, generated, arguments, lambda: self._locate(*args, **kwargs), result)

    @property
    def source(self) -> str:
        """The generated source of the latest specialization.

        Before any call it is the shape-generic derivative for float64 array arguments (and
        the parameters' defaults); reading it does not change what calls get: the first four
        shapes per dtype signature are still specialized, and ``.source`` then shows the
        latest one used.
        """
        if self._latest is None:
            self._latest = self._specializations().get("latest")
        if self._latest is None:
            arguments = {}
            for name, param in self._signature.parameters.items():
                default = param.default
                is_value = default is not inspect.Parameter.empty
                arguments[name] = default if is_value else np.zeros((1,))
            self._specialize(arguments, shapes=False)  # for arrays of any shape
        assert self._latest is not None
        kind = self._latest.compiled.subcalls or ("pullback" if self.options.functional else "vjp")
        return with_siblings(self._latest.compiled.source, self._latest.compiled, kind)

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return self
        return types.MethodType(self, instance)

    def __repr__(self) -> str:
        primal = self.primal
        shown = repr(primal) if isinstance(primal, Derivative) else primal.__qualname__
        return f"<s2s.{self.mode} of {shown} wrt {self.wrt!r}>"

    def __reduce__(self) -> Any:  # np.tanh's derivative pickles np.tanh, not its wrapper
        if (given := direct.original(self.primal)) is not self.primal:
            return (_rebuild, (self.mode, given, self.wrt, self.options))
        module = sys.modules.get(getattr(self.primal, "__module__", ""), None)
        obj: Any = module
        for part in self.primal.__qualname__.split("."):
            obj = getattr(obj, part, None)
        if obj is self:
            return self.primal.__qualname__
        return (_rebuild, (self.mode, self.primal, self.wrt, self.options))


def _rebuild(mode: str, primal: Callable, wrt: Any, options: Options) -> Derivative:
    return Derivative(primal, wrt, mode, options)


def _make(mode: str, f: Callable | None, wrt: Any, **options: Any) -> Any:
    make = lambda g: Derivative(g, wrt, mode, Options(**options))  # noqa: E731
    if f is None or direct.is_variadic(f):  # np.einsum: a derivative per operand count
        tangents = (len(wrt) if isinstance(wrt, tuple) else 1) if mode == JVP else 0
        reduced = (_variadic, (mode, f, wrt, options))
        return make if f is None else direct.Variadic(f, make, reduced, tangents)
    return make(f)


def _variadic(mode: str, f: Callable, wrt: Any, options: dict[str, Any]) -> Any:
    return _make(mode, f, wrt, **options)  # a *args callable's derivative, unpickled


def grad(
    f: Callable | None = None,
    wrt: int | str | tuple[int | str, ...] = 0,
    *,
    disconnected: str = "zero",
    undefined: str = "raise",
    allow_int: bool = False,
    nan: str = "warn",
    verbose: int = 0,
    checkpoint: int | str | None = None,
) -> Any:
    """The gradient of ``f``, a function returning a real floating scalar.

    Args:
        f: a Python function (``def`` or lambda) with source; omit it to use ``grad`` as a
            decorator with arguments.
        wrt: a position or parameter name (one gradient) or a tuple of them (a tuple of
            gradients, in ``wrt`` order). Keyword-only parameters are chosen by name.
        disconnected: what a gradient with no data path to the output gives: ``"zero"`` (zeros
            of the argument's shape and dtype), ``"none"``, ``"warn"`` (zeros and a warning) or
            ``"raise"`` (:class:`DisconnectedGradientError`). A path through piecewise-constant
            operations or ``zero_grad`` is connected: its gradient is zeros whatever this says.
        undefined: what an undefined gradient gives: ``"raise"``
            (:class:`UndefinedGradientError` listing every cause), ``"nan"`` (NaNs) or
            ``"return"`` (the ``s2s.Undefined`` marker).
        allow_int: integer or boolean ``wrt`` arguments give float64 zeros instead of raising.
        nan: what a gradient with a NaN or an infinity gives when the arguments and the value
            are finite: ``"warn"`` (a :class:`NonFiniteGradientWarning` naming the line and the
            operation where it began, found by running the derivative again), ``"raise"``
            (:class:`NonFiniteGradientError`, the same message) or ``"ignore"`` (no check).
            The check costs one dot product per returned gradient (reverse/nonfinite.py).
        verbose: print the program after each pass when generating.
        checkpoint: ``None`` (every trip of a loop taped), an int ``c >= 1``, ``"auto"`` or
            ``s2s.MemoryBudget(nbytes)``: each outermost ``for i in range(...)`` loop keeps at
            most ``c`` snapshots of its state (or what fits the bytes) and runs its trips again
            in the adjoint sweep (binomial; README "Checkpointing long loops").

    Returns:
        A :class:`Derivative` with ``f``'s signature. Each gradient has its argument's type: an
        ndarray of the same shape and dtype, the same numpy scalar type, or ``np.float64`` for a
        Python float.

    Raises:
        WrtError: bad ``wrt`` (at once). At the first call: ``UnsupportedSyntaxError``,
        ``SourceUnavailableError``, ``NoRuleError``, ``DtypeError``; at run time
        ``NonScalarOutputError`` when ``f`` returns anything but a real floating scalar.
    """
    return _make(
        GRAD,
        f,
        wrt,
        disconnected=disconnected,
        undefined=undefined,
        allow_int=allow_int,
        nan=nan,
        verbose=verbose,
        checkpoint=checkpoint,
    )


def value_and_grad(
    f: Callable | None = None,
    wrt: int | str | tuple[int | str, ...] = 0,
    *,
    has_aux: bool = False,
    disconnected: str = "zero",
    undefined: str = "raise",
    allow_int: bool = False,
    nan: str = "warn",
    verbose: int = 0,
    checkpoint: int | str | None = None,
) -> Any:
    """Like :func:`grad`, but the derivative returns ``(value, grads)``.

    ``(value, grad)`` is what ``scipy.optimize.minimize(fun, x0, jac=True)`` expects. With
    ``has_aux=True``, ``f`` ends with ``return loss, aux`` (written as a pair) and the result
    is ``((loss, aux), grads)``; wrap it for scipy, which wants the loss alone.
    """
    return _make(
        VALUE_AND_GRAD,
        f,
        wrt,
        has_aux=has_aux,
        disconnected=disconnected,
        undefined=undefined,
        allow_int=allow_int,
        nan=nan,
        verbose=verbose,
        checkpoint=checkpoint,
    )


def vjp(
    f: Callable | None = None,
    wrt: int | str | tuple[int | str, ...] = 0,
    *,
    disconnected: str = "zero",
    undefined: str = "raise",
    allow_int: bool = False,
    nan: str = "warn",
    verbose: int = 0,
    checkpoint: int | str | None = None,
) -> Any:
    """Reverse mode for any output shape: the derivative returns ``(value, pullback)``.

    ``pullback(cotangent)`` takes a float array with the output's shape (cast to the output's
    dtype) and returns the gradient(s) of ``sum(value * cotangent)`` with respect to ``wrt``;
    for a function returning a tuple it takes a tuple with one cotangent per output, ``None``
    for an output without one. It can be called repeatedly and never writes the cotangent.
    Raises ``CotangentError`` for a cotangent of the wrong shape, structure or dtype (integer
    cotangents are refused). ``checkpoint=`` bounds a long loop's memory, as for :func:`grad`.
    """
    return _make(
        VJP,
        f,
        wrt,
        disconnected=disconnected,
        undefined=undefined,
        allow_int=allow_int,
        nan=nan,
        verbose=verbose,
        checkpoint=checkpoint,
    )


def jvp(
    f: Callable | None = None,
    wrt: int | str | tuple[int | str, ...] = 0,
    *,
    disconnected: str = "zero",
    undefined: str = "raise",
    allow_int: bool = False,
    verbose: int = 0,
    checkpoint: None = None,
) -> Any:
    """Forward mode: the Jacobian-vector product of ``f`` along tangents of its ``wrt`` arguments.

    The derivative takes ``f``'s arguments with one tangent per ``wrt`` argument, named
    ``<name>_dot``, placed right after ``f``'s positional parameters that have no default (so
    ``s2s.jvp(f)(x, v)`` for ``f(x)`` and ``f(x, n=3)``; by keyword ``x_dot=v`` always). It
    returns ``(value, tangent)``: ``value`` is ``f``'s output and ``tangent`` its directional
    derivative, ``J v``, with the output's structure (a tuple of tangents for a tuple output),
    type, shape and dtype. A tangent has its argument's shape (a tuple of them for a tuple
    argument) and a real floating dtype; it is cast to the argument's tangent dtype (float32
    for float16). Generated code computes each value's tangent right after the value (no tape);
    ``.source`` shows it. ``f`` may be a derivative object: ``jvp(grad(f))`` gives
    Hessian-vector products (see :func:`s2s.hvp`).

    Raises:
        TangentError: a tangent of the wrong shape, structure or dtype (at the call).
        WrtError, NoRuleError, UnsupportedSyntaxError, DtypeError: as :func:`grad`.
        DisconnectedGradientError, UndefinedGradientError: per ``disconnected`` and
            ``undefined``, which mean what they mean for :func:`grad`, per output.
    """
    return _make(
        JVP,
        f,
        wrt,
        disconnected=disconnected,
        undefined=undefined,
        allow_int=allow_int,
        verbose=verbose,
        checkpoint=checkpoint,
    )


def pullback(f: Callable, wrt: int | str | tuple[int | str, ...] = 0, **options: Any) -> Derivative:
    """The VJP as one function: ``pullback(f, wrt)(cotangent, *args)`` returns the gradient(s)
    of ``sum(f(*args) * cotangent)``. Used to differentiate a VJP again (``s2s.check_grad`` at
    order 2, helpers of a derivative differentiated again); not in the ``s2s`` namespace."""
    return _make(PULLBACK, f, wrt, **options)


_FACTORIES = (grad, value_and_grad, vjp, jvp)
_DROPPED = (staticmethod, classmethod, np.vectorize)  # the function under them is what runs
for _factory in (grad, value_and_grad, jvp):
    _factory.__s2s_factory__ = True  # a call of what it makes is a call of a derivative object
# sub-derivatives of the user's own functions, made on their first call (the caller checks)
_INT = twin_allows_int  # a twin's factor tuples, at any order (s2s/arguments.py)
set_vjp_maker(lambda f, wrt, **more: vjp(f, wrt=wrt, nan="ignore", **more, **_INT(f)))
set_maker("jvp", lambda f, wrt: Derivative(f, wrt, JVP, Options(tangents_first=True, **_INT(f))))
set_maker("grad", lambda f, name: grad(f, wrt=name, nan="ignore", **_INT(f)))
set_maker("pullback", lambda f, w: Derivative(f, w, PULLBACK, Options(replay="helper", **_INT(f))))

