"""Checkpointed loops (issue 12): the Euler workload's gradient (20,000 steps, two scalars of
state) taped, with ``checkpoint="auto"`` and with ``checkpoint=10``: the tracemalloc peak of
one gradient call and the time per call, as paired medians over alternating calls (each
checkpointed call next to a taped one), reported as ratios over the taped gradient.

    OPENBLAS_NUM_THREADS=1 taskset -c 1 python benchmarks/bench_checkpoint.py [--reps 7]

Exits 1 only if a checkpointed gradient differs from the taped one (rtol 1e-12).
"""

import argparse
import os
import statistics
import sys
import time
import tracemalloc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
from workloads import euler, euler_make  # noqa: E402

import s2s  # noqa: E402


def _fresh(f):
    import types

    return types.FunctionType(f.__code__, f.__globals__, f.__name__, f.__defaults__, f.__closure__)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=7)
    reps = parser.parse_args().reps
    args = euler_make(0)
    grads = {c: s2s.grad(_fresh(euler), wrt=("k", "c"), checkpoint=c)
             for c in (None, "auto", 10)}  # fmt: skip
    values = {c: g(*args) for c, g in grads.items()}  # generated before measuring
    for c in ("auto", 10):
        for a, b in zip(values[c], values[None]):
            if not np.allclose(a, b, rtol=1e-12, atol=0):
                print(f"checkpoint={c!r}: gradient {a} differs from the taped {b}")
                return 1
    peaks = {}
    for c, g in grads.items():
        tracemalloc.start()
        g(*args)
        peaks[c] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    ratios: dict = {"auto": [], 10: []}
    times: dict = {None: [], "auto": [], 10: []}
    for _ in range(reps):
        for c in ("auto", 10):
            t0 = time.perf_counter()
            grads[None](*args)
            t1 = time.perf_counter()
            grads[c](*args)
            t2 = time.perf_counter()
            times[None].append(t1 - t0)
            times[c].append(t2 - t1)
            ratios[c].append((t2 - t1) / (t1 - t0))
    print(f"Euler, 20,000 steps, {reps} paired reps (numpy {np.__version__})")
    print(f"{'checkpoint':>12} {'peak KiB':>10} {'memory ratio':>13} {'ms/call':>9} "
          f"{'time ratio':>11}")
    for c in (None, "auto", 10):
        ratio = statistics.median(ratios[c]) if c is not None else 1.0
        print(f"{c!r:>12} {peaks[c] / 1024:>10.1f} {peaks[c] / peaks[None]:>13.4f} "
              f"{statistics.median(times[c]) * 1e3:>9.1f} {ratio:>11.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
