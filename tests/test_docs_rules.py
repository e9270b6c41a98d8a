"""The examples of docs/rules.md behave as the page says."""

import numpy as np

import s2s
from s2s import d


def softplus(x):
    return np.logaddexp(0.0, x)


@s2s.adjoint(softplus, source="d softplus(x)/dx = sigmoid(x)")
def softplus_adjoint(result, x):
    d[x] = d[result] * (1.0 - np.exp(-result))


def softplus_loss(w):
    return np.sum(softplus(w))


def bucket(x):
    return np.floor(x * 4.0) / 4.0


s2s.nondifferentiable(bucket, reason="piecewise constant")


def bucket_loss(x):
    return np.sum(bucket(x) * x)


def test_a_user_adjoint_rule_gives_the_sigmoid():
    w = np.array([-1.0, 0.0, 2.0])
    np.testing.assert_allclose(s2s.grad(softplus_loss)(w), 1 / (1 + np.exp(-w)), rtol=1e-12)
    g32 = s2s.grad(softplus_loss)(w.astype(np.float32))
    assert g32.dtype == np.float32
    assert "d_w = d_softplus_1 * (1.0 - _np.exp(-softplus_1))" in s2s.grad(softplus_loss).source


def test_a_nondifferentiable_user_function_gives_the_zero_kind():
    x = np.array([0.1, 0.6, 1.3])
    g = s2s.grad(bucket_loss, disconnected="raise")(x)
    np.testing.assert_array_equal(g, bucket(x))


def softsign(x):
    return x / (1.0 + np.abs(x))


@s2s.elementwise(softsign, source="d softsign(x)/dx = 1 / (1 + |x|)^2")
def softsign_partial(result, x):
    return 1.0 / (1.0 + np.abs(x)) ** 2


def flip_rows(x):
    return x[::-1]


@s2s.linear(flip_rows, source="a permutation's transpose is its inverse")
def flip_rows_transpose(result, x):
    d[x] = d[result][::-1]


def test_an_elementwise_user_rule_broadcasts_its_partial():
    def loss(x, w):
        return np.sum(softsign(x * w) * w)

    x, w = np.array([[-1.0, 0.5, 2.0]]), np.array([0.3, -0.7, 1.1])
    expected = w * w / (1.0 + np.abs(x * w)) ** 2
    np.testing.assert_allclose(s2s.grad(loss)(x, w), expected, rtol=1e-12)
    assert "softsign" in s2s.grad(loss).source


def test_a_linear_user_rule_is_its_transpose():
    def loss(x, c):
        return np.sum(flip_rows(x) * c)

    x = np.arange(6.0).reshape(3, 2)
    c = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    np.testing.assert_array_equal(s2s.grad(loss)(x, c), c[::-1])
