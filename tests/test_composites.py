"""``hvp``, ``hessian``, ``jacobian`` (shapes follow JAX: output shape + input shape) and
``check_grad`` (analytic against numeric, side by side when they disagree)."""

from __future__ import annotations

import inspect
import pickle
from dataclasses import dataclass

import numpy as np
import pytest
from gradcheck import along
from located import assert_located

import s2s
from s2s import d

RNG = np.random.default_rng(20260903)


def quartic(x, a):
    return np.sum((x * x - a) ** 2) + np.sum(np.outer(x, x) * 0.25)


def hand_hessian(x, a):
    """d^2/dx^2 of quartic: diag(12 x^2 - 4 a) + 0.5 (the outer term's symmetric part)."""
    return np.diag(12 * x * x - 4 * a) + 0.5 * np.ones((len(x), len(x)))


def test_hvp_is_the_hessian_times_the_direction_without_forming_it():
    x, a, v = RNG.normal(size=4), 0.3, RNG.normal(size=4)
    product = s2s.hvp(quartic)
    np.testing.assert_allclose(product(x, a, v), hand_hessian(x, a) @ v, rtol=1e-12)
    assert product.mode == "hvp" and "jvp_d_quartic" in product.source
    assert "hessian" not in product.source.lower()  # never forms the matrix


def test_hessian_shapes_follow_jax_for_one_and_several_arguments():
    x, a = RNG.normal(size=4), 0.3
    np.testing.assert_allclose(s2s.hessian(quartic)(x, a), hand_hessian(x, a), rtol=1e-12)

    def bilinear(x, y):
        return np.sum(np.tanh(x)[:, None] * y)

    x, y = RNG.normal(size=3), RNG.normal(size=(3, 2))
    (hxx, hxy), (hyx, hyy) = s2s.hessian(bilinear, wrt=(0, 1))(x, y)
    assert hxx.shape == (3, 3) and hxy.shape == (3, 3, 2)
    assert hyx.shape == (3, 2, 3) and hyy.shape == (3, 2, 3, 2)
    np.testing.assert_allclose(hxy, np.transpose(hyx, (2, 0, 1)), rtol=1e-12)
    np.testing.assert_array_equal(hyy, 0.0)


def vector_out(x):
    return np.tanh(x) * 2.0


def test_hessian_of_a_non_scalar_function_is_refused_with_its_line_and_advice():
    with pytest.raises(s2s.NonScalarOutputError, match="hessian needs a function") as info:
        s2s.hessian(vector_out)(np.ones(3))
    assert "the function returned a ndarray of shape (3,)" in str(info.value)
    assert "test_composites.py" in str(info.value) and "s2s.jacobian" in str(info.value)
    with pytest.raises(s2s.NonScalarOutputError, match="hvp needs"):
        s2s.hvp(vector_out)(np.ones(3), np.ones(3))


def pair_out(x):
    return np.sum(x), np.sum(x**2)  # MARK: pair


def test_hessian_of_a_tuple_output_names_hessian_and_the_return_line():
    for make, what in ((s2s.hessian, "hessian"), (s2s.hvp, "hvp")):
        args = (np.ones(3),) if what == "hessian" else (np.ones(3), np.ones(3))
        with pytest.raises(s2s.S2SError) as info:
            make(pair_out)(*args)
        assert_located(info.value, pair_out, "# MARK: pair", f"{what} needs a single scalar")
        assert "s2s.jacobian" in str(info.value)


def test_hessp_of_a_non_scalar_function_names_hessp():
    """The refusal names the object called (was "hvp needs ..." from hessp's inner hvp)."""
    with pytest.raises(s2s.NonScalarOutputError) as info:
        s2s.hessp(vector_out)(np.ones(3), np.ones(3))
    assert_located(info.value, vector_out, 1, "hessp needs a function", "s2s.jacobian")
    assert "hvp" not in str(info.value).split("Advice")[0]
    with pytest.raises(s2s.S2SError) as info:
        s2s.hessp(pair_out)(np.ones(3), np.ones(3))
    assert_located(info.value, pair_out, "# MARK: pair", "hessp needs a single scalar")


def two_args(w, x):
    return np.sum(np.sin(w) * x)


def test_a_missing_tangent_is_a_located_usage_error_naming_the_call():
    """A forward-mode call without its tangent is refused at the caller's line, naming the
    call, the tangent and the signature that places it (was f's plain TypeError)."""
    w, x = np.ones(3), np.full(3, 2.0)
    with pytest.raises(s2s.UsageError) as info:
        s2s.jvp(two_args)(w, x)  # MARK: jvp
    assert_located(info.value, test_a_missing_tangent_is_a_located_usage_error_naming_the_call,
                   "# MARK: jvp", "<s2s.jvp of two_args", "'w_dot'", "(w, x, w_dot)",
                   "after f's parameters that have no default")  # fmt: skip
    assert isinstance(info.value, TypeError)  # as calling f without an argument would
    with pytest.raises(s2s.UsageError) as info:
        s2s.hvp(two_args)(w, x)  # MARK: hvp
    assert_located(info.value, test_a_missing_tangent_is_a_located_usage_error_naming_the_call,
                   "# MARK: hvp", "<s2s.hvp of two_args", "'w_dot'")  # fmt: skip
    with pytest.raises(s2s.UsageError) as info:
        s2s.jvp(s2s.grad(two_args), wrt=(0, 1))(w, x, w)  # MARK: two
    assert_located(info.value, test_a_missing_tangent_is_a_located_usage_error_naming_the_call,
                   "# MARK: two", "'x_dot'", "(w, x, w_dot, x_dot)")  # fmt: skip
    with pytest.raises(TypeError, match=r"two_args\(\): missing a required argument: 'x'"):
        s2s.grad(two_args)(w)  # a missing primal argument: f's own TypeError, as before
    _, tangent = s2s.jvp(two_args)(w, x, w_dot=x)  # by name
    assert tangent == pytest.approx(np.sum(np.cos(w) * x * x), rel=1e-12)


def test_hvp_of_a_derivative_with_a_non_scalar_output_names_the_callers_line():
    """grad(f) returns an array: hvp of it is refused at the user's line, not at a line of
    the generated gradient."""
    with pytest.raises(s2s.NonScalarOutputError, match="hvp needs") as info:
        s2s.hvp(s2s.grad(lambda x: np.sum(x**3)))(np.ones(3), np.ones(3))
    assert info.value.where.filename == __file__ and "s2s.jacobian" in str(info.value)


def cubes(p):
    return np.sum(p["w"] ** 3) + np.sum(p["b"] ** 2)


def test_a_wrong_tangent_of_a_container_leaf_names_the_leaf_as_written():
    """A direction of a parameter container: a leaf's tangent of a non-float dtype or of the
    wrong shape is named ``p['w']`` (not the generated leaf parameter), at the user's line."""
    p = {"w": np.ones(3), "b": np.ones(2)}
    with pytest.raises(s2s.TangentError, match=r"tangent of `p\['w'\]` has dtype int64") as info:
        s2s.hvp(cubes)(p, {"w": np.arange(3), "b": np.ones(2)})
    assert info.value.where.filename == __file__ and "Advice" in str(info.value)
    with pytest.raises(s2s.TangentError, match=r"`p\['b'\]` has shape \(3,\) but"):
        s2s.jvp(cubes)(p, {"w": np.ones(3), "b": np.ones(3)})


def tall(p, t):
    return np.sin(p[0] * t) * np.exp(-p[1] * t) + p[2]


def wide(w, x):
    return np.tanh(x @ w)


@pytest.mark.parametrize("mode", ["forward", "reverse", "auto"])
def test_jacobian_in_each_mode_has_output_then_input_shape(mode):
    p, t = RNG.normal(size=3), np.linspace(0, 1, 7)
    jac = s2s.jacobian(tall, mode=mode)
    result = jac(p, t)
    assert result.shape == (7, 3)
    expected = np.stack([along(lambda q: tall(q, t), p, e) for e in np.eye(3)], axis=-1)
    np.testing.assert_allclose(result, expected, rtol=1e-6, atol=1e-9)
    if mode == "auto":
        assert jac.chosen == "forward"  # 3 inputs, 7 outputs


def test_jacobian_auto_takes_reverse_mode_for_a_wide_function_and_matrices_keep_their_shape():
    w, x = RNG.normal(size=(6, 2)), RNG.normal(size=(3, 6))
    jac = s2s.jacobian(wide)
    assert jac.chosen is None
    result = jac(w, x)
    assert jac.chosen == "reverse" and result.shape == (3, 2, 6, 2)
    np.testing.assert_allclose(result, s2s.jacobian(wide, mode="forward")(w, x), rtol=1e-12)


def two_outputs(x, y):
    return x * y, np.sum(np.sin(x))


def test_jacobian_of_several_outputs_and_arguments_is_nested_tuples():
    x, y = RNG.normal(size=3), RNG.normal(size=3)
    for mode in ("forward", "reverse"):
        (j1x, j1y), (j2x, j2y) = s2s.jacobian(two_outputs, wrt=(0, 1), mode=mode)(x, y)
        np.testing.assert_allclose(j1x, np.diag(y), rtol=1e-12)
        np.testing.assert_allclose(j1y, np.diag(x), rtol=1e-12)
        np.testing.assert_allclose(j2x, np.cos(x), rtol=1e-12)
        assert j2y.shape == (3,) and not j2y.any()


def test_composites_pickle_and_check_their_mode():
    assert pickle.loads(pickle.dumps(s2s.hvp(quartic)))(np.ones(2), 0.0, np.ones(2)).shape == (2,)
    with pytest.raises(ValueError, match="jacobian mode"):
        s2s.jacobian(tall, mode="sideways")


# -- check_grad ------------------------------------------------------------------------------


def tanh_layer(x, w):
    return np.tanh(x @ w)


def test_check_grad_passes_a_correct_derivative_in_both_modes_to_second_order():
    x, w = RNG.normal(size=(2, 3)), RNG.normal(size=(3, 4))
    s2s.check_grad(tanh_layer, x, w, wrt=(0, 1))
    s2s.check_grad(tanh_layer, x.astype(np.float32), w.astype(np.float32), wrt=(0, 1), order=1)


def softsign(x):
    return x / (1.0 + np.abs(x))


def uses_softsign(x):
    return np.sum(softsign(x) ** 2)


def test_check_grad_catches_a_wrong_rule_and_shows_both_values():
    @s2s.adjoint(softsign, source="deliberately wrong: the square is missing")
    def wrong_adjoint(result, x):
        d[x] = d[result] / (1.0 + np.abs(x))

    @s2s.tangent(softsign, source="deliberately wrong, as the adjoint")
    def wrong_tangent(result, x):
        d[result] += d[x] / (1.0 + np.abs(x))

    x = RNG.normal(size=5)
    for mode in ("rev", "fwd"):
        with pytest.raises(s2s.GradientCheckError) as info:
            s2s.check_grad(uses_softsign, x, modes=(mode,), order=1)
        error = info.value
        assert error.mode == mode and error.order == 1
        assert "analytic" in str(error) and "numeric" in str(error)
        assert not np.allclose(error.analytic, error.numeric)


@dataclass
class _Layer:
    w: np.ndarray
    scale: float
    steps: int  # no gradient: stays put when the check moves the layer
    name: str


def container_loss(params, layer, x):
    h = np.tanh(x @ params["w"] + params["b"][0])
    for _ in range(layer.steps):
        h = np.sin(h @ layer.w) * layer.scale
    return np.sum(h**2) + len(layer.name)


def _softsign2(x):
    return x / (1.0 + np.abs(x))


def dict_softsign(params):
    return np.sum(_softsign2(params["a"]) ** 2) + np.sum(params["b"] ** 3)


def test_check_grad_takes_parameter_containers():
    """A dict with a list inside and a dataclass with int and str leaves: moved along random
    directions of their structure; second order forward over reverse only (reverse over a
    derivative of containers is refused). It crashed in its own bookkeeping before."""
    params = {"w": RNG.normal(size=(3, 2)), "b": [RNG.normal(size=2)]}
    layer = _Layer(RNG.normal(size=(2, 2)), 0.7, 2, "l")
    s2s.check_grad(container_loss, params, layer, RNG.normal(size=(4, 3)), wrt=(0, 1))

    @s2s.adjoint(_softsign2, source="deliberately wrong: the square is missing")
    def wrong_adjoint(result, x):
        d[x] = d[result] / (1.0 + np.abs(x))

    with pytest.raises(s2s.GradientCheckError) as info:
        s2s.check_grad(dict_softsign, {"a": RNG.normal(size=4), "b": 0.5}, modes=("rev",),
                       order=1)  # fmt: skip
    assert info.value.mode == "rev"


def doubled(x):
    return np.sum(x * 2.0)


def test_check_grad_checks_types_and_refuses_unknown_modes():
    x = RNG.normal(size=3).astype(np.float32)
    s2s.check_grad(doubled, x, order=1)  # float32 derivatives of float32 values: passes
    from s2s.checking import _check_like  # the check each derivative goes through

    with pytest.raises(s2s.GradientCheckError, match="dtype float64, expected float32"):
        _check_like(np.zeros(3), x, "the VJP", "rev", 1, None)
    with pytest.raises(s2s.GradientCheckError, match=r"shape \(2,\), expected \(3,\)"):
        _check_like(np.zeros(2, np.float32), x, "the VJP", "rev", 1, None)
    with pytest.raises(ValueError, match="modes"):
        s2s.check_grad(doubled, x, modes=("sideways",))


def _scaled_sum(x, s=2.0):
    return np.sum(np.sin(x) * s)


def _scaled(x, s=2.0):
    return np.sin(x) * s


def test_hessian_and_forward_jacobian_of_a_function_with_a_default():
    """The defaults bound at the call are passed by name: a JVP's tangent parameter follows
    the required ones, so ``f(x, s=2.0)``'s default passed by position collided with it."""
    x = np.array([0.1, 0.5, -0.3])
    np.testing.assert_allclose(s2s.hessian(_scaled_sum)(x), np.diag(-2.0 * np.sin(x)))
    np.testing.assert_allclose(s2s.hessian(_scaled_sum)(x, s=3.0), np.diag(-3.0 * np.sin(x)))
    for how in ("forward", "reverse"):
        got = s2s.jacobian(_scaled, mode=how)(x)
        np.testing.assert_allclose(got, np.diag(2.0 * np.cos(x)))


def _two_items(x):
    return [x[0] * 1.0, x[1] * 2.0]


def _nested(x):
    return [x * 2.0, (x[0], x[1])]


@pytest.mark.parametrize("how", ["auto", "forward", "reverse"])
def test_jacobian_of_a_list_output_is_a_list(how):
    x = np.array([0.1, 0.5])
    got = s2s.jacobian(_two_items, mode=how)(x)
    assert type(got) is list and len(got) == 2
    np.testing.assert_allclose(got[0], [1.0, 0.0])
    np.testing.assert_allclose(got[1], [0.0, 2.0])
    got = s2s.jacobian(lambda x: [x[0], x[1]], mode=how)(x)
    np.testing.assert_allclose(np.array(got), np.eye(2))


def test_jacobian_of_a_nested_output_is_refused_where_called():
    with pytest.raises(s2s.S2SError, match="flat tuple or list") as info:
        s2s.jacobian(_nested)(np.array([0.1, 0.5]))
    assert info.value.where is not None and info.value.where.filename == __file__


def test_sinc_second_derivative_at_and_near_zero():
    """sinc is analytic at 0: f''(0) = -pi^2/3, and f'(t) = -pi^2 t / 3 near 0 to full
    precision (the textbook (cos(pi t) - sinc t) / t loses half its digits there)."""
    curvature = -np.pi**2 / 3
    for t in (0.0, 1e-8):
        assert s2s.hessian(np.sinc)(t) == pytest.approx(curvature, rel=1e-12)
        assert s2s.hvp(np.sinc)(t, 1.0) == pytest.approx(curvature, rel=1e-12)
        assert s2s.grad(s2s.grad(np.sinc))(t) == pytest.approx(curvature, rel=1e-12)
    assert s2s.grad(np.sinc)(1e-8) == pytest.approx(curvature * 1e-8, rel=1e-12)


def quartic_around(w, mu):
    return np.sum((w - mu) ** 4) / 4 + 0.5 * np.sum(w**2)


def test_hessp_takes_scipys_order_and_integer_directions():
    """scipy calls hessp(x, p, *args): the direction second, where hvp takes f's arguments
    first (with args= of x's shape, hvp would silently read p as mu)."""
    mu = np.array([1.0, -2.0, 0.5])
    w = np.array([0.3, 0.7, -0.2])
    p = np.array([1.0, 0.0, -2.0])
    expected = (3 * (w - mu) ** 2 + 1) * p
    np.testing.assert_allclose(s2s.hessp(quartic_around)(w, p, mu), expected, rtol=1e-12)
    np.testing.assert_allclose(s2s.hvp(quartic_around)(w, mu, p), expected, rtol=1e-12)
    probe = s2s.hessp(quartic_around)(w, np.zeros(3, np.int8), mu)  # trust-constr's probe
    assert probe.dtype == np.float64 and not probe.any()
    again = pickle.loads(pickle.dumps(s2s.hessp(quartic_around)))
    np.testing.assert_allclose(again(w, p, mu), expected, rtol=1e-12)


def test_hessp_in_scipy_minimize_with_args():
    optimize = pytest.importorskip("scipy.optimize")
    mu = np.array([1.0, -2.0, 0.5])
    for method in ("Newton-CG", "trust-krylov", "trust-constr"):
        found = optimize.minimize(
            quartic_around, np.zeros(3), args=(mu,), method=method,
            jac=s2s.grad(quartic_around), hessp=s2s.hessp(quartic_around),
        )  # fmt: skip
        assert found.success, (method, found.message)
        np.testing.assert_allclose(s2s.grad(quartic_around)(found.x, mu), 0, atol=1e-4)


def cubed_sines(w):
    return np.sum(np.sin(w) ** 3)


def test_grad_of_a_vector_gradient_names_the_callers_line_and_hessian():
    with pytest.raises(s2s.NonScalarOutputError) as info:
        s2s.grad(s2s.grad(cubed_sines))(np.array([0.1, 0.2, 0.3]))  # MARK: grad of grad
    assert_located(
        info.value, test_grad_of_a_vector_gradient_names_the_callers_line_and_hessian,
        "# MARK: grad of grad", "s2s.grad(cubed_sines) returns a ndarray of shape (3,)",
        "s2s.hessian(cubed_sines)",
    )  # fmt: skip


def cube(t):
    return t**3


def test_second_derivatives_of_a_scalar_have_the_scalar_type_grad_gives():
    """A Python float or numpy scalar argument gives a numpy scalar (as grad does); a 0-d
    array a 0-d array."""
    for x, kind in ((2.0, np.float64), (np.float32(2.0), np.float32), (np.array(2.0), np.ndarray)):
        assert type(s2s.grad(cube)(x)) is kind
        for make in (s2s.hessian, s2s.jacobian, lambda f: s2s.jacobian(f, mode="reverse")):
            result = make(cube)(x) if make is s2s.hessian else make(s2s.grad(cube))(x)
            assert type(result) is kind and result == 12.0


UNIT_PENALTY = np.ones(2)


def ridge_quartic(w, a, y, lam=UNIT_PENALTY):
    r = a @ w - y
    return np.sum(r**4) / 4 + np.sum(lam * w**2)


def weighted_quartic(w, *data):
    (c,) = data
    return np.sum(c * w**4) + np.sum(w) ** 2


def test_hessp_places_the_direction_as_hvp_does():
    """scipy passes hessp(x, p, *args); hvp puts the direction before a defaulted parameter
    (f(w, a, y, lam=...)) and before *data: hessp must follow it (it read lam, or c, as the
    direction)."""
    a, y = np.array([[1.0, 2.0], [0.5, -1.0], [2.0, 0.3]]), np.array([0.2, -0.4, 1.0])
    w, lam, p = np.array([0.3, -0.2]), np.array([0.1, 5.0]), np.array([1.0, 0.0])
    expected = s2s.hvp(ridge_quartic)(w, a, y, p, lam=lam)
    np.testing.assert_allclose(s2s.hessp(ridge_quartic)(w, p, a, y, lam), expected)
    np.testing.assert_allclose(s2s.hessp(ridge_quartic)(w, p, a, y),
                               s2s.hvp(ridge_quartic)(w, a, y, p))  # fmt: skip
    w3, p3, c = np.array([0.5, -1.0, 1.5]), np.array([1.0, 0.0, 0.0]), np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(s2s.hessp(weighted_quartic)(w3, p3, c), [5.0, 2.0, 2.0])
    with pytest.raises(s2s.UsageError, match="takes no wrt"):
        s2s.hessp(ridge_quartic, wrt=1)


def test_an_unknown_option_s_advice_lists_only_options_the_composite_takes():
    """The list named checkpoint, which every composite then refuses."""
    for make in (s2s.hvp, s2s.hessian, s2s.jacobian):
        with pytest.raises(s2s.UsageError, match="has no option 'has_aux'") as info:
            make(lambda x: np.sum(x**2), has_aux=True)
        listed = info.value.advice.split("(")[0]
        assert "undefined" in listed and "checkpoint" not in listed


def weighted_cubes(x, a, *, b=1.0):
    return np.sum(a * x**3) + b * np.sum(x**2)


def shadowed(x, p):  # f's own `p`: hessp's direction is named apart
    return np.sum(p * x**3)


def test_hessp_signature_is_the_call_it_takes_and_keywords_reach_f():
    """fresh-501 4: ``inspect.signature(s2s.hessp(f))`` showed ``(x, a)`` for ``f(x, a)``
    though the call takes ``(x, p, a)``. H = diag(6 a x) + 2 b I."""
    assert str(inspect.signature(s2s.hessp(weighted_cubes))) == "(x, p, /, a, *, b=1.0)"
    assert str(inspect.signature(s2s.hessp(shadowed))) == "(x, p_2, /, p)"
    x, p = np.array([1.0, -2.0]), np.array([0.5, 3.0])
    expected = (6 * 2.0 * x + 2 * 3.0) * p
    product = s2s.hessp(weighted_cubes)
    np.testing.assert_allclose(product(x, p, 2.0, b=3.0), expected, rtol=1e-12)
    np.testing.assert_allclose(product(x, p, a=2.0, b=3.0), expected, rtol=1e-12)
    bound = inspect.signature(product).bind(x, p, 2.0, b=3.0)  # binds as the call does
    np.testing.assert_allclose(product(*bound.args, **bound.kwargs), expected, rtol=1e-12)
    np.testing.assert_allclose(s2s.hessp(shadowed)(x, p, 2.0), 6 * 2.0 * x * p, rtol=1e-12)
