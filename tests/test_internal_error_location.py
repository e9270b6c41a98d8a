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


def pairs(x):
    return ((x * x, np.sin(x)), (x, 2.0 * x))


def through_pairs(x):
    t = pairs(x)
    return t[0][0] * t[0][1] + t[1][0] * t[1][1]


def tangent_of_pairs(x):
    return s2s.jvp(through_pairs)(x, 1.0)[1]


def test_reverse_over_reverse_over_a_jvp_returning_tuples_gives_the_third_derivative():
    """The JVP of a helper returning a tuple of tuples returns a tuple of tuples, whose
    cotangent a reverse derivative that is itself differentiated again now reads leaf by leaf
    (it was refused at the user's call): the Hessian of the JVP is the third derivative of
    ``x^2 sin x + 2 x^2``, as forward over forward gives it."""
    x = 0.7
    third = 6 * np.cos(x) - 6 * x * np.sin(x) - x * x * np.cos(x)
    assert s2s.hessian(tangent_of_pairs)(x) == pytest.approx(third, rel=1e-12)
    assert s2s.jvp(s2s.jvp(tangent_of_pairs))(x, 1.0, 1.0)[1][1] == pytest.approx(third, rel=1e-12)


def sine_sum(x):
    return np.sum(np.sin(x) * x)


def wrong_direction(x):
    hv = s2s.hvp(sine_sum)(x, np.ones(2))  # MARK: inner hvp
    return np.sum(hv)


def integer_tangent(x):
    _, t = s2s.jvp(sine_sum)(x, np.ones(3, dtype=int))  # MARK: inner jvp
    return t


@pytest.mark.parametrize(
    "outer, mark", [(wrong_direction, "# MARK: inner hvp"), (integer_tangent, "# MARK: inner jvp")]
)
def test_a_wrong_direction_inside_a_differentiated_function_is_located_at_its_line(outer, mark):
    """A derivative object called inside a function being differentiated, with a wrong
    tangent: the error names that line (as it does when the function runs plainly), not the
    line that called the outer derivative."""
    x = np.ones(3)
    for call in (lambda: outer(x), lambda: s2s.grad(outer)(x), lambda: s2s.jvp(outer)(x, x)):
        with pytest.raises(s2s.TangentError) as info:
            call()
        assert_located(info.value, outer, mark)
