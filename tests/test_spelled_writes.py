"""In-place writes spelled as calls are refused at their line, never silently dropped (each of
these gave a wrong derivative before, with no error): an ``out`` array passed by position to a
numpy function or an ndarray method (``np.clip(y, lo, hi, y)``, ``y.cumsum(0, None, y)``,
``np.dot(A, x, y)``), ``operator.setitem`` and ``operator.iadd``, a generator's ``shuffle``,
and ndarray methods called unbound (``np.ndarray.sort(y)``), in grad and jvp. The same
functions without the write differentiate (gradcheck against central differences)."""

import operator

import numpy as np
import pytest
from gradcheck import check_against_differences as check
from located import assert_located, assert_refused_at

import s2s


def clip_positional_out(x):
    y = x * 2.0
    np.clip(y, -0.1, 0.1, y)
    return np.sum(y**2)


def clip_method_out(x):
    y = x * 2.0
    y.clip(-0.1, 0.1, y)
    return np.sum(y**2)


def round_method_out(x):
    y = x * 2.0
    y.round(1, y)
    return np.sum(y**2)


def cumsum_method_out(x):
    y = x * 2.0
    y.cumsum(0, None, y)
    return np.sum(y**2)


def sum_method_into_buffer(x):
    y = x * 2.0
    z = np.zeros(())
    y.sum(0, None, z)
    return np.sum(y**2) + z * 3.0


def dot_out(x):
    y = x * 2.0
    np.dot(np.eye(3), x, y)
    return np.sum(y**2)


def mean_out(x):
    y = x * 2.0
    np.mean(np.outer(x, x), 0, None, y)
    return np.sum(y**2)


def take_out(x):
    y = x * 2.0
    np.take(x, np.array([2, 0, 1]), None, y)
    return np.sum(y**2)


def cumprod_out(x):
    y = x * 2.0
    np.cumprod(x, 0, None, y)
    return np.sum(y**2)


def unbound_clip_out(x):
    y = x * 2.0
    np.ndarray.clip(y, -0.1, 0.1, y)
    return np.sum(y**2)


def setitem_call(x):
    y = x * 2.0
    operator.setitem(y, 0, x[1] ** 2)
    return np.sum(y**2)


def iadd_call(x):
    y = x * 2.0
    operator.iadd(y, x**2)
    return np.sum(y**2)


def imul_bound(x):
    y = x * 2.0
    z = operator.imul(y, x)
    return np.sum(y * z)


def generator_shuffle(x):
    y = x * 2.0
    np.random.default_rng(0).shuffle(y)
    return np.sum(y * np.array([1.0, 2.0, 3.0]))


def legacy_shuffle(x):
    y = x * 2.0
    np.random.shuffle(y)
    return np.sum(y * np.array([1.0, 2.0, 3.0]))


def unbound_sort(x):
    y = x * 2.0
    np.ndarray.sort(y)
    return np.sum(y * np.array([1.0, 2.0, 3.0]))


def unbound_fill(x):
    y = x * 2.0
    np.ndarray.fill(y, 1.0)
    return np.sum(y * x)


def sort_through_the_type(x):
    y = x * 2.0
    type(y).sort(y)
    return np.sum(y * x)


OUT = s2s.UnsupportedArgumentError
SYNTAX = s2s.UnsupportedSyntaxError
REFUSED = [
    (clip_positional_out, OUT, "into `y` (`out=`)", "np.clip(y"),
    (clip_method_out, OUT, "into `y` (`out=`)", "y.clip("),
    (round_method_out, OUT, "into `y` (`out=`)", "y.round("),
    (cumsum_method_out, OUT, "into `y` (`out=`)", "y.cumsum("),
    (sum_method_into_buffer, OUT, "into `z` (`out=`)", "y.sum("),
    (dot_out, OUT, "into `y` (`out=`)", "np.dot("),
    (mean_out, OUT, "into `y` (`out=`)", "np.mean("),
    (take_out, OUT, "into `y` (`out=`)", "np.take("),
    (cumprod_out, OUT, "into `y` (`out=`)", "np.cumprod("),
    (unbound_clip_out, OUT, "into `y` (`out=`)", "np.ndarray.clip("),
    (setitem_call, SYNTAX, "operator.setitem changes `y`", "operator.setitem"),
    (iadd_call, SYNTAX, "operator.iadd changes the array `y`", "operator.iadd"),
    (imul_bound, SYNTAX, "operator.imul changes the array `y`", "operator.imul"),
    (generator_shuffle, s2s.MutationError, "permutes `y` in place", ".shuffle(y)"),
    (legacy_shuffle, s2s.MutationError, "permutes `y` in place", ".shuffle(y)"),
    (unbound_sort, s2s.MutationError, "`y.sort(...)` changes `y`", "np.ndarray.sort"),
    (unbound_fill, s2s.MutationError, "`y.fill(...)` changes `y`", "np.ndarray.fill"),
    (sort_through_the_type, s2s.MutationError, "`.sort(...)` changes an array", "type(y).sort"),
]


@pytest.mark.parametrize(("f", "error", "message", "line_text"), REFUSED)
def test_a_write_spelled_as_a_call_is_refused_at_its_line(f, error, message, line_text):
    x = np.array([0.3, -0.2, 0.5])
    assert_refused_at(f, error, message, line_text, x)
    with pytest.raises(error, match="in place|`out=`") as info:
        s2s.jvp(f)(x, np.array([1.0, 2.0, -1.0]))
    assert_located(info.value, f, line_text)


def test_the_out_refusal_advises_assigning_the_result():
    with pytest.raises(OUT) as info:
        s2s.grad(clip_positional_out)(np.array([0.3, -0.2, 0.5]))
    assert "assign the result instead: `y = f(...)`" in str(info.value)


def clip_no_out(x):
    y = x * 2.0
    y = np.clip(y, -0.1, 0.1)
    return np.sum(y**2) + np.sum(np.dot(np.eye(3), x)) + np.sum(y.cumsum(0, None))


def iadd_as_operator(x):
    y = x * 2.0
    y += x**2
    return np.sum(y**2)


def scalar_iadd_call(x):
    s = 2.0
    s = operator.iadd(s, 1.0)
    return np.sum(x**2) * s


@pytest.mark.parametrize("f", [clip_no_out, iadd_as_operator, scalar_iadd_call])
def test_the_same_calls_without_a_write_differentiate(f):
    check(f, np.array([0.3, -0.2, 0.5]))


def _numpy_callables():
    """Every public callable of numpy's namespaces that a positional ``out`` could reach, and
    every ndarray method (unbound, as ``out_argument`` reads them)."""
    found = {}
    for namespace in (np, np.linalg, np.fft):
        for name in dir(namespace):
            obj = getattr(namespace, name, None)
            if not name.startswith("_") and callable(obj) and not isinstance(obj, type):
                found[f"{namespace.__name__}.{name}"] = obj
    for name in dir(np.ndarray):
        if not name.startswith("_"):
            found[f"ndarray.{name}"] = getattr(np.ndarray, name)
    return found


def _bound_by_inspect(callee, args):
    """What ``out_argument`` found before it read builtins' text signatures itself."""
    import inspect

    try:
        signature = inspect.signature(callee)
    except (TypeError, ValueError):
        return None
    if "out" not in signature.parameters:
        return None
    try:
        return signature.bind_partial(*args).arguments.get("out")
    except TypeError:
        return None


def test_the_positional_out_of_every_numpy_callable_is_the_one_inspect_binds():
    from s2s.analysis.spelled_writes import positional_out

    callables = _numpy_callables()
    assert len(callables) > 500
    reached = 0
    for label, callee in callables.items():
        for n in range(8):
            args = [f"arg{i}" for i in range(n)]
            got, want = positional_out(callee, args), _bound_by_inspect(callee, args)
            assert got == want, (label, n, got, want)
            reached += want is not None
    assert reached > 100  # (np.clip's out is its fourth argument, np.dot's its third, ...)
