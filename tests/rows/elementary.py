"""Rows for ``templates/elementary.py``: i0 and unwrap."""

import numpy as np

from rows.spec import Arg, R, normal, uniform


def phases(*shape):
    """An increasing phase wrapped into [-pi, pi): jumps of 2 pi, none within 0.5 of the cut."""

    def draw(rng):
        steps = rng.uniform(0.4, 1.2, shape)
        wrapped = np.mod(np.cumsum(steps, axis=-1) + np.pi, 2 * np.pi) - np.pi
        return np.clip(wrapped, -np.pi + 0.05, np.pi - 0.05)

    return Arg(draw)


ROWS = [
    R(np.i0, lambda x: np.i0(x), normal(2, 3, scale=2.0)),
    R(np.i0, lambda x: np.i0(x), uniform(2.0, 6.0, 4), tag="large"),
    R(np.unwrap, lambda p: np.unwrap(p), phases(2, 8)),
    R(
        np.unwrap,
        lambda p: np.unwrap(p, axis=0, period=4.0),
        uniform(-1.5, 1.5, 6, 2),
        tag="period",
    ),
]
ROWS += [R(np.unwrap, lambda p: np.unwrap(p, discont=4.0), phases(6), tag="discont")]
