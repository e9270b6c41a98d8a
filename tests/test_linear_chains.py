"""Linear chains (s2s/reverse/linear.py): a reversed trip's contribution that is one array
times numbers is added as that array times their product.

Each gradient is checked against central differences; float32 keeps its dtype; where the
contribution is not one array times numbers, nothing is rewritten.
"""

import numpy as np
import pytest
from gradcheck import check_against_differences as check

import s2s

RNG = np.random.default_rng(1213)


def uses(x, c):
    acc = 0.0
    for k in range(c.shape[0]):
        y = x * c[k]
        acc = acc + np.sum(y * y)
    return acc


def scaled_twice(x, c, s):
    acc = 0.0
    for k in range(c.shape[0]):
        y = (x * c[k]) * s - x * 2.0
        acc = acc + np.sum(y * c[k])
    return acc


def two_arrays(x, z, c):
    acc = 0.0
    for k in range(c.shape[0]):
        y = x * c[k] + z
        acc = acc + np.sum(y * y)
    return acc


def source(f, *args, wrt=0):
    derivative = s2s.grad(f, wrt=wrt)
    derivative(*args)
    return derivative.source


def test_uses_one_pass_a_trip():
    x, c = RNG.standard_normal(5), RNG.standard_normal(4)
    check(uses, x, c)
    text = source(uses, x, c)
    assert "d_x += x * ((getitem_" in text
    assert "recomputed" not in text and "out=" not in text


def test_a_difference_of_scaled_copies_and_a_zero_dimensional_factor():
    x, c, s = RNG.standard_normal(5), RNG.standard_normal(3), np.array(0.7)
    check(scaled_twice, x, c, s, wrt=(0, 2))


def test_two_arrays_are_left_as_they_are():
    x, z, c = RNG.standard_normal(5), RNG.standard_normal(5), RNG.standard_normal(3)
    check(two_arrays, x, z, c, wrt=(0, 1))
    assert "d_x += x *" not in source(two_arrays, x, z, c, wrt=(0, 1))


@pytest.mark.parametrize("f", [uses, two_arrays])
def test_float32_keeps_its_dtype(f):
    args = [RNG.standard_normal(5), RNG.standard_normal(5), RNG.standard_normal(3)]
    args = args[:1] + args[2:] if f is uses else args
    want = s2s.grad(f)(*args)
    got = s2s.grad(f)(*(a.astype(np.float32) for a in args))
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, want, rtol=1e-5)
