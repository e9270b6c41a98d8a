"""Write-backs: ``y[1:] = tape.pop()`` puts back the entries a write outside loops and
branches destroyed. It stays where a statement after it in the adjoint sweep reads ``y``'s
values, or those of a view taken before the write (its adjoint reads the old values through
the view), and goes, with its push, where nothing reads them (s2s/codegen/restores.py,
``drop_unread_write_backs``).

Each function is checked against central differences at first and second order (hessian,
hvp, grad of grad); the view cases fail at first order if their restore is dropped.
"""

import numpy as np
import pytest
from gradcheck import check_every_order, gradient_without

import s2s
import s2s.codegen.restores
import s2s.reverse.entry

RNG = np.random.default_rng(77)


def unread(x):
    y = np.sin(x)
    y[1:] = x[1:] * 2.0
    return np.sum(y * y)


def read_by_its_own_value(x):
    y = np.sin(x)
    y[1:] = y[1:] * 2.0
    return np.sum(y * y)


def loop_after(x):
    y = np.sin(x)
    y[0] = 0.5
    s = 0.0
    for i in range(3):
        s = s + np.sum(np.tanh(y * i))
    return s


def view_before(x):
    y = np.sin(x)
    v = y[1:]
    s = np.sum(v * v)  # its adjoint reads v: y's entries before the write
    y[1:] = x[1:] * 2.0
    return s + np.sum(y * y)


def view_of_a_view(x):
    y = np.sin(x)  # (np.exp's adjoint would read y itself)
    v = y[1:]
    w = v[::2]
    s = np.sum(np.sin(w))
    y[1:] = x[1:] ** 2
    return s + np.sum(y)


def array_before(x):
    y = np.sin(x)
    s = np.sum(np.cos(y))  # its adjoint reads y itself
    y[:2] = x[:2] * 3.0
    return s + np.sum(y * y)


def loop_before(x):
    y = np.sin(x)
    s = 0.0
    for i in range(3):
        s = s + np.sum(y * y) * i  # its adjoint reads y in every reversed trip
    y[0] = 0.5
    return s + np.sum(y * y)


def loop_before_reading_outputs(x):
    y = np.sin(x)
    s = 0.0
    for i in range(3):
        s = s + np.sum(np.tanh(y * i))  # its adjoint reads tanh's output, not y
    y[0] = 0.5
    return s + np.sum(y * y)


DROPPED = [unread, read_by_its_own_value, loop_after, loop_before_reading_outputs]
KEPT = [view_before, view_of_a_view, array_before, loop_before]


@pytest.mark.parametrize("f", DROPPED, ids=lambda f: f.__name__)
def test_a_write_back_nothing_reads_goes_with_its_push(f):
    x = RNG.normal(size=5)
    check_every_order(f, x)
    source = s2s.grad(f).source
    assert "] = tape.pop()" not in source and "_s2s.overwritten(" not in source


@pytest.mark.parametrize("f", KEPT, ids=lambda f: f.__name__)
def test_a_write_back_a_view_or_the_array_reads_stays(f):
    x = RNG.normal(size=5)
    check_every_order(f, x)
    source = s2s.grad(f).source
    assert "] = tape.pop()" in source and "_s2s.overwritten(" in source


def test_the_pass_changes_the_source_not_the_gradient(monkeypatch):
    x = RNG.normal(size=5)
    before, kept = gradient_without(monkeypatch, s2s.reverse.entry, "drop_unread_write_backs",
                                    unread, 0, (x,))  # fmt: skip
    assert "y[1:] = tape.pop()" in kept
    np.testing.assert_allclose(s2s.grad(unread)(x), before, rtol=1e-15)
