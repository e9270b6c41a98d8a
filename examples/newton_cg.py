"""Newton-CG and trust-krylov with s2s gradients and Hessian-vector products, against BFGS.

L2-regularized logistic regression on scikit-learn's breast cancer data (standardized):

    f(theta) = mean(log(1 + exp(z)) - y * z) + lam / 2 * ||w||^2,   z = x @ w + b,

with ``theta = (w, b)``. ``scipy.optimize.minimize`` is given ``jac=s2s.grad(f)`` and, for the
two second-order methods, ``hessp=s2s.hvp(f)``: forward over reverse, a JVP of the generated
gradient, so each product costs a few gradients and the 31 x 31 Hessian is never formed. BFGS
gets the same gradient and builds its own curvature from gradient differences. Printed per
method: iterations, evaluations of f, of the gradient and of Hessian-vector products, the median
time of a solve, and the final objective (all three reach the same minimum).

    python examples/newton_cg.py
    python examples/newton_cg.py --fast            # one timed solve per method
    python examples/newton_cg.py --show-source     # the generated Hessian-vector product
"""

import argparse
import statistics
import sys
import time

import numpy as np

import s2s


def make_objective(x, y, lam):
    """The objective of one data set: a function of theta alone (scipy's form)."""

    def objective(theta):
        w = theta[:-1]
        b = theta[-1]
        z = x @ w + b
        # log(1 + exp(z)) computed without overflow
        return np.mean(np.logaddexp(0.0, z) - y * z) + 0.5 * lam * np.sum(w * w)

    return objective


def load_data():
    """Standardized features and labels (float 0/1) of scikit-learn's breast cancer data."""
    from sklearn.datasets import load_breast_cancer

    x, y = load_breast_cancer(return_X_y=True)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    return x, y.astype(np.float64)


def solve(method, objective, gradient, product, theta0, tol):
    """One ``minimize`` run; the Hessian-vector product only for the methods that take one."""
    from scipy.optimize import minimize

    options = {"hessp": product} if method in ("Newton-CG", "trust-krylov") else {}
    return minimize(objective, theta0, jac=gradient, method=method, tol=tol, **options)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lam", type=float, default=1e-3, help="L2 penalty")
    parser.add_argument("--repeats", type=int, default=None, help="timed solves (default 7)")
    parser.add_argument("--tol", type=float, default=1e-10)
    parser.add_argument("--fast", action="store_true", help="one timed solve per method")
    parser.add_argument("--show-source", action="store_true")
    args = parser.parse_args(argv)
    repeats = args.repeats or (1 if args.fast else 7)

    x, y = load_data()
    n, d = x.shape
    objective = make_objective(x, y, args.lam)
    gradient = s2s.grad(objective)
    product = s2s.hvp(objective)
    theta0 = np.zeros(d + 1)
    print(f"breast cancer: {n} samples, {d} features (+ bias), lam {args.lam}")

    # the Hessian-vector product agrees with central differences of the gradient
    v = np.random.default_rng(0).standard_normal(d + 1)
    numeric = (gradient(theta0 + 1e-6 * v) - gradient(theta0 - 1e-6 * v)) / 2e-6
    error = np.max(np.abs(product(theta0, v) - numeric)) / np.max(np.abs(numeric))
    print(f"hvp vs central differences of the gradient: relative error {error:.1e}")

    print(f"{'method':<13} {'iterations':>10} {'f evals':>8} {'grad evals':>10} "
          f"{'hvp evals':>9} {'time ms':>8} {'final objective':>18}")  # fmt: skip
    finals = {}
    for method in ("Newton-CG", "trust-krylov", "BFGS"):
        result = solve(method, objective, gradient, product, theta0, args.tol)  # warm
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            result = solve(method, objective, gradient, product, theta0, args.tol)
            times.append(time.perf_counter() - start)
        finals[method] = result.fun
        print(f"{method:<13} {result.nit:>10} {result.nfev:>8} {result.get('njev', 0):>10} "
              f"{result.get('nhev', 0):>9} {1e3 * statistics.median(times):>8.1f} "
              f"{result.fun:>18.12f}")  # fmt: skip
    spread = max(finals.values()) - min(finals.values())
    print(f"final objectives agree within {spread:.1e}")
    if args.show_source:
        print("generated Hessian-vector product of objective:")
        print(product.source)
    if spread > 1e-7:
        print("FAILED: the methods did not reach the same minimum", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
