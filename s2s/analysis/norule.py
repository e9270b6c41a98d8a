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
            f"this derivative of a derivative reaches s2s's own helper {helper}, which has no "
            "derivative rule yet: a second derivative through the function whose adjoint calls "
            "it is not supported",
            "differentiate once (s2s.grad, s2s.jvp), or approximate the second derivative by "
            "differences of s2s.grad; README's 'Not supported' lists these functions",
        )
    return (
        f"no derivative rule for {name}, called on {used}",
        f"register one with @s2s.adjoint({name}), or wrap the argument in "
        "s2s.stop_gradient(...) if no gradient should flow through this call",
    )
