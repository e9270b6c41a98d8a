"""Rows for the keyword forms of the rules: every optional parameter of a template that a call
can pass by name has a row passing it (``test_every_keyword_form_has_a_row``), so a rule that
mishandles ``clip(x, max=...)`` or ``var(x, keepdims=True)`` fails here, not only the positional
form its first rows use."""

import builtins

import numpy as np

from rows.spec import R, const, distinct, normal, positive, spd, uniform

IDX = np.array([0, 5, 1])

ROWS = [
    R(np.clip, lambda x, hi: np.clip(x, max=hi), normal(3, 4), uniform(-0.5, 0.5, 4), tag="max"),
    R(
        np.clip,
        lambda x, lo, hi: np.clip(x, a_min=lo, a_max=hi),
        normal(3, 4),
        uniform(-1.0, -0.2, 4),
        uniform(0.2, 1.0, 3, 1),
        tag="a_min-a_max",
    ),
    R(
        np.einsum,
        lambda a, b: np.einsum("ij,jk->ik", a, b, optimize=False),
        normal(2, 3),
        normal(3, 2),
        tag="optimize",
    ),
    R(np.sum, lambda x: np.sum(x, axis=0, dtype=x.dtype), normal(3, 4), tag="dtype"),
    R(np.mean, lambda x: np.mean(x, axis=1, dtype=x.dtype), normal(3, 4), tag="dtype"),
    R(np.prod, lambda x: np.prod(x, axis=1, dtype=x.dtype), positive(3, 4), tag="dtype"),
    R(np.max, lambda x: np.max(x, axis=1, keepdims=True), distinct(3, 4), tag="keepdims"),
    R(np.min, lambda x: np.min(x, axis=0, keepdims=True), distinct(3, 4), tag="keepdims"),
    R(
        np.var,
        lambda x: np.var(x, axis=0, dtype=x.dtype, keepdims=True),
        normal(3, 4),
        tag="dtype-keepdims",
    ),
    R(np.std, lambda x: np.std(x, axis=1, dtype=x.dtype), normal(3, 4), tag="dtype"),
    R(np.cumsum, lambda x: np.cumsum(x, axis=0, dtype=x.dtype), normal(3, 4), tag="dtype"),
    R(np.cumprod, lambda x: np.cumprod(x, axis=1, dtype=x.dtype), positive(3, 4), tag="dtype"),
    R(np.transpose, lambda x: np.transpose(x, axes=(2, 0, 1)), normal(2, 3, 4), tag="axes-keyword"),
    R(np.reshape, lambda x: np.reshape(x, (3, 2), copy=True), normal(2, 3), tag="copy"),
    R(np.broadcast_to, lambda x: np.broadcast_to(x, (2, 3), subok=False), normal(3), tag="subok"),
    R(
        np.concatenate,
        lambda a, b: np.concatenate([a, b], axis=1, dtype=a.dtype, casting="same_kind"),
        normal(2, 3),
        normal(2, 1),
        tag="dtype-casting",
    ),
    R(
        np.stack,
        lambda a, b: np.stack([a, b], axis=1, dtype=a.dtype, casting="same_kind"),
        normal(2, 3),
        normal(2, 3),
        tag="dtype-casting",
    ),
    R(
        np.hstack,
        lambda a, b: np.hstack([a, b], dtype=a.dtype, casting="same_kind"),
        normal(2, 3),
        normal(2, 2),
        tag="dtype-casting",
    ),
    R(
        np.vstack,
        lambda a, b: np.vstack([a, b], dtype=a.dtype, casting="same_kind"),
        normal(2, 3),
        normal(1, 3),
        tag="dtype-casting",
    ),
    R(
        np.take,
        lambda x, i: np.take(x, i, axis=0, mode="clip"),
        normal(3, 2),
        const(IDX),
        tag="mode-clip",
    ),
    R(
        np.diagonal,
        lambda x: np.diagonal(x, offset=1, axis1=1, axis2=2),
        normal(2, 3, 3),
        tag="axis1-axis2",
    ),
    R(np.trace, lambda x: np.trace(x, dtype=x.dtype), normal(3, 3), tag="dtype"),
    R(
        np.full_like,
        lambda a, s: np.full_like(a, s, dtype=None, order="C", subok=True, shape=(2, 3)),
        normal(3, 2),
        normal(3),
        tag="keywords",
    ),
    R(np.full, lambda s: np.full((2, 3), s, dtype=None, order="F"), normal(3), tag="keywords"),
    R(np.copy, lambda x: np.copy(x, order="F"), normal(2, 3), tag="order"),
    R(np.asarray, lambda x: np.asarray(x, order="C", copy=True), normal(2, 3), tag="order-copy"),
    R(
        np.array,
        lambda x: np.array(x, dtype=x.dtype, copy=True, order="K"),
        normal(2, 3),
        tag="keywords",
    ),
    R(np.astype, lambda x: np.astype(x * 2.0, x.dtype, copy=False), normal(2, 3), tag="copy"),
    R(builtins.sum, lambda x, y: sum((x, y * 2.0), start=x * y), normal(3), normal(3), tag="start"),
    R(builtins.sum, lambda x, y: sum((x, y), x * y), normal(3), normal(3), tag="start-positional"),
    R(np.sort, lambda x: np.sort(x, kind="stable"), distinct(5), tag="kind"),
    R(np.sort, lambda x: np.sort(x, stable=True), distinct(5), tag="stable"),
    R(
        np.unique,
        lambda x: np.unique(np.concatenate([x, x[:1]]), axis=0),
        distinct(3, 2),
        tag="axis",
    ),
    R(
        np.unique,
        lambda x: np.unique(x, equal_nan=False, sorted=True),
        distinct(5),
        tag="equal_nan-sorted",
    ),
    R(np.linalg.cholesky, lambda a: np.linalg.cholesky(a, upper=False), spd(3), tag="upper-false"),
]

# Template parameters no call passes by name: numpy's own signature makes them positional-only.
POSITIONAL_ONLY = {("numpy.where", "x"), ("numpy.where", "y")}
