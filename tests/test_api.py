"""The contract of every derivative object (DESIGN.md section 1): wrt, forms, types, caching."""

import inspect
import pickle
import subprocess
import sys
import threading
from pathlib import Path

import fixtures_funcs as fx
import numpy as np
import pytest

import s2s
import s2s.api

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
X = np.array([0.1, -0.4, 0.7])
Y = np.array([1.5, 0.25, -2.0])


def sech2(x):
    return 1.0 - np.tanh(x) ** 2


def entries_of(derivative):
    """The cached specializations of ``derivative`` (one per abstract signature)."""
    per_function = s2s.api._CACHE[derivative.primal]
    stores = [store for store in per_function.values() if isinstance(store, dict)]
    return {key: gen for store in stores for key, gen in store["entries"].items()}


# -- wrt ----------------------------------------------------------------------------------------


def test_wrt_int_default_is_first_positional():
    g = s2s.grad(fx.two_args)(X, Y)
    np.testing.assert_allclose(g, Y + sech2(X))
    assert isinstance(g, np.ndarray) and g.shape == X.shape


def test_wrt_int_second():
    np.testing.assert_allclose(s2s.grad(fx.two_args, wrt=1)(X, Y), X)


def test_wrt_name_returns_one_gradient():
    g = s2s.grad(fx.two_args, wrt="y")(X, Y)
    assert isinstance(g, np.ndarray)
    np.testing.assert_allclose(g, X)


def test_wrt_tuple_in_wrt_order():
    gy, gx = s2s.grad(fx.two_args, wrt=("y", 0))(X, Y)
    np.testing.assert_allclose(gy, X)
    np.testing.assert_allclose(gx, Y + sech2(X))


def test_wrt_length_one_tuple_returns_tuple():
    out = s2s.grad(fx.two_args, wrt=(1,))(X, Y)
    assert isinstance(out, tuple) and len(out) == 1
    np.testing.assert_allclose(out[0], X)
    out = s2s.grad(fx.two_args, wrt=("x",))(X, Y)
    assert isinstance(out, tuple) and len(out) == 1


def test_wrt_negative_int_counts_from_the_end():
    ga, gb, gc = (np.ones(2), np.ones(2), np.ones(2))
    g = s2s.grad(fx.three_args, wrt=-1)(ga, gb, gc)
    np.testing.assert_array_equal(g, [4.0, 4.0])
    g2, g3 = s2s.grad(fx.three_args, wrt=(-2, -1))(ga, gb, gc)
    np.testing.assert_array_equal(g2, [3.0, 3.0])
    np.testing.assert_array_equal(g3, [4.0, 4.0])


def test_wrt_keyword_only_by_name():
    w = np.array([2.0, 3.0, -1.0])
    g = s2s.grad(fx.with_kwonly, wrt="w")(X, w=w, scale=2.0)
    np.testing.assert_allclose(g, 2.0 * np.tanh(X))
    gx, gw = s2s.grad(fx.with_kwonly, wrt=("x", "w"))(X, w=w)
    np.testing.assert_allclose(gx, w * sech2(X))
    np.testing.assert_allclose(gw, np.tanh(X))


def test_wrt_keyword_only_python_float_by_name():
    g = s2s.grad(fx.with_kwonly, wrt="scale")(X, w=Y, scale=3.0)
    assert type(g) is np.float64
    assert g == pytest.approx(np.sum(np.tanh(X) * Y))


@pytest.mark.parametrize(
    "func, wrt",
    [
        (fx.two_args, (0, 0)),  # duplicate
        (fx.two_args, ("x", 0)),  # duplicate through name and position
        (fx.two_args, 2),  # out of range
        (fx.two_args, -3),  # out of range, negative
        (fx.with_varargs, "rest"),  # *args
        (fx.with_varargs, "options"),  # **kwargs
        (fx.with_varargs, 1),  # *args is not a positional slot
        (fx.two_args, "z"),  # unknown name
        (fx.two_args, True),  # bool is not a position
        (fx.two_args, (0, False)),
        (fx.two_args, ()),  # empty
        (fx.two_args, 0.0),  # not an int
        (fx.with_kwonly, 1),  # keyword-only parameters are chosen by name only
    ],
)
def test_bad_wrt_raises_at_grad_time(func, wrt):
    with pytest.raises(s2s.WrtError) as info:
        s2s.grad(func, wrt=wrt)
    assert isinstance(info.value, TypeError)
    assert isinstance(info.value, s2s.S2SError)
    assert "fixtures_funcs.py:" in str(info.value)
    assert "Advice" in str(info.value)


@pytest.mark.parametrize("factory", [s2s.value_and_grad, s2s.vjp])
def test_bad_wrt_raises_for_every_factory(factory):
    with pytest.raises(s2s.WrtError):
        factory(fx.two_args, wrt=(1, 1))


# -- forms ---------------------------------------------------------------------------------------


def test_decorator_without_arguments():
    assert isinstance(fx.dec_loss, s2s.Derivative)
    np.testing.assert_allclose(fx.dec_loss(X), np.tanh(X) + X * sech2(X))


def test_decorator_with_arguments():
    assert fx.dec_loss_w.wrt == "w"
    np.testing.assert_allclose(fx.dec_loss_w(X, Y), np.tanh(X))


def test_decorated_value_and_grad():
    value, (gx, gw) = fx.dec_value_and_grad(X, Y)
    assert value == pytest.approx(np.sum(X * Y))
    np.testing.assert_allclose(gx, Y)
    np.testing.assert_allclose(gw, X)


def test_value_and_grad_single():
    value, g = s2s.value_and_grad(fx.tanh_sum)(X)
    assert value == pytest.approx(np.sum(np.tanh(X)))
    np.testing.assert_allclose(g, sech2(X))


def test_value_and_grad_has_aux():
    (loss, aux), g = s2s.value_and_grad(fx.with_aux, has_aux=True)(X)
    h = np.tanh(X)
    assert loss == pytest.approx(np.sum(h * h))
    np.testing.assert_allclose(aux, h)
    np.testing.assert_allclose(g, 2 * h * sech2(X))


def test_value_and_grad_with_scipy_minimize():
    optimize = pytest.importorskip("scipy.optimize")
    f = s2s.value_and_grad(fx.rosen)
    result = optimize.minimize(f, np.zeros(4), jac=True, method="BFGS")
    assert result.success
    np.testing.assert_allclose(result.x, np.ones(4), atol=1e-4)


def test_vjp_value_and_pullback_twice():
    value, pullback = s2s.vjp(fx.vector_out)(X)
    np.testing.assert_allclose(value, 2.0 * np.tanh(X))
    ct = np.array([1.0, -2.0, 0.5])
    first = pullback(ct)
    second = pullback(ct)
    np.testing.assert_allclose(first, 2.0 * ct * sech2(X))
    np.testing.assert_array_equal(first, second)
    assert not np.shares_memory(first, second)
    other = pullback(np.ones(3))
    np.testing.assert_allclose(other, 2.0 * sech2(X))


def test_vjp_several_wrt():
    value, pullback = s2s.vjp(lambda a, b: a * b + a, wrt=(0, 1))(X, Y)
    ga, gb = pullback(np.ones(3))
    np.testing.assert_allclose(ga, Y + 1.0)
    np.testing.assert_allclose(gb, X)


# -- signature, binding, attributes ----------------------------------------------------------


@pytest.mark.parametrize("factory", [s2s.grad, s2s.value_and_grad, s2s.vjp])
@pytest.mark.parametrize("func", [fx.two_args, fx.with_kwonly, fx.with_default, fx.with_varargs])
def test_signature_is_the_primals(factory, func):
    d = factory(func)
    expected = inspect.signature(func)
    for sig in (inspect.signature(d), d.__signature__):
        assert list(sig.parameters) == list(expected.parameters)
        for name, param in sig.parameters.items():
            assert param.kind == expected.parameters[name].kind
            assert param.default is expected.parameters[name].default  # the same objects


def test_default_applied_and_is_the_functions_own_object():
    g = s2s.grad(fx.with_default, wrt=0)
    np.testing.assert_array_equal(g(X), fx.DEFAULT_W)
    saved = fx.DEFAULT_W.copy()
    try:
        fx.DEFAULT_W[...] = [5.0, 6.0, 7.0]  # the default object itself, changed in place
        np.testing.assert_array_equal(g(X), [5.0, 6.0, 7.0])
    finally:
        fx.DEFAULT_W[...] = saved


def test_default_wrt_by_name():
    g = s2s.grad(fx.with_default, wrt="w")(X)
    np.testing.assert_array_equal(g, X)


def test_binds_keywords_like_python():
    g = s2s.grad(fx.two_args, wrt=1)
    np.testing.assert_allclose(g(y=Y, x=X), X)
    np.testing.assert_allclose(g(X, y=Y), X)
    with pytest.raises(TypeError):
        g(X)  # missing y: Python's own binding error
    with pytest.raises(TypeError):
        g(X, Y, Y)


def test_attributes():
    d = s2s.grad(fx.two_args, wrt=("x", 1))
    assert d.primal is fx.two_args
    assert d.wrt == ("x", 1)
    assert d.mode == "grad"
    assert s2s.value_and_grad(fx.two_args).mode == "value_and_grad"
    assert s2s.vjp(fx.two_args).mode == "vjp"
    assert d.__name__ == "two_args"
    src = d.source
    assert isinstance(src, str) and "def " in src and "return" in src
    compile(src, "<test>", "exec")


def test_source_function():
    d = s2s.grad(fx.tanh_sum)
    assert s2s.source(d) == d.source
    assert "tanh" in s2s.source(d)
    m = fx.Model(1.0)
    assert s2s.source(m.loss_grad) == fx.Model.loss_grad.source
    with pytest.raises(TypeError):
        s2s.source(fx.tanh_sum)


def square_sum(x):
    return np.sum(x * x)


def test_function_attributes_do_not_overwrite_the_derivative():
    square_sum.mode = "vjp"
    square_sum.options = {}
    square_sum.primal = None
    try:
        g = s2s.grad(square_sum)
        assert g.mode == "grad" and g.primal is square_sum
        np.testing.assert_array_equal(g(np.array([1.0, 2.0])), [2.0, 4.0])
    finally:
        del square_sum.mode, square_sum.options, square_sum.primal


# -- gradient types ------------------------------------------------------------------------------


def test_python_float_gives_float64():
    g = s2s.grad(fx.tanh_sum)(0.5)
    assert type(g) is np.float64
    assert g == pytest.approx(sech2(0.5))


def test_float32_scalar_gives_float32():
    g = s2s.grad(fx.tanh_sum)(np.float32(0.5))
    assert type(g) is np.float32
    assert g == pytest.approx(sech2(0.5), rel=1e-6)


def test_zero_d_array_gives_new_zero_d_array():
    x = np.array(0.5)
    g = s2s.grad(fx.tanh_sum)(x)
    assert type(g) is np.ndarray and g.ndim == 0 and g.dtype == np.float64
    assert g is not x and not np.shares_memory(g, x)
    assert float(g) == pytest.approx(sech2(0.5))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("shape", [(3,), (2, 3), (1,)])
def test_ndarray_same_shape_and_dtype(dtype, shape):
    x = np.linspace(-1, 1, int(np.prod(shape))).reshape(shape).astype(dtype)
    g = s2s.grad(fx.tanh_sum)(x)
    assert type(g) is np.ndarray and g.shape == shape and g.dtype == dtype
    rtol = 1e-2 if dtype == np.float16 else 1e-5
    np.testing.assert_allclose(g.astype(float), sech2(x.astype(float)), rtol=rtol)


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
@pytest.mark.parametrize(
    "make",
    [
        lambda: np.matrix([[1.0, 2.0]]),
        lambda: np.ma.masked_array([1.0, 2.0], mask=[False, True]),
    ],
    ids=["matrix", "masked"],  # a list is a parameter container: tests/test_containers.py
)
def test_array_likes_raise_dtype_error(make):
    value = make()
    with pytest.raises(s2s.DtypeError) as info:
        s2s.grad(fx.tanh_sum)(value)
    assert isinstance(info.value, TypeError)
    assert "np.asarray" in str(info.value)
    assert "fixtures_funcs.py:" in str(info.value)


def test_a_tuple_argument_gets_a_tuple_of_gradients_of_its_items_types():
    g = s2s.grad(fx.tanh_sum)((1.0, np.float32(2.0)))
    assert type(g) is tuple and type(g[0]) is np.float64 and type(g[1]) is np.float32
    np.testing.assert_allclose(g, 1.0 - np.tanh(np.array([1.0, 2.0])) ** 2, rtol=1e-6)
    with pytest.raises(s2s.DtypeError, match=r"argument `x\[1\]` is an integer"):
        s2s.grad(fx.tanh_sum)((1.0, 2))


@pytest.mark.parametrize(
    "value",
    [np.array([1, 2, 3]), np.array([True, False, True]), 3, True, np.int32(4), np.uint8(1)],
    ids=["int-array", "bool-array", "int", "bool", "int32", "uint8"],
)
def test_integer_wrt_raises_before_running(value):
    before = len(fx.CALLS)
    with pytest.raises(s2s.DtypeError) as info:
        s2s.grad(fx.counted)(value)
    assert len(fx.CALLS) == before  # the primal did not run
    message = str(info.value)
    assert "`x`" in message
    assert "allow_int" in message
    assert isinstance(info.value, TypeError)


def test_allow_int_gives_float64_zeros():
    g = s2s.grad(fx.two_args, wrt=(0, 1), allow_int=True)(X, np.array([1, 2, 3]))
    np.testing.assert_allclose(g[0], np.array([1, 2, 3]) + sech2(X))
    assert g[1].dtype == np.float64 and g[1].shape == (3,)
    np.testing.assert_array_equal(g[1], 0.0)
    scalar = s2s.grad(fx.two_args, wrt=1, allow_int=True)(X, 2)
    assert type(scalar) is np.float64 and scalar == 0.0


@pytest.mark.parametrize(
    "value", [np.array([1.0 + 2.0j]), 1.0 + 1.0j, np.complex64(1.0)], ids=["array", "py", "c64"]
)
def test_complex_not_supported_yet(value):
    with pytest.raises(s2s.DtypeError, match="not supported yet"):
        s2s.grad(fx.tanh_sum)(value)


# -- disconnected --------------------------------------------------------------------------------


def test_disconnected_zero_is_default():
    gx, gy = s2s.grad(fx.only_first, wrt=(0, 1))(X, Y)
    np.testing.assert_allclose(gx, sech2(X))
    assert gy.shape == Y.shape and gy.dtype == Y.dtype
    np.testing.assert_array_equal(gy, 0.0)
    assert not np.shares_memory(gy, Y)


def test_disconnected_zero_scalar():
    gy = s2s.grad(fx.only_first, wrt=1, disconnected="zero")(X, 2.0)
    assert type(gy) is np.float64 and gy == 0.0


def test_disconnected_none():
    gx, gy = s2s.grad(fx.only_first, wrt=(0, 1), disconnected="none")(X, Y)
    np.testing.assert_allclose(gx, sech2(X))
    assert gy is None


def test_disconnected_warn():
    with pytest.warns(UserWarning, match="`y`"):
        gx, gy = s2s.grad(fx.only_first, wrt=(0, 1), disconnected="warn")(X, Y)
    np.testing.assert_array_equal(gy, np.zeros(3))


def test_disconnected_raise():
    with pytest.raises(s2s.DisconnectedGradientError) as info:
        s2s.grad(fx.only_first, wrt=(0, 1), disconnected="raise")(X, Y)
    assert isinstance(info.value, ValueError)
    assert "`y`" in str(info.value) and "fixtures_funcs.py:" in str(info.value)


def test_disconnected_bad_option():
    with pytest.raises(ValueError):
        s2s.grad(fx.only_first, disconnected="ignore")


# -- methods -------------------------------------------------------------------------------------


def test_methods_self_is_position_zero():
    m = fx.Model(3.0)
    np.testing.assert_allclose(m.loss_grad(X), 3.0 * sech2(X))
    np.testing.assert_allclose(m.loss_grad_by_name(X), 2 * 3.0 * X)
    assert isinstance(fx.Model.__dict__["loss_grad"], s2s.Derivative)
    assert fx.Model.loss_grad is fx.Model.__dict__["loss_grad"]  # __get__ on the class
    np.testing.assert_allclose(fx.Model.loss_grad(m, X), 3.0 * sech2(X))


def test_method_wrt_self_is_refused():
    d = s2s.grad(fx.Model.loss_grad.primal, wrt=0)
    with pytest.raises(s2s.DtypeError):
        d(fx.Model(1.0), X)


# -- pickling ------------------------------------------------------------------------------------


def test_pickle_module_level_derivative_by_name():
    payload = pickle.dumps(fx.dec_loss)
    assert b"dec_loss" in payload
    assert pickle.loads(payload) is fx.dec_loss


def test_pickle_other_derivatives_round_trip():
    cases = [
        (fx.module_level_grad, (X, Y)),
        (s2s.grad(fx.two_args, wrt="y", disconnected="none"), (X, Y)),
        (s2s.value_and_grad(fx.with_aux, has_aux=True), (X,)),
    ]
    for d, args in cases:
        clone = pickle.loads(pickle.dumps(d))
        assert clone is not d and isinstance(clone, s2s.Derivative)
        assert clone.primal is d.primal and clone.wrt == d.wrt and clone.mode == d.mode
        assert clone.options == d.options
        np.testing.assert_equal(clone(*args), d(*args))


# -- reentrancy and threads ----------------------------------------------------------------------


def test_threads_get_their_own_results():
    def racing(x, y):  # fresh: the threads also race to generate it
        return np.sum(x * y + np.tanh(x))

    d = s2s.grad(racing, wrt=(0, 1))
    inputs = [(np.full(50, i / 10.0), np.full(50, -i / 7.0)) for i in range(16)]
    results = [None] * len(inputs)
    barrier = threading.Barrier(8)

    def work(k):
        barrier.wait()
        for j in range(k % 8, len(inputs), 8):
            for _ in range(20):
                results[j] = d(*inputs[j])

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for (x, y), (gx, gy) in zip(inputs, results):
        np.testing.assert_allclose(gx, y + sech2(x))
        np.testing.assert_allclose(gy, x)
    assert len(entries_of(d)) == 1  # generated once


def test_reentrant_pullbacks_are_independent():
    f = s2s.vjp(fx.vector_out)
    _, pb1 = f(X)
    _, pb2 = f(Y)
    ct = np.ones(3)
    np.testing.assert_allclose(pb1(ct), 2 * sech2(X))
    np.testing.assert_allclose(pb2(ct), 2 * sech2(Y))
    np.testing.assert_allclose(pb1(ct), 2 * sech2(X))


# -- caching -------------------------------------------------------------------------------------


def test_second_call_reuses_the_generated_function():
    d = s2s.grad(fx.tanh_sum)
    d(X)
    first = dict(entries_of(d))
    d(Y)
    second = entries_of(d)
    assert second.keys() == first.keys()
    for key, gen in first.items():
        assert second[key] is gen
        assert second[key].compiled.function is gen.compiled.function


def test_new_derivative_object_shares_the_cache():
    d1 = s2s.grad(fx.three_args, wrt=0)
    d1(X, X, X)
    before = dict(entries_of(d1))
    d2 = s2s.grad(fx.three_args, wrt=0)
    d2(Y, Y, Y)
    after = entries_of(d2)
    assert after.keys() == before.keys()
    assert all(after[k] is before[k] for k in before)


def test_new_dtype_makes_a_new_specialization():
    def fresh(x):
        return np.sum(np.tanh(x) * x)

    d = s2s.grad(fresh)
    d(X)
    n = len(entries_of(d))
    assert n == 1
    g32 = d(X.astype(np.float32))
    assert g32.dtype == np.float32
    assert len(entries_of(d)) == n + 1
    d(X.astype(np.float32) + 1)
    assert len(entries_of(d)) == n + 1


def test_rebinding_a_call_target_regenerates():
    d = s2s.grad(fx.uses_act)
    np.testing.assert_allclose(d(X), sech2(X))
    old_source = d.source
    try:
        fx.act = np.sin
        np.testing.assert_allclose(d(X), np.cos(X))
        assert d.source != old_source
    finally:
        fx.act = np.tanh
    np.testing.assert_allclose(d(X), sech2(X))


def test_global_values_are_read_live():
    d = s2s.grad(fx.uses_global_scale)
    np.testing.assert_allclose(d(X), 2.0 * sech2(X))
    try:
        fx.SCALE = 5.0
        np.testing.assert_allclose(d(X), 5.0 * sech2(X))
    finally:
        fx.SCALE = 2.0


def test_verbose_prints_the_stages(capsys):
    def local_loss(x):
        h = np.tanh(x)
        return np.sum(h * x)

    d = s2s.grad(local_loss, verbose=1)
    d(X)
    out = capsys.readouterr().out
    assert out.count("s2s") >= 3
    assert "normalize" in out
    assert "def d_local_loss" in out
    assert d.source.strip() in out
    d(Y)  # cached: nothing printed again
    assert capsys.readouterr().out == ""


def test_verbose_zero_prints_nothing(capsys):
    def quiet(x):
        return np.sum(x * x)

    s2s.grad(quiet)(X)
    assert capsys.readouterr().out == ""


# -- python -m s2s show --------------------------------------------------------------------------


def show(*args):
    proc = subprocess.run(
        [sys.executable, "-m", "s2s", "show", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_cli_show_function_with_wrt():
    out = show(f"{TESTS / 'fixtures_funcs.py'}:two_args", "--wrt", "x,y")
    assert "def d_two_args(x, y):" in out
    assert "with respect to x, y" in out
    compile(out, "<cli>", "exec")


def test_cli_show_dotted_qualname():
    out = show("tests/fixtures_funcs.py:Holder.inner", "--wrt", "a,b")
    assert "def d_inner(a, b):" in out
    assert "with respect to a, b" in out


def test_cli_show_derivative_object_is_unwrapped():
    out = show("tests/fixtures_funcs.py:dec_loss_w")
    assert "def d_dec_loss_w(x, w):" in out
    assert "with respect to w" in out


def test_cli_show_unknown_name_fails():
    proc = subprocess.run(
        [sys.executable, "-m", "s2s", "show", "tests/fixtures_funcs.py:nope"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert proc.returncode != 0
    assert "nope" in proc.stderr


# -- the user's computation runs once ------------------------------------------------------------


@pytest.mark.parametrize(
    "factory", [s2s.grad, s2s.value_and_grad, s2s.vjp], ids=["grad", "vag", "vjp"]
)
def test_user_computation_runs_exactly_once(factory):
    d = factory(fx.counted)
    for _ in range(3):
        before = len(fx.CALLS)
        out = d(X)
        assert len(fx.CALLS) == before + 1
    if factory is s2s.vjp:
        before = len(fx.CALLS)
        out[1](np.float64(1.0))
        out[1](np.float64(1.0))
        assert len(fx.CALLS) == before  # the pullback does not rerun the primal


def test_rng_advances_as_one_call():
    d = s2s.value_and_grad(fx.noisy)
    state = fx.RNG.bit_generator.state
    value, g = d(X)
    after = fx.RNG.bit_generator.state
    fx.RNG.bit_generator.state = state
    noise = fx.RNG.standard_normal(3)
    assert fx.RNG.bit_generator.state == after
    np.testing.assert_array_equal(g, noise)
    assert value == pytest.approx(np.sum(X * noise))


def test_cli_show_from_a_checkout_root_over_a_regular_install(tmp_path):
    """``python -m s2s show`` run at the root of a source checkout imports the checkout's
    ``s2s`` (the current directory comes first on ``sys.path``), whose rules are the folder
    ``templates/`` beside it, not a package ``s2s/templates``. Without an editable install
    nothing maps one to the other: this once failed with ``No module named 's2s.templates'``.
    Simulated here without ``site`` (so no editable-install finder), the layout rebuilt from
    whichever ``s2s`` this suite runs against."""
    import shutil
    import site

    import s2s.templates

    package = Path(s2s.__file__).parent
    shutil.copytree(package, tmp_path / "s2s", ignore=shutil.ignore_patterns("templates"))
    shutil.copytree(Path(s2s.templates.__file__).parent, tmp_path / "templates")
    assert not (tmp_path / "s2s" / "templates").exists()
    (tmp_path / "f.py").write_text(
        "import numpy as np\n\n\ndef loss(w, x):\n    return np.sum(np.tanh(x @ w))\n"
    )
    code = (
        "import runpy, sys\n"
        f"sys.path[:0] = [{str(tmp_path)!r}, *{site.getsitepackages()!r}]\n"
        "sys.argv = ['s2s', 'show', 'f.py:loss', '--wrt', 'w']\n"
        "runpy.run_module('s2s', run_name='__main__', alter_sys=True)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-S", "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert "def d_loss(w, x):" in proc.stdout
    assert "tanh" in proc.stdout


# -- a scalar argument's derivative, in every mode ---------------------------------------------


def scalar_plus_array(p, w):
    v = p + w
    return np.sum(v * v)


def scalar_through_a_loop(p, w):
    h = p * 1.0
    for _ in range(2):
        h = np.tanh(h + w)
    return np.sum(h)


def scalar_beside_a_tuple(p, t):
    w, b = t
    v = p + w
    return np.sum(v * b)


def _helper_of_scalar(a, w):
    return a * w


def scalar_through_a_helper(p, w):
    return np.sum(_helper_of_scalar(p, w))


SCALARS = {
    "Python float": (0.7, np.float64, ()),
    "np.float64": (np.float64(0.7), np.float64, ()),
    "np.float32": (np.float32(0.7), np.float32, ()),
    "0-d float64": (np.array(0.7), np.ndarray, ()),
    "0-d float32": (np.array(0.7, np.float32), np.ndarray, ()),
}


@pytest.mark.parametrize("scalar", SCALARS)
@pytest.mark.parametrize(
    "f", [scalar_plus_array, scalar_through_a_loop, scalar_beside_a_tuple, scalar_through_a_helper]
)
def test_a_scalar_arguments_derivative_has_its_type_in_every_mode(f, scalar):
    """grad, value_and_grad and the vjp pullback give a scalar argument's gradient its type,
    shape () and dtype (a Python float: np.float64; a 0-d array: a 0-d array), even where it
    is broadcast against an array; jvp's tangent along it agrees with their gradient."""
    p, kind, shape = SCALARS[scalar]
    dtype = np.result_type(p)
    w = np.array([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]], dtype)
    other = (w, np.ones(3, dtype)) if f is scalar_beside_a_tuple else w
    grads = {
        "grad": s2s.grad(f)(p, other),
        "value_and_grad": s2s.value_and_grad(f)(p, other)[1],
        "vjp": s2s.vjp(f)(p, other)[1](1.0),
    }
    for mode, g in grads.items():
        assert type(g) is kind and np.shape(g) == shape and g.dtype == dtype, (mode, repr(g))
    _, tangent = s2s.jvp(f)(p, other, type(p)(1.0) if not isinstance(p, np.ndarray) else
                            np.ones((), dtype))  # fmt: skip
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(float(tangent), float(grads["grad"]), rtol=rtol)
    np.testing.assert_allclose(float(grads["vjp"]), float(grads["grad"]), rtol=rtol)


def test_generation_pauses_the_garbage_collector_and_restores_it():
    import gc

    import s2s.pipeline

    seen = []

    @s2s.pipeline.collector_paused
    def probe(fail):
        seen.append(gc.isenabled())
        if fail:
            raise ValueError("inside")
        return 1

    assert gc.isenabled()
    assert probe(False) == 1 and seen == [False] and gc.isenabled()
    with pytest.raises(ValueError, match="inside"):
        probe(True)
    assert gc.isenabled()
    gc.disable()  # paused by the caller: left paused
    try:
        probe(False)
        assert not gc.isenabled()
    finally:
        gc.enable()


LAZY_MODULES = """\
import sys
import numpy as np
import s2s
from s2s.frontend.resolve import numpy_path
assert "numpy.random" not in sys.modules and "numpy.fft" not in sys.modules, "imported by s2s"
with open("plain.py", "w") as file:
    file.write("import numpy as np\\ndef plain(x):\\n    return np.sum(np.tanh(x) ** 2)\\n")
sys.path.insert(0, ".")
import plain
x = np.linspace(-1.0, 1.0, 8)
np.testing.assert_allclose(s2s.grad(plain.plain)(x), 2 * np.tanh(x) / np.cosh(x) ** 2)
assert "numpy.fft" not in sys.modules, "imported by generation"
assert "s2s.forward" not in sys.modules, "forward mode loaded for a gradient"
np.testing.assert_allclose(s2s.jvp(plain.plain)(x, x)[1], s2s.grad(plain.plain)(x) @ x)
assert "s2s.forward" in sys.modules
assert numpy_path(np.linalg.inv) == "linalg.inv" and numpy_path(np.matmul) == "matmul"
assert numpy_path(np.fft.rfft) == "fft.rfft"  # imported now: read at the next lookup
print("ok")
"""


def test_start_up_imports_neither_numpy_random_nor_fft_and_fft_still_resolves(tmp_path):
    """A fresh interpreter: ``import s2s`` and a first gradient import neither ``numpy.random``
    nor ``numpy.fft``, nor forward mode (``s2s.forward``, loaded by the first ``jvp``); numpy's
    canonical names still resolve, fft's once it is imported."""
    proc = subprocess.run(
        [sys.executable, "-c", LAZY_MODULES], capture_output=True, text=True, cwd=tmp_path,
        timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr
