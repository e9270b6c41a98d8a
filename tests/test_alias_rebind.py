"""A second reference to an array written in place keeps the object it was bound to when the
first name is bound anew, as in Python: ``z = y`` (``y`` changed in place, then ``y = ...``),
a tuple's item, a dict's entry, a list's item, the initial state kept in a tuple before a loop
that rebinds the name, and the same inside a helper called from a (checkpointed) loop.

Before the fix each of these read the new ``y`` where the user wrote the old one: a wrong
value and gradient, and no error (fresh-123 report, section 2). Each is checked here against
the plain call and central differences, in reverse, forward, forward over reverse and with
``checkpoint=2`` where the function has a loop; a write through either name before the
rebinding is seen through both, as in Python. Second order: hvp (forward over reverse) and
forward over forward against differences of the primal. A write through the second name after
the rebinding is refused at its line (no longer answered wrong)."""

import numpy as np
import pytest
from gradcheck import check_against_differences as check
from located import assert_refused_at

import s2s


def by_name(x):
    y = x.copy()
    y[0] = 2 * x[1]
    z = y  # z keeps the old array
    y = np.sin(x)  # y names a new one
    return np.sum(z * y)


def by_tuple_item(x):
    y = np.zeros(3)
    y[0] = x[0] * x[2]
    s = (y, x)
    y = np.sin(x)
    return np.sum(s[0] * y)


def by_dict_entry(x):
    y = x * 1.0
    y[0] = x[1] ** 2
    d = {"a": y}
    y = np.sin(x)
    return np.sum(d["a"] * y)


def by_list_item(x):  # (no write: a list's item written in place is refused)
    y = x * 1.0
    xs = [y, x]
    y = np.sin(x) * xs[0]
    return np.sum(xs[0] * y)


def after_a_slice_write(x):
    y = x * 1.0
    y[:] = np.cos(x)
    z = y
    y = np.sin(x)
    return np.sum(z * y)


def old_buffer_new_buffer(x):
    y = np.zeros(3)
    y[0] = x[0] * 3
    x = y
    y = np.zeros(3)
    y[0] = x[0] * 2
    return np.sum(y * x) + np.sum(x**2)


def tuple_item_sees_a_later_write(x):
    y = x.copy()
    y[0] = x[2] * 3
    s = (y, x)
    y[1] = x[0] ** 2  # s[0] is y's array: it sees this write
    y = np.sin(x)
    return np.sum(s[0] * y)


def dict_entry_sees_a_later_write(x):
    y = x.copy()
    y[0] = x[2] * 3
    d = {"a": y, "b": x}
    y[1] = x[0] ** 2
    y = np.sin(x) * d["b"]
    return np.sum(d["a"] * y)


def second_name_sees_a_later_write(x):
    y = x.copy()
    z = y
    y[1] = x[0] ** 2
    s = np.sum(z * x)
    y = np.cos(x)
    return s + np.sum(y * z)


def rebound_twice(x):
    y = x.copy()
    y[0] = x[2] * 3
    z = y
    y = np.sin(x)
    y[1] = x[0]
    w = y
    y = np.cos(x)
    return np.sum(z * w * y)


def argument_kept_by_a_second_name(x):
    v = x
    x = x.copy()
    x[0] = v[1] * 3
    return np.sum(v * x)


def chained_names(x):
    y = x.copy()
    y[0] = x[1] * 2
    a = b = y
    y = np.sin(x)
    return np.sum(a * b * y)


def rebound_in_a_with_block(x):
    y = x.copy()
    y[0] = x[1] * 2
    z = y
    with np.errstate(all="ignore"):
        y = np.sin(x)
    return np.sum(z * y)


FUNCTIONS = [argument_kept_by_a_second_name, chained_names, rebound_in_a_with_block,
             by_name, by_tuple_item, by_dict_entry, by_list_item, after_a_slice_write,
             old_buffer_new_buffer, tuple_item_sees_a_later_write, dict_entry_sees_a_later_write,
             second_name_sees_a_later_write, rebound_twice]  # fmt: skip
X = np.array([0.3, -0.4, 0.9])
V = np.array([1.0, -2.0, 0.5])


@pytest.mark.parametrize("f", FUNCTIONS)
def test_reverse_reads_the_object_the_second_name_was_bound_to(f):
    check(f, X)


@pytest.mark.parametrize("f", FUNCTIONS)
def test_forward_agrees(f):
    value, tangent = s2s.jvp(f)(X, V)
    assert value == pytest.approx(f(X), rel=1e-12)
    np.testing.assert_allclose(tangent, s2s.grad(f)(X) @ V, rtol=1e-10, atol=1e-12)


def hvp_by_differences(f, *rest):
    """H v by central differences of central-difference gradients of the primal alone (not of
    s2s.grad, which could share a fault)."""

    def gradient(z, e=1e-5):
        return np.array([(f(z + e * d, *rest) - f(z - e * d, *rest)) / (2 * e)
                         for d in np.eye(3)])  # fmt: skip

    h = 1e-3
    return (gradient(X + h * V) - gradient(X - h * V)) / (2 * h)


@pytest.mark.parametrize("f", FUNCTIONS)
def test_forward_over_reverse_agrees(f):
    # the gradient made to be differentiated again pushes a copy of the written array on its
    # tape even though a second reference holds the array (it reads that one before the pop)
    np.testing.assert_allclose(s2s.hvp(f)(X, V), hvp_by_differences(f), rtol=1e-4, atol=1e-5)


def state_kept_before_a_loop(x, n):
    y = x * 1.0
    y[0] = x[1] * 2
    s = (y, x)  # keep the initial state
    for _ in range(n):
        y = np.sin(y)
    return np.sum(s[0] * y)


def inner(x):
    y = x.copy()
    y[0] = 2 * x[1]
    z = y
    y = np.sin(x)
    return z * y


def helper_in_a_loop(x, n):
    for _ in range(n):
        x = inner(x) + x
    return np.sum(x)


@pytest.mark.parametrize("f", [state_kept_before_a_loop, helper_in_a_loop])
@pytest.mark.parametrize("checkpoint", [None, 2, "auto"])
def test_loops_and_checkpoints(f, checkpoint):
    value, g = s2s.value_and_grad(f, wrt=0, checkpoint=checkpoint)(X, 3)
    assert value == pytest.approx(f(X, 3), rel=1e-12)
    h = 1e-6
    expected = [(f(X + h * e, 3) - f(X - h * e, 3)) / (2 * h) for e in np.eye(3)]
    np.testing.assert_allclose(g, expected, rtol=1e-6, atol=1e-8)
    value, tangent = s2s.jvp(f, wrt=0)(X, 3, V)
    assert value == pytest.approx(f(X, 3), rel=1e-12)
    np.testing.assert_allclose(tangent, g @ V, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("f", [state_kept_before_a_loop, helper_in_a_loop])
def test_loops_forward_over_reverse(f):
    np.testing.assert_allclose(s2s.hvp(f, wrt=0)(X, 3, V), hvp_by_differences(f, 3),
                               rtol=1e-4, atol=1e-5)  # fmt: skip


def write_through_the_second_name_after(x):
    y = x.copy()
    y[0] = x[2] * 3
    z = y
    y = np.sin(x)
    z[1] = x[0] ** 2  # z alone holds the old array now
    return np.sum(z * y)


def test_a_write_through_the_kept_name_is_refused():
    assert_refused_at(write_through_the_second_name_after, s2s.MutationError, "may share memory",
                      "z[1] = x[0] ** 2", X)  # fmt: skip


@pytest.mark.parametrize("f", FUNCTIONS)
def test_forward_over_forward_agrees(f):
    tangent = s2s.jvp(f)

    def along_v(z):
        return tangent(z, V)[1]

    second = s2s.jvp(along_v)(X, V)[1]
    h = 1e-4  # the second central difference of the primal along V
    expected = (f(X + h * V) - 2 * f(X) + f(X - h * V)) / h**2
    np.testing.assert_allclose(second, expected, rtol=1e-5, atol=1e-5)
