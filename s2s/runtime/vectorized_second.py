"""The second and third derivatives of a call of a ``numpy.vectorize`` object: the tangent
and the transpose of :func:`s2s.runtime.vectorized.vectorized_grads`, so that ``hvp``
(forward over reverse) and reverse over reverse go through ``vf(x, y)``; and the tangent and
the transpose of each of those two, so that a third derivative does (a fourth is refused:
the four helpers of the third order have no rules).

Source: the derivative of the elementwise VJP is the elementwise derivative of each call's
VJP (made by s2s from the VJP it made: ``jvp_of`` and ``pullback_of`` of a pullback); the
gathering (placed at the element, summed over an excluded argument's calls and over the
broadcast axes) is linear, so the same gathering applies.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from s2s.runtime.core import acc_dtype, dtype_of, unbroadcast
from s2s.runtime.tangents import jvp_of, pullback_of
from s2s.runtime.vectorized import cotangent_setup, gathered, plan_of


def _first(pullback: Any) -> str:
    """The name of a pullback's cotangent parameter (its first)."""
    return next(iter(inspect.signature(pullback).parameters))


def vectorized_grads_tangent(tg: Any, g: Any, vf: Any, args: Any, tangents: Any) -> list[Any]:
    """The tangent of :func:`vectorized_grads` along ``tg`` (of ``g``; ``None`` for none) and
    ``tangents`` (of ``args``): at each call, the JVP (made by s2s) of ``pyfunc``'s VJP,
    gathered as the VJP's parts are (``tangents`` ``None``: no argument moves). Source: the
    derivative of the elementwise VJP."""
    plan = plan_of(vf, args)
    tangents = (None,) * len(args) if tangents is None else tangents
    wrt, pullback, operands, gs = cotangent_setup(plan, g, args)
    moved = [i for i in wrt if tangents[i] is not None]
    if pullback is None or (tg is None and not moved):
        return gathered(plan, args, [], lambda index: ())
    names = ((_first(pullback),) if tg is not None else ()) + plan.wrt(moved)
    jvp = jvp_of(pullback, names)
    directions = plan.operands([np.broadcast_to(t, np.shape(a)) if t is not None else None
                                for t, a in zip(tangents, args)])  # fmt: skip
    tgs = None if tg is None else np.broadcast_to(np.asarray(tg), gs.shape)

    def parts_at(index: tuple[int, ...]) -> Any:
        ts = plan.at(directions, index)
        first = () if tgs is None else (tgs[index],)
        return jvp(*first, *(ts[i] for i in moved), gs[index], *plan.lead,
                   *plan.at(operands, index))[1]  # fmt: skip

    return gathered(plan, args, wrt, parts_at)


def vectorized_grads_adjoint(ct: Any, g: Any, vf: Any, args: Any) -> list[Any]:
    """The transpose of :func:`vectorized_grads`: ``[d_g, d_args]`` for the cotangent ``ct``
    of its parts (one per argument, ``None`` for none). At each call, the VJP (made by s2s)
    of ``pyfunc``'s VJP with the parts' cotangents there (an excluded argument's whole, as
    the transpose of a sum). Source: the derivative of the elementwise VJP."""
    plan = plan_of(vf, args)
    wrt, pullback, operands, gs = cotangent_setup(plan, g, args)
    cts = {}
    for i in wrt:
        c = ct[i] if ct is not None else None
        if c is not None and plan.cores[i] is not None:
            shape = np.shape(args[i])
            c = np.broadcast_to(np.asarray(c), plan.loop + shape[len(shape) - plan.cores[i]:])
        cts[i] = c
    if pullback is None or all(c is None for c in cts.values()):
        zero = np.zeros(np.shape(g), acc_dtype(dtype_of(g)))
        return [zero, gathered(plan, args, [], lambda index: ())]
    second = pullback_of(pullback, (_first(pullback), *plan.wrt(wrt)))
    d_g = np.zeros(gs.shape, acc_dtype(dtype_of(g)))

    def parts_at(index: tuple[int, ...]) -> Any:
        c = tuple(None if cts[i] is None else (cts[i] if plan.cores[i] is None else
                  cts[i][index]) for i in wrt)  # fmt: skip
        parts = second(c, gs[index], *plan.lead, *plan.at(operands, index))
        d_g[index] = parts[0]
        return parts[1:]

    d_args = gathered(plan, args, wrt, parts_at)
    return [unbroadcast(d_g, g), d_args]


# -- third order: the derivatives of the two helpers above ---------------------------------------
#
# With P(c, x) the VJP of one call (c the call's cotangent, x its arguments), the helpers above
# gather, at each call, T = the JVP of P along (tc, tx) (linear in them) and P2(ct; c, x) = the
# VJP of P. Their derivatives are made of derivatives s2s makes again: the JVP of P, and the
# JVP of P2 in (c, x) with ct held, which is also the VJP in (c, x) of <ct, T> (the Hessian of
# <ct, P> is symmetric; <ct, T(tc, tx)> = <P2(ct), (tc, tx)>). The tangent of T in (c, x) is
# read entry by entry from that JVP (an s2s JVP of a JVP returns a tuple of tuples, which is
# not differentiated). A missing tangent or cotangent is a zero there. Gathering is linear, so
# the derivative's parts are gathered as the value's: a part of g's kind is placed at the call
# and summed onto g, one of an argument's kind placed (summed over the calls for an excluded
# argument) and summed onto the argument.


def _params(function: Any) -> tuple[str, ...]:
    return tuple(inspect.signature(function).parameters)


def _calls(plan: Any, g: Any, args: Any, kinds: list[Any], at: Any) -> list[Any]:
    """The parts ``at(index)`` gives at each call, one per kind (``"g"``: ``g``'s; ``i``:
    argument ``i``'s), placed and summed onto ``g`` or onto the argument."""
    gs_shape = plan.loop + np.shape(g)[np.ndim(g) - plan.out_core:]
    buffers: list[Any] = []
    for kind in kinds:
        if kind == "g":
            buffers.append(np.zeros(gs_shape, acc_dtype(dtype_of(g))))
            continue
        shape = np.shape(args[kind])
        if plan.cores[kind] is not None:
            shape = plan.loop + shape[len(shape) - plan.cores[kind]:]
        buffers.append(np.zeros(shape, acc_dtype(dtype_of(args[kind]))))
    for index in np.ndindex(plan.loop):
        for kind, buffer, part in zip(kinds, buffers, at(index), strict=True):
            if part is None:
                continue
            if kind != "g" and plan.cores[kind] is None:
                buffer += part
            else:
                buffer[index] = part
    return [unbroadcast(b, g if kind == "g" else args[kind]) for kind, b in zip(kinds, buffers)]


class _Calls:
    """What every call's derivative reads: the plan, the VJP ``P`` of one call, the
    differentiated positions, and readers of an element of g's kind or of the arguments'."""

    def __init__(self, g: Any, vf: Any, args: Any) -> None:
        self.plan = plan_of(vf, args)
        self.wrt, self.pullback, self.operands, self.gs = cotangent_setup(self.plan, g, args)
        self.args, self.g = args, g
        if self.pullback is not None:
            self.names = (_first(self.pullback), *self.plan.wrt(self.wrt))

    def like_g(self, value: Any) -> Any:
        """``value`` (of g's kind; ``None``: zeros) broadcast to the calls."""
        if value is None:
            return np.zeros(self.gs.shape, acc_dtype(dtype_of(self.g)))
        return np.broadcast_to(np.asarray(value), self.gs.shape)

    def like_args(self, values: Any) -> list[Any]:
        """``values`` (one per argument, of its kind; ``None``: zeros) broadcast to the calls."""
        values = [None] * len(self.args) if values is None else values
        filled = [np.zeros(np.shape(a), acc_dtype(dtype_of(a))) if v is None else
                  np.broadcast_to(np.asarray(v), np.shape(a)) for v, a in zip(values, self.args)]
        return self.plan.operands(filled)

    def primal(self, index: tuple[int, ...]) -> list[Any]:
        """The call's own arguments after its cotangent: ``pyfunc``'s lead and its elements."""
        return [*self.plan.lead, *self.plan.at(self.operands, index)]

    def wrt_at(self, broadcast: list[Any], index: tuple[int, ...]) -> list[Any]:
        at = self.plan.at(broadcast, index)
        return [at[i] for i in self.wrt]

    def gathered(self, kinds: list[Any], at: Any) -> list[Any]:
        return _calls(self.plan, self.g, self.args, kinds, at)

    def zeros(self) -> list[Any]:
        return [np.zeros(np.shape(a), acc_dtype(dtype_of(a))) for a in self.args]


def _zero_parts(calls: _Calls, parts: list[Any], wrt_kinds: list[Any]) -> list[Any]:
    """One part per argument (zeros where ``wrt`` has none) from the gathered ``wrt`` parts."""
    out = calls.zeros()
    for i, part in zip(wrt_kinds, parts):
        out[i] = part
    return out


def vectorized_grads_tangent_tangent(dtg: Any, dg: Any, dargs: Any, dtangents: Any, tg: Any,
                                     g: Any, vf: Any, args: Any, tangents: Any) -> list[Any]:
    """The tangent of :func:`vectorized_grads_tangent` along ``dtg``, ``dg``, ``dargs`` and
    ``dtangents`` (those of ``tg``, ``g``, ``args``, ``tangents``; ``None``: zero). Linear
    in ``(tg, tangents)``: the helper itself along ``(dtg, dtangents)``, plus, at each call,
    ``D^2 P[u, w]`` with ``u = (tg, t)`` and ``w = (dg, dargs)``: each entry ``e`` of each
    part is ``<H_e w, u>``, ``H_e w`` being the JVP along ``w`` of the call's second VJP with
    the cotangent one at ``e`` (an s2s JVP of a JVP returns nested tuples, which are not
    differentiated). Gathered as the helper's parts. Source: the derivative of the
    elementwise VJP, twice; the symmetry of second derivatives."""
    linear = vectorized_grads_tangent(dtg, g, vf, args, dtangents)
    calls = _Calls(g, vf, args)
    if calls.pullback is None or (dg is None and dargs is None):
        return linear
    curvature = _curvature(calls)
    dgs, tgs = calls.like_g(dg), calls.like_g(tg)
    dxs, ts = calls.like_args(dargs), calls.like_args(tangents)

    def at(index: tuple[int, ...]) -> Any:
        primal = calls.primal(index)
        shapes = [np.shape(p) for p in calls.pullback(calls.gs[index], *primal)]
        u = (tgs[index], *calls.wrt_at(ts, index))
        w = (dgs[index], *calls.wrt_at(dxs, index))
        out = []
        for k, shape in enumerate(shapes):
            part = np.zeros(shape)
            for e in np.ndindex(shape):
                ct = [np.zeros(s) for s in shapes]
                ct[k][e] = 1.0
                hw = curvature(*w, tuple(ct), calls.gs[index], *primal)[1]
                part[e] = sum(np.sum(a * b) for a, b in zip(hw, u, strict=True))
            out.append(part)
        return out

    second = calls.gathered(calls.wrt, at)
    for i, part in zip(calls.wrt, second):
        linear[i] = linear[i] + part
    return linear


def vectorized_grads_tangent_adjoint(ct: Any, tg: Any, g: Any, vf: Any, args: Any,
                                     tangents: Any) -> list[Any]:
    """The transpose of :func:`vectorized_grads_tangent`: ``[d_tg, d_g, d_args, d_tangents]``
    for the cotangent ``ct`` of its parts (one per argument, ``None`` for none). In ``tg`` and
    ``tangents`` (where it is linear) that is :func:`vectorized_grads_adjoint`; in ``g`` and
    ``args``, at each call, the JVP of the call's second VJP along ``(tg, t)`` (the Hessian of
    ``<ct, P>`` is symmetric). Source: <ct, T(tc, tx)> = <P2(ct), (tc, tx)>."""
    linear = vectorized_grads_adjoint(ct, g, vf, args)
    calls = _Calls(g, vf, args)
    if calls.pullback is None:
        return [linear[0], np.zeros(np.shape(g), acc_dtype(dtype_of(g))), calls.zeros(),
                linear[1]]  # fmt: skip
    curvature = _curvature(calls)
    tgs, ts, cts = calls.like_g(tg), calls.like_args(tangents), calls.like_args(ct)

    def at(index: tuple[int, ...]) -> Any:
        return curvature(tgs[index], *calls.wrt_at(ts, index), tuple(calls.wrt_at(cts, index)),
                         calls.gs[index], *calls.primal(index))[1]  # fmt: skip

    parts = calls.gathered(["g", *calls.wrt], at)
    return [linear[0], parts[0], _zero_parts(calls, parts[1:], calls.wrt), linear[1]]


def _curvature(calls: _Calls) -> Any:
    """The JVP of the call's second VJP ``P2(ct; c, x)`` in ``(c, x)`` (``ct`` held): by the
    symmetry of the Hessian of ``<ct, P>``, also the VJP in ``(c, x)`` of ``<ct, T>``."""
    second = pullback_of(calls.pullback, calls.names)
    return jvp_of(second, calls.names)


def vectorized_grads_adjoint_tangent(dct: Any, dg: Any, dargs: Any, ct: Any, g: Any, vf: Any,
                                     args: Any) -> list[Any]:
    """The tangent of :func:`vectorized_grads_adjoint` along ``dct``, ``dg`` and ``dargs``
    (``None``: zero): ``[d_g, d_args]``'s tangents, at each call the tangent part of the JVP
    (made by s2s) of the call's second VJP. Source: the derivative of the elementwise VJP."""
    calls = _Calls(g, vf, args)
    if calls.pullback is None:
        return [np.zeros(np.shape(g), acc_dtype(dtype_of(g))), calls.zeros()]
    second = pullback_of(calls.pullback, calls.names)
    jvp = jvp_of(second, _params(second)[:1] + calls.names)
    dgs, dxs = calls.like_g(dg), calls.like_args(dargs)
    dcts, cts = calls.like_args(dct), calls.like_args(ct)

    def at(index: tuple[int, ...]) -> Any:
        return jvp(tuple(calls.wrt_at(dcts, index)), dgs[index], *calls.wrt_at(dxs, index),
                   tuple(calls.wrt_at(cts, index)), calls.gs[index],
                   *calls.primal(index))[1]  # fmt: skip

    parts = calls.gathered(["g", *calls.wrt], at)
    return [parts[0], _zero_parts(calls, parts[1:], calls.wrt)]


def vectorized_grads_adjoint_adjoint(cg: Any, cargs: Any, ct: Any, g: Any, vf: Any,
                                     args: Any) -> list[Any]:
    """The transpose of :func:`vectorized_grads_adjoint`: ``[d_ct, d_g, d_args]`` for the
    cotangents ``cg`` (of its ``d_g``) and ``cargs`` (of its ``d_args``; ``None``: zero).
    At each call: in ``ct`` (where it is linear), the JVP of the call's VJP along
    ``(cg, cargs)``; in ``(g, args)``, the JVP of its second VJP along them (the Hessian of
    ``<ct, P>`` is symmetric). Source: <(cg, cx), P2(ct)> = <ct, T(cg, cx)>."""
    calls = _Calls(g, vf, args)
    if calls.pullback is None:
        return [calls.zeros(), np.zeros(np.shape(g), acc_dtype(dtype_of(g))), calls.zeros()]
    first = jvp_of(calls.pullback, calls.names)
    curvature = _curvature(calls)
    cgs, cxs, cts = calls.like_g(cg), calls.like_args(cargs), calls.like_args(ct)

    def at(index: tuple[int, ...]) -> Any:
        moved = (cgs[index], *calls.wrt_at(cxs, index))
        d_ct = first(*moved, calls.gs[index], *calls.primal(index))[1]
        rest = curvature(*moved, tuple(calls.wrt_at(cts, index)), calls.gs[index],
                         *calls.primal(index))[1]  # fmt: skip
        return (*d_ct, *rest)

    n = len(calls.wrt)
    parts = calls.gathered([*calls.wrt, "g", *calls.wrt], at)
    return [_zero_parts(calls, parts[:n], calls.wrt), parts[n],
            _zero_parts(calls, parts[n + 1:], calls.wrt)]  # fmt: skip
