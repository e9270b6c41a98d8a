"""Logistic regression on millions of rows with Dask: the same s2s gradient, on a cluster.

The data set (several million rows, generated in chunks by Dask's random generator on the
workers of a ``dask.distributed.LocalCluster``; no process ever holds all of it) is fitted by
L-BFGS (scipy) with ``s2s.value_and_grad`` of a plain numpy objective. The weights are small
numpy arrays, the data are Dask arrays: the derivative builds a lazy Dask graph of chunk-wise
pieces, and one ``dask.compute`` per step runs it on the cluster. The fit is checked against
the same fit in numpy on a subsample (the estimates must agree within the subsample's
sampling error), and the Dask gradient against the numpy gradient on that subsample (to 1e-10).

    python examples/dask_logistic.py              # 3 million rows, 4 workers
    python examples/dask_logistic.py --fast       # 200 000 rows, 2 workers (the tests run this)

Needs ``dask[array]``, ``distributed`` and scipy. Exits 1 if a check fails.
"""

import argparse
import sys
import time

import numpy as np

import s2s


def objective(w, b, x, y, lam):
    """Mean logistic loss of labels y in {0, 1} plus an L2 penalty on w (not on b)."""
    z = x @ w + b
    data_term = np.mean(np.logaddexp(0.0, z) - y * z)  # log(1 + exp(z)) without overflow
    return data_term + 0.5 * lam * np.sum(w**2)


objective_value_and_grad = s2s.value_and_grad(objective, wrt=("w", "b"))


def make_data(rows, features, chunk, seed):
    """Features N(0, 1) and labels from a known logistic model, generated chunk by chunk."""
    import dask.array as da

    rng = da.random.default_rng(seed)
    x = rng.standard_normal((rows, features), chunks=(chunk, features))
    w_true = np.linspace(-1.0, 1.0, features)
    z = x @ w_true + 0.25
    y = (rng.random(rows, chunks=chunk) < 1.0 / (1.0 + da.exp(-z))).astype(np.float64)
    return x, y, w_true


def fit(value_and_grad, d, data, lam, compute):
    """L-BFGS from zeros; ``compute`` turns the (possibly lazy) value and gradients to numpy."""
    from scipy.optimize import minimize

    evaluations = []

    def fun(theta):
        value, (dw, db) = value_and_grad(theta[:d], theta[d], *data, lam)
        value, dw, db = compute(value, dw, db)
        evaluations.append(float(value))
        return float(value), np.concatenate([dw, [db]])

    result = minimize(fun, np.zeros(d + 1), jac=True, method="L-BFGS-B", options={"gtol": 1e-9})
    return result.x, result, len(evaluations)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=None, help="default 3 000 000")
    parser.add_argument("--features", type=int, default=10)
    parser.add_argument("--chunk", type=int, default=None, help="rows per chunk")
    parser.add_argument("--workers", type=int, default=None, help="default 4 (2 with --fast)")
    parser.add_argument("--subsample", type=int, default=None, help="rows fitted in numpy")
    parser.add_argument("--lam", type=float, default=1e-4, help="L2 penalty")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fast", action="store_true", help="200 000 rows on 2 workers")
    args = parser.parse_args(argv)
    rows = args.rows or (200_000 if args.fast else 3_000_000)
    chunk = args.chunk or (50_000 if args.fast else 250_000)
    workers = args.workers or (2 if args.fast else 4)
    subsample = min(args.subsample or (50_000 if args.fast else 200_000), rows)

    import dask
    from dask.distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, dashboard_address=None, processes=True
        ) as cluster,
        Client(cluster) as client,
    ):
        x, y, w_true = make_data(rows, args.features, chunk, args.seed)
        x, y = client.persist([x, y])  # generated on the workers, chunk by chunk, and kept there
        d = args.features
        print(
            f"{rows} rows x {d} features in {x.numblocks[0]} chunks of {chunk} rows, "
            f"on {workers} workers; lam {args.lam}"
        )

        start = time.perf_counter()
        theta, result, calls = fit(
            objective_value_and_grad, d, (x, y), args.lam, lambda *v: dask.compute(*v)
        )
        elapsed = time.perf_counter() - start
        print(
            f"dask fit: {calls} evaluations in {elapsed:.1f} s, objective {result.fun:.8f}, "
            f"converged: {result.success}"
        )

        # The same fit in numpy on a subsample: the first rows, brought to this process.
        xs, ys = dask.compute(x[:subsample], y[:subsample])
        theta_np, result_np, _ = fit(objective_value_and_grad, d, (xs, ys), args.lam, lambda *v: v)
        print(f"numpy fit on {subsample} rows: objective {result_np.fun:.8f}")

        # Exact check: on the subsample, the Dask gradient equals the numpy gradient.
        xd, yd = x[:subsample], y[:subsample]
        lazy = objective_value_and_grad(theta[:d], theta[d], xd, yd, args.lam)[1]
        dw_dask, db_dask = dask.compute(*lazy)
        dw_np, db_np = objective_value_and_grad(theta[:d], theta[d], xs, ys, args.lam)[1]
        scale = max(1e-12, float(np.max(np.abs(dw_np))))
        gap = max(float(np.max(np.abs(dw_dask - dw_np))), abs(float(db_dask - db_np))) / scale
        print(f"gradient on the subsample, dask vs numpy: relative difference {gap:.1e}")

    # Statistical check: both estimate the same parameters; the subsample's standard error
    # is about 1 / sqrt(p (1 - p) m) per coefficient for standard-normal features.
    tolerance = 6.0 / np.sqrt(0.2 * subsample)
    diff = float(np.max(np.abs(theta - theta_np)))
    truth = float(np.max(np.abs(theta[:d] - w_true)))
    print(f"max |dask fit - numpy subsample fit| = {diff:.4f} (tolerance {tolerance:.4f})")
    print(f"max |dask fit - true weights| = {truth:.4f}")
    ok = result.success and gap < 1e-10 and diff < tolerance
    print(f"checks passed: {ok}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
