"""Benchmark the s2s gradient of an MLP loss against a hand-written numpy gradient (and autograd).

Model: 64-128-10, tanh hidden layer, softmax cross-entropy with the max-shifted log-sum-exp,
float64, batches of 32 and 256. For each batch size, on the same inputs, it checks that the
gradients agree and reports the median time per gradient, the peak memory of one gradient call
(tracemalloc, inputs allocated before tracing) and the s2s/hand ratios. It also reports the
generation time of s2s: cold (a fresh interpreter: ``import s2s`` plus the first call, minus one
steady-state call) and warm (a fresh copy of the function in this process: first call minus one
steady-state call). autograd, if importable, is an extra column.

    python benchmarks/bench_mlp.py
    python benchmarks/bench_mlp.py --quick       # few repeats, for tests

Exits 1 only if the gradients disagree; the targets are reported, not asserted.
"""

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
import types

# pinned to one core (taskset): BLAS threads would only contend for it, adding noise
for _threads in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_threads, "1")

import numpy as np  # noqa: E402

import s2s  # noqa: E402

N_IN, N_HIDDEN, N_OUT = 64, 128, 10
WRT = ("w1", "b1", "w2", "b2")
TARGETS = {"time_ratio": 1.3, "memory_ratio": 1.3, "warm_ms": 50.0}


def loss(w1, b1, w2, b2, x, y):
    """Mean softmax cross-entropy of a one-hidden-layer tanh MLP (the formula under test)."""
    h = np.tanh(x @ w1 + b1)
    z = h @ w2 + b2
    shifted = z - s2s.stop_gradient(z.max(axis=1, keepdims=True))
    logp = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(logp[np.arange(x.shape[0]), y])


def hand_grad(w1, b1, w2, b2, x, y):
    """The gradient of ``loss`` written by hand: d loss / d z = (softmax(z) - onehot(y)) / n."""
    n = x.shape[0]
    h = np.tanh(x @ w1 + b1)
    z = h @ w2 + b2
    z -= z.max(axis=1, keepdims=True)
    dz = np.exp(z)
    dz /= dz.sum(axis=1, keepdims=True)
    dz[np.arange(n), y] -= 1.0
    dz /= n
    dw2 = h.T @ dz
    db2 = dz.sum(axis=0)
    da = dz @ w2.T
    da *= 1.0 - h * h
    dw1 = x.T @ da
    db1 = da.sum(axis=0)
    return dw1, db1, dw2, db2


def make_inputs(batch, seed=0):
    """Parameters and a batch, float64 throughout (labels int64)."""
    rng = np.random.default_rng(seed)
    w1 = rng.standard_normal((N_IN, N_HIDDEN)) / np.sqrt(N_IN)
    b1 = 0.1 * rng.standard_normal(N_HIDDEN)
    w2 = rng.standard_normal((N_HIDDEN, N_OUT)) / np.sqrt(N_HIDDEN)
    b2 = 0.1 * rng.standard_normal(N_OUT)
    x = rng.standard_normal((batch, N_IN))
    y = rng.integers(0, N_OUT, size=batch)
    return w1, b1, w2, b2, x, y


def autograd_grad():
    """autograd's gradient of the same formula, or None if autograd is not installed."""
    try:
        import autograd
        import autograd.numpy as anp
        from autograd.tracer import getval
    except ImportError:
        return None

    def ag_loss(w1, b1, w2, b2, x, y):
        h = anp.tanh(x @ w1 + b1)
        z = h @ w2 + b2
        shifted = z - getval(anp.max(z, axis=1, keepdims=True))
        logp = shifted - anp.log(anp.sum(anp.exp(shifted), axis=1, keepdims=True))
        return -anp.mean(logp[anp.arange(x.shape[0]), y])

    return autograd.grad(ag_loss, argnum=(0, 1, 2, 3))


def check_hand_grad(loss, hand_grad, n, args, eps=1e-6):
    """Largest relative error of ``hand_grad`` (the gradients in the first ``n`` args) against
    central differences of ``loss`` along random directions."""
    rng = np.random.default_rng(1)
    grads = hand_grad(*args)
    worst = 0.0
    for _ in range(3):
        dirs = [rng.standard_normal(p.shape) for p in args[:n]]
        plus = [p + eps * d for p, d in zip(args[:n], dirs, strict=True)]
        minus = [p - eps * d for p, d in zip(args[:n], dirs, strict=True)]
        numeric = (loss(*plus, *args[n:]) - loss(*minus, *args[n:])) / (2 * eps)
        analytic = sum(float(np.sum(g * d)) for g, d in zip(grads, dirs, strict=True))
        worst = max(worst, abs(numeric - analytic) / max(abs(analytic), 1e-12))
    return worst


def agree(a, b):
    return all(
        np.shape(p) == np.shape(q) and np.allclose(p, q, rtol=1e-10, atol=1e-12)
        for p, q in zip(a, b, strict=True)
    )


def median_times(fns, args, repeats, block=25):
    """Median seconds per call of each function.

    Each function runs in blocks of ``block`` consecutive calls, as in a training loop, so the
    memory allocator settles into that function's own pattern; blocks of the functions
    alternate, so any drift of the machine is shared. The median is over all calls.
    """
    for fn in fns:
        for _ in range(3):
            fn(*args)
    samples = [[] for _ in fns]
    rounds = max(1, repeats // block)
    for r in range(rounds):
        order = list(range(len(fns)))
        if r % 2:
            order.reverse()
        for i in order:
            fn, out = fns[i], samples[i]
            for _ in range(block):
                t0 = time.perf_counter()
                fn(*args)
                out.append(time.perf_counter() - t0)
    return [statistics.median(s) for s in samples]


def paired_ratio(checked, unchecked, args, pairs):
    """Median over ``pairs`` of time(checked call) / time(unchecked call), the two calls made
    back to back in alternating order: the cost of the no-silent-NaN check (``nan="warn"``
    against ``nan="ignore"``), free of the machine's drift."""
    for fn in (checked, unchecked):
        for _ in range(3):
            fn(*args)
    ratios = []
    for k in range(pairs):
        times = {}
        for fn in (checked, unchecked) if k % 2 else (unchecked, checked):
            t0 = time.perf_counter()
            fn(*args)
            times[fn] = time.perf_counter() - t0
        ratios.append(times[checked] / times[unchecked])
    return statistics.median(ratios)


def peak_bytes(fn, args):
    """Peak bytes allocated during one call (the inputs already exist; the call is warmed up)."""
    fn(*args)
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        result = fn(*args)
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    del result
    return peak


def fresh_copy(f):
    """A new function object with f's code: s2s has never seen it, so it generates anew."""
    return types.FunctionType(f.__code__, f.__globals__, f.__name__, f.__defaults__, f.__closure__)


def warm_generation(loss, wrt, args, steady, copies):
    """Median over fresh copies of loss of (first call of a new derivative - steady call)."""
    firsts = []
    for _ in range(copies):
        g = s2s.grad(fresh_copy(loss), wrt=wrt)
        t0 = time.perf_counter()
        g(*args)
        firsts.append(time.perf_counter() - t0)
    return statistics.median(firsts) - steady


_CHILD = """
import json, statistics, sys, time
sys.path.insert(0, {bench_dir!r})
import numpy as np
t0 = time.perf_counter()
import s2s  # noqa: E402
t1 = time.perf_counter()
import {module} as bench
args = bench.make_inputs({inputs})
g = s2s.grad(bench.loss, wrt=bench.WRT)
t2 = time.perf_counter()
g(*args)
t3 = time.perf_counter()
steady = []
for _ in range(20):
    t = time.perf_counter()
    g(*args)
    steady.append(time.perf_counter() - t)
print(json.dumps({{"import": t1 - t0, "first": t3 - t2, "steady": statistics.median(steady)}}))
"""


def cold_generation(batch, module="bench_mlp"):
    """Import s2s and make the first call in a fresh interpreter; returns the child's timings.
    ``module`` is the benchmark next to this file (``make_inputs(batch)``, or ``make_inputs()``
    where ``batch`` is None; ``loss`` and ``WRT``)."""
    bench_dir = os.path.dirname(os.path.abspath(__file__))
    inputs = "" if batch is None else repr(batch)
    code = _CHILD.format(bench_dir=bench_dir, module=module, inputs=inputs)
    # Run from this directory, so that a source checkout in the caller's working directory
    # cannot shadow the installed s2s.
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=bench_dir, timeout=300
    )
    if out.returncode != 0:
        raise RuntimeError(f"cold-generation child failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def ms(seconds):
    return f"{seconds * 1e3:.3f}"


def kib(n):
    return f"{n / 1024:.0f}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, nargs="+", default=[32, 256])
    parser.add_argument("--repeats", type=int, default=None, help="default 500 (20 with --quick)")
    parser.add_argument("--quick", action="store_true", help="few repeats, for tests")
    parser.add_argument("--no-autograd", action="store_true")
    args = parser.parse_args(argv)
    repeats = args.repeats or (20 if args.quick else 500)
    copies = 2 if args.quick else 5

    s2s_grad = s2s.grad(loss, wrt=WRT)
    ag_grad = None if args.no_autograd else autograd_grad()
    print(
        f"MLP {N_IN}-{N_HIDDEN}-{N_OUT}, tanh, softmax cross-entropy, float64; "
        f"Python {platform.python_version()}, numpy {np.__version__}, "
        f"median of {repeats} calls; autograd: {'yes' if ag_grad else 'not installed'}"
    )

    rows, ok, warm, nan_ratios = [], True, None, []
    for batch in args.batches:
        inputs = make_inputs(batch)
        fd_err = check_hand_grad(loss, hand_grad, len(WRT), inputs)
        ref = hand_grad(*inputs)
        same = agree(s2s_grad(*inputs), ref)
        ag_same = agree(ag_grad(*inputs), ref) if ag_grad else None
        ok = ok and same and fd_err < 1e-6 and ag_same is not False
        fns = [hand_grad, s2s_grad] + ([ag_grad] if ag_grad else [])
        times = median_times(fns, inputs, repeats)
        mems = [peak_bytes(fn, inputs) for fn in fns]
        if warm is None:
            warm = warm_generation(loss, WRT, inputs, times[1], copies)
        unchecked = s2s.grad(loss, wrt=WRT, nan="ignore")
        nan_ratios.append((batch, paired_ratio(s2s_grad, unchecked, inputs, repeats)))
        rows.append((batch, times, mems, same, ag_same, fd_err))

    header = (
        f"{'batch':>5} | {'hand ms':>8} {'s2s ms':>8} {'ratio':>6} {'autograd':>9} | "
        f"{'hand KiB':>8} {'s2s KiB':>8} {'ratio':>6} {'autograd':>9} | agree (hand vs FD)"
    )
    print()
    print(header)
    print("-" * len(header))
    for batch, times, mems, same, ag_same, fd_err in rows:
        ag_t = ms(times[2]) if len(times) > 2 else "-"
        ag_m = kib(mems[2]) if len(mems) > 2 else "-"
        verdict = "yes" if same else "NO"
        if ag_same is not None:
            verdict += f", autograd {'yes' if ag_same else 'NO'}"
        print(
            f"{batch:>5} | {ms(times[0]):>8} {ms(times[1]):>8} {times[1] / times[0]:>6.2f} "
            f"{ag_t:>9} | {kib(mems[0]):>8} {kib(mems[1]):>8} {mems[1] / mems[0]:>6.2f} "
            f"{ag_m:>9} | {verdict} ({fd_err:.0e})"
        )

    print(
        "no-silent-NaN check (nan='warn' / nan='ignore', median of paired calls): "
        + ", ".join(f"batch {b}: {r:.3f}" for b, r in nan_ratios)
    )

    cold = cold_generation(args.batches[0])
    cold_total = cold["import"] + cold["first"] - cold["steady"]
    print()
    print(
        f"generation, cold: {cold_total * 1e3:.1f} ms = import s2s {cold['import'] * 1e3:.1f} ms"
        f" + first call {cold['first'] * 1e3:.1f} ms - steady call {cold['steady'] * 1e3:.3f} ms"
        " (fresh interpreter)"
    )
    print(
        f"generation, warm: {warm * 1e3:.1f} ms = first call - steady call"
        f" (median of {copies} fresh copies of loss)"
    )

    last = rows[-1]
    checks = [
        (f"time ratio at batch {last[0]}", last[1][1] / last[1][0], TARGETS["time_ratio"], ""),
        (f"memory ratio at batch {last[0]}", last[2][1] / last[2][0], TARGETS["memory_ratio"], ""),
        ("warm generation", warm * 1e3, TARGETS["warm_ms"], " ms"),
    ]
    print(
        "targets: "
        + "; ".join(
            f"{name} {value:.2f}{unit} <= {bound:g}{unit} [{'met' if value <= bound else 'MISSED'}]"
            for name, value, bound, unit in checks
        )
    )
    print(f"gradients agree: {ok}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
