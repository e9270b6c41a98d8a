"""Straight-line code around branches and loops (``s2s/codegen/straight.py``): only the regions
inside them use the tape; the statements around them get shape records, masks computed in the
primal sweep and ``del`` after a last read, as in a function without control flow. Each
derivative agrees with central differences in every reverse mode, a pullback gives the same
twice, and the second order (reverse over reverse, forward over reverse) holds.
"""

import numpy as np
import pytest
from gradcheck import check_against_differences as check

import s2s

RNG = np.random.default_rng(7)
W, X = RNG.normal(size=(3, 4)), RNG.normal(size=(5, 3))


def around_a_branch(w, x, flag):
    z = x @ w
    shifted = z - np.max(z, axis=1, keepdims=True)
    if flag:
        h = np.maximum(shifted, -0.5)
    else:
        h = np.tanh(shifted)
    out = h * np.sum(z, axis=0)
    return np.sum(out * out)


def around_a_loop(w, x, n):
    z = np.tanh(x @ w)
    m = np.max(z, axis=1, keepdims=True)
    h = z - m
    for _ in range(n):
        h = np.sin(h) * 0.9
    return np.sum(h * m) + np.mean(z * z)


CASES = [
    pytest.param(around_a_branch, True, id="branch taken"),
    pytest.param(around_a_branch, False, id="branch not taken"),
    pytest.param(around_a_loop, 2, id="two trips"),
    pytest.param(around_a_loop, 0, id="no trip"),
]


@pytest.mark.parametrize("f, last", CASES)
def test_gradients_agree_with_differences(f, last):
    check(f, W, X, last, wrt=(0, 1))


@pytest.mark.parametrize("f, last", CASES)
def test_a_pullback_called_twice_gives_the_gradient_twice(f, last):
    value, pullback = s2s.vjp(f, wrt=(0, 1))(W, X, last)
    first = pullback(1.0)
    second = pullback(1.0)
    expected = s2s.grad(f, wrt=(0, 1))(W, X, last)
    assert value == pytest.approx(f(W, X, last), rel=1e-12)
    for a, b, c in zip(first, second, expected, strict=True):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_allclose(a, c, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("f, last", CASES)
def test_second_order(f, last):
    s2s.check_grad(f, W, X, last, wrt=(0, 1), modes=("rev", "fwd"), order=2)


def deleted(lines):
    """The names the ``del`` statements of ``lines`` free."""
    return {
        n.strip()
        for line in lines
        if line.strip().startswith("del ")
        for n in line.strip()[4:].split(",")
    }


def test_the_code_around_a_branch_is_written_as_straight_line_code():
    """The max's tie mask is computed in the primal sweep, which frees ``max_1`` and ``z``
    with ``del`` (the adjoint keeps ``z``'s shape record); the adjoint frees its temporaries
    so too; each arm binds ``h`` first, so nothing is saved for it."""
    derivative = s2s.grad(around_a_branch, wrt=(0, 1))
    derivative(W, X, False)
    primal, adjoint = derivative.source.split("# adjoint sweep")
    assert "mask_1 = _s2s.extremum_mask(z, max_1, 1, True)" in primal
    assert "z_like = _s2s.like(z)" in primal
    assert {"max_1", "z"} <= deleted(primal.splitlines())
    assert {"d_out", "d_sum_1", "z_like", "mask_1"} <= deleted(adjoint.splitlines())
    assert "tape.append(None)" not in primal


def test_a_value_read_in_or_after_the_loop_is_not_freed_before_it():
    """``z`` and ``m`` are read after the loop: only ``matmul_1`` is deleted before it; the
    loop's own ``h`` is never deleted (a trip may not run), and ``m`` is once its last reader
    ran."""
    derivative = s2s.grad(around_a_loop, wrt=(0, 1))
    derivative(W, X, 3)
    lines = derivative.source.splitlines()
    loop = next(i for i, line in enumerate(lines) if line.strip() == "for _ in range(n):")
    assert deleted(lines[:loop]) == {"matmul_1"}
    assert "h" not in deleted(lines)
    assert {"m", "z", "mask_1"} <= deleted(lines)
