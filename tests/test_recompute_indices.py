"""Recompute instead of store, from a loop's index and loop-invariant names: ``y = x * i``
(``i`` a ``for`` loop's index, or that of a loop around it), ``y = w * i + c`` (``w``, ``c``
bound once outside every loop), a ``while`` loop's ``y = x * 2.0`` (made once), ``y = x * k``
(``k`` a counter: its old values come back from the tape), and what stays
on the tape: a value a trip reads before assigning it, a matrix product, a value of an array
some write may reach (s2s/reverse/taping.py, the rule of choice).

Each function is checked against central differences at first order, and its Hessian
(``s2s.hessian``), Hessian-vector product (``s2s.hvp``) and gradient of its gradient against
central differences of the gradient; the tape by the generated source; memory by
tracemalloc's peak, never by time.
"""

import tracemalloc

import numpy as np
import pytest
from gradcheck import check_every_order

import s2s

RNG = np.random.default_rng(12)


def by_index(x):
    s = 0.0
    for i in range(5):
        y = x * i
        s = s + np.sum(np.sin(y))
    return s


def invariant_locals(x):
    w = np.exp(x)
    c = 0.5
    s = 0.0
    for i in range(4):
        y = w * i + c
        s = s + np.sum(np.sin(y) * y)
    return s


def outer_index(x):
    s = 0.0
    for j in range(3):
        for i in range(3):
            y = np.cos(x * j) * i
            s = s + np.sum(np.tanh(y))
    return s


def rows(x, a):
    s = 0.0
    for r in a:
        y = np.sin(x * r)
        s = s + np.sum(y * y)
    return s


def while_invariant(x):
    s = 0.0
    k = 0
    while k < 3:
        y = x * 2.0
        s = s + np.sum(np.sin(y) * k)
        k = k + 1
    return s


def while_counter(x):
    s = 0.0
    k = 0
    while k < 3:
        y = x * k  # k's value here comes back when k = k + 1 is undone
        s = s + np.sum(np.sin(y))
        k = k + 1
    return s


def counter_first(x):
    s = 0.0
    k = 0
    while k < 3:
        k = k + 1
        y = np.cos(x * k)
        s = s + np.sum(np.sin(y))
    return s


def float_counter(x):
    s = 0.0
    t = 0.0
    while t < 1.0:
        y = np.sin(x * t) + t
        s = s + np.sum(y * y)
        t = t + 0.25
    return s


def counter_rebound_after(x):
    s = 0.0
    k = 0
    while k < 3:
        y = x * k
        s = s + np.sum(np.sin(y))
        k = k + 1
    k = 10  # undone before the reversed trips read k
    return s + np.sum(x * k)


def for_counter(x, n):
    s = 0.0
    m = 1.0
    for _ in range(n):
        y = np.tanh(x * m)
        s = s + np.sum(y)
        m = m * 1.5
    return s


def counter_in_an_outer_loop(x):
    s = 0.0
    for j in range(3):
        k = 0
        while k < 2:
            y = np.sin(x * (k + j))
            s = s + np.sum(y * y)
            k = k + 1
    return s


def read_after_the_counter_changes(x):
    s = 0.0
    k = 0
    while k < 3:
        y = x * k
        k = k + 1
        s = s + np.sum(np.sin(y))  # no place in the reversed trip has both y's k and y's reader
    return s


def read_before_assigned(x, c):
    s = 0.0
    for i in range(4):
        if i > 0:
            s = s + np.sum(np.sin(y))  # noqa: F821 (the trip before's y)
        y = x * c[i]  # noqa: F841 (read by the next trip)
    return s


def read_after_inner_loop(x, c):
    s = 0.0
    for j in range(3):
        for i in range(3):
            y = x * c[i] * j
            s = s + np.sum(np.sin(y))
        s = s + np.sum(y * y)  # the inner loop's last y, for this j
    return s


def products(x, m):
    s = 0.0
    for i in range(3):
        y = m @ (x * i)
        s = s + np.sum(np.sin(y))
    return s


def written_view(x):
    a = x * 2.0
    w = a[1:]
    s = 0.0
    for i in range(3):
        y = w * i
        s = s + np.sum(np.sin(y))
    a[0] = 3.0  # a write into w's array: w's values are not provably the same throughout
    return s + np.sum(a)


X = RNG.normal(size=4)
C = RNG.normal(size=4)
RECOMPUTED = [
    ("the loop's index", by_index, (X,), {"y"}),
    ("names bound once outside loops", invariant_locals, (X,), {"y", "sin_1"}),
    ("the index of a loop around", outer_index, (X,), {"cos_1", "tanh_1"}),
    ("rows of an argument", rows, (X, RNG.normal(size=(3, 1))), {"multiply_1"}),
    ("a while loop's invariant value", while_invariant, (X,), {"y"}),
    ("a while loop's counter", while_counter, (X,), {"y"}),
    ("a counter changed first", counter_first, (X,), {"multiply_1", "y"}),
    ("a float counter", float_counter, (X,), {"sin_1", "y"}),
    ("a counter rebound after the loop", counter_rebound_after, (X,), {"y"}),
    ("a for loop's counter", for_counter, (X, 4), {"y"}),
    ("a counter in an outer loop", counter_in_an_outer_loop, (X,), {"y"}),
]
TAPED = [
    ("read before assigned in a trip", read_before_assigned, (X, C)),
    ("read after the inner loop, in the outer", read_after_inner_loop, (X, C)),
    ("a matrix product", products, (X, RNG.normal(size=(4, 4)))),
    ("read after the counter changes", read_after_the_counter_changes, (X,)),
    ("an array a write reaches", written_view, (X,)),
]


@pytest.mark.parametrize("f, args, names", [pytest.param(*c[1:], id=c[0]) for c in RECOMPUTED])
def test_values_of_live_names_are_recomputed_at_every_order(f, args, names):
    check_every_order(f, *args)
    source = s2s.grad(f).source
    head = "# recomputed, not taped: "
    lines = [line.strip() for line in source.splitlines() if head in line]
    recomputed = {n for line in lines for n in line[len(head) :].split(", ")}
    assert names <= recomputed
    assert "tape.append(y)" not in source and "y = tape.pop()" not in source


@pytest.mark.parametrize("f, args", [pytest.param(*c[1:], id=c[0]) for c in TAPED])
def test_values_not_provably_the_same_stay_taped_at_every_order(f, args):
    check_every_order(f, *args)
    source = s2s.grad(f).source
    assert "tape.append(y)" in source and "y = tape.pop()" in source


def test_the_tape_of_a_loop_over_its_index_stays_small():
    """64 trips over an array of 10^5 floats: the gradient keeps a few arrays of its size
    alive (3 when measured), not one per trip (67 with ``y`` and ``sin(y)`` taped)."""

    def long(x):
        s = 0.0
        for i in range(64):
            y = x * i
            s = s + np.sum(np.sin(y))
        return s

    x = RNG.normal(size=100_000)
    derivative = s2s.grad(long)
    derivative(x)
    tracemalloc.start()
    derivative(x)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 8 * x.nbytes
