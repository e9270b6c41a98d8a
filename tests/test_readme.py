"""README.md's quick start and the generated source it shows are what s2s prints."""

from __future__ import annotations

import re
import subprocess
import sys

from checkout import checkout_file

import s2s


def _block(text: str, after: str) -> str:
    match = re.search(re.escape(after) + r"\n\n```python\n(.*?)```", text, re.S)
    assert match, f"README.md has no python block after {after!r}"
    return match.group(1)


def test_the_printed_generated_source_is_what_the_quick_start_prints(tmp_path):
    readme = checkout_file("README.md").read_text()
    quickstart = _block(readme, "## Quick start")
    shown = _block(readme, "(saved as `quickstart.py`) prints:")
    (tmp_path / "quickstart.py").write_text(quickstart)
    proc = subprocess.run(
        [sys.executable, "quickstart.py"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    printed = proc.stdout.replace(f"{tmp_path}/", "")  # the docstring names the file's path
    assert printed.rstrip("\n") == shown.rstrip("\n")


def test_not_supported_does_not_deny_memory_budgets():
    """fresh-123 7: "Not supported" said no memory budget in bytes is taken, while
    checkpoint=s2s.MemoryBudget(nbytes) is (and README's checkpointing section says so)."""
    readme = checkout_file("README.md").read_text()
    assert "no memory budget in bytes is taken" not in readme
    assert "checkpoint=s2s.MemoryBudget(nbytes)" in readme
    s2s.MemoryBudget(10**6)  # the API the text names exists
