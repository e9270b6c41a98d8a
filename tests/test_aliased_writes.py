"""Writes s2s cannot follow are refused at their line, never silently dropped: results written
through ``out=``, writes into an array a list or a tuple also holds, through an
``astype(copy=False)`` or ``__setitem__``, and writes into an array that a helper's result, a
choice (``a if c else b``, ``c and a``) or a closure's result is a view of. Copies (a history of
``.copy()``, ``.flatten()``) and views read only before the write differentiate, against central
differences (gradcheck)."""

import inspect

import numpy as np
import pytest
from gradcheck import check_against_differences as check
from located import assert_located, assert_refused_at

import s2s

# -- out= buffers, arrays a list or tuple holds, casts without a copy, __setitem__ -------------


def exp_into_itself(v):
    x = v * 1.0
    np.exp(x, out=x)
    return np.sum(x)


def exp_positional_out(v):
    x = v * 1.0
    np.exp(x, x)
    return np.sum(x)


def method_into_buffer(v):
    x = v * 1.0
    s = np.zeros(())
    x.sum(out=s)
    return np.sum(s * x)


def written_after_listing(v):
    x = np.zeros(2)
    xs = [x]
    x[0] = v[0]
    return np.sum(xs[0]) * v[1]


def history_of_one_array(v):
    state = v * 1.0
    hist = []
    for t in range(3):
        state[t] = state[t] * 2.0 + 1.0
        hist.append(state)
    return np.sum(np.stack(hist))


def history_of_copies(v):
    state = v * 1.0
    hist = []
    for t in range(3):
        state[t] = state[t] * 2.0 + 1.0
        hist.append(state.copy())
    return np.sum(np.stack(hist) * np.arange(9.0).reshape(3, 3))


def updated_after_tupling(v):
    x = v * 1.0
    t = (x, 1.0)
    x *= v
    return np.sum(t[0])


def cast_without_copy(v):
    x = v * 1.0
    y = x.astype(np.float64, copy=False)
    y[0] = 0.0
    return np.sum(x * v)


def dunder_write(v):
    x = v * 1.0
    x.__setitem__(0, 5.0)
    return np.sum(x * v)


UNFOLLOWED = [
    (exp_into_itself, s2s.UnsupportedArgumentError, "`out=`", "np.exp(x, out=x)"),
    (exp_positional_out, s2s.UnsupportedArgumentError, "`out=`", "np.exp(x, x)"),
    (method_into_buffer, s2s.UnsupportedArgumentError, "into `s`", "x.sum(out=s)"),
    (written_after_listing, s2s.MutationError, "put in the list `xs`", "x[0] = v[0]"),
    (history_of_one_array, s2s.MutationError, "list `hist`", "state[t] ="),
    (updated_after_tupling, s2s.MutationError, "another reference", "x *= v"),
    (cast_without_copy, s2s.MutationError, "may share memory", "y[0] = 0.0"),
    (dunder_write, s2s.UnsupportedSyntaxError, "__setitem__", "x.__setitem__"),
]


@pytest.mark.parametrize(("f", "error", "message", "line_text"), UNFOLLOWED)
def test_writes_s2s_cannot_follow_are_refused_with_their_line(f, error, message, line_text):
    assert_refused_at(f, error, message, line_text, np.array([0.7, -1.3, 0.5]))


def test_a_history_of_copies_differentiates():
    grad = check(history_of_copies, np.array([0.7, -1.3, 0.5]))[0]
    np.testing.assert_allclose(grad, [18.0, 23.0, 23.0])


# -- aliases through helpers, choices and closures ------------------------------------------


def tail(z):
    return z[1:]


def same(z):
    return z


def write_after_helper_view(x):
    a = x * 2.0
    v = tail(a)
    a[1] = 0.0
    return np.sum(v * x[1:])


def update_after_helper_alias(x):
    a = x * 2.0
    b = same(a)
    a += 1.0
    return np.sum(b * x)


def write_after_choice(x):
    a = x * 2.0
    b = a if x[0] > 0 else x * 3.0
    a[0] = 0.0
    return np.sum(b * x)


def write_after_and(x):
    a = x * 2.0
    b = (x[0] > 0) and a
    a[0] = 0.0
    return np.sum(b * x)


def write_after_closure_view(x):
    a = x * 2.0

    def rest():
        return a[1:]

    v = rest()
    a[1] = 0.0
    return np.sum(v)


def helper_view_used_before_the_write(x):
    a = x * 2.0
    v = tail(a)
    w = v * 2.0
    a[1] = 0.0
    return np.sum(w * x[1:]) + np.sum(a)


@pytest.mark.parametrize(
    "f",
    [
        write_after_helper_view,
        update_after_helper_alias,
        write_after_choice,
        write_after_and,
        write_after_closure_view,
    ],
)
def test_aliases_through_helpers_choices_and_closures_are_refused(f):
    lines = inspect.getsource(f).splitlines()
    write = next(t for t in lines if "a[" in t and "= 0.0" in t or "a +=" in t)
    with pytest.raises(s2s.MutationError, match="is a view of it") as info:
        s2s.grad(f)(np.array([1.0, 2.0, 3.0]))
    assert_located(info.value, f, write.strip())


def test_a_helper_view_read_only_before_the_write_is_fine():
    grad = check(helper_view_used_before_the_write, np.array([1.0, 2.0, 3.0]))[0]
    np.testing.assert_allclose(grad, [2.0, 16.0, 26.0])


def nested_def_writes_outer(x):
    a = x * 2.0

    def g(z):
        a[1] = z[0]
        return np.sum(a)

    return g(x)


def keyword_bag(z, **kw):
    return z * kw["s"]


def through_keyword_bag(x):
    return np.sum(keyword_bag(x, s=x))


def test_nested_def_writes_and_keyword_bags_are_named_as_written():
    with pytest.raises(s2s.MutationError, match="`g` writes into `a`") as info:
        s2s.grad(nested_def_writes_outer)(np.ones(3))
    assert_located(info.value, nested_def_writes_outer, 4)
    with pytest.raises(s2s.UnsupportedArgumentError, match=r"through \*\*kw"):
        s2s.grad(through_keyword_bag)(np.ones(3))


def write_after_flatten(x):
    a = x * 2.0
    b = a.flatten()
    a[0] = 0.0
    return np.sum(b * x) + np.sum(a)


def test_flatten_is_a_copy_not_a_view():
    grad = check(write_after_flatten, np.array([1.0, 2.0, 3.0]))[0]
    np.testing.assert_allclose(grad, [4.0, 10.0, 14.0])
