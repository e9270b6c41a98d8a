"""``def_block``: the lines of a function's ``def`` without :func:`inspect.getsourcelines`.

``inspect`` finds where a ``def`` ends by tokenizing its lines until the indentation drops back
(``inspect.getblock``): its first use in a process compiles the tokenizer's expressions (about
1.3 ms), and each use tokenizes the whole function (0.1-0.3 ms). The code object already says
where the body lies: every instruction, of the function and of what it nests, has a line
range (``co_positions``), so the ``def`` runs from ``co_firstlineno`` (its first decorator) to
the last of those lines, then on through lines indented deeper than the ``def`` (statements
with no instruction: a final ``pass``, a string) up to the first line of code that is not.

That block ends where ``inspect``'s does unless a construct is still open at its end (a
bracket, a string or a line continuation going on at a lower indentation): then it does not
parse, which callers check, and they ask ``inspect`` instead. A block that parses as one
``def`` is ``inspect``'s block with at most its trailing comment lines left out (no code).
"""

from __future__ import annotations

import importlib.machinery
import re
import textwrap
import types
from collections.abc import Callable
from typing import Any

# the first line of a def or its decorators (the lines inspect.findsource accepts, lambdas aside)
_HEAD = re.compile(r"^\s*(@|def\s|async\s+def\s)")
_NOT_SOURCE = tuple(importlib.machinery.BYTECODE_SUFFIXES) + tuple(
    importlib.machinery.EXTENSION_SUFFIXES
)


def def_block(func: types.FunctionType, lines: list[str]) -> list[str] | None:
    """The lines of ``func``'s ``def`` (decorators first), taken from ``lines`` (its file's,
    as :mod:`linecache` holds them); they start at line ``func.__code__.co_firstlineno``.
    ``None`` where ``inspect`` would read another function's source (``func`` wraps one:
    ``__wrapped__``), the code names a compiled file, or its first line is no ``def`` or
    decorator (a lambda): there :func:`inspect.getsourcelines` decides. Callers parse the
    block and fall back on ``inspect`` where it is not one ``def``."""
    if hasattr(func, "__wrapped__"):
        return None
    code = func.__code__
    first = code.co_firstlineno
    if code.co_filename.endswith(_NOT_SOURCE) or not 0 < first <= len(lines):
        return None
    head = lines[first - 1]
    if not _HEAD.match(head):
        return None
    indent = len(head) - len(head.lstrip())
    end = max(first, min(_last_line(code), len(lines)))  # 1-based, inclusive
    for i in range(end, len(lines)):  # the lines after the last instruction's
        text = lines[i]
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if len(text) - len(text.lstrip()) <= indent:
            break
        end = i + 1
    return lines[first - 1 : end]


def parsed_def(block: list[str], parse: Callable[[str], Any], kinds: tuple[type, ...]) -> Any:
    """``parse`` (``ast.parse``, ``gast.parse``) of ``block`` dedented, where it is one
    statement of the ``kinds`` (a ``def``); ``None`` where it is not, or does not parse."""
    try:
        module = parse(textwrap.dedent("".join(block)))
    except SyntaxError:
        return None
    return module if len(module.body) == 1 and isinstance(module.body[0], kinds) else None


def _last_line(code: types.CodeType) -> int:
    """The last line any instruction of ``code`` or of the code it nests spans."""
    last = code.co_firstlineno
    for _, end, _, _ in code.co_positions():
        if end is not None and end > last:
            last = end
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            last = max(last, _last_line(const))
    return last
