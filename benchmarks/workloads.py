"""The workloads of ``benchmarks/run_all.py``: primal, inputs, hand-written gradient.

Each primal is written against the module-level name ``np`` only (plus operators, slicing and
``.T``), so that the harness can rebind ``np`` to ``autograd.numpy``, ``jax.numpy`` or a thin
PyTorch spelling and differentiate the very same source with each peer. Everything is float64.

A workload is a :class:`Workload`: ``f(*args)`` returns a scalar; ``wrt`` names the
differentiated parameters (the leading arguments); ``hand`` is the gradient written by hand in
numpy (a tuple in ``wrt`` order), or ``None`` for the small scientific functions, which are
measured against their primal instead.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Workload:
    name: str
    f: Callable
    make: Callable  # seed -> tuple of arguments
    wrt: tuple
    hand: Callable | None = None
    skip: dict = field(default_factory=dict)  # peer name -> reason it is not run
    slow: dict = field(default_factory=dict)  # peer name -> why it runs only with --slow-peers


# 1. MLP 64-128-10, batch 256, np.dot, softmax cross-entropy (one-hot targets).
def mlp(w1, b1, w2, b2, x, onehot):
    h = np.tanh(np.dot(x, w1) + b1)
    z = np.dot(h, w2) + b2
    lse = np.log(np.sum(np.exp(z), axis=1))
    return np.mean(lse - np.sum(z * onehot, axis=1))


def mlp_hand(w1, b1, w2, b2, x, onehot):
    h = np.tanh(np.dot(x, w1) + b1)
    e = np.exp(np.dot(h, w2) + b2)
    dz = (e / e.sum(axis=1, keepdims=True) - onehot) / x.shape[0]
    da = np.dot(dz, w2.T) * (1.0 - h * h)
    return np.dot(x.T, da), da.sum(axis=0), np.dot(h.T, dz), dz.sum(axis=0)


def mlp_make(seed):
    rng = np.random.default_rng(seed)
    onehot = np.eye(10)[rng.integers(0, 10, 256)]
    return (rng.standard_normal((64, 128)) / 8, 0.1 * rng.standard_normal(128),
            rng.standard_normal((128, 10)) / 11, 0.1 * rng.standard_normal(10),
            rng.standard_normal((256, 64)), onehot)


# 2. About 45 elementwise operations on arrays of 10.
def elementwise(a, b):
    c = np.sin(a) * b + np.cos(b) * a
    d = np.exp(0.1 * c) - np.tanh(a * b) + 2.0 * a
    e = d * d + c / (1.0 + b * b) - np.sqrt(1.0 + a * a)
    f = np.log(1.0 + e * e) * np.sin(d) + np.cos(c * 0.5) * b
    g = f * a - e * b + np.tanh(f) * np.exp(-0.1 * d * d)
    h = g * g + 3.0 * f * c - np.sin(g) * np.cos(e) + a / (2.0 + np.cos(b))
    return np.sum(h * h + np.tanh(h) * d - 0.5 * g)


def elementwise_hand(a, b):
    """Reverse mode by hand: the primal's intermediates kept, each partial written once."""
    sa, cb, ab = np.sin(a), np.cos(b), a * b
    c = sa * b + cb * a
    ec, tab = np.exp(0.1 * c), np.tanh(ab)
    d = ec - tab + 2.0 * a
    ib, sq = 1.0 / (1.0 + b * b), np.sqrt(1.0 + a * a)
    e = d * d + c * ib - sq
    le, sd, cc = np.log(1.0 + e * e), np.sin(d), np.cos(c * 0.5)
    f = le * sd + cc * b
    tf, ed = np.tanh(f), np.exp(-0.1 * d * d)
    g = f * a - e * b + tf * ed
    sg, cg, ce, den = np.sin(g), np.cos(g), np.cos(e), 2.0 + cb
    h = g * g + 3.0 * f * c - sg * ce + a / den
    th = np.tanh(h)
    gh = 2.0 * h + (1.0 - th * th) * d
    gd = th
    gg = gh * (2.0 * g - cg * ce) - 0.5
    gf = 3.0 * gh * c + gg * (a + (1.0 - tf * tf) * ed)
    gc = 3.0 * gh * f
    ge = gh * sg * np.sin(e) - gg * b
    ga = gh / den + gg * f
    gb = gh * a * np.sin(b) / (den * den) - gg * e
    gd = gd - 0.2 * gg * tf * ed * d
    ge = ge + gf * sd * 2.0 * e / (1.0 + e * e)
    gd = gd + gf * le * np.cos(d)
    gc = gc - 0.5 * gf * b * np.sin(c * 0.5)
    gb = gb + gf * cc
    gd = gd + 2.0 * ge * d
    gc = gc + ge * ib
    gb = gb - 2.0 * ge * c * b * ib * ib
    ga = ga - ge * a / sq
    gc = gc + 0.1 * gd * ec
    t = gd * (1.0 - tab * tab)
    ga = ga - t * b + 2.0 * gd + gc * (np.cos(a) * b + cb)
    gb = gb - t * a + gc * (sa - np.sin(b) * a)
    return ga, gb


def elementwise_make(seed):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(10), rng.standard_normal(10)


# 3. RNN, 50 steps of a Python loop, np.dot.
def rnn(wx, wh, xs):
    h = np.zeros(wh.shape[0])
    for t in range(50):
        h = np.tanh(np.dot(xs[t], wx) + np.dot(h, wh))
    return np.sum(h * h)


def rnn_hand(wx, wh, xs):
    hs = [np.zeros(wh.shape[0])]
    for t in range(50):
        hs.append(np.tanh(np.dot(xs[t], wx) + np.dot(hs[-1], wh)))
    dwx, dwh = np.zeros_like(wx), np.zeros_like(wh)
    dh = 2.0 * hs[50]
    for t in range(49, -1, -1):
        da = dh * (1.0 - hs[t + 1] * hs[t + 1])
        dwx += np.outer(xs[t], da)
        dwh += np.outer(hs[t], da)
        dh = np.dot(wh, da)
    return dwx, dwh


def rnn_make(seed):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((32, 64)) / 6, rng.standard_normal((64, 64)) / 8,
            rng.standard_normal((50, 32)))


# 4. 64 uses of an array of 1e6 in a Python loop.
def uses(x, c):
    acc = 0.0
    for k in range(64):
        y = x * c[k]
        acc = acc + np.sum(y * y)
    return acc


def uses_hand(x, c):
    g = np.zeros_like(x)
    for k in range(64):
        g += (2.0 * c[k] * c[k]) * x
    return (g,)


def uses_make(seed):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(1_000_000), rng.standard_normal(64) / 8


# 5. Logistic regression, n = 10000, d = 100.
def logreg(w, X, y):
    m = y * np.dot(X, w)
    return np.mean(np.log1p(np.exp(-m)))


def logreg_hand(w, X, y):
    m = y * np.dot(X, w)
    return (np.dot(X.T, -y / (1.0 + np.exp(m))) / X.shape[0],)


def logreg_make(seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((10_000, 100))
    y = np.sign(rng.standard_normal(10_000))
    return 0.1 * rng.standard_normal(100), X, y


# 6. Rosenbrock, N = 1000.
def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def rosenbrock_hand(x):
    r = x[1:] - x[:-1] ** 2
    g = np.zeros_like(x)
    g[:-1] = -400.0 * r * x[:-1] - 2.0 * (1.0 - x[:-1])
    g[1:] += 200.0 * r
    return (g,)


def rosenbrock_make(seed):
    return (np.random.default_rng(seed).uniform(-1.5, 1.5, 1000),)


# Small scientific functions, written as a new user would; measured against their primal.
def kalman(logq, logr, ys):
    """Negative log-likelihood (up to constants) of a local-level model, 100 Kalman steps."""
    q = np.exp(logq)
    r = np.exp(logr)
    m = 0.0
    p = 1.0
    nll = 0.0
    for t in range(100):
        p = p + q
        s = p + r
        v = ys[t] - m
        nll = nll + np.log(s) + v * v / s
        m = m + p / s * v
        p = p - p * p / s
    return 0.5 * nll


def kalman_make(seed):
    rng = np.random.default_rng(seed)
    return np.array(-1.0), np.array(-0.5), np.cumsum(rng.standard_normal(100))


def lstm(W, b, xs):
    """An LSTM cell (16 inputs, 32 hidden) run for 20 steps; the loss is the last state's square."""
    h = np.zeros(32)
    c = np.zeros(32)
    for t in range(20):
        z = np.dot(np.concatenate([xs[t], h]), W) + b
        i = 1.0 / (1.0 + np.exp(-z[:32]))
        f = 1.0 / (1.0 + np.exp(-z[32:64]))
        o = 1.0 / (1.0 + np.exp(-z[64:96]))
        c = f * c + i * np.tanh(z[96:])
        h = o * np.tanh(c)
    return np.sum(h * h)


def lstm_make(seed):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((48, 128)) / 7, 0.1 * rng.standard_normal(128), \
        rng.standard_normal((20, 16))


def gp(logl, logs, X, y):
    """Negative log marginal likelihood of a Gaussian process (RBF kernel, 100 points)."""
    d = X[:, None] - X[None, :]
    K = np.exp(-0.5 * d * d / np.exp(2.0 * logl)) + np.exp(2.0 * logs) * np.eye(100)
    L = np.linalg.cholesky(K)
    alpha = np.linalg.solve(K, y)
    return 0.5 * np.dot(y, alpha) + np.sum(np.log(np.diag(L)))


def gp_make(seed):
    rng = np.random.default_rng(seed)
    X = np.sort(rng.uniform(0.0, 5.0, 100))
    return np.array(0.0), np.array(-1.0), X, np.sin(X) + 0.1 * rng.standard_normal(100)


def euler(k, c, x0):
    """A damped oscillator integrated by 20,000 explicit Euler steps; the final energy."""
    x = x0[0]
    v = x0[1]
    for _ in range(20000):
        a = -k * x - c * v
        x = x + 0.001 * v
        v = v + 0.001 * a
    return x * x + v * v


def euler_make(seed):
    return np.array(2.0), np.array(0.1), np.array([1.0, 0.0])


SLOW_TRACE = "a JAX trace of the unrolled Python loop takes minutes"
SLOW_COMPILE = "XLA compiles the unrolled 100-step loop in about 85 s (--slow-peers runs it)"
WORKLOADS = [
    Workload("MLP 64-128-10, batch 256", mlp, mlp_make, ("w1", "b1", "w2", "b2"), mlp_hand),
    Workload("45 elementwise ops, size 10", elementwise, elementwise_make, ("a", "b"),
             elementwise_hand),
    Workload("RNN, 50 steps, np.dot", rnn, rnn_make, ("wx", "wh"), rnn_hand),
    Workload("64 uses of a 1e6 array", uses, uses_make, ("x",), uses_hand),
    Workload("logistic regression 10000x100", logreg, logreg_make, ("w",), logreg_hand),
    Workload("Rosenbrock, N=1000", rosenbrock, rosenbrock_make, ("x",), rosenbrock_hand),
    Workload("Kalman filter, 100 steps", kalman, kalman_make, ("logq", "logr"),
             slow={"jax-jit": SLOW_COMPILE}),
    Workload("LSTM, 20 steps", lstm, lstm_make, ("W", "b")),
    Workload("GP likelihood, 100 points", gp, gp_make, ("logl", "logs")),
    Workload("Euler, 20,000 steps", euler, euler_make, ("k", "c"),
             skip={"jax": SLOW_TRACE, "jax-jit": SLOW_TRACE}),
]
