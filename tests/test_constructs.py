"""End-to-end gradients of the straight-line constructs of issue 2, against central differences."""

import numpy
import numpy as np
import numpy as xp
import pytest
from gradcheck import check_against_differences as check
from numpy import sin as np_sin

import s2s

RNG = np.random.default_rng(20261130)


# -- arguments ------------------------------------------------------------------------------


def with_defaults(x, scale=2.0, *, shift=0.5, power=3.0):
    return np.sum((x * scale + shift) ** power)


def test_keyword_and_keyword_only_arguments_with_defaults():
    x = RNG.uniform(0.5, 1.5, size=4)
    check(with_defaults, x)
    g = s2s.grad(with_defaults, wrt=("x", "shift"))
    dx, dshift = g(x, shift=0.25)
    np.testing.assert_allclose(dshift, np.sum(3.0 * (2 * x + 0.25) ** 2), rtol=1e-12)
    assert isinstance(dshift, np.float64)
    dx2 = s2s.grad(with_defaults)(x, scale=3.0, power=2.0)
    np.testing.assert_allclose(dx2, 2 * (3 * x + 0.5) * 3, rtol=1e-12)


# -- assignment and unpacking --------------------------------------------------------------


def unpacking(x):
    a, b = x * 2.0, x + 1.0
    n, m = x.shape
    c = a
    c = c * b
    return np.sum(c) / (n * m)


def test_assignment_tuple_unpacking_and_rebinding():
    check(unpacking, RNG.normal(size=(2, 3)))


# -- operators -----------------------------------------------------------------------------


def operators(x, w, b):
    y = -(x @ w) / 3.0 + b**2 - x.sum() * 0.5
    return np.sum(y * y) ** 0.5


def test_operators_with_broadcasting():
    x, w, b = RNG.normal(size=(3, 4)), RNG.normal(size=(4, 2)), RNG.normal(size=(2,))
    check(operators, x, w, b, wrt=(0, 1, 2))


def augmented(x, s):
    y = x * 2.0
    y += x
    y *= s
    y -= 1.0
    y /= 2.0
    t = 1.0
    t += s
    t *= s
    return np.sum(y) * t


def test_augmented_assignment_on_fresh_arrays_and_scalars():
    check(augmented, RNG.normal(size=(3,)), 0.7, wrt=(0, 1))


def augmented_float32(x):
    y = x * np.float32(2.0)
    y += 1.0
    return np.sum(y * y)


def test_augmented_assignment_keeps_the_array_dtype():
    x = RNG.normal(size=(3,)).astype(np.float32)
    g = s2s.grad(augmented_float32)(x)
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, 2 * (2 * x + 1) * 2, rtol=1e-6)


# -- spellings of numpy calls --------------------------------------------------------------


def spellings(x):
    return np.sum(np.sin(x) + numpy.sin(x) + np_sin(x) + xp.sin(x))


def test_every_spelling_of_a_numpy_function():
    x = RNG.normal(size=(4,))
    g = check(spellings, x)[0]
    np.testing.assert_allclose(g, 4 * np.cos(x), rtol=1e-12)
    assert "_np.sin(x)" in s2s.grad(spellings).source


def keywords(x):
    return np.sum(np.mean(x, axis=0, keepdims=True) * x, axis=None)


def test_keyword_arguments():
    check(keywords, RNG.normal(size=(3, 2)))


# -- methods and attributes ----------------------------------------------------------------


def methods(x, y):
    z = x.T.dot(y).reshape(-1)
    m = x.mean() + x.sum(axis=0).max() + y.reshape(2, 3).T.sum()
    n = x.shape[0]
    return z.sum() * m / n + x.astype(np.float64).std()


def test_method_and_attribute_forms():
    x, y = RNG.normal(size=(3, 2)), RNG.normal(size=(3, 2))
    check(methods, x, y, wrt=(0, 1))


def float32_cast(x):
    return np.sum(x.astype(np.float32) * 2.0).astype(np.float64)


def test_astype_casts_back_to_the_argument_dtype():
    x = RNG.normal(size=3)
    g = s2s.grad(float32_cast)(x)
    assert g.dtype == np.float64
    np.testing.assert_allclose(g, 2.0 * np.ones(3))


# -- comparisons and boolean operators -----------------------------------------------------


def selections(x, y):
    inside = (x > -0.5) & (x < 0.5) | ~(y == 5.0)
    keep = np.logical_and(inside, np.logical_not(x > 1.2))
    return np.sum(np.where(keep, x * y, x + y))


def test_comparisons_and_boolean_operators_select_without_gradient():
    x, y = RNG.normal(size=5), RNG.normal(size=5)
    check(selections, x, y, wrt=(0, 1))


# -- conversions and copies ----------------------------------------------------------------


def conversions(x):
    s = float(np.sum(x * x))
    a = np.asarray(x)
    b = np.array(x)
    c = x.copy() + np.copy(x)
    return s * np.sum(a * b * c)


def test_float_asarray_array_and_copies():
    check(conversions, RNG.normal(size=4))


def stacked(a, b):
    s = np.stack([a, b * 2.0], axis=0)
    c = np.concatenate((a, b), axis=0)
    return np.sum(s * s) + np.sum(c**3)


def test_list_and_tuple_literals_as_arguments():
    check(stacked, RNG.normal(size=3), RNG.normal(size=3), wrt=(0, 1))


# -- reading subscripts --------------------------------------------------------------------


def subscripts(x, idx, mask):
    a = x[1] + x[-1, ::-1] + x[::2, 1:3].sum()
    b = x[None, 0, ...] * x[..., np.newaxis][0, :, 0]
    c = x[idx].sum() + x[mask].sum() + x[:, idx].sum()
    return np.sum(a) + np.sum(b) + c


def test_every_kind_of_subscript():
    x = RNG.normal(size=(4, 5))
    idx = np.array([0, 2, 2, 1, 0])  # repeats accumulate
    mask = x > 0
    check(subscripts, x, idx, mask)


def cross_entropy(logits, labels):
    n = logits.shape[0]
    logp = logits - np.log(np.sum(np.exp(logits), axis=1, keepdims=True))
    return -np.mean(logp[np.arange(n), labels])


def test_negative_log_likelihood_indexing():
    logits = RNG.normal(size=(6, 3))
    labels = np.array([0, 2, 1, 1, 0, 2])
    g = check(cross_entropy, logits, labels)[0]
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    p[np.arange(6), labels] -= 1.0
    np.testing.assert_allclose(g, p / 6, rtol=1e-10)


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_subscript_scatter_keeps_dtype(dtype):
    x = RNG.normal(size=(4, 5)).astype(dtype)
    idx = np.array([0, 2, 2, 1, 0])
    g = s2s.grad(subscripts)(x, idx, x > 0)
    assert g.dtype == dtype
    g64 = s2s.grad(subscripts)(x.astype(np.float64), idx, x > 0)
    np.testing.assert_allclose(g.astype(np.float64), g64, rtol=1e-2, atol=1e-2)


def nested_literal(x):
    m = np.array([[x[0], x[1]], [x[2], x[0] * x[1]]])
    return np.sum(m @ m)


def test_a_nested_list_literal_sends_each_entry_its_cotangent():
    x = np.array([0.3, 0.7, 1.1])
    check(nested_literal, x)
    a, b, c = x  # M = [[a, b], [c, ab]]: sum(M @ M) = a^2 + 2bc + ab + ab^2 + ac + abc + a^2 b^2
    expected = [2 * a + b + b * b + c + b * c + 2 * a * b * b,
                a + 2 * c + 2 * a * b + a * c + 2 * a * a * b,
                2 * b + a + a * b]  # fmt: skip
    np.testing.assert_allclose(s2s.grad(nested_literal)(x), expected, rtol=1e-12)


def many_way_extremes(x):
    return max(x[0], x[1] * 2.0, x[2]) * min(x[2], x[0], x[1], 0.9)


def test_builtin_max_and_min_of_several_values_pick_like_python():
    x = np.array([0.3, 0.7, 1.1])
    check(many_way_extremes, x)
    # max picks 2*x1 = 1.4, min picks x0 = 0.3: d/dx = [1.4, 2*0.3, 0]
    np.testing.assert_allclose(s2s.grad(many_way_extremes)(x), [1.4, 0.6, 0.0], rtol=1e-12)
    # max(a, b, c) is max(max(a, b), c), each two-way tie split 0.5/0.5: a three-way tie
    # gives 1/4, 1/4, 1/2; here M = 0.5 (tied three ways) and m = x1 = 0.25
    tied = np.array([0.5, 0.25, 0.5])
    expected = [0.25 * 0.25, 0.5 + 2 * 0.25 * 0.25, 0.5 * 0.25]
    np.testing.assert_allclose(s2s.grad(many_way_extremes)(tied), expected, rtol=1e-12)


def elementwise_of_literals(x):
    pair = np.tanh((x[0], x[1] * 2.0))
    grid = np.exp([[x[0], x[2]], [x[1], x[0]]]) * np.array([1.0, 2.0])
    rows = np.sin([x, x * x]) + x  # items of shape (3,), broadcast against x
    return np.sum(pair * pair) + np.sum(grid) + np.sum(rows**2)


def test_elementwise_functions_of_literals_send_each_item_its_part():
    x = np.array([0.3, -0.7, 1.1])
    check(elementwise_of_literals, x)
    a, b = x[0], x[1]
    sech2 = 1.0 - np.tanh([a, 2 * b]) ** 2
    only_pair = s2s.grad(lambda_pair)(x)
    np.testing.assert_allclose(
        only_pair, [2 * np.tanh(a) * sech2[0], 4 * np.tanh(2 * b) * sech2[1], 0]
    )


def lambda_pair(x):
    pair = np.tanh((x[0], x[1] * 2.0))
    return np.sum(pair * pair)


def extreme_of_a_literal(x):
    return max([x[0] * 2.0, x[1], x[2]]) + min((x[0], x[1]))


def test_builtin_max_and_min_of_one_literal_are_of_its_items():
    x = np.array([0.3, 0.7, 0.1])
    check(extreme_of_a_literal, x)
    np.testing.assert_allclose(s2s.grad(extreme_of_a_literal)(x), [1.0, 1.0, 0.0])


def squared_product(x, w):
    return np.sum(np.tanh(x * x) * w)


def test_a_product_of_a_name_with_itself_sends_one_exact_contribution():
    """``x * x`` adds ``g * (x + x)`` once: exactly ``2 g x``, in the input's dtype."""
    rng = np.random.default_rng(5)
    for dtype in (np.float32, np.float64):
        x = rng.standard_normal(7).astype(dtype)
        w = np.ones(7, dtype)
        got = s2s.grad(lambda x: np.sum(x * x))(x)
        assert got.dtype == dtype
        np.testing.assert_array_equal(got, 2 * x)
        assert "(x + x)" in s2s.source(s2s.grad(squared_product))
        check(squared_product, x.astype(np.float64), w.astype(np.float64), wrt=(0, 1))
