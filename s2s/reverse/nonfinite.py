"""No silent NaN: after a non-finite gradient, find the line and the operation where it began.

A returned gradient costs one check (mostly a dot product of its entries with themselves). Only
when a gradient is not finite while the arguments, the value and the cotangent are, the
derivative is run again under a line tracer that stops at the first adjoint statement writing a
non-finite cotangent; the statement's primal line,
the operation it differentiates and the operand value at the first bad entry (``sqrt at 0``,
``std with zero variance``) make the warning, or the error under ``nan="raise"``.
"""

from __future__ import annotations

import ast
import linecache
import math
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from s2s import registry
from s2s.errors import Location, NonFiniteGradientError, NonFiniteGradientWarning, compose_message
from s2s.frontend.parse import user_line
from s2s.runtime.kinds import Undefined


@dataclass
class Def:
    """A primal statement: ``targets = op(args)`` at ``lineno`` (argument names, or None)."""

    op: Any
    args: tuple[str | None, ...]
    targets: tuple[str, ...]
    lineno: int


@dataclass
class Sites:
    """What the search reads of one specialization: each primal name's defining statements and
    the primal name of each adjoint buffer. Lines and their writes are parsed on demand."""

    defs: dict[str, list[Def]]
    primal_of: dict[str, str]
    _writes: dict[int, tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=dict)
    _adjoint_from: int | None = None

    @classmethod
    def of(cls, ir: Any, sweeps: Any) -> Sites:
        from s2s.codegen.ir import atom_names

        defs: dict[str, list[Def]] = {}
        for stmt in ir.flat:
            args = tuple((atom_names(a) or [None])[0] for a in stmt.args)
            lineno = getattr(stmt.node, "lineno", 0)
            for target in stmt.targets:
                defs.setdefault(target, []).append(Def(stmt.op, args, stmt.targets, lineno))
        primal_of = {adjoint: var for var, adjoint in sweeps.adjoint_names.items()}
        for view, buffer in sweeps.views.items():  # d_x_region = d_x[:-1] (reverse/outs.py)
            if buffer in primal_of:
                primal_of[view] = primal_of[buffer]
        return cls(defs, primal_of)

    def adjoint_from(self, source: str) -> int:
        """The first generated line number of the adjoint sweep."""
        if self._adjoint_from is None:
            lines = source.splitlines()
            marks = [i for i, text in enumerate(lines, 1) if text.strip() == "# adjoint sweep"]
            self._adjoint_from = marks[0] if marks else len(lines) + 1
        return self._adjoint_from

    def line(self, source: str, lineno: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The names generated line ``lineno`` writes and the names it reads."""
        found = self._writes.get(lineno)
        if found is None:
            text = source.splitlines()[lineno - 1].strip()
            try:
                tree = ast.parse(text)
            except SyntaxError:  # a loop or branch header
                tree = None
            found = _names(tree.body[0]) if tree is not None and tree.body else ((), ())
            self._writes[lineno] = found
        return found


def _names(stmt: ast.stmt) -> tuple[tuple[str, ...], tuple[str, ...]]:
    writes: list[str] = []
    if isinstance(stmt, ast.Assign):
        for target in stmt.targets:
            writes += [n.id for n in ast.walk(target) if isinstance(n, ast.Name)]
        value: ast.AST | None = stmt.value
    elif isinstance(stmt, ast.AugAssign):
        writes += [n.id for n in ast.walk(stmt.target) if isinstance(n, ast.Name)]
        value = stmt.value
    elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and any(
        k.arg == "out" for k in stmt.value.keywords
    ):  # _np.multiply(-2, s, out=d_x[:-1]) (s2s/reverse/outs.py)
        out = next(k.value for k in stmt.value.keywords if k.arg == "out")
        writes += [n.id for n in ast.walk(out) if isinstance(n, ast.Name)][:1]
        value = stmt.value
    elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and stmt.value.args:
        first = stmt.value.args[0]  # _s2s.scatter_add(d_x, key, g), np.add.at(d_x, ...)
        writes += [first.id] if isinstance(first, ast.Name) else []
        value = stmt.value
    else:
        return (), ()
    reads = tuple(
        n.id for n in ast.walk(value) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
    )
    return tuple(writes), reads


# -- the fast check ------------------------------------------------------------------------------


_EXACT_IN_PYTHON = frozenset(np.dtype(t) for t in (np.float16, np.float32, np.float64))
_ISFINITE = np.isfinite
try:  # count_nonzero without its Python wrapper (a boolean array: no reduction machinery)
    from numpy._core.multiarray import count_nonzero as _COUNT
except ImportError:  # pragma: no cover - another numpy layout
    _COUNT = np.count_nonzero
try:  # numpy's floating-point error state, a context variable; _QUIET ignores every error
    from numpy._core.umath import _extobj_contextvar as _ERROR_STATE

    with np.errstate(all="ignore"):
        _QUIET = _ERROR_STATE.get()
    # checked by a dot product (BLAS's ddot and sdot; compared by identity: numpy's own
    # descriptors of native float64 and float32, a cheaper test than a set's hash)
    _DOT_F64, _DOT_F32 = np.dtype(np.float64), np.dtype(np.float32)
except ImportError:  # pragma: no cover - another numpy layout: the isfinite test only
    _ERROR_STATE = _QUIET = _DOT_F64 = _DOT_F32 = None


def _unchecked_dot() -> Callable[[np.ndarray, np.ndarray], Any] | None:
    """``np.vdot`` without its ``__array_function__`` dispatch, if numpy reads no
    floating-point flag after it (numpy 2.4 does not: an overflowing ``vdot`` neither raises
    under ``np.errstate(all="raise")`` nor warns), so the check needs no quiet error state
    around it (setting and resetting one costs about as much as the dot product of 1000
    entries); ``None`` where it does (then the check sets the quiet state)."""
    vdot = getattr(np.vdot, "_implementation", np.vdot)
    probe = np.array([1e300, 1e300])
    try:
        with warnings.catch_warnings(), np.errstate(all="raise"):
            warnings.simplefilter("error")
            squares = vdot(probe, probe)
    except Exception:  # pragma: no cover - a numpy that reports the overflow
        return None
    return vdot if squares == np.inf else None


_VDOT = _unchecked_dot() if _ERROR_STATE is not None else None


def finite(x: Any) -> bool:
    """Whether every float in ``x`` (an array, a scalar, or a tuple or list of them) is finite.

    Non-float values, ``None`` and ``s2s.Undefined`` markers count as finite. A float64 or
    float32 array costs one dot product of its entries with themselves (:func:`finite_array`);
    a tuple of arrays (a gradient) is looked through without a generator.
    """
    kind = type(x)
    if kind is np.ndarray:
        return finite_array(x)
    if kind is tuple or kind is list:
        for v in x:
            if not (finite_array(v) if type(v) is np.ndarray else finite(v)):
                return False
        return True
    if isinstance(x, (float, np.floating)):
        return math.isfinite(x)
    if isinstance(x, np.ndarray):
        return x.dtype.kind != "f" or bool(np.isfinite(x).all())
    if isinstance(x, (tuple, list)):
        return all(finite(v) for v in x)
    return True


def finite_array(x: np.ndarray) -> bool:
    """A float array's check, by a sum that is finite only if every entry is, so that the
    exact test (``isfinite`` of each entry, a boolean array and a count) runs only where the
    sum is not finite.

    float64 and float32, 1-D or C-contiguous: the dot product of the entries with themselves,
    a sum of squares, none negative: a NaN entry makes it NaN and an infinite one infinite
    (no infinity of the other sign to cancel it), and where every entry is finite it is finite
    unless it overflows (an entry over ~1e154 in float64, ~1e19 in float32), the rare case
    left to the exact test. ``ndarray.dot`` would warn, or raise under ``np.errstate``, where
    the sum overflows (or call an ``np.seterrcall`` handler); ``np.vdot``, the same sum for
    real arrays, reads no floating-point flag (checked at import, :func:`_unchecked_dot`), so
    no warning and no exception comes of it. Where a numpy reads them after ``vdot`` too, the
    dot product runs under an error state that ignores every error, set and reset through
    numpy's context variable, so the caller's state is back before anything else runs. At
    1000 entries this costs about half the exact test. Other layouts: a few numbers are
    summed as Python floats (which overflow to infinity without a warning), by the same
    argument; more take the exact test."""
    dtype = x.dtype
    if dtype is _DOT_F64 or dtype is _DOT_F32:
        if x.ndim != 1:
            if not x.flags.c_contiguous:
                return _COUNT(_ISFINITE(x)) == x.size
            x = x.reshape(-1)  # a view
        if _VDOT is not None:  # no flag read after it: no error state to set
            return math.isfinite(_VDOT(x, x)) or _COUNT(_ISFINITE(x)) == x.size
        state = _ERROR_STATE.set(_QUIET)
        try:
            squares = x.dot(x)
        finally:
            _ERROR_STATE.reset(state)
        return math.isfinite(squares) or _COUNT(_ISFINITE(x)) == x.size
    if dtype.kind != "f":
        return True
    size = x.size
    if size <= 24 and dtype in _EXACT_IN_PYTHON:  # a few numbers: cheaper as floats
        values = x.ravel().tolist()
        return math.isfinite(sum(values)) or all(map(math.isfinite, values))
    return _COUNT(_ISFINITE(x)) == size


# -- the search ----------------------------------------------------------------------------------


@dataclass
class Origin:
    """Where a non-finite cotangent first appeared and what it was made from."""

    compiled: Any
    lineno: int  # the generated line
    name: str  # the adjoint buffer written
    bad: str  # "nan", "inf" or "-inf" (the first bad entry)
    op: Any = None  # the primal operation differentiated there
    detail: str = ""  # the operand values at the first bad entry (``sqrt at 0``)

    @property
    def primal_line(self) -> int | None:
        line_map = self.compiled.line_map
        return line_map[self.lineno - 1] if 0 < self.lineno <= len(line_map) else None


def trace(call: Callable[[], Any]) -> tuple[Any, Origin | None]:
    """Run ``call`` under a line tracer over generated code. Returns its result (``None`` if it
    raised) and the first adjoint statement that wrote a non-finite cotangent (or ``None``)."""
    from s2s.codegen.emit import COMPILED

    found: list[Origin] = []
    last: dict[int, int | None] = {}

    def local(frame, event, arg):
        if found:
            return None
        compiled = COMPILED.get(frame.f_code.co_filename)
        if compiled is None or compiled.sites is None:
            return None
        key = id(frame)
        if event in ("line", "return"):
            previous = last.get(key)
            if previous is not None:
                origin = _inspect(compiled, frame, previous)
                if origin is not None:
                    found.append(origin)
                    return None
            last[key] = frame.f_lineno if event == "line" else None
        return local

    def start(frame, event, arg):
        return local if not found and frame.f_code.co_filename in COMPILED else None

    previous_tracer = sys.gettrace()
    result = None
    sys.settrace(start)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            result = call()
    except Exception:  # the run failed this time (a random function): nothing found
        result = None
    finally:
        sys.settrace(previous_tracer)
    return result, (found[0] if found else None)


def _bad(value: Any) -> tuple[tuple, str] | None:
    """The index and kind of the first non-finite float entry of ``value``, if any."""
    if not isinstance(value, (np.ndarray, np.floating, float)):
        return None
    array = np.asarray(value)
    if array.dtype.kind != "f" or np.isfinite(array).all():
        return None
    index = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
    entry = float(array[index])
    return index, "nan" if math.isnan(entry) else ("inf" if entry > 0 else "-inf")


def _inspect(compiled: Any, frame: Any, lineno: int) -> Origin | None:
    sites = compiled.sites
    if lineno < sites.adjoint_from(compiled.source):
        return None
    writes, reads = sites.line(compiled.source, lineno)
    written = [n for n in writes if n in sites.primal_of]
    if not written:
        return None
    values = frame.f_locals
    for name in written:
        bad = _bad(values.get(name))
        if bad is None:
            continue
        index, kind = bad
        origin = Origin(compiled, lineno, name, kind)
        definition = _definition(sites, name, reads, origin.primal_line)
        if definition is not None:
            origin.op = definition.op
            shape = np.shape(values[name])
            inputs = [_at(values.get(a) if a else None, shape, index) for a in definition.args]
            result = _at(values.get(definition.targets[0]), shape, index)
            origin.detail = describe(definition.op, inputs, result)
        return origin
    return None


def _definition(sites: Sites, written: str, reads: tuple, line: int | None) -> Def | None:
    """The primal statement whose adjoint the line computes: it defines a value whose adjoint
    the line reads and takes the written adjoint's primal value as an argument."""
    target = sites.primal_of.get(written)
    outputs = [sites.primal_of[n] for n in reads if n in sites.primal_of and n != written]
    candidates = [d for out in outputs for d in sites.defs.get(out, [])]
    candidates += [d for n in reads if n not in sites.primal_of for d in sites.defs.get(n, [])]
    if not outputs:  # a cotangent of ones folded away (s2s.reverse.simplify): the line's one
        folded = {id(d): d for defs in sites.defs.values() for d in defs  # use of the value
                  if target in d.args and d.lineno == line}  # fmt: skip
        candidates += list(folded.values()) if len(folded) == 1 else []
    # A fused adjoint line (``d_x = 0.5 / sqrt_1 * 2.0`` for ``np.sqrt(x * 2.0)``) holds the
    # partials of several operations: a linear map or a product has finite partials at finite
    # operands, so the non-finite one comes from another operation on the line, if there is one
    on_line = {id(d): d for defs in sites.defs.values() for d in defs if d.lineno == line}
    chain = candidates + [d for d in on_line.values() if target in d.args]
    singular = [d for d in chain if d.lineno == line and not _finite_partials(d.op)]
    if singular:
        return singular[0]
    for pick in (
        lambda d: target in d.args and d.lineno == line,
        lambda d: target in d.args,
        lambda d: d.lineno == line,
    ):
        chosen = [d for d in candidates if pick(d)]
        if chosen:
            return chosen[0]
    return None


_PRODUCTS = frozenset(
    (np.add, np.subtract, np.multiply, np.negative, np.positive, np.matmul, np.dot, np.vdot,
     np.inner, np.outer, np.tensordot, np.einsum, np.sum, np.mean, np.cumsum)
)  # fmt: skip


def _finite_partials(op: Any) -> bool:
    """Whether ``op``'s partials are finite wherever its operands are (a linear map, a sum, a
    product), so it cannot be where a non-finite cotangent begins."""
    if not callable(op):
        return True  # a copy, an item of a tuple, an attribute
    try:
        if op in _PRODUCTS:
            return True
    except TypeError:  # an unhashable callable
        return False
    rule = registry.lookup(op)
    return rule is not None and rule.kind in (registry.LINEAR, registry.PIECEWISE_CONSTANT)


def _at(value: Any, shape: tuple, index: tuple) -> float | None:
    """``value`` at ``index`` of an array of ``shape`` (broadcast if need be), or None."""
    if value is None or isinstance(value, Undefined):
        return None
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if array.ndim == 0:
        return float(array)
    try:
        return float(np.broadcast_to(array, shape)[index])
    except (ValueError, IndexError):
        return None


def _number(x: float) -> str:
    return "0" if x == 0 else f"{x:.6g}"


_INVERSE = {
    np.sqrt: lambda r: r * r,
    np.cbrt: lambda r: r**3,
    np.log: np.exp,
    np.log2: np.exp2,
    np.log10: lambda r: 10.0**r,
    np.log1p: np.expm1,
    np.reciprocal: lambda r: 1 / r if r else math.inf,
    np.arcsin: np.sin,
    np.arccos: np.cos,
    np.arctanh: np.tanh,
}


def describe(op: Any, inputs: list[float | None], result: float | None) -> str:
    """The operand values that make ``op``'s partial derivative infinite, in words."""
    name = short_name(op).removeprefix("np.").removeprefix("linalg.")
    if op is np.std:
        return "std with zero variance"
    x = inputs[0] if inputs else None
    with np.errstate(all="ignore"):
        if x is None and result is not None and op in _INVERSE:
            x = float(_INVERSE[op](result))
    if op in (np.true_divide, np.divide) and len(inputs) == 2 and inputs[1] is not None:
        return f"division by {_number(inputs[1])}"
    if op is np.power and len(inputs) == 2 and None not in inputs:
        return f"x ** y at x = {_number(inputs[0])}, y = {_number(inputs[1])}"
    shown = [v for v in ([x] + inputs[1:]) if v is not None]
    if not shown:
        return name
    return f"{name} at {', '.join(_number(v) for v in shown)}"


def short_name(op: Any) -> str:
    """``np.sqrt`` for ``numpy.sqrt``; the qualified name otherwise."""
    if not callable(op):
        return str(op)
    text = registry.qualified_name(op)
    return "np." + text.removeprefix("numpy.") if text.startswith("numpy.") else text


_ADVICE = {
    np.sqrt: "add a small constant under the root (np.sqrt(s + 1e-12)) or select with "
    "np.where(s > 0, np.sqrt(s), 0.0): s2s keeps the gradient of the entries np.where drops "
    "exactly zero",
    np.std: "add an epsilon to the variance: np.sqrt(np.var(x, axis=...) + 1e-5) instead of "
    "np.std(x, axis=...)",
    np.log: "add an epsilon inside the log, or select the valid entries with np.where",
    np.true_divide: "keep the denominator away from zero (add an epsilon or select with np.where)",
}


# -- the report ------------------------------------------------------------------------------------


def report(
    names: list[str], origin: Origin | None, policy: str, primal: Any, stacklevel: int
) -> None:
    """Warn (``policy="warn"``) or raise :class:`NonFiniteGradientError` about the non-finite
    gradients of ``names``, located at ``origin``."""
    which = ", ".join(f"`{n}`" for n in names)
    message = (
        f"the gradient with respect to {which} is not finite although the arguments and the "
        "value are"
    )
    where = None
    advice = "pass nan='ignore' to return such gradients without this check"
    if origin is not None and origin.primal_line is not None:
        filename = origin.compiled.source_file
        text = linecache.getline(filename, origin.primal_line).rstrip("\n")
        where = Location(filename, origin.primal_line, 0, text)
        if filename.startswith("<s2s "):  # a checkpointed loop's trips: the user's line
            where = user_line(filename, linecache.getlines(filename), origin.primal_line) or where
        operation = short_name(origin.op) if origin.op is not None else "this line"
        detail = f" ({origin.detail})" if origin.detail else ""
        message += f": {origin.bad} first appears in the derivative of {operation}{detail}"
        specific = _ADVICE.get(origin.op)
        advice = f"{specific}; or {advice}" if specific else advice
    else:
        code = getattr(primal, "__code__", None)
        if code is not None:
            where = Location(code.co_filename, code.co_firstlineno, 0, "")
        message += (
            "; a second run found no adjoint statement writing a non-finite value (a function "
            "that draws random numbers, or an overflow when the gradient is cast to its "
            "argument's dtype)"
        )
    if policy == "raise":
        raise NonFiniteGradientError(message, where, advice)
    warnings.warn(
        NonFiniteGradientWarning(f"s2s: {compose_message(message, where, advice)}"),
        stacklevel=stacklevel + 1,
    )
