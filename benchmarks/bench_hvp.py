"""Benchmark Hessian-vector products against gradients, and the Jacobian in each mode.

1. ``s2s.hvp`` (forward over reverse: a JVP of the generated gradient) against ``s2s.grad`` on
   the MLP loss of ``bench_mlp.py`` (64-128-10, tanh, softmax cross-entropy): the cheap-gradient
   principle bounds ``hvp / grad`` by a small constant; the target is at most 4.
2. ``s2s.jacobian`` on a tall function (few inputs, many outputs: an RK4 trajectory's
   sensitivities) and a wide one (many inputs, few outputs: a tanh layer's outputs by its
   weights): forward against reverse mode, and ``mode="auto"`` against the mode it chose
   (auto's decision must cost nothing: at most 10% slower than the other mode, target).

Each figure is the median of paired ratios: the two calls run back to back, alternating
which goes first, and each pair gives one ratio. Targets are reported, never asserted.

    python benchmarks/bench_hvp.py
    python benchmarks/bench_hvp.py --quick      # few repeats, for tests
"""

import argparse
import functools
import os
import statistics
import sys
import time

# pinned to one core (taskset): BLAS threads would only contend for it, adding noise
for _threads in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_threads, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples"))

import bench_mlp  # noqa: E402  (the MLP loss and its inputs)
import sensitivity  # noqa: E402  (the RK4 trajectory)

import s2s  # noqa: E402

TARGETS = {"hvp_over_grad": 4.0, "auto_over_other": 1.10}


def paired_ratio(first, second, repeats):
    """Median over ``repeats`` pairs of (time of ``first()``) / (time of ``second()``)."""
    first()
    second()
    ratios = []
    for r in range(repeats):
        order = (first, second) if r % 2 == 0 else (second, first)
        seconds = {}
        for fn in order:
            start = time.perf_counter()
            fn()
            seconds[fn] = time.perf_counter() - start
        ratios.append(seconds[first] / seconds[second])
    return statistics.median(ratios)


def median_seconds(fn, repeats):
    fn()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def wide(w, x):
    """A tanh layer's 4 outputs as a function of its 400 weights."""
    return np.tanh(x @ w)


def hvp_section(batches, repeats):
    print("hvp (forward over reverse) / grad on the MLP loss, wrt w1, b1, w2, b2")
    print(f"{'batch':>6} | {'grad ms':>9} {'hvp ms':>9} | {'hvp/grad':>9}  target <= "
          f"{TARGETS['hvp_over_grad']:g}")  # fmt: skip
    grad = s2s.grad(bench_mlp.loss, wrt=bench_mlp.WRT)
    hvp = s2s.hvp(bench_mlp.loss, wrt=bench_mlp.WRT)
    worst = 0.0
    for batch in batches:
        args = bench_mlp.make_inputs(batch)
        rng = np.random.default_rng(batch)
        directions = [rng.standard_normal(a.shape) for a in args[:4]]
        # the product agrees with central differences of the gradient
        plus = grad(*[a + 1e-6 * v for a, v in zip(args[:4], directions)], *args[4:])
        minus = grad(*[a - 1e-6 * v for a, v in zip(args[:4], directions)], *args[4:])
        product = hvp(*args, *directions)
        error = max(float(np.max(np.abs((p - m) / 2e-6 - h))) / float(np.max(np.abs(h)))
                    for p, m, h in zip(plus, minus, product))  # fmt: skip
        call_hvp = functools.partial(hvp, *args, *directions)
        call_grad = functools.partial(grad, *args)
        ratio = paired_ratio(call_hvp, call_grad, repeats)
        worst = max(worst, ratio)
        print(f"{batch:>6} | {1e3 * median_seconds(call_grad, repeats):>9.3f} "
              f"{1e3 * median_seconds(call_hvp, repeats):>9.3f} | "
              f"{ratio:>9.2f}   (vs central differences: {error:.1e})")  # fmt: skip
    return worst


def jacobian_section(repeats, quick):
    print("\njacobian: the mode auto chose against the other mode, auto against its choice")
    print(f"{'function':<32} {'in':>5} {'out':>5} | {'chosen':>8} {'chosen/other':>13} "
          f"{'auto/other':>11} {'auto/chosen':>12}")  # fmt: skip
    rng = np.random.default_rng(0)
    theta = np.array([1.1, 0.4, 0.1, 0.4])
    steps, inputs = (20, 25) if quick else (50, 100)
    tall_args = (theta, np.array([10.0, 5.0]), 0.01, steps)
    w, x = rng.standard_normal((inputs, 4)) / 10, rng.standard_normal((1, inputs))
    cases = [
        ("tall: RK4 sensitivities", sensitivity.trajectory, "theta", tall_args, 4, 2 * steps),
        ("wide: tanh layer by its weights", wide, "w", (w, x), 4 * inputs, 4),
    ]
    worst = 0.0
    for label, f, wrt, args, n_in, n_out in cases:
        auto = s2s.jacobian(f, wrt=wrt, mode="auto")
        auto(*args)
        chosen = auto.chosen
        other = "reverse" if chosen == "forward" else "forward"
        mine = s2s.jacobian(f, wrt=wrt, mode=chosen)
        theirs = s2s.jacobian(f, wrt=wrt, mode=other)
        np.testing.assert_allclose(mine(*args), theirs(*args), rtol=1e-9, atol=1e-12)
        count = max(3, repeats // 20)
        call_auto = functools.partial(auto, *args)
        call_mine, call_theirs = functools.partial(mine, *args), functools.partial(theirs, *args)
        chosen_other = paired_ratio(call_mine, call_theirs, count)
        auto_other = paired_ratio(call_auto, call_theirs, count)
        auto_chosen = paired_ratio(call_auto, call_mine, count)
        worst = max(worst, auto_other)
        print(f"{label:<32} {n_in:>5} {n_out:>5} | {chosen:>8} {chosen_other:>13.3f} "
              f"{auto_other:>11.3f} {auto_chosen:>12.3f}")  # fmt: skip
    return worst


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, nargs="+", default=None, help="default 32 256")
    parser.add_argument("--repeats", type=int, default=None, help="default 200 (10 with --quick)")
    parser.add_argument("--quick", action="store_true", help="few repeats, for tests")
    args = parser.parse_args(argv)
    repeats = args.repeats or (10 if args.quick else 200)
    batches = args.batches or ([32] if args.quick else [32, 256])
    worst_hvp = hvp_section(batches, repeats)
    worst_auto = jacobian_section(repeats, args.quick)
    print(f"\nhvp/grad at most {worst_hvp:.2f} (target <= {TARGETS['hvp_over_grad']:g}): "
          f"{'met' if worst_hvp <= TARGETS['hvp_over_grad'] else 'missed'}")  # fmt: skip
    print(f"auto/other at most {worst_auto:.3f} (target <= {TARGETS['auto_over_other']:g}): "
          f"{'met' if worst_auto <= TARGETS['auto_over_other'] else 'missed'}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
