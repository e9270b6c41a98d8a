"""Writes s2s cannot follow are refused at their line, never silently dropped: results written
through ``out=``, writes into an array a list or a tuple also holds, through an
``astype(copy=False)`` or ``__setitem__``, and writes into an array that a helper's result, a
choice (``a if c else b``, ``c and a``) or a closure's result is a view of, a view of a view
(``Y.T[0]``, ``np.split(Y, 3)[1]``) sees, or a list holds a view of (``ys.append(y[1:])``), in
grad and jvp. Copies (a history of ``.copy()``, ``.flatten()``), views read only before the
write and views of entries the write leaves alone differentiate, against central differences
(gradcheck)."""

import inspect

import numpy as np
import pytest
from gradcheck import check_against_differences as check
from gradcheck import numeric_gradient
from located import assert_located, assert_refused_at, line_of

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


# -- views of views, and views a list holds ----------------------------------------------------
# `v = Y.T[0]` is column 0 of Y and `ys.append(y[1:])` keeps y's tail in the list: a later write
# into Y (or y) changes them, so both modes refuse it at the write's line, naming the view's
# line (before, each gave a silently wrong derivative). `# VIEW` marks the view, `# WRITE` the
# write; each reads the view after the write.

WEIGHTS = np.array([0.0, 1.0, 2.0])


def column_of_transpose(x):
    Y = np.outer(x, x)
    v = Y.T[0]  # VIEW
    Y[1] = x * 3  # WRITE
    return np.sum(v * WEIGHTS)


def row_of_np_transpose(x):
    Y = np.outer(x, x)
    v = np.transpose(Y)[0]  # VIEW
    Y[1] = x * 3  # WRITE
    return np.sum(v * WEIGHTS)


def row_of_named_transpose(x):
    Y = np.outer(x, x)
    t = Y.T
    v = t[0]  # VIEW
    Y[1] = x * 3  # WRITE
    return np.sum(v * WEIGHTS)


def row_of_swapaxes(x):
    Y = np.outer(x, x)
    v = Y.swapaxes(0, 1)[-3]  # VIEW
    Y[1] = x * 3  # WRITE
    return np.sum(v * WEIGHTS)


def row_of_reversed(x):
    Y = np.outer(x, x)
    v = Y[::-1][1]  # VIEW
    Y[1] = x * 3  # WRITE
    return np.sum(v * WEIGHTS)


def row_of_flip(x):
    Y = np.outer(x, x)
    v = np.flip(Y, 0)[1]  # VIEW
    Y[1] = x * 3  # WRITE
    return np.sum(v * WEIGHTS)


def row_of_new_axis(x):
    Y = np.outer(x, x)
    v = Y[None][0, 1]  # VIEW
    Y[1] = x * 3  # WRITE
    return np.sum(v * WEIGHTS)


def row_of_squeeze(x):
    Y = np.outer(x, x)
    v = Y[None].squeeze()[1]  # VIEW
    Y[1] = x * 3  # WRITE
    return np.sum(v * WEIGHTS)


def piece_of_split(x):
    Y = np.outer(x, x)
    v = np.split(Y, 3)[1]  # VIEW
    Y[1] = x * 3  # WRITE
    return np.sum(v * WEIGHTS)


def piece_of_hsplit(x):
    Y = np.outer(x, x)
    v = np.hsplit(Y, 3)[0]  # VIEW
    Y[1] = x * 3  # WRITE
    return np.sum(v.T * WEIGHTS)


def piece_of_vsplit(x):
    Y = np.outer(x, x)
    v = np.vsplit(Y, 3)[1]  # VIEW
    Y[1] = x * 3  # WRITE
    return np.sum(v * WEIGHTS)


def piece_of_array_split(x):
    Y = np.outer(x, x)
    v = np.array_split(Y, 3, axis=1)[0]  # VIEW
    Y[1] = x * 3  # WRITE
    return np.sum(v.T * WEIGHTS)


def row_of_unstack(x):
    Y = np.outer(x, x)
    v = np.unstack(Y)[1]  # VIEW
    Y[1] = x * 3  # WRITE
    return np.sum(v * WEIGHTS)


def first_of_broadcast_arrays(x):
    Y = np.outer(x, x)
    v = np.broadcast_arrays(Y, x)[0]  # VIEW
    Y[1] = x * 3  # WRITE
    return np.sum(v * WEIGHTS)


def second_of_broadcast_arrays(x):
    Y = np.outer(x, x)
    v = np.broadcast_arrays(x, Y)[1]  # VIEW
    Y[1] = x * 3  # WRITE
    return np.sum(v * WEIGHTS)


def grid_without_copy(x):
    Y = np.outer(x, x)
    v = np.meshgrid(Y[1], x, copy=False)[0]  # VIEW
    Y[1] = x * 3  # WRITE
    return np.sum(v * WEIGHTS)


def rows_of_transpose_listed(x):
    Y = np.outer(x, x)
    acc = []
    for r in Y.T:
        acc.append(r)
    v = acc[0]  # VIEW
    Y[1] = x * 3  # WRITE
    return np.sum(v * WEIGHTS)


def transpose_row_in_a_loop(x):
    Y = np.outer(x, x)
    for i in range(1):
        v = Y.T[i]  # VIEW
    Y[1] = x * 3  # WRITE
    return np.sum(v * WEIGHTS)


VIEWS_OF_VIEWS = [
    column_of_transpose, row_of_np_transpose, row_of_named_transpose, row_of_swapaxes,
    row_of_reversed, row_of_flip, row_of_new_axis, row_of_squeeze, piece_of_split,
    piece_of_hsplit, piece_of_vsplit, piece_of_array_split, row_of_unstack,
    first_of_broadcast_arrays, second_of_broadcast_arrays, grid_without_copy,
    rows_of_transpose_listed, transpose_row_in_a_loop,
]  # fmt: skip


def appended_tail(x):
    y = x * 2
    ys = []
    ys.append(y[1:])  # VIEW
    y[2] = x[0] ** 3  # WRITE
    return np.sum(ys[0])


def listed_tail(x):
    y = x * 2
    ys = [y[1:], x]  # VIEW
    y[2] = x[0] ** 3  # WRITE
    return np.sum(np.stack(ys))


def tails_of_a_comprehension(x):
    y = x * 2
    ys = [y[i:] for i in range(2)]  # VIEW
    y[2] = x[0] ** 3  # WRITE
    return np.sum(np.concatenate(ys))


def columns_stacked_after_the_write(x):
    Y = np.outer(x, x)
    acc = []
    for r in Y.T:
        acc.append(r)  # VIEW
    Y[1] = x * 3  # WRITE
    return np.sum(np.stack(acc) * WEIGHTS)


def appended_in_a_tuple(x):
    y = x * 2
    ys = []
    ys.append((y[1:], 1.0))  # VIEW
    y[2] = x[0] ** 3  # WRITE
    return np.sum(ys[0][0])


LISTED_VIEWS = [
    appended_tail, listed_tail, tails_of_a_comprehension, columns_stacked_after_the_write,
    appended_in_a_tuple,
]  # fmt: skip


def _refusals(f):
    """The errors of ``grad(f)`` and ``jvp(f)`` at a point where the view sees the write."""
    x = np.array([0.5, -1.2, 2.0])
    for derivative in (s2s.grad(f), lambda x: s2s.jvp(f)(x, np.ones(3))):
        with pytest.raises(s2s.MutationError) as info:
            derivative(x)
        yield info.value


@pytest.mark.parametrize("f", VIEWS_OF_VIEWS + LISTED_VIEWS)
def test_a_write_seen_by_a_view_of_a_view_or_a_listed_view_is_refused(f):
    for error in _refusals(f):
        assert_located(error, f, "# WRITE", "copy")
        assert f"(line {line_of(f, '# VIEW')})" in str(error)
        assert "view" in str(error)


def test_a_listed_view_is_named_as_an_item_of_its_list():
    for error in _refusals(appended_tail):
        assert "an item of the list `ys`" in str(error)
        assert "`ys.append(....copy())`" in str(error)


def update_after_appending_a_tail(x):
    y = x * 2
    ys = [y[1:]]  # VIEW
    y += 1.0  # WRITE
    return np.sum(ys[0])


def test_an_update_in_place_while_a_list_holds_a_view_is_refused():
    with pytest.raises(s2s.MutationError, match="`ys` holds a view of it") as info:
        s2s.grad(update_after_appending_a_tail)(np.array([0.5, -1.2, 2.0]))
    assert_located(info.value, update_after_appending_a_tail, "# WRITE")
    assert f"(line {line_of(update_after_appending_a_tail, '# VIEW')})" in str(info.value)


def row_then_write_by_index_array(x):
    Y = np.outer(x, x)
    r = Y[0]  # VIEW
    Y[[0, 1]] = 0.0  # WRITE
    return np.sum(r * x)


def test_a_write_by_an_index_array_checks_the_whole_array():
    # Y[[0, 1]] is a copy, so comparing r with it found no sharing: a wrong gradient before
    for error in _refusals(row_then_write_by_index_array):
        assert_located(error, row_then_write_by_index_array, "# WRITE")


# the same programs with copies, or with views of entries the write leaves alone, differentiate


def copy_of_transpose(x):
    Y = np.outer(x, x)
    v = Y.T.copy()[0]
    Y[1] = x * 3
    return np.sum(v * WEIGHTS) + np.sum(Y**2)


def array_of_transpose_row(x):
    Y = np.outer(x, x)
    v = np.array(Y.T[0])
    Y[1] = x * 3
    return np.sum(v * WEIGHTS) + np.sum(Y**2)


def row_of_a_product(x):
    Y = np.outer(x, x)
    v = (Y.T * 1.0)[0]
    Y[1] = x * 3
    return np.sum(v * WEIGHTS) + np.sum(Y**2)


def listed_copies(x):
    y = x * 2
    ys = [y[1:].copy(), y[:1] * 2]
    y[2] = x[0] ** 3
    return np.sum(np.concatenate(ys)) + np.sum(y**2)


def listed_head_the_write_misses(x):
    y = x * 2
    ys = [y[:2]]
    y[2] = x[0] ** 3
    return np.sum(np.stack(ys) ** 2) + np.sum(y**2)


def stacked_before_the_write(x):
    Y = np.outer(x, x)
    acc = []
    for r in Y.T:
        acc.append(r)
    v = np.stack(acc)
    Y[1] = x * 3
    return np.sum(v * WEIGHTS) + np.sum(Y**2)


def rows_appended_as_written(x):
    h = np.zeros((4, 3))
    outs = []
    for t in range(1, 4):
        h[t] = np.tanh(h[t - 1] + x)
        outs.append(h[t])
    return np.sum(np.stack(outs) ** 2)


def prefixes_appended_as_written(x):
    h = np.zeros((4, 3))
    outs = []
    for t in range(1, 4):
        h[t] = np.tanh(h[t - 1] * 0.5 + x)
        outs.append(h[: t + 1])
    return np.sum(np.concatenate(outs) ** 2)


@pytest.mark.parametrize(
    "f",
    [
        copy_of_transpose, array_of_transpose_row, row_of_a_product, listed_copies,
        listed_head_the_write_misses, stacked_before_the_write, rows_appended_as_written,
        prefixes_appended_as_written,
    ],
)  # fmt: skip
def test_copies_and_views_the_write_misses_differentiate(f):
    x = np.array([0.5, -1.2, 2.0])
    check(f, x)
    tangent = np.array([1.0, 0.3, -0.2])
    _, jvp = s2s.jvp(f)(x, tangent)
    np.testing.assert_allclose(jvp, s2s.grad(f)(x) @ tangent, rtol=1e-10, atol=1e-12)


def _lotka_volterra(p, z0):
    z = np.zeros((4, 2))
    z[0] = z0
    for t in range(3):
        x, y = z[t, 0], z[t, 1]
        z[t + 1, 0] = x + 0.1 * (p[0] * x - p[1] * x * y)
        z[t + 1, 1] = y + 0.1 * (p[1] * x * y - p[0] * y)
    return np.sum(z[-1])


def _two_rows_then_a_write(x):
    Y = np.outer(x, x)
    r, q = Y[0], Y[1]
    Y[0] = x * 3
    return np.sum(r * q)


def test_entries_unpacked_from_an_array_then_written_are_checked_at_run_time():
    """``x, y = z[t, 0], z[t, 1]`` before writes into ``z`` names two entries (copies), as
    ``x = z[t, 0]`` on its own line does: checked when the write runs, not refused (it was a
    MutationError calling ``x`` a view); rows unpacked the same way are still refused there."""
    p, z0 = np.array([1.0, 0.5]), np.array([1.0, 2.0])
    expected = numeric_gradient(_lotka_volterra, (p, z0), 0)
    np.testing.assert_allclose(s2s.grad(_lotka_volterra)(p, z0), expected, rtol=1e-6)
    _, tangent = s2s.jvp(_lotka_volterra)(p, z0, np.array([1.0, 0.0]))
    np.testing.assert_allclose(tangent, expected[0], rtol=1e-6)
    with pytest.raises(s2s.MutationError, match="`r` \\(line"):
        s2s.grad(_two_rows_then_a_write)(np.array([1.0, 2.0, 3.0]))
