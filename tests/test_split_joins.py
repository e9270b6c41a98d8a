"""The pieces of a split joined again: a list of pieces of one shape is recorded as one
``Like`` of their stacked shape, and every join's adjoint (and its transpose, for second order)
reads such a record, or one array, as its rows. Each case is checked in reverse mode against
central differences, in forward mode against the gradient, and by its Hessian-vector product.
Joins of Python list pieces (``np.concatenate([x, [x[0] * x[1]]])``) are checked the same way."""

import numpy as np
import pytest
from gradcheck import along, check_against_differences

import s2s


def split_concatenate(x):
    return np.sum(np.concatenate(np.split(x, 3)) ** 2)


def array_split_concatenate(x):
    return np.sum(np.concatenate(np.array_split(x, 3), axis=1) ** 3)


def hsplit_hstack(x):
    return np.sum(np.hstack(np.hsplit(x, 2)) ** 2 * np.cos(x))


def vsplit_vstack(x):
    return np.sum(np.vstack(np.vsplit(x, 2)) ** 3)


def dsplit_dstack(x):
    return np.sum(np.dstack(np.dsplit(x[:, :, None] * np.ones((1, 1, 2)), 2)) ** 2)


def split_column_stack(x):
    return np.sum(np.column_stack(np.split(x, 2, axis=1)) ** 2)


def split_concatenate_flat(x):
    return np.sum(np.concatenate(np.split(x, 3), axis=None) ** 2)


def split_hstack_vstack(x):
    return np.sum(np.hstack(np.split(x, 3)) ** 2) + np.sum(np.vstack(np.split(x, 3)) ** 3)


def split_stack_and_concatenate(x):
    parts = np.split(x, 3)
    return np.sum(np.concatenate(parts) ** 2) + np.sum(np.stack(parts) * np.sin(x[:2]))


def concatenate_rows(x):
    return np.sum(np.concatenate(x, axis=0) ** 2)  # one 2-D array: its rows are joined


def split_indexed(x):
    parts = np.split(x, 3)
    return np.sum(parts[0]) + np.sum(parts[2] ** 2)


def ragged_indexed_from_the_end(x):  # fuzz fccc692c: np.add.at into the list of pieces
    parts = np.array_split(np.tanh(x), 4, axis=0)  # rows 2, 2, 1, 1
    return np.sum(parts[0]) + np.sum(parts[-1] ** 2)


def ragged_sliced_then_indexed(x):
    parts = np.array_split(x, 4, axis=0)
    head = parts[:3]  # a list of pieces too
    return np.sum(head[0] ** 2) + np.sum(head[-1] * 3.0) + np.sum(parts[3] ** 3)


def ragged_indexed_in_a_loop(x):
    parts = np.array_split(x * 2.0, 4, axis=0)
    total = 0.0
    for i in range(4):
        total = total + np.sum(parts[i] ** 2) * (i + 1.0)
    return total


def concatenate_list_of_scalars(x):  # user report r07: a Python list piece of numbers
    flat = np.ravel(x)
    return np.sum(np.concatenate([flat, [flat[0] * flat[1]]]) ** 2)


def concatenate_list_of_rows(x):
    return np.sum(np.concatenate([x, [x[0] * x[1]]]) ** 3)


def concatenate_list_with_constants(x):
    return np.sum(np.concatenate([x[0], [np.sin(x[1, 0]), 2.0, x[2, 2] ** 2]]) ** 2)


def vstack_nested_list(x):
    return np.sum(np.vstack([x, [[x[0, 0], 1.0, x[1, 1] * x[2, 2], x[3, 3]]]]) ** 3)


def hstack_list_piece(x):
    return np.sum(np.cos(np.hstack([[x[0, 0], x[5, 3]], x[1]])))


CASES = [
    concatenate_list_of_scalars,
    concatenate_list_of_rows,
    concatenate_list_with_constants,
    vstack_nested_list,
    hstack_list_piece,
    ragged_indexed_from_the_end,
    ragged_sliced_then_indexed,
    ragged_indexed_in_a_loop,
    split_concatenate,
    array_split_concatenate,
    hsplit_hstack,
    vsplit_vstack,
    dsplit_dstack,
    split_column_stack,
    split_concatenate_flat,
    split_hstack_vstack,
    split_stack_and_concatenate,
    concatenate_rows,
    split_indexed,
]


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_split_then_join(f):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((6, 4))
    (g,) = check_against_differences(f, x, wrt=(0,), rtol=1e-6, atol=1e-8)
    v = rng.standard_normal(x.shape)
    _, tangent = s2s.jvp(f)(x, v)
    assert tangent == pytest.approx(np.sum(g * v), rel=1e-10)
    hv = s2s.hvp(f)(x, v)
    d = s2s.grad(f)
    expected = along(d, x, v, 1e-5)
    np.testing.assert_allclose(hv, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_split_then_join_dtype(dtype):
    x = np.arange(6.0, dtype=dtype)
    g = s2s.grad(split_concatenate)(x)
    assert g.dtype == dtype
    np.testing.assert_allclose(g, 2 * x)


def split_indexed_and_joined(x):
    parts = np.split(x, 2, axis=1)
    return np.sum(np.concatenate(parts, axis=1) ** 2) + np.sum(parts[0] * parts[1])


def test_hvp_of_split_pieces_indexed_and_joined():
    """The pieces' cotangents from indexing (a list, ``_s2s.scatter``) and from the join (a
    list) are added item by item in the derivative that is differentiated again (was list +
    list, a concatenation)."""
    rng = np.random.default_rng(4)
    x = rng.standard_normal((6, 4))
    check_against_differences(split_indexed_and_joined, x, wrt=(0,))
    v = rng.standard_normal(x.shape)
    hv = s2s.hvp(split_indexed_and_joined)(x, v)
    d = s2s.grad(split_indexed_and_joined)
    expected = along(d, x, v, 1e-5)
    np.testing.assert_allclose(hv, expected, rtol=1e-6, atol=1e-7)
    s2s.check_grad(split_indexed_and_joined, x, order=2)  # reverse over reverse too
