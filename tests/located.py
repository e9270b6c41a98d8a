"""The suite's one located-error assert: an error names the primal ``file:line`` and advises.

A line is given as a marker (text on the line, such as ``"# MARK"``) or as an offset from the
function's ``def`` line. ``assert_located`` checks both the message (``file:line`` in it) and,
where the error carries one, its location object (``where`` of an ``S2SError``; ``filename``
and ``lineno`` of a ``SyntaxError`` subclass).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable

import pytest

import s2s


def line_of(func: Callable, line: str | int) -> int:
    """The file line of ``func``'s source holding the marker ``line``, or ``def`` + ``line``."""
    if isinstance(line, int):
        return func.__code__.co_firstlineno + line
    lines, start = inspect.getsourcelines(func)
    for offset, text in enumerate(lines):
        if line in text:
            return start + offset
    raise AssertionError(f"{line!r} not in the source of {func.__qualname__}")


def where(func: Callable, line: str | int) -> str:
    """``file:line`` of ``line`` (a marker or an offset) in ``func``, as messages write it."""
    return f"{func.__code__.co_filename}:{line_of(func, line)}"


def location(error: BaseException) -> tuple[str, int] | None:
    """``(filename, lineno)`` the error carries, or ``None`` if it carries none."""
    if isinstance(error, SyntaxError):
        return (error.filename, error.lineno) if error.filename and error.lineno else None
    found = getattr(error, "where", None)
    if found is None or not found.filename or not found.lineno:
        return None
    return found.filename, found.lineno


def is_located(error: BaseException) -> bool:
    """Whether ``error`` carries a file and a line."""
    return location(error) is not None


def assert_located(error: BaseException, func: Callable, line: str | int, *advice: str) -> None:
    """``error`` is located at ``line`` of ``func`` (message and location object) and its
    message holds each of the ``advice`` texts."""
    message = str(error)
    expected = where(func, line)
    assert expected in message, f"{expected} not in:\n{message}"
    found = location(error)
    if found is not None:
        assert found == (func.__code__.co_filename, line_of(func, line)), found
    for words in advice:
        assert words in message, f"{words!r} not in:\n{message}"


def assert_refused_at(f: Callable, error: type, message: str, line_text: str, x) -> None:
    """``grad(f)(x)`` raises ``error`` matching ``message``, located at the line of ``f``
    whose text holds ``line_text``."""
    with pytest.raises(error, match=re.escape(message)) as info:
        s2s.grad(f)(x)
    assert_located(info.value, f, line_text)
