"""The per-call path of a derivative object: a repeated call takes a cached specialization only
when everything the specialization depends on is unchanged (dtypes, shapes, numpy's error
state, the cache epoch), and every argument check still happens."""

import types

import numpy as np
import pytest
from gradcheck import along

import s2s
import s2s.pipeline


def dead_log(x):
    unused = np.log(x - 10.0)  # noqa: F841 - dead, but it must raise under np.errstate(invalid=...)
    return np.sum(x * x)


def square_sum(x, y):
    return np.sum(x * x * y)


def count_generations(monkeypatch):
    calls = []
    real = s2s.pipeline.generate

    def counting(*args, **kwargs):
        calls.append(args[0].__name__)
        return real(*args, **kwargs)

    monkeypatch.setattr(s2s.pipeline, "generate", counting)
    return calls


def test_a_raising_error_state_after_cached_calls_keeps_the_dead_computation():
    d = s2s.grad(dead_log)
    x = np.array([1.0, 2.0])
    for _ in range(3):  # the later calls take the cached specialization
        np.testing.assert_allclose(d(x), 2 * x)
    with np.errstate(invalid="raise"), pytest.raises(FloatingPointError):
        d(x)
    with np.errstate(invalid="ignore"):
        np.testing.assert_allclose(d(x), 2 * x)
    np.testing.assert_allclose(d(x), 2 * x)


def test_a_new_dtype_or_shape_after_cached_calls_gets_its_own_specialization():
    d = s2s.grad(square_sum)
    x, y = np.arange(3.0), np.ones(3)
    for _ in range(2):
        assert d(x, y).dtype == np.float64
    g32 = d(x.astype(np.float32), y.astype(np.float32))
    assert g32.dtype == np.float32
    np.testing.assert_allclose(d(np.arange(4.0), np.ones(4)), 2 * np.arange(4.0))
    np.testing.assert_allclose(d(x, 2.0), 4 * x)  # a Python float where an array was
    np.testing.assert_allclose(d(x, 2.0), 4 * x)


def test_one_array_calls_alternating_dtype_shape_and_error_state_each_get_theirs():
    """A call of one array is served by the entry of the latest call only when its dtype,
    shape and error state are the latest's (CallCache.latest): alternating them, every call
    gets the specialization of its own dtype, shape and strictness, and a raising state still
    raises."""
    d = s2s.grad(dead_log)
    x2, x3 = np.array([1.0, 2.0]), np.array([1.0, 2.0, 3.0])
    arrays = [x2, x3, x2.astype(np.float32), x2, x3, x3.astype(np.float32), x3.astype(np.float32)]
    made = {}  # (dtype, shape, strict) -> the generated code its first call got

    def served(x, strict):
        made.setdefault((x.dtype, x.shape, strict), d._latest)
        assert d._latest is made[x.dtype, x.shape, strict]

    for x in arrays + arrays[::-1]:  # each after the others, and twice in a row
        np.testing.assert_allclose(d(x), 2 * x)
        served(x, False)
    for x in arrays:
        d(x)
        with np.errstate(invalid="raise"), pytest.raises(FloatingPointError):
            d(x)
        served(x, True)
        with np.errstate(all="ignore"):  # another state object, not strict
            for _ in range(2):
                np.testing.assert_allclose(d(x), 2 * x)
                served(x, False)
            with np.errstate(invalid="raise"), pytest.raises(FloatingPointError):
                d(x)
            served(x, True)
    assert len(made) == 8 and len(set(map(id, made.values()))) == 8
    d(x2)
    before = d._latest
    s2s.api.clear_cache()  # a new epoch: what the latest call got is not served again
    for _ in range(3):
        np.testing.assert_allclose(d(x2), 2 * x2)
        assert d._latest is not before


def test_argument_checks_still_run_after_cached_calls():
    d = s2s.grad(square_sum)
    x, y = np.arange(3.0), np.ones(3)
    d(x, y)
    d(x, y)
    with pytest.raises(s2s.DtypeError):
        d(np.arange(3), y)  # integers have no gradient
    with pytest.raises(TypeError):
        d(x)  # a missing argument, as calling the function itself would


def test_cached_calls_generate_nothing_and_clear_cache_generates_again(monkeypatch):
    s2s.api.clear_cache(square_sum)  # other tests here differentiate it too
    calls = count_generations(monkeypatch)
    d = s2s.grad(square_sum)
    x, y = np.arange(3.0), np.ones(3)
    for _ in range(5):
        d(x, y)
    assert calls == ["square_sum"]
    s2s.api.clear_cache(square_sum)
    d(x, y)
    d(x, y)
    assert calls == ["square_sum", "square_sum"]


def one_sum(x):
    return np.sum(x * x)


def test_repeated_one_array_calls_and_clear_cache_generate_again(monkeypatch):
    """The latest one-array call's entry, tested before any lookup, is dropped by clear_cache
    (the epoch) like the entries are."""
    s2s.api.clear_cache(one_sum)
    calls = count_generations(monkeypatch)
    d = s2s.grad(one_sum)
    x = np.arange(3.0)
    for _ in range(4):
        np.testing.assert_array_equal(d(x), 2 * x)
    assert calls == ["one_sum"]
    s2s.api.clear_cache(one_sum)
    for _ in range(3):
        d(x)
    assert calls == ["one_sum", "one_sum"]


@pytest.mark.parametrize("wrt", [0, (0,)])
def test_a_non_finite_gradient_of_one_array_is_reported_after_repeated_calls(wrt):
    """A gradient returned as an array or as a tuple of one array: a NaN found by the check
    that follows the latest one-array call's entry is still reported, every time."""
    d = s2s.grad(lambda x: np.sum(np.sqrt(x)), wrt=wrt)
    x, zero = np.ones(2), np.array([0.0, 1.0])
    for _ in range(3):
        d(x)
    for _ in range(2):
        with pytest.warns(s2s.NonFiniteGradientWarning), np.errstate(divide="ignore"):
            d(zero)
        d(x)


def test_value_and_grad_and_vjp_through_the_cached_path():
    vg = s2s.value_and_grad(square_sum, wrt=(0, 1))
    x, y = np.arange(3.0), np.full(3, 2.0)
    for _ in range(2):
        value, (gx, gy) = vg(x, y)
        assert value == pytest.approx(10.0)
        np.testing.assert_allclose(gx, 2 * x * y)
        np.testing.assert_allclose(gy, x * x)
    vjp = s2s.vjp(lambda x: x * x)
    for _ in range(2):
        value, pullback = vjp(x)
        np.testing.assert_allclose(pullback(np.ones(3)), 2 * x)


def test_a_non_finite_gradient_is_still_reported_after_cached_calls():
    d = s2s.grad(lambda x: np.sum(np.sqrt(x)))
    d(np.ones(2))
    d(np.ones(2))
    with pytest.warns(s2s.NonFiniteGradientWarning):
        d(np.array([0.0, 1.0]))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.longdouble])
@pytest.mark.parametrize("shape", [(), (1,), (5,), (4, 6), (25,), (30, 40)])
def test_the_non_finite_check_finds_every_bad_entry(shape, dtype):
    from s2s.reverse.nonfinite import finite

    good = np.full(shape, 3.0, dtype)
    assert finite(good)
    assert finite(good.T) and (good.ndim < 2 or finite(good[:, ::2]))  # views too
    for bad in (np.nan, np.inf, -np.inf):
        for index in {0, good.size // 2, good.size - 1}:
            x = good.copy()
            x.reshape(-1)[index] = bad
            assert not finite(x), (bad, index)
            assert not finite(x.T)


def test_a_few_huge_finite_entries_are_finite():
    """Their Python sum overflows to infinity: the check then looks at each entry."""
    from s2s.reverse.nonfinite import finite

    assert finite(np.full(5, 1e308)) and finite(np.array([1e308, -1e308, 1e308, 1e308]))
    assert finite(np.full((2, 3), 3e38, np.float32)) and finite(np.full(4, 6e4, np.float16))
    assert not finite(np.array([1e308, 1e308, np.nan])) and not finite(np.array([np.inf, -np.inf]))


OPS = types.SimpleNamespace(act=np.tanh, inner=types.SimpleNamespace(act=np.tanh))


def through_ops(x):
    return np.sum(OPS.act(x) + OPS.inner.act(x))


@pytest.mark.parametrize("path", ["OPS.act", "OPS.inner.act", "OPS"])
def test_a_call_target_changed_after_cached_calls_is_seen(monkeypatch, path):
    d = s2s.grad(through_ops)
    x = np.array([0.1, 0.5])
    for _ in range(3):
        np.testing.assert_allclose(d(x), 2 / np.cosh(x) ** 2)
    if path == "OPS":  # the global itself rebound
        new = types.SimpleNamespace(act=np.sin, inner=types.SimpleNamespace(act=np.sin))
        monkeypatch.setitem(globals(), "OPS", new)
        want = 2 * np.cos(x)
    else:
        monkeypatch.setattr(OPS if path == "OPS.act" else OPS.inner, "act", np.sin)
        want = np.cos(x) + 1 / np.cosh(x) ** 2
    for _ in range(2):
        np.testing.assert_allclose(d(x), want)
    monkeypatch.undo()
    np.testing.assert_allclose(d(x), 2 / np.cosh(x) ** 2)


def test_a_removed_call_target_after_cached_calls_fails_as_the_function_would(monkeypatch):
    d = s2s.grad(through_ops)
    x = np.array([0.1, 0.5])
    d(x)
    d(x)
    monkeypatch.delattr(OPS.inner, "act")
    with pytest.raises(AttributeError):
        through_ops(x)
    with pytest.raises((AttributeError, s2s.NoRuleError)):  # never the old target
        d(x)


def test_a_closure_target_changed_after_cached_calls_is_seen():
    act = np.tanh

    def f(x):
        return np.sum(act(x))

    d = s2s.grad(f)
    x = np.array([0.1, 0.5])
    d(x)
    np.testing.assert_allclose(d(x), 1 / np.cosh(x) ** 2)
    act = np.sin  # noqa: F841 - read by f through its closure
    np.testing.assert_allclose(d(x), np.cos(x))


def test_the_guard_answers_as_the_full_check():
    from s2s.frontend.resolve import Target, target_guard, targets_unchanged

    cases = [
        [Target(OPS.act, "global", "OPS", ("act",))],
        [Target(OPS.inner.act, "global", "OPS", ("inner", "act"))],
        [Target(OPS, "global", "OPS", ())],
        [Target(np.sin, "global", "OPS", ("act",))],  # no longer what it names
        [Target(np.sin, "global", "OPS", ("missing",))],
        [Target(np.sin, "global", "NOT_A_GLOBAL", ())],
        [Target(len, "builtin", "len", ())],
        [Target(abs, "builtin", "len", ())],
    ]
    for targets in cases:
        assert target_guard(through_ops, targets)() == targets_unchanged(through_ops, targets)
    assert target_guard(through_ops, [t for c in cases[:3] + cases[6:7] for t in c])()
    # one global's targets are checked as a group (a target read on several lines, once): any
    # stale or missing member, or a second object for the same path, fails the group
    for mixed in ([0, 1, 2, 0, 1], [0, 3], [1, 4], [2, 0, 3, 1], [0, 1, 5], [3, 3]):
        targets = [cases[i][0] for i in mixed]
        assert target_guard(through_ops, targets)() == targets_unchanged(through_ops, targets)
        assert target_guard(through_ops, targets)() == all(i in (0, 1, 2) for i in mixed)


def test_a_non_finite_warning_after_cached_calls_points_at_the_caller():
    d = s2s.grad(lambda x: np.sum(np.sqrt(x)))
    d(np.ones(2))
    d(np.ones(2))
    with pytest.warns(s2s.NonFiniteGradientWarning) as seen:
        d(np.array([0.0, 1.0]))
    ours = [w for w in seen if issubclass(w.category, s2s.NonFiniteGradientWarning)]
    assert len(ours) == 1 and ours[0].filename == __file__


def weighted_loss(w, x):
    return np.sum(np.tanh(x @ w) ** 2) + 1e-3 * np.sum(w * w * x[0])


def test_fresh_composite_objects_reuse_the_generated_code(monkeypatch):
    """``s2s.hvp(f)(w, x, v)`` written inline (a new object per call, README's example) finds
    the code an equal earlier object generated, as a fresh ``s2s.grad(f)`` does: the shared
    cache is keyed by ``f`` and the chain of derivatives above it (user report r11). Another
    ``wrt`` or other options generate again."""
    s2s.api.clear_cache(weighted_loss)
    calls = count_generations(monkeypatch)
    rng = np.random.default_rng(0)
    w, x, v = rng.normal(size=3), rng.normal(size=(4, 3)), rng.normal(size=3)
    made = {
        "hvp": lambda: s2s.hvp(weighted_loss)(w, x, v),
        "hessian": lambda: s2s.hessian(weighted_loss)(w, x),
        "jacobian of grad": lambda: s2s.jacobian(s2s.grad(weighted_loss))(w, x),
        "jvp of grad": lambda: s2s.jvp(s2s.grad(weighted_loss))(w, x, v),
        "hessp": lambda: s2s.hessp(weighted_loss)(w, v, x),
    }
    for name, call in made.items():
        first = call()
        before = len(calls)
        assert before > 0, name
        for _ in range(3):
            again = call()
            assert len(calls) == before, (name, calls[before:])
            for a, b in zip(np.atleast_1d(first), np.atleast_1d(again)):
                np.testing.assert_array_equal(a, b)
    hv = s2s.hvp(weighted_loss)(w, x, v)
    expected = along(lambda y: s2s.grad(weighted_loss)(y, x), w, v, 1e-5)
    np.testing.assert_allclose(hv, expected, rtol=1e-6, atol=1e-8)
    before = len(calls)
    s2s.hvp(weighted_loss, wrt=1)(w, x, np.ones_like(x))  # another wrt: its own code
    assert len(calls) > before
    before = len(calls)
    s2s.hvp(weighted_loss, undefined="nan")(w, x, v)  # other options: their own code
    assert len(calls) > before
    before = len(calls)
    s2s.hvp(weighted_loss, undefined="nan")(w, x, v)
    assert len(calls) == before
