"""Second derivatives of ``numpy.linalg``'s norms: the partials of the slope that
:func:`s2s.runtime.norm_adjoint` multiplies the cotangent by (templates/linalg_adjoints.py).

``norm_adjoint(g, x, n)`` is ``g * G(x, n)`` with ``G`` the norm's gradient written with the
norm ``n`` as an argument of its own. Its rules need ``dG/dx`` (:func:`norm_hessian`, a
symmetric map: the norm's Hessian where ``G`` does not read ``n``, diagonal where it does) and
``dG/dn`` (:func:`norm_slope_dn` and its transpose :func:`norm_slope_dn_t`).

- vector p-norms (``ord`` None, 2 or any p other than 0, 1, inf, -inf; 'fro' for matrices):
  ``G = sign(x) |x|^(p-1) / n^(p-1)``, so ``dG/dx = (p-1) |x|^(p-2) / n^(p-1)`` (diagonal)
  and ``dG/dn = -(p-1) sign(x) |x|^(p-1) / n^p``;
- ord 0, 1, inf, -inf (and the matrix 1, -1, inf, -inf norms): ``G`` is piecewise constant,
  both partials are 0;
- the nuclear norm (``G = U V^T``, the polar factor, full rank) and the spectral norms 2, -2
  (``G = u_i v_i^T`` for a simple extreme singular value): the SVD's derivative,
  ``M = U^T dA V``, ``d u_i = sum_j u_j (s_i M_ji + s_j M_ij) / (s_i^2 - s_j^2) +
  (I - U U^T) dA v_i / s_i`` and likewise ``d v_i`` (Townsend 2016, "Differentiating the
  singular value decomposition"); ``d(U V^T) = U Omega V^T + (I - U U^T) dA V S^-1 V^T +
  U S^-1 U^T dA (I - V V^T)`` with ``Omega_ij = (M_ij - M_ji) / (s_i + s_j)``.

Shapes: ``x``-shaped results (``norm_hessian``, ``norm_slope_dn``) in ``x``'s accumulator
dtype; ``norm_slope_dn_t`` has ``n``'s shape. Raises ``ValueError`` for an ``ord`` numpy's norm
refuses. At the origin the slope is 0 (DESIGN 8) and so are its partials.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from s2s.runtime.core import acc_dtype, unbroadcast
from s2s.runtime.linalg import as_dtype, norm_layout
from s2s.runtime.namespace import array_namespace
from s2s.runtime.ufuncs import div_or_zero

_FLAT = (0, 1, np.inf, -np.inf)


def _power(ord: Any, matrix: bool) -> float | None:
    """The p of a norm whose slope is ``sign(x) |x|^(p-1) / n^(p-1)``, else None."""
    if matrix:
        return 2.0 if ord in (None, "fro") else None
    if ord is None:
        return 2.0
    return None if ord in _FLAT else float(ord)


def _parts(g: Any, x: Any, n: Any, ord: Any, axis: Any, vector: bool):
    xp = array_namespace(x)
    x = np.asarray(x) if xp is np else x
    dtype = acc_dtype(x.dtype)
    x = x.astype(dtype, copy=False) if xp is np else x.astype(dtype)
    axes, matrix, keep = norm_layout(x, ord, axis, vector)
    gk = xp.reshape(as_dtype(xp, g, dtype), keep)
    nk = xp.reshape(as_dtype(xp, n, dtype), keep)
    return xp, x, axes, matrix, gk, nk


def _T(m: Any) -> Any:
    return m.swapaxes(-1, -2)


def _polar_derivative(xp: Any, a: Any, v: Any) -> Any:
    # d(U V^T) along v for full-rank matrices a (..., m, k)
    u, s, vh = xp.linalg.svd(a, full_matrices=False)
    vv = _T(vh)
    ut_v = _T(u) @ v
    m = ut_v @ vv
    omega = (m - _T(m)) / (s[..., :, None] + s[..., None, :])
    left = (v @ vv - u @ m) / s[..., None, :]
    right = (ut_v - m @ vh) / s[..., :, None]
    return u @ omega @ vh + left @ vh + u @ right


def _spectral_derivative(xp: Any, a: Any, v: Any, i: int) -> Any:
    # d(u_i v_i^T) along v, for the simple singular value i (0: largest, -1: smallest)
    u, s, vh = xp.linalg.svd(a, full_matrices=False)
    vv = _T(vh)
    m = _T(u) @ v @ vv
    si = s[..., i : i + 1 or None]  # (..., 1)
    ui, vi = u[..., :, i : i + 1 or None], vv[..., :, i : i + 1 or None]
    gap = si**2 - s**2
    other = xp.not_equal(xp.arange(s.shape[-1]), s.shape[-1] + i if i < 0 else i)
    col_i, row_i = m[..., :, i], m[..., i, :]  # M_ji and M_ij over j
    cu = div_or_zero(xp.where(other, si * col_i + s * row_i, 0), gap)
    cv = div_or_zero(xp.where(other, si * row_i + s * col_i, 0), gap)
    du = u @ cu[..., :, None] + (v @ vi - u @ m[..., :, i : i + 1 or None]) / si[..., None]
    dv = vv @ cv[..., :, None] + (_T(v) @ ui - vv @ _T(m[..., i : i + 1 or None, :])) / si[
        ..., None
    ]
    return du @ _T(vi) + ui @ _T(dv)


def norm_hessian(v: Any, g: Any, x: Any, n: Any, ord: Any = None, axis: Any = None,
                 keepdims: bool = False, vector: bool = False) -> Any:  # fmt: skip
    """``g`` times the partial in ``x`` of the norm's slope, applied to ``v`` (``x``'s shape):
    the ``x`` part of both the tangent and the adjoint of ``norm_adjoint`` (a symmetric map).
    ``vector``: the norm is ``vector_norm``. Formulas in the module docstring."""
    xp, x, axes, matrix, gk, nk = _parts(g, x, n, ord, axis, vector)
    v = as_dtype(xp, v, x.dtype)
    p = _power(ord, matrix)
    if p is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            diag = div_or_zero((p - 1.0) * xp.abs(x) ** (p - 2.0), nk ** (p - 1.0))
        return unbroadcast(gk * diag * v, x)
    if not matrix or ord in (1, -1, np.inf, -np.inf):
        return unbroadcast(xp.zeros_like(x), x)
    if ord not in ("nuc", 2, -2):
        raise ValueError(f"the second derivative of norm does not support ord={ord!r}")
    moved = (axes[0], axes[1]), (-2, -1)
    am, vm = xp.moveaxis(x, *moved), xp.moveaxis(v, *moved)
    if ord == "nuc":
        local = _polar_derivative(xp, am, vm)
    else:
        local = _spectral_derivative(xp, am, vm, 0 if ord == 2 else -1)
        local = xp.where(xp.moveaxis(nk, *moved) > 0, local, 0)
    return unbroadcast(gk * xp.moveaxis(local, moved[1], moved[0]), x)


def _slope_dn(gk: Any, x: Any, nk: Any, p: float) -> Any:
    # g dG/dn = -g (p-1) sign(x) |x|^(p-1) / n^p, x-shaped
    return div_or_zero(-(p - 1.0) * gk * np.sign(x) * np.abs(x) ** (p - 1.0), nk**p)


def norm_slope_dn(t: Any, g: Any, x: Any, n: Any, ord: Any = None, axis: Any = None,
                  keepdims: bool = False, vector: bool = False) -> Any:  # fmt: skip
    """``g dG/dn`` times the tangent ``t`` of the norm ``n`` (``n``'s shape): ``x``'s shape.
    Zero but for the p-norms (module docstring)."""
    xp, x, axes, matrix, gk, nk = _parts(g, x, n, ord, axis, vector)
    p = _power(ord, matrix)
    if p is None:
        return unbroadcast(xp.zeros_like(x), x)
    tk = xp.reshape(as_dtype(xp, t, x.dtype), nk.shape)
    return unbroadcast(_slope_dn(gk, x, nk, p) * tk, x)


def norm_slope_dn_t(w: Any, g: Any, x: Any, n: Any, ord: Any = None, axis: Any = None,
                    keepdims: bool = False, vector: bool = False) -> Any:  # fmt: skip
    """The transpose of :func:`norm_slope_dn`: ``sum(g dG/dn * w)`` over the reduced axes,
    in ``n``'s shape and accumulator dtype (``w`` has ``x``'s shape)."""
    xp, x, axes, matrix, gk, nk = _parts(g, x, n, ord, axis, vector)
    p = _power(ord, matrix)
    w = as_dtype(xp, w, x.dtype)
    if p is None:
        total = xp.zeros_like(nk)
    else:
        total = xp.sum(_slope_dn(gk, x, nk, p) * w, axis=axes, keepdims=True)
    return unbroadcast(xp.reshape(total, np.shape(n)), n)
