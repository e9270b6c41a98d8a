"""Branches and loops inside differentiated functions, against central differences (issue 3,
first part: if/elif/else, early returns, for over ranges and sequences, reversed ranges, lists
and arrays, while, break, continue, for/else, nested loops). A selection of a buffer carried
around a loop does not mask the entries a later trip reaches."""

import re

import numpy as np
import pytest
from gradcheck import check_against_differences as check
from gradcheck import numeric_gradient as numeric
from located import assert_located

import s2s

RNG = np.random.default_rng(7)


# -- branches ---------------------------------------------------------------------------------


def branches(x, s):
    if s > 1.0:
        y = x * s
    elif s > 0.0:
        y = np.sin(x) * s
    else:
        y = np.exp(x)
    if np.any(x > 2.0):
        y = y * 2.0
    if x[0] < x[1]:
        y = y + x[0]
    return np.sum(y * y)


@pytest.mark.parametrize("s", [1.5, 0.5, -1.0])
def test_if_elif_else_on_data(s):
    check(branches, RNG.normal(size=3), s, wrt=(0, 1))


def early_return(x, s):
    if s > 0.0:
        return np.sum(x * s)
    y = np.tanh(x)
    if s < -1.0:
        return np.sum(y)
    return np.sum(y * y)


@pytest.mark.parametrize("s", [0.5, -2.0, -0.5])
def test_early_and_multiple_returns(s):
    check(early_return, RNG.normal(size=3), s, wrt=(0, 1))


# -- for loops --------------------------------------------------------------------------------


def rnn(w, b, x):
    h = np.zeros(3)
    for t in range(x.shape[0]):
        h = np.tanh(w * h + x[t] + b)
    return np.sum(h * h)


def test_recurrence_over_range():
    check(rnn, RNG.normal(size=3), RNG.normal(size=3), RNG.normal(size=(5, 3)), wrt=(0, 1, 2))


def triangle(x, n):
    total = 0.0
    for i in range(n):
        for j in range(i + 1):
            total = total + x[i] * x[j]
    return total


@pytest.mark.parametrize("n", [0, 1, 4])
def test_nested_loops_with_bounds_from_data_and_the_outer_index(n):
    check(triangle, RNG.normal(size=4), n)


def rows(x, w):
    total = 0.0
    for row in x:
        total = total + np.sum(np.tanh(row @ w))
    for i, row in enumerate(x):
        total = total + np.sum(row * i)
    for a, c in zip(x, w):
        total = total + np.sum(a * c)
    return total


def test_for_over_arrays_enumerate_and_zip():
    check(rows, RNG.normal(size=(3, 3)), RNG.normal(size=3), wrt=(0, 1))


def accumulate_parameter(h, b):
    for _ in range(4):
        h = h + b
    return np.sum(h * h)


def test_loop_carried_adjoint_lent_to_a_parameter():
    check(accumulate_parameter, RNG.normal(size=3), RNG.normal(size=3), wrt=(0, 1))


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


# -- while, break, continue, for/else ---------------------------------------------------------


def grow(x, limit):
    y = x * 1.0
    while np.sum(y) < limit:
        y = y * 1.5 + 0.1
    return np.sum(y * y)


@pytest.mark.parametrize("limit", [0.0, 5.0, 40.0])
def test_while_with_a_data_dependent_trip_count(limit):
    check(grow, np.abs(RNG.normal(size=3)) + 0.5, limit)


def jumps(x):
    total = 0.0
    for i in range(6):
        if x[i % 3] > 0.5:
            continue
        total = total + np.sin(x[i % 3]) * i
        if total > 2.0:
            break
    else:
        total = total * 3.0
    return total


@pytest.mark.parametrize("x", [[0.1, 0.9, 0.3], [0.7, 0.8, 0.9], [1.5, 1.4, 1.3], [0.2, 0.3, 0.4]])
def test_break_continue_and_for_else(x):
    check(jumps, np.array(x))


# -- the other derivatives and dtypes ---------------------------------------------------------


def sequence(x):
    out = x * 1.0
    for k in range(3):
        out = np.sin(out) + x * k
    return out


def test_vjp_through_a_loop_can_pull_back_twice():
    x = RNG.normal(size=4)
    value, pullback = s2s.vjp(sequence)(x)
    np.testing.assert_allclose(value, sequence(x))
    ct = RNG.normal(size=4)
    first, second = pullback(ct), pullback(ct)
    np.testing.assert_array_equal(first, second)
    expected = numeric(lambda z: float(np.sum(sequence(z) * ct)), (x,), 0)
    np.testing.assert_allclose(first, expected, rtol=1e-6, atol=1e-8)


def test_float32_through_a_loop():
    w, b, x = (
        a.astype(np.float32)
        for a in (RNG.normal(size=3), RNG.normal(size=3), RNG.normal(size=(4, 3)))
    )
    gw = s2s.grad(rnn)(w, b, x)
    assert gw.dtype == np.float32
    g64 = s2s.grad(rnn)(w.astype(float), b.astype(float), x.astype(float))
    np.testing.assert_allclose(gw, g64, rtol=1e-4, atol=1e-5)


def test_the_generated_loop_reads_as_the_primal():
    source = s2s.grad(rnn).source
    assert "for t in range(" in source
    assert "(reversed)" in source  # a range loop's trips are recounted, not taped
    assert "tape.append(t)" not in source
    assert "h = tape.pop()" in source


# -- conditional expressions and boolean operators ----------------------------------------------


def choices(x, s):
    y = x * s if s > 0.0 else np.cos(x)
    scale = s > 1.0 and s or 2.0
    z = (x[0] > 0.0 or x[1] > 0.0) and np.sum(x * y) or np.sum(y)
    return np.sum(y) * scale + z


@pytest.mark.parametrize("s", [1.5, 0.5, -1.0])
def test_conditional_expressions_and_boolean_operators(s):
    check(choices, RNG.normal(size=3), s, wrt=(0, 1))


# -- what the tape holds ----------------------------------------------------------------------


def rebinds_only(x, n):
    y = x * 2.0
    z = x * 1.0
    for _ in range(n):
        z = y  # only rebinds: the adjoint needs no old value of z
    return np.sum(z * x)


def shapes_only(x, b, n):
    h = x * 1.0
    for _ in range(n):
        h = h + b  # the adjoint of + reads h and b only for their shapes
    return np.sum(h)


def pushed(source: str) -> list[str]:
    return [line.strip() for line in source.splitlines() if "tape.append(" in line]


def test_a_loop_that_only_rebinds_saves_no_values():
    x = RNG.normal(size=3)
    check(rebinds_only, x, 4)
    values = [p for p in pushed(s2s.grad(rebinds_only).source) if "trips" not in p]
    assert all("(None)" in p or "like(" in p for p in values), values


def test_a_loop_that_needs_only_shapes_saves_shapes():
    x, b = RNG.normal(size=3), RNG.normal(size=(2, 3))
    check(shapes_only, x, b, 3, wrt=(0, 1))
    source = s2s.grad(shapes_only, wrt=(0, 1)).source
    assert "tape.append(_s2s.like(h))" in source
    assert "tape.append(h)" not in source


def while_or(a):
    x, n = a, 0
    while n < 1 or x < 5.0:
        x = x * x + a
        n += 1
    return x


def newton_sqrt(a):
    x, it = a, 0
    while np.abs(x * x - a) > 1e-12 and it < 50:
        x = 0.5 * (x + a / x)
        it += 1
    return x


def while_break(a):
    x = a
    while x < 100.0:
        x = x * 2.0 + 1.0
        if x > 20.0:
            break
    return x


@pytest.mark.parametrize("f, a", [(while_or, 2.5), (while_or, 0.5), (while_break, 1.0)])
def test_while_tests_with_and_or_and_a_break(f, a):
    check(f, a)


def test_newton_iterations_give_the_derivative_of_the_root():
    assert s2s.grad(newton_sqrt)(2.0) == pytest.approx(0.5 / np.sqrt(2.0), rel=1e-10)


def nested_iteration(xs, ys):
    total = 0.0
    for i, (x, y) in enumerate(zip(xs, ys)):
        total = total + np.sum(x * y) * i
    for (a, b), c in zip(zip(xs, ys), ys):
        total = total + np.sum(a * b * c)
    return total


def test_enumerate_and_zip_nested_in_the_loop_target():
    check(nested_iteration, RNG.normal(size=(3, 2)), RNG.normal(size=(3, 2)), wrt=(0, 1))


def first_over_one(x, w):
    acc = 0.0
    for i in range(x.shape[0]):
        acc = acc + x[i] * w
        if acc > 1.0:
            return acc * 2.0
    return acc


def nested_return(x):
    for i in range(3):
        for j in range(3):
            if x[i] * j > 1.0:
                return x[i] * j
    return np.sum(x)


@pytest.mark.parametrize(
    "f, args",
    [
        (first_over_one, (np.array([0.3, 0.5, 0.9]), 1.2)),
        (first_over_one, (np.array([0.1, 0.2, 0.1]), 0.5)),
        (nested_return, (np.array([0.2, 0.7, 0.1]),)),
        (nested_return, (np.array([0.2, 0.3, 0.1]),)),
    ],
)
def test_return_inside_loops(f, args):
    check(f, *args, wrt=tuple(range(len(args))))


def returns_in_loop_else(x, a):
    s = a
    for v in x:
        s = s * v
    else:
        return s * 3.0
    return s + 1.0


def test_return_in_a_loop_else_block_is_refused_not_ignored():
    with pytest.raises(s2s.UnsupportedSyntaxError, match="loop's `else:` block") as info:
        s2s.grad(returns_in_loop_else)(np.ones(3), 0.5)
    assert_located(info.value, returns_in_loop_else, 5)


# -- what generation knows of each adjoint buffer inside loops and branches (s2s/flow.py) ------


def rnn_like(w, u, x):
    h = np.zeros(w.shape[0])
    total = 0.0
    for t in range(x.shape[0]):
        h = np.tanh(w @ h + u * x[t])
        total = total + np.sum(h * h)
    return total


def test_loop_bodies_add_without_runtime_tests_and_leaf_gradients_in_place():
    args = (RNG.normal(size=(3, 3)) * 0.5, RNG.normal(size=3), RNG.normal(size=5))
    check(rnn_like, *args, wrt=(0, 1))
    source = s2s.grad(rnn_like, wrt=(0, 1)).source
    loop = source[source.index(", -1, -1):") :]  # the reversed loop
    assert "d_w += " in loop and "d_u += " in loop  # owned buffers, added in place
    assert "d_w = _s2s.zeros_like_acc(w)" in source  # made before the reversed loop
    assert "is not None" not in loop  # every buffer's state is known: no guards
    assert loop.count("_s2s.add(") == 1  # only d_h: None in the first reversed step


def test_a_loop_that_runs_zero_times_gives_zero_gradients_of_the_leaf_dtype():
    w, u = np.eye(2, dtype=np.float32), np.ones(2, dtype=np.float32)
    gw, gu = s2s.grad(rnn_like, wrt=(0, 1))(w, u, np.zeros(0, dtype=np.float32))
    assert gw.dtype == np.float32 and gu.dtype == np.float32
    np.testing.assert_array_equal(gw, np.zeros((2, 2)))
    np.testing.assert_array_equal(gu, np.zeros(2))


def sometimes(x, w):
    total = 0.0
    for i in range(x.shape[0]):
        if x[i] > 0.0:
            total = total + np.sum(w * x[i])
        else:
            total = total * 0.5
    return total + np.sum(w)


def test_contributions_in_some_steps_only_join_with_the_steps_without():
    w = RNG.normal(size=3)
    for x in (np.array([0.5, -1.0, 2.0, -0.3]), np.array([-1.0, -2.0]), np.array([1.0])):
        check(sometimes, x, w, wrt=(0, 1))


def running_loss(w, x):
    h = np.zeros(w.shape[0])
    total = 0.0
    for t in range(x.shape[0]):
        h = np.tanh(w @ h + x[t])
        total = total + np.mean(h * h)
    return total / x.shape[0]


def dead_but_failing(x, y):
    unused = np.sum(x + y)  # noqa: F841  (x and y may not broadcast: this line must raise)
    return np.sum(x * 2.0)


def test_grad_skips_values_no_adjoint_reads_but_keeps_what_may_raise():
    """In grad, the loss itself is never read by the adjoint: the running total and the mean
    are not computed (a full reduction and scalar arithmetic cannot raise), the gradient is
    unchanged, value_and_grad still computes the value, and a dead line that may raise runs."""
    rng = np.random.default_rng(3)
    w, x = 0.5 * rng.standard_normal((4, 4)), rng.standard_normal((6, 4))
    source = s2s.grad(running_loss, wrt=0).source
    primal = "\n".join(
        line for line in source.split("# adjoint sweep")[0].splitlines() if "#" not in line
    )
    assert "_np.mean" not in primal and "total + " not in primal and "check_scalar" not in source
    (grad,) = check(running_loss, w, x, wrt=0)
    np.testing.assert_allclose(s2s.grad(running_loss, wrt=0)(w, x), grad, rtol=1e-14)
    assert "_np.mean" in s2s.value_and_grad(running_loss, wrt=0).source
    with pytest.raises(ValueError, match="broadcast"):
        s2s.grad(dead_but_failing)(np.ones(3), np.ones(4))


def rows_in_loops(w, xs):
    h = np.zeros(w.shape[0])
    for t in range(xs.shape[0]):
        row = xs[t]
        for k in range(2):
            col = w[k]
            h = np.tanh(w @ h + row * col[0])
        if t % 2 == 0:
            h = h * 0.5
    return np.sum(h * h)


def test_rows_of_parameters_are_recomputed_not_taped():
    """``row = xs[t]`` in a loop: the adjoint takes ``xs[t]`` again for each reversed trip,
    so the tape holds the index (a small int) instead of one view object per trip."""
    rng = np.random.default_rng(8)
    w, xs = 0.4 * rng.standard_normal((3, 3)), rng.standard_normal((5, 3))
    check(rows_in_loops, w, xs, wrt=(0, 1))
    source = s2s.grad(rows_in_loops, wrt=(0, 1)).source
    assert "tape.append(row)" not in source and "tape.append(col)" not in source
    adjoint = source.split("# adjoint sweep")[1]
    assert "row = xs[t]" in adjoint and "col = w[k]" in adjoint


def _squash(z, a):
    return np.tanh(a * z)


def overwrites_its_argument_by_a_helper(w, n):
    for _ in range(n):
        w = _squash(w, 1.0)
    return np.sum(w)


def overwrites_its_argument_by_a_nested_def(w, n):
    a = 1.0

    def inner(z):
        return np.tanh(a * z)

    for _ in range(n):
        w = inner(w)
        a = a + 0.5
    return np.sum(w)


@pytest.mark.parametrize(
    "f", [overwrites_its_argument_by_a_helper, overwrites_its_argument_by_a_nested_def]
)
@pytest.mark.parametrize("n", [1, 3])
def test_an_argument_a_loop_rebinds_to_a_helpers_value_keeps_its_gradients_type(f, n):
    # the tape kept only a shape record of `w` (the adjoint reads only its shape), so the
    # reversed loop restored a record, and _s2s.gradient(d_w, w, ...) summed the gradient
    # into a scalar: the caller's own argument is kept for the return's cast
    w = np.linspace(-1.0, 1.0, 3)
    (g,) = check(f, w, n, wrt=(0,))
    assert g.shape == (3,)
    g32 = s2s.grad(f)(w.astype(np.float32), n)
    assert g32.dtype == np.float32 and g32.shape == (3,)


def def_in_each_arm(w, c):
    if c:

        def f(z):
            return z * z

    else:

        def f(z):
            return np.sin(z)

    return np.sum(f(w) + f(2.0 * w))


def def_in_each_arm_reading_other_values(w, c):
    a = 2.0
    b = 3.0
    if c:

        def f(z):
            return z * a

    else:

        def f(z):
            return np.sin(z) * b

    return np.sum(f(w))


@pytest.mark.parametrize("c", [True, False])
def test_a_def_in_each_arm_of_an_if_is_the_one_called_after_it(c):
    # each arm's def binds the one name the call reads (before, the second def had its own
    # name, which the first arm never bound: UnboundLocalError)
    check(def_in_each_arm, np.linspace(-1.0, 1.0, 3), c, wrt=(0,))
    with pytest.raises(s2s.S2SError) as info:
        s2s.grad(def_in_each_arm_reading_other_values)(np.linspace(-1.0, 1.0, 3), c)
    assert_located(
        info.value, def_in_each_arm_reading_other_values, 10, "give each def its own name"
    )


def kalman_filter(logq, logr, ys):
    q, r = np.exp(logq), np.exp(logr)
    m, p, nll = 0.0, 1.0, 0.0
    for t in range(len(ys)):
        p = p + q
        s = p + r
        v = ys[t] - m
        nll = nll + np.log(s) + v * v / s
        m = m + p / s * v
        p = p - p * p / s
    return 0.5 * nll


def test_a_carried_adjoint_is_not_copied_over_tape_pops():
    """``p = p - p * p / s`` in a loop: the adjoint of ``p`` is ``d_p`` throughout its block
    (no ``d_subtract_1 = d_p ... d_p = d_subtract_1`` around the tape pop), and the gradient
    agrees with central differences."""
    ys = np.cumsum(np.random.default_rng(3).standard_normal(12))
    check(kalman_filter, np.array(-1.0), np.array(-0.5), ys, wrt=(0, 1))
    derivative = s2s.grad(kalman_filter, wrt=(0, 1))
    derivative(np.array(-1.0), np.array(-0.5), ys)  # specialized on these shapes and dtypes
    source = derivative.source
    copies = re.findall(r"^\s*(d_\w+) = (d_\w+)$", source, re.MULTILINE)
    assert copies == [], copies


# -- selections carried around a loop ---------------------------------------------------------


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
