"""Helpers and callbacks that write into a module-level list, dict or array by subscript (or
with ``np.copyto``) are side effects for ``checkpoint=``: the adjoint sweep runs the trips
again, so a counter bumped there would be bumped twice and the recomputed trips would differ
(a fresh user's finding: gradient [1.274, 1.417, 0.290, -0.344] for [1.474, 1.024, 0.818,
0.551], accepted silently). Writes into arrays a helper makes itself stay accepted."""

from __future__ import annotations

import functools
import math
import time

import numpy as np
import pytest

import s2s
from s2s.errors import UnsupportedSyntaxError

CALLS = [0]
COUNTS = {"n": 0}
BUF = np.zeros(3)


def _sort_key(i):
    if i == 0:
        CALLS[0] += 1
    return (i - CALLS[0]) % 4


def by_sorted_key(x):
    s = 0.0
    for i in range(4):
        k = sorted(range(4), key=_sort_key)[0]
        s = s + x[k] * np.sin(s + x[i])
    return s


def _count(v):
    COUNTS["n"] += 1
    return v * 2.0


def by_dict_counter(x):
    for _ in range(3):
        x = np.sin(_count(x))
    return np.sum(x)


def _stash(v):
    np.copyto(BUF, v)
    return v * BUF[0]


def by_copyto(x):
    for _ in range(3):
        x = np.cos(_stash(x))
    return np.sum(x)


def _keep(v):
    BUF[...] = v
    return v + 1.0


def by_slice_write(x):
    for _ in range(3):
        x = np.sin(_keep(x))
    return np.sum(x)


def _own_buffer(v):
    out = np.zeros(3)
    out[0] = 1.0
    out += v
    return out * v


def by_own_buffer(x):
    for _ in range(3):
        x = np.sin(_own_buffer(x))
    return np.sum(x)


@pytest.mark.parametrize("f", [by_sorted_key, by_dict_counter, by_copyto, by_slice_write])
@pytest.mark.parametrize("checkpoint", [2, "auto"])
def test_a_write_into_a_module_level_container_is_refused_in_the_trips(f, checkpoint):
    x = np.array([0.3, 0.5, 0.7, 0.9])[: 4 if f is by_sorted_key else 3]
    with pytest.raises(UnsupportedSyntaxError, match="side effect") as info:
        s2s.grad(f, checkpoint=checkpoint)(x)
    assert info.value.where.lineno > 0


def test_a_helper_writing_into_its_own_array_stays_accepted():
    x = np.array([0.3, 0.5, 0.7])
    taped = s2s.grad(by_own_buffer)(x)
    np.testing.assert_allclose(s2s.grad(by_own_buffer, checkpoint=2)(x), taped, rtol=1e-12)
    e, eye = 1e-6, np.eye(3)
    fd = [(by_own_buffer(x + e * d) - by_own_buffer(x - e * d)) / (2 * e) for d in eye]
    np.testing.assert_allclose(taped, fd, rtol=1e-6)


def by_clock(x):
    s = 0.0
    for i in range(4):
        k = int(time.perf_counter_ns() // 1000) % 4
        s = s + x[k] * np.sin(s + x[i])
    return s


def test_a_clock_read_in_the_trips_is_refused():
    """A C function of a module other than numpy, scipy, math, operator, functools, itertools
    or the builtins (``time.perf_counter_ns``) may read state: refused, not taken as pure."""
    with pytest.raises(UnsupportedSyntaxError, match="time.perf_counter_ns") as info:
        s2s.grad(by_clock, checkpoint=2)(np.array([0.3, 0.5, 0.7, 0.9]))
    assert info.value.where.lineno > 0


def by_math_and_minimum(x):
    for _ in range(3):
        x = np.sin(math.sqrt(2.0) * x) + np.minimum(x, 0.5) * functools.reduce(max, [1.0, 2.0])
    return np.sum(x)


def test_math_functools_and_ufuncs_stay_accepted():
    x = np.array([0.3, 0.5, 0.7])
    np.testing.assert_allclose(s2s.grad(by_math_and_minimum, checkpoint=2)(x),
                               s2s.grad(by_math_and_minimum)(x), rtol=1e-12)
