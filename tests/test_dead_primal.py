"""Dead primal code a hand-writer would not write (issue 12 item 2; fresh-77 D3, D8): a
primal loop whose trips bind only values nobody reads, a tape nothing is pushed on, a seed
the simplified adjoint never reads, a constant array (``np.eye(3)``) made and deleted."""

from __future__ import annotations

import numpy as np
import pytest
from gradcheck import numeric_gradient

import s2s

RNG = np.random.default_rng(7)


def _primal_sweep(source: str) -> str:
    return source[source.index("# primal sweep"):source.index("# adjoint sweep")]


def rows(x, W):
    s = 0.0
    for i in range(W.shape[0]):
        s = s + np.sum(np.tanh(W[i] * x))
    return s


def rows_of_three(x, W):
    s = 0.0
    for i in range(3):
        s = s + np.sum(np.sin(W[i]) * x)
    return s


def index_after(x, W):
    s = 0.0
    for i in range(W.shape[0]):
        s = s + np.sum(W[i] * x)
    return s * i


def too_many_rows(x, W):
    s = 0.0
    for i in range(5):  # W has 3 rows: W[3] raises, as in the primal
        s = s + np.sum(W[i] * x)
    return s


def with_eye(A):
    return np.sum(A + 3 * np.eye(3))


@pytest.mark.parametrize("f", [rows, rows_of_three])
def test_a_primal_loop_binding_only_what_the_adjoint_recomputes_is_dropped(f):
    x, W = RNG.normal(size=4), RNG.normal(size=(3, 4))
    g = s2s.grad(f, wrt=1)
    grad = g(x, W)
    primal = _primal_sweep(g.source)
    # was `for i in range(getitem_1): getitem_2 = W[i]`
    assert not [ln for ln in primal.splitlines() if ln.strip().startswith("for ")], primal
    assert "tape = []" not in g.source  # nothing was pushed: no `tape = []`
    if f is rows:  # the seed nothing reads: was `d_s = _np.float64(1.0)` then `del d_s`
        assert "d_s = " not in g.source
    np.testing.assert_allclose(grad, numeric_gradient(f, (x, W), 1), rtol=1e-6, atol=1e-8)


def test_a_loop_whose_index_is_read_afterwards_stays():
    x, W = RNG.normal(size=4), RNG.normal(size=(3, 4))
    g = s2s.grad(index_after, wrt=1)
    grad = g(x, W)
    assert "    for i in range(" in _primal_sweep(g.source)
    expected = numeric_gradient(index_after, (x, W), 1)
    np.testing.assert_allclose(grad, expected, rtol=1e-6, atol=1e-8)


def test_an_index_not_proven_in_range_still_raises():
    x, W = RNG.normal(size=4), RNG.normal(size=(3, 4))
    with pytest.raises(IndexError):
        too_many_rows(x, W)
    g = s2s.grad(too_many_rows, wrt=1)
    with pytest.raises(IndexError):
        g(x, W)
    assert "    for i in range(5)" in _primal_sweep(g.source)


def test_a_constant_array_nobody_reads_is_not_made():
    A = RNG.normal(size=(3, 3))
    g = s2s.grad(with_eye)
    grad = g(A)
    assert "eye_1" not in g.source  # was `eye_1 = _np.eye(3)` then `del eye_1`
    np.testing.assert_array_equal(grad, np.ones((3, 3)))


def test_a_recomputed_value_nobody_reads_is_not_recomputed():
    x, W = RNG.normal(size=4), RNG.normal(size=(3, 4))
    g = s2s.grad(rows_of_three, wrt=1)  # x's gradient, which reads sin(W[i]), is not asked
    grad = g(x, W)
    assert "sin_1" not in g.source, g.source  # was `sin_1 = _np.sin(getitem_1)` per trip
    expected = numeric_gradient(rows_of_three, (x, W), 1)
    np.testing.assert_allclose(grad, expected, rtol=1e-6, atol=1e-8)


def clipped_trips(x):
    s = 0.0
    for i in range(2):
        s = s + np.sum(np.maximum(x * i, 0.5))
    return s


def test_a_trip_s_result_read_for_its_shape_alone_is_neither_taped_nor_made():
    x = np.array([0.3, 0.9, -0.4])
    g = s2s.grad(clipped_trips)
    grad = g(x)
    source = g.source
    assert "_s2s.like(" not in source, source  # was tape.append(_s2s.like(maximum_1)) per trip
    assert "maximum_1 = " not in _primal_sweep(source), source  # x * i has shape (3,): proven
    np.testing.assert_allclose(grad, numeric_gradient(clipped_trips, (x,), 0), rtol=1e-6)
