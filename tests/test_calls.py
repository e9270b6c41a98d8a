"""Calls to the user's own functions from differentiated code: one sub-derivative per
(callee, active arguments), called in split form (value and pullback, then the pullback)."""

import numpy as np
import pytest
from gradcheck import check_against_differences as check
from test_tuples_and_lists import XS
from tests_helpers_module import scaled_tanh

import s2s

RNG = np.random.default_rng(11)


def layer(x, w, b=0.5):
    return np.tanh(x @ w + b)


def pair(x):
    return x * 2.0, np.sin(x)


def power(x, n):
    if n == 0:
        return x * 0.0 + 1.0
    return x * power(x, n - 1)


def network(x, w1, w2):
    h = layer(x, w1)
    y = layer(h, w2, b=-0.1)
    a, s = pair(y)
    return np.sum(a * s) + np.sum(power(x, 3)) + np.sum(scaled_tanh(y, 2.0))


def test_helpers_with_keywords_defaults_literals_tuples_recursion_and_imports():
    args = (RNG.normal(size=(2, 3)), RNG.normal(size=(3, 3)), RNG.normal(size=(3, 2)))
    check(network, *args, wrt=(0, 1, 2))
    source = s2s.grad(network, wrt=(1,)).source
    # the factory binds the helper's sub-derivative to a name, and the call site calls it
    assert "    d_layer = _s2s.subderivative(layer, ('w',))\n" in source
    assert "h, pullback_1 = d_layer(x, w1)" in source


def depth(x, n):
    return np.sum(power(x, n) * 0.5)


@pytest.mark.parametrize("n", [0, 1, 5])
def test_recursion_with_data_dependent_depth(n):
    check(depth, RNG.normal(size=3), n)


def cell(h, x, w):
    return np.tanh(h * w + x)


def recurrent(w, xs):
    h = np.zeros(3)
    for t in range(xs.shape[0]):
        h = cell(h, xs[t], w)
    return np.sum(h * h)


def test_calls_inside_a_loop_and_a_pullback_used_twice():
    w, xs = RNG.normal(size=3), RNG.normal(size=(4, 3))
    check(recurrent, w, xs, wrt=(0, 1))
    _, pullback = s2s.vjp(recurrent, wrt=(0, 1))(w, xs)
    first, second = pullback(1.0), pullback(1.0)
    np.testing.assert_array_equal(first[0], second[0])


def ignores_second(x, y):
    return x * 3.0


def disconnected_argument(x, y):
    return np.sum(ignores_second(x, y * 2.0))


def test_an_argument_the_callee_ignores_gets_zeros():
    gx, gy = s2s.grad(disconnected_argument, wrt=(0, 1))(np.ones(2), np.ones(2))
    np.testing.assert_array_equal(gx, [3.0, 3.0])
    np.testing.assert_array_equal(gy, [0.0, 0.0])


square_grad = s2s.grad(lambda v: np.sum(v * v))


def calls_a_derivative(x):
    return np.sum(square_grad(x))


def test_calling_a_derivative_object_differentiates_its_generated_code():
    # higher order (issue 9): sum(grad(v . v)) = sum(2 v), whose gradient is 2 everywhere
    np.testing.assert_array_equal(s2s.grad(calls_a_derivative)(np.ones(2)), [2.0, 2.0])


def closure_model(x, w, b):
    scale = 2.0

    def layer(h):
        return np.tanh(h * w + b) * scale

    y = layer(x)
    return np.sum(layer(y) ** 2)


def test_nested_defs_capturing_outer_values_are_lifted():
    args = (RNG.normal(size=2), RNG.normal(size=2), RNG.normal(size=2))
    check(closure_model, *args, wrt=(0, 1, 2))
    source = s2s.grad(closure_model, wrt=(1,)).source
    assert "def layer(h, *, b, scale, w):" in source
    derivative = s2s.grad(closure_model, wrt=(1,))
    derivative(*args)
    before = len(s2s.runtime.core._SUBDERIVATIVES)
    derivative(*args)  # a second call makes a new `layer` object but reuses its derivative
    assert len(s2s.runtime.core._SUBDERIVATIVES) == before


def nested_with_defaults(x, a):
    def helper(t, k=2.0):
        return t * k * a

    return np.sum(helper(x)) + np.sum(helper(x, k=3.0))


def test_nested_defs_with_default_arguments():
    check(nested_with_defaults, RNG.normal(size=3), 0.8, wrt=(0, 1))


def sibling_defs(x, w):
    shift = 0.5

    def scale(v):
        return v * w + shift

    def squash(v):
        return np.tanh(scale(v)) * w

    def both(v):
        return squash(v) + scale(v) ** 2

    return np.sum(both(x) * squash(x))


def test_a_nested_def_calling_another_one_gets_a_copy_of_it_and_its_captures():
    args = (RNG.normal(size=3), 0.7)
    check(sibling_defs, *args, wrt=(0, 1))
    source = s2s.grad(sibling_defs, wrt=(1,)).source
    assert "def both(v, *, shift, w):" in source  # scale's and squash's captures, passed along


def recursive_closure(x, w):
    scale = w * 2.0

    def power(v, n):
        if n == 0:
            return v
        return power(v * scale, n - 1)  # the recursive call passes `scale` on when lifted

    return np.sum(np.sin(power(x, 3)))


def test_a_recursive_nested_def_capturing_a_value():
    """It crashed ``grad`` (the lifted def's own call lacked the capture; found by a fresh
    user)."""
    args = (RNG.normal(size=3), RNG.normal(size=3))
    check(recursive_closure, *args, wrt=(0, 1))
    source = s2s.grad(recursive_closure, wrt=(0,)).source
    assert "return power(v * scale, n - 1, scale=scale)" in source


def pair_stats(pair, scale=1.0):
    a, b = pair
    return np.sum(a * b) * scale, pair[1] ** 2


def passes_tuples(x, w):
    s, q = pair_stats((x, np.sin(w)), scale=2.0)
    t = (w, x * 3.0)
    u, _ = pair_stats(t)
    return s + np.sum(q) + u


def test_tuples_passed_to_helpers_send_each_item_its_gradient():
    check(passes_tuples, RNG.normal(size=2), RNG.normal(size=2), wrt=(0, 1))


def unpacks_its_argument(pair):
    a, b = pair
    return np.sum(a * np.cos(b)) + pair[0][0]


def test_a_tuple_of_arrays_as_the_differentiated_argument():
    x, w = np.array([0.3, -0.7]), np.array([1.1, 0.4])
    ga, gb = s2s.grad(unpacks_its_argument)((x, w))
    np.testing.assert_allclose(ga, np.cos(w) + [1.0, 0.0], rtol=1e-12)
    np.testing.assert_allclose(gb, -x * np.sin(w), rtol=1e-12)
    g32 = s2s.grad(unpacks_its_argument)((x.astype(np.float32), w.astype(np.float32)))
    assert [g.dtype for g in g32] == [np.float32, np.float32]


def sum_and_triple(x):
    return np.sum(x**2), x * 3.0


def items_of_a_helper_result(x):
    r = sum_and_triple(x)
    return sum_and_triple(x)[0] * np.sum(sum_and_triple(x * 2.0)[1]) + r[0] + np.sum(r[1])


def test_items_of_a_helper_that_returns_a_tuple_read_by_position():
    check(items_of_a_helper_result, RNG.normal(size=3))
    x = np.array([1.0, 2.0])  # sum(x^2) * sum(6x) + sum(x^2) + sum(3x)
    np.testing.assert_allclose(
        s2s.grad(items_of_a_helper_result)(x), [2 * 18 + 30 + 2 + 3, 4 * 18 + 30 + 4 + 3]
    )


def make_scaler(c):
    def scaler(v):
        return v * c

    return scaler


double, triple = make_scaler(2.0), make_scaler(3.0)


def two_closures(x):
    return np.sum(double(x)) + np.sum(triple(x) * x)


def test_closures_of_one_code_with_different_captured_values_get_their_own_derivatives():
    x = np.array([1.0, -2.0])
    np.testing.assert_allclose(s2s.grad(two_closures)(x), 2.0 + 6.0 * x, rtol=1e-14)


_LOOK_ALIKE = """\
import numpy as np


def inner(a):
    return np.{fn}(a)


def outer(a):
    return inner(a) * 1.0


def f(x):
    return np.sum(outer(x))
"""


def _module_from(tmp_path, name, text):
    import importlib.util

    path = tmp_path / f"{name}.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("mode", ["grad", "vjp", "jvp"])
def test_look_alike_helpers_of_two_modules_get_their_own_derivatives(tmp_path, mode):
    """Two modules with the same `outer` text at the same lines, each calling its own `inner`:
    their code objects compare equal, and the second module's `outer` got the first's cached
    sub-derivative (a silently wrong gradient, found by the fuzzer)."""
    x = np.array([0.3, 0.5])
    expected = {"sin": np.cos(x), "cos": -np.sin(x)}
    for fn in ("sin", "cos"):
        module = _module_from(tmp_path, f"look_alike_{mode}_{fn}", _LOOK_ALIKE.format(fn=fn))
        if mode == "grad":
            got = s2s.grad(module.f)(x)
        elif mode == "vjp":
            got = s2s.vjp(module.f)(x)[1](1.0)
        else:
            got = np.array([s2s.jvp(module.f)(x, e)[1] for e in np.eye(2)])
        np.testing.assert_allclose(got, expected[fn], rtol=1e-12)


softened = lambda v: np.sin(v) * v  # noqa: E731 (a global lambda, called by name)


def calls_a_global_lambda(x):
    return np.sum(softened(x))


@pytest.mark.parametrize("mode", ["grad", "hvp"])
def test_a_global_lambda_gets_a_helper_of_a_valid_name(mode):
    """Its sub-derivative's helper was named ``d_<lambda>`` (``jvp_<lambda>`` under hvp): a
    SyntaxError when the factory compiled."""
    x = np.array([0.3, -0.7])
    if mode == "grad":
        got, expected = s2s.grad(calls_a_global_lambda)(x), np.cos(x) * x + np.sin(x)
    else:
        got = s2s.hvp(calls_a_global_lambda)(x, np.ones(2))
        expected = 2 * np.cos(x) - x * np.sin(x)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


# -- a helper with several outputs whose outputs feed it again (h, c = gated_cell(h, c, x)) ---


def gated_cell(h, c, x):
    c2 = c * 0.5 + np.tanh(x + h)
    return np.tanh(c2), c2


def step(h, x):
    h2 = np.tanh(x + 0.5 * h)
    return h2, np.sum(h2 * h2)


def lstm_like_for(xs):
    h = np.zeros(2)
    c = np.zeros(2)
    for t in range(xs.shape[0]):
        h, c = gated_cell(h, c, xs[t])
    return np.sum(h * h)


def carried_with_loss_while(xs):
    h = np.zeros(2)
    total = 0.0
    t = 0
    while t < xs.shape[0]:
        h, loss = step(h, xs[t])
        total = total + loss
        t += 1
    return total


def qr_carried(a):
    q = a
    for _ in range(2):
        q, r = np.linalg.qr(q + 0.1 * a)
    return np.sum(q * a) + np.sum(r)


@pytest.mark.parametrize("f", [lstm_like_for, carried_with_loss_while])
def test_several_outputs_fed_back_in_a_loop(f):
    check(f, XS)


def test_a_multi_output_rule_fed_back_in_a_loop():
    check(qr_carried, RNG.standard_normal((3, 3)) + 2 * np.eye(3))
