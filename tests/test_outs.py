"""Stores with ``out=`` (s2s/reverse/outs.py): a buffer's store of one elementwise operation
written into its region; every gradient is checked against central differences and against
the same gradient with the pass off (the same bits), and a non-finite gradient made there is
still traced to its operation."""

import warnings

import numpy as np
import pytest
from gradcheck import check_against_differences as check
from gradcheck import gradient_without
from located import line_of

import s2s
import s2s.pipeline

RNG = np.random.default_rng(5)
X = RNG.uniform(-1.5, 1.5, 9)


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def roots(x):
    return np.sum(np.sqrt(x[1:]))  # MARK: root


def region_twice(x):
    a = np.sum(x[1:] ** 2)
    b = np.sum(np.sqrt(x[1:]))  # MARK: twice
    return a + b


def rebound(x):
    s = 1.0 - x[:-1]
    a = np.sum(s ** 2)
    s = x[1:4] * 3.0
    return a + np.sum(s * s)


def matrix_rows(a):
    return np.sum((2.0 - a[1:, ::2]) ** 2)


def _same_without_the_pass(monkeypatch, f, *args):
    want, plain = gradient_without(monkeypatch, s2s.pipeline, "stores_with_out", f, 0, args)
    s2s.api.clear_cache(f)
    derivative = s2s.grad(f)
    got = derivative(*args)
    assert np.array_equal(got, want) and got.dtype == want.dtype
    assert "out=" not in plain
    return derivative.source


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_first_store_is_written_into_its_region(monkeypatch, dtype):
    source = _same_without_the_pass(monkeypatch, rosenbrock, X.astype(dtype))
    assert "d_x_region = d_x[:-1]" in source  # written twice: the view taken once
    assert "_np.multiply(-2, subtract_2, out=d_x_region)" in source
    assert "d_x_region -= d_subtract_1 * (2 * getitem_2)" in source
    assert "d_x[1:] += d_subtract_1" in source  # written once: as it was
    check(rosenbrock, X)
    a = RNG.normal(size=(4, 6)).astype(dtype)
    source = _same_without_the_pass(monkeypatch, matrix_rows, a)
    assert "out=d_a[1:, ::2])" in source
    check(matrix_rows, a.astype(np.float64))


def test_a_cotangent_of_a_proven_shape_is_an_operand_too(monkeypatch):
    """``d_s_2 = s_2 + s_2`` is a new array of a proven shape (simplify's fact): the store of
    ``d_s_2 * 3.0`` is written into the region; the rebound primal name gets its own."""
    source = _same_without_the_pass(monkeypatch, rebound, X)
    assert "_np.multiply(d_s_2, 3.0, out=d_x[1:4])" in source
    check(rebound, X)


def test_float16_buffers_keep_the_store():
    """A float16 argument's buffer accumulates in float32: the product is float16, so the
    store (a cast) stays."""
    d = s2s.grad(rosenbrock)
    g = d(X.astype(np.float16))
    assert g.dtype == np.float16 and "out=" not in d.source
    np.testing.assert_allclose(g, s2s.grad(rosenbrock)(X.astype(np.float16).astype(np.float64)),
                               rtol=2e-2, atol=0.5)  # fmt: skip


@pytest.mark.parametrize("nan", ["warn", "raise"])
def test_a_non_finite_store_is_traced_to_its_operation(nan):
    x = np.array([1.0, 0.0, 2.0])
    d = s2s.grad(roots, nan=nan)
    d(np.ones(3))
    assert "out=d_x[1:])" in d.source
    where = f"test_outs.py:{line_of(roots, 'MARK: root')}"
    _traced(d, x, nan, where, "(sqrt)")


@pytest.mark.parametrize("nan", ["warn", "raise"])
def test_a_non_finite_write_into_a_region_view_is_traced_to_its_operation(nan, monkeypatch):
    """The search reads a write into ``d_x_region`` as one into ``d_x`` (``sweeps.views``),
    and the operands at the bad entry of the region: ``sqrt at 0``."""
    _same_without_the_pass(monkeypatch, region_twice, np.ones(4))
    d = s2s.grad(region_twice, nan=nan)
    d(np.ones(4))
    assert "d_x_region = d_x[1:]" in d.source and "out=d_x_region)" in d.source
    assert "d_x_region += " in d.source
    where = f"test_outs.py:{line_of(region_twice, 'MARK: twice')}"
    _traced(d, np.array([1.0, 0.0, 2.0, 3.0]), nan, where, "(sqrt at 0)")


def _traced(d, x, nan, where, detail):
    with warnings.catch_warnings(record=True) as seen, np.errstate(divide="ignore"):
        warnings.simplefilter("always")
        if nan == "raise":
            with pytest.raises(s2s.NonFiniteGradientError) as raised:
                d(x)
            text = str(raised.value)
        else:
            d(x)
            assert [w.category for w in seen] == [s2s.NonFiniteGradientWarning]
            text = str(seen[0].message)
    assert where in text and "inf first appears in the derivative of np.sqrt " + detail in text
