"""``z += v`` on a name bound to what your own function or builtin ``max``/``min`` returned
changes the argument too when that result is the argument or a view of it (``def ident(a):
return a``), so it is refused at its line in grad, jvp and hvp (before, each gave a wrong
derivative with no error). A helper whose every ``return`` makes a new array (arithmetic, a
ufunc), a copy of the result, and ``z = z + v`` differentiate (gradcheck against central
differences), as do ``max``/``min`` of scalars (a running ``m = max(m, x[i]); m += v``)."""

import numpy as np
import pytest
from gradcheck import check_against_differences as check
from located import assert_located, assert_refused_at

import s2s


def ident(a):
    return a


def tail(a):
    return a[1:]


def double(a):
    return a * 2.0


def linear(w, a):
    return np.dot(w, a)


def as_array(a):
    return np.asarray(a)


def activation(a):
    if a[0] > 0.0:
        return np.tanh(a)
    return -a


def add_through_identity(x):
    y = x * 2.0
    z = ident(y)
    z += x**2
    return np.sum(y**2)


def scale_through_view(x):
    y = x * 2.0
    z = tail(y)
    z *= x[0]
    return np.sum(y**2)


def add_through_builtin_max(x):
    y = x * 2.0
    z = max(y, y, key=len)
    z += x**2
    return np.sum(y**2)


def add_through_asarray_helper(x):
    y = x * 2.0
    z = as_array(y)
    z += x**2
    return np.sum(y**2)


def add_through_identity_in_loop(x):
    z = x * 2.0
    for _ in range(2):
        y = ident(z)
        y += x**2
        z = y * z
    return np.sum(z)


REFUSED = [
    (add_through_identity, "the result of `ident(...)`", "z += x**2"),
    (scale_through_view, "the result of `tail(...)`", "z *= x[0]"),
    (add_through_builtin_max, "the result of `max(...)`", "z += x**2"),
    (add_through_identity_in_loop, "the result of `ident(...)`", "y += x**2"),
    (add_through_asarray_helper, "the result of `as_array(...)`", "z += x**2"),
]
X = np.array([0.3, -0.2, 0.5])
V = np.array([1.0, 2.0, -1.0])


@pytest.mark.parametrize(("f", "message", "line_text"), REFUSED)
def test_an_update_through_a_result_that_may_be_the_argument_is_refused(f, message, line_text):
    assert_refused_at(f, s2s.MutationError, message, line_text, X)
    for derivative in (s2s.jvp(f), s2s.hvp(f)):
        with pytest.raises(s2s.MutationError, match="may return its argument") as info:
            derivative(X, V)
        assert_located(info.value, f, line_text, "<op> ...` to make a new array")


def add_to_a_copy(x):
    y = x * 2.0
    z = ident(y).copy()
    z += x**2
    return np.sum(y**2) + np.sum(z**2)


def rebind_instead(x):
    y = x * 2.0
    z = tail(y)
    z = z * x[0]
    return np.sum(y**2) + np.sum(z**2)


def add_through_new_arrays(x):
    y = x * 2.0
    z = double(y)
    z += x**2
    w = activation(y)
    w *= x
    u = linear(np.eye(3) * 0.5, y)
    u += x
    return np.sum(y**2) + np.sum(z * w) + np.sum(u**2)


def add_to_max_of_scalars(x):
    m = max(x[0], x[1])
    m += x[2]
    return m * x[0]


def running_max_updated(x):
    m = x[0] * 1.0
    for i in range(3):
        m = max(m, x[i])
        m += 0.1 * x[i]
    return m


@pytest.mark.parametrize(
    "f",
    [
        add_to_a_copy,
        rebind_instead,
        add_through_new_arrays,
        add_to_max_of_scalars,
        running_max_updated,
    ],
)
def test_updates_of_new_arrays_differentiate(f):
    check(f, X)
    _, tangent = s2s.jvp(f)(X, V)
    np.testing.assert_allclose(tangent, s2s.grad(f)(X) @ V, rtol=1e-10)
