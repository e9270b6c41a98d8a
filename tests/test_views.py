"""Repeated views taken once (s2s/codegen/views.py): a later ``x[key]`` of an unchanged array
with the same constant key names the earlier view; every gradient is checked against central
differences and against the same gradient with the pass off (the same bits)."""

import re
import warnings

import gast
import numpy as np
import pytest
from gradcheck import check_against_differences as check
from gradcheck import gradient_without
from located import line_of

import s2s
import s2s.reverse.entry
from s2s.codegen.emit import to_source
from s2s.codegen.sweeps import Block
from s2s.codegen.views import share_repeated_views

RNG = np.random.default_rng(3)
X = RNG.uniform(-1.5, 1.5, 12)
SUBSCRIPTS = re.compile(r"= x\[:-1\]$", re.M)


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def keyed_by_a_name(x, k):
    return np.sum(x[k:] ** 2 * x[k:])


def other_keys(x):
    return np.sum(x[1:] * x[:-1]) + np.sum(x[::2] * x[1::2]) + np.sum(x[:-1:2])


def through_a_write(x):
    y = x * 2.0
    a = y[:-1] * 1.0
    y[0] = 5.0
    return np.sum(a * y[:-1])


def two_roots(x):
    return np.sum(np.sqrt(x[:-1]) + np.sqrt(x[:-1] + 1.0))  # MARK: roots


def _same_without_the_pass(monkeypatch, f, *args):
    want, plain = gradient_without(monkeypatch, s2s.reverse.entry, "share_repeated_views", f,
                                   0, args)  # fmt: skip
    s2s.api.clear_cache(f)
    got = s2s.grad(f)(*args)
    assert np.array_equal(got, want) and got.dtype == want.dtype
    return plain


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_repeated_slice_is_taken_once(monkeypatch, dtype):
    x = X.astype(dtype)
    plain = _same_without_the_pass(monkeypatch, rosenbrock, x)
    assert len(SUBSCRIPTS.findall(plain)) == 2
    d = s2s.grad(rosenbrock)
    d(x)
    assert len(SUBSCRIPTS.findall(d.source)) == 1
    assert re.search(r"getitem_\d+ = getitem_\d+$", d.source, re.M)
    check(rosenbrock, X)


def test_other_keys_and_keys_read_from_names_are_not_shared(monkeypatch):
    d = s2s.grad(other_keys)
    d(X)
    for key in (r"1:", r":-1", r"::2", r"1::2", r":-1:2"):
        assert len(re.findall(rf"= x\[{re.escape(key)}\]$", d.source, re.M)) == 1, key
    _same_without_the_pass(monkeypatch, other_keys, X)
    check(other_keys, X)
    d = s2s.grad(keyed_by_a_name)
    d(X, 2)
    assert not re.search(r"getitem_\d+ = getitem_\d+$", d.source, re.M)
    check(keyed_by_a_name, X, 2)


def test_a_write_into_the_array_between_the_views_ends_the_sharing(monkeypatch):
    d = s2s.grad(through_a_write)
    d(X)
    assert not re.search(r"getitem_\d+ = getitem_\d+$", d.source, re.M)
    check(through_a_write, X)


def test_the_non_finite_search_still_names_the_operation_on_a_shared_view():
    x = np.array([0.0, 1.0, 2.0])
    d = s2s.grad(two_roots)
    d(np.ones(3))
    assert re.search(r"getitem_\d+ = getitem_\d+$", d.source, re.M)
    with warnings.catch_warnings(record=True) as seen, np.errstate(divide="ignore"):
        warnings.simplefilter("always")
        d(x)
    assert [w.category for w in seen] == [s2s.NonFiniteGradientWarning]
    assert "inf first appears in the derivative of np.sqrt" in str(seen[0].message)
    assert f"test_views.py:{line_of(two_roots, 'MARK: roots')}" in str(seen[0].message)


def _shared(text):
    body = gast.parse(text).body
    share_repeated_views([Block(None, body)], set(), set())
    return [to_source(s, False).strip() for s in body]


@pytest.mark.parametrize("use", ["a.append(1.0)", "b.append(1.0)", "a.shape = (3,)",
                                 "c = helper(b)", "c = _np.negative(a, out=a)", "d = [a]"])
def test_a_value_changed_or_kept_through_either_name_is_not_shared(use):
    """A list's slice is a copy; an array's view has its own shape: shared by two names, a
    change through one would show under the other."""
    lines = _shared(f"a = x[:-1]\nb = x[:-1]\n{use}")
    assert lines[1] == "b = x[:-1]"


def test_values_read_as_operands_are_shared():
    lines = _shared("a = x[:-1]\nb = x[:-1]\nc = a * b + _np.sin(b)[0]\nd = _s2s.like(b)")
    assert lines[1] == "b = a"
