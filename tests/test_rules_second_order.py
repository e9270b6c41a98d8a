"""Second order against the registry (issue 9, DESIGN 10): every rule, differentiated twice.

For each row of ``rows/`` (the rule tests' input domains, numpy's rules and scipy's when it is
installed): ``s2s.check_grad(..., order=2)`` differentiates the VJP ``x -> J(x)^T u`` again,
forward over reverse (the Hessian-vector product) and reverse over reverse, and compares both
with central differences of the VJP along a random direction (symmetric directions for the
rules that read one triangle). A rule's adjoint template calls runtime helpers
(``prod_adjoint``, ``svd_adjoint``, ...); each needs a rule of its own for this to work, and
the rows of ``rows/runtime.py`` check those helpers' rules to second order in turn (third
order of the user's function).

``UNSUPPORTED`` lists, with the reason, the rules whose second derivative is not supported
yet: for those the check must raise a located ``S2SError`` (never a crash, never a wrong
value), and a rule that starts passing fails here until it is taken off the list. The first
float64 row of each rule runs in the default suite; the other rows, and float32 (looser
tolerances: ``check_grad``'s defaults), run with ``-m slow``.
"""

from __future__ import annotations

import gradcheck as gc
import numpy as np
import pytest
import rows
from rows.spec import Row

import s2s
from s2s import registry

NEEDS = "its adjoint's runtime helper has no rule yet: "
UNSUPPORTED: dict[str, str] = {}

# float32 rows whose central differences (step eps32^(1/3) ~ 5e-3 of the arguments) cannot
# resolve the second derivative; float64 checks them
FLOAT32_DIFFERENCES: dict[str, str] = {
    "numpy.clip:constants": "an entry within a float32 step of a bound: the step crosses the kink",
    "numpy.divmod:both": "the quotient jumps within a float32 step",
    "numpy.linalg.slogdet:both": "unconditioned random matrices (the row's h is 1e-5)",
    "scipy.special.polygamma": "a third derivative of 1e3 near the pole: O(h^2) truncation",
    "numpy.unwrap:period": "a difference within a float32 step of half the period: a jump",
    "scipy.stats.cauchy.isf:loc-scale": "the tail's second derivative: error 1.33, allowed 1.31",
    "numpy.linalg.pinv:wide": "pinv's third derivative at cond(a) 18: O(h^2) truncation (the "
    "float32 and float64 Hessian-vector products agree to 5 digits)",
    "numpy.linalg.cond:1": "the 1-norm's kinks (|x| and the largest column sum) within a float32 "
    "step: the first order already misses by 0.0048 (allowed 0.0039)",
}

# rows (not whole rules) whose second derivative is known wrong: open bugs (strict xfail)
KNOWN_WRONG: dict[str, str] = {}  # row id -> why its second derivative is wrong (strict xfail)


# rows whose function loops: reverse over reverse does not go through loops yet (a located
# NoRuleError, tests/test_checking.py), so forward over reverse checks their rule
LOOPS: dict[str, str] = {
    "numpy.array_split": "sums its pieces in a for loop",
}


def _name(row: Row) -> str:
    return registry.qualified_name(row.key)


def _check(row: Row, dtype: str) -> None:
    rng, args = row.draw()
    args = [gc.cast(a, dtype) for a in args]
    directions = [gc.random_like(rng, args[i], s) for i, s in zip(row.wrt, row.sym)]
    rtol = max(row.rtol, 1e-5) if dtype == "float64" else None
    with np.errstate(all="ignore"):
        modes = ("fwd",) if row.id in LOOPS else ("fwd", "rev")
        s2s.check_grad(gc.fresh(row.fn), *args, wrt=row.wrt, modes=modes, order=2,
                       rtol=rtol, directions=directions)  # fmt: skip


def _params(dtype: str) -> list:
    """float64: each rule's first row in the default suite, its other rows ``-m slow``;
    float32: every row ``-m slow``."""
    params, seen = [], set()
    for row in rows.DIFFERENTIABLE:
        if _name(row) in UNSUPPORTED or (dtype != "float64" and row.id in FLOAT32_DIFFERENCES):
            continue
        if row.id in KNOWN_WRONG:
            params.append(pytest.param(row, dtype, id=f"{row.id}[{dtype}]", marks=(
                pytest.mark.xfail(strict=True, reason=KNOWN_WRONG[row.id]), pytest.mark.slow)))
            continue
        fast = dtype == "float64" and _name(row) not in seen
        seen.add(_name(row))
        marks = () if fast else pytest.mark.slow
        params.append(pytest.param(row, dtype, id=f"{row.id}[{dtype}]", marks=marks))
    return params


@pytest.mark.parametrize("row, dtype", _params("float64") + _params("float32"))
def test_second_order_agrees_with_differences_of_the_gradient(row: Row, dtype: str):
    _check(row, dtype)


@pytest.mark.parametrize(
    "row", [r for r in rows.DIFFERENTIABLE if _name(r) in UNSUPPORTED], ids=lambda r: r.id
)
def test_an_unsupported_second_derivative_is_a_located_error(row: Row):
    with pytest.raises(s2s.S2SError) as info:
        _check(row, "float64")
    where = getattr(info.value, "where", None)
    assert where is not None and where.lineno > 0, f"{row.id}: {info.value} names no line"


def test_the_unsupported_list_names_registered_rules_only():
    """A stale entry (a rule renamed or removed) fails here; so does an entry without a row
    (it would be excused without being tried)."""
    names = {_name(r) for r in rows.DIFFERENTIABLE}
    scipy_rows = rows.scipy_special.ROWS + rows.scipy_linalg.ROWS  # empty without scipy
    stale = sorted(n for n in UNSUPPORTED
                   if n not in names and (scipy_rows or not n.startswith("scipy.")))  # fmt: skip
    ids = {r.id for r in rows.DIFFERENTIABLE}
    stale += sorted(i for i in LOOPS if i not in ids)
    stale += sorted(i for i in FLOAT32_DIFFERENCES
                    if i not in ids and (scipy_rows or not i.startswith("scipy.")))  # fmt: skip
    assert not stale, f"entries without a row: {stale}"
