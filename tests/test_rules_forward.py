"""Forward mode against the registry (STYLE.md item 8): every rule's tangent, at random points.

For each row of ``rows/`` (the rule tests' input domains): the JVP agrees with central
differences (``s2s.check_grad``, forward mode), and the tangent is the transpose of the adjoint,
``<u, J v> = <J^T u, v>`` for a random output cotangent ``u`` and input direction ``v``, in
float64 and float32. ``test_every_adjoint_rule_has_a_tangent`` fails for a rule written for one
mode only.
"""

from __future__ import annotations

import gradcheck as gc
import numpy as np
import pytest
import rows
from rows.spec import Row

import s2s
from s2s import registry

# <u, J v> against <J^T u, v>: both sides are computed in the dtype under test
IDENTITY_RTOL = {"float64": 1e-10, "float32": 2e-4}


def _directions(rng: np.random.Generator, row: Row, args: list) -> list:
    return [gc.random_like(rng, args[i], s) for i, s in zip(row.wrt, row.sym)]


def _jvp(fn, args: list, wrt: tuple[int, ...], directions: list):
    derivative = s2s.jvp(fn, wrt=wrt)
    names = derivative._wrt_names
    tangents = {derivative._tangent_names[n]: v for n, v in zip(names, directions)}
    return derivative(*args, **tangents)


@pytest.mark.parametrize("row", rows.DIFFERENTIABLE, ids=lambda r: r.id)
def test_tangent_agrees_with_central_differences(row: Row, rules_reached):
    rng, args = row.draw()
    fn = gc.fresh(row.fn)
    directions = _directions(rng, row, args)
    s2s.check_grad(fn, *args, wrt=row.wrt, modes=("fwd",), order=1, rtol=max(row.rtol, 1e-5),
                   directions=directions)  # fmt: skip
    assert row.key in rules_reached.looked_up, f"{row.id}: forward mode never used this rule"


def _params() -> list:
    return [
        pytest.param(row, dtype, id=f"{row.id}[{dtype}]")
        for row in rows.DIFFERENTIABLE
        for dtype in ("float64", "float32")
    ]


@pytest.mark.parametrize("row, dtype", _params())
def test_tangent_is_the_transpose_of_the_adjoint(row: Row, dtype: str):
    rng, args = row.draw()
    args = [gc.cast(a, dtype) for a in args]
    directions = [gc.cast(v, dtype) for v in _directions(rng, row, args)]
    value, tangent = _jvp(row.fn, args, row.wrt, directions)
    gc.assert_same_value(value, row.fn(*args))
    u = gc.random_like(rng, value)
    _, pullback = s2s.vjp(row.fn, wrt=row.wrt)(*args)
    grads = pullback(u)
    forward = gc.inner(u, tangent)
    reverse = sum(gc.inner(g, v) for g, v in zip(grads, directions))
    scale = gc.abs_inner(u, tangent) + sum(gc.abs_inner(g, v) for g, v in zip(grads, directions))
    precision = "float32" if np.result_type(value) == np.float32 else dtype  # a float32 output
    assert abs(forward - reverse) <= IDENTITY_RTOL[precision] * scale + 1e-300, (
        f"{row.id} in {dtype}: <u, J v> = {forward!r} but <J^T u, v> = {reverse!r}"
    )
    assert np.shape(tangent) == np.shape(value)
    assert np.result_type(tangent) == np.result_type(value)


def test_every_adjoint_rule_has_a_tangent():
    """A rule with an adjoint template and no tangent template (or the reverse) fails here."""
    rules = registry.builtin_rules()
    only_reverse = sorted(r.name for r in rules.values()
                          if r.kind == registry.ADJOINT and r.tangent is None)  # fmt: skip
    only_forward = sorted(r.name for r in rules.values()
                          if r.kind == registry.ADJOINT and r.template is None)  # fmt: skip
    assert not only_reverse, f"rules without a @tangent template: {only_reverse}"
    assert not only_forward, f"rules without an @adjoint template: {only_forward}"


def test_a_rule_for_one_mode_only_is_refused_in_the_other_with_its_line():
    def half(x):
        return x * 3.0

    def forward_only(x):
        return x * 2.0

    @s2s.adjoint(half, source="test")  # reverse only
    def half_adjoint(result, x):
        d[x] = d[result] * 3.0

    @s2s.tangent(forward_only, source="test: d(2x) = 2 dx")
    def forward_only_tangent(result, x):
        d[result] += d[x] * 2.0

    def uses_half(x):
        return np.sum(half(x))

    def uses_forward_only(x):
        return np.sum(forward_only(x))

    x = np.ones(3)
    with pytest.raises(s2s.NoRuleError, match=r"no forward rule.*\n.*half\(x\)") as info:
        s2s.jvp(uses_half)(x, x)
    assert "@s2s.tangent" in str(info.value)
    value, tangent = s2s.jvp(uses_forward_only)(x, np.full(3, 0.5))
    assert value == 6.0 and tangent == 3.0
    with pytest.raises(s2s.NoRuleError, match="no reverse rule") as info:
        s2s.grad(uses_forward_only)(x)
    assert "@s2s.adjoint" in str(info.value)


d = s2s.d


def softplus(x):
    return np.logaddexp(0.0, x)


@s2s.adjoint(softplus, source="d softplus(x)/dx = sigmoid(x)")
def softplus_adjoint(result, x):
    d[x] = d[result] * (1.0 - np.exp(-result))


@s2s.tangent(softplus, source="d softplus(x) = sigmoid(x) dx")
def softplus_tangent(result, x):
    d[result] += d[x] * (1.0 - np.exp(-result))


def softplus_loss(w):
    return np.sum(softplus(w) * w)


def test_the_user_tangent_rule_of_docs_rules_md_in_both_modes_to_second_order():
    w = np.array([-1.0, 0.0, 2.0])
    _, tangent = s2s.jvp(softplus_loss)(w, np.ones(3))
    sigmoid = 1 / (1 + np.exp(-w))
    assert tangent == pytest.approx(np.sum(sigmoid * w + softplus(w)), rel=1e-12)
    s2s.check_grad(softplus_loss, w, order=2)
    assert "softplus_1_dot = w_dot * (1.0 - _np.exp(-softplus_1))" in s2s.jvp(softplus_loss).source
