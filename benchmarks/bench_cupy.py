"""Benchmark s2s gradients on CuPy against a hand-written CuPy gradient, JAX jit and PyTorch.

Six workloads, float64, on one GPU: an MLP 64-128-10 at batch 256 (softmax cross-entropy);
about 45 elementwise operations on size-10 arrays (a loop of 15 steps of three); an RNN of
50 steps with hidden size 32 (``np.dot``); 64 uses of a 10^6-element array in a Python loop;
logistic regression with n = 10000, d = 100; Rosenbrock with N = 1000. For each workload the
gradients of every framework are first checked against the hand-written CuPy gradient (and
that against numpy's s2s gradient); then the calls are timed side by side, each followed by a
device synchronization, and the median of the paired ratios (framework / hand-written) is
reported. s2s's gradient is also checked to run without a device-to-host transfer: a stream
held by a spinning kernel must still be busy when the derivative returns, or else the
derivative must be capturable as a CUDA graph (which any synchronization breaks). JAX and
PyTorch columns appear when they import and see the GPU.

    python benchmarks/bench_cupy.py            # 200 paired calls per workload
    python benchmarks/bench_cupy.py --quick    # 20 paired calls (the GPU check runs this)

Exits 0 with a message when no GPU is present; 1 if s2s disagrees with the hand gradient or
a transfer is detected. Ratios are reported, never asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import traceback

os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")  # JAX: share the GPU

import numpy as np  # noqa: E402

import s2s  # noqa: E402

# -- the workloads, written once in numpy style ------------------------------------------------


def mlp(w1, b1, w2, b2, x, y):
    h = np.tanh(x @ w1 + b1)
    z = h @ w2 + b2
    shifted = z - s2s.stop_gradient(z.max(axis=1, keepdims=True))
    logp = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(logp[np.arange(x.shape[0]), y])


def chain(x, a):
    y = x
    for _ in range(15):
        y = np.sin(y * a) + y
    return np.sum(y)


def rnn(wx, wh, b, xs):
    h = np.zeros((xs.shape[1], wh.shape[0]))
    for t in range(xs.shape[0]):
        h = np.tanh(np.dot(xs[t], wx) + np.dot(h, wh) + b)
    return np.sum(h * h)


def uses(x, c):
    total = 0.0
    for k in range(64):
        total = total + np.sum(np.sin(x + c[k]))
    return total


def logistic(w, b, x, y, lam):
    z = x @ w + b
    return np.mean(np.logaddexp(0.0, z) - y * z) + 0.5 * lam * np.sum(w**2)


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


# -- hand-written gradients, for any numpy-like module xp --------------------------------------


def mlp_hand(xp, w1, b1, w2, b2, x, y):
    n = x.shape[0]
    h = xp.tanh(x @ w1 + b1)
    z = h @ w2 + b2
    z = z - z.max(axis=1, keepdims=True)
    dz = xp.exp(z)
    dz /= dz.sum(axis=1, keepdims=True)
    dz[xp.arange(n), y] -= 1.0
    dz /= n
    da = (dz @ w2.T) * (1.0 - h * h)
    return x.T @ da, da.sum(axis=0), h.T @ dz, dz.sum(axis=0)


def chain_hand(xp, x, a):
    ys = [x]
    for _ in range(15):
        ys.append(xp.sin(ys[-1] * a) + ys[-1])
    dy, dx_a = xp.ones_like(x), xp.zeros_like(a)
    for y in reversed(ys[:-1]):
        c = xp.cos(y * a)
        dx_a = dx_a + dy * c * y
        dy = dy * (c * a + 1.0)
    return dy, dx_a


def rnn_hand(xp, wx, wh, b, xs):
    hs = [xp.zeros((xs.shape[1], wh.shape[0]))]
    for t in range(xs.shape[0]):
        hs.append(xp.tanh(xs[t] @ wx + hs[-1] @ wh + b))
    dwx, dwh, db = xp.zeros_like(wx), xp.zeros_like(wh), xp.zeros_like(b)
    dh = 2.0 * hs[-1]
    for t in range(xs.shape[0] - 1, -1, -1):
        da = dh * (1.0 - hs[t + 1] * hs[t + 1])
        dwx += xs[t].T @ da
        dwh += hs[t].T @ da
        db += da.sum(axis=0)
        dh = da @ wh.T
    return dwx, dwh, db


def uses_hand(xp, x, c):
    dx = xp.zeros_like(x)
    for k in range(64):
        dx += xp.cos(x + c[k])
    return (dx,)


def logistic_hand(xp, w, b, x, y, lam):
    z = x @ w + b
    r = (1.0 / (1.0 + xp.exp(-z)) - y) / x.shape[0]
    return x.T @ r + lam * w, r.sum()


def rosenbrock_hand(xp, x):
    g = xp.zeros_like(x)
    t = x[1:] - x[:-1] ** 2
    g[:-1] += -400.0 * x[:-1] * t - 2.0 * (1.0 - x[:-1])
    g[1:] += 200.0 * t
    return (g,)


def workloads(rng):
    """(name, function, wrt, hand gradient, numpy arguments, positions of float arguments)."""
    n = rng.standard_normal
    return [
        ("MLP 64-128-10, batch 256", mlp, (0, 1, 2, 3), mlp_hand,
         [n((64, 128)) / 8, 0.1 * n(128), n((128, 10)) / 11, 0.1 * n(10), n((256, 64)),
          rng.integers(0, 10, 256)]),
        ("45 elementwise ops, size 10", chain, (0, 1), chain_hand, [n(10), 0.5 * n(10)]),
        ("RNN, 50 steps, hidden 32", rnn, (0, 1, 2), rnn_hand,
         [0.3 * n((16, 32)), 0.15 * n((32, 32)), 0.1 * n(32), n((50, 64, 16))]),
        ("64 uses of a 10^6 array", uses, (0,), uses_hand, [n(1_000_000), n(64)]),
        ("logistic regression 10000 x 100", logistic, (0, 1), logistic_hand,
         [0.1 * n(100), 0.1, n((10_000, 100)), (rng.random(10_000) < 0.5) * 1.0, 1e-3]),
        ("Rosenbrock N = 1000", rosenbrock, (0,), rosenbrock_hand, [1.0 + 0.1 * n(1000)]),
    ]  # fmt: skip


# -- JAX and PyTorch, when installed ------------------------------------------------------------


def jax_gradient(name, wrt):
    """A jit-compiled JAX gradient of the workload and a converter of numpy arguments."""
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    if not any(d.platform == "gpu" for d in jax.devices()):
        raise RuntimeError("JAX sees no GPU")
    fns = {
        "MLP": lambda w1, b1, w2, b2, x, y: -jnp.mean(
            jax.nn.log_softmax(jnp.tanh(x @ w1 + b1) @ w2 + b2, axis=1)[jnp.arange(x.shape[0]), y]
        ),
        "45": lambda x, a: _jax_chain(jnp, x, a),
        "RNN": lambda wx, wh, b, xs: _jax_rnn(jax, jnp, wx, wh, b, xs),
        "64": lambda x, c: jnp.sum(jax.vmap(lambda ck: jnp.sum(jnp.sin(x + ck)))(c)),
        "logistic": lambda w, b, x, y, lam: jnp.mean(
            jnp.logaddexp(0.0, x @ w + b) - y * (x @ w + b)
        ) + 0.5 * lam * jnp.sum(w**2),
        "Rosenbrock": lambda x: jnp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2),
    }  # fmt: skip
    f = fns[name.split()[0].rstrip(",")]
    grad = jax.jit(jax.grad(f, argnums=wrt))
    device = [d for d in jax.devices() if d.platform == "gpu"][0]

    def convert(args):
        return [jax.device_put(a, device) if isinstance(a, np.ndarray) else a for a in args]

    def call(*args):
        return jax.block_until_ready(grad(*args))

    return call, convert, lambda g: [np.asarray(v) for v in g]


def _jax_chain(jnp, x, a):
    y = x
    for _ in range(15):
        y = jnp.sin(y * a) + y
    return jnp.sum(y)


def _jax_rnn(jax, jnp, wx, wh, b, xs):
    def step(h, x):
        return jnp.tanh(x @ wx + h @ wh + b), None

    h, _ = jax.lax.scan(step, jnp.zeros((xs.shape[1], wh.shape[0]), xs.dtype), xs)
    return jnp.sum(h * h)


def torch_gradient(name, wrt):
    """A PyTorch autograd gradient of the workload on the GPU and a converter."""
    import torch

    if not torch.cuda.is_available():
        raise RuntimeError("PyTorch sees no GPU")

    def chain_t(x, a):
        y = x
        for _ in range(15):
            y = torch.sin(y * a) + y
        return y.sum()

    def rnn_t(wx, wh, b, xs):
        h = torch.zeros((xs.shape[1], wh.shape[0]), dtype=xs.dtype, device=xs.device)
        for t in range(xs.shape[0]):
            h = torch.tanh(xs[t] @ wx + h @ wh + b)
        return (h * h).sum()

    def uses_t(x, c):
        total = 0.0
        for k in range(64):
            total = total + torch.sin(x + c[k]).sum()
        return total

    fns = {
        "MLP": lambda w1, b1, w2, b2, x, y: torch.nn.functional.cross_entropy(
            torch.tanh(x @ w1 + b1) @ w2 + b2, y
        ),
        "45": chain_t,
        "RNN": rnn_t,
        "64": uses_t,
        "logistic": lambda w, b, x, y, lam: (
            torch.nn.functional.softplus(x @ w + b) - y * (x @ w + b)
        ).mean() + 0.5 * lam * (w**2).sum(),
        "Rosenbrock": lambda x: (
            100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2
        ).sum(),
    }  # fmt: skip
    f = fns[name.split()[0].rstrip(",")]

    def convert(args):
        out = []
        for i, a in enumerate(args):
            if isinstance(a, np.ndarray):
                t = torch.tensor(a, device="cuda")
                out.append(t.requires_grad_(True) if i in wrt else t)
            else:
                out.append(torch.tensor(a, dtype=torch.float64, device="cuda", requires_grad=True)
                           if i in wrt else a)  # fmt: skip
        return out

    def call(*args):
        inputs = [args[i] for i in wrt]
        grads = torch.autograd.grad(f(*args), inputs)
        torch.cuda.synchronize()
        return grads

    return call, convert, lambda g: [v.detach().cpu().numpy() for v in g]


# -- checks and timing --------------------------------------------------------------------------


def host(values):
    import cupy

    return [cupy.asnumpy(v) if isinstance(v, cupy.ndarray) else np.asarray(v) for v in values]


def agree(got, expected, rtol=1e-9):
    return all(
        np.shape(g) == np.shape(e)
        and np.allclose(g, e, rtol=rtol, atol=rtol * max(1.0, float(np.max(np.abs(e)))))
        for g, e in zip(got, expected, strict=True)
    )


def no_transfer(fn, args):
    """Whether ``fn(*args)`` runs without waiting for the GPU (no device-to-host copy), told
    two ways: a kernel spinning for two seconds is queued first and must still hold the stream
    when the call returns; else the call is captured as a CUDA graph, which any synchronizing
    call breaks. ``(verdict, how)`` with verdict True, False or None (could not tell)."""
    import cupy

    fn(*args)
    cupy.cuda.Device().synchronize()
    start = time.perf_counter()
    fn(*args)
    alone = time.perf_counter() - start
    cupy.cuda.Device().synchronize()
    seconds = 2.0
    busy = None
    try:
        kernel = cupy.RawKernel(
            'extern "C" __global__ void spin(long long n) {'
            " long long s = clock64(); while (clock64() - s < n) { } }",
            "spin",
        )
        try:
            rate = cupy.cuda.runtime.deviceGetAttribute(cupy.cuda.runtime.cudaDevAttrClockRate, 0)
        except Exception:  # noqa: BLE001 - an attribute this CUDA dropped: assume 2 GHz
            rate = 2_000_000
        if alone < 0.25 * seconds:
            kernel((1,), (1,), (np.int64(seconds * rate * 1e3),))
            stream = cupy.cuda.get_current_stream()
            fn(*args)
            busy = not stream.done
            cupy.cuda.Device().synchronize()
    except Exception as exc:  # noqa: BLE001
        print(f"    busy-stream check unavailable: {type(exc).__name__}: {exc}"[:200])
    if busy:
        return True, "the stream was still busy when the derivative returned"
    # the stream drained: a synchronization, or more launches than the queue holds
    try:
        stream = cupy.cuda.Stream(non_blocking=True)
        with stream:
            fn(*args)
            stream.synchronize()
            stream.begin_capture()
            try:
                fn(*args)
            finally:
                stream.end_capture()
        return True, "captured as a CUDA graph, which a synchronization would break"
    except Exception as exc:  # noqa: BLE001
        cupy.cuda.Device().synchronize()
        reason = f"graph capture failed: {type(exc).__name__}: {exc}"[:200]
    if busy is False:
        return None if alone > 0.01 else False, reason
    return None, reason


def paired_ratios(calls, args_per_call, repeats, sync):
    """Median per call of each function and the median of per-round ratios to the first."""
    for fn, args in zip(calls, args_per_call, strict=True):
        fn(*args)
        sync()
    samples = [[] for _ in calls]
    for r in range(repeats):
        order = list(range(len(calls)))
        if r % 2:
            order.reverse()
        for i in order:
            sync()
            t0 = time.perf_counter()
            calls[i](*args_per_call[i])
            sync()
            samples[i].append(time.perf_counter() - t0)
    medians = [statistics.median(s) for s in samples]
    ratios = [statistics.median(a / b for a, b in zip(s, samples[0], strict=True)) for s in samples]
    return medians, ratios


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 paired calls per workload")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--no-jax", action="store_true")
    parser.add_argument("--no-torch", action="store_true")
    args = parser.parse_args(argv)
    repeats = args.repeats or (20 if args.quick else 200)
    try:
        import cupy

        cupy.cuda.runtime.getDeviceCount()
        cupy.zeros(1).sum()
    except Exception as exc:  # noqa: BLE001
        print(f"no GPU: CuPy unavailable ({exc!r}); nothing to benchmark")
        return 0
    device = cupy.cuda.runtime.getDeviceProperties(0)["name"].decode()
    print(
        f"GPU {device}; CuPy {cupy.__version__}, numpy {np.__version__}; float64; "
        f"median of {repeats} paired calls, each followed by a device synchronization"
    )

    ok = True
    rows = []
    rng = np.random.default_rng(0)
    for name, f, wrt, hand, np_args in workloads(rng):
        print(f"\n{name}")
        gpu_args = [cupy.asarray(a) if isinstance(a, np.ndarray) else a for a in np_args]
        derivative = s2s.grad(f, wrt=wrt)
        expected = [np.asarray(v) for v in s2s.grad(f, wrt=wrt)(*np_args)]

        def hand_call(*a, hand=hand):
            return hand(cupy, *a)

        hand_grads = host(hand_call(*gpu_args))
        ours = host(derivative(*gpu_args))
        same = agree(ours, hand_grads) and agree(hand_grads, expected)
        on_gpu = all(isinstance(g, cupy.ndarray) for g in derivative(*gpu_args))
        transfer_free, how = no_transfer(derivative, gpu_args)
        verdict = "yes" if transfer_free else "NO" if transfer_free is False else "unknown"
        print(
            f"    s2s agrees with the hand gradient and numpy: {same}; gradients on the GPU: "
            f"{on_gpu}; no host transfer: {verdict} ({how})"
        )
        ok = ok and same and on_gpu and transfer_free is not False
        calls, call_args, labels = [hand_call, derivative], [gpu_args, gpu_args], ["hand", "s2s"]
        for label, maker, skip in (("jax", jax_gradient, args.no_jax),
                                   ("torch", torch_gradient, args.no_torch)):  # fmt: skip
            if skip:
                continue
            try:
                call, convert, back = maker(name, wrt)
                converted = convert(np_args)
                theirs = back(call(*converted))
                if not agree(theirs, hand_grads, rtol=1e-8):
                    print(f"    {label}: gradients DISAGREE with the hand gradient; not timed")
                    continue
                calls.append(call)
                call_args.append(converted)
                labels.append(label)
            except Exception as exc:  # noqa: BLE001 - an optional framework: report, go on
                print(f"    {label}: unavailable ({type(exc).__name__}: {exc})"[:300])
        medians, ratios = paired_ratios(calls, call_args, repeats, cupy.cuda.Device().synchronize)
        for label, m, r in zip(labels, medians, ratios, strict=True):
            print(f"    {label:>6}: {m * 1e3:9.3f} ms   ratio to hand {r:6.2f}")
        rows.append((name, dict(zip(labels, ratios, strict=True))))

    print("\nmedian paired ratio to the hand-written CuPy gradient (lower is faster)")
    print(f"{'workload':<34} {'s2s':>7} {'jax':>7} {'torch':>7}")
    for name, ratios in rows:
        cells = [
            f"{ratios[k]:7.2f}" if k in ratios else f"{'-':>7}" for k in ("s2s", "jax", "torch")
        ]
        print(f"{name:<34} " + " ".join(cells))  # fmt: skip
    print(f"\ns2s gradients agree and stay on the GPU: {ok}")
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception:  # noqa: BLE001 - print everything for the log, then fail
        traceback.print_exc()
        sys.exit(2)
