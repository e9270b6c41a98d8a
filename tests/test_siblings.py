"""The user's own helpers' derivatives shown in ``.source`` as sibling functions (s2s/siblings.py).

Each case checks the text (the helper's derivative follows the caller's factory, once, with the
helper's own ``# line N`` comments) and that the gradient is unchanged: central differences.
"""

import inspect

import numpy as np
from gradcheck import along
from gradcheck import check_against_differences as check
from tests_helpers_module import scaled_tanh

import s2s
import s2s.api


def softplus(z):
    return np.log1p(np.exp(z))


def uses_twice(w, x):
    h = softplus(x @ w)
    return np.sum(h * softplus(2.0 * h)) + np.sum(scaled_tanh(w, 3.0))


def countdown(x, n):
    if n == 0:
        return np.sum(x * x)
    return countdown(np.sin(x), n - 1)


def with_closure(w):
    a = 1.5

    def inner(z):
        return np.tanh(a * z)

    return np.sum(inner(w) * inner(w + 1.0))


class Layer:
    def __init__(self, k):
        self.k = k

    def forward(self, x):
        return np.sin(self.k * x)


LAYER = Layer(2.0)


def through_method(w):
    return np.sum(LAYER.forward(w) ** 2)


def line_of(function, text):
    lines, first = inspect.getsourcelines(function)
    return first + next(i for i, line in enumerate(lines) if text in line)


def siblings(source):
    return [line for line in source.splitlines() if line.startswith("# sibling:")]


def test_a_helper_called_twice_and_one_of_another_module_show_once_each():
    s2s.api.clear_cache(uses_twice)
    w, x = np.linspace(0.1, 0.9, 3), np.linspace(-1, 1, 12).reshape(4, 3)
    check(uses_twice, w, x, wrt=0)
    d = s2s.grad(uses_twice)
    d(w, x)
    source = d.source
    heads = siblings(source)
    assert len(heads) == 2, heads
    assert "the VJP of softplus" in heads[0] and "as generated for its latest call" in heads[0]
    # a module-level helper is bound once in the factory and called by name
    assert "    d_softplus = _s2s.subderivative(softplus, ('z',))\n" in source
    assert "h, pullback_1 = d_softplus(matmul_1)" in source
    assert "(softplus, ('z',))(" not in source
    assert "the VJP of scaled_tanh" in heads[1] and "tests_helpers_module.py" in heads[1]
    # the caller's factory comes first, as it runs (its line numbers are the tracebacks')
    factory = d._latest.compiled.source
    assert source.startswith(factory)
    assert "\ndef d_softplus(z):\n" in source and "\ndef d_scaled_tanh(x, scale):\n" in source
    body = source[source.index("def d_softplus") :]
    assert f"# line {line_of(softplus, 'return np.log1p')}: return np.log1p(np.exp(z))" in body
    assert "    def pullback(cotangent):" in body
    assert d.source == source  # deterministic


def test_a_recursive_helper_is_shown_once():
    x = np.linspace(0.2, 0.8, 3)
    check(countdown, x, 3, wrt=0)
    d = s2s.grad(countdown)
    d(x, 3)
    heads = siblings(d.source)
    assert len(heads) == 1 and "the VJP of countdown" in heads[0]
    assert d.source.count("\ndef d_countdown(x, n):\n") == 1
    # emitted once, called by name at each depth (the name is not the emitted function's)
    assert "    d_countdown_2 = _s2s.subderivative(countdown, ('x',))\n" in d.source
    assert "result, pullback_1 = d_countdown_2(sin_1, subtract_1)" in d.source
    j = s2s.jvp(countdown, wrt=0)
    v = np.array([1.0, 0.5, -2.0])
    _, tangent = j(x, 3, v)
    expected = along(lambda x_: countdown(x_, 3), x, v)
    np.testing.assert_allclose(tangent, expected, rtol=1e-6)
    assert "    jvp_countdown_2 = _s2s.jvp_of(countdown, ('x',))\n" in j.source


def test_a_nested_def_and_a_method_of_the_users_class():
    w = np.linspace(-0.5, 0.5, 4)
    check(with_closure, w)
    d = s2s.grad(with_closure)
    d(w)
    heads = siblings(d.source)
    assert len(heads) == 1 and "the VJP of inner" in heads[0]
    assert "\ndef d_inner(z, *, a):\n" in d.source
    check(through_method, w)
    d = s2s.grad(through_method)
    d(w)
    heads = siblings(d.source)
    assert len(heads) == 1 and "the VJP of Layer.forward" in heads[0]
    assert "\ndef d_forward(self, x):\n" in d.source


def test_forward_mode_shows_the_helpers_jvp():
    w, x = np.linspace(0.1, 0.9, 3), np.linspace(-1, 1, 12).reshape(4, 3)
    j = s2s.jvp(uses_twice, wrt=0)
    v = np.array([1.0, -2.0, 0.5])
    value, tangent = j(w, x, v)
    expected = along(lambda w_: uses_twice(w_, x), w, v)
    np.testing.assert_allclose(tangent, expected, rtol=1e-6)
    heads = siblings(j.source)
    assert any("the JVP of softplus" in s for s in heads)
    assert "\ndef jvp_softplus(z_dot, z):\n" in j.source


def test_grad_of_grad_shows_the_inner_derivative_and_its_helpers():
    def inner_loss(w):
        return np.sum(softplus(w) * w)

    def outer(w):
        return np.sum(s2s.grad(inner_loss)(w) ** 2)

    w = np.linspace(0.1, 0.9, 3)
    check(outer, w, rtol=1e-5)
    d = s2s.grad(outer)
    d(w)
    heads = siblings(d.source)
    assert "the VJP of the grad of" in heads[0]
    assert any("the VJP of softplus" in s for s in heads[1:])


def only_in_a_branch(z):
    return np.cos(z)


def test_a_helper_not_called_yet_is_named():
    def never(w, flag):
        if flag:
            return np.sum(only_in_a_branch(w))
        return np.sum(w)

    d = s2s.grad(never)
    d(np.ones(2), False)
    heads = siblings(d.source)
    assert len(heads) == 1 and "the VJP of only_in_a_branch" in heads[0]
    assert "not generated yet (it is specialized at its first call)" in heads[0]
    d(np.ones(2), True)
    assert "\ndef d_only_in_a_branch(z):\n" in d.source


def cube(z):
    return z**3


def square(z):
    return z * z


swapped = square


def calls_swapped(w):
    return np.sum(swapped(w))


def test_a_rebound_helper_regenerates_the_factorys_binding():
    global swapped
    w = np.array([0.5, -1.0, 2.0])
    d = s2s.grad(calls_swapped)
    np.testing.assert_allclose(d(w), 2 * w)
    assert "    d_square = _s2s.subderivative(square, ('z',))\n" not in d.source  # named swapped
    assert "    d_square = _s2s.subderivative(swapped, ('z',))\n" in d.source
    try:
        swapped = cube
        np.testing.assert_allclose(d(w), 3 * w**2)  # the cached path re-reads the target
        assert "    d_cube = _s2s.subderivative(swapped, ('z',))\n" in d.source
        check(calls_swapped, w)
    finally:
        swapped = square


def test_forward_mode_binds_the_helpers_jvp_in_the_factory():
    j = s2s.jvp(uses_twice, wrt=0)
    w, x = np.linspace(0.1, 0.9, 3), np.linspace(-1, 1, 12).reshape(4, 3)
    j(w, x, np.ones(3))
    source = j.source
    assert "    jvp_softplus = _s2s.jvp_of(softplus, ('z',))\n" in source
    assert source.count("jvp_softplus(") == 3  # two calls, and the sibling def below
    assert "_s2s.jvp_of(softplus, ('z',))(" not in source


def test_a_method_of_a_global_object_is_bound_in_the_factory_and_follows_a_rebinding():
    global LAYER
    w = np.linspace(-0.5, 0.5, 4)
    d = s2s.grad(through_method)
    np.testing.assert_allclose(d(w), 2 * np.sin(2.0 * w) * np.cos(2.0 * w) * 2.0)
    assert "    d_forward = _s2s.subderivative(LAYER.forward, ('x',))\n" in d.source
    assert "forward_1, pullback_1 = d_forward(w)" in d.source
    assert "_s2s.subderivative(LAYER.forward, ('x',))(" not in d.source
    j = s2s.jvp(through_method)
    j(w, np.ones(4))
    assert "    jvp_forward = _s2s.jvp_of(LAYER.forward, ('x',))\n" in j.source
    kept = LAYER
    try:
        LAYER = Layer(3.0)  # another object: the call target changed, the binding is redone
        np.testing.assert_allclose(d(w), 2 * np.sin(3.0 * w) * np.cos(3.0 * w) * 3.0)
        check(through_method, w)
    finally:
        LAYER = kept


def _scaled_sine(k):
    def scaled(z):
        return np.sin(k * z)

    def set_k(value):
        nonlocal k
        k = value

    return scaled, set_k


TWICE, _ = _scaled_sine(2.0)
THRICE, SET_THRICE = _scaled_sine(3.0)


def through_global_closures(w):
    return np.sum(TWICE(w)) + np.sum(THRICE(w))


def test_closures_named_by_globals_are_bound_each_with_its_own_cells():
    w = np.linspace(-1.0, 1.0, 3)
    d = s2s.grad(through_global_closures)
    np.testing.assert_allclose(d(w), 2 * np.cos(2 * w) + 3 * np.cos(3 * w))
    assert "    d_scaled = _s2s.subderivative(TWICE, ('z',))\n" in d.source
    assert "    d_scaled_2 = _s2s.subderivative(THRICE, ('z',))\n" in d.source
    try:
        SET_THRICE(4.0)  # the cell changes after the derivative was made: read at the call
        np.testing.assert_allclose(d(w), 2 * np.cos(2 * w) + 4 * np.cos(4 * w))
        check(through_global_closures, w)
    finally:
        SET_THRICE(3.0)


def defined_twice(w):
    def inner(z):
        return np.sin(z) * 2.0

    y = inner(w)

    def inner(z):  # noqa: F811 (a second def of the name: its own binding)
        return np.cos(z) * 3.0

    return np.sum(y * inner(w))


def test_a_nested_defs_sub_derivative_is_bound_right_after_the_def():
    w = np.linspace(-0.5, 0.5, 4)
    d = s2s.grad(with_closure)
    d(w)
    source = d.source.split("# sibling")[0]
    def_line = "        def inner(z, *, a):\n            return np.tanh(a * z)\n"
    assert def_line + "        d_inner = _s2s.subderivative(inner, ('z',))\n" in source
    assert "inner_1, pullback_1 = d_inner(w, a=a)" in source
    assert "_s2s.subderivative(inner, ('z',))(" not in source
    j = s2s.jvp(with_closure)
    j(w, np.ones(4))
    assert "        jvp_inner = _s2s.jvp_of(inner, ('z',))\n" in j.source
    assert "inner_1, inner_1_dot = jvp_inner(w_dot, w, a=a)" in j.source
    check(defined_twice, w)  # each call reaches the def before it
    d = s2s.grad(defined_twice)
    d(w)
    assert d.source.count("= _s2s.subderivative(inner") == 2
