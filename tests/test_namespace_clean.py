"""No host round trip: every rule row on a fake device library that refuses host arrays.

``fakedevice.Device`` behaves towards numpy as a CuPy array does (numpy calls dispatch to the
library; host arrays are refused; implicit conversion raises), and reading a value on the
host raises inside ``no_host_transfers()``. Each row of the rule test runs with its float
arrays on the fake device: the vjp must run without a device-to-host transfer (unless the
plain function itself reads a value on the host, as ``float(x.sum())`` does), return Device
gradients of the inputs' shapes and dtypes, and agree with numpy. This is the local stand-in
for ``tests/test_cupy.py``, which needs a GPU.
"""

from __future__ import annotations

import contextlib

import gradcheck as gc
import numpy as np
import pytest
import rows
from fakedevice import Device, HostTransfer, no_host_transfers, to_device, to_host
from located import assert_located

import s2s
import s2s.runtime as rt

# Rules whose derivative needs a helper written for numpy arrays only (as on CuPy): refused
# at generation with a located NamespaceError (s2s.runtime.namespace.NUMPY_ONLY)
NOT_ON_DEVICE = {
    np.cov: "cov_adjoint",
    np.corrcoef: "corrcoef_adjoint",
    np.quantile: "quantile_adjoint",
    np.percentile: "quantile_adjoint",
    np.nanquantile: "quantile_adjoint",
    np.nanpercentile: "quantile_adjoint",
    np.nanmedian: "quantile_adjoint",
    np.interp: "interp_adjoint",
    np.gradient: "gradient_adjoint",
    np.i0: "i1",
    np.histogram: "histogram_adjoint",
    np.histogram2d: "histogram_adjoint",
    np.histogramdd: "histogram_adjoint",
    np.histogram_bin_edges: "bin_edges_adjoint",
    np.broadcast_arrays: "unbroadcast_parts",
    np.meshgrid: "unmeshgrid",
    np.insert: "insert_keys",
    np.vander: "vander_plan",
    np.polyder: "polyder_matrix",
    np.polyint: "polyint_matrix",
    np.poly: "poly_jacobian",
    np.roots: "roots_adjoint",
    np.polyfit: "polyfit_grad",
    np.unique_values: "occurrences_adjoint",
    np.unique_counts: "occurrences_adjoint",
    np.unique_inverse: "occurrences_adjoint",
    np.unique_all: "occurrences_adjoint",
    np.union1d: "occurrences_adjoint",
    np.intersect1d: "occurrences_adjoint",
    np.setdiff1d: "occurrences_adjoint",
    np.setxor1d: "occurrences_adjoint",
    np.polydiv: "polydiv_adjoint",
    np.piecewise: "piecewise_adjoint",
    np.apply_along_axis: "apply_along_axis_adjoint",
    np.apply_over_axes: "apply_over_axes_adjoint",
    **dict.fromkeys(
        (rt.put, rt.putmask, rt.place, rt.copyto, rt.fill_diagonal, rt.put_along_axis), "labels"
    ),
}


def _plain(row, dargs):
    """``None`` if the plain function runs on the device without a transfer, ``"transfers"``
    if it reads a value on the host, or the exception it raises."""
    try:
        with no_host_transfers(), np.errstate(all="ignore"):
            row.fn(*dargs)
    except HostTransfer:
        return "transfers"
    except Exception as exc:  # noqa: BLE001
        return exc
    return None


def _close(got, expected, what):
    got, expected = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    assert got.shape == expected.shape, f"{what}: shape {got.shape}, not {expected.shape}"
    scale = max(1.0, float(np.max(np.abs(expected), initial=0.0)))
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-10 * scale, err_msg=what)


@pytest.mark.parametrize("row", [pytest.param(r, id=r.id) for r in rows.USER_FACING])
def test_rule_on_a_device(row):
    rng, args = row.draw()
    with np.errstate(all="ignore"):
        value, pullback = s2s.vjp(row.fn, wrt=row.wrt)(*args)
        ct = (
            tuple(gc.random_like(rng, v) for v in value)
            if isinstance(value, tuple)
            else gc.random_like(rng, value)
        )
        expected = pullback(ct)
    dargs = [to_device(a) for a in args]
    plain = _plain(row, dargs)
    if isinstance(plain, Exception):
        pytest.skip(f"the plain function does not run on the fake device: {plain!r}")
    guard = no_host_transfers() if plain is None else contextlib.nullcontext()
    try:
        with guard, np.errstate(all="ignore"):
            dvalue, dpullback = s2s.vjp(row.fn, wrt=row.wrt)(*dargs)
            on_device = any(isinstance(a, Device) for a in dargs)  # else it runs on the host
            grads = dpullback(to_device(ct) if on_device else ct)
    except s2s.NamespaceError as exc:
        assert row.key in NOT_ON_DEVICE, f"{row.id}: refused on the device: {exc}"
        assert exc.where is not None and exc.where.lineno, f"{row.id}: refusal names no line"
        assert NOT_ON_DEVICE[row.key] in str(exc)
        return
    for i, g in zip(row.wrt, grads):
        if isinstance(dargs[i], Device):
            assert type(g) is Device, f"gradient of argument {i} left the device: {type(g)}"
            assert g.shape == dargs[i].shape and g.dtype == dargs[i].dtype
    for i, g, e in zip(row.wrt, to_host(tuple(grads)), expected):
        _close(g, e, f"{row.id}: gradient of argument {i}")
    got_value = to_host(dvalue)
    for v, e in zip(
        got_value if isinstance(value, tuple) else (got_value,),
        value if isinstance(value, tuple) else (value,),
    ):
        _close(v, e, f"{row.id}: value")


def test_the_fake_device_refuses_host_round_trips():
    """The stand-in can fail: a host conversion, a host operand and a host read all raise."""
    x = to_device(np.arange(3.0))
    with pytest.raises(TypeError):
        np.asarray(x)
    with pytest.raises(TypeError):
        x + np.ones(3)
    with no_host_transfers(), pytest.raises(HostTransfer):
        float(x[0])
    assert type(x + 1.0) is Device and type(np.sum(x)) is Device


# -- which namespace: unknown and mixed array types ------------------------------------------


class Foreign:
    """An array of a library s2s does not know (it defines numpy's dispatch protocol)."""

    shape, dtype, ndim = (3,), np.dtype(np.float64), 1

    def __array_function__(self, func, types, args, kwargs):
        return NotImplemented


def total(x, y):
    return np.sum(x * y)


def test_an_unknown_array_type_is_refused_naming_it_and_the_function():
    with pytest.raises(s2s.ArrayTypeError) as info:
        s2s.grad(total)(np.ones(3), Foreign())
    message = str(info.value)
    assert "argument `y` is a test_namespace_clean.Foreign" in message
    assert_located(info.value, total, 0)
    assert isinstance(info.value, TypeError)


class Other(Device):
    """A second device library."""


def test_arrays_of_two_device_libraries_are_refused():
    from s2s.runtime.namespace import Adapter, Backend, register

    register(Other, Backend("otherdevice", Adapter("otherdevice", np, {}), Other))
    with pytest.raises(s2s.ArrayTypeError, match="mix arrays of several libraries"):
        s2s.grad(total)(to_device(np.ones(3)), Other(np.ones(3)))


def test_a_numpy_scalar_joins_a_device_namespace():
    """A numpy scalar beside a device array: the device's namespace; the scalar's gradient is
    a 0-d device array (its value is never read on the host)."""
    with no_host_transfers():
        gs, gy = s2s.grad(total, wrt=(0, 1))(np.float64(2.0), to_device(np.arange(3.0)))
    assert type(gs) is Device and gs.shape == () and type(gy) is Device
    _close(to_host(gs), 3.0, "s")
    _close(to_host(gy), np.full(3, 2.0), "y")


def test_a_numpy_array_beside_a_device_array_fails_as_the_device_library_does():
    """CuPy refuses numpy arrays as operands: so does the derivative, at the same line."""
    with pytest.raises(TypeError, match="host array"):
        total(np.arange(3.0), to_device(np.ones(3)))
    with pytest.raises(TypeError, match="host array") as info:
        s2s.grad(total, wrt=(0, 1))(np.arange(3.0), to_device(np.ones(3)))
    assert any("return np.sum(x * y)" in note for note in info.value.__notes__)
