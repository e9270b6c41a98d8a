"""A NamedTuple of parameters passed whole to a helper of the module, as a dict or a dataclass
is: the helper is written out reading its leaves, by field (``p.w``), by position (``p[1]``)
or unpacked. It was passed on as a plain tuple of the leaves: ``grad`` refused ``p.w`` with a
misleading NoRuleError, and ``hvp`` raised ``AttributeError: 'tuple' object has no attribute
'w'`` from the user's helper."""

from typing import NamedTuple

import numpy as np
import pytest

import s2s


class Params(NamedTuple):
    w: np.ndarray
    b: float


def layer(p, x):
    return np.tanh(p.w * x) * p.b


def layer_by_position(p, x):
    w, b = p
    return np.tanh(w * x) * p[1] + b


def by_fields(p, x):
    return np.sum(layer(p, x))


def by_position(p, x):
    return np.sum(layer_by_position(p, x) ** 2)


X = np.array([0.5, -1.0, 2.0])
P = Params(np.array([0.3, 0.2, -0.4]), 1.5)
V = Params(np.array([1.0, -1.0, 0.5]), 0.3)


def along(p, v, t):
    return Params(p.w + t * v.w, p.b + t * v.b)


def dot(g, v):
    return float(np.dot(g.w, v.w) + g.b * v.b)


def difference(f, p, v, h=1e-6):
    return (f(along(p, v, h)) - f(along(p, v, -h))) / (2 * h)


@pytest.mark.parametrize("f", [by_fields, by_position])
def test_a_named_tuple_passed_whole_to_a_helper_in_each_mode(f):
    gradient = s2s.grad(f)(P, X)
    assert isinstance(gradient, Params)
    assert np.isclose(dot(gradient, V), difference(lambda q: f(q, X), P, V), rtol=1e-7)
    directional = lambda q: dot(s2s.grad(f)(q, X), V)  # noqa: E731
    second = difference(directional, P, V)
    assert np.isclose(dot(s2s.hvp(f)(P, X, V), V), second, rtol=1e-6)
    assert np.isclose(s2s.jvp(s2s.jvp(f))(P, X, V, V)[1][1], second, rtol=1e-6)
