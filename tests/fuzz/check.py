"""Checking one program: s2s's derivatives against central differences, and their manners.

For each mode in :data:`MODES` the derivative of the program is computed and checked:

- the value it returns is the plain call's, bit for bit and with its dtype;
- each gradient has its argument's type, shape and dtype;
- in float64, ``<gradient, v>`` matches a central difference along a random direction ``v``
  (several step sizes; a point where one-sided differences disagree is a kink or a jump, and the
  program is skipped there);
- in float32, the gradients match the float64 gradients at the rounded inputs;
- the arguments (and a pullback's cotangent) are never written, and no gradient shares memory
  with an argument, the cotangent or another gradient;
- a pullback called twice gives the same gradients.

Forward mode and Hessian-vector products are checked by :mod:`fuzz.forward` when asked
(``python -m tests.fuzz --forward``, ``check_program(..., forward=True)``).
"""

from __future__ import annotations

import atexit
import hashlib
import importlib.util
import re
import shutil
import sys
import tempfile
import textwrap
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from gradcheck import cast, inner, leaves, quotient

import s2s

MODES = ("grad", "value_and_grad", "vjp")  # add "jvp" here when forward mode exists
STEPS = (1e-6, 1e-5, 1e-7, 1e-4)
RTOL = 1e-5  # central differences, float64
RTOL32 = 5e-3  # float32 gradients against float64 ones, relative to the largest entry

# Refusals that are documented limitations (README, "Not supported"); any other S2SError on a
# generated program is a failure.
KNOWN_REFUSALS: list[str] = [
    "is bound to a tuple more than once",  # "a name bound to a tuple again in a loop or branch"
    "is bound to tuples of different lengths",  # the same, where the lengths differ
]


class FuzzFailure(AssertionError):
    """A program on which s2s is wrong; the subclass says how (hypothesis keeps them apart)."""


class WrongGradient(FuzzFailure):
    pass


class WrongValue(FuzzFailure):
    pass


class WrongType(FuzzFailure):
    pass


class Crash(FuzzFailure):
    pass


class Refused(FuzzFailure):
    pass


class Mutated(FuzzFailure):
    pass


class Aliased(FuzzFailure):
    pass


class InvalidProgram(FuzzFailure):
    """The generator wrote a program that fails on its own (a bug of the fuzzer)."""


class Skip(Exception):
    """The program cannot be checked at this point (a kink, an ill-conditioned float32 run)."""


_DIRECTORY = Path(tempfile.mkdtemp(prefix="s2s_fuzz_"))
atexit.register(shutil.rmtree, _DIRECTORY, True)


def load(source: str) -> Any:
    """Write ``source`` to a module file (s2s reads the source back) and return its ``f``."""
    digest = hashlib.sha1(source.encode()).hexdigest()[:16]
    name = f"s2s_fuzz_{digest}"
    path = _DIRECTORY / f"{name}.py"
    if not path.exists():
        path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    return module.f


# -- values ----------------------------------------------------------------------------------------


def dtype_of(dtype: str, position: int) -> str:
    """The dtype of argument ``position`` in a program of ``dtype`` ("mixed": float32 for the
    even positions, float64 for the odd)."""
    if dtype == "mixed":
        return "float32" if position % 2 == 0 else "float64"
    return dtype


def copy(x: Any) -> Any:
    if isinstance(x, tuple):
        return tuple(copy(v) for v in x)
    if isinstance(x, dict):
        return {k: copy(v) for k, v in x.items()}
    return x.copy() if isinstance(x, np.ndarray) else x


def same(a: Any, b: Any) -> bool:
    """Equal values and dtypes, NaN equal to NaN (for the mutation check)."""
    la, lb = leaves(a), leaves(b)
    if len(la) != len(lb):
        return False
    for x, y in zip(la, lb):
        if type(x) is not type(y) or np.shape(x) != np.shape(y):
            return False
        if isinstance(x, np.ndarray) and x.dtype != y.dtype:
            return False
        if not np.array_equal(x, y, equal_nan=np.asarray(x).dtype.kind == "f"):
            return False
    return True


def random_like(rng: np.random.Generator, x: Any) -> Any:
    """A standard-normal value with ``x``'s structure and type (float64)."""
    if isinstance(x, tuple):
        return tuple(random_like(rng, v) for v in x)
    if isinstance(x, dict):
        return {k: random_like(rng, v) for k, v in x.items()}
    if isinstance(x, float):
        return float(rng.standard_normal())
    v = rng.standard_normal(np.shape(x))
    if isinstance(x, np.ndarray):
        return v.astype(x.dtype) if x.dtype.kind == "f" else v
    return np.dtype(np.asarray(x).dtype).type(v) if isinstance(x, np.floating) else float(v)


def moved(x: Any, h: float, v: Any) -> Any:
    """``x + h v`` with ``x``'s structure and type, computed in float64."""
    if isinstance(x, tuple):
        return tuple(moved(a, h, b) for a, b in zip(x, v))
    if isinstance(x, dict):
        return {k: moved(a, h, v[k]) for k, a in x.items()}
    if isinstance(x, float):
        return x + h * v
    out = np.asarray(x, dtype=np.float64) + h * np.asarray(v, dtype=np.float64)
    return out if isinstance(x, np.ndarray) else np.float64(out)


def size(a: Any) -> float:
    return float(np.sqrt(sum(np.sum(np.asarray(x, np.float64) ** 2) for x in leaves(a))))


# -- the derivatives -----------------------------------------------------------------------------


@dataclass
class Result:
    """One mode's output: the primal value (``None`` for grad) and the gradients as a tuple."""

    mode: str
    value: Any
    grads: tuple
    weight: Any  # the cotangent the gradients pull back (1.0 for a scalar loss)


def modes_for(output: str) -> tuple[str, ...]:
    if output == "scalar":
        return MODES
    if output == "aux":
        return tuple(m for m in MODES if m != "grad")
    return tuple(m for m in MODES if m == "vjp")


def derivative(mode: str, f: Any, args: list, wrt: Any, output: str, ct: Any) -> Result:
    """Run one mode of s2s on ``f`` at ``args``; errors are classified (Crash, Refused)."""
    single = not isinstance(wrt, tuple)
    try:
        value, grads, weight = _run_mode(mode, f, args, wrt, output, ct)
    except FuzzFailure:
        raise
    except Exception as exc:  # classified outside the handler: no context for hypothesis
        failure = _classify(mode, exc)
    else:
        failure = None
    if failure is not None:
        raise failure
    return Result(mode, value, (grads,) if single else tuple(grads), weight)


_CRASH_KINDS: dict[str, type] = {}


def crash_kind(exc: BaseException) -> type:
    """A :class:`Crash` subclass per crash site (the exception's type and the innermost frame
    in s2s or in generated code), so that shrinking one crash never turns into another."""
    site = "?"
    for frame, _ in traceback.walk_tb(exc.__traceback__):
        filename = frame.f_code.co_filename
        if filename.startswith("<s2s "):
            site = "generated"
        elif "/s2s/" in filename:
            site = f"{Path(filename).stem}.{frame.f_code.co_name}"
    name = f"Crash_{type(exc).__name__}_{site}".replace(".", "_")
    if name not in _CRASH_KINDS:
        _CRASH_KINDS[name] = type(name, (Crash,), {})
    return _CRASH_KINDS[name]


def _run_mode(mode: str, f: Any, args: list, wrt: Any, output: str, ct: Any) -> tuple:
    if mode == "grad":
        return None, s2s.grad(f, wrt=wrt)(*args), 1.0
    if mode == "value_and_grad":
        has_aux = output == "aux"
        value, grads = s2s.value_and_grad(f, wrt=wrt, has_aux=has_aux)(*args)
        return value, grads, ((1.0, None) if has_aux else 1.0)
    value, pullback = s2s.vjp(f, wrt=wrt)(*args)
    kept = copy(ct)
    grads = pullback(ct)
    again = pullback(ct)
    if not same(ct, kept):
        raise Mutated(f"vjp: the pullback wrote into its cotangent {ct!r}")
    if not same(grads, again):
        raise WrongGradient(f"vjp: a second pullback call gave {again!r}, not {grads!r}")
    return value, grads, ct


def _classify(mode: str, exc: Exception) -> Exception:
    """A refusal the README documents is a :class:`Skip`; any other S2SError is
    :class:`Refused`; anything else a :class:`Crash` (one subclass per site)."""
    text = str(exc)
    if isinstance(exc, s2s.S2SError):
        located = getattr(exc, "where", None) is not None
        if located and any(re.search(p, text) for p in KNOWN_REFUSALS):
            return Skip(f"refused: {text.splitlines()[0]}")
        kind = "refused" if located else "refused without a location"
        return Refused(f"{mode}: {kind}: {type(exc).__name__}: {text}")
    crash = crash_kind(exc)
    lines = "".join(traceback.format_exception(exc)[-6:])
    return crash(f"{mode}: {type(exc).__name__}: {exc} [{crash.__name__}]\n{lines}")


def cotangent(rng: np.random.Generator, value: Any, output: str) -> Any:
    """A random output cotangent for vjp (a tuple for several outputs)."""
    if output in ("tuple", "aux"):  # sometimes no cotangent for one output
        skip = int(rng.integers(-2, len(value)))
        return tuple(None if i == skip else random_like(rng, v) for i, v in enumerate(value))
    if isinstance(value, (float, np.floating)) or np.ndim(value) == 0:
        return float(rng.standard_normal()) if output == "scalar" else random_like(rng, value)
    return random_like(rng, value)


def _check_type(g: Any, x: Any, where: str) -> None:
    """A gradient has its argument's type, shape and dtype (tuples item by item)."""
    if isinstance(x, tuple):
        if not isinstance(g, tuple) or len(g) != len(x):
            raise WrongType(f"{where}: a tuple argument got {type(g).__name__}")
        for i, (gi, xi) in enumerate(zip(g, x)):
            _check_type(gi, xi, f"{where}[{i}]")
        return
    if isinstance(x, dict):
        if not isinstance(g, dict) or list(g) != list(x):
            raise WrongType(f"{where}: a dict argument got {type(g).__name__}")
        for k, xk in x.items():
            _check_type(g[k], xk, f"{where}[{k!r}]")
        return
    if isinstance(x, float):
        want_type, want_dtype = np.float64, np.dtype(np.float64)
    else:
        want_type, want_dtype = type(x), x.dtype
    if type(g) is not want_type or np.shape(g) != np.shape(x) or g.dtype != want_dtype:
        raise WrongType(
            f"{where}: got {type(g).__name__} {np.shape(g)} {getattr(g, 'dtype', None)}, "
            f"expected {want_type.__name__} {np.shape(x)} {want_dtype}"
        )


def _check_aliases(result: Result, args: list, ct: Any) -> None:
    grads = [g for g in leaves(result.grads) if isinstance(g, np.ndarray)]
    others = [a for a in leaves(args) + leaves(ct) if isinstance(a, np.ndarray)]
    for i, g in enumerate(grads):
        for a in others:
            if np.shares_memory(g, a):
                raise Aliased(f"{result.mode}: a gradient shares memory with an argument")
        for h in grads[:i]:
            if np.shares_memory(g, h):
                raise Aliased(f"{result.mode}: two gradients share memory")


def _check_value(result: Result, plain: Any, args: list) -> None:
    if result.value is None:
        return
    got, want = leaves(result.value), leaves(plain)
    if len(got) != len(want):
        raise WrongValue(f"{result.mode}: value {result.value!r}, plain call {plain!r}")
    for a, b in zip(got, want):
        if np.result_type(a) != np.result_type(b) or np.shape(a) != np.shape(b):
            raise WrongValue(f"{result.mode}: value {a!r}, plain call {b!r}")
        if not np.array_equal(a, b, equal_nan=True):
            raise WrongValue(f"{result.mode}: value {a!r}, plain call {b!r}")
        shared = any(
            isinstance(a, np.ndarray) and isinstance(x, np.ndarray) and np.shares_memory(a, x)
            for x in leaves(args)
        )
        owned = any(
            isinstance(b, np.ndarray) and isinstance(x, np.ndarray) and np.shares_memory(b, x)
            for x in leaves(args)
        )
        if shared and not owned:
            raise Aliased(f"{result.mode}: the value shares memory with an argument")


# -- the whole check -------------------------------------------------------------------------------


def _weights_of(result: Result, output: str) -> Any:
    """The weighting of the outputs whose inner product with f's change the gradient gives."""
    return result.weight


def _scalarize(value: Any, weight: Any) -> float:
    """``<weight, value>``, with ``None`` weights skipped (an output with no cotangent)."""
    if isinstance(weight, tuple):
        return sum(_scalarize(v, w) for v, w in zip(value, weight) if w is not None)
    return inner(weight, value)


def smooth_difference(plus: float, center: float, minus: float, h: float, what: str) -> float:
    """The central difference ``(plus - minus) / 2h`` of a scalar, after checking that the two
    one-sided slopes agree; :class:`Skip` where they do not (``what`` is not smooth there)."""
    forward, backward = (plus - center) / h, (center - minus) / h
    if abs(forward - backward) > 1e-2 * (abs(forward) + abs(backward)) + 1e-4:
        slopes = f"one-sided slopes {forward:.6g}, {backward:.6g}"
        raise Skip(f"{what} not smooth at the point ({slopes})")
    return float(quotient(plus, minus, h))


def directional(
    f: Any, args: list, positions: list[int], direction: list, result: Result, output: str
) -> None:
    """``<gradients, direction>`` against central differences of ``<weight, f>``."""
    weight = _weights_of(result, output)
    ad = sum(inner(g, direction[i]) for i, g in zip(positions, result.grads))
    scale = sum(abs(inner(g, direction[i])) for i, g in zip(positions, result.grads))
    center = _scalarize(f(*args), weight)

    def at(h: float) -> float:
        moved_args = list(args)
        for i in positions:
            moved_args[i] = moved(args[i], h, direction[i])
        with np.errstate(all="ignore"):
            return _scalarize(f(*moved_args), weight)

    errors = []
    for h in STEPS:
        fd = smooth_difference(at(h), center, at(-h), h, "function")
        noise = 64 * np.finfo(np.float64).eps * (abs(center) + 1.0) / h
        allowed = RTOL * (scale + abs(fd) + 1.0) + noise
        if abs(ad - fd) <= allowed:
            return
        errors.append(f"h={h:g}: central difference {fd!r}, error {abs(ad - fd):.3g}")
    raise WrongGradient(f"{result.mode}: <gradient, v> = {ad!r} but " + "; ".join(errors))


def _positions(f: Any, wrt: Any) -> list[int]:
    import inspect

    names = list(inspect.signature(f).parameters)
    entries = wrt if isinstance(wrt, tuple) else (wrt,)
    return [e if isinstance(e, int) else names.index(e) for e in entries]


def run_program(program: Any, modes: tuple[str, ...] | None = None, seed: int = 0) -> list[str]:
    """Check every mode on ``program``; raise a :class:`FuzzFailure` subclass if s2s is wrong,
    :class:`Skip` where the program cannot be checked. Returns the modes checked."""
    f = load(program.source)
    rng = np.random.default_rng(seed)
    output = program.output
    chosen = tuple(m for m in modes_for(output) if modes is None or m in modes)
    positions = _positions(f, program.wrt)
    args64 = [copy(a) for a in program.args]
    args = [cast(a, dtype_of(program.dtype, i)) for i, a in enumerate(program.args)]
    if program.dtype != "float64":  # the reference: float64 at the rounded inputs
        args64 = [cast(a, "float64") for a in args]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with np.errstate(all="ignore"):
            try:
                plain = f(*args)
                plain64 = f(*args64)
            except Exception as exc:
                raise InvalidProgram(f"the plain call raised {type(exc).__name__}: {exc}") from exc
    ct = cotangent(rng, plain, output)
    ct64 = cast(ct, "float64")
    direction = [random_like(rng, a) if i in positions else None for i, a in enumerate(args64)]
    for mode in chosen:
        kept, kept64 = copy(args), copy(args64)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            result = derivative(mode, f, args, program.wrt, output, ct)
            reference = (
                result
                if program.dtype == "float64"
                else derivative(mode, f, args64, program.wrt, output, ct64)
            )
        if not same(args, kept) or not same(args64, kept64):
            raise Mutated(f"{mode}: an argument was written")
        _check_value(result, plain, args)
        _check_aliases(result, args, ct)
        for i, g in zip(positions, result.grads):
            _check_type(g, args[i], f"{mode}: gradient of argument {i}")
        directional(f, args64, positions, direction, reference, output)
        if program.dtype != "float64":
            _compare_low_precision(result, reference, plain, plain64)
    return list(chosen)


def _compare_low_precision(result: Result, reference: Result, plain: Any, plain64: Any) -> None:
    """float32 gradients against the float64 ones, scaled by how well float32 computes f."""
    value_error = max(
        (abs(float(a) - float(b)) / (abs(float(b)) + 1e-3)
         for a, b in zip(np.ravel(leaves(plain)[0]), np.ravel(leaves(plain64)[0]))),
        default=0.0,
    )  # fmt: skip
    if value_error > 1e-4:
        raise Skip(f"float32 computes f with relative error {value_error:.2g}")
    # A float32 gradient entry carries rounding of order eps32 * |f| even when the float64 one
    # is tiny: a saturated tanh's partial 1 - y*y is all rounding, in a hand-written float32
    # gradient as much as in s2s's (program f36b4aa0: both 2.06e-05 off, largest entry 6e-05).
    scale = max((abs(float(b)) for b in np.ravel(leaves(plain64)[0])), default=0.0)
    floor = 1e-5 + 64 * float(np.finfo(np.float32).eps) * (1.0 + scale)
    for k, (g, r) in enumerate(zip(leaves(result.grads), leaves(reference.grads))):
        r = np.asarray(r, dtype=np.float64)
        bound = RTOL32 * float(np.max(np.abs(r), initial=0.0)) + floor
        error = float(np.max(np.abs(np.asarray(g, dtype=np.float64) - r), initial=0.0))
        if not error <= bound:
            raise WrongGradient(
                f"{result.mode}: float32 gradient {k} differs from float64 by {error:.3g} "
                f"(allowed {bound:.3g})"
            )


def check_program(
    source: str,
    args: list,
    wrt: Any,
    output: str = "scalar",
    dtype: str = "float64",
    forward: bool = False,
) -> None:
    """Check a program given as text (what a regression test calls); raises on failure. With
    ``forward``, also jvp and hvp (:mod:`fuzz.forward`)."""
    from fuzz.forward import check_forward
    from fuzz.programs import Program

    try:
        program = Program(textwrap.dedent(source), list(args), wrt, output, dtype)
        run_program(program)
        if forward:
            check_forward(program)
    except Skip as exc:  # a regression test must check something
        raise AssertionError(f"the program could not be checked: {exc}") from exc
