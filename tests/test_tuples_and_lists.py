"""Tuples and lists made inside the differentiated function: tuple assignment (swaps, in
branches and loops), items read at positions known only at run time, loops over tuple and list
literals, lists of lists, nested tuples, slices and unpacking of them, and a returned list. Each
is checked against central differences (gradcheck) across its kind; nested containers s2s does
not follow are refused with their line."""

import numpy as np
import pytest
from gradcheck import along, check_every_order, numeric_gradient
from gradcheck import check_against_differences as check
from located import assert_located

import s2s

RNG = np.random.default_rng(11)
X3 = RNG.standard_normal(3)
XS = RNG.standard_normal((4, 2))  # read by test_calls (several outputs fed back in a loop)

# -- tuple assignment is simultaneous --------------------------------------------------------


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


@pytest.mark.parametrize("c", [1.0, -1.0])
def test_a_swap_in_a_branch(c):
    check(swap_in_branch, np.array([1.0, 2.0]), np.array([0.5, -1.0]), c, wrt=(0, 1))


def test_swaps_in_loops_and_tuples_bound_before_a_rebinding():
    check(swap_in_loop, np.array([1.0, 2.0]), np.array([0.5, -1.0]), wrt=(0, 1))
    value, _ = s2s.value_and_grad(tuple_bound_before_rebinding, wrt=(0, 1))(np.ones(2), np.ones(2))
    assert value == 12.0
    check(tuple_bound_before_rebinding, np.ones(2), np.ones(2), wrt=(0, 1))


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


# -- a helper's tuple read by position or unpacked, a loop rebinding its sequence, jumps -------


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
def test_helper_tuples_rebound_loop_sequences_and_jumps_under_elif(f):
    check(f, np.array([0.3, -1.2, 0.8]))


# -- nested tuples, slices of tuples and lists, indices rebound in a loop ----------------------


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


def test_nested_containers_are_followed_or_refused_with_their_line():
    x = np.ones((2, 3))
    params = ((np.ones((3, 2)), np.ones(2)),)
    g = s2s.grad(nested_parameter)(params, x)  # a parameter container: docs/containers.md
    np.testing.assert_allclose(g[0][0], x.T @ np.ones((2, 2)))
    np.testing.assert_allclose(g[0][1], np.full(2, 2.0))
    x3 = np.array([0.5, -1.0, 2.0])  # a helper returning a tuple of tuples: followed now
    np.testing.assert_allclose(s2s.grad(uses_nested_return)(x3), 6 * x3**2 + 1, rtol=1e-14)
    # each row unpacked into names (`for u, v in ys`): its items read one by one, followed now
    ga, gb = s2s.grad(list_rows_unpacked, wrt=(0, 1))(np.ones(2), np.ones(2))
    np.testing.assert_array_equal(ga, [2.0, 2.0])
    np.testing.assert_array_equal(gb, [3.0, 3.0])
    h, c = np.array([0.3, -0.2]), np.array([0.5, 0.7])  # a tuple rebound as one of its length:
    for k, g in enumerate(s2s.grad(tuple_rebound_in_loop, wrt=(0, 1))(h, c)):  # its items named
        np.testing.assert_allclose(g, numeric_gradient(tuple_rebound_in_loop, [h, c], k), rtol=1e-6)


def tuple_state_unpacked_in_loop(x, n):
    st = (x, x * 2)
    for _ in range(n):
        p, q = st
        st = (np.sin(q), p + 0.1)  # REBOUND
    return np.sum(st[0])


def test_a_tuple_rebound_after_unpacking_is_differentiated():
    """`st = (x, x * 2)`, then `p, q = st; st = (np.sin(q), p + 0.1)` in a loop: refused (it
    named `p`, fresh-113 finding 7); a tuple rebound as one of its length is now split into
    names of its own (`st_0, st_1`) before the fence."""
    g = s2s.grad(tuple_state_unpacked_in_loop)(X3, 3)
    np.testing.assert_allclose(g, numeric_gradient(lambda x: tuple_state_unpacked_in_loop(x, 3),
                                                   [X3], 0), rtol=1e-6)  # fmt: skip


def tuple_parameter_rebound_in_a_branch(p, flag):
    if flag:
        p = (p[0] * 2.0, p[1])
    return np.sum(p[0] * p[1])


@pytest.mark.parametrize("flag", [False, True])
def test_a_tuple_parameter_rebound_in_a_branch_is_refused_by_its_name(flag):
    """Its items are the argument's on one path and the arm's on the other: refused at the
    rebinding, by the user's name (was an internal TypeError reading the arm's items)."""
    with pytest.raises(s2s.NoRuleError, match="`p` is bound to a tuple more than once") as info:
        s2s.grad(tuple_parameter_rebound_in_a_branch)((X3, X3 + 1.0), flag)
    assert_located(info.value, tuple_parameter_rebound_in_a_branch, 2, "bind `p` to a tuple once")


def slice_of_a_built_list(a, b, c):
    xs = [a, b, c]
    ys = xs[1:]
    return np.sum(ys[0] ** 2) + np.sum(ys[-1] * c)


def test_a_slice_of_a_list_of_mixed_shapes_is_a_list():
    rng = np.random.default_rng(9)
    args = (rng.normal(size=(2, 3)), rng.normal(size=3), rng.normal(size=(4, 1)))
    grads = check(slice_of_a_built_list, *args, wrt=(0, 1, 2))
    assert not np.any(grads[0])


# -- a returned list --------------------------------------------------------------------------


def _list_literal(x):
    return [x[0] * 1.0, x[1] * 2.0]


def test_a_returned_list_literal_carries_its_gradient_both_modes():
    """``return [a, b]`` returns a list: its pullback takes a list of cotangents, one per item
    (never zeros, as for a value of no gradient), and its tangent is a list too (never the
    items' tangents summed into one number)."""
    x = np.array([0.1, 0.5])
    value, pullback = s2s.vjp(_list_literal)(x)
    assert type(value) is list
    np.testing.assert_allclose(pullback([1.0, 0.0]), [1.0, 0.0])
    np.testing.assert_allclose(pullback([0.0, 1.0]), [0.0, 2.0])
    value, tangent = s2s.jvp(_list_literal)(x, np.array([0.0, 1.0]))
    assert type(tangent) is list
    np.testing.assert_allclose(tangent, [0.0, 2.0])


# -- lists the function built, differentiated twice and three times (issue 9) -----------------

M = RNG.standard_normal((3, 2))
DM = RNG.standard_normal((3, 2))


def _sum_of_squares(xs):
    return sum(np.sum(np.sin(v) * v) for v in xs)


def _sum_of_squares_loop(xs):
    s = 0.0
    for v in xs:
        s = s + np.sum(np.sin(v) * v)
    return s


def built_list_to_a_helper(x):
    xs = [x, x * 2.0]
    return _sum_of_squares(xs)


def built_list_to_a_looping_helper(x):
    xs = [np.sin(x), x * 2.0]
    return _sum_of_squares_loop(xs)


def comprehension_then_appended(x):
    rows = [np.sin(r) * 2.0 for r in x]
    rows.append(x[0] ** 3)
    s = 0.0
    for r in rows:
        s = s + np.sum(r**2)
    return s


def _along_gradient(f):
    gradient = s2s.grad(f)
    return lambda x: np.sum(gradient(x) * DM)


@pytest.mark.parametrize(
    "f", [built_list_to_a_helper, built_list_to_a_looping_helper, comprehension_then_appended]
)
def test_a_built_list_at_second_order_against_differences_of_the_gradient(f):
    """``hvp`` (forward over reverse) and ``grad`` of ``grad`` (reverse over reverse) of a
    function passing a list it built to a function of yours, or appending to a list a
    comprehension made, agree with central differences of the gradient."""
    expected = along(s2s.grad(f), M, DM)
    np.testing.assert_allclose(s2s.hvp(f)(M, DM), expected, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2s.grad(_along_gradient(f))(M), expected, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize(
    "f", [built_list_to_a_helper, built_list_to_a_looping_helper, comprehension_then_appended]
)
def test_a_built_list_at_third_order_against_differences_of_the_second(f):
    """``jvp`` of the second derivative, and reverse over reverse over reverse (a list's
    cotangent moved by ``unbroadcast``'s transpose part by part; a helper's list cotangent,
    a container parameter of the second derivative, bound to a name its code releases)."""
    second = s2s.grad(_along_gradient(f))
    expected = along(second, M, DM, h=1e-5)
    _, tangent = s2s.jvp(second)(M, DM)
    np.testing.assert_allclose(tangent, expected, rtol=1e-5, atol=1e-7)
    third = s2s.grad(lambda x: np.sum(second(x) * DM))(M)
    np.testing.assert_allclose(third, expected, rtol=1e-5, atol=1e-7)


def literal_rebuilt_in_a_loop(x):
    s = 0.0
    for i in range(2):
        ys = [np.sin(x), np.cos(x * i)]
        s = s + np.sum(np.stack(ys) ** 2) * s + ys[1][0]
    return s


def comprehension_rebuilt_in_a_loop(x):
    s = 0.0
    for i in range(3):
        y = [np.sin(x * j * i) for j in range(3)]
        s = s + np.sum(np.stack(y)) * s + 0.1
    return s


@pytest.mark.parametrize("f", [literal_rebuilt_in_a_loop, comprehension_rebuilt_in_a_loop])
def test_a_list_rebuilt_in_a_loop_at_second_order_against_differences_of_the_gradient(f):
    """A list literal or comprehension bound anew on each trip of a loop: the first
    derivative tapes the list (or its shapes record) and restores it, ``ys = tape.pop()``, a
    list name bound again in a loop in s2s's own code that its second derivative follows
    (``hessian``, ``hvp``, ``grad`` of ``grad``, and ``jvp`` of ``grad`` against central
    differences of the gradient)."""
    x = np.array([0.3, -0.4, 0.5])
    check_every_order(f, x)
    v = np.array([0.7, -0.2, 0.4])
    _, tangent = s2s.jvp(s2s.grad(f))(x, v)
    np.testing.assert_allclose(tangent, along(s2s.grad(f), x, v), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("f", [literal_rebuilt_in_a_loop, comprehension_rebuilt_in_a_loop])
def test_a_list_rebuilt_in_a_loop_at_third_order_against_differences_of_the_second(f):
    """The second derivative's own code (``ys = like_1``, a shapes record under a name of its
    own) differentiated again, forward and reverse."""
    x = np.array([0.3, -0.4, 0.5])
    v = np.array([0.7, -0.2, 0.4])
    gradient = s2s.grad(f)
    second = s2s.grad(lambda z: np.sum(gradient(z) * v))
    expected = along(second, x, v, h=1e-5)
    _, tangent = s2s.jvp(second)(x, v)
    np.testing.assert_allclose(tangent, expected, rtol=1e-5, atol=1e-7)
    third = s2s.grad(lambda z: np.sum(second(z) * v))(x)
    np.testing.assert_allclose(third, expected, rtol=1e-5, atol=1e-7)
