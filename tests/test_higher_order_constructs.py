"""Second order on the constructs first order covers: ``hvp``, ``hessian`` and ``check_grad``.

Each function is one a fresh user found failing under ``s2s.hvp``, ``s2s.hessian`` or
``check_grad(order=2)`` although ``grad`` and ``jvp`` handled it: a write into a local array
(the gradient's tape saves the overwritten entries with ``_s2s.overwritten``, which had no rule,
and binds the array to ``None`` first, which the aliasing check took for shared memory), a
nested ``def`` capturing a value (the gradient's lifted ``def`` has keyword-only parameters,
which the signature of a nested def left out, and calls ``_s2s.pullback_of(inner, wrt)`` with
``inner`` made at run time), a loop indexing an array (the loop index, pushed on the gradient's
tape with floats, was taken for a float reaching ``x[i]``'s key), items of a list, and list
comprehensions (the helpers that take a list's cotangent apart had no rules; the gradient binds
a list to ``None`` before its tape, and names a comprehension's list a second time). The
Hessian is checked against central differences of the gradient, column by column, and the
Hessian-vector product against the Hessian.
"""

from __future__ import annotations

import numpy as np
import pytest
import test_calls as calls
import test_construct_modes as modes
import test_control_flow as flow
import test_mutation as mutation
from gradcheck import along

import s2s

RNG = np.random.default_rng(20261205)


def local_array_writes(x):
    y = np.zeros(3)
    y[0] = x[0] ** 2
    y[1:] = x[1:] * x[0]
    y[2] += np.sin(x[1])
    return np.sum(y * x)


def nested_def_capturing(x, w):
    scale = w * 2.0

    def inner(v):
        return np.tanh(v * scale)

    return np.sum(inner(x) * w)


def list_items(x):
    ys = []
    ys.append(x[0] ** 2)
    ys.append(np.sin(x[1]) * x[2])
    return ys[1] * ys[0] + np.sum(np.stack(ys) ** 2)


def row_read_and_written(x):  # buf[k] = buf[k] + ...: the gradient's row view, its own line
    buf = np.zeros((3, 2))
    for k in range(2):
        buf[k] = buf[k] + np.tanh(x[k]) * 0.5
    buf[2] = buf[2] + x[0] * x[1]
    return np.sum(buf**2)


def slice_added_into(x):  # buf[:-1] += ...: the gradient reads the slice view's shape after
    buf = np.maximum(x, x) * 1.0
    buf[:-1] += x[1:] * x[:-1]
    return np.sum(buf * buf)


def _finite_difference_hessian(f, args, i):
    grad = s2s.grad(f, wrt=i)
    x = args[i]
    columns = []
    for k in range(x.size):
        e = np.zeros(x.size)
        e[k] = 1.0
        e = e.reshape(x.shape)

        def g(t, e=e):
            moved = list(args)
            moved[i] = t
            return grad(*moved)

        columns.append(along(g, x, e, 1e-5))
    return np.stack(columns, axis=-1).reshape(x.shape + x.shape)


CASES = [
    ("a write into a local array", local_array_writes, (RNG.normal(size=3),)),
    ("writes: elements, slices, masks, in a loop", mutation.fill, (RNG.normal(size=4), 0.7)),
    ("writes with repeated indices, columns", mutation.overwrite_with_repeats,
     (RNG.normal(size=(3, 2)),)),
    ("a nested def capturing a value", nested_def_capturing, (RNG.normal(size=3),
                                                              RNG.normal(size=3))),
    ("nested defs capturing values", calls.closure_model, (RNG.normal(size=2),
                                                           RNG.normal(size=2), RNG.normal(size=2))),
    ("a recursive nested def capturing a value", calls.recursive_closure,
     (RNG.normal(size=3), RNG.normal(size=3))),
    ("items of a list", list_items, (RNG.normal(size=3),)),
    ("a row read and written back", row_read_and_written, (RNG.normal(size=(2, 2)),)),
    ("a slice added into", slice_added_into, (RNG.normal(size=4),)),
    ("lists appended in a loop", mutation.collect, (RNG.normal(size=3), RNG.normal(size=3))),
    ("list comprehensions", mutation.comprehensions, (RNG.normal(size=3), RNG.normal(size=3))),
    ("lists, tuples, comprehensions", modes.lists_and_tuples, (RNG.normal(size=3),)),
    ("nested literals", modes.nested_literals, (RNG.normal(size=3),)),
    ("nested loops indexing", flow.triangle, (RNG.normal(size=4), 3)),
    ("break, continue, for-else", flow.jumps, (np.array([0.1, 0.9, 0.3]),)),
    ("an early return in a loop", modes.early_return_in_loop, (RNG.normal(size=4),)),
    ("loops over range, arrays, enumerate, zip", modes.loops_over_range_array_enumerate_zip,
     (RNG.normal(size=(3, 2)), RNG.normal(size=2))),
]  # fmt: skip


@pytest.mark.parametrize("f, args", [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_hessian_and_hvp_agree_with_differences_of_the_gradient(f, args):
    expected = _finite_difference_hessian(f, args, 0)
    hessian = s2s.hessian(f, wrt=0)(*args)
    np.testing.assert_allclose(hessian, expected, rtol=1e-5, atol=1e-6)
    v = RNG.normal(size=np.shape(args[0]))
    hv = s2s.hvp(f, wrt=0)(*args, v)
    np.testing.assert_allclose(hv, np.tensordot(hessian, v, axes=np.ndim(v)), rtol=1e-10,
                               atol=1e-12)  # fmt: skip


@pytest.mark.parametrize("f, args", [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_check_grad_to_second_order_in_every_argument(f, args):
    wrt = tuple(i for i, a in enumerate(args) if isinstance(a, np.ndarray))
    s2s.check_grad(f, *args, wrt=wrt, modes=("fwd", "rev"), order=2)


def branch(x):
    if np.sum(x) > 0:
        y = x**3
    else:
        y = x**2
    return np.sum(y)


def loop(x):
    s = 0.0
    for i in range(3):
        s = s + np.sum(np.sin(x) * i)
    return s


def while_loop(x):
    y, n = x, 0
    while n < 3:
        y = np.tanh(y)
        n += 1
    return np.sum(y)


def squares(x, n):
    if n == 0:
        return x
    return squares(x * x, n - 1)


def recursion(x):
    return np.sum(squares(x, 2))


def product_of_items(t):
    return t[0] * t[1]


def tuple_to_a_helper(x):
    return np.sum(product_of_items((x, np.sin(x))))


def three_items(t):
    a, b, c = t
    return a * b + c


def unpacked_tuple_to_a_helper(x):
    return np.sum(three_items((x, np.cos(x), x**2)))


def pair_of(t):
    return t[0] * 2.0, t[1] * t[0]


def tuple_in_and_out_of_a_helper(x):
    a, b = pair_of((x, np.tanh(x)))
    return np.sum(a * b)


def first_of_first(t):
    return t[0][0] * t[1]


def nested_tuple_to_a_helper(x):
    return np.sum(first_of_first(((x, x), np.exp(x))))


def product_of_list(xs):
    return xs[0] * xs[1]


def list_to_a_helper(x):
    return np.sum(product_of_list([x, np.sin(x)]))


@pytest.mark.parametrize("f", [nested_tuple_to_a_helper, list_to_a_helper])
def test_a_list_or_nested_tuple_passed_to_a_helper_under_hvp_and_hessian(f):
    """The gradient calls the helper's pullback with the list (a container argument): its JVP
    is taken over the pullback's leaf-by-leaf form."""
    x, v = RNG.normal(size=3), RNG.normal(size=3)
    gradient = s2s.grad(f)
    expected = along(gradient, x, v, 1e-5)
    np.testing.assert_allclose(s2s.hvp(f)(x, v), expected, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(s2s.hessian(f)(x) @ v, expected, rtol=1e-6, atol=1e-9)


def _gradient_along(x):
    return np.sum(s2s.grad(list_to_a_helper)(x) * np.arange(3.0))


def test_reverse_over_a_helpers_pullback_of_a_list():
    """The gradient calls the helper's pullback with the list; reverse mode over it takes the
    cotangent of the pullback's output (the list's, stacked into one array) apart leaf by
    leaf."""
    x = RNG.normal(size=3)
    second = s2s.grad(_gradient_along)(x)
    expected = [along(_gradient_along, x, e, 1e-5) for e in np.eye(3)]
    np.testing.assert_allclose(second, expected, rtol=1e-6, atol=1e-9)


def tanh_of_a_product(p):
    return np.sum(np.tanh(p["w"] * p["b"]) ** 2) + p["c"] * np.sum(p["w"] ** 3)


def sum_of_a_list(xs):
    return np.sum(xs[0] * np.sin(xs[1]) ** 2)


def test_vjp_of_the_gradient_of_a_dict_or_list_function():
    """``vjp(grad(f))`` over a container argument: the cotangent has the gradient's structure
    and so has the pullback's result, the Hessian times the cotangent (symmetric: hvp's)."""
    p = {"w": RNG.normal(size=3), "b": RNG.normal(size=3), "c": 0.7}
    u = {"w": RNG.normal(size=3), "b": RNG.normal(size=3), "c": 1.3}
    value, pullback = s2s.vjp(s2s.grad(tanh_of_a_product))(p)
    gradient = s2s.grad(tanh_of_a_product)
    for k in p:
        np.testing.assert_allclose(value[k], gradient(p)[k], rtol=1e-12)
    back = pullback(u)
    leaves, unravel = s2s.tree.ravel(p)
    direction, _ = s2s.tree.ravel(u)
    flat = lambda t: s2s.tree.ravel(gradient(unravel(t)))[0]  # noqa: E731
    expected = unravel(along(flat, leaves, direction, 1e-5))
    for k in p:
        np.testing.assert_allclose(back[k], expected[k], rtol=1e-6, atol=1e-9)
    xs = [RNG.normal(size=2), RNG.normal(size=2)]
    v = [RNG.normal(size=2), None]  # None: a zero cotangent for that item
    _, pullback = s2s.vjp(s2s.grad(sum_of_a_list))(xs)
    back = pullback(v)
    hv = s2s.hvp(sum_of_a_list)(xs, [v[0], np.zeros(2)])
    for i in range(2):
        np.testing.assert_allclose(back[i], hv[i], rtol=1e-10, atol=1e-12)


def test_reverse_over_a_container_gradient_refusals_are_located():
    """grad of a gradient that is a container has no scalar output; a cotangent of the wrong
    structure is named; both at the user's line, with advice."""
    p = {"w": RNG.normal(size=3), "b": RNG.normal(size=3), "c": 0.7}
    with pytest.raises(s2s.UsageError, match="needs a scalar output") as info:
        s2s.grad(s2s.grad(tanh_of_a_product))(p)
    assert info.value.where.lineno > 0 and "s2s.vjp" in str(info.value)
    _, pullback = s2s.vjp(s2s.grad(tanh_of_a_product))(p)
    with pytest.raises(s2s.UsageError, match="structure of `p`") as info:
        pullback({"w": np.ones(3)})
    assert info.value.where.lineno > 0


def weighted_square(t):
    return np.sum(t[0] ** 2 * np.sin(t[1]))


def first_part_of_the_gradient(t):
    return np.sum(s2s.grad(weighted_square)(t)[0] * np.arange(1.0, 4.0))


def test_grad_of_grad_with_a_tuple_argument():
    """The inner gradient returns a tuple (one part per item); the outer pullback takes a list
    cotangent for it, zeros for the item it gives none."""
    t = (RNG.normal(size=3), RNG.normal(size=3))
    second = s2s.grad(first_part_of_the_gradient)(t)
    for i in range(2):
        for k in range(3):
            e = [np.zeros(3), np.zeros(3)]
            e[i][k] = 1.0
            expected = along(lambda s, e=e: first_part_of_the_gradient(
                (t[0] + s * e[0], t[1] + s * e[1])), 0.0, 1.0, 1e-5)  # fmt: skip
            np.testing.assert_allclose(second[i][k], expected, rtol=1e-6, atol=1e-9)


GRAD_OF_GRAD = [
    ("a branch", branch, np.array([0.3, -0.2, 0.5])),
    ("a branch, the other arm", branch, np.array([-0.3, -0.2, 0.1])),
    ("a loop", loop, RNG.normal(size=3)),
    ("a while loop", while_loop, RNG.normal(size=3)),
    ("recursion", recursion, RNG.normal(size=3)),
    ("writes into a local array", local_array_writes, RNG.normal(size=3)),
    ("items of a list", list_items, RNG.normal(size=3)),
    ("a tuple passed to a helper", tuple_to_a_helper, RNG.normal(size=3)),
    ("a tuple unpacked by a helper", unpacked_tuple_to_a_helper, RNG.normal(size=3)),
    ("a tuple into and out of a helper", tuple_in_and_out_of_a_helper, RNG.normal(size=3)),
]


@pytest.mark.parametrize("f, x", [pytest.param(*c[1:], id=c[0]) for c in GRAD_OF_GRAD])
def test_reverse_over_reverse_through_a_tape_agrees_with_differences_of_the_gradient(f, x):
    """``s2s.grad`` of a function calling ``s2s.grad(f)``: the gradient's tape (a list it
    appends to and pops) is differentiated like a list of the user's, each pop undone by an
    append of the item and of its cotangent."""
    v = RNG.normal(size=x.shape)
    gradient = s2s.grad(f)
    second = s2s.grad(lambda z: np.sum(gradient(z) * v))(x)
    expected = _finite_difference_hessian(f, (x,), 0)
    np.testing.assert_allclose(second, np.tensordot(v, expected, axes=1), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(second, s2s.hvp(f)(x, v), rtol=1e-10, atol=1e-12)  # symmetric
    np.testing.assert_allclose(s2s.hessian(f)(x), expected, rtol=1e-6, atol=1e-8)


def _first_partial(y):
    return s2s.grad(while_loop)(y)[0]


def _mixed_second(z):
    return s2s.grad(_first_partial)(z)[1]


def test_reverse_over_reverse_to_third_order_through_a_tape():
    """d/dx (d2 f / dx0 dx1), reverse over reverse over reverse, against central differences
    of the second derivative (itself reverse over reverse)."""
    x = RNG.normal(size=3)
    third = s2s.grad(_mixed_second)(x)
    for k in range(3):
        expected = along(_mixed_second, x, np.eye(3)[k], 1e-5)
        np.testing.assert_allclose(third[k], expected, rtol=1e-5, atol=1e-8)


def test_check_grad_to_second_order_in_both_modes_through_recursion_and_loops():
    s2s.check_grad(calls.recursive_closure, RNG.normal(size=3), RNG.normal(size=3), order=2)
    s2s.check_grad(branch, np.array([0.3, -0.2, 0.5]), order=2)


def slice_written_then_read(x):  # the gradient reads a view of `out` its restores change
    out = np.zeros(x.size + 2)
    out[:2] = x[:2]
    return np.sum(out[:2] ** 3) + np.sum(out * x[0])


def padded_laplacian(x):  # a zero boundary written into a padded array
    u = np.zeros(x.size + 2)
    u[1:-1] = x
    lap = u[2:] - 2 * u[1:-1] + u[:-2]
    return np.sum(lap**2) + np.sum(u[1:-1] ** 4)


def row_from_row(x):
    out = np.zeros((2, x.size))
    out[0] = x
    out[1] = out[0] * x
    return np.sum(out**2)


def trajectory(x):
    out = np.zeros((3, x.size))
    out[0] = x
    for t in range(2):
        out[t + 1] = out[t] * x
    return np.sum(out**2)


def block_and_column(x):
    U = np.zeros((3, 3))
    U[1, 1:3] = x[:2]
    U[:, 0] = x[2]
    return np.sum(np.tanh(U) ** 2) + np.sum(U[1] * U[:, 0])


def view_kept_across_a_write(x):  # y views the entries the next write overwrites
    out = np.zeros(x.size + 1)
    out[1:] = x
    y = out[1:]
    z = np.sin(y) * y
    out[1:] = 0.5
    return np.sum(z * x) + np.sum(out)


WRITE_THEN_READ = [
    ("a slice written, then read", slice_written_then_read),
    ("a padded array's interior", padded_laplacian),
    ("a row written from the row before", row_from_row),
    ("a trajectory row by row in a loop", trajectory),
    ("a block of a row and a column", block_and_column),
    ("a view kept across a write", view_kept_across_a_write),
]


@pytest.mark.parametrize("f", [pytest.param(c[1], id=c[0]) for c in WRITE_THEN_READ])
def test_reverse_over_reverse_after_writes_into_a_local_array(f):
    """Reverse over the gradient of a function writing into a local array and reading the
    entries back: the gradient's pullback restores the entries it overwrote in the array
    itself (not in a copy), so the views of it the gradient read see what they saw; this
    dropped every term through them (a Hessian of 0). Against central differences of the
    gradient and against ``s2s.hessian`` (forward over reverse)."""
    x = RNG.normal(size=3)
    expected = _finite_difference_hessian(f, (x,), 0)
    gradient = s2s.grad(f)
    reverse = s2s.jacobian(gradient, mode="reverse")(x)
    np.testing.assert_allclose(reverse, expected, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(reverse, s2s.hessian(f)(x), rtol=1e-10, atol=1e-12)
    v = RNG.normal(size=3)
    second = s2s.grad(lambda z: np.sum(gradient(z) * v))(x)
    np.testing.assert_allclose(second, expected @ v, rtol=1e-6, atol=1e-8)


def test_a_pullback_reading_a_view_across_a_write_runs_twice_alike():
    """First order already: ``vjp``'s pullback reads ``y = out[1:]``, which a later write
    overwrote; it restores ``out`` in place, then puts its final entries back, so a second
    call gives the same cotangent and the value returned is untouched."""
    x = RNG.normal(size=3)
    value, pullback = s2s.vjp(view_kept_across_a_write)(x)
    first = pullback(1.0)
    np.testing.assert_allclose(first, s2s.grad(view_kept_across_a_write)(x), rtol=1e-12)
    expected = [along(view_kept_across_a_write, x, e, 1e-5) for e in np.eye(3)]
    np.testing.assert_allclose(first, expected, rtol=1e-6, atol=1e-9)
    np.testing.assert_array_equal(pullback(1.0), first)
    assert value == view_kept_across_a_write(x)


def product_and_sum(a, b):
    return a * b, a + b


def square_and_sine(a):
    return a * a, np.sin(a)


def second_output_unused(x):
    p, q = product_and_sum(x, x)
    return np.sum(p**2)


def second_output_discarded(x):
    a, _ = square_and_sine(x)
    return np.sum(a**3)


def first_output_indexed(x):
    return np.sum(square_and_sine(x)[0] ** 3)


def result_unpacked_later(x):
    r = square_and_sine(x)
    a, b = r
    return np.sum(a**3)


def cell(h, c, x):
    c = np.tanh(c * x + h)
    return np.sin(c) * h, c


def last_cell_state_unused(x):  # the last c gets no cotangent, the earlier ones do
    h, c = x * 0.5, x * 0.3
    for _ in range(3):
        h, c = cell(h, c, x)
    return np.sum(h**2)


UNUSED_OUTPUTS = [
    ("p, q = two(x, x), q unused", second_output_unused),
    ("a, _ = two(x)", second_output_discarded),
    ("two(x)[0]", first_output_indexed),
    ("r = two(x); a, b = r", result_unpacked_later),
    ("h, c = cell(h, c, x) in a loop, the last c unused", last_cell_state_unused),
]


@pytest.mark.parametrize("f", [pytest.param(c[1], id=c[0]) for c in UNUSED_OUTPUTS])
def test_second_order_through_a_helper_output_without_a_cotangent(f):
    """The gradient pulls ``(d_p, None)`` back through the helper; differentiated again, the
    tuple's ``None`` (no tangent space) made an internal ``KeyError: 'cotangent'``: the
    differentiable gradient passes zeros for it (``_s2s.dense_tangent``)."""
    x, v = RNG.normal(size=3), RNG.normal(size=3)
    expected = _finite_difference_hessian(f, (x,), 0)
    np.testing.assert_allclose(s2s.hessian(f)(x), expected, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2s.hvp(f)(x, v), expected @ v, rtol=1e-6, atol=1e-8)
    gradient = s2s.grad(f)
    second = s2s.grad(lambda z: np.sum(gradient(z) * v))(x)
    np.testing.assert_allclose(second, expected @ v, rtol=1e-6, atol=1e-8)
    reverse = s2s.jacobian(gradient, mode="reverse")(x)
    np.testing.assert_allclose(reverse, expected, rtol=1e-6, atol=1e-8)


def slice_scaled_in_place(x):
    out = np.ones(4)
    out[1:] *= x
    return np.sum(out**3)


def row_scaled_in_place(x):
    out = np.ones((2, 3))
    out[0] *= x
    return np.sum(out**2)


def column_from_column(x):
    out = np.zeros((3, 2))
    out[:, 0] = x
    out[:, 1] = out[:, 0] * x
    return np.sum(out**2)


def slice_from_itself(x):
    out = np.ones(4)
    out[1:] = out[1:] * x
    return np.sum(out**3)


def row_times_row(x):
    y = np.zeros((3, 3))
    y[:] = x
    y[1] = y[1] * y[0]
    return np.sum(y**2)


def shifted_slice_added(x):
    out = np.ones(3) * 0.5
    out[1:] += out[:-1] * x[1:]
    return np.sum(out**3)


def reshaped_view_then_row(x):  # a view (reshape) of the array, then a slice of that view
    out = np.zeros((2, 3))
    out[0] = x
    flat = out.reshape(-1)
    out[1] = flat[:3] * x
    return np.sum(out**2)


SELF_UPDATES = [
    ("out[1:] *= x", slice_scaled_in_place),
    ("out[0] *= x", row_scaled_in_place),
    ("out[:, 1] = out[:, 0] * x", column_from_column),
    ("out[1:] = out[1:] * x", slice_from_itself),
    ("y[1] = y[1] * y[0]", row_times_row),
    ("out[1:] += out[:-1] * x[1:]", shifted_slice_added),
    ("out[1] = out.reshape(-1)[:3] * x", reshaped_view_then_row),
]


@pytest.mark.parametrize("f", [pytest.param(c[1], id=c[0]) for c in SELF_UPDATES])
def test_second_order_of_a_slice_updated_from_the_array_itself(f):
    """The gradient reads its view ``getitem_1 = out[1:]`` after writing ``out[1:]`` (in its
    adjoint sweep, once the entries are restored); differentiated again, that read after a
    write was refused (MutationError about `getitem_1`, some at a generated line). The
    differentiable gradient copies such a view where it is made (``_np.copy(out[1:])``)."""
    x, v = RNG.normal(size=3), RNG.normal(size=3)
    expected = _finite_difference_hessian(f, (x,), 0)
    np.testing.assert_allclose(s2s.hessian(f)(x), expected, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2s.hvp(f)(x, v), expected @ v, rtol=1e-6, atol=1e-8)
    gradient = s2s.grad(f)
    second = s2s.grad(lambda z: np.sum(gradient(z) * v))(x)
    np.testing.assert_allclose(second, expected @ v, rtol=1e-6, atol=1e-8)


def row_kept_across_a_write(x, i, j):
    out = np.zeros((3, 3))
    out[:] = x
    r = out[i]
    out[j] = out[j] * x
    return np.sum(r * x) + np.sum(out**2)


def test_a_row_view_reached_by_a_later_write_is_still_refused_at_second_order():
    """The differentiable gradient keeps a view its write checks at run time: a write that
    reaches it is refused at the user's line under hvp as under grad; one that does not is
    differentiated."""
    x, v = RNG.normal(size=3), RNG.normal(size=3)
    f = row_kept_across_a_write
    gradient = lambda z: s2s.grad(f)(z, 0, 1)  # noqa: E731
    expected = np.stack([along(gradient, x, e, 1e-5) for e in np.eye(3)], axis=-1)
    np.testing.assert_allclose(s2s.hvp(f)(x, 0, 1, v), expected @ v, rtol=1e-6, atol=1e-8)
    for derivative in (lambda: s2s.grad(f)(x, 1, 1), lambda: s2s.hvp(f)(x, 1, 1, v)):
        with pytest.raises(s2s.MutationError, match="`r` \\(line") as info:
            derivative()
        assert info.value.where.filename == __file__
