"""Library modules a rule template names besides numpy (``scipy.special``), which generated
code reaches as ``_s2s.lib.scipy.special``: imported on first use, never by s2s itself."""

from __future__ import annotations

import importlib
import types


class Library:
    """``lib.scipy`` is the module ``scipy``, imported on first access (``AttributeError`` if
    it is not installed). Attributes below it are the module's own: ``lib.scipy.special``.
    """

    def __getattr__(self, name: str) -> types.ModuleType:
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return importlib.import_module(name)
        except ModuleNotFoundError as exc:  # getattr(lib, name, default) works as for objects
            raise AttributeError(f"no module named {name!r} is installed") from exc

    def __repr__(self) -> str:
        return "s2s.runtime.lib"


lib = Library()
