"""scipy rules: optional loading, library calls in rule bodies, orders that get no gradient."""

from __future__ import annotations

import pathlib
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from gradcheck import along
from located import assert_located, where

import s2s
import s2s.pipeline
from s2s import registry

special = pytest.importorskip("scipy.special")


def test_s2s_imports_and_differentiates_without_scipy(tmp_path):
    """With scipy unimportable, ``import s2s`` and a numpy gradient work; no scipy rule loads."""
    (tmp_path / "f.py").write_text("import numpy as np\n\ndef f(x):\n    return np.tanh(x)\n")
    code = textwrap.dedent(
        f"""
        import sys
        sys.modules["scipy"] = None  # import scipy raises ImportError
        sys.path.insert(0, {str(tmp_path)!r})
        import numpy as np, s2s
        from s2s import registry
        from f import f
        assert abs(s2s.grad(f)(np.float64(0.5)) - (1 - np.tanh(0.5) ** 2)) < 1e-15
        assert not any(r.origin.startswith("s2s.templates.scipy")
                       for r in registry.all_rules().values())
        assert not any(m.startswith("s2s.templates.scipy") for m in sys.modules)
        """
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=str(ROOT))


ROOT = pathlib.Path(__file__).resolve().parent.parent


def loss(x):
    return np.sum(special.gammaln(x) * x)


def test_a_rule_body_calls_scipy_and_second_order_goes_through_its_rule():
    x = np.array([1.5, 2.0, 3.5])
    derivative = s2s.grad(loss)
    np.testing.assert_allclose(derivative(x), special.digamma(x) * x + special.gammaln(x),
                               rtol=1e-12)  # fmt: skip
    assert "_s2s.lib.scipy.special.digamma(x)" in derivative.source
    hv = s2s.hvp(loss)(x, np.ones(3))
    np.testing.assert_allclose(hv, 2 * special.digamma(x) + x * special.polygamma(1, x), rtol=1e-10)


def bessel_in_order(v, x):
    return np.sum(special.kv(v * 2.0, x))  # MARK order


def test_a_gradient_reaching_an_order_is_refused_with_its_line():
    with pytest.raises(s2s.UnsupportedArgumentError, match="order is not differentiated") as info:
        s2s.grad(bessel_in_order, wrt=("v", "x"))(np.float64(0.5), np.array([1.0, 2.0]))
    assert_located(info.value, bessel_in_order, "# MARK", "stop_gradient")
    g = s2s.grad(bessel_in_order, wrt="x")(np.float64(0.5), np.array([1.0, 2.0]))
    expected = -0.5 * (special.kv(0.0, [1.0, 2.0]) + special.kv(2.0, [1.0, 2.0]))
    np.testing.assert_allclose(g, expected, rtol=1e-12)


def test_scipy_ufuncs_are_named_by_their_public_module():
    assert registry.qualified_name(special.gammaln) == "scipy.special.gammaln"
    assert registry.lookup(special.erfinv).origin == "s2s.templates.scipy_special"


def test_logsumexp_with_return_sign_is_refused_not_dropped():
    def f(a):
        value, sign = special.logsumexp(a, return_sign=True)
        return value

    with pytest.raises(s2s.UnsupportedArgumentError, match="return_sign"):
        s2s.grad(f)(np.ones(3))


stats = pytest.importorskip("scipy.stats")
norm = stats.norm


def gaussian_nll(x, m, s):
    return -np.sum(stats.norm.logpdf(x, loc=m, scale=s)) - np.sum(norm.logcdf(x, m, s))


def test_a_distribution_method_keyed_on_its_instance_with_keywords_and_generated_once(monkeypatch):
    import s2s.api

    calls = []
    real = s2s.pipeline.generate
    monkeypatch.setattr(s2s.pipeline, "generate", lambda *a, **k: calls.append(1) or real(*a, **k))
    x, m, s = np.array([0.3, -1.2, 2.0]), np.float64(0.5), np.float64(1.5)
    derivative = s2s.grad(gaussian_nll, wrt=("m", "s"))
    dm, ds = derivative(x, m, s)
    derivative(x, m, s)
    assert len(calls) == 1, "a bound method read afresh must not regenerate the derivative"
    z = (x - m) / s
    ratio = np.exp(norm.logpdf(z) - norm.logcdf(z)) / s
    np.testing.assert_allclose(dm, -np.sum(z / s) + np.sum(ratio), rtol=1e-12)
    np.testing.assert_allclose(ds, -np.sum((z * z - 1) / s) + np.sum(ratio * z), rtol=1e-12)
    assert registry.qualified_name(stats.norm.logpdf) == "scipy.stats.norm.logpdf"
    assert registry.lookup(stats.norm.logpdf) is not registry.lookup(stats.t.logpdf)


def t_cdf(x, df):
    return np.sum(stats.t.cdf(x, df))  # MARK cdf


def test_a_cdf_shape_parameter_without_a_closed_form_is_refused_not_dropped():
    with pytest.raises(s2s.UnsupportedArgumentError, match="incomplete beta or gamma") as info:
        s2s.grad(t_cdf, wrt=("x", "df"))(np.array([0.5, 1.0]), np.float64(3.0))
    assert_located(info.value, t_cdf, "# MARK", "stop_gradient")
    g = s2s.grad(t_cdf, wrt="x")(np.array([0.5, 1.0]), np.float64(3.0))
    np.testing.assert_allclose(g, stats.t.pdf([0.5, 1.0], 3.0), rtol=1e-12)


linalg = pytest.importorskip("scipy.linalg")


def cho_bound(a, b):
    factor = linalg.cho_factor(a)
    return np.sum(linalg.cho_solve(factor, b) ** 2)


def lu_nested(a, b):
    return np.sum(np.sin(linalg.lu_solve(linalg.lu_factor(a), b, trans=1)))


@pytest.mark.parametrize("f, sym", [(cho_bound, True), (lu_nested, False)])
def test_a_factor_tuple_flows_into_its_solve_and_the_gradient_reaches_the_matrix(f, sym):
    rng = np.random.default_rng(3)
    m = rng.standard_normal((4, 4))
    a = m @ m.T + 4 * np.eye(4) if sym else m + 3 * np.eye(4)
    b, e = rng.standard_normal(4), rng.standard_normal((4, 4))
    e = e + e.T if sym else e
    ga, gb = s2s.grad(f, wrt=(0, 1))(a, b)
    fd = along(lambda a_: f(a_, b), a, e)
    np.testing.assert_allclose(np.sum(ga * e), fd, rtol=1e-7)
    _, tangent = s2s.jvp(f, wrt=0)(a, b, e)
    np.testing.assert_allclose(tangent, fd, rtol=1e-7)
    assert "_solve((" in s2s.grad(f).source  # the tuple rebuilt from its named items


def solve_pos(a, b):
    return np.sum(linalg.solve(a, b, assume_a="pos"))  # MARK solve


def eigh_general(a, b):
    w, v = linalg.eigh(a, b)  # MARK eigh
    return np.sum(w)


@pytest.mark.parametrize("f, match", [(solve_pos, "assume_a='pos'"), (eigh_general, "generalized")])
def test_a_scipy_linalg_option_the_rule_does_not_differentiate_is_refused_at_its_line(f, match):
    a = 3 * np.eye(3) + 0.1
    with pytest.raises(s2s.UnsupportedArgumentError, match=match) as info:
        s2s.grad(f)(a, np.eye(3))
    assert where(f, "# MARK") in "\n".join(info.value.__notes__)
    with pytest.raises(s2s.UnsupportedArgumentError, match=match):
        s2s.jvp(f, wrt=0)(a, np.eye(3), np.eye(3))


def solve_scalar(a, b):
    return np.sum(linalg.solve(a, b))  # MARK solve


def lu_factor_scalar(a, b):
    return np.sum(linalg.lu_factor(a)[0] * b)  # MARK lu_factor


@pytest.mark.parametrize("f", [solve_scalar, lu_factor_scalar])
def test_a_matrix_of_fewer_than_two_dimensions_is_refused_at_its_line(f):
    """scipy reads a 0-d value as a 1x1 matrix (and broadcasts b against it): the rules'
    gradient there was wrong; they refuse, in both modes, naming the line."""
    for a in (2.0, np.float64(2.0), np.array(2.0)):
        with pytest.raises(s2s.UnsupportedArgumentError, match="0-d value") as info:
            s2s.grad(f, wrt=0)(a, np.array([1.0, 3.0]))
        assert where(f, "# MARK") in "\n".join(info.value.__notes__)
        with pytest.raises(s2s.UnsupportedArgumentError, match="0-d value"):
            s2s.jvp(f, wrt=0)(a, np.array([1.0, 3.0]), 1.0 if type(a) is float else np.ones_like(a))


def whole_factor(a):
    return np.sum(linalg.cho_factor(a)[0] * W3)


W3 = np.arange(9.0).reshape(3, 3)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
def test_the_cho_factor_gradient_into_the_other_triangle_follows_the_installed_scipy(dtype):
    """scipy <= 1.17 leaves a's entries in the factor's other triangle; 1.18 zeros it for
    float64 and float32 but keeps them for float16 (factored in a float32 copy): the
    gradient there is W's (symmetrized) where the output holds a's entries, else 0."""
    a = (np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]])).astype(dtype)
    keeps = bool(np.any(np.tril(linalg.cho_factor(a)[0], -1)))
    grad = s2s.grad(whole_factor)(a)
    assert grad.dtype == dtype
    factor_only = s2s.grad(lambda m: np.sum(np.triu(linalg.cho_factor(m)[0]) * W3))(a)
    rest = np.tril(W3, -1)
    expected = factor_only + (0.5 * (rest + rest.T) if keeps else 0.0)
    np.testing.assert_allclose(
        grad, expected.astype(dtype), rtol=1e-3 if dtype == np.float16 else 1e-6
    )


def gamma_ppf(q, a):
    return np.sum(stats.gamma.ppf(q, a))  # MARK ppf


def test_a_quantile_shape_without_a_closed_form_is_refused_and_q_goes_through():
    q, a = np.array([0.2, 0.7]), np.float64(2.5)
    with pytest.raises(s2s.UnsupportedArgumentError, match="incomplete beta or gamma") as info:
        s2s.grad(gamma_ppf, wrt=("q", "a"))(q, a)
    assert_located(info.value, gamma_ppf, "# MARK", "stop_gradient")
    g = s2s.grad(gamma_ppf, wrt="q")(q, a)
    np.testing.assert_allclose(g, 1 / stats.gamma.pdf(stats.gamma.ppf(q, a), a), rtol=1e-12)


def gaussian_fit(x, m, c):
    return -np.sum(stats.multivariate_normal.logpdf(x, m, c))


def test_a_gaussian_fit_gradient_in_mean_and_cov_is_the_closed_form():
    rng = np.random.default_rng(5)
    x, m = rng.standard_normal((6, 3)), rng.standard_normal(3)
    a = rng.standard_normal((3, 3))
    c = a @ a.T + 3 * np.eye(3)
    dm, dc = s2s.grad(gaussian_fit, wrt=("m", "c"))(x, m, c)
    p = np.linalg.inv(c)
    r = (x - m) @ p
    np.testing.assert_allclose(dm, -np.sum(r, axis=0), rtol=1e-12)
    np.testing.assert_allclose(dc, 0.5 * (len(x) * p - r.T @ r), rtol=1e-12)


def dirichlet_short(x, alpha):
    return stats.dirichlet.logpdf(x, alpha)  # MARK dirichlet


def test_a_dirichlet_point_without_its_last_component_is_refused_at_its_line():
    with pytest.raises(s2s.UnsupportedArgumentError, match="K - 1 components") as info:
        s2s.grad(dirichlet_short, wrt="alpha")(np.array([0.2, 0.3]), np.array([1.5, 2.0, 3.0]))
    assert where(dirichlet_short, "# MARK") in "\n".join(info.value.__notes__)
