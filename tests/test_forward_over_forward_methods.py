"""Forward over forward through a callable object passed as an argument (``act(x)`` with
``act = Softplus(0.7)``), a bound method passed as a value (``net.forward``) and a method of a
global object (``L.energy(x)``): the JVP of a JVP, to third order.

Found by a fresh user (fresh-501 2): ``hessian`` and ``hvp`` worked, but ``jvp(jvp(f))``
raised NoRuleError "a second derivative through a bound method or an object with __call__
... is not supported yet". The first JVP's code called ``_s2s.jvp_of(act, wrt)``, whose value
for a method is a wrapper inserting the owner, which the second JVP could not differentiate;
code differentiated again now calls the method's plain function with its owner passed
(``_s2s.jvp_of(act.__call__.__func__, wrt)(z_dot, act.__call__.__self__, z)``), as reverse
mode's code already did. Checked against ``hessian`` (``<v, H w>``) and central differences
of it (the third derivative)."""

from __future__ import annotations

import numpy as np
import pytest
from gradcheck import along

import s2s


class Softplus:
    def __init__(self, c):
        self.c = c

    def __call__(self, z):
        return np.log1p(np.exp(self.c * z))


class Model:
    def __init__(self, a):
        self.a = a

    def energy(self, x):
        return np.sum(np.sin(self.a * x) ** 2)

    def forward(self, z):
        return np.tanh(self.a * z)


L = Model(1.3)


def through_object(x, act):
    return np.sum(act(x) ** 2)


def through_global_method(x):
    return L.energy(x) * 2.0


def through_bound_method(x, step):
    return np.sum(step(x) * x)


def vector_through_object(x, act):
    return act(x) * x


X = np.array([0.3, -0.2, 0.9])
V = np.array([1.0, 0.5, -0.6])
W = np.array([-0.3, 2.0, 0.4])
U = np.array([0.4, 0.1, -1.2])

CASES = [
    ("object", through_object, (Softplus(0.7),)),
    ("global method", through_global_method, ()),
    ("bound method", through_bound_method, (Model(0.8).forward,)),
]


@pytest.mark.parametrize(("label", "f", "rest"), CASES, ids=[c[0] for c in CASES])
def test_jvp_of_jvp_gives_the_hessian_contracted_with_both_tangents(label, f, rest):
    hessian = s2s.hessian(f)(X, *rest)
    (value, first), (first_w, second) = s2s.jvp(s2s.jvp(f))(X, *rest, V, W)
    assert value == pytest.approx(f(X, *rest), rel=1e-12)
    gradient = s2s.grad(f)(X, *rest)
    assert first == pytest.approx(gradient @ V, rel=1e-12)
    assert first_w == pytest.approx(gradient @ W, rel=1e-12)
    assert second == pytest.approx(V @ hessian @ W, rel=1e-10)
    np.testing.assert_allclose(s2s.hvp(f)(X, *rest, W) @ V, second, rtol=1e-10)


@pytest.mark.parametrize(("label", "f", "rest"), CASES, ids=[c[0] for c in CASES])
def test_a_third_jvp_matches_central_differences_of_the_hessian(label, f, rest):
    third = s2s.jvp(s2s.jvp(s2s.jvp(f)))(X, *rest, V, W, U)[1][1][1]
    numeric = along(lambda y: V @ s2s.hessian(f)(y, *rest) @ W, X, U, h=1e-5)
    assert third == pytest.approx(numeric, rel=1e-7, abs=1e-10)


def test_a_vector_output_through_an_object_matches_central_differences_of_its_jvp():
    act = Softplus(0.7)
    (_, _), (_, second) = s2s.jvp(s2s.jvp(vector_through_object))(X, act, V, W)
    numeric = along(lambda y: s2s.jvp(vector_through_object)(y, act, V)[1], X, W)
    np.testing.assert_allclose(second, numeric, rtol=1e-7, atol=1e-10)
