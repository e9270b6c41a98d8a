"""docs/rules.md's table of covered functions is the one the registry generates now
(``python -m tools.rules_table`` rewrites it after a rule is added)."""

import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools import rules_table  # noqa: E402


def test_the_committed_table_is_not_stale():
    pytest.importorskip("scipy")  # the committed table includes scipy's rules
    page = (ROOT / "docs" / "rules.md").read_text()
    assert rules_table.BEGIN in page and rules_table.END in page
    assert rules_table.rewritten(page) == page, "run: python -m tools.rules_table"


def test_the_table_names_a_rule_and_its_modes():
    text = rules_table.table()
    assert "| `tanh` | `numpy` |" in text
    assert "reverse, forward" in text
