"""Derivatives of Dask arrays: every rule row on small chunks, laziness, chunks, control flow.

Each row of the registry-driven rule test (``tests/rows/``) runs again with its float arrays
as Dask arrays in chunks of 2 along every axis, so every reduction crosses chunks. The
gradients must be Dask arrays with their inputs' chunks, built without computing anything
(a scheduler that raises is installed while the derivative runs), and equal numpy's to 1e-10.
Rules that cannot run on Dask raise :class:`s2s.NamespaceError` at generation (README,
"Backends").
"""

from __future__ import annotations

import contextlib

import gradcheck as gc
import numpy as np
import pytest
import rows

import s2s
from s2s import registry

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")

CHUNK = 2

# Rules whose derivative cannot run on Dask: the primal or its adjoint needs an operation
# dask.array lacks. Each raises NamespaceError naming the line (README, "Backends").
NOT_ON_DASK = {
    np.sort: "dask.array has no sort",
    np.median: "the adjoint needs argsort",
    np.unique: "the adjoint needs unique's inverse",
    np.linalg.det: "dask.array.linalg has no det",
    np.linalg.slogdet: "dask.array.linalg has no slogdet",
    np.linalg.eigh: "dask.array.linalg has no eigh",
    np.linalg.eigvalsh: "dask.array.linalg has no eigvalsh",
    np.linalg.svd: "dask's svd takes one tall-and-skinny matrix",
    np.linalg.svdvals: "dask.array.linalg has no svdvals",
    np.argsort: "dask.array has no argsort",
    np.array_equal: "dask.array has no array_equal",
    np.right_shift: "dask.array has no right_shift",
    np.searchsorted: "dask.array has no searchsorted",
}

# Indices of unknown length (Dask knows a nonzero's length only by computing): the adjoint's
# scatter-add needs it, and says so.
UNKNOWN_LENGTHS = {np.flatnonzero}


def to_dask(value):
    """A float ndarray as a Dask array in chunks of ``CHUNK``; anything else unchanged."""
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return da.from_array(value, chunks=CHUNK)
    if isinstance(value, tuple):
        return tuple(to_dask(v) for v in value)
    return value


@contextlib.contextmanager
def nothing_computed():
    """Fail on any computation: a Dask scheduler that raises."""

    def forbid(*args, **kwargs):
        raise AssertionError("the derivative computed a Dask graph; it must stay lazy")

    with dask.config.set(scheduler=forbid):
        yield


def computed(value):
    if isinstance(value, da.Array):
        return value.compute(scheduler="sync")
    if isinstance(value, tuple):
        return tuple(computed(v) for v in value)
    return value


def assert_close(got, expected, what):
    got, expected = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    assert got.shape == expected.shape, f"{what}: shape {got.shape}, not {expected.shape}"
    scale = max(1.0, float(np.max(np.abs(expected), initial=0.0)))
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-10 * scale, err_msg=what)


def _params(table):
    return [pytest.param(row, id=row.id) for row in table]


def _plain_on_dask(row, dargs):
    """How the plain function (no s2s) fares on the Dask arguments: ``None`` when it builds
    its graph lazily, ``"computes"`` when it computes (``float(x.sum())``), or the exception
    Dask raises (a function Dask cannot run: ``np.linalg.inv`` of small chunks)."""
    try:
        with nothing_computed(), np.errstate(all="ignore"):
            row.fn(*dargs)
    except AssertionError:
        return "computes"
    except Exception as exc:  # noqa: BLE001 - whatever Dask raises, s2s must raise too
        return exc
    return None


@pytest.mark.parametrize("row", _params(rows.DIFFERENTIABLE + rows.PIECEWISE_CONSTANT))
def test_rule_on_dask(row):
    """The row's vjp on Dask inputs: lazy, chunked like the inputs, equal to numpy's; or a
    located NamespaceError; or, where Dask itself cannot run the function, Dask's error."""
    rng, args = row.draw()
    with np.errstate(all="ignore"):
        value, pullback = s2s.vjp(row.fn, wrt=row.wrt)(*args)
        if isinstance(value, tuple):
            ct = tuple(gc.random_like(rng, v) for v in value)
        else:
            ct = gc.random_like(rng, value)
        expected = pullback(ct)
    dargs = [to_dask(a) for a in args]
    derivative = s2s.vjp(row.fn, wrt=row.wrt)
    plain = _plain_on_dask(row, dargs)
    lazily = nothing_computed() if plain is None else contextlib.nullcontext()
    try:
        with lazily, np.errstate(all="ignore"):
            dvalue, dpullback = derivative(*dargs)
            grads = dpullback(to_dask(ct))
    except s2s.NamespaceError as exc:  # refused when generating, at the line: never run
        assert exc.where is not None and exc.where.lineno, f"{row.id}: refusal names no line"
        return
    except Exception as exc:  # s2s follows Dask: where Dask fails, the same error, located
        unknown = row.key in UNKNOWN_LENGTHS and "compute_chunk_sizes" in str(exc)
        assert unknown or isinstance(plain, type(exc)), f"{row.id}: s2s raised {exc!r}"
        notes = getattr(exc, "__notes__", [])
        assert any("s2s: raised by" in n for n in notes), f"{row.id}: no note names the line"
        return
    assert row.key not in NOT_ON_DASK, f"{row.id}: listed as refused on Dask, but it ran"
    for i, g in zip(row.wrt, grads):
        if isinstance(dargs[i], da.Array):
            assert isinstance(g, da.Array), f"gradient of argument {i}: {type(g)}"
            assert g.chunks == dargs[i].chunks, f"gradient of argument {i}: chunks {g.chunks}"
            assert g.dtype == dargs[i].dtype
    with np.errstate(all="ignore"):
        got = computed(tuple(grads))
        got_value = computed(dvalue)
    for i, g, e in zip(row.wrt, got, expected):
        assert_close(g, e, f"{row.id}: gradient of argument {i}")
    values = got_value if isinstance(value, tuple) else (got_value,)
    for v, e in zip(values, value if isinstance(value, tuple) else (value,)):
        assert_close(v, e, f"{row.id}: value")


def test_every_unsupported_rule_is_registered():
    """The table of rules refused on Dask names registered rules only."""
    rules = registry.builtin_rules()
    assert all(key in rules for key in NOT_ON_DASK)
