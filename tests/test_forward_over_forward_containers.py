"""Forward over forward (``s2s.jvp(s2s.jvp(f))``) with a dict or NamedTuple argument: the
inner JVP's own tangent (a container too) is passed leaf by leaf, and the result is the inner
JVP's ``(value, tangent)`` pair with its tangent (it raised ``TypeError: missing a required
argument: 'p_w_dot'``, and the pair would have been rebuilt as the container). A third
derivative this way (``jvp(jvp(grad(f)))``) over a dict or NamedTuple works, and so does a
``vjp`` of ``jvp(grad(f))`` over one (over a list or tuple:
tests/test_higher_order_whole_containers.py)."""

from typing import NamedTuple

import numpy as np
import pytest

import s2s


class Params(NamedTuple):
    w: np.ndarray
    b: np.ndarray


def by_keys(p):
    return np.sum(np.sin(p["w"]) * p["b"] ** 2)


def by_fields(p):
    return np.sum(np.sin(p.w) * p.b**2)


def second_directional(p, v, u):
    """d^2 f [v, u] of sum(sin(w) b^2), by hand."""
    w, b = p["w"], p["b"]
    return np.sum(
        -np.sin(w) * b**2 * v["w"] * u["w"]
        + 2 * np.cos(w) * b * (v["w"] * u["b"] + v["b"] * u["w"])
        + 2 * np.sin(w) * v["b"] * u["b"]
    )


def random_dicts(seed, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return [{k: rng.normal(size=3).astype(dtype) for k in ("w", "b")} for _ in range(3)]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_forward_over_forward_of_a_dict_argument(dtype):
    p, v, u = random_dicts(0, dtype)
    (value, tangent), (tangent_again, second) = s2s.jvp(s2s.jvp(by_keys))(p, v, u)
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    assert np.isclose(value, by_keys(p), rtol=rtol)
    first = s2s.jvp(by_keys)(p, v)[1]
    assert np.isclose(tangent, first, rtol=rtol)
    assert np.isclose(tangent_again, s2s.jvp(by_keys)(p, u)[1], rtol=rtol)
    assert np.isclose(second, second_directional(p, v, u), rtol=rtol)
    assert np.asarray(second).dtype == dtype


def test_forward_over_forward_of_a_named_tuple_against_differences():
    p, v, u = (Params(**d) for d in random_dicts(1))
    second = s2s.jvp(s2s.jvp(by_fields))(p, v, u)[1][1]
    h = 1e-6
    ahead = Params(p.w + h * u.w, p.b + h * u.b)
    behind = Params(p.w - h * u.w, p.b - h * u.b)
    inner = s2s.jvp(by_fields)
    difference = (inner(ahead, v)[1] - inner(behind, v)[1]) / (2 * h)
    assert np.isclose(second, difference, rtol=1e-7)


def test_an_inner_tangent_without_the_container_s_structure_is_located():
    p, v, u = random_dicts(2)
    with pytest.raises(s2s.TangentError, match="structure of `p`"):
        s2s.jvp(s2s.jvp(by_keys))(p, {"w": v["w"]}, u)
    with pytest.raises(s2s.TangentError, match=r"p\['b'\]` has shape \(2,\)"):
        s2s.jvp(s2s.jvp(by_keys))(p, {"w": v["w"], "b": v["b"][:2]}, u)


def third_directional(p, v, u):
    """d^2 (grad f) [v, u] of f = sum(sin(w) b^2), by hand: its w and b parts."""
    w, b = p["w"], p["b"]
    vw, vb, uw, ub = v["w"], v["b"], u["w"], u["b"]
    along_w = (-np.cos(w) * b**2 * vw * uw - 2 * np.sin(w) * b * (vw * ub + vb * uw)
               + 2 * np.cos(w) * vb * ub)  # fmt: skip
    along_b = -2 * np.sin(w) * b * vw * uw + 2 * np.cos(w) * (vw * ub + uw * vb)
    return along_w, along_b


def test_a_third_derivative_over_a_dict_by_forward_over_forward():
    """It raised NoRuleError (the code differentiated took the dict whole): the inner
    gradient's own flat form is differentiated now (argtrees.inner_code)."""
    p, v, u = random_dicts(3)
    (grad, hv), (hu, third) = s2s.jvp(s2s.jvp(s2s.grad(by_keys)))(p, v, u)
    assert type(grad) is dict and type(third) is dict
    along_w, along_b = third_directional(p, v, u)
    assert np.allclose(third["w"], along_w, rtol=1e-12)
    assert np.allclose(third["b"], along_b, rtol=1e-12)
    inner = s2s.jvp(s2s.grad(by_keys))
    assert all(np.allclose(hv[k], inner(p, v)[1][k], rtol=1e-12) for k in p)
    assert all(np.allclose(hu[k], inner(p, u)[1][k], rtol=1e-12) for k in p)


def test_a_third_derivative_over_a_named_tuple_by_forward_over_forward():
    p, v, u = (Params(**d) for d in random_dicts(4))
    third = s2s.jvp(s2s.jvp(s2s.grad(by_fields)))(p, v, u)[1][1]
    assert type(third) is Params
    along_w, along_b = third_directional(p._asdict(), v._asdict(), u._asdict())
    assert np.allclose(third.w, along_w, rtol=1e-12)
    assert np.allclose(third.b, along_b, rtol=1e-12)


def hessian_times(p, c):
    """H c of f = sum(sin(w) b^2), by hand: its w and b parts."""
    w, b = p["w"], p["b"]
    return (-np.sin(w) * b**2 * c["w"] + 2 * np.cos(w) * b * c["b"],
            2 * np.cos(w) * b * c["w"] + 2 * np.sin(w) * c["b"])  # fmt: skip


def test_a_pullback_of_a_jvp_of_a_gradient_over_a_dict():
    """It was refused (the JVP's code over the leaves returns a tuple of tuples, which reverse
    mode did not take apart): the cotangent of (gradient, H v), dicts, gives H c_g + d^3 f[v,
    c_h] in p's structure."""
    p, v, c_h = random_dicts(3)
    c_g = random_dicts(4)[0]
    (grad, hv), pullback = s2s.vjp(s2s.jvp(s2s.grad(by_keys)))(p, v)
    assert set(grad) == set(hv) == {"w", "b"}
    got = pullback((c_g, c_h))
    assert type(got) is dict
    h_w, h_b = hessian_times(p, c_g)
    t_w, t_b = third_directional(p, v, c_h)
    np.testing.assert_allclose(got["w"], h_w + t_w, rtol=1e-12)
    np.testing.assert_allclose(got["b"], h_b + t_b, rtol=1e-12)
    only = pullback((None, c_h))  # no cotangent for the gradient
    np.testing.assert_allclose(only["w"], t_w, rtol=1e-12)


def sine_weighted(p, y):
    return np.sum(np.sin(p["x"]) * y)


def test_a_jvp_of_a_jvp_with_respect_to_its_container_and_its_tangent():
    """The outer JVP along (u, w) of (p, p_dot): d2f[t, u] + df[w] (it raised a WrtError
    listing the flat form's names, p_x and p_x_dot)."""
    p, y = {"x": np.array([0.3, 0.5])}, np.array([1.0, 2.0])
    t, u, w = {"x": np.ones(2)}, {"x": np.array([0.5, -1.0])}, {"x": np.array([2.0, 1.0])}
    inner = s2s.jvp(sine_weighted, wrt="p")
    (_, tangent), (moved, second) = s2s.jvp(inner, wrt=("p", "p_dot"))(p, y, t, u, w)
    x = p["x"]
    assert np.isclose(tangent, np.sum(np.cos(x) * y * t["x"]))
    assert np.isclose(moved, np.sum(np.cos(x) * y * u["x"]))
    expected = -np.sum(np.sin(x) * y * t["x"] * u["x"]) + np.sum(np.cos(x) * y * w["x"])
    assert np.isclose(second, expected, rtol=1e-12)


def test_a_gradient_with_respect_to_a_jvp_s_container_tangent_alone_is_refused_with_advice():
    """It raised an error located in the generated code (`p_dot` used whole)."""
    p, y, t = {"x": np.array([0.3, 0.5])}, np.array([1.0, 2.0]), {"x": np.ones(2)}
    inner = s2s.jvp(sine_weighted, wrt="p")
    with pytest.raises(s2s.NoRuleError, match="tangent `p_dot`") as info:
        s2s.grad(inner, wrt="p_dot")(p, y, t)
    assert "linear in its tangent" in info.value.advice


def pair_helper(xs):
    a, b = xs
    return np.sum(a * b + np.sin(a))


def through_a_list(x):
    return pair_helper([x, 2 * x])


def test_grad_of_a_function_calling_jvp_of_one_passing_a_list_to_a_helper():
    """grad of t -> jvp(f)(t, 1)[1] differentiates the helper's JVP with respect to the list
    and its tangent (it raised a WrtError naming xs_dot and the flat names); equals hvp."""
    x = 0.7
    got = s2s.grad(lambda t: s2s.jvp(through_a_list)(t, 1.0)[1])(x)
    assert np.isclose(got, s2s.hvp(through_a_list)(x, 1.0), rtol=1e-12)
    assert np.isclose(got, 2 * 2.0 * 1.0 - np.sin(x), rtol=1e-12)  # f = 2 x^2 + sin x
