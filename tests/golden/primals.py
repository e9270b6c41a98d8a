"""The primal functions whose generated derivatives are pinned as golden sources.

``mlp`` and ``mlp_if`` are the same loss (``benchmarks/bench_mlp.py``'s, without the stop
gradient) but for one ``if`` choosing the activation; the RNN is ``examples/rnn_sequence.py``'s
``loss``, loaded from the example itself.
"""

import numpy as np


def branch(x, w):
    if np.sum(x) > 0:
        y = np.sin(x * w)
    else:
        y = np.cos(x) * w
    return np.sum(y * y)


def loop(x, w, n):
    for _ in range(n):
        x = np.tanh(x * w)
    return np.sum(x)


def softplus(z):
    return np.log1p(np.exp(z))


def helper_call(w, x):
    return np.mean(softplus(x @ w))


def mlp(w1, b1, w2, b2, x, y):
    h = np.tanh(x @ w1 + b1)
    z = h @ w2 + b2
    shifted = z - np.max(z, axis=1, keepdims=True)
    logp = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(logp[np.arange(x.shape[0]), y])


def mlp_if(w1, b1, w2, b2, x, y, relu):
    if relu:
        h = np.maximum(x @ w1 + b1, 0.0)
    else:
        h = np.tanh(x @ w1 + b1)
    z = h @ w2 + b2
    shifted = z - np.max(z, axis=1, keepdims=True)
    logp = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(logp[np.arange(x.shape[0]), y])
