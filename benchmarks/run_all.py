"""Run every workload of ``benchmarks/workloads.py`` with s2s, by hand and with the peers.

    taskset -c 0 python benchmarks/run_all.py            # the whole table (under 5 minutes)
    python benchmarks/run_all.py --quick                 # a few calls each (CI; times not asserted)
    taskset -c 0 python benchmarks/run_all.py --slow-peers   # adds JAX jit of the Kalman loop

Peers (autograd, JAX eager and jit, PyTorch) run when installed (``pip install -e ".[bench]"``,
in a venv of its own). For each workload, in one process:

* every gradient is first checked against the reference (the hand-written gradient, else s2s's)
  to a relative 1e-8 in float64, and s2s against central differences along a random direction;
* time: the median over pairs of (maker's call / reference call), the two calls alternating, so a
  noisy machine moves both alike. A maker whose one call takes over ``SLOW_CALL`` seconds (a
  peer hundreds of times slower than the reference) gets three pairs: its ratio is far from 1,
  and more pairs would only make the run long. The reference is the hand-written gradient; the small
  scientific functions (no hand gradient) are measured against their primal instead;
* build (ms): making the gradient of a fresh copy of the function and calling it once, less one
  steady call (the cost of generation or tracing);
* peak memory (tracemalloc) of one call, over the reference's (numpy's allocations are traced;
  JAX's and PyTorch's are not, so they are not shown).

The harness keeps glibc's freed heap resident (``mallopt``: trim threshold 1 GiB, mmap threshold
32 MiB, the same for every tool) unless ``--glibc-defaults`` is given: under glibc's defaults
the heap a call frees is handed back to the system and the next call faults it in again (about
half of an MLP call), and how those page faults split between the two alternating members of a
pair depends on the heap's layout in that process, not on either gradient, so a row moved
between 0.8 and 1.4 from process to process.

Then ``import s2s`` plus the first gradient in fresh interpreters (numpy already imported,
s2s's bytecode cached as after an install; see ``cold``).
Exits 1 if any gradient disagrees; times are reported, never asserted.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc

# pinned to one core (taskset): BLAS threads would only contend for it, adding noise
for _threads in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_threads, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peers  # noqa: E402
import workloads  # noqa: E402


def rel_err(got, want):
    return max(
        float(np.max(np.abs(np.asarray(a) - b)) / max(float(np.max(np.abs(b))), 1e-300))
        for a, b in zip(got, want, strict=True)
    )


def fd_err(w, grads, args, eps=1e-6):
    """Relative error of ``grads`` against a central difference along one random direction."""
    rng = np.random.default_rng(7)
    n = len(w.wrt)
    dirs = [rng.standard_normal(np.shape(a)) for a in args[:n]]
    plus = [a + eps * d for a, d in zip(args[:n], dirs, strict=True)]
    minus = [a - eps * d for a, d in zip(args[:n], dirs, strict=True)]
    numeric = (w.f(*plus, *args[n:]) - w.f(*minus, *args[n:])) / (2 * eps)
    analytic = sum(float(np.sum(g * d)) for g, d in zip(grads, dirs, strict=True))
    return abs(numeric - analytic) / max(abs(analytic), 1e-12)


def timed(fn, args, number):
    t0 = time.perf_counter()
    for _ in range(number):
        fn(*args)
    return (time.perf_counter() - t0) / number


SLOW_CALL = 0.5  # seconds; a slower call gets few samples (its ratio needs no precision)


def paired_ratio(fn, ref, args, budget, min_pairs, slow=False):
    """Median of per-pair ratios fn/ref; each sample repeats a call until it lasts ~0.2 ms.

    Short samples: on a loaded machine, a sample that lasts several ms is often cut by another
    process's time slice, which inflates the longer member of a pair (with 1 ms samples the
    Kalman filter's gradient read 7.4 times its primal at load 5, 3.4 from single calls)."""
    one = max(timed(ref, args, 1), 1e-7)
    number = max(1, int(2e-4 / one))
    if slow:
        budget, min_pairs = 0.0, min(min_pairs, 3)
    ratios, start = [], time.perf_counter()
    while len(ratios) < min_pairs or time.perf_counter() - start < budget:
        r = timed(ref, args, number)
        ratios.append(timed(fn, args, number) / r)
        if len(ratios) >= 1000:
            break
    return statistics.median(ratios), one


def peak(fn, args):
    tracemalloc.start()
    try:
        fn(*args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


_CHILD = """
import sys, time
sys.path.insert(0, {here!r})
import numpy as np
import workloads
w = workloads.WORKLOADS[{index}]
args = w.make(0)
t0 = time.perf_counter()
import s2s
t1 = time.perf_counter()
grad = s2s.grad(w.f, wrt=w.wrt)
grad(*args)
t2 = time.perf_counter()
grad(*args)
t3 = time.perf_counter()
print((t1 - t0) * 1e3, (t2 - t0) * 1e3, (t2 - t0 - (t3 - t2)) * 1e3)
"""
COLD_RUNS = 3


def cold(index):
    """Milliseconds in a fresh interpreter (numpy imported): ``import s2s``; import plus the
    first gradient; and that less one steady call (what is left of the first call once the
    gradient's own arithmetic is paid: generation and first use). Medians of ``COLD_RUNS``
    interpreters, after one that is not counted.

    The uncounted run writes s2s's bytecode caches, as Python's first import after an install
    does: with ``PYTHONDONTWRITEBYTECODE`` set (some CI images and sandboxes set it), every
    measured import would otherwise compile s2s's sources again, about 100 ms that no installed
    copy pays."""
    here = os.path.dirname(os.path.abspath(__file__))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    runs = []
    for _ in range(COLD_RUNS + 1):
        out = subprocess.run([sys.executable, "-c", _CHILD.format(here=here, index=index)],
                             capture_output=True, text=True, cwd=here, timeout=300, check=True,
                             env=env)
        runs.append([float(x) for x in out.stdout.split()])
    return [statistics.median(column) for column in zip(*runs[1:])]


def run_workload(index, w, names, budget, min_pairs, slow_peers=False):
    args = w.make(0)
    ref = w.hand or (lambda *a: w.f(*a))
    row = {"name": w.name, "ref": "hand" if w.hand else "primal", "tools": {}}
    want = None
    for name in names:
        if name in w.skip:
            row["tools"][name] = {"skipped": w.skip[name]}
            continue
        if name in w.slow and not slow_peers:
            row["tools"][name] = {"skipped": w.slow[name]}
            continue
        t0 = time.perf_counter()
        try:
            g = peers.MAKERS[name](w)
        except ImportError:
            continue
        got = g(*args)
        first = time.perf_counter() - t0
        steady = [timed(g, args, 1)]
        slow = steady[0] > SLOW_CALL
        steady += [] if slow else [timed(g, args, 1) for _ in range(2)]
        build = first - min(steady)
        if want is None:
            want = w.hand(*args) if w.hand else got
            row["fd"] = fd_err(w, got, args) if name == "s2s" else None
        err = rel_err(got, want)
        ratio, _ = paired_ratio(g, ref, args, budget, min_pairs, slow)
        entry = {"ratio": ratio, "build_ms": build * 1e3, "err": err}
        if name in ("s2s", "autograd"):
            entry["mem"] = peak(g, args) / max(peak(ref, args), 1)
        if name == "s2s" and w.hand:
            entry["over_primal"] = paired_ratio(g, lambda *a: w.f(*a), args, budget / 2,
                                                min_pairs)[0]
        row["tools"][name] = entry
    return row


def keep_heap_resident():
    """Ask glibc to keep freed memory (trim 1 GiB, mmap threshold 32 MiB); False off glibc."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        m_trim_threshold, m_mmap_threshold = -1, -3
        return bool(libc.mallopt(m_trim_threshold, 1 << 30)
                    and libc.mallopt(m_mmap_threshold, 32 << 20))
    except (OSError, AttributeError):
        return False


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few calls each (CI)")
    parser.add_argument("--only", help="run the workloads whose name contains this text")
    parser.add_argument("--json", help="also write the rows to this file")
    parser.add_argument("--slow-peers", action="store_true",
                        help="also run the peers that take minutes to build (workloads' slow)")
    parser.add_argument("--glibc-defaults", action="store_true",
                        help="leave glibc's trim and mmap thresholds as they are (page faults "
                             "then split between the members of a pair by heap layout)")
    opts = parser.parse_args(argv)
    heap = "glibc defaults" if opts.glibc_defaults else (
        "freed heap kept (mallopt)" if keep_heap_resident() else "allocator defaults")
    budget, min_pairs = (0.0, 3) if opts.quick else (1.5, 7)
    names = list(peers.MAKERS)


    print(f"Python {platform.python_version()}, numpy {np.__version__}, "
          f"{platform.machine()}, CPU affinity {sorted(os.sched_getaffinity(0))}, heap: {heap}")
    print("time: median of paired ratios to the reference (hand gradient, else primal); "
          "mem: tracemalloc peak over the reference's; build: first call (with generation) less a "
          "steady call, ms")
    ok, rows = True, []
    for index, w in enumerate(workloads.WORKLOADS):
        if opts.only and opts.only.lower() not in w.name.lower():
            continue
        row = run_workload(index, w, names, budget, min_pairs, opts.slow_peers)
        if not opts.quick or index == 0:
            row["cold_ms"] = cold(index)
        rows.append(row)
        print(f"\n{w.name} (reference: {row['ref']}; s2s vs central difference "
              f"{row['fd']:.0e})")
        for name, e in row["tools"].items():
            if "skipped" in e:
                print(f"  {name:9} skipped: {e['skipped']}")
                continue
            agree = e["err"] <= 1e-8
            ok &= agree
            extra = f"  mem {e['mem']:.2f}" if "mem" in e else ""
            extra += f"  over primal {e['over_primal']:.2f}" if "over_primal" in e else ""
            print(f"  {name:9} time {e['ratio']:8.2f}  build {e['build_ms']:9.1f}{extra}"
                  f"  agree {'yes' if agree else 'NO'} ({e['err']:.0e})")
        if "cold_ms" in row:
            import_ms, first_ms, build_ms = row["cold_ms"]
            print(f"  cold: import s2s {import_ms:.0f} ms, import + first gradient "
                  f"{first_ms:.0f} ms, less a steady call {build_ms:.0f} ms (fresh interpreter, "
                  f"numpy imported, bytecode cached)")
        ok &= row["fd"] < 1e-5
    if opts.json:
        with open(opts.json, "w") as fh:
            json.dump(rows, fh, indent=1)
    print(f"\ngradients agree: {ok}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
