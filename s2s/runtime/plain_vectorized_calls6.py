"""The functions and twins of :mod:`s2s.runtime.plain_vectorized_calls` for
``numpy.vectorize`` objects of 6 arguments (a module of their
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


def weighted6(x0, x1, x2, x3, x4, x5, c, f):
    return np.sum(c * f(x0, x1, x2, x3, x4, x5))


def contracted6(c, x0, x1, x2, x3, x4, x5, a0, a1, a2, a3, a4, a5, f):
    return (
        np.sum(a0 * grad_of(weighted6, "x0")(x0, x1, x2, x3, x4, x5, c, f))
        + np.sum(a1 * grad_of(weighted6, "x1")(x0, x1, x2, x3, x4, x5, c, f))
        + np.sum(a2 * grad_of(weighted6, "x2")(x0, x1, x2, x3, x4, x5, c, f))
        + np.sum(a3 * grad_of(weighted6, "x3")(x0, x1, x2, x3, x4, x5, c, f))
        + np.sum(a4 * grad_of(weighted6, "x4")(x0, x1, x2, x3, x4, x5, c, f))
        + np.sum(a5 * grad_of(weighted6, "x5")(x0, x1, x2, x3, x4, x5, c, f))
    )


def directional6(f, c, x0, x1, x2, x3, x4, x5, a0, a1, a2, a3, a4, a5, u, v0, v1, v2, v3, v4, v5):
    return (
        np.sum(u * grad_of(contracted6, "c")(c, x0, x1, x2, x3, x4, x5, a0, a1, a2, a3, a4, a5, f))
        + np.sum(
            v0 * grad_of(contracted6, "x0")(c, x0, x1, x2, x3, x4, x5, a0, a1, a2, a3, a4, a5, f)
        )
        + np.sum(
            v1 * grad_of(contracted6, "x1")(c, x0, x1, x2, x3, x4, x5, a0, a1, a2, a3, a4, a5, f)
        )
        + np.sum(
            v2 * grad_of(contracted6, "x2")(c, x0, x1, x2, x3, x4, x5, a0, a1, a2, a3, a4, a5, f)
        )
        + np.sum(
            v3 * grad_of(contracted6, "x3")(c, x0, x1, x2, x3, x4, x5, a0, a1, a2, a3, a4, a5, f)
        )
        + np.sum(
            v4 * grad_of(contracted6, "x4")(c, x0, x1, x2, x3, x4, x5, a0, a1, a2, a3, a4, a5, f)
        )
        + np.sum(
            v5 * grad_of(contracted6, "x5")(c, x0, x1, x2, x3, x4, x5, a0, a1, a2, a3, a4, a5, f)
        )
    )


def curved6(f, c, x0, x1, x2, x3, x4, x5, a0, a1, a2, a3, a4, a5, u, v0, v1, v2, v3, v4, v5):
    return (
        np.sum(
            u
            * grad_of(directional6, "c")(
                f, c, x0, x1, x2, x3, x4, x5, a0, a1, a2, a3, a4, a5, u, v0, v1, v2, v3, v4, v5
            )
        )
        + np.sum(
            v0
            * grad_of(directional6, "x0")(
                f, c, x0, x1, x2, x3, x4, x5, a0, a1, a2, a3, a4, a5, u, v0, v1, v2, v3, v4, v5
            )
        )
        + np.sum(
            v1
            * grad_of(directional6, "x1")(
                f, c, x0, x1, x2, x3, x4, x5, a0, a1, a2, a3, a4, a5, u, v0, v1, v2, v3, v4, v5
            )
        )
        + np.sum(
            v2
            * grad_of(directional6, "x2")(
                f, c, x0, x1, x2, x3, x4, x5, a0, a1, a2, a3, a4, a5, u, v0, v1, v2, v3, v4, v5
            )
        )
        + np.sum(
            v3
            * grad_of(directional6, "x3")(
                f, c, x0, x1, x2, x3, x4, x5, a0, a1, a2, a3, a4, a5, u, v0, v1, v2, v3, v4, v5
            )
        )
        + np.sum(
            v4
            * grad_of(directional6, "x4")(
                f, c, x0, x1, x2, x3, x4, x5, a0, a1, a2, a3, a4, a5, u, v0, v1, v2, v3, v4, v5
            )
        )
        + np.sum(
            v5
            * grad_of(directional6, "x5")(
                f, c, x0, x1, x2, x3, x4, x5, a0, a1, a2, a3, a4, a5, u, v0, v1, v2, v3, v4, v5
            )
        )
    )


def adjoint_adjoint6(cg: Any, cargs: Any, ct: Any, g: Any, vf: Any, args: Any) -> Any:
    x0 = args[0]
    x1 = args[1]
    x2 = args[2]
    x3 = args[3]
    x4 = args[4]
    x5 = args[5]
    a0 = x0 * 0.0 if ct is None or ct[0] is None else ct[0]
    a1 = x1 * 0.0 if ct is None or ct[1] is None else ct[1]
    a2 = x2 * 0.0 if ct is None or ct[2] is None else ct[2]
    a3 = x3 * 0.0 if ct is None or ct[3] is None else ct[3]
    a4 = x4 * 0.0 if ct is None or ct[4] is None else ct[4]
    a5 = x5 * 0.0 if ct is None or ct[5] is None else ct[5]
    u = g * 0.0 if cg is None else cg
    v0 = x0 * 0.0 if cargs is None or cargs[0] is None else cargs[0]
    v1 = x1 * 0.0 if cargs is None or cargs[1] is None else cargs[1]
    v2 = x2 * 0.0 if cargs is None or cargs[2] is None else cargs[2]
    v3 = x3 * 0.0 if cargs is None or cargs[3] is None else cargs[3]
    v4 = x4 * 0.0 if cargs is None or cargs[4] is None else cargs[4]
    v5 = x5 * 0.0 if cargs is None or cargs[5] is None else cargs[5]
    parts = vectorized_grads(
        1.0,
        call_object(vf, len(args), directional6),
        [vf.pyfunc, g, x0, x1, x2, x3, x4, x5, a0, a1, a2, a3, a4, a5, u, v0, v1, v2, v3, v4, v5],
    )
    return [
        [parts[8], parts[9], parts[10], parts[11], parts[12], parts[13]],
        parts[1],
        [parts[2], parts[3], parts[4], parts[5], parts[6], parts[7]],
    ]


def tangent_adjoint6(ct: Any, tg: Any, g: Any, vf: Any, args: Any, tangents: Any) -> Any:
    x0 = args[0]
    x1 = args[1]
    x2 = args[2]
    x3 = args[3]
    x4 = args[4]
    x5 = args[5]
    a0 = x0 * 0.0 if ct is None or ct[0] is None else ct[0]
    a1 = x1 * 0.0 if ct is None or ct[1] is None else ct[1]
    a2 = x2 * 0.0 if ct is None or ct[2] is None else ct[2]
    a3 = x3 * 0.0 if ct is None or ct[3] is None else ct[3]
    a4 = x4 * 0.0 if ct is None or ct[4] is None else ct[4]
    a5 = x5 * 0.0 if ct is None or ct[5] is None else ct[5]
    u = g * 0.0 if tg is None else tg
    v0 = x0 * 0.0 if tangents is None or tangents[0] is None else tangents[0]
    v1 = x1 * 0.0 if tangents is None or tangents[1] is None else tangents[1]
    v2 = x2 * 0.0 if tangents is None or tangents[2] is None else tangents[2]
    v3 = x3 * 0.0 if tangents is None or tangents[3] is None else tangents[3]
    v4 = x4 * 0.0 if tangents is None or tangents[4] is None else tangents[4]
    v5 = x5 * 0.0 if tangents is None or tangents[5] is None else tangents[5]
    parts = vectorized_grads(
        1.0,
        call_object(vf, len(args), directional6),
        [vf.pyfunc, g, x0, x1, x2, x3, x4, x5, a0, a1, a2, a3, a4, a5, u, v0, v1, v2, v3, v4, v5],
    )
    return [
        parts[14],
        parts[1],
        [parts[2], parts[3], parts[4], parts[5], parts[6], parts[7]],
        [parts[15], parts[16], parts[17], parts[18], parts[19], parts[20]],
    ]


def adjoint_tangent6(dct: Any, dg: Any, dargs: Any, ct: Any, g: Any, vf: Any, args: Any) -> Any:
    x0 = args[0]
    x1 = args[1]
    x2 = args[2]
    x3 = args[3]
    x4 = args[4]
    x5 = args[5]
    a0 = x0 * 0.0 if ct is None or ct[0] is None else ct[0]
    a1 = x1 * 0.0 if ct is None or ct[1] is None else ct[1]
    a2 = x2 * 0.0 if ct is None or ct[2] is None else ct[2]
    a3 = x3 * 0.0 if ct is None or ct[3] is None else ct[3]
    a4 = x4 * 0.0 if ct is None or ct[4] is None else ct[4]
    a5 = x5 * 0.0 if ct is None or ct[5] is None else ct[5]
    u = g * 0.0 if dg is None else dg
    v0 = x0 * 0.0 if dargs is None or dargs[0] is None else dargs[0]
    v1 = x1 * 0.0 if dargs is None or dargs[1] is None else dargs[1]
    v2 = x2 * 0.0 if dargs is None or dargs[2] is None else dargs[2]
    v3 = x3 * 0.0 if dargs is None or dargs[3] is None else dargs[3]
    v4 = x4 * 0.0 if dargs is None or dargs[4] is None else dargs[4]
    v5 = x5 * 0.0 if dargs is None or dargs[5] is None else dargs[5]
    parts = vectorized_grads(
        1.0,
        call_object(vf, len(args), directional6),
        [vf.pyfunc, g, x0, x1, x2, x3, x4, x5, a0, a1, a2, a3, a4, a5, u, v0, v1, v2, v3, v4, v5],
    )
    d_g = parts[1]
    d_x0 = parts[2]
    d_x1 = parts[3]
    d_x2 = parts[4]
    d_x3 = parts[5]
    d_x4 = parts[6]
    d_x5 = parts[7]
    if dct is not None:
        w0 = x0 * 0.0 if dct[0] is None else dct[0]
        w1 = x1 * 0.0 if dct[1] is None else dct[1]
        w2 = x2 * 0.0 if dct[2] is None else dct[2]
        w3 = x3 * 0.0 if dct[3] is None else dct[3]
        w4 = x4 * 0.0 if dct[4] is None else dct[4]
        w5 = x5 * 0.0 if dct[5] is None else dct[5]
        linear = helpers.vectorized_grads_adjoint([w0, w1, w2, w3, w4, w5], g, vf, args)
        d_g = d_g + linear[0]
        d_x0 = d_x0 + linear[1][0]
        d_x1 = d_x1 + linear[1][1]
        d_x2 = d_x2 + linear[1][2]
        d_x3 = d_x3 + linear[1][3]
        d_x4 = d_x4 + linear[1][4]
        d_x5 = d_x5 + linear[1][5]
    return [d_g, [d_x0, d_x1, d_x2, d_x3, d_x4, d_x5]]


def tangent_tangent6(
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
    x5 = args[5]
    out0 = x0 * 0.0
    out1 = x1 * 0.0
    out2 = x2 * 0.0
    out3 = x3 * 0.0
    out4 = x4 * 0.0
    out5 = x5 * 0.0
    if dtg is not None or dtangents is not None:
        du = g * 0.0 if dtg is None else dtg
        dw0 = x0 * 0.0 if dtangents is None or dtangents[0] is None else dtangents[0]
        dw1 = x1 * 0.0 if dtangents is None or dtangents[1] is None else dtangents[1]
        dw2 = x2 * 0.0 if dtangents is None or dtangents[2] is None else dtangents[2]
        dw3 = x3 * 0.0 if dtangents is None or dtangents[3] is None else dtangents[3]
        dw4 = x4 * 0.0 if dtangents is None or dtangents[4] is None else dtangents[4]
        dw5 = x5 * 0.0 if dtangents is None or dtangents[5] is None else dtangents[5]
        linear = helpers.vectorized_grads_tangent(du, g, vf, args, [dw0, dw1, dw2, dw3, dw4, dw5])
        out0 = out0 + linear[0]
        out1 = out1 + linear[1]
        out2 = out2 + linear[2]
        out3 = out3 + linear[3]
        out4 = out4 + linear[4]
        out5 = out5 + linear[5]
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
        p5 = x5 * 0.0 if tangents is None or tangents[5] is None else tangents[5]
        q5 = x5 * 0.0 if dargs is None or dargs[5] is None else dargs[5]
        z5 = x5 * 0.0
        ve = call_object(vf, len(args), curved6)
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
                x5,
                z0,
                z1,
                z2,
                z3,
                z4,
                z5,
                u1 + u2,
                p0 + q0,
                p1 + q1,
                p2 + q2,
                p3 + q3,
                p4 + q4,
                p5 + q5,
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
                x5,
                z0,
                z1,
                z2,
                z3,
                z4,
                z5,
                u1 - u2,
                p0 - q0,
                p1 - q1,
                p2 - q2,
                p3 - q3,
                p4 - q4,
                p5 - q5,
            ],
        )
        out0 = out0 + 0.25 * (plus[8] - minus[8])
        out1 = out1 + 0.25 * (plus[9] - minus[9])
        out2 = out2 + 0.25 * (plus[10] - minus[10])
        out3 = out3 + 0.25 * (plus[11] - minus[11])
        out4 = out4 + 0.25 * (plus[12] - minus[12])
        out5 = out5 + 0.25 * (plus[13] - minus[13])
    return [out0, out1, out2, out3, out4, out5]


plain(
    weighted6,
    contracted6,
    directional6,
    curved6,
    adjoint_adjoint6,
    tangent_adjoint6,
    adjoint_tangent6,
    tangent_tangent6,
)
