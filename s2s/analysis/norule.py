"""What to say when a call that carries a gradient has no derivative rule.

The default advice is to register a rule (``@s2s.adjoint``) or to stop the gradient. Two
callables get advice of their own: a numpy scalar type used as a cast (``np.float32(t)``:
``t.astype(np.float32)`` has a rule), and one of s2s's own runtime helpers, which generated code
calls and which is met when a derivative is differentiated again (the rule it lacks is s2s's to
write, not the user's).

>>> import numpy as np
>>> no_rule_message(np.float32, "numpy.float32", "`t`")[1].startswith("write `t.astype")
True
"""

from __future__ import annotations

from typing import Any

import numpy as np


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
