"""One test per table row of docs/semantics.md: kinds, options, messages, accumulation, cuts,
dtypes, conventions at non-differentiable points, selection masks and several outputs.

Each test is named after its row. Values are checked exactly where the convention fixes them,
and against central differences (float64) where the function is smooth.
"""

import re
import sys
import warnings

import numpy as np
import pytest
from gradcheck import numeric_gradient
from located import assert_located, line_of, where

import s2s

RNG = np.random.default_rng(11)
CALLS = []


# -- helpers -------------------------------------------------------------------------------------


def grad(f, *args, **options):
    """``s2s.grad(f, **options)(*args)`` with numpy's inf/nan warnings silenced."""
    with np.errstate(all="ignore"):
        return s2s.grad(f, **options)(*args)


def warned(words):
    """A context in which exactly one ``NonFiniteGradientWarning`` containing ``words`` comes."""
    return pytest.warns(s2s.NonFiniteGradientWarning, match=re.escape(words))


def exact(actual, expected, dtype=np.float64):
    """``actual`` is an ndarray of ``dtype`` equal to ``expected`` entry by entry (NaN == NaN)."""
    assert isinstance(actual, np.ndarray), type(actual)
    assert actual.dtype == dtype, actual.dtype
    np.testing.assert_array_equal(actual, np.asarray(expected, dtype=dtype))


def agrees(f, args, index, actual, symmetric=False):
    expected = numeric_gradient(f, args, index, symmetric=symmetric)
    np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=1e-8)


# -- the primal functions ------------------------------------------------------------------------


def smooth(x):
    return np.sum(np.sin(x) * x + x * x)


def only_y(x, y):
    return np.sum(y)


def only_len(x, y):
    n = len(x)
    return np.sum(y) * n


def only_shape(x, y):
    n = x.shape[0]
    return np.sum(y) * n


def only_zeros_like(x, y):
    z = np.zeros_like(x)
    return np.sum(y + z)


def only_stop_gradient(x):
    return np.sum(s2s.stop_gradient(x) * 3.0)


def through_floor(x):
    return np.sum(np.floor(x) * 2.0)


def through_round(x):
    return np.sum(np.round(x) * 2.0)


def through_sign(x):
    return np.sum(np.sign(x) * 2.0)


def through_comparison(x):
    return np.sum((x > 0) * 2.0)


def through_zero_grad(x):
    return np.sum(s2s.zero_grad(x) * 3.0)


def declared_undefined(x):
    a = s2s.undefined_grad(x, "no derivative")
    return np.sum(a * 2.0)


def undefined_f32(x):
    return np.sum(s2s.undefined_grad(x, "no derivative"))


def undefined_for_x_only(x, y):
    a = s2s.undefined_grad(x, "r")
    return np.sum(a * y)


def long_path(x, y):
    h = x * 2.0
    g = h + y
    k = np.tanh(g)
    a = s2s.undefined_grad(k, "no gradient here")
    return np.sum(a)


def two_causes(x):
    c = x * 3.0
    b = s2s.undefined_grad(x, "second")
    a = x * 2.0
    a = s2s.undefined_grad(a, "first")
    return np.sum(a + c + b)


def svd_extra_columns(a):
    u, s, vh = np.linalg.svd(a)
    return np.sum(u[:, 2])


def qr_extra_columns(a):
    q, r = np.linalg.qr(a, mode="complete")
    return np.sum(q[:, 3])


def qr_kept_columns(a):
    q, r = np.linalg.qr(a, mode="complete")
    return np.sum(q[:, :3] * r[0])


def disconnected_plus_dense(x):
    n = len(x)
    return np.sum(x * 2.0) + n


def zero_plus_disconnected(x):
    return np.sum(np.floor(x) + s2s.stop_gradient(x))


def disconnected_plus_zero(x):
    return np.sum(s2s.stop_gradient(x) + np.floor(x))


def zero_plus_dense(x):
    return np.sum(np.sign(x) * 5.0 + x * 2.0)


def dense_plus_zero(x):
    return np.sum(x * 2.0 + np.sign(x) * 5.0)


def undefined_plus_dense(x):
    return np.sum(s2s.undefined_grad(x, "r") + x * 3.0)


def dense_plus_undefined(x):
    return np.sum(x * 3.0 + s2s.undefined_grad(x, "r"))


def undefined_plus_zero(x):
    return np.sum(s2s.undefined_grad(x, "r") + np.floor(x))


def zero_plus_undefined(x):
    return np.sum(np.floor(x) + s2s.undefined_grad(x, "r"))


def floor_of_sqrt(x):
    return np.sum(np.floor(np.sqrt(x)))


def stop_times_x(x):
    return np.sum(s2s.stop_gradient(x) * x)


def undefined_times_three(x):
    return np.sum(s2s.undefined_grad(x, "r") * 3.0)


def zero_grad_over_undefined(x):
    a = s2s.zero_grad(x)
    b = s2s.undefined_grad(a, "r")
    return np.sum(b + x)


def stop_gradient_over_undefined(x):
    a = s2s.stop_gradient(x)
    b = s2s.undefined_grad(a, "r")
    return np.sum(b + x)


def stop_gradient_over_undefined_only(x):
    a = s2s.stop_gradient(x)
    b = s2s.undefined_grad(a, "r")
    return np.sum(b * 2.0)


def undefined_under_zero_grad(x):
    return np.sum(s2s.zero_grad(s2s.undefined_grad(x, "r")) + x)


def square(x):
    return x * x


def mean_twice(x):
    return np.mean(x * 2.0)


def mean_of_product(x, y):
    return np.mean(x * y * 2.0)


def float64_scalar_times(x):
    return np.sum(x * np.float64(2.0))


def promoted_by_a_constant(x, w):
    y = x * np.float64(2.0)  # NEP 50: float64
    z = np.sin(y) * y
    return np.sum(np.tanh(z) @ w)


def promoted_in_a_loop(x):
    s = x * np.float64(0.5)
    for _ in range(2):
        s = np.sin(s) * s
    return np.sum(s[1:])


def adjoint_dtypes(derivative, *args) -> dict[str, set]:
    """Call ``derivative`` and record the dtype of every cotangent (``d_*`` locals) of its
    generated function at every line: what the adjoint sweep computes in."""
    derivative(*args)
    code = derivative._latest.compiled.function.__code__
    seen: dict[str, set] = {}

    def tracer(frame, event, arg):
        if frame.f_code is not code:
            return None
        for var, value in frame.f_locals.items():
            if var.startswith("d_") and value is not None and hasattr(value, "dtype"):
                seen.setdefault(var, set()).add(np.dtype(value.dtype).name)
        return tracer

    sys.settrace(tracer)
    try:
        derivative(*args)
    finally:
        sys.settrace(None)
    return seen


def gather(x, idx):
    return np.sum(x[idx])


def gather_scaled(x, idx):
    return np.sum(x[idx] * 1.0)


def product(x, y):
    return np.sum(x * y)


def int_cast(x):
    return np.sum(x.astype(np.int64) * 2.0)


def counted(x, n):
    CALLS.append(1)
    return np.sum(x * n)


def absolute(x):
    return np.sum(np.abs(x))


def maximum_reduction(x):
    return np.max(x)


def minimum_reduction(x):
    return np.min(x)


def maximum_rows(x):
    return np.sum(np.max(x, axis=1))


def elementwise_maximum(x, y):
    return np.sum(np.maximum(x, y))


def elementwise_minimum(x, y):
    return np.sum(np.minimum(x, y))


def clip_between(x, lo, hi):
    return np.sum(np.clip(x, lo, hi))


def relu_maximum(x):
    return np.sum(np.maximum(x, 0.0))


def relu_clip(x):
    return np.sum(np.clip(x, 0, None))


def relu_where(x):
    return np.sum(np.where(x > 0, x, 0.0))


def norm(x):
    return np.linalg.norm(x)


def hypot(x, y):
    return np.sum(np.hypot(x, y))


def arctan2(y, x):
    return np.sum(np.arctan2(y, x))


def prod(x):
    return np.prod(x)


def cumprod(x):
    return np.sum(np.cumprod(x))


def det(a):
    return np.linalg.det(a)


def power_zero(x):
    return np.sum(x**0.0)


def power(x, y):
    return np.sum(x**y)


def steps(x):
    return np.sum(np.round(x) + np.floor(x) + np.sign(x) + (x > 0))


def sqrt(x):
    return np.sum(np.sqrt(x))


def log(x):
    return np.sum(np.log(x))


def arcsin(x):
    return np.sum(np.arcsin(x))


def std(x):
    return np.std(x)


def var(x):
    return np.var(x)


def sort_weighted(x, w):
    return np.sum(np.sort(x) * w)


def argsort_weighted(x, w):
    return np.sum(x[np.argsort(x, kind="stable")] * w)


def median(x):
    return np.median(x)


def where_sqrt(s):
    r = np.sqrt(s)
    return np.sum(np.where(r > 0.5, r, 1.0))


def entropy_term(p):
    return np.sum(np.where(p > 0, p * np.log(p), 0.0))


def guarded_exp(x):
    return np.sum(np.where(x < 100.0, np.exp(x), 0.0))


def maximum_of_sqrt(s):
    return np.sum(np.maximum(np.sqrt(s), 0.5))


def minimum_of_sqrt(s):
    return np.sum(np.minimum(-np.sqrt(s), -0.5))


def clip_of_sqrt(s):
    return np.sum(np.clip(np.sqrt(s), 0.5, 2.0))


def slice_of_sqrt(s):
    r = np.sqrt(s)
    return np.sum(r[1:])


def mask_of_sqrt(s):
    r = np.sqrt(s)
    return np.sum(r[s > 0])


def fancy_of_sqrt(s):
    r = np.sqrt(s)
    return np.sum(r[np.array([1, 2, 2])])


def mask_through_elementwise(s):
    r = np.sqrt(s)
    t = np.tanh(r) * 2.0 + 1.0
    return np.sum(np.where(s > 0, t, 0.0))


def mask_through_broadcast(s, b):
    t = np.sqrt(s) + b
    return np.sum(np.where(t > 1.0, t, 0.0))


def mask_through_reshape(s):
    r = np.sqrt(s).reshape(2, 2)
    t = r.T
    return np.sum(np.where(t > 0.5, t, 0.0))


def mask_through_indexing(s):
    r = np.sqrt(s)
    t = r[::-1]
    return np.sum(np.where(t > 0.5, t, 0.0))


def mask_after_matmul(s, w):
    r = np.sqrt(s) @ w
    return np.sum(np.where(r > 0.5, r, 0.0))


def mask_after_reduction(s):
    r = np.sum(np.sqrt(s), axis=1)
    return np.sum(np.where(r > 0.5, r, 0.0))


def mask_after_linalg(s):
    r = np.linalg.inv(np.sqrt(s) + np.eye(2))
    return np.sum(np.where(r > 5.0, r, 0.0))


def mask_before_matmul(s, w):
    r = np.sqrt(s)
    return np.sum(np.where(s > 0, r, 0.0) @ w)


def sqrt_times_sqrt(s):
    return np.sum(np.sqrt(s) * np.sqrt(s))


def sqrt_matmul(s, w):
    return np.sum(np.sqrt(s) @ w)


def no_selection(x):
    return np.sum(np.tanh(x) * np.sqrt(x) + np.log(x))


def selection_of_tanh(x):
    return np.sum(np.where(x > 0, np.tanh(x), 0.0))


def logdet(a):
    sign, ld = np.linalg.slogdet(a)
    return ld


def slogdet_sign(a):
    sign, ld = np.linalg.slogdet(a)
    return sign * 1.0


def eigenvalue_sum(a):
    return np.sum(np.linalg.eigh(a)[0])


def eigenvalue_attribute(a):
    return np.sum(np.linalg.eigh(a).eigenvalues)


def eigenvalue_squares(a):
    return np.sum(np.linalg.eigh(a)[0] ** 2 * np.array([1.0, 2.0, 3.0]))


def singular_value_sum(a):
    return np.sum(np.linalg.svd(a)[1])


def two_outputs(x):
    return x * 2.0, np.sin(x)


X2 = np.array([0.3, -1.2])
Y2 = np.array([1.0, 2.0])


# == 1. Four kinds of cotangent ==================================================================


def test_kind_dense():
    g = grad(smooth, X2)
    assert g.dtype == np.float64
    np.testing.assert_allclose(g, np.sin(X2) + X2 * np.cos(X2) + 2 * X2, rtol=1e-15)
    agrees(smooth, (X2,), 0, g)


@pytest.mark.parametrize(
    "func, args",
    [
        (only_y, (X2, Y2)),
        (only_len, (X2, Y2)),
        (only_shape, (X2, Y2)),
        (only_zeros_like, (X2, Y2)),
        (only_stop_gradient, (X2,)),
    ],
    ids=["unused", "len", "shape", "zeros_like", "stop_gradient"],
)
def test_kind_disconnected(func, args):
    exact(grad(func, *args, wrt=0), np.zeros(2))
    assert grad(func, *args, wrt=0, disconnected="none") is None
    with pytest.raises(s2s.DisconnectedGradientError):
        grad(func, *args, wrt=0, disconnected="raise")


@pytest.mark.parametrize(
    "func",
    [through_floor, through_round, through_sign, through_comparison, through_zero_grad, int_cast],
)
def test_kind_zero(func):
    x = np.array([-1.5, 0.5])
    for option in ("zero", "none", "warn", "raise"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            exact(grad(func, x, disconnected=option), np.zeros(2))


def test_kind_undefined():
    with pytest.raises(s2s.UndefinedGradientError, match="no derivative"):
        grad(declared_undefined, X2)
    with pytest.raises(s2s.UndefinedGradientError, match="numpy.linalg.svd"):
        grad(svd_extra_columns, RNG.standard_normal((3, 2)))


# -- what you see, option by option (the matrix) -------------------------------------------------

ALL_OPTIONS = [
    {"disconnected": d, "undefined": u}
    for d in ("zero", "none", "warn", "raise")
    for u in ("raise", "nan", "return")
]


def test_option_matrix_dense():
    expected = grad(smooth, X2)
    for options in ALL_OPTIONS:
        exact(grad(smooth, X2, **options), expected)


def test_option_matrix_disconnected():
    for options in ALL_OPTIONS:
        d = options["disconnected"]
        if d == "raise":
            with pytest.raises(s2s.DisconnectedGradientError):
                grad(only_y, X2, Y2, wrt=0, **options)
        elif d == "warn":
            with pytest.warns(UserWarning, match="`x`"):
                exact(grad(only_y, X2, Y2, wrt=0, **options), np.zeros(2))
        elif d == "none":
            assert grad(only_y, X2, Y2, wrt=0, **options) is None
        else:
            exact(grad(only_y, X2, Y2, wrt=0, **options), np.zeros(2))


def test_option_matrix_zero():
    for options in ALL_OPTIONS:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            exact(grad(through_floor, X2, **options), np.zeros(2))


def test_option_matrix_undefined():
    for options in ALL_OPTIONS:
        u = options["undefined"]
        if u == "raise":
            with pytest.raises(s2s.UndefinedGradientError):
                grad(declared_undefined, X2, **options)
        elif u == "nan":
            exact(grad(declared_undefined, X2, **options), [np.nan, np.nan])
        else:
            assert isinstance(grad(declared_undefined, X2, **options), s2s.Undefined)


# -- the rows with examples ----------------------------------------------------------------------


def test_option_disconnected_default():
    gx, gy = grad(only_y, X2, Y2, wrt=(0, 1))
    exact(gx, np.zeros(2))
    exact(gy, np.ones(2))
    g32 = grad(only_y, X2.astype(np.float32), Y2, wrt=0)
    exact(g32, np.zeros(2), np.float32)
    g = grad(only_y, 1.5, Y2, wrt=0)
    assert type(g) is np.float64 and g == 0.0


def test_option_disconnected_none():
    gx, gy = grad(only_y, X2, Y2, wrt=(0, 1), disconnected="none")
    assert gx is None
    exact(gy, np.ones(2))


def test_option_disconnected_warn():
    # every call warns, not only the one that generated the derivative
    derivative = s2s.grad(only_y, wrt=0, disconnected="warn")
    for _ in range(2):
        with pytest.warns(UserWarning, match="the output does not depend on `x`") as seen:
            exact(derivative(X2, Y2), np.zeros(2))
        assert seen[0].filename == __file__  # the caller's line


def test_option_disconnected_raise():
    with pytest.raises(s2s.DisconnectedGradientError) as info:
        grad(only_y, X2, Y2, wrt=(0, 1), disconnected="raise")
    assert isinstance(info.value, ValueError) and isinstance(info.value, s2s.S2SError)
    message = str(info.value)
    assert "`x`" in message and "`y`" not in message
    assert where(only_y, "return np.sum(y)") in message
    assert "disconnected='zero'" in message


def test_option_disconnected_through_metadata():
    with pytest.raises(s2s.DisconnectedGradientError) as info:
        grad(only_shape, X2, Y2, wrt=0, disconnected="raise")
    message = str(info.value)
    assert f"only used for its shape at line {line_of(only_shape, 'x.shape')}" in message


def test_option_zero_under_raise():
    for func in (through_sign, through_zero_grad):
        exact(grad(func, np.array([-1.0, 2.0]), disconnected="raise"), np.zeros(2))


def test_option_undefined_raise():
    with pytest.raises(s2s.UndefinedGradientError) as info:
        grad(declared_undefined, X2)
    assert isinstance(info.value, ValueError) and isinstance(info.value, s2s.S2SError)
    assert where(declared_undefined, "undefined_grad") in str(info.value)


def test_option_undefined_nan():
    exact(grad(declared_undefined, X2, undefined="nan"), [np.nan, np.nan])
    g32 = grad(undefined_f32, np.ones(3, np.float32), undefined="nan")
    exact(g32, np.full(3, np.nan), np.float32)


def test_option_undefined_return():
    marker = grad(declared_undefined, X2, undefined="return")
    assert isinstance(marker, s2s.Undefined)
    (cause,) = marker.causes
    assert (cause.op, cause.argument, cause.reason) == ("undefined_grad", "x", "no derivative")
    assert (cause.filename, cause.lineno) == (
        declared_undefined.__code__.co_filename,
        line_of(declared_undefined, "undefined_grad"),
    )
    # the path: each variable the marker passed into, with the line of the operation it came
    # back through, nearest the cause first
    marker = grad(long_path, X2, Y2, wrt=0, undefined="return")
    assert marker.causes[0].path == (
        f"g (line {line_of(long_path, 'k = ')})",
        f"h (line {line_of(long_path, 'g = ')})",
        f"x (line {line_of(long_path, 'h = ')})",
    )


def test_option_undefined_not_requested():
    exact(grad(undefined_for_x_only, np.ones(2), Y2, wrt=1), np.ones(2))
    gx, gy = grad(undefined_for_x_only, np.ones(2), Y2, wrt=(0, 1), undefined="nan")
    exact(gx, [np.nan, np.nan])
    exact(gy, np.ones(2))


def test_option_dense():
    g = grad(smooth, X2, disconnected="raise", undefined="raise")
    agrees(smooth, (X2,), 0, g)


def test_options_apply_to_value_and_grad_and_vjp():
    value, g = s2s.value_and_grad(only_y, wrt=0, disconnected="none")(X2, Y2)
    assert value == 3.0 and g is None
    value, g = s2s.value_and_grad(declared_undefined, undefined="nan")(X2)
    exact(g, [np.nan, np.nan])
    with pytest.raises(s2s.DisconnectedGradientError):
        s2s.vjp(only_y, wrt=0, disconnected="raise")(X2, Y2)[1](1.0)
    _, pullback = s2s.vjp(declared_undefined, undefined="return")(X2)
    assert isinstance(pullback(1.0), s2s.Undefined)


# -- the error messages --------------------------------------------------------------------------


def test_message_undefined():
    with pytest.raises(s2s.UndefinedGradientError) as info:
        grad(two_causes, X2)
    message = str(info.value)
    second, first = line_of(two_causes, '"second"'), line_of(two_causes, '"first"')
    file = two_causes.__code__.co_filename
    assert "`x`" in message and "2 cause(s)" in message
    assert message.index(f"{file}:{second}: second") < message.index(f"{file}:{first}: first")
    assert f"reaches the argument through x (line {line_of(two_causes, 'a = x * 2.0')})" in message
    for advice in ("s2s.stop_gradient", "s2s.zero_grad", 'undefined="return"'):
        assert advice in message
    assert re.search(r"\bnan\b", message, re.IGNORECASE) is None, message

    with pytest.raises(s2s.UndefinedGradientError) as info:
        grad(long_path, X2, Y2, wrt=(0, 1))
    lines = [line_of(long_path, text) for text in ("k = ", "g = ", "h = ")]
    trail = f"g (line {lines[0]}) -> h (line {lines[1]}) -> x (line {lines[2]})"
    assert trail in str(info.value)
    assert "undefined_grad of `k`" in str(info.value)
    assert "no gradient here" in str(info.value)


@pytest.mark.parametrize(
    "func, marker, what",
    [
        (only_shape, "x.shape", "shape"),
        (only_len, "len(x)", "len"),
        (only_zeros_like, "np.zeros_like(x)", "zeros_like"),
    ],
    ids=["shape", "len", "zeros_like"],
)
def test_message_disconnected(func, marker, what):
    with pytest.raises(s2s.DisconnectedGradientError) as info:
        grad(func, X2, Y2, wrt=0, disconnected="raise")
    message = str(info.value)
    assert "the output does not depend on `x`" in message
    assert where(func, "return") in message
    assert f"line {line_of(func, marker)}" in message, message


@pytest.mark.parametrize(
    "value, words",
    [
        (np.array([3, 4]), "int64"),
        (np.array([True, False]), "bool"),
        (np.array([3, 4], dtype=np.uint8), "uint8"),
        (3, "int"),
        (np.array([1 + 2j, 0j]), "complex128"),
    ],
    ids=["int64", "bool", "uint8", "python-int", "complex"],
)
def test_message_dtype(value, words):
    CALLS.clear()
    with pytest.raises(s2s.DtypeError) as info:
        grad(counted, np.ones(2), value, wrt=1)
    assert isinstance(info.value, TypeError) and isinstance(info.value, s2s.S2SError)
    assert "`n`" in str(info.value) and words in str(info.value)
    assert CALLS == []  # raised before the function ran


def two_outputs_chained(x):
    y = np.sin(x) * x
    return y * 2.0, np.tanh(y)


def test_message_no_marker_code_without_undefined_grad():
    plain = s2s.grad(smooth).source
    for word in ("undefined", "marker", "_s2s.add(", "is not None"):
        assert word not in plain
    assert "_s2s.undefined_of" in s2s.grad(two_causes).source
    # a missing cotangent: the pullback of a tuple output may get None for either output
    pullback_source = s2s.vjp(two_outputs_chained).source
    assert "_s2s.add(" in pullback_source and "is not None" in pullback_source
    assert "undefined" not in pullback_source
    assert "_s2s.add(" not in s2s.vjp(smooth).source


# == 2. Accumulation =============================================================================


def test_algebra_disconnected_plus_x():
    exact(grad(disconnected_plus_dense, X2, disconnected="raise"), [2.0, 2.0])
    exact(grad(stop_times_x, X2, disconnected="raise"), X2)


def test_algebra_zero_plus_disconnected():
    for func in (zero_plus_disconnected, disconnected_plus_zero):
        exact(grad(func, X2, disconnected="raise"), np.zeros(2))


def test_algebra_zero_plus_dense():
    for func in (zero_plus_dense, dense_plus_zero):
        exact(grad(func, X2, disconnected="raise"), [2.0, 2.0])


def test_algebra_undefined_plus_dense():
    for func in (undefined_plus_dense, dense_plus_undefined):
        with pytest.raises(s2s.UndefinedGradientError):
            grad(func, X2)
        exact(grad(func, X2, undefined="nan"), [np.nan, np.nan])


def test_algebra_undefined_plus_zero():
    for func in (undefined_plus_zero, zero_plus_undefined):
        with pytest.raises(s2s.UndefinedGradientError):
            grad(func, X2)
        exact(grad(func, X2, undefined="nan"), [np.nan, np.nan])


def test_algebra_undefined_plus_undefined():
    marker = grad(two_causes, X2, undefined="return")
    assert [(c.reason, c.lineno) for c in marker.causes] == [
        ("second", line_of(two_causes, '"second"')),
        ("first", line_of(two_causes, '"first"')),
    ]


def test_algebra_order():
    pairs = [
        (zero_plus_disconnected, disconnected_plus_zero),
        (zero_plus_dense, dense_plus_zero),
        (undefined_plus_dense, dense_plus_undefined),
        (undefined_plus_zero, zero_plus_undefined),
    ]
    for left, right in pairs:
        a = grad(left, X2, disconnected="raise", undefined="return")
        b = grad(right, X2, disconnected="raise", undefined="return")
        assert type(a) is type(b)
        if isinstance(a, s2s.Undefined):
            assert [c.reason for c in a.causes] == [c.reason for c in b.causes]
        else:
            exact(a, b)


def test_algebra_through_an_operation():
    marker = grad(long_path, X2, Y2, wrt=1, undefined="return")
    assert isinstance(marker, s2s.Undefined)
    k_line, g_line = line_of(long_path, "k = "), line_of(long_path, "g = ")
    assert marker.causes[0].path == (f"g (line {k_line})", f"y (line {g_line})")
    # a zero cotangent does not run sqrt's rule: no inf * 0 at 0
    exact(grad(floor_of_sqrt, np.array([0.0, 4.0]), disconnected="raise"), np.zeros(2))
    assert "d_sqrt" not in s2s.grad(floor_of_sqrt).source


# == 3. Cuts =====================================================================================


def test_cut_stop_gradient():
    exact(grad(stop_times_x, np.array([1.0, 2.0])), [1.0, 2.0])


def test_cut_stop_gradient_only_use():
    with pytest.raises(s2s.DisconnectedGradientError):
        grad(only_stop_gradient, X2, disconnected="raise")
    exact(grad(only_stop_gradient, X2), np.zeros(2))


def test_cut_zero_grad():
    exact(grad(through_zero_grad, X2, disconnected="raise"), np.zeros(2))


def test_cut_undefined_grad():
    with pytest.raises(s2s.UndefinedGradientError) as info:
        grad(undefined_times_three, X2)
    assert where(undefined_times_three, "undefined_grad") in str(info.value)
    assert ": r" in str(info.value)


def test_cut_zero_grad_over_undefined():
    exact(grad(zero_grad_over_undefined, X2), np.ones(2))


def test_cut_stop_gradient_over_undefined():
    exact(grad(stop_gradient_over_undefined, X2), np.ones(2))
    with pytest.raises(s2s.DisconnectedGradientError):
        grad(stop_gradient_over_undefined_only, X2, disconnected="raise")


def test_cut_undefined_grad_under_a_cut():
    exact(grad(undefined_under_zero_grad, X2), np.ones(2))


# == 4. Data types ===============================================================================


def test_dtype_float64():
    x = RNG.standard_normal((2, 3))
    g = grad(smooth, x)
    assert g.shape == x.shape and g.dtype == np.float64 and not np.shares_memory(g, x)
    agrees(smooth, (x,), 0, g)


def test_dtype_python_float():
    g = grad(square, 3.0)
    assert type(g) is np.float64 and g == 6.0


def test_dtype_numpy_float32_scalar():
    g = grad(square, np.float32(3.0))
    assert type(g) is np.float32 and g == 6.0


def test_dtype_float32():
    exact(grad(mean_twice, np.ones(4, np.float32)), np.full(4, 0.5), np.float32)
    exact(grad(float64_scalar_times, np.ones(2, np.float32)), [2.0, 2.0], np.float32)
    x = np.array([0.1, 0.7, -0.3], np.float32)
    expected = (np.float32(2.0) * x / np.float32(3.0)).astype(np.float32)
    np.testing.assert_allclose(grad(mean_of_product, x, x.copy(), wrt=0), expected, rtol=1e-6)
    assert grad(mean_of_product, x, x.copy(), wrt=0).dtype == np.float32


@pytest.mark.parametrize(
    "f, args",
    [
        (promoted_by_a_constant, (np.ones(3, np.float32), np.ones(3, np.float32))),
        (promoted_in_a_loop, (np.linspace(0.1, 0.9, 4, dtype=np.float32),)),
        (promoted_by_a_constant, (np.ones(3, np.float16), np.ones(3, np.float16))),
    ],
    ids=["float32", "float32-loop", "float16"],
)
def test_dtype_float32_promotions_undone_at_the_first_contribution(f, args):
    """``x32 * np.float64(2.0)`` is float64 (NEP 50), yet every cotangent of the sweep is
    float32, from the seed on: the promotion is undone at each contribution, not only at the
    last one, into the argument."""
    derivative = s2s.grad(f)
    seen = adjoint_dtypes(derivative, *args)
    assert "d_y" in seen or "d_s" in seen, seen
    assert all(dtypes == {"float32"} for dtypes in seen.values()), seen
    g = derivative(*args)
    assert g.dtype == args[0].dtype
    up = [a.astype(np.float64) for a in args]
    np.testing.assert_allclose(g, s2s.grad(f)(*up), rtol=2e-3 if g.dtype == np.float16 else 1e-5)


def test_dtype_float16():
    idx = np.zeros(3000, np.int64)
    exact(grad(gather, np.ones(2, np.float16), idx), [3000.0, 0.0], np.float16)
    exact(grad(gather_scaled, np.ones(2, np.float16), idx), [3000.0, 0.0], np.float16)
    exact(grad(mean_twice, np.ones(4, np.float16)), np.full(4, 0.5), np.float16)


def test_dtype_mixed_float32_float64():
    gx, gy = grad(product, np.array([1.0, 2.0], np.float32), np.array([3.0, 4.0]), wrt=(0, 1))
    exact(gx, [3.0, 4.0], np.float32)
    exact(gy, [1.0, 2.0])
    gx, gy = grad(product, np.ones(2, np.float16), np.ones(2, np.float32), wrt=(0, 1))
    exact(gx, [1.0, 1.0], np.float16)
    exact(gy, [1.0, 1.0], np.float32)


def test_dtype_int_values_inside():
    exact(grad(int_cast, X2, disconnected="raise"), np.zeros(2))
    exact(grad(counted, np.ones(2), np.array([3, 4]), wrt=0), [3.0, 4.0])


def test_dtype_int_wrt():
    for value in (np.array([3, 4]), np.array([True, False]), np.int32(3)):
        CALLS.clear()
        with pytest.raises(s2s.DtypeError, match="`n`"):
            grad(counted, np.ones(2), value, wrt=1)
        assert CALLS == []


def test_dtype_allow_int():
    g = grad(counted, np.ones(2), np.array([3, 4]), wrt=1, allow_int=True)
    exact(g, np.zeros(2))
    g = grad(counted, np.ones(2), np.array([True, False]), wrt=1, allow_int=True)
    exact(g, np.zeros(2))


def test_dtype_complex():
    CALLS.clear()
    with pytest.raises(s2s.DtypeError, match="not supported yet"):
        grad(counted, np.ones(2, complex), 1.0, wrt=0)
    assert CALLS == []


# == 5. Conventions at non-differentiable points =================================================


def test_convention_abs_at_zero():
    exact(grad(absolute, np.array([0.0, -2.0, 3.0])), [0.0, -1.0, 1.0])


def test_convention_max_min_reduction_ties():
    exact(grad(maximum_reduction, np.array([3.0, 1.0, 3.0, 3.0])), [1 / 3, 0, 1 / 3, 1 / 3])
    exact(grad(minimum_reduction, np.array([1.0, 1.0, 3.0])), [0.5, 0.5, 0.0])
    exact(grad(maximum_rows, np.array([[1.0, 1.0], [2.0, 0.0]])), [[0.5, 0.5], [1.0, 0.0]])


def test_convention_max_min_reduction_with_nan():
    exact(grad(maximum_reduction, np.array([3.0, np.nan, 3.0])), [0.0, 1.0, 0.0])
    exact(grad(minimum_reduction, np.array([np.nan, 1.0, 1.0])), [1.0, 0.0, 0.0])


def test_convention_maximum_minimum_ties():
    for func in (elementwise_maximum, elementwise_minimum):
        gx, gy = grad(func, np.array([1.0, 2.0]), np.array([1.0, 0.0]), wrt=(0, 1))
        big = func is elementwise_maximum
        exact(gx, [0.5, 1.0 if big else 0.0])
        exact(gy, [0.5, 0.0 if big else 1.0])


def builtin_max_of_three(a, b, c):
    return max(a, b, c)


def builtin_min_of_three(a, b, c):
    return min(a, b, c)


def test_convention_builtin_max_min_of_several_values():
    assert grad(builtin_max_of_three, 1.0, 1.0, 1.0, wrt=(0, 1, 2)) == (0.25, 0.25, 0.5)
    assert grad(builtin_min_of_three, 1.0, 1.0, 1.0, wrt=(0, 1, 2)) == (0.25, 0.25, 0.5)
    assert grad(builtin_max_of_three, 1.0, 3.0, 2.0, wrt=(0, 1, 2)) == (0.0, 1.0, 0.0)
    assert grad(builtin_min_of_three, 1.0, 3.0, 0.5, wrt=(0, 1, 2)) == (0.0, 0.0, 1.0)


def test_convention_maximum_minimum_with_nan():
    gx, gy = grad(elementwise_maximum, np.array([np.nan, 2.0]), np.array([0.0, 1.0]), wrt=(0, 1))
    exact(gx, [1.0, 1.0])
    exact(gy, [0.0, 0.0])
    gx, gy = grad(elementwise_minimum, np.array([2.0]), np.array([np.nan]), wrt=(0, 1))
    exact(gx, [0.0])
    exact(gy, [1.0])


def test_convention_clip_at_a_bound():
    x = np.array([0.0, 0.5, 1.0, 2.0, -1.0])
    gx, glo, ghi = grad(clip_between, x, np.array(0.0), np.array(1.0), wrt=(0, 1, 2))
    exact(gx, [1.0, 1.0, 1.0, 0.0, 0.0])
    exact(glo, 1.0)
    exact(ghi, 1.0)


def test_convention_relu_maximum():
    exact(grad(relu_maximum, np.array([0.0, 1.0, -1.0])), [0.5, 1.0, 0.0])


def test_convention_relu_clip():
    exact(grad(relu_clip, np.array([0.0, 1.0, -1.0])), [1.0, 1.0, 0.0])


def test_convention_relu_where():
    exact(grad(relu_where, np.array([0.0, 1.0, -1.0])), [0.0, 1.0, 0.0])


def test_convention_norm_at_origin():
    exact(grad(norm, np.zeros(3)), np.zeros(3))
    x = np.array([3.0, -4.0])
    agrees(norm, (x,), 0, grad(norm, x))


def squared_norm(x):
    return np.linalg.norm(x) ** 2


def squared_abs(s):
    return np.abs(s) ** 2


def test_convention_second_derivatives_through_such_a_kink():
    # the derivative of the convention: zeros where the smooth composite's is 2 I (documented,
    # as JAX and PyTorch give for abs); away from the kink the true second derivative
    exact(s2s.hessian(squared_norm)(np.zeros(2)), np.zeros((2, 2)))
    assert s2s.grad(s2s.grad(squared_abs))(0.0) == 0.0
    np.testing.assert_allclose(s2s.hessian(squared_norm)(np.array([0.3, -0.2])), 2 * np.eye(2),
                               rtol=1e-14, atol=1e-14)  # fmt: skip
    assert s2s.grad(s2s.grad(squared_abs))(-0.4) == pytest.approx(2.0, rel=1e-15)


def spectral_norm(a):
    return np.linalg.norm(a, 2)


def half_norm(x):
    return np.linalg.norm(x, 0.5)


def test_convention_spectral_norm_with_tied_singular_values():
    exact(grad(spectral_norm, np.eye(2)), [[1.0, 0.0], [0.0, 0.0]])
    a = np.array([[2.0, 1.0], [0.5, 1.5]])  # distinct singular values: smooth
    agrees(spectral_norm, (a,), 0, grad(spectral_norm, a))


def test_convention_norm_below_one_at_a_zero_entry():
    with warned("first appears in the derivative of np.linalg.norm"):
        exact(grad(half_norm, np.array([0.0, 1.0])), [np.nan, 1.0])
    x = np.array([0.5, 2.0])
    agrees(half_norm, (x,), 0, grad(half_norm, x))


def test_convention_hypot_at_origin():
    gx, gy = grad(hypot, np.zeros(2), np.zeros(2), wrt=(0, 1))
    exact(gx, np.zeros(2))
    exact(gy, np.zeros(2))


def test_convention_arctan2_at_origin():
    gy, gx = grad(arctan2, np.zeros(2), np.zeros(2), wrt=(0, 1))
    exact(gy, np.zeros(2))
    exact(gx, np.zeros(2))


def test_convention_prod_with_zeros():
    exact(grad(prod, np.array([2.0, 0.0, 3.0])), [0.0, 6.0, 0.0])
    exact(grad(prod, np.array([2.0, 0.0, 0.0])), [0.0, 0.0, 0.0])
    x = np.array([2.0, -0.5, 3.0])
    agrees(prod, (x,), 0, grad(prod, x))


def test_convention_cumprod_with_zeros():
    exact(grad(cumprod, np.array([2.0, 0.0, 3.0])), [1.0, 8.0, 0.0])


def test_convention_det_at_a_singular_matrix():
    # the adjugate, up to rounding (SVD-based)
    singular = np.array([[1.0, 2.0], [2.0, 4.0]])
    np.testing.assert_allclose(grad(det, singular), [[4.0, -2.0], [-2.0, 1.0]], atol=1e-12)
    exact(grad(det, np.zeros((3, 3))), np.zeros((3, 3)))
    a = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])  # rank 2
    np.testing.assert_allclose(grad(det, a), numeric_gradient(det, (a,), 0), atol=1e-8)


def test_convention_x_power_zero():
    exact(grad(power_zero, np.array([0.0, 2.0])), [0.0, 0.0])


def test_convention_zero_power_y_wrt_y():
    exact(grad(power, np.array([0.0]), np.array([2.0]), wrt=1), [0.0])
    exact(grad(power, np.array([0.0]), np.array([0.0]), wrt=1), [0.0])


def test_convention_power_wrt_y_at_negative_x():
    gx, gy = grad(power, np.array([-2.0]), np.array([2.0]), wrt=(0, 1))
    exact(gx, [-4.0])
    exact(gy, [0.0])


def test_convention_floor_round_sign_comparisons():
    exact(grad(steps, np.array([0.5, 1.0, -2.3]), disconnected="raise"), np.zeros(3))


def test_convention_sqrt_at_zero():
    with warned("np.sqrt (sqrt at 0)"):
        exact(grad(sqrt, np.array([0.0, 4.0])), [np.inf, 0.25])


def test_convention_log_at_zero():
    with warnings.catch_warnings():
        warnings.simplefilter("error", s2s.NonFiniteGradientWarning)  # the value is -inf
        exact(grad(log, np.array([0.0, 2.0])), [np.inf, 0.5])


def test_convention_arcsin_at_one():
    with warned("np.arcsin (arcsin at 1)"):
        exact(grad(arcsin, np.array([1.0, -1.0, 0.0])), [np.inf, np.inf, 1.0])


def test_convention_std_at_zero_variance():
    with warned("np.std (std with zero variance)"):
        exact(grad(std, np.ones(3)), [np.nan, np.nan, np.nan])


def test_convention_std_over_one_entry():
    exact(grad(std, np.ones(1)), [0.0])


def max_from_three(x):
    return np.max(x, initial=3.0)


def test_convention_max_min_with_initial_at_a_tie():
    exact(grad(max_from_three, np.array([1.0, 3.0, 3.0])), [0.0, 1 / 3, 1 / 3])


def test_convention_var_at_zero_variance():
    exact(grad(var, np.ones(3)), np.zeros(3))


def test_convention_sort_with_ties():
    x, w = np.array([2.0, 1.0, 2.0, 0.0]), np.array([1.0, 2.0, 3.0, 4.0])
    exact(grad(sort_weighted, x, w), [3.0, 2.0, 4.0, 1.0])


def test_convention_argsort_based_selection():
    x, w = np.array([2.0, 1.0, 2.0, 0.0]), np.array([1.0, 2.0, 3.0, 4.0])
    exact(grad(argsort_weighted, x, w), [3.0, 2.0, 4.0, 1.0])


def test_convention_median_with_ties():
    exact(grad(median, np.array([1.0, 2.0, 2.0, 2.0])), [0.0, 0.5, 0.5, 0.0])
    exact(grad(median, np.array([2.0, 2.0, 2.0])), [0.0, 1.0, 0.0])
    exact(grad(median, np.array([3.0, 1.0, 2.0, 5.0])), [0.5, 0.0, 0.5, 0.0])


# == 6. Selection masks ==========================================================================

S01 = np.array([0.0, 1.0])


def test_mask_starts_where():
    exact(grad(where_sqrt, S01), [0.0, 0.5])
    assert "_s2s.masked" in s2s.grad(where_sqrt).source


def test_mask_starts_where_around_p_log_p():
    exact(grad(entropy_term, S01), [0.0, 1.0])


def test_mask_starts_where_guarding_exp():
    exact(grad(guarded_exp, np.array([1000.0, 1.0])), [0.0, np.exp(1.0)])


def test_mask_starts_maximum():
    exact(grad(maximum_of_sqrt, S01), [0.0, 0.5])


def test_mask_starts_minimum():
    exact(grad(minimum_of_sqrt, S01), [0.0, -0.5])


def test_mask_starts_clip():
    exact(grad(clip_of_sqrt, S01), [0.0, 0.5])


def test_mask_starts_slice():
    exact(grad(slice_of_sqrt, S01), [0.0, 0.5])


def test_mask_starts_boolean_mask():
    exact(grad(mask_of_sqrt, S01), [0.0, 0.5])


def test_mask_starts_integer_array_index():
    exact(grad(fancy_of_sqrt, np.array([0.0, 1.0, 4.0])), [0.0, 0.5, 0.5])


def test_mask_passes_elementwise():
    expected = (1 - np.tanh(1.0) ** 2) * 2.0 * 0.5
    exact(grad(mask_through_elementwise, S01), [0.0, expected])


def test_mask_passes_broadcasting():
    s, b = np.array([[0.0], [4.0]]), np.zeros((1, 3))
    exact(grad(mask_through_broadcast, s, b, wrt=0), [[0.0], [0.75]])


def test_mask_passes_reshape_and_transpose():
    exact(grad(mask_through_reshape, np.array([0.0, 1.0, 0.0, 4.0])), [0.0, 0.5, 0.0, 0.25])


def test_mask_passes_indexing():
    exact(grad(mask_through_indexing, S01), [0.0, 0.5])


def test_mask_stops_matmul():
    swap = np.array([[0.0, 1.0], [1.0, 0.0]])
    with warned("sqrt at 0"):
        exact(grad(mask_after_matmul, np.array([[0.0, 1.0]]), swap, wrt=0), [[np.nan, 0.5]])


def test_mask_stops_reduction():
    s = np.array([[0.0, 1.0], [0.0, 0.0]])
    with warned("sqrt at 0"):
        exact(grad(mask_after_reduction, s), [[np.inf, 0.5], [np.nan, np.nan]])


def test_mask_stops_linalg():
    with warned("sqrt at 0"):
        g = grad(mask_after_linalg, np.array([[0.0, 1.0], [0.0, 0.0]]))
    assert np.isnan(g[0, 0]) and np.isnan(g[1, 0]) and np.isnan(g[1, 1])
    assert g[0, 1] == 0.0


def test_mask_stops_selection_before_matmul():
    exact(grad(mask_before_matmul, np.array([[0.0, 1.0]]), np.ones((2, 2)), wrt=0), [[0.0, 1.0]])


def test_mask_stops_numerical_zero_is_not_a_selection():
    with warned("sqrt at 0"):
        exact(grad(sqrt_times_sqrt, S01), [np.nan, 1.0])


def test_mask_stops_zero_weight_is_not_a_selection():
    with warned("sqrt at 0"):
        exact(grad(sqrt_matmul, np.array([[0.0, 1.0]]), np.zeros((2, 2)), wrt=0), [[np.nan, 0.0]])


def pairwise_energy(x):
    d = x[:, None, :] - x[None, :, :]
    r = np.sqrt(np.sum(d**2, axis=-1))
    return np.sum(r)


def batch_norm(x):
    xhat = (x - np.mean(x, axis=0)) / (np.std(x, axis=0) + 1e-5)
    return np.sum(np.tanh(xhat))


POINTS = np.array([[0.0, 1.0], [2.0, 0.5]])


def test_nonfinite_sqrt_of_a_zero_pairwise_distance():
    with warned(where(pairwise_energy, 2)) as seen:
        g = grad(pairwise_energy, POINTS)
    assert np.isnan(g).all()
    assert "np.sqrt (sqrt at 0)" in str(seen[0].message)


def test_nonfinite_batch_norm_over_equal_rows():
    with warned(where(batch_norm, 1)) as seen:
        g = grad(batch_norm, np.array([[0.5, -1.0, 2.0], [0.5, -1.0, 2.0]]))
    assert np.isnan(g).all()
    assert "np.std (std with zero variance)" in str(seen[0].message)


def test_batch_norm_over_a_batch_of_one_has_gradient_zero():
    # over one entry std (and x - mean) are the constant 0: the function is constant in x
    with warnings.catch_warnings():
        warnings.simplefilter("error", s2s.NonFiniteGradientWarning)
        g = grad(batch_norm, np.array([[0.5, -1.0, 2.0]]))
    np.testing.assert_array_equal(g, np.zeros((1, 3)))


def test_nonfinite_nan_raise():
    with pytest.raises(s2s.NonFiniteGradientError, match="sqrt at 0") as info:
        grad(pairwise_energy, POINTS, nan="raise")
    assert_located(info.value, pairwise_energy, 2)


def test_nonfinite_nan_ignore():
    with warnings.catch_warnings():
        warnings.simplefilter("error", s2s.NonFiniteGradientWarning)
        assert np.isnan(grad(pairwise_energy, POINTS, nan="ignore")).all()


@pytest.mark.parametrize(
    "func, args, options, expected",
    [
        (sqrt, (np.array([np.nan, 1.0]),), {}, [np.nan, 0.5]),
        (log, (np.array([0.0, 2.0]),), {}, [np.inf, 0.5]),
        (declared_undefined, (np.ones(2),), {"undefined": "nan"}, [np.nan, np.nan]),
        (where_sqrt, (np.array([0.0, 1.0]),), {}, [0.0, 0.5]),
    ],
    ids=["a non-finite argument", "a non-finite value", "undefined nan", "a selection"],
)
def test_nonfinite_no_warning(func, args, options, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("error", s2s.NonFiniteGradientWarning)
        exact(grad(func, *args, **options), expected)


def test_mask_cost():
    for func in (no_selection, selection_of_tanh, smooth):
        source = s2s.grad(func).source
        assert "mask" not in source and "_s2s.masked" not in source, source
    x = np.array([0.5, 2.0])
    agrees(no_selection, (x,), 0, grad(no_selection, x))
    exact(grad(selection_of_tanh, np.array([-1.0, 0.0])), [0.0, 0.0])


# == 7. Several outputs ==========================================================================

A = np.array([[2.0, 0.5, 0.1], [0.3, 1.5, -0.2], [0.0, 0.4, 1.0]])


def test_outputs_slogdet():
    g = grad(logdet, A)
    np.testing.assert_allclose(g, np.linalg.inv(A).T, rtol=1e-12)
    agrees(logdet, (A,), 0, g)


def test_outputs_slogdet_sign_only():
    exact(grad(slogdet_sign, A, disconnected="raise"), np.zeros((3, 3)))


def test_outputs_eigh_first():
    exact(grad(eigenvalue_sum, np.eye(3)), np.eye(3))
    sym = A + A.T
    g = grad(eigenvalue_squares, sym)
    np.testing.assert_allclose(g, g.T, atol=1e-12)
    agrees(eigenvalue_squares, (sym,), 0, g, symmetric=True)


def test_outputs_eigenvalues_attribute():
    exact(grad(eigenvalue_attribute, np.eye(3)), np.eye(3))


def test_outputs_svd_singular_values_only():
    a = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]])
    u, _, vh = np.linalg.svd(a, full_matrices=False)
    g = grad(singular_value_sum, a)
    np.testing.assert_allclose(g, u @ vh, rtol=1e-12, atol=1e-12)
    agrees(singular_value_sum, (a,), 0, g)


def test_outputs_qr_complete_extra_columns_undefined():
    """The other rule of section 1 that may be undefined: ``qr(mode="complete")`` of a tall
    matrix, when the extra columns of ``q`` get a cotangent; without them it is defined."""
    a = RNG.standard_normal((4, 3))
    with pytest.raises(s2s.UndefinedGradientError) as info:
        grad(qr_extra_columns, a)
    assert where(qr_extra_columns, "np.linalg.qr") in str(info.value)
    assert grad(qr_kept_columns, a).shape == (4, 3)


def test_outputs_svd_extra_columns_undefined():
    with pytest.raises(s2s.UndefinedGradientError) as info:
        grad(svd_extra_columns, np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]]))
    assert "numpy.linalg.svd" in str(info.value)
    assert where(svd_extra_columns, "np.linalg.svd") in str(info.value)


def eigvalsh_squares(a):
    return np.sum(np.linalg.eigvalsh(a) ** 2)


def test_outputs_symmetric_input():
    w, v = np.linalg.eigh(A)  # eigh reads the lower triangle of the non-symmetric A
    g = grad(eigvalsh_squares, A)
    np.testing.assert_allclose(g, 2 * (v * w) @ v.T, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(g, g.T, atol=1e-12)
    lower = np.tril(A) + np.tril(A, -1).T  # the symmetric matrix eigh actually sees
    agrees(eigvalsh_squares, (lower,), 0, grad(eigvalsh_squares, lower), symmetric=True)


def test_outputs_vjp_none_cotangent():
    x = np.array([0.0, 1.0])
    (value, _), pullback = s2s.vjp(two_outputs)(x)
    exact(value, 2 * x)
    exact(pullback((np.array([1.0, 2.0]), None)), [2.0, 4.0])
    exact(pullback((None, np.array([1.0, 1.0]))), np.cos(x))
