"""The derivatives of the user's own helpers, shown beside the derivative that calls them.

A call to the user's own function ``softplus`` is differentiated by a *sub-derivative*: an
ordinary derivative object, cached per (helper, wrt) and specialized per argument signature like
any other, so recursion, closures, methods and helpers of other modules need nothing special.
In reverse mode the factory binds a module-level helper's to a name once per specialization
(``d_softplus = _s2s.subderivative(softplus, ('z',))``, :mod:`s2s.codegen.helpers`) and
the call reads ``h, pullback_1 = d_softplus(z)``; a closure, a method, a recursive call, forward
mode (``_s2s.jvp_of``) and higher order (``_s2s.pullback_of``) call the sub-derivative where
they call the helper. Its generated code is the helper's primal sweep with its residuals kept
and its pullback (or its tangent sweep), with ``# line N`` comments naming the helper's lines.

``with_siblings(source, compiled, kind)`` appends that code to ``.source`` as sibling functions,
after the caller's factory (whose text is left as it runs, so its line numbers stay those of
tracebacks)::

    def _make(_np, _s2s):
        d_softplus = _s2s.subderivative(softplus, ('z',))
        def d_loss(w, x):
            ...
            h, pullback_1 = d_softplus(matmul_1)
            ...
        return d_loss

    # sibling: the VJP of softplus (helper.py:2), as generated for its latest call
    def d_softplus(z):
        ...
        def pullback(cotangent):
            ...
        return log1p_1, pullback

Each helper is shown once however many times it is called, its own helpers after it (a
recursive helper is shown once). A helper not yet called has no specialization yet: its line
says so. The text depends only on the derivatives' latest specializations, so it is
deterministic for a given sequence of calls.
"""

from __future__ import annotations

import textwrap
import types
from typing import Any

from s2s.errors import UsageError, caller_location
from s2s.runtime import core, tangents

# what each kind of sub-derivative is called in the text
_WHAT = {"vjp": "VJP", "jvp": "JVP", "pullback": "pullback"}


def helper_code(callee: Any) -> types.CodeType | None:
    """The code object of a helper the generated code differentiates through a sub-derivative
    (a function, a method, an object's Python ``__call__``); ``None`` for anything else."""
    function = core.method_of_callable(callee)
    if isinstance(function, types.MethodType):
        function = function.__func__
    code = getattr(function, "__code__", None)
    return code if isinstance(code, types.CodeType) else None


def _primal_code(derivative: Any) -> Any:
    primal = getattr(derivative, "primal", None)
    return getattr(primal, "__code__", None)


def _stands_for(derivative: Any, helper: Any, filename: str) -> bool:
    """Whether a cached sub-derivative differentiates ``helper``: a code object, a nested
    def's name (``("nested", name)``: its code is the caller's generated copy, in
    ``filename``), or a derivative object (higher order)."""
    primal = getattr(derivative, "primal", None)
    if isinstance(helper, types.CodeType):
        return _primal_code(derivative) is helper
    if isinstance(helper, tuple):
        code = _primal_code(derivative)
        return code is not None and code.co_name == helper[1] and code.co_filename == filename
    if primal is helper:
        return True
    same = ("primal", "mode", "wrt")  # `s2s.grad(f)` written in the primal: new at every call
    return type(primal) is type(helper) and all(
        getattr(primal, a, None) is getattr(helper, a, None) or
        getattr(primal, a, None) == getattr(helper, a, None) for a in same)  # fmt: skip


def _derivatives(
    kind: str, helper: Any, filename: str, checkpoint: Any = None, wrts: frozenset = frozenset()
) -> list[Any]:
    """The cached sub-derivatives of ``helper``, of ``kind``, newest last, after them those
    the caller calls: made with its ``checkpoint=`` (``checkpoint``) and, of those, with a
    ``wrt`` its calls use (``wrts``). Another derivative's of the same helper (another
    ``checkpoint=`` or ``wrt``) is another object; a checkpointed loop's trips are
    differentiated without ``checkpoint=``, found among the others."""
    if kind == "vjp":
        found = list(core._SUBDERIVATIVES.values())
    else:
        found = [d for key, d in list(tangents._FACTORIES.items()) if key[0] == kind]
    found = [d for d in found if _stands_for(d, helper, filename)]
    return sorted(found, key=lambda d: (
        getattr(getattr(d, "options", None), "checkpoint", None) == checkpoint,
        getattr(d, "wrt", None) in wrts))  # fmt: skip (stable: newest last in each)


def _latest(derivative: Any) -> Any:
    """The latest specialization (``Generated``) of a derivative object, or ``None`` (not
    called yet; reading it specializes nothing)."""
    return getattr(derivative, "_latest", None)


def _inner(source: str) -> str:
    """A factory's inner function: its text without ``def _make(...)`` and ``return``."""
    lines = source.rstrip("\n").splitlines()
    return textwrap.dedent("\n".join(lines[1:-1])) + "\n"


def _where(helper: Any) -> str:
    if isinstance(helper, types.CodeType):
        return f" ({helper.co_filename}:{helper.co_firstlineno})"
    return ""


def with_siblings(source: str, compiled: Any, kind: str) -> str:
    """``source`` (the caller's factory) followed by its helpers' derivatives as siblings.
    ``kind`` is the kind of sub-derivative the caller's generated code calls: ``"vjp"``,
    ``"jvp"`` or ``"pullback"``."""
    parts = [source]
    seen: set[int] = set()
    pending = [(compiled, *helper) for helper in getattr(compiled, "helpers", ())]
    while pending:
        caller, helper, name, wrts = pending.pop(0)
        what = _WHAT[kind]
        head = f"# sibling: the {what} of {name}{_where(helper)}"
        generated = None
        checkpoint = getattr(caller, "checkpoint", None)
        found = _derivatives(kind, helper, caller.filename, checkpoint, wrts)
        for derivative in reversed(found):
            generated = _latest(derivative)
            if generated is not None:
                break
        if generated is None:
            parts.append(f"\n{head}: not generated yet (it is specialized at its first call)\n")
            continue
        if id(generated) in seen:
            continue
        seen.add(id(generated))
        shown = generated.compiled
        parts.append(f"\n{head}, as generated for its latest call\n{_inner(shown.source)}")
        # a helper's own helpers: its generated code calls the same kind of sub-derivative
        pending += [(shown, *h) for h in getattr(shown, "helpers", ())]
    return "".join(parts)


def helpers_called(func: types.FunctionType, flat: list, activity: Any) -> tuple:
    """The helpers a generated derivative of ``func`` reaches through sub-derivatives, in the
    order of their first call, as ``(helper, name, wrts)``: the helper is a code object, a
    nested def's ``("nested", name)``, or a derivative object called in the primal; ``wrts``
    the parameter names its calls differentiate (a frozenset of tuples, the ``wrt`` of its
    sub-derivatives)."""
    found: dict[Any, tuple[Any, str]] = {}
    wrts: dict[Any, set] = {}
    for index in sorted(activity.bindings):
        callee = activity.bindings[index].callee
        if callee is None:
            continue
        if isinstance(callee, str):  # a nested def: its code is the generated copy's
            stmt = flat[index] if index < len(flat) else None
            local = getattr(getattr(getattr(stmt, "expr", None), "func", None), "id", None)
            helper, name = (("nested", local), local) if local else (None, "")
        elif getattr(callee, "primal", None) is not None:  # a derivative object
            helper = callee
            title = getattr(callee, "__qualname__", None) or type(callee).__name__
            name = f"the {getattr(callee, 'mode', 'derivative')} of {title}"
        else:
            helper = helper_code(callee)
            name = helper.co_qualname if helper is not None else ""
        key = helper if isinstance(helper, tuple) else id(helper)
        if helper is not None and key not in found:
            found[key] = (helper, name)
        if helper is not None:
            wrts.setdefault(key, set()).add(tuple(activity.bindings[index].active_params))
    return tuple((*found[key], frozenset(wrts[key])) for key in found)


def source(obj: Any) -> str:
    """The generated source of a derivative object (see :attr:`s2s.api.Derivative.source`).

    Raises:
        UsageError: ``obj`` is not a derivative object.
    """
    if isinstance(obj, types.MethodType):
        obj = obj.__func__
    if getattr(type(obj), "__s2s_derivative__", False) is not True:
        raise UsageError(
            f"s2s.source expects a derivative object made by s2s.grad, value_and_grad, vjp or "
            f"jvp, not {_shown(obj)}",
            caller_location(),
            "pass the derivative: s2s.source(s2s.grad(f)), or read s2s.grad(f).source",
        )
    return obj.source


def _shown(obj: Any) -> str:
    """``repr(obj)``, cut to 80 characters for a message (as ``s2s.arguments.short_repr``)."""
    text = repr(obj)
    return text if len(text) <= 80 else text[:77] + "..."
