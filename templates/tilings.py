"""Padding, tiling, repetition, Kronecker and cross products (real inputs).

``pad`` (the modes that copy entries, and constant padding), ``tile`` and ``repeat`` are
gathers: their transposes scatter-add the cotangent back with a key (``d[a][key] = g``) or sum
the repetitions, with numpy, so the derivatives run in the arrays' namespace and differentiate
again. ``kron`` and ``cross`` are bilinear: one term per argument, by the product rule.
"""

import numpy as np

import s2s.runtime as rt
from s2s.registry import Facts, adjoint, d, linear, tangent


# `pad(array, pad_width, mode, constant_values=...)`: the modes that copy entries and constant
# padding; statistic modes (maximum, mean, ...), linear_ramp and callables raise.
@adjoint(
    np.pad,
    structural=("pad_width", "mode"),
    source="numpy.pad: a gather of entries (edge, reflect, symmetric, wrap) or constant fill",
)
def pad(result, array, pad_width, mode="constant", *, constant_values=0):
    keys = rt.pad_keys(array, pad_width, mode)
    d[array][keys[0]] = d[result][keys[1]]
    d[constant_values] = rt.pad_constant_grad(d[result], array, pad_width, constant_values)


@tangent(np.pad, source="numpy.pad is linear in the array and the constants: pad the tangents")
def pad_tangent(result, array, pad_width, mode="constant", *, constant_values=0):
    d[result] += np.pad(d[array], pad_width, mode=rt.pad_mode(mode))
    d[result] += rt.pad_constant_tangent(d[constant_values], array, pad_width)


@linear(np.tile, structural=("reps",), source="numpy.tile; transpose: sum the repetitions")
def tile(result, A, reps):
    plan = rt.tile_plan(A, reps)
    d[A] = np.reshape(np.sum(np.reshape(d[result], plan[0]), axis=plan[1]), rt.shape_of(A))


@linear(
    np.repeat,
    structural=("repeats", "axis"),
    source="numpy.repeat: a gather; transpose: scatter-add",
)
def repeat(result, a, repeats, axis=None):
    d[a][rt.repeat_key(a, repeats, axis)] = d[result]


@adjoint(
    np.kron,
    source="numpy.kron: (a kron b)[i n + j] = a[i] b[j] per axis; product rule",
    facts=Facts(),
)
def kron(result, a, b):
    plan = rt.kron_plan(a, b)
    g = np.reshape(d[result], plan[0])
    d[a] = np.reshape(np.sum(g * np.reshape(b, plan[2]), axis=plan[4]), rt.shape_of(a))
    d[b] = np.reshape(np.sum(g * np.reshape(a, plan[1]), axis=plan[3]), rt.shape_of(b))


@tangent(np.kron, source="product rule: kron(da, b) + kron(a, db)")
def kron_tangent(result, a, b):
    d[result] += np.kron(d[a], b)
    d[result] += np.kron(a, d[b])


@adjoint(
    np.cross,
    structural=("axisa", "axisb", "axisc", "axis"),
    source="<g, a x b> = <a, b x g> = <b, g x a> (2-vectors: third component 0)",
)
def cross(result, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    d[a] = rt.cross_grad_a(d[result], a, b, axisa, axisb, axisc, axis)
    d[b] = rt.cross_grad_b(d[result], a, b, axisa, axisb, axisc, axis)


@tangent(np.cross, source="product rule: da x b + a x db")
def cross_tangent(result, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    d[result] += np.cross(d[a], b, axisa, axisb, axisc, axis)
    d[result] += np.cross(a, d[b], axisa, axisb, axisc, axis)
