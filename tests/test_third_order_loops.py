"""Third order in reverse mode over loops: ``grad(grad(grad(f)))`` of loops that read a view
of a loop-invariant argument (``A.T``, ``A.reshape(4)``, ``A.ravel()``, ``A.swapaxes(0, 1)``,
``A[None]``, ``A.T[0]``), a Kalman-like loop (``A @ A.T`` solved against each row), and a loop
of copies written into followed by a view of the result.

Each third derivative is checked against ``jvp`` of the second derivative and against central
differences of it. Before the fixes the first ones raised ``NameError`` inside the generated
code (the dead-primal pass of the third order dropped the ``d_y_2 = None`` that the second
order's reversed loop reads: ``s2s/reverse/entry.py``, ``gone``), and the last one raised
``MutationError`` for the second order's own restore of the entries its loop overwrote
(``s2s.analysis.sharing.restores_from_tape``). A third derivative names in ``__s2s_tape__``
every tape its code fills, those the frontend renamed too (``s2s/pipeline.py``).
"""

from __future__ import annotations

import functools
import re

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


def copies_written(x, q):
    y = x * 1.0
    for _k in range(1):
        z = y.copy()
        z[0] = z[0] * q
        y = z
    y = np.concatenate([y[1:], y[:1] * q])
    return np.sum(y**2)


def copies_written_twice(x, q):
    y = x * 1.0
    s = 0.0
    for _k in range(2):
        z = y.copy()
        z[0] = np.sin(z[0] * q)
        v = z[:2]
        s = s + np.sum(v**2 * q)
        y = z
    w = y[::-1]
    return np.sum(w * y) * q + s


@pytest.mark.parametrize("f", [copies_written, copies_written_twice], ids=lambda f: f.__name__)
def test_third_derivative_of_a_loop_writing_into_copies_then_viewed(f):
    x = np.array([0.3, -0.5, 0.8])
    q = 0.7
    second = s2s.grad(s2s.grad(f, wrt="q"), wrt="q")
    forward = s2s.jvp(second, wrt="q")(x, q, 1.0)[1]
    differences = (second(x, q + STEP) - second(x, q - STEP)) / (2 * STEP)
    third = s2s.grad(second, wrt="q")(x, q)
    assert third == pytest.approx(forward, rel=1e-12)
    assert third == pytest.approx(differences, rel=1e-6)


def test_a_third_derivative_names_every_tape_its_code_fills():
    # its code binds the first order's tape anew (`tape_3 = []`, the frontend's new name for
    # a list bound again): the fourth order reads that tape's pops as restores only if the
    # third order's __s2s_tape__ names it (fourth order itself takes too long for a test)
    # (disconnected="warn" keeps the reverse sweep over a derivative, whose gradient with
    # respect to the scalar q is otherwise one forward sweep: pipeline._by_forward_sweep)
    x = np.array([0.3, -0.5, 0.8])
    reverse = functools.partial(s2s.grad, wrt="q", disconnected="warn")
    third = reverse(reverse(reverse(copies_written)))
    generated = third.differentiable_generated({"x": x, "q": 0.7})
    filled = set(re.findall(r"^\s*(tape\w*) = \[\]", generated.compiled.source, re.M))
    assert len(filled) >= 3
    assert filled <= set(generated.compiled.function.__s2s_tape__)
