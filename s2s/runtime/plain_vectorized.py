"""Plain twins of the third-order helpers of a ``numpy.vectorize`` call
(:mod:`s2s.runtime.vectorized_second`), differentiated from their source: fourth order.

With ``f`` the object's function (written here for one argument ``x``; each argument has
its own ``a`` and ``v``, :mod:`s2s.runtime.plain_vectorized_calls`), ``c`` a call's
cotangent and ``x`` its element, the first-order helper gathers ``P(c, x) = grad_x F`` with
``F(x, c) = sum(c f(x))``.
With ``S(c, x, a) = sum(a P(c, x))``, every third-order helper is a gradient of the one
scalar function of each call

    ``Q(c, x, a, u, v) = sum(u grad_c S) + sum(v grad_x S)``  (``<a, T(u, v)>``, ``T`` the JVP
    of ``P`` along ``(u, v)``),

gathered over the calls as a first-order helper gathers: :func:`vectorized_grads` of an
object ``np.vectorize(Q)`` looping as the user's does (``f`` passed whole; ``a`` and ``v``
excluded or with core dimensions as ``x`` is, ``u`` as ``c``). So differentiating a twin
reaches only that first-order helper, whose rules are the second-order helpers: each order
is one more application. Shapes and dtypes are the helpers'; ``None`` for a tangent or a
cotangent is a zero. Objects of 1 to 6 arguments are taken (``signature=`` and
``excluded=`` too), as at first order; more are refused with a located
:class:`s2s.errors.NoRuleError` when a fourth derivative is made. The tangent of the
tangent is, by polarization, a gradient of ``E = sum(u grad_c Q) + sum(v grad_x Q)``
(``<a, D^2 P[w, w]>``, ``w = (u, v)``).

Source: the symmetry of second derivatives (``<ct, T(u, v)>`` is also ``S``'s derivative
along ``(u, v)``, so its gradients in ``(c, x)`` are the curvature parts the hand-written
helpers compute entry by entry); polarization for the tangent of the tangent.
"""

from __future__ import annotations

from typing import Any

from s2s.runtime import plain_vectorized_calls as calls
from s2s.runtime import plain_vectorized_calls6 as calls6
from s2s.runtime import plain_vectorized_calls45 as calls45
from s2s.runtime import vectorized_second as helpers
from s2s.runtime.sources import differentiated_as


def vectorized_grads_adjoint_adjoint(cg: Any, cargs: Any, ct: Any, g: Any, vf: Any,
                                     args: Any) -> Any:  # fmt: skip
    """The twin of :func:`s2s.runtime.vectorized_grads_adjoint_adjoint`: ``[d_ct, d_g,
    d_args]``, the gradients of ``Q(g, x, ct, cg, cx)`` in ``a``, ``c`` and ``x``."""
    if len(args) == 1:
        out = calls.adjoint_adjoint1(cg, cargs, ct, g, vf, args)
    elif len(args) == 2:
        out = calls.adjoint_adjoint2(cg, cargs, ct, g, vf, args)
    elif len(args) == 3:
        out = calls.adjoint_adjoint3(cg, cargs, ct, g, vf, args)
    elif len(args) == 4:
        out = calls45.adjoint_adjoint4(cg, cargs, ct, g, vf, args)
    elif len(args) == 5:
        out = calls45.adjoint_adjoint5(cg, cargs, ct, g, vf, args)
    else:
        out = calls6.adjoint_adjoint6(cg, cargs, ct, g, vf, args)
    return out


def vectorized_grads_tangent_adjoint(ct: Any, tg: Any, g: Any, vf: Any, args: Any,
                                     tangents: Any) -> Any:  # fmt: skip
    """The twin of :func:`s2s.runtime.vectorized_grads_tangent_adjoint`: ``[d_tg, d_g, d_args,
    d_tangents]``, the gradients of ``Q(g, x, ct, tg, t)`` in ``u``, ``c``, ``x`` and ``v``."""
    if len(args) == 1:
        out = calls.tangent_adjoint1(ct, tg, g, vf, args, tangents)
    elif len(args) == 2:
        out = calls.tangent_adjoint2(ct, tg, g, vf, args, tangents)
    elif len(args) == 3:
        out = calls.tangent_adjoint3(ct, tg, g, vf, args, tangents)
    elif len(args) == 4:
        out = calls45.tangent_adjoint4(ct, tg, g, vf, args, tangents)
    elif len(args) == 5:
        out = calls45.tangent_adjoint5(ct, tg, g, vf, args, tangents)
    else:
        out = calls6.tangent_adjoint6(ct, tg, g, vf, args, tangents)
    return out


def vectorized_grads_adjoint_tangent(dct: Any, dg: Any, dargs: Any, ct: Any, g: Any, vf: Any,
                                     args: Any) -> Any:  # fmt: skip
    """The twin of :func:`s2s.runtime.vectorized_grads_adjoint_tangent`: the tangent of
    ``[grad_c S, grad_x S](g, x, ct)`` along ``(dg, dx, dct)``, the gradients of
    ``Q(g, x, ct, dg, dx)`` in ``c`` and ``x`` (the Hessian of ``S`` is symmetric) plus,
    ``S`` being linear in ``a``, :func:`vectorized_grads_adjoint` of ``dct``."""
    if len(args) == 1:
        out = calls.adjoint_tangent1(dct, dg, dargs, ct, g, vf, args)
    elif len(args) == 2:
        out = calls.adjoint_tangent2(dct, dg, dargs, ct, g, vf, args)
    elif len(args) == 3:
        out = calls.adjoint_tangent3(dct, dg, dargs, ct, g, vf, args)
    elif len(args) == 4:
        out = calls45.adjoint_tangent4(dct, dg, dargs, ct, g, vf, args)
    elif len(args) == 5:
        out = calls45.adjoint_tangent5(dct, dg, dargs, ct, g, vf, args)
    else:
        out = calls6.adjoint_tangent6(dct, dg, dargs, ct, g, vf, args)
    return out


def vectorized_grads_tangent_tangent(dtg: Any, dg: Any, dargs: Any, dtangents: Any, tg: Any,
                                     g: Any, vf: Any, args: Any, tangents: Any) -> Any:  # fmt: skip
    """The twin of :func:`s2s.runtime.vectorized_grads_tangent_tangent`: the helper along
    ``(dtg, dtangents)`` (it is linear in ``(tg, tangents)``) plus ``D^2 P[w1, w2]`` with
    ``w1 = (tg, t)`` and ``w2 = (dg, dx)``, by polarization
    ``(D^2 P[w1 + w2, w1 + w2] - D^2 P[w1 - w2, w1 - w2]) / 4``, each the gradient of ``E`` in
    ``a``."""
    if len(args) == 1:
        out = calls.tangent_tangent1(dtg, dg, dargs, dtangents, tg, g, vf, args, tangents)
    elif len(args) == 2:
        out = calls.tangent_tangent2(dtg, dg, dargs, dtangents, tg, g, vf, args, tangents)
    elif len(args) == 3:
        out = calls.tangent_tangent3(dtg, dg, dargs, dtangents, tg, g, vf, args, tangents)
    elif len(args) == 4:
        out = calls45.tangent_tangent4(dtg, dg, dargs, dtangents, tg, g, vf, args, tangents)
    elif len(args) == 5:
        out = calls45.tangent_tangent5(dtg, dg, dargs, dtangents, tg, g, vf, args, tangents)
    else:
        out = calls6.tangent_tangent6(dtg, dg, dargs, dtangents, tg, g, vf, args, tangents)
    return out


for _helper, _twin in [
    (helpers.vectorized_grads_adjoint_adjoint, vectorized_grads_adjoint_adjoint),
    (helpers.vectorized_grads_adjoint_tangent, vectorized_grads_adjoint_tangent),
    (helpers.vectorized_grads_tangent_adjoint, vectorized_grads_tangent_adjoint),
    (helpers.vectorized_grads_tangent_tangent, vectorized_grads_tangent_tangent),
]:
    differentiated_as(_twin)(_helper)
