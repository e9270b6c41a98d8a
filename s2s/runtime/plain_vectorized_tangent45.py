"""The per-call JVP functions of :mod:`s2s.runtime.plain_vectorized_tangent` for
``numpy.vectorize`` objects of 4 and 5 arguments: ``jvp{n}_{used}(f, x..., t...)`` is the JVP
of ``f(x...)`` along the tangents of the positions ``used`` (the other tangents are passed
as given and unused). Plain functions, differentiated from their source at the next order.
Written by ``python -m tools.vectorized_tangents`` (the pattern is the same for each ``n``).
"""

from __future__ import annotations

from s2s.runtime.callers import CALLERS
from s2s.runtime.sources import plain
from s2s.runtime.tangents import jvp_of


def jvp4_0(f, x0, x1, x2, x3, t0, t1, t2, t3):
    return jvp_of(CALLERS[4], ("a0",))(t0, f, x0, x1, x2, x3)[1]


def jvp4_1(f, x0, x1, x2, x3, t0, t1, t2, t3):
    return jvp_of(CALLERS[4], ("a1",))(t1, f, x0, x1, x2, x3)[1]


def jvp4_2(f, x0, x1, x2, x3, t0, t1, t2, t3):
    return jvp_of(CALLERS[4], ("a2",))(t2, f, x0, x1, x2, x3)[1]


def jvp4_3(f, x0, x1, x2, x3, t0, t1, t2, t3):
    return jvp_of(CALLERS[4], ("a3",))(t3, f, x0, x1, x2, x3)[1]


def jvp4_01(f, x0, x1, x2, x3, t0, t1, t2, t3):
    return jvp_of(CALLERS[4], ("a0", "a1"))(t0, t1, f, x0, x1, x2, x3)[1]


def jvp4_02(f, x0, x1, x2, x3, t0, t1, t2, t3):
    return jvp_of(CALLERS[4], ("a0", "a2"))(t0, t2, f, x0, x1, x2, x3)[1]


def jvp4_03(f, x0, x1, x2, x3, t0, t1, t2, t3):
    return jvp_of(CALLERS[4], ("a0", "a3"))(t0, t3, f, x0, x1, x2, x3)[1]


def jvp4_12(f, x0, x1, x2, x3, t0, t1, t2, t3):
    return jvp_of(CALLERS[4], ("a1", "a2"))(t1, t2, f, x0, x1, x2, x3)[1]


def jvp4_13(f, x0, x1, x2, x3, t0, t1, t2, t3):
    return jvp_of(CALLERS[4], ("a1", "a3"))(t1, t3, f, x0, x1, x2, x3)[1]


def jvp4_23(f, x0, x1, x2, x3, t0, t1, t2, t3):
    return jvp_of(CALLERS[4], ("a2", "a3"))(t2, t3, f, x0, x1, x2, x3)[1]


def jvp4_012(f, x0, x1, x2, x3, t0, t1, t2, t3):
    return jvp_of(CALLERS[4], ("a0", "a1", "a2"))(t0, t1, t2, f, x0, x1, x2, x3)[1]


def jvp4_013(f, x0, x1, x2, x3, t0, t1, t2, t3):
    return jvp_of(CALLERS[4], ("a0", "a1", "a3"))(t0, t1, t3, f, x0, x1, x2, x3)[1]


def jvp4_023(f, x0, x1, x2, x3, t0, t1, t2, t3):
    return jvp_of(CALLERS[4], ("a0", "a2", "a3"))(t0, t2, t3, f, x0, x1, x2, x3)[1]


def jvp4_123(f, x0, x1, x2, x3, t0, t1, t2, t3):
    return jvp_of(CALLERS[4], ("a1", "a2", "a3"))(t1, t2, t3, f, x0, x1, x2, x3)[1]


def jvp4_0123(f, x0, x1, x2, x3, t0, t1, t2, t3):
    return jvp_of(CALLERS[4], ("a0", "a1", "a2", "a3"))(t0, t1, t2, t3, f, x0, x1, x2, x3)[1]


def jvp5_0(f, x0, x1, x2, x3, x4, t0, t1, t2, t3, t4):
    return jvp_of(CALLERS[5], ("a0",))(t0, f, x0, x1, x2, x3, x4)[1]


def jvp5_1(f, x0, x1, x2, x3, x4, t0, t1, t2, t3, t4):
    return jvp_of(CALLERS[5], ("a1",))(t1, f, x0, x1, x2, x3, x4)[1]


def jvp5_2(f, x0, x1, x2, x3, x4, t0, t1, t2, t3, t4):
    return jvp_of(CALLERS[5], ("a2",))(t2, f, x0, x1, x2, x3, x4)[1]


def jvp5_3(f, x0, x1, x2, x3, x4, t0, t1, t2, t3, t4):
    return jvp_of(CALLERS[5], ("a3",))(t3, f, x0, x1, x2, x3, x4)[1]


def jvp5_4(f, x0, x1, x2, x3, x4, t0, t1, t2, t3, t4):
    return jvp_of(CALLERS[5], ("a4",))(t4, f, x0, x1, x2, x3, x4)[1]


def jvp5_01(f, x0, x1, x2, x3, x4, t0, t1, t2, t3, t4):
    return jvp_of(CALLERS[5], ("a0", "a1"))(t0, t1, f, x0, x1, x2, x3, x4)[1]


def jvp5_02(f, x0, x1, x2, x3, x4, t0, t1, t2, t3, t4):
    return jvp_of(CALLERS[5], ("a0", "a2"))(t0, t2, f, x0, x1, x2, x3, x4)[1]


def jvp5_03(f, x0, x1, x2, x3, x4, t0, t1, t2, t3, t4):
    return jvp_of(CALLERS[5], ("a0", "a3"))(t0, t3, f, x0, x1, x2, x3, x4)[1]


def jvp5_04(f, x0, x1, x2, x3, x4, t0, t1, t2, t3, t4):
    return jvp_of(CALLERS[5], ("a0", "a4"))(t0, t4, f, x0, x1, x2, x3, x4)[1]


def jvp5_12(f, x0, x1, x2, x3, x4, t0, t1, t2, t3, t4):
    return jvp_of(CALLERS[5], ("a1", "a2"))(t1, t2, f, x0, x1, x2, x3, x4)[1]


def jvp5_13(f, x0, x1, x2, x3, x4, t0, t1, t2, t3, t4):
    return jvp_of(CALLERS[5], ("a1", "a3"))(t1, t3, f, x0, x1, x2, x3, x4)[1]


def jvp5_14(f, x0, x1, x2, x3, x4, t0, t1, t2, t3, t4):
    return jvp_of(CALLERS[5], ("a1", "a4"))(t1, t4, f, x0, x1, x2, x3, x4)[1]


def jvp5_23(f, x0, x1, x2, x3, x4, t0, t1, t2, t3, t4):
    return jvp_of(CALLERS[5], ("a2", "a3"))(t2, t3, f, x0, x1, x2, x3, x4)[1]


def jvp5_24(f, x0, x1, x2, x3, x4, t0, t1, t2, t3, t4):
    return jvp_of(CALLERS[5], ("a2", "a4"))(t2, t4, f, x0, x1, x2, x3, x4)[1]


def jvp5_34(f, x0, x1, x2, x3, x4, t0, t1, t2, t3, t4):
    return jvp_of(CALLERS[5], ("a3", "a4"))(t3, t4, f, x0, x1, x2, x3, x4)[1]


def jvp5_012(f, x0, x1, x2, x3, x4, t0, t1, t2, t3, t4):
    return jvp_of(CALLERS[5], ("a0", "a1", "a2"))(t0, t1, t2, f, x0, x1, x2, x3, x4)[1]


def jvp5_013(f, x0, x1, x2, x3, x4, t0, t1, t2, t3, t4):
    return jvp_of(CALLERS[5], ("a0", "a1", "a3"))(t0, t1, t3, f, x0, x1, x2, x3, x4)[1]


def jvp5_014(f, x0, x1, x2, x3, x4, t0, t1, t2, t3, t4):
    return jvp_of(CALLERS[5], ("a0", "a1", "a4"))(t0, t1, t4, f, x0, x1, x2, x3, x4)[1]


def jvp5_023(f, x0, x1, x2, x3, x4, t0, t1, t2, t3, t4):
    return jvp_of(CALLERS[5], ("a0", "a2", "a3"))(t0, t2, t3, f, x0, x1, x2, x3, x4)[1]


def jvp5_024(f, x0, x1, x2, x3, x4, t0, t1, t2, t3, t4):
    return jvp_of(CALLERS[5], ("a0", "a2", "a4"))(t0, t2, t4, f, x0, x1, x2, x3, x4)[1]


def jvp5_034(f, x0, x1, x2, x3, x4, t0, t1, t2, t3, t4):
    return jvp_of(CALLERS[5], ("a0", "a3", "a4"))(t0, t3, t4, f, x0, x1, x2, x3, x4)[1]


def jvp5_123(f, x0, x1, x2, x3, x4, t0, t1, t2, t3, t4):
    return jvp_of(CALLERS[5], ("a1", "a2", "a3"))(t1, t2, t3, f, x0, x1, x2, x3, x4)[1]


def jvp5_124(f, x0, x1, x2, x3, x4, t0, t1, t2, t3, t4):
    return jvp_of(CALLERS[5], ("a1", "a2", "a4"))(t1, t2, t4, f, x0, x1, x2, x3, x4)[1]


def jvp5_134(f, x0, x1, x2, x3, x4, t0, t1, t2, t3, t4):
    return jvp_of(CALLERS[5], ("a1", "a3", "a4"))(t1, t3, t4, f, x0, x1, x2, x3, x4)[1]


def jvp5_234(f, x0, x1, x2, x3, x4, t0, t1, t2, t3, t4):
    return jvp_of(CALLERS[5], ("a2", "a3", "a4"))(t2, t3, t4, f, x0, x1, x2, x3, x4)[1]


def jvp5_0123(f, x0, x1, x2, x3, x4, t0, t1, t2, t3, t4):
    return jvp_of(CALLERS[5], ("a0", "a1", "a2", "a3"))(t0, t1, t2, t3, f, x0, x1, x2, x3, x4)[1]


def jvp5_0124(f, x0, x1, x2, x3, x4, t0, t1, t2, t3, t4):
    return jvp_of(CALLERS[5], ("a0", "a1", "a2", "a4"))(t0, t1, t2, t4, f, x0, x1, x2, x3, x4)[1]


def jvp5_0134(f, x0, x1, x2, x3, x4, t0, t1, t2, t3, t4):
    return jvp_of(CALLERS[5], ("a0", "a1", "a3", "a4"))(t0, t1, t3, t4, f, x0, x1, x2, x3, x4)[1]


def jvp5_0234(f, x0, x1, x2, x3, x4, t0, t1, t2, t3, t4):
    return jvp_of(CALLERS[5], ("a0", "a2", "a3", "a4"))(t0, t2, t3, t4, f, x0, x1, x2, x3, x4)[1]


def jvp5_1234(f, x0, x1, x2, x3, x4, t0, t1, t2, t3, t4):
    return jvp_of(CALLERS[5], ("a1", "a2", "a3", "a4"))(t1, t2, t3, t4, f, x0, x1, x2, x3, x4)[1]


def jvp5_01234(f, x0, x1, x2, x3, x4, t0, t1, t2, t3, t4):
    return jvp_of(CALLERS[5], ("a0", "a1", "a2", "a3", "a4"))(
        t0, t1, t2, t3, t4, f, x0, x1, x2, x3, x4
    )[1]


JVPS = {
    (0, None, None, None): jvp4_0,
    (1, None, None, None): jvp4_1,
    (2, None, None, None): jvp4_2,
    (3, None, None, None): jvp4_3,
    (0, 1, None, None): jvp4_01,
    (0, 2, None, None): jvp4_02,
    (0, 3, None, None): jvp4_03,
    (1, 2, None, None): jvp4_12,
    (1, 3, None, None): jvp4_13,
    (2, 3, None, None): jvp4_23,
    (0, 1, 2, None): jvp4_012,
    (0, 1, 3, None): jvp4_013,
    (0, 2, 3, None): jvp4_023,
    (1, 2, 3, None): jvp4_123,
    (0, 1, 2, 3): jvp4_0123,
    (0, None, None, None, None): jvp5_0,
    (1, None, None, None, None): jvp5_1,
    (2, None, None, None, None): jvp5_2,
    (3, None, None, None, None): jvp5_3,
    (4, None, None, None, None): jvp5_4,
    (0, 1, None, None, None): jvp5_01,
    (0, 2, None, None, None): jvp5_02,
    (0, 3, None, None, None): jvp5_03,
    (0, 4, None, None, None): jvp5_04,
    (1, 2, None, None, None): jvp5_12,
    (1, 3, None, None, None): jvp5_13,
    (1, 4, None, None, None): jvp5_14,
    (2, 3, None, None, None): jvp5_23,
    (2, 4, None, None, None): jvp5_24,
    (3, 4, None, None, None): jvp5_34,
    (0, 1, 2, None, None): jvp5_012,
    (0, 1, 3, None, None): jvp5_013,
    (0, 1, 4, None, None): jvp5_014,
    (0, 2, 3, None, None): jvp5_023,
    (0, 2, 4, None, None): jvp5_024,
    (0, 3, 4, None, None): jvp5_034,
    (1, 2, 3, None, None): jvp5_123,
    (1, 2, 4, None, None): jvp5_124,
    (1, 3, 4, None, None): jvp5_134,
    (2, 3, 4, None, None): jvp5_234,
    (0, 1, 2, 3, None): jvp5_0123,
    (0, 1, 2, 4, None): jvp5_0124,
    (0, 1, 3, 4, None): jvp5_0134,
    (0, 2, 3, 4, None): jvp5_0234,
    (1, 2, 3, 4, None): jvp5_1234,
    (0, 1, 2, 3, 4): jvp5_01234,
}


plain(*JVPS.values())
