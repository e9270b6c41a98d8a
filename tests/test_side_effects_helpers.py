"""Side effects in the user's helpers under a derivative of a derivative (issue 11, item 4).

Code differentiated again calls a helper's primal twice: as written in its primal sweep, and
replayed inside the helper's VJP (``frontend/replay.py``). The replay leaves the side effects
out, so an append, a print or a counter in a helper happens once per ``hvp``, ``grad`` of
``grad`` or ``jvp`` of ``grad`` call, as in one call of ``f``; what a replay cannot repeat (a
random draw, a read of what the helper changed, a helper's own effectful callee) is refused at
its line. Each kept effect is counted, and the Hessian-vector product checked against central
differences of the gradient.
"""

import numpy as np
import pytest
from located import assert_located

import s2s

X = np.array([0.3, -0.5, 0.7, 1.1])
V = np.array([1.0, -2.0, 0.5, 0.25])
LOG = []


class Layer:
    """A model whose forward pass counts its calls and logs what it saw."""

    def __init__(self):
        self.calls = 0
        self.seen = []

    def forward(self, x):
        self.calls += 1
        self.seen.append(float(np.sum(x)))
        return np.tanh(x) * x


LAYER = Layer()


def logged(x):
    LOG.append(float(np.max(x)))
    print("logged", x.shape)
    return np.sin(x) * x


def loss_logged(x):
    return np.sum(logged(x) ** 2)


def loss_layer(x):
    return np.sum(LAYER.forward(x) ** 2) + np.sum(np.exp(x))


def appending(x, history):
    history.append(x.sum())
    return np.exp(0.5 * x)


def loss_history(x, history):
    return np.sum(appending(x, history) ** 3)


def _hvp_by_differences(f, x, v, *rest, step=1e-6):
    g = s2s.grad(f)
    return (g(x + step * v, *rest) - g(x - step * v, *rest)) / (2 * step)


SECOND_ORDER = {
    "hvp": lambda f, *a: s2s.hvp(f)(*a, V),
    "grad_of_grad": lambda f, *a: s2s.grad(lambda x: np.sum(s2s.grad(f)(x) * V))(*a),
    "jvp_of_grad": lambda f, *a: s2s.jvp(s2s.grad(f))(*a, V)[1],
}


@pytest.mark.parametrize("how", list(SECOND_ORDER))
def test_a_global_append_and_print_in_a_helper_happen_once(how, capsys):
    LOG.clear()
    capsys.readouterr()
    result = SECOND_ORDER[how](loss_logged, X)
    assert LOG == [pytest.approx(float(np.max(X)))]
    assert capsys.readouterr().out.count("logged") == 1
    np.testing.assert_allclose(result, _hvp_by_differences(loss_logged, X, V), rtol=1e-6)


@pytest.mark.parametrize("how", list(SECOND_ORDER))
def test_an_attribute_counter_in_a_method_increments_once(how):
    LAYER.calls, LAYER.seen = 0, []
    result = SECOND_ORDER[how](loss_layer, X)
    assert LAYER.calls == 1 and len(LAYER.seen) == 1
    LAYER.calls = 0
    np.testing.assert_allclose(result, _hvp_by_differences(loss_layer, X, V), rtol=1e-6)


def test_an_append_to_a_list_argument_in_a_helper_happens_once():
    history = []
    result = s2s.hvp(loss_history)(X, history, V)
    assert len(history) == 1
    np.testing.assert_allclose(result, _hvp_by_differences(loss_history, X, V, []), rtol=1e-6)


def test_the_hessian_runs_the_effects_once_per_column():
    """``hessian`` is one Hessian-vector product per input entry."""
    LOG.clear()
    H = s2s.hessian(loss_logged)(X)
    assert len(LOG) == X.size
    assert H.shape == (X.size, X.size)


RNG = np.random.default_rng(0)


def noisy(x):
    return x * RNG.normal(size=x.shape)


def loss_noisy(x):
    return np.sum(noisy(x) ** 2)


def noisy_argument(x, rng):
    return x + rng.normal(size=x.shape)


def loss_noisy_argument(x, rng):
    return np.sum(noisy_argument(x, rng) ** 2)


def test_a_random_draw_in_a_helper_is_refused_under_hvp():
    with pytest.raises(s2s.S2SError) as refused:
        s2s.hvp(loss_noisy)(X, V)
    assert_located(refused.value, noisy, 1, "random draw", "draw the random numbers in the")
    with pytest.raises(s2s.S2SError) as refused:
        s2s.hvp(loss_noisy_argument)(X, np.random.default_rng(1), V)
    assert_located(refused.value, noisy_argument, 1, "random draw")


def test_a_random_draw_in_a_helper_still_works_under_grad():
    state = RNG.bit_generator.state
    g = s2s.grad(loss_noisy)(X)
    RNG.bit_generator.state = state
    u = RNG.normal(size=X.shape)
    np.testing.assert_allclose(g, 2 * X * u * u)


def test_a_random_draw_in_f_itself_is_one_draw_under_hvp():
    def loss(x, rng):
        u = rng.normal(size=x.shape)
        return np.sum(np.sin(x * u))

    rng = np.random.default_rng(3)
    hv = s2s.hvp(loss)(X, rng, V)
    u = np.random.default_rng(3).normal(size=X.shape)
    np.testing.assert_allclose(hv, -np.sin(X * u) * u * u * V)
    assert rng.normal() == np.random.default_rng(3).normal(size=X.size + 1)[-1]


COUNT = 0


def counted_scale(x):
    global COUNT
    scale = COUNT + 1.0
    COUNT += 1
    return x * scale


def loss_counted(x):
    return np.sum(counted_scale(x) ** 2)


def test_reading_a_counter_the_helper_changes_is_refused_under_hvp():
    with pytest.raises(s2s.S2SError) as refused:
        s2s.hvp(loss_counted)(X, V)
    assert_located(refused.value, counted_scale, 2, "`COUNT` is read after counted_scale")


def effectful_inner(x):
    LOG.append(1)
    return 2 * x


def calls_effectful(x):
    return np.sin(effectful_inner(x))


def loss_nested(x):
    return np.sum(calls_effectful(x) ** 2)


def test_a_helper_calling_an_effectful_helper_is_refused_under_hvp():
    LOG.clear()
    assert s2s.grad(loss_nested)(X).shape == X.shape and len(LOG) == 1
    with pytest.raises(s2s.S2SError) as refused:
        s2s.hvp(loss_nested)(X, V)
    assert_located(refused.value, calls_effectful, 1, "effectful_inner has side effects")


class CountingActivation:
    """A callable object counting its calls."""

    def __init__(self):
        self.n = 0

    def __call__(self, z):
        self.n += 1
        return np.tanh(z)


class CountingModel:
    """A method with a counter, called by another method."""

    def __init__(self):
        self.calls = 0

    def forward(self, w):
        self.calls += 1
        return np.sin(w)

    def loss(self, w):
        return np.sum(self.forward(w) ** 2)


def through_activation(w, act):
    return np.sum(act(w) ** 2)


def loss_activation(w, act):
    return through_activation(w, act)


def loss_model(w, model):
    return model.loss(w)


def test_a_counting_callable_or_method_one_call_down_is_refused_not_run_twice():
    act, model = CountingActivation(), CountingModel()
    with pytest.raises(s2s.S2SError) as refused:
        s2s.hvp(loss_activation)(X, act, V)
    assert_located(refused.value, through_activation, 1, "CountingActivation.__call__ has side")
    with pytest.raises(s2s.S2SError) as refused:
        s2s.hvp(loss_model)(X, model, V)
    assert_located(refused.value, CountingModel.loss, 1, "CountingModel.forward has side effects")
    assert "called from CountingModel.loss" in str(refused.value)


try:
    from scipy import stats
except ImportError:  # scipy is optional
    stats = None


def sampled(w, rng):
    return np.sum((w + stats.norm.rvs(size=w.shape, random_state=rng)) ** 3)


def loss_sampled(w, rng):
    return sampled(w, rng)


@pytest.mark.skipif(stats is None, reason="scipy is not installed")
def test_a_scipy_stats_sample_in_a_helper_is_refused_under_hvp():
    with pytest.raises(s2s.S2SError) as refused:
        s2s.hvp(loss_sampled)(X, np.random.default_rng(0), V)
    assert_located(refused.value, sampled, 1, "a random draw in sampled")
