"""``numpy.linalg``'s eig and eigvals (real spectra) and lstsq (float32 and float64).

``eig`` and ``eigvals`` are differentiated where the spectrum is real and, for the
eigenvectors, simple: a complex spectrum, or an eigenvector cotangent at a repeated
eigenvalue, gives an undefined gradient located at the call (``s2s.Undefined``), as the
eigenvectors there are any basis of an eigenspace. ``lstsq``'s ``rank`` is an integer; the
rules of ``x`` and ``residuals`` hold at full rank.
"""

import numpy as np

import s2s.runtime as rt
from s2s.registry import adjoint, d, nondifferentiable, tangent

GILES = 'Giles 2008, "Collected matrix derivative results for forward and reverse mode AD"'
GOLUB = 'Golub and Pereyra 1973, "The differentiation of pseudo-inverses"'


@adjoint(
    np.linalg.eig,
    outputs=2,
    may_be_undefined=True,
    source=GILES + ", section 3.1, with unit-length eigenvectors",
)
def eig(eigenvalues, eigenvectors, a):
    d[a] = rt.eig_adjoint(
        rt.drop_zero_imaginary(d[eigenvalues]),
        rt.drop_zero_imaginary(d[eigenvectors]),
        rt.drop_zero_imaginary(eigenvalues),
        rt.drop_zero_imaginary(eigenvectors),
    )


@tangent(
    np.linalg.eig, source=GILES + ", section 3.1: dw = diag(V^-1 dA V), dV = V (F o V^-1 dA V)"
)
def eig_tangent(eigenvalues, eigenvectors, a):
    parts = rt.eig_tangent(
        d[a], rt.drop_zero_imaginary(eigenvalues), rt.drop_zero_imaginary(eigenvectors)
    )
    d[eigenvalues] = parts[0]
    d[eigenvectors] = parts[1]


@adjoint(np.linalg.eigvals, may_be_undefined=True, source=GILES + ": dw_i = (V^-1 dA V)_ii")
def eigvals(result, a):
    d[a] = rt.eigvals_adjoint(
        rt.drop_zero_imaginary(d[result]), a, rt.drop_zero_imaginary(result)
    )


@tangent(np.linalg.eigvals, source=GILES + ": dw_i = (V^-1 dA V)_ii")
def eigvals_tangent(result, a):
    d[result] += rt.eigvals_tangent(d[a], a, rt.drop_zero_imaginary(result))


# numpy 2.5's complex results of a real spectrum as real arrays: the identity on cotangents and
# tangents (a real spectrum's are real, also where complex arithmetic made them complex).
@adjoint(rt.drop_zero_imaginary, source="the identity (a change of dtype of a real spectrum)")
def drop_zero_imaginary(result, x):
    d[x] = d[result]


@tangent(rt.drop_zero_imaginary, source="the identity (a change of dtype of a real spectrum)")
def drop_zero_imaginary_tangent(result, x):
    d[result] = rt.drop_zero_imaginary(d[x])


# A check of the primal spectrum: the identity on cotangents and tangents. Not @linear, whose
# tangent is the function applied to the tangent (a zero tangent is all ties: a false refusal).
@adjoint(rt.real_spectrum, structural=("tied",), source="the identity (a check of the spectrum)")
def real_spectrum(result, w, tied=False):
    d[w] = d[result]


@tangent(rt.real_spectrum, structural=("tied",), source="the identity (a check of the spectrum)")
def real_spectrum_tangent(result, w, tied=False):
    d[result] = d[w]


nondifferentiable(
    rt.eig_repeated, reason="returns a boolean (whether two eigenvalues are equal to a tolerance)"
)


@adjoint(
    np.linalg.lstsq,
    outputs=4,
    structural=("rcond",),
    source=GOLUB + " (x = pinv(A) b); the envelope theorem (residuals); " + GILES + " (s)",
)
def lstsq(x, residuals, rank, s, a, b, rcond=None):
    d[a] = rt.lstsq_grad_a(d[x], d[residuals], d[s], x, a, b)
    d[b] = rt.lstsq_grad_b(d[x], d[residuals], x, a, b)


@tangent(np.linalg.lstsq, source=GOLUB + "; d |Ax - b|^2 = 2 (Ax - b).(dA x - db); ds = u^T dA v")
def lstsq_tangent(x, residuals, rank, s, a, b, rcond=None):
    d[x] += rt.pinv_tangent(d[a], a, np.linalg.pinv(a)) @ b
    d[x] += np.linalg.pinv(a) @ d[b]
    d[residuals] += rt.lstsq_residuals_tangent(d[a] @ x, x, residuals, a, b)
    d[residuals] += rt.lstsq_residuals_tangent(-d[b], x, residuals, a, b)
    d[s] += rt.svdvals_tangent(d[a], a)
