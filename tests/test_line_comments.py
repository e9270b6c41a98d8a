"""Line comments of generated code in loops with an early ``return`` (fresh-77 D5): each
header is one primal line (never a whole loop flattened into one comment), said once per run
of that line's statements (a guard ``if d_x is not None:`` does not make it repeat)."""

from __future__ import annotations

import numpy as np
from gradcheck import numeric_gradient

import s2s


def early(x):
    for _i in range(3):
        if np.sum(x) > 100:
            return np.sum(x * 2)
        x = x * 2
    return np.sum(x ** 2)


def comments(source: str) -> list[str]:
    return [line.strip() for line in source.splitlines() if line.strip().startswith("# line")]


def test_no_header_flattens_a_loop_and_the_seed_names_the_returns():
    for x in (np.ones(3), np.full(3, 50.0)):  # no early return; a return at the first trip
        g = s2s.grad(early)
        np.testing.assert_allclose(g(x), numeric_gradient(early, (x,), 0), rtol=1e-6)
    source = s2s.grad(early).source
    texts = comments(source)
    assert not [t for t in texts if "x = x * 2" in t and "for _i" in t], texts  # was one line
    first = early.__code__.co_firstlineno  # the def line; the loop is the next
    assert f"# line {first + 1}: the output (returned at line {first + 3} or {first + 5})" in texts
    assert (f"# line {first + 1}: after this loop, did a `return` in it run? (arm from the tape)"
            in texts), texts  # fmt: skip


def test_a_header_is_not_repeated_within_its_run():
    lines = [line for line in s2s.grad(early).source.splitlines() if line.strip()]

    def indent(line: str) -> int:
        return len(line) - len(line.lstrip())

    for i, line in enumerate(lines):
        if not line.strip().startswith("# line"):
            continue
        before = [j for j in range(i) if lines[j].strip().startswith("# line")]
        if not before:
            continue
        j = before[-1]  # the header before: the same text in the same block is a repeat
        same_block = all(indent(k) >= indent(line) for k in lines[j:i])
        assert not (same_block and lines[j] == line), (line, lines[j:i])
