"""``python -m tests.golden [--update]``: compare (or rewrite) the golden sources."""

from __future__ import annotations

import argparse
import sys

from .cases import CASES, path, source


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.golden", description=__doc__)
    parser.add_argument("--update", action="store_true", help="rewrite the golden files")
    options = parser.parse_args()
    differ = []
    for case in CASES.values():
        text = source(case)
        file = path(case)
        if file.exists() and file.read_text() == text:
            continue
        differ.append(case.name)
        if options.update:
            file.parent.mkdir(exist_ok=True)
            file.write_text(text)
    verb = "rewrote" if options.update else "differ"
    print(f"{verb}: {', '.join(differ)}" if differ else "all golden sources agree")
    return 1 if differ and not options.update else 0


if __name__ == "__main__":
    sys.exit(main())
