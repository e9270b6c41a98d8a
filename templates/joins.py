"""Splits, stacks, appends, deletions and gathers along an axis: linear maps by their transposes.

A split's transpose joins the pieces' cotangents (zeros for a piece that got none); a stack's
splits the cotangent into one piece per input; a deletion or a gather along an axis is read
back by a scatter-add at its key (``d[a][key] = g``). numpy's documentation defines each map.
"""

import numpy as np

import s2s.runtime as rt
from s2s.registry import Facts, d, linear

PIECES = Facts(view=True, parts=True)  # a list of pieces, each maybe a view of the argument
SPLIT = ("indices_or_sections", "axis")


@linear(np.split, structural=SPLIT, source="numpy.split; transpose: join the pieces", facts=PIECES)
def split(result, ary, indices_or_sections, axis=0):
    d[ary] = rt.unsplit_parts(d[result], ary, indices_or_sections, axis)


@linear(np.array_split, structural=SPLIT, source="numpy.array_split; join back", facts=PIECES)
def array_split(result, ary, indices_or_sections, axis=0):
    d[ary] = rt.unsplit_parts(d[result], ary, indices_or_sections, axis)


@linear(np.hsplit, structural=SPLIT[:1], source="numpy.hsplit (axis 1, 0 for 1-D)", facts=PIECES)
def hsplit(result, ary, indices_or_sections):
    d[ary] = rt.unsplit_parts(d[result], ary, indices_or_sections, "h")


@linear(np.vsplit, structural=SPLIT[:1], source="numpy.vsplit (axis 0)", facts=PIECES)
def vsplit(result, ary, indices_or_sections):
    d[ary] = rt.unsplit_parts(d[result], ary, indices_or_sections, 0)


@linear(np.dsplit, structural=SPLIT[:1], source="numpy.dsplit (axis 2)", facts=PIECES)
def dsplit(result, ary, indices_or_sections):
    d[ary] = rt.unsplit_parts(d[result], ary, indices_or_sections, 2)


@linear(np.column_stack, source="numpy.column_stack: 1-D inputs as columns, joined on axis 1")
def column_stack(result, tup):
    d[tup] = rt.uncolumn_stack(d[result], tup)


@linear(np.dstack, source="numpy.dstack: atleast_3d inputs joined on axis 2")
def dstack(result, tup):
    d[tup] = rt.undstack(d[result], tup)


if hasattr(np, "row_stack"):  # numpy 2.5 removed it

    @linear(np.row_stack, source="numpy.row_stack = vstack (no dtype, casting)")
    def row_stack(result, tup):
        d[tup] = rt.unvstack(d[result], tup)


@linear(np.append, structural=("axis",), source="numpy.append: a concatenation (flat: raveled)")
def append(result, arr, values, axis=None):
    parts = rt.unconcatenate(d[result], (arr, values), axis)
    d[arr] = parts[0]
    d[values] = parts[1]


@linear(np.delete, structural=("obj", "axis"), source="numpy.delete: a gather of the kept entries")
def delete(result, arr, obj, axis=None):
    d[arr][rt.delete_key(arr, obj, axis)] = d[result]


@linear(
    np.take_along_axis,
    structural=("indices", "axis"),
    source="numpy.take_along_axis: a gather; transpose: scatter-add",
)
def take_along_axis(result, arr, indices, axis=-1):
    d[arr][rt.along_axis_key(arr, indices, axis)] = d[result]


@linear(np.block, source="numpy.block: nested concatenations; transpose: the leaves' pieces")
def block(result, arrays):
    d[arrays] = rt.unblock(d[result], arrays)


if hasattr(np, "unstack"):  # numpy >= 2.1

    @linear(
        np.unstack,
        structural=("axis",),
        source="numpy.unstack: the slices along axis; transpose: stack them",
        facts=PIECES,
    )
    def unstack(result, x, /, *, axis=0):
        d[x] = rt.unsplit_parts(d[result], x, np.shape(x)[axis], axis)
