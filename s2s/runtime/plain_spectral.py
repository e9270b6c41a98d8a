"""Plain twins of the adjoint and tangent helpers of ``np.linalg.eig`` and ``eigvals``,
differentiated from their source (second order and beyond, :mod:`s2s.runtime.sources`).

Each function computes what its helper in :mod:`s2s.runtime.linalg_spectral` computes, with
numpy calls that have rules of their own (matmul, ``np.linalg.solve``, ``np.linalg.eig``,
``np.take_along_axis``). A complex argument (a complex spectrum) is refused with a located
error (:func:`s2s.runtime.spectra.refuse_complex`), and so is a repeated eigenvalue where
the eigenvectors' cotangent is used (:func:`s2s.runtime.spectra.real_spectrum`, with the
tolerance of :func:`s2s.runtime.spectra.eig_tolerance`). The
formulas and their source (Giles 2008, section 3.1) are in the helpers' docstrings; shapes
and dtypes are the helpers'.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from s2s.runtime.plain_decompositions import matrix_transpose, reciprocal_gaps, with_diagonal
from s2s.runtime.sources import plain, refuses_complex
from s2s.runtime.spectra import (
    drop_zero_imaginary,
    eig_repeated,
    real_spectrum,
    refuse_complex,
)


def eig_adjoint(g_w: Any, g_v: Any, w: Any, v: Any) -> Any:
    """The twin of :func:`s2s.runtime.eig_adjoint`: ``V^-T (diag(g_w) + F o (V^T g_v - V^T V
    diag(diag(V^T g_v)))) V^T`` with ``F_ij = 1 / (w_j - w_i)`` (0 on the diagonal)."""
    vt = matrix_transpose(v)
    if g_v is None:
        if g_w is None:
            return v * 0.0
        # its derivative goes through the eigenvectors' tangent: refuse a repeated eigenvalue
        middle = with_diagonal(v * 0.0, g_w + real_spectrum(w, eig_repeated(w, v)) * 0.0)
    else:
        vtg = vt @ g_v
        unit = (vt @ v) * np.diagonal(vtg, axis1=-2, axis2=-1)[..., None, :]
        middle = reciprocal_gaps(real_spectrum(w, eig_repeated(w, v)), False) * (vtg - unit)
        if g_w is not None:
            middle = with_diagonal(middle, g_w)
    return np.linalg.solve(vt, middle @ vt)


def matching_order(values: Any, w: Any) -> Any:
    """The index in ``w`` of each of ``values`` (both real eigenvalues of one matrix, from
    eigvals and eig, equal up to rounding): the k-th smallest of ``values`` gets the k-th
    smallest of ``w``, a permutation, so that equal eigenvalues keep distinct eigenvectors
    (the nearest one paired both with one vector). An integer array, piecewise constant."""
    ranks = np.argsort(np.argsort(values, axis=-1, kind="stable"), axis=-1)
    return np.take_along_axis(np.argsort(w, axis=-1, kind="stable"), ranks, axis=-1)


def eigvals_adjoint(g: Any, a: Any, values: Any) -> Any:
    """The twin of :func:`s2s.runtime.eigvals_adjoint`: ``V^-T diag(g) V^T`` with the
    eigenvectors of one more ``np.linalg.eig``, ordered as ``values``."""
    w, v = np.linalg.eig(a)
    w, v = drop_zero_imaginary(w), drop_zero_imaginary(v)
    v = np.take_along_axis(v, matching_order(values, w)[..., None, :], axis=-1)
    return eig_adjoint(g, None, values, v)


def eig_tangent(t: Any, w: Any, v: Any) -> tuple[Any, Any]:
    """The twin of :func:`s2s.runtime.eig_tangent`: ``C = V^-1 dA V``, ``dw = diag(C)``,
    ``dV = V (F o C)`` made orthogonal to each unit column. Its derivative goes through the
    eigenvectors' tangent: a repeated eigenvalue is refused (:func:`real_spectrum`)."""
    c = np.linalg.solve(v, t @ v)
    raw = v @ (reciprocal_gaps(real_spectrum(w, eig_repeated(w, v)), False) * c)
    dv = raw - v * np.sum(v * raw, axis=-2, keepdims=True)
    return np.diagonal(c, axis1=-2, axis2=-1), dv


def eigvals_tangent(t: Any, a: Any, values: Any) -> Any:
    """The twin of :func:`s2s.runtime.eigvals_tangent`: ``diag(V^-1 dA V)`` with the
    eigenvectors of one more ``np.linalg.eig``, ordered as ``values``. Its derivative goes
    through the eigenvectors' tangent: a repeated eigenvalue is refused."""
    w, v = np.linalg.eig(a)
    w, v = drop_zero_imaginary(w), drop_zero_imaginary(v)
    v = np.take_along_axis(v, matching_order(values, w)[..., None, :], axis=-1)
    v = real_spectrum(v, eig_repeated(values, v))
    return np.diagonal(np.linalg.solve(v, t @ v), axis1=-2, axis2=-1)


plain(matching_order)
refuses_complex(refuse_complex, eig_adjoint, eigvals_adjoint, eig_tangent, eigvals_tangent)
