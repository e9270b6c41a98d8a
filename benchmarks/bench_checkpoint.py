"""Checkpointed loops (issue 12): a gradient taped, with ``checkpoint="auto"``, with
``checkpoint=10`` and with ``checkpoint=s2s.MemoryBudget(nbytes)`` of a tenth of the taped
gradient's peak and of twice it (which holds every trip's tape: run taped): the tracemalloc
peak of one gradient call and the time per call, as paired medians over alternating calls
(each checkpointed call next to a taped one), as ratios over the taped gradient. Two
workloads: the Euler workload of ``workloads.py`` (20,000 steps, two scalars of state) and
the same oscillator on a state of 1,000-vectors (2,000 steps).

    OPENBLAS_NUM_THREADS=1 taskset -c 1 python benchmarks/bench_checkpoint.py [--reps 7]

Exits 1 only if a checkpointed gradient differs from the taped one (rtol 1e-12).
"""

import argparse
import os
import statistics
import sys
import time
import tracemalloc
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
from workloads import euler, euler_make  # noqa: E402

import s2s  # noqa: E402

FIXED = (None, "auto", 10)


def euler_vectors(k, c, x, v):
    """The damped oscillator of ``workloads.euler`` on 1,000 points at once, 2,000 steps."""
    for _ in range(2000):
        a = -k * x - c * v
        x = x + 0.001 * v
        v = v + 0.001 * a
    return np.sum(x * x + v * v)


def _fresh(f):
    return types.FunctionType(f.__code__, f.__globals__, f.__name__, f.__defaults__, f.__closure__)


def _peak(g, args: tuple) -> int:
    tracemalloc.start()
    g(*args)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def measure(title: str, f, args: tuple, wrt: tuple, reps: int) -> int:
    taped = s2s.grad(_fresh(f), wrt=wrt)
    taped(*args)  # generated before measuring
    peak = _peak(taped, args)
    checkpoints = (*FIXED, s2s.MemoryBudget(peak // 10), s2s.MemoryBudget(2 * peak))
    grads = {c: s2s.grad(_fresh(f), wrt=wrt, checkpoint=c) for c in checkpoints}
    values = {c: g(*args) for c, g in grads.items()}  # generated before measuring
    for c in checkpoints[1:]:
        for a, b in zip(values[c], values[None]):
            if not np.allclose(a, b, rtol=1e-12, atol=0):
                print(f"{title}, checkpoint={c!r}: gradient {a} differs from the taped {b}")
                return 1
    peaks = {c: _peak(g, args) for c, g in grads.items()}
    ratios: dict = {c: [] for c in checkpoints[1:]}
    times: dict = {c: [] for c in checkpoints}
    for _ in range(reps):
        for c in checkpoints[1:]:
            t0 = time.perf_counter()
            grads[None](*args)
            t1 = time.perf_counter()
            grads[c](*args)
            t2 = time.perf_counter()
            times[None].append(t1 - t0)
            times[c].append(t2 - t1)
            ratios[c].append((t2 - t1) / (t1 - t0))
    print(f"{title}: {reps} paired reps")
    print(f"{'checkpoint':>22} {'peak KiB':>10} {'memory ratio':>13} {'ms/call':>9} "
          f"{'time ratio':>11}")
    for c in checkpoints:
        ratio = statistics.median(ratios[c]) if c is not None else 1.0
        print(f"{c!r:>22} {peaks[c] / 1024:>10.1f} {peaks[c] / peaks[None]:>13.4f} "
              f"{statistics.median(times[c]) * 1e3:>9.1f} {ratio:>11.2f}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=7)
    reps = parser.parse_args().reps
    print(f"numpy {np.__version__}, Python {sys.version.split()[0]}")
    rng = np.random.default_rng(0)
    vectors = (np.array(2.0), np.array(0.1), rng.normal(size=1000), np.zeros(1000))
    failed = measure("Euler, 20,000 steps (workloads.py)", euler, euler_make(0), ("k", "c"), reps)
    return failed or measure("Euler, 2,000 steps, state of 1,000-vectors", euler_vectors,
                             vectors, ("k", "c", "x", "v"), reps)  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
