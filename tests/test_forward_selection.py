"""Forward mode is quiet where reverse mode is: a ``where`` branch's unselected singular entries.

``s2s.jvp`` of ``np.where(x > 0, np.sqrt(x), 0.0)`` at an ``x`` holding 0 computed ``sqrt``'s
partial ``0.5 / 0`` for the entry the ``where`` drops and raised a ``RuntimeWarning`` (found by
a fresh user); reverse mode masks that entry quietly. Now the tangents of values used only as a
``where`` branch are computed under ``np.errstate``, and the result keeps no NaN or inf of an
unselected entry; ``hvp`` and ``hessian`` (forward over the gradient's masked partials) too.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from gradcheck import along

import s2s

X = np.array([0.0, 1.0, 4.0, 2.5])
X_SIGNED = np.array([0.0, 1.0, 4.0, -2.0])
V = np.array([1.0, -0.5, 2.0, 3.0])


def sqrt_where_positive(x):
    return np.where(x > 0, np.sqrt(x), 0.0)


def chained_through_products(x):
    y = np.sqrt(np.abs(x)) * x
    return np.sum(np.where(x > 0, y * 2.0, x))


def test_jvp_and_forward_jacobian_of_a_masked_branch_are_quiet_and_finite():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value, tangent = s2s.jvp(sqrt_where_positive)(X, V)
        jacobian = s2s.jacobian(sqrt_where_positive, mode="forward")(X)
    reverse = s2s.jacobian(sqrt_where_positive, mode="reverse")(X)
    expected = np.where(X > 0, V * 0.5 / np.sqrt(np.where(X > 0, X, 1.0)), 0.0)
    np.testing.assert_allclose(tangent, expected, rtol=1e-14)
    np.testing.assert_allclose(jacobian, reverse, rtol=1e-14)
    assert np.all(np.isfinite(tangent)) and np.all(np.isfinite(jacobian))


def test_hvp_and_hessian_through_a_masked_branch_are_quiet_and_finite():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, tangent = s2s.jvp(chained_through_products)(X_SIGNED, V)
        hv = s2s.hvp(chained_through_products)(X_SIGNED, V)
        hessian = s2s.hessian(chained_through_products)(X_SIGNED)
    grad = s2s.grad(chained_through_products)(X_SIGNED)
    assert tangent == np.dot(grad, V)
    # d^2/dx^2 of 2 x^1.5 is 1.5 / sqrt(x) where x > 0; the other branch (x) is linear
    positive = X_SIGNED > 0
    diagonal = np.where(positive, 1.5 / np.sqrt(np.where(positive, X_SIGNED, 1.0)), 0.0)
    np.testing.assert_allclose(hessian, np.diag(diagonal), rtol=1e-14)
    np.testing.assert_allclose(hv, diagonal * V, rtol=1e-14)


def test_a_selected_singular_entry_keeps_its_infinite_tangent():
    """Only what the ``where`` drops is discarded: where the branch's own singular entry is
    picked (``sqrt`` at 0 under ``x >= 0``), the tangent is infinite, not zero."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, tangent = s2s.jvp(lambda x: np.where(x >= 0, np.sqrt(x), 0.0))(X, V)
    assert np.isinf(tangent[0]) and np.all(np.isfinite(tangent[1:]))


def sqrt_of_positive_summed(x):
    return np.sum(np.where(x > 0, np.sqrt(x), 0.0))


def _warnings_of(call) -> tuple[object, set[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call()
    return result, {str(w.message) for w in caught}


def test_reverse_over_the_gradient_of_a_masked_branch_is_finite_and_quiet():
    """Reported by a fresh user: ``grad`` of a function of ``grad(f)`` and a reverse
    ``jacobian(grad(f))`` gave NaN at the entries the ``where`` drops (the mask of the
    gradient's ``_s2s.masked`` did not reach the adjoint of its partial ``0.5 / sqrt_1``), and
    the gradient's masked partials warned in the primal sweep. Only the warnings ``f`` itself
    raises (``sqrt`` of the negative entries, as written) may come out."""
    f = sqrt_of_positive_summed
    _, own = _warnings_of(lambda: f(X_SIGNED))
    grad = s2s.grad(f)
    jacobian, raised = _warnings_of(lambda: s2s.jacobian(grad, mode="reverse")(X_SIGNED))
    assert raised <= own, raised - own
    squared, raised = _warnings_of(lambda: s2s.grad(lambda x: np.sum(grad(x) ** 2))(X_SIGNED))
    assert raised <= own, raised - own
    hv, raised = _warnings_of(lambda: s2s.hvp(f)(X_SIGNED, V))  # sqrt's tangent at 0: quiet
    assert raised <= own, raised - own
    np.testing.assert_allclose(hv, jacobian @ V, rtol=1e-14)
    assert np.all(np.isfinite(jacobian)) and np.all(np.isfinite(squared))
    # against central differences of the gradient, away from the kink at 0
    away = np.array([0.5, -1.0, 4.0, -2.0])
    jacobian = s2s.jacobian(grad, mode="reverse")(away)
    for i in range(away.size):
        column = along(grad, away, np.eye(away.size)[i], 1e-6)
        np.testing.assert_allclose(jacobian[:, i], column, rtol=1e-6, atol=1e-9)
    second = s2s.grad(s2s.grad(f))
    for x in (-2.0, 3.0):
        assert second(x) == pytest.approx(along(s2s.grad(f), x, 1.0, 1e-6), rel=1e-6, abs=1e-9)


def sqrt_of_positive_in_a_branch(x):
    if np.sum(x) > -100.0:
        y = np.where(x > 0, np.sqrt(x), 0.0)
    else:
        y = x
    return np.sum(y)


def test_reverse_over_a_gradient_with_a_branch_keeps_the_mask_across_the_join():
    """The gradient of a function with a branch keeps a tape; reverse mode over it made the
    mask of the masked partial in one arm and used it after the branch, where it was not
    known (a mask bound in one arm is unbound when the other ran): NaN again at the dropped
    entries. Now each arm binds the joined mask at its end (``True`` where the arm adds
    nothing)."""
    f = sqrt_of_positive_in_a_branch
    grad = s2s.grad(f)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # f's own sqrt of negative entries
        jacobian = s2s.jacobian(grad, mode="reverse")(X_SIGNED)
        squared = s2s.grad(lambda x: np.sum(grad(x) ** 2))(X_SIGNED)
    assert np.all(np.isfinite(jacobian)) and np.all(np.isfinite(squared))
    away = np.array([0.5, -1.0, 4.0, -2.0])
    jacobian = s2s.jacobian(grad, mode="reverse")(away)
    for i in range(away.size):
        column = along(grad, away, np.eye(away.size)[i], 1e-6)
        np.testing.assert_allclose(jacobian[:, i], column, rtol=1e-6, atol=1e-9)


def _det_by_slogdet(m):
    sign, logabsdet = np.linalg.slogdet(m)
    return sign * np.exp(logabsdet)


def test_slogdet_at_a_singular_matrix_has_an_ieee_tangent_not_a_linalg_error():
    # (a fresh user) the tangent called np.linalg.inv: LinAlgError from inside s2s, where the
    # reverse mode's adjoint gives IEEE values (adj(A) / 0); now forward mode does too, with
    # numpy's warnings, and a nonsingular matrix keeps tr(A^-1 dA)
    a = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.5, -1.0, 2.0]])
    with pytest.warns(RuntimeWarning):
        value, tangent = s2s.jvp(_det_by_slogdet)(a, np.eye(3))
    assert value == 0.0 and np.isnan(tangent)
    b = np.array([[2.0, 1.0], [0.5, 3.0]])
    _, tangent = s2s.jvp(_det_by_slogdet)(b, np.eye(2))
    assert tangent == pytest.approx(np.trace(np.linalg.inv(b)) * np.linalg.det(b), rel=1e-14)
