# ruff: noqa: E501  (the templates of generated lines are long)
"""Writes s2s/runtime/plain_vectorized_calls.py (and, for more arguments,
plain_vectorized_calls45.py and plain_vectorized_calls6.py, each under the 600-line limit):
the per-arity functions and twins of :mod:`s2s.runtime.plain_vectorized` (one version per
number of arguments, 1 to ``N``, the most a ``numpy.vectorize`` call is differentiated for).

``python -m tools.vectorized_calls`` rewrites the modules, then formats them with ruff; the
pattern is the same for each ``n``, so change it here rather than in the modules.
"""

import pathlib
import subprocess
import sys

N = 6
RUNTIME = pathlib.Path(__file__).resolve().parent.parent / "s2s/runtime"
GROUPS = [("plain_vectorized_calls", (1, 2, 3)), ("plain_vectorized_calls45", (4, 5)),
          ("plain_vectorized_calls6", (6,))]


def xs(n, p="x"):
    return [f"{p}{i}" for i in range(n)]


def j(items):
    return ", ".join(items)


def add(terms, indent="    "):
    # one term a line
    return ("(\n" + "".join(f"{indent}    {'+ ' if k else ''}{t}\n" for k, t in enumerate(terms)) + f"{indent})")
head = rf'''"""The per-call scalar functions of :mod:`s2s.runtime.plain_vectorized` and its twins, one
version per number of arguments ``n`` of the ``numpy.vectorize`` object (1 to 3 here, 4 to
{N} in plain_vectorized_calls45.py and plain_vectorized_calls6.py): a
derivative is taken by a parameter's name, and differentiated code does not call
``f(*args)``. Written by ``python -m tools.vectorized_calls`` (the pattern is the same for
each ``n``): ``weighted{{n}}`` is ``F``, ``contracted{{n}}`` is ``S``, ``directional{{n}}``
is ``Q`` and ``curved{{n}}`` is ``E`` of that module's docstring; ``adjoint_adjoint{{n}}``,
``tangent_adjoint{{n}}``, ``adjoint_tangent{{n}}`` and ``tangent_tangent{{n}}`` the twins for
``n`` arguments.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from s2s.errors import NoRuleError, caller_location
from s2s.runtime import vectorized_second as helpers
from s2s.runtime.sources import plain
from s2s.runtime.tangents import grad_of
from s2s.runtime.vectorized import vectorized_grads

ARITY = {N}  # the most arguments a vectorize object's fourth derivative is taken for
_OBJECTS: dict[Any, Any] = {{}}
_CORE = re.compile(r"\(([^()]*)\)")


def call_object(vf: Any, n: int, function: Any) -> Any:
    """``np.vectorize(function)`` looping as ``vf`` does over ``vf``'s ``n`` arguments:
    ``function`` takes ``(f, c, x..., a..., u, v...)``, ``f`` passed whole, ``c`` and ``u``
    of the output's kind (its core dimensions), ``x``, ``a`` and ``v`` of each argument's
    (excluded where it is, with its core dimensions), and returns a scalar. Refused (a
    located :class:`s2s.errors.NoRuleError`) for more than :data:`ARITY` arguments."""
    if n > ARITY:
        raise NoRuleError(
            f"a fourth derivative through a numpy.vectorize object is taken for 1 to {{ARITY}} "
            f"arguments (this one has {{n}})",
            caller_location(),
            "stack some arguments into one array (with signature=), or bind constants to the "
            "function with functools.partial",
        )
    excluded = frozenset(i if i >= 0 else i + n for i in vf.excluded if isinstance(i, int))
    key = (function, n, vf.signature, excluded)
    if key not in _OBJECTS:
        skip = {{0}} | {{k for i in excluded for k in (2 + i, 2 + n + i, 3 + 2 * n + i)}}
        signature = None
        if vf.signature is not None:
            ins, outs = vf.signature.replace(" ", "").split("->")
            cores = iter(_CORE.findall(ins))
            arg = [None if i in excluded else f"({{next(cores)}})" for i in range(n)]
            out = f"({{_CORE.findall(outs)[0]}})"
            spec = [out, *arg, *arg, out, *arg]
            signature = ",".join(s for s in spec if s is not None) + "->()"
        _OBJECTS[key] = np.vectorize(function, excluded=skip, signature=signature)
    return _OBJECTS[key]
'''
def arity(n):
    """The functions and twins for ``n`` arguments, and their names."""
    out, names = [], []
    X, A, V = xs(n), xs(n, "a"), xs(n, "v")
    out.append(f'''def weighted{n}({j(X)}, c, f):
    return np.sum(c * f({j(X)}))
''')
    terms = [f'np.sum(a{i} * grad_of(weighted{n}, "x{i}")({j(X)}, c, f))' for i in range(n)]
    out.append(f'''def contracted{n}(c, {j(X)}, {j(A)}, f):
    return {add(terms)}
''')
    sargs = f'c, {j(X)}, {j(A)}, f'
    terms = [f'np.sum(u * grad_of(contracted{n}, "c")({sargs}))'] + [
        f'np.sum(v{i} * grad_of(contracted{n}, "x{i}")({sargs}))' for i in range(n)]
    qargs = f'f, c, {j(X)}, {j(A)}, u, {j(V)}'
    out.append(f'''def directional{n}({qargs}):
    return {add(terms)}
''')
    terms = [f'np.sum(u * grad_of(directional{n}, "c")({qargs}))'] + [
        f'np.sum(v{i} * grad_of(directional{n}, "x{i}")({qargs}))' for i in range(n)]
    out.append(f'''def curved{n}({qargs}):
    return {add(terms)}
''')
    names += [f"weighted{n}", f"contracted{n}", f"directional{n}", f"curved{n}",
              f"adjoint_adjoint{n}", f"tangent_adjoint{n}", f"adjoint_tangent{n}", f"tangent_tangent{n}"]
    xdef = "".join(f"    x{i} = args[{i}]\n" for i in range(n))
    big = f"[vf.pyfunc, g, {j(X)}, {j(A)}, u, {j(V)}]"
    P = lambda k: f"parts[{k}]"
    xparts = "[" + j(P(2 + i) for i in range(n)) + "]"
    aparts = "[" + j(P(2 + n + i) for i in range(n)) + "]"
    vparts = "[" + j(P(3 + 2 * n + i) for i in range(n)) + "]"
    out.append(f'''def adjoint_adjoint{n}(cg: Any, cargs: Any, ct: Any, g: Any, vf: Any, args: Any) -> Any:
{xdef}''' + "".join(f"    a{i} = x{i} * 0.0 if ct is None or ct[{i}] is None else ct[{i}]\n" for i in range(n)) + "    u = g * 0.0 if cg is None else cg\n" + "".join(f"    v{i} = x{i} * 0.0 if cargs is None or cargs[{i}] is None else cargs[{i}]\n" for i in range(n)) + f'''    parts = vectorized_grads(1.0, call_object(vf, len(args), directional{n}), {big})
    return [{aparts}, parts[1], {xparts}]
''')
    out.append(f'''def tangent_adjoint{n}(ct: Any, tg: Any, g: Any, vf: Any, args: Any, tangents: Any) -> Any:
{xdef}''' + "".join(f"    a{i} = x{i} * 0.0 if ct is None or ct[{i}] is None else ct[{i}]\n" for i in range(n)) + "    u = g * 0.0 if tg is None else tg\n" + "".join(f"    v{i} = x{i} * 0.0 if tangents is None or tangents[{i}] is None else tangents[{i}]\n" for i in range(n)) + f'''    parts = vectorized_grads(1.0, call_object(vf, len(args), directional{n}), {big})
    return [parts[{2 + 2 * n}], parts[1], {xparts}, {vparts}]
''')
    out.append(f'''def adjoint_tangent{n}(dct: Any, dg: Any, dargs: Any, ct: Any, g: Any, vf: Any, args: Any) -> Any:
{xdef}''' + "".join(f"    a{i} = x{i} * 0.0 if ct is None or ct[{i}] is None else ct[{i}]\n" for i in range(n)) + "    u = g * 0.0 if dg is None else dg\n" + "".join(f"    v{i} = x{i} * 0.0 if dargs is None or dargs[{i}] is None else dargs[{i}]\n" for i in range(n)) + f'''    parts = vectorized_grads(1.0, call_object(vf, len(args), directional{n}), {big})
    d_g = parts[1]
''' + "".join(f"    d_x{i} = parts[{2 + i}]\n" for i in range(n)) + "    if dct is not None:\n" + "".join(f"        w{i} = x{i} * 0.0 if dct[{i}] is None else dct[{i}]\n" for i in range(n)) + f"        linear = helpers.vectorized_grads_adjoint([{j(f'w{i}' for i in range(n))}], g, vf, args)\n        d_g = d_g + linear[0]\n" + "".join(f"        d_x{k} = d_x{k} + linear[1][{k}]\n" for k in range(n)) + f'''    return [d_g, [{j(f"d_x{i}" for i in range(n))}]]
''')
    out.append(f'''def tangent_tangent{n}(dtg: Any, dg: Any, dargs: Any, dtangents: Any, tg: Any, g: Any, vf: Any,
                     args: Any, tangents: Any) -> Any:
{xdef}''' + "".join(f"    out{i} = x{i} * 0.0\n" for i in range(n)) + '''    if dtg is not None or dtangents is not None:
        du = g * 0.0 if dtg is None else dtg
''' + "".join(f"        dw{i} = x{i} * 0.0 if dtangents is None or dtangents[{i}] is None else dtangents[{i}]\n" for i in range(n)) + f'''        linear = helpers.vectorized_grads_tangent(du, g, vf, args, [{j(f"dw{i}" for i in range(n))}])
''' + "".join(f"        out{i} = out{i} + linear[{i}]\n" for i in range(n)) + '''    if dg is not None or dargs is not None:
        u1 = g * 0.0 if tg is None else tg
        u2 = g * 0.0 if dg is None else dg
''' + "".join(f"        p{i} = x{i} * 0.0 if tangents is None or tangents[{i}] is None else tangents[{i}]\n        q{i} = x{i} * 0.0 if dargs is None or dargs[{i}] is None else dargs[{i}]\n        z{i} = x{i} * 0.0\n" for i in range(n)) + f'''        ve = call_object(vf, len(args), curved{n})
        plus = vectorized_grads(1.0, ve, [vf.pyfunc, g, {j(X)}, {j(f"z{i}" for i in range(n))}, u1 + u2, {j(f"p{i} + q{i}" for i in range(n))}])
        minus = vectorized_grads(1.0, ve, [vf.pyfunc, g, {j(X)}, {j(f"z{i}" for i in range(n))}, u1 - u2, {j(f"p{i} - q{i}" for i in range(n))}])
''' + "".join(f"        out{i} = out{i} + 0.25 * (plus[{2 + n + i}] - minus[{2 + n + i}])\n" for i in range(n)) + f'''    return [{j(f"out{i}" for i in range(n))}]
''')
    return out, names


def more_head(arities):
    return rf'''"""The functions and twins of :mod:`s2s.runtime.plain_vectorized_calls` for
``numpy.vectorize`` objects of {" and ".join(map(str, arities))} arguments (a module of their
own under the 600-line limit). Written by ``python -m tools.vectorized_calls``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from s2s.runtime import vectorized_second as helpers
from s2s.runtime.plain_vectorized_calls import call_object
from s2s.runtime.sources import plain
from s2s.runtime.tangents import grad_of
from s2s.runtime.vectorized import vectorized_grads
'''


if __name__ == "__main__":
    for module, arities in GROUPS:
        out, names = [head if arities[0] == 1 else more_head(arities)], []
        for n in arities:
            chunks, named = arity(n)
            out += chunks
            names += named
        out.append("plain(" + j(names) + ")\n")
        target = RUNTIME / f"{module}.py"
        target.write_text("\n\n".join(out))
        subprocess.run([sys.executable, "-m", "ruff", "format", str(target)], check=True)
