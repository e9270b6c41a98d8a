"""No dropped gradient: a value the gradient depends on that reaches a call only through an
argument its rule does not differentiate is refused with a located error.

``np.r_[x, 2 * x]`` indexes the object ``np.r_`` with a tuple holding ``x`` (the key of
``operator.getitem``, which carries no gradient); ``np.einsum(a, [0, 1], [1, 0])`` passes the
array ``a`` as the subscripts. Without this check both return all-zero gradients::

    >>> import numpy as np
    >>> from s2s import registry
    >>> rule = registry.lookup(np.einsum)
    >>> "subscripts" in rule.structural
    True
"""

from __future__ import annotations

from typing import Any

from s2s import registry, runtime
from s2s.analysis.dtypes import VType, bound_arguments
from s2s.codegen.ir import POP, Stmt, atom_names
from s2s.errors import UnsupportedArgumentError
from s2s.frontend.parse import Primal

__all__ = ["check_dropped"]


def _structural_reads(stmt: Stmt, rule: registry.Rule) -> list[tuple[str, str]]:
    """``(parameter, name)`` for each name read through a structural parameter."""
    try:
        bound = bound_arguments(rule, stmt.args, stmt.kwargs)
    except TypeError:
        return []  # the binding itself is refused where the rule is bound
    return [(param, name) for param, atom in bound.items()
            if param in rule.structural for name in _names(atom)]  # fmt: skip


def _names(atom: Any) -> list[str]:
    if isinstance(atom, (list, tuple)):
        return [n for a in atom for n in _names(a)]
    if isinstance(atom, dict):
        return [n for a in atom.values() for n in _names(a)]
    return atom_names(atom) if atom is not None and hasattr(atom, "_fields") else []


def check_dropped(primal: Primal, ir: Any, flat: list[Stmt], varied: set[str],
                  connected: set[str], types: dict[str, VType]) -> None:  # fmt: skip
    """Raise :class:`UnsupportedArgumentError` at the first call whose output the result
    depends on, that reads a varied floating value only through a structural argument.

    Raises:
        UnsupportedArgumentError: with the argument's name and the rule's.
    """
    # a value popped from a derivative's tape (differentiated again) has the join of every
    # item's type, float when any is: a loop index pushed with it is still an int at run time
    popped = {t for s in flat if s.op is POP for t in s.targets}
    for stmt in flat:
        if not stmt.targets or not any(t in connected for t in stmt.targets):
            continue
        if stmt.op is runtime.stop_gradient or stmt.op is runtime.zero_grad:
            continue
        try:
            rule = registry.lookup(stmt.op)
        except TypeError:
            continue
        if rule is None or rule.kind == registry.PIECEWISE_CONSTANT or rule.metadata:
            continue
        if str(getattr(rule.primal, "__module__", "")).startswith("s2s."):
            continue  # the runtime's helpers in generated code: shape and dtype references
        if rule.name.endswith("_like"):
            continue  # np.full_like(x, v): x gives the shape and dtype only
        for param, name in _structural_reads(stmt, rule):
            if param in rule.steps:  # a step in it: 0 is its derivative, nothing is dropped
                continue
            kind = types.get(name)
            if name in varied and kind is not None and kind.kind == "float" and name not in popped:
                shown = ir.original.get(name, name) if name not in ir.temporaries else None
                what = f"`{shown}`" if shown else "a value computed from the arguments"
                raise UnsupportedArgumentError(
                    f"{what} reaches {rule.name} only as `{param}`, an argument its rule does "
                    "not differentiate: its gradient would be dropped",
                    primal.where(stmt.node),
                    f"write it with differentiable calls{_INSTEAD.get(rule.name, '')}, or wrap "
                    "the value in s2s.stop_gradient(...) if no gradient should flow through it",
                )


# what to write instead, for the calls this check meets most
_INSTEAD = {
    "operator.getitem": " (np.concatenate or np.stack for np.r_ and np.c_)",
    "numpy.einsum": " (a subscripts string for np.einsum)",
}
