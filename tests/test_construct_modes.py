"""Every construct of README's "What you can differentiate", in the three reverse modes.

For each function, ``grad``, ``value_and_grad`` and the ``vjp`` pulled back with a unit cotangent
must give the same gradients (``grad`` drops primal code nobody reads, so its generated code
differs), the value must be the plain call's, and the gradient must agree with a
Richardson-extrapolated central difference along a random direction. ``for``/``else`` and
``while``/``else`` loops whose body is only ``if ...: break`` once made ``grad`` emit an empty
block (``IndentationError``) while ``value_and_grad`` worked.
"""

from __future__ import annotations

import numpy as np
import pytest
from gradcheck import assert_like, directional_difference, ones_like, random_like

import s2s

RNG = np.random.default_rng(16)


# -- branches, returns, conditional expressions ---------------------------------------------------


def if_elif_else(x, s):
    if s > 1.0:
        y = x * s
    elif s > 0.0:
        y = np.sin(x) * s
    else:
        y = np.exp(x)
    return np.sum(y * y)


def conditional_expression(x, s):
    y = x * s if s > 0.0 else x - s
    return np.sum(y**2)


def and_or(x, s):
    if s > 0.0 and x[0] > -5.0 or s < -10.0:
        return np.sum(np.tanh(x) * s)
    return np.sum(x)


def early_return_in_loop(x):
    total = 0.0
    for i in range(4):
        total = total + x[i] * x[i]
        if total > 100.0:
            return total
    return total * 2.0


# -- loops ----------------------------------------------------------------------------------------


def loops_over_range_array_enumerate_zip(x, w):
    total = 0.0
    for i in range(2):
        for row in x:
            total = total + np.sum(row * w) * (i + 1)
    for i, row in enumerate(x):
        total = total + np.sum(np.sin(row)) * i
    for a, b in zip(x, w):
        total = total + np.sum(a * b)
    return total


def while_loop(x):
    y = x * 1.0
    n = 0
    while n < 3:
        y = np.sin(y) + x
        n = n + 1
    return np.sum(y)


def break_and_continue(x):
    total = 0.0
    for i in range(5):
        if i == 1:
            continue
        if i == 4:
            break
        total = total + np.sum(x * i) ** 2
    return total


def for_else_only_break(x):
    s = x * 1.0
    for _ in range(3):
        if s[0] > 10.0:
            break
    else:
        s = s + 1.0  # grad never needs this value: dead code, which emptied the block
    return np.sum(s)


def for_else_only_break_value_read(x):
    s = x * 1.0
    for _ in range(3):
        if s[0] > 10.0:
            break
    else:
        s = s + 1.0
    return np.sum(s * x)


def for_else_break_taken(x):
    s = x * 1.0
    for _ in range(3):
        if s[0] > -10.0:
            break
    else:
        s = s + 1.0
    return np.sum(s * x)


def while_else_only_break(x):
    s = x * 2.0
    n = 0
    while n < 3:
        n = n + 1
        if s[0] > 10.0:
            break
    else:
        s = s * 3.0
    return np.sum(s)


def for_else_with_body(x):
    s = x * 1.0
    for _ in range(3):
        if s[0] > 10.0:
            break
        s = s * 2.0
    else:
        s = s + 1.0
    return np.sum(s)


# -- calls ----------------------------------------------------------------------------------------


def helper(a, b):
    return np.tanh(a) * b


def factorial_like(x, n):
    if n == 0:
        return x
    return factorial_like(x * x, n - 1) * 0.5


def calls_nested_def_and_recursion(x, w):
    scale = w * 2.0

    def inner(v):
        return v * scale

    return np.sum(helper(inner(x), w)) + np.sum(factorial_like(x, 2))


def cell(h, c, x):
    c = np.tanh(c + x * h)
    return h * c, c


def helper_returning_several(x):
    h, c = x * 1.0, x * 0.5
    for _ in range(3):
        h, c = cell(h, c, x)
    r = cell(h, c, x)
    a, b = r
    return np.sum(a * b)


# -- writes into arrays ---------------------------------------------------------------------------


def array_writes(x):
    out = np.zeros(4)
    b = out
    for i in range(4):
        out[i] = np.sin(x[i]) * 2.0
    out[1:3] += x[1:3] ** 2
    b[0] = out[3] * x[0]
    return np.sum(out * out)


# -- lists, tuples, literals, builtins ------------------------------------------------------------


def lists_and_tuples(x):
    xs = []
    for i in range(3):
        xs.append(x * (i + 1.0))
    pair = [x, np.cos(x)]
    squares = [v * v for v in x]
    t = (x, x * 2.0, x * 3.0)
    stacked = np.stack(xs)
    total = np.sum(stacked) + np.sum(pair[1]) + sum(squares)
    total = total + np.sum(t[1]) + np.sum(t[-1]) + np.sum(np.stack(t[1:]))
    for item in t:
        total = total + np.sum(item * item)
    a, b, c = t
    return total + np.sum(helper(a, c))


def nested_literals(x):
    m = np.array([[x[0], x[1]], [x[2], x[0] * x[1]]])
    ys = []
    ys.append([x[0], x[2]])
    rows = [[v, 2.0 * v] for v in x]
    return np.sum(m @ m) + np.sum(np.array(ys) ** 2) + np.sum(np.array(rows) ** 3)


def builtin_sum_max_min(x):
    t = (x[0], x[1] * 2.0, x[2])
    return sum(t) + max(x[0], x[1], x[2] * 3.0) + min(t) * 2.0


# -- operators, ufuncs, reductions, shapes, indexing ---------------------------------------------


def operators(x, w, b):
    y = -(x @ w) / 3.0 + b**2 - x.sum() * 0.5
    return np.sum(y * y) ** 0.5


def ufuncs_where_clip(x):
    y = np.exp(x) + np.log(np.abs(x) + 1.0) + np.tanh(x) + np.maximum(x, 0.1)
    y = np.where(x > 0.0, y, y * y)
    return np.sum(np.clip(y, -3.0, 3.0))


def reductions(x):
    return np.sum(np.mean(x, axis=0) ** 2) + np.sum(np.max(x, axis=1, keepdims=True) * x)


def shapes_and_indexing(x, labels):
    y = x.T.reshape(6, 2)
    d = np.diff(y, axis=0)
    picked = x[np.arange(3), labels]
    return np.sum(d**2) + np.sum(y[1:] * y[:-1]) + np.sum(picked**3)


def linear_algebra(a, b):
    spd = a @ a.T + 3.0 * np.eye(3)
    sign, logdet = np.linalg.slogdet(spd)
    w, v = np.linalg.eigh(spd)
    q, r = np.linalg.qr(a)
    total = np.sum(np.linalg.inv(spd)) + np.sum(np.linalg.solve(spd, b)) + np.linalg.det(spd)
    total = total + logdet + np.linalg.norm(a) + np.sum(w) + np.sum(np.linalg.eigvalsh(spd))
    total = total + np.sum(np.linalg.svd(a)[1]) + np.sum(r * r) + np.sum(np.linalg.cholesky(spd))
    total = total + np.sum(np.dot(a, b)) + np.einsum("ij,ij->", a, a)
    total = total + np.sum(np.linalg.eigh(spd)[0])
    return total + np.sum(np.tensordot(a, a, axes=1))


def cuts(x):
    z = x * 2.0
    m = s2s.stop_gradient(np.max(z))  # log-sum-exp does not depend on the shift: exact
    return m + np.log(np.sum(np.exp(z - m))) + np.sum(s2s.zero_grad(x - x) * x)


def tuple_output(x):
    return x * 2.0, np.sin(x)


def x3():
    return RNG.normal(size=3)


CASES = [
    (if_elif_else, lambda: (x3(), 1.5), (0, 1)),
    (if_elif_else, lambda: (x3(), 0.5), (0, 1)),
    (if_elif_else, lambda: (x3(), -1.0), (0, 1)),
    (conditional_expression, lambda: (x3(), 0.7), (0, 1)),
    (conditional_expression, lambda: (x3(), -0.7), (0, 1)),
    (and_or, lambda: (x3(), 0.5), (0, 1)),
    (and_or, lambda: (x3(), -0.5), (0, 1)),
    (early_return_in_loop, lambda: (RNG.normal(size=4),), (0,)),
    (early_return_in_loop, lambda: (np.array([5.0, 9.0, 1.0, 2.0]),), (0,)),
    (loops_over_range_array_enumerate_zip, lambda: (RNG.normal(size=(3, 2)), x3()[:2]), (0, 1)),
    (while_loop, lambda: (x3(),), (0,)),
    (break_and_continue, lambda: (x3(),), (0,)),
    (for_else_only_break, lambda: (x3(),), (0,)),
    (for_else_only_break_value_read, lambda: (x3(),), (0,)),
    (for_else_break_taken, lambda: (x3(),), (0,)),
    (while_else_only_break, lambda: (x3(),), (0,)),
    (for_else_with_body, lambda: (x3(),), (0,)),
    (calls_nested_def_and_recursion, lambda: (x3(), x3()), (0, 1)),
    (helper_returning_several, lambda: (x3(),), (0,)),
    (array_writes, lambda: (RNG.normal(size=4),), (0,)),
    (lists_and_tuples, lambda: (x3(),), (0,)),
    (nested_literals, lambda: (x3(),), (0,)),
    (builtin_sum_max_min, lambda: (np.array([1.0, 0.3, -2.0]),), (0,)),
    (operators, lambda: (RNG.normal(size=(3, 4)), RNG.normal(size=(4, 2)), x3()[:2]), (0, 1, 2)),
    (ufuncs_where_clip, lambda: (RNG.uniform(0.2, 0.9, 4) * np.array([1, -1, 1, -1]),), (0,)),
    (reductions, lambda: (RNG.permutation(12).reshape(3, 4) / 4.0,), (0,)),
    (shapes_and_indexing, lambda: (RNG.normal(size=(3, 4)), np.array([0, 3, 1])), (0,)),
    (linear_algebra, lambda: (RNG.normal(size=(3, 3)), x3()), (0, 1)),
    (cuts, lambda: (x3(),), (0,)),
]


def _id(case) -> str:
    return case[0].__name__


def _agree(got, expected, what: str) -> None:
    for i, (g, e) in enumerate(zip(got, expected, strict=True)):
        np.testing.assert_allclose(g, e, rtol=1e-13, atol=1e-15, err_msg=f"{what}, argument {i}")


@pytest.mark.parametrize("f, make, wrt", CASES, ids=[_id(c) for c in CASES])
def test_grad_value_and_grad_and_vjp_agree_with_differences(f, make, wrt):
    args = make()
    expected_value = f(*args)
    grads = s2s.grad(f, wrt=wrt)(*args)
    value, vg_grads = s2s.value_and_grad(f, wrt=wrt)(*args)
    vjp_value, pullback = s2s.vjp(f, wrt=wrt)(*args)
    pulled = pullback(ones_like(vjp_value))
    assert value == expected_value and vjp_value == expected_value
    for i, g in zip(wrt, grads, strict=True):
        assert_like(g, args[i], f"grad of argument {i}")
    _agree(vg_grads, grads, "value_and_grad against grad")
    _agree(pulled, grads, "vjp against grad")
    dirs = [random_like(RNG, args[i]) for i in wrt]
    fd = float(directional_difference(f, args, wrt, dirs, 1e-3))
    ad = sum(float(np.sum(g * v)) for g, v in zip(grads, dirs))
    scale = sum(float(np.sum(np.abs(g * v))) for g, v in zip(grads, dirs))
    assert abs(ad - fd) <= 1e-8 * (scale + abs(fd)), (ad, fd)


def test_a_tuple_output_pulls_back_one_cotangent_per_output():
    x = x3()
    value, pullback = s2s.vjp(tuple_output)(x)
    ct = (RNG.normal(size=3), RNG.normal(size=3))
    got = pullback(ct)
    np.testing.assert_allclose(got, 2.0 * ct[0] + np.cos(x) * ct[1], rtol=1e-14)
    only_first = pullback((ct[0], None))
    np.testing.assert_allclose(only_first, 2.0 * ct[0], rtol=1e-14)
