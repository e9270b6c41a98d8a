"""Shared factors: the adjoint of ``solve(K, y)`` through the Cholesky factor of that very ``K``.

A Gaussian process's likelihood takes ``L = np.linalg.cholesky(K)`` (its log-determinant) and
``np.linalg.solve(K, y)``. The adjoint of the solve solves with ``K^T`` once more, factorizing
``K`` again (numpy keeps no LU: 40 us at n = 100, one core), while the adjoint of the Cholesky
decomposition forms ``L^-1`` anyway. Where the function computes both from the same value
``K``, this pass forms ``L^-1`` once (``_s2s.lower_inverse(L)``) before the first of the two
adjoints and hands it to both: the Cholesky adjoint reads it instead of forming it, and the
solve's adjoint becomes ``_s2s.solve_cotangent_factored``, which applies ``L^-T L^-1`` (two
products) where ``K`` is symmetric, checked on the values (``cholesky`` reads only the lower
triangle, so ``L L^T`` is ``K`` only then), and otherwise solves with ``K^T`` as before:

>>> import numpy as np, s2s
>>> def gp(s, y):
...     K = np.eye(3) * s + 1.0
...     L = np.linalg.cholesky(K)
...     return np.dot(y, np.linalg.solve(K, y)) + np.sum(np.log(np.diag(L)))
>>> g = s2s.grad(gp); _ = g(2.0, np.ones(3))
>>> for line in g.source.splitlines():
...     if "inverse" in line and "del " not in line:
...         print(line.strip())
L_inverse = _s2s.lower_inverse(L)
d_b_1 = _s2s.solve_cotangent_factored(d_solve_1, K, y, L_inverse)
d_K = d_K + _s2s.cholesky_diagonal_adjoint(d_diag_1, L, L_inverse)

A log-determinant's ``np.diag(L)`` sends ``L`` the cotangent ``undiag(g)``: zeros with ``g``
on the diagonal (14 us at n = 100), which the Cholesky adjoint then searches for off-diagonal
entries. Where that cotangent is read only by the adjoint of ``L``, the adjoint reads ``g``
itself (``_s2s.cholesky_diagonal_adjoint``, as above), with or without a shared ``L^-1``.

"The same value" is decided on the generated text: ``K`` is a parameter or assigned exactly
once in the whole derivative, ``L`` assigned exactly once by ``L = _np.linalg.cholesky(K)``
(the lower factor), neither written in place nor saved on a tape, and the calls are statements
of straight code (not in a loop or branch). Anything else keeps the adjoints as they were.
Numpy only, and not in functional code (higher order differentiates the derivative's own
source, whose helpers have twins of their own).
"""

from __future__ import annotations

import gast

from s2s.codegen.sweeps import Sweeps, assign, call
from s2s.codegen.templating import name
from s2s.codegen.walking import walk

_CHOLESKY = "_np.linalg.cholesky"
_SOLVE = "_s2s.solve_cotangent"
_ADJOINT = "_s2s.cholesky_adjoint"


def share_cholesky_factors(sweeps: Sweeps, params: set[str]) -> None:
    """Rewrite ``sweeps.adjoint`` in place (see the module docstring); ``params`` names the
    derivative's parameters (bound once, by the caller)."""
    pairs = [pair for block in sweeps.primal for stmt in block.body
             if (pair := _cholesky_of(stmt)) is not None]  # fmt: skip
    if not pairs:  # (most derivatives: no walk of the whole code for its bindings)
        return
    stores = _store_counts(sweeps)
    factors: dict[str, str] = {}  # matrix name -> its lower Cholesky factor's name
    for factor, matrix in pairs:
        once = stores.get(matrix, 0) == 1 or (matrix in params and matrix not in stores)
        unwritten = not {factor, matrix} & (sweeps.written | sweeps.saved)
        if once and stores.get(factor) == 1 and unwritten:
            factors.setdefault(matrix, factor)
    for matrix, factor in factors.items():
        _share(sweeps, matrix, factor)
    for factor in factors.values():
        _diagonal_cotangent(sweeps, factor, stores)


def _diagonal_cotangent(sweeps: Sweeps, factor: str, stores: dict[str, int]) -> None:
    """``d_L = _s2s.undiag(g, L, 0)`` read only by ``_s2s.cholesky_adjoint(d_L, L, False)``
    (``L``'s cotangent is ``np.diag(L)``'s): the adjoint reads ``g`` itself
    (``_s2s.cholesky_diagonal_adjoint(g, L)``) and the statement goes."""
    reads = _read_counts(sweeps)
    for block in sweeps.adjoint:
        for stmt in list(block.body):
            spread = _undiag_of(stmt, factor)
            if spread is None:
                continue
            target, diagonal = spread
            once = all(stores.get(v) == 1 and reads.get(v) == 1 for v in (target, diagonal))
            if not once:  # (g read elsewhere: it may be a buffer written in place after)
                continue
            node = _adjoint_reading(sweeps, target, factor)
            if node is not None:
                node.func = call("_s2s.cholesky_diagonal_adjoint").func
                node.args = [name(diagonal), name(factor), *node.args[3:]]
                block.body.remove(stmt)


def _adjoint_reading(sweeps: Sweeps, cotangent: str, factor: str) -> gast.Call | None:
    """The call ``_s2s.cholesky_adjoint(cotangent, factor, False[, inverse])``, if any."""
    for block in sweeps.adjoint:
        for stmt in block.body:
            if not isinstance(stmt, (gast.Assign, gast.AugAssign, gast.Expr)):
                continue  # a loop or a branch: not straight code
            for node in walk(stmt):
                if (
                    isinstance(node, gast.Call)
                    and _dotted(node.func) == _ADJOINT
                    and len(node.args) in (3, 4)
                    and not node.keywords
                    and _is_name(node.args[0], cotangent)
                    and _is_name(node.args[1], factor)
                    and isinstance(node.args[2], gast.Constant)
                    and node.args[2].value is False
                ):
                    return node
    return None


def _undiag_of(stmt: gast.stmt, factor: str) -> tuple[str, str] | None:
    """``(d_L, g)`` of ``d_L = _s2s.undiag(g, L, 0)`` (``L`` the factor, ``g`` a name), or of
    ``d_L = _s2s.unbroadcast(_s2s.undiag(g, L, 0), L)`` (where shapes are not known when
    generating: ``undiag`` gives ``L``'s shape, which that unbroadcast keeps)."""
    if not (
        isinstance(stmt, gast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], gast.Name)
        and isinstance(stmt.value, gast.Call)
    ):
        return None
    value = stmt.value
    if _is_call(value, "_s2s.unbroadcast", 2) and _is_name(value.args[1], factor):
        value = value.args[0]
    if not (
        isinstance(value, gast.Call)
        and _is_call(value, "_s2s.undiag", 3)
        and isinstance(value.args[0], gast.Name)
        and _is_name(value.args[1], factor)
        and isinstance(value.args[2], gast.Constant)
        and value.args[2].value == 0
    ):
        return None
    return stmt.targets[0].id, value.args[0].id


def _read_counts(sweeps: Sweeps) -> dict[str, int]:
    counts: dict[str, int] = {}
    for block in sweeps.primal + sweeps.adjoint:
        for stmt in block.body:
            for node in walk(stmt):
                if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load):
                    counts[node.id] = counts.get(node.id, 0) + 1
    return counts


def _share(sweeps: Sweeps, matrix: str, factor: str) -> None:
    solves, adjoints, first = [], [], None
    for block in sweeps.adjoint:
        for stmt in block.body:
            if not isinstance(stmt, (gast.Assign, gast.AugAssign, gast.Expr)):
                continue  # a loop or a branch: not straight code
            for node in walk(stmt):
                if not isinstance(node, gast.Call):
                    continue
                if _is_call(node, _SOLVE, 3) and _is_name(node.args[1], matrix):
                    solves.append(node)
                elif (
                    _is_call(node, _ADJOINT, 3)
                    and _is_name(node.args[1], factor)
                    and isinstance(node.args[2], gast.Constant)
                    and node.args[2].value is False
                ):
                    adjoints.append(node)
                else:
                    continue
                first = first or (block, stmt)
    if not solves or not adjoints:  # L^-1 for one of them alone costs more than it saves
        return
    inverse = sweeps.names.fresh(f"{factor}_inverse")
    block, stmt = first
    formed = assign(inverse, call("_s2s.lower_inverse", name(factor)))
    block.body.insert(block.body.index(stmt), formed)
    for node in solves:
        node.func = call("_s2s.solve_cotangent_factored").func
        node.args.append(name(inverse))
    for node in adjoints:
        node.args.append(name(inverse))


def _store_counts(sweeps: Sweeps) -> dict[str, int]:
    """How many times each name is bound in the whole derivative (assignments, loop targets,
    tape pops; a ``del`` is not a binding)."""
    counts: dict[str, int] = {}
    for block in sweeps.primal + sweeps.adjoint:
        for stmt in block.body:
            for node in walk(stmt):
                if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
                    counts[node.id] = counts.get(node.id, 0) + 1
    return counts


def _cholesky_of(stmt: gast.stmt) -> tuple[str, str] | None:
    """``(L, K)`` of ``L = _np.linalg.cholesky(K)`` (no ``upper``, or ``upper=False``)."""
    if not (
        isinstance(stmt, gast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], gast.Name)
        and isinstance(stmt.value, gast.Call)
        and _is_call(stmt.value, _CHOLESKY, 1)
        and isinstance(stmt.value.args[0], gast.Name)
    ):
        return None
    for keyword in stmt.value.keywords:
        lower = keyword.arg == "upper" and isinstance(keyword.value, gast.Constant)
        if not (lower and keyword.value.value is False):
            return None
    return stmt.targets[0].id, stmt.value.args[0].id


def _is_call(node: gast.Call, dotted: str, n_args: int) -> bool:
    return _dotted(node.func) == dotted and len(node.args) == n_args and (
        dotted == _CHOLESKY or not node.keywords
    )


def _is_name(node: gast.expr, var: str) -> bool:
    return isinstance(node, gast.Name) and node.id == var


def _dotted(node: gast.expr) -> str:
    parts = []
    while isinstance(node, gast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, gast.Name):
        return ""
    return ".".join([node.id, *reversed(parts)])
