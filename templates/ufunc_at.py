"""``ufunc.at`` on a local array: ``np.add.at(buf, idx, vals)`` and the subtract, multiply,
maximum and minimum forms (a scatter-add users write for histograms and embeddings).

The frontend writes the call as ``buf[...] = _s2s.add_at(buf, idx, vals)``, so it is refused
where any write into ``buf`` is (an argument: copy it first), and differentiated here in
``buf``'s prior value and in ``vals``. Repeated indices accumulate, as in numpy. maximum and
minimum split the cotangent of an entry among its tied candidates, ``1/k`` each (DESIGN 8).
"""

import numpy as np

import s2s.runtime as rt
from s2s.registry import adjoint, d, linear, tangent

SCATTER = "numpy.ufunc.at: a scatter-add; its transpose is a gather (repeated indices add up)"


@adjoint(rt.add_at, structural=("indices",), source=SCATTER)
def add_at(result, a, indices, b):
    d[a] = d[result]
    d[b] = rt.at_gather(d[result], indices, b, a)


@linear(rt.at_gather, structural=("indices", "b", "a"), source="a gather; transpose: the "
        "scatter-add numpy.add.at into zeros of a's shape")  # fmt: skip
def at_gather(result, g, indices, b, a):  # second order through np.add.at (fuzz 7a27c9ea)
    d[g] = rt.add_at(rt.zeros_like_acc(a), indices, d[result])


@tangent(rt.add_at, source="linear: the same scatter-add of the tangents")
def add_at_tangent(result, a, indices, b):
    d[result] += d[a]
    d[result] += rt.add_at(np.zeros_like(result), indices, d[b])


@adjoint(rt.subtract_at, structural=("indices",), source=SCATTER + ", negated for vals")
def subtract_at(result, a, indices, b):
    d[a] = d[result]
    d[b] = -rt.at_gather(d[result], indices, b, a)


@tangent(rt.subtract_at, source="linear: the same scatter-subtract of the tangents")
def subtract_at_tangent(result, a, indices, b):
    d[result] += d[a]
    d[result] += rt.subtract_at(np.zeros_like(result), indices, d[b])


@adjoint(rt.multiply_at, structural=("indices",), source="product rule over the occurrences")
def multiply_at(result, a, indices, b):
    d[a] = d[result] * rt.multiply_at_factors(a, indices, b)
    d[b] = rt.multiply_at_grad_b(d[result], a, indices, b)


@tangent(rt.multiply_at, source="product rule over the occurrences")
def multiply_at_tangent(result, a, indices, b):
    d[result] += d[a] * rt.multiply_at_factors(a, indices, b)
    d[result] += rt.multiply_at_tangent_b(d[b], a, indices, b)


@adjoint(rt.maximum_at, structural=("indices",), source="DESIGN 8: ties split 1/k")
@adjoint(rt.minimum_at, structural=("indices",), source="DESIGN 8: ties split 1/k")
def extremum_at(result, a, indices, b):
    d[a] = rt.extremum_at_grad_a(d[result], a, indices, b, result)
    d[b] = rt.extremum_at_grad_b(d[result], a, indices, b, result)


@tangent(rt.maximum_at, source="DESIGN 8: the mean tangent of the tied candidates")
@tangent(rt.minimum_at, source="DESIGN 8: the mean tangent of the tied candidates")
def extremum_at_tangent(result, a, indices, b):
    d[result] = rt.extremum_at_tangent(d[a], d[b], a, indices, b, result)
