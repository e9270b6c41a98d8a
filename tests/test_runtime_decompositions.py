"""The helpers of decompositions, several-output ufuncs, sorting and cumprod, against central
differences (float64, random points and cotangents) and exact values."""

import numpy as np
import pytest
from gradcheck import along

import s2s.runtime as rt

RNG = np.random.default_rng(20240502)


def rand(*shape):
    return RNG.standard_normal(shape)


def spd(n, *batch):
    x = rand(*batch, n, n)
    return x @ np.swapaxes(x, -1, -2) + n * np.eye(n)


def sym(x):
    return x + np.swapaxes(x, -1, -2)


def check(f, x, grad, direction=None, h=1e-6, rtol=1e-6, atol=1e-8):
    """``<grad, v>`` equals the central difference of the scalar ``f`` at ``x`` along ``v``."""
    v = rand(*np.shape(x)) if direction is None else direction
    assert np.shape(grad) == np.shape(x)
    fd = along(f, x, v, h)
    np.testing.assert_allclose(np.sum(grad * v), fd, rtol=rtol, atol=atol)


def loss(ct):
    return lambda y: np.sum(ct * y)


# -- slogdet, eigh, eigvalsh -------------------------------------------------------------------


def test_slogdet_adjoint_is_inverse_transpose():
    a = rand(2, 3, 3)
    g = rand(2)
    grad = rt.slogdet_adjoint(g, a)
    np.testing.assert_allclose(grad, g[:, None, None] * np.linalg.inv(a).transpose(0, 2, 1))
    check(lambda x: np.sum(g * np.linalg.slogdet(x)[1]), a, grad)
    assert rt.slogdet_adjoint(None, a).tolist() == np.zeros_like(a).tolist()


def test_slogdet_adjoint_singular_is_ieee():
    a = np.array([[1.0, 2.0], [2.0, 4.0]])
    grad = rt.slogdet_adjoint(np.float64(1.0), a)
    assert np.all(np.isinf(grad))


def eigh_loss(cw, cv):
    # the eigenvectors' signs fixed by their largest entry, so the loss is smooth
    def f(x):
        w, v = np.linalg.eigh(x)
        return np.sum(cw * w) + np.sum(cv * v * np.sign(v[..., :1, :]))

    return f


def test_eigh_adjoint_matches_symmetric_differences():
    a = sym(rand(2, 4, 4))
    w, v = np.linalg.eigh(a)
    cw, cv = rand(2, 4), rand(2, 4, 4)
    flip = np.sign(v[..., :1, :])
    for gw, gv in ((cw, cv * flip), (None, cv * flip), (cw, None)):
        grad = rt.eigh_adjoint(gw, gv, w, v)
        np.testing.assert_allclose(grad, np.swapaxes(grad, -1, -2), atol=1e-12)
        f = eigh_loss(0 if gw is None else cw, 0 if gv is None else cv)
        check(f, a, grad, direction=sym(rand(2, 4, 4)))


def test_eigh_eigenvalue_gradient_is_outer_product_and_finite_at_degenerate():
    a = np.diag([1.0, 1.0, 3.0])
    w, v = np.linalg.eigh(a)
    g = np.array([0.0, 0.0, 1.0])
    np.testing.assert_allclose(rt.eigh_adjoint(g, None, w, v), np.outer(v[:, 2], v[:, 2]))
    grad = rt.eigh_adjoint(np.ones(3), None, w, v)
    np.testing.assert_allclose(grad, np.eye(3))  # d trace = I, finite at the double eigenvalue


def test_eigvalsh_adjoint_calls_eigh():
    a = sym(rand(5, 5))
    g = rand(5)
    grad = rt.eigvalsh_adjoint(g, a)
    np.testing.assert_allclose(np.linalg.eigh(a)[0], np.linalg.eigvalsh(a), rtol=1e-12)
    check(lambda x: np.sum(g * np.linalg.eigvalsh(x)), a, grad, direction=sym(rand(5, 5)))
    assert rt.eigvalsh_adjoint(g, a, "U").shape == (5, 5)


# -- svd, qr, cholesky ---------------------------------------------------------------------------


def svd_loss(cu, cs, cvh, full):
    def f(x):
        u, s, vh = np.linalg.svd(x, full_matrices=full)
        k = s.shape[-1]
        flip = np.sign(u[..., :1, :k])  # fixes the joint sign of each singular pair
        total = np.sum(cs * s)
        total += np.sum(cu[..., :k] * u[..., :k] * flip)
        total += np.sum(cvh[..., :k, :] * vh[..., :k, :] * np.swapaxes(flip, -1, -2))
        return total

    return f


@pytest.mark.parametrize("shape", [(4, 4), (5, 3), (3, 5), (2, 4, 3)])
@pytest.mark.parametrize("full", [False, True])
def test_svd_adjoint_matches_differences(shape, full):
    a = rand(*shape)
    u, s, vh = np.linalg.svd(a, full_matrices=full)
    k = s.shape[-1]
    flip = np.sign(u[..., :1, :k])
    cu, cs, cvh = rand(*u.shape), rand(*s.shape), rand(*vh.shape)
    cu[..., k:] = 0  # the extra columns of a full decomposition get no cotangent
    cvh[..., k:, :] = 0
    gu, gvh = cu.copy(), cvh.copy()
    gu[..., :k] *= flip
    gvh[..., :k, :] *= np.swapaxes(flip, -1, -2)
    for args in ((gu, cs, gvh), (None, cs, None), (gu, None, None), (None, None, gvh)):
        grad = rt.svd_adjoint(*args, u, s, vh, a)
        cts = [0 * c if g is None else c for g, c in zip(args, (cu, cs, cvh), strict=True)]
        check(svd_loss(*cts, full), a, grad)


def test_svd_adjoint_full_matrices_extra_columns_are_undefined():
    a = rand(5, 3)
    u, s, vh = np.linalg.svd(a, full_matrices=True)
    marker = rt.svd_adjoint(np.ones_like(u), None, None, u, s, vh, a)
    assert isinstance(marker, rt.Undefined)
    assert "extra columns of U" in marker.causes[0].reason


def test_svdvals_and_compute_uv_false():
    a = rand(4, 6)
    g = rand(4)
    grad = rt.svdvals_adjoint(g, a)
    check(lambda x: np.sum(g * np.linalg.svdvals(x)), a, grad)
    s = np.linalg.svd(a, compute_uv=False)
    np.testing.assert_allclose(rt.svd_adjoint(g, None, None, s, None, None, a, False), grad)


def qr_loss(cq, cr, mode):
    def f(x):
        q, r = np.linalg.qr(x, mode=mode)
        return np.sum(cq * q) + np.sum(cr * r)

    return f


@pytest.mark.parametrize("shape", [(4, 4), (6, 3), (3, 5), (2, 5, 3)])
@pytest.mark.parametrize("mode", ["reduced", "complete"])
def test_qr_adjoint_matches_differences(shape, mode):
    a = rand(*shape)
    q, r = np.linalg.qr(a, mode=mode)
    k = min(shape[-2:])
    cq, cr = rand(*q.shape), rand(*r.shape)
    cq[..., k:] = 0
    for gq, gr in ((cq, cr), (None, cr), (cq, None)):
        grad = rt.qr_adjoint(gq, gr, q, r, a, mode)
        check(qr_loss(0 if gq is None else cq, 0 if gr is None else cr, mode), a, grad)


def test_qr_adjoint_mode_r_and_errors():
    a = rand(5, 3)
    r = np.linalg.qr(a, mode="r")
    g = rand(*r.shape)
    grad = rt.qr_adjoint(g, None, r, None, a, "r")
    check(lambda x: np.sum(g * np.linalg.qr(x, mode="r")), a, grad)
    q, r = np.linalg.qr(a, mode="complete")
    marker = rt.qr_adjoint(np.ones_like(q), None, q, r, a, "complete")
    assert isinstance(marker, rt.Undefined)
    assert "extra columns of Q" in marker.causes[0].reason
    with pytest.raises(ValueError, match="'raw'"):
        rt.qr_adjoint(g, None, r, None, a, "raw")


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_adjoint_matches_symmetric_differences(upper):
    a = spd(4, 2)
    chol = np.linalg.cholesky(a, upper=upper)
    g = rand(2, 4, 4)
    grad = rt.cholesky_adjoint(g, chol, upper)
    np.testing.assert_allclose(grad, np.swapaxes(grad, -1, -2))
    f = lambda x: np.sum(g * np.linalg.cholesky(x, upper=upper))  # noqa: E731
    check(f, a, grad, direction=sym(rand(2, 4, 4)))


@pytest.mark.parametrize("upper", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_cholesky_adjoint_of_one_matrix_with_and_without_scipy(upper, dtype, monkeypatch):
    """One real matrix: L^-1 by LAPACK's trtri through scipy where scipy.linalg is imported;
    else np.linalg.inv. Both match central differences and each other."""
    pytest.importorskip("scipy.linalg")  # imported: the fast path
    a = spd(5)
    chol = np.linalg.cholesky(a, upper=upper)
    g = rand(5, 5)
    fast = rt.cholesky_adjoint(g.astype(dtype), chol.astype(dtype), upper)
    monkeypatch.setitem(__import__("sys").modules, "scipy.linalg", None)  # import fails
    plain = rt.cholesky_adjoint(g.astype(dtype), chol.astype(dtype), upper)
    assert fast.dtype == plain.dtype == dtype
    np.testing.assert_allclose(fast, plain, rtol=1e-4 if dtype == np.float32 else 1e-12)
    if dtype == np.float64:
        f = lambda x: np.sum(g * np.linalg.cholesky(x, upper=upper))  # noqa: E731
        check(f, a, fast, direction=sym(rand(5, 5)))


@pytest.mark.parametrize("signs", ["mixed", "positive"])
@pytest.mark.parametrize("upper", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_cholesky_adjoint_of_a_diagonal_cotangent(upper, dtype, signs):
    """A diagonal cotangent (a log-determinant's, through ``np.diag(L)``) takes one product
    instead of three (a symmetric one where no entry is negative); it matches the general
    formula (the plain twin) and central differences."""
    from s2s.runtime import plain_decompositions as twin

    a = spd(6)
    chol = np.linalg.cholesky(a, upper=upper).astype(dtype)
    g = np.diag(np.abs(rand(6)) * ([1, -1, 1, 1, -1, 1] if signs == "mixed" else 1))
    g = g.astype(dtype)
    grad = rt.cholesky_adjoint(g, chol, upper)
    assert grad.dtype == dtype
    if signs == "positive":
        np.testing.assert_array_equal(grad, grad.T)  # (B^T B: exactly symmetric)
    general = twin.cholesky_adjoint(g.astype(np.float64), chol.astype(np.float64), upper)
    np.testing.assert_allclose(grad, general, rtol=1e-4 if dtype == np.float32 else 1e-12)
    if dtype == np.float64:
        f = lambda x: np.sum(g * np.linalg.cholesky(x, upper=upper))  # noqa: E731
        check(f, a, grad, direction=sym(rand(6, 6)))


@pytest.mark.parametrize("shape", [(100, 100), (3, 70, 70), (33, 33)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_blocked_lower_inverse_is_the_inverse(shape, dtype):
    """The inverse of Cholesky factors by halves (no scipy): lower triangular, equal to
    np.linalg.inv's to rounding, in the factor's dtype, for one matrix and a stack."""
    from s2s.runtime.decompositions import _blocked_lower_inverse

    low = np.linalg.cholesky(spd(shape[-1], *shape[:-2]) / shape[-1]).astype(dtype)
    inverse = _blocked_lower_inverse(low)
    assert inverse.dtype == dtype and inverse.shape == low.shape
    assert not np.triu(inverse, 1).any()
    tol = 1e-4 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(inverse, np.linalg.inv(low), rtol=tol, atol=tol)
    with pytest.raises(np.linalg.LinAlgError):
        singular = np.tril(np.ones((40, 40)))
        singular[35, 35] = 0.0
        _blocked_lower_inverse(singular)


def test_cholesky_of_one_by_one():
    # d sqrt(a) = 1 / (2 sqrt(a))
    np.testing.assert_allclose(rt.cholesky_adjoint(np.ones((1, 1)), np.array([[2.0]])), 0.25)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_linalg_helpers_keep_dtype(dtype):
    a = spd(3).astype(dtype)
    g = np.ones(3, dtype)
    gm = np.ones((3, 3), dtype)
    w, v = np.linalg.eigh(a)
    u, s, vh = np.linalg.svd(a)
    q, r = np.linalg.qr(a)
    results = [
        rt.slogdet_adjoint(dtype(1), a),
        rt.eigh_adjoint(g, gm, w, v),
        rt.eigh_adjoint(g, None, w, v),
        rt.eigvalsh_adjoint(g, a),
        rt.svd_adjoint(gm, g, gm, u, s, vh, a),
        rt.svdvals_adjoint(g, a),
        rt.qr_adjoint(gm, gm, q, r, a),
        rt.cholesky_adjoint(gm, np.linalg.cholesky(a)),
    ]
    assert [x.dtype for x in results] == [np.dtype(dtype)] * len(results)


# -- divmod, modf, frexp -------------------------------------------------------------------------


def test_divmod_grads_match_differences_and_unbroadcast():
    x1, x2 = rand(3, 4) * 5, np.abs(rand(4)) + 0.5
    q, rem = np.divmod(x1, x2)
    g = rand(3, 4)
    check(lambda x: np.sum(g * np.divmod(x, x2)[1]), x1, rt.divmod_grad(g, q, x1, x2, True))
    check(lambda x: np.sum(g * np.divmod(x1, x)[1]), x2, rt.divmod_grad(g, q, x1, x2, False))
    assert rt.divmod_grad(None, q, x1, x2, False).tolist() == [0.0] * 4


def test_modf_and_frexp_grads():
    x = rand(5) * 10
    g = rand(5)
    check(lambda y: np.sum(g * np.modf(y)[0]), x, rt.modf_grad(g, x))
    m, e = np.frexp(x)
    grad = rt.frexp_grad(g, e, x)
    check(lambda y: np.sum(g * np.frexp(y)[0]), x, grad)
    np.testing.assert_array_equal(grad, g / 2.0**e)
    assert rt.frexp_grad(None, e, x).tolist() == [0.0] * 5
    assert rt.modf_grad(None, x).shape == (5,)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_number_helpers_accumulate_in_acc_dtype(dtype):
    x = np.array([1.5, -2.25, 3.0], dtype)
    acc = np.float32 if dtype == np.float16 else dtype
    g = np.ones(3, acc)
    q, _ = np.divmod(x, dtype(2))
    _, e = np.frexp(x)
    for out in (rt.divmod_grad(g, q, x, x, False), rt.modf_grad(g, x), rt.frexp_grad(g, e, x)):
        assert out.dtype == acc


# -- sort, median, unique, cumprod ---------------------------------------------------------------


@pytest.mark.parametrize("axis", [-1, 0, None])
def test_sort_adjoint_matches_differences(axis):
    a = rand(4, 5)
    g = rand(*np.sort(a, axis=axis).shape)
    check(lambda x: np.sum(g * np.sort(x, axis=axis)), a, rt.sort_adjoint(g, a, axis))


def test_sort_adjoint_ties_follow_the_stable_permutation():
    a = np.array([1.0, 1.0, 0.0, 1.0])
    grad = rt.sort_adjoint(np.array([10.0, 20.0, 30.0, 40.0]), a)
    assert grad.tolist() == [20.0, 30.0, 10.0, 40.0]


@pytest.mark.parametrize(
    "shape, axis, keepdims",
    [((7,), None, False), ((6,), 0, True), ((4, 5), 1, False), ((3, 4, 2), (0, 2), True)],
)
def test_median_adjoint_matches_differences(shape, axis, keepdims):
    a = rand(*shape)
    g = rand(*np.shape(np.median(a, axis=axis, keepdims=keepdims)))
    f = lambda x: np.sum(g * np.median(x, axis=axis, keepdims=keepdims))  # noqa: E731
    check(f, a, rt.median_adjoint(g, a, axis, keepdims))


def test_median_adjoint_ties_and_nan():
    assert rt.median_adjoint(1.0, np.array([2.0, 1.0, 2.0])).tolist() == [1.0, 0.0, 0.0]
    assert rt.median_adjoint(1.0, np.array([2.0, 2.0, 1.0, 2.0])).tolist() == [0.5, 0.5, 0, 0]
    out = rt.median_adjoint(np.ones(2), np.array([[1.0, np.nan, np.nan], [3.0, 1.0, 2.0]]), 1)
    assert out.tolist() == [[0.0, 0.5, 0.5], [0.0, 0.0, 1.0]]


def test_unique_adjoint_splits_among_occurrences():
    a = np.array([[3.0, 1.0], [3.0, 2.0]])
    g = np.array([10.0, 20.0, 30.0])  # unique: [1, 2, 3]
    grad = rt.unique_adjoint(g, a)
    assert grad.tolist() == [[15.0, 10.0], [15.0, 20.0]]
    v = np.array([[1.0, 0.0], [1.0, 0.0]])  # moves both 3s together: d unique = [0, 0, 1]
    check(lambda x: np.sum(g * np.unique(x)), a, grad, direction=v)
    rows = np.array([[1.0, 2.0], [0.0, 5.0], [1.0, 2.0]])
    out = rt.unique_adjoint(np.array([[1.0, 2.0], [3.0, 4.0]]), rows, axis=0)
    assert out.tolist() == [[1.5, 2.0], [1.0, 2.0], [1.5, 2.0]]  # rows [0, 5], [1, 2]


@pytest.mark.parametrize("shape, axis", [((9,), None), ((3, 6), 1), ((5, 4), 0), ((2, 3), None)])
def test_cumprod_adjoint_matches_differences(shape, axis):
    a = rand(*shape)
    g = rand(*np.cumprod(a, axis=axis).shape)
    check(lambda x: np.sum(g * np.cumprod(x, axis=axis)), a, rt.cumprod_adjoint(g, a, axis))


def brute_cumprod_grad(g, x):
    n = len(x)
    return np.array(
        [sum(g[i] * np.prod(np.delete(x[: i + 1], j)) for i in range(j, n)) for j in range(n)]
    )


@pytest.mark.parametrize("n", [1, 2, 5, 8, 13])
def test_cumprod_adjoint_exact_with_zeros(n):
    x = rand(n)
    x[n // 2] = 0.0
    if n > 3:
        x[n - 2] = 0.0
    g = rand(n)
    np.testing.assert_allclose(rt.cumprod_adjoint(g, x, 0), brute_cumprod_grad(g, x), atol=1e-14)
    out = rt.cumprod_adjoint(np.ones(3), np.array([2.0, 0.0, 3.0]))
    assert out.tolist() == [1.0, 2.0 + 6.0, 0.0]


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_sorting_helpers_keep_dtype(dtype):
    a = np.array([[3.0, 1.0, 2.0], [0.5, 0.5, 4.0]], dtype)
    acc = np.float32 if dtype == np.float16 else dtype
    g2, g1 = np.ones((2, 3), acc), np.ones(2, acc)
    outs = [
        rt.sort_adjoint(g2, a, 1),
        rt.median_adjoint(g1, a, 1),
        rt.unique_adjoint(np.ones(5, acc), a),
        rt.cumprod_adjoint(g2, a, 1),
    ]
    assert [o.dtype for o in outs] == [np.dtype(acc)] * 4
