"""Undefined-gradient markers and the cuts ``zero_grad`` and ``undefined_grad`` (DESIGN 4)."""

from __future__ import annotations

import linecache
from dataclasses import dataclass
from typing import Any

import numpy as np

from s2s.errors import Location, UndefinedGradientError
from s2s.runtime.namespace import array_namespace, zeros


@dataclass(frozen=True)
class Cause:
    """Why a gradient is undefined: the operation, its argument, the reason, where, and the path.

    ``path`` lists the variables (with their primal lines) the marker travelled through on its
    way back to the argument, nearest the cause first.
    """

    op: str
    argument: str
    reason: str
    filename: str
    lineno: int
    path: tuple[str, ...] = ()

    def describe(self) -> str:
        text = linecache.getline(self.filename, self.lineno).strip()
        trail = " -> ".join(self.path)
        what = f"{self.op} of `{self.argument}`" if self.argument else self.op
        line = f"{what} at {self.filename}:{self.lineno}: {self.reason}"
        if text:
            line += f"\n      {text}"
        if trail:
            line += f"\n      reaches the argument through {trail}"
        return line


class Undefined:
    """The marker of an undefined gradient: it flows through generated adjoint code like a value.

    It remembers every :class:`Cause` (earliest in program order first). ``undefined="return"``
    hands it to the user; otherwise the derivative raises :class:`UndefinedGradientError` or
    returns NaNs.
    """

    __slots__ = ("causes",)

    def __init__(self, causes: tuple[Cause, ...]) -> None:
        self.causes = causes

    def __repr__(self) -> str:
        return "s2s.Undefined(" + "; ".join(c.describe() for c in self.causes) + ")"

    def merged(self, other: Undefined) -> Undefined:
        causes = tuple(sorted(set(self.causes) | set(other.causes), key=_order))
        return Undefined(causes)


def _order(cause: Cause) -> tuple[str, int, str]:
    return (cause.filename, cause.lineno, cause.argument)


def undefined_grad(x: Any, reason: str = "declared undefined") -> Any:
    """Return ``x``; the gradient flowing back through this use of ``x`` is *undefined*.

    A requested gradient reached by it raises :class:`UndefinedGradientError` naming this line
    and ``reason`` (or follows the ``undefined=`` option). ``x`` keeps its other uses' gradients.
    """
    return x


def zero_grad(x: Any) -> Any:
    """Return ``x``; the gradient flowing back through this use of ``x`` is *zero*, even when
    it arrives undefined. Unlike :func:`stop_gradient`, ``x`` stays connected."""
    return x


def undefined(op: str, argument: str, reason: str, filename: str, lineno: int) -> Undefined:
    """A new marker with one cause (generated code calls this where a marker originates)."""
    return Undefined((Cause(op, argument, reason, filename, lineno),))


def locate(value: Any, op: str, argument: str, filename: str, lineno: int) -> Any:
    """Give a marker made inside a rule helper the call site it belongs to."""
    if not isinstance(value, Undefined):
        return value
    causes = tuple(
        Cause(op, argument, c.reason, filename, lineno, c.path) if not c.filename else c
        for c in value.causes
    )
    return Undefined(causes)


def is_undefined(value: Any) -> bool:
    """True when ``value`` is an :class:`Undefined` marker."""
    return isinstance(value, Undefined)


def through(marker: Undefined, step: str) -> Undefined:
    """The marker after passing back through one more variable (``"h (line 6)"``)."""
    return Undefined(
        tuple(
            Cause(c.op, c.argument, c.reason, c.filename, c.lineno, c.path + (step,))
            for c in marker.causes
        )
    )


def undefined_of(*cotangents: Any) -> Undefined | None:
    """The merged marker among an operation's output cotangents, or ``None`` if all are defined."""
    found = None
    for cotangent in cotangents:
        if isinstance(cotangent, Undefined):
            found = cotangent if found is None else found.merged(cotangent)
    return found


_PLAIN = frozenset({np.ndarray, np.float64, np.float32, float})


def add(total: Any, contribution: Any) -> Any:
    """Accumulate on a path that may carry a marker or ``None`` (no cotangent): undefined plus
    anything is undefined, ``None`` plus ``c`` is ``c``."""
    if total is None:
        return contribution
    if type(total) in _PLAIN and type(contribution) in _PLAIN:
        return total + contribution  # arrays and scalars: the common case, first
    if contribution is None:
        return total
    if isinstance(total, Undefined):
        if isinstance(contribution, Undefined):
            return total.merged(contribution)
        return total
    if isinstance(contribution, Undefined):
        return contribution
    if isinstance(total, (list, tuple)):  # a list's cotangent: one part per item, None for
        # zero (a tuple when it comes back from a helper given the list as a tuple)
        return [add(a, b) for a, b in zip(total, contribution, strict=True)]
    return total + contribution


def last_item(cotangent: list) -> Any:
    """The cotangent of a list's last item (``xs.append(v)`` undone)."""
    return cotangent[-1]


def without_last(cotangent: list) -> list:
    """A list's cotangent without its last item (a new list: cotangents are never written);
    the other items' masks (:class:`MaskedParts`) stay."""
    masks = getattr(cotangent, "masks", None)
    if not masks:
        return cotangent[:-1]
    rest = MaskedParts(cotangent[:-1])
    rest.masks = {i: m for i, m in masks.items() if i < len(rest)}
    return rest


def with_last(cotangent: list | None, part: Any, length: int, mask: Any = None) -> list | None:
    """A list's cotangent with ``part`` as one more last item (``v = xs.pop()`` undone, with
    ``length`` the list's length before the item goes back); ``None`` (zero) stays ``None``
    when the item got no cotangent either. A new list: cotangents are never written. ``mask``
    (true where ``part`` is zero by selection) is kept for :func:`last_mask`."""
    if cotangent is None:
        if part is None:
            return None
        cotangent = [None] * length
    masks = getattr(cotangent, "masks", None)
    if mask is None and not masks:
        return [*cotangent, part]
    grown = MaskedParts([*cotangent, part])
    grown.masks = dict(masks or {})
    if mask is not None:
        grown.masks[len(cotangent)] = mask
    return grown


class MaskedParts(list):
    """A list's cotangent made by :func:`with_last` where a part came with a selection mask:
    ``masks``, the mask of an item's part by its position (code differentiated again; the
    list is never written, as plain ones)."""

    masks: dict[int, Any]

    def __init__(self, parts: Any = ()):
        super().__init__(parts)
        self.masks = {}


class OwnedParts(list):
    """A list's cotangent made by :func:`put_back_last` or :func:`drop_last`, held by one name
    of code that is not differentiated again: they grow and shrink it in place. ``masks``:
    the selection mask of an item's part by its position, where one was known."""

    masks: dict[int, Any]

    def __init__(self, parts: Any = ()):
        super().__init__(parts)
        self.masks = {}


def put_back_last(
    cotangent: list | None, part: Any, length: int, mask: Any = None
) -> list | None:
    """:func:`with_last` for code that is not differentiated again: ``part`` appended in place
    to a cotangent this function or :func:`drop_last` made (one append instead of a copy of
    the list per undone pop, which made reverse over reverse of a loop quadratic in its
    length); a list from elsewhere is copied first, ``None`` stays ``None`` as there.
    ``mask`` (true where ``part`` is zero by selection) is kept for :func:`last_mask`."""
    if type(cotangent) is not OwnedParts:
        if cotangent is None:
            if part is None:
                return None
            cotangent = [None] * length
        cotangent = OwnedParts(cotangent)
    if mask is not None:
        cotangent.masks[len(cotangent)] = mask
    cotangent.append(part)
    return cotangent


def last_mask(cotangent: list) -> Any:
    """The selection mask of the part :func:`last_item` reads: the one it was put back with,
    ``True`` (all zero) for no part, else all false (no selection known) of the part's shape."""
    part = cotangent[-1]
    if part is None:
        return True
    masks = getattr(cotangent, "masks", None)
    if masks is not None and len(cotangent) - 1 in masks:
        return masks[len(cotangent) - 1]
    if isinstance(part, (Undefined, list, tuple)):
        return False
    return zeros(array_namespace(part), np.shape(part), bool, part)


def drop_last(cotangent: list) -> list:
    """:func:`without_last` for code that is not differentiated again: in place where
    :func:`put_back_last` or this function made the list, else a copy without the item."""
    if type(cotangent) is OwnedParts:
        cotangent.masks.pop(len(cotangent) - 1, None)
        cotangent.pop()
        return cotangent
    return OwnedParts(cotangent[:-1])


def through_undefined(t: Any, buffer: Any, policy: str) -> Any:
    """The tangent or cotangent ``t`` across :func:`resolve_undefined` of ``buffer``: as is,
    but NaNs of its shape where ``buffer`` is a marker under ``policy="nan"`` (the gradient is
    NaN there: a derivative of it is NaN too, not that of its defined terms)."""
    if policy != "nan" or not isinstance(buffer, Undefined) or t is None:
        return t
    return np.full(np.shape(t), np.nan, getattr(t, "dtype", np.dtype(np.float64)))


def resolve_undefined(buffer: Any, x: Any, name: str, policy: str) -> Any:
    """Apply the ``undefined=`` policy to a finished buffer that is a marker.

    ``"raise"`` raises :class:`UndefinedGradientError` listing every cause; ``"return"`` returns
    the marker; ``"nan"`` returns NaNs with ``x``'s shape and dtype.
    """
    if not isinstance(buffer, Undefined):
        return buffer
    if policy == "return":
        return buffer
    if policy == "nan":
        from s2s.runtime.namespace import array_namespace, full

        dtype = getattr(x, "dtype", np.dtype(np.float64))
        dtype = dtype if dtype.kind == "f" else np.float64
        return full(array_namespace(x), tuple(np.shape(x)), np.nan, dtype, x)
    first = buffer.causes[0]
    text = ""  # each cause already quotes its line
    causes = "\n".join(f"  - {c.describe()}" for c in buffer.causes)
    raise UndefinedGradientError(
        f"the gradient with respect to `{name}` is undefined; "
        f"{len(buffer.causes)} cause(s):\n{causes}",
        Location(first.filename, first.lineno, 0, text),
        "if that path should not carry a gradient, wrap the value in s2s.stop_gradient(...) "
        'or s2s.zero_grad(...); pass undefined="return" to receive the s2s.Undefined marker',
    )


def zeroed_part(cotangent: list, key: int) -> list:
    """A list's cotangent with no part (``None``, zero) at ``key``: ``xs[key] = v`` undone, the
    item before the write gets nothing from after it. A new list; the other items' masks
    (:class:`MaskedParts`) stay."""
    masks = getattr(cotangent, "masks", None)
    out = MaskedParts(cotangent) if masks else list(cotangent)
    if masks:
        out.masks = {i: m for i, m in masks.items() if i != range(len(cotangent))[key]}
    out[key] = None
    return out
