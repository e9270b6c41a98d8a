"""No silent NaN (issue 14): a non-finite gradient from finite arguments and value is reported
with the primal line, the operation and the value where it began; ``nan=`` decides how."""

import pickle
import warnings

import numpy as np
import pytest
from located import assert_located, line_of

import s2s
from s2s.reverse import nonfinite

HERE = __file__


def energy(x):
    d = x[:, None, :] - x[None, :, :]
    r = np.sqrt(np.sum(d**2, axis=-1))  # zero on the diagonal: sqrt at 0
    return np.sum(r)


def batch_norm(x, gamma, beta):
    mu = np.mean(x, axis=0)
    sd = np.std(x, axis=0)  # a batch of equal rows: zero variance
    xhat = (x - mu) / (sd + 1e-5)
    return np.sum(np.tanh(xhat * gamma + beta))


POINTS = np.array([[0.0, 1.0], [2.0, 0.5], [1.0, 1.0]])
ONE_ROW = np.array([[0.3, -1.2, 2.0]])
EQUAL_ROWS = np.array([[0.3, -1.2, 2.0], [0.3, -1.2, 2.0]])


def quiet(call):
    with np.errstate(all="ignore"):
        return call()


def caught(call):
    """The result of ``call`` and the s2s warnings it gave."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        result = quiet(call)
    return result, [w for w in seen if issubclass(w.category, s2s.NonFiniteGradientWarning)]


# -- the two cases of the issue ------------------------------------------------------------------


def test_sqrt_of_a_zero_pairwise_distance_warns_with_line_and_operation():
    g, seen = caught(lambda: s2s.grad(energy)(POINTS))
    assert np.isnan(g).all()
    assert len(seen) == 1
    text = str(seen[0].message)
    assert f"{HERE}:{line_of(energy, 'r = np.sqrt')}" in text
    assert "np.sqrt (sqrt at 0)" in text and "`x`" in text
    assert "r = np.sqrt(np.sum(d**2, axis=-1))" in text
    assert seen[0].filename == HERE  # the warning points at the caller's line


def test_batch_norm_over_a_batch_of_one_is_constant():
    # std over one entry is the constant 0 (so is x - mean): the gradient is 0, not 0 / 0
    with warnings.catch_warnings():
        warnings.simplefilter("error", s2s.NonFiniteGradientWarning)
        grads = quiet(lambda: s2s.grad(batch_norm, wrt=(0, 1, 2))(ONE_ROW, np.ones(3), 0.0))
    np.testing.assert_array_equal(grads[0], np.zeros_like(ONE_ROW))
    np.testing.assert_array_equal(grads[1], np.zeros(3))


def test_batch_norm_over_equal_rows_warns_with_std():
    grads, seen = caught(lambda: s2s.grad(batch_norm, wrt=(0, 1, 2))(EQUAL_ROWS, np.ones(3), 0.0))
    assert np.isnan(grads[0]).all() and np.isfinite(grads[1]).all()
    assert len(seen) == 1
    text = str(seen[0].message)
    assert f"{HERE}:{line_of(batch_norm, 'sd = np.std')}" in text
    assert "np.std (std with zero variance)" in text
    assert "`x`" in text and "`gamma`" not in text


@pytest.mark.parametrize(
    "f, args, line, words",
    [
        (energy, (POINTS,), "r = np.sqrt", "sqrt at 0"),
        (batch_norm, (EQUAL_ROWS, np.ones(3), 0.0), "sd = np.std", "std with zero variance"),
    ],
    ids=["sqrt", "std"],
)
def test_nan_raise_is_a_located_error(f, args, line, words):
    with pytest.raises(s2s.NonFiniteGradientError, match=words) as info:
        quiet(lambda: s2s.grad(f, nan="raise")(*args))
    assert_located(info.value, f, line)
    assert isinstance(info.value, FloatingPointError)


def test_value_and_grad_and_vjp_report_too():
    (value, g), seen = caught(lambda: s2s.value_and_grad(energy)(POINTS))
    assert np.isfinite(value) and np.isnan(g).all() and len(seen) == 1
    value, pullback = s2s.vjp(energy)(POINTS)
    g, seen = caught(lambda: pullback(2.0))
    assert np.isnan(g).all() and len(seen) == 1 and "sqrt at 0" in str(seen[0].message)
    with pytest.raises(s2s.NonFiniteGradientError):
        quiet(lambda: s2s.vjp(energy, nan="raise")(POINTS)[1](1.0))


def test_nan_ignore_returns_the_gradient_silently():
    g, seen = caught(lambda: s2s.grad(energy, nan="ignore")(POINTS))
    assert np.isnan(g).all() and not seen


# -- where it began: helpers, loops, float32 ------------------------------------------------------


def distance(a, b):
    return np.sqrt(np.sum((a - b) ** 2))


def through_helper(x):
    return distance(x[0], x[1]) + np.sum(x)


def in_a_loop(x, w):
    h = x * 1.0
    for _ in range(3):
        h = np.sqrt(h * h * w) + h
    return np.sum(h)


def test_inside_a_helper_the_helpers_line_is_named():
    g, seen = caught(lambda: s2s.grad(through_helper)(np.ones((2, 3))))
    assert np.isnan(g).all() and len(seen) == 1
    assert f"{HERE}:{line_of(distance, 'return np.sqrt')}" in str(seen[0].message)


def test_inside_a_loop_the_loops_line_is_named():
    g, seen = caught(lambda: s2s.grad(in_a_loop)(np.array([1.0, 0.0]), np.array([2.0, 1.0])))
    assert np.isfinite(g[0]) and np.isnan(g[1]) and len(seen) == 1
    assert f"{HERE}:{line_of(in_a_loop, 'h = np.sqrt')}" in str(seen[0].message)


def test_float32_is_checked_too():
    g, seen = caught(lambda: s2s.grad(energy)(POINTS.astype(np.float32)))
    assert g.dtype == np.float32 and len(seen) == 1


@pytest.mark.parametrize(
    "op, inputs, result, words",
    [
        (np.sqrt, [None], 0.0, "sqrt at 0"),
        (np.log, [0.0], None, "log at 0"),
        (np.arcsin, [1.0], None, "arcsin at 1"),
        (np.true_divide, [1.0, 0.0], None, "division by 0"),
        (np.power, [0.0, 0.5], None, "x ** y at x = 0, y = 0.5"),
        (np.std, [None], 0.0, "std with zero variance"),
    ],
)
def test_the_value_that_made_the_partial_infinite_is_described(op, inputs, result, words):
    assert nonfinite.describe(op, inputs, result) == words


# -- when there is nothing to say ----------------------------------------------------------------


def sqrt_sum(x):
    return np.sum(np.sqrt(x))


def log_sum(x):
    return np.sum(np.log(x))


def undefined_everywhere(x):
    return np.sum(s2s.undefined_grad(x, "no derivative"))


def selected_sqrt(s):
    return np.sum(np.where(s > 0.25, np.sqrt(s), 1.0))


@pytest.mark.parametrize(
    "call",
    [
        lambda: s2s.grad(sqrt_sum)(np.array([np.nan, 1.0])),  # a non-finite argument
        lambda: s2s.grad(log_sum)(np.array([0.0, 2.0])),  # a non-finite value
        lambda: s2s.value_and_grad(log_sum)(np.array([0.0, 2.0])),
        lambda: s2s.vjp(sqrt_sum)(np.array([0.0, 1.0]))[1](np.inf),  # a non-finite cotangent
        lambda: s2s.grad(undefined_everywhere, undefined="nan")(np.ones(2)),  # NaNs asked for
        lambda: s2s.grad(selected_sqrt)(np.array([0.0, 1.0])),  # finite: a selection
    ],
    ids=["argument", "value", "value_and_grad-value", "cotangent", "undefined-nan", "selection"],
)
def test_no_report_when_the_inputs_or_value_are_not_finite(call):
    _, seen = caught(call)
    assert not seen


def test_the_search_runs_only_after_a_non_finite_gradient(monkeypatch):
    def forbidden(call):
        raise AssertionError("the search ran on finite gradients")

    monkeypatch.setattr(nonfinite, "trace", forbidden)
    g = s2s.grad(through_helper)(np.array([[0.0, 1.0], [2.0, 0.5]]))
    assert np.isfinite(g).all()


def noisy(x, rng):
    if rng.random() > 0.5:  # the second run draws again, and takes the other arm
        return np.sqrt(np.sum(x * x))
    return np.sum(x)


def test_an_origin_not_found_again_is_said():
    draws = iter([0.9, 0.1])

    class Rng:
        def random(self):
            return next(draws)

    _, seen = caught(lambda: s2s.grad(noisy)(np.zeros(2), Rng()))
    assert len(seen) == 1 and "second run found no adjoint statement" in str(seen[0].message)


def test_the_option_is_checked_and_kept():
    with pytest.raises(ValueError, match="nan must be one of"):
        s2s.grad(energy, nan="maybe")
    clone = pickle.loads(pickle.dumps(s2s.grad(energy, nan="raise")))
    assert clone.options.nan == "raise"


def test_a_debuggers_tracer_is_restored():
    import sys

    def tracer(frame, event, arg):
        return None

    sys.settrace(tracer)
    try:
        caught(lambda: s2s.grad(energy)(POINTS))
        assert sys.gettrace() is tracer
    finally:
        sys.settrace(None)


# -- a line whose adjoint fuses several partials ---------------------------------------------------


def sqrt_of_product(x):
    return np.sum(np.sqrt(x * 2.0))


def sqrt_of_sum(x):
    return np.sum(np.sqrt(x + 1.0))


def sqrt_of_square(x):
    return np.sum(np.sqrt(x**2))


def sqrt_of_matmul(x, w):
    return np.sum(np.sqrt(x @ w))


@pytest.mark.parametrize(
    "f, args",
    [
        (sqrt_of_product, (np.array([0.0, 1.0]),)),
        (sqrt_of_sum, (np.array([-1.0, 1.0]),)),
        (sqrt_of_square, (np.array([0.0, -2.0]),)),
        (sqrt_of_matmul, (np.array([[1.0, 0.0]]), np.array([[0.0], [1.0]]))),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_a_fused_line_names_the_operation_whose_partial_is_infinite(f, args):
    """The adjoint of ``np.sqrt(x * 2.0)`` is one line (``0.5 / sqrt_1 * 2.0``): the report named
    the product (``np.multiply (multiply at 0)``), whose partials are finite, not the root."""
    with pytest.raises(s2s.NonFiniteGradientError) as info:
        quiet(lambda: s2s.grad(f, nan="raise")(*args))
    assert "np.sqrt (sqrt at 0)" in str(info.value)
    assert "np.sqrt(s + 1e-12)" in str(info.value)  # the root's advice


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
@pytest.mark.parametrize("size", [1, 7, 30, 1000])
def test_finite_finds_every_nan_and_infinity_and_no_other(dtype, size):
    """The check a gradient goes through: a NaN or an infinity at any entry of a contiguous or
    strided array is found; huge finite entries (whose squares overflow) are finite."""
    base = np.linspace(-2.0, 2.0, 2 * size).astype(dtype)
    for x in (base[:size], base[::2]):  # contiguous, strided
        assert nonfinite.finite(x)
        assert nonfinite.finite((x, x.reshape(-1, 1)))
        for bad in (np.nan, np.inf, -np.inf):
            for where in {0, size // 2, size - 1}:
                y = np.repeat(x, 2)[::2]  # x's entries, strided as x is or not
                y[where] = bad
                assert not nonfinite.finite(y), (bad, where)
                assert not nonfinite.finite((x, y))
        huge = np.full(size, np.finfo(dtype).max / 2, dtype)
        assert nonfinite.finite(huge) and nonfinite.finite(-huge)


# -- the check under numpy's error state (issue 12: the check is a dot product that can overflow)
WEIGHTS = np.array([1e200, 1.0])  # a gradient entry whose square overflows


def weighted_roots(x):
    return np.sum(WEIGHTS * np.sqrt(x))  # MARK: root


def scaled_sum(x):
    return np.sum(x) * 1e160


def test_the_check_uses_a_product_that_reads_no_floating_point_flag():
    """numpy's ``vdot`` (its sum of squares) reports no overflow, so the check sets no quiet
    error state; a numpy whose ``vdot`` did would get the quiet state instead (below)."""
    assert nonfinite._VDOT is not None
    huge = np.array([1e300, 1e300])
    with np.errstate(all="raise"):
        assert nonfinite._VDOT(huge, huge) == np.inf


@pytest.mark.parametrize("unchecked", [True, False])
@pytest.mark.parametrize("mode", ["raise", "warn", "call", "print"])
def test_the_check_neither_raises_nor_warns_nor_changes_the_error_state(
    mode, unchecked, capsys, monkeypatch
):
    """A huge finite gradient (its sum of squares overflows) is finite, silently: no
    FloatingPointError, RuntimeWarning, handler call or print, and the state is the caller's
    after the check, also where it then finds a NaN or an infinity; with ``vdot`` and with
    the dot product under the quiet error state (a numpy whose ``vdot`` reads the flags)."""
    if not unchecked:
        monkeypatch.setattr(nonfinite, "_VDOT", None)
    calls = []
    huge = np.array([1e300, -1e300, 1.0])
    old = np.seterrcall(lambda *a: calls.append(a))
    try:
        with warnings.catch_warnings(record=True) as seen, np.errstate(all=mode):
            warnings.simplefilter("always")
            before = np.geterr()
            assert nonfinite.finite(huge)
            assert nonfinite.finite(np.array([1e30, -1e30, 1.0], np.float32))
            assert nonfinite.finite(np.full((30, 40), 1e300))
            for bad in (np.nan, np.inf):
                assert not nonfinite.finite(np.array([1e300, bad, 1.0]))
            assert np.geterr() == before
            g = s2s.grad(scaled_sum)(np.ones(1000))
            assert (g == 1e160).all()
    finally:
        np.seterrcall(old)
    assert seen == [] and calls == [] and capsys.readouterr() == ("", "")  # print: stderr


@pytest.mark.parametrize("mode", ["raise", "warn"])
def test_a_non_finite_gradient_is_reported_under_a_strict_error_state(mode):
    """Under ``np.errstate(all=mode)`` (but for the division at 0 that makes the infinity,
    which numpy would report itself): the infinity is reported with its line, though the
    gradient's other entry squared overflows in the check, and no numpy error or warning
    comes of the check."""
    with warnings.catch_warnings(record=True) as seen, np.errstate(all=mode, divide="ignore"):
        warnings.simplefilter("always")
        g = s2s.grad(weighted_roots)(np.array([1.0, 0.0]))
    assert g[0] == 0.5e200 and g[1] == np.inf
    assert [w.category for w in seen] == [s2s.NonFiniteGradientWarning]
    text = str(seen[0].message)
    assert f"{HERE}:{line_of(weighted_roots, 'MARK: root')}" in text and "sqrt at 0" in text
    with np.errstate(all=mode, divide="ignore"), pytest.raises(s2s.NonFiniteGradientError):
        s2s.grad(weighted_roots, nan="raise")(np.array([1.0, 0.0]))


def test_numpy_reports_the_division_itself_under_its_strict_error_state():
    """Under ``np.errstate(all="raise")`` numpy's own FloatingPointError comes first, from the
    derivative's line (the check never sees the gradient)."""
    with np.errstate(all="raise"), pytest.raises(FloatingPointError):
        s2s.grad(weighted_roots)(np.array([1.0, 0.0]))


def logs(x):
    return np.sum(np.log(x))  # MARK: log


def test_an_overflowing_partial_of_a_defined_rule_is_reported():
    """np.log is defined at every positive number, but its partial 1/x overflows at a
    subnormal x: a finite argument and value, an infinite gradient. No rule in the function
    is undefined there, so the check cannot be skipped for such functions; numpy's error
    state silenced, s2s still reports it with its line."""
    x = np.array([1e-310, 1.0])
    assert np.isfinite(logs(x))
    g, seen = caught(lambda: s2s.grad(logs)(x))
    assert g[0] == np.inf and g[1] == 1.0
    assert len(seen) == 1 and "log at 1e-310" in str(seen[0].message)
    assert f"{HERE}:{line_of(logs, 'MARK: log')}" in str(seen[0].message)
