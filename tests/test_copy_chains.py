"""Copy chains and bookkeeping a hand-writer would not write (fresh-77 D6): a scaling in a
branch arm or a loop's trip is ``d_big = d_big * 2`` (not a copy into a temporary, a release
and a copy back); a ``while`` loop whose final test has no adjoint pushes and pops no count of
tests; an int counter's ``k += 1`` stays ``k += 1``."""

from __future__ import annotations

import numpy as np
from gradcheck import numeric_gradient

import s2s


def scaled_in_arm(x, w, c):
    big = x @ w
    if c > 0:
        big = big * 2
    z = np.tanh(big)
    return np.sum(z ** 2)


def while_mean(x, w, n):
    k = 0
    while k < n:
        w = w * 0.5 + np.sin(w)
        k += 1
    return np.sum(x * w)


def _adjoint(source: str) -> str:
    return source[source.index("# adjoint sweep"):]


def test_a_scaling_in_an_arm_rebinds_its_cotangent():
    x, w = np.array([0.3, -0.5, 0.8]), np.array([[0.2, -0.1, 0.4], [0.3, 0.5, -0.2],
                                                  [-0.6, 0.1, 0.7]])  # fmt: skip
    for c in (1.0, -1.0):
        g = s2s.grad(scaled_in_arm, wrt=(0, 1))
        gx, gw = g(x, w, c)
        np.testing.assert_allclose(gx, numeric_gradient(scaled_in_arm, (x, w, c), 0), rtol=1e-6)
        np.testing.assert_allclose(gw, numeric_gradient(scaled_in_arm, (x, w, c), 1), rtol=1e-6)
    adjoint = _adjoint(g.source)
    assert "d_big = d_big * 2" in adjoint, adjoint
    assert "d_multiply_1" not in adjoint  # was d_multiply_1 = d_big; d_big = None; ...


def test_a_while_loop_keeps_no_test_count_nobody_reads_and_counts_with_plus_equals():
    x, w = np.array([1.0, 2.0, 3.0]), np.array([0.5, -1.0, 2.0])
    g = s2s.grad(while_mean, wrt=1)
    for n in (0, 1, 3):
        np.testing.assert_allclose(g(x, w, n), numeric_gradient(while_mean, (x, w, n), 1),
                                   rtol=1e-6)  # fmt: skip
    source = g.source
    assert "tests_" not in source and "> trips_" not in source, source  # was `if tape.pop() >
    # trips_2: pass`, with `tests_1 = 0`, `tests_1 += 1` and its push in the primal sweep
    assert "k += 1" in source and "augmented" not in source, source
    trip = _adjoint(source).split("for step_1 in range(trips_2):")[1]
    assert "d_w = " in trip and "d_add_1 =" not in trip, trip  # no copy of d_w per trip
