"""The per-call JVP functions of :mod:`s2s.runtime.plain_vectorized_tangent` for
``numpy.vectorize`` objects of 6 arguments: ``jvp{n}_{used}(f, x..., t...)`` is the JVP
of ``f(x...)`` along the tangents of the positions ``used`` (the other tangents are passed
as given and unused). Plain functions, differentiated from their source at the next order.
Written by ``python -m tools.vectorized_tangents`` (the pattern is the same for each ``n``).
"""

from __future__ import annotations

from s2s.runtime.callers import CALLERS
from s2s.runtime.sources import plain
from s2s.runtime.tangents import jvp_of


def jvp6_0(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a0",))(t0, f, x0, x1, x2, x3, x4, x5)[1]


def jvp6_1(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a1",))(t1, f, x0, x1, x2, x3, x4, x5)[1]


def jvp6_2(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a2",))(t2, f, x0, x1, x2, x3, x4, x5)[1]


def jvp6_3(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a3",))(t3, f, x0, x1, x2, x3, x4, x5)[1]


def jvp6_4(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a4",))(t4, f, x0, x1, x2, x3, x4, x5)[1]


def jvp6_5(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a5",))(t5, f, x0, x1, x2, x3, x4, x5)[1]


def jvp6_01(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a0", "a1"))(t0, t1, f, x0, x1, x2, x3, x4, x5)[1]


def jvp6_02(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a0", "a2"))(t0, t2, f, x0, x1, x2, x3, x4, x5)[1]


def jvp6_03(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a0", "a3"))(t0, t3, f, x0, x1, x2, x3, x4, x5)[1]


def jvp6_04(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a0", "a4"))(t0, t4, f, x0, x1, x2, x3, x4, x5)[1]


def jvp6_05(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a0", "a5"))(t0, t5, f, x0, x1, x2, x3, x4, x5)[1]


def jvp6_12(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a1", "a2"))(t1, t2, f, x0, x1, x2, x3, x4, x5)[1]


def jvp6_13(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a1", "a3"))(t1, t3, f, x0, x1, x2, x3, x4, x5)[1]


def jvp6_14(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a1", "a4"))(t1, t4, f, x0, x1, x2, x3, x4, x5)[1]


def jvp6_15(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a1", "a5"))(t1, t5, f, x0, x1, x2, x3, x4, x5)[1]


def jvp6_23(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a2", "a3"))(t2, t3, f, x0, x1, x2, x3, x4, x5)[1]


def jvp6_24(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a2", "a4"))(t2, t4, f, x0, x1, x2, x3, x4, x5)[1]


def jvp6_25(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a2", "a5"))(t2, t5, f, x0, x1, x2, x3, x4, x5)[1]


def jvp6_34(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a3", "a4"))(t3, t4, f, x0, x1, x2, x3, x4, x5)[1]


def jvp6_35(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a3", "a5"))(t3, t5, f, x0, x1, x2, x3, x4, x5)[1]


def jvp6_45(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a4", "a5"))(t4, t5, f, x0, x1, x2, x3, x4, x5)[1]


def jvp6_012(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a0", "a1", "a2"))(t0, t1, t2, f, x0, x1, x2, x3, x4, x5)[1]


def jvp6_013(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a0", "a1", "a3"))(t0, t1, t3, f, x0, x1, x2, x3, x4, x5)[1]


def jvp6_014(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a0", "a1", "a4"))(t0, t1, t4, f, x0, x1, x2, x3, x4, x5)[1]


def jvp6_015(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a0", "a1", "a5"))(t0, t1, t5, f, x0, x1, x2, x3, x4, x5)[1]


def jvp6_023(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a0", "a2", "a3"))(t0, t2, t3, f, x0, x1, x2, x3, x4, x5)[1]


def jvp6_024(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a0", "a2", "a4"))(t0, t2, t4, f, x0, x1, x2, x3, x4, x5)[1]


def jvp6_025(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a0", "a2", "a5"))(t0, t2, t5, f, x0, x1, x2, x3, x4, x5)[1]


def jvp6_034(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a0", "a3", "a4"))(t0, t3, t4, f, x0, x1, x2, x3, x4, x5)[1]


def jvp6_035(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a0", "a3", "a5"))(t0, t3, t5, f, x0, x1, x2, x3, x4, x5)[1]


def jvp6_045(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a0", "a4", "a5"))(t0, t4, t5, f, x0, x1, x2, x3, x4, x5)[1]


def jvp6_123(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a1", "a2", "a3"))(t1, t2, t3, f, x0, x1, x2, x3, x4, x5)[1]


def jvp6_124(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a1", "a2", "a4"))(t1, t2, t4, f, x0, x1, x2, x3, x4, x5)[1]


def jvp6_125(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a1", "a2", "a5"))(t1, t2, t5, f, x0, x1, x2, x3, x4, x5)[1]


def jvp6_134(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a1", "a3", "a4"))(t1, t3, t4, f, x0, x1, x2, x3, x4, x5)[1]


def jvp6_135(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a1", "a3", "a5"))(t1, t3, t5, f, x0, x1, x2, x3, x4, x5)[1]


def jvp6_145(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a1", "a4", "a5"))(t1, t4, t5, f, x0, x1, x2, x3, x4, x5)[1]


def jvp6_234(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a2", "a3", "a4"))(t2, t3, t4, f, x0, x1, x2, x3, x4, x5)[1]


def jvp6_235(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a2", "a3", "a5"))(t2, t3, t5, f, x0, x1, x2, x3, x4, x5)[1]


def jvp6_245(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a2", "a4", "a5"))(t2, t4, t5, f, x0, x1, x2, x3, x4, x5)[1]


def jvp6_345(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a3", "a4", "a5"))(t3, t4, t5, f, x0, x1, x2, x3, x4, x5)[1]


def jvp6_0123(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a0", "a1", "a2", "a3"))(t0, t1, t2, t3, f, x0, x1, x2, x3, x4, x5)[
        1
    ]


def jvp6_0124(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a0", "a1", "a2", "a4"))(t0, t1, t2, t4, f, x0, x1, x2, x3, x4, x5)[
        1
    ]


def jvp6_0125(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a0", "a1", "a2", "a5"))(t0, t1, t2, t5, f, x0, x1, x2, x3, x4, x5)[
        1
    ]


def jvp6_0134(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a0", "a1", "a3", "a4"))(t0, t1, t3, t4, f, x0, x1, x2, x3, x4, x5)[
        1
    ]


def jvp6_0135(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a0", "a1", "a3", "a5"))(t0, t1, t3, t5, f, x0, x1, x2, x3, x4, x5)[
        1
    ]


def jvp6_0145(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a0", "a1", "a4", "a5"))(t0, t1, t4, t5, f, x0, x1, x2, x3, x4, x5)[
        1
    ]


def jvp6_0234(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a0", "a2", "a3", "a4"))(t0, t2, t3, t4, f, x0, x1, x2, x3, x4, x5)[
        1
    ]


def jvp6_0235(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a0", "a2", "a3", "a5"))(t0, t2, t3, t5, f, x0, x1, x2, x3, x4, x5)[
        1
    ]


def jvp6_0245(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a0", "a2", "a4", "a5"))(t0, t2, t4, t5, f, x0, x1, x2, x3, x4, x5)[
        1
    ]


def jvp6_0345(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a0", "a3", "a4", "a5"))(t0, t3, t4, t5, f, x0, x1, x2, x3, x4, x5)[
        1
    ]


def jvp6_1234(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a1", "a2", "a3", "a4"))(t1, t2, t3, t4, f, x0, x1, x2, x3, x4, x5)[
        1
    ]


def jvp6_1235(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a1", "a2", "a3", "a5"))(t1, t2, t3, t5, f, x0, x1, x2, x3, x4, x5)[
        1
    ]


def jvp6_1245(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a1", "a2", "a4", "a5"))(t1, t2, t4, t5, f, x0, x1, x2, x3, x4, x5)[
        1
    ]


def jvp6_1345(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a1", "a3", "a4", "a5"))(t1, t3, t4, t5, f, x0, x1, x2, x3, x4, x5)[
        1
    ]


def jvp6_2345(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a2", "a3", "a4", "a5"))(t2, t3, t4, t5, f, x0, x1, x2, x3, x4, x5)[
        1
    ]


def jvp6_01234(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a0", "a1", "a2", "a3", "a4"))(
        t0, t1, t2, t3, t4, f, x0, x1, x2, x3, x4, x5
    )[1]


def jvp6_01235(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a0", "a1", "a2", "a3", "a5"))(
        t0, t1, t2, t3, t5, f, x0, x1, x2, x3, x4, x5
    )[1]


def jvp6_01245(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a0", "a1", "a2", "a4", "a5"))(
        t0, t1, t2, t4, t5, f, x0, x1, x2, x3, x4, x5
    )[1]


def jvp6_01345(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a0", "a1", "a3", "a4", "a5"))(
        t0, t1, t3, t4, t5, f, x0, x1, x2, x3, x4, x5
    )[1]


def jvp6_02345(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a0", "a2", "a3", "a4", "a5"))(
        t0, t2, t3, t4, t5, f, x0, x1, x2, x3, x4, x5
    )[1]


def jvp6_12345(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a1", "a2", "a3", "a4", "a5"))(
        t1, t2, t3, t4, t5, f, x0, x1, x2, x3, x4, x5
    )[1]


def jvp6_012345(f, x0, x1, x2, x3, x4, x5, t0, t1, t2, t3, t4, t5):
    return jvp_of(CALLERS[6], ("a0", "a1", "a2", "a3", "a4", "a5"))(
        t0, t1, t2, t3, t4, t5, f, x0, x1, x2, x3, x4, x5
    )[1]


JVPS = {
    (0, None, None, None, None, None): jvp6_0,
    (1, None, None, None, None, None): jvp6_1,
    (2, None, None, None, None, None): jvp6_2,
    (3, None, None, None, None, None): jvp6_3,
    (4, None, None, None, None, None): jvp6_4,
    (5, None, None, None, None, None): jvp6_5,
    (0, 1, None, None, None, None): jvp6_01,
    (0, 2, None, None, None, None): jvp6_02,
    (0, 3, None, None, None, None): jvp6_03,
    (0, 4, None, None, None, None): jvp6_04,
    (0, 5, None, None, None, None): jvp6_05,
    (1, 2, None, None, None, None): jvp6_12,
    (1, 3, None, None, None, None): jvp6_13,
    (1, 4, None, None, None, None): jvp6_14,
    (1, 5, None, None, None, None): jvp6_15,
    (2, 3, None, None, None, None): jvp6_23,
    (2, 4, None, None, None, None): jvp6_24,
    (2, 5, None, None, None, None): jvp6_25,
    (3, 4, None, None, None, None): jvp6_34,
    (3, 5, None, None, None, None): jvp6_35,
    (4, 5, None, None, None, None): jvp6_45,
    (0, 1, 2, None, None, None): jvp6_012,
    (0, 1, 3, None, None, None): jvp6_013,
    (0, 1, 4, None, None, None): jvp6_014,
    (0, 1, 5, None, None, None): jvp6_015,
    (0, 2, 3, None, None, None): jvp6_023,
    (0, 2, 4, None, None, None): jvp6_024,
    (0, 2, 5, None, None, None): jvp6_025,
    (0, 3, 4, None, None, None): jvp6_034,
    (0, 3, 5, None, None, None): jvp6_035,
    (0, 4, 5, None, None, None): jvp6_045,
    (1, 2, 3, None, None, None): jvp6_123,
    (1, 2, 4, None, None, None): jvp6_124,
    (1, 2, 5, None, None, None): jvp6_125,
    (1, 3, 4, None, None, None): jvp6_134,
    (1, 3, 5, None, None, None): jvp6_135,
    (1, 4, 5, None, None, None): jvp6_145,
    (2, 3, 4, None, None, None): jvp6_234,
    (2, 3, 5, None, None, None): jvp6_235,
    (2, 4, 5, None, None, None): jvp6_245,
    (3, 4, 5, None, None, None): jvp6_345,
    (0, 1, 2, 3, None, None): jvp6_0123,
    (0, 1, 2, 4, None, None): jvp6_0124,
    (0, 1, 2, 5, None, None): jvp6_0125,
    (0, 1, 3, 4, None, None): jvp6_0134,
    (0, 1, 3, 5, None, None): jvp6_0135,
    (0, 1, 4, 5, None, None): jvp6_0145,
    (0, 2, 3, 4, None, None): jvp6_0234,
    (0, 2, 3, 5, None, None): jvp6_0235,
    (0, 2, 4, 5, None, None): jvp6_0245,
    (0, 3, 4, 5, None, None): jvp6_0345,
    (1, 2, 3, 4, None, None): jvp6_1234,
    (1, 2, 3, 5, None, None): jvp6_1235,
    (1, 2, 4, 5, None, None): jvp6_1245,
    (1, 3, 4, 5, None, None): jvp6_1345,
    (2, 3, 4, 5, None, None): jvp6_2345,
    (0, 1, 2, 3, 4, None): jvp6_01234,
    (0, 1, 2, 3, 5, None): jvp6_01235,
    (0, 1, 2, 4, 5, None): jvp6_01245,
    (0, 1, 3, 4, 5, None): jvp6_01345,
    (0, 2, 3, 4, 5, None): jvp6_02345,
    (1, 2, 3, 4, 5, None): jvp6_12345,
    (0, 1, 2, 3, 4, 5): jvp6_012345,
}


plain(*JVPS.values())
