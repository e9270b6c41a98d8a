"""User functions with ``assert`` statements, for tests/test_walrus_guards.py: in a module of
their own because pytest rewrites the asserts of test modules (the function's code would no
longer be its source, and s2s refuses a stale source)."""

import numpy as np


def guard_assert(x):
    assert (big := np.sum(x * x)) < 1e9, "too big"
    return big * np.sum(np.sin(x))


def state_advanced_in_assert(x, n):
    for _i in range(n):
        assert np.all(np.isfinite(x := np.sin(x) * 1.2)), "not finite"
    return np.sum(x * x)


def walrus_in_assert_message(x):
    assert np.sum(x) < 1e9, (t := np.sum(x * x))  # noqa: F841  # MARK
    return np.sum(x)
