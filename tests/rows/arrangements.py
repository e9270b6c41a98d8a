"""Rows for ``templates/arrangements.py``: flips, rolls, rotations, triangles, promotions."""

import numpy as np

from rows.spec import R, normal

ROWS = [
    R(np.flip, lambda x: np.flip(x), normal(2, 3)),
    R(np.flip, lambda x: np.flip(x, axis=1), normal(2, 3, 2), tag="axis"),
    R(np.flip, lambda x: np.flip(x, (0, 2)), normal(2, 3, 2), tag="axes"),
    R(np.fliplr, lambda x: np.fliplr(x), normal(2, 3)),
    R(np.flipud, lambda x: np.flipud(x), normal(3, 2)),
    R(np.roll, lambda x: np.roll(x, 2), normal(2, 3)),
    R(np.roll, lambda x: np.roll(x, -1, axis=1), normal(2, 3), tag="axis"),
    R(np.roll, lambda x: np.roll(x, (1, 2), axis=(0, 1)), normal(3, 4), tag="tuple"),
    R(np.rot90, lambda x: np.rot90(x), normal(2, 3)),
    R(np.rot90, lambda x: np.rot90(x, k=3, axes=(1, 2)), normal(2, 3, 4), tag="k-axes"),
    R(np.tril, lambda x: np.tril(x), normal(3, 4)),
    R(np.tril, lambda x: np.tril(x, k=-1), normal(2, 3, 3), tag="k"),
    R(np.triu, lambda x: np.triu(x), normal(4, 3)),
    R(np.triu, lambda x: np.triu(x, k=1), normal(3, 3), tag="k"),
    R(np.atleast_1d, lambda x: np.atleast_1d(x), normal()),
    R(np.atleast_2d, lambda x: np.atleast_2d(x), normal(3)),
    R(np.atleast_3d, lambda x: np.atleast_3d(x), normal(2, 3)),
    R(np.real, lambda x: np.real(x), normal(2, 3)),
    R(np.real, lambda x: x.real * x, normal(2, 3), tag="attribute"),
    R(np.imag, lambda x: np.imag(x) + x, normal(2, 3)),
    R(np.imag, lambda x: x.imag * x + x, normal(2, 3), tag="attribute"),
    R(np.conj, lambda x: np.conj(x), normal(2, 3)),
    R(np.conjugate, lambda x: np.conjugate(x), normal(2, 3), tag="conjugate"),
    R(np.asanyarray, lambda x: np.asanyarray(x), normal(2, 3)),
    R(np.asanyarray, lambda x: np.asanyarray(x, dtype=x.dtype, order="F"), normal(2, 3), tag="kw"),
    R(np.ascontiguousarray, lambda x: np.ascontiguousarray(x.T), normal(2, 3)),
    R(np.ascontiguousarray, lambda x: np.ascontiguousarray(x, dtype=x.dtype), normal(3), tag="kw"),
    R(np.asfortranarray, lambda x: np.asfortranarray(x), normal(2, 3)),
    R(np.asfortranarray, lambda x: np.asfortranarray(x, dtype=x.dtype), normal(3), tag="kw"),
    R(np.asarray_chkfinite, lambda x: np.asarray_chkfinite(x), normal(2, 3)),
    R(
        np.asarray_chkfinite,
        lambda x: np.asarray_chkfinite(x, dtype=x.dtype, order="C"),
        normal(2, 3),
        tag="kw",
    ),
    R(np.matrix_transpose, lambda x: np.matrix_transpose(x), normal(2, 3, 4)),
    R(np.linalg.matrix_transpose, lambda x: np.linalg.matrix_transpose(x), normal(3, 4)),
    R(np.diagflat, lambda x: np.diagflat(x), normal(2, 2)),
    R(np.diagflat, lambda x: np.diagflat(x, k=-1), normal(3), tag="k"),
    R(np.ediff1d, lambda x: np.ediff1d(x), normal(2, 3)),
]
