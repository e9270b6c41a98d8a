"""Command line: ``python -m s2s show FILE.py:QUALNAME [--wrt a,b]`` prints a derivative."""

from __future__ import annotations

import argparse
import os
import runpy
import sys
import types
from typing import Any

from s2s.api import Derivative, grad
from s2s.errors import S2SError


def _load(spec: str) -> Any:
    path, _, qualname = spec.rpartition(":")
    if not path or not qualname:
        raise SystemExit(f"s2s show: expected FILE.py:QUALNAME, got {spec!r}")
    if not os.path.isfile(path):
        raise SystemExit(f"s2s show: no such file: {path}")
    folder = os.path.dirname(os.path.abspath(path))
    sys.path.insert(0, folder)
    try:
        namespace = runpy.run_path(path, run_name="__s2s_show__")
    except BaseException as exc:  # the user's file: its own error, reported in one line
        raise SystemExit(f"s2s show: running {path} raised {type(exc).__name__}: {exc}") from None
    obj: Any = None
    for i, part in enumerate(qualname.split(".")):
        obj = namespace.get(part) if i == 0 else getattr(obj, part, None)
        if obj is None:
            raise SystemExit(f"s2s show: {path} has no {qualname!r}")
    if not isinstance(obj, (Derivative, types.FunctionType)):
        kind = f"{type(obj).__module__}.{type(obj).__qualname__}"
        raise SystemExit(f"s2s show: {spec} is a {kind}, not a Python function")
    return obj


def show(spec: str, wrt: str | None) -> str:
    """The generated source for ``FILE.py:QUALNAME``; a derivative object keeps its ``wrt``."""
    obj = _load(spec)
    if isinstance(obj, Derivative):
        primal, default_wrt = obj.primal, obj.wrt
    else:
        primal, default_wrt = obj, 0
    chosen: Any = default_wrt
    if wrt:
        names = tuple(w.strip() for w in wrt.split(",") if w.strip())
        chosen = tuple(int(n) if n.isdigit() else n for n in names)
    return grad(primal, wrt=chosen).source


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m s2s", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    show_cmd = commands.add_parser("show", help="print the generated derivative of a function")
    show_cmd.add_argument("target", help="FILE.py:QUALNAME, e.g. examples/train_mlp.py:loss")
    show_cmd.add_argument("--wrt", help="comma-separated parameter names or positions")
    args = parser.parse_args(argv)
    if args.command == "show":
        try:
            print(show(args.target, args.wrt), end="")
        except S2SError as exc:  # the message names the line and says what to do
            print(f"s2s show: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
