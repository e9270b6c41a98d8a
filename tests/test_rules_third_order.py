"""Third derivatives of every differentiable rule, against differences of the second.

For each rule's first row with a real floating output: ``phi(t) = <u, f(x + t v)>`` along a
random direction ``v`` of the differentiated arguments and a random cotangent ``u``, and
``grad(grad(grad(phi)))(0)`` (reverse, then forward sweeps over the derivative: the rule's
adjoint and its runtime helpers differentiated twice) against the central difference, with
Richardson's extrapolation, of ``grad(grad(phi))``. A deterministic eighth of the rules runs in
the default suite, the others with ``-m slow``; a rule added to the registry is checked here
with no list to edit. The fourth derivatives, against differences of the third, run with
``-m long`` (two minutes on two cores; not in CI).
"""

from __future__ import annotations

import importlib.util
import pathlib
import tempfile
import zlib

import gradcheck as gc
import numpy as np
import pytest
import rows
from rows.spec import Row

import s2s
from s2s import registry


def _name(row: Row) -> str:
    return registry.qualified_name(row.key)


_FACTORIES: dict[tuple[bool, ...], object] = {}


def _line(fn, args: list, wrt: tuple[int, ...], directions: list, u):
    """``phi(t) = sum(u * fn(args moved by t along directions))``, the arguments outside
    ``wrt`` passed as they are (constants to s2s: an integer index stays an integer). Its
    source, one per pattern of moved arguments, is written to a module of its own (s2s reads
    a function's source from its file)."""
    moves = tuple(i in wrt for i in range(len(args)))
    factory = _FACTORIES.get(moves)
    if factory is None:
        parts = ", ".join(f"args[{i}] + t * steps[{i}]" if m else f"args[{i}]"
                          for i, m in enumerate(moves))  # fmt: skip
        source = (
            "import numpy as np\n\n\ndef line(fn, args, steps, u):\n"
            "    def phi(t):\n"
            f"        return np.sum(u * fn({parts}))\n\n"
            "    return phi\n"
        )
        name = "third_order_line_" + "".join("1" if m else "0" for m in moves)
        path = pathlib.Path(tempfile.mkdtemp()) / f"{name}.py"
        path.write_text(source)
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        factory = _FACTORIES[moves] = module.line
    steps = [directions[wrt.index(i)] if i in wrt else None for i in range(len(args))]
    return factory(fn, list(args), steps, u)


def _real_floating(value) -> bool:
    real = isinstance(value, (np.ndarray, float, np.floating))
    return real and np.asarray(value).dtype.kind == "f"


def _params() -> list:
    params, seen = [], set()
    for row in rows.DIFFERENTIABLE:
        name = _name(row)
        if name in seen:
            continue
        seen.add(name)
        fast = zlib.crc32(name.encode()) % 8 == 0
        params.append(pytest.param(row, id=row.id, marks=() if fast else pytest.mark.slow))
    return params


# fourth derivatives that s2s does not take: np.vectorize's own second-order helpers, reached
# through np.vectorize at the fourth order only
FOURTH_UNSUPPORTED = {
    "s2s.runtime.vectorized_second.vectorized_grads_tangent": "minutes to generate",
    "s2s.runtime.vectorized_second.vectorized_grads_adjoint": "the per-call function's own "
    "derivative object is an argument there (README: np.vectorize to the third order)",
}


def _check(row: Row, order: int) -> None:
    rng, args = row.draw()
    with np.errstate(all="ignore"):
        value = row.fn(*args)
    if not _real_floating(value):
        pytest.skip("the rule's output is not a real floating array (no <u, f> to take)")
    directions = [gc.random_like(rng, args[i], s) for i, s in zip(row.wrt, row.sym)]
    u = rng.standard_normal(np.shape(value))
    below = _line(gc.fresh(row.fn), args, row.wrt, directions, u)
    with np.errstate(all="ignore"):
        for _ in range(order - 1):
            below = s2s.grad(below)
        got = s2s.grad(below)(0.0)
        expected = gc.richardson(below, 1e-3)
    assert isinstance(got, float)
    scale = abs(expected) + abs(got) + 1.0
    assert abs(got - expected) <= 1e-5 * scale, (row.id, got, float(expected))


@pytest.mark.parametrize("row", _params())
def test_third_derivative_agrees_with_differences_of_the_second(row: Row):
    _check(row, 3)


@pytest.mark.long
@pytest.mark.parametrize(
    "row", [r.values[0] for r in _params() if _name(r.values[0]) not in FOURTH_UNSUPPORTED],
    ids=lambda r: r.id,
)
def test_fourth_derivative_agrees_with_differences_of_the_third(row: Row):
    _check(row, 4)
