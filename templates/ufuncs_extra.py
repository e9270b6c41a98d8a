"""More elementwise functions of numpy, declared by their partial derivatives (real inputs)."""

import numpy as np

import s2s.runtime as rt
from s2s.registry import FLOAT, Facts, elementwise

FLOATS = Facts(dtype=FLOAT)


@elementwise(np.deg2rad, source="numpy.deg2rad: x pi / 180", facts=FLOATS)
def deg2rad(result, x):
    return 0.017453292519943295  # pi / 180


@elementwise(np.radians, source="numpy.radians: x pi / 180", facts=FLOATS)
def radians(result, x):
    return 0.017453292519943295  # pi / 180


@elementwise(np.rad2deg, source="numpy.rad2deg: x 180 / pi", facts=FLOATS)
def rad2deg(result, x):
    return 57.29577951308232  # 180 / pi


@elementwise(np.degrees, source="numpy.degrees: x 180 / pi", facts=FLOATS)
def degrees(result, x):
    return 57.29577951308232  # 180 / pi


@elementwise(
    np.copysign,
    steps=("x2",),
    source="numpy.copysign: |x1| sign(x2); d/dx1 = sign(x1) sign(x2), 0 at x1 = 0 as for abs "
    "(DESIGN 8), 0 in x2 (a step)",
    facts=FLOATS,
)
def copysign(result, x1, x2):
    return np.sign(x1) * np.sign(result)  # np.sign: a step, so this differentiates again


@elementwise(
    np.ldexp,
    structural=("x2",),
    source="numpy.ldexp: x1 2^x2 with integer x2; d/dx1 = 2^x2",
    facts=FLOATS,
)
def ldexp(result, x1, x2):
    return np.ldexp(np.ones_like(x1), x2)


@elementwise(
    np.heaviside,
    steps=("x1",),
    source="numpy.heaviside: a step in x1 (derivative 0), equal to x2 where x1 == 0",
    facts=FLOATS,
)
def heaviside(result, x1, x2):
    return x1 == 0


@elementwise(
    np.float_power,
    source="power rule, DESIGN 8 conventions as numpy.power (computed in float64)",
    singular=True,
)
def float_power(result, x1, x2):
    return rt.power_dbase(x1, x2), rt.power_dexponent(result, x1)


@elementwise(
    np.nextafter,
    structural=("x2",),
    source="numpy.nextafter: x1 moved one unit in the last place towards x2, x1 + O(ulp(x1)); "
    "d/dx1 = 1 (central differences over a step of many ulps), 0 in x2 (only its side of x1 "
    "counts: a step)",
    facts=FLOATS,
)
def nextafter(result, x1, x2):
    return 1
