"""A fake device array library, to check without a GPU that derivatives never leave the device.

``Device`` wraps a numpy array as CuPy wraps device memory, and behaves as a CuPy array does
towards numpy: numpy functions and ufuncs called on it dispatch to the library
(``__array_function__``, ``__array_ufunc__``), a numpy array operand is refused
(``TypeError``, as CuPy refuses host arrays), and implicit conversion to numpy
(``np.asarray(x)``) raises. Reading a value on the host (``float(x)``, ``bool(x)``,
``x.item()``, ``x.get()``) is a device-to-host transfer: inside :func:`no_host_transfers`
it raises :class:`HostTransfer`. ``fake`` is the library's module (numpy's API, returning
``Device`` arrays), registered with s2s as an array namespace like ``cupy``.
"""

from __future__ import annotations

import contextlib
import operator
from typing import Any

import numpy as np

from s2s.runtime.namespace import NUMPY_ONLY, Adapter, Backend, register

_GUARD = [False]


class HostTransfer(AssertionError):
    """A value was read on the host inside :func:`no_host_transfers`."""


@contextlib.contextmanager
def no_host_transfers():
    """Raise :class:`HostTransfer` on any device-to-host read while active."""
    _GUARD[0] = True
    try:
        yield
    finally:
        _GUARD[0] = False


def _transfer(what: str) -> None:
    if _GUARD[0]:
        raise HostTransfer(f"device-to-host transfer: {what}")


def _unwrap(value: Any, host_ok: bool = False) -> Any:
    if type(value) is Device:
        return value._a
    if type(value) is np.ndarray and not host_ok:
        raise TypeError(f"Unsupported type {type(value)} (a host array given to the device)")
    if isinstance(value, (list, tuple)):
        return type(value)(_unwrap(v, host_ok) for v in value)
    return value


def _wrap(value: Any) -> Any:
    if isinstance(value, (np.ndarray, np.generic)) and not isinstance(value, np.dtype):
        return Device(np.asarray(value))
    if isinstance(value, tuple):
        return (
            type(value)(*map(_wrap, value))
            if hasattr(value, "_fields")
            else tuple(_wrap(v) for v in value)
        )
    if isinstance(value, list):
        return [_wrap(v) for v in value]
    return value


def _call(function: Any, args: tuple, kwargs: dict, host_ok: bool = False) -> Any:
    return _wrap(function(*_unwrap(args, host_ok), **_unwrap(kwargs, host_ok)))


class Device:
    """An array on the fake device (see the module docstring)."""

    __slots__ = ("_a",)

    def __init__(self, array: np.ndarray) -> None:
        self._a = array

    # -- the numpy protocols ------------------------------------------------------------------
    def __array__(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("Implicit conversion to a NumPy array is not allowed (a device array)")

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        return _call(getattr(ufunc, method), inputs, kwargs)

    def __array_function__(self, func: Any, types: Any, args: tuple, kwargs: dict) -> Any:
        return _call(func, args, kwargs)

    # -- metadata -------------------------------------------------------------------------------
    shape = property(lambda self: self._a.shape)
    dtype = property(lambda self: self._a.dtype)
    ndim = property(lambda self: self._a.ndim)
    size = property(lambda self: self._a.size)
    flags = property(lambda self: self._a.flags)
    base = property(lambda self: self._a.base)
    T = property(lambda self: Device(self._a.T))

    def __len__(self) -> int:
        return len(self._a)

    def __repr__(self) -> str:
        return f"Device({self._a!r})"

    # -- host reads: transfers ------------------------------------------------------------------
    def get(self) -> np.ndarray:
        _transfer("get()")
        return self._a.copy()

    def item(self) -> Any:
        _transfer("item()")
        return self._a.item()

    def tolist(self) -> Any:
        _transfer("tolist()")
        return self._a.tolist()

    def __float__(self) -> float:
        _transfer("float()")
        return float(self._a)

    def __int__(self) -> int:
        _transfer("int()")
        return int(self._a)

    def __bool__(self) -> bool:
        _transfer("bool()")
        return bool(self._a)

    def __index__(self) -> int:
        _transfer("index")
        return operator.index(self._a)

    # -- indexing -------------------------------------------------------------------------------
    def __getitem__(self, key: Any) -> Device:
        return _wrap(self._a[_unwrap(key, host_ok=True)])

    def __setitem__(self, key: Any, value: Any) -> None:
        self._a[_unwrap(key, host_ok=True)] = _unwrap(value, host_ok=True)

    def __iter__(self):
        return (Device(row) for row in self._a)

    def __getattr__(self, name: str) -> Any:
        # methods: x.sum(), x.reshape(), x.astype(), x.copy(), ...; no numpy protocol
        # (``__array_interface__`` would hand numpy the memory, which a device array cannot)
        if name.startswith("__"):
            raise AttributeError(name)
        attr = getattr(self._a, name)
        if not callable(attr):
            return _wrap(attr)
        return lambda *args, **kwargs: _call(attr, args, kwargs)


def _operator(ufunc: Any, reflected: bool = False) -> Any:
    if reflected:
        return lambda self, other: ufunc(other, self)
    return lambda self, other: ufunc(self, other)


for _name, _ufunc in {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "truediv": np.true_divide,
    "floordiv": np.floor_divide, "mod": np.remainder, "pow": np.power, "matmul": np.matmul,
    "and": np.bitwise_and, "or": np.bitwise_or, "xor": np.bitwise_xor,
    "lshift": np.left_shift, "rshift": np.right_shift,
}.items():  # fmt: skip
    setattr(Device, f"__{_name}__", _operator(_ufunc))
    setattr(Device, f"__r{_name}__", _operator(_ufunc, reflected=True))
for _name, _ufunc in {
    "lt": np.less, "le": np.less_equal, "gt": np.greater, "ge": np.greater_equal,
    "eq": np.equal, "ne": np.not_equal,
}.items():  # fmt: skip
    setattr(Device, f"__{_name}__", _operator(_ufunc))
Device.__neg__ = lambda self: np.negative(self)
Device.__pos__ = lambda self: np.positive(self)
Device.__abs__ = lambda self: np.absolute(self)
Device.__invert__ = lambda self: np.invert(self)
Device.__hash__ = None


class _Function:
    """A numpy function or ufunc of the fake library: Device in, Device out, host arrays
    refused (except by ``asarray``/``array``, the explicit host-to-device copies)."""

    def __init__(self, function: Any, host_ok: bool = False) -> None:
        self._function = function
        self._host_ok = host_ok
        self.__name__ = getattr(function, "__name__", "function")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return _call(self._function, args, kwargs, self._host_ok)

    def __getattr__(self, name: str) -> Any:  # ufunc methods: reduce, at, outer, accumulate
        return _Function(getattr(self._function, name))


class _Module:
    """numpy's API as the fake library's: functions wrapped, types and constants as they are."""

    def __init__(self, module: Any, name: str) -> None:
        self._module = module
        self.__name__ = name

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._module, name)
        if isinstance(value, type) or not callable(value):
            if name == "linalg":
                return _Module(value, f"{self.__name__}.linalg")
            return value
        wrapped = _Function(value, host_ok=name in ("asarray", "array"))
        setattr(self, name, wrapped)
        return wrapped


fake = Adapter("fakedevice", _Module(np, "fakedevice"), {"errstate": np.errstate, "s_": np.s_})
fake.linalg = _Module(np.linalg, "fakedevice.linalg")
register(Device, Backend("fakedevice", fake, Device, lacks=dict(NUMPY_ONLY)))  # as CuPy


def to_device(value: Any) -> Any:
    """A float ndarray as a Device array (tuples item by item); anything else unchanged."""
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return Device(value.copy())
    if isinstance(value, tuple):
        return tuple(to_device(v) for v in value)
    return value


def to_host(value: Any) -> Any:
    """The numpy value of a Device array (tuples item by item), outside any guard."""
    if type(value) is Device:
        return value._a.copy()
    if isinstance(value, tuple):
        return tuple(to_host(v) for v in value)
    return value
