"""Rows for ``templates/products.py``: dot, matmul, vdot, outer, tensordot and einsum."""

import numpy as np

from rows.spec import R, normal, pyfloat

ROWS = [
    R(np.dot, lambda a, b: np.dot(a, b), normal(2, 3), normal(3, 4), tag="matrix"),
    R(np.dot, lambda a, b: a.dot(b), normal(3), normal(3), tag="vector-method"),
    R(np.dot, lambda a, b: np.dot(a, b), normal(2, 3, 4), normal(4), tag="nd-vector"),
    R(np.dot, lambda a, b: np.dot(a, b), normal(2, 3), normal(4, 3, 2), tag="nd-nd"),
    R(np.dot, lambda s, b: np.dot(s, b), normal(), normal(2, 3), tag="0d"),
    R(np.matmul, lambda a, b: a @ b, normal(2, 3, 4), normal(4, 5), tag="batch"),
    R(np.matmul, lambda x, a: x @ a, normal(3), normal(3, 4), tag="vector-matrix"),
    R(np.matmul, lambda a, x: np.matmul(a, x), normal(2, 3, 4), normal(4), tag="matrix-vector"),
    R(np.matmul, lambda a, b: a @ b, normal(2, 1, 3, 4), normal(5, 4, 2), tag="broadcast"),
    R(np.vdot, lambda a, b: np.vdot(a, b), normal(2, 3), normal(3, 2)),
    R(np.outer, lambda a, b: np.outer(a, b), normal(3), normal(2, 2)),
    R(
        np.tensordot,
        lambda a, b: np.tensordot(a, b, axes=([1, 2], [0, 1])),
        normal(2, 3, 4),
        normal(3, 4, 5),
        tag="lists",
    ),
    R(np.tensordot, lambda a, b: np.tensordot(a, b, 1), normal(2, 3), normal(3, 4), tag="int"),
    R(np.tensordot, lambda a, b: np.tensordot(a, b), normal(2, 3, 4), normal(3, 4), tag="default"),
    R(np.einsum, lambda a, b: np.einsum("ij,jk->ik", a, b), normal(2, 3), normal(3, 4)),
    R(np.einsum, lambda a: np.einsum("ii->", a), normal(3, 3), tag="trace"),
    R(np.einsum, lambda a, b: np.einsum("i,i", a, b), normal(4), normal(4), tag="implicit"),
    R(
        np.einsum,
        lambda a, b, c: np.einsum("bij,bjk,k->bi", a, b, c),
        normal(2, 3, 4),
        normal(2, 4, 5),
        normal(5),
        tag="three",
    ),
    R(np.einsum, lambda a: np.einsum("...ij->...ji", a), normal(2, 3, 4), tag="ellipsis"),
    R(np.einsum, lambda a: np.einsum("ij,ij->i", a, a), normal(2, 3), tag="same-operand"),
]

ROWS += [
    R(np.inner, lambda a, b: np.inner(a, b), normal(2, 3), normal(4, 3)),
    R(np.inner, lambda a, b: np.inner(a, b), normal(3), normal(3), tag="vectors"),
    R(np.inner, lambda a, b: np.inner(a, b), pyfloat(), normal(2, 2), tag="scalar"),
]
