"""Axis rolls, array requirements, resizing, broadcasting, grids and insertions.

Each function is linear in its array arguments (numpy's documentation defines the maps), so
each rule is a transpose, and forward mode applies the function to the tangents. ``rollaxis``
is a ``moveaxis``; ``require`` and ``real_if_close`` (real inputs) are the identity with a
cast; ``resize`` repeats the flat input cyclically (its transpose sums the repetitions);
``broadcast_arrays`` gives one output per input; ``meshgrid`` spreads
each coordinate vector along one axis (its transpose sums over the others); ``insert`` places
``arr``'s entries and copies of ``values`` (its transpose gathers each back).
"""

import numpy as np

import s2s.runtime as rt
from s2s.registry import CAST, Facts, d, linear, nondifferentiable

VIEW = Facts(view=True)  # the result may share memory with the argument
SHAPES = "reads only shapes and structural arguments"

for _helper in (rt.rollaxis_destination, rt.resize_plan, rt.insert_keys):
    nondifferentiable(_helper, reason=SHAPES, metadata=True)


@linear(
    np.rollaxis,
    structural=("axis", "start"),
    source="numpy.rollaxis = moveaxis(a, axis, start or start - 1); move back",
    facts=VIEW,
)
def rollaxis(result, a, axis, start=0):
    d[a] = np.moveaxis(d[result], rt.rollaxis_destination(a, axis, start), axis)


@linear(
    np.require,
    structural=("dtype", "requirements"),
    source="numpy.require: identity with a cast (and a copy for the flags)",
    facts=Facts(dtype=CAST, view=True),
)
def require(result, a, dtype=None, requirements=None):
    d[a] = rt.unarray(d[result], a, result)


@linear(
    np.real_if_close,
    structural=("tol",),
    source="numpy.real_if_close: the identity on real input",
    facts=VIEW,
)
def real_if_close(result, a, tol=100):
    d[a] = rt.unarray(d[result], a, result)


@linear(
    np.resize,
    structural=("new_shape",),
    source="numpy.resize: the flat input repeated cyclically; transpose: sum the repetitions",
)
def resize(result, a, new_shape):
    plan = rt.resize_plan(a, new_shape)
    g = np.reshape(np.pad(np.ravel(d[result]), plan[0]), plan[1])
    d[a] = rt.unbroadcast(np.reshape(np.sum(g, axis=0), rt.shape_of(a)), a)


@linear(
    np.broadcast_arrays,
    structural=("subok",),
    source="numpy.broadcast_arrays; transpose: sum over the broadcast axes",
    facts=VIEW,
)
def broadcast_arrays(result, *args, subok=False):
    d[args] = rt.unbroadcast_parts(d[result], args)


@linear(
    np.meshgrid,
    structural=("copy", "sparse", "indexing"),
    source="numpy.meshgrid: each vector spread along its axis; transpose: sum the others",
)
def meshgrid(result, *xi, copy=True, sparse=False, indexing="xy"):
    d[xi] = rt.unmeshgrid(d[result], xi, indexing)


@linear(
    np.insert,
    structural=("obj", "axis"),
    source="numpy.insert: arr's entries and copies of values placed; transpose: gather back",
)
def insert(result, arr, obj, values, axis=None):
    keys = rt.insert_keys(arr, obj, values, axis)
    d[arr] = np.reshape(d[result][keys[0]], rt.shape_of(arr))
    d[values] = np.reshape(np.matmul(keys[2], d[result][keys[1]]), rt.shape_of(values))
