"""More constructs users write, drawn as items of a function body (see :class:`Scope.item`).

Each draws its statement, runs it on the concrete values (:meth:`Scope.run`) and writes it only
if it ran to valid values, so the program stays valid Python whose plain call runs:

- ``with np.errstate(...)`` around a few statements;
- ``try``/``finally`` and ``try``/``except`` (an ``except`` that is not reached, binding what
  the body binds);
- functions passed as values: a helper taking ``act`` (``np.tanh``...);
- ``np.add.at`` on a local array, with repeated indices;
- reductions with ``where=`` on a data mask at a margin from its threshold;
- the pieces of ``np.split``/``np.array_split`` joined again, stacked, or indexed;
- a dict parameter (``p["w"]``), differentiated as a whole (:func:`dict_param`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

ACTIVATIONS = ["np.tanh", "np.sin", "np.cos", "np.arctan"]  # smooth and bounded on all reals


def _block(scope: Any, n: int) -> tuple[list[str], list[str]] | None:
    """``n`` statements written in a copy of ``scope``: their lines and the new floats."""
    from fuzz.programs import Scope

    inner = Scope(scope.gen, scope.env(), list(scope.floats), 0, scope.function)
    before = len(inner.floats)
    for _ in range(n):
        inner.statement()
    lines = [text for _, text in inner.lines]
    return (lines, inner.floats[before:]) if lines else None


def _commit(scope: Any, statement: str, names: list[str]) -> None:
    if scope.run(statement):
        scope.emit(statement)
        scope.floats += names


def errstate_block(scope: Any) -> None:
    """Statements under ``with np.errstate(...)``."""
    block = _block(scope, scope.draw.int(1, 2))
    if block is None:
        return
    lines, names = block
    how = scope.draw.choice(['divide="ignore"', 'all="ignore"', 'over="ignore", invalid="ignore"'])
    _commit(scope, "\n".join([f"with np.errstate({how}):"] + ["    " + s for s in lines]), names)


def try_block(scope: Any) -> None:
    """Statements in ``try`` with a ``finally`` or an ``except`` arm that is not reached."""
    block = _block(scope, scope.draw.int(1, 2))
    if block is None:
        return
    lines, names = block
    done = scope.fresh("done")
    body = ["try:"] + ["    " + s for s in lines]
    if scope.draw.chance(0.5):
        body += ["finally:", f"    {done} = 1"]
    else:
        ns = scope.env()  # the handler binds what the body binds (s2s asks for that)
        if not scope.run("\n".join(lines), ns):
            return
        body += ["except (ValueError, FloatingPointError):"]
        body += [f"    {n} = np.zeros({np.shape(ns[n])})" for n in names]
    _commit(scope, "\n".join(body), names)


def function_value(scope: Any) -> None:
    """A function passed as a value to a helper: ``helper(x, np.tanh)``, ``act=np.sin``.

    (A local alias, ``act = np.sin; act(x)``, is refused by s2s with a located error: the
    function a local name holds is known only at run time.)"""
    x = scope.pick()
    act = scope.draw.choice(ACTIVATIONS)
    name = scope.gen.fresh("helper")
    weight = scope.draw.choice([0.5, 1.5, -0.75])
    form = scope.draw.choice(["plain", "twice", "keyword"])
    if form == "twice":
        body = f"    return act(act(a0) * {weight}) + a0"
    else:
        body = f"    return act(a0) * {weight} + a0"
    scope.gen.add_helper(f"def {name}(a0, act):\n{body}")
    call = f"{name}({x}, act={act})" if form == "keyword" else f"{name}({x}, {act})"
    scope.assign(call, "fv")


def add_at(scope: Any) -> None:
    """``np.add.at`` of a value's rows into a new local array, some rows at the same index."""
    x = scope.pick()
    v = np.asarray(scope.ns[x])
    if v.ndim == 0 or not 1 <= v.shape[0] <= 4:
        return
    n = v.shape[0]
    m = scope.draw.int(1, n + 1)
    index = [scope.draw.int(0, m - 1) for _ in range(n)]
    buf = scope.fresh("acc")
    dtype = f", dtype={x}.dtype" if scope.draw.chance(0.3) else ""
    lines = [f"{buf} = np.zeros({(m,) + v.shape[1:]}{dtype})"]
    lines.append(f"np.add.at({buf}, np.array({index}), {x})")
    if scope.draw.chance(0.3):  # a second scatter, of a value of the same rows
        lines.append(f"np.add.at({buf}, np.array({index[::-1]}), {x} * {x})")
    _commit(scope, "\n".join(lines), [buf])


def reduce_where(scope: Any) -> None:
    """``np.sum``/``np.mean`` with ``where=`` a mask on data at a margin from its threshold."""
    x = scope.pick()
    v = np.ravel(np.asarray(scope.ns[x], dtype=np.float64))
    if v.size < 2:
        return
    values = np.sort(v)
    gaps = np.diff(values)
    k = int(np.argmax(gaps))
    if gaps[k] < 0.1:
        return
    threshold = round(float(values[k] + values[k + 1]) / 2, 4)
    y = scope.expression(scope.gen.elementwise_pool)
    if y is None or np.shape(eval(y, scope.env())) != np.shape(scope.ns[x]):
        y = f"{x} * {x}"
    reduce = scope.draw.choice(["np.sum", "np.mean"])
    side = scope.draw.choice([">", "<"])
    axis = ""
    if np.ndim(scope.ns[x]) >= 2 and scope.draw.chance(0.3):
        axis = ", axis=-1" if reduce == "np.sum" else ""
    scope.assign(f"{reduce}({y}, where={x} {side} {threshold}{axis})", "red")


def split_join(scope: Any) -> None:
    """The pieces of ``np.split``/``np.array_split`` joined again, stacked or indexed."""
    x = scope.pick()
    v = np.asarray(scope.ns[x])
    if v.ndim == 0:
        return
    axis = scope.draw.int(0, v.ndim - 1)
    n = v.shape[axis]
    split = scope.draw.choice(["np.split", "np.array_split"])
    divisors = [k for k in range(1, n + 1) if n % k == 0] if split == "np.split" else [1, 2, 3]
    sections = scope.draw.choice(divisors)
    parts = scope.fresh("parts")
    lines = [f"{parts} = {split}({x}, {sections}, axis={axis})"]
    out = scope.fresh("j")
    use = scope.draw.choice(["concatenate", "stack", "index", "hstack", "vstack", "scaled"])
    equal = n % sections == 0
    if use == "stack" and equal:
        lines.append(f"{out} = np.stack({parts}) * 0.5")
    elif use == "index":
        lines.append(f"{out} = np.sum({parts}[0]) + np.sum({parts}[-1] ** 2)")
    elif use == "hstack":
        lines.append(f"{out} = np.hstack({parts})")
    elif use == "vstack":
        lines.append(f"{out} = np.vstack({parts})")
    elif use == "scaled":
        lines.append(f"{out} = np.concatenate([p * (i + 1.0) for i, p in enumerate({parts})], "
                     f"axis={axis})")  # fmt: skip
    else:
        lines.append(f"{out} = np.concatenate({parts}, axis={axis}) ** 2")
    _commit(scope, "\n".join(lines), [out])


ITEMS = [errstate_block, try_block, function_value, add_at, reduce_where, split_join]


def dict_param(gen: Any, scope: Any) -> None:
    """Maybe a dict parameter ``{"w": ..., "b": ...}``, read by key in the body."""
    if not gen.draw.chance(0.12):
        return
    w, b = gen.rng.standard_normal((3, 2)), gen.rng.standard_normal(2)
    name = gen.param({"w": w, "b": b}, True)
    first, second = scope.fresh("w"), scope.fresh("b")
    scope.emit(f'{first} = {name}["w"]\n{second} = {name}["b"]')
    scope.ns[first], scope.ns[second] = w, b
    scope.floats += [first, second]
