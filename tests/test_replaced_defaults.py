"""A function's defaults replaced after its derivative was made (``f.__defaults__ = (3.0,)``,
``f.__kwdefaults__ = {...}``): calling ``f`` uses the new ones, so its derivative must too,
whether ``f`` is differentiated itself or called as a helper. The derivative bound calls with
the signature it was made with and gave the old default's derivative, silently."""

import numpy as np

import s2s


def scaled_square(x, scale=2.0):
    return scale * x**2


def through_helper(x):
    return np.sum(scaled_square(x))


def cubic(x, a=2.0, *, b=1.0):
    return np.sum(a * b * x**3)


def restore(function, defaults, kwdefaults=None):
    function.__defaults__ = defaults
    function.__kwdefaults__ = kwdefaults


def test_a_helper_s_replaced_default_is_used_by_a_derivative_made_before():
    x = np.array([1.0, 2.0])
    gradient = s2s.grad(through_helper)
    assert np.allclose(gradient(x), 4.0 * x, rtol=1e-12)
    try:
        scaled_square.__defaults__ = (10.0,)
        assert np.allclose(gradient(x), 20.0 * x, rtol=1e-12)
        assert np.allclose(s2s.grad(through_helper)(x), 20.0 * x, rtol=1e-12)  # a new one too
    finally:
        restore(scaled_square, (2.0,))
    assert np.allclose(gradient(x), 4.0 * x, rtol=1e-12)


def test_replaced_defaults_in_each_mode():
    """grad, jvp, vjp, hvp and a derivative of a derivative, each made before the defaults
    (positional and keyword-only) changed: d/dx sum(a b x^3) = 3 a b x^2."""
    x, v = np.array([1.0, 2.0]), np.array([1.0, -0.5])
    made = {
        "grad": s2s.grad(cubic),
        "jvp": s2s.jvp(cubic),
        "vjp": s2s.vjp(cubic),
        "hvp": s2s.hvp(cubic),
        "grad_a": s2s.grad(cubic, wrt="a"),
    }
    for name, derivative in made.items():  # each generated once with the old defaults
        derivative(x, v) if name in ("jvp", "hvp") else derivative(x)
    try:
        cubic.__defaults__ = (3.0,)
        cubic.__kwdefaults__ = {"b": 2.0}
        ab = 6.0
        assert np.allclose(made["grad"](x), 3 * ab * x**2, rtol=1e-12)
        value, tangent = made["jvp"](x, v)
        assert np.isclose(value, ab * np.sum(x**3))
        assert np.isclose(tangent, np.dot(3 * ab * x**2, v))
        value, pullback = made["vjp"](x)
        assert np.isclose(value, ab * np.sum(x**3))
        assert np.allclose(pullback(1.0), 3 * ab * x**2, rtol=1e-12)
        assert np.allclose(made["hvp"](x, v), 6 * ab * x * v, rtol=1e-12)
        assert np.isclose(made["grad_a"](x), 2.0 * np.sum(x**3))  # b * sum(x^3)
    finally:
        restore(cubic, (2.0,), {"b": 1.0})


def test_a_derivative_of_a_derivative_sees_replaced_defaults():
    x = np.array([1.0, 2.0])
    hessian_trace = s2s.grad(lambda x: np.sum(s2s.grad(cubic)(x)))
    assert np.allclose(hessian_trace(x), 12.0 * x, rtol=1e-12)  # 6 a b x
    try:
        cubic.__defaults__ = (3.0,)
        assert np.allclose(hessian_trace(x), 18.0 * x, rtol=1e-12)
    finally:
        restore(cubic, (2.0,), {"b": 1.0})
