"""The adjoint of a line written as by hand (s2s/reverse/peephole.py): temporaries read once
substituted, negations moved into accumulations, powers of two folded into products.

Each derivative is checked against central differences, and against the same derivative with
the pass switched off: the rewritten code must give the same bits, in float64 and float32.
"""

import numpy as np
import pytest
from gradcheck import check_against_differences as check
from gradcheck import gradient_without

import s2s
import s2s.api
import s2s.pipeline

RNG = np.random.default_rng(11)


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def negations(x, y):
    return np.sum(-(x * y) + (-x) * 3.0 - y / (-x - 2.0) + 0.5 * -(x - y) ** 2)


def shared_operand(x, y):
    a = x * y
    b = -a
    return np.sum(b * a) + np.sum(a - 4.0 * b)


def with_integers(x, n):
    return np.sum(x * n * 2.0 + (x * x) * 4)


def huge(x):
    return np.sum(1e300 * x**2 + 3.0 * (x * 8.0) ** 2)


def tiny(x):
    return np.sum(-1e-300 * (2.0 * x) ** 2)


def sigmoid(z):
    return np.sum(1.0 / (1.0 + np.exp(-z)))


def absorbed(x, y):
    """A subtraction's partial read by two products (``d_x += t * y``, ``d_y += t * x`` with
    ``t = -(...)``), a square root's by an accumulation, a quotient's ``1 / e``."""
    return np.sum(np.sin(np.cos(x) - np.tanh(x * y)) + y / (1.0 + x * x) - np.sqrt(1.0 + y * y))


def gated_loop(w, x):
    """An LSTM-like gate in a loop: its trip's temporaries are rewritten inside the loop."""
    h = np.zeros(4)
    for t in range(3):
        z = x[t] * w + h
        gate = 1.0 / (1.0 + np.exp(-z))
        h = gate * np.tanh(z)
    return np.sum(h * h)


def tanh_while(x):
    """A trip whose cotangent is rebound from itself (``d_y = d_y * ...``): the release of
    ``d_y`` between its read and that binding goes, rather than moving after it."""
    y, n = x, 0
    while n < 3:
        y = np.tanh(y)
        n += 1
    return np.sum(y)


CASES = [
    (absorbed, lambda dt: (RNG.normal(size=6).astype(dt), RNG.normal(size=6).astype(dt)), (0, 1)),
    (rosenbrock, lambda dt: (RNG.uniform(-1.5, 1.5, 12).astype(dt),), (0,)),
    (negations, lambda dt: (RNG.uniform(0.5, 1.5, 6).astype(dt), RNG.normal(size=6).astype(dt)),
     (0, 1)),
    (shared_operand, lambda dt: (RNG.normal(size=5).astype(dt), RNG.normal(size=5).astype(dt)),
     (0, 1)),
    (with_integers, lambda dt: (RNG.normal(size=4).astype(dt), np.arange(4)), (0,)),
    (huge, lambda dt: (np.array([1.0, -2.0, 1e5, 1e-170], dt),), (0,)),
    (tiny, lambda dt: (np.array([1.0, -2.0, 1e-160, 3e-5], dt),), (0,)),
    (sigmoid, lambda dt: (RNG.normal(size=7).astype(dt),), (0,)),
    (gated_loop, lambda dt: (RNG.normal(size=4).astype(dt), RNG.normal(size=(3, 4)).astype(dt)),
     (0, 1)),
    (tanh_while, lambda dt: (RNG.normal(size=5).astype(dt),), (0,)),
]  # fmt: skip


def without_pass(monkeypatch, f, wrt, args):
    return gradient_without(monkeypatch, s2s.pipeline, "peephole", f, wrt, args, nan="ignore")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("f, make, wrt", CASES, ids=[c[0].__name__ for c in CASES])
def test_rewritten_adjoints_give_the_same_bits(monkeypatch, f, make, wrt, dtype):
    args = make(dtype)
    if dtype == np.float64 and f not in (huge, tiny):
        check(f, *args, wrt=wrt)
    before, old_source = without_pass(monkeypatch, f, wrt, args)
    derivative = s2s.grad(f, wrt=wrt, nan="ignore")
    with np.errstate(all="ignore"):
        after = derivative(*args)
    for a, b in zip(before, after, strict=True):
        assert a.dtype == b.dtype == dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)  # the same bits (NaNs in the same places)
        assert np.array_equal(np.signbit(a), np.signbit(b))
    if f in (rosenbrock, negations, sigmoid, absorbed) or (f is gated_loop and dtype == np.float64):
        assert derivative.source != old_source  # the pass changed something here
    if f is sigmoid:  # -(-(a * b)) of a new array is a * b
        assert "--" not in derivative.source and "-(-" not in derivative.source


def test_rosenbrock_reads_as_written_by_hand():
    derivative = s2s.grad(rosenbrock)
    derivative(RNG.normal(size=50))
    adjoint = derivative.source.split("# adjoint sweep")[1]
    assert "d_getitem" not in adjoint and "d_power" not in adjoint  # no temporaries
    assert "-d_" not in adjoint  # no negated array
    assert "200.0 * subtract_1" in adjoint  # 100.0 * (2 * ...) folded


def test_a_negated_temporary_read_twice_is_absorbed_by_its_reads():
    derivative = s2s.grad(absorbed, wrt=(0, 1))
    derivative(RNG.normal(size=6), RNG.normal(size=6))
    adjoint = derivative.source.split("# adjoint sweep")[1]
    assert "d_multiply_1 = d_subtract_2 * (1 - tanh_1 * tanh_1)" in adjoint  # not negated
    assert "d_x = d_x - d_multiply_1 * y" in adjoint and "d_y -= d_multiply_1 * x" in adjoint
    assert "d_y = -0.5 / sqrt_1 * (y + y)" in adjoint  # -(0.5 / s * e): into the number
    assert "* (1 /" not in adjoint and "filled" not in adjoint  # g * (1 / e) is g / e


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_gradients_computed_as_new_arrays_are_returned_as_is(dtype):
    """``d_x`` and ``d_y`` of ``absorbed`` are arithmetic of x's and y's proven shape and
    dtype, changed otherwise only in place: returned without ``_s2s.gradients``, each call's
    its own arrays, sharing memory with nothing."""
    x, y = RNG.normal(size=6).astype(dtype), RNG.normal(size=6).astype(dtype)
    d = s2s.grad(absorbed, wrt=(0, 1))
    first = d(x, y)
    assert "return d_x, d_y" in d.source and "_s2s.gradients" not in d.source
    expected = [g.copy() for g in first]
    for g, arg in zip(first, (x, y), strict=True):
        assert g.dtype == dtype and g.shape == arg.shape and g.flags.owndata
        assert not np.shares_memory(g, x) and not np.shares_memory(g, y)
    assert not np.shares_memory(first[0], first[1])
    second = d(x, y)
    for a, b, c in zip(first, second, expected, strict=True):
        assert not np.shares_memory(a, b)
        np.testing.assert_array_equal(b, c)
    loop = s2s.grad(lambda x: np.sum(np.sin(x)) + np.sum(x * x))  # (0-d: through the helper)
    loop(np.float64(0.5))
    assert "_s2s.gradient" in loop.source


def test_a_negated_name_is_not_moved_past_a_write_into_it():
    """``t = -u`` read twice: ``-u`` goes into the reads only where nothing between writes
    into ``u`` (``u[0] = 5.0`` keeps ``u`` bound to the same, changed, array)."""
    import gast

    from s2s.codegen.emit import to_source
    from s2s.reverse.peephole import _absorb_negations

    def absorbed_text(code):
        body = gast.parse(code).body
        reads, writes = {"t": 2, "u": 1}, {"t": 1, "u": 1}
        _absorb_negations(body, reads, writes, {"t", "u", "a", "b", "c"}, None)
        return "\n".join(to_source(stmt, False) for stmt in body)

    moved = absorbed_text("t = -u\nd_a = c + t * b\nd_b = c + t * a")
    assert moved == "d_a = c - u * b\nd_b = c - u * a"
    kept = absorbed_text("t = -u\nu[0] = 5.0\nd_a = c + t * b\nd_b = c + t * a")
    assert kept.startswith("t = -u\n")


def test_a_gradient_bound_otherwise_is_not_returned_as_is():
    """A fresh, proven assignment makes ``d_x`` returnable as is only while no other statement
    binds it: a tuple target, a loop target, a ``del``, or an assignment without the fact."""
    import gast

    from s2s.analysis.dtypes import VType
    from s2s.codegen.ir import NameAllocator
    from s2s.codegen.sweeps import Block, Sweeps
    from s2s.reverse.returned import returned_as_is
    from s2s.reverse.simplify import Arr

    def as_is(code):
        body = gast.parse(code).body
        for stmt in body:
            if isinstance(stmt, gast.Assign) and "fresh" in gast.dump(stmt.value):
                stmt.s2s_fact = Arr((3,), np.dtype(np.float64))
        sweeps = Sweeps([], [Block(None, body)], gast.Constant(0, None), gast.Constant(0, None),
                        [gast.Name("d_x", gast.Load(), None, None)], "seed", NameAllocator(set()),
                        set())  # fmt: skip
        returned_as_is(sweeps, ("x",), {"x": VType(kind="float", shape=(3,), dtype=np.float64)})
        return "d_x" in sweeps.as_is

    assert as_is("d_x = fresh * 2.0\nd_x += g\nd_x[0] = 1.0")
    assert not as_is("d_x = fresh * 2.0\nd_x, d_y = pair")
    assert not as_is("d_x = fresh * 2.0\nfor d_x in items:\n    pass")
    assert not as_is("d_x = fresh * 2.0\ndel d_x\nd_x = fresh * 3.0")
    assert not as_is("d_x = fresh * 2.0\nd_x = other")
    assert not as_is("d_x = fresh * 2.0\nd_x @= m")


def test_a_product_of_integers_is_not_folded():
    def f(x, n):
        return np.sum(x * (3 * (2 * n)))

    d = s2s.grad(f)
    n = np.array([2**62, 3])
    x = np.ones(2)
    np.testing.assert_array_equal(d(x, n), 3 * (2 * n))  # wraps as the primal does
    assert "6 * n" not in d.source


def test_a_buffer_returned_as_is_is_a_new_array_each_call():
    """Rosenbrock's ``d_x`` is returned without ``_s2s.gradient`` (a private zero buffer of
    x's dtype): each call's gradient is its own writable array, x untouched."""
    for dtype in (np.float64, np.float32):
        x = RNG.normal(size=20).astype(dtype)
        kept = x.copy()
        d = s2s.grad(rosenbrock)
        first = d(x)
        assert "return d_x" in d.source
        assert first.dtype == dtype and first.flags.writeable and first.flags.owndata
        expected = first.copy()
        first[:] = 0.0
        second = d(x)
        assert second is not first and not np.shares_memory(second, first)
        np.testing.assert_array_equal(second, expected)
        np.testing.assert_array_equal(x, kept)
    d = s2s.grad(rosenbrock)
    half = d(RNG.normal(size=20).astype(np.float16))  # a float32 buffer: cast, not as is
    assert half.dtype == np.float16


def test_a_loop_trip_adds_its_gate_without_a_negation():
    derivative = s2s.grad(gated_loop, wrt=(0, 1))
    derivative(RNG.normal(size=4), RNG.normal(size=(3, 4)))
    trip = derivative.source.split("# adjoint sweep")[1].split("for t in")[1]
    assert "-(" not in trip and "= -d_" not in trip and "+= -" not in trip, trip


def test_a_while_trip_keeps_its_cotangent():
    x = np.array([0.3, -0.5, 1.2])
    expected = np.ones(3)
    y = x
    for _ in range(3):
        y = np.tanh(y)
        expected = expected * (1 - y * y)
    np.testing.assert_allclose(s2s.grad(tanh_while)(x), expected, rtol=1e-14)
