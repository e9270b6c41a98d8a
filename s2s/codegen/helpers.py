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

import keyword
import types
from typing import Any

import gast

from s2s.codegen.ir import DEF, LOCAL_CALL, NameAllocator, Stmt
from s2s.codegen.walking import copy_tree, walk
from s2s.runtime.budget import MemoryBudget


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
    where the call must reach its sub-derivative where it is made: a local or an argument, an
    item of a container (a nested def's is bound after the def: :func:`local_helpers`). A
    recursive call is bound too (``d_rec_2 = _s2s.subderivative(rec, ('x',))``: the cached
    sub-derivative, which binding does not specialize, so the recursion unfolds call by call
    as before)."""
    written = _global_chain(primal, func, callee)
    if written is None:
        return None
    for bound, (function, _, bound_wrt, bound_maker) in helpers.items():
        if function is callee and bound_wrt == wrt and bound_maker == maker:
            return bound
    base = getattr(callee, "__name__", "")
    if not base.isidentifier() or keyword.iskeyword(base):  # SQ = lambda w: ...: d_SQ
        base = written.rsplit(".", 1)[-1]
    bound = names.fresh(prefix + base)
    if bound == own:
        bound = names.fresh(prefix + base)
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
    what :func:`s2s.codegen.emit.compile_factory` puts in their cells. An entry may end with
    more arguments of the maker (:func:`with_checkpoint`)."""
    for bound, (function, written, wrt, maker, *more) in helpers.items():
        extra = "".join(f", {budget_text(value)}" for value in more)
        writer.line(f"{bound} = _s2s.{maker}({written}, {wrt!r}{extra})", 1)
        writer.helpers[bound] = (maker, function, wrt, *more)


def budget_text(checkpoint: Any) -> str:
    """``checkpoint=``'s value as generated code writes it: ``10``, ``'auto'``, or
    ``_s2s.MemoryBudget(1000000, at=('f.py', 12))`` (the loop's line, for its errors)."""
    if not isinstance(checkpoint, MemoryBudget):
        return repr(checkpoint)
    at = "" if checkpoint.at is None else f", at={checkpoint.at!r}"
    return f"_s2s.MemoryBudget({checkpoint.nbytes}{at})"


def checkpoint_node(checkpoint: Any) -> gast.expr:
    """:func:`budget_text` as an expression node."""
    if not isinstance(checkpoint, MemoryBudget):
        return gast.Constant(checkpoint, None)
    keywords = []
    if checkpoint.at is not None:
        at = gast.Tuple(elts=[gast.Constant(v, None) for v in checkpoint.at], ctx=gast.Load())
        keywords.append(gast.keyword(arg="at", value=at))
    maker = gast.Attribute(value=gast.Name("_s2s", gast.Load(), None, None), attr="MemoryBudget",
                           ctx=gast.Load())  # fmt: skip
    return gast.Call(func=maker, args=[gast.Constant(checkpoint.nbytes, None)], keywords=keywords)


def with_checkpoint(helpers: dict[str, tuple], primal: list[Any], checkpoint: Any) -> None:
    """Pass ``checkpoint`` (``s2s.grad``'s ``checkpoint=``) to each sub-derivative of a user's
    function, those the factory binds (``helpers``) and those the primal sweep (its blocks)
    reaches where it calls them (``_s2s.subderivative(act, ('z',), 10)(z)``, an argument's
    function), so their loops are checkpointed too. A nested def's (bound after the def) has
    its loops refused (:mod:`s2s.frontend.checkpoints`)."""
    if checkpoint is None:
        return
    for bound, entry in helpers.items():
        if entry[3] == "subderivative":
            helpers[bound] = (*entry[:4], checkpoint)
    for block in primal:
        for node in walk(gast.Module(body=block.body, type_ignores=[])):
            inner = node.func if isinstance(node, gast.Call) else None
            if isinstance(inner, gast.Call) and isinstance(inner.func, gast.Attribute) and (
                inner.func.attr == "subderivative" and len(inner.args) == 2
            ):
                inner.args.append(checkpoint_node(checkpoint))


def local_helpers(
    flat: list[Stmt], bindings: dict[int, Any], names: NameAllocator, prefix: str
) -> dict[str, dict[tuple[str, ...], str]]:
    """For each nested def a differentiated call reaches (``inner(w, a=a)``), the name bound
    to its sub-derivative for each ``wrt`` its calls need: ``{"inner": {("z",): "d_inner"}}``.
    :func:`bind_after_def` binds them right after the def, where the def's function exists
    (its defaults evaluated, in the trip or arm that made it), so a call reads
    ``inner_1, pullback_1 = d_inner(w, a=a)`` as a call of a module helper does."""
    found: dict[str, dict[tuple[str, ...], str]] = {}
    for index, stmt in enumerate(flat):
        binding = bindings.get(index)
        if stmt.op is not LOCAL_CALL or binding is None or binding.callee is None:
            continue
        if not isinstance(stmt.expr.func, gast.Name):
            continue
        per_wrt = found.setdefault(stmt.expr.func.id, {})
        wrt = tuple(binding.active_params)
        if wrt not in per_wrt:
            per_wrt[wrt] = names.fresh(prefix + stmt.expr.func.id)
    return found


def bind_after_def(
    stmt: Stmt, local: dict[str, dict[tuple[str, ...], str]], maker: str
) -> list[gast.stmt]:
    """``d_inner = _s2s.subderivative(inner, ('z',))`` for each binding of the nested def
    ``stmt`` defines (none for a statement that is not a nested def)."""
    if stmt.op is not DEF or not isinstance(stmt.expr, gast.FunctionDef):
        return []
    out: list[gast.stmt] = []
    checkpoint = getattr(stmt.node, "s2s_checkpoint", None)  # a loop's trips (checkpoints.py)
    if checkpoint is not None and maker == "subderivative":
        maker = "checkpointed"
    for wrt, bound in local.get(stmt.expr.name, {}).items():
        value = gast.Call(
            func=gast.Attribute(
                value=gast.Name("_s2s", gast.Load(), None, None), attr=maker, ctx=gast.Load()
            ),
            args=[
                gast.Name(stmt.expr.name, gast.Load(), None, None),
                gast.Tuple(elts=[gast.Constant(p, None) for p in wrt], ctx=gast.Load()),
                *([checkpoint_node(checkpoint)] if maker == "checkpointed" else []),
            ],
            keywords=[],
        )
        target = gast.Name(bound, gast.Store(), None, None)
        out.append(gast.Assign(targets=[target], value=value, type_comment=None))
    return out


def function_and_owner(func: gast.expr, callee: Any) -> tuple[gast.expr, list[gast.expr]]:
    """The callee expression of a call to the user's own function, and the owner to pass
    first: a bound method (``net.forward``) or an object with ``__call__`` (``act``) as its
    function read through the expression (``net.forward.__func__``) and its owner
    (``net.forward.__self__``), so code differentiated again calls a plain function."""
    method_of_yours = isinstance(callee, types.MethodType) and isinstance(
        callee.__func__, types.FunctionType
    )
    if not method_of_yours:
        return copy_tree(func), []
    method = copy_tree(func)
    if callee.__name__ == "__call__" and not (
        isinstance(func, gast.Attribute) and func.attr == "__call__"
    ):  # an object with __call__: its bound __call__
        method = gast.Attribute(value=method, attr="__call__", ctx=gast.Load())
    function = gast.Attribute(value=method, attr="__func__", ctx=gast.Load())
    owner = gast.Attribute(value=copy_tree(method), attr="__self__", ctx=gast.Load())
    return function, [owner]
