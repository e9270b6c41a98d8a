"""``ufunc.at`` on a local array (issue 10): ``np.add.at(buf, idx, vals)`` is a scatter-add,
differentiated in ``buf``'s prior value and in ``vals``; repeated indices accumulate in the
value and in the gradient; on an argument it is refused as any write into an argument is."""

import numpy as np
import pytest
from gradcheck import numeric_gradient
from located import assert_located

import s2s

IDX = np.array([0, 2, 0, 1, 0])
WEIGHTS = np.array([1.0, 10.0, 100.0])


def histogram(v):
    counts = np.zeros(3)
    np.add.at(counts, IDX, v)
    return np.sum(counts * WEIGHTS)


def embedding_grad(table, rows, g):
    out = table * 0.5
    np.add.at(out, rows, g)  # an embedding's scatter
    return np.sum(out * out)


def test_repeated_indices_accumulate_in_value_and_gradient():
    v = np.arange(1.0, 6.0)
    value, grad = s2s.value_and_grad(histogram)(v)
    assert value == histogram(v)  # numpy's own value: index 0 gets 1 + 3 + 5
    np.testing.assert_array_equal(grad, WEIGHTS[IDX])


def test_both_arguments_of_a_2d_scatter_match_differences():
    rng = np.random.default_rng(1)
    table, g = rng.standard_normal((4, 3)), rng.standard_normal((5, 3))
    rows = np.array([3, 0, 3, 3, 1])
    grads = s2s.grad(embedding_grad, wrt=(0, 2))(table, rows, g)
    for i, got in zip((0, 2), grads):
        expected = numeric_gradient(embedding_grad, [table, rows, g], i)
        np.testing.assert_allclose(got, expected, rtol=1e-7, atol=1e-9)


def scatter_into_argument(buf, v):
    np.add.at(buf, IDX, v)  # MARK
    return np.sum(buf)


def multiply_into_argument(buf, v):
    np.multiply.at(buf, IDX, v)  # MARK
    return np.sum(buf)


@pytest.mark.parametrize("f", [scatter_into_argument, multiply_into_argument])
def test_into_an_argument_it_is_refused_as_other_writes(f):
    buf = np.zeros(3)
    with pytest.raises(s2s.MutationError, match="`buf` is an argument") as info:
        s2s.grad(f, wrt=1)(buf, np.ones(5))
    assert_located(info.value, f, "# MARK", "copy")
    assert np.all(buf == 0.0)  # the caller's array is untouched


def scatter_through_a_view(v):
    buf = np.zeros(4)
    tail = buf[1:]
    np.add.at(buf, IDX + 1, v)  # MARK
    return np.sum(tail * np.arange(1.0, 4.0))


def test_a_scatter_into_an_array_with_a_view_is_refused_as_other_writes():
    with pytest.raises(s2s.MutationError, match="`tail` is a view of it") as info:
        s2s.grad(scatter_through_a_view)(np.arange(1.0, 6.0))
    assert_located(info.value, scatter_through_a_view, "# MARK")


def divide_at(v):
    buf = np.ones(3)
    np.divide.at(buf, IDX, v)  # MARK
    return np.sum(buf)


def test_a_ufunc_at_without_a_rule_is_refused_at_its_line():
    with pytest.raises(s2s.MutationError, match="numpy.divide.at") as info:
        s2s.grad(divide_at)(np.ones(5))
    assert_located(info.value, divide_at, "# MARK")


def test_forward_mode_agrees():
    v, t = np.arange(1.0, 6.0), np.linspace(-1.0, 1.0, 5)
    _, tangent = s2s.jvp(histogram)(v, t)
    assert tangent == pytest.approx(float(np.dot(WEIGHTS[IDX], t)))
