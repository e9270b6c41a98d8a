"""``try`` statements inside the differentiated function (issue 11, item 3).

The primal sweep runs the real ``try``: the handler runs exactly when the body raises, and is
the arm differentiated then (the primal records which arm ran); ``finally`` runs once. Each
construct is checked against central differences in reverse and forward mode, on both arms,
and at second and third order (issue 9) against differences of the gradient and of the
second derivative.
"""

import numpy as np
import pytest
from gradcheck import along, check_against_differences, numeric_gradient
from located import assert_located

import s2s

X = np.array([[0.3, 0.5], [0.7, 0.2]])
V = np.array([[1.0, -2.0], [0.5, 0.25]])
LOG = []


def cholesky_or_fallback(x, shift):
    try:
        c = np.linalg.cholesky(x @ x.T + shift * np.eye(2))
        s = np.sum(c * c)
    except np.linalg.LinAlgError:
        s = np.sum(np.sin(x) ** 2)
    return s


def returns_from_both(x, bad):
    try:
        if bad:
            np.linalg.inv(np.zeros((2, 2)))
        return np.sum(np.tanh(x))
    except np.linalg.LinAlgError as error:
        LOG.append(type(error).__name__)
        return np.sum(x**3)


def with_else_and_finally(x, bad):
    total = np.sum(x)
    try:
        if bad:
            np.linalg.inv(np.zeros((2, 2)))
        z = np.sum(np.sin(x)) * total
    except np.linalg.LinAlgError:
        z = total * 3.0
    else:
        z = z * 2.0
    finally:
        LOG.append("finally")
    return z


def finally_only(x):
    try:
        s = np.sum(np.exp(x))
    finally:
        LOG.append("finally")
    return s * 2.0


def try_in_loop(x):
    s = 0.0
    for i in range(3):
        try:
            if i == 1:
                np.linalg.inv(np.zeros((2, 2)))
            h = np.sum(np.cos(x) * i)
        except np.linalg.LinAlgError:
            h = np.sum(x * x)
        s = s + h
    return s


def three_handlers(x, which):
    try:
        if which == 1:
            x.reshape(7)  # ValueError: cannot reshape
        if which == 2:
            np.linalg.inv(np.zeros((2, 2)))
        s = np.sum(np.sin(x))
    except ValueError as error:
        LOG.append(str(error))
        s = np.sum(x**2)
    except np.linalg.LinAlgError:
        s = np.sum(np.exp(x))
    except (TypeError, KeyError):
        s = 0.0
    return s * 2.0


def _logdet(a):
    c = np.linalg.cholesky(a)
    return 2.0 * np.sum(np.log(np.diag(c)))


def helper_raises_in_body(x, shift):
    try:
        s = _logdet(x @ x.T + shift * np.eye(2))  # a function of yours raising midway
    except np.linalg.LinAlgError:
        s = np.sum(x**2)
    return s


def key_or_computed_default(x, cfg):
    try:
        scale = cfg["scale"]
    except KeyError:
        scale = np.sum(x)  # the handler's value carries a gradient
    return np.sum(np.sin(x)) * scale


def _risky(a, i):
    if i == 2:
        raise ValueError("trip 2")
    return a * 2.0


def raises_midway_in_loop(x):
    s = 0.0
    for i in range(4):
        try:
            y = np.sin(x * (i + 1))  # overwritten in this trip before the body raises
            z = _risky(y, i)
        except ValueError:
            y = x * 3.0
            z = x
        s = s + np.sum(y * z)
    return s


def nested_try_in_loop(x):
    s = 0.0
    for i in range(3):
        try:
            y = np.sin(x) * (i + 1)
            try:
                z = _risky(y, i)
            except ValueError:
                z = y * y
            w = np.cos(z)
        except KeyError:
            w = x
            y = x
        s = s + np.sum(w * y)
    return s


def try_in_a_branch_in_a_loop(x):
    s = np.sum(x)
    for i in range(3):
        if s > 0:
            try:
                y = np.exp(x * i)
                z = _risky(y, i)
            except ValueError:
                y = x * 2.0
                z = np.sin(x)
            s = s + np.sum(y * z)
        else:
            s = s - 1.0
    return s


def _reshaped_or_not(x, n):
    try:
        x.reshape(n)  # called only for whether it raises (7: ValueError)
        s = np.sum(np.sin(x) ** 2)
    except ValueError:
        s = np.sum(np.cos(x) * x)
    return s


def _calls_reshaped_or_not(x, n):
    return _reshaped_or_not(x, n) + np.sum(x**3)


def reshape_checked_two_helpers_down(x, n):  # hvp refused it: "_reshaped_or_not has side
    return _calls_reshaped_or_not(x, n) * np.sum(x)  # effects" (an array method, none)


CASES = [
    (reshape_checked_two_helpers_down, (7,)),  # the handler runs
    (reshape_checked_two_helpers_down, (4,)),  # the body runs through
    (raises_midway_in_loop, ()),
    (nested_try_in_loop, ()),
    (try_in_a_branch_in_a_loop, ()),
    (helper_raises_in_body, (1.0,)),
    (helper_raises_in_body, (-100.0,)),
    (key_or_computed_default, ({"scale": 2.0},)),
    (key_or_computed_default, ({},)),
    (cholesky_or_fallback, (1.0,)),  # the body runs through
    (cholesky_or_fallback, (-100.0,)),  # not positive definite: the handler runs
    (returns_from_both, (False,)),
    (returns_from_both, (True,)),
    (with_else_and_finally, (False,)),
    (with_else_and_finally, (True,)),
    (finally_only, ()),
    (try_in_loop, ()),
    (three_handlers, (0,)),
    (three_handlers, (1,)),
    (three_handlers, (2,)),
]


@pytest.mark.parametrize("f, rest", CASES, ids=lambda v: getattr(v, "__name__", str(v)))
def test_reverse_mode_against_differences(f, rest):
    check_against_differences(f, X, *rest)


@pytest.mark.parametrize("f, rest", CASES, ids=lambda v: getattr(v, "__name__", str(v)))
def test_forward_mode_against_differences(f, rest):
    value, tangent = s2s.jvp(f)(X, *rest, V)
    assert value == pytest.approx(f(X, *rest), rel=1e-12)
    assert tangent == pytest.approx(along(lambda x: f(x, *rest), X, V), rel=1e-6)


@pytest.mark.parametrize("mode", ["grad", "vjp", "jvp"])
def test_finally_and_handler_run_once_per_call(mode):
    LOG.clear()
    if mode == "grad":
        s2s.grad(returns_from_both)(X, True)
        s2s.grad(with_else_and_finally)(X, True)
    elif mode == "vjp":
        s2s.vjp(returns_from_both)(X, True)[1](1.0)
        s2s.vjp(with_else_and_finally)(X, True)[1](1.0)
    else:
        s2s.jvp(returns_from_both)(X, True, V)
        s2s.jvp(with_else_and_finally)(X, True, V)
    assert LOG == ["LinAlgError", "finally"]


def test_handler_arm_gradient_is_the_handlers():
    g = s2s.grad(cholesky_or_fallback)(X, -100.0)
    np.testing.assert_allclose(g, 2 * np.sin(X) * np.cos(X), rtol=1e-12)


def test_generated_source_shows_try_except():
    source = s2s.grad(with_else_and_finally).source
    primal = source[: source.index("# adjoint sweep")]
    assert "except np.linalg.LinAlgError:" in primal and "finally:" in primal
    assert "else:" in primal


def handler_reads_body_value(x):
    try:
        y = np.sum(x)
        s = np.log(y)
    except FloatingPointError:
        s = y * 2.0  # MARK
    return s


def body_value_read_after(x):
    try:
        y = np.sum(x)  # MARK
        s = np.log(y)
    except FloatingPointError:
        s = 0.0
    return s + y


def write_in_body(x):
    out = np.zeros(2)
    try:
        out[0] = np.sum(x)  # MARK
    except ValueError:
        out = np.ones(2)
    return np.sum(out)


def break_out_of_try(x):
    s = 0.0
    for _ in range(2):
        try:
            s = s + np.sum(x)
            break  # MARK
        except ValueError:
            s = 0.0
    return s


@pytest.mark.parametrize(
    "f, words",
    [
        (handler_reads_body_value, "the handler reads `y`"),
        (body_value_read_after, "`y` is assigned in the `try` body and read after it"),
        (write_in_body, "a write into an array"),
        (break_out_of_try, "`break` out of a `try` statement"),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_refused_try_statements_name_the_cause(f, words):
    for derivative in (s2s.grad(f), lambda x: s2s.jvp(f)(x, V)):
        with pytest.raises(s2s.UnsupportedSyntaxError) as info:
            derivative(X)
        assert_located(info.value, f, "# MARK", words)


def _second(f, rest):
    """``v . grad f`` as a function of ``x``: its gradient is the Hessian times ``V``."""
    gradient = s2s.grad(f)
    if not rest:
        return lambda x: np.sum(gradient(x) * V)
    (last,) = rest
    return lambda x: np.sum(gradient(x, last) * V)


@pytest.mark.parametrize("f, rest", CASES, ids=lambda v: getattr(v, "__name__", str(v)))
def test_second_order_against_differences_of_the_gradient(f, rest):
    expected = along(lambda x: s2s.grad(f)(x, *rest), X, V)
    np.testing.assert_allclose(s2s.hvp(f)(X, *rest, V), expected, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2s.grad(_second(f, rest))(X), expected, rtol=1e-6, atol=1e-8)


THIRD = [
    (reshape_checked_two_helpers_down, (7,)),
    (reshape_checked_two_helpers_down, (4,)),
    (raises_midway_in_loop, ()),
    (nested_try_in_loop, ()),
    (cholesky_or_fallback, (1.0,)),
    (cholesky_or_fallback, (-100.0,)),
    (with_else_and_finally, (False,)),
    (with_else_and_finally, (True,)),
    (three_handlers, (1,)),
]


@pytest.mark.parametrize("f, rest", THIRD, ids=lambda v: getattr(v, "__name__", str(v)))
def test_third_order_against_differences_of_the_second(f, rest):
    second = s2s.grad(_second(f, rest))
    expected = along(second, X, V, h=1e-5)
    _, tangent = s2s.jvp(second)(X, V)
    np.testing.assert_allclose(tangent, expected, rtol=1e-5, atol=1e-7)
    third = s2s.grad(lambda x: np.sum(second(x) * V))(X)
    np.testing.assert_allclose(third, expected, rtol=1e-5, atol=1e-7)


def _check(limit):
    if limit > 50.0:
        raise ValueError("too large")


def _checked(x):
    try:
        _check(100.0)  # MARK
        s = np.sum(np.sin(x))
    except ValueError:
        s = np.sum(x)
    return s


def calls_checked(x):
    return _checked(x) ** 2


def test_helper_calling_for_its_effect_in_try_body_is_refused_at_second_order():
    np.testing.assert_allclose(s2s.grad(calls_checked)(X),
                               along_gradient(calls_checked), rtol=1e-6)  # fmt: skip
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.hvp(calls_checked)(X, V)
    assert_located(info.value, _checked, "# MARK", "called for its effect in a `try` body")


def along_gradient(f):
    return check_against_differences(f, X)[0]


# A name rebound from its own value where no new name is made for it: in a `try` with a
# `finally` and no handler (fresh-89 finding 1), and by `:=` at the top level. The adjoint of
# the rebinding must replace the old value's cotangent, not add to it (it added: grad off by
# exactly x), and the old value must come back for the partials that read it (`y = y * y`
# read the new one). Each is checked at first order against differences of the function and
# at second order against differences of its gradient written by hand (itself checked).
W = np.array([0.3, -0.2, 0.5])
U = np.array([1.0, 2.0, -1.0])


def body_rebinds(x):
    y = x * 1.0
    try:
        y = np.exp(y)
    finally:
        pass
    return np.sum(y * x)


def finally_rebinds(x):
    y = x * 1.0
    try:
        z = np.sin(y)
    finally:
        y = y * z
    return np.sum(y * x)


def body_augments(x):
    y = x * 1.0
    try:
        y += np.exp(y)
    finally:
        LOG.append("finally")
    return np.sum(y * x)


def returns_in_try(x):
    y = x * 1.0
    try:
        y = np.exp(y)
        return np.sum(y * x)
    finally:
        pass


def _squared(y):
    try:
        y = y * y
    finally:
        pass
    return y


def helper_rebinds(x):
    return np.sum(_squared(x) * x)


def parameter_rebinds(x):
    try:
        x = x * x
    finally:
        pass
    return np.sum(x * x)


def scalar_rebinds(x):
    s = np.sum(x)
    try:
        s = s * s
    finally:
        s = s + 1.0
    return s * x[0]


def walrus_rebinds(x):
    y = x * 1.0
    z = (y := np.exp(y)) * 2.0
    return np.sum(y * x) + np.sum(z)


def _scalar_gradient(x):
    s = np.sum(x)
    return 2.0 * s * x[0] + (s * s + 1.0) * (np.arange(x.size) == 0)


REBOUND = [  # (function, its gradient by hand)
    (body_rebinds, lambda x: np.exp(x) * (1.0 + x)),
    (finally_rebinds, lambda x: 2.0 * x * np.sin(x) + x * x * np.cos(x)),
    (body_augments, lambda x: 2.0 * x + np.exp(x) * (1.0 + x)),
    (returns_in_try, lambda x: np.exp(x) * (1.0 + x)),
    (helper_rebinds, lambda x: 3.0 * x * x),
    (parameter_rebinds, lambda x: 4.0 * x**3),
    (scalar_rebinds, _scalar_gradient),
    (walrus_rebinds, lambda x: np.exp(x) * (3.0 + x)),
]


@pytest.mark.parametrize("f, gradient", REBOUND, ids=lambda v: getattr(v, "__name__", ""))
def test_rebinding_first_order_against_differences(f, gradient):
    expected = numeric_gradient(f, [W], 0)
    np.testing.assert_allclose(gradient(W), expected, rtol=1e-6, atol=1e-8)  # the hand's
    np.testing.assert_allclose(s2s.grad(f)(W), expected, rtol=1e-6, atol=1e-8)
    value, pullback = s2s.vjp(f)(W)
    assert value == pytest.approx(f(W), rel=1e-12)
    np.testing.assert_allclose(pullback(2.0), 2.0 * expected, rtol=1e-6, atol=1e-8)
    _, tangent = s2s.jvp(f)(W, U)
    assert tangent == pytest.approx(along(f, W, U), rel=1e-6)


@pytest.mark.parametrize("f, gradient", REBOUND, ids=lambda v: getattr(v, "__name__", ""))
def test_rebinding_second_order_against_differences_of_the_gradient(f, gradient):
    expected = along(gradient, W, U)
    np.testing.assert_allclose(s2s.hvp(f)(W, U), expected, rtol=1e-6, atol=1e-8)
    second = s2s.grad(lambda x: np.sum(s2s.grad(f)(x) * U))(W)
    np.testing.assert_allclose(second, expected, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2s.hessian(f)(W) @ U, expected, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("f, gradient", REBOUND, ids=lambda v: getattr(v, "__name__", ""))
def test_rebinding_third_order_against_differences_of_the_gradient(f, gradient):
    w = np.array([0.5, -1.0, 0.2])
    product = lambda x: along(gradient, x, U, h=1e-4)  # noqa: E731 - H u of the hand's
    expected = along(product, W, w, h=1e-4)  # both steps 1e-4: error ~1e-8 relative
    third = s2s.jvp(s2s.jvp(s2s.grad(f)))(W, U, w)[1][1]
    np.testing.assert_allclose(third, expected, rtol=1e-5, atol=1e-6)
    second = s2s.grad(lambda x: np.sum(s2s.grad(f)(x) * U))
    third = s2s.grad(lambda x: np.sum(second(x) * w))(W)
    np.testing.assert_allclose(third, expected, rtol=1e-5, atol=1e-6)
