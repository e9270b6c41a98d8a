"""The value ``vjp`` returns is the caller's: editing it in place leaves the pullback exact."""

import numpy as np

import s2s

A = np.array([[1.0, 2.0], [0.5, -1.0], [2.0, 0.3]])


def model(p):
    return np.tanh(A @ p)


def two_outputs(p):
    y = np.tanh(A @ p)
    return y, y * 2.0


def test_residual_computed_in_place_from_the_value():
    p = np.array([0.3, -0.4])
    data = np.array([0.1, 0.2, -0.3])
    y = model(p)
    expected = ((1 - y**2)[:, None] * A).T @ (y - data)
    value, pullback = s2s.vjp(model)(p)
    value -= data  # the user's residual, in place
    np.testing.assert_allclose(pullback(value), expected, rtol=1e-12)


def test_each_output_of_a_tuple_is_unshared():
    p = np.array([0.3, -0.4])
    y = model(p)
    u = np.array([1.0, -2.0, 0.5])
    expected = ((1 - y**2)[:, None] * A).T @ (u + 2.0 * u)
    (first, second), pullback = s2s.vjp(two_outputs)(p)
    first[:] = 7.0
    second[:] = -3.0
    np.testing.assert_allclose(pullback((u, u)), expected, rtol=1e-12)
