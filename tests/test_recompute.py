"""Recompute instead of store: a loop's ufunc of live values is recomputed for each reversed
trip rather than taped (s2s/reverse/tape.py, ``rematerialized``).

Gradients are checked against central differences; the tape is checked by the generated
source (what is pushed) and by the peak memory of one call (tracemalloc counts numpy's
allocations), never by time.
"""

import tracemalloc

import numpy as np
from gradcheck import check_against_differences as check

import s2s

RNG = np.random.default_rng(9)


def uses(x, c):
    acc = 0.0
    for k in range(c.shape[0]):
        y = x * c[k]
        acc = acc + np.sum(np.sin(y) * y)
    return acc


def written_operand(x, c):
    acc = 0.0
    for k in range(3):
        x = x * 1.5  # x changes every trip: y cannot be recomputed from it
        y = x * c[k]
        acc = acc + np.sum(y * y)
    return acc


def carried(x, c):
    y = x * 1.0
    acc = 0.0
    for k in range(3):
        acc = acc + np.sum(y * y)  # reads the previous trip's y
        y = np.tanh(x * c[k])
    return acc + np.sum(y)


def test_a_ufunc_of_live_values_is_recomputed_not_taped():
    x, c = RNG.normal(size=5), RNG.normal(size=4)
    check(uses, x, c)
    derivative = s2s.grad(uses)
    derivative(x, c)
    source = derivative.source
    assert "tape.append" not in source and "tape.pop" not in source
    assert "# recomputed, not taped: y, sin_1" in source
    reversed_loop = source[source.index("(reversed)"):]
    assert "y = x * getitem_" in reversed_loop
    primal_loop = source[: source.index("# adjoint sweep")]
    assert "y = x * getitem_" not in primal_loop  # nothing in the primal reads it now


def test_values_that_change_between_trips_are_still_taped():
    x, c = RNG.normal(size=4), RNG.normal(size=3)
    for f in (written_operand, carried):
        check(f, x, c)
        derivative = s2s.grad(f)
        derivative(x, c)
        assert "tape.append" in derivative.source
        assert "recomputed, not taped" not in derivative.source


def test_the_tape_of_a_long_loop_stays_small():
    """64 uses of an array of 10^5 floats: the gradient keeps a few arrays of its size alive,
    not one per trip (the tape of every y would be 64 of them)."""
    x, c = RNG.normal(size=100_000), RNG.normal(size=64) / 8
    derivative = s2s.grad(uses)
    derivative(x, c)
    tracemalloc.start()
    derivative(x, c)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 8 * x.nbytes


def sines(x, c):
    acc = 0.0
    for k in range(c.shape[0]):
        acc = acc + np.sum(np.sin(x * c[k]))
    return acc


def test_a_scaled_cotangent_is_scaled_in_place_only_where_the_dtype_allows():
    """``d_x += d * c[k]`` then ``d = None`` becomes ``d *= c[k]; d_x += d`` when ``c[k]`` has
    ``d``'s dtype; a float64 ``c[k]`` with a float32 ``d`` would promote: left as it is."""
    x, c = RNG.normal(size=6), RNG.normal(size=3)
    check(sines, x, c)
    derivative = s2s.grad(sines)
    np.testing.assert_allclose(derivative(x, c), sum(np.cos(x * ck) * ck for ck in c),
                               rtol=1e-14)  # fmt: skip
    assert "d_multiply_1 *= getitem_" in derivative.source
    x32 = x.astype(np.float32)
    derivative = s2s.grad(sines)
    g32 = derivative(x32, c)
    assert g32.dtype == np.float32
    np.testing.assert_allclose(g32, sum(np.cos(x32 * ck) * ck for ck in c), rtol=1e-5)
    assert "*=" not in derivative.source


def squares(x, c):
    acc = 0.0
    for k in range(c.shape[0]):
        y = x * c[k]
        acc = acc + np.sum(y * y)
    return acc


def scaled_sines(x, c):
    acc = 0.0
    for k in range(c.shape[0]):
        y = np.sin(x) * c[k]
        acc = acc + np.sum(y * y)
    return acc


def test_the_last_reader_of_a_recomputed_array_writes_into_it():
    """``d_y = y + y`` is the last use of the recomputed ``y``: it writes into ``y``. In
    ``squares`` the whole trip is ``x`` times numbers (s2s/reverse/linear.py): ``y`` is not
    recomputed at all, and the reversed trip keeps one array of ``x``'s size, as by hand."""
    x, c = RNG.normal(size=5), RNG.normal(size=3)
    check(scaled_sines, x, c)
    derivative = s2s.grad(scaled_sines)
    derivative(x, c)
    assert "d_y = _np.add(y, y, out=y)" in derivative.source
    check(squares, x, c)
    derivative = s2s.grad(squares)
    np.testing.assert_allclose(derivative(x, c), 2 * np.sum(c * c) * x, rtol=1e-13)
    assert "d_x += x * ((getitem_" in derivative.source
    big = RNG.normal(size=200_000)
    derivative(big, c)
    tracemalloc.start()
    derivative(big, c)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 2.5 * big.nbytes  # the gradient, and one array for the trip


def oscillator(k, c, x0, n):
    x = x0[0]
    v = x0[1]
    for _ in range(n):
        a = -k * x - c * v
        x = x + 0.01 * v
        v = v + 0.01 * a
    return x * x + v * v


def test_a_value_that_no_trip_changes_is_recomputed_once_before_the_reversed_loop():
    """``-k`` of ``a = -k * x - c * v`` reads no index and no per-trip value: it is made once
    before the reversed loop, not in every trip."""
    k, c, x0 = np.array(2.0), np.array(0.1), np.array([1.0, 0.0])
    for n in (0, 1, 30):
        check(oscillator, k, c, x0, n, wrt=(0, 1))
    derivative = s2s.grad(oscillator, wrt=(0, 1))
    derivative(k, c, x0, 30)
    adjoint = derivative.source.split("# adjoint sweep")[1]
    before, trip = adjoint.split("for _ in range(n - 1, -1, -1):")
    assert "negative_1 = -k" in before and "negative_1 = -k" not in trip
    assert "# recomputed, not taped: negative_1" in before
