"""numpy's in-place writers on a local array: ``np.put``, ``np.putmask``, ``np.place``,
``np.copyto``, ``np.fill_diagonal`` and ``np.put_along_axis``.

The frontend writes ``np.put(buf, ind, v)`` (a statement) as ``buf[...] = _s2s.put(buf, ind,
v)``, so it is refused where any write into ``buf`` is (an argument: copy it first), and
differentiated here in ``buf``'s prior value and in the values written. Each writer is linear
in the two together (every entry of its result is a copy of one entry of either), so its
tangent is the same write of the tangents, and its transpose reads where each entry came from:
the writer applied to integer labels (``s2s.runtime.writers``), with numpy's own handling of
repeated indices (the last write wins), cycled or broadcast values, ``mode``, ``wrap`` and
``where``. The prior value's cotangent is ``g`` where its entry was kept.
"""

import numpy as np

import s2s.runtime as rt
from s2s.registry import d, linear, nondifferentiable

SOURCE = "a copy of selected entries; transpose: keep g where kept, scatter-add it to the values"


@linear(rt.put, structural=("ind", "mode"), source="numpy.put: " + SOURCE)
def put(result, a, ind, v, mode="raise"):
    sources = rt.put(rt.labels(a), ind, rt.value_labels(v), mode)
    d[a] = np.where(sources >= 0, d[result], 0.0)
    d[v] = rt.written(d[result], sources, v)


@linear(rt.putmask, structural=("mask",), source="numpy.putmask: " + SOURCE)
def putmask(result, a, mask, values):
    sources = rt.putmask(rt.labels(a), mask, rt.value_labels(values))
    d[a] = np.where(sources >= 0, d[result], 0.0)
    d[values] = rt.written(d[result], sources, values)


@linear(rt.place, structural=("mask",), source="numpy.place: " + SOURCE)
def place(result, arr, mask, vals):
    sources = rt.place(rt.labels(arr), mask, rt.value_labels(vals))
    d[arr] = np.where(sources >= 0, d[result], 0.0)
    d[vals] = rt.written(d[result], sources, vals)


@linear(rt.copyto, structural=("casting", "where"), source="numpy.copyto: " + SOURCE)
def copyto(result, dst, src, casting="same_kind", where=True):
    sources = rt.copyto(rt.labels(dst), rt.value_labels(src), "unsafe", where)
    d[dst] = np.where(sources >= 0, d[result], 0.0)
    d[src] = rt.written(d[result], sources, src)


@linear(rt.fill_diagonal, structural=("wrap",), source="numpy.fill_diagonal: " + SOURCE)
def fill_diagonal(result, a, val, wrap=False):
    sources = rt.fill_diagonal(rt.labels(a), rt.value_labels(val), wrap)
    d[a] = np.where(sources >= 0, d[result], 0.0)
    d[val] = rt.written(d[result], sources, val)


@linear(rt.put_along_axis, structural=("indices", "axis"), source="numpy.put_along_axis: " + SOURCE)
def put_along_axis(result, arr, indices, values, axis):
    sources = rt.put_along_axis(rt.labels(arr), indices, rt.value_labels(values), axis)
    d[arr] = np.where(sources >= 0, d[result], 0.0)
    d[values] = rt.written(d[result], sources, values)


for _fn in (rt.labels, rt.value_labels):  # integer positions of an array's entries
    nondifferentiable(_fn, reason="reads only the shape: integer positions", metadata=True)


@linear(rt.written, structural=("sources", "v"), source="a scatter-add; transpose: the gather")
def written(result, g, sources, v):
    d[g] = rt.gathered_values(d[result], sources)


@linear(rt.gathered_values, structural=("sources",), source="a gather; transpose: scatter-add")
def gathered_values(result, h, sources):
    d[h] = rt.written(d[result], sources, h)
