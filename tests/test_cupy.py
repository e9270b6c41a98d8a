"""Derivatives of CuPy arrays on a GPU: every rule row, control flow, and no device-to-host copy.

Skipped unless CuPy imports and a CUDA device is present. Run on a GPU machine with

    pytest -q tests/test_cupy.py            # or: bash benchmarks/gpu_check.sh

Every rule row (``tests/rows/``) runs with its float arrays on the GPU and must give CuPy
gradients of the inputs' shapes and dtypes, equal to numpy's to 1e-10. "No host transfer" is
checked with a busy stream: a kernel that spins for a fraction of a second is queued first,
and the derivative must return while the stream is still busy (a device-to-host copy waits for
the stream to drain; CuPy 14's ``cupyx.allow_synchronize`` no longer detects anything).
"""

from __future__ import annotations

import time

import gradcheck as gc
import numpy as np
import pytest
import rows

import s2s

cupy = pytest.importorskip("cupy")
try:
    if cupy.cuda.runtime.getDeviceCount() < 1:
        pytest.skip("no CUDA device", allow_module_level=True)
except Exception as exc:  # noqa: BLE001 - CUDA missing: CUDARuntimeError and friends
    pytest.skip(f"no usable CUDA device: {exc}", allow_module_level=True)


def to_gpu(value):
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return cupy.asarray(value)
    if isinstance(value, tuple):
        return tuple(to_gpu(v) for v in value)
    return value


def to_host(value):
    if isinstance(value, cupy.ndarray):
        return cupy.asnumpy(value)
    if isinstance(value, tuple):
        return tuple(to_host(v) for v in value)
    return value


_SPIN = None


def _spin(seconds: float) -> bool:
    """Queue a kernel that keeps the current stream busy for ``seconds``; False if it cannot
    be compiled here."""
    global _SPIN
    if _SPIN is None:
        try:
            _SPIN = cupy.RawKernel(
                r"""
                extern "C" __global__ void spin(long long cycles) {
                    long long start = clock64();
                    while (clock64() - start < cycles) { }
                }""",
                "spin",
            )
            _SPIN((1,), (1,), (np.int64(1),))
            cupy.cuda.Device().synchronize()
        except Exception:  # noqa: BLE001 - no NVRTC: the busy-stream check cannot run
            _SPIN = False
    if _SPIN is False:
        return False
    try:
        rate = cupy.cuda.runtime.deviceGetAttribute(cupy.cuda.runtime.cudaDevAttrClockRate, 0)
    except Exception:  # noqa: BLE001 - an attribute this CUDA dropped: assume 2 GHz
        rate = 2_000_000
    _SPIN((1,), (1,), (np.int64(seconds * rate * 1e3),))
    return True


def host_waits(call, seconds: float = 0.05):
    """Whether ``call()`` waits for the GPU (a synchronization: any device-to-host copy waits
    for the stream to drain). A kernel spinning for ``seconds`` is queued first: a call that
    returns while it still holds the stream did not wait (``False``); one after which the
    stream has drained did (``True``); ``None`` when this cannot be told (no compiler for the
    kernel, or a call that takes that long by itself)."""
    cupy.cuda.Device().synchronize()
    start = time.perf_counter()
    call()
    alone = time.perf_counter() - start
    cupy.cuda.Device().synchronize()
    if alone > 0.25 * seconds or not _spin(seconds):
        return None
    stream = cupy.cuda.get_current_stream()
    call()
    busy = not stream.done
    cupy.cuda.Device().synchronize()
    return not busy


def stays_on_device(fn, *args):
    """Call ``fn(*args)`` (generating and compiling), then check that it does not wait for the
    GPU; returns its result."""
    result = fn(*args)
    waits = host_waits(lambda: fn(*args), seconds=0.5)
    if waits is None:
        pytest.skip("the busy-stream check cannot run here (no kernel compiler)")
    assert not waits, "the derivative waited for the GPU: a device-to-host copy or a sync"
    return result


def close(got, expected, what):
    got, expected = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    assert got.shape == expected.shape, f"{what}: shape {got.shape}, not {expected.shape}"
    scale = max(1.0, float(np.max(np.abs(expected), initial=0.0)))
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-10 * scale, err_msg=what)


# -- every rule row ---------------------------------------------------------------------------


def _plain(row, gargs):
    """The exception the plain function raises on the GPU arguments, or ``None``."""
    try:
        with np.errstate(all="ignore"):
            row.fn(*gargs)
    except Exception as exc:  # noqa: BLE001
        return exc
    return None


@pytest.mark.parametrize("row", [pytest.param(r, id=r.id) for r in rows.USER_FACING])
def test_rule_on_cupy(row):
    """The row's vjp on the GPU: CuPy gradients equal to numpy's, and, where the plain
    function runs without waiting for the GPU, no wait in the derivative either."""
    rng, args = row.draw()
    with np.errstate(all="ignore"):
        value, pullback = s2s.vjp(row.fn, wrt=row.wrt)(*args)
        ct = (
            tuple(gc.random_like(rng, v) for v in value)
            if isinstance(value, tuple)
            else gc.random_like(rng, value)
        )
        expected = pullback(ct)
    gargs = [to_gpu(a) for a in args]
    plain = _plain(row, gargs)
    if plain is not None:
        pytest.skip(f"the plain function does not run on CuPy: {plain!r}")
    derivative = s2s.vjp(row.fn, wrt=row.wrt)
    gct = to_gpu(ct)

    def run():
        with np.errstate(all="ignore"):
            gvalue, gpullback = derivative(*gargs)
            return gvalue, gpullback(gct)

    gvalue, grads = run()
    for i, g in zip(row.wrt, grads):
        if isinstance(gargs[i], cupy.ndarray):
            assert isinstance(g, cupy.ndarray), f"gradient of argument {i} left the GPU"
            assert g.shape == gargs[i].shape and g.dtype == gargs[i].dtype
    if host_waits(lambda: row.fn(*gargs)) is False:  # the plain function stays on the GPU
        assert host_waits(run) is not True, f"{row.id}: the derivative waited for the GPU"
    got = to_host(gvalue)
    pairs = zip(
        got if isinstance(value, tuple) else (got,), value if isinstance(value, tuple) else (value,)
    )
    if all(np.allclose(v, e, rtol=1e-10, atol=1e-10) for v, e in pairs):
        for i, g, e in zip(row.wrt, to_host(tuple(grads)), expected):
            close(g, e, f"{row.id}: gradient of argument {i}")
    else:  # cuSOLVER chose other signs of singular or eigenvectors than LAPACK: check the
        # GPU's own gradient against central differences of the GPU's own function
        directional_on_gpu(row, gargs, grads, ct, rng)


def directional_on_gpu(row, gargs, grads, ct, rng):
    """``<grads, v>`` against ``ct . (f(x + h v) - f(x - h v)) / 2h`` along a random ``v``,
    every value computed on the GPU (as tests/gradcheck.py does on the host)."""
    dirs = {}
    for i, sym in zip(row.wrt, row.sym):
        v = rng.standard_normal(np.shape(gargs[i]))
        dirs[i] = v + np.swapaxes(v, -1, -2) if sym else v

    def at(sign):
        moved = list(gargs)
        for i, v in dirs.items():
            moved[i] = gargs[i] + sign * row.h * cupy.asarray(v)
        with np.errstate(all="ignore"):
            return np.asarray(to_host(row.fn(*moved)), dtype=np.float64)

    ct = np.asarray(ct, dtype=np.float64)
    plus, minus = at(1.0), at(-1.0)
    fd = float(np.sum(ct * gc.quotient(plus, minus, row.h)))
    host_grads = to_host(tuple(grads))
    ad = sum(float(np.sum(host_grads[k] * dirs[i])) for k, i in enumerate(row.wrt))
    scale = (
        abs(ad)
        + abs(fd)
        + float(np.linalg.norm(ct)) * sum(float(np.linalg.norm(v)) for v in dirs.values())
    )
    noise = 64 * np.finfo(np.float64).eps * float(np.sum(np.abs(ct * plus))) / row.h
    assert abs(ad - fd) <= row.rtol * scale + noise, f"{row.id}: vjp {ad!r} vs differences {fd!r}"


# -- control flow and the transfer check ------------------------------------------------------


def _control_flow_cases():
    import test_control_flow as cf

    rng = np.random.default_rng(5)
    n = rng.normal
    return [
        ("branches", cf.branches, (n(size=3), 0.5), (0, 1)),
        ("early-return", cf.early_return, (n(size=3), -0.5), (0, 1)),
        ("rnn", cf.rnn, (n(size=3), n(size=3), n(size=(5, 3))), (0, 1, 2)),
        ("triangle", cf.triangle, (n(size=4), 4), (0,)),
        ("for-over-rows", cf.rows, (n(size=(3, 3)), n(size=3)), (0, 1)),
        ("loop-carried", cf.accumulate_parameter, (n(size=3), n(size=3)), (0, 1)),
        ("while", cf.grow, (np.abs(n(size=3)) + 0.5, 5.0), (0,)),
        ("break-continue", cf.jumps, (np.array([0.1, 0.9, 0.3]),), (0,)),
        ("choices", cf.choices, (n(size=3), 0.5), (0, 1)),
        ("nested-iteration", cf.nested_iteration, (n(size=(3, 2)), n(size=(3, 2))), (0, 1)),
        ("rnn-like", cf.rnn_like, (0.5 * n(size=(3, 3)), n(size=3), n(size=5)), (0, 1)),
        ("sometimes", cf.sometimes, (n(size=4), n(size=4)), (0, 1)),
    ]


@pytest.mark.parametrize("name, f, args, wrt", _control_flow_cases(), ids=lambda v: v)
def test_control_flow_on_cupy(name, f, args, wrt):
    """The control-flow tests' functions on the GPU: numpy's gradients to 1e-10 (a branch on
    data reads a value on the host, as the plain function does)."""
    expected = s2s.grad(f, wrt=wrt)(*args)
    got = s2s.grad(f, wrt=wrt)(*[to_gpu(a) for a in args])
    for i, g, e in zip(wrt, got, expected):
        if isinstance(args[i], np.ndarray):
            assert isinstance(g, cupy.ndarray)
        close(to_host(g), e, f"{name}: gradient of argument {i}")


def mlp_loss(w1, b1, w2, b2, x, y):
    h = np.tanh(x @ w1 + b1)
    z = h @ w2 + b2
    shifted = z - s2s.stop_gradient(z.max(axis=1, keepdims=True))
    logp = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(logp[np.arange(x.shape[0]), y])


def rnn_loss(wx, wh, b, xs):
    h = np.zeros((xs.shape[1], wh.shape[0]))
    for t in range(xs.shape[0]):
        h = np.tanh(np.dot(xs[t], wx) + np.dot(h, wh) + b)
    return np.sum(h * h)


def test_mlp_gradient_stays_on_the_gpu():
    rng = np.random.default_rng(0)
    args = [rng.normal(size=s) * 0.3 for s in [(8, 16), (16,), (16, 4), (4,), (32, 8)]]
    labels = rng.integers(0, 4, size=32)
    expected = s2s.grad(mlp_loss, wrt=(0, 1, 2, 3))(*args, labels)
    derivative = s2s.grad(mlp_loss, wrt=(0, 1, 2, 3))
    got = stays_on_device(derivative, *[to_gpu(a) for a in args], cupy.asarray(labels))
    for g, e in zip(got, expected):
        assert isinstance(g, cupy.ndarray)
        close(to_host(g), e, "mlp gradient")


def test_a_taped_loop_stays_on_the_gpu():
    rng = np.random.default_rng(1)
    args = [rng.normal(size=s) * 0.3 for s in [(3, 8), (8, 8), (8,), (12, 5, 3)]]
    expected = s2s.grad(rnn_loss, wrt=(0, 1, 2))(*args)
    derivative = s2s.grad(rnn_loss, wrt=(0, 1, 2))
    got = stays_on_device(derivative, *[to_gpu(a) for a in args])
    for g, e in zip(got, expected):
        close(to_host(g), e, "rnn gradient")


def test_the_transfer_check_can_fail():
    """A derivative that reads a value on the host is caught (the check is not vacuous)."""

    def reads_host(x):
        return np.sum(x * float(x[0]))

    x = cupy.arange(4.0)
    derivative = s2s.grad(reads_host)
    derivative(x)
    waits = host_waits(lambda: derivative(x), seconds=0.5)
    if waits is None:
        pytest.skip("the busy-stream check cannot run here (no kernel compiler)")
    assert waits, "float(x[0]) copies from the device, yet the check saw no wait"
