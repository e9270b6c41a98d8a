"""Train a two-hidden-layer MLP on scikit-learn's digits, its parameters in a dict of dicts.

The same data, optimizer and accuracy target as ``train_mlp.py``, written the way most model
code is: ``params = {"hidden": {"w": ..., "b": ...}, "out": {...}}``, layers read by key and
looped over with ``.values()``, an L2 penalty summed over every weight. ``s2s.grad(loss)``
returns a dict with the same keys (docs/containers.md); ``--show-source`` prints the generated
derivative, in which each array is a name such as ``params_hidden_w``.

    python examples/train_mlp_dict.py                 # full run, exits 1 if test accuracy < 95%
    python examples/train_mlp_dict.py --fast          # a few epochs, for tests
    python examples/train_mlp_dict.py --show-source   # print the generated derivative first
"""

import argparse
import sys
import time

import numpy as np

import s2s

TARGET_ACCURACY = 0.95


def loss(params, x, y, l2):
    """Mean softmax cross-entropy of the MLP on x (n, 64) with integer labels y (n,), plus
    ``l2`` times the sum of squared weights."""
    h = x
    for layer in params["layers"]:
        h = np.tanh(h @ layer["w"] + layer["b"])
    z = h @ params["out"]["w"] + params["out"]["b"]
    shifted = z - s2s.stop_gradient(z.max(axis=1, keepdims=True))
    logp = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    penalty = sum(np.sum(layer["w"] ** 2) for layer in params["layers"])
    return -np.mean(logp[np.arange(x.shape[0]), y]) + l2 * penalty


loss_grad = s2s.grad(loss)  # wrt the first argument: a gradient dict shaped like params


def predict(params, x):
    h = x
    for layer in params["layers"]:
        h = np.tanh(h @ layer["w"] + layer["b"])
    return np.argmax(h @ params["out"]["w"] + params["out"]["b"], axis=1)


def load_data(seed):
    """Standardized digits, split 75/25 into train and test sets (stratified)."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    x, y = load_digits(return_X_y=True)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=0.25, stratify=y, random_state=seed
    )
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    std[std == 0] = 1.0
    return (x_train - mean) / std, (x_test - mean) / std, y_train, y_test


def dense(rng, n_in, n_out):
    return {"w": rng.standard_normal((n_in, n_out)) / np.sqrt(n_in), "b": np.zeros(n_out)}


def init_params(rng, sizes):
    """Hidden layers for consecutive ``sizes``, then a 10-way output layer."""
    layers = [dense(rng, a, b) for a, b in zip(sizes[:-1], sizes[1:])]
    return {"layers": layers, "out": dense(rng, sizes[-1], 10), "activation": "tanh"}


def accuracy(params, x, y):
    return float(np.mean(predict(params, x) == y))


def sgd_step(params, velocity, grads, lr, momentum):
    """In-place momentum SGD over matching trees (the string leaf has no gradient: None)."""
    for p, v, g in zip(*(s2s.tree.flatten(t)[0] for t in (params, velocity, grads)), strict=True):
        if g is not None:
            v *= momentum
            v -= lr * g
            p += v


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=None, help="default: 30 (3 with --fast)")
    parser.add_argument("--hidden", type=int, nargs="+", default=[64, 32])
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--l2", type=float, default=1e-4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fast", action="store_true", help="a few epochs; no accuracy check")
    parser.add_argument("--show-source", action="store_true")
    args = parser.parse_args(argv)
    epochs = args.epochs if args.epochs is not None else (3 if args.fast else 30)

    x_train, x_test, y_train, y_test = load_data(args.seed)
    rng = np.random.default_rng(args.seed)
    params = init_params(rng, [x_train.shape[1], *args.hidden])
    velocity = s2s.tree.unflatten(
        s2s.tree.flatten(params)[1],
        [np.zeros_like(v) if isinstance(v, np.ndarray) else v for v in s2s.tree.flatten(params)[0]],
    )
    n = x_train.shape[0]
    sizes = "-".join(map(str, [x_train.shape[1], *args.hidden, 10]))
    print(f"digits: {n} train / {x_test.shape[0]} test, MLP {sizes} (a dict), {epochs} epochs")
    if args.show_source:
        loss_grad(params, x_train[: args.batch_size], y_train[: args.batch_size], args.l2)
        print("generated derivative of loss:")
        print(loss_grad.source)

    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        order = rng.permutation(n)
        for lo in range(0, n, args.batch_size):
            batch = order[lo : lo + args.batch_size]
            grads = loss_grad(params, x_train[batch], y_train[batch], args.l2)
            sgd_step(params, velocity, grads, args.lr, args.momentum)
        print(
            f"epoch {epoch:3d}/{epochs}  loss {loss(params, x_train, y_train, args.l2):.4f}  "
            f"train acc {accuracy(params, x_train, y_train):.4f}  "
            f"test acc {accuracy(params, x_test, y_test):.4f}  "
            f"({time.perf_counter() - start:.1f} s)"
        )
    test_acc = accuracy(params, x_test, y_test)
    print(f"gradient keys: {sorted(grads)}, layer keys: {sorted(grads['layers'][0])}")
    print(f"final test accuracy: {test_acc:.4f}")
    if not args.fast and test_acc < TARGET_ACCURACY:
        print(f"FAILED: test accuracy below {TARGET_ACCURACY:.2f}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
