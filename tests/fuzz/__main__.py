"""``python -m tests.fuzz --programs N [--seed S] [--jobs J] [--forward]``: check N random
programs (with ``--forward``, also their jvp and, for a scalar output, their hvp).

Each job runs hypothesis with its own seed. A failure is shrunk by hypothesis and printed as a
ready-to-paste pytest test; the job then goes on with a new seed until its share of programs is
checked. The summary gives the count, the time, the skipped programs by reason, and the failures.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
if str(TESTS) not in sys.path:  # `rows` and `fuzz` are imported as top-level packages
    sys.path.insert(0, str(TESTS))


def _job(arguments: tuple[int, int, bool, bool]) -> dict:
    count, seed, shrink, forward = arguments
    from fuzz.runner import run_many

    return run_many(count, seed, shrink=shrink, label=f"job {seed}", forward=forward)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__)
    parser.add_argument("--programs", type=int, default=1000, help="how many programs to check")
    parser.add_argument("--seed", type=int, default=0, help="the first job's seed")
    parser.add_argument("--jobs", type=int, default=1, help="processes to run in parallel")
    parser.add_argument("--no-shrink", action="store_true", help="report failures unshrunk")
    parser.add_argument(
        "--forward", action="store_true", help="also check jvp, and hvp of scalar outputs"
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    n, jobs = args.programs, args.jobs
    shares = [n // jobs + (i < n % jobs) for i in range(jobs)]
    tasks = [
        (n, args.seed + 1000 * i, not args.no_shrink, args.forward) for i, n in enumerate(shares)
    ]
    if args.jobs == 1:
        results = [_job(tasks[0])]
    else:
        with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
            results = pool.map(_job, tasks)
    elapsed = time.perf_counter() - start
    checked = sum(r["checked"] for r in results)
    skipped: Counter = Counter()
    for r in results:
        skipped.update(r["skipped"])
    failures = [f for r in results for f in r["failures"]]
    print(
        f"\nchecked {checked} programs in {elapsed:.0f} s ({os.cpu_count()} CPUs, "
        f"{args.jobs} jobs); {sum(skipped.values())} skipped, {len(failures)} failed"
    )
    for reason, n in skipped.most_common(12):
        print(f"  skipped {n:5d}: {reason}")
    for failure in failures:
        print("\n" + failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
