"""Second order where the gradient's own code would change arrays in place: a local array
written into and then bound again (or changed again), and loops whose reversed trips recompute
a value and, at first order, write the last product into it.

A fresh user found these failing under ``s2s.hvp``, ``s2s.hessian`` and ``grad`` of ``grad``
(never wrong values). The gradient differentiated again pushed an array that is written into
(``y[0] = v``) on its tape, a list, and restored its entries in place, which a derivative of
it refuses (``MutationError`` about ``tape``); it now pushes a copy
(``tape.append(_s2s.detached(y))``). A loop's reversed trip wrote its last product into a
recomputed array (``d_sin_1 = _np.multiply(2, sin_1, out=sin_1)``), which a derivative of it
refuses (``UnsupportedArgumentError`` about ``out=``); code made to be differentiated again now
writes ``d_sin_1 = 2 * sin_1``. In a loop, the gradient's ``multiply_1 = y * x``, then
``y = multiply_1``, with ``multiply_1 = None`` around it, was taken for a second name of ``y``
(only in s2s's own code is a name read only by such copies a fresh array). And ``vjp``'s
pullback, restoring entries of an older ``y`` popped off its tape, left them restored: a second
call (a Jacobian's next row) read them (a wrong value at first order). The Hessian is checked
against central differences of the gradient, column by column, the Hessian-vector product
against the Hessian, and reverse over reverse (a gradient of a dot product, a Jacobian row by
row) against both.
"""

from __future__ import annotations

import numpy as np
import pytest
from gradcheck import along
from test_higher_order_constructs import _finite_difference_hessian

import s2s

RNG = np.random.default_rng(20261206)


def written_then_rebound(x):
    y = x * 2
    y[0] = x[1] ** 2
    y = y * x
    return np.sum(y**2)


def euler_steps(y0):  # the right-hand side built entry by entry in a loop of Euler steps
    y = y0
    for _ in range(3):
        dy = np.zeros_like(y)
        dy[0] = y[1]
        dy[1] = -np.sin(y[0]) * y[2]
        dy[2] = y[0] * y[1]
        y = y + 0.1 * dy
    return np.sum(y**2)


def _rhs(y):
    dy = np.zeros_like(y)
    dy[0] = y[1]
    dy[1] = -np.sin(y[0]) * y[2]
    dy[2] = y[0] * y[1]
    return dy


def euler_steps_through_a_helper(y0):
    y = y0
    for _ in range(3):
        y = y + 0.1 * _rhs(y)
    return np.sum(y**2)


def scaled_in_place(x):
    out = x * 1.0
    out *= x[0]
    return np.sum(out)


def added_then_written(x):
    acc = np.zeros(3)
    acc += x
    acc[0] -= x[1] * x[2]
    return np.sum(acc**2)


def added_written_then_rebound(x):
    acc = np.zeros(3)
    acc += x
    acc[0] -= x[1] * x[2]
    acc = acc * x
    return np.sum(acc**2)


def written_in_a_loop_then_rebound(x):
    y = x * 1.0
    for k in range(2):
        z = y * 1.0
        z[k] = y[k + 1] ** 2
        y = np.sin(z) * x
    return np.sum(y**2)


def filled_in_a_loop_then_scaled(x):  # the gradient: multiply_1 = y * x; y = multiply_1
    y = np.zeros(3)
    for i in range(3):
        y[i] = x[i] ** 2
        y = y * x
    return np.sum(y)


def entry_scaled_then_rebound(x):  # the gradient reads y[0] (an element) after restoring it
    y = x.copy()
    y[0] = y[0] * np.cos(x[0])
    y = y * 1.5
    return np.sum(y**2)


def entries_scaled_in_a_loop(x):
    y = x.copy()
    for i in range(3):
        y[i] = y[i] * np.cos(x[i])
        y = y * 1.5
    return np.sum(y**2)


WRITES = [
    ("a local array written into, then bound again", written_then_rebound),
    ("Euler steps of a right-hand side written entry by entry", euler_steps),
    ("Euler steps through a helper writing entries", euler_steps_through_a_helper),
    ("an array scaled in place", scaled_in_place),
    ("added into, then an entry changed again", added_then_written),
    ("added into, an entry changed, then bound again", added_written_then_rebound),
    ("written in a loop, then bound again", written_in_a_loop_then_rebound),
    ("filled in a loop, bound to a product each trip", filled_in_a_loop_then_scaled),
    ("an entry read, written, then the array bound again", entry_scaled_then_rebound),
    ("entries read and written in a loop, bound again", entries_scaled_in_a_loop),
]


def _second_order_agrees(f, x):
    expected = _finite_difference_hessian(f, (x,), 0)
    hessian = s2s.hessian(f)(x)
    np.testing.assert_allclose(hessian, expected, rtol=1e-5, atol=1e-6)
    v = RNG.normal(size=x.shape)
    hv = s2s.hvp(f)(x, v)
    np.testing.assert_allclose(hv, np.tensordot(hessian, v, axes=x.ndim), rtol=1e-10,
                               atol=1e-12)  # fmt: skip
    gradient = s2s.grad(f)
    reverse = s2s.grad(lambda z: np.sum(gradient(z) * v))(x)  # reverse over reverse
    np.testing.assert_allclose(reverse, hv, rtol=1e-10, atol=1e-12)
    rows = s2s.jacobian(gradient, mode="reverse")(x)  # one pullback, called once a row
    np.testing.assert_allclose(rows, hessian, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("f", [pytest.param(c[1], id=c[0]) for c in WRITES])
def test_second_order_of_writes_into_arrays_bound_again(f):
    _second_order_agrees(f, RNG.normal(size=3))


def _first_partial(y):
    return s2s.grad(entries_scaled_in_a_loop)(y)[0]


def _mixed_second(z):
    return s2s.grad(_first_partial)(z)[1]


def test_reverse_over_reverse_over_reverse_through_writes_and_rebinding():
    """Third order: reverse over the second derivative's own code, whose adjoint puts a
    popped array back on the gradient's tape (``tape.append(_s2s.detached(y))`` where ``y``
    is written in place), against central differences of the second derivative."""
    x = RNG.normal(size=3)
    third = s2s.grad(_mixed_second)(x)
    expected = [along(_mixed_second, x, e, 1e-5) for e in np.eye(3)]
    np.testing.assert_allclose(third, expected, rtol=1e-5, atol=1e-8)


def test_the_tape_of_code_differentiated_again_holds_a_copy_of_an_array_written_into():
    """The first-order gradient itself keeps the array (no copy); the form differentiated
    again pushes ``_s2s.detached(y)``, and computes the same gradient."""
    x = RNG.normal(size=3)
    gradient = s2s.grad(written_then_rebound)
    first = gradient(x)
    assert "tape.append(y)" in gradient.source and "detached(y)" not in gradient.source
    again = gradient.differentiable_generated({"x": x}).compiled
    assert "tape.append(_s2s.detached(y))" in again.source
    np.testing.assert_allclose(again.function(x), first, rtol=1e-15)


def test_a_row_read_across_the_copy_on_the_tape_is_a_copy_too():
    """``y[i]`` of a 2-D ``y`` is a row view, which the gradient reads after restoring ``y``
    in place: the copy on the tape would not reach it. This was refused (``MutationError``,
    "is a view"); the code differentiated again now takes the row as a copy
    (``_s2s.detached(y[i])``, which keeps a number of a 1-D ``y``), and the second derivatives
    agree with central differences of the gradient."""
    x = RNG.normal(size=(3, 2))
    again = s2s.grad(entries_scaled_in_a_loop).differentiable_generated({"x": x}).compiled
    assert "_s2s.detached(y[i])" in again.source and "check_no_view" not in again.source
    _second_order_agrees(entries_scaled_in_a_loop, x)
    directions = np.eye(x.size).reshape(x.size, *x.shape)
    expected = [along(entries_scaled_in_a_loop, x, e, 1e-6) for e in directions]
    gradient = s2s.grad(entries_scaled_in_a_loop)(x)  # first order reads the row as it was
    np.testing.assert_allclose(gradient.ravel(), expected, rtol=1e-6, atol=1e-8)


def slice_kept_across_writes_in_a_loop(x):  # y views out; the gradient reads it restored
    acc = 0.0
    for t in range(2):
        out = np.zeros(x.size + 1)
        out[1:] = x * (t + 1)
        y = out[1:]
        z = np.sin(y) * y
        out[1:] = 0.5
        acc = acc + np.sum(z * x) + np.sum(out * x[0])
    return acc


def test_a_slice_read_across_the_copy_on_the_tape_is_a_copy_too():
    """The gradient reads ``y = out[1:]`` after restoring ``out`` in place. The code
    differentiated again took ``y`` as a copy but kept ``out`` itself on its tape (``y`` was
    taken for a view of it), which a second derivative refused (``MutationError``, "`out` is
    changed in place"); now the tape keeps a copy of ``out`` too, and the second derivatives
    agree with central differences of the gradient."""
    x = RNG.normal(size=3)
    again = s2s.grad(slice_kept_across_writes_in_a_loop).differentiable_generated({"x": x})
    assert "tape.append(_s2s.detached(out))" in again.compiled.source
    _second_order_agrees(slice_kept_across_writes_in_a_loop, x)
    expected = [along(slice_kept_across_writes_in_a_loop, x, e, 1e-6) for e in np.eye(3)]
    gradient = s2s.grad(slice_kept_across_writes_in_a_loop)(x)
    np.testing.assert_allclose(gradient, expected, rtol=1e-6, atol=1e-8)


def written_then_rebound_vector(x):
    y = x * 2
    y[0] = x[1] ** 2
    y = y * x
    return y**2


def test_a_pullback_restoring_an_older_array_runs_twice_alike():
    """First order: the pullback restores ``y[0]`` in the array ``y`` held before ``y = y *
    x``, popped off its tape; that array's final entries are put back too, so a second call
    (a Jacobian's next row) reads what the primal sweep left. Before, it gave 0.1764 for
    0.14406 (the restored entry read as if the write had not happened)."""
    x = np.array([0.3, 0.7, -0.4])
    _, pullback = s2s.vjp(written_then_rebound_vector)(x)
    seed = np.array([1.0, 0.0, 0.0])
    first = pullback(seed)
    np.testing.assert_array_equal(pullback(seed), first)
    expected = s2s.jacobian(written_then_rebound_vector, mode="forward")(x)
    np.testing.assert_allclose(first, expected[0], rtol=1e-12)
    rows = s2s.jacobian(written_then_rebound_vector, mode="reverse")(x)
    np.testing.assert_allclose(rows, expected, rtol=1e-12, atol=1e-15)


def scalar_written_then_rebound(t):
    y = np.array([t, 2.0 * t, t * t])
    y[0] = np.sin(t) ** 2
    y = y * t
    return np.sum(y**2)


def scalar_euler_steps(t):
    y = np.array([t, 0.5, 1.0])
    for _ in range(3):
        dy = np.zeros_like(y)
        dy[0] = y[1]
        dy[1] = -np.sin(y[0]) * y[2]
        dy[2] = y[0] * y[1]
        y = y + 0.1 * dy
    return np.sum(y**2)


def scalar_rows_cosine_squared(t):
    s = np.zeros(3)
    for row in np.array([[t, 2 * t, 3 * t], [t * t, t, 1.0]]):
        s = s + np.cos(row) ** 2
    return np.sum(s)


@pytest.mark.parametrize(
    "f", [scalar_written_then_rebound, scalar_euler_steps, scalar_rows_cosine_squared]
)
def test_grad_of_grad_of_a_function_of_a_scalar(f):
    derivative = s2s.grad(f)
    second = s2s.grad(derivative)(0.3)
    expected = along(derivative, 0.3, 1.0, 1e-5)
    np.testing.assert_allclose(second, expected, rtol=1e-7, atol=1e-9)


def rows_cosine_squared(x):
    s = np.zeros(3)
    for row in x:
        s = s + np.cos(row) ** 2
    return np.sum(s)


def indexed_sine_squared(x):
    s = np.zeros(3)
    for i in range(3):
        s = s + np.sin(x[i]) ** 2
    return np.sum(s)


def rows_exponential_scaled(x):
    s = np.zeros(3)
    for row in x:
        s = s + np.exp(row) * 3.0
    return np.sum(s)


def sine_of_a_product_squared(x):
    s = np.zeros(3)
    for i in range(3):
        s = s + np.sin(x[i] * x[2 - i]) ** 2
    return np.sum(s)


def rows_tanh_twice(x):
    s = np.zeros(3)
    for i in range(x.shape[0]):
        s = s + np.tanh(x[i]) * 2.0 + 1.0
    return np.sum(s**2)


def rows_chained(x):
    y = x[0]
    for row in x:
        y = y * np.cos(row) ** 2
    return np.sum(y)


def rebound_sine_squared(x):
    for _ in range(3):
        x = np.sin(x) ** 2
    return np.sum(x)


def sum_of_scaled_sines(x):
    s = np.zeros(x.shape[1])
    for i in range(3):
        s = s + np.sin(x[i] * i) ** 2
    return np.sum(s)


LOOPS = [
    ("rows: s + cos(row) ** 2", rows_cosine_squared, True),
    ("indexed: s + sin(x[i]) ** 2", indexed_sine_squared, True),
    ("rows: s + exp(row) * 3", rows_exponential_scaled, True),
    ("indexed: s + sin(x[i] * x[2 - i]) ** 2", sine_of_a_product_squared, False),
    ("indexed: s + tanh(x[i]) * 2 + 1", rows_tanh_twice, False),
    ("rows: y * cos(row) ** 2", rows_chained, False),
    ("x = sin(x) ** 2", rebound_sine_squared, False),
    ("s + sin(x[i] * i) ** 2", sum_of_scaled_sines, True),  # x[i] * i recomputed
]


@pytest.mark.parametrize("f, wrote_into", [pytest.param(*c[1:], id=c[0]) for c in LOOPS])
def test_second_order_of_loops_recomputing_values(f, wrote_into):
    x = RNG.normal(size=(3, 3))
    gradient = s2s.grad(f)
    gradient(x)
    again = gradient.differentiable_generated({"x": x}).compiled.source
    assert "out=" not in again
    assert ("out=" in gradient.source) is wrote_into  # first order still writes into it
    _second_order_agrees(f, x)
