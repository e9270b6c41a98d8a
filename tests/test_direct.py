"""Functions passed directly (issue 10, part 3): a callable with a rule, an operator function,
a ``functools.partial`` of either or of a Python function is differentiated as the function
itself, through a generated wrapper whose derivative ``.source`` shows; its derivative equals
that of a lambda over the same call."""

from __future__ import annotations

import functools
import operator
import types
import warnings

import numpy as np
import pytest

import s2s

A = np.array([[2.0, 0.5], [0.3, 1.5]])
X = np.array([0.3, -0.7, 1.1])


def scaled(a, x):
    return a * np.sum(np.sin(x))


# (the callable, a lambda computing the same, its arguments, wrt)
CASES = [
    (np.tanh, lambda x: np.tanh(x), (0.4,), 0),
    (np.sin, lambda x: np.sin(x), (X,), 0),  # an array output: vjp and jvp only
    (np.linalg.det, lambda a: np.linalg.det(a), (A,), 0),
    (np.sum, lambda a: np.sum(a), (X,), 0),
    (np.mean, lambda a: np.mean(a), (A,), 0),
    (np.arctan2, lambda y, x: np.arctan2(y, x), (0.3, -1.2), (0, 1)),
    (operator.mul, lambda a, b: a * b, (2.0, 3.0), (0, 1)),
    (operator.truediv, lambda a, b: a / b, (2.0, 3.0), (0, 1)),
    (operator.neg, lambda a: -a, (2.0,), 0),
    (functools.partial(np.power, 2.0), lambda x: np.power(2.0, x), (0.7,), 0),
    (functools.partial(scaled, 3.0), lambda x: scaled(3.0, x), (X,), 0),
    (functools.partial(functools.partial(np.multiply, 2.5)), lambda x: 2.5 * x, (1.5,), 0),
]
SCALAR = [c for c in CASES if np.ndim(c[0](*c[2])) == 0]


def _ids(case):
    return getattr(case[0], "__name__", None) or repr(case[0])[:30]


@pytest.mark.parametrize("case", SCALAR, ids=_ids)
def test_grad_equals_the_lambdas(case):
    f, lam, args, wrt = case
    got = s2s.grad(f, wrt)(*args)
    want = s2s.grad(lam, wrt)(*args)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    value, grads = s2s.value_and_grad(f, wrt)(*args)
    assert value == pytest.approx(lam(*args))
    np.testing.assert_allclose(grads, want, rtol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_vjp_and_jvp_equal_the_lambdas(case):
    f, lam, args, wrt = case
    first = wrt[0] if isinstance(wrt, tuple) else wrt
    value, pullback = s2s.vjp(f, first)(*args)
    ct = np.ones_like(np.asarray(value)) * 0.7
    np.testing.assert_allclose(pullback(ct), s2s.vjp(lam, first)(*args)[1](ct), rtol=1e-12)
    tangent = np.ones_like(np.asarray(args[first])) * 0.3
    got = s2s.jvp(f, first)(*args[:first], args[first], tangent, *args[first + 1 :])
    want = s2s.jvp(lam, first)(*args[:first], args[first], tangent, *args[first + 1 :])
    np.testing.assert_allclose(got[1], want[1], rtol=1e-12)


def test_second_order_of_a_ufunc():
    x = 0.4
    got = s2s.grad(s2s.grad(np.tanh))(x)
    t = np.tanh(x)
    assert got == pytest.approx(-2 * t * (1 - t * t), rel=1e-12)


def test_source_shows_the_call():
    g = s2s.grad(np.tanh)
    g(0.2)
    assert "np.tanh(x)" in g.source
    d = s2s.grad(np.linalg.det)
    d(A)
    assert "np.linalg.det(a)" in d.source
    m = s2s.grad(operator.mul)
    m(2.0, 3.0)
    assert "a * b" in m.source


def test_einsum_passed_directly_any_number_of_operands():
    b = np.array([[1.0, -2.0], [0.5, 0.25]])
    value, pullback = s2s.vjp(np.einsum, (1, 2))("ij,jk->ik", A, b)
    ct = np.array([[1.0, 0.5], [-0.3, 2.0]])
    da, db = pullback(ct)
    np.testing.assert_allclose(value, A @ b)
    np.testing.assert_allclose(da, ct @ b.T, rtol=1e-12)
    np.testing.assert_allclose(db, A.T @ ct, rtol=1e-12)
    g = s2s.grad(np.einsum, 1)
    np.testing.assert_allclose(g("i,i", X, 2 * X), 2 * X, rtol=1e-12)
    assert "np.einsum(operand_0, operand_1, operand_2)" in g.source


def test_einsum_passed_directly_to_forward_mode_and_the_composites():
    """jvp, hvp, jacobian and hessian of ``np.einsum`` agree with those of a lambda over it;
    the tangents and directions are not counted as operands."""
    a, b, c = X, 2 * X + 1, X**2
    product = lambda p, q, r: np.einsum("i,i,i->", p, q, r)  # noqa: E731
    t = np.array([0.5, -1.0, 2.0])
    assert s2s.jvp(np.einsum, 2)("i,i,i->", a, b, c, t)[1] == pytest.approx(
        s2s.jvp(product, 1)(a, b, c, t)[1]
    )
    np.testing.assert_allclose(
        s2s.hvp(np.einsum, (2, 3))("i,i,i->", a, b, c, t, t),
        s2s.hvp(product, (1, 2))(a, b, c, t, t),
    )
    np.testing.assert_allclose(s2s.jacobian(np.einsum, 1)("i,i->i", a, b), np.diag(b))
    H = s2s.hessian(np.einsum, (1, 2))("i,i,i->", a, b, c)
    np.testing.assert_allclose(H[0][1], np.diag(c))  # d2/da db of sum(a * b * c)
    np.testing.assert_allclose(H[1][0], s2s.hessian(product, (0, 1))(a, b, c)[1][0])


def test_no_rule_is_refused():
    class Thing:
        def __call__(self, x):
            return x

    with pytest.raises(s2s.SourceUnavailableError, match="not a Python function"):
        s2s.grad(Thing())
    with pytest.raises(s2s.SourceUnavailableError):
        s2s.grad(functools.partial(Thing(), 1.0))


def test_scipy_gammaln_passed_directly():
    special = pytest.importorskip("scipy.special")
    got = s2s.grad(special.gammaln)(3.5)
    assert got == pytest.approx(special.digamma(3.5), rel=1e-12)
    assert got == pytest.approx(s2s.grad(lambda x: special.gammaln(x))(3.5), rel=1e-12)


# -- composites of a callable passed directly: jacobian and hessian bind the call by the
# wrapper's signature (a ufunc's own signature has out=, dtype=, signature=, ...)
JACOBIAN_CASES = [
    (np.tanh, lambda x: np.tanh(x), (X,)),
    (np.exp, lambda x: np.exp(x), (X,)),
    (np.add, lambda a, b: np.add(a, b), (X, 2 * X)),
    (functools.partial(np.multiply, 2.0), lambda x: 2.0 * x, (X,)),
]


@pytest.mark.parametrize("how", ["auto", "forward", "reverse"])
@pytest.mark.parametrize("case", JACOBIAN_CASES, ids=_ids)
def test_jacobian_of_a_callable_passed_directly(case, how):
    f, lam, args = case
    got = s2s.jacobian(f, mode=how)(*args)
    np.testing.assert_allclose(got, s2s.jacobian(lam, mode=how)(*args), rtol=1e-12)
    if f is np.tanh:
        np.testing.assert_allclose(got, np.diag(1 - np.tanh(X) ** 2), rtol=1e-12)


def test_jacobian_of_expit_passed_directly():
    special = pytest.importorskip("scipy.special")
    got = s2s.jacobian(special.expit)(X)
    s = special.expit(X)
    np.testing.assert_allclose(got, np.diag(s * (1 - s)), rtol=1e-12)


@pytest.mark.parametrize("f, lam, x", [
    (np.sin, lambda x: np.sin(x), 0.3),
    (np.tanh, lambda x: np.tanh(x), 0.3),
], ids=["sin", "tanh"])  # fmt: skip
def test_hessian_of_a_callable_passed_directly(f, lam, x):
    assert s2s.hessian(f)(x) == pytest.approx(s2s.hessian(lam)(x), rel=1e-12)
    assert s2s.hessian(f)(x) == pytest.approx(s2s.grad(s2s.grad(f))(x), rel=1e-12)


def test_hessian_of_gammaln_passed_directly():
    special = pytest.importorskip("scipy.special")
    assert s2s.hessian(special.gammaln)(0.3) == pytest.approx(special.polygamma(1, 0.3))


# -- Python functions with a rule (scipy.special.logsumexp, scipy.linalg.det, np.full): passed
# directly, their rule is used, never their source (scipy's carries decorators s2s refuses)
def _python_rules():
    """Each rule whose primal is a Python function outside s2s, with the first row of
    tests/rows/ that calls it on the row's arguments positionally (same value as the row)."""
    import rows

    from s2s import registry

    keys = {
        k for k in registry.all_rules()
        if isinstance(k, types.FunctionType) and not k.__module__.startswith("s2s.")
    }  # fmt: skip
    found = {}
    for row in rows.DIFFERENTIABLE:
        if row.key not in keys or row.key in found:
            continue
        _, args = row.draw()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                direct, via_row = row.key(*args), row.fn(*args)
            except Exception:  # noqa: BLE001 - a row whose call has other arguments
                continue
        same = jax_like_equal(direct, via_row)
        if same:
            found[row.key] = row
    return keys, found


def jax_like_equal(a, b) -> bool:
    if isinstance(a, (tuple, list)):
        return (
            isinstance(b, (tuple, list))
            and len(a) == len(b)
            and all(jax_like_equal(x, y) for x, y in zip(a, b))
        )
    try:
        return np.shape(a) == np.shape(b) and bool(np.allclose(a, b, equal_nan=True))
    except TypeError:
        return False


def _extra_calls():
    """Calls for the rules whose rows pass constants or keywords: ``(key, args, wrt)``."""
    rng = np.random.default_rng(1)
    m = rng.standard_normal((3, 3))
    spd = m @ m.T + 3 * np.eye(3)
    b = rng.standard_normal((3, 2))
    calls = [(np.full, ((2, 3), rng.standard_normal(3)), 1)]
    if hasattr(np, "row_stack"):  # removed in numpy 2.5
        calls.append((np.row_stack, ([rng.standard_normal(3), m],), 0))
    try:
        from scipy import linalg, special
    except ImportError:
        return calls
    return calls + [
        (linalg.eigh, (spd,), 0),
        (linalg.cho_factor, (spd,), 0),
        (linalg.cho_solve, ((linalg.cho_factor(spd)[0], False), b), 1),
        (linalg.lu, (m,), 0),
        (linalg.lu_factor, (m,), 0),
        (linalg.lu_solve, (linalg.lu_factor(m), b), 1),
        (linalg.qr, (m,), 0),
        (linalg.svd, (m,), 0),
        (special.polygamma, (1, rng.uniform(0.5, 3.0, 4)), 1),
        (special.multigammaln, (rng.uniform(1.5, 5.0, 4), 3), 0),
    ]


_KEYS, _FOUND = _python_rules()
_CALLS = [(r.key, tuple(r.draw()[1]), r.wrt if len(r.wrt) > 1 else r.wrt[0])
          for r in _FOUND.values()] + _extra_calls()  # fmt: skip


def test_every_python_rule_is_checked_passed_directly():
    checked = {c[0] for c in _CALLS}
    missing = sorted(f"{k.__module__}.{k.__qualname__}" for k in _KEYS - checked)
    assert not missing, f"rules of Python functions not checked passed directly: {missing}"


def _cotangent(y, rng):
    if isinstance(y, (tuple, list)):
        return type(y)(_cotangent(v, rng) for v in y)
    if np.result_type(y).kind != "f":
        return None  # an integer or boolean output (pivots, a flag) has no cotangent
    return rng.standard_normal(np.shape(y))


def _assert_close(got, want):
    if isinstance(want, (tuple, list)):
        assert type(got) is type(want) and len(got) == len(want)
        for g, w in zip(got, want):
            _assert_close(g, w)
    else:
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def _same_call(key, n):
    """A lambda over the same call, differentiated through the rule as in user code."""
    if n == 1:
        return lambda a: key(a)
    if n == 2:
        return lambda a, b: key(a, b)
    return lambda a, b, c: key(a, b, c)


@pytest.mark.parametrize("key, args, wrt", _CALLS, ids=lambda c: getattr(c, "__name__", ""))
def test_python_rule_passed_directly(key, args, wrt):
    """The derivative of the callable itself equals that of a lambda over the same call."""
    rng = np.random.default_rng(0)
    lam = _same_call(key, len(args))
    value, pullback = s2s.vjp(key, wrt)(*args)
    want_value, want_pullback = s2s.vjp(lam, wrt)(*args)
    assert jax_like_equal(value, want_value)
    ct = _cotangent(value, rng)
    _assert_close(pullback(ct), want_pullback(ct))
    if not isinstance(value, tuple) and np.ndim(value) == 0:
        _assert_close(s2s.grad(key, wrt)(*args), s2s.grad(lam, wrt)(*args))


def test_scipy_rules_passed_directly_forward():
    special = pytest.importorskip("scipy.special")
    x, t = np.array([0.1, 0.5, -0.3]), np.array([1.0, -2.0, 0.5])
    s = special.softmax(x)
    value, tangent = s2s.jvp(special.softmax)(x, t)
    np.testing.assert_allclose(value, s)
    np.testing.assert_allclose(tangent, s * t - s * np.dot(s, t), rtol=1e-12)
    np.testing.assert_allclose(s2s.grad(special.logsumexp)(x), s, rtol=1e-12)
    np.testing.assert_allclose(s2s.hessian(special.logsumexp)(x), np.diag(s) - np.outer(s, s),
                               rtol=1e-12, atol=1e-15)  # fmt: skip
