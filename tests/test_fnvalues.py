"""Functions as values (issue 11, item 2; docs/containers.md): a callable passed as an argument,
held by an argument's attribute or dict, a ``functools.partial``, a bound method of the user's
own class, a loop over a tuple of functions; each against central differences in reverse and
forward mode, shown readably in ``.source``, and specialized anew when the callable changes."""

import functools
import inspect
import math
from dataclasses import dataclass

import numpy as np
import pytest
from gradcheck import along, check_against_differences, numeric_gradient
from located import assert_located

import s2s
import s2s.pipeline

X = np.array([-0.7, 0.2, 0.5, 1.1])
Y = np.array([0.1, -0.3, 0.4, 0.2])
V = np.array([1.0, -2.0, 0.5, 0.3])
W = np.array([[0.5, -0.2, 0.1, 0.0], [0.3, 0.8, -0.4, 0.2],
              [0.0, 0.1, 0.6, -0.5], [0.2, 0.0, 0.3, 0.9]])  # fmt: skip


def helper(z, scale=1.0):
    return np.sin(z) * scale


def weighted(z, w):
    return np.tanh(z * w)


def mse(pred, y):
    return np.mean((pred - y) ** 2)


def make_act(alpha):
    def leaky(z):
        return np.where(z > 0, z, alpha * z)

    return leaky


class Softplus:
    def __init__(self, c):
        self.c = c

    def __call__(self, z):
        return np.log1p(np.exp(z)) * self.c


class Net:
    def __init__(self, act, w):
        self.act, self.w = act, w

    def forward(self, x):
        return self.act(x @ self.w)

    def smooth(self, z):
        return np.log1p(np.exp(z * 0.5))


def f_act(x, act=np.tanh):
    return np.sum(act(x) ** 2)


def f_self(x, net):
    return np.sum(net.act(x))


def f_forward(x, net):
    return np.sum(net.forward(x) ** 2)


def f_cfg(x, y, cfg):
    return cfg["loss"](np.tanh(x) * cfg["scale"], y)


def f_layers(x):
    layers = (np.tanh, np.sin, helper)
    for g in layers:
        x = g(x)
    return np.sum(x) + np.sum(layers[0](x) * layers[-1](x))


def f_fns(x, fns):
    for g in fns:
        x = g(x) * 1.5
    return np.sum(x)


def f_literal_loop(x, act):
    total = 0.0
    for g in (np.sin, act):
        total = total + np.sum(g(x))
    return total


def f_enumerate_zip(x, fns, weights):
    for i, g in enumerate(fns):
        x = g(x) * (i + 1.0)
    total = 0.0
    for g, w in zip(fns, weights):
        total = total + np.sum(g(x) * w)
    return total


def f_partial_inside(x, c):
    h = functools.partial(helper, scale=c)
    k = functools.partial(weighted, w=x)
    return np.sum(h(x) * k(c))


def weighted_one(z):
    return weighted(z, 0.7)


def f_generator(x, fns):
    return sum(np.sum(g(x) ** 2) for g in fns)


def f_comprehension(x, fns):
    ys = [g(x) * (i + 1.0) for i, g in enumerate(fns)]
    return np.sum(np.stack(ys) ** 2) + max(np.sum(g(x)) for g in (np.sin, helper))


def f_filtered(x, fns):
    return sum(np.sum(g(x)) for g in fns if g is not np.sin) + np.sum(x)


def f_filtered_by_value(x, fns):
    ys = [g(x) * (i + 1.0) for i, g in enumerate(fns) if np.sum(g(x)) < 1.5]
    return sum(np.sum(y**2) for y in ys) + np.sum(x)


def f_two_fors(x, fns):
    pairs = [np.sum(g(h(x))) for g in fns for h in fns if g is not h]
    return sum(pairs) + sum(np.sum(g(x * k)) for g in fns for k in (1.0, 2.0))


def f_tree(params, x):
    return np.sum(params["act"](x @ params["w"]))


_NET = Net(np.sin, W)
_BOUND = Net(np.sin, W)
_BOUND.act = _NET.smooth  # a bound method of another instance, kept in an attribute

# (name, function, arguments, wrt): each differentiated against central differences
CASES = [
    ("default", f_act, (X,), 0),
    ("ufunc", f_act, (X, np.sin), 0),
    ("user function", f_act, (X, helper), 0),
    ("lambda", f_act, (X, lambda z: z**3 - z), 0),
    ("partial", f_act, (X, functools.partial(helper, scale=2.0)), 0),
    ("partial of an array", f_act, (X, functools.partial(weighted, w=Y)), 0),
    ("partial of a ufunc", f_act, (X, functools.partial(np.power, 2.0)), 0),
    ("closure", f_act, (X, make_act(0.1)), 0),
    ("callable object", f_act, (X, Softplus(0.7)), 0),
    ("attribute function", f_self, (X, Net(helper, W)), 0),
    ("attribute ufunc", f_self, (X, Net(np.tanh, W)), 0),
    ("attribute bound method", f_self, (X, _BOUND), 0),
    ("method", f_forward, (X, Net(np.tanh, W)), 0),
    ("dict of callables", f_cfg, (X, Y, {"loss": mse, "scale": 2.0}), 0),
    ("local tuple loop", f_layers, (X,), 0),
    ("tuple argument loop", f_fns, (X, (np.tanh, helper, functools.partial(helper, scale=0.5))), 0),
    ("literal tuple loop", f_literal_loop, (X, make_act(0.2)), 0),
    ("partial inside", f_partial_inside, (X, 0.8), (0, 1)),
    ("enumerate and zip", f_enumerate_zip, (X, (np.sin, helper), (Y, V)), 0),
    ("generator over functions", f_generator, (X, (np.sin, helper, make_act(0.3))), 0),
    ("list comprehension over functions", f_comprehension, (X, (np.tanh, weighted_one)), 0),
    ("comprehension with an if", f_filtered, (X, (np.sin, np.cos, helper)), 0),
    ("if on a value", f_filtered_by_value, (X, (np.sin, np.cos, np.tanh)), 0),
    ("two fors", f_two_fors, (X, (np.sin, np.tanh, helper)), 0),
]


@pytest.mark.parametrize("name, f, args, wrt", CASES, ids=[c[0] for c in CASES])
def test_reverse_mode_against_differences(name, f, args, wrt):
    check_against_differences(f, *args, wrt=wrt, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name, f, args, wrt", CASES, ids=[c[0] for c in CASES])
def test_forward_mode_against_differences(name, f, args, wrt):
    named = dict(zip(inspect.signature(f).parameters, args))
    value, tangent = s2s.jvp(f)(**named, x_dot=V)
    assert value == pytest.approx(f(*args), rel=1e-12)
    expected = along(lambda x: f(x, *args[1:]), args[0], V)
    assert tangent == pytest.approx(expected, rel=1e-6, abs=1e-9)


def test_keyword_argument_and_scipy_function():
    special = pytest.importorskip("scipy.special")
    for act in (helper, special.expit, special.erf):
        g = s2s.grad(f_act)(X, act=act)
        expected = numeric_gradient(lambda x, act=act: f_act(x, act=act), (X,), 0)
        np.testing.assert_allclose(g, expected, rtol=1e-6, atol=1e-9)


def test_callable_leaf_of_a_container_argument():
    params = {"w": W, "act": np.tanh, "name": "layer"}
    g = s2s.grad(f_tree)(params, X)
    assert g["act"] is None and g["name"] is None

    def flat(w):
        return f_tree({"w": w, "act": np.tanh}, X)

    expected = numeric_gradient(flat, (W,), 0)
    np.testing.assert_allclose(g["w"], expected, rtol=1e-6, atol=1e-9)


def test_a_new_callable_in_the_same_place_gets_its_own_derivative(monkeypatch):
    generations = []
    generate = s2s.pipeline.generate
    counted = lambda *a, **k: generations.append(1) or generate(*a, **k)  # noqa: E731
    monkeypatch.setattr(s2s.pipeline, "generate", counted)
    d = s2s.grad(f_act)
    tanh = d(X, np.tanh)
    sin = d(X, np.sin)
    np.testing.assert_allclose(tanh, 2 * np.tanh(X) * (1 - np.tanh(X) ** 2), rtol=1e-12)
    np.testing.assert_allclose(sin, 2 * np.sin(X) * np.cos(X), rtol=1e-12)
    np.testing.assert_allclose(d(X, np.tanh), tanh, rtol=0)  # from the cache
    np.testing.assert_allclose(d(X, np.sin), sin, rtol=0)
    assert len(generations) == 2
    assert "_np.sin(x)" in d.source and "tanh" not in d.source


def test_an_attribute_changed_between_calls_regenerates():
    net = Net(np.tanh, W)
    d = s2s.grad(f_self)
    np.testing.assert_allclose(d(X, net), 1 - np.tanh(X) ** 2, rtol=1e-12)
    net.act = np.cos
    np.testing.assert_allclose(d(X, net), -np.sin(X), rtol=1e-12)
    cfg = {"loss": mse, "scale": 1.0}
    d = s2s.grad(f_cfg)
    first = d(X, Y, cfg)
    cfg["loss"] = lambda p, y: np.sum(p * y)
    np.testing.assert_allclose(d(X, Y, cfg), Y * (1 - np.tanh(X) ** 2), rtol=1e-12)
    assert not np.allclose(first, d(X, Y, cfg))


def cube(z):
    return z**3 - z


def test_hessian_vector_products_through_a_function_argument():
    """Forward over reverse differentiates the gradient's code, which calls ``act``'s
    sub-derivative: the function passed in is bound there too, and a new one regenerates."""
    hvp = s2s.hvp(f_act)
    for act in (helper, cube, np.sin, functools.partial(helper, scale=2.0)):
        expected = along(lambda x, act=act: s2s.grad(f_act)(x, act), X, V)
        np.testing.assert_allclose(hvp(X, V, act), expected, rtol=1e-6, atol=1e-9)


LOOPS_OVER_FUNCTIONS = ["tuple argument loop", "enumerate and zip", "generator over functions",
                        "list comprehension over functions", "comprehension with an if",
                        "two fors"]  # fmt: skip


@pytest.mark.parametrize("name, f, args, wrt", [c for c in CASES if c[0] in LOOPS_OVER_FUNCTIONS],
                         ids=LOOPS_OVER_FUNCTIONS)  # fmt: skip
def test_second_derivatives_through_a_loop_over_functions_passed_in(name, f, args, wrt):
    """The gradient's code calls ``_s2s.pullback_of(fns[0], ...)``; differentiated again, the
    tuple argument comes item by item (``fns_item_1, = fns``), and the item is resolved to the
    user's function there as at first order (it was refused as 'a derivative object made from
    a value of the function being differentiated')."""
    hvp = s2s.hvp(f)(*args, V)
    expected = along(lambda x: s2s.grad(f)(x, *args[1:]), args[0], V)
    np.testing.assert_allclose(hvp, expected, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(s2s.hessian(f)(*args) @ V, hvp, rtol=1e-10, atol=1e-12)


def test_a_new_tuple_of_functions_regenerates_the_second_derivative():
    hvp = s2s.hvp(f_generator)
    for fns in ((helper,), (cube,), (cube, helper)):
        expected = along(lambda x, fns=fns: s2s.grad(f_generator)(x, fns), X, V)
        np.testing.assert_allclose(hvp(X, fns, V), expected, rtol=1e-6, atol=1e-9)


class Layered:
    """Parameters in ``self``; ``loss`` calls ``forward``, which calls ``self.act``."""

    def __init__(self, w, act=np.tanh):
        self.w, self.act = w, act

    def forward(self, x):
        return self.act(x @ self.w)

    def loss(self, x):
        return np.sum(self.forward(x) ** 2)


_MODEL = Layered(W, np.sin)


def f_model_loss(x, model):
    return model.loss(x) * 2.0


def f_global_model(x):
    return np.sum(_MODEL.forward(x) ** 2)


def _act_of(x, net):
    return np.sum(net.act(x @ net.w) ** 2)


def f_helper_reads_act(x, net):
    return _act_of(x, net)


# (name, f, its arguments after x): second derivatives through methods and callable objects
SECOND_ORDER = [
    ("callable object", f_act, (Softplus(0.7),)),
    ("bound method as a value", f_act, (_NET.smooth,)),
    ("method", f_forward, (Net(np.tanh, W),)),
    ("attribute bound method", f_self, (_BOUND,)),
    ("method calling a method", f_model_loss, (Layered(W, np.sin),)),
    ("global object's method", f_global_model, ()),
    ("callable object in an attribute", f_model_loss, (Layered(W, Softplus(0.4)),)),
]


@pytest.mark.parametrize("name, f, rest", SECOND_ORDER, ids=[c[0] for c in SECOND_ORDER])
def test_first_derivatives_through_methods_and_callable_objects(name, f, rest):
    """``model.loss(x)`` calling ``self.forward`` calling ``self.act``, with ``self.w``; a
    global object's method; in reverse and forward mode against differences."""
    check_against_differences(f, X, *rest, wrt=0, rtol=1e-6, atol=1e-8)
    named = dict(zip(list(inspect.signature(f).parameters)[1:], rest))
    _, tangent = s2s.jvp(f)(X, **named, x_dot=V)
    assert tangent == pytest.approx(along(lambda x: f(x, *rest), X, V), rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("name, f, rest", SECOND_ORDER, ids=[c[0] for c in SECOND_ORDER])
def test_second_derivatives_through_methods_and_callable_objects(name, f, rest):
    """Code differentiated again calls a method's function with its owner first
    (``net.forward.__func__``, ``net.forward.__self__``), so the gradient's code is
    differentiable like a call of a plain function."""
    expected = along(lambda x: s2s.grad(f)(x, *rest), X, V)
    named = dict(zip(list(inspect.signature(f).parameters)[1:], rest))
    got = s2s.hvp(f)(X, **named, x_dot=V)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(s2s.hessian(f)(X, **named) @ V, expected, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("f", [f_helper_reads_act, f_model_loss])
def test_a_new_callable_read_by_a_helper_regenerates_a_second_derivative(f):
    """The code differentiated again had ``net.act`` written out as ``np.sin``: its derivative
    keys on that callable too (hvp gave the sine's answer for tanh)."""
    hvp = s2s.hvp(f)
    for act in (np.sin, np.tanh, helper):
        net = Layered(W, act)
        expected = along(lambda x, net=net: s2s.grad(f)(x, net), X, V)
        np.testing.assert_allclose(hvp(X, net, V), expected, rtol=1e-6, atol=1e-9)


def test_directions_passed_where_an_object_goes_name_the_argument_order():
    """``hvp(f)(x, v, net)`` for ``def f(x, net)`` puts ``v`` into ``net``: the message says
    so (it said the method was called on "a module or an object")."""
    with pytest.raises(s2s.NoRuleError) as info:
        s2s.hvp(f_forward)(X, V, Net(np.tanh, W))
    assert_located(info.value, f_forward, "return np.sum(net.forward(x)", "`net` holds a numpy "
                   "array", "order of the derivative's arguments", "s2s.hvp(f)(x, net, v)")


def test_closures_of_one_factory_share_a_derivative_and_read_their_values():
    d = s2s.grad(f_act)
    for alpha in (0.1, 0.3):
        expected = numeric_gradient(lambda x, a=alpha: f_act(x, make_act(a)), (X,), 0)
        np.testing.assert_allclose(d(X, make_act(alpha)), expected, rtol=1e-6, atol=1e-9)


def test_a_generator_over_functions_is_written_out_once_per_function():
    d = s2s.grad(f_generator)
    d(X, (np.sin, np.cos))
    assert "_np.sin(x)" in d.source and "_np.cos(x)" in d.source


def test_generated_source_calls_the_function_where_the_user_put_it():
    d = s2s.grad(f_act)
    d(X, helper)
    assert "_s2s.subderivative(act, ('z',))(x)" in d.source
    d = s2s.grad(f_cfg)
    d(X, Y, {"loss": mse, "scale": 2.0})
    assert "_s2s.subderivative(cfg['loss'], ('pred',))" in d.source
    d = s2s.grad(f_forward)
    d(X, Net(np.tanh, W))
    assert "_s2s.subderivative(net.forward, ('x',))(x)" in d.source
    d = s2s.grad(f_act)
    d(X, functools.partial(helper, scale=2.0))
    assert "_s2s.subderivative(act.func, ('z',))(x, scale=2.0)" in d.source
    d = s2s.grad(f_layers)
    d(X)
    assert "_np.tanh(x)" in d.source and "_np.sin(" in d.source


def f_picked(x, fns, i):
    g = fns[i]
    return np.sum(g(x))  # MARK


def f_indexed(x, fns, i):
    return np.sum(fns[i](x))  # MARK


def f_rebound(x, act):
    act = np.sin
    return np.sum(act(x))  # MARK


def f_chosen(x, c):
    return np.sum((np.sin if c else np.cos)(x))  # MARK


def f_break(x, fns):
    for g in fns:
        x = g(x)
        if np.sum(x) > 0:
            break  # MARK
    return np.sum(x)


def f_filtered_in_a_conditional(x, fns):
    g = 0.0
    if np.sum(x) > -10.0:
        g = g + sum(np.sum(g(x)) for g in fns if g is not np.sin)  # MARK
    return g


def f_comprehension_in_a_conditional(x, fns):
    return sum(np.sum(g(x)) for g in fns if g is not np.sin) if x[0] < 5 else 0.0  # MARK


def f_moving_partial(x, c):
    h = functools.partial(helper, scale=c)  # MARK
    c = c * 2.0
    return np.sum(h(x) * c)


@pytest.mark.parametrize(
    "f, args, error, words",
    [
        (f_picked, ((np.sin, np.cos), 1), s2s.NoRuleError, "`g` is assigned in the function"),
        (f_indexed, ((np.sin, np.cos), 1), s2s.NoRuleError, "`fns[i]` is picked"),
        (f_rebound, (np.tanh,), s2s.NoRuleError, "`act` is assigned in the function"),
        (f_chosen, (True,), s2s.NoRuleError, "`np.sin if c else np.cos` is chosen"),
        (f_act, (math.gamma,), s2s.NoRuleError, "no derivative rule for math.gamma"),
        (f_break, ((np.sin, np.cos),), s2s.UnsupportedSyntaxError, "`break` or `continue`"),
        (f_moving_partial, (2.0,), s2s.UnsupportedSyntaxError, "a name assigned again"),
        (f_filtered_in_a_conditional, ((np.sin, np.cos),), s2s.NoRuleError,
         "a variable of the comprehension is also a name of the function outside it"),
        (f_comprehension_in_a_conditional, ((np.sin, np.cos),), s2s.NoRuleError,
         "`g` takes its functions in a comprehension s2s does not write out"),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_callables_known_only_at_run_time_are_refused_at_their_line(f, args, error, words):
    with pytest.raises(error) as info:
        s2s.grad(f)(X, *args)
    line = "# MARK" if f is not f_act else "return np.sum(act(x)"
    assert_located(info.value, f, line, words)


def f_noisy(x, rng):
    noise = rng.normal(size=x.shape)
    return np.sum(x**2 + noise)


def test_a_library_method_of_an_argument_is_keyed_by_its_rule_not_its_object(monkeypatch):
    """``rng.normal`` is a new object at each read and each call brings a new generator: one
    derivative serves them all, and each call draws once, as one call of ``f`` would."""
    generations = []
    generate = s2s.pipeline.generate
    counted = lambda *a, **k: generations.append(1) or generate(*a, **k)  # noqa: E731
    monkeypatch.setattr(s2s.pipeline, "generate", counted)
    d = s2s.grad(f_noisy)
    for seed in range(3):
        rng = np.random.default_rng(seed)
        np.testing.assert_allclose(d(X, rng), 2 * X, rtol=1e-12)
        after = rng.normal()
        rng = np.random.default_rng(seed)
        rng.normal(size=X.shape)
        assert after == rng.normal()
    assert len(generations) == 1


@dataclass
class Model:
    w: np.ndarray
    b: np.ndarray
    act: object = np.tanh

    def forward(self, x):
        return self.act(x @ self.w + self.b)

    def penalty(self):
        return np.sum(self.w**2)

    def loss(self, x, y):
        return mse(self.forward(x), y) + 0.1 * self.penalty()


def f_model(model, x, y):
    return model.loss(x, y)


def test_methods_of_a_dataclass_parameter_container():
    model = Model(W, Y, np.sin)
    g = s2s.grad(f_model)(model, X, Y)
    assert isinstance(g, Model) and g.act is None
    for field in ("w", "b"):

        def moved(v, field=field):
            return f_model(Model(**{**vars(model), field: v}), X, Y)

        expected = numeric_gradient(moved, (getattr(model, field),), 0)
        np.testing.assert_allclose(getattr(g, field), expected, rtol=1e-6, atol=1e-9)
    source = s2s.grad(f_model)
    source(model, X, Y)
    assert "def model_loss(x, y, *, model_act, model_b, model_w):" in source.source
    direction = Model(np.ones_like(W), np.ones_like(Y), None)
    _, tangent = s2s.jvp(f_model)(model, X, Y, direction)
    expected = along(lambda t: f_model(Model(W + t, Y + t, np.sin), X, Y), 0.0, 1.0)
    assert tangent == pytest.approx(expected, rel=1e-6)


@dataclass
class Base:
    w: np.ndarray

    def scale(self):
        return 2.0


@dataclass
class Child(Base):
    def scale(self):
        return super().scale() * 1.5


def f_super(p, x):
    return np.sum(p.w * x) * p.scale()  # MARK


def test_a_container_method_that_cannot_be_written_out_is_refused_at_its_call():
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(f_super)(Child(X), X)
    assert_located(info.value, f_super, "# MARK", "`p.scale(...)` calls a method", "`super()`")


@pytest.mark.parametrize("act", [np.tanh, helper, functools.partial(helper, scale=2.0)],
                         ids=["ufunc", "function", "partial"])  # fmt: skip
def test_float32_stays_float32(act):
    x32 = X.astype(np.float32)
    g = s2s.grad(f_act)(x32, act)
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, s2s.grad(f_act)(X, act), rtol=1e-5, atol=1e-6)


def f_no_default(x, act):
    return np.sum(act(x))  # MARK


def test_source_before_a_call_names_the_parameter_that_is_not_a_function():
    d = s2s.grad(f_no_default)
    with pytest.raises(s2s.NoRuleError) as info:
        print(d.source)
    assert_located(info.value, f_no_default, "# MARK", "`act` holds a numpy.ndarray")
    d(X, np.sin)
    assert "d_x = _np.cos(x)" in d.source


def test_hessian_and_jacobian_take_an_argument_after_a_default_by_position():
    """``hessian(f)(x, act)`` of ``def f(x, act=np.tanh)``: the products' signature is
    ``(x, x_dot, act)``; ``act`` went into the tangent's place (a TypeError)."""
    expected = np.stack([s2s.hvp(f_act)(X, e, act=np.sin) for e in np.eye(len(X))])
    np.testing.assert_allclose(s2s.hessian(f_act)(X, np.sin), expected, rtol=1e-12)
    jac = s2s.jacobian(lambda_free_act, mode="forward")(X, np.sin)
    np.testing.assert_allclose(jac, np.diag(np.cos(X)), rtol=1e-12)


def lambda_free_act(x, act=np.tanh):
    return act(x)


def piece_reading_a_local(x, w):
    def piece(v):
        return v * w

    return np.sum(np.piecewise(x, [x > 0], [piece, 0.0]))  # MARK piece


def slice_sum_reading_a_local(x, w):
    def total(v):
        return np.sum(v * w)

    return np.sum(np.apply_along_axis(total, 0, x))  # MARK total


@pytest.mark.parametrize("f", [piece_reading_a_local, slice_sum_reading_a_local])
def test_a_nested_def_that_reads_a_local_is_refused_as_a_value(f):
    """Its captured locals are passed at the calls written in the function; a library function
    calling it would not pass them (a TypeError) and no gradient would reach them: refused at
    the line that passes it, in both modes."""
    with pytest.raises(s2s.UnsupportedSyntaxError, match="`w`") as info:
        s2s.grad(f, wrt=(0, 1))(X, 2.0)
    assert_located(info.value, f, "# MARK", "module level")
    with pytest.raises(s2s.UnsupportedSyntaxError, match="`w`"):
        s2s.jvp(f, wrt=0)(X, 2.0, V)


def _piece(v):
    return np.sin(v) * 2.0


def piecewise_of_a_module_function(x):
    return np.sum(np.piecewise(x, [x > 0], [_piece, np.tanh]))


def test_a_library_function_given_a_function_differentiates_it():
    check_against_differences(piecewise_of_a_module_function, X)


VECTORIZED = np.vectorize(lambda t: t * t if t > 0 else -t)


def calls_a_vectorized(x, vf):
    return np.sum(vf(x))


def test_a_vectorize_object_passed_in_is_differentiated():  # more in tests/test_vectorize.py
    check_against_differences(lambda x: calls_a_vectorized(x, VECTORIZED), X)


def squared_activation(w, act):
    return np.sum(act(w) ** 2)


def scaled_by_default(z, c=2.0):
    return z * c


def test_a_callables_defaults_changed_in_place_make_a_new_derivative():
    """A fresh user's: after `d.__defaults__ = (7.0,)` the gradient and value through `act=d`
    kept c=2 (the sub-derivative was cached by code and globals; its wrapper binds calls with
    the defaults it was made with)."""
    act = types_copy(scaled_by_default)
    np.testing.assert_allclose(s2s.grad(squared_activation)(X, act), 8.0 * X)
    act.__defaults__ = (7.0,)
    value, grad = s2s.value_and_grad(squared_activation)(X, act)
    assert value == pytest.approx(squared_activation(X, act))
    np.testing.assert_allclose(grad, 98.0 * X)
    act.__kwdefaults__ = None
    act.__defaults__ = (np.float32(1.5),)  # one default for the other by type and value too
    np.testing.assert_allclose(s2s.grad(squared_activation)(X, act), 4.5 * X)


def types_copy(function):
    """A copy of ``function`` whose defaults this test may change."""
    import types

    return types.FunctionType(
        function.__code__, function.__globals__, function.__name__, function.__defaults__
    )


def test_a_function_made_by_exec_without_a_module_name_is_refused_located():
    """A fresh user's: exec() in a namespace without `__name__` makes a function whose
    `__module__` is None; s2s crashed (AttributeError) instead of saying its source is gone."""
    namespace = {"np": np}
    exec("def act(z):\n    return np.sin(z)\n", namespace)
    assert namespace["act"].__module__ is None
    with pytest.raises(s2s.SourceUnavailableError, match="no source code is available for act"):
        s2s.grad(squared_activation)(X, namespace["act"])


def reversed_and_paired(x, fns, pairs):
    s = 0.0
    for g in reversed(fns):
        s = s + np.sum(g(x))
    for i, g in enumerate(reversed(fns)):
        s = s + i * np.sum(g(x) ** 2)
    for g, c in pairs:
        s = s + c * np.sum(g(x * c))
    return s


def test_loops_over_reversed_functions_and_over_pairs_of_a_function_and_a_weight():
    fns, pairs = (np.sin, np.tanh), ((np.cos, 2.0), (np.exp, 0.5))
    (gradient,) = check_against_differences(reversed_and_paired, X, fns, pairs)
    value, tangent = s2s.jvp(reversed_and_paired)(X, fns, pairs, V)
    assert tangent == pytest.approx(np.dot(gradient, V), rel=1e-10)
    column = along(lambda x: s2s.grad(reversed_and_paired)(x, fns, pairs), X, V)
    np.testing.assert_allclose(s2s.hvp(reversed_and_paired)(X, fns, pairs, V), column,
                               rtol=1e-6)  # fmt: skip
    # another tuple of pairs is another specialization, not the first one's functions
    check_against_differences(reversed_and_paired, X, fns, ((np.sin, 1.5),))
