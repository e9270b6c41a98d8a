"""A ``:=`` in the test of a guard (``if c: raise E(...)``) or of an ``assert`` binds a name the
code after it reads: its value is differentiated like any assignment's (fresh-123 report,
item 1: the check was kept whole, and the name had no gradient in reverse, forward, second
order and every ``checkpoint=``). A ``:=`` that binds only when the check fails (in the
message or the raise) is refused with a located error.

Each function is checked against central differences: its gradient (``value_and_grad``), its
JVP along ``V``, its HVP along ``V`` (central differences of the central-difference gradient)
and, for a ``for`` loop, its gradient under ``checkpoint=2`` and ``checkpoint="auto"``.
"""

import numpy as np
import pytest
from fixtures_asserts import guard_assert, state_advanced_in_assert, walrus_in_assert_message
from gradcheck import along, check_against_differences, numeric_gradient
from located import assert_located

import s2s

X = np.array([0.3, -0.4, 0.9])
V = np.array([1.0, -2.0, 0.5])


def guard_if(x):
    if (big := np.sum(x * x)) > 1e9:
        raise OverflowError("too big")
    return big * np.sum(np.sin(x))


def guard_beside_other_paths(x):
    y = np.sin(x)
    if (s := np.sum(y)) > 1e9:
        raise OverflowError("too big")
    return s * s + np.sum(y)


def guard_in_else(x):
    if np.sum(x) > 100.0:
        s = np.sum(x)
    else:
        if (s := np.sum(x * x * x)) > 1e9:
            raise OverflowError("too big")
    return s * s


def guard_in_elif(x):
    if np.sum(x) > 100.0:
        s = np.sum(x)
    elif (s := np.sum(x * x * x)) > 1e9:
        raise OverflowError("too big")
    return s * s


def guard_test_with_and(x):
    if (s := np.sum(x * x)) > 1e9 and s > 0:
        raise OverflowError("too big")
    return s * s


def guard_test_with_not(x):
    if not np.all(np.isfinite(y := np.exp(x))):
        raise FloatingPointError("overflow")
    return np.sum(y * x)


def guard_message_reads_the_name(x):
    if (s := np.sum(x * x)) > 1e9:
        raise OverflowError(f"too big: {s}")
    return s * 3.0


def guard_in_while(x):
    k = 0
    while k < 3:
        if (m := np.sum(x * x)) > 1e9:
            raise OverflowError("too big")
        x = np.sin(x) * m
        k = k + 1
    return np.sum(x)


def _checked_norm(x):
    if (s := np.sum(x * x)) > 1e9:
        raise OverflowError("too big")
    return s


def guard_in_helper(x):
    return _checked_norm(np.sin(x)) * np.sum(x)


def guard_in_try(x):
    try:
        if (s := np.sum(x * x)) > 1e9:
            raise OverflowError("big")
        out = s * 2.0
    except OverflowError:
        out = np.sum(x)
    return out


def guard_in_loop(x, n):
    for _i in range(n):
        if (m := np.max(np.abs(x))) > 1e9:
            raise OverflowError(m)
        x = np.sin(x) + m * 0.01
    return np.sum(x * x)


def state_advanced_in_guard_test(x, n):
    for _i in range(n):
        if np.max(x := np.sin(x) * 1.2) > 1e9:
            raise ValueError("big")
    return np.sum(x * x)


LOOPS = [guard_in_loop, state_advanced_in_guard_test, state_advanced_in_assert]
CASES = [
    (f, (X,)) for f in (guard_if, guard_assert, guard_beside_other_paths, guard_in_else,
                        guard_in_elif, guard_test_with_and, guard_test_with_not,
                        guard_message_reads_the_name, guard_in_while, guard_in_helper,
                        guard_in_try)
] + [(f, (X, 3)) for f in LOOPS]  # fmt: skip
IDS = [f.__name__ for f, _ in CASES]


def _hvp_by_differences(f, args, v, h=1e-4):
    """Central differences along ``v`` of the central-difference gradient in ``args[0]``."""
    moved = [numeric_gradient(f, (args[0] + s * h * v, *args[1:]), 0) for s in (1.0, -1.0)]
    return (moved[0] - moved[1]) / (2 * h)


@pytest.mark.parametrize("f, args", CASES, ids=IDS)
def test_reverse_mode_against_differences(f, args):
    check_against_differences(f, *args)


@pytest.mark.parametrize("f, args", CASES, ids=IDS)
def test_forward_mode_against_differences(f, args):
    value, tangent = s2s.jvp(f, wrt=0)(*args, V)
    assert value == pytest.approx(f(*args), rel=1e-12)
    assert tangent == pytest.approx(along(lambda x: f(x, *args[1:]), args[0], V), rel=1e-6)


@pytest.mark.parametrize("f, args", CASES, ids=IDS)
def test_hvp_against_differences(f, args):
    hv = s2s.hvp(f, wrt=0)(*args, V)
    np.testing.assert_allclose(hv, _hvp_by_differences(f, args, V), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("checkpoint", [2, "auto"])
@pytest.mark.parametrize("f", LOOPS, ids=lambda f: f.__name__)
def test_checkpointed_loop_against_differences(f, checkpoint):
    value, grad = s2s.value_and_grad(f, wrt=0, checkpoint=checkpoint)(X, 5)
    assert value == pytest.approx(f(X, 5), rel=1e-12)
    np.testing.assert_allclose(grad, numeric_gradient(f, (X, 5), 0), rtol=1e-6, atol=1e-8)


def guard_still_raises(x):
    if (s := np.sum(x * x)) > 1.0:
        raise OverflowError("too big")
    return s


def test_the_check_still_runs_on_the_bound_value():
    for derivative in (s2s.grad(guard_still_raises), lambda x: s2s.jvp(guard_still_raises)(x, V)):
        with pytest.raises(OverflowError, match="too big"):
            derivative(X * 10.0)
    np.testing.assert_allclose(s2s.grad(guard_still_raises)(X * 0.5), X, rtol=1e-12)


def walrus_in_raise(x):
    if np.sum(x) > 1e9:
        raise OverflowError(t := np.sum(x * x))  # noqa: F841  # MARK
    return np.sum(x)


@pytest.mark.parametrize("f", [walrus_in_assert_message, walrus_in_raise],
                         ids=lambda f: f.__name__)  # fmt: skip
def test_a_walrus_bound_only_when_the_check_fails_is_refused(f):
    for derivative in (s2s.grad(f), lambda x: s2s.jvp(f)(x, V)):
        with pytest.raises(s2s.UnsupportedSyntaxError) as info:
            derivative(X)
        assert_located(info.value, f, "# MARK", "`:=` in an `assert` message or in the `raise`")


CALLS = 0


class _Log:
    last = 0.0


LOG = _Log()


def walrus_in_global_write(x):
    global CALLS
    CALLS += int(s := np.sum(x * x)) * 0 + 1  # MARK
    return s


def walrus_in_attribute_write(x):
    LOG.last = (s := np.sum(x * x))  # MARK
    return s * 2.0


@pytest.mark.parametrize("f", [walrus_in_global_write, walrus_in_attribute_write],
                         ids=lambda f: f.__name__)  # fmt: skip
def test_a_walrus_in_a_side_effect_write_is_refused(f):
    """The write is kept whole as the user's side effect: the name would have no gradient."""
    for derivative in (s2s.grad(f), lambda x: s2s.jvp(f)(x, V)):
        with pytest.raises(s2s.UnsupportedSyntaxError) as info:
            derivative(X)
        assert_located(info.value, f, "# MARK", "`:=` inside a write to a global or an attr")
