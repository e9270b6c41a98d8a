"""Forward mode's run-time view checks in loops: a write ``y[k + 1] = ...`` checks that no earlier
``r = y[i]`` still in use is a view of the entries written (``_s2s.check_no_view``). Where
``r`` is bound later in the loop's trip (``if y[k + 1] > 3:`` reads ``y[k + 1]`` after the
write), the first trip's check read ``r`` before anything bound it: ``hvp`` (forward over
reverse) and ``jvp(jvp)`` raised ``UnboundLocalError``. Such names now start as ``None``, as in
reverse mode's primal sweep. Checked against central differences of the function itself.
"""

from __future__ import annotations

import numpy as np
import pytest

import s2s


def recurrence_with_a_stop(x):
    y = np.zeros(4)
    for k in range(3):
        y[k + 1] = y[k] * x[k] + x[k]
        if y[k + 1] > 3:
            break
    return np.sum(y**2)


def recurrence_with_a_test(x):
    y = np.zeros(4)
    t = 0.0
    for k in range(3):
        y[k + 1] = y[k] * x[k] + x[k]
        if y[k + 1] > 0.1:
            t = t + 1.0
    return np.sum(y**2) * t


def recurrence_with_a_flag(x):
    y = np.zeros(4)
    for k in range(3):
        y[k + 1] = y[k] * x[k] + x[k]
        s = y[k + 1] > 3
    return np.sum(y**2) + s


def while_with_a_stop(x):
    y = np.zeros(6)
    k = 0
    m = 1.0
    while k < 5:
        y[k + 1] = y[k] * np.cos(x[k % 3] * m) + x[k % 3]
        k = k + 1
        m = m * 1.5
        if y[k] > 3:
            break
    return np.sum(y**2)


def mask_read_after_its_write(x):
    m = np.ones(3)
    s = x
    for i in range(2):
        m[i] = 0.5
        s = s * m[1] * np.sin(x)
    return np.sum(s)


CASES = [
    recurrence_with_a_stop,
    recurrence_with_a_test,
    recurrence_with_a_flag,
    while_with_a_stop,
    mask_read_after_its_write,
]
X = np.array([0.3, 0.4, 0.5])
V = np.array([1.0, -0.5, 0.8])


def hessian_of(f, x, h=1e-4):
    """The Hessian of scalar ``f`` at ``x`` by central differences of ``f`` itself."""
    n = x.size
    out = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            a, b = h * np.eye(n)[i], h * np.eye(n)[j]
            out[i, j] = (f(x + a + b) - f(x + a - b) - f(x - a + b) + f(x - a - b)) / (4 * h * h)
    return out


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_hvp_matches_differences(f):
    expected = hessian_of(f, X) @ V
    np.testing.assert_allclose(s2s.hvp(f)(X, V), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_forward_over_forward_matches_differences(f):
    expected = V @ hessian_of(f, X) @ V
    (_, _), (_, second) = s2s.jvp(s2s.jvp(f))(X, V, V)
    assert second == pytest.approx(expected, rel=1e-5, abs=1e-6)


def scalar_mask(t):
    m = np.ones(3)
    s = t
    for i in range(2):
        m[i] = 0.5
        s = s * m[1]
    return s


def test_forward_over_forward_of_a_scalar_mask():
    """``s = t * 1.0 * 0.5`` (``m[1]`` is written in the second trip): first tangent 0.5,
    second 0 (the report's reproducer)."""
    (value, tangent), (tangent_again, second) = s2s.jvp(s2s.jvp(scalar_mask))(0.7, 1.0, 1.0)
    assert (value, tangent, tangent_again, second) == pytest.approx((0.35, 0.5, 0.5, 0.0))
