"""Helpers for a call of a ``numpy.vectorize`` object (``vf = np.vectorize(f); vf(x, y)``).

The frontend writes such a call as ``_s2s.vectorized(vf, x, y)`` (:mod:`s2s.frontend.vectorized`);
its rules (``templates/selections.py``) call the helpers here, which run the derivative of the
object's ``pyfunc`` (made by s2s at run time, as :mod:`s2s.runtime.functional` does for
``np.piecewise``) on each element, or on each core slice for a ``signature=`` object, then sum
the parts over the axes broadcasting added. So ``pyfunc`` may be a user's Python function, a
numpy function with a rule or another derivative: whatever s2s can differentiate. The second
derivatives are in :mod:`s2s.runtime.vectorized_second`. Shapes: each gradient has its
argument's shape and accumulator dtype (float32 stays float32); an integer argument gets
zeros. Errors: :class:`s2s.errors.NoRuleError` for several outputs or more than six
arguments.

Source: numpy.vectorize (numpy 2 documentation): the positional arguments not in ``excluded``
are broadcast against each other (their loop dimensions, after the core dimensions that
``signature`` names are set aside) and ``pyfunc`` is called on each element or core slice;
the ones in ``excluded`` are passed whole to every call. The VJP of an elementwise map is the
elementwise VJP, the sum over the broadcast axes being the transpose of broadcasting; an
excluded argument's cotangent is the sum of every call's. The tangent is each call's JVP.
"""

from __future__ import annotations

import functools
import inspect
import re
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from s2s.errors import NoRuleError, caller_location
from s2s.runtime.callers import CALLERS as _CALLERS
from s2s.runtime.callers import NAMES as _NAMES
from s2s.runtime.core import acc_dtype, dtype_of, shared_key, unbroadcast
from s2s.runtime.sources import source_of
from s2s.runtime.tangents import jvp_of, pullback_of

_CORE = re.compile(r"\(([^()]*)\)")
_LIBRARIES = {"numpy", "scipy", "math", "s2s", "dask", "cupy"}  # their functions need a rule


def _module(function: Any) -> str:
    return (getattr(function, "__module__", None) or "").split(".")[0]


def _refuse(message: str, advice: str) -> None:
    raise NoRuleError(message, caller_location(), advice)


_PURITY: list[Callable[[Any], Any]] = []  # given by s2s.frontend.vectorized (no pass here)
_CHECKED: dict[Any, Any] = {}


def set_purity_check(check: Callable[[Any], Any]) -> None:
    """Give the helpers the check of a function run again per element (``impurity``)."""
    _PURITY[:] = [check]


def check_pure(pyfunc: Any, given_to: str = "a numpy.vectorize object") -> None:
    """Refuse a function that would differ when run again (a draw, a side effect): the
    frontend checks those it knows when generating; this, one made inside the function, and
    (``given_to``: ``"np.piecewise"``...) a function that numpy calls for a derivative's value
    and s2s calls again for its derivative (:mod:`s2s.runtime.functional`).

    Raises:
        NoRuleError: at the derivative's caller, naming the function and what it does.
    """
    if not _PURITY:
        return
    key = shared_key(pyfunc)
    if isinstance(key, tuple):  # a function by its code: checked once (no closure kept alive)
        found = _CHECKED[key] if key in _CHECKED else _CHECKED.setdefault(key, _PURITY[0](pyfunc))
    else:  # a closure, a method, a library function: checked at each call
        found = _PURITY[0](pyfunc)
    if found is not None:
        what, at = found
        advice = (
            "draw the random numbers (or make the effects) in the differentiated function and "
            "pass them to the object as an argument"
        ) if given_to == "a numpy.vectorize object" else (
            "draw the random numbers (or make the effects) in the differentiated function, "
            f"and give {given_to} a function that neither draws nor acts"
        )
        _refuse(
            f"the function of {given_to}, {getattr(pyfunc, '__qualname__', '')} "
            f"({at.filename}:{at.lineno}), {what}: the derivative runs it again on each element "
            "(a draw would differ from the value's, an effect would happen twice)",
            advice,
        )


@dataclass(frozen=True)
class Plan:
    """How ``vf(*args)`` loops: each argument's core dimensions (``None``: excluded, passed
    whole), the loop shape, and the output's core dimensions; and the function s2s
    differentiates, ``function(*lead, *elements)``, with its parameters' names."""

    cores: tuple[int | None, ...]
    loop: tuple[int, ...]
    out_core: int
    function: Callable[..., Any]
    lead: tuple[Any, ...]
    names: tuple[str, ...]

    def wrt(self, positions: Any) -> tuple[str, ...]:
        return tuple(self.names[i] for i in positions)

    def operands(self, values: Any) -> list[Any]:
        """Each argument broadcast to the loop shape (its core dimensions kept after it)."""
        out = []
        for value, core in zip(values, self.cores, strict=True):
            if core is None or value is None:
                out.append(value)
                continue
            a = np.asarray(value)
            out.append(np.broadcast_to(a, self.loop + a.shape[a.ndim - core:]))
        return out

    def at(self, operands: list[Any], index: tuple[int, ...]) -> list[Any]:
        """The arguments of ``pyfunc``'s call at ``index`` of the loop."""
        return [b if core is None or b is None else (b[index] if core == 0 else b[index].copy())
                for b, core in zip(operands, self.cores)]  # fmt: skip


def _signature(signature: str) -> tuple[list[int], list[int]]:
    """The number of core dimensions of each input and output of a gufunc signature
    (``"(m,n),(n)->(m)"`` gives ``([2, 1], [1])``)."""
    inputs, outputs = signature.replace(" ", "").split("->")
    count = [len([d for d in dims.split(",") if d]) for dims in _CORE.findall(inputs)]
    return count, [len([d for d in dims.split(",") if d]) for dims in _CORE.findall(outputs)]


def plan_of(vf: Any, args: Any) -> Plan:
    """The loop of ``vf(*args)`` (checked: what the rules cannot differentiate is refused)."""
    if not isinstance(vf, np.vectorize):
        _refuse(
            f"_s2s.vectorized is given {type(vf).__name__}, not a numpy.vectorize object",
            "call it only as s2s writes a call of a numpy.vectorize object",
        )
    n = len(args)
    if not 1 <= n < len(_CALLERS) and not (n and _plain(vf.pyfunc)):
        _refuse(
            f"a numpy.vectorize object called with {n} arguments is not differentiated "
            f"(1 to {len(_CALLERS) - 1} are)",
            "stack some arguments into one array (with signature=), or bind constants to its "
            "function with functools.partial",
        )
    excluded = {i if i >= 0 else i + n for i in vf.excluded if isinstance(i, int)}
    positions = [i for i in range(n) if i not in excluded]
    cores: list[int | None] = [None] * n
    out_core = 0
    if vf.signature is not None:
        ins, outs = _signature(vf.signature)
        if len(outs) != 1:
            _refuse(
                f"a numpy.vectorize object with signature {vf.signature!r} returns several "
                "outputs: only one output is differentiated",
                "make one vectorize object per output",
            )
        out_core = outs[0]
        for i, core in zip(positions, ins):
            cores[i] = core
    else:
        for i in positions:
            cores[i] = 0
    shapes = [np.shape(args[i])[: np.ndim(args[i]) - cores[i]] for i in positions]
    loop = np.broadcast_shapes(*shapes)
    return Plan(tuple(cores), loop, out_core, *differentiated_function(vf.pyfunc, n))


def _plain(pyfunc: Any) -> bool:
    """Whether ``pyfunc`` is one of s2s's own functions differentiated from its source (the
    per-call functions of :mod:`s2s.runtime.plain_vectorized_calls`, of any arity), or such
    a function with leading arguments bound (the JVP objects of
    :mod:`s2s.runtime.plain_vectorized_tangent`, ``functools.partial(jvp4_0, f)``)."""
    if type(pyfunc) is functools.partial and not pyfunc.keywords:
        pyfunc = pyfunc.func
    return source_of(pyfunc) is pyfunc


def differentiated_function(pyfunc: Any, n: int) -> tuple[Callable[..., Any], tuple,
                                                         tuple[str, ...]]:  # fmt: skip
    """``pyfunc`` itself with its first ``n`` parameters' names, for a Python function whose
    first ``n`` parameters are plain positional ones (one derivative call per element); else
    the caller of ``n`` arguments, given ``pyfunc`` first (a numpy function, a method)."""
    if type(pyfunc) is functools.partial and _plain(pyfunc):  # a plain function, args bound
        bound = len(pyfunc.args)
        names = list(inspect.signature(pyfunc.func).parameters)[bound : bound + n]
        return pyfunc.func, pyfunc.args, tuple(names)
    if isinstance(pyfunc, types.FunctionType) and (_module(pyfunc) not in _LIBRARIES
                                                   or _plain(pyfunc)):  # fmt: skip
        params = list(inspect.signature(pyfunc).parameters.values())[:n]
        if len(params) == n and all(p.kind is p.POSITIONAL_OR_KEYWORD for p in params):
            return pyfunc, (), tuple(p.name for p in params)
    return _CALLERS[n], (pyfunc,), _NAMES[:n]


def vectorized(vf: Any, *args: Any) -> Any:
    """``vf(*args)``: a call of the ``numpy.vectorize`` object ``vf``, as a derivative makes
    it (its rules differentiate ``vf.pyfunc``; they refuse, with :class:`s2s.errors.NoRuleError`,
    a function returning several outputs)."""
    return vf(*args)


def _one_output(vf: Any, value: Any, plan: Plan | None = None, args: Any = ()) -> None:
    """Refuse several outputs: a tuple of arrays, its cotangent (a list, a tuple, or an array
    with one axis more than one output has), or a tuple from ``pyfunc`` itself there."""
    many = isinstance(value, (tuple, list))
    extra_axis = plan is not None and np.ndim(value) > len(plan.loop) + plan.out_core
    if not many and extra_axis and all(plan.loop):
        first = plan.at(plan.operands(args), (0,) * len(plan.loop))
        many = isinstance(plan.function(*plan.lead, *first), tuple)  # pure: checked before
    if many:
        name = getattr(vf.pyfunc, "__name__", repr(vf.pyfunc))
        _refuse(
            f"a numpy.vectorize object of {name} returns {len(value)} outputs: only one "
            "output is differentiated",
            "make one vectorize object per output",
        )


def integer_output(vf: Any, plan: Plan, args: Any) -> bool:
    """Whether ``vf``'s output is of an integer or boolean dtype (``otypes=[int]``, or
    inferred, as numpy does, from its first element's value): numpy truncates each value
    into it, so the result is piecewise constant and its derivative 0 where it exists."""
    if vf.otypes:
        return np.dtype(vf.otypes[0]).kind in "biu"
    if not all(plan.loop):
        return False
    first = plan.at(plan.operands(args), (0,) * len(plan.loop))
    return np.asarray(plan.function(*plan.lead, *first)).dtype.kind in "biu"


def floating(value: Any) -> bool:
    """Whether ``value`` is differentiated: a float array or scalar (not ``None``, not a
    function passed whole as an excluded argument)."""
    return value is not None and not callable(value) and dtype_of(value).kind == "f"


def gathered(plan: Plan, args: Any, wrt: list[int], parts_at: Callable) -> list[Any]:
    """The cotangent of each argument: the part ``parts_at(index)`` gives it at each element
    (in ``wrt`` order), placed at the element (summed over every element for an excluded
    argument), then summed onto the argument's shape; zeros for one not in ``wrt``."""
    buffers: dict[int, np.ndarray] = {}
    for i in wrt:
        shape = np.shape(args[i])
        if plan.cores[i] is not None:
            shape = plan.loop + shape[len(shape) - plan.cores[i]:]
        buffers[i] = np.zeros(shape, acc_dtype(dtype_of(args[i])))
    for index in np.ndindex(plan.loop):
        for i, part in zip(wrt, parts_at(index), strict=True):
            if part is None:
                continue
            if plan.cores[i] is None:
                buffers[i] += part
            else:
                buffers[i][index] = part
    return [unbroadcast(buffers[i], args[i]) if i in buffers
            else np.zeros(np.shape(args[i]), acc_dtype(dtype_of(args[i])))
            for i in range(len(args))]  # fmt: skip


def vectorized_grads(g: Any, vf: Any, args: Any) -> list[Any]:
    """The gradients of ``vf(*args)`` in each of ``args`` for the cotangent ``g``: at each
    element (or core slice), the VJP of ``vf.pyfunc`` (made by s2s) with ``g``'s entry there;
    summed over the broadcast axes onto each argument (DESIGN: shapes and accumulator dtypes
    of the arguments). Zeros for an integer argument."""
    _one_output(vf, g)
    plan = plan_of(vf, args)
    check_pure(vf.pyfunc)
    _one_output(vf, g, plan, args)
    wrt, pullback, operands, gs = cotangent_setup(plan, g, args)
    if pullback is None or integer_output(vf, plan, args):  # piecewise constant: no gradient
        return gathered(plan, args, [], lambda index: ())
    return gathered(
        plan, args, wrt, lambda index: pullback(gs[index], *plan.lead, *plan.at(operands, index))
    )


def vectorized_tangent(result: Any, vf: Any, args: Any, tangents: Any) -> Any:
    """The tangent of ``result = vf(*args)`` along ``tangents`` (one per argument, ``None``
    for none): at each element (or core slice), the JVP of ``vf.pyfunc`` (made by s2s)."""
    _one_output(vf, result)
    plan = plan_of(vf, args)
    check_pure(vf.pyfunc)
    wrt = [i for i, t in enumerate(tangents) if t is not None and floating(args[i])]
    out = np.zeros(np.shape(result), acc_dtype(dtype_of(result)))
    if not wrt or dtype_of(result).kind not in "fc":  # integer outputs: piecewise constant
        return out
    jvp = jvp_of(plan.function, plan.wrt(wrt))
    operands = plan.operands(args)
    directions = plan.operands([np.broadcast_to(t, np.shape(a)) if t is not None else None
                                for t, a in zip(tangents, args)])  # fmt: skip
    for index in np.ndindex(plan.loop):
        ts = plan.at(directions, index)
        _, out[index] = jvp(*(ts[i] for i in wrt), *plan.lead, *plan.at(operands, index))
    return out


def cotangent_setup(plan: Plan, g: Any, args: Any) -> tuple[list[int], Any, Any, np.ndarray]:
    """What the VJP of every call needs: the differentiated positions, the caller's pullback,
    the broadcast arguments, and ``g`` broadcast to the loop (its core dimensions after)."""
    wrt = [i for i, a in enumerate(args) if floating(a)]
    pullback = pullback_of(plan.function, plan.wrt(wrt)) if wrt else None
    g_shape = plan.loop + np.shape(g)[np.ndim(g) - plan.out_core:]
    return wrt, pullback, plan.operands(args), np.broadcast_to(np.asarray(g), g_shape)
