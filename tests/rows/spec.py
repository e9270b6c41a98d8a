"""Row specifications for the rule tests, and the input domains their arguments are drawn from."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from s2s import registry


@dataclass(frozen=True)
class Arg:
    """How to draw one argument: ``draw(rng)`` gives its float64 value.

    ``diff``: the argument is differentiated (it is in ``wrt``); ``sym``: a symmetric matrix
    whose directions are symmetric too (functions that read one triangle, DESIGN 7).
    """

    draw: Callable[[np.random.Generator], Any]
    diff: bool = True
    sym: bool = False


@dataclass(frozen=True)
class Row:
    """One check of ``key``'s rule: ``fn`` calls the primal as a user would.

    For a differentiable rule the gradient is checked against central differences (step
    ``h``, tolerance ``rtol``). For a piecewise-constant rule, ``expected(*args)`` gives the
    exact gradient of each differentiated argument, and ``only`` (optional) is a function
    whose output depends on its argument through the rule alone.
    """

    key: Any
    fn: Callable
    inputs: tuple[Arg, ...]
    tag: str = ""
    h: float = 1e-4  # Richardson differences: step, and error allowed relative to the terms
    rtol: float = 1e-8
    expected: Callable | None = None
    only: Callable | None = None

    @property
    def id(self) -> str:
        name = registry.qualified_name(self.key)
        return f"{name}:{self.tag}" if self.tag else name

    @property
    def wrt(self) -> tuple[int, ...]:
        return tuple(i for i, a in enumerate(self.inputs) if a.diff)

    @property
    def sym(self) -> tuple[bool, ...]:
        return tuple(self.inputs[i].sym for i in self.wrt)

    def draw(self) -> tuple[np.random.Generator, list[Any]]:
        """A generator seeded by the row's id, and the arguments drawn from it."""
        rng = np.random.default_rng(zlib.crc32(self.id.encode()))
        return rng, [a.draw(rng) for a in self.inputs]


def R(key: Any, fn: Callable, *inputs: Arg, **options: Any) -> Row:
    """A row: ``R(np.tanh, lambda x: np.tanh(x), normal(2, 3))``."""
    return Row(key, fn, tuple(inputs), **options)


@dataclass(frozen=True)
class Located:
    """Where a ``scipy.stats`` distribution's methods are checked: ``x`` draws their first
    argument, ``loc`` and ``scale`` the location and scale of their ``loc-scale`` rows."""

    dist: Any
    x: Arg
    loc: Arg
    scale: Arg

    def rows(self, method: str, plain: Callable, located: Callable, *shapes: Arg) -> list[Row]:
        """The two rows of ``dist.<method>``: ``plain`` calls it in x and ``shapes`` (those its
        rule differentiates), ``located`` in those, then loc and scale (tag ``loc-scale``).
        Both must call that method by name (AssertionError otherwise), so the key is theirs."""
        for fn in (plain, located):
            names = fn.__code__.co_names
            assert self.dist.name in names and method in names, f"{fn} calls no {method}"
        key = getattr(self.dist, method)
        return [
            R(key, plain, self.x, *shapes),
            R(key, located, self.x, *shapes, self.loc, self.scale, tag="loc-scale"),
        ]


# -- input domains --------------------------------------------------------------------------------


def normal(*shape: int, scale: float = 1.0) -> Arg:
    return Arg(lambda rng: scale * rng.standard_normal(shape))


def uniform(lo: float, hi: float, *shape: int) -> Arg:
    return Arg(lambda rng: rng.uniform(lo, hi, shape))


def positive(*shape: int) -> Arg:
    return uniform(0.5, 2.0, *shape)


def away0(*shape: int) -> Arg:
    """Magnitudes in [0.5, 2], either sign: division, abs, hypot."""
    return Arg(lambda rng: rng.choice([-1.0, 1.0], shape) * rng.uniform(0.5, 2.0, shape))


def distinct(*shape: int) -> Arg:
    """Entries at least 0.2 apart (a shuffled grid plus jitter): sort, max, median, unique."""

    def draw(rng):
        n = int(np.prod(shape))
        grid = rng.permutation(n) - n / 2 + rng.uniform(-0.3, 0.3, n)
        return grid.reshape(shape) / 2

    return Arg(draw)


def coarse(*shape: int, diff: bool = True) -> Arg:
    """Integers -2..2 as floats, so comparisons meet equal entries."""
    return Arg(lambda rng: rng.integers(-2, 3, shape).astype(np.float64), diff=diff)


def with_zeros(*shape: int, zeros: int = 1) -> Arg:
    """Magnitudes in [0.5, 1.5] with ``zeros`` entries exactly 0: prod and cumprod."""

    def draw(rng):
        x = rng.uniform(0.5, 1.5, shape) * rng.choice([-1.0, 1.0], shape)
        x.flat[rng.choice(x.size, zeros, replace=False)] = 0.0
        return x

    return Arg(draw)


def two_zeros_in_row0(rows: int, cols: int) -> Arg:
    """Magnitudes in [0.5, 1.5] with two zeros in row 0 only: a product along rows whose first
    gradient row is exactly 0 and whose others are not (so a scaled gradient shows)."""

    def draw(rng):
        x = rng.uniform(0.5, 1.5, (rows, cols)) * rng.choice([-1.0, 1.0], (rows, cols))
        x[0, rng.choice(cols, 2, replace=False)] = 0.0
        return x

    return Arg(draw)


def pyfloat(lo: float = -2.0, hi: float = 2.0) -> Arg:
    return Arg(lambda rng: float(rng.uniform(lo, hi)))


def npscalar(lo: float = -2.0, hi: float = 2.0) -> Arg:
    return Arg(lambda rng: np.float64(rng.uniform(lo, hi)))


def wellcond(*shape: int) -> Arg:
    """Square matrices ``2 I + 0.3 N`` (well conditioned): inv, solve, det, slogdet."""
    n = shape[-1]
    return Arg(lambda rng: 2.0 * np.eye(n) + 0.3 * rng.standard_normal(shape))


def spd(n: int) -> Arg:
    """Symmetric positive definite ``M M^T + n I``, symmetric directions: cholesky."""

    def draw(rng):
        m = rng.standard_normal((n, n))
        return m @ m.T + n * np.eye(n)

    return Arg(draw, sym=True)


def symmetric(n: int) -> Arg:
    """Symmetric with eigenvalues 1, 2, ..., n (well separated): eigh, eigvalsh."""

    def draw(rng):
        q, _ = np.linalg.qr(rng.standard_normal((n, n)))
        return (q * np.arange(1.0, n + 1)) @ q.T

    return Arg(draw, sym=True)


def joined(first: Any, second: Any) -> np.ndarray:
    """Two parts of a runtime helper's result weighted differently (2 and 3), in one array: a
    row's scalar function of both parts, so neither part's gradient can stand in for the other."""
    return np.concatenate([np.ravel(first * 2.0), np.ravel(second * 3.0)])


def const(value: Any) -> Arg:
    """A fixed argument that is not differentiated (indices, masks)."""
    return Arg(lambda rng: value, diff=False)
