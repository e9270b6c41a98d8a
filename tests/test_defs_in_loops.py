"""A ``def`` inside a loop of the differentiated function (fresh-89 finding 7b).

The nested function's own ``return`` is not an early return of the function that defines it:
read as one, ``s2s.hessian`` (forward mode over a gradient returning a tuple) was refused with
"an early `return` of several values", which the user never wrote. The Hessian is checked
against central differences of the gradient written by hand (itself checked against
differences of the function).
"""

import numpy as np
import pytest
from gradcheck import along, numeric_gradient

import s2s

X = np.array([0.3, -0.2, 0.5])


def def_per_trip(x):
    tot = 0.0
    for i in range(3):

        def g(z):
            return z * x[i] ** 2  # noqa: B023 - called in its own trip

        tot = tot + np.sum(g(x))
    return tot


def def_left_by_the_loop(x):
    for i in range(2):

        def g(z):
            return z * x[i]  # noqa: B023 - i is 1 at the call, as written

    return np.sum(g(x))  # the def of the last trip, i == 1


def _per_trip_gradient(x):
    return np.sum(x**2) + 2.0 * x * np.sum(x)


def _left_gradient(x):
    return x[1] + (np.arange(x.size) == 1) * np.sum(x)


CASES = [(def_per_trip, _per_trip_gradient), (def_left_by_the_loop, _left_gradient)]


@pytest.mark.parametrize("f, gradient", CASES, ids=lambda v: getattr(v, "__name__", ""))
def test_hessian_of_a_def_in_a_loop_against_differences(f, gradient):
    np.testing.assert_allclose(gradient(X), numeric_gradient(f, [X], 0), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2s.grad(f)(X), gradient(X), rtol=1e-12)
    expected = np.stack([along(gradient, X, e) for e in np.eye(X.size)], axis=1)
    np.testing.assert_allclose(s2s.hessian(f)(X), expected, rtol=1e-6, atol=1e-8)
    both = s2s.hessian(lambda x, y: f(x) * y, wrt=(0, 1))(X, 2.0)
    np.testing.assert_allclose(both[0][0], 2.0 * expected, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(both[0][1], gradient(X), rtol=1e-6, atol=1e-8)
