"""Writes into an argument's name after the function rebound it to a new array (``w =
w.copy()``, ``np.array(w)``, ``np.copy(w)``, ``w * 1``, in an ``if`` or a loop too): the write
goes to the copy, is differentiated (against central differences) and leaves the caller's array
alone; a write that some path reaches with the argument still bound is refused as before
(fresh-77 B5: the refusal's own advice, ``w = w.copy()``, was refused)."""

import numpy as np
import pytest
from gradcheck import along
from gradcheck import check_against_differences as check
from located import assert_located

import s2s


def copied(x, w):
    w = w.copy()
    w[0] = x[0] ** 2
    return np.sum(w * x)


def copied_by_np_array(x, w):
    w = np.array(w)
    w[1:] = w[1:] * x[:2]
    return np.sum(np.sin(w) * x)


def copied_by_np_copy(x, w):
    w = np.copy(w)
    w[2] += x[1] * x[2]
    return np.sum(w * w)


def copied_by_scaling(x, w):
    w = w * 1
    w[0] = x[0] * w[1]
    return np.sum(w * x)


def copied_in_both_arms(x, w, flag):
    if flag:
        w = w.copy()
    else:
        w = w * 2.0
    w[0] = x[0] ** 2
    return np.sum(w * x)


def copied_and_written_in_an_arm(x, w, flag):
    if flag:
        w = w.copy()
        w[0] = x[0] ** 2
    return np.sum(w * x)


def copied_each_trip(x, w):
    for i in range(2):
        w = w * 2.0
        w[i] = x[i] * w[2]
    return np.sum(w * x)


def copied_before_a_loop_of_writes(x, w):
    w = np.copy(w)
    k = 0
    while k < 3:
        w[k] = w[k] * x[k]
        k += 1
    return np.sum(w)


def copied_then_updated_in_place(x, w):
    w = w.copy()
    w += x
    return np.sum(w * w)


def copied_in_both_arms_then_updated(x, w, flag):
    if flag:
        w = w.copy()
    else:
        w = w * 2.0
    w += x
    return np.sum(w * w)


CASES = [
    (copied, ()),
    (copied_by_np_array, ()),
    (copied_by_np_copy, ()),
    (copied_by_scaling, ()),
    (copied_in_both_arms, (True,)),
    (copied_in_both_arms, (False,)),
    (copied_and_written_in_an_arm, (True,)),
    (copied_and_written_in_an_arm, (False,)),
    (copied_each_trip, ()),
    (copied_before_a_loop_of_writes, ()),
    (copied_then_updated_in_place, ()),
    (copied_in_both_arms_then_updated, (True,)),
    (copied_in_both_arms_then_updated, (False,)),
]


@pytest.mark.parametrize("f, rest", CASES, ids=[f"{f.__name__}{rest}" for f, rest in CASES])
def test_writes_into_a_copy_of_an_argument(f, rest):
    x = np.array([0.3, -0.5, 0.7])
    w = np.array([1.5, 2.0, -1.0])
    before = w.copy()
    check(f, x, w, *rest, wrt=(0, 1))
    v = (np.array([0.2, 1.0, -0.4]), np.array([-0.3, 0.5, 0.8]))
    value, tangent = s2s.jvp(f, wrt=(0, 1))(x, w, *rest, *v)
    assert value == pytest.approx(f(x, w, *rest), rel=1e-12)
    expected = along(lambda t: f(t[:3], t[3:], *rest), np.concatenate([x, w]), np.concatenate(v))
    assert tangent == pytest.approx(expected, rel=1e-6, abs=1e-9)
    np.testing.assert_array_equal(w, before)  # the caller's array is untouched


def test_second_order_through_a_copy_of_an_argument():
    x = np.array([0.3, -0.5, 0.7])
    w = np.array([1.5, 2.0, -1.0])
    v = np.array([0.2, 1.0, -0.4])
    got = s2s.hvp(copied_each_trip)(x, w, v)
    grad = s2s.grad(copied_each_trip)
    expected = along(lambda y: grad(y, w), x, v, 1e-5)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-8)
    np.testing.assert_array_equal(w, [1.5, 2.0, -1.0])


def copied_in_one_arm(x, w, flag):
    if flag:
        w = w.copy()
    w[0] = x[0] ** 2  # MARK
    return np.sum(w * x)


def written_before_the_copy(x, w):
    for i in range(2):
        w[i] = x[i]  # MARK
        w = w.copy()
    return np.sum(w * x)


def copied_after_a_break(x, w):
    for i in range(3):
        if x[i] > 0.0:
            break
        w = w.copy()
    w[0] = x[0]  # MARK
    return np.sum(w * x)


def copied_in_a_loop_that_may_not_run(x, w, n):
    for _ in range(n):
        w = w.copy()
    w[0] = x[0]  # MARK
    return np.sum(w * x)


def copied_in_one_arm_then_updated(x, w, flag):
    if flag:
        w = w.copy()
    w += x  # MARK
    return np.sum(w * w)


ASSIGNING = "`w` is an argument: assigning into it"
REFUSED = [
    (copied_in_one_arm, (False,), ASSIGNING, "w = w.copy()"),
    (written_before_the_copy, (), ASSIGNING, "w = w.copy()"),
    (copied_after_a_break, (), ASSIGNING, "w = w.copy()"),
    (copied_in_a_loop_that_may_not_run, (2,), ASSIGNING, "w = w.copy()"),
    (copied_in_one_arm_then_updated, (True,), "`w` is an argument: updating it", "w = w <op>"),
]


@pytest.mark.parametrize("f, rest, message, advice", REFUSED, ids=[r[0].__name__ for r in REFUSED])
def test_a_path_without_the_copy_is_refused(f, rest, message, advice):
    x = np.array([0.3, -0.5, 0.7])
    w = np.array([1.5, 2.0, -1.0])
    with pytest.raises(s2s.MutationError, match=message) as info:
        s2s.grad(f)(x, w, *rest)
    assert_located(info.value, f, "# MARK", advice)
    np.testing.assert_array_equal(w, [1.5, 2.0, -1.0])
