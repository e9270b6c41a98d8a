"""False refusals found by a fresh user (fresh-123): constructs that README says work, or that
differentiate without ``checkpoint=``, were refused with untrue messages. Each now works and
is checked against central differences, or is refused with a true located message."""

from __future__ import annotations

import numpy as np
import pytest
from gradcheck import check_against_differences, check_every_order, numeric_gradient
from located import assert_located

import s2s

X3 = np.array([0.3, -0.4, 0.9])


def tuple_in_body(x, n):
    for _i in range(n):
        s = (np.sin(x), x)  # one display, bound again on each trip
        x = s[0] * s[1] + x
    return np.sum(x)


def tuple_in_body_read_whole(x, n):
    for _i in range(n):
        s = (np.sin(x), x * 2)
        x = np.stack(s).sum(axis=0) + len(s)
    return np.sum(x)


def tuple_in_body_of_a_written_array(x, n):
    for _i in range(n):
        y = x * 1.0
        y[0] = x[1] * 2
        s = (y, x)
        y = np.sin(x)
        x = s[0] * y + s[1]
    return np.sum(x)


@pytest.mark.parametrize("f", [tuple_in_body, tuple_in_body_read_whole,
                               tuple_in_body_of_a_written_array])  # fmt: skip
def test_a_tuple_made_in_a_loop_body_is_differentiated(f):
    """`s = (np.sin(x), x)` bound once in the source, in a loop's body, was refused as "bound
    to a tuple more than once" (fresh-123 5a); its items are now names of their own."""
    expected = numeric_gradient(f, [X3, 3], 0)
    np.testing.assert_allclose(s2s.grad(f)(X3, 3), expected, rtol=1e-6, atol=1e-9)
    v = np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(s2s.jvp(f)(X3, 3, v)[1], expected @ v, rtol=1e-6)


@pytest.mark.parametrize("f", [tuple_in_body, tuple_in_body_read_whole,
                               tuple_in_body_of_a_written_array])  # fmt: skip
def test_a_tuple_made_in_a_checkpointed_loop_body_is_differentiated(f):
    expected = numeric_gradient(f, [X3, 5], 0)
    for checkpoint in (2, "auto"):
        g = s2s.grad(f, checkpoint=checkpoint)(X3, 5)
        np.testing.assert_allclose(g, expected, rtol=1e-6, atol=1e-9)


def written_array_per_trip(x, n):
    for _i in range(n):
        y = np.zeros(2)
        y[0], y[1] = np.sin(x[1]), x[0] * x[1]
        x = y
    return np.sum(x)


def written_array_per_trip_two_writes(x, n):
    for _i in range(n):
        y = np.zeros(2)
        y[0] = np.sin(x[1])
        y[1] = x[0] * x[1]
        x = y
    return np.sum(x * x)


@pytest.mark.parametrize("f", [written_array_per_trip, written_array_per_trip_two_writes])
def test_every_order_of_a_loop_writing_into_an_array_made_in_its_body(f):
    """hvp, hessian and grad of grad were refused with a MutationError about a list `tape` (the
    derivative's own, fresh-123 finding 4): the write's check saw `tape.append(y)` and `x = y`
    anywhere in the derivative's code, though `y` (or `x`) was bound again before the write."""
    check_every_order(f, np.array([0.3, -0.4]), 3)


def written_then_listed(x):
    ys = []
    y = x * 1.0
    y[0] = 0.0  # written before it is appended
    ys.append(y)
    y = np.sin(x)
    return np.sum(ys[0] * y)


def listed_then_written(x):
    ys = []
    y = x * 1.0
    ys.append(y)
    y[0] = 0.0  # HERE: the list's item changes too
    return np.sum(ys[0] * x)


def test_a_write_before_the_append_is_differentiated_and_one_after_it_refused():
    """`y[0] = 0.0; ys.append(y)` was refused as "changed in place, but it was put in the list
    `ys`" (fresh-123 finding 4): only a write that may come after the append is."""
    check_against_differences(written_then_listed, X3)
    with pytest.raises(s2s.MutationError, match="put in the list `ys`") as info:
        s2s.grad(listed_then_written)(X3)
    assert_located(info.value, listed_then_written, "# HERE", "ys.append(y.copy())")


def fresh_product(x, n):
    y = x * 1.0
    for _i in range(n):
        z = y * 2  # a new array made in the body
        z[0] = y[1]
        y = np.sin(z)
    return np.sum(y * y)


def fresh_negation(x, n):
    y = x * 1.0
    for _i in range(n):
        z = -y
        z[0] = y[1]
        y = np.sin(z)
    return np.sum(y * y)


def fresh_ufunc(x, n):
    y = x * 1.0
    for _i in range(n):
        z = np.sin(y)
        z[0] = y[1]
        y = np.cos(z) + y
    return np.sum(y * y)


def fresh_stack(x, n):
    y = x * 1.0
    for _i in range(n):
        z = np.stack([y[1], y[0]])
        z[0] = y[0] * y[1]
        y = np.sin(z) + np.zeros(2) + y
    return np.sum(y * y)


@pytest.mark.parametrize("f", [fresh_product, fresh_negation, fresh_ufunc, fresh_stack])
def test_a_checkpointed_trip_writes_into_an_array_it_made_by_arithmetic(f):
    """`z = y * 2; z[0] = v` in a checkpointed trip was refused as writing into an array "that
    lives across its trips" unless a maker made `z` (fresh-123 finding 5): an operator's, a
    ufunc's or np.stack's result is new too."""
    x = np.array([0.3, -0.4])
    expected = numeric_gradient(f, [x, 4], 0)
    for checkpoint in (None, 2, "auto"):
        g = s2s.grad(f, checkpoint=checkpoint)(x, 4)
        np.testing.assert_allclose(g, expected, rtol=1e-6, atol=1e-9)


def method_in_trip(x, n):
    y = x * 1.0
    for _i in range(n):
        z = y.clip(-5.0, 5.0)  # a method s2s does not know makes a new array here
        z[0] = y[1] * 2  # HERE
        y = np.sin(z)
    return np.sum(y)


def carried_written(x, n):
    y = x * 1.0
    for _i in range(n):
        y[0] = np.sin(y[1])  # HERE
        y = y * 1.5
    return np.sum(y)


def test_a_checkpointed_write_into_what_may_be_older_is_refused_with_true_advice():
    """A write into a value the trip binds that may share memory with the carried state, or
    into the carried state, stays refused; the advice named a made-up `x.at_index...` and
    told to make the array in the body, which the user had; it now names the written value."""
    x = np.array([0.3, -0.4])
    with pytest.raises(s2s.UnsupportedSyntaxError, match="binds to a value s2s cannot show is "
                       "new") as info:  # fmt: skip
        s2s.grad(method_in_trip, checkpoint=2)(x, 3)
    assert_located(info.value, method_in_trip, "# HERE", "`z = z.copy()`")
    assert "at_index" not in str(info.value)
    with pytest.raises(s2s.UnsupportedSyntaxError, match=r"lives across its trips \(`y`") as info:
        s2s.grad(carried_written, checkpoint=2)(x, 3)
    assert_located(info.value, carried_written, "# HERE", "`new = y.copy()` in the trip")
    assert "at_index" not in str(info.value)


def dict_read_in_loop(x, n):
    d = {"h": x * 2}  # bound once
    q = x * 7
    for _i in range(n):
        q = np.sin(q) + d["h"]
    return np.sum(q)


def dict_read_by_methods_in_loop(x, n):
    d = {"h": x * 2, "k": 0.5}
    q = x * 7
    for _i in range(n):
        q = np.sin(q) * d["k"] + d.get("h")
        for _key, v in d.items():
            q = q + v * 0.1
    return np.sum(q)


def dict_made_in_trip(x, n):
    q = x * 7
    for _i in range(n):
        d = {"h": np.sin(q)}
        d["g"] = q * 2
        q = d["h"] + d["g"] * 0.1
    return np.sum(q)


@pytest.mark.parametrize("f", [dict_read_in_loop, dict_read_by_methods_in_loop,
                               dict_made_in_trip])  # fmt: skip
def test_a_local_dict_read_in_a_checkpointed_loop_is_differentiated(f):
    """`d = {"h": x * 2}` bound once and read as `d["h"]` in a checkpointed loop was refused as
    "bound more than once" (fresh-123 5b: the loop's trips, a nested def, read it); `.get` and
    `.items()` of it were refused as calls that may draw random numbers."""
    expected = numeric_gradient(f, [X3, 3], 0)
    for checkpoint in (None, 2, "auto"):
        g = s2s.grad(f, checkpoint=checkpoint)(X3, 3)
        np.testing.assert_allclose(g, expected, rtol=1e-6, atol=1e-9)


def dict_written_in_loop(x, n):
    d = {"h": x * 2}
    q = x * 7
    for _i in range(n):
        d["h"] = np.sin(q)  # HERE
        q = q + d["h"]
    return np.sum(q)


def test_a_local_dict_written_in_a_checkpointed_loop_is_refused_at_the_write():
    with pytest.raises(s2s.UnsupportedSyntaxError, match=r"lives across its trips \(`d`") as info:
        s2s.grad(dict_written_in_loop, checkpoint=2)(X3, 3)
    assert_located(info.value, dict_written_in_loop, "# HERE", "`new = d.copy()` in the trip")


def item_and_second_name(x):
    y = x * 1.0
    y[0], z = x[1] * 7, y  # HERE
    return np.sum(z * x)


def item_and_plain_name(x):
    y = x * 1.0
    y[0], z = x[1] * 7, np.sin(x)
    return np.sum(z * y)


def test_an_item_and_a_name_assigned_together_name_the_users_name():
    """`y[0], z = v, y` was refused saying `z_1` (a name s2s made) is a view of `y`: the plain
    name is now bound in the unpacking itself, so the message names `z`."""
    with pytest.raises(s2s.MutationError, match="`z` is a view of it") as info:
        s2s.grad(item_and_second_name)(X3)
    assert_located(info.value, item_and_second_name, "# HERE")
    assert "z_1" not in str(info.value)
    check_against_differences(item_and_plain_name, X3)


def einsum_view_written(x):
    y = x * 1.0
    z = np.einsum("i->i", y)  # numpy returns a view of y
    z[0] = y[1] * 3  # HERE
    return np.sum(y * x)


def einsum_product_written(x):
    m = np.outer(x, x)
    z = np.einsum("ij,j->i", m, x)  # a new array
    z[0] = x[1] * 3
    return np.sum(z * x)


def test_a_write_into_an_einsum_of_one_operand_is_refused():
    """`np.einsum("i->i", y)` is a view of `y` (numpy returns views for one operand without a
    sum), so writing into it changes `y`: s2s gave a wrong gradient without a word, found while
    fixing fresh-123 finding 5. Two operands make a new array, written as any other."""
    assert np.shares_memory(np.einsum("i->i", X3), X3)
    with pytest.raises(s2s.MutationError, match="may share memory") as info:
        s2s.grad(einsum_view_written)(X3)
    assert_located(info.value, einsum_view_written, "# HERE")
    check_against_differences(einsum_product_written, X3)


def einsum_sum_written(x):
    m = np.outer(x, x)
    z = np.einsum("ij->i", m)  # a sum over j: a new array
    z[0] = x[1] * 3
    w = np.einsum("ii", m)  # the trace: a new (0-d) array
    return np.sum(z * x) + w


def test_an_einsum_of_one_operand_that_sums_is_written_as_a_new_array():
    """fresh-128: `np.einsum("ij->i", M)`, `"ij->"`, `"ii"` sum over an axis, and numpy
    returns new arrays for them; they were refused as views of `M`."""
    m = np.eye(3)
    for subscripts in ("ij->i", "ij->", "ii", "ii->", "i...->..."):
        assert not np.shares_memory(np.einsum(subscripts, m), m)
    assert np.shares_memory(np.einsum("ii->i", m), m)  # no sum: still a view (refused)
    check_against_differences(einsum_sum_written, X3)
