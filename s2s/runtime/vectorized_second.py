"""The second derivatives of a call of a ``numpy.vectorize`` object: the tangent and the
transpose of :func:`s2s.runtime.vectorized.vectorized_grads`, so that ``hvp`` (forward over
reverse) and reverse over reverse go through ``vf(x, y)``.

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
    gathered as the VJP's parts are. Source: the derivative of the elementwise VJP."""
    plan = plan_of(vf, args)
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
