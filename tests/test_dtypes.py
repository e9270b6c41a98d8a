"""Dtypes on the gradient path: a cast to an integer or boolean dtype carries no gradient (the
cast value is a constant of the derivative), complex values are refused with a ``DtypeError``
in both modes, and an argument overwritten before it is read gets zeros of its own shape and
dtype."""

import numpy as np
import pytest

import s2s

INT64 = np.dtype("int64")

# -- casts to integer or boolean dtypes have no gradient --------------------------------------


def cast_builtin_int(x):
    return np.sum(x.astype(int) * x)


def cast_builtin_bool(x):
    return np.sum(x.astype(bool) * x)


def cast_dtype_call(x):
    return np.sum(x.astype(np.dtype(int)) * x)


def cast_global_dtype(x):
    return np.sum(x.astype(INT64) * x)


def cast_asarray_int(x):
    return np.sum(np.asarray(x, dtype=int) * x)


def cast_array_bool(x):
    return np.sum(np.array(x, dtype=bool) * x)


def cast_float32(x):
    return np.sum(x.astype(np.float32) * 2.0)


@pytest.mark.parametrize(
    "f, expected",
    [
        (cast_builtin_int, lambda x: x.astype(int).astype(float)),
        (cast_builtin_bool, lambda x: x.astype(bool).astype(float)),
        (cast_dtype_call, lambda x: x.astype(int).astype(float)),
        (cast_global_dtype, lambda x: x.astype(int).astype(float)),
        (cast_asarray_int, lambda x: x.astype(int).astype(float)),
        (cast_array_bool, lambda x: x.astype(bool).astype(float)),
        (cast_float32, lambda x: np.full_like(x, 2.0)),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_casts_to_int_or_bool_carry_no_gradient(f, expected):
    x = np.array([0.3, -1.2, 2.0, 0.0])
    g = s2s.grad(f)(x)
    assert g.dtype == np.float64
    np.testing.assert_array_equal(g, expected(x))


# -- complex values ---------------------------------------------------------------------------


def complex_cast(x):
    return np.sum(np.real(x.astype(complex)) ** 2)


def complex_asarray(x):
    return np.sum(np.abs(np.asarray(x, dtype=complex)) ** 2)


def complex_constant(x):  # sum |x * 1j| must be refused, never differentiated as -sign(x)
    return np.sum(np.abs(x * 1j))


def complex_exponential(x):
    return np.sum(np.abs(np.exp(1j * x)) * x)


@pytest.mark.parametrize(
    "f", [complex_cast, complex_asarray, complex_constant, complex_exponential]
)
def test_complex_values_on_the_gradient_path_are_refused(f):
    with pytest.raises(s2s.DtypeError, match="complex numbers are not supported yet"):
        s2s.grad(f)(np.array([1.0, 2.0]))
    with pytest.raises(s2s.DtypeError, match="complex numbers are not supported yet"):
        s2s.jvp(f)(np.array([1.0, 2.0]), np.ones(2))


# -- the zero gradient of an overwritten argument ---------------------------------------------


def overwritten_argument(x, c):
    for _ in range(2):
        c = x * 2.0
    return np.sum(c**2)


def test_an_overwritten_argument_gets_zeros_of_its_shape_and_dtype():
    x, c = np.ones(3, np.float32), np.ones(3, np.float32)
    gx, gc = s2s.grad(overwritten_argument, wrt=(0, 1))(x, c)
    np.testing.assert_array_equal(gx, np.full(3, 8.0, np.float32))
    assert gc.shape == (3,) and gc.dtype == np.float32 and not np.any(gc)
