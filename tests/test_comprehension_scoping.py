"""Comprehensions keep Python's scoping when s2s rewrites names (closed forms, every order).

A comprehension's first iterable runs in the enclosing scope: ``p["W"]`` in
``sum(q ** 2 for q in p["W"])`` is the argument's item, ``x`` in ``[np.sin(x) for x in x]``
the argument ``x``. The globals below share their names with the arguments and locals of the
functions: a derivative that read one of them instead would give another value and a zero
gradient, and one that read an unbound name would raise.
"""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pytest

import s2s

# globals named like the functions' arguments and locals (never what the functions read)
p = {"W": np.array([10.0, 20.0]), "v": np.array([7.0, 9.0]), "M": np.full((2, 2), 50.0)}
d = {"a": 100.0, "b": np.array([100.0, 100.0])}
x = np.array([100.0, 200.0])
y = np.array([300.0, 400.0])
ps = [np.array([50.0, 60.0])]


@dataclass
class Params:
    W: np.ndarray


class Pair(NamedTuple):
    W: np.ndarray
    v: np.ndarray


def gen_over_dict_item(p):
    return sum(q**2 for q in p["W"])


def list_over_dataclass_field(p):
    return sum([q**2 for q in p.W])


def over_namedtuple_fields(p):
    return sum(q**2 for q in p.W) + sum(q for q in p[1])


def over_zip_of_items(p):
    return sum(a * b for a, b in zip(p["W"], p["v"]))


def over_tuple_of_items(p):
    return sum(np.sum(a**2) for a in (p["W"], p["v"]))


def over_enumerate_of_items(p):
    return sum((i + 1) * np.sum(a**2) for i, a in enumerate((p["W"], p["v"])))


def nested_generators(p):
    return sum(sum(q * r for r in p["v"]) for q in p["W"])


def nested_lists(p):
    return np.sum(np.array([[q * r for r in p["v"]] for q in p["W"]]))


def any_in_condition(p):
    if any(q > 5.0 for q in p["W"]):
        return np.sum(p["W"] ** 2)
    return np.sum(p["W"])


def any_in_conditional_expression(p):
    return np.sum(p["W"] ** 2) if any(q > 5.0 for q in p["W"]) else np.sum(p["W"] * 3)


def local_dict_in_tuple(x):
    d = {"a": x[0], "b": x[1:]}
    return sum([np.sum(v**2) for v in (d["a"], d["b"])])


def local_dict_item(x):
    d = {"a": x[0], "b": x[1:]}
    return sum(v**2 for v in d["b"])


def variable_shadows_iterable(x):
    ys = [np.sin(x) for x in x]
    return np.sum(x**2) + sum(ys)


def variable_shadows_container(p):
    return sum(p**2 for p in p["W"])


def second_for_over_first(p):
    return sum(q**2 for row in p["M"] for q in row)


def second_for_over_shadowing_first(x):
    return sum(a**2 for x in x for a in x)


def over_list_item(ps):
    return sum(q**2 for q in ps[0])


def with_condition(p):
    return sum(q**2 for q in p["W"] if q > 1.5)


def over_display_of_pairs(p):
    return sum(k * q for k, q in [(2.0, p["W"][0]), (3.0, p["W"][1])])


def shadows_rebound_local(x):
    y = x * 2
    y = y + 1
    return sum(y**2 for y in y)


def shadows_rebound_argument(x):
    x = x * 3
    return sum([x**2 for x in x])


def over_list_of_items(p):
    return sum(np.sum(w) ** 2 for w in [p["W"], p["W"] * 2])


W, V = np.array([1.0, 2.0]), np.array([3.0, 4.0])
X3 = np.array([1.0, 2.0, 3.0])
XS = np.array([0.5, 1.0])
M = np.array([[1.0, 2.0], [3.0, 4.0]])
I2, Z2, ONES2 = np.eye(2), np.zeros((2, 2)), np.ones((2, 2))

# (function, argument, value, gradient's leaves joined, Hessian over the joined leaves)
CASES = [
    (gen_over_dict_item, {"W": W}, 5.0, 2 * W, 2 * I2),
    (list_over_dataclass_field, Params(W), 5.0, 2 * W, 2 * I2),
    (over_namedtuple_fields, Pair(W, V), 12.0, [2.0, 4.0, 1.0, 1.0], np.diag([2.0, 2, 0, 0])),
    (over_zip_of_items, {"W": W, "v": V}, 11.0, [3.0, 4, 1, 2], np.block([[Z2, I2], [I2, Z2]])),
    (over_tuple_of_items, {"W": W, "v": V}, 30.0, [2.0, 4, 6, 8], 2 * np.eye(4)),
    (over_enumerate_of_items, {"W": W, "v": V}, 55.0, [2.0, 4, 12, 16], np.diag([2.0, 2, 4, 4])),
    (
        nested_generators,
        {"W": W, "v": V},
        21.0,
        [7.0, 7, 3, 3],
        np.block([[Z2, ONES2], [ONES2, Z2]]),
    ),
    (nested_lists, {"W": W, "v": V}, 21.0, [7.0, 7, 3, 3], np.block([[Z2, ONES2], [ONES2, Z2]])),
    (any_in_condition, {"W": W}, 3.0, [1.0, 1.0], Z2),
    (any_in_conditional_expression, {"W": W}, 9.0, [3.0, 3.0], Z2),
    (local_dict_in_tuple, X3, 14.0, 2 * X3, 2 * np.eye(3)),
    (local_dict_item, X3, 13.0, [0.0, 4, 6], np.diag([0.0, 2, 2])),
    (
        variable_shadows_iterable,
        XS,
        np.sum(XS**2 + np.sin(XS)),
        2 * XS + np.cos(XS),
        np.diag(2 - np.sin(XS)),
    ),
    (variable_shadows_container, {"W": W}, 5.0, 2 * W, 2 * I2),
    (second_for_over_first, {"M": M}, 30.0, 2 * M.ravel(), 2 * np.eye(4)),
    (second_for_over_shadowing_first, M, 30.0, 2 * M.ravel(), 2 * np.eye(4)),
    (over_list_item, [W], 5.0, 2 * W, 2 * I2),
    (with_condition, {"W": W}, 4.0, [0.0, 4.0], np.diag([0.0, 2.0])),
    (over_display_of_pairs, {"W": W}, 8.0, [2.0, 3.0], Z2),
    (shadows_rebound_local, W, 34.0, 4 * (2 * W + 1), 8 * I2),
    (shadows_rebound_argument, W, 45.0, 18 * W, 18 * I2),
    (over_list_of_items, {"W": W}, 45.0, [30.0, 30.0], 10 * ONES2),
]
IDS = [case[0].__name__ for case in CASES]


def _joined(tree):
    return np.concatenate([np.ravel(leaf) for leaf in s2s.tree.flatten(tree)[0]])


def _direction(arg, first=1):
    """A tangent of ``arg``'s structure, and its leaves joined: ``first``/2, -(``first``+1)/2,
    (``first``+2)/2, ..."""
    leaves, treedef = s2s.tree.flatten(arg)
    n = sum(np.size(leaf) for leaf in leaves)
    flat = np.arange(first, first + n) * 0.5 * (-1.0) ** np.arange(n)
    out, start = [], 0
    for leaf in leaves:
        out.append(flat[start : start + np.size(leaf)].reshape(np.shape(leaf)))
        start += np.size(leaf)
    return s2s.tree.unflatten(treedef, out), flat


def _matrix(hessian, arg):
    """The Hessian's blocks (row leaf by column leaf) as one matrix over the joined leaves."""
    sizes = [np.size(leaf) for leaf in s2s.tree.flatten(arg)[0]]
    blocks = iter(s2s.tree.flatten(hessian)[0])
    return np.block([[np.reshape(next(blocks), (r, c)) for c in sizes] for r in sizes])


@pytest.mark.parametrize(("fn", "arg", "value", "grad", "hess"), CASES, ids=IDS)
def test_value_and_gradient(fn, arg, value, grad, hess):
    assert np.isclose(fn(arg), value)  # the closed form is Python's own answer
    got, gradient = s2s.value_and_grad(fn)(arg)
    assert np.isclose(got, value)
    np.testing.assert_allclose(_joined(gradient), grad, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("fn", "arg", "value", "grad", "hess"), CASES, ids=IDS)
def test_jvp(fn, arg, value, grad, hess):
    tangent, flat = _direction(arg)
    got, derivative = s2s.jvp(fn)(arg, tangent)
    assert np.isclose(got, value)
    assert np.isclose(derivative, np.dot(grad, flat), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("fn", "arg", "value", "grad", "hess"), CASES, ids=IDS)
def test_hessian(fn, arg, value, grad, hess):
    np.testing.assert_allclose(_matrix(s2s.hessian(fn)(arg), arg), hess, atol=1e-12)


@pytest.mark.parametrize(("fn", "arg", "value", "grad", "hess"), CASES, ids=IDS)
def test_forward_over_forward(fn, arg, value, grad, hess):
    v, v_flat = _direction(arg)
    u, u_flat = _direction(arg, first=3)
    (got, tangent), (tangent_again, second) = s2s.jvp(s2s.jvp(fn))(arg, v, u)
    assert np.isclose(got, value)
    assert np.isclose(tangent, np.dot(grad, v_flat), rtol=1e-12, atol=1e-12)
    assert np.isclose(tangent_again, np.dot(grad, u_flat), rtol=1e-12, atol=1e-12)
    assert np.isclose(second, v_flat @ np.asarray(hess) @ u_flat, rtol=1e-12, atol=1e-12)
