"""Train a one-hidden-layer MLP on scikit-learn's handwritten digits with s2s gradients.

The model is ``softmax(tanh(x @ w1 + b1) @ w2 + b2)`` trained with minibatch SGD with momentum
on the 8x8 digits bundled with scikit-learn (no download). The only derivative code in this file
is the one s2s generates from ``loss``; ``--show-source`` prints it.

    python examples/train_mlp.py                 # full run, exits 1 if test accuracy < 95%
    python examples/train_mlp.py --fast          # a few epochs, for tests
    python examples/train_mlp.py --show-source   # print the generated derivative first
"""

import argparse
import sys
import time

import numpy as np

import s2s

TARGET_ACCURACY = 0.95


def loss(w1, b1, w2, b2, x, y):
    """Mean softmax cross-entropy of the MLP on inputs x (n, 64) with integer labels y (n,)."""
    h = np.tanh(x @ w1 + b1)
    z = h @ w2 + b2
    # Shifting each row by its max keeps exp() finite; the shift cancels in log-softmax, so it
    # needs no gradient.
    shifted = z - s2s.stop_gradient(z.max(axis=1, keepdims=True))
    logp = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(logp[np.arange(x.shape[0]), y])


# Gradients with respect to the four parameters, in this order; called with loss's arguments.
loss_grad = s2s.grad(loss, wrt=("w1", "b1", "w2", "b2"))


def predict(w1, b1, w2, b2, x):
    """Predicted class of each row of x."""
    return np.argmax(np.tanh(x @ w1 + b1) @ w2 + b2, axis=1)


def load_data(seed):
    """Standardized digits, split 75/25 into train and test sets (stratified)."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    x, y = load_digits(return_X_y=True)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=0.25, stratify=y, random_state=seed
    )
    mean = x_train.mean(axis=0)
    std = x_train.std(axis=0)
    std[std == 0] = 1.0  # some border pixels are always 0
    return (x_train - mean) / std, (x_test - mean) / std, y_train, y_test


def init_params(rng, n_in, n_hidden, n_out):
    """Weights scaled by 1/sqrt(fan-in), zero biases, all float64."""
    w1 = rng.standard_normal((n_in, n_hidden)) / np.sqrt(n_in)
    b1 = np.zeros(n_hidden)
    w2 = rng.standard_normal((n_hidden, n_out)) / np.sqrt(n_hidden)
    b2 = np.zeros(n_out)
    return [w1, b1, w2, b2]


def accuracy(params, x, y):
    return float(np.mean(predict(*params, x) == y))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=None, help="default: 30 (3 with --fast)")
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fast", action="store_true", help="a few epochs; no accuracy check")
    parser.add_argument(
        "--show-source", action="store_true", help="print the generated derivative, then train"
    )
    args = parser.parse_args(argv)
    epochs = args.epochs if args.epochs is not None else (3 if args.fast else 30)

    x_train, x_test, y_train, y_test = load_data(args.seed)
    rng = np.random.default_rng(args.seed)
    params = init_params(rng, x_train.shape[1], args.hidden, 10)
    velocity = [np.zeros_like(p) for p in params]
    n = x_train.shape[0]
    print(
        f"digits: {n} train / {x_test.shape[0]} test, MLP {x_train.shape[1]}-{args.hidden}-10, "
        f"batch {args.batch_size}, lr {args.lr}, momentum {args.momentum}, {epochs} epochs"
    )

    if args.show_source:
        loss_grad(*params, x_train[: args.batch_size], y_train[: args.batch_size])
        print("generated derivative of loss:")
        print(loss_grad.source)

    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        order = rng.permutation(n)
        for lo in range(0, n, args.batch_size):
            batch = order[lo : lo + args.batch_size]
            grads = loss_grad(*params, x_train[batch], y_train[batch])
            for p, v, g in zip(params, velocity, grads, strict=True):
                v *= args.momentum
                v -= args.lr * g
                p += v
        train_loss = loss(*params, x_train, y_train)
        print(
            f"epoch {epoch:3d}/{epochs}  loss {train_loss:.4f}  "
            f"train acc {accuracy(params, x_train, y_train):.4f}  "
            f"test acc {accuracy(params, x_test, y_test):.4f}  "
            f"({time.perf_counter() - start:.1f} s)"
        )

    test_acc = accuracy(params, x_test, y_test)
    print(f"final test accuracy: {test_acc:.4f}")
    if not args.fast and test_acc < TARGET_ACCURACY:
        print(f"FAILED: test accuracy below {TARGET_ACCURACY:.2f}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
