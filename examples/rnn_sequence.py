"""Train a vanilla RNN for next-step prediction of the yearly sunspot numbers, with s2s gradients.

The data are the yearly sunspot numbers 1700-2008 bundled with statsmodels (no download). The
series is standardized with the statistics of its first 80%, which is cut into windows of 20
years; the RNN reads a window one year at a time and predicts the next year at every step:

    h = tanh(x[t] @ wx + h @ wh + b),    prediction = h @ wo + bo

The recurrence is an ordinary Python ``for`` loop over time steps inside ``loss``; s2s turns it
into a forward loop that tapes what the backward pass needs and a reversed loop (backpropagation
through time). Training uses Adam, written in numpy. On the held-out last 20% of the years, each
year is predicted from the 20 years before it, and the RMSE is compared with the naive forecast
"same as last year". ``--show-source`` prints the generated derivative.

    python examples/rnn_sequence.py                 # full run, exits 1 unless it beats naive
    python examples/rnn_sequence.py --fast          # a few epochs, for tests
    python examples/rnn_sequence.py --show-source   # print the generated derivative first
"""

import argparse
import sys
import time

import numpy as np

import s2s

PARAMS = ("wx", "wh", "b", "wo", "bo")


def loss(wx, wh, b, wo, bo, x, y):
    """Mean squared next-step error of the RNN over windows x (T, batch, 1), targets y alike."""
    h = np.zeros((x.shape[1], wh.shape[0]))
    total = 0.0
    for t in range(x.shape[0]):
        h = np.tanh(x[t] @ wx + h @ wh + b)
        err = h @ wo + bo - y[t]
        total = total + np.mean(err * err)
    return total / x.shape[0]


# Gradients with respect to the five parameters, in this order; called with loss's arguments.
loss_grad = s2s.grad(loss, wrt=PARAMS)


def predict_last(wx, wh, b, wo, bo, x):
    """The RNN's prediction after the last step of each window of x (T, batch, 1): (batch,)."""
    h = np.zeros((x.shape[1], wh.shape[0]))
    for t in range(x.shape[0]):
        h = np.tanh(x[t] @ wx + h @ wh + b)
    return (h @ wo + bo)[:, 0]


def load_series():
    """Yearly sunspot numbers (float64) and their first year."""
    import statsmodels.api as sm

    data = sm.datasets.sunspots.load_pandas().data
    return data["SUNACTIVITY"].to_numpy(dtype=np.float64), int(data["YEAR"].iloc[0])


def windows(z, starts, length):
    """Inputs z[s : s + length] and next-step targets z[s + 1 : s + length + 1], time-major."""
    idx = np.asarray(starts)[None, :] + np.arange(length)[:, None]  # (length, n)
    return z[idx][..., None], z[idx + 1][..., None]


def init_params(rng, n_hidden):
    """Small random input and output weights, an orthogonal-ish recurrence scaled below 1."""
    wx = rng.standard_normal((1, n_hidden))
    q, _ = np.linalg.qr(rng.standard_normal((n_hidden, n_hidden)))
    wh = 0.9 * q
    b = np.zeros(n_hidden)
    wo = rng.standard_normal((n_hidden, 1)) / np.sqrt(n_hidden)
    bo = np.zeros(1)
    return [wx, wh, b, wo, bo]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=None, help="default: 60 (10 with --fast)")
    parser.add_argument("--hidden", type=int, default=24)
    parser.add_argument("--steps", type=int, default=20, help="window length (time steps)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--train-fraction", type=float, default=0.8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fast", action="store_true", help="a few epochs; no baseline check")
    parser.add_argument(
        "--show-source", action="store_true", help="print the generated derivative, then train"
    )
    args = parser.parse_args(argv)
    epochs = args.epochs if args.epochs is not None else (10 if args.fast else 60)
    T = args.steps

    series, first_year = load_series()
    n_train = int(round(args.train_fraction * len(series)))
    mean, std = series[:n_train].mean(), series[:n_train].std()
    z = (series - mean) / std

    # Training windows lie entirely in the training years (targets included).
    x_train, y_train = windows(z, np.arange(n_train - T), T)
    # Each held-out year j is predicted from the T years before it.
    test_years = np.arange(n_train, len(z))
    x_test, _ = windows(z, test_years - T, T)
    truth = series[test_years]
    n_windows = x_train.shape[1]
    print(
        f"sunspots {first_year}-{first_year + len(series) - 1}: {n_train} training years "
        f"({n_windows} windows of {T}), {len(test_years)} held-out years "
        f"({first_year + n_train}-{first_year + len(series) - 1}); RNN 1-{args.hidden}-1, "
        f"batch {args.batch_size}, Adam lr {args.lr}, {epochs} epochs"
    )

    rng = np.random.default_rng(args.seed)
    params = init_params(rng, args.hidden)

    if args.show_source:
        batch = slice(0, args.batch_size)
        loss_grad(*params, x_train[:, batch], y_train[:, batch])
        print("generated derivative of loss:")
        print(loss_grad.source)

    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    step = 0
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        order = rng.permutation(n_windows)
        for lo in range(0, n_windows, args.batch_size):
            batch = order[lo : lo + args.batch_size]
            grads = loss_grad(*params, x_train[:, batch], y_train[:, batch])
            step += 1
            for p, m_p, v_p, g in zip(params, m, v, grads, strict=True):
                m_p *= beta1
                m_p += (1 - beta1) * g
                v_p *= beta2
                v_p += (1 - beta2) * g * g
                p -= args.lr * (m_p / (1 - beta1**step)) / (np.sqrt(v_p / (1 - beta2**step)) + eps)
        if epoch == 1 or epoch % max(1, epochs // 12) == 0 or epoch == epochs:
            train_loss = loss(*params, x_train, y_train)
            print(
                f"epoch {epoch:4d}/{epochs}  train loss {train_loss:.4f}  "
                f"({time.perf_counter() - start:.1f} s)"
            )

    prediction = predict_last(*params, x_test) * std + mean
    rnn_rmse = float(np.sqrt(np.mean((prediction - truth) ** 2)))
    naive_rmse = float(np.sqrt(np.mean((series[test_years - 1] - truth) ** 2)))
    print(f"held-out RMSE (sunspot number): RNN {rnn_rmse:.2f}, naive (last year) {naive_rmse:.2f}")
    print(f"RNN / naive: {rnn_rmse / naive_rmse:.3f}")
    if not args.fast and rnn_rmse >= naive_rmse:
        print("FAILED: the RNN does not beat the naive forecast", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
