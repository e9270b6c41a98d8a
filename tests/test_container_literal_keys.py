"""A loop over a literal tuple or list of constant keys that indexes a parameter container
(``for k in ("W", "v"): total += np.sum(p[k] ** 2)``) is unrolled over those keys, as a loop
over ``range`` with constant bounds is; comprehensions too.

Found by a fresh user (fresh-501 5): refused as "`p` is read with an index known only at run
time" though the keys are constants of the literal."""

from __future__ import annotations

import numpy as np
import pytest
from gradcheck import along
from located import assert_located

import s2s

P = {"W": np.array([[0.3, -1.2], [0.8, 0.5]]), "v": np.array([1.5, -0.4]), "u": np.array([2.0])}
T = {"W": np.array([[0.2, 0.1], [-0.3, 0.6]]), "v": np.array([-0.7, 0.9]), "u": np.array([1.1])}


def squares_by_literal_keys(p):
    total = 0.0
    for k in ("W", "v"):
        total += np.sum(p[k] ** 2)
    return total


def mixed_by_literal_keys(p):
    acts = [np.tanh(p[k]) for k in ["v", "u"]]
    scale = sum(np.sum(np.sin(p[k])) for k in ("W",))
    return np.sum(acts[0] * scale) + np.sum(acts[1]) * k_after(p)


def k_after(p):
    for k in ("u", "v"):
        last = p[k]
    return np.sum(last) * (k == "v")  # the loop variable keeps its last key


def test_a_loop_over_a_literal_of_keys_is_unrolled_over_them():
    """Closed form: the gradient is 2 p[k] for k in ("W", "v"), 0 for "u"."""
    grads = s2s.grad(squares_by_literal_keys)(P)
    np.testing.assert_allclose(grads["W"], 2 * P["W"], rtol=1e-12)
    np.testing.assert_allclose(grads["v"], 2 * P["v"], rtol=1e-12)
    np.testing.assert_array_equal(grads["u"], 0.0)
    value, tangent = s2s.jvp(squares_by_literal_keys)(P, T)
    assert value == pytest.approx(np.sum(P["W"] ** 2) + np.sum(P["v"] ** 2))
    expected = 2 * (np.sum(P["W"] * T["W"]) + np.sum(P["v"] * T["v"]))
    assert tangent == pytest.approx(expected, rel=1e-12)


def test_comprehensions_and_the_loop_variable_after_the_loop_match_central_differences():
    f = mixed_by_literal_keys

    def moved(t):
        return f({k: P[k] + t * T[k] for k in P})

    numeric = along(lambda t: moved(t), 0.0, 1.0)
    grads = s2s.grad(f)(P)
    assert sum(np.sum(grads[k] * T[k]) for k in P) == pytest.approx(numeric, rel=1e-7)
    assert s2s.jvp(f)(P, T)[1] == pytest.approx(numeric, rel=1e-7)


def missing_key(p):
    total = 0.0
    for k in ("W", "b"):
        total += np.sum(p[k])  # MARK: read
    return total


def run_time_keys(p, keys):
    total = 0.0
    for k in keys:
        total += np.sum(p[k])  # MARK: run time
    return total


def test_a_key_it_does_not_hold_and_keys_known_at_run_time_are_refused_at_the_read():
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(missing_key)(P)
    assert_located(info.value, missing_key, "# MARK: read", "the key 'b', which it does not hold")
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(run_time_keys)(P, ["W"])
    assert_located(info.value, run_time_keys, "# MARK: run time",
                   "an index known only at run time", "for k in ('w', 'b')",
                   "params.items()")  # fmt: skip
