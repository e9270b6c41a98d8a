"""Minimize the 100-dimensional Rosenbrock function with L-BFGS-B fed by s2s.value_and_grad.

``s2s.value_and_grad(f)`` returns ``(f(x), grad f(x))``, exactly what
``scipy.optimize.minimize(..., jac=True)`` expects. Before optimizing, the s2s gradient is
checked against scipy's hand-written ``rosen_der``. The minimum is at ``x = (1, ..., 1)``.

    python examples/rosenbrock.py
    python examples/rosenbrock.py --dim 10 --fast
"""

import argparse
import sys

import numpy as np

import s2s


def rosenbrock(x):
    """sum_i 100 (x[i+1] - x[i]^2)^2 + (1 - x[i])^2, written with slices."""
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


rosenbrock_value_and_grad = s2s.value_and_grad(rosenbrock)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tol", type=float, default=1e-4, help="largest accepted distance")
    parser.add_argument("--fast", action="store_true", help="accepted for uniformity; same run")
    args = parser.parse_args(argv)

    from scipy.optimize import minimize, rosen, rosen_der

    rng = np.random.default_rng(args.seed)
    x0 = rng.uniform(-0.5, 1.5, size=args.dim)

    value, grad = rosenbrock_value_and_grad(x0)
    grad_err = float(np.max(np.abs(grad - rosen_der(x0))) / np.max(np.abs(rosen_der(x0))))
    value_err = abs(float(value) - rosen(x0)) / abs(rosen(x0))
    print(f"rosenbrock in {args.dim} dimensions, f(x0) = {float(value):.6g}")
    print(f"relative error vs scipy at x0: value {value_err:.1e}, gradient {grad_err:.1e}")
    if grad_err > 1e-10 or value_err > 1e-10:
        print("FAILED: s2s gradient disagrees with scipy.optimize.rosen_der", file=sys.stderr)
        return 1

    result = minimize(
        rosenbrock_value_and_grad,
        x0,
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": 20_000, "ftol": 1e-15, "gtol": 1e-10},
    )
    distance = float(np.linalg.norm(result.x - 1.0))
    print(f"L-BFGS-B: {result.message}")
    print(f"iterations: {result.nit}, function evaluations: {result.nfev}")
    print(f"final value: {result.fun:.3e}")
    print(f"distance to optimum: {distance:.3e}")
    converged = distance < args.tol
    print(f"converged: {converged}")
    return 0 if converged else 1


if __name__ == "__main__":
    sys.exit(main())
