"""``jvp`` three or four times over a dict, dataclass or NamedTuple argument (s2s/leafwise.py:
each ``jvp`` made over the leaf-by-leaf form of the one below), and ``jvp`` three times of
``grad``: each order checked against central differences of the order below."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pytest
from located import assert_located

import s2s

RNG = np.random.default_rng(11)
W, B = np.array([0.3, 1.2, -0.8]), np.array([0.5, -0.7, 1.1])


@dataclass
class _Params:
    w: np.ndarray
    b: np.ndarray


class _Pair(NamedTuple):
    w: np.ndarray
    b: np.ndarray


def _dict_loss(p):
    return np.sum(np.sin(p["w"]) * p["b"] ** 2) + np.sum(p["w"] ** 2 * p["b"]) ** 2


def _field_loss(p):
    return np.sum(np.sin(p.w) * p.b**2) + np.sum(p.w**2 * p.b) ** 2


def _make(kind, w, b):
    return {"w": w, "b": b} if kind is dict else kind(w, b)


def _moved(kind, p, d, eps):
    get = (lambda q, k: q[k]) if kind is dict else getattr
    return _make(kind, get(p, "w") + eps * get(d, "w"), get(p, "b") + eps * get(d, "b"))


def _along(kind, function, p, d, eps=1e-5):
    """Central difference of ``function`` (a float, or a tree of arrays) at ``p`` along ``d``."""
    up, down = function(_moved(kind, p, d, eps)), function(_moved(kind, p, d, -eps))
    leaves_up, treedef = s2s.tree.flatten(up)
    leaves_down = s2s.tree.flatten(down)[0]
    parts = [(u - v) / (2 * eps) for u, v in zip(leaves_up, leaves_down, strict=True)]
    return s2s.tree.unflatten(treedef, parts)


def _directions(kind, n):
    return [_make(kind, RNG.normal(size=3), RNG.normal(size=3)) for _ in range(n)]


KINDS = [dict, _Params, _Pair]


def _loss_of(kind):
    return _dict_loss if kind is dict else _field_loss


@pytest.mark.parametrize("kind", KINDS)
def test_jvp_three_times(kind):
    f, p = _loss_of(kind), _make(kind, W, B)
    v, u, t = _directions(kind, 3)
    out = s2s.jvp(s2s.jvp(s2s.jvp(f)))(p, v, u, t)
    second = s2s.jvp(s2s.jvp(f))
    np.testing.assert_allclose(out[0], second(p, v, u), rtol=1e-14)  # the orders below
    expected = _along(kind, lambda q: second(q, v, u)[1][1], p, t)
    np.testing.assert_allclose(out[1][1][1], expected, rtol=1e-7)
    np.testing.assert_allclose(out[1][0][1], second(p, v, t)[1][1], rtol=1e-12)


def test_jvp_four_times_over_a_dict():
    p = {"w": W, "b": B}
    v, u, t, s = _directions(dict, 4)
    out = s2s.jvp(s2s.jvp(s2s.jvp(s2s.jvp(_dict_loss))))(p, v, u, t, s)
    third = s2s.jvp(s2s.jvp(s2s.jvp(_dict_loss)))
    expected = _along(dict, lambda q: third(q, v, u, t)[1][1][1], p, s, 1e-4)
    np.testing.assert_allclose(out[1][1][1][1], expected, rtol=1e-6)


@pytest.mark.parametrize("kind", KINDS)
def test_jvp_three_times_of_grad(kind):
    f, p = _loss_of(kind), _make(kind, W, B)
    v, u, t = _directions(kind, 3)
    out = s2s.jvp(s2s.jvp(s2s.jvp(s2s.grad(f))))(p, v, u, t)
    assert type(out[1][1][1]) is kind
    below = s2s.jvp(s2s.jvp(s2s.grad(f)))
    expected = _along(kind, lambda q: below(q, v, u)[1][1], p, t)
    for got, want in zip(s2s.tree.flatten(out[1][1][1])[0], s2s.tree.flatten(expected)[0]):
        np.testing.assert_allclose(got, want, rtol=1e-7)


def test_a_third_jvp_also_along_the_tangent_below():
    # wrt=(0, 1) of jvp(jvp(f)): p and its tangent p_dot, each moved along its own direction
    p = {"w": W, "b": B}
    a, b, c, d = _directions(dict, 4)
    out = s2s.jvp(s2s.jvp(s2s.jvp(_dict_loss)), wrt=(0, 1))(p, a, b, c, d)
    second = s2s.jvp(s2s.jvp(_dict_loss))
    eps = 1e-5

    def moved(q, t, e):
        return {k: q[k] + e * t[k] for k in q}

    up = second(moved(p, c, eps), moved(a, d, eps), b)
    down = second(moved(p, c, -eps), moved(a, d, -eps), b)
    np.testing.assert_allclose(out[1][1][1], (up[1][1] - down[1][1]) / (2 * eps), rtol=1e-7)
    np.testing.assert_allclose(out[1][0][1], (up[0][1] - down[0][1]) / (2 * eps), rtol=1e-7)


def _counted_loss(p):
    return np.sum(np.sin(p["w"]) * p["b"] ** 2) * p["n"]


def test_an_int_leaf_takes_no_tangent_three_times_over():
    p = {"w": W, "b": B, "n": 3}
    v, u, t = ({**d, "n": 0} for d in _directions(dict, 3))
    out = s2s.jvp(s2s.jvp(s2s.jvp(_counted_loss)))(p, v, u, t)
    plain = {"w": W, "b": B}
    reference = s2s.jvp(s2s.jvp(s2s.jvp(lambda q: 3 * np.sum(np.sin(q["w"]) * q["b"] ** 2))))
    strip = [{"w": d["w"], "b": d["b"]} for d in (v, u, t)]
    np.testing.assert_allclose(out[1][1][1], reference(plain, *strip)[1][1][1], rtol=1e-13)


def test_a_tangent_without_the_structure_is_refused():
    p = {"w": W, "b": B}
    v = {"w": W, "b": B}
    with pytest.raises(s2s.TangentError, match="structure"):
        s2s.jvp(s2s.jvp(s2s.jvp(_dict_loss)))(p, v, v, {"w": W})


def _two_dicts(p, q):
    return np.sum(np.sin(p["w"]) * q["b"] ** 2)


def test_a_third_jvp_along_a_container_the_inner_ones_do_not_take_is_refused_at_the_call():
    p, q = {"w": W}, {"b": B}
    third = s2s.jvp(s2s.jvp(s2s.jvp(_two_dicts)), wrt=1)  # q, which the inner jvps hold fixed
    with pytest.raises(s2s.NoRuleError, match="does not differentiate") as info:
        third(p, q, p, p, q)  # MARK
    test = test_a_third_jvp_along_a_container_the_inner_ones_do_not_take_is_refused_at_the_call
    assert_located(info.value, test, "# MARK", "the same wrt")
