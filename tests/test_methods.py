"""Receivers of method calls: an array's methods are numpy's (on an argument, a global array or
an object's array attribute), a module's are not (``np_.sum`` of a module alias is refused, and
``xp.sum`` of a module passed as an argument is bound as a function value), and a bound method
of the user's object is refused with advice to differentiate the function of its class."""

import numpy as np
import pytest

import s2s

X_GLOBAL = np.arange(6.0).reshape(2, 3)


class Data:
    X = np.arange(6.0).reshape(2, 3) + 1.0


DATA = Data()

# -- arrays' methods are numpy's; modules' are not --------------------------------------------


def through_module_parameter(w, xp):
    return xp.sum(w**2)


def through_module_alias(w):
    np_ = np
    return np_.sum(w**2)


def test_methods_of_a_module_are_not_array_methods():
    with pytest.raises(s2s.NoRuleError, match=r"\.sum\(\.\.\.\)` is called on a value that is not"):
        s2s.grad(through_module_alias)(np.array([1.0, 2.0]))


def test_a_module_argument_binds_its_functions():
    """``xp.sum`` of a module passed as an argument is ``np.sum``, bound when the derivative is
    specialized like any function passed as a value (docs/containers.md)."""
    w = np.array([1.0, 2.0])
    np.testing.assert_allclose(s2s.grad(through_module_parameter)(w, np), 2 * w)


def nonwrt_array_methods(w, x):
    return np.sum(x.dot(w)) + x.sum() * np.sum(w)


def test_methods_of_an_array_argument_stay_numpy_methods():
    w, x = np.array([0.5, -1.0]), np.array([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_allclose(s2s.grad(nonwrt_array_methods)(w, x), x.sum(axis=0) + x.sum())


def methods_of_global_arrays(w):
    return np.sum(X_GLOBAL.dot(w)) + np.sum(DATA.X.dot(w) * X_GLOBAL.T.sum())


def test_methods_of_global_arrays_are_differentiated():
    w = np.array([0.5, -1.0, 2.0])
    g = s2s.grad(methods_of_global_arrays)(w)
    expected = X_GLOBAL.sum(axis=0) + DATA.X.sum(axis=0) * X_GLOBAL.sum()
    np.testing.assert_allclose(g, expected)


# -- a bound method of the user's object ------------------------------------------------------


class Model:
    def loss(self, w):
        return np.sum(w * w)


def test_a_bound_method_gets_advice():
    with pytest.raises(s2s.SourceUnavailableError, match="bound method") as info:
        s2s.grad(Model().loss)
    assert "s2s.grad(Model.loss" in str(info.value)
    np.testing.assert_array_equal(s2s.grad(Model.loss, wrt="w")(Model(), np.ones(2)), [2, 2])


class Decorated:
    """The bound method's advice followed: decorated in the class body, with ``wrt``."""

    scale = 3.0

    @s2s.grad(wrt="w")
    def loss(self, w):
        return self.scale * np.sum(w**2)

    @s2s.grad
    def loss_without_wrt(self, w):
        return self.scale * np.sum(w**2)


def test_the_bound_method_s_advice_works_and_self_gets_its_own():
    """The advice said to decorate with @s2s.grad, which differentiates with respect to
    ``self``; it now says ``@s2s.grad(wrt=...)``, which works, and ``self`` as the argument
    differentiated is told to name the arrays, not to convert the object with np.asarray."""
    with pytest.raises(s2s.SourceUnavailableError) as info:
        s2s.grad(Model().loss)
    assert "@s2s.grad(wrt=...)" in info.value.advice
    np.testing.assert_allclose(Decorated().loss(np.array([1.0, -2.0])), [6.0, -12.0])
    with pytest.raises(s2s.DtypeError, match="argument `self`") as info:
        Decorated().loss_without_wrt(np.array([1.0, -2.0]))
    assert "np.asarray" not in info.value.advice and "wrt=" in info.value.advice


# -- x.view(): the same values, sharing x's memory --------------------------------------------


def product_through_a_view(x):
    y = x * 2.0
    z = y.view()
    return np.sum(z * x)


def write_into_a_view(x):
    y = x * 2.0
    z = y.view()
    z[0] = 7.0  # also writes y[0]
    return np.sum(y * x)


def reinterpreted_bytes(x):
    return np.sum(x.view(np.int64))


def test_a_view_without_arguments_is_differentiated_in_both_modes():
    """``y.view()`` has ``y``'s values: d/dx sum(2x * x) = 4x, in reverse and forward mode
    (it was refused as "called on a value that is not an array")."""
    x = np.array([1.0, -2.0, 3.0])
    assert np.allclose(s2s.grad(product_through_a_view)(x), 4.0 * x, rtol=1e-12)
    x32 = x.astype(np.float32)
    assert s2s.grad(product_through_a_view)(x32).dtype == np.float32
    tangent = np.array([0.5, 1.0, -1.0])
    _, derivative = s2s.jvp(product_through_a_view)(x, tangent)
    assert np.isclose(derivative, np.dot(4.0 * x, tangent), rtol=1e-12)


def test_a_write_into_a_view_is_refused_as_into_a_slice():
    """A view shares memory as a slice does: a write into it is refused, never dropped."""
    with pytest.raises(s2s.MutationError, match="may share memory") as info:
        s2s.grad(write_into_a_view)(np.array([1.0, 2.0]))
    assert "z[0] = 7.0" in str(info.value)


def test_a_view_as_another_dtype_is_refused_at_its_line():
    """``x.view(np.int64)`` reads the bytes as integers: no derivative, refused (never a cast)."""
    with pytest.raises(s2s.UnsupportedSyntaxError, match=r"\.view\(\.\.\.\)` with an argument"):
        s2s.grad(reinterpreted_bytes)(np.array([1.0, 2.0]))
