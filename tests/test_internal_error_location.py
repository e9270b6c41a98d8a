"""An s2s error met in s2s's own code is located at the user's line that led there.

At a higher order, a rule's derivative code (a runtime twin, s2s/runtime/plain_*.py) is
differentiated in turn, and a refusal there named a line of s2s's files
(``s2s/runtime/plain_second.py:276: `top` is bound to a tuple more than once``), which tells a
user nothing about their code. The error keeps its type, message and advice, is located at
the user's primal line whose derivative called that code, and names s2s's line in its
message. Here the runtime helper that a sort's adjoint calls is replaced by one that raises such
an error.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from located import assert_located

import s2s
import s2s.runtime
from s2s.errors import Location

INSIDE = Location(os.path.join(os.path.dirname(s2s.runtime.__file__), "core.py"), 7, 0, "x = 1")


def sorted_squares(x):
    y = np.sort(x)  # MARK: its adjoint calls s2s.runtime.sort_adjoint
    return np.sum(y * y)


X = np.array([3.0, 1.0, 2.0])


@pytest.mark.parametrize("kind", [s2s.NoRuleError, s2s.UnsupportedSyntaxError])
def test_an_error_located_in_s2s_code_moves_to_the_users_line(monkeypatch, kind):
    def refuse(*args, **kwargs):
        raise kind("a refusal inside s2s", INSIDE, "an advice")

    monkeypatch.setattr(s2s.runtime, "sort_adjoint", refuse)
    with pytest.raises(kind) as info:
        s2s.grad(sorted_squares)(X)
    assert_located(info.value, sorted_squares, "# MARK", "an advice", "a refusal inside s2s")
    assert f"{INSIDE.filename}:7" in str(info.value)
    assert "a limit of s2s, not of your code" in str(info.value)


def test_an_error_located_in_the_users_code_stays_there(monkeypatch):
    here = Location(__file__, 3, 0, "")

    def refuse(*args, **kwargs):
        raise s2s.NoRuleError("a refusal at the user's line", here, "an advice")

    monkeypatch.setattr(s2s.runtime, "sort_adjoint", refuse)
    with pytest.raises(s2s.NoRuleError) as info:
        s2s.grad(sorted_squares)(X)
    assert info.value.where is here
    assert str(info.value).startswith(f"{__file__}:3: a refusal at the user's line")


def fourth_power(q):
    return q**4


def through_a_helper(q):
    return np.sum(fourth_power(q) * q)


def test_reverse_over_a_jvp_returning_tuples_is_refused_at_the_users_call():
    """The JVP of a helper's pullback returns a tuple of tuples, which reverse mode does not
    seed: the refusal named the helper's ``return q**4`` and advised a flat tuple, which the
    user cannot write; it is at the call, with the forward mode that works."""
    q, v = np.array([0.3, -0.6, 0.9]), np.array([0.5, 1.0, -0.2])
    third = s2s.vjp(s2s.jvp(s2s.grad(through_a_helper)))
    with pytest.raises(s2s.NoRuleError) as info:
        third(q, v)  # MARK: the user's call
    message = str(info.value)
    assert info.value.where.filename == __file__
    assert "third(q, v)  # MARK" in message and "reverse mode over the JVP of" in message
    assert "s2s.jvp of the derivative" in message
    forward = s2s.jvp(s2s.jvp(s2s.grad(through_a_helper)))  # the advice: it works
    _, (_, tangent) = forward(q, v, v)
    np.testing.assert_allclose(tangent, 60 * q**2 * v * v, rtol=1e-12)  # of grad sum(q**5)
