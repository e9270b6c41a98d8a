"""Adjoint buffers (DESIGN.md section 5): nothing of the caller's is written, nothing aliases."""

import re

import fixtures_funcs as fx
import numpy as np
import pytest

import s2s

RNG = np.random.default_rng(3)


def snapshot(*arrays):
    return [(a.tobytes(), a.shape, a.dtype, a.strides) for a in arrays]


def assert_disjoint(results, *others):
    """No result shares memory with another result or with any of ``others``."""
    results = [r for r in results if isinstance(r, np.ndarray)]
    for i, r in enumerate(results):
        for o in others:
            if isinstance(o, np.ndarray):
                assert not np.shares_memory(r, o), f"result {i} shares memory with an input"
        for j in range(i):
            assert not np.shares_memory(r, results[j]), f"results {j} and {i} share memory"


def add_sum(x, y):
    return np.sum(x + y)


def double_add(x):
    return np.sum(x + x)


def square_mul(x):
    return np.sum(x * x)


def reused(x, y):
    z = x + y
    return np.sum(z * 3.0 + x)


def ten_uses(x):
    a = x + x
    b = a * x + x
    c = b + x * 2.0
    d = c - x
    e = d + x / 2.0 + x
    return np.sum(e + x + x)


def four_uses(x):
    a = x * 2.0
    b = a + x
    c = b * x
    return np.sum(c + x)


def zero_d(x):
    a = x * x
    b = a + x * 3.0
    c = b + np.tanh(x)
    return c + x


def broadcast_add(x, b):
    return np.sum(np.tanh(x + b))


def mean_of(x):
    return np.mean(x * 2.0)


def test_add_gradients_are_fresh_and_inputs_untouched():
    x, y = RNG.standard_normal(5), RNG.standard_normal(5)
    before = snapshot(x, y)
    gx, gy = s2s.grad(add_sum, wrt=(0, 1))(x, y)
    assert snapshot(x, y) == before
    np.testing.assert_array_equal(gx, np.ones(5))
    np.testing.assert_array_equal(gy, np.ones(5))
    assert_disjoint([gx, gy], x, y)
    gx[...] = 7.0  # writing a gradient does not change the other
    np.testing.assert_array_equal(gy, np.ones(5))


def test_value_and_grad_results_disjoint():
    x, y = RNG.standard_normal(4), RNG.standard_normal(4)
    value, (gx, gy) = s2s.value_and_grad(add_sum, wrt=(0, 1))(x, y)
    assert_disjoint([gx, gy], x, y)


def test_identity_vjp_returns_a_new_array():
    x = RNG.standard_normal(4)
    ct = RNG.standard_normal(4)
    before = snapshot(x, ct)
    value, pullback = s2s.vjp(fx.identity)(x)
    g = pullback(ct)
    assert snapshot(x, ct) == before
    np.testing.assert_array_equal(g, ct)
    assert_disjoint([g], x, ct, value)
    g2 = pullback(ct)
    assert_disjoint([g, g2], x, ct)


def test_identity_vjp_float32_cotangent_cast():
    x = RNG.standard_normal(4)
    ct = RNG.standard_normal(4).astype(np.float32)
    g = s2s.vjp(fx.identity)(x)[1](ct)
    assert g.dtype == np.float64
    np.testing.assert_array_equal(g, ct.astype(np.float64))


def test_reshape_vjp_does_not_return_a_view_of_the_cotangent():
    x = np.arange(6.0)
    ct = RNG.standard_normal((2, 3))
    before = snapshot(x, ct)
    value, pullback = s2s.vjp(fx.reshaped)(x)
    g = pullback(ct)
    assert g.shape == (6,)
    np.testing.assert_array_equal(g, ct.ravel())
    assert snapshot(x, ct) == before
    assert_disjoint([g], x, ct, value)


def test_pullback_does_not_write_cotangent_with_several_wrt():
    x, y = RNG.standard_normal(3), RNG.standard_normal(3)
    ct = RNG.standard_normal(3)
    before = snapshot(x, y, ct)
    _, pullback = s2s.vjp(lambda a, b: a + b, wrt=(0, 1))(x, y)
    ga, gb = pullback(ct)
    assert snapshot(x, y, ct) == before
    np.testing.assert_array_equal(ga, ct)
    np.testing.assert_array_equal(gb, ct)
    assert_disjoint([ga, gb], x, y, ct)


@pytest.mark.parametrize(
    "func, expected", [(double_add, lambda x: 2.0 + 0 * x), (square_mul, lambda x: 2.0 * x)]
)
def test_rule_output_shared_by_two_inputs(func, expected):
    x = RNG.standard_normal(6)
    before = snapshot(x)
    g = s2s.grad(func)(x)
    assert snapshot(x) == before
    np.testing.assert_array_equal(g, expected(x))
    assert_disjoint([g], x)


def test_shared_rule_output_under_vjp():
    x = RNG.standard_normal(3)
    ct = RNG.standard_normal(3)
    before = snapshot(x, ct)
    _, pullback = s2s.vjp(lambda v: v + v)(x)
    g = pullback(ct)
    assert snapshot(x, ct) == before
    np.testing.assert_array_equal(g, 2.0 * ct)
    assert_disjoint([g], x, ct)


def test_zero_d_accumulation():
    x = np.array(0.3)
    before = snapshot(x)
    g = s2s.grad(zero_d)(x)
    assert snapshot(x) == before
    assert type(g) is np.ndarray and g.ndim == 0 and g.dtype == np.float64
    assert not np.shares_memory(g, x)
    assert float(g) == pytest.approx(2 * 0.3 + 3.0 + (1 - np.tanh(0.3) ** 2) + 1.0)


def test_zero_d_accumulation_python_float_and_float32():
    g = s2s.grad(zero_d)(0.3)
    assert type(g) is np.float64
    assert g == pytest.approx(2 * 0.3 + 3.0 + (1 - np.tanh(0.3) ** 2) + 1.0)
    g32 = s2s.grad(zero_d)(np.float32(0.3))
    assert type(g32) is np.float32


def test_repeated_use_is_exact():
    x, y = RNG.standard_normal(5), RNG.standard_normal(5)
    before = snapshot(x, y)
    gx, gy = s2s.grad(reused, wrt=(0, 1))(x, y)
    np.testing.assert_array_equal(gx, np.full(5, 4.0))
    np.testing.assert_array_equal(gy, np.full(5, 3.0))
    assert snapshot(x, y) == before
    assert_disjoint([gx, gy], x, y)


def test_variable_used_ten_times():
    x = RNG.standard_normal(7)
    before = snapshot(x)
    g = s2s.grad(ten_uses)(x)
    # e = 2x*x + x + 2x - x + x/2 + x, output sum(e + 2x)
    np.testing.assert_allclose(g, 4.0 * x + 5.5, rtol=1e-14, atol=1e-14)
    assert snapshot(x) == before
    assert_disjoint([g], x)


def test_ten_uses_float32_stays_float32():
    x = RNG.standard_normal(7).astype(np.float32)
    g = s2s.grad(ten_uses)(x)
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, 4.0 * x + 5.5, rtol=1e-5)


def test_broadcast_unbroadcast_fresh():
    x = RNG.standard_normal((4, 3))
    b = RNG.standard_normal(3)
    before = snapshot(x, b)
    gx, gb = s2s.grad(broadcast_add, wrt=(0, 1))(x, b)
    assert gx.shape == (4, 3) and gb.shape == (3,)
    sech2 = 1 - np.tanh(x + b) ** 2
    np.testing.assert_allclose(gx, sech2)
    np.testing.assert_allclose(gb, sech2.sum(axis=0))
    assert snapshot(x, b) == before
    assert_disjoint([gx, gb], x, b)


def test_mean_gradient_fresh_and_writeable():
    x = RNG.standard_normal(4)
    g = s2s.grad(mean_of)(x)
    np.testing.assert_allclose(g, np.full(4, 0.5))
    assert g.flags.writeable and g.flags.owndata
    assert_disjoint([g], x)


def test_read_only_inputs_are_fine():
    x, y = RNG.standard_normal(3), RNG.standard_normal(3)
    x.flags.writeable = False
    y.flags.writeable = False
    gx, gy = s2s.grad(reused, wrt=(0, 1))(x, y)
    assert gx.flags.writeable and gy.flags.writeable
    np.testing.assert_array_equal(gx, np.full(3, 4.0))


def test_four_uses_accumulate_in_place_after_the_second():
    source = s2s.grad(four_uses).source
    writes = [
        line.strip()
        for line in source.splitlines()
        if re.match(r"\s*d_x\s*(\+)?=", line) and not line.strip().startswith("#")
    ]
    assert len(writes) == 4, source  # one per use of x: x * 2.0, a + x, b * x, c + x
    creations = [w for w in writes if w.startswith("d_x = ") and "d_x +" not in w.split("=", 1)[1]]
    assert len(creations) == 1, source
    assert writes[0] == creations[0]
    # the first contribution may be borrowed, the second allocates; later ones are in place
    assert all(w.startswith("d_x += ") for w in writes[2:]), source
    x = np.array([1.0, 2.0, -3.0])
    np.testing.assert_array_equal(s2s.grad(four_uses)(x), 6.0 * x + 1.0)  # sum(3x^2 + x)


def rows_in_a_loop(x, W):
    s = 0.0
    for i in range(W.shape[0]):
        s = s + np.sum(np.tanh(W[i] * x))
    return s


def indexed_by_an_array(x, idx):
    return np.sum(np.sin(x[idx]))


def test_a_row_read_at_a_loop_index_adds_in_place():
    """``W[i]`` at a loop's integer ``i`` selects each entry once: its cotangent is added with
    ``d_W[i] += g`` (about 1.4 us a trip) rather than ``np.add.at`` (about 3.7 us); an index
    array, which may repeat entries, keeps ``np.add.at``. Both agree with central differences."""
    from gradcheck import check_against_differences

    x, W = RNG.normal(size=5), RNG.normal(size=(4, 5))
    derivative = s2s.grad(rows_in_a_loop, wrt=1)
    derivative(x, W)
    assert "d_W[i] += " in derivative.source
    assert "add.at" not in derivative.source
    check_against_differences(rows_in_a_loop, x, W, wrt=(0, 1))
    check_against_differences(rows_in_a_loop, x.astype(np.float32), W.astype(np.float32),
                              wrt=(0, 1), rtol=1e-4, atol=1e-5)  # fmt: skip
    idx = np.array([0, 2, 2, 1])
    repeated = s2s.grad(indexed_by_an_array)
    repeated(x, idx)
    assert "_np.add.at(" in repeated.source
    check_against_differences(indexed_by_an_array, x, idx, wrt=0)
