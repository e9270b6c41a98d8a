"""Rows for ``templates/ufuncs_extra.py``: more elementwise functions of numpy."""

import numpy as np

from rows.spec import R, away0, const, normal, positive

ROWS = [
    R(np.deg2rad, lambda x: np.deg2rad(x), normal(2, 3)),
    R(np.radians, lambda x: np.radians(x), normal(2, 3)),
    R(np.rad2deg, lambda x: np.rad2deg(x), normal(2, 3)),
    R(np.degrees, lambda x: np.degrees(x), normal(2, 3)),
    R(np.copysign, lambda x, s: np.copysign(x, s), away0(2, 3), const(np.array([1.0, -1.0, -0.0]))),
    R(np.ldexp, lambda x, i: np.ldexp(x, i), normal(2, 3), const(np.array([0, 3, -2]))),
    R(np.heaviside, lambda s, x: np.heaviside(s, x), const(np.array([-1.0, 0.0, 2.0])), normal(3)),
    R(np.float_power, lambda x, y: np.float_power(x, y), positive(3, 1), normal(4)),
    R(np.float_power, lambda x: np.float_power(x, 3), normal(4), tag="int-exponent"),
    R(
        np.nextafter,
        lambda x, y: np.nextafter(x, y),
        normal(2, 3),
        const(np.array([np.inf, -1.0, 0.0])),
    ),
]
