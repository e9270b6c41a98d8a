"""Python that scientists write, once refused (issue 11): the builtin ``pow``, ``.tolist()``,
dict comprehensions, ``enumerate(zip(fns, ...))``, staticmethods and classmethods, objects made
inside the function and lists of parameter dicts. Each is checked against central differences
in reverse mode (float64 and float32), forward mode (``jvp``) and second order (``hvp`` against
differences of the gradient).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pytest
from gradcheck import along, check_against_differences, check_low_precision, numeric_gradient
from located import assert_located
from test_higher_order_constructs import _finite_difference_hessian

import s2s

RNG = np.random.default_rng(20261206)
X = np.array([0.3, 0.5, 0.7])
V = np.array([1.0, -2.0, 0.5])


def builtin_pow(x):
    return np.sum(pow(x, 2)) + pow(x[0], x[1]) + pow(pow(x[2], 2.0), 1.5) + pow(2.0, x[1])


def tolist_unpacked(x):
    a, b, c = np.sin(x).tolist()
    return a * b + c


def tolist_in_a_loop(x):
    total = 0.0
    for v in x.tolist():
        total = total + v * v
    return total


def tolist_summed_and_indexed(x):
    xs = (x * 2.0).tolist()
    return sum(xs) * xs[0] + sum(v**2 for v in xs)


def dict_comprehension_over_items(x):
    params = {"a": x, "b": x * 3.0}
    doubled = {k: v * 2.0 for k, v in params.items()}
    return np.sum(doubled["a"] * doubled["b"]) + sum(np.sum(v) for v in doubled.values())


def dict_comprehension_of_functions(x):
    out = {name: fn(x) for name, fn in (("s", np.sin), ("c", np.cos))}
    return np.sum(out["s"]) * np.sum(out["c"])


def dict_comprehension_over_pairs(x):
    d = {"a": x, "b": x * 2.0}
    tripled = {kv[0]: kv[1] * 3.0 for kv in d.items()}
    return np.sum(tripled["a"] * tripled["b"])


def dict_comprehension_over_keys(x):
    scales = {"a": 1.0, "b": 2.0}
    out = {k + "_scaled": x * scales[k] for k in scales}
    return np.sum(out["a_scaled"] ** 2 + np.sin(out["b_scaled"]))


ACTIVATIONS = (np.sin, np.tanh, np.cos)
WEIGHTS = (1.0, 2.0, 0.5)


def enumerate_zip_of_functions(x):
    total = 0.0
    for i, (fn, w) in enumerate(zip(ACTIVATIONS, WEIGHTS)):
        total = total + w * np.sum(fn(x * (i + 1)))
    return total


def zip_of_functions_and_a_literal(x):
    scale = x[0] * 2.0
    total = 0.0
    for fn, w in zip(ACTIVATIONS, (1.0, scale, 0.5)):
        total = total + w * np.sum(fn(x))
    return total


def enumerate_zip_in_a_generator(x):
    return sum(w * np.sum(fn(x)) * i for i, (fn, w) in enumerate(zip(ACTIVATIONS, WEIGHTS)))


class Scaled:
    """A model whose helpers are a staticmethod and classmethods."""

    OFFSET = 1.5

    @staticmethod
    def scale(x):
        return 2.0 * x

    @classmethod
    def shift(cls, x):
        return x + cls.OFFSET

    @classmethod
    def scaled_shift(cls, x):
        return cls.scale(cls.shift(x))

    def loss(self, x):
        return np.sum(self.scale(x) * self.shift(x)) + np.sum(self.scaled_shift(x) ** 2)


MODEL = Scaled()


def staticmethod_and_classmethod_on_self(x):
    return MODEL.loss(x) + np.sum(np.sin(Scaled.scale(x)))


def classmethod_on_the_class(x):
    return np.sum(Scaled.shift(x) * Scaled.scaled_shift(x))


def methods_in_a_tuple_of_functions(x):
    return sum(np.sum(g(x) ** 2) for g in (Scaled.scale, Scaled.shift, MODEL.scaled_shift))


class Params(NamedTuple):
    w: np.ndarray
    b: float
    scale: float = 2.0


@dataclass
class Layer:
    w: np.ndarray
    b: np.ndarray
    gain: float = 0.5


def namedtuple_made_and_read(x):
    p = Params(w=x * 2.0, b=np.sum(x))
    return np.sum(p.w**2) * p.scale + p.b * p.w[0]


def dataclass_made_and_read(x):
    layer = Layer(np.outer(x, x), b=np.sin(x))
    h = np.tanh(layer.w @ x + layer.b) * layer.gain
    return np.sum(h * h) + layer.w.sum()


def records_in_a_loop_body(x):
    total = 0.0
    for k in range(2):
        p = Params(x * (k + 1.0), np.sum(x) * k)
        total = total + np.sum(np.sin(p.w)) + p.b
    return total


CASES = [
    builtin_pow, tolist_unpacked, tolist_in_a_loop, tolist_summed_and_indexed,
    dict_comprehension_over_items, dict_comprehension_of_functions, dict_comprehension_over_keys,
    dict_comprehension_over_pairs,
    enumerate_zip_of_functions, zip_of_functions_and_a_literal, enumerate_zip_in_a_generator,
    staticmethod_and_classmethod_on_self, classmethod_on_the_class, methods_in_a_tuple_of_functions,
    namedtuple_made_and_read, dataclass_made_and_read, records_in_a_loop_body,
]  # fmt: skip


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_reverse_mode_against_differences(f):
    check_against_differences(f, X)


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_reverse_mode_in_float32(f):
    check_low_precision(f, (X,), (0,), "float32", np.random.default_rng(3))


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_forward_mode_against_differences(f):
    value, tangent = s2s.jvp(f)(X, V)
    assert value == pytest.approx(f(X), rel=1e-12)
    assert tangent == pytest.approx(along(f, X, V), rel=1e-6)


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_hvp_against_differences_of_the_gradient(f):
    hessian = _finite_difference_hessian(f, (X,), 0)
    np.testing.assert_allclose(s2s.hvp(f)(X, V), hessian @ V, rtol=1e-5, atol=1e-6)


def pow_passed_in(x, pow):  # noqa: A002 - this `pow` is not the builtin
    return np.sum(pow(x, 3.0))


def test_builtin_pow_is_written_as_the_operator():
    source = s2s.grad(builtin_pow).source
    assert "power_1 = x ** 2" in source and "= pow(" not in source
    np.testing.assert_allclose(s2s.grad(pow_passed_in)(X, np.multiply), np.full(3, 3.0))


def test_tolist_is_written_as_the_items_in_the_source():
    source = s2s.grad(tolist_unpacked).source
    assert "array = _np.sin(x)" in source and "if len(array) != 3:" in source
    assert "getitem_1 = array[0]" in source and "item_1 = getitem_1.item()" in source


PAIRS = np.array([[0, 1], [1, 2], [2, 0]])


def tolist_of_a_global_table(x):
    total = 0.0
    for i, j in PAIRS.tolist():  # a 2-D table of indices: kept as written
        total = total + x[i] * x[j]
    return total


def test_tolist_of_a_global_table_is_kept_as_written():
    check_against_differences(tolist_of_a_global_table, X)
    assert "PAIRS.tolist()" in s2s.grad(tolist_of_a_global_table).source


def tolist_unpacked_into_too_few_names(x):
    a, b = x.tolist()
    return a * b


def test_tolist_unpacked_into_the_wrong_number_of_names_raises_as_python_does():
    with pytest.raises(ValueError):
        tolist_unpacked_into_too_few_names(X)
    # a ValueError, as Python raises, and not an assert: `python -O` keeps it
    with pytest.raises(ValueError, match="does not hold the 2 values to unpack"):
        s2s.grad(tolist_unpacked_into_too_few_names)(X)
    with pytest.raises(ValueError, match="does not hold the 2 values to unpack"):
        s2s.jvp(tolist_unpacked_into_too_few_names)(X, np.ones_like(X))
    assert "assert" not in s2s.grad(tolist_unpacked_into_too_few_names).source


def dict_comprehension_of_a_dict_argument(params, x):
    scaled = {k: np.tanh(v * x) for k, v in params.items()}
    return np.sum(scaled["w"] ** 2) + np.sum(scaled["b"]) * params["w"][0]


def _flat_gradient(f, params, x, h=1e-6):
    """Central differences of ``f(params, x)`` for each array in ``params``, entry by entry."""
    return {
        key: numeric_gradient(lambda v, key=key: f(dict(params, **{key: v}), x), (value,), 0, h)
        for key, value in params.items()
    }


def test_dict_comprehension_over_a_dict_argument_against_differences():
    params = {"w": RNG.normal(size=3), "b": RNG.normal(size=3)}
    grads = s2s.grad(dict_comprehension_of_a_dict_argument)(params, X)
    expected = _flat_gradient(dict_comprehension_of_a_dict_argument, params, X)
    assert list(grads) == ["w", "b"]
    for key in params:
        np.testing.assert_allclose(grads[key], expected[key], rtol=1e-6, atol=1e-9)
    flat, unravel = s2s.tree.ravel(params)
    direction = RNG.normal(size=flat.size)
    _, tangent = s2s.jvp(dict_comprehension_of_a_dict_argument)(params, X, unravel(direction))
    assert tangent == pytest.approx(s2s.tree.ravel(grads)[0] @ direction, rel=1e-10)
    hv = s2s.hvp(dict_comprehension_of_a_dict_argument)(params, X, unravel(direction))
    gradient = s2s.grad(dict_comprehension_of_a_dict_argument)
    second = along(lambda v: s2s.tree.ravel(gradient(unravel(v), X))[0], flat, direction, 1e-5)
    np.testing.assert_allclose(s2s.tree.ravel(hv)[0], second, rtol=1e-5, atol=1e-7)


def test_dict_comprehension_is_written_out_in_the_source():
    source = s2s.grad(dict_comprehension_over_items).source
    assert "doubled_a = x * 2.0" in source and "doubled_b = params_b * 2.0" in source
    code = [line for line in source.split('"""')[2].splitlines() if "# line" not in line]
    assert not any("{" in line for line in code)  # no dict is built in the generated code


def dict_comprehension_over_a_run_time_value(x, keys):
    out = {k: x * 2.0 for k in keys}  # MARK
    return np.sum(out["a"])


def dict_comprehension_with_if(x):
    d = {"a": x, "b": x * 2.0}
    out = {k: v for k, v in d.items() if k != "b"}  # MARK
    return np.sum(out["a"])


def dict_comprehension_in_a_nested_def(x):
    def inner(v):
        return {k: v for k in ("a",)}  # MARK

    return np.sum(inner(x)["a"])


@pytest.mark.parametrize(
    "f, args, words",
    [
        (dict_comprehension_in_a_nested_def, (X,), "a dict comprehension inside a nested def"),
        (dict_comprehension_over_a_run_time_value, (X, ("a", "b")), "known only at run time"),
        (dict_comprehension_with_if, (X,), "with an `if` or a second `for`"),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_dict_comprehension_still_refused_names_the_cause(f, args, words):
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(f)(*args)
    assert_located(info.value, f, "# MARK", words)


def enumerate_zip_of_function_arguments(x, fns, ws):
    total = 0.0
    for i, (fn, w) in enumerate(zip(fns, ws)):
        total = total + np.sum(fn(x * w)) * (i + 1)
    return total


def test_enumerate_zip_of_function_arguments_against_differences():
    check_against_differences(enumerate_zip_of_function_arguments, X, ACTIVATIONS, WEIGHTS)
    grad = s2s.grad(enumerate_zip_of_function_arguments)(X, (np.cos,), (3.0,))  # a new derivative
    np.testing.assert_allclose(grad, -np.sin(X * 3.0) * 3.0, rtol=1e-12)


def test_enumerate_zip_is_written_out_once_per_function_in_the_source():
    source = s2s.grad(enumerate_zip_of_functions).source
    assert "= _np.sin(" in source and "_np.tanh" in source and "= _np.cos(" in source
    assert "= WEIGHTS[2]" in source and "= 2 + 1" in source


def applied(x, act):
    return np.sum(np.sin(act(x)))


@pytest.mark.parametrize("act", [Scaled.scale, Scaled.shift, MODEL.shift, MODEL.scaled_shift],
                         ids=["staticmethod", "classmethod", "bound classmethod", "bound chain"])
def test_staticmethod_or_classmethod_passed_as_an_argument(act):
    check_against_differences(applied, X, act)
    value, tangent = s2s.jvp(applied)(X, act, V)
    assert tangent == pytest.approx(along(lambda x: applied(x, act), X, V), rel=1e-6)


def test_a_record_is_one_name_per_field_in_the_source():
    source = s2s.grad(namedtuple_made_and_read).source
    assert "p_w = x * 2.0" in source and "p_scale = 2.0" in source
    code = [line for line in source.splitlines() if "# line" not in line]
    assert not any("Params(" in line for line in code)  # no object is made


@dataclass
class _Logged:
    w: np.ndarray

    def __post_init__(self):
        self.w = self.w * 1.0


def record_with_post_init(x):
    p = _Logged(x * 2.0)  # MARK
    return np.sum(p.w)


def record_returned_whole(x):
    p = Params(x * 2.0, 1.0)  # MARK
    return p


def test_records_that_are_not_plain_keep_the_located_refusal():
    with pytest.raises(s2s.NoRuleError) as info:
        s2s.grad(record_with_post_init)(X)
    assert_located(info.value, record_with_post_init, "# MARK", "making an object of your class")
    with pytest.raises(s2s.S2SError) as info:
        s2s.vjp(record_returned_whole)(X)
    assert_located(info.value, record_returned_whole, "# MARK", "making an object of your class")


def _layer_stack(layers, x):
    for layer in layers:
        x = np.tanh(layer["w"] @ x + layer["b"])
    return np.sum(x**2)


def layers_passed_whole(layers, x):
    return _layer_stack(layers, x) + np.sum(layers[0]["b"])


def layers_sliced(layers, x):
    h = np.sin(layers[0]["w"] @ x)
    return _layer_stack(layers[1:], h) + _layer_stack(layers[::2], x)


def layers_star_unpacked(layers, x):
    first, *rest = layers
    h = np.tanh(first["w"] @ x + first["b"])
    return _layer_stack(rest, h) * len(rest)


def _layers(dtype=np.float64):
    rng = np.random.default_rng(7)
    return [{"w": (rng.normal(size=(3, 3)) * 0.5).astype(dtype),
             "b": rng.normal(size=3).astype(dtype)} for _ in range(3)]  # fmt: skip


LIST_OF_DICTS = [layers_passed_whole, layers_sliced, layers_star_unpacked]


@pytest.mark.parametrize("f", LIST_OF_DICTS, ids=lambda f: f.__name__)
def test_a_list_of_parameter_dicts_passed_on_against_differences(f):
    layers = _layers()
    flat, unravel = s2s.tree.ravel(layers)
    grads = s2s.grad(f)(layers, X)
    assert isinstance(grads, list) and all(set(g) == {"w", "b"} for g in grads)
    direction = RNG.normal(size=flat.size)
    expected = along(lambda v: f(unravel(v), X), flat, direction)
    assert s2s.tree.ravel(grads)[0] @ direction == pytest.approx(expected, rel=1e-6)
    _, tangent = s2s.jvp(f)(layers, X, unravel(direction))
    assert tangent == pytest.approx(expected, rel=1e-6)
    hv = s2s.hvp(f)(layers, X, unravel(direction))
    second = along(lambda v: s2s.tree.ravel(s2s.grad(f)(unravel(v), X))[0], flat, direction, 1e-5)
    np.testing.assert_allclose(s2s.tree.ravel(hv)[0], second, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("f", LIST_OF_DICTS, ids=lambda f: f.__name__)
def test_a_list_of_parameter_dicts_passed_on_in_float32(f):
    layers = _layers(np.float32)
    grads = s2s.grad(f)(layers, X.astype(np.float32))
    up = [{key: value.astype(np.float64) for key, value in layer.items()} for layer in layers]
    reference = s2s.grad(f)(up, X.astype(np.float32).astype(np.float64))
    for got, want in zip(grads, reference, strict=True):
        for key in ("w", "b"):
            assert got[key].dtype == np.float32
            np.testing.assert_allclose(got[key], want[key], rtol=2e-4, atol=2e-5)


class _Scale(NamedTuple):
    w: np.ndarray
    k: float = 2.0


def record_of_a_global_class(x):
    p = _Scale(x)
    return np.sum(p.w) * p.k


def test_a_record_class_defined_anew_generates_anew(monkeypatch):
    grad = s2s.grad(record_of_a_global_class)
    np.testing.assert_allclose(grad(X), np.full(3, 2.0))

    class Other(NamedTuple):
        w: np.ndarray
        k: float = 5.0

    monkeypatch.setitem(globals(), "_Scale", Other)
    np.testing.assert_allclose(grad(X), np.full(3, 5.0))


# -- eval, exec, locals() and other introspection: refused in every mode (fresh-89 finding 4) --


def evaluated(x):
    return eval("np.sum(x ** 2)")  # REFUSED


def read_by_locals(x):
    y = x**2
    return np.sum(locals()["y"])  # REFUSED


def executed(x):
    scope = {"x": x}
    exec("y = x * 2.0", globals(), scope)  # REFUSED
    return np.sum(x)


def read_by_vars(x):
    y = x**2  # noqa: F841 (read through vars())
    return np.sum(vars()["y"])  # REFUSED


def compiled(x):
    code = compile("np.sum(x)", "<s>", "eval")  # REFUSED
    return np.sum(x) + 0.0 * len(str(code))


INTROSPECTION = [evaluated, read_by_locals, executed, read_by_vars, compiled]


@pytest.mark.parametrize("mode", ["grad", "jvp", "hvp"])
@pytest.mark.parametrize("f", INTROSPECTION, ids=lambda f: f.__name__)
def test_eval_exec_and_locals_are_refused_at_their_line(f, mode):
    x = np.array([0.3, -0.2, 0.5])
    call = {
        "grad": lambda: s2s.grad(f)(x),
        "jvp": lambda: s2s.jvp(f)(x, np.ones(3)),
        "hvp": lambda: s2s.hvp(f)(x, np.ones(3)),
    }[mode]
    refused = "inside a differentiated function is not supported"
    with pytest.raises(s2s.UnsupportedSyntaxError, match=refused) as info:
        call()
    assert_located(info.value, f, "# REFUSED", "write the expression itself")

