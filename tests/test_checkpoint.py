# ruff: noqa: B007  (the differentiated loops keep their loop variables, as users write them)
"""Checkpointed loops (``s2s.grad(f, checkpoint=...)``, issue 12): the gradients equal the taped
ones and central differences, the memory stays bounded, and what cannot be checkpointed is
refused at its line."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from gradcheck import fresh, numeric_gradient
from located import assert_located

import s2s
from s2s.runtime import checkpointing


def euler(x, v, dt, n):
    for i in range(n):
        a = -np.sin(x) - 0.1 * v
        x = x + dt * v
        v = v + dt * a
    return np.sum(x * x) + 0.5 * np.sum(v * v)


def rnn(h, W, U, xs):
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + np.dot(U, xs[t]))
    return np.sum(h * h)


def scalar_loop(s, c, n):
    for k in range(2, n, 3):
        s = s * np.cos(c * s) + 0.01 * k
    return s * s


def helper(x, dt, n):
    for i in range(n):
        x = x - dt * np.sin(x)
    return x


def calls_helper(x, dt, n):
    return np.sum(helper(x, dt, n) ** 2)


def helper_in_loop(x, dt, n):
    for k in range(n):
        x = helper(x, dt, 2) * 1.01
    return np.sum(x * x)


def while_helper(x):
    while np.sum(x) < 10.0:
        x = x * 2.0
    return x


def calls_while_helper(x):
    return np.sum(while_helper(x))


def calls_argument(x, g, n):
    return np.sum(g(x, 0.1, n))


def in_branch_reversed(x, w, n, flag):
    if flag:
        for i in range(n - 1, -1, -2):
            x = np.sin(w * x) + 0.01 * i
    else:
        x = x * w
    return np.sum(x * x)


def two_loops(x, w, n):
    total = 0.0
    for i in range(n):
        x = np.tanh(w * x)
    for j in range(n + 1):
        total = total + np.sum(x * np.cos(j * w))
    return total


def three_loops(x, w, n):
    for i in range(n):
        x = np.tanh(w * x)
    for j in range(n):
        x = np.sin(w * x)
    for k in range(n):
        x = x * np.cos(w)
    return np.sum(x)


def nested(x, w, n):
    for i in range(n):
        for j in range(3):
            x = np.sin(w * x) + 0.1 * j
    return np.sum(x)


def _pair(f, wrt, checkpoint):
    return fresh_grad(f, wrt, None), fresh_grad(f, wrt, checkpoint)


def fresh_grad(f, wrt, checkpoint):
    return s2s.grad(fresh(f), wrt=wrt, checkpoint=checkpoint)


def _close(a, b, rtol=1e-12):
    for p, q in zip(a if isinstance(a, tuple) else (a,), b if isinstance(b, tuple) else (b,)):
        np.testing.assert_allclose(p, q, rtol=rtol, atol=1e-13)
        assert np.asarray(p).dtype == np.asarray(q).dtype


@pytest.mark.parametrize("n", [0, 1, 2, 37, 1000])
@pytest.mark.parametrize("checkpoint", [1, 2, 3, 2000, "auto"])
def test_euler_equals_taped(n, checkpoint):
    rng = np.random.default_rng(n)
    x, v = rng.normal(size=4), rng.normal(size=4)
    if checkpoint == 1 and n == 1000:
        n = 300  # c = 1 recomputes quadratically: n^2 / 2 trips
    taped, ckpt = _pair(euler, (0, 1, 2), checkpoint)
    _close(ckpt(x, v, 0.01, n), taped(x, v, 0.01, n))


def test_euler_against_differences():
    x, v = np.array([0.3, -0.2]), np.array([0.1, 0.5])
    f = lambda x, v, dt: euler(x, v, dt, 37)  # noqa: E731
    g = s2s.grad(euler, wrt=(0, 1, 2), checkpoint=3)(x, v, 0.05, 37)
    for i in range(3):
        np.testing.assert_allclose(g[i], numeric_gradient(f, (x, v, 0.05), i), rtol=1e-6)


@pytest.mark.parametrize("checkpoint", [1, 3, "auto"])
def test_rnn_equals_taped_and_differences(checkpoint):
    rng = np.random.default_rng(1)
    h, W, U, xs = rng.normal(size=3), rng.normal(size=(3, 3)) / 2, rng.normal(size=(3, 2)), (
        rng.normal(size=(37, 2)))  # fmt: skip
    taped, ckpt = _pair(rnn, (0, 1, 2, 3), checkpoint)
    got = ckpt(h, W, U, xs)
    _close(got, taped(h, W, U, xs))
    for i in (1, 3):
        d = numeric_gradient(rnn, (h, W, U, xs), i)
        np.testing.assert_allclose(got[i], d, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("n", [0, 1, 2, 3, 37])
def test_scalar_state_and_invariant(n):
    taped, ckpt = _pair(scalar_loop, (0, 1), 2)
    _close(ckpt(0.7, 0.3, n), taped(0.7, 0.3, n))
    if n > 2:
        d = numeric_gradient(scalar_loop, (0.3 if False else 0.7, 0.3, n), 1)
        np.testing.assert_allclose(ckpt(0.7, 0.3, n)[1], d, rtol=1e-6)


@pytest.mark.parametrize("n", [0, 1, 6, 37])
def test_loop_in_a_branch_with_negative_step(n):
    x = np.linspace(0.1, 0.9, 4)
    taped, ckpt = _pair(in_branch_reversed, (0, 1), 3)
    _close(ckpt(x, 0.7, n, True), taped(x, 0.7, n, True))
    _close(ckpt(x, 0.7, n, False), taped(x, 0.7, n, False))
    d = numeric_gradient(lambda w: in_branch_reversed(x, w, n, True), (0.7,), 0)
    np.testing.assert_allclose(ckpt(x, 0.7, n, True)[1], d, rtol=1e-6, atol=1e-10)


def test_float32_stays_float32():
    x, v = np.linspace(0, 1, 5, dtype=np.float32), np.ones(5, np.float32)
    gx, gv, gdt = s2s.grad(euler, wrt=(0, 1, 2), checkpoint=4)(x, v, np.float32(0.01), 50)
    assert gx.dtype == gv.dtype == np.float32 and np.asarray(gdt).dtype == np.float32
    tx, tv, tdt = s2s.grad(fresh(euler), wrt=(0, 1, 2))(x, v, np.float32(0.01), 50)
    np.testing.assert_allclose(gx, tx, rtol=1e-5)


@pytest.mark.parametrize("f", [two_loops, three_loops, nested, helper_in_loop])
def test_two_loops_and_nested(f):
    x = np.linspace(0.1, 0.9, 4)
    taped, ckpt = _pair(f, (0, 1), 2)
    _close(ckpt(x, 0.7, 23), taped(x, 0.7, 23))
    d = numeric_gradient(f, (x, 0.7, 23), 1)
    np.testing.assert_allclose(ckpt(x, 0.7, 23)[1], d, rtol=1e-6)


@pytest.mark.parametrize("checkpoint", [2, "auto"])
def test_loop_in_a_helper_is_checkpointed(checkpoint):
    """A function of the user's that the differentiated one calls (by its global name, or
    passed as an argument) has its loops checkpointed too."""
    x = np.linspace(0.1, 0.9, 4)
    taped, ckpt = _pair(calls_helper, (0, 1), checkpoint)
    checkpointing.STATS.update(trip_vjps=0)
    _close(ckpt(x, 0.3, 41), taped(x, 0.3, 41))
    assert checkpointing.STATS["trip_vjps"] >= 6  # the helper's loop ran checkpointed
    assert f"_s2s.subderivative(helper, ('x', 'dt'), {checkpoint!r})" in ckpt.source
    np.testing.assert_allclose(ckpt(x, 0.3, 41)[1],
                               numeric_gradient(calls_helper, (x, 0.3, 41), 1), rtol=1e-6)
    by_argument = s2s.grad(fresh(calls_argument), checkpoint=checkpoint)
    checkpointing.STATS.update(trip_vjps=0)
    _close(by_argument(x, helper, 41), s2s.grad(fresh(calls_argument))(x, helper, 41))
    assert checkpointing.STATS["trip_vjps"] >= 6


def test_source_says_checkpointed():
    src = s2s.grad(fresh(euler), wrt=(0, 1), checkpoint=7).source
    assert "checkpointed: at most 7 snapshots of (x, v), trips recomputed in the adjoint " \
        "sweep (binomial schedule)" in src
    assert "_s2s.checkpointed(" in src
    assert "checkpointed" not in s2s.grad(fresh(euler), wrt=(0, 1)).source
    auto = s2s.grad(fresh(euler), wrt=(0, 1), checkpoint="auto").source
    assert "checkpointed: about sqrt(trips) snapshots of (x, v) and the tape of about " \
        "sqrt(trips) trips" in auto


def test_recomputation_and_snapshots_bounded():
    """Each trip runs forward at most r more times with c snapshots when beta(c, r) >= n."""
    x, v = np.ones(3), np.ones(3)
    for c, n in [(3, 200), (10, 1000), (2, 40)]:
        runs = 1
        while checkpointing.beta(c, runs) < n:
            runs += 1
        checkpointing.STATS.update(trips_run=0, trip_vjps=0, snapshots_held=0, trips_taped=0)
        s2s.grad(fresh(euler), wrt=(0,), checkpoint=c)(x, v, 0.01, n)
        assert checkpointing.STATS["trip_vjps"] == n
        assert checkpointing.STATS["trips_taped"] == 1
        assert checkpointing.STATS["trips_run"] <= (runs + 1) * n
        assert checkpointing.STATS["snapshots_held"] <= c


@pytest.mark.parametrize("n", [1, 2, 5, 37, 1000])
def test_auto_holds_sqrt_snapshots_and_trips(n):
    """"auto": about sqrt(n) snapshots and a tape of about sqrt(n) trips, each trip run once in
    the primal sweep and once in its stretch's VJP."""
    root = int(np.ceil(np.sqrt(n)))
    checkpointing.STATS.update(trips_run=0, trip_vjps=0, snapshots_held=0, trips_taped=0)
    s2s.grad(fresh(euler), wrt=(0,), checkpoint="auto")(np.ones(2), np.ones(2), 0.01, n)
    assert checkpointing.STATS["snapshots_held"] <= root
    assert checkpointing.STATS["trips_taped"] <= root
    assert checkpointing.STATS["trips_run"] <= n
    assert checkpointing.STATS["trip_vjps"] == -(-n // root)


def test_memory_far_below_taped():
    x, v = np.linspace(0, 1, 1000), np.zeros(1000)
    peaks = {}
    for checkpoint in (None, "auto"):
        g = s2s.grad(fresh(euler), wrt=(0, 1), checkpoint=checkpoint)
        g(x, v, 0.001, 10)  # generated before measuring
        tracemalloc.start()
        g(x, v, 0.001, 2000)
        peaks[checkpoint] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peaks["auto"] < 0.1 * peaks[None], peaks


def while_loop(x):
    while np.sum(x) < 10.0:
        x = x * 2.0
    return np.sum(x)


def breaks(x, n):
    for i in range(n):
        if np.sum(x) > 5.0:
            break
        x = x * 1.5
    return np.sum(x)


def writes(x, n):
    y = np.zeros(n)
    for i in range(n):
        y[i] = np.sum(x) * i
    return np.sum(y)


def appends(x, n):
    ys = []
    for i in range(n):
        ys.append(x * i)
    return np.sum(ys[-1])


def reads_index(x, n):
    i = 0
    for i in range(n):
        x = x * 1.01
    return np.sum(x) * i


def augmented(x, n):
    x = x * 1.0
    for i in range(n):
        x += np.sin(x)
    return np.sum(x)


def continues(x, n):
    for i in range(n):
        if i == 2:
            continue
        x = x * 1.5
    return np.sum(x)


def returns(x, n):
    for i in range(n):
        x = x * 1.5
        if np.sum(x) > 100.0:
            return np.sum(x)
    return np.sum(x)


def with_else(x, n):
    for i in range(n):
        x = x * 1.5
    else:
        x = x + 1.0
    return np.sum(x)


def unbound_state(x, n):
    for i in range(n):
        y = x * i
    return np.sum(y)


def copies(x, n):
    y = x * 1.0
    for i in range(n):
        np.copyto(y, np.sin(y))
    return np.sum(y)


def loop_in_nested_def(x, n):
    def inner(z):
        for i in range(n):
            z = z * 1.5
        return z

    return np.sum(inner(x))


def over_array(x):
    total = 0.0
    for row in x:
        total = total + np.sum(row)
    return total


def comprehension(x):
    return np.sum([np.sum(x * k) for k in range(3)])


def list_state(x, n):
    xs = [x, x * 2]
    for i in range(n):
        xs = [np.sin(xs[1]), xs[0] * 0.9]
    return np.sum(xs[0] + xs[1])


@pytest.mark.parametrize("f, args, construct, line, advice", [
    (while_loop, (np.ones(2),), "`while` loop", "while np.sum", "leave checkpoint= out"),
    (breaks, (np.ones(2), 4), "`break`", " break\n", "mask"),
    (writes, (np.ones(2), 4), "writes into an array", "y[i] =", "rebind a name"),
    (appends, (np.ones(2), 4), "writes into an array, list", "ys.append", "rebind a name"),
    (reads_index, (np.ones(2), 4), "loop variable `i` is read after", "for i in range(n)",
     "keep its last value"),
    (augmented, (np.ones(2), 4), "`x += ...` updates `x` in place", "x += np.sin",
     "write `x = x + ...`"),
    (continues, (np.ones(2), 4), "`continue`", " continue\n", "leave checkpoint= out"),
    (returns, (np.ones(2), 4), "`return`", "            return np.sum(x)", "mask"),
    (with_else, (np.ones(2), 4), "no `else:` clause", "x = x + 1.0", "after the loop"),
    (unbound_state, (np.ones(2), 4), "`y` is rebound in this checkpointed loop", "for i in range",
     "bind `y` before the loop"),
    (copies, (np.ones(2), 4), "writes into an array", "np.copyto", "rebind a name"),
    (loop_in_nested_def, (np.ones(2), 4), "a loop in a nested def", "        for i in range(n):",
     "move the loop out of the nested def"),
    (over_array, (np.ones((2, 2)),), "over range(...)", "for row in x", "range(len(xs))"),
    (comprehension, (np.ones(2),), "comprehension", "for k in range(3)", "for i in range(n)"),
    (list_state, (np.ones(2), 4), "`xs`, a list, is carried from trip to trip", "xs = [np.sin",
     "np.stack"),
])  # fmt: skip
def test_refusals_are_located(f, args, construct, line, advice):
    with pytest.raises(s2s.S2SError) as info:
        s2s.grad(f, checkpoint=3)(*args)
    assert construct in str(info.value)
    assert_located(info.value, f, line, advice)
    s2s.grad(fresh(f))(*args)  # without checkpoint=, it is differentiated


def test_list_state_refused_in_the_users_terms():
    """Was refused for a nested function reading the list (the rewrite's def of the trips,
    which the user never wrote), advising a new name (fresh-113)."""
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(list_state, checkpoint=2)(np.array([0.3, -0.4]), 5)
    assert "nested function" not in str(info.value) and "_array" not in str(info.value)


def integer_loops(x, n):
    m = n
    while m > 1:
        m = m // 2
    scale = sum([k for k in range(3)])
    for i in range(n):
        x = np.sin(x) * (1.0 + 0.01 * m * scale)
    return np.sum(x)


def test_loops_carrying_no_gradient_run_as_written():
    """A `while` loop and a comprehension of numbers only keep no tape: not refused."""
    x = np.linspace(0.1, 0.9, 4)
    taped, ckpt = _pair(integer_loops, 0, 3)
    _close(ckpt(x, 9), taped(x, 9))


def test_refusal_in_a_helper_is_located_there():
    with pytest.raises(s2s.UnsupportedSyntaxError, match="`while` loop") as info:
        s2s.grad(calls_while_helper, checkpoint="auto")(np.ones(2))
    assert_located(info.value, while_helper, "while np.sum", "leave checkpoint= out")


def scalar_x_loop(x):
    for i in range(3):
        x = np.sin(x)
    return np.sum(x)


def test_bad_values_and_modes():
    for bad in (0, -2, 1.5, "sqrt", True):
        with pytest.raises(s2s.UsageError, match="checkpoint must be"):
            s2s.grad(euler, checkpoint=bad)
    x = np.array([0.3, -0.2])
    calls = {s2s.jvp: (x, x), s2s.hvp: (x, x), s2s.hessian: (x,), s2s.jacobian: (x,)}
    for api, args in calls.items():  # fresh-113: each said "s2s.jvp: ..."
        with pytest.raises(s2s.UsageError, match="taken by s2s.grad, value_and_grad and vjp"):
            api(scalar_x_loop, checkpoint=3)(*args)
    inner = s2s.grad(fresh(scalar_loop), wrt=0, checkpoint=3)
    with pytest.raises(s2s.S2SError, match="differentiated again|higher order") as info:
        s2s.grad(inner)(0.7, 0.3, 5)
    assert "leave checkpoint= out of the inner derivative" in str(info.value)


def test_value_and_grad_and_vjp():
    x, v = np.array([0.3, -0.2]), np.array([0.1, 0.5])
    value, grads = s2s.value_and_grad(fresh(euler), wrt=(0, 1), checkpoint="auto")(x, v, 0.1, 9)
    assert value == pytest.approx(euler(x, v, 0.1, 9))
    _close(grads, s2s.grad(fresh(euler), wrt=(0, 1))(x, v, 0.1, 9))

    def trajectory(x, n):
        for _ in range(n):
            x = np.sin(x) * 1.1
        return x

    value, pullback = s2s.vjp(trajectory, checkpoint=2)(x, 11)
    ct = np.array([1.0, -2.0])
    _, taped = s2s.vjp(fresh(trajectory))(x, 11)
    _close(pullback(ct), taped(ct))
    _close(pullback(2 * ct), taped(2 * ct))  # a pullback may be called again


def test_readme_example_runs(tmp_path):
    """README.md's checkpointing example: its gradient equals the taped one."""
    import re
    import runpy

    from checkout import checkout_file

    text = checkout_file("README.md").read_text()
    block = re.search(r"trading recomputation for memory:\n\n```python\n(.*?)```", text, re.S)
    (tmp_path / "energy.py").write_text("import numpy as np\nimport s2s\n\n" + block.group(1))
    namespace = runpy.run_path(str(tmp_path / "energy.py"))  # defines energy and g
    args = (np.linspace(0, 1, 5), np.ones(5), 1.5, 0.01, 300)
    taped = s2s.grad(namespace["energy"], wrt=("x", "v", "k"))(*args)
    _close(namespace["g"](*args), taped)


def draws(x, n):
    rng = np.random.default_rng(0)
    for i in range(n):
        x = x + 0.1 * rng.normal(size=x.shape) * x
    return np.sum(x)


def test_random_draw_in_trips_refused():
    with pytest.raises(s2s.UnsupportedSyntaxError, match="draws random numbers") as info:
        s2s.grad(draws, checkpoint=2)(np.ones(3), 4)
    assert_located(info.value, draws, "rng.normal(", "draw the random numbers before the loop")
