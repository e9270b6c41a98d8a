"""Bad input to every public entry point (issue 14): wrong types, shapes and dtypes, NaN and inf,
empty arrays and size-0 axes, huge and tiny values. Each case gets the right answer, a located
``S2SError``, or (when the function itself fails on those arguments) the exception the plain
call raises; never an exception from inside s2s."""

import functools
import math
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from located import assert_located, is_located

import s2s


def f(x, y):
    return np.sum(np.tanh(x) * y)


def _squares(x):
    return np.sum(x**2)


def _logs(x):
    return np.sum(np.log(x))


def vec(x):
    return np.tanh(x) * 2.0


def pair(x):
    return np.sum(x), x * 2.0


def kwonly(x, *, w):
    return np.sum(x * w)


def reductions(x):
    return np.max(x) + np.mean(x)


def sinc_sum(x):
    return np.sum(np.sinc(x))


def sinc_wrong_parameter(result, x):
    d[z] = d[result]  # noqa: F821 (z is no parameter: the point of this template)


def sinc_returns(result, x):
    return s2s.d[result]


def f_grad(x, y):
    """The gradient of ``f`` with respect to ``x``, by hand (summed over broadcast axes)."""
    x64 = np.asarray(x, dtype=np.float64)
    full = np.asarray(y, dtype=np.float64) * (1 - np.tanh(x64) ** 2)
    while full.ndim > x64.ndim:
        full = full.sum(axis=0)
    return full


X = np.array([0.5, -1.0, 2.0])
Y = np.array([1.0, 2.0, -0.5])
NAN = np.array([np.nan, 1.0, 2.0])
INF = np.array([np.inf, 1.0, -np.inf])
d = s2s.d


@dataclass
class Answer:
    """The call returns ``expected(result)`` true."""

    check: Any


@dataclass
class Refused:
    """A located S2SError of this class (and its message contains ``words``)."""

    cls: type
    words: str = ""


@dataclass
class AsPlain:
    """The arguments make the function itself fail: the same exception type as ``plain()``."""

    plain: Any


def gradient_of_f(x, y=Y, dtype=None):
    def check(g):
        want = f_grad(x, y)
        if isinstance(x, float):
            assert type(g) is np.float64
        else:
            assert type(g) is type(x) and np.shape(g) == np.shape(x)
            assert g.dtype == (dtype or x.dtype)
        tolerance = 1e-2 if np.asarray(x).dtype == np.float16 else 1e-6
        np.testing.assert_allclose(np.asarray(g, np.float64), want, rtol=tolerance, atol=1e-300)

    return Answer(check)


def readonly(a):
    a = a.copy()
    a.setflags(write=False)
    return a


def registered(template):
    """Register ``template`` for np.sinc, then differentiate a function calling it; np.sinc's
    built-in rule is put back afterwards (popping it broke every later test of np.sinc)."""

    def run():
        from s2s import registry

        builtin = registry.lookup(np.sinc)
        try:
            s2s.adjoint(np.sinc)(template)
            return s2s.grad(sinc_sum)(X)
        finally:
            registry._RULES.pop(np.sinc, None)
            if builtin is not None:
                registry._RULES[np.sinc] = builtin

    return run


CASES = {
    # -- what to differentiate
    "grad(int)": (lambda: s2s.grad(3), Refused(s2s.UsageError, "not a builtins.int")),
    "grad(None)(x)": (lambda: s2s.grad(None)(X), Refused(s2s.UsageError)),
    # a ufunc with a rule is differentiated through a wrapper (tests/test_direct.py)
    "grad(ufunc)": (
        lambda: s2s.grad(np.frompyfunc(abs, 1, 1)),
        Refused(s2s.SourceUnavailableError),
    ),
    "grad(builtin)": (lambda: s2s.grad(math.gamma), Refused(s2s.SourceUnavailableError)),
    "grad(partial)": (
        lambda: s2s.grad(functools.partial(math.gamma, 1.0)),
        Refused(s2s.SourceUnavailableError),
    ),
    "grad(class)": (lambda: s2s.grad(int), Refused(s2s.SourceUnavailableError)),
    "grad(exec)": (
        lambda: s2s.grad(eval("lambda x: x * 2.0"))(1.0),
        Refused(s2s.SourceUnavailableError),
    ),
    "grad(vjp derivative)": (lambda: s2s.grad(s2s.vjp(f)), Refused(s2s.NoRuleError)),
    # -- wrt
    "wrt float": (lambda: s2s.grad(f, wrt=1.5), Refused(s2s.WrtError)),
    "wrt bool": (lambda: s2s.grad(f, wrt=True), Refused(s2s.WrtError)),
    "wrt list": (lambda: s2s.grad(f, wrt=[0]), Refused(s2s.WrtError)),
    "wrt out of range": (lambda: s2s.grad(f, wrt=5), Refused(s2s.WrtError)),
    "wrt unknown name": (lambda: s2s.grad(f, wrt="z"), Refused(s2s.WrtError)),
    "wrt empty": (lambda: s2s.grad(f, wrt=()), Refused(s2s.WrtError)),
    "wrt twice": (lambda: s2s.grad(f, wrt=(0, 0)), Refused(s2s.WrtError)),
    "wrt keyword-only by position": (lambda: s2s.grad(kwonly, wrt=1), Refused(s2s.WrtError)),
    # -- options
    "disconnected bogus": (
        lambda: s2s.grad(f, disconnected="bogus"),
        Refused(s2s.UsageError, "disconnected"),
    ),
    "undefined int": (lambda: s2s.grad(f, undefined=1), Refused(s2s.UsageError, "undefined")),
    "nan None": (lambda: s2s.vjp(f, nan=None), Refused(s2s.UsageError, "nan")),
    "allow_int str": (lambda: s2s.grad(f, allow_int="yes"), Refused(s2s.UsageError)),
    "verbose str": (lambda: s2s.grad(f, verbose="x"), Refused(s2s.UsageError, "verbose")),
    "has_aux int": (lambda: s2s.value_and_grad(f, has_aux=1), Refused(s2s.UsageError)),
    "has_aux without a pair": (
        lambda: s2s.value_and_grad(f, has_aux=True)(X, Y),
        Refused(s2s.UnsupportedSyntaxError, "pair"),
    ),
    # -- arguments: binding, types, dtypes
    "no arguments": (lambda: s2s.grad(f)(), AsPlain(lambda: f())),
    "too many arguments": (lambda: s2s.grad(f)(X, Y, X), AsPlain(lambda: f(X, Y, X))),
    "unknown keyword": (lambda: s2s.grad(f)(X, z=Y), AsPlain(lambda: f(X, z=Y))),
    "keyword-only missing": (
        lambda: s2s.grad(kwonly, wrt="w")(X),
        AsPlain(lambda: kwonly(X)),
    ),
    "x list": (  # a parameter container of floats (docs/containers.md): a list of gradients
        lambda: s2s.grad(f)([1.0, 2.0, 3.0], Y),
        Answer(lambda g: np.testing.assert_allclose(g, f_grad(np.array([1.0, 2.0, 3.0]), Y))),
    ),
    "x set": (lambda: s2s.grad(f)({1.0, 2.0, 3.0}, Y), Refused(s2s.WrtError, "has no order")),
    "x str": (lambda: s2s.grad(f)("abc", Y), Refused(s2s.DtypeError)),
    "x None": (lambda: s2s.grad(f)(None, Y), Refused(s2s.DtypeError)),
    "x dict": (lambda: s2s.grad(f)({}, Y), Refused(s2s.UnsupportedSyntaxError, "used whole")),
    "x object": (lambda: s2s.grad(f)(object(), Y), Refused(s2s.DtypeError)),
    "x int array": (lambda: s2s.grad(f)(np.arange(3), Y), Refused(s2s.DtypeError, "int64")),
    "x bool array": (lambda: s2s.grad(f)(np.ones(3, bool), Y), Refused(s2s.DtypeError)),
    "x complex": (lambda: s2s.grad(f)(X + 0j, Y), Refused(s2s.DtypeError, "complex")),
    "x Python int": (lambda: s2s.grad(f)(1, Y), Refused(s2s.DtypeError)),
    "x numpy int": (lambda: s2s.grad(f)(np.int64(1), Y), Refused(s2s.DtypeError)),
    "x object array": (lambda: s2s.grad(f)(X.astype(object), Y), Refused(s2s.DtypeError)),
    "x datetime": (
        lambda: s2s.grad(f)(np.array(["2020-01-01"], "M8[D]"), Y),
        Refused(s2s.DtypeError),
    ),
    "x structured": (
        lambda: s2s.grad(f)(np.zeros(3, [("a", "f8")]), Y),
        Refused(s2s.DtypeError),
    ),
    "x matrix": (lambda: s2s.grad(f)(np.asmatrix(X), Y), Refused(s2s.DtypeError, "matrix")),
    "x masked": (lambda: s2s.grad(f)(np.ma.array(X), Y), Refused(s2s.DtypeError)),
    "x empty tuple": (lambda: s2s.grad(f)((), Y), Refused(s2s.DtypeError)),
    "x nested tuple": (  # a parameter container (docs/containers.md): the same nesting back
        lambda: s2s.grad(f)(((X,),), Y),
        Answer(lambda g: np.testing.assert_allclose(g[0][0], f_grad(X, Y))),
    ),
    "x float16": (lambda: s2s.grad(f)(X.astype(np.float16), Y), gradient_of_f(X.astype("e"))),
    "x float32": (lambda: s2s.grad(f)(X.astype(np.float32), Y), gradient_of_f(X.astype("f"))),
    "x longdouble": (
        lambda: s2s.grad(f)(X.astype(np.longdouble), Y),
        gradient_of_f(X.astype(np.longdouble)),
    ),
    "x big-endian": (lambda: s2s.grad(f)(X.astype(">f8"), Y), gradient_of_f(X.astype(">f8"))),
    "x read-only": (lambda: s2s.grad(f)(readonly(X), Y), gradient_of_f(X)),
    "x strided view": (lambda: s2s.grad(f)(np.repeat(X, 2)[::2], Y), gradient_of_f(X)),
    "x Fortran order": (
        lambda: s2s.grad(f)(np.asfortranarray(np.outer(X, X)), Y),
        gradient_of_f(np.outer(X, X)),
    ),
    "x 0-d": (lambda: s2s.grad(f)(np.array(0.5), Y), gradient_of_f(np.array(0.5))),
    "x Python float": (lambda: s2s.grad(f)(0.5, Y), gradient_of_f(0.5)),
    "x numpy float32 scalar": (
        lambda: s2s.grad(f)(np.float32(0.5), Y),
        gradient_of_f(np.float32(0.5)),
    ),
    "y list": (lambda: s2s.grad(f)(X, list(Y)), gradient_of_f(X)),
    "y str": (lambda: s2s.grad(f)(X, "abc"), AsPlain(lambda: f(X, "abc"))),
    "y None": (lambda: s2s.grad(f)(X, None), AsPlain(lambda: f(X, None))),
    "shapes that do not broadcast": (
        lambda: s2s.grad(f)(X, np.ones(4)),
        AsPlain(lambda: f(X, np.ones(4))),
    ),
    # -- values: NaN, inf, empty, size-0 axes, huge, tiny
    "x NaN": (lambda: s2s.grad(f)(NAN, Y), gradient_of_f(NAN)),
    "x inf": (lambda: s2s.grad(f)(INF, Y), gradient_of_f(INF)),
    "x empty": (lambda: s2s.grad(f)(np.ones(0), np.ones(0)), gradient_of_f(np.ones(0), Y[:0])),
    "x size-0 axis": (lambda: s2s.grad(f)(np.ones((0, 3)), Y), gradient_of_f(np.ones((0, 3)))),
    "reduction of an empty array": (
        lambda: s2s.grad(reductions)(np.ones(0)),
        AsPlain(lambda: reductions(np.ones(0))),
    ),
    "x huge": (lambda: s2s.grad(f)(np.full(3, 1e308), Y), gradient_of_f(np.full(3, 1e308))),
    "x tiny": (lambda: s2s.grad(f)(np.full(3, 5e-324), Y), gradient_of_f(np.full(3, 5e-324))),
    # -- value_and_grad, vjp and the pullback's cotangent
    "value_and_grad NaN": (
        lambda: s2s.value_and_grad(f)(NAN, Y)[1],
        gradient_of_f(NAN),
    ),
    "grad of a vector": (lambda: s2s.grad(vec)(X), Refused(s2s.NonScalarOutputError)),
    "cotangent None": (lambda: s2s.vjp(vec)(X)[1](None), Refused(s2s.CotangentError)),
    "cotangent shape": (lambda: s2s.vjp(vec)(X)[1](np.ones(4)), Refused(s2s.CotangentError)),
    "cotangent str": (lambda: s2s.vjp(vec)(X)[1]("a"), Refused(s2s.CotangentError)),
    "cotangent list": (
        lambda: s2s.vjp(vec)(X)[1]([1.0, 1.0, 1.0]),
        Answer(lambda g: np.testing.assert_allclose(g, 2 * (1 - np.tanh(X) ** 2))),
    ),
    "cotangent ragged list": (
        lambda: s2s.vjp(vec)(X)[1]([1.0, [1.0], 1.0]),
        Refused(s2s.CotangentError),
    ),
    "cotangent int": (lambda: s2s.vjp(vec)(X)[1](np.ones(3, int)), Refused(s2s.CotangentError)),
    "cotangent complex": (lambda: s2s.vjp(vec)(X)[1](X + 0j), Refused(s2s.CotangentError)),
    "cotangent object": (
        lambda: s2s.vjp(vec)(X)[1](X.astype(object)),
        Refused(s2s.CotangentError),
    ),
    "cotangent NaN": (
        lambda: s2s.vjp(vec)(X)[1](np.full(3, np.nan)),
        Answer(lambda g: np.testing.assert_array_equal(g, np.full(3, np.nan))),
    ),
    "cotangent of a pair not a tuple": (
        lambda: s2s.vjp(pair)(X)[1](X),
        Refused(s2s.CotangentError),
    ),
    "cotangent tuple too short": (
        lambda: s2s.vjp(pair)(X)[1]((1.0,)),
        Refused(s2s.CotangentError),
    ),
    # -- source
    "source(int)": (lambda: s2s.source(3), Refused(s2s.UsageError)),
    "source(function)": (lambda: s2s.source(f), Refused(s2s.UsageError)),
    "source of a vector function": (
        lambda: s2s.grad(vec).source,
        Answer(lambda text: text.startswith("def _make")),
    ),
    # -- checkpoint=s2s.MemoryBudget(nbytes)
    "MemoryBudget(str)": (lambda: s2s.MemoryBudget("1MB"), Refused(s2s.UsageError)),
    "MemoryBudget(0)": (lambda: s2s.MemoryBudget(0), Refused(s2s.UsageError)),
    "MemoryBudget(NaN)": (lambda: s2s.MemoryBudget(float("nan")), Refused(s2s.UsageError)),
    # -- cuts outside differentiated code: identities
    "stop_gradient(str)": (lambda: s2s.stop_gradient("a"), Answer(lambda v: v == "a")),
    "zero_grad(None)": (lambda: s2s.zero_grad(None), Answer(lambda v: v is None)),
    "undefined_grad(x, 3)": (lambda: s2s.undefined_grad(X, 3), Answer(lambda v: v is X)),
    "d outside a template": (lambda: s2s.d[0], Refused(s2s.UsageError)),
    # -- rule registration
    "adjoint(int)": (lambda: s2s.adjoint(3), Refused(s2s.UsageError)),
    "adjoint(list)": (lambda: s2s.adjoint([]), Refused(s2s.UsageError)),
    "adjoint of a non-function": (lambda: s2s.adjoint(np.sinc)(3), Refused(s2s.UsageError)),
    "adjoint of a lambda": (
        lambda: s2s.adjoint(np.sinc)(lambda result, x: None),
        Refused(s2s.UsageError, "def"),
    ),
    "adjoint with too few parameters": (
        lambda: s2s.adjoint(np.linalg.eigh, outputs=2)(sinc_returns),
        Refused(s2s.UsageError, "parameters"),
    ),
    "adjoint outputs 0": (lambda: s2s.adjoint(np.sinc, outputs=0), Refused(s2s.UsageError)),
    "adjoint structural int": (
        lambda: s2s.adjoint(np.sinc, structural=3),
        Refused(s2s.UsageError),
    ),
    "adjoint single_output list": (
        lambda: s2s.adjoint(np.sinc, single_output=[1]),
        Refused(s2s.UsageError),
    ),
    "adjoint assigning a non-parameter": (
        registered(sinc_wrong_parameter),
        Refused(s2s.S2SError, "no parameter"),
    ),
    "adjoint returning": (registered(sinc_returns), Refused(s2s.S2SError, "single assignments")),
    "nondifferentiable(list)": (
        lambda: s2s.nondifferentiable([], reason="r"),
        Refused(s2s.UsageError),
    ),
    "nondifferentiable reason int": (
        lambda: s2s.nondifferentiable(np.sinc, reason=3),
        Refused(s2s.UsageError),
    ),
}



def sinc_tangent(result, x):
    d[result] = d[x] * 0.0


def finite(value):
    return bool(np.all(np.isfinite(value)))


CASES.update({
    # -- forward mode: the tangents
    "jvp(int)": (lambda: s2s.jvp(3), Refused(s2s.UsageError, "not a builtins.int")),
    "jvp bogus option": (lambda: s2s.jvp(f, undefined="x"), Refused(s2s.UsageError)),
    "jvp wrt out of range": (lambda: s2s.jvp(f, wrt=7), Refused(s2s.WrtError)),
    "jvp x int array": (lambda: s2s.jvp(f)(np.arange(3), Y, X), Refused(s2s.DtypeError)),
    "jvp tangent missing": (lambda: s2s.jvp(f)(X, Y), Refused(s2s.UsageError, "x_dot")),
    "jvp tangent shape": (lambda: s2s.jvp(f)(X, Y, np.ones(4)), Refused(s2s.TangentError)),
    "jvp tangent scalar": (lambda: s2s.jvp(f)(X, Y, 1.0), Refused(s2s.TangentError)),
    "jvp tangent int": (lambda: s2s.jvp(f)(X, Y, np.ones(3, int)), Refused(s2s.TangentError)),
    "jvp tangent complex": (lambda: s2s.jvp(f)(X, Y, X + 0j), Refused(s2s.TangentError)),
    "jvp tangent str": (lambda: s2s.jvp(f)(X, Y, "a"), Refused(s2s.TangentError)),
    "jvp tangent None": (lambda: s2s.jvp(f)(X, Y, None), Refused(s2s.TangentError)),
    "jvp tangent list": (lambda: s2s.jvp(f)(X, Y, [1.0, 1.0, 1.0]), Refused(s2s.TangentError)),
    "jvp tangent NaN": (
        lambda: s2s.jvp(f)(X, Y, np.full(3, np.nan)),
        Answer(lambda r: finite(r[0]) and np.isnan(r[1])),
    ),
    "jvp empty": (
        lambda: s2s.jvp(f)(np.ones(0), np.ones(0), np.ones(0)),
        Answer(lambda r: r == (0.0, 0.0)),
    ),
    "jvp x inf": (
        lambda: s2s.jvp(f)(INF, Y, np.ones(3)),
        Answer(lambda r: np.isclose(r[1], f_grad(INF, Y) @ np.ones(3))),
    ),
    # -- Hessian-vector products, Hessians, Jacobians
    "hvp(int)": (lambda: s2s.hvp(3), Refused(s2s.UsageError, "not a builtins.int")),
    "hvp bogus option": (lambda: s2s.hvp(f, bogus=1), Refused(s2s.UsageError, "bogus")),
    "hvp x int array": (lambda: s2s.hvp(f)(np.arange(3), Y, X), Refused(s2s.DtypeError)),
    "hvp direction missing": (lambda: s2s.hvp(f)(X, Y), Refused(s2s.UsageError, "x_dot")),
    "hvp direction shape": (lambda: s2s.hvp(f)(X, Y, np.ones(4)), Refused(s2s.TangentError)),
    "hvp direction str": (lambda: s2s.hvp(f)(X, Y, "a"), Refused(s2s.TangentError)),
    "hvp of a vector": (lambda: s2s.hvp(vec)(X, X), Refused(s2s.NonScalarOutputError)),
    "hvp x NaN": (lambda: s2s.hvp(f)(NAN, Y, np.ones(3)), Answer(lambda h: np.isnan(h[0]))),
    "hessp(int)": (lambda: s2s.hessp(3), Refused(s2s.UsageError, "not a builtins.int")),
    "hessp bogus option": (lambda: s2s.hessp(f, bogus=1), Refused(s2s.UsageError, "bogus")),
    "hessp direction shape": (lambda: s2s.hessp(f)(X, np.ones(4), Y), Refused(s2s.TangentError)),
    "hessp x NaN": (lambda: s2s.hessp(f)(NAN, np.ones(3), Y), Answer(lambda h: np.isnan(h[0]))),
    "hessian(int)": (lambda: s2s.hessian(3), Refused(s2s.UsageError, "not a builtins.int")),
    "hessian bogus option": (lambda: s2s.hessian(f, bogus=1), Refused(s2s.UsageError)),
    "hessian wrt out of range": (lambda: s2s.hessian(f, wrt=9), Refused(s2s.WrtError)),
    "hessian x str": (lambda: s2s.hessian(f)("abc", Y), Refused(s2s.DtypeError)),
    "hessian of a vector": (lambda: s2s.hessian(vec)(X), Refused(s2s.NonScalarOutputError)),
    "hessian empty": (
        lambda: s2s.hessian(f)(np.ones(0), np.ones(0)),
        Answer(lambda h: h.shape == (0, 0)),
    ),
    "hessian too many arguments": (
        lambda: s2s.hessian(f)(X, Y, X),
        AsPlain(lambda: f(X, Y, X)),
    ),
    "jacobian(int)": (lambda: s2s.jacobian(3), Refused(s2s.UsageError, "not a builtins.int")),
    "jacobian mode bogus": (lambda: s2s.jacobian(vec, mode="x"), Refused(s2s.UsageError)),
    "jacobian bogus option": (lambda: s2s.jacobian(vec, bogus=1), Refused(s2s.UsageError)),
    "jacobian x int array": (lambda: s2s.jacobian(vec)(np.arange(3)), Refused(s2s.DtypeError)),
    "jacobian x None": (lambda: s2s.jacobian(vec)(None), Refused(s2s.DtypeError)),
    "jacobian empty": (lambda: s2s.jacobian(vec)(np.ones(0)), Answer(lambda j: j.shape == (0, 0))),
    "jacobian x inf": (
        lambda: s2s.jacobian(vec, mode="reverse")(INF),
        Answer(lambda j: np.array_equal(j, np.diag(2 * (1 - np.tanh(INF) ** 2)))),
    ),
    # -- check_grad
    "check_grad(int)": (lambda: s2s.check_grad(3, X), Refused(s2s.UsageError)),
    "check_grad modes bogus": (
        lambda: s2s.check_grad(f, X, Y, modes=("bogus",)),
        Refused(s2s.UsageError, "modes"),
    ),
    "check_grad modes str": (
        lambda: s2s.check_grad(f, X, Y, modes="rev"),
        Refused(s2s.UsageError, "modes"),
    ),
    "check_grad order 5": (lambda: s2s.check_grad(f, X, Y, order=5), Refused(s2s.UsageError)),
    "check_grad order str": (lambda: s2s.check_grad(f, X, Y, order="2"), Refused(s2s.UsageError)),
    "check_grad seed str": (lambda: s2s.check_grad(f, X, Y, seed="a"), Refused(s2s.UsageError)),
    "check_grad wrt out of range": (
        lambda: s2s.check_grad(f, X, Y, wrt=9),
        Refused(s2s.WrtError, "out of range"),
    ),
    "check_grad no arguments": (lambda: s2s.check_grad(f), AsPlain(lambda: f())),
    "check_grad x int array": (
        lambda: s2s.check_grad(f, np.arange(3), Y),
        Refused(s2s.DtypeError),
    ),
    "check_grad x NaN": (
        lambda: s2s.check_grad(f, NAN, Y, order=1),
        Refused(s2s.UsageError, "argument 'x' is not finite (nan at entry [0])"),
    ),
    "check_grad x inf": (
        lambda: s2s.check_grad(f, X, INF, wrt=1),
        Refused(s2s.UsageError, "argument 'y' is not finite (inf at entry [0])"),
    ),
    "check_grad value overflows": (
        lambda: s2s.check_grad(_squares, np.array([1e200, 1.0])),
        Refused(s2s.UsageError, "f's value at the arguments is not finite (inf)"),
    ),
    "check_grad step leaves the domain": (
        lambda: s2s.check_grad(_logs, np.array([1e-9, 1.0])),
        Refused(s2s.UsageError, "the value at the shifted point"),
    ),
    "check_grad right": (lambda: s2s.check_grad(f, X, Y), Answer(lambda r: r is None)),
    # -- elementwise, linear and tangent rules
    "elementwise(int)": (lambda: s2s.elementwise(3, source="s"), Refused(s2s.UsageError)),
    "elementwise source int": (
        lambda: s2s.elementwise(np.sinc, source=3),
        Refused(s2s.UsageError, "text"),
    ),
    "elementwise of a non-function": (
        lambda: s2s.elementwise(np.sinc, source="s")(3),
        Refused(s2s.UsageError),
    ),
    "linear(int)": (lambda: s2s.linear(3), Refused(s2s.UsageError)),
    "linear of a non-function": (lambda: s2s.linear(np.sinc)(3), Refused(s2s.UsageError)),
    "tangent(int)": (lambda: s2s.tangent(3), Refused(s2s.UsageError)),
    "tangent outputs 0": (lambda: s2s.tangent(np.sinc, outputs=0), Refused(s2s.UsageError)),
    "tangent of a non-function": (lambda: s2s.tangent(np.sinc)(3), Refused(s2s.UsageError)),
    "tangent of a linear rule": (
        lambda: s2s.tangent(np.transpose)(sinc_tangent),
        Refused(s2s.UsageError, "registered as"),
    ),
    # -- s2s.tree
    "tree.flatten(None)": (lambda: s2s.tree.flatten(None), Answer(lambda r: r[0] == [None])),
    "tree.flatten(str)": (lambda: s2s.tree.flatten("abc"), Answer(lambda r: r[0] == ["abc"])),
    "tree.unflatten bad treedef": (lambda: s2s.tree.unflatten(3, [X]), Refused(s2s.UsageError)),
    "tree.unflatten too few leaves": (
        lambda: s2s.tree.unflatten(s2s.tree.flatten({"a": X, "b": Y})[1], [X]),
        Refused(s2s.UsageError, "2 leaves"),
    ),
    "tree.unflatten leaves int": (
        lambda: s2s.tree.unflatten(s2s.tree.flatten({"a": X})[1], 3),
        Refused(s2s.UsageError),
    ),
    "tree.ravel(str)": (lambda: s2s.tree.ravel("abc"), Answer(lambda r: r[1](r[0]) == "abc")),
    "tree.ravel int leaves": (
        lambda: s2s.tree.ravel({"a": np.arange(3), "b": X}),
        Answer(lambda r: np.array_equal(r[0], X) and np.array_equal(r[1](r[0])["a"], [0, 1, 2])),
    ),
    "tree.ravel empty": (lambda: s2s.tree.ravel({}), Answer(lambda r: r[0].shape == (0,))),
    "tree.ravel NaN": (lambda: s2s.tree.ravel({"a": NAN}), Answer(lambda r: np.isnan(r[0][0]))),
    "tree.ravel unravel wrong length": (
        lambda: s2s.tree.ravel({"a": X})[1](np.ones(5)),
        Refused(s2s.UsageError, "shape (3,)"),
    ),
    "tree.ravel unravel str": (
        lambda: s2s.tree.ravel({"a": X})[1]("abc"),
        Refused(s2s.UsageError),
    ),
    "tree.ravel_like(None)": (lambda: s2s.tree.ravel_like(None), Answer(lambda v: v.size == 0)),
    "tree.ravel_like huge": (
        lambda: s2s.tree.ravel_like({"a": np.full(2, 1e308)}),
        Answer(lambda v: np.array_equal(v, np.full(2, 1e308))),
    ),
    # -- the derivative class itself
    "Derivative(int)": (
        lambda: s2s.Derivative(3, 0, "grad", None),
        Refused(s2s.UsageError, "not a builtins.int"),
    ),
    "value_and_grad(int)": (lambda: s2s.value_and_grad(3), Refused(s2s.UsageError)),
    "vjp(int)": (lambda: s2s.vjp(3), Refused(s2s.UsageError)),
    "vjp x int array": (lambda: s2s.vjp(f)(np.arange(3), Y), Refused(s2s.DtypeError)),
    "vjp x empty": (
        lambda: s2s.vjp(f)(np.ones(0), np.ones(0))[1](1.0),
        Answer(lambda g: g.shape == (0,)),
    ),
})

# Every public entry point (s2s.__all__ and s2s.tree's functions), with the cases that call it
# with bad input; test_every_public_entry_point_has_bad_input_cases keeps this complete.
COVERS = {
    "grad": ["grad(int)", "wrt float", "disconnected bogus", "x str", "x NaN", "x empty"],
    "value_and_grad": ["value_and_grad(int)", "has_aux int", "value_and_grad NaN"],
    "vjp": ["vjp(int)", "nan None", "vjp x int array", "vjp x empty", "cotangent shape"],
    "jvp": ["jvp(int)", "jvp tangent shape", "jvp tangent str", "jvp tangent NaN", "jvp empty"],
    "hvp": ["hvp(int)", "hvp bogus option", "hvp direction shape", "hvp x NaN"],
    "hessp": ["hessp(int)", "hessp bogus option", "hessp direction shape", "hessp x NaN"],
    "hessian": ["hessian(int)", "hessian x str", "hessian empty", "hessian of a vector"],
    "jacobian": ["jacobian(int)", "jacobian mode bogus", "jacobian empty", "jacobian x inf"],
    "check_grad": ["check_grad(int)", "check_grad wrt out of range", "check_grad x NaN",
                   "check_grad value overflows", "check_grad step leaves the domain"],
    "source": ["source(int)", "source(function)"],
    "stop_gradient": ["stop_gradient(str)"],
    "MemoryBudget": ["MemoryBudget(str)", "MemoryBudget(0)", "MemoryBudget(NaN)"],
    "zero_grad": ["zero_grad(None)"],
    "undefined_grad": ["undefined_grad(x, 3)"],
    "d": ["d outside a template"],
    "adjoint": ["adjoint(int)", "adjoint outputs 0", "adjoint returning"],
    "elementwise": ["elementwise(int)", "elementwise source int"],
    "linear": ["linear(int)", "linear of a non-function"],
    "tangent": ["tangent(int)", "tangent outputs 0", "tangent of a linear rule"],
    "nondifferentiable": ["nondifferentiable(list)", "nondifferentiable reason int"],
    "Derivative": ["Derivative(int)"],
    "tree.flatten": ["tree.flatten(None)", "tree.flatten(str)"],
    "tree.unflatten": ["tree.unflatten bad treedef", "tree.unflatten too few leaves"],
    "tree.ravel": ["tree.ravel(str)", "tree.ravel NaN", "tree.ravel unravel wrong length"],
    "tree.ravel_like": ["tree.ravel_like(None)", "tree.ravel_like huge"],
}
# Public names that are no entry point: s2s returns them, the user does not call them with data
NOT_ENTRY_POINTS = {
    "Undefined": "the marker undefined='return' hands back",
    "tree.TreeDef": "the structure flatten returns",
    "tree": "a module: its functions are listed one by one",
}

@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # np.matrix
@pytest.mark.parametrize("name", list(CASES))
def test_bad_input(name):
    call, expect = CASES[name]
    with np.errstate(all="ignore"):
        try:
            result = call()
        except s2s.S2SError as error:
            assert isinstance(expect, Refused), f"{name}: unexpected {error!r}"
            assert isinstance(error, expect.cls), error
            assert expect.words in str(error)
            assert is_located(error), f"{name}: not located: {error!r}"
            return
        except Exception as error:
            assert isinstance(expect, AsPlain), f"{name}: crash inside s2s: {error!r}"
            with pytest.raises(type(error)):
                expect.plain()
            return
    assert isinstance(expect, Answer), f"{name}: expected {expect}, got {result!r}"
    assert expect.check(result) is not False


def test_every_public_entry_point_has_bad_input_cases():
    """Every public callable of s2s (exceptions aside) is listed in COVERS with cases that
    exist; a new entry point without bad-input cases fails here."""
    public = {n for n in s2s.__all__
              if not (isinstance(getattr(s2s, n), type) and issubclass(getattr(s2s, n), Exception))}
    public |= {f"tree.{n}" for n in s2s.tree.__all__}  # fmt: skip
    assert public - set(COVERS) - set(NOT_ENTRY_POINTS) == set()
    assert set(COVERS) - public == set()
    missing = [c for cases in COVERS.values() for c in cases if c not in CASES]
    assert not missing


def test_a_derivative_with_a_bad_argument_still_works_after():
    derivative = s2s.grad(f)
    with pytest.raises(s2s.DtypeError):
        derivative(np.arange(3), Y)
    np.testing.assert_allclose(derivative(X, Y), f_grad(X, Y))


# -- the command line ----------------------------------------------------------------------------

MODULE = """\
import numpy as np

def f(x, y):
    return np.sum(np.tanh(x) * y)

NOT_A_FUNCTION = 3
"""


@pytest.mark.parametrize(
    "args, words",
    [
        ([], "required"),
        (["show"], "required"),
        (["show", "nocolon"], "expected FILE.py:QUALNAME"),
        (["show", "missing.py:f"], "no such file"),
        (["show", ".:f"], "no such file"),
        (["show", "syntax.py:f"], "raised SyntaxError"),
        (["show", "raising.py:f"], "raised RuntimeError: at import"),
        (["show", "mod.py:nothere"], "has no 'nothere'"),
        (["show", "mod.py:NOT_A_FUNCTION"], "is a builtins.int, not a Python function"),
        (["show", "mod.py:np.sin"], "numpy.ufunc"),
        (["show", "mod.py:f", "--wrt", "z"], "WrtError"),
        (["show", "mod.py:f", "--wrt", ","], "WrtError"),
        (["show", "mod.py:f", "--wrt", "0,0"], "WrtError"),
    ],
)
def test_command_line_errors_are_one_line_messages(tmp_path, args, words):
    (tmp_path / "mod.py").write_text(MODULE)
    (tmp_path / "syntax.py").write_text("def f(x:\n    return x\n")
    (tmp_path / "raising.py").write_text("raise RuntimeError('at import')\n")
    out = subprocess.run(
        [sys.executable, "-m", "s2s", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert out.returncode != 0
    assert "Traceback" not in out.stderr, out.stderr
    assert words in out.stderr, out.stderr


def test_command_line_prints_a_derivative(tmp_path):
    (tmp_path / "mod.py").write_text(MODULE)
    out = subprocess.run(
        [sys.executable, "-m", "s2s", "show", "mod.py:f", "--wrt", "x,1"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "def d_f(x, y):" in out.stdout


@pytest.mark.parametrize("make", [s2s.jvp, s2s.hvp], ids=["jvp", "hvp"])
def test_a_wrong_direction_is_reported_at_the_call(make):
    """hvp is the JVP of a generated gradient: its TangentError named the generated code's
    file (`<s2s d_f ...>:2`), then the user's def line; now the user's call."""
    with pytest.raises(s2s.TangentError) as info:
        make(f)(X, Y, np.ones(4))  # MARK: wrong direction
    assert_located(info.value, test_a_wrong_direction_is_reported_at_the_call,
                   "# MARK: wrong direction", "shape of `x`")  # fmt: skip



def cast_to_float32(x):
    return np.float32(np.sum(x))  # MARK: cast


def test_a_numpy_scalar_cast_advises_astype():
    with pytest.raises(s2s.NoRuleError) as info:
        s2s.grad(cast_to_float32)(np.array([0.5, 1.0]))
    assert_located(info.value, cast_to_float32, "# MARK: cast", "t.astype(np.float32)")
