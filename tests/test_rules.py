"""Registry-driven rule tests (STYLE.md item 8): every registered rule has rows in ``rows/``.

Differentiable rows are checked in float64 against central differences along a random
direction with a random output cotangent, then in float32 and in float16 (where the primal
accepts float16) against the float64 gradient at the rounded point; every gradient has its
input's type, shape and dtype. Piecewise-constant rows check the exact gradient of a function
composed with the rule. Exact values at the non-differentiable points of DESIGN.md section 8
are asserted below. ``test_every_rule_has_a_row`` fails for a registered rule without a row.
"""

from __future__ import annotations

import builtins
import inspect
import re

import gradcheck as gc
import numpy as np
import pytest
import rows
from rows.spec import Row

import s2s
from s2s import registry


def _accepts_float16(row: Row) -> bool:
    """Whether the plain primal runs on float16 inputs (``np.linalg`` raises TypeError)."""
    _, args = row.draw()
    try:
        with np.errstate(all="ignore"):
            row.fn(*[gc.cast(a, np.float16) for a in args])
    except TypeError:
        return False
    return True


# rows whose function is another in float16: scipy 1.18 factors float16 input in a float32 copy
# in place, leaving a's entries in the factor's other triangle, which it zeros for float64
# (the rule follows each: tests/test_scipy.py); float32 checks them against float64
NOT_IN_FLOAT16 = {
    "scipy.linalg.cho_factor:whole factor": "the other triangle: a's entries, zeros in float64",
    "scipy.linalg.cho_factor:whole lower factor": "the other triangle, as for the upper",
}


def _module(key) -> str:
    """The rule module of ``templates/`` that registers ``key``'s rule (``ufuncs``, ...)."""
    return registry.lookup(key).origin.rpartition(".")[2]


def _params(table: list[Row]) -> list:
    """Ids ``module/rule:tag[dtype]``: ``-k ufuncs/`` selects one rule module's rows."""
    params = []
    for row in table:
        half = _accepts_float16(row) and row.id not in NOT_IN_FLOAT16
        dtypes = ["float64", "float32"] + (["float16"] if half else [])
        name = f"{_module(row.key)}/{row.id}"
        params += [pytest.param(row, dt, id=f"{name}[{dt}]") for dt in dtypes]
    return params


# -- differentiable rules -------------------------------------------------------------------------


@pytest.mark.parametrize("row, dtype", _params(rows.DIFFERENTIABLE))
def test_rule(row: Row, dtype: str, rules_reached):
    rng, args = row.draw()
    if dtype == "float64":
        fn = gc.fresh(row.fn)  # generated afresh, so the rules it reaches are recorded
        gc.check_directional(fn, args, row.wrt, rng, sym=row.sym, h=row.h, rtol=row.rtol)
        assert row.key in rules_reached.templates, f"{row.id}: the derivative never used this rule"
        if np.ndim(row.fn(*args)) == 0:
            gc.check_grad_matches_vjp(row.fn, args, row.wrt)
    else:
        gc.check_low_precision(row.fn, args, row.wrt, dtype, rng, h=row.h)


# -- piecewise-constant rules ---------------------------------------------------------------------


@pytest.mark.parametrize("row, dtype", _params(rows.PIECEWISE_CONSTANT))
def test_piecewise_constant(row: Row, dtype: str, rules_reached):
    _, args = row.draw()
    args = [gc.cast(a, dtype) for a in args]
    fn = gc.fresh(row.fn)
    value, pullback = s2s.vjp(fn, wrt=row.wrt)(*args)
    gc.assert_same_value(value, row.fn(*args))
    assert row.key in rules_reached.looked_up, f"{row.id}: the derivative never looked this rule up"
    grads = pullback(gc.ones_like(value))
    for i, g, e in zip(row.wrt, grads, row.expected(*args)):
        gc.assert_like(g, args[i], f"gradient of argument {i}")
        np.testing.assert_array_equal(g, np.asarray(e, dtype=g.dtype))
    gc.check_grad_matches_vjp(row.fn, args, row.wrt)


@pytest.mark.parametrize(
    "row",
    [r for r in rows.PIECEWISE_CONSTANT if r.only],
    ids=lambda r: f"{_module(r.key)}/{r.id}",
)
def test_piecewise_constant_kind(row: Row):
    """Through a step the gradient is zero (no error); through metadata it is disconnected."""
    _, args = row.draw()
    derivative = s2s.grad(row.only, wrt=row.wrt, disconnected="raise")
    if registry.lookup(row.key).metadata:
        with pytest.raises(s2s.DisconnectedGradientError):
            derivative(*args)
    else:
        for i, g in zip(row.wrt, derivative(*args)):
            gc.assert_like(g, args[i], f"gradient of argument {i}")
            np.testing.assert_array_equal(g, np.zeros_like(args[i]))


# -- exact values at non-differentiable points (DESIGN.md section 8) -----------------------------


def where_after_sqrt(s):
    r = np.sqrt(s)
    return np.sum(np.where(r > 0.5, r, 1.0))


A = np.array
SINGULAR = A([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])
# its cofactor matrix (d det / dA = adj(A)^T), written out from the 2x2 minors
COFACTORS = A([[-3.0, 6.0, -3.0], [6.0, -12.0, 6.0], [-3.0, 6.0, -3.0]])


def exact(key, tag, fn, args, expected, ct=None, tol=0.0):
    """A vjp of ``fn`` w.r.t. every argument, with cotangent ``ct`` (ones by default), equal to
    ``expected`` within ``tol`` (relative and absolute; 0 for values that must be exact)."""
    name = f"{_module(key)}/{registry.qualified_name(key)}:{tag}"
    return pytest.param(fn, args, expected, ct, tol, id=name)


EXACT = [
    exact(np.absolute, "at-0", lambda x: np.sum(np.abs(x)), [A([0.0, 1.5, -2.0])], [[0, 1, -1]]),
    exact(np.fabs, "at-0", lambda x: np.sum(np.fabs(x)), [A([0.0, -1.0])], [[0, -1]]),
    exact(
        np.maximum,
        "ties",
        lambda x, y: np.sum(np.maximum(x, y)),
        [A([1.0, 2.0, 3.0]), A([1.0, 0.0, 3.0])],
        [[0.5, 1, 0.5], [0.5, 0, 0.5]],
    ),
    exact(
        np.maximum,
        "nan",
        lambda x, y: np.maximum(x, y),
        [A([np.nan, 1.0]), A([1.0, np.nan])],
        [[1, 0], [0, 1]],
    ),
    exact(np.maximum, "relu-at-0", lambda x: np.sum(np.maximum(x, 0.0)), [A([0.0])], [[0.5]]),
    exact(
        np.minimum,
        "ties",
        lambda x, y: np.sum(np.minimum(x, y)),
        [A([1.0, 2.0]), A([1.0, 0.0])],
        [[0.5, 0], [0.5, 1]],
    ),
    exact(
        np.max,
        "ties-axis",
        lambda x: np.max(x, axis=1),
        [A([[1.0, 1.0, 1.0], [2.0, 0.0, 2.0]])],
        [[[1 / 3, 1 / 3, 1 / 3], [0.5, 0, 0.5]]],
    ),
    exact(np.max, "nan", lambda x: np.max(x), [A([1.0, np.nan, 3.0])], [[0, 1, 0]]),
    exact(np.amax, "ties", lambda x: np.amax(x), [A([3.0, 1.0, 3.0])], [[0.5, 0, 0.5]]),
    exact(np.min, "ties", lambda x: x.min(), [A([1.0, 2.0, 1.0, 1.0])], [[1 / 3, 0, 1 / 3, 1 / 3]]),
    exact(np.amin, "ties", lambda x: np.amin(x), [A([3.0, 1.0, 1.0])], [[0, 0.5, 0.5]]),
    exact(
        np.clip,
        "at-bounds",
        lambda x: np.sum(np.clip(x, 0.0, 1.0)),
        [A([-1.0, 0.0, 0.5, 1.0, 2.0])],
        [[0, 1, 1, 1, 0]],
    ),
    exact(
        np.clip,
        "array-bounds",
        lambda x, lo, hi: np.sum(np.clip(x, lo, hi)),
        [A([0.0, 1.0, 2.0, -1.0]), np.zeros(4), np.ones(4)],
        [[1, 1, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]],
    ),
    exact(np.clip, "relu-at-0", lambda x: np.sum(np.clip(x, 0.0, None)), [A([0.0])], [[1.0]]),
    exact(np.where, "relu-at-0", lambda x: np.sum(np.where(x > 0, x, 0.0)), [A([0.0])], [[0.0]]),
    exact(np.where, "masked-sqrt", where_after_sqrt, [A([0.0, 4.0])], [[0, 0.25]]),
    exact(np.prod, "zero", lambda x: np.prod(x), [A([2.0, 0.0, 3.0])], [[0, 6, 0]]),
    exact(np.prod, "two-zeros", lambda x: np.prod(x), [A([0.0, 2.0, 0.0])], [[0, 0, 0]]),
    exact(
        np.prod,
        "axis",
        lambda x: np.prod(x, axis=0),
        [A([[0.0, 2.0], [3.0, 0.0]])],
        [[[3, 0], [0, 2]]],
    ),
    exact(np.cumprod, "zero", lambda x: np.sum(np.cumprod(x)), [A([2.0, 0.0, 3.0])], [[1, 8, 0]]),
    exact(
        np.linalg.det,
        "singular-2x2",
        lambda a: np.linalg.det(a),
        [A([[1.0, 2.0], [3.0, 6.0]])],
        [[[6, -3], [-2, 1]]],
        tol=1e-12,
    ),
    exact(
        np.linalg.det,
        "singular-3x3",
        lambda a: np.linalg.det(a),
        [SINGULAR],
        [COFACTORS],
        tol=1e-12,
    ),
    exact(
        np.linalg.det,
        "rank-1",
        lambda a: np.linalg.det(a),
        [np.ones((3, 3))],
        [np.zeros((3, 3))],
        tol=1e-12,
    ),
    exact(np.linalg.norm, "origin", lambda x: np.linalg.norm(x), [np.zeros(3)], [np.zeros(3)]),
    exact(
        np.linalg.norm,
        "inf-ties",
        lambda x: np.linalg.norm(x, np.inf),
        [A([1.0, -3.0, 3.0])],
        [[0, -0.5, 0.5]],
    ),
    exact(
        np.hypot,
        "origin",
        lambda x, y: np.sum(np.hypot(x, y)),
        [np.zeros(2), np.zeros(2)],
        [[0, 0], [0, 0]],
    ),
    exact(
        np.arctan2,
        "origin",
        lambda y, x: np.sum(np.arctan2(y, x)),
        [np.zeros(2), np.zeros(2)],
        [[0, 0], [0, 0]],
    ),
    exact(np.power, "x**0", lambda x: np.sum(x**0.0), [A([0.0, 2.0])], [[0, 0]]),
    exact(np.power, "x**int0", lambda x: np.sum(x**0), [A([0.0, -2.0])], [[0, 0]]),
    exact(
        np.power,
        "exponent-at-0-and-negative-base",
        lambda x, y: np.sum(x**y),
        [A([0.0, -2.0]), A([2.0, 2.0])],
        [[0, -4], [0, 0]],
    ),
    exact(
        np.power,
        "0-to-a-negative-power",
        lambda x, y: np.sum(x**y),
        [A([0.0, 0.0]), A([-1.0, -2.0])],
        [[-np.inf, -np.inf], [0.0, 0.0]],
    ),
    # selections in front of a partial that is infinite at a finite input: the rule must say it
    # is singular (mask code), or the dropped entry's 0 * inf is NaN
    exact(
        np.exp2,
        "masked-overflow",
        lambda x: np.sum(np.where(x < 100.0, np.exp2(x), 0.0)),
        [A([2000.0, 1.0])],
        [[0.0, 2.0 * np.log(2.0)]],
        tol=1e-15,
    ),
    exact(
        np.arccos,
        "masked-at-1",
        lambda x: np.sum(np.where(x < 1.0, np.arccos(x), 0.0)),
        [A([1.0, 0.0])],
        [[0.0, -1.0]],
    ),
    exact(
        np.arctanh,
        "masked-at-1",
        lambda x: np.sum(np.where(x < 1.0, np.arctanh(x), 0.0)),
        [A([1.0, 0.0])],
        [[0.0, 1.0]],
    ),
    exact(
        np.cosh,
        "masked-overflow",
        lambda x: np.sum(np.where(x < 100.0, np.cosh(x), 0.0)),
        [A([1000.0, 0.0])],
        [[0.0, 0.0]],
    ),
    # the other conventions of docs/semantics.md, section 5
    exact(
        builtins.max,
        "three-way-tie",
        lambda a, b, c: max(a, b, c),
        [np.float64(1.0), np.float64(1.0), np.float64(1.0)],
        [0.25, 0.25, 0.5],
    ),
    exact(
        np.linalg.norm,
        "spectral-tied",
        lambda a: np.linalg.norm(a, 2),
        [np.eye(2)],
        [[[1.0, 0.0], [0.0, 0.0]]],
        tol=1e-12,
    ),
    exact(
        np.linalg.norm,
        "p-below-1-at-0",
        lambda x: np.linalg.norm(x, 0.5),
        [A([0.0, 1.0])],
        [[np.nan, 1.0]],
    ),
    exact(np.std, "zero-variance", lambda x: np.std(x), [np.ones(3)], [[np.nan] * 3]),
    exact(np.var, "zero-variance", lambda x: np.var(x), [np.ones(3)], [[0.0] * 3]),
    exact(
        np.median, "ties", lambda x: np.median(x), [A([1.0, 2.0, 2.0, 2.0])], [[0.0, 0.5, 0.5, 0.0]]
    ),
    exact(np.median, "nan", lambda x: np.median(x), [A([1.0, np.nan, 2.0])], [[0.0, 1.0, 0.0]]),
    exact(
        np.median,
        "two-nans",
        lambda x: np.median(x),
        [A([np.nan, 1.0, np.nan])],
        [[0.5, 0.0, 0.5]],
    ),
    exact(np.sqrt, "at-0", lambda x: np.sum(np.sqrt(x)), [A([0.0, 4.0])], [[np.inf, 0.25]]),
    exact(np.log, "at-0", lambda x: np.sum(np.log(x)), [A([0.0, 2.0])], [[np.inf, 0.5]]),
    exact(
        np.arcsin,
        "at-1",
        lambda x: np.sum(np.arcsin(x)),
        [A([1.0, -1.0, 0.0])],
        [[np.inf, np.inf, 1]],
    ),
    exact(
        np.sort,
        "stable-ties",
        lambda x: np.sort(x),
        [A([3.0, 1.0, 1.0])],
        [[30, 10, 20]],
        ct=A([10.0, 20.0, 30.0]),
    ),
    exact(
        np.unique,
        "split",
        lambda x: np.unique(x),
        [A([2.0, 1.0, 2.0])],
        [[10, 10, 10]],
        ct=A([10.0, 20.0]),
    ),
]


# IEEE infinities at the domain's edge are the expected values here (tests/test_nonfinite.py
# checks the warning that comes with them)
@pytest.mark.filterwarnings("ignore::s2s.errors.NonFiniteGradientWarning")
@pytest.mark.parametrize("fn, args, expected, ct, tol", EXACT)
def test_exact_value(fn, args, expected, ct, tol):
    with np.errstate(all="ignore"):
        value, pullback = s2s.vjp(fn, wrt=tuple(range(len(args))))(*args)
        grads = pullback(gc.ones_like(value) if ct is None else ct)
    for i, (g, e) in enumerate(zip(grads, expected)):
        gc.assert_like(g, args[i], f"gradient of argument {i}")
        np.testing.assert_allclose(g, e, rtol=tol, atol=tol, err_msg=f"argument {i}")


# -- the meta-test --------------------------------------------------------------------------------


def test_every_rule_has_a_row():
    """A registered rule without a row fails here, by name; so does a row in the wrong table."""
    rules = registry.builtin_rules()  # users' own rules (registered by other tests) aside
    steps = {k for k, r in rules.items() if r.kind == registry.PIECEWISE_CONSTANT}
    covered = {row.key for row in rows.DIFFERENTIABLE} | {
        row.key for row in rows.PIECEWISE_CONSTANT
    }
    missing = sorted(registry.qualified_name(k) for k in set(rules) - covered)
    assert not missing, f"registered rules without a row in tests/rows/: {missing}"
    misplaced = sorted(
        row.id for row in rows.DIFFERENTIABLE if row.key in steps or row.key not in rules
    ) + sorted(row.id for row in rows.PIECEWISE_CONSTANT if row.key not in steps)
    assert not misplaced, f"rows whose rule is unregistered or of another kind: {misplaced}"
    ids = [row.id for row in rows.DIFFERENTIABLE + rows.PIECEWISE_CONSTANT]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    assert not repeated, f"rows with the same id (give one a tag): {repeated}"


def _source(fn) -> str:
    try:
        return inspect.getsource(fn)
    except (OSError, TypeError):
        return ""


def _accepts(fn, keyword: str) -> bool:
    """Whether ``fn`` takes ``keyword`` (True where its signature cannot be read)."""
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return True
    return keyword in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def test_every_keyword_form_has_a_row():
    """Each optional parameter of a rule's template that a call can pass by name is passed by
    name in some row calling that function (``clip(x, max=...)``, ``var(..., keepdims=True)``)."""
    texts = [_source(r.fn) for r in rows.DIFFERENTIABLE + rows.PIECEWISE_CONSTANT]
    texts += [_source(p.values[0]) for p in EXACT]
    missing = []
    for key, rule in registry.builtin_rules().items():
        if rule.template is None or getattr(key, "__module__", "").startswith("s2s.runtime"):
            continue  # a runtime helper's rule: generated code calls it (rows/runtime.py)
        name = registry.qualified_name(key)
        calling = [t for t in texts if re.search(rf"\b{name.rpartition('.')[2]}\(", t)]
        params = list(inspect.signature(rule.template).parameters.values())[rule.n_outputs :]
        for p in params:
            if p.default is p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                continue
            if p.name == "out" or (name, p.name) in rows.keywords.POSITIONAL_ONLY:
                continue
            if not _accepts(key, p.name):  # the installed version has no such keyword
                continue
            if not any(re.search(rf"\b{p.name}=", t) for t in calling):
                missing.append(f"{name}({p.name}=...)")
    assert not missing, f"keyword forms without a row in tests/rows/: {missing}"
