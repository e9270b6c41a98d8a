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

import s2s

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
