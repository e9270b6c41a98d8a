"""A write into a name is judged by the binding that reaches it: a write into a new array is
differentiated though the name is later bound to a view of it (``y = y.T``), or was earlier a
view before ``y = y * 2`` made a new array (both were refused before, citing the other
binding); gradcheck against central differences, and jvp agrees with grad. A write that a view
binding may reach (directly, or through one arm of a branch) is still refused at its line.
``b = x[0]; b *= v`` of a 1-D array rebinds a numpy scalar, as in Python, and differentiates
(it was refused as sharing memory); a row of a 2-D array is still refused, and a local dict's
entry is named as the user wrote it (``d['b']``, not the generated ``d_b``)."""

import numpy as np
import pytest
from gradcheck import check_against_differences as check
from located import assert_refused_at

import s2s


def rebound_to_a_view_after(x):
    y = np.empty((2, 3))
    y[0] = x
    y[1] = 3.0
    y = y.T
    return np.sum(y**2 * np.arange(6.0).reshape(3, 2))


def view_rebound_to_new_before(x):
    y = x.reshape(3)
    y = y * 2
    y[1] = 0.0
    return np.sum(y * x)


X = np.array([0.3, -0.2, 0.5])


@pytest.mark.parametrize("f", [rebound_to_a_view_after, view_rebound_to_new_before])
def test_a_write_reached_only_by_a_new_array_differentiates(f):
    check(f, X)
    v = np.array([1.0, 2.0, -1.0])
    np.testing.assert_allclose(s2s.jvp(f)(X, v)[1], s2s.grad(f)(X) @ v, rtol=1e-10)


def write_then_rebind(x):
    y = x.reshape(3)
    y[1] = 0.0
    y = y * 2
    return np.sum(y * x)


def view_in_one_arm(x):
    y = x * 2.0
    if x[0] > 0.0:
        y = x.reshape(3)
    y[1] = 0.0
    return np.sum(y * x)


@pytest.mark.parametrize("f", [write_then_rebind, view_in_one_arm])
def test_a_write_a_view_may_reach_is_still_refused(f):
    assert_refused_at(f, s2s.MutationError, "may share memory", "y[1] = 0.0", X)


# -- `b *= v` on an element: a numpy scalar rebinds; a dict entry is named as written --------


def element_updated(x):
    b = x[0]
    b *= x[1]
    return b * x[2]


def dict_element_updated(x):
    d = {"b": x[0]}
    d["b"] *= x[1]
    return d["b"] * x[2]


def row_updated(m):
    b = m[0]
    b *= m[1]
    return np.sum(b * m[0])


def dict_view_updated(x):
    d = {"a": x * 1.0, "b": x.reshape(3)}
    d["b"] *= x[1]
    return np.sum(d["a"]) * np.sum(d["b"])


@pytest.mark.parametrize("f", [element_updated, dict_element_updated])
def test_an_update_of_a_scalar_element_rebinds_and_differentiates(f):
    check(f, X)


def test_an_update_of_a_row_view_is_still_refused():
    m = np.arange(6.0).reshape(2, 3) / 7.0
    assert_refused_at(row_updated, s2s.MutationError, "`b` may share memory", "b *= m[1]", m)


def test_a_dict_entry_is_named_as_written():
    assert_refused_at(
        dict_view_updated, s2s.MutationError, "`d['b']` may share memory", 'd["b"] *= x[1]', X
    )
