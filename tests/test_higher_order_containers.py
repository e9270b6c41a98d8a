"""Second order and Jacobians with respect to parameter containers (dicts, dataclasses).

``hvp`` takes a direction of the container's structure and returns one; ``hessian`` and
``jacobian`` return trees of blocks, as JAX does: ``jacobian(f)(p)["w"]`` has shape
``f(p).shape + p["w"].shape``, ``hessian(f)(p)["w"]["b"]`` shape ``p["w"].shape +
p["b"].shape``. Every value is checked against central differences of s2s's first derivative
(or of the function, for Jacobians).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from gradcheck import along
from located import assert_located

import s2s

RNG = np.random.default_rng(20261205)


@dataclass
class Params:
    w: np.ndarray
    b: float
    steps: int


def loss(p):
    return np.sum(np.tanh(p["w"] * p["b"]) ** 2) + np.sum(p["w"] ** 3)


def looped(q, x):
    h = x
    for _ in range(q.steps):
        h = np.tanh(q.w @ h + q.b)
    return np.sum(h**2)


def outputs(p):
    return np.concatenate([p["w"] * p["b"], np.sin(p["w"][:2])])


def _dict():
    return {"w": RNG.normal(size=3), "b": RNG.normal(size=3)}


def _moved(p, v, t):
    return {k: p[k] + t * v[k] for k in p}


def test_hvp_of_a_dict_takes_and_returns_a_dict():
    p, v = _dict(), _dict()
    hv = s2s.hvp(loss)(p, v)
    gradient = s2s.grad(loss)
    expected = along(lambda t: np.concatenate([gradient(_moved(p, v, t))[k] for k in p]),
                     0.0, 1.0, 1e-5)  # fmt: skip
    assert set(hv) == {"w", "b"}
    np.testing.assert_allclose(np.concatenate([hv["w"], hv["b"]]), expected, rtol=1e-6)


def test_hvp_through_a_loop_with_a_dataclass_and_an_int_field():
    q = Params(RNG.normal(size=(3, 3)) * 0.5, 0.3, 3)
    v = Params(RNG.normal(size=(3, 3)), 0.7, 3)
    x = RNG.normal(size=3)
    hv = s2s.hvp(looped)(q, x, v)
    gradient = s2s.grad(looped)

    def g(t):
        moved = gradient(Params(q.w + t * v.w, q.b + t * v.b, 3), x)
        return np.concatenate([np.ravel(moved.w), [moved.b]])

    expected = along(g, 0.0, 1.0, 1e-5)
    assert isinstance(hv, Params) and hv.steps is None
    np.testing.assert_allclose(np.concatenate([np.ravel(hv.w), [hv.b]]), expected, rtol=1e-6)


def test_hessian_of_a_dict_is_a_dict_of_blocks():
    p = _dict()
    hessian = s2s.hessian(loss)(p)
    gradient = s2s.grad(loss)
    for row in p:
        for col in p:
            block = hessian[row][col]
            assert block.shape == p[row].shape + p[col].shape
            for k in range(p[col].size):
                e = {key: np.zeros_like(p[key]) for key in p}
                e[col].flat[k] = 1.0
                expected = along(lambda t, e=e, r=row: gradient(_moved(p, e, t))[r], 0.0, 1.0, 1e-5)
                np.testing.assert_allclose(block[..., k], expected, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("mode", ["forward", "reverse", "auto"])
def test_jacobian_of_a_dict_is_a_dict_of_blocks(mode):
    p = _dict()
    jacobian = s2s.jacobian(outputs, mode=mode)
    J = jacobian(p)
    for key in p:
        assert J[key].shape == (5,) + p[key].shape
        for k in range(p[key].size):
            e = {name: np.zeros_like(p[name]) for name in p}
            e[key].flat[k] = 1.0
            expected = along(lambda t, e=e: outputs(_moved(p, e, t)), 0.0, 1.0, 1e-6)
            np.testing.assert_allclose(J[key][..., k], expected, rtol=1e-7, atol=1e-10)
    if mode == "auto":
        assert jacobian.chosen == "reverse"  # six inputs, five outputs


def test_jacobian_auto_counts_a_containers_leaves():
    p = {"w": RNG.normal(size=2), "b": RNG.normal(size=1)}
    jacobian = s2s.jacobian(lambda p: np.outer(p["w"], p["b"]).ravel() * np.arange(4.0)[:, None])
    jacobian(p)
    assert jacobian.chosen == "forward"  # three inputs, eight outputs


def test_jvp_of_a_gradient_with_a_tangent_of_another_structure_is_refused():
    p = _dict()
    with pytest.raises(s2s.TangentError, match="structure"):
        s2s.hvp(loss)(p, {"w": p["w"]})


def _dense_layer(p, h):
    return np.tanh(p["W"] @ h + p["b"])


def _sliced_mlp(params, h):
    for p in params[:-1]:
        h = _dense_layer(p, h)
    return np.sum(params[-1]["W"] @ h)


def test_hvp_through_a_helper_given_dicts_of_a_sliced_list():
    """The helper's pullback, differentiated in its dict too, pops the loop's dicts back from
    the gradient's tape as the names they were (it was refused: the popped items' types were
    unknown); hvp and the Hessian agree with central differences of the gradient."""
    rng = np.random.default_rng(0)
    params = [{"W": rng.normal(size=(3, 3)), "b": rng.normal(size=3)} for _ in range(3)]
    x, v = rng.normal(size=3), rng.normal(size=3)
    gradient = s2s.grad(_sliced_mlp, wrt="h")
    expected = along(lambda h: gradient(params, h), x, v, 1e-5)
    np.testing.assert_allclose(s2s.hvp(_sliced_mlp, wrt="h")(params, x, v), expected, atol=1e-8)
    hessian = s2s.hessian(_sliced_mlp, wrt="h")(params, x)
    np.testing.assert_allclose(hessian @ v, expected, atol=1e-8)


def _cubic_loss(p):
    return np.sum(p["a"] ** 3 * p["b"])


_CUBIC_GRADIENT = s2s.grad(_cubic_loss)


def _gradient_product(p):
    g = _CUBIC_GRADIENT(p)  # MARK: a dict passed whole to a derivative object
    return np.sum(g["a"] * g["b"])


def test_a_dict_given_whole_to_a_derivative_inside_goes_leaf_by_leaf():
    # (a fresh user) it was refused at the line; the derivative's flat form takes the leaves:
    # outer(p) = sum(3 a^5 b), from g = (3 a^2 b, a^3)
    a, b = np.array([0.3, -0.4]), np.array([0.7, 1.2])
    p, v = {"a": a, "b": b}, {"a": np.array([0.5, -1.1]), "b": np.array([0.9, 0.2])}
    g = s2s.grad(_gradient_product)(p)
    assert list(g) == ["a", "b"]
    np.testing.assert_allclose(g["a"], 15 * a**4 * b, rtol=1e-13)
    np.testing.assert_allclose(g["b"], 3 * a**5, rtol=1e-13)
    value, tangent = s2s.jvp(_gradient_product)(p, v)
    np.testing.assert_allclose(value, np.sum(3 * a**5 * b), rtol=1e-13)
    np.testing.assert_allclose(tangent, np.sum(g["a"] * v["a"] + g["b"] * v["b"]), rtol=1e-13)
    hv = s2s.hvp(_gradient_product)(p, v)  # a third derivative of _cubic_loss
    np.testing.assert_allclose(hv["a"], 60 * a**3 * b * v["a"] + 15 * a**4 * v["b"], rtol=1e-12)
    np.testing.assert_allclose(hv["b"], 15 * a**4 * v["a"], rtol=1e-12)


def _hvp_inside(p):
    h = s2s.hvp(_cubic_loss)(p, p)  # MARK
    return np.sum(h["a"])


def test_an_hvp_object_given_a_dict_inside_is_refused_at_its_line():
    p = {"a": np.array([0.3, -0.4]), "b": np.array([0.7, 1.2])}
    with pytest.raises(s2s.NoRuleError) as info:
        s2s.grad(_hvp_inside)(p)
    assert_located(info.value, _hvp_inside, "# MARK", "s2s.jvp(s2s.grad(f))")
    assert "given a parameter container whole" in str(info.value)


def _sine_product(p):
    return np.sum(np.sin(p["w"]) * p["b"])


def test_a_third_jvp_over_a_dict_works():
    # (a fresh user) it raised ValueError: expected 2 tangent parameters, from inside s2s; then
    # a NoRuleError advising jvp(jvp(grad(f))). Along v = ones: f(p + t v) = sum(sin(w + t)
    # (b + t)), whose third derivative at 0 is sum(-cos(w) b - 3 sin(w))
    p = {"w": np.array([0.3, 1.2]), "b": np.array([0.5, -0.7])}
    v = {"w": np.ones(2), "b": np.ones(2)}
    w, b = p["w"], p["b"]
    third = s2s.jvp(s2s.jvp(s2s.jvp(_sine_product)))(p, v, v, v)
    np.testing.assert_allclose(third[1][1][1], np.sum(-np.cos(w) * b - 3 * np.sin(w)), rtol=1e-14)
    np.testing.assert_allclose(third[0][0][0], np.sum(np.sin(w) * b), rtol=1e-14)
    grad3 = s2s.jvp(s2s.jvp(s2s.grad(_sine_product)))(p, v, v)[1][1]  # d^2 grad [v, v]
    np.testing.assert_allclose(grad3["w"], -np.cos(w) * b - 2 * np.sin(w), rtol=1e-14)
    np.testing.assert_allclose(grad3["b"], -np.sin(w), rtol=1e-14)


def _dict_to_a_jvp(w, b):
    value, tangent = s2s.jvp(_sine_product)({"w": w, "b": b}, {"w": np.ones(2), "b": w})  # MARK
    return tangent * value


def test_a_dict_literal_given_to_a_derivative_inside_goes_leaf_by_leaf():
    # (a fresh user) it was refused; value = sum(sin(w) b), tangent = sum(cos(w) b + sin(w) w)
    w, b = np.array([0.3, 1.2]), np.array([0.5, -0.7])
    got = s2s.grad(_dict_to_a_jvp, wrt=(0, 1))(w, b)
    value, tangent = np.sum(np.sin(w) * b), np.sum(np.cos(w) * b + np.sin(w) * w)
    d_tangent_w = -np.sin(w) * b + np.cos(w) * w + np.sin(w)
    np.testing.assert_allclose(got[0], d_tangent_w * value + tangent * np.cos(w) * b, rtol=1e-13)
    np.testing.assert_allclose(got[1], np.cos(w) * value + tangent * np.sin(w), rtol=1e-13)
