"""Forward mode (``s2s.jvp``) on every construct reverse mode covers, against reverse mode.

Each function of the construct tests (branches, loops, early returns, jumps, helpers with
recursion, nested defs and closures, writes into arrays, lists, tuples, several outputs) is
checked with ``s2s.check_grad`` in both modes: the JVP and the VJP against central differences
and against each other (``<u, J v> = <J^T u, v>``). Then the four tangent kinds, dtypes, the
derivative object's signature, the generated source, and the errors of wrong uses.
"""

from __future__ import annotations

import inspect
import re

import numpy as np
import pytest
import test_calls as calls
import test_constructs as constructs
import test_control_flow as flow
import test_mutation as mutation
from gradcheck import along, numeric_gradient
from located import assert_located

import s2s

RNG = np.random.default_rng(20260901)


def normal(*shape):
    return RNG.normal(size=shape)


CONSTRUCTS = [
    ("if-elif-else", flow.branches, (normal(3), 0.7), (0, 1)),
    ("if-elif-else other arm", flow.branches, (normal(3), -0.7), (0, 1)),
    ("early return", flow.early_return, (normal(3), 0.7), (0, 1)),
    ("early return, other arm", flow.early_return, (normal(3), -3.0), (0, 1)),
    ("recurrence over range", flow.rnn, (normal(3), normal(3), normal(5, 3)), (0, 1, 2)),
    ("nested loops", flow.triangle, (normal(4), 3), (0,)),
    ("for over rows, enumerate, zip", flow.rows, (normal(3, 3), normal(3)), (0, 1)),
    ("loop-carried parameter", flow.accumulate_parameter, (normal(3), normal(3)), (0, 1)),
    ("while with a data-dependent trip count", flow.grow, (np.abs(normal(3)) + 0.5, 10.0), (0,)),
    ("break, continue, for-else", flow.jumps, (np.array([0.1, 0.9, 0.3]),), (0,)),
    ("break, continue, for-else: no break", flow.jumps, (np.array([0.2, 0.3, 0.4]),), (0,)),
    ("conditional expressions", flow.choices, (normal(3), 0.5), (0, 1)),
    ("while with or", flow.while_or, (0.5,), (0,)),
    ("newton iterations", flow.newton_sqrt, (2.0,), (0,)),
    ("while with break", flow.while_break, (1.0,), (0,)),
    ("nested enumerate and zip", flow.nested_iteration, (normal(3, 2), normal(3, 2)), (0, 1)),
    ("contributions in some steps", flow.sometimes, (normal(4), normal(4)), (0, 1)),
    ("rows recomputed", flow.rows_in_loops, (normal(3, 3), normal(4, 3)), (0, 1)),
    ("helpers, keywords, recursion", calls.network,
     (normal(2, 3), normal(3, 3), normal(3, 2)), (0, 1, 2)),
    ("recursion with a data-dependent depth", calls.depth, (normal(3), 3), (0,)),
    ("calls in a loop", calls.recurrent, (normal(3), normal(4, 3)), (0, 1)),
    ("nested defs capturing values", calls.closure_model, (normal(2), normal(2), normal(2)),
     (0, 1, 2)),
    ("nested def calling a nested def", calls.sibling_defs, (normal(3), normal(3)), (0, 1)),
    ("a recursive nested def capturing a value", calls.recursive_closure,
     (normal(3), normal(3)), (0, 1)),
    ("tuples passed to helpers", calls.passes_tuples, (normal(3), normal(3)), (0, 1)),
    ("a tuple argument", calls.unpacks_its_argument, ((normal(3), normal(3)),), (0,)),
    ("items of a helper's tuple", calls.items_of_a_helper_result, (normal(3),), (0,)),
    ("keyword-only arguments", constructs.with_defaults, (RNG.uniform(0.5, 1.5, 4),), (0,)),
    ("operators, broadcasting", constructs.operators, (normal(3, 4), normal(4, 2), normal(2)),
     (0, 1, 2)),
    ("augmented assignment", constructs.augmented, (normal(3), 0.7), (0, 1)),
    ("writes: elements, slices, masks, in a loop", mutation.fill, (normal(4), 0.7), (0, 1)),
    ("writes with repeated indices, columns", mutation.overwrite_with_repeats, (normal(3, 2),),
     (0,)),
    ("lists appended in a loop", mutation.collect, (normal(3), normal(3)), (0, 1)),
    ("list comprehensions", mutation.comprehensions, (normal(3), normal(3)), (0, 1)),
    ("a buffer rebuilt each step", mutation.swap_buffers, (np.array([0.3, -0.4]), 0.8), (0, 1)),
    ("a row view of other entries", mutation.previous_row, (normal(3),), (0,)),
    ("a float written into integer arrays", mutation.writes_into_integer_buffers, (normal(3),),
     (0,)),
]  # fmt: skip


@pytest.mark.parametrize("f, args, wrt", [pytest.param(*c[1:], id=c[0]) for c in CONSTRUCTS])
def test_forward_mode_agrees_with_differences_and_reverse_mode(f, args, wrt):
    s2s.check_grad(f, *args, wrt=wrt, modes=("fwd", "rev"), order=1)


def literal_lists_and_tuples(x):
    """As ``test_mutation.literal_containers``, forward only (its vjp has a known bug)."""
    xs = [x, np.sin(x)]
    pair = (x * 2.0, x[::-1])
    first, second = pair
    scalars = [x[0], x[1] * 3.0]
    total = np.sum(np.stack(xs) ** 2) + np.sum(np.concatenate(xs)) + sum(scalars) * x[2]
    return total + np.sum(np.array(xs)[1] * pair[1]) + np.sum(first * second)


def test_lists_and_tuples_bound_to_names():
    s2s.check_grad(literal_lists_and_tuples, normal(3), modes=("fwd",), order=1)
    s2s.check_grad(mutation.sum_with_start, normal(3), modes=("fwd",), order=1)


def two_outputs(x, w):
    h = np.tanh(x * w)
    return h.sum(), h * 2.0, 3.0


def test_several_outputs_give_a_tuple_of_tangents_with_each_output_type():
    x, w = normal(3), normal(3)
    (s, h, c), (ts, th, tc) = s2s.jvp(two_outputs, wrt=0)(x, w, np.ones(3))
    assert isinstance(ts, np.float64) and th.shape == (3,) and isinstance(tc, np.float64)
    np.testing.assert_allclose(th, 2.0 * w * (1 - np.tanh(x * w) ** 2), rtol=1e-12)
    assert tc == 0.0
    s2s.check_grad(lambda x, w: two_outputs(x, w)[:2], x, w, wrt=(0, 1), order=1)


# -- tangent kinds ---------------------------------------------------------------------------


def through_step(x):
    return np.sum(np.floor(x) * 2.0)


def disconnected(x, y):
    return np.sum(y * 2.0) + x.shape[0]


def declared_undefined(x):
    return np.sum(s2s.undefined_grad(x, "no derivative here") * 2.0)


def undefined_then_zero_grad(x):
    return np.sum(s2s.zero_grad(s2s.undefined_grad(x)) * 2.0) + np.sum(x)


def test_a_zero_tangent_costs_nothing_and_gives_zeros():
    value, tangent = s2s.jvp(through_step)(normal(3), np.ones(3))
    assert tangent == 0.0 and isinstance(tangent, np.float64)
    source = s2s.jvp(through_step).source
    assert "floor_1_dot" not in source and "multiply_1_dot" not in source


def test_a_disconnected_output_follows_the_disconnected_option():
    x, y = normal(3), normal(3)
    assert s2s.jvp(disconnected, wrt=0)(x, y, np.ones(3))[1] == 0.0
    assert s2s.jvp(disconnected, wrt=0, disconnected="none")(x, y, np.ones(3))[1] is None
    with pytest.warns(UserWarning, match="does not depend on `x`"):
        s2s.jvp(disconnected, wrt=0, disconnected="warn")(x, y, np.ones(3))
    with pytest.raises(s2s.DisconnectedGradientError, match="does not depend on `x`"):
        s2s.jvp(disconnected, wrt=0, disconnected="raise")(x, y, np.ones(3))


def test_an_undefined_tangent_carries_its_marker_and_follows_the_undefined_option():
    x = normal(3)
    with pytest.raises(s2s.UndefinedGradientError, match="no derivative here") as info:
        s2s.jvp(declared_undefined)(x, np.ones(3))
    assert re.search(r"test_forward\.py:\d+", str(info.value))
    marker = s2s.jvp(declared_undefined, undefined="return")(x, np.ones(3))[1]
    assert isinstance(marker, s2s.Undefined) and "no derivative here" in repr(marker)
    assert np.isnan(s2s.jvp(declared_undefined, undefined="nan")(x, np.ones(3))[1])
    # zero_grad cuts it: only the other path's tangent remains
    assert s2s.jvp(undefined_then_zero_grad)(x, np.ones(3))[1] == 3.0


# -- dtypes ----------------------------------------------------------------------------------


def mixed(x, w):
    return np.tanh(x * w) + np.exp(x)


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_float32_stays_float32_and_float16_computes_in_float32(dtype):
    x, w = normal(4).astype(dtype), normal(4).astype(dtype)
    value, tangent = s2s.jvp(mixed, wrt=(0, 1))(x, w, np.ones(4, dtype), np.ones(4, dtype))
    assert value.dtype == dtype and tangent.dtype == dtype
    up = [a.astype(np.float64) for a in (x, w)]
    _, reference = s2s.jvp(mixed, wrt=(0, 1))(*up, np.ones(4), np.ones(4))
    tolerance = 1e-5 if dtype == np.float32 else 5e-3
    np.testing.assert_allclose(tangent, reference, rtol=tolerance, atol=tolerance)
    source = s2s.jvp(mixed, wrt=(0, 1)).source
    if dtype == np.float16:  # tangents are checked into float32 on entry
        x_dot = s2s.runtime.check_tangent(np.ones(4, np.float16), x, "x", "f", 1)
        assert x_dot.dtype == np.float32
    assert "check_tangent(x_dot, x" in source


def test_float32_check_grad_in_both_modes():
    x, w = normal(3, 4).astype(np.float32), normal(4, 2).astype(np.float32)
    s2s.check_grad(constructs.operators, x, w, normal(2).astype(np.float32), wrt=(0, 1, 2),
                   order=1)  # fmt: skip


# -- the derivative object -------------------------------------------------------------------


def with_defaults(x, w, n=3, *, scale=1.0):
    return np.sum(np.tanh(x * w) ** n) * scale


def test_tangents_follow_the_parameters_without_defaults_and_bind_as_python_does():
    derivative = s2s.jvp(with_defaults, wrt=("x", "scale"))
    params = list(inspect.signature(derivative).parameters)
    assert params == ["x", "w", "x_dot", "scale_dot", "n", "scale"]
    x, w = normal(3), normal(3)
    a = derivative(x, w, np.ones(3), 1.0)
    b = derivative(x, w, n=3, x_dot=np.ones(3), scale_dot=1.0, scale=1.0)
    assert a[0] == b[0] and a[1] == b[1]
    assert derivative.mode == "jvp" and derivative.primal is with_defaults


# -- the generated source --------------------------------------------------------------------


def test_tangents_are_interleaved_with_the_primal_under_its_line_comments():
    source = s2s.jvp(flow.rnn, wrt=(0, 1)).source
    lines = [line.strip() for line in source.splitlines()]
    assert "w_dot = _s2s.check_tangent(w_dot, w, 'w'," in " ".join(lines)
    assert any(line.startswith("# line") and "np.tanh(w * h" in line for line in lines)
    value = lines.index("h = _np.tanh(add_1)")
    assert lines[value + 1].startswith("h_dot = add_1_dot * (1 - h * h)")  # right after it
    assert "for t in range(" in source
    assert "tape" not in source  # forward mode keeps no tape
    assert re.search(r"# line \d+: for ", source)


def test_the_source_of_a_derivative_of_a_derivative_names_both():
    source = s2s.jvp(s2s.grad(constructs.operators, wrt=1), wrt=1).source
    assert "Jacobian-vector product of (the gradient of operators with respect to w)" in source
    assert "d_w_dot" in source or "d_matmul" in source


# -- wrong uses ------------------------------------------------------------------------------


def tanh_sum(x):
    return np.sum(np.tanh(x))


def test_a_non_float_tangent_is_refused_with_its_argument_and_advice():
    derivative = s2s.jvp(tanh_sum)
    with pytest.raises(s2s.TangentError, match=r"tangent of `x` has dtype int64") as info:
        derivative(normal(3), np.arange(3))
    assert "test_forward.py" in str(info.value) and "Advice" in str(info.value)
    with pytest.raises(s2s.TangentError, match="a float ndarray"):
        derivative(normal(3), "zeros")


def test_a_tangent_of_the_wrong_shape_or_structure_is_refused():
    with pytest.raises(s2s.TangentError, match=r"has shape \(2,\) but `x` has shape \(3,\)"):
        s2s.jvp(tanh_sum)(normal(3), np.ones(2))
    with pytest.raises(s2s.TangentError, match="must be a tuple of 2 tangents"):
        s2s.jvp(calls.unpacks_its_argument)((normal(3), normal(3)), np.ones(3))


def test_an_integer_argument_is_refused_as_in_reverse_mode():
    with pytest.raises(s2s.DtypeError, match="integer"):
        s2s.jvp(tanh_sum)(np.arange(3), np.ones(3))


def test_a_loop_that_runs_zero_times_gives_a_zero_tangent():
    value, tangent = s2s.jvp(flow.rnn, wrt=(0, 1))(normal(3), normal(3), normal(0, 3),
                                                  np.ones(3), np.ones(3))  # fmt: skip
    assert value == 0.0 and tangent == 0.0


def doubled_appended(x):
    ys = []
    ys.append(x[0] * 1.0)
    ys.append(x[2])
    return np.array(ys) * 2


def test_the_tangent_of_an_array_built_from_a_list_is_an_array():
    """``np.array(ys)``'s tangent is an array, not the list of the items' tangents (a list
    times 2 repeats the list; it crashed on the shapes here)."""
    x, v = np.array([0.3, -0.2, 0.5]), np.array([1.0, 10.0, 100.0])
    value, tangent = s2s.jvp(doubled_appended)(x, v)
    np.testing.assert_array_equal(value, [0.6, 1.0])
    assert isinstance(tangent, np.ndarray)
    np.testing.assert_allclose(tangent, [2.0, 200.0], rtol=1e-15)


def ones_or_doubled(x, n):
    if n == 0:
        return np.ones_like(x)
    return x * 2.0


def times_helper(w):
    return np.sum(ones_or_doubled(w, 0) * w)


def power_rec(x, n):
    if n == 0:
        return np.ones_like(x)
    return x * power_rec(x, n - 1)


def cubes(w):
    return np.sum(power_rec(w, 3))


def test_a_helper_returning_a_constant_on_the_path_taken_gives_a_zero_tangent():
    """The returned tangent is ``None`` on the arm that returns a constant (it raised
    UnboundLocalError 'result_dot' in the generated helper), so hvp of a recursion with a
    constant base case works too."""
    w, v = np.array([0.3, -0.5, 0.9]), np.array([1.0, -2.0, 0.5])
    value, tangent = s2s.jvp(times_helper)(w, v)
    assert value == pytest.approx(np.sum(w))
    assert tangent == pytest.approx(along(times_helper, w, v), rel=1e-8)
    value, tangent = s2s.jvp(ones_or_doubled)(w, 0, v)
    np.testing.assert_array_equal(tangent, np.zeros(3))
    s2s.check_grad(times_helper, w, modes=("fwd", "rev"), order=2)
    s2s.check_grad(cubes, w, modes=("fwd", "rev"), order=2)
    hvp = s2s.hvp(cubes)(w, v)
    expected = along(s2s.grad(cubes), w, v)
    np.testing.assert_allclose(hvp, expected, rtol=1e-7)
    np.testing.assert_allclose(hvp, 6 * w * v, rtol=1e-12)


def pairs_of_outputs(x):
    a = np.sin(x)
    return (a, x), (x * 2.0, 1.5)


def test_a_returned_tuple_of_tuples_has_the_tangents_of_its_items():
    """Each item of a nested returned tuple gets its own tangent (the nested items were
    given zeros: a jvp of a function calling the jvp of a jvp, whose derivative returns
    ``(value, tangent)`` pairs, was 0 at third order); a constant item's tangent is 0."""
    x, v = np.array([0.3, -0.5]), np.array([1.0, -2.0])
    (pair, other), ((d_a, d_x), (d_2x, d_const)) = s2s.jvp(pairs_of_outputs)(x, v)
    np.testing.assert_allclose(d_a, np.cos(x) * v, rtol=1e-14)
    np.testing.assert_array_equal(d_x, v)
    np.testing.assert_array_equal(d_2x, 2.0 * v)
    assert d_const == 0.0


BIG = np.linspace(-1.0, 1.0, 20000).reshape(200, 100)  # 160 KB: over the reuse threshold


def large_chain(x):
    a = np.tanh(x * 0.5)
    b = a + x
    c = np.sin(b) * x
    return np.sum(c * c)


def large_viewed(x):
    t = x * 2.0
    v = t.T  # a view of t: t's memory must not be reused
    u = t + 1.0
    w = u * 3.0
    return np.sum(v.T * w) + np.sum(u)


def large_copied(x):
    t = x * 2.0
    s = t  # a second name for t's array
    u = t + 1.0
    return np.sum(s * u)


@pytest.mark.parametrize("f", [large_chain, large_viewed, large_copied])
def test_forward_code_reuses_large_dead_temporaries_only_where_no_one_else_holds_them(f):
    """Large dead temporaries of forward code are written in place (`_s2s.into`) where their
    array is provably their own; a view or a second name of one keeps it. The tangent and the
    value agree with central differences and with the plain function."""
    rng = np.random.default_rng(5)
    v = rng.standard_normal(BIG.shape)
    jvp = s2s.jvp(f)
    value, tangent = jvp(BIG, v)
    assert value == pytest.approx(f(BIG), rel=1e-12)
    assert tangent == pytest.approx(along(f, BIG, v), rel=1e-6)
    source = jvp.source
    if f is large_chain:
        assert "_s2s.into(" in source
    if f is large_viewed:
        assert not re.search(r"_s2s\.into\(_np\.\w+, t\b", source), source
    if f is large_copied:
        assert not re.search(r"_s2s\.into\(_np\.\w+, t\b", source), source
    first = v.copy()
    jvp(BIG, v)
    np.testing.assert_array_equal(v, first)  # the caller's arrays are never written


def test_hvp_at_a_large_batch_reuses_temporaries_and_agrees_with_differences():
    def mlp(w, x):
        h = np.tanh(x @ w)
        return np.sum(h * h)

    rng = np.random.default_rng(6)
    w, v = rng.standard_normal((64, 128)) / 8, rng.standard_normal((64, 128))
    x = rng.standard_normal((256, 64))
    hvp = s2s.hvp(mlp)
    product = hvp(w, x, v)
    grad = s2s.grad(mlp)
    np.testing.assert_allclose(product, along(lambda y: grad(y, x), w, v), rtol=1e-5, atol=1e-7)
    assert "_s2s.into(" in hvp.source


# -- a list or tuple literal passed where an elementwise numpy function takes an array ---------
# (fresh-89 finding 2: jvp gave a zero tangent, grad of np.square((a, b)) repeated the tuple)


def sin_of_list(x):
    return np.sum(np.sin([x[0], x[1]]))


def square_of_tuple(x):
    return np.sum(np.square((x[0], x[1])))


def maximum_of_list(x):
    return np.sum(np.maximum([x[0], x[1]], 0.0) * x[2])


def multiply_of_lists(x):
    return np.sum(np.multiply([x[0], x[1]], [x[2], 2.0]))


def power_of_nested_list(x):
    return np.sum(np.power([[x[0], x[1]], [x[2], 1.5]], 2.0) * np.exp((x[1], x[2])))


def abs_of_slices(x):
    return np.sum(np.abs([x[:2], x[1:]]) * np.add((x[0], x[2]), 1.0))


def sin_of_named_tuple(x):
    t = (x[0], x[1])
    return np.sum(np.sin(t) * np.sinc([x[2], x[0]]))


LITERAL_ARGUMENTS = [sin_of_list, square_of_tuple, maximum_of_list, multiply_of_lists,
                     power_of_nested_list, abs_of_slices, sin_of_named_tuple]  # fmt: skip
X_LITERAL = np.array([0.3, -0.2, 0.5])
V_LITERAL = np.array([1.0, 2.0, -1.0])


@pytest.mark.parametrize("f", LITERAL_ARGUMENTS, ids=lambda f: f.__name__)
def test_a_literal_of_values_passed_to_a_ufunc_in_every_mode(f):
    x, v = X_LITERAL, V_LITERAL
    value, tangent = s2s.jvp(f)(x, v)
    assert value == pytest.approx(f(x), rel=1e-12)
    expected = along(f, x, v)
    assert expected != pytest.approx(0.0)
    assert tangent == pytest.approx(expected, rel=1e-7, abs=1e-9)
    numeric = numeric_gradient(f, (x,), 0)
    np.testing.assert_allclose(s2s.grad(f)(x), numeric, rtol=1e-7, atol=1e-9)
    _, pullback = s2s.vjp(f)(x)
    np.testing.assert_allclose(pullback(1.0), numeric, rtol=1e-7, atol=1e-9)
    grad = s2s.grad(f)
    np.testing.assert_allclose(s2s.hvp(f)(x, v), along(grad, x, v), rtol=1e-6, atol=1e-8)


def test_a_tuple_bound_to_a_name_passed_to_a_ufunc_forward_jacobian():
    def k(x):
        t = (x[0], x[1])
        return np.sin(t)

    expected = np.array([[np.cos(0.3), 0.0, 0.0], [0.0, np.cos(-0.2), 0.0]])
    np.testing.assert_allclose(s2s.jacobian(k, mode="forward")(X_LITERAL), expected, rtol=1e-12)
    np.testing.assert_allclose(s2s.jacobian(k, mode="reverse")(X_LITERAL), expected, rtol=1e-12)


def text_output(x):
    return "abc"


def value_and_text(x):
    return np.sum(x), "abc"


@pytest.mark.parametrize("f", [text_output, value_and_text], ids=lambda f: f.__name__)
def test_jvp_of_a_string_output_is_refused_at_the_return(f):
    with pytest.raises(s2s.DtypeError, match="a tangent needs a numeric output") as info:
        s2s.jvp(f)(X_LITERAL, V_LITERAL)
    assert_located(info.value, f, "return")
