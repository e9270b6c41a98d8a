"""A derivative called inside a differentiated function on a container the OUTER derivative
does not differentiate: ``grad(o, wrt="x")`` of ``o(p, x)`` calling ``grad(f)(p, x)``.

``p`` is a value of the outer derivative but a ``wrt`` of the inner one, and ``x`` flows into
both. The inner derivative's code for ``p`` given whole once read it as a value and gave zeros
(list, list literal, module-level derivative), or crashed (dict, NamedTuple), or refused
wrongly (dataclass). Each case against central differences of ``o`` itself and, where short,
a closed form.
"""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np
import pytest
from gradcheck import numeric_gradient

import s2s

X = np.array([1.0, 3.0])
A = np.array([1.5, -0.5])
B = np.array([0.25, 2.0])


def f(p, x):
    return np.sum(p[0] ** 2 * x**2)


def o(p, x):
    return np.sum(s2s.grad(f)(p, x)[0])  # sum(2 p0 x^2): d/dx = 4 p0 x


def _close(got, want):
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8)


def _numeric(fn, p, x):
    return numeric_gradient(lambda x_: fn(p, x_), [x], 0)


def test_list_container_gives_the_inner_gradients_x_dependence():
    got = s2s.grad(o, wrt="x")([A], X)
    _close(got, 4 * A * X)
    _close(got, _numeric(o, [A], X))
    _close(s2s.grad(o, wrt="x")((A,), X), got)  # a tuple: as it always was


def test_scalar_x_with_a_list():
    got = s2s.grad(o, wrt="x")([A], 0.7)
    _close(got, np.sum(4 * A * 0.7))


def f2(p, x):
    return np.sum(p[0][0] ** 2 * x**2 + p[1] * x**3)


def o2(p, x):
    g = s2s.grad(f2)(p, x)
    return np.sum(g[0][0]) + np.sum(g[1])  # sum(2 a x^2) + sum(x^3)


def test_tuple_holding_a_list():
    p = ([A], B)
    got = s2s.grad(o2, wrt="x")(p, X)
    _close(got, 4 * A * X + 3 * X**2)
    _close(got, _numeric(o2, p, X))


def fd(p, x):
    return np.sum(p["a"] ** 2 * x**2)


def od(p, x):
    return np.sum(s2s.grad(fd)(p, x)["a"])


def test_dict_container():
    got = s2s.grad(od, wrt="x")({"a": A}, X)
    _close(got, 4 * A * X)


class Params(NamedTuple):
    a: np.ndarray
    b: np.ndarray


def fn_(p, x):
    return np.sum(p.a**2 * x**2 + p.b * x)


def on(p, x):
    g = s2s.grad(fn_)(p, x)
    return np.sum(g.a) + np.sum(g.b * x)  # sum(2 a x^2) + sum(x^2)


def test_namedtuple_container():
    p = Params(A, B)
    got = s2s.grad(on, wrt="x")(p, X)
    _close(got, 4 * A * X + 2 * X)
    _close(got, _numeric(on, p, X))


@dataclasses.dataclass
class Box:
    a: np.ndarray


def fb(p, x):
    return np.sum(p.a**2 * x**2)


def ob(p, x):
    return np.sum(s2s.grad(fb)(p, x).a)


def test_dataclass_container():
    got = s2s.grad(ob, wrt="x")(Box(A), X)
    _close(got, 4 * A * X)


def ov(p, x):
    v, g = s2s.value_and_grad(f)(p, x)
    return np.sum(g[0]) + v  # sum(2 a x^2) + sum(a^2 x^2)


def test_value_and_grad_inside():
    got = s2s.grad(ov, wrt="x")([A], X)
    _close(got, 4 * A * X + 2 * A**2 * X)
    _close(got, _numeric(ov, [A], X))


def ow(p, x):
    gp, gx = s2s.grad(f, wrt=("p", "x"))(p, x)
    return np.sum(gp[0]) + np.sum(gx * x)  # sum(2 a x^2) + sum(2 a^2 x^2)


def test_inner_grad_of_both():
    got = s2s.grad(ow, wrt="x")([A], X)
    _close(got, 4 * A * X + 4 * A**2 * X)


def test_jvp_of_the_outer_function():
    t = np.array([0.3, -1.1])
    value, tangent = s2s.jvp(o, wrt="x")([A], X, t)
    _close(value, o([A], X))
    _close(tangent, np.sum(4 * A * X * t))


def test_hessian_of_the_outer_function():
    got = s2s.hessian(o, wrt="x")([A], X)
    _close(got, np.diag(4 * A))


DF = s2s.grad(f)


def om(p, x):
    return np.sum(DF(p, x)[0])


def test_module_level_derivative():
    _close(s2s.grad(om, wrt="x")([A], X), 4 * A * X)


W = np.array([0.5, 2.0])


def ol(x):
    return np.sum(s2s.grad(f)([W], x)[0])


def test_list_literal_of_a_global():
    _close(s2s.grad(ol)(X), 4 * W * X)


def oj(p, x):
    value, tangent = s2s.jvp(f)(p, x, p)  # along p: sum(2 a^2 x^2)
    return tangent + value


def ojd(p, x):
    value, tangent = s2s.jvp(fd)(p, x, p)
    return tangent + value


@pytest.mark.parametrize(("fn", "p"), [(oj, [A]), (ojd, {"a": A})], ids=["list", "dict"])
def test_jvp_inside_along_a_container(fn, p):
    got = s2s.grad(fn, wrt="x")(p, X)
    _close(got, 6 * A**2 * X)


def test_structure_of_the_value_joins_the_cache_key():
    def fl(p, x):
        return np.sum(p[0] ** 2 * x**2) + np.sum(p[-1] * x)

    def ol(p, x):
        return np.sum(s2s.grad(fl)(p, x)[0])

    g = s2s.grad(ol, wrt="x")
    _close(g([A], X), 4 * A * X + 1)  # p[-1] is p[0]: its gradient gets x too
    _close(g([A, B], X), 4 * A * X)
    _close(g([A], X), 4 * A * X + 1)
    gd = s2s.grad(od, wrt="x")
    _close(gd({"a": A}, X), 4 * A * X)
    _close(gd({"b": B, "a": 2 * A}, X), 8 * A * X)


@pytest.mark.parametrize("p", [[A], {"a": A}], ids=["list", "dict"])
def test_derivatives_of_an_inner_derivative_called_directly(p):
    fn = f if isinstance(p, list) else fd
    ones = [np.ones(2)] if isinstance(p, list) else {"a": np.ones(2)}
    _, pullback = s2s.vjp(s2s.grad(fn), wrt="x")(p, X)
    _close(pullback(ones), 4 * A * X)
    _, pullback = s2s.vjp(s2s.value_and_grad(fn), wrt="x")(p, X)
    _close(pullback((1.0, ones)), 4 * A * X + 2 * A**2 * X)
    t = np.array([0.3, -1.1])
    (value, grads), (dvalue, dgrads) = s2s.jvp(s2s.value_and_grad(fn), wrt="x")(p, X, t)
    _close(value, np.sum(A**2 * X**2))
    _close(dvalue, np.sum(2 * A**2 * X * t))
    dg = dgrads[0] if isinstance(p, list) else dgrads["a"]
    _close(dg, 4 * A * X * t)
