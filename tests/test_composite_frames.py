"""A user's error raised inside ``hvp``, ``hessp`` and ``hessian`` keeps its type,
notes the user's line and leaves out s2s's own frames (fresh-123's report, section 6: hvp left
``composites.py``'s ``__call__``, ``_checked_scalar`` and a lambda in the traceback)."""

from __future__ import annotations

import os
import traceback

import numpy as np
import pytest
from located import where

import s2s


def _helper(x):
    return np.linalg.cholesky(np.outer(x, x) - 10 * np.eye(2)) @ x  # BAD


def f(x):
    return np.sum(_helper(x) + x)  # CALL


X = np.ones(2)
CALLS = {
    "hvp": lambda: s2s.hvp(f)(X, X),
    "hessp": lambda: s2s.hessp(f)(X, X),
    "hessian": lambda: s2s.hessian(f)(X),
    "grad": lambda: s2s.grad(f)(X),
}


@pytest.mark.parametrize("name", CALLS)
def test_a_users_error_in_a_composite_drops_s2s_frames(name):
    with pytest.raises(np.linalg.LinAlgError) as info:
        CALLS[name]()
    assert type(info.value) is np.linalg.LinAlgError
    lines = (where(_helper, "# BAD"), where(f, "# CALL"))  # the line the generated code ran
    assert any(line in note for note in info.value.__notes__ for line in lines)
    frames = [fr.f_code.co_filename for fr, _ in traceback.walk_tb(info.value.__traceback__)]
    own = [fr for fr in frames if fr.startswith(os.path.dirname(s2s.__file__))]
    assert len(own) <= 1, own  # at most the frame that re-raises it
    assert not any("composites.py" in fr for fr in own[:-1])


def test_an_s2s_error_of_a_composite_keeps_its_location():
    with pytest.raises(s2s.NonScalarOutputError):
        s2s.hvp(lambda x: x * 2.0)(X, X)
