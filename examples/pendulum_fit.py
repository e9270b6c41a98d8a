"""Recover a pendulum's length and damping by differentiating through its integrator loop.

A damped pendulum, theta'' = -(g / L) sin(theta) - c theta', released from rest at theta0, is
integrated by semi-implicit Euler for a few hundred steps. Observations come from the true
parameters plus Gaussian noise; ``loss`` re-runs the integrator, a Python ``for`` loop, with
candidate (L, c) and returns the mean squared distance to the observations. s2s differentiates
the loop (backpropagation through the integrator), and ``s2s.value_and_grad`` feeds scipy's
L-BFGS-B with ``jac=True``. The gradient is first checked against central differences.

    python examples/pendulum_fit.py                 # exits 1 unless L and c are within 3%
    python examples/pendulum_fit.py --fast          # accepted for uniformity; same run
"""

import argparse
import sys
import time

import numpy as np

import s2s

GRAVITY = 9.81
TOLERANCE = 0.03  # largest accepted relative error of each recovered parameter


def loss(params, theta0, observed, dt, g):
    """Mean squared error of the simulated angles against observed (n,), params = (L, c)."""
    length = params[0]
    damping = params[1]
    theta = theta0
    omega = 0.0
    total = 0.0
    for k in range(observed.shape[0]):
        # Semi-implicit Euler: update the velocity first, then move with the new velocity.
        omega = omega - dt * (g / length * np.sin(theta) + damping * omega)
        theta = theta + dt * omega
        total = total + (theta - observed[k]) ** 2
    return total / observed.shape[0]


# (loss, d loss / d params): the pair scipy.optimize.minimize(jac=True) expects.
loss_value_and_grad = s2s.value_and_grad(loss, wrt="params")


def simulate(length, damping, theta0, n, dt, g):
    """The angles after each of n steps of the same integrator (plain numpy, no gradient)."""
    angles = np.empty(n)
    theta, omega = theta0, 0.0
    for k in range(n):
        omega = omega - dt * (g / length * np.sin(theta) + damping * omega)
        theta = theta + dt * omega
        angles[k] = theta
    return angles


def finite_difference_error(params, args, eps=1e-6):
    """Largest relative error of the s2s gradient against central differences, per parameter."""
    _, grad = loss_value_and_grad(params, *args)
    worst = 0.0
    for i in range(params.size):
        step = np.zeros_like(params)
        step[i] = eps
        numeric = (loss(params + step, *args) - loss(params - step, *args)) / (2 * eps)
        worst = max(worst, abs(numeric - grad[i]) / max(abs(numeric), 1e-12))
    return worst


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--length", type=float, default=1.5, help="true length L (m)")
    parser.add_argument("--damping", type=float, default=0.3, help="true damping c (1/s)")
    parser.add_argument("--theta0", type=float, default=1.0, help="initial angle (rad)")
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--dt", type=float, default=0.02)
    parser.add_argument("--noise", type=float, default=0.01, help="observation noise (rad)")
    parser.add_argument("--guess", type=float, nargs=2, default=[1.0, 0.1], metavar=("L", "C"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fast", action="store_true", help="accepted for uniformity; same run")
    args = parser.parse_args(argv)

    from scipy.optimize import minimize

    rng = np.random.default_rng(args.seed)
    clean = simulate(args.length, args.damping, args.theta0, args.steps, args.dt, GRAVITY)
    observed = clean + args.noise * rng.standard_normal(args.steps)
    fixed = (args.theta0, observed, args.dt, GRAVITY)
    print(
        f"pendulum: {args.steps} semi-implicit Euler steps of {args.dt} s, theta0 {args.theta0}"
        f" rad, noise {args.noise} rad; true L {args.length} m, c {args.damping} 1/s"
    )

    guess = np.array(args.guess, dtype=np.float64)
    fd_err = finite_difference_error(guess, fixed)
    print(f"gradient at the initial guess vs central differences: relative error {fd_err:.1e}")
    if fd_err > 1e-6:
        print("FAILED: s2s gradient disagrees with finite differences", file=sys.stderr)
        return 1

    evaluations = []

    def objective(params):
        value, grad = loss_value_and_grad(params, *fixed)
        evaluations.append(value)
        print(
            f"  eval {len(evaluations):3d}: L {params[0]:.5f}  c {params[1]:.5f}  "
            f"loss {value:.3e}  |grad| {np.linalg.norm(grad):.1e}"
        )
        return value, grad

    start = time.perf_counter()
    result = minimize(
        objective,
        guess,
        jac=True,
        method="L-BFGS-B",
        bounds=[(0.05, 20.0), (0.0, 10.0)],
        options={"ftol": 1e-14, "gtol": 1e-10},
    )
    elapsed = time.perf_counter() - start
    length, damping = (float(v) for v in result.x)
    err_length = abs(length - args.length) / args.length
    err_damping = abs(damping - args.damping) / args.damping
    print(
        f"L-BFGS-B: {result.message} ({result.nit} iterations, {result.nfev} evaluations, "
        f"{elapsed:.2f} s)"
    )
    print(f"noise floor: {args.noise**2:.3e}, final loss: {result.fun:.3e}")
    print(f"length:  true {args.length:.4f}  recovered {length:.4f}  error {100 * err_length:.2f}%")
    print(
        f"damping: true {args.damping:.4f}  recovered {damping:.4f}  error {100 * err_damping:.2f}%"
    )
    ok = err_length < TOLERANCE and err_damping < TOLERANCE
    print(f"recovered within {100 * TOLERANCE:.0f}%: {ok}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
