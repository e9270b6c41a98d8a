"""The user's side effects are kept, never undone (issue 11, item 4).

The primal sweep runs the user's code exactly once (in grad, vjp, jvp and hvp, whose forward
sweep over the gradient's code runs that code once): an append to a global or argument list, an
append to a list held by an object, a print, an RNG draw and a counter incremented on a global or
an object's attribute happen once per derivative call, as one call of ``f`` would. Each test
checks the effect after the call, and the gradient against
central differences (the effects do not change it). Code whose value the result never reads
still runs: a division by zero or an invalid ``np.log`` in it raises as in ``f``.
"""

import numpy as np
import pytest
from gradcheck import numeric_gradient
from located import assert_located

import s2s

HISTORY = []
X = np.array([0.3, -0.5, 0.7])


class Recorder:
    """An object holding a list the loss appends to."""

    def __init__(self):
        self.items = []


def loss_global(x):
    value = np.sum(np.tanh(x) ** 2)
    HISTORY.append(value)
    return value


def loss_argument(x, log):
    value = np.sum(np.sin(x) * x)
    for i in range(2):
        log.append(value * i)
        value = value * 1.5
    return value


def loss_attribute(x, recorder):
    value = np.sum(x**3)
    recorder.items.append(value)
    return value


def loss_printed(x):
    value = np.sum(np.exp(x))
    print("loss", float(value))
    return value


def loss_rng(x, rng):
    noise = rng.normal(size=x.shape)
    return np.sum((x + noise) ** 2)


def _derivative(mode, f):
    if mode == "grad":
        return s2s.grad(f)
    if mode == "jvp":
        return lambda *args: s2s.jvp(f)(*args, np.ones_like(args[0]))
    if mode == "hvp":  # the JVP of the gradient's code: the primal still runs once
        return lambda *args: s2s.hvp(f)(*args, np.ones_like(args[0]))
    return lambda *args: s2s.vjp(f)(*args)[1](1.0)


MODES = ["grad", "vjp", "jvp", "hvp"]


@pytest.mark.parametrize("mode", MODES)
def test_append_to_a_global_list_happens_once(mode):
    HISTORY.clear()
    _derivative(mode, loss_global)(X)
    assert HISTORY == [pytest.approx(_plain_global(X))]
    _derivative(mode, loss_global)(X)
    assert len(HISTORY) == 2
    HISTORY.clear()


def _plain_global(x):
    return float(np.sum(np.tanh(x) ** 2))


def test_append_to_a_global_list_gradient():
    HISTORY.clear()
    g = s2s.grad(loss_global)(X)
    assert len(HISTORY) == 1
    np.testing.assert_allclose(g, numeric_gradient(loss_global, [X], 0), rtol=1e-7)
    HISTORY.clear()


@pytest.mark.parametrize("mode", MODES)
def test_append_to_an_argument_list_happens_once(mode):
    log = []
    _derivative(mode, loss_argument)(X, log)
    expected = []
    loss_argument(X, expected)
    assert log == pytest.approx(expected)
    g = s2s.grad(loss_argument)(X, [])
    np.testing.assert_allclose(g, numeric_gradient(loss_argument, [X, []], 0), rtol=1e-7)


@pytest.mark.parametrize("mode", MODES)
def test_append_to_an_object_attribute_list_happens_once(mode):
    recorder = Recorder()
    _derivative(mode, loss_attribute)(X, recorder)
    assert recorder.items == [pytest.approx(float(np.sum(X**3)))]


@pytest.mark.parametrize("mode", MODES)
def test_print_happens_once(mode, capsys):
    _derivative(mode, loss_printed)(X)
    assert capsys.readouterr().out.count("loss ") == 1


@pytest.mark.parametrize("mode", MODES)
def test_rng_draws_once(mode):
    rng = np.random.default_rng(5)
    twin = np.random.default_rng(5)
    _derivative(mode, loss_rng)(X, rng)
    twin.normal(size=X.shape)  # one call of f draws once
    assert rng.bit_generator.state == twin.bit_generator.state


def test_rng_gradient_uses_the_draw_of_the_call():
    rng, twin = np.random.default_rng(9), np.random.default_rng(9)
    g = s2s.grad(loss_rng)(X, rng)
    noise = twin.normal(size=X.shape)
    np.testing.assert_allclose(g, 2 * (X + noise), rtol=1e-12)


def reads_global_back(x):
    value = np.sum(x**2)
    HISTORY.append(value)
    return HISTORY[-1] * 2.0  # READ


def test_reading_back_an_outside_list_is_refused():
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(reads_global_back)(X)
    assert_located(info.value, reads_global_back, "# READ", "outside the function", "local list")


CALLS = 0


class Counted:
    """An object counting the calls of its loss in an attribute."""

    def __init__(self):
        self.calls = 0
        self.steps = 0

    def loss(self, x):
        self.calls += 1
        value = 0.0
        for _ in range(3):
            self.steps = self.steps + 1
            value = value + np.sum(np.sin(x) * x)
        return value


def loss_counted(x):
    global CALLS
    CALLS += 1
    value = np.sum(np.cosh(x))
    if value > 0:
        CALLS = CALLS + 10
    return value * (CALLS > 0)


@pytest.mark.parametrize("mode", MODES)
def test_global_counter_increments_once_per_call(mode):
    global CALLS
    CALLS = 0
    _derivative(mode, loss_counted)(X)
    assert CALLS == 11
    _derivative(mode, loss_counted)(X)
    assert CALLS == 22


def test_global_counter_gradient():
    g = s2s.grad(loss_counted)(X)
    np.testing.assert_allclose(g, numeric_gradient(loss_counted, [X], 0), rtol=1e-7)
    assert "global CALLS" in s2s.grad(loss_counted).source


@pytest.mark.parametrize("mode", MODES)
def test_attribute_counter_increments_once_per_call(mode):
    model = Counted()
    if mode == "grad":
        g = s2s.grad(Counted.loss, wrt=1)(model, X)
        np.testing.assert_allclose(g, numeric_gradient(Counted().loss, [X], 0), rtol=1e-7)
    elif mode == "vjp":
        s2s.vjp(Counted.loss, wrt=1)(model, X)[1](1.0)
    elif mode == "hvp":
        s2s.hvp(Counted.loss, wrt=1)(model, X, np.ones_like(X))
    else:
        s2s.jvp(Counted.loss, wrt=1)(model, X, np.ones_like(X))
    assert (model.calls, model.steps) == (1, 3)


def loss_reads_computed_attribute(x, recorder):
    recorder.last = np.sum(x**2)
    return recorder.last * 2.0  # READ


def test_reading_back_a_computed_attribute_is_refused():
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(loss_reads_computed_attribute)(X, Recorder())
    assert_located(info.value, loss_reads_computed_attribute, "# READ", "`recorder.last`")


def loss_reshapes_in_place(x):
    y = x * 2.0
    y.shape = (3, 1)  # MARK
    return np.sum(y)


def test_assigning_an_array_attribute_is_refused():
    with pytest.raises(s2s.MutationError) as info:
        s2s.grad(loss_reshapes_in_place)(X)
    assert_located(info.value, loss_reshapes_in_place, "# MARK", "`y.shape`")


NAN_LOG = []
NAN_COUNT = 0


def loss_with_a_kink(x):
    global NAN_COUNT
    NAN_COUNT += 1
    NAN_LOG.append(float(x[1]))
    print("kink")
    return np.sum(np.sqrt(x))  # MARK: sqrt


def test_the_search_for_a_non_finite_gradient_does_not_repeat_the_effects(capsys):
    """A gradient that is not finite is searched for by running the derivative again (to name
    the line): that run leaves the function's own side effects out."""
    global NAN_COUNT
    NAN_COUNT = 0
    NAN_LOG.clear()
    with pytest.warns(s2s.NonFiniteGradientWarning) as caught:
        g = s2s.grad(loss_with_a_kink)(np.array([0.0, 1.0]))
    assert np.isinf(g[0]) and g[1] == 0.5
    assert NAN_COUNT == 1 and NAN_LOG == [1.0]
    assert capsys.readouterr().out.count("kink") == 1
    messages = [str(w.message) for w in caught if w.category is s2s.NonFiniteGradientWarning]
    assert any("sqrt" in m for m in messages), messages


STEP = 1


def annealed(x):
    global STEP
    y = STEP * np.sum(np.sin(x) ** 3)  # the weight as it is before the increment
    STEP += 1
    return y


def test_a_global_read_before_the_function_increments_it_keeps_the_value_it_read():
    """The adjoint multiplies by the STEP the primal read (1), not the incremented one (a
    doubled gradient before)."""
    global STEP
    x = np.array([0.3, 0.9])
    expected = 3 * np.sin(x) ** 2 * np.cos(x)
    for derivative in (s2s.grad(annealed), lambda x: s2s.hvp(annealed)(x, np.ones(2))):
        STEP = 1
        derivative(x)
        assert STEP == 2
    STEP = 1
    np.testing.assert_allclose(s2s.grad(annealed)(x), expected, rtol=1e-12)
    STEP = 1
    hv = s2s.hvp(annealed)(x, np.array([1.0, 0.0]))
    s, c = np.sin(x[0]), np.cos(x[0])
    np.testing.assert_allclose(hv, [6 * s * c**2 - 3 * s**3, 0])


# -- dead code runs: an error it raises is raised -----------------------------------------------


def dead_division(x, s):
    k = 1.0 / s  # noqa: F841  (unused, but it must still raise for s == 0.0)
    return np.sum(x**2)


def dead_modulo(x, n):
    return np.sum(x**2) + 3 % n


def dead_log(x, y):
    z = np.log(y)  # noqa: F841
    return np.sum(x**2)


def test_dead_code_that_can_raise_still_runs():
    with pytest.raises(ZeroDivisionError):
        s2s.grad(dead_division)(np.ones(3), 0.0)
    with pytest.raises(ZeroDivisionError):
        s2s.grad(dead_modulo)(np.ones(3), 0)
    np.testing.assert_array_equal(s2s.grad(dead_log)(np.ones(3), -np.ones(3)), 2 * np.ones(3))
    with np.errstate(all="raise"), pytest.raises(FloatingPointError):
        s2s.grad(dead_log)(np.ones(3), -np.ones(3))
