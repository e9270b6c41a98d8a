"""Assignment into arrays the function made (x[i] = v, x[k] += v), inside loops too: exact
gradients from the overwritten entries saved on the tape; writes that may reach the caller's
arrays or views are refused."""

import numpy as np
import pytest
from gradcheck import check_against_differences as check
from located import assert_located

import s2s

RNG = np.random.default_rng(5)


def fill(x, w):
    out = np.zeros(4)
    for i in range(4):
        out[i] = np.sin(x[i]) * w
    out[1:3] += x[1:3] * 2.0
    out[0] = out[3] * 3.0
    out[x > 0.5] = 0.25
    return np.sum(out * out)


def test_element_slice_and_mask_writes_in_a_loop():
    check(fill, RNG.normal(size=4), 0.7, wrt=(0, 1))


def overwrite_with_repeats(x):
    y = x * 1.0
    y[np.array([0, 0, 2])] *= 3.0
    y[:, 1] = x[:, 0] ** 2
    return np.sum(y * x)


def test_advanced_keys_and_columns():
    check(overwrite_with_repeats, RNG.normal(size=(3, 2)))


def returns_written(x):
    out = np.zeros(3)
    out[0] = x[0] * 2.0
    out[2] = x[1]
    return out


def test_the_value_and_repeated_pullbacks_see_the_written_array():
    x = RNG.normal(size=3)
    value, pullback = s2s.vjp(returns_written)(x)
    np.testing.assert_array_equal(value, returns_written(x))
    first, second = pullback(np.ones(3)), pullback(np.ones(3))
    np.testing.assert_array_equal(first, [2.0, 1.0, 0.0])
    np.testing.assert_array_equal(second, first)
    np.testing.assert_array_equal(value, returns_written(x))


def writes_argument(x):
    x[0] = 1.0
    return np.sum(x)


def writes_through_view(x):
    y = x * 2.0
    z = y[1:]
    y[0] = 5.0
    return np.sum(z)


def writes_global(x):
    TABLE[0] = x[0]
    return np.sum(TABLE)


TABLE = np.zeros(2)


@pytest.mark.parametrize(
    "f, message",
    [(writes_argument, "argument"), (writes_through_view, "view"), (writes_global, "global")],
)
def test_writes_that_may_reach_other_arrays_are_refused(f, message):
    before = TABLE.copy()
    with pytest.raises(s2s.MutationError, match=message) as info:
        s2s.grad(f)(np.ones(3))
    assert info.value.where.lineno > f.__code__.co_firstlineno
    np.testing.assert_array_equal(TABLE, before)


def writes_tuple_item(t):
    a = t[0]
    a[0] = 5.0  # MARK
    return np.sum(a * a)


def unpacks_then_writes(t):
    a, b = t
    a[0] = 5.0  # MARK
    return np.sum(a * b)


def updates_tuple_item(x, t):
    a = t[1]
    a *= x  # MARK
    return np.sum(a)


def writes_view_of_tuple_item(t):
    a = t[0]
    b = a[1:]
    b[0] = 5.0  # MARK
    return np.sum(a)


@pytest.mark.parametrize(
    "f", [writes_tuple_item, unpacks_then_writes, updates_tuple_item, writes_view_of_tuple_item]
)
@pytest.mark.parametrize("mode", ["grad", "vjp", "jvp"])
def test_writes_into_an_item_of_a_tuple_argument_are_refused_like_the_argument(f, mode):
    """``x[0] = v`` on an argument is refused (it would change the caller's array); so is the
    same write into an item of a tuple argument, which was done on the caller's array and then
    undone by the adjoint sweep."""
    t = (np.ones(3), np.ones(3))
    args = (np.full(3, 2.0), t) if f is updates_tuple_item else (t,)
    tangent = np.ones(3) if f is updates_tuple_item else (np.ones(3), np.ones(3))
    with pytest.raises(s2s.MutationError, match="item of the argument `t`") as info:
        if mode == "jvp":
            s2s.jvp(f)(*args, tangent)  # the tangent of wrt=0 follows the arguments
        else:
            getattr(s2s, mode)(f)(*args)
    advice = "make a new array" if f is updates_tuple_item else "make a copy first"
    assert_located(info.value, f, "# MARK", advice)
    np.testing.assert_array_equal(t[0], np.ones(3))
    np.testing.assert_array_equal(t[1], np.ones(3))


def test_a_copy_of_a_tuple_item_may_be_written():
    def f(t):
        a = t[0].copy()
        a[0] = 5.0
        return np.sum(a * t[1])

    t = (np.ones(3), np.full(3, 2.0))
    gx, gy = s2s.grad(f)(t)
    np.testing.assert_array_equal(gx, [0.0, 2.0, 2.0])
    np.testing.assert_array_equal(gy, [5.0, 1.0, 1.0])
    np.testing.assert_array_equal(t[0], np.ones(3))


# -- Python lists built in loops ----------------------------------------------------------------


def collect(x, w):
    hs = []
    h = x * 1.0
    for _ in range(3):
        h = np.tanh(h * w)
        hs.append(h)
    stacked = np.stack(hs)
    joined = np.concatenate(hs)
    as_array = np.array(hs)
    return np.sum(stacked * stacked) + np.sum(hs[1] * 2.0) + np.sum(joined) + np.sum(as_array**3)


def test_lists_appended_in_a_loop_then_stacked_concatenated_and_indexed():
    check(collect, RNG.normal(size=2), RNG.normal(size=2), wrt=(0, 1))


def states(x):
    hs = []
    for k in range(3):
        hs.append(np.sin(x * k))
    return np.stack(hs)


def test_a_list_pullback_can_run_twice_and_the_value_stays():
    x = RNG.normal(size=2)
    value, pullback = s2s.vjp(states)(x)
    ct = RNG.normal(size=(3, 2))
    first, second = pullback(ct), pullback(ct)
    np.testing.assert_array_equal(first, second)
    np.testing.assert_allclose(first, np.sum(ct * np.arange(3)[:, None] * np.cos(
        x * np.arange(3)[:, None]), axis=0), rtol=1e-12)  # fmt: skip
    np.testing.assert_array_equal(value, states(x))


# -- comprehensions, lowered to loops -----------------------------------------------------------


def comprehensions(x, w):
    ys = [np.tanh(x * k) * w for k in range(3) if k != 1]
    zs = np.stack([y * y for y in ys])
    pairs = [a * b for a, b in zip(ys, ys)]
    return np.sum(zs) + np.sum(np.array([np.sum(v) for v in ys])) + sum(pairs).sum()


def test_list_comprehensions_and_generators_are_loops():
    check(comprehensions, RNG.normal(size=2), RNG.normal(size=2), wrt=(0, 1))


# -- arrays from *_like, while tests with and/or, in-place numpy functions and array methods -


def like_fill(x):
    out = np.zeros_like(x)
    out[0] = x[0] * 2.0
    out[1:] += x[1:] ** 2
    return np.sum(out * 1.5)


def accumulate_then_write(x):
    out = np.zeros(3)
    out += x
    out[0] = 1.0
    return np.sum(out * x)


def scalar_updates_in_a_loop(a, b):
    s = 0.0
    for _ in range(3):
        s += a
        s *= b
    return s


def test_writes_into_like_arrays_and_after_whole_array_updates():
    x = np.array([0.2, -1.5, 0.7])
    check(like_fill, x)
    check(accumulate_then_write, x)
    check(scalar_updates_in_a_loop, 0.5, 1.5, wrt=(0, 1))


def adds_at(x):
    out = np.zeros(3)
    np.add.at(out, np.array([0, 0, 1]), x)
    return np.sum(out * np.array([1.0, 2.0, 3.0]))


def divides_at(x):
    out = np.ones(3)
    np.divide.at(out, np.array([0, 0, 1]), x)
    return np.sum(out)


def test_in_place_numpy_functions_are_refused_not_ignored():
    # np.add.at on a local array is a scatter-add s2s differentiates (tests/test_ufunc_at.py)
    np.testing.assert_array_equal(s2s.grad(adds_at)(np.ones(3)), [1.0, 1.0, 2.0])
    with pytest.raises(s2s.MutationError, match="numpy.divide.at changes its first argument"):
        s2s.grad(divides_at)(np.ones(3))


def trajectory(y0, k):
    traj = [y0]
    y = y0
    for _ in range(5):
        y = y - 0.1 * k * y
        traj.append(y)
    return np.sum(np.stack(traj) ** 2)


def test_a_list_that_starts_with_items_then_grows():
    check(trajectory, np.array([1.0, 2.0]), 0.7, wrt=(0, 1))


def swap_buffers(x, t):
    a = x * 1.0
    for _ in range(4):
        new = np.zeros(2)
        new[0] = a[1] * t + np.sin(a[0])
        new[1] = a[0] * t
        a = new
    return np.sum(a * a)


def aliased_write(x):
    a = np.zeros(3)
    b = a
    a[0] = x[0]
    return np.sum(b * x)


def aliased_write_through_either_name(x):
    a = np.zeros(3)
    b = a  # a second name for the same array, as in Python
    b[1] = x[1] ** 2
    a[2] = b[1] * x[2]
    return np.sum(a * x) + np.sum(b)


def alias_rebound_in_a_loop(x):
    a = np.zeros(3)
    for i in range(3):
        b = a
        b[i] = x[i] * 2.0
    return np.sum(a * x)


def test_a_buffer_aliased_after_the_write_and_rebuilt_each_step():
    check(swap_buffers, np.array([0.3, -0.4]), 0.8, wrt=(0, 1))


def test_a_second_name_for_a_local_array_sees_every_write_as_in_python():
    x = np.array([0.5, 1.5, -2.0])
    check(aliased_write, x)
    check(aliased_write_through_either_name, x)
    np.testing.assert_allclose(s2s.grad(aliased_write)(x), [2 * x[0], 0.0, 0.0])
    value, _ = s2s.value_and_grad(aliased_write_through_either_name)(x)
    assert value == aliased_write_through_either_name(x)
    with pytest.raises(s2s.MutationError, match="may share memory"):  # b rebound in a loop
        s2s.grad(alias_rebound_in_a_loop)(x)


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


# -- row views: x[i] of a 2-D array is a view, of a 1-D array an element ----------------------


def row_view_then_write(x):
    a = np.ones((2, 3))
    r = a[0]
    a[0, 1] = x[1]
    return np.sum(r * x)


def test_a_row_view_that_the_write_changes_is_refused_at_run_time():
    with pytest.raises(s2s.MutationError, match=r"`r` \(line \d+\) is a view") as info:
        s2s.grad(row_view_then_write)(np.ones(3))
    first = row_view_then_write.__code__.co_firstlineno
    assert info.value.where.lineno == first + 3  # the write, not the view
    assert "copy" in info.value.advice


def row_view_read_on_the_next_trip(x):
    a = np.ones((2, 3))
    r = a[0]  # bound once, before the loop
    s = np.zeros(3)
    for _ in range(3):
        s = s + r * x  # the next trip reads r after the write below changed it
        a[0] = s
    return np.sum(s)


def row_view_rebound_each_trip(x):
    a = np.ones((2, 3))
    s = np.zeros(3)
    for _ in range(3):
        r = a[0]  # bound again before each read: the write changes no value read later
        s = s + r * x
        a[0] = s
    return np.sum(s)


def test_a_row_view_read_again_on_a_later_trip_is_refused_but_one_rebound_is_exact():
    with pytest.raises(s2s.MutationError, match=r"`r` \(line \d+\) is a view"):
        s2s.grad(row_view_read_on_the_next_trip)(np.ones(3))
    check(row_view_rebound_each_trip, RNG.normal(size=3))


def previous_row(x):
    table = np.zeros((4, 3))
    table[0] = x
    for i in range(1, 4):
        prev = table[i - 1]
        table[i, 0] = prev[0] * x[1]
        table[i, 1:] = np.sin(prev[1:]) + prev[:-1]
    return np.sum(table * table)


def test_a_row_view_of_other_entries_than_the_write_is_exact():
    check(previous_row, RNG.normal(size=3))


def running_element(x):
    out = np.zeros(4)
    out[0] = x[0]
    for i in range(1, 4):
        prev = out[i - 1]  # an element of a 1-D array: a copy, the write cannot change it
        out[i] = prev * x[i] + np.cos(prev)
    return np.sum(out)


def test_an_element_of_a_one_dimensional_array_is_a_copy():
    check(running_element, RNG.normal(size=4))


# -- lists and tuples bound to a name, then used elsewhere ----------------------------------


def literal_containers(x):
    xs = [x, np.sin(x)]
    pair = (x * 2.0, x[::-1])
    first, second = pair
    scalars = [x[0], x[1] * 3.0]
    total = np.sum(np.stack(xs) ** 2) + np.sum(np.concatenate(xs)) + sum(scalars) * x[2]
    total = total + np.sum(np.array(xs)[1] * pair[1]) + xs[1][0] * scalars[-1]
    return total + np.sum(first * second) + np.sum(np.stack(pair) ** 3)


def test_lists_and_tuples_bound_to_names_then_stacked_indexed_unpacked_and_summed():
    check(literal_containers, RNG.normal(size=3))


def tuple_in_a_closure(x):
    pair = (x, x * 2.0)

    def first():
        return pair[0]

    return np.sum(first())


def test_a_tuple_of_values_read_by_a_nested_def_is_refused_with_its_line():
    with pytest.raises(s2s.UnsupportedSyntaxError, match="`pair` is a tuple of values"):
        s2s.grad(tuple_in_a_closure)(np.ones(3))


# -- writes through helpers, lists and second names: exact or refused with their line -------


def _set_first(a, v):
    a[0] = v


def _tail(a):
    return a[1:]


def writes_in_a_helper(x):
    a = x * 1.0
    _set_first(a, x[1] ** 2)
    return np.sum(a)


def writes_into_a_helper_result(x):
    a = x * 1.0
    b = _tail(a)
    b[0] = 0.0
    return np.sum(a)


def writes_into_split_views(x):
    a = x * 1.0
    p, q = np.split(a, 2)
    p[0] = 0.0
    return np.sum(a)


def extends_a_list(x):
    xs = [x]
    xs.extend([x * 2.0])
    return np.sum(np.stack(xs))


def joins_lists(x):
    xs = [x] + [x * 2.0]
    return np.sum(np.stack(xs))


def second_name_for_a_list(x):
    xs = []
    ys = xs
    ys.append(x * 5.0)
    return np.sum(np.stack(xs))


def _add_item(items, v):
    return items.append(v)


def list_to_a_helper(x):
    xs = [x]
    n = _add_item(xs, x * 3.0)
    return np.sum(np.stack(xs)) + 0.0 * (n is None)


def list_of_lists(x):
    xs = []
    for i in range(2):
        row = [x[i], x[i] * 2.0]
        xs.append(row)  # row could still change after it is appended
    return np.sum(np.array(xs))


def default_reads_a_local(x):
    def inner(v, s=x):
        return v * s

    return np.sum(inner(x * 2.0))


def loop_over_a_dict(x):
    d = {0: 1.0, 1: 2.0}
    total = 0.0
    for k in {0, 1}:  # a set (a local dict with constant keys is unrolled, in insertion order)
        total = total + np.sum(x * k * d[k])
    return total


MATRIX = np.array([[1.0, 2.0], [3.0, 4.0]])


def multiplies_by_a_list(x):
    return np.sum(MATRIX @ [x[0], 1.0])  # (fresh-302: it said "joined or repeated")


@pytest.mark.parametrize(
    "f, error, message",
    [
        (writes_in_a_helper, s2s.MutationError, r"result of `_set_first\(...\)` is not used"),
        (writes_into_a_helper_result, s2s.MutationError, "result of your own function"),
        (writes_into_split_views, s2s.MutationError, "may share memory"),
        (extends_a_list, s2s.UnsupportedSyntaxError, r"xs.extend\(...\)"),
        (joins_lists, s2s.UnsupportedSyntaxError, "joined or repeated"),
        (multiplies_by_a_list, s2s.UnsupportedSyntaxError, "a list used as an operand of `@`"),
        (second_name_for_a_list, s2s.UnsupportedSyntaxError, "second name for the list"),
        (list_to_a_helper, s2s.UnsupportedSyntaxError, "passed to your own function"),
        (list_of_lists, s2s.UnsupportedSyntaxError, "list of lists"),
        (default_reads_a_local, s2s.UnsupportedSyntaxError, "default argument of `inner`"),
        (loop_over_a_dict, s2s.UnsupportedSyntaxError, "loop over a dict"),
    ],
)
def test_uses_s2s_cannot_follow_are_refused_with_their_line(f, error, message):
    x = np.array([1.0, 2.0, 3.0, 4.0])
    before = x.copy()
    with pytest.raises(error, match=message) as info:
        s2s.grad(f)(x)
    first = f.__code__.co_firstlineno
    assert first < info.value.where.lineno <= first + 8
    np.testing.assert_array_equal(x, before)


def writes_into_integer_buffers(x):
    ints = np.arange(3)
    ints[0] = x[0] * 7.0  # truncated to an integer: no gradient through the write
    flags = np.zeros_like(x > 0)
    flags[1] = x[1]
    return np.sum(ints * x) + np.sum(flags * x)


def test_a_float_written_into_an_integer_or_boolean_array_has_no_gradient():
    x = np.array([1.5, 1.0, 1.0])
    check(writes_into_integer_buffers, x)
    np.testing.assert_allclose(s2s.grad(writes_into_integer_buffers)(x), [10.0, 2.0, 2.0])


def sum_with_start(x):
    xs = [x, x * 2.0]
    return np.sum(sum(xs, x))


def test_builtin_sum_sends_the_start_value_its_cotangent():
    check(sum_with_start, RNG.normal(size=2))
    np.testing.assert_allclose(s2s.grad(sum_with_start)(np.ones(2)), [4.0, 4.0])


def updates_a_second_name(x):
    a = x * 1.0
    b = a
    b += x  # in place on an array: a changes too
    return np.sum(a * x)


def test_an_in_place_update_through_a_second_name_is_refused():
    with pytest.raises(s2s.MutationError, match="second name for `a`") as info:
        s2s.grad(updates_a_second_name)(np.ones(3))
    assert_located(info.value, updates_a_second_name, 3)
    assert "b = b + ..." in info.value.advice and "b[...] += ..." in info.value.advice


def updates_through_a_second_name_by_ellipsis(x):
    a = x * 1.0
    b = a
    b[...] += x**2  # the advised form: a write through the second name, as README says
    b[1:] *= x[:2]
    return np.sum(a * x) + np.sum(np.sin(b))


def test_the_advised_write_through_a_second_name_matches_differences():
    x = RNG.normal(size=3)
    check(updates_through_a_second_name_by_ellipsis, x)
    a = x + x**2
    a[1:] *= x[:2]
    assert updates_through_a_second_name_by_ellipsis(x) == pytest.approx(
        np.sum(a * x) + np.sum(np.sin(a)), rel=1e-12
    )


def _row_update(x):
    out = np.zeros((2, 3))
    for i in range(2):
        r = out[i]
        r += x * (i + 1)  # MARK: an update of a view
    return np.sum(out**2)


def _row_by_index(x):
    out = np.zeros((2, 3))
    for i in range(2):
        out[i] += x * (i + 1)
    return np.sum(out**2)


def test_an_update_of_a_view_is_advised_onto_the_array_it_views():
    # (a fresh user) the advice was `r = r <op> ...` or a copy, which leave `out` unchanged:
    # a different program; the update written on `out[i]` is followed, and gives the gradient
    x = np.array([0.3, 0.7, -0.4])
    with pytest.raises(s2s.MutationError) as info:
        s2s.grad(_row_update)(x)
    message = str(info.value)
    assert "Advice: `r` views `out[i]` (line" in message and "`out[i] += ...`" in message
    assert "would leave `out[i]` unchanged" in message
    np.testing.assert_allclose(s2s.grad(_row_by_index)(x), 2 * (1 + 4) * x, rtol=1e-14)
