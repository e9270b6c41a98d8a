"""Files of the source checkout (README.md, docs/, examples/) for the tests that check them.

The suite also runs against an installed wheel from a directory outside the checkout (CI copies
``tests/`` there); those tests then skip, saying which file is not there.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def in_checkout() -> bool:
    """Whether these tests sit in a source checkout (``tests/`` beside ``pyproject.toml``)."""
    return (ROOT / "pyproject.toml").is_file() and (ROOT / "s2s").is_dir()


def checkout_file(relative: str) -> Path:
    """``ROOT / relative``, or a skip when the tests run outside the checkout."""
    path = ROOT / relative
    if not in_checkout() or not path.exists():
        pytest.skip(f"{relative} is not here: the tests run outside a source checkout")
    return path
