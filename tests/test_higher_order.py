"""Higher order by transforming generated code (DESIGN 10): derivatives of derivatives.

``grad(grad(f))``, ``jvp(grad(f))``, ``grad`` of a function calling ``jvp(f)``, a derivative
object called inside a differentiated function, ``s2s.grad(f)`` used inside a helper, and
third order, each against central differences of the lower-order derivative. Reverse mode over
a derivative that keeps a tape (branches, loops) is refused with its line; forward over it works.
"""

from __future__ import annotations

import numpy as np
import pytest
import test_calls as calls
import test_control_flow as flow
from gradcheck import along, numeric_gradient

import s2s

RNG = np.random.default_rng(20260902)


def cubic_sine(x):
    return np.sin(x) * x**3


def test_grad_of_grad_and_third_order_of_a_scalar_function():
    g = s2s.grad(cubic_sine)
    gg = s2s.grad(g)
    ggg = s2s.grad(gg)
    x = 0.7
    second = -np.sin(x) * x**3 + 6 * x**2 * np.cos(x) + 6 * x * np.sin(x)
    assert gg(x) == pytest.approx(second, rel=1e-12)
    assert ggg(x) == pytest.approx(along(gg, x, 1.0, 1e-5), rel=1e-7)
    assert isinstance(gg(x), np.float64)


def mlp_loss(w1, w2, x):
    h = np.tanh(x @ w1)
    z = h @ w2
    return np.mean(np.log(1.0 + np.exp(-z * z)))


def test_jvp_of_grad_is_a_hessian_vector_product():
    w1, w2, x = RNG.normal(size=(4, 5)), RNG.normal(size=(5, 2)), RNG.normal(size=(3, 4))
    v = RNG.normal(size=(4, 5))
    grad = s2s.grad(mlp_loss)
    value, tangent = s2s.jvp(grad)(w1, w2, x, v)
    np.testing.assert_allclose(value, grad(w1, w2, x), rtol=1e-14)
    expected = along(lambda a: grad(a, w2, x), w1, v)
    np.testing.assert_allclose(tangent, expected, rtol=1e-6, atol=1e-9)
    assert tangent.shape == w1.shape and tangent.dtype == w1.dtype


def jvp_sum(x, v):
    return np.sum(s2s.jvp(cubic_sine)(x, v)[1])


def test_grad_of_a_function_calling_jvp():
    x, v = RNG.normal(size=3), RNG.normal(size=3)
    gx, gv = s2s.grad(jvp_sum, wrt=(0, 1))(x, v)
    for k in range(3):
        e = np.eye(3)[k]
        assert gx[k] == pytest.approx(float(along(lambda a: jvp_sum(a, v), x, e)), rel=1e-6)
        assert gv[k] == pytest.approx(float(along(lambda b: jvp_sum(x, b), v, e)), rel=1e-6)


scaled_sine_grad = s2s.grad(lambda v: np.sum(np.sin(v) * 2.0))


def calls_a_derivative_object(x):
    return np.sum(scaled_sine_grad(x) ** 2) + np.sum(x)


def makes_a_gradient_in_a_helper(x):
    return s2s.grad(mlp_loss, wrt="x")(x[:4, :5], np.ones((5, 2)), x[:3, :4] * 0.5)


def uses_a_helper_that_differentiates(x):
    return np.sum(makes_a_gradient_in_a_helper(x) ** 2)


@pytest.mark.parametrize(
    "f, x",
    [
        (calls_a_derivative_object, RNG.normal(size=3)),
        (uses_a_helper_that_differentiates, RNG.normal(size=(4, 5))),
        (calls.network, None),
    ],
    ids=["a derivative object called inside", "s2s.grad(f) in a helper", "helpers"],
)
def test_second_order_through_calls(f, x):
    if x is None:  # network: several arguments, helpers with keywords and recursion
        args = (RNG.normal(size=(2, 3)), RNG.normal(size=(3, 3)), RNG.normal(size=(3, 2)))
        s2s.check_grad(f, *args, wrt=(0, 1, 2), modes=("fwd",), order=2)
        return
    s2s.check_grad(f, x, order=2)


def test_forward_over_reverse_through_branches_and_loops():
    args = (RNG.normal(size=3), RNG.normal(size=3), RNG.normal(size=(5, 3)))
    s2s.check_grad(flow.rnn, *args, wrt=(0, 1, 2), modes=("fwd",), order=2)
    s2s.check_grad(flow.branches, RNG.normal(size=3), 0.7, wrt=(0, 1), modes=("fwd",), order=2)


def test_reverse_over_a_derivative_with_a_tape_agrees_with_the_analytic_derivatives():
    """The gradient of a while loop pushes onto its tape and pops; reverse mode over it undoes
    each pop by an append (and each append by a pop), to any order: sqrt(a) to third order."""
    a = 2.0
    second = s2s.grad(s2s.grad(flow.newton_sqrt))(a)
    third = s2s.grad(s2s.grad(s2s.grad(flow.newton_sqrt)))(a)
    np.testing.assert_allclose(second, -0.25 * a**-1.5, rtol=1e-10)
    np.testing.assert_allclose(third, 0.375 * a**-2.5, rtol=1e-10)
    s2s.check_grad(flow.rnn, *(RNG.normal(size=3), RNG.normal(size=3), RNG.normal(size=(5, 3))),
                   wrt=(0, 1, 2), modes=("rev",), order=2)  # fmt: skip
    s2s.check_grad(flow.branches, RNG.normal(size=3), 0.7, wrt=(0, 1), modes=("rev",), order=2)


def test_the_derivative_being_differentiated_is_generated_without_in_place_updates():
    grad = s2s.grad(mlp_loss, wrt=(0, 1))
    w1, w2, x = RNG.normal(size=(4, 5)), RNG.normal(size=(5, 2)), RNG.normal(size=(3, 4))
    grad(w1, w2, x)
    first_order = grad.source
    twin = grad._functional_twin
    assert twin is None or twin.options.functional
    s2s.jvp(grad, wrt=(0, 1))(w1, w2, x, w1, w2)
    functional = grad._functional_twin.source
    assert "+=" not in functional and "_s2s.into" not in functional and "del " not in functional
    assert "del " in first_order  # the first-order derivative still frees and reuses memory
    assert grad._functional_twin.options != grad.options  # a separate cache entry


def test_a_vjp_derivative_cannot_be_differentiated():
    with pytest.raises(s2s.NoRuleError, match="returns a pullback function"):
        s2s.grad(s2s.vjp(cubic_sine))


def gradient_norm_through_a_pullback(x):
    _, pullback = s2s.vjp(cubic_sine)(x)
    gx = pullback(1.0)  # the pullback is a closure over x: a data path its argument hides
    return np.sum(gx**2)


def test_a_pullback_called_inside_a_differentiated_function_is_refused_not_zero():
    """grad of a function that calls a vjp's pullback came back all zeros (the call's
    arguments carry no gradient; the closure does); found by a helper's try."""
    with pytest.raises(s2s.NoRuleError, match="`pullback` is a function made from values") as info:
        s2s.grad(gradient_norm_through_a_pullback)(np.array([0.3, 0.7, -1.2]))
    assert info.value.where.lineno == gradient_norm_through_a_pullback.__code__.co_firstlineno + 2
    assert "s2s.grad(f)(x)" in info.value.advice


def product_with_sine(a, b):
    return a * np.sin(b)


def test_a_pullback_of_two_arguments_differentiated_in_its_cotangent():
    """The VJP of ``pullback_of(f, ("a", "b"))`` (two outputs) in its cotangent too: its own
    parameter ``cotangent`` is rebound (``cotangent = check_cotangent(cotangent, ...)``) and
    that new name was the added seed's, ``cotangent_2``, so the seed was lost (CotangentError;
    found by the second derivative of np.vectorize). Checked against the exact Jacobian."""
    from s2s.runtime import pullback_of

    first = pullback_of(product_with_sine, ("a", "b"))  # (c, a, b) -> (c sin b, c a cos b)
    second = pullback_of(first, ("cotangent", "a", "b"))
    c, a, b, u, v = 1.5, 2.0, 0.5, 0.3, -0.7
    dc, da, db = second((u, v), c, a, b)
    assert dc == pytest.approx(u * np.sin(b) + v * a * np.cos(b), rel=1e-15)
    assert da == pytest.approx(v * c * np.cos(b), rel=1e-15)
    assert db == pytest.approx(u * c * np.cos(b) - v * c * a * np.sin(b), rel=1e-15)


def _trace_squared(a):
    return np.einsum("ii", a) ** 2


def _sum_squared(a):
    return np.einsum("ij->", a) ** 2


def _transpose_cubed(a):
    return np.sum(np.einsum("ij->ji", a) ** 3)


def _diagonal_cubed(a):
    return np.sum(np.einsum("ii->i", a) ** 3)


def _contraction(a):
    return np.sum(np.einsum("ij,jk->ik", a, np.sin(a)) ** 2)


@pytest.mark.parametrize(
    "f", [_trace_squared, _sum_squared, _transpose_cubed, _diagonal_cubed, _contraction]
)
def test_reverse_over_reverse_through_einsum_with_one_operand(f):
    """The adjoint of einsum's adjoint in its operands (``einsum_second``) has no term for a
    single operand: it gave ``None``, which the generated pullback added to (NaN, or a
    TypeError); zeros now. Against central differences of the gradient and against hvp."""
    a = RNG.normal(size=(3, 3))
    u = RNG.normal(size=(3, 3))
    gradient = s2s.grad(f)
    second = s2s.grad(lambda z: np.sum(gradient(z) * u))(a)
    np.testing.assert_allclose(second, along(gradient, a, u, 1e-5), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(second, s2s.hvp(f)(a, u), rtol=1e-10, atol=1e-12)


def sines_in_a_loop(x):
    s = 0.0
    for i in range(3):
        s = s + np.sum(np.sin(x * (i + 1))) * x[0]
    return s


HVP_OF_LOOP = s2s.jvp(s2s.grad(sines_in_a_loop))
WEIGHTS_3 = np.array([0.2, 0.4, -0.1])


def weighted_hvp_of_loop(z):
    return np.sum(WEIGHTS_3 * HVP_OF_LOOP(z, np.array([0.5, -1.0, 0.25]))[1])


def test_third_order_through_a_loop_by_forward_over_forward_over_reverse_and_reverse_over_it():
    """jvp(jvp(grad(f))) and grad of a function of jvp(grad(f)) for f with a loop (the tangent
    of the gradient's tape is a list s2s makes, `_s2s.zero_tangent(tape)`), against central
    differences of jvp(grad(f))."""
    x, v, u = np.array([0.3, -0.6, 0.9]), np.array([0.5, -1.0, 0.25]), np.array([1.0, 0.3, -0.7])
    third = s2s.jvp(s2s.jvp(s2s.grad(sines_in_a_loop)))(x, v, u)[1][1]
    fd = along(lambda y: HVP_OF_LOOP(y, v)[1], x, u, 1e-5)
    np.testing.assert_allclose(third, fd, rtol=1e-7, atol=1e-8)
    grad3 = s2s.grad(weighted_hvp_of_loop)(x)
    fd3 = numeric_gradient(weighted_hvp_of_loop, (x,), 0, 1e-5)
    np.testing.assert_allclose(grad3, fd3, rtol=1e-7, atol=1e-8)


A_23, B_34, C_42 = RNG.normal(size=(2, 3)), RNG.normal(size=(3, 4)), RNG.normal(size=(4, 2))


def _einsum_scaled(x):
    return np.sum(np.sin(np.einsum("ij,jk->ik", x * A_23, np.cos(x) * B_34)))


def _multi_dot_scaled(x):
    return np.sum(np.sin(np.linalg.multi_dot([x * A_23, np.cos(x) * B_34, C_42])))


def _wavy(a, b):
    return a * np.sin(b * a) + b * b


WAVY = np.vectorize(_wavy)


def _vectorized_scaled(x):
    return np.sum(WAVY(x * A_23, np.cos(x) * B_34[:, 0]))


@pytest.mark.parametrize("f", [_einsum_scaled, _multi_dot_scaled, _vectorized_scaled])
def test_third_order_through_einsum_multi_dot_and_vectorize(f):
    """grad of grad of grad, jvp of grad of grad, and both over jvp of grad: the derivatives
    of einsum's and multi_dot's second-order helpers are those of their plain twins
    (np.einsum and multi_dot again), numpy.vectorize's each call's VJP differentiated twice
    (and its two parts read from a nested list, [d_g, [d_x, d_y]], scattered, not added:
    `+=` on the list concatenated and lost a part). Against central differences of the second
    derivative."""
    second = s2s.grad(s2s.grad(f))
    x = 0.7
    expected = along(second, x, 1.0, 1e-5)
    assert s2s.grad(second)(x) == pytest.approx(expected, rel=1e-7)
    assert s2s.jvp(second)(x, 1.0)[1] == pytest.approx(expected, rel=1e-7)
    forward = s2s.jvp(s2s.grad(f))

    def second_forward(z):
        return forward(z, 1.0)[1]

    assert s2s.grad(second_forward)(x) == pytest.approx(expected, rel=1e-7)
    assert s2s.jvp(second_forward)(x, 1.0)[1] == pytest.approx(expected, rel=1e-7)


def _multi_dot_constants(a):
    return np.sum(np.sin(np.linalg.multi_dot([a, B_34, C_42])))


def test_reverse_over_reverse_through_multi_dot_with_constant_arrays():
    """The adjoint of multi_dot's adjoint in the arrays (``multi_dot_second``) has no term for
    an array with no cotangent: it gave ``None``, which unbroadcast read as NaN (a gradient of
    NaN with a warning); zeros now. Against differences of the gradient and against hvp."""
    a, u = RNG.normal(size=(2, 3)), RNG.normal(size=(2, 3))
    gradient = s2s.grad(_multi_dot_constants)
    second = s2s.grad(lambda z: np.sum(gradient(z) * u))(a)
    np.testing.assert_allclose(second, along(gradient, a, u, 1e-5), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(second, s2s.hvp(_multi_dot_constants)(a, u), rtol=1e-10)


def quartic(t):
    return t**4


def test_a_derivative_of_a_derivative_is_exact():
    # d^2/dt^2 t^4 = 12 t^2, and the VJP of the gradient agrees
    assert s2s.grad(s2s.grad(quartic))(1.5) == 12 * 1.5**2
    value, pullback = s2s.vjp(s2s.grad(quartic))(1.5)
    assert value == 4 * 1.5**3 and pullback(2.0) == 2.0 * 12 * 1.5**2
