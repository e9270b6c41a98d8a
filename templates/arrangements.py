"""Reorderings, triangles and promotions of one array: linear maps given by their transposes.

Each map moves or masks entries without combining them (numpy docs define them), so its
transpose moves the cotangent back (a permutation's transpose is its inverse) or masks it the
same way (a mask is its own transpose).
"""

import numpy as np

import s2s.runtime as rt
from s2s.registry import CAST, PROBE, Facts, d, linear

VIEW = Facts(view=True)  # the result may share memory with the argument
REORDERED = Facts(view=True, shape=PROBE)  # a view whose shape numpy computes from shapes alone


@linear(np.flip, structural=("axis",), source="numpy.flip is an involution", facts=REORDERED)
def flip(result, m, axis=None):
    d[m] = np.flip(d[result], axis)


@linear(np.fliplr, source="numpy.fliplr is an involution", facts=VIEW)
def fliplr(result, m):
    d[m] = np.fliplr(d[result])


@linear(np.flipud, source="numpy.flipud is an involution", facts=VIEW)
def flipud(result, m):
    d[m] = np.flipud(d[result])


@linear(np.roll, structural=("shift", "axis"), source="numpy.roll; roll back by -shift")
def roll(result, a, shift, axis=None):
    d[a] = np.roll(d[result], np.negative(shift), axis)


@linear(np.rot90, structural=("k", "axes"), source="numpy.rot90; rotate back by -k", facts=VIEW)
def rot90(result, m, k=1, axes=(0, 1)):
    d[m] = np.rot90(d[result], -k, axes)


@linear(np.tril, structural=("k",), source="numpy.tril: a mask, its own transpose",
        facts=Facts(shape=PROBE))  # fmt: skip
def tril(result, m, k=0):
    d[m] = np.tril(d[result], k)


@linear(np.triu, structural=("k",), source="numpy.triu: a mask, its own transpose",
        facts=Facts(shape=PROBE))  # fmt: skip
def triu(result, m, k=0):
    d[m] = np.triu(d[result], k)


@linear(np.atleast_1d, source="numpy.atleast_1d: a reshape; reshape back", facts=VIEW)
def atleast_1d(result, arys, /):
    d[arys] = np.reshape(d[result], rt.shape_of(arys))


@linear(np.atleast_2d, source="numpy.atleast_2d: a reshape; reshape back", facts=VIEW)
def atleast_2d(result, arys, /):
    d[arys] = np.reshape(d[result], rt.shape_of(arys))


@linear(np.atleast_3d, source="numpy.atleast_3d: a reshape; reshape back", facts=VIEW)
def atleast_3d(result, arys, /):
    d[arys] = np.reshape(d[result], rt.shape_of(arys))


@linear(np.real, source="numpy.real of a real array is the identity (real inputs only)", facts=VIEW)
def real(result, val):
    d[val] = d[result]


@linear(np.imag, source="numpy.imag of a real array is zeros, whatever the array: no "
        "cotangent passes (real inputs only)", facts=VIEW)  # fmt: skip
def imag(result, val):
    d[val] = rt.zeros_like_acc(val)


@linear(np.conjugate, source="numpy.conjugate (numpy.conj) of a real array is the identity")
def conjugate(result, x):
    d[x] = d[result]


@linear(
    np.asanyarray,
    structural=("dtype", "order"),
    source="identity with a cast",
    facts=Facts(dtype=CAST, view=True),
)
def asanyarray(result, a, dtype=None, order=None):
    d[a] = rt.unarray(d[result], a, result)


@linear(
    np.ascontiguousarray,
    structural=("dtype",),
    source="identity with a cast",
    facts=Facts(dtype=CAST, view=True),
)
def ascontiguousarray(result, a, dtype=None):
    d[a] = rt.unarray(d[result], a, result)


@linear(
    np.asfortranarray,
    structural=("dtype",),
    source="identity with a cast",
    facts=Facts(dtype=CAST, view=True),
)
def asfortranarray(result, a, dtype=None):
    d[a] = rt.unarray(d[result], a, result)


@linear(
    np.asarray_chkfinite,
    structural=("dtype", "order"),
    source="identity with a cast (raises for a non-finite entry)",
    facts=Facts(dtype=CAST, view=True),
)
def asarray_chkfinite(result, a, dtype=None, order=None):
    d[a] = rt.unarray(d[result], a, result)


# a view, its shape not probed: what templates/facts.py's later declaration left it with when
# every module loaded at once (REORDERED here would prove its shape, a change of its own)
@linear(np.matrix_transpose, source="numpy.matrix_transpose is an involution", facts=VIEW)
def matrix_transpose(result, x, /):
    d[x] = np.matrix_transpose(d[result])


@linear(np.linalg.matrix_transpose, source="numpy.linalg.matrix_transpose is an involution",
        facts=VIEW)  # fmt: skip
def linalg_matrix_transpose(result, x, /):
    d[x] = np.matrix_transpose(d[result])


@linear(np.diagflat, structural=("k",), source="numpy.diagflat = diag(ravel(v), k)")
def diagflat(result, v, k=0):
    d[v] = np.reshape(np.diagonal(d[result], k), rt.shape_of(v))


@linear(np.ediff1d, source="numpy.ediff1d = diff(ravel(ary)) (no to_end, to_begin)")
def ediff1d(result, ary):
    d[ary] = np.reshape(rt.undiff(d[result], np.ravel(ary)), rt.shape_of(ary))

