"""Rows for ``templates/runtime_bilinear.py``: the adjoint helpers of cross, convolve,
correlate, select and choose, called as derivative code calls them (the argument that gives
only a shape fixed, the others drawn)."""

import numpy as np

import s2s.runtime as rt
from rows.spec import R, joined, normal

A_4x3 = np.zeros((4, 3))
B_3 = np.zeros(3)
A_5 = np.zeros(5)
V_3 = np.zeros(3)
MASKS = [
    np.array([[True, False, True], [False, False, False]]),
    np.array([[False, True, False], [True, False, False]]),
    np.array([[False, False, False], [False, True, True]]),
]
INDEX = np.array([[0, 1, 2], [2, 1, 0]])
WRAPPED = np.array([[3, 1, -1], [2, 4, 0]])


def select_parts(g):
    parts = rt.select_parts(g, MASKS, [np.zeros(3), np.zeros((2, 3))])
    return joined(parts[0], parts[1])


def unselect(a, b):
    return rt.unselect([a, b], MASKS, np.zeros((2, 3))) * 2.0


def choose_parts(g):
    parts = rt.choose_parts(g, INDEX, [np.zeros(3), np.zeros((2, 3)), np.zeros((2, 3))])
    return joined(parts[0], parts[2])


def choose_parts_array(g):
    return rt.choose_parts(g, WRAPPED, np.zeros((3, 2, 3)), "wrap") * 2.0


def unchoose(a, b, c):
    return rt.unchoose([a, b, c], INDEX, np.zeros((2, 3))) * 2.0


def einsum_grads(g, a, b):
    parts = rt.einsum_grads(g, "ij,jk->ik", [a, b])
    return joined(parts[0], parts[1])


def einsum_grads_trace(g, a):
    parts = rt.einsum_grads(g, "ij,jk,ii->k", [a, np.ones((3, 2)), a])
    return joined(parts[0], parts[2])


def multi_dot_grads(g, a, b, c):
    parts = rt.multi_dot_grads(g, [a, b, c])
    return np.concatenate([np.ravel(parts[0] * 2.0), np.ravel(parts[1] * 3.0), parts[2]])


def multi_dot_grads_vectors(g, v, a):
    parts = rt.multi_dot_grads(g, [v, a, np.ones(2)])
    return joined(parts[0], parts[1])


ROWS = [
    R(rt.multi_dot_grads, multi_dot_grads, normal(2), normal(2, 3), normal(3, 4), normal(4)),
    R(rt.multi_dot_grads, multi_dot_grads_vectors, normal(), normal(3), normal(3, 2),
      tag="vectors"),  # fmt: skip
    R(rt.einsum_grads, einsum_grads, normal(2, 4), normal(2, 3), normal(3, 4)),
    R(rt.einsum_grads, einsum_grads_trace, normal(2), normal(3, 3), tag="repeated"),
    R(rt.einsum_of, lambda a, b: rt.einsum_of("ij,jk->ik", [a, b]), normal(2, 3), normal(3, 4)),
    R(rt.einsum_of, lambda a: rt.einsum_of("ii,ij", [a, a]), normal(3, 3), tag="implicit"),
    R(rt.cross_grad_a, lambda g, b: rt.cross_grad_a(g, A_4x3, b), normal(4, 3), normal(3)),
    R(
        rt.cross_grad_a,
        lambda g, b: rt.cross_grad_a(g, np.zeros((3, 2)), b, axis=0),
        normal(3, 2),
        normal(3, 2),
        tag="axis",
    ),  # fmt: skip
    R(rt.cross_grad_b, lambda g, a: rt.cross_grad_b(g, a, B_3), normal(4, 3), normal(4, 3)),
    R(
        rt.cross_grad_b,
        lambda g, a: rt.cross_grad_b(g, a, np.zeros((2, 3)), 0, 1, 0),
        normal(3, 2),
        normal(3, 2),
        tag="axes",
    ),  # fmt: skip
    R(rt.convolution, lambda a, v: rt.convolution(a, v, "full"), normal(5), normal(3)),
    R(
        rt.convolution,
        lambda a, v: rt.convolution(a, v, "same", True),
        normal(5),
        normal(3),
        tag="correlate",
    ),  # fmt: skip
    R(
        rt.convolve_grad_a, lambda g, v: rt.convolve_grad_a(g, A_5, v, "full"), normal(7), normal(3)
    ),  # fmt: skip
    R(
        rt.convolve_grad_a,
        lambda g, v: rt.convolve_grad_a(g, A_5, v, "valid", True),
        normal(3),
        normal(3),
        tag="correlate",
    ),  # fmt: skip
    R(
        rt.convolve_grad_v, lambda g, a: rt.convolve_grad_v(g, a, V_3, "same"), normal(5), normal(5)
    ),  # fmt: skip
    R(
        rt.convolve_grad_v,
        lambda g, a: rt.convolve_grad_v(g, a, V_3, "full", True),
        normal(7),
        normal(5),
        tag="correlate",
    ),  # fmt: skip
    R(rt.select_parts, select_parts, normal(2, 3)),
    R(rt.unselect, unselect, normal(3), normal(2, 3)),
    R(rt.choose_parts, choose_parts, normal(2, 3)),
    R(rt.choose_parts, choose_parts_array, normal(2, 3), tag="array-wrap"),
    R(rt.unchoose, unchoose, normal(3), normal(2, 3), normal(1, 3)),
]
