"""The plain twin of :func:`s2s.runtime.vectorized_tangent` (the tangent of a call of a
``numpy.vectorize`` object), differentiated from its source: forward over forward
(``s2s.jvp(s2s.jvp(f))``) and beyond (issue 9, :mod:`s2s.runtime.sources`).

The tangent of ``vf(*args)`` along ``tangents`` is each call's JVP of ``vf.pyfunc``. The twin
writes it as a call of one more ``numpy.vectorize`` object, :func:`tangent_object`, whose
function is that JVP (``jvp_of`` of a caller, :mod:`s2s.runtime.callers`), looping as ``vf``
does over ``(x..., t...)``: each tangent ``t`` of its argument's kind (excluded where the
argument is, with its core dimensions), a missing one (``None``: an integer argument, or one
not differentiated) excluded and unused. So
differentiating the twin reaches only :func:`s2s.runtime.vectorized` (whose tangent rule
calls this helper again, one order up) and derivative objects of derivative objects.

One JVP function per number of arguments ``n`` (1 to :data:`ARITY`) and set of tangents
given (differentiated code does not call ``f(*args)``, and a JVP is taken by its arguments'
names): those of 1 to 3 arguments here, of 4 to 6 in plain_vectorized_tangent45.py and
plain_vectorized_tangent6.py (written by ``python -m tools.vectorized_tangents``); an object
of more arguments is refused with a located :class:`s2s.errors.NoRuleError`. The object of
the JVP takes ``pyfunc`` bound (``functools.partial``), so a third forward derivative
differentiates it as it does any object (one of ``2 n`` arguments: ``n <= 3`` works).
Shapes and dtypes are the helper's: the result's shape, a float tangent (zeros for an integer
output, as the helper gives).

Source: numpy.vectorize (each call's JVP is the tangent of the call; the loop is the same).
"""

from __future__ import annotations

import functools
import re
from typing import Any

import numpy as np

from s2s.errors import NoRuleError, caller_location
from s2s.runtime import plain_vectorized_tangent6 as six
from s2s.runtime import plain_vectorized_tangent45 as four_five
from s2s.runtime import vectorized as helpers
from s2s.runtime.callers import CALLERS
from s2s.runtime.core import stop_gradient
from s2s.runtime.sources import differentiated_as, plain
from s2s.runtime.tangents import jvp_of
from s2s.runtime.vectorized import vectorized

ARITY = 6  # the most arguments a vectorize object's tangent is differentiated for
_CORE = re.compile(r"\(([^()]*)\)")
_OBJECTS: dict[Any, Any] = {}

# jvp{n}_{used}(f, x..., t...): the JVP of f(x...) along the tangents of the positions `used`
# (the other tangents are passed as given and unused)


def jvp1_0(f, x0, t0):
    return jvp_of(CALLERS[1], ("a0",))(t0, f, x0)[1]


def jvp2_0(f, x0, x1, t0, t1):
    return jvp_of(CALLERS[2], ("a0",))(t0, f, x0, x1)[1]


def jvp2_1(f, x0, x1, t0, t1):
    return jvp_of(CALLERS[2], ("a1",))(t1, f, x0, x1)[1]


def jvp2_01(f, x0, x1, t0, t1):
    return jvp_of(CALLERS[2], ("a0", "a1"))(t0, t1, f, x0, x1)[1]


def jvp3_0(f, x0, x1, x2, t0, t1, t2):
    return jvp_of(CALLERS[3], ("a0",))(t0, f, x0, x1, x2)[1]


def jvp3_1(f, x0, x1, x2, t0, t1, t2):
    return jvp_of(CALLERS[3], ("a1",))(t1, f, x0, x1, x2)[1]


def jvp3_2(f, x0, x1, x2, t0, t1, t2):
    return jvp_of(CALLERS[3], ("a2",))(t2, f, x0, x1, x2)[1]


def jvp3_01(f, x0, x1, x2, t0, t1, t2):
    return jvp_of(CALLERS[3], ("a0", "a1"))(t0, t1, f, x0, x1, x2)[1]


def jvp3_02(f, x0, x1, x2, t0, t1, t2):
    return jvp_of(CALLERS[3], ("a0", "a2"))(t0, t2, f, x0, x1, x2)[1]


def jvp3_12(f, x0, x1, x2, t0, t1, t2):
    return jvp_of(CALLERS[3], ("a1", "a2"))(t1, t2, f, x0, x1, x2)[1]


def jvp3_012(f, x0, x1, x2, t0, t1, t2):
    return jvp_of(CALLERS[3], ("a0", "a1", "a2"))(t0, t1, t2, f, x0, x1, x2)[1]


JVPS = {
    (0,): jvp1_0,
    (0, None): jvp2_0, (1, None): jvp2_1, (0, 1): jvp2_01,
    (0, None, None): jvp3_0, (1, None, None): jvp3_1, (2, None, None): jvp3_2,
    (0, 1, None): jvp3_01, (0, 2, None): jvp3_02, (1, 2, None): jvp3_12, (0, 1, 2): jvp3_012,
    **four_five.JVPS, **six.JVPS,
}  # fmt: skip


def given(args: Any, tangents: Any) -> tuple:
    """The positions whose tangent the helper uses (given, of a float argument)."""
    return tuple(i for i, t in enumerate(tangents)
                 if t is not None and helpers.floating(args[i]))  # fmt: skip


def tangent_object(vf: Any, n: int, used: tuple) -> Any:
    """``np.vectorize`` of the JVP of ``vf.pyfunc`` in the positions ``used`` of its ``n``
    arguments, looping as ``vf`` does over ``(x..., t...)`` (cached per function and form).

    Raises:
        NoRuleError: more than :data:`ARITY` arguments, located at the user's line.
    """
    if n > ARITY:
        raise NoRuleError(
            f"a derivative of the tangent of a numpy.vectorize call (forward over forward) is "
            f"taken for 1 to {ARITY} arguments (this call has {n}; at a third forward order, "
            "the object's arguments and their tangents count)",
            caller_location(),
            "stack some arguments into one array (with signature=), or bind constants to the "
            "function with functools.partial",
        )
    excluded = frozenset(i if i >= 0 else i + n for i in vf.excluded if isinstance(i, int))
    key = (vf.pyfunc, n, used, vf.signature, excluded)  # the function itself: a closure's cells
    if key not in _OBJECTS:
        if len(_OBJECTS) >= 256:  # a bounded cache: objects of many throwaway functions
            _OBJECTS.clear()
        unused = {n + i for i in range(n) if i in excluded or i not in used}
        skip = {i for i in excluded} | unused
        signature = None
        if vf.signature is not None:
            ins, outs = vf.signature.replace(" ", "").split("->")
            cores = iter(_CORE.findall(ins))
            arg = [None if i in excluded else f"({next(cores)})" for i in range(n)]
            tangent = [a if i in used else None for i, a in enumerate(arg)]
            spec = [s for s in arg + tangent if s is not None]
            signature = ",".join(spec) + f"->({_CORE.findall(outs)[0]})"
        padded = used + (None,) * (n - len(used))
        function = functools.partial(JVPS[padded], vf.pyfunc)
        _OBJECTS[key] = np.vectorize(function, excluded=skip, signature=signature)
    return _OBJECTS[key]


def vectorized_tangent(result: Any, vf: Any, args: Any, tangents: Any) -> Any:
    """The twin of :func:`s2s.runtime.vectorized_tangent`: ``vectorized`` of the per-call JVP
    object (:func:`tangent_object`); zeros where the helper gives them."""
    used = given(stop_gradient(args), stop_gradient(tangents))  # which: piecewise constant
    if not used or np.result_type(result).kind not in "fc":
        return result * 0.0
    obj = tangent_object(vf, len(args), used)
    # one arm per number of arguments (args and tangents are as long): where a derivative
    # reads them as containers, only the arm of their length is differentiated
    if len(args) == 1 and len(tangents) == 1:
        out = vectorized(obj, args[0], tangents[0])
    elif len(args) == 2 and len(tangents) == 2:
        out = vectorized(obj, args[0], args[1], tangents[0], tangents[1])
    elif len(args) == 3 and len(tangents) == 3:
        out = vectorized(obj, args[0], args[1], args[2], tangents[0], tangents[1], tangents[2])
    elif len(args) == 4 and len(tangents) == 4:
        out = vectorized(obj, args[0], args[1], args[2], args[3], tangents[0], tangents[1],
                         tangents[2], tangents[3])  # fmt: skip
    elif len(args) == 5 and len(tangents) == 5:
        out = vectorized(obj, args[0], args[1], args[2], args[3], args[4], tangents[0],
                         tangents[1], tangents[2], tangents[3], tangents[4])  # fmt: skip
    elif len(args) == 6 and len(tangents) == 6:
        out = vectorized(obj, args[0], args[1], args[2], args[3], args[4], args[5],
                         tangents[0], tangents[1], tangents[2], tangents[3], tangents[4],
                         tangents[5])  # fmt: skip
    else:  # never: tangent_object refuses more than ARITY arguments
        out = result * 0.0
    return out


plain(jvp1_0, jvp2_0, jvp2_1, jvp2_01, jvp3_0, jvp3_1, jvp3_2, jvp3_01, jvp3_02, jvp3_12,
      jvp3_012)  # fmt: skip
differentiated_as(vectorized_tangent)(helpers.vectorized_tangent)
