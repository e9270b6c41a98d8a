"""Third order in reverse mode over loops: ``grad(grad(grad(f)))`` of loops that read a view
of a loop-invariant argument (``A.T``, ``A.reshape(4)``, ``A.ravel()``, ``A.swapaxes(0, 1)``,
``A[None]``, ``A.T[0]``) and a Kalman-like loop (``A @ A.T`` solved against each row).

Each third derivative is checked against ``jvp`` of the second derivative and against central
differences of it. Before the fix they raised ``NameError`` inside the generated
code (the dead-primal pass of the third order dropped the ``d_y_2 = None`` that the second
order's reversed loop reads: ``s2s/reverse/entry.py``, ``gone``).
"""

from __future__ import annotations

import numpy as np
import pytest

import s2s

A = np.array([[1.0, 0.1], [0.0, 0.95]])
YS = np.random.default_rng(0).normal(size=(3, 2))
STEP = 1e-5


def transposed(q, A):
    s = 0.0
    for _t in range(2):
        s = s + np.sum(np.sin(A.T * q))
    return s


def reshaped(q, A):
    s = 0.0
    for _t in range(2):
        s = s + np.sum(np.sin(A.reshape(4) * q))
    return s


def raveled(q, A):
    s = 0.0
    for _t in range(2):
        s = s + np.sum(np.sin(A.ravel() * q))
    return s


def swapped(q, A):
    s = 0.0
    for _t in range(2):
        s = s + np.sum(np.sin(A.swapaxes(0, 1) * q))
    return s


def new_axis(q, A):
    s = 0.0
    for _t in range(2):
        s = s + np.sum(np.sin(A[None] * q))
    return s


def transposed_row(q, A):
    s = 0.0
    for _t in range(2):
        s = s + np.sum(np.sin(A.T[0] * q))
    return s


def kalman_like(q, A, ys):
    nll = 0.0
    for t in range(ys.shape[0]):
        P = A @ A.T * q
        z = np.linalg.solve(P, ys[t])
        nll = nll + z @ z
    return nll + np.sum(A)


@pytest.mark.parametrize(
    ("f", "args"),
    [
        (transposed, (A,)),
        (reshaped, (A,)),
        (raveled, (A,)),
        (swapped, (A,)),
        (new_axis, (A,)),
        (transposed_row, (A,)),
        (kalman_like, (A, YS)),
    ],
    ids=["T", "reshape", "ravel", "swapaxes", "None", "T_row", "kalman_like"],
)
def test_third_derivative_of_a_loop_reading_a_view_of_an_argument(f, args):
    second = s2s.grad(s2s.grad(f))
    q = 0.8
    forward = s2s.jvp(second)(q, *args, 1.0)[1]
    differences = (second(q + STEP, *args) - second(q - STEP, *args)) / (2 * STEP)
    third = s2s.grad(second)(q, *args)
    assert third == pytest.approx(forward, rel=1e-12)
    assert third == pytest.approx(differences, rel=1e-6)
    assert s2s.grad(s2s.grad(s2s.grad(f)))(q, *args) == pytest.approx(forward, rel=1e-12)
