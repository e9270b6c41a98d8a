"""Composites of the two modes: Hessian-vector products, Hessians and Jacobians.

``hvp`` is forward over reverse: the JVP of the generated gradient (DESIGN 10), so it costs a
small constant times a gradient and never forms the Hessian. ``hessian`` stacks such products
along the basis directions; ``jacobian`` stacks JVPs (forward) or pullbacks (reverse) and, in
``mode="auto"``, takes forward mode when the inputs have fewer entries than the outputs.
Shapes follow JAX: a Jacobian has the output's shape followed by the input's.
"""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from s2s import direct
from s2s.api import Derivative, grad, jvp, vjp
from s2s.arguments import check_wrt_value, checked_direction, hessp_signature, wrt_names
from s2s.errors import (
    NonScalarOutputError,
    NoRuleError,
    S2SError,
    UnsupportedSyntaxError,
    UsageError,
    caller_location,
    composite_refusal,
)
from s2s.pullback import reraises_user_errors
from s2s.treeblocks import assemble, basis, is_tree, parts, slots

_MODES = ("auto", "forward", "reverse")
_POSITIONAL_ONLY = inspect.Parameter.POSITIONAL_ONLY
# the options grad, vjp and jvp all take (hvp, hessian and jacobian pass them on to those)
_OPTIONS = frozenset.intersection(
    *(frozenset(inspect.signature(m).parameters) for m in (grad, vjp, jvp))
) - {"f", "wrt"}


class _Composite:
    """A derivative object built from ``grad``, ``jvp`` and ``vjp`` derivatives of ``f``."""

    mode = ""

    def __init__(self, f: Callable, wrt: Any, options: dict[str, Any]) -> None:
        if not callable(f):
            raise UsageError(
                f"s2s.{self.mode} differentiates a Python function, not a "
                f"{type(f).__module__}.{type(f).__qualname__}",
                caller_location(),
                f"pass the function: s2s.{self.mode}(f, wrt=...)(args)",
            )
        refusal = composite_refusal(f)
        if refusal is not None:
            raise NoRuleError(refusal[0], caller_location(), refusal[1])
        unknown = sorted(set(options) - _OPTIONS)
        if unknown:
            raise UsageError(
                f"s2s.{self.mode} has no option {unknown[0]!r}",
                caller_location(),
                f"its options are {', '.join(sorted(_OPTIONS - {'checkpoint'}))} (those "
                "s2s.grad and s2s.jvp share, checkpoint= aside)",
            )
        self.primal = f  # as given: what repr shows and pickling saves
        # the Python function computing f: a library callable's generated wrapper (np.tanh:
        # ``def tanh(x): return np.tanh(x)``), whose signature binds the call and whose
        # derivatives the composites stack (s2s/direct.py)
        self.function = direct.as_function(f, Derivative)
        self._names, self._single = wrt_names(self.function, wrt)
        self.wrt = wrt
        self.options = options
        functools.update_wrapper(self, f, updated=())

    def _bind(self, args: tuple, kwargs: dict) -> tuple[inspect.BoundArguments, list[Any]]:
        """The call's arguments bound as ``f`` binds them (its own ``TypeError`` otherwise),
        and the ``wrt`` values, checked as :func:`s2s.grad` checks them (``DtypeError``)
        before their basis directions are built."""
        bound = inspect.signature(self.function).bind(*args, **kwargs)
        bound.apply_defaults()
        values = [bound.arguments[n] for n in self._names]
        for name, value in zip(self._names, values):
            if not is_tree(value):  # a container: its leaves are checked by the derivatives
                check_wrt_value(name, value, self.function, bool(self.options.get("allow_int")))
        return bound, values

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return self
        import types

        return types.MethodType(self, instance)

    def __repr__(self) -> str:
        name = getattr(self.primal, "__qualname__", repr(self.primal))
        return f"<s2s.{self.mode} of {name} wrt {self.wrt!r}>"


class HessianVectorProduct(_Composite):
    """``hvp(f, wrt)``: called with ``f``'s arguments and one direction per ``wrt`` argument
    (``<name>_dot``, placed as :func:`s2s.jvp` places tangents), returns ``H v``: for one
    ``wrt`` argument an array of its shape (a tuple of them for a tuple ``wrt``).

    Attributes: ``primal``, ``wrt``, ``mode`` (``"hvp"``), ``source`` (the generated JVP of
    the generated gradient), ``gradient`` and ``product`` (the derivative objects used)."""

    mode = "hvp"
    __s2s_composite__ = "hvp"

    def __init__(self, f: Callable, wrt: Any, options: dict[str, Any]) -> None:
        super().__init__(f, wrt, options)
        self.gradient = grad(self.function, wrt=wrt, **options)
        self.product = jvp(self.gradient, wrt=tuple(self._names), **options)
        self.product._called_as = repr(self)  # a missing direction's error names the hvp
        self.__signature__ = self.product.__signature__

    @reraises_user_errors
    def __call__(self, /, *args: Any, **kwargs: Any) -> Any:
        return _checked_scalar(lambda: self.product(*args, **kwargs), "hvp")[1]

    @property
    def source(self) -> str:
        return self.product.source

    def __reduce__(self) -> Any:
        return (_rebuild, ("hvp", self.primal, self.wrt, self.options))


class ScipyHessp:
    """``hessp(f)``: ``H(x) p`` called as ``scipy.optimize.minimize`` calls its ``hessp``,
    ``hessp(x, p, *args)``, the direction second and ``f``'s further arguments (``args=``) after
    it; :func:`hvp` takes ``f``'s arguments first, so ``hessp=s2s.hvp(f)`` fits only an ``f`` of
    one argument. ``x`` is ``f``'s first argument; an integer ``p`` (scipy's ``trust-constr``
    probes with an int8 zero vector) is taken in ``x``'s float dtype.

    Attributes: ``primal``, ``product`` (the :class:`HessianVectorProduct` of ``f`` in its
    first argument), ``source``."""

    mode = "hessp"
    __s2s_composite__ = "hessp"

    def __init__(self, f: Callable, options: dict[str, Any]) -> None:
        if "wrt" in options:
            raise UsageError(
                "s2s.hessp differentiates f's first argument (scipy's x); it takes no wrt",
                caller_location(),
                "give f the parameters first (f(x, *args)), or use s2s.hvp(f, wrt=...)",
            )
        self.primal = f
        self.options = options
        self.product = HessianVectorProduct(f, 0, options)
        self._slots: list[str] | None = None  # hvp's parameters, read at the first call
        functools.update_wrapper(self, f, updated=())
        self.__signature__ = hessp_signature(inspect.signature(self.product.function))

    def __repr__(self) -> str:
        return f"<s2s.hessp of {getattr(self.primal, '__qualname__', repr(self.primal))}>"

    @reraises_user_errors
    def __call__(self, x: Any, p: Any, /, *args: Any, **kwargs: Any) -> Any:
        if not is_tree(x):
            p = checked_direction(x, p)
        if kwargs:  # f's arguments by name: the direction goes by name too
            dot = self.product.product._tangent_names[self.product._names[0]]
            call = (x, *args), {**kwargs, dot: p}
        else:
            call = self._in_hvp_order(x, p, args), {}
        return _checked_scalar(lambda: self.product.product(*call[0], **call[1]), "hessp")[1]

    def _in_hvp_order(self, x: Any, p: Any, args: tuple) -> list:
        """``x, *args`` with the direction where :func:`hvp`'s signature puts it: after the
        parameters without a default (``f(w, a, y, lam=...)``: before ``lam``), or before
        ``*data`` (``f(w, *data)``). The signature's slots are read once."""
        if self._slots is None:
            dot = self.product.product._tangent_names[self.product._names[0]]
            self._slots = [
                "direction" if q.name == dot else "rest" if q.kind is q.VAR_POSITIONAL
                else "one" if q.kind in (q.POSITIONAL_ONLY, q.POSITIONAL_OR_KEYWORD) else "skip"
                for q in inspect.signature(self.product).parameters.values()
            ]  # fmt: skip
        values, placed = [x, *args], []
        for slot in self._slots:
            if slot == "direction":
                placed.append(p)
            elif slot == "rest":
                placed += values
                values = []
            elif slot == "one" and values:
                placed.append(values.pop(0))
        return placed + values  # too many: the call raises f's own TypeError

    @property
    def source(self) -> str:
        return self.product.source

    def __reduce__(self) -> Any:
        return (_rebuild, ("hessp", self.primal, 0, self.options))


class Hessian(_Composite):
    """``hessian(f, wrt)``: the matrix of second derivatives of a real scalar ``f``.

    For one ``wrt`` argument ``x`` the result has shape ``x.shape + x.shape`` (JAX's
    convention); for a tuple ``wrt`` a tuple of tuples, ``H[i][j]`` of shape
    ``xi.shape + xj.shape``. Column ``k`` is a Hessian-vector product with the ``k``-th basis
    direction (forward over reverse), so the cost is ``x.size`` HVPs. A container ``x`` gives
    a tree of trees of blocks, ``H["w"]["b"]`` of shape ``w.shape + b.shape``
    (s2s/treeblocks.py)."""

    mode = "hessian"
    __s2s_composite__ = "hessian"

    def __init__(self, f: Callable, wrt: Any, options: dict[str, Any]) -> None:
        super().__init__(f, wrt, options)
        self.gradient = grad(self.function, wrt=tuple(self._names), **options)
        self.products = [jvp(self.gradient, wrt=(name,), **options) for name in self._names]
        self.__signature__ = inspect.signature(self.function)

    @reraises_user_errors
    def __call__(self, /, *args: Any, **kwargs: Any) -> Any:
        bound, values = self._bind(args, kwargs)
        rows: list[list[Any]] = [[None] * len(values) for _ in values]
        for j, (product, x) in enumerate(zip(self.products, values)):
            columns: dict[int, list[Any]] = {slot: [] for slot, _ in slots(x)}
            for slot, direction in basis(x):
                tangent = {product._tangent_names[self._names[j]]: direction}
                args, kwargs = _with_tangents(product, bound, tangent)
                call = functools.partial(product, *args, **kwargs)
                columns[slot].append(_checked_scalar(call, "hessian")[1])
            for i, xi in enumerate(values):
                rows[i][j] = assemble(xi, {
                    row: assemble(x, {
                        col: _stack([parts(c[i], xi)[row] for c in columns[col]],
                                    np.shape(leaf_i), np.shape(leaf_j), leaf_i)
                        for col, leaf_j in slots(x)
                    })
                    for row, leaf_i in slots(xi)
                })  # fmt: skip
        if self._single:
            return rows[0][0]
        return tuple(tuple(row) for row in rows)

    @property
    def source(self) -> str:
        return self.products[0].source

    def __reduce__(self) -> Any:
        return (_rebuild, ("hessian", self.primal, self.wrt, self.options))


class Jacobian(_Composite):
    """``jacobian(f, wrt, mode)``: the derivative of each output entry by each input entry.

    For an output ``y`` and one ``wrt`` argument ``x`` the result has shape
    ``y.shape + x.shape``; a tuple ``wrt`` gives a tuple over arguments, a tuple output a
    tuple over outputs (of those). ``mode="forward"`` stacks one JVP per input entry,
    ``"reverse"`` one pullback per output entry; ``"auto"`` takes forward mode when the
    ``wrt`` arguments have fewer entries than the outputs, decided once per argument shapes
    and dtypes (the first call evaluates ``f`` once more to learn the output's size).
    ``chosen`` is the mode of the latest call (``None`` before the first). A container ``x``
    gives a tree of its structure whose leaves are the blocks (s2s/treeblocks.py)."""

    mode = "jacobian"
    __s2s_composite__ = "jacobian"

    def __init__(self, f: Callable, wrt: Any, how: str, options: dict[str, Any]) -> None:
        super().__init__(f, wrt, options)
        if how not in _MODES:
            raise UsageError(
                f"jacobian mode must be one of {_MODES}, not {how!r}",
                caller_location(),
                'pass mode="forward" (one JVP per input entry), "reverse" (one pullback per '
                'output entry) or "auto"',
            )
        self.how = how
        self.chosen: str | None = None
        self.forward = [jvp(self.function, wrt=(name,), **options) for name in self._names]
        self.reverse = vjp(self.function, wrt=tuple(self._names), **options)
        self._decisions: dict[Any, str] = {}
        self.__signature__ = inspect.signature(self.function)

    def _decide(self, bound: inspect.BoundArguments, values: list[Any]) -> str:
        if self.how != "auto":
            return self.how
        leaves = [leaf for v in bound.arguments.values()
                  for _, leaf in (slots(v) if is_tree(v) else [(0, v)])]  # fmt: skip
        key = tuple((np.shape(v), np.result_type(v)) for v in leaves
                    if isinstance(v, (np.ndarray, np.generic, float)))  # fmt: skip
        found = self._decisions.get(key)
        if found is None:
            output = self.function(*bound.args, **bound.kwargs)
            outputs, _ = _outputs(output)
            n_out = sum(int(np.size(o)) for o in outputs)
            n_in = sum(int(np.size(leaf)) for v in values for _, leaf in slots(v))
            found = self._decisions[key] = "forward" if n_in < n_out else "reverse"
        return found

    @reraises_user_errors
    def __call__(self, /, *args: Any, **kwargs: Any) -> Any:
        bound, values = self._bind(args, kwargs)
        self.chosen = self._decide(bound, values)
        if self.chosen == "forward":
            return self._forward(bound, values)
        return self._reverse(bound, values)

    def _forward(self, bound: inspect.BoundArguments, values: list[Any]) -> Any:
        per_input = []
        output = None
        for name, product, x in zip(self._names, self.forward, values):
            columns: dict[int, list[Any]] = {slot: [] for slot, _ in slots(x)}
            for slot, direction in basis(x):
                tangent = {product._tangent_names[name]: direction}
                args, kwargs = _with_tangents(product, bound, tangent)
                output, column = product(*args, **kwargs)
                columns[slot].append(column)
            per_input.append(columns)
        if output is None:  # empty inputs: no direction, still the output's value
            output = self.function(*bound.args, **bound.kwargs)
        outputs, kind = _outputs(output)
        result = []
        for k, y in enumerate(outputs):
            blocks = []
            for x, columns in zip(values, per_input):
                blocks.append(assemble(x, {
                    slot: _stack([c[k] if kind else c for c in columns[slot]],
                                 np.shape(y), np.shape(leaf), y, leaf)
                    for slot, leaf in slots(x)
                }))  # fmt: skip
            result.append(blocks[0] if self._single else tuple(blocks))
        return kind(result) if kind else result[0]

    def _reverse(self, bound: inspect.BoundArguments, values: list[Any]) -> Any:
        output, pullback = self.reverse(*bound.args, **bound.kwargs)
        outputs, kind = _outputs(output)
        result = []
        for k, y in enumerate(outputs):
            rows = []
            for direction in _basis(y):
                if kind:
                    cotangent: Any = kind(direction if i == k else None
                                          for i in range(len(outputs)))  # fmt: skip
                else:
                    cotangent = direction
                rows.append(pullback(cotangent))
            blocks = []
            for i, x in enumerate(values):
                by_slot = {}
                for slot, leaf in slots(x):
                    stacked = _stack([parts(r[i], x)[slot] for r in rows], np.shape(leaf),
                                     np.shape(y), y, leaf)  # fmt: skip
                    axes = tuple(range(np.ndim(leaf), np.ndim(leaf) + np.ndim(y)))
                    by_slot[slot] = np.transpose(stacked, axes + tuple(range(np.ndim(leaf))))
                blocks.append(assemble(x, by_slot))
            result.append(blocks[0] if self._single else tuple(blocks))
        return kind(result) if kind else result[0]

    @property
    def source(self) -> str:
        chosen = self.chosen or ("forward" if self.how == "forward" else "reverse")
        return self.forward[0].source if chosen == "forward" else self.reverse.source

    def __reduce__(self) -> Any:
        return (_rebuild, ("jacobian", self.primal, self.wrt, self.options, self.how))


def _outputs(output: Any) -> tuple[list[Any], type | None]:
    """The outputs whose Jacobians are stacked, and the container type of a tuple or list
    output (``None`` for one array): the result has that type, one item per output.

    Raises:
        UsageError: an output that is not a number or array, nor a flat tuple or list of them
            (a dict, a nested list), at the call.
    """
    kind = type(output) if type(output) in (tuple, list) else None
    items = list(output) if kind else [output]
    for item in items:
        if not isinstance(item, (np.ndarray, np.generic, float, int)) or isinstance(item, bool):
            raise UsageError(
                f"jacobian needs an output that is an array, or a flat tuple or list of arrays, "
                f"not one holding a {type(item).__qualname__}",
                caller_location(),
                "return the arrays as a flat tuple (`return a, b`), or take the Jacobian of "
                "each part separately",
            )
    return items, kind


def _with_tangents(
    product: Any, bound: inspect.BoundArguments, tangents: dict[str, Any]
) -> tuple[tuple, dict[str, Any]]:
    """The call of ``product`` (a JVP derivative of ``f``) at ``f``'s bound call with the
    ``tangents`` added, as ``(args, kwargs)``: every argument that can be named is passed by
    name (a JVP's tangent parameter follows ``f``'s required ones: ``f(x, s=2.0)`` gives
    ``(x, x_dot, s=2.0)``, so the defaults ``_bind`` filled in must not be passed by
    position); with a ``*args`` parameter, everything up to it is passed by position in the
    JVP's order (``f(x, *args)`` gives ``(x, x_dot, *args)``)."""
    params = bound.signature.parameters
    values = {**bound.arguments, **tangents}
    if not any(p.kind is p.VAR_POSITIONAL for p in params.values()):
        args = tuple(v for n, v in bound.arguments.items() if params[n].kind is _POSITIONAL_ONLY)
        kwargs = {}
        for name, value in bound.arguments.items():
            kind = params[name].kind
            if kind is params[name].VAR_KEYWORD:
                kwargs.update(value)
            elif kind is not _POSITIONAL_ONLY:
                kwargs[name] = value
        kwargs.update(tangents)
        return args, kwargs
    args, kwargs = [], {}
    for name, param in inspect.signature(product).parameters.items():
        if param.kind is param.VAR_POSITIONAL:
            args += list(values.get(name, ()))
        elif param.kind is param.VAR_KEYWORD:
            kwargs.update(values.get(name, {}))
        elif param.kind is param.KEYWORD_ONLY:
            if name in values:
                kwargs[name] = values[name]
        else:
            args.append(values[name])
    return tuple(args), kwargs


def _basis(x: Any):
    """The unit directions of ``x``'s entries in C order, each of ``x``'s type and dtype."""
    shape = np.shape(x)
    dtype = np.result_type(x) if np.result_type(x).kind == "f" else np.dtype(np.float64)
    for index in range(math.prod(shape)):
        e = np.zeros(shape, dtype)
        e.flat[index] = 1.0
        yield e if shape or not isinstance(x, float) else float(e)


def _stack(items: list[Any], inner: tuple, outer: tuple, *like: Any) -> Any:
    """``items`` (one per entry of an ``outer``-shaped array, each of shape ``inner``) as one
    array of shape ``inner + outer``, in the dtype the values promote to; of scalars (no
    ``like`` value an ndarray), a numpy scalar."""
    dtype = np.result_type(*[np.result_type(v) for v in like if v is not None], np.float16)
    if not items:
        return np.zeros(inner + outer, dtype)
    stacked = np.stack([np.asarray(i, dtype) for i in items], axis=-1)
    if not inner + outer and not any(isinstance(v, np.ndarray) for v in like):
        return stacked.reshape(())[()]  # of scalars, a scalar (np.float64), as grad gives
    return np.reshape(stacked, inner + outer)


def _checked_scalar(call: Callable[[], Any], what: str) -> Any:
    """Run ``call``; a non-scalar ``f`` raises ``NonScalarOutputError`` with advice for
    ``what`` (the error keeps the ``return`` line it names)."""
    try:
        return call()
    except NonScalarOutputError as exc:
        where = exc.where
        advice = (
            "reduce the output to a scalar (a loss), or use s2s.jacobian for a vector "
            "function (the Hessian of one output's weighted sum, np.sum(u * f(x)), gives the "
            "second derivatives along u)"
        )
        if where is None or where.filename.startswith("<s2s "):  # f is itself a derivative
            where = caller_location() or where
        head, _, detail = exc.message.partition(" needs a real floating scalar output, but ")
        if head.endswith("of a derivative"):
            advice = (  # s2s.hessian(s2s.grad(f)): third derivatives
                "the Hessian of f is s2s.hessian(f) or s2s.jacobian(s2s.grad(f)); to "
                "differentiate a gradient again use s2s.jacobian(s2s.grad(f)), "
                "s2s.jvp(s2s.grad(f)) or, for third derivatives, "
                "s2s.jacobian(s2s.jvp(s2s.grad(f)))"
            )
        raise NonScalarOutputError(
            f"{what} needs a function with a real floating scalar output (a loss); "
            + (detail or exc.message),
            where,
            advice,
        ) from exc
    except UnsupportedSyntaxError as exc:  # `return a, b`: the gradient's own message
        if not exc.message.startswith("grad needs a single scalar output"):
            raise
        raise UnsupportedSyntaxError(
            exc.message.replace("grad", what, 1),
            exc.where,
            "return one scalar (a loss), or use s2s.jacobian for each output",
        ) from exc


def _rebuild(kind: str, f: Callable, wrt: Any, options: dict[str, Any], *extra: Any) -> Any:
    if kind == "hvp":
        return HessianVectorProduct(f, wrt, options)
    if kind == "hessian":
        return Hessian(f, wrt, options)
    if kind == "hessp":
        return ScipyHessp(f, options)
    return Jacobian(f, wrt, extra[0], options)


def _composite(kind: str, f: Callable | None, wrt: Any, options: dict, *extra: Any) -> Any:
    """The composite of ``f`` (a decorator when ``f`` is None); a callable taking ``*args``
    (``np.einsum``) gets one per number of positional arguments, made at the call."""
    make = lambda g: _rebuild(kind, g, wrt, options, *extra)  # noqa: E731
    if f is None:
        return make
    if direct.is_variadic(f):
        directions = (len(wrt) if isinstance(wrt, tuple) else 1) if kind == "hvp" else 0
        return direct.Variadic(
            f, make, (_rebuild_variadic, (kind, f, wrt, options, *extra)), directions
        )
    return make(f)


def _rebuild_variadic(kind: str, f: Callable, wrt: Any, options: dict, *extra: Any) -> Any:
    return _composite(kind, f, wrt, options, *extra)  # a *args callable's composite, unpickled


def hvp(f: Callable | None = None, wrt: int | str | tuple[int | str, ...] = 0, **options: Any):
    """Hessian-vector products of a real scalar ``f``, forward over reverse (one JVP of the
    generated gradient: a few gradients' cost, never the Hessian itself).

    ``s2s.hvp(f)(x, v)`` returns ``H(x) v`` with ``x``'s shape; the directions follow ``f``'s
    arguments as :func:`s2s.jvp`'s tangents do, so it fits
    ``scipy.optimize.minimize(f, x0, jac=s2s.grad(f), hessp=s2s.hvp(f), method="Newton-CG")``
    for an ``f`` of one argument; with ``args=``, scipy passes the direction second: use
    :func:`hessp` there.
    ``options`` are :func:`s2s.grad`'s (``disconnected``, ``undefined``, ``allow_int``).

    Raises:
        NonScalarOutputError: ``f`` does not return a real floating scalar (at the call).
        TangentError: a direction of the wrong shape or dtype.
    """
    return _composite("hvp", f, wrt, options)


def hessp(f: Callable | None = None, **options: Any):
    """Hessian-vector products in scipy's calling convention, ``hessp(x, p, *args)``:
    ``minimize(f, x0, args=(a, b), jac=s2s.grad(f), hessp=s2s.hessp(f), method="Newton-CG")``
    (see :class:`ScipyHessp`). ``options`` are :func:`hvp`'s."""
    if f is None:
        return lambda g: ScipyHessp(g, options)
    return ScipyHessp(f, options)


def hessian(f: Callable | None = None, wrt: int | str | tuple[int | str, ...] = 0, **options: Any):
    """The Hessian of a real scalar ``f``: shape ``x.shape + x.shape`` for one ``wrt``
    argument, a tuple of tuples ``H[i][j]`` for several (see :class:`Hessian`).

    Raises ``NonScalarOutputError`` (with advice to use :func:`jacobian`) for a function whose
    output is not a real floating scalar."""
    return _composite("hessian", f, wrt, options)


def jacobian(
    f: Callable | None = None,
    wrt: int | str | tuple[int | str, ...] = 0,
    *,
    mode: str = "auto",
    **options: Any,
):
    """The Jacobian of ``f``: shape ``y.shape + x.shape`` (JAX's convention), built from JVPs
    (``mode="forward"``) or pullbacks (``"reverse"``); ``"auto"`` takes forward mode when the
    inputs have fewer entries than the outputs, and says which on ``.chosen``."""
    return _composite("jacobian", f, wrt, options, mode)


for _factory in (hvp, hessp, hessian, jacobian):
    _factory.__s2s_makes__ = _factory.__name__  # a call of what it makes: refused (activity)


__all__ = [
    "Hessian", "HessianVectorProduct", "Jacobian", "S2SError", "ScipyHessp", "hessian", "hessp",
    "hvp", "jacobian",
]  # fmt: skip
