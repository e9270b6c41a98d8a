"""Every error s2s raises now (DESIGN.md section 9): class, primal ``file:line`` and advice."""


import sys

import numpy as np
import pytest
from gradcheck import numeric_gradient
from located import assert_located, assert_refused_at, line_of, where

import s2s

X = np.array([0.1, -0.4, 0.7])


# -- unsupported syntax -------------------------------------------------------------------------


def uses_for(x):
    s = 0.0
    for i in range(3):  # MARK
        s = s + x[i]
    return s


def uses_while(x):
    s = x.sum()
    while s > 1.0:  # MARK
        s = s / 2.0
    return s


def uses_if(x):
    if x.sum() > 0:  # MARK
        return np.sum(x)
    return np.sum(-x)


def uses_ifexp(x):
    return np.sum(x) if x[0] > 0 else np.sum(-x)  # MARK


def uses_try(x):
    try:
        y = np.tanh(x)
        z = y * 2.0
    except ValueError:
        z = y  # MARK
    return np.sum(z)


def uses_lambda(x):
    sq = lambda v: v * v  # MARK
    return np.sum(sq(x))


def uses_listcomp(x):
    parts = [x[i] * 2.0 for i in range(3)]  # MARK
    return np.sum(np.stack(parts))


def uses_genexp(x):
    return sum(x[i] for i in range(3))  # MARK


def uses_setitem(x):
    y = x * 2.0
    y[0] = 1.0  # MARK
    return np.sum(y)


TOTAL = 0.0


def uses_global(x):
    global TOTAL
    TOTAL = np.sum(x)
    return TOTAL  # MARK


def uses_nested_def(x):
    def helper(v):  # MARK
        return v * 2.0

    return np.sum(helper(x))


@pytest.mark.parametrize(
    "func, words",
    [
        (uses_try, ["the handler reads `y`", "Advice"]),
        (uses_lambda, ["lambda", "module level"]),
        (uses_global, ["global", "Advice"]),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_unsupported_syntax(func, words):
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(func)(X.copy())
    exc = info.value
    assert isinstance(exc, SyntaxError) and isinstance(exc, s2s.S2SError)
    assert exc.filename == func.__code__.co_filename
    assert exc.lineno == line_of(func, "# MARK")
    assert exc.offset is not None and exc.offset >= 1
    assert "# MARK" in exc.text
    assert_located(exc, func, "# MARK", *words, "Advice")


def test_unsupported_syntax_raised_by_source_too():
    with pytest.raises(s2s.UnsupportedSyntaxError):
        _ = s2s.grad(uses_lambda).source


def test_assigning_into_a_fresh_local_array_is_differentiated():
    g = s2s.grad(uses_setitem)(X)
    expected = np.full_like(X, 2.0)
    expected[0] = 0.0  # y[0] was overwritten by a constant
    np.testing.assert_array_equal(g, expected)


@pytest.mark.parametrize(
    "func",
    [uses_for, uses_while, uses_if, uses_ifexp, uses_listcomp, uses_genexp, uses_nested_def],
)
def test_loops_and_branches_are_differentiated(func):
    x = np.array([0.4, 0.3, 0.2])
    g = s2s.grad(func)(x)
    np.testing.assert_allclose(g, numeric_gradient(func, (x,), 0), rtol=1e-6, atol=1e-9)


def registering(fn):
    """A decorator that is not s2s's: it returns the function unchanged."""
    registering.seen = fn
    return fn


@registering
def decorated_by_other(x):  # the decorator line is the one reported
    return np.sum(x * x)


def test_foreign_decorator_is_refused():
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(decorated_by_other)(X)
    assert_located(info.value, decorated_by_other, "@registering", "decorator", "Advice")


s2s_alias = s2s


@s2s_alias.grad
def decorated_by_alias(x):
    return np.sum(x * x)


def test_s2s_decorator_through_an_alias_is_accepted():
    np.testing.assert_allclose(decorated_by_alias(X), 2 * X)


def test_return_tuple_without_has_aux():
    def pair(x):
        return np.sum(x), x  # MARK

    with pytest.raises(s2s.S2SError) as info:
        s2s.grad(pair)(X)
    assert_located(info.value, pair, "# MARK", "has_aux")


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


# -- source unavailable -------------------------------------------------------------------------


@pytest.mark.parametrize("builtin", [print, sorted, abs])
def test_builtin_has_no_source(builtin):
    # a callable with a rule (np.sin, len) is differentiated through a wrapper (test_direct)
    with pytest.raises(s2s.SourceUnavailableError) as info:
        s2s.grad(builtin)(X)
    assert "Advice" in str(info.value)


def test_exec_defined_function_has_no_source():
    namespace = {"np": np}
    exec("def made(x):\n    return np.sum(x * x)\n", namespace)
    with pytest.raises(s2s.SourceUnavailableError) as info:
        s2s.grad(namespace["made"])(X)
    message = str(info.value)
    assert "<string>:1" in message
    assert "exec" in message and "Advice" in message


def test_two_lambdas_on_one_line_told_apart_by_column():
    double, triple = (lambda x: np.sum(x * 2.0)), (lambda x: np.sum(x * 3.0))
    np.testing.assert_array_equal(s2s.grad(double)(X), [2.0, 2.0, 2.0])
    np.testing.assert_array_equal(s2s.grad(triple)(X), [3.0, 3.0, 3.0])


def test_lambdas_that_cannot_be_told_apart():
    inner = (lambda x: lambda x: np.sum(x * 2.0))(None)  # MARK
    with pytest.raises(s2s.SourceUnavailableError) as info:
        s2s.grad(inner)(X)
    assert_located(info.value, test_lambdas_that_cannot_be_told_apart, "# MARK", "lambda", "def")


# -- no rule, unsupported argument --------------------------------------------------------------


def uses_fft(x):
    y = np.fft.fft(x)  # MARK
    return np.sum(np.abs(y))


def my_helper(v):
    return v * 2.0


def uses_helper(x):
    y = my_helper(x)  # MARK
    return np.sum(y)


def uses_helper_inactively(x):
    c = my_helper(3.0)
    return np.sum(x * c)


def test_no_rule_for_library_function():
    with pytest.raises(s2s.NoRuleError) as info:
        s2s.grad(uses_fft)(X)
    assert isinstance(info.value, NotImplementedError)
    assert_located(info.value, uses_fft, "# MARK", "fft", "s2s.adjoint", "stop_gradient")


def test_an_active_user_helper_is_differentiated():
    g = s2s.grad(uses_helper)(X)
    np.testing.assert_allclose(g, numeric_gradient(uses_helper, (X,), 0), rtol=1e-6, atol=1e-9)


def test_inactive_user_helper_runs():
    np.testing.assert_array_equal(s2s.grad(uses_helper_inactively)(X), [6.0, 6.0, 6.0])


def sum_out(x):
    buf = np.zeros(())
    return np.sum(x, out=buf)  # MARK


def std_correction(x):
    return np.std(x, correction=1)  # MARK  (where= is supported: tests/test_reduction_edges.py)


@pytest.mark.parametrize("func, keyword", [(sum_out, "out"), (std_correction, "correction")])
def test_unsupported_argument(func, keyword):
    with pytest.raises(s2s.UnsupportedArgumentError) as info:
        s2s.grad(func)(X)
    assert isinstance(info.value, NotImplementedError)
    assert_located(info.value, func, "# MARK", keyword, "Advice")


W3 = np.array([1.0, 2.0, 3.0])


def einsum_sublists(x):
    return np.sum(np.einsum(x, [0, 1], W3, [1], [0]) ** 2)


def test_an_array_in_a_structural_argument_is_refused_not_dropped():
    with pytest.raises(s2s.UnsupportedArgumentError, match="as `subscripts`") as info:
        s2s.grad(einsum_sublists)(np.ones((2, 3)))
    assert "subscripts as a string" in str(info.value)


# -- outputs and cotangents ---------------------------------------------------------------------


def vector_output(x):
    y = np.tanh(x)
    return y * 2.0  # MARK


def int_output(x):
    positive = x > 0
    return np.sum(positive)  # MARK


def python_int_output(x):
    return 3  # MARK


@pytest.mark.parametrize(
    "func, advice",
    [
        (vector_output, (".sum()", "vjp")),
        (int_output, ("integer and boolean outputs have no gradient", "float(")),
        (python_int_output, ("integer and boolean outputs have no gradient", "float(")),
    ],
    ids=["vector", "int_scalar", "python_int"],
)
def test_non_scalar_output(func, advice):
    with pytest.raises(s2s.NonScalarOutputError) as info:
        s2s.grad(func, disconnected="zero")(X)
    assert isinstance(info.value, TypeError)
    assert_located(info.value, func, "# MARK", *advice)


def test_non_scalar_output_value_and_grad():
    with pytest.raises(s2s.NonScalarOutputError) as info:
        s2s.value_and_grad(vector_output)(X)
    assert_located(info.value, vector_output, "# MARK", ".sum()", "vjp")


@pytest.mark.parametrize("shape", [(2,), (3, 1), (), (1, 3)])
def test_cotangent_wrong_shape(shape):
    value, pullback = s2s.vjp(vector_output)(X)
    with pytest.raises(s2s.CotangentError) as info:
        pullback(np.ones(shape))
    assert isinstance(info.value, ValueError)
    message = str(info.value)
    assert str(shape) in message and "(3,)" in message
    assert_located(info.value, vector_output, "# MARK", "Advice")
    np.testing.assert_allclose(pullback(np.ones(3)), 2.0 * (1 - np.tanh(X) ** 2))


def identity(x):
    return x * 1.0


def test_a_single_output_pullback_refuses_none():
    _, pullback = s2s.vjp(identity)(np.ones(2))
    with pytest.raises(s2s.CotangentError, match="given None"):
        pullback(None)


def two_outputs(x):
    y = x
    for _ in range(2):
        y = np.sin(y)
    return y, np.sum(y)


def test_a_pullback_given_each_cotangent_apart_asks_for_one_tuple():
    """``pullback(ct_0, ct_1)`` for a function of two outputs: a located UsageError whose
    advice shows the tuple (it was Python's bare TypeError about ``__call__``)."""
    _, pullback = s2s.vjp(two_outputs)(np.array([0.3, 0.5]))
    with pytest.raises(s2s.UsageError, match="takes one cotangent") as info:
        pullback(np.ones(2), 1.0)  # MARK: two cotangents
    assert info.value.where.filename == __file__
    assert "pullback((ct_0, ct_1))" in str(info.value)
    expected = np.cos(np.sin([0.3, 0.5])) * np.cos([0.3, 0.5])
    np.testing.assert_allclose(pullback((np.zeros(2), 1.0)), expected)


def array_from_either_return(x):
    y = x * 2.0
    if y[0] > 0:
        return y
    return y * 3.0


def test_a_non_scalar_output_of_several_returns_names_them_all():
    with pytest.raises(s2s.NonScalarOutputError, match="on lines") as info:
        s2s.grad(array_from_either_return)(np.ones(3))
    first = array_from_either_return.__code__.co_firstlineno
    assert info.value.where.lineno == first
    assert f"on lines {first + 3}, {first + 4}" in str(info.value)


def undefined_twice(x):
    return np.sum(s2s.undefined_grad(x, "no gradient here") * 2.0)


def test_undefined_gradient_message_quotes_each_line_once():
    with pytest.raises(s2s.UndefinedGradientError) as info:
        s2s.grad(undefined_twice)(np.ones(2))
    line = 'return np.sum(s2s.undefined_grad(x, "no gradient here") * 2.0)'
    assert str(info.value).count(line) == 1


# -- mutation -----------------------------------------------------------------------------------


def mutates_argument(x):
    x += 1.0  # MARK
    return np.sum(x)


def mutates_view(x):
    y = x[1:]
    y += 1.0  # MARK
    return np.sum(y)


def mutates_alias(x):
    y = x
    y *= 2.0  # MARK
    return np.sum(y)


def mutates_local(x):
    y = x * 2.0
    y += 1.0
    y *= x
    return np.sum(y)


def mutates_scalar(x):
    s = 1.0
    s += x.sum()
    s *= 3.0
    return s


@pytest.mark.parametrize("func", [mutates_argument, mutates_view, mutates_alias])
def test_mutation_of_possibly_aliased_array(func):
    x = X.copy()
    with pytest.raises(s2s.MutationError) as info:
        s2s.grad(func)(x)
    np.testing.assert_array_equal(x, X)
    assert_located(info.value, func, "# MARK", "Advice")


def test_mutation_of_fresh_local_is_exact():
    x = X.copy()
    g = s2s.grad(mutates_local)(x)
    np.testing.assert_array_equal(g, 4.0 * x + 1.0)  # d/dx sum((2x + 1) x)
    np.testing.assert_array_equal(x, X)


def test_augmented_scalar_is_exact():
    g = s2s.grad(mutates_scalar)(X)
    np.testing.assert_array_equal(g, [3.0, 3.0, 3.0])


# -- errors of the user's own computation --------------------------------------------------------


def shape_mismatch(x, y):
    z = x * 2.0
    w = z + y  # MARK
    return np.sum(w)


def test_user_error_propagates_with_a_note():
    with pytest.raises(ValueError) as info:
        s2s.grad(shape_mismatch)(np.ones(3), np.ones(4))
    exc = info.value
    assert type(exc) is ValueError  # unchanged: not wrapped in an s2s error
    assert "broadcast" in str(exc)
    notes = getattr(exc, "__notes__", [])
    assert any(where(shape_mismatch, "# MARK") in note for note in notes), notes


def missing_key(x, table):
    return np.sum(x * table["scale"])  # MARK


def test_user_key_error_propagates_with_a_note():
    with pytest.raises(KeyError) as info:
        s2s.grad(missing_key)(X, {})
    assert type(info.value) is KeyError
    notes = getattr(info.value, "__notes__", [])
    assert any(where(missing_key, "# MARK") in note for note in notes), notes


# -- refusals name the construct and its line ---------------------------------------------------


def tuple_grown_in_loop(x):
    t = ()
    for i in range(2):
        t = t + (x * i,)
    return np.sum(t[1])


def max_of_appended(x):
    parts = []
    for i in range(3):
        parts.append(x[i] * 2.0)
    return max(parts)


def return_in_while_true(x):
    i = 0
    while True:
        x = x * 0.5
        i += 1
        if i > 3:
            return np.sum(x)


def kept_view_then_update(x):
    y = x * 2
    r = y[1:]
    y += x
    return np.sum(r * y)


REFUSED = [
    (tuple_grown_in_loop, s2s.UnsupportedSyntaxError, "joins or repeats sequences", "t = t +"),
    (max_of_appended, s2s.UnsupportedArgumentError, "items are written in the call", "max(parts)"),
    (return_in_while_true, s2s.UnsupportedSyntaxError, "no `return` follows", "return np.sum"),
    (kept_view_then_update, s2s.MutationError, "`r` is a view of it", "y += x"),
]


@pytest.mark.parametrize(("f", "error", "message", "line_text"), REFUSED)
def test_refusals_name_the_construct_and_line(f, error, message, line_text):
    assert_refused_at(f, error, message, line_text, np.array([0.3, -1.2, 0.8]))


# -- the command line ---------------------------------------------------------------------------


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


# -- the hierarchy ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cls, bases",
    [
        (s2s.UnsupportedSyntaxError, (SyntaxError,)),
        (s2s.SourceUnavailableError, ()),
        (s2s.NoRuleError, (NotImplementedError,)),
        (s2s.UnsupportedArgumentError, (NotImplementedError,)),
        (s2s.NonScalarOutputError, (TypeError,)),
        (s2s.WrtError, (TypeError,)),
        (s2s.DtypeError, (TypeError,)),
        (s2s.CotangentError, (ValueError,)),
        (s2s.UndefinedGradientError, (ValueError,)),
        (s2s.DisconnectedGradientError, (ValueError,)),
        (s2s.MutationError, ()),
        (s2s.NonFiniteGradientError, (FloatingPointError,)),
        (s2s.UsageError, (TypeError, ValueError)),
    ],
)
def test_hierarchy(cls, bases):
    assert issubclass(cls, s2s.S2SError)
    for base in bases:
        assert issubclass(cls, base)


def test_a_numpy_function_outside_numpy_s_namespace_is_named_by_its_public_module():
    """sliding_window_view was named numpy.sliding_window_view, which does not exist."""
    from numpy.lib.stride_tricks import sliding_window_view

    from s2s.registry import qualified_name

    assert qualified_name(sliding_window_view) == "numpy.lib.stride_tricks.sliding_window_view"
    assert qualified_name(np.sum) == "numpy.sum"
    assert qualified_name(np.linalg.solve) == "numpy.linalg.solve"


def _mapped(x):
    return np.sum(np.stack(list(map(np.sin, [x, 2 * x]))))


def _comprehended(x):
    return np.sum(np.stack([np.sin(v) for v in [x, 2 * x]]))


def test_map_is_advised_as_a_comprehension():
    # (a fresh user) the advice was to register a rule for builtins.map
    with pytest.raises(s2s.NoRuleError) as info:
        s2s.grad(_mapped)(0.5)
    assert "write a list comprehension or a loop" in str(info.value)
    assert s2s.grad(_comprehended)(0.5) == pytest.approx(np.cos(0.5) + 2 * np.cos(1.0))
