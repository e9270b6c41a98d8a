"""A differentiated function's parameters may have any name, ``self`` included (a method taken
from its class, or a plain ``def f(self, x)``): every public derivative takes its own instance
positionally only, so no parameter name collides with it. Values against central differences
(fresh-77 B1: ``hessian`` and forward ``jacobian`` raised ``TypeError: ... got multiple values
for argument 'self'``)."""

import numpy as np
import pytest
from gradcheck import numeric_gradient as numeric

import s2s


class Model:
    def loss(self, x):
        return np.sum(np.sin(x) * x**2)


def plain(self, x):
    return np.sum(np.sin(x) * x**2)


def named_like_internals(args, kwargs, x):
    return np.sum(np.sin(x) * x**2) * args + kwargs


def expected_hessian(x):
    return np.diag(2 * np.sin(x) + 4 * x * np.cos(x) - x**2 * np.sin(x))


def hessian_of(f, x, first):
    """Central differences of s2s's gradient (checked itself below)."""
    g = s2s.grad(f, wrt=1)
    return np.stack([numeric(lambda y, i=i: g(first, y)[i], (x,), 0) for i in range(x.size)])


CALLS = {
    "hessian": lambda f, w: s2s.hessian(f, wrt=w),
    "jacobian_forward": lambda f, w: s2s.jacobian(s2s.grad(f, wrt=w), wrt=w, mode="forward"),
    "jacobian_reverse": lambda f, w: s2s.jacobian(s2s.grad(f, wrt=w), wrt=w, mode="reverse"),
    "jacobian_auto": lambda f, w: s2s.jacobian(s2s.grad(f, wrt=w), wrt=w),
}


@pytest.mark.parametrize("how", sorted(CALLS))
@pytest.mark.parametrize("f", [Model.loss, plain], ids=["method", "plain"])
def test_a_parameter_named_self(f, how):
    x = np.array([0.3, -0.5, 0.7])
    got = CALLS[how](f, 1)(Model(), x)
    np.testing.assert_allclose(got, expected_hessian(x), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got, hessian_of(f, x, Model()), rtol=1e-6, atol=1e-7)
    by_name = CALLS[how](f, "x")(self=Model(), x=x)  # both by keyword
    np.testing.assert_allclose(by_name, got, rtol=1e-12, atol=0)


@pytest.mark.parametrize(
    "make",
    [
        lambda f: s2s.grad(f, wrt="x"),
        lambda f: lambda *a, **k: s2s.value_and_grad(f, wrt="x")(*a, **k)[1],
        lambda f: lambda *a, **k: s2s.vjp(f, wrt="x")(*a, **k)[1](1.0),
    ],
    ids=["grad", "value_and_grad", "vjp"],
)
def test_first_order_by_keyword(make):
    x = np.array([0.3, -0.5, 0.7])
    expected = numeric(lambda y: plain(None, y), (x,), 0)
    firsts = {plain: {"self": Model()}, named_like_internals: {"args": 2.0, "kwargs": 0.5}}
    for f, first in firsts.items():
        got = make(f)(**first, x=x)
        scale = 2.0 if f is named_like_internals else 1.0
        np.testing.assert_allclose(got, scale * expected, rtol=1e-6, atol=1e-8)


def test_jvp_hvp_and_check_grad_by_keyword():
    x = np.array([0.3, -0.5, 0.7])
    v = np.array([0.2, 1.0, -0.4])
    _, tangent = s2s.jvp(plain, wrt="x")(self=Model(), x=x, x_dot=v)
    assert tangent == pytest.approx(float(numeric(lambda y: plain(None, y), (x,), 0) @ v), rel=1e-6)
    np.testing.assert_allclose(
        s2s.hvp(plain, wrt="x")(self=Model(), x=x, x_dot=v), expected_hessian(x) @ v, rtol=1e-10
    )
    np.testing.assert_allclose(
        s2s.hessian(named_like_internals, wrt="x")(args=2.0, kwargs=0.5, x=x),
        2.0 * expected_hessian(x),
        rtol=1e-10,
    )
    s2s.check_grad(plain, Model(), x, wrt=1)
