"""A loop value made inside a ``with`` block is not recomputed outside it, and a reversed
trip's recomputations do not repeat the primal's floating-point warnings (s2s/reverse/taping.py
``TapePlan._in_context``, s2s/codegen/contexts.py ``quiet_recomputations``).

docs/semantics.md section 8: the error state the user chose for a block governs what the
derivative computes of it. A reversed trip that recomputed ``y = np.log(x * i)`` at its top ran
it outside the user's ``np.errstate(divide="ignore")``: under ``np.errstate(all="raise")``
``f`` ran and ``s2s.grad(f)`` raised; by default it warned where ``f`` did not. Values are
checked against central differences at first and second order.
"""

import contextlib
import warnings

import numpy as np
import pytest
from gradcheck import check_against_differences as check

import s2s

X = np.array([1.0, 2.0])
V = np.array([0.3, -0.7])


def silenced_log(x):
    s = 0.0
    for i in range(3):
        with np.errstate(divide="ignore"):
            y = np.log(x * i)  # log(0) at i = 0, silenced by the user
        s = s + np.sum(np.where(y > -1e300, y * x, 0.0))
    return s


def silenced_sqrt(x):
    s = 0.0
    for i in range(3):
        with np.errstate(invalid="ignore"):
            y = np.sqrt(x - i)  # sqrt(-0.5) at i = 2 for x = 1.5, silenced by the user
        s = s + np.sum(np.where(x > i, y * np.sin(x), 0.0))
    return s


def suppressed(x):
    s = 0.0
    for i in range(3):
        with contextlib.suppress(FloatingPointError), np.errstate(invalid="raise"):
            y = np.sqrt(x - i)  # raises at i = 2 for x = 1.5: y keeps the trip before's
        s = s + np.sum(y * np.sin(x))
    return s


def overflowing_once(x):
    s = 0.0
    for i in range(3):
        y = np.exp(x * 400.0)  # overflows in every trip; the reversed loop makes it once
        s = s + np.sum(np.where(y < 1e300, y, 0.0)) * i
    return s


def overflowing(x):
    s = 0.0
    for i in range(3):
        y = np.exp(x * i * 400.0)  # overflows at i = 1, 2: warns once per trip
        s = s + np.sum(np.where(y < 1e300, y, 0.0))
    return s


def _recomputed(derivative, *args):
    derivative(*args)
    notes = [line for line in derivative.source.splitlines() if "recomputed, not taped" in line]
    return " ".join(notes)


def test_a_value_made_under_errstate_is_not_recomputed_outside_it():
    derivative = s2s.grad(silenced_log)
    assert " y" in _recomputed(derivative, X)  # recomputed, quietly: the primal's errors
    reversed_loop = derivative.source[derivative.source.index("(reversed)"):]
    quiet = reversed_loop.index("with _np.errstate(all='ignore'):")
    assert quiet < reversed_loop.index("y = _np.log(") < reversed_loop.index("# line")
    with np.errstate(all="raise"):
        silenced_log(X)  # the primal runs
        gradient = s2s.grad(silenced_log)(X)  # and so does its gradient
    expected = X * 0.0
    for i in (1, 2):
        expected = expected + np.log(X * i) + 1.0
    np.testing.assert_allclose(gradient, expected, rtol=1e-12)


def test_errstate_in_a_loop_body_against_differences_without_warnings():
    x = np.array([1.5, 2.5, 3.5])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # f warns nothing: neither may its derivatives
        check(silenced_log, X)
        check(silenced_sqrt, x)
        with np.errstate(all="raise"):
            s2s.grad(silenced_sqrt)(x)
            s2s.grad(silenced_log)(X)


@pytest.mark.parametrize("f", [silenced_sqrt, silenced_log])
def test_errstate_in_a_loop_body_at_second_order(f):
    x = np.array([1.5, 2.5, 3.5])
    v = np.array([0.3, -0.7, 0.2])
    gradient = s2s.grad(f)
    h = 1e-5
    differences = (gradient(x + h * v) - gradient(x - h * v)) / (2 * h)

    def directional(x):
        return s2s.grad(f)(x) @ v

    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        f(x)
        second = [s2s.hvp(f)(x, v), s2s.hessian(f)(x) @ v]
        if f is silenced_sqrt:
            second.append(s2s.grad(directional)(x))
    if f is silenced_log:  # grad of grad: a loop's masked partials (0 * -inf) are not yet
        with np.errstate(invalid="ignore"):  # computed quietly (reverse/sweep.py
            second.append(s2s.grad(directional)(x))  # quiet_partials skips taped sweeps)
    for value in second:
        np.testing.assert_allclose(value, differences, rtol=1e-6, atol=1e-9)


def test_a_value_a_manager_may_have_kept_from_an_exception_is_taped():
    x = np.array([1.5, 2.5, 3.5])
    assert " y" not in _recomputed(s2s.grad(suppressed), x)
    check(suppressed, x)


def _runtime_warnings(call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    return [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]


def test_a_value_made_once_before_the_reversed_loop_does_not_repeat_the_warning():
    with np.errstate(over="ignore"):
        assert "y" in _recomputed(s2s.grad(overflowing_once), X)  # recomputed, not taped
    primal = _runtime_warnings(lambda: overflowing_once(X))
    assert primal == ["overflow encountered in exp"] * 3
    assert _runtime_warnings(lambda: s2s.grad(overflowing_once)(X)) == primal
    with np.errstate(over="ignore"):
        check(overflowing_once, X)


def test_the_primals_own_errors_still_raise():
    with np.errstate(over="raise"), pytest.raises(FloatingPointError, match="overflow"):
        s2s.grad(overflowing)(X)
    with pytest.warns(RuntimeWarning, match="overflow"):
        s2s.grad(overflowing)(X)
