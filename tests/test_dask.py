"""Derivatives of Dask arrays: every rule row on small chunks, laziness, chunks, control flow.

Each row of the registry-driven rule test (``tests/rows/``) runs again with its float arrays
as Dask arrays in chunks of 2 along every axis, so every reduction crosses chunks. The
gradients must be Dask arrays with their inputs' chunks, built without computing anything
(a scheduler that raises is installed while the derivative runs), and equal numpy's to 1e-10.
Rules that cannot run on Dask raise :class:`s2s.NamespaceError` at generation (README,
"Backends").
"""

from __future__ import annotations

import contextlib

import gradcheck as gc
import numpy as np
import pytest
import rows
from checkout import checkout_file
from located import assert_located

import s2s
from s2s import registry

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")

CHUNK = 2

# Rules whose derivative cannot run on Dask: the primal or its adjoint needs an operation
# dask.array lacks. Each raises NamespaceError naming the line (README, "Backends").
NOT_ON_DASK = {
    np.sort: "dask.array has no sort",
    np.median: "the adjoint needs argsort",
    np.unique: "the adjoint needs unique's inverse",
    np.linalg.det: "dask.array.linalg has no det",
    np.linalg.slogdet: "dask.array.linalg has no slogdet",
    np.linalg.eigh: "dask.array.linalg has no eigh",
    np.linalg.eigvalsh: "dask.array.linalg has no eigvalsh",
    np.linalg.svd: "dask's svd takes one tall-and-skinny matrix",
    np.linalg.svdvals: "dask.array.linalg has no svdvals",
    np.argsort: "dask.array has no argsort",
    np.array_equal: "dask.array has no array_equal",
    np.right_shift: "dask.array has no right_shift",
    np.searchsorted: "dask.array has no searchsorted",
}

# Indices of unknown length (Dask knows a nonzero's length only by computing): the adjoint's
# scatter-add needs it, and says so.
UNKNOWN_LENGTHS = {np.flatnonzero}


def to_dask(value):
    """A float ndarray as a Dask array in chunks of ``CHUNK``; anything else unchanged."""
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return da.from_array(value, chunks=CHUNK)
    if isinstance(value, tuple):
        return tuple(to_dask(v) for v in value)
    return value


@contextlib.contextmanager
def nothing_computed():
    """Fail on any computation: a Dask scheduler that raises."""

    def forbid(*args, **kwargs):
        raise AssertionError("the derivative computed a Dask graph; it must stay lazy")

    with dask.config.set(scheduler=forbid):
        yield


def computed(value):
    if isinstance(value, da.Array):
        return value.compute(scheduler="sync")
    if isinstance(value, tuple):
        return tuple(computed(v) for v in value)
    return value


def assert_close(got, expected, what):
    got, expected = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    assert got.shape == expected.shape, f"{what}: shape {got.shape}, not {expected.shape}"
    scale = max(1.0, float(np.max(np.abs(expected), initial=0.0)))
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-10 * scale, err_msg=what)


def _params(table):
    return [pytest.param(row, id=row.id) for row in table]


def _plain_on_dask(row, dargs):
    """How the plain function (no s2s) fares on the Dask arguments: ``None`` when it builds
    its graph lazily, ``"computes"`` when it computes (``float(x.sum())``), or the exception
    Dask raises (a function Dask cannot run: ``np.linalg.inv`` of small chunks)."""
    try:
        with nothing_computed(), np.errstate(all="ignore"):
            row.fn(*dargs)
    except AssertionError:
        return "computes"
    except Exception as exc:  # noqa: BLE001 - whatever Dask raises, s2s must raise too
        return exc
    return None


# The plain function on Dask warns where Dask falls back to numpy (it then computes).
@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.parametrize("row", _params(rows.USER_FACING))
def test_rule_on_dask(row):
    """The row's vjp on Dask inputs: lazy, chunked like the inputs, equal to numpy's; or a
    located NamespaceError; or, where Dask itself cannot run the function, Dask's error."""
    rng, args = row.draw()
    with np.errstate(all="ignore"):
        value, pullback = s2s.vjp(row.fn, wrt=row.wrt)(*args)
        if isinstance(value, tuple):
            ct = tuple(gc.random_like(rng, v) for v in value)
        else:
            ct = gc.random_like(rng, value)
        expected = pullback(ct)
    dargs = [to_dask(a) for a in args]
    derivative = s2s.vjp(row.fn, wrt=row.wrt)
    plain = _plain_on_dask(row, dargs)
    lazily = nothing_computed() if plain is None else contextlib.nullcontext()
    try:
        with lazily, np.errstate(all="ignore"):
            dvalue, dpullback = derivative(*dargs)
            grads = dpullback(to_dask(ct))
    except s2s.NamespaceError as exc:  # refused when generating, at the line: never run
        assert exc.where is not None and exc.where.lineno, f"{row.id}: refusal names no line"
        return
    except Exception as exc:  # s2s follows Dask: where Dask fails, the same error, located
        unknown = row.key in UNKNOWN_LENGTHS and "compute_chunk_sizes" in str(exc)
        assert unknown or isinstance(plain, type(exc)), f"{row.id}: s2s raised {exc!r}"
        notes = getattr(exc, "__notes__", [])
        assert any("s2s: raised by" in n for n in notes), f"{row.id}: no note names the line"
        return
    assert row.key not in NOT_ON_DASK, f"{row.id}: listed as refused on Dask, but it ran"
    for i, g in zip(row.wrt, grads):
        if isinstance(dargs[i], da.Array):
            assert isinstance(g, da.Array), f"gradient of argument {i}: {type(g)}"
            assert g.chunks == dargs[i].chunks, f"gradient of argument {i}: chunks {g.chunks}"
            assert g.dtype == dargs[i].dtype
    with np.errstate(all="ignore"):
        got = computed(tuple(grads))
        got_value = computed(dvalue)
    for i, g, e in zip(row.wrt, got, expected):
        assert_close(g, e, f"{row.id}: gradient of argument {i}")
    values = got_value if isinstance(value, tuple) else (got_value,)
    for v, e in zip(values, value if isinstance(value, tuple) else (value,)):
        assert_close(v, e, f"{row.id}: value")


def test_every_unsupported_rule_is_registered():
    """The table of rules refused on Dask names registered rules only."""
    rules = registry.builtin_rules()
    assert all(key in rules for key in NOT_ON_DASK)


# -- laziness and chunks ------------------------------------------------------------------------


def mlp_loss(w1, b1, w2, x, y):
    h = np.tanh(x @ w1 + b1)
    z = h @ w2
    return np.mean((z - y) ** 2) + 0.1 * np.sum(w1 * w1)


def test_gradients_are_lazy_dask_arrays_with_the_inputs_chunks():
    """Calling the derivative computes nothing (counted by a callback); computing the
    gradients gives numpy's; each gradient has its input's chunks."""
    from dask.callbacks import Callback

    rng = np.random.default_rng(0)
    args = [rng.normal(size=s) for s in [(6, 4), (4,), (4, 3), (10, 6), (10, 3)]]
    expected = s2s.grad(mlp_loss, wrt=(0, 1, 2))(*args)
    dargs = [da.from_array(a, chunks=3) for a in args]
    starts = []

    class Count(Callback):
        def _start(self, dsk):
            starts.append(len(dsk))

    with Count():
        grads = s2s.grad(mlp_loss, wrt=(0, 1, 2))(*dargs)
    assert starts == []  # nothing was computed
    for g, a in zip(grads, dargs):
        assert isinstance(g, da.Array) and g.chunks == a.chunks
    with Count():
        got = dask.compute(*grads, scheduler="sync")
    assert len(starts) == 1  # one computation for all three
    for g, e in zip(got, expected):
        assert_close(g, e, "gradient")


def test_a_reduction_over_chunks_is_a_tree_of_partial_sums():
    """np.sum over a chunked axis: the gradient's graph is built from chunk-wise pieces, as
    Dask builds the primal's (no single task sees the whole array)."""
    x = da.from_array(np.arange(12.0).reshape(6, 2), chunks=(2, 2))
    g = s2s.grad(lambda x: np.sum(np.sin(x) * x))(x)
    assert g.numblocks == x.numblocks
    expected = np.cos(np.arange(12.0).reshape(6, 2)) * np.arange(12.0).reshape(6, 2)
    expected += np.sin(np.arange(12.0).reshape(6, 2))
    assert_close(g.compute(), expected, "gradient")


def test_dask_and_numpy_arguments_mix_as_numpy_mixes_them():
    """A numpy constant beside a Dask array gives Dask; the numpy argument's gradient is Dask
    too (it was computed there); numpy arguments alone stay numpy."""
    rng = np.random.default_rng(1)
    w, x = rng.normal(size=3), rng.normal(size=(4, 3))
    g_w, g_x = s2s.grad(lambda w, x: np.sum(np.tanh(x @ w)), wrt=(0, 1))(w, da.from_array(x))
    assert isinstance(g_x, da.Array) and isinstance(g_w, da.Array)
    e_w, e_x = s2s.grad(lambda w, x: np.sum(np.tanh(x @ w)), wrt=(0, 1))(w, x)
    assert_close(g_w.compute(), e_w, "w")
    assert_close(g_x.compute(), e_x, "x")


def weight_in_a_loop(w, c, x):
    s = 0.0
    for k in range(3):
        s = s + np.sum(np.tanh(x @ w) * c * k)
    return s


def weight_in_a_while_loop(w, c, x):
    s = 0.0
    k = 0
    while k < 3:
        s = s + np.sum(np.tanh(x @ w + c) ** 2)
        k = k + 1
    return s


@pytest.mark.parametrize("f", [weight_in_a_loop, weight_in_a_while_loop])
@pytest.mark.parametrize("mode", ["grad", "vjp"])
def test_a_numpy_weight_and_a_float_differentiated_in_a_loop_on_dask_data(f, mode):
    """The cotangent of a numpy weight (and of a Python float) is a numpy zero buffer before a
    loop; each iteration adds a Dask term. Added in place (`d_w += ...`, numpy's `out=`), Dask
    raised NotImplementedError; the sum is now a new array each time, lazy, and numpy's."""
    rng = np.random.default_rng(6)
    w, c, x = rng.normal(size=(3, 2)), 0.7, rng.normal(size=(6, 3))
    expected = s2s.grad(f, wrt=(0, 1))(w, c, x)
    with nothing_computed():
        if mode == "grad":
            grads = s2s.grad(f, wrt=(0, 1))(w, c, to_dask(x))
        else:
            grads = s2s.vjp(f, wrt=(0, 1))(w, c, to_dask(x))[1](1.0)
    assert isinstance(grads[0], da.Array) and grads[0].shape == w.shape
    assert isinstance(grads[1], da.Array) and grads[1].shape == ()
    for g, e, what in zip(grads, expected, ("w", "c")):
        assert_close(computed(g), e, what)


def test_the_generated_source_says_where_dask_adds_functionally():
    def pick(x, i):
        return np.sum(x[i] ** 2)

    derivative = s2s.grad(pick)
    x = np.arange(6.0)
    numpy_source = (derivative(x, np.array([0, 2, 2])), derivative.source)[1]
    assert "_np.add.at(" in numpy_source
    g = derivative(da.from_array(x, chunks=2), np.array([0, 2, 2]))
    assert "# dask: no in-place scatter-add, so a new array" in derivative.source
    assert "_s2s.scatter_add(" in derivative.source and "_np.add.at" not in derivative.source
    assert_close(g.compute(), [0.0, 0.0, 8.0, 0.0, 0.0, 0.0], "gradient")


# -- control flow -------------------------------------------------------------------------------


def _control_flow_cases():
    import test_control_flow as cf

    rng = np.random.default_rng(5)
    n = rng.normal
    return [
        ("branches", cf.branches, (n(size=3), 0.5), (0, 1)),
        ("early-return", cf.early_return, (n(size=3), -0.5), (0, 1)),
        ("rnn", cf.rnn, (n(size=3), n(size=3), n(size=(5, 3))), (0, 1, 2)),
        ("triangle", cf.triangle, (n(size=4), 4), (0,)),
        ("for-over-rows", cf.rows, (n(size=(3, 3)), n(size=3)), (0, 1)),
        ("loop-carried", cf.accumulate_parameter, (n(size=3), n(size=3)), (0, 1)),
        ("while", cf.grow, (np.abs(n(size=3)) + 0.5, 5.0), (0,)),
        ("break-continue", cf.jumps, (np.array([0.1, 0.9, 0.3]),), (0,)),
        ("choices", cf.choices, (n(size=3), 0.5), (0, 1)),
        ("nested-iteration", cf.nested_iteration, (n(size=(3, 2)), n(size=(3, 2))), (0, 1)),
        ("rnn-like", cf.rnn_like, (0.5 * n(size=(3, 3)), n(size=3), n(size=5)), (0, 1)),
        ("sometimes", cf.sometimes, (n(size=4), n(size=4)), (0, 1)),
    ]


@pytest.mark.parametrize("name, f, args, wrt", _control_flow_cases(), ids=lambda v: v)
def test_control_flow_on_dask(name, f, args, wrt):
    """The control-flow tests' functions on Dask arrays: numpy's gradients to 1e-10. A branch
    on data reads a value (Dask computes it, as the plain function would)."""
    expected = s2s.grad(f, wrt=wrt)(*args)
    got = s2s.grad(f, wrt=wrt)(*[to_dask(a) for a in args])
    for i, g, e in zip(wrt, got, expected):
        if isinstance(args[i], np.ndarray):
            assert isinstance(g, da.Array)
        assert_close(computed(g), e, f"{name}: gradient of argument {i}")


def test_a_taped_loop_stays_lazy():
    """A loop whose tape saves overwritten values: the taped values are Dask arrays, and the
    derivative computes nothing."""
    import test_control_flow as cf

    rng = np.random.default_rng(2)
    args = (rng.normal(size=3), rng.normal(size=3), rng.normal(size=(6, 3)))
    expected = s2s.grad(cf.rnn, wrt=(0, 1, 2))(*args)
    with nothing_computed():
        grads = s2s.grad(cf.rnn, wrt=(0, 1, 2))(*[to_dask(a) for a in args])
    for g, e in zip(grads, expected):
        assert_close(computed(g), e, "gradient")


# -- the examples' derivatives ------------------------------------------------------------------


def _example(name):
    import importlib.util

    path = checkout_file(f"examples/{name}.py")  # a skip outside the source checkout
    spec = importlib.util.spec_from_file_location(f"example_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _example_cases():
    rng = np.random.default_rng(3)
    n = rng.normal
    x = n(size=(12, 4))
    series = np.sin(np.linspace(0.0, 3.0, 40)).reshape(8, 5, 1)
    return [
        ("logistic_regression", "objective", (n(size=4), 0.1, x, (x[:, 0] > 0) * 1.0, 0.01),
         ("w", "b")),
        ("rosenbrock", "rosenbrock", (n(size=7),), 0),
        ("rnn_sequence", "loss",
         (0.3 * n(size=(1, 3)), 0.3 * n(size=(3, 3)), n(size=3), n(size=(3, 1)), n(size=1),
          series[:-1], series[1:]), (0, 1, 2, 3, 4)),
        ("pendulum_fit", "loss", (np.array([1.2, 0.3]), 0.5, n(size=30) * 0.1, 0.02, 9.81),
         "params"),
    ]  # fmt: skip


@pytest.mark.parametrize("name, fn, args, wrt", _example_cases(), ids=lambda v: v)
def test_example_derivatives_on_dask(name, fn, args, wrt):
    """Each example's differentiated function on Dask arrays: numpy's gradient to 1e-10."""
    f = getattr(_example(name), fn)
    expected = s2s.value_and_grad(f, wrt=wrt)(*args)
    value, grads = s2s.value_and_grad(f, wrt=wrt)(*[to_dask(a) for a in args])
    assert_close(computed(value), expected[0], f"{name}: value")
    pairs = zip(grads, expected[1]) if isinstance(wrt, tuple) else [(grads, expected[1])]
    for g, e in pairs:
        assert isinstance(g, da.Array)
        assert_close(computed(g), e, f"{name}: gradient")


def test_train_mlp_on_dask_stops_where_dask_does():
    """train_mlp's `logp[np.arange(n), y]` indexes with two arrays, which Dask cannot do: the
    derivative raises Dask's error with a note naming that line, as the plain loss raises it."""
    f = _example("train_mlp").loss
    rng = np.random.default_rng(4)
    args = [rng.normal(size=s) for s in [(5, 4), (4,), (4, 3), (3,), (6, 5)]]
    args = [to_dask(a) for a in args] + [rng.integers(0, 3, size=6)]
    with pytest.raises(NotImplementedError) as plain:
        f(*args)
    with pytest.raises(type(plain.value)) as info:
        s2s.grad(f, wrt=(0, 1, 2, 3))(*args)
    assert any("logp[np.arange(x.shape[0]), y]" in n for n in info.value.__notes__)


def sorted_total(x):
    y = np.sort(x)
    return np.sum(y * np.arange(4.0))


def test_an_operation_dask_lacks_is_refused_at_its_line():
    with pytest.raises(s2s.NamespaceError) as info:
        s2s.grad(sorted_total)(da.from_array(np.arange(4.0), chunks=2))
    assert "`np.sort` cannot run on dask arrays: dask.array has no `sort`" in str(info.value)
    assert_located(info.value, sorted_total, 1)
    assert ".compute()" in info.value.advice


def test_forward_mode_and_higher_order_are_refused_on_dask():
    """They run on numpy arrays only: a located NamespaceError, never a wrong answer."""

    def f(x):
        return np.sum(np.sin(x) * x)

    x = to_dask(np.linspace(0.1, 1.0, 6))
    with pytest.raises(s2s.NamespaceError, match="forward mode") as info:
        s2s.jvp(f)(x, x)
    assert info.value.where is not None and info.value.where.lineno
    with pytest.raises(s2s.NamespaceError, match="derivative of a derivative"):
        s2s.grad(lambda x: np.sum(s2s.grad(f)(x)))(x)


def dask_spelled_logistic(w, X, y):
    z = da.dot(X, w)
    p = 1.0 / (1.0 + da.exp(-z))
    loss = -da.mean(y * da.log(p) + (1.0 - y) * da.log1p(-p))
    penalty = da.sum(da.maximum(w, 0.0) ** 2) + da.sum(da.tanh(da.concatenate([w, w])))
    return loss + 0.1 * penalty


def numpy_spelled_logistic(w, X, y):
    z = np.dot(X, w)
    p = 1.0 / (1.0 + np.exp(-z))
    loss = -np.mean(y * np.log(p) + (1.0 - y) * np.log1p(-p))
    penalty = np.sum(np.maximum(w, 0.0) ** 2) + np.sum(np.tanh(np.concatenate([w, w])))
    return loss + 0.1 * penalty


def test_dask_array_functions_take_numpys_rules():
    """``da.exp``, ``da.mean``, ``da.concatenate`` ... are differentiated by numpy's rules of the
    same name (registry.numpy_twin), never by reading dask's source."""
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(12, 3)), (rng.random(12) > 0.5) * 1.0
    w = np.array([0.2, -0.4, 0.3])
    g = s2s.grad(dask_spelled_logistic)(w, to_dask(X), to_dask(y))
    assert isinstance(g, da.Array)
    expected = s2s.grad(numpy_spelled_logistic)(w, X, y)
    np.testing.assert_allclose(g.compute(), expected, rtol=1e-12, atol=1e-14)
    fd = gc.numeric_gradient(numpy_spelled_logistic, (w, X, y), 0)
    np.testing.assert_allclose(expected, fd, rtol=1e-6, atol=1e-8)
    assert registry.numpy_twin(da.exp) is np.exp and registry.numpy_twin(da.linalg.inv) is None


def dask_inverse_total(A):
    return da.sum(da.linalg.inv(A))


def test_a_dask_function_without_a_numpy_twin_is_refused_with_numpys_name():
    with pytest.raises(s2s.NoRuleError, match="dask.array.linalg.inv") as info:
        s2s.grad(dask_inverse_total)(to_dask(np.eye(4) * 2.0))
    assert_located(info.value, dask_inverse_total, 1, "call numpy's function of that name")
