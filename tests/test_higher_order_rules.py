"""Third order through rules whose second-order rules call helpers differentiated from plain
twins (issue 9, s2s/runtime/plain_second.py): ``np.prod``, ``np.cumprod`` (with zeros),
``np.linalg.norm`` (p, 'nuc', 2), ``vector_norm``, a density ``np.histogram`` in its weights
and ``np.cov``. ``check_grad(s2s.grad(f), order=2)`` compares forward over reverse over reverse
and reverse over reverse over reverse with central differences of the second derivative; the
rows of tests/rows/ check each helper's rule the same way (tests/test_rules_second_order.py).
"""

from __future__ import annotations

import numpy as np
import pytest
from gradcheck import along

import s2s
import s2s.runtime as rt

RNG = np.random.default_rng(20261206)
SAMPLES = np.array([0.1, 0.9, 1.7, 2.0, 2.4, 3.3, 3.9, 4.0, -1.0])  # one outside the edges
Y = RNG.normal(size=(2, 5))


def prod_loss(x):
    return np.sum(np.sin(np.prod(x, axis=1)))


def cumprod_loss(x):
    return np.sum(np.cos(np.cumprod(x)))


def norm3_loss(x):
    return np.sum(np.sin(np.linalg.norm(x, 3, axis=1)))


def nuclear_loss(x):
    return np.linalg.norm(x, "nuc") ** 2


def spectral_loss(x):
    return np.sin(np.linalg.norm(x, 2))


def vector_norm_loss(x):
    return np.sum(np.linalg.vector_norm(x, axis=0) ** 3)


def density_loss(w):
    hist = np.histogram(SAMPLES, [0.0, 1.0, 2.5, 4.0], weights=w, density=True)[0]
    return np.sum(np.sin(hist * 3.0))


def cov_loss(m):
    return np.sum(np.cos(np.cov(m, Y)))


CASES = [
    (prod_loss, RNG.uniform(0.5, 1.5, size=(2, 3))),
    (prod_loss, np.array([[0.0, 1.2, -0.7], [0.0, 0.0, 1.1]])),
    (cumprod_loss, RNG.uniform(0.5, 1.5, size=(2, 3))),
    (cumprod_loss, np.array([0.8, 0.0, 1.3, -0.6, 0.0])),
    (norm3_loss, RNG.normal(size=(2, 3))),
    (nuclear_loss, RNG.normal(size=(3, 2))),
    (spectral_loss, RNG.normal(size=(2, 3))),
    (vector_norm_loss, RNG.normal(size=(3, 2))),
    (density_loss, RNG.uniform(0.5, 1.5, size=9)),
    (cov_loss, RNG.normal(size=(3, 5))),
]


@pytest.mark.parametrize(
    "f, x", CASES, ids=[f"{f.__name__}-{i}" for i, (f, _) in enumerate(CASES)]
)
def test_third_order_agrees_with_differences_of_the_second(f, x):
    s2s.check_grad(s2s.grad(f), x, order=2)


@pytest.mark.slow
@pytest.mark.parametrize(
    "f, x", CASES, ids=[f"{f.__name__}-{i}" for i, (f, _) in enumerate(CASES)]
)
def test_fourth_order_agrees_with_differences_of_the_third(f, x):
    """The twins' own derivatives (their calls reach rules whose helpers have twins): forward
    over reverse over the gradient of a weighted sum of the gradient."""
    weights = np.random.default_rng(7).normal(size=np.shape(x))
    gradient = s2s.grad(f)

    def weighted(y):
        return np.sum(weights * gradient(y))

    s2s.check_grad(s2s.grad(weighted), x, modes=("fwd",), order=2)


def cubic_sine(x):
    return np.sin(x) * x**3


def cubic_sine_slope(x):
    return s2s.jvp(cubic_sine)(x, 1.0)[1]


def cubic_sine_curvature(x):
    return s2s.jvp(cubic_sine_slope)(x, 1.0)[1]


V = RNG.normal(size=(2, 3))


def norm3(x):
    return np.sum(np.linalg.norm(x, 3, axis=1))


def norm3_along(x):
    return s2s.jvp(norm3)(x, V)[1]


def norm3_curvature(x):
    return s2s.jvp(norm3_along)(x, V)[1]


def cumprod_sum(x):
    return np.sum(np.cumprod(x, axis=1))


def cumprod_along(x):
    return s2s.jvp(cumprod_sum)(x, V)[1]


def cumprod_curvature(x):
    return s2s.jvp(cumprod_along)(x, V)[1]


@pytest.mark.parametrize("f", [cubic_sine_curvature, norm3_curvature, cumprod_curvature])
def test_forward_over_forward_over_forward(f):
    """A jvp of a function calling the jvp of a function calling jvp (its derivative returns
    nested (value, tangent) pairs, which were given zero tangents): the tangent rules alone,
    norm_adjoint's tangent rule (its dG/dn part, norm_slope_dn's twin) and cumprod_tangent's
    twin differentiated forward once more, against differences of the second derivative."""
    x = 0.7 if f is cubic_sine_curvature else RNG.normal(size=(2, 3))
    s2s.check_grad(f, x, modes=("fwd",), order=1)
    if f is cubic_sine_curvature:
        third = s2s.jvp(f)(x, 1.0)[1]
        expected = (-np.cos(x) * x**3 - 9 * x**2 * np.sin(x) + 18 * x * np.cos(x)
                    + 6 * np.sin(x))  # fmt: skip
        assert third == pytest.approx(expected, rel=1e-12)


G0 = RNG.normal(size=(3, 3))


def cov_adjoint_tangent_of(tg, tm, m):
    return rt.cov_adjoint_tangent(tg, G0, tm, None, m)[0]


def test_the_twin_of_cov_adjoint_tangent_against_differences_of_the_helper():
    """cov_adjoint_tangent is differentiated (from its twin) only past the fourth order by
    the functions above: its derivative here, against differences of the helper."""
    args = RNG.normal(size=(3, 3)), RNG.normal(size=(3, 5)), RNG.normal(size=(3, 5))
    s2s.check_grad(cov_adjoint_tangent_of, *args, wrt=(0, 1, 2), order=1)
    s2s.check_grad(cov_adjoint_tangent_of, *args, wrt=(0, 1, 2), modes=("fwd",), order=2)


def cholesky_cubes(t):
    m = np.array([[2.0 + t, t**2], [t**2, 3.0 - t]])
    return np.sum(np.linalg.cholesky(m) ** 3)


def cholesky_cubes_upper(t):
    m = np.array([[2.0 + t, t**2], [t**2, 3.0 - t]])
    return np.sum(np.linalg.cholesky(m, upper=True) ** 3)


@pytest.mark.parametrize("f", [cholesky_cubes, cholesky_cubes_upper])
def test_third_order_through_cholesky_by_forward_over_forward_over_reverse(f):
    """cholesky's tangent helper is differentiated from its plain twin, so jvp(jvp(grad(f)))
    (forward over a tangent of cholesky) agrees with grad of grad of grad and with central
    differences of the second derivative."""
    second = s2s.grad(s2s.grad(f))
    t = 0.3
    expected = along(second, t, 1.0, 1e-5)
    forward = s2s.jvp(s2s.jvp(s2s.grad(f)))(t, 1.0, 1.0)[1][1]
    assert forward == pytest.approx(expected, rel=1e-6)
    assert s2s.grad(second)(t) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_tangent_twin_computes_what_the_helper_computes(upper):
    from s2s.runtime import plain_decompositions, tangent_rules

    a = RNG.normal(size=(2, 4, 4))
    a = a @ np.swapaxes(a, -1, -2) + 4 * np.eye(4)
    factor = np.linalg.cholesky(a, upper=upper)
    t = RNG.normal(size=(2, 4, 4))
    np.testing.assert_allclose(
        plain_decompositions.cholesky_tangent(t, factor, upper),
        tangent_rules.cholesky_tangent(t, factor, upper), rtol=1e-12, atol=1e-12,
    )  # fmt: skip


def eigh_cubes(t):
    m = np.array([[2.0 + t, t**2], [t**2, 3.0 - t]])
    w, v = np.linalg.eigh(m)
    return np.sum(w**3) + np.sum(v[:, 0] ** 3)


def test_third_order_through_eigh_by_forward_over_forward_over_reverse():
    """eigh's tangent helper is differentiated from its plain twin: jvp(jvp(grad(f))) agrees
    with central differences of the second derivative (distinct eigenvalues)."""
    second = s2s.grad(s2s.grad(eigh_cubes))
    t = 0.3
    expected = along(second, t, 1.0, 1e-5)
    assert s2s.jvp(s2s.jvp(s2s.grad(eigh_cubes)))(t, 1.0, 1.0)[1][1] == pytest.approx(
        expected, rel=1e-6
    )


def test_eigh_tangent_twin_computes_what_the_helper_computes():
    from s2s.runtime import plain_decompositions, tangent_rules

    a = RNG.normal(size=(3, 5, 5))
    w, v = np.linalg.eigh(a + np.swapaxes(a, -1, -2))
    t = RNG.normal(size=(3, 5, 5))
    for twin, helper in zip(plain_decompositions.eigh_tangent(t, w, v),
                            tangent_rules.eigh_tangent(t, w, v), strict=True):  # fmt: skip
        np.testing.assert_allclose(twin, helper, rtol=1e-10, atol=1e-12)
