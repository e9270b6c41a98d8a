"""The runtime helpers of the derivative rules, against central differences and exact values."""

import warnings

import numpy as np
import pytest
from gradcheck import richardson

import s2s
import s2s.runtime as rt
from s2s.runtime.products import LazyParts

RNG = np.random.default_rng(20240501)


def rand(*shape, low=None, high=None):
    if low is not None:
        return RNG.uniform(low, high, shape)
    return RNG.standard_normal(shape)


def assert_pullback(f, xs, pullback, h=1e-4, rtol=1e-8):
    """Richardson-extrapolated central differences of ``<ct, f(xs)>`` along a random direction
    match ``<grad, v>`` within ``rtol`` of the terms' magnitudes (a gradient off by 1e-4
    relative fails); ``pullback(ct)`` returns one gradient per entry of ``xs``, of its shape.
    """
    out = f(*xs)
    ct = rand(*np.shape(out))
    grads = pullback(ct)
    assert len(grads) == len(xs)
    for i, (x, g) in enumerate(zip(xs, grads, strict=True)):
        assert np.shape(g) == np.shape(x), (i, np.shape(g), np.shape(x))
        v = rand(*np.shape(x))

        def phi(t, i=i, x=x, v=v):
            moved = list(xs)
            moved[i] = x + t * v
            return np.sum(f(*moved) * ct)

        fd = float(richardson(phi, h))
        ad = float(np.sum(g * v))
        allowed = rtol * (float(np.sum(np.abs(g * v))) + abs(fd)) + 1e-13 * np.abs(ct).sum()
        assert abs(ad - fd) <= allowed, (i, ad, fd, allowed)


def f32(*arrays):
    return [np.asarray(a, dtype=np.float32) for a in arrays]


# -- ufuncs --------------------------------------------------------------------------------------


def test_power_partials_match_differences_and_conventions():
    x, y = rand(3, 4, low=0.5, high=2.0), rand(3, 4)
    assert_pullback(
        np.power,
        [x, y],
        lambda ct: [ct * rt.power_dbase(x, y), ct * rt.power_dexponent(x**y, x)],
    )
    base = np.array([0.0, 0.0, 2.0, -2.0])
    assert rt.power_dbase(base, np.array([0.0, 1.0, 0.0, 2.0])).tolist() == [0.0, 1.0, 0.0, -4.0]
    expo = rt.power_dexponent(np.power(base, 3.0), base)
    assert expo.tolist() == [0.0, 0.0, 8.0 * np.log(2.0), 0.0]


def test_power_exponent_partial_is_guarded_at_0_to_a_negative_power():
    """``0 ** y`` with ``y < 0`` is ``inf``; ``inf * log(...)`` would be NaN without the guard,
    and the convention (docs/semantics.md) is 0. With ``y > 0`` the result is 0 and even an
    unguarded product is 0, so only a negative exponent can tell."""
    base, exponent = np.array([0.0, 0.0, -2.0]), np.array([-1.0, -2.5, -1.0])
    with np.errstate(divide="ignore", invalid="ignore"):
        result = np.power(base, exponent)
    assert np.isinf(result[:2]).all()
    assert rt.power_dexponent(result, base).tolist() == [0.0, 0.0, 0.0]


def test_power_partials_keep_float32():
    x, y = f32(rand(3, low=0.5, high=2.0), rand(3))
    assert rt.power_dbase(x, y).dtype == np.float32
    assert rt.power_dbase(x, 2).dtype == np.float32
    assert rt.power_dexponent(x**y, x).dtype == np.float32


def test_div_or_zero():
    out = rt.div_or_zero(np.array([1.0, 0.0, 3.0]), np.array([2.0, 0.0, 0.0]))
    assert out.tolist() == [0.5, 0.0, 0.0]
    assert rt.div_or_zero(*f32([1.0], [0.0])).dtype == np.float32


def test_maximum_minimum_shares_match_differences_and_unbroadcast():
    x, y = rand(3, 4), rand(4)
    for fn, share in ((np.maximum, rt.maximum_share), (np.minimum, rt.minimum_share)):
        assert_pullback(fn, [x, y], lambda ct, s=share: [s(ct, x, y), s(ct, y, x)])


def test_maximum_share_ties_and_nan():
    x = np.array([1.0, 2.0, np.nan, 1.0, np.nan])
    y = np.array([1.0, 1.0, 1.0, np.nan, np.nan])
    g = np.ones(5)
    assert rt.maximum_share(g, x, y).tolist() == [0.5, 1.0, 1.0, 0.0, 0.5]
    assert rt.maximum_share(g, y, x).tolist() == [0.5, 0.0, 0.0, 1.0, 0.5]
    assert rt.minimum_share(g, x, y).tolist() == [0.5, 0.0, 1.0, 0.0, 0.5]
    assert rt.maximum_share(*f32(g, x, y)).dtype == np.float32


def test_clip_masks_closed_interval_none_and_crossed_bounds():
    a = np.array([-1.0, 0.0, 0.5, 1.0, 2.0, np.nan])
    inside, below, above = rt.clip_masks(a, 0.0, 1.0)
    assert inside.tolist() == [False, True, True, True, False, True]
    assert below.tolist() == [True, False, False, False, False, False]
    assert above.tolist() == [False, False, False, False, True, False]
    inside, below, above = rt.clip_masks(a, None, None, min=0.0)
    assert below.tolist() == [True] + [False] * 5 and not above.any()
    inside, below, above = rt.clip_masks(np.arange(3.0), 2.0, 1.0)  # numpy gives hi everywhere
    assert above.all() and not inside.any() and not below.any()
    shapes = {m.shape for m in rt.clip_masks(rand(3, 1), rand(4), None)}
    assert shapes == {(3, 4)}


# -- reductions ----------------------------------------------------------------------------------

AXES = [None, 0, -1, (0, 2), (2, 0)]


def test_normalize_axes_and_reduced_size():
    assert rt.normalize_axes(None, 3) == (0, 1, 2)
    assert rt.normalize_axes((-1, 0), 3) == (0, 2)
    assert rt.reduced_size(np.empty((2, 3, 4)), (0, -1)) == 8
    assert rt.reduced_size(rt.like(np.empty((2, 3))), None) == 6
    with pytest.raises(np.exceptions.AxisError):
        rt.normalize_axes(3, 3)


@pytest.mark.parametrize("axis", AXES)
@pytest.mark.parametrize("keepdims", [False, True])
def test_unreduce_is_the_transpose_of_sum(axis, keepdims):
    a = rand(2, 3, 4)
    assert_pullback(
        lambda x: np.sum(x, axis=axis, keepdims=keepdims),
        [a],
        lambda ct: [rt.unreduce(ct, a, axis, keepdims)],
    )


def test_unreduce_casts_to_the_accumulator_dtype():
    ct = np.ones(3, np.float64)
    assert rt.unreduce(ct, np.zeros((2, 3), np.float32), 0).dtype == np.float32
    assert rt.unreduce(np.float32(1), rt.like(np.zeros(3, np.float16))).dtype == np.float32
    assert rt.unreduce(np.float32(1), 2.5).shape == ()


@pytest.mark.parametrize("axis", AXES)
@pytest.mark.parametrize("keepdims", [False, True])
def test_extremum_share_matches_differences(axis, keepdims):
    a = rand(2, 3, 4)
    for fn in (np.max, np.min):
        m = fn(a, axis=axis, keepdims=keepdims)
        mask = rt.extremum_mask(a, m, axis, keepdims)
        assert_pullback(
            lambda x, fn=fn: fn(x, axis=axis, keepdims=keepdims),
            [a],
            lambda ct, mask=mask: [rt.extremum_share(ct, mask, axis, keepdims)],
        )


def test_extremum_ties_split_equally_and_nan_wins():
    a = np.array([[1.0, 3.0, 3.0, 3.0], [np.nan, 2.0, np.nan, 0.0]])
    m = np.max(a, axis=1)
    mask = rt.extremum_mask(a, m, 1)
    share = rt.extremum_share(np.array([3.0, 1.0]), mask, 1)
    assert share.tolist() == [[0.0, 1.0, 1.0, 1.0], [0.5, 0.0, 0.5, 0.0]]
    out = rt.extremum_share(np.float32(1), rt.extremum_mask(*f32([1.0, 1.0], 1.0)))
    assert out.dtype == np.float32 and out.tolist() == [0.5, 0.5]


def test_exclusive_products_exact_with_zeros():
    x = np.array([[2.0, 0.0, 3.0, 4.0], [0.0, 5.0, 0.0, 1.0], [1.0, 2.0, 3.0, 4.0]])
    brute = np.array([[np.prod(np.delete(row, i)) for i in range(4)] for row in x])
    assert rt.exclusive_products(x, -1).tolist() == brute.tolist()
    assert rt.exclusive_products(x.T, 0).tolist() == brute.T.tolist()
    assert rt.exclusive_products(np.array([7.0]), 0).tolist() == [1.0]
    assert rt.exclusive_products(np.zeros((2, 0)), 1).shape == (2, 0)


@pytest.mark.parametrize("axis", AXES)
@pytest.mark.parametrize("keepdims", [False, True])
def test_prod_adjoint_matches_differences(axis, keepdims):
    a = rand(2, 3, 4)
    a[0, 1, 2] = 0.0
    assert_pullback(
        lambda x: np.prod(x, axis=axis, keepdims=keepdims),
        [a],
        lambda ct: [rt.prod_adjoint(ct, a, axis, keepdims)],
    )


def test_prod_adjoint_keeps_float32():
    a = f32(rand(3, 4))[0]
    assert rt.prod_adjoint(np.ones(3, np.float32), a, 1).dtype == np.float32


@pytest.mark.parametrize("axis", AXES)
@pytest.mark.parametrize("ddof", [0, 1])
def test_var_adjoint_matches_differences(axis, ddof):
    a = rand(2, 3, 4)
    for keepdims in (False, True):
        assert_pullback(
            lambda x, k=keepdims: np.var(x, axis=axis, ddof=ddof, keepdims=k),
            [a],
            lambda ct, k=keepdims: [rt.var_adjoint(ct, a, axis, ddof, k)],
        )


def test_var_adjoint_keeps_float32_even_with_numpy_ddof():
    a = f32(rand(3, 4))[0]
    assert rt.var_adjoint(np.ones(4, np.float32), a, 0, np.int64(1)).dtype == np.float32
    assert rt.var_adjoint(np.ones(4, np.float32), a, 0, np.float64(1.0)).dtype == np.float32


@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_cumsum_adjoint_matches_differences(axis):
    a = rand(3, 4)
    assert_pullback(
        lambda x: np.cumsum(x, axis=axis), [a], lambda ct: [rt.cumsum_adjoint(ct, a, axis)]
    )
    assert rt.cumsum_adjoint(np.ones(12, np.float32), rt.like(a.astype(np.float32))).shape == (3, 4)


# -- shapes --------------------------------------------------------------------------------------


def test_untranspose():
    a = rand(2, 3, 4)
    for axes in (None, (1, 2, 0), (-1, 0, 1)):
        assert_pullback(
            lambda x, ax=axes: np.transpose(x, ax),
            [a],
            lambda ct, ax=axes: [rt.untranspose(ct, ax)],
        )


LAYOUTS = [
    lambda x: x,
    lambda x: x[::-1, ::2],
    lambda x: np.asfortranarray(x),
    lambda x: np.asfortranarray(x)[:, ::-1],
    lambda x: x.T[1:, ::-2],
]


@pytest.mark.parametrize("order", ["C", "F", "A", "K"])
@pytest.mark.parametrize("layout", range(len(LAYOUTS)))
def test_unravel_and_unreshape_follow_the_memory_layout(order, layout):
    make = LAYOUTS[layout]
    a, v = make(rand(6, 6)), make(rand(6, 6))
    g = rand(a.size)
    np.testing.assert_allclose(np.sum(np.ravel(v, order) * g), np.sum(v * rt.unravel(g, a, order)))
    if order != "K":
        g2 = rand(a.size // 3, 3)
        back = rt.unreshape(g2, a, order)
        np.testing.assert_allclose(
            np.sum(np.reshape(v, (-1, 3), order=order) * g2), np.sum(v * back)
        )


def test_unravel_refuses_broadcast_views_in_k_order():
    a = np.broadcast_to(np.arange(3.0), (2, 3))[:, ::-1]
    with pytest.raises(NotImplementedError):
        rt.unravel(np.ones(6), a, "K")


@pytest.mark.parametrize(
    "shapes, axis", [([(2, 3), (4, 3)], 0), ([(2, 3), (2, 1)], -1), ([(2, 3), (4,)], None)]
)
def test_unconcatenate(shapes, axis):
    xs = [rand(*s) for s in shapes]
    assert_pullback(
        lambda *x: np.concatenate(x, axis=axis), xs, lambda ct: rt.unconcatenate(ct, xs, axis)
    )


def test_unconcatenate_casts_each_piece_back():
    xs = [np.zeros(2, np.float32), np.zeros(3, np.float16), rt.like(np.zeros(1))]
    parts = rt.unconcatenate(np.ones(6), xs)
    assert [p.dtype for p in parts] == [np.float32, np.float32, np.float64]


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_unstack(axis):
    xs = [rand(2, 3) for _ in range(3)]
    assert_pullback(lambda *x: np.stack(x, axis=axis), xs, lambda ct: rt.unstack(ct, xs, axis))


@pytest.mark.parametrize(
    "shapes", [[(2,), (3,)], [(2, 3), (2, 1)], [(), (3,)], [(2, 3, 1), (2, 1, 1)]]
)
def test_unhstack(shapes):
    xs = [rand(*s) for s in shapes]
    assert_pullback(lambda *x: np.hstack(x), xs, lambda ct: rt.unhstack(ct, xs))


@pytest.mark.parametrize("shapes", [[(3,), (2, 3)], [(), ()], [(2, 3, 1), (1, 3, 1)]])
def test_unvstack(shapes):
    xs = [rand(*s) for s in shapes]
    assert_pullback(lambda *x: np.vstack(x), xs, lambda ct: rt.unvstack(ct, xs))


@pytest.mark.parametrize(
    "indices, axis, mode",
    [
        ([0, 2, 2, -1], 1, "raise"),
        ([[0, 5], [5, 11]], None, "raise"),
        ([-1, -12], None, "raise"),
        ([0, 5, 7], 1, "wrap"),
        ([0, 5, -3], 0, "clip"),
        (2, -1, "raise"),
    ],
)
def test_take_key_reproduces_take(indices, axis, mode):
    a = rand(3, 4)
    key = rt.take_key(a, indices, axis, mode)
    np.testing.assert_array_equal(a[key], np.take(a, indices, axis=axis, mode=mode))
    buf = np.zeros_like(a)
    rt.scatter_add(buf, key, np.ones(np.shape(a[key])))
    assert buf.sum() == np.size(np.take(a, indices, axis=axis, mode=mode))


@pytest.mark.parametrize("offset, axis1, axis2", [(0, 0, 1), (1, 2, 0), (-2, 1, 2), (5, 0, 2)])
def test_undiagonal_and_untrace(offset, axis1, axis2):
    a = rand(3, 4, 5)
    assert_pullback(
        lambda x: np.diagonal(x, offset, axis1, axis2),
        [a],
        lambda ct: [rt.undiagonal(ct, a, offset, axis1, axis2)],
    )
    assert_pullback(
        lambda x: np.trace(x, offset, axis1, axis2),
        [a],
        lambda ct: [rt.untrace(ct, a, offset, axis1, axis2)],
    )
    g = np.ones(np.shape(np.trace(a, offset, axis1, axis2)), np.float64)
    assert rt.untrace(g, a.astype(np.float32), offset, axis1, axis2).dtype == np.float32


@pytest.mark.parametrize("shape, k", [((3,), 0), ((3,), -2), ((3, 5), 1), ((4, 3), -1)])
def test_undiag(shape, k):
    v = rand(*shape)
    assert_pullback(lambda x: np.diag(x, k), [v], lambda ct: [rt.undiag(ct, v, k)])


@pytest.mark.parametrize("shape, n, axis", [((5,), 1, -1), ((5, 3), 2, 0), ((2, 4, 3), 1, 1)])
def test_undiff(shape, n, axis):
    a = rand(*shape)
    assert_pullback(lambda x: np.diff(x, n, axis), [a], lambda ct: [rt.undiff(ct, a, n, axis)])
    g = np.ones(np.shape(np.diff(a, n, axis)), np.float64)
    assert rt.undiff(g, a.astype(np.float32), n, axis).dtype == np.float32


def test_unarray_lists_and_ndmin():
    xs = [rand(3), rand(3)]
    assert_pullback(lambda *x: np.array(x), xs, lambda ct: rt.unarray(ct, xs))
    a = rand(3)
    assert_pullback(lambda x: np.array(x, ndmin=3), [a], lambda ct: [rt.unarray(ct, a)])
    assert rt.unarray(np.ones(3), np.zeros(3, np.float32)).dtype == np.float32


# -- products ------------------------------------------------------------------------------------

DOT_SHAPES = [
    ((3,), (3,)),
    ((2, 3), (3,)),
    ((3,), (3, 4)),
    ((2, 3), (3, 4)),
    ((2, 5, 3), (4, 3, 6)),
    ((5, 3), (2, 3, 4)),
    ((), (2, 3)),
    ((2, 3), ()),
]


@pytest.mark.parametrize("sa, sb", DOT_SHAPES)
def test_dot_grads(sa, sb):
    a, b = rand(*sa), rand(*sb)
    assert_pullback(np.dot, [a, b], lambda ct: [rt.dot_grad_a(ct, a, b), rt.dot_grad_b(ct, a, b)])


MATMUL_SHAPES = [
    ((3,), (3,)),
    ((2, 3), (3,)),
    ((3,), (3, 4)),
    ((2, 3), (3, 4)),
    ((5, 2, 3), (3, 4)),
    ((5, 1, 2, 3), (4, 3, 2)),
    ((3,), (5, 3, 4)),
    ((5, 2, 3), (3,)),
]


@pytest.mark.parametrize("sa, sb", MATMUL_SHAPES)
def test_matmul_grads(sa, sb):
    a, b = rand(*sa), rand(*sb)
    assert_pullback(
        np.matmul, [a, b], lambda ct: [rt.matmul_grad_x1(ct, a, b), rt.matmul_grad_x2(ct, a, b)]
    )


def test_products_keep_float32_and_cast_mixed_inputs_back():
    a, b = f32(rand(2, 3), rand(3, 4))
    ct = np.ones((2, 4), np.float32)
    for grad in (rt.dot_grad_a, rt.dot_grad_b, rt.matmul_grad_x1, rt.matmul_grad_x2):
        assert grad(ct, a, b).dtype == np.float32
    assert rt.matmul_grad_x1(np.ones((2, 4)), a, rand(3, 4)).dtype == np.float32


@pytest.mark.parametrize(
    "sa, sb, axes",
    [
        ((2, 3, 4), (3, 4, 5), 2),
        ((2, 3), (4,), 0),
        ((2, 3, 4), (4, 5, 2), ([0, 2], [2, 0])),
        ((2, 3, 4), (5, 3), (1, 1)),
        ((4, 3, 2), (2, 5, 3, 4), ([1, 2, 0], [2, 0, 3])),
        ((3, 4), (4, 3), ([-1], [-2])),
    ],
)
def test_tensordot_grads(sa, sb, axes):
    a, b = rand(*sa), rand(*sb)
    assert_pullback(
        lambda x, y: np.tensordot(x, y, axes),
        [a, b],
        lambda ct: [rt.tensordot_grad_a(ct, a, b, axes), rt.tensordot_grad_b(ct, a, b, axes)],
    )


EINSUMS = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ij->i", [(2, 3)]),
    ("ij->", [(2, 3)]),
    ("ij,k->jk", [(2, 3), (4,)]),
    ("ij,ij->ij", [(1, 3), (4, 3)]),
    ("...ij,...jk->...ik", [(2, 1, 2, 3), (4, 3, 2)]),
    ("ii->i", [(3, 3)]),
    ("iij,jk->ik", [(3, 3, 2), (2, 4)]),
    ("ij,jk", [(2, 3), (3, 4)]),
    ("Ba,ab", [(2, 3), (3, 2)]),
    ("...i,...i", [(2, 3), (2, 3)]),
    ("i,i,i->", [(3,), (3,), (3,)]),
]


@pytest.mark.parametrize("spec, shapes", EINSUMS)
def test_einsum_grads(spec, shapes):
    xs = [rand(*s) for s in shapes]
    assert_pullback(
        lambda *x: np.einsum(spec, *x), xs, lambda ct: rt.einsum_grads(ct, spec, xs, False)
    )


def test_einsum_grads_keep_each_operand_dtype():
    a, b = np.ones((2, 3), np.float32), np.ones((3, 4))
    grads = rt.einsum_grads(np.ones((2, 4)), "ij,jk->ik", (a, b))
    assert [g.dtype for g in grads] == [np.float32, np.float64]


def test_einsum_grads_are_computed_only_when_read():
    calls = []
    parts = LazyParts(3, lambda k: calls.append(k) or k * 10)
    assert len(parts) == 3 and calls == []
    assert parts[-1] == 20 and calls == [2]
    assert parts[0:2] == [0, 10] and list(parts) == [0, 10, 20]
    with pytest.raises(IndexError):
        parts[3]


# -- linalg --------------------------------------------------------------------------------------

NORMS = [
    ((5,), {}),
    ((5,), dict(ord=1)),
    ((5,), dict(ord=np.inf)),
    ((5,), dict(ord=-np.inf)),
    ((5,), dict(ord=3)),
    ((3, 4), dict(axis=1)),
    ((3, 4), dict(axis=0, ord=1, keepdims=True)),
    ((3, 4), dict(ord="fro")),
    ((3, 4), dict(ord="nuc")),
    ((3, 4), dict(ord=2)),
    ((3, 4), dict(ord=-2)),
    ((3, 4), dict(ord=1)),
    ((3, 4), dict(ord=-np.inf)),
    ((2, 3, 4), dict(axis=(2, 0), ord="fro")),
    ((2, 3, 4), dict(axis=(0, 2), ord="nuc", keepdims=True)),
    ((2, 3, 4), dict(axis=(1, 2), ord=np.inf)),
    ((2, 3, 4), dict(keepdims=True)),
]


@pytest.mark.parametrize("shape, kw", NORMS)
def test_norm_adjoint(shape, kw):
    x = rand(*shape)
    n = np.linalg.norm(x, **kw)
    args = (kw.get("ord"), kw.get("axis"), kw.get("keepdims", False))
    assert_pullback(
        lambda y: np.linalg.norm(y, **kw), [x], lambda ct: [rt.norm_adjoint(ct, x, n, *args)]
    )
    x32 = x.astype(np.float32)
    n32 = np.linalg.norm(x32, **kw)
    assert rt.norm_adjoint(np.ones_like(n32), x32, n32, *args).dtype == np.float32


@pytest.mark.parametrize("ord", [None, 1, 2, np.inf, 3])
def test_norm_adjoint_is_zero_at_the_origin(ord):
    x = np.zeros(4)
    assert not rt.norm_adjoint(1.0, x, 0.0, ord).any()
    for matrix_ord in ("fro", "nuc", 2, 1, np.inf):
        assert not rt.norm_adjoint(1.0, np.zeros((2, 3)), 0.0, matrix_ord).any()


@pytest.mark.parametrize(
    "sa, sb", [((3, 3), (3,)), ((3, 3), (3, 2)), ((2, 3, 3), (3,)), ((3, 3), (4, 3, 2))]
)
def test_solve_adjoint(sa, sb):
    a = rand(*sa) + 3 * np.eye(3)
    b = rand(*sb)

    def pullback(ct):
        gb = rt.solve_cotangent(ct, a, b)
        return [rt.solve_grad_a(gb, np.linalg.solve(a, b), a, b), rt.unbroadcast(gb, b)]

    assert_pullback(np.linalg.solve, [a, b], pullback)


def _cofactor_adjugate(a):
    n = a.shape[0]
    adj = np.empty_like(a)
    for i in range(n):
        for j in range(n):
            minor = np.delete(np.delete(a, j, axis=0), i, axis=1)
            adj[i, j] = (-1) ** (i + j) * np.linalg.det(minor)
    return adj


@pytest.mark.parametrize("rank", [4, 3, 2])
def test_adjugate_is_exact_at_singular_matrices(rank):
    a = rand(4, rank) @ rand(rank, 4)
    np.testing.assert_allclose(rt.adjugate(a), _cofactor_adjugate(a), atol=1e-10)
    if rank == 4:
        np.testing.assert_allclose(rt.adjugate(a), np.linalg.det(a) * np.linalg.inv(a))


@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4), (1, 1)])
def test_det_adjoint(shape):
    a = rand(*shape)
    assert_pullback(np.linalg.det, [a], lambda ct: [rt.det_adjoint(ct, a)])
    a32 = a.astype(np.float32)
    assert rt.det_adjoint(np.ones(shape[:-2], np.float32), a32).dtype == np.float32


def test_det_adjoint_at_a_singular_matrix_matches_differences():
    a = rand(3, 2) @ rand(2, 3)
    assert_pullback(np.linalg.det, [a], lambda ct: [rt.det_adjoint(ct, a)])


# -- shape-only arguments ------------------------------------------------------------------------


def _shape_only_calls():
    a, b, m = rand(2, 3), rand(3, 4), rand(3, 3) + 3 * np.eye(3)
    v, s = rand(3), rand(4, 3, 3) + 3 * np.eye(3)
    spd = s @ np.swapaxes(s, -1, -2)  # symmetric: the factored cotangent's own path
    factor_inverse = rt.lower_inverse(np.linalg.cholesky(spd))
    return [
        (rt.reduced_size, (a, (0,))),
        (rt.unbroadcast_mask, (rand(2, 3) > 0.5, rand(1, 3))),
        (rt.unindexed, (a, (slice(None), [0, 2]))),
        (rt.uncast, (rand(2, 3), a, a)),
        (rt.unsum, (rand(2, 3), [a, a])),
        (rt.unsum, (rand(3), a)),  # sum(a) of one array: the sum of its rows
        (rt.unlist, ([rand(3), None], a)),  # list(a): its rows' parts, one of them none
        (rt.unlist, ([rand(3), rand()], [v, 2.0])),  # list() of a list: the parts as they are
        (rt.expand_reduced, (rand(3), a, 0)),
        (rt.unreduce, (rand(3), a, 0)),
        (rt.cumsum_adjoint, (rand(6), a)),
        (rt.unconcatenate, (rand(4, 3), (a, a), 0)),
        (rt.unstack, (rand(2, 2, 3), (a, a), 0)),
        (rt.unstack, (rand(2, 3), a, 0)),  # np.stack(a) of one array: its rows
        (rt.unhstack, (rand(2, 6), (a, a))),
        (rt.unvstack, (rand(4, 3), (a, a))),
        (rt.take_key, (a, [0, 2], 1)),
        (rt.undiagonal, (rand(2), a)),
        (rt.untrace, (1.5, a, 1)),
        (rt.undiag, (rand(2), a)),
        (rt.undiag, (rand(3, 3), v)),
        (rt.undiff, (rand(2, 2), a, 1, -1)),
        (rt.unarray, (rand(2, 2, 3), [a, a])),
        (rt.dot_grad_a, (rand(2, 4), a, b)),
        (rt.dot_grad_b, (rand(2, 4), a, b)),
        (rt.matmul_grad_x1, (rand(4, 2, 4), a, rand(4, 3, 4))),
        (rt.matmul_grad_x1, (rand(4), v, b)),
        (rt.matmul_grad_x1, (rand(2), a, v)),
        (rt.matmul_grad_x2, (rand(4, 2, 4), rand(4, 2, 3), b)),
        (rt.matmul_grad_x2, (rand(4), v, b)),
        (rt.matmul_grad_x2, (rand(2), a, v)),
        (rt.tensordot_grad_a, (rand(2, 4), a, b, 1)),
        (rt.tensordot_grad_b, (rand(2, 4), a, b, 1)),
        (rt.solve_cotangent, (rand(4, 3), s, v)),
        (rt.solve_cotangent_factored, (rand(4, 3), spd, v, factor_inverse)),
        (rt.solve_cotangent_factored, (rand(4, 3), s, v, factor_inverse)),  # the general solve
        (rt.solve_grad_a, (rand(4, 3), rand(4, 3), s, v)),
        (rt.solve_grad_a, (rand(3, 2), rand(3, 2), m, rand(3, 2))),
        (rt.as_columns, (rand(3), v)),
        (rt.as_columns, (rand(3, 2), rand(3, 2))),
        (rt.from_columns, (rand(3, 1), v)),
        (rt.pad_keys, (a, 1, "reflect")),
        (rt.pad_keys, (a, ((1, 0), (0, 2)))),
        (rt.pad_constant_grad, (rand(3, 5), a, ((1, 0), (0, 2)), 0.5)),
        (rt.pad_constant_tangent, (rand(2, 2), a, 1)),
        (rt.tile_plan, (a, (2, 1, 3))),
        (rt.repeat_key, (a, [1, 0, 2], 1)),
        (rt.kron_plan, (a, v)),
        (rt.unsplit_parts, ([rand(2, 1), None, rand(2, 1)], a, 3, 1)),
        (rt.uncolumn_stack, (rand(2, 4), (rand(2), a))),
        (rt.undstack, (rand(2, 3, 3), (a, rand(2, 3, 2)))),
        (rt.delete_key, (a, [1], 1)),
        (rt.along_axis_key, (a, np.array([[0, 2], [1, 1]]), 1)),
        (rt.compress_key, ([True, False, True], a, 1)),
        (rt.extract_key, (a > 0, a)),
        (rt.extract_key, ([0, 1, 1], a)),
        (rt.average_weights, (a, 1, rand(3))),
        (rt.trapezoid_weights, (a, None, 0.5, 0)),
        (rt.linspace_t, (a, 2, True, 0)),
        (rt.polyint_matrix, (v, 2)),
        (rt.polyder_matrix, (rand(4), 1)),
        (rt.poly_length, (v,)),
        (rt.poly_tail, (v,)),
        (rt.vander_plan, (v, 4, True)),
        (rt.unbroadcast_parts, ([rand(2, 3), rand(2, 3)], (a, rand(3)))),
        (rt.unmeshgrid, ([rand(2, 3), rand(2, 3)], (rand(3), rand(2)), "xy")),
        (rt.rebroadcast_parts, ([rand(3), None], [rand(2, 3), rand(2, 3)])),
        (rt.remeshgrid, ([rand(3), rand(2)], [rand(2, 3), rand(2, 3)], "xy")),
        (rt.rollaxis_destination, (a, 1, 0)),
        (rt.resize_plan, (a, (3, 3))),
        (rt.insert_keys, (a, [0, 2], rand(2, 1), 1)),
        (rt.inner_axes, (a, rand(4, 3))),
        (rt.expand_at, (rand(2), 1, rand(2, 5))),
        (rt.labels, (a,)),
        (rt.value_labels, (v,)),
        (rt.written, (rand(2, 3), np.array([[-2, 1, -1], [-3, 4, -2]]), v)),
    ]


def _record(value):
    if isinstance(value, (list, tuple)):
        return type(value)(rt.like(x) for x in value)
    return rt.like(value)


def _assert_same(expected, got):
    if isinstance(expected, (list, tuple)):
        assert type(got) is type(expected) and len(got) == len(expected)
        for e, g in zip(expected, got, strict=True):
            _assert_same(e, g)
    elif isinstance(expected, slice):
        assert got == expected
    else:
        np.testing.assert_array_equal(got, expected)
        assert np.result_type(got) == np.result_type(expected)


@pytest.mark.parametrize("index", range(len(_shape_only_calls())))
def test_shape_only_arguments_accept_a_like_record(index):
    helper, args = _shape_only_calls()[index]
    recorded = list(args)
    for position in helper.shape_only_args:
        recorded[position] = _record(args[position])
    _assert_same(helper(*args), helper(*recorded))


def test_every_rule_helper_marked_shape_only_is_checked_with_a_record():
    core = {"shape_of", "unbroadcast", "zeros_like_acc", "owned_copy", "owned_buffer"}
    marked = {n for n in rt.__all__ if getattr(getattr(rt, n), "shape_only_args", ())} - core
    assert marked <= {helper.__name__ for helper, _ in _shape_only_calls()}


def test_owned_buffer_is_new_zeros_or_a_new_copy_in_the_accumulator_dtype():
    ref = np.ones((2, 3), dtype=np.float16)
    zeros = rt.owned_buffer(None, rt.like(ref))
    assert zeros.dtype == np.float32 and zeros.shape == (2, 3) and not zeros.any()
    borrowed = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    owned = rt.owned_buffer(borrowed, ref)
    owned += 1.0  # the caller's buffer is not the one written
    np.testing.assert_array_equal(borrowed, np.arange(6.0).reshape(2, 3))
    assert owned.dtype == np.float32 and owned[1, 2] == 6.0


def test_shape_records_are_shared_and_unbroadcast_returns_the_same_array_when_nothing_to_do():
    a, b = np.zeros((4, 5)), np.ones((4, 5))
    assert rt.like(a) is rt.like(b)  # one record per shape and dtype
    g = np.ones((4, 5))
    assert rt.unbroadcast(g, rt.like(a)) is g
    assert rt.unbroadcast(g, a) is g
    half = np.ones((4, 5), dtype=np.float16)
    assert rt.unbroadcast(half, half).dtype == np.float32  # float16 accumulates in float32
    np.testing.assert_array_equal(rt.unbroadcast(g, np.zeros(5)), np.full(5, 4.0))


# -- survivors of the mutation run (docs/testing.md) ---------------------------------------------


def test_scatter_add_with_a_mask_then_repeated_indices_sums_the_repeats():
    """A key holding a boolean mask and an integer array is advanced: repeats must add up
    (``np.add.at``), which ``buffer[key] += g`` would not do."""
    buffer = np.zeros((2, 3))
    key = (np.array([True, False]), np.array([0, 0, 2]))
    rt.scatter_add(buffer, key, np.array([1.0, 2.0, 4.0]))
    assert buffer.tolist() == [[3.0, 0.0, 4.0], [0.0, 0.0, 0.0]]


def test_augmented_keeps_the_arrays_dtype():
    old = np.ones(3, np.float32)
    new = rt.augmented(old * np.float64(2.0), old)
    assert new.dtype == np.float32 and new.tolist() == [2.0, 2.0, 2.0]
    same = rt.augmented(old + np.float32(1.0), old)
    assert same.dtype == np.float32


def test_resolve_undefined_nan_has_the_arguments_float_dtype():
    marker = rt.Undefined((rt.Cause("op", "x", "why", "f.py", 1),))
    for dtype in (np.float32, np.float64):
        got = rt.resolve_undefined(marker, np.ones(2, dtype), "x", "nan")
        assert got.dtype == dtype and np.isnan(got).all()
    assert rt.resolve_undefined(marker, np.ones(2, np.int64), "n", "nan").dtype == np.float64


def test_cumprod_adjoint_of_an_empty_axis_has_the_input_shape():
    a = np.ones((0, 3))
    g = np.cumprod(a, axis=0)
    assert rt.cumprod_adjoint(g, a, axis=0).shape == (0, 3)
    assert rt.cumprod_adjoint(np.ones((3, 0)), np.ones((3, 0)), axis=1).shape == (3, 0)
    assert rt.cumprod_adjoint(np.ones((0,)), np.ones((0, 2)), axis=None).shape == (0, 2)


def test_unbroadcast_sums_a_size_1_axis_against_any_size():
    ref = np.ones((3, 1))
    for n in (1, 2, 4):
        got = rt.unbroadcast(np.ones((3, n)), ref)
        assert got.shape == (3, 1) and got.tolist() == [[float(n)]] * 3


def test_is_real_scalar():
    yes = [1.5, np.float32(2.0), np.array(3.0), np.array(1.0, np.float16)]
    no = [np.ones(2), np.ones((1,)), np.array(1), np.array(True), 3, np.array([2.0])]
    assert all(rt.is_real_scalar(v) for v in yes)
    assert not any(rt.is_real_scalar(v) for v in no)


def test_gradient_of_no_buffer_is_zero_of_the_arguments_type():
    assert rt.gradient(None, 3.0) == 0.0 and type(rt.gradient(None, 3.0)) is np.float64
    zeros = rt.gradient(None, (np.ones(2, np.float32), 2.0))
    assert isinstance(zeros, tuple) and zeros[0].dtype == np.float32 and zeros[1] == 0.0
    assert zeros[0].tolist() == [0.0, 0.0]
    scalar = rt.gradient(None, np.float32(3.0))
    assert type(scalar) is np.float32 and scalar == 0.0


def test_into_never_writes_a_result_of_another_shape_or_dtype_into_its_operand():
    ints = np.array([1, 2])
    np.testing.assert_array_equal(rt.into(np.add, ints, 0.5), [1.5, 2.5])
    assert ints.tolist() == [1, 2]
    small = np.ones(3)
    assert rt.into(np.add, small, np.ones((2, 3))).shape == (2, 3)
    left = np.ones((2, 3))
    assert rt.into(np.multiply, left, 2.0) is left and left.tolist() == [[2.0] * 3] * 2


def test_unique_adjoint_gives_a_single_nan_its_whole_cotangent():
    got = rt.unique_adjoint(np.array([10.0, 20.0]), np.array([np.nan, 1.0]), None, True, True)
    assert got.tolist() == [20.0, 10.0]
    got = rt.unique_adjoint(
        np.array([10.0, 20.0]), np.array([np.nan, 1.0, np.nan]), None, True, True
    )
    assert got.tolist() == [10.0, 10.0, 10.0]


# -- pad, tile, repeat, kron, cross ---------------------------------------------------------------


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric", "wrap"])
def test_pad_keys_read_the_padded_array_back(mode):
    """Scatter-adding the padded array at the keys gives each entry times its copies."""
    a = rand(3, 4)
    widths = ((2, 1), (0, 3))
    padded = np.pad(a, widths, mode=mode)
    key_a, key_g = rt.pad_keys(a, widths, mode)
    back = np.zeros_like(a)
    np.add.at(back, key_a, padded[key_g])
    copies = np.zeros_like(a)
    np.add.at(copies, key_a, np.ones_like(padded)[key_g])
    np.testing.assert_allclose(back, a * copies)
    assert copies.min() >= 1 and (mode != "constant" or copies.max() == 1)


def test_pad_refuses_the_modes_it_does_not_differentiate():
    with pytest.raises(s2s.UnsupportedArgumentError, match="maximum"):
        rt.pad_mode("maximum")


def test_pad_constants_adjoint_and_tangent_are_transposes():
    a, widths = rand(2, 3), ((1, 2), (2, 0))
    t = rand(2, 2)
    tangent = rt.pad_constant_tangent(t, a, widths)
    np.testing.assert_array_equal(tangent, np.pad(np.zeros_like(a), widths, constant_values=t))
    g = rand(*tangent.shape)
    grad = rt.pad_constant_grad(g, a, widths, t)
    assert grad.shape == (2, 2)
    assert np.sum(g * tangent) == pytest.approx(np.sum(grad * t), rel=1e-12)


def test_tile_plan_and_repeat_key_and_kron_plan():
    a, b = rand(2, 3), rand(4)
    split, axes = rt.tile_plan(a, (2, 1, 2))
    tiled = np.tile(a, (2, 1, 2)).reshape(split)
    np.testing.assert_allclose(tiled.sum(axis=axes), 4 * a[None])
    np.testing.assert_array_equal(a[rt.repeat_key(a, [2, 0, 1], 1)], np.repeat(a, [2, 0, 1], 1))
    np.testing.assert_array_equal(a[rt.repeat_key(a, 2)], np.repeat(a, 2))
    split, a_shape, b_shape, a_axes, b_axes = rt.kron_plan(a, b)
    product = np.reshape(a, a_shape) * np.reshape(b, b_shape)
    np.testing.assert_array_equal(product.reshape(np.kron(a, b).shape), np.kron(a, b))
    assert split == (2, 1, 3, 4) and a_axes == (0, 2) and b_axes == (1, 3)


def _numpy_crosses_2_vectors() -> bool:
    """numpy 2.0 deprecated 2-vectors in np.cross and numpy 2.5 refuses them."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            np.cross(np.ones(2), np.ones(2))
        except ValueError:
            return False
    return True


CROSS_SIZES = [(3, 3)] + ([(2, 3), (3, 2), (2, 2)] if _numpy_crosses_2_vectors() else [])


@pytest.mark.parametrize("sizes", CROSS_SIZES)
def test_cross_adjoint_is_the_transpose_of_the_cross_product(sizes):
    a, b = rand(4, sizes[0]), rand(sizes[1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        c = np.cross(a, b)
        da, db = rand(*a.shape), rand(*b.shape)
        jv = np.cross(da, b) + np.cross(a, db)
    g = rand(*c.shape)
    ga = rt.cross_adjoint(g, a, b, -1, -1, -1, None, True)
    gb = rt.cross_adjoint(g, a, b, -1, -1, -1, None, False)
    assert ga.shape == a.shape and gb.shape == b.shape
    assert np.sum(g * jv) == pytest.approx(np.sum(ga * da) + np.sum(gb * db), rel=1e-12)


# -- splits, stacks, deletions, gathers along an axis --------------------------------------------


def test_unsplit_parts_joins_pieces_with_zeros_for_missing_ones():
    a = rand(7, 2)
    parts = np.array_split(a, [2, 3], axis=0)
    joined = rt.unsplit_parts([parts[0], None, parts[2]], a, [2, 3], 0)
    expected = a.copy()
    expected[2:3] = 0.0
    np.testing.assert_array_equal(joined, expected)
    stacked = np.stack(np.split(a, 2, axis=1))  # a stacked cotangent of pieces of one shape
    np.testing.assert_array_equal(rt.unsplit_parts(stacked, a, 2, 1), a)
    np.testing.assert_array_equal(rt.unsplit_parts(np.hsplit(a[0], 2), a[0], 2, "h"), a[0])


def test_column_stack_and_dstack_adjoints_split_back():
    a, b = rand(3), rand(3, 2)
    back = rt.uncolumn_stack(np.column_stack([a, b]), (a, b))
    np.testing.assert_array_equal(back[0], a)
    np.testing.assert_array_equal(back[1], b)
    c, e, f = rand(2), rand(1, 2), rand(1, 2, 3)
    back = rt.undstack(np.dstack([c, e, f]), (c, e, f))
    for got, want in zip(back, (c, e, f), strict=True):
        np.testing.assert_array_equal(got, want)


def test_delete_and_along_axis_keys_gather_as_numpy_does():
    a = rand(3, 4)
    np.testing.assert_array_equal(a[rt.delete_key(a, [0, 2], 1)], np.delete(a, [0, 2], axis=1))
    np.testing.assert_array_equal(a[rt.delete_key(a, slice(1, 5))], np.delete(a, slice(1, 5)))
    i = np.array([[3, -1], [0, 0], [1, 2]])
    np.testing.assert_array_equal(a[rt.along_axis_key(a, i, 1)], np.take_along_axis(a, i, 1))
    j = np.array([5, -2])
    np.testing.assert_array_equal(a[rt.along_axis_key(a, j, None)], np.take_along_axis(a, j, None))


# -- selections -----------------------------------------------------------------------------------


def test_select_masks_take_the_first_true_condition_then_the_default():
    x = np.array([-1.0, 0.5, 2.0, 3.0])
    masks = rt.select_masks([x > 0, x > 1], x)
    np.testing.assert_array_equal(np.array(masks), [[0, 1, 1, 1], [0, 0, 0, 0], [1, 0, 0, 0]])
    g = rand(4)
    parts = rt.select_parts(g, masks, [np.zeros(4), 0.0])
    np.testing.assert_array_equal(parts[0], np.where(masks[0], g, 0))
    assert parts[1] == 0.0


def test_choose_parts_route_each_entry_to_its_choice():
    a, g = np.array([0, 2, 1, 3]), rand(4)
    parts = rt.choose_parts(g, a, [np.zeros(4), np.zeros(1), np.zeros(4)], "wrap")
    np.testing.assert_array_equal(parts[0], [g[0], 0, 0, g[3]])
    assert parts[1].shape == (1,) and parts[1][0] == g[2]
    stacked = rt.choose_parts(g, a, np.zeros((4, 4)), "clip")
    np.testing.assert_array_equal(stacked[3], [0, 0, 0, g[3]])


def test_average_weights_lie_along_the_axis():
    a, w = rand(2, 3), rand(3)
    assert rt.average_weights(a, None, None) == 1.0
    assert rt.average_weights(a, 1, w).shape == (1, 3)
    assert rt.average_weights(a, None, a) is a
    expected = np.average(a, axis=1, weights=w)
    np.testing.assert_allclose(np.sum(a * rt.average_weights(a, 1, w), axis=1) / w.sum(), expected)


def test_compress_and_extract_keys_gather_as_numpy_does():
    a = rand(3, 4)
    c = [True, False, True]
    np.testing.assert_array_equal(a[rt.compress_key(c, a, 0)], np.compress(c, a, axis=0))
    np.testing.assert_array_equal(a[rt.compress_key(c, a)], np.compress(c, a))
    np.testing.assert_array_equal(a[rt.extract_key(a > 0, a)], np.extract(a > 0, a))
    np.testing.assert_array_equal(a[rt.extract_key([0, 1, 1], a)], np.extract([0, 1, 1], a))


def test_as_columns_and_from_columns_follow_solves_vector_rule():
    x, m = rand(3), rand(3, 2)
    np.testing.assert_array_equal(rt.as_columns(x, x), x[:, None])
    np.testing.assert_array_equal(rt.from_columns(rt.as_columns(x, x), x), x)
    assert rt.as_columns(m, m) is m and rt.from_columns(m, m) is m
    record = rt.like(x)  # a shape record stands for b
    np.testing.assert_array_equal(rt.as_columns(x, record), x[:, None])


# -- convolutions, trapezoid, linspace -------------------------------------------------------------


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("sizes", [(5, 3), (3, 5)])
def test_convolve_grad_is_the_transpose_of_the_convolution(mode, sizes):
    a, v = rand(sizes[0]), rand(sizes[1])
    da, dv = rand(sizes[0]), rand(sizes[1])
    for fn, flip in ((np.convolve, False), (np.correlate, True)):
        out = fn(a, v, mode)
        g = rand(*out.shape)
        jv = fn(da, v, mode) + fn(a, dv, mode)
        ga = rt.convolve_grad(g, a, v, mode, True, flip)
        gv = rt.convolve_grad(g, a, v, mode, False, flip)
        assert np.sum(g * jv) == pytest.approx(np.sum(ga * da) + np.sum(gv * dv), rel=1e-12)


def test_trapezoid_weights_and_linspace_fractions():
    y, x = rand(2, 4), np.array([0.0, 1.0, 1.5, 3.0])
    for kwargs in ({}, {"dx": 0.5}, {"x": x}, {"x": np.tile(x, (2, 1))}):
        w = rt.trapezoid_weights(y, kwargs.get("x"), kwargs.get("dx", 1.0), 1)
        np.testing.assert_allclose(np.sum(y * w, axis=1), np.trapezoid(y, axis=1, **kwargs))
    t = rt.linspace_t(np.zeros((2, 5)), 5, False, 1)
    np.testing.assert_allclose(2.0 + 3.0 * t[0], np.linspace(2.0, 5.0, 5, endpoint=False))


def test_adjoints_of_sum_and_stack_of_one_array_are_one_array():
    """``sum(a)`` and ``np.stack(a)`` of one array treat its rows as the items (a starred
    ``first, *rest = a`` gives such an array)."""
    a, g = rand(3, 2), rand(2)
    np.testing.assert_array_equal(rt.unsum(g, a), np.broadcast_to(g, (3, 2)))
    np.testing.assert_array_equal(rt.unstack(rand(3, 2) * 0 + a, a, 0), a)


@pytest.mark.parametrize("zeros", [[], [1], [0, 3], [0, 1, 3]])
def test_prod_second_is_the_exclusive_pair_product_exactly_with_zeros(zeros):
    a, w = rand(5) + 0.5, rand(5)
    a[zeros] = 0.0
    expected = [sum(w[k] * np.prod(np.delete(a, [i, k])) for k in range(5) if k != i)
                for i in range(5)]  # fmt: skip
    np.testing.assert_allclose(rt.prod_second(w, a), expected, rtol=1e-12, atol=1e-15)
    batch = np.stack([a, a[::-1]], axis=1)  # the reduced axis first, kept axis second
    np.testing.assert_allclose(rt.prod_second(np.stack([w, w[::-1]], 1), batch, 0)[:, 0],
                               expected, rtol=1e-12, atol=1e-15)  # fmt: skip
    assert rt.prod_second(w.astype(np.float32), a.astype(np.float32)).dtype == np.float32


def test_project_tangent_keeps_a_scalar_of_the_primals_dtype_and_casts_others():
    """The scalar fast path (a loop's every step): a numpy scalar tangent of the primal's dtype
    is returned as is; one of another dtype, or a Python float, becomes the primal's."""
    from s2s.runtime.tangents import project_tangent

    t64, t32 = np.float64(0.25), np.float32(0.25)
    assert project_tangent(t64, np.float64(1.0)) is t64 and project_tangent(t64, 1.0) is t64
    assert project_tangent(t32, np.float32(1.0)) is t32
    assert type(project_tangent(t32, np.float64(1.0))) is np.float64
    assert type(project_tangent(t64, np.float32(1.0))) is np.float32
    assert type(project_tangent(0.25, np.float64(1.0))) is np.float64
    assert project_tangent(t64, np.zeros(3)).shape == (3,)  # broadcast onto an array primal


def test_put_back_last_and_drop_last_copy_a_foreign_list_then_work_in_place():
    """The non-functional list cotangents: a list they did not make (a seed, a user's) is
    copied, never written; one they made grows and shrinks in place; None stays None."""
    from s2s.runtime.kinds import OwnedParts, drop_last, put_back_last

    assert put_back_last(None, None, 3) is None
    seed = [1.0, None]
    grown = put_back_last(seed, 2.0, 2)
    assert seed == [1.0, None] and grown == [1.0, None, 2.0] and type(grown) is OwnedParts
    again = put_back_last(grown, 3.0, 3)
    assert again is grown and grown == [1.0, None, 2.0, 3.0]
    assert drop_last(grown) is grown and grown == [1.0, None, 2.0]
    foreign = [4.0, 5.0]
    shrunk = drop_last(foreign)
    assert foreign == [4.0, 5.0] and shrunk == [4.0] and type(shrunk) is OwnedParts
    assert put_back_last(None, 1.5, 2) == [None, None, 1.5]


def test_rebroadcast_of_a_list_s_cotangent_is_unbroadcast_s_transpose_item_by_item():
    """A tape's cotangent (one part per item, ``None`` for none) goes through ``unbroadcast``
    item by item (a fourth derivative through ``np.apply_along_axis``'s loop differentiates
    that): its transpose ``rebroadcast`` did ``np.shape`` of the list (a ``ValueError`` for
    parts of different shapes). ``<ct, unbroadcast(g, ref)> == <rebroadcast(ct, g), g>``."""
    rng = np.random.default_rng(3)
    g = [rng.normal(size=(2, 3)), None, rng.normal(size=4)]
    ref = [rng.normal(size=3), rng.normal(size=2), rng.normal(size=4)]
    ct = [rng.normal(size=3), rng.normal(size=2), rng.normal(size=4)]
    projected = rt.unbroadcast(g, ref)
    back = rt.rebroadcast(ct, g)
    assert back[1] is None and back[0].shape == (2, 3)
    left = sum(np.sum(c * p) for c, p in zip(ct, projected) if p is not None)
    right = sum(np.sum(b * x) for b, x in zip(back, g) if x is not None)
    np.testing.assert_allclose(left, right, rtol=1e-12)


def test_list_cotangents_met_as_tuples_and_masks_of_two_shapes():
    """A list's cotangent that came in as an argument's tuple is projected and gathered part
    by part; masks of two shapes (two trips' values of one name) know no zero entry."""
    a, b = np.ones((2, 2)), np.full(3, 2.0)
    projected = rt.unbroadcast((a, None), [np.zeros((2, 2)), np.zeros(3)])
    assert type(projected) is list and projected[1] is None
    np.testing.assert_array_equal(projected[0], a)
    np.testing.assert_array_equal(rt.gathered((a, b), 1, np.zeros(3)), b)
    assert rt.unbroadcast(None, a) is None  # a part that got none: zero, never nan
    stacked = rt.unbroadcast(np.stack([a, a]), (np.zeros((2, 2)), None))
    assert type(stacked) is tuple and stacked[1] is None
    np.testing.assert_array_equal(stacked[0], a)
    assert rt.both(np.ones(2, bool), np.ones(3, bool)) is False
    np.testing.assert_array_equal(rt.both(np.array([True, False]), True), [True, False])
