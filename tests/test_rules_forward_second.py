"""Forward over forward against the registry (issue 9): every rule's tangent, differentiated
again in forward mode.

For each row of ``rows/`` (the rule tests' input domains): ``s2s.jvp(s2s.jvp(fn))`` along
the directions ``v`` (inner) and ``w`` (outer) gives ``d/dw (J(x) v)``, which must agree with
Richardson-extrapolated central differences of the first JVP along ``w``
(``gradcheck.directional_difference``). A rule's tangent template calls runtime helpers
(``prod_tangent``, ``svd_tangent``, ...); each needs a rule or a plain twin of its own
(:mod:`s2s.runtime.plain_tangents`) for this to work.

``UNSUPPORTED`` lists, with the reason, the rules whose forward-over-forward derivative is
not supported yet: for those the check must raise a located ``S2SError`` (never a crash,
never a wrong value), and a rule that starts passing fails here until it is taken off the
list. The first row of each rule runs in the default suite (but for the rules of
``SLOW_FIRST``), the others with ``-m slow``.
"""

from __future__ import annotations

import gradcheck as gc
import numpy as np
import pytest
import rows
from rows.spec import Row

import s2s
from s2s import registry

UNSUPPORTED: dict[str, str] = {}

SLOW_FIRST: dict[str, str] = {  # rules whose first row too runs with -m slow only
    "s2s.runtime.vectorized_second.vectorized_grads_tangent": (
        "its JVP of a JVP reaches the JVP of a fourth pullback of the per-call function given "
        "lists of lists of parts: 87 s on a shared two-core machine (tests/test_vectorize_fourth"
        ".py checks jvp of jvp of jvp of grad through np.vectorize, with -m long)"
    ),
}

def _name(row: Row) -> str:
    return registry.qualified_name(row.key)


def _tangents(derivative, directions: list) -> dict:
    return {derivative._tangent_names[n]: d for n, d in zip(derivative._wrt_names, directions)}


def _check(row: Row) -> None:
    rng, args = row.draw()
    v = [gc.random_like(rng, args[i], s) for i, s in zip(row.wrt, row.sym)]
    w = [gc.random_like(rng, args[i], s) for i, s in zip(row.wrt, row.sym)]
    inner = s2s.jvp(gc.fresh(row.fn), wrt=row.wrt)
    inner_tangents = _tangents(inner, v)
    outer = s2s.jvp(inner, wrt=row.wrt)
    _, (_, second) = outer(*args, **inner_tangents, **_tangents(outer, w))

    def first(*moved):
        return s2s.jvp(gc.fresh(row.fn), wrt=row.wrt)(*moved, **inner_tangents)[1]

    with np.errstate(all="ignore"):
        fd = gc.directional_difference(first, args, row.wrt, w, row.h)
    second = np.asarray(second, np.float64)
    assert np.shape(second) == np.shape(fd), (np.shape(second), np.shape(fd))
    scale = np.max(np.abs(fd), initial=0.0) + np.max(np.abs(second), initial=0.0)
    rtol = max(row.rtol, 1e-5)
    error = np.max(np.abs(second - fd), initial=0.0)
    assert error <= rtol * scale + 1e-9, (
        f"{row.id}: jvp of jvp {second!r} but differences of the jvp {fd!r} (error {error:.3g})"
    )


def _params() -> list:
    params, seen = [], set()
    for row in rows.DIFFERENTIABLE:
        if _name(row) in UNSUPPORTED:
            continue
        first = _name(row) not in seen and _name(row) not in SLOW_FIRST
        marks = () if first else pytest.mark.slow
        seen.add(_name(row))
        params.append(pytest.param(row, id=row.id, marks=marks))
    return params


@pytest.mark.parametrize("row", _params())
def test_forward_over_forward_agrees_with_differences_of_the_jvp(row: Row):
    with np.errstate(all="ignore"):
        _check(row)


@pytest.mark.parametrize(
    "row", [r for r in rows.DIFFERENTIABLE if _name(r) in UNSUPPORTED], ids=lambda r: r.id
)
def test_an_unsupported_forward_over_forward_is_a_located_error(row: Row):
    with pytest.raises(s2s.S2SError) as info, np.errstate(all="ignore"):
        _check(row)
    where = getattr(info.value, "where", None)
    assert where is not None and where.lineno > 0, f"{row.id}: {info.value} names no line"


def test_the_unsupported_list_names_registered_rules_only():
    names = {_name(r) for r in rows.DIFFERENTIABLE}
    scipy_rows = rows.scipy_special.ROWS + rows.scipy_linalg.ROWS  # empty without scipy
    stale = sorted(n for n in UNSUPPORTED
                   if n not in names and (scipy_rows or not n.startswith("scipy.")))  # fmt: skip
    assert not stale, f"entries without a row: {stale}"


REPEATED = "repeated eigenvalue"


def _eigvals_cubed(a):
    return np.sum(np.linalg.eigvals(a) ** 3)


@pytest.mark.parametrize(
    ("fn", "x", "error", "match"),
    [
        (_eigvals_cubed, np.array([[1.0, 0.0, 0.3], [0.0, 1.0, 0.0], [0.0, 0.0, 2.0]]),
         s2s.UndefinedGradientError, REPEATED),
    ],
    ids=["eigvals-repeated"],
)  # fmt: skip
def test_a_refused_forward_over_forward_names_the_users_line(fn, x, error, match):
    """The forms README's "Not supported" names: a located error at the line calling the
    second derivative (this file), never a value."""
    inner = s2s.jvp(fn)
    outer = s2s.jvp(inner)
    t = np.ones_like(x)
    with pytest.raises(error, match=match) as info:
        outer(x, **_tangents(inner, [t]), **_tangents(outer, [t]))
    assert info.value.where is not None and info.value.where.filename == __file__
