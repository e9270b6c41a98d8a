"""L2-regularized logistic regression on scikit-learn's breast cancer data with s2s gradients.

Full-batch gradient descent (with Nesterov momentum) on the objective

    mean(log(1 + exp(z)) - y * z) + lam / 2 * ||w||^2,   z = x @ w + b,

compared with scikit-learn's ``LogisticRegression`` on the same objective (``C = 1 / (lam * n)``).
At scikit-learn's solution the s2s gradient should be nearly zero, which checks it independently.

    python examples/logistic_regression.py
    python examples/logistic_regression.py --fast
"""

import argparse
import sys

import numpy as np

import s2s


def objective(w, b, x, y, lam):
    """Mean logistic loss of labels y in {0, 1} plus an L2 penalty on w (not on b)."""
    z = x @ w + b
    # log(1 + exp(z)) computed without overflow.
    data_term = np.mean(np.logaddexp(0.0, z) - y * z)
    return data_term + 0.5 * lam * np.sum(w**2)


objective_grad = s2s.grad(objective, wrt=("w", "b"))


def load_data(seed):
    """Standardized features, split 75/25 (stratified), labels as float64 0/1."""
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    x, y = load_breast_cancer(return_X_y=True)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y.astype(np.float64), test_size=0.25, stratify=y, random_state=seed
    )
    mean = x_train.mean(axis=0)
    std = x_train.std(axis=0)
    return (x_train - mean) / std, (x_test - mean) / std, y_train, y_test


def accuracy(w, b, x, y):
    return float(np.mean(((x @ w + b) > 0) == (y > 0.5)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=None, help="default: 2000 (200 with --fast)")
    parser.add_argument("--lam", type=float, default=1e-2, help="L2 penalty")
    parser.add_argument("--lr", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fast", action="store_true", help="fewer steps; no accuracy check")
    args = parser.parse_args(argv)
    steps = args.steps if args.steps is not None else (200 if args.fast else 2000)

    from sklearn.linear_model import LogisticRegression

    x_train, x_test, y_train, y_test = load_data(args.seed)
    n, d = x_train.shape
    print(f"breast cancer: {n} train / {x_test.shape[0]} test, {d} features, lam {args.lam}")

    w, b = np.zeros(d), np.float64(0.0)
    w_prev, b_prev = w, b
    report = max(1, steps // 5)
    for step in range(1, steps + 1):
        # Nesterov: evaluate the gradient at the extrapolated point.
        beta = (step - 1) / (step + 2)
        w_look = w + beta * (w - w_prev)
        b_look = b + beta * (b - b_prev)
        dw, db = objective_grad(w_look, b_look, x_train, y_train, args.lam)
        w_prev, b_prev = w, b
        w = w_look - args.lr * dw
        b = b_look - args.lr * db
        if step % report == 0 or step == steps:
            print(
                f"step {step:5d}  objective {objective(w, b, x_train, y_train, args.lam):.6f}  "
                f"grad norm {np.sqrt(np.sum(dw**2) + db**2):.2e}"
            )

    ours = accuracy(w, b, x_test, y_test)
    ref = LogisticRegression(C=1.0 / (args.lam * n), tol=1e-10, max_iter=10_000)
    ref.fit(x_train, y_train)
    w_ref, b_ref = ref.coef_[0], ref.intercept_[0]
    theirs = accuracy(w_ref, b_ref, x_test, y_test)
    dw_ref, db_ref = objective_grad(w_ref, b_ref, x_train, y_train, args.lam)

    ours_obj = objective(w, b, x_train, y_train, args.lam)
    ref_obj = objective(w_ref, b_ref, x_train, y_train, args.lam)
    ref_grad_norm = np.sqrt(np.sum(dw_ref**2) + db_ref**2)
    print(f"objective (s2s gradient descent): {ours_obj:.8f}")
    print(f"objective (scikit-learn):         {ref_obj:.8f}")
    print(f"s2s gradient norm at scikit-learn's solution: {ref_grad_norm:.2e}")
    print(f"test accuracy (scikit-learn): {theirs:.4f}")
    print(f"test accuracy (s2s): {ours:.4f}")
    if not args.fast and ours < theirs - 0.02:
        print("FAILED: s2s accuracy is more than 2 points below scikit-learn's", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
