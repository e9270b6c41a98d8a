"""``with`` blocks inside the differentiated function (issue 11, item 3).

The body is differentiated; each manager is entered and exited once per derivative call, where
``f`` enters it; ``np.errstate`` also governs the adjoint sweep of its body. Each construct is
checked against central differences in reverse mode and forward mode.
"""

import contextlib
import warnings

import numpy as np
import pytest
from gradcheck import along, check_against_differences, hessian_by_differences
from located import assert_located, line_of

import s2s

X = np.array([0.3, 0.5, 0.7])
V = np.array([1.0, -2.0, 0.5])
ENTERED = []


class logged:  # noqa: N801 - used as a function, as contextlib's managers are
    """A manager that only logs (it touches no array); its exit runs on an exception too."""

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        ENTERED.append(("enter", self.name))
        return self.name

    def __exit__(self, *exc):
        ENTERED.append(("exit", self.name))
        return False


def errstate_block(x):
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.log(x)
        z = y * x
    return np.sum(z)


def errstate_return(x):
    with np.errstate(all="ignore"):
        return np.sum(np.log(x) * np.sin(x))


def nested_managers(x):
    s = np.sum(x**2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with contextlib.nullcontext(), np.errstate(over="ignore"):
            s = s * np.sum(np.exp(x))
    return s


def manager_in_loop(x):
    s = 0.0
    for i in range(3):
        with logged("step") as label:
            if label == "step":
                s = s + np.sum(np.tanh(x * (i + 1)))
    return s


def loop_in_manager(x):
    with logged("fit"):
        h = x
        for _ in range(2):
            h = np.sin(h) * x
    return np.sum(h)


CONSTRUCTS = [errstate_block, errstate_return, nested_managers, manager_in_loop, loop_in_manager]


@pytest.mark.parametrize("f", CONSTRUCTS, ids=lambda f: f.__name__)
def test_reverse_mode_against_differences(f):
    check_against_differences(f, X)


@pytest.mark.parametrize("f", CONSTRUCTS, ids=lambda f: f.__name__)
def test_forward_mode_against_differences(f):
    value, tangent = s2s.jvp(f)(X, V)
    assert value == pytest.approx(f(X), rel=1e-12)
    assert tangent == pytest.approx(along(f, X, V), rel=1e-6)


@pytest.mark.parametrize("mode", ["grad", "vjp", "jvp"])
def test_manager_is_entered_once_per_call(mode):
    ENTERED.clear()
    if mode == "grad":
        s2s.grad(loop_in_manager)(X)
    elif mode == "vjp":
        s2s.vjp(loop_in_manager)(X)[1](1.0)
    else:
        s2s.jvp(loop_in_manager)(X, V)
    assert ENTERED == [("enter", "fit"), ("exit", "fit")]
    ENTERED.clear()
    s2s.grad(manager_in_loop)(X)
    assert ENTERED == [("enter", "step"), ("exit", "step")] * 3


def test_errstate_governs_the_adjoint_sweep():
    """At x = 0, log's adjoint divides by zero: silenced as in the primal, no warning."""
    x = np.array([0.0, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a RuntimeWarning would fail the test
        g = s2s.grad(errstate_block, nan="ignore")(x)
    assert np.isnan(g[0]) or np.isinf(g[0])
    source = s2s.grad(errstate_block).source
    adjoint = source[source.index("# adjoint sweep") :]
    header = "with np.errstate(divide='ignore', invalid='ignore'):"
    assert header in adjoint
    line = line_of(errstate_block, "y = np.log(x)")
    assert f"# line {line}: y = np.log(x)" in adjoint.split(header)[1]


def test_errstate_raise_still_raises_in_grad():
    def raising(x):
        with np.errstate(divide="raise"):
            unused = np.log(x - x)  # dead for the gradient, but f raises here
        return np.sum(x * 2.0) + 0.0 * unused[0]

    with pytest.raises(FloatingPointError):
        s2s.grad(raising)(X)


def test_exception_in_the_body_exits_the_manager():
    ENTERED.clear()

    def failing(x):
        with logged("bad"):
            y = x @ np.ones((4, 4))  # shapes do not match
        return np.sum(y)

    with pytest.raises(ValueError):
        s2s.grad(failing)(X)
    assert ENTERED == [("enter", "bad"), ("exit", "bad")]


def test_generated_source_shows_the_with_block():
    source = s2s.grad(loop_in_manager).source
    assert "with logged('fit'):" in source
    primal = source[: source.index("# adjoint sweep")]
    assert primal.index("with logged('fit'):") < primal.index("for _ in range(2):")
    adjoint = source[source.index("# adjoint sweep") :]
    assert "logged" not in adjoint  # only np.errstate is entered again in the adjoint sweep


def break_out_of_with(x):
    s = 0.0
    for i in range(3):
        with logged("step"):
            s = s + np.sum(x)
            if i == 1:
                break  # MARK
    return s


def return_inside_with(x):
    with logged("step"):
        if np.sum(x) > 0:
            return np.sum(x)  # MARK
        y = x * 2.0
    return np.sum(y)


def errstate_of_a_local(x):
    mode = "ignore"
    with np.errstate(divide=mode):  # MARK
        y = np.log(x)
    return np.sum(y)


@contextlib.contextmanager
def _doubled(a):
    yield a * 2.0


def manager_given_an_active_value(x):
    with _doubled(x) as v:  # MARK
        y = np.sum(v * x)
    return y


def test_a_value_from_a_manager_given_an_active_value_is_refused():
    with pytest.raises(s2s.NoRuleError) as info:
        s2s.grad(manager_given_an_active_value)(X)
    assert_located(info.value, manager_given_an_active_value, "# MARK", "`v` comes from a "
                   "context manager")


@pytest.mark.parametrize(
    "f, words",
    [
        (break_out_of_with, "`break` out of a `with` block"),
        (return_inside_with, "only as its last statement"),
        (errstate_of_a_local, "reads the local `mode`"),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_refused_with_blocks_name_the_cause(f, words):
    for derivative in (s2s.grad(f), lambda x: s2s.jvp(f)(x, V)):
        with pytest.raises(s2s.UnsupportedSyntaxError) as info:
            derivative(X)
        assert_located(info.value, f, "# MARK", words)


def divided_by_loop_int(x):
    s = 0.0
    for i in range(3):  # i is a Python int; x / 0 is numpy's inf, silenced
        with np.errstate(divide="ignore"):
            y = x / i
        s = s + np.sum(np.sin(np.where(np.isfinite(y), y, 0.0)))
    return s


def divided_by_int_zero(x):
    i = 0
    with np.errstate(divide="ignore"):
        y = x / i
    return np.sum(np.sin(np.where(np.isfinite(y), y, 1.0 * x)))


@pytest.mark.parametrize("f", [divided_by_loop_int, divided_by_int_zero], ids=lambda f: f.__name__)
def test_forward_mode_divides_by_a_python_int_zero_as_numpy(f):
    """The tangent of ``x / i`` is ``x_dot / i`` (numpy's division, silenced by the user's
    errstate), not ``x_dot * (1 / i)``, which raised ZeroDivisionError at ``i = 0``
    (fresh-108 F2)."""
    x = np.array([0.4, -0.9, 1.3])
    v = np.array([1.0, 0.5, -0.3])
    expected = hessian_by_differences(f, (x,))
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        value, tangent = s2s.jvp(f)(x, v)
        (_, second) = s2s.jvp(s2s.jvp(f))(x, v, v)[1]
        hvp = s2s.hvp(f)(x, v)
        hessian = s2s.hessian(f)(x)
    assert value == pytest.approx(f(x), rel=1e-12)
    assert tangent == pytest.approx(along(f, x, v), rel=1e-6)
    np.testing.assert_allclose(hvp, expected @ v, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(hessian, expected, rtol=1e-5, atol=1e-7)
    assert second == pytest.approx(v @ expected @ v, rel=1e-5)


def log_of_zero(x):
    with np.errstate(divide="ignore"):
        lg = np.log(np.abs(x) * 0.0)  # -inf everywhere, its partial 1 / 0
    return np.sum(np.where(np.isfinite(lg), lg, 0.0) * x + x**3)


def reciprocal_in_loop(x):
    s = 0.0
    for i in range(3):
        with np.errstate(divide="ignore"):
            r = 1.0 / (x * (i + 1))
        s = s + np.sum(np.where(np.isfinite(r), r, 0.0) * x**2)
    return s


SECOND_ORDER = [
    (log_of_zero, np.array([0.6, 1.2, -0.9])),
    (reciprocal_in_loop, np.array([0.0, 1.5, -0.7])),
    (divided_by_loop_int, np.array([0.4, -0.9, 1.3])),
]


@pytest.mark.parametrize(("f", "x"), SECOND_ORDER, ids=lambda a: getattr(a, "__name__", ""))
def test_second_order_keeps_the_errstate(f, x):
    """A derivative differentiated again keeps its ``with np.errstate`` blocks (the user's and
    its own quiet ones): ``jvp(jvp)`` and ``grad(grad)`` raised FloatingPointError (0 * inf,
    0 / 0) under ``errstate(all='raise')`` where f and first order do not (fresh-108 F3)."""
    v = np.array([1.0, 0.5, -0.3])
    expected = hessian_by_differences(f, (x,))
    gradient = s2s.grad(f)
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        (_, second) = s2s.jvp(s2s.jvp(f))(x, v, v)[1]
        reverse = s2s.grad(lambda z: np.sum(gradient(z) * v))(x)
    np.testing.assert_allclose(reverse, v @ expected, rtol=1e-5, atol=1e-6)
    assert second == pytest.approx(v @ expected @ v, rel=1e-5, abs=1e-6)
