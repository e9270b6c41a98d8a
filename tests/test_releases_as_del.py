"""After the last loop or branch, the adjoint frees each value as straight-line code does,
with ``del`` (fresh-77 D7: ``d_x = None`` alternated with ``del``), where the name is surely
bound there and nothing after it names it; elsewhere a release stays ``x = None``."""

from __future__ import annotations

import numpy as np
from gradcheck import numeric_gradient

import s2s


def tail(x, w, c):
    a = np.sin(x) * 2.0
    b = np.exp(x)
    big = x @ w
    s = 0.0
    for i in range(3):
        s = s + np.sum(a * w[i])
    if c > 0:
        s = s + np.sum(b * big)
    else:
        s = s - np.sum(b)
    z = np.tanh(big) * a
    return s + np.sum(z ** 2)


def test_the_straight_tail_frees_with_del_only():
    rng = np.random.default_rng(3)
    x, w = rng.normal(size=3), rng.normal(size=(3, 3))
    for c in (1.0, -1.0):
        g = s2s.grad(tail, wrt=(0, 1))
        gx, gw = g(x, w, c)
        np.testing.assert_allclose(gx, numeric_gradient(tail, (x, w, c), 0), rtol=1e-6)
        np.testing.assert_allclose(gw, numeric_gradient(tail, (x, w, c), 1), rtol=1e-6)
    lines = [line.strip() for line in g.source.splitlines()]
    loop = max(i for i, line in enumerate(lines) if line.startswith("for "))
    after = [line for line in lines[loop:] if not line.startswith(("d_getitem_1 = None",))]
    ends = [i for i, line in enumerate(after) if line.startswith("del ")]
    assert ends, after
    top = after[ends[0]:]
    assert not [line for line in top if line.endswith("= None")], top  # was d_big = None ...
    assert "del d_b" in top and "del d_big" in top, top
