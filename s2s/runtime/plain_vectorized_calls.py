"""The per-call scalar functions of :mod:`s2s.runtime.plain_vectorized` and its twins, one
version per number of arguments ``n`` of the ``numpy.vectorize`` object (1 to 3 here, 4 to
6 in plain_vectorized_calls45.py and plain_vectorized_calls6.py): a
derivative is taken by a parameter's name, and differentiated code does not call
``f(*args)``. Written by ``python -m tools.vectorized_calls`` (the pattern is the same for
each ``n``): ``weighted{n}`` is ``F``, ``contracted{n}`` is ``S``, ``directional{n}``
is ``Q`` and ``curved{n}`` is ``E`` of that module's docstring; ``adjoint_adjoint{n}``,
``tangent_adjoint{n}``, ``adjoint_tangent{n}`` and ``tangent_tangent{n}`` the twins for
``n`` arguments.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from s2s.errors import NoRuleError, caller_location
from s2s.runtime import vectorized_second as helpers
from s2s.runtime.sources import plain
from s2s.runtime.tangents import grad_of
from s2s.runtime.vectorized import vectorized_grads

ARITY = 6  # the most arguments a vectorize object's fourth derivative is taken for
_OBJECTS: dict[Any, Any] = {}
_CORE = re.compile(r"\(([^()]*)\)")


def call_object(vf: Any, n: int, function: Any) -> Any:
    """``np.vectorize(function)`` looping as ``vf`` does over ``vf``'s ``n`` arguments:
    ``function`` takes ``(f, c, x..., a..., u, v...)``, ``f`` passed whole, ``c`` and ``u``
    of the output's kind (its core dimensions), ``x``, ``a`` and ``v`` of each argument's
    (excluded where it is, with its core dimensions), and returns a scalar. Refused (a
    located :class:`s2s.errors.NoRuleError`) for more than :data:`ARITY` arguments."""
    if n > ARITY:
        raise NoRuleError(
            f"a fourth derivative through a numpy.vectorize object is taken for 1 to {ARITY} "
            f"arguments (this one has {n})",
            caller_location(),
            "stack some arguments into one array (with signature=), or bind constants to the "
            "function with functools.partial",
        )
    excluded = frozenset(i if i >= 0 else i + n for i in vf.excluded if isinstance(i, int))
    key = (function, n, vf.signature, excluded)
    if key not in _OBJECTS:
        skip = {0} | {k for i in excluded for k in (2 + i, 2 + n + i, 3 + 2 * n + i)}
        signature = None
        if vf.signature is not None:
            ins, outs = vf.signature.replace(" ", "").split("->")
            cores = iter(_CORE.findall(ins))
            arg = [None if i in excluded else f"({next(cores)})" for i in range(n)]
            out = f"({_CORE.findall(outs)[0]})"
            spec = [out, *arg, *arg, out, *arg]
            signature = ",".join(s for s in spec if s is not None) + "->()"
        _OBJECTS[key] = np.vectorize(function, excluded=skip, signature=signature)
    return _OBJECTS[key]


def weighted1(x0, c, f):
    return np.sum(c * f(x0))


def contracted1(c, x0, a0, f):
    return np.sum(a0 * grad_of(weighted1, "x0")(x0, c, f))


def directional1(f, c, x0, a0, u, v0):
    return np.sum(u * grad_of(contracted1, "c")(c, x0, a0, f)) + np.sum(
        v0 * grad_of(contracted1, "x0")(c, x0, a0, f)
    )


def curved1(f, c, x0, a0, u, v0):
    return np.sum(u * grad_of(directional1, "c")(f, c, x0, a0, u, v0)) + np.sum(
        v0 * grad_of(directional1, "x0")(f, c, x0, a0, u, v0)
    )


def adjoint_adjoint1(cg: Any, cargs: Any, ct: Any, g: Any, vf: Any, args: Any) -> Any:
    x0 = args[0]
    a0 = x0 * 0.0 if ct is None or ct[0] is None else ct[0]
    u = g * 0.0 if cg is None else cg
    v0 = x0 * 0.0 if cargs is None or cargs[0] is None else cargs[0]
    parts = vectorized_grads(
        1.0, call_object(vf, len(args), directional1), [vf.pyfunc, g, x0, a0, u, v0]
    )
    return [[parts[3]], parts[1], [parts[2]]]


def tangent_adjoint1(ct: Any, tg: Any, g: Any, vf: Any, args: Any, tangents: Any) -> Any:
    x0 = args[0]
    a0 = x0 * 0.0 if ct is None or ct[0] is None else ct[0]
    u = g * 0.0 if tg is None else tg
    v0 = x0 * 0.0 if tangents is None or tangents[0] is None else tangents[0]
    parts = vectorized_grads(
        1.0, call_object(vf, len(args), directional1), [vf.pyfunc, g, x0, a0, u, v0]
    )
    return [parts[4], parts[1], [parts[2]], [parts[5]]]


def adjoint_tangent1(dct: Any, dg: Any, dargs: Any, ct: Any, g: Any, vf: Any, args: Any) -> Any:
    x0 = args[0]
    a0 = x0 * 0.0 if ct is None or ct[0] is None else ct[0]
    u = g * 0.0 if dg is None else dg
    v0 = x0 * 0.0 if dargs is None or dargs[0] is None else dargs[0]
    parts = vectorized_grads(
        1.0, call_object(vf, len(args), directional1), [vf.pyfunc, g, x0, a0, u, v0]
    )
    d_g = parts[1]
    d_x0 = parts[2]
    if dct is not None:
        w0 = x0 * 0.0 if dct[0] is None else dct[0]
        linear = helpers.vectorized_grads_adjoint([w0], g, vf, args)
        d_g = d_g + linear[0]
        d_x0 = d_x0 + linear[1][0]
    return [d_g, [d_x0]]


def tangent_tangent1(
    dtg: Any,
    dg: Any,
    dargs: Any,
    dtangents: Any,
    tg: Any,
    g: Any,
    vf: Any,
    args: Any,
    tangents: Any,
) -> Any:
    x0 = args[0]
    out0 = x0 * 0.0
    if dtg is not None or dtangents is not None:
        du = g * 0.0 if dtg is None else dtg
        dw0 = x0 * 0.0 if dtangents is None or dtangents[0] is None else dtangents[0]
        linear = helpers.vectorized_grads_tangent(du, g, vf, args, [dw0])
        out0 = out0 + linear[0]
    if dg is not None or dargs is not None:
        u1 = g * 0.0 if tg is None else tg
        u2 = g * 0.0 if dg is None else dg
        p0 = x0 * 0.0 if tangents is None or tangents[0] is None else tangents[0]
        q0 = x0 * 0.0 if dargs is None or dargs[0] is None else dargs[0]
        z0 = x0 * 0.0
        ve = call_object(vf, len(args), curved1)
        plus = vectorized_grads(1.0, ve, [vf.pyfunc, g, x0, z0, u1 + u2, p0 + q0])
        minus = vectorized_grads(1.0, ve, [vf.pyfunc, g, x0, z0, u1 - u2, p0 - q0])
        out0 = out0 + 0.25 * (plus[3] - minus[3])
    return [out0]


def weighted2(x0, x1, c, f):
    return np.sum(c * f(x0, x1))


def contracted2(c, x0, x1, a0, a1, f):
    return np.sum(a0 * grad_of(weighted2, "x0")(x0, x1, c, f)) + np.sum(
        a1 * grad_of(weighted2, "x1")(x0, x1, c, f)
    )


def directional2(f, c, x0, x1, a0, a1, u, v0, v1):
    return (
        np.sum(u * grad_of(contracted2, "c")(c, x0, x1, a0, a1, f))
        + np.sum(v0 * grad_of(contracted2, "x0")(c, x0, x1, a0, a1, f))
        + np.sum(v1 * grad_of(contracted2, "x1")(c, x0, x1, a0, a1, f))
    )


def curved2(f, c, x0, x1, a0, a1, u, v0, v1):
    return (
        np.sum(u * grad_of(directional2, "c")(f, c, x0, x1, a0, a1, u, v0, v1))
        + np.sum(v0 * grad_of(directional2, "x0")(f, c, x0, x1, a0, a1, u, v0, v1))
        + np.sum(v1 * grad_of(directional2, "x1")(f, c, x0, x1, a0, a1, u, v0, v1))
    )


def adjoint_adjoint2(cg: Any, cargs: Any, ct: Any, g: Any, vf: Any, args: Any) -> Any:
    x0 = args[0]
    x1 = args[1]
    a0 = x0 * 0.0 if ct is None or ct[0] is None else ct[0]
    a1 = x1 * 0.0 if ct is None or ct[1] is None else ct[1]
    u = g * 0.0 if cg is None else cg
    v0 = x0 * 0.0 if cargs is None or cargs[0] is None else cargs[0]
    v1 = x1 * 0.0 if cargs is None or cargs[1] is None else cargs[1]
    parts = vectorized_grads(
        1.0, call_object(vf, len(args), directional2), [vf.pyfunc, g, x0, x1, a0, a1, u, v0, v1]
    )
    return [[parts[4], parts[5]], parts[1], [parts[2], parts[3]]]


def tangent_adjoint2(ct: Any, tg: Any, g: Any, vf: Any, args: Any, tangents: Any) -> Any:
    x0 = args[0]
    x1 = args[1]
    a0 = x0 * 0.0 if ct is None or ct[0] is None else ct[0]
    a1 = x1 * 0.0 if ct is None or ct[1] is None else ct[1]
    u = g * 0.0 if tg is None else tg
    v0 = x0 * 0.0 if tangents is None or tangents[0] is None else tangents[0]
    v1 = x1 * 0.0 if tangents is None or tangents[1] is None else tangents[1]
    parts = vectorized_grads(
        1.0, call_object(vf, len(args), directional2), [vf.pyfunc, g, x0, x1, a0, a1, u, v0, v1]
    )
    return [parts[6], parts[1], [parts[2], parts[3]], [parts[7], parts[8]]]


def adjoint_tangent2(dct: Any, dg: Any, dargs: Any, ct: Any, g: Any, vf: Any, args: Any) -> Any:
    x0 = args[0]
    x1 = args[1]
    a0 = x0 * 0.0 if ct is None or ct[0] is None else ct[0]
    a1 = x1 * 0.0 if ct is None or ct[1] is None else ct[1]
    u = g * 0.0 if dg is None else dg
    v0 = x0 * 0.0 if dargs is None or dargs[0] is None else dargs[0]
    v1 = x1 * 0.0 if dargs is None or dargs[1] is None else dargs[1]
    parts = vectorized_grads(
        1.0, call_object(vf, len(args), directional2), [vf.pyfunc, g, x0, x1, a0, a1, u, v0, v1]
    )
    d_g = parts[1]
    d_x0 = parts[2]
    d_x1 = parts[3]
    if dct is not None:
        w0 = x0 * 0.0 if dct[0] is None else dct[0]
        w1 = x1 * 0.0 if dct[1] is None else dct[1]
        linear = helpers.vectorized_grads_adjoint([w0, w1], g, vf, args)
        d_g = d_g + linear[0]
        d_x0 = d_x0 + linear[1][0]
        d_x1 = d_x1 + linear[1][1]
    return [d_g, [d_x0, d_x1]]


def tangent_tangent2(
    dtg: Any,
    dg: Any,
    dargs: Any,
    dtangents: Any,
    tg: Any,
    g: Any,
    vf: Any,
    args: Any,
    tangents: Any,
) -> Any:
    x0 = args[0]
    x1 = args[1]
    out0 = x0 * 0.0
    out1 = x1 * 0.0
    if dtg is not None or dtangents is not None:
        du = g * 0.0 if dtg is None else dtg
        dw0 = x0 * 0.0 if dtangents is None or dtangents[0] is None else dtangents[0]
        dw1 = x1 * 0.0 if dtangents is None or dtangents[1] is None else dtangents[1]
        linear = helpers.vectorized_grads_tangent(du, g, vf, args, [dw0, dw1])
        out0 = out0 + linear[0]
        out1 = out1 + linear[1]
    if dg is not None or dargs is not None:
        u1 = g * 0.0 if tg is None else tg
        u2 = g * 0.0 if dg is None else dg
        p0 = x0 * 0.0 if tangents is None or tangents[0] is None else tangents[0]
        q0 = x0 * 0.0 if dargs is None or dargs[0] is None else dargs[0]
        z0 = x0 * 0.0
        p1 = x1 * 0.0 if tangents is None or tangents[1] is None else tangents[1]
        q1 = x1 * 0.0 if dargs is None or dargs[1] is None else dargs[1]
        z1 = x1 * 0.0
        ve = call_object(vf, len(args), curved2)
        plus = vectorized_grads(1.0, ve, [vf.pyfunc, g, x0, x1, z0, z1, u1 + u2, p0 + q0, p1 + q1])
        minus = vectorized_grads(1.0, ve, [vf.pyfunc, g, x0, x1, z0, z1, u1 - u2, p0 - q0, p1 - q1])
        out0 = out0 + 0.25 * (plus[4] - minus[4])
        out1 = out1 + 0.25 * (plus[5] - minus[5])
    return [out0, out1]


def weighted3(x0, x1, x2, c, f):
    return np.sum(c * f(x0, x1, x2))


def contracted3(c, x0, x1, x2, a0, a1, a2, f):
    return (
        np.sum(a0 * grad_of(weighted3, "x0")(x0, x1, x2, c, f))
        + np.sum(a1 * grad_of(weighted3, "x1")(x0, x1, x2, c, f))
        + np.sum(a2 * grad_of(weighted3, "x2")(x0, x1, x2, c, f))
    )


def directional3(f, c, x0, x1, x2, a0, a1, a2, u, v0, v1, v2):
    return (
        np.sum(u * grad_of(contracted3, "c")(c, x0, x1, x2, a0, a1, a2, f))
        + np.sum(v0 * grad_of(contracted3, "x0")(c, x0, x1, x2, a0, a1, a2, f))
        + np.sum(v1 * grad_of(contracted3, "x1")(c, x0, x1, x2, a0, a1, a2, f))
        + np.sum(v2 * grad_of(contracted3, "x2")(c, x0, x1, x2, a0, a1, a2, f))
    )


def curved3(f, c, x0, x1, x2, a0, a1, a2, u, v0, v1, v2):
    return (
        np.sum(u * grad_of(directional3, "c")(f, c, x0, x1, x2, a0, a1, a2, u, v0, v1, v2))
        + np.sum(v0 * grad_of(directional3, "x0")(f, c, x0, x1, x2, a0, a1, a2, u, v0, v1, v2))
        + np.sum(v1 * grad_of(directional3, "x1")(f, c, x0, x1, x2, a0, a1, a2, u, v0, v1, v2))
        + np.sum(v2 * grad_of(directional3, "x2")(f, c, x0, x1, x2, a0, a1, a2, u, v0, v1, v2))
    )


def adjoint_adjoint3(cg: Any, cargs: Any, ct: Any, g: Any, vf: Any, args: Any) -> Any:
    x0 = args[0]
    x1 = args[1]
    x2 = args[2]
    a0 = x0 * 0.0 if ct is None or ct[0] is None else ct[0]
    a1 = x1 * 0.0 if ct is None or ct[1] is None else ct[1]
    a2 = x2 * 0.0 if ct is None or ct[2] is None else ct[2]
    u = g * 0.0 if cg is None else cg
    v0 = x0 * 0.0 if cargs is None or cargs[0] is None else cargs[0]
    v1 = x1 * 0.0 if cargs is None or cargs[1] is None else cargs[1]
    v2 = x2 * 0.0 if cargs is None or cargs[2] is None else cargs[2]
    parts = vectorized_grads(
        1.0,
        call_object(vf, len(args), directional3),
        [vf.pyfunc, g, x0, x1, x2, a0, a1, a2, u, v0, v1, v2],
    )
    return [[parts[5], parts[6], parts[7]], parts[1], [parts[2], parts[3], parts[4]]]


def tangent_adjoint3(ct: Any, tg: Any, g: Any, vf: Any, args: Any, tangents: Any) -> Any:
    x0 = args[0]
    x1 = args[1]
    x2 = args[2]
    a0 = x0 * 0.0 if ct is None or ct[0] is None else ct[0]
    a1 = x1 * 0.0 if ct is None or ct[1] is None else ct[1]
    a2 = x2 * 0.0 if ct is None or ct[2] is None else ct[2]
    u = g * 0.0 if tg is None else tg
    v0 = x0 * 0.0 if tangents is None or tangents[0] is None else tangents[0]
    v1 = x1 * 0.0 if tangents is None or tangents[1] is None else tangents[1]
    v2 = x2 * 0.0 if tangents is None or tangents[2] is None else tangents[2]
    parts = vectorized_grads(
        1.0,
        call_object(vf, len(args), directional3),
        [vf.pyfunc, g, x0, x1, x2, a0, a1, a2, u, v0, v1, v2],
    )
    return [parts[8], parts[1], [parts[2], parts[3], parts[4]], [parts[9], parts[10], parts[11]]]


def adjoint_tangent3(dct: Any, dg: Any, dargs: Any, ct: Any, g: Any, vf: Any, args: Any) -> Any:
    x0 = args[0]
    x1 = args[1]
    x2 = args[2]
    a0 = x0 * 0.0 if ct is None or ct[0] is None else ct[0]
    a1 = x1 * 0.0 if ct is None or ct[1] is None else ct[1]
    a2 = x2 * 0.0 if ct is None or ct[2] is None else ct[2]
    u = g * 0.0 if dg is None else dg
    v0 = x0 * 0.0 if dargs is None or dargs[0] is None else dargs[0]
    v1 = x1 * 0.0 if dargs is None or dargs[1] is None else dargs[1]
    v2 = x2 * 0.0 if dargs is None or dargs[2] is None else dargs[2]
    parts = vectorized_grads(
        1.0,
        call_object(vf, len(args), directional3),
        [vf.pyfunc, g, x0, x1, x2, a0, a1, a2, u, v0, v1, v2],
    )
    d_g = parts[1]
    d_x0 = parts[2]
    d_x1 = parts[3]
    d_x2 = parts[4]
    if dct is not None:
        w0 = x0 * 0.0 if dct[0] is None else dct[0]
        w1 = x1 * 0.0 if dct[1] is None else dct[1]
        w2 = x2 * 0.0 if dct[2] is None else dct[2]
        linear = helpers.vectorized_grads_adjoint([w0, w1, w2], g, vf, args)
        d_g = d_g + linear[0]
        d_x0 = d_x0 + linear[1][0]
        d_x1 = d_x1 + linear[1][1]
        d_x2 = d_x2 + linear[1][2]
    return [d_g, [d_x0, d_x1, d_x2]]


def tangent_tangent3(
    dtg: Any,
    dg: Any,
    dargs: Any,
    dtangents: Any,
    tg: Any,
    g: Any,
    vf: Any,
    args: Any,
    tangents: Any,
) -> Any:
    x0 = args[0]
    x1 = args[1]
    x2 = args[2]
    out0 = x0 * 0.0
    out1 = x1 * 0.0
    out2 = x2 * 0.0
    if dtg is not None or dtangents is not None:
        du = g * 0.0 if dtg is None else dtg
        dw0 = x0 * 0.0 if dtangents is None or dtangents[0] is None else dtangents[0]
        dw1 = x1 * 0.0 if dtangents is None or dtangents[1] is None else dtangents[1]
        dw2 = x2 * 0.0 if dtangents is None or dtangents[2] is None else dtangents[2]
        linear = helpers.vectorized_grads_tangent(du, g, vf, args, [dw0, dw1, dw2])
        out0 = out0 + linear[0]
        out1 = out1 + linear[1]
        out2 = out2 + linear[2]
    if dg is not None or dargs is not None:
        u1 = g * 0.0 if tg is None else tg
        u2 = g * 0.0 if dg is None else dg
        p0 = x0 * 0.0 if tangents is None or tangents[0] is None else tangents[0]
        q0 = x0 * 0.0 if dargs is None or dargs[0] is None else dargs[0]
        z0 = x0 * 0.0
        p1 = x1 * 0.0 if tangents is None or tangents[1] is None else tangents[1]
        q1 = x1 * 0.0 if dargs is None or dargs[1] is None else dargs[1]
        z1 = x1 * 0.0
        p2 = x2 * 0.0 if tangents is None or tangents[2] is None else tangents[2]
        q2 = x2 * 0.0 if dargs is None or dargs[2] is None else dargs[2]
        z2 = x2 * 0.0
        ve = call_object(vf, len(args), curved3)
        plus = vectorized_grads(
            1.0, ve, [vf.pyfunc, g, x0, x1, x2, z0, z1, z2, u1 + u2, p0 + q0, p1 + q1, p2 + q2]
        )
        minus = vectorized_grads(
            1.0, ve, [vf.pyfunc, g, x0, x1, x2, z0, z1, z2, u1 - u2, p0 - q0, p1 - q1, p2 - q2]
        )
        out0 = out0 + 0.25 * (plus[5] - minus[5])
        out1 = out1 + 0.25 * (plus[6] - minus[6])
        out2 = out2 + 0.25 * (plus[7] - minus[7])
    return [out0, out1, out2]


plain(
    weighted1,
    contracted1,
    directional1,
    curved1,
    adjoint_adjoint1,
    tangent_adjoint1,
    adjoint_tangent1,
    tangent_tangent1,
    weighted2,
    contracted2,
    directional2,
    curved2,
    adjoint_adjoint2,
    tangent_adjoint2,
    adjoint_tangent2,
    tangent_tangent2,
    weighted3,
    contracted3,
    directional3,
    curved3,
    adjoint_adjoint3,
    tangent_adjoint3,
    adjoint_tangent3,
    tangent_tangent3,
)
