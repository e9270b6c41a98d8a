"""Writes s2s/runtime/plain_vectorized_tangent45.py and plain_vectorized_tangent6.py (each
under the 600-line limit): the per-call JVP functions of
:mod:`s2s.runtime.plain_vectorized_tangent` for ``numpy.vectorize`` objects of 4 to ``N``
arguments (that module writes those of 1 to 3 by hand), one per number of arguments ``n`` and
set of differentiated positions, since a JVP is taken by its arguments' names and
differentiated code does not call ``f(*args)``.

``python -m tools.vectorized_tangents`` rewrites the modules, then formats them with ruff; the
pattern is the same for each ``n`` and set, so change it here rather than in the module.
"""

import itertools
import pathlib
import subprocess
import sys

RUNTIME = pathlib.Path(__file__).resolve().parent.parent / "s2s/runtime"
GROUPS = [("plain_vectorized_tangent45", (4, 5)), ("plain_vectorized_tangent6", (6,))]

HEAD = '''"""The per-call JVP functions of :mod:`s2s.runtime.plain_vectorized_tangent` for
``numpy.vectorize`` objects of {arities} arguments: ``jvp{{n}}_{{used}}(f, x..., t...)`` is the JVP
of ``f(x...)`` along the tangents of the positions ``used`` (the other tangents are passed
as given and unused). Plain functions, differentiated from their source at the next order.
Written by ``python -m tools.vectorized_tangents`` (the pattern is the same for each ``n``).
"""

from __future__ import annotations

from s2s.runtime.callers import CALLERS
from s2s.runtime.sources import plain
from s2s.runtime.tangents import jvp_of
'''


def function(n, used):
    xs = [f"x{i}" for i in range(n)]
    ts = [f"t{i}" for i in range(n)]
    name = f"jvp{n}_{''.join(map(str, used))}"
    names = ", ".join(f'"a{i}"' for i in used) + ("," if len(used) == 1 else "")
    given = ", ".join(f"t{i}" for i in used)
    text = (
        f"def {name}(f, {', '.join(xs)}, {', '.join(ts)}):\n"
        f"    return jvp_of(CALLERS[{n}], ({names}))({given}, f, {', '.join(xs)})[1]\n"
    )
    key = tuple(used) + (None,) * (n - len(used))
    return name, key, text


if __name__ == "__main__":
    for module, arities in GROUPS:
        chunks, keys = [HEAD.format(arities=" and ".join(map(str, arities)))], []
        for n in arities:
            for size in range(1, n + 1):
                for used in itertools.combinations(range(n), size):
                    name, key, text = function(n, used)
                    chunks.append(text)
                    keys.append(f"    {key!r}: {name},\n")
        chunks.append("JVPS = {\n" + "".join(keys) + "}\n")
        chunks.append("plain(*JVPS.values())\n")
        target = RUNTIME / f"{module}.py"
        target.write_text("\n\n".join(chunks))
        subprocess.run([sys.executable, "-m", "ruff", "format", str(target)], check=True)
