"""Functions as values read from globals (issue 11, item 2; docs/containers.md): an item of a
global dict, list or tuple taken with a constant key (``CFG["loss"](x)``, ``FNS[0](x)``), an
attribute of such an item, a loop over a global tuple or list of functions, a global partial or
callable object. Each is bound when the derivative is specialized, checked against central
differences in both modes, and re-read on every call: a new callable there (or a list of
functions that grew) makes a new derivative, never a stale one."""

import functools
import inspect
import sys

import numpy as np
import pytest
from gradcheck import along, check_against_differences
from located import assert_located

import s2s
import s2s.pipeline

X = np.array([-0.7, 0.2, 0.5, 1.1])
Y = np.array([0.1, -0.3, 0.4, 0.2])
V = np.array([1.0, -2.0, 0.5, 0.3])


def mse(pred, y):
    return np.mean((pred - y) ** 2)


def helper(z, scale=1.0):
    return np.sin(z) * scale


class Softplus:
    def __init__(self, c):
        self.c = c

    def __call__(self, z):
        return np.log1p(np.exp(z)) * self.c


class Layer:
    def __init__(self, act):
        self.act = act


CFG = {"loss": mse, "act": np.tanh, "layer": Layer(np.sin), "scale": 2.0}
FNS = (np.sin, helper, functools.partial(helper, scale=0.5))
FN_LIST = [np.tanh, np.cos]
ACT = functools.partial(helper, scale=3.0)
SOFT = Softplus(0.7)


def f_dict(x, y):
    return CFG["loss"](CFG["act"](x) * CFG["scale"], y)


def f_nested(x):
    return np.sum(CFG["layer"].act(x) ** 2)


def f_indexed(x):
    return np.sum(FNS[0](x) * FNS[-1](x) + FN_LIST[1](x))


def f_loop(x):
    total = 0.0
    for g in FN_LIST:
        total = total + np.sum(g(x) ** 2)
    for i, g in enumerate(FNS):
        x = g(x) * (i + 1.0)
    return total + np.sum(x)


def f_partial_and_object(x):
    return np.sum(ACT(x) * SOFT(x))


SQ = lambda w: w**2  # noqa: E731  (a global lambda, as users write them)
MODEL = Layer(None)
MODEL.act = lambda z: np.sin(z) * z**2


def f_global_lambda(x):
    return np.sum(SQ(x) * x)


def f_lambda_attribute(x):
    return np.sum(MODEL.act(x))


CASES = [
    ("dict items", f_dict, (X, Y)),
    ("attribute of an item", f_nested, (X,)),
    ("tuple and list items", f_indexed, (X,)),
    ("loops over a global tuple and list", f_loop, (X,)),
    ("global partial and callable object", f_partial_and_object, (X,)),
    ("global lambda", f_global_lambda, (X,)),
    ("lambda on a global object's attribute", f_lambda_attribute, (X,)),
]


@pytest.mark.parametrize("name, f, args", CASES, ids=[c[0] for c in CASES])
def test_reverse_mode_against_differences(name, f, args):
    check_against_differences(f, *args, wrt=0, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name, f, args", CASES, ids=[c[0] for c in CASES])
def test_forward_mode_against_differences(name, f, args):
    named = dict(zip(inspect.signature(f).parameters, args))
    value, tangent = s2s.jvp(f)(**named, x_dot=V)
    assert value == pytest.approx(f(*args), rel=1e-12)
    expected = along(lambda x: f(x, *args[1:]), args[0], V)
    assert tangent == pytest.approx(expected, rel=1e-6, abs=1e-9)


def test_generated_source_reads_the_item_where_the_user_put_it():
    d = s2s.grad(f_dict)
    d(X, Y)
    assert "_s2s.subderivative(CFG['loss'], ('pred',))" in d.source
    assert "_np.tanh(x)" in d.source


def test_a_new_callable_in_the_global_container_makes_a_new_derivative(monkeypatch):
    generations = []
    generate = s2s.pipeline.generate
    counted = lambda *a, **k: generations.append(1) or generate(*a, **k)  # noqa: E731
    monkeypatch.setattr(s2s.pipeline, "generate", counted)
    d = s2s.grad(f_nested)
    np.testing.assert_allclose(d(X), 2 * np.sin(X) * np.cos(X), rtol=1e-12)
    monkeypatch.setitem(CFG, "layer", Layer(np.tanh))  # a new object holding a new function
    np.testing.assert_allclose(d(X), 2 * np.tanh(X) * (1 - np.tanh(X) ** 2), rtol=1e-12)
    CFG["layer"].act = np.sin  # the same object, its attribute changed
    np.testing.assert_allclose(d(X), 2 * np.sin(X) * np.cos(X), rtol=1e-12)
    np.testing.assert_allclose(d(X), 2 * np.sin(X) * np.cos(X), rtol=1e-12)  # from the cache
    assert len(generations) == 3
    g = s2s.grad(f_dict)
    first = g(X, Y)
    monkeypatch.setitem(CFG, "act", np.sin)
    expected = 2 * (2 * np.sin(X) - Y) / X.size * 2 * np.cos(X)
    np.testing.assert_allclose(g(X, Y), expected, rtol=1e-12)
    assert not np.allclose(first, g(X, Y))


def test_a_global_list_of_functions_that_grows_writes_its_loop_out_again(monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "FN_LIST", [np.tanh, np.cos])
    d = s2s.grad(f_loop)
    d(X)
    FN_LIST.append(np.sin)  # the same list, one function longer
    check_against_differences(f_loop, X, wrt=0, rtol=1e-6, atol=1e-8)
    expected = s2s.grad(f_loop)(X)
    np.testing.assert_allclose(d(X), expected, rtol=1e-12)
    FN_LIST[0] = np.cos  # an item replaced
    np.testing.assert_allclose(d(X), s2s.grad(f_loop)(X), rtol=1e-12)


class Lookup:
    def __getitem__(self, key):
        return np.sin


TABLE = Lookup()
NAME = "loss"


def f_user_mapping(x):
    return np.sum(TABLE["a"](x))  # MARK


def f_run_time_key(x, y):
    return CFG[NAME](x, y)  # MARK


def f_missing(x):
    return np.sum(CFG["nothing"](x))  # MARK


@pytest.mark.parametrize(
    "f, args, words",
    [
        (f_user_mapping, (), "`TABLE['a']` is read from a global Lookup object"),
        (f_run_time_key, (Y,), "`CFG[NAME]` is picked from a container by a value known only"),
        (f_missing, (), "`CFG['nothing']` names no item of the global dict"),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_global_callables_s2s_does_not_look_into_are_refused_at_their_line(f, args, words):
    with pytest.raises(s2s.NoRuleError) as info:
        s2s.grad(f)(X, *args)
    assert_located(info.value, f, "# MARK", words)


@pytest.mark.parametrize("name, f, args", CASES[:4], ids=[c[0] for c in CASES[:4]])
def test_hessian_vector_products_through_a_global_container(name, f, args):
    """Forward over reverse differentiates the gradient's code, which reads the callable from
    the same global place (``_s2s.subderivative(CFG['loss'], ...)``)."""
    hvp = s2s.hvp(f)(*args, x_dot=V)
    expected = along(lambda x: s2s.grad(f)(x, *args[1:]), args[0], V)
    np.testing.assert_allclose(hvp, expected, rtol=1e-6, atol=1e-9)


def f_global_comprehension(x):
    return np.sum(np.stack([g(x) for g in FN_LIST]) ** 2) + sum(np.sum(g(x)) for g in FNS)


def test_comprehensions_over_global_functions():
    check_against_differences(f_global_comprehension, X, wrt=0, rtol=1e-6, atol=1e-8)
    _, tangent = s2s.jvp(f_global_comprehension)(X, V)
    assert tangent == pytest.approx(along(f_global_comprehension, X, V), rel=1e-6)


@pytest.mark.parametrize("f, bound", [(f_global_lambda, "SQ"), (f_lambda_attribute, "act")])
def test_a_global_lambda_is_bound_under_the_name_it_is_read_through(f, bound):
    """``SQ = lambda w: ...`` called as ``SQ(x)``: the factory binds ``d_SQ`` (it wrote
    ``d_<lambda>``, a SyntaxError in the generated code, even for grad)."""
    d = s2s.grad(f)
    d(X)
    assert f"d_{bound} = _s2s.subderivative(" in d.source
    j = s2s.jvp(f)
    j(X, V)
    assert f"jvp_{bound} = _s2s.jvp_of(" in j.source
    hvp = s2s.hvp(f)(X, V)
    np.testing.assert_allclose(hvp, along(s2s.grad(f), X, V), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(s2s.hessian(f)(X) @ V, hvp, rtol=1e-12, atol=1e-12)
