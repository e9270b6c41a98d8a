"""Repeated arithmetic of the adjoint sweep computed once (s2s/codegen/common.py).

Each derivative is checked against central differences and against the same derivative with
the pass switched off: sharing an identical expression must give the same bits and dtypes, in
float64 and float32, in straight-line code, loops and branches.
"""

import re

import gast
import numpy as np
import pytest
from gradcheck import check_against_differences as check
from gradcheck import gradient_without

import s2s
import s2s.api
import s2s.reverse.entry
from s2s.codegen.common import share_common_subexpressions
from s2s.codegen.emit import to_source
from s2s.codegen.ir import NameAllocator
from s2s.codegen.sweeps import Block

RNG = np.random.default_rng(12)
# np.arctan's partial 1 / (1 + s * s): each use divides by `1 + s * s` (a partial `1 / e` is
# written `g / e`, so `1 / s` itself is no longer repeated)
DENOMINATOR = re.compile(r"(?<![\w.])1 \+ s \* s\b")


def kalman(logq, logr, ys):
    """A Kalman-like loop whose three lines each scale by np.arctan(s)."""
    q = np.exp(logq)
    r = np.exp(logr)
    m = 0.0
    p = 1.0
    nll = 0.0
    for t in range(8):
        p = p + q
        s = p + r
        v = ys[t] - m
        nll = nll + np.log(s) + v * v * np.arctan(s)
        m = m + p * np.arctan(s) * v
        p = p - p * p * np.arctan(s)
    return 0.5 * nll


def branches(a, b, xs):
    acc = a * 0.0
    for t in range(6):
        s = a * a + xs[t] * xs[t] + 1.0
        if xs[t] > 0:
            acc = acc + a * np.arctan(s) + b * np.arctan(s)
        else:
            acc = acc + b * b * np.arctan(s) - a * np.arctan(s)
    return acc


def straight(x, y):
    s = x * x + 1.0
    u = x * np.arctan(s)
    w = y * np.arctan(s)
    return np.sum(u * w + u - np.exp(y) * w)


CASES = [
    (kalman, lambda dt: (np.array(-1.0, dt), np.array(-0.5, dt),
                         np.cumsum(RNG.standard_normal(8)).astype(dt)), (0, 1)),
    (branches, lambda dt: (np.array(0.7, dt), np.array(-0.3, dt),
                           RNG.standard_normal(6).astype(dt)), (0, 1)),
    (straight, lambda dt: (RNG.normal(size=5).astype(dt), RNG.normal(size=5).astype(dt)), (0, 1)),
]  # fmt: skip


def without_pass(monkeypatch, f, wrt, args):
    return gradient_without(monkeypatch, s2s.reverse.entry, "share_common_subexpressions", f, wrt,
                            args)  # fmt: skip


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("f, make, wrt", CASES, ids=[c[0].__name__ for c in CASES])
def test_shared_subexpressions_give_the_same_bits(monkeypatch, f, make, wrt, dtype):
    args = make(dtype)
    # central differences in float64 (in float32 their rounding error is too large to judge)
    expected = check(f, *(np.asarray(a, np.float64) for a in args), wrt=wrt)
    before, old_source = without_pass(monkeypatch, f, wrt, args)
    derivative = s2s.grad(f, wrt=wrt)
    after = derivative(*args)
    for a, b, c in zip(before, after, expected, strict=True):
        assert a.dtype == b.dtype == dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)
        np.testing.assert_allclose(b, c, rtol=1e-6 if dtype == np.float64 else 1e-4, atol=1e-6)
    if dtype == np.float64 or f is straight:  # (float32 scalars mixed with Python floats
        # take the general path, whose partials sit in separate `is not None` arms)
        assert derivative.source != old_source  # the pass shared something here
        assert "common = 1 + s * s" in derivative.source


def test_the_kalman_loop_computes_the_denominator_once_per_trip():
    derivative = s2s.grad(kalman, wrt=(0, 1))
    derivative(*CASES[0][1](np.float64))
    adjoint = derivative.source.split("# adjoint sweep")[1]
    assert len(DENOMINATOR.findall(adjoint)) == 1  # three times without: once per partial
    loop = adjoint.split("for t in range(8 - 1")[1]
    assert "common = 1 + s * s" in loop and "common = None" in loop  # released


def test_straight_code_frees_the_temporary_after_its_last_read():
    derivative = s2s.grad(straight, wrt=(0, 1))
    derivative(*CASES[2][1](np.float64))
    adjoint = derivative.source.split("# adjoint sweep")[1]
    assert len(DENOMINATOR.findall(adjoint)) == 1
    assert "del common" in adjoint


def shared(code: str) -> str:
    body = gast.parse(code).body
    names = {n.id for n in gast.walk(gast.Module(body=body, type_ignores=[]))
             if isinstance(n, gast.Name)}  # fmt: skip
    blocks = [Block(None, body)]
    share_common_subexpressions(blocks, NameAllocator(names))
    return "\n".join(to_source(stmt, False) for stmt in blocks[0].body)


def test_a_call_handed_an_operand_ends_the_run():
    text = shared("d_a = g * (1 / s)\n_s2s.restore(s, k)\nd_c = g * (1 / s)")
    assert text.count("1 / s") == 2 and "reciprocal" not in text


def test_a_store_into_an_item_ends_the_run():
    text = shared("d_a = g * (1 / s)\nd_x[0] = 2.0\nd_c = g * (1 / s)")
    assert text.count("1 / s") == 2


def test_a_rebound_operand_ends_the_run():
    text = shared("d_a = g * (1 / s)\ns = tape.pop()\nd_c = g * (1 / s)")
    assert text.count("1 / s") == 2
    text = shared("d_a = g * (1 / s)\nd_b += g\nd_c = g * (1 / s)")  # (d_b is no operand)
    assert text.count("1 / s") == 1 and text.count("g * reciprocal_s") == 2
    text = shared("d_a = g * (1 / s)\ng += d_b\nd_c = g * (1 / s)")
    assert text.count("1 / s") == 1  # `1 / s` is shared, `g * (1 / s)` is not
    assert "g * reciprocal_s" in text and text.count("g * reciprocal_s") == 2


def test_a_whole_value_is_not_shared():
    """``d_a = 1 / s`` would alias the temporary; ``d_a += g`` would then write into it."""
    text = shared("d_a = 1 / s\nd_a += g\nd_c = g * (1 / s)")
    assert "reciprocal" not in text


def test_nothing_is_hoisted_out_of_a_branch_arm():
    text = shared("if c:\n    d_a = g * (1 / s)\nd_c = g * (1 / s)\nd_e = h * (1 / s)")
    assert text.splitlines()[1] == "    d_a = g * (1 / s)"  # the arm keeps its own division
    assert text.count("reciprocal_s") == 3


def test_the_largest_repeated_expression_is_shared():
    text = shared("d_a = c * (g * (1 / s))\nd_b = e * (g * (1 / s))\nd_c = h * (1 / s)")
    assert "g_times_reciprocal_s = g * reciprocal_s" in text
    assert text.count("1 / s") == 1


def test_a_ufunc_call_is_shared_and_other_calls_are_not():
    text = shared("d_a = g * _np.exp(x)\nd_b = h * _np.exp(x)\nd_c = g * f(x)\nd_d = h * f(x)")
    assert text.count("_np.exp(x)") == 1 and "exp_x = _np.exp(x)" in text
    assert text.count("f(x)") == 2


def test_a_pullback_shares_too_and_agrees_with_grad():
    args = CASES[0][1](np.float64)
    derivative = s2s.vjp(kalman, wrt=(0, 1))
    value, pullback = derivative(*args)
    got = pullback(np.float64(1.0))
    assert "common = 1 + s * s" in derivative.source
    want = s2s.grad(kalman, wrt=(0, 1))(*args)
    for a, b in zip(got, want, strict=True):
        np.testing.assert_array_equal(a, b)
    assert value == kalman(*args)


def test_a_name_that_would_start_with_a_digit():
    text = shared("d_a = g * (3 * c ** 2)\nd_b = h * (3 * c ** 2)\nd_c = g * (2 - c)\n"
                  "d_d = h * (2 - c)")  # fmt: skip
    assert "c_squared_times_3 = 3 * c ** 2" in text and "common = 2 - c" in text
    compile(text, "<shared>", "exec")
