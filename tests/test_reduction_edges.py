"""Reductions at their edges: over one entry, and of a list of scalars (issue 10, item 4).

``np.std`` over one entry (or along an axis of length 1) is the constant 0: its gradient is 0
in both modes, where it was 0 / 0. Zero variance over several entries has no derivative: a
located ``NonFiniteGradientWarning`` names np.std. A reduction of a list holding scalars or
0-d arrays (``np.mean([x, x + 2])``) works in every dtype, where it crashed when the adjoint
kept only the shape of one element.
"""

import warnings

import numpy as np
import pytest
from gradcheck import numeric_gradient

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
