"""Python constructs with an obvious meaning (issue 11, item 3), each against central differences
in reverse mode (``value_and_grad``) and forward mode (``jvp``); the constructs still refused
raise a located error naming the real cause.
"""

import math
from typing import NamedTuple

import numpy as np
import pytest
from gradcheck import along, check_against_differences, numeric_gradient
from located import assert_located, where

import s2s

X = np.array([0.3, 0.5, 0.7])
V = np.array([1.0, -2.0, 0.5])
SCALE = 1.5


def math_functions(x):
    t = np.sum(x * x)
    u = math.exp(-t) + math.log(t) * math.sqrt(t) + math.tanh(t)
    return u + math.sin(t) * math.cos(t) + math.pow(t, 1.5) + math.hypot(t, 2.0)


def more_math_functions(x):
    t = np.sum(x * x)
    u = math.erfc(t) + math.atan2(t, 2.0) + math.atan2(1.5, t) + math.fabs(-t) + math.asinh(t)
    return u + math.acosh(t + 1.5) + math.atanh(t / 2) + math.degrees(t) * math.radians(t) + (
        math.exp2(t) + math.cbrt(t)
    )


def float_casts(x):
    t = x.sum()
    return np.float64(t) * float(t) + float(np.sum(x**2))


def global_read(x):
    global SCALE
    return np.sum(np.sin(x) * SCALE)


def global_read_in_loop(x):
    s = 0.0
    for i in range(2):
        global SCALE
        s = s + np.sum(x * SCALE * i)
    return s


def walrus_in_if(x):
    if (n := np.sum(x)) > 0:
        return n * np.sum(np.sin(x))
    return n


def walrus_in_comprehension(x):
    kept = [y for v in x if (y := np.sin(v)) > 0.3]
    return sum(kept) + y * 2.0


def walrus_in_while(x):
    s, k = 0.0, 0
    while (t := np.sum(x * x) * k) < 2.0:
        s = s + t * np.sum(x)
        k = k + 1
    return s


def starred_literal(x):
    a, *rest = (x[0], x[1] * 2.0, x[2])
    return a * rest[0] + np.sum(np.stack(rest))


def starred_first_of_array(x):
    first, *_ = x
    return np.sin(first) * np.sum(x)


def starred_middle_of_tuple(x):
    t = (x[0] * 2.0, np.sin(x), x[2])
    a, *mid, b = t
    return a * np.sum(mid[0]) + b


def starred_list(x):
    ys = []
    for i in range(3):
        ys.append(x[i] ** 2)
    head, *tail = ys
    return head * sum(tail)


def starred_rows(x):
    m = np.outer(x, x)
    first, *others = m
    return np.sum(first * others[0]) + np.sum(np.stack(others) ** 2) + len(others)


def starred_rows_summed(x):
    m = np.outer(x, x + 1.0)
    first, *rest = m
    return np.sum(first * sum(rest))


def dict_filled_by_key(x):
    d = {}
    d["h"] = np.tanh(x)
    d["y"] = d["h"] * 2.0
    d["y"] += x
    return np.sum(d["y"] * d["h"])


def dict_literal_items_and_get(x):
    d = {"a": np.sin(x), "b": x * 3.0}
    total = 0.0
    for key, value in d.items():
        total = total + np.sum(value**2) * len(key)
    return total + d.get("a")[0] + d.get("missing", 1.0) * len(d)


def dict_call_values(x):
    stats = dict(mean=np.mean(x), var=np.var(x))
    stats["var"] += 1.0
    return sum(stats.values()) * stats["mean"] + sum(v * 2.0 for v in stats.values())


def dict_in_loop(x):
    cache = {"h": x}
    for _ in range(3):
        cache["h"] = np.sin(cache["h"]) * x
    return np.sum(cache["h"])


def _sum_of_sines(xs):
    return sum(np.sin(v) for v in xs)


def _weighted_stack(xs, w):
    return np.sum(np.stack(xs) * w)


def list_to_helpers(x):
    xs = []
    for i in range(3):
        xs.append(x[i] * 2.0)
    return _sum_of_sines(xs) + _weighted_stack(xs, x[0]) * np.sum(np.stack(xs))


def list_literal_to_helper(x):
    rows = [x, x * x]
    return np.sum(_sum_of_sines(rows)) + _weighted_stack(xs=rows, w=2.0)


def list_rebound_to_array(x):
    ys = []
    for i in range(3):
        ys.append(x[i] * (i + 2.0))
    ys = np.array(ys)
    ys = ys * x
    return np.sum(ys**2) + ys[0]


def list_bound_twice(x):
    ys = [np.sin(x), np.cos(x)]
    ys = np.stack(ys) * 2.0
    zs = []
    for row in ys:
        zs.append(np.sum(row * x))
    zs = np.array(zs)
    ys = [zs[0], zs[1] * x[0]]  # a second list under the first one's name
    ys = np.array(ys)
    return np.sum(ys**2)


def list_rebound_in_loop(x):
    total = 0.0
    for k in range(2):
        ys = []
        for i in range(3):
            ys.append(x[i] * (k + 2.0))
        ys = np.array(ys)  # made anew each pass: ys_array from here to the end of the body
        ys = ys * x
        total = total + ys.sum() * ys[0]
    return total


def list_rebound_in_branch_and_with(x):
    total = np.sum(x)
    if total > 0:
        ys = [np.sin(v) for v in x]
        ys = np.array(ys)
        total = total * np.sum(ys**2)
    with np.errstate(all="ignore"):
        zs = [x[0], x[1] * x[2]]
        zs = np.stack(zs) * 2.0
        total = total + np.sum(zs)
    return total


def walrus_in_identity_test(x):
    if (s := np.sum(np.exp(x), keepdims=True)) is not None:  # was kept whole: s had no gradient
        out = np.sum(x - np.log(s))
    return out


def set_of_constants(x):
    keep = {0, 2}
    total = 0.0
    for i in range(3):
        if i in keep:
            total = total + x[i] ** 2
    return total * len(keep) + np.sum(x[sorted(keep)])


def list_bound_twice_in_with(x):
    ys = [np.sin(x)]
    s = np.sum(ys[0])
    with np.errstate(all="ignore"):
        ys = [np.cos(x), x]  # was appended into the first list: the sum below read []
    return s + sum(np.sum(v) for v in ys)


class _Pair(NamedTuple):
    w: np.ndarray
    b: float


def object_made_inside(x):
    p = _Pair(x * 2.0, 1.0)  # read back through its fields: one name per field
    return np.sum(p.w**2) + p.b


CONSTRUCTS = [
    math_functions, more_math_functions, float_casts, global_read, global_read_in_loop,
    walrus_in_if,
    walrus_in_comprehension, walrus_in_while, starred_literal, starred_first_of_array,
    starred_middle_of_tuple, starred_list, starred_rows, starred_rows_summed, dict_filled_by_key,
    dict_literal_items_and_get, dict_call_values, dict_in_loop, list_to_helpers,
    list_literal_to_helper, list_rebound_to_array, list_bound_twice, list_bound_twice_in_with,
    set_of_constants, walrus_in_identity_test, list_rebound_in_loop,
    list_rebound_in_branch_and_with, object_made_inside,
]  # fmt: skip


@pytest.mark.parametrize("f", CONSTRUCTS, ids=lambda f: f.__name__)
def test_reverse_mode_against_differences(f):
    check_against_differences(f, X)


@pytest.mark.parametrize("f", CONSTRUCTS, ids=lambda f: f.__name__)
def test_forward_mode_against_differences(f):
    value, tangent = s2s.jvp(f)(X, V)
    assert value == pytest.approx(f(X), rel=1e-12)
    assert tangent == pytest.approx(along(f, X, V), rel=1e-6)


def test_global_is_read_live():
    global SCALE
    g = s2s.grad(global_read)
    first = g(X)
    SCALE = 3.0
    try:
        np.testing.assert_allclose(g(X), first * 2.0, rtol=1e-12)
    finally:
        SCALE = 1.5


TOTAL = 0.0


def global_written_then_read(x):
    global TOTAL  # WRITE
    TOTAL = np.sum(x) * 2.0
    return TOTAL * 3.0  # READ


def test_reading_back_a_computed_global_is_refused_naming_the_read():
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(global_written_then_read)(X)
    assert_located(info.value, global_written_then_read, "# READ", "`TOTAL` is read back")


def walrus_maybe_unevaluated(x):
    if np.sum(x) > 5.0 and (s := np.sum(x * x)) > 0:  # MARK
        return s * 2.0
    return np.sum(x)


def walrus_in_chained_comparison(x):
    if 0.0 < np.sum(x) < (t := np.sum(x * x)):  # MARK
        return t
    return np.sum(x)


def walrus_in_fstring(x):
    label = f"{(t := np.sum(x * x)):.3f}"  # MARK
    return t * len(label)


def starred_call(x):
    parts = (x, 2.0)
    return np.sum(np.multiply(*parts))  # MARK


def starred_literal_join(x):
    ys = [x[0], x[1]]
    return np.sum(np.stack([*ys, x[2]]))  # MARK


def starred_loop_target(x):
    s = 0.0
    for a, *rest in [(x[0], x[1], x[2])]:  # MARK
        s = s + a * rest[0]
    return s


def _takes_dict(d):
    return np.sum(d["a"])


def dict_passed_whole(x):
    d = {"a": np.sin(x)}
    return _takes_dict(d)  # MARK


def dict_written_by_variable_key(x):
    d = {}
    for i in range(3):
        d[i] = x[i] * 2.0  # MARK
    return d[0] + d[1]


def dict_get_maybe_unset(x):
    d = {}
    if np.sum(x) > 0:
        d["a"] = x * 2.0
    return np.sum(d.get("a", x))  # MARK


def dict_keys_set_in_branch(x):
    d = {"b": x}
    if np.sum(x) > 0:
        d["a"] = x * 2.0
    return sum(np.sum(v) for v in d.values())  # MARK


def list_to_nested_def(x):
    xs = [x[0], x[1]]

    def inner(ys):
        return ys[0] * 2.0

    return inner(xs)  # MARK


def set_of_values(x):
    s = {np.sum(x), 1.0}  # MARK
    return max(s)


def list_rebound_in_branch(x):
    ys = []
    for i in range(3):
        ys.append(x[i] * 2.0)
    if np.sum(x) > 0:
        ys = np.array(ys)  # MARK
    return np.sum(np.stack(ys) ** 2)


def list_unpacked(x):
    ys = [x[0], x[1]]
    a, b = ys  # MARK
    return a * b


def object_passed_whole(x):
    p = _Pair(x * 2.0, 1.0)  # MARK
    return _pair_sum(p)


def _pair_sum(p):
    return np.sum(p.w) + p.b


def object_made_in_a_loop(x):
    p = _Pair(x, 0.0)  # MARK
    for _ in range(2):
        s = np.sum(p.w)  # read first: the message names where the object is made
        p = _Pair(p.w * 2.0, s)
    return p.b


@pytest.mark.parametrize(
    "f, error, words",
    [
        (object_made_in_a_loop, s2s.NoRuleError, "making an object of your class"),
        (object_passed_whole, s2s.NoRuleError, "making an object of your class"),
        (walrus_maybe_unevaluated, s2s.UnsupportedSyntaxError, "`:=` in an operand of `and`"),
        (walrus_in_chained_comparison, s2s.UnsupportedSyntaxError, "a chained comparison"),
        (walrus_in_fstring, s2s.UnsupportedSyntaxError, "`:=` inside this expression"),
        (starred_call, s2s.UnsupportedSyntaxError, "`*` unpacking into a call's arguments"),
        (starred_literal_join, s2s.UnsupportedSyntaxError, "`*` inside a list or tuple literal"),
        (starred_loop_target, s2s.UnsupportedSyntaxError, "this starred target"),
        (dict_passed_whole, s2s.NoRuleError, "the local dict `d` (line"),
        (dict_written_by_variable_key, s2s.UnsupportedSyntaxError, "a key known only at run"),
        (dict_get_maybe_unset, s2s.UnsupportedSyntaxError, "may or may not be set here"),
        (dict_keys_set_in_branch, s2s.UnsupportedSyntaxError, "first set inside a branch"),
        (set_of_values, s2s.NoRuleError, "a set of values that carry a gradient"),
        (list_to_nested_def, s2s.UnsupportedSyntaxError, "a list passed to your own function"),
        (list_rebound_in_branch, s2s.UnsupportedSyntaxError, "also used outside that block"),
        (list_unpacked, s2s.UnsupportedSyntaxError, "unpacking the list `ys` into names"),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_still_refused_names_the_cause(f, error, words):
    for derivative in (s2s.grad(f), lambda x: s2s.jvp(f)(x, V)):
        with pytest.raises(error) as info:
            derivative(X)
        assert_located(info.value, f, "# MARK", words)


def star_args(*xs):
    return np.sum(xs[0])


def test_star_args_wrt_names_the_star_parameter():
    with pytest.raises(s2s.WrtError) as info:
        s2s.grad(star_args)(X)
    assert "`*xs`" in str(info.value) and "*args parameter" in str(info.value)
    assert "out of range" not in str(info.value)


def test_local_dict_entries_are_readable_names_in_the_source():
    source = s2s.grad(dict_filled_by_key).source
    assert "d_h = _np.tanh(x)" in source and "d_y = " in source
    assert "{" not in source.split('"""')[2]  # no dict is built in the generated code


def test_starred_unpacking_of_an_array_indexes_it_in_the_source():
    source = s2s.grad(starred_first_of_array).source
    assert "first = x[0]" in source and "_ = x[1:]" in source


def test_a_list_goes_to_a_helper_as_a_tuple_in_the_source():
    source = s2s.grad(list_to_helpers).source
    assert "d__sum_of_sines = _s2s.subderivative(_sum_of_sines, ('xs',))" in source
    assert "d__sum_of_sines(tuple(xs))" in source


def test_a_list_rebound_to_an_array_is_a_variable_of_its_own_in_the_source():
    source = s2s.grad(list_rebound_to_array).source
    assert "ys_array = _np.array(ys)" in source and "ys_array_2 = ys_array * x" in source


def reshaped_by_a_built_shape(a, x):
    n = x.ndim - 1
    b = a.reshape((-1,) + (1,) * n)  # a shape built by tuple arithmetic: kept as Python
    c = a.reshape((-1,) + (1,) * (x.ndim - 1) + ())
    total = np.sum(b * x) + np.sum(c * x**2)
    for k in range(1, 3):
        total = total + np.sum(np.tile(a, (1,) * 0 + (k,)))
    return total


def test_tuple_arithmetic_of_integers_is_python_not_numpy():
    """``(1,) * n`` with an integer n repeats the tuple (it was taken for numpy's elementwise
    product, and the reshape failed)."""
    a, x = np.array([1.0, -2.0]), np.ones((2, 3)) * 0.5
    check_against_differences(reshaped_by_a_built_shape, a, x)


def guarded_helper(z):
    if z.ndim != 1:
        raise ValueError(f"a vector please, not {z.ndim} dimensions")
    return np.tanh(z)


def guarded(x, n):
    if np.any(x < 0):  # GUARD
        raise ValueError("x must be nonnegative")
    y = np.sqrt(x)
    for i in range(n):
        if i > 10:
            raise RuntimeError("too many steps")
        y = guarded_helper(y * 1.5)
    return np.sum(y**2)


def test_a_guard_raise_is_kept_as_written_in_every_mode():
    grads = check_against_differences(guarded, X, 3)
    np.testing.assert_allclose(s2s.jvp(guarded)(X, 3, V)[1], np.dot(grads[0], V), rtol=1e-10)
    hessian = s2s.hessian(guarded)(X, 3)
    np.testing.assert_allclose(s2s.hvp(guarded)(X, 3, V), hessian @ V, rtol=1e-10)
    assert "raise ValueError('x must be nonnegative')" in s2s.grad(guarded).source


@pytest.mark.parametrize("derivative", [s2s.grad, s2s.jvp, s2s.hvp])
def test_a_guard_raises_the_users_error_naming_its_line(derivative):
    args = (-X, 3) if derivative is s2s.grad else (-X, 3, V)
    with pytest.raises(ValueError, match="x must be nonnegative") as info:
        derivative(guarded)(*args)
    assert any(where(guarded, "# GUARD") in note for note in info.value.__notes__)
    with pytest.raises(RuntimeError, match="too many steps"):
        s2s.grad(guarded)(X, 12)


def raise_outside_a_guard(x):
    if x[0] > 0:
        print("positive")
        raise ValueError("positive")  # MARK
    return np.sum(x)


def test_a_raise_that_is_not_a_guard_is_refused_at_its_line():
    with pytest.raises(s2s.UnsupportedSyntaxError, match="only as a guard") as info:
        s2s.grad(raise_outside_a_guard)(X)
    assert_located(info.value, raise_outside_a_guard, "# MARK", "if <condition>: raise")


def _empty_loop(w):
    for i in range(w.shape[0]):  # noqa: B007  (the index is read after the loop)
        pass
    return w[i] ** 3


def _empty_inner_loop(w):
    s = 0.0
    for k in range(w.shape[0]):
        for j in range(2):  # noqa: B007  (the index is read after the loop)
            ...
        s = s + w[k] * w[j]
    return s


@pytest.mark.parametrize("f", [_empty_loop, _empty_inner_loop])
def test_a_loop_that_does_nothing_differentiates_in_every_mode(f):
    """A loop whose body is only ``pass`` (or ``...``) keeps its body in the generated code
    (``value_and_grad`` and ``vjp`` raised ``IndentationError`` when compiling it)."""
    w = np.array([0.5, 1.0, 2.0])
    expected = numeric_gradient(f, (w,), 0)
    value, gradient = s2s.value_and_grad(f)(w)
    assert value == f(w)
    np.testing.assert_allclose(gradient, expected, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2s.grad(f)(w), expected, rtol=1e-6, atol=1e-8)
    _, pullback = s2s.vjp(f)(w)
    np.testing.assert_allclose(pullback(1.0), expected, rtol=1e-6, atol=1e-8)


def _index_after_inner_loop(w):
    s = 0.0
    for k in range(w.shape[0]):
        for j in range(2):
            s = s + w[j] * 0.1
        s = s + w[k] * w[j]
    return s


@pytest.mark.parametrize("f", [_index_after_inner_loop, _empty_inner_loop])
def test_an_inner_loops_index_read_after_it_is_restored_for_the_next_reversed_trip(f):
    """``w[j]`` after ``for j in range(2)`` inside an outer loop reads j = 1 on every trip; the
    reversed inner loop ends at j = 0, so the next reversed outer trip read ``w[0]`` (a silent
    wrong gradient, [2.5, 3, 1] for [1, 4.5, 1]); the index is put back to ``n - 1``."""
    w = np.array([0.5, 1.0, 2.0])
    expected = numeric_gradient(f, (w,), 0)
    np.testing.assert_allclose(s2s.grad(f)(w), expected, rtol=1e-6, atol=1e-8)
    _, pullback = s2s.vjp(f)(w)
    np.testing.assert_allclose(pullback(1.0), expected, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2s.hessian(f)(w) @ np.ones(3),
                               s2s.hvp(f)(w, np.ones(3)), atol=1e-10)  # fmt: skip
