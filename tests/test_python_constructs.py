"""Python constructs with an obvious meaning (issue 11, item 3), each against central differences
in reverse mode (``value_and_grad``) and forward mode (``jvp``); the constructs still refused
raise a located error naming the real cause.
"""

import math

import numpy as np
import pytest
from gradcheck import along, check_against_differences
from located import assert_located

import s2s

X = np.array([0.3, 0.5, 0.7])
V = np.array([1.0, -2.0, 0.5])
SCALE = 1.5


def math_functions(x):
    t = np.sum(x * x)
    u = math.exp(-t) + math.log(t) * math.sqrt(t) + math.tanh(t)
    return u + math.sin(t) * math.cos(t) + math.pow(t, 1.5) + math.hypot(t, 2.0)


def float_casts(x):
    t = x.sum()
    return np.float64(t) * float(t) + float(np.sum(x**2))


def global_read(x):
    global SCALE
    return np.sum(np.sin(x) * SCALE)


def global_read_in_loop(x):
    s = 0.0
    for i in range(2):
        global SCALE
        s = s + np.sum(x * SCALE * i)
    return s


def walrus_in_if(x):
    if (n := np.sum(x)) > 0:
        return n * np.sum(np.sin(x))
    return n


def walrus_in_comprehension(x):
    kept = [y for v in x if (y := np.sin(v)) > 0.3]
    return sum(kept) + y * 2.0


def walrus_in_while(x):
    s, k = 0.0, 0
    while (t := np.sum(x * x) * k) < 2.0:
        s = s + t * np.sum(x)
        k = k + 1
    return s


CONSTRUCTS = [
    math_functions, float_casts, global_read, global_read_in_loop, walrus_in_if,
    walrus_in_comprehension, walrus_in_while,
]  # fmt: skip


@pytest.mark.parametrize("f", CONSTRUCTS, ids=lambda f: f.__name__)
def test_reverse_mode_against_differences(f):
    check_against_differences(f, X)


@pytest.mark.parametrize("f", CONSTRUCTS, ids=lambda f: f.__name__)
def test_forward_mode_against_differences(f):
    value, tangent = s2s.jvp(f)(X, V)
    assert value == pytest.approx(f(X), rel=1e-12)
    assert tangent == pytest.approx(along(f, X, V), rel=1e-6)


def test_global_is_read_live():
    global SCALE
    g = s2s.grad(global_read)
    first = g(X)
    SCALE = 3.0
    try:
        np.testing.assert_allclose(g(X), first * 2.0, rtol=1e-12)
    finally:
        SCALE = 1.5


COUNTER = 0


def global_write(x):
    global COUNTER  # WRITE
    COUNTER = COUNTER + 1
    return np.sum(x)


def test_global_write_is_refused_naming_the_write():
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(global_write)(X)
    assert_located(info.value, global_write, "# WRITE", "assigning the global `COUNTER`")


def walrus_maybe_unevaluated(x):
    if np.sum(x) > 5.0 and (s := np.sum(x * x)) > 0:  # MARK
        return s * 2.0
    return np.sum(x)


def starred(x):
    a, *rest = (x[0], x[1], x[2])  # MARK
    return a * rest[0]


def local_dict(x):
    d = {"a": np.sin(x)}  # MARK
    return np.sum(d["a"])


def list_rebound(x):
    ys = []
    for i in range(3):
        ys.append(x[i] * 2.0)
    ys = np.array(ys)  # MARK
    return ys.sum()


@pytest.mark.parametrize(
    "f, error, words",
    [
        (walrus_maybe_unevaluated, s2s.UnsupportedSyntaxError, "`:=` in an operand of `and`"),
        (starred, s2s.UnsupportedSyntaxError, "`*` unpacking"),
        (local_dict, s2s.NoRuleError, "a dict is not differentiated"),
        (list_rebound, s2s.UnsupportedSyntaxError, "binding the list name `ys` again"),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_still_refused_names_the_cause(f, error, words):
    for derivative in (s2s.grad(f), lambda x: s2s.jvp(f)(x, V)):
        with pytest.raises(error) as info:
            derivative(X)
        assert_located(info.value, f, "# MARK", words)


def star_args(*xs):
    return np.sum(xs[0])


def test_star_args_wrt_names_the_star_parameter():
    with pytest.raises(s2s.WrtError) as info:
        s2s.grad(star_args)(X)
    assert "`*xs`" in str(info.value) and "*args parameter" in str(info.value)
    assert "out of range" not in str(info.value)
