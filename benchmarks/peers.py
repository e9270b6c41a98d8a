"""The gradient makers compared by ``benchmarks/run_all.py``: s2s and, when installed, the peers.

Each maker takes a :class:`workloads.Workload` and returns ``grad(*args) -> tuple of numpy arrays``
(the gradient in ``wrt`` order), or raises ``ImportError`` when its package is not installed.
The peers differentiate the same source as s2s: the primal's global ``np`` is rebound to
``autograd.numpy``, ``jax.numpy`` or a thin PyTorch spelling (:class:`TorchNumpy`).
"""

import types

import numpy as np

import s2s


def rebind(f, namespace):
    """A copy of ``f`` whose global ``np`` is ``namespace`` (the other globals are shared)."""
    scope = dict(f.__globals__, np=namespace)
    return types.FunctionType(f.__code__, scope, f.__name__, f.__defaults__, f.__closure__)


def fresh(f):
    """A copy of ``f`` with its own code identity, so s2s generates its derivative anew."""
    return types.FunctionType(f.__code__, f.__globals__, f.__name__, f.__defaults__, f.__closure__)


def make_s2s(w):
    return s2s.grad(fresh(w.f), wrt=w.wrt)


def indices(w):
    return tuple(range(len(w.wrt)))


def make_autograd(w):
    import autograd
    import autograd.numpy as anp

    g = autograd.grad(rebind(w.f, anp), argnum=indices(w))
    return lambda *args: tuple(g(*args))


def _jax(w, jit):
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    g = jax.grad(rebind(w.f, jnp), argnums=indices(w))
    if jit:
        g = jax.jit(g)

    def call(*args):
        return tuple(np.asarray(x) for x in jax.block_until_ready(g(*args)))

    return call


def make_jax(w):
    return _jax(w, jit=False)


def make_jax_jit(w):
    return _jax(w, jit=True)


class TorchNumpy:
    """The numpy names the workloads use, spelled in PyTorch (float64 throughout)."""

    def __init__(self, torch):
        self.torch = torch
        self.linalg = torch.linalg

    def __getattr__(self, name):
        return getattr(self.torch, name)

    def dot(self, a, b):
        return self.torch.matmul(a, b)

    def sum(self, x, axis=None):
        return self.torch.sum(x) if axis is None else self.torch.sum(x, dim=axis)

    def mean(self, x, axis=None):
        return self.torch.mean(x) if axis is None else self.torch.mean(x, dim=axis)

    def zeros(self, shape):
        return self.torch.zeros(shape, dtype=self.torch.float64)

    def eye(self, n):
        return self.torch.eye(n, dtype=self.torch.float64)

    def concatenate(self, parts):
        return self.torch.cat(parts)


def make_torch(w):
    import torch

    torch.set_num_threads(1)
    f = rebind(w.f, TorchNumpy(torch))
    n = len(w.wrt)

    def call(*args):
        tensors = [torch.from_numpy(np.asarray(a)) for a in args]
        for t in tensors[:n]:
            t.requires_grad_(True)
        grads = torch.autograd.grad(f(*tensors), tensors[:n])
        return tuple(g.numpy() for g in grads)

    return call


MAKERS = {
    "s2s": make_s2s,
    "autograd": make_autograd,
    "jax": make_jax,
    "jax-jit": make_jax_jit,
    "torch": make_torch,
}
