"""numpy.linalg rules at the edges of their domains (issue 10): eig and eigvals where the
spectrum is complex or repeated, matrix_power's exponents, and lstsq's outputs together.

A complex spectrum, or eigenvectors of a repeated eigenvalue, have no derivative s2s gives:
reverse mode raises ``UndefinedGradientError`` naming the line of the call and the cause.
"""

import numpy as np
import pytest
from gradcheck import along, numeric_gradient
from located import assert_located

import s2s

REPEATED_MESSAGE = "repeated eigenvalue"

try:
    import scipy.linalg as scipy_linalg
except ImportError:  # scipy is optional
    scipy_linalg = None

ROTATION = np.array([[0.1, -0.9], [1.1, 0.1]])  # eigenvalues 0.1 +- i sqrt(0.99)
REPEATED = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.0], [0.0, 0.0, 2.0]])  # 1, 1, 2


def eigvals_real_part(a):
    w = np.linalg.eigvals(a)  # MARK
    return np.sum(np.real(w))


def eig_real_part(a):
    w, v = np.linalg.eig(a)  # MARK
    return np.sum(np.real(w))


def eig_vectors(a):
    w, v = np.linalg.eig(a)  # MARK
    return np.sum(np.real(v * v * w))  # numpy 2.5's eig returns complex arrays


def eig_values_squared(a):
    w, v = np.linalg.eig(a)  # MARK
    return np.sum(np.real(w * w))


@pytest.mark.parametrize(
    "f, a, words",
    [
        (eigvals_real_part, ROTATION, "complex eigenvalues"),
        (eig_real_part, ROTATION, "complex eigenvalues"),
        (eig_vectors, REPEATED, "repeated eigenvalue"),
    ],
)
def test_no_derivative_is_a_located_undefined_gradient(f, a, words):
    with pytest.raises(s2s.UndefinedGradientError, match=words) as info:
        s2s.grad(f)(a)
    assert_located(info.value, f, "# MARK")


def test_the_tangent_of_eig_vectors_at_a_repeated_eigenvalue_is_located():
    # was a silent NaN; the eigenvalues' tangent stays: trace(2 A E) for sum(w^2)
    with pytest.raises(s2s.UndefinedGradientError, match="repeated eigenvalue") as info:
        s2s.jvp(eig_vectors)(REPEATED, np.ones((3, 3)))
    assert_located(info.value, eig_vectors, "# MARK")
    # the eigenvalues' tangent stays along a change that moves the copies of 1 together
    # (V^-1 E V diagonal, equal on them): trace(2 A E) for sum(w^2)
    e = 0.3 * np.eye(3) - 0.7 * REPEATED @ REPEATED
    tangent = s2s.jvp(eig_values_squared)(REPEATED, e)[1]
    np.testing.assert_allclose(tangent, 2 * np.sum(REPEATED.T * e), atol=1e-12)


@pytest.mark.parametrize("how", ["hvp", "hessian"])
def test_a_second_derivative_of_eig_values_at_a_repeated_eigenvalue_names_the_eig_line(how):
    """The second derivative goes through the eigenvectors: forward over the gradient stops
    at the tangent of the gradient's own ``eig`` call, which named a line of the generated
    gradient; it names the user's ``eig`` line."""
    with pytest.raises(s2s.UndefinedGradientError, match=REPEATED_MESSAGE) as info:
        if how == "hvp":
            s2s.hvp(eig_values_squared)(REPEATED, np.ones((3, 3)))
        else:
            s2s.hessian(eig_values_squared)(REPEATED)
    assert "<s2s" not in str(info.value), info.value
    assert_located(info.value, eig_values_squared, "# MARK")


def test_eigenvalues_of_a_repeated_spectrum_are_differentiated():
    # sum(w^2) = trace(A^2), whose gradient is 2 A^T, although two eigenvalues are equal
    np.testing.assert_allclose(s2s.grad(eig_values_squared)(REPEATED), 2 * REPEATED.T, atol=1e-12)


def power(a, n):
    return np.sum(np.linalg.matrix_power(a, n) * np.arange(9.0).reshape(3, 3))


@pytest.mark.parametrize("n", [-3, -1, 0, 1, 2, 5])
def test_matrix_power_of_each_exponent(n):
    a = 1.5 * np.eye(3) + 0.2 * np.random.default_rng(n + 10).standard_normal((3, 3))
    expected = numeric_gradient(lambda a: power(a, n), [a], 0)
    np.testing.assert_allclose(s2s.grad(power)(a, n), expected, rtol=1e-6, atol=1e-8)


def lstsq_everything(a, b):
    x, residuals, rank, s = np.linalg.lstsq(a, b)
    return np.sum(x) + 2.0 * np.sum(residuals) + 3.0 * np.sum(s) + rank


@pytest.mark.parametrize("shape", [(5, 3), (3, 5)])
def test_lstsq_with_every_output_used(shape):
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal(shape), rng.standard_normal(shape[0])
    grads = s2s.grad(lstsq_everything, wrt=(0, 1))(a, b)
    for i, g in enumerate(grads):
        np.testing.assert_allclose(g, numeric_gradient(lstsq_everything, [a, b], i), rtol=1e-6)


def _grad_of_grad(f):
    def second(a):
        return np.sum(s2s.grad(f)(a) * np.ones(a.shape))

    return s2s.grad(second)


@pytest.mark.parametrize("f", [eigvals_real_part, eig_real_part, eig_vectors])
@pytest.mark.parametrize("how", ["hvp", "grad of grad"])
def test_a_second_derivative_at_a_complex_spectrum_is_a_located_undefined_gradient(f, how):
    """Forward over reverse stops at eig's tangent, reverse over reverse at the plain twin
    of its adjoint (its arguments are complex): both at the line that asked for it."""
    with pytest.raises(s2s.UndefinedGradientError, match="complex eigenvalues") as info:
        if how == "hvp":
            s2s.hvp(f)(ROTATION, np.ones((2, 2)))  # HERE
        else:
            _grad_of_grad(f)(ROTATION)  # HERE
    where = info.value.where
    assert where.filename == __file__ and "# HERE" in where.text, where


@pytest.mark.parametrize("how", ["hvp", "grad of grad"])
def test_a_second_derivative_of_eigenvectors_at_a_repeated_eigenvalue_is_located(how):
    """Forward over reverse stops at eig's eigenvector tangent (an undefined marker located
    at the call), reverse over reverse at the plain twin (the line that asked for it)."""
    with pytest.raises(s2s.UndefinedGradientError, match=REPEATED_MESSAGE) as info:
        if how == "hvp":
            s2s.hvp(eig_vectors)(REPEATED, np.ones((3, 3)))
        else:
            _grad_of_grad(eig_vectors)(REPEATED)  # HERE
    if how == "hvp":
        assert_located(info.value, eig_vectors, "# MARK")
    else:
        where = info.value.where
        assert where.filename == __file__ and "# HERE" in where.text, where


def test_second_and_third_derivatives_of_eigvals_agree_with_differences():
    """The plain twins of eig's adjoint helpers are differentiated again: the third
    derivative of sum(eigvals(a)^3) along v, reverse over reverse over reverse."""
    rng = np.random.default_rng(5)
    s = 2.0 * np.eye(3) + 0.4 * rng.standard_normal((3, 3))
    a = (s * np.arange(1.0, 4.0)) @ np.linalg.inv(s)
    v = rng.standard_normal((3, 3))
    third = s2s.grad(_second_along(v))(a)
    expected = along(_second_along(v), a, v, 1e-4)
    np.testing.assert_allclose(np.sum(third * v), expected, rtol=1e-6)


def cubes(a):
    return np.sum(np.real(np.linalg.eigvals(a)) ** 3)


def _second_along(v):
    def first(a):
        return np.sum(s2s.grad(cubes)(a) * v)

    def second(a):
        return np.sum(s2s.grad(first)(a) * v)

    return second


# -- eigh at a repeated eigenvalue (issue r10) -------------------------------------------------

Q = np.linalg.qr(np.random.default_rng(7).standard_normal((3, 3)))[0]
TIED = (Q * np.array([1.0, 1.0, 2.0])) @ Q.T  # 1, 1, 2: LAPACK's two 1s differ by rounding
WEIGHTS = np.array([1.0, 2.0, 3.0])


def eigh_first_vector(a):
    w, v = np.linalg.eigh(a)  # MARK
    return np.sum(v[:, 0] * WEIGHTS) ** 2


def scipy_eigh_first_vector(a):
    w, v = scipy_linalg.eigh(a)  # MARK
    return np.sum(v[:, 0] * WEIGHTS) ** 2


def eigh_square(a):
    # sum(A^2 o G) written through the eigenvectors: smooth, but V's cotangent cannot give it
    w, v = np.linalg.eigh(a)  # MARK
    return np.sum(((v * w**2) @ v.T) * np.outer(WEIGHTS, WEIGHTS))


def eigh_simple_vector(a):
    # the eigenvector of the simple eigenvalue 2 has a derivative beside the repeated 1s
    w, v = np.linalg.eigh(a)
    return np.sum(v[:, 2] * WEIGHTS) ** 2


def eigh_corner_squared(a):
    # V's cotangent is diagonal in the eigenbasis at a = I (V = I): the tied pair's entries of
    # V^T g_V are 0, yet V[0, 0] jumps there (eigh(I + x B) gives 1, then 1/2 for x != 0)
    w, v = np.linalg.eigh(a)  # MARK
    return v[0, 0] ** 2


def eigh_absolute_vectors(a):
    w, v = np.linalg.eigh(a)  # MARK
    return np.sum(np.abs(v))


def eigh_cubes(a):
    w, v = np.linalg.eigh(a)  # MARK
    return np.sum(w**3)


def eigvalsh_cubes(a):
    return np.sum(np.linalg.eigvalsh(a) ** 3)  # MARK


@pytest.mark.parametrize("a", [np.eye(3), TIED], ids=["identity", "rotated"])
@pytest.mark.parametrize(
    "f",
    [eigh_first_vector, scipy_eigh_first_vector, eigh_square, eigh_corner_squared,
     eigh_absolute_vectors],
)  # fmt: skip
def test_eigh_vectors_at_a_repeated_eigenvalue_are_located_undefined_gradients(f, a):
    """grad of eigh_corner_squared and eigh_absolute_vectors at the identity was 0, silently
    (their cotangents have no entry coupling the tied pair)."""
    if f is scipy_eigh_first_vector and scipy_linalg is None:
        pytest.skip("scipy is not installed")
    with pytest.raises(s2s.UndefinedGradientError, match="repeated eigenvalue") as info:
        s2s.grad(f)(a)
    assert_located(info.value, f, "# MARK", "eigvalsh")
    with pytest.raises(s2s.UndefinedGradientError, match="repeated eigenvalue") as info:
        s2s.jvp(f)(a, np.ones((3, 3)))
    assert_located(info.value, f, "# MARK")


@pytest.mark.parametrize("how", ["hvp", "hessian"])
def test_a_second_derivative_of_eigh_at_a_repeated_eigenvalue_is_located(how):
    """Values only too: the first derivative V diag(g) V^T uses the eigenvectors, whose
    tangent does not exist there (taking 1 / 0 as 0 gave 3 (A E + E A)'s diagonal only).
    Each error names the user's line: the ``eigh`` call (for ``eigh(a)[0]`` the tangent of
    the gradient's own ``eigh`` call, which named a line of the generated gradient), or for
    ``eigvalsh`` the line that asked for the second derivative."""
    for f in (eigh_first_vector, eigh_cubes, eigvalsh_cubes):
        with pytest.raises(s2s.UndefinedGradientError, match="repeated eigenvalue") as info:
            if how == "hvp":
                s2s.hvp(f)(TIED, np.ones((3, 3)))  # HERE
            else:
                s2s.hessian(f)(TIED)  # HERE
        if f is eigvalsh_cubes:
            where = info.value.where
            assert where.filename == __file__ and "# HERE" in where.text, where
        else:
            assert_located(info.value, f, "# MARK")
            assert "<s2s" not in str(info.value), info.value


@pytest.mark.parametrize("f", [eigh_cubes, eigvalsh_cubes])
def test_eigenvalues_of_eigh_at_a_repeated_eigenvalue_are_differentiated(f):
    # sum(w^3) = trace(A^3): gradient 3 A^2, tangent along E 3 tr(A^2 E) where E moves the
    # copies of the repeated eigenvalue alike (a polynomial in A; other directions are
    # refused: tests/test_eig_ties.py)
    for a in (np.eye(3), TIED):
        np.testing.assert_allclose(s2s.grad(f)(a), 3 * a @ a, atol=1e-12)
        e = 0.3 * np.eye(3) - 0.7 * a @ a
        np.testing.assert_allclose(s2s.jvp(f)(a, e)[1], 3 * np.sum(a @ a * e), atol=1e-12)


def test_the_simple_eigenvector_beside_a_repeated_eigenvalue_agrees_with_differences():
    expected = numeric_gradient(lambda a: eigh_simple_vector((a + a.T) / 2), [TIED], 0)
    np.testing.assert_allclose(s2s.grad(eigh_simple_vector)(TIED), expected, atol=1e-7)


def test_a_tangent_coupling_a_repeated_eigenvalue_s_vectors_to_a_simple_one_is_located():
    """diag(1, 1, 3) moved by dA coupling (e0 + e1)/sqrt(2) to e2: the tied block of V^T dA V
    is 0 (a multiple of the identity), yet the second order picks the eigenspace's basis
    anew, so V[:, 0] jumps (by 0.5 in eigh_corner_weights for any t > 0). The jvp gave 0,
    silently; along the identity the eigenvectors do not move and the tangent is 0."""
    a = np.diag([1.0, 1.0, 3.0])
    u, e2 = np.array([1.0, 1.0, 0.0]) / np.sqrt(2), np.array([0.0, 0.0, 1.0])
    coupling = np.outer(u, e2) + np.outer(e2, u)

    def eigh_corner_weights(a):
        w, v = np.linalg.eigh(a)  # MARK
        return np.sum(v[:, 0] ** 2 * WEIGHTS)

    assert abs(eigh_corner_weights(a + 1e-6 * coupling) - eigh_corner_weights(a)) > 0.4
    with pytest.raises(s2s.UndefinedGradientError, match="repeated eigenvalue") as info:
        s2s.jvp(eigh_corner_weights)(a, coupling)
    assert_located(info.value, eigh_corner_weights, "# MARK")
    assert s2s.jvp(eigh_corner_weights)(a, np.eye(3))[1] == 0.0


@pytest.mark.parametrize("f", [eigh_first_vector, eigh_square, eigh_cubes])
def test_eigh_at_distinct_eigenvalues_agrees_with_differences(f):
    a = (Q * np.array([1.0, 1.5, 2.0])) @ Q.T
    e = np.random.default_rng(4).standard_normal((3, 3))
    e = e + e.T
    expected = numeric_gradient(lambda a: f((a + a.T) / 2), [a], 0)
    np.testing.assert_allclose(s2s.grad(f)(a), expected, atol=1e-7)
    np.testing.assert_allclose(s2s.jvp(f)(a, e)[1], np.sum(expected * e), atol=1e-7)
    np.testing.assert_allclose(s2s.hvp(f)(a, e), along(s2s.grad(f), a, e, 1e-5), atol=1e-5)


# -- eigvals at a repeated or defective eigenvalue (issue r08) ----------------------------------

JORDAN = np.array([[2.0, 1.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 1.0]])  # defective: 2, 2, 1


def eigvals_squares(a):
    w = np.linalg.eigvals(a)  # MARK
    return np.sum(np.real(w) ** 2)


@pytest.mark.parametrize("a", [2.0 * np.eye(3), REPEATED], ids=["scalar", "diagonalizable"])
def test_eigvals_at_a_repeated_eigenvalue_of_a_diagonalizable_matrix(a):
    """sum(w^2) = trace(A^2): gradient 2 A^T, tangent 2 trace(A E) along an E that moves the
    copies of the repeated eigenvalue together (a polynomial in A; other directions are
    refused: tests/test_eig_ties.py); equal eigenvalues are paired with distinct
    eigenvectors (the nearest-value match paired both with one)."""
    e = 0.3 * np.eye(3) - 0.7 * a @ a
    np.testing.assert_allclose(s2s.grad(eigvals_squares)(a), 2 * a.T, atol=1e-12)
    np.testing.assert_allclose(s2s.jvp(eigvals_squares)(a, e)[1], 2 * np.sum(a.T * e), atol=1e-12)


def test_eigvals_of_a_defective_matrix_is_a_located_undefined_gradient():
    with pytest.raises(s2s.UndefinedGradientError, match="defective") as info:
        s2s.grad(eigvals_squares)(JORDAN)
    assert_located(info.value, eigvals_squares, "# MARK", "trace(A @ A)")
    with pytest.raises(s2s.UndefinedGradientError, match="defective") as info:
        s2s.jvp(eigvals_squares)(JORDAN, np.ones((3, 3)))  # HERE
    assert info.value.where.filename == __file__ and "# HERE" in info.value.where.text


@pytest.mark.parametrize("how", ["hvp", "hessian"])
def test_a_second_derivative_of_eigvals_at_a_repeated_eigenvalue_is_located(how):
    with pytest.raises(s2s.UndefinedGradientError, match=REPEATED_MESSAGE) as info:
        if how == "hvp":
            s2s.hvp(eigvals_squares)(2.0 * np.eye(3), np.ones((3, 3)))  # HERE
        else:
            s2s.hessian(eigvals_squares)(2.0 * np.eye(3))  # HERE
    assert info.value.where.filename == __file__ and "# HERE" in info.value.where.text


# -- second derivatives of det at singular matrices (issue r09) --------------------------------

RANK_2 = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.5, 1.0, 2.0]])
RANK_1 = np.outer([1.0, 2.0, 3.0], [1.0, -1.0, 2.0])


def det_of(a):
    return np.linalg.det(a)


@pytest.mark.parametrize("a", [RANK_2, RANK_1, np.zeros((3, 3))], ids=["rank2", "rank1", "zero"])
def test_second_derivatives_of_det_at_a_singular_matrix_agree_with_differences(a):
    """det is a polynomial: its Hessian exists everywhere; the derivative of the adjugate in
    the SVD basis needs no inverse (np.linalg.inv raised LinAlgError here)."""
    v = np.random.default_rng(8).standard_normal((3, 3))
    expected = along(s2s.grad(det_of), a, v, 1e-4)
    np.testing.assert_allclose(s2s.hvp(det_of)(a, v), expected, atol=1e-9)
    hessian = s2s.hessian(det_of)(a).reshape(9, 9)
    np.testing.assert_allclose(hessian @ v.ravel(), expected.ravel(), atol=1e-9)
    reverse = s2s.grad(lambda a: np.sum(s2s.grad(det_of)(a) * v))(a)
    np.testing.assert_allclose(reverse, expected, atol=1e-9)


def test_a_third_derivative_of_det_at_a_singular_matrix_is_a_located_error():
    v = np.ones((3, 3))

    def second(a):
        return np.sum(s2s.jvp(s2s.grad(det_of))(a, v)[1] * v)

    with pytest.raises(s2s.NoRuleError, match="third derivative of np.linalg.det") as info:
        s2s.grad(second)(RANK_2)  # HERE
    where = info.value.where
    assert where.filename == __file__ and "# HERE" in where.text, where


# -- a direction that leaves the decomposed matrix unchanged (fresh-89 finding 5) ---------------
# The twins' checks of distinct eigenvalues were linear rules, so their tangent was the check
# applied to the eigenvalues' tangent: a zero tangent (all entries equal) read as a repeated
# eigenvalue, and hessian / hvp along (0, 1) raised though the spectrum is well separated.

SEPARATED = np.diag([1.0, 2.0, 3.0]) + 0.1
MOVE = np.diag([1.0, 0.0, -1.0])
UPPER = np.triu(np.ones((3, 3))) * 0.2  # eig: a non-symmetric matrix with a real spectrum


def moved_eigvalsh(x):
    return np.sum(np.linalg.eigvalsh(SEPARATED + x[0] * MOVE) ** 3) + x[1] ** 3


def moved_eigh_vector(x):
    w, v = np.linalg.eigh(SEPARATED + x[0] * MOVE)
    return np.sum(v[:, 0] ** 4) + np.sum(w**2) + x[1] ** 3


def moved_eig(x):
    w, v = np.linalg.eig(SEPARATED + UPPER + x[0] * MOVE)
    return np.sum(np.real(v[:, 1]) ** 2 * WEIGHTS) + np.sum(np.real(w) ** 3) + x[1] ** 3


def moved_eigvals(x):
    return np.sum(np.real(np.linalg.eigvals(SEPARATED + UPPER + x[0] * MOVE)) ** 3) + x[1] ** 3


def eigh_times_zero(x):
    w, v = np.linalg.eigh(SEPARATED + x[0] * MOVE)
    return np.sum(v) * 0.0 + x[1] ** 3


@pytest.mark.parametrize(
    "f", [moved_eigvalsh, moved_eigh_vector, moved_eig, moved_eigvals, eigh_times_zero]
)
def test_second_derivatives_along_a_direction_that_leaves_the_matrix_unchanged(f):
    x = np.array([0.3, -0.2])
    grad = s2s.grad(f)
    expected = np.stack([numeric_gradient(lambda x, i=i: grad(x)[i], [x], 0) for i in range(2)])
    np.testing.assert_allclose(expected, expected.T, atol=1e-6)  # the differences are sound
    np.testing.assert_allclose(s2s.hessian(f)(x), expected, atol=1e-6)
    np.testing.assert_allclose(s2s.jacobian(grad, mode="forward")(x), expected, atol=1e-6)
    for v in (np.array([0.0, 1.0]), np.array([1.0, 1.0])):
        np.testing.assert_allclose(s2s.hvp(f)(x, v), expected @ v, atol=1e-6)
    np.testing.assert_array_equal(s2s.hvp(f)(x, np.zeros(2)), np.zeros(2))


# The same for det's third derivative: its twins check the matrix with `invertible`, a linear
# rule whose tangent checked the matrix's tangent, so a zero one read as singular (NoRuleError).

SHIFTED = np.array([[2.0, 0.3, 0.1], [0.2, 1.5, 0.4], [0.1, 0.3, 1.2]])
TILT = np.array([[1.0, 0.2, 0.0], [0.0, -1.0, 0.3], [0.5, 0.0, 0.5]])
E1 = np.array([0.0, 1.0])


def moved_det(x):
    return np.linalg.det(SHIFTED + x[0] * TILT) ** 2 + x[1] ** 4


def moved_det_second(x):
    return np.sum(s2s.grad(moved_det)(x) * E1)


@pytest.mark.parametrize("v", [E1, np.array([1.0, 0.0]), np.array([1.0, 1.0]), np.zeros(2)])
def test_a_third_derivative_of_det_along_a_direction_that_leaves_the_matrix_unchanged(v):
    x = np.array([0.3, -0.2])
    second = s2s.grad(moved_det_second)
    expected = along(second, x, v, 1e-5)
    np.testing.assert_allclose(s2s.jvp(second)(x, v)[1], expected, atol=1e-7)
    third = s2s.grad(lambda y: np.sum(second(y) * v))(x)
    np.testing.assert_allclose(third, expected, atol=1e-7)
