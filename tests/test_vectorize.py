"""Calls of ``numpy.vectorize`` objects (issue 10): every way a user reaches one, each mode.

The rule itself is checked against central differences by the registry's rows
(``rows/selections.py``: ``rt.vectorized``); here the user's spellings are: a global object
of a lambda with a branch on the element, of a module-level ``def``, an object made inside the
function (bound once, or called at once), passed as an argument or held by one, and the
options ``otypes=``, ``excluded=`` and ``signature=``. Each is checked against differences in
float64 and float32 by ``s2s.check_grad`` (reverse and forward mode, and second order: the
Hessian-vector product and reverse over reverse), and by ``value_and_grad``, ``vjp``, ``jvp``
and ``hvp`` against the derivative written by hand. What is not supported raises a located
error with advice.
"""

from __future__ import annotations

import functools
import random
import types

import gradcheck as gc
import numpy as np
import pytest
from located import assert_located, where

import s2s

VF = np.vectorize(lambda a, b: a * np.sin(b) if a > 0 else b * b)


def helper(a, b):
    return a * np.sin(b) if a > 0 else b * b


VH = np.vectorize(helper)
HOLDER = types.SimpleNamespace(vf=VH)
TABLE = {"vf": VH}


def through_global_lambda(x, y):
    return np.sum(VF(x, y))


def through_global_def(x, y):
    return np.sum(VH(x, y) ** 2)


def made_inside(x, y):
    vf = np.vectorize(helper)
    return np.sum(np.tanh(vf(x, y)))


def called_at_once(x, y):
    return np.sum(np.vectorize(helper, otypes=[float])(x, y))


def passed_in(x, y, vf):
    return np.sum(vf(x, y) * x)


def held_by_argument(x, y, holder):
    return np.sum(holder.vf(x, y))


def from_global_dict(x, y):
    return np.sum(TABLE["vf"](x, y))


def _exact(x, y):
    """d/dx and d/dy of sum(helper(x, y)), entry by entry (broadcast y summed)."""
    dx = np.where(x > 0, np.sin(y), 0.0)
    dy = np.where(x > 0, x * np.cos(y), 2 * y)
    return dx, np.sum(np.broadcast_to(dy, np.broadcast_shapes(x.shape, y.shape)), axis=0)


def _args(dtype=np.float64):
    x = np.array([[1.0, -2.0, 0.7], [-0.5, 1.5, 2.0]], dtype)
    y = np.array([0.5, 1.5, -1.0], dtype)
    return x, y


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    "f, extra",
    [
        (through_global_lambda, ()),
        (through_global_def, ()),
        (made_inside, ()),
        (called_at_once, ()),
        (passed_in, (VH,)),
        (held_by_argument, (HOLDER,)),
        (from_global_dict, ()),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_each_spelling_agrees_with_differences_in_each_mode(f, extra, dtype):
    """Reverse and forward mode, and both second orders, against central differences."""
    x, y = _args(dtype)
    with np.errstate(all="ignore"):
        s2s.check_grad(gc.fresh(f), x, y, *extra, wrt=(0, 1), modes=("rev", "fwd"))


def test_the_derivatives_equal_the_hand_written_ones():
    x, y = _args()
    dx, dy = _exact(x, y)
    value, (gx, gy) = s2s.value_and_grad(through_global_lambda, wrt=(0, 1))(x, y)
    assert value == pytest.approx(through_global_lambda(x, y), rel=1e-15)
    np.testing.assert_allclose(gx, dx, rtol=1e-14)
    np.testing.assert_allclose(gy, dy, rtol=1e-14)
    assert gx.shape == x.shape and gy.shape == y.shape  # the broadcast axis summed back
    out, pullback = s2s.vjp(lambda a, b: VH(a, b), wrt=(0, 1))(x, y)
    ct = np.arange(6.0).reshape(2, 3)
    px, _ = pullback(ct)
    np.testing.assert_allclose(out, VH(x, y), rtol=0)
    np.testing.assert_allclose(px, ct * dx, rtol=1e-14)
    u, v = np.full_like(x, 0.3), np.array([1.0, -1.0, 2.0])
    _, tangent = s2s.jvp(through_global_def, wrt=(0, 1))(x, y, u, v)
    fx = VH(x, y)
    dfx, dfy = np.where(x > 0, np.sin(y), 0.0), np.where(x > 0, x * np.cos(y), 2 * y)
    assert tangent == pytest.approx(np.sum(2 * fx * (dfx * u + dfy * v)), rel=1e-13)


def test_hvp_is_the_hessian_times_the_direction():
    """f = sum(x * sin(y)) where x > 0: its Hessian in y is diag(-x sin y)."""
    x = np.array([1.0, 2.0, 0.5])
    y = np.array([0.3, -0.4, 1.2])
    hv = s2s.hvp(lambda a, b: np.sum(VH(a, b)), wrt=1)(x, y, np.ones(3))
    np.testing.assert_allclose(hv, -x * np.sin(y), rtol=1e-13)  # d2/dy2 of x sin y


def test_the_generated_code_calls_the_helper_with_the_object():
    source = s2s.grad(through_global_def, wrt=(0, 1)).source
    assert "_s2s.vectorized(VH, x, y)" in source
    assert "_s2s.vectorized_grads(" in source
    assert "_s2s.vectorized_tangent(" in s2s.jvp(through_global_def, wrt=0).source


def _norm(v):
    return np.sqrt(np.sum(v * v))


def _weighted(a, w):
    return np.dot(w, w) * a if a > 0 else a * w[0]


def _power(a, n):
    return a**n


def with_signature(x):
    return np.sum(np.vectorize(_norm, signature="(n)->()")(x) ** 2)


def with_excluded(x, w):
    return np.sum(np.vectorize(_weighted, excluded={1})(x, w))


def with_integers(x):
    return np.sum(np.vectorize(_power, cache=True)(x, np.array([1, 2, 3])))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_signature_excluded_and_integer_arguments_agree_with_differences(dtype):
    rng = np.random.default_rng(0)
    x = rng.uniform(0.5, 2.0, (2, 3, 4)).astype(dtype)
    s2s.check_grad(gc.fresh(with_signature), x, modes=("rev", "fwd"))
    a, w = np.array([1.0, -2.0, 3.0], dtype), np.array([0.3, -0.7], dtype)
    s2s.check_grad(gc.fresh(with_excluded), a, w, wrt=(0, 1), modes=("rev", "fwd"))
    s2s.check_grad(gc.fresh(with_integers), x[0, :2, :3], modes=("rev", "fwd"))


def test_excluded_gradient_is_summed_over_the_calls():
    a, w = np.array([1.0, -2.0, 3.0]), np.array([0.3, -0.7])
    gw = s2s.grad(with_excluded, wrt=1)(a, w)
    np.testing.assert_allclose(gw, 2 * w * (1.0 + 3.0) + np.array([-2.0, 0.0]), rtol=1e-14)


# -- what is refused ---------------------------------------------------------------------


def _two(a):
    return a, 2 * a


TWO = np.vectorize(_two)
TWO_SIGNATURE = np.vectorize(_two, signature="()->(),()")


def several_outputs(x):
    return np.sum(TWO(x)[0])


def several_outputs_in_signature(x):
    return np.sum(TWO_SIGNATURE(x)[0])  # MARK


def with_keywords(x, y):
    return np.sum(VH(x, b=y))  # MARK


def seven(a, b, c, d, e, f, g):
    return a + b + c + d + e + f + g


def too_many(x):
    return np.sum(np.vectorize(seven)(x, x, x, x, x, x, x))  # MARK


def bound_twice(x, y):
    vf = np.vectorize(helper)
    if np.sum(x) > 0:
        vf = np.vectorize(np.hypot)
    return np.sum(vf(x, y))  # MARK


def test_a_function_with_several_outputs_is_refused():
    with pytest.raises(s2s.NoRuleError) as info:
        s2s.grad(several_outputs)(np.array([1.0, 2.0]))
    assert "returns 2 outputs" in str(info.value)
    assert "one vectorize object per output" in str(info.value)
    assert info.value.where is not None and info.value.where.lineno > 0


@pytest.mark.parametrize(
    "f, error, advice",
    [
        (several_outputs_in_signature, s2s.NoRuleError, "one vectorize object per output"),
        (with_keywords, s2s.NoRuleError, "by position"),
        (too_many, s2s.NoRuleError, "stack some arguments"),
        (bound_twice, s2s.NoRuleError, "pass the function as an argument"),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_what_is_not_differentiated_is_refused_at_its_line(f, error, advice):
    x = np.array([1.0, 2.0])
    args = (x,) if f.__code__.co_argcount == 1 else (x, x)
    with pytest.raises(error) as info:
        s2s.grad(f)(*args)
    assert_located(info.value, f, "# MARK", advice)


def test_a_partial_of_a_value_carrying_a_gradient_is_refused():
    """The object's function must not hide a gradient (a partial of ``w``): refused where
    it is made, not differentiated silently in ``x`` alone."""

    def f(x, w):
        vf = np.vectorize(functools.partial(helper, b=w))  # MARK
        return np.sum(vf(x))

    with pytest.raises(s2s.NoRuleError) as info:
        s2s.grad(f, wrt=1)(np.array([1.0, 2.0]), 0.5)
    assert_located(info.value, f, "# MARK")
    np.testing.assert_allclose(
        s2s.grad(f, wrt=0)(np.array([1.0, 2.0]), 0.5), np.sin(0.5) * np.ones(2), rtol=1e-15
    )


def test_another_object_passed_in_gives_its_own_gradient():
    """The object is read from the argument when the derivative runs; the cache key holds its
    function (not its identity), so another function there generates anew (and is checked)."""
    x, y = _args()
    grad = s2s.grad(passed_in, wrt=(0, 1))
    first = grad(x, y, VH)
    second = grad(x, y, np.vectorize(np.hypot))
    np.testing.assert_allclose(first[0], _exact(x, y)[0] * x + VH(x, y), rtol=1e-14)
    r = np.hypot(x, y)
    np.testing.assert_allclose(second[0], x * x / r + r, rtol=1e-14)
    np.testing.assert_allclose(second[1], np.sum(x * y / r, axis=0), rtol=1e-14)


RNG = np.random.default_rng(0)
CALLS = []


def noisy(a):
    return a + RNG.normal()  # DRAW


def counted(a):
    global CALLS
    CALLS = CALLS + [a]  # WRITE
    return 2 * a


def python_random(a):
    return a * random.random()  # DRAW


def _uniform_draw(a):
    return a * RNG.uniform()


def calls_a_drawing_helper(a):  # DRAW
    return _uniform_draw(a) + 1.0


NOISY = np.vectorize(noisy)


def draws_in_a_global_object(x):
    return np.sum(NOISY(x))  # MARK


def writes_through_an_argument(x, vf):
    return np.sum(vf(x))  # MARK


def draws_in_a_local_object(x):
    vf = np.vectorize(python_random)
    return np.sum(vf(x))  # MARK


@pytest.mark.parametrize(
    "f, extra, pyfunc, what",
    [
        (draws_in_a_global_object, (), noisy, "draws random numbers (`RNG.normal()`)"),
        (writes_through_an_argument, (np.vectorize(counted),), counted, "writes to a global"),
        (draws_in_a_local_object, (), python_random, "draws random numbers"),
        (writes_through_an_argument, (np.vectorize(calls_a_drawing_helper),),
         calls_a_drawing_helper, "in a function of yours it calls"),  # fmt: skip
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_a_function_that_would_differ_when_run_again_is_refused(f, extra, pyfunc, what):
    """The derivative runs the function again on each element: a draw would give the gradient
    of another draw, a write would happen twice. Refused at the call, naming the line."""
    with pytest.raises(s2s.NoRuleError) as info:
        s2s.grad(f)(np.array([1.0, 2.0]), *extra)
    marker = "# WRITE" if "writes" in what else "# DRAW"
    assert_located(info.value, f, "# MARK", what, where(pyfunc, marker), "pass them")


def wraps_a_parameter(x, fn):
    vf = np.vectorize(fn)  # its function is known only when the derivative runs
    return np.sum(vf(x) + x * vf(np.ones(2)))


def test_a_function_known_only_at_run_time_is_checked_when_differentiated():
    """``np.vectorize(fn)`` of a parameter: checked by the helpers when the derivative runs,
    only where a gradient flows through the call (the draw in ``vf(np.ones(2))`` is data)."""
    x = np.array([1.0, 2.0])
    with pytest.raises(s2s.NoRuleError) as info:
        s2s.grad(wraps_a_parameter)(x, noisy)
    assert where(noisy, "# DRAW") in str(info.value), str(info.value)
    assert info.value.where is not None and info.value.where.lineno > 0
    np.testing.assert_allclose(  # pure: the same derivative, another function
        s2s.grad(wraps_a_parameter)(x, helper_one), 2 * x + 1, rtol=1e-15
    )


def helper_one(a):
    return a * a if a > 0 else -a


COUNTED = np.vectorize(counted)


def inactive_calls(x):
    data = COUNTED(np.ones(2)) + VH(np.ones(2), b=np.full(2, 0.5))  # no gradient flows here
    return np.sum(x * (data + TWO(np.ones(2))[1] - 2.0))


def test_a_call_the_rule_cannot_take_runs_where_no_gradient_flows_through_it():
    """Keywords, a function with side effects and several outputs are refused only where the
    call carries a gradient: as data, the call runs as written (once)."""
    x = np.array([1.0, -2.0])
    expected = 2.0 + np.sin(0.5)
    np.testing.assert_allclose(s2s.grad(inactive_calls)(x), [expected, expected], rtol=1e-15)


def _square_or_int_zero(a):
    if a > 0:
        return a * a
    return 0  # a Python int first: numpy infers an integer output


INFERRED_INT = np.vectorize(_square_or_int_zero)
DECLARED_INT = np.vectorize(_square_or_int_zero, otypes=[int])
DECLARED_FLOAT = np.vectorize(_square_or_int_zero, otypes=[float])


def _sum_inferred(x):
    return np.sum(INFERRED_INT(x)) * 1.0


def _sum_declared(x):
    return np.sum(DECLARED_INT(x)) * 1.0


def _sum_float(x):
    return np.sum(DECLARED_FLOAT(x))


def test_an_integer_output_is_piecewise_constant():
    """numpy truncates each value into an integer output (otypes=[int], or inferred from a
    first value 0): no gradient, as central differences say; a float output keeps it."""
    x = np.array([-1.0, 0.5, 1.5, 2.25])
    for f in (_sum_inferred, _sum_declared):
        np.testing.assert_array_equal(s2s.grad(f)(x), np.zeros(4))
        assert s2s.jvp(f)(x, np.ones(4))[1] == 0.0
    np.testing.assert_allclose(s2s.grad(_sum_float)(x), np.where(x > 0, 2 * x, 0.0))


@np.vectorize
def _decorated_soft(a):
    if a > 1.0:
        return a - 0.5
    return 0.5 * a * a


def _uses_decorated(x):
    return np.sum(_decorated_soft(x) * x)


def test_a_function_decorated_with_np_vectorize():
    """@np.vectorize over a def: its pyfunc is the function under the decorator."""
    x = np.array([0.3, 1.7, -0.4])
    expected = np.where(x > 1, 2 * x - 0.5, 1.5 * x**2)
    np.testing.assert_allclose(s2s.grad(_uses_decorated)(x), expected)
    np.testing.assert_allclose(s2s.hvp(_uses_decorated)(x, np.ones(3)), np.where(x > 1, 2.0, 3 * x))
