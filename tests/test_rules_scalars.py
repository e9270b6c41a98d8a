"""Every differentiable rule row again with its differentiated inputs as scalars (STYLE.md item
8): a Python float, a numpy float64 scalar and a 0-d array, each in turn.

A taped scalar reaches the rules as whatever type the user passed, and the fuzzer found adjoints
that read ``a.dtype`` of a Python float (cumprod, median). The row's own function is called with
the first entry of each differentiated argument; where numpy itself refuses the scalar (an
``axis=1``, a matrix) or the value is not finite, that variant does not apply and is skipped.
Otherwise the gradient has the scalar's type (a Python float gives ``np.float64``) and agrees
with central differences, as in ``test_rules.py``.
"""

from __future__ import annotations

import warnings

import gradcheck as gc
import numpy as np
import pytest
import rows
from rows.spec import Row

import s2s
from s2s import registry

KINDS = {
    "pyfloat": float,
    "npfloat64": np.float64,
    "0d": lambda v: np.asarray(v, dtype=np.float64),
}


# rows whose scalar variants are outside the rule's domain, with the reason
EXCLUDED = {
    "numpy.gradient": "numpy.gradient of a 0-d value is an empty tuple (no axis to difference)",
    "numpy.gradient:edge 2": "numpy.gradient of a 0-d value is an empty tuple",
    "numpy.nanstd": "the std of one value has zero variance: not differentiable there",
    "scipy.linalg.expm": "scipy reads a 0-d value as a 1x1 matrix; a scalar is not a matrix",
    "scipy.linalg.sqrtm": "scipy 1.17's sqrtm of a 0-d value returns exp(x) as a 1x1 matrix",
}
# rows whose rule refuses a 0-d input with a located S2SError (numpy reads it as one entry;
# the scatter-add adjoint has no index into a 0-d buffer; scipy.linalg reads a 0-d value as a
# 1x1 matrix and broadcasts the right-hand side against it)
REFUSED = {"numpy.repeat", "numpy.repeat:method", "numpy.extract", "numpy.take:mode-clip"}
REFUSED |= {"scipy.linalg.solve", "scipy.linalg.solve:transposed", "scipy.linalg.solve:keywords"}
REFUSED |= {"scipy.linalg.lu_factor:factor"}


def _first(x):
    return float(np.ravel(x)[0])


def _variants(row: Row, kind: str) -> list[tuple[str, tuple[int, ...]]]:
    """Which differentiated arguments become scalars: all of them, then each alone (rows with
    several)."""
    wrt = row.wrt
    out = [("all", wrt)]
    if len(wrt) > 1:
        out += [(f"arg{i}", (i,)) for i in wrt]
    return out


def _applies(row: Row, args: list) -> bool:
    """Whether numpy computes the row's function on these arguments with a finite value."""
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            value = row.fn(*args)
    except Exception:  # numpy refuses a scalar here (an axis, a matrix): not a scalar rule
        return False
    return all(np.all(np.isfinite(leaf)) for leaf in gc.leaves(value) if _is_float(leaf))


def _is_float(x) -> bool:
    return np.asarray(x).dtype.kind in "fc"


def _params():
    params = []
    for row in rows.DIFFERENTIABLE:
        if any(row.inputs[i].sym for i in row.wrt):
            continue  # symmetric matrices: never scalars
        if row.id in EXCLUDED or getattr(row.key, "__module__", "").startswith("s2s.runtime"):
            continue  # s2s's own helpers: their inputs are generated values of full shape
        module = registry.lookup(row.key).origin.rpartition(".")[2]
        params.append(pytest.param(row, id=f"{module}/{row.id}"))
    return params


@pytest.mark.parametrize("row", _params())
def test_rule_on_scalars(row: Row):
    rng, drawn = row.draw()
    checked = 0
    for kind, make in KINDS.items():
        for name, which in _variants(row, kind):
            args = list(drawn)
            if any(np.ndim(args[i]) == 0 and type(args[i]) is type(make(0.0)) for i in which):
                continue  # the row draws this kind already
            for i in which:
                args[i] = make(_first(drawn[i]))
            if not _applies(row, args):
                continue
            if row.id in REFUSED:
                with pytest.raises(s2s.UnsupportedArgumentError, match="0-d value"):
                    gc.check_directional(gc.fresh(row.fn), args, row.wrt, rng, h=row.h)
                checked += 1
                continue
            try:
                gc.check_directional(gc.fresh(row.fn), args, row.wrt, rng, h=row.h, rtol=row.rtol)
            except Exception as exc:
                raise AssertionError(f"{kind} for {name}: {type(exc).__name__}: {exc}") from exc
            checked += 1
    if not checked:
        pytest.skip("numpy refuses scalars here")


def test_a_scalar_broadcast_against_a_keyword_operand():
    """``stats.norm.logpdf(t, loc=m)`` with ``t`` a 0-d value and ``m`` an array: ``t``'s
    cotangent is summed over ``m``'s entries. It kept ``m``'s shape (the unbroadcast looked
    only at positional operands): a Python float's gradient came back with the array's shape,
    and a sum's adjoint then spread a (3,) cotangent onto a (2,) array (ValueError)."""
    stats = pytest.importorskip("scipy.stats")

    def logpdf(p, x, m):
        return stats.norm.logpdf(p * np.sum(x), loc=m)

    x, m = np.array([0.2, 0.3]), np.array([0.1, -0.4, 0.2])
    value, pullback = s2s.vjp(logpdf, wrt=(0, 1, 2))(2.0, x, m)
    dp, dx, dm = pullback(np.ones(3))
    t = 2.0 * np.sum(x)
    assert type(dp) is np.float64 and np.shape(dp) == ()
    np.testing.assert_allclose(dp, np.sum(m - t) * np.sum(x), rtol=1e-12)
    np.testing.assert_allclose(dx, np.full(2, np.sum(m - t) * 2.0), rtol=1e-12)
    np.testing.assert_allclose(dm, t - m, rtol=1e-12)
    np.testing.assert_array_equal(value, stats.norm.logpdf(t, loc=m))
