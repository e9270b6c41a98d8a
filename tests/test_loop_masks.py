"""Selection masks inside loops: the mask of a trip, and masks carried across the back edge.

Reverse mode masks the cotangent entries a selection (``np.where``) drops, so a singular partial
there (``0.5 / sqrt(x)`` at a negative ``x``) gives exactly 0 rather than NaN. Two faults were
found inside loops:

- A mask was computed where the buffer is consumed, from names that a loop's adjoint restores
  from the tape in between: ``np.where(c, np.sqrt(x), 0)`` with ``c`` changing per trip and
  defined after ``np.sqrt(x)`` masked the gradient with an earlier trip's ``c`` (a silent wrong
  first derivative). A contribution's mask made in a reversed loop body is now bound at once.
- Reverse mode over the gradient of such a function (``grad`` of a function of ``grad(f)``,
  ``jacobian(grad(f), mode="reverse")``) gave NaN with a ``NonFiniteGradientWarning`` at the
  dropped entries: the cotangent of a value read in every trip (or taped by the gradient and
  popped again) was summed over the trips with no mask known. Now such a buffer carries a mask
  across the loop's back edge (``True`` before the first trip, and-ed with each trip's masks),
  and a value that goes through the gradient's tape takes its mask with it.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from gradcheck import along

import s2s

X = np.array([0.5, -1.0, 4.0, -2.0, 1.2])
V = np.array([1.0, 2.0, 3.0, 4.0, 5.0])


def sqrt_of_a_trip_s_selection(x):
    s = 0.0
    for k in range(3):
        r = np.sqrt(x)
        c = x < (k - 0.5)
        s = s + np.sum(np.where(c, r, 0.0))
    return s


def test_a_mask_in_a_loop_is_its_own_trip_s():
    """``c`` is defined after ``r`` and taped per trip: the mask of ``d_r`` was computed after
    ``c`` came back from the tape (the previous trip's ``c``), and the gradient was 0 where
    this trip selects ``r``."""
    x = np.array([0.25, 1.0, 2.0, 4.0])
    grad = s2s.grad(sqrt_of_a_trip_s_selection)(x)
    expected = 0.5 / np.sqrt(x) * sum((x < k - 0.5).astype(float) for k in range(3))
    np.testing.assert_allclose(grad, expected, rtol=1e-12)
    for i in range(x.size):
        column = along(sqrt_of_a_trip_s_selection, x, np.eye(x.size)[i], 1e-6)
        assert grad[i] == pytest.approx(column, rel=1e-6, abs=1e-9)


def in_a_counted_loop(x):
    s = 0.0
    for k in range(3):
        s = s + np.sum(np.where(x > 0, np.sqrt(x) * (k + 1), x**2))
    return s


def in_nested_loops(x):
    s = 0.0
    for i in range(2):
        for k in range(2):
            s = s + np.sum(np.where(x > 0, np.sqrt(x) * (k + i + 1), x**2))
    return s


def in_a_while_loop(x):
    s = 0.0
    k = 0
    while k < 3:
        s = s + np.sum(np.where(x > 0, np.sqrt(x) * (k + 1), x**2))
        k = k + 1
    return s


def in_a_branch_of_a_loop(x):
    s = 0.0
    for k in range(3):
        if k % 2 == 0:
            s = s + np.sum(np.where(x > 0, np.sqrt(x), x**2))
        else:
            s = s + np.sum(np.maximum(x, 0.0) ** 1.5)
    return s


def carried_by_a_loop(x):
    h = x
    for _ in range(3):
        h = np.where(h > 0, np.sqrt(h), h * 0.5) + 0.1
    return np.sum(h)


def _s2s_warnings(call) -> tuple[object, list[str]]:
    """``call()`` and the warnings other than numpy's own (``f`` takes ``sqrt`` of negative
    entries as written): a ``NonFiniteGradientWarning`` above all."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call()
    return result, [str(w.message) for w in caught if not issubclass(w.category, RuntimeWarning)]


@pytest.mark.parametrize(
    "f",
    [in_a_counted_loop, in_nested_loops, in_a_while_loop, in_a_branch_of_a_loop,
     carried_by_a_loop],
    ids=lambda f: f.__name__,
)  # fmt: skip
def test_reverse_over_a_gradient_with_a_masked_branch_in_a_loop_is_finite_and_quiet(f):
    """At negative entries, which the ``where`` drops from ``sqrt``: the reverse Jacobian of
    the gradient, ``grad`` of ``<grad f, v>`` and ``hessian`` (forward over reverse) agree
    with each other and with central differences of the gradient, with no s2s warning."""
    grad = s2s.grad(f)
    jacobian, raised = _s2s_warnings(lambda: s2s.jacobian(grad, mode="reverse")(X))
    assert not raised, raised
    pulled, raised = _s2s_warnings(lambda: s2s.grad(lambda x: np.sum(grad(x) * V))(X))
    assert not raised, raised
    assert np.all(np.isfinite(jacobian))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # f's own sqrt of negative entries
        hessian = s2s.hessian(f)(X)
        columns = [along(grad, X, np.eye(X.size)[i], 1e-6) for i in range(X.size)]
    np.testing.assert_allclose(jacobian, hessian, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(pulled, jacobian.T @ V, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(jacobian, np.stack(columns, axis=1), rtol=1e-6, atol=1e-8)


def test_a_carried_mask_no_partial_reads_is_not_made():
    """The gradient's buffer ``d_x`` gets masked contributions in every trip, but no masked
    partial reads its mask (it is returned): the first derivative carries no mask across the
    loop, as before."""
    grad = s2s.grad(in_a_counted_loop)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        grad(X)
    assert "_s2s.both(" not in grad.source and "= True" not in grad.source


def test_a_part_put_back_keeps_its_mask_until_its_item_leaves():
    """``_s2s.put_back_last`` keeps a part's mask by position; ``_s2s.last_mask`` gives it
    back, all false (of the part's shape) where none was given and ``True`` for no part;
    ``_s2s.drop_last`` forgets it with the item."""
    from s2s.runtime.kinds import drop_last, last_mask, put_back_last

    dropped = np.array([True, False])
    parts = put_back_last(None, np.zeros(2), 1, dropped)
    assert parts == [None, parts[1]] and last_mask(parts) is dropped
    parts = put_back_last(parts, np.ones(3), 2)
    unknown = last_mask(parts)
    assert unknown.shape == (3,) and unknown.dtype == bool and not unknown.any()
    parts = drop_last(parts)
    assert last_mask(parts) is dropped
    parts = put_back_last(drop_last(parts), None, 1)
    assert last_mask(parts) is True
    assert last_mask([np.ones(2)]).tolist() == [False, False]  # a list from elsewhere


def _first_nested(x):
    return np.sum(s2s.grad(in_nested_loops)(x) * V)


def _first_while(x):
    return np.sum(s2s.grad(in_a_while_loop)(x) * V)


def _first_branch(x):
    return np.sum(s2s.grad(in_a_branch_of_a_loop)(x) * V)


def _first_carried(x):
    return np.sum(s2s.grad(carried_by_a_loop)(x) * V)


@pytest.mark.parametrize("first", [_first_nested, _first_while, _first_branch, _first_carried],
                         ids=lambda f: f.__name__)  # fmt: skip
def test_third_order_keeps_the_masks_across_loops_and_tapes(first):
    """Reverse over reverse over reverse. Nested loops: the inner loop's carried mask replaces
    the outer one's within a trip, and the outer loop's mask is and-ed with it (it lost a
    trip's contribution when it kept only its own: 7/8 of the value); a reversed trip whose
    guard's body was all dead code is `pass` (an IndentationError before). A `while` loop, a
    branch in a loop, a loop-carried value: the second derivative made to be differentiated
    again puts a popped value's mask back with it too (``_s2s.with_last(..., mask)``), where
    its value, and the third derivative, were NaN with no warning. Against central
    differences of the second derivative, at points the ``where`` drops."""
    second = s2s.grad(first)

    def along_v(x):
        return np.sum(second(x) * np.linspace(0.5, 1.5, X.size))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        third, raised = _s2s_warnings(lambda: s2s.grad(along_v)(X))
        expected = [along(along_v, X, e, 1e-5) for e in np.eye(X.size)]
    assert not raised, raised
    np.testing.assert_allclose(third, expected, rtol=1e-6, atol=1e-7)


def straight_where(x):
    return np.sum(np.where(x > 0, np.sqrt(x) ** 3, 0.0))


def _straight_first(x):
    return np.sum(s2s.grad(straight_where)(x) * V)


def _straight_second(x):
    return np.sum(s2s.grad(_straight_first)(x) * np.linspace(0.5, 1.5, X.size))


def _straight_third(x):
    return np.sum(s2s.grad(_straight_second)(x) * np.linspace(1.5, 0.5, X.size))


def test_third_and_fourth_order_of_a_where_with_no_loop_around_it():
    """Straight-line code: the third derivative's adjoint runs under ``if d is not None`` (the
    second derivative's pullback takes an optional cotangent), and such a guarded block
    dropped its inputs' masks (the buffer set to ``None`` before it had no mask), so
    ``0 * (0.5 / sqrt(x))`` at the dropped entries gave NaN with a
    ``NonFiniteGradientWarning``. The guarded block now joins its arms' masks as a branch
    does. Reverse to third and fourth order, ``hvp`` of the gradient and forward over reverse,
    against central differences of the order below at points the ``where`` drops."""
    weights = (V, np.linspace(0.5, 1.5, X.size), np.linspace(1.5, 0.5, X.size))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for lower in (_straight_first, _straight_second, _straight_third):
            higher, raised = _s2s_warnings(lambda lower=lower: s2s.grad(lower)(X))
            assert not raised, raised
            expected = [along(lower, X, e, 1e-5) for e in np.eye(X.size)]
            np.testing.assert_allclose(higher, expected, rtol=1e-6, atol=1e-7)
        assert higher[X < 0].tolist() == [0.0, 0.0]
        third = np.prod(weights, axis=0) * -0.375 * np.where(X > 0, X, 1.0) ** -1.5
        hvp, raised = _s2s_warnings(lambda: s2s.hvp(_straight_first)(X, weights[1]))
        assert not raised, raised
        np.testing.assert_allclose(hvp * weights[2], np.where(X > 0, third, 0.0), rtol=1e-12)
        _, tangent = s2s.jvp(s2s.grad(_straight_first))(X, weights[1] * weights[2])
        np.testing.assert_allclose(tangent, hvp * weights[2], rtol=1e-12)
