"""Parameter containers as ``wrt`` (DESIGN 12, docs/containers.md): dicts, lists, tuples,
NamedTuples and dataclasses, nested, against central differences in every mode."""

import types
from dataclasses import dataclass
from typing import NamedTuple

import gast
import numpy as np
import pytest
from gradcheck import numeric_gradient
from located import assert_located

import s2s


@dataclass
class Hyper:
    log_ls: float
    log_sf: float
    w: np.ndarray
    tag: str = "rbf"


class Layer(NamedTuple):
    w: np.ndarray
    b: np.ndarray


def f_dataclass(p, x):
    return np.exp(p.log_ls) * np.sum(np.tanh(x * p.w)) + p.log_sf**2


def f_namedtuples(layers, x):
    h = x
    for layer in layers:
        h = np.tanh(h @ layer.w + layer.b)
    return np.sum(h**2)


def f_items(params, x):
    total = 0.0
    for _k, v in params.items():
        total = total + np.sum(v * x)
    reg = sum(np.sum(w**2) for w in params.values())
    return total + reg


def f_unpack(params, x):
    (w1, b1), (w2, b2) = params["layers"]
    h = np.tanh(x @ w1 + b1)
    return np.sum(h @ w2 + b2) * params["scale"]


def f_index(layers, x):
    h = x
    for i in range(len(layers)):
        h = np.tanh(h @ layers[i]["w"])
    return np.sum(h) + np.sum(layers[-1]["w"])


def f_alias(params, x):
    first = params["first"]
    return np.sum(first["w"] * x) * params["c"] + np.sum(params["first"]["v"] ** 3)


def penalty(params, scale=1.0):
    return scale * np.sum(params["w0"] ** 2) + helper_of_helper(params)


def helper_of_helper(params):
    return np.sum(params["b0"] ** 2)


class Trainer:
    def __init__(self, reg):
        self.reg, self.calls = reg, 0

    def loss(self, params, x):
        self.calls += 1
        return np.sum(np.tanh(x @ params["w0"])) + self.reg * penalty(params)


TRAINER = Trainer(0.3)


def f_whole(params, x):
    return TRAINER.loss(params, x) + penalty(params, scale=0.5)


def f_range_keys(params, x):
    h = x
    for i in range(2):  # keys made from i: the loop is written out, i a constant each time
        h = np.tanh(h @ params[f"w{i}"] + params["b" + str(i)] * (i + 1))
    for i in range(1, 3):
        h = h * params["scales"][i - 1]
    return np.sum(h**2) + i


_RNG = np.random.default_rng(7)


def _cases():
    r = _RNG
    return [
        (f_dataclass, Hyper(0.3, -0.2, r.normal(size=3)), r.normal(size=3)),
        (f_namedtuples, [Layer(r.normal(size=(3, 3)), r.normal(size=3)),
                         Layer(r.normal(size=(3, 2)), r.normal(size=2))], r.normal(size=(4, 3))),
        (f_items, {"a": r.normal(size=3), "b": r.normal(size=3)}, r.normal(size=3)),
        (f_unpack, {"layers": [(r.normal(size=(3, 3)), r.normal(size=3)),
                               (r.normal(size=(3, 2)), r.normal(size=2))],
                    "scale": 1.5, "n": 3}, r.normal(size=(4, 3))),
        (f_index, [{"w": r.normal(size=(3, 3))}, {"w": r.normal(size=(3, 3))}],
         r.normal(size=(4, 3))),
        (f_alias, {"first": {"w": r.normal(size=3), "v": r.normal(size=3), "name": None},
                   "c": 0.5, "flag": True}, r.normal(size=3)),
        (f_range_keys, {"w0": r.normal(size=(3, 3)), "b0": r.normal(size=3),
                        "w1": r.normal(size=(3, 2)), "b1": r.normal(size=2),
                        "scales": [0.5, 1.5]}, r.normal(size=(4, 3))),
        (f_whole, {"w0": r.normal(size=(3, 3)), "b0": r.normal(size=3)}, r.normal(size=(4, 3))),
    ]  # fmt: skip


def _numeric(f, tree, x):
    """Central differences of ``f(tree, x)`` in the entries of ``s2s.tree.ravel(tree)``."""
    v, unravel = s2s.tree.ravel(tree)
    return numeric_gradient(lambda flat: f(unravel(flat), x), [v], 0)


@pytest.mark.parametrize("case", range(8))
def test_every_mode_matches_central_differences(case):
    f, params, x = _cases()[case]
    numeric = _numeric(f, params, x)
    g = s2s.grad(f)(params, x)
    assert type(g) is type(params)
    _, structure = s2s.tree.flatten(params)
    assert s2s.tree.flatten(g)[1] == structure  # same keys, fields, nesting
    np.testing.assert_allclose(s2s.tree.ravel_like(g), numeric, rtol=1e-6, atol=1e-7)
    value, g2 = s2s.value_and_grad(f)(params, x)
    assert value == pytest.approx(f(params, x))
    np.testing.assert_allclose(s2s.tree.ravel_like(g2), numeric, rtol=1e-6, atol=1e-7)
    value, pullback = s2s.vjp(f)(params, x)
    np.testing.assert_allclose(s2s.tree.ravel_like(pullback(2.0)), 2 * numeric, rtol=1e-6,
                               atol=1e-7)  # fmt: skip
    v, unravel = s2s.tree.ravel(params)
    direction = _RNG.normal(size=v.size)
    _, tangent = s2s.jvp(f)(params, x, unravel(direction))
    assert tangent == pytest.approx(numeric @ direction, rel=1e-6, abs=1e-7)


def test_non_differentiable_leaves_get_none_and_keep_their_place():
    f, params, x = _cases()[5]
    g = s2s.grad(f)(params, x)
    assert list(g) == ["first", "c", "flag"]
    assert list(g["first"]) == ["w", "v", "name"]
    assert g["first"]["name"] is None and g["flag"] is None
    assert isinstance(g["c"], np.float64)
    assert g["first"]["w"].shape == (3,)


def test_generated_source_names_each_leaf():
    def loss(params, x):
        return np.sum(np.tanh(x @ params["w1"]) * params["b1"])

    params = {"w1": np.ones((3, 2)), "b1": np.ones(2)}
    d = s2s.grad(loss)
    d(params, np.ones((4, 3)))
    assert "d_params_w1 = " in d.source and "d_params_b1 = " in d.source
    assert "x @ params_w1" in d.source


def test_mixed_wrt_container_and_array():
    def loss(params, z):
        return np.sum(params["a"] * z**2)

    params, z = {"a": np.arange(3.0)}, np.ones(3)
    ga, gz = s2s.grad(loss, wrt=("params", "z"))(params, z)
    np.testing.assert_allclose(ga["a"], z**2)
    np.testing.assert_allclose(gz, 2 * params["a"] * z)


def test_new_structure_generates_a_new_derivative():
    def loss(params):
        return sum(np.sum(v**2) for v in params.values())

    d = s2s.grad(loss)
    g1 = d({"a": np.ones(2)})
    g2 = d({"a": np.ones(2), "b": np.full(3, 2.0)})
    assert list(g1) == ["a"] and list(g2) == ["a", "b"]
    np.testing.assert_allclose(g2["b"], 4.0)


def test_ravel_round_trip_keeps_kinds_and_dtypes():
    tree = {"w": np.ones((2, 2), np.float32), "s": 1.5, "n": 3, "h": Hyper(0.1, 0.2, np.zeros(2))}
    v, unravel = s2s.tree.ravel(tree)
    assert v.dtype == np.float64 and v.shape == (4 + 1 + 4,)
    back = unravel(v + 1)
    assert back["w"].dtype == np.float32 and type(back["s"]) is float and back["n"] == 3
    assert isinstance(back["h"], Hyper) and back["h"].log_ls == pytest.approx(1.1)
    with pytest.raises(ValueError, match="shape"):
        unravel(np.zeros(3))


def _mutates(params, x):
    params["w"] = params["w"] * 2
    return np.sum(params["w"] * x)


def _dynamic(params, x, i):
    return np.sum(params[i] * x)


def _whole(params, x, fn):
    return np.sum(fn(params) * x)


def helper(params):
    return params["w"]


def _other_module_helper(params):  # this module's globals are not the differentiated function's
    return params["w"]


_other_module_helper = types.FunctionType(
    _other_module_helper.__code__, {"np": np}, "_other_module_helper"
)


@pytest.mark.parametrize(
    ("f", "args", "error", "text", "line", "advice"),
    [
        (_mutates, ({"w": np.ones(2)}, np.ones(2)), s2s.MutationError, "assignment into",
         'params["w"] = ', "under a new name"),
        (_dynamic, ([np.ones(2)], np.ones(2), 0), s2s.UnsupportedSyntaxError, "run time",
         "params[i]", "with a constant"),
        (_whole, ({"w": np.ones(2)}, np.ones(2), _other_module_helper),
         s2s.UnsupportedSyntaxError, "used whole", "fn(params)",
         "define the function that takes the container in this module"),
    ],
)  # fmt: skip
def test_refused_container_uses_are_located(f, args, error, text, line, advice):
    with pytest.raises(error, match=text) as info:
        s2s.grad(f)(*args)
    assert_located(info.value, f, line, advice)


def _loss_of_set(s):
    return 0.0


def test_a_set_of_arrays_is_refused():
    with pytest.raises(s2s.WrtError, match="set") as info:
        s2s.grad(_loss_of_set)({1.0, 2.0})
    assert "_loss_of_set" in str(info.value) or info.value.where is not None


def test_a_list_of_floats_is_a_container_of_leaves():
    def tanh_sum(x):
        return np.sum(np.tanh(x))

    g = s2s.grad(tanh_sum)([1.0, 2.0])
    assert type(g) is list and all(type(v) is np.float64 for v in g)
    np.testing.assert_allclose(g, 1 - np.tanh([1.0, 2.0]) ** 2)


def test_generated_source_says_which_parameter_is_which_leaf():
    def loss(p, x):
        return np.sum(x * p.w) * p.log_sf

    d = s2s.grad(loss)
    d(Hyper(0.0, 0.0, np.ones(2)), np.ones(2))
    assert "# p (a dataclass) comes leaf by leaf: p_log_ls is p.log_ls," in d.source


def _jvp_loss(params, x):
    return np.sum(params["w"] * x)


def test_a_tangent_of_another_structure_is_refused():
    with pytest.raises(s2s.TangentError, match="structure of `params`") as info:
        s2s.jvp(_jvp_loss)({"w": np.ones(2)}, np.ones(2), {"v": np.ones(2)})
    assert "same keys" in str(info.value)


def _breaks(params, x):
    s = 0.0
    for v in params.values():
        if np.sum(x) > 0:
            break
        s = s + np.sum(v * x)
    return s


def test_break_in_a_loop_over_a_container_is_refused_at_its_line():
    with pytest.raises(s2s.UnsupportedSyntaxError, match="break") as info:
        s2s.grad(_breaks)({"a": np.ones(2)}, np.ones(2))
    assert_located(info.value, _breaks, 4, "skip one with an `if`")


def test_a_container_not_in_wrt_is_read_as_before():
    def loss(x, cfg):
        return np.sum(x**2) * cfg["scale"]

    g = s2s.grad(loss)(np.arange(3.0), {"scale": 2.0, "name": "sq"})
    np.testing.assert_allclose(g, 4 * np.arange(3.0))


def test_a_container_passed_whole_to_a_function_of_the_module_or_a_global_method():
    """``TRAINER.loss(params, x)`` and ``penalty(params)`` are written into the derivative as
    nested defs reading the leaves; the user's counter still counts once per call, and a
    function redefined after a call (a re-run notebook cell) makes a new derivative."""
    global penalty
    params, x = {"w0": np.ones((3, 3)), "b0": np.ones(3)}, np.ones((2, 3))
    d = s2s.grad(f_whole)
    calls = TRAINER.calls
    first = d(params, x)
    assert TRAINER.calls == calls + 1
    assert "def penalty_1(scale=1.0, *, params_b0, params_w0):" in d.source
    original = penalty

    def quartic(params, scale=1.0):
        return scale * np.sum(params["w0"] ** 4)

    try:
        penalty = quartic
        np.testing.assert_allclose(d(params, x)["w0"], _numeric(f_whole, params, x)[:9]
                                   .reshape(3, 3), rtol=1e-6, atol=1e-7)  # fmt: skip
        assert not np.allclose(d(params, x)["w0"], first["w0"])
    finally:
        penalty = original


@dataclass
class Chain:
    w: np.ndarray
    b: np.ndarray

    def inner(self):
        return np.sum(np.sin(self.b) ** 2)

    def mid(self, x):
        return np.sum(np.tanh(x @ self.w)) + self.inner()

    def top(self, x):
        return self.mid(x) * 2.0


def f_chain(m, x):
    return m.top(x)


def test_methods_calling_methods_three_deep():
    """``top`` calls ``mid``, which calls ``inner``: each is written out as a nested def, and
    the one that needs ``m.b`` (two calls away) gets it (it was called without it)."""
    m, x = Chain(_RNG.normal(size=(3, 2)), _RNG.normal(size=2)), _RNG.normal(size=(4, 3))
    g = s2s.grad(f_chain)(m, x)
    numeric = _numeric(f_chain, m, x)
    np.testing.assert_allclose(s2s.tree.ravel_like(g), numeric, rtol=1e-6, atol=1e-7)


def _square_loss(params, x, scale=1.0):
    return np.sum((x @ params["w"] + params["b"]) ** 2) * scale


def _tanh_loss(params, x, scale=1.0):
    return np.sum(np.tanh(x @ params["w"]) * params["b"]) * scale


def f_loss_passed_in(params, x, loss_fn):
    return loss_fn(params, x, scale=0.5) + np.sum(params["b"] ** 2)


@pytest.mark.parametrize("mode", ["grad", "jvp", "hvp"])
def test_a_container_passed_whole_to_a_function_passed_in(mode):
    """``loss_fn(params, x)`` with ``loss_fn`` an argument: written out as a nested def reading
    the leaves, like a function of the module; another function passed in makes another
    derivative (its identity is part of the cache key)."""
    params = {"w": _RNG.normal(size=(3, 2)), "b": _RNG.normal(size=2)}
    x = _RNG.normal(size=(4, 3))
    v = {"w": _RNG.normal(size=(3, 2)), "b": _RNG.normal(size=2)}
    d = {"grad": s2s.grad, "jvp": s2s.jvp, "hvp": s2s.hvp}[mode](f_loss_passed_in)
    for loss_fn in (_square_loss, _tanh_loss, _square_loss):
        def f(p, x, loss_fn=loss_fn):
            return f_loss_passed_in(p, x, loss_fn)

        numeric = _numeric(f, params, x)
        if mode == "grad":
            got = s2s.tree.ravel_like(d(params, x, loss_fn))
            np.testing.assert_allclose(got, numeric, rtol=1e-6, atol=1e-7)
        elif mode == "jvp":
            _, tangent = d(params, x, loss_fn, v)
            np.testing.assert_allclose(tangent, numeric @ s2s.tree.ravel(v)[0], rtol=1e-6)
        else:
            def g(p, x, loss_fn=loss_fn):
                gradient = s2s.grad(f_loss_passed_in)(p, x, loss_fn)
                return s2s.tree.ravel(gradient)[0] @ s2s.tree.ravel(v)[0]

            expected = _numeric(g, params, x)
            got = s2s.tree.ravel_like(d(params, x, loss_fn, v))
            np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7)
    if mode == "grad":  # the latest derivative's source: the function written out
        assert "def _square_loss(x, scale=1.0, *, params_b, params_w):" in d.source


@dataclass
class _Dense:
    w: np.ndarray
    b: np.ndarray

    def __call__(self, x):
        return x @ self.w + self.b


@dataclass
class _TwoLayers:
    l1: _Dense
    l2: _Dense

    def forward(self, x):
        return self.l2(np.tanh(self.l1(x)))


def f_layers_called(model, x):
    return np.sum(model.forward(x) ** 2) + np.sum(model.l1(x))


def test_a_field_with_call_is_called_like_a_layer():
    """``self.l1(x)`` of a dataclass field whose class has ``__call__``: the method is written
    out reading that field's leaves (it was refused as the container "used whole")."""
    model = _TwoLayers(_Dense(_RNG.normal(size=(3, 4)), _RNG.normal(size=4)),
                       _Dense(_RNG.normal(size=(4, 2)), _RNG.normal(size=2)))  # fmt: skip
    x = _RNG.normal(size=(5, 3))
    g = s2s.grad(f_layers_called)(model, x)
    assert isinstance(g, _TwoLayers) and isinstance(g.l1, _Dense)
    np.testing.assert_allclose(s2s.tree.ravel_like(g), _numeric(f_layers_called, model, x),
                               rtol=1e-6, atol=1e-7)  # fmt: skip
    flat, unravel = s2s.tree.ravel(model)
    v = unravel(_RNG.normal(size=flat.size))
    _, tangent = s2s.jvp(f_layers_called)(model, x, v)
    assert tangent == pytest.approx(s2s.tree.ravel_like(g) @ s2s.tree.ravel(v)[0], rel=1e-8)


def f_filtered_keys(params, x):
    """An L2 penalty on the weights only, and every layer but the first."""
    penalty = sum(np.sum(v**2) for k, v in params.items() if k.startswith("w") and k != "w9")
    later = [np.sum(np.tanh(x * v)) for i, v in enumerate(params.values()) if i > 0]
    return penalty + sum(later) + len([k for k in params if k not in ("b0",)])


def f_filtered_by_value(params, x):
    return sum(np.sum(v) for v in params.values() if np.sum(v) > 0)  # MARK


def test_comprehensions_over_a_container_filtered_by_keys_or_positions():
    """The ``if`` is decided when the derivative is specialized (it reads only keys and
    positions): the kept items are written out, the others are not."""
    params = {"w0": _RNG.normal(size=3), "b0": _RNG.normal(size=3), "w1": _RNG.normal(size=3)}
    x = _RNG.normal(size=3)
    g = s2s.grad(f_filtered_keys)(params, x)
    np.testing.assert_allclose(s2s.tree.ravel_like(g), _numeric(f_filtered_keys, params, x),
                               rtol=1e-6, atol=1e-7)  # fmt: skip
    v = {k: _RNG.normal(size=3) for k in params}
    _, tangent = s2s.jvp(f_filtered_keys)(params, x, v)
    assert tangent == pytest.approx(s2s.tree.ravel_like(g) @ s2s.tree.ravel(v)[0], rel=1e-8)
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(f_filtered_by_value)(params, x)
    assert_located(info.value, f_filtered_by_value, "# MARK", "cannot decide from the keys",
                   "test keys or positions only")  # fmt: skip


def _data_loss(params, x, y, scale=1.0):
    return np.mean((_helper_predict(params, x) - y) ** 2) * scale


def _helper_predict(params, x):
    return np.tanh(x @ params["w"]) + params["b"]


def test_a_partial_binding_the_data_differentiates_a_container():
    """``s2s.grad(partial(loss, x=X, y=Y))(params)``: the partial's wrapper is a function of
    ``loss``'s module, so ``loss`` may pass ``params`` on whole (it was refused as used whole),
    and it adds no name to the module."""
    import functools

    params = {"w": _RNG.normal(size=3), "b": 0.3}
    x, y = _RNG.normal(size=(5, 3)), _RNG.normal(size=5)
    names = set(globals())
    bound = functools.partial(_data_loss, x=x, y=y, scale=2.0)
    g = s2s.grad(bound)(params)
    numeric = _numeric(lambda p, _: bound(p), params, None)
    np.testing.assert_allclose(s2s.tree.ravel_like(g), numeric, rtol=1e-6, atol=1e-8)
    assert set(globals()) == names


def f_get(params, x):
    reg = 0.0
    for name, v in params.items():
        if name.endswith("_w"):
            reg = reg + np.sum(v**2)
    h = np.tanh(x @ params["enc_w"])
    return np.sum(h) + params.get("l2", 0.0) * reg + params.get("missing", 0.5) + (
        params.get("absent") is None
    )


def test_get_with_a_constant_key_of_a_dict_parameter():
    """``params.get("l2", 0.0)``: the leaf when the key is there, the default when not (both
    known when the derivative is specialized)."""
    params = {"enc_w": _RNG.normal(size=(3, 2)), "head_w": _RNG.normal(size=2), "l2": 0.1}
    x = _RNG.normal(size=(4, 3))
    g = s2s.grad(f_get)(params, x)
    np.testing.assert_allclose(s2s.tree.ravel_like(g), _numeric(f_get, params, x), rtol=1e-6,
                               atol=1e-8)  # fmt: skip
    d = s2s.grad(f_get)
    d(params, x)
    assert "multiply_1 = params_l2 * reg" in d.source


def f_items_len_bound(params, x):
    s = 0.0
    for _k, v in params.items():
        s = s + np.sum(v * x[: len(v)]) * len(v)
    return s


def f_items_size_bound(params, x):
    s = 0.0
    for _k, v in params.items():
        s = s + np.sum(v * x[: v.size] ** 2) + np.sum(x[v.shape[0] - 1 : v.shape[0]] * v[-1])
    return s


def f_list_len_bound(layers, x):
    s = 0.0
    for v in layers:
        s = s + np.sum(np.sin(v) * x[: len(v)])
    return s


@pytest.mark.parametrize("f", [f_items_len_bound, f_items_size_bound, f_list_len_bound])
def test_a_slice_bound_read_from_a_loop_variable_over_a_container(f):
    """``x[: len(v)]``, ``x[: v.size]`` in a loop over a container: the bound reads the leaf
    (it read the undefined name ``v``; ``len(v)`` of a leaf was taken for the container's
    length, 0)."""
    a, c = np.array([0.3, 0.5]), np.array([0.1, 0.2, 0.4])
    params = [a, c] if f is f_list_len_bound else {"a": a, "c": c}
    x = np.array([1.0, 2.0, 3.0])
    g = s2s.grad(f)(params, x)
    np.testing.assert_allclose(s2s.tree.ravel_like(g), _numeric(f, params, x), rtol=1e-7,
                               atol=1e-9)  # fmt: skip
    _, gx = s2s.grad(f, wrt=(0, 1))(params, x)
    np.testing.assert_allclose(gx, numeric_gradient(f, [params, x], 1), rtol=1e-7, atol=1e-9)
    v, unravel = s2s.tree.ravel(params)
    direction = _RNG.normal(size=v.size)
    _, tangent = s2s.jvp(f)(params, x, unravel(direction))
    assert tangent == pytest.approx(_numeric(f, params, x) @ direction, rel=1e-7, abs=1e-9)
    s2s.check_grad(f, params, x, wrt=(0, 1), modes=("fwd",), order=2)


def rebinds_its_container(p, x):
    y = p[0] * x
    p = [v * 2.0 for v in p]
    return np.sum(p[0] * x + p[1] ** 2 + y)


def test_a_container_bound_again_once_at_the_top_level_is_a_new_name_from_there_on():
    """``p = [v * 2.0 for v in p]`` of a list argument ``p``: the new value is named anew from
    that statement on (reads before it, and in it, are the argument's). It was refused
    (``UnsupportedSyntaxError``); a generated pullback rebinds its cotangent so
    (``cotangent = _s2s.check_cotangent(cotangent, ...)``), which a fourth derivative
    through ``np.piecewise`` differentiates with that cotangent a list. Against central
    differences, leaf by leaf."""
    rng = np.random.default_rng(5)
    p = [rng.normal(size=3), rng.normal(size=3)]
    x = rng.normal(size=3)
    got = s2s.grad(rebinds_its_container)(p, x)
    np.testing.assert_allclose(got[0], 3.0 * x, rtol=1e-12)
    for k in range(2):
        def of_item(item, k=k):
            q = list(p)
            q[k] = item
            return rebinds_its_container(q, x)

        np.testing.assert_allclose(got[k], numeric_gradient(of_item, [p[k]], 0), rtol=1e-6)


def _by_length(params, x):
    # the arm for another length reads an item this container does not hold
    if len(params) == 2:
        return np.sum(params["w0"] * x + params["w1"])
    elif len(params) == 3:
        return np.sum(params["w0"] * x + params["w1"] * params["w2"])
    return np.sum(params["w0"] * x)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_a_branch_on_a_containers_length_takes_the_arm_it_runs(n):
    """``if len(params) == 2:`` is known when the derivative is made (a container's length is
    part of its structure): only that arm is differentiated, so another arm's ``params["w2"]``
    is not refused as a read of an item the container does not hold."""
    params = {f"w{k}": np.linspace(0.5, 1.5, 3) + k for k in range(n)}
    x = np.array([0.2, -0.4, 0.9])
    grads = s2s.grad(_by_length)(params, x)
    assert sorted(grads) == sorted(params)
    for key in params:
        expected = numeric_gradient(lambda p, key=key: _by_length({**params, key: p}, x),
                                    [params[key]], 0)  # fmt: skip
        np.testing.assert_allclose(grads[key], expected, rtol=1e-6, atol=1e-9)


def test_a_false_part_decides_and_only_where_the_rest_calls_nothing():
    from s2s.frontend.keys import known_condition

    static = {"n": 3}.get

    def known(text):
        node = gast.parse(text).body[0].value
        return known_condition(node, lambda n: static(getattr(n, "id", None)))

    assert known("n == 4 and len(xs) == 4") is False  # xs unknown: the other part decides
    assert known("n == 3 or m > 0") is True
    assert known("n == 3 and m > 0") is None
    assert known("n == 4 and f(x)") is None  # f(x) would not run: left to run time
