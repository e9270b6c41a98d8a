"""``s2s.stop_gradient(x)`` and ``s2s.zero_grad(x)`` return ``x`` itself: a write into their
result is a write into ``x`` (the caller's array, for an argument), refused at its line."""

import numpy as np
import pytest
from located import assert_located

import s2s


def write_into_stopped_argument(x):
    out = s2s.stop_gradient(x)
    out[0] = 5.0
    return np.sum(out * x)


def write_into_zero_grad_argument(x):
    out = s2s.zero_grad(x)
    out[0] = 5.0
    return np.sum(out * x)


@pytest.mark.parametrize("func", [write_into_stopped_argument, write_into_zero_grad_argument])
@pytest.mark.parametrize("make", [s2s.grad, s2s.value_and_grad, s2s.vjp, s2s.jvp])
def test_write_into_a_cut_of_an_argument_is_refused(func, make):
    x = np.arange(4.0)
    args = (x, np.ones(4)) if make is s2s.jvp else (x,)
    with pytest.raises(s2s.MutationError) as info:
        make(func)(*args)
    assert_located(info.value, func, "out[0] = 5.0", "copy")
    np.testing.assert_array_equal(x, np.arange(4.0))  # the caller's array is untouched
