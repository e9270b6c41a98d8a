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
