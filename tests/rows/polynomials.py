"""Rows for ``templates/polynomials.py``: vander, polyval, polyadd, polysub, polymul, polyder,
polyint, poly and roots (and the piecewise-constant plans of the helpers)."""

import numpy as np

import s2s.runtime as rt
from rows.spec import Arg, R, away0, const, normal, pyfloat


def real_roots() -> Arg:
    """Coefficients of a quadratic with real roots about 1 and 2.5 (well separated)."""
    return Arg(lambda rng: np.poly(np.array([1.0, 2.5]) + rng.uniform(-0.2, 0.2, 2)))


def spread(n: int) -> Arg:
    """Sample points of a fit: a grid on [-1, 1] with a small jitter (well conditioned)."""
    return Arg(lambda rng: np.linspace(-1.0, 1.0, n) + rng.uniform(-0.05, 0.05, n))


def sorted_roots(p):
    return np.sort(np.roots(p))  # numpy's order of roots is its eigenvalue solver's


WEIGHTS = np.array([1.0, 2.0, 0.5, 1.5, 1.0, 3.0])


def polydiv_both(u, v):
    q, r = np.polydiv(u, v)
    return np.concatenate([q, 2.0 * r[-2:]])  # float32 may keep leading rounding errors in r


ROWS = [
    R(np.vander, lambda x: np.vander(x), normal(3)),
    R(np.vander, lambda x: np.vander(x, N=4, increasing=True), normal(3), tag="keyword"),
    R(np.vander, lambda x: np.vander(x, 1) * 2.0, normal(2), tag="constant"),
    R(np.polyval, lambda p, x: np.polyval(p, x), normal(4), normal(2, 3)),
    R(np.polyval, lambda p, x: np.polyval(p, x), normal(3), pyfloat(), tag="scalar"),
    R(np.polyval, lambda a, x: np.polyval([a, 2.0, a], x), pyfloat(), normal(3), tag="list"),
    R(np.polyval, lambda p, x: np.polyval(p, x), normal(3), const(np.arange(3.0)), tag="p"),
    R(np.polyadd, lambda a, b: np.polyadd(a, b), normal(2), normal(4)),
    R(np.polyadd, lambda a, b: np.polyadd(a, b), normal(3), pyfloat(), tag="scalar"),
    R(np.polysub, lambda a, b: np.polysub(a, b), normal(4), normal(2)),
    R(np.polymul, lambda a, b: np.polymul(a, b), normal(3), normal(2)),
    R(np.polymul, lambda a, b: np.polymul(a, b), normal(3), pyfloat(), tag="scalar"),
    R(np.polydiv, polydiv_both, normal(5), away0(3)),
    R(np.polydiv, lambda u, v: np.polydiv(u, v)[0], normal(4), away0(1), tag="constant divisor"),
    R(
        np.polydiv,
        lambda u, v: np.polydiv(u, v)[1],
        normal(2),
        const(np.array([0.5, -1.0, 2.0])),
        tag="short dividend",
    ),
    R(np.polydiv, lambda u, v: np.polydiv(u, v)[0], normal(4), pyfloat(1.0, 2.0), tag="scalar"),
    R(np.polyder, lambda p: np.polyder(p), normal(4)),
    R(np.polyder, lambda p: np.polyder(p, m=2), normal(5), tag="keyword"),
    R(np.polyint, lambda p: np.polyint(p), normal(3)),
    R(np.polyint, lambda p: np.polyint(p, m=2, k=[1.0, -2.0]), normal(3), tag="keyword"),
    R(np.poly, lambda r: np.poly(r), normal(3)),
    R(np.poly, lambda r: np.poly(r), normal(1), tag="one"),
    R(np.roots, sorted_roots, real_roots(), h=1e-5, rtol=1e-6),
    R(np.roots, lambda p: np.roots(p), normal(2), tag="linear"),
    R(np.polyfit, lambda x, y: np.polyfit(x, y, 2), spread(6), normal(6)),
    R(np.polyfit, lambda x, y: np.polyfit(x, y, 1), spread(5), normal(5, 2), tag="columns"),
    R(
        np.polyfit,
        lambda x, y: np.polyfit(x, y, 3, rcond=None, full=False, w=WEIGHTS, cov=False),
        spread(6),
        normal(6),
        tag="keyword",
    ),
    R(np.polyfit, lambda y: np.polyfit(np.arange(4.0), y, 1), normal(4), tag="y"),
]

# The helpers' plans read only lengths: piecewise constant (their gradient is exactly 0).
NONDIFF = [
    R(
        rt.vander_plan,
        lambda x: np.sum(x) * rt.vander_plan(x)[0],
        normal(3),
        expected=lambda x: (np.full_like(x, 2.0),),
    ),
    R(
        rt.poly_length,
        lambda x: np.sum(x) * rt.poly_length(x),
        normal(2),
        expected=lambda x: (np.full_like(x, 2.0),),
    ),
    R(
        rt.poly_tail,
        lambda x: np.sum(x[rt.poly_tail(x[:1])]),
        normal(3),
        expected=lambda x: (np.array([0.0, 0.0, 1.0], x.dtype),),
    ),
    R(
        rt.polyder_matrix,
        lambda x: np.sum(x) * np.sum(rt.polyder_matrix(x)),
        normal(3),
        expected=lambda x: (np.full_like(x, 3.0),),
    ),
    R(
        rt.polyint_matrix,
        lambda x: np.sum(x) * np.sum(rt.polyint_matrix(x)),
        normal(2),
        expected=lambda x: (np.full_like(x, 1.5),),
    ),
]
