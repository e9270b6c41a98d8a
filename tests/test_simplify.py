"""Constant cotangents folded into adjoint expressions (s2s/reverse/simplify.py), and dead
primal arithmetic of proven shapes left out (s2s/reverse/deadcode.py).

Each derivative is checked against central differences in float64 and float32, and against
the same derivative with the pass switched off (the folded code must give the same bits).
"""

import numpy as np
import pytest
from gradcheck import check_against_differences as check
from gradcheck import gradient_without

import s2s
import s2s.api
import s2s.pipeline

RNG = np.random.default_rng(5)


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def scaled_mean(x, y):
    return np.mean(3.0 * np.sin(x) * y + x**3)


def aliased(x):
    y = x * 1.0
    z = y + y  # the same filled cotangent reaches y twice, accumulated into one buffer
    return np.sum(z * 2.0) + np.sum(-y)


def reused_seed(x, w):
    h = np.tanh(x * w)
    return np.sum(h) + 2.0 * np.sum(h * x)


def loop_seed(x, w):
    h = x * 0.0
    for _ in range(4):
        h = np.tanh(w * h + x)
    return np.sum(h * h)


def loop_written(x, c):
    acc = 0.0
    y = x * 2.0
    for k in range(3):
        if c[k] > 0:
            y = y * c[k]
        acc = acc + np.sum(np.sin(y * x))
    return acc + 3.0 * np.mean(y)


def borrowed(x, y):
    """The ones of ``np.sum`` times a name (``y``, ``t``): a product the simplifier cannot
    drop at the top of a line (the name's array would be shared), but can inside arithmetic."""
    t = np.tanh(x)
    return np.sum(t * y + t)


def softmax_cross_entropy(z, onehot):
    return np.mean(np.log(np.sum(np.exp(z), axis=1)) - np.sum(z * onehot, axis=1))


def mlp(w1, b1, w2, b2, x, onehot):
    h = np.tanh(np.dot(x, w1) + b1)
    z = np.dot(h, w2) + b2
    lse = np.log(np.sum(np.exp(z), axis=1))
    return np.mean(lse - np.sum(z * onehot, axis=1))


def column_scale(x):
    """keepdims: the reduction's cotangent already has the broadcast shape."""
    return np.sum(x / np.sum(x * x, axis=0, keepdims=True))


def row_logs(x, w):
    acc = 0.0
    for k in range(3):
        acc = acc + np.sum(np.log(np.sum(np.exp(x * w[k]), axis=1)))
    return acc


def _onehot(dt, n=6, k=4):
    return np.eye(k, dtype=dt)[RNG.integers(0, k, n)]


def _mlp_args(dt):
    return (RNG.normal(size=(3, 5)).astype(dt), RNG.normal(size=5).astype(dt),
            RNG.normal(size=(5, 4)).astype(dt), RNG.normal(size=4).astype(dt),
            RNG.normal(size=(8, 3)).astype(dt), _onehot(dt, 8))


CASES = [
    (softmax_cross_entropy, lambda dt: (RNG.normal(size=(6, 4)).astype(dt), _onehot(dt)), (0,)),
    (mlp, _mlp_args, (0, 1, 2, 3)),
    (column_scale, lambda dt: (RNG.uniform(0.5, 1.5, (4, 3)).astype(dt),), (0,)),
    (row_logs, lambda dt: (RNG.normal(size=(3, 4)).astype(dt), RNG.normal(size=3).astype(dt)),
     (0, 1)),
    (borrowed, lambda dt: (RNG.normal(size=5).astype(dt), RNG.normal(size=5).astype(dt)), (0, 1)),
    (rosenbrock, lambda dt: (RNG.uniform(-1.5, 1.5, 12).astype(dt),), (0,)),
    (scaled_mean, lambda dt: (RNG.normal(size=(3, 4)).astype(dt), RNG.normal(size=4).astype(dt)),
     (0, 1)),
    (aliased, lambda dt: (RNG.normal(size=5).astype(dt),), (0,)),
    (reused_seed, lambda dt: (RNG.normal(size=6).astype(dt), RNG.normal(size=6).astype(dt)),
     (0, 1)),
    (loop_seed, lambda dt: (RNG.normal(size=3).astype(dt), RNG.normal(size=3).astype(dt)),
     (0, 1)),
    (loop_written, lambda dt: (RNG.normal(size=4).astype(dt), np.array([1.5, -1.0, 0.5], dt)),
     (0,)),
]  # fmt: skip


def unsimplified(monkeypatch, f, wrt, args):
    return gradient_without(monkeypatch, s2s.pipeline, "simplify", f, wrt, args)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("f, make, wrt", CASES, ids=[c[0].__name__ for c in CASES])
def test_folded_adjoints_are_exact(monkeypatch, f, make, wrt, dtype):
    args = make(dtype)
    if dtype == np.float64:
        check(f, *args, wrt=wrt)
    before, old_source = unsimplified(monkeypatch, f, wrt, args)
    derivative = s2s.grad(f, wrt=wrt)
    after = derivative(*args)
    if dtype == np.float64 or f not in (loop_written, row_logs):  # (float32 and a float acc:
        assert derivative.source != old_source  # unknown) the pass changed something here
    assert "_s2s.filled(" not in derivative.source or f in (loop_written, scaled_mean,
                                                            column_scale, row_logs)
    for a, b in zip(before, after, strict=True):
        assert a.dtype == b.dtype == dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)  # the same bits


def test_rosenbrock_adjoint_is_what_one_would_write():
    derivative = s2s.grad(rosenbrock)
    derivative(RNG.normal(size=50))
    source = derivative.source
    # folded here, then written as by hand by s2s/reverse/peephole.py
    assert "d_subtract_1 = 200.0 * subtract_1" in source
    # the zero buffer's first write: a store, written into the region, which is taken once
    # for the two writes into it (s2s/reverse/outs.py)
    assert "d_x_region = d_x[:-1]" in source
    assert "_np.multiply(-2, subtract_2, out=d_x_region)" in source
    assert "d_x_region -= d_subtract_1 * (2 * getitem_2)" in source  # (not merged into it: that
    assert "d_x[1:] += d_subtract_1" in source  # would keep -2 * subtract_2 alive meanwhile)
    assert "filled" not in source and "power_dbase" not in source and "d_sum_1" not in source
    assert "multiply_1 =" not in source and "add_1 =" not in source  # dead primal: not computed


def test_ones_times_a_name_inside_arithmetic_is_the_name():
    derivative = s2s.grad(borrowed, wrt=(0, 1))
    derivative(RNG.normal(size=5), RNG.normal(size=5))
    adjoint = derivative.source.split("# adjoint sweep")[1]
    assert "filled" not in adjoint
    assert "d_t = 1.0 + y\n" in adjoint  # (ones * y) + ones
    assert "d_y = 1.0 * t\n" in adjoint  # its own array, exactly t's values


def test_a_literal_power_of_three_is_written_out():
    def cube(x):
        return np.sum(x**3)

    x = RNG.normal(size=7)
    check(cube, x)
    derivative = s2s.grad(cube)
    np.testing.assert_allclose(derivative(x), 3 * x**2, rtol=1e-15)
    assert "3 * x ** 2" in derivative.source


def clipped_square(w, c):
    total = 0.0
    for _k in range(3):
        total = total + np.sum(np.maximum(w, 0.0) ** 2) * c**2
    return total


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_literal_square_of_any_value_is_written_out(monkeypatch, dtype):
    """``x ** 2`` of a value of no proven shape (a 0-d scalar, a local in a loop) is ``2 * x``
    too, with the same bits as the helper's ``2 * x ** 1``."""
    w = RNG.normal(size=5).astype(dtype)
    c = dtype(0.7)
    if dtype == np.float64:
        check(clipped_square, w, c, wrt=(0, 1))
    derivative = s2s.grad(clipped_square, wrt=(0, 1))
    after = derivative(w, c)
    assert "power_dbase" not in derivative.source and "(2 * maximum_1)" in derivative.source
    monkeypatch.setattr(s2s.pipeline, "simplify", lambda *a: None)
    s2s.api.clear_cache(clipped_square)
    before = s2s.grad(clipped_square, wrt=(0, 1))(w, c)
    monkeypatch.undo()
    s2s.api.clear_cache(clipped_square)
    for a, b in zip(before, after, strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_filled_cotangent_read_as_an_array_is_built_fresh():
    """A folded constant that something reads as an array (here an unbroadcast onto a smaller
    shape) is built, as a new array, so an in-place accumulation into it writes nothing else."""

    def f(x, b):
        return np.sum((x + b) * 5.0) + np.sum(b * b)

    x, b = RNG.normal(size=(4, 3)), RNG.normal(size=3)
    check(f, x, b, wrt=(0, 1))
    dx, db = s2s.grad(f, wrt=(0, 1))(x, b)
    np.testing.assert_allclose(dx, np.full((4, 3), 5.0))
    np.testing.assert_allclose(db, 20.0 + 2 * b)


def dead_sum(x, y):
    z = x + y  # noqa: F841 - nobody reads it
    return np.sum(x * x)


def test_dead_arithmetic_of_proven_shapes_is_left_out():
    derivative = s2s.grad(dead_sum)
    np.testing.assert_allclose(derivative(np.ones(3), np.ones(3)), 2 * np.ones(3))
    assert "x + y" not in derivative.source


def test_dead_arithmetic_that_cannot_broadcast_still_raises():
    with pytest.raises(ValueError, match="broadcast"):
        s2s.grad(dead_sum)(np.ones(3), np.ones(4))


def constants_on_both_sides(x):
    y = x * 1.0
    return np.sum(2.0 - (y * 0.5)) + np.sum(3.0 * y - 1.0) + np.mean(y / 4.0)


def test_numbers_on_either_side_of_a_filled_cotangent():
    x = RNG.normal(size=(3, 2))
    check(constants_on_both_sides, x)
    np.testing.assert_allclose(s2s.grad(constants_on_both_sides)(x), np.full((3, 2), 2.5 + 1 / 24))


def test_a_loss_after_a_loop_seeds_the_loop_without_a_filled_array():
    x, w = RNG.normal(size=3), RNG.normal(size=3)
    derivative = s2s.grad(loop_seed, wrt=(0, 1))
    derivative(x, w)
    assert "d_h = h + h" in derivative.source


def test_the_softmax_cross_entropy_adjoint_is_what_one_would_write():
    """The cotangent of ``np.sum(z * onehot, axis=1)`` under a mean is one number broadcast:
    ``-1/n * onehot``; that of the log-sum-exp is the row sums' reciprocal put back on their
    axis (``d_sum_1[:, None] * exp_1``, no broadcast view); nothing of the loss is computed,
    and the four gradients, new arrays of their parameters' shapes, are returned as they are."""
    args = _mlp_args(np.float64)
    derivative = s2s.grad(mlp, wrt=(0, 1, 2, 3))
    grads = derivative(*args)
    primal, adjoint = derivative.source.split("# primal sweep")[1].split("# adjoint sweep")
    assert "onehot" not in primal and "_np.log" not in primal
    assert "d_z = -0.125 * onehot" in adjoint and "unreduce" not in adjoint
    assert "d_sum_1[:, None] * exp_1" in adjoint
    assert "return d_w1, d_b1, d_w2, d_b2" in adjoint
    for g, a in zip(grads, args, strict=False):
        assert type(g) is np.ndarray and g.shape == a.shape and g.flags.writeable
        assert not any(np.shares_memory(g, other) for other in args + grads if other is not g)


def test_a_reduction_s_cotangent_returned_as_a_gradient_is_a_new_array():
    def f(x):
        return np.sum(np.log(np.sum(x * x, axis=1)))

    x = RNG.uniform(0.5, 1.5, (4, 3))
    check(f, x)
    g = s2s.grad(f)(x)
    assert g.shape == (4, 3) and g.flags.writeable and g.flags.owndata
    np.testing.assert_allclose(g, 2 * x / np.sum(x * x, axis=1, keepdims=True), rtol=1e-14)


def dead_row_sums(x):
    s = np.sum(x, axis=1)  # noqa: F841 - nobody reads it
    return np.sum(x * x)


def dead_row_maxima(x):
    m = np.max(x, axis=1)  # noqa: F841 - raises on an empty row
    return np.sum(x * x)


def dead_sums_over_a_missing_axis(x):
    s = np.sum(x, axis=2)  # noqa: F841 - x has two axes
    return np.sum(x * x)


def test_a_dead_sum_over_literal_axes_is_left_out():
    x = RNG.normal(size=(3, 2))
    derivative = s2s.grad(dead_row_sums)
    np.testing.assert_allclose(derivative(x), 2 * x)
    assert "axis=1" not in derivative.source


def test_a_dead_reduction_that_can_raise_still_raises():
    with pytest.raises(ValueError, match="zero-size"):
        s2s.grad(dead_row_maxima)(np.ones((3, 0)))
    with pytest.raises(np.exceptions.AxisError):
        s2s.grad(dead_sums_over_a_missing_axis)(np.ones((3, 2)))
