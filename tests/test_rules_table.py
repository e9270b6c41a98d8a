"""docs/rules.md's table of covered functions is the one the registry generates now
(``python -m tools.rules_table`` rewrites it after a rule is added). The table is generated
in a fresh process: it imports scipy's modules, which loads their rules."""

import pathlib
import subprocess
import sys

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "rules.md"


def _generated() -> str:
    code = (
        "import sys; from tools import rules_table as t; "
        "sys.stdout.write(t.rewritten(sys.stdin.read()))"
    )
    done = subprocess.run([sys.executable, "-c", code], input=PAGE.read_text(), cwd=ROOT,
                          capture_output=True, text=True, check=True)  # fmt: skip
    return done.stdout


def test_the_committed_table_is_not_stale():
    pytest.importorskip("scipy")  # the committed table includes scipy's rules
    if not hasattr(np, "row_stack"):
        pytest.skip("the table is generated under numpy < 2.5, which still has np.row_stack")
    page = PAGE.read_text()
    assert "<!-- rules table" in page and "<!-- end of rules table -->" in page
    generated = _generated()
    assert generated == page, "run: python -m tools.rules_table"
    assert "| `tanh` | `numpy` |" in generated and "reverse, forward" in generated
