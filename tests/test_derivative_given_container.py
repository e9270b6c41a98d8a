"""A derivative object given a parameter container whole inside a function being differentiated
(``s2s.grad(f)(p)`` in ``outer``): the generated code calls the derivative's flat form over the
container's leaves (s2s/frontend/derivcalls.py). Checked against closed forms and central
finite differences."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pytest
from located import assert_located

import s2s


def _loss(p):
    return np.sum(np.tanh(p["w"]) * p["b"] ** 2)


def _gradient_of_loss(w, b):
    """The gradient of _loss in closed form: (d/dw, d/db)."""
    return (1 - np.tanh(w) ** 2) * b**2, 2 * np.tanh(w) * b


def _outer_closed(w, b):
    gw, gb = _gradient_of_loss(w, b)
    return np.sum(gw**2) + np.sum(gb * b)


def _central(func, leaves, eps=1e-6):
    """Central differences of the scalar ``func(*leaves)`` in each leaf."""
    out = []
    for i, leaf in enumerate(leaves):
        g = np.zeros_like(leaf)
        for j in range(leaf.size):
            up = [x.copy() for x in leaves]
            down = [x.copy() for x in leaves]
            up[i].flat[j] += eps
            down[i].flat[j] -= eps
            g.flat[j] = (func(*up) - func(*down)) / (2 * eps)
        out.append(g)
    return out


RNG = np.random.default_rng(3)
W, B = RNG.normal(size=3), RNG.normal(size=4)[:3]
EXPECTED = _central(_outer_closed, [W, B])


def _outer(p):
    g = s2s.grad(_loss)(p)
    return np.sum(g["w"] ** 2) + np.sum(g["b"] * p["b"])


def test_a_dict_argument_given_whole_to_grad_inside():
    got = s2s.grad(_outer)({"w": W, "b": B})
    assert isinstance(got, dict) and list(got) == ["w", "b"]
    np.testing.assert_allclose(got["w"], EXPECTED[0], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(got["b"], EXPECTED[1], rtol=1e-6, atol=1e-8)
    value, _ = s2s.value_and_grad(_outer)({"w": W, "b": B})
    np.testing.assert_allclose(value, _outer_closed(W, B), rtol=1e-13)


def _outer_literal(p, x):
    g = s2s.grad(_loss)({"w": p["w"], "b": x})
    return np.sum(g["w"] ** 2) + np.sum(g["b"] * x)


def _outer_literal_arrays(w, x):
    g = s2s.grad(_loss)({"w": w, "b": x})
    return np.sum(g["w"] ** 2) + np.sum(g["b"] * x)


def test_a_dict_literal_given_to_grad_inside():
    gp, gx = s2s.grad(_outer_literal, wrt=(0, 1))({"w": W, "b": np.ones(3)}, B)
    np.testing.assert_allclose(gp["w"], EXPECTED[0], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(gp["b"], 0.0)  # p["b"] is not read
    np.testing.assert_allclose(gx, EXPECTED[1], rtol=1e-6, atol=1e-8)
    gw, gx = s2s.grad(_outer_literal_arrays, wrt=(0, 1))(W, B)  # no container argument
    np.testing.assert_allclose(gw, EXPECTED[0], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(gx, EXPECTED[1], rtol=1e-6, atol=1e-8)


@dataclass
class _Params:
    w: np.ndarray
    b: np.ndarray


class _Pair(NamedTuple):
    w: np.ndarray
    b: np.ndarray


def _field_loss(p):
    return np.sum(np.tanh(p.w) * p.b**2)


def _field_outer(p):
    g = s2s.grad(_field_loss)(p)
    return np.sum(g.w**2) + np.sum(g.b * p.b)


@pytest.mark.parametrize("kind", [_Params, _Pair])
def test_a_dataclass_or_namedtuple_given_whole_to_grad_inside(kind):
    got = s2s.grad(_field_outer)(kind(W, B))
    assert type(got) is kind
    np.testing.assert_allclose(got.w, EXPECTED[0], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(got.b, EXPECTED[1], rtol=1e-6, atol=1e-8)


_VALUE_AND_GRAD = s2s.value_and_grad(_loss)


def _outer_value_and_grad(p):
    value, g = _VALUE_AND_GRAD(p)
    return value * np.sum(g["w"] ** 2) + np.sum(g["b"] * p["b"])


def test_a_module_level_value_and_grad_given_a_dict_inside():
    def closed(w, b):
        gw, gb = _gradient_of_loss(w, b)
        return np.sum(np.tanh(w) * b**2) * np.sum(gw**2) + np.sum(gb * b)

    got = s2s.grad(_outer_value_and_grad)({"w": W, "b": B})
    expected = _central(closed, [W, B])
    np.testing.assert_allclose(got["w"], expected[0], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(got["b"], expected[1], rtol=1e-6, atol=1e-8)


def _outer_jvp(p, v):
    y, t = s2s.jvp(_loss)(p, {"w": p["b"], "b": v["b"]})
    return y * t


def test_jvp_inside_takes_a_tangent_dict_literal():
    vb = RNG.normal(size=3)

    def closed(w, b):
        gw, gb = _gradient_of_loss(w, b)
        return np.sum(np.tanh(w) * b**2) * np.sum(gw * b + gb * vb)

    got = s2s.grad(_outer_jvp)({"w": W, "b": B}, {"w": np.zeros(3), "b": vb})
    expected = _central(closed, [W, B])
    np.testing.assert_allclose(got["w"], expected[0], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(got["b"], expected[1], rtol=1e-6, atol=1e-8)


def _outer_tangent_argument(p, v):
    _, t = s2s.jvp(_loss)(p, v)
    return t**2


def test_jvp_inside_takes_a_tangent_container_argument():
    v = {"w": RNG.normal(size=3), "b": RNG.normal(size=3)}

    def closed(w, b):
        gw, gb = _gradient_of_loss(w, b)
        return np.sum(gw * v["w"] + gb * v["b"]) ** 2

    got = s2s.grad(_outer_tangent_argument)({"w": W, "b": B}, v)
    expected = _central(closed, [W, B])
    np.testing.assert_allclose(got["w"], expected[0], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(got["b"], expected[1], rtol=1e-6, atol=1e-8)


def test_forward_over_and_hvp_of_a_function_giving_a_dict_to_grad():
    p, v = {"w": W, "b": B}, {"w": RNG.normal(size=3), "b": RNG.normal(size=3)}
    value, tangent = s2s.jvp(_outer)(p, v)
    np.testing.assert_allclose(value, _outer_closed(W, B), rtol=1e-13)
    expected = np.sum(EXPECTED[0] * v["w"] + EXPECTED[1] * v["b"])
    np.testing.assert_allclose(tangent, expected, rtol=1e-6)
    hv = s2s.hvp(_outer)(p, v)  # a third derivative of _loss: central differences of grad
    grad = s2s.grad(_outer)
    eps = 1e-5
    up = grad({k: p[k] + eps * v[k] for k in p})
    down = grad({k: p[k] - eps * v[k] for k in p})
    for k in p:
        np.testing.assert_allclose(hv[k], (up[k] - down[k]) / (2 * eps), rtol=1e-6, atol=1e-8)


def _cubic(p):
    return np.sum(p["a"] ** 3 * p["b"])


def _outer_hvp_product(p, v):
    g, h = s2s.jvp(s2s.grad(_cubic))(p, v)
    return np.sum(h["a"] * g["b"]) + np.sum(h["b"])


def test_jvp_of_grad_given_a_dict_inside():
    # g = (3 a^2 b, a^3), H v = (6 a b va + 3 a^2 vb, 3 a^2 va): outer = sum(Hv_a a^3 + Hv_b)
    a, b = np.array([0.3, -0.4]), np.array([0.7, 1.2])
    v = {"a": np.array([0.5, -1.1]), "b": np.array([0.9, 0.2])}
    got = s2s.grad(_outer_hvp_product)({"a": a, "b": b}, v)
    va, vb = v["a"], v["b"]
    d_a = 24 * a**3 * b * va + 15 * a**4 * vb + 6 * a * va
    np.testing.assert_allclose(got["a"], d_a, rtol=1e-13)
    np.testing.assert_allclose(got["b"], 6 * a**4 * va, rtol=1e-13)


def _counted_loss(p):
    return np.sum(np.tanh(p["w"]) * p["b"] ** 2) * p["n"]


def _outer_counted(p):
    g = s2s.grad(_counted_loss)(p)
    return np.sum(g["w"] ** 2) + np.sum(g["b"] * p["b"])


def test_an_int_leaf_gets_no_gradient_inside_either():
    got = s2s.grad(_outer_counted)({"w": W, "b": B, "n": 3})
    assert got["n"] is None
    expected = _central(
        lambda w, b: 9 * _outer_closed(w, b) - 6 * np.sum(2 * np.tanh(w) * b * b), [W, B]
    )  # fmt: skip  (9 sum(gw^2) + 3 sum(gb b))
    np.testing.assert_allclose(got["w"], expected[0], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(got["b"], expected[1], rtol=1e-6, atol=1e-8)


def _outer_local(p, gradient):
    local = s2s.grad(_loss)
    g = local(p)
    h = gradient(p)
    return np.sum(g["w"] * h["w"]) + np.sum(g["b"] * p["b"])


def test_a_local_derivative_and_one_passed_in():
    got = s2s.grad(_outer_local)({"w": W, "b": B}, s2s.grad(_loss))
    np.testing.assert_allclose(got["w"], EXPECTED[0], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(got["b"], EXPECTED[1], rtol=1e-6, atol=1e-8)


def _scaled_loss(p, scale):
    return scale * np.sum(p["w"] ** 2)


def _to_a_parameter_not_differentiated(p):
    g = s2s.grad(_scaled_loss, wrt="scale")(p, 1.5)  # MARK
    return g


def _to_a_jvp_of_a_jvp(p):
    (_, t), _ = s2s.jvp(s2s.jvp(_loss))(p, p, p)  # MARK
    return t


def _returned_whole(p):
    return s2s.grad(_loss)(p)  # MARK


@pytest.mark.parametrize(
    "function, words",
    [
        (_returned_whole, "`s2s.grad(_loss)(p)` is used whole"),
        (_to_a_parameter_not_differentiated, "a parameter it does not differentiate"),
        (_to_a_jvp_of_a_jvp, "a jvp of a derivative"),
    ],
)
def test_what_is_still_refused_is_refused_at_the_line(function, words):
    with pytest.raises(s2s.UnsupportedSyntaxError, match=re.escape(words)) as info:
        s2s.grad(function)({"w": W, "b": B})
    assert_located(info.value, function, "# MARK", "")


def _tuple_loss(p, x):
    return np.sum(np.tanh(p["w"]) * p["b"] ** 2 * x)


def _outer_tuple(p, x):
    gp, gx = s2s.grad(_tuple_loss, wrt=(0, 1))(p, x)
    total = np.sum(gx**2)
    for k, v in gp.items():
        total = total + np.sum(v * p[k])
    return total


def test_a_gradient_tuple_with_a_dict_read_in_a_loop():
    x = RNG.normal(size=3)

    def closed(w, b, x):
        t = np.tanh(w)
        gw, gb, gx = (1 - t**2) * b**2 * x, 2 * t * b * x, t * b**2
        return np.sum(gx**2) + np.sum(gw * w) + np.sum(gb * b)

    gp, gx = s2s.grad(_outer_tuple, wrt=(0, 1))({"w": W, "b": B}, x)
    expected = _central(closed, [W, B, x])
    np.testing.assert_allclose(gp["w"], expected[0], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(gp["b"], expected[1], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(gx, expected[2], rtol=1e-6, atol=1e-8)


def test_the_hessian_of_a_function_giving_a_dict_to_grad_agrees_with_its_hvp():
    p, v = {"w": W, "b": B}, {"w": RNG.normal(size=3), "b": RNG.normal(size=3)}
    hessian = s2s.hessian(_outer)(p)
    hv = s2s.hvp(_outer)(p, v)
    for k in p:
        product = sum(hessian[k][j] @ v[j] for j in p)
        np.testing.assert_allclose(product, hv[k], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(hessian["w"]["b"], hessian["b"]["w"].T, rtol=1e-10, atol=1e-12)
