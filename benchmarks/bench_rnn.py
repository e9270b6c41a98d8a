"""Benchmark the s2s gradient of an RNN loss (a Python loop over time) against hand-written BPTT.

Model: a vanilla tanh RNN, 50 time steps, 8 inputs, 32 hidden units, a linear readout of 8
outputs at every step, mean squared error over steps, batch 16, float64. The loss is a Python
``for`` loop over time steps; s2s differentiates the loop, and the reference is backpropagation
through time written by hand in numpy for exactly the same loss: a forward loop that stores the
hidden states and a reversed loop that accumulates the gradients in place. On the same inputs
it checks that the gradients agree (and the hand-written one against central differences),
reports the median time per gradient (calls in alternating blocks, as ``bench_mlp.py`` does),
the peak memory of one call (tracemalloc) with the s2s/hand ratios, and the generation time of
s2s: cold (a fresh interpreter: ``import s2s`` plus the first call, minus one steady-state call)
and warm (a fresh copy of the function in this process: first call minus one steady call).

    python benchmarks/bench_rnn.py
    python benchmarks/bench_rnn.py --quick       # few repeats, for tests

Exits 1 only if the gradients disagree; the targets are reported, not asserted.
"""

import argparse
import os
import platform
import sys

# pinned to one core (taskset): BLAS threads would only contend for it, adding noise
for _threads in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_threads, "1")

import numpy as np  # noqa: E402

import s2s  # noqa: E402

# The measuring helpers are shared with the MLP benchmark, next to this file.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_mlp import (  # noqa: E402
    agree,
    check_hand_grad,
    cold_generation,
    kib,
    median_times,
    ms,
    paired_ratio,
    peak_bytes,
    warm_generation,
)

N_STEPS, BATCH, N_IN, N_HIDDEN, N_OUT = 50, 16, 8, 32, 8
WRT = ("wx", "wh", "b", "wo", "bo")
TARGETS = {"time_ratio": 1.3, "memory_ratio": 1.3}


def loss(wx, wh, b, wo, bo, x, y):
    """Mean over steps of the mean squared readout error; x (T, batch, in), y (T, batch, out)."""
    h = np.zeros((x.shape[1], wh.shape[0]))
    total = 0.0
    for t in range(x.shape[0]):
        h = np.tanh(x[t] @ wx + h @ wh + b)
        err = h @ wo + bo - y[t]
        total = total + np.mean(err * err)
    return total / x.shape[0]


def hand_grad(wx, wh, b, wo, bo, x, y):
    """Backpropagation through time for ``loss``, written by hand.

    d loss / d err[t] = 2 err[t] / (T * batch * out); the hidden-state gradient flows back
    through dh[t-1] = (dh[t] * (1 - h[t]^2)) @ wh.T plus the readout's contribution at t-1.
    """
    n_steps, batch = x.shape[0], x.shape[1]
    hs = np.empty((n_steps + 1, batch, wh.shape[0]))
    hs[0] = 0.0
    for t in range(n_steps):
        hs[t + 1] = np.tanh(x[t] @ wx + hs[t] @ wh + b)
    scale = 2.0 / (n_steps * batch * wo.shape[1])
    dwx, dwh, db = np.zeros_like(wx), np.zeros_like(wh), np.zeros_like(b)
    dwo, dbo = np.zeros_like(wo), np.zeros_like(bo)
    dh = np.zeros((batch, wh.shape[0]))
    for t in range(n_steps - 1, -1, -1):
        h = hs[t + 1]
        derr = h @ wo
        derr += bo
        derr -= y[t]
        derr *= scale
        dwo += h.T @ derr
        dbo += derr.sum(axis=0)
        dh += derr @ wo.T
        dh *= 1.0 - h * h  # through tanh: dh is now d loss / d (pre-activation at t)
        dwx += x[t].T @ dh
        dwh += hs[t].T @ dh
        db += dh.sum(axis=0)
        dh = dh @ wh.T
    return dwx, dwh, db, dwo, dbo


def make_inputs(seed=0):
    """Parameters and a batch of sequences, float64 throughout."""
    rng = np.random.default_rng(seed)
    wx = rng.standard_normal((N_IN, N_HIDDEN)) / np.sqrt(N_IN)
    wh = rng.standard_normal((N_HIDDEN, N_HIDDEN)) / np.sqrt(N_HIDDEN)
    b = 0.1 * rng.standard_normal(N_HIDDEN)
    wo = rng.standard_normal((N_HIDDEN, N_OUT)) / np.sqrt(N_HIDDEN)
    bo = 0.1 * rng.standard_normal(N_OUT)
    x = rng.standard_normal((N_STEPS, BATCH, N_IN))
    y = rng.standard_normal((N_STEPS, BATCH, N_OUT))
    return wx, wh, b, wo, bo, x, y


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=None, help="default 500 (20 with --quick)")
    parser.add_argument("--quick", action="store_true", help="few repeats, for tests")
    args = parser.parse_args(argv)
    repeats = args.repeats or (20 if args.quick else 500)
    copies = 2 if args.quick else 5

    s2s_grad = s2s.grad(loss, wrt=WRT)
    print(
        f"RNN {N_IN}-{N_HIDDEN}-{N_OUT}, tanh, {N_STEPS} steps, batch {BATCH}, "
        f"mean squared error at every step, float64; "
        f"Python {platform.python_version()}, numpy {np.__version__}, median of {repeats} calls"
    )

    inputs = make_inputs()
    fd_err = check_hand_grad(loss, hand_grad, len(WRT), inputs)
    same = agree(s2s_grad(*inputs), hand_grad(*inputs))
    ok = same and fd_err < 1e-6
    fns = [hand_grad, s2s_grad]
    times = median_times(fns, inputs, repeats)
    mems = [peak_bytes(fn, inputs) for fn in fns]
    warm = warm_generation(loss, WRT, inputs, times[1], copies)
    time_ratio, memory_ratio = times[1] / times[0], mems[1] / mems[0]
    unchecked = s2s.grad(loss, wrt=WRT, nan="ignore")
    nan_ratio = paired_ratio(s2s_grad, unchecked, inputs, repeats)

    header = (
        f"{'hand ms':>8} {'s2s ms':>8} {'ratio':>6} | "
        f"{'hand KiB':>8} {'s2s KiB':>8} {'ratio':>6} | agree (hand vs FD)"
    )
    print()
    print(header)
    print("-" * len(header))
    print(
        f"{ms(times[0]):>8} {ms(times[1]):>8} {time_ratio:>6.2f} | "
        f"{kib(mems[0]):>8} {kib(mems[1]):>8} {memory_ratio:>6.2f} | "
        f"{'yes' if same else 'NO'} ({fd_err:.0e})"
    )

    print(
        f"no-silent-NaN check (nan='warn' / nan='ignore', median of {repeats} paired calls): "
        f"{nan_ratio:.3f}"
    )

    cold = cold_generation(None, module="bench_rnn")
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

    checks = [
        ("time ratio", time_ratio, TARGETS["time_ratio"]),
        ("memory ratio", memory_ratio, TARGETS["memory_ratio"]),
    ]
    print(
        "targets: "
        + "; ".join(
            f"{name} {value:.2f} <= {bound:g} [{'met' if value <= bound else 'MISSED'}]"
            for name, value, bound in checks
        )
    )
    print(f"gradients agree: {ok}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
