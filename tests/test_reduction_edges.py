"""Reductions at their edges: over one entry, and of a list of scalars (issue 10, item 4).

``np.std`` over one entry (or along an axis of length 1) is the constant 0: its gradient is 0
in both modes, where it was 0 / 0. Zero variance over several entries has no derivative: a
located ``NonFiniteGradientWarning`` names np.std. A reduction of a list holding scalars or
0-d arrays (``np.mean([x, x + 2])``) works in every dtype, where it crashed when the adjoint
kept only the shape of one element. Reductions with ``where=`` give exactly zero outside the
mask; ``max``/``min`` with ``initial=`` count ``initial`` as one more candidate at a tie; a
gradient through ``initial`` is refused at its line. A reduction with ``axis=0`` of a scalar
(float, numpy scalar, 0-d array) is the scalar itself.
"""

import warnings

import numpy as np
import pytest
from gradcheck import numeric_gradient
from located import assert_located

import s2s


def std_all(x):
    return np.std(x)


def std_rows(x):
    return np.sum(np.std(x, axis=0) * np.arange(1.0, 4.0))


def std_keepdims(x):
    return np.sum(np.std(x, axis=1, keepdims=True))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    "f, x",
    [(std_all, np.array([1.5])), (std_rows, np.ones((1, 3))), (std_keepdims, np.ones((4, 1)))],
)
def test_std_over_one_entry_has_gradient_zero(f, x, dtype):
    x = (x * np.arange(1.0, x.size + 1).reshape(x.shape)).astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NaN warning: the gradient is finite
        grad = s2s.grad(f)(x)
        _, tangent = s2s.jvp(f)(x, np.ones_like(x))
    assert grad.dtype == dtype and grad.shape == x.shape
    np.testing.assert_array_equal(grad, np.zeros_like(x))
    assert float(tangent) == 0.0


def test_std_with_zero_variance_over_several_entries_is_located():
    with pytest.warns(s2s.NonFiniteGradientWarning, match="np.std") as caught:
        s2s.grad(std_all)(np.ones(3))
    assert any("test_reduction_edges.py" in str(w.message) for w in caught)


def mean_of_list(x):
    return np.mean([x, x + 2.0, 3.0 * x])


def sum_of_nested_list(x):
    return np.sum([[x, x * x], [np.sin(x), x - 1.0]])


def var_of_list(x):
    return np.var([x, x * x, x - 1.0])


@pytest.mark.parametrize("f", [mean_of_list, sum_of_nested_list, var_of_list])
@pytest.mark.parametrize(
    "x", [1.5, np.float64(0.7), np.array(-0.4), np.float32(1.25), np.array([0.3, 1.1])]
)
def test_a_reduction_of_a_list_of_scalars(f, x):
    grad = s2s.grad(f)(x)
    assert np.shape(grad) == np.shape(x)
    expected = numeric_gradient(f, [np.asarray(x, dtype=np.float64)], 0)
    tol = 1e-3 if np.asarray(x).dtype == np.float32 else 1e-7
    np.testing.assert_allclose(np.asarray(grad, dtype=np.float64), expected, rtol=tol, atol=tol)
    if isinstance(x, np.generic | np.ndarray):
        assert np.asarray(grad).dtype == np.asarray(x).dtype


# -- reductions with an axis on scalars -------------------------------------------------------


def scalar_axis_sum(c):
    return np.sum(c * c, axis=0) + np.max(c, axis=0)


@pytest.mark.parametrize("c", [1.5, np.float64(1.5), np.array(1.5)], ids=["float", "f64", "0-d"])
def test_reductions_with_an_axis_on_scalars(c):
    g = s2s.grad(scalar_axis_sum)(c)
    assert float(g) == pytest.approx(2 * 1.5 + 1.0)


# -- where= and initial= (the rules of s2s.runtime.masked_reductions) ---------------------------

MASK = np.array([True, False, True, True])


def max_with_initial(x):
    return np.max(x, where=MASK, initial=3.0)


def min_with_initial(x):
    return np.min(x, initial=-1.0)


@pytest.mark.parametrize(
    "f, x, expected",
    [
        (max_with_initial, [1.0, 9.0, 3.0, 3.0], [0.0, 0.0, 1 / 3, 1 / 3]),  # ties with initial
        (max_with_initial, [1.0, 9.0, 2.0, 2.5], [0.0, 0.0, 0.0, 0.0]),  # initial wins
        (max_with_initial, [1.0, 9.0, 4.0, 4.0], [0.0, 0.0, 0.5, 0.5]),  # 9 is outside where
        (min_with_initial, [0.0, -1.0, 2.0, -3.0], [0.0, 0.0, 0.0, 1.0]),
        (min_with_initial, [0.0, -1.0, 2.0, 3.0], [0.0, 0.5, 0.0, 0.0]),
    ],
)
def test_max_and_min_with_initial_share_ties_with_it(f, x, expected):
    x = np.array(x)
    np.testing.assert_allclose(s2s.grad(f)(x), expected, rtol=1e-15)
    _, tangent = s2s.jvp(f)(x, np.arange(1.0, 5.0))
    assert float(tangent) == pytest.approx(float(np.dot(expected, np.arange(1.0, 5.0))))


def masked_stats(x):
    return (
        np.sum(x, axis=1, where=MASK)
        + np.mean(x, axis=1, where=MASK)
        + x.var(axis=1, where=MASK)
        + np.prod(x, axis=1, where=MASK, initial=2.0)
    )


def test_entries_outside_where_get_exactly_zero():
    x = np.random.default_rng(0).standard_normal((3, 4))
    x[:, 1] = np.nan  # outside the mask: never read by the value, nor by its gradient
    g = s2s.grad(lambda x: np.sum(masked_stats(x)))(x)
    assert np.all(g[:, 1] == 0.0) and np.all(np.isfinite(g))


def sum_from(x, c):
    return np.sum(x, initial=c)  # MARK


def test_a_gradient_through_initial_is_refused_at_its_line():
    with pytest.raises(s2s.UnsupportedArgumentError, match="initial is a constant") as info:
        s2s.grad(sum_from, wrt=(0, 1))(np.ones(3), 1.0)
    assert_located(info.value, sum_from, "# MARK")
