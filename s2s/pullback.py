"""What a derivative's call gives back: the ``vjp`` pullback, and the user's own errors noted
with the primal line they come from."""

from __future__ import annotations

import functools
import linecache
import os
import traceback
import types
from collections.abc import Callable
from typing import Any

import numpy as np

from s2s.callcache import nonfinite_names
from s2s.codegen.emit import COMPILED
from s2s.errors import (
    Location,
    NonScalarOutputError,
    S2SError,
    TangentError,
    UsageError,
    caller_location,
    compose_message,
)
from s2s.reverse import nonfinite
from s2s.reverse.nonfinite import finite
from s2s.runtime.core import layout_copy


class Pullback:
    """The pullback of one ``vjp`` call: ``pullback(cotangent)`` returns the gradient(s).

    It may be called any number of times; it never writes the cotangent or any argument.
    """

    def __init__(
        self,
        function: Callable,
        generated: Any,
        derivative: Any = None,
        value: Any = None,
        arguments: dict[str, Any] | None = None,
    ) -> None:
        self._function = function
        self._generated = generated
        self._derivative = derivative
        self._value = value
        self._arguments = arguments or {}

    def __call__(self, cotangent: Any, /, *more: Any) -> Any:
        if more:  # pb(ct_0, ct_1) for an output of two values
            raise UsageError(
                f"a pullback takes one cotangent, the output's; it was given {1 + len(more)}",
                caller_location(),
                "for a function that returns several values, pass their cotangents as one "
                "tuple: pullback((ct_0, ct_1)), with None for an output that gets none",
            )
        try:
            grads = self._function(cotangent)
        except Exception as exc:  # a runtime refusal without a location gets the line too
            note_user_error(exc, self._generated)
            raise exc  # noqa: TRY201 (its traceback: from this frame, without s2s's frames)
        derivative = self._derivative
        if derivative is not None and derivative.options.nan != "ignore" and not finite(grads):
            self._nonfinite(derivative, cotangent, grads)
        return grads

    def _nonfinite(self, derivative: Any, cotangent: Any, grads: Any) -> None:
        """A non-finite gradient from finite arguments, value and cotangent: search again."""
        names = nonfinite_names(derivative, self._generated, grads)
        inputs = [self._value, cotangent, list(self._arguments.values())]
        if not names or not finite(inputs):
            return
        _, origin = nonfinite.trace(lambda: self._function(cotangent))
        nonfinite.report(names, origin, derivative.options.nan, derivative.primal, stacklevel=3)


def note_user_error(exc: BaseException, generated: Any) -> None:
    """For an error without a location raised by a derivative's call: the note naming the
    primal line (:func:`note_primal_line`), and the traceback without s2s's own frames where
    the error is the user's (:func:`drop_internal_frames`). An s2s error located in s2s's
    own code (a rule's derivative code, differentiated at a higher order) is moved to the
    primal line that called the rule (:func:`relocate_internal_error`)."""
    where = getattr(exc, "where", None) if isinstance(exc, S2SError) else None
    if where is None:
        note_primal_line(exc, generated)
        drop_internal_frames(exc)
    elif isinstance(where, Location) and os.path.abspath(where.filename).startswith(_PACKAGE):
        relocate_internal_error(exc, generated)
    elif isinstance(exc, TangentError) and _located_above(exc, generated, where):
        relocate_internal_error(exc, generated, internal=False)


def _located_above(exc: BaseException, generated: Any, where: Location) -> bool:
    """Whether ``exc``, raised inside ``generated``'s code, was located at a frame above it:
    a wrong tangent given to a derivative object called there, located at its caller's frame
    past the generated code (``s2s.hvp(f)(x, v)`` with a wrong direction inside a function
    being differentiated named the line that called the outer derivative). Refusals of a
    derivative keep the line that asked for it."""
    frames = [(f.f_code.co_filename, line) for f, line in traceback.walk_tb(exc.__traceback__)]
    names = [name for name, _ in frames]
    if generated.compiled.filename not in names:
        return False
    below = frames[names.index(generated.compiled.filename) + 1 :]
    nested = any(name.startswith("<s2s ") for name, _ in below)  # a derivative it called
    return nested and (where.filename, where.lineno) not in below


def _primal_line(exc: BaseException, generated: Any) -> tuple[str, int, int] | None:
    """``(primal file, primal line, generated line)`` of the innermost frame of ``generated``'s
    code in ``exc``'s traceback, through derivatives of derivatives to the first primal."""
    compiled = generated.compiled
    for frame, lineno in reversed(list(traceback.walk_tb(exc.__traceback__))):
        if frame.f_code.co_filename != compiled.filename:
            continue
        index = lineno - 1
        primal_line = compiled.line_map[index] if 0 <= index < len(compiled.line_map) else None
        if primal_line is None:
            return None
        primal_file = generated.compiled.source_file
        while primal_file in COMPILED:  # a derivative differentiated again: its own primal line
            inner = COMPILED[primal_file]
            if not 0 < primal_line <= len(inner.line_map) or not inner.line_map[primal_line - 1]:
                break
            primal_file, primal_line = inner.source_file, inner.line_map[primal_line - 1]
        return primal_file, primal_line, lineno
    return None


def note_primal_line(exc: BaseException, generated: Any) -> None:
    """Add a note naming the primal line whose generated code raised ``exc`` (the user's
    own error propagates unchanged, with the line it comes from)."""
    found = _primal_line(exc, generated)
    if found is not None:
        primal_file, primal_line, lineno = found
        text = linecache.getline(primal_file, primal_line).strip()
        exc.add_note(
            f"s2s: raised by {primal_file}:{primal_line}: {text} "
            f"(generated line {lineno} of {generated.compiled.filename})"
        )


def relocate_internal_error(exc: S2SError, generated: Any, internal: bool = True) -> None:
    """Move ``exc``, located in s2s's own code (or, not ``internal``, at a frame above the
    generated code), to the user's primal line whose derivative called that code (in place:
    its type, message and advice stay), naming s2s's line in the message where it was
    s2s's. Nothing changes where the primal is s2s's own too (the caller's frame relocates
    it) or where no user line is found."""
    found = _primal_line(exc, generated)
    if found is None or os.path.abspath(found[0]).startswith(_PACKAGE):
        return
    if not internal and found[0].startswith("<s2s "):  # (no user line: where it was)
        return
    inner, (primal_file, primal_line, _) = exc.where, found
    exc.where = Location(primal_file, primal_line, 0, linecache.getline(primal_file, primal_line))
    if internal:
        exc.message = (f"{exc.message} (met in s2s's own code for a rule this line calls, "
                       f"{inner}: a limit of s2s, not of your code)")  # fmt: skip
    if isinstance(exc, SyntaxError):  # UnsupportedSyntaxError: Python's caret and text
        exc.__init__(exc.message, exc.where, exc.advice)
    else:
        exc.args = (compose_message(exc.message, exc.where, exc.advice),)


_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep  # the s2s package


def _internal(tb: types.TracebackType) -> bool:
    return os.path.abspath(tb.tb_frame.f_code.co_filename).startswith(_PACKAGE)


def reraises_user_errors(method: Callable[..., Any]) -> Callable[..., Any]:
    """``method`` (a composite's ``__call__``: ``hvp``, ``hessian``...) whose user errors
    leave its own and the inner derivatives' s2s frames (:func:`drop_internal_frames`): the
    frame that re-raises is the one left of s2s's."""

    @functools.wraps(method)
    def called(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except Exception as exc:
            drop_internal_frames(exc)
            raise

    return called


def drop_internal_frames(exc: BaseException) -> None:
    """Drop s2s's own frames (the derivative's call, the checkpointed loop's sweeps) from the
    traceback of ``exc`` where the innermost of s2s's and generated code's frames is generated
    code: the error is the user's (their function, or numpy called by their line), and the
    frames left are the user's, the generated code's (named by :func:`note_primal_line`'s
    note) and the libraries'. An error raised by s2s's own code keeps every frame."""
    chain = []
    tb = exc.__traceback__
    while tb is not None:
        chain.append(tb)
        tb = tb.tb_next
    own = [t for t in chain if _internal(t) or t.tb_frame.f_code.co_filename.startswith("<s2s ")]
    if not own or _internal(own[-1]):
        return
    kept = None
    for t in reversed([t for t in chain if not _internal(t)]):
        kept = types.TracebackType(kept, t.tb_frame, t.tb_lasti, t.tb_lineno)
    exc.__traceback__ = kept


def derivative_output_error(exc: BaseException, primal: Any, mode: str) -> BaseException:
    """``exc`` itself, or, for ``grad`` of a derivative object whose output is not a scalar
    (``s2s.grad(s2s.grad(f))`` with a vector gradient), the error located at the user's call
    (not at a line of generated code), with advice for second derivatives."""
    derivative = hasattr(primal, "primal") and hasattr(primal, "wrt")
    if not isinstance(exc, NonScalarOutputError) or not derivative:
        return exc
    if exc.where is None or not exc.where.filename.startswith("<s2s "):
        return exc  # f's own output, checked inside the derivative differentiated
    returned = exc.message.split("returned a ", 1)[-1]
    what = getattr(primal, "mode", "derivative")
    name = getattr(primal.primal, "__qualname__", "f")
    error = NonScalarOutputError(
        f"{mode} of a derivative needs a real floating scalar output, but s2s.{what}({name}) "
        f"returns a {returned}",
        caller_location() or exc.where,
        f"for the second derivatives of {name} use s2s.hessian({name}) or s2s.hvp({name}) "
        f"(products with a direction); for the derivative of its {what} as a vector function, "
        f"s2s.jacobian(s2s.{what}({name}))",
    )
    error.__cause__ = exc
    return error


def unshared(value: Any) -> Any:
    """``value`` with each array copied, so that editing the returned value in place (``y -=
    data``) cannot reach the residuals the pullback reads (they may be the same arrays)."""
    if isinstance(value, tuple):
        return type(value)(*map(unshared, value)) if hasattr(value, "_fields") else tuple(
            map(unshared, value)
        )
    if isinstance(value, list):
        return [unshared(item) for item in value]
    if type(value) is np.ndarray:  # its layout kept: a reduction of it adds in the same order
        return layout_copy(value)
    if hasattr(value, "shape") and hasattr(value, "copy") and not isinstance(value, np.generic):
        return value.copy()
    return value

