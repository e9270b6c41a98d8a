"""The user's helpers a derivative calls by a name its factory binds (s2s/siblings.py shows them).

A call to a function of the user's that a global names, ``softplus`` (or a closure a global
holds, or a method of a global object, ``LAYER.forward``), is differentiated by a cached
sub-derivative; instead of reaching it where it is called (``_s2s.subderivative(softplus,
('z',))(z)``), the factory binds it once per specialization and the call reads like a call of a
sibling function::

    def _make(_np, _s2s):
        d_softplus = _s2s.subderivative(softplus, ('z',))
        def d_loss(w, x):
            ...
            h, pullback_1 = d_softplus(matmul_1)

A rebound ``softplus`` (or ``LAYER``) changes one of the derivative's call targets, which
regenerates it (the targets are re-read on every entry), so the binding is never stale.
"""

from __future__ import annotations

import types
from typing import Any

import gast

from s2s.codegen.ir import NameAllocator


def helper_name(
    helpers: dict[str, tuple],
    names: NameAllocator,
    primal: types.FunctionType,
    func: gast.expr,
    callee: Any,
    wrt: tuple[str, ...],
    maker: str,
    prefix: str,
    own: str,
) -> str | None:
    """The name bound to ``maker(callee, wrt)`` (``maker`` a runtime function, such as
    ``"subderivative"`` or ``"jvp_of"``) for a call of ``callee`` written as ``func``, added to
    ``helpers`` (name -> (callee, name as written, wrt, maker)), never ``own`` (the emitted
    function's name: a helper of the primal's name from another module). ``func`` is a global
    of the primal's (``softplus``, a closure a global names) or an attribute chain from one
    (``LAYER.forward``, a method bound to a global object; ``helpers.scaled_tanh``): a call
    target, re-read on every entry, so the binding is as fresh as a read at the call. ``None``
    where the call must reach its sub-derivative where it is made: a nested def, a local or an
    argument, an item of a container. A recursive call is bound too (``d_rec_2 =
    _s2s.subderivative(rec, ('x',))``: the cached sub-derivative, which binding does not
    specialize, so the recursion unfolds call by call as before)."""
    written = _global_chain(primal, func, callee)
    if written is None:
        return None
    for bound, (function, _, bound_wrt, bound_maker) in helpers.items():
        if function is callee and bound_wrt == wrt and bound_maker == maker:
            return bound
    bound = names.fresh(prefix + callee.__name__)
    if bound == own:
        bound = names.fresh(prefix + callee.__name__)
    helpers[bound] = (callee, written, wrt, maker)
    return bound


def _global_chain(primal: types.FunctionType, func: gast.expr, callee: Any) -> str | None:
    """``func`` as written (``softplus``, ``LAYER.forward``) where it is a global of the
    primal's, or attributes of one, that names ``callee`` now: a plain function, or a method
    of one bound to an object; else ``None``."""
    attrs: list[str] = []
    root = func
    while isinstance(root, gast.Attribute):
        attrs.append(root.attr)
        root = root.value
    if not isinstance(root, gast.Name):
        return None
    function = callee.__func__ if isinstance(callee, types.MethodType) and attrs else callee
    if not isinstance(function, types.FunctionType):
        return None
    code = primal.__code__
    if root.id in code.co_varnames + code.co_freevars + code.co_cellvars:
        return None
    obj = primal.__globals__.get(root.id, _MISSING)
    for attr in reversed(attrs):
        obj = getattr(obj, attr, _MISSING)
    if obj is not callee and not (isinstance(obj, types.MethodType) and obj == callee):
        return None
    return ".".join([root.id, *reversed(attrs)])


_MISSING = object()


def write_helpers(writer: Any, helpers: dict[str, tuple]) -> None:
    """The factory's lines binding each helper's sub-derivative (after ``def _make``), and
    what :func:`s2s.codegen.emit.compile_factory` puts in their cells."""
    for bound, (function, written, wrt, maker) in helpers.items():
        writer.line(f"{bound} = _s2s.{maker}({written}, {wrt!r})", 1)
        writer.helpers[bound] = (maker, function, wrt)
