"""Rows for ``templates/signals.py``: convolve, correlate, trapezoid and linspace."""

import numpy as np

from rows.spec import R, const, normal, pyfloat

X = np.array([0.0, 0.5, 1.5, 1.75, 3.0])

ROWS = [
    R(np.convolve, lambda a, v: np.convolve(a, v), normal(5), normal(3)),
    R(np.convolve, lambda a, v: np.convolve(a, v, mode="same"), normal(5), normal(3), tag="same"),
    R(np.convolve, lambda a, v: np.convolve(a, v, "valid"), normal(3), normal(6), tag="valid"),
    R(np.correlate, lambda a, v: np.correlate(a, v), normal(6), normal(3)),
    R(np.correlate, lambda a, v: np.correlate(a, v, mode="full"), normal(4), normal(3), tag="full"),
    R(np.correlate, lambda a, v: np.correlate(a, v, "same"), normal(3), normal(5), tag="same"),
    R(np.trapezoid, lambda y: np.trapezoid(y), normal(5)),
    R(np.trapezoid, lambda y: np.trapezoid(y, dx=0.5, axis=0), normal(4, 3), tag="dx-axis"),
    R(np.trapezoid, lambda y: np.trapezoid(y, x=X), normal(2, 5), tag="x"),
    R(
        np.trapezoid,
        lambda y, x: np.trapezoid(y, x, axis=1),
        normal(2, 3),
        const(np.array([[0.0, 1.0, 3.0], [0.0, 0.5, 1.0]])),
        tag="x-2d",
    ),
    R(np.linspace, lambda a, b: np.linspace(a, b, 5), pyfloat(), pyfloat()),
    R(
        np.linspace,
        lambda a, b: np.linspace(a, b, num=4, endpoint=False, axis=-1),
        normal(2),
        normal(2),
        tag="arrays",
    ),
    R(np.linspace, lambda a, b: np.linspace(a, b, 3, axis=1), normal(2, 1), normal(3), tag="axis"),
]
