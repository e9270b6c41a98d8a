"""Build plus first call of each workload's gradient, with s2s already imported.

For each workload of ``benchmarks/workloads.py`` (or those named on the command line, by the
first word of their name: ``MLP``, ``LSTM``, ...): the median, over ``--reps`` fresh copies of
the function, of the CPU time of this thread spent making its gradient and calling it once,
less the fastest of three steady calls. CPU time of one thread, not wall time, so that the
figures move less with other processes on a shared machine (BLAS is asked for one thread);
every copy has the same code, so nothing is cached between them but what s2s keeps per process
(its rules, numpy's namespace). s2s and the workloads are imported from the current
directory: to compare two trees, run this file from the root of each, alternately:

    cd /path/to/tree && OPENBLAS_NUM_THREADS=1 python /path/to/build_times.py --reps 7
    OPENBLAS_NUM_THREADS=1 python benchmarks/build_times.py --reps 7 LSTM Kalman

It prints one line, ``name=milliseconds`` per workload.
"""

import argparse
import os
import statistics
import sys
import time

# one BLAS thread, as the docstring's commands ask: with several, this thread's CPU time in a
# product moves with how long it waits on the others, and a steady call can read more than a build
for _threads in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_threads, "1")
sys.path.insert(0, os.getcwd())  # the tree measured

from benchmarks import peers, workloads  # noqa: E402


def build_ms(w, reps: int) -> float:
    """Median milliseconds of thread CPU time: a fresh gradient made and called once, less a
    steady call."""
    args = w.make(0)
    grad = peers.make_s2s(w)
    grad(*args)  # s2s's own first-use costs (its rules, numpy's namespace) are not counted
    steady = []
    for _ in range(3):
        start = time.thread_time()
        grad(*args)
        steady.append(time.thread_time() - start)
    times = []
    for _ in range(reps):
        start = time.thread_time()
        peers.make_s2s(w)(*args)
        times.append(time.thread_time() - start - min(steady))
    return statistics.median(times) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="workloads by first word (default: all)")
    parser.add_argument("--reps", type=int, default=7, help="fresh copies per workload")
    options = parser.parse_args()
    out = []
    for w in workloads.WORKLOADS:
        key = w.name.split(",")[0].split(" ")[0]
        if options.names and key not in options.names:
            continue
        out.append(f"{key}={build_ms(w, options.reps):.1f}")
    print(" ".join(out))


if __name__ == "__main__":
    main()
