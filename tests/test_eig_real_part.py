"""``.real``, ``.imag``, ``np.real`` and ``np.imag`` of ``np.linalg.eig``'s and ``eigvals``'
results (issue 9). numpy returns a real array for a real spectrum, of which ``.real`` is the
array and ``.imag`` zeros: the attributes are spelled ``np.real``/``np.imag`` (identity, and
zeros that pass no cotangent, for real inputs). A complex spectrum still raises
``UndefinedGradientError`` at the ``eig`` line, also where only the imaginary parts are used
(their derivative is not zero there). Each derivative is checked against central differences.
"""

from __future__ import annotations

import numpy as np
import pytest
from gradcheck import along, numeric_gradient

import s2s


def eig_values_real(a):
    w = np.linalg.eig(a)[0].real
    return np.sum(w**2 * np.arange(1.0, 4.0))


def eig_real_and_imag(a):
    w, v = np.linalg.eig(a)
    return np.sum(np.real(w) ** 3) + np.sum(np.imag(w)) + np.sum(v.real[0] ** 2)


def eigvals_real(a):
    return np.sum(np.sin(np.linalg.eigvals(a).real)) + np.sum(np.linalg.eigvals(a).imag)


def imag_alone(a):
    return np.sum(np.imag(np.linalg.eigvals(a)) ** 2)


def real_of_an_array(x):  # .real and .imag of any real array
    return np.sum(x.real * np.tanh(x)) + np.sum(x.imag * x)


A = np.array([[2.0, 0.3, 0.1], [0.2, 1.0, 0.4], [0.0, 0.5, -1.0]])  # eigenvalues ~2.06, 1.1, -1.2
COMPLEX = np.array([[0.0, -1.0, 0.2], [1.0, 0.0, 0.3], [0.1, 0.0, 2.0]])  # a complex pair
V = np.array([[0.5, -1.0, 0.2], [0.3, 0.7, -0.4], [1.0, 0.1, 0.6]])
CASES = [eig_values_real, eig_real_and_imag, eigvals_real, real_of_an_array]


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_against_differences(f):
    gradient = s2s.grad(f)
    np.testing.assert_allclose(gradient(A), numeric_gradient(f, [A], 0), rtol=1e-6, atol=1e-8)
    _, tangent = s2s.jvp(f)(A, V)
    np.testing.assert_allclose(tangent, along(f, A, V), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2s.hvp(f)(A, V), along(gradient, A, V), rtol=1e-5, atol=1e-7)


def test_imaginary_parts_of_a_real_spectrum_pass_nothing():
    assert np.all(s2s.grad(imag_alone)(A) == 0.0)


@pytest.mark.parametrize("f", [eig_values_real, eig_real_and_imag, eigvals_real, imag_alone],
                         ids=lambda f: f.__name__)  # fmt: skip
def test_a_complex_spectrum_is_refused(f):
    with pytest.raises(s2s.UndefinedGradientError, match="complex eigenvalues"):
        s2s.grad(f)(COMPLEX)
    with pytest.raises(s2s.UndefinedGradientError, match="complex"):
        s2s.jvp(f)(COMPLEX, V)


def test_complex_results_of_a_real_spectrum_are_passed_on_as_real_arrays():
    """numpy 2.5 returns eig's results as complex arrays with imaginary parts 0 for a real
    spectrum; the rules pass them to the helpers (and their twins, differentiated again) as the
    real arrays numpy 2.4 returns. A complex spectrum, and real arrays, are left as they are."""
    w = np.array([2.0 + 0.0j, -1.0 + 0.0j])
    real = s2s.runtime.drop_zero_imaginary(w)
    assert real.dtype == np.float64 and np.array_equal(real, [2.0, -1.0])
    spectrum = np.array([1.0 + 0.5j, 1.0 - 0.5j])
    assert s2s.runtime.drop_zero_imaginary(spectrum) is spectrum
    assert s2s.runtime.drop_zero_imaginary(A) is A
    assert s2s.runtime.drop_zero_imaginary(None) is None


def test_a_missing_cotangent_is_not_converted():
    # eig's eigenvectors get no cotangent here: the adjoint passes None, not a call on it
    source = s2s.grad(eig_values_real).source
    assert "drop_zero_imaginary(d_eig_eigenvalues_1)" in source, source
    assert "drop_zero_imaginary(None)" not in source and ", None, _s2s.drop" in source, source
