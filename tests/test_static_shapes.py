"""Shape specialization: proven shapes simplify the adjoint, never change its values.

Every derivative here is checked against central differences (gradcheck) at the shapes it was
specialized for, including shapes that change inside a loop or differ between branches (no
shape can be proven there), and past the number of shape specializations (the shape-generic
derivative then serves).
"""

import numpy as np
import pytest
from gradcheck import central, fresh
from gradcheck import check_against_differences as check
from test_recompute import oscillator  # x and v carried as 0-d values

import s2s
import s2s.api

RNG = np.random.default_rng(21)


def rnn(w, u, x):
    h = np.zeros(w.shape[0])
    total = 0.0
    for t in range(x.shape[0]):
        h = np.tanh(w @ h + u * x[t])
        total = total + np.mean(h * h)
    return total


def dense(w, b, x):
    return np.mean(np.tanh(x @ w + b) ** 2)


def branches(x, y, c):
    if c > 0:
        h = x
    else:
        h = y
    return np.sum(h * np.ones((2, 3)))


def growing(x, n):
    h = x
    for _ in range(n):
        h = np.concatenate([h, x * 0.5])
    return np.sum(h * h)


def broadcasting(x, b):
    return np.sum((x + b) ** 2 * x)


def vector_products(a, v):
    return np.sum((a @ v) * (v @ a)) + v @ v


def test_proven_shapes_make_the_adjoint_plain():
    """A matmul of matrices is ``g @ w.T``, a bias's sum is ``_np.sum(..., axis=0)``, a
    reduction's cotangent (1/15 in every entry of the known shape) is folded into the partial
    it multiplies (:mod:`s2s.reverse.simplify`), same-shape sums need no unbroadcast."""
    w, b, x = RNG.normal(size=(4, 3)), RNG.normal(size=3), RNG.normal(size=(5, 4))
    check(dense, w, b, x, wrt=(0, 1))
    derivative = s2s.grad(dense, wrt=(0, 1))
    derivative(w, b, x)
    source = derivative.source
    assert "matmul_grad" not in source and "x.T @" in source
    assert "_np.sum(" in source and "axis=0" in source
    assert "unreduce" not in source and "_s2s.filled(" not in source
    # 1/15 * (2 * tanh_1), folded by s2s/reverse/peephole.py and read once: substituted
    assert f"d_add_1 = {2 / 15!r} * tanh_1 * (1 - tanh_1 * tanh_1)" in source
    assert source.count("_s2s.unbroadcast(") == 0


def test_a_loop_of_fixed_shapes_is_proven_and_agrees_with_differences():
    w, u, x = 0.5 * RNG.normal(size=(3, 3)), RNG.normal(size=3), RNG.normal(size=6)
    check(rnn, w, u, x, wrt=(0, 1))
    derivative = s2s.grad(rnn, wrt=(0, 1))
    derivative(w, u, x)
    assert "unbroadcast" not in derivative.source.split("# adjoint sweep")[1]


@pytest.mark.parametrize("c", [1.0, -1.0])
def test_shapes_that_differ_between_branches_are_not_assumed(c):
    x, y = RNG.normal(size=3), RNG.normal(size=(2, 3))
    check(branches, x, y, c, wrt=(0, 1))


def test_shapes_that_change_in_a_loop_are_not_assumed():
    check(growing, RNG.normal(size=3), 3)


# -- a name rebound to another shape or dtype on some paths only ------------------------------
# One type for the whole function, what all bindings (the argument's too) agree on: `w` of
# shape (3,) that an arm rebinds to 0.5 is unbroadcast at run time, not summed to 0-d.


def rebound_to_a_number(x, w, flag):
    if flag:
        w = 0.5
    return np.sum(x * w * x)


def rebound_to_its_sum(x, w, flag):
    if flag:
        w = np.sum(w)
    return np.sum(x * w * x)


def rebound_to_its_mean_after_a_use(x, w, flag):
    y = w * x
    if flag:
        w = w.mean()
    return np.sum(y * x) + np.sum(w * x)


def rebound_to_zeros(x, w, flag):
    if flag:
        w = np.zeros(())
    return np.sum(x * w * x)


def rebound_in_a_for_loop(x, w, n):
    for _ in range(n):
        w = np.sum(w) * 0.5
    return np.sum(x * w * x)


def rebound_in_a_while_loop(x, w, n):
    k = 0
    while k < n:
        w = w.mean()
        k += 1
    return np.sum(x * w * x)


def _weighted(h, w=None):
    if w is None:
        w = 0.5
    return h * w


def weighted_by_a_helper(x, w, flag):
    return np.sum(_weighted(x, w) * x) + np.sum(_weighted(x) * w * flag)


def local_rebound_to_its_sum(x, w, flag):
    y = x * w
    if flag:
        y = np.sum(y)
    return np.sum(y * x)


def widened_in_a_branch(x, w, flag):
    if flag:
        w = w.astype(np.float64)
    return np.sum(x * w * w)


def an_int_in_a_branch(x, w, flag):
    if flag:
        w = 2
    return np.sum(x * w * w)


BRANCHES = [rebound_to_a_number, rebound_to_its_sum, rebound_to_its_mean_after_a_use,
            rebound_to_zeros, weighted_by_a_helper, local_rebound_to_its_sum,
            widened_in_a_branch, an_int_in_a_branch]  # fmt: skip
LOOPS = [rebound_in_a_for_loop, rebound_in_a_while_loop]  # 0, 1 or 2 trips
REBOUND = [(f, t) for f in BRANCHES for t in (0, 1)] + [(f, t) for f in LOOPS for t in (0, 1, 2)]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    ("f", "taken"),
    REBOUND,
    ids=[f"{f.__name__}-{t}" for f, t in REBOUND],
)
def test_a_name_rebound_to_another_shape_on_some_paths_has_no_proven_shape(f, taken, dtype):
    """grad, value_and_grad, vjp, reverse jacobian and hvp of ``w`` (shape (3,)) with the
    rebinding arm (or loop trip) taken and not taken, the first call of each (a shape
    specialization), against central differences; the hvp against central differences of the
    float64 gradient (itself checked against differences)."""
    f = fresh(f)
    rtol = 1e-4 if dtype == np.float32 else 1e-6
    x, w = np.array([1.0, 2.0, 3.0], dtype), np.array([1.0, -1.0, 2.0], dtype)
    args = (x, w, taken)
    (expected,) = check(f, *args, wrt=1, rtol=rtol, atol=1e-5)
    value, pullback = s2s.vjp(f, wrt=1)(*args)
    others = {
        "grad": s2s.grad(f, wrt=1)(*args),
        "vjp": pullback(np.ones_like(value)),
        "jacobian": s2s.jacobian(f, wrt=1, mode="reverse")(*args),
    }
    for api, g in others.items():
        assert np.shape(g) == w.shape, api
        np.testing.assert_allclose(g, expected, rtol=rtol, err_msg=api)
    assert others["grad"].dtype == others["vjp"].dtype == w.dtype
    v = np.array([1.0, 0.0, -2.0], dtype)
    wide = s2s.grad(fresh(f), wrt=1)
    x64, w64, v64 = x.astype(np.float64), w.astype(np.float64), v.astype(np.float64)
    expected_hvp = central(lambda t: wide(x64, w64 + t * v64, taken), 1e-3)
    got = s2s.hvp(f, wrt=1)(x, w, taken, v)
    assert got.shape == w.shape and got.dtype == w.dtype
    np.testing.assert_allclose(got, expected_hvp, rtol=rtol, atol=1e-6)


def diagonal_of_a_rebound_matrix(x, a, flag):
    if flag:
        a = np.sum(a)
    return np.sum(np.diag(x * a) * x)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("taken", [False, True])
def test_the_diagonal_of_a_matrix_a_branch_may_make_0_d(taken, dtype):
    """``np.diag`` of a value that is a matrix or (on the other path) a vector: its adjoint
    reads the shape at run time (no crash inside the runtime's ``undiagonal``)."""
    a, x = RNG.normal(size=(3, 3)).astype(dtype), np.array([1.0, 2.0, 3.0], dtype)
    rtol = 1e-4 if dtype == np.float32 else 1e-6
    check(fresh(diagonal_of_a_rebound_matrix), x, a, taken, wrt=(0, 1), rtol=rtol, atol=1e-5)


@pytest.mark.parametrize(("xs", "bs"), [((3, 1), (1, 4)), ((2, 3), (3,)), ((4,), ()), ((), (2, 2))])
def test_broadcasting_with_proven_shapes(xs, bs):
    check(broadcasting, RNG.normal(size=xs), RNG.normal(size=bs), wrt=(0, 1))


def test_vector_and_matrix_products_with_proven_shapes():
    check(vector_products, RNG.normal(size=(3, 3)), RNG.normal(size=3), wrt=(0, 1))


def test_after_a_few_shapes_one_shape_generic_derivative_serves():
    derivative = s2s.grad(dense, wrt=(0, 1))
    s2s.api.clear_cache(dense)
    n = s2s.api.MAX_SHAPE_SPECIALIZATIONS
    for batch in range(1, n + 4):
        w, b, x = RNG.normal(size=(4, 3)), RNG.normal(size=3), RNG.normal(size=(batch, 4))
        check(dense, w, b, x, wrt=(0, 1))
        derivative(w, b, x)
    store = next(v for k, v in s2s.api._CACHE[dense].items() if k[2] == "grad")
    shaped = [key for key in store["entries"] if key[1] is not None]
    generic = [key for key in store["entries"] if key[1] is None]
    assert len(shaped) == n and len(generic) == 1
    assert "_s2s.unbroadcast(" in store["entries"][generic[0]].compiled.source


def cross_entropy(w, x, y):
    z = x @ w
    shifted = z - s2s.stop_gradient(z.max(axis=1, keepdims=True))
    logp = shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))
    return -np.mean(logp[np.arange(x.shape[0]), y])


def reductions(x, r):
    return np.sum(x.sum(axis=0) * r) + np.mean(x.max(axis=(0, 1), keepdims=True) * x)


def column_bias(x, c):
    return np.sum(np.tanh(x + c) * x)


def test_reductions_with_axes_and_integer_indexing_have_proven_shapes():
    w, x, y = RNG.normal(size=(4, 3)), RNG.normal(size=(6, 4)), RNG.integers(0, 3, size=6)
    check(cross_entropy, w, x, y)
    derivative = s2s.grad(cross_entropy)
    derivative(w, x, y)
    adjoint = derivative.source.split("# adjoint sweep")[1]
    assert "_np.sum(-d_logp, axis=1, keepdims=True)" in adjoint
    assert "_s2s.filled(d_mean_1 / 6, (6,), 'float64')" in adjoint
    check(reductions, RNG.normal(size=(3, 4)), RNG.normal(size=4), wrt=(0, 1))


@pytest.mark.parametrize("cs", [(5, 1), (1, 4), (1, 1), (4,), ()])
def test_stretched_axes_are_summed_with_keepdims(cs):
    x, c = RNG.normal(size=(5, 4)), RNG.normal(size=cs)
    check(column_bias, x, c, wrt=(0, 1))


def dense_again(w, b, x):
    return np.sum(np.tanh(x @ w + b) ** 2)


def test_reading_source_before_a_call_does_not_disable_shape_specialization():
    """``.source`` before any call shows the shape-generic derivative; the calls after it are
    still specialized on their shapes (once, the generic derivative served them all)."""
    derivative = s2s.grad(dense_again, wrt=(0, 1))
    before = derivative.source
    assert "# specialized for shapes" not in before and "_s2s.unbroadcast(" in before
    w, b, x = RNG.normal(size=(4, 3)), RNG.normal(size=3), RNG.normal(size=(5, 4))
    derivative(w, b, x)
    after = derivative.source
    assert "# specialized for shapes w (4, 3), b (3,), x (5, 4)" in after
    assert "_np.sum(d_add_1, axis=0)" in after and "_s2s.unbroadcast(" not in after
    store = next(v for k, v in s2s.api._CACHE[dense_again].items() if k[2] == "grad")
    assert [key[1] for key in store["entries"]].count(None) == 1  # the one .source made
    for batch in range(1, s2s.api.MAX_SHAPE_SPECIALIZATIONS + 3):
        derivative(w, b, RNG.normal(size=(batch, 4)))
    shaped = [key for key in store["entries"] if key[1] is not None]
    assert len(shaped) == s2s.api.MAX_SHAPE_SPECIALIZATIONS
    assert derivative.source == before  # past four shapes: the generic one serves


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def strided(x, y):
    return np.sum(x[::2] * y[1:-1:3]) + np.sum(x[-2::-3] * x[-1::-3]) + np.sum(x[7:2] * 1.0)


def test_basic_slices_have_proven_shapes():
    """``x[1:]`` and ``x[:-1]`` of a proven (1000,) are (999,): their difference needs no
    unbroadcast; strided, reversed and empty slices agree with central differences."""
    x = RNG.normal(size=(8, 2))
    derivative = s2s.grad(rosenbrock)
    check(rosenbrock, RNG.normal(size=10))
    derivative(RNG.normal(size=1000))
    assert "_s2s.unbroadcast(" not in derivative.source
    assert "d_subtract_1 = 200.0 * subtract_1" in derivative.source  # ones folded
    assert "_s2s.filled(" not in derivative.source
    check(strided, x, RNG.normal(size=(14, 2)), wrt=(0, 1))
    check(strided, RNG.normal(size=9), RNG.normal(size=15), wrt=(0, 1))


def logistic(w, X, y):
    return np.mean(np.log1p(np.exp(-y * np.dot(X, w))))


def test_dot_of_a_proven_matrix_and_vector_is_plain():
    """``np.dot(X, w)`` of a proven matrix and vector: ``w``'s adjoint is ``X.T @ g``."""
    w, X, y = RNG.normal(size=3), RNG.normal(size=(6, 3)), np.sign(RNG.normal(size=6))
    check(logistic, w, X, y, wrt=(0, 1))
    derivative = s2s.grad(logistic)
    derivative(w, X, y)
    assert "d_w = X.T @ (" in derivative.source and "dot_grad" not in derivative.source


def dot_rnn(wx, wh, xs):
    h = np.zeros(wh.shape[0])
    for t in range(xs.shape[0]):
        h = np.tanh(np.dot(xs[t], wx) + np.dot(h, wh))
    return np.sum(h * np.dot(wh, h))


def test_dot_in_a_loop_has_proven_shapes():
    """``np.dot`` of proven vectors and matrices has matmul's shape, so a loop carries ``h``'s
    shape: the vector's adjoint is a matmul, the matrices' are outer products, nothing is
    unbroadcast and no shape record goes on the tape. ``wx``'s buffer, zeros before the loop,
    sums its outer products after it (tests/test_outer_sums.py); ``wh``'s, which holds the
    last line's term, adds them in each trip."""
    wx, wh, xs = RNG.normal(size=(3, 4)), RNG.normal(size=(4, 4)) / 2, RNG.normal(size=(5, 3))
    check(dot_rnn, wx, wh, xs, wrt=(0, 1, 2))
    derivative = s2s.grad(dot_rnn, wrt=(0, 1, 2))
    derivative(wx, wh, xs)
    source = derivative.source
    assert "d_wx_outer.add(getitem_" in source and "d_wh += _np.outer(h, " in source
    assert "wh @ d_" in source and "wh.T @ d_" in source  # h's adjoint through each product
    assert "dot_grad" not in source and "unbroadcast" not in source and "like(" not in source


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dot_of_a_matrix_and_a_vector_gives_outer_products(dtype):
    def f(a, v):
        return np.sum(np.dot(a, v) ** 2)

    a, v = RNG.normal(size=(4, 3)).astype(dtype), RNG.normal(size=3).astype(dtype)
    check(f, a, v, wrt=(0, 1))
    derivative = s2s.grad(f, wrt=(0, 1))
    da, dv = derivative(a, v)
    assert da.dtype == dtype and dv.dtype == dtype
    assert "_np.outer(d_" in derivative.source and "a.T @ d_" in derivative.source


def local_level(logq, logr, ys):
    q = np.exp(logq)
    r = np.exp(logr)
    m = 0.0
    p = 1.0
    nll = 0.0
    for t in range(ys.shape[0]):
        p = p + q
        s = p + r
        v = ys[t] - m
        nll = nll + np.log(s) + v * v / s
        m = m + p / s * v
        p = p - p * p / s
    return 0.5 * nll


@pytest.mark.parametrize("n", [0, 1, 7])
def test_values_carried_from_a_number_keep_shape_in_a_loop(n):
    """``m = 0.0`` before the loop has shape (), so every carried 0-d value is proven: no
    unbroadcast, no shape records taped, and the carried buffers start as zeros before the
    reversed loop instead of a ``None`` test in every trip (also for zero trips)."""
    logq, logr, ys = np.array(-1.0), np.array(-0.5), np.cumsum(RNG.normal(size=n))
    check(local_level, logq, logr, ys, wrt=(0, 1))
    derivative = s2s.grad(local_level, wrt=(0, 1))
    derivative(logq, logr, ys)
    source = derivative.source
    assert "unbroadcast" not in source and "_s2s.like" not in source
    adjoint = source.split("# adjoint sweep")[1]
    assert "d_p = _np.float64(0.0)" in adjoint  # a scalar: `+=` rebinds
    assert "is not None" not in adjoint and "_s2s.add(" not in adjoint


def test_carried_values_of_a_float32_loop_started_from_a_number_agree():
    """float32 parameters with a float64 number as the carried value's start: no dtype is
    proven for it, so no zero buffer is assumed; the gradient still agrees."""
    logq, logr = np.array(-1.0, np.float32), np.array(-0.5, np.float32)
    ys = np.cumsum(RNG.normal(size=5)).astype(np.float32)
    grads = s2s.grad(local_level, wrt=(0, 1))(logq, logr, ys)
    expected = s2s.grad(local_level, wrt=(0, 1))(np.float64(logq), np.float64(logr),
                                                 ys.astype(np.float64))  # fmt: skip
    for g, e in zip(grads, expected, strict=True):
        assert np.allclose(g, e, rtol=1e-4)


def gated(W, b, xs):
    h = np.zeros(3)
    c = np.zeros(3)
    for t in range(xs.shape[0]):
        z = np.dot(np.concatenate([xs[t], h]), W) + b
        i = 1.0 / (1.0 + np.exp(-z[:3]))
        c = i * c + np.tanh(z[3:])
        h = np.tanh(c)
    return np.sum(h * h)


def test_a_concatenation_of_proven_pieces_is_proven_and_split_by_slices():
    """``np.concatenate([xs[t], h])`` has the joined shape, so the whole LSTM-like step is
    proven: its adjoint is slices of the cotangent, no helper, no unbroadcast, no mask."""
    W, b, xs = 0.5 * RNG.normal(size=(5, 6)), RNG.normal(size=6), RNG.normal(size=(4, 2))
    check(gated, W, b, xs, wrt=(0, 1))
    derivative = s2s.grad(gated, wrt=(0, 1))
    derivative(W, b, xs)
    adjoint = derivative.source.split("# adjoint sweep")[1]
    assert "[d_concatenate_1[0:2], d_concatenate_1[2:5]]" in adjoint
    for helper in ("unconcatenate", "unbroadcast", "dot_grad", "mask_", "zeros_like_acc(z)"):
        assert helper not in adjoint
    assert "_np.zeros((6,), 'float64')" in adjoint


def oscillator_indexed(k, c, x0, n):
    x = x0[0]
    v = x0[1]
    for _ in range(n):
        a = -k[None] * x - c * v
        x = x + 0.01 * v
        v = v + 0.01 * a[0]
    return x * x + v * v


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_zero_dimensional_accumulators_are_numpy_scalars(dtype):
    """A 0-d parameter's buffer, added into in every reversed trip, starts as a numpy scalar
    (``+=`` on a 0-d array is an in-place ufunc call, 40 times slower); one that is indexed
    (``k[None]``: ``d_k[None] += g``) stays a 0-d array. Values are checked either way."""
    k, c, x0 = np.array(2.0, dtype), np.array(0.1, dtype), np.array([1.0, 0.5], dtype)
    if dtype == np.float64:
        check(oscillator, k, c, x0, 5, wrt=(0, 1))
    want = s2s.grad(oscillator, wrt=(0, 1))(k, c, x0, 5)
    for f, scalar in ((oscillator, True), (oscillator_indexed, False)):
        derivative = s2s.grad(f, wrt=(0, 1))
        got = derivative(k, c, x0, 5)
        assert all(np.shape(g) == () and g.dtype == dtype for g in got)
        assert np.allclose(got, want, rtol=1e-5 if dtype == np.float32 else 1e-12)
        adjoint = derivative.source.split("# adjoint sweep")[1]
        name = np.dtype(dtype).name
        assert (f"d_k = _np.{name}(0.0)" in adjoint) is scalar
        assert ("d_k = _s2s.zeros_like_acc(k)" in adjoint) is not scalar
        assert f"d_c = _np.{name}(0.0)" in adjoint


SHAPE_KIND_CASES = [  # (numpy call on arrays of the shapes, shapes, int arguments, kind)
    (np.linalg.inv, [(3, 3)], {}, "square_shape"),
    (np.linalg.inv, [(2, 4, 4)], {}, "square_shape"),
    (np.linalg.cholesky, [(5, 5)], {}, "square_shape"),
    (np.linalg.det, [(2, 3, 3)], {}, "batch_shape"),
    (np.linalg.det, [(3, 3)], {}, "batch_shape"),
    (np.linalg.solve, [(3, 3), (3,)], {}, "solve_shape"),
    (np.linalg.solve, [(3, 3), (3, 2)], {}, "solve_shape"),
    (np.linalg.solve, [(2, 3, 3), (3, 4)], {}, "solve_shape"),
    (np.linalg.solve, [(3, 3), (2, 3, 1)], {}, "solve_shape"),
    (np.diag, [(4,)], {"k": 0}, "diag_shape"),
    (np.diag, [(4,)], {"k": -2}, "diag_shape"),
    (np.diag, [(4, 3)], {"k": 0}, "diag_shape"),
    (np.diag, [(4, 3)], {"k": 2}, "diag_shape"),
    (np.diag, [(4, 3)], {"k": -3}, "diag_shape"),
    (np.diag, [(2, 5)], {"k": 7}, "diag_shape"),
    (np.outer, [(2, 3), (4,)], {}, "outer_shape"),
]


@pytest.mark.parametrize("call, shapes, ints, kind", SHAPE_KIND_CASES)
def test_shape_kinds_agree_with_numpy(call, shapes, ints, kind):
    """Each shape kind of the registry's facts gives the shape numpy's own call gives (the
    matrices are made positive definite, so cholesky and solve run)."""
    from s2s.analysis import shape_kinds

    def array(shape):
        a = RNG.normal(size=shape)
        if len(shape) >= 2 and shape[-1] == shape[-2]:
            a = a @ np.swapaxes(a, -1, -2) + shape[-1] * np.eye(shape[-1])
        return a

    arrays = [array(s) for s in shapes]
    expected = call(*arrays, **ints).shape
    assert getattr(shape_kinds, kind)(list(shapes), dict(ints)) == expected


def test_eye_and_identity_shapes():
    from s2s.analysis import shape_kinds

    assert shape_kinds.eye_shape([()], {"N": 3}) == np.eye(3).shape
    assert shape_kinds.eye_shape([(), ()], {"N": 3, "M": 5}) == np.eye(3, 5).shape
    assert shape_kinds.eye_shape([()], {"n": 4}) == np.identity(4).shape
    assert shape_kinds.eye_shape([()], {"N": None}) is None


def gp_like(logl, X, y):
    d = X[:, None] - X[None, :]
    K = np.exp(-0.5 * d * d / np.exp(2.0 * logl)) + np.eye(X.shape[0])
    L = np.linalg.cholesky(K)
    alpha = np.linalg.solve(K, y)
    return 0.5 * np.dot(y, alpha) + np.sum(np.log(np.diag(L))) + np.linalg.det(np.linalg.inv(K))


def keyed(x, t):
    a = x[:, None, 1:] * x[None, :, :-1]
    b = x[t, ::2][..., None]
    return np.sum(a * a) + np.sum(np.outer(b, x[-1]) ** 2)


def test_linear_algebra_and_basic_keys_have_proven_shapes():
    """``X[:, None]``, ``cholesky``, ``solve``, ``diag``, ``det``, ``inv`` and ``outer`` of
    proven shapes are proven too: the GP-like adjoint needs no ``unbroadcast``, an inner product's
    adjoint is a product; the values agree with central differences in float64 and float32."""
    X = np.sort(RNG.uniform(0.0, 3.0, 6))
    y = np.sin(X)
    derivative = s2s.grad(gp_like, wrt=0)
    derivative(np.array(0.1), X, y)
    assert "_s2s.unbroadcast(" not in derivative.source
    assert "dot_grad_b" not in derivative.source
    check(gp_like, np.array(0.1), X, y, wrt=0)
    check(gp_like, np.array(0.1, np.float32), X.astype(np.float32), y.astype(np.float32), wrt=0,
          rtol=1e-3, atol=1e-4)  # fmt: skip
    for t in (0, 2, -1):
        check(keyed, RNG.normal(size=(3, 4)), t)
        check(keyed, RNG.normal(size=(3, 4)).astype(np.float32), t, rtol=1e-4, atol=1e-5)


def relu_layers(w1, w2, x):
    return np.sum(np.maximum(x @ w1, 0.0) @ w2) - np.sum(np.minimum(x @ w1, 1.0) ** 2)


def test_maximum_and_minimum_have_the_broadcast_shape():
    """``np.maximum(x @ w1, 0.0)`` has ``x @ w1``'s proven shape (a ufunc broadcasts its
    operands): the product after it is ``g @ w2.T``, no runtime ``matmul_grad``."""
    w1, w2, x = RNG.normal(size=(3, 4)), RNG.normal(size=(4, 2)), RNG.normal(size=(5, 3))
    check(relu_layers, w1, w2, x, wrt=(0, 1))
    derivative = s2s.grad(relu_layers, wrt=(0, 1))
    derivative(w1, w2, x)
    assert "matmul_grad" not in derivative.source and "@ w2.T" in derivative.source


def reordered(A, v):
    B = np.transpose(A)
    C = np.swapaxes(A, 0, 1)
    R = np.reshape(np.reshape(A, (-1,)), A.shape)
    M = np.moveaxis(np.expand_dims(A, 0), 0, -1)
    total = np.sum(np.tanh(B @ v) * (v @ C)) + np.sum(np.tril(A, -1) * np.flip(A, 0))
    total = total + np.sum(R * A) + np.sum(np.ravel(A) ** 3)
    return total + np.sum(np.squeeze(M, axis=2) * np.triu(A))


def test_reorderings_and_matrix_vector_products_have_proven_shapes():
    """``transpose``, ``swapaxes``, ``reshape`` (a shape from ``A.shape``), ``moveaxis``,
    ``expand_dims``, ``squeeze``, ``flip``, ``tril`` and ``triu`` of a proven shape are proven
    (numpy's own call on a stand-in), so a matrix-vector product of a transposed matrix is
    plain (``B.T @ g``, ``np.outer``); values agree with central differences, square and not."""
    A, v = RNG.normal(size=(3, 3)), RNG.normal(size=3)
    derivative = s2s.grad(reordered, wrt=(0, 1))
    derivative(A, v)
    assert "matmul_grad" not in derivative.source
    assert "_s2s.unbroadcast(" not in derivative.source
    check(reordered, A, v, wrt=(0, 1))
    check(reordered, A.astype(np.float32), v.astype(np.float32), wrt=(0, 1), rtol=1e-4,
          atol=1e-5)  # fmt: skip


def test_a_probe_costs_no_memory_and_gives_up_on_huge_or_bad_calls():
    from s2s.analysis import shape_kinds

    assert shape_kinds.probe_shape(np.transpose, (4, 5, 6), {"axes": (2, 0, 1)}) == (6, 4, 5)
    assert shape_kinds.probe_shape(np.reshape, (4, 6), {"shape": (3, -1)}) == (3, 8)
    assert shape_kinds.probe_shape(np.reshape, (4, 6), {"shape": (5, -1)}) is None  # raises
    assert shape_kinds.probe_shape(np.swapaxes, (2, 3), {"axis1": 0, "axis2": 5}) is None
    huge = (1 << 12, 1 << 12)  # 16M entries: tril would allocate them, so no probe
    assert shape_kinds.probe_shape(np.tril, huge, {"k": 0}) is None
    assert shape_kinds.probe_shape(np.transpose, (2, 3), None) is None  # an unknown argument
