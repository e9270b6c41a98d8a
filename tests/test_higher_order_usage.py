"""A fresh user's tour of the forward and second-order API (``jvp``, ``hvp``, ``hessp``,
``hessian``, ``jacobian``, ``check_grad``), and what it found.

- Functions with ``*args``: ``hessian`` and a forward ``jacobian`` passed the tangent by keyword
  after the positional arguments (``TypeError: multiple values for 'x_dot'``); a derivative of a
  function with an unused ``*rest`` could not be differentiated again. Both work now, checked
  against central differences.
- Differentiating an ``hvp``, ``hessp``, ``hessian`` or ``jacobian`` object raised
  ``SourceUnavailableError`` (or a ``NoRuleError`` naming ``f``); now a located ``NoRuleError``
  whose advice names the ``grad``/``jvp`` derivative to differentiate, and that advice works.
- Messages: check_grad advised a nonexistent ``allow_int=True``; a wrong tangent named the
  ``def`` line, not the call; ``hessp`` called its direction "the tangent of x"; jvp's
  disconnected message lacked the metadata note grad gives.
"""

from __future__ import annotations

import copy
import pickle
import warnings

import numpy as np
import pytest
from gradcheck import along, numeric_gradient
from located import assert_located

import s2s

RNG = np.random.default_rng(20261206)
X = np.array([0.7, -1.3, 2.1])
V = np.array([0.5, 1.5, -0.25])


def scaled_cubes(x, *args):
    return np.sum(np.sin(x) * x**2) * args[0] + args[1]


def ignores_rest(x, *rest):
    return np.sum(np.cos(x) * x**3)


def columns_of(g, x, h=1e-6):
    """The Jacobian of ``g`` at ``x`` by central differences, column by column."""
    return np.stack([along(g, x, e, h) for e in np.eye(x.size)], axis=-1)


# -- B: *args -----------------------------------------------------------------------------------


def test_hessian_and_forward_jacobian_of_a_function_with_args():
    gradient = s2s.grad(scaled_cubes)
    expected = columns_of(lambda x: gradient(x, 2.0, 1.0), X)
    hessian = s2s.hessian(scaled_cubes)(X, 2.0, 1.0)
    np.testing.assert_allclose(hessian, expected, rtol=1e-6, atol=1e-8)
    jacobian = s2s.jacobian(lambda x, *a: np.sin(x) * a[0], mode="forward")(X, 3.0)
    np.testing.assert_allclose(jacobian, np.diag(3.0 * np.cos(X)), rtol=1e-14)
    hv = s2s.hvp(scaled_cubes)(X, V, 2.0, 1.0)  # the direction after x, before *args
    np.testing.assert_allclose(hv, expected @ V, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2s.hessp(scaled_cubes)(X, V, 2.0, 1.0), hv, rtol=1e-14)


def test_second_derivatives_of_a_function_with_an_unused_rest():
    gradient = s2s.grad(ignores_rest)
    expected = columns_of(gradient, X)
    np.testing.assert_allclose(s2s.hessian(ignores_rest)(X), expected, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2s.hessian(ignores_rest)(X, 1.0, "a"), expected, rtol=1e-6,
                               atol=1e-8)  # fmt: skip
    np.testing.assert_allclose(s2s.hvp(ignores_rest)(X, V), expected @ V, rtol=1e-6, atol=1e-8)
    second = s2s.grad(s2s.grad(ignores_rest))
    assert second(0.7) == pytest.approx(along(s2s.grad(ignores_rest), 0.7, 1.0), rel=1e-6)
    reverse = s2s.jacobian(gradient, mode="reverse")(X, 4.0)
    np.testing.assert_allclose(reverse, expected, rtol=1e-6, atol=1e-8)


# -- C: derivatives of composites ---------------------------------------------------------------


def sine_loss(x):
    return np.sum(np.sin(x) * x**2)


HESSIAN = s2s.hessian(sine_loss)


def calls_hvp_inline(x):
    return np.sum(s2s.hvp(sine_loss)(x, V))  # MARK: inline


def calls_module_hessian(x):
    return np.sum(HESSIAN(x))  # MARK: module


@pytest.mark.parametrize(
    "make, advice",
    [
        (lambda: s2s.grad(s2s.hessian(sine_loss)), "s2s.jacobian(s2s.grad(f))"),
        (lambda: s2s.jvp(s2s.hvp(sine_loss)), "s2s.jvp(s2s.grad(f))"),
        (lambda: s2s.jacobian(s2s.hvp(sine_loss)), "s2s.jacobian(s2s.jvp(s2s.grad(f)))"),
        (lambda: s2s.hvp(s2s.jacobian(sine_loss)), "differentiate s2s.jvp(f) instead"),
        (lambda: s2s.jvp(s2s.hessp(sine_loss)), "s2s.jvp(s2s.grad(f))"),
        (lambda: s2s.hessian(s2s.hvp(sine_loss)), "s2s.jvp(s2s.jvp(s2s.grad(f)))"),
    ],
    ids=["grad(hessian)", "jvp(hvp)", "jacobian(hvp)", "hvp(jacobian)", "jvp(hessp)",
         "hessian(hvp)"],  # fmt: skip
)
def test_differentiating_a_composite_is_refused_with_what_to_write(make, advice):
    with pytest.raises(s2s.NoRuleError) as info:
        make()  # MARK: make
    assert_located(info.value, make, "lambda", "calls derivatives in Python", advice)


def test_check_grad_of_a_composite_is_refused_at_the_call():
    with pytest.raises(s2s.NoRuleError) as info:
        s2s.check_grad(s2s.hvp(sine_loss), X, V)  # MARK: check
    assert_located(info.value, test_check_grad_of_a_composite_is_refused_at_the_call,
                   "# MARK: check", "s2s.jvp(s2s.grad(f))")  # fmt: skip


def test_a_composite_called_inside_a_differentiated_function_is_its_jvp_differentiated():
    """An ``hvp`` or ``hessian`` object called inside (they were refused at the call): the
    caller's gradient is the third derivative the advice wrote out,
    ``s2s.jacobian(s2s.jvp(s2s.grad(f)))``, and differences of the caller."""
    _, d_hv = s2s.jacobian(s2s.jvp(s2s.grad(sine_loss)), mode="forward")(X, V)
    np.testing.assert_allclose(s2s.grad(calls_hvp_inline)(X), d_hv.sum(axis=0), rtol=1e-12)
    got = s2s.grad(calls_module_hessian)(X)
    np.testing.assert_allclose(got, numeric_gradient(calls_module_hessian, (X,), 0), rtol=1e-6)


def test_hessian_of_a_gradient_says_what_to_write():
    with pytest.raises(s2s.NonScalarOutputError) as info:
        s2s.hessian(s2s.grad(sine_loss))(X)  # MARK: hessian of grad
    assert_located(info.value, test_hessian_of_a_gradient_says_what_to_write,
                   "# MARK: hessian of grad", "s2s.jacobian(s2s.grad(f))")  # fmt: skip
    assert "; jvp of a derivative needs" not in str(info.value)  # one sentence, not two


def test_the_advised_derivatives_work():
    """What the advice says to write: the derivative of ``H v`` by ``x`` as
    ``s2s.jacobian(s2s.jvp(s2s.grad(f)))``'s second item, against central differences."""
    product = s2s.hvp(sine_loss)
    _, d_hv = s2s.jacobian(s2s.jvp(s2s.grad(sine_loss)), mode="forward")(X, V)
    np.testing.assert_allclose(d_hv, columns_of(lambda x: product(x, V), X), rtol=1e-6,
                               atol=1e-8)  # fmt: skip
    (_, hv), (_, third) = s2s.jvp(s2s.jvp(s2s.grad(sine_loss)))(X, V, V)
    np.testing.assert_allclose(hv, product(X, V), rtol=1e-14)
    np.testing.assert_allclose(third, along(lambda x: product(x, V), X, V), rtol=1e-6)


# -- D: messages --------------------------------------------------------------------------------


def scaled(x, n):
    return np.sum(x**2) * n


def test_check_grad_refuses_an_integer_argument_at_the_call_without_allow_int():
    with pytest.raises(s2s.DtypeError) as info:
        s2s.check_grad(scaled, X, 3, wrt=(0, 1))  # MARK: int
    test = test_check_grad_refuses_an_integer_argument_at_the_call_without_allow_int
    assert_located(info.value, test, "# MARK: int", "float(n)", "out of wrt=")
    assert "allow_int" not in str(info.value)  # check_grad has no such option
    with pytest.raises(s2s.DtypeError) as info:
        s2s.check_grad(scaled, np.arange(3), 2.0)  # MARK: array
    assert_located(info.value, test, "# MARK: array", "x.astype(float)")
    s2s.check_grad(scaled, X, 3)  # an integer argument outside wrt is fine


def test_a_gradient_check_error_has_no_bare_advice_and_survives_pickling():
    error = s2s.GradientCheckError("values differ", None, " ", mode="rev", order=1,
                                   analytic=1.0, numeric=2.0)  # fmt: skip
    assert "Advice" not in str(error)
    for again in (pickle.loads(pickle.dumps(error)), copy.copy(error)):
        assert str(again) == str(error)
        assert (again.mode, again.order, again.analytic, again.numeric) == ("rev", 1, 1.0, 2.0)


def test_a_wrong_tangent_is_reported_at_the_call():
    test = test_a_wrong_tangent_is_reported_at_the_call
    with pytest.raises(s2s.TangentError) as info:
        s2s.jvp(sine_loss)(X, np.ones(2))  # MARK: jvp shape
    assert_located(info.value, test, "# MARK: jvp shape", "inspect.signature")
    with pytest.raises(s2s.TangentError) as info:
        s2s.jvp(sine_loss)(X, np.ones(3, int))  # MARK: jvp dtype
    assert_located(info.value, test, "# MARK: jvp dtype", "x_dot.astype(x.dtype)")
    with pytest.raises(s2s.TangentError) as info:
        s2s.hvp(sine_loss)(X, np.ones(4))  # MARK: hvp
    assert_located(info.value, test, "# MARK: hvp", "shape of `x`")


def test_hessp_names_its_direction_p():
    test = test_hessp_names_its_direction_p
    with pytest.raises(s2s.TangentError) as info:
        s2s.hessp(scaled)(X, np.ones(4), 2.0)  # MARK: shape
    assert_located(info.value, test, "# MARK: shape", "hessp(x, p, *args)")
    assert "direction `p` has shape (4,)" in str(info.value)
    assert "tangent of `x`" not in str(info.value)
    with pytest.raises(s2s.TangentError, match="direction `p` has dtype complex128"):
        s2s.hessp(scaled)(X, X + 1j, 2.0)
    hp = s2s.hessp(scaled)(X, np.array([1, 0, 0]), 2.0)  # an integer p, as trust-constr probes
    np.testing.assert_allclose(hp, [4.0, 0.0, 0.0], rtol=1e-14)


def count_positive(x):
    return np.sum(x > 0)


def shape_only(x):
    return x.shape[0]


def twice(x, n):
    return n * 2


@pytest.mark.parametrize("fn, args", [(count_positive, ()), (shape_only, ()), (twice, (3,))])
@pytest.mark.parametrize("policy", ["zero", "none", "warn", "raise"])
def test_jvp_treats_an_integer_output_as_vjp_does_under_each_disconnected_policy(fn, args, policy):
    """An integer output reached through a comparison has a zero tangent under every policy (as
    its cotangent pulls back to zeros); one with no data path follows ``disconnected=``, as
    in vjp, with the same message (the use for a shape named)."""

    def run(call):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                return call(), [str(w.message) for w in caught]
            except s2s.DisconnectedGradientError as exc:
                return exc.message, [str(w.message) for w in caught]

    def pulled_back():
        value, pullback = s2s.vjp(fn, disconnected=policy)(X, *args)
        return pullback(np.ones(np.shape(value)))

    forward, said_forward = run(lambda: s2s.jvp(fn, disconnected=policy)(X, *args, X)[1])
    reverse, said_reverse = run(pulled_back)
    assert said_forward == said_reverse
    if isinstance(reverse, str):  # raised: the same message
        assert forward == reverse
    elif reverse is None:
        assert forward is None
    else:
        assert np.all(np.asarray(reverse) == 0) and np.all(np.asarray(forward) == 0)
        assert np.shape(forward) == np.shape(fn(X, *args))


def two_scalars(x, y):
    return np.sin(x * y) + x**3 * y**2


def loss_and_aux(x):
    return np.sin(x) * x, x * 2


def test_grad_of_a_derivative_returning_one_gradient_per_argument_names_it():
    # (fresh-301) it said "the function returns a tuple", at the user's scalar return
    both = s2s.grad(two_scalars, wrt=("x", "y"))
    with pytest.raises(s2s.UnsupportedSyntaxError) as caught:
        s2s.grad(both, wrt=("x", "y"))(0.7, -1.2)
    message = str(caught.value)
    assert "the gradient of two_scalars with respect to x, y returns a tuple" in message
    assert "s2s.hessian" in message
    row = s2s.grad(s2s.grad(two_scalars, wrt="x"), wrt=("x", "y"))(0.7, -1.2)
    hessian = s2s.hessian(two_scalars, wrt=("x", "y"))(0.7, -1.2)
    np.testing.assert_allclose(row, [hessian[0][0], hessian[0][1]], rtol=1e-12)


def test_a_tuple_output_advises_value_and_grad_for_an_auxiliary_value():
    # grad has no has_aux: the advice named an option it refuses
    with pytest.raises(s2s.UnsupportedSyntaxError, match=r"value_and_grad\(f, has_aux=True\)"):
        s2s.grad(loss_and_aux)(0.7)
    value, gradient = s2s.value_and_grad(loss_and_aux, has_aux=True)(0.7)
    assert gradient == pytest.approx(np.cos(0.7) * 0.7 + np.sin(0.7), rel=1e-12)


def test_a_jvp_given_too_many_arguments_shows_its_signature():
    # it said "two_scalars(): too many positional arguments", naming f's signature
    derivative = s2s.jvp(s2s.grad(two_scalars, wrt=("x", "y")))
    with pytest.raises(TypeError, match=r"\(x, y, x_dot\)") as caught:
        derivative(0.7, -1.2, 1.0, 0.0)
    assert isinstance(caught.value, s2s.UsageError)
    assert f"{__file__}:" in str(caught.value)  # the caller's line


def only_y(x, y):
    return y * y


@pytest.mark.parametrize("policy", ["raise", "none", "warn"])
def test_a_second_derivative_by_an_argument_the_gradient_does_not_read_is_disconnected(policy):
    # (fresh-301) the gradient's code passes x to `_s2s.gradient(d_y, y, (x, y))` for its
    # aliasing check only; that read counted as a data path, so every policy gave 0.0
    derivative = s2s.grad(s2s.grad(only_y, wrt="y"), wrt="x", disconnected=policy)
    if policy == "raise":
        with pytest.raises(s2s.DisconnectedGradientError, match="does not depend on `x`"):
            derivative(0.7, 0.3)
    elif policy == "none":
        assert derivative(0.7, 0.3) is None
    else:
        with pytest.warns(UserWarning, match="does not depend on `x`"):
            assert derivative(0.7, 0.3) == 0.0


def with_an_undefined_term(x):
    return np.sin(x) + s2s.undefined_grad(x * x, "no derivative here")


def test_the_derivative_of_a_nan_gradient_is_nan():
    # (fresh-301) undefined="nan" makes the gradient NaN; its derivative gave -sin(x), the
    # derivative of the defined term alone
    first = s2s.grad(with_an_undefined_term, undefined="nan")
    assert np.isnan(first(0.7))
    assert np.isnan(s2s.grad(first)(0.7))
    assert np.isnan(s2s.hessian(with_an_undefined_term, undefined="nan")(0.7))
    assert np.isnan(s2s.grad(first, disconnected="warn")(0.7))  # the reverse sweep


def weighted_square(p):
    return np.sum(p[0] ** 2 * p[1])


def scaled_by_square(p):
    return p[0] * p[1] ** 2


def test_hessian_and_jacobian_of_a_flat_tuple_argument():
    # (fresh-302) a flat tuple went to the blocks as one array: TypeError / ValueError
    a, b = np.array([1.0, 2.0]), np.array([3.0, -1.0])
    by_tuple = s2s.hessian(weighted_square)((a, b))
    by_list = s2s.hessian(weighted_square)([a, b])
    for i in range(2):
        for j in range(2):
            np.testing.assert_allclose(by_tuple[i][j], by_list[i][j], rtol=1e-15)
    np.testing.assert_allclose(by_tuple[0][0], np.diag(2 * b), rtol=1e-15)
    np.testing.assert_allclose(by_tuple[0][1], np.diag(2 * a), rtol=1e-15)
    numbers = s2s.hessian(lambda q: q[0] ** 2 * q[1] ** 3)((1.0, 3.0))
    np.testing.assert_allclose(np.array(numbers, dtype=float), [[54.0, 54.0], [54.0, 18.0]])
    for mode in ("forward", "reverse", "auto"):
        d_first, d_second = s2s.jacobian(scaled_by_square, mode=mode)((np.array([1.0, 2.0]), 0.5))
        np.testing.assert_allclose(d_first, 0.25 * np.eye(2), rtol=1e-15)
        np.testing.assert_allclose(d_second, [1.0, 2.0], rtol=1e-15)
