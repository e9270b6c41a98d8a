"""Fit the hyperparameters of a Gaussian process by maximum marginal likelihood, the model a
dataclass of named parameters, with ``scipy.optimize.minimize`` fed through ``s2s.tree.ravel``.

The model is GP regression with a squared-exponential kernel,
``k(a, b) = sf2 exp(-|a - b|^2 / (2 l^2))`` plus noise ``sn2`` on the diagonal; its negative log
marginal likelihood (Rasmussen and Williams, *Gaussian Processes for Machine Learning*, eq. 2.30)
is ``0.5 y^T K^-1 y + 0.5 log det K + n/2 log 2 pi``. The three hyperparameters live in a
dataclass on log scales; ``s2s.value_and_grad(nll)`` returns a ``Hyper`` of gradients, and
``s2s.tree.ravel`` turns both into the flat vectors L-BFGS-B wants. The data: noisy samples of
``sin(3x)``; the fitted noise level should come close to the true one (0.1).

    python examples/gp_regression.py            # fit, print the hyperparameters and test RMSE
    python examples/gp_regression.py --fast     # fewer points, for tests
"""

import argparse
import sys
from dataclasses import dataclass

import numpy as np

import s2s


@dataclass
class Hyper:
    """Log lengthscale, log signal variance and log noise variance of the GP."""

    log_lengthscale: float
    log_signal: float
    log_noise: float
    kernel: str = "squared exponential"  # a label: no gradient (None in the gradient)


def kernel(hyper, a, b):
    sq = (a[:, None] - b[None, :]) ** 2
    return np.exp(hyper.log_signal) * np.exp(-0.5 * sq / np.exp(2 * hyper.log_lengthscale))


def nll(hyper, x, y):
    """Negative log marginal likelihood of the targets y (n,) at inputs x (n,)."""
    sq = (x[:, None] - x[None, :]) ** 2
    k = np.exp(hyper.log_signal) * np.exp(-0.5 * sq / np.exp(2 * hyper.log_lengthscale))
    k = k + np.exp(hyper.log_noise) * np.eye(x.shape[0])
    alpha = np.linalg.solve(k, y)
    sign, logdet = np.linalg.slogdet(k)
    return 0.5 * (y @ alpha) + 0.5 * logdet + 0.5 * x.shape[0] * np.log(2 * np.pi)


nll_and_grad = s2s.value_and_grad(nll)  # (value, Hyper of gradients)


def predict(hyper, x, y, x_new):
    k = kernel(hyper, x, x) + np.exp(hyper.log_noise) * np.eye(x.shape[0])
    return kernel(hyper, x_new, x) @ np.linalg.solve(k, y)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=None, help="default 80 (30 with --fast)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fast", action="store_true")
    args = parser.parse_args(argv)
    from scipy.optimize import minimize

    n = args.points or (30 if args.fast else 80)
    rng = np.random.default_rng(args.seed)
    x = np.sort(rng.uniform(-2, 2, n))
    y = np.sin(3 * x) + 0.1 * rng.standard_normal(n)
    x_test = np.linspace(-2, 2, 200)

    start = Hyper(log_lengthscale=0.0, log_signal=0.0, log_noise=np.log(0.5))
    x0, unravel = s2s.tree.ravel(start)  # [log_lengthscale, log_signal, log_noise]

    def fun(v):
        value, grads = nll_and_grad(unravel(v), x, y)
        return value, s2s.tree.ravel_like(grads)

    result = minimize(fun, x0, jac=True, method="L-BFGS-B")
    fitted = unravel(result.x)
    _, grads = nll_and_grad(fitted, x, y)
    rmse = float(np.sqrt(np.mean((predict(fitted, x, y, x_test) - np.sin(3 * x_test)) ** 2)))
    print(f"{n} points, L-BFGS-B: {result.nit} iterations, nll {result.fun:.4f}")
    print(f"gradient type: {type(grads).__name__}, kernel label's gradient: {grads.kernel}")
    print(f"lengthscale {np.exp(fitted.log_lengthscale):.4f}")
    print(f"signal std {np.exp(0.5 * fitted.log_signal):.4f}")
    print(f"noise std {np.exp(0.5 * fitted.log_noise):.4f}")
    print(f"gradient norm at the optimum: {np.linalg.norm(s2s.tree.ravel_like(grads)):.2e}")
    print(f"test RMSE against sin(3x): {rmse:.4f}")
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
