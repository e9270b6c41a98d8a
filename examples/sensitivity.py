"""Parameter sensitivities of an RK4-integrated predator-prey model, in forward mode.

The Lotka-Volterra system ``x' = a x - b x y``, ``y' = c x y - d y`` is integrated by the
classical fourth-order Runge-Kutta method, a Python ``for`` loop collecting the states in a
list. Its Jacobian with respect to the four parameters ``(a, b, c, d)`` has shape
``(steps, 2, 4)``: thousands of outputs from four inputs, so ``s2s.jacobian(mode="auto")``
chooses forward mode (four JVPs of the whole trajectory, each with tangent statements
interleaved with the integrator's; reverse mode would need one pullback per output entry).
The Jacobian is checked against central differences, and, when matplotlib is installed, the
sensitivities are plotted over time.

    python examples/sensitivity.py                    # 2000 steps, plot sensitivity.png
    python examples/sensitivity.py --fast --plot /tmp/sensitivity.png
"""

import argparse
import sys
import time

import numpy as np

import s2s

NAMES = ("a", "b", "c", "d")


def trajectory(theta, state0, dt, steps):
    """The states (steps, 2) after each RK4 step of Lotka-Volterra with theta = (a, b, c, d)."""
    a = theta[0]
    b = theta[1]
    c = theta[2]
    d = theta[3]
    x = state0[0]
    y = state0[1]
    states = []
    for _ in range(steps):
        k1x = a * x - b * x * y
        k1y = c * x * y - d * y
        x2 = x + 0.5 * dt * k1x
        y2 = y + 0.5 * dt * k1y
        k2x = a * x2 - b * x2 * y2
        k2y = c * x2 * y2 - d * y2
        x3 = x + 0.5 * dt * k2x
        y3 = y + 0.5 * dt * k2y
        k3x = a * x3 - b * x3 * y3
        k3y = c * x3 * y3 - d * y3
        x4 = x + dt * k3x
        y4 = y + dt * k3y
        k4x = a * x4 - b * x4 * y4
        k4y = c * x4 * y4 - d * y4
        x = x + dt / 6.0 * (k1x + 2.0 * k2x + 2.0 * k3x + k4x)
        y = y + dt / 6.0 * (k1y + 2.0 * k2y + 2.0 * k3y + k4y)
        states.append(np.stack([x, y]))
    return np.stack(states)


sensitivities = s2s.jacobian(trajectory, wrt="theta", mode="auto")


def central_differences(theta, args, eps=1e-6):
    """The same Jacobian by central differences, one parameter at a time."""
    columns = []
    for k in range(theta.size):
        e = np.zeros_like(theta)
        e[k] = eps
        columns.append((trajectory(theta + e, *args) - trajectory(theta - e, *args)) / (2 * eps))
    return np.stack(columns, axis=-1)


def plot(path, times, states, jac):
    """The trajectory and its sensitivity to each parameter, if matplotlib is installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot")
        return
    figure, axes = plt.subplots(3, 1, figsize=(8, 9), sharex=True)
    axes[0].plot(times, states[:, 0], label="prey x")
    axes[0].plot(times, states[:, 1], label="predator y")
    axes[0].set_ylabel("population")
    axes[0].legend()
    for row, label in ((1, "x"), (2, "y")):
        for k, name in enumerate(NAMES):
            axes[row].plot(times, jac[:, row - 1, k], label=f"d{label}/d{name}")
        axes[row].set_ylabel(f"sensitivity of {label}")
        axes[row].legend(ncol=4)
    axes[2].set_xlabel("time")
    figure.tight_layout()
    figure.savefig(path)
    print(f"plot saved to {path}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=None, help="default 2000 (300 with --fast)")
    parser.add_argument("--dt", type=float, default=0.01)
    parser.add_argument("--plot", default="sensitivity.png", help="where to save the plot")
    parser.add_argument("--fast", action="store_true", help="a shorter trajectory")
    args = parser.parse_args(argv)
    steps = args.steps or (300 if args.fast else 2000)

    theta = np.array([1.1, 0.4, 0.1, 0.4])
    state0 = np.array([10.0, 5.0])
    data = (state0, args.dt, steps)
    start = time.perf_counter()
    jac = sensitivities(theta, *data)
    elapsed = time.perf_counter() - start
    print(f"Lotka-Volterra, RK4: {steps} steps of {args.dt}, {theta.size} parameters")
    print(f"jacobian shape {jac.shape}, mode chosen: {sensitivities.chosen} "
          f"({1e3 * elapsed:.0f} ms, generation included)")  # fmt: skip
    start = time.perf_counter()
    sensitivities(theta, *data)
    print(f"jacobian again: {1e3 * (time.perf_counter() - start):.0f} ms")
    numeric = central_differences(theta, data)
    error = np.max(np.abs(jac - numeric)) / np.max(np.abs(numeric))
    print(f"vs central differences: relative error {error:.1e}")
    final = jac[-1]
    for i, label in enumerate(("x", "y")):
        shown = ", ".join(f"d{label}/d{n} {final[i, k]:+.3g}" for k, n in enumerate(NAMES))
        print(f"at t = {steps * args.dt:g}: {shown}")
    plot(args.plot, args.dt * np.arange(1, steps + 1), trajectory(theta, *data), jac)
    if sensitivities.chosen != "forward" or error > 1e-5:
        print("FAILED: forward mode expected, agreeing with central differences", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
