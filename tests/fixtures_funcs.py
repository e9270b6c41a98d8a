"""Module-level primal functions shared by the API, error, buffer and generated-source tests.

s2s reads source code, so these live in a real file. Line numbers are never hard-coded by the
tests: they look lines up by their text.
"""

import numpy as np

import s2s

CALLS = []
"""Appended to by :func:`count_call`: how many times a primal's body ran."""

RNG = np.random.default_rng(7)

SCALE = 2.0
"""A non-callable global read live by :func:`uses_global_scale`."""

DEFAULT_W = np.array([1.0, 2.0, 3.0])

act = np.tanh
"""A rebindable call target (tests set it to ``np.sin`` and back)."""


def count_call(tag):
    """An inactive user helper with a side effect."""
    CALLS.append(tag)
    return 1.0


def tanh_sum(x):
    return np.sum(np.tanh(x))


def two_args(x, y):
    return np.sum(x * y + np.tanh(x))


def three_args(a, b, c):
    return np.sum(a * 2.0 + b * 3.0 + c * 4.0)


def with_kwonly(x, *, w, scale=1.0):
    return np.sum(np.tanh(x) * w) * scale


def with_varargs(x, *rest, **options):
    return np.sum(x * 2.0)


def with_default(x, w=DEFAULT_W):
    return np.sum(x * w)


def counted(x):
    c = count_call("counted")
    return np.sum(np.tanh(x)) * c


def noisy(x):
    noise = RNG.standard_normal(3)
    return np.sum(x * noise)


def only_first(x, y):
    return np.sum(np.tanh(x))


def with_aux(x):
    h = np.tanh(x)
    return np.sum(h * h), h


def rosen(p):
    a = p[1:] - p[:-1] * p[:-1]
    b = 1.0 - p[:-1]
    return np.sum(100.0 * a * a + b * b)


def uses_act(x):
    return np.sum(act(x))


def uses_global_scale(x):
    return np.sum(np.tanh(x) * SCALE)


def vector_out(x):
    return np.tanh(x) * 2.0


def identity(x):
    return x


def reshaped(x):
    return np.reshape(x, (2, 3))


@s2s.grad
def dec_loss(x):
    return np.sum(np.tanh(x) * x)


@s2s.grad(wrt="w")
def dec_loss_w(x, w):
    return np.sum(np.tanh(x) * w)


@s2s.value_and_grad(wrt=("x", "w"))
def dec_value_and_grad(x, w):
    return np.sum(x * w)


module_level_grad = s2s.grad(two_args, wrt=(0, 1))


class Model:
    """Methods: ``self`` is position 0."""

    def __init__(self, scale):
        self.scale = scale

    @s2s.grad(wrt=1)
    def loss_grad(self, x):
        return np.sum(np.tanh(x)) * self.scale

    @s2s.grad(wrt="x")
    def loss_grad_by_name(self, x):
        return np.sum(x * x) * self.scale


class Holder:
    """A dotted qualified name for ``python -m s2s show``."""

    def inner(a, b):  # noqa: N805 - read as a plain function through the class
        return np.sum(np.tanh(a) * b)
