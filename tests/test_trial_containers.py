"""Faults a second trial found: multi-output helpers in loops, tuples read at run-time
positions, loops over literals, and lists of lists. Each is checked against central differences
(gradcheck) across its kind, not just the reported case."""

import inspect
import re

import numpy as np
import pytest
from gradcheck import check_against_differences as check
from located import assert_located

import s2s

RNG = np.random.default_rng(11)
X3 = RNG.standard_normal(3)
XS = RNG.standard_normal((4, 2))

# -- a helper with several outputs whose outputs feed it again (h, c = cell(h, c, x)) ---------


def cell(h, c, x):
    c2 = c * 0.5 + np.tanh(x + h)
    return np.tanh(c2), c2


def step(h, x):
    h2 = np.tanh(x + 0.5 * h)
    return h2, np.sum(h2 * h2)


def lstm_like_for(xs):
    h = np.zeros(2)
    c = np.zeros(2)
    for t in range(xs.shape[0]):
        h, c = cell(h, c, xs[t])
    return np.sum(h * h)


def carried_with_loss_while(xs):
    h = np.zeros(2)
    total = 0.0
    t = 0
    while t < xs.shape[0]:
        h, loss = step(h, xs[t])
        total = total + loss
        t += 1
    return total


def qr_carried(a):
    q = a
    for _ in range(2):
        q, r = np.linalg.qr(q + 0.1 * a)
    return np.sum(q * a) + np.sum(r)


@pytest.mark.parametrize("f", [lstm_like_for, carried_with_loss_while])
def test_several_outputs_fed_back_in_a_loop(f):
    check(f, XS)


def test_a_multi_output_rule_fed_back_in_a_loop():
    check(qr_carried, RNG.standard_normal((3, 3)) + 2 * np.eye(3))


# -- tuples read at positions known only at run time ----------------------------------------


def tuple_at_a_name(x):
    xs = (x, x * 2.0)
    i = 1
    return np.sum(xs[i])


def tuple_at_negative(x):
    t = (x, x * 2.0)
    return np.sum(t[-1] * t[0])


def tuple_parameter_in_loop(t):
    s = 0.0
    for i in range(2):
        s = s + np.sum(t[i] * (i + 1))
    return s


def tuple_slice(x):
    t = (x, x * 2.0, x * 3.0)
    return np.sum(np.stack(t[1:]) ** 2)


@pytest.mark.parametrize("f", [tuple_at_a_name, tuple_at_negative, tuple_slice])
def test_tuples_indexed_at_run_time_positions(f):
    check(f, X3)


def test_a_tuple_argument_indexed_by_the_loop_variable():
    a, b = X3, X3 + 1.0
    ga, gb = s2s.grad(tuple_parameter_in_loop)((a, b))
    np.testing.assert_array_equal(ga, np.ones(3))
    np.testing.assert_array_equal(gb, 2 * np.ones(3))


# -- loops over tuple and list literals -----------------------------------------------------


def loop_over_tuple(x):
    s = 0.0
    for p in (x, x * 2.0):
        s = s + np.sum(p * p)
    return s


def loop_over_list_more_items_than_entries(x):
    s = 0.0
    for p in [x, x * 2.0, x * 3.0, np.sin(x)]:
        s = s + np.sum(p)
    return s


def loop_over_scalars(x):
    s = 0.0
    for v in (x[0], x[1], x[2]):
        s = s + v * v
    return s


def loop_over_named_tuple_enumerate(x):
    t = (x, np.cos(x))
    s = 0.0
    for i, p in enumerate(t):
        s = s + (i + 1.0) * np.sum(p)
    return s


def loop_over_zip_of_tuples(x):
    s = 0.0
    for a, b in zip((x, x * 2.0), (np.sin(x), x)):
        s = s + np.sum(a * b)
    return s


LOOPS = [
    loop_over_tuple,
    loop_over_scalars,
    loop_over_named_tuple_enumerate,
    loop_over_zip_of_tuples,
]


@pytest.mark.parametrize("f", LOOPS)
def test_loops_over_literals(f):
    check(f, X3)


def test_a_loop_over_more_items_than_an_item_has_entries():
    check(loop_over_list_more_items_than_entries, X3[:2])


# -- lists of lists -------------------------------------------------------------------------


def nested_literal(x):
    ys = [[x[0], x[1]], [x[2], x[0]]]
    return np.sum(np.array(ys) ** 2)


def nested_comprehension(x):
    ys = [[v, v * 2] for v in x]
    return np.sum(np.array(ys) ** 2)


def comprehension_of_tuples(x):
    ys = [(v, np.sin(v)) for v in x]
    return np.sum(np.array(ys) ** 2)


def appended_literals(x):
    ys = []
    for v in x:
        ys.append([v, np.sin(v)])
    return np.sum(np.stack([np.array(y) for y in ys]) ** 2)


def nested_indexing(x):
    ys = [[x[0], x[1]], [x[2], x[0]]]
    return ys[1][0] * ys[0][1]


def loop_over_rows(x):
    ys = [[v, v * 2] for v in x]
    s = 0.0
    for y in ys:
        s = s + y[1] * y[0]
    return s


NESTED = [
    nested_literal,
    nested_comprehension,
    comprehension_of_tuples,
    appended_literals,
    nested_indexing,
    loop_over_rows,
]


@pytest.mark.parametrize("f", NESTED)
def test_lists_of_lists(f):
    grad = check(f, X3)[0]
    assert np.any(grad != 0)


def test_exact_values_of_a_nested_literal():
    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(s2s.grad(nested_literal)(x), [4.0, 4.0, 6.0])
    np.testing.assert_array_equal(s2s.grad(tuple_at_negative)(x), 4 * x)


# -- helpers returning a named tuple, loops rebinding their sequence, jumps under elif --------


def min_and_max(x):
    t = (np.min(x), np.max(x))
    return t


def spread(x):
    r = min_and_max(x)
    return r[1] - r[0]


def pair(x):
    return x * 2.0, np.sin(x)


def unpacked_result(x):
    t = pair(x)
    a, b = t
    return np.sum(a * b)


def loop_rebinds_its_sequence(x):
    s = 0.0
    for x in x:  # noqa: B020  (the loop rebinds the name it iterates over)
        s = s + x * x
    return s


def continue_under_elif(x):
    y = x * 1.0
    for i in range(4):
        if i == 0:
            y = y * x
        elif i == 1:
            y = np.sin(y)
        else:
            continue
        y = y + 1.0
    return np.sum(y)


def max_of_named_tuple(x):
    t = (x[0], x[1] * 2.0, x[2])
    return max(t) + min(t)


def scalar_view_then_update(x):
    y = x * 2
    y[0] *= y[2]
    y += x
    return np.sum(y)


WORKS = [
    spread,
    unpacked_result,
    loop_rebinds_its_sequence,
    continue_under_elif,
    max_of_named_tuple,
    scalar_view_then_update,
]


@pytest.mark.parametrize("f", WORKS)
def test_forms_that_now_differentiate(f):
    check(f, np.array([0.3, -1.2, 0.8]))


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


def assert_refused_at(f, error, message, line_text, x):
    """``grad(f)(x)`` raises ``error`` matching ``message``, located at the line of ``f``
    whose text holds ``line_text``."""
    with pytest.raises(error, match=re.escape(message)) as info:
        s2s.grad(f)(x)
    assert_located(info.value, f, line_text)


@pytest.mark.parametrize(("f", "error", "message", "line_text"), REFUSED)
def test_refusals_name_the_construct_and_line(f, error, message, line_text):
    assert_refused_at(f, error, message, line_text, np.array([0.3, -1.2, 0.8]))


# -- a second trial: swaps in loops, nested tuples, slices of tuples, dead code that raises ----


def swap_in_branch(x, y, c):
    if c > 0:
        x, y = y, x
    return np.sum(x * y**2)


def swap_in_loop(x, y):
    s = 0.0
    for _ in range(3):
        s = s + np.sum(x * y**2)
        x, y = y, x * 0.5
    return s


def tuple_bound_before_rebinding(x, y):
    t = (x, y)
    x = x * 2.0
    a, b = t
    return np.sum(a * 3.0) + np.sum(b) + np.sum(x)


def layers_as_pairs(w1, b1, w2, b2):
    h = np.linspace(-1.0, 1.0, 6).reshape(2, 3)
    for w, b in ((w1, b1), (w2, b2)):
        h = np.tanh(h @ w + b)
    return np.sum(h**2)


def named_layers(w1, b1, w2, b2):
    params = ((w1, b1), (w2, b2))
    h = np.linspace(-1.0, 1.0, 6).reshape(2, 3)
    for w, b in params:
        h = np.tanh(h @ w + b)
    return np.sum(h**2)


def nested_tuple_item(w1, b1, w2, b2):
    t = ((w1, b1), w2)
    return np.sum(t[0][1] ** 2) + np.sum(t[1]) + np.sum(b2)


def unpacked_slice(w1, b1, w2, b2):
    u, v = (w1, b1, w2)[1:]
    p, q = (w2, b2)[::-1]
    return np.sum(u) + np.sum(v**2) + np.sum(p * 2.0) + np.sum(q**2)


def slice_of_mixed_shapes(w1, b1, w2, b2):
    s = (w1, b1, w2)[1:]
    ys = [w1, b2, w2][::2]
    return np.sum(s[0]) + np.sum(s[1] ** 2) + np.sum(ys[1] * ys[0][0, 0]) + np.sum(b2)


def three(x, y):
    return x * 2.0, y * 3.0, x * y


def slice_of_helper_results(w1, b1, w2, b2):
    r = three(b1, b1 * 3.0)
    u, v = r[1:]
    p, q = three(b2, b2)[1:]
    return np.sum(u) + np.sum(v**2) + np.sum(p * q) + np.sum(w1) + np.sum(w2)


def row_index_rebound(w1, b1, w2, b2):
    s = 0.0
    for t in range(2):
        v = b1[t]
        t = 0
        s = s + v**2 + b2[t]
    return s + np.sum(w1) + np.sum(w2)


PAIRS = [
    layers_as_pairs,
    named_layers,
    nested_tuple_item,
    unpacked_slice,
    slice_of_mixed_shapes,
    slice_of_helper_results,
    row_index_rebound,
]


@pytest.mark.parametrize("f", PAIRS)
def test_nested_tuples_slices_and_rebound_indices(f):
    rng = np.random.default_rng(4)
    shapes = [(3, 4), (4,), (4, 2), (2,)]
    args = tuple(rng.normal(size=shape) for shape in shapes)
    grads = check(f, *args, wrt=(0, 1, 2, 3))
    assert any(np.any(g != 0) for g in grads)


@pytest.mark.parametrize("c", [1.0, -1.0])
def test_a_swap_in_a_branch(c):
    check(swap_in_branch, np.array([1.0, 2.0]), np.array([0.5, -1.0]), c, wrt=(0, 1))


def test_swaps_in_loops_and_tuples_bound_before_a_rebinding():
    check(swap_in_loop, np.array([1.0, 2.0]), np.array([0.5, -1.0]), wrt=(0, 1))
    value, _ = s2s.value_and_grad(tuple_bound_before_rebinding, wrt=(0, 1))(np.ones(2), np.ones(2))
    assert value == 12.0
    check(tuple_bound_before_rebinding, np.ones(2), np.ones(2), wrt=(0, 1))


def overwritten_argument(x, c):
    for _ in range(2):
        c = x * 2.0
    return np.sum(c**2)


def test_an_overwritten_argument_gets_zeros_of_its_shape_and_dtype():
    x, c = np.ones(3, np.float32), np.ones(3, np.float32)
    gx, gc = s2s.grad(overwritten_argument, wrt=(0, 1))(x, c)
    np.testing.assert_array_equal(gx, np.full(3, 8.0, np.float32))
    assert gc.shape == (3,) and gc.dtype == np.float32 and not np.any(gc)


def dead_division(x, s):
    k = 1.0 / s  # noqa: F841  (unused, but it must still raise for s == 0.0)
    return np.sum(x**2)


def dead_modulo(x, n):
    return np.sum(x**2) + 3 % n


def dead_log(x, y):
    z = np.log(y)  # noqa: F841
    return np.sum(x**2)


def test_dead_code_that_can_raise_still_runs():
    with pytest.raises(ZeroDivisionError):
        s2s.grad(dead_division)(np.ones(3), 0.0)
    with pytest.raises(ZeroDivisionError):
        s2s.grad(dead_modulo)(np.ones(3), 0)
    np.testing.assert_array_equal(s2s.grad(dead_log)(np.ones(3), -np.ones(3)), 2 * np.ones(3))
    with np.errstate(all="raise"), pytest.raises(FloatingPointError):
        s2s.grad(dead_log)(np.ones(3), -np.ones(3))


def nested_parameter(params, x):
    return np.sum(x @ params[0][0] + params[0][1])


def nested_return(x):
    return (x * 2.0, x**2), x


def uses_nested_return(x):
    p, q = nested_return(x)
    return np.sum(p[0] * p[1]) + np.sum(q)


def list_rows_unpacked(a, b):
    ys = [[a, b]]
    s = 0.0
    for u, v in ys:
        s = s + np.sum(u * 2.0 + v * 3.0)
    return s


def tuple_rebound_in_loop(h, c):
    s = (h, c)
    for _ in range(2):
        s = (s[1], s[0] * 2.0)
    return np.sum(s[0])


def test_nested_containers_s2s_does_not_follow_are_refused_with_their_line():
    x = np.ones((2, 3))
    params = ((np.ones((3, 2)), np.ones(2)),)
    g = s2s.grad(nested_parameter)(params, x)  # a parameter container: docs/containers.md
    np.testing.assert_allclose(g[0][0], x.T @ np.ones((2, 2)))
    np.testing.assert_allclose(g[0][1], np.full(2, 2.0))
    with pytest.raises(s2s.UnsupportedSyntaxError, match="holds tuples") as info:
        s2s.grad(uses_nested_return)(np.ones(3))
    assert_located(info.value, nested_return, 1)
    with pytest.raises(s2s.UnsupportedSyntaxError, match="unpacking this value") as info:
        s2s.grad(list_rows_unpacked, wrt=(0, 1))(np.ones(2), np.ones(2))
    assert_located(info.value, list_rows_unpacked, 3)
    with pytest.raises(s2s.NoRuleError, match="bound to a tuple more than once"):
        s2s.grad(tuple_rebound_in_loop, wrt=(0, 1))(np.ones(2), np.ones(2))


# -- a fourth trial: writes s2s cannot follow are refused, never silently dropped -----------


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


# -- a fifth trial: aliases through helpers, choices and closures -----------------------------


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


def reversed_rows_in_loop(x, c):
    y = x
    s = 0.0
    for _ in range(2):
        y = c * y[::-1]
        s = s + y[0]
    return s


def sqrt_of_reversed_in_loop(x):
    y = x
    s = 0.0
    for _ in range(2):
        y = np.sqrt(y[::-1])
        s = s + y[0]
    return s


def test_selections_carried_around_a_loop_do_not_mask_later_trips():
    """``y[0]`` selects one entry this trip, but the next trip's ``y[::-1]`` reaches all of
    them: the mask of a buffer that enters the loop body non-zero is unknown."""
    x, c = np.array([1.0, 2.0, 3.0]), np.array([0.5, 2.0, 3.0])
    np.testing.assert_allclose(s2s.grad(reversed_rows_in_loop)(x, c), [1.5, 0.0, 0.5])
    check(reversed_rows_in_loop, x, c, wrt=(0, 1))
    check(sqrt_of_reversed_in_loop, x)


def horner_backwards(x):
    s = 0.0
    for i in reversed(range(x.shape[0])):
        s = s * 0.5 + x[i]
    return s


def history_backwards(x):
    hs = []
    for i in range(3):
        hs.append(x * (i + 1.0))
    s = 0.0
    for h in reversed(hs):
        s = s * 0.5 + np.sum(h**2)
    return s


def entries_backwards(x):
    s = 0.0
    for i, v in enumerate(reversed(x)):
        s = s + i * v * v
    return s


@pytest.mark.parametrize("f", [horner_backwards, history_backwards, entries_backwards])
def test_loops_over_reversed_ranges_lists_and_arrays(f):
    check(f, np.arange(1.0, 5.0))
    if f is horner_backwards:
        np.testing.assert_allclose(s2s.grad(f)(np.arange(1.0, 5.0)), [1.0, 0.5, 0.25, 0.125])


def slice_of_a_built_list(a, b, c):
    xs = [a, b, c]
    ys = xs[1:]
    return np.sum(ys[0] ** 2) + np.sum(ys[-1] * c)


def test_a_slice_of_a_list_of_mixed_shapes_is_a_list():
    rng = np.random.default_rng(9)
    args = (rng.normal(size=(2, 3)), rng.normal(size=3), rng.normal(size=(4, 1)))
    grads = check(slice_of_a_built_list, *args, wrt=(0, 1, 2))
    assert not np.any(grads[0])
