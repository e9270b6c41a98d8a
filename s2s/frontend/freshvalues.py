"""Fresh values: whether an expression makes a new array or list, one that shares memory with
nothing older (a checkpointed loop's trip may write into such a value made in its body).

New are: a list or dict display; an arithmetic operator's result (``y * 2``, ``-y``, ``a @
b``); a maker or ``.copy()`` (``np.zeros(n)``, ``np.array(y)``, ``y.copy()``); a numpy ufunc
called without ``out`` (``np.sin(y)``); and a numpy function with a rule declared neither a
view nor a writer, called without ``out`` or ``copy`` (``np.stack([a, b])``, not
``np.reshape(y, n)``; ``np.einsum`` may return a view, so it is not new).
Anything else (a name, an item or slice, ``y.T``, your own function, ``np.asarray(y)``) may
be an older array: a trip's write into it is refused (:func:`refuse_write`).

>>> import gast
>>> import numpy as np
>>> def f(y):
...     pass
>>> [is_new(gast.parse(text).body[0].value, f) for text in ("y * 2", "np.sin(y)", "y[0]",
...                                                         "np.reshape(y, 4)", "np.stack([y])")]
[True, True, False, False, True]
"""

from __future__ import annotations

import types

import gast
import numpy as np

from s2s import registry
from s2s.errors import UnsupportedSyntaxError
from s2s.frontend.parse import Primal
from s2s.frontend.resolve import global_value

MAKERS = {"zeros", "ones", "empty", "full", "zeros_like", "ones_like", "empty_like", "full_like",
          "array", "copy", "eye", "identity"}  # fmt: skip


def is_new(value: gast.expr, func: types.FunctionType) -> bool:
    """Whether ``value`` (an expression in ``func``'s body) makes a new array, list or dict
    each time it runs (see the module docstring). ``False`` when unsure."""
    if isinstance(value, (gast.List, gast.Dict)):
        return True
    if isinstance(value, (gast.BinOp, gast.UnaryOp)):
        return not isinstance(value.op, gast.Not)
    if not isinstance(value, gast.Call) or any(k.arg in ("out", "copy") for k in value.keywords):
        return False  # np.nan_to_num(y, copy=False) changes y
    if isinstance(value.func, gast.Attribute) and value.func.attr in MAKERS:
        return True  # np.zeros(n), y.copy()
    callee = global_value(func, value.func)
    if isinstance(callee, np.ufunc):
        return len(value.args) <= callee.nin
    if not callable(callee) or not (getattr(callee, "__module__", None) or "").startswith("numpy"):
        return False
    try:
        known = registry.lookup(callee) is not None
    except TypeError:
        return False
    facts = registry.facts_of(callee) if known else None
    return known and not facts.view and not facts.writes and callee is not np.einsum  # a view


def refuse_write(primal: Primal, node: gast.AST, written: gast.expr, bound: set[str]) -> None:
    """A checkpointed loop's trip writes into ``written`` (at ``node``), which the body does
    not bind with ``=`` only to new values (:func:`is_new`) before the write; ``bound`` are
    the names the body binds that are not carried from trip to trip. Raises
    :class:`UnsupportedSyntaxError` saying whether the value lives across trips or only may
    share memory with one that does."""
    shown = gast.unparse(written).strip()
    if isinstance(written, gast.Name) and written.id in bound:  # `z = y[1:]`, `z = g(y)`
        raise UnsupportedSyntaxError(
            f"a checkpointed loop writes into `{shown}`, which its body binds to a value s2s "
            "cannot show is new (it may share memory with one that lives across its trips; "
            "checkpoint= was given); s2s keeps snapshots of names, not of what they hold",
            primal.where(node),
            f"bind `{shown}` in the trip, before writing into it, with `=` to a new array or "
            f"list, and to nothing else there (`{shown} = {shown}.copy()` of an array or a "
            "list; `[]`, `np.zeros(n)`, arithmetic such as `v * 2` and numpy functions such "
            "as `np.sin(v)` make new ones), or leave checkpoint= out",
        )
    raise UnsupportedSyntaxError(
        f"a checkpointed loop writes into an array, list or object that lives across its trips "
        f"(`{shown}`; checkpoint= was given); s2s keeps snapshots of names, not of what they "
        "hold",
        primal.where(node),
        f"rebind a name to a new value instead of writing into `{shown}`: keep what you write "
        f"in a name of its own, or write into a copy made in the trip (`new = {shown}.copy()` "
        "in the trip, then write into `new`), or leave checkpoint= out",
    )
