"""Rows for ``templates/linalg_extra.py``: pinv, matrix_power, multi_dot, cond, tensorinv,
tensorsolve, cross, vector_norm and matrix_norm."""

import numpy as np

from rows.spec import R, away0, distinct, normal, positive, wellcond

vector_norm = np.linalg.vector_norm
matrix_norm = np.linalg.matrix_norm


def multi_dot_vectors(v, a, b, w):
    return np.linalg.multi_dot([v, a, b, w])


def tensorinv_matrix_form(a):
    return np.linalg.tensorinv(a.reshape(2, 3, 6), ind=2)


def tensorsolve_square(a, b):
    return np.linalg.tensorsolve(a.reshape(2, 3, 6), b)


def tensorsolve_axes(a, b):
    return np.linalg.tensorsolve(a.reshape(6, 2, 3), b, axes=(0,))


ROWS = [
    R(np.linalg.pinv, lambda a: np.linalg.pinv(a), normal(3, 4), tag="wide"),
    R(np.linalg.pinv, lambda a: np.linalg.pinv(a), normal(4, 3), tag="tall"),
    R(np.linalg.pinv, lambda a: np.linalg.pinv(a), normal(2, 4, 3), tag="batch"),
    R(np.linalg.pinv, lambda a: np.linalg.pinv(a, rcond=1e-12), normal(3, 3), tag="rcond"),
    R(np.linalg.pinv, lambda a: np.linalg.pinv(a, rtol=1e-12), normal(3, 2), tag="rtol"),
    R(
        np.linalg.pinv,
        lambda a: np.linalg.pinv(a + np.matrix_transpose(a), hermitian=True),
        wellcond(3, 3),
        tag="hermitian",
    ),
    R(np.linalg.matrix_power, lambda a: np.linalg.matrix_power(a, 3), normal(3, 3)),
    R(np.linalg.matrix_power, lambda a: np.linalg.matrix_power(a, 1), normal(3, 3), tag="1"),
    R(np.linalg.matrix_power, lambda a: np.linalg.matrix_power(a, 0) * a, normal(3, 3), tag="0"),
    R(np.linalg.matrix_power, lambda a: np.linalg.matrix_power(a, -2), wellcond(3, 3), tag="-2"),
    R(
        np.linalg.matrix_power,
        lambda a: np.linalg.matrix_power(a, n=-1),
        wellcond(2, 3, 3),
        tag="batch-inverse",
    ),  # fmt: skip
    R(
        np.linalg.multi_dot,
        lambda a, b, c: np.linalg.multi_dot([a, b, c]),
        normal(2, 3),
        normal(3, 4),
        normal(4, 2),
    ),  # fmt: skip
    R(
        np.linalg.multi_dot,
        multi_dot_vectors,
        normal(3),
        normal(3, 4),
        normal(4, 2),
        normal(2),
        tag="vectors",
    ),  # fmt: skip
    R(
        np.linalg.multi_dot,
        lambda a, b: np.linalg.multi_dot((a, b)),
        normal(3),
        normal(3, 2),
        tag="two",
    ),  # fmt: skip
    R(np.linalg.cond, lambda a: np.linalg.cond(a), wellcond(3, 3)),
    R(np.linalg.cond, lambda a: np.linalg.cond(a), normal(2, 3, 4), tag="batch-wide"),
    R(np.linalg.cond, lambda a: np.linalg.cond(a, -2), normal(4, 3), tag="-2"),
    R(np.linalg.cond, lambda a: np.linalg.cond(a, p="fro"), wellcond(3, 3), tag="fro"),
    R(np.linalg.cond, lambda a: np.linalg.cond(a, 1), wellcond(3, 3), tag="1"),
    R(np.linalg.cond, lambda a: np.linalg.cond(a, -np.inf), wellcond(3, 3), tag="-inf"),
    R(np.linalg.cond, lambda a: np.linalg.cond(a, "nuc"), wellcond(3, 3), tag="nuc"),
    R(np.linalg.tensorinv, lambda a: np.linalg.tensorinv(a, ind=1), wellcond(4, 4)),
    R(np.linalg.tensorinv, tensorinv_matrix_form, wellcond(6, 6), tag="3-d"),
    R(np.linalg.tensorsolve, tensorsolve_square, wellcond(6, 6), normal(2, 3)),
    R(np.linalg.tensorsolve, tensorsolve_axes, wellcond(6, 6), normal(2, 3), tag="axes"),
    R(np.linalg.cross, lambda a, b: np.linalg.cross(a, b), normal(2, 3), normal(3)),
    R(
        np.linalg.cross,
        lambda a, b: np.linalg.cross(a, b, axis=0),
        normal(3, 2),
        normal(3, 2),
        tag="axis",
    ),  # fmt: skip
    R(vector_norm, lambda x: vector_norm(x), normal(2, 3)),
    R(vector_norm, lambda x: vector_norm(x, ord=1, axis=(0, 1)), away0(2, 3, 2), tag="ord1"),
    R(vector_norm, lambda x: vector_norm(x, ord=np.inf, axis=1), distinct(3, 4), tag="inf"),
    R(vector_norm, lambda x: vector_norm(x, ord=-np.inf), distinct(4), tag="-inf"),
    R(vector_norm, lambda x: vector_norm(x, ord=0), away0(4), tag="0"),
    R(
        vector_norm, lambda x: vector_norm(x, ord=3, axis=0, keepdims=True), normal(3, 2), tag="p3"
    ),  # fmt: skip
    R(vector_norm, lambda x: vector_norm(x, ord=-2), away0(4), tag="-2"),
    R(vector_norm, lambda x: vector_norm(x, ord=0.5), positive(4), tag="half"),
    R(matrix_norm, lambda x: matrix_norm(x), normal(2, 3, 4)),
    R(matrix_norm, lambda x: matrix_norm(x, ord="nuc", keepdims=True), normal(3, 4), tag="nuc"),
    R(matrix_norm, lambda x: matrix_norm(x, ord=2), normal(3, 3), tag="2"),
    R(matrix_norm, lambda x: matrix_norm(x, ord=-2), normal(3, 4), tag="-2"),
    R(matrix_norm, lambda x: matrix_norm(x, ord=1), normal(3, 4), tag="1"),
    R(matrix_norm, lambda x: matrix_norm(x, ord=-1), normal(3, 4), tag="-1"),
    R(matrix_norm, lambda x: matrix_norm(x, ord=np.inf), normal(3, 4), tag="inf"),
    R(matrix_norm, lambda x: matrix_norm(x, ord=-np.inf), normal(3, 4), tag="-inf"),
]
