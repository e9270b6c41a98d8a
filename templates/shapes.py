"""Shape functions, joins, gathers, diagonals, copies and casts: linear maps given by transposes."""

import builtins
import operator

import numpy as np

import s2s.runtime as rt
from s2s.registry import CAST, DIAG, PROBE, Facts, d, linear

VIEW = Facts(view=True)  # the result may share memory with the argument
ROWS = Facts(view=True, parts=True)  # list(x), tuple(x): a list of views of x's rows
REORDERED = Facts(view=True, shape=PROBE)  # a view whose shape numpy computes from shapes alone

# Every rule here is the transpose of a linear map (numpy docs define the maps). Parameters
# after one a rule does not support (usually `out`) are keyword-only, so a positional `out`
# cannot bind to the wrong name. `rt.shape_of` reads an array or a recorded `Like`.


@linear(
    np.transpose,
    structural=("axes",),
    source="numpy.transpose; inverse permutation",
    facts=REORDERED,
)
def transpose(result, a, axes=None):
    d[a] = rt.untranspose(d[result], axes)


@linear(
    np.swapaxes,
    structural=("axis1", "axis2"),
    source="numpy.swapaxes is an involution",
    facts=REORDERED,
)
def swapaxes(result, a, axis1, axis2):
    d[a] = np.swapaxes(d[result], axis1, axis2)


@linear(
    np.moveaxis,
    structural=("source", "destination"),
    source="numpy.moveaxis; inverse move",
    facts=REORDERED,
)
def moveaxis(result, a, source, destination):
    d[a] = np.moveaxis(d[result], destination, source)


@linear(
    np.reshape,
    structural=("shape", "order", "copy"),
    source="numpy.reshape; reshape back",
    facts=REORDERED,
)
def reshape(result, a, /, shape, order="C", *, copy=None):
    d[a] = rt.unreshape(d[result], a, order)


@linear(
    np.ravel,
    structural=("order",),
    source="numpy.ravel; reshape back in the same order",
    facts=REORDERED,
)
def ravel(result, a, order="C"):
    d[a] = rt.unravel(d[result], a, order)


@linear(
    np.expand_dims, structural=("axis",), source="numpy.expand_dims; reshape back", facts=REORDERED
)
def expand_dims(result, a, axis):
    d[a] = np.reshape(d[result], rt.shape_of(a))


@linear(np.squeeze, structural=("axis",), source="numpy.squeeze; reshape back", facts=REORDERED)
def squeeze(result, a, axis=None):
    d[a] = np.reshape(d[result], rt.shape_of(a))


@linear(
    np.broadcast_to,
    structural=("shape", "subok"),
    source="the transpose of a broadcast",
    facts=VIEW,
)
def broadcast_to(result, array, shape, subok=False):
    d[array] = rt.unbroadcast(d[result], array)


@linear(np.concatenate, structural=("axis", "dtype", "casting"), source="numpy.concatenate")
def concatenate(result, arrays, /, axis=0, *, dtype=None, casting="same_kind"):
    d[arrays] = rt.unconcatenate(d[result], arrays, axis)


@linear(np.stack, structural=("axis", "dtype", "casting"), source="numpy.stack; unstack")
def stack(result, arrays, axis=0, *, dtype=None, casting="same_kind"):
    d[arrays] = rt.unstack(d[result], arrays, axis)


@linear(np.hstack, structural=("dtype", "casting"), source="numpy.hstack (atleast_1d, join)")
def hstack(result, tup, *, dtype=None, casting="same_kind"):
    d[tup] = rt.unhstack(d[result], tup)


@linear(np.vstack, structural=("dtype", "casting"), source="numpy.vstack (atleast_2d, join)")
def vstack(result, tup, *, dtype=None, casting="same_kind"):
    d[tup] = rt.unvstack(d[result], tup)


@linear(np.take, structural=("indices", "axis", "mode"), source="numpy.take; scatter-add")
def take(result, a, indices, axis=None, *, mode="raise"):
    key = rt.take_key(a, indices, axis, mode)
    d[a][key] = d[result]


@linear(
    operator.getitem, structural=("b",), source="indexing; its transpose scatter-adds", facts=VIEW
)
def getitem(result, a, b, /):
    d[a][b] = d[result]


@linear(np.diff, structural=("n", "axis"), source="numpy.diff; transpose: minus a padded diff")
def diff(result, a, n=1, axis=-1):
    d[a] = rt.undiff(d[result], a, n, axis)


@linear(
    np.diag,
    structural=("k",),
    source="numpy.diag (1-D to 2-D and 2-D to 1-D)",
    facts=Facts(view=True, shape=DIAG),
)
def diag(result, v, k=0):
    d[v] = rt.undiag(d[result], v, k)


@linear(np.diagonal, structural=("offset", "axis1", "axis2"), source="numpy.diagonal", facts=VIEW)
def diagonal(result, a, offset=0, axis1=0, axis2=1):
    d[a] = rt.undiagonal(d[result], a, offset, axis1, axis2)


@linear(
    np.trace,
    structural=("offset", "axis1", "axis2", "dtype"),
    carries_masks=False,
    source="numpy.trace",
)
def trace(result, a, offset=0, axis1=0, axis2=1, dtype=None):
    d[a] = rt.untrace(d[result], a, offset, axis1, axis2)


@linear(np.full_like, structural=("a", "dtype", "order", "subok", "shape"), source="a broadcast")
def full_like(result, a, fill_value, dtype=None, order="K", subok=True, shape=None):
    d[fill_value] = rt.unbroadcast(d[result], fill_value)


@linear(np.full, structural=("shape", "dtype", "order"), source="numpy.full: a broadcast")
def full(result, shape, fill_value, dtype=None, order="C"):
    d[fill_value] = rt.unbroadcast(d[result], fill_value)


# Copies and casts: identities whose adjoint casts back to the input's accumulator dtype.


@linear(np.copy, structural=("order",), source="identity")
def copy(result, a, order="K"):
    d[a] = d[result]


@linear(
    np.asarray,
    structural=("dtype", "order", "copy"),
    source="identity with a cast",
    facts=Facts(dtype=CAST, view=True),
)
def asarray(result, a, dtype=None, order=None, *, copy=None):
    d[a] = rt.unarray(d[result], a, result)


@linear(
    np.array,
    structural=("dtype", "copy", "order", "ndmin"),
    source="identity, cast",
    facts=Facts(dtype=CAST),
)
def array(result, object, dtype=None, *, copy=True, order="K", ndmin=0):
    d[object] = rt.unarray(d[result], object, result)


@linear(
    np.astype, structural=("dtype", "copy"), source="numpy.astype: a cast", facts=Facts(dtype=CAST)
)
def astype(result, x, dtype, /, *, copy=True):
    d[x] = rt.uncast(d[result], x, result)


@linear(builtins.sum, source="sum(items) adds its items: each gets the whole cotangent")
def builtin_sum(result, iterable, /, start=0):
    d[iterable] = rt.unsum(d[result], iterable)
    d[start] = rt.unbroadcast(d[result], start)


@linear(builtins.list, source="list(x) of an array: its rows along axis 0; the adjoint stacks "
        "the rows' cotangents back (zeros for none)", facts=ROWS)  # fmt: skip
def builtin_list(result, iterable, /):
    d[iterable] = rt.unlist(d[result], iterable)


@linear(builtins.tuple, source="tuple(x) of an array: its rows along axis 0; the adjoint stacks "
        "the rows' cotangents back (zeros for none)", facts=ROWS)  # fmt: skip
def builtin_tuple(result, iterable, /):
    d[iterable] = rt.unlist(d[result], iterable)


@linear(builtins.float, source="float() of a size-1 value; the adjoint reshapes back")
def builtin_float(result, x, /):
    d[x] = rt.unbroadcast(d[result], x)


@linear(rt.augmented, structural=("old",), source="`x op= y` rebinds x to a value of x's dtype")
def augmented(result, new, old):
    d[new] = rt.unbroadcast(d[result], new)
