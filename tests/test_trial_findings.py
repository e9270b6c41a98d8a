"""Faults a new user's trial found, each tested across its whole kind (casts, receivers of
methods, derivative attributes, stale sources, reserved names, scalar reductions)."""

import importlib
import sys
import textwrap

import numpy as np
import pytest
from gradcheck import numeric_gradient
from located import assert_located

import s2s

X_GLOBAL = np.arange(6.0).reshape(2, 3)
INT64 = np.dtype("int64")


class Data:
    X = np.arange(6.0).reshape(2, 3) + 1.0


DATA = Data()

# -- casts to integer or boolean dtypes have no gradient --------------------------------------


def cast_builtin_int(x):
    return np.sum(x.astype(int) * x)


def cast_builtin_bool(x):
    return np.sum(x.astype(bool) * x)


def cast_dtype_call(x):
    return np.sum(x.astype(np.dtype(int)) * x)


def cast_global_dtype(x):
    return np.sum(x.astype(INT64) * x)


def cast_asarray_int(x):
    return np.sum(np.asarray(x, dtype=int) * x)


def cast_array_bool(x):
    return np.sum(np.array(x, dtype=bool) * x)


def cast_float32(x):
    return np.sum(x.astype(np.float32) * 2.0)


@pytest.mark.parametrize(
    "f, expected",
    [
        (cast_builtin_int, lambda x: x.astype(int).astype(float)),
        (cast_builtin_bool, lambda x: x.astype(bool).astype(float)),
        (cast_dtype_call, lambda x: x.astype(int).astype(float)),
        (cast_global_dtype, lambda x: x.astype(int).astype(float)),
        (cast_asarray_int, lambda x: x.astype(int).astype(float)),
        (cast_array_bool, lambda x: x.astype(bool).astype(float)),
        (cast_float32, lambda x: np.full_like(x, 2.0)),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_casts_to_int_or_bool_carry_no_gradient(f, expected):
    x = np.array([0.3, -1.2, 2.0, 0.0])
    g = s2s.grad(f)(x)
    assert g.dtype == np.float64
    np.testing.assert_array_equal(g, expected(x))


# -- method calls: arrays' methods are numpy's; modules' and objects' are not -----------------


def through_module_parameter(w, xp):
    return xp.sum(w**2)


def through_module_alias(w):
    np_ = np
    return np_.sum(w**2)


def test_methods_of_a_module_are_not_array_methods():
    with pytest.raises(s2s.NoRuleError, match=r"\.sum\(\.\.\.\)` is called on a value that is not"):
        s2s.grad(through_module_alias)(np.array([1.0, 2.0]))


def test_a_module_argument_binds_its_functions():
    """``xp.sum`` of a module passed as an argument is ``np.sum``, bound when the derivative is
    specialized like any function passed as a value (docs/containers.md)."""
    w = np.array([1.0, 2.0])
    np.testing.assert_allclose(s2s.grad(through_module_parameter)(w, np), 2 * w)


def nonwrt_array_methods(w, x):
    return np.sum(x.dot(w)) + x.sum() * np.sum(w)


def test_methods_of_an_array_argument_stay_numpy_methods():
    w, x = np.array([0.5, -1.0]), np.array([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_allclose(s2s.grad(nonwrt_array_methods)(w, x), x.sum(axis=0) + x.sum())


def methods_of_global_arrays(w):
    return np.sum(X_GLOBAL.dot(w)) + np.sum(DATA.X.dot(w) * X_GLOBAL.T.sum())


def test_methods_of_global_arrays_are_differentiated():
    w = np.array([0.5, -1.0, 2.0])
    g = s2s.grad(methods_of_global_arrays)(w)
    expected = X_GLOBAL.sum(axis=0) + DATA.X.sum(axis=0) * X_GLOBAL.sum()
    np.testing.assert_allclose(g, expected)


# -- derivative objects -----------------------------------------------------------------------


def quartic(t):
    return t**4


def test_a_derivative_of_a_derivative_is_exact():
    # higher order (issue 9): d^2/dt^2 t^4 = 12 t^2, and the VJP of the gradient agrees
    assert s2s.grad(s2s.grad(quartic))(1.5) == 12 * 1.5**2
    value, pullback = s2s.vjp(s2s.grad(quartic))(1.5)
    assert value == 4 * 1.5**3 and pullback(2.0) == 2.0 * 12 * 1.5**2


def square_sum(x):
    return np.sum(x * x)


def test_function_attributes_do_not_overwrite_the_derivative():
    square_sum.mode = "vjp"
    square_sum.options = {}
    square_sum.primal = None
    try:
        g = s2s.grad(square_sum)
        assert g.mode == "grad" and g.primal is square_sum
        np.testing.assert_array_equal(g(np.array([1.0, 2.0])), [2.0, 4.0])
    finally:
        del square_sum.mode, square_sum.options, square_sum.primal


class Model:
    def loss(self, w):
        return np.sum(w * w)


def test_a_bound_method_gets_advice():
    with pytest.raises(s2s.SourceUnavailableError, match="bound method") as info:
        s2s.grad(Model().loss)
    assert "s2s.grad(Model.loss" in str(info.value)
    np.testing.assert_array_equal(s2s.grad(Model.loss, wrt="w")(Model(), np.ones(2)), [2, 2])


# -- a source file edited after the function was defined --------------------------------------


def test_a_stale_source_file_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "edited_module.py"
    path.write_text("import numpy as np\n\ndef f(x):\n    return np.sum(x ** 2)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("edited_module")
    try:
        path.write_text("import numpy as np\n\ndef f(x):\n    return np.sum(x ** 3)\n")
        with pytest.raises(s2s.SourceUnavailableError, match="changed after the function"):
            s2s.grad(module.f)(np.array([1.0, 2.0]))
    finally:
        sys.modules.pop("edited_module", None)


# -- names the generated code reserves ----------------------------------------------------------


def reserved_parameter(x, _np):
    return np.sum(x * _np)


def reserved_local(x):
    _s2s = x * 2.0
    return np.sum(_s2s)


@pytest.mark.parametrize("f, name", [(reserved_parameter, "_np"), (reserved_local, "_s2s")])
def test_reserved_names_are_refused_with_their_location(f, name):
    with pytest.raises(s2s.UnsupportedSyntaxError, match=f"`{name}` is a name s2s reserves") as e:
        s2s.grad(f)(np.ones(2), 2.0) if f is reserved_parameter else s2s.grad(f)(np.ones(2))
    assert e.value.lineno == f.__code__.co_firstlineno + (0 if f is reserved_parameter else 1)


# -- reductions with an axis on scalars -------------------------------------------------------


def scalar_axis_sum(c):
    return np.sum(c * c, axis=0) + np.max(c, axis=0)


@pytest.mark.parametrize("c", [1.5, np.float64(1.5), np.array(1.5)], ids=["float", "f64", "0-d"])
def test_reductions_with_an_axis_on_scalars(c):
    g = s2s.grad(scalar_axis_sum)(c)
    assert float(g) == pytest.approx(2 * 1.5 + 1.0)


def test_source_text_of_this_file_is_current():
    # the stale-source check must not refuse ordinary functions (methods, closures, lambdas)
    scale = 3.0

    def closure(x):
        return np.sum(x * scale)

    np.testing.assert_array_equal(s2s.grad(closure)(np.ones(2)), [3.0, 3.0])
    assert textwrap.dedent("  a\n") == "a\n"


# -- messages ---------------------------------------------------------------------------------


async def coroutine(x):
    return np.sum(x)


def test_async_def_is_refused_as_syntax():
    with pytest.raises(s2s.UnsupportedSyntaxError, match="async def"):
        s2s.grad(coroutine)(np.ones(2))


def looping(x):
    del x
    return 0.0


def test_syntax_error_text_names_the_location_once():
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(looping)(np.ones(2))
    text = str(info.value)
    assert text.count(f":{looping.__code__.co_firstlineno + 1}") == 1
    assert "(" + __file__ not in text


def identity(x):
    return x * 1.0


def test_a_single_output_pullback_refuses_none():
    _, pullback = s2s.vjp(identity)(np.ones(2))
    with pytest.raises(s2s.CotangentError, match="given None"):
        pullback(None)


def undefined_twice(x):
    return np.sum(s2s.undefined_grad(x, "no gradient here") * 2.0)


def test_undefined_gradient_message_quotes_each_line_once():
    with pytest.raises(s2s.UndefinedGradientError) as info:
        s2s.grad(undefined_twice)(np.ones(2))
    line = 'return np.sum(s2s.undefined_grad(x, "no gradient here") * 2.0)'
    assert str(info.value).count(line) == 1


def test_the_command_line_prints_s2s_errors_without_a_traceback(tmp_path):
    import subprocess

    script = tmp_path / "loop_module.py"
    script.write_text(
        "import numpy as np\n\ndef f(x):\n    y = x + 1\n    del y\n"
        "    return np.sum(x)\n"
    )
    run = subprocess.run(
        [sys.executable, "-m", "s2s", "show", f"{script}:f"], capture_output=True, text=True
    )
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert f"{script}:5" in run.stderr and "Advice:" in run.stderr


# -- a second trial: simultaneous assignment, misplaced arguments, complex, in-place methods ---


def swap(x, w):
    a, b = x * 1.0, w * 1.0
    a, b = b, a
    return np.sum(a * b) + np.sum(a - 2.0 * b)


def swap_back(x, w):
    a, b = x * 1.0, w * 2.0
    b, a = a, b
    return np.sum(a - b * b)


@pytest.mark.parametrize("f", [swap, swap_back])
def test_tuple_assignment_is_simultaneous(f):
    x, w = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    value, (gx, gw) = s2s.value_and_grad(f, wrt=(0, 1))(x, w)
    assert value == pytest.approx(f(x, w))
    np.testing.assert_allclose(gx, numeric_gradient(f, (x, w), 0), rtol=1e-6)
    np.testing.assert_allclose(gw, numeric_gradient(f, (x, w), 1), rtol=1e-6)


W3 = np.array([1.0, 2.0, 3.0])


def einsum_sublists(x):
    return np.sum(np.einsum(x, [0, 1], W3, [1], [0]) ** 2)


def test_an_array_in_a_structural_argument_is_refused_not_dropped():
    with pytest.raises(s2s.UnsupportedArgumentError, match="as `subscripts`") as info:
        s2s.grad(einsum_sublists)(np.ones((2, 3)))
    assert "subscripts as a string" in str(info.value)


def complex_cast(x):
    return np.sum(np.real(x.astype(complex)) ** 2)


def complex_asarray(x):
    return np.sum(np.abs(np.asarray(x, dtype=complex)) ** 2)


def complex_constant(x):  # a fresh user's: sum |x| came back -sign(x) (a silent wrong answer)
    return np.sum(np.abs(x * 1j))


def complex_exponential(x):
    return np.sum(np.abs(np.exp(1j * x)) * x)


@pytest.mark.parametrize(
    "f", [complex_cast, complex_asarray, complex_constant, complex_exponential]
)
def test_complex_values_on_the_gradient_path_are_refused(f):
    with pytest.raises(s2s.DtypeError, match="complex numbers are not supported yet"):
        s2s.grad(f)(np.array([1.0, 2.0]))
    with pytest.raises(s2s.DtypeError, match="complex numbers are not supported yet"):
        s2s.jvp(f)(np.array([1.0, 2.0]), np.ones(2))


def sort_in_place(x, w):
    h = x * 1.0
    h.sort()
    return np.sum(h * w)


def fill_in_place(x):
    h = x * 1.0
    h.fill(0.0)
    return np.sum(h * x)


@pytest.mark.parametrize("f, args", [(sort_in_place, 2), (fill_in_place, 1)])
def test_in_place_array_methods_are_refused(f, args):
    with pytest.raises(s2s.MutationError, match="in place") as info:
        s2s.grad(f)(*[np.array([2.0, 1.0])] * args)
    assert_located(info.value, f, 2)


def test_a_stale_source_with_only_an_operator_changed_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "operator_edit.py"
    path.write_text("import numpy as np\n\ndef f(x):\n    return np.sum(x ** 2)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("operator_edit")
    try:
        path.write_text("import numpy as np\n\ndef f(x):\n    return np.sum(x * 2)\n")
        with pytest.raises(s2s.SourceUnavailableError, match="changed after the function"):
            s2s.grad(module.f)(np.array([1.0, 2.0]))
    finally:
        sys.modules.pop("operator_edit", None)


def test_a_stale_source_with_shifted_lines_says_so(tmp_path, monkeypatch):
    path = tmp_path / "shifted_edit.py"
    path.write_text("import numpy as np\n\ndef f(x):\n    return np.sum(x ** 2)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("shifted_edit")
    try:
        path.write_text("import numpy as np\n\n\nX = 1\n\n\ndef f(x):\n    return np.sum(x)\n")
        with pytest.raises(s2s.SourceUnavailableError, match="probably changed"):
            s2s.grad(module.f)(np.array([1.0, 2.0]))
    finally:
        sys.modules.pop("shifted_edit", None)


def _list_literal(x):
    return [x[0] * 1.0, x[1] * 2.0]


def test_a_returned_list_literal_carries_its_gradient_both_modes():
    """``return [a, b]`` was differentiated as a value of no gradient in reverse mode (the
    pullback gave zeros), and forward mode summed the list's tangents into one number."""
    x = np.array([0.1, 0.5])
    value, pullback = s2s.vjp(_list_literal)(x)
    assert type(value) is list
    np.testing.assert_allclose(pullback([1.0, 0.0]), [1.0, 0.0])
    np.testing.assert_allclose(pullback([0.0, 1.0]), [0.0, 2.0])
    value, tangent = s2s.jvp(_list_literal)(x, np.array([0.0, 1.0]))
    assert type(tangent) is list
    np.testing.assert_allclose(tangent, [0.0, 2.0])
