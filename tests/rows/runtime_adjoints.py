"""Rows for ``templates/runtime_adjoints.py``: the helpers particular rules' adjoints call,
differentiated as a user's function would call them (a second derivative through those rules
differentiates them, DESIGN 10). Structural arguments are fixed; the others are drawn."""

import numpy as np

import s2s.runtime as rt
from rows.spec import R, away0, joined, normal, positive, two_zeros_in_row0, wellcond, with_zeros

REF_2x3 = np.zeros((2, 3))
QUOTIENT = np.array([[1.0, -2.0, 0.0], [3.0, 1.0, -1.0]])
EXPONENT = np.array([1, -2, 3])

ROWS = [
    R(rt.narrow, lambda g: rt.narrow(g, "float64") * 2.0, normal(2, 3)),
    R(rt.expand_reduced, lambda g: rt.expand_reduced(g, REF_2x3, 1, False), normal(2)),
    R(rt.modf_grad, lambda g: rt.modf_grad(g, np.zeros(3)), normal(2, 3)),
    R(rt.frexp_grad, lambda g: rt.frexp_grad(g, EXPONENT, np.zeros(3)), normal(2, 3)),
    R(
        rt.divmod_grad,
        lambda g: rt.divmod_grad(g, QUOTIENT, REF_2x3, np.zeros(3), True),
        normal(2, 3),
        tag="x1",
    ),  # fmt: skip
    R(
        rt.divmod_grad,
        lambda g: rt.divmod_grad(g, QUOTIENT, REF_2x3, np.zeros(3), False),
        normal(2, 3),
        tag="x2",
    ),  # fmt: skip
    R(rt.times_weights, lambda s, b: rt.times_weights(s, b), normal(2, 3), normal(3)),
    R(rt.times_weights, lambda s: rt.times_weights(s, None), normal(2, 3), tag="no-weights"),
    R(
        rt.power_dbase_dexponent,
        lambda x1, x2: rt.power_dbase_dexponent(x1, x2),
        positive(2, 3),
        normal(2, 3),
    ),  # fmt: skip
    R(
        rt.power_dbase_dexponent,
        lambda x1: rt.power_dbase_dexponent(x1, np.array([0.0, 1.5, -2.0])),
        positive(2, 3),
        tag="zero-exponent",
    ),  # fmt: skip
]

VECTOR = np.zeros(3)
MATRIX_B = np.zeros((3, 2))

ROWS += [
    R(rt.as_columns, lambda x: rt.as_columns(x, VECTOR) * 2.0, normal(3), tag="vector"),
    R(rt.as_columns, lambda x: rt.as_columns(x, MATRIX_B) * 2.0, normal(3, 2), tag="matrix"),
    R(rt.from_columns, lambda x: rt.from_columns(x, VECTOR) * 2.0, normal(3, 1), tag="vector"),
    R(rt.from_columns, lambda x: rt.from_columns(x, MATRIX_B) * 2.0, normal(3, 2), tag="matrix"),
    R(
        rt.solve_cotangent,
        lambda g, a: rt.solve_cotangent(g, a, VECTOR),
        normal(3),
        wellcond(3, 3),
        tag="vector",
    ),  # fmt: skip
    R(
        rt.solve_cotangent,
        lambda g, a: rt.solve_cotangent(g, a, MATRIX_B),
        normal(3, 2),
        wellcond(3, 3),
        tag="matrix",
    ),  # fmt: skip
    R(
        rt.solve_grad_a,
        lambda gb, x: rt.solve_grad_a(gb, x, np.zeros((3, 3)), VECTOR),
        normal(3),
        normal(3),
        tag="vector",
    ),  # fmt: skip
    R(
        rt.solve_grad_a,
        lambda gb, x: rt.solve_grad_a(gb, x, np.zeros((3, 3)), MATRIX_B),
        normal(3, 2),
        normal(3, 2),
        tag="matrix",
    ),  # fmt: skip
    R(rt.det_adjoint, lambda g, a: rt.det_adjoint(g, a), normal(), wellcond(3, 3)),
    R(rt.det_adjoint, lambda g, a: rt.det_adjoint(g, a), normal(2), wellcond(2, 3, 3), tag="batch"),
    R(rt.slogdet_adjoint, lambda g, a: rt.slogdet_adjoint(g, a), normal(), wellcond(3, 3)),
    R(
        rt.slogdet_adjoint,
        lambda g, a: rt.slogdet_adjoint(g, a),
        normal(2),
        wellcond(2, 3, 3),
        tag="batch",
    ),  # fmt: skip
]

ROWS += [
    R(rt.prod_adjoint, lambda g, a: rt.prod_adjoint(g, a), normal(), away0(2, 3)),
    R(rt.cumprod_adjoint, lambda g, a: rt.cumprod_adjoint(g, a, 1), normal(2, 4), normal(2, 4)),
    R(rt.cumprod_adjoint, lambda g, a: rt.cumprod_adjoint(g, a), normal(6), with_zeros(2, 3),
      tag="flat zeros"),  # fmt: skip
    R(
        rt.prod_adjoint,
        lambda g, a: rt.prod_adjoint(g, a, 1, True),
        normal(2, 1),
        two_zeros_in_row0(2, 3),
        tag="axis-zeros",
    ),  # fmt: skip
    R(
        rt.prod_adjoint,
        lambda g, a: rt.prod_adjoint(g, a, (0, 2), False),
        normal(3),
        with_zeros(2, 3, 2, zeros=1),
        tag="axes-zero",
    ),  # fmt: skip
]


def _branchy(a, b):
    return a * np.sin(b) if a > 0 else b * b


def _norm2(v):
    return np.sqrt(np.sum(v * v))


BRANCHY = np.vectorize(_branchy)
NORM2 = np.vectorize(_norm2, signature="(n)->()")

def vectorized_grads_tangent(tg, g, x, y, tx, ty):
    parts = rt.vectorized_grads_tangent(tg, g, BRANCHY, (x, y), [tx, ty])
    return joined(parts[0], parts[1])


def vectorized_grads_adjoint(cx, cy, g, x, y):
    parts = rt.vectorized_grads_adjoint([cx, cy], g, BRANCHY, (x, y))
    return joined(parts[0], joined(parts[1][0], parts[1][1]))


def vectorized_grads_adjoint_core(cx, g, x):
    parts = rt.vectorized_grads_adjoint([cx], g, NORM2, (x,))
    return joined(parts[0], parts[1][0])


ROWS += [  # the second derivatives of a numpy.vectorize call, differentiated (third order)
    R(rt.vectorized_grads_tangent, vectorized_grads_tangent, normal(2, 3), normal(2, 3),
      normal(2, 3), away0(2, 3), normal(2, 3), normal(3)),  # fmt: skip
    R(rt.vectorized_grads_adjoint, vectorized_grads_adjoint, normal(2, 3), normal(3),
      normal(2, 3), normal(2, 3), away0(3)),  # fmt: skip
    R(rt.vectorized_grads_adjoint, vectorized_grads_adjoint_core, normal(2, 4), normal(2),
      away0(2, 4), tag="signature"),  # fmt: skip
]

ROWS += [  # the adjoint of a numpy.vectorize call: each element's VJP, differentiated again
    R(
        rt.vectorized_grads,
        lambda g, x, y: rt.vectorized_grads(g, BRANCHY, (x, y))[1],
        normal(2, 3),
        away0(2, 3),
        normal(3),
    ),  # fmt: skip
    R(
        rt.vectorized_grads,
        lambda g, x: rt.vectorized_grads(g, NORM2, (x,))[0],
        normal(2),
        away0(2, 4),
        tag="signature",
    ),  # fmt: skip
]


def _cube(v):
    return v**3


def _centered(v):  # not elementwise: each piece's value depends on all its entries
    return v - np.mean(v)


PIECES = np.array([[True, False, True], [False, False, True]])
OVERLAP = np.array([True, True, True, False, False])


def _norm_and_max(v):
    return np.array([np.sum(v * v), np.max(v)])


def _soft_total(v, axis):
    return np.log(np.sum(np.exp(v), axis=axis))  # loses axis: apply_over_axes gives it back


ROWS += [  # the adjoints that make each piece's VJP at run time, differentiated again
    R(
        rt.piecewise_adjoint,
        lambda g, x: rt.piecewise_adjoint(g, x, [PIECES, ~PIECES], [np.sin, _cube]),
        normal(2, 3),
        normal(2, 3),
    ),  # fmt: skip
    R(
        rt.piecewise_adjoint,
        lambda g, x: rt.piecewise_adjoint(g, x, [OVERLAP, ~OVERLAP[::-1]], [_centered, np.tanh]),
        normal(5),
        normal(5),
        tag="overlap",
    ),  # fmt: skip
    R(
        rt.apply_along_axis_adjoint,
        lambda g, x: rt.apply_along_axis_adjoint(g, x, _norm_and_max, 1),
        normal(3, 2, 2),
        normal(3, 4, 2),
    ),  # fmt: skip
    R(
        rt.apply_along_axis_adjoint,
        lambda g, x: rt.apply_along_axis_adjoint(g, x, np.cumsum, -1),
        normal(2, 3),
        normal(2, 3),
        tag="numpy",
    ),  # fmt: skip
    R(
        rt.apply_over_axes_adjoint,
        lambda g, x: rt.apply_over_axes_adjoint(g, x, _soft_total, (1, -1)),
        normal(2, 1, 1),
        normal(2, 3, 2),
    ),  # fmt: skip
    R(
        rt.apply_over_axes_adjoint,
        lambda g, x: rt.apply_over_axes_adjoint(g, x, np.cumsum, 1),
        normal(2, 3),
        normal(2, 3),
        tag="kept",
    ),  # fmt: skip
]
