"""Rules for the adjoint helpers of numpy's bilinear and selecting rules (cross, convolve,
correlate, select, choose), so that a second derivative through those rules goes through
these (issue 9, part 3).

A bilinear map's adjoint in one argument is bilinear in the cotangent and the other argument:
``<w, A(g, b)> = <g, f(w, b)>`` with ``A`` the adjoint in ``a`` of ``f(a, b)``, so its own
adjoint in ``g`` is ``f`` again and in ``b`` the other argument's adjoint. A selection's adjoint
is linear in the cotangent; its transpose puts each part back where its choice was taken.
"""

import numpy as np

import s2s.runtime as rt
from s2s.registry import adjoint, d, linear, tangent

AXES = ("axisa", "axisb", "axisc", "axis")
CROSS = "<w, J_a^T g> = <g, w x b> and <w, J_b^T g> = <g, a x w>: bilinear (numpy.cross)"
CONVOLVE = "<w, J_a^T g> = <g, conv(w, v)>, <w, J_v^T g> = <g, conv(a, w)>: bilinear"

# -- numpy.cross ---------------------------------------------------------------------------------


@adjoint(rt.cross_grad_a, structural=("a",) + AXES, source=CROSS)
def cross_grad_a_adjoint(result, g, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    d[g] = rt.unbroadcast(np.cross(d[result], b, axisa, axisb, axisc, axis), g)
    d[b] = rt.cross_grad_b(g, d[result], b, axisa, axisb, axisc, axis)


@tangent(rt.cross_grad_a, source=CROSS)
def cross_grad_a_tangent(result, g, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    d[result] += rt.cross_grad_a(d[g], a, b, axisa, axisb, axisc, axis)
    d[result] += rt.cross_grad_a(g, a, d[b], axisa, axisb, axisc, axis)


@adjoint(rt.cross_grad_b, structural=("b",) + AXES, source=CROSS)
def cross_grad_b_adjoint(result, g, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    d[g] = rt.unbroadcast(np.cross(a, d[result], axisa, axisb, axisc, axis), g)
    d[a] = rt.cross_grad_a(g, a, d[result], axisa, axisb, axisc, axis)


@tangent(rt.cross_grad_b, source=CROSS)
def cross_grad_b_tangent(result, g, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    d[result] += rt.cross_grad_b(d[g], a, b, axisa, axisb, axisc, axis)
    d[result] += rt.cross_grad_b(g, d[a], b, axisa, axisb, axisc, axis)


# -- numpy.convolve and numpy.correlate (flip) -------------------------------------------------


@adjoint(rt.convolution, structural=("mode", "flip"), source="numpy.convolve: bilinear")
def convolution_adjoint(result, a, v, mode, flip=False):
    d[a] = rt.convolve_grad_a(d[result], a, v, mode, flip)
    d[v] = rt.convolve_grad_v(d[result], a, v, mode, flip)


@tangent(rt.convolution, source="numpy.convolve: bilinear (product rule)")
def convolution_tangent(result, a, v, mode, flip=False):
    d[result] += rt.convolution(d[a], v, mode, flip)
    d[result] += rt.convolution(a, d[v], mode, flip)


@adjoint(rt.convolve_grad_a, structural=("a", "mode", "flip"), source=CONVOLVE)
def convolve_grad_a_adjoint(result, g, a, v, mode, flip=False):
    d[g] = rt.unbroadcast(rt.convolution(d[result], v, mode, flip), g)
    d[v] = rt.convolve_grad_v(g, d[result], v, mode, flip)


@tangent(rt.convolve_grad_a, source=CONVOLVE)
def convolve_grad_a_tangent(result, g, a, v, mode, flip=False):
    d[result] += rt.convolve_grad_a(d[g], a, v, mode, flip)
    d[result] += rt.convolve_grad_a(g, a, d[v], mode, flip)


@adjoint(rt.convolve_grad_v, structural=("v", "mode", "flip"), source=CONVOLVE)
def convolve_grad_v_adjoint(result, g, a, v, mode, flip=False):
    d[g] = rt.unbroadcast(rt.convolution(a, d[result], mode, flip), g)
    d[a] = rt.convolve_grad_a(g, a, d[result], mode, flip)


@tangent(rt.convolve_grad_v, source=CONVOLVE)
def convolve_grad_v_tangent(result, g, a, v, mode, flip=False):
    d[result] += rt.convolve_grad_v(d[g], a, v, mode, flip)
    d[result] += rt.convolve_grad_v(g, d[a], v, mode, flip)


# -- numpy.select and numpy.choose ----------------------------------------------------------------

PUT_BACK = "each part where its choice was taken (numpy.select, numpy.choose); its transpose"


@linear(rt.select_parts, structural=("masks", "choicelist"), source=PUT_BACK)
def select_parts(result, g, masks, choicelist):
    d[g] = rt.unselect(d[result], masks, g)


@linear(rt.unselect, structural=("masks", "g"), source=PUT_BACK)
def unselect(result, parts, masks, g):
    d[parts] = rt.select_parts(d[result], masks, parts)


@linear(rt.choose_parts, structural=("a", "choices", "mode"), source=PUT_BACK)
def choose_parts(result, g, a, choices, mode="raise"):
    d[g] = rt.unchoose(d[result], a, g, mode)


@linear(rt.unchoose, structural=("a", "g", "mode"), source=PUT_BACK)
def unchoose(result, parts, a, g, mode="raise"):
    d[parts] = rt.choose_parts(d[result], a, parts, mode)
