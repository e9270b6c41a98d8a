"""Third derivatives through reverse mode of a recurrence written into a local array
(``y[i] = y[i - 1] * x[i]``): the JVP of a gradient pops the loop index back from the
gradient's tape, and that pop gives an old value (an int), not a value carrying a tangent
(the JVP's function names the tapes it runs, ``__s2s_tape__``). It was refused, naming
``i - 1`` as an index that carries a gradient; checked against central differences of
``<v, H v>`` from ``s2s.hvp``."""

import numpy as np
import pytest

import s2s

X = np.array([0.5, 0.7, -0.2, 0.3])
V = np.array([1.0, -0.5, 0.25, 2.0])


def product_chain(x):
    y = np.zeros(4)
    y[0] = x[0]
    for i in range(1, 4):
        y[i] = y[i - 1] * x[i]
    return np.sum(y**2)


def squared_chain(x):
    y = np.zeros(4)
    y[0] = x[0]
    for i in range(1, 4):
        y[i] += 0.5 * y[i - 1] ** 2 + x[i]
    return np.sum(y**2)


def stencil(x):
    u = np.zeros((3, 4))
    u[0] = x
    for i in range(1, 3):
        u[i, 1:] = np.sin(u[i - 1, 1:]) * u[i - 1, :-1]
    return np.sum(u**2)


def _differences(f, x, h=1e-4):
    vhv = lambda z: V @ s2s.hvp(f)(z, V)  # noqa: E731
    return np.array([(vhv(x + h * e) - vhv(x - h * e)) / (2 * h) for e in np.eye(x.size)])


@pytest.mark.parametrize("f", [product_chain, squared_chain, stencil])
def test_third_derivatives_through_reverse_mode_match_differences(f):
    expected = _differences(f, X)

    def contracted(x):
        return np.sum(s2s.jvp(s2s.grad(f))(x, V)[1] * V)

    np.testing.assert_allclose(s2s.grad(contracted)(X), expected, rtol=1e-6, atol=1e-8)
    third = s2s.jvp(s2s.jvp(s2s.grad(f)))(X, V, V)[1][1]
    np.testing.assert_allclose(third @ V, expected @ V, rtol=1e-6, atol=1e-8)
