"""Selection: tangents that reach the output only through a branch of ``np.where``.

``np.where(x > 0, np.sqrt(x), 0.0)`` at ``x = 0`` computes ``sqrt``'s partial ``0.5 / 0`` for an
entry the ``where`` does not select, so its tangent is dropped there. Reverse mode masks such
entries (``_s2s.masked``, under ``np.errstate``); forward mode computes the tangents of values
used only as a ``where`` branch (directly, or through elementwise operations) under
``np.errstate(all="ignore")``, so an unselected singular partial raises no spurious warning. The
``where``'s tangent keeps only the selected entries, so no NaN of an unselected one survives.
In a gradient differentiated again (``hvp``), ``_s2s.masked(mask, g * partial)`` selects too, and
the partial itself (the gradient's own statement, which it computed under ``np.errstate``) is
computed quietly as well.

>>> import numpy as np, s2s
>>> def f(x):
...     return np.where(x > 0, np.sqrt(x), 0.0)
>>> "errstate" in s2s.jvp(f).source
True
"""

from __future__ import annotations

import gast
import numpy as np

from s2s import registry, runtime
from s2s.analysis.activity import Activity
from s2s.analysis.aliasing import differentiable_reads
from s2s.codegen.ir import FunctionIR, Marker, Stmt, atom_names
from s2s.codegen.templating import constant, name


def _kind(stmt: Stmt) -> str | None:
    if isinstance(stmt.op, Marker):
        return None
    try:
        rule = registry.lookup(stmt.op)
    except TypeError:
        return None
    return rule.kind if rule is not None else None


def _elementwise(stmt: Stmt) -> bool:
    return _kind(stmt) == registry.ELEMENTWISE


def selected_only(ir: FunctionIR, activity: Activity, masked: bool = False) -> set[str]:
    """Active names whose tangent reaches the outputs only as the second or third argument of
    ``np.where`` (or the value of ``_s2s.masked``), directly or through elementwise operations
    whose results do too. ``masked``: names whose value itself reaches anything only through
    ``_s2s.masked``, so a gradient computed them under ``np.errstate`` (its masked partials)."""
    flat = ir.flat
    readers: dict[str, list[Stmt]] = {}
    for index, stmt in enumerate(flat):
        for n in set(differentiable_reads(stmt)) - _structural_reads(activity, index):
            readers.setdefault(n, []).append(stmt)
    found = {t for s in flat if _elementwise(s) for t in s.targets if t in activity.active}
    found -= set(atom_names(ir.returns)) if ir.returns is not None else set()
    quiet = _quiet_lines(ir)
    changed = True
    while changed:
        changed = False
        for var in sorted(found):
            uses = readers.get(var, [])
            if not uses or not all(
                getattr(r.node, "lineno", None) in quiet
                or _passes(r, var, found, activity.active, masked)
                for r in uses
            ):
                found.discard(var)
                changed = True
    return found


def _quiet_lines(ir: FunctionIR) -> set[int]:
    """The lines under ``with np.errstate(all="ignore")`` (a derivative's own quiet blocks,
    differentiated again): a reader there computes quietly whatever tangent it is given, so
    a value read only there and by selections has its tangent computed quietly too (the
    third derivative of ``np.where(x > 0, np.sqrt(x), 0.0)`` at 0 warned of a division)."""
    lines: set[int] = set()
    for context in ir.contexts:
        if context.kind == "with" and context.errstate_only and all(
            any(k.arg == "all" and getattr(k.value, "value", None) == "ignore"
                for k in getattr(m, "keywords", ()))
            for m in context.managers
        ):  # fmt: skip
            lines.update(range(context.first, context.last + 1))
    return lines


def _structural_reads(activity: Activity, index: int) -> set[str]:
    """Names statement ``index`` reads only as a structural argument of its rule (the
    ``ref`` of ``_s2s.unbroadcast``): no tangent flows from them through it."""
    binding = activity.bindings.get(index)
    if binding is None or binding.rule is None:
        return set()
    structural = set(binding.rule.structural)
    names: dict[str, bool] = {}
    for param, atom in binding.arguments.items():
        for n in _atom_names_of(atom):
            names[n] = names.get(n, True) and param in structural
    return {n for n, only in names.items() if only}


def _atom_names_of(atom) -> list[str]:
    if isinstance(atom, tuple):
        return [n for a in atom for n in _atom_names_of(a)]
    return atom_names(atom) if isinstance(atom, gast.AST) else []


def _passes(reader: Stmt, var: str, found: set[str], active: set[str], masked: bool) -> bool:
    if _kind(reader) == registry.PIECEWISE_CONSTANT:  # a shape record, a mask: no tangent
        return True
    if reader.op is runtime.masked and len(reader.args) == 2:  # a gradient's masked partial
        return var not in atom_names(reader.args[0])
    if masked:
        return _elementwise(reader) and bool(reader.targets) and all(
            t in found for t in reader.targets
        )
    if reader.targets and not any(t in active for t in reader.targets):
        return True  # no tangent flows on from here
    if reader.op is np.where and len(reader.args) == 3:
        return var not in atom_names(reader.args[0])
    return _elementwise(reader) and bool(reader.targets) and all(t in found for t in reader.targets)


def quietly(body: list[gast.stmt]) -> list[gast.stmt]:
    """``body`` under ``with _np.errstate(all="ignore"):``."""
    errstate = gast.Call(
        func=gast.Attribute(value=name("_np"), attr="errstate", ctx=gast.Load()),
        args=[],
        keywords=[gast.keyword(arg="all", value=constant("ignore"))],
    )
    item = gast.withitem(context_expr=errstate, optional_vars=None)
    return [gast.With(items=[item], body=body, type_comment=None)]


__all__ = ["quietly", "selected_only"]
