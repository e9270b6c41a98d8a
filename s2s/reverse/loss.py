"""The output a reverse-mode derivative seeds: checked against what its mode needs.

``grad`` and ``value_and_grad`` need one scalar (or, with ``has_aux``, a pair whose first
item is the scalar); ``vjp`` and ``pullback`` take any output, a tuple of tuples too (its
cotangent is taken apart leaf by leaf, ``_s2s.check_cotangent_tree``). A tuple where a scalar
is needed, a missing ``(loss, aux)`` pair, a tuple holding a list, and a tuple of tuples in
code that is differentiated again are refused at the return line (a derivative's own tuple of
tuples, at the user's call: ``NoRuleError``).
"""

from __future__ import annotations

import gast

from s2s.codegen.ir import FunctionIR
from s2s.errors import NoRuleError, UnsupportedSyntaxError, caller_location
from s2s.frontend.parse import Primal
from s2s.modes import PULLBACK, VJP


def differentiated_output(primal: Primal, ir: FunctionIR, mode: str, has_aux: bool,
                          functional: bool = False) -> gast.expr:
    """The value whose cotangent is seeded: the output, or with ``has_aux`` its first item.

    Raises ``UnsupportedSyntaxError`` at the return line for a tuple where ``grad`` needs a
    scalar, a missing ``(loss, aux)`` pair, a tuple holding a list, or a tuple holding tuples
    in code differentiated again (``NoRuleError`` at the user's call for a derivative's own)."""
    returns = ir.returns
    loss = returns
    # a tuple of tuples (a JVP's value and tangent of tuples): its cotangent, taken apart
    # leaf by leaf (_s2s.check_cotangent_tree), seeds each leaf; not in code differentiated again
    nested_ok = mode in (VJP, PULLBACK) and not has_aux and not functional
    if has_aux:
        if not (isinstance(returns, gast.Tuple) and len(returns.elts) == 2):
            raise UnsupportedSyntaxError(
                "has_aux=True needs the function to return a pair `loss, aux`",
                primal.where(ir.return_node),
                "end the function with `return loss, aux`",
            )
        loss = returns.elts[0]
    elif isinstance(returns, gast.Tuple) and mode not in (VJP, PULLBACK):
        title = getattr(primal.func, "__s2s_title__", None)  # a derivative's: its gradients
        if title is not None:
            raise UnsupportedSyntaxError(
                f"{mode} needs a single scalar output, but {title[1:-1]} returns a tuple (one "
                "gradient per wrt argument)",
                primal.where(ir.return_node),
                "differentiate a derivative with one wrt argument (s2s.grad(s2s.grad(f, "
                "wrt='x'), wrt=('x', 'y')) for one row), or take every second derivative at "
                "once with s2s.hessian(f, wrt=(...))",
            )
        raise UnsupportedSyntaxError(
            f"{mode} needs a single scalar output, but the function returns a tuple",
            primal.where(ir.return_node),
            "return one scalar, use s2s.value_and_grad(f, has_aux=True) for "
            "`return loss, aux`, or use s2s.vjp",
        )
    if isinstance(loss, gast.Tuple) and any(
        isinstance(e, gast.List) or (isinstance(e, gast.Tuple) and not nested_ok)
        for e in loss.elts
    ):
        title = getattr(primal.func, "__s2s_title__", None)
        if title is not None:  # s2s's own code: its return line is no line of the user's
            raise NoRuleError(
                f"reverse mode over {title[1:-1]}, which returns a tuple holding tuples (a "
                "JVP's value and tangent of a tuple, or of a helper's gradients), is not "
                "supported where that reverse derivative is differentiated again",
                caller_location(),
                "take this order forward: s2s.jvp of the derivative (forward over forward), "
                "s2s.jacobian(..., mode='forward'), or s2s.hvp for a Hessian-vector product",
            )
        lists = any(isinstance(e, gast.List) for e in loss.elts)
        raise UnsupportedSyntaxError(
            "returning a tuple that holds a list is not differentiated" if lists else
            "a tuple that holds tuples, returned here, is differentiated to the first order "
            "only (this derivative is differentiated again)",
            primal.where(ir.return_node),
            "return a flat tuple (`return a, b, c`) and regroup the values where they are used",
        )  # fmt: skip
    return loss
