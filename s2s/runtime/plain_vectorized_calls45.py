"""The functions and twins of :mod:`s2s.runtime.plain_vectorized_calls` for
``numpy.vectorize`` objects of 4 and 5 arguments (a module of their
own under the 600-line limit). Written by ``python -m tools.vectorized_calls``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from s2s.runtime import vectorized_second as helpers
from s2s.runtime.plain_vectorized_calls import call_object
from s2s.runtime.sources import plain
from s2s.runtime.tangents import grad_of
from s2s.runtime.vectorized import vectorized_grads


def weighted4(x0, x1, x2, x3, c, f):
    return np.sum(c * f(x0, x1, x2, x3))


def contracted4(c, x0, x1, x2, x3, a0, a1, a2, a3, f):
    return (
        np.sum(a0 * grad_of(weighted4, "x0")(x0, x1, x2, x3, c, f))
        + np.sum(a1 * grad_of(weighted4, "x1")(x0, x1, x2, x3, c, f))
        + np.sum(a2 * grad_of(weighted4, "x2")(x0, x1, x2, x3, c, f))
        + np.sum(a3 * grad_of(weighted4, "x3")(x0, x1, x2, x3, c, f))
    )


def directional4(f, c, x0, x1, x2, x3, a0, a1, a2, a3, u, v0, v1, v2, v3):
    return (
        np.sum(u * grad_of(contracted4, "c")(c, x0, x1, x2, x3, a0, a1, a2, a3, f))
        + np.sum(v0 * grad_of(contracted4, "x0")(c, x0, x1, x2, x3, a0, a1, a2, a3, f))
        + np.sum(v1 * grad_of(contracted4, "x1")(c, x0, x1, x2, x3, a0, a1, a2, a3, f))
        + np.sum(v2 * grad_of(contracted4, "x2")(c, x0, x1, x2, x3, a0, a1, a2, a3, f))
        + np.sum(v3 * grad_of(contracted4, "x3")(c, x0, x1, x2, x3, a0, a1, a2, a3, f))
    )


def curved4(f, c, x0, x1, x2, x3, a0, a1, a2, a3, u, v0, v1, v2, v3):
    return (
        np.sum(
            u * grad_of(directional4, "c")(f, c, x0, x1, x2, x3, a0, a1, a2, a3, u, v0, v1, v2, v3)
        )
        + np.sum(
            v0
            * grad_of(directional4, "x0")(f, c, x0, x1, x2, x3, a0, a1, a2, a3, u, v0, v1, v2, v3)
        )
        + np.sum(
            v1
            * grad_of(directional4, "x1")(f, c, x0, x1, x2, x3, a0, a1, a2, a3, u, v0, v1, v2, v3)
        )
        + np.sum(
            v2
            * grad_of(directional4, "x2")(f, c, x0, x1, x2, x3, a0, a1, a2, a3, u, v0, v1, v2, v3)
        )
        + np.sum(
            v3
            * grad_of(directional4, "x3")(f, c, x0, x1, x2, x3, a0, a1, a2, a3, u, v0, v1, v2, v3)
        )
    )


def adjoint_adjoint4(cg: Any, cargs: Any, ct: Any, g: Any, vf: Any, args: Any) -> Any:
    x0 = args[0]
    x1 = args[1]
    x2 = args[2]
    x3 = args[3]
    a0 = x0 * 0.0 if ct is None or ct[0] is None else ct[0]
    a1 = x1 * 0.0 if ct is None or ct[1] is None else ct[1]
    a2 = x2 * 0.0 if ct is None or ct[2] is None else ct[2]
    a3 = x3 * 0.0 if ct is None or ct[3] is None else ct[3]
    u = g * 0.0 if cg is None else cg
    v0 = x0 * 0.0 if cargs is None or cargs[0] is None else cargs[0]
    v1 = x1 * 0.0 if cargs is None or cargs[1] is None else cargs[1]
    v2 = x2 * 0.0 if cargs is None or cargs[2] is None else cargs[2]
    v3 = x3 * 0.0 if cargs is None or cargs[3] is None else cargs[3]
    parts = vectorized_grads(
        1.0,
        call_object(vf, len(args), directional4),
        [vf.pyfunc, g, x0, x1, x2, x3, a0, a1, a2, a3, u, v0, v1, v2, v3],
    )
    return [
        [parts[6], parts[7], parts[8], parts[9]],
        parts[1],
        [parts[2], parts[3], parts[4], parts[5]],
    ]


def tangent_adjoint4(ct: Any, tg: Any, g: Any, vf: Any, args: Any, tangents: Any) -> Any:
    x0 = args[0]
    x1 = args[1]
    x2 = args[2]
    x3 = args[3]
    a0 = x0 * 0.0 if ct is None or ct[0] is None else ct[0]
    a1 = x1 * 0.0 if ct is None or ct[1] is None else ct[1]
    a2 = x2 * 0.0 if ct is None or ct[2] is None else ct[2]
    a3 = x3 * 0.0 if ct is None or ct[3] is None else ct[3]
    u = g * 0.0 if tg is None else tg
    v0 = x0 * 0.0 if tangents is None or tangents[0] is None else tangents[0]
    v1 = x1 * 0.0 if tangents is None or tangents[1] is None else tangents[1]
    v2 = x2 * 0.0 if tangents is None or tangents[2] is None else tangents[2]
    v3 = x3 * 0.0 if tangents is None or tangents[3] is None else tangents[3]
    parts = vectorized_grads(
        1.0,
        call_object(vf, len(args), directional4),
        [vf.pyfunc, g, x0, x1, x2, x3, a0, a1, a2, a3, u, v0, v1, v2, v3],
    )
    return [
        parts[10],
        parts[1],
        [parts[2], parts[3], parts[4], parts[5]],
        [parts[11], parts[12], parts[13], parts[14]],
    ]


def adjoint_tangent4(dct: Any, dg: Any, dargs: Any, ct: Any, g: Any, vf: Any, args: Any) -> Any:
    x0 = args[0]
    x1 = args[1]
    x2 = args[2]
    x3 = args[3]
    a0 = x0 * 0.0 if ct is None or ct[0] is None else ct[0]
    a1 = x1 * 0.0 if ct is None or ct[1] is None else ct[1]
    a2 = x2 * 0.0 if ct is None or ct[2] is None else ct[2]
    a3 = x3 * 0.0 if ct is None or ct[3] is None else ct[3]
    u = g * 0.0 if dg is None else dg
    v0 = x0 * 0.0 if dargs is None or dargs[0] is None else dargs[0]
    v1 = x1 * 0.0 if dargs is None or dargs[1] is None else dargs[1]
    v2 = x2 * 0.0 if dargs is None or dargs[2] is None else dargs[2]
    v3 = x3 * 0.0 if dargs is None or dargs[3] is None else dargs[3]
    parts = vectorized_grads(
        1.0,
        call_object(vf, len(args), directional4),
        [vf.pyfunc, g, x0, x1, x2, x3, a0, a1, a2, a3, u, v0, v1, v2, v3],
    )
    d_g = parts[1]
    d_x0 = parts[2]
    d_x1 = parts[3]
    d_x2 = parts[4]
    d_x3 = parts[5]
    if dct is not None:
        w0 = x0 * 0.0 if dct[0] is None else dct[0]
        w1 = x1 * 0.0 if dct[1] is None else dct[1]
        w2 = x2 * 0.0 if dct[2] is None else dct[2]
        w3 = x3 * 0.0 if dct[3] is None else dct[3]
        linear = helpers.vectorized_grads_adjoint([w0, w1, w2, w3], g, vf, args)
        d_g = d_g + linear[0]
        d_x0 = d_x0 + linear[1][0]
        d_x1 = d_x1 + linear[1][1]
        d_x2 = d_x2 + linear[1][2]
        d_x3 = d_x3 + linear[1][3]
    return [d_g, [d_x0, d_x1, d_x2, d_x3]]


def tangent_tangent4(
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
    x3 = args[3]
    out0 = x0 * 0.0
    out1 = x1 * 0.0
    out2 = x2 * 0.0
    out3 = x3 * 0.0
    if dtg is not None or dtangents is not None:
        du = g * 0.0 if dtg is None else dtg
        dw0 = x0 * 0.0 if dtangents is None or dtangents[0] is None else dtangents[0]
        dw1 = x1 * 0.0 if dtangents is None or dtangents[1] is None else dtangents[1]
        dw2 = x2 * 0.0 if dtangents is None or dtangents[2] is None else dtangents[2]
        dw3 = x3 * 0.0 if dtangents is None or dtangents[3] is None else dtangents[3]
        linear = helpers.vectorized_grads_tangent(du, g, vf, args, [dw0, dw1, dw2, dw3])
        out0 = out0 + linear[0]
        out1 = out1 + linear[1]
        out2 = out2 + linear[2]
        out3 = out3 + linear[3]
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
        p3 = x3 * 0.0 if tangents is None or tangents[3] is None else tangents[3]
        q3 = x3 * 0.0 if dargs is None or dargs[3] is None else dargs[3]
        z3 = x3 * 0.0
        ve = call_object(vf, len(args), curved4)
        plus = vectorized_grads(
            1.0,
            ve,
            [
                vf.pyfunc,
                g,
                x0,
                x1,
                x2,
                x3,
                z0,
                z1,
                z2,
                z3,
                u1 + u2,
                p0 + q0,
                p1 + q1,
                p2 + q2,
                p3 + q3,
            ],
        )
        minus = vectorized_grads(
            1.0,
            ve,
            [
                vf.pyfunc,
                g,
                x0,
                x1,
                x2,
                x3,
                z0,
                z1,
                z2,
                z3,
                u1 - u2,
                p0 - q0,
                p1 - q1,
                p2 - q2,
                p3 - q3,
            ],
        )
        out0 = out0 + 0.25 * (plus[6] - minus[6])
        out1 = out1 + 0.25 * (plus[7] - minus[7])
        out2 = out2 + 0.25 * (plus[8] - minus[8])
        out3 = out3 + 0.25 * (plus[9] - minus[9])
    return [out0, out1, out2, out3]


def weighted5(x0, x1, x2, x3, x4, c, f):
    return np.sum(c * f(x0, x1, x2, x3, x4))


def contracted5(c, x0, x1, x2, x3, x4, a0, a1, a2, a3, a4, f):
    return (
        np.sum(a0 * grad_of(weighted5, "x0")(x0, x1, x2, x3, x4, c, f))
        + np.sum(a1 * grad_of(weighted5, "x1")(x0, x1, x2, x3, x4, c, f))
        + np.sum(a2 * grad_of(weighted5, "x2")(x0, x1, x2, x3, x4, c, f))
        + np.sum(a3 * grad_of(weighted5, "x3")(x0, x1, x2, x3, x4, c, f))
        + np.sum(a4 * grad_of(weighted5, "x4")(x0, x1, x2, x3, x4, c, f))
    )


def directional5(f, c, x0, x1, x2, x3, x4, a0, a1, a2, a3, a4, u, v0, v1, v2, v3, v4):
    return (
        np.sum(u * grad_of(contracted5, "c")(c, x0, x1, x2, x3, x4, a0, a1, a2, a3, a4, f))
        + np.sum(v0 * grad_of(contracted5, "x0")(c, x0, x1, x2, x3, x4, a0, a1, a2, a3, a4, f))
        + np.sum(v1 * grad_of(contracted5, "x1")(c, x0, x1, x2, x3, x4, a0, a1, a2, a3, a4, f))
        + np.sum(v2 * grad_of(contracted5, "x2")(c, x0, x1, x2, x3, x4, a0, a1, a2, a3, a4, f))
        + np.sum(v3 * grad_of(contracted5, "x3")(c, x0, x1, x2, x3, x4, a0, a1, a2, a3, a4, f))
        + np.sum(v4 * grad_of(contracted5, "x4")(c, x0, x1, x2, x3, x4, a0, a1, a2, a3, a4, f))
    )


def curved5(f, c, x0, x1, x2, x3, x4, a0, a1, a2, a3, a4, u, v0, v1, v2, v3, v4):
    return (
        np.sum(
            u
            * grad_of(directional5, "c")(
                f, c, x0, x1, x2, x3, x4, a0, a1, a2, a3, a4, u, v0, v1, v2, v3, v4
            )
        )
        + np.sum(
            v0
            * grad_of(directional5, "x0")(
                f, c, x0, x1, x2, x3, x4, a0, a1, a2, a3, a4, u, v0, v1, v2, v3, v4
            )
        )
        + np.sum(
            v1
            * grad_of(directional5, "x1")(
                f, c, x0, x1, x2, x3, x4, a0, a1, a2, a3, a4, u, v0, v1, v2, v3, v4
            )
        )
        + np.sum(
            v2
            * grad_of(directional5, "x2")(
                f, c, x0, x1, x2, x3, x4, a0, a1, a2, a3, a4, u, v0, v1, v2, v3, v4
            )
        )
        + np.sum(
            v3
            * grad_of(directional5, "x3")(
                f, c, x0, x1, x2, x3, x4, a0, a1, a2, a3, a4, u, v0, v1, v2, v3, v4
            )
        )
        + np.sum(
            v4
            * grad_of(directional5, "x4")(
                f, c, x0, x1, x2, x3, x4, a0, a1, a2, a3, a4, u, v0, v1, v2, v3, v4
            )
        )
    )


def adjoint_adjoint5(cg: Any, cargs: Any, ct: Any, g: Any, vf: Any, args: Any) -> Any:
    x0 = args[0]
    x1 = args[1]
    x2 = args[2]
    x3 = args[3]
    x4 = args[4]
    a0 = x0 * 0.0 if ct is None or ct[0] is None else ct[0]
    a1 = x1 * 0.0 if ct is None or ct[1] is None else ct[1]
    a2 = x2 * 0.0 if ct is None or ct[2] is None else ct[2]
    a3 = x3 * 0.0 if ct is None or ct[3] is None else ct[3]
    a4 = x4 * 0.0 if ct is None or ct[4] is None else ct[4]
    u = g * 0.0 if cg is None else cg
    v0 = x0 * 0.0 if cargs is None or cargs[0] is None else cargs[0]
    v1 = x1 * 0.0 if cargs is None or cargs[1] is None else cargs[1]
    v2 = x2 * 0.0 if cargs is None or cargs[2] is None else cargs[2]
    v3 = x3 * 0.0 if cargs is None or cargs[3] is None else cargs[3]
    v4 = x4 * 0.0 if cargs is None or cargs[4] is None else cargs[4]
    parts = vectorized_grads(
        1.0,
        call_object(vf, len(args), directional5),
        [vf.pyfunc, g, x0, x1, x2, x3, x4, a0, a1, a2, a3, a4, u, v0, v1, v2, v3, v4],
    )
    return [
        [parts[7], parts[8], parts[9], parts[10], parts[11]],
        parts[1],
        [parts[2], parts[3], parts[4], parts[5], parts[6]],
    ]


def tangent_adjoint5(ct: Any, tg: Any, g: Any, vf: Any, args: Any, tangents: Any) -> Any:
    x0 = args[0]
    x1 = args[1]
    x2 = args[2]
    x3 = args[3]
    x4 = args[4]
    a0 = x0 * 0.0 if ct is None or ct[0] is None else ct[0]
    a1 = x1 * 0.0 if ct is None or ct[1] is None else ct[1]
    a2 = x2 * 0.0 if ct is None or ct[2] is None else ct[2]
    a3 = x3 * 0.0 if ct is None or ct[3] is None else ct[3]
    a4 = x4 * 0.0 if ct is None or ct[4] is None else ct[4]
    u = g * 0.0 if tg is None else tg
    v0 = x0 * 0.0 if tangents is None or tangents[0] is None else tangents[0]
    v1 = x1 * 0.0 if tangents is None or tangents[1] is None else tangents[1]
    v2 = x2 * 0.0 if tangents is None or tangents[2] is None else tangents[2]
    v3 = x3 * 0.0 if tangents is None or tangents[3] is None else tangents[3]
    v4 = x4 * 0.0 if tangents is None or tangents[4] is None else tangents[4]
    parts = vectorized_grads(
        1.0,
        call_object(vf, len(args), directional5),
        [vf.pyfunc, g, x0, x1, x2, x3, x4, a0, a1, a2, a3, a4, u, v0, v1, v2, v3, v4],
    )
    return [
        parts[12],
        parts[1],
        [parts[2], parts[3], parts[4], parts[5], parts[6]],
        [parts[13], parts[14], parts[15], parts[16], parts[17]],
    ]


def adjoint_tangent5(dct: Any, dg: Any, dargs: Any, ct: Any, g: Any, vf: Any, args: Any) -> Any:
    x0 = args[0]
    x1 = args[1]
    x2 = args[2]
    x3 = args[3]
    x4 = args[4]
    a0 = x0 * 0.0 if ct is None or ct[0] is None else ct[0]
    a1 = x1 * 0.0 if ct is None or ct[1] is None else ct[1]
    a2 = x2 * 0.0 if ct is None or ct[2] is None else ct[2]
    a3 = x3 * 0.0 if ct is None or ct[3] is None else ct[3]
    a4 = x4 * 0.0 if ct is None or ct[4] is None else ct[4]
    u = g * 0.0 if dg is None else dg
    v0 = x0 * 0.0 if dargs is None or dargs[0] is None else dargs[0]
    v1 = x1 * 0.0 if dargs is None or dargs[1] is None else dargs[1]
    v2 = x2 * 0.0 if dargs is None or dargs[2] is None else dargs[2]
    v3 = x3 * 0.0 if dargs is None or dargs[3] is None else dargs[3]
    v4 = x4 * 0.0 if dargs is None or dargs[4] is None else dargs[4]
    parts = vectorized_grads(
        1.0,
        call_object(vf, len(args), directional5),
        [vf.pyfunc, g, x0, x1, x2, x3, x4, a0, a1, a2, a3, a4, u, v0, v1, v2, v3, v4],
    )
    d_g = parts[1]
    d_x0 = parts[2]
    d_x1 = parts[3]
    d_x2 = parts[4]
    d_x3 = parts[5]
    d_x4 = parts[6]
    if dct is not None:
        w0 = x0 * 0.0 if dct[0] is None else dct[0]
        w1 = x1 * 0.0 if dct[1] is None else dct[1]
        w2 = x2 * 0.0 if dct[2] is None else dct[2]
        w3 = x3 * 0.0 if dct[3] is None else dct[3]
        w4 = x4 * 0.0 if dct[4] is None else dct[4]
        linear = helpers.vectorized_grads_adjoint([w0, w1, w2, w3, w4], g, vf, args)
        d_g = d_g + linear[0]
        d_x0 = d_x0 + linear[1][0]
        d_x1 = d_x1 + linear[1][1]
        d_x2 = d_x2 + linear[1][2]
        d_x3 = d_x3 + linear[1][3]
        d_x4 = d_x4 + linear[1][4]
    return [d_g, [d_x0, d_x1, d_x2, d_x3, d_x4]]


def tangent_tangent5(
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
    x3 = args[3]
    x4 = args[4]
    out0 = x0 * 0.0
    out1 = x1 * 0.0
    out2 = x2 * 0.0
    out3 = x3 * 0.0
    out4 = x4 * 0.0
    if dtg is not None or dtangents is not None:
        du = g * 0.0 if dtg is None else dtg
        dw0 = x0 * 0.0 if dtangents is None or dtangents[0] is None else dtangents[0]
        dw1 = x1 * 0.0 if dtangents is None or dtangents[1] is None else dtangents[1]
        dw2 = x2 * 0.0 if dtangents is None or dtangents[2] is None else dtangents[2]
        dw3 = x3 * 0.0 if dtangents is None or dtangents[3] is None else dtangents[3]
        dw4 = x4 * 0.0 if dtangents is None or dtangents[4] is None else dtangents[4]
        linear = helpers.vectorized_grads_tangent(du, g, vf, args, [dw0, dw1, dw2, dw3, dw4])
        out0 = out0 + linear[0]
        out1 = out1 + linear[1]
        out2 = out2 + linear[2]
        out3 = out3 + linear[3]
        out4 = out4 + linear[4]
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
        p3 = x3 * 0.0 if tangents is None or tangents[3] is None else tangents[3]
        q3 = x3 * 0.0 if dargs is None or dargs[3] is None else dargs[3]
        z3 = x3 * 0.0
        p4 = x4 * 0.0 if tangents is None or tangents[4] is None else tangents[4]
        q4 = x4 * 0.0 if dargs is None or dargs[4] is None else dargs[4]
        z4 = x4 * 0.0
        ve = call_object(vf, len(args), curved5)
        plus = vectorized_grads(
            1.0,
            ve,
            [
                vf.pyfunc,
                g,
                x0,
                x1,
                x2,
                x3,
                x4,
                z0,
                z1,
                z2,
                z3,
                z4,
                u1 + u2,
                p0 + q0,
                p1 + q1,
                p2 + q2,
                p3 + q3,
                p4 + q4,
            ],
        )
        minus = vectorized_grads(
            1.0,
            ve,
            [
                vf.pyfunc,
                g,
                x0,
                x1,
                x2,
                x3,
                x4,
                z0,
                z1,
                z2,
                z3,
                z4,
                u1 - u2,
                p0 - q0,
                p1 - q1,
                p2 - q2,
                p3 - q3,
                p4 - q4,
            ],
        )
        out0 = out0 + 0.25 * (plus[7] - minus[7])
        out1 = out1 + 0.25 * (plus[8] - minus[8])
        out2 = out2 + 0.25 * (plus[9] - minus[9])
        out3 = out3 + 0.25 * (plus[10] - minus[10])
        out4 = out4 + 0.25 * (plus[11] - minus[11])
    return [out0, out1, out2, out3, out4]


plain(
    weighted4,
    contracted4,
    directional4,
    curved4,
    adjoint_adjoint4,
    tangent_adjoint4,
    adjoint_tangent4,
    tangent_tangent4,
    weighted5,
    contracted5,
    directional5,
    curved5,
    adjoint_adjoint5,
    tangent_adjoint5,
    adjoint_tangent5,
    tangent_tangent5,
)
