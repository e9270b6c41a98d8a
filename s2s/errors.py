"""The exception hierarchy of s2s: every error names the primal ``file:line`` and gives advice."""

from __future__ import annotations

import linecache
import os
import sys


class S2SError(Exception):
    """Root of every exception s2s raises."""


class Location:
    """A primal source position: file name, line number, column and the text of the line."""

    __slots__ = ("filename", "lineno", "col", "text")

    def __init__(self, filename: str, lineno: int, col: int = 0, text: str = "") -> None:
        self.filename = filename
        self.lineno = lineno
        self.col = col
        self.text = text

    def __str__(self) -> str:
        return f"{self.filename}:{self.lineno}"

    def describe(self) -> str:
        """``file:line: text`` for messages."""
        text = self.text.strip()
        return f"{self}: {text}" if text else str(self)


def compose_message(message: str, where: Location | None, advice: str | None) -> str:
    parts = [f"{where}: {message}" if where is not None else message]
    if where is not None and where.text.strip():
        parts.append(f"    {where.text.strip()}")
    if advice and advice.strip():  # no bare "Advice:" line
        parts.append(f"Advice: {advice.strip()}")
    return "\n".join(parts)


class LocatedError(S2SError):
    """An s2s error tied to a primal source location, with advice on what to do next."""

    def __init__(self, message: str, where: Location | None = None, advice: str | None = None):
        self.message = message
        self.where = where
        self.advice = advice
        super().__init__(compose_message(message, where, advice))

    def __reduce__(self) -> tuple:
        """Pickled and copied with its attributes (subclasses take other arguments)."""
        return _rebuilt, (type(self), self.args, dict(self.__dict__))


def _rebuilt(cls: type, args: tuple, state: dict) -> LocatedError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class UnsupportedSyntaxError(S2SError, SyntaxError):
    """A construct s2s does not differentiate; a ``SyntaxError`` so Python draws a caret."""

    def __init__(self, message: str, where: Location, advice: str | None = None):
        text = f"{where}: {message}"
        if advice:
            text += f"\nAdvice: {advice}"
        SyntaxError.__init__(
            self, text, (where.filename, where.lineno, where.col + 1, where.text, None, None)
        )
        self.message = message
        self.where = where
        self.advice = advice

    def __str__(self) -> str:
        return str(self.msg)  # SyntaxError would repeat the location as "(file, line N)"


class SourceUnavailableError(LocatedError):
    """No Python source exists for the function (or callee) to differentiate."""


class NoRuleError(LocatedError, NotImplementedError):
    """An active call to a library function that has no derivative rule."""


class UnsupportedArgumentError(LocatedError, NotImplementedError):
    """A call passes a keyword or argument form that the function's rule does not support."""


class NonScalarOutputError(LocatedError, TypeError):
    """``grad`` was asked for a function whose output is not a real floating scalar."""


class WrtError(LocatedError, TypeError):
    """``wrt`` names a parameter that cannot be differentiated (bad index, name, duplicate)."""


class DtypeError(LocatedError, TypeError):
    """An argument to differentiate has an unsupported type or dtype (int, bool, complex, list)."""


class CotangentError(LocatedError, ValueError):
    """A cotangent passed to a pullback has the wrong shape, dtype or structure."""


class UndefinedGradientError(LocatedError, ValueError):
    """A requested gradient is undefined; the message lists every cause."""


class DisconnectedGradientError(LocatedError, ValueError):
    """A requested gradient has no data path from the argument to the output."""


class MutationError(LocatedError):
    """A mutation that may alias an argument, a global, a closure value or a view of one."""


class ArrayTypeError(LocatedError, TypeError):
    """An argument is an array of a library s2s does not run on (not numpy, Dask or CuPy)."""


class NamespaceError(LocatedError, NotImplementedError):
    """The arguments' array namespace lacks an operation the derivative needs (Dask: ``sort``)."""


class TangentError(LocatedError, ValueError):
    """A tangent passed to a forward-mode derivative has the wrong shape, dtype or structure."""


class NonFiniteGradientError(LocatedError, FloatingPointError):
    """A gradient is NaN or infinite although the arguments and the value are finite
    (``nan="raise"``); the message names the line and the operation where it began."""


class NonFiniteGradientWarning(UserWarning):
    """The warning form of :class:`NonFiniteGradientError` (the default, ``nan="warn"``)."""


class UsageError(LocatedError, TypeError, ValueError):
    """An s2s function called with a wrong argument: something that is not a function to
    differentiate, an option value it does not know, a non-derivative for ``s2s.source``, a
    rule registration that cannot work. Located at the caller's line."""


_PACKAGE = os.path.dirname(os.path.abspath(__file__))


def caller_location() -> Location | None:
    """The innermost frame outside s2s (and outside generated code): where the user called."""
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        inside = os.path.abspath(filename).startswith(_PACKAGE + os.sep)
        if not inside and not filename.startswith(("<s2s ", "<frozen ")):
            text = linecache.getline(filename, frame.f_lineno)
            return Location(filename, frame.f_lineno, 0, text)
        frame = frame.f_back
    return None


_COMPOSITE_ADVICE = {
    "hvp": "s2s.{k}(f) is s2s.jvp(s2s.grad(f)) keeping only the product H v: differentiate "
    "that derivative object instead, e.g. s2s.jacobian(s2s.jvp(s2s.grad(f))) (its second item "
    "is the derivative of H v), s2s.jvp(s2s.jvp(s2s.grad(f))), or s2s.grad of a function "
    "returning np.sum(u * s2s.jvp(s2s.grad(f))(x, v)[1])",
    "hessian": "s2s.hessian(f) stacks s2s.jvp(s2s.grad(f)) products in Python: for the Hessian "
    "as a function to differentiate use s2s.jvp(s2s.grad(f)) (H v) or s2s.jacobian(s2s.grad(f)) "
    "(the matrix); its derivatives are third derivatives: s2s.jvp(s2s.jvp(s2s.grad(f))) along "
    "two directions, or s2s.jacobian(s2s.jvp(s2s.grad(f)))",
    "jacobian": "s2s.jacobian(f) stacks s2s.jvp(f) (or s2s.vjp(f)) products in Python: "
    "differentiate s2s.jvp(f) instead, e.g. s2s.jvp(s2s.jvp(f)) or s2s.jacobian(s2s.jvp(f)); "
    "of a gradient, s2s.jacobian(s2s.grad(f)) is the Hessian and "
    "s2s.jacobian(s2s.jvp(s2s.grad(f))) differentiates it again",
}


def composite_refusal(obj: object, kind: str | None = None) -> tuple[str, str] | None:
    """``(message, advice)`` for differentiating an ``hvp``, ``hessp``, ``hessian`` or
    ``jacobian`` object ``obj`` (or one its factory ``kind`` makes): they stack or select
    derivative calls in Python, which s2s does not differentiate; the advice names the
    ``grad``/``jvp`` derivative to differentiate instead. ``None`` for any other object."""
    kind = kind or getattr(type(obj), "__s2s_composite__", None)
    if kind is None:
        return None
    advice = _COMPOSITE_ADVICE["hvp" if kind == "hessp" else kind].replace("{k}", kind)
    shown = repr(obj) if obj is not None else f"the s2s.{kind}(...) called here"
    message = (
        f"{shown} (an s2s.{kind} object) calls derivatives in Python and stacks or selects "
        "their results, so s2s cannot differentiate it; it differentiates grad, value_and_grad "
        "and jvp derivative objects"
    )
    return message, advice
