"""A failing program printed as a pytest test, ready to paste into
``tests/test_fuzz_regressions.py``."""

from __future__ import annotations

import hashlib
import textwrap
from typing import Any

import numpy as np


def literal(value: Any) -> str:
    """Python source that rebuilds ``value`` exactly (floats by their shortest repr)."""
    if isinstance(value, tuple):
        return "(" + "".join(literal(v) + ", " for v in value).rstrip(" ") + ")"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, np.ndarray):
        dtype = "bool" if value.dtype == bool else str(value.dtype)
        return f"np.array({value.tolist()!r}, dtype=np.{dtype})"
    if isinstance(value, np.floating):
        return f"np.{value.dtype}({float(value)!r})"
    if isinstance(value, (bool, np.bool_)):
        return repr(bool(value))
    if isinstance(value, (int, np.integer)):
        return repr(int(value))
    return repr(value)


def regression_test(program: Any, title: str, forward: bool = False) -> str:
    """The text of a test function that checks ``program`` again."""
    digest = hashlib.sha1(program.source.encode()).hexdigest()[:8]
    title = " ".join(title.split()).replace("\\", "/").replace('"', "'")[:300]
    title = textwrap.fill(title, 92, subsequent_indent="    ", break_long_words=False)
    args = ",\n".join(_wrapped(literal(a)) for a in program.args)
    source = textwrap.indent(program.source, "    ")
    return (
        f"def test_fuzz_{digest}():\n"
        f'    """{title}"""\n'
        f'    source = """\\\n{source.rstrip()}\n"""\n'
        f"    args = [\n{args},\n    ]\n"
        f"    check_program(\n        source, args, wrt={program.wrt!r}, "
        f"output={program.output!r}, dtype={program.dtype!r}"
        f"{', forward=True' if forward else ''}\n    )\n"
    )


def _wrapped(text: str) -> str:
    """One argument's literal in lines under ruff's 100 columns (broken after commas, which
    are all inside brackets)."""
    return textwrap.fill(
        text, 99, initial_indent=" " * 8, subsequent_indent=" " * 12,
        break_long_words=False, break_on_hyphens=False,
    )
