"""Programs the fuzzer (``python -m tests.fuzz``) found s2s wrong on, shrunk by hypothesis and
kept as they were printed; each names the bug it found."""

import numpy as np
from fuzz.check import check_program


def test_fuzz_81a3bab8():
    """vjp: a loop appending to a list, then a pullback that restores the list (UnboundLocalError:
    the pullback read the list before binding it)."""
    source = """\
    import numpy as np


    def f(p0, p1):
        xs1 = []
        for k2 in range(1):
            xs1.append(p1 + k2 * (k2 + 1.0))
        l3 = np.stack(xs1)
        return np.sum(l3 * 1.0)
"""
    args = [
        np.array([0.1257302210933933, -0.1321048632913019, 0.6404226504432821], dtype=np.float64),
        np.array([0.10490011715303971, -0.535669373161111, 0.36159505490948474], dtype=np.float64),
    ]
    check_program(source, args, wrt=(0,), output="scalar", dtype="float64")


def test_fuzz_d2768325():
    """grad: a for/else whose else arm computes only values nothing reads (IndentationError: the
    dead arm was emitted as an `if` with only a comment under it)."""
    source = """\
    import numpy as np


    def helper12(a0, a1):
        v13 = np.tanh(a1)
        v14 = np.tanh(v13)
        return a0 + v14


    def f(p0, p1):
        if np.sum(p1) > 0.431:
            y3 = np.tanh(p1)
        else:
            y3 = np.tanh((np.tanh(p1)))
        v5 = np.tanh(y3)
        v6 = np.tanh(v5)
        c8 = np.tanh(v6) if np.sum(v6) > 0.513 else (np.tanh(v6)) + v6
        buf9 = np.zeros((4,))
        h10 = buf9 * 1.0
        for k11 in range(1):
            h10 = helper12(h10, h10)
        h15 = v6 * 1.0
        for k16 in range(1):
            h15 = np.tanh(h15)
        else:
            h15 = h15 * 2.0
        return np.sum(h15 * 1.0)
"""
    args = [
        np.array([0.1257302210933933, -0.1321048632913019, 0.6404226504432821], dtype=np.float64),
        np.array([0.10490011715303971, -0.535669373161111, 0.36159505490948474], dtype=np.float64),
    ]
    check_program(source, args, wrt=(0,), output="scalar", dtype="float64")


def test_fuzz_mask_across_branch_arms():
    """grad: a selection after an if/elif/else whose arms each made a selection mask
    (UnboundLocalError: after the branch the masks of all arms were combined, but only the
    taken arm's exists)."""
    source = """\
    import numpy as np


    def f(p0):
        v1 = np.tanh(p0)
        v2 = np.tanh(v1)
        v3 = np.tanh(v2)
        v4 = np.tanh(v3)
        v5 = np.tanh(v4)
        if np.sum(v5) > 0.907:
            y6 = np.tanh(v5)
        elif np.sum(v5) > 0.907:
            y6 = (np.tanh(v5)) + v5
        else:
            y6 = (np.tanh(v5)) + v5
        v9 = np.where(y6 > 0.294, y6, y6)
        return np.sum(v9 * 1.0)
"""
    args = [
        np.array([0.1257302210933933, -0.1321048632913019, 0.6404226504432821], dtype=np.float64),
    ]
    check_program(source, args, wrt=(0,), output="scalar", dtype="float64")


def test_fuzz_cumprod_of_a_taped_python_float():
    """vjp crashed in the cumprod adjoint on a Python float carried through a loop."""
    source = """\
    import numpy as np


    def f(p0, p1):
        h1 = p1 * 1.0
        k2 = 0
        while k2 < 1:
            k2 = k2 + 1
            h1 = h1 + h1
        v3 = np.cumprod(h1)
        return v3, np.sum(v3 * 1.0)
"""
    args = [
        np.array([0.1257302210933933, -0.1321048632913019, 0.6404226504432821], dtype=np.float64),
        0.517,
    ]
    check_program(source, args, wrt=(1,), output="tuple", dtype="float64")


def test_fuzz_5542df5c_look_alike_helpers_of_two_programs():
    """grad was wrong by 0.165 on the second of two programs whose `helper1` had the same text
    at the same lines: code objects compare equal across modules (not by file), so the second
    program's `helper1` got the first's cached sub-derivative, which calls the first
    program's `helper2`. Seen only after the first program ran, as in the fuzz run (seed
    1041); here the first program runs just before."""
    template = """\
    import numpy as np


    def helper2(a0, a1):
        if np.sum(a1) > 1.134:
            y3 = np.tanh(a1)
        else:
            y3 = {arm}
        return np.tanh(y3)


    def helper1(a0, a1):
        u5 = helper2(a0, a0)
        return np.tanh(u5)


    def f(p0):
        u6 = helper1(p0, p0)
        return np.sum(u6 * 1.0)
"""
    args = [
        np.array([0.1257302210933933, -0.1321048632913019, 0.6404226504432821], dtype=np.float64),
    ]
    for arm in ("np.tanh(a1) * 1.0", "(np.tanh(a1)) + a1"):
        check_program(template.format(arm=arm), args, wrt=(0,), output="scalar", dtype="float64")


def test_fuzz_e8f4489e_cross_with_moved_axes_keeps_the_plain_value():
    """value_and_grad's value differed from f's in the last bit for np.cross with axisa=0,
    axisb=1, axisc=0."""
    source = """\
    import numpy as np


    def helper2(a0):
        return np.tanh(a0)


    def f(p0, r1, r2):
        leaf1 = (np.cross(r1, r2, axisa=0, axisb=1, axisc=0))
        u3 = helper2(leaf1)
        v4 = np.tanh(u3)
        v5 = np.tanh(v4)
        return np.sum(v5 * 1.0)
"""
    args = [
        np.array([0.345584192064786, 0.8216181435011584, 0.33043707618338714], dtype=np.float64),
        np.array(
            [
                [-1.303157231604361, 0.9053558666731177],
                [0.4463745723640113, -0.5369532353602852],
                [0.5811181041963531, 0.36457239618607573],
            ],
            dtype=np.float64,
        ),
        np.array(
            [
                [0.294132496655526, 0.02842224131579679, 0.5467129866124469],
                [-0.7364540870016669, -0.16290994799305278, -0.48211931267997826],
            ],
            dtype=np.float64,
        ),
    ]
    check_program(source, args, wrt=(2,), output="scalar", dtype="float64")


def test_fuzz_01f43340_median_of_a_python_float():
    """value_and_grad crashed in median's adjoint on a Python float ('float' object has no
    attribute 'dtype')."""
    source = """\
    import numpy as np


    def helper2(a0):
        return np.tanh(a0), np.median(a0)


    def f(p0, p1):
        v1 = np.tanh(p1)
        u3, u4 = helper2(p1)
        v5 = np.tanh(u4)
        v6 = np.tanh(v5)
        v7 = np.tanh(v6)
        v8 = np.tanh(v7)
        v9 = np.tanh(v8)
        return np.sum(v9 * 1.0), v9 * 1.0
"""
    args = [
        np.array([0.1257302210933933, -0.1321048632913019, 0.6404226504432821], dtype=np.float64),
        0.517,
    ]
    check_program(source, args, wrt=(1,), output="aux", dtype="float64")


def test_split_then_concatenate():
    """grad: the pieces of np.split (one shape) joined again (IndexError in split_pieces: the
    pieces are recorded as one `Like` of their stacked shape, which the join's adjoint read as
    a tuple of pieces)."""
    source = """\
    import numpy as np


    def f(x):
        parts = np.split(x, 3)
        return np.sum(np.concatenate(parts) ** 2)
"""
    args = [np.array([0.3, -1.2, 0.7, 2.1, -0.4, 0.9])]
    check_program(source, args, wrt=(0,), output="scalar", dtype="float64")
    check_program(source, args, wrt=(0,), output="scalar", dtype="float32")


def test_fuzz_hvp_of_sum_and_mean_with_where():
    """hvp: a reduction with where= (NoRuleError: no rule for the adjoint helpers
    masked_sum_adjoint and masked_mean_adjoint, which the second order differentiates)."""
    source = """\
    import numpy as np


    def f(p0):
        r1 = np.sum(np.sin(p0) * p0, where=p0 > 0.1)
        r2 = np.mean(p0 ** 3, axis=0, where=p0 < 1.0)
        return r1 + np.sum(r2 * 0.5)
"""
    args = [np.array([[0.3, -1.2, 0.7], [2.1, -0.4, 0.9]], dtype=np.float64)]
    check_program(source, args, wrt=(0,), output="scalar", dtype="float64", forward=True)


def test_fuzz_zero_dimensional_buffer_indexed():
    """grad: a 0-d value's adjoint buffer, zeroed before a reversed loop, took an indexed
    accumulation (``d_v10[None] += g``): a numpy scalar takes no item assignment."""
    source = """\
    import numpy as np


    def f(p0):
        h1 = p0 * 1.0
        k2 = 0
        while k2 < 1:
            k2 = k2 + 1
            h1 = h1 + h1
        t3 = (h1, h1)
        pp5, qq6 = t3
        s4 = np.sum(pp5) * np.sum(qq6)
        v10 = np.tanh(np.tanh(s4))
        v11 = v10[None]
        return np.sum(v11 * 1.0)
"""
    args = [np.array([0.12573022, -0.13210486, 0.64042265], dtype=np.float64)]
    check_program(source, args, wrt=(0,), output="scalar", dtype="float64")


def test_fuzz_8c088bcb():
    """A helper returning a broadcast view: the value was copied with copy(order="K"), which
    puts the zero-stride axis last, so the sum of it added in another order than the plain
    call's (vjp value 1 ulp off)."""
    source = """\
    import numpy as np


    def helper12(a0):
        c14 = np.tanh(a0) if np.sum(a0) > 1.427 else np.tanh((np.tanh(a0)))
        return np.broadcast_to(c14, (2,) + c14.shape)


    def f(p0, r1):
        def inner1(z2):
            return p0 * z2
        w3 = inner1(p0)
        acc6 = np.zeros((5,))
        np.add.at(acc6, np.array([0, 0, 0, 3]), w3)
        v7 = np.tanh(acc6)
        leaf8 = (r1 ** 3)
        if np.sum(leaf8) > -28.662:
            y9 = np.tanh(v7)
        elif np.sum(leaf8) > -28.662:
            y9 = np.tanh((np.tanh(v7)))
        else:
            y9 = np.tanh((np.tanh(v7)))
        u15 = helper12(y9)
        return u15, np.sum(u15 * 1.0)
"""
    args = [
        np.array(
            [0.1886866247030431, -0.8097530868835423, 2.3357568346163813, 0.5585882113973555],
            dtype=np.float64,
        ),
        np.array(
            [0.14168833155473476, -1.223681220925582, -1.8405065393797713, -2.763199272264327],
            dtype=np.float64,
        ),
    ]
    check_program(source, args, wrt=(0, 1), output="tuple", dtype="float64", forward=True)


def test_fuzz_a9ed2ed2():
    """hvp with a tuple parameter: item_cotangents had no derivative rule (reverse over
    reverse refused)."""
    source = """\
    import numpy as np


    def f(p0, p1):
        w1 = p1[0]
        b2 = p1[1]
        v3 = np.tanh(b2)
        return np.sum(v3 * 1.0)
"""
    args = [
        np.array([0.1257302210933933, -0.1321048632913019, 0.6404226504432821], dtype=np.float64),
        (
            np.array(
                [
                    [0.10490011715303971, -0.535669373161111],
                    [0.36159505490948474, 1.3040000451301372],
                    [0.9470809631292422, -0.7037352358069926],
                ],
                dtype=np.float64,
            ),
            np.array([-1.2654214710460525, -0.6232744625373522], dtype=np.float64),
        ),
    ]
    check_program(source, args, wrt=(1,), output="scalar", dtype="float64", forward=True)


def test_fuzz_f36b4aa0():
    """float32 gradient 2.06e-05 off the float64 one where the largest entry is 6e-05: tanh
    saturated, so its partial 1 - y*y is rounding; a hand-written float32 gradient is off by
    the same 2.06e-05. The fuzzer's float32 bound now allows rounding of order eps32 * |f|."""
    source = """\
    import numpy as np


    def helper6(a0):
        if np.sum(a0) > -4.06:
            y7 = np.tanh(a0)
        else:
            y7 = (np.tanh(a0)) + a0
        v9 = a0 ** 3
        return np.tanh(v9)


    def f(p0, p1):
        w1 = p1[0]
        b2 = p1[1]
        xs3 = []
        for k4 in range(3):
            xs3.append(np.minimum(w1, k4) * (k4 + 1.0))
        l5 = sum(xs3)
        u10 = helper6(l5)
        v11 = (u10 * u10 + 0.5) ** 1.5
        return np.sum(v11 * 1.0)
"""
    args = [
        np.zeros((2, 3, 4)),
        (
            np.array(
                [
                    [-0.8229308529183497, -2.1264552749305623],
                    [1.5613029236741762, -0.5949385991504009],
                    [2.645784320577486, 0.4043307851726857],
                ]
            ),
            np.array([-0.6176211846146433, 0.5013961612032457]),
        ),
    ]
    check_program(source, args, wrt=(1,), output="scalar", dtype="float32")


def test_fuzz_442f2a2c():
    """A helper's `k / (k * k + 0.5)` of a loop index k: the optimizer wrote the `+` into a
    dead temporary with `_s2s.into(np.add, ...)`, whose fallback called np.add(1, 0.5), an
    np.float64 where Python gives a float; float32 h + np.float64 is float64 (NEP 50), so the
    value came back float64 where the plain call gives float32."""
    source = """\
    import numpy as np


    def helper11(a0, a1):
        return a1 / (a1 * a1 + 0.5)


    def f(p0):
        h8 = np.tanh(p0)
        for k10, row9 in enumerate(h8):
            u12 = helper11(row9, k10)
            h8 = h8 + u12
        return np.sum(h8 * 1.0)
"""
    args = [np.array([0.1257302210933933, -0.1321048632913019, 0.6404226504432821])]
    check_program(source, args, wrt=(0,), output="scalar", dtype="float32")


def test_fuzz_a2a4930e():
    """A nested def's value (`w7 = inner5(v4)` with `inner5` reading an array around it) was
    typed as its arguments' promotion, a scalar, so `np.hypot(v4, w7)`'s partial for the
    scalar v4 was not summed back (a crash at `np.sum(..., where=)`'s adjoint; a silent
    wrong shape elsewhere)."""
    source = """\
    import numpy as np


    def f(p0, p1):
        buf1 = p0 * 1.0
        red2 = np.sum(np.tanh(buf1), where=buf1 > -0.9846)
        v3 = np.tanh(red2)
        v4 = np.tanh(v3)
        def inner5(z6):
            return buf1 + z6
        w7 = inner5(v4)
        v8 = np.tanh(w7)
        v9 = np.hypot(v4, (v8 * v8 + 0.5))
        return np.sum(v9 * 1.0)
"""
    rng = np.random.default_rng(0)
    args = [rng.standard_normal((3, 4)), rng.standard_normal(3)]
    check_program(source, args, wrt=(0,), output="scalar", dtype="float64")


def test_fuzz_277411f8():
    """Crash_UnboundLocalError_generated: vjp: UnboundLocalError: cannot access local variable
    'buf19' where it is not associated with a value [Crash_UnboundLocalError_generated]: an
    array written in a loop's arm that `continue` skipped was carried into the vjp's pullback
    (a default argument) unbound; it starts as None now. Found by the forward fuzzer (seed
    61206)."""
    source = """\
    import numpy as np


    def f(p0, p1, p2):
        xs1 = []
        for k2 in range(1):
            xs1.append(np.tanh(p2) * (k2 + 1.0))
        l3 = np.stack(xs1)
        v4 = np.sum(l3)
        v5 = np.log((v4 * v4 + 0.5))
        h6 = v5 * 1.0
        k7 = 0
        while k7 < 4:
            k7 = k7 + 1
            z8 = h6 * 2.0
            z8 += 0.5
            h6 = h6 + z8
        c9 = np.tanh(h6) if h6 > 21.38 else h6 * 0.5
        h10 = c9 * 1.0
        for row11, row12 in zip(l3, l3):
            if np.sum(h10) > 8.94:
                continue
            z13 = row12 * 2.0
            z13 += z13
            h14 = row12 * 1.0
            buf19 = np.zeros((3,) + np.shape(h14))
            for k15 in range(3):
                v16 = row12 + row12
                c18 = np.tanh(z13) if np.any(v16 > -1.18) else np.sign(np.tanh(z13)) * np.tanh(z13)
                h14 = h14 + c18
                buf19[k15] = h14
            h10 = np.where(h10 > 10.49, h10, row12)
        return np.mean(h10) * 1.25 + np.sum(h10 * 1.0)
"""
    args = [
        np.array([-0.5409754624562759, -0.5543459966860426, 0.8012590888141164], dtype=np.float64),
        np.array([-0.185858073465129, 1.0953853435819902, -0.9056980361225234], dtype=np.float64),
        np.float64(-0.8969023812482628),
    ]
    check_program(
        source, args, wrt=(0, 1), output='scalar', dtype='float64', forward=True
    )
