"""Adjoint memory (DESIGN.md section 5, issue 4 item 7): k uses of an input keep a few buffers
of its size alive, never k; returned gradients never share memory with anything.

Run with ``pytest -s`` to see the measured peaks.
"""

import tracemalloc

import numpy as np
import pytest
from gradcheck import numeric_gradient

import s2s

N = 200_000
BUFFER = N * np.dtype(np.float64).itemsize  # one n-element float64 buffer, in bytes


# K uses of x, written out: the K = 64 gradient must not hold more buffers than the K = 8 one.


def uses_8(x):
    return np.sum(x * 1.0 + x * 2.0 + x * 3.0 + x * 4.0 + x * 5.0 + x * 6.0 + x * 7.0 + x * 8.0)


def uses_64(x):
    return np.sum(
        x * 1.0
        + x * 2.0
        + x * 3.0
        + x * 4.0
        + x * 5.0
        + x * 6.0
        + x * 7.0
        + x * 8.0
        + x * 9.0
        + x * 10.0
        + x * 11.0
        + x * 12.0
        + x * 13.0
        + x * 14.0
        + x * 15.0
        + x * 16.0
        + x * 17.0
        + x * 18.0
        + x * 19.0
        + x * 20.0
        + x * 21.0
        + x * 22.0
        + x * 23.0
        + x * 24.0
        + x * 25.0
        + x * 26.0
        + x * 27.0
        + x * 28.0
        + x * 29.0
        + x * 30.0
        + x * 31.0
        + x * 32.0
        + x * 33.0
        + x * 34.0
        + x * 35.0
        + x * 36.0
        + x * 37.0
        + x * 38.0
        + x * 39.0
        + x * 40.0
        + x * 41.0
        + x * 42.0
        + x * 43.0
        + x * 44.0
        + x * 45.0
        + x * 46.0
        + x * 47.0
        + x * 48.0
        + x * 49.0
        + x * 50.0
        + x * 51.0
        + x * 52.0
        + x * 53.0
        + x * 54.0
        + x * 55.0
        + x * 56.0
        + x * 57.0
        + x * 58.0
        + x * 59.0
        + x * 60.0
        + x * 61.0
        + x * 62.0
        + x * 63.0
        + x * 64.0
    )


def sin_uses_8(x):
    return np.sum(
        np.sin(x) * 1.0
        + np.sin(x) * 2.0
        + np.sin(x) * 3.0
        + np.sin(x) * 4.0
        + np.sin(x) * 5.0
        + np.sin(x) * 6.0
        + np.sin(x) * 7.0
        + np.sin(x) * 8.0
    )


def sin_uses_64(x):
    return np.sum(
        np.sin(x) * 1.0
        + np.sin(x) * 2.0
        + np.sin(x) * 3.0
        + np.sin(x) * 4.0
        + np.sin(x) * 5.0
        + np.sin(x) * 6.0
        + np.sin(x) * 7.0
        + np.sin(x) * 8.0
        + np.sin(x) * 9.0
        + np.sin(x) * 10.0
        + np.sin(x) * 11.0
        + np.sin(x) * 12.0
        + np.sin(x) * 13.0
        + np.sin(x) * 14.0
        + np.sin(x) * 15.0
        + np.sin(x) * 16.0
        + np.sin(x) * 17.0
        + np.sin(x) * 18.0
        + np.sin(x) * 19.0
        + np.sin(x) * 20.0
        + np.sin(x) * 21.0
        + np.sin(x) * 22.0
        + np.sin(x) * 23.0
        + np.sin(x) * 24.0
        + np.sin(x) * 25.0
        + np.sin(x) * 26.0
        + np.sin(x) * 27.0
        + np.sin(x) * 28.0
        + np.sin(x) * 29.0
        + np.sin(x) * 30.0
        + np.sin(x) * 31.0
        + np.sin(x) * 32.0
        + np.sin(x) * 33.0
        + np.sin(x) * 34.0
        + np.sin(x) * 35.0
        + np.sin(x) * 36.0
        + np.sin(x) * 37.0
        + np.sin(x) * 38.0
        + np.sin(x) * 39.0
        + np.sin(x) * 40.0
        + np.sin(x) * 41.0
        + np.sin(x) * 42.0
        + np.sin(x) * 43.0
        + np.sin(x) * 44.0
        + np.sin(x) * 45.0
        + np.sin(x) * 46.0
        + np.sin(x) * 47.0
        + np.sin(x) * 48.0
        + np.sin(x) * 49.0
        + np.sin(x) * 50.0
        + np.sin(x) * 51.0
        + np.sin(x) * 52.0
        + np.sin(x) * 53.0
        + np.sin(x) * 54.0
        + np.sin(x) * 55.0
        + np.sin(x) * 56.0
        + np.sin(x) * 57.0
        + np.sin(x) * 58.0
        + np.sin(x) * 59.0
        + np.sin(x) * 60.0
        + np.sin(x) * 61.0
        + np.sin(x) * 62.0
        + np.sin(x) * 63.0
        + np.sin(x) * 64.0
    )


def peak_bytes(func, *args, repeats=3):
    """The smallest, over ``repeats`` calls, of the traced peak above the memory in use before."""
    func(*args)  # generate the derivative first: generation is not measured
    peaks = []
    for _ in range(repeats):
        tracemalloc.start()
        try:
            base = tracemalloc.get_traced_memory()[0]
            result = func(*args)
            peaks.append(tracemalloc.get_traced_memory()[1] - base)
        finally:
            tracemalloc.stop()
        del result
    return min(peaks)


@pytest.mark.parametrize(
    "few, many",
    [(uses_8, uses_64), (sin_uses_8, sin_uses_64)],
    ids=["x_times_c", "sin_x_times_c"],
)
def test_memory_many_uses_keep_a_few_buffers(few, many):
    x = np.random.default_rng(0).standard_normal(N)
    peak_few = peak_bytes(s2s.grad(few), x)
    peak_many = peak_bytes(s2s.grad(many), x)
    print(
        f"\n{few.__name__}: peak {peak_few / BUFFER:.3f} buffers; "
        f"{many.__name__}: peak {peak_many / BUFFER:.3f} buffers; "
        f"difference {(peak_many - peak_few) / BUFFER:.3f} buffers of {BUFFER} bytes"
    )
    assert peak_many - peak_few < BUFFER
    assert peak_many < 4.5 * BUFFER  # about three arrays of x's size, never K
    g = s2s.grad(many)(x)
    expected = sum(float(i) for i in range(1, 65))
    if many is uses_64:
        np.testing.assert_array_equal(g, np.full(N, expected))
    else:
        np.testing.assert_allclose(g, expected * np.cos(x), rtol=1e-12)


# -- returned gradients never share memory ---------------------------------------------------------


def add_sum(x, y):
    return np.sum(x + y)


def reused(x, y):
    z = x + y
    return np.sum(z * 3 + x)


def identity(x):
    return x


def add(x, y):
    return x + y


def transposed(x):
    return x.T


def broadcast_add(x, b):
    return x + b


def pair(x, y):
    return x, y


def twice(x):
    return x, x


def sum_and_double(x, y):
    return x + y, x * 2.0


def assert_fresh(results, *others):
    """No result shares memory with any of ``others`` or with another result."""
    results = [r for r in results if isinstance(r, np.ndarray)]
    assert results
    for i, r in enumerate(results):
        for j, o in enumerate(others):
            if isinstance(o, np.ndarray):
                assert not np.shares_memory(r, o), f"gradient {i} shares memory with array {j}"
        for j in range(i):
            assert not np.shares_memory(r, results[j]), f"gradients {j} and {i} share memory"


def test_memory_reused_sum_is_exact():
    x, y = np.array([1.0, -2.0, 3.5]), np.array([0.25, 4.0, -1.0])
    gx, gy = s2s.grad(reused, wrt=(0, 1))(x, y)
    np.testing.assert_array_equal(gx, np.full(3, 4.0))
    np.testing.assert_array_equal(gy, np.full(3, 3.0))
    assert_fresh([gx, gy], x, y)


def test_memory_grad_results_are_fresh():
    x, y = np.ones(4), np.full(4, 2.0)
    assert_fresh(s2s.grad(add_sum, wrt=(0, 1))(x, y), x, y)
    assert_fresh(list(s2s.value_and_grad(add_sum, wrt=(0, 1))(x, y)[1]), x, y)


@pytest.mark.parametrize(
    "func, args, cotangent",
    [
        (identity, (np.arange(4.0),), np.ones(4)),
        (add, (np.arange(4.0), np.ones(4)), np.ones(4)),
        (transposed, (np.arange(6.0).reshape(2, 3),), np.ones((3, 2))),
        (broadcast_add, (np.ones((2, 3)), np.ones(3)), np.ones((2, 3))),
    ],
    ids=["identity", "add", "transpose", "broadcast"],
)
def test_memory_pullback_results_are_fresh(func, args, cotangent):
    wrt = tuple(range(len(args)))
    _, pullback = s2s.vjp(func, wrt=wrt)(*args)
    grads = pullback(cotangent)
    assert_fresh(list(grads), *args, cotangent)
    np.testing.assert_array_equal(grads[0], np.ones(args[0].shape))


@pytest.mark.parametrize(
    "func, args, cotangent",
    [
        (pair, (np.arange(3.0), np.ones(3)), (np.ones(3), np.full(3, 2.0))),
        (twice, (np.arange(3.0),), (np.ones(3), None)),
        (twice, (np.arange(3.0),), (np.ones(3), np.full(3, 2.0))),
        (sum_and_double, (np.arange(3.0), np.ones(3)), (np.ones(3), None)),
    ],
    ids=["pair", "twice-one-none", "twice", "sum-and-double-one-none"],
)
def test_memory_pullback_results_do_not_alias_a_tuple_cotangent(func, args, cotangent):
    wrt = tuple(range(len(args)))
    _, pullback = s2s.vjp(func, wrt=wrt)(*args)
    grads = pullback(cotangent)
    assert_fresh(list(grads), *args, *cotangent)


def scaled_in_a_loop(x):
    y = x * 1.0
    for _ in range(50):
        y = y * 1.001
    return np.sum(y**2)


def shifted_in_a_loop(x):
    y = x * 1.0
    for _ in range(50):
        y = -y + x
    return np.sum(y**2)


@pytest.mark.parametrize("func", [scaled_in_a_loop, shifted_in_a_loop])
def test_memory_a_loop_keeps_no_value_its_adjoint_never_reads(func):
    """``y = y * 1.001`` or ``y = -y + x`` in a loop: no adjoint reads an old ``y``, so the
    tape keeps none (before, one array per trip: 50 buffers); the gradient agrees with central
    differences (the loop is linear, so they are exact up to rounding)."""
    x = np.random.default_rng(1).standard_normal(N)
    derivative = s2s.grad(func)
    assert peak_bytes(derivative, x) < 6 * BUFFER
    assert "tape.append(y)" not in derivative.source
    small = np.random.default_rng(2).standard_normal(4)
    expected = numeric_gradient(func, (small,), 0)
    np.testing.assert_allclose(s2s.grad(func)(small), expected, rtol=1e-6)
    value, pullback = s2s.vjp(func)(small)
    np.testing.assert_allclose(pullback(1.0), expected, rtol=1e-6)
    np.testing.assert_allclose(pullback(1.0), expected, rtol=1e-6)  # a second call alike
