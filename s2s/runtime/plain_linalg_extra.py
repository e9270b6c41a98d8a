"""Plain twins of the adjoint helpers of ``numpy.linalg``'s pinv, matrix_power, cond,
tensorinv, tensorsolve and lstsq, differentiated from their source.

Each function computes what its helper in :mod:`s2s.runtime.linalg_extra` computes, with
numpy calls that have rules of their own (matmul, ``np.linalg.inv``, ``svd``, ``solve``,
``norm``, reshapes), so that s2s differentiates an adjoint that calls the helper again
(second order, :mod:`s2s.runtime.sources`). The formulas and their sources are in the
helpers' docstrings (lstsq's in :mod:`s2s.runtime.linalg_spectral`); shapes and dtypes
are the helpers'.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from s2s.runtime.linalg import invertible, norm_adjoint
from s2s.runtime.plain_decompositions import matrix_transpose
from s2s.runtime.sources import plain


def pinv_adjoint(g: Any, a: Any, x: Any) -> Any:
    """The twin of :func:`s2s.runtime.pinv_adjoint` (Golub and Pereyra 1973, transposed):
    ``-X^T G X^T + (I - A X) G^T X X^T + X^T X G^T (I - X A)``."""
    gt = matrix_transpose(g)
    xt = matrix_transpose(x)
    left = gt @ (x @ xt)
    right = (xt @ x) @ gt
    return -(xt @ g @ xt) + (left - a @ (x @ left)) + (right - (right @ x) @ a)


def matrix_power_adjoint(g: Any, a: Any, n: int) -> Any:
    """The twin of :func:`s2s.runtime.matrix_power_adjoint`: ``S = sum_k (B^T)^k G
    (B^T)^(m-1-k)`` for ``B = A`` (``n > 0``) or ``inv(A)`` (``n < 0``, then ``-B^T S B^T``),
    ``m = |n|``, by ``S_(j+1) = B^T S_j + G (B^T)^j``; zero for ``n = 0`` (the product rule)."""
    if n == 0:
        return a * 0.0
    if n < 0:
        bt = matrix_transpose(np.linalg.inv(a))
    else:
        bt = matrix_transpose(a)
    total = g
    power = g
    for _ in range(abs(n) - 1):
        power = power @ bt
        total = bt @ total + power
    if n < 0:
        total = -(bt @ total @ bt)
    return total


def cond_slope(x: Any, p: Any = None) -> Any:
    """The twin of :func:`s2s.runtime.linalg_extra.cond_slope`: ``d cond(x, p) / dx`` per
    matrix, by the extreme singular values (``p`` None, 2, -2) or ``|A| |inv(A)|``."""
    if p is None or p == 2 or p == -2:
        u, s, vh = np.linalg.svd(x, full_matrices=False)
        first = u[..., :, :1] * vh[..., :1, :]
        last = u[..., :, -1:] * vh[..., -1:, :]
        s_first, s_last = s[..., :1, None], s[..., -1:, None]
        if p == -2:  # cond = s_min / s_max
            return last / s_first - first * (s_last / s_first**2)
        return first / s_last - last * (s_first / s_last**2)
    b = np.linalg.inv(x)
    na = np.linalg.norm(x, p, axis=(-2, -1))
    nb = np.linalg.norm(b, p, axis=(-2, -1))
    ones = na * 0.0 + 1.0
    da = norm_adjoint(ones, x, na, p, (-2, -1))
    db = norm_adjoint(ones, b, nb, p, (-2, -1))
    bt = matrix_transpose(b)
    return nb[..., None, None] * da - na[..., None, None] * (bt @ db @ bt)


def cond_adjoint(g: Any, x: Any, c: Any, p: Any = None) -> Any:
    """The twin of :func:`s2s.runtime.cond_adjoint`: ``g`` times the slope per matrix."""
    return np.expand_dims(g, (-2, -1)) * cond_slope(x, p)


def tensorinv_adjoint(g: Any, a: Any, result: Any, ind: int = 2) -> Any:
    """The twin of :func:`s2s.runtime.tensorinv_adjoint`: ``-B^T G B^T`` on the matrix forms."""
    rows = math.prod(a.shape[:ind])
    b = result.reshape(-1, rows)
    bt = matrix_transpose(b)
    return -(bt @ g.reshape(-1, rows) @ bt).reshape(a.shape)


def tensor_order(ndim: int, axes: Any) -> list[int]:
    """The axes of ``a`` in the order numpy.linalg.tensorsolve reads them (``axes`` last)."""
    if axes is None:
        return list(range(ndim))
    last = [k % ndim for k in axes]
    return [i for i in range(ndim) if i not in last] + last


def inverse_order(order: list[int]) -> tuple[int, ...]:
    """The permutation that undoes ``order``."""
    return tuple(int(i) for i in np.argsort(order))


def tensorsolve_grad_b(g: Any, a: Any, b: Any, axes: Any = None) -> Any:
    """The twin of :func:`s2s.runtime.tensorsolve_grad_b`: ``solve(A^T, g)``, ``b``'s shape."""
    mat = a.transpose(tensor_order(a.ndim, axes)).reshape(math.prod(b.shape), -1)
    return np.linalg.solve(matrix_transpose(mat), g.reshape(-1, 1))[:, 0].reshape(b.shape)


def tensorsolve_grad_a(g: Any, a: Any, b: Any, x: Any, axes: Any = None) -> Any:
    """The twin of :func:`s2s.runtime.tensorsolve_grad_a`: ``-solve(A^T, g) x^T``, reshaped
    and its ``axes`` moved back."""
    order = tensor_order(a.ndim, axes)
    moved = a.transpose(order)
    gb = tensorsolve_grad_b(g, a, b, axes)
    ga = -(gb.reshape(-1, 1) * x.reshape(1, -1))
    return ga.reshape(moved.shape).transpose(inverse_order(order))



def columns(b: Any) -> Any:
    """A vector as a column, a matrix as itself."""
    return b[:, None] if b.ndim == 1 else b


def lstsq_grad_a(g_x: Any, g_res: Any, g_s: Any, x: Any, a: Any, b: Any) -> Any:
    """The twin of :func:`s2s.runtime.lstsq_grad_a`: the pinv adjoint of ``g_x b^T``, plus
    ``2 (A x - b) diag(g_res) x^T`` and ``U diag(g_s) V^T`` (Golub and Pereyra 1973)."""
    grad = a * 0.0
    xs, bs = columns(x), columns(b)
    if g_x is not None:
        grad = grad + pinv_adjoint(columns(g_x) @ matrix_transpose(bs), a, np.linalg.pinv(a))
    if g_res is not None:
        if g_res.size:
            grad = grad + 2.0 * ((a @ xs - bs) * g_res) @ matrix_transpose(xs)
    if g_s is not None:
        u, _, vh = np.linalg.svd(a, full_matrices=False)
        grad = grad + (u * g_s) @ vh
    return grad


def lstsq_grad_b(g_x: Any, g_res: Any, x: Any, a: Any, b: Any) -> Any:
    """The twin of :func:`s2s.runtime.lstsq_grad_b`: ``pinv(A)^T g_x - 2 (A x - b) g_res``."""
    grad = b * 0.0
    if g_x is not None:
        grad = grad + matrix_transpose(np.linalg.pinv(a)) @ g_x
    if g_res is not None:
        if g_res.size:
            r = a @ x - b
            grad = grad - 2.0 * (r * g_res if b.ndim == 2 else r * g_res[0])
    return grad


plain(cond_slope, columns)


def _inverse_and_adjugate(a: Any) -> tuple[Any, Any]:
    a = invertible(np.asarray(a))  # a located refusal at a singular matrix (a list: one array)
    inverse = np.linalg.inv(a)
    return inverse, np.linalg.det(a)[..., None, None] * inverse


def det_adjoint_jvp(t: Any, g: Any, a: Any) -> Any:
    """The twin of :func:`s2s.runtime.adjugates.det_adjoint_jvp` for a nonsingular ``A``:
    ``g (tr(A^-1 t) adj(A) - adj(A) t A^-1)^T`` (Giles 2008)."""
    inverse, adjugate = _inverse_and_adjugate(a)
    trace = np.sum(matrix_transpose(inverse) * t, axis=(-2, -1), keepdims=True)
    derivative = trace * adjugate - adjugate @ t @ inverse
    return np.asarray(g)[..., None, None] * matrix_transpose(derivative)


def det_adjoint_vjp(c: Any, g: Any, a: Any) -> Any:
    """The twin of :func:`s2s.runtime.adjugates.det_adjoint_vjp` for a nonsingular ``A``:
    with ``K = g c^T``, ``<K, adj(A)> A^-T - adj(A)^T K A^-T`` (Giles 2008)."""
    inverse, adjugate = _inverse_and_adjugate(a)
    k = np.asarray(g)[..., None, None] * matrix_transpose(c)
    inner = np.sum(k * adjugate, axis=(-2, -1), keepdims=True)
    inverse_t = matrix_transpose(inverse)
    return inner * inverse_t - matrix_transpose(adjugate) @ k @ inverse_t


plain(_inverse_and_adjugate)
