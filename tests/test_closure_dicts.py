"""A nested def (a closure) reading a local dict of the function around it through constant
keys: ``d = {"a": x[0]}; def h(z): return z * d["a"]`` reads the entry's name ``d_a``, as a
closure reads any local.

Found by a fresh user (fresh-501 3): refused as "the local dict `d` (line 9) is bound more
than once" though it is bound once (every name of a nested def was counted as a binding). A
closure using the dict otherwise is refused at its line, naming the nested function."""

from __future__ import annotations

import numpy as np
import pytest
from gradcheck import along
from located import assert_located

import s2s

X = np.array([0.4, -1.3, 2.1])
V = np.array([0.7, 0.2, -0.5])


def closure_reads(x):
    d = {"a": x[0]}

    def h(z):
        return z * d["a"]

    return np.sum(h(x))


def closure_reads_after_a_write(x):
    d = {"a": x[0], "b": np.sin(x)}

    def h(z):
        return z * d["a"]

    def q(z):
        return np.sum(d["b"] * h(z))

    d["a"] = x[1] ** 2  # the closure runs after this: it reads the new entry
    return q(x) + d["a"]


def test_a_closure_reading_a_local_dict_by_constant_key_is_differentiated():
    """``closure_reads`` is x0 * sum(x): gradient [sum(x) + x0, x0, x0], Hessian e0 1^T +
    1 e0^T."""
    x0, total = X[0], np.sum(X)
    np.testing.assert_allclose(s2s.grad(closure_reads)(X), [total + x0, x0, x0], rtol=1e-12)
    value, tangent = s2s.jvp(closure_reads)(X, V)
    assert value == pytest.approx(x0 * total)
    assert tangent == pytest.approx(V[0] * total + x0 * np.sum(V), rel=1e-12)
    ones, e0 = np.ones(3), np.eye(3)[0]
    expected = np.outer(e0, ones) + np.outer(ones, e0)
    np.testing.assert_allclose(s2s.hessian(closure_reads)(X), expected, atol=1e-12)


def test_two_closures_and_a_write_before_the_call_match_central_differences():
    f = closure_reads_after_a_write
    numeric = along(f, X, V)
    assert np.dot(s2s.grad(f)(X), V) == pytest.approx(numeric, rel=1e-7)
    assert s2s.jvp(f)(X, V)[1] == pytest.approx(numeric, rel=1e-7)
    hv = s2s.hvp(f)(X, V)
    np.testing.assert_allclose(hv, along(s2s.grad(f), X, V), rtol=1e-6, atol=1e-8)


def closure_gets(x):
    d = {"a": x[0]}

    def h(z):
        return z * d.get("a")  # MARK: get

    return np.sum(h(x))


def closure_run_time_key(x):
    d = {"a": x[0], "b": x[1]}

    def h(z, key):
        return z * d[key]  # MARK: key

    return np.sum(h(x, "b"))


def closure_rebinds(x):
    d = {"a": x[0]}

    def h(z):
        d = {"a": z[1]}  # MARK: rebinds
        return z * d["a"]

    return np.sum(h(x)) + d["a"]


@pytest.mark.parametrize(
    ("f", "mark", "words"),
    [
        (closure_gets, "# MARK: get", "changed or read with `.get(...)` inside the nested "
         "function `h`, where s2s follows it only through reads with constant keys"),
        (closure_run_time_key, "# MARK: key", "read with a key known only at run time inside "
         "the nested function `h`"),
        (closure_rebinds, "# MARK: rebinds", "bound again inside the nested function `h`"),
    ],
)  # fmt: skip
def test_a_closure_using_the_dict_otherwise_is_refused_at_its_line_naming_the_closure(
    f, mark, words
):
    with pytest.raises(s2s.NoRuleError) as info:
        s2s.grad(f)(X)
    assert_located(info.value, f, mark, words, "read the values you need")
    assert "more than once" not in str(info.value)
