"""Second derivatives through a gradient's tape: ``x = tape.pop()`` in s2s's own code gives
back a value ``x`` held before, so ``x`` keeps the type of its other bindings. An integer index
such as ``i - 1`` of a loop from 1 stays an integer, and the rule of ``c[i - 1]`` does not see a
value that might carry a gradient in its key (before: ``UnsupportedArgumentError`` naming the
internal ``subtract_1``, for every second derivative). Checked against central differences of
the gradient."""

import numpy as np
import pytest
from gradcheck import along

import s2s

RNG = np.random.default_rng(2026)


def smooth_penalty(u, c):
    pen = 0.0
    for i in range(1, u.shape[0]):
        pen = pen + c[i - 1] * (u[i] - u[i - 1]) ** 2 + np.sin(u[i - 1]) * u[i]
    return pen


def mirrored(w, c):
    n = w.shape[0]
    s = 0.0
    k = 1
    while k < n:
        s = s + w[n - 1 - k] ** 3 * w[k] * c[k - 1]
        k = k + 1
    return s


def counted_from_two(w, c):
    s = 0.0
    for j, x in enumerate(w[2:], start=2):
        s = s + np.tanh(x * w[j - 2]) * c[j - 2]
    return s


@pytest.mark.parametrize("f", [smooth_penalty, mirrored, counted_from_two])
def test_second_derivatives_through_integer_indices_restored_from_the_tape(f):
    u, c, v = RNG.normal(size=6), RNG.normal(size=5), RNG.normal(size=6)
    gradient = s2s.grad(f)
    expected = along(lambda y: gradient(y, c), u, v, 1e-5)
    scale = np.max(np.abs(expected))
    np.testing.assert_allclose(s2s.hvp(f)(u, c, v), expected, atol=1e-7 * scale)
    np.testing.assert_allclose(s2s.hessian(f)(u, c) @ v, expected, atol=1e-7 * scale)

    def projected(u, c):
        return np.sum(s2s.grad(f)(u, c) * v)

    np.testing.assert_allclose(s2s.grad(projected)(u, c), expected, atol=1e-7 * scale)
