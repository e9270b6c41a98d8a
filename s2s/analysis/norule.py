"""What to say when a call that carries a gradient has no derivative rule.

The default advice is to register a rule (``@s2s.adjoint``) or to stop the gradient. Some
callables get advice of their own: a numpy scalar type used as a cast (``np.float32(t)``:
``t.astype(np.float32)`` has a rule), ``map``, ``filter`` and ``functools.reduce`` (a
comprehension or a loop is differentiated), and one of s2s's own runtime helpers, which
generated code calls and which is met when a derivative is differentiated again (the rule it
lacks is s2s's to write, not the user's). A name bound to a tuple more than once has no rule
either (s2s follows a tuple's items only where it is bound once): :func:`rebound_tuple` says
so by the user's name, at the rebinding.

>>> import numpy as np
>>> no_rule_message(np.float32, "numpy.float32", "`t`")[1].startswith("write `t.astype")
True
"""

from __future__ import annotations

from typing import Any

import gast
import numpy as np

from s2s.analysis.aliasing import differentiable_reads
from s2s.codegen.ir import COPY, OPAQUE, FunctionIR, Stmt, atom_names
from s2s.errors import NoRuleError
from s2s.frontend.parse import Primal


def no_rule_message(op: Any, name: str, used: str) -> tuple[str, str]:
    """``(message, advice)`` for a call of ``op`` (written ``name``) on ``used`` (the active
    arguments, as the message names them) that has no rule."""
    if isinstance(op, type) and issubclass(op, np.generic):
        short = op.__name__
        return (
            f"no derivative rule for the cast {name}(...), called on {used}",
            f"write `t.astype(np.{short})` (it has a rule), or `float(t)` / `np.float64(t)`; "
            "s2s.stop_gradient(...) if no gradient should flow through it",
        )
    if op is tuple or op is list:
        return (
            f"{op.__name__}(...) of {used}, a sequence whose items carry a gradient, is not "
            "differentiated",
            "pass the arrays as separate arguments, or np.stack(...) them into one array",
        )
    if op in (map, filter) or name == "functools.reduce":
        return (
            f"{name}(...) of {used} is not differentiated (it calls a function on each item "
            "where s2s does not see the calls)",
            "write a list comprehension or a loop (`[f(v) for v in xs]`, `total = total + v`), "
            "which s2s differentiates",
        )
    if name.startswith("s2s.runtime."):
        helper = name.rsplit(".", 1)[-1]
        return (
            f"this derivative of a derivative reaches s2s's own helper {helper}, which the "
            "derivative of this line calls and which has no derivative rule yet: a derivative "
            "of this order through that function is not supported",
            "differentiate one order less (e.g. s2s.hvp(f) or s2s.hessian(f), forward over "
            "reverse, rather than s2s.jvp(s2s.jvp(f))), or approximate the next order by "
            "differences of the lower one; README's 'Not supported' names the functions",
        )
    return (
        f"no derivative rule for {name}, called on {used}",
        f"register one with @s2s.adjoint({name}), or wrap the argument in "
        "s2s.stop_gradient(...) if no gradient should flow through this call",
    )


def _bound_name(ir: FunctionIR, stmt: Stmt) -> str:
    """The user's name a tuple display is bound to: ``st`` of ``st = (a, b)``, and ``p`` of
    ``p = (p[1], p[0])`` (normalized to ``value_1 = (...)``, then the copy ``p = value_1``). A
    copy that unpacks the name (``a, b = st``) is a read of it, not its binding."""
    name = stmt.targets[0]
    if name in ir.temporaries:
        name = next((c.targets[0] for c in ir.flat if c.op is COPY and len(c.targets) == 1
                     and c.args and atom_names(c.args[0]) == [name]), name)  # fmt: skip
    return ir.original.get(name, name)


def rebound_tuple(primal: Primal, stmt: Stmt, ir: FunctionIR, active: set[str]) -> NoRuleError:
    """The refusal of a name bound to a tuple more than once (``st = (x, x * 2)``, then
    ``st = (np.sin(q), p)`` in a loop): s2s follows a tuple's items only where it is bound once.
    Located at the first binding after ``stmt`` (the rebinding, usually in the loop or branch),
    naming the other bindings' lines."""
    user = _bound_name(ir, stmt)
    bindings = [s for s in ir.flat if s.op is OPAQUE and isinstance(s.expr, gast.Tuple)
                and s.targets and _bound_name(ir, s) == user]  # fmt: skip
    after = bindings[next((i for i, s in enumerate(bindings) if s is stmt), 0) + 1 :]
    at = after[0] if after else stmt
    where = primal.where(at.node)
    lines = sorted({primal.where(s.node).lineno for s in bindings} - {where.lineno})
    also = f"; also on line {', '.join(map(str, lines))}" if lines else ""
    named = [ir.original.get(n, n) for n in differentiable_reads(at)
             if n in active and n not in ir.temporaries]  # fmt: skip
    uses = f" (it reads `{named[0]}`)" if named else ""
    items = ", ".join(f"{user}_{k}" for k in range(max(len(at.expr.elts), 2)))
    lengths = {len(s.expr.elts) for s in bindings}
    why = (
        f"`{user}` is bound to tuples of different lengths ({', '.join(map(str, sorted(lengths)))}"
        f"; lines {', '.join(str(primal.where(s.node).lineno) for s in bindings)}): s2s "
        "follows a tuple bound more than once only where every binding has the same length"
    ) if len(lengths) > 1 else (
        f"`{user}` is bound to a tuple more than once (in a loop or a branch{also}): s2s "
        "follows a tuple's items only where the tuple is bound once"
    )
    return NoRuleError(
        f"{why}, and this binding's items carry a gradient{uses}",
        where,
        f"unpack the tuple into names of their own, before the loop and in it: `{items} = "
        f"...` (read `{user}_0` where you read `{user}[0]`), and build `{user} = ({items})` "
        f"after the loop if you need the tuple; or bind `{user}` to a tuple once",
    )
