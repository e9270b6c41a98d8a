"""numpy's in-place writers (issue 10): ``np.put``, ``np.putmask``, ``np.place``,
``np.copyto``, ``np.fill_diagonal`` and ``np.put_along_axis`` into an array the function made
are differentiated (rows in ``tests/rows/writers.py``: central differences, float32, forward
mode, second order); into an argument they are refused as any write into an argument is, and a
writer that is not a statement of its own is refused at its line, never ignored."""

import numpy as np
import pytest
from located import assert_located

import s2s


def put_into_argument(buf, v):
    np.put(buf, [0, 1], v)  # MARK
    return np.sum(buf)


def copyto_into_argument(buf, v):
    np.copyto(buf, v)  # MARK
    return np.sum(buf)


def fill_diagonal_into_argument(buf, v):
    np.fill_diagonal(buf, v)  # MARK
    return np.sum(buf)


@pytest.mark.parametrize(
    "f, buf",
    [
        (put_into_argument, np.zeros(3)),
        (copyto_into_argument, np.zeros(2)),
        (fill_diagonal_into_argument, np.zeros((2, 2))),
    ],
)
def test_into_an_argument_it_is_refused_as_other_writes(f, buf):
    before = buf.copy()
    with pytest.raises(s2s.MutationError, match="`buf` is an argument") as info:
        s2s.grad(f, wrt=1)(buf, np.ones(2))
    assert_located(info.value, f, "# MARK", "copy")
    np.testing.assert_array_equal(buf, before)  # refused before anything ran


def copyto_by_keyword(x):
    buf = np.zeros(3)
    np.copyto(dst=buf, src=x)  # MARK
    return np.sum(buf)


def test_a_writer_whose_array_is_not_a_positional_name_is_refused_at_its_line():
    with pytest.raises(s2s.MutationError, match="numpy.copyto changes its first") as info:
        s2s.grad(copyto_by_keyword)(np.ones(3))
    assert_located(info.value, copyto_by_keyword, "# MARK", "by position")


def masked_fill(x, y):
    out = x * 2.0
    np.putmask(out, x > 0, y)
    return np.sum(out * out), out


def test_value_and_gradient_are_numpy_s_and_the_last_write_wins():
    x, y = np.array([1.0, -2.0, 3.0]), np.array([5.0, 7.0, 11.0])
    (value, out), grads = s2s.value_and_grad(masked_fill, wrt=(0, 1), has_aux=True)(x, y)
    expected = np.where(x > 0, y, 2.0 * x)
    np.testing.assert_array_equal(out, expected)
    assert value == np.sum(expected**2)
    np.testing.assert_array_equal(grads[0], [0.0, 8.0 * x[1], 0.0])
    np.testing.assert_array_equal(grads[1], [2.0 * y[0], 0.0, 2.0 * y[2]])

    def repeated(v):
        buf = np.zeros(2)
        np.put(buf, [1, 1], v)  # v[1] is written last
        return buf[1] * 3.0

    np.testing.assert_array_equal(s2s.grad(repeated)(np.array([1.0, 2.0])), [0.0, 3.0])


def fill_and_solve(a, d):
    m = a @ a.T
    np.fill_diagonal(m, d)
    return np.linalg.slogdet(m)[1]


def test_a_writer_in_forward_mode_matches_reverse():
    rng = np.random.default_rng(3)
    a, d = 0.3 * rng.standard_normal((3, 3)), rng.uniform(2.0, 3.0, 3)
    s2s.check_grad(fill_and_solve, a, d, wrt=(0, 1), modes=("rev", "fwd"), order=2)
