"""Forward mode and second order on a generated program (``python -m tests.fuzz --forward``).

In float64, at the program's arguments and a random direction ``v`` of its ``wrt`` arguments:

- ``s2s.jvp``: the value is the plain call's, bit for bit, and ``<ct, J v>`` equals
  ``<J^T ct, v>`` from ``s2s.vjp`` (whose gradients the main check compares with central
  differences) for a random output cotangent ``ct``;
- ``s2s.hvp`` (a scalar output): ``<u, H v>`` equals the central difference of
  ``<u, grad f>`` along ``v`` (a kink of the gradient there skips the program).
"""

from __future__ import annotations

import inspect
import warnings
from typing import Any

import numpy as np
from gradcheck import cast, inner, leaves

import s2s
from fuzz.check import (
    STEPS,
    Skip,
    WrongGradient,
    WrongValue,
    _classify,
    _positions,
    cotangent,
    load,
    moved,
    random_like,
    smooth_difference,
)

RTOL_FORWARD = 1e-6  # jvp against vjp: two exact computations of one number

# Second-order refusals the README documents ("Not supported"): a Skip, not a failure.
KNOWN_SECOND_ORDER_REFUSALS = [
    "with a `try` statement cannot be differentiated again",
    # a rule's adjoint helper without a rule of its own: tests/test_rules_second_order.py
    # lists each such rule (UNSUPPORTED) and checks that the refusal is located
    "reaches s2s's own helper",
]


def _call(mode: str, make: Any) -> Any:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return make()
    except Exception as exc:
        failure = _classify(mode, exc)
        text = str(exc)
        if mode == "hvp" and any(known in text for known in KNOWN_SECOND_ORDER_REFUSALS):
            failure = Skip(f"refused: {text.splitlines()[0]}")
    raise failure


def check_forward(program: Any, seed: int = 0) -> None:
    """Check jvp (and hvp for a scalar output) on ``program``; raises as ``run_program``."""
    f = load(program.source)
    rng = np.random.default_rng(seed + 1)
    args = [cast(a, "float64") for a in program.args]
    positions = _positions(f, program.wrt)
    names = list(inspect.signature(f).parameters)
    direction = {names[i]: random_like(rng, args[i]) for i in positions}
    tangents = {f"{name}_dot": v for name, v in direction.items()}
    with np.errstate(all="ignore"):
        plain = f(*args)
    output = program.output
    value, tangent = _call("jvp", lambda: s2s.jvp(f, wrt=program.wrt)(*args, **tangents))
    for a, b in zip(leaves(value), leaves(plain)):
        if np.shape(a) != np.shape(b) or not np.array_equal(a, b, equal_nan=True):
            raise WrongValue(f"jvp: value {value!r}, plain call {plain!r}")
    ct = cotangent(rng, plain, output if output != "aux" else "tuple")
    _, pullback = _call("vjp", lambda: s2s.vjp(f, wrt=program.wrt)(*args))
    grads = _call("vjp", lambda: pullback(ct))
    grads = grads if isinstance(program.wrt, tuple) else (grads,)
    if isinstance(ct, tuple):
        pairs = [(c, t) for c, t in zip(ct, tangent) if c is not None]
        forward = sum(inner(c, t) for c, t in pairs)
    else:
        forward = inner(ct, tangent)
    reverse = sum(inner(g, direction[names[i]]) for i, g in zip(positions, grads))
    scale = abs(forward) + abs(reverse) + 1.0
    if abs(forward - reverse) > RTOL_FORWARD * scale:
        raise WrongGradient(f"jvp: <ct, J v> = {forward!r} but <J^T ct, v> = {reverse!r}")
    if output == "scalar":
        _check_hvp(f, args, program.wrt, positions, names, direction, rng)


def _check_hvp(f, args, wrt, positions, names, direction, rng) -> None:
    dots = {f"{n}_dot": v for n, v in direction.items()}
    hv = _call("hvp", lambda: s2s.hvp(f, wrt=wrt)(*args, **dots))
    hv = hv if isinstance(wrt, tuple) else (hv,)
    u = [random_like(rng, args[i]) for i in positions]
    ad = sum(inner(a, b) for a, b in zip(u, hv))
    grad = s2s.grad(f, wrt=wrt)

    def at(h: float) -> float:
        moved_args = list(args)
        for i in positions:
            moved_args[i] = moved(args[i], h, direction[names[i]])
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            g = grad(*moved_args)
        g = g if isinstance(wrt, tuple) else (g,)
        return sum(inner(a, b) for a, b in zip(u, g))

    center = at(0.0)
    errors = []
    for h in STEPS[1:] + (1e-3,):
        fd = smooth_difference(at(h), center, at(-h), h, "gradient")
        allowed = 1e-5 * (abs(ad) + abs(fd) + 1.0) + 64 * 2.2e-16 * (abs(center) + 1.0) / h
        if abs(ad - fd) <= allowed:
            return
        errors.append(f"h={h:g}: difference of gradients {fd!r}")
    raise WrongGradient(f"hvp: <u, H v> = {ad!r} but " + "; ".join(errors))
