"""The golden cases: which function is differentiated, at which arguments, and the source files.

``source(case)`` generates the derivative afresh and returns its ``.source`` with the primal's
file written relative to the repository root, so that the text does not depend on the checkout's
place. ``path(case)`` is the file that pins it.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import s2s
import s2s.api

from . import primals

ROOT = Path(__file__).resolve().parents[2]
SOURCES = Path(__file__).resolve().parent / "sources"


def load(relative: str) -> Any:
    """The module at ``ROOT / relative`` (an example or a benchmark), loaded by path."""
    spec = importlib.util.spec_from_file_location(Path(relative).stem, ROOT / relative)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class Case:
    """One pinned derivative: ``s2s.grad(function(), wrt=wrt)`` called on ``args()``."""

    name: str
    function: Callable[[], Callable]
    args: Callable[[], tuple]
    wrt: tuple[int, ...]
    needs: str | None = None  # a checkout file the case reads (skipped without it)
    checkpoint: Any = None  # s2s.grad's checkpoint= (a checkpointed loop's text)


def _rng() -> np.random.Generator:
    return np.random.default_rng(0)


def _mlp_args() -> tuple:
    r = _rng()
    return (
        r.standard_normal((3, 4)),
        r.standard_normal(4),
        r.standard_normal((4, 2)),
        r.standard_normal(2),
        r.standard_normal((5, 3)),
        np.array([0, 1, 0, 1, 1]),
    )


def _rnn_args() -> tuple:
    r = _rng()
    shapes = [(1, 4), (4, 4), (4,), (4, 1), (1,), (3, 2, 1), (3, 2, 1)]
    return tuple(r.standard_normal(s) for s in shapes)


CASES = {
    case.name: case
    for case in [
        Case("branch", lambda: primals.branch, lambda: (_rng().standard_normal(3), 0.5), (0, 1)),
        Case("loop", lambda: primals.loop, lambda: (_rng().standard_normal(3), 0.9, 3), (0, 1)),
        Case("loop_checkpointed", lambda: primals.loop,
             lambda: (_rng().standard_normal(3), 0.9, 3), (0, 1), checkpoint=4),
        Case("loop_budget", lambda: primals.loop, lambda: (_rng().standard_normal(3), 0.9, 3),
             (0, 1), checkpoint=s2s.MemoryBudget(100_000)),
        Case(
            "helper_call",
            lambda: primals.helper_call,
            lambda: (_rng().standard_normal((3, 2)), _rng().standard_normal((4, 3))),
            (0,),
        ),
        Case("mlp", lambda: primals.mlp, _mlp_args, (0, 1, 2, 3)),
        Case("mlp_if", lambda: primals.mlp_if, lambda: (*_mlp_args(), False), (0, 1, 2, 3)),
        Case(
            "rnn",
            lambda: load("examples/rnn_sequence.py").loss,
            _rnn_args,
            (0, 1, 2, 3, 4),
            needs="examples/rnn_sequence.py",
        ),
    ]
}


def source(case: Case) -> str:
    """The freshly generated derivative source of ``case``, its primal file relative to ROOT."""
    function = case.function()
    s2s.api.clear_cache(function)
    derivative = s2s.grad(function, wrt=case.wrt, checkpoint=case.checkpoint)
    derivative(*case.args())
    text = derivative.source
    filename = function.__code__.co_filename
    text = re.sub(r"(<s2s [^>]*?)#\d+:", r"\1#N:", text)  # a process-wide count of derivatives
    return text.replace(filename, str(Path(filename).resolve().relative_to(ROOT)))


def path(case: Case) -> Path:
    return SOURCES / f"{case.name}.py"


def function_lines(text: str) -> int:
    """Lines of the generated function itself: from its ``def`` to its ``return``, the
    ``_make`` wrapper left out."""
    lines = text.rstrip("\n").splitlines()
    return len(lines) - 2  # `def _make(...)` and `return d_...`
