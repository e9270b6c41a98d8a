"""``s2s.check_grad`` passes ``f``'s keyword arguments on (to ``f`` and to its derivatives);
its own options (``wrt``, ``modes``, ``order``, ``seed``, ``rtol``, ``directions``) stay its.

Found by a fresh user: ``check_grad(f, x, c=5.0)`` for ``def f(x, b=2.0, *, c=3.0)`` raised
check_grad's own TypeError ("unexpected keyword argument 'c'"), and ``check_grad(f, x, 4.0)``
put ``4.0`` in the JVP's tangent slot ("multiple values for argument 'x_dot'")."""

from __future__ import annotations

import functools

import numpy as np
import pytest

import s2s
from s2s import d

RNG = np.random.default_rng(20261208)


def scaled(x, b=2.0, *, c=3.0):
    return np.sum(x**2) * b * c


def logged(x, *, c=-1.0):
    return np.sum(x**2) * np.log(c)  # NaN at the default: c must reach f


def test_a_keyword_only_argument_reaches_f_and_its_derivatives():
    x = np.array([1.0, 2.0])
    s2s.check_grad(scaled, x, c=5.0)
    s2s.check_grad(logged, x, c=5.0)  # at c=-1 f is NaN: a UsageError
    with pytest.raises(s2s.UsageError, match="not finite"), np.errstate(invalid="ignore"):
        s2s.check_grad(logged, x)


def test_wrt_names_keyword_given_positional_and_defaulted_parameters():
    x = np.array([1.0, 2.0])
    s2s.check_grad(scaled, x, 4.0)  # b by position: no longer lands in the tangent's slot
    s2s.check_grad(scaled, x, b=4.0, c=5.0, wrt=("x", "b", "c"))
    s2s.check_grad(scaled, x, wrt=("x", "c"))  # c at its default, checked there
    s2s.check_grad(scaled, x, 4.0, c=5.0, wrt=("b", "c"), modes=("rev",), seed=3)


def test_an_unknown_keyword_is_fs_own_type_error():
    with pytest.raises(TypeError, match=r"scaled\(\): got an unexpected keyword argument 'e'"):
        s2s.check_grad(scaled, np.ones(2), e=5.0)


def _softsign(x):
    return x / (1.0 + np.abs(x))


def gated(x, *, gate=0.0):
    return np.sum(_softsign(x) * gate) + np.sum(x**2)


def test_a_wrong_rule_seen_only_through_the_keyword_is_caught():
    """With ``gate=0`` the wrong rule does not matter; with ``gate=1.5`` passed as a keyword,
    every mode and order sees it: the keyword reached the derivatives, not only ``f``."""

    @s2s.adjoint(_softsign, source="deliberately wrong: the square is missing")
    def wrong_adjoint(result, x):
        d[x] = d[result] / (1.0 + np.abs(x))

    @s2s.tangent(_softsign, source="deliberately wrong, as the adjoint")
    def wrong_tangent(result, x):
        d[result] += d[x] / (1.0 + np.abs(x))

    x = RNG.normal(size=4)
    s2s.check_grad(gated, x, order=1)
    for mode in ("rev", "fwd"):
        with pytest.raises(s2s.GradientCheckError) as info:
            s2s.check_grad(gated, x, gate=1.5, modes=(mode,), order=1)
        assert info.value.mode == mode


def cubic(x, a=1.0, *, order=3):
    return np.sum(a * x**order)


def test_own_options_keep_their_names_and_fs_same_named_parameter_goes_by_partial():
    """``order=`` is check_grad's: ``order=5`` is refused as its option, not passed to f;
    ``functools.partial`` gives f its own ``order``."""
    x = RNG.normal(size=3)
    s2s.check_grad(cubic, x, 2.0, order=1)
    with pytest.raises(s2s.UsageError, match="order must be 1 or 2"):
        s2s.check_grad(cubic, x, order=5)
    s2s.check_grad(functools.partial(cubic, order=2), x, 2.0, wrt=(0, 1))
